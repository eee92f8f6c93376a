//! Cancelling a sign-up: the freed place goes to the first waiting volunteer who is free and
//! qualified then, nobody jumps the queue, and a cancellation within a day is marked late.

use actix_web::http::Method;
use quartier_tests::{TestApp, id_of, setup, shift, sign_up};
use serde_json::{Value, json};

#[actix_web::test]
async fn a_cancellation_promotes_the_first_waiting_volunteer_who_is_free_then() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let shift_id = shift(&app, &s, "Tische decken", 48, 1, json!({})).await;
    let other = shift(&app, &s, "Abwasch", 48, 5, json!({})).await;
    let people = app.volunteers(3).await;
    let holder = id_of(&sign_up(&app, &people[0].1, &shift_id).await);
    let busy = id_of(&sign_up(&app, &people[1].1, &shift_id).await);
    let free = id_of(&sign_up(&app, &people[2].1, &shift_id).await);
    // The first in line took a confirmed shift at the same time meanwhile.
    assert_eq!(
        sign_up(&app, &people[1].1, &other).await.json()["status"],
        "confirmed"
    );

    let cancelled = app
        .send(
            Method::DELETE,
            &format!("/api/v1/signups/{holder}"),
            &[("authorization", &format!("Bearer {}", people[0].1))],
            None,
        )
        .await;

    assert_eq!(
        cancelled.status,
        200,
        "{}",
        String::from_utf8_lossy(&cancelled.body)
    );
    assert_eq!(cancelled.json()["status"], "cancelled");
    assert_eq!(cancelled.json()["late_cancellation"], false);
    assert_eq!(cancelled.json()["promoted_signup_id"], free.as_str());
    let busy_now = app
        .get(&format!("/api/v1/signups/{busy}"), Some(&people[1].1))
        .await;
    assert_eq!(busy_now.json()["status"], "waitlisted");
    assert_eq!(busy_now.json()["waitlist_position"], 1);
    assert_eq!(
        app.get(&format!("/api/v1/signups/{free}"), Some(&people[2].1))
            .await
            .json()["status"],
        "confirmed"
    );
    // Cancelling twice is refused; so is cancelling someone else's.
    app.send(
        Method::DELETE,
        &format!("/api/v1/signups/{holder}"),
        &[("authorization", &format!("Bearer {}", people[0].1))],
        None,
    )
    .await
    .assert_problem(409, "signup-not-live");
    app.send(
        Method::DELETE,
        &format!("/api/v1/signups/{free}"),
        &[("authorization", &format!("Bearer {}", people[0].1))],
        None,
    )
    .await
    .assert_problem(404, "not-found");
    app.send(
        Method::POST,
        &format!("/api/v1/signups/{free}/cancel"),
        &[(
            "authorization",
            &format!("Bearer {}", s.other_coordinator.access_token),
        )],
        None,
    )
    .await
    .assert_problem(404, "not-found");
    assert_eq!(app.count("signups", "status = 'confirmed'").await, 2);
}

#[actix_web::test]
async fn a_cancellation_within_a_day_is_marked_late() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let soon = shift(&app, &s, "Kaffee kochen", 5, 2, json!({})).await;
    let (_, token) = app.volunteers(1).await.remove(0);
    let id = id_of(&sign_up(&app, &token, &soon).await);
    let cancelled = app
        .send(
            Method::POST,
            &format!("/api/v1/signups/{id}/cancel"),
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
        .await;
    assert_eq!(cancelled.json()["late_cancellation"], true);
    assert_eq!(app.count("signups", "late_cancellation").await, 1);
    assert_eq!(
        app.count(
            "outbox_events",
            "kind = 'signup.cancelled' AND payload::jsonb @> '{\"late_cancellation\": true, \"previous_status\": \"confirmed\"}'"
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn the_waitlist_keeps_its_order_and_its_rules_when_places_free_up() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let police = "00000000-0000-7000-8000-000000000001";
    let shift_id = shift(&app, &s, "Einlass", 48, 1, json!({})).await;
    let other = shift(&app, &s, "Garderobe", 48, 5, json!({})).await;
    let people = app.volunteers(3).await;
    let cancel = |id: String, token: String| {
        let app = &app;
        async move {
            app.send(
                Method::DELETE,
                &format!("/api/v1/signups/{id}"),
                &[("authorization", &format!("Bearer {token}"))],
                None,
            )
            .await
        }
    };
    let holder = id_of(&sign_up(&app, &people[0].1, &shift_id).await);
    let first_in_line = id_of(&sign_up(&app, &people[1].1, &shift_id).await);
    let elsewhere = id_of(&sign_up(&app, &people[1].1, &other).await);
    // The place frees up while the first in line is busy elsewhere: it stays free.
    assert_eq!(
        cancel(holder, people[0].1.clone()).await.json()["promoted_signup_id"],
        Value::Null
    );
    // Free again, they are next: a newcomer does not jump the queue.
    assert_eq!(cancel(elsewhere, people[1].1.clone()).await.status, 200);
    let newcomer = sign_up(&app, &people[2].1, &shift_id).await;
    assert_eq!(newcomer.json()["status"], "waitlisted");
    assert_eq!(
        app.get(
            &format!("/api/v1/signups/{first_in_line}"),
            Some(&people[1].1)
        )
        .await
        .json()["status"],
        "confirmed"
    );
    assert_eq!(
        app.count(
            "shifts",
            &format!("id = '{shift_id}' AND confirmed_count = 1")
        )
        .await,
        1
    );

    // A waiting volunteer without the qualification a shift requires is never promoted.
    let children = shift(
        &app,
        &s,
        "Spielgruppe",
        96,
        1,
        json!({"required_qualifications": [police]}),
    )
    .await;
    let more = app.volunteers(2).await;
    for (user, _) in &more {
        use diesel_async::RunQueryDsl;
        diesel::sql_query(format!(
            "INSERT INTO volunteer_qualifications (id, user_id, type_id, issued_on) \
             VALUES (gen_random_uuid(), '{user}', '{police}', now()::date - 30)"
        ))
        .execute(&mut app.conn().await)
        .await
        .expect("qualification");
        diesel::sql_query(format!(
            "INSERT INTO qualification_verifications \
             (id, user_id, type_id, operator_id, issued_on, inspected_on, inspected_by, expires_on) \
             VALUES (gen_random_uuid(), '{user}', '{police}', '{}', now()::date - 30, now()::date - 20, \
             '{}', now()::date + 1000)",
            s.operator, s.coordinator.id
        ))
        .execute(&mut app.conn().await)
        .await
        .expect("verification");
    }
    let holder = id_of(&sign_up(&app, &more[0].1, &children).await);
    let waiting = id_of(&sign_up(&app, &more[1].1, &children).await);
    let mine = app
        .get("/api/v1/me/qualifications", Some(&more[1].1))
        .await
        .json();
    let withdrawn = app
        .send(
            Method::DELETE,
            &format!(
                "/api/v1/me/qualifications/{}",
                mine[0]["id"].as_str().expect("id")
            ),
            &[("authorization", &format!("Bearer {}", more[1].1))],
            None,
        )
        .await;
    assert_eq!(withdrawn.status, 204);
    assert_eq!(
        cancel(holder, more[0].1.clone()).await.json()["promoted_signup_id"],
        Value::Null
    );
    assert_eq!(
        app.get(&format!("/api/v1/signups/{waiting}"), Some(&more[1].1))
            .await
            .json()["status"],
        "waitlisted"
    );
}
