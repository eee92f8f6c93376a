//! Bulk imports: checked as a whole with a report per line, applied all or nothing, safe to
//! repeat, in JSON and in CSV as spreadsheets write it.

use actix_web::http::Method;
use quartier_tests::{Setup, TestApp, TestResponse, post, setup};
use serde_json::{Value, json};

async fn key(app: &TestApp, s: &Setup, scopes: &[&str]) -> String {
    let created = post(
        app,
        &s.admin.access_token,
        &format!("/api/v1/operators/{}/api-keys", s.operator),
        json!({"name": "Import", "scopes": scopes}),
    )
    .await;
    assert_eq!(created.status, 201);
    created.json()["key_secret"]
        .as_str()
        .expect("secret")
        .to_owned()
}

async fn import(
    app: &TestApp,
    s: &Setup,
    key: &str,
    query: &str,
    content_type: &str,
    body: Vec<u8>,
    extra: &[(&str, &str)],
) -> TestResponse {
    let mut headers = vec![("x-api-key", key)];
    headers.extend_from_slice(extra);
    app.send(
        Method::POST,
        &format!("/api/v1/operators/{}/imports{query}", s.operator),
        &headers,
        Some((content_type, body)),
    )
    .await
}

fn activity(s: &Setup, id: &str, rule: &str) -> Value {
    json!({
        "external_id": id, "centre_id": s.centre, "title": format!("Treff {id}"),
        "category": "open_meetup", "status": "published",
        "schedule": {"kind": "recurring", "rrule": rule, "first_start": "2027-02-01T10:00:00", "duration_minutes": 60},
    })
}

fn shift(s: &Setup, id: &str, day: u32) -> Value {
    json!({
        "external_id": id, "centre_id": s.centre, "title": format!("Dienst {id}"), "capacity": 2,
        "starts_at": format!("2027-03-{day:02}T08:00:00Z"), "ends_at": format!("2027-03-{day:02}T10:00:00Z"),
        "skills": ["kitchen"],
    })
}

fn body(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("JSON")
}

#[actix_web::test]
async fn a_json_import_creates_then_replaces_and_a_repeat_changes_nothing() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let key = key(&app, &s, &["activities:write", "shifts:write"]).await;
    let file = json!({
        "activities": [activity(&s, "A-1", "FREQ=WEEKLY;COUNT=5"), activity(&s, "A-2", "FREQ=MONTHLY;COUNT=3")],
        "shifts": [shift(&s, "S-1", 1), shift(&s, "S-2", 2), shift(&s, "S-3", 3)],
    });
    let first = import(&app, &s, &key, "", "application/json", body(&file), &[]).await;
    assert_eq!(
        first.status,
        200,
        "{}",
        String::from_utf8_lossy(&first.body)
    );
    let report = first.json();
    assert_eq!(report["activities"]["created"], 2);
    assert_eq!(report["shifts"]["created"], 3);
    assert_eq!(
        app.count("activities", "external_id IN ('A-1', 'A-2')")
            .await,
        2
    );
    assert_eq!(app.count("occurrences", "true").await, 8);
    assert_eq!(app.count("shifts", "external_id LIKE 'S-%'").await, 3);
    assert_eq!(
        app.count("outbox_events", "kind = 'shift.created'").await,
        3
    );
    let again = import(&app, &s, &key, "", "application/json", body(&file), &[]).await;
    assert_eq!(again.status, 200);
    let report = again.json();
    assert_eq!(
        report["activities"],
        json!({"created": 0, "updated": 0, "unchanged": 2})
    );
    assert_eq!(
        report["shifts"],
        json!({"created": 0, "updated": 0, "unchanged": 3})
    );

    let mut changed = file.clone();
    changed["activities"][0]["title"] = json!("Neuer Treff");
    changed["shifts"][2]["capacity"] = json!(5);
    let third = import(&app, &s, &key, "", "application/json", body(&changed), &[]).await;
    let report = third.json();
    assert_eq!(report["activities"]["updated"], 1);
    assert_eq!(report["shifts"]["updated"], 1);
    assert_eq!(app.count("activities", "title = 'Neuer Treff'").await, 1);
    assert_eq!(
        app.count("shifts", "external_id = 'S-3' AND capacity = 5")
            .await,
        1
    );
    assert_eq!(app.count("activities", "true").await, 2);
}

#[actix_web::test]
async fn one_wrong_line_imports_nothing_and_every_problem_is_named_with_its_line() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let key = key(&app, &s, &["activities:write", "shifts:write"]).await;
    let mut bad_rule = activity(&s, "A-2", "FREQ=HOURLY");
    bad_rule["title"] = json!("Stündlich");
    let mut foreign = shift(&s, "S-2", 2);
    foreign["centre_id"] = json!("00000000-0000-7000-8000-00000000abcd");
    let mut no_capacity = shift(&s, "S-3", 3);
    no_capacity
        .as_object_mut()
        .expect("object")
        .remove("capacity");
    let file = json!({
        "activities": [activity(&s, "A-1", "FREQ=WEEKLY;COUNT=5"), bad_rule, activity(&s, "A-1", "FREQ=DAILY;COUNT=2")],
        "shifts": [shift(&s, "S-1", 1), foreign, no_capacity, shift(&s, "mit Leerzeichen", 4)],
    });
    let answer = import(&app, &s, &key, "", "application/json", body(&file), &[]).await;
    assert_eq!(
        answer.status,
        422,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    assert!(
        answer
            .header("content-type")
            .is_some_and(|c| c.starts_with("application/problem+json"))
    );
    let problem = answer.json();
    assert_eq!(problem["type"], "/problems/import-invalid");
    let errors: Vec<(String, u64, String)> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["record"].as_str().unwrap_or_default().to_owned(),
                e["row"].as_u64().unwrap_or_default(),
                e["field"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for expected in [
        ("activity", 2, "schedule.rrule"),
        ("activity", 3, "external_id"),
        ("shift", 2, "centre_id"),
        ("shift", 3, "capacity"),
        ("shift", 4, "external_id"),
    ] {
        assert!(
            errors
                .iter()
                .any(|(r, n, f)| r == expected.0 && *n == expected.1 && f == expected.2),
            "{expected:?} missing in {errors:?}"
        );
    }
    assert_eq!(errors.len(), 5, "{errors:?}");
    for table in ["activities", "occurrences", "shifts", "outbox_events"] {
        assert_eq!(app.count(table, "true").await, 0, "{table}");
    }
    // A dry run of a good file reports and writes nothing.
    let good = json!({"activities": [activity(&s, "A-1", "FREQ=WEEKLY;COUNT=5")], "shifts": [shift(&s, "S-1", 1)]});
    let dry = import(
        &app,
        &s,
        &key,
        "?dry_run=true",
        "application/json",
        body(&good),
        &[],
    )
    .await;
    assert_eq!(dry.status, 200);
    assert_eq!(dry.json()["dry_run"], true);
    assert_eq!(dry.json()["activities"]["created"], 1);
    assert_eq!(app.count("activities", "true").await, 0);
}

#[actix_web::test]
async fn spreadsheet_csv_with_bom_semicolons_quotes_and_umlauts_is_imported() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let key = key(&app, &s, &["activities:write", "shifts:write"]).await;
    let c = &s.centre;
    let csv = format!(
        "\u{feff}record;external_id;centre_id;title;category;description;rrule;first_start;duration_minutes;languages;capacity;starts_at;ends_at;skills\r\n\
         activity;K-1;{c};\"Café für Groß und Klein; mit \"\"Kuchen\"\"\";coffee_table;\"Über\nzwei Zeilen\";\"FREQ=WEEKLY;COUNT=4\";2027-02-03T15:00:00;120;de|tr;;;;\r\n\
         shift;D-1;{c};Kuchen backen, Tische decken;;;;;;;3;2027-02-03T13:00:00Z;2027-02-03T15:00:00Z;baking|kitchen\r\n"
    );
    let answer = import(
        &app,
        &s,
        &key,
        "",
        "text/csv; charset=utf-8",
        csv.into_bytes(),
        &[],
    )
    .await;
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    assert_eq!(
        app.count(
            "activities",
            "title = 'Café für Groß und Klein; mit \"Kuchen\"' AND description = E'Über\\nzwei Zeilen' AND languages = '{de,tr}'"
        )
        .await,
        1
    );
    assert_eq!(app.count("occurrences", "true").await, 4);
    assert_eq!(
        app.count(
            "shifts",
            "title = 'Kuchen backen, Tische decken' AND capacity = 3 AND skills = '{baking,kitchen}'"
        )
        .await,
        1
    );

    // Latin-1, a missing column, an unknown column, ragged lines: refused, nothing written.
    for (file, words) in [
        (
            b"record,external_id,centre_id,title\nactivity,K-2,x,Gr\xfc\xdfe\n".to_vec(),
            "UTF-8",
        ),
        (
            b"record,external_id,title\nactivity,K-2,T\n".to_vec(),
            "centre_id",
        ),
        (
            b"record,external_id,centre_id,title,farbe\n".to_vec(),
            "farbe",
        ),
        (
            b"record,external_id,centre_id,title\nactivity,K-2\n".to_vec(),
            "",
        ),
    ] {
        let refused = import(&app, &s, &key, "", "text/csv", file, &[]).await;
        let problem = refused.assert_problem(400, "malformed-request");
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains(words)),
            "{problem}"
        );
    }
    // A line in CSV is named by its line number in the file.
    let bad = format!(
        "record,external_id,centre_id,title,capacity,starts_at,ends_at\n\
         shift,D-2,{c},Gut,2,2027-02-03T13:00:00Z,2027-02-03T15:00:00Z\n\
         shift,D-3,{c},Schlecht,zwei,2027-02-03T13:00:00Z,2027-02-03T15:00:00Z\n"
    );
    let answer = import(&app, &s, &key, "", "text/csv", bad.into_bytes(), &[]).await;
    assert_eq!(answer.status, 422);
    assert_eq!(answer.json()["errors"][0]["row"], 3);
    assert_eq!(answer.json()["errors"][0]["field"], "capacity");
    assert_eq!(app.count("shifts", "true").await, 1);
}

#[actix_web::test]
async fn a_retried_import_with_its_key_gets_the_first_answer_and_imports_once() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let key = key(&app, &s, &["shifts:write"]).await;
    let file = json!({"shifts": [shift(&s, "S-1", 1), shift(&s, "S-2", 2)]});
    let idempotency = [("idempotency-key", "import-2027-03")];
    let first = import(
        &app,
        &s,
        &key,
        "",
        "application/json",
        body(&file),
        &idempotency,
    )
    .await;
    let second = import(
        &app,
        &s,
        &key,
        "",
        "application/json",
        body(&file),
        &idempotency,
    )
    .await;
    assert_eq!(first.status, 200);
    assert_eq!(second.status, 200);
    assert_eq!(first.body, second.body);
    assert_eq!(second.json()["shifts"]["created"], 2);
    assert_eq!(app.count("shifts", "true").await, 2);
    let other = json!({"shifts": [shift(&s, "S-3", 3)]});
    import(
        &app,
        &s,
        &key,
        "",
        "application/json",
        body(&other),
        &idempotency,
    )
    .await
    .assert_problem(422, "validation-failed");
    assert_eq!(app.count("shifts", "true").await, 2);

    // This key may import shifts, not activities; nor may another operator's staff.
    let activities = json!({"activities": [activity(&s, "A-1", "FREQ=WEEKLY;COUNT=2")]});
    import(
        &app,
        &s,
        &key,
        "",
        "application/json",
        body(&activities),
        &[],
    )
    .await
    .assert_problem(403, "forbidden");
    let foreign = app
        .send(
            Method::POST,
            &format!("/api/v1/operators/{}/imports", s.operator),
            &[(
                "authorization",
                &format!("Bearer {}", s.other_coordinator.access_token),
            )],
            Some(("application/json", body(&file))),
        )
        .await;
    foreign.assert_problem(403, "forbidden");
    assert_eq!(app.count("activities", "true").await, 0);
}

#[actix_web::test]
async fn ten_thousand_lines_import_in_one_go() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let key = key(&app, &s, &["activities:write", "shifts:write"]).await;
    let c = &s.centre;
    let mut csv = String::from(
        "record,external_id,centre_id,title,capacity,starts_at,ends_at,rrule,first_start,duration_minutes,category\n",
    );
    for n in 0..9_000 {
        let day = 1 + n % 28;
        csv.push_str(&format!(
            "shift,S-{n},{c},Dienst {n},3,2027-04-{day:02}T08:00:00Z,2027-04-{day:02}T10:00:00Z,,,,\n"
        ));
    }
    for n in 0..1_000 {
        csv.push_str(&format!(
            "activity,A-{n},{c},Treff {n},,,,FREQ=WEEKLY;COUNT=10,2027-05-03T10:00:00,90,course\n"
        ));
    }
    let answer = import(&app, &s, &key, "", "text/csv", csv.into_bytes(), &[]).await;
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    assert_eq!(answer.json()["shifts"]["created"], 9_000);
    assert_eq!(answer.json()["activities"]["created"], 1_000);
    assert_eq!(app.count("shifts", "true").await, 9_000);
    assert_eq!(app.count("occurrences", "true").await, 10_000);
    assert_eq!(
        app.count("outbox_events", "kind = 'shift.created'").await,
        9_000
    );
}

/// Work an import would do beyond its bounds is refused before it starts, and nothing is
/// written: more than 20 000 lines (in JSON or CSV, however short each line), or new
/// activities that would make more than 200 000 occurrences at once.
#[actix_web::test]
async fn imports_beyond_their_bounds_are_refused_before_the_work() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let secret = key(&app, &s, &["activities:write", "shifts:write"]).await;

    let zeros = format!("{{\"shifts\": [{}0]}}", "0,".repeat(20_000));
    let json_lines = import(
        &app,
        &s,
        &secret,
        "",
        "application/json",
        zeros.into_bytes(),
        &[],
    )
    .await;
    let mut csv = String::from("record,external_id,centre_id,title\r\n");
    csv.push_str(&",,,\r\n".repeat(20_001));
    let csv_lines = import(&app, &s, &secret, "", "text/csv", csv.into_bytes(), &[]).await;
    let daily: Vec<Value> = (0..800)
        .map(|n| activity(&s, &format!("T-{n}"), "FREQ=DAILY"))
        .collect();
    let occurrences = import(
        &app,
        &s,
        &secret,
        "",
        "application/json",
        serde_json::to_vec(&json!({"activities": daily})).expect("json"),
        &[],
    )
    .await;

    let problem = json_lines.assert_problem(422, "validation-failed");
    assert!(
        problem.to_string().contains("more than 20000 lines"),
        "{problem}"
    );
    let problem = csv_lines.assert_problem(422, "validation-failed");
    assert!(
        problem.to_string().contains("more than 20000 lines"),
        "{problem}"
    );
    let problem = occurrences.assert_problem(422, "validation-failed");
    assert!(
        problem.to_string().contains("200000 occurrences"),
        "{problem}"
    );
    assert_eq!(app.count("activities", "true").await, 0);
    assert_eq!(app.count("occurrences", "true").await, 0);
    assert_eq!(app.count("shifts", "true").await, 0);
}
