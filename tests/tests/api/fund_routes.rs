//! The neighbourhood fund over HTTP: a resident's project from the draft to the settlement,
//! decisions within the staff's threshold and the committee's with its minutes, approvals
//! sent at once that never exceed the budget, who sees and does what, and the public list
//! of granted projects that never names who applied.

use actix_web::http::Method;
use futures_util::future::join_all;
use quartier_tests::fixtures::{api_key, with_key};
use quartier_tests::{Setup, SmtpSink, TestApp, TestResponse, TestUser, id_of, post, setup};
use serde_json::{Value, json};

/// The district of the setup's centre.
pub(crate) async fn district_of(app: &TestApp, s: &Setup) -> String {
    app.get(&format!("/api/v1/centres/{}", s.centre), None)
        .await
        .json()["district_id"]
        .as_str()
        .expect("a district")
        .to_owned()
}

/// An operator fund of the setup's operator A, made by the administrator.
pub(crate) async fn operator_fund(
    app: &TestApp,
    s: &Setup,
    budget: i64,
    committee: Option<&str>,
) -> String {
    let made = post(
        app,
        &s.admin.access_token,
        "/api/v1/funds",
        json!({
            "operator_id": s.operator, "committee_network_id": committee, "year": 2027,
            "title": "Verfügungsfonds Nordstadt 2027", "budget_cents": budget,
            "per_project_max_cents": 100_000, "staff_threshold_cents": 50_000,
        }),
    )
    .await;
    assert_eq!(made.status, 201, "{}", String::from_utf8_lossy(&made.body));
    id_of(&made)
}

/// A draft of `resident` for `requested` cents, with a cost plan of two lines.
pub(crate) async fn draft(
    app: &TestApp,
    resident: &TestUser,
    fund: &str,
    district: &str,
    requested: i64,
) -> String {
    let made = post(
        app,
        &resident.access_token,
        &format!("/api/v1/funds/{fund}/applications"),
        json!({
            "title": "Hoffest im Block 7",
            "description": "Ein Nachmittag mit Musik, Kuchen und Flohmarkt im Innenhof.",
            "goals": "Nachbarn lernen sich kennen",
            "target_groups": ["Familien", "Ältere"],
            "requested_cents": requested,
            "cost_lines": [
                {"label": "Bühne und Technik", "amount_cents": requested / 2},
                {"label": "Material", "amount_cents": requested - requested / 2},
            ],
            "district_id": district,
        }),
    )
    .await;
    assert_eq!(made.status, 201, "{}", String::from_utf8_lossy(&made.body));
    assert_eq!(made.json()["status"], "draft");
    id_of(&made)
}

pub(crate) async fn step(
    app: &TestApp,
    token: &str,
    fund: &str,
    id: &str,
    action: &str,
    body: Value,
) -> TestResponse {
    post(
        app,
        token,
        &format!("/api/v1/funds/{fund}/applications/{id}/{action}"),
        body,
    )
    .await
}

/// A draft submitted by `resident` and prechecked by the setup's coordinator.
pub(crate) async fn prechecked(
    app: &TestApp,
    s: &Setup,
    resident: &TestUser,
    fund: &str,
    district: &str,
    requested: i64,
) -> String {
    let id = draft(app, resident, fund, district, requested).await;
    let submitted = step(
        app,
        &resident.access_token,
        fund,
        &id,
        "submit",
        json!(null),
    )
    .await;
    assert_eq!(
        submitted.status,
        200,
        "{}",
        String::from_utf8_lossy(&submitted.body)
    );
    let checked = step(
        app,
        &s.coordinator.access_token,
        fund,
        &id,
        "precheck",
        json!(null),
    )
    .await;
    assert_eq!(
        checked.status,
        200,
        "{}",
        String::from_utf8_lossy(&checked.body)
    );
    assert_eq!(checked.json()["status"], "prechecked");
    id
}

pub(crate) fn staff_grant(cents: i64) -> Value {
    json!({"status": "approved", "decided_by": "staff", "granted_cents": cents})
}

pub(crate) async fn fund_body(app: &TestApp, fund: &str) -> Value {
    let read = app.get(&format!("/api/v1/funds/{fund}"), None).await;
    assert_eq!(read.status, 200);
    read.json()
}

#[actix_web::test]
async fn a_project_goes_from_draft_to_settlement_and_gives_back_what_it_did_not_spend() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let district = district_of(&app, &s).await;
    let fund = operator_fund(&app, &s, 500_000, None).await;
    let anna = app.signed_up("anna@example.org").await;
    let id = prechecked(&app, &s, &anna, &fund, &district, 45_000).await;

    let approved = step(
        &app,
        &s.coordinator.access_token,
        &fund,
        &id,
        "decide",
        staff_grant(40_000),
    )
    .await;
    assert_eq!(
        approved.status,
        200,
        "{}",
        String::from_utf8_lossy(&approved.body)
    );
    let body = approved.json();
    assert_eq!(body["status"], "approved");
    assert_eq!(body["decision"]["granted_cents"], 40_000);
    assert_eq!(body["decision"]["decided_by"], "staff");
    assert_eq!(body["decision"]["recorded_by"], s.coordinator.id.as_str());
    assert_eq!(fund_body(&app, &fund).await["granted_cents"], 40_000);
    assert_eq!(fund_body(&app, &fund).await["remaining_cents"], 460_000);

    // The applicant cannot say the receipts were seen; that is the keepers' to say.
    let proof = json!({"actual_cost_cents": 35_500, "report_text": "80 Gäste, Kuchenbuffet, Flohmarkt.", "attendance": 80});
    let mut claimed = proof.clone();
    claimed["receipts_seen"] = json!(true);
    step(&app, &anna.access_token, &fund, &id, "report", claimed)
        .await
        .assert_problem(422, "validation-failed");
    let reported = step(&app, &anna.access_token, &fund, &id, "report", proof).await;
    assert_eq!(
        reported.status,
        200,
        "{}",
        String::from_utf8_lossy(&reported.body)
    );
    assert_eq!(reported.json()["proof"]["attendance"], 80);
    assert_eq!(reported.json()["proof"]["receipts_seen"], false);

    // Only the keepers settle.
    step(&app, &anna.access_token, &fund, &id, "settle", json!(null))
        .await
        .assert_problem(403, "forbidden");
    let settled = step(
        &app,
        &s.coordinator.access_token,
        &fund,
        &id,
        "settle",
        json!(null),
    )
    .await;
    assert_eq!(settled.status, 200);
    assert_eq!(settled.json()["status"], "settled");
    assert_eq!(settled.json()["spent_cents"], 35_500);
    let after = fund_body(&app, &fund).await;
    assert_eq!(
        after["granted_cents"], 35_500,
        "the unspent 4 500 went back"
    );
    assert_eq!(after["spent_cents"], 35_500);
    assert_eq!(after["remaining_cents"], 464_500);

    // Nothing more happens to it.
    step(
        &app,
        &anna.access_token,
        &fund,
        &id,
        "withdraw",
        json!(null),
    )
    .await
    .assert_problem(409, "fund-step-not-allowed");

    let kinds = app
        .texts(&format!(
            "SELECT kind FROM outbox_events WHERE subject_id = '{id}' ORDER BY id"
        ))
        .await;
    assert_eq!(
        kinds,
        [
            "fund_application.submitted",
            "fund_application.prechecked",
            "fund_application.approved",
            "fund_application.reported",
            "fund_application.settled",
        ]
    );
    let audited = app
        .texts(&format!(
            "SELECT action FROM audit_events WHERE object_id = '{id}' ORDER BY at, id"
        ))
        .await;
    assert_eq!(
        audited,
        [
            "fund_application.prechecked",
            "fund_application.approved",
            "fund_application.settled",
        ]
    );
}

#[actix_web::test]
async fn staff_decide_alone_only_up_to_the_threshold_and_the_committee_names_its_minutes() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let district = district_of(&app, &s).await;
    let board = id_of(
        &post(
            &app,
            &s.admin.access_token,
            "/api/v1/networks",
            json!({"name": "Quartiersbeirat Nordstadt", "kind": "advisory_board"}),
        )
        .await,
    );
    let fund = operator_fund(&app, &s, 500_000, Some(&board)).await;
    let anna = app.signed_up("anna@example.org").await;
    let id = prechecked(&app, &s, &anna, &fund, &district, 90_000).await;

    step(
        &app,
        &s.coordinator.access_token,
        &fund,
        &id,
        "decide",
        staff_grant(60_000),
    )
    .await
    .assert_problem(422, "committee-needed");
    let without_minutes =
        json!({"status": "approved", "decided_by": "committee", "granted_cents": 60_000});
    let refused = step(
        &app,
        &s.coordinator.access_token,
        &fund,
        &id,
        "decide",
        without_minutes,
    )
    .await;
    refused.assert_problem(422, "validation-failed");
    assert_eq!(refused.problem_fields(), ["minutes_note"]);
    step(
        &app,
        &s.coordinator.access_token,
        &fund,
        &id,
        "decide",
        json!({
            "status": "approved", "decided_by": "committee", "granted_cents": 100_001,
            "minutes_note": "Sitzung vom 3. März",
        }),
    )
    .await
    .assert_problem(422, "validation-failed");
    assert_eq!(
        app.count(
            "fund_applications",
            "status = 'prechecked' AND granted_cents IS NULL"
        )
        .await,
        1,
        "nothing changed"
    );
    assert_eq!(app.count("funds", "granted_cents = 0").await, 1);

    let decided = step(
        &app,
        &s.coordinator.access_token,
        &fund,
        &id,
        "decide",
        json!({
            "status": "approved", "decided_by": "committee", "granted_cents": 60_000,
            "minutes_note": "Protokoll der Beiratssitzung vom 3. März, TOP 4",
        }),
    )
    .await;
    assert_eq!(
        decided.status,
        200,
        "{}",
        String::from_utf8_lossy(&decided.body)
    );
    assert_eq!(decided.json()["decision"]["decided_by"], "committee");
    assert_eq!(
        decided.json()["decision"]["minutes_note"],
        "Protokoll der Beiratssitzung vom 3. März, TOP 4"
    );

    // A fund without a committee: staff decide up to their threshold and nothing above it.
    let lone = operator_fund(&app, &s, 500_000, None).await;
    let other = prechecked(&app, &s, &anna, &lone, &district, 90_000).await;
    let refused = step(
        &app,
        &s.coordinator.access_token,
        &lone,
        &other,
        "decide",
        json!({
            "status": "approved", "decided_by": "committee", "granted_cents": 60_000,
            "minutes_note": "Sitzung vom 3. März",
        }),
    )
    .await;
    refused.assert_problem(422, "validation-failed");
    assert_eq!(refused.problem_fields(), ["decided_by"]);

    // A decline names its reason.
    step(
        &app,
        &s.coordinator.access_token,
        &lone,
        &other,
        "decide",
        json!({"status": "declined", "decided_by": "staff"}),
    )
    .await
    .assert_problem(422, "validation-failed");
    let declined = step(&app, &s.coordinator.access_token, &lone, &other, "decide", json!({
        "status": "declined", "decided_by": "staff", "reason": "Das Projekt liegt außerhalb des Quartiers.",
    }))
    .await;
    assert_eq!(declined.status, 200);
    assert_eq!(declined.json()["decision"]["granted_cents"], Value::Null);
}

#[actix_web::test]
async fn approvals_sent_at_once_end_with_only_those_that_fit_the_budget() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let district = district_of(&app, &s).await;
    let fund = operator_fund(&app, &s, 100_000, None).await;
    let anna = app.signed_up("anna@example.org").await;
    let mut ids = Vec::new();
    for _ in 0..8 {
        ids.push(prechecked(&app, &s, &anna, &fund, &district, 30_000).await);
    }

    let answers = join_all(ids.iter().map(|id| {
        step(
            &app,
            &s.coordinator.access_token,
            &fund,
            id,
            "decide",
            staff_grant(30_000),
        )
    }))
    .await;

    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        3,
        "{statuses:?}"
    );
    for refused in answers.iter().filter(|a| a.status != 200) {
        refused.assert_problem(409, "over-budget");
    }
    assert_eq!(
        app.count("fund_applications", "status = 'approved'").await,
        3
    );
    assert_eq!(
        app.count("fund_applications", "status = 'prechecked'")
            .await,
        5
    );
    assert_eq!(app.count("funds", "granted_cents = 90000").await, 1);
    assert_eq!(
        app.count("outbox_events", "kind = 'fund_application.approved'")
            .await,
        3
    );

    // A withdrawn approval gives its grant back, and another fits again.
    let approved = ids
        .iter()
        .zip(&answers)
        .find(|(_, a)| a.status == 200)
        .map(|(id, _)| id.clone())
        .expect("one approved");
    let withdrawn = step(
        &app,
        &anna.access_token,
        &fund,
        &approved,
        "withdraw",
        json!(null),
    )
    .await;
    assert_eq!(withdrawn.status, 200);
    assert_eq!(fund_body(&app, &fund).await["granted_cents"], 60_000);
    let waiting = ids
        .iter()
        .zip(&answers)
        .find(|(_, a)| a.status != 200)
        .map(|(id, _)| id.clone())
        .expect("one refused");
    let second = step(
        &app,
        &s.coordinator.access_token,
        &fund,
        &waiting,
        "decide",
        staff_grant(30_000),
    )
    .await;
    assert_eq!(second.status, 200);
}

#[actix_web::test]
async fn an_application_is_its_applicants_and_the_keepers_alone() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let district = district_of(&app, &s).await;
    let fund = operator_fund(&app, &s, 500_000, None).await;
    let anna = app.signed_up("anna@example.org").await;
    let ben = app.signed_up("ben@example.org").await;
    let id = draft(&app, &anna, &fund, &district, 20_000).await;
    let path = format!("/api/v1/funds/{fund}/applications/{id}");

    assert_eq!(app.get(&path, Some(&anna.access_token)).await.status, 200);
    assert_eq!(
        app.get(&path, Some(&s.coordinator.access_token))
            .await
            .status,
        200
    );
    app.get(&path, Some(&ben.access_token))
        .await
        .assert_problem(404, "not-found");
    app.get(&path, Some(&s.other_coordinator.access_token))
        .await
        .assert_problem(404, "not-found");
    app.get(&path, None)
        .await
        .assert_problem(401, "unauthenticated");

    // Ben lists his own (none); the keepers every one.
    let list = format!("/api/v1/funds/{fund}/applications");
    assert_eq!(
        app.get(&list, Some(&ben.access_token)).await.json()["items"],
        json!([])
    );
    assert_eq!(
        app.get(&list, Some(&s.coordinator.access_token))
            .await
            .json()["items"][0]["id"],
        id.as_str()
    );

    // Only the applicant submits; staff check.
    step(
        &app,
        &s.coordinator.access_token,
        &fund,
        &id,
        "submit",
        json!(null),
    )
    .await
    .assert_problem(403, "forbidden");
    step(
        &app,
        &anna.access_token,
        &fund,
        &id,
        "precheck",
        json!(null),
    )
    .await
    .assert_problem(403, "forbidden");
    assert_eq!(
        step(&app, &anna.access_token, &fund, &id, "submit", json!(null))
            .await
            .status,
        200
    );

    // An operator's system keeps its funds with funds:write, and only then.
    let reader = api_key(&app, &s, &s.operator, json!(["reports:read"])).await;
    let keeper = api_key(&app, &s, &s.operator, json!(["funds:write"])).await;
    let other = api_key(&app, &s, &s.other_operator, json!(["funds:write"])).await;
    let precheck = format!("{path}/precheck");
    with_key(&app, &reader, Method::POST, &precheck, None)
        .await
        .assert_problem(404, "not-found");
    with_key(&app, &other, Method::POST, &precheck, None)
        .await
        .assert_problem(404, "not-found");
    assert_eq!(
        app.count("fund_applications", "status = 'submitted'").await,
        1
    );
    let checked = with_key(&app, &keeper, Method::POST, &precheck, None).await;
    assert_eq!(
        checked.status,
        200,
        "{}",
        String::from_utf8_lossy(&checked.body)
    );

    // A stale ETag changes nothing.
    let stale = app
        .json(
            Method::POST,
            &format!("{path}/withdraw"),
            Some(&anna.access_token),
            &[("if-match", "\"1\"")],
            &json!(null),
        )
        .await;
    stale.assert_problem(412, "version-conflict");
    assert_eq!(
        app.count("fund_applications", "status = 'prechecked'")
            .await,
        1
    );
}

#[actix_web::test]
async fn the_public_list_shows_what_was_granted_and_never_who_applied() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let district = district_of(&app, &s).await;
    let fund = operator_fund(&app, &s, 500_000, None).await;
    let anna = app.signed_up("anna.nachbarin@example.org").await;
    let granted = prechecked(&app, &s, &anna, &fund, &district, 30_000).await;
    assert_eq!(
        step(
            &app,
            &s.coordinator.access_token,
            &fund,
            &granted,
            "decide",
            staff_grant(25_000)
        )
        .await
        .status,
        200
    );
    let declined = prechecked(&app, &s, &anna, &fund, &district, 30_000).await;
    assert_eq!(
        step(
            &app,
            &s.coordinator.access_token,
            &fund,
            &declined,
            "decide",
            json!({
                "status": "declined", "decided_by": "staff", "reason": "Doppelt beantragt.",
            })
        )
        .await
        .status,
        200
    );
    draft(&app, &anna, &fund, &district, 10_000).await;

    let listed = app.get("/api/v1/fund-projects", None).await;
    assert_eq!(listed.status, 200);
    let body = listed.json();
    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "only the granted one: {body}");
    assert_eq!(items[0]["id"], granted.as_str());
    assert_eq!(items[0]["granted_cents"], 25_000);
    assert_eq!(items[0]["district"]["name"], "Nordstadt");
    assert_eq!(items[0]["fund"]["year"], 2027);
    let text = String::from_utf8_lossy(&listed.body);
    for secret in [
        anna.id.as_str(),
        "anna.nachbarin",
        "Ein Nachmittag mit Musik",
        "Familien",
    ] {
        assert!(!text.contains(secret), "{secret} shown in {text}");
    }
    assert!(items[0].get("applicant_id").is_none());

    let other_year = app.get("/api/v1/fund-projects?year=2026", None).await;
    assert_eq!(other_year.json()["items"], json!([]));
    app.get("/api/v1/fund-projects?year=1999", None)
        .await
        .assert_problem(422, "validation-failed");
}

#[actix_web::test]
async fn bad_applications_and_funds_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let district = district_of(&app, &s).await;
    let fund = operator_fund(&app, &s, 500_000, None).await;
    let anna = app.signed_up("anna@example.org").await;
    let path = format!("/api/v1/funds/{fund}/applications");

    let over_plan = post(
        &app,
        &anna.access_token,
        &path,
        json!({
            "title": "Bank am Spielplatz", "description": "Eine Bank.", "requested_cents": 50_000,
            "cost_lines": [{"label": "Bank", "amount_cents": 30_000}], "district_id": district,
        }),
    )
    .await;
    over_plan.assert_problem(422, "validation-failed");
    assert_eq!(over_plan.problem_fields(), ["requested_cents"]);
    let many_lines: Vec<Value> = (0..51)
        .map(|i| json!({"label": format!("Posten {i}"), "amount_cents": 100}))
        .collect();
    post(
        &app,
        &anna.access_token,
        &path,
        json!({
            "title": "Bank", "description": "Eine Bank.", "requested_cents": 100,
            "cost_lines": many_lines, "district_id": district,
        }),
    )
    .await
    .assert_problem(422, "validation-failed");
    post(
        &app,
        &anna.access_token,
        &path,
        json!({
            "title": "Bank", "description": "Eine Bank.", "requested_cents": 100,
        }),
    )
    .await
    .assert_problem(422, "validation-failed");
    post(
        &app,
        &anna.access_token,
        &path,
        json!({
            "title": "Bank", "description": "Eine Bank.", "requested_cents": 100,
            "district_id": district, "partner_ids": [uuid::Uuid::now_v7()],
        }),
    )
    .await
    .assert_problem(422, "validation-failed");
    post(
        &app,
        &anna.access_token,
        &path,
        json!({
            "title": "Bank", "description": "Eine Bank.", "requested_cents": "viel",
        }),
    )
    .await
    .assert_problem(422, "validation-failed");
    assert_eq!(app.count("fund_applications", "true").await, 0);

    // Funds: limits that do not fit, no owner, a coordinator making one, an unknown operator.
    let fund_body = |operator: &str, budget: i64| {
        json!({
            "operator_id": operator, "year": 2027, "title": "Fonds", "budget_cents": budget,
            "per_project_max_cents": 100_000, "staff_threshold_cents": 50_000,
        })
    };
    post(
        &app,
        &s.admin.access_token,
        "/api/v1/funds",
        fund_body(&s.operator, 50_000),
    )
    .await
    .assert_problem(422, "validation-failed");
    post(
        &app,
        &s.coordinator.access_token,
        "/api/v1/funds",
        fund_body(&s.operator, 500_000),
    )
    .await
    .assert_problem(403, "forbidden");
    post(
        &app,
        &s.admin.access_token,
        "/api/v1/funds",
        fund_body(&uuid::Uuid::now_v7().to_string(), 500_000),
    )
    .await
    .assert_problem(404, "not-found");
    post(&app, &s.admin.access_token, "/api/v1/funds", json!({
        "year": 2027, "title": "Fonds", "budget_cents": 1, "per_project_max_cents": 1, "staff_threshold_cents": 1,
    }))
    .await
    .assert_problem(422, "validation-failed");
    assert_eq!(app.count("funds", "true").await, 1);

    // A district with a fund is not deleted.
    let town_fund = post(&app, &s.admin.access_token, "/api/v1/funds", json!({
        "district_id": district, "year": 2027, "title": "Quartiersfonds", "budget_cents": 100_000,
        "per_project_max_cents": 50_000, "staff_threshold_cents": 10_000,
    }))
    .await;
    assert_eq!(town_fund.status, 201);
    let centre_free_district = id_of(
        &post(
            &app,
            &s.admin.access_token,
            "/api/v1/districts",
            json!({"name": "Südstadt", "town": "Musterstadt"}),
        )
        .await,
    );
    let made = post(&app, &s.admin.access_token, "/api/v1/funds", json!({
        "district_id": centre_free_district, "year": 2027, "title": "Südstadtfonds", "budget_cents": 100_000,
        "per_project_max_cents": 50_000, "staff_threshold_cents": 10_000,
    }))
    .await;
    assert_eq!(made.status, 201);
    app.json(
        Method::DELETE,
        &format!("/api/v1/districts/{centre_free_district}"),
        Some(&s.admin.access_token),
        &[("if-match", "*")],
        &json!(null),
    )
    .await
    .assert_problem(409, "district-in-use");
    assert_eq!(app.count("districts", "name = 'Südstadt'").await, 1);
}

#[actix_web::test]
async fn the_applicant_hears_of_the_decision_and_the_settlement_by_mail() {
    let sink = SmtpSink::start();
    let app = TestApp::mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    let district = district_of(&app, &s).await;
    let fund = operator_fund(&app, &s, 500_000, None).await;
    let anna = app.signed_up("anna@example.org").await;
    let id = prechecked(&app, &s, &anna, &fund, &district, 45_000).await;
    let staff = s.coordinator.access_token.as_str();

    assert_eq!(
        step(&app, staff, &fund, &id, "decide", staff_grant(40_000))
            .await
            .status,
        200
    );
    let approved = sink
        .mail_with("anna@example.org", "Bewilligt: Hoffest im Block 7")
        .await;
    assert!(approved.text().contains("400,00 €"), "{}", approved.text());
    assert!(
        approved.text().contains("Verfügungsfonds Nordstadt 2027"),
        "{}",
        approved.text()
    );

    let proof = json!({"actual_cost_cents": 35_550, "report_text": "80 Gäste."});
    assert_eq!(
        step(&app, &anna.access_token, &fund, &id, "report", proof)
            .await
            .status,
        200
    );
    assert_eq!(
        step(
            &app,
            staff,
            &fund,
            &id,
            "settle",
            json!({"receipts_seen": true})
        )
        .await
        .json()["proof"]["receipts_seen"],
        true
    );
    let settled = sink
        .mail_with("anna@example.org", "Abgerechnet: Hoffest im Block 7")
        .await;
    assert!(settled.text().contains("355,50 €"), "{}", settled.text());

    // Her own steps (submit, report) tell her nothing; the keepers' precheck neither.
    assert_eq!(
        app.count("notifications", "kind = 'fund_application_decided'")
            .await,
        2
    );
}

#[actix_web::test]
async fn an_erased_applicant_leaves_the_project_and_its_amounts_and_takes_her_drafts() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let district = district_of(&app, &s).await;
    let fund = operator_fund(&app, &s, 500_000, None).await;
    let anna = app.signed_up("anna@example.org").await;
    let granted = prechecked(&app, &s, &anna, &fund, &district, 30_000).await;
    assert_eq!(
        step(
            &app,
            &s.coordinator.access_token,
            &fund,
            &granted,
            "decide",
            staff_grant(25_000)
        )
        .await
        .status,
        200
    );
    let kept_draft = draft(&app, &anna, &fund, &district, 10_000).await;
    let withdrawn_draft = draft(&app, &anna, &fund, &district, 10_000).await;
    step(
        &app,
        &anna.access_token,
        &fund,
        &withdrawn_draft,
        "withdraw",
        json!(null),
    )
    .await;

    let export = app.get("/api/v1/me/export", Some(&anna.access_token)).await;
    assert_eq!(export.status, 200);
    let exported: Vec<&str> = export.json()["fund_applications"]
        .as_array()
        .expect("applications")
        .iter()
        .map(|a| a["id"].as_str().expect("id"))
        .filter(|id| *id != withdrawn_draft)
        .map(|id| {
            if id == granted {
                "granted"
            } else if id == kept_draft {
                "draft"
            } else {
                "other"
            }
        })
        .collect();
    assert_eq!(exported, ["draft", "granted"], "newest first");
    let mine = app
        .get("/api/v1/me/fund-applications", Some(&anna.access_token))
        .await;
    assert_eq!(mine.json()["items"].as_array().map(Vec::len), Some(3));

    let erased = app
        .json(
            Method::DELETE,
            "/api/v1/me",
            Some(&anna.access_token),
            &[],
            &json!({"password": anna.password}),
        )
        .await;
    assert_eq!(
        erased.status,
        200,
        "{}",
        String::from_utf8_lossy(&erased.body)
    );
    assert_eq!(
        app.count(
            "fund_applications",
            &format!("id = '{granted}' AND applicant_id IS NULL AND title = 'Hoffest im Block 7' AND granted_cents = 25000")
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "fund_applications",
            &format!("id IN ('{kept_draft}', '{withdrawn_draft}')")
        )
        .await,
        0
    );
    assert_eq!(fund_body(&app, &fund).await["granted_cents"], 25_000);
    let listed = app.get("/api/v1/fund-projects", None).await.json();
    assert_eq!(listed["items"][0]["id"], granted.as_str());
}

#[actix_web::test]
async fn keepers_never_decide_their_own_and_a_coordinator_of_some_centres_keeps_no_fund() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let district = district_of(&app, &s).await;
    let fund = operator_fund(&app, &s, 500_000, None).await;

    // The coordinator applies herself: others check, decide and settle.
    let own = draft(&app, &s.coordinator, &fund, &district, 20_000).await;
    assert_eq!(
        step(
            &app,
            &s.coordinator.access_token,
            &fund,
            &own,
            "submit",
            json!(null)
        )
        .await
        .status,
        200
    );
    step(
        &app,
        &s.coordinator.access_token,
        &fund,
        &own,
        "precheck",
        json!(null),
    )
    .await
    .assert_problem(403, "forbidden");
    assert_eq!(
        step(
            &app,
            &s.admin.access_token,
            &fund,
            &own,
            "precheck",
            json!(null)
        )
        .await
        .status,
        200
    );
    step(
        &app,
        &s.coordinator.access_token,
        &fund,
        &own,
        "decide",
        staff_grant(20_000),
    )
    .await
    .assert_problem(403, "forbidden");
    assert_eq!(app.count("funds", "granted_cents = 0").await, 1);

    // A coordinator limited to the operator's centre keeps none of its funds.
    let limited = app.signed_up("limited@example.org").await;
    let added = post(
        &app,
        &s.admin.access_token,
        &format!("/api/v1/operators/{}/members", s.operator),
        json!({"email": "limited@example.org", "role": "coordinator", "centre_ids": [s.centre]}),
    )
    .await;
    assert_eq!(
        added.status,
        201,
        "{}",
        String::from_utf8_lossy(&added.body)
    );
    step(
        &app,
        &limited.access_token,
        &fund,
        &own,
        "decide",
        staff_grant(20_000),
    )
    .await
    .assert_problem(404, "not-found");
    let anna = app.signed_up("anna@example.org").await;
    let hers = draft(&app, &anna, &fund, &district, 5_000).await;
    app.get(
        &format!("/api/v1/funds/{fund}/applications/{hers}"),
        Some(&limited.access_token),
    )
    .await
    .assert_problem(404, "not-found");
}

#[actix_web::test]
async fn a_granted_project_answers_the_concern_it_came_from() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let district = district_of(&app, &s).await;
    let fund = operator_fund(&app, &s, 500_000, None).await;
    let category = id_of(
        &post(
            &app,
            &s.admin.access_token,
            "/api/v1/concern-categories",
            json!({"name": "Nachbarschaft", "kind": "idea", "operator_id": s.operator, "needs_moderation": false}),
        )
        .await,
    );
    let anna = app.signed_up("anna@example.org").await;
    let concern = id_of(
        &post(
            &app,
            &anna.access_token,
            "/api/v1/concerns",
            json!({"category_id": category, "district_id": district,
                   "title": "Ein Fest für den Block", "text": "Wir kennen uns kaum."}),
        )
        .await,
    );
    let made = post(
        &app,
        &anna.access_token,
        &format!("/api/v1/funds/{fund}/applications"),
        json!({"title": "Hoffest", "description": "Ein Fest im Hof.", "requested_cents": 20_000,
               "district_id": district, "concern_id": concern}),
    )
    .await;
    assert_eq!(made.status, 201, "{}", String::from_utf8_lossy(&made.body));
    let id = id_of(&made);
    let link = |target: &str| json!({"kind": "fund_application", "target_id": target, "note": "Der Fonds zahlt das Fest."});
    let outcomes = format!("/api/v1/concerns/{concern}/outcomes");

    // Not yet granted: nothing came of it.
    post(&app, &s.coordinator.access_token, &outcomes, link(&id))
        .await
        .assert_problem(422, "validation-failed");
    step(&app, &anna.access_token, &fund, &id, "submit", json!(null)).await;
    step(
        &app,
        &s.coordinator.access_token,
        &fund,
        &id,
        "precheck",
        json!(null),
    )
    .await;
    step(
        &app,
        &s.coordinator.access_token,
        &fund,
        &id,
        "decide",
        staff_grant(20_000),
    )
    .await;

    // Staff of another operator keep no part of this fund.
    post(
        &app,
        &s.other_coordinator.access_token,
        &outcomes,
        link(&id),
    )
    .await
    .assert_problem(403, "forbidden");
    let linked = post(&app, &s.coordinator.access_token, &outcomes, link(&id)).await;
    assert_eq!(
        linked.status,
        201,
        "{}",
        String::from_utf8_lossy(&linked.body)
    );
    assert_eq!(linked.json()["kind"], "fund_application");
    assert_eq!(linked.json()["target_id"], id.as_str());
    let listed = app.get(&outcomes, None).await.json();
    assert_eq!(listed["items"][0]["target_id"], id.as_str());
    let projects = app.get("/api/v1/fund-projects", None).await.json();
    assert_eq!(projects["items"][0]["concern_id"], concern.as_str());

    // Withdrawn, it is no longer what came of the concern.
    step(
        &app,
        &anna.access_token,
        &fund,
        &id,
        "withdraw",
        json!(null),
    )
    .await;
    assert_eq!(app.get(&outcomes, None).await.json()["items"], json!([]));
    assert_eq!(
        app.get("/api/v1/fund-projects", None).await.json()["items"],
        json!([])
    );

    // A concern the public cannot read is not named by a project.
    let hidden = post(
        &app,
        &anna.access_token,
        &format!("/api/v1/funds/{fund}/applications"),
        json!({"title": "Bank", "description": "Eine Bank.", "requested_cents": 1_000,
               "district_id": district, "concern_id": uuid::Uuid::now_v7()}),
    )
    .await;
    hidden.assert_problem(422, "validation-failed");
    assert_eq!(hidden.problem_fields(), ["concern_id"]);
}

#[actix_web::test]
async fn reports_count_what_the_funds_granted_and_what_was_spent_per_district() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let district = district_of(&app, &s).await;
    let fund = operator_fund(&app, &s, 500_000, None).await;
    let anna = app.signed_up("anna@example.org").await;
    let staff = s.coordinator.access_token.as_str();
    let settled = prechecked(&app, &s, &anna, &fund, &district, 45_000).await;
    step(&app, staff, &fund, &settled, "decide", staff_grant(40_000)).await;
    step(
        &app,
        &anna.access_token,
        &fund,
        &settled,
        "report",
        json!({"actual_cost_cents": 35_550, "report_text": "Gut."}),
    )
    .await;
    assert_eq!(
        step(&app, staff, &fund, &settled, "settle", json!(null))
            .await
            .status,
        200
    );
    let open = prechecked(&app, &s, &anna, &fund, &district, 20_000).await;
    assert_eq!(
        step(&app, staff, &fund, &open, "decide", staff_grant(12_345))
            .await
            .status,
        200
    );
    let withdrawn = prechecked(&app, &s, &anna, &fund, &district, 20_000).await;
    step(
        &app,
        staff,
        &fund,
        &withdrawn,
        "decide",
        staff_grant(10_000),
    )
    .await;
    assert_eq!(
        step(
            &app,
            &anna.access_token,
            &fund,
            &withdrawn,
            "withdraw",
            json!(null)
        )
        .await
        .status,
        200
    );
    let declined = prechecked(&app, &s, &anna, &fund, &district, 20_000).await;
    step(
        &app,
        staff,
        &fund,
        &declined,
        "decide",
        json!({"status": "declined", "decided_by": "staff", "reason": "Nein."}),
    )
    .await;

    let today = chrono::Utc::now().date_naive();
    let path = format!(
        "/api/v1/reports/indicators?from={}&to={}&group_by=district&indicators=fund_projects,fund_granted,fund_spent",
        today - chrono::Duration::days(30),
        today
    );
    let report = app.get(&path, Some(&s.admin.access_token)).await;
    assert_eq!(
        report.status,
        200,
        "{}",
        String::from_utf8_lossy(&report.body)
    );
    let body = report.json();
    let rows = body["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 1, "{body}");
    assert_eq!(rows[0]["district"]["id"], district.as_str());
    let values: Vec<(String, Value)> = rows[0]["values"]
        .as_array()
        .expect("values")
        .iter()
        .map(|v| {
            (
                v["indicator"].as_str().expect("key").to_owned(),
                v["value"].clone(),
            )
        })
        .collect();
    assert_eq!(
        values,
        [
            ("fund_projects".to_owned(), json!(2.0)),
            ("fund_granted".to_owned(), json!(523.45)),
            ("fund_spent".to_owned(), json!(355.5)),
        ]
    );
    let catalogue = app.get("/api/v1/reports/catalogue", None).await.json();
    assert!(catalogue.to_string().contains("\"euros\""), "{catalogue}");

    // A snapshot freezes them.
    let frozen = post(
        &app,
        &s.admin.access_token,
        "/api/v1/reports/snapshots",
        json!({"title": "Verfügungsfonds", "from": today - chrono::Duration::days(30), "to": today,
               "indicators": ["fund_granted", "fund_spent"]}),
    )
    .await;
    assert_eq!(
        frozen.status,
        201,
        "{}",
        String::from_utf8_lossy(&frozen.body)
    );
    let frozen_values = frozen.json()["report"]["rows"][0]["values"].clone();
    assert_eq!(frozen_values[0]["value"], json!(523.45));
    assert_eq!(frozen_values[1]["value"], json!(355.5));
}
