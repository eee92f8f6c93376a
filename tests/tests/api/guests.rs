//! Helping without an account: a guest signs up with name and address, confirms from the
//! mail (through a real SMTP server), and reaches her own sign-ups with a mailed link. Held
//! places count against the capacity; expired holds pass their place on; walk-ins are signed
//! up by staff; a guest who registers later keeps her history; retention erases idle guests.

use actix_web::http::Method;
use chrono::{Duration, Utc};
use quartier_tests::{
    SmtpSink, TestApp, TestResponse, created_id, patch, post, setup, shift, sign_up,
};
use serde_json::{Value, json};

/// The application mailing to `sink`, releasing expired holds every second, with `extra`
/// settings.
async fn app_mailing_to(sink: &SmtpSink, extra: &[(&str, &str)]) -> TestApp {
    let mut settings = vec![("QUARTIER_GUEST_HOLD_SWEEP_SECS", "1")];
    settings.extend_from_slice(extra);
    TestApp::mailing_to(sink, &settings).await
}

async fn guest_signup(app: &TestApp, shift: &str, name: &str, email: &str) -> TestResponse {
    app.post(
        &format!("/api/v1/shifts/{shift}/guest-signups"),
        &json!({"name": name, "email": email, "privacy_policy_version": "2026-11"}),
    )
    .await
}

/// Opens the centre of the set-up to guests.
async fn welcome_guests(app: &TestApp, token: &str, centre: &str) {
    let opened = patch(
        app,
        token,
        &format!("/api/v1/centres/{centre}"),
        json!({"guest_signups": true}),
    )
    .await;
    assert_eq!(
        opened.status,
        200,
        "{}",
        String::from_utf8_lossy(&opened.body)
    );
    assert_eq!(opened.json()["guest_signups"], true);
}

async fn shift_json(app: &TestApp, shift: &str) -> Value {
    app.get(&format!("/api/v1/shifts/{shift}"), None)
        .await
        .json()
}

/// Waits until `condition` on the database holds (counting rows of `table`).
async fn eventually(app: &TestApp, table: &str, condition: &str, expected: i64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let count = app.count(table, condition).await;
        if count == expected {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{table} where {condition}: {count}, expected {expected}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Runs a statement that returns nothing.
async fn execute(app: &TestApp, sql: &str) {
    use diesel_async::RunQueryDsl;
    diesel::sql_query(sql)
        .execute(&mut app.conn().await)
        .await
        .expect("statement");
}

/// The token of the newest link to `path` mailed to `address`, once there is one.
async fn link_token(sink: &SmtpSink, address: &str, path: &str) -> String {
    let marker = format!("/{path}?token=");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let mails = sink.to(address);
        if let Some(mail) = mails.iter().rev().find(|m| m.text().contains(&marker)) {
            return mail.token(path);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no {path} link to {address}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The token of the newest confirmation link mailed to `address`.
async fn hold_token(sink: &SmtpSink, address: &str) -> String {
    link_token(sink, address, "guest-signups/confirm").await
}

async fn confirm(app: &TestApp, token: &str) -> TestResponse {
    app.post("/api/v1/guest-signups/confirm", &json!({ "token": token }))
        .await
}

#[actix_web::test]
async fn a_guest_signs_up_confirms_from_the_mail_and_gets_the_confirmation() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    let shift_id = shift(&app, &s, "Suppe ausgeben", 72, 2, json!({})).await;

    // Closed to guests until the centre (or the shift) opens it.
    guest_signup(&app, &shift_id, "Anna", "anna@example.org")
        .await
        .assert_problem(409, "guests-not-welcome");
    assert!(
        !shift_json(&app, &shift_id).await["guests_welcome"]
            .as_bool()
            .expect("bool")
    );
    welcome_guests(&app, &s.admin.access_token, &s.centre).await;
    assert_eq!(shift_json(&app, &shift_id).await["guests_welcome"], true);

    let answer = guest_signup(&app, &shift_id, "Anna", "anna@example.org").await;
    assert_eq!(answer.status, 202);
    // A place is held: counted against the capacity before she confirms.
    let held = shift_json(&app, &shift_id).await;
    assert_eq!(held["free_places"], 1);
    assert_eq!(held["confirmed"], 0);

    let mails = sink.wait_for("anna@example.org", 1).await;
    let mail = &mails[0];
    assert!(
        mail.subject()
            .starts_with("Bitte bestätigen: Suppe ausgeben"),
        "{}",
        mail.subject()
    );
    assert_eq!(mail.header("Auto-Submitted"), Some("auto-generated"));
    assert!(mail.text().contains("30 Minuten"), "{}", mail.text());
    assert!(mail.html().contains("Anmeldung bestätigen"));
    let token = mail.token("guest-signups/confirm");

    // The same request again mails nothing new and answers alike.
    assert_eq!(
        guest_signup(&app, &shift_id, "Anna", "anna@example.org")
            .await
            .status,
        202
    );
    let confirmed = confirm(&app, &token).await;
    assert_eq!(
        confirmed.status,
        201,
        "{}",
        String::from_utf8_lossy(&confirmed.body)
    );
    assert_eq!(confirmed.json()["status"], "confirmed");
    let after = shift_json(&app, &shift_id).await;
    assert_eq!(after["confirmed"], 1);
    assert_eq!(after["free_places"], 1);
    assert_eq!(app.count("guest_holds", "true").await, 0);
    // Used once.
    confirm(&app, &token)
        .await
        .assert_problem(422, "link-invalid");

    // The sign-up's own confirmation follows, with the calendar invitation.
    let mails = sink.wait_for("anna@example.org", 2).await;
    assert_eq!(mails.len(), 2, "one confirmation request, one confirmation");
    assert!(
        mails[1].subject().contains("Suppe ausgeben"),
        "{}",
        mails[1].subject()
    );
    assert_eq!(
        app.count(
            "users",
            "kind = 'guest' AND email = 'anna@example.org' AND email_verified_at IS NOT NULL"
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn the_answer_is_the_same_for_a_known_and_an_unknown_address() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    welcome_guests(&app, &s.admin.access_token, &s.centre).await;
    let shift_id = shift(&app, &s, "Kaffee", 48, 5, json!({})).await;
    // A verified account's address: the sign-up becomes the account's once confirmed.
    let member = app.signed_up("mia@example.org").await;
    let known = guest_signup(&app, &shift_id, "Wer auch immer", "mia@example.org").await;
    let unknown = guest_signup(&app, &shift_id, "Neu", "neu@example.org").await;
    assert_eq!((known.status, unknown.status), (202, 202));
    assert_eq!(known.body, unknown.body);
    let confirmed = confirm(&app, &hold_token(&sink, "mia@example.org").await).await;
    assert_eq!(confirmed.json()["user_id"], member.id.as_str());
    // Her name was not changed by whoever used her address.
    assert_eq!(
        app.count("users", "display_name = 'Wer auch immer'").await,
        0
    );
    assert_eq!(app.count("users", "kind = 'guest'").await, 1);
}

#[actix_web::test]
async fn guests_are_refused_for_qualified_shifts_and_bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    welcome_guests(&app, &s.admin.access_token, &s.centre).await;
    let qualified = shift(
        &app,
        &s,
        "Kinderbetreuung",
        48,
        3,
        json!({"required_qualifications": ["00000000-0000-7000-8000-000000000001"]}),
    )
    .await;
    guest_signup(&app, &qualified, "Anna", "anna@example.org")
        .await
        .assert_problem(409, "account-needed");
    let open = shift(&app, &s, "Aufbau", 48, 3, json!({})).await;
    let wrong_policy = app
        .post(
            &format!("/api/v1/shifts/{open}/guest-signups"),
            &json!({"name": "Anna", "email": "anna@example.org", "privacy_policy_version": "1999-01"}),
        )
        .await;
    assert_eq!(
        wrong_policy.assert_problem(422, "validation-failed")["errors"][0]["field"],
        "privacy_policy_version"
    );
    let bad = app
        .post(
            &format!("/api/v1/shifts/{open}/guest-signups"),
            &json!({"name": " ", "email": "nope", "privacy_policy_version": "2026-11"}),
        )
        .await;
    let problem = bad.assert_problem(422, "validation-failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["name", "email"]);
    guest_signup(
        &app,
        "00000000-0000-7000-8000-00000000abcd",
        "Anna",
        "anna@example.org",
    )
    .await
    .assert_problem(404, "not-found");
    // A shift may close itself although its centre takes guests.
    patch(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/shifts/{open}"),
        json!({"guest_signups": false}),
    )
    .await;
    guest_signup(&app, &open, "Anna", "anna@example.org")
        .await
        .assert_problem(409, "guests-not-welcome");
    assert_eq!(app.count("users", "kind = 'guest'").await, 0);
    assert_eq!(app.count("guest_holds", "true").await, 0);
    confirm(&app, "not-a-token")
        .await
        .assert_problem(422, "link-invalid");
}

#[actix_web::test]
async fn an_expired_hold_frees_its_place_and_promotes_the_first_in_line() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    welcome_guests(&app, &s.admin.access_token, &s.centre).await;
    let shift_id = shift(&app, &s, "Letzter Platz", 48, 1, json!({})).await;
    assert_eq!(
        guest_signup(&app, &shift_id, "Gast", "gast@example.org")
            .await
            .status,
        202
    );
    // The held place is not free: the next volunteer waits.
    let volunteer = app.signed_up("vera@example.org").await;
    let waiting = sign_up(&app, &volunteer.access_token, &shift_id).await;
    assert_eq!(waiting.json()["status"], "waitlisted");
    let token = sink.wait_for("gast@example.org", 1).await[0].token("guest-signups/confirm");

    // Half an hour passes without a confirmation.
    execute(
        &app,
        "UPDATE guest_holds SET created_at = now() - interval '31 minutes', \
         expires_at = now() - interval '1 minute'",
    )
    .await;
    eventually(&app, "signups", "status = 'confirmed'", 1).await;
    assert_eq!(app.count("guest_holds", "true").await, 0);
    let after = shift_json(&app, &shift_id).await;
    assert_eq!(
        (after["confirmed"].as_i64(), after["free_places"].as_i64()),
        (Some(1), Some(0))
    );
    assert_eq!(
        app.count(
            "outbox_events",
            "kind = 'signup.promoted' AND payload::jsonb->>'reason' = 'place_freed'"
        )
        .await,
        1
    );
    // Too late now.
    confirm(&app, &token)
        .await
        .assert_problem(422, "link-invalid");
}

#[actix_web::test]
async fn a_guest_on_two_overlapping_shifts_is_refused_by_the_constraint() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    welcome_guests(&app, &s.admin.access_token, &s.centre).await;
    let first = shift(&app, &s, "Früh", 48, 2, json!({})).await;
    let second = shift(&app, &s, "Gleichzeitig", 49, 2, json!({})).await;
    for shift_id in [&first, &second] {
        assert_eq!(
            guest_signup(&app, shift_id, "Gast", "gast@example.org")
                .await
                .status,
            202
        );
    }
    let mails = sink.wait_for("gast@example.org", 2).await;
    let token_for = |title: &str| {
        mails
            .iter()
            .find(|m| m.subject().contains(title))
            .expect("a mail for the shift")
            .token("guest-signups/confirm")
    };
    assert_eq!(confirm(&app, &token_for("Früh")).await.status, 201);
    confirm(&app, &token_for("Gleichzeitig"))
        .await
        .assert_problem(409, "overlapping-shift");
    // The refused hold gave its place back.
    let second_now = shift_json(&app, &second).await;
    assert_eq!(second_now["free_places"], 2);
    assert_eq!(app.count("guest_holds", "true").await, 0);
    assert_eq!(app.count("signups", "status = 'confirmed'").await, 1);
}

#[actix_web::test]
async fn racing_guests_hold_no_more_places_than_there_are() {
    let app = TestApp::spawn_with(&[
        ("QUARTIER_RATE_LIMIT_AUTH_PER_MINUTE", "1000"),
        ("QUARTIER_RATE_LIMIT_ANONYMOUS_PER_MINUTE", "10000"),
    ])
    .await;
    let s = setup(&app).await;
    welcome_guests(&app, &s.admin.access_token, &s.centre).await;
    let shift_id = shift(&app, &s, "Begehrt", 48, 5, json!({})).await;
    let requests = (0..30).map(|i| {
        let app = &app;
        let shift_id = &shift_id;
        async move { guest_signup(app, shift_id, "Gast", &format!("gast{i}@example.org")).await }
    });
    let answers = futures_util::future::join_all(requests).await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert!(statuses.iter().all(|s| *s == 202), "{statuses:?}");
    assert_eq!(app.count("guest_holds", "true").await, 30);
    assert_eq!(app.count("guest_holds", "holds_place").await, 5);
    assert_eq!(
        app.count("shifts", "held_count = 5 AND confirmed_count = 0")
            .await,
        1
    );
    // Lowering the capacity takes held places first; cancelling the shift drops them all.
    let lowered = patch(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/shifts/{shift_id}"),
        json!({"capacity": 3}),
    )
    .await;
    assert_eq!(
        lowered.status,
        200,
        "{}",
        String::from_utf8_lossy(&lowered.body)
    );
    assert_eq!(app.count("guest_holds", "holds_place").await, 3);
    assert_eq!(app.count("shifts", "held_count = 3").await, 1);
    let cancelled = patch(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/shifts/{shift_id}"),
        json!({"status": "cancelled"}),
    )
    .await;
    assert_eq!(cancelled.status, 200);
    assert_eq!(app.count("guest_holds", "true").await, 0);
    assert_eq!(app.count("shifts", "held_count = 0").await, 1);
}

#[actix_web::test]
async fn a_mailed_link_lists_cancels_exports_and_erases_a_guests_own_signups() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    welcome_guests(&app, &s.admin.access_token, &s.centre).await;
    let shift_id = shift(&app, &s, "Flohmarkt", 72, 1, json!({})).await;
    assert_eq!(
        guest_signup(&app, &shift_id, "Gast", "gast@example.org")
            .await
            .status,
        202
    );
    let token = sink.wait_for("gast@example.org", 1).await[0].token("guest-signups/confirm");
    let signup = created_id(&confirm(&app, &token).await);
    let volunteer = app.signed_up("vera@example.org").await;
    let waiting = sign_up(&app, &volunteer.access_token, &shift_id)
        .await
        .json();
    assert_eq!(waiting["status"], "waitlisted");
    let theirs_id = waiting["id"].as_str().expect("id").to_owned();

    // Nothing for an address no guest has, and the same answer.
    for email in [
        "gast@example.org",
        "niemand@example.org",
        "vera@example.org",
    ] {
        let asked = app
            .post("/api/v1/guest/links", &json!({ "email": email }))
            .await;
        assert_eq!(asked.status, 202);
    }
    let mails = sink.wait_for("gast@example.org", 3).await;
    let link = mails
        .iter()
        .find(|m| m.subject() == "Ihre Anmeldungen bei Quartier")
        .expect("the link mail")
        .token("guest");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(sink.to("niemand@example.org").is_empty());
    assert!(
        sink.to("vera@example.org")
            .iter()
            .all(|m| !m.subject().contains("Anmeldungen bei")),
        "an account gets no guest link"
    );

    let with = |path: &str| {
        let app = &app;
        let link = link.clone();
        let path = path.to_owned();
        async move {
            app.send(Method::GET, &path, &[("x-guest-token", &link)], None)
                .await
        }
    };
    let own = with("/api/v1/guest/signups").await;
    assert_eq!(own.status, 200, "{}", String::from_utf8_lossy(&own.body));
    let own = own.json();
    assert_eq!(own["guest"]["name"], "Gast");
    assert_eq!(own["coming"][0]["id"], signup.as_str());
    assert_eq!(own["coming"][0]["shift_title"], "Flohmarkt");
    // Without the token, or with a made-up one: 401.
    app.get("/api/v1/guest/signups", None)
        .await
        .assert_problem(401, "unauthenticated");
    app.send(
        Method::GET,
        "/api/v1/guest/signups",
        &[("x-guest-token", "made-up")],
        None,
    )
    .await
    .assert_problem(401, "unauthenticated");
    // Not someone else's sign-up.
    let theirs = app
        .send(
            Method::POST,
            &format!("/api/v1/guest/signups/{theirs_id}/cancel"),
            &[("x-guest-token", &link)],
            None,
        )
        .await;
    theirs.assert_problem(404, "not-found");

    let cancelled = app
        .send(
            Method::POST,
            &format!("/api/v1/guest/signups/{signup}/cancel"),
            &[("x-guest-token", &link)],
            None,
        )
        .await;
    assert_eq!(
        cancelled.status,
        200,
        "{}",
        String::from_utf8_lossy(&cancelled.body)
    );
    assert_eq!(cancelled.json()["status"], "cancelled");
    assert!(
        cancelled.json()["promoted_signup_id"].is_string(),
        "the waiting volunteer moved up"
    );

    let export = with("/api/v1/guest/export").await;
    assert_eq!(export.status, 200);
    let export = export.json();
    assert_eq!(export["guest"]["email"], "gast@example.org");
    assert!(
        export["notifications"]
            .as_array()
            .expect("notifications")
            .len()
            >= 2
    );

    let erased = app
        .send(
            Method::DELETE,
            "/api/v1/guest",
            &[("x-guest-token", &link)],
            None,
        )
        .await;
    assert_eq!(
        erased.status,
        200,
        "{}",
        String::from_utf8_lossy(&erased.body)
    );
    assert_eq!(app.count("users", "kind = 'guest'").await, 0);
    // Counts stay: the cancelled sign-up remains, naming no one.
    assert_eq!(
        app.count("signups", &format!("id = '{signup}' AND user_id IS NULL"))
            .await,
        1
    );
    with("/api/v1/guest/signups")
        .await
        .assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn a_guest_who_registers_later_keeps_her_history() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    welcome_guests(&app, &s.admin.access_token, &s.centre).await;
    let shift_id = shift(&app, &s, "Sommerfest", 96, 4, json!({})).await;
    assert_eq!(
        guest_signup(&app, &shift_id, "Gast", "Gast@Example.org")
            .await
            .status,
        202
    );
    let token = sink.wait_for("Gast@Example.org", 1).await[0].token("guest-signups/confirm");
    let signup = created_id(&confirm(&app, &token).await);
    // And a concern she raised as a guest.
    let category = crate::concerns::category(&app, &s, "Feste", false).await;
    let raised = app
        .post(
            "/api/v1/guest-concerns",
            &json!({"name": "Gast", "email": "Gast@Example.org", "privacy_policy_version": "2026-11",
                    "category_id": category, "district_id": crate::concerns::district(&app).await,
                    "title": "Mehr Bänke beim Sommerfest", "text": "Es gab zu wenige."}),
        )
        .await;
    assert_eq!(raised.status, 202);
    let token = link_token(&sink, "Gast@Example.org", "guest-concerns/confirm").await;
    let concern = created_id(
        &app.post("/api/v1/guest-concerns/confirm", &json!({ "token": token }))
            .await,
    );

    // Registering with the same address (in another case) is allowed and moves nothing yet.
    let registered = app
        .register("gast@example.org", "ein sicheres Passwort")
        .await;
    assert_eq!(
        registered.status,
        201,
        "{}",
        String::from_utf8_lossy(&registered.body)
    );
    let account = registered.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(
        app.count("signups", &format!("user_id = '{account}'"))
            .await,
        0
    );
    // Verifying the address does.
    let verify = link_token(&sink, "gast@example.org", "verify-email").await;
    let verified = app
        .post("/api/v1/auth/verify-email", &json!({ "token": verify }))
        .await;
    assert_eq!(
        verified.status,
        204,
        "{}",
        String::from_utf8_lossy(&verified.body)
    );
    assert_eq!(app.count("users", "kind = 'guest'").await, 0);
    let login = app
        .login("gast@example.org", "ein sicheres Passwort")
        .await
        .json();
    let access = login["access_token"].as_str().expect("token");
    let mine = app.get("/api/v1/me/signups", Some(access)).await.json();
    assert_eq!(mine["items"][0]["id"], signup.as_str());
    let concerns = app.get("/api/v1/me/concerns", Some(access)).await.json();
    assert_eq!(concerns["items"][0]["id"], concern.as_str());
}

#[actix_web::test]
async fn staff_sign_up_a_walk_in_by_name_only() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    // Walk-ins need no guest form: the centre has not opened one.
    let shift_id = shift(&app, &s, "Tafel", 1, 1, json!({})).await;
    let path = format!("/api/v1/shifts/{shift_id}/walk-ins");
    let volunteer = app.signed_up("vera@example.org").await;
    post(
        &app,
        &volunteer.access_token,
        &path,
        json!({"name": "Herr Yılmaz"}),
    )
    .await
    .assert_problem(403, "forbidden");
    post(
        &app,
        &s.other_coordinator.access_token,
        &path,
        json!({"name": "Herr Yılmaz"}),
    )
    .await
    .assert_problem(403, "forbidden");
    let walked_in = post(
        &app,
        &s.coordinator.access_token,
        &path,
        json!({"name": "Herr Yılmaz"}),
    )
    .await;
    assert_eq!(
        walked_in.status,
        201,
        "{}",
        String::from_utf8_lossy(&walked_in.body)
    );
    assert_eq!(walked_in.json()["status"], "confirmed");
    assert_eq!(
        app.count(
            "users",
            "kind = 'guest' AND email IS NULL AND display_name = 'Herr Yılmaz'"
        )
        .await,
        1
    );
    // Full now: a walk-in does not wait, and nothing is left behind.
    post(
        &app,
        &s.coordinator.access_token,
        &path,
        json!({"name": "Frau Novak"}),
    )
    .await
    .assert_problem(409, "shift-full");
    assert_eq!(app.count("users", "display_name = 'Frau Novak'").await, 0);
    post(
        &app,
        &s.coordinator.access_token,
        &path,
        json!({"name": ""}),
    )
    .await
    .assert_problem(422, "validation-failed");
    // The roster names the walk-in; no mail goes anywhere for her.
    let roster = app
        .get(
            &format!("/api/v1/shifts/{shift_id}/roster"),
            Some(&s.coordinator.access_token),
        )
        .await;
    assert!(String::from_utf8_lossy(&roster.body).contains("Herr Yılmaz"));
    assert_eq!(
        app.count("audit_events", "action = 'signup.walk_in'").await,
        1
    );
}

#[actix_web::test]
async fn retention_erases_guests_without_a_shift_for_ninety_days() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    welcome_guests(&app, &s.admin.access_token, &s.centre).await;
    let shift_id = shift(&app, &s, "Bald", 48, 3, json!({})).await;
    for (name, email) in [("Alt", "alt@example.org"), ("Neu", "neu@example.org")] {
        assert_eq!(guest_signup(&app, &shift_id, name, email).await.status, 202);
    }
    // "Alt" made no sign-up of her own for 91 days; "Neu" still holds a place.
    execute(
        &app,
        "WITH gone AS (DELETE FROM guest_holds h USING users u \
           WHERE u.id = h.user_id AND u.display_name = 'Alt' RETURNING h.shift_id) \
         UPDATE shifts s SET held_count = s.held_count - 1 FROM gone WHERE s.id = gone.shift_id",
    )
    .await;
    execute(
        &app,
        "UPDATE users SET created_at = now() - interval '91 days' WHERE kind = 'guest'",
    )
    .await;
    let settings = quartier_api::config::RetentionSettings {
        guest_days: 90,
        ..app.settings.retention
    };
    let swept =
        quartier_api::retention::sweep(&app.pool, &settings, Utc::now() + Duration::seconds(1))
            .await
            .expect("sweep");
    assert_eq!(swept.guests_erased, 1);
    assert_eq!(app.count("users", "kind = 'guest'").await, 1);
    assert_eq!(app.count("users", "display_name = 'Neu'").await, 1);
}

#[actix_web::test]
async fn a_hold_confirmed_after_signing_up_otherwise_passes_its_place_on() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    welcome_guests(&app, &s.admin.access_token, &s.centre).await;
    let shift_id = shift(&app, &s, "Ein Platz", 48, 1, json!({})).await;
    // Mia uses the guest form with her account's address, then signs up with her account.
    let mia = app.signed_up("mia@example.org").await;
    assert_eq!(
        guest_signup(&app, &shift_id, "Mia", "mia@example.org")
            .await
            .status,
        202
    );
    let token = hold_token(&sink, "mia@example.org").await;
    assert_eq!(
        sign_up(&app, &mia.access_token, &shift_id).await.json()["status"],
        "waitlisted"
    );
    let vera = app.signed_up("vera@example.org").await;
    assert_eq!(
        sign_up(&app, &vera.access_token, &shift_id).await.json()["status"],
        "waitlisted"
    );
    confirm(&app, &token)
        .await
        .assert_problem(409, "already-signed-up");
    // The held place went to the first in line: Mia herself.
    assert_eq!(app.count("guest_holds", "true").await, 0);
    let mine = app
        .get("/api/v1/me/signups", Some(&mia.access_token))
        .await
        .json();
    assert_eq!(mine["items"][0]["status"], "confirmed");
    assert_eq!(
        app.count("shifts", "held_count = 0 AND confirmed_count = 1")
            .await,
        1
    );
}

#[actix_web::test]
async fn a_refused_capacity_change_leaves_held_places_alone() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    welcome_guests(&app, &s.admin.access_token, &s.centre).await;
    let shift_id = shift(&app, &s, "Vier Plätze", 48, 4, json!({})).await;
    for email in ["a@example.org", "b@example.org", "c@example.org"] {
        let volunteer = app.signed_up(email).await;
        assert_eq!(
            sign_up(&app, &volunteer.access_token, &shift_id)
                .await
                .json()["status"],
            "confirmed"
        );
    }
    assert_eq!(
        guest_signup(&app, &shift_id, "Gast", "gast@example.org")
            .await
            .status,
        202
    );
    patch(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/shifts/{shift_id}"),
        json!({"capacity": 2}),
    )
    .await
    .assert_problem(409, "capacity-below-confirmed");
    assert_eq!(app.count("guest_holds", "holds_place").await, 1);
    assert_eq!(
        app.count("shifts", "held_count = 1 AND capacity = 4").await,
        1
    );
}

#[actix_web::test]
async fn whoever_knows_an_address_cannot_name_its_guest() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    welcome_guests(&app, &s.admin.access_token, &s.centre).await;
    let first = shift(&app, &s, "Erster", 48, 3, json!({})).await;
    let second = shift(&app, &s, "Zweiter", 96, 3, json!({})).await;
    // A stranger uses Anna's address first, with a name of his choosing.
    assert_eq!(
        guest_signup(&app, &first, "Spott", "anna@example.org")
            .await
            .status,
        202
    );
    assert_eq!(
        guest_signup(&app, &second, "Anna", "anna@example.org")
            .await
            .status,
        202
    );
    let mails = sink.wait_for("anna@example.org", 2).await;
    let hers = mails
        .iter()
        .find(|m| m.subject().contains("Zweiter"))
        .expect("her confirmation");
    assert!(hers.text().starts_with("Hallo Anna,"), "{}", hers.text());
    assert_eq!(
        confirm(&app, &hers.token("guest-signups/confirm"))
            .await
            .status,
        201
    );
    assert_eq!(
        app.count("users", "kind = 'guest' AND display_name = 'Anna'")
            .await,
        1
    );
    let roster = app
        .get(
            &format!("/api/v1/shifts/{second}/roster"),
            Some(&s.coordinator.access_token),
        )
        .await;
    assert!(!String::from_utf8_lossy(&roster.body).contains("Spott"));
}
