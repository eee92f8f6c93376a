//! Mail through a real SMTP server: verified addresses, password reset, a change of address,
//! and the senders that share the queue.

use actix_web::http::Method;
use quartier_api::mail::Mailer;
use quartier_api::tokens::LinkTokens;
use quartier_tests::{ReceivedMail, SmtpSink, TestApp, post, setup};
use serde_json::{Value, json};

const PASSWORD: &str = "ein sicheres Passwort";

/// The application sending to `sink`, its sender looking for mail every 50 ms.
async fn app_mailing_to(sink: &SmtpSink, extra: &[(&str, &str)]) -> TestApp {
    let url = sink.url();
    let mut env = vec![
        ("QUARTIER_SMTP_URL", url.as_str()),
        (
            "QUARTIER_MAIL_FROM",
            "Quartier Nordstadt <quartier@nordstadt.example>",
        ),
        ("QUARTIER_MAIL_REPLY_TO", "buero@nordstadt.example"),
        ("QUARTIER_APP_URL", "https://app.nordstadt.example"),
        ("QUARTIER_MAIL_POLL_MS", "50"),
    ];
    env.extend_from_slice(extra);
    TestApp::spawn_with(&env).await
}

async fn register(app: &TestApp, email: &str, language: Option<&str>) -> Value {
    let mut body = json!({"email": email, "display_name": "Ayşe <Yılmaz>", "password": PASSWORD,
                          "privacy_consent": true});
    if let Some(language) = language {
        body["language"] = json!(language);
    }
    let answer = app.post("/api/v1/auth/register", &body).await;
    assert_eq!(
        answer.status,
        201,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    answer.json()
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> (String, String) {
    let login = app.login(email, password).await;
    assert_eq!(
        login.status,
        200,
        "{}",
        String::from_utf8_lossy(&login.body)
    );
    let tokens = login.json();
    (
        tokens["access_token"].as_str().expect("access").to_owned(),
        tokens["refresh_token"]
            .as_str()
            .expect("refresh")
            .to_owned(),
    )
}

fn assert_well_formed(mail: &ReceivedMail, language: &str) {
    assert_eq!(mail.header("auto-submitted"), Some("auto-generated"));
    assert_eq!(mail.header("content-language"), Some(language));
    assert_eq!(
        mail.header("from"),
        Some("Quartier Nordstadt <quartier@nordstadt.example>")
    );
    assert_eq!(mail.header("reply-to"), Some("buero@nordstadt.example"));
    assert!(
        mail.header("message-id")
            .is_some_and(|id| id.ends_with("@nordstadt.example>")),
        "{:?}",
        mail.header("message-id")
    );
    assert_eq!(mail.mail_from, "quartier@nordstadt.example");
    assert!(
        mail.content_types
            .iter()
            .any(|t| t == "multipart/alternative")
    );
    assert!(mail.content_types.iter().any(|t| t == "text/plain"));
    assert!(mail.content_types.iter().any(|t| t == "text/html"));
    assert!(!mail.html().contains("<img"), "no tracking pixels");
}

#[actix_web::test]
async fn registration_mails_a_link_that_verifies_the_address() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    let account = register(&app, "anna@example.org", None).await;
    assert_eq!(account["email_verified"], false);
    assert_eq!(account["language"], "de");

    let mails = sink.wait_for("anna@example.org", 1).await;
    let mail = &mails[0];
    assert_well_formed(mail, "de");
    assert_eq!(mail.subject(), "Bitte bestätigen Sie Ihre E-Mail-Adresse");
    assert!(
        mail.header("to")
            .is_some_and(|to| to.contains("anna@example.org"))
    );
    assert!(
        mail.text().contains("Hallo Ayşe <Yılmaz>,"),
        "{}",
        mail.text()
    );
    assert!(
        mail.html().contains("Hallo Ayşe &lt;Yılmaz&gt;,"),
        "{}",
        mail.html()
    );
    assert!(
        mail.text()
            .contains("https://app.nordstadt.example/verify-email?token=")
    );
    let token = mail.token("verify-email");
    assert!(
        mail.html().contains(&token),
        "the HTML part carries the same link"
    );

    // Unverified: she cannot be made staff yet.
    let operator_members = format!("/api/v1/operators/{}/members", s.operator);
    let add = json!({"email": "anna@example.org", "role": "coordinator"});
    post(&app, &s.admin.access_token, &operator_members, add.clone())
        .await
        .assert_problem(409, "email-not-verified");
    assert_eq!(app.count("operator_members", "true").await, 2);

    let verified = app
        .post("/api/v1/auth/verify-email", &json!({"token": token}))
        .await;
    assert_eq!(
        verified.status,
        204,
        "{}",
        String::from_utf8_lossy(&verified.body)
    );
    app.post("/api/v1/auth/verify-email", &json!({"token": token}))
        .await
        .assert_problem(422, "link-invalid");
    let (access, _) = sign_in(&app, "anna@example.org", PASSWORD).await;
    let me = app.get("/api/v1/me", Some(&access)).await.json();
    assert_eq!(me["email_verified"], true);
    let added = post(&app, &s.admin.access_token, &operator_members, add).await;
    assert_eq!(added.status, 201);

    // What was sent to her, and how far it got.
    let told = app
        .get("/api/v1/me/notifications", Some(&access))
        .await
        .json();
    assert_eq!(told["items"][0]["kind"], "email_verification");
    assert_eq!(told["items"][0]["delivery"], "sent");
    assert!(told["items"][0]["sent_at"].is_string());

    // Asking for a link again once verified is refused; nothing more is sent.
    app.json(
        Method::POST,
        "/api/v1/me/email-verification",
        Some(&access),
        &[],
        &json!(null),
    )
    .await
    .assert_problem(409, "already-verified");
    assert_eq!(sink.to("anna@example.org").len(), 1);
}

#[actix_web::test]
async fn mail_is_written_in_the_language_of_the_account() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink, &[]).await;
    let account = register(&app, "ben@example.org", Some("en")).await;
    assert_eq!(account["language"], "en");
    let mails = sink.wait_for("ben@example.org", 1).await;
    assert_well_formed(&mails[0], "en");
    assert_eq!(mails[0].subject(), "Please confirm your e-mail address");
    assert!(mails[0].html().contains("lang=\"en\""));
}

#[actix_web::test]
async fn only_the_newest_verification_link_works() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink, &[]).await;
    register(&app, "carla@example.org", None).await;
    let first = sink.wait_for("carla@example.org", 1).await[0].token("verify-email");
    let (access, _) = sign_in(&app, "carla@example.org", PASSWORD).await;
    let again = app
        .json(
            Method::POST,
            "/api/v1/me/email-verification",
            Some(&access),
            &[],
            &json!(null),
        )
        .await;
    assert_eq!(again.status, 202);
    let second = sink.wait_for("carla@example.org", 2).await[1].token("verify-email");
    assert_ne!(first, second);
    app.post("/api/v1/auth/verify-email", &json!({"token": first}))
        .await
        .assert_problem(422, "link-invalid");
    let used = app
        .post("/api/v1/auth/verify-email", &json!({"token": second}))
        .await;
    assert_eq!(used.status, 204);
}

#[actix_web::test]
async fn a_link_replaced_before_it_went_out_is_skipped_not_sent() {
    let sink = SmtpSink::start();
    // The background sender looks only once a minute: this test sends itself.
    let app = app_mailing_to(&sink, &[("QUARTIER_MAIL_POLL_MS", "60000")]).await;
    // Its first round runs at the start, with nothing to send; on a busy machine that can
    // take a while, and a round between the two requests would send the first link.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    register(&app, "dora@example.org", None).await;
    let (access, _) = sign_in(&app, "dora@example.org", PASSWORD).await;
    let again = app
        .json(
            Method::POST,
            "/api/v1/me/email-verification",
            Some(&access),
            &[],
            &json!(null),
        )
        .await;
    assert_eq!(again.status, 202);
    let mailer = Mailer::new(
        &app.settings.mail,
        LinkTokens::new(app.settings.jwt_secret.expose()),
        &app.settings.public_url,
    )
    .expect("a mailer");
    let handled = quartier_api::mail::worker::run_once(&app.pool, &mailer)
        .await
        .expect("a round");
    assert_eq!(handled, 2);
    let states = app
        .texts("SELECT state AS text FROM notifications ORDER BY created_at, id")
        .await;
    assert_eq!(states, ["skipped_obsolete", "sent"]);
    let mails = sink.to("dora@example.org");
    assert_eq!(mails.len(), 1);
    let used = app
        .post(
            "/api/v1/auth/verify-email",
            &json!({"token": mails[0].token("verify-email")}),
        )
        .await;
    assert_eq!(used.status, 204);
}

#[actix_web::test]
async fn a_password_reset_answers_alike_for_any_address_and_ends_every_session() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink, &[]).await;
    let user = app.signed_up("erik@example.org").await;
    let (other_access, other_refresh) = sign_in(&app, "erik@example.org", PASSWORD).await;

    let known = app
        .post(
            "/api/v1/auth/password-reset",
            &json!({"email": "ERIK@example.org"}),
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/password-reset",
            &json!({"email": "nobody@example.org"}),
        )
        .await;
    assert_eq!((known.status, unknown.status), (202, 202));
    assert_eq!(known.body, unknown.body);
    assert_eq!(known.header("content-type"), unknown.header("content-type"));

    let mails = sink.wait_for("erik@example.org", 2).await;
    let reset = mails
        .iter()
        .find(|m| m.subject() == "Neues Passwort für Quartier")
        .expect("the reset mail");
    assert_well_formed(reset, "de");
    let token = reset.token("reset-password");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(sink.to("nobody@example.org").is_empty());

    let confirm = |password: &str| json!({"token": token, "new_password": password});
    let weak = app
        .post("/api/v1/auth/password-reset/confirm", &confirm("kurz"))
        .await;
    weak.assert_problem(422, "validation-failed");
    assert_eq!(weak.problem_fields(), ["new_password"]);
    let changed = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            &confirm("ein ganz neues Passwort"),
        )
        .await;
    assert_eq!(
        changed.status,
        204,
        "{}",
        String::from_utf8_lossy(&changed.body)
    );
    app.post(
        "/api/v1/auth/password-reset/confirm",
        &confirm("noch ein anderes Passwort"),
    )
    .await
    .assert_problem(422, "link-invalid");

    // Every session ended at once: access tokens and refresh tokens alike.
    for access in [&user.access_token, &other_access] {
        app.get("/api/v1/me", Some(access))
            .await
            .assert_problem(401, "unauthenticated");
    }
    for refresh in [&user.refresh_token, &other_refresh] {
        app.refresh(refresh)
            .await
            .assert_problem(401, "invalid-refresh-token");
    }
    assert_eq!(app.login("erik@example.org", PASSWORD).await.status, 401);
    let (access, _) = sign_in(&app, "erik@example.org", "ein ganz neues Passwort").await;
    assert_eq!(app.get("/api/v1/me", Some(&access)).await.status, 200);

    let mails = sink.wait_for("erik@example.org", 3).await;
    assert!(
        mails
            .iter()
            .any(|m| m.subject() == "Ihr Passwort wurde geändert"),
        "told of the change"
    );
}

#[actix_web::test]
async fn a_changed_password_ends_the_access_tokens_issued_before() {
    let app = TestApp::spawn().await;
    let user = app.signed_up("fritz@example.org").await;
    let (other_access, _) = sign_in(&app, "fritz@example.org", PASSWORD).await;
    let changed = post(
        &app,
        &user.access_token,
        "/api/v1/me/password",
        json!({"current_password": PASSWORD, "new_password": "ein neues langes Passwort"}),
    )
    .await;
    assert_eq!(changed.status, 204);
    for access in [&user.access_token, &other_access] {
        let refused = app.get("/api/v1/me", Some(access)).await;
        refused.assert_problem(401, "unauthenticated");
        assert!(
            refused.json()["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("password")
        );
    }
    let (access, _) = sign_in(&app, "fritz@example.org", "ein neues langes Passwort").await;
    assert_eq!(app.get("/api/v1/me", Some(&access)).await.status, 200);
}

#[actix_web::test]
async fn a_new_address_takes_effect_once_verified_and_the_old_one_is_told() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink, &[]).await;
    let user = app.signed_up("gerda@example.org").await;
    let change = |password: &str| json!({"email": "gerda.neu@example.org", "password": password});
    post(
        &app,
        &user.access_token,
        "/api/v1/me/email",
        change("falsches Passwort"),
    )
    .await
    .assert_problem(403, "wrong-password");
    let asked = post(
        &app,
        &user.access_token,
        "/api/v1/me/email",
        change(PASSWORD),
    )
    .await;
    assert_eq!(asked.status, 202);

    // The other mail to the old address is the registration's link.
    let old = sink.wait_for("gerda@example.org", 2).await;
    let told = old
        .iter()
        .find(|m| m.subject() == "Ihre E-Mail-Adresse soll geändert werden")
        .expect("the old address is told");
    assert!(
        !told.text().contains("token="),
        "no link to the old address"
    );
    let new = sink.wait_for("gerda.neu@example.org", 1).await;
    let token = new[0].token("verify-email");
    let me = app.get("/api/v1/me", Some(&user.access_token)).await.json();
    assert_eq!(
        me["email"], "gerda@example.org",
        "not before it is verified"
    );

    let verified = app
        .post("/api/v1/auth/verify-email", &json!({"token": token}))
        .await;
    assert_eq!(verified.status, 204);
    let me = app.get("/api/v1/me", Some(&user.access_token)).await.json();
    assert_eq!(me["email"], "gerda.neu@example.org");
    assert_eq!(me["email_verified"], true);
    assert_eq!(
        app.login("gerda.neu@example.org", PASSWORD).await.status,
        200
    );
    assert_eq!(app.login("gerda@example.org", PASSWORD).await.status, 401);
}

#[actix_web::test]
async fn an_address_taken_meanwhile_is_not_given_to_a_second_account() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink, &[]).await;
    let user = app.signed_up("hanna@example.org").await;
    let asked = post(
        &app,
        &user.access_token,
        "/api/v1/me/email",
        json!({"email": "shared@example.org", "password": PASSWORD}),
    )
    .await;
    assert_eq!(asked.status, 202);
    let token = sink.wait_for("shared@example.org", 1).await[0].token("verify-email");
    // Someone registers the address before the link is used.
    register(&app, "Shared@example.org", None).await;
    app.post("/api/v1/auth/verify-email", &json!({"token": token}))
        .await
        .assert_problem(409, "email-taken");
    let me = app.get("/api/v1/me", Some(&user.access_token)).await.json();
    assert_eq!(me["email"], "hanna@example.org");
    // Asking to move to an address another account has sends no link there (the second
    // mail there was the new account's own link).
    let before = sink.wait_for("shared@example.org", 2).await.len();
    let again = post(
        &app,
        &user.access_token,
        "/api/v1/me/email",
        json!({"email": "shared@example.org", "password": PASSWORD}),
    )
    .await;
    assert_eq!(again.status, 202);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(sink.to("shared@example.org").len(), before);
}

#[actix_web::test]
async fn a_refused_mail_fails_and_a_busy_server_is_tried_again() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink, &[("QUARTIER_MAIL_RETRY_SCHEDULE", "1s,1s")]).await;
    register(&app, "refuse-me@example.org", None).await;
    register(&app, "busy-me@example.org", None).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let failed = app
            .count(
                "notifications",
                "state = 'failed' AND last_error IS NOT NULL",
            )
            .await;
        if failed == 2 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "both end failed");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Refused for good at once; busy tried three times (the first and two retries).
    let attempts = app
        .texts(
            "SELECT split_part(n.address, '@', 1) || ':' || n.attempts AS text \
               FROM notifications n ORDER BY n.address",
        )
        .await;
    assert_eq!(attempts, ["busy-me:3", "refuse-me:1"]);
    assert!(sink.received().is_empty());
}

#[actix_web::test]
async fn four_senders_deliver_a_thousand_due_mails_exactly_once() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink, &[("QUARTIER_MAIL_POLL_MS", "60000")]).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    {
        use diesel_async::RunQueryDsl;
        let mut conn = app.conn().await;
        diesel::sql_query(
            "INSERT INTO users (id, email, display_name, password_hash, role, privacy_consent_at) \
             SELECT gen_random_uuid(), 'person-' || i || '@example.org', 'Person ' || i, 'x', 'member', now() \
               FROM generate_series(1, 1000) i",
        )
        .execute(&mut conn)
        .await
        .expect("people");
        diesel::sql_query(
            "INSERT INTO notifications (id, user_id, kind, dedup_key) \
             SELECT gen_random_uuid(), id, 'password_changed', 'bulk:' || id FROM users",
        )
        .execute(&mut conn)
        .await
        .expect("notifications");
    }
    let mailer = Mailer::new(
        &app.settings.mail,
        LinkTokens::new(app.settings.jwt_secret.expose()),
        &app.settings.public_url,
    )
    .expect("a mailer");
    let senders: Vec<_> = (0..4)
        .map(|_| {
            let pool = app.pool.clone();
            let mailer = mailer.clone();
            tokio::spawn(async move {
                let mut handled = 0;
                loop {
                    let round = quartier_api::mail::worker::run_once(&pool, &mailer)
                        .await
                        .expect("a round");
                    if round == 0 {
                        return handled;
                    }
                    handled += round;
                }
            })
        })
        .collect();
    let mut handled = 0;
    for sender in senders {
        handled += sender.await.expect("a sender");
    }
    assert_eq!(handled, 1000);
    assert_eq!(app.count("notifications", "state = 'sent'").await, 1000);
    let received = sink.received();
    assert_eq!(received.len(), 1000);
    let ids: std::collections::BTreeSet<&str> = received
        .iter()
        .filter_map(|m| m.header("message-id"))
        .collect();
    assert_eq!(ids.len(), 1000, "no mail twice");
}

#[actix_web::test]
async fn staff_are_invited_by_address_and_only_that_address_can_accept() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    // An operator admin of operator A.
    let boss = app.signed_up("boss@example.org").await;
    let made_boss = post(
        &app,
        &s.admin.access_token,
        &format!("/api/v1/operators/{}/members", s.operator),
        json!({"email": "boss@example.org", "role": "operator_admin"}),
    )
    .await;
    assert_eq!(made_boss.status, 201);
    let invitations = format!("/api/v1/operators/{}/invitations", s.operator);
    let existing = app.signed_up("has-account@example.org").await;

    // The answer is the same whether or not the address has an account.
    let to_nobody = post(
        &app,
        &boss.access_token,
        &invitations,
        json!({"email": "ines@example.org", "role": "coordinator"}),
    )
    .await;
    let to_someone = post(
        &app,
        &boss.access_token,
        &invitations,
        json!({"email": "has-account@example.org", "role": "coordinator"}),
    )
    .await;
    assert_eq!((to_nobody.status, to_someone.status), (201, 201));
    let keys = |v: &Value| {
        let mut keys: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(&to_nobody.json()), keys(&to_someone.json()));
    assert!(
        !to_someone
            .body
            .windows(existing.id.len())
            .any(|w| w == existing.id.as_bytes())
    );
    post(
        &app,
        &s.coordinator.access_token,
        &invitations,
        json!({"email": "x@example.org", "role": "coordinator"}),
    )
    .await
    .assert_problem(403, "forbidden");

    let mail = &sink.wait_for("ines@example.org", 1).await[0];
    assert_well_formed(mail, "de");
    assert_eq!(mail.subject(), "Einladung ins Team: Träger A");
    assert!(mail.text().contains("Koordinatorin oder Koordinator"));
    let token = mail.token("invitations/accept");
    let accept = |access: String| {
        let app = &app;
        let token = token.clone();
        async move {
            post(
                app,
                &access,
                "/api/v1/invitations/accept",
                json!({"token": token}),
            )
            .await
        }
    };

    // Accepted by the wrong account: refused, nothing changes.
    accept(existing.access_token.clone())
        .await
        .assert_problem(403, "forbidden");
    // By the right address, not yet verified: refused.
    register(&app, "ines@example.org", None).await;
    let (ines_access, _) = sign_in(&app, "ines@example.org", PASSWORD).await;
    accept(ines_access.clone())
        .await
        .assert_problem(409, "email-not-verified");
    assert_eq!(
        app.count(
            "operator_members",
            "user_id IN (SELECT id FROM users WHERE email IN ('ines@example.org', 'has-account@example.org'))"
        )
        .await,
        0
    );
    let verification = sink
        .wait_for("ines@example.org", 2)
        .await
        .iter()
        .find(|m| m.subject().starts_with("Bitte bestätigen"))
        .expect("the verification")
        .token("verify-email");
    let verified = app
        .post("/api/v1/auth/verify-email", &json!({"token": verification}))
        .await;
    assert_eq!(verified.status, 204);
    let accepted = accept(ines_access.clone()).await;
    assert_eq!(
        accepted.status,
        201,
        "{}",
        String::from_utf8_lossy(&accepted.body)
    );
    assert_eq!(accepted.json()["role"], "coordinator");
    accept(ines_access.clone())
        .await
        .assert_problem(422, "link-invalid");
    let memberships = app
        .get("/api/v1/me/memberships", Some(&ines_access))
        .await
        .json();
    assert_eq!(
        memberships["items"].as_array().map(Vec::len),
        Some(1),
        "{memberships}"
    );

    // The open ones: only the invitation to the other address is left; inviting it again
    // replaces it, and withdrawing ends the newest.
    let open = app.get(&invitations, Some(&boss.access_token)).await.json();
    assert_eq!(open["items"].as_array().expect("items").len(), 1);
    let first = invitations_to(&sink, "has-account@example.org", 1).await[0].clone();
    let again = post(
        &app,
        &boss.access_token,
        &invitations,
        json!({"email": "HAS-ACCOUNT@example.org", "role": "operator_admin"}),
    )
    .await;
    assert_eq!(again.status, 201);
    post(
        &app,
        &existing.access_token,
        "/api/v1/invitations/accept",
        json!({"token": first}),
    )
    .await
    .assert_problem(422, "link-invalid");
    let open = app.get(&invitations, Some(&boss.access_token)).await.json();
    assert_eq!(open["items"].as_array().expect("items").len(), 1);
    let second = invitations_to(&sink, "has-account@example.org", 2).await[1].clone();
    let newest = again.json()["id"].as_str().expect("id").to_owned();
    let withdrawn = app
        .send(
            Method::DELETE,
            &format!("{invitations}/{newest}"),
            &[("authorization", &format!("Bearer {}", boss.access_token))],
            None,
        )
        .await;
    assert_eq!(withdrawn.status, 204);
    post(
        &app,
        &existing.access_token,
        "/api/v1/invitations/accept",
        json!({"token": second}),
    )
    .await
    .assert_problem(422, "link-invalid");
    assert_eq!(
        app.count("operator_members", "role = 'operator_admin'")
            .await,
        1
    );
    // Eight invitations to one address at once: each answered, one left open.
    let racing: Vec<_> = (0..8)
        .map(|_| {
            post(
                &app,
                &boss.access_token,
                &invitations,
                json!({"email": "race@example.org", "role": "coordinator"}),
            )
        })
        .collect();
    let answers = futures_util::future::join_all(racing).await;
    assert!(
        answers.iter().all(|a| a.status == 201),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert_eq!(
        app.count(
            "staff_invitations",
            "email = 'race@example.org' AND revoked_at IS NULL AND accepted_at IS NULL"
        )
        .await,
        1
    );

    // An operator admin who leaves takes her open invitations with her.
    let removed = app
        .send(
            Method::DELETE,
            &format!("/api/v1/operators/{}/members/{}", s.operator, boss.id),
            &[("authorization", &format!("Bearer {}", s.admin.access_token))],
            None,
        )
        .await;
    assert_eq!(
        removed.status,
        204,
        "{}",
        String::from_utf8_lossy(&removed.body)
    );
    assert_eq!(
        app.count(
            "staff_invitations",
            "revoked_at IS NULL AND accepted_at IS NULL"
        )
        .await,
        0
    );
}

/// The tokens of the first `count` invitations mailed to `address`, in the order sent.
async fn invitations_to(sink: &SmtpSink, address: &str, count: usize) -> Vec<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let mut mails: Vec<ReceivedMail> = sink
            .to(address)
            .into_iter()
            .filter(|m| m.subject().starts_with("Einladung"))
            .collect();
        if mails.len() >= count {
            // Message-IDs are the notifications' ids (UUID v7): their order is the order made.
            mails.sort_by(|a, b| a.header("message-id").cmp(&b.header("message-id")));
            return mails
                .iter()
                .map(|m| m.token("invitations/accept"))
                .collect();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{address}: {} invitations",
            mails.len()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn racing_confirmations_of_one_reset_link_change_the_password_once() {
    let app = TestApp::spawn_with(&[("QUARTIER_RATE_LIMIT_AUTH_PER_MINUTE", "1000")]).await;
    app.signed_up("olga@example.org").await;
    let asked = app
        .post(
            "/api/v1/auth/password-reset",
            &json!({"email": "olga@example.org"}),
        )
        .await;
    assert_eq!(asked.status, 202);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let id = loop {
        let ids = app
            .texts("SELECT id::text AS text FROM account_tokens WHERE purpose = 'reset_password'")
            .await;
        if let Some(id) = ids.first() {
            break id.clone();
        }
        assert!(std::time::Instant::now() < deadline, "no reset token");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let token = app.link_token(&id);
    let bodies: Vec<Value> = (0..8)
        .map(|i| json!({"token": token, "new_password": format!("ein neues Passwort Nr. {i}")}))
        .collect();
    let racing: Vec<_> = bodies
        .iter()
        .map(|body| app.post("/api/v1/auth/password-reset/confirm", body))
        .collect();
    let answers = futures_util::future::join_all(racing).await;
    let mut statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [204, 422, 422, 422, 422, 422, 422, 422]);
    assert_eq!(
        app.count("notifications", "kind = 'password_changed'")
            .await,
        1
    );
    assert_eq!(app.count("users", "token_generation = 2").await, 1);
}
