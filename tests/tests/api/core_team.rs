//! The core team: the town's coordinator reads concerns and partners of the whole town, a
//! district manager the concerns of the districts she looks after; neither answers them.

use actix_web::http::Method;
use quartier_tests::fixtures::{id_of, post, setup};
use quartier_tests::{TestApp, TestResponse};
use serde_json::{Value, json};

#[track_caller]
fn status(response: &TestResponse, expected: u16) -> Value {
    assert_eq!(
        response.status,
        expected,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    if response.body.is_empty() {
        Value::Null
    } else {
        response.json()
    }
}

fn ids(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| {
            c.get("id")
                .or(c.get("user_id"))
                .and_then(Value::as_str)
                .expect("id")
        })
        .collect()
}

#[actix_web::test]
async fn the_core_team_reads_the_concerns_of_the_districts_it_looks_after() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = &s.admin.access_token;
    let town = app
        .texts("SELECT district_id::text FROM centres LIMIT 1")
        .await
        .remove(0);
    let district = |name: &'static str, parent: Option<String>| {
        let app = &app;
        async move {
            id_of(
                &post(
                    app,
                    admin,
                    "/api/v1/districts",
                    json!({"name": name, "town": "Musterstadt", "parent_id": parent}),
                )
                .await,
            )
        }
    };
    let harbour = district("Hafenviertel", Some(town.clone())).await;
    let south = district("Südstadt", None).await;
    let tina = app.signed_up("tina@musterstadt.example").await;
    let dieter = app.signed_up("dieter@musterstadt.example").await;
    let role = |user: &str| format!("/api/v1/users/{user}/core-team");
    let put = |path: String, body: Value| {
        let app = &app;
        async move { app.json(Method::PUT, &path, Some(admin), &[], &body).await }
    };
    // A district manager needs districts, the town's coordinator has none; ids must exist.
    for (user, body, expected) in [
        (&dieter.id, json!({"role": "district_manager"}), 422),
        (
            &tina.id,
            json!({"role": "town_coordinator", "district_ids": [harbour]}),
            422,
        ),
        (
            &dieter.id,
            json!({"role": "district_manager", "district_ids": ["00000000-0000-7000-8000-000000000000"]}),
            422,
        ),
        (
            &"00000000-0000-7000-8000-000000000000".to_owned(),
            json!({"role": "town_coordinator"}),
            404,
        ),
    ] {
        status(&put(role(user), body).await, expected);
    }
    assert_eq!(app.count("core_team_members", "true").await, 0);
    status(
        &put(role(&tina.id), json!({"role": "town_coordinator"})).await,
        200,
    );
    let made = status(
        &put(
            role(&dieter.id),
            json!({"role": "district_manager", "district_ids": [harbour]}),
        )
        .await,
        200,
    );
    assert_eq!(made["district_ids"], json!([harbour]));
    app.json(
        Method::PUT,
        &role(&dieter.id),
        Some(&s.coordinator.access_token),
        &[],
        &json!({"role": "town_coordinator"}),
    )
    .await
    .assert_problem(403, "forbidden");

    // Two concerns waiting for moderation: one in the harbour, one in the south.
    let category = id_of(
        &post(
            &app,
            admin,
            "/api/v1/concern-categories",
            json!({"name": "Wohnumfeld", "kind": "problem", "operator_id": s.operator,
                   "needs_moderation": true}),
        )
        .await,
    );
    let anna = app.signed_up("anna@example.org").await;
    let raise = |district: String, title: &'static str| {
        let app = &app;
        let token = anna.access_token.clone();
        let category = category.clone();
        async move {
            id_of(
                &post(
                    app,
                    &token,
                    "/api/v1/concerns",
                    json!({"category_id": category, "district_id": district,
                           "title": title, "text": "Bitte ansehen."}),
                )
                .await,
            )
        }
    };
    let at_harbour = raise(harbour.clone(), "Kaimauer bröckelt").await;
    let in_south = raise(south.clone(), "Ampel zu kurz").await;
    let queue = |district: &str| format!("/api/v1/districts/{district}/concerns");

    // The district manager: her district (and what lies inside it), nothing above or beside.
    let d = &dieter.access_token;
    let hers = status(&app.get(&queue(&harbour), Some(d)).await, 200);
    assert_eq!(ids(&hers), [at_harbour.as_str()]);
    for other in [&town, &south] {
        app.get(&queue(other), Some(d))
            .await
            .assert_problem(403, "forbidden");
    }
    status(
        &app.get(&format!("/api/v1/concerns/{at_harbour}"), Some(d))
            .await,
        200,
    );
    app.get(&format!("/api/v1/concerns/{in_south}"), Some(d))
        .await
        .assert_problem(404, "not-found");
    // She reads; she does not answer.
    post(
        &app,
        d,
        &format!("/api/v1/concerns/{at_harbour}/answers"),
        json!({"text": "Gesehen", "visibility": "internal"}),
    )
    .await
    .assert_problem(403, "forbidden");

    // The town's coordinator: every district, and every field of the partners.
    let t = &tina.access_token;
    let town_queue = status(&app.get(&queue(&town), Some(t)).await, 200);
    assert_eq!(ids(&town_queue), [at_harbour.as_str()]);
    let south_queue = status(&app.get(&queue(&south), Some(t)).await, 200);
    assert_eq!(ids(&south_queue), [in_south.as_str()]);
    let partner = id_of(
        &post(
            &app,
            admin,
            "/api/v1/partners",
            json!({"name": "Hafenverein", "kind": "association",
                   "contact_email": "info@hafenverein.example"}),
        )
        .await,
    );
    let path = format!("/api/v1/partners/{partner}");
    let seen = status(&app.get(&path, Some(t)).await, 200);
    assert_eq!(seen["contact_email"], "info@hafenverein.example");
    let seen = status(&app.get(&path, Some(d)).await, 200);
    assert_eq!(seen["contact_email"], Value::Null);

    // The core team sees itself; others do not.
    let team = status(&app.get("/api/v1/core-team", Some(t)).await, 200);
    assert_eq!(team["items"].as_array().map(Vec::len), Some(2));
    app.get("/api/v1/core-team", Some(&anna.access_token))
        .await
        .assert_problem(403, "forbidden");
    // Without the role, no queue.
    let removed = app
        .send(
            Method::DELETE,
            &role(&dieter.id),
            &[("authorization", &format!("Bearer {admin}"))],
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    app.get(&queue(&harbour), Some(d))
        .await
        .assert_problem(403, "forbidden");
}
