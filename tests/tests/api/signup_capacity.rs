//! Places on a shift under load: never overbooked, the waitlist in arrival order, no
//! volunteer in two places at once, retries that change nothing, and the outbox written with
//! every change.

use actix_web::http::Method;
use chrono::{DateTime, Duration, Utc};
use futures_util::future::join_all;
use quartier_tests::{TestApp, at, id_of, post, setup, shift, sign_up};
use serde_json::{Value, json};

#[actix_web::test]
async fn a_hundred_and_twenty_at_once_never_overbook_and_wait_in_arrival_order() {
    let app = TestApp::spawn_with(&[("QUARTIER_DB_POOL_SIZE", "16")]).await;
    let s = setup(&app).await;
    let shift = shift(&app, &s, "Spielgruppe leiten", 48, 5, json!({})).await;
    let volunteers = app.volunteers(120).await;

    let answers = join_all(
        volunteers
            .iter()
            .map(|(_, token)| sign_up(&app, token, &shift)),
    )
    .await;

    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert!(
        statuses.iter().all(|s| *s == 201),
        "no 5xx, no refusal: {statuses:?}"
    );
    let confirmed = answers
        .iter()
        .filter(|a| a.json()["status"] == "confirmed")
        .count();
    assert_eq!(confirmed, 5);
    assert_eq!(app.count("signups", "status = 'confirmed'").await, 5);
    assert_eq!(app.count("signups", "status = 'waitlisted'").await, 115);
    assert_eq!(app.count("shifts", "confirmed_count = 5").await, 1);
    // Positions 1..115, each once, in the order the sign-ups were queued.
    let mut waiting: Vec<(i64, DateTime<Utc>)> = answers
        .iter()
        .map(|a| a.json())
        .filter(|a| a["status"] == "waitlisted")
        .map(|a| {
            (
                a["waitlist_position"].as_i64().expect("position"),
                at(&a["created_at"]),
            )
        })
        .collect();
    waiting.sort();
    assert_eq!(
        waiting.iter().map(|w| w.0).collect::<Vec<_>>(),
        (1..=115).collect::<Vec<_>>()
    );
    assert!(
        waiting.windows(2).all(|w| w[0].1 <= w[1].1),
        "first come, first in line"
    );
    // The public view: counts, no names.
    let public = app.get(&format!("/api/v1/shifts/{shift}"), None).await;
    assert_eq!(public.json()["free_places"], 0);
    assert_eq!(public.json()["waitlisted"], 115);
    let text = String::from_utf8_lossy(&public.body);
    assert!(!text.contains("volunteer-") && !text.contains(&volunteers[0].0));
    // The outbox holds one event per sign-up and the one that filled the shift.
    assert_eq!(
        app.count("outbox_events", "kind = 'signup.confirmed'")
            .await,
        5
    );
    assert_eq!(
        app.count("outbox_events", "kind = 'signup.waitlisted'")
            .await,
        115
    );
    assert_eq!(app.count("outbox_events", "kind = 'shift.filled'").await, 1);
    // Each event names its sign-up, shift, volunteer and start as the API writes them.
    let payloads = app
        .texts("SELECT payload FROM outbox_events WHERE kind LIKE 'signup.%'")
        .await;
    let mut seen = std::collections::HashSet::new();
    for payload in &payloads {
        let event: Value = serde_json::from_str(payload).expect("JSON payload");
        let signup = answers
            .iter()
            .map(|a| a.json())
            .find(|a| a["id"] == event["signup_id"])
            .expect("the event's sign-up was answered");
        assert_eq!(event["shift_id"], shift.as_str());
        assert_eq!(event["user_id"], signup["user_id"]);
        assert_eq!(event["starts_at"], public.json()["starts_at"], "{payload}");
        seen.insert(event["signup_id"].to_string());
    }
    assert_eq!(seen.len(), 120);
    let filled = app
        .texts("SELECT payload FROM outbox_events WHERE kind = 'shift.filled'")
        .await;
    let filled: Value = serde_json::from_str(&filled[0]).expect("JSON payload");
    assert_eq!(
        (
            &filled["shift_id"],
            &filled["capacity"],
            &filled["confirmed_count"],
            &filled["status"]
        ),
        (&json!(shift), &json!(5), &json!(5), &json!("open"))
    );
}

#[actix_web::test]
async fn simultaneous_cancellations_and_sign_ups_keep_the_places_full_and_exact() {
    let app = TestApp::spawn_with(&[("QUARTIER_DB_POOL_SIZE", "16")]).await;
    let s = setup(&app).await;
    let shift = shift(&app, &s, "Thekendienst", 48, 5, json!({})).await;
    let first = app.volunteers(20).await;
    let mut ids = Vec::new();
    for (_, token) in &first {
        ids.push(id_of(&sign_up(&app, token, &shift).await));
    }
    let late = app.volunteers(30).await;

    // The five confirmed cancel while thirty more sign up.
    let cancels = ids[..5].iter().zip(&first[..5]).map(|(id, (_, token))| {
        let app = &app;
        async move {
            app.send(
                Method::POST,
                &format!("/api/v1/signups/{id}/cancel"),
                &[("authorization", &format!("Bearer {token}"))],
                None,
            )
            .await
            .status
        }
    });
    let signups = late.iter().map(|(_, token)| {
        let app = &app;
        let shift = &shift;
        async move { sign_up(app, token, shift).await.status }
    });
    let (cancelled, signed) = tokio::join!(join_all(cancels), join_all(signups));

    assert!(cancelled.iter().all(|s| *s == 200), "{cancelled:?}");
    assert!(signed.iter().all(|s| *s == 201), "{signed:?}");
    assert_eq!(app.count("signups", "status = 'confirmed'").await, 5);
    assert_eq!(app.count("shifts", "confirmed_count = 5").await, 1);
    assert_eq!(app.count("signups", "status = 'cancelled'").await, 5);
    assert_eq!(app.count("signups", "status = 'waitlisted'").await, 40);
    // The freed places went to the first five who waited, before the late-comers.
    let promoted: Vec<String> = ids[5..10].to_vec();
    for id in &promoted {
        assert_eq!(
            app.count("signups", &format!("id = '{id}' AND status = 'confirmed'"))
                .await,
            1
        );
    }
    assert_eq!(
        app.count("outbox_events", "kind = 'signup.promoted'").await,
        5
    );
}

#[actix_web::test]
async fn one_volunteer_racing_for_two_overlapping_shifts_gets_one() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let morning = shift(&app, &s, "Aufbau", 24, 10, json!({})).await;
    let overlapping = {
        let starts_at = Utc::now() + Duration::hours(25);
        id_of(
            &post(
                &app,
                &s.coordinator.access_token,
                "/api/v1/shifts",
                json!({"centre_id": s.centre, "title": "Kuchenbuffet", "capacity": 10,
                       "starts_at": starts_at, "ends_at": starts_at + Duration::hours(2)}),
            )
            .await,
        )
    };
    for _ in 0..5 {
        let (_, token) = app.volunteers(1).await.remove(0);
        let (a, b) = tokio::join!(
            sign_up(&app, &token, &morning),
            sign_up(&app, &token, &overlapping)
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [201, 409]);
        let refused = if a.status == 409 { a } else { b };
        refused.assert_problem(409, "overlapping-shift");
    }
    assert_eq!(app.count("signups", "status = 'confirmed'").await, 5);
}

#[actix_web::test]
async fn a_retried_sign_up_with_the_same_key_gets_the_first_answer() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let shift_id = shift(&app, &s, "Einlass", 48, 1, json!({})).await;
    let people = app.volunteers(2).await;
    let send = |token: String, key: &'static str| {
        let app = &app;
        let shift_id = shift_id.clone();
        async move {
            app.send(
                Method::POST,
                &format!("/api/v1/shifts/{shift_id}/signups"),
                &[
                    ("authorization", &format!("Bearer {token}")),
                    ("idempotency-key", key),
                ],
                None,
            )
            .await
        }
    };
    // Three retries at once, and one later: one sign-up, four equal answers.
    let first = join_all((0..3).map(|_| send(people[0].1.clone(), "abc-1"))).await;
    let later = send(people[0].1.clone(), "abc-1").await;
    for answer in first.iter().chain([&later]) {
        assert_eq!(
            answer.status,
            201,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
        assert_eq!(answer.json()["id"], first[0].json()["id"]);
        assert_eq!(answer.json()["status"], "confirmed");
    }
    assert_eq!(app.count("signups", "true").await, 1);
    assert_eq!(app.count("outbox_events", "kind LIKE 'signup.%'").await, 1);
    // The same key from someone else is their own; a refusal is replayed too.
    let other = send(people[1].1.clone(), "abc-1").await;
    assert_eq!(other.json()["status"], "waitlisted");
    let again = send(people[1].1.clone(), "abc-2").await;
    again.assert_problem(409, "already-signed-up");
    send(people[1].1.clone(), "abc-2")
        .await
        .assert_problem(409, "already-signed-up");
    // The same key for another request is refused.
    let elsewhere = shift(&app, &s, "Abbau", 72, 1, json!({})).await;
    let reused = app
        .send(
            Method::POST,
            &format!("/api/v1/shifts/{elsewhere}/signups"),
            &[
                ("authorization", &format!("Bearer {}", people[1].1)),
                ("idempotency-key", "abc-1"),
            ],
            None,
        )
        .await;
    reused.assert_problem(422, "validation-failed");
    assert_eq!(app.count("signups", "true").await, 2);
}
