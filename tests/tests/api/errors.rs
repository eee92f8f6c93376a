//! Every failure is an RFC 9457 problem with the right status, and changes nothing.

use actix_web::http::Method;
use quartier_tests::TestApp;
use serde_json::json;

const REGISTER: &str = "/api/v1/auth/register";

async fn user_count(app: &TestApp) -> i64 {
    app.count("users", "true").await
}

fn valid_registration() -> Vec<u8> {
    serde_json::to_vec(&json!({"email": "a@example.org", "display_name": "A", "password": "ein langes Passwort", "privacy_consent": true}))
        .expect("json")
}

#[actix_web::test]
async fn unknown_routes_are_404_problems() {
    let app = TestApp::spawn().await;

    for path in ["/", "/api/v1/nothing", "/api/v2/me", "/swagger-ui/nope.js"] {
        app.get(path, None).await.assert_problem(404, "not-found");
    }
}

#[actix_web::test]
async fn wrong_methods_are_405_with_allow() {
    let app = TestApp::spawn().await;

    let put_me = app.send(Method::PUT, "/api/v1/me", &[], None).await;
    let get_login = app.get("/api/v1/auth/login", None).await;
    let put_live = app.send(Method::PUT, "/health/live", &[], None).await;

    put_me.assert_problem(405, "method-not-allowed");
    assert_eq!(put_me.header("allow"), Some("GET, HEAD, PATCH, DELETE"));
    get_login.assert_problem(405, "method-not-allowed");
    assert_eq!(get_login.header("allow"), Some("POST"));
    put_live.assert_problem(405, "method-not-allowed");
}

#[actix_web::test]
async fn bodies_that_are_not_json_are_refused() {
    let app = TestApp::spawn().await;

    let malformed = app
        .send(
            Method::POST,
            REGISTER,
            &[],
            Some(("application/json", b"{\"email\": ".to_vec())),
        )
        .await;
    let empty = app
        .send(
            Method::POST,
            REGISTER,
            &[],
            Some(("application/json", Vec::new())),
        )
        .await;
    let not_an_object = app
        .send(
            Method::POST,
            REGISTER,
            &[],
            Some(("application/json", b"[1, 2]".to_vec())),
        )
        .await;
    let text = app
        .send(
            Method::POST,
            REGISTER,
            &[],
            Some(("text/plain", valid_registration())),
        )
        .await;
    let form = app
        .send(
            Method::POST,
            REGISTER,
            &[],
            Some(("application/x-www-form-urlencoded", b"email=a".to_vec())),
        )
        .await;
    let no_type = app.send(Method::POST, REGISTER, &[], None).await;

    malformed.assert_problem(400, "malformed-request");
    empty.assert_problem(400, "malformed-request");
    not_an_object.assert_problem(422, "validation-failed");
    text.assert_problem(415, "unsupported-media-type");
    form.assert_problem(415, "unsupported-media-type");
    no_type.assert_problem(415, "unsupported-media-type");
    assert_eq!(user_count(&app).await, 0);
}

#[actix_web::test]
async fn bodies_over_the_limit_are_413() {
    let app = TestApp::spawn().await;
    let padding = "x".repeat(300 * 1024);
    let huge = serde_json::to_vec(&json!({"email": "a@example.org", "display_name": padding, "password": "ein langes Passwort", "privacy_consent": true}))
        .expect("json");

    let response = app
        .send(
            Method::POST,
            REGISTER,
            &[],
            Some(("application/json", huge)),
        )
        .await;

    response.assert_problem(413, "payload-too-large");
    assert_eq!(user_count(&app).await, 0);
}

#[actix_web::test]
async fn the_body_limit_is_configurable() {
    let app = TestApp::spawn_with(&[("QUARTIER_BODY_LIMIT_BYTES", "1024")]).await;
    let padding = "x".repeat(2000);

    let response = app
        .post(REGISTER, &json!({"email": "a@example.org", "display_name": padding, "password": "x", "privacy_consent": true}))
        .await;

    response.assert_problem(413, "payload-too-large");
    // Routes that read the raw body keep to the same limit.
    let user = app.signed_up("anna@example.org").await;
    let signup = app
        .send(
            Method::POST,
            &format!("/api/v1/shifts/{}/signups", uuid::Uuid::now_v7()),
            &[("authorization", &format!("Bearer {}", user.access_token))],
            Some(("application/json", padding.clone().into_bytes())),
        )
        .await;
    signup.assert_problem(413, "payload-too-large");
}

#[actix_web::test]
async fn a_password_longer_than_any_allowed_is_simply_wrong() {
    let app = TestApp::spawn().await;
    let user = app.signed_up("anna@example.org").await;
    let long = "p".repeat(100_000);

    let login = app.login("anna@example.org", &long).await;
    let change = app
        .json(
            Method::POST,
            "/api/v1/me/password",
            Some(&user.access_token),
            &[],
            &json!({"current_password": long, "new_password": "ein ganz neues Passwort"}),
        )
        .await;

    login.assert_problem(401, "invalid-credentials");
    change.assert_problem(403, "wrong-password");
    assert_eq!(
        app.login("anna@example.org", &user.password).await.status,
        200
    );
}

#[actix_web::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;

    let generated = app.get("/health/live", None).await;
    let forwarded = app
        .send(
            Method::GET,
            "/api/v1/me",
            &[("x-request-id", "proxy-42")],
            None,
        )
        .await;
    let unsafe_id = app
        .send(
            Method::GET,
            "/health/live",
            &[("x-request-id", "a b\"c")],
            None,
        )
        .await;

    let id: uuid::Uuid = generated
        .header("x-request-id")
        .expect("request id")
        .parse()
        .expect("uuid");
    assert_eq!(id.get_version_num(), 7);
    assert_eq!(forwarded.header("x-request-id"), Some("proxy-42"));
    let replaced = unsafe_id
        .header("x-request-id")
        .expect("a request id of its own");
    assert!(replaced.parse::<uuid::Uuid>().is_ok(), "{replaced}");
    assert_eq!(generated.header("x-content-type-options"), Some("nosniff"));
}

#[actix_web::test]
async fn an_unreachable_database_gives_503_not_a_hang() {
    // Nothing listens on port 1: every connection attempt is refused at once.
    let app = TestApp::spawn_with(&[
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/quartier"),
        ("QUARTIER_DB_WAIT_TIMEOUT_MS", "500"),
        ("QUARTIER_DB_CONNECT_TIMEOUT_MS", "500"),
    ])
    .await;

    let within = std::time::Duration::from_secs(20);
    let ready = tokio::time::timeout(within, app.get("/health/ready", None))
        .await
        .expect("no hang");
    let live = tokio::time::timeout(within, app.get("/health/live", None))
        .await
        .expect("no hang");
    let login = tokio::time::timeout(within, app.login("a@example.org", "ein langes Passwort"))
        .await
        .expect("no hang");

    ready.assert_problem(503, "service-unavailable");
    assert_eq!(ready.header("retry-after"), Some("5"));
    assert_eq!(live.status, 200, "liveness does not depend on the database");
    login.assert_problem(503, "service-unavailable");
}

#[actix_web::test]
async fn a_database_that_stops_answering_gives_503_and_recovery_follows() {
    let (app, proxy) = TestApp::spawn_behind_proxy(&[
        ("QUARTIER_DB_WAIT_TIMEOUT_MS", "500"),
        ("QUARTIER_DB_CONNECT_TIMEOUT_MS", "500"),
        ("QUARTIER_DB_RECYCLE_TIMEOUT_MS", "300"),
        ("QUARTIER_REQUEST_TIMEOUT_SECS", "2"),
    ])
    .await;
    let user = app.signed_up("anna@example.org").await;
    proxy.freeze();

    // A hang would run into this bound; every answer must come from the server's own limits.
    let within = std::time::Duration::from_secs(10);
    let ready = tokio::time::timeout(within, app.get("/health/ready", None))
        .await
        .expect("no hang");
    let me = tokio::time::timeout(within, app.get("/api/v1/me", Some(&user.access_token)))
        .await
        .expect("no hang");
    let login = tokio::time::timeout(within, app.login(&user.email, &user.password))
        .await
        .expect("no hang");

    ready.assert_problem(503, "service-unavailable");
    me.assert_problem(503, "service-unavailable");
    login.assert_problem(503, "service-unavailable");

    proxy.thaw();
    let mut recovered = false;
    for _ in 0..50 {
        if app.get("/health/ready", None).await.status == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        recovered,
        "the service recovers once the database answers again"
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&user.access_token)).await.status,
        200
    );
}

#[actix_web::test]
async fn invalid_fields_are_named_by_one_convention() {
    let app = TestApp::spawn().await;

    // A body field by its path; a missing one by its own name, not as the whole body.
    let missing = app
        .post(
            REGISTER,
            &json!({"email": "b@example.org", "display_name": "B", "password": "ein langes Passwort"}),
        )
        .await;
    missing.assert_problem(422, "validation-failed");
    assert_eq!(missing.problem_fields(), ["privacy_consent"]);
    let nested = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "b@example.org", "password": 5}),
        )
        .await;
    assert_eq!(nested.problem_fields(), ["password"]);
    // A query parameter as `query.<name>`.
    let limit = app.get("/api/v1/districts?limit=0", None).await;
    limit.assert_problem(422, "validation-failed");
    assert_eq!(limit.problem_fields(), ["query.limit"]);
    let cursor = app.get("/api/v1/centres?cursor=nonsense", None).await;
    assert_eq!(cursor.problem_fields(), ["query.cursor"]);
    let range = app
        .get(
            "/api/v1/occurrences?from=2027-01-10T00:00:00Z&to=2027-01-01T00:00:00Z",
            None,
        )
        .await;
    assert_eq!(range.problem_fields(), ["query.to"]);
    let near = app.get("/api/v1/centres?radius_km=500", None).await;
    assert_eq!(near.problem_fields(), ["query.radius_km"]);
    assert_eq!(user_count(&app).await, 0);
}

#[actix_web::test]
async fn a_query_parameter_the_operation_does_not_take_is_refused() {
    let app = TestApp::spawn().await;

    let misspelt = app
        .get(
            "/api/v1/activities?from=2027-01-01T00:00:00Z&distrct_id=x",
            None,
        )
        .await;
    let problem = misspelt.assert_problem(400, "malformed-request");
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("`distrct_id`"),
        "{problem}"
    );
    app.get("/api/v1/districts/x?=1", None)
        .await
        .assert_problem(400, "malformed-request");
    assert_eq!(app.get("/api/v1/districts?limit=5", None).await.status, 200);
    assert_eq!(app.get("/health/live", None).await.status, 200);
}
