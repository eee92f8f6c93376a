//! A shift's roster: for the owning operator's staff only, with each volunteer's chosen way to
//! be reached, as JSON or CSV; check-in before the start and attendance after it.

use actix_web::http::Method;
use chrono::{Duration, Utc};
use quartier_tests::{TestApp, id_of, setup, shift, sign_up};
use serde_json::{Value, json};

#[actix_web::test]
async fn rosters_are_for_the_owning_operators_staff_only_and_record_attendance() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let soon = shift(&app, &s, "Tische decken", 1, 1, json!({})).await;
    let helga = app.signed_up("helga@example.org").await;
    let (_, other) = app.volunteers(1).await.remove(0);
    let confirmed = id_of(&sign_up(&app, &helga.access_token, &soon).await);
    let waiting = id_of(&sign_up(&app, &other, &soon).await);

    for token in [&s.other_coordinator.access_token, &helga.access_token] {
        app.get(&format!("/api/v1/shifts/{soon}/roster"), Some(token))
            .await
            .assert_problem(403, "forbidden");
        let from = Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
        let to = (Utc::now() + Duration::days(2)).format("%Y-%m-%dT%H:%M:%SZ");
        app.get(
            &format!("/api/v1/centres/{}/roster?from={from}&to={to}", s.centre),
            Some(token),
        )
        .await
        .assert_problem(403, "forbidden");
        app.json(
            Method::POST,
            &format!("/api/v1/signups/{confirmed}/check-in"),
            Some(token),
            &[],
            &json!({}),
        )
        .await;
    }
    assert_eq!(
        app.count("signups", "checked_in_at IS NOT NULL").await,
        0,
        "neither could check in"
    );

    // Helga wants to be reached by text message: the roster shows her number, not her address.
    let profile = app
        .json(
            Method::PATCH,
            "/api/v1/me/profile",
            Some(&helga.access_token),
            &[("if-match", "*")],
            &json!({"phone": "+49 231 7654321", "contact_by": "sms"}),
        )
        .await;
    assert_eq!(profile.status, 200);
    let roster = app
        .get(
            &format!("/api/v1/shifts/{soon}/roster"),
            Some(&s.coordinator.access_token),
        )
        .await;
    assert_eq!(roster.status, 200);
    let entries = roster.json();
    assert_eq!(entries[0]["name"], "Test Person");
    assert_eq!(entries[0]["contact_by"], "sms");
    assert_eq!(entries[0]["phone"], "+49 231 7654321");
    assert_eq!(entries[0]["email"], Value::Null);
    assert!(
        entries[1]["email"]
            .as_str()
            .expect("email")
            .starts_with("volunteer-")
    );
    assert_eq!(entries[0]["status"], "confirmed");
    assert_eq!(entries[1]["status"], "waitlisted");
    assert_eq!(entries[1]["waitlist_position"], 1);
    let csv = app
        .send(
            Method::GET,
            &format!("/api/v1/shifts/{soon}/roster"),
            &[
                ("authorization", &format!("Bearer {}", s.admin.access_token)),
                ("accept", "text/csv"),
            ],
            None,
        )
        .await;
    assert!(
        csv.header("content-type")
            .expect("type")
            .starts_with("text/csv")
    );
    let text = String::from_utf8(csv.body.clone()).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("signup_id,shift_id,shift_title"));
    // A leading + would make spreadsheet programs read a formula: it is quoted away.
    assert!(
        lines[1].contains(",sms,,'+49 231 7654321,confirmed,"),
        "{}",
        lines[1]
    );

    // Check-in opens two hours before; attendance once the shift has begun.
    let checked = app
        .json(
            Method::POST,
            &format!("/api/v1/signups/{confirmed}/check-in"),
            Some(&s.coordinator.access_token),
            &[],
            &json!({}),
        )
        .await;
    assert_eq!(
        checked.status,
        200,
        "{}",
        String::from_utf8_lossy(&checked.body)
    );
    app.json(
        Method::POST,
        &format!("/api/v1/signups/{waiting}/check-in"),
        Some(&s.coordinator.access_token),
        &[],
        &json!({}),
    )
    .await
    .assert_problem(409, "signup-not-confirmed");
    app.json(
        Method::POST,
        &format!("/api/v1/signups/{confirmed}/attendance"),
        Some(&s.coordinator.access_token),
        &[],
        &json!({"attended": true}),
    )
    .await
    .assert_problem(409, "not-yet");
    {
        use diesel_async::RunQueryDsl;
        diesel::sql_query(format!(
            "UPDATE shifts SET starts_at = now() - interval '3 hours', ends_at = now() - interval '1 hour' WHERE id = '{soon}'"
        ))
        .execute(&mut app.conn().await)
        .await
        .expect("the shift is over");
    }
    let attended = app
        .json(
            Method::POST,
            &format!("/api/v1/signups/{confirmed}/attendance"),
            Some(&s.coordinator.access_token),
            &[],
            &json!({"attended": true}),
        )
        .await;
    assert_eq!(
        attended.status,
        200,
        "{}",
        String::from_utf8_lossy(&attended.body)
    );
    assert_eq!(attended.json()["status"], "attended");
    assert_eq!(
        app.count("signups", "minutes_worked = 120").await,
        1,
        "the shift's length by default"
    );
    let corrected = app
        .json(
            Method::POST,
            &format!("/api/v1/signups/{confirmed}/attendance"),
            Some(&s.coordinator.access_token),
            &[],
            &json!({"attended": true, "minutes_worked": 90}),
        )
        .await;
    assert_eq!(corrected.status, 200);
    assert_eq!(app.count("signups", "minutes_worked = 90").await, 1);
    app.json(
        Method::POST,
        &format!("/api/v1/signups/{confirmed}/attendance"),
        Some(&s.other_coordinator.access_token),
        &[],
        &json!({"attended": false}),
    )
    .await
    .assert_problem(404, "not-found");
    assert_eq!(app.count("signups", "status = 'attended'").await, 1);
}
