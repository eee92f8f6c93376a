//! Registration, sign-in, refresh rotation with reuse detection, sign-out.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use quartier_api::tokens::Tokens;
use quartier_domain::Role;
use quartier_persistence::schema::{refresh_tokens, users};
use quartier_tests::TestApp;
use quartier_tests::app::TEST_JWT_SECRET;
use serde_json::json;

#[actix_web::test]
async fn register_creates_an_account_with_a_hashed_password() {
    let app = TestApp::spawn().await;

    let response = app
        .register("Anna.Schmidt@Example.org", "ein langes Passwort")
        .await;

    assert_eq!(response.status, 201);
    assert_eq!(response.header("etag"), Some("\"1\""));
    assert_eq!(response.header("location"), Some("/api/v1/me"));
    let body = response.json();
    assert_eq!(body["email"], "Anna.Schmidt@Example.org");
    assert_eq!(body["display_name"], "Test Person");
    assert_eq!(body["role"], "member");
    assert_eq!(body["version"], 1);
    assert!(body.get("password_hash").is_none());
    let id: uuid::Uuid = body["id"].as_str().expect("id").parse().expect("uuid");
    assert_eq!(id.get_version_num(), 7, "ids are time-ordered UUID v7");

    let mut conn = app.conn().await;
    let (email, hash): (String, String) = users::table
        .select((
            users::email.assume_not_null(),
            users::password_hash.assume_not_null(),
        ))
        .first(&mut conn)
        .await
        .expect("row");
    assert_eq!(email, "Anna.Schmidt@Example.org");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("ein langes Passwort"));
}

#[actix_web::test]
async fn an_address_registers_once_in_any_letter_case() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.register("anna@example.org", "ein langes Passwort")
            .await
            .status,
        201
    );

    let again = app
        .register("ANNA@EXAMPLE.ORG", "ein anderes Passwort")
        .await;

    again.assert_problem(409, "email-taken");
    assert_eq!(app.count("users", "true").await, 1);
}

#[actix_web::test]
async fn register_lists_every_invalid_field_and_stores_nothing() {
    let app = TestApp::spawn().await;

    let response = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "not-an-address", "display_name": "  ", "password": "kurz", "privacy_consent": false}),
        )
        .await;

    response.assert_problem(422, "validation-failed");
    let mut fields = response.problem_fields();
    fields.sort();
    assert_eq!(
        fields,
        ["display_name", "email", "password", "privacy_consent"]
    );
    assert_eq!(app.count("users", "true").await, 0);
}

#[actix_web::test]
async fn password_may_not_be_the_email_address() {
    let app = TestApp::spawn().await;

    let response = app
        .register("anna.schmidt@example.org", "Anna.Schmidt@example.org")
        .await;

    response.assert_problem(422, "validation-failed");
    assert_eq!(response.problem_fields(), ["password"]);
}

#[actix_web::test]
async fn wrong_types_and_unknown_fields_name_the_field() {
    let app = TestApp::spawn().await;

    let wrong_type = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "a@example.org", "display_name": "A", "password": 1234567890, "privacy_consent": true}),
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "a@example.org", "display_name": "A", "password": "ein langes Passwort", "privacy_consent": true, "role": "admin"}),
        )
        .await;

    wrong_type.assert_problem(422, "validation-failed");
    assert_eq!(wrong_type.problem_fields(), ["password"]);
    unknown.assert_problem(422, "validation-failed");
    assert!(
        unknown.json()["detail"]
            .as_str()
            .expect("detail")
            .contains("role")
    );
}

#[actix_web::test]
async fn login_answers_the_same_for_unknown_address_and_wrong_password() {
    let app = TestApp::spawn().await;
    app.signed_up("anna@example.org").await;

    let wrong_password = app.login("anna@example.org", "falsches Passwort").await;
    let unknown = app.login("nobody@example.org", "falsches Passwort").await;

    let a = wrong_password.assert_problem(401, "invalid-credentials");
    let b = unknown.assert_problem(401, "invalid-credentials");
    assert_eq!(a, b);
}

#[actix_web::test]
async fn login_issues_a_short_lived_jwt_and_a_refresh_token() {
    let app = TestApp::spawn().await;
    let user = app.signed_up("anna@example.org").await;

    let response = app.login("ANNA@example.org", &user.password).await;

    assert_eq!(response.status, 200);
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let body = response.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let tokens = Tokens::new(
        TEST_JWT_SECRET.as_bytes(),
        std::time::Duration::from_secs(900),
        std::time::Duration::from_secs(60),
    );
    let claims = tokens
        .verify_access(body["access_token"].as_str().expect("token"))
        .expect("valid JWT");
    assert_eq!(claims.sub.to_string(), user.id);
    assert_eq!(claims.role, "member");
    assert_eq!(claims.exp - claims.iat, 900);
    let me = app.get("/api/v1/me", body["access_token"].as_str()).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["id"], user.id.as_str());
    let mut conn = app.conn().await;
    let stored: Vec<Vec<u8>> = refresh_tokens::table
        .select(refresh_tokens::token_hash)
        .load(&mut conn)
        .await
        .expect("tokens");
    let presented = body["refresh_token"].as_str().expect("refresh");
    assert!(
        stored.iter().all(|h| h.as_slice() != presented.as_bytes()),
        "only hashes are stored"
    );
    assert!(stored.contains(&quartier_api::tokens::hash_refresh(presented)));
}

#[actix_web::test]
async fn refresh_rotates_and_a_reused_token_revokes_the_whole_session() {
    let app = TestApp::spawn().await;
    let user = app.signed_up("anna@example.org").await;

    let first = app.refresh(&user.refresh_token).await;
    assert_eq!(first.status, 200);
    let rotated = first.json()["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();
    assert_ne!(rotated, user.refresh_token);
    assert_eq!(
        app.get("/api/v1/me", first.json()["access_token"].as_str())
            .await
            .status,
        200
    );

    // A thief replays the old token: refused, and the legitimate new one dies with it.
    app.refresh(&user.refresh_token)
        .await
        .assert_problem(401, "invalid-refresh-token");
    app.refresh(&rotated)
        .await
        .assert_problem(401, "invalid-refresh-token");

    assert_eq!(app.count("refresh_tokens", "revoked_at IS NULL").await, 0);
    // A new sign-in starts a new session.
    assert_eq!(app.login(&user.email, &user.password).await.status, 200);
}

#[actix_web::test]
async fn racing_refreshes_with_one_token_let_at_most_one_through() {
    let app = TestApp::spawn().await;
    let user = app.signed_up("anna@example.org").await;

    let attempts = (0..8).map(|_| app.refresh(&user.refresh_token));
    let responses = futures_util::future::join_all(attempts).await;

    let succeeded = responses.iter().filter(|r| r.status == 200).count();
    assert_eq!(succeeded, 1, "refreshes that succeeded with one token");
    assert!(responses.iter().all(|r| r.status == 200 || r.status == 401));
    // The replays count as reuse: nothing of that session stays usable.
    let live = app
        .count("refresh_tokens", "revoked_at IS NULL AND used_at IS NULL")
        .await;
    assert_eq!(live, 0);
}

#[actix_web::test]
async fn unknown_and_expired_refresh_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let user = app.signed_up("anna@example.org").await;
    app.refresh("qrt_not-a-token")
        .await
        .assert_problem(401, "invalid-refresh-token");

    let mut conn = app.conn().await;
    diesel::update(refresh_tokens::table)
        .set((
            refresh_tokens::created_at.eq(Utc::now() - chrono::Duration::days(60)),
            refresh_tokens::expires_at.eq(Utc::now() - chrono::Duration::days(1)),
        ))
        .execute(&mut conn)
        .await
        .expect("age the token");

    app.refresh(&user.refresh_token)
        .await
        .assert_problem(401, "invalid-refresh-token");
}

#[actix_web::test]
async fn logout_revokes_the_session_and_can_be_repeated() {
    let app = TestApp::spawn().await;
    let user = app.signed_up("anna@example.org").await;
    let other_device = app.login(&user.email, &user.password).await.json();

    let out = app
        .post(
            "/api/v1/auth/logout",
            &json!({"refresh_token": user.refresh_token}),
        )
        .await;
    let again = app
        .post(
            "/api/v1/auth/logout",
            &json!({"refresh_token": user.refresh_token}),
        )
        .await;

    assert_eq!(out.status, 204);
    assert_eq!(again.status, 204);
    app.refresh(&user.refresh_token)
        .await
        .assert_problem(401, "invalid-refresh-token");
    // Only that session: the other device keeps its own.
    let other = app
        .refresh(other_device["refresh_token"].as_str().expect("refresh"))
        .await;
    assert_eq!(other.status, 200);
}

#[actix_web::test]
async fn expired_and_forged_access_tokens_get_401_with_a_challenge() {
    let app = TestApp::spawn().await;
    let user = app.signed_up("anna@example.org").await;
    let id: uuid::Uuid = user.id.parse().expect("uuid");
    let ttl = std::time::Duration::from_secs(900);
    let ours = Tokens::new(TEST_JWT_SECRET.as_bytes(), ttl, ttl);
    let expired = ours
        .issue_access(id, Role::Member, 1, Utc::now() - chrono::Duration::hours(1))
        .expect("sign");
    let foreign = Tokens::new(b"somebody else's secret, long enough", ttl, ttl);
    let forged = foreign
        .issue_access(id, Role::Admin, 1, Utc::now())
        .expect("sign");

    for token in [expired.token.as_str(), forged.token.as_str(), "not.a.jwt"] {
        let response = app.get("/api/v1/me", Some(token)).await;
        response.assert_problem(401, "unauthenticated");
        assert_eq!(
            response.header("www-authenticate"),
            Some(r#"Bearer realm="quartier", error="invalid_token""#)
        );
    }
    let missing = app.get("/api/v1/me", None).await;
    missing.assert_problem(401, "unauthenticated");
    assert_eq!(
        missing.header("www-authenticate"),
        Some(r#"Bearer realm="quartier""#)
    );
}

#[actix_web::test]
async fn addresses_the_database_cannot_store_are_refused_cleanly() {
    let app = TestApp::spawn().await;

    let login = app
        .login("anna\u{0}@example.org", "ein langes Passwort")
        .await;
    let register = app
        .register("anna\u{0}@example.org", "ein langes Passwort")
        .await;

    login.assert_problem(401, "invalid-credentials");
    register.assert_problem(422, "validation-failed");
}

#[actix_web::test]
async fn after_a_key_rotation_tokens_signed_before_it_still_work_until_they_expire() {
    const OLD_KEY: &str = "the signing key before the rotation, long enough";
    let ttl = std::time::Duration::from_secs(900);
    let before = Tokens::new(OLD_KEY.as_bytes(), ttl, ttl);
    let plain = TestApp::spawn().await;
    let user = plain.signed_up("rotation@example.org").await;
    let id: uuid::Uuid = user.id.parse().expect("uuid");
    let signed_before = before
        .issue_access(id, Role::Member, 1, Utc::now())
        .expect("sign");
    // Without the previous key, a token it signed is a stranger's.
    plain
        .get("/api/v1/me", Some(&signed_before.token))
        .await
        .assert_problem(401, "unauthenticated");

    let app = TestApp::spawn_with(&[("QUARTIER_JWT_PREVIOUS_SECRET", OLD_KEY)]).await;
    let user = app.signed_up("rotation@example.org").await;
    let id: uuid::Uuid = user.id.parse().expect("uuid");
    let signed_before = before
        .issue_access(id, Role::Member, 1, Utc::now())
        .expect("sign");
    let me = app.get("/api/v1/me", Some(&signed_before.token)).await;
    assert_eq!(me.status, 200, "{}", String::from_utf8_lossy(&me.body));
    assert_eq!(me.json()["id"], user.id.as_str());
    // What the service signs now is signed with the new key alone.
    let ours = Tokens::new(TEST_JWT_SECRET.as_bytes(), ttl, ttl);
    assert!(ours.verify_access(&user.access_token).is_ok());
    assert!(before.verify_access(&user.access_token).is_err());
    // An expired token of the old key stays expired.
    let expired = before
        .issue_access(id, Role::Member, 1, Utc::now() - chrono::Duration::hours(1))
        .expect("sign");
    app.get("/api/v1/me", Some(&expired.token))
        .await
        .assert_problem(401, "unauthenticated");
    // The same key twice, or a short one, is refused at start.
    for bad in [TEST_JWT_SECRET, "too short"] {
        let settings = quartier_api::config::Settings::from_lookup(|name| match name {
            "QUARTIER_JWT_SECRET" => Some(TEST_JWT_SECRET.to_owned()),
            "QUARTIER_JWT_PREVIOUS_SECRET" => Some(bad.to_owned()),
            _ => None,
        });
        let error = settings.expect_err(bad);
        assert!(
            error.to_string().contains("QUARTIER_JWT_PREVIOUS_SECRET"),
            "{error}"
        );
    }
}

#[actix_web::test]
async fn addresses_differing_only_in_unicode_composition_are_one_account() {
    let app = TestApp::spawn().await;
    let composed = "zo\u{00EB}@example.org";
    let decomposed = "zoe\u{0308}@example.org";
    let password = "ein sicheres Passwort";
    assert_eq!(app.register(decomposed, password).await.status, 201);

    app.register(composed, password)
        .await
        .assert_problem(409, "email-taken");
    app.register(&decomposed.to_uppercase(), password)
        .await
        .assert_problem(409, "email-taken");

    // Stored composed, and found whichever way it is typed.
    assert_eq!(
        app.count("users", &format!("email = '{composed}'")).await,
        1
    );
    assert_eq!(app.login(composed, password).await.status, 200);
    assert_eq!(app.login(decomposed, password).await.status, 200);
}

#[actix_web::test]
async fn display_names_must_show_what_they_say() {
    let app = TestApp::spawn().await;
    let register = |n: usize, name: &str| {
        let app = &app;
        let body = json!({"email": format!("name{n}@example.org"), "display_name": name,
                          "password": "ein sicheres Passwort", "privacy_consent": true});
        async move { app.post("/api/v1/auth/register", &body).await }
    };

    for (n, invisible) in ["\u{3164}", "\u{00AD}\u{2060}", "\u{180E}", "\u{0301}"]
        .iter()
        .enumerate()
    {
        let refused = register(n, invisible).await;
        refused.assert_problem(422, "validation-failed");
        assert_eq!(refused.problem_fields(), ["display_name"]);
    }
    register(10, "Anna\u{2067}tsoh\u{2069}")
        .await
        .assert_problem(422, "validation-failed");
    let family = register(11, "Familie \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}").await;
    assert_eq!(
        family.status,
        201,
        "{}",
        String::from_utf8_lossy(&family.body)
    );
    assert_eq!(app.count("users", "true").await, 1);
}
