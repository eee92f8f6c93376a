//! Database errors are told apart by their SQLSTATE, whatever language the PostgreSQL server
//! speaks: a German `lc_messages` changes no status a client sees.

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use quartier_persistence::Error;
use quartier_persistence::database;
use quartier_tests::{TestApp, TestDb};

async fn failure(conn: &mut AsyncPgConnection, sql: &str) -> Error {
    let failed = diesel::sql_query(sql)
        .execute(conn)
        .await
        .expect_err("the statement fails");
    Error::from(failed)
}

async fn language(conn: &mut AsyncPgConnection) -> String {
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        lc_messages: String,
    }
    let setting: Setting = diesel::sql_query("SHOW lc_messages")
        .get_result(conn)
        .await
        .expect("a setting");
    setting.lc_messages
}

/// Two transactions that each hold what the other waits for: PostgreSQL fails one.
async fn deadlock(url: &database::DatabaseUrl) -> Error {
    let lock_in_turn = |first: i64, second: i64| {
        let url = url.clone();
        async move {
            let mut conn = database::connect(&url).await.expect("a connection");
            conn.transaction::<_, diesel::result::Error, _>(async |conn| {
                conn.batch_execute(&format!(
                    "SELECT pg_advisory_xact_lock({first}); SELECT pg_sleep(0.3); \
                     SELECT pg_advisory_xact_lock({second})"
                ))
                .await
            })
            .await
        }
    };
    let (a, b) = tokio::join!(lock_in_turn(1, 2), lock_in_turn(2, 1));
    Error::from(a.err().or(b.err()).expect("one of the two was failed"))
}

#[actix_web::test]
async fn a_german_server_gets_the_same_answers() {
    let db = TestDb::migrated().await;
    let mut setup = database::connect(db.url()).await.expect("a connection");
    diesel::sql_query(format!(
        "ALTER DATABASE \"{}\" SET lc_messages = 'de_DE.UTF-8'",
        db.url().name()
    ))
    .execute(&mut setup)
    .await
    .expect("the locale de_DE.UTF-8 is installed on the database server (.ci/run installs it)");

    // A session that keeps the server's German, as a role may that cannot choose its own.
    let mut german = database::connect(db.url()).await.expect("a connection");
    assert_eq!(language(&mut german).await, "de_DE.UTF-8");
    let overflow = failure(&mut german, "SELECT 2147483647::int4 + 1").await;
    assert!(overflow.to_string().contains("außerhalb"), "{overflow}");
    assert!(matches!(overflow, Error::InvalidValue(_)), "{overflow:?}");
    let bytes = failure(&mut german, "SELECT convert_from('\\xff'::bytea, 'UTF8')").await;
    assert!(matches!(bytes, Error::InvalidValue(_)), "{bytes:?}");
    german
        .batch_execute("SET statement_timeout = 50")
        .await
        .expect("set");
    let slow = failure(&mut german, "SELECT pg_sleep(1)").await;
    assert!(matches!(slow, Error::Unavailable(_)), "{slow:?}");
    let stuck = deadlock(db.url()).await;
    assert!(stuck.to_string().contains("Verklemmung"), "{stuck}");
    assert!(stuck.is_deadlock(), "{stuck:?}");
    drop((german, setup));

    // The application's own connections keep the server's language, and answer as always.
    let app = TestApp::spawn_on(db, &[]).await;
    let mut pooled = app.conn().await;
    assert_eq!(language(&mut pooled).await, "de_DE.UTF-8");
    let overflow = failure(&mut pooled, "SELECT 2147483647::int4 + 1").await;
    assert!(matches!(overflow, Error::InvalidValue(_)), "{overflow:?}");
    let unknown = failure(&mut pooled, "SELECT no_such_column FROM users").await;
    assert!(matches!(unknown, Error::Other(_)), "{unknown:?}");
    drop(pooled);

    // Through the API: what the database cannot store is the client's problem, not a 500.
    let login = app
        .login("anna\u{0}@example.org", "ein langes Passwort")
        .await;
    login.assert_problem(401, "invalid-credentials");
    let register = app
        .register("anna\u{0}@example.org", "ein langes Passwort")
        .await;
    register.assert_problem(422, "validation-failed");
}
