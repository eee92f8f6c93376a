//! Workload limits that protect volunteers: an operator's policy and a volunteer's own caps,
//! held in the sign-up transaction however many sign-ups arrive at once.

use actix_web::http::Method;
use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc};
use quartier_tests::{Setup, TestApp, TestResponse, setup, shift, sign_up};
use serde_json::{Value, json};

fn text(response: &TestResponse) -> String {
    String::from_utf8_lossy(&response.body).into_owned()
}

/// Monday of the ISO week two weeks ahead, at `hour`:`minute` in Berlin.
fn monday_in_two_weeks(hour: u32, minute: u32) -> DateTime<Utc> {
    let today = Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()))
        + Duration::days(14);
    chrono_tz::Europe::Berlin
        .from_local_datetime(
            &monday.and_time(NaiveTime::from_hms_opt(hour, minute, 0).expect("a time")),
        )
        .single()
        .expect("one moment")
        .with_timezone(&Utc)
}

async fn put_policy(
    app: &TestApp,
    token: &str,
    operator: &str,
    if_match: &str,
    policy: Value,
) -> TestResponse {
    app.json(
        Method::PUT,
        &format!("/api/v1/operators/{operator}/workload-policy"),
        Some(token),
        &[("if-match", if_match)],
        &policy,
    )
    .await
}

async fn timed_shift(
    app: &TestApp,
    s: &Setup,
    title: &str,
    starts: DateTime<Utc>,
    minutes: i64,
    capacity: i64,
) -> String {
    shift(
        app,
        s,
        title,
        0,
        capacity,
        json!({"starts_at": starts, "ends_at": starts + Duration::minutes(minutes)}),
    )
    .await
}

#[actix_web::test]
async fn an_operator_keeps_a_workload_policy() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let path = format!("/api/v1/operators/{}/workload-policy", s.operator);
    let none = app.get(&path, Some(&s.coordinator.access_token)).await;
    assert_eq!(none.status, 200, "{}", text(&none));
    assert_eq!(none.header("etag"), Some("\"0\""));
    assert_eq!(none.json()["max_shifts_per_week"], Value::Null);
    assert_eq!(none.json()["binds_staff"], false);
    app.get(&path, Some(&s.other_coordinator.access_token))
        .await
        .assert_problem(403, "forbidden");

    let admin = s.admin.access_token.as_str();
    let policy = json!({"max_shifts_per_week": 3, "min_rest_minutes": 60});
    let missing = app
        .json(Method::PUT, &path, Some(admin), &[], &policy)
        .await;
    missing.assert_problem(428, "precondition-required");
    put_policy(
        &app,
        &s.coordinator.access_token,
        &s.operator,
        "\"0\"",
        policy.clone(),
    )
    .await
    .assert_problem(403, "forbidden");
    let bad = put_policy(
        &app,
        admin,
        &s.operator,
        "\"0\"",
        json!({"max_shifts_per_week": 0}),
    )
    .await;
    let problem = bad.assert_problem(422, "validation-failed");
    assert_eq!(problem["errors"][0]["field"], "max_shifts_per_week");
    let unknown = put_policy(&app, admin, &s.operator, "\"0\"", json!({"max_shifts": 3})).await;
    unknown.assert_problem(422, "validation-failed");

    let set = put_policy(&app, admin, &s.operator, "\"0\"", policy.clone()).await;
    assert_eq!(set.status, 200, "{}", text(&set));
    assert_eq!(set.header("etag"), Some("\"1\""));
    assert_eq!(set.json()["max_shifts_per_week"], 3);
    assert_eq!(set.json()["min_rest_minutes"], 60);
    let stale = put_policy(&app, admin, &s.operator, "\"0\"", json!({})).await;
    stale.assert_problem(412, "version-conflict");
    let cleared = put_policy(&app, admin, &s.operator, "\"1\"", json!({})).await;
    assert_eq!(cleared.status, 200, "{}", text(&cleared));
    assert_eq!(cleared.json()["max_shifts_per_week"], Value::Null);
    assert_eq!(cleared.json()["version"], 2);
    assert_eq!(app.count("workload_policies", "true").await, 1);
}

#[actix_web::test]
async fn twenty_sign_ups_at_once_under_a_weekly_cap_of_three_confirm_three() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let set = put_policy(
        &app,
        &s.admin.access_token,
        &s.operator,
        "*",
        json!({"max_shifts_per_week": 3}),
    )
    .await;
    assert_eq!(set.status, 200, "{}", text(&set));
    let monday = monday_in_two_weeks(6, 0);
    let mut shifts = Vec::new();
    for n in 0..20 {
        shifts.push(
            timed_shift(
                &app,
                &s,
                &format!("Dienst {n}"),
                monday + Duration::hours(2 * n),
                60,
                2,
            )
            .await,
        );
    }
    let volunteer = app.volunteers(1).await.remove(0);
    let answers =
        futures_util::future::join_all(shifts.iter().map(|id| sign_up(&app, &volunteer.1, id)))
            .await;
    let confirmed = answers.iter().filter(|a| a.status == 201).count();
    let refused: Vec<&TestResponse> = answers.iter().filter(|a| a.status == 409).collect();
    assert_eq!(
        (confirmed, refused.len()),
        (3, 17),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert_eq!(
        app.count(
            "signups",
            &format!("user_id = '{}' AND status = 'confirmed'", volunteer.0)
        )
        .await,
        3
    );
    assert_eq!(
        app.count("signups", &format!("user_id = '{}'", volunteer.0))
            .await,
        3
    );
    let problem = refused[0].assert_problem(409, "workload-limit");
    assert_eq!(problem["workload"]["limit"], "shifts_per_week");
    assert_eq!(problem["workload"]["allowed"], 3);
    assert_eq!(problem["workload"]["current"], 3);
    assert_eq!(problem["workload"]["would_be"], 4);
    let week_start = monday_in_two_weeks(0, 0);
    assert_eq!(
        problem["workload"]["window_start"]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok()),
        Some(week_start.fixed_offset())
    );
    // Only what happened was announced.
    assert_eq!(
        app.count("outbox_events", "kind = 'signup.confirmed'")
            .await,
        3
    );

    // Her week, as she sees it: three of three used at the operator, none left.
    let iso = monday
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive()
        .iso_week();
    let week = format!("{:04}-W{:02}", iso.year(), iso.week());
    let mine = app
        .get(
            &format!("/api/v1/me/workload?week={week}"),
            Some(&volunteer.1),
        )
        .await;
    assert_eq!(mine.status, 200, "{}", text(&mine));
    let body = mine.json();
    assert_eq!(body["week"], week.as_str());
    assert_eq!(
        body["own_shifts_per_week"],
        json!({"allowed": null, "used": 3, "left": null})
    );
    assert_eq!(
        body["operators"].as_array().map(Vec::len),
        Some(1),
        "{body}"
    );
    assert_eq!(body["operators"][0]["operator"]["id"], s.operator.as_str());
    assert_eq!(
        body["operators"][0]["shifts_per_week"],
        json!({"allowed": 3, "used": 3, "left": 0})
    );
    assert_eq!(body["operators"][0]["minutes_per_week"]["used"], 180);
    let this_week = app.get("/api/v1/me/workload", Some(&volunteer.1)).await;
    assert_eq!(this_week.json()["own_shifts_per_week"]["used"], 0);
    app.get("/api/v1/me/workload?week=2027-W54", Some(&volunteer.1))
        .await
        .assert_problem(422, "validation-failed");
    app.get("/api/v1/me/workload?week=next", Some(&volunteer.1))
        .await
        .assert_problem(422, "validation-failed");
}

#[actix_web::test]
async fn rest_between_shifts_and_a_volunteers_own_caps_are_held() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let set = put_policy(
        &app,
        &s.admin.access_token,
        &s.operator,
        "*",
        json!({"min_rest_minutes": 60}),
    )
    .await;
    assert_eq!(set.status, 200, "{}", text(&set));
    let volunteer = app.volunteers(1).await.remove(0);
    let morning = timed_shift(&app, &s, "Frühstück", monday_in_two_weeks(9, 30), 120, 3).await;
    let noon = timed_shift(&app, &s, "Mittagstisch", monday_in_two_weeks(12, 0), 60, 3).await;
    let later = timed_shift(&app, &s, "Nachmittag", monday_in_two_weeks(12, 30), 60, 3).await;
    assert_eq!(sign_up(&app, &volunteer.1, &morning).await.status, 201);
    let tight = sign_up(&app, &volunteer.1, &noon).await;
    let problem = tight.assert_problem(409, "workload-limit");
    assert_eq!(problem["workload"]["limit"], "rest_between_shifts");
    assert_eq!(problem["workload"]["allowed"], 60);
    assert_eq!(problem["workload"]["current"], 30);
    assert_eq!(problem["workload"]["window_start"], Value::Null);
    let rested = sign_up(&app, &volunteer.1, &later).await;
    assert_eq!(rested.status, 201, "{}", text(&rested));

    // Her own cap: two shifts that week at most.
    let capped = app
        .json(
            Method::PATCH,
            "/api/v1/me/profile",
            Some(&volunteer.1),
            &[("if-match", "*")],
            &json!({"max_shifts_per_week": 2}),
        )
        .await;
    assert_eq!(capped.status, 200, "{}", text(&capped));
    assert_eq!(capped.json()["max_shifts_per_week"], 2);
    let evening = timed_shift(&app, &s, "Abendcafé", monday_in_two_weeks(18, 0), 60, 3).await;
    let third = sign_up(&app, &volunteer.1, &evening).await;
    let problem = third.assert_problem(409, "workload-limit");
    assert_eq!(problem["workload"]["limit"], "own_shifts_per_week");
    assert_eq!(problem["workload"]["would_be"], 3);
    let by_staff = app
        .json(
            Method::POST,
            &format!("/api/v1/shifts/{evening}/signups"),
            Some(&s.coordinator.access_token),
            &[],
            &json!({"user_id": volunteer.0}),
        )
        .await;
    by_staff.assert_problem(409, "workload-limit");

    // A place on the waitlist takes nothing: it is not refused.
    let full = timed_shift(&app, &s, "Ausflug", monday_in_two_weeks(20, 0), 60, 1).await;
    let other = app.volunteers(1).await.remove(0);
    assert_eq!(sign_up(&app, &other.1, &full).await.status, 201);
    let waiting = sign_up(&app, &volunteer.1, &full).await;
    assert_eq!(waiting.status, 201, "{}", text(&waiting));
    assert_eq!(waiting.json()["status"], "waitlisted");
    let bad = app
        .json(
            Method::PATCH,
            "/api/v1/me/profile",
            Some(&volunteer.1),
            &[("if-match", "*")],
            &json!({"max_shifts_per_month": 0}),
        )
        .await;
    bad.assert_problem(422, "validation-failed");
}

#[actix_web::test]
async fn staff_sign_ups_follow_the_policy_only_where_it_binds_staff() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let set = put_policy(
        &app,
        &s.admin.access_token,
        &s.operator,
        "*",
        json!({"max_shifts_per_week": 1}),
    )
    .await;
    assert_eq!(set.status, 200, "{}", text(&set));
    let volunteer = app.volunteers(1).await.remove(0);
    let first = timed_shift(&app, &s, "Erster", monday_in_two_weeks(9, 0), 60, 3).await;
    let second = timed_shift(&app, &s, "Zweiter", monday_in_two_weeks(14, 0), 60, 3).await;
    let third = timed_shift(&app, &s, "Dritter", monday_in_two_weeks(18, 0), 60, 3).await;
    assert_eq!(sign_up(&app, &volunteer.1, &first).await.status, 201);
    sign_up(&app, &volunteer.1, &second)
        .await
        .assert_problem(409, "workload-limit");
    let by_staff = |shift: String| {
        let app = &app;
        let token = s.coordinator.access_token.clone();
        let user = volunteer.0.clone();
        async move {
            app.json(
                Method::POST,
                &format!("/api/v1/shifts/{shift}/signups"),
                Some(&token),
                &[],
                &json!({"user_id": user}),
            )
            .await
        }
    };
    let staff = by_staff(second.clone()).await;
    assert_eq!(staff.status, 201, "{}", text(&staff));
    let binding = put_policy(
        &app,
        &s.admin.access_token,
        &s.operator,
        "*",
        json!({"max_shifts_per_week": 1, "binds_staff": true}),
    )
    .await;
    assert_eq!(binding.status, 200);
    by_staff(third.clone())
        .await
        .assert_problem(409, "workload-limit");

    // Staff may pass a binding policy with a reason, which the audit trail keeps.
    let with_reason = |reason: &str, token: &str| {
        let app = &app;
        let body = json!({"user_id": volunteer.0, "workload_override_reason": reason});
        let path = format!("/api/v1/shifts/{third}/signups");
        let token = token.to_owned();
        async move {
            app.json(Method::POST, &path, Some(&token), &[], &body)
                .await
        }
    };
    with_reason("x", &s.coordinator.access_token)
        .await
        .assert_problem(422, "validation-failed");
    with_reason("Springt ein", &volunteer.1)
        .await
        .assert_problem(422, "validation-failed");
    let overridden = with_reason("Springt für Karla ein", &s.coordinator.access_token).await;
    assert_eq!(overridden.status, 201, "{}", text(&overridden));
    let id = overridden.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(
        app.count(
            "audit_events",
            &format!(
                "action = 'signup.workload_policy_overridden' AND object_id = '{id}' \
                 AND details::jsonb->>'reason' = 'Springt für Karla ein'"
            )
        )
        .await,
        1
    );
    // Her own caps are hers: no reason of staff passes them.
    let capped = app
        .json(
            Method::PATCH,
            "/api/v1/me/profile",
            Some(&volunteer.1),
            &[("if-match", "*")],
            &json!({"max_shifts_per_week": 3}),
        )
        .await;
    assert_eq!(capped.status, 200, "{}", text(&capped));
    let fourth = timed_shift(&app, &s, "Vierter", monday_in_two_weeks(20, 0), 60, 3).await;
    let body = json!({"user_id": volunteer.0, "workload_override_reason": "Es fehlt jemand"});
    let refused = app
        .json(
            Method::POST,
            &format!("/api/v1/shifts/{fourth}/signups"),
            Some(&s.coordinator.access_token),
            &[],
            &body,
        )
        .await;
    let problem = refused.assert_problem(409, "workload-limit");
    assert_eq!(problem["workload"]["limit"], "own_shifts_per_week");
}

#[actix_web::test]
async fn promotion_skips_a_capped_volunteer() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let set = put_policy(
        &app,
        &s.admin.access_token,
        &s.operator,
        "*",
        json!({"max_shifts_per_week": 1}),
    )
    .await;
    assert_eq!(set.status, 200, "{}", text(&set));
    let mut people = app.volunteers(3).await;
    let (capped, holder, next) = (people.remove(0), people.remove(0), people.remove(0));
    let weekly = timed_shift(&app, &s, "Kaffeetafel", monday_in_two_weeks(9, 0), 60, 3).await;
    assert_eq!(sign_up(&app, &capped.1, &weekly).await.status, 201);
    let full = timed_shift(&app, &s, "Spielgruppe", monday_in_two_weeks(15, 0), 60, 1).await;
    let held = sign_up(&app, &holder.1, &full).await;
    assert_eq!(held.json()["status"], "confirmed");
    // She waits first in line (a place on the waitlist takes nothing), the next after her.
    let first_in_line = sign_up(&app, &capped.1, &full).await;
    assert_eq!(
        first_in_line.json()["status"],
        "waitlisted",
        "{}",
        text(&first_in_line)
    );
    let second_in_line = sign_up(&app, &next.1, &full).await;
    assert_eq!(second_in_line.json()["status"], "waitlisted");

    let cancelled = app
        .send(
            Method::POST,
            &format!(
                "/api/v1/signups/{}/cancel",
                held.json()["id"].as_str().expect("id")
            ),
            &[("authorization", &format!("Bearer {}", holder.1))],
            None,
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", text(&cancelled));

    // The place went to the next in line; she still waits, and an event says why.
    let capped_signup = first_in_line.json()["id"].as_str().expect("id").to_owned();
    let next_signup = second_in_line.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(
        app.count(
            "signups",
            &format!("id = '{next_signup}' AND status = 'confirmed'")
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "signups",
            &format!("id = '{capped_signup}' AND status = 'waitlisted'")
        )
        .await,
        1
    );
    assert_eq!(
        app.count("shifts", &format!("id = '{full}' AND confirmed_count = 1"))
            .await,
        1
    );
    assert_eq!(
        app.count(
            "outbox_events",
            &format!(
                "kind = 'signup.promotion_skipped' AND subject_id = '{capped_signup}' \
                 AND payload::jsonb->>'reason' = 'workload_limit' \
                 AND payload::jsonb->>'status' = 'waitlisted'"
            )
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "outbox_events",
            &format!("kind = 'signup.promoted' AND subject_id = '{next_signup}'")
        )
        .await,
        1
    );

    // Once her week has room again, she is promoted when the next place frees.
    let weekly_signup = app
        .texts(&format!(
            "SELECT id::text FROM signups WHERE shift_id = '{weekly}' AND user_id = '{}'",
            capped.0
        ))
        .await
        .remove(0);
    let freed = app
        .send(
            Method::POST,
            &format!("/api/v1/signups/{weekly_signup}/cancel"),
            &[("authorization", &format!("Bearer {}", capped.1))],
            None,
        )
        .await;
    assert_eq!(freed.status, 200, "{}", text(&freed));
    let left = app
        .send(
            Method::POST,
            &format!("/api/v1/signups/{next_signup}/cancel"),
            &[("authorization", &format!("Bearer {}", next.1))],
            None,
        )
        .await;
    assert_eq!(left.status, 200, "{}", text(&left));
    assert_eq!(
        app.count(
            "signups",
            &format!("id = '{capped_signup}' AND status = 'confirmed'")
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn a_guest_holds_no_place_past_a_workload_limit() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let set = put_policy(
        &app,
        &s.admin.access_token,
        &s.operator,
        "*",
        json!({"max_shifts_per_week": 1}),
    )
    .await;
    assert_eq!(set.status, 200, "{}", text(&set));
    let opened = quartier_tests::patch(
        &app,
        &s.admin.access_token,
        &format!("/api/v1/centres/{}", s.centre),
        json!({"guest_signups": true}),
    )
    .await;
    assert_eq!(opened.status, 200, "{}", text(&opened));
    let first = timed_shift(&app, &s, "Suppe", monday_in_two_weeks(11, 0), 60, 3).await;
    let second = timed_shift(&app, &s, "Kuchen", monday_in_two_weeks(16, 0), 60, 3).await;
    for shift in [&first, &second] {
        let held = app
            .post(
                &format!("/api/v1/shifts/{shift}/guest-signups"),
                &json!({"name": "Gerda", "email": "gerda@example.org", "privacy_policy_version": "2026-11"}),
            )
            .await;
        assert!((200..300).contains(&held.status), "{}", text(&held));
    }
    // The first holds a place; the second, in the same week, would take her past the limit.
    assert_eq!(
        app.count(
            "guest_holds",
            &format!("shift_id = '{first}' AND holds_place")
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "guest_holds",
            &format!("shift_id = '{second}' AND NOT holds_place")
        )
        .await,
        1
    );
    assert_eq!(
        app.count("shifts", &format!("id = '{second}' AND held_count = 0"))
            .await,
        1
    );
}

/// A daily activity of `category` at the setup's centre, from next week's Tuesday at
/// `hour`:00 for nine days, with a shift of two places on each date; the shifts' ids by
/// their start.
async fn daily_shifts_of(app: &TestApp, s: &Setup, category: &str, hour: u32) -> Vec<String> {
    let tuesday = monday_in_two_weeks(hour, 0) - Duration::days(6);
    let first = tuesday
        .with_timezone(&chrono_tz::Europe::Berlin)
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    let mut body = quartier_tests::weekly(&s.centre, category, &first, "FREQ=DAILY;COUNT=9");
    body["category"] = json!(category);
    let activity = quartier_tests::created_id(
        &quartier_tests::post(app, &s.coordinator.access_token, "/api/v1/activities", body).await,
    );
    let made = quartier_tests::post(
        app,
        &s.coordinator.access_token,
        &format!("/api/v1/activities/{activity}/shifts"),
        json!({"title": "Dienst", "capacity": 2}),
    )
    .await;
    assert_eq!(made.status, 201, "{}", text(&made));
    app.texts(&format!(
        "SELECT s.id::text FROM shifts s JOIN occurrences o ON o.id = s.occurrence_id \
         WHERE o.activity_id = '{activity}' ORDER BY s.starts_at"
    ))
    .await
}

#[actix_web::test]
async fn a_category_limit_counts_only_shifts_of_that_category() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = s.admin.access_token.as_str();
    for (body, field) in [
        (
            json!({"categories": [{"category": "counselling", "max_shifts_per_week": 1},
                                  {"category": "counselling", "max_minutes_per_day": 60}]}),
            "categories[1].category",
        ),
        (
            json!({"categories": [{"category": "counselling"}]}),
            "categories[0]",
        ),
        (
            json!({"categories": [{"category": "counselling", "max_shifts_per_week": 0}]}),
            "categories[0].max_shifts_per_week",
        ),
    ] {
        let refused = put_policy(&app, admin, &s.operator, "\"0\"", body).await;
        let problem = refused.assert_problem(422, "validation-failed");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    put_policy(
        &app,
        admin,
        &s.operator,
        "\"0\"",
        json!({"categories": [{"category": "sauna"}]}),
    )
    .await
    .assert_problem(422, "validation-failed");
    assert_eq!(app.count("workload_policies", "true").await, 0);

    let set = put_policy(
        &app,
        admin,
        &s.operator,
        "\"0\"",
        json!({"max_shifts_per_week": 5,
               "categories": [{"category": "counselling", "max_shifts_per_week": 1}]}),
    )
    .await;
    assert_eq!(set.status, 200, "{}", text(&set));
    assert_eq!(
        set.json()["categories"],
        json!([{"category": "counselling", "max_minutes_per_day": null,
                "max_minutes_per_week": null, "max_shifts_per_week": 1,
                "min_rest_minutes": null, "max_future_signups": null}])
    );
    let read = app
        .get(
            &format!("/api/v1/operators/{}/workload-policy", s.operator),
            Some(&s.coordinator.access_token),
        )
        .await;
    assert_eq!(read.json()["categories"], set.json()["categories"]);

    let counselling = daily_shifts_of(&app, &s, "counselling", 10).await;
    let coffee = daily_shifts_of(&app, &s, "coffee_table", 15).await;
    assert_eq!((counselling.len(), coffee.len()), (9, 9));
    let volunteer = app.volunteers(1).await.remove(0);
    // Tuesday's counselling; Wednesday's would be a second in the week.
    assert_eq!(
        sign_up(&app, &volunteer.1, &counselling[0]).await.status,
        201
    );
    let refused = sign_up(&app, &volunteer.1, &counselling[1]).await;
    let problem = refused.assert_problem(409, "workload-limit");
    assert_eq!(problem["workload"]["limit"], "shifts_per_week");
    assert_eq!(problem["workload"]["category"], "counselling");
    assert_eq!(
        (
            &problem["workload"]["current"],
            &problem["workload"]["would_be"]
        ),
        (&json!(1), &json!(2))
    );
    // Other categories that week, and counselling the week after, are free.
    assert_eq!(sign_up(&app, &volunteer.1, &coffee[1]).await.status, 201);
    assert_eq!(sign_up(&app, &volunteer.1, &coffee[2]).await.status, 201);
    assert_eq!(
        sign_up(&app, &volunteer.1, &counselling[7]).await.status,
        201
    );
    assert_eq!(
        app.count(
            "signups",
            &format!("user_id = '{}' AND status = 'confirmed'", volunteer.0)
        )
        .await,
        4
    );
    // The operator's own limit still counts them all.
    let iso = (monday_in_two_weeks(12, 0) - Duration::days(6))
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive()
        .iso_week();
    let week = format!("{:04}-W{:02}", iso.year(), iso.week());
    let mine = app
        .get(
            &format!("/api/v1/me/workload?week={week}"),
            Some(&volunteer.1),
        )
        .await;
    assert_eq!(mine.status, 200, "{}", text(&mine));
    let operator = &mine.json()["operators"][0];
    assert_eq!(operator["shifts_per_week"]["used"], 3, "{operator}");
    assert_eq!(operator["categories"][0]["category"], "counselling");
    assert_eq!(
        operator["categories"][0]["shifts_per_week"],
        json!({"allowed": 1, "used": 1, "left": 0})
    );
    assert_eq!(operator["categories"][0]["future_signups"]["used"], 2);
}

/// What a sign-up came to, for comparing the two paths.
fn came_to(
    result: Result<
        quartier_persistence::signups::Placed,
        quartier_persistence::places::SignupRefusal,
    >,
) -> String {
    match result {
        Ok(placed) => placed.signup.status.as_str().to_owned(),
        Err(quartier_persistence::places::SignupRefusal::Workload(exceeded)) => {
            exceeded.limit.as_str().to_owned()
        }
        Err(other) => format!("{other:?}"),
    }
}

#[actix_web::test]
async fn the_one_statement_holds_the_limits_as_the_steps_do() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let set = put_policy(
        &app,
        &s.admin.access_token,
        &s.operator,
        "\"0\"",
        json!({"max_minutes_per_day": 180, "max_shifts_per_week": 3, "min_rest_minutes": 60,
               "max_future_signups": 5}),
    )
    .await;
    assert_eq!(set.status, 200, "{}", text(&set));
    let monday = monday_in_two_weeks(8, 0);
    let h = Duration::hours;
    // (start after Monday 08:00, minutes, what a volunteer who took every place before gets)
    let plan = [
        (h(0), 120, "confirmed"),
        (h(2) + Duration::minutes(30), 60, "rest_between_shifts"),
        (h(3), 60, "confirmed"),
        (h(7), 60, "minutes_per_day"),
        (h(24), 60, "confirmed"),
        (h(48), 60, "shifts_per_week"),
        (h(168), 60, "confirmed"),
        (h(192), 60, "confirmed"),
        (h(216), 60, "future_signups"),
    ];
    let mut shifts = Vec::new();
    for (n, (offset, minutes, _)) in plan.iter().enumerate() {
        shifts.push(
            timed_shift(
                &app,
                &s,
                &format!("Dienst {n}"),
                monday + *offset,
                *minutes,
                10,
            )
            .await,
        );
    }
    let twins: Vec<uuid::Uuid> = app
        .volunteers(2)
        .await
        .into_iter()
        .map(|(id, _)| id.parse().expect("uuid"))
        .collect();
    let now = Utc::now();
    let mut conn = app.conn().await;
    for (shift, (_, _, expected)) in shifts.iter().zip(plan) {
        let shift = shift.parse().expect("uuid");
        let at_once = quartier_persistence::places::sign_up(&mut conn, shift, twins[0], None, now)
            .await
            .expect("no database error");
        let in_steps =
            quartier_persistence::places::sign_up_in_steps(&mut conn, shift, twins[1], None, now)
                .await
                .expect("no database error");
        let (at_once, in_steps) = (came_to(at_once), came_to(in_steps));
        assert_eq!(at_once, in_steps, "{shift}");
        assert_eq!(at_once, expected, "{shift}");
    }
}
