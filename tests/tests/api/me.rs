//! The signed-in user's own account: read, change with If-Match, change the password.

use actix_web::http::Method;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use quartier_persistence::schema::users;
use quartier_tests::TestApp;
use serde_json::json;

async fn stored_name_and_version(app: &TestApp) -> (String, i32) {
    let mut conn = app.conn().await;
    users::table
        .select((users::display_name, users::version))
        .first(&mut conn)
        .await
        .expect("row")
}

#[actix_web::test]
async fn me_shows_the_account_with_its_etag() {
    let app = TestApp::spawn().await;
    let user = app.signed_up("anna@example.org").await;

    let response = app.get("/api/v1/me", Some(&user.access_token)).await;

    assert_eq!(response.status, 200);
    assert_eq!(response.header("etag"), Some("\"1\""));
    let body = response.json();
    assert_eq!(body["email"], "anna@example.org");
    assert!(body["privacy_consent_at"].as_str().is_some());
}

#[actix_web::test]
async fn patch_me_with_the_current_etag_changes_the_name() {
    let app = TestApp::spawn().await;
    let user = app.signed_up("anna@example.org").await;

    let response = app
        .json(
            Method::PATCH,
            "/api/v1/me",
            Some(&user.access_token),
            &[("if-match", "\"1\"")],
            &json!({"display_name": " Anna S. "}),
        )
        .await;

    assert_eq!(response.status, 200, "{:?}", response.json());
    assert_eq!(response.header("etag"), Some("\"2\""));
    assert_eq!(response.json()["display_name"], "Anna S.");
    assert_eq!(
        stored_name_and_version(&app).await,
        ("Anna S.".to_owned(), 2)
    );
}

#[actix_web::test]
async fn patch_me_with_a_stale_etag_is_412_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let user = app.signed_up("anna@example.org").await;
    let token = Some(user.access_token.as_str());
    let first = app
        .json(
            Method::PATCH,
            "/api/v1/me",
            token,
            &[("if-match", "\"1\"")],
            &json!({"display_name": "Erste"}),
        )
        .await;
    assert_eq!(first.status, 200);

    let stale = app
        .json(
            Method::PATCH,
            "/api/v1/me",
            token,
            &[("if-match", "\"1\"")],
            &json!({"display_name": "Zweite"}),
        )
        .await;
    let garbage = app
        .json(
            Method::PATCH,
            "/api/v1/me",
            token,
            &[("if-match", "\"abc\"")],
            &json!({"display_name": "Dritte"}),
        )
        .await;

    stale.assert_problem(412, "version-conflict");
    garbage.assert_problem(412, "version-conflict");
    assert_eq!(stored_name_and_version(&app).await, ("Erste".to_owned(), 2));
}

#[actix_web::test]
async fn concurrent_patches_with_one_etag_let_exactly_one_through() {
    let app = TestApp::spawn().await;
    let user = app.signed_up("anna@example.org").await;
    let token = Some(user.access_token.as_str());

    let bodies: Vec<_> = (0..6)
        .map(|i| json!({"display_name": format!("Name {i}")}))
        .collect();
    let attempts = bodies.iter().map(|body| {
        app.json(
            Method::PATCH,
            "/api/v1/me",
            token,
            &[("if-match", "\"1\"")],
            body,
        )
    });
    let responses = futures_util::future::join_all(attempts).await;

    assert_eq!(responses.iter().filter(|r| r.status == 200).count(), 1);
    assert_eq!(responses.iter().filter(|r| r.status == 412).count(), 5);
    assert_eq!(stored_name_and_version(&app).await.1, 2);
}

#[actix_web::test]
async fn patch_me_needs_if_match_and_a_valid_name() {
    let app = TestApp::spawn().await;
    let user = app.signed_up("anna@example.org").await;
    let token = Some(user.access_token.as_str());

    let without = app
        .json(
            Method::PATCH,
            "/api/v1/me",
            token,
            &[],
            &json!({"display_name": "Neu"}),
        )
        .await;
    let empty = app
        .json(
            Method::PATCH,
            "/api/v1/me",
            token,
            &[("if-match", "*")],
            &json!({"display_name": ""}),
        )
        .await;
    let too_long = app
        .json(
            Method::PATCH,
            "/api/v1/me",
            token,
            &[("if-match", "*")],
            &json!({"display_name": "x".repeat(101)}),
        )
        .await;

    without.assert_problem(428, "precondition-required");
    empty.assert_problem(422, "validation-failed");
    assert_eq!(empty.problem_fields(), ["display_name"]);
    too_long.assert_problem(422, "validation-failed");
    assert_eq!(
        stored_name_and_version(&app).await,
        ("Test Person".to_owned(), 1)
    );
}

#[actix_web::test]
async fn changing_the_password_needs_the_current_one_and_ends_every_session() {
    let app = TestApp::spawn().await;
    let user = app.signed_up("anna@example.org").await;
    let token = Some(user.access_token.as_str());

    let wrong = app
        .json(
            Method::POST,
            "/api/v1/me/password",
            token,
            &[],
            &json!({"current_password": "falsch falsch", "new_password": "ein neues Passwort"}),
        )
        .await;
    wrong.assert_problem(403, "wrong-password");
    let weak = app
        .json(
            Method::POST,
            "/api/v1/me/password",
            token,
            &[],
            &json!({"current_password": user.password, "new_password": "kurz"}),
        )
        .await;
    weak.assert_problem(422, "validation-failed");
    assert_eq!(weak.problem_fields(), ["new_password"]);

    let changed = app
        .json(
            Method::POST,
            "/api/v1/me/password",
            token,
            &[],
            &json!({"current_password": user.password, "new_password": "ein neues Passwort"}),
        )
        .await;

    assert_eq!(changed.status, 204);
    app.login(&user.email, &user.password)
        .await
        .assert_problem(401, "invalid-credentials");
    assert_eq!(
        app.login(&user.email, "ein neues Passwort").await.status,
        200
    );
    app.refresh(&user.refresh_token)
        .await
        .assert_problem(401, "invalid-refresh-token");
    let revoked = app.count("refresh_tokens", "revoked_at IS NOT NULL").await;
    assert_eq!(revoked, 1, "the session from before the change is revoked");
}

#[actix_web::test]
async fn me_answers_304_while_the_clients_copy_is_current() {
    let app = TestApp::spawn().await;
    let user = app.signed_up("anna@example.org").await;
    let auth = format!("Bearer {}", user.access_token);
    let cached = |etag: &'static str| {
        let auth = auth.clone();
        let app = &app;
        async move {
            app.send(
                Method::GET,
                "/api/v1/me",
                &[("authorization", auth.as_str()), ("if-none-match", etag)],
                None,
            )
            .await
        }
    };

    let current = cached("\"1\"").await;
    assert_eq!((current.status, current.body.len()), (304, 0));
    assert_eq!(current.header("etag"), Some("\"1\""));

    let token = Some(user.access_token.as_str());
    app.json(
        Method::PATCH,
        "/api/v1/me",
        token,
        &[("if-match", "\"1\"")],
        &json!({"display_name": "Neu"}),
    )
    .await;
    let stale = cached("\"1\"").await;
    assert_eq!(stale.status, 200);
    assert_eq!(stale.json()["display_name"], "Neu");
}

#[actix_web::test]
async fn users_agree_to_the_privacy_policy_in_force_and_again_when_it_changes() {
    let app = TestApp::spawn_with(&[
        ("QUARTIER_PRIVACY_POLICY_VERSION", "2027-01"),
        (
            "QUARTIER_PRIVACY_POLICY_URL",
            "https://www.auenstadt.example/datenschutz",
        ),
    ])
    .await;
    let policy = app.get("/api/v1/privacy-policy", None).await;
    assert_eq!(policy.status, 200);
    assert_eq!(policy.json()["version"], "2027-01");
    assert_eq!(
        policy.json()["url"],
        "https://www.auenstadt.example/datenschutz"
    );

    // Registering records the version in force.
    let user = app.signed_up("datenschutz@example.org").await;
    let me = app.get("/api/v1/me", Some(&user.access_token)).await;
    assert_eq!(me.json()["privacy_policy_version"], "2027-01");

    // An account that agreed to an older version, and the moment it did.
    let mut conn = app.conn().await;
    diesel::sql_query(format!(
        "UPDATE users SET privacy_policy_version = '2026-03', privacy_consent_at = now() - interval '1 year' WHERE id = '{}'",
        user.id
    ))
    .execute(&mut conn)
    .await
    .expect("age the consent");
    drop(conn);
    let me = app.get("/api/v1/me", Some(&user.access_token)).await;
    assert_eq!(me.json()["privacy_policy_version"], "2026-03");
    let before = me.json();

    // Agreeing to a version that is not in force records nothing.
    let consent = |version: &'static str| {
        let (app, token) = (&app, user.access_token.clone());
        async move {
            app.json(
                Method::POST,
                "/api/v1/me/privacy-consent",
                Some(&token),
                &[],
                &json!({ "version": version }),
            )
            .await
        }
    };
    consent("2026-03")
        .await
        .assert_problem(422, "validation-failed");
    let unchanged = app.get("/api/v1/me", Some(&user.access_token)).await.json();
    assert_eq!(unchanged, before);

    let agreed = consent("2027-01").await;
    assert_eq!(
        agreed.status,
        200,
        "{}",
        String::from_utf8_lossy(&agreed.body)
    );
    assert_eq!(agreed.json()["privacy_policy_version"], "2027-01");
    assert_eq!(
        agreed.json()["version"],
        before["version"].as_i64().expect("version") + 1
    );
    assert_eq!(
        app.count(
            "users",
            &format!(
                "id = '{}' AND privacy_policy_version = '2027-01' AND privacy_consent_at > now() - interval '1 minute'",
                user.id
            )
        )
        .await,
        1
    );
    // Consent needs a signed-in user.
    let anonymous = app
        .json(
            Method::POST,
            "/api/v1/me/privacy-consent",
            None,
            &[],
            &json!({ "version": "2027-01" }),
        )
        .await;
    anonymous.assert_problem(401, "unauthenticated");
}
