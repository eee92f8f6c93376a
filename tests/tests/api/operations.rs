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

    assert_eq!(
        (live.status, live.json()["status"].as_str()),
        (200, Some("ok"))
    );
    assert_eq!(
        (ready.status, ready.json()["status"].as_str()),
        (200, Some("ok"))
    );
}

async fn roles(app: &TestApp) -> Vec<(String, String)> {
    let mut conn = app.conn().await;
    users::table
        .select((users::email, users::role))
        .order(users::email)
        .load(&mut conn)
        .await
        .expect("users")
}

#[actix_web::test]
async fn create_admin_creates_once_and_promotes_existing_accounts() {
    let app = TestApp::spawn().await;
    let member = app.signed_up("member@example.org").await;

    create_admin(
        app.settings.clone(),
        "admin@example.org",
        "Admin",
        Some("ein Admin-Passwort".into()),
    )
    .await
    .expect("create");
    create_admin(
        app.settings.clone(),
        "ADMIN@example.org",
        "Admin",
        Some("ein anderes Passwort".into()),
    )
    .await
    .expect("repeat");
    create_admin(app.settings.clone(), &member.email, "Ignored", None)
        .await
        .expect("promote");

    assert_eq!(
        roles(&app).await,
        [
            ("admin@example.org".to_owned(), "admin".to_owned()),
            ("member@example.org".to_owned(), "admin".to_owned())
        ]
    );
    let login = app.login("admin@example.org", "ein Admin-Passwort").await;
    assert_eq!(login.status, 200, "the first password stays");
    let me = app
        .get("/api/v1/me", login.json()["access_token"].as_str())
        .await;
    assert_eq!(me.json()["role"], "admin");
    let weak = create_admin(
        app.settings.clone(),
        "new@example.org",
        "Admin",
        Some("kurz".into()),
    )
    .await;
    assert!(weak.is_err(), "the password policy applies");
}
