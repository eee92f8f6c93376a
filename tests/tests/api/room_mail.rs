//! Bookers hear of decisions on their room dates by mail, through a real SMTP server: when
//! staff confirm, decline or cancel, and when a confirmation declines their overlapping
//! request; never of what they did themselves.

use quartier_tests::rooms::local;
use quartier_tests::{SmtpSink, TestApp, TestResponse, id_of, post, setup};
use serde_json::json;

async fn ask(app: &TestApp, token: &str, room: &str, days: i64, hour: u32) -> String {
    let asked: TestResponse = post(
        app,
        token,
        &format!("/api/v1/rooms/{room}/bookings"),
        json!({"booker": "account", "purpose": "Geburtstagsfeier", "expected_people": 15,
               "layout": "tables", "starts_at": local(days, hour, 0),
               "ends_at": local(days, hour + 2, 0)}),
    )
    .await;
    assert_eq!(asked.status, 201, "{}", asked.json());
    asked.json()["dates"][0]["id"]
        .as_str()
        .expect("a date")
        .to_owned()
}

async fn decide(app: &TestApp, token: &str, date: &str, action: &str) {
    let decided = post(
        app,
        token,
        &format!("/api/v1/room-booking-dates/{date}/{action}"),
        json!({}),
    )
    .await;
    assert_eq!(decided.status, 200, "{action}: {}", decided.json());
}

#[actix_web::test]
async fn bookers_hear_of_decisions_made_by_others() {
    let sink = SmtpSink::start();
    let app = TestApp::mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    let staff = s.coordinator.access_token.as_str();
    let room = id_of(
        &post(
            &app,
            staff,
            &format!("/api/v1/centres/{}/rooms", s.centre),
            json!({"name": "Kleiner Saal", "capacity_tables": 30, "bookable_by": "residents"}),
        )
        .await,
    );
    let anna = app.signed_up("anna@example.org").await;
    let bernd = app.signed_up("bernd@example.org").await;
    let annas = ask(&app, &anna.access_token, &room, 12, 15).await;
    let bernds = ask(&app, &bernd.access_token, &room, 12, 16).await;
    let annas_own = ask(&app, &anna.access_token, &room, 19, 15).await;

    // Confirming Anna's date declines Bernd's overlapping request: both hear of it.
    decide(&app, staff, &annas, "confirm").await;
    let confirmed = sink
        .mail_with("anna@example.org", "Raum bestätigt: Kleiner Saal")
        .await;
    assert!(
        confirmed.text().contains("Geburtstagsfeier"),
        "{}",
        confirmed.text()
    );
    assert!(
        confirmed.text().contains("Bürgerhaus"),
        "{}",
        confirmed.text()
    );
    assert_eq!(
        app.texts(&format!(
            "SELECT status FROM room_booking_dates WHERE id = '{bernds}'"
        ))
        .await,
        ["declined"]
    );
    let declined = sink
        .mail_with("bernd@example.org", "Raum abgelehnt: Kleiner Saal")
        .await;
    assert!(
        declined
            .text()
            .contains("Der Raum wurde an eine überschneidende Buchung vergeben."),
        "{}",
        declined.text()
    );

    // Staff cancel Anna's confirmed date; Anna cancels her other request herself.
    decide(&app, staff, &annas, "cancel").await;
    decide(&app, &anna.access_token, &annas_own, "cancel").await;
    sink.mail_with("anna@example.org", "Raumbuchung abgesagt: Kleiner Saal")
        .await;

    // The queue empties; nobody was told of what they did themselves.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while app
        .count(
            "notifications",
            "kind = 'room_booking_decided' AND state = 'queued'",
        )
        .await
        > 0
    {
        assert!(std::time::Instant::now() < deadline, "mail still queued");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.count("notifications", "kind = 'room_booking_decided'")
            .await,
        3
    );
    assert_eq!(
        app.count(
            "notifications",
            &format!("kind = 'room_booking_decided' AND details LIKE '%{annas_own}%'")
        )
        .await,
        0
    );
    // Every decision is in the audit trail, with who made it.
    assert_eq!(
        app.texts(
            "SELECT action FROM audit_events WHERE object_type = 'room_booking_date' \
             ORDER BY at"
        )
        .await,
        [
            "room_booking.confirmed",
            "room_booking.cancelled",
            "room_booking.cancelled"
        ]
    );
    let about_rooms = |address: &str| {
        sink.to(address)
            .iter()
            .filter(|m| m.subject().starts_with("Raum"))
            .count()
    };
    assert_eq!(about_rooms("anna@example.org"), 2);
    assert_eq!(about_rooms("bernd@example.org"), 1);
}

#[actix_web::test]
async fn an_erased_booker_frees_her_dates_to_come_and_leaves_them_counted_but_nameless() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let staff = s.coordinator.access_token.as_str();
    let room = id_of(
        &post(
            &app,
            staff,
            &format!("/api/v1/centres/{}/rooms", s.centre),
            json!({"name": "Kleiner Saal", "capacity_tables": 30, "bookable_by": "residents"}),
        )
        .await,
    );
    let anna = app.signed_up("anna@example.org").await;
    let confirmed = ask(&app, &anna.access_token, &room, 12, 15).await;
    let requested = ask(&app, &anna.access_token, &room, 13, 15).await;
    decide(&app, staff, &confirmed, "confirm").await;
    let erased = app
        .json(
            actix_web::http::Method::DELETE,
            "/api/v1/me",
            Some(&anna.access_token),
            &[],
            &json!({"password": anna.password}),
        )
        .await;
    assert!(erased.status < 300, "{}", erased.status);
    // The dates stay for the counts, cancelled, and nothing names her any more.
    assert_eq!(
        app.texts(&format!(
            "SELECT status FROM room_booking_dates WHERE id IN ('{confirmed}', '{requested}') \
             ORDER BY starts_at"
        ))
        .await,
        ["cancelled", "cancelled"]
    );
    assert_eq!(
        app.count("room_bookings", &format!("requested_by = '{}'", anna.id))
            .await,
        0
    );
    let requests = app
        .get(
            &format!("/api/v1/centres/{}/room-requests", s.centre),
            Some(staff),
        )
        .await;
    assert_eq!(requests.status, 200);
    assert_eq!(requests.json()["items"], json!([]));
    // The room is free again at her confirmed time, and the operator's systems heard of it.
    let free = post(
        &app,
        staff,
        &format!("/api/v1/rooms/{room}/bookings"),
        json!({"booker": "operator", "purpose": "Sitzung", "expected_people": 5,
               "layout": "tables", "starts_at": local(12, 15, 0), "ends_at": local(12, 16, 0)}),
    )
    .await;
    assert_eq!(free.status, 201, "{}", free.json());
    assert_eq!(
        app.count(
            "outbox_events",
            &format!("kind = 'room_booking.cancelled' AND payload LIKE '%{confirmed}%'")
        )
        .await,
        1
    );
}
