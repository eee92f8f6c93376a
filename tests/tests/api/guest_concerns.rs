//! Concerns raised without an account: name, address and the concern; the concern exists only
//! once its author confirms it with the mailed link (through a real SMTP server), and the
//! answers reach her there.

use actix_web::http::Method;
use quartier_tests::{SmtpSink, TestApp, TestResponse, post, setup};
use serde_json::{Value, json};

use crate::concerns::{category, district, status};

async fn raise(app: &TestApp, body: Value) -> TestResponse {
    app.post("/api/v1/guest-concerns", &body).await
}

async fn confirm(app: &TestApp, token: &str) -> TestResponse {
    app.post("/api/v1/guest-concerns/confirm", &json!({ "token": token }))
        .await
}

/// A guest's concern in `category` of `district`, by Anna at `email`.
fn concern(category: &str, district: &str, email: &str) -> Value {
    json!({
        "name": "Anna Gast", "email": email, "privacy_policy_version": "2026-11",
        "category_id": category, "district_id": district,
        "title": "Sitzbank am Spielplatz fehlt", "text": "Die Bank wurde abgebaut.",
        "show_author": true,
    })
}

#[actix_web::test]
async fn a_guest_raises_a_concern_confirms_it_from_the_mail_and_hears_of_answers() {
    let sink = SmtpSink::start();
    let app = TestApp::mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    let open = category(&app, &s, "Spielplätze", false).await;
    let district = district(&app).await;
    let email = "anna.gast@example.org";

    // She names the language she writes in; one not enabled is refused at once.
    let mut first = concern(&open, &district, email);
    first["source_language"] = json!("xx");
    assert_eq!(
        status(&raise(&app, first.clone()).await, 422)["errors"][0]["field"],
        "source_language"
    );
    first["source_language"] = json!("uk");
    assert_eq!(raise(&app, first).await.status, 202);
    // Nothing is raised before she confirms.
    assert_eq!(app.count("concerns", "true").await, 0);
    assert_eq!(app.count("concern_drafts", "true").await, 1);
    let mail = sink.wait_for(email, 1).await.remove(0);
    assert!(
        mail.subject().contains("Sitzbank am Spielplatz fehlt"),
        "{}",
        mail.subject()
    );
    assert!(mail.text().contains("Hallo Anna Gast"));
    let token = mail.token("guest-concerns/confirm");

    let confirmed = confirm(&app, &token).await;
    let body = status(&confirmed, 201);
    assert_eq!(body["status"], "published");
    assert_eq!(body["author_name"], "Anna Gast");
    assert_eq!(body["channel"], "web");
    assert_eq!(body["source_language"], "uk");
    let id = body["id"].as_str().expect("id").to_owned();
    assert_eq!(
        confirmed.header("location"),
        Some(format!("/api/v1/concerns/{id}").as_str())
    );
    assert_eq!(app.count("concern_drafts", "true").await, 0);
    assert_eq!(
        app.count(
            "concerns k JOIN users u ON u.id = k.author_id",
            &format!(
                "k.id = '{id}' AND u.kind = 'guest' AND u.email = '{email}' \
                 AND u.email_verified_at IS NOT NULL"
            ),
        )
        .await,
        1
    );
    // The link works once.
    let again = confirm(&app, &token).await;
    assert_eq!(status(&again, 422)["type"], "/problems/link-invalid");
    assert_eq!(app.count("concerns", "true").await, 1);

    // Those who answer it answer her, by mail.
    status(
        &post(
            &app,
            &s.coordinator.access_token,
            &format!("/api/v1/concerns/{id}/answers"),
            json!({"text": "Die Bank kommt im Mai.", "visibility": "public"}),
        )
        .await,
        201,
    );
    let mails = sink.wait_for(email, 2).await;
    let answered = mails
        .iter()
        .find(|m| m.subject().starts_with("Antwort auf das Anliegen"))
        .expect("the answer's mail");
    assert!(answered.text().contains("Die Bank kommt im Mai."));

    // Those who answer it reach her, as they reach an account (audited).
    let contact = status(
        &app.get(
            &format!("/api/v1/concerns/{id}/author-contact"),
            Some(&s.coordinator.access_token),
        )
        .await,
        200,
    );
    assert_eq!(contact["email"], email);
    assert_eq!(contact["display_name"], "Anna Gast");

    // A second one, not yet confirmed.
    let mut second = concern(&open, &district, email);
    second["title"] = json!("Laterne kaputt");
    assert_eq!(raise(&app, second).await.status, 202);
    sink.wait_for(email, 3).await;

    // Her mailed link shows what she raised, and what waits, in her export.
    let asked = app
        .post("/api/v1/guest/links", &json!({ "email": email }))
        .await;
    assert_eq!(asked.status, 202);
    let mails = sink.wait_for(email, 4).await;
    let link = mails
        .iter()
        .find(|m| m.text().contains("/guest?token="))
        .expect("the link mail")
        .token("guest");
    let export = app
        .send(
            Method::GET,
            "/api/v1/guest/export",
            &[("x-guest-token", &link)],
            None,
        )
        .await;
    let export = status(&export, 200);
    assert_eq!(
        export["concerns"][0]["title"],
        "Sitzbank am Spielplatz fehlt"
    );
    assert_eq!(export["concerns_waiting"][0]["title"], "Laterne kaputt");
}

#[actix_web::test]
async fn retention_keeps_a_guest_while_her_concern_is_open_and_for_a_while_after() {
    use diesel_async::RunQueryDsl;
    let sink = SmtpSink::start();
    let app = TestApp::mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    let open = category(&app, &s, "Spielplätze", false).await;
    let district = district(&app).await;
    let email = "alt@example.org";
    assert_eq!(
        raise(&app, concern(&open, &district, email)).await.status,
        202
    );
    let token = sink.wait_for(email, 1).await[0].token("guest-concerns/confirm");
    let id = status(&confirm(&app, &token).await, 201)["id"]
        .as_str()
        .expect("id")
        .to_owned();
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
    // Open: kept.
    assert_eq!(sweep().await.expect("sweep").guests_erased, 0);
    // Closed a month ago: kept still.
    run(format!(
        "UPDATE concerns SET status = 'done', updated_at = now() - interval '30 days' WHERE id = '{id}'"
    ))
    .await;
    assert_eq!(sweep().await.expect("sweep").guests_erased, 0);
    // Closed long ago: erased; the concern stays, naming no one.
    run(format!(
        "UPDATE concerns SET updated_at = now() - interval '100 days' WHERE id = '{id}'"
    ))
    .await;
    assert_eq!(sweep().await.expect("sweep").guests_erased, 1);
    assert_eq!(
        app.count("concerns", &format!("id = '{id}' AND author_id IS NULL"))
            .await,
        1
    );
}

#[actix_web::test]
async fn bad_guest_concerns_change_nothing_and_old_links_raise_nothing() {
    let sink = SmtpSink::start();
    let app = TestApp::mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    let moderated = category(&app, &s, "Verkehr", true).await;
    let district = district(&app).await;
    let email = "gast@example.org";
    let unknown = "00000000-0000-7000-8000-00000000dead";
    for (field, value) in [
        ("category_id", json!(unknown)),
        ("district_id", json!(unknown)),
        ("centre_id", json!(unknown)),
        ("privacy_policy_version", json!("1999-01")),
        ("title", json!("  ")),
        ("email", json!("keine-adresse")),
        ("name", json!("")),
        ("point", json!({"latitude": 91.0, "longitude": 7.0})),
    ] {
        let mut body = concern(&moderated, &district, email);
        body[field] = value;
        let refused = raise(&app, body).await;
        let problem = status(&refused, 422);
        assert_eq!(problem["type"], "/problems/validation-failed", "{field}");
    }
    let unknown_field = raise(&app, {
        let mut body = concern(&moderated, &district, email);
        body["author_id"] = json!(unknown);
        body
    })
    .await;
    assert_eq!(unknown_field.status, 422);
    assert_eq!(app.count("concern_drafts", "true").await, 0);
    assert_eq!(app.count("users", "kind = 'guest'").await, 0);
    let nonsense = confirm(&app, "nicht-gemailt").await;
    assert_eq!(nonsense.status, 422);

    // A link that waited too long raises nothing.
    assert_eq!(
        raise(&app, concern(&moderated, &district, email))
            .await
            .status,
        202
    );
    let token = sink.wait_for(email, 1).await[0].token("guest-concerns/confirm");
    {
        use diesel_async::RunQueryDsl;
        diesel::sql_query(
            "UPDATE concern_drafts SET created_at = now() - interval '2 days', \
             expires_at = now() - interval '1 day'",
        )
        .execute(&mut app.conn().await)
        .await
        .expect("expire the draft");
    }
    assert_eq!(
        status(&confirm(&app, &token).await, 422)["type"],
        "/problems/link-invalid"
    );
    assert_eq!(app.count("concerns", "true").await, 0);
    // Retention drops it.
    let swept =
        quartier_api::retention::sweep(&app.pool, &app.settings.retention, chrono::Utc::now())
            .await
            .expect("sweep");
    assert_eq!(swept.concern_drafts_removed, 1);
    assert_eq!(app.count("concern_drafts", "true").await, 0);

    // A category that needs moderation waits for staff, also for a guest's concern.
    assert_eq!(
        raise(&app, concern(&moderated, &district, email))
            .await
            .status,
        202
    );
    let token = sink.wait_for(email, 2).await[1].token("guest-concerns/confirm");
    let waiting = status(&confirm(&app, &token).await, 201);
    assert_eq!(waiting["status"], "submitted");
    assert_eq!(
        status(&app.get("/api/v1/concerns", None).await, 200)["items"],
        json!([])
    );
}

#[actix_web::test]
async fn an_account_whose_address_it_is_gets_the_concern() {
    let sink = SmtpSink::start();
    let app = TestApp::mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    let open = category(&app, &s, "Spielplätze", false).await;
    let district = district(&app).await;
    let account = app.signed_up("vera@example.org").await;
    assert_eq!(
        raise(&app, concern(&open, &district, "vera@example.org"))
            .await
            .status,
        202
    );
    // After the mail that verified her address, the confirmation: greeting the account by
    // its own name, not by the one whoever asked typed.
    let mails = sink.wait_for("vera@example.org", 2).await;
    let mail = mails
        .iter()
        .find(|m| m.text().contains("/guest-concerns/confirm?token="))
        .expect("the confirmation");
    assert!(!mail.text().contains("Anna Gast"), "{}", mail.text());
    let token = mail.token("guest-concerns/confirm");
    let id = status(&confirm(&app, &token).await, 201)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(app.count("users", "kind = 'guest'").await, 0);
    let mine = status(
        &app.get("/api/v1/me/concerns", Some(&account.access_token))
            .await,
        200,
    );
    assert_eq!(mine["items"][0]["id"], id.as_str());
    assert_eq!(mine["items"][0]["mine"], true);
}
