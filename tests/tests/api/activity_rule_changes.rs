//! Changing an activity's rule: past occurrences and the identities of kept dates stay, dates
//! with shifts are kept and reported, and dates that have begun or were moved stay where they
//! are.

use chrono::{Duration, Utc};
use chrono_tz::Europe::Berlin;
use quartier_tests::{TestApp, at, created_id, occurrences, patch, post, town, utc, weekly};
use serde_json::json;

/// Two local hours, one apart, that today lie both past or both to come (with two hours of
/// duration) whenever the test runs: 10:00 and 11:00, or 15:00 and 16:00 around late morning.
/// Otherwise a rule change would add or drop today's date depending on the time of day.
fn hours_away_from_now() -> (u32, u32) {
    use chrono::Timelike;
    let now = Utc::now().with_timezone(&Berlin).hour();
    if (8..=13).contains(&now) {
        (15, 16)
    } else {
        (10, 11)
    }
}

#[actix_web::test]
async fn changing_the_rule_keeps_past_occurrences_and_identities() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let token = &town.coord_a.access_token;
    // A daily activity that began ten days ago, at 10:00 local time (or 15:00, see
    // `hours_away_from_now`).
    let (early, late) = hours_away_from_now();
    let begun = (Utc::now() - Duration::days(10))
        .with_timezone(&Berlin)
        .date_naive();
    let id = created_id(
        &post(
            &app,
            token,
            "/api/v1/activities",
            weekly(
                &town.a1,
                "Frühstück",
                &format!("{begun}T{early:02}:00:00"),
                "FREQ=DAILY",
            ),
        )
        .await,
    );
    let cutoff = (Utc::now() - Duration::minutes(1)).format("%Y-%m-%dT%H:%M:%SZ");
    let past_at_ten = format!(
        "activity_id = '{id}' AND starts_at < '{cutoff}' \
         AND to_char(starts_at AT TIME ZONE 'Europe/Berlin', 'HH24:MI') = '{early:02}:00'"
    );
    let past_before = app.count("occurrences", &past_at_ten).await;
    assert!(past_before >= 9, "recent past dates exist: {past_before}");
    let tomorrow = (Utc::now() + Duration::days(1))
        .with_timezone(&Berlin)
        .date_naive();
    let ids_before = occurrences(
        &app,
        None,
        &id,
        utc(tomorrow, 0, 0),
        utc(tomorrow + Duration::days(7), 0, 0),
    )
    .await;

    // Same days, one hour later.
    let changed = patch(
        &app,
        token,
        &format!("/api/v1/activities/{id}"),
        json!({"schedule": {"kind": "recurring", "rrule": "FREQ=DAILY", "first_start": format!("{begun}T{late:02}:00:00"), "duration_minutes": 90}}),
    )
    .await;

    assert_eq!(
        changed.status,
        200,
        "{}",
        String::from_utf8_lossy(&changed.body)
    );
    let report = &changed.json()["occurrence_changes"];
    assert_eq!(report["added"], 0);
    assert_eq!(report["removed"], 0);
    assert_eq!(report["kept"], json!([]));
    let ids_after = occurrences(
        &app,
        None,
        &id,
        utc(tomorrow, 0, 0),
        utc(tomorrow + Duration::days(7), 0, 0),
    )
    .await;
    assert_eq!(ids_before.len(), ids_after.len());
    for (before, after) in ids_before.iter().zip(&ids_after) {
        assert_eq!(
            before["id"], after["id"],
            "the same occurrence, so the same calendar UID"
        );
        let local = at(&after["starts_at"]).with_timezone(&Berlin);
        assert_eq!(local.format("%H:%M").to_string(), format!("{late:02}:00"));
        assert_eq!(
            at(&after["ends_at"]) - at(&after["starts_at"]),
            Duration::minutes(90)
        );
    }
    assert_eq!(
        app.count("occurrences", &past_at_ten).await,
        past_before,
        "past occurrences keep their time"
    );
}

#[actix_web::test]
async fn a_rule_change_keeps_and_reports_occurrences_with_shifts() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let token = &town.coord_a.access_token;
    let start = (Utc::now() + Duration::days(1))
        .with_timezone(&Berlin)
        .date_naive();
    let id = created_id(
        &post(
            &app,
            token,
            "/api/v1/activities",
            weekly(
                &town.a1,
                "Spielgruppe",
                &format!("{start}T09:00:00"),
                "FREQ=WEEKLY;COUNT=4",
            ),
        )
        .await,
    );
    let all = occurrences(&app, None, &id, Utc::now(), Utc::now() + Duration::days(60)).await;
    assert_eq!(all.len(), 4);
    let with_shift = all[2]["id"].as_str().expect("id").to_owned();
    {
        use diesel_async::RunQueryDsl;
        diesel::sql_query(format!(
            "INSERT INTO shifts (id, centre_id, operator_id, occurrence_id, title, starts_at, ends_at, capacity) \
             SELECT gen_random_uuid(), c.id, c.operator_id, o.id, 'Aufbau', o.starts_at, o.ends_at, 2 \
             FROM occurrences o, centres c WHERE o.id = '{with_shift}' AND c.id = '{}'",
            town.a1
        ))
        .execute(&mut app.conn().await)
        .await
        .expect("a shift");
    }

    // The series now runs on the following day of the week: none of the old dates stays.
    let moved_day = start + Duration::days(1);
    let changed = patch(
        &app,
        token,
        &format!("/api/v1/activities/{id}"),
        json!({"schedule": {"kind": "recurring", "rrule": "FREQ=WEEKLY;COUNT=4", "first_start": format!("{moved_day}T09:00:00"), "duration_minutes": 120}}),
    )
    .await;

    assert_eq!(
        changed.status,
        200,
        "{}",
        String::from_utf8_lossy(&changed.body)
    );
    let report = &changed.json()["occurrence_changes"];
    assert_eq!(report["kept"], json!([with_shift]));
    assert_eq!(report["removed"], 3);
    assert_eq!(report["added"], 4);
    let kept = app
        .get(&format!("/api/v1/occurrences/{with_shift}"), None)
        .await;
    assert_eq!(kept.status, 200);
    assert_eq!(kept.json()["detached"], true);
    assert_eq!(
        kept.json()["starts_at"],
        all[2]["starts_at"],
        "not moved silently"
    );
    assert_eq!(
        app.count("occurrences", &format!("activity_id = '{id}'"))
            .await,
        5
    );
    assert_eq!(app.count("shifts", "true").await, 1);
}

#[actix_web::test]
async fn occurrences_that_have_begun_or_were_moved_into_the_past_survive_rule_changes() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let token = &town.coord_a.access_token;
    let (early, late) = hours_away_from_now();
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
                "Sprachcafé",
                &format!("{begun}T{early:02}:00:00"),
                "FREQ=DAILY",
            ),
        )
        .await,
    );
    let all = occurrences(
        &app,
        None,
        &id,
        Utc::now() - Duration::days(4),
        Utc::now() + Duration::days(4),
    )
    .await;
    // A past date moved to next week, and a coming date moved into yesterday evening.
    let past = all[0].clone();
    let coming = all
        .iter()
        .find(|o| at(&o["starts_at"]) > Utc::now() + Duration::days(1))
        .expect("a coming date")
        .clone();
    let yesterday = (Utc::now() - Duration::days(1))
        .with_timezone(&Berlin)
        .date_naive();
    for (occurrence, new_start) in [
        (&past, Utc::now() + Duration::days(6)),
        (&coming, utc(yesterday, 18, 0)),
    ] {
        let moved = patch(
            &app,
            token,
            &format!(
                "/api/v1/occurrences/{}",
                occurrence["id"].as_str().expect("id")
            ),
            json!({"starts_at": new_start}),
        )
        .await;
        assert_eq!(
            moved.status,
            200,
            "{}",
            String::from_utf8_lossy(&moved.body)
        );
    }
    let count_before = app
        .count("occurrences", &format!("activity_id = '{id}'"))
        .await;

    for hour in [late, early] {
        let changed = patch(
            &app,
            token,
            &format!("/api/v1/activities/{id}"),
            json!({"schedule": {"kind": "recurring", "rrule": "FREQ=DAILY", "first_start": format!("{begun}T{hour:02}:00:00"), "duration_minutes": 120}}),
        )
        .await;
        assert_eq!(
            changed.status,
            200,
            "{}",
            String::from_utf8_lossy(&changed.body)
        );
        assert_eq!(changed.json()["occurrence_changes"]["removed"], 0);
    }

    assert_eq!(
        app.count("occurrences", &format!("activity_id = '{id}'"))
            .await,
        count_before,
        "no date was planned twice, none lost"
    );
    for (occurrence, expected) in [
        (&past, Utc::now() + Duration::days(6)),
        (&coming, utc(yesterday, 18, 0)),
    ] {
        let now = app
            .get(
                &format!(
                    "/api/v1/occurrences/{}",
                    occurrence["id"].as_str().expect("id")
                ),
                None,
            )
            .await;
        assert_eq!(now.status, 200);
        let starts = at(&now.json()["starts_at"]);
        assert!(
            (starts - expected).num_seconds().abs() < 5,
            "{starts} vs {expected}"
        );
        assert_eq!(now.json()["detached"], false);
    }
}
