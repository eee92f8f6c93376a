//! Qualifications: volunteers declare them, staff inspect them, a shift takes only volunteers
//! whose qualification is inspected and still valid on its day, and an operator's own types
//! are bounded.

use chrono::{Duration, Utc};
use quartier_tests::{TestApp, join, post, setup, shift, sign_up};
use serde_json::json;

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
        let mut statements = vec![format!(
            "INSERT INTO volunteer_qualifications (id, user_id, type_id, issued_on) \
             VALUES (gen_random_uuid(), '{user}', '{police}', now()::date - 1000)"
        )];
        if inspected {
            statements.push(format!(
                "INSERT INTO qualification_verifications \
                 (id, user_id, type_id, operator_id, issued_on, inspected_on, inspected_by, expires_on) \
                 VALUES (gen_random_uuid(), '{user}', '{police}', '{}', now()::date - 1000, \
                 now()::date - 1, '{}', {})",
                s.operator,
                s.coordinator.id,
                expires.map_or("NULL".into(), |d| format!("'{d}'")),
            ));
        }
        let app = &app;
        async move {
            use diesel_async::RunQueryDsl;
            for sql in statements {
                diesel::sql_query(sql)
                    .execute(&mut app.conn().await)
                    .await
                    .expect("qualification");
            }
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

    // A volunteer may not record inspections; staff only for volunteers who came to their
    // operator: until she says she helps operator A, its coordinator gets the answer an
    // unknown account gets.
    post(
        &app,
        &volunteer.access_token,
        &format!("/api/v1/operators/{}/qualification-checks", s.operator),
        json!({"user_id": volunteer.id, "type_id": police, "issued_on": issued}),
    )
    .await
    .assert_problem(403, "forbidden");
    let check = format!("/api/v1/operators/{}/qualification-checks", s.operator);
    let stranger = post(
        &app,
        &s.coordinator.access_token,
        &check,
        json!({"user_id": volunteer.id, "type_id": police, "issued_on": issued}),
    )
    .await
    .assert_problem(422, "validation-failed");
    let nobody = post(
        &app,
        &s.coordinator.access_token,
        &check,
        json!({"user_id": uuid::Uuid::now_v7(), "type_id": police, "issued_on": issued}),
    )
    .await
    .assert_problem(422, "validation-failed");
    assert_eq!(stranger["errors"], nobody["errors"]);
    assert_eq!(app.count("qualification_verifications", "true").await, 0);
    join(&app, &volunteer.access_token, &s.operator).await;
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
    assert_eq!(
        mine.json()[0]["verifications"][0]["operator"]["id"],
        s.operator.as_str()
    );
    // Only the fact of the inspection is stored: no column could hold a document.
    assert_eq!(
        app.count(
            "information_schema.columns",
            "table_name IN ('volunteer_qualifications', 'qualification_verifications') \
             AND data_type IN ('bytea', 'text')"
        )
        .await,
        0
    );
    // A renewal changes the declared date; operator A's verification still holds the
    // document its staff saw, until they inspect the new one.
    let renewed = post(
        &app,
        &volunteer.access_token,
        "/api/v1/me/qualifications",
        json!({"type_id": police, "issued_on": issued + Duration::days(100)}),
    )
    .await;
    assert_eq!(renewed.status, 201);
    let renewed = renewed.json();
    assert_eq!(
        renewed["issued_on"],
        (issued + Duration::days(100)).to_string()
    );
    assert_eq!(renewed["status"], "valid");
    assert_eq!(renewed["verifications"][0]["issued_on"], issued.to_string());
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
