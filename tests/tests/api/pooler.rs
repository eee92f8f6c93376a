//! PgBouncer in transaction mode in front of PostgreSQL: many instances' connections on a few
//! server connections. The API works through it (prepared statements kept by PgBouncer 1.21
//! and later, settings given by its `connect_query`), and refuses a pooler that would lose
//! its prepared statements.

use diesel_async::RunQueryDsl;
use futures_util::future::join_all;
use quartier_persistence::pool::{self, build_pool};
use quartier_persistence::{PoolSettings, Pooler};
use quartier_tests::{PgBouncer, PgBouncerOptions, TestApp, TestDb, setup, shift, sign_up};
use serde_json::json;

fn with_settings(pool_size: u32) -> PgBouncerOptions {
    PgBouncerOptions {
        pool_size,
        connect_query: Some(pool::session_settings(5000)),
        ..PgBouncerOptions::default()
    }
}

/// Server connections to the test's database other than the asking one.
async fn server_connections(app: &TestApp) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut direct = quartier_persistence::database::connect(app.db.url())
        .await
        .expect("a direct connection");
    diesel::sql_query(
        "SELECT count(*) AS n FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid() \
           AND backend_type = 'client backend'",
    )
    .get_result::<Count>(&mut direct)
    .await
    .expect("a count")
    .n
}

#[actix_web::test]
async fn sixty_sign_ups_through_two_server_connections_never_overbook() {
    let app =
        TestApp::spawn_behind_pgbouncer(&with_settings(2), &[("QUARTIER_DB_POOL_SIZE", "16")])
            .await;
    let second = app.another_instance().await;
    let s = setup(&app).await;
    let shift = shift(&app, &s, "Tafel ausgeben", 30, 4, json!({})).await;
    let volunteers = app.volunteers(60).await;

    let answers = join_all(volunteers.iter().enumerate().map(|(i, (_, token))| {
        let instance = if i % 2 == 0 { &app } else { &second };
        sign_up(instance, token, &shift)
    }))
    .await;

    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    assert_eq!(app.count("signups", "status = 'confirmed'").await, 4);
    assert_eq!(app.count("signups", "status = 'waitlisted'").await, 56);
    assert_eq!(app.count("shifts", "confirmed_count = 4").await, 1);
    // The instances' 32 pool connections shared PgBouncer's two server connections.
    let servers = server_connections(&app).await;
    assert!((1..=2).contains(&servers), "{servers} server connections");
    // Reads, with the statement cache at work, from both instances.
    for instance in [&app, &second] {
        for _ in 0..3 {
            let roster = instance
                .get(
                    &format!("/api/v1/shifts/{shift}/roster"),
                    Some(&s.coordinator.access_token),
                )
                .await;
            assert_eq!(roster.status, 200, "{:?}", roster.json());
            assert_eq!(roster.json().as_array().map(Vec::len), Some(60));
        }
    }
}

#[actix_web::test]
async fn the_server_sessions_run_with_the_settings_pgbouncer_gives_them() {
    let app = TestApp::spawn_behind_pgbouncer(&with_settings(2), &[]).await;
    let found = pool::check_transaction_pooler(&app.pool)
        .await
        .expect("PgBouncer keeps prepared statements");
    assert_eq!(found.database, app.db.url().name());
    assert_eq!(found.statement_timeout_ms, 5000);
    assert_eq!(found.plan_cache_mode, "force_generic_plan");
    // A statement that runs too long is cancelled by the server session's timeout: 503.
    let mut conn = app.conn().await;
    let slow = diesel::sql_query("SELECT pg_sleep(6)")
        .execute(&mut conn)
        .await
        .expect_err("cancelled");
    assert!(
        matches!(
            quartier_persistence::Error::from(slow),
            quartier_persistence::Error::Unavailable(_)
        ),
        "a statement timeout"
    );

    // Without connect_query the sessions have PostgreSQL's defaults, which the check reports
    // (the instance warns at start).
    let bare = PgBouncer::start(app.db.url(), &PgBouncerOptions::default());
    let settings = PoolSettings {
        pooler: Pooler::Transaction,
        ..PoolSettings::default()
    };
    let bare_pool = build_pool(&bare.url(app.db.url()), &settings).expect("a pool");
    let found = pool::check_transaction_pooler(&bare_pool)
        .await
        .expect("PgBouncer keeps prepared statements");
    assert_eq!(found.statement_timeout_ms, 0);
}

#[actix_web::test]
async fn a_pooler_that_loses_prepared_statements_is_refused() {
    let db = TestDb::migrated().await;
    let settings = PoolSettings {
        pooler: Pooler::Transaction,
        ..PoolSettings::default()
    };
    // PgBouncer before 1.21 behaves so: it passes the client's statement names through.
    let forgetful = PgBouncer::start(
        db.url(),
        &PgBouncerOptions {
            max_prepared_statements: 0,
            ..with_settings(2)
        },
    );
    let through = build_pool(&forgetful.url(db.url()), &settings).expect("a pool");
    let refused = pool::check_transaction_pooler(&through)
        .await
        .expect_err("refused");
    assert!(refused.to_string().contains("1.21"), "{refused}");
    // Straight to PostgreSQL, a pool told it goes through a pooler is refused as well.
    let direct = build_pool(db.url(), &settings).expect("a pool");
    let refused = pool::check_transaction_pooler(&direct)
        .await
        .expect_err("refused");
    assert!(
        refused.to_string().contains("max_prepared_statements"),
        "{refused}"
    );
}

#[actix_web::test]
async fn the_pooler_and_the_migrations_must_reach_the_same_database() {
    let app = TestApp::spawn_behind_pgbouncer(&with_settings(2), &[]).await;
    let other = TestDb::migrated().await;
    let mut settings = app.settings.clone();
    settings.migration_database_url = Some(other.url().clone());
    let refused = quartier_api::commands::check_pooler(&settings, &app.pool, "DATABASE_URL")
        .await
        .expect_err("two databases");
    assert!(refused.to_string().contains("same database"), "{refused}");
}
