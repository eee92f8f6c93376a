//! Operators' API keys: made by operator admins, shown once, acting for their own operator
//! only and within their scopes, and useless once revoked or expired.

use actix_web::http::Method;
use quartier_tests::{Setup, TestApp, TestResponse, id_of, join, post, setup, shift};
use serde_json::{Value, json};

async fn create_key(app: &TestApp, token: &str, operator: &str, scopes: &[&str]) -> Value {
    let created = post(
        app,
        token,
        &format!("/api/v1/operators/{operator}/api-keys"),
        json!({"name": "Dienstplan", "scopes": scopes}),
    )
    .await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    created.json()
}

/// Sends `body` with the key as `X-Api-Key`.
async fn with_key(
    app: &TestApp,
    method: Method,
    key: &str,
    path: &str,
    body: &Value,
) -> TestResponse {
    app.json(method, path, None, &[("x-api-key", key)], body)
        .await
}

fn shift_body(s: &Setup, title: &str) -> Value {
    let starts_at = chrono::Utc::now() + chrono::Duration::days(3);
    json!({
        "centre_id": s.centre, "title": title, "capacity": 3,
        "starts_at": starts_at, "ends_at": starts_at + chrono::Duration::hours(2),
    })
}

fn activity_body(s: &Setup) -> Value {
    json!({
        "centre_id": s.centre, "title": "Sprachcafé", "category": "coffee_table",
        "schedule": {"kind": "once", "starts_at": "2027-03-01T15:00:00Z", "ends_at": "2027-03-01T17:00:00Z"},
    })
}

#[actix_web::test]
async fn operator_admins_make_keys_that_are_shown_once_and_stored_as_a_hash() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = &s.admin.access_token;

    let key = create_key(&app, admin, &s.operator, &["shifts:write", "roster:read"]).await;
    let secret = key["key_secret"].as_str().expect("secret");
    let prefix = key["prefix"].as_str().expect("prefix");
    assert!(secret.starts_with(&format!("{prefix}_")), "{secret}");
    assert!(prefix.starts_with("qk_") && prefix.len() == 11, "{prefix}");
    assert_eq!(key["status"], "active");
    assert_eq!(key["scopes"], json!(["roster:read", "shifts:write"]));

    // Listed and read without the secret; the database holds no column with it.
    let listed = app
        .get(
            &format!("/api/v1/operators/{}/api-keys", s.operator),
            Some(admin),
        )
        .await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()["items"].as_array().map(Vec::len), Some(1));
    assert!(!String::from_utf8_lossy(&listed.body).contains(secret));
    let one = app
        .get(
            &format!(
                "/api/v1/operators/{}/api-keys/{}",
                s.operator,
                key["id"].as_str().expect("id")
            ),
            Some(admin),
        )
        .await;
    assert_eq!(one.status, 200);
    assert!(one.json().get("key_secret").is_none());
    assert_eq!(
        app.count(
            "api_keys",
            &format!("prefix = '{prefix}' AND length(secret_hash) = 32 AND position(convert_to('{secret}', 'UTF8') in secret_hash) = 0")
        )
        .await,
        1
    );

    // Coordinators, other operators' staff and keys themselves make no keys.
    for token in [
        &s.coordinator.access_token,
        &s.other_coordinator.access_token,
    ] {
        post(
            &app,
            token,
            &format!("/api/v1/operators/{}/api-keys", s.operator),
            json!({"name": "x", "scopes": ["shifts:write"]}),
        )
        .await
        .assert_problem(403, "forbidden");
    }
    with_key(
        &app,
        Method::POST,
        secret,
        &format!("/api/v1/operators/{}/api-keys", s.operator),
        &json!({"name": "x", "scopes": ["shifts:write"]}),
    )
    .await
    .assert_problem(403, "forbidden");
    // Bad requests: no scopes, an unknown scope, an expiry in the past.
    for body in [
        json!({"name": "x", "scopes": []}),
        json!({"name": "x", "scopes": ["everything"]}),
        json!({"name": "x", "scopes": ["roster:read"], "expires_at": "2001-01-01T00:00:00Z"}),
        json!({"name": " ", "scopes": ["roster:read"]}),
    ] {
        let refused = post(
            &app,
            admin,
            &format!("/api/v1/operators/{}/api-keys", s.operator),
            body,
        )
        .await;
        assert!(
            [400, 422].contains(&refused.status),
            "{}",
            String::from_utf8_lossy(&refused.body)
        );
    }
    assert_eq!(app.count("api_keys", "true").await, 1);
}

#[actix_web::test]
async fn a_key_acts_for_its_operator_only_and_within_its_scopes() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = &s.admin.access_token;
    let key = create_key(&app, admin, &s.operator, &["shifts:write"]).await;
    let secret = key["key_secret"].as_str().expect("secret");
    let key_id = key["id"].as_str().expect("id");

    // With its scope, as X-Api-Key and as a bearer token.
    let made = with_key(
        &app,
        Method::POST,
        secret,
        "/api/v1/shifts",
        &shift_body(&s, "Aufbau"),
    )
    .await;
    assert_eq!(made.status, 201, "{}", String::from_utf8_lossy(&made.body));
    let bearer = app
        .json(
            Method::POST,
            "/api/v1/shifts",
            Some(secret),
            &[],
            &shift_body(&s, "Abbau"),
        )
        .await;
    assert_eq!(bearer.status, 201);
    let shift_id = id_of(&made);
    let changed = app
        .json(
            Method::PATCH,
            &format!("/api/v1/shifts/{shift_id}"),
            None,
            &[("x-api-key", secret), ("if-match", "*")],
            &json!({"capacity": 4}),
        )
        .await;
    assert_eq!(changed.status, 200);
    assert_eq!(changed.json()["capacity"], 4);

    // Without the scope: 403 naming it, and nothing made.
    let activities_before = app.count("activities", "true").await;
    let refused = with_key(
        &app,
        Method::POST,
        secret,
        "/api/v1/activities",
        &activity_body(&s),
    )
    .await;
    let problem = refused.assert_problem(403, "forbidden");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("activities:write")),
        "{problem}"
    );
    assert_eq!(app.count("activities", "true").await, activities_before);
    let roster = app
        .send(
            Method::GET,
            &format!("/api/v1/shifts/{shift_id}/roster"),
            &[("x-api-key", secret)],
            None,
        )
        .await;
    assert!(
        roster.assert_problem(403, "forbidden")["detail"]
            .as_str()
            .is_some_and(|d| d.contains("roster:read"))
    );
    // Routes for people only refuse keys.
    app.send(Method::GET, "/api/v1/me", &[("x-api-key", secret)], None)
        .await
        .assert_problem(403, "forbidden");

    // Another operator's key, with every scope, changes nothing here.
    let other = create_key(
        &app,
        admin,
        &s.other_operator,
        &[
            "activities:write",
            "shifts:write",
            "signups:write",
            "roster:read",
            "webhooks:manage",
        ],
    )
    .await;
    let other_secret = other["key_secret"].as_str().expect("secret");
    let shifts_before = app.count("shifts", "true").await;
    with_key(
        &app,
        Method::POST,
        other_secret,
        "/api/v1/shifts",
        &shift_body(&s, "Fremd"),
    )
    .await
    .assert_problem(403, "forbidden");
    with_key(
        &app,
        Method::POST,
        other_secret,
        "/api/v1/activities",
        &activity_body(&s),
    )
    .await
    .assert_problem(403, "forbidden");
    let foreign_patch = app
        .json(
            Method::PATCH,
            &format!("/api/v1/shifts/{shift_id}"),
            None,
            &[("x-api-key", other_secret), ("if-match", "*")],
            &json!({"capacity": 1}),
        )
        .await;
    foreign_patch.assert_problem(403, "forbidden");
    let roster = app
        .send(
            Method::GET,
            &format!("/api/v1/shifts/{shift_id}/roster"),
            &[("x-api-key", other_secret)],
            None,
        )
        .await;
    roster.assert_problem(403, "forbidden");
    assert_eq!(app.count("shifts", "true").await, shifts_before);
    assert_eq!(
        app.count("shifts", &format!("id = '{shift_id}' AND capacity = 4"))
            .await,
        1
    );

    // Use is recorded; revoking stops the key at once, for good.
    let read = app
        .get(
            &format!("/api/v1/operators/{}/api-keys/{key_id}", s.operator),
            Some(admin),
        )
        .await;
    assert!(read.json()["last_used_at"].is_string());
    let revoked = app
        .send(
            Method::DELETE,
            &format!("/api/v1/operators/{}/api-keys/{key_id}", s.operator),
            &[("authorization", &format!("Bearer {admin}"))],
            None,
        )
        .await;
    assert_eq!(revoked.status, 200);
    assert_eq!(revoked.json()["status"], "revoked");
    let after = with_key(
        &app,
        Method::POST,
        secret,
        "/api/v1/shifts",
        &shift_body(&s, "Zu spät"),
    )
    .await;
    let problem = after.assert_problem(401, "unauthenticated");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("revoked"))
    );
    // Another operator's admin path does not reach this key.
    let foreign = app
        .get(
            &format!("/api/v1/operators/{}/api-keys/{key_id}", s.other_operator),
            Some(admin),
        )
        .await;
    foreign.assert_problem(404, "not-found");

    // Expired and unknown keys: 401.
    app.count("api_keys", "true").await;
    {
        use diesel_async::RunQueryDsl;
        diesel::sql_query(format!(
            "UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = '{}'",
            other["id"].as_str().expect("id")
        ))
        .execute(&mut app.conn().await)
        .await
        .expect("expire");
    }
    let expired = with_key(
        &app,
        Method::POST,
        other_secret,
        "/api/v1/shifts",
        &shift_body(&s, "x"),
    )
    .await;
    assert!(
        expired.assert_problem(401, "unauthenticated")["detail"]
            .as_str()
            .is_some_and(|d| d.contains("expired"))
    );
    with_key(
        &app,
        Method::POST,
        "qk_nothing_known",
        "/api/v1/shifts",
        &shift_body(&s, "x"),
    )
    .await
    .assert_problem(401, "unauthenticated");
    assert_eq!(app.count("shifts", "true").await, shifts_before);
}

#[actix_web::test]
async fn a_key_signs_volunteers_up_reads_rosters_and_sees_its_operators_drafts() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = &s.admin.access_token;
    let key = create_key(
        &app,
        admin,
        &s.operator,
        &["activities:write", "signups:write", "roster:read"],
    )
    .await;
    let secret = key["key_secret"].as_str().expect("secret");
    let shift_id = shift(&app, &s, "Kuchenbuffet", 30, 2, json!({})).await;
    let volunteers = app.volunteers(1).await;
    let (volunteer_id, volunteer_token) = &volunteers[0];
    join(&app, volunteer_token, &s.operator).await;

    // A key has no account of its own: it names the volunteer.
    with_key(
        &app,
        Method::POST,
        secret,
        &format!("/api/v1/shifts/{shift_id}/signups"),
        &json!({}),
    )
    .await
    .assert_problem(422, "validation-failed");
    let signed = with_key(
        &app,
        Method::POST,
        secret,
        &format!("/api/v1/shifts/{shift_id}/signups"),
        &json!({"user_id": volunteer_id}),
    )
    .await;
    assert_eq!(
        signed.status,
        201,
        "{}",
        String::from_utf8_lossy(&signed.body)
    );
    assert_eq!(signed.json()["status"], "confirmed");
    assert_eq!(
        app.count(
            "signups",
            &format!(
                "user_id = '{volunteer_id}' AND signed_up_by IS NULL AND status = 'confirmed'"
            )
        )
        .await,
        1
    );
    let roster = app
        .send(
            Method::GET,
            &format!("/api/v1/shifts/{shift_id}/roster"),
            &[("x-api-key", secret)],
            None,
        )
        .await;
    assert_eq!(roster.status, 200);
    assert_eq!(roster.json().as_array().map(Vec::len), Some(1));

    // Its operator's drafts are visible to it, as to the operator's staff.
    let draft = with_key(
        &app,
        Method::POST,
        secret,
        "/api/v1/activities",
        &activity_body(&s),
    )
    .await;
    assert_eq!(
        draft.status,
        201,
        "{}",
        String::from_utf8_lossy(&draft.body)
    );
    let draft_id = id_of(&draft);
    let seen = app
        .send(
            Method::GET,
            &format!("/api/v1/activities/{draft_id}"),
            &[("x-api-key", secret)],
            None,
        )
        .await;
    assert_eq!(seen.status, 200);
    app.get(&format!("/api/v1/activities/{draft_id}"), None)
        .await
        .assert_problem(404, "not-found");

    // A deactivated operator's key changes nothing.
    let deactivated = app
        .json(
            Method::PATCH,
            &format!("/api/v1/operators/{}", s.operator),
            Some(admin),
            &[("if-match", "*")],
            &json!({"status": "inactive"}),
        )
        .await;
    assert_eq!(
        deactivated.status,
        200,
        "{}",
        String::from_utf8_lossy(&deactivated.body)
    );
    with_key(
        &app,
        Method::POST,
        secret,
        "/api/v1/activities",
        &activity_body(&s),
    )
    .await
    .assert_problem(403, "forbidden");
}

/// Every operation a key can use, with the one scope it needs: a key with only that scope may,
/// a key with every other scope may not (403 naming the scope), and nothing is written then.
#[actix_web::test]
async fn the_key_scope_matrix_holds_for_every_operation_keys_can_use() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = &s.admin.access_token;
    let shift_id = shift(&app, &s, "Matrix", 48, 5, json!({})).await;
    let volunteers = app.volunteers(2).await;
    for (_, token) in &volunteers {
        join(&app, token, &s.operator).await;
    }
    let all = [
        "activities:write",
        "shifts:write",
        "signups:write",
        "roster:read",
        "webhooks:manage",
    ];
    let window = "from=2020-01-01T00:00:00Z&to=2020-03-01T00:00:00Z";
    // (scope, method, path, body)
    let operations: Vec<(&str, Method, String, Option<Value>)> = vec![
        (
            "activities:write",
            Method::POST,
            "/api/v1/activities".into(),
            Some(activity_body(&s)),
        ),
        (
            "activities:write",
            Method::PUT,
            format!(
                "/api/v1/operators/{}/activities/by-external-id/M-1",
                s.operator
            ),
            Some(activity_body(&s)),
        ),
        (
            "shifts:write",
            Method::POST,
            "/api/v1/shifts".into(),
            Some(shift_body(&s, "M")),
        ),
        (
            "shifts:write",
            Method::PUT,
            format!("/api/v1/operators/{}/shifts/by-external-id/M-2", s.operator),
            Some(shift_body(&s, "M")),
        ),
        (
            "shifts:write",
            Method::POST,
            format!("/api/v1/operators/{}/imports", s.operator),
            Some(
                json!({"shifts": [{"external_id": "M-3", "centre_id": s.centre, "title": "M", "capacity": 1,
                "starts_at": "2027-06-01T08:00:00Z", "ends_at": "2027-06-01T09:00:00Z"}]}),
            ),
        ),
        (
            "signups:write",
            Method::POST,
            format!("/api/v1/shifts/{shift_id}/signups"),
            Some(json!({"user_id": volunteers[0].0})),
        ),
        (
            "roster:read",
            Method::GET,
            format!("/api/v1/shifts/{shift_id}/roster"),
            None,
        ),
        (
            "roster:read",
            Method::GET,
            format!("/api/v1/centres/{}/roster?{window}", s.centre),
            None,
        ),
        (
            "roster:read",
            Method::GET,
            format!("/api/v1/operators/{}/roster?{window}", s.operator),
            None,
        ),
        (
            "webhooks:manage",
            Method::GET,
            format!("/api/v1/operators/{}/webhooks", s.operator),
            None,
        ),
        (
            "webhooks:manage",
            Method::POST,
            format!("/api/v1/operators/{}/webhooks", s.operator),
            Some(json!({"url": "https://example.org/hook"})),
        ),
    ];
    let tables = ["activities", "shifts", "signups", "webhook_subscriptions"];
    for (scope, method, path, body) in operations {
        let others: Vec<&str> = all.iter().copied().filter(|s| *s != scope).collect();
        let without = create_key(&app, admin, &s.operator, &others).await;
        let without = without["key_secret"].as_str().expect("secret");
        let mut before = Vec::new();
        for table in tables {
            before.push(app.count(table, "true").await);
        }
        let send = |key: &str| {
            let (method, path, body) = (method.clone(), path.clone(), body.clone());
            let app = &app;
            let key = key.to_owned();
            async move {
                match body {
                    Some(body) => {
                        app.json(method, &path, None, &[("x-api-key", &key)], &body)
                            .await
                    }
                    None => app.send(method, &path, &[("x-api-key", &key)], None).await,
                }
            }
        };
        let denied = send(without).await;
        let problem = denied.assert_problem(403, "forbidden");
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains(scope)),
            "{method} {path}: {problem}"
        );
        for (table, count) in tables.iter().zip(&before) {
            assert_eq!(
                app.count(table, "true").await,
                *count,
                "{method} {path} wrote {table}"
            );
        }
        let with = create_key(&app, admin, &s.operator, &[scope]).await;
        let allowed = send(with["key_secret"].as_str().expect("secret")).await;
        assert!(
            (200..300).contains(&allowed.status),
            "{method} {path} with {scope}: {} {}",
            allowed.status,
            String::from_utf8_lossy(&allowed.body)
        );
    }
}

#[actix_web::test]
async fn staff_learn_their_operators_and_roles_from_their_memberships() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    // The coordinator of A is limited to its centre from now on.
    let limited = app
        .json(
            Method::PATCH,
            &format!(
                "/api/v1/operators/{}/members/{}",
                s.operator, s.coordinator.id
            ),
            Some(&s.admin.access_token),
            &[],
            &json!({"centre_ids": [s.centre]}),
        )
        .await;
    assert_eq!(limited.status, 200, "{:?}", limited.json());

    let mine = app
        .get("/api/v1/me/memberships", Some(&s.coordinator.access_token))
        .await;
    assert_eq!(mine.status, 200);
    assert_eq!(
        mine.json()["items"],
        json!([{
            "operator_id": s.operator, "operator_name": "Träger A", "role": "coordinator",
            "centre_ids": [s.centre], "since": mine.json()["items"][0]["since"],
        }])
    );
    let (_, volunteer) = app.volunteers(1).await.remove(0);
    let none = app.get("/api/v1/me/memberships", Some(&volunteer)).await;
    assert_eq!(none.json()["items"], json!([]));
    // A key acts for an operator, not a person: it has no memberships to ask for.
    let key = create_key(&app, &s.admin.access_token, &s.operator, &["roster:read"]).await;
    let key = key["key_secret"].as_str().expect("secret");
    with_key(
        &app,
        Method::GET,
        key,
        "/api/v1/me/memberships",
        &Value::Null,
    )
    .await
    .assert_problem(403, "forbidden");
}

/// An operator admin of A, added by the administrator.
async fn operator_admin(app: &TestApp, s: &Setup, email: &str) -> quartier_tests::TestUser {
    let person = app.signed_up(email).await;
    let added = post(
        app,
        &s.admin.access_token,
        &format!("/api/v1/operators/{}/members", s.operator),
        json!({"email": email, "role": "operator_admin"}),
    )
    .await;
    assert_eq!(added.status, 201);
    person
}

/// A key made by `token` for operator A: its id and secret.
async fn made_key(app: &TestApp, s: &Setup, token: &str, name: &str) -> (String, String) {
    let created = post(
        app,
        token,
        &format!("/api/v1/operators/{}/api-keys", s.operator),
        json!({"name": name, "scopes": ["roster:read"]}),
    )
    .await;
    assert_eq!(created.status, 201);
    let body = created.json();
    (
        body["id"].as_str().expect("id").to_owned(),
        body["key_secret"].as_str().expect("secret").to_owned(),
    )
}

async fn roster_with(app: &TestApp, s: &Setup, secret: &str) -> u16 {
    with_key(
        app,
        Method::GET,
        secret,
        &format!(
            "/api/v1/operators/{}/roster?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z",
            s.operator
        ),
        &json!(null),
    )
    .await
    .status
}

#[actix_web::test]
async fn keys_whose_creator_left_are_flagged_told_and_rotated() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let creator = operator_admin(&app, &s, "creator@example.org").await;
    let colleague = operator_admin(&app, &s, "colleague@example.org").await;
    let (key, secret) = made_key(&app, &s, &creator.access_token, "Dienstplan").await;
    let keys = format!("/api/v1/operators/{}/api-keys", s.operator);

    // She leaves operator A: her key keeps working, flagged, and the remaining operator
    // admin is told; nobody else is.
    let removed = app
        .send(
            Method::DELETE,
            &format!("/api/v1/operators/{}/members/{}", s.operator, creator.id),
            &[("authorization", &format!("Bearer {}", s.admin.access_token))],
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    let seen = app
        .get(&format!("{keys}/{key}"), Some(&colleague.access_token))
        .await
        .json();
    assert_eq!(seen["created_by"], creator.id.as_str());
    assert!(seen["creator_left_at"].is_string(), "{seen}");
    assert_eq!(seen["status"], "active");
    assert_eq!(roster_with(&app, &s, &secret).await, 200);
    let keys_told = |list: &Value| -> Vec<Value> {
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|n| n["kind"] == "api_keys_creator_left")
            .cloned()
            .collect()
    };
    let told = app
        .get("/api/v1/me/notifications", Some(&colleague.access_token))
        .await
        .json();
    assert_eq!(keys_told(&told).len(), 1, "{told}");
    assert_eq!(told["items"][0]["kind"], "api_keys_creator_left");
    assert_eq!(told["items"][0]["details"]["api_key_ids"][0], key.as_str());
    assert_eq!(told["items"][0]["read_at"], Value::Null);
    for other in [&creator, &s.coordinator] {
        let none = app
            .get("/api/v1/me/notifications", Some(&other.access_token))
            .await
            .json();
        assert!(keys_told(&none).is_empty(), "{none}");
    }
    let read = format!(
        "/api/v1/me/notifications/{}/read",
        told["items"][0]["id"].as_str().expect("id")
    );
    for (token, status) in [
        (&s.coordinator.access_token, 404),
        (&colleague.access_token, 204),
        (&colleague.access_token, 204),
    ] {
        let answer = app
            .send(
                Method::POST,
                &read,
                &[("authorization", &format!("Bearer {token}"))],
                None,
            )
            .await;
        assert_eq!(answer.status, status);
    }

    // Rotated without grace: the old secret stops at once, the new one works, the old key
    // names its successor and cannot be rotated again.
    let rotated = post(
        &app,
        &colleague.access_token,
        &format!("{keys}/{key}/rotate"),
        json!({"grace_hours": 0}),
    )
    .await;
    assert_eq!(
        rotated.status,
        201,
        "{}",
        String::from_utf8_lossy(&rotated.body)
    );
    let rotated = rotated.json();
    let new_secret = rotated["key_secret"].as_str().expect("secret");
    assert_eq!(rotated["created_by"], colleague.id.as_str());
    assert_eq!(rotated["creator_left_at"], Value::Null);
    assert_eq!(roster_with(&app, &s, &secret).await, 401);
    assert_eq!(roster_with(&app, &s, new_secret).await, 200);
    let old = app
        .get(&format!("{keys}/{key}"), Some(&colleague.access_token))
        .await
        .json();
    assert_eq!(old["replaced_by"], rotated["id"]);
    post(
        &app,
        &colleague.access_token,
        &format!("{keys}/{key}/rotate"),
        json!({}),
    )
    .await
    .assert_problem(409, "conflict");
    post(
        &app,
        &colleague.access_token,
        &format!("{keys}/{}/rotate", rotated["id"].as_str().expect("id")),
        json!({"grace_hours": 169}),
    )
    .await
    .assert_problem(422, "validation-failed");

    // With the default grace, the old secret works for another day.
    let (second, second_secret) = made_key(&app, &s, &colleague.access_token, "Zweiter").await;
    let again = app
        .send(
            Method::POST,
            &format!("{keys}/{second}/rotate"),
            &[(
                "authorization",
                &format!("Bearer {}", colleague.access_token),
            )],
            None,
        )
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(roster_with(&app, &s, &second_secret).await, 200);
    let until = app
        .get(&format!("{keys}/{second}"), Some(&colleague.access_token))
        .await
        .json();
    let expires =
        chrono::DateTime::parse_from_rfc3339(until["expires_at"].as_str().expect("expiry"))
            .expect("time");
    let hours = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes();
    assert!((23 * 60..=24 * 60).contains(&hours), "{hours} minutes");
    assert_eq!(
        app.count("audit_events", "action = 'api_key.rotated'")
            .await,
        2
    );

    // An operator admin who erases her account: her keys are flagged, the others told.
    let leaving = operator_admin(&app, &s, "leaving@example.org").await;
    let (third, _) = made_key(&app, &s, &leaving.access_token, "Dritter").await;
    let erased = app
        .json(
            Method::DELETE,
            "/api/v1/me",
            Some(&leaving.access_token),
            &[],
            &json!({"password": leaving.password}),
        )
        .await;
    assert_eq!(
        erased.status,
        200,
        "{}",
        String::from_utf8_lossy(&erased.body)
    );
    assert_eq!(
        app.count(
            "api_keys",
            &format!("id = '{third}' AND creator_left_at IS NOT NULL AND created_by IS NULL")
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "notifications",
            &format!("user_id = '{}' AND details LIKE '%{third}%'", colleague.id)
        )
        .await,
        1
    );
}
