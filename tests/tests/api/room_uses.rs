//! Rooms taken by more than bookings (Rule 8): an activity's dates claim the room it uses and
//! move or free the claim with the date, and a centre's closures take all its rooms.

use actix_web::http::Method;
use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use quartier_tests::{Setup, TestApp, TestResponse, at, id_of, patch, post, setup};
use serde_json::{Value, json};

/// A local time in Berlin, `days` days from now at `hour:minute`.
fn local(days: i64, hour: u32, minute: u32) -> DateTime<Utc> {
    let date = (Utc::now() + Duration::days(days))
        .with_timezone(&Berlin)
        .date_naive();
    Berlin
        .from_local_datetime(&date.and_hms_opt(hour, minute, 0).expect("a time"))
        .single()
        .expect("one local time")
        .with_timezone(&Utc)
}

async fn room(app: &TestApp, s: &Setup, body: Value) -> String {
    id_of(
        &post(
            app,
            &s.coordinator.access_token,
            &format!("/api/v1/centres/{}/rooms", s.centre),
            body,
        )
        .await,
    )
}

async fn book(
    app: &TestApp,
    token: &str,
    room: &str,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    booker: &str,
) -> TestResponse {
    post(
        app,
        token,
        &format!("/api/v1/rooms/{room}/bookings"),
        json!({"booker": booker, "purpose": "Chorprobe", "expected_people": 12,
               "layout": "seated", "starts_at": starts_at, "ends_at": ends_at}),
    )
    .await
}

fn first_date(response: &TestResponse) -> (String, String) {
    assert_eq!(
        response.status,
        201,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    let date = &response.json()["dates"][0];
    (
        date["id"].as_str().expect("an id").to_owned(),
        date["status"].as_str().expect("a status").to_owned(),
    )
}

async fn put_room(app: &TestApp, token: &str, activity: &str, room: &str) -> TestResponse {
    app.json(
        Method::PUT,
        &format!("/api/v1/activities/{activity}/room"),
        Some(token),
        &[],
        &json!({"room_id": room}),
    )
    .await
}

/// The activity's dates, by start, as `(id, starts_at)`.
async fn dates(app: &TestApp, token: &str, activity: &str) -> Vec<(String, DateTime<Utc>)> {
    let page = app
        .get(
            &format!("/api/v1/activities/{activity}/occurrences?limit=100"),
            Some(token),
        )
        .await;
    assert_eq!(page.status, 200);
    page.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| {
            (
                o["id"].as_str().expect("id").to_owned(),
                at(&o["starts_at"]),
            )
        })
        .collect()
}

/// Claims written for the dates of activities.
async fn activity_claims(app: &TestApp) -> i64 {
    app.count("room_claims", "occurrence_id IS NOT NULL").await
}

async fn move_date(app: &TestApp, token: &str, occurrence: &str, body: Value) -> TestResponse {
    app.json(
        Method::PATCH,
        &format!("/api/v1/occurrences/{occurrence}"),
        Some(token),
        &[("if-match", "*")],
        &body,
    )
    .await
}

#[actix_web::test]
async fn an_activity_claims_its_room_and_its_dates_move_and_free_it() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let token = s.coordinator.access_token.as_str();
    let a = room(
        &app,
        &s,
        json!({"name": "Saal A", "capacity_seated": 60, "cleanup_minutes": 30}),
    )
    .await;
    let b = room(&app, &s, json!({"name": "Saal B", "capacity_seated": 60})).await;
    let saal = room(
        &app,
        &s,
        json!({"name": "Saal", "capacity_seated": 120, "made_of": [a, b],
               "bookable_by": "residents"}),
    )
    .await;
    // A weekly choir on four evenings, 18:00–20:00 local time.
    let first = local(7, 18, 0).with_timezone(&Berlin);
    let activity = id_of(
        &post(
            &app,
            token,
            "/api/v1/activities",
            json!({"centre_id": s.centre, "title": "Nachbarschaftschor", "category": "interest_group",
                   "status": "published",
                   "schedule": {"kind": "recurring", "rrule": "FREQ=WEEKLY;COUNT=4",
                       "first_start": first.format("%Y-%m-%dT%H:%M:%S").to_string(),
                       "duration_minutes": 120}}),
        )
        .await,
    );
    let weeks = dates(&app, token, &activity).await;
    assert_eq!(weeks.len(), 4);

    // A resident asks for the Saal on the second evening; the operator has room A on the
    // third.
    let resident = app.signed_up("nachbarin@example.org").await;
    let (request, status) = first_date(
        &book(
            &app,
            &resident.access_token,
            &saal,
            weeks[1].1 + Duration::hours(1),
            weeks[1].1 + Duration::hours(3),
            "account",
        )
        .await,
    );
    assert_eq!(status, "requested");
    let (third, status) = first_date(
        &book(
            &app,
            token,
            &a,
            weeks[2].1 + Duration::minutes(30),
            weeks[2].1 + Duration::hours(1),
            "operator",
        )
        .await,
    );
    assert_eq!(status, "confirmed");

    // The third evening is taken: nothing changes, and the answer names it.
    let refused = put_room(&app, token, &activity, &a).await;
    let problem = refused.assert_problem(409, "room-taken");
    let detail = problem["detail"].as_str().expect("a detail");
    assert!(detail.contains(&weeks[2].1.to_rfc3339()), "{detail}");
    assert_eq!(app.count("activity_rooms", "true").await, 0);
    assert_eq!(activity_claims(&app).await, 0);

    // Once the booking is cancelled, every evening holds room A, and the resident's request
    // on the second evening is declined with its event.
    let cancelled = post(
        &app,
        token,
        &format!("/api/v1/room-booking-dates/{third}/cancel"),
        json!({}),
    )
    .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.json());
    let used = put_room(&app, token, &activity, &a).await;
    assert_eq!(used.status, 200, "{}", used.json());
    let body = used.json();
    assert_eq!(body["room_id"], json!(a));
    assert_eq!(body["dates_without_room"], json!([]));
    assert_eq!(body["declined"][0]["id"], json!(request));
    assert_eq!(body["declined"][0]["status"], "declined");
    assert_eq!(activity_claims(&app).await, 4);
    assert_eq!(
        app.count(
            "outbox_events",
            &format!("kind = 'room_booking.declined' AND subject_id = '{request}'")
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "audit_events",
            &format!("action = 'activity.room_set' AND object_id = '{activity}'")
        )
        .await,
        1
    );

    // The Saal holds A: it is taken on the first evening, B alone is free.
    book(
        &app,
        token,
        &saal,
        weeks[0].1 + Duration::hours(1),
        weeks[0].1 + Duration::hours(2),
        "operator",
    )
    .await
    .assert_problem(409, "room-taken");
    let (_, status) = first_date(
        &book(
            &app,
            token,
            &b,
            weeks[0].1 + Duration::hours(1),
            weeks[0].1 + Duration::hours(2),
            "operator",
        )
        .await,
    );
    assert_eq!(status, "confirmed");
    // A's clean-up counts for the activity too: 20:15 clashes.
    book(
        &app,
        token,
        &a,
        weeks[0].1 + Duration::minutes(135),
        weeks[0].1 + Duration::minutes(180),
        "operator",
    )
    .await
    .assert_problem(409, "room-taken");

    // Moving the first evening to 21:00 moves its claim: 18:00 is free again.
    let moved = move_date(
        &app,
        token,
        &weeks[0].0,
        json!({"starts_at": weeks[0].1 + Duration::hours(3),
               "ends_at": weeks[0].1 + Duration::hours(5)}),
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.json());
    let (_, status) = first_date(
        &book(
            &app,
            token,
            &a,
            weeks[0].1,
            weeks[0].1 + Duration::hours(1),
            "operator",
        )
        .await,
    );
    assert_eq!(status, "confirmed");
    assert_eq!(activity_claims(&app).await, 4);

    // Moving the second evening onto a confirmed booking fails and leaves it where it was.
    let (_, status) = first_date(
        &book(
            &app,
            token,
            &a,
            weeks[1].1 + Duration::hours(3),
            weeks[1].1 + Duration::hours(4),
            "operator",
        )
        .await,
    );
    assert_eq!(status, "confirmed");
    move_date(
        &app,
        token,
        &weeks[1].0,
        json!({"starts_at": weeks[1].1 + Duration::hours(2),
               "ends_at": weeks[1].1 + Duration::hours(4)}),
    )
    .await
    .assert_problem(409, "room-taken");
    assert_eq!(
        app.texts(&format!(
            "SELECT to_char(starts_at AT TIME ZONE 'Europe/Berlin', 'HH24:MI') FROM occurrences \
             WHERE id = '{}'",
            weeks[1].0
        ))
        .await,
        ["18:00"]
    );

    // Cancelling the fourth evening frees the room; reinstating it claims it again, unless
    // it was taken meanwhile.
    let cancelled = move_date(
        &app,
        token,
        &weeks[3].0,
        json!({"cancelled": true, "cancellation_reason": "Chorleiterin krank"}),
    )
    .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.json());
    assert_eq!(activity_claims(&app).await, 3);
    let (_, status) = first_date(
        &book(
            &app,
            token,
            &a,
            weeks[3].1,
            weeks[3].1 + Duration::hours(1),
            "operator",
        )
        .await,
    );
    assert_eq!(status, "confirmed");
    move_date(&app, token, &weeks[3].0, json!({"cancelled": false}))
        .await
        .assert_problem(409, "room-taken");

    // The room's public feed shows the published activity by its title, never a name.
    let feed = app
        .get(
            &format!(
                "/api/v1/rooms/{a}/busy.ics?from={}&to={}",
                (Utc::now()).format("%Y-%m-%dT%H:%M:%SZ"),
                (Utc::now() + Duration::days(40)).format("%Y-%m-%dT%H:%M:%SZ")
            ),
            None,
        )
        .await;
    assert_eq!(feed.status, 200);
    let text = String::from_utf8_lossy(&feed.body);
    assert_eq!(
        text.matches("SUMMARY:Nachbarschaftschor").count(),
        3,
        "{text}"
    );
    assert!(!text.contains("nachbarin"), "{text}");

    // Freed: the dates give the room back.
    let released = app
        .send(
            Method::DELETE,
            &format!("/api/v1/activities/{activity}/room"),
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
        .await;
    assert_eq!(released.status, 204);
    assert_eq!(activity_claims(&app).await, 0);
    app.get(&format!("/api/v1/activities/{activity}/room"), Some(token))
        .await
        .assert_problem(404, "not-found");
}

#[actix_web::test]
async fn dates_stored_later_hold_the_room_where_it_is_free() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let token = s.coordinator.access_token.as_str();
    let a = room(&app, &s, json!({"name": "Werkraum", "capacity_seated": 12})).await;
    let first = local(3, 10, 0).with_timezone(&Berlin);
    let schedule = |count: u32| {
        json!({"kind": "recurring", "rrule": format!("FREQ=WEEKLY;COUNT={count}"),
               "first_start": first.format("%Y-%m-%dT%H:%M:%S").to_string(),
               "duration_minutes": 90})
    };
    let activity = id_of(
        &post(
            &app,
            token,
            "/api/v1/activities",
            json!({"centre_id": s.centre, "title": "Reparaturcafé", "category": "course",
                   "schedule": schedule(2)}),
        )
        .await,
    );
    assert_eq!(put_room(&app, token, &activity, &a).await.status, 200);
    // Someone holds the room on the fourth week before the series grows into it.
    let fourth = local(3 + 21, 10, 30);
    let (_, status) = first_date(
        &book(
            &app,
            token,
            &a,
            fourth,
            fourth + Duration::hours(1),
            "operator",
        )
        .await,
    );
    assert_eq!(status, "confirmed");
    let grown = patch(
        &app,
        token,
        &format!("/api/v1/activities/{activity}"),
        json!({"schedule": schedule(5)}),
    )
    .await;
    assert_eq!(grown.status, 200, "{}", grown.json());
    let weeks = dates(&app, token, &activity).await;
    assert_eq!(weeks.len(), 5);
    let held = app
        .get(&format!("/api/v1/activities/{activity}/room"), Some(token))
        .await;
    assert_eq!(held.status, 200);
    assert_eq!(
        held.json()["dates_without_room"],
        json!([{"occurrence_id": weeks[3].0, "starts_at": weeks[3].1,
                "ends_at": weeks[3].1 + Duration::minutes(90)}])
    );
    assert_eq!(activity_claims(&app).await, 4);

    // Another operator's staff and keys without rooms:write cannot change it.
    app.json(
        Method::PUT,
        &format!("/api/v1/activities/{activity}/room"),
        Some(&s.other_coordinator.access_token),
        &[],
        &json!({"room_id": a}),
    )
    .await
    .assert_problem(403, "forbidden");
    // A room of no centre of the activity is refused as a field.
    let other_centre_room = put_room(&app, token, &activity, &uuid::Uuid::now_v7().to_string())
        .await
        .assert_problem(422, "validation-failed");
    assert_eq!(other_centre_room["errors"][0]["field"], "room_id");
}

#[actix_web::test]
async fn a_closure_takes_every_room_of_the_centre() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let token = s.coordinator.access_token.as_str();
    let admin = s.admin.access_token.as_str();
    let a = room(&app, &s, json!({"name": "Raum A", "capacity_seated": 20})).await;
    let b = room(
        &app,
        &s,
        json!({"name": "Raum B", "capacity_seated": 20, "bookable_by": "residents"}),
    )
    .await;
    let booked_day = local(20, 0, 0).with_timezone(&Berlin).date_naive();
    let closed_day = local(21, 0, 0).with_timezone(&Berlin).date_naive();
    first_date(
        &book(
            &app,
            token,
            &a,
            local(20, 10, 0),
            local(20, 12, 0),
            "operator",
        )
        .await,
    );
    let resident = app.signed_up("nachbar@example.org").await;
    let (request, status) = first_date(
        &book(
            &app,
            &resident.access_token,
            &b,
            local(21, 15, 0),
            local(21, 16, 0),
            "account",
        )
        .await,
    );
    assert_eq!(status, "requested");
    let hours = |day: Option<chrono::NaiveDate>| {
        json!({"weekly": [{"weekday": 1, "opens": "09:00", "closes": "17:00"}],
               "closures": day.map(|d| vec![json!({"date": d, "note": "Betriebsausflug"})])
                   .unwrap_or_default()})
    };
    let put_hours = |body: Value| {
        let app = &app;
        let path = format!("/api/v1/centres/{}/opening-hours", s.centre);
        async move {
            app.json(Method::PUT, &path, Some(admin), &[("if-match", "*")], &body)
                .await
        }
    };

    // Closing on a day a room is booked fails and changes nothing.
    put_hours(hours(Some(booked_day)))
        .await
        .assert_problem(409, "room-taken");
    assert_eq!(app.count("centre_closures", "true").await, 0);
    assert_eq!(app.count("centre_opening_hours", "true").await, 0);

    // Closing the next day takes both rooms for the local day and declines the request.
    let closed = put_hours(hours(Some(closed_day))).await;
    assert_eq!(closed.status, 200, "{}", closed.json());
    assert_eq!(
        app.count("room_claims", "closure_date IS NOT NULL").await,
        2
    );
    assert_eq!(
        app.texts(&format!(
            "SELECT status FROM room_booking_dates WHERE id = '{request}'"
        ))
        .await,
        ["declined"]
    );
    book(
        &app,
        token,
        &a,
        local(21, 23, 0),
        local(21, 23, 30),
        "operator",
    )
    .await
    .assert_problem(409, "room-taken");
    // The day before stays bookable until its midnight.
    first_date(
        &book(
            &app,
            token,
            &a,
            local(20, 22, 0),
            local(20, 23, 0),
            "operator",
        )
        .await,
    );

    // A room made later is closed that day too, and says so.
    let c = room(&app, &s, json!({"name": "Raum C", "capacity_seated": 8})).await;
    assert_eq!(
        app.count("room_claims", "closure_date IS NOT NULL").await,
        3
    );
    let busy = app
        .get(
            &format!(
                "/api/v1/rooms/{c}/availability?from={}&to={}",
                local(21, 0, 0).format("%Y-%m-%dT%H:%M:%SZ"),
                local(22, 0, 0).format("%Y-%m-%dT%H:%M:%SZ")
            ),
            None,
        )
        .await;
    assert_eq!(busy.status, 200, "{}", busy.json());
    assert_eq!(busy.json()["busy"][0]["starts_at"], json!(local(21, 0, 0)));
    assert_eq!(busy.json()["busy"][0]["ends_at"], json!(local(22, 0, 0)));

    // Opening again gives the rooms back.
    assert_eq!(put_hours(hours(None)).await.status, 200);
    assert_eq!(
        app.count("room_claims", "closure_date IS NOT NULL").await,
        0
    );
    first_date(
        &book(
            &app,
            token,
            &a,
            local(21, 23, 0),
            local(21, 23, 30),
            "operator",
        )
        .await,
    );
}
