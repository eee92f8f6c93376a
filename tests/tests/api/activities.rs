//! Activities and their occurrences: schedules in local time across the daylight-saving
//! switches, rule changes with and without shifts, "what's on" search, calendar feeds, and
//! tenant-safe changes.

use actix_web::http::Method;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Europe::Berlin;
use quartier_tests::{TestApp, TestResponse, TestUser};
use serde_json::{Value, json};

/// Operators A and B in a town of Nordstadt (with Hafen inside it) and Süd; a coordinator of
/// each; centres A1 (Nordstadt, step-free), A2 (Hafen) and B1 (Süd).
struct Town {
    admin: TestUser,
    coord_a: TestUser,
    coord_b: TestUser,
    nordstadt: String,
    a1: String,
    a2: String,
    b1: String,
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> TestResponse {
    app.json(Method::POST, path, Some(token), &[], &body).await
}

async fn patch(app: &TestApp, token: &str, path: &str, body: Value) -> TestResponse {
    app.json(
        Method::PATCH,
        path,
        Some(token),
        &[("if-match", "*")],
        &body,
    )
    .await
}

fn created_id(response: &TestResponse) -> String {
    assert_eq!(
        response.status,
        201,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    response.json()["id"].as_str().expect("id").to_owned()
}

async fn town(app: &TestApp) -> Town {
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

/// A published weekly activity at `centre`, Tuesdays at `time` from `first` on.
fn weekly(centre: &str, title: &str, first: &str, rule: &str) -> Value {
    json!({
        "centre_id": centre, "title": title, "category": "coffee_table", "status": "published",
        "description": "Kaffee und Kuchen für alle Nachbarn",
        "schedule": {"kind": "recurring", "rrule": rule, "first_start": first, "duration_minutes": 120},
    })
}

/// All occurrences of an activity between two dates, page by page through 93-day ranges.
async fn occurrences(
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

fn at(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .expect("a time")
        .parse::<DateTime<Utc>>()
        .expect("RFC 3339")
}

fn utc(date: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    date.and_hms_opt(h, m, 0).expect("time").and_utc()
}

/// The year after this one: far enough ahead that every date in it is in the future.
fn next_year() -> i32 {
    Utc::now().year() + 1
}

const LONG_HORIZON: &[(&str, &str)] = &[("QUARTIER_OCCURRENCE_HORIZON_DAYS", "800")];

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
async fn changing_the_rule_keeps_past_occurrences_and_identities() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let token = &town.coord_a.access_token;
    // A daily activity that began ten days ago at 10:00 local time.
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
                &format!("{begun}T10:00:00"),
                "FREQ=DAILY",
            ),
        )
        .await,
    );
    let cutoff = (Utc::now() - Duration::minutes(1)).format("%Y-%m-%dT%H:%M:%SZ");
    let past_at_ten = format!(
        "activity_id = '{id}' AND starts_at < '{cutoff}' \
         AND to_char(starts_at AT TIME ZONE 'Europe/Berlin', 'HH24:MI') = '10:00'"
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
        json!({"schedule": {"kind": "recurring", "rrule": "FREQ=DAILY", "first_start": format!("{begun}T11:00:00"), "duration_minutes": 90}}),
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
        assert_eq!(local.format("%H:%M").to_string(), "11:00");
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
async fn whats_on_filters_each_alone_and_combined() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let day = (Utc::now() + Duration::days(3))
        .with_timezone(&Berlin)
        .date_naive();
    let once = |centre: &str, title: &str, category: &str, extra: Value| {
        let mut body = json!({
            "centre_id": centre, "title": title, "category": category, "status": "published",
            "schedule": {"kind": "once", "starts_at": utc(day, 14, 0), "ends_at": utc(day, 16, 0)},
        });
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        body
    };
    for (token, body) in [
        (
            &town.coord_a.access_token,
            once(
                &town.a1,
                "Kinderturnen",
                "course",
                json!({"target_groups": ["children"], "languages": ["de"]}),
            ),
        ),
        (
            &town.coord_a.access_token,
            once(
                &town.a2,
                "Seniorenkaffee",
                "coffee_table",
                json!({"target_groups": ["seniors"], "languages": ["de", "tr"], "cost": {"free": false, "amount_cents": 250}}),
            ),
        ),
        (
            &town.coord_a.access_token,
            once(
                &town.a1,
                "Nachbarschaftsfest",
                "project",
                json!({"target_groups": ["all_generations"], "description": "Ein Fest mit Musik"}),
            ),
        ),
        (
            &town.coord_b.access_token,
            once(
                &town.b1,
                "Mietrechtsberatung",
                "counselling",
                json!({"target_groups": ["adults"], "languages": ["tr"]}),
            ),
        ),
        (
            &town.coord_b.access_token,
            once(&town.b1, "Entwurf", "other", json!({"status": "draft"})),
        ),
    ] {
        created_id(&post(&app, token, "/api/v1/activities", body).await);
    }
    let range = format!(
        "from={}&to={}",
        utc(day, 0, 0).format("%Y-%m-%dT%H:%M:%SZ"),
        utc(day + Duration::days(1), 0, 0).format("%Y-%m-%dT%H:%M:%SZ")
    );
    let titles = |query: String| {
        let app = &app;
        let range = range.clone();
        async move {
            let response = app
                .get(&format!("/api/v1/occurrences?{range}&{query}"), None)
                .await;
            assert_eq!(
                response.status,
                200,
                "{query}: {}",
                String::from_utf8_lossy(&response.body)
            );
            let mut titles: Vec<String> = response.json()["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|o| o["title"].as_str().expect("title").to_owned())
                .collect();
            titles.sort();
            titles
        }
    };
    assert_eq!(
        titles(String::new()).await,
        [
            "Kinderturnen",
            "Mietrechtsberatung",
            "Nachbarschaftsfest",
            "Seniorenkaffee"
        ],
        "drafts are not public"
    );
    assert_eq!(
        titles(format!("district_id={}", town.nordstadt)).await,
        ["Kinderturnen", "Nachbarschaftsfest", "Seniorenkaffee"],
        "with sub-districts"
    );
    assert_eq!(
        titles(format!("centre_id={}", town.a2)).await,
        ["Seniorenkaffee"]
    );
    assert_eq!(
        titles("category=counselling".into()).await,
        ["Mietrechtsberatung"]
    );
    assert_eq!(
        titles("target_group=children".into()).await,
        ["Kinderturnen", "Nachbarschaftsfest"],
        "all generations includes children"
    );
    assert_eq!(
        titles("language=TR".into()).await,
        ["Mietrechtsberatung", "Seniorenkaffee"]
    );
    assert_eq!(
        titles("free=true".into()).await,
        ["Kinderturnen", "Mietrechtsberatung", "Nachbarschaftsfest"]
    );
    assert_eq!(
        titles("step_free=true".into()).await,
        ["Kinderturnen", "Nachbarschaftsfest"]
    );
    assert_eq!(titles("q=Musik".into()).await, ["Nachbarschaftsfest"]);
    assert_eq!(
        titles("q=Mietrechtsberatungen".into()).await,
        ["Mietrechtsberatung"],
        "German stemming"
    );
    assert_eq!(
        titles("near=51.40,7.50&radius_km=2".into()).await,
        ["Mietrechtsberatung"]
    );
    assert_eq!(
        titles(format!(
            "district_id={}&language=de&free=true",
            town.nordstadt
        ))
        .await,
        ["Kinderturnen"]
    );
    assert_eq!(
        titles("target_group=seniors&step_free=true".into()).await,
        ["Nachbarschaftsfest"]
    );

    let staff_view = app
        .get(
            &format!("/api/v1/occurrences?{range}&status=draft"),
            Some(&town.coord_b.access_token),
        )
        .await;
    assert_eq!(
        staff_view.json()["items"][0]["title"],
        "Entwurf",
        "staff see their own drafts"
    );
    let other_staff = app
        .get(
            &format!("/api/v1/occurrences?{range}&status=draft"),
            Some(&town.coord_a.access_token),
        )
        .await;
    assert_eq!(
        other_staff.json()["items"],
        json!([]),
        "not another operator's"
    );

    // A list item carries what a list screen shows.
    let page = app
        .get(
            &format!("/api/v1/occurrences?{range}&category=counselling"),
            None,
        )
        .await;
    let item = &page.json()["items"][0];
    assert_eq!(item["centre"]["name"], "Stadtteilbüro Süd");
    assert_eq!(item["district"]["name"], "Süd");
    assert_eq!(item["category"], "counselling");
    assert_eq!(item["cancelled"], false);
    let etag = page.header("etag").expect("etag").to_owned();
    let again = app
        .send(
            Method::GET,
            &format!("/api/v1/occurrences?{range}&category=counselling"),
            &[("if-none-match", &etag)],
            None,
        )
        .await;
    assert_eq!(again.status, 304);

    // Keyset pages: two and two.
    let first = app
        .get(&format!("/api/v1/occurrences?{range}&limit=2"), None)
        .await
        .json();
    let cursor = first["next_cursor"].as_str().expect("more").to_owned();
    let second = app
        .get(
            &format!("/api/v1/occurrences?{range}&limit=2&cursor={cursor}"),
            None,
        )
        .await
        .json();
    assert_eq!(second["items"].as_array().expect("items").len(), 2);
    assert!(second["next_cursor"].is_null());

    // The activity list, with the same filters and each one's next occurrences.
    let list = app.get("/api/v1/activities?language=tr", None).await;
    assert_eq!(list.status, 200);
    let items = list.json()["items"].as_array().expect("items").clone();
    let listed: Vec<&str> = items
        .iter()
        .map(|a| a["title"].as_str().expect("title"))
        .collect();
    assert_eq!(listed, ["Mietrechtsberatung", "Seniorenkaffee"]);
    assert_eq!(
        items[0]["next_occurrences"].as_array().expect("next").len(),
        1
    );
    let cached = app
        .send(
            Method::GET,
            "/api/v1/activities?language=tr",
            &[("if-none-match", list.header("etag").expect("etag"))],
            None,
        )
        .await;
    assert_eq!(cached.status, 304);
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
async fn staff_of_one_operator_cannot_touch_another_operators_activities() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let start = (Utc::now() + Duration::days(2))
        .with_timezone(&Berlin)
        .date_naive();
    let mut draft = weekly(
        &town.a1,
        "Geheimer Entwurf",
        &format!("{start}T10:00:00"),
        "FREQ=WEEKLY;COUNT=2",
    );
    draft["status"] = json!("draft");
    let id = created_id(
        &post(
            &app,
            &town.coord_a.access_token,
            "/api/v1/activities",
            draft,
        )
        .await,
    );
    let occurrence: String = {
        let list = occurrences(
            &app,
            Some(&town.coord_a.access_token),
            &id,
            Utc::now(),
            Utc::now() + Duration::days(30),
        )
        .await;
        list[0]["id"].as_str().expect("id").to_owned()
    };
    let intruder = &town.coord_b.access_token;

    let create = post(
        &app,
        intruder,
        "/api/v1/activities",
        weekly(
            &town.a1,
            "Fremd",
            &format!("{start}T10:00:00"),
            "FREQ=WEEKLY",
        ),
    )
    .await;
    create.assert_problem(403, "forbidden");
    let update = patch(
        &app,
        intruder,
        &format!("/api/v1/activities/{id}"),
        json!({"title": "Übernommen"}),
    )
    .await;
    // A draft of another operator does not exist for them: not even its id is confirmed.
    update.assert_problem(404, "not-found");
    let occurrence_update = patch(
        &app,
        intruder,
        &format!("/api/v1/occurrences/{occurrence}"),
        json!({"note": "Übernommen"}),
    )
    .await;
    occurrence_update.assert_problem(404, "not-found");
    for path in [
        format!("/api/v1/activities/{id}"),
        format!("/api/v1/activities/{id}/occurrences"),
        format!("/api/v1/activities/{id}/calendar.ics"),
        format!("/api/v1/occurrences/{occurrence}"),
    ] {
        app.get(&path, Some(intruder))
            .await
            .assert_problem(404, "not-found");
        app.get(&path, None).await.assert_problem(404, "not-found");
        assert_eq!(
            app.get(&path, Some(&town.coord_a.access_token))
                .await
                .status,
            200,
            "{path}"
        );
    }
    let unknown = post(
        &app,
        intruder,
        "/api/v1/activities",
        weekly(
            "018f0000-0000-7000-8000-000000000000",
            "X",
            &format!("{start}T10:00:00"),
            "FREQ=WEEKLY",
        ),
    )
    .await;
    assert_eq!(unknown.problem_fields(), ["centre_id"]);
    assert_eq!(
        app.count("activities", "title = 'Geheimer Entwurf'").await,
        1
    );
    assert_eq!(app.count("occurrences", "note IS NOT NULL").await, 0);
    assert_eq!(
        app.count("activities", "true").await,
        1,
        "nothing else was created"
    );

    // A member without a role cannot see the draft either; the admin may change it.
    let member = app.signed_up("resident@example.org").await;
    patch(
        &app,
        &member.access_token,
        &format!("/api/v1/activities/{id}"),
        json!({"title": "X"}),
    )
    .await
    .assert_problem(404, "not-found");
    let published = patch(
        &app,
        &town.admin.access_token,
        &format!("/api/v1/activities/{id}"),
        json!({"status": "published"}),
    )
    .await;
    assert_eq!(published.status, 200);
    // Published, it is public, and still not theirs to change.
    for (path, body) in [
        (
            format!("/api/v1/activities/{id}"),
            json!({"title": "Übernommen"}),
        ),
        (
            format!("/api/v1/occurrences/{occurrence}"),
            json!({"note": "Übernommen"}),
        ),
    ] {
        patch(&app, intruder, &path, body)
            .await
            .assert_problem(403, "forbidden");
    }
    assert_eq!(app.count("activities", "title = 'Übernommen'").await, 0);
    assert_eq!(app.count("occurrences", "note IS NOT NULL").await, 0);
    assert_eq!(
        app.get(&format!("/api/v1/activities/{id}"), None)
            .await
            .status,
        200
    );
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

/// As if the horizon of activity `id` had stood still: occurrences only 60 days ahead.
async fn rewind_horizon(app: &TestApp, id: &str) {
    use diesel_async::RunQueryDsl;
    let mut conn = app.conn().await;
    for sql in [
        format!(
            "DELETE FROM occurrences WHERE activity_id = '{id}' AND starts_at > now() + interval '60 days'"
        ),
        format!(
            "UPDATE activities SET materialized_until = now() + interval '60 days' WHERE id = '{id}'"
        ),
    ] {
        diesel::sql_query(sql)
            .execute(&mut conn)
            .await
            .expect("rewind");
    }
}

#[actix_web::test]
async fn the_horizon_moves_forward_in_the_background_and_in_parallel() {
    let app = TestApp::spawn_with(&[("QUARTIER_HORIZON_INTERVAL_SECS", "1")]).await;
    let town = town(&app).await;
    let today = Utc::now().with_timezone(&Berlin).date_naive() + Duration::days(1);
    let id = created_id(
        &post(
            &app,
            &town.coord_a.access_token,
            "/api/v1/activities",
            weekly(
                &town.a1,
                "Wöchentlich",
                &format!("{today}T10:00:00"),
                "FREQ=WEEKLY",
            ),
        )
        .await,
    );
    let full = app
        .count("occurrences", &format!("activity_id = '{id}'"))
        .await;
    assert!((52..=53).contains(&full), "a year ahead: {full}");

    // As if the horizon had stood still for months: the background task catches up.
    rewind_horizon(&app, &id).await;
    let mut restored = 0;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        restored = app
            .count("occurrences", &format!("activity_id = '{id}'"))
            .await;
        if restored == full {
            break;
        }
    }
    assert_eq!(restored, full);

    // Many instances at once: every occurrence exactly once.
    rewind_horizon(&app, &id).await;
    let pool = app.pool.clone();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move {
                quartier_api::horizon::extend_once(&pool, Duration::days(365)).await
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task").expect("extend");
    }
    assert_eq!(
        app.count("occurrences", &format!("activity_id = '{id}'"))
            .await,
        full
    );
}

#[actix_web::test]
async fn occurrences_that_have_begun_or_were_moved_into_the_past_survive_rule_changes() {
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
                "Sprachcafé",
                &format!("{begun}T10:00:00"),
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

    for hour in ["11", "10"] {
        let changed = patch(
            &app,
            token,
            &format!("/api/v1/activities/{id}"),
            json!({"schedule": {"kind": "recurring", "rrule": "FREQ=DAILY", "first_start": format!("{begun}T{hour}:00:00"), "duration_minutes": 120}}),
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

#[actix_web::test]
async fn a_one_off_event_beyond_the_horizon_has_its_occurrence() {
    let app = TestApp::spawn_with(&[("QUARTIER_OCCURRENCE_HORIZON_DAYS", "30")]).await;
    let town = town(&app).await;
    let day = (Utc::now() + Duration::days(200)).date_naive();
    let id = created_id(
        &post(
            &app,
            &town.coord_a.access_token,
            "/api/v1/activities",
            json!({"centre_id": town.a1, "title": "Herbstfest", "category": "project", "status": "published",
                   "schedule": {"kind": "once", "starts_at": utc(day, 12, 0), "ends_at": utc(day, 18, 0)}}),
        )
        .await,
    );
    let found = occurrences(
        &app,
        None,
        &id,
        utc(day, 0, 0),
        utc(day + Duration::days(1), 0, 0),
    )
    .await;
    assert_eq!(found.len(), 1);
    assert_eq!(at(&found[0]["starts_at"]), utc(day, 12, 0));
}

#[actix_web::test]
async fn whats_on_lists_what_began_before_the_range_and_is_still_on() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let day = (Utc::now() + Duration::days(40)).date_naive();
    let token = town.coord_a.access_token.clone();
    // A twelve-day exhibition, an evening meetup, and a morning that ends before the range
    // starts.
    let once = |title: &'static str, category: &'static str, starts_at, ends_at| {
        let (app, token, centre) = (&app, token.clone(), town.a1.clone());
        async move {
            created_id(
                &post(
                    app,
                    &token,
                    "/api/v1/activities",
                    json!({"centre_id": centre, "title": title, "category": category, "status": "published",
                           "schedule": {"kind": "once", "starts_at": starts_at, "ends_at": ends_at}}),
                )
                .await,
            )
        }
    };
    let tenth = day + Duration::days(10);
    let exhibition = once(
        "Ausstellung Quartiersgeschichte",
        "project",
        utc(day, 9, 0),
        utc(day + Duration::days(12), 18, 0),
    )
    .await;
    let evening = once(
        "Abendtreff",
        "open_meetup",
        utc(tenth, 19, 0),
        utc(tenth, 23, 0),
    )
    .await;
    once(
        "Frühstück",
        "coffee_table",
        utc(tenth, 8, 0),
        utc(tenth, 10, 0),
    )
    .await;
    // From 21:00 on the tenth day: the exhibition (begun ten days before) and the evening
    // (begun two hours before) are on; breakfast is over.
    let from = utc(day + Duration::days(10), 21, 0);
    let path = format!(
        "/api/v1/occurrences?district_id={}&from={}&to={}",
        town.nordstadt,
        from.format("%Y-%m-%dT%H:%M:%SZ"),
        (from + Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ")
    );
    let page = app.get(&path, None).await;
    assert_eq!(page.status, 200, "{}", String::from_utf8_lossy(&page.body));
    let listed: Vec<&str> = page.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["activity_id"].as_str().expect("activity id"))
        .map(|id| {
            if id == exhibition {
                "exhibition"
            } else if id == evening {
                "evening"
            } else {
                "other"
            }
        })
        .collect();
    assert_eq!(listed, ["exhibition", "evening"]);
    // So does the list of one activity's occurrences.
    let feed = app
        .get(
            &format!(
                "/api/v1/activities/{exhibition}/occurrences?from={}&to={}",
                from.format("%Y-%m-%dT%H:%M:%SZ"),
                (from + Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ")
            ),
            None,
        )
        .await;
    assert_eq!(feed.json()["items"].as_array().map(Vec::len), Some(1));
}
