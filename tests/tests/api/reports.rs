//! Reports: figures counted from the stored facts equal what was done, survive erasure, and
//! hide small counts of people from everyone but the operator's own staff.

use actix_web::http::Method;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use diesel_async::RunQueryDsl;
use quartier_tests::browser;
use quartier_tests::{
    TestApp, TestResponse, TestUser, Town, created_id, id_of, occurrences, post, setup, sign_up,
    town, weekly,
};
use serde_json::{Value, json};

/// Last year: every fact of these tests happened then.
fn last_year() -> i32 {
    Utc::now().year() - 1
}

/// 10:00 UTC on `month`/`day` of `year`.
fn on(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(year, month, day)
        .expect("date")
        .and_hms_opt(10, 0, 0)
        .expect("time")
        .and_utc()
}

async fn exec(app: &TestApp, sql: &str) -> usize {
    diesel::sql_query(sql)
        .execute(&mut app.conn().await)
        .await
        .expect(sql)
}

/// Moves a shift and its sign-ups to two hours from `start`, as if it had taken place then.
async fn took_place(app: &TestApp, shift: &str, start: DateTime<Utc>) {
    let end = start + Duration::hours(2);
    exec(
        app,
        &format!("UPDATE shifts SET starts_at = '{start}', ends_at = '{end}' WHERE id = '{shift}'"),
    )
    .await;
    exec(
        app,
        &format!(
            "UPDATE signups SET starts_at = '{start}', ends_at = '{end}', \
             queued_at = '{start}'::timestamptz - interval '7 days' WHERE shift_id = '{shift}'"
        ),
    )
    .await;
}

/// Moves an occurrence to `start`.
async fn dated(app: &TestApp, occurrence: &str, start: DateTime<Utc>) {
    let end = start + Duration::hours(2);
    let changed = exec(
        app,
        &format!(
            "UPDATE occurrences SET starts_at = '{start}', ends_at = '{end}', original_start = '{start}' \
             WHERE id = '{occurrence}'"
        ),
    )
    .await;
    assert_eq!(changed, 1);
}

/// A shift of `capacity` at `centre`, starting in `hours`.
async fn a_shift(
    app: &TestApp,
    coordinator: &TestUser,
    centre: &str,
    hours: i64,
    capacity: i64,
) -> String {
    let starts_at = Utc::now() + Duration::hours(hours);
    id_of(
        &post(
            app,
            &coordinator.access_token,
            "/api/v1/shifts",
            json!({
                "centre_id": centre, "title": "Kaffee ausschenken", "capacity": capacity,
                "starts_at": starts_at, "ends_at": starts_at + Duration::hours(2),
            }),
        )
        .await,
    )
}

/// Records whether the sign-up attended, with the minutes worked if given.
async fn attendance(
    app: &TestApp,
    staff: &TestUser,
    signup: &str,
    attended: bool,
    minutes: Option<i64>,
) {
    let mut body = json!({"attended": attended});
    if let Some(minutes) = minutes {
        body["minutes_worked"] = json!(minutes);
    }
    let recorded = post(
        app,
        &staff.access_token,
        &format!("/api/v1/signups/{signup}/attendance"),
        body,
    )
    .await;
    assert_eq!(recorded.status, 200, "{:?}", recorded.json());
}

/// The first `n` occurrences of a new weekly activity at `centre`.
async fn dates_of_new_activity(
    app: &TestApp,
    coordinator: &TestUser,
    centre: &str,
    category: &str,
    n: usize,
) -> Vec<String> {
    let start = (Utc::now() + Duration::days(7)).date_naive();
    let mut body = weekly(
        centre,
        "Erzählcafé",
        &format!("{start}T15:00:00"),
        "FREQ=WEEKLY",
    );
    body["category"] = json!(category);
    let activity =
        created_id(&post(app, &coordinator.access_token, "/api/v1/activities", body).await);
    let found = occurrences(
        app,
        Some(&coordinator.access_token),
        &activity,
        Utc::now(),
        Utc::now() + Duration::days(60),
    )
    .await;
    found
        .iter()
        .take(n)
        .map(|o| o["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Records attendance of an occurrence through the API.
async fn visited(app: &TestApp, staff: &TestUser, occurrence: &str, body: Value) -> TestResponse {
    app.json(
        Method::PATCH,
        &format!("/api/v1/occurrences/{occurrence}"),
        Some(&staff.access_token),
        &[("if-match", "*")],
        &body,
    )
    .await
}

/// What the tests' world did last year, made through the API and then dated back.
struct History {
    town: Town,
    /// Volunteers with accounts they can erase: v1 worked twice at A, v2 once.
    v1: TestUser,
    v2: TestUser,
}

/// Operator A (centre A1 in Nordstadt): dates on 3 March (12 came: 3 first-time, 2 aged 0–13,
/// 6 aged 65+), 10 March (cancelled) and 7 April (8 came, 1 first-time). A shift on 3 March
/// for 4 (v1 90 minutes, v2 the shift's 120, v3 a no-show, v6 120) and one on 7 April for 2
/// (v1 60 minutes, v4 cancelled late). v6 first worked at A the year before.
/// Operator B (centre B1 in Süd): a date on 5 March (3 came), a shift on 5 March for 4 (v5
/// 120 minutes).
async fn history(app: &TestApp) -> History {
    let town = town(app).await;
    let year = last_year();
    let (a, b) = (&town.coord_a, &town.coord_b);

    let dates_a = dates_of_new_activity(app, a, &town.a1, "coffee_table", 3).await;
    let dates_b = dates_of_new_activity(app, b, &town.b1, "course", 1).await;
    for (occurrence, start) in dates_a
        .iter()
        .zip([on(year, 3, 3), on(year, 3, 10), on(year, 4, 7)])
    {
        dated(app, occurrence, start).await;
    }
    dated(app, &dates_b[0], on(year, 3, 5)).await;
    let recorded = visited(
        app,
        a,
        &dates_a[0],
        json!({"participants": 12, "first_time_participants": 3,
               "participants_by_age": {"age_0_13": 2, "age_65_plus": 6}}),
    )
    .await;
    assert_eq!(recorded.status, 200, "{:?}", recorded.json());
    let cancelled = visited(
        app,
        a,
        &dates_a[1],
        json!({"cancelled": true, "cancellation_reason": "Die Leiterin ist erkrankt."}),
    )
    .await;
    assert_eq!(cancelled.status, 200, "{:?}", cancelled.json());
    for (staff, occurrence, body) in [
        (
            a,
            &dates_a[2],
            json!({"participants": 8, "first_time_participants": 1}),
        ),
        (b, &dates_b[0], json!({"participants": 3})),
    ] {
        let recorded = visited(app, staff, occurrence, body).await;
        assert_eq!(recorded.status, 200, "{:?}", recorded.json());
    }

    let v1 = app.signed_up("v1@example.org").await;
    let v2 = app.signed_up("v2@example.org").await;
    let others = app.volunteers(4).await;
    let (v3, v4, v5, v6) = (&others[0].1, &others[1].1, &others[2].1, &others[3].1);

    // v6's first shift at A, the year before last.
    let before = a_shift(app, a, &town.a1, 30, 1).await;
    let first_of_v6 = id_of(&sign_up(app, v6, &before).await);
    took_place(app, &before, on(year - 1, 11, 20)).await;
    attendance(app, a, &first_of_v6, true, None).await;

    let march = a_shift(app, a, &town.a1, 48, 4).await;
    let mut on_march = Vec::new();
    for token in [&v1.access_token, &v2.access_token, v3, v6] {
        let signed = sign_up(app, token, &march).await;
        assert_eq!(signed.status, 201, "{:?}", signed.json());
        on_march.push(id_of(&signed));
    }
    let april = a_shift(app, a, &town.a1, 3, 2).await;
    let v1_april = id_of(&sign_up(app, &v1.access_token, &april).await);
    let late = id_of(&sign_up(app, v4, &april).await);
    let cancelled = app
        .send(
            Method::POST,
            &format!("/api/v1/signups/{late}/cancel"),
            &[("authorization", &format!("Bearer {v4}"))],
            None,
        )
        .await;
    assert_eq!(cancelled.json()["late_cancellation"], true);
    let at_b = a_shift(app, b, &town.b1, 72, 4).await;
    let v5_at_b = id_of(&sign_up(app, v5, &at_b).await);

    took_place(app, &march, on(year, 3, 3)).await;
    took_place(app, &april, on(year, 4, 7)).await;
    took_place(app, &at_b, on(year, 3, 5)).await;
    attendance(app, a, &on_march[0], true, Some(90)).await;
    attendance(app, a, &on_march[1], true, None).await;
    attendance(app, a, &on_march[2], false, None).await;
    attendance(app, a, &on_march[3], true, None).await;
    attendance(app, a, &v1_april, true, Some(60)).await;
    attendance(app, b, &v5_at_b, true, None).await;
    History { town, v1, v2 }
}

/// The report for `query` (after `from` and `to` of last year) read with `token`.
async fn report(app: &TestApp, token: &str, query: &str) -> Value {
    let year = last_year();
    let path = format!("/api/v1/reports/indicators?from={year}-01-01&to={year}-12-31{query}");
    let got = app.get(&path, Some(token)).await;
    assert_eq!(
        got.status,
        200,
        "{path}: {}",
        String::from_utf8_lossy(&got.body)
    );
    got.json()
}

/// The figures of a row by indicator: the value, or "hidden".
fn figures(row: &Value) -> serde_json::Map<String, Value> {
    row["values"]
        .as_array()
        .expect("values")
        .iter()
        .map(|v| {
            let shown = if v["suppressed"] == true {
                assert_eq!(v["value"], Value::Null);
                json!("hidden")
            } else {
                v["value"].clone()
            };
            (v["indicator"].as_str().expect("key").to_owned(), shown)
        })
        .collect()
}

fn only_row(report: &Value) -> Value {
    let rows = report["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 1, "{report}");
    rows[0].clone()
}

/// Operator A's figures in full, as its staff read them.
fn operator_a() -> Value {
    json!({
        "occurrences_held": 2.0, "occurrences_cancelled": 1.0, "visits": 20.0,
        "visits_age_0_13": 2.0, "visits_age_14_17": null, "visits_age_18_26": null,
        "visits_age_27_64": null, "visits_age_65_plus": 6.0, "first_time_visits": 4.0,
        // v1 90 + 60, v2 120, v6 120 minutes.
        "volunteer_hours": 6.5, "active_volunteers": 3.0, "new_volunteers": 2.0,
        "places_offered": 6.0, "places_filled": 5.0,
        // One no-show of five recorded; one late cancellation of six places held.
        "no_show_rate": 0.2, "late_cancellation_rate": 0.167,
        "concerns_received": 0.0, "concerns_answered": 0.0, "median_days_to_first_answer": null,
        "room_hours_operator": 0.0, "room_hours_activity": 0.0, "room_hours_partner": 0.0,
        "room_hours_resident": 0.0,
        // Operator A's funds granted nothing.
        "fund_projects": 0.0, "fund_granted": 0.0, "fund_spent": 0.0,
        // Nobody asked for neighbourly help at its centres.
        "help_requests": 0.0, "help_matched": 0.0, "help_completed": 0.0,
    })
}

#[actix_web::test]
async fn indicators_equal_what_was_done_and_survive_erasure() {
    let app = TestApp::spawn().await;
    let h = history(&app).await;
    let a = &h.town.coord_a.access_token;

    let own = report(&app, a, "").await;
    assert_eq!(own["small_cells_hidden"], false);
    assert_eq!(own["not_applicable"], json!(["partners_cooperating"]));
    assert_eq!(Value::Object(figures(&only_row(&own))), operator_a());

    let by_month = report(
        &app,
        a,
        "&group_by=month&indicators=occurrences_held,occurrences_cancelled,visits,volunteer_hours",
    )
    .await;
    let year = last_year();
    let months: Vec<(Value, Value)> = by_month["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| (row["month"].clone(), Value::Object(figures(row))))
        .collect();
    assert_eq!(
        months,
        vec![
            (
                json!(format!("{year}-03")),
                json!({"occurrences_held": 1.0, "occurrences_cancelled": 1.0, "visits": 12.0, "volunteer_hours": 5.5})
            ),
            (
                json!(format!("{year}-04")),
                json!({"occurrences_held": 1.0, "occurrences_cancelled": 0.0, "visits": 8.0, "volunteer_hours": 1.0})
            ),
        ]
    );

    // Erasing both volunteers with accounts changes no figure.
    for volunteer in [&h.v1, &h.v2] {
        let erased = app
            .json(
                Method::DELETE,
                "/api/v1/me",
                Some(&volunteer.access_token),
                &[],
                &json!({"password": volunteer.password}),
            )
            .await;
        assert_eq!(erased.status, 200, "{:?}", erased.json());
    }
    assert_eq!(app.count("signups", "user_id IS NULL").await, 3);
    let after = report(&app, a, "").await;
    assert_eq!(Value::Object(figures(&only_row(&after))), operator_a());
    let by_month_after = report(
        &app,
        a,
        "&group_by=month&indicators=occurrences_held,occurrences_cancelled,visits,volunteer_hours",
    )
    .await;
    assert_eq!(by_month_after["rows"], by_month["rows"]);
}

#[actix_web::test]
async fn small_counts_are_hidden_from_outsiders_and_not_from_the_operators_staff() {
    let app = TestApp::spawn().await;
    let h = history(&app).await;
    let admin = &h.town.admin.access_token;

    let town = report(&app, admin, "").await;
    assert_eq!(town["small_cells_hidden"], true);
    let all = figures(&only_row(&town));
    assert_eq!(all["occurrences_held"], json!(3.0));
    assert_eq!(all["visits"], json!(23.0));
    assert_eq!(all["visits_age_65_plus"], json!(6.0));
    // Four people or fewer: hidden.
    for key in [
        "visits_age_0_13",
        "first_time_visits",
        "active_volunteers",
        "volunteer_hours",
        "new_volunteers",
    ] {
        assert_eq!(all[key], json!("hidden"), "{key}");
    }
    assert_eq!(all["places_filled"], json!(6.0));
    assert_eq!(all["no_show_rate"], json!(0.167));
    assert_eq!(all["late_cancellation_rate"], json!(0.143));

    let by_district = report(
        &app,
        admin,
        "&group_by=district&indicators=occurrences_held,visits,places_offered",
    )
    .await;
    let rows: Vec<(Value, Value)> = by_district["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| (row["district"]["name"].clone(), Value::Object(figures(row))))
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                json!("Nordstadt"),
                json!({"occurrences_held": 2.0, "visits": 20.0, "places_offered": 6.0})
            ),
            (
                json!("Süd"),
                json!({"occurrences_held": 1.0, "visits": "hidden", "places_offered": 4.0})
            ),
        ]
    );

    // Operator B's coordinator sees B's three visits.
    let b = report(
        &app,
        &h.town.coord_b.access_token,
        "&indicators=visits,active_volunteers",
    )
    .await;
    assert_eq!(b["small_cells_hidden"], false);
    assert_eq!(
        Value::Object(figures(&only_row(&b))),
        json!({"visits": 3.0, "active_volunteers": 1.0})
    );
    // Asking for another operator is refused.
    let year = last_year();
    let other = app
        .get(
            &format!(
                "/api/v1/reports/indicators?from={year}-01-01&to={year}-12-31&operator_id={}",
                operator_of(&app, &h.town.a1).await
            ),
            Some(&h.town.coord_b.access_token),
        )
        .await;
    other.assert_problem(403, "forbidden");
}

async fn operator_of(app: &TestApp, centre: &str) -> String {
    app.texts(&format!(
        "SELECT operator_id::text FROM centres WHERE id = '{centre}'"
    ))
    .await
    .remove(0)
}

#[actix_web::test]
async fn an_operators_system_reads_its_figures_with_reports_read_and_as_csv() {
    let app = TestApp::spawn().await;
    let h = history(&app).await;
    let operator_a = operator_of(&app, &h.town.a1).await;
    let admin = &h.town.admin.access_token;
    let mut keys = Vec::new();
    for scopes in [json!(["reports:read"]), json!(["roster:read"])] {
        let created = post(
            &app,
            admin,
            &format!("/api/v1/operators/{operator_a}/api-keys"),
            json!({"name": "Berichte", "scopes": scopes}),
        )
        .await;
        assert_eq!(created.status, 201, "{:?}", created.json());
        keys.push(
            created.json()["key_secret"]
                .as_str()
                .expect("key")
                .to_owned(),
        );
    }
    let year = last_year();
    let path = format!(
        "/api/v1/reports/indicators?from={year}-01-01&to={year}-12-31&group_by=centre&indicators=visits,active_volunteers&format=csv"
    );
    let csv = app
        .send(Method::GET, &path, &[("x-api-key", &keys[0])], None)
        .await;
    assert_eq!(csv.status, 200, "{}", String::from_utf8_lossy(&csv.body));
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let text = String::from_utf8(csv.body.to_vec()).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "centre_id,centre,visits,active_volunteers,suppressed"
    );
    assert_eq!(
        lines[1],
        format!("{},Bürgerhaus Nordstadt,20,3,", h.town.a1)
    );
    assert_eq!(lines.len(), 2, "only operator A's centre: {text}");

    let without = app
        .send(Method::GET, &path, &[("x-api-key", &keys[1])], None)
        .await;
    without.assert_problem(403, "forbidden");
    let operator_b = operator_of(&app, &h.town.b1).await;
    let other = app
        .send(
            Method::GET,
            &format!("{path}&operator_id={operator_b}"),
            &[("x-api-key", &keys[0])],
            None,
        )
        .await;
    other.assert_problem(403, "forbidden");
}

#[actix_web::test]
async fn bad_report_requests_are_refused_clearly() {
    let app = TestApp::spawn().await;
    let t = town(&app).await;
    let admin = &t.admin.access_token;
    let refused = |path: String| {
        let app = &app;
        async move { app.get(&path, Some(admin)).await }
    };
    let base = "/api/v1/reports/indicators";
    let backwards = refused(format!("{base}?from=2026-02-01&to=2026-01-01")).await;
    backwards.assert_problem(422, "validation-failed");
    assert_eq!(backwards.problem_fields(), ["query.to"]);
    refused(format!("{base}?from=2019-01-01&to=2026-01-01"))
        .await
        .assert_problem(422, "validation-failed");
    refused(format!(
        "{base}?from=2026-01-01&to=2026-02-01&group_by=street"
    ))
    .await
    .assert_problem(422, "validation-failed");
    refused(format!(
        "{base}?from=2026-01-01&to=2026-02-01&indicators=visits,happiness"
    ))
    .await
    .assert_problem(422, "validation-failed");
    refused(format!(
        "{base}?from=2026-01-01&to=2026-02-01&district_id=00000000-0000-0000-0000-000000000001"
    ))
    .await
    .assert_problem(404, "not-found");
    let (_, volunteer) = app.volunteers(1).await.remove(0);
    app.get(
        &format!("{base}?from=2026-01-01&to=2026-02-01"),
        Some(&volunteer),
    )
    .await
    .assert_problem(403, "forbidden");
    app.get(&format!("{base}?from=2026-01-01&to=2026-02-01"), None)
        .await
        .assert_problem(401, "unauthenticated");

    // Groupings a source cannot count leave its indicators out, named.
    let by_category = refused(format!(
        "{base}?from=2026-01-01&to=2026-02-01&group_by=category"
    ))
    .await;
    assert_eq!(by_category.status, 200);
    let not_applicable = by_category.json()["not_applicable"].clone();
    assert!(
        not_applicable
            .as_array()
            .expect("list")
            .contains(&json!("concerns_received")),
        "{not_applicable}"
    );
}

#[actix_web::test]
async fn attendance_parts_never_exceed_the_total() {
    let app = TestApp::spawn().await;
    let t = town(&app).await;
    let dates = dates_of_new_activity(&app, &t.coord_a, &t.a1, "coffee_table", 1).await;
    dated(&app, &dates[0], Utc::now() - Duration::days(1)).await;
    let occurrence = &dates[0];

    let too_many_ages = visited(
        &app,
        &t.coord_a,
        occurrence,
        json!({"participants": 5, "participants_by_age": {"age_0_13": 3, "age_27_64": 3}}),
    )
    .await;
    too_many_ages.assert_problem(422, "validation-failed");
    assert_eq!(too_many_ages.problem_fields(), ["participants"]);
    let too_many_new = visited(
        &app,
        &t.coord_a,
        occurrence,
        json!({"participants": 5, "first_time_participants": 6}),
    )
    .await;
    too_many_new.assert_problem(422, "validation-failed");
    let parts_alone = visited(
        &app,
        &t.coord_a,
        occurrence,
        json!({"first_time_participants": 1}),
    )
    .await;
    parts_alone.assert_problem(422, "validation-failed");
    let negative = visited(
        &app,
        &t.coord_a,
        occurrence,
        json!({"participants": 5, "participants_by_age": {"age_14_17": -1}}),
    )
    .await;
    negative.assert_problem(422, "validation-failed");
    assert_eq!(
        app.count(
            "occurrences",
            "participants IS NOT NULL OR first_time_participants IS NOT NULL"
        )
        .await,
        0,
        "nothing was recorded"
    );

    let recorded = visited(
        &app,
        &t.coord_a,
        occurrence,
        json!({"participants": 5, "first_time_participants": 5,
               "participants_by_age": {"age_0_13": 2, "age_27_64": 3}}),
    )
    .await;
    assert_eq!(recorded.status, 200, "{:?}", recorded.json());
    assert_eq!(recorded.json()["first_time_participants"], 5);
    assert_eq!(
        recorded.json()["participants_by_age"],
        json!({"age_0_13": 2, "age_14_17": null, "age_18_26": null, "age_27_64": 3, "age_65_plus": null})
    );
    // Lowering the total below its parts is refused too, by the database itself.
    let lowered = visited(&app, &t.coord_a, occurrence, json!({"participants": 4})).await;
    lowered.assert_problem(422, "validation-failed");
    let direct = diesel::sql_query(format!(
        "UPDATE occurrences SET participants = 4 WHERE id = '{occurrence}'"
    ))
    .execute(&mut app.conn().await)
    .await;
    assert!(direct.is_err(), "the check refuses it");
    assert_eq!(app.count("occurrences", "participants = 5").await, 1);

    // Clearing the bands keeps the rest.
    let cleared = visited(
        &app,
        &t.coord_a,
        occurrence,
        json!({"participants_by_age": null}),
    )
    .await;
    assert_eq!(cleared.status, 200);
    assert!(cleared.json().get("participants_by_age").is_none());
    assert_eq!(cleared.json()["first_time_participants"], 5);
    // Outsiders see no attendance at all.
    let public = app
        .get(&format!("/api/v1/occurrences/{occurrence}"), None)
        .await;
    assert!(public.json().get("first_time_participants").is_none());
}

#[actix_web::test]
async fn the_catalogue_defines_every_indicator_in_german_and_english() {
    let app = TestApp::spawn().await;
    let catalogue = app.get("/api/v1/reports/catalogue", None).await;
    assert_eq!(catalogue.status, 200);
    let body = catalogue.json();
    assert_eq!(body["version"], 1);
    assert_eq!(body["small_cell"], 5);
    let visits = body["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .find(|i| i["key"] == "visits")
        .expect("visits")
        .clone();
    assert_eq!(visits["label"]["de"], "Besuche");
    assert_eq!(visits["about_people"], true);
    assert_eq!(visits["unit"], "count");
    assert!(
        visits["definition"]["en"]
            .as_str()
            .expect("en")
            .contains("Visits, not persons")
    );
}

#[actix_web::test]
async fn charts_render_in_chromium_in_german_with_a_text_alternative() {
    let app = TestApp::spawn().await;
    let h = history(&app).await;
    let year = last_year();
    let period = format!("from={year}-01-01&to={year}-12-31");
    let base = format!("{}/api/v1/reports/indicators", app.address);
    let plan = json!({
        "chromium": browser::chromium(),
        "headers": {"authorization": format!("Bearer {}", h.town.admin.access_token)},
        "screenshots": std::env::var("QUARTIER_SCREENSHOTS").ok(),
        "documents": [
            {"name": "visits-by-month", "url": format!("{base}/visits/chart?{period}"), "inline": true},
            {"name": "visits-by-district", "url": format!("{base}/visits/chart?{period}&group_by=district"), "inline": true},
            {"name": "no-shows-by-month", "url": format!("{base}/no_show_rate/chart?{period}")},
            {"name": "visits-in-march", "url": format!("{base}/visits/chart?from={year}-03-01&to={year}-03-31")},
        ],
    });
    let seen = browser::look_at(&plan).await;

    let months = &seen["visits-by-month"];
    assert_eq!(months["status"], 200, "{months}");
    assert_eq!(months["type"], "image/svg+xml; charset=utf-8");
    let svg = &months["seen"];
    assert_eq!(svg["root"], "svg");
    assert_eq!(svg["role"], "img");
    assert_eq!(svg["lang"], "de");
    assert_eq!(
        svg["title"],
        format!("Besuche nach Monat, 01.01.{year} bis 31.12.{year}")
    );
    let desc = svg["desc"].as_str().expect("a description");
    assert!(
        desc.starts_with(&format!(
            "Januar {year}: 0; Februar {year}: 0; März {year}: 15; April {year}: 8; Mai {year}: 0"
        )),
        "{desc}"
    );
    let texts: Vec<&str> = svg["texts"]
        .as_array()
        .expect("texts")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let short_year = year % 100;
    for label in [
        format!("Mär {short_year}"),
        format!("Dez {short_year}"),
        "15".into(),
        "Anzahl".into(),
    ] {
        assert!(texts.contains(&label.as_str()), "{label} in {texts:?}");
    }
    // Two columns drawn, each where the browser finds it.
    let bars = svg["bars"].as_array().expect("bars");
    assert_eq!(bars.len(), 2, "{svg}");
    assert!(bars.iter().all(|b| b["hit"] == true), "{bars:?}");
    assert!(svg["width"].as_f64().expect("width") >= 800.0);
    assert_eq!(months["inline_axe"], json!([]), "{}", months["inline_axe"]);
    assert_eq!(months["console"], json!([]));
    assert_eq!(months["failed"], json!([]));

    // By district, as an outsider: Süd's three visits are hidden, and said to be.
    let districts = &seen["visits-by-district"]["seen"];
    assert_eq!(
        districts["desc"],
        "Nordstadt: 20; Süd: verborgen (weniger als 5 Personen)"
    );
    assert!(
        districts["texts"]
            .as_array()
            .expect("texts")
            .contains(&json!("< 5"))
    );
    assert_eq!(districts["bars"].as_array().expect("bars").len(), 1);
    assert_eq!(seen["visits-by-district"]["inline_axe"], json!([]));

    // One month alone is one column, drawn.
    let march = &seen["visits-in-march"]["seen"];
    assert_eq!(march["desc"], format!("März {year}: 15"));
    let bars = march["bars"].as_array().expect("bars");
    assert_eq!(bars.len(), 1, "{march}");
    assert!(bars[0]["hit"] == true && bars[0]["width"].as_f64().unwrap_or(0.0) > 20.0);

    // A share in percent, the German way: one no-show of five recorded in March.
    let shares = seen["no-shows-by-month"]["seen"]["desc"]
        .as_str()
        .expect("desc")
        .to_owned();
    assert!(shares.contains(&format!("März {year}: 20,0 %")), "{shares}");
    assert!(
        shares.contains(&format!("Januar {year}: kein Wert")),
        "{shares}"
    );
}

#[actix_web::test]
async fn charts_refuse_what_the_figures_refuse() {
    let app = TestApp::spawn().await;
    let t = town(&app).await;
    let base = "/api/v1/reports/indicators";
    let period = "from=2026-01-01&to=2026-03-31";
    app.get(
        &format!("{base}/happiness/chart?{period}"),
        Some(&t.admin.access_token),
    )
    .await
    .assert_problem(404, "not-found");
    app.get(
        &format!("{base}/concerns_received/chart?{period}&group_by=category"),
        Some(&t.admin.access_token),
    )
    .await
    .assert_problem(422, "validation-failed");
    let (_, volunteer) = app.volunteers(1).await.remove(0);
    app.get(&format!("{base}/visits/chart?{period}"), Some(&volunteer))
        .await
        .assert_problem(403, "forbidden");
    let own = app
        .get(
            &format!("{base}/visits/chart?{period}"),
            Some(&t.coord_a.access_token),
        )
        .await;
    assert_eq!(own.status, 200);
    assert!(
        String::from_utf8_lossy(&own.body)
            .contains("Januar 2026: 0; Februar 2026: 0; März 2026: 0")
    );
}

/// Makes a snapshot as `token`, answering its JSON.
async fn freeze(app: &TestApp, token: &str, body: Value) -> Value {
    let made = post(app, token, "/api/v1/reports/snapshots", body).await;
    assert_eq!(made.status, 201, "{:?}", made.json());
    made.json()
}

#[actix_web::test]
async fn a_snapshot_stays_as_it_was_frozen_whatever_happens_later() {
    let app = TestApp::spawn().await;
    let h = history(&app).await;
    let a = &h.town.coord_a.access_token;
    let year = last_year();
    let frozen = freeze(
        &app,
        a,
        json!({
            "title": "Sachbericht <Nordstadt>", "from": format!("{year}-01-01"), "to": format!("{year}-12-31"),
            "group_by": ["month"], "indicators": ["visits", "volunteer_hours", "active_volunteers"],
            "narrative": {"goals": "Ältere Nachbarn erreichen.", "what_happened": "Erzählcafé jede Woche.\n\nIm März mit Musik."},
        }),
    )
    .await;
    assert_eq!(frozen["small_cells_hidden"], false);
    assert_eq!(frozen["catalogue_version"], 1);
    let id = frozen["id"].as_str().expect("id").to_owned();
    let march = &frozen["report"]["rows"][0];
    assert_eq!(march["month"], format!("{year}-03"));
    assert_eq!(
        Value::Object(figures(march)),
        json!({"visits": 12.0, "volunteer_hours": 5.5, "active_volunteers": 3.0})
    );

    // Later: more visitors recorded for April, a volunteer erased, staff edit the activity.
    let april: String = app
        .texts("SELECT o.id::text FROM occurrences o WHERE o.participants = 8")
        .await
        .remove(0);
    let recorded = visited(&app, &h.town.coord_a, &april, json!({"participants": 30})).await;
    assert_eq!(recorded.status, 200);
    let erased = app
        .json(
            Method::DELETE,
            "/api/v1/me",
            Some(&h.v1.access_token),
            &[],
            &json!({"password": h.v1.password}),
        )
        .await;
    assert_eq!(erased.status, 200);
    let live = report(&app, a, "&indicators=visits").await;
    assert_eq!(
        figures(&only_row(&live))["visits"],
        json!(42.0),
        "the edit counts now"
    );

    let again = app
        .get(&format!("/api/v1/reports/snapshots/{id}"), Some(a))
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json(), frozen, "unchanged");
    // The database itself refuses to change or remove it.
    for statement in [
        format!("UPDATE report_snapshots SET title = 'Anders' WHERE id = '{id}'"),
        format!("UPDATE report_snapshots SET report = '{{}}'::jsonb WHERE id = '{id}'"),
        format!("DELETE FROM report_snapshots WHERE id = '{id}'"),
        "TRUNCATE report_snapshots".to_owned(),
    ] {
        let refused = diesel::sql_query(&statement)
            .execute(&mut app.conn().await)
            .await;
        let message = format!("{:?}", refused.expect_err("refused"));
        assert!(message.contains("frozen"), "{statement}: {message}");
    }
    assert_eq!(
        app.count("report_snapshots", "title = 'Sachbericht <Nordstadt>'")
            .await,
        1
    );

    // Its CSV, and who may read it: operator A's staff; not B's, nor the administrator (it
    // shows A's small counts).
    let csv = app
        .get(
            &format!("/api/v1/reports/snapshots/{id}?format=csv"),
            Some(a),
        )
        .await;
    let text = String::from_utf8(csv.body.to_vec()).expect("utf-8");
    assert_eq!(
        text.lines().collect::<Vec<_>>()[..2],
        [
            "month,visits,volunteer_hours,active_volunteers,suppressed",
            &format!("{year}-03,12,5.5,3,")
        ]
    );
    for outsider in [&h.town.coord_b, &h.town.admin] {
        app.get(
            &format!("/api/v1/reports/snapshots/{id}"),
            Some(&outsider.access_token),
        )
        .await
        .assert_problem(404, "not-found");
    }
    let listed = app.get("/api/v1/reports/snapshots", Some(a)).await;
    assert_eq!(listed.json()["items"][0]["id"], id);
    let elsewhere = app
        .get(
            "/api/v1/reports/snapshots",
            Some(&h.town.coord_b.access_token),
        )
        .await;
    assert_eq!(elsewhere.json()["items"], json!([]));
    // Its author may leave: the snapshot stays, naming nobody.
    let author = app
        .json(
            Method::DELETE,
            "/api/v1/me",
            Some(a),
            &[],
            &json!({"password": h.town.coord_a.password}),
        )
        .await;
    assert_eq!(author.status, 200, "{:?}", author.json());
    assert_eq!(
        app.count(
            "report_snapshots",
            &format!("id = '{id}' AND created_by IS NULL")
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn a_snapshot_asks_for_a_title_a_period_and_the_current_definitions() {
    let app = TestApp::spawn().await;
    let t = town(&app).await;
    let refused = post(
        &app,
        &t.coord_a.access_token,
        "/api/v1/reports/snapshots",
        json!({"title": " ", "from": "2026-03-01", "to": "2026-02-01", "catalogue_version": 2,
               "narrative": {"goals": "x".repeat(10_001)}}),
    )
    .await;
    refused.assert_problem(422, "validation-failed");
    assert_eq!(
        refused.problem_fields(),
        ["title", "to", "catalogue_version", "narrative.goals"]
    );
    assert_eq!(app.count("report_snapshots", "true").await, 0);
}

#[actix_web::test]
async fn the_printable_report_shows_narrative_figures_charts_and_definitions_in_chromium() {
    let app = TestApp::spawn().await;
    let h = history(&app).await;
    let a = &h.town.coord_a.access_token;
    let year = last_year();
    let frozen = freeze(
        &app,
        a,
        json!({
            "title": "Sachbericht 2025 Bürgerhaus", "from": format!("{year}-01-01"), "to": format!("{year}-12-31"),
            "group_by": ["month"], "indicators": ["visits", "volunteer_hours", "no_show_rate"],
            "narrative": {"goals": "Ältere Nachbarn erreichen.", "observed_changes": "Mehr Erstbesuche <im Frühjahr>."},
        }),
    )
    .await;
    let id = frozen["id"].as_str().expect("id");
    let url = format!("{}/api/v1/reports/snapshots/{id}?format=html", app.address);
    let plan = json!({
        "chromium": browser::chromium(),
        "headers": {"authorization": format!("Bearer {a}")},
        "screenshots": std::env::var("QUARTIER_SCREENSHOTS").ok(),
        "documents": [{"name": "printable-report", "url": url}],
    });
    let seen = browser::look_at(&plan).await;
    let page = &seen["printable-report"];
    assert_eq!(page["status"], 200, "{page}");
    assert_eq!(page["type"], "text/html; charset=utf-8");
    let shown = &page["seen"];
    assert_eq!(shown["lang"], "de");
    assert_eq!(shown["title"], "Sachbericht 2025 Bürgerhaus");
    assert_eq!(
        shown["headings"],
        json!([
            "Sachbericht 2025 Bürgerhaus",
            "Ziele",
            "Was geschah",
            "Beobachtete Veränderungen",
            "Kennzahlen",
            format!("März {year}"),
            format!("April {year}"),
            "Diagramme",
            "Definitionen"
        ])
    );
    let text = shown["text"].as_str().expect("text");
    for expected in [
        "Ältere Nachbarn erreichen.",
        "Mehr Erstbesuche <im Frühjahr>.",
        "Keine Angabe.",
        "Ehrenamtsstunden\t5,5",
        "Anteil nicht erschienen\t25,0 %",
        "Summe der erfassten Teilnehmenden",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    let charts = shown["charts"].as_array().expect("charts");
    assert_eq!(charts.len(), 3, "{shown}");
    assert_eq!(
        charts[0]["label"],
        format!("Besuche nach Monat, 01.01.{year} bis 31.12.{year}")
    );
    assert!(
        charts
            .iter()
            .all(|c| c["width"].as_f64().unwrap_or(0.0) > 300.0)
    );
    assert_eq!(page["axe"], json!([]), "{}", page["axe"]);
}

/// The pages of a PDF rendered by poppler's `pdftoppm` (Debian: poppler-utils) as grey
/// images: for each, its width, height and how many of its pixels are dark.
fn rendered_pages(pdf: &[u8]) -> Vec<(usize, usize, usize)> {
    let folder = std::env::temp_dir().join(format!("quartier-pdf-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&folder).expect("a folder");
    let file = folder.join("report.pdf");
    std::fs::write(&file, pdf).expect("write the PDF");
    let status = std::process::Command::new("pdftoppm")
        .args(["-r", "40", "-gray"])
        .arg(&file)
        .arg(folder.join("page"))
        .status()
        .expect("the PDF test needs pdftoppm (Debian: apt install poppler-utils)");
    assert!(status.success(), "pdftoppm could not render the PDF");
    let mut images: Vec<_> = std::fs::read_dir(&folder)
        .expect("pages")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pgm"))
        .collect();
    images.sort();
    let pages = images
        .iter()
        .map(|path| {
            // A binary PGM: "P5", width, height, maximum, then one byte per pixel.
            let bytes = std::fs::read(path).expect("a page");
            let mut fields = Vec::new();
            let mut at = 0;
            while fields.len() < 4 {
                while bytes[at].is_ascii_whitespace() {
                    at += 1;
                }
                let start = at;
                while !bytes[at].is_ascii_whitespace() {
                    at += 1;
                }
                fields.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
            }
            assert_eq!(fields[0], "P5");
            let (width, height): (usize, usize) = (
                fields[1].parse().expect("width"),
                fields[2].parse().expect("height"),
            );
            let pixels = &bytes[at + 1..];
            assert_eq!(pixels.len(), width * height);
            (width, height, pixels.iter().filter(|&&p| p < 128).count())
        })
        .collect();
    let _ = std::fs::remove_dir_all(&folder);
    pages
}

fn pdf_text(pdf: &[u8]) -> String {
    let file = std::env::temp_dir().join(format!("quartier-{}.pdf", uuid::Uuid::now_v7()));
    std::fs::write(&file, pdf).expect("write the PDF");
    let output = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("the PDF test needs pdftotext (Debian: apt install poppler-utils)");
    let _ = std::fs::remove_file(&file);
    String::from_utf8(output.stdout).expect("utf-8")
}

#[actix_web::test]
async fn the_printable_report_as_pdf_renders_to_pages_with_its_text_and_charts() {
    let app = TestApp::spawn().await;
    let h = history(&app).await;
    let a = &h.town.coord_a.access_token;
    let year = last_year();
    let long = "Im Erzählcafé trafen sich jede Woche Nachbarinnen und Nachbarn. ".repeat(40);
    let frozen = freeze(
        &app,
        a,
        json!({
            "title": "Sachbericht Bürgerhaus – Größe „Ü“", "from": format!("{year}-01-01"), "to": format!("{year}-12-31"),
            "group_by": ["month"],
            "indicators": ["visits", "volunteer_hours", "active_volunteers", "no_show_rate", "occurrences_held"],
            "narrative": {"goals": "Ältere Nachbarn erreichen.", "what_happened": long},
        }),
    )
    .await;
    let id = frozen["id"].as_str().expect("id");
    let got = app
        .send(
            Method::GET,
            &format!("/api/v1/reports/snapshots/{id}"),
            &[
                ("authorization", &format!("Bearer {a}")),
                ("accept", "application/pdf"),
            ],
            None,
        )
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("content-type"), Some("application/pdf"));
    assert!(got.body.starts_with(b"%PDF-"));

    if let Ok(folder) = std::env::var("QUARTIER_SCREENSHOTS") {
        std::fs::write(std::path::Path::new(&folder).join("report.pdf"), &got.body).expect("saved");
    }
    let pages = rendered_pages(&got.body);
    assert!(
        pages.len() >= 3,
        "narrative, figures and five charts take pages: {pages:?}"
    );
    for (n, (width, height, dark)) in pages.iter().enumerate() {
        // A4 at 40 dots per inch, upright.
        assert!(
            (320..=335).contains(width) && (460..=475).contains(height),
            "page {n}: {width}×{height}"
        );
        assert!(*dark > 200, "page {n} shows something: {dark} dark pixels");
    }
    // The charts' columns are the darkest: their pages have far more dark pixels than text.
    let darkest = pages.iter().map(|p| p.2).max().unwrap_or(0);
    let lightest = pages.iter().map(|p| p.2).min().unwrap_or(0);
    assert!(darkest > 2 * lightest.max(1), "{pages:?}");

    let text = pdf_text(&got.body);
    for expected in [
        "Sachbericht Bürgerhaus – Größe „Ü“",
        "Ältere Nachbarn erreichen.",
        "Ehrenamtsstunden",
        "Besuche nach Monat",
        "Mär",
        "25,0 %",
        "Definitionen",
        "Seite 1 von",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
}

#[actix_web::test]
async fn concerns_rooms_and_partners_are_counted_too() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let anna = app.signed_up("anna@example.org").await;
    let coordinator = &s.coordinator.access_token;
    // Six concerns; five answered in public 1, 2, 3, 4 and 10 days after they were raised, one
    // of them with an internal note first, and one with a draft that never went out.
    let mut concerns = Vec::new();
    for n in 0..6 {
        let concern = crate::concerns::published(
            &app,
            &s,
            &anna,
            json!({"title": format!("Bank am Spielplatz {n}"), "text": "Bitte eine Bank."}),
        )
        .await;
        concerns.push(concern["id"].as_str().expect("id").to_owned());
    }
    let answers = |id: &str| format!("/api/v1/concerns/{id}/answers");
    let note = post(
        &app,
        coordinator,
        &answers(&concerns[0]),
        json!({"text": "Amt fragen", "visibility": "internal"}),
    )
    .await;
    assert_eq!(note.status, 201);
    let draft = post(
        &app,
        coordinator,
        &answers(&concerns[5]),
        json!({"text": "Wir prüfen das.", "visibility": "public", "publish": false}),
    )
    .await;
    assert_eq!(draft.status, 201);
    for (id, days) in concerns.iter().zip([1, 2, 3, 4, 10]) {
        let answered = post(
            &app,
            coordinator,
            &answers(id),
            json!({"text": "Die Bank kommt.", "visibility": "public"}),
        )
        .await;
        assert_eq!(answered.status, 201, "{:?}", answered.json());
        // Raised `days` before its answer.
        exec(
            &app,
            &format!(
                "UPDATE concerns SET created_at = (SELECT min(published_at) FROM concern_answers \
                 WHERE concern_id = '{id}' AND published_at IS NOT NULL) - interval '{days} days' \
                 WHERE id = '{id}'"
            ),
        )
        .await;
    }
    exec(
        &app,
        &format!(
            "UPDATE concerns SET created_at = now() - interval '20 days' WHERE id = '{}'",
            concerns[5]
        ),
    )
    .await;

    // A room of the centre, booked by the operator for two hours and by a resident for three.
    let room = quartier_tests::rooms::room(
        &app,
        &s,
        json!({"name": "Gruppenraum", "capacity_seated": 20, "bookable_by": "residents"}),
    )
    .await;
    for (token, booker, hours) in [
        (coordinator.as_str(), "operator", 2),
        (anna.access_token.as_str(), "account", 3),
    ] {
        let start = quartier_tests::rooms::local(3, 9 + hours as u32 * 3, 0);
        let booked = quartier_tests::rooms::book(
            &app,
            token,
            &room,
            start,
            start + Duration::hours(hours),
            booker,
        )
        .await;
        assert_eq!(booked.status, 201, "{:?}", booked.json());
    }
    exec(
        &app,
        "UPDATE room_booking_dates SET status = 'confirmed' WHERE status = 'requested'",
    )
    .await;
    exec(
        &app,
        "UPDATE room_booking_dates SET starts_at = starts_at - interval '10 days', \
         ends_at = ends_at - interval '10 days', blocked = tstzrange(lower(blocked) - interval '10 days', \
         upper(blocked) - interval '10 days')",
    )
    .await;

    // Two partners in a network of the district, one of them having left before the period.
    let district = crate::concerns::district(&app).await;
    exec(
        &app,
        "INSERT INTO partners (id, name, kind) VALUES \
             ('00000000-0000-7000-8000-0000000000a1', 'Chor', 'association'), \
             ('00000000-0000-7000-8000-0000000000a2', 'Schule', 'school'), \
             ('00000000-0000-7000-8000-0000000000a3', 'Kirche', 'religious_community')",
    )
    .await;
    exec(
        &app,
        &format!(
            "INSERT INTO networks (id, name, kind, district_id) VALUES \
             ('00000000-0000-7000-8000-0000000000b1', 'Runder Tisch', 'round_table', '{district}')"
        ),
    )
    .await;
    exec(
        &app,
        "INSERT INTO network_memberships (id, network_id, partner_id, status, since, until) VALUES \
             ('00000000-0000-7000-8000-0000000000c1', '00000000-0000-7000-8000-0000000000b1', '00000000-0000-7000-8000-0000000000a1', 'active', now()::date - 100, NULL), \
             ('00000000-0000-7000-8000-0000000000c2', '00000000-0000-7000-8000-0000000000b1', '00000000-0000-7000-8000-0000000000a2', 'left', now()::date - 100, now()::date - 5), \
             ('00000000-0000-7000-8000-0000000000c3', '00000000-0000-7000-8000-0000000000b1', '00000000-0000-7000-8000-0000000000a3', 'left', now()::date - 100, now()::date - 60)",
    )
    .await;

    let today = Utc::now().date_naive();
    let period = format!("from={}&to={today}", today - Duration::days(30));
    let ask = |token: &str, query: String| {
        let app = &app;
        let token = token.to_owned();
        async move {
            let got = app
                .get(&format!("/api/v1/reports/indicators?{query}"), Some(&token))
                .await;
            assert_eq!(got.status, 200, "{}", String::from_utf8_lossy(&got.body));
            got.json()
        }
    };
    let keys = "concerns_received,concerns_answered,median_days_to_first_answer,room_hours_operator,room_hours_resident";
    let own = ask(coordinator, format!("{period}&indicators={keys}")).await;
    assert_eq!(
        Value::Object(figures(&only_row(&own))),
        json!({"concerns_received": 6.0, "concerns_answered": 5.0, "median_days_to_first_answer": 3.0,
               "room_hours_operator": 2.0, "room_hours_resident": 3.0})
    );
    // As outsiders see it: one resident's booking is hidden; the partners of the district
    // count for the town.
    let town = ask(
        &s.admin.access_token,
        format!("{period}&indicators={keys},partners_cooperating"),
    )
    .await;
    assert_eq!(
        Value::Object(figures(&only_row(&town))),
        json!({"concerns_received": 6.0, "concerns_answered": 5.0, "median_days_to_first_answer": 3.0,
               "room_hours_operator": 2.0, "room_hours_resident": "hidden", "partners_cooperating": 2.0})
    );
    let by_district = ask(
        &s.admin.access_token,
        format!("{period}&indicators=partners_cooperating&group_by=district"),
    )
    .await;
    assert_eq!(by_district["rows"][0]["district"]["id"], district.as_str());
    assert_eq!(
        figures(&by_district["rows"][0])["partners_cooperating"],
        json!(2.0)
    );
}

#[actix_web::test]
async fn indicators_of_the_demo_town_equal_its_shifts_and_dates_counted_one_by_one() {
    let app = TestApp::spawn().await;
    quartier_api::seed::seed_demo_town(app.settings.clone())
        .await
        .expect("the demo town");
    let admin = app.admin().await;
    let today = Utc::now().date_naive();
    let last = today + Duration::days(90);
    let got = app
        .get(
            &format!(
                "/api/v1/reports/indicators?from={today}&to={last}&group_by=operator\
                 &indicators=occurrences_cancelled,places_offered,places_filled"
            ),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(got.status, 200, "{}", String::from_utf8_lossy(&got.body));
    let report = got.json();

    // Counted one by one: every shift and date with its operator and start, the period's
    // bounds at midnight in Berlin.
    let berlin = |day: NaiveDate| {
        day.and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_local_timezone(chrono_tz::Europe::Berlin)
            .earliest()
            .expect("a time")
            .with_timezone(&Utc)
    };
    let (from, to) = (berlin(today), berlin(last + Duration::days(1)));
    let within = |at: &str| {
        let at = DateTime::parse_from_rfc3339(at)
            .expect("a time")
            .with_timezone(&Utc);
        from <= at && at < to
    };
    let mut expected: std::collections::BTreeMap<String, [f64; 3]> = Default::default();
    for line in app
        .texts(
            "SELECT s.operator_id || ' ' || s.capacity || ' ' || s.status || ' ' || \
             to_char(s.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM shifts s",
        )
        .await
    {
        let parts: Vec<&str> = line.split(' ').collect();
        if within(parts[3]) && parts[2] != "cancelled" {
            expected.entry(parts[0].to_owned()).or_default()[1] += parts[1].parse::<f64>().expect("a number");
        }
    }
    for line in app
        .texts(
            "SELECT s.operator_id || ' ' || to_char(s.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') \
             FROM signups g JOIN shifts s ON s.id = g.shift_id \
             WHERE g.status IN ('confirmed', 'attended', 'no_show') AND s.status <> 'cancelled'",
        )
        .await
    {
        let (operator, at) = line.split_once(' ').expect("two parts");
        if within(at) {
            expected.entry(operator.to_owned()).or_default()[2] += 1.0;
        }
    }
    for line in app
        .texts(
            "SELECT a.operator_id || ' ' || to_char(o.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') \
             FROM occurrences o JOIN activities a ON a.id = o.activity_id \
             WHERE o.cancelled AND a.status <> 'draft'",
        )
        .await
    {
        let (operator, at) = line.split_once(' ').expect("two parts");
        if within(at) {
            expected.entry(operator.to_owned()).or_default()[0] += 1.0;
        }
    }
    let counted: std::collections::BTreeMap<String, [f64; 3]> = report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            let f = figures(row);
            (
                row["operator"]["id"]
                    .as_str()
                    .expect("an operator")
                    .to_owned(),
                [
                    f["occurrences_cancelled"].as_f64().expect("a count"),
                    f["places_offered"].as_f64().expect("a count"),
                    // Hidden from the administrator when fewer than 5: then -1 here.
                    f["places_filled"].as_f64().unwrap_or(-1.0),
                ],
            )
        })
        .collect();
    expected.retain(|_, v| v.iter().any(|x| *x > 0.0));
    for v in expected.values_mut() {
        if (1.0..5.0).contains(&v[2]) {
            v[2] = -1.0;
        }
    }
    let counted_nonzero: std::collections::BTreeMap<_, _> = counted
        .iter()
        .filter(|(_, v)| v.iter().any(|x| *x != 0.0))
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    assert!(
        !expected.is_empty(),
        "the demo town has shifts in the next 90 days"
    );
    assert!(expected.values().any(|v| v[0] > 0.0), "and cancelled dates");
    assert_eq!(counted_nonzero, expected);
}

#[actix_web::test]
async fn dates_of_a_cancelled_activity_are_held_only_with_attendance_and_limited_coordinators_see_small_counts_hidden()
 {
    let app = TestApp::spawn().await;
    let t = town(&app).await;
    let year = last_year();
    let start = (Utc::now() + Duration::days(7)).date_naive();
    let activity = created_id(
        &post(
            &app,
            &t.coord_a.access_token,
            "/api/v1/activities",
            weekly(
                &t.a1,
                "Nähcafé",
                &format!("{start}T15:00:00"),
                "FREQ=WEEKLY",
            ),
        )
        .await,
    );
    let dates = occurrences(
        &app,
        Some(&t.coord_a.access_token),
        &activity,
        Utc::now(),
        Utc::now() + Duration::days(30),
    )
    .await;
    // Three dates in May; attendance recorded for two before the activity was cancelled.
    for (n, date) in dates.iter().take(3).enumerate() {
        let id = date["id"].as_str().expect("id");
        dated(&app, id, on(year, 5, 4 + 7 * n as u32)).await;
        if n < 2 {
            let recorded = visited(&app, &t.coord_a, id, json!({"participants": 3})).await;
            assert_eq!(recorded.status, 200, "{:?}", recorded.json());
        }
    }
    let cancelled = app
        .json(
            Method::PATCH,
            &format!("/api/v1/activities/{activity}"),
            Some(&t.coord_a.access_token),
            &[("if-match", "*")],
            &json!({"status": "cancelled"}),
        )
        .await;
    assert_eq!(cancelled.status, 200, "{:?}", cancelled.json());
    let figures_of = |report: &Value| Value::Object(figures(&only_row(report)));
    let own = report(
        &app,
        &t.coord_a.access_token,
        "&indicators=occurrences_held,occurrences_cancelled,visits",
    )
    .await;
    assert_eq!(
        figures_of(&own),
        json!({"occurrences_held": 2.0, "occurrences_cancelled": 1.0, "visits": 6.0})
    );

    // A coordinator of operator A limited to centre A1 is staff, but does not see all of A's
    // figures in full: small counts are hidden from her.
    app.signed_up("buero@example.org").await;
    let operator_a = operator_of(&app, &t.a1).await;
    let added = post(
        &app,
        &t.admin.access_token,
        &format!("/api/v1/operators/{operator_a}/members"),
        json!({"email": "buero@example.org", "role": "coordinator", "centre_ids": [t.a1]}),
    )
    .await;
    assert_eq!(added.status, 201, "{:?}", added.json());
    let login = app
        .login("buero@example.org", "ein sicheres Passwort")
        .await;
    let limited = login.json()["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let hers = report(&app, &limited, "&indicators=occurrences_cancelled,visits").await;
    assert_eq!(hers["small_cells_hidden"], true);
    assert_eq!(
        figures_of(&hers),
        json!({"occurrences_cancelled": 1.0, "visits": 6.0})
    );
    let few = report(
        &app,
        &limited,
        &format!("&indicators=visits&district_id={}", t.nordstadt),
    )
    .await;
    assert_eq!(few["small_cells_hidden"], true);
}
