//! Session changes racing each other: no revocation may miss a token a rotation is adding.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use quartier_persistence::refresh_tokens::{self, NewRefreshToken};
use quartier_persistence::schema::users;
use quartier_persistence::users as accounts;
use quartier_tests::TestApp;
use uuid::Uuid;

/// Stores a fresh session (a new family) for `user_id`; returns its token hash.
async fn new_session(app: &TestApp, user_id: Uuid) -> Vec<u8> {
    let hash = Uuid::now_v7().as_bytes().to_vec();
    let token = NewRefreshToken {
        id: Uuid::now_v7(),
        user_id,
        family_id: Uuid::now_v7(),
        token_hash: &hash,
        expires_at: Utc::now() + chrono::Duration::days(1),
    };
    refresh_tokens::insert(&mut *app.conn().await, &token)
        .await
        .expect("insert");
    hash
}

async fn rotate(app: &TestApp, hash: &[u8]) {
    let next = Uuid::now_v7();
    let expires = Utc::now() + chrono::Duration::days(1);
    refresh_tokens::rotate(&mut *app.conn().await, hash, next, next.as_bytes(), expires)
        .await
        .expect("rotate");
}

#[actix_web::test]
async fn a_password_change_racing_a_rotation_leaves_no_session_alive() {
    let app = TestApp::spawn().await;
    let user: Uuid = app
        .signed_up("anna@example.org")
        .await
        .id
        .parse()
        .expect("uuid");

    for round in 0..40 {
        let hash = new_session(&app, user).await;
        let version: i32 = users::table
            .find(user)
            .select(users::version)
            .first(&mut *app.conn().await)
            .await
            .expect("version");

        let change = async {
            accounts::change_password(
                &mut *app.conn().await,
                user,
                version,
                "$argon2id$not-a-real-hash",
            )
            .await
        };
        let (changed, ()) = tokio::join!(change, rotate(&app, &hash));

        assert!(changed.expect("change password").is_some(), "round {round}");
        let live = app
            .count("refresh_tokens", "revoked_at IS NULL AND used_at IS NULL")
            .await;
        assert_eq!(
            live, 0,
            "round {round}: a session survived the password change"
        );
    }
}

#[actix_web::test]
async fn a_logout_racing_a_rotation_leaves_no_session_alive() {
    let app = TestApp::spawn().await;
    let user: Uuid = app
        .signed_up("anna@example.org")
        .await
        .id
        .parse()
        .expect("uuid");
    let baseline = app
        .count("refresh_tokens", "revoked_at IS NULL AND used_at IS NULL")
        .await;

    for round in 0..40 {
        let hash = new_session(&app, user).await;

        let logout =
            async { refresh_tokens::revoke_family_of(&mut *app.conn().await, &hash).await };
        let (found, ()) = tokio::join!(logout, rotate(&app, &hash));

        assert!(found.expect("logout"), "round {round}");
        let live = app
            .count("refresh_tokens", "revoked_at IS NULL AND used_at IS NULL")
            .await;
        assert_eq!(
            live, baseline,
            "round {round}: the session survived its logout"
        );
    }
}

#[actix_web::test]
async fn a_login_checked_against_a_password_changed_since_starts_no_session() {
    let app = TestApp::spawn().await;
    let user: Uuid = app
        .signed_up("anna@example.org")
        .await
        .id
        .parse()
        .expect("uuid");
    let (old_hash, version): (String, i32) = users::table
        .find(user)
        .select((users::password_hash.assume_not_null(), users::version))
        .first(&mut *app.conn().await)
        .await
        .expect("account");
    // The password changes between the login's check and its session being stored.
    accounts::change_password(&mut *app.conn().await, user, version, "$argon2id$changed")
        .await
        .expect("change");
    let before = app.count("refresh_tokens", "true").await;

    let hash = Uuid::now_v7().as_bytes().to_vec();
    let first = NewRefreshToken {
        id: Uuid::now_v7(),
        user_id: user,
        family_id: Uuid::now_v7(),
        token_hash: &hash,
        expires_at: Utc::now() + chrono::Duration::days(1),
    };
    let started = refresh_tokens::start_family(&mut *app.conn().await, &first, &old_hash)
        .await
        .expect("start");

    assert_eq!(started, None);
    assert_eq!(app.count("refresh_tokens", "true").await, before);
}
