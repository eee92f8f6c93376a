//! Operations at scale: `/metrics` as a scraper reads it, and public pages answered from
//! memory — fresh again after at most the time to live, at once after a change that the
//! database notes, never one reader's page for another.

use std::time::{Duration, Instant};

use actix_web::web;
use chrono::Utc;
use diesel_async::RunQueryDsl;
use quartier_tests::metrics::{parse, samples, value};
use quartier_tests::{TestApp, id_of, patch, post, setup, shift, sign_up};
use serde_json::{Value, json};

const TOKEN: &str = "a metrics token for the tests";

async fn scrape(app: &TestApp) -> Vec<Value> {
    let response = app.get("/metrics", Some(TOKEN)).await;
    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    assert_eq!(
        response.header("content-type"),
        Some(quartier_api::metrics::CONTENT_TYPE)
    );
    parse(&String::from_utf8_lossy(&response.body))
}

#[actix_web::test]
async fn metrics_answer_only_the_scraper_that_brings_the_token() {
    let closed = TestApp::spawn().await;
    closed
        .get("/metrics", Some(TOKEN))
        .await
        .assert_problem(401, "unauthenticated");

    let app = TestApp::spawn_with(&[("QUARTIER_METRICS_TOKEN", TOKEN)]).await;
    app.get("/metrics", None)
        .await
        .assert_problem(401, "unauthenticated");
    app.get("/metrics", Some("a metrics token for the test"))
        .await
        .assert_problem(401, "unauthenticated");
    let s = setup(&app).await;
    app.get(&format!("/api/v1/centres/{}", s.centre), None)
        .await;
    app.get("/api/v1/centres/not-a-centre", None).await;

    let families = scrape(&app).await;

    // Requests by route pattern (never by path, so ids make no series), method and status.
    let route = [("route", "/api/v1/centres/{id}"), ("method", "GET")];
    assert!(
        value(
            &families,
            "quartier_http_requests_total",
            &[route[0], route[1], ("status", "200")]
        ) >= 1.0
    );
    assert!(
        !samples(&families, "quartier_http_requests_total", &[])
            .iter()
            .any(|sample| sample["labels"]["route"]
                .as_str()
                .is_some_and(|route| route.contains(&s.centre))),
        "no path with an id is a label"
    );
    assert!(
        value(
            &families,
            "quartier_http_request_duration_seconds_count",
            &route
        ) >= 2.0
    );
    assert!(
        !samples(
            &families,
            "quartier_http_request_duration_seconds_bucket",
            &route
        )
        .is_empty()
    );
    // The pool of this instance (the tests give it 8 connections).
    assert_eq!(
        value(&families, "quartier_db_pool_max_connections", &[]),
        8.0
    );
    assert!(value(&families, "quartier_db_pool_connections", &[]) >= 1.0);
    for queue in ["outbox", "webhooks", "mail"] {
        assert!(value(&families, "quartier_queue_size", &[("queue", queue)]) >= 0.0);
        assert!(value(&families, "quartier_queue_lag_seconds", &[("queue", queue)]) >= 0.0);
    }
    for name in [
        "quartier_db_statement_timeouts_total",
        "quartier_rate_limit_refusals_total",
        "quartier_public_cache_entries",
    ] {
        assert_eq!(samples(&families, name, &[]).len(), 1, "{name}");
    }
}

#[actix_web::test]
async fn metrics_show_the_queues_the_database_holds_and_what_was_refused() {
    let app = TestApp::spawn_with(&[
        ("QUARTIER_METRICS_TOKEN", TOKEN),
        ("QUARTIER_RATE_LIMIT_ANONYMOUS_PER_MINUTE", "3"),
    ])
    .await;
    let before = scrape(&app).await;
    let refused_before = value(&before, "quartier_rate_limit_refusals_total", &[]);
    let timeouts_before = value(&before, "quartier_db_statement_timeouts_total", &[]);

    // A mail due an hour ago that a sender holds, and a webhook delivery that failed for good.
    let mut conn = app.conn().await;
    diesel::sql_query(
        "INSERT INTO notifications (id, kind, details, dedup_key, due_at, state, address, leased_until) \
         VALUES (gen_random_uuid(), 'shift_reminder', '{}', 'metrics-test', now() - interval '1 hour', \
                 'queued', 'someone@example.org', now() + interval '1 hour')",
    )
    .execute(&mut conn)
    .await
    .expect("a queued mail");
    // A statement cancelled at the statement timeout.
    for sql in ["BEGIN", "SET LOCAL statement_timeout = 20"] {
        diesel::sql_query(sql).execute(&mut conn).await.expect(sql);
    }
    let cancelled = diesel::sql_query("SELECT pg_sleep(1)")
        .execute(&mut conn)
        .await
        .map_err(quartier_persistence::Error::from);
    diesel::sql_query("ROLLBACK")
        .execute(&mut conn)
        .await
        .expect("ROLLBACK");
    assert!(matches!(
        cancelled,
        Err(quartier_persistence::Error::Unavailable(_))
    ));
    drop(conn);
    for _ in 0..5 {
        app.get("/api/v1/districts", None).await;
    }

    let after = scrape(&app).await;

    assert!(value(&after, "quartier_queue_size", &[("queue", "mail")]) >= 1.0);
    let lag = value(&after, "quartier_queue_lag_seconds", &[("queue", "mail")]);
    assert!(
        (3590.0..4000.0).contains(&lag),
        "the mail waited an hour: {lag}"
    );
    assert!(value(&after, "quartier_rate_limit_refusals_total", &[]) >= refused_before + 2.0);
    assert!(
        value(
            &after,
            "quartier_http_requests_total",
            &[("route", "/api/v1/districts"), ("status", "429")]
        ) >= 2.0
    );
    assert!(value(&after, "quartier_db_statement_timeouts_total", &[]) >= timeouts_before + 1.0);
}

#[actix_web::test]
async fn metrics_can_have_an_address_of_their_own_without_a_token() {
    let app = TestApp::spawn().await;
    let state = web::Data::new(
        quartier_api::state::AppState::new(&app.settings, app.pool.clone()).expect("state"),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let server =
        quartier_api::metrics::serve_separately(&format!("127.0.0.1:{port}"), state).expect("bind");
    let handle = server.handle();
    actix_web::rt::spawn(server);

    let mut response = awc::Client::default()
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .expect("scrape");
    let body = response.body().await.expect("body");
    handle.stop(true).await;

    assert_eq!(response.status().as_u16(), 200);
    let families = parse(&String::from_utf8_lossy(&body));
    assert!(!samples(&families, "quartier_db_pool_max_connections", &[]).is_empty());
    // The API's own address still has no open /metrics.
    app.get("/metrics", None)
        .await
        .assert_problem(401, "unauthenticated");
}

/// The name of the set-up centre as an anonymous reader of the centre list sees it.
async fn listed_name(app: &TestApp) -> (String, Option<String>) {
    let response = app.get("/api/v1/centres", None).await;
    assert_eq!(response.status, 200);
    let etag = response.header("etag").map(str::to_owned);
    let name = response.json()["items"][0]["name"]
        .as_str()
        .expect("a centre")
        .to_owned();
    (name, etag)
}

/// Reads `read` until it returns `wanted` or `within` has passed; how long it took.
async fn until<F, Fut>(within: Duration, wanted: &str, mut read: F) -> Option<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = String>,
{
    let started = Instant::now();
    while started.elapsed() < within {
        if read().await == wanted {
            return Some(started.elapsed());
        }
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    None
}

#[actix_web::test]
async fn a_public_page_is_served_from_memory_for_at_most_its_time_to_live() {
    let app = TestApp::spawn_with(&[("QUARTIER_PUBLIC_CACHE_TTL_MS", "1500")]).await;
    let s = setup(&app).await;
    assert_eq!(listed_name(&app).await.0, "Bürgerhaus");
    // A change the database does not note (its trigger is off): only the time to live ends
    // the page.
    let mut conn = app.conn().await;
    for sql in [
        "ALTER TABLE centres DISABLE TRIGGER centres_public_update",
        "UPDATE centres SET name = 'Bürgerhaus Mitte'",
    ] {
        diesel::sql_query(sql).execute(&mut conn).await.expect(sql);
    }
    let changed = Instant::now();

    let right_after = listed_name(&app).await.0;
    let fresh = until(Duration::from_secs(5), "Bürgerhaus Mitte", || async {
        listed_name(&app).await.0
    })
    .await;

    assert_eq!(right_after, "Bürgerhaus", "the page came from memory");
    assert!(
        fresh.is_some(),
        "the change is shown once the page is older than 1.5 s"
    );
    assert!(changed.elapsed() < Duration::from_millis(1500 + 2500));
    // Signed in, the change is seen at once: nobody signed in is served from memory.
    let staff = app
        .get("/api/v1/centres", Some(&s.coordinator.access_token))
        .await;
    assert_eq!(staff.json()["items"][0]["name"], "Bürgerhaus Mitte");
}

#[actix_web::test]
async fn a_change_drops_the_cached_pages_of_every_instance_at_once() {
    let app = TestApp::spawn_with(&[("QUARTIER_PUBLIC_CACHE_TTL_MS", "60000")]).await;
    let other = app.another_instance().await;
    let s = setup(&app).await;
    let (name, etag) = listed_name(&app).await;
    assert_eq!(name, "Bürgerhaus");
    let etag = etag.expect("an ETag");
    // The reader's copy is current: 304 from memory, with the same tag.
    let again = app
        .send(
            actix_web::http::Method::GET,
            "/api/v1/centres",
            &[("if-none-match", &etag)],
            None,
        )
        .await;
    assert_eq!(
        (again.status, again.header("etag")),
        (304, Some(etag.as_str()))
    );

    // Renamed through the other instance.
    let renamed = patch(
        &other,
        &s.admin.access_token,
        &format!("/api/v1/centres/{}", s.centre),
        json!({"name": "Bürgerhaus Mitte"}),
    )
    .await;
    assert_eq!(renamed.status, 200);

    let seen = until(Duration::from_secs(3), "Bürgerhaus Mitte", || async {
        listed_name(&app).await.0
    })
    .await;
    assert!(
        seen.is_some(),
        "a time to live of a minute, yet the change shows within seconds"
    );
    let stale_copy = app
        .send(
            actix_web::http::Method::GET,
            "/api/v1/centres",
            &[("if-none-match", &etag)],
            None,
        )
        .await;
    assert_eq!(stale_copy.status, 200, "the old ETag no longer matches");
    assert_ne!(stale_copy.header("etag"), Some(etag.as_str()));
}

#[actix_web::test]
async fn a_sign_up_on_another_instance_shows_in_the_cached_open_shifts() {
    let app = TestApp::spawn_with(&[("QUARTIER_PUBLIC_CACHE_TTL_MS", "60000")]).await;
    let other = app.another_instance().await;
    let s = setup(&app).await;
    shift(&app, &s, "Küche", 48, 3, json!({})).await;
    let from = Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
    let to = (Utc::now() + chrono::Duration::days(7)).format("%Y-%m-%dT%H:%M:%SZ");
    let path = format!("/api/v1/shifts?from={from}&to={to}");
    assert_eq!(free(&app, &path).await, "3");
    assert_eq!(free(&app, &path).await, "3");

    let volunteer = other.signed_up("helferin@example.org").await;
    assert_eq!(
        sign_up(
            &other,
            &volunteer.access_token,
            &id_of_first(&app, &path).await
        )
        .await
        .status,
        201
    );

    let seen = until(Duration::from_secs(3), "2", || free(&app, &path)).await;
    assert!(
        seen.is_some(),
        "the sign-up's event drops the page of open shifts"
    );
}

/// The free places of the first open shift, as an anonymous reader sees them.
async fn free(app: &TestApp, path: &str) -> String {
    let response = app.get(path, None).await;
    assert_eq!(response.status, 200);
    response.json()["items"][0]["free_places"].to_string()
}

async fn id_of_first(app: &TestApp, path: &str) -> String {
    app.get(path, None).await.json()["items"][0]["id"]
        .as_str()
        .expect("a shift")
        .to_owned()
}

#[actix_web::test]
async fn nobody_gets_a_page_made_for_another() {
    let app = TestApp::spawn_with(&[("QUARTIER_PUBLIC_CACHE_TTL_MS", "60000")]).await;
    let s = setup(&app).await;
    let mut draft =
        quartier_tests::weekly(&s.centre, "Entwurf", "2030-01-07T15:00:00", "FREQ=WEEKLY");
    draft["status"] = json!("draft");
    id_of(
        &post(
            &app,
            &s.coordinator.access_token,
            "/api/v1/activities",
            draft,
        )
        .await,
    );
    let titles = |response: quartier_tests::TestResponse| -> Vec<String> {
        assert_eq!(response.status, 200);
        response.json()["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|a| a["title"].as_str().expect("title").to_owned())
            .collect()
    };

    let anonymous = titles(app.get("/api/v1/activities", None).await);
    let staff = titles(
        app.get("/api/v1/activities", Some(&s.coordinator.access_token))
            .await,
    );
    let anonymous_again = titles(app.get("/api/v1/activities", None).await);
    let other_staff = titles(
        app.get(
            "/api/v1/activities",
            Some(&s.other_coordinator.access_token),
        )
        .await,
    );

    assert!(anonymous.is_empty(), "a draft is not public");
    assert_eq!(
        staff,
        ["Entwurf"],
        "its operator's staff see it, though the anonymous page is held"
    );
    assert!(
        anonymous_again.is_empty(),
        "the staff's page is not served to anyone else"
    );
    assert!(other_staff.is_empty());
}

/// The names in the centre list as `token` (anonymous: `None`) reads it.
async fn centre_names(app: &TestApp, token: Option<&str>) -> Vec<String> {
    let response = app.get("/api/v1/centres", token).await;
    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    response.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["name"].as_str().expect("name").to_owned())
        .collect()
}

#[actix_web::test]
async fn anonymous_public_reads_go_to_the_read_database_and_everything_else_to_the_primary() {
    // A database of its own stands in for the replica: what is read where shows in what
    // each holds. (A real streaming replica: bench/replica.py.)
    let reads = quartier_tests::TestDb::migrated().await;
    let app = TestApp::spawn_with(&[
        ("QUARTIER_READ_DATABASE_URL", &reads.url().expose()),
        ("QUARTIER_METRICS_TOKEN", TOKEN),
    ])
    .await;
    let s = setup(&app).await;

    let anonymous = centre_names(&app, None).await;
    let signed_in = centre_names(&app, Some(&s.coordinator.access_token)).await;
    let own_centre = app
        .get(&format!("/api/v1/centres/{}", s.centre), None)
        .await
        .status;
    let families = scrape(&app).await;

    assert!(
        anonymous.is_empty(),
        "anonymous lists are read from the read database: {anonymous:?}"
    );
    assert_eq!(
        signed_in,
        ["Bürgerhaus"],
        "someone signed in reads the primary, her own writes included"
    );
    assert_eq!(
        own_centre, 404,
        "a public centre is read from the read database too"
    );
    assert_eq!(value(&families, "quartier_read_replica_in_use", &[]), 1.0);
}

#[actix_web::test]
async fn a_read_replica_that_does_not_answer_leaves_public_reads_to_the_primary() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let app = TestApp::spawn_with(&[
        (
            "QUARTIER_READ_DATABASE_URL",
            &format!("postgres://postgres@127.0.0.1:{closed}/nowhere"),
        ),
        ("QUARTIER_METRICS_TOKEN", TOKEN),
    ])
    .await;
    setup(&app).await;

    let started = Instant::now();
    let anonymous = centre_names(&app, None).await;
    let again = centre_names(&app, None).await;
    let families = scrape(&app).await;

    assert_eq!(anonymous, ["Bürgerhaus"]);
    assert_eq!(again, ["Bürgerhaus"]);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "no long wait for the missing replica"
    );
    assert_eq!(value(&families, "quartier_read_replica_in_use", &[]), 0.0);
}

#[actix_web::test]
async fn readers_who_ask_at_once_for_a_page_not_held_all_get_the_same_page() {
    let app = TestApp::spawn_with(&[("QUARTIER_PUBLIC_CACHE_TTL_MS", "60000")]).await;
    setup(&app).await;

    let answers =
        futures_util::future::join_all((0..24).map(|_| app.get("/api/v1/centres?limit=5", None)))
            .await;

    let tags: std::collections::BTreeSet<_> = answers
        .iter()
        .map(|a| (a.status, a.header("etag").map(str::to_owned)))
        .collect();
    assert_eq!(tags.len(), 1, "{tags:?}");
    assert_eq!(tags.iter().next().map(|t| t.0), Some(200));
}

#[actix_web::test]
async fn without_a_limit_for_signed_in_users_nothing_is_counted_but_the_account_is_still_checked() {
    let app = TestApp::spawn_with(&[("QUARTIER_RATE_LIMIT_USER_PER_MINUTE", "0")]).await;
    let anna = app.signed_up("anna@example.org").await;

    let me = app.get("/api/v1/me", Some(&anna.access_token)).await;
    let counted = app.count("rate_limits", "bucket LIKE 'user:%'").await;
    let mut conn = app.conn().await;
    diesel::sql_query(format!(
        "UPDATE users SET token_generation = token_generation + 1 WHERE id = '{}'",
        anna.id
    ))
    .execute(&mut conn)
    .await
    .expect("a new token generation");
    drop(conn);
    let outdated = app.get("/api/v1/me", Some(&anna.access_token)).await;

    assert_eq!(me.status, 200);
    assert!(
        me.header("ratelimit-limit").is_none(),
        "no limit, no RateLimit headers"
    );
    assert_eq!(counted, 0, "no counter row is written");
    outdated.assert_problem(401, "unauthenticated");
}
