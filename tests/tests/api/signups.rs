//! Shifts and sign-ups under load: never overbooked, waitlist in arrival order, no volunteer
//! in two places at once, qualifications valid on the day, promotion on cancellation, retries
//! that change nothing, and the outbox written with every change.

use actix_web::http::Method;
use chrono::{DateTime, Duration, Utc};
use futures_util::future::join_all;
use quartier_tests::{TestApp, TestResponse, TestUser};
use serde_json::{Value, json};

/// An operator with a coordinator and a centre; another operator's coordinator.
pub(crate) struct Setup {
    pub(crate) admin: TestUser,
    pub(crate) coordinator: TestUser,
    pub(crate) other_coordinator: TestUser,
    pub(crate) operator: String,
    pub(crate) other_operator: String,
    pub(crate) centre: String,
}

pub(crate) async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> TestResponse {
    app.json(Method::POST, path, Some(token), &[], &body).await
}

pub(crate) fn id_of(response: &TestResponse) -> String {
    assert!(
        (200..300).contains(&response.status),
        "{}: {}",
        response.status,
        String::from_utf8_lossy(&response.body)
    );
    response.json()["id"].as_str().expect("id").to_owned()
}

pub(crate) async fn setup(app: &TestApp) -> Setup {
    let admin = app.admin().await;
    let token = admin.access_token.clone();
    let district = id_of(
        &post(
            app,
            &token,
            "/api/v1/districts",
            json!({"name": "Nordstadt", "town": "Musterstadt"}),
        )
        .await,
    );
    let mut operators = Vec::new();
    for name in ["Träger A", "Träger B"] {
        operators.push(id_of(
            &post(
                app,
                &token,
                "/api/v1/operators",
                json!({"name": name, "kind": "association"}),
            )
            .await,
        ));
    }
    let coordinator = app.signed_up("coord@example.org").await;
    let other_coordinator = app.signed_up("other@example.org").await;
    for (operator, email) in [
        (&operators[0], "coord@example.org"),
        (&operators[1], "other@example.org"),
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
    let centre = id_of(
        &post(
            app,
            &token,
            "/api/v1/centres",
            json!({
                "operator_id": operators[0], "district_id": district, "name": "Bürgerhaus",
                "kind": "community_house",
                "address": {"street": "Marktplatz 1", "postcode": "44135", "town": "Musterstadt"},
                "position": {"latitude": 51.5, "longitude": 7.4},
            }),
        )
        .await,
    );
    Setup {
        admin,
        coordinator,
        other_coordinator,
        operator: operators[0].clone(),
        other_operator: operators[1].clone(),
        centre,
    }
}

/// A shift at the set-up centre, `hours` from now, lasting two hours.
pub(crate) async fn shift(
    app: &TestApp,
    s: &Setup,
    title: &str,
    hours: i64,
    capacity: i64,
    extra: Value,
) -> String {
    let starts_at = Utc::now() + Duration::hours(hours);
    let mut body = json!({
        "centre_id": s.centre, "title": title, "capacity": capacity,
        "starts_at": starts_at, "ends_at": starts_at + Duration::hours(2),
    });
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    id_of(&post(app, &s.coordinator.access_token, "/api/v1/shifts", body).await)
}

pub(crate) async fn sign_up(app: &TestApp, token: &str, shift: &str) -> TestResponse {
    app.send(
        Method::POST,
        &format!("/api/v1/shifts/{shift}/signups"),
        &[("authorization", &format!("Bearer {token}"))],
        None,
    )
    .await
}

fn at(value: &Value) -> DateTime<Utc> {
    value.as_str().expect("time").parse().expect("RFC 3339")
}

#[actix_web::test]
async fn a_hundred_and_twenty_at_once_never_overbook_and_wait_in_arrival_order() {
    let app = TestApp::spawn_with(&[("QUARTIER_DB_POOL_SIZE", "16")]).await;
    let s = setup(&app).await;
    let shift = shift(&app, &s, "Spielgruppe leiten", 48, 5, json!({})).await;
    let volunteers = app.volunteers(120).await;

    let answers = join_all(
        volunteers
            .iter()
            .map(|(_, token)| sign_up(&app, token, &shift)),
    )
    .await;

    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert!(
        statuses.iter().all(|s| *s == 201),
        "no 5xx, no refusal: {statuses:?}"
    );
    let confirmed = answers
        .iter()
        .filter(|a| a.json()["status"] == "confirmed")
        .count();
    assert_eq!(confirmed, 5);
    assert_eq!(app.count("signups", "status = 'confirmed'").await, 5);
    assert_eq!(app.count("signups", "status = 'waitlisted'").await, 115);
    assert_eq!(app.count("shifts", "confirmed_count = 5").await, 1);
    // Positions 1..115, each once, in the order the sign-ups were queued.
    let mut waiting: Vec<(i64, DateTime<Utc>)> = answers
        .iter()
        .map(|a| a.json())
        .filter(|a| a["status"] == "waitlisted")
        .map(|a| {
            (
                a["waitlist_position"].as_i64().expect("position"),
                at(&a["created_at"]),
            )
        })
        .collect();
    waiting.sort();
    assert_eq!(
        waiting.iter().map(|w| w.0).collect::<Vec<_>>(),
        (1..=115).collect::<Vec<_>>()
    );
    assert!(
        waiting.windows(2).all(|w| w[0].1 <= w[1].1),
        "first come, first in line"
    );
    // The public view: counts, no names.
    let public = app.get(&format!("/api/v1/shifts/{shift}"), None).await;
    assert_eq!(public.json()["free_places"], 0);
    assert_eq!(public.json()["waitlisted"], 115);
    let text = String::from_utf8_lossy(&public.body);
    assert!(!text.contains("volunteer-") && !text.contains(&volunteers[0].0));
    // The outbox holds one event per sign-up and the one that filled the shift.
    assert_eq!(
        app.count("outbox_events", "kind = 'signup.confirmed'")
            .await,
        5
    );
    assert_eq!(
        app.count("outbox_events", "kind = 'signup.waitlisted'")
            .await,
        115
    );
    assert_eq!(app.count("outbox_events", "kind = 'shift.filled'").await, 1);
    // Each event names its sign-up, shift, volunteer and start as the API writes them.
    let payloads = app
        .texts("SELECT payload FROM outbox_events WHERE kind LIKE 'signup.%'")
        .await;
    let mut seen = std::collections::HashSet::new();
    for payload in &payloads {
        let event: Value = serde_json::from_str(payload).expect("JSON payload");
        let signup = answers
            .iter()
            .map(|a| a.json())
            .find(|a| a["id"] == event["signup_id"])
            .expect("the event's sign-up was answered");
        assert_eq!(event["shift_id"], shift.as_str());
        assert_eq!(event["user_id"], signup["user_id"]);
        assert_eq!(event["starts_at"], public.json()["starts_at"], "{payload}");
        seen.insert(event["signup_id"].to_string());
    }
    assert_eq!(seen.len(), 120);
    let filled = app
        .texts("SELECT payload FROM outbox_events WHERE kind = 'shift.filled'")
        .await;
    let filled: Value = serde_json::from_str(&filled[0]).expect("JSON payload");
    assert_eq!(
        (
            &filled["shift_id"],
            &filled["capacity"],
            &filled["confirmed_count"],
            &filled["status"]
        ),
        (&json!(shift), &json!(5), &json!(5), &json!("open"))
    );
}

#[actix_web::test]
async fn simultaneous_cancellations_and_sign_ups_keep_the_places_full_and_exact() {
    let app = TestApp::spawn_with(&[("QUARTIER_DB_POOL_SIZE", "16")]).await;
    let s = setup(&app).await;
    let shift = shift(&app, &s, "Thekendienst", 48, 5, json!({})).await;
    let first = app.volunteers(20).await;
    let mut ids = Vec::new();
    for (_, token) in &first {
        ids.push(id_of(&sign_up(&app, token, &shift).await));
    }
    let late = app.volunteers(30).await;

    // The five confirmed cancel while thirty more sign up.
    let cancels = ids[..5].iter().zip(&first[..5]).map(|(id, (_, token))| {
        let app = &app;
        async move {
            app.send(
                Method::POST,
                &format!("/api/v1/signups/{id}/cancel"),
                &[("authorization", &format!("Bearer {token}"))],
                None,
            )
            .await
            .status
        }
    });
    let signups = late.iter().map(|(_, token)| {
        let app = &app;
        let shift = &shift;
        async move { sign_up(app, token, shift).await.status }
    });
    let (cancelled, signed) = tokio::join!(join_all(cancels), join_all(signups));

    assert!(cancelled.iter().all(|s| *s == 200), "{cancelled:?}");
    assert!(signed.iter().all(|s| *s == 201), "{signed:?}");
    assert_eq!(app.count("signups", "status = 'confirmed'").await, 5);
    assert_eq!(app.count("shifts", "confirmed_count = 5").await, 1);
    assert_eq!(app.count("signups", "status = 'cancelled'").await, 5);
    assert_eq!(app.count("signups", "status = 'waitlisted'").await, 40);
    // The freed places went to the first five who waited, before the late-comers.
    let promoted: Vec<String> = ids[5..10].to_vec();
    for id in &promoted {
        assert_eq!(
            app.count("signups", &format!("id = '{id}' AND status = 'confirmed'"))
                .await,
            1
        );
    }
    assert_eq!(
        app.count("outbox_events", "kind = 'signup.promoted'").await,
        5
    );
}

#[actix_web::test]
async fn one_volunteer_racing_for_two_overlapping_shifts_gets_one() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let morning = shift(&app, &s, "Aufbau", 24, 10, json!({})).await;
    let overlapping = {
        let starts_at = Utc::now() + Duration::hours(25);
        id_of(
            &post(
                &app,
                &s.coordinator.access_token,
                "/api/v1/shifts",
                json!({"centre_id": s.centre, "title": "Kuchenbuffet", "capacity": 10,
                       "starts_at": starts_at, "ends_at": starts_at + Duration::hours(2)}),
            )
            .await,
        )
    };
    for _ in 0..5 {
        let (_, token) = app.volunteers(1).await.remove(0);
        let (a, b) = tokio::join!(
            sign_up(&app, &token, &morning),
            sign_up(&app, &token, &overlapping)
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [201, 409]);
        let refused = if a.status == 409 { a } else { b };
        refused.assert_problem(409, "overlapping-shift");
    }
    assert_eq!(app.count("signups", "status = 'confirmed'").await, 5);
}

#[actix_web::test]
async fn qualifications_must_be_inspected_and_valid_on_the_shifts_day() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let police = "00000000-0000-7000-8000-000000000001";
    let children = shift(
        &app,
        &s,
        "Spielgruppe leiten",
        72,
        2,
        json!({"required_qualifications": [police]}),
    )
    .await;
    let volunteers = app.volunteers(3).await;
    let record = |user: &str, expires: Option<chrono::NaiveDate>, inspected: bool| {
        let sql = format!(
            "INSERT INTO volunteer_qualifications (id, user_id, type_id, issued_on, inspected_on, inspected_by, expires_on) \
             VALUES (gen_random_uuid(), '{user}', '{police}', now()::date - 1000, {}, {}, {})",
            if inspected { "now()::date - 1" } else { "NULL" },
            if inspected {
                format!("'{}'", s.coordinator.id)
            } else {
                "NULL".into()
            },
            expires.map_or("NULL".into(), |d| format!("'{d}'")),
        );
        let app = &app;
        async move {
            use diesel_async::RunQueryDsl;
            diesel::sql_query(sql)
                .execute(&mut app.conn().await)
                .await
                .expect("qualification");
        }
    };
    let shift_day = (Utc::now() + Duration::hours(72))
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive();
    // Inspected yesterday, valid for years.
    record(
        &volunteers[0].0,
        Some(shift_day + Duration::days(700)),
        true,
    )
    .await;
    // Expires on the shift's day: it no longer counts then.
    record(&volunteers[1].0, Some(shift_day), true).await;
    // Declared, never inspected.
    record(&volunteers[2].0, None, false).await;

    assert_eq!(sign_up(&app, &volunteers[0].1, &children).await.status, 201);
    for (_, token) in &volunteers[1..] {
        let refused = sign_up(&app, token, &children).await;
        let problem = refused.assert_problem(422, "qualification-missing");
        assert!(
            problem["detail"]
                .as_str()
                .expect("detail")
                .contains("Führungszeugnis")
        );
    }
    assert_eq!(app.count("signups", "true").await, 1);
}

#[actix_web::test]
async fn a_cancellation_promotes_the_first_waiting_volunteer_who_is_free_then() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let shift_id = shift(&app, &s, "Tische decken", 48, 1, json!({})).await;
    let other = shift(&app, &s, "Abwasch", 48, 5, json!({})).await;
    let people = app.volunteers(3).await;
    let holder = id_of(&sign_up(&app, &people[0].1, &shift_id).await);
    let busy = id_of(&sign_up(&app, &people[1].1, &shift_id).await);
    let free = id_of(&sign_up(&app, &people[2].1, &shift_id).await);
    // The first in line took a confirmed shift at the same time meanwhile.
    assert_eq!(
        sign_up(&app, &people[1].1, &other).await.json()["status"],
        "confirmed"
    );

    let cancelled = app
        .send(
            Method::DELETE,
            &format!("/api/v1/signups/{holder}"),
            &[("authorization", &format!("Bearer {}", people[0].1))],
            None,
        )
        .await;

    assert_eq!(
        cancelled.status,
        200,
        "{}",
        String::from_utf8_lossy(&cancelled.body)
    );
    assert_eq!(cancelled.json()["status"], "cancelled");
    assert_eq!(cancelled.json()["late_cancellation"], false);
    assert_eq!(cancelled.json()["promoted_signup_id"], free.as_str());
    let busy_now = app
        .get(&format!("/api/v1/signups/{busy}"), Some(&people[1].1))
        .await;
    assert_eq!(busy_now.json()["status"], "waitlisted");
    assert_eq!(busy_now.json()["waitlist_position"], 1);
    assert_eq!(
        app.get(&format!("/api/v1/signups/{free}"), Some(&people[2].1))
            .await
            .json()["status"],
        "confirmed"
    );
    // Cancelling twice is refused; so is cancelling someone else's.
    app.send(
        Method::DELETE,
        &format!("/api/v1/signups/{holder}"),
        &[("authorization", &format!("Bearer {}", people[0].1))],
        None,
    )
    .await
    .assert_problem(409, "signup-not-live");
    app.send(
        Method::DELETE,
        &format!("/api/v1/signups/{free}"),
        &[("authorization", &format!("Bearer {}", people[0].1))],
        None,
    )
    .await
    .assert_problem(404, "not-found");
    app.send(
        Method::POST,
        &format!("/api/v1/signups/{free}/cancel"),
        &[(
            "authorization",
            &format!("Bearer {}", s.other_coordinator.access_token),
        )],
        None,
    )
    .await
    .assert_problem(404, "not-found");
    assert_eq!(app.count("signups", "status = 'confirmed'").await, 2);
}

#[actix_web::test]
async fn a_cancellation_within_a_day_is_marked_late() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let soon = shift(&app, &s, "Kaffee kochen", 5, 2, json!({})).await;
    let (_, token) = app.volunteers(1).await.remove(0);
    let id = id_of(&sign_up(&app, &token, &soon).await);
    let cancelled = app
        .send(
            Method::POST,
            &format!("/api/v1/signups/{id}/cancel"),
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
        .await;
    assert_eq!(cancelled.json()["late_cancellation"], true);
    assert_eq!(app.count("signups", "late_cancellation").await, 1);
    assert_eq!(
        app.count(
            "outbox_events",
            "kind = 'signup.cancelled' AND payload::jsonb @> '{\"late_cancellation\": true, \"previous_status\": \"confirmed\"}'"
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn a_retried_sign_up_with_the_same_key_gets_the_first_answer() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let shift_id = shift(&app, &s, "Einlass", 48, 1, json!({})).await;
    let people = app.volunteers(2).await;
    let send = |token: String, key: &'static str| {
        let app = &app;
        let shift_id = shift_id.clone();
        async move {
            app.send(
                Method::POST,
                &format!("/api/v1/shifts/{shift_id}/signups"),
                &[
                    ("authorization", &format!("Bearer {token}")),
                    ("idempotency-key", key),
                ],
                None,
            )
            .await
        }
    };
    // Three retries at once, and one later: one sign-up, four equal answers.
    let first = join_all((0..3).map(|_| send(people[0].1.clone(), "abc-1"))).await;
    let later = send(people[0].1.clone(), "abc-1").await;
    for answer in first.iter().chain([&later]) {
        assert_eq!(
            answer.status,
            201,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
        assert_eq!(answer.json()["id"], first[0].json()["id"]);
        assert_eq!(answer.json()["status"], "confirmed");
    }
    assert_eq!(app.count("signups", "true").await, 1);
    assert_eq!(app.count("outbox_events", "kind LIKE 'signup.%'").await, 1);
    // The same key from someone else is their own; a refusal is replayed too.
    let other = send(people[1].1.clone(), "abc-1").await;
    assert_eq!(other.json()["status"], "waitlisted");
    let again = send(people[1].1.clone(), "abc-2").await;
    again.assert_problem(409, "already-signed-up");
    send(people[1].1.clone(), "abc-2")
        .await
        .assert_problem(409, "already-signed-up");
    // The same key for another request is refused.
    let elsewhere = shift(&app, &s, "Abbau", 72, 1, json!({})).await;
    let reused = app
        .send(
            Method::POST,
            &format!("/api/v1/shifts/{elsewhere}/signups"),
            &[
                ("authorization", &format!("Bearer {}", people[1].1)),
                ("idempotency-key", "abc-1"),
            ],
            None,
        )
        .await;
    reused.assert_problem(422, "validation-failed");
    assert_eq!(app.count("signups", "true").await, 2);
}

#[actix_web::test]
async fn shifts_for_every_date_and_the_rules_for_past_and_foreign_shifts() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let start = (Utc::now() + Duration::days(1))
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive();
    let activity = id_of(
        &post(
            &app,
            &s.coordinator.access_token,
            "/api/v1/activities",
            json!({"centre_id": s.centre, "title": "Kaffeetisch", "category": "coffee_table", "status": "published",
                   "schedule": {"kind": "recurring", "rrule": "FREQ=WEEKLY;COUNT=6", "first_start": format!("{start}T15:00:00"), "duration_minutes": 120}}),
        )
        .await,
    );
    // "Two helpers every week", from half an hour before until the end.
    let created = post(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/activities/{activity}/shifts"),
        json!({"title": "Kuchen backen und aufbauen", "capacity": 2, "start_offset_minutes": -30}),
    )
    .await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    assert_eq!(created.json()["created"], 6);
    let first = created.json()["shift_ids"][0]
        .as_str()
        .expect("id")
        .to_owned();
    let first_shift = app
        .get(&format!("/api/v1/shifts/{first}"), None)
        .await
        .json();
    assert_eq!(first_shift["activity"]["title"], "Kaffeetisch");
    assert_eq!(first_shift["capacity"], 2);
    assert_eq!(first_shift["free_places"], 2);
    assert_eq!(app.count("shifts", "occurrence_id IS NOT NULL").await, 6);

    // Another operator's coordinator can neither create shifts here nor sign up others.
    post(
        &app,
        &s.other_coordinator.access_token,
        &format!("/api/v1/activities/{activity}/shifts"),
        json!({"title": "X", "capacity": 1}),
    )
    .await
    .assert_problem(403, "forbidden");
    let starts_at = Utc::now() + Duration::hours(30);
    post(&app, &s.other_coordinator.access_token, "/api/v1/shifts",
         json!({"centre_id": s.centre, "title": "X", "capacity": 1, "starts_at": starts_at, "ends_at": starts_at + Duration::hours(1)}))
        .await
        .assert_problem(403, "forbidden");
    let (volunteer, _) = app.volunteers(1).await.remove(0);
    post(
        &app,
        &s.other_coordinator.access_token,
        &format!("/api/v1/shifts/{first}/signups"),
        json!({"user_id": volunteer}),
    )
    .await
    .assert_problem(403, "forbidden");
    // Their own coordinator may sign up a named volunteer.
    let named = post(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/shifts/{first}/signups"),
        json!({"user_id": volunteer}),
    )
    .await;
    assert_eq!(named.status, 201);
    assert_eq!(named.json()["user_id"], volunteer.as_str());
    post(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/shifts/{first}/signups"),
        json!({"user_id": volunteer}),
    )
    .await
    .assert_problem(409, "already-signed-up");

    // A shift that has begun takes no sign-ups.
    let begun = {
        use diesel_async::RunQueryDsl;
        let id = shift(&app, &s, "Gestern", 10, 2, json!({})).await;
        diesel::sql_query(format!(
            "UPDATE shifts SET starts_at = now() - interval '1 hour' WHERE id = '{id}'"
        ))
        .execute(&mut app.conn().await)
        .await
        .expect("move into the past");
        id
    };
    let (_, token) = app.volunteers(1).await.remove(0);
    sign_up(&app, &token, &begun)
        .await
        .assert_problem(409, "shift-past");
    sign_up(&app, &token, "018f0000-0000-7000-8000-000000000000")
        .await
        .assert_problem(404, "not-found");
    let _ = (&s.admin, &s.operator);
}

#[actix_web::test]
async fn volunteers_declare_and_staff_inspect_qualifications_through_the_api() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let types = app.get("/api/v1/qualification-types", None).await.json();
    let mut codes: Vec<&str> = types
        .as_array()
        .expect("types")
        .iter()
        .filter_map(|t| t["code"].as_str())
        .collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        ["extended_police_certificate", "first_aid", "food_hygiene"]
    );
    let police = types
        .as_array()
        .expect("types")
        .iter()
        .find(|t| t["code"] == "extended_police_certificate")
        .expect("police certificate");
    assert_eq!(police["validity_months"], 60);
    let police = police["id"].as_str().expect("id").to_owned();
    let shift_id = shift(
        &app,
        &s,
        "Hausaufgabenhilfe",
        48,
        2,
        json!({"required_qualifications": [police]}),
    )
    .await;
    let volunteer = app.signed_up("helga@example.org").await;
    let issued = (Utc::now() - Duration::days(400)).date_naive();

    let declared = post(
        &app,
        &volunteer.access_token,
        "/api/v1/me/qualifications",
        json!({"type_id": police, "issued_on": issued}),
    )
    .await;
    assert_eq!(declared.status, 201);
    assert_eq!(declared.json()["status"], "declared");
    sign_up(&app, &volunteer.access_token, &shift_id)
        .await
        .assert_problem(422, "qualification-missing");

    // Another operator's coordinator may inspect too (for their operator); a volunteer may not.
    post(
        &app,
        &volunteer.access_token,
        &format!("/api/v1/operators/{}/qualification-checks", s.operator),
        json!({"user_id": volunteer.id, "type_id": police, "issued_on": issued}),
    )
    .await
    .assert_problem(403, "forbidden");
    let inspected = post(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/operators/{}/qualification-checks", s.operator),
        json!({"user_id": volunteer.id, "type_id": police, "issued_on": issued}),
    )
    .await;
    assert_eq!(
        inspected.status,
        201,
        "{}",
        String::from_utf8_lossy(&inspected.body)
    );
    assert_eq!(inspected.json()["status"], "valid");
    let expected_expiry = issued
        .checked_add_months(chrono::Months::new(60))
        .expect("date");
    assert_eq!(
        inspected.json()["expires_on"],
        expected_expiry.to_string(),
        "five years"
    );
    assert_eq!(
        sign_up(&app, &volunteer.access_token, &shift_id)
            .await
            .status,
        201
    );
    let mine = app
        .get("/api/v1/me/qualifications", Some(&volunteer.access_token))
        .await;
    assert_eq!(mine.json()[0]["status"], "valid");
    assert_eq!(mine.json()[0]["inspected_for"], s.operator.as_str());
    // Only the fact of the inspection is stored: no column could hold a document.
    assert_eq!(
        app.count(
            "information_schema.columns",
            "table_name = 'volunteer_qualifications' AND data_type IN ('bytea', 'text')"
        )
        .await,
        0
    );
    // A renewal with a new issue date needs a new inspection.
    let renewed = post(
        &app,
        &volunteer.access_token,
        "/api/v1/me/qualifications",
        json!({"type_id": police, "issued_on": issued + Duration::days(100)}),
    )
    .await;
    assert_eq!(renewed.json()["status"], "declared");
    post(
        &app,
        &volunteer.access_token,
        "/api/v1/me/qualifications",
        json!({"type_id": "018f0000-0000-7000-8000-000000000000", "issued_on": issued}),
    )
    .await
    .assert_problem(422, "validation-failed");
}

#[actix_web::test]
async fn rosters_are_for_the_owning_operators_staff_only_and_record_attendance() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let soon = shift(&app, &s, "Tische decken", 1, 1, json!({})).await;
    let helga = app.signed_up("helga@example.org").await;
    let (_, other) = app.volunteers(1).await.remove(0);
    let confirmed = id_of(&sign_up(&app, &helga.access_token, &soon).await);
    let waiting = id_of(&sign_up(&app, &other, &soon).await);

    for token in [&s.other_coordinator.access_token, &helga.access_token] {
        app.get(&format!("/api/v1/shifts/{soon}/roster"), Some(token))
            .await
            .assert_problem(403, "forbidden");
        let from = Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
        let to = (Utc::now() + Duration::days(2)).format("%Y-%m-%dT%H:%M:%SZ");
        app.get(
            &format!("/api/v1/centres/{}/roster?from={from}&to={to}", s.centre),
            Some(token),
        )
        .await
        .assert_problem(403, "forbidden");
        app.json(
            Method::POST,
            &format!("/api/v1/signups/{confirmed}/check-in"),
            Some(token),
            &[],
            &json!({}),
        )
        .await;
    }
    assert_eq!(
        app.count("signups", "checked_in_at IS NOT NULL").await,
        0,
        "neither could check in"
    );

    // Helga wants to be reached by text message: the roster shows her number, not her address.
    let profile = app
        .json(
            Method::PATCH,
            "/api/v1/me/profile",
            Some(&helga.access_token),
            &[("if-match", "*")],
            &json!({"phone": "+49 231 7654321", "contact_by": "sms"}),
        )
        .await;
    assert_eq!(profile.status, 200);
    let roster = app
        .get(
            &format!("/api/v1/shifts/{soon}/roster"),
            Some(&s.coordinator.access_token),
        )
        .await;
    assert_eq!(roster.status, 200);
    let entries = roster.json();
    assert_eq!(entries[0]["name"], "Test Person");
    assert_eq!(entries[0]["contact_by"], "sms");
    assert_eq!(entries[0]["phone"], "+49 231 7654321");
    assert_eq!(entries[0]["email"], Value::Null);
    assert!(
        entries[1]["email"]
            .as_str()
            .expect("email")
            .starts_with("volunteer-")
    );
    assert_eq!(entries[0]["status"], "confirmed");
    assert_eq!(entries[1]["status"], "waitlisted");
    assert_eq!(entries[1]["waitlist_position"], 1);
    let csv = app
        .send(
            Method::GET,
            &format!("/api/v1/shifts/{soon}/roster"),
            &[
                ("authorization", &format!("Bearer {}", s.admin.access_token)),
                ("accept", "text/csv"),
            ],
            None,
        )
        .await;
    assert!(
        csv.header("content-type")
            .expect("type")
            .starts_with("text/csv")
    );
    let text = String::from_utf8(csv.body.clone()).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("signup_id,shift_id,shift_title"));
    // A leading + would make spreadsheet programs read a formula: it is quoted away.
    assert!(
        lines[1].contains(",sms,,'+49 231 7654321,confirmed,"),
        "{}",
        lines[1]
    );

    // Check-in opens two hours before; attendance once the shift has begun.
    let checked = app
        .json(
            Method::POST,
            &format!("/api/v1/signups/{confirmed}/check-in"),
            Some(&s.coordinator.access_token),
            &[],
            &json!({}),
        )
        .await;
    assert_eq!(
        checked.status,
        200,
        "{}",
        String::from_utf8_lossy(&checked.body)
    );
    app.json(
        Method::POST,
        &format!("/api/v1/signups/{waiting}/check-in"),
        Some(&s.coordinator.access_token),
        &[],
        &json!({}),
    )
    .await
    .assert_problem(409, "signup-not-confirmed");
    app.json(
        Method::POST,
        &format!("/api/v1/signups/{confirmed}/attendance"),
        Some(&s.coordinator.access_token),
        &[],
        &json!({"attended": true}),
    )
    .await
    .assert_problem(409, "not-yet");
    {
        use diesel_async::RunQueryDsl;
        diesel::sql_query(format!(
            "UPDATE shifts SET starts_at = now() - interval '3 hours', ends_at = now() - interval '1 hour' WHERE id = '{soon}'"
        ))
        .execute(&mut app.conn().await)
        .await
        .expect("the shift is over");
    }
    let attended = app
        .json(
            Method::POST,
            &format!("/api/v1/signups/{confirmed}/attendance"),
            Some(&s.coordinator.access_token),
            &[],
            &json!({"attended": true}),
        )
        .await;
    assert_eq!(
        attended.status,
        200,
        "{}",
        String::from_utf8_lossy(&attended.body)
    );
    assert_eq!(attended.json()["status"], "attended");
    assert_eq!(
        app.count("signups", "minutes_worked = 120").await,
        1,
        "the shift's length by default"
    );
    let corrected = app
        .json(
            Method::POST,
            &format!("/api/v1/signups/{confirmed}/attendance"),
            Some(&s.coordinator.access_token),
            &[],
            &json!({"attended": true, "minutes_worked": 90}),
        )
        .await;
    assert_eq!(corrected.status, 200);
    assert_eq!(app.count("signups", "minutes_worked = 90").await, 1);
    app.json(
        Method::POST,
        &format!("/api/v1/signups/{confirmed}/attendance"),
        Some(&s.other_coordinator.access_token),
        &[],
        &json!({"attended": false}),
    )
    .await
    .assert_problem(404, "not-found");
    assert_eq!(app.count("signups", "status = 'attended'").await, 1);
}

async fn patch_shift(app: &TestApp, token: &str, shift: &str, body: Value) -> TestResponse {
    app.json(
        Method::PATCH,
        &format!("/api/v1/shifts/{shift}"),
        Some(token),
        &[("if-match", "*")],
        &body,
    )
    .await
}

#[actix_web::test]
async fn capacity_changes_move_volunteers_and_a_cancelled_shift_cancels_its_sign_ups() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let shift_id = shift(&app, &s, "Thekendienst", 48, 3, json!({})).await;
    let people = app.volunteers(5).await;
    let mut ids = Vec::new();
    for (_, token) in &people {
        ids.push(id_of(&sign_up(&app, token, &shift_id).await));
    }
    let token = &s.coordinator.access_token;

    // Fewer places than confirmed: refused until staff say who goes back to the waitlist.
    patch_shift(&app, token, &shift_id, json!({"capacity": 2}))
        .await
        .assert_problem(409, "capacity-below-confirmed");
    patch_shift(
        &app,
        token,
        &shift_id,
        json!({"capacity": 2, "move_to_waitlist": [ids[4]]}),
    )
    .await
    .assert_problem(422, "validation-failed");
    let lowered = patch_shift(
        &app,
        token,
        &shift_id,
        json!({"capacity": 2, "move_to_waitlist": [ids[2]]}),
    )
    .await;
    assert_eq!(
        lowered.status,
        200,
        "{}",
        String::from_utf8_lossy(&lowered.body)
    );
    assert_eq!(lowered.json()["confirmed"], 2);
    assert_eq!(lowered.json()["waitlisted"], 3);
    assert_eq!(
        app.count(
            "signups",
            &format!("id = '{}' AND status = 'waitlisted'", ids[2])
        )
        .await,
        1
    );

    // More places: the first in line are promoted.
    let raised = patch_shift(&app, token, &shift_id, json!({"capacity": 4})).await;
    assert_eq!(raised.json()["confirmed"], 4);
    assert_eq!(raised.json()["waitlisted"], 1);
    assert_eq!(
        app.count(
            "signups",
            &format!("id = '{}' AND status = 'confirmed'", ids[2])
        )
        .await,
        1,
        "back first"
    );
    assert_eq!(
        app.count(
            "signups",
            &format!("id = '{}' AND status = 'waitlisted'", ids[4])
        )
        .await,
        1
    );

    // New times carry over to the sign-ups.
    let later = Utc::now() + Duration::hours(72);
    let moved = patch_shift(
        &app,
        token,
        &shift_id,
        json!({"starts_at": later, "ends_at": later + Duration::hours(1)}),
    )
    .await;
    assert_eq!(moved.status, 200);
    assert_eq!(
        app.count("signups", "ends_at - starts_at = interval '1 hour'")
            .await,
        5
    );

    // Another operator's coordinator may not; the owner cancels.
    patch_shift(
        &app,
        &s.other_coordinator.access_token,
        &shift_id,
        json!({"status": "cancelled"}),
    )
    .await
    .assert_problem(403, "forbidden");
    let cancelled = patch_shift(&app, token, &shift_id, json!({"status": "cancelled"})).await;
    assert_eq!(cancelled.json()["status"], "cancelled");
    assert_eq!(app.count("signups", "status = 'cancelled'").await, 5);
    assert_eq!(
        app.count("shifts", "confirmed_count = 0 AND status = 'cancelled'")
            .await,
        1
    );
    assert_eq!(
        app.count("outbox_events", "kind = 'shift.cancelled'").await,
        1
    );
    sign_up(&app, &people[0].1, &shift_id)
        .await
        .assert_problem(409, "shift-cancelled");
    patch_shift(&app, token, &shift_id, json!({"capacity": 9}))
        .await
        .assert_problem(409, "shift-cancelled");
}

#[actix_web::test]
async fn volunteers_keep_a_profile_see_their_sign_ups_and_prove_their_hours() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let helga = app.signed_up("helga@example.org").await;
    let token = &helga.access_token;

    let empty = app.get("/api/v1/me/profile", Some(token)).await;
    assert_eq!(empty.json()["version"], 0);
    assert_eq!(empty.json()["contact_by"], "email");
    let sms_without_phone = app
        .json(
            Method::PATCH,
            "/api/v1/me/profile",
            Some(token),
            &[("if-match", "\"0\"")],
            &json!({"contact_by": "sms"}),
        )
        .await;
    assert_eq!(sms_without_phone.problem_fields(), ["contact_by"]);
    let saved = app
        .json(
            Method::PATCH,
            "/api/v1/me/profile",
            Some(token),
            &[("if-match", "\"0\"")],
            &json!({"phone": "+49 231 1234567", "languages": ["de", "TR"], "skills": ["Baking", "childcare", "baking"],
                    "availability": "Dienstags nachmittags", "contact_by": "sms"}),
        )
        .await;
    assert_eq!(
        saved.status,
        200,
        "{}",
        String::from_utf8_lossy(&saved.body)
    );
    assert_eq!(saved.json()["skills"], json!(["baking", "childcare"]));
    assert_eq!(saved.json()["languages"], json!(["de", "tr"]));
    assert_eq!(saved.json()["version"], 1);
    app.json(
        Method::PATCH,
        "/api/v1/me/profile",
        Some(token),
        &[("if-match", "\"0\"")],
        &json!({"availability": "x"}),
    )
    .await
    .assert_problem(412, "version-conflict");
    app.json(
        Method::PATCH,
        "/api/v1/me/profile",
        Some(token),
        &[("if-match", "*")],
        &json!({"district_ids": ["018f0000-0000-7000-8000-000000000000"]}),
    )
    .await
    .assert_problem(422, "validation-failed");

    // Two coming shifts and one that is over and attended.
    let first = shift(&app, &s, "Aufbau", 24, 2, json!({})).await;
    let second = shift(&app, &s, "Abbau", 30, 2, json!({})).await;
    let done = shift(&app, &s, "Flohmarkt", 5, 2, json!({})).await;
    for shift_id in [&first, &second, &done] {
        assert_eq!(sign_up(&app, token, shift_id).await.status, 201);
    }
    {
        use diesel_async::RunQueryDsl;
        let mut conn = app.conn().await;
        for sql in [
            format!(
                "UPDATE shifts SET starts_at = now() - interval '5 hours', ends_at = now() - interval '2 hours' WHERE id = '{done}'"
            ),
            format!(
                "UPDATE signups SET starts_at = now() - interval '5 hours', ends_at = now() - interval '2 hours' WHERE shift_id = '{done}'"
            ),
        ] {
            diesel::sql_query(sql)
                .execute(&mut conn)
                .await
                .expect("over");
        }
    }
    let signup = app.count("signups", &format!("shift_id = '{done}'")).await;
    assert_eq!(signup, 1);
    let done_signup = {
        let page = app
            .get("/api/v1/me/signups?past=true", Some(token))
            .await
            .json();
        assert_eq!(page["items"].as_array().expect("items").len(), 1);
        assert_eq!(page["items"][0]["shift_title"], "Flohmarkt");
        page["items"][0]["id"].as_str().expect("id").to_owned()
    };
    let attended = app
        .json(
            Method::POST,
            &format!("/api/v1/signups/{done_signup}/attendance"),
            Some(&s.coordinator.access_token),
            &[],
            &json!({"attended": true, "minutes_worked": 200}),
        )
        .await;
    assert_eq!(attended.status, 200);

    let coming = app
        .get("/api/v1/me/signups?limit=1", Some(token))
        .await
        .json();
    assert_eq!(coming["items"][0]["shift_title"], "Aufbau");
    assert_eq!(coming["items"][0]["centre"]["name"], "Bürgerhaus");
    let cursor = coming["next_cursor"].as_str().expect("more");
    let next = app
        .get(
            &format!("/api/v1/me/signups?limit=1&cursor={cursor}"),
            Some(token),
        )
        .await
        .json();
    assert_eq!(next["items"][0]["shift_title"], "Abbau");
    assert!(next["next_cursor"].is_null());

    let hours = app.get("/api/v1/me/hours", Some(token)).await.json();
    assert_eq!(hours[0]["operator"]["name"], "Träger A");
    assert_eq!(hours[0]["shifts"], 1);
    assert_eq!(hours[0]["minutes"], 200);
    assert_eq!(hours[0]["hours"], 3.25);
    // Nobody else sees them.
    let (_, stranger) = app.volunteers(1).await.remove(0);
    assert_eq!(
        app.get("/api/v1/me/hours", Some(&stranger)).await.json(),
        json!([])
    );
    assert_eq!(
        app.get("/api/v1/me/signups", Some(&stranger)).await.json()["items"],
        json!([])
    );
}

#[actix_web::test]
async fn finding_shifts_by_skill_free_places_and_what_one_may_take() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let police = "00000000-0000-7000-8000-000000000001";
    let kitchen = shift(
        &app,
        &s,
        "Kuchen backen",
        24,
        1,
        json!({"skills": ["Baking"]}),
    )
    .await;
    let children = shift(
        &app,
        &s,
        "Spielgruppe",
        48,
        2,
        json!({"skills": ["childcare"], "required_qualifications": [police]}),
    )
    .await;
    let clash = shift(&app, &s, "Abwasch", 72, 2, json!({})).await;
    let busy = {
        let starts_at = Utc::now() + Duration::hours(73);
        id_of(&post(&app, &s.coordinator.access_token, "/api/v1/shifts",
            json!({"centre_id": s.centre, "title": "Gartenarbeit", "capacity": 3, "starts_at": starts_at, "ends_at": starts_at + Duration::hours(2)})).await)
    };
    let people = app.volunteers(2).await;
    // The kitchen shift fills up; the volunteer takes the garden shift, which clashes with the dishes.
    assert_eq!(
        sign_up(&app, &people[1].1, &kitchen).await.json()["status"],
        "confirmed"
    );
    assert_eq!(
        sign_up(&app, &people[0].1, &busy).await.json()["status"],
        "confirmed"
    );

    let from = (Utc::now()).format("%Y-%m-%dT%H:%M:%SZ");
    let to = (Utc::now() + Duration::days(7)).format("%Y-%m-%dT%H:%M:%SZ");
    let titles = |query: String, token: Option<String>| {
        let app = &app;
        let (from, to) = (from.to_string(), to.to_string());
        async move {
            let response = app
                .get(
                    &format!("/api/v1/shifts?from={from}&to={to}&{query}"),
                    token.as_deref(),
                )
                .await;
            assert_eq!(
                response.status,
                200,
                "{query}: {}",
                String::from_utf8_lossy(&response.body)
            );
            let text = String::from_utf8_lossy(&response.body).to_string();
            assert!(!text.contains("volunteer-"), "never names or addresses");
            response.json()["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|s| s["title"].as_str().expect("title").to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        titles(String::new(), None).await,
        ["Kuchen backen", "Spielgruppe", "Abwasch", "Gartenarbeit"]
    );
    assert_eq!(
        titles("skills=baking".into(), None).await,
        ["Kuchen backen"]
    );
    assert_eq!(
        titles("skills=Childcare,gardening".into(), None).await,
        ["Spielgruppe"]
    );
    assert_eq!(
        titles("has_free_places=true".into(), None).await,
        ["Spielgruppe", "Abwasch", "Gartenarbeit"]
    );
    // For this volunteer: not the full one (nor any they hold), not the one needing a
    // certificate, not the one clashing with their garden shift.
    assert_eq!(
        titles(
            "eligible=true&has_free_places=true".into(),
            Some(people[0].1.clone())
        )
        .await,
        Vec::<String>::new()
    );
    assert_eq!(
        titles("eligible=true".into(), Some(people[1].1.clone())).await,
        ["Abwasch", "Gartenarbeit"]
    );
    let anonymous = app
        .get(
            &format!("/api/v1/shifts?from={from}&to={to}&eligible=true"),
            None,
        )
        .await;
    anonymous.assert_problem(401, "unauthenticated");
    let _ = (children, clash);
}

#[actix_web::test]
async fn a_secret_revocable_calendar_feed_shows_a_volunteers_confirmed_shifts() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let helga = app.signed_up("helga@example.org").await;
    let token = &helga.access_token;
    let confirmed = shift(&app, &s, "Tische decken", 24, 2, json!({})).await;
    let full = shift(&app, &s, "Einlass", 48, 1, json!({})).await;
    let (_, someone) = app.volunteers(1).await.remove(0);
    assert_eq!(sign_up(&app, &someone, &full).await.status, 201);
    assert_eq!(
        sign_up(&app, token, &confirmed).await.json()["status"],
        "confirmed"
    );
    assert_eq!(
        sign_up(&app, token, &full).await.json()["status"],
        "waitlisted"
    );

    let made = post(&app, token, "/api/v1/me/calendar-feed", json!({})).await;
    assert_eq!(made.status, 201);
    let url = made.json()["url"].as_str().expect("url").to_owned();
    let path = &url[url.find("/api/v1/").expect("path")..];
    let feed = app.get(path, None).await;
    assert_eq!(feed.status, 200);
    let calendars: Vec<_> = ical::IcalParser::new(feed.body.as_slice())
        .collect::<Result<_, _>>()
        .expect("valid iCalendar");
    let events = &calendars[0].events;
    assert_eq!(
        events.len(),
        1,
        "the confirmed shift, not the waitlisted one"
    );
    let summary = events[0]
        .properties
        .iter()
        .find(|p| p.name == "SUMMARY")
        .and_then(|p| p.value.clone())
        .expect("summary");
    assert!(summary.starts_with("Tische decken"), "{summary}");
    assert_eq!(app.count("calendar_feeds", "true").await, 1);
    assert_eq!(
        app.count(
            "calendar_feeds",
            &format!(
                "position('{}' in encode(token_hash, 'escape')) > 0",
                &path[path.find("token=").expect("token") + 6..]
            )
        )
        .await,
        0,
        "only the hash is stored"
    );

    // A new address replaces the old; a revoked one stops working.
    let renewed = post(&app, token, "/api/v1/me/calendar-feed", json!({})).await;
    let new_url = renewed.json()["url"].as_str().expect("url").to_owned();
    app.get(path, None).await.assert_problem(404, "not-found");
    let new_path = &new_url[new_url.find("/api/v1/").expect("path")..];
    assert_eq!(app.get(new_path, None).await.status, 200);
    let revoked = app
        .send(
            Method::DELETE,
            "/api/v1/me/calendar-feed",
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
        .await;
    assert_eq!(revoked.status, 204);
    app.get(new_path, None)
        .await
        .assert_problem(404, "not-found");
    app.get("/api/v1/me/calendar.ics?token=guessed", None)
        .await
        .assert_problem(404, "not-found");
}

#[actix_web::test]
async fn the_waitlist_keeps_its_order_and_its_rules_when_places_free_up() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let police = "00000000-0000-7000-8000-000000000001";
    let shift_id = shift(&app, &s, "Einlass", 48, 1, json!({})).await;
    let other = shift(&app, &s, "Garderobe", 48, 5, json!({})).await;
    let people = app.volunteers(3).await;
    let cancel = |id: String, token: String| {
        let app = &app;
        async move {
            app.send(
                Method::DELETE,
                &format!("/api/v1/signups/{id}"),
                &[("authorization", &format!("Bearer {token}"))],
                None,
            )
            .await
        }
    };
    let holder = id_of(&sign_up(&app, &people[0].1, &shift_id).await);
    let first_in_line = id_of(&sign_up(&app, &people[1].1, &shift_id).await);
    let elsewhere = id_of(&sign_up(&app, &people[1].1, &other).await);
    // The place frees up while the first in line is busy elsewhere: it stays free.
    assert_eq!(
        cancel(holder, people[0].1.clone()).await.json()["promoted_signup_id"],
        Value::Null
    );
    // Free again, they are next: a newcomer does not jump the queue.
    assert_eq!(cancel(elsewhere, people[1].1.clone()).await.status, 200);
    let newcomer = sign_up(&app, &people[2].1, &shift_id).await;
    assert_eq!(newcomer.json()["status"], "waitlisted");
    assert_eq!(
        app.get(
            &format!("/api/v1/signups/{first_in_line}"),
            Some(&people[1].1)
        )
        .await
        .json()["status"],
        "confirmed"
    );
    assert_eq!(
        app.count(
            "shifts",
            &format!("id = '{shift_id}' AND confirmed_count = 1")
        )
        .await,
        1
    );

    // A waiting volunteer without the qualification a shift requires is never promoted.
    let children = shift(
        &app,
        &s,
        "Spielgruppe",
        96,
        1,
        json!({"required_qualifications": [police]}),
    )
    .await;
    let more = app.volunteers(2).await;
    for (user, _) in &more {
        use diesel_async::RunQueryDsl;
        diesel::sql_query(format!(
            "INSERT INTO volunteer_qualifications (id, user_id, type_id, issued_on, inspected_on, inspected_by, expires_on) \
             VALUES (gen_random_uuid(), '{user}', '{police}', now()::date - 30, now()::date - 20, '{}', now()::date + 1000)",
            s.coordinator.id
        ))
        .execute(&mut app.conn().await)
        .await
        .expect("qualification");
    }
    let holder = id_of(&sign_up(&app, &more[0].1, &children).await);
    let waiting = id_of(&sign_up(&app, &more[1].1, &children).await);
    let mine = app
        .get("/api/v1/me/qualifications", Some(&more[1].1))
        .await
        .json();
    let withdrawn = app
        .send(
            Method::DELETE,
            &format!(
                "/api/v1/me/qualifications/{}",
                mine[0]["id"].as_str().expect("id")
            ),
            &[("authorization", &format!("Bearer {}", more[1].1))],
            None,
        )
        .await;
    assert_eq!(withdrawn.status, 204);
    assert_eq!(
        cancel(holder, more[0].1.clone()).await.json()["promoted_signup_id"],
        Value::Null
    );
    assert_eq!(
        app.get(&format!("/api/v1/signups/{waiting}"), Some(&more[1].1))
            .await
            .json()["status"],
        "waitlisted"
    );
}

#[actix_web::test]
async fn shifts_of_unpublished_activities_are_for_their_staff_only() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let start = (Utc::now() + Duration::days(2))
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive();
    let activity = id_of(
        &post(
            &app,
            &s.coordinator.access_token,
            "/api/v1/activities",
            json!({"centre_id": s.centre, "title": "Geheim", "category": "other", "status": "draft",
                   "schedule": {"kind": "recurring", "rrule": "FREQ=WEEKLY;COUNT=2", "first_start": format!("{start}T10:00:00"), "duration_minutes": 60}}),
        )
        .await,
    );
    let created = post(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/activities/{activity}/shifts"),
        json!({"title": "Vorbereiten", "capacity": 2}),
    )
    .await;
    let shift_id = created.json()["shift_ids"][0]
        .as_str()
        .expect("id")
        .to_owned();
    app.get(&format!("/api/v1/shifts/{shift_id}"), None)
        .await
        .assert_problem(404, "not-found");
    app.get(
        &format!("/api/v1/shifts/{shift_id}"),
        Some(&s.other_coordinator.access_token),
    )
    .await
    .assert_problem(404, "not-found");
    assert_eq!(
        app.get(
            &format!("/api/v1/shifts/{shift_id}"),
            Some(&s.coordinator.access_token)
        )
        .await
        .status,
        200
    );
    let (_, volunteer) = app.volunteers(1).await.remove(0);
    sign_up(&app, &volunteer, &shift_id)
        .await
        .assert_problem(404, "not-found");
    assert_eq!(app.count("signups", "true").await, 0);
    // A null body is an empty one.
    let published = app
        .json(
            Method::PATCH,
            &format!("/api/v1/activities/{activity}"),
            Some(&s.coordinator.access_token),
            &[("if-match", "*")],
            &json!({"status": "published"}),
        )
        .await;
    assert_eq!(published.status, 200);
    let signed = app
        .send(
            Method::POST,
            &format!("/api/v1/shifts/{shift_id}/signups"),
            &[("authorization", &format!("Bearer {volunteer}"))],
            Some(("application/json", b"null".to_vec())),
        )
        .await;
    assert_eq!(
        signed.status,
        201,
        "{}",
        String::from_utf8_lossy(&signed.body)
    );
}

#[actix_web::test]
async fn an_operator_keeps_to_a_hundred_qualification_types_of_its_own() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let path = format!("/api/v1/operators/{}/qualification-types", s.operator);
    for n in 0..100 {
        let made = post(
            &app,
            &s.admin.access_token,
            &path,
            json!({"name": format!("Einweisung {n}")}),
        )
        .await;
        assert_eq!(made.status, 201);
    }

    let refused = post(
        &app,
        &s.admin.access_token,
        &path,
        json!({"name": "Noch eine"}),
    )
    .await;

    refused.assert_problem(422, "validation-failed");
    assert_eq!(
        app.count(
            "qualification_types",
            &format!("operator_id = '{}'", s.operator)
        )
        .await,
        100
    );
}
