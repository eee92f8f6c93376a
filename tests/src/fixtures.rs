//! The small world most tests act in — an administrator, operator A with a coordinator and a
//! centre, operator B with a coordinator — and the requests they make in it again and again:
//! an authenticated POST or PATCH, the id a creation answered, a shift, a sign-up.

use actix_web::http::Method;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::app::{TestApp, TestResponse, TestUser};

/// Operator A with its coordinator and a centre, and operator B with its coordinator, as made
/// by [`setup`]. Both coordinators work in the district Nordstadt of Musterstadt.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The administrator who made everything here.
    pub admin: TestUser,
    /// A coordinator of operator A (`coord@example.org`).
    pub coordinator: TestUser,
    /// A coordinator of operator B (`other@example.org`).
    pub other_coordinator: TestUser,
    /// Operator A ("Träger A").
    pub operator: String,
    /// Operator B ("Träger B"), with no centre.
    pub other_operator: String,
    /// Operator A's centre "Bürgerhaus".
    pub centre: String,
}

/// Makes the [`Setup`] through the API, as the administrator.
pub async fn setup(app: &TestApp) -> Setup {
    let admin = app.admin().await;
    let token = admin.access_token.clone();
    let district = id_of(
        &post(
            app,
            &token,
            "/api/v1/districts",
            json!({"name": "Nordstadt", "town": "Musterstadt"}),
        )
        .await,
    );
    let mut operators = Vec::new();
    for name in ["Träger A", "Träger B"] {
        operators.push(id_of(
            &post(
                app,
                &token,
                "/api/v1/operators",
                json!({"name": name, "kind": "association"}),
            )
            .await,
        ));
    }
    let coordinator = app.signed_up("coord@example.org").await;
    let other_coordinator = app.signed_up("other@example.org").await;
    for (operator, email) in [
        (&operators[0], "coord@example.org"),
        (&operators[1], "other@example.org"),
    ] {
        let added = post(
            app,
            &token,
            &format!("/api/v1/operators/{operator}/members"),
            json!({"email": email, "role": "coordinator"}),
        )
        .await;
        assert_eq!(added.status, 201);
    }
    let centre = id_of(
        &post(
            app,
            &token,
            "/api/v1/centres",
            json!({
                "operator_id": operators[0], "district_id": district, "name": "Bürgerhaus",
                "kind": "community_house",
                "address": {"street": "Marktplatz 1", "postcode": "44135", "town": "Musterstadt"},
                "position": {"latitude": 51.5, "longitude": 7.4},
            }),
        )
        .await,
    );
    Setup {
        admin,
        coordinator,
        other_coordinator,
        operator: operators[0].clone(),
        other_operator: operators[1].clone(),
        centre,
    }
}

/// POSTs `body` as JSON with the bearer `token`.
pub async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> TestResponse {
    app.json(Method::POST, path, Some(token), &[], &body).await
}

/// PATCHes `body` as JSON with the bearer `token`, whatever the current version (`If-Match: *`).
pub async fn patch(app: &TestApp, token: &str, path: &str, body: Value) -> TestResponse {
    app.json(
        Method::PATCH,
        path,
        Some(token),
        &[("if-match", "*")],
        &body,
    )
    .await
}

/// The `id` of what a successful (2xx) response describes; panics with the body otherwise.
#[track_caller]
pub fn id_of(response: &TestResponse) -> String {
    assert!(
        (200..300).contains(&response.status),
        "{}: {}",
        response.status,
        String::from_utf8_lossy(&response.body)
    );
    response.json()["id"].as_str().expect("id").to_owned()
}

/// The `id` of what a `201 Created` response made; panics with the body on any other status.
#[track_caller]
pub fn created_id(response: &TestResponse) -> String {
    assert_eq!(
        response.status,
        201,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    response.json()["id"].as_str().expect("id").to_owned()
}

/// A time the API wrote (RFC 3339).
#[track_caller]
pub fn at(value: &Value) -> DateTime<Utc> {
    value.as_str().expect("a time").parse().expect("RFC 3339")
}

/// A shift at the set-up centre made by its coordinator: `title`, starting `hours` from now,
/// lasting two hours, with `capacity` places; `extra` adds or replaces fields of the request
/// (`json!({})` for none, e.g. `json!({"required_qualifications": [..]})`). Its id.
pub async fn shift(
    app: &TestApp,
    s: &Setup,
    title: &str,
    hours: i64,
    capacity: i64,
    extra: Value,
) -> String {
    let starts_at = Utc::now() + Duration::hours(hours);
    let mut body = json!({
        "centre_id": s.centre, "title": title, "capacity": capacity,
        "starts_at": starts_at, "ends_at": starts_at + Duration::hours(2),
    });
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    id_of(&post(app, &s.coordinator.access_token, "/api/v1/shifts", body).await)
}

/// The volunteer with the access `token` signs up for `shift` (no body); the answer as sent.
pub async fn sign_up(app: &TestApp, token: &str, shift: &str) -> TestResponse {
    app.send(
        Method::POST,
        &format!("/api/v1/shifts/{shift}/signups"),
        &[("authorization", &format!("Bearer {token}"))],
        None,
    )
    .await
}

/// The volunteer with the access `token` names `operator` as one she helps
/// (`PUT /me/operators/{id}`), so that its staff may sign her up and inspect her documents.
pub async fn join(app: &TestApp, token: &str, operator: &str) {
    let joined = app
        .send(
            Method::PUT,
            &format!("/api/v1/me/operators/{operator}"),
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
        .await;
    assert!(
        [201, 204].contains(&joined.status),
        "{}: {}",
        joined.status,
        String::from_utf8_lossy(&joined.body)
    );
}

/// A key of `operator` with `scopes`, made by the administrator of `s`: its secret.
pub async fn api_key(app: &TestApp, s: &Setup, operator: &str, scopes: Value) -> String {
    let path = format!("/api/v1/operators/{operator}/api-keys");
    let body = json!({"name": "Anbindung", "scopes": scopes});
    let created = post(app, &s.admin.access_token, &path, body).await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    created.json()["key_secret"]
        .as_str()
        .expect("key")
        .to_owned()
}

/// `method path` with the API key `key` as `X-Api-Key`, and a JSON `body` if any.
pub async fn with_key(
    app: &TestApp,
    key: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> TestResponse {
    match body {
        Some(body) => {
            app.json(method, path, None, &[("x-api-key", key)], &body)
                .await
        }
        None => app.send(method, path, &[("x-api-key", key)], None).await,
    }
}
