//! What an operator's own system does: keep activities and shifts in step under its own ids
//! (safe to repeat, also at the same moment), and export the rosters of a whole window.

use actix_web::http::Method;
use futures_util::future::join_all;
use quartier_tests::{Setup, TestApp, TestResponse, id_of, join, post, setup};
use serde_json::{Value, json};

async fn put(app: &TestApp, key: &str, path: &str, body: &Value) -> TestResponse {
    app.json(Method::PUT, path, None, &[("x-api-key", key)], body)
        .await
}

async fn key(app: &TestApp, s: &Setup, operator: &str, scopes: &[&str]) -> String {
    let created = post(
        app,
        &s.admin.access_token,
        &format!("/api/v1/operators/{operator}/api-keys"),
        json!({"name": "Sync", "scopes": scopes}),
    )
    .await;
    assert_eq!(created.status, 201);
    created.json()["key_secret"]
        .as_str()
        .expect("secret")
        .to_owned()
}

fn weekly(s: &Setup, title: &str, rule: &str) -> Value {
    json!({
        "centre_id": s.centre, "title": title, "category": "play_group", "status": "published",
        "schedule": {"kind": "recurring", "rrule": rule, "first_start": "2027-01-05T09:30:00", "duration_minutes": 90},
    })
}

#[actix_web::test]
async fn activities_upserted_by_external_id_are_created_once_and_replaced_after() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let secret = key(&app, &s, &s.operator, &["activities:write"]).await;
    let path = format!(
        "/api/v1/operators/{}/activities/by-external-id/KURS-17",
        s.operator
    );
    let body = weekly(&s, "Spielgruppe", "FREQ=WEEKLY;BYDAY=TU;COUNT=10");

    // Ten identical first calls at once: one activity, ten occurrences.
    let answers = join_all((0..10).map(|_| put(&app, &secret, &path, &body))).await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [200, 201].contains(s)),
        "{statuses:?}"
    );
    let id = answers[0].json()["id"].as_str().expect("id").to_owned();
    assert!(answers.iter().all(|a| a.json()["id"] == id.as_str()));
    assert_eq!(answers[0].json()["external_id"], "KURS-17");
    assert_eq!(app.count("activities", "external_id = 'KURS-17'").await, 1);
    assert_eq!(
        app.count("occurrences", &format!("activity_id = '{id}'"))
            .await,
        10
    );

    // A repeat changes nothing, not even the version.
    let before = app.get(&format!("/api/v1/activities/{id}"), None).await;
    let again = put(&app, &secret, &path, &body).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.header("etag"), before.header("etag"));

    // A change replaces the whole activity and re-plans its dates; the status stays when
    // left out.
    let mut changed = weekly(
        &s,
        "Spielgruppe am Mittwoch",
        "FREQ=WEEKLY;BYDAY=WE;COUNT=8",
    );
    changed.as_object_mut().expect("object").remove("status");
    let replaced = put(&app, &secret, &path, &changed).await;
    assert_eq!(replaced.status, 200);
    let replaced = replaced.json();
    assert_eq!(replaced["title"], "Spielgruppe am Mittwoch");
    assert_eq!(replaced["status"], "published");
    assert_ne!(replaced["version"], before.json()["version"]);
    assert_eq!(
        app.count("occurrences", &format!("activity_id = '{id}'"))
            .await,
        8
    );

    // Another operator's centre, another centre than before, a bad id: 422, nothing changed.
    let other_centre = id_of(
        &post(
            &app,
            &s.admin.access_token,
            "/api/v1/centres",
            json!({
                "operator_id": s.other_operator, "district_id": district_of(&app, &s).await,
                "name": "Fremdes Haus", "kind": "community_house",
                "address": {"street": "Weg 2", "postcode": "44135", "town": "Musterstadt"},
                "position": {"latitude": 51.5, "longitude": 7.4},
            }),
        )
        .await,
    );
    let mut foreign = body.clone();
    foreign["centre_id"] = json!(other_centre);
    put(&app, &secret, &path, &foreign)
        .await
        .assert_problem(422, "validation-failed");
    let bad_id = format!(
        "/api/v1/operators/{}/activities/by-external-id/mit%20Leerzeichen",
        s.operator
    );
    put(&app, &secret, &bad_id, &body)
        .await
        .assert_problem(422, "validation-failed");
    // Another operator's key, or a key without the scope, changes nothing.
    let other_key = key(&app, &s, &s.other_operator, &["activities:write"]).await;
    put(&app, &other_key, &path, &body)
        .await
        .assert_problem(403, "forbidden");
    let shifts_only = key(&app, &s, &s.operator, &["shifts:write"]).await;
    put(&app, &shifts_only, &path, &body)
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(
        app.count("activities", "title = 'Spielgruppe am Mittwoch'")
            .await,
        1
    );
    assert_eq!(app.count("activities", "true").await, 1);
}

async fn district_of(app: &TestApp, s: &Setup) -> String {
    let centre = app
        .get(&format!("/api/v1/centres/{}", s.centre), None)
        .await
        .json();
    centre["district"]["id"]
        .as_str()
        .or_else(|| centre["district_id"].as_str())
        .expect("district")
        .to_owned()
}

#[actix_web::test]
async fn shifts_upserted_by_external_id_follow_the_operators_system() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let secret = key(&app, &s, &s.operator, &["shifts:write", "signups:write"]).await;
    let path = format!(
        "/api/v1/operators/{}/shifts/by-external-id/DIENST-4711",
        s.operator
    );
    let starts_at = chrono::Utc::now() + chrono::Duration::days(2);
    let body = json!({
        "centre_id": s.centre, "title": "Kuchenbuffet", "capacity": 2,
        "starts_at": starts_at, "ends_at": starts_at + chrono::Duration::hours(3),
        "skills": ["baking"],
    });
    let answers = join_all((0..8).map(|_| put(&app, &secret, &path, &body))).await;
    let created = answers.iter().filter(|a| a.status == 201).count();
    assert_eq!(created, 1);
    assert!(answers.iter().all(|a| [200, 201].contains(&a.status)));
    assert_eq!(app.count("shifts", "external_id = 'DIENST-4711'").await, 1);
    let shift = answers[0].json();
    let id = shift["id"].as_str().expect("id").to_owned();
    assert_eq!(shift["external_id"], "DIENST-4711");
    let version = shift["version"].clone();
    let again = put(&app, &secret, &path, &body).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["version"], version);

    // Two volunteers confirmed; raising the places and changing the task works, lowering
    // below the confirmed is refused and changes nothing.
    let volunteers = app.volunteers(2).await;
    for (_, token) in &volunteers {
        join(&app, token, &s.operator).await;
    }
    for (user_id, _) in &volunteers {
        let signed = app
            .json(
                Method::POST,
                &format!("/api/v1/shifts/{id}/signups"),
                None,
                &[("x-api-key", &secret)],
                &json!({"user_id": user_id}),
            )
            .await;
        assert_eq!(signed.status, 201);
    }
    let mut bigger = body.clone();
    bigger["capacity"] = json!(4);
    bigger["title"] = json!("Kuchenbuffet und Kaffee");
    bigger["required_qualifications"] = json!(["00000000-0000-7000-8000-000000000002"]);
    let replaced = put(&app, &secret, &path, &bigger).await;
    assert_eq!(
        replaced.status,
        200,
        "{}",
        String::from_utf8_lossy(&replaced.body)
    );
    assert_eq!(replaced.json()["title"], "Kuchenbuffet und Kaffee");
    assert_eq!(
        app.count("shift_qualifications", &format!("shift_id = '{id}'"))
            .await,
        1
    );
    let mut smaller = bigger.clone();
    smaller["capacity"] = json!(1);
    put(&app, &secret, &path, &smaller)
        .await
        .assert_problem(409, "capacity-below-confirmed");
    assert_eq!(
        app.count(
            "shifts",
            &format!("id = '{id}' AND capacity = 4 AND confirmed_count = 2")
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn the_operators_roster_exports_every_shift_in_the_window_as_json_and_csv() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let secret = key(
        &app,
        &s,
        &s.operator,
        &["shifts:write", "signups:write", "roster:read"],
    )
    .await;
    let volunteers = app.volunteers(3).await;
    for (_, token) in &volunteers {
        join(&app, token, &s.operator).await;
    }
    // 450 shifts (more than two pages of the export); the first three get volunteers.
    let base = chrono::Utc::now() + chrono::Duration::days(1);
    let mut ids = Vec::new();
    for n in 0..450 {
        let starts_at = base + chrono::Duration::minutes(n * 30);
        let made = put(
            &app,
            &secret,
            &format!(
                "/api/v1/operators/{}/shifts/by-external-id/S-{n}",
                s.operator
            ),
            &json!({
                "centre_id": s.centre, "title": format!("Dienst {n}, \"Küche\""), "capacity": 1,
                "starts_at": starts_at, "ends_at": starts_at + chrono::Duration::minutes(20),
            }),
        )
        .await;
        assert_eq!(made.status, 201);
        ids.push(id_of(&made));
    }
    for (n, (user_id, _)) in volunteers.iter().enumerate() {
        let signed = app
            .json(
                Method::POST,
                &format!("/api/v1/shifts/{}/signups", ids[0]),
                None,
                &[("x-api-key", &secret)],
                &json!({"user_id": user_id}),
            )
            .await;
        assert_eq!(signed.status, 201);
        assert_eq!(
            signed.json()["status"],
            if n == 0 { "confirmed" } else { "waitlisted" }
        );
    }
    let from = (base - chrono::Duration::hours(1))
        .to_rfc3339()
        .replace('+', "%2B");
    let to = (base + chrono::Duration::days(30))
        .to_rfc3339()
        .replace('+', "%2B");
    let path = format!(
        "/api/v1/operators/{}/roster?from={from}&to={to}",
        s.operator
    );

    let json_export = app
        .send(Method::GET, &path, &[("x-api-key", &secret)], None)
        .await;
    assert_eq!(
        json_export.status,
        200,
        "{}",
        String::from_utf8_lossy(&json_export.body)
    );
    let shifts = json_export.json();
    let shifts = shifts.as_array().expect("array");
    assert_eq!(shifts.len(), 450);
    assert_eq!(shifts[0]["external_id"], "S-0");
    assert_eq!(shifts[449]["external_id"], "S-449");
    let first = &shifts[0]["volunteers"];
    assert_eq!(first.as_array().map(Vec::len), Some(3));
    assert_eq!(first[0]["status"], "confirmed");
    assert_eq!(first[2]["waitlist_position"], 2);
    assert!(
        shifts[1]["volunteers"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );

    let csv = app
        .send(
            Method::GET,
            &path,
            &[("x-api-key", &secret), ("accept", "text/csv")],
            None,
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.header("content-type")
            .is_some_and(|c| c.starts_with("text/csv"))
    );
    let text = String::from_utf8(csv.body.clone()).expect("UTF-8");
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    // A header, three lines for the first shift, one for each other.
    assert_eq!(lines.len(), 1 + 3 + 449);
    assert!(lines[0].starts_with("shift_id,external_id,title,"));
    assert!(
        lines[1].contains("\"Dienst 0, \"\"Küche\"\"\""),
        "{}",
        lines[1]
    );

    // Staff of another operator, a key without the scope, too long a window: refused.
    app.get(&path, Some(&s.other_coordinator.access_token))
        .await
        .assert_problem(403, "forbidden");
    let no_scope = key(&app, &s, &s.operator, &["shifts:write"]).await;
    app.send(Method::GET, &path, &[("x-api-key", &no_scope)], None)
        .await
        .assert_problem(403, "forbidden");
    let long = format!(
        "/api/v1/operators/{}/roster?from={from}&to={}",
        s.operator,
        (base + chrono::Duration::days(500))
            .to_rfc3339()
            .replace('+', "%2B")
    );
    app.get(&long, Some(&s.coordinator.access_token))
        .await
        .assert_problem(422, "validation-failed");
    // The coordinator of the operator may export too.
    let by_staff = app.get(&path, Some(&s.coordinator.access_token)).await;
    assert_eq!(by_staff.status, 200);
}

#[actix_web::test]
async fn occurrences_carry_the_operators_own_id_unique_per_operator() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let secret = key(&app, &s, &s.operator, &["activities:write"]).await;
    let made = put(
        &app,
        &secret,
        &format!(
            "/api/v1/operators/{}/activities/by-external-id/KURS-9",
            s.operator
        ),
        &weekly(&s, "Sprachkurs", "FREQ=WEEKLY;BYDAY=TU;COUNT=3"),
    )
    .await;
    assert_eq!(made.status, 201);
    let id = made.json()["id"].as_str().expect("id").to_owned();
    let dates = app
        .get(
            &format!("/api/v1/activities/{id}/occurrences?from=2027-01-01T00:00:00Z&to=2027-03-01T00:00:00Z"),
            None,
        )
        .await
        .json();
    let first = dates["items"][0]["id"].as_str().expect("id").to_owned();
    let second = dates["items"][1]["id"].as_str().expect("id").to_owned();
    let patch = |occurrence: String, external: Value| {
        let app = &app;
        let secret = secret.clone();
        async move {
            app.json(
                Method::PATCH,
                &format!("/api/v1/occurrences/{occurrence}"),
                None,
                &[("x-api-key", &secret), ("if-match", "*")],
                &json!({"external_id": external}),
            )
            .await
        }
    };
    let tagged = patch(first.clone(), json!("KURS-9-1")).await;
    assert_eq!(
        tagged.status,
        200,
        "{}",
        String::from_utf8_lossy(&tagged.body)
    );
    assert_eq!(tagged.json()["external_id"], "KURS-9-1");
    patch(second.clone(), json!("KURS-9-1"))
        .await
        .assert_problem(409, "external-id-taken");
    patch(second.clone(), json!("nicht erlaubt"))
        .await
        .assert_problem(422, "validation-failed");
    let cleared = patch(first, Value::Null).await;
    assert_eq!(cleared.status, 200);
    assert!(cleared.json()["external_id"].is_null());
    assert_eq!(patch(second, json!("KURS-9-1")).await.status, 200);
    assert_eq!(
        app.count(
            "occurrences",
            "external_id IS NOT NULL AND external_operator_id IS NOT NULL"
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn a_coordinator_limited_to_some_centres_exports_only_their_rosters() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = &s.admin.access_token;
    let second = id_of(
        &post(
            &app,
            admin,
            "/api/v1/centres",
            json!({
                "operator_id": s.operator, "district_id": district_of(&app, &s).await,
                "name": "Zweites Haus", "kind": "community_house",
                "address": {"street": "Weg 3", "postcode": "44135", "town": "Musterstadt"},
                "position": {"latitude": 51.5, "longitude": 7.4},
            }),
        )
        .await,
    );
    let limited = app.signed_up("limited@example.org").await;
    let added = post(
        &app,
        admin,
        &format!("/api/v1/operators/{}/members", s.operator),
        json!({"email": "limited@example.org", "role": "coordinator", "centre_ids": [second]}),
    )
    .await;
    assert_eq!(added.status, 201);
    let secret = key(&app, &s, &s.operator, &["shifts:write"]).await;
    let starts_at = chrono::Utc::now() + chrono::Duration::days(1);
    for (n, centre) in [&s.centre, &second].into_iter().enumerate() {
        let made = put(
            &app,
            &secret,
            &format!(
                "/api/v1/operators/{}/shifts/by-external-id/L-{n}",
                s.operator
            ),
            &json!({"centre_id": centre, "title": "Dienst", "capacity": 1,
                "starts_at": starts_at, "ends_at": starts_at + chrono::Duration::hours(1)}),
        )
        .await;
        assert_eq!(made.status, 201);
    }
    let from = (starts_at - chrono::Duration::hours(1))
        .to_rfc3339()
        .replace('+', "%2B");
    let to = (starts_at + chrono::Duration::days(1))
        .to_rfc3339()
        .replace('+', "%2B");
    let path = format!(
        "/api/v1/operators/{}/roster?from={from}&to={to}",
        s.operator
    );
    let mine = app.get(&path, Some(&limited.access_token)).await;
    assert_eq!(mine.status, 200);
    let mine = mine.json();
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    assert_eq!(mine[0]["centre_id"], second.as_str());
    let all = app
        .get(&path, Some(&s.coordinator.access_token))
        .await
        .json();
    assert_eq!(all.as_array().map(Vec::len), Some(2));
}
