//! Headers that protect callers: CORS for configured origins only, HSTS when configured, and
//! no caching of what a credential unlocked.

use actix_web::http::Method;
use quartier_tests::app::{TestApp, TestResponse};

const APP_ORIGIN: &str = "https://app.auenstadt.example";

async fn preflight(app: &TestApp, origin: &str) -> TestResponse {
    app.send(
        Method::OPTIONS,
        "/api/v1/districts",
        &[
            ("origin", origin),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "authorization, content-type",
            ),
        ],
        None,
    )
    .await
}

async fn get_from(app: &TestApp, origin: &str) -> TestResponse {
    app.send(
        Method::GET,
        "/api/v1/districts",
        &[("origin", origin)],
        None,
    )
    .await
}

#[actix_web::test]
async fn no_origin_may_call_from_a_browser_by_default() {
    let app = TestApp::spawn().await;

    let read = get_from(&app, APP_ORIGIN).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.header("access-control-allow-origin"), None);

    let asked = preflight(&app, APP_ORIGIN).await;
    assert_ne!(asked.status, 204);
    assert_eq!(asked.header("access-control-allow-origin"), None);
    assert_eq!(asked.header("access-control-allow-methods"), None);
}

#[actix_web::test]
async fn configured_origins_may_call_and_others_get_nothing() {
    let app = TestApp::spawn_with(&[(
        "QUARTIER_CORS_ORIGINS",
        "https://App.Auenstadt.example, http://localhost:5173",
    )])
    .await;

    let asked = preflight(&app, APP_ORIGIN).await;
    assert_eq!(asked.status, 204);
    assert_eq!(
        asked.header("access-control-allow-origin"),
        Some(APP_ORIGIN)
    );
    let methods = asked.header("access-control-allow-methods").unwrap_or("");
    for method in ["GET", "POST", "PATCH", "DELETE"] {
        assert!(methods.contains(method), "{method} in {methods}");
    }
    let headers = asked.header("access-control-allow-headers").unwrap_or("");
    for name in [
        "Authorization",
        "Content-Type",
        "If-Match",
        "Idempotency-Key",
    ] {
        assert!(headers.contains(name), "{name} in {headers}");
    }
    assert!(asked.header("access-control-max-age").is_some());

    let read = get_from(&app, "http://localhost:5173").await;
    assert_eq!(read.status, 200);
    assert_eq!(
        read.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    let exposed = read.header("access-control-expose-headers").unwrap_or("");
    assert!(
        exposed.contains("ETag") && exposed.contains("Location"),
        "{exposed}"
    );
    let vary: Vec<&str> = read
        .headers
        .get_all("vary")
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(vary.iter().any(|v| v.contains("Origin")), "{vary:?}");

    // Another origin, or the right host on another scheme or port, is told nothing.
    for stranger in [
        "https://evil.example",
        "http://app.auenstadt.example",
        "http://localhost:5174",
    ] {
        let read = get_from(&app, stranger).await;
        assert_eq!(read.status, 200, "the request itself is answered");
        assert_eq!(
            read.header("access-control-allow-origin"),
            None,
            "{stranger}"
        );
        let asked = preflight(&app, stranger).await;
        assert_ne!(asked.status, 204, "{stranger}");
        assert_eq!(
            asked.header("access-control-allow-origin"),
            None,
            "{stranger}"
        );
    }
    // A preflight changes nothing.
    assert_eq!(app.count("districts", "true").await, 0);
}

#[actix_web::test]
async fn a_malformed_origin_list_stops_the_server_from_starting() {
    use quartier_api::config::Settings;
    for bad in [
        "*",
        "https://app.example/",
        "app.example",
        "https://*.example",
    ] {
        let settings =
            Settings::from_lookup(|name| (name == "QUARTIER_CORS_ORIGINS").then(|| bad.to_owned()));
        let error = settings.expect_err(bad);
        assert!(
            error.to_string().contains("QUARTIER_CORS_ORIGINS"),
            "{error}"
        );
    }
}

#[actix_web::test]
async fn hsts_is_sent_only_when_configured() {
    let plain = TestApp::spawn().await;
    let read = plain.get("/api/v1/districts", None).await;
    assert_eq!(read.header("strict-transport-security"), None);

    let app = TestApp::spawn_with(&[("QUARTIER_HSTS_MAX_AGE_SECS", "31536000")]).await;
    for path in ["/api/v1/districts", "/api/v1/no-such-thing"] {
        let read = app.get(path, None).await;
        assert_eq!(
            read.header("strict-transport-security"),
            Some("max-age=31536000; includeSubDomains"),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn what_a_token_unlocked_is_not_stored_by_caches() {
    let app = TestApp::spawn().await;
    let volunteer = app.signed_up("lena@example.org").await;

    let public = app.get("/api/v1/districts", None).await;
    assert_eq!(public.status, 200);
    assert_ne!(public.header("cache-control"), Some("no-store"));

    let personal = app
        .get("/api/v1/me/signups", Some(&volunteer.access_token))
        .await;
    assert_eq!(
        personal.status,
        200,
        "{}",
        String::from_utf8_lossy(&personal.body)
    );
    assert_eq!(personal.header("cache-control"), Some("no-store"));

    // A refused token gets the same, and a response that chose its own caching keeps it.
    let refused = app.get("/api/v1/me", Some("not-a-token")).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.header("cache-control"), Some("no-store"));
    let me = app.get("/api/v1/me", Some(&volunteer.access_token)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.header("cache-control"), Some("private, no-cache"));
}
