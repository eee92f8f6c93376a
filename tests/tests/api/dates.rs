//! A date (occurrence) of an activity carries its shifts with it: cancelled, they are
//! cancelled with every sign-up and every helper is told why; moved, they move along.

use actix_web::http::Method;
use chrono::{Duration, Utc};
use quartier_tests::{Setup, TestApp, at, id_of, post, setup, sign_up};
use serde_json::{Value, json};

/// A weekly published activity at the set-up centre from next week on, with a shift of one
/// place on each of its three dates; the ids of those shifts, by date.
async fn weekly_with_shifts(app: &TestApp, s: &Setup) -> Vec<String> {
    let start = (Utc::now() + Duration::days(7)).date_naive();
    let activity = id_of(
        &post(
            app,
            &s.coordinator.access_token,
            "/api/v1/activities",
            json!({"centre_id": s.centre, "title": "Spielgruppe", "category": "play_group", "status": "published",
                   "schedule": {"kind": "recurring", "rrule": "FREQ=WEEKLY;COUNT=3",
                                "first_start": format!("{start}T10:00:00"), "duration_minutes": 90}}),
        )
        .await,
    );
    let created = post(
        app,
        &s.coordinator.access_token,
        &format!("/api/v1/activities/{activity}/shifts"),
        json!({"title": "Spielgruppe leiten", "capacity": 1}),
    )
    .await;
    assert_eq!(created.status, 201);
    created.json()["shift_ids"]
        .as_array()
        .expect("ids")
        .iter()
        .map(|id| id.as_str().expect("id").to_owned())
        .collect()
}

async fn change_date(app: &TestApp, s: &Setup, shift: &Value, body: Value) -> u16 {
    let occurrence = shift["occurrence_id"].as_str().expect("a date");
    let path = format!("/api/v1/occurrences/{occurrence}");
    let current = app.get(&path, Some(&s.coordinator.access_token)).await;
    let etag = current.header("etag").expect("ETag");
    app.json(
        Method::PATCH,
        &path,
        Some(&s.coordinator.access_token),
        &[("if-match", etag)],
        &body,
    )
    .await
    .status
}

#[actix_web::test]
async fn cancelling_a_date_cancels_its_shifts_and_tells_every_helper_why() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let shifts = weekly_with_shifts(&app, &s).await;
    let mut volunteers = app.volunteers(3).await;
    let (_, late_comer) = volunteers.pop().expect("three");
    let mut signups = Vec::new();
    for (_, token) in &volunteers {
        signups.push(id_of(&sign_up(&app, token, &shifts[0]).await));
    }
    let first = app
        .get(&format!("/api/v1/shifts/{}", shifts[0]), None)
        .await;
    assert_eq!(
        (&first.json()["confirmed"], &first.json()["waitlisted"]),
        (&json!(1), &json!(1))
    );

    let status = change_date(
        &app,
        &s,
        &first.json(),
        json!({"cancelled": true, "cancellation_reason": "Die Leiterin ist erkrankt."}),
    )
    .await;
    assert_eq!(status, 200);

    let first = app
        .get(&format!("/api/v1/shifts/{}", shifts[0]), None)
        .await
        .json();
    assert_eq!(first["status"], "cancelled");
    assert_eq!(
        (&first["confirmed"], &first["waitlisted"]),
        (&json!(0), &json!(0))
    );
    for ((_, token), id) in volunteers.iter().zip(&signups) {
        let signup = app.get(&format!("/api/v1/signups/{id}"), Some(token)).await;
        assert_eq!(signup.json()["status"], "cancelled");
    }
    // The confirmed helper and the waiting one are both told, with the reason.
    let told: Vec<Value> = app
        .texts("SELECT payload FROM outbox_events WHERE kind = 'signup.cancelled' ORDER BY id")
        .await
        .iter()
        .map(|p| serde_json::from_str(p).expect("json"))
        .collect();
    assert_eq!(told.len(), 2);
    let mut was: Vec<&str> = told
        .iter()
        .map(|e| e["previous_status"].as_str().expect("valid"))
        .collect();
    was.sort();
    assert_eq!(was, ["confirmed", "waitlisted"]);
    assert!(told.iter().all(|e| e["reason"] == "occurrence_cancelled"));
    assert_eq!(
        app.count(
            "outbox_events",
            &format!("kind = 'shift.cancelled' AND subject_id = '{}'", shifts[0])
        )
        .await,
        1
    );
    // Nobody is taken on for the cancelled date; the other dates go on.
    sign_up(&app, &late_comer, &shifts[0])
        .await
        .assert_problem(409, "shift-cancelled");
    let second = app
        .get(&format!("/api/v1/shifts/{}", shifts[1]), None)
        .await
        .json();
    assert_eq!(second["status"], "open");
    assert_eq!(sign_up(&app, &late_comer, &shifts[1]).await.status, 201);
    assert_eq!(app.count("shifts", "status = 'cancelled'").await, 1);
}

#[actix_web::test]
async fn moving_a_date_moves_its_shifts_and_their_sign_ups() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let shifts = weekly_with_shifts(&app, &s).await;
    let (_, token) = app.volunteers(1).await.remove(0);
    let signup = id_of(&sign_up(&app, &token, &shifts[0]).await);
    let before = app
        .get(&format!("/api/v1/shifts/{}", shifts[0]), None)
        .await
        .json();
    let second_before = app
        .get(&format!("/api/v1/shifts/{}", shifts[1]), None)
        .await
        .json();
    let occurrence = app
        .get(
            &format!(
                "/api/v1/occurrences/{}",
                before["occurrence_id"].as_str().expect("valid")
            ),
            None,
        )
        .await
        .json();
    let new_start = at(&occurrence["starts_at"]) + Duration::hours(2);

    let status = change_date(&app, &s, &before, json!({"starts_at": new_start})).await;
    assert_eq!(status, 200);

    let after = app
        .get(&format!("/api/v1/shifts/{}", shifts[0]), None)
        .await
        .json();
    assert_eq!(
        at(&after["starts_at"]) - at(&before["starts_at"]),
        Duration::hours(2)
    );
    assert_eq!(
        at(&after["ends_at"]) - at(&before["ends_at"]),
        Duration::hours(2)
    );
    assert_eq!(after["status"], "open");
    let mine = app
        .get(&format!("/api/v1/signups/{signup}"), Some(&token))
        .await
        .json();
    assert_eq!(mine["status"], "confirmed");
    assert_eq!(mine["starts_at"], after["starts_at"]);
    let changed = app
        .texts(&format!(
            "SELECT payload FROM outbox_events WHERE kind = 'shift.changed' AND subject_id = '{}'",
            shifts[0]
        ))
        .await;
    assert_eq!(changed.len(), 1);
    let changed: Value = serde_json::from_str(&changed[0]).expect("json");
    assert_eq!(changed["starts_at"], after["starts_at"]);
    // The other dates stay where they were.
    let second = app
        .get(&format!("/api/v1/shifts/{}", shifts[1]), None)
        .await
        .json();
    assert_eq!(second["starts_at"], second_before["starts_at"]);
}
