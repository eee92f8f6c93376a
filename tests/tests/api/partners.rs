//! The partner network: administrators keep it; everyone reads the fields a partner made
//! public, and nothing else.

use actix_web::http::Method;
use quartier_tests::fixtures::{id_of, post, setup};
use quartier_tests::{TestApp, TestResponse};
use serde_json::{Value, json};

#[track_caller]
fn status(response: &TestResponse, expected: u16) -> Value {
    assert_eq!(
        response.status,
        expected,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    response.json()
}

fn names(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["name"].as_str().expect("name"))
        .collect()
}

#[actix_web::test]
async fn everyone_reads_what_a_partner_made_public_and_nothing_else() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = &s.admin.access_token;
    let town = app
        .texts("SELECT district_id::text FROM centres LIMIT 1")
        .await
        .remove(0);
    let quarter = id_of(
        &post(
            &app,
            admin,
            "/api/v1/districts",
            json!({"name": "Hafenviertel", "town": "Musterstadt", "parent_id": town}),
        )
        .await,
    );
    let verein = status(
        &post(
            &app,
            admin,
            "/api/v1/partners",
            json!({
                "name": "Nachbarschaftsverein Hafen e.V.", "kind": "association",
                "description": "Wir organisieren das Hafenfest.",
                "topics": ["Feste", "Jugend", "jugend"], "district_ids": [quarter],
                "website": "https://hafen-verein.example",
                "contact_email": "info@hafen-verein.example", "contact_phone": "+49 231 555123",
                "address": "Hafenweg 2", "external_id": "VZ-0042", "operator_id": s.operator,
            }),
        )
        .await,
        201,
    );
    assert_eq!(verein["topics"], json!(["Feste", "Jugend"]));
    assert_eq!(verein["contact_email"], "info@hafen-verein.example");
    assert_eq!(verein["external_id"], "VZ-0042");
    assert_eq!(
        verein["public_fields"],
        json!(["description", "topics", "districts", "website"])
    );
    let id = verein["id"].as_str().expect("id").to_owned();
    status(
        &post(
            &app,
            admin,
            "/api/v1/partners",
            json!({"name": "Polizei Bezirksdienst", "kind": "police", "topics": ["Sicherheit"],
                   "public_fields": ["description"]}),
        )
        .await,
        201,
    );

    // Anonymous readers: name, kind and the public fields only.
    let path = format!("/api/v1/partners/{id}");
    let public = app.get(&path, None).await;
    let body = String::from_utf8_lossy(&public.body).into_owned();
    let public = status(&public, 200);
    assert_eq!(public["description"], "Wir organisieren das Hafenfest.");
    assert_eq!(public["district_ids"], json!([quarter]));
    for private in ["info@hafen-verein", "555123", "Hafenweg", "VZ-0042"] {
        assert!(!body.contains(private), "{private} in {body}");
    }
    assert_eq!(public["contact_email"], Value::Null);
    assert!(public.get("external_id").is_none());
    let list = app.get("/api/v1/partners", None).await;
    let list_body = String::from_utf8_lossy(&list.body).into_owned();
    assert_eq!(
        names(&status(&list, 200)),
        ["Nachbarschaftsverein Hafen e.V.", "Polizei Bezirksdienst"]
    );
    assert!(!list_body.contains("info@hafen-verein"), "{list_body}");

    // Filters: the district and those above it, kind, topic (only where public), words.
    for (query, expected) in [
        (
            format!("district_id={town}"),
            vec!["Nachbarschaftsverein Hafen e.V."],
        ),
        ("kind=police".to_owned(), vec!["Polizei Bezirksdienst"]),
        (
            "topic=JUGEND".to_owned(),
            vec!["Nachbarschaftsverein Hafen e.V."],
        ),
        ("topic=Sicherheit".to_owned(), vec![]),
        (
            "q=hafenfest".to_owned(),
            vec!["Nachbarschaftsverein Hafen e.V."],
        ),
        ("q=Polizei".to_owned(), vec!["Polizei Bezirksdienst"]),
    ] {
        let found = status(
            &app.get(&format!("/api/v1/partners?{query}"), None).await,
            200,
        );
        assert_eq!(names(&found), expected, "{query}");
    }
    // Administrators filter by every field.
    let found = status(
        &app.get("/api/v1/partners?topic=Sicherheit", Some(admin))
            .await,
        200,
    );
    assert_eq!(names(&found), ["Polizei Bezirksdienst"]);

    // The partner makes its mailbox public, drops its website; a stale version is refused.
    let change = json!({"public_fields": ["description", "contact_email"], "website": null});
    let stale = app
        .json(
            Method::PATCH,
            &path,
            Some(admin),
            &[("if-match", "\"99\"")],
            &change,
        )
        .await;
    stale.assert_problem(412, "version-conflict");
    let changed = status(
        &app.json(
            Method::PATCH,
            &path,
            Some(admin),
            &[("if-match", "\"1\"")],
            &change,
        )
        .await,
        200,
    );
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["website"], Value::Null);
    let public = status(&app.get(&path, None).await, 200);
    assert_eq!(public["contact_email"], "info@hafen-verein.example");
    assert_eq!(public["district_ids"], json!([]));
    assert_eq!(public["topics"], json!([]));

    // Bad input changes nothing.
    for (body, field) in [
        (
            json!({"district_ids": ["00000000-0000-7000-8000-000000000000"]}),
            "district_ids",
        ),
        (
            json!({"operator_id": "00000000-0000-7000-8000-000000000000"}),
            "operator_id",
        ),
        (json!({"topics": [""]}), "topics"),
        (json!({"contact_email": "kein-postfach"}), "contact_email"),
        (json!({"name": " "}), "name"),
    ] {
        let refused = app
            .json(Method::PATCH, &path, Some(admin), &[], &body)
            .await;
        assert_eq!(status(&refused, 422)["errors"][0]["field"], field, "{body}");
    }
    post(
        &app,
        admin,
        "/api/v1/partners",
        json!({"name": "Doppelt", "kind": "other", "external_id": "VZ-0042"}),
    )
    .await
    .assert_problem(409, "external-id-taken");
    post(
        &app,
        &s.coordinator.access_token,
        "/api/v1/partners",
        json!({"name": "Selbst ernannt", "kind": "other"}),
    )
    .await
    .assert_problem(403, "forbidden");
    assert_eq!(app.count("partners", "true").await, 2);
    let stored = app
        .texts(&format!(
            "SELECT version::text FROM partners WHERE id = '{id}'"
        ))
        .await;
    assert_eq!(stored, ["2"]);
    // The operator the partner is hears of it: created, then changed.
    assert_eq!(
        app.count(
            "outbox_events",
            &format!(
                "kind = 'partner.created' AND operator_id = '{}'",
                s.operator
            )
        )
        .await,
        1
    );
    assert_eq!(
        app.count("outbox_events", "kind = 'partner.changed'").await,
        1
    );
}
