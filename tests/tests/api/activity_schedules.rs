//! Schedules in local time: a weekly date stays at its hour across both daylight-saving
//! switches, monthly rules skip excluded dates; ranges, rules, local times and dates the API
//! cannot take get clear answers, not crashes.

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Europe::Berlin;
use quartier_tests::{
    LONG_HORIZON, TestApp, at, created_id, next_year, occurrences, patch, post, town, utc, weekly,
};
use serde_json::json;

#[actix_web::test]
async fn a_weekly_meetup_stays_at_local_time_across_both_switches() {
    let app = TestApp::spawn_with(LONG_HORIZON).await;
    let town = town(&app).await;
    let year = next_year();
    let created = post(
        &app,
        &town.coord_a.access_token,
        "/api/v1/activities",
        weekly(
            &town.a1,
            "Offener Treff",
            &format!("{year}-02-02T15:00:00"),
            &format!("FREQ=WEEKLY;BYDAY=TU;UNTIL={year}1130"),
        ),
    )
    .await;
    let id = created_id(&created);

    let all = occurrences(
        &app,
        None,
        &id,
        utc(NaiveDate::from_ymd_opt(year, 1, 1).expect("date"), 0, 0),
        utc(NaiveDate::from_ymd_opt(year, 12, 31).expect("date"), 0, 0),
    )
    .await;

    let first = NaiveDate::from_ymd_opt(year, 2, 2).expect("date");
    let last = NaiveDate::from_ymd_opt(year, 11, 30).expect("date");
    let expected = first
        .iter_days()
        .take_while(|d| *d <= last)
        .filter(|d| d.weekday() == Weekday::Tue)
        .count();
    assert_eq!(all.len(), expected);
    let mut utc_hours = std::collections::BTreeSet::new();
    for occurrence in &all {
        let local = at(&occurrence["starts_at"]).with_timezone(&Berlin);
        assert_eq!(local.format("%H:%M").to_string(), "15:00", "{occurrence}");
        assert_eq!(local.weekday(), Weekday::Tue);
        assert_eq!(
            at(&occurrence["ends_at"]) - at(&occurrence["starts_at"]),
            Duration::minutes(120)
        );
        utc_hours.insert(at(&occurrence["starts_at"]).format("%H:%M").to_string());
    }
    // Winter time is UTC+1, summer time UTC+2: the UTC time changes, the local one does not.
    assert_eq!(
        utc_hours.into_iter().collect::<Vec<_>>(),
        ["13:00", "14:00"]
    );
    assert_eq!(
        app.count("occurrences", &format!("activity_id = '{id}'"))
            .await,
        expected as i64,
        "the database holds exactly these"
    );
}

#[actix_web::test]
async fn monthly_on_the_second_wednesday_with_excluded_dates() {
    let app = TestApp::spawn_with(LONG_HORIZON).await;
    let town = town(&app).await;
    let year = next_year();
    let second_wednesday = |month: u32| {
        NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Wed, 2).expect("date")
    };
    let mut body = weekly(
        &town.a1,
        "Infoabend",
        &format!("{year}-01-01T18:30:00"),
        "FREQ=MONTHLY;BYDAY=2WE;COUNT=6",
    );
    body["category"] = json!("information_event");
    body["schedule"]["excluded_dates"] = json!([second_wednesday(3).to_string()]);
    let id = created_id(&post(&app, &town.coord_a.access_token, "/api/v1/activities", body).await);

    let all = occurrences(
        &app,
        None,
        &id,
        utc(NaiveDate::from_ymd_opt(year, 1, 1).expect("date"), 0, 0),
        utc(NaiveDate::from_ymd_opt(year + 1, 1, 1).expect("date"), 0, 0),
    )
    .await;

    let dates: Vec<String> = all
        .iter()
        .map(|o| {
            at(&o["starts_at"])
                .with_timezone(&Berlin)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .collect();
    let expected: Vec<String> = [1, 2, 4, 5, 6]
        .into_iter()
        .map(|m| format!("{} 18:30", second_wednesday(m)))
        .collect();
    assert_eq!(dates, expected, "COUNT=6 minus the excluded March date");
}

#[actix_web::test]
async fn bad_ranges_rules_and_local_times_get_clear_answers() {
    let app = TestApp::spawn_with(LONG_HORIZON).await;
    let town = town(&app).await;
    let token = &town.coord_a.access_token;
    let year = next_year();
    for (query, field) in [
        (
            format!("from={year}-03-10T00:00:00Z&to={year}-03-01T00:00:00Z"),
            "query.to",
        ),
        (
            format!("from={year}-01-01T00:00:00Z&to={year}-06-01T00:00:00Z"),
            "query.to",
        ),
        (
            "from=1500-01-01T00:00:00Z&to=1500-02-01T00:00:00Z".to_owned(),
            "query.from",
        ),
    ] {
        let response = app.get(&format!("/api/v1/occurrences?{query}"), None).await;
        response.assert_problem(422, "validation-failed");
        assert_eq!(response.problem_fields(), [field], "{query}");
    }
    app.get("/api/v1/occurrences", None)
        .await
        .assert_problem(400, "malformed-request");
    app.get(&format!("/api/v1/occurrences?from={year}-03-01T00:00:00Z&to={year}-03-02T00:00:00Z&category=party"), None)
        .await
        .assert_problem(400, "malformed-request");

    for (rule, first, message) in [
        (
            "FREQ=WEEKY;BYDAY=TU",
            format!("{year}-02-02T15:00:00"),
            "WEEKY",
        ),
        (
            "FREQ=WEEKLY;UNTIL=20000101",
            format!("{year}-02-02T15:00:00"),
            "UNTIL lies before first_start",
        ),
        (
            "FREQ=HOURLY",
            format!("{year}-02-02T15:00:00"),
            "at most once a day",
        ),
        (
            "FREQ=DAILY;COUNT=100000",
            format!("{year}-02-02T15:00:00"),
            "COUNT",
        ),
    ] {
        let response = post(
            &app,
            token,
            "/api/v1/activities",
            weekly(&town.a1, "Test", &first, rule),
        )
        .await;
        let problem = response.assert_problem(422, "validation-failed");
        assert_eq!(response.problem_fields(), ["schedule.rrule"], "{rule}");
        assert!(problem.to_string().contains(message), "{rule}: {problem}");
    }
    // The last Sunday of March: 02:30 does not exist in Berlin.
    let spring = NaiveDate::from_weekday_of_month_opt(year, 3, Weekday::Sun, 5)
        .or_else(|| NaiveDate::from_weekday_of_month_opt(year, 3, Weekday::Sun, 4))
        .expect("date");
    let gap = post(
        &app,
        token,
        "/api/v1/activities",
        weekly(
            &town.a1,
            "Test",
            &format!("{spring}T02:30:00"),
            "FREQ=WEEKLY",
        ),
    )
    .await;
    gap.assert_problem(422, "validation-failed");
    assert_eq!(gap.problem_fields(), ["schedule.first_start"]);
    // The last Sunday of October: 02:30 exists twice; it means the first, in summer time.
    let autumn = NaiveDate::from_weekday_of_month_opt(year, 10, Weekday::Sun, 5)
        .or_else(|| NaiveDate::from_weekday_of_month_opt(year, 10, Weekday::Sun, 4))
        .expect("date");
    let ambiguous = post(
        &app,
        token,
        "/api/v1/activities",
        weekly(
            &town.a1,
            "Nachtwanderung",
            &format!("{autumn}T02:30:00"),
            "FREQ=WEEKLY;COUNT=2",
        ),
    )
    .await;
    let id = created_id(&ambiguous);
    let all = occurrences(
        &app,
        None,
        &id,
        utc(autumn, 0, 0) - Duration::days(1),
        utc(autumn, 0, 0) + Duration::days(30),
    )
    .await;
    assert_eq!(
        at(&all[0]["starts_at"]),
        utc(autumn, 0, 30),
        "02:30 CEST is 00:30 UTC"
    );
    assert_eq!(
        at(&all[1]["starts_at"]),
        utc(autumn + Duration::days(7), 1, 30),
        "a week later 02:30 CET"
    );

    let reversed = post(
        &app,
        token,
        "/api/v1/activities",
        json!({"centre_id": town.a1, "title": "Fest", "category": "project",
               "schedule": {"kind": "once", "starts_at": format!("{year}-06-01T18:00:00Z"), "ends_at": format!("{year}-06-01T10:00:00Z")}}),
    )
    .await;
    reversed.assert_problem(422, "validation-failed");
    let unknown_zone = post(
        &app,
        token,
        "/api/v1/activities",
        json!({"centre_id": town.a1, "title": "Fest", "category": "project",
               "schedule": {"kind": "once", "starts_at": format!("{year}-06-01T10:00:00Z"), "ends_at": format!("{year}-06-01T18:00:00Z"), "time_zone": "Europe/Atlantis"}}),
    )
    .await;
    assert_eq!(unknown_zone.problem_fields(), ["schedule.time_zone"]);
    assert_eq!(
        app.count("activities", "title <> 'Nachtwanderung'").await,
        0,
        "nothing refused was stored"
    );
}

#[actix_web::test]
async fn extreme_dates_are_refused_not_crashed_on() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let start = (Utc::now() + Duration::days(2))
        .with_timezone(&Berlin)
        .date_naive();
    let id = created_id(
        &post(
            &app,
            &town.coord_a.access_token,
            "/api/v1/activities",
            weekly(
                &town.a1,
                "Treff",
                &format!("{start}T10:00:00"),
                "FREQ=WEEKLY;COUNT=2",
            ),
        )
        .await,
    );
    let far = "%2B262142-12-01T00:00:00Z";
    for path in [
        format!("/api/v1/activities/{id}/occurrences?from={far}"),
        format!("/api/v1/activities/{id}/calendar.ics?from={far}"),
        format!("/api/v1/centres/{}/calendar.ics?from={far}", town.a1),
        format!("/api/v1/occurrences?from={far}&to={far}"),
        format!("/api/v1/activities?from={far}&to={far}"),
    ] {
        app.get(&path, None)
            .await
            .assert_problem(422, "validation-failed");
    }
    let occurrence = occurrences(&app, None, &id, Utc::now(), Utc::now() + Duration::days(30))
        .await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let moved = patch(
        &app,
        &town.coord_a.access_token,
        &format!("/api/v1/occurrences/{occurrence}"),
        json!({"starts_at": "+262142-12-01T00:00:00Z"}),
    )
    .await;
    moved.assert_problem(422, "validation-failed");
    let fraction = post(
        &app,
        &town.coord_a.access_token,
        "/api/v1/activities",
        weekly(
            &town.a1,
            "Treff",
            &format!("{start}T10:00:00.5"),
            "FREQ=WEEKLY",
        ),
    )
    .await;
    assert_eq!(fraction.problem_fields(), ["schedule.first_start"]);
    // The server still answers.
    assert_eq!(app.get("/health/live", None).await.status, 200);
}
