//! Single dates of an activity: staff cancel (with a reason), move and annotate them and the
//! calendar feeds show it; attendance is recorded once a date has begun and shown to staff
//! only.

use actix_web::http::Method;
use chrono::{Duration, Utc};
use chrono_tz::Europe::Berlin;
use quartier_tests::{TestApp, at, created_id, occurrences, patch, post, town, weekly};
use serde_json::{Value, json};

#[actix_web::test]
async fn staff_cancel_move_and_annotate_single_dates_and_calendars_show_it() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let token = &town.coord_a.access_token;
    let start = (Utc::now() + Duration::days(2))
        .with_timezone(&Berlin)
        .date_naive();
    let id = created_id(
        &post(
            &app,
            token,
            "/api/v1/activities",
            weekly(
                &town.a1,
                "Kaffeetisch; Kuchen, Gespräche",
                &format!("{start}T15:00:00"),
                "FREQ=WEEKLY;COUNT=3",
            ),
        )
        .await,
    );
    let all = occurrences(&app, None, &id, Utc::now(), Utc::now() + Duration::days(30)).await;
    let (first, second) = (
        all[0]["id"].as_str().expect("id"),
        all[1]["id"].as_str().expect("id"),
    );

    let without_reason = patch(
        &app,
        token,
        &format!("/api/v1/occurrences/{first}"),
        json!({"cancelled": true}),
    )
    .await;
    without_reason.assert_problem(422, "validation-failed");
    let cancelled = patch(
        &app,
        token,
        &format!("/api/v1/occurrences/{first}"),
        json!({"cancelled": true, "cancellation_reason": "Die Leiterin ist krank."}),
    )
    .await;
    assert_eq!(
        cancelled.status,
        200,
        "{}",
        String::from_utf8_lossy(&cancelled.body)
    );
    assert_eq!(cancelled.json()["cancelled"], true);
    let new_start = at(&all[1]["starts_at"]) + Duration::hours(1);
    let moved = patch(
        &app,
        token,
        &format!("/api/v1/occurrences/{second}"),
        json!({"starts_at": new_start, "note": "Diesmal im Garten."}),
    )
    .await;
    assert_eq!(moved.status, 200);
    assert_eq!(at(&moved.json()["starts_at"]), new_start);
    assert_eq!(
        at(&moved.json()["ends_at"]),
        new_start + Duration::minutes(120)
    );
    assert_eq!(moved.json()["moved"], true);
    let early_attendance = patch(
        &app,
        token,
        &format!("/api/v1/occurrences/{second}"),
        json!({"participants": 12}),
    )
    .await;
    early_attendance.assert_problem(422, "validation-failed");

    let feed = app
        .get(&format!("/api/v1/activities/{id}/calendar.ics"), None)
        .await;
    assert_eq!(feed.status, 200);
    assert!(
        feed.header("content-type")
            .expect("type")
            .starts_with("text/calendar")
    );
    let text = String::from_utf8(feed.body.clone()).expect("utf-8");
    let calendars: Vec<_> = ical::IcalParser::new(text.as_bytes())
        .collect::<Result<_, _>>()
        .expect("a valid iCalendar file");
    assert_eq!(calendars.len(), 1);
    let calendar = &calendars[0];
    assert_eq!(calendar.timezones.len(), 1, "a VTIMEZONE for the TZID");
    assert_eq!(calendar.events.len(), 3);
    let prop = |event: &ical::parser::ical::component::IcalEvent, name: &str| {
        event
            .properties
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("{name}"))
            .clone()
    };
    for event in &calendar.events {
        let uid = prop(event, "UID").value.expect("uid");
        let start = prop(event, "DTSTART");
        let params = start.params.clone().unwrap_or_default();
        assert!(
            params
                .iter()
                .any(|(k, v)| k == "TZID" && v == &vec!["Europe/Berlin".to_owned()])
        );
        assert!(
            prop(event, "LOCATION")
                .value
                .expect("location")
                .contains("Marktplatz 1")
        );
        assert!(prop(event, "GEO").value.is_some());
        assert!(
            prop(event, "URL")
                .value
                .expect("url")
                .ends_with(&format!("/api/v1/activities/{id}"))
        );
        assert_eq!(
            prop(event, "SUMMARY").value.expect("summary"),
            "Kaffeetisch\\; Kuchen\\, Gespräche",
            "escaped as RFC 5545 TEXT"
        );
        let status = prop(event, "STATUS").value.expect("status");
        let sequence: i32 = prop(event, "SEQUENCE")
            .value
            .expect("seq")
            .parse()
            .expect("number");
        if uid == format!("{first}@quartier") {
            assert_eq!(status, "CANCELLED");
            assert!(sequence >= 1);
        } else if uid == format!("{second}@quartier") {
            assert_eq!(status, "CONFIRMED");
            assert!(sequence >= 1, "a move raises SEQUENCE");
            let local = new_start
                .with_timezone(&Berlin)
                .format("%Y%m%dT%H%M%S")
                .to_string();
            assert_eq!(start.value.expect("start"), local);
        } else {
            assert_eq!(status, "CONFIRMED");
            assert_eq!(sequence, 0);
        }
    }
    let centre_feed = app
        .get(&format!("/api/v1/centres/{}/calendar.ics", town.a1), None)
        .await;
    assert_eq!(centre_feed.status, 200);
    let centre_text = String::from_utf8(centre_feed.body.clone()).expect("utf-8");
    assert_eq!(centre_text.matches("BEGIN:VEVENT").count(), 3);
    let etag = feed.header("etag").expect("etag").to_owned();
    let again = app
        .send(
            Method::GET,
            &format!("/api/v1/activities/{id}/calendar.ics"),
            &[("if-none-match", &etag)],
            None,
        )
        .await;
    assert_eq!(again.status, 304);
}

#[actix_web::test]
async fn attendance_is_recorded_after_the_start_and_shown_to_staff_only() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let token = &town.coord_a.access_token;
    let begun = (Utc::now() - Duration::days(3))
        .with_timezone(&Berlin)
        .date_naive();
    let id = created_id(
        &post(
            &app,
            token,
            "/api/v1/activities",
            weekly(
                &town.a1,
                "Treff",
                &format!("{begun}T10:00:00"),
                "FREQ=DAILY;COUNT=2",
            ),
        )
        .await,
    );
    let all = occurrences(
        &app,
        Some(token),
        &id,
        Utc::now() - Duration::days(5),
        Utc::now(),
    )
    .await;
    let past = all[0]["id"].as_str().expect("id");
    let recorded = patch(
        &app,
        token,
        &format!("/api/v1/occurrences/{past}"),
        json!({"participants": 14}),
    )
    .await;
    assert_eq!(
        recorded.status,
        200,
        "{}",
        String::from_utf8_lossy(&recorded.body)
    );
    assert_eq!(recorded.json()["participants"], 14);
    assert_eq!(
        app.get(&format!("/api/v1/occurrences/{past}"), Some(token))
            .await
            .json()["participants"],
        14
    );
    assert_eq!(
        app.get(&format!("/api/v1/occurrences/{past}"), None)
            .await
            .json()["participants"],
        Value::Null
    );
    let negative = patch(
        &app,
        token,
        &format!("/api/v1/occurrences/{past}"),
        json!({"participants": -1}),
    )
    .await;
    negative.assert_problem(422, "validation-failed");
    assert_eq!(app.count("occurrences", "participants = 14").await, 1);
}
