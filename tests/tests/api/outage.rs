//! The database goes away under load and comes back: requests answer 503 quickly meanwhile,
//! readiness says so, the service recovers by itself, and no sign-up is lost or doubled.

use std::time::{Duration, Instant};

use actix_web::http::Method;
use futures_util::future::join_all;
use quartier_tests::{TempCluster, TestApp, TestDb, setup, shift};

/// The longest a request may take while the database is down.
const QUICK: Duration = Duration::from_secs(4);

/// Signs `token`'s volunteer up, retrying with the same `Idempotency-Key` while the service
/// is unavailable; returns the final status and how many 503 answers came first.
async fn sign_up_until_answered(
    app: &TestApp,
    shift: &str,
    token: &str,
    key: &str,
) -> (u16, usize, Duration) {
    let mut unavailable = 0;
    let mut slowest_503 = Duration::ZERO;
    let started = Instant::now();
    loop {
        let sent = Instant::now();
        let answer = app
            .send(
                Method::POST,
                &format!("/api/v1/shifts/{shift}/signups"),
                &[
                    ("authorization", &format!("Bearer {token}")),
                    ("idempotency-key", key),
                ],
                None,
            )
            .await;
        if answer.status != 503 || started.elapsed() > Duration::from_secs(90) {
            return (answer.status, unavailable, slowest_503);
        }
        answer.assert_problem(503, "service-unavailable");
        assert!(answer.header("retry-after").is_some());
        unavailable += 1;
        slowest_503 = slowest_503.max(sent.elapsed());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[actix_web::test]
async fn when_the_database_goes_away_mid_load_no_sign_up_is_lost_or_doubled() {
    let cluster = std::sync::Arc::new(
        tokio::task::spawn_blocking(TempCluster::start)
            .await
            .expect("cluster"),
    );
    let db = TestDb::migrated_on(&cluster.url()).await;
    let app = TestApp::spawn_on(
        db,
        &[
            ("QUARTIER_DB_WAIT_TIMEOUT_MS", "500"),
            ("QUARTIER_DB_CONNECT_TIMEOUT_MS", "500"),
            ("QUARTIER_DB_RECYCLE_TIMEOUT_MS", "300"),
            ("QUARTIER_REQUEST_TIMEOUT_SECS", "3"),
        ],
    )
    .await;
    let s = setup(&app).await;
    let full = shift(&app, &s, "Tische decken", 48, 20, serde_json::json!({})).await;
    let volunteers = app.volunteers(80).await;

    // Eighty volunteers sign up, a few at a time, while the database is stopped after the
    // first ones and started again two seconds later.
    let load = async {
        let mut answers = Vec::new();
        for wave in volunteers.chunks(8) {
            let sent = wave
                .iter()
                .map(|(id, token)| sign_up_until_answered(&app, &full, token, id));
            answers.extend(join_all(sent).await);
        }
        answers
    };
    let outage = async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let stopping = cluster.clone();
        tokio::task::spawn_blocking(move || stopping.stop_now())
            .await
            .expect("stop");
        let asked = Instant::now();
        let ready = app.get("/health/ready", None).await;
        let ready_took = asked.elapsed();
        let live = app.get("/health/live", None).await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let starting = cluster.clone();
        tokio::task::spawn_blocking(move || starting.start_again())
            .await
            .expect("start");
        let back = Instant::now();
        let recovered = loop {
            if app.get("/health/ready", None).await.status == 200 {
                break back.elapsed();
            }
            assert!(back.elapsed() < Duration::from_secs(30), "no recovery");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        (ready, ready_took, live, recovered)
    };

    let (answers, (ready, ready_took, live, recovered)) = tokio::join!(load, outage);

    ready.assert_problem(503, "service-unavailable");
    assert!(ready_took < QUICK, "readiness took {ready_took:?}");
    assert_eq!(live.status, 200);
    assert!(
        recovered < Duration::from_secs(10),
        "recovery took {recovered:?}"
    );
    let unavailable: usize = answers.iter().map(|(_, n, _)| n).sum();
    let slowest = answers.iter().map(|(_, _, d)| *d).max().unwrap_or_default();
    eprintln!(
        "outage: readiness answered in {ready_took:?}; {unavailable} answers of 503, the slowest in {slowest:?}; ready again {recovered:?} after the restart"
    );
    assert!(unavailable > 0, "the outage was felt by some sign-ups");
    for (status, _, slowest) in &answers {
        assert_eq!(*status, 201);
        assert!(*slowest < QUICK, "a 503 took {slowest:?}");
    }
    // Every volunteer is on the shift exactly once: 20 confirmed, 60 waiting, counts agree,
    // and each sign-up was announced once.
    let shift_cond = format!("shift_id = '{full}'");
    assert_eq!(app.count("signups", &shift_cond).await, 80);
    assert_eq!(
        app.count("signups", &format!("{shift_cond} AND status = 'confirmed'"))
            .await,
        20
    );
    assert_eq!(
        app.count(
            "signups",
            &format!("{shift_cond} AND status = 'waitlisted'")
        )
        .await,
        60
    );
    assert_eq!(
        app.count("shifts", &format!("id = '{full}' AND confirmed_count = 20"))
            .await,
        1
    );
    assert_eq!(
        app.count(
            "outbox_events",
            "kind IN ('signup.confirmed', 'signup.waitlisted')"
        )
        .await,
        80
    );
}
