//! Standing sign-ups ("every Tuesday at 15:00"): signed up for their dates through the
//! normal sign-up, a place left for those who come once, blockouts skipped, each date once
//! however often and by how many workers at once, and ended in one step.

use actix_web::http::Method;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Europe::Berlin;
use futures_util::future::join_all;
use quartier_tests::{LONG_HORIZON, TestApp, TestResponse, created_id, post, town, weekly};
use serde_json::{Value, json};

fn text(response: &TestResponse) -> String {
    String::from_utf8_lossy(&response.body).into_owned()
}

/// The next Tuesday after tomorrow, Berlin time.
fn next_tuesday() -> NaiveDate {
    let mut day = Utc::now().with_timezone(&Berlin).date_naive() + Duration::days(2);
    while day.weekday() != Weekday::Tue {
        day += Duration::days(1);
    }
    day
}

/// An activity every Tuesday 15:00–17:00 at centre A1 with a shift of `capacity` on each
/// date; its id.
async fn tuesday_activity(app: &TestApp, token: &str, centre: &str, capacity: i64) -> String {
    let activity = created_id(
        &post(
            app,
            token,
            "/api/v1/activities",
            weekly(
                centre,
                "Kaffeetafel",
                &format!("{}T15:00:00", next_tuesday()),
                "FREQ=WEEKLY",
            ),
        )
        .await,
    );
    let shifts = post(
        app,
        token,
        &format!("/api/v1/activities/{activity}/shifts"),
        json!({"title": "Kaffee kochen", "capacity": capacity}),
    )
    .await;
    assert_eq!(shifts.status, 201, "{}", text(&shifts));
    activity
}

async fn commit(app: &TestApp, token: &str, activity: &str, body: Value) -> TestResponse {
    app.json(
        Method::POST,
        &format!("/api/v1/activities/{activity}/standing-signups"),
        Some(token),
        &[],
        &body,
    )
    .await
}

fn every_tuesday() -> Value {
    json!({"pattern": "weekly", "weekday": 2, "slot_start": "15:00"})
}

async fn clear_claims(app: &TestApp) {
    use diesel_async::RunQueryDsl;
    diesel::sql_query("UPDATE standing_signups SET claimed_until = NULL")
        .execute(&mut app.conn().await)
        .await
        .expect("claims cleared");
}

#[actix_web::test]
async fn a_weekly_commitment_signs_up_for_its_dates_and_skips_a_blockout() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let activity = tuesday_activity(&app, &town.coord_a.access_token, &town.a1, 3).await;
    let (volunteer, token) = app.volunteers(1).await.remove(0);

    // She cannot come in the second week.
    let second = next_tuesday() + Duration::days(7);
    let blocked = app
        .json(
            Method::POST,
            "/api/v1/me/blockouts",
            Some(&token),
            &[],
            &json!({"starts_on": second - Duration::days(1), "ends_on": second + Duration::days(2), "note": "Urlaub"}),
        )
        .await;
    assert_eq!(blocked.status, 201, "{}", text(&blocked));

    let made = commit(&app, &token, &activity, every_tuesday()).await;
    assert_eq!(made.status, 201, "{}", text(&made));
    let standing = made.json();
    let id = standing["id"].as_str().expect("id").to_owned();
    assert_eq!(
        made.header("location"),
        Some(format!("/api/v1/standing-signups/{id}").as_str())
    );
    assert_eq!(standing["status"], "active");
    assert_eq!(standing["made_by_staff"], false);
    let dates = standing["dates"].as_array().expect("dates");
    // Six weeks ahead: five or six Tuesdays, depending on the weekday today.
    assert!((5..=7).contains(&dates.len()), "{dates:?}");
    for date in dates {
        let day = quartier_tests::at(&date["starts_at"])
            .with_timezone(&Berlin)
            .date_naive();
        let expected = if day == second {
            "blocked_out"
        } else {
            "confirmed"
        };
        assert_eq!(date["outcome"], expected, "{day}");
    }
    let confirmed = dates.len() as i64 - 1;
    assert_eq!(
        app.count(
            "signups",
            &format!(
                "user_id = '{volunteer}' AND standing_signup_id = '{id}' AND status = 'confirmed'"
            )
        )
        .await,
        confirmed
    );
    // Each sign-up's event names the standing sign-up it came from.
    assert_eq!(
        app.count(
            "outbox_events",
            &format!(
                "kind = 'signup.confirmed' AND payload::jsonb->>'standing_signup_id' = '{id}'"
            )
        )
        .await,
        confirmed
    );
    assert_eq!(
        app.count(
            "outbox_events",
            &format!("kind = 'standing_signup.created' AND subject_id = '{id}'")
        )
        .await,
        1
    );

    // Her lists.
    let mine = app.get("/api/v1/me/standing-signups", Some(&token)).await;
    assert_eq!(mine.json()["items"][0]["id"], id.as_str());
    let blockouts = app.get("/api/v1/me/blockouts", Some(&token)).await;
    assert_eq!(blockouts.json()["items"][0]["note"], "Urlaub");
    let staff_view = app
        .get(
            &format!("/api/v1/activities/{activity}/standing-signups"),
            Some(&town.coord_a.access_token),
        )
        .await;
    assert_eq!(staff_view.status, 200, "{}", text(&staff_view));
    assert_eq!(staff_view.json()["items"][0]["user_id"], volunteer.as_str());
    app.get(
        &format!("/api/v1/activities/{activity}/standing-signups"),
        Some(&token),
    )
    .await
    .assert_problem(403, "forbidden");
    // Another volunteer and another operator's staff do not see it.
    let (_, stranger) = app.volunteers(1).await.remove(0);
    app.get(&format!("/api/v1/standing-signups/{id}"), Some(&stranger))
        .await
        .assert_problem(404, "not-found");
    app.get(
        &format!("/api/v1/standing-signups/{id}"),
        Some(&town.coord_b.access_token),
    )
    .await
    .assert_problem(404, "not-found");
    let seen = app
        .get(
            &format!("/api/v1/standing-signups/{id}"),
            Some(&town.coord_a.access_token),
        )
        .await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.header("etag"), Some("\"1\""));

    // Her last date moved to the first Tuesday: the sign-ups after it go.
    let shortened = app
        .json(
            Method::PATCH,
            &format!("/api/v1/standing-signups/{id}"),
            Some(&token),
            &[("if-match", "\"1\"")],
            &json!({"valid_until": next_tuesday()}),
        )
        .await;
    assert_eq!(shortened.status, 200, "{}", text(&shortened));
    assert_eq!(
        app.count(
            "signups",
            &format!("standing_signup_id = '{id}' AND status = 'confirmed'")
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "signups",
            &format!(
                "standing_signup_id = '{id}' AND status = 'cancelled' AND starts_at > now() + interval '6 days'"
            )
        )
        .await,
        confirmed - 1
    );
}

#[actix_web::test]
async fn standing_sign_ups_keep_a_place_for_those_who_come_once() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let activity = tuesday_activity(&app, &town.coord_a.access_token, &town.a1, 3).await;
    let people = app.volunteers(4).await;
    // The second date lets standing sign-ups take every place.
    let second_shift = app
        .texts(&format!(
            "SELECT s.id FROM shifts s JOIN occurrences o ON o.id = s.occurrence_id \
             WHERE o.activity_id = '{activity}' AND s.starts_at > now() ORDER BY s.starts_at OFFSET 1 LIMIT 1"
        ))
        .await
        .remove(0);
    let path = format!("/api/v1/shifts/{second_shift}");
    let coordinator = town.coord_a.access_token.as_str();
    app.json(
        Method::PATCH,
        &path,
        Some(coordinator),
        &[("if-match", "*")],
        &json!({"standing_max": 1001}),
    )
    .await
    .assert_problem(422, "validation-failed");
    let all = app
        .json(
            Method::PATCH,
            &path,
            Some(coordinator),
            &[("if-match", "*")],
            &json!({"standing_max": 3}),
        )
        .await;
    assert_eq!(all.status, 200, "{}", text(&all));
    assert_eq!(all.json()["standing_max"], 3);
    assert_eq!(all.json()["standing_places"], 3);
    let mut ids = Vec::new();
    for (_, token) in &people[..3] {
        let made = commit(&app, token, &activity, every_tuesday()).await;
        assert_eq!(made.status, 201, "{}", text(&made));
        ids.push(made.json()["id"].as_str().expect("id").to_owned());
    }
    // Capacity 3, standing places 2: the third commitment waits on every date.
    let first_shift = app
        .texts(&format!(
            "SELECT s.id FROM shifts s JOIN occurrences o ON o.id = s.occurrence_id \
             WHERE o.activity_id = '{activity}' AND s.starts_at > now() ORDER BY s.starts_at LIMIT 1"
        ))
        .await
        .remove(0);
    assert_eq!(
        app.count(
            "signups",
            &format!("shift_id = '{first_shift}' AND status = 'confirmed'")
        )
        .await,
        2
    );
    assert_eq!(
        app.count(
            "signups",
            &format!(
                "shift_id = '{first_shift}' AND status = 'waitlisted' AND standing_signup_id = '{}'",
                ids[2]
            )
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "signups",
            &format!(
                "shift_id = '{second_shift}' AND status = 'confirmed' AND standing_signup_id IS NOT NULL"
            )
        )
        .await,
        3
    );
    let third = app
        .get(
            &format!("/api/v1/standing-signups/{}", ids[2]),
            Some(&people[2].1),
        )
        .await;
    assert_eq!(third.json()["dates"][0]["outcome"], "waitlisted");
    // The database itself refuses a third standing place, whoever writes it.
    let refused = diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE signups SET status = 'confirmed' WHERE shift_id = '{first_shift}' \
             AND standing_signup_id = '{}'",
            ids[2]
        )),
        &mut app.conn().await,
    )
    .await
    .expect_err("past the standing places");
    assert!(
        refused.to_string().contains("keeps 2 for them"),
        "{refused}"
    );
    // Someone coming once takes the place left free, ahead of the waiting standing one.
    let once = quartier_tests::sign_up(&app, &people[3].1, &first_shift).await;
    assert_eq!(once.status, 201, "{}", text(&once));
    assert_eq!(once.json()["status"], "confirmed");
    assert_eq!(
        app.count(
            "shifts",
            &format!("id = '{first_shift}' AND confirmed_count = 3")
        )
        .await,
        1
    );

    // Ending the first commitment cancels its dates ahead; each freed place goes to the
    // waiting standing sign-up (standing places are free again).
    let ended = app
        .send(
            Method::DELETE,
            &format!("/api/v1/standing-signups/{}", ids[0]),
            &[("authorization", &format!("Bearer {}", people[0].1))],
            None,
        )
        .await;
    assert_eq!(ended.status, 200, "{}", text(&ended));
    let cancelled = ended.json()["cancelled_signups"].as_i64().expect("count");
    assert!(cancelled >= 5, "{cancelled}");
    assert_eq!(ended.json()["standing_signup"]["status"], "ended");
    assert_eq!(
        app.count(
            "signups",
            &format!(
                "standing_signup_id = '{}' AND status = 'cancelled' \
                 AND cancelled_by = '{}'",
                ids[0], people[0].0
            )
        )
        .await,
        cancelled
    );
    assert_eq!(
        app.count(
            "outbox_events",
            &format!(
                "kind = 'signup.cancelled' AND payload::jsonb->>'reason' = 'standing_signup_ended' \
                 AND payload::jsonb->>'standing_signup_id' = '{}'",
                ids[0]
            )
        )
        .await,
        cancelled
    );
    assert_eq!(
        app.count(
            "signups",
            &format!("standing_signup_id = '{}' AND status = 'confirmed'", ids[2])
        )
        .await,
        cancelled
    );
    assert_eq!(
        app.count(
            "outbox_events",
            &format!(
                "kind = 'standing_signup.ended' AND subject_id = '{}'",
                ids[0]
            )
        )
        .await,
        1
    );
    app.send(
        Method::DELETE,
        &format!("/api/v1/standing-signups/{}", ids[0]),
        &[("authorization", &format!("Bearer {}", people[0].1))],
        None,
    )
    .await
    .assert_problem(409, "standing-signup-ended");
    // Her dates say what was decided then and where the sign-up stands now.
    let third = app
        .get(
            &format!("/api/v1/standing-signups/{}", ids[2]),
            Some(&people[2].1),
        )
        .await;
    assert_eq!(third.json()["dates"][0]["outcome"], "waitlisted");
    assert_eq!(third.json()["dates"][0]["signup_status"], "confirmed");
}

#[actix_web::test]
async fn the_worker_racing_one_off_sign_ups_never_overbooks_and_decides_each_date_once() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let activity = tuesday_activity(&app, &town.coord_a.access_token, &town.a1, 3).await;
    let committed = app.volunteers(3).await;
    // Made straight in the database, so that the worker signs them up, not the request.
    for (user, _) in &committed {
        use diesel_async::RunQueryDsl;
        diesel::sql_query(format!(
            "INSERT INTO standing_signups (id, user_id, activity_id, operator_id, slot_start, pattern, \
               weekday, valid_from, created_by) \
             SELECT gen_random_uuid(), '{user}', a.id, c.operator_id, '15:00', 'weekly', 2, current_date, '{user}' \
             FROM activities a JOIN centres c ON c.id = a.centre_id WHERE a.id = '{activity}'"
        ))
        .execute(&mut app.conn().await)
        .await
        .expect("standing sign-up");
    }
    let soonest = app
        .texts(&format!(
            "SELECT s.id FROM shifts s JOIN occurrences o ON o.id = s.occurrence_id \
             WHERE o.activity_id = '{activity}' AND s.starts_at > now() ORDER BY s.starts_at LIMIT 2"
        ))
        .await;
    let once = app.volunteers(12).await;
    let ids = app
        .texts("SELECT id FROM standing_signups ORDER BY id")
        .await;
    let mut rows = Vec::new();
    for id in &ids {
        let id = id.parse().expect("an id");
        let mut conn = app.conn().await;
        rows.push(
            quartier_persistence::standing::get(&mut conn, id)
                .await
                .expect("read")
                .expect("one"),
        );
    }
    // Two workers, and each commitment worked through three times at once besides.
    let workers =
        (0..2)
            .map(|_| {
                let pool = app.pool.clone();
                Box::pin(async move {
                    quartier_api::standing::materialise_once(&pool, Utc::now(), Duration::weeks(6))
                        .await
                })
                    as std::pin::Pin<
                        Box<
                            dyn std::future::Future<
                                    Output = Result<usize, quartier_persistence::Error>,
                                >,
                        >,
                    >
            })
            .chain(rows.iter().flat_map(|row| {
                (0..3).map(|_| {
                    let pool = app.pool.clone();
                    let row = row.clone();
                    Box::pin(async move {
                        let mut conn = quartier_persistence::pool::get(&pool).await?;
                        let now = Utc::now();
                        quartier_persistence::standing::materialise_one(
                            &mut conn,
                            &row,
                            now,
                            now + Duration::weeks(6),
                        )
                        .await
                    })
                        as std::pin::Pin<
                            Box<
                                dyn std::future::Future<
                                        Output = Result<usize, quartier_persistence::Error>,
                                    >,
                            >,
                        >
                })
            }));
    let one_offs = once.iter().enumerate().map(|(i, (_, token))| {
        let app = &app;
        let shift = soonest[i % 2].clone();
        async move { quartier_tests::sign_up(app, token, &shift).await.status }
    });
    let (decided, signed) = tokio::join!(join_all(workers), join_all(one_offs));
    assert!(signed.iter().all(|s| *s == 201), "{signed:?}");
    let decided: usize = decided.into_iter().map(|d| d.expect("worker")).sum();
    // The dates within six weeks: every one of them decided for each commitment, once.
    let shifts = app
        .texts("SELECT DISTINCT shift_id FROM standing_dates ORDER BY shift_id")
        .await;
    assert!((5..=7).contains(&shifts.len()), "{shifts:?}");
    assert!(soonest.iter().all(|s| shifts.contains(s)));
    assert_eq!(
        decided,
        3 * shifts.len(),
        "each date of each commitment once"
    );
    for shift in &shifts {
        let confirmed = app
            .count(
                "signups",
                &format!("shift_id = '{shift}' AND status = 'confirmed'"),
            )
            .await;
        assert!(confirmed <= 3, "{shift}: {confirmed}");
        let standing = app
            .count(
                "signups",
                &format!(
                    "shift_id = '{shift}' AND status = 'confirmed' AND standing_signup_id IS NOT NULL"
                ),
            )
            .await;
        assert!(standing <= 2, "{shift}: {standing} standing places");
        assert_eq!(
            app.count(
                "shifts",
                &format!("id = '{shift}' AND confirmed_count = {confirmed}")
            )
            .await,
            1
        );
    }
    // The shifts nobody came to once for: two standing places confirmed, the third waits.
    for shift in shifts.iter().filter(|s| !soonest.contains(s)) {
        assert_eq!(
            app.count(
                "signups",
                &format!(
                    "shift_id = '{shift}' AND status = 'confirmed' AND standing_signup_id IS NOT NULL"
                )
            )
            .await,
            2
        );
    }
    let rows = app.count("standing_dates", "true").await;
    let signups = app.count("signups", "standing_signup_id IS NOT NULL").await;
    assert_eq!(rows, 3 * shifts.len() as i64);

    // Again, with every claim released: nothing new.
    clear_claims(&app).await;
    let again = quartier_api::standing::materialise_once(&app.pool, Utc::now(), Duration::weeks(6))
        .await
        .expect("worker");
    assert_eq!(again, 0);
    assert_eq!(app.count("standing_dates", "true").await, rows);
    assert_eq!(
        app.count("signups", "standing_signup_id IS NOT NULL").await,
        signups
    );
}

#[actix_web::test]
async fn a_tuesday_commitment_signs_up_at_15_local_across_both_daylight_saving_switches() {
    let app = TestApp::spawn_with(LONG_HORIZON).await;
    let town = town(&app).await;
    let activity = tuesday_activity(&app, &town.coord_a.access_token, &town.a1, 3).await;
    let (volunteer, token) = app.volunteers(1).await.remove(0);
    let made = commit(&app, &token, &activity, every_tuesday()).await;
    assert_eq!(made.status, 201, "{}", text(&made));
    let id = made.json()["id"].as_str().expect("id").to_owned();
    clear_claims(&app).await;
    quartier_api::standing::materialise_once(&app.pool, Utc::now(), Duration::weeks(56))
        .await
        .expect("worker");
    let starts: Vec<DateTime<Utc>> = app
        .texts(&format!(
            "SELECT to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM signups \
             WHERE user_id = '{volunteer}' AND standing_signup_id = '{id}' AND status = 'confirmed' \
             ORDER BY starts_at"
        ))
        .await
        .iter()
        .map(|t| t.parse().expect("a time"))
        .collect();
    assert!(starts.len() >= 50, "a year of Tuesdays: {}", starts.len());
    for start in &starts {
        let local = start.with_timezone(&Berlin);
        assert_eq!(
            (local.weekday(), local.hour(), local.minute()),
            (Weekday::Tue, 15, 0),
            "{start}"
        );
    }
    // Winter (14:00 UTC) and summer (13:00 UTC) dates alike: a year holds both switches.
    let hours: Vec<u32> = starts.iter().map(|s| s.hour()).collect();
    assert!(hours.windows(2).any(|w| w == [14, 13]), "spring: {hours:?}");
    assert!(hours.windows(2).any(|w| w == [13, 14]), "autumn: {hours:?}");
}

#[actix_web::test]
async fn standing_sign_ups_are_changed_with_if_match_and_refuse_bad_input() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let activity = tuesday_activity(&app, &town.coord_a.access_token, &town.a1, 3).await;
    let (volunteer, token) = app.volunteers(1).await.remove(0);
    let tomorrow = Utc::now().with_timezone(&Berlin).date_naive() + Duration::days(1);
    for (body, field) in [
        (
            json!({"pattern": "weekly", "weekday": 8, "slot_start": "15:00"}),
            "weekday",
        ),
        (
            json!({"pattern": "weekly", "weekday": 2, "slot_start": "25:00"}),
            "slot_start",
        ),
        (
            json!({"pattern": "biweekly", "weekday": 2, "slot_start": "15:00"}),
            "anchor_date",
        ),
        (
            json!({"pattern": "biweekly", "weekday": 2, "slot_start": "15:00", "anchor_date": "2027-01-06"}),
            "anchor_date",
        ),
        (
            json!({"pattern": "monthly", "weekday": 2, "slot_start": "15:00"}),
            "week_of_month",
        ),
        (
            json!({"pattern": "weekly", "weekday": 2, "slot_start": "15:00", "valid_from": "2020-01-01"}),
            "valid_from",
        ),
        (
            json!({"pattern": "weekly", "weekday": 2, "slot_start": "15:00", "valid_from": tomorrow, "valid_until": tomorrow - Duration::days(1)}),
            "valid_until",
        ),
        (
            json!({"pattern": "weekly", "weekday": 2, "slot_start": "15:00", "every": "day"}),
            "every",
        ),
    ] {
        let refused = commit(&app, &token, &activity, body.clone()).await;
        let problem = refused.assert_problem(422, "validation-failed");
        assert!(
            problem["errors"]
                .as_array()
                .is_some_and(|e| e.iter().any(|e| e["field"] == field))
                || field == "every",
            "{body}: {problem}"
        );
    }
    commit(
        &app,
        &token,
        "00000000-0000-0000-0000-000000000000",
        every_tuesday(),
    )
    .await
    .assert_problem(404, "not-found");
    // Someone else's commitment only staff of the operator make, for a volunteer they know.
    let (other, _) = app.volunteers(1).await.remove(0);
    let mut for_other = every_tuesday();
    for_other["user_id"] = json!(other);
    commit(&app, &token, &activity, for_other.clone())
        .await
        .assert_problem(403, "forbidden");
    commit(&app, &town.coord_a.access_token, &activity, for_other)
        .await
        .assert_problem(422, "validation-failed");
    assert_eq!(app.count("standing_signups", "true").await, 0);

    let monthly = commit(
        &app,
        &token,
        &activity,
        json!({"pattern": "monthly", "weekday": 2, "slot_start": "15:00", "week_of_month": "last"}),
    )
    .await;
    assert_eq!(monthly.status, 201, "{}", text(&monthly));
    assert_eq!(monthly.json()["week_of_month"], "last");
    commit(
        &app,
        &token,
        &activity,
        json!({"pattern": "monthly", "weekday": 2, "slot_start": "15:00", "week_of_month": "last"}),
    )
    .await
    .assert_problem(409, "standing-signup-exists");
    let id = monthly.json()["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/standing-signups/{id}");
    let pause = json!({"status": "paused"});
    app.json(Method::PATCH, &path, Some(&token), &[], &pause)
        .await
        .assert_problem(428, "precondition-required");
    app.json(
        Method::PATCH,
        &path,
        Some(&token),
        &[("if-match", "\"7\"")],
        &pause,
    )
    .await
    .assert_problem(412, "version-conflict");
    app.json(
        Method::PATCH,
        &path,
        Some(&token),
        &[("if-match", "\"1\"")],
        &json!({"status": "ended"}),
    )
    .await
    .assert_problem(422, "validation-failed");
    let paused = app
        .json(
            Method::PATCH,
            &path,
            Some(&token),
            &[("if-match", "\"1\"")],
            &pause,
        )
        .await;
    assert_eq!(paused.status, 200, "{}", text(&paused));
    assert_eq!(paused.json()["status"], "paused");
    assert_eq!(paused.header("etag"), Some("\"2\""));
    assert_eq!(
        app.count(
            "outbox_events",
            &format!(
                "kind = 'standing_signup.changed' AND subject_id = '{id}' \
                 AND payload::jsonb->>'status' = 'paused' AND payload::jsonb->>'user_id' = '{volunteer}'"
            )
        )
        .await,
        1
    );
    // A paused one is passed over by the worker.
    clear_claims(&app).await;
    let before = app.count("standing_dates", "true").await;
    quartier_api::standing::materialise_once(&app.pool, Utc::now(), Duration::weeks(26))
        .await
        .expect("worker");
    assert_eq!(app.count("standing_dates", "true").await, before);

    // Blockouts: bad ones refused, another's not removable, one's own removed.
    for body in [
        json!({"starts_on": tomorrow, "ends_on": tomorrow - Duration::days(1)}),
        json!({"starts_on": "2020-01-01"}),
        json!({"starts_on": tomorrow, "ends_on": tomorrow + Duration::days(9), "weekly_until": tomorrow + Duration::days(60)}),
        json!({"starts_on": tomorrow, "ends_on": "9999-12-31"}),
    ] {
        app.json(
            Method::POST,
            "/api/v1/me/blockouts",
            Some(&token),
            &[],
            &body,
        )
        .await
        .assert_problem(422, "validation-failed");
    }
    let weekly_blockout = app
        .json(
            Method::POST,
            "/api/v1/me/blockouts",
            Some(&token),
            &[],
            &json!({"starts_on": tomorrow, "weekly_until": tomorrow + Duration::days(60)}),
        )
        .await;
    assert_eq!(weekly_blockout.status, 201, "{}", text(&weekly_blockout));
    let blockout = weekly_blockout.json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (_, stranger) = app.volunteers(1).await.remove(0);
    app.send(
        Method::DELETE,
        &format!("/api/v1/me/blockouts/{blockout}"),
        &[("authorization", &format!("Bearer {stranger}"))],
        None,
    )
    .await
    .assert_problem(404, "not-found");
    let removed = app
        .send(
            Method::DELETE,
            &format!("/api/v1/me/blockouts/{blockout}"),
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    assert_eq!(app.count("blockouts", "true").await, 0);
}

async fn answer(
    app: &TestApp,
    token: &str,
    standing: &str,
    shift: &str,
    answer: &str,
) -> TestResponse {
    app.json(
        Method::POST,
        &format!("/api/v1/standing-signups/{standing}/dates/{shift}/answer"),
        Some(token),
        &[],
        &json!({ "answer": answer }),
    )
    .await
}

fn shift_of(date: &Value) -> String {
    date["shift_id"].as_str().expect("a shift").to_owned()
}

#[actix_web::test]
async fn an_asking_commitment_offers_each_date_until_she_answers_or_it_is_due() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let activity = tuesday_activity(&app, &town.coord_a.access_token, &town.a1, 2).await;
    let people = app.volunteers(3).await;
    let (volunteer, token) = people[0].clone();

    let mut body = every_tuesday();
    body["mode"] = json!("ask");
    body["answer_hours"] = json!(400);
    commit(&app, &token, &activity, body.clone())
        .await
        .assert_problem(422, "validation-failed");
    let mut auto = every_tuesday();
    auto["answer_hours"] = json!(24);
    commit(&app, &token, &activity, auto)
        .await
        .assert_problem(422, "validation-failed");
    body["answer_hours"] = json!(24);
    let made = commit(&app, &token, &activity, body).await;
    assert_eq!(made.status, 201, "{}", text(&made));
    let standing = made.json();
    let id = standing["id"].as_str().expect("id").to_owned();
    assert_eq!(
        (&standing["mode"], &standing["answer_hours"]),
        (&json!("ask"), &json!(24))
    );
    let dates = standing["dates"].as_array().expect("dates").clone();
    assert!(dates.len() >= 4, "{dates:?}");
    for date in &dates {
        assert_eq!(date["outcome"], "offered", "{date}");
        assert_eq!(date["signup_id"], Value::Null);
        let due = quartier_tests::at(&date["answer_by"]);
        assert_eq!(
            due,
            quartier_tests::at(&date["starts_at"]) - Duration::hours(24)
        );
    }
    // Each offer holds a place and no sign-up is made before she answers.
    assert_eq!(
        app.count("signups", &format!("user_id = '{volunteer}'"))
            .await,
        0
    );
    assert_eq!(
        app.count(
            "guest_holds",
            &format!("standing_signup_id = '{id}' AND holds_place")
        )
        .await,
        dates.len() as i64
    );

    // She accepts the first: the held place becomes her confirmed sign-up.
    let first = shift_of(&dates[0]);
    let accepted = answer(&app, &token, &id, &first, "accept").await;
    assert_eq!(accepted.status, 200, "{}", text(&accepted));
    assert_eq!(accepted.json()["outcome"], "confirmed");
    assert_eq!(accepted.json()["signup_status"], "confirmed");
    assert!(accepted.json()["answered_at"].is_string());
    assert_eq!(
        app.count(
            "shifts",
            &format!("id = '{first}' AND confirmed_count = 1 AND held_count = 0")
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "outbox_events",
            &format!(
                "kind = 'signup.confirmed' AND payload::jsonb->>'standing_signup_id' = '{id}'"
            )
        )
        .await,
        1
    );
    answer(&app, &token, &id, &first, "decline")
        .await
        .assert_problem(409, "offer-not-open");
    answer(&app, &people[1].1, &id, &first, "accept")
        .await
        .assert_problem(404, "not-found");
    answer(&app, &token, &id, &quartier_tests::id_of(&made), "accept")
        .await
        .assert_problem(404, "not-found");

    // The second date fills up around her offer; she declines, and the first in line has it.
    let second = shift_of(&dates[1]);
    let once = quartier_tests::sign_up(&app, &people[1].1, &second).await;
    assert_eq!(once.json()["status"], "confirmed");
    let waiting = quartier_tests::sign_up(&app, &people[2].1, &second).await;
    assert_eq!(waiting.json()["status"], "waitlisted");
    let declined = answer(&app, &token, &id, &second, "decline").await;
    assert_eq!(declined.status, 200, "{}", text(&declined));
    assert_eq!(declined.json()["outcome"], "declined");
    assert_eq!(
        app.count(
            "signups",
            &format!(
                "shift_id = '{second}' AND user_id = '{}' AND status = 'confirmed'",
                people[2].0
            )
        )
        .await,
        1
    );

    // The third goes unanswered until it is due: its place goes back.
    let third = shift_of(&dates[2]);
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE guest_holds SET created_at = now() - interval '2 days', \
             expires_at = now() - interval '1 minute' WHERE shift_id = '{third}'"
        )),
        &mut app.conn().await,
    )
    .await
    .expect("due");
    quartier_api::retention::release_expired_holds(&app.pool, Utc::now())
        .await
        .expect("released");
    answer(&app, &token, &id, &third, "accept")
        .await
        .assert_problem(409, "offer-not-open");
    assert_eq!(
        app.count("shifts", &format!("id = '{third}' AND held_count = 0"))
            .await,
        1
    );

    // Ending it withdraws the offers still open.
    let ended = app
        .send(
            Method::DELETE,
            &format!("/api/v1/standing-signups/{id}"),
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
        .await;
    assert_eq!(ended.status, 200, "{}", text(&ended));
    assert_eq!(
        app.count("guest_holds", &format!("standing_signup_id = '{id}'"))
            .await,
        0
    );
    let after = app
        .get(&format!("/api/v1/standing-signups/{id}"), Some(&token))
        .await;
    let outcomes: Vec<String> = after.json()["dates"]
        .as_array()
        .expect("dates")
        .iter()
        .map(|d| d["outcome"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(&outcomes[..3], ["confirmed", "declined", "expired"]);
    assert!(outcomes[3..].iter().all(|o| o == "expired"), "{outcomes:?}");
    assert_eq!(app.count("shifts", "held_count <> 0").await, 0);
}

#[actix_web::test]
async fn each_offer_is_mailed_with_its_link_and_when_it_is_due() {
    let sink = quartier_tests::SmtpSink::start();
    let app = TestApp::mailing_to(&sink, &[]).await;
    let town = town(&app).await;
    let activity = tuesday_activity(&app, &town.coord_a.access_token, &town.a1, 2).await;
    let (volunteer, token) = app.volunteers(1).await.remove(0);
    let mut body = every_tuesday();
    body["mode"] = json!("ask");
    body["answer_hours"] = json!(48);
    let made = commit(&app, &token, &activity, body).await;
    assert_eq!(made.status, 201, "{}", text(&made));
    let id = made.json()["id"].as_str().expect("id").to_owned();
    let dates = made.json()["dates"].as_array().expect("dates").len();
    assert_eq!(
        app.count(
            "notifications",
            &format!("kind = 'standing_offer' AND user_id = '{volunteer}'")
        )
        .await,
        dates as i64
    );
    let mails = sink
        .wait_for(&format!("volunteer-{volunteer}@example.org"), dates)
        .await;
    assert_eq!(mails.len(), dates);
    let first = &mails[0];
    assert!(
        first.subject().contains("Kaffee kochen"),
        "{}",
        first.subject()
    );
    assert!(
        first.text().contains(&format!("/standing-signups/{id}")),
        "{}",
        first.text()
    );
    // The answer is due two days before, at 15:00: on a Sunday (but for a first date
    // too near for that).
    let due_on_sunday = mails
        .iter()
        .filter(|m| m.text().contains("bis Sonntag, ") || m.text().contains("until Sunday, "))
        .count();
    assert!(due_on_sunday + 1 >= dates, "{}", first.text());
}

#[actix_web::test]
async fn signing_up_for_an_offered_date_takes_the_offer_and_a_moved_shift_moves_its_answer() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let activity = tuesday_activity(&app, &town.coord_a.access_token, &town.a1, 3).await;
    let (volunteer, token) = app.volunteers(1).await.remove(0);
    let mut body = every_tuesday();
    body["mode"] = json!("ask");
    let made = commit(&app, &token, &activity, body).await;
    assert_eq!(made.status, 201, "{}", text(&made));
    let id = made.json()["id"].as_str().expect("id").to_owned();
    let dates = made.json()["dates"].as_array().expect("dates").clone();

    // Signing up for the date straight away is a yes to its offer: one place, not two.
    let third = shift_of(&dates[2]);
    let signed = quartier_tests::sign_up(&app, &token, &third).await;
    assert_eq!(signed.status, 201, "{}", text(&signed));
    assert_eq!(signed.json()["status"], "confirmed");
    assert_eq!(
        app.count(
            "shifts",
            &format!("id = '{third}' AND confirmed_count = 1 AND held_count = 0")
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "signups",
            &format!("user_id = '{volunteer}' AND standing_signup_id = '{id}'")
        )
        .await,
        1
    );
    let after = app
        .get(&format!("/api/v1/standing-signups/{id}"), Some(&token))
        .await;
    assert_eq!(after.json()["dates"][2]["outcome"], "confirmed");

    // The fourth date moves a day earlier: its answer is due a day earlier too.
    let fourth = shift_of(&dates[3]);
    let path = format!("/api/v1/shifts/{fourth}");
    let shift = app.get(&path, Some(&town.coord_a.access_token)).await;
    let starts = quartier_tests::at(&shift.json()["starts_at"]);
    let ends = quartier_tests::at(&shift.json()["ends_at"]);
    let moved = app
        .json(
            Method::PATCH,
            &path,
            Some(&town.coord_a.access_token),
            &[("if-match", "*")],
            &json!({"starts_at": starts - Duration::days(1), "ends_at": ends - Duration::days(1)}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", text(&moved));
    let after = app
        .get(&format!("/api/v1/standing-signups/{id}"), Some(&token))
        .await;
    let date = after.json()["dates"]
        .as_array()
        .expect("dates")
        .iter()
        .find(|d| d["shift_id"] == fourth.as_str())
        .cloned()
        .expect("the moved date");
    assert_eq!(
        quartier_tests::at(&date["answer_by"]),
        starts - Duration::days(1) - Duration::hours(72)
    );
}

#[actix_web::test]
async fn answers_racing_the_end_of_their_standing_sign_up_leave_nothing_behind() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let activity = tuesday_activity(&app, &town.coord_a.access_token, &town.a1, 3).await;
    let (volunteer, token) = app.volunteers(1).await.remove(0);
    let mut body = every_tuesday();
    body["mode"] = json!("ask");
    let made = commit(&app, &token, &activity, body).await;
    let id = made.json()["id"].as_str().expect("id").to_owned();
    let dates = made.json()["dates"].as_array().expect("dates").clone();
    let accepts = dates.iter().map(|date| {
        let (app, token, id) = (&app, token.clone(), id.clone());
        async move {
            answer(app, &token, &id, &shift_of(date), "accept")
                .await
                .status
        }
    });
    let end = async {
        app.send(
            Method::DELETE,
            &format!("/api/v1/standing-signups/{id}"),
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
        .await
        .status
    };
    let (statuses, ended) = tokio::join!(join_all(accepts), end);
    assert_eq!(ended, 200);
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
    // Whatever was accepted first was cancelled with the end; nothing is held any more.
    assert_eq!(
        app.count(
            "signups",
            &format!("user_id = '{volunteer}' AND status IN ('confirmed', 'waitlisted')")
        )
        .await,
        0
    );
    assert_eq!(app.count("guest_holds", "true").await, 0);
    assert_eq!(
        app.count("shifts", "held_count <> 0 OR confirmed_count <> 0")
            .await,
        0
    );
    assert_eq!(
        app.count(
            "standing_dates",
            &format!("standing_signup_id = '{id}' AND outcome = 'offered'")
        )
        .await,
        0
    );
}
