//! What room tests do again and again: local times in Berlin, rooms of the fixture's centre,
//! and bookings.

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use serde_json::{Value, json};

use crate::{Setup, TestApp, TestResponse, id_of, post};

/// A local time in Berlin, `days` days from now at `hour:minute`.
pub fn local(days: i64, hour: u32, minute: u32) -> DateTime<Utc> {
    let date = (Utc::now() + Duration::days(days))
        .with_timezone(&Berlin)
        .date_naive();
    Berlin
        .from_local_datetime(&date.and_hms_opt(hour, minute, 0).expect("a time"))
        .single()
        .expect("one local time")
        .with_timezone(&Utc)
}

/// A room of the fixture's centre, made by its coordinator: its id.
pub async fn room(app: &TestApp, s: &Setup, body: Value) -> String {
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

/// Books `room` once from `starts_at` to `ends_at` as `token`, for `booker` (`operator`,
/// `partner`, `account`): a choir's rehearsal of 12, seated.
pub async fn book(
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

/// A published activity of `centre` on one evening, `days` from now 18:00–20:00, made as
/// `token`: its id.
pub async fn evening_activity(
    app: &TestApp,
    token: &str,
    centre: &str,
    title: &str,
    days: i64,
) -> String {
    id_of(
        &post(
            app,
            token,
            "/api/v1/activities",
            json!({"centre_id": centre, "title": title, "category": "interest_group",
                   "status": "published",
                   "schedule": {"kind": "once", "starts_at": local(days, 18, 0),
                                "ends_at": local(days, 20, 0)}}),
        )
        .await,
    )
}
