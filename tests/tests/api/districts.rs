//! Districts: public reading, administrators' changes, the hierarchy that never loops.

use actix_web::http::Method;
use quartier_tests::{TestApp, TestResponse};
use serde_json::{Value, json};

async fn create(app: &TestApp, token: &str, body: Value) -> TestResponse {
    app.json(Method::POST, "/api/v1/districts", Some(token), &[], &body)
        .await
}

/// Creates a district and returns its id.
async fn district(app: &TestApp, token: &str, name: &str, parent: Option<&str>) -> String {
    let response = create(
        app,
        token,
        json!({"name": name, "town": "Musterstadt", "parent_id": parent}),
    )
    .await;
    assert_eq!(response.status, 201, "{:?}", response.json());
    response.json()["id"].as_str().expect("id").to_owned()
}

async fn patch(app: &TestApp, token: &str, id: &str, if_match: &str, body: Value) -> TestResponse {
    app.json(
        Method::PATCH,
        &format!("/api/v1/districts/{id}"),
        Some(token),
        &[("if-match", if_match)],
        &body,
    )
    .await
}

#[actix_web::test]
async fn administrators_create_districts_that_anyone_can_read() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;

    let created = create(
        &app,
        &admin.access_token,
        json!({"name": "Südliche Innenstadt", "town": "Musterstadt", "centre": {"latitude": 51.51, "longitude": 7.46}}),
    )
    .await;

    assert_eq!(created.status, 201, "{:?}", created.json());
    let body = created.json();
    assert_eq!(body["slug"], "suedliche-innenstadt");
    assert_eq!(
        body["centre"],
        json!({"latitude": 51.51, "longitude": 7.46})
    );
    let location = created.header("location").expect("location").to_owned();
    let read = app.get(&location, None).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["name"], "Südliche Innenstadt");
    assert_eq!(read.header("etag"), Some("\"1\""));
    let cached = app
        .send(Method::GET, &location, &[("if-none-match", "\"1\"")], None)
        .await;
    assert_eq!((cached.status, cached.body.len()), (304, 0));
}

#[actix_web::test]
async fn only_administrators_change_districts() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let member = app.signed_up("member@example.org").await;
    let id = district(&app, &admin.access_token, "Nordstadt", None).await;
    let path = format!("/api/v1/districts/{id}");

    create(
        &app,
        &member.access_token,
        json!({"name": "Weststadt", "town": "Musterstadt"}),
    )
    .await
    .assert_problem(403, "forbidden");
    patch(
        &app,
        &member.access_token,
        &id,
        "*",
        json!({"name": "Gekapert"}),
    )
    .await
    .assert_problem(403, "forbidden");
    app.send(
        Method::DELETE,
        &path,
        &[
            ("authorization", &format!("Bearer {}", member.access_token)),
            ("if-match", "*"),
        ],
        None,
    )
    .await
    .assert_problem(403, "forbidden");
    app.json(
        Method::POST,
        "/api/v1/districts",
        None,
        &[],
        &json!({"name": "Oststadt", "town": "Musterstadt"}),
    )
    .await
    .assert_problem(401, "unauthenticated");

    assert_eq!(app.count("districts", "true").await, 1);
    assert_eq!(
        app.count("districts", "name = 'Nordstadt' AND version = 1")
            .await,
        1
    );
}

#[actix_web::test]
async fn lists_are_by_name_paged_filtered_and_cacheable() {
    let app = TestApp::spawn().await;
    let token = app.admin().await.access_token;
    let nord = district(&app, &token, "Nordstadt", None).await;
    for name in ["Altstadt", "Hafen", "Zentrum"] {
        district(&app, &token, name, Some(&nord)).await;
    }
    create(&app, &token, json!({"name": "Dorf", "town": "Nachbarort"})).await;

    let mut names = Vec::new();
    let mut path = "/api/v1/districts?town=Musterstadt&limit=3".to_owned();
    loop {
        let page = app.get(&path, None).await;
        assert_eq!(page.status, 200, "{:?}", page.json());
        let body = page.json();
        names.extend(
            body["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|d| d["name"].as_str().expect("name").to_owned()),
        );
        match body["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/api/v1/districts?town=Musterstadt&limit=3&cursor={cursor}")
            }
            None => break,
        }
    }
    assert_eq!(names, ["Altstadt", "Hafen", "Nordstadt", "Zentrum"]);

    let children = app
        .get(&format!("/api/v1/districts?parent_id={nord}"), None)
        .await;
    assert_eq!(children.json()["items"].as_array().expect("items").len(), 3);
    let etag = children.header("etag").expect("etag").to_owned();
    let path = format!("/api/v1/districts?parent_id={nord}");
    let unchanged = app
        .send(Method::GET, &path, &[("if-none-match", &etag)], None)
        .await;
    assert_eq!(unchanged.status, 304);
    district(&app, &token, "Neubau", Some(&nord)).await;
    let changed = app
        .send(Method::GET, &path, &[("if-none-match", &etag)], None)
        .await;
    assert_eq!(changed.status, 200);
}

#[actix_web::test]
async fn bad_district_input_names_the_field_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let token = app.admin().await.access_token;
    district(&app, &token, "Nordstadt", None).await;

    let far_away = create(
        &app,
        &token,
        json!({"name": "X", "town": "T", "centre": {"latitude": 91.0, "longitude": 7.0}}),
    )
    .await;
    let unknown_parent = create(
        &app,
        &token,
        json!({"name": "X", "town": "T", "parent_id": "01930000-0000-7000-8000-000000000000"}),
    )
    .await;
    let bad_slug = create(
        &app,
        &token,
        json!({"name": "X", "town": "T", "slug": "Nord Stadt"}),
    )
    .await;
    let taken = create(
        &app,
        &token,
        json!({"name": "Nordstadt", "town": "Anderswo"}),
    )
    .await;
    let not_a_uuid = app.get("/api/v1/districts/nordstadt", None).await;
    let unknown = app
        .get(
            "/api/v1/districts/01930000-0000-7000-8000-000000000000",
            None,
        )
        .await;

    far_away.assert_problem(422, "validation-failed");
    assert_eq!(far_away.problem_fields(), ["centre.latitude"]);
    unknown_parent.assert_problem(422, "validation-failed");
    assert_eq!(unknown_parent.problem_fields(), ["parent_id"]);
    bad_slug.assert_problem(422, "validation-failed");
    assert_eq!(bad_slug.problem_fields(), ["slug"]);
    taken.assert_problem(409, "slug-taken");
    not_a_uuid.assert_problem(400, "malformed-request");
    unknown.assert_problem(404, "not-found");
    assert_eq!(app.count("districts", "true").await, 1);
}

#[actix_web::test]
async fn updates_need_the_current_version_and_never_close_a_loop() {
    let app = TestApp::spawn().await;
    let token = app.admin().await.access_token;
    let city = district(&app, &token, "Innenstadt", None).await;
    let quarter = district(&app, &token, "Altstadt", Some(&city)).await;
    let block = district(&app, &token, "Marktviertel", Some(&quarter)).await;

    patch(&app, &token, &city, "\"1\"", json!({"name": "X"})).await;
    let missing = app
        .json(
            Method::PATCH,
            &format!("/api/v1/districts/{city}"),
            Some(&token),
            &[],
            &json!({"name": "Y"}),
        )
        .await;
    let stale = patch(&app, &token, &city, "\"1\"", json!({"name": "Z"})).await;
    let loop_ = patch(&app, &token, &city, "*", json!({"parent_id": block})).await;
    let itself = patch(&app, &token, &city, "*", json!({"parent_id": city})).await;

    missing.assert_problem(428, "precondition-required");
    stale.assert_problem(412, "version-conflict");
    loop_.assert_problem(422, "validation-failed");
    assert_eq!(loop_.problem_fields(), ["parent_id"]);
    itself.assert_problem(422, "validation-failed");
    assert_eq!(app.count("districts", "parent_id IS NULL").await, 1);

    let cleared = patch(
        &app,
        &token,
        &quarter,
        "\"1\"",
        json!({"parent_id": null, "centre": null}),
    )
    .await;
    assert_eq!(cleared.status, 200, "{:?}", cleared.json());
    assert_eq!(cleared.json()["parent_id"], Value::Null);
    assert_eq!(cleared.header("etag"), Some("\"2\""));
}

#[actix_web::test]
async fn concurrent_parent_changes_cannot_close_a_loop_together() {
    let app = TestApp::spawn().await;
    let token = app.admin().await.access_token;

    for round in 0..10 {
        let a = district(&app, &token, &format!("A{round}"), None).await;
        let b = district(&app, &token, &format!("B{round}"), None).await;

        // Each change alone is fine; both together would make A and B contain each other.
        let (first, second) = tokio::join!(
            patch(&app, &token, &a, "*", json!({"parent_id": b})),
            patch(&app, &token, &b, "*", json!({"parent_id": a})),
        );

        let succeeded = [first.status, second.status]
            .iter()
            .filter(|s| **s == 200)
            .count();
        assert_eq!(
            succeeded, 1,
            "round {round}: {} and {}",
            first.status, second.status
        );
        let looped = format!("id IN ('{a}', '{b}') AND parent_id IN ('{a}', '{b}')");
        assert_eq!(app.count("districts", &looped).await, 1, "round {round}");
    }
}

#[actix_web::test]
async fn districts_with_sub_districts_are_not_deleted() {
    let app = TestApp::spawn().await;
    let token = app.admin().await.access_token;
    let parent = district(&app, &token, "Nordstadt", None).await;
    let child = district(&app, &token, "Hafen", Some(&parent)).await;
    let auth = format!("Bearer {token}");
    let delete = |id: String| {
        let auth = auth.clone();
        let app = &app;
        async move {
            app.send(
                Method::DELETE,
                &format!("/api/v1/districts/{id}"),
                &[("authorization", auth.as_str()), ("if-match", "\"1\"")],
                None,
            )
            .await
        }
    };

    delete(parent.clone())
        .await
        .assert_problem(409, "district-in-use");
    assert_eq!(delete(child.clone()).await.status, 204);
    assert_eq!(delete(parent.clone()).await.status, 204);

    assert_eq!(app.count("districts", "true").await, 0);
    app.get(&format!("/api/v1/districts/{parent}"), None)
        .await
        .assert_problem(404, "not-found");
}
