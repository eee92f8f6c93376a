//! The neighbourhood fund's store: grants never exceed the budget however many are decided at
//! once, staff decide alone only up to the threshold, a committee names its minutes, and
//! settling gives the unspent part back.

use diesel_async::RunQueryDsl;
use futures_util::future::join_all;
use quartier_domain::fund::{ApplicationStatus, Cents, Decider, FundLimits, GrantRefusal};
use quartier_persistence::database;
use quartier_persistence::funds::{
    self, Grant, NewApplication, NewFund, Proof, Refusal, Step, StepRefusal,
};
use quartier_tests::{TestApp, setup};
use uuid::Uuid;

fn cents(n: i64) -> Cents {
    Cents::new(n).expect("in range")
}

/// A fund of `budget` for the setup's operator, and the district of its centre.
async fn fund(app: &TestApp, budget: i64, per_project: i64, staff: i64) -> (Uuid, Uuid) {
    let s = setup(app).await;
    #[derive(diesel::QueryableByName)]
    struct District {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        district_id: Uuid,
    }
    let mut conn = app.conn().await;
    let district: District = diesel::sql_query("SELECT district_id FROM centres WHERE id = $1")
        .bind::<diesel::sql_types::Uuid, _>(s.centre.parse::<Uuid>().expect("uuid"))
        .get_result(&mut conn)
        .await
        .expect("the centre's district");
    let made = funds::create_fund(
        &mut conn,
        &NewFund {
            id: Uuid::now_v7(),
            operator_id: Some(s.operator.parse().expect("uuid")),
            district_id: None,
            committee_network_id: None,
            year: 2027,
            title: "Verfügungsfonds Nordstadt 2027".into(),
            limits: FundLimits::new(cents(budget), cents(per_project), cents(staff))
                .expect("limits fit"),
            created_by: None,
        },
    )
    .await
    .expect("a fund");
    (made.id, district.district_id)
}

/// A submitted and prechecked application for `requested` cents.
async fn prechecked(app: &TestApp, fund: Uuid, district: Uuid, requested: i64) -> Uuid {
    let mut conn = app.conn().await;
    let id = Uuid::now_v7();
    funds::create_application(
        &mut conn,
        &NewApplication {
            id,
            fund_id: fund,
            applicant_id: None,
            applicant_partner_id: None,
            district_id: district,
            concern_id: None,
            title: "Hoffest im Block 7".into(),
            description: "Ein Nachmittag mit Musik, Kuchen und Flohmarkt.".into(),
            goals: Some("Nachbarn lernen sich kennen".into()),
            target_groups: vec!["Familien".into(), "Ältere".into()],
            requested: cents(requested),
            cost_lines: vec![
                ("Bühne und Technik".into(), cents(requested / 2)),
                ("Material".into(), cents(requested - requested / 2)),
            ],
            partner_ids: vec![],
        },
    )
    .await
    .expect("a draft");
    for step in [Step::Submit, Step::Precheck] {
        funds::take_step(&mut conn, fund, id, None, &step)
            .await
            .expect("no database error")
            .expect("allowed");
    }
    id
}

fn staff_grant(amount: i64) -> Step {
    Step::Approve(Grant {
        amount: cents(amount),
        decider: Decider::Staff,
        by_user: None,
        minutes_occurrence_id: None,
        minutes_note: None,
    })
}

#[actix_web::test]
async fn approvals_made_at_once_end_with_only_those_that_fit_the_budget() {
    let app = TestApp::spawn().await;
    let (fund, district) = fund(&app, 100_000, 40_000, 40_000).await;
    let mut applications = Vec::new();
    for _ in 0..10 {
        applications.push(prechecked(&app, fund, district, 30_000).await);
    }

    // Every connection open before any approval starts, so that they all run at once.
    let mut connections = Vec::new();
    for _ in &applications {
        connections.push(database::connect(app.db.url()).await.expect("a connection"));
    }
    let answers = join_all(connections.iter_mut().zip(&applications).map(
        |(conn, id)| async move {
            funds::take_step(conn, fund, *id, None, &staff_grant(30_000))
                .await
                .expect("no database error")
        },
    ))
    .await;

    let approved = answers.iter().filter(|a| a.is_ok()).count();
    assert_eq!(approved, 3, "{answers:?}");
    assert!(
        answers
            .iter()
            .filter_map(|a| a.as_ref().err())
            .all(|refusal| matches!(refusal, StepRefusal::OverBudget { remaining } if remaining.get() == 10_000)),
        "{answers:?}"
    );
    assert_eq!(
        app.count("fund_applications", "status = 'approved'").await,
        3
    );
    assert_eq!(
        app.count("fund_applications", "status = 'prechecked'")
            .await,
        7
    );
    assert_eq!(
        app.count("funds", "granted_cents = 90000 AND spent_cents = 0")
            .await,
        1
    );
    assert_eq!(
        app.count(
            "funds f",
            "granted_cents = (SELECT sum(granted_cents) FROM fund_applications a WHERE a.fund_id = f.id AND status = 'approved')"
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn staff_decide_alone_up_to_the_threshold_and_a_committee_names_its_minutes() {
    let app = TestApp::spawn().await;
    let (fund, district) = fund(&app, 500_000, 150_000, 50_000).await;
    let id = prechecked(&app, fund, district, 120_000).await;
    let mut conn = app.conn().await;

    let refused = funds::take_step(&mut conn, fund, id, None, &staff_grant(80_000))
        .await
        .expect("no database error");
    assert_eq!(
        refused.expect_err("above the threshold"),
        StepRefusal::Grant(GrantRefusal::CommitteeNeeded {
            threshold: cents(50_000)
        })
    );
    let without_minutes = Step::Approve(Grant {
        amount: cents(80_000),
        decider: Decider::Committee,
        by_user: None,
        minutes_occurrence_id: None,
        minutes_note: None,
    });
    assert_eq!(
        funds::take_step(&mut conn, fund, id, None, &without_minutes)
            .await
            .expect("no database error")
            .expect_err("no minutes"),
        StepRefusal::MinutesMissing
    );
    let over_request = Step::Approve(Grant {
        amount: cents(120_001),
        decider: Decider::Committee,
        by_user: None,
        minutes_occurrence_id: None,
        minutes_note: Some("Beiratssitzung vom 3. März, TOP 4".into()),
    });
    assert!(matches!(
        funds::take_step(&mut conn, fund, id, None, &over_request)
            .await
            .expect("no database error"),
        Err(StepRefusal::Grant(GrantRefusal::OverRequested { .. }))
    ));
    let large = prechecked(&app, fund, district, 200_000).await;
    let over_maximum = Step::Approve(Grant {
        amount: cents(150_001),
        decider: Decider::Committee,
        by_user: None,
        minutes_occurrence_id: None,
        minutes_note: Some("Beiratssitzung vom 3. März, TOP 5".into()),
    });
    assert_eq!(
        funds::take_step(&mut conn, fund, large, None, &over_maximum)
            .await
            .expect("no database error")
            .expect_err("over the most a project may get"),
        StepRefusal::Grant(GrantRefusal::OverProjectMaximum {
            maximum: cents(150_000)
        })
    );
    // The committee declines it, naming its minutes; without them it may not.
    let decline = |minutes_note: Option<&str>| {
        Step::Decline(Refusal {
            reason: "Zu groß für den Fonds; bitte beim Stadtteilbudget beantragen.".into(),
            decider: Decider::Committee,
            by_user: None,
            minutes_occurrence_id: None,
            minutes_note: minutes_note.map(str::to_owned),
        })
    };
    assert_eq!(
        funds::take_step(&mut conn, fund, large, None, &decline(None))
            .await
            .expect("no database error")
            .expect_err("no minutes"),
        StepRefusal::MinutesMissing
    );
    let declined = funds::take_step(
        &mut conn,
        fund,
        large,
        None,
        &decline(Some("Beiratssitzung vom 3. März, TOP 5")),
    )
    .await
    .expect("no database error")
    .expect("declined");
    assert_eq!(declined.status(), ApplicationStatus::Declined);
    assert_eq!(declined.granted_cents, None);
    assert_eq!(app.count("funds", "granted_cents = 0").await, 1);
    let by_committee = Step::Approve(Grant {
        amount: cents(80_000),
        decider: Decider::Committee,
        by_user: None,
        minutes_occurrence_id: None,
        minutes_note: Some("Beiratssitzung vom 3. März, TOP 4".into()),
    });
    let approved = funds::take_step(&mut conn, fund, id, None, &by_committee)
        .await
        .expect("no database error")
        .expect("the committee may");
    assert_eq!(approved.status(), ApplicationStatus::Approved);
    assert_eq!(approved.granted_cents, Some(80_000));
    assert_eq!(approved.decided_by.as_deref(), Some("committee"));
    // Approved once: a second decision is not a step from here.
    assert_eq!(
        funds::take_step(&mut conn, fund, id, None, &by_committee)
            .await
            .expect("no database error")
            .expect_err("already approved"),
        StepRefusal::NotAllowed(ApplicationStatus::Approved)
    );
    assert_eq!(app.count("funds", "granted_cents = 80000").await, 1);
}

#[actix_web::test]
async fn settling_gives_the_unspent_part_back_and_a_withdrawn_grant_all_of_it() {
    let app = TestApp::spawn().await;
    let (fund, district) = fund(&app, 100_000, 50_000, 50_000).await;
    let first = prechecked(&app, fund, district, 40_000).await;
    let second = prechecked(&app, fund, district, 30_000).await;
    let mut conn = app.conn().await;
    for id in [first, second] {
        let requested = if id == first { 40_000 } else { 30_000 };
        funds::take_step(&mut conn, fund, id, None, &staff_grant(requested))
            .await
            .expect("no database error")
            .expect("fits");
    }
    assert_eq!(app.count("funds", "granted_cents = 70000").await, 1);

    let proof = Step::Report(Proof {
        actual_cost: cents(31_250),
        report_text: "120 Gäste, die Bühne lieh uns die Kirchengemeinde.".into(),
        attendance: Some(120),
        receipts_seen: true,
    });
    assert_eq!(
        funds::take_step(
            &mut conn,
            fund,
            first,
            None,
            &Step::Settle {
                receipts_seen: true
            }
        )
        .await
        .expect("no database error")
        .expect_err("not reported yet"),
        StepRefusal::NotAllowed(ApplicationStatus::Approved)
    );
    let reported = funds::take_step(&mut conn, fund, first, None, &proof)
        .await
        .expect("no database error")
        .expect("approved projects report");
    // Settling only once reported, and with the version read.
    assert_eq!(
        funds::take_step(
            &mut conn,
            fund,
            first,
            Some(&[reported.version - 1]),
            &Step::Settle {
                receipts_seen: true
            }
        )
        .await
        .expect("no database error")
        .expect_err("stale"),
        StepRefusal::VersionConflict
    );
    let settled = funds::take_step(
        &mut conn,
        fund,
        first,
        Some(&[reported.version]),
        &Step::Settle {
            receipts_seen: true,
        },
    )
    .await
    .expect("no database error")
    .expect("settled");
    assert_eq!(settled.spent_cents, Some(31_250));
    assert_eq!(
        app.count("funds", "granted_cents = 61250 AND spent_cents = 31250")
            .await,
        1,
        "8 750 of the first grant came back"
    );
    funds::take_step(&mut conn, fund, second, None, &Step::Withdraw)
        .await
        .expect("no database error")
        .expect("withdrawn");
    assert_eq!(
        app.count("funds", "granted_cents = 31250 AND spent_cents = 31250")
            .await,
        1,
        "the withdrawn grant came back whole"
    );
    assert_eq!(
        app.count(
            "fund_applications",
            "status = 'withdrawn' AND granted_cents = 30000"
        )
        .await,
        1,
        "what it had been granted stays on record"
    );
    // Reported use is not taken back.
    assert_eq!(
        funds::take_step(&mut conn, fund, first, None, &Step::Withdraw)
            .await
            .expect("no database error")
            .expect_err("settled"),
        StepRefusal::NotAllowed(ApplicationStatus::Settled)
    );
}

#[actix_web::test]
async fn the_database_refuses_a_total_over_the_budget_whoever_writes_it() {
    let app = TestApp::spawn().await;
    let (fund, _) = fund(&app, 100_000, 50_000, 50_000).await;
    let mut conn = app.conn().await;
    let over = diesel::sql_query("UPDATE funds SET granted_cents = 100001 WHERE id = $1")
        .bind::<diesel::sql_types::Uuid, _>(fund)
        .execute(&mut conn)
        .await
        .expect_err("over the budget");
    assert!(
        matches!(
            quartier_persistence::Error::from(over),
            quartier_persistence::Error::Constraint { ref constraint, .. } if constraint == "funds_granted_within_budget"
        ),
        "the budget's CHECK refuses it"
    );
    diesel::sql_query("UPDATE funds SET granted_cents = 80000 WHERE id = $1")
        .bind::<diesel::sql_types::Uuid, _>(fund)
        .execute(&mut conn)
        .await
        .expect("within the budget");
    let lower = diesel::sql_query(
        "UPDATE funds SET budget_cents = 60000, per_project_max_cents = 50000 WHERE id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(fund)
    .execute(&mut conn)
    .await
    .expect_err("below what is granted");
    assert!(
        matches!(
            quartier_persistence::Error::from(lower),
            quartier_persistence::Error::Constraint { ref constraint, .. } if constraint == "funds_granted_within_budget"
        ),
        "a budget below what has been granted is refused"
    );
}
