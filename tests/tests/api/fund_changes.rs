//! What changes around an application to a fund: a draft rewritten before it is handed in, a
//! fund's limits changed (never below what it granted, also while grants race the cut) and
//! the fund closed, a guest's application confirmed by mail (through a real SMTP server),
//! and the titles of funds and projects in the readers' languages.

use actix_web::http::Method;
use futures_util::future::join_all;
use quartier_tests::{SmtpSink, TestApp, id_of, patch, post, setup};
use serde_json::{Value, json};

use crate::fund_routes::{
    district_of, draft, fund_body, operator_fund, prechecked, staff_grant, step,
};

fn application(district: &str, requested: i64) -> Value {
    json!({
        "title": "Repair-Café im Nachbarschaftstreff",
        "description": "Einmal im Monat reparieren Nachbarn gemeinsam Geräte.",
        "requested_cents": requested,
        "cost_lines": [{"label": "Werkzeug", "amount_cents": requested}],
        "district_id": district,
    })
}

#[actix_web::test]
async fn a_draft_is_rewritten_by_its_applicant_until_it_is_handed_in() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let district = district_of(&app, &s).await;
    let fund = operator_fund(&app, &s, 500_000, None).await;
    let anna = app.signed_up("anna@example.org").await;
    let id = draft(&app, &anna, &fund, &district, 45_000).await;
    let path = format!("/api/v1/funds/{fund}/applications/{id}");
    let read = app.get(&path, Some(&anna.access_token)).await;
    let etag = read.header("etag").expect("an etag").to_owned();

    // Without If-Match, or with an old version, nothing changes.
    let rewritten = application(&district, 30_000);
    app.json(
        Method::PUT,
        &path,
        Some(&anna.access_token),
        &[],
        &rewritten,
    )
    .await
    .assert_problem(428, "precondition-required");
    app.json(
        Method::PUT,
        &path,
        Some(&anna.access_token),
        &[("if-match", "\"99\"")],
        &rewritten,
    )
    .await
    .assert_problem(412, "version-conflict");
    // Others do not rewrite it: the keepers neither.
    app.json(
        Method::PUT,
        &path,
        Some(&s.coordinator.access_token),
        &[("if-match", "*")],
        &rewritten,
    )
    .await
    .assert_problem(403, "forbidden");
    // More asked for than the new cost plan comes to is refused, naming the field.
    let mut greedy = rewritten.clone();
    greedy["requested_cents"] = json!(31_000);
    let refused = app
        .json(
            Method::PUT,
            &path,
            Some(&anna.access_token),
            &[("if-match", &etag)],
            &greedy,
        )
        .await;
    refused.assert_problem(422, "validation-failed");
    assert_eq!(
        app.count(
            "fund_applications",
            &format!("id = '{id}' AND requested_cents = 45000 AND version = 1")
        )
        .await,
        1,
        "nothing changed"
    );

    let done = app
        .json(
            Method::PUT,
            &path,
            Some(&anna.access_token),
            &[("if-match", &etag)],
            &rewritten,
        )
        .await;
    assert_eq!(done.status, 200, "{}", String::from_utf8_lossy(&done.body));
    let body = done.json();
    assert_eq!(body["title"], "Repair-Café im Nachbarschaftstreff");
    assert_eq!(body["requested_cents"], 30_000);
    assert_eq!(body["goals"], Value::Null, "what is left out is left out");
    assert_eq!(body["target_groups"], json!([]));
    assert_eq!(
        body["cost_lines"],
        json!([{"label": "Werkzeug", "amount_cents": 30_000}])
    );
    assert_eq!(body["version"], 2);
    assert_eq!(
        app.count(
            "fund_application_cost_lines",
            &format!("application_id = '{id}'")
        )
        .await,
        1
    );
    // Rewriting a draft is nobody's business: no event.
    assert_eq!(
        app.count("outbox_events", &format!("subject_id = '{id}'"))
            .await,
        0
    );

    // Handed in, it is no longer rewritten.
    assert_eq!(
        step(&app, &anna.access_token, &fund, &id, "submit", json!(null))
            .await
            .status,
        200
    );
    app.json(
        Method::PUT,
        &path,
        Some(&anna.access_token),
        &[("if-match", "*")],
        &rewritten,
    )
    .await
    .assert_problem(409, "fund-step-not-allowed");
}

#[actix_web::test]
async fn a_fund_changes_its_limits_never_below_what_it_granted_and_closes() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let district = district_of(&app, &s).await;
    let fund = operator_fund(&app, &s, 200_000, None).await;
    let anna = app.signed_up("anna@example.org").await;
    let path = format!("/api/v1/funds/{fund}");
    let id = prechecked(&app, &s, &anna, &fund, &district, 40_000).await;
    assert_eq!(
        step(
            &app,
            &s.coordinator.access_token,
            &fund,
            &id,
            "decide",
            staff_grant(40_000)
        )
        .await
        .status,
        200
    );

    // Only its operator admins change it.
    patch(
        &app,
        &s.coordinator.access_token,
        &path,
        json!({"budget_cents": 300_000}),
    )
    .await
    .assert_problem(403, "forbidden");
    // Not below what it granted, and only limits that fit together.
    let cut = patch(
        &app,
        &s.admin.access_token,
        &path,
        json!({"budget_cents": 39_999, "per_project_max_cents": 30_000, "staff_threshold_cents": 10_000}),
    )
    .await;
    cut.assert_problem(409, "budget-below-granted");
    let unfit = patch(
        &app,
        &s.admin.access_token,
        &path,
        json!({"staff_threshold_cents": 150_000}),
    )
    .await;
    unfit.assert_problem(422, "validation-failed");
    assert_eq!(unfit.problem_fields(), ["staff_threshold_cents"]);
    assert_eq!(
        app.count(
            "funds",
            "budget_cents = 200000 AND staff_threshold_cents = 50000 AND version = 2"
        )
        .await,
        1,
        "nothing changed (the grant moved the version once)"
    );

    let raised = patch(
        &app,
        &s.admin.access_token,
        &path,
        json!({"title": "Verfügungsfonds Nordstadt 2027 (aufgestockt)", "budget_cents": 300_000}),
    )
    .await;
    assert_eq!(
        raised.status,
        200,
        "{}",
        String::from_utf8_lossy(&raised.body)
    );
    assert_eq!(raised.json()["remaining_cents"], 260_000);
    assert_eq!(raised.json()["closed_at"], Value::Null);
    assert_eq!(
        app.count(
            "audit_events",
            &format!("action = 'fund.updated' AND object_id = '{fund}'")
        )
        .await,
        1
    );

    // Closed, it takes no new application and no draft is handed in; what was handed in
    // before is still decided.
    let waiting = draft(&app, &anna, &fund, &district, 10_000).await;
    let before_closing = prechecked(&app, &s, &anna, &fund, &district, 10_000).await;
    let closed = patch(&app, &s.admin.access_token, &path, json!({"closed": true})).await;
    assert_eq!(closed.status, 200);
    assert!(closed.json()["closed_at"].is_string());
    post(
        &app,
        &anna.access_token,
        &format!("{path}/applications"),
        application(&district, 10_000),
    )
    .await
    .assert_problem(409, "fund-closed");
    step(
        &app,
        &anna.access_token,
        &fund,
        &waiting,
        "submit",
        json!(null),
    )
    .await
    .assert_problem(409, "fund-closed");
    assert_eq!(
        step(
            &app,
            &s.coordinator.access_token,
            &fund,
            &before_closing,
            "decide",
            staff_grant(10_000)
        )
        .await
        .status,
        200
    );
    assert_eq!(app.count("fund_applications", "status = 'draft'").await, 1);

    // Opened again, it takes applications again.
    let opened = patch(&app, &s.admin.access_token, &path, json!({"closed": false})).await;
    assert_eq!(opened.json()["closed_at"], Value::Null);
    assert_eq!(
        step(
            &app,
            &anna.access_token,
            &fund,
            &waiting,
            "submit",
            json!(null)
        )
        .await
        .status,
        200
    );
}

#[actix_web::test]
async fn a_budget_cut_racing_grants_never_leaves_more_granted_than_the_budget() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let district = district_of(&app, &s).await;
    let fund = operator_fund(&app, &s, 200_000, None).await;
    let anna = app.signed_up("anna@example.org").await;
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(prechecked(&app, &s, &anna, &fund, &district, 30_000).await);
    }
    let path = format!("/api/v1/funds/{fund}");
    // Six grants of 30 000 (180 000 in all) and cuts to 100 000, all at once.
    let grants = join_all(ids.iter().map(|id| {
        step(
            &app,
            &s.coordinator.access_token,
            &fund,
            id,
            "decide",
            staff_grant(30_000),
        )
    }));
    let cuts = join_all((0..3).map(|_| {
        patch(
            &app,
            &s.admin.access_token,
            &path,
            json!({"budget_cents": 100_000}),
        )
    }));
    let (grants, cuts) = futures_util::future::join(grants, cuts).await;
    for answer in grants.iter().chain(&cuts) {
        assert!(
            matches!(answer.status, 200 | 409),
            "{} {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
    }
    let granted = grants.iter().filter(|a| a.status == 200).count() as i64;
    let after = fund_body(&app, &fund).await;
    let budget = after["budget_cents"].as_i64().expect("budget");
    assert_eq!(after["granted_cents"].as_i64(), Some(granted * 30_000));
    assert!(granted * 30_000 <= budget, "{after}");
    assert_eq!(
        app.count("fund_applications", "status = 'approved'").await,
        granted
    );
    if cuts.iter().any(|a| a.status == 200) {
        assert_eq!(budget, 100_000);
        assert!(granted <= 3);
    } else {
        assert_eq!(budget, 200_000);
        assert!(granted > 3);
    }
}

#[actix_web::test]
async fn a_guest_applies_confirms_by_mail_and_hears_the_decision_there() {
    let sink = SmtpSink::start();
    let app = TestApp::mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    let district = district_of(&app, &s).await;
    let fund = operator_fund(&app, &s, 500_000, None).await;
    let email = "ben.gast@example.org";
    let guest = |application: Value| {
        json!({
            "name": "Ben Gast", "email": email, "privacy_policy_version": "2026-11",
            "application": application,
        })
    };

    // The application's own faults are named as its fields; nothing waits.
    let mut bad = application(&district, 30_000);
    bad["requested_cents"] = json!(31_000);
    let refused = app
        .post(
            &format!("/api/v1/funds/{fund}/guest-applications"),
            &guest(bad),
        )
        .await;
    refused.assert_problem(422, "validation-failed");
    assert_eq!(refused.problem_fields(), ["application.requested_cents"]);
    // A guest applies for herself, not for a partner.
    let mut for_partner = application(&district, 30_000);
    for_partner["applicant_partner_id"] = json!(uuid::Uuid::now_v7());
    let refused = app
        .post(
            &format!("/api/v1/funds/{fund}/guest-applications"),
            &guest(for_partner),
        )
        .await;
    assert_eq!(
        refused.problem_fields(),
        ["application.applicant_partner_id"]
    );
    assert_eq!(app.count("fund_application_drafts", "true").await, 0);

    let asked = app
        .post(
            &format!("/api/v1/funds/{fund}/guest-applications"),
            &guest(application(&district, 30_000)),
        )
        .await;
    assert_eq!(
        asked.status,
        202,
        "{}",
        String::from_utf8_lossy(&asked.body)
    );
    // Nothing is handed in before she confirms.
    assert_eq!(app.count("fund_applications", "true").await, 0);
    assert_eq!(app.count("fund_application_drafts", "true").await, 1);
    let mail = sink.mail_with(email, "Bitte bestätigen: Ihr Antrag").await;
    assert!(mail.subject().contains("Repair-Café"), "{}", mail.subject());
    assert!(mail.text().contains("Hallo Ben Gast"));
    assert!(mail.text().contains("300,00"), "{}", mail.text());
    let token = mail.token("guest-fund-applications/confirm");

    let confirmed = app
        .post(
            "/api/v1/guest-fund-applications/confirm",
            &json!({ "token": token }),
        )
        .await;
    assert_eq!(
        confirmed.status,
        201,
        "{}",
        String::from_utf8_lossy(&confirmed.body)
    );
    let body = confirmed.json();
    assert_eq!(body["status"], "submitted");
    assert_eq!(body["requested_cents"], 30_000);
    let id = body["id"].as_str().expect("id").to_owned();
    assert_eq!(
        confirmed.header("location"),
        Some(format!("/api/v1/funds/{fund}/applications/{id}").as_str())
    );
    assert_eq!(app.count("fund_application_drafts", "true").await, 0);
    assert_eq!(
        app.count(
            "fund_applications a JOIN users u ON u.id = a.applicant_id",
            &format!(
                "a.id = '{id}' AND u.kind = 'guest' AND u.email = '{email}' \
                 AND u.email_verified_at IS NOT NULL AND a.submitted_at IS NOT NULL"
            ),
        )
        .await,
        1
    );
    assert_eq!(
        app.texts(&format!(
            "SELECT kind FROM outbox_events WHERE subject_id = '{id}'"
        ))
        .await,
        ["fund_application.submitted"]
    );
    // The link works once.
    app.post(
        "/api/v1/guest-fund-applications/confirm",
        &json!({ "token": token }),
    )
    .await
    .assert_problem(422, "link-invalid");
    assert_eq!(app.count("fund_applications", "true").await, 1);

    // The keepers decide it as any other; the decision reaches her address.
    assert_eq!(
        step(
            &app,
            &s.coordinator.access_token,
            &fund,
            &id,
            "precheck",
            json!(null)
        )
        .await
        .status,
        200
    );
    assert_eq!(
        step(
            &app,
            &s.coordinator.access_token,
            &fund,
            &id,
            "decide",
            staff_grant(25_000)
        )
        .await
        .status,
        200
    );
    let decided = sink.mail_with(email, "Bewilligt").await;
    assert!(decided.text().contains("250,00"), "{}", decided.text());

    // A second one waits; her mailed link shows both in her export.
    assert_eq!(
        app.post(
            &format!("/api/v1/funds/{fund}/guest-applications"),
            &guest(application(&district, 5_000)),
        )
        .await
        .status,
        202
    );
    assert_eq!(
        app.post("/api/v1/guest/links", &json!({ "email": email }))
            .await
            .status,
        202
    );
    let link = sink
        .mail_with(email, "Ihre Anmeldungen bei Quartier")
        .await
        .token("guest");
    let export = app
        .send(
            Method::GET,
            "/api/v1/guest/export",
            &[("x-guest-token", &link)],
            None,
        )
        .await;
    assert_eq!(export.status, 200);
    let export = export.json();
    assert_eq!(export["fund_applications"][0]["id"], id.as_str());
    assert_eq!(export["fund_applications"][0]["status"], "approved");
    assert_eq!(
        export["fund_applications_waiting"][0]["application"]["requested_cents"],
        5_000
    );

    // A closed fund takes no guest's application, nor a confirmation of one.
    let waiting_token = sink
        .wait_for(email, 4)
        .await
        .iter()
        .find(|m| m.subject().starts_with("Bitte bestätigen") && m.text().contains("50,00"))
        .expect("the second confirmation")
        .token("guest-fund-applications/confirm");
    assert_eq!(
        patch(
            &app,
            &s.admin.access_token,
            &format!("/api/v1/funds/{fund}"),
            json!({"closed": true})
        )
        .await
        .status,
        200
    );
    app.post(
        "/api/v1/guest-fund-applications/confirm",
        &json!({ "token": waiting_token }),
    )
    .await
    .assert_problem(409, "fund-closed");
    app.post(
        &format!("/api/v1/funds/{fund}/guest-applications"),
        &guest(application(&district, 5_000)),
    )
    .await
    .assert_problem(409, "fund-closed");
    assert_eq!(app.count("fund_applications", "true").await, 1);
    assert_eq!(
        app.count("fund_application_drafts", "true").await,
        1,
        "the refused confirmation left it waiting"
    );
}

#[actix_web::test]
async fn fund_and_project_titles_are_served_in_the_readers_language() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let district = district_of(&app, &s).await;
    let fund = operator_fund(&app, &s, 500_000, None).await;
    let anna = app.signed_up("anna@example.org").await;
    let id = prechecked(&app, &s, &anna, &fund, &district, 40_000).await;
    assert_eq!(
        step(
            &app,
            &s.coordinator.access_token,
            &fund,
            &id,
            "decide",
            staff_grant(40_000)
        )
        .await
        .status,
        200
    );
    let english = json!({"origin": "human", "texts": {"title": "Courtyard party in block 7"}});
    let project_path = format!("/api/v1/funds/{fund}/applications/{id}/translations/en");
    // The applicant does not write the public texts; the keepers do.
    app.json(
        Method::PUT,
        &project_path,
        Some(&anna.access_token),
        &[("if-match", "*")],
        &english,
    )
    .await
    .assert_problem(403, "forbidden");
    let written = app
        .json(
            Method::PUT,
            &project_path,
            Some(&s.coordinator.access_token),
            &[("if-match", "*")],
            &english,
        )
        .await;
    assert_eq!(
        written.status,
        200,
        "{}",
        String::from_utf8_lossy(&written.body)
    );
    let fund_written = app
        .json(
            Method::PUT,
            &format!("/api/v1/funds/{fund}/translations/en"),
            Some(&s.coordinator.access_token),
            &[("if-match", "*")],
            &json!({"origin": "human", "texts": {"title": "Neighbourhood fund Nordstadt 2027"}}),
        )
        .await;
    assert_eq!(fund_written.status, 200);
    // German is no variant.
    app.json(
        Method::PUT,
        &format!("/api/v1/funds/{fund}/translations/de"),
        Some(&s.coordinator.access_token),
        &[("if-match", "*")],
        &json!({"origin": "human", "texts": {"title": "Fonds"}}),
    )
    .await
    .assert_problem(422, "validation-failed");

    let read = |path: String, language: &'static str| {
        let app = &app;
        async move {
            app.send(Method::GET, &path, &[("accept-language", language)], None)
                .await
        }
    };
    let projects = read("/api/v1/fund-projects".into(), "en").await;
    assert_eq!(projects.status, 200);
    assert_eq!(projects.header("content-language"), Some("en"));
    let project = &projects.json()["items"][0];
    assert_eq!(project["title"], "Courtyard party in block 7");
    assert_eq!(
        project["fund"]["title"],
        "Neighbourhood fund Nordstadt 2027"
    );
    assert_eq!(project["content_language"]["tag"], "en");
    let german = read("/api/v1/fund-projects".into(), "de").await.json();
    assert_eq!(german["items"][0]["title"], "Hoffest im Block 7");
    assert_eq!(
        german["items"][0]["fund"]["title"],
        "Verfügungsfonds Nordstadt 2027"
    );
    let funds = read("/api/v1/funds".into(), "en").await.json();
    assert_eq!(
        funds["items"][0]["title"],
        "Neighbourhood fund Nordstadt 2027"
    );
    let one = read(format!("/api/v1/funds/{fund}"), "en").await;
    assert_eq!(one.json()["title"], "Neighbourhood fund Nordstadt 2027");
    let etag = one.header("etag").expect("an etag");
    assert!(etag.ends_with(".en\""), "{etag}");

    // A German title changed makes its variant stale: readers get German again.
    assert_eq!(
        patch(
            &app,
            &s.admin.access_token,
            &format!("/api/v1/funds/{fund}"),
            json!({"title": "Quartiersfonds Nordstadt 2027"})
        )
        .await
        .status,
        200
    );
    let stale = read(format!("/api/v1/funds/{fund}"), "en").await.json();
    assert_eq!(stale["title"], "Quartiersfonds Nordstadt 2027");
    assert_eq!(stale["content_language"]["tag"], "de");

    // Removed, the project's title is German again.
    let removed = app
        .send(
            Method::DELETE,
            &project_path,
            &[
                (
                    "authorization",
                    &format!("Bearer {}", s.coordinator.access_token),
                ),
                ("if-match", "*"),
            ],
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    let projects = read("/api/v1/fund-projects".into(), "en").await.json();
    assert_eq!(projects["items"][0]["title"], "Hoffest im Block 7");
    assert_eq!(
        app.count("translations", "fund_application_id IS NOT NULL")
            .await,
        0
    );
}

/// A guest's application to `fund`, confirmed through the mailed link: its id.
async fn guest_application(
    app: &TestApp,
    sink: &SmtpSink,
    fund: &str,
    email: &str,
    body: Value,
) -> String {
    let before = sink.to(email).len();
    let asked = app
        .post(
            &format!("/api/v1/funds/{fund}/guest-applications"),
            &json!({"name": "Gisela Gast", "email": email, "privacy_policy_version": "2026-11",
                    "application": body}),
        )
        .await;
    assert_eq!(
        asked.status,
        202,
        "{}",
        String::from_utf8_lossy(&asked.body)
    );
    let token = sink
        .wait_for(email, before + 1)
        .await
        .pop()
        .expect("her confirmation")
        .token("guest-fund-applications/confirm");
    let confirmed = app
        .post(
            "/api/v1/guest-fund-applications/confirm",
            &json!({ "token": token }),
        )
        .await;
    assert_eq!(confirmed.status, 201);
    confirmed.json()["id"].as_str().expect("id").to_owned()
}

#[actix_web::test]
async fn a_guest_reads_and_withdraws_hers_with_her_link_and_an_account_at_her_address_takes_them_over()
 {
    let sink = SmtpSink::start();
    let app = TestApp::mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    let district = district_of(&app, &s).await;
    let fund = operator_fund(&app, &s, 500_000, None).await;
    let email = "gisela@example.org";
    let first = guest_application(&app, &sink, &fund, email, application(&district, 20_000)).await;
    let second = guest_application(&app, &sink, &fund, email, application(&district, 10_000)).await;
    let anna = app.signed_up("anna@example.org").await;
    let annas = draft(&app, &anna, &fund, &district, 5_000).await;

    assert_eq!(
        app.post("/api/v1/guest/links", &json!({ "email": email }))
            .await
            .status,
        202
    );
    let link = sink
        .mail_with(email, "Ihre Anmeldungen bei Quartier")
        .await
        .token("guest");
    let as_guest = |method: Method, path: String| {
        let app = &app;
        let link = link.clone();
        async move {
            app.send(method, &path, &[("x-guest-token", &link)], None)
                .await
        }
    };
    let listed = as_guest(Method::GET, "/api/v1/guest/fund-applications".into()).await;
    assert_eq!(listed.status, 200);
    let listed = listed.json();
    let ids: Vec<&str> = listed["applications"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| a["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, [second.as_str(), first.as_str()]);

    // Not another's; her own once.
    as_guest(
        Method::POST,
        format!("/api/v1/guest/fund-applications/{annas}/withdraw"),
    )
    .await
    .assert_problem(404, "not-found");
    let withdrawn = as_guest(
        Method::POST,
        format!("/api/v1/guest/fund-applications/{first}/withdraw"),
    )
    .await;
    assert_eq!(withdrawn.status, 200);
    assert_eq!(withdrawn.json()["status"], "withdrawn");
    as_guest(
        Method::POST,
        format!("/api/v1/guest/fund-applications/{first}/withdraw"),
    )
    .await
    .assert_problem(409, "fund-step-not-allowed");
    assert_eq!(
        app.count(
            "outbox_events",
            &format!("subject_id = '{first}' AND kind = 'fund_application.withdrawn'")
        )
        .await,
        1
    );

    // One more waits for her confirmation when she makes an account at her address.
    assert_eq!(
        app.post(
            &format!("/api/v1/funds/{fund}/guest-applications"),
            &json!({"name": "Gisela Gast", "email": email, "privacy_policy_version": "2026-11",
                    "application": application(&district, 3_000)}),
        )
        .await
        .status,
        202
    );
    let registered = app.register(email, "ein sicheres Passwort").await;
    assert_eq!(registered.status, 201);
    let account = registered.json()["id"].as_str().expect("id").to_owned();
    let verify = sink
        .mail_with(email, "Bitte bestätigen Sie Ihre E-Mail-Adresse")
        .await
        .token("verify-email");
    assert_eq!(
        app.post("/api/v1/auth/verify-email", &json!({ "token": verify }))
            .await
            .status,
        204
    );
    assert_eq!(
        app.count("fund_applications", &format!("applicant_id = '{account}'"))
            .await,
        2
    );
    assert_eq!(
        app.count("fund_application_drafts", &format!("user_id = '{account}'"))
            .await,
        1
    );
    assert_eq!(app.count("users", "kind = 'guest'").await, 0);
}

#[actix_web::test]
async fn retention_keeps_a_guest_while_her_application_is_open_and_for_a_while_after() {
    use diesel_async::RunQueryDsl;
    let sink = SmtpSink::start();
    let app = TestApp::mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    let district = district_of(&app, &s).await;
    let fund = operator_fund(&app, &s, 500_000, None).await;
    let id = guest_application(
        &app,
        &sink,
        &fund,
        "alt@example.org",
        application(&district, 20_000),
    )
    .await;
    let run = |sql: String| {
        let app = &app;
        async move {
            diesel::sql_query(sql)
                .execute(&mut app.conn().await)
                .await
                .expect("statement");
        }
    };
    run("UPDATE users SET created_at = now() - interval '200 days' WHERE kind = 'guest'".into())
        .await;
    let settings = quartier_api::config::RetentionSettings {
        guest_days: 90,
        ..app.settings.retention
    };
    let sweep = || quartier_api::retention::sweep(&app.pool, &settings, chrono::Utc::now());
    // Handed in, undecided (long ago): kept.
    run(format!(
        "UPDATE fund_applications SET submitted_at = now() - interval '150 days' WHERE id = '{id}'"
    ))
    .await;
    assert_eq!(sweep().await.expect("sweep").guests_erased, 0);
    // Declined a month ago: kept still.
    run(format!(
        "UPDATE fund_applications SET status = 'declined', decline_reason = 'Zu spät.', \
         decided_by = 'staff', decided_at = now() - interval '30 days' WHERE id = '{id}'"
    ))
    .await;
    assert_eq!(sweep().await.expect("sweep").guests_erased, 0);
    // Declined long ago: erased; the application stays, naming no one.
    run(format!(
        "UPDATE fund_applications SET decided_at = now() - interval '100 days' WHERE id = '{id}'"
    ))
    .await;
    assert_eq!(sweep().await.expect("sweep").guests_erased, 1);
    assert_eq!(
        app.count(
            "fund_applications",
            &format!("id = '{id}' AND applicant_id IS NULL AND title <> ''")
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn a_partners_speaker_rewrites_a_draft_but_never_moves_it_to_another_partner() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let district = district_of(&app, &s).await;
    let fund = operator_fund(&app, &s, 500_000, None).await;
    let admin = &s.admin.access_token;
    let verein = id_of(
        &post(
            &app,
            admin,
            "/api/v1/partners",
            json!({"name": "Nachbarschaftsverein", "kind": "association"}),
        )
        .await,
    );
    let kirche = id_of(
        &post(
            &app,
            admin,
            "/api/v1/partners",
            json!({"name": "Kirchengemeinde", "kind": "religious_community"}),
        )
        .await,
    );
    let anna = app.signed_up("anna@verein.example").await;
    let hilde = app.signed_up("hilde@verein.example").await;
    for (partner, email, role) in [
        (&verein, "anna@verein.example", "partner_staff"),
        (&verein, "hilde@verein.example", "partner_admin"),
        (&kirche, "hilde@verein.example", "partner_admin"),
    ] {
        let added = post(
            &app,
            admin,
            &format!("/api/v1/partners/{partner}/members"),
            json!({"email": email, "role": role}),
        )
        .await;
        assert_eq!(
            added.status,
            200,
            "{}",
            String::from_utf8_lossy(&added.body)
        );
    }
    let mut body = application(&district, 20_000);
    body["applicant_partner_id"] = json!(verein);
    let made = post(
        &app,
        &anna.access_token,
        &format!("/api/v1/funds/{fund}/applications"),
        body.clone(),
    )
    .await;
    let id = id_of(&made);
    let path = format!("/api/v1/funds/{fund}/applications/{id}");
    let put = |token: String, body: Value| {
        let app = &app;
        let path = path.clone();
        async move {
            app.json(
                Method::PUT,
                &path,
                Some(&token),
                &[("if-match", "*")],
                &body,
            )
            .await
        }
    };

    // Hilde speaks for the Verein: she rewrites the draft with it, and it stays Anna's.
    let mut rewritten = body.clone();
    rewritten["title"] = json!("Repair-Café, jeden ersten Samstag");
    let done = put(hilde.access_token.clone(), rewritten.clone()).await;
    assert_eq!(done.status, 200, "{}", String::from_utf8_lossy(&done.body));
    assert_eq!(done.json()["applicant_id"], anna.id.as_str());
    // She does not move it to the Kirchengemeinde, nor take the partner away.
    let mut moved = rewritten.clone();
    moved["applicant_partner_id"] = json!(kirche);
    put(hilde.access_token.clone(), moved)
        .await
        .assert_problem(403, "forbidden");
    let mut alone = rewritten.clone();
    alone["applicant_partner_id"] = Value::Null;
    put(hilde.access_token.clone(), alone.clone())
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(
        app.count(
            "fund_applications",
            &format!("id = '{id}' AND applicant_partner_id = '{verein}'")
        )
        .await,
        1
    );
    // Anna may apply alone after all.
    assert_eq!(put(anna.access_token.clone(), alone).await.status, 200);

    // Partners that do not exist are refused at once, for a guest too.
    let mut unknown = application(&district, 20_000);
    unknown["partner_ids"] = json!([uuid::Uuid::now_v7()]);
    let refused = app
        .post(
            &format!("/api/v1/funds/{fund}/guest-applications"),
            &json!({"name": "Gast", "email": "gast@example.org", "privacy_policy_version": "2026-11",
                    "application": unknown}),
        )
        .await;
    refused.assert_problem(422, "validation-failed");
    assert_eq!(refused.problem_fields(), ["application.partner_ids"]);
    assert_eq!(app.count("fund_application_drafts", "true").await, 0);
}
