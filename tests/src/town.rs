//! The town activities happen in — two operators, three districts, three centres — and the
//! helpers that make activities and read their occurrences.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::app::{TestApp, TestUser};
use crate::fixtures::{created_id, post};

/// Operators A and B in a town of Nordstadt (with Hafen inside it) and Süd; a coordinator of
/// each; centres A1 (Nordstadt, step-free), A2 (Hafen) and B1 (Süd). Made by [`town`].
#[derive(Debug, Clone)]
pub struct Town {
    /// The administrator who made everything here.
    pub admin: TestUser,
    /// A coordinator of operator A (`coord-a@example.org`).
    pub coord_a: TestUser,
    /// A coordinator of operator B (`coord-b@example.org`).
    pub coord_b: TestUser,
    /// The district Nordstadt, parent of Hafen.
    pub nordstadt: String,
    /// Operator A's "Bürgerhaus Nordstadt", step-free, at 51.52 / 7.46.
    pub a1: String,
    /// Operator A's "WohnCafé am Hafen", at 51.53 / 7.44.
    pub a2: String,
    /// Operator B's "Stadtteilbüro Süd", at 51.40 / 7.50.
    pub b1: String,
}

/// The days ahead that occurrences are planned for, long enough for a whole next year.
pub const LONG_HORIZON: &[(&str, &str)] = &[("QUARTIER_OCCURRENCE_HORIZON_DAYS", "800")];

/// Makes the [`Town`] through the API, as the administrator.
pub async fn town(app: &TestApp) -> Town {
    let admin = app.admin().await;
    let token = admin.access_token.clone();
    let nordstadt = created_id(
        &post(
            app,
            &token,
            "/api/v1/districts",
            json!({"name": "Nordstadt", "town": "Musterstadt"}),
        )
        .await,
    );
    let hafen = created_id(
        &post(
            app,
            &token,
            "/api/v1/districts",
            json!({"name": "Hafen", "town": "Musterstadt", "parent_id": nordstadt}),
        )
        .await,
    );
    let sued = created_id(
        &post(
            app,
            &token,
            "/api/v1/districts",
            json!({"name": "Süd", "town": "Musterstadt"}),
        )
        .await,
    );
    let mut operators = Vec::new();
    for name in ["Träger A", "Träger B"] {
        operators.push(created_id(
            &post(
                app,
                &token,
                "/api/v1/operators",
                json!({"name": name, "kind": "association"}),
            )
            .await,
        ));
    }
    let coord_a = app.signed_up("coord-a@example.org").await;
    let coord_b = app.signed_up("coord-b@example.org").await;
    for (operator, email) in [
        (&operators[0], "coord-a@example.org"),
        (&operators[1], "coord-b@example.org"),
    ] {
        let added = post(
            app,
            &token,
            &format!("/api/v1/operators/{operator}/members"),
            json!({"email": email, "role": "coordinator"}),
        )
        .await;
        assert_eq!(added.status, 201);
    }
    let centre = |operator: &str, district: &str, name: &str, step_free: bool, at: (f64, f64)| {
        json!({
            "operator_id": operator, "district_id": district, "name": name, "kind": "community_house",
            "address": {"street": "Marktplatz 1", "postcode": "44135", "town": "Musterstadt"},
            "position": {"latitude": at.0, "longitude": at.1},
            "accessibility": {"step_free": step_free},
        })
    };
    let a1 = created_id(
        &post(
            app,
            &token,
            "/api/v1/centres",
            centre(
                &operators[0],
                &nordstadt,
                "Bürgerhaus Nordstadt",
                true,
                (51.52, 7.46),
            ),
        )
        .await,
    );
    let a2 = created_id(
        &post(
            app,
            &token,
            "/api/v1/centres",
            centre(
                &operators[0],
                &hafen,
                "WohnCafé am Hafen",
                false,
                (51.53, 7.44),
            ),
        )
        .await,
    );
    let b1 = created_id(
        &post(
            app,
            &token,
            "/api/v1/centres",
            centre(
                &operators[1],
                &sued,
                "Stadtteilbüro Süd",
                false,
                (51.40, 7.50),
            ),
        )
        .await,
    );
    Town {
        admin,
        coord_a,
        coord_b,
        nordstadt,
        a1,
        a2,
        b1,
    }
}

/// The body of a published recurring coffee table at `centre`: `rule` (an RRULE) from `first`
/// (local time, `YYYY-MM-DDTHH:MM:SS`), two hours each time.
pub fn weekly(centre: &str, title: &str, first: &str, rule: &str) -> Value {
    json!({
        "centre_id": centre, "title": title, "category": "coffee_table", "status": "published",
        "description": "Kaffee und Kuchen für alle Nachbarn",
        "schedule": {"kind": "recurring", "rrule": rule, "first_start": first, "duration_minutes": 120},
    })
}

/// All occurrences of an activity between two dates, page by page through 93-day ranges.
pub async fn occurrences(
    app: &TestApp,
    token: Option<&str>,
    activity: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Value> {
    let mut found = Vec::new();
    let mut start = from;
    while start < to {
        let end = (start + Duration::days(93)).min(to);
        let path = format!(
            "/api/v1/activities/{activity}/occurrences?from={}&to={}&limit=100",
            start.format("%Y-%m-%dT%H:%M:%SZ"),
            end.format("%Y-%m-%dT%H:%M:%SZ")
        );
        let page = app.get(&path, token).await;
        assert_eq!(page.status, 200, "{}", String::from_utf8_lossy(&page.body));
        for item in page.json()["items"].as_array().expect("items") {
            if !found.contains(item) {
                found.push(item.clone());
            }
        }
        start = end;
    }
    found
}

/// `h:m` UTC on `date`.
pub fn utc(date: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    date.and_hms_opt(h, m, 0).expect("time").and_utc()
}

/// The year after this one: far enough ahead that every date in it is in the future.
pub fn next_year() -> i32 {
    Utc::now().year() + 1
}
