//! Who makes shifts and who may sign up for them: a shift for every date of an activity, only
//! by its operator's staff, no sign-ups once begun, and shifts of unpublished activities seen by
//! their staff only.

use actix_web::http::Method;
use chrono::{Duration, Utc};
use quartier_tests::{TestApp, id_of, join, post, setup, shift, sign_up};
use serde_json::json;

#[actix_web::test]
async fn shifts_for_every_date_and_the_rules_for_past_and_foreign_shifts() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let start = (Utc::now() + Duration::days(1))
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive();
    let activity = id_of(
        &post(
            &app,
            &s.coordinator.access_token,
            "/api/v1/activities",
            json!({"centre_id": s.centre, "title": "Kaffeetisch", "category": "coffee_table", "status": "published",
                   "schedule": {"kind": "recurring", "rrule": "FREQ=WEEKLY;COUNT=6", "first_start": format!("{start}T15:00:00"), "duration_minutes": 120}}),
        )
        .await,
    );
    // "Two helpers every week", from half an hour before until the end.
    let created = post(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/activities/{activity}/shifts"),
        json!({"title": "Kuchen backen und aufbauen", "capacity": 2, "start_offset_minutes": -30}),
    )
    .await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    assert_eq!(created.json()["created"], 6);
    let first = created.json()["shift_ids"][0]
        .as_str()
        .expect("id")
        .to_owned();
    let first_shift = app
        .get(&format!("/api/v1/shifts/{first}"), None)
        .await
        .json();
    assert_eq!(first_shift["activity"]["title"], "Kaffeetisch");
    assert_eq!(first_shift["capacity"], 2);
    assert_eq!(first_shift["free_places"], 2);
    assert_eq!(app.count("shifts", "occurrence_id IS NOT NULL").await, 6);

    // Another operator's coordinator can neither create shifts here nor sign up others.
    post(
        &app,
        &s.other_coordinator.access_token,
        &format!("/api/v1/activities/{activity}/shifts"),
        json!({"title": "X", "capacity": 1}),
    )
    .await
    .assert_problem(403, "forbidden");
    let starts_at = Utc::now() + Duration::hours(30);
    post(&app, &s.other_coordinator.access_token, "/api/v1/shifts",
         json!({"centre_id": s.centre, "title": "X", "capacity": 1, "starts_at": starts_at, "ends_at": starts_at + Duration::hours(1)}))
        .await
        .assert_problem(403, "forbidden");
    let (volunteer, volunteer_token) = app.volunteers(1).await.remove(0);
    post(
        &app,
        &s.other_coordinator.access_token,
        &format!("/api/v1/shifts/{first}/signups"),
        json!({"user_id": volunteer}),
    )
    .await
    .assert_problem(403, "forbidden");
    // Their own coordinator may sign up only a volunteer who came to operator A: a stranger
    // and an account that does not exist get the same answer, so the answer tells nothing
    // about her.
    let stranger = post(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/shifts/{first}/signups"),
        json!({"user_id": volunteer}),
    )
    .await
    .assert_problem(422, "validation-failed");
    let nobody = post(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/shifts/{first}/signups"),
        json!({"user_id": uuid::Uuid::now_v7()}),
    )
    .await
    .assert_problem(422, "validation-failed");
    assert_eq!(stranger["errors"], nobody["errors"]);
    assert_eq!(app.count("signups", "true").await, 0);
    // Once she says she helps operator A, its coordinator may sign her up.
    join(&app, &volunteer_token, &s.operator).await;
    let named = post(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/shifts/{first}/signups"),
        json!({"user_id": volunteer}),
    )
    .await;
    assert_eq!(named.status, 201);
    assert_eq!(named.json()["user_id"], volunteer.as_str());
    post(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/shifts/{first}/signups"),
        json!({"user_id": volunteer}),
    )
    .await
    .assert_problem(409, "already-signed-up");

    // A shift that has begun takes no sign-ups.
    let begun = {
        use diesel_async::RunQueryDsl;
        let id = shift(&app, &s, "Gestern", 10, 2, json!({})).await;
        diesel::sql_query(format!(
            "UPDATE shifts SET starts_at = now() - interval '1 hour' WHERE id = '{id}'"
        ))
        .execute(&mut app.conn().await)
        .await
        .expect("move into the past");
        id
    };
    let (_, token) = app.volunteers(1).await.remove(0);
    sign_up(&app, &token, &begun)
        .await
        .assert_problem(409, "shift-past");
    sign_up(&app, &token, "018f0000-0000-7000-8000-000000000000")
        .await
        .assert_problem(404, "not-found");
    let _ = (&s.admin, &s.operator);
}

#[actix_web::test]
async fn shifts_of_unpublished_activities_are_for_their_staff_only() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let start = (Utc::now() + Duration::days(2))
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive();
    let activity = id_of(
        &post(
            &app,
            &s.coordinator.access_token,
            "/api/v1/activities",
            json!({"centre_id": s.centre, "title": "Geheim", "category": "other", "status": "draft",
                   "schedule": {"kind": "recurring", "rrule": "FREQ=WEEKLY;COUNT=2", "first_start": format!("{start}T10:00:00"), "duration_minutes": 60}}),
        )
        .await,
    );
    let created = post(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/activities/{activity}/shifts"),
        json!({"title": "Vorbereiten", "capacity": 2}),
    )
    .await;
    let shift_id = created.json()["shift_ids"][0]
        .as_str()
        .expect("id")
        .to_owned();
    app.get(&format!("/api/v1/shifts/{shift_id}"), None)
        .await
        .assert_problem(404, "not-found");
    app.get(
        &format!("/api/v1/shifts/{shift_id}"),
        Some(&s.other_coordinator.access_token),
    )
    .await
    .assert_problem(404, "not-found");
    assert_eq!(
        app.get(
            &format!("/api/v1/shifts/{shift_id}"),
            Some(&s.coordinator.access_token)
        )
        .await
        .status,
        200
    );
    let (_, volunteer) = app.volunteers(1).await.remove(0);
    sign_up(&app, &volunteer, &shift_id)
        .await
        .assert_problem(404, "not-found");
    assert_eq!(app.count("signups", "true").await, 0);
    // A null body is an empty one.
    let published = app
        .json(
            Method::PATCH,
            &format!("/api/v1/activities/{activity}"),
            Some(&s.coordinator.access_token),
            &[("if-match", "*")],
            &json!({"status": "published"}),
        )
        .await;
    assert_eq!(published.status, 200);
    let signed = app
        .send(
            Method::POST,
            &format!("/api/v1/shifts/{shift_id}/signups"),
            &[("authorization", &format!("Bearer {volunteer}"))],
            Some(("application/json", b"null".to_vec())),
        )
        .await;
    assert_eq!(
        signed.status,
        201,
        "{}",
        String::from_utf8_lossy(&signed.body)
    );
}
