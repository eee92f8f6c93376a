//! Rooms booked for an activity, and asked for by residents without an account: the guest's
//! request exists only once she confirms it from the mail (through a real SMTP server), staff
//! decide on it as on any request, and she sees and cancels her dates with her guest link.

use actix_web::http::Method;
use quartier_tests::rooms::{book, evening_activity, local, room};
use quartier_tests::{SmtpSink, TestApp, TestResponse, id_of, patch, post, setup};
use serde_json::{Value, json};

/// A guest's request for `room` on the evening `days` from now, 18:00–20:00, by Anna at
/// `email`.
fn guest_request(email: &str, days: i64) -> Value {
    json!({
        "name": "Anna Gast", "email": email, "privacy_policy_version": "2026-11",
        "purpose": "Nachbarschaftsfest", "expected_people": 20, "layout": "tables",
        "public_title": "Fest im Hof",
        "starts_at": local(days, 18, 0), "ends_at": local(days, 20, 0),
    })
}

async fn ask(app: &TestApp, room: &str, body: &Value) -> TestResponse {
    app.post(&format!("/api/v1/rooms/{room}/guest-bookings"), body)
        .await
}

async fn confirm(app: &TestApp, token: &str) -> TestResponse {
    app.post(
        "/api/v1/guest-room-bookings/confirm",
        &json!({ "token": token }),
    )
    .await
}

#[actix_web::test]
async fn a_guest_asks_for_a_room_confirms_from_the_mail_and_cancels_with_her_link() {
    let sink = SmtpSink::start();
    let app = TestApp::mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    let staff = s.coordinator.access_token.as_str();
    let hall = room(
        &app,
        &s,
        json!({"name": "Kleiner Saal", "capacity_tables": 30, "bookable_by": "residents",
               "needs_approval": false}),
    )
    .await;
    let staff_only = room(&app, &s, json!({"name": "Büro", "capacity_tables": 6})).await;
    let email = "anna.gast@example.org";

    // Bad requests change nothing: a room residents cannot ask for, an unknown room, more
    // people than the layout holds, an old privacy policy, a date off the room's grid.
    let refused = [
        (ask(&app, &staff_only, &guest_request(email, 10)).await, 403),
        (
            ask(
                &app,
                "00000000-0000-7000-8000-000000000000",
                &guest_request(email, 10),
            )
            .await,
            404,
        ),
        (
            ask(&app, &hall, &{
                let mut body = guest_request(email, 10);
                body["expected_people"] = json!(31);
                body
            })
            .await,
            422,
        ),
        (
            ask(&app, &hall, &{
                let mut body = guest_request(email, 10);
                body["privacy_policy_version"] = json!("2019-01");
                body
            })
            .await,
            422,
        ),
        (
            ask(&app, &hall, &{
                let mut body = guest_request(email, 10);
                body["starts_at"] = json!(local(10, 18, 7));
                body
            })
            .await,
            422,
        ),
    ];
    for (answer, status) in &refused {
        assert_eq!(answer.status, *status, "{}", answer.json());
        assert_eq!(
            answer.header("content-type"),
            Some("application/problem+json")
        );
    }
    assert_eq!(app.count("room_booking_drafts", "true").await, 0);
    assert_eq!(app.count("users", "kind = 'guest'").await, 0);

    // Her request waits for her confirmation: nothing is booked, staff see nothing yet.
    assert_eq!(
        ask(&app, &hall, &guest_request(email, 10)).await.status,
        202
    );
    assert_eq!(app.count("room_bookings", "true").await, 0);
    let requests = app
        .json(
            Method::GET,
            &format!("/api/v1/centres/{}/room-requests", s.centre),
            Some(staff),
            &[],
            &Value::Null,
        )
        .await;
    assert_eq!(requests.json()["items"], json!([]));
    let mail = sink.wait_for(email, 1).await.remove(0);
    assert!(
        mail.subject().contains("Raumanfrage für Kleiner Saal"),
        "{}",
        mail.subject()
    );
    assert!(mail.text().contains("Hallo Anna Gast"), "{}", mail.text());
    assert!(
        mail.text().contains("Nachbarschaftsfest"),
        "{}",
        mail.text()
    );
    assert!(mail.text().contains("Bürgerhaus"), "{}", mail.text());
    let token = mail.token("guest-room-bookings/confirm");

    // Confirmed, it is a request like a resident's: a guest always asks, even where the
    // room needs no approval.
    let confirmed = confirm(&app, &token).await;
    assert_eq!(confirmed.status, 201, "{}", confirmed.json());
    let booking = confirmed.json();
    assert_eq!(booking["booker"], "guest");
    assert_eq!(booking["dates"][0]["status"], "requested");
    let date = booking["dates"][0]["id"]
        .as_str()
        .expect("a date")
        .to_owned();
    assert_eq!(app.count("room_booking_drafts", "true").await, 0);
    assert_eq!(
        app.texts(
            "SELECT u.kind || ' ' || u.display_name || ' ' || (u.email_verified_at IS NOT NULL) \
             FROM room_bookings b JOIN users u ON u.id = b.requested_by"
        )
        .await,
        ["guest Anna Gast true"]
    );
    // The link works once.
    let again = confirm(&app, &token).await;
    assert_eq!(again.status, 422);
    assert_eq!(app.count("room_bookings", "true").await, 1);

    // Staff see and confirm it; she hears of it by mail.
    let requests = app
        .json(
            Method::GET,
            &format!("/api/v1/centres/{}/room-requests", s.centre),
            Some(staff),
            &[],
            &Value::Null,
        )
        .await
        .json();
    assert_eq!(requests["items"][0]["booker"], "guest");
    assert_eq!(requests["items"][0]["date"]["id"], date.as_str());
    let decided = post(
        &app,
        staff,
        &format!("/api/v1/room-booking-dates/{date}/confirm"),
        json!({}),
    )
    .await;
    assert_eq!(decided.status, 200, "{}", decided.json());
    let told = sink.wait_for(email, 2).await;
    assert!(
        told.iter()
            .any(|m| m.subject().starts_with("Raum bestätigt: Kleiner Saal")),
        "{:?}",
        told.iter()
            .map(|m| m.subject().to_owned())
            .collect::<Vec<_>>()
    );

    // With her guest link she sees the date, and cancels it.
    assert_eq!(
        app.post("/api/v1/guest/links", &json!({ "email": email }))
            .await
            .status,
        202
    );
    let link = sink
        .wait_for(email, 3)
        .await
        .into_iter()
        .find(|m| m.subject() == "Ihre Anmeldungen bei Quartier")
        .expect("the link mail")
        .token("guest");
    let own = app
        .send(
            Method::GET,
            "/api/v1/guest/room-bookings",
            &[("x-guest-token", &link)],
            None,
        )
        .await;
    assert_eq!(own.status, 200);
    let own = own.json();
    assert_eq!(own["dates"][0]["date"]["id"], date.as_str());
    assert_eq!(own["dates"][0]["date"]["status"], "confirmed");
    assert_eq!(own["waiting"], json!([]));
    let export = app
        .send(
            Method::GET,
            "/api/v1/guest/export",
            &[("x-guest-token", &link)],
            None,
        )
        .await
        .json();
    assert_eq!(
        export["room_bookings"]["dates"][0]["purpose"],
        "Nachbarschaftsfest"
    );
    // Another's date is none of hers; without the link nothing is cancelled.
    let someone = app.signed_up("bernd@example.org").await;
    let bernds = post(
        &app,
        &someone.access_token,
        &format!("/api/v1/rooms/{hall}/bookings"),
        json!({"booker": "account", "purpose": "Spieleabend", "expected_people": 8,
               "layout": "tables", "starts_at": local(11, 10, 0), "ends_at": local(11, 12, 0)}),
    )
    .await
    .json()["dates"][0]["id"]
        .as_str()
        .expect("a date")
        .to_owned();
    let cancel = |id: String, token: Option<String>| {
        let app = &app;
        async move {
            let headers: Vec<(&str, &str)> = token
                .as_deref()
                .map(|t| vec![("x-guest-token", t)])
                .unwrap_or_default();
            app.send(
                Method::POST,
                &format!("/api/v1/guest/room-booking-dates/{id}/cancel"),
                &headers,
                None,
            )
            .await
        }
    };
    assert_eq!(cancel(bernds.clone(), Some(link.clone())).await.status, 404);
    assert_eq!(cancel(date.clone(), None).await.status, 401);
    assert_eq!(
        app.texts(&format!(
            "SELECT status FROM room_booking_dates WHERE id IN ('{date}', '{bernds}') ORDER BY starts_at"
        ))
        .await,
        ["confirmed", "requested"]
    );
    let cancelled = cancel(date.clone(), Some(link.clone())).await;
    assert_eq!(cancelled.status, 200);
    assert_eq!(cancelled.json()["date"]["status"], "cancelled");
    assert_eq!(
        app.count("room_claims", "booking_date_id IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        app.texts(
            "SELECT action FROM audit_events WHERE object_type = 'room_booking_date' ORDER BY at"
        )
        .await,
        ["room_booking.confirmed", "room_booking.cancelled"]
    );
}

#[actix_web::test]
async fn a_guest_request_at_an_accounts_address_is_the_accounts_and_a_taken_time_keeps_the_link() {
    let sink = SmtpSink::start();
    let app = TestApp::mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    let staff = s.coordinator.access_token.as_str();
    let hall = room(
        &app,
        &s,
        json!({"name": "Kleiner Saal", "capacity_tables": 30, "bookable_by": "residents"}),
    )
    .await;
    let vera = app.signed_up("vera@example.org").await;

    assert_eq!(
        ask(&app, &hall, &guest_request("vera@example.org", 10))
            .await
            .status,
        202
    );
    assert_eq!(
        ask(&app, &hall, &guest_request("gast@example.org", 10))
            .await
            .status,
        202
    );
    let veras = sink
        .wait_for("vera@example.org", 2)
        .await
        .into_iter()
        .find(|m| m.subject().contains("Raumanfrage"))
        .expect("the request mail");
    // An account is greeted by its own name, never by the one given in the form.
    assert!(!veras.text().contains("Anna Gast"), "{}", veras.text());
    let veras = veras.token("guest-room-bookings/confirm");
    let gasts = sink.wait_for("gast@example.org", 1).await.remove(0);
    let gasts = gasts.token("guest-room-bookings/confirm");
    // Her export lists the request while it waits.
    let export = app
        .json(
            Method::GET,
            "/api/v1/me/export",
            Some(&vera.access_token),
            &[],
            &Value::Null,
        )
        .await
        .json();
    assert_eq!(export["room_bookings_waiting"][0]["dates"], 1);

    let confirmed = confirm(&app, &veras).await;
    assert_eq!(confirmed.status, 201, "{}", confirmed.json());
    assert_eq!(confirmed.json()["booker"], "account");
    let date = confirmed.json()["dates"][0]["id"]
        .as_str()
        .expect("a date")
        .to_owned();
    assert_eq!(
        app.count(
            "room_bookings b JOIN users u ON u.id = b.requested_by",
            "u.email = 'vera@example.org' AND u.kind = 'account'"
        )
        .await,
        1
    );

    // Staff confirm Vera's date: the guest's link to the same evening is refused with 409 and
    // books nothing, and keeps working until it expires.
    let decided = post(
        &app,
        staff,
        &format!("/api/v1/room-booking-dates/{date}/confirm"),
        json!({}),
    )
    .await;
    assert_eq!(decided.status, 200);
    let taken = confirm(&app, &gasts).await;
    assert_eq!(taken.status, 409, "{}", taken.json());
    assert_eq!(taken.json()["type"], "/problems/room-taken");
    assert_eq!(app.count("room_bookings", "true").await, 1);
    assert_eq!(app.count("room_booking_drafts", "true").await, 1);

    // Once the guest registers with that address and verifies it, her waiting request is
    // the account's, and the guest is gone.
    let registered = app
        .register("gast@example.org", "ein sicheres Passwort")
        .await;
    assert_eq!(registered.status, 201);
    let account = registered.json()["id"].as_str().expect("id").to_owned();
    let marker = "/verify-email?token=";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let verify = loop {
        if let Some(mail) = sink
            .to("gast@example.org")
            .into_iter()
            .find(|m| m.text().contains(marker))
        {
            break mail.token("verify-email");
        }
        assert!(std::time::Instant::now() < deadline, "no verification mail");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let verified = app
        .post("/api/v1/auth/verify-email", &json!({ "token": verify }))
        .await;
    assert_eq!(verified.status, 204);
    assert_eq!(
        app.count("room_booking_drafts", &format!("user_id = '{account}'"))
            .await,
        1
    );
    assert_eq!(app.count("users", "kind = 'guest'").await, 0);
    // Once the evening is free again, her link makes the request the account's.
    let freed = post(
        &app,
        staff,
        &format!("/api/v1/room-booking-dates/{date}/cancel"),
        json!({}),
    )
    .await;
    assert_eq!(freed.status, 200);
    let confirmed = confirm(&app, &gasts).await;
    assert_eq!(confirmed.status, 201, "{}", confirmed.json());
    assert_eq!(confirmed.json()["booker"], "account");
    assert_eq!(
        app.count("room_bookings", &format!("requested_by = '{account}'"))
            .await,
        1
    );
}

#[actix_web::test]
async fn staff_book_for_an_activity_and_cancelling_the_activity_frees_the_room() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let token = s.coordinator.access_token.as_str();
    let hall = room(
        &app,
        &s,
        json!({"name": "Kleiner Saal", "capacity_seated": 30, "bookable_by": "partners"}),
    )
    .await;
    let activity = evening_activity(&app, token, &s.centre, "Nachbarschaftschor", 20).await;
    let for_activity = |who: &str, activity: Option<&str>, days: i64| {
        let app = &app;
        let hall = hall.clone();
        let who = who.to_owned();
        let activity = activity.map(str::to_owned);
        async move {
            post(
                app,
                &who,
                &format!("/api/v1/rooms/{hall}/bookings"),
                json!({"booker": "activity", "activity_id": activity,
                       "purpose": "Sommerfest des Chors", "expected_people": 25,
                       "layout": "seated", "starts_at": local(days, 15, 0),
                       "ends_at": local(days, 17, 0)}),
            )
            .await
        }
    };

    // Refused, with nothing booked: no activity named, an unknown one, another operator's
    // staff, and an activity named for another booker.
    assert_eq!(for_activity(token, None, 9).await.status, 422);
    assert_eq!(
        for_activity(token, Some("00000000-0000-7000-8000-000000000000"), 9)
            .await
            .status,
        422
    );
    assert_eq!(
        for_activity(&s.other_coordinator.access_token, Some(&activity), 9)
            .await
            .status,
        403
    );
    let mixed = post(
        &app,
        token,
        &format!("/api/v1/rooms/{hall}/bookings"),
        json!({"booker": "operator", "activity_id": activity, "purpose": "Probe",
               "expected_people": 5, "layout": "seated",
               "starts_at": local(9, 15, 0), "ends_at": local(9, 17, 0)}),
    )
    .await;
    assert_eq!(mixed.status, 422);
    assert_eq!(app.count("room_bookings", "true").await, 0);

    // The operator's own activity is confirmed at once, and the room is taken.
    let booked = for_activity(token, Some(&activity), 9).await;
    assert_eq!(booked.status, 201, "{}", booked.json());
    assert_eq!(booked.json()["booker"], "activity");
    assert_eq!(booked.json()["dates"][0]["status"], "confirmed");
    let later = for_activity(token, Some(&activity), 16).await;
    assert_eq!(later.status, 201);
    let clash = book(
        &app,
        token,
        &hall,
        local(9, 16, 0),
        local(9, 18, 0),
        "operator",
    )
    .await;
    assert_eq!(clash.status, 409);
    assert_eq!(
        app.count(
            "room_bookings",
            &format!("booker_kind = 'activity' AND activity_id = '{activity}'")
        )
        .await,
        2
    );

    // Cancelling the activity cancels its dates to come and frees the room.
    let cancelled = patch(
        &app,
        token,
        &format!("/api/v1/activities/{activity}"),
        json!({"status": "cancelled"}),
    )
    .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.json());
    assert_eq!(
        app.texts("SELECT status || ' ' || note FROM room_booking_dates ORDER BY starts_at")
            .await,
        [
            "cancelled The activity it was booked for has ended.",
            "cancelled The activity it was booked for has ended."
        ]
    );
    assert_eq!(
        app.count("room_claims", "booking_date_id IS NOT NULL")
            .await,
        0
    );
    let free = book(
        &app,
        token,
        &hall,
        local(9, 16, 0),
        local(9, 18, 0),
        "operator",
    )
    .await;
    assert_eq!(free.status, 201);
    // A cancelled activity books no room.
    let refused = for_activity(token, Some(&activity), 12).await;
    assert_eq!(refused.status, 409);
    assert_eq!(
        app.count(
            "room_booking_dates",
            "starts_at > now() + interval '11 days' AND starts_at < now() + interval '13 days'"
        )
        .await,
        0
    );
}

#[actix_web::test]
async fn staff_of_another_centre_ask_for_a_room_for_their_activity_as_a_partner_would() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = s.admin.access_token.as_str();
    let district = app
        .get(&format!("/api/v1/centres/{}", s.centre), None)
        .await
        .json()["district_id"]
        .as_str()
        .expect("district")
        .to_owned();
    let office = id_of(
        &post(
            &app,
            admin,
            "/api/v1/centres",
            json!({
                "operator_id": s.operator, "district_id": district, "name": "Stadtteilbüro",
                "kind": "district_office",
                "address": {"street": "Hafenstraße 2", "postcode": "44135", "town": "Musterstadt"},
                "position": {"latitude": 51.5, "longitude": 7.41},
            }),
        )
        .await,
    );
    let limited = app.signed_up("buero@example.org").await;
    let added = post(
        &app,
        admin,
        &format!("/api/v1/operators/{}/members", s.operator),
        json!({"email": "buero@example.org", "role": "coordinator", "centre_ids": [office]}),
    )
    .await;
    assert_eq!(added.status, 201, "{}", added.json());
    let activity = evening_activity(&app, &limited.access_token, &office, "Hafenfest", 20).await;
    let staff_only = room(&app, &s, json!({"name": "Büro", "capacity_seated": 8})).await;
    let hall = room(
        &app,
        &s,
        json!({"name": "Kleiner Saal", "capacity_seated": 30, "bookable_by": "partners"}),
    )
    .await;
    let for_activity = |room: String| {
        let app = &app;
        let token = limited.access_token.clone();
        let activity = activity.clone();
        async move {
            post(
                app,
                &token,
                &format!("/api/v1/rooms/{room}/bookings"),
                json!({"booker": "activity", "activity_id": activity, "purpose": "Vorbereitung",
                       "expected_people": 6, "layout": "seated",
                       "starts_at": local(9, 15, 0), "ends_at": local(9, 17, 0)}),
            )
            .await
        }
    };
    // The Bürgerhaus is not hers: its staff-only room is refused, its open hall asked for.
    for_activity(staff_only)
        .await
        .assert_problem(403, "forbidden");
    let asked = for_activity(hall.clone()).await;
    assert_eq!(asked.status, 201, "{}", asked.json());
    assert_eq!(asked.json()["dates"][0]["status"], "requested");
    assert_eq!(
        app.count("room_claims", "booking_date_id IS NOT NULL")
            .await,
        0
    );
}

#[actix_web::test]
async fn a_guests_dates_that_came_too_close_are_skipped_or_refused_when_she_confirms() {
    let sink = SmtpSink::start();
    let app = TestApp::mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    let staff = s.coordinator.access_token.as_str();
    let hall = room(
        &app,
        &s,
        json!({"name": "Kleiner Saal", "capacity_tables": 30, "bookable_by": "residents"}),
    )
    .await;
    // A weekly series from three days on that skips what it cannot have, and one evening.
    let first = local(3, 18, 0).with_timezone(&chrono_tz::Europe::Berlin);
    let mut series = guest_request("serie@example.org", 3);
    series["starts_at"] = Value::Null;
    series["ends_at"] = Value::Null;
    series["series"] = json!({"rrule": "FREQ=WEEKLY;COUNT=3",
        "first_start": first.format("%Y-%m-%dT%H:%M:%S").to_string(), "duration_minutes": 120});
    series["on_conflict"] = json!("skip");
    assert_eq!(ask(&app, &hall, &series).await.status, 202);
    assert_eq!(
        ask(&app, &hall, &guest_request("einmal@example.org", 3))
            .await
            .status,
        202
    );
    let series_token = sink
        .wait_for("serie@example.org", 1)
        .await
        .remove(0)
        .token("guest-room-bookings/confirm");
    let once_token = sink
        .wait_for("einmal@example.org", 1)
        .await
        .remove(0)
        .token("guest-room-bookings/confirm");

    // Meanwhile the room asks for a week's notice: the first evening is too close now.
    let changed = app
        .json(
            Method::PATCH,
            &format!("/api/v1/rooms/{hall}"),
            Some(staff),
            &[("if-match", "*")],
            &json!({"min_notice_hours": 168}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.json());

    confirm(&app, &once_token)
        .await
        .assert_problem(422, "validation-failed");
    // Refused, it still waits, and so does the series.
    assert_eq!(app.count("room_booking_drafts", "true").await, 2);
    assert_eq!(app.count("room_bookings", "true").await, 0);
    let confirmed = confirm(&app, &series_token).await;
    assert_eq!(confirmed.status, 201, "{}", confirmed.json());
    let booking = confirmed.json();
    assert_eq!(booking["dates"].as_array().map(Vec::len), Some(2));
    assert_eq!(booking["skipped"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        booking["skipped"][0]["starts_at"]
            .as_str()
            .map(|t| t.parse::<chrono::DateTime<chrono::Utc>>().expect("a time")),
        Some(local(3, 18, 0))
    );
    assert_eq!(
        app.count("room_booking_dates", "status = 'requested'")
            .await,
        2
    );
    // A guest cannot cancel within the room's notice either.
    let link = {
        assert_eq!(
            app.post(
                "/api/v1/guest/links",
                &json!({ "email": "serie@example.org" })
            )
            .await
            .status,
            202
        );
        sink.wait_for("serie@example.org", 2)
            .await
            .into_iter()
            .find(|m| m.subject() == "Ihre Anmeldungen bei Quartier")
            .expect("the link mail")
            .token("guest")
    };
    let changed = app
        .json(
            Method::PATCH,
            &format!("/api/v1/rooms/{hall}"),
            Some(staff),
            &[("if-match", "*")],
            &json!({"min_notice_hours": 24 * 30}),
        )
        .await;
    assert_eq!(changed.status, 200);
    let date = booking["dates"][0]["id"].as_str().expect("a date");
    app.send(
        Method::POST,
        &format!("/api/v1/guest/room-booking-dates/{date}/cancel"),
        &[("x-guest-token", &link)],
        None,
    )
    .await
    .assert_problem(409, "booking-decided");
    assert_eq!(
        app.count("room_booking_dates", "status = 'requested'")
            .await,
        2
    );
}

#[actix_web::test]
async fn an_activity_cancelled_while_rooms_are_booked_for_it_keeps_none() {
    // Sixty bookings queue for eight connections behind the cancellation's lock: on a busy
    // machine that takes longer than the default wait for a connection (2 s), and a request
    // that waits longer is turned away (503) before it does anything.
    let app = TestApp::spawn_with(&[("QUARTIER_DB_WAIT_TIMEOUT_MS", "30000")]).await;
    let s = setup(&app).await;
    let token = s.coordinator.access_token.as_str();
    let hall = room(
        &app,
        &s,
        json!({"name": "Kleiner Saal", "capacity_seated": 30, "max_future_dates": 100}),
    )
    .await;
    let activity = evening_activity(&app, token, &s.centre, "Nachbarschaftschor", 90).await;
    // Sixty bookings for the activity on sixty days, and its cancellation, all at once.
    let path = format!("/api/v1/rooms/{hall}/bookings");
    let bookings = futures_util::future::join_all((1..=60).map(|day| {
        let app = &app;
        let path = &path;
        let activity = &activity;
        async move {
            // Spread over a few milliseconds, so that some come before and some after.
            tokio::time::sleep(std::time::Duration::from_micros(500 * day as u64)).await;
            post(
                app,
                token,
                path,
                json!({"booker": "activity", "activity_id": activity, "purpose": "Probe",
                       "expected_people": 20, "layout": "seated",
                       "starts_at": local(day, 15, 0), "ends_at": local(day, 17, 0)}),
            )
            .await
        }
    }));
    let cancel = async {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        patch(
            &app,
            token,
            &format!("/api/v1/activities/{activity}"),
            json!({"status": "cancelled"}),
        )
        .await
    };
    let (booked, cancelled) = tokio::join!(bookings, cancel);
    assert_eq!(cancelled.status, 200, "{}", cancelled.json());
    let statuses: Vec<u16> = booked.iter().map(|b| b.status).collect();
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    // Whatever was booked before the cancellation was cancelled with it; nothing after.
    assert_eq!(
        app.count("room_booking_dates", "status <> 'cancelled'")
            .await,
        0
    );
    assert_eq!(
        app.count("room_booking_dates", "true").await,
        statuses.iter().filter(|s| **s == 201).count() as i64
    );
    assert_eq!(
        app.count("room_claims", "booking_date_id IS NOT NULL")
            .await,
        0
    );
}
