//! Rooms and their bookings (Rule 8): a Saal clashes with its halves, buffers widen a
//! booking, a weekly series keeps its local time, taken dates fail or are skipped, a
//! confirmation declines the requests it overlaps, and however many confirm at once, one
//! wins.

use actix_web::http::Method;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};
use chrono_tz::Europe::Berlin;
use diesel_async::RunQueryDsl;
use quartier_tests::rooms::{book, local, room};
use quartier_tests::{TestApp, TestResponse, post, setup};
use serde_json::{Value, json};

/// POSTs without a body as `token`.
async fn act(app: &TestApp, path: &str, token: &str) -> TestResponse {
    let bearer = format!("Bearer {token}");
    app.send(
        Method::POST,
        path,
        &[("authorization", bearer.as_str())],
        None,
    )
    .await
}

fn date_status(response: &TestResponse) -> String {
    response.json()["dates"][0]["status"]
        .as_str()
        .expect("a status")
        .to_owned()
}

#[actix_web::test]
async fn a_saal_clashes_with_its_halves_and_buffers_widen_a_booking() {
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
        json!({"name": "Saal", "capacity_seated": 120, "made_of": [a, b]}),
    )
    .await;
    let made = app.get(&format!("/api/v1/rooms/{saal}"), None).await;
    let mut parts = vec![a.clone(), b.clone()];
    parts.sort();
    assert_eq!(made.json()["parts"], json!(parts));

    let first = book(
        &app,
        token,
        &a,
        local(10, 18, 0),
        local(10, 20, 0),
        "operator",
    )
    .await;
    assert_eq!(first.status, 201, "{}", first.json());
    assert_eq!(date_status(&first), "confirmed");

    // The Saal holds A: it is taken while A is.
    let saal_clash = book(
        &app,
        token,
        &saal,
        local(10, 19, 0),
        local(10, 21, 0),
        "operator",
    )
    .await;
    let problem = saal_clash.assert_problem(409, "room-taken");
    let detail = problem["detail"].as_str().expect("a detail");
    assert!(detail.contains(&local(10, 19, 0).to_rfc3339()), "{detail}");
    // A's 30 minutes of clearing up make 20:15 clash too; 20:30 is free.
    book(
        &app,
        token,
        &a,
        local(10, 20, 15),
        local(10, 21, 0),
        "operator",
    )
    .await
    .assert_problem(409, "room-taken");
    let after = book(
        &app,
        token,
        &a,
        local(10, 20, 30),
        local(10, 21, 30),
        "operator",
    )
    .await;
    assert_eq!(after.status, 201, "{}", after.json());
    // B is free while A is booked; once B is, the Saal is taken the other way round.
    let half = book(
        &app,
        token,
        &b,
        local(11, 18, 0),
        local(11, 20, 0),
        "operator",
    )
    .await;
    assert_eq!(half.status, 201);
    book(
        &app,
        token,
        &saal,
        local(11, 19, 30),
        local(11, 22, 0),
        "operator",
    )
    .await
    .assert_problem(409, "room-taken");
    let saal_free = book(
        &app,
        token,
        &saal,
        local(12, 18, 0),
        local(12, 22, 0),
        "operator",
    )
    .await;
    assert_eq!(saal_free.status, 201);
    book(
        &app,
        token,
        &b,
        local(12, 21, 0),
        local(12, 21, 30),
        "operator",
    )
    .await
    .assert_problem(409, "room-taken");
    assert_eq!(app.count("room_booking_dates", "true").await, 4);
    assert_eq!(app.count("room_claims", "true").await, 5);

    // What anyone sees: busy times with the buffers, merged, and nothing about who.
    let window = format!(
        "from={}&to={}",
        local(10, 0, 0).format("%Y-%m-%dT%H:%M:%SZ"),
        local(11, 0, 0).format("%Y-%m-%dT%H:%M:%SZ")
    );
    let busy = app
        .get(&format!("/api/v1/rooms/{saal}/availability?{window}"), None)
        .await;
    assert_eq!(busy.status, 200);
    assert_eq!(
        busy.json()["busy"],
        json!([{"starts_at": local(10, 18, 0), "ends_at": local(10, 22, 0)}])
    );
    let text = String::from_utf8_lossy(&busy.body);
    assert!(!text.contains("Chorprobe"), "{text}");
}

#[actix_web::test]
async fn a_weekly_series_keeps_its_local_time_across_both_clock_changes() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let room = room(
        &app,
        &s,
        json!({"name": "Gruppenraum", "capacity_seated": 20, "max_future_dates": 100,
               "max_notice_days": 730}),
    )
    .await;
    // Every Tuesday at 18:00 from the first Tuesday in March to the end of November: both
    // switches of the clocks fall in between.
    let year = Utc::now().year() + 1;
    let march = NaiveDate::from_ymd_opt(year, 3, 1).expect("a date");
    let first_tuesday = (0..7)
        .map(|d| march + Duration::days(d))
        .find(|d| d.weekday() == chrono::Weekday::Tue)
        .expect("a Tuesday");
    let response = post(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/rooms/{room}/bookings"),
        json!({"booker": "operator", "purpose": "Chor", "expected_people": 15, "layout": "seated",
               "series": {"rrule": format!("FREQ=WEEKLY;BYDAY=TU;UNTIL={year}1130T000000Z"),
                          "first_start": first_tuesday.and_hms_opt(18, 0, 0).expect("a time"),
                          "duration_minutes": 90}}),
    )
    .await;
    assert_eq!(response.status, 201, "{}", response.json());
    let dates = response.json()["dates"].as_array().expect("dates").clone();
    assert!(dates.len() >= 35, "{}", dates.len());
    let mut offsets = std::collections::BTreeSet::new();
    for date in &dates {
        let starts: DateTime<Utc> = date["starts_at"]
            .as_str()
            .expect("a time")
            .parse()
            .expect("RFC 3339");
        let there = starts.with_timezone(&Berlin);
        assert_eq!((there.hour(), there.minute()), (18, 0), "{starts}");
        assert_eq!(there.weekday(), chrono::Weekday::Tue);
        offsets.insert(starts.hour());
        assert_eq!(date["status"], "confirmed");
    }
    // 17:00 UTC in winter, 16:00 UTC in summer.
    assert_eq!(offsets.into_iter().collect::<Vec<_>>(), vec![16, 17]);
}

#[actix_web::test]
async fn a_series_fails_whole_or_skips_the_taken_dates_as_asked() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let token = s.coordinator.access_token.as_str();
    let room = room(
        &app,
        &s,
        json!({"name": "Werkraum", "capacity_tables": 10, "capacity_seated": 20}),
    )
    .await;
    let first = local(7, 10, 0).with_timezone(&Berlin).naive_local();
    let taken = book(
        &app,
        token,
        &room,
        local(14, 10, 0),
        local(14, 11, 0),
        "operator",
    )
    .await;
    assert_eq!(taken.status, 201);
    let series = |policy: &str| {
        json!({"booker": "operator", "purpose": "Nähkurs", "expected_people": 8, "layout": "tables",
               "series": {"rrule": "FREQ=WEEKLY;COUNT=4", "first_start": first, "duration_minutes": 60},
               "on_conflict": policy})
    };
    let path = format!("/api/v1/rooms/{room}/bookings");
    let failed = post(&app, token, &path, series("fail")).await;
    let problem = failed.assert_problem(409, "room-taken");
    assert!(
        problem["detail"]
            .as_str()
            .expect("a detail")
            .contains(&local(14, 10, 0).to_rfc3339()),
        "{problem}"
    );
    assert_eq!(app.count("room_bookings", "true").await, 1);
    assert_eq!(app.count("room_booking_dates", "true").await, 1);

    let skipped = post(&app, token, &path, series("skip")).await;
    assert_eq!(skipped.status, 201, "{}", skipped.json());
    let body = skipped.json();
    assert_eq!(body["dates"].as_array().expect("dates").len(), 3);
    assert_eq!(
        body["skipped"],
        json!([{"starts_at": local(14, 10, 0), "ends_at": local(14, 11, 0)}])
    );
    assert_eq!(
        app.count("room_booking_dates", "status = 'confirmed'")
            .await,
        4
    );
}

#[actix_web::test]
async fn confirming_a_request_declines_the_requests_it_overlaps() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let room = room(
        &app,
        &s,
        json!({"name": "Café", "capacity_seated": 30, "capacity_standing": 40, "bookable_by": "residents"}),
    )
    .await;
    let mut residents = Vec::new();
    for name in ["eins", "zwei", "drei", "vier"] {
        residents.push(app.signed_up(&format!("{name}@example.org")).await);
    }
    let times = [
        (local(9, 15, 0), local(9, 17, 0)),
        (local(9, 16, 0), local(9, 18, 0)),
        (local(9, 16, 30), local(9, 17, 0)),
        (local(9, 18, 0), local(9, 19, 0)),
    ];
    let mut dates = Vec::new();
    for (resident, (starts_at, ends_at)) in residents.iter().zip(times) {
        let asked = book(
            &app,
            &resident.access_token,
            &room,
            starts_at,
            ends_at,
            "account",
        )
        .await;
        assert_eq!(asked.status, 201, "{}", asked.json());
        assert_eq!(date_status(&asked), "requested");
        dates.push(
            asked.json()["dates"][0]["id"]
                .as_str()
                .expect("an id")
                .to_owned(),
        );
    }
    // Requests block nothing: all four wait, oldest first.
    let waiting = app
        .get(
            &format!("/api/v1/centres/{}/room-requests", s.centre),
            Some(&s.coordinator.access_token),
        )
        .await;
    assert_eq!(waiting.status, 200);
    let order: Vec<String> = waiting.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["date"]["id"].as_str().expect("an id").to_owned())
        .collect();
    assert_eq!(order, dates);
    // A resident cannot decide her own request.
    act(
        &app,
        &format!("/api/v1/room-booking-dates/{}/confirm", dates[1]),
        &residents[1].access_token,
    )
    .await
    .assert_problem(403, "forbidden");

    let confirmed = act(
        &app,
        &format!("/api/v1/room-booking-dates/{}/confirm", dates[1]),
        &s.coordinator.access_token,
    )
    .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.json());
    let body = confirmed.json();
    assert_eq!(body["date"]["status"], "confirmed");
    let mut declined: Vec<&str> = body["declined"]
        .as_array()
        .expect("declined")
        .iter()
        .map(|d| d["id"].as_str().expect("an id"))
        .collect();
    declined.sort();
    let mut expected = vec![dates[0].as_str(), dates[2].as_str()];
    expected.sort();
    assert_eq!(declined, expected);
    assert_eq!(
        app.count("room_booking_dates", "status = 'declined'").await,
        2
    );
    assert_eq!(
        app.count(
            "room_booking_dates",
            &format!("id = '{}' AND status = 'requested'", dates[3])
        )
        .await,
        1
    );
    // A declined request cannot be confirmed after all.
    act(
        &app,
        &format!("/api/v1/room-booking-dates/{}/confirm", dates[0]),
        &s.coordinator.access_token,
    )
    .await
    .assert_problem(409, "booking-decided");
    // The resident cancels her confirmed date: the room is free again.
    let cancelled = act(
        &app,
        &format!("/api/v1/room-booking-dates/{}/cancel", dates[1]),
        &residents[1].access_token,
    )
    .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.json());
    assert_eq!(app.count("room_claims", "true").await, 0);
    // Staff book the evening at once: the request left over is declined with it.
    let staff = book(
        &app,
        &s.coordinator.access_token,
        &room,
        local(9, 18, 30),
        local(9, 20, 0),
        "operator",
    )
    .await;
    assert_eq!(date_status(&staff), "confirmed");
    assert_eq!(
        app.count(
            "room_booking_dates",
            &format!("id = '{}' AND status = 'declined'", dates[3])
        )
        .await,
        1
    );
    // Her data export lists the date she asked for, as it stands.
    let export = app
        .get("/api/v1/me/export", Some(&residents[1].access_token))
        .await;
    assert_eq!(export.status, 200);
    let bookings = export.json()["room_bookings"].clone();
    assert_eq!(bookings.as_array().map(Vec::len), Some(1), "{bookings}");
    assert_eq!(bookings[0]["date"]["status"], "cancelled");
    assert_eq!(bookings[0]["purpose"], "Chorprobe");
    // Each step is told to the room's operator (Rule 6).
    for (kind, count) in [
        ("room_booking.requested", 4),
        ("room_booking.confirmed", 2),
        ("room_booking.declined", 3),
        ("room_booking.cancelled", 1),
    ] {
        assert_eq!(
            app.count(
                "outbox_events",
                &format!("kind = '{kind}' AND operator_id = '{}'", s.operator)
            )
            .await,
            count,
            "{kind}"
        );
    }
}

#[actix_web::test]
async fn a_thousand_concurrent_confirmations_of_overlapping_requests_leave_exactly_one() {
    // The confirmations queue for the room's lock: they may wait longer for a connection
    // than the default lets them.
    let app = TestApp::spawn_with(&[
        ("QUARTIER_RATE_LIMIT_USER_PER_MINUTE", "100000"),
        ("QUARTIER_DB_WAIT_TIMEOUT_MS", "60000"),
        ("QUARTIER_REQUEST_TIMEOUT_SECS", "300"),
    ])
    .await;
    let s = setup(&app).await;
    let room = room(
        &app,
        &s,
        json!({"name": "Saal", "capacity_seated": 100, "bookable_by": "residents"}),
    )
    .await;
    let resident = app.signed_up("viele@example.org").await;
    // A thousand requests of overlapping times, written at once.
    let mut conn = app.conn().await;
    diesel::sql_query(format!(
        "WITH b AS (INSERT INTO room_bookings (id, room_id, booker_kind, requested_by, purpose, \
         expected_people, layout) SELECT gen_random_uuid(), '{room}', 'account', '{}', 'Feier', 10, \
         'seated' FROM generate_series(1, 1000) RETURNING id) \
         INSERT INTO room_booking_dates (id, booking_id, room_id, starts_at, ends_at, blocked, status) \
         SELECT gen_random_uuid(), b.id, '{room}', $1 + (row_number() OVER ()) * interval '1 minute', \
         $2 + interval '1 day', tstzrange($1, $2 + interval '1 day'), 'requested' FROM b",
        resident.id
    ))
    .bind::<diesel::sql_types::Timestamptz, _>(local(20, 10, 0))
    .bind::<diesel::sql_types::Timestamptz, _>(local(20, 23, 0))
    .execute(&mut conn)
    .await
    .expect("requests written");
    drop(conn);
    let ids = app.texts("SELECT id::text FROM room_booking_dates").await;
    assert_eq!(ids.len(), 1000);
    let token = s.coordinator.access_token.clone();
    let answers = futures_util::future::join_all(ids.iter().map(|id| {
        let path = format!("/api/v1/room-booking-dates/{id}/confirm");
        let app = &app;
        let token = token.clone();
        async move { act(app, &path, &token).await.status }
    }))
    .await;
    let confirmed = answers.iter().filter(|s| **s == 200).count();
    let refused = answers.iter().filter(|s| **s == 409).count();
    assert_eq!((confirmed, refused), (1, 999), "{answers:?}");
    assert_eq!(
        app.count("room_booking_dates", "status = 'confirmed'")
            .await,
        1
    );
    assert_eq!(
        app.count("room_booking_dates", "status = 'declined'").await,
        999
    );
    assert_eq!(app.count("room_claims", "true").await, 1);
}

#[actix_web::test]
async fn the_database_refuses_a_second_claim_whatever_the_code_does() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let room = room(
        &app,
        &s,
        json!({"name": "Raum", "capacity_seated": 20, "bookable_by": "residents"}),
    )
    .await;
    let resident = app.signed_up("direkt@example.org").await;
    for hour in [10, 11] {
        let asked = book(
            &app,
            &resident.access_token,
            &room,
            local(8, hour, 0),
            local(8, hour + 2, 0),
            "account",
        )
        .await;
        assert_eq!(asked.status, 201);
    }
    // Confirming both behind the API's back, in one statement and then one by one: the
    // exclusion constraint refuses the second claim.
    let mut conn = app.conn().await;
    let both = diesel::sql_query("UPDATE room_booking_dates SET status = 'confirmed'")
        .execute(&mut conn)
        .await;
    assert!(both.is_err(), "{both:?}");
    let first = diesel::sql_query(
        "UPDATE room_booking_dates SET status = 'confirmed' \
         WHERE id = (SELECT id FROM room_booking_dates ORDER BY starts_at LIMIT 1)",
    )
    .execute(&mut conn)
    .await;
    assert_eq!(first.ok(), Some(1));
    let second = diesel::sql_query(
        "UPDATE room_booking_dates SET status = 'confirmed' WHERE status = 'requested'",
    )
    .execute(&mut conn)
    .await
    .expect_err("the second claim is refused");
    assert!(quartier_persistence::Error::from(second).is_constraint("room_claims_no_overlap"));
    drop(conn);
    assert_eq!(app.count("room_claims", "true").await, 1);
}

#[actix_web::test]
async fn bad_room_and_booking_input_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let staff_only = room(&app, &s, json!({"name": "Büro", "capacity_seated": 4})).await;
    let resident = app.signed_up("anwohnerin@example.org").await;
    let other = s.other_coordinator.access_token.as_str();
    let token = s.coordinator.access_token.as_str();
    // Another operator's staff may not add rooms to A's centre, nor book A's rooms for A.
    post(
        &app,
        other,
        &format!("/api/v1/centres/{}/rooms", s.centre),
        json!({"name": "Fremd", "capacity_seated": 4}),
    )
    .await
    .assert_problem(403, "forbidden");
    book(
        &app,
        other,
        &staff_only,
        local(5, 10, 0),
        local(5, 11, 0),
        "operator",
    )
    .await
    .assert_problem(403, "forbidden");
    // Residents may not book a room for staff only.
    book(
        &app,
        &resident.access_token,
        &staff_only,
        local(5, 10, 0),
        local(5, 11, 0),
        "account",
    )
    .await
    .assert_problem(403, "forbidden");
    for (body, field) in [
        (json!({"name": "", "capacity_seated": 4}), "name"),
        (json!({"name": "Leer"}), "capacity_seated"),
        (
            json!({"name": "X", "capacity_seated": 4, "slot_minutes": 7}),
            "slot_minutes",
        ),
        (
            json!({"name": "X", "capacity_seated": 4, "made_of": [uuid::Uuid::now_v7()]}),
            "made_of",
        ),
        (
            json!({"name": "X", "capacity_seated": 4, "house_rules_url": "javascript:alert(1)"}),
            "house_rules_url",
        ),
        (
            json!({"name": "X", "capacity_seated": 4, "min_notice_hours": 48, "max_notice_days": 2}),
            "min_notice_hours",
        ),
        (
            json!({"name": "X", "capacity_seated": 4, "max_notice_days": 2147483647}),
            "max_notice_days",
        ),
    ] {
        let refused = post(
            &app,
            token,
            &format!("/api/v1/centres/{}/rooms", s.centre),
            body,
        )
        .await;
        refused.assert_problem(422, "validation-failed");
        assert!(
            refused.problem_fields().contains(&field.to_owned()),
            "{}",
            refused.json()
        );
    }
    let path = format!("/api/v1/rooms/{staff_only}/bookings");
    for (body, field) in [
        (
            json!({"booker": "operator", "purpose": "X", "expected_people": 5, "layout": "seated",
                "starts_at": local(5, 10, 0), "ends_at": local(5, 11, 0)}),
            "expected_people",
        ),
        (
            json!({"booker": "operator", "purpose": "X", "expected_people": 2, "layout": "standing",
                "starts_at": local(5, 10, 0), "ends_at": local(5, 11, 0)}),
            "layout",
        ),
        (
            json!({"booker": "operator", "purpose": "X", "expected_people": 2, "layout": "seated",
                "starts_at": local(5, 10, 5), "ends_at": local(5, 11, 5)}),
            "starts_at",
        ),
        (
            json!({"booker": "operator", "purpose": "X", "expected_people": 2, "layout": "seated",
                "starts_at": local(5, 10, 0), "ends_at": local(5, 10, 15)}),
            "starts_at",
        ),
        (
            json!({"booker": "operator", "purpose": "X", "expected_people": 2, "layout": "seated",
                "starts_at": "9999-01-01T10:00:00Z", "ends_at": "9999-01-01T11:00:00Z"}),
            "starts_at",
        ),
        (
            json!({"booker": "operator", "purpose": "X", "expected_people": 2, "layout": "seated",
                "series": {"rrule": "FREQ=NEVER", "first_start": "2027-01-05T10:00:00", "duration_minutes": 60}}),
            "series.rrule",
        ),
        (
            json!({"booker": "operator", "purpose": "X", "expected_people": 2, "layout": "seated",
                   "series": {"rrule": "FREQ=DAILY",
                              "first_start": local(6, 10, 0).with_timezone(&Berlin).naive_local(),
                              "duration_minutes": 60}}),
            "series.rrule",
        ),
    ] {
        let refused = post(&app, token, &path, body).await;
        refused.assert_problem(422, "validation-failed");
        assert!(
            refused.problem_fields().contains(&field.to_owned()),
            "{}",
            refused.json()
        );
    }
    let bearer = format!("Bearer {token}");
    let malformed = app
        .send(
            Method::POST,
            &path,
            &[("authorization", bearer.as_str())],
            Some(("application/json", b"{\"booker\":".to_vec())),
        )
        .await;
    malformed.assert_problem(400, "malformed-request");
    let unknown = uuid::Uuid::now_v7();
    book(
        &app,
        token,
        &unknown.to_string(),
        local(5, 10, 0),
        local(5, 11, 0),
        "operator",
    )
    .await
    .assert_problem(404, "not-found");
    app.get(&format!("/api/v1/rooms/{unknown}"), None)
        .await
        .assert_problem(404, "not-found");
    app.get(
        &format!("/api/v1/rooms/{staff_only}/availability?from=2027-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"),
        None,
    )
    .await
    .assert_problem(422, "validation-failed");
    assert_eq!(app.count("room_bookings", "true").await, 0);
    assert_eq!(app.count("rooms", "true").await, 1);
}

#[actix_web::test]
async fn a_retried_booking_with_its_key_books_once_and_gets_the_first_answer() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let room = room(&app, &s, json!({"name": "Küche", "capacity_standing": 10})).await;
    let bearer = format!("Bearer {}", s.coordinator.access_token);
    let body = json!({"booker": "operator", "purpose": "Kochkurs", "expected_people": 8,
                      "layout": "standing", "starts_at": local(4, 17, 0), "ends_at": local(4, 19, 0)});
    let path = format!("/api/v1/rooms/{room}/bookings");
    let send = |body: Value| {
        let headers = [
            ("authorization", bearer.clone()),
            ("idempotency-key", "kochkurs-1".to_owned()),
        ];
        let app = &app;
        let path = path.clone();
        async move {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            app.send(
                Method::POST,
                &path,
                &headers,
                Some(("application/json", serde_json::to_vec(&body).expect("json"))),
            )
            .await
        }
    };
    let first = send(body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.json());
    let again = send(body.clone()).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.json(), first.json());
    assert_eq!(app.count("room_bookings", "true").await, 1);
    assert_eq!(app.count("room_booking_dates", "true").await, 1);
    // The same key for another booking is refused, and books nothing.
    let mut other = body;
    other["purpose"] = json!("Backkurs");
    send(other).await.assert_problem(422, "validation-failed");
    assert_eq!(app.count("room_bookings", "true").await, 1);
}

#[actix_web::test]
async fn the_busy_feed_shows_public_titles_to_everyone_and_purposes_to_staff_only() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let a = room(&app, &s, json!({"name": "Raum A", "capacity_seated": 30})).await;
    let b = room(&app, &s, json!({"name": "Raum B", "capacity_seated": 30})).await;
    let saal = room(
        &app,
        &s,
        json!({"name": "Saal", "capacity_seated": 60, "made_of": [a, b]}),
    )
    .await;
    let token = s.coordinator.access_token.as_str();
    let public = post(
        &app,
        token,
        &format!("/api/v1/rooms/{a}/bookings"),
        json!({"booker": "operator", "purpose": "Probe des Kinderchors", "expected_people": 20,
               "layout": "seated", "public_title": "Kinderchor",
               "starts_at": local(3, 16, 0), "ends_at": local(3, 17, 0)}),
    )
    .await;
    assert_eq!(public.status, 201, "{}", public.json());
    let private = book(
        &app,
        token,
        &b,
        local(3, 18, 0),
        local(3, 19, 0),
        "operator",
    )
    .await;
    assert_eq!(private.status, 201);

    // The Saal's feed holds what takes its halves.
    let anyone = app
        .get(&format!("/api/v1/rooms/{saal}/busy.ics"), None)
        .await;
    assert_eq!(anyone.status, 200);
    assert!(
        anyone
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/calendar"))
    );
    let text = String::from_utf8_lossy(&anyone.body).replace("\r\n ", "");
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 2, "{text}");
    assert!(text.contains("SUMMARY:Kinderchor"), "{text}");
    assert!(text.contains("SUMMARY:Belegt"), "{text}");
    assert!(!text.contains("Probe des Kinderchors"), "{text}");
    assert!(!text.contains("Chorprobe"), "{text}");

    let staff = app
        .get(&format!("/api/v1/rooms/{saal}/busy.ics"), Some(token))
        .await;
    let text = String::from_utf8_lossy(&staff.body).replace("\r\n ", "");
    assert!(text.contains("DESCRIPTION:Probe des Kinderchors"), "{text}");
    assert!(text.contains("DESCRIPTION:Chorprobe"), "{text}");
    // Another operator's staff read what everyone reads.
    let other = app
        .get(
            &format!("/api/v1/rooms/{saal}/busy.ics"),
            Some(&s.other_coordinator.access_token),
        )
        .await;
    assert!(!String::from_utf8_lossy(&other.body).contains("Chorprobe"));
    app.get(
        &format!("/api/v1/rooms/{saal}/busy.ics?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z"),
        None,
    )
    .await
    .assert_problem(422, "validation-failed");
}

#[actix_web::test]
async fn a_room_changes_with_if_match_and_keeps_what_was_booked() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let token = s.coordinator.access_token.as_str();
    let a = room(
        &app,
        &s,
        json!({"name": "Werkstatt", "capacity_seated": 15}),
    )
    .await;
    let first = book(
        &app,
        token,
        &a,
        local(9, 18, 0),
        local(9, 20, 0),
        "operator",
    )
    .await;
    assert_eq!(first.status, 201);
    let path = format!("/api/v1/rooms/{a}");
    let read = app.get(&path, None).await;
    let tag = read.header("etag").expect("an ETag").to_owned();
    let change = |body: Value, if_match: Option<String>| {
        let app = &app;
        let path = path.clone();
        async move {
            let headers: Vec<(&str, &str)> = if_match
                .as_deref()
                .map(|tag| vec![("if-match", tag)])
                .unwrap_or_default();
            app.json(Method::PATCH, &path, Some(token), &headers, &body)
                .await
        }
    };
    change(json!({"cleanup_minutes": 30}), None)
        .await
        .assert_problem(428, "precondition-required");
    // Rules that do not fit together, and a room left without any capacity, are refused.
    let refused = change(json!({"max_duration_minutes": 20}), Some(tag.clone()))
        .await
        .assert_problem(422, "validation-failed");
    assert_eq!(refused["errors"][0]["field"], "min_duration_minutes");
    change(json!({"capacity_seated": null}), Some(tag.clone()))
        .await
        .assert_problem(422, "validation-failed");
    let changed = change(
        json!({"cleanup_minutes": 30, "capacity_standing": 10, "house_rules_url": null}),
        Some(tag.clone()),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.json());
    assert_eq!(changed.json()["cleanup_minutes"], 30);
    assert_eq!(changed.json()["capacity_standing"], 10);
    assert_eq!(changed.json()["capacity_seated"], 15);
    assert_eq!(changed.json()["name"], "Werkstatt");
    assert_ne!(changed.header("etag"), Some(tag.as_str()));
    // The old version is gone; nobody else's staff change it.
    change(json!({"name": "Alt"}), Some(tag))
        .await
        .assert_problem(412, "version-conflict");
    app.json(
        Method::PATCH,
        &path,
        Some(&s.other_coordinator.access_token),
        &[("if-match", "*")],
        &json!({"name": "Fremd"}),
    )
    .await
    .assert_problem(403, "forbidden");
    // The date booked before keeps its time without clean-up; what is booked now has it.
    assert_eq!(
        app.texts(&format!(
            "SELECT to_char(upper(blocked) AT TIME ZONE 'Europe/Berlin', 'HH24:MI') \
             FROM room_booking_dates WHERE room_id = '{a}'"
        ))
        .await,
        ["20:00"]
    );
    let later = book(
        &app,
        token,
        &a,
        local(9, 20, 0),
        local(9, 21, 0),
        "operator",
    )
    .await;
    assert_eq!(later.status, 201);
    book(
        &app,
        token,
        &a,
        local(9, 21, 15),
        local(9, 22, 0),
        "operator",
    )
    .await
    .assert_problem(409, "room-taken");
    assert_eq!(
        app.texts(&format!("SELECT name FROM rooms WHERE id = '{a}'"))
            .await,
        ["Werkstatt"]
    );
}

#[actix_web::test]
async fn a_room_reads_in_the_neighbourhoods_languages() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let token = s.coordinator.access_token.as_str();
    let a = room(
        &app,
        &s,
        json!({"name": "Großer Saal", "description": "Mit Bühne", "capacity_seated": 80}),
    )
    .await;
    let path = format!("/api/v1/rooms/{a}");
    let tag = app
        .get(&path, None)
        .await
        .header("etag")
        .expect("an ETag")
        .to_owned();
    let written = app
        .json(
            Method::PUT,
            &format!("{path}/translations/en"),
            Some(token),
            &[("if-match", tag.as_str())],
            &json!({"origin": "human", "texts": {"name": "Big hall"}}),
        )
        .await;
    assert_eq!(written.status, 200, "{}", written.json());
    // The name in English, the description falls back to German, and says so.
    let english = app
        .send(Method::GET, &path, &[("accept-language", "en")], None)
        .await;
    assert_eq!(english.status, 200);
    assert_eq!(english.header("content-language"), Some("en"));
    let body = english.json();
    assert_eq!(body["name"], "Big hall");
    assert_eq!(body["description"], "Mit Bühne");
    assert_eq!(
        body["content_language"]["fallback_fields"],
        json!(["description"])
    );
    let list = app
        .send(
            Method::GET,
            &format!("/api/v1/centres/{}/rooms?lang=en", s.centre),
            &[],
            None,
        )
        .await;
    assert_eq!(list.json()["items"][0]["name"], "Big hall");
    // Every variant only for the centre's staff.
    app.get(&format!("{path}?all_languages=true"), None)
        .await
        .assert_problem(403, "forbidden");
    let staff = app
        .get(&format!("{path}?all_languages=true"), Some(token))
        .await;
    assert_eq!(staff.json()["translations"][0]["tag"], "en");
    // A name too long is refused; the old ETag is stale; removing gives German back.
    app.json(
        Method::PUT,
        &format!("{path}/translations/en"),
        Some(token),
        &[("if-match", "*")],
        &json!({"origin": "human", "texts": {"name": "x".repeat(201)}}),
    )
    .await
    .assert_problem(422, "validation-failed");
    app.send(
        Method::DELETE,
        &format!("{path}/translations/en"),
        &[
            ("authorization", &format!("Bearer {token}")),
            ("if-match", tag.as_str()),
        ],
        None,
    )
    .await
    .assert_problem(412, "version-conflict");
    let removed = app
        .send(
            Method::DELETE,
            &format!("{path}/translations/en"),
            &[
                ("authorization", &format!("Bearer {token}")),
                ("if-match", "*"),
            ],
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    let german = app
        .send(Method::GET, &path, &[("accept-language", "en")], None)
        .await;
    assert_eq!(german.json()["name"], "Großer Saal");
    assert_eq!(app.count("translations", "room_id IS NOT NULL").await, 0);
}
