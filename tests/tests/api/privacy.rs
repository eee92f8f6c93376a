//! Data protection: the audit trail, the export of one's data, erasure, and retention.

use actix_web::http::Method;
use chrono::{Duration, Utc};
use diesel_async::RunQueryDsl;
use futures_util::future::join_all;
use quartier_tests::{Setup, TestApp, TestUser, id_of, join, post, setup, shift, sign_up};
use serde_json::{Value, json};

const POLICE_CERTIFICATE: &str = "00000000-0000-7000-8000-000000000001";

fn actions(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("action").to_owned())
        .collect()
}

/// The volunteer says she helps operator A and declares her police certificate; its
/// coordinator records the inspection. The verification's id.
async fn inspect(app: &TestApp, s: &Setup, volunteer: &TestUser) -> String {
    let issued = (Utc::now() - Duration::days(30)).date_naive();
    join(app, &volunteer.access_token, &s.operator).await;
    id_of(
        &post(
            app,
            &volunteer.access_token,
            "/api/v1/me/qualifications",
            json!({"type_id": POLICE_CERTIFICATE, "issued_on": issued}),
        )
        .await,
    );
    id_of(
        &post(
            app,
            &s.coordinator.access_token,
            &format!("/api/v1/operators/{}/qualification-checks", s.operator),
            json!({"user_id": volunteer.id, "type_id": POLICE_CERTIFICATE, "issued_on": issued}),
        )
        .await,
    )
}

async fn exec(app: &TestApp, sql: &str) {
    let changed = diesel::sql_query(sql)
        .execute(&mut app.conn().await)
        .await
        .expect("statement");
    assert_eq!(changed, 1, "{sql}");
}

/// Marks the sign-up attended with `minutes` worked, as staff would after the shift.
async fn attended(app: &TestApp, signup: &str, minutes: i32) {
    exec(
        app,
        &format!(
            "UPDATE signups SET status = 'attended', minutes_worked = {minutes} \
             WHERE id = '{signup}' AND status = 'confirmed'"
        ),
    )
    .await;
}

async fn set_name_and_phone(app: &TestApp, user: &TestUser, name: &str, phone: &str) {
    let token = Some(user.access_token.as_str());
    let renamed = app
        .json(
            Method::PATCH,
            "/api/v1/me",
            token,
            &[("if-match", "*")],
            &json!({"display_name": name}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{:?}", renamed.json());
    let profile = app
        .json(
            Method::PATCH,
            "/api/v1/me/profile",
            token,
            &[("if-match", "*")],
            &json!({"phone": phone, "contact_by": "phone", "availability": format!("Ruf {name} an")}),
        )
        .await;
    assert_eq!(profile.status, 200, "{:?}", profile.json());
}

#[actix_web::test]
async fn the_audit_trail_tells_admins_and_the_person_who_read_or_changed_their_data() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let helga = app.signed_up("helga@example.org").await;
    let karl = app.signed_up("karl@example.org").await;
    let soon = shift(&app, &s, "Tische decken", 24, 2, json!({})).await;
    id_of(&sign_up(&app, &helga.access_token, &soon).await);
    id_of(&sign_up(&app, &karl.access_token, &soon).await);
    let coordinator = s.coordinator.access_token.as_str();

    let roster = app
        .get(&format!("/api/v1/shifts/{soon}/roster"), Some(coordinator))
        .await;
    assert_eq!(roster.status, 200);
    let from = (Utc::now() - Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ");
    let to = (Utc::now() + Duration::days(3)).format("%Y-%m-%dT%H:%M:%SZ");
    let export = app
        .send(
            Method::GET,
            &format!(
                "/api/v1/operators/{}/roster?from={from}&to={to}",
                s.operator
            ),
            &[
                ("authorization", &format!("Bearer {coordinator}")),
                ("accept", "text/csv"),
            ],
            None,
        )
        .await;
    assert_eq!(export.status, 200);
    inspect(&app, &s, &helga).await;
    let admin = s.admin.access_token.as_str();
    let members = format!("/api/v1/operators/{}/members", s.operator);
    let added = post(
        &app,
        admin,
        &members,
        json!({"email": "helga@example.org", "role": "coordinator"}),
    )
    .await;
    assert_eq!(added.status, 201);
    let promoted = app
        .json(
            Method::PATCH,
            &format!("{members}/{}", helga.id),
            Some(admin),
            &[],
            &json!({"role": "operator_admin"}),
        )
        .await;
    assert_eq!(promoted.status, 200);
    let key = id_of(
        &post(
            &app,
            admin,
            &format!("/api/v1/operators/{}/api-keys", s.operator),
            json!({"name": "Dienstplan", "scopes": ["roster:read"]}),
        )
        .await,
    );
    let revoked = app
        .send(
            Method::DELETE,
            &format!("/api/v1/operators/{}/api-keys/{key}", s.operator),
            &[("authorization", &format!("Bearer {admin}"))],
            None,
        )
        .await;
    assert_eq!(revoked.status, 200);

    // Helga reads what happened to her data, newest first, naming only her.
    let mine = app.get("/api/v1/me/audit", Some(&helga.access_token)).await;
    assert_eq!(mine.status, 200);
    assert_eq!(mine.header("cache-control"), Some("private, no-store"));
    let mine = mine.json();
    assert_eq!(
        actions(&mine),
        [
            "member.role_changed",
            "member.added",
            "qualification.verified",
            "roster.exported",
            "roster.viewed",
        ]
    );
    for entry in mine["items"].as_array().expect("items") {
        assert_eq!(entry["subjects"], json!([helga.id]));
    }
    let viewed = &mine["items"][4];
    assert_eq!(viewed["actor"]["kind"], "user");
    assert_eq!(viewed["object_type"], "shift");
    assert_eq!(viewed["object_id"], soon.as_str());
    assert_eq!(viewed["details"]["format"], "json");
    assert_eq!(mine["items"][3]["details"]["format"], "csv");
    assert_eq!(mine["items"][0]["details"]["to"], "operator_admin");
    // Karl was on the roster and the export, nothing else.
    let karls = app.get("/api/v1/me/audit", Some(&karl.access_token)).await;
    assert_eq!(actions(&karls.json()), ["roster.exported", "roster.viewed"]);

    // Administrators read everything, filter it and page through it; nobody else may.
    let all = app.get("/api/v1/audit?limit=100", Some(admin)).await.json();
    let all_actions = actions(&all);
    for expected in ["api_key.created", "api_key.revoked", "roster.viewed"] {
        assert!(all_actions.iter().any(|a| a == expected), "{all_actions:?}");
    }
    let about_helga = app
        .get(&format!("/api/v1/audit?subject={}", helga.id), Some(admin))
        .await
        .json();
    assert_eq!(actions(&about_helga), actions(&mine));
    // The admin-side view names every person on the roster.
    assert_eq!(
        about_helga["items"][4]["subjects"].as_array().map(Vec::len),
        Some(2)
    );
    let keys = app
        .get("/api/v1/audit?action=api_key.created", Some(admin))
        .await
        .json();
    assert_eq!(keys["items"][0]["object_id"], key.as_str());
    let first = app
        .get(
            &format!("/api/v1/audit?subject={}&limit=2", helga.id),
            Some(admin),
        )
        .await
        .json();
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let second = app
        .get(
            &format!("/api/v1/audit?subject={}&limit=2&cursor={cursor}", helga.id),
            Some(admin),
        )
        .await
        .json();
    assert_eq!(
        actions(&second),
        ["qualification.verified", "roster.exported"]
    );
    for token in [coordinator, helga.access_token.as_str()] {
        app.get("/api/v1/audit", Some(token))
            .await
            .assert_problem(403, "forbidden");
    }
    app.get("/api/v1/me/audit", None)
        .await
        .assert_problem(401, "unauthenticated");
    // The trail names people by id only.
    assert_eq!(
        app.count(
            "audit_events",
            "details ILIKE '%helga%' OR details ILIKE '%Test Person%'"
        )
        .await,
        0
    );
}

#[actix_web::test]
async fn the_export_holds_every_kind_of_data_stored_about_the_person() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let helga = app.signed_up("helga@example.org").await;
    let token = helga.access_token.as_str();
    set_name_and_phone(&app, &helga, "Helga Export", "+49 231 1112233").await;
    let declared = post(
        &app,
        token,
        "/api/v1/me/qualifications",
        json!({"type_id": "00000000-0000-7000-8000-000000000002",
               "issued_on": (Utc::now() - Duration::days(3)).date_naive()}),
    )
    .await;
    assert_eq!(declared.status, 201);
    inspect(&app, &s, &helga).await;
    let coming = shift(&app, &s, "Tische decken", 24, 2, json!({})).await;
    let worked = shift(&app, &s, "Kaffee kochen", 48, 2, json!({})).await;
    id_of(&sign_up(&app, token, &coming).await);
    let done = id_of(&sign_up(&app, token, &worked).await);
    attended(&app, &done, 90).await;
    assert_eq!(
        post(&app, token, "/api/v1/me/calendar-feed", json!({}))
            .await
            .status,
        201
    );
    app.get(
        &format!("/api/v1/shifts/{coming}/roster"),
        Some(&s.coordinator.access_token),
    )
    .await;
    let added = post(
        &app,
        &s.admin.access_token,
        &format!("/api/v1/operators/{}/members", s.operator),
        json!({"email": "helga@example.org", "role": "operator_admin"}),
    )
    .await;
    assert_eq!(added.status, 201);
    let key = id_of(
        &post(
            &app,
            token,
            &format!("/api/v1/operators/{}/api-keys", s.operator),
            json!({"name": "Helgas Tabelle", "scopes": ["roster:read"]}),
        )
        .await,
    );

    let response = app.get("/api/v1/me/export", Some(token)).await;

    assert_eq!(response.status, 200);
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert!(
        response
            .header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment"))
    );
    let export = response.json();
    assert_eq!(export["account"]["email"], "helga@example.org");
    assert_eq!(export["account"]["display_name"], "Helga Export");
    assert_eq!(export["consent"]["privacy_policy_version"], "2026-11");
    assert_eq!(export["profile"]["phone"], "+49 231 1112233");
    assert_eq!(export["profile"]["contact_by"], "phone");
    let kinds: Vec<(&str, &str)> = export["qualifications"]
        .as_array()
        .expect("qualifications")
        .iter()
        .map(|q| {
            (
                q["type"]["id"].as_str().expect("type"),
                q["status"].as_str().expect("status"),
            )
        })
        .collect();
    assert!(kinds.contains(&(POLICE_CERTIFICATE, "valid")), "{kinds:?}");
    assert_eq!(
        export["operators_helped"][0]["operator_id"],
        s.operator.as_str()
    );
    assert!(
        kinds.contains(&("00000000-0000-7000-8000-000000000002", "declared")),
        "{kinds:?}"
    );
    let signups: Vec<(&str, &str)> = export["signups"]
        .as_array()
        .expect("signups")
        .iter()
        .map(|x| {
            (
                x["shift_title"].as_str().expect("title"),
                x["status"].as_str().expect("status"),
            )
        })
        .collect();
    assert_eq!(
        signups,
        [
            ("Tische decken", "confirmed"),
            ("Kaffee kochen", "attended")
        ]
    );
    assert_eq!(export["hours"][0]["minutes"], 90);
    assert_eq!(export["memberships"][0]["role"], "operator_admin");
    assert_eq!(export["memberships"][0]["operator_id"], s.operator.as_str());
    assert!(export["calendar_feed_created_at"].is_string());
    assert_eq!(export["sessions"].as_array().map(Vec::len), Some(1));
    assert_eq!(export["api_keys_created"][0]["id"], key.as_str());
    assert!(export["api_keys_created"][0].get("secret").is_none());
    let about: Vec<&str> = export["audit_about_me"]
        .as_array()
        .expect("about")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(
        about,
        ["member.added", "roster.viewed", "qualification.verified"]
    );
    assert_eq!(export["audit_by_me"][0]["action"], "api_key.created");
    // The export itself is on the record, and it is for people only.
    let mine = app.get("/api/v1/me/audit", Some(token)).await.json();
    assert_eq!(mine["items"][0]["action"], "account.exported");
    app.get("/api/v1/me/export", None)
        .await
        .assert_problem(401, "unauthenticated");
}

/// Every text-like column of every table, as `(table, column)`.
async fn text_columns(app: &TestApp) -> Vec<(String, String)> {
    app.texts(
        "SELECT table_name || '.' || column_name FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' \
           AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')",
    )
    .await
    .into_iter()
    .map(|qualified| {
        let (table, column) = qualified.split_once('.').expect("table.column");
        (table.to_owned(), column.to_owned())
    })
    .collect()
}

#[actix_web::test]
async fn erasure_leaves_no_name_address_or_phone_and_keeps_anonymous_counts() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let helga = app.signed_up("helga.unverwechselbar@example.org").await;
    let token = helga.access_token.as_str();
    set_name_and_phone(&app, &helga, "Helga Unverwechselbar", "+49 231 5550123").await;
    inspect(&app, &s, &helga).await;
    let full = shift(&app, &s, "Tische decken", 72, 1, json!({})).await;
    let worked = shift(&app, &s, "Kaffee kochen", 96, 3, json!({})).await;
    let mine = id_of(&sign_up(&app, token, &full).await);
    let done = id_of(
        &app.send(
            Method::POST,
            &format!("/api/v1/shifts/{worked}/signups"),
            &[
                ("authorization", &format!("Bearer {token}")),
                ("idempotency-key", "helgas-erste-anmeldung"),
            ],
            None,
        )
        .await,
    );
    assert_eq!(
        app.count("idempotency_keys", &format!("owner_id = '{}'", helga.id))
            .await,
        1
    );
    attended(&app, &done, 120).await;
    let karl = app.signed_up("karl@example.org").await;
    let karls = id_of(&sign_up(&app, &karl.access_token, &full).await);
    assert_eq!(
        post(&app, token, "/api/v1/me/calendar-feed", json!({}))
            .await
            .status,
        201
    );
    let added = post(
        &app,
        &s.admin.access_token,
        &format!("/api/v1/operators/{}/members", s.other_operator),
        json!({"email": "helga.unverwechselbar@example.org", "role": "operator_admin"}),
    )
    .await;
    assert_eq!(added.status, 201);
    id_of(
        &post(
            &app,
            token,
            &format!("/api/v1/operators/{}/api-keys", s.other_operator),
            json!({"name": "Helgas Schlüssel", "scopes": ["roster:read"]}),
        )
        .await,
    );
    // Staff saw her on the roster before.
    app.get(
        &format!("/api/v1/shifts/{full}/roster"),
        Some(&s.coordinator.access_token),
    )
    .await;

    // The wrong password changes nothing.
    let refused = app
        .json(
            Method::DELETE,
            "/api/v1/me",
            Some(token),
            &[],
            &json!({"password": "nicht das Passwort"}),
        )
        .await;
    refused.assert_problem(403, "wrong-password");
    assert_eq!(
        app.count("users", "email = 'helga.unverwechselbar@example.org'")
            .await,
        1
    );

    let erased = app
        .json(
            Method::DELETE,
            "/api/v1/me",
            Some(token),
            &[],
            &json!({"password": helga.password}),
        )
        .await;

    assert_eq!(erased.status, 200, "{:?}", erased.json());
    assert_eq!(
        erased.json(),
        json!({"cancelled_signups": 1, "promoted_signups": 1, "anonymised_signups": 2})
    );
    // No text anywhere holds her name, address or phone number.
    let columns = text_columns(&app).await;
    for expected in [
        ("users", "email"),
        ("volunteer_profiles", "phone"),
        ("outbox_events", "payload"),
    ] {
        assert!(
            columns.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} is searched"
        );
    }
    for (table, column) in columns {
        let found = app
            .count(
                &table,
                &format!(
                    "{column}::text ILIKE '%Unverwechselbar%' OR {column}::text ILIKE '%5550123%' \
                     OR {column}::text ILIKE '%helga.unverwechselbar%'"
                ),
            )
            .await;
        assert_eq!(found, 0, "{table}.{column} still holds her data");
    }
    for table in [
        "refresh_tokens",
        "calendar_feeds",
        "volunteer_profiles",
        "volunteer_qualifications",
        "qualification_verifications",
        "operator_volunteers",
        "operator_members",
    ] {
        assert_eq!(
            app.count(table, &format!("user_id = '{}'", helga.id)).await,
            0,
            "{table}"
        );
    }
    assert_eq!(
        app.count("signups", &format!("user_id = '{}'", helga.id))
            .await,
        0
    );
    assert_eq!(
        app.count("idempotency_keys", &format!("owner_id = '{}'", helga.id))
            .await,
        0
    );
    // Her place went to Karl, with the usual events, telling that a volunteer left, not who.
    let karl_now = app
        .get(
            &format!("/api/v1/signups/{karls}"),
            Some(&karl.access_token),
        )
        .await;
    assert_eq!(karl_now.json()["status"], "confirmed");
    assert_eq!(
        app.count("shifts", &format!("id = '{full}' AND confirmed_count = 1"))
            .await,
        1
    );
    let left = app
        .texts(&format!(
            "SELECT payload FROM outbox_events WHERE kind = 'signup.cancelled' AND subject_id = '{mine}'"
        ))
        .await;
    assert_eq!(left.len(), 1);
    let left: Value = serde_json::from_str(&left[0]).expect("json");
    assert_eq!(left["user_id"], Value::Null);
    assert_eq!(left["reason"], "account_erased");
    assert_eq!(
        app.count(
            "outbox_events",
            &format!("kind = 'signup.promoted' AND subject_id = '{karls}'")
        )
        .await,
        1
    );
    // The hours stay as an anonymous line on the roster.
    let roster = app
        .get(
            &format!("/api/v1/shifts/{worked}/roster"),
            Some(&s.coordinator.access_token),
        )
        .await
        .json();
    assert_eq!(roster.as_array().map(Vec::len), Some(1));
    assert_eq!(roster[0]["user_id"], Value::Null);
    assert_eq!(roster[0]["name"], Value::Null);
    assert_eq!(roster[0]["minutes_worked"], 120);
    assert_eq!(roster[0]["status"], "attended");
    // What she still holds stops working.
    app.get("/api/v1/me", Some(token))
        .await
        .assert_problem(401, "unauthenticated");
    sign_up(&app, token, &worked)
        .await
        .assert_problem(401, "unauthenticated");
    assert_eq!(app.refresh(&helga.refresh_token).await.status, 401);
    assert_eq!(
        app.login("helga.unverwechselbar@example.org", &helga.password)
            .await
            .status,
        401
    );
    // The erasure is on the record by id only.
    assert_eq!(
        app.count(
            "audit_events",
            &format!(
                "action = 'account.erased' AND subjects = ARRAY['{}']::uuid[]",
                helga.id
            )
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn the_only_administrator_cannot_erase_their_account() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;

    let refused = app
        .json(
            Method::DELETE,
            "/api/v1/me",
            Some(&admin.access_token),
            &[],
            &json!({"password": admin.password}),
        )
        .await;

    refused.assert_problem(409, "last-admin");
    assert_eq!(app.count("users", "role = 'admin'").await, 1);
}

#[actix_web::test]
async fn an_erasure_racing_with_sign_ups_never_overbooks() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let helga = app.signed_up("helga@example.org").await;
    let full = shift(&app, &s, "Tische decken", 72, 1, json!({})).await;
    id_of(&sign_up(&app, &helga.access_token, &full).await);
    let racers = app.volunteers(30).await;
    let confirmation = json!({"password": helga.password});
    let erase = app.json(
        Method::DELETE,
        "/api/v1/me",
        Some(&helga.access_token),
        &[],
        &confirmation,
    );
    let sign_ups = join_all(racers.iter().map(|(_, token)| sign_up(&app, token, &full)));

    let (erased, answers) = tokio::join!(erase, sign_ups);

    assert_eq!(erased.status, 200);
    assert!(answers.iter().all(|a| a.status == 201));
    assert_eq!(
        app.count(
            "signups",
            &format!("shift_id = '{full}' AND status = 'confirmed'")
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
            "signups",
            &format!("shift_id = '{full}' AND status = 'waitlisted'")
        )
        .await,
        29
    );
}

#[actix_web::test]
async fn retention_anonymises_old_sign_ups_and_removes_expired_verifications() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let helga = app.signed_up("helga@example.org").await;
    let old = shift(&app, &s, "Damals", 24, 2, json!({})).await;
    let recent = shift(&app, &s, "Neulich", 48, 2, json!({})).await;
    let old_signup = id_of(&sign_up(&app, &helga.access_token, &old).await);
    let recent_signup = id_of(&sign_up(&app, &helga.access_token, &recent).await);
    attended(&app, &old_signup, 60).await;
    // Move the first back 25 months, the second 23 months.
    for (signup, months) in [(&old_signup, 25), (&recent_signup, 23)] {
        exec(
            &app,
            &format!(
                "UPDATE signups SET starts_at = starts_at - interval '{months} months', \
                 ends_at = ends_at - interval '{months} months' WHERE id = '{signup}'"
            ),
        )
        .await;
    }
    let expired = inspect(&app, &s, &helga).await;
    let karl = app.signed_up("karl@example.org").await;
    let lately = inspect(&app, &s, &karl).await;
    for (id, days) in [(&expired, 100), (&lately, 10)] {
        exec(
            &app,
            &format!(
                "UPDATE qualification_verifications SET issued_on = current_date - 2000, \
                 inspected_on = current_date - 1990, expires_on = current_date - {days} \
                 WHERE id = '{id}'"
            ),
        )
        .await;
    }

    // The event announcing the old sign-up, and the audit entry of Karl's verification, age
    // past their own periods.
    exec(
        &app,
        &format!(
            "UPDATE outbox_events SET created_at = now() - interval '40 days', \
             published_at = now() - interval '40 days' WHERE subject_id = '{old_signup}'"
        ),
    )
    .await;
    exec(
        &app,
        &format!(
            "UPDATE audit_events SET at = now() - interval '25 months' \
             WHERE action = 'qualification.verified' AND object_id = '{lately}'"
        ),
    )
    .await;

    let swept = quartier_api::retention::sweep(&app.pool, &app.settings.retention, Utc::now())
        .await
        .expect("sweep");

    assert_eq!(swept.signups_anonymised, 1);
    assert_eq!(swept.verifications_removed, 1);
    assert_eq!(swept.events_removed, 1);
    assert_eq!(swept.audit_entries_removed, 1);
    assert_eq!(
        app.count("outbox_events", &format!("subject_id = '{old_signup}'"))
            .await,
        0
    );
    assert_eq!(
        app.count("outbox_events", &format!("subject_id = '{recent_signup}'"))
            .await,
        1
    );
    assert_eq!(
        app.count("audit_events", "action = 'qualification.verified'")
            .await,
        1
    );
    assert_eq!(
        app.count(
            "signups",
            &format!(
                "id = '{old_signup}' AND user_id IS NULL AND anonymised_at IS NOT NULL \
                 AND minutes_worked = 60 AND status = 'attended'"
            )
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "signups",
            &format!("id = '{recent_signup}' AND user_id = '{}'", helga.id)
        )
        .await,
        1
    );
    assert_eq!(
        app.count("qualification_verifications", &format!("id = '{expired}'"))
            .await,
        0
    );
    assert_eq!(
        app.count("qualification_verifications", &format!("id = '{lately}'"))
            .await,
        1
    );
    // Helga can read that it happened, by Quartier itself.
    let mine = app
        .get("/api/v1/me/audit", Some(&helga.access_token))
        .await
        .json();
    let system: Vec<&str> = mine["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["actor"]["kind"] == "system")
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(
        system,
        ["qualification.expired_removed", "signups.anonymised"]
    );
    // A second run finds nothing more to do.
    let again = quartier_api::retention::sweep(&app.pool, &app.settings.retention, Utc::now())
        .await
        .expect("sweep");
    assert_eq!(again, quartier_api::retention::Swept::default());
}

#[actix_web::test]
async fn tokens_of_an_erased_or_demoted_administrator_stop_working_at_once() {
    let app = TestApp::spawn().await;
    app.admin().await;
    let mut admins = Vec::new();
    for email in ["zweite@example.org", "dritte@example.org"] {
        app.signed_up(email).await;
        exec(
            &app,
            &format!("UPDATE users SET role = 'admin' WHERE email = '{email}'"),
        )
        .await;
        let tokens = app.login(email, "ein sicheres Passwort").await.json();
        admins.push(tokens["access_token"].as_str().expect("token").to_owned());
    }
    for token in &admins {
        assert_eq!(app.get("/api/v1/users", Some(token)).await.status, 200);
    }

    let erased = app
        .json(
            Method::DELETE,
            "/api/v1/me",
            Some(&admins[0]),
            &[],
            &json!({"password": "ein sicheres Passwort"}),
        )
        .await;
    assert_eq!(erased.status, 200);
    exec(
        &app,
        "UPDATE users SET role = 'member' WHERE email = 'dritte@example.org'",
    )
    .await;

    for path in [
        "/api/v1/users",
        "/api/v1/audit",
        "/api/v1/me/signups",
        "/api/v1/me/audit",
    ] {
        app.get(path, Some(&admins[0]))
            .await
            .assert_problem(401, "unauthenticated");
    }
    app.get("/api/v1/users", Some(&admins[1]))
        .await
        .assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn two_administrators_leaving_at_once_leave_one_behind() {
    let app = TestApp::spawn().await;
    let first = app.admin().await;
    app.signed_up("zweite@example.org").await;
    exec(
        &app,
        "UPDATE users SET role = 'admin' WHERE email = 'zweite@example.org'",
    )
    .await;
    let second = app
        .login("zweite@example.org", "ein sicheres Passwort")
        .await
        .json();
    let second = second["access_token"].as_str().expect("token").to_owned();
    let bodies = [
        json!({"password": first.password}),
        json!({"password": "ein sicheres Passwort"}),
    ];

    let answers = join_all(
        [&first.access_token, &second]
            .into_iter()
            .zip(&bodies)
            .map(|(token, body)| app.json(Method::DELETE, "/api/v1/me", Some(token), &[], body)),
    )
    .await;

    let mut statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    assert_eq!(app.count("users", "role = 'admin'").await, 1);
}
