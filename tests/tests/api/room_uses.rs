//! Rooms taken by more than bookings (Rule 8): an activity's dates claim the room it uses and
//! move or free the claim with the date, and a centre's closures take all its rooms.

use actix_web::http::Method;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Europe::Berlin;
use quartier_tests::rooms::{book, local, room};
use quartier_tests::{TestApp, TestResponse, at, id_of, patch, post, setup};
use serde_json::{Value, json};

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
    // Its claim is the new time with A's half hour of clearing up.
    assert_eq!(
        app.texts(&format!(
            "SELECT to_char(lower(during) AT TIME ZONE 'Europe/Berlin', 'HH24:MI') || '-' || \
             to_char(upper(during) AT TIME ZONE 'Europe/Berlin', 'HH24:MI') \
             FROM room_claims WHERE occurrence_id = '{}'",
            weeks[0].0
        ))
        .await,
        ["21:00-23:30"]
    );

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
    let (saal_request, status) = first_date(
        &book(
            &app,
            &resident.access_token,
            &saal,
            weeks[3].1 + Duration::minutes(90),
            weeks[3].1 + Duration::minutes(150),
            "account",
        )
        .await,
    );
    assert_eq!(status, "requested");
    let taken_by: Vec<String> = app
        .texts(&format!(
            "SELECT d.id::text FROM room_booking_dates d JOIN rooms r ON r.id = d.room_id \
             WHERE r.name = 'Saal A' AND d.status = 'confirmed' AND d.starts_at = '{}'",
            weeks[3].1.to_rfc3339()
        ))
        .await;
    assert_eq!(taken_by.len(), 1);
    let freed = post(
        &app,
        token,
        &format!("/api/v1/room-booking-dates/{}/cancel", taken_by[0]),
        json!({}),
    )
    .await;
    assert_eq!(freed.status, 200);
    let reinstated = move_date(&app, token, &weeks[3].0, json!({"cancelled": false})).await;
    assert_eq!(reinstated.status, 200, "{}", reinstated.json());
    assert_eq!(activity_claims(&app).await, 4);
    // The reinstated date takes the Saal's half A from the request for it.
    assert_eq!(
        app.texts(&format!(
            "SELECT status || ' ' || note FROM room_booking_dates WHERE id = '{saal_request}'"
        ))
        .await,
        ["declined The room is used by an activity at this time."]
    );

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
        4,
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
    // The second date is cancelled before the activity gets its room; reinstated, it
    // claims it.
    let second = dates(&app, token, &activity).await[1].0.clone();
    let cancelled = move_date(
        &app,
        token,
        &second,
        json!({"cancelled": true, "cancellation_reason": "Feiertag"}),
    )
    .await;
    assert_eq!(cancelled.status, 200);
    assert_eq!(put_room(&app, token, &activity, &a).await.status, 200);
    assert_eq!(activity_claims(&app).await, 1);
    let reinstated = move_date(&app, token, &second, json!({"cancelled": false})).await;
    assert_eq!(reinstated.status, 200, "{}", reinstated.json());
    assert_eq!(activity_claims(&app).await, 2);
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
    // A room of another centre of the same operator is refused as a field, as is no room.
    let district = app
        .get(&format!("/api/v1/centres/{}", s.centre), None)
        .await
        .json()["district_id"]
        .clone();
    let second_centre = id_of(
        &post(
            &app,
            &s.admin.access_token,
            "/api/v1/centres",
            json!({"operator_id": s.operator, "district_id": district, "name": "Stadtteilbüro",
                   "kind": "community_house",
                   "address": {"street": "Hafenstraße 2", "postcode": "44135", "town": "Musterstadt"},
                   "position": {"latitude": 51.51, "longitude": 7.41}}),
        )
        .await,
    );
    let elsewhere = id_of(
        &post(
            &app,
            token,
            &format!("/api/v1/centres/{second_centre}/rooms"),
            json!({"name": "Büro", "capacity_seated": 6}),
        )
        .await,
    );
    for other in [elsewhere, uuid::Uuid::now_v7().to_string()] {
        let refused = put_room(&app, token, &activity, &other)
            .await
            .assert_problem(422, "validation-failed");
        assert_eq!(refused["errors"][0]["field"], "room_id");
    }
    assert_eq!(
        app.count("activity_rooms", &format!("room_id = '{a}'"))
            .await,
        1
    );

    // Moving the unheld fourth date to a free time takes the room there.
    let moved = move_date(
        &app,
        token,
        &weeks[3].0,
        json!({"starts_at": weeks[3].1 + Duration::hours(3),
               "ends_at": weeks[3].1 + Duration::minutes(270)}),
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.json());
    assert_eq!(activity_claims(&app).await, 5);
    let held = app
        .get(&format!("/api/v1/activities/{activity}/room"), Some(token))
        .await;
    assert_eq!(held.json()["dates_without_room"], json!([]));

    // A new schedule that moves a date onto a confirmed booking is refused as a whole.
    let (_, status) = first_date(
        &book(
            &app,
            token,
            &a,
            weeks[1].1 + Duration::hours(2),
            weeks[1].1 + Duration::hours(3),
            "operator",
        )
        .await,
    );
    assert_eq!(status, "confirmed");
    let before = dates(&app, token, &activity).await;
    let later = (first + Duration::hours(1))
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    patch(
        &app,
        token,
        &format!("/api/v1/activities/{activity}"),
        json!({"schedule": {"kind": "recurring", "rrule": "FREQ=WEEKLY;COUNT=5",
               "first_start": later, "duration_minutes": 90}}),
    )
    .await
    .assert_problem(409, "room-taken");
    assert_eq!(dates(&app, token, &activity).await, before);
    assert_eq!(activity_claims(&app).await, 5);

    // Cancelling the activity gives the room back for its dates to come.
    let cancelled = patch(
        &app,
        token,
        &format!("/api/v1/activities/{activity}"),
        json!({"status": "cancelled"}),
    )
    .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.json());
    assert_eq!(activity_claims(&app).await, 0);
    put_room(&app, token, &activity, &a)
        .await
        .assert_problem(409, "conflict");
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

    // Saving the same hours again keeps the closure and its claims as they are.
    assert_eq!(put_hours(hours(Some(closed_day))).await.status, 200);
    assert_eq!(
        app.count("room_claims", "closure_date IS NOT NULL").await,
        3
    );

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

#[actix_web::test]
async fn giving_a_room_while_its_dates_move_and_requests_are_confirmed_stays_consistent() {
    let app = TestApp::spawn_with(&[
        ("QUARTIER_RATE_LIMIT_USER_PER_MINUTE", "100000"),
        ("QUARTIER_DB_WAIT_TIMEOUT_MS", "60000"),
        ("QUARTIER_REQUEST_TIMEOUT_SECS", "120"),
    ])
    .await;
    let s = setup(&app).await;
    let token = s.coordinator.access_token.as_str();
    let a = room(
        &app,
        &s,
        json!({"name": "Saal A", "capacity_seated": 60, "cleanup_minutes": 15}),
    )
    .await;
    let b = room(&app, &s, json!({"name": "Saal B", "capacity_seated": 60})).await;
    let saal = room(
        &app,
        &s,
        json!({"name": "Saal", "capacity_seated": 120, "made_of": [a, b],
               "bookable_by": "residents", "max_future_dates": 1000}),
    )
    .await;
    let first = local(5, 18, 0).with_timezone(&Berlin);
    let activity = id_of(
        &post(
            &app,
            token,
            "/api/v1/activities",
            json!({"centre_id": s.centre, "title": "Tanzkreis", "category": "course",
                   "schedule": {"kind": "recurring", "rrule": "FREQ=WEEKLY;COUNT=4",
                       "first_start": first.format("%Y-%m-%dT%H:%M:%S").to_string(),
                       "duration_minutes": 120}}),
        )
        .await,
    );
    let weeks = dates(&app, token, &activity).await;
    // Ten residents' requests for the Saal on each evening, overlapping the dance and each
    // other.
    let resident = app.signed_up("viele@example.org").await;
    let mut requests = Vec::new();
    for (_, starts_at) in &weeks {
        for n in 0..10 {
            let at = *starts_at + Duration::minutes(15 * n);
            let (id, status) = first_date(
                &book(
                    &app,
                    &resident.access_token,
                    &saal,
                    at,
                    at + Duration::hours(2),
                    "account",
                )
                .await,
            );
            assert_eq!(status, "requested");
            requests.push(id);
        }
    }
    // All at once: the room given to the activity, every request confirmed, every date moved
    // half an hour later.
    let bearer = format!("Bearer {token}");
    let give = put_room(&app, token, &activity, &a);
    let confirms = futures_util::future::join_all(requests.iter().map(|id| {
        let app = &app;
        let bearer = bearer.clone();
        let path = format!("/api/v1/room-booking-dates/{id}/confirm");
        async move {
            app.send(
                Method::POST,
                &path,
                &[("authorization", bearer.as_str())],
                None,
            )
            .await
            .status
        }
    }));
    let moves = futures_util::future::join_all(weeks.iter().map(|(id, starts_at)| {
        move_date(
            &app,
            token,
            id,
            json!({"starts_at": *starts_at + Duration::minutes(30),
                   "ends_at": *starts_at + Duration::minutes(150)}),
        )
    }));
    let (given, confirmed, moved) = tokio::join!(give, confirms, moves);
    let mut answers: Vec<u16> = confirmed;
    answers.push(given.status);
    answers.extend(moved.iter().map(|m| m.status));
    assert!(
        answers.iter().all(|s| *s == 200 || *s == 409),
        "{answers:?}"
    );
    // No two confirmed requests overlap, and some were confirmed.
    assert_eq!(
        app.count(
            "room_booking_dates x JOIN room_booking_dates y ON x.id < y.id",
            "x.status = 'confirmed' AND y.status = 'confirmed' AND x.blocked && y.blocked"
        )
        .await,
        0
    );
    assert_eq!(
        app.count("room_booking_dates", "status = 'confirmed'")
            .await,
        answers
            .iter()
            .take(requests.len())
            .filter(|s| **s == 200)
            .count() as i64
    );
    // Every date that holds the room claims each of its parts at exactly its time and
    // buffers; no request is left open where the activity holds the room.
    assert_eq!(
        app.count(
            "occurrence_rooms h JOIN occurrences o ON o.id = h.occurrence_id",
            "NOT o.cancelled AND (SELECT count(*) FROM room_claims c WHERE c.occurrence_id = o.id \
             AND c.during = room_blocked(h.room_id, o.starts_at, o.ends_at)) \
             <> (SELECT count(*) FROM room_parts p WHERE p.room_id = h.room_id)"
        )
        .await,
        0
    );
    assert_eq!(
        app.count(
            "room_claims c JOIN room_parts p ON p.part_id = c.part_id \
             JOIN room_booking_dates d ON d.room_id = p.room_id",
            "c.occurrence_id IS NOT NULL AND d.status = 'requested' AND c.during && d.blocked"
        )
        .await,
        0
    );
    let held = app.count("occurrence_rooms", "true").await;
    if given.status == 200 {
        assert_eq!(held, 4);
    } else {
        assert_eq!(held, 0);
        assert_eq!(
            app.count("room_claims", "occurrence_id IS NOT NULL").await,
            0
        );
    }
}
