//! Health checks and the first administrator.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use quartier_api::commands::create_admin;
use quartier_persistence::schema::users;
use quartier_tests::TestApp;

#[actix_web::test]
async fn health_checks_answer() {
    let app = TestApp::spawn().await;

    let live = app.get("/health/live", None).await;
    let ready = app.get("/health/ready", None).await;
    let head = app
        .send(actix_web::http::Method::HEAD, "/health/ready", &[], None)
        .await;

    assert_eq!(
        (live.status, live.json()["status"].as_str()),
        (200, Some("ok"))
    );
    assert_eq!(
        (ready.status, ready.json()["status"].as_str()),
        (200, Some("ok"))
    );
    assert_eq!(
        (head.status, head.body.len()),
        (200, 0),
        "HEAD answers like GET, without a body"
    );
}

async fn roles(app: &TestApp) -> Vec<(String, String)> {
    let mut conn = app.conn().await;
    users::table
        .select((users::email.assume_not_null(), users::role))
        .order(users::email)
        .load(&mut conn)
        .await
        .expect("users")
}

#[actix_web::test]
async fn create_admin_creates_once_and_is_safe_to_repeat() {
    let app = TestApp::spawn().await;
    let admin = |email: &'static str, password: &'static str| {
        create_admin(
            app.settings.clone(),
            email,
            "Admin",
            Some(password.into()),
            false,
        )
    };

    admin("admin@example.org", "ein Admin-Passwort")
        .await
        .expect("create");
    admin("ADMIN@example.org", "ein anderes Passwort")
        .await
        .expect("repeat");

    assert_eq!(
        roles(&app).await,
        [("admin@example.org".to_owned(), "admin".to_owned())]
    );
    let login = app.login("admin@example.org", "ein Admin-Passwort").await;
    assert_eq!(login.status, 200, "the first password stays");
    let me = app
        .get("/api/v1/me", login.json()["access_token"].as_str())
        .await;
    assert_eq!(me.json()["role"], "admin");
    assert!(
        admin("new@example.org", "kurz").await.is_err(),
        "the password policy applies"
    );
}

#[actix_web::test]
async fn create_admin_promotes_a_registered_account_only_when_told() {
    let app = TestApp::spawn().await;
    // Anyone may register the address an administrator is meant to have.
    let squatter = app.signed_up("admin@example.org").await;

    let refused = create_admin(
        app.settings.clone(),
        &squatter.email,
        "Admin",
        Some("ein Admin-Passwort".into()),
        false,
    )
    .await;

    assert!(refused.is_err());
    assert_eq!(
        roles(&app).await,
        [("admin@example.org".to_owned(), "member".to_owned())]
    );

    create_admin(app.settings.clone(), &squatter.email, "Admin", None, true)
        .await
        .expect("promote");

    assert_eq!(
        roles(&app).await,
        [("admin@example.org".to_owned(), "admin".to_owned())]
    );
}
