//! The partner network: administrators keep it; everyone reads the fields a partner made
//! public, and nothing else.

use actix_web::http::Method;
use quartier_tests::fixtures::{api_key, id_of, post, setup, with_key};
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
    // Made another operator: the new one hears of it, and the one it was, once each.
    status(
        &app.json(
            Method::PATCH,
            &format!("/api/v1/partners/{id}"),
            Some(admin),
            &[],
            &json!({"operator_id": s.other_operator}),
        )
        .await,
        200,
    );
    let told = app
        .texts(&format!(
            "SELECT operator_id::text || ' ' || payload FROM outbox_events \
              WHERE kind = 'partner.changed' AND subject_id = '{id}' ORDER BY id OFFSET 1"
        ))
        .await;
    assert_eq!(told.len(), 2, "{told:?}");
    let mut receivers: Vec<&str> = told
        .iter()
        .map(|t| t.split_once(' ').expect("a row").0)
        .collect();
    receivers.sort_unstable();
    let mut expected = [s.operator.as_str(), s.other_operator.as_str()];
    expected.sort_unstable();
    assert_eq!(receivers, expected);
    for row in &told {
        let payload: Value =
            serde_json::from_str(row.split_once(' ').expect("a row").1).expect("JSON");
        assert_eq!(payload["operator_id"], s.other_operator.as_str());
        assert_eq!(payload["previous_operator_id"], s.operator.as_str());
    }
}

#[actix_web::test]
async fn a_concern_referred_to_a_partner_is_answered_by_its_staff_and_no_other_partners() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = &s.admin.access_token;
    let partner = |name: &'static str| {
        let app = &app;
        async move {
            id_of(
                &post(
                    app,
                    admin,
                    "/api/v1/partners",
                    json!({"name": name, "kind": "housing_company"}),
                )
                .await,
            )
        }
    };
    let (a, b) = (partner("Wohnbau Nord").await, partner("Wohnbau Süd").await);
    let hilde = app.signed_up("hilde@wohnbau-nord.example").await;
    let otto = app.signed_up("otto@wohnbau-sued.example").await;
    let kurt = app.signed_up("kurt@wohnbau-nord.example").await;
    for (partner, person, role) in [
        (&a, "hilde@wohnbau-nord.example", "partner_admin"),
        (&b, "otto@wohnbau-sued.example", "partner_staff"),
    ] {
        status(
            &post(
                &app,
                admin,
                &format!("/api/v1/partners/{partner}/members"),
                json!({"email": person, "role": role}),
            )
            .await,
            200,
        );
    }
    // Administrators make staff; a partner's admin does not add accounts by their address.
    post(
        &app,
        &hilde.access_token,
        &format!("/api/v1/partners/{a}/members"),
        json!({"email": "kurt@wohnbau-nord.example", "role": "partner_staff"}),
    )
    .await
    .assert_problem(403, "forbidden");
    status(
        &post(
            &app,
            admin,
            &format!("/api/v1/partners/{a}/members"),
            json!({"email": "kurt@wohnbau-nord.example", "role": "partner_staff"}),
        )
        .await,
        200,
    );

    let anna = app.signed_up("anna@example.org").await;
    let category = id_of(
        &post(
            &app,
            admin,
            "/api/v1/concern-categories",
            json!({"name": "Wohnumfeld", "kind": "problem", "operator_id": s.operator,
                   "needs_moderation": false}),
        )
        .await,
    );
    let district = app
        .texts("SELECT district_id::text FROM centres LIMIT 1")
        .await
        .remove(0);
    let id = id_of(
        &post(
            &app,
            &anna.access_token,
            "/api/v1/concerns",
            json!({"category_id": category, "district_id": district,
                   "title": "Hof verwildert", "text": "Die Hecken wachsen über den Weg."}),
        )
        .await,
    );
    let concern = format!("/api/v1/concerns/{id}");
    let moves = format!("{concern}/status");
    let answers = format!("{concern}/answers");
    // Partner staff answer nothing before the referral.
    post(
        &app,
        &hilde.access_token,
        &answers,
        json!({"text": "Zu früh", "visibility": "public"}),
    )
    .await
    .assert_problem(403, "forbidden");
    for (body, field) in [
        (
            json!({"status": "referred", "refer_to": s.other_operator, "refer_to_partner": a}),
            "refer_to_partner",
        ),
        (
            json!({"status": "accepted", "refer_to_partner": a}),
            "refer_to_partner",
        ),
        (
            json!({"status": "referred", "refer_to_partner": "00000000-0000-7000-8000-000000000000"}),
            "refer_to_partner",
        ),
    ] {
        let refused = post(&app, &s.coordinator.access_token, &moves, body.clone()).await;
        assert_eq!(status(&refused, 422)["errors"][0]["field"], field, "{body}");
    }
    let referred = status(
        &post(
            &app,
            &s.coordinator.access_token,
            &moves,
            json!({"status": "referred", "refer_to_partner": a}),
        )
        .await,
        200,
    );
    assert_eq!(referred["partner_id"], a.as_str());
    assert_eq!(referred["operator_id"], s.operator.as_str());

    // Partner A's staff find it in their queue and answer it; partner B's do not.
    let queue = |partner: &str| format!("/api/v1/partners/{partner}/concerns");
    let mine = status(&app.get(&queue(&a), Some(&kurt.access_token)).await, 200);
    assert_eq!(mine["items"][0]["id"], id.as_str());
    let theirs = status(&app.get(&queue(&b), Some(&otto.access_token)).await, 200);
    assert_eq!(theirs["items"], json!([]));
    app.get(&queue(&a), Some(&otto.access_token))
        .await
        .assert_problem(403, "forbidden");
    let answered = status(
        &post(
            &app,
            &kurt.access_token,
            &answers,
            json!({"text": "Der Hausmeister schneidet die Hecken am Montag.", "visibility": "public"}),
        )
        .await,
        201,
    );
    assert_eq!(answered["answered_by_partner"]["name"], "Wohnbau Nord");
    assert_eq!(answered["answered_by"], Value::Null);
    // The partner answers; it does not hand the concern on.
    post(
        &app,
        &kurt.access_token,
        &moves,
        json!({"status": "referred", "refer_to": s.other_operator}),
    )
    .await
    .assert_problem(403, "forbidden");
    status(
        &post(
            &app,
            &hilde.access_token,
            &answers,
            json!({"text": "Hausmeister informiert", "visibility": "internal"}),
        )
        .await,
        201,
    );
    post(
        &app,
        &otto.access_token,
        &answers,
        json!({"text": "Wir auch", "visibility": "public"}),
    )
    .await
    .assert_problem(403, "forbidden");
    post(
        &app,
        &otto.access_token,
        &moves,
        json!({"status": "accepted"}),
    )
    .await
    .assert_problem(403, "forbidden");
    let seen_by_b = app.get(&answers, Some(&otto.access_token)).await;
    assert!(
        !String::from_utf8_lossy(&seen_by_b.body).contains("Hausmeister informiert"),
        "partner B reads an internal note"
    );
    let seen_by_a = status(&app.get(&answers, Some(&hilde.access_token)).await, 200);
    assert_eq!(seen_by_a["items"].as_array().map(Vec::len), Some(2));
    status(
        &post(
            &app,
            &hilde.access_token,
            &moves,
            json!({"status": "accepted"}),
        )
        .await,
        200,
    );
    // A draft of the operator is the operator's to change, not the partner's.
    let draft = status(
        &post(
            &app,
            &s.coordinator.access_token,
            &answers,
            json!({"text": "Entwurf des Trägers", "visibility": "public", "publish": false}),
        )
        .await,
        201,
    );
    let draft_path = format!("{answers}/{}", draft["id"].as_str().expect("id"));
    app.json(
        Method::PATCH,
        &draft_path,
        Some(&hilde.access_token),
        &[],
        &json!({"text": "Überschrieben"}),
    )
    .await
    .assert_problem(403, "forbidden");
    // Kurt's export names his partner; once off its staff he answers no more.
    let export = status(
        &app.get("/api/v1/me/export", Some(&kurt.access_token)).await,
        200,
    );
    assert_eq!(export["partner_memberships"][0]["partner_id"], a.as_str());
    let off = app
        .send(
            Method::DELETE,
            &format!("/api/v1/partners/{a}/members/{}", kurt.id),
            &[("authorization", &format!("Bearer {}", hilde.access_token))],
            None,
        )
        .await;
    assert_eq!(off.status, 204);
    post(
        &app,
        &kurt.access_token,
        &answers,
        json!({"text": "Noch da?", "visibility": "public"}),
    )
    .await
    .assert_problem(403, "forbidden");
    assert_eq!(
        app.count(
            "concern_answers",
            &format!("concern_id = '{id}' AND partner_id = '{a}'")
        )
        .await,
        2
    );
    // A concern handed from the partner to another operator leaves the partner's hands.
    let second = id_of(
        &post(
            &app,
            &anna.access_token,
            "/api/v1/concerns",
            json!({"category_id": category, "district_id": district,
                   "title": "Müllplatz voll", "text": "Die Tonnen quellen über."}),
        )
        .await,
    );
    let second_moves = format!("/api/v1/concerns/{second}/status");
    for body in [
        json!({"status": "referred", "refer_to_partner": a}),
        json!({"status": "in_review"}),
    ] {
        status(
            &post(&app, &s.coordinator.access_token, &second_moves, body).await,
            200,
        );
    }
    let handed = status(
        &post(
            &app,
            &s.coordinator.access_token,
            &second_moves,
            json!({"status": "referred", "refer_to": s.other_operator}),
        )
        .await,
        200,
    );
    assert_eq!(handed["partner_id"], Value::Null);
    post(
        &app,
        &hilde.access_token,
        &format!("/api/v1/concerns/{second}/answers"),
        json!({"text": "Noch unseres?", "visibility": "public"}),
    )
    .await
    .assert_problem(403, "forbidden");
}

#[actix_web::test]
async fn a_partner_keeps_its_own_entry_but_not_its_name_kind_or_ids() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = &s.admin.access_token;
    let verein = id_of(
        &post(
            &app,
            admin,
            "/api/v1/partners",
            json!({"name": "Träger A als Partner", "kind": "association", "operator_id": s.operator,
                   "external_id": "VZ-7"}),
        )
        .await,
    );
    let other = id_of(
        &post(
            &app,
            admin,
            "/api/v1/partners",
            json!({"name": "Kirchengemeinde", "kind": "religious_community"}),
        )
        .await,
    );
    let hilde = app.signed_up("hilde@kirche.example").await;
    status(
        &post(
            &app,
            admin,
            &format!("/api/v1/partners/{other}/members"),
            json!({"email": "hilde@kirche.example", "role": "partner_admin"}),
        )
        .await,
        200,
    );
    let boss = app.signed_up("boss@traeger-a.example").await;
    status(
        &post(
            &app,
            admin,
            &format!("/api/v1/operators/{}/members", s.operator),
            json!({"email": "boss@traeger-a.example", "role": "operator_admin"}),
        )
        .await,
        201,
    );
    async fn description(app: &TestApp, id: &str) -> String {
        app.texts(&format!(
            "SELECT description FROM partners WHERE id = '{id}'"
        ))
        .await
        .remove(0)
    }

    // The partner's admin and the operator's operator admin change their own entry.
    let changed = status(
        &app.json(
            Method::PATCH,
            &format!("/api/v1/partners/{other}"),
            Some(&hilde.access_token),
            &[],
            &json!({"description": "Gemeindehaus offen", "public_fields": ["description"]}),
        )
        .await,
        200,
    );
    assert_eq!(changed["description"], "Gemeindehaus offen");
    let changed = status(
        &app.json(
            Method::PATCH,
            &format!("/api/v1/partners/{verein}"),
            Some(&boss.access_token),
            &[],
            &json!({"topics": ["Senioren"]}),
        )
        .await,
        200,
    );
    assert_eq!(changed["topics"], json!(["Senioren"]));
    assert!(changed.get("external_id").is_none(), "{changed}");

    // Operator A's system with partners:write keeps the entry of the partner operator A is.
    let key = api_key(&app, &s, &s.operator, json!(["partners:write"])).await;
    let changed = status(
        &with_key(
            &app,
            &key,
            Method::PATCH,
            &format!("/api/v1/partners/{verein}"),
            Some(json!({"contact_email": "info@traeger-a.example"})),
        )
        .await,
        200,
    );
    assert_eq!(changed["contact_email"], "info@traeger-a.example");
    // The own side reads what it keeps (not the town's id for it); others the public fields.
    let path = format!("/api/v1/partners/{verein}");
    for read in [
        app.get(&path, Some(&boss.access_token)).await,
        with_key(&app, &key, Method::GET, &path, None).await,
    ] {
        let own = status(&read, 200);
        assert_eq!(own["contact_email"], "info@traeger-a.example");
        assert!(own.get("external_id").is_none(), "{own}");
    }
    let public = status(&app.get(&path, Some(&hilde.access_token)).await, 200);
    assert_eq!(public["contact_email"], Value::Null);

    // Nobody else does, and nothing changes.
    let before = description(&app, &verein).await;
    let without = api_key(&app, &s, &s.operator, json!(["concerns:write"])).await;
    let refused = with_key(
        &app,
        &without,
        Method::PATCH,
        &format!("/api/v1/partners/{verein}"),
        Some(json!({"description": "Gekapert"})),
    )
    .await;
    assert!(
        status(&refused, 403)["detail"]
            .as_str()
            .expect("detail")
            .contains("partners:write")
    );
    let theirs = api_key(&app, &s, &s.other_operator, json!(["partners:write"])).await;
    for (key, partner) in [(&theirs, &verein), (&key, &other)] {
        let refused = with_key(
            &app,
            key,
            Method::PATCH,
            &format!("/api/v1/partners/{partner}"),
            Some(json!({"description": "Gekapert"})),
        )
        .await;
        status(&refused, 403);
    }
    for (token, partner) in [
        (&hilde.access_token, &verein),
        (&boss.access_token, &other),
        (&s.coordinator.access_token, &verein),
    ] {
        let refused = app
            .json(
                Method::PATCH,
                &format!("/api/v1/partners/{partner}"),
                Some(token),
                &[],
                &json!({"description": "Gekapert"}),
            )
            .await;
        status(&refused, 403);
    }
    // The own side leaves name, kind, operator and external id to administrators.
    for field in [
        json!({"name": "Umbenannt"}),
        json!({"kind": "business"}),
        json!({"operator_id": null}),
        json!({"external_id": "VZ-8"}),
    ] {
        let refused = app
            .json(
                Method::PATCH,
                &format!("/api/v1/partners/{verein}"),
                Some(&boss.access_token),
                &[],
                &field,
            )
            .await;
        status(&refused, 403);
    }
    assert_eq!(description(&app, &verein).await, before);
    assert_eq!(
        app.texts(&format!(
            "SELECT name || ' ' || kind || ' ' || operator_id || ' ' || external_id \
               FROM partners WHERE id = '{verein}'"
        ))
        .await,
        [format!(
            "Träger A als Partner association {} VZ-7",
            s.operator
        )]
    );
}
