//! Changing a shift: fewer places only with who goes back to the waitlist, more places
//! promote the first in line, new times carry over to the sign-ups, and a cancelled shift
//! cancels them all.

use actix_web::http::Method;
use chrono::{Duration, Utc};
use quartier_tests::{TestApp, TestResponse, id_of, setup, shift, sign_up};
use serde_json::{Value, json};

/// PATCHes `shift` with `body` and the bearer `token`, whatever its current version.
async fn patch_shift(app: &TestApp, token: &str, shift: &str, body: Value) -> TestResponse {
    app.json(
        Method::PATCH,
        &format!("/api/v1/shifts/{shift}"),
        Some(token),
        &[("if-match", "*")],
        &body,
    )
    .await
}

#[actix_web::test]
async fn capacity_changes_move_volunteers_and_a_cancelled_shift_cancels_its_sign_ups() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let shift_id = shift(&app, &s, "Thekendienst", 48, 3, json!({})).await;
    let people = app.volunteers(5).await;
    let mut ids = Vec::new();
    for (_, token) in &people {
        ids.push(id_of(&sign_up(&app, token, &shift_id).await));
    }
    let token = &s.coordinator.access_token;

    // Fewer places than confirmed: refused until staff say who goes back to the waitlist.
    patch_shift(&app, token, &shift_id, json!({"capacity": 2}))
        .await
        .assert_problem(409, "capacity-below-confirmed");
    patch_shift(
        &app,
        token,
        &shift_id,
        json!({"capacity": 2, "move_to_waitlist": [ids[4]]}),
    )
    .await
    .assert_problem(422, "validation-failed");
    let lowered = patch_shift(
        &app,
        token,
        &shift_id,
        json!({"capacity": 2, "move_to_waitlist": [ids[2]]}),
    )
    .await;
    assert_eq!(
        lowered.status,
        200,
        "{}",
        String::from_utf8_lossy(&lowered.body)
    );
    assert_eq!(lowered.json()["confirmed"], 2);
    assert_eq!(lowered.json()["waitlisted"], 3);
    assert_eq!(
        app.count(
            "signups",
            &format!("id = '{}' AND status = 'waitlisted'", ids[2])
        )
        .await,
        1
    );

    // More places: the first in line are promoted.
    let raised = patch_shift(&app, token, &shift_id, json!({"capacity": 4})).await;
    assert_eq!(raised.json()["confirmed"], 4);
    assert_eq!(raised.json()["waitlisted"], 1);
    assert_eq!(
        app.count(
            "signups",
            &format!("id = '{}' AND status = 'confirmed'", ids[2])
        )
        .await,
        1,
        "back first"
    );
    assert_eq!(
        app.count(
            "signups",
            &format!("id = '{}' AND status = 'waitlisted'", ids[4])
        )
        .await,
        1
    );

    // New times carry over to the sign-ups.
    let later = Utc::now() + Duration::hours(72);
    let moved = patch_shift(
        &app,
        token,
        &shift_id,
        json!({"starts_at": later, "ends_at": later + Duration::hours(1)}),
    )
    .await;
    assert_eq!(moved.status, 200);
    assert_eq!(
        app.count("signups", "ends_at - starts_at = interval '1 hour'")
            .await,
        5
    );

    // Another operator's coordinator may not; the owner cancels.
    patch_shift(
        &app,
        &s.other_coordinator.access_token,
        &shift_id,
        json!({"status": "cancelled"}),
    )
    .await
    .assert_problem(403, "forbidden");
    let cancelled = patch_shift(&app, token, &shift_id, json!({"status": "cancelled"})).await;
    assert_eq!(cancelled.json()["status"], "cancelled");
    assert_eq!(app.count("signups", "status = 'cancelled'").await, 5);
    assert_eq!(
        app.count("shifts", "confirmed_count = 0 AND status = 'cancelled'")
            .await,
        1
    );
    assert_eq!(
        app.count("outbox_events", "kind = 'shift.cancelled'").await,
        1
    );
    sign_up(&app, &people[0].1, &shift_id)
        .await
        .assert_problem(409, "shift-cancelled");
    patch_shift(&app, token, &shift_id, json!({"capacity": 9}))
        .await
        .assert_problem(409, "shift-cancelled");
}
