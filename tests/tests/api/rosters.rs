//! Roster exports that spreadsheet programs open: `format=excel` (`;` after a byte order mark)
//! next to RFC 4180 CSV, and no cell that runs as a formula however a program splits a line.

use actix_web::http::Method;
use chrono::{Duration, Utc};
use quartier_tests::{Setup, TestApp, TestResponse, id_of, setup, shift, sign_up};
use serde_json::json;

/// A display name that is a live formula once a line is split on `;`.
const EVA: &str = "Eva;=HYPERLINK(\"http://x\")";
const BOM: &str = "\u{FEFF}";

/// A volunteer signed up for `shift` under `name`, to be reached by text message at `phone`.
async fn volunteer(app: &TestApp, email: &str, name: &str, phone: &str, shift: &str) {
    let user = app.signed_up(email).await;
    for (path, body) in [
        ("/api/v1/me", json!({"display_name": name})),
        (
            "/api/v1/me/profile",
            json!({"phone": phone, "contact_by": "sms"}),
        ),
    ] {
        let changed = app
            .json(
                Method::PATCH,
                path,
                Some(&user.access_token),
                &[("if-match", "*")],
                &body,
            )
            .await;
        assert_eq!(
            changed.status,
            200,
            "{path}: {}",
            String::from_utf8_lossy(&changed.body)
        );
    }
    id_of(&sign_up(app, &user.access_token, shift).await);
}

async fn get(app: &TestApp, s: &Setup, path: &str, accept: Option<&str>) -> TestResponse {
    let auth = format!("Bearer {}", s.coordinator.access_token);
    let mut headers = vec![("authorization", auth.as_str())];
    headers.extend(accept.map(|a| ("accept", a)));
    app.send(Method::GET, path, &headers, None).await
}

/// The text of a CSV answer, after checking what makes it a `roster.csv` download.
fn csv_text(answer: &TestResponse) -> String {
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    assert_eq!(
        answer.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(
        answer.header("content-disposition"),
        Some("attachment; filename=\"roster.csv\"")
    );
    String::from_utf8(answer.body.clone()).expect("UTF-8")
}

/// Every piece of a line, split on `;` and on `,`, that a spreadsheet program would run as a
/// formula: one starting with `=`, `+`, `-` or `@` once the quotes and white space a program
/// may drop are gone.
fn formulas(text: &str) -> Vec<String> {
    text.split("\r\n")
        .flat_map(|line| line.split(';').chain(line.split(',')))
        .map(|piece| piece.trim_start_matches(|c: char| c == '"' || c.is_whitespace()))
        .filter(|piece| piece.starts_with(['=', '+', '-', '@']))
        .map(str::to_owned)
        .collect()
}

/// The records of a CSV text as a program reading it with `separator` sees them.
fn records(text: &str, separator: u8) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .from_reader(text.trim_start_matches(BOM).as_bytes())
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect()
}

/// The value in `column` of the record whose `name` column is `name`.
fn value_of(records: &[Vec<String>], name: &str, column: &str) -> String {
    let at = |c: &str| records[0].iter().position(|h| h == c).expect("a column");
    let record = records
        .iter()
        .find(|r| r[at("name")] == name)
        .unwrap_or_else(|| panic!("no line for {name:?} in {records:?}"));
    record[at(column)].clone()
}

#[actix_web::test]
async fn excel_rosters_open_in_german_spreadsheets_and_run_no_formula() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let soon = shift(&app, &s, "Tische decken", 24, 2, json!({})).await;
    volunteer(&app, "eva@example.org", EVA, "+49 231 1234567", &soon).await;
    let juergen = "Jürgen Müller-Lüdenscheidt";
    volunteer(&app, "juergen@example.org", juergen, "0231 7654321", &soon).await;
    let from = (Utc::now() - Duration::days(1))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let to = (Utc::now() + Duration::days(3))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let window = format!("from={from}&to={to}");
    let paths = [
        format!("/api/v1/shifts/{soon}/roster?format=excel"),
        format!("/api/v1/centres/{}/roster?{window}&format=excel", s.centre),
        format!(
            "/api/v1/operators/{}/roster?{window}&format=excel",
            s.operator
        ),
    ];

    for path in &paths {
        let text = csv_text(&get(&app, &s, path, None).await);

        // A byte order mark, then lines separated by `;`.
        assert!(text.starts_with(BOM), "{path}: {text:?}");
        let header = text.trim_start_matches(BOM).split("\r\n").next();
        assert!(
            header.is_some_and(|h| h.contains(";name;contact_by;email;phone;status;")),
            "{path}: {header:?}"
        );
        // Split on `;` or on `,`, no cell starts a formula.
        assert_eq!(formulas(&text), Vec::<String>::new(), "{path}: {text}");
        // Read as `;`-separated CSV, the names are whole, the formula made text, and
        // umlauts unharmed.
        let records = records(&text, b';');
        assert!(records.iter().all(|r| r.len() == records[0].len()));
        let inert = "Eva;'=HYPERLINK(\"http://x\")";
        assert_eq!(value_of(&records, inert, "phone"), "'+49 231 1234567");
        assert_eq!(value_of(&records, juergen, "phone"), "0231 7654321");
    }

    // The same roster as RFC 4180 CSV: `,`, no byte order mark, equally inert.
    let comma = [
        (format!("/api/v1/shifts/{soon}/roster?format=csv"), None),
        (format!("/api/v1/shifts/{soon}/roster"), Some("text/csv")),
    ];
    for (path, accept) in &comma {
        let text = csv_text(&get(&app, &s, path, *accept).await);
        assert!(text.starts_with("signup_id,shift_id,"), "{path}: {text:?}");
        assert_eq!(formulas(&text), Vec::<String>::new(), "{path}: {text}");
        let records = records(&text, b',');
        let inert = "Eva;'=HYPERLINK(\"http://x\")";
        assert_eq!(value_of(&records, inert, "status"), "confirmed");
    }

    // `format` wins over `Accept`; an unknown one is refused.
    let json = get(
        &app,
        &s,
        &format!("/api/v1/shifts/{soon}/roster?format=json"),
        Some("text/csv"),
    )
    .await;
    assert_eq!(json.status, 200);
    assert_eq!(json.json()[0]["name"], EVA);
    get(
        &app,
        &s,
        &format!("/api/v1/shifts/{soon}/roster?format=xlsx"),
        None,
    )
    .await
    .assert_problem(400, "malformed-request");

    // The audit trail says in which format each roster went out.
    assert_eq!(
        app.count("audit_events", "details::jsonb ->> 'format' = 'excel'")
            .await,
        3
    );
    assert_eq!(
        app.count("audit_events", "details::jsonb ->> 'format' = 'csv'")
            .await,
        2
    );
}
