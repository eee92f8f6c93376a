//! Texts in the neighbourhood's languages: variants written by staff, negotiated per request
//! (`Accept-Language`, `?lang=`), public only once reviewed where that is required, stale
//! when the German source changes.

use actix_web::http::Method;
use chrono::{Duration, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use quartier_tests::fixtures::{Setup, created_id, patch, setup};
use quartier_tests::{TestApp, TestResponse};
use serde_json::{Value, json};

async fn activity(app: &TestApp, s: &Setup) -> String {
    let day = Utc::now() + Duration::days(3);
    created_id(
        &app.json(
            Method::POST,
            "/api/v1/activities",
            Some(&s.coordinator.access_token),
            &[],
            &json!({
                "centre_id": s.centre, "title": "Kaffeetisch", "category": "coffee_table",
                "description": "Wir trinken Kaffee und reden.", "status": "published",
                "accessibility_notes": "Aufzug am Seiteneingang",
                "schedule": {"kind": "once", "starts_at": day.format("%Y-%m-%dT14:00:00Z").to_string(),
                             "ends_at": day.format("%Y-%m-%dT16:00:00Z").to_string()},
            }),
        )
        .await,
    )
}

async fn put_translation(
    app: &TestApp,
    token: &str,
    path: &str,
    if_match: &str,
    body: Value,
) -> TestResponse {
    app.json(
        Method::PUT,
        path,
        Some(token),
        &[("if-match", if_match)],
        &body,
    )
    .await
}

async fn read(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> TestResponse {
    app.send(Method::GET, path, headers, None).await
}

#[track_caller]
fn ok(response: &TestResponse) -> Value {
    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    response.json()
}

#[actix_web::test]
async fn easy_german_is_served_once_reviewed_and_the_rest_falls_back() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let id = activity(&app, &s).await;
    let token = &s.coordinator.access_token;
    let path = format!("/api/v1/activities/{id}/translations/de-x-ls");
    let draft = put_translation(
        &app,
        token,
        &path,
        "*",
        json!({"origin": "human", "texts": {"title": "Kaffee trinken und reden"}}),
    )
    .await;
    let stored = ok(&draft);
    assert_eq!(stored["tag"], "de-x-ls");
    assert_eq!(stored["reviewed"], false);
    assert_eq!(stored["public_fields"], json!([]), "not reviewed yet");

    let wanted = [("accept-language", "de-x-ls, de;q=0.5")];
    let before = read(&app, &format!("/api/v1/activities/{id}"), &wanted).await;
    let body = ok(&before);
    assert_eq!(
        body["title"], "Kaffeetisch",
        "unreviewed easy German stays private"
    );
    assert_eq!(before.header("content-language"), Some("de"));
    assert_eq!(body["content_language"]["tag"], "de");

    ok(&put_translation(
        &app,
        token,
        &path,
        "*",
        json!({"origin": "human", "reviewed": true, "texts": {"title": "Kaffee trinken und reden"}}),
    )
    .await);
    let after = read(&app, &format!("/api/v1/activities/{id}"), &wanted).await;
    let body = ok(&after);
    assert_eq!(body["title"], "Kaffee trinken und reden");
    assert_eq!(body["description"], "Wir trinken Kaffee und reden.");
    assert_eq!(after.header("content-language"), Some("de-x-ls"));
    assert!(
        after
            .headers
            .get_all("vary")
            .any(|v| v.to_str().unwrap_or("").contains("Accept-Language"))
    );
    assert_eq!(
        body["content_language"],
        json!({"tag": "de-x-ls", "direction": "ltr",
               "fallback_fields": ["description", "accessibility_notes"]})
    );
    // Lists serve it the same way.
    let list = read(&app, "/api/v1/activities?lang=de-x-ls", &[]).await;
    let list_body = ok(&list);
    assert_eq!(list_body["items"][0]["title"], "Kaffee trinken und reden");
    assert_eq!(list.header("content-language"), Some("de-x-ls"));
}

#[actix_web::test]
async fn a_language_without_texts_is_answered_in_german() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let id = activity(&app, &s).await;
    ok(&put_translation(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/activities/{id}/translations/en"),
        "*",
        json!({"origin": "human", "texts": {"title": "Coffee table"}}),
    )
    .await);
    let turkish = read(
        &app,
        &format!("/api/v1/activities/{id}"),
        &[("accept-language", "tr")],
    )
    .await;
    let body = ok(&turkish);
    assert_eq!(turkish.header("content-language"), Some("de"));
    assert_eq!(body["title"], "Kaffeetisch");
    assert_eq!(body["content_language"]["fallback_fields"], json!([]));
    // The next wish counts; ?lang= takes the place of the header.
    let english = read(
        &app,
        &format!("/api/v1/activities/{id}"),
        &[("accept-language", "tr, en;q=0.8")],
    )
    .await;
    assert_eq!(ok(&english)["title"], "Coffee table");
    let by_name = read(
        &app,
        &format!("/api/v1/activities/{id}?lang=en"),
        &[("accept-language", "tr")],
    )
    .await;
    assert_eq!(by_name.header("content-language"), Some("en"));
}

#[actix_web::test]
async fn machine_drafts_are_never_public_until_reviewed() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let id = activity(&app, &s).await;
    ok(&put_translation(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/activities/{id}/translations/ar"),
        "*",
        json!({"origin": "machine", "texts": {"title": "طاولة القهوة"}}),
    )
    .await);
    for path in [
        format!("/api/v1/activities/{id}?lang=ar"),
        "/api/v1/activities?lang=ar".to_owned(),
        format!("/api/v1/centres/{}?lang=ar", s.centre),
    ] {
        let response = read(&app, &path, &[]).await;
        let text = String::from_utf8_lossy(&response.body).into_owned();
        assert_eq!(response.status, 200, "{path}: {text}");
        assert!(!text.contains("طاولة"), "{path}: {text}");
        assert_eq!(response.header("content-language"), Some("de"), "{path}");
    }
    // Staff see the draft with its state.
    let staff = app
        .send(
            Method::GET,
            &format!("/api/v1/activities/{id}?all_languages=true"),
            &[(
                "authorization",
                &format!("Bearer {}", s.coordinator.access_token),
            )],
            None,
        )
        .await;
    let body = ok(&staff);
    assert_eq!(body["translations"][0]["tag"], "ar");
    assert_eq!(body["translations"][0]["direction"], "rtl");
    assert_eq!(body["translations"][0]["origin"], "machine");
    assert_eq!(body["translations"][0]["public_fields"], json!([]));
    // The public may not ask for it.
    let public = read(
        &app,
        &format!("/api/v1/activities/{id}?all_languages=true"),
        &[],
    )
    .await;
    assert_eq!(public.status, 403);
    // Once reviewed, it is public and marked right-to-left.
    ok(&put_translation(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/activities/{id}/translations/ar"),
        "*",
        json!({"origin": "machine", "reviewed": true, "texts": {"title": "طاولة القهوة"}}),
    )
    .await);
    let reviewed = ok(&read(&app, &format!("/api/v1/activities/{id}?lang=ar"), &[]).await);
    assert_eq!(reviewed["title"], "طاولة القهوة");
    assert_eq!(reviewed["content_language"]["direction"], "rtl");
}

#[actix_web::test]
async fn changing_the_german_source_makes_variants_stale() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let id = activity(&app, &s).await;
    let token = &s.coordinator.access_token;
    ok(&put_translation(
        &app,
        token,
        &format!("/api/v1/activities/{id}/translations/en"),
        "*",
        json!({"origin": "human", "texts": {"title": "Coffee table", "description": "We drink coffee."}}),
    )
    .await);
    let changed = patch(
        &app,
        token,
        &format!("/api/v1/activities/{id}"),
        json!({"description": "Wir trinken Tee."}),
    )
    .await;
    assert_eq!(changed.status, 200);
    let staff = app
        .send(
            Method::GET,
            &format!("/api/v1/activities/{id}?all_languages=true"),
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
        .await;
    let texts = ok(&staff)["translations"][0]["texts"].clone();
    assert_eq!(
        texts,
        json!([
            {"field": "description", "text": "We drink coffee.", "stale": true},
            {"field": "title", "text": "Coffee table", "stale": false},
        ])
    );
    // The stale text is not served: the German one is right about what happens.
    let english = ok(&read(&app, &format!("/api/v1/activities/{id}?lang=en"), &[]).await);
    assert_eq!(english["title"], "Coffee table");
    assert_eq!(english["description"], "Wir trinken Tee.");
    assert_eq!(
        english["content_language"]["fallback_fields"],
        json!(["description", "accessibility_notes"])
    );
}

#[actix_web::test]
async fn etags_differ_per_language_and_304_only_for_the_same_one() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let centre = &s.centre;
    let path = format!("/api/v1/centres/{centre}");
    let german = read(&app, &path, &[]).await;
    let german_tag = german.header("etag").expect("etag").to_owned();
    let written = put_translation(
        &app,
        &s.admin.access_token,
        &format!("{path}/translations/en"),
        &german_tag,
        json!({"origin": "human", "texts": {"name": "Community centre"}}),
    )
    .await;
    ok(&written);
    let new_version_tag = written.header("etag").expect("etag").to_owned();
    assert_ne!(
        new_version_tag, german_tag,
        "writing a variant changes the version"
    );
    // The old ETag no longer passes If-Match.
    let stale = put_translation(
        &app,
        &s.admin.access_token,
        &format!("{path}/translations/en"),
        &german_tag,
        json!({"origin": "human", "texts": {"name": "Community house"}}),
    )
    .await;
    assert_eq!(stale.status, 412);

    let german = read(&app, &path, &[]).await;
    let english = read(&app, &path, &[("accept-language", "en")]).await;
    assert_eq!(ok(&english)["name"], "Community centre");
    let german_tag = german.header("etag").expect("etag").to_owned();
    let english_tag = english.header("etag").expect("etag").to_owned();
    assert_ne!(german_tag, english_tag);
    let again = read(
        &app,
        &path,
        &[("accept-language", "en"), ("if-none-match", &english_tag)],
    )
    .await;
    assert_eq!(again.status, 304);
    assert_eq!(again.header("content-language"), Some("en"));
    let other_language = read(
        &app,
        &path,
        &[("accept-language", "en"), ("if-none-match", &german_tag)],
    )
    .await;
    assert_eq!(other_language.status, 200);
    // Either ETag of the version passes If-Match.
    let removed = app
        .send(
            Method::DELETE,
            &format!("{path}/translations/en"),
            &[
                ("authorization", &format!("Bearer {}", s.admin.access_token)),
                ("if-match", &english_tag),
            ],
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    let gone = read(&app, &path, &[("accept-language", "en")]).await;
    assert_eq!(gone.header("content-language"), Some("de"));
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

async fn variants(app: &TestApp) -> i64 {
    let mut conn = app.conn().await;
    let row: Count = diesel::sql_query("SELECT count(*) AS count FROM translations")
        .get_result(&mut conn)
        .await
        .expect("count");
    row.count
}

#[actix_web::test]
async fn bad_tags_and_texts_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let id = activity(&app, &s).await;
    let token = &s.coordinator.access_token;
    let body = json!({"origin": "human", "texts": {"title": "Coffee"}});
    let lesotho = put_translation(
        &app,
        token,
        &format!("/api/v1/activities/{id}/translations/de-LS"),
        "*",
        body.clone(),
    )
    .await;
    assert_eq!(lesotho.status, 422);
    let problem = lesotho.json();
    assert_eq!(problem["errors"][0]["field"], "path.tag");
    let message = problem["errors"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("Lesotho") && message.contains("de-x-ls"),
        "{message}"
    );
    for (tag, body) in [
        ("de", body.clone()),
        ("fr", body.clone()),
        ("en_GB", body.clone()),
        ("en", json!({"origin": "human", "texts": {}})),
        (
            "en",
            json!({"origin": "human", "texts": {"title": "x".repeat(201)}}),
        ),
        ("en", json!({"origin": "human", "texts": {"title": "   "}})),
        (
            "en",
            json!({"origin": "robot", "texts": {"title": "Coffee"}}),
        ),
        (
            "en",
            json!({"origin": "human", "texts": {"colour": "blue"}}),
        ),
    ] {
        let response = put_translation(
            &app,
            token,
            &format!("/api/v1/activities/{id}/translations/{tag}"),
            "*",
            body.clone(),
        )
        .await;
        assert!(
            [400, 422].contains(&response.status),
            "{tag} {body}: {}",
            response.status
        );
        assert_eq!(
            response.header("content-type"),
            Some("application/problem+json")
        );
    }
    // Another operator's coordinator, no If-Match, an unknown activity.
    let foreign = put_translation(
        &app,
        &s.other_coordinator.access_token,
        &format!("/api/v1/activities/{id}/translations/en"),
        "*",
        body.clone(),
    )
    .await;
    assert!([403, 404].contains(&foreign.status), "{}", foreign.status);
    let unconditional = app
        .json(
            Method::PUT,
            &format!("/api/v1/activities/{id}/translations/en"),
            Some(token),
            &[],
            &body,
        )
        .await;
    assert_eq!(unconditional.status, 428);
    let unknown = put_translation(
        &app,
        token,
        &format!(
            "/api/v1/activities/{}/translations/en",
            uuid::Uuid::now_v7()
        ),
        "*",
        body.clone(),
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(variants(&app).await, 0);
    // ?lang= with a malformed tag says so.
    let query = read(&app, &format!("/api/v1/activities/{id}?lang=de-LS"), &[]).await;
    assert_eq!(query.status, 422);
    assert_eq!(query.json()["errors"][0]["field"], "query.lang");
}

#[actix_web::test]
async fn the_database_refuses_disabled_languages_and_overlong_texts() {
    let app = TestApp::spawn_with(&[("QUARTIER_CONTENT_LANGUAGES", "en")]).await;
    let s = setup(&app).await;
    let mut conn = app.conn().await;
    let insert = |tag: &str, text: String| {
        format!(
            "INSERT INTO translations (centre_id, field, tag, text, origin, source_md5, search) \
             VALUES ('{}', 'name', '{tag}', '{text}', 'human', md5(''), ''::tsvector)",
            s.centre
        )
    };
    let turkish = diesel::sql_query(insert("tr", "Merkez".into()))
        .execute(&mut conn)
        .await;
    assert!(turkish.is_err(), "tr is not enabled here");
    let long = diesel::sql_query(insert("en", "x".repeat(201)))
        .execute(&mut conn)
        .await;
    assert!(long.is_err(), "a name holds 200 characters");
    let fine = diesel::sql_query(insert("en", "Centre".into()))
        .execute(&mut conn)
        .await;
    assert!(fine.is_ok(), "{fine:?}");
    // German is what staff write in: a centre has no German variant.
    let german = diesel::sql_query(insert("de", "Zentrum".into()))
        .execute(&mut conn)
        .await;
    assert!(german.is_err(), "a centre's German is its own text");
    let enabled: Vec<Tag> =
        diesel::sql_query("SELECT tag FROM content_languages WHERE enabled ORDER BY tag")
            .load(&mut conn)
            .await
            .expect("tags");
    assert_eq!(
        enabled.iter().map(|t| t.tag.as_str()).collect::<Vec<_>>(),
        ["de", "en"]
    );
}

#[actix_web::test]
async fn searching_in_a_language_finds_its_texts_and_available_in_narrows() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let id = activity(&app, &s).await;
    let token = &s.coordinator.access_token;
    let titles = |response: &TestResponse| -> Vec<String> {
        ok(response)["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["title"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    // Not yet described in English: an English word finds nothing.
    let before = read(&app, "/api/v1/activities?q=neighbours&lang=en", &[]).await;
    assert!(titles(&before).is_empty());
    ok(&put_translation(
        &app,
        token,
        &format!("/api/v1/activities/{id}/translations/en"),
        "*",
        json!({"origin": "human", "texts": {"title": "Coffee table",
               "description": "Neighbours meet for coffee and a chat."}}),
    )
    .await);
    // English stemming: "neighbour" finds "Neighbours".
    let english = read(
        &app,
        "/api/v1/activities?q=neighbour",
        &[("accept-language", "en")],
    )
    .await;
    assert_eq!(titles(&english), ["Coffee table"]);
    // In German the English text is not searched; German still finds the German source.
    let german = read(&app, "/api/v1/activities?q=neighbour", &[]).await;
    assert!(titles(&german).is_empty());
    let source = read(&app, "/api/v1/activities?q=Kaffee&lang=en", &[]).await;
    assert_eq!(titles(&source), ["Coffee table"]);
    // A machine draft in Turkish is not searched and does not count as available.
    ok(&put_translation(
        &app,
        token,
        &format!("/api/v1/activities/{id}/translations/tr"),
        "*",
        json!({"origin": "machine", "texts": {"title": "Kahve masası"}}),
    )
    .await);
    let turkish = read(&app, "/api/v1/activities?q=kahve&lang=tr", &[]).await;
    assert!(titles(&turkish).is_empty());
    let range = format!(
        "from={}&to={}",
        (Utc::now()).format("%Y-%m-%dT%H:%M:%SZ"),
        (Utc::now() + Duration::days(10)).format("%Y-%m-%dT%H:%M:%SZ")
    );
    for (language, found) in [("tr", 0), ("en", 1), ("de-x-ls", 0), ("de", 1)] {
        let whats_on = read(
            &app,
            &format!("/api/v1/occurrences?{range}&available_in={language}"),
            &[],
        )
        .await;
        let items = ok(&whats_on)["items"].as_array().expect("items").len();
        assert_eq!(items, found, "available_in={language}");
    }
    // What's on serves the titles in the reader's language too.
    let whats_on = read(
        &app,
        &format!("/api/v1/occurrences?{range}"),
        &[("accept-language", "en-GB, de;q=0.5")],
    )
    .await;
    let body = ok(&whats_on);
    assert_eq!(body["items"][0]["title"], "Coffee table");
    assert_eq!(body["items"][0]["content_language"]["tag"], "en");
    assert_eq!(whats_on.header("content-language"), Some("en"));
    let dates = read(
        &app,
        &format!("/api/v1/activities/{id}/occurrences?lang=en"),
        &[],
    )
    .await;
    assert_eq!(ok(&dates)["items"][0]["title"], "Coffee table");
    let unknown = read(&app, "/api/v1/activities?available_in=fr", &[]).await;
    assert_eq!(unknown.status, 422);
    assert_eq!(unknown.json()["errors"][0]["field"], "query.available_in");
}

#[actix_web::test]
async fn shifts_are_read_in_the_helpers_language() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let token = &s.coordinator.access_token;
    let shift = quartier_tests::shift(&app, &s, "Küchenhilfe", 48, 3, json!({})).await;
    let written = put_translation(
        &app,
        token,
        &format!("/api/v1/shifts/{shift}/translations/uk"),
        "*",
        json!({"origin": "human", "texts": {"title": "Допомога на кухні"}}),
    )
    .await;
    assert_eq!(ok(&written)["texts"][0]["field"], "title");
    let one = read(
        &app,
        &format!("/api/v1/shifts/{shift}"),
        &[("accept-language", "uk")],
    )
    .await;
    assert_eq!(ok(&one)["title"], "Допомога на кухні");
    assert_eq!(one.header("content-language"), Some("uk"));
    let from = Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
    let to = (Utc::now() + Duration::days(30)).format("%Y-%m-%dT%H:%M:%SZ");
    let search = read(
        &app,
        &format!("/api/v1/shifts?from={from}&to={to}&lang=uk"),
        &[],
    )
    .await;
    assert_eq!(ok(&search)["items"][0]["title"], "Допомога на кухні");
    let german = read(&app, &format!("/api/v1/shifts/{shift}"), &[]).await;
    assert_ne!(ok(&german)["title"], "Допомога на кухні");
    assert_ne!(german.header("etag"), one.header("etag"));
    // A shift's description holds 4000 characters, in every language.
    let long = put_translation(
        &app,
        token,
        &format!("/api/v1/shifts/{shift}/translations/uk"),
        "*",
        json!({"origin": "human", "texts": {"description": "я".repeat(4001)}}),
    )
    .await;
    assert_eq!(long.status, 422);
}

#[actix_web::test]
async fn problems_come_in_german_or_english_with_the_same_type() {
    let app = TestApp::spawn().await;
    let path = format!("/api/v1/activities/{}", uuid::Uuid::now_v7());
    let english = read(&app, &path, &[]).await;
    assert_eq!(english.status, 404);
    assert_eq!(english.json()["title"], "Not found");
    assert_eq!(english.header("content-language"), Some("en"));
    for header in ["de", "de-x-ls, en;q=0.5", "de-DE"] {
        let german = read(&app, &path, &[("accept-language", header)]).await;
        assert_eq!(german.status, 404, "{header}");
        let body = german.json();
        assert_eq!(body["title"], "Nicht gefunden", "{header}");
        assert_eq!(body["type"], english.json()["type"]);
        assert_eq!(german.header("content-language"), Some("de"));
        assert_eq!(
            german.header("content-type"),
            Some("application/problem+json")
        );
    }
    // Problems actix makes itself (an unknown route) follow the reader too.
    let unknown = read(&app, "/api/v1/nowhere", &[("accept-language", "de")]).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["title"], "Nicht gefunden");
    let english_first = read(&app, &path, &[("accept-language", "en, de;q=0.9")]).await;
    assert_eq!(english_first.json()["title"], "Not found");
}

#[actix_web::test]
async fn calendar_feeds_use_the_requested_language() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let id = activity(&app, &s).await;
    ok(&put_translation(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/activities/{id}/translations/en"),
        "*",
        json!({"origin": "human", "texts": {"title": "Coffee table", "description": "We drink coffee and talk."}}),
    )
    .await);
    for path in [
        format!("/api/v1/activities/{id}/calendar.ics"),
        format!("/api/v1/centres/{}/calendar.ics", s.centre),
    ] {
        let english = read(&app, &path, &[("accept-language", "en")]).await;
        assert_eq!(english.status, 200, "{path}");
        let text = String::from_utf8_lossy(&english.body).into_owned();
        assert!(text.contains("SUMMARY:Coffee table"), "{path}: {text}");
        assert!(text.contains("We drink coffee and talk."), "{path}: {text}");
        assert_eq!(english.header("content-language"), Some("en"));
        let german = read(&app, &path, &[]).await;
        let text = String::from_utf8_lossy(&german.body).into_owned();
        assert!(text.contains("SUMMARY:Kaffeetisch"), "{path}: {text}");
        assert_ne!(german.header("etag"), english.header("etag"));
    }
}

#[actix_web::test]
async fn mail_follows_accept_language_when_no_language_is_named() {
    let app = TestApp::spawn().await;
    for (email, header, body_language, expected) in [
        ("en@example.org", Some("en-GB, de;q=0.5"), None, "en"),
        ("de@example.org", Some("de-x-ls, en;q=0.5"), None, "de"),
        ("tr@example.org", Some("tr"), None, "de"),
        ("none@example.org", None, None, "de"),
        ("named@example.org", Some("en"), Some("de"), "de"),
    ] {
        let mut body = json!({"email": email, "display_name": "Nachbarin",
                              "password": "correct horse battery", "privacy_consent": true});
        if let Some(language) = body_language {
            body["language"] = json!(language);
        }
        let headers: Vec<(&str, &str)> = header.iter().map(|h| ("accept-language", *h)).collect();
        let registered = app
            .json(Method::POST, "/api/v1/auth/register", None, &headers, &body)
            .await;
        assert_eq!(registered.status, 201, "{email}");
        let mut conn = app.conn().await;
        let row: Tag = diesel::sql_query(format!(
            "SELECT language AS tag FROM users WHERE email = '{email}'"
        ))
        .get_result(&mut conn)
        .await
        .expect("user");
        assert_eq!(row.tag, expected, "{email}");
    }
}

#[derive(QueryableByName)]
struct Tag {
    #[diesel(sql_type = Text)]
    tag: String,
}

#[actix_web::test]
async fn qualification_type_names_are_read_in_the_readers_language() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let first_aid = "00000000-0000-7000-8000-000000000003";
    let path = format!("/api/v1/qualification-types/{first_aid}");
    let german = read(&app, &path, &[]).await;
    let german_name = ok(&german)["name"].as_str().expect("name").to_owned();
    let german_tag = german.header("etag").expect("etag").to_owned();

    // The catalogue's names are the administrators' to translate.
    let by_coordinator = put_translation(
        &app,
        &s.coordinator.access_token,
        &format!("{path}/translations/uk"),
        "*",
        json!({"origin": "human", "texts": {"name": "Перша допомога"}}),
    )
    .await;
    assert_eq!(by_coordinator.status, 403);
    assert_eq!(variants(&app).await, 0);
    let written = put_translation(
        &app,
        &s.admin.access_token,
        &format!("{path}/translations/uk"),
        &german_tag,
        json!({"origin": "human", "texts": {"name": "Перша допомога"}}),
    )
    .await;
    assert_eq!(ok(&written)["public_fields"], json!(["name"]));
    assert_ne!(written.header("etag"), Some(german_tag.as_str()));

    let list = read(
        &app,
        "/api/v1/qualification-types",
        &[("accept-language", "uk, de;q=0.5")],
    )
    .await;
    let items = ok(&list);
    let entry = items
        .as_array()
        .expect("a list")
        .iter()
        .find(|t| t["id"] == first_aid)
        .expect("first aid listed");
    assert_eq!(entry["name"], "Перша допомога");
    assert_eq!(entry["content_language"]["tag"], "uk");
    let others_german = items
        .as_array()
        .expect("a list")
        .iter()
        .filter(|t| t["id"] != first_aid)
        .all(|t| t["content_language"]["tag"] == "de");
    assert!(others_german, "the other types have no Ukrainian name");
    assert_eq!(list.header("content-language"), Some("de, uk"));
    let single = read(&app, &format!("{path}?lang=uk"), &[]).await;
    assert_eq!(ok(&single)["name"], "Перша допомога");
    assert_eq!(single.header("content-language"), Some("uk"));
    assert_eq!(ok(&read(&app, &path, &[]).await)["name"], german_name);
    // A volunteer's own qualifications name their types in her language.
    let volunteer = app.signed_up("olena@example.org").await;
    let declared = app
        .json(
            Method::POST,
            "/api/v1/me/qualifications",
            Some(&volunteer.access_token),
            &[],
            &json!({"type_id": first_aid, "issued_on": "2026-01-15"}),
        )
        .await;
    assert_eq!(declared.status, 201);
    let mine = |language: &'static str| {
        let token = format!("Bearer {}", volunteer.access_token);
        let app = &app;
        async move {
            read(
                app,
                "/api/v1/me/qualifications",
                &[("authorization", &token), ("accept-language", language)],
            )
            .await
        }
    };
    let in_ukrainian = mine("uk").await;
    assert_eq!(ok(&in_ukrainian)[0]["type"]["name"], "Перша допомога");
    assert_eq!(in_ukrainian.header("content-language"), Some("uk"));
    let in_german = mine("de").await;
    assert_eq!(ok(&in_german)[0]["type"]["name"], german_name);
    assert_eq!(in_german.header("content-language"), Some("de"));
    // Every variant only for those who may change it.
    let everything = format!("{path}?all_languages=true");
    assert_eq!(read(&app, &everything, &[]).await.status, 403);
    let as_admin = read(
        &app,
        &everything,
        &[("authorization", &format!("Bearer {}", s.admin.access_token))],
    )
    .await;
    assert_eq!(ok(&as_admin)["translations"][0]["tag"], "uk");

    // An operator's own type: its operator admins (here the administrator) translate it,
    // staff of another operator cannot.
    let own = created_id(
        &app.json(
            Method::POST,
            &format!("/api/v1/operators/{}/qualification-types", s.operator),
            Some(&s.admin.access_token),
            &[],
            &json!({"name": "Einweisung Küche"}),
        )
        .await,
    );
    let own_path = format!("/api/v1/qualification-types/{own}/translations/en");
    for token in [
        &s.other_coordinator.access_token,
        &s.coordinator.access_token,
    ] {
        let refused = put_translation(
            &app,
            token,
            &own_path,
            "*",
            json!({"origin": "human", "texts": {"name": "Kitchen briefing"}}),
        )
        .await;
        assert_eq!(refused.status, 403);
    }
    assert_eq!(variants(&app).await, 1);
    ok(&put_translation(
        &app,
        &s.admin.access_token,
        &own_path,
        "*",
        json!({"origin": "human", "texts": {"name": "Kitchen briefing"}}),
    )
    .await);
    let english = read(
        &app,
        &format!("/api/v1/qualification-types/{own}"),
        &[("accept-language", "en")],
    )
    .await;
    assert_eq!(ok(&english)["name"], "Kitchen briefing");
    let unknown = put_translation(
        &app,
        &s.admin.access_token,
        "/api/v1/qualification-types/00000000-0000-7000-8000-0000000000ff/translations/en",
        "*",
        json!({"origin": "human", "texts": {"name": "Nothing"}}),
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(variants(&app).await, 2);
}

#[actix_web::test]
async fn upserts_and_imports_carry_variants_and_a_repeat_changes_nothing() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let token = &s.coordinator.access_token;
    let day = Utc::now() + Duration::days(4);
    let mut activity = json!({
        "centre_id": s.centre, "title": "Sprachcafé", "category": "coffee_table",
        "status": "published",
        "schedule": {"kind": "once", "starts_at": day.format("%Y-%m-%dT10:00:00Z").to_string(),
                     "ends_at": day.format("%Y-%m-%dT12:00:00Z").to_string()},
        "translations": {
            "EN": {"origin": "human", "texts": {"title": "Language café"}},
            "de-x-ls": {"origin": "human", "reviewed": true, "texts": {"title": "Deutsch sprechen üben"}},
        },
    });
    let path = format!(
        "/api/v1/operators/{}/activities/by-external-id/SC-1",
        s.operator
    );
    let upsert = |body: Value| {
        let path = path.clone();
        let app = &app;
        async move { app.json(Method::PUT, &path, Some(token), &[], &body).await }
    };
    let created = upsert(activity.clone()).await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let etag = created.header("etag").expect("etag").to_owned();
    assert_eq!(variants(&app).await, 2);
    let english = read(
        &app,
        &format!("/api/v1/activities/{id}"),
        &[("accept-language", "en")],
    )
    .await;
    assert_eq!(ok(&english)["title"], "Language café");
    assert_eq!(english.header("content-language"), Some("en"));

    // The same again: nothing moves.
    let again = upsert(activity.clone()).await;
    assert_eq!(ok(&again)["title"], "Sprachcafé");
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert_eq!(variants(&app).await, 2);

    // Left out: the variants stay; an empty set removes them.
    let mut without = activity.clone();
    without
        .as_object_mut()
        .expect("object")
        .remove("translations");
    let kept = upsert(without).await;
    assert_eq!(kept.header("etag"), Some(etag.as_str()));
    assert_eq!(variants(&app).await, 2);
    activity["translations"] =
        json!({"en": {"origin": "human", "texts": {"title": "Language café"}}});
    let fewer = upsert(activity.clone()).await;
    ok(&fewer);
    assert_ne!(fewer.header("etag"), Some(etag.as_str()));
    assert_eq!(variants(&app).await, 1);

    // A new German title with the English text sent again: the English text is confirmed
    // for the new title, not left stale.
    activity["title"] = json!("Sprachcafé am Markt");
    ok(&upsert(activity.clone()).await);
    let english = read(
        &app,
        &format!("/api/v1/activities/{id}"),
        &[("accept-language", "en")],
    )
    .await;
    assert_eq!(ok(&english)["title"], "Language café");
    assert_eq!(english.header("content-language"), Some("en"));

    // Bad tags and texts change nothing.
    for (tag, texts, field) in [
        ("de-LS", json!({"title": "x"}), "translations.de-LS"),
        ("de", json!({"title": "x"}), "translations.de"),
        ("en", json!({"title": ""}), "translations.en.texts.title"),
        ("en", json!({}), "translations.en.texts"),
    ] {
        let mut bad = activity.clone();
        bad["title"] = json!("Geändert");
        bad["translations"] = json!({tag: {"origin": "human", "texts": texts}});
        let refused = upsert(bad).await;
        assert_eq!(refused.status, 422, "{tag}");
        let problem = refused.json();
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let unchanged = read(&app, &format!("/api/v1/activities/{id}"), &[]).await;
    assert_eq!(ok(&unchanged)["title"], "Sprachcafé am Markt");
    assert_eq!(variants(&app).await, 1);

    // An import: a shift with its Ukrainian title, then the same import again.
    let file = json!({"shifts": [{
        "external_id": "K-1", "centre_id": s.centre, "title": "Küchendienst", "capacity": 2,
        "starts_at": day.format("%Y-%m-%dT08:00:00Z").to_string(),
        "ends_at": day.format("%Y-%m-%dT10:00:00Z").to_string(),
        "translations": {"uk": {"origin": "human", "texts": {"title": "Чергування на кухні"}}},
    }]});
    let imports = format!("/api/v1/operators/{}/imports", s.operator);
    let send = || {
        let file = &file;
        let app = &app;
        let imports = &imports;
        async move {
            app.send(
                Method::POST,
                imports,
                &[("authorization", &format!("Bearer {token}"))],
                Some(("application/json", serde_json::to_vec(file).expect("JSON"))),
            )
            .await
        }
    };
    let first = send().await;
    assert_eq!(ok(&first)["shifts"]["created"], 1);
    assert_eq!(variants(&app).await, 2);
    let second = send().await;
    assert_eq!(
        ok(&second)["shifts"],
        json!({"created": 0, "updated": 0, "unchanged": 1})
    );
    let shifts = read(
        &app,
        &format!(
            "/api/v1/shifts?from={}&to={}&centre_id={}",
            (day - Duration::days(1)).format("%Y-%m-%dT00:00:00Z"),
            (day + Duration::days(1)).format("%Y-%m-%dT00:00:00Z"),
            s.centre
        ),
        &[("accept-language", "uk")],
    )
    .await;
    let listed = ok(&shifts);
    assert!(
        listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|shift| shift["title"] == "Чергування на кухні"),
        "{listed}"
    );
}

#[actix_web::test]
async fn one_date_and_the_centre_names_shown_are_read_in_the_readers_language() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let id = activity(&app, &s).await;
    let admin = &s.admin.access_token;
    ok(&put_translation(
        &app,
        admin,
        &format!("/api/v1/activities/{id}/translations/en"),
        "*",
        json!({"origin": "human", "texts": {"title": "Coffee table"}}),
    )
    .await);
    ok(&put_translation(
        &app,
        admin,
        &format!("/api/v1/centres/{}/translations/en", s.centre),
        "*",
        json!({"origin": "human", "texts": {"name": "Citizens' house"}}),
    )
    .await);
    let english = [("accept-language", "en")];
    let shown = ok(&read(&app, &format!("/api/v1/activities/{id}"), &english).await);
    assert_eq!(shown["centre"]["name"], "Citizens' house");
    let german = ok(&read(&app, &format!("/api/v1/activities/{id}"), &[]).await);
    assert_eq!(german["centre"]["name"], "Bürgerhaus");

    let dates = ok(&read(
        &app,
        &format!("/api/v1/activities/{id}/occurrences"),
        &english,
    )
    .await);
    let date = &dates["items"][0];
    assert_eq!(date["title"], "Coffee table");
    assert_eq!(date["centre"]["name"], "Citizens' house");
    // What's on reads the variants with its rows.
    let range = format!(
        "from={}&to={}",
        Utc::now().format("%Y-%m-%dT%H:%M:%SZ"),
        (Utc::now() + Duration::days(10)).format("%Y-%m-%dT%H:%M:%SZ")
    );
    let whats_on = read(&app, &format!("/api/v1/occurrences?{range}"), &english).await;
    assert_eq!(whats_on.header("content-language"), Some("en"));
    let listed = ok(&whats_on);
    assert_eq!(listed["items"][0]["title"], "Coffee table");
    assert_eq!(listed["items"][0]["centre"]["name"], "Citizens' house");
    assert_eq!(listed["items"][0]["content_language"]["tag"], "en");
    let path = format!("/api/v1/occurrences/{}", date["id"].as_str().expect("id"));
    let one = read(&app, &path, &english).await;
    let body = ok(&one);
    assert_eq!(body["title"], "Coffee table");
    assert_eq!(body["centre"]["name"], "Citizens' house");
    assert_eq!(body["content_language"]["tag"], "en");
    assert_eq!(one.header("content-language"), Some("en"));
    let in_german = read(&app, &path, &[]).await;
    assert_eq!(ok(&in_german)["title"], "Kaffeetisch");
    assert_ne!(in_german.header("etag"), one.header("etag"));
    let etag = one.header("etag").expect("etag").to_owned();
    let again = read(
        &app,
        &path,
        &[("accept-language", "en"), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, 304);

    // A reader of Turkish, then English, gets the title in English and the centre's name in
    // Turkish: another body, so another ETag than a reader of English alone.
    ok(&put_translation(
        &app,
        admin,
        &format!("/api/v1/centres/{}/translations/tr", s.centre),
        "*",
        json!({"origin": "human", "texts": {"name": "Vatandaş evi"}}),
    )
    .await);
    let turkish_first = [("accept-language", "tr, en;q=0.8")];
    let mixed = read(&app, &path, &turkish_first).await;
    let body = ok(&mixed);
    assert_eq!(body["title"], "Coffee table");
    assert_eq!(body["centre"]["name"], "Vatandaş evi");
    assert_ne!(mixed.header("etag"), one.header("etag"));
    let held_english = read(
        &app,
        &path,
        &[
            ("accept-language", "tr, en;q=0.8"),
            ("if-none-match", &etag),
        ],
    )
    .await;
    assert_eq!(held_english.status, 200);

    // A new German title makes the English one stale: what's on serves German again.
    let renamed = patch(
        &app,
        admin,
        &format!("/api/v1/activities/{id}"),
        json!({"title": "Kaffeetisch am Montag"}),
    )
    .await;
    assert_eq!(
        renamed.status,
        200,
        "{}",
        String::from_utf8_lossy(&renamed.body)
    );
    let listed = ok(&read(&app, &format!("/api/v1/occurrences?{range}"), &english).await);
    assert_eq!(listed["items"][0]["title"], "Kaffeetisch am Montag");
    assert_eq!(listed["items"][0]["content_language"]["tag"], "de");
    assert_eq!(listed["items"][0]["centre"]["name"], "Citizens' house");
}
/// Whether `response` says it varies with `Accept-Language`.
fn varies_by_language(response: &TestResponse) -> bool {
    response
        .headers
        .get_all("vary")
        .any(|v| v.to_str().is_ok_and(|v| v.contains("Accept-Language")))
}

/// The messages of a validation problem, in order.
fn messages(problem: &Value) -> Vec<&str> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["message"].as_str())
                .collect()
        })
        .unwrap_or_default()
}

#[actix_web::test]
async fn lists_see_variants_another_instance_wrote_within_seconds() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let english = [("accept-language", "en")];
    let directory = "/api/v1/centres";
    let before = ok(&read(&app, directory, &english).await);
    assert_eq!(before["items"][0]["name"], "Bürgerhaus");
    // Another instance writes a variant: straight into the database, past this one.
    let mut conn = app.conn().await;
    diesel::sql_query(
        "INSERT INTO translations (centre_id, field, tag, text, origin, reviewed, source_md5, search) \
         SELECT id, 'name', 'en', 'Citizens'' house', 'human', true, md5(name), \
                to_tsvector('english', 'Citizens'' house') FROM centres",
    )
    .execute(&mut conn)
    .await
    .expect("insert");
    let mut seen = None;
    for _ in 0..40 {
        let listed = ok(&read(&app, directory, &english).await);
        if listed["items"][0]["name"] == "Citizens' house" {
            seen = Some(listed);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let listed = seen.expect("the directory shows the new name within four seconds");
    assert_eq!(listed["items"][0]["content_language"]["tag"], "en");
    // A text changed in place (no row added or removed) is seen as well.
    diesel::sql_query("UPDATE translations SET text = 'House of the citizens'")
        .execute(&mut conn)
        .await
        .expect("update");
    let mut changed = false;
    for _ in 0..40 {
        let listed = ok(&read(&app, directory, &english).await);
        if listed["items"][0]["name"] == "House of the citizens" {
            changed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        changed,
        "the directory shows the changed name within four seconds"
    );
    // And a variant this instance writes is in the very next list.
    ok(&put_translation(
        &app,
        &s.admin.access_token,
        &format!("/api/v1/centres/{}/translations/en", s.centre),
        "*",
        json!({"origin": "human", "texts": {"name": "Community house"}}),
    )
    .await);
    let next = ok(&read(&app, directory, &english).await);
    assert_eq!(next["items"][0]["name"], "Community house");
}

#[actix_web::test]
async fn problem_details_come_in_german_with_the_same_type() {
    let app = TestApp::spawn().await;
    let path = format!("/api/v1/activities/{}", uuid::Uuid::now_v7());
    let english = read(&app, &path, &[]).await;
    let english_problem = english.assert_problem(404, "not-found");
    assert_eq!(english_problem["detail"], "No activity has this id.");
    let german = read(&app, &path, &[("accept-language", "de")]).await;
    let problem = german.assert_problem(404, "not-found");
    assert_eq!(problem["title"], "Nicht gefunden");
    assert_eq!(problem["detail"], "Kein Angebot hat diese ID.");
    assert_eq!(problem["type"], english_problem["type"]);
    assert_eq!(problem["status"], 404);
    assert_eq!(german.header("content-language"), Some("de"));
    assert!(varies_by_language(&german));
}

#[actix_web::test]
async fn field_messages_follow_lang_before_accept_language() {
    let app = TestApp::spawn().await;
    let path = "/api/v1/centres?radius_km=500&language=x1";
    let german_messages = [
        "muss zwischen 0.1 und 100 liegen",
        "muss ein Sprachkürzel wie de, en oder tr sein",
    ];
    for (lang, header) in [("de", "en"), ("de-x-ls", "en")] {
        let german = read(
            &app,
            &format!("{path}&lang={lang}"),
            &[("accept-language", header)],
        )
        .await;
        let problem = german.assert_problem(422, "validation-failed");
        assert_eq!(
            problem["title"], "Die Anfrage hat ungültige Felder",
            "{lang}"
        );
        assert_eq!(messages(&problem), german_messages, "{lang}");
        assert_eq!(
            german.problem_fields(),
            ["query.radius_km", "query.language"]
        );
        assert_eq!(
            problem["detail"],
            format!(
                "query.radius_km: {}; query.language: {}",
                german_messages[0], german_messages[1]
            )
        );
        assert_eq!(german.header("content-language"), Some("de"), "{lang}");
    }
    for lang in ["en", "tr"] {
        let english = read(
            &app,
            &format!("{path}&lang={lang}"),
            &[("accept-language", "de")],
        )
        .await;
        let problem = english.assert_problem(422, "validation-failed");
        assert_eq!(problem["title"], "The request has invalid fields", "{lang}");
        assert_eq!(
            messages(&problem),
            [
                "must be from 0.1 to 100",
                "must be a language code such as de, en or tr"
            ],
            "{lang}"
        );
        assert_eq!(english.header("content-language"), Some("en"), "{lang}");
        assert!(varies_by_language(&english));
    }
    // A body's fields, by Accept-Language alone.
    let register = app
        .json(
            Method::POST,
            "/api/v1/auth/register",
            None,
            &[("accept-language", "de-DE, en;q=0.5")],
            &json!({"email": "lang@example.org", "display_name": "x".repeat(101),
                    "password": "ein sicheres Passwort", "privacy_consent": true}),
        )
        .await;
    let problem = register.assert_problem(422, "validation-failed");
    assert_eq!(register.problem_fields(), ["display_name"]);
    assert_eq!(messages(&problem), ["darf höchstens 100 Zeichen lang sein"]);
}

#[actix_web::test]
async fn refusals_of_authentication_come_in_german() {
    let app = TestApp::spawn().await;
    let german = [("accept-language", "de")];
    let anonymous = read(&app, "/api/v1/me", &german).await;
    let problem = anonymous.assert_problem(401, "unauthenticated");
    assert_eq!(problem["title"], "Anmeldung nötig");
    assert_eq!(
        problem["detail"],
        "Bitte melden Sie sich an und senden Sie das Zugriffstoken als Authorization: Bearer <token>."
    );
    assert!(anonymous.header("www-authenticate").is_some());
    assert_eq!(anonymous.header("content-language"), Some("de"));

    // Refused by the per-principal limit before any route: the account of the token is gone.
    let user = app.signed_up("geht@example.org").await;
    let erased = app
        .json(
            Method::DELETE,
            "/api/v1/me",
            Some(&user.access_token),
            &[],
            &json!({"password": user.password}),
        )
        .await;
    assert_eq!(erased.status, 200);
    let bearer = format!("Bearer {}", user.access_token);
    let gone = read(
        &app,
        "/api/v1/me",
        &[
            ("accept-language", "de"),
            ("authorization", bearer.as_str()),
        ],
    )
    .await;
    let problem = gone.assert_problem(401, "unauthenticated");
    assert_eq!(
        problem["detail"],
        "Das Konto dieses Tokens gibt es nicht mehr."
    );
    assert!(
        gone.header("www-authenticate")
            .is_some_and(|v| v.contains("invalid_token"))
    );
    assert_eq!(gone.header("content-language"), Some("de"));
    assert!(varies_by_language(&gone));
}

#[actix_web::test]
async fn anonymous_readers_over_their_budget_are_told_in_german() {
    let app = TestApp::spawn_with(&[("QUARTIER_RATE_LIMIT_ANONYMOUS_PER_MINUTE", "2")]).await;
    let german = [("accept-language", "de")];
    let mut refused = None;
    for _ in 0..5 {
        let answer = read(&app, "/api/v1/districts", &german).await;
        if answer.status == 429 {
            refused = Some(answer);
            break;
        }
    }
    let refused = refused.expect("the budget runs out");
    let problem = refused.assert_problem(429, "rate-limited");
    assert_eq!(problem["title"], "Zu viele Anfragen");
    assert_eq!(
        problem["detail"],
        "Zu viele Anfragen ohne Anmeldung von dieser Adresse: Bitte warten Sie bis Retry-After oder melden Sie sich an."
    );
    assert!(refused.header("retry-after").is_some());
    assert_eq!(refused.header("content-language"), Some("de"));
}

#[actix_web::test]
async fn an_unavailable_database_is_explained_in_german() {
    let (app, proxy) = TestApp::spawn_behind_proxy(&[
        ("QUARTIER_DB_WAIT_TIMEOUT_MS", "500"),
        ("QUARTIER_DB_CONNECT_TIMEOUT_MS", "500"),
        ("QUARTIER_DB_RECYCLE_TIMEOUT_MS", "300"),
        ("QUARTIER_REQUEST_TIMEOUT_SECS", "2"),
    ])
    .await;
    let user = app.signed_up("anna@example.org").await;
    proxy.freeze();
    let bearer = format!("Bearer {}", user.access_token);
    let answer = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        read(
            &app,
            "/api/v1/me",
            &[
                ("accept-language", "de"),
                ("authorization", bearer.as_str()),
            ],
        ),
    )
    .await
    .expect("no hang");
    proxy.thaw();
    let problem = answer.assert_problem(503, "service-unavailable");
    assert_eq!(problem["title"], "Dienst nicht verfügbar");
    assert_eq!(
        problem["detail"],
        "Quartier kann diese Anfrage gerade nicht bearbeiten. Bitte versuchen Sie es in ein paar Sekunden erneut."
    );
    assert_eq!(answer.header("content-language"), Some("de"));
}

#[actix_web::test]
async fn racing_upserts_and_variant_writes_leave_one_resource_and_one_text_per_field() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let token = &s.coordinator.access_token;
    let day = Utc::now() + Duration::days(5);
    let activity = json!({
        "centre_id": s.centre, "title": "Nähcafé", "category": "coffee_table",
        "status": "published",
        "schedule": {"kind": "once", "starts_at": day.format("%Y-%m-%dT10:00:00Z").to_string(),
                     "ends_at": day.format("%Y-%m-%dT12:00:00Z").to_string()},
        "translations": {
            "en": {"origin": "human", "texts": {"title": "Sewing café"}},
            "tr": {"origin": "human", "texts": {"title": "Dikiş kafesi"}},
        },
    });
    let path = format!(
        "/api/v1/operators/{}/activities/by-external-id/N-1",
        s.operator
    );
    // Twelve first calls at once: one creates, the others replace it with the same.
    let answers = futures_util::future::join_all(
        (0..12).map(|_| app.json(Method::PUT, &path, Some(token), &[], &activity)),
    )
    .await;
    let mut statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 201),
        "{statuses:?}"
    );
    assert_eq!(app.count("activities", "external_id = 'N-1'").await, 1);
    assert_eq!(variants(&app).await, 2);
    let id = answers[0].json()["id"].as_str().expect("id").to_owned();
    for answer in &answers {
        assert_eq!(answer.json()["id"], id.as_str());
    }

    // Twelve writes of the English text at once, each with another wording: every one
    // succeeds in turn, and one text remains, the last one written.
    let english = format!("/api/v1/activities/{id}/translations/en");
    let writes = futures_util::future::join_all((0..12).map(|n| {
        put_translation(
            &app,
            &s.admin.access_token,
            &english,
            "*",
            json!({"origin": "human", "texts": {"title": format!("Sewing café {n}")}}),
        )
    }))
    .await;
    for write in &writes {
        ok(write);
    }
    assert_eq!(
        app.count(
            "translations",
            &format!("activity_id = '{id}' AND tag = 'en' AND field = 'title'")
        )
        .await,
        1
    );
    let stored = app
        .texts(&format!(
            "SELECT text FROM translations WHERE activity_id = '{id}' AND tag = 'en'"
        ))
        .await;
    let versions: Vec<i64> = writes
        .iter()
        .map(|w| {
            w.header("etag")
                .and_then(|e| e.trim_matches('"').parse().ok())
                .expect("numeric etag")
        })
        .collect();
    let mut distinct = versions.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        12,
        "each write moved the version: {versions:?}"
    );
    let (last, _) = versions
        .iter()
        .enumerate()
        .max_by_key(|(_, v)| **v)
        .expect("twelve writes");
    assert_eq!(
        stored,
        [format!("Sewing café {last}")],
        "the last write stays"
    );
}

#[actix_web::test]
async fn a_spreadsheet_import_carries_texts_in_other_languages() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let token = &s.coordinator.access_token;
    let day = Utc::now() + Duration::days(6);
    let imports = format!("/api/v1/operators/{}/imports", s.operator);
    let send = |csv: String| {
        let app = &app;
        let imports = &imports;
        async move {
            app.send(
                Method::POST,
                imports,
                &[("authorization", &format!("Bearer {token}"))],
                Some(("text/csv", csv.into_bytes())),
            )
            .await
        }
    };
    // An easy-German text is reviewed; without one, the line says nothing of that language.
    let line = |title_ls: &str, tag_column: &str| {
        let reviewed = if title_ls.is_empty() { "" } else { "ja" };
        format!(
            "record;external_id;centre_id;title;category;starts_at;ends_at;status;title@en;{tag_column};reviewed@de-x-ls\n\
             activity;T-1;{};Tanztee;coffee_table;{};{};published;Tea dance;{title_ls};{reviewed}\n",
            s.centre,
            day.format("%Y-%m-%dT15:00:00Z"),
            day.format("%Y-%m-%dT17:00:00Z"),
        )
    };
    // A tag that means German in Lesotho refuses the whole file: nothing is written.
    let refused = send(line("Tanzen mit Tee", "title@de-ls")).await;
    assert_eq!(
        refused.status,
        422,
        "{}",
        String::from_utf8_lossy(&refused.body)
    );
    assert!(
        refused.json()["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .any(|e| e["field"] == "translations.de-ls"),
        "{}",
        refused.json()
    );
    assert_eq!(app.count("activities", "external_id = 'T-1'").await, 0);
    assert_eq!(variants(&app).await, 0);

    let imported = send(line("Tanzen mit Tee", "title@de-x-ls")).await;
    assert_eq!(ok(&imported)["activities"]["created"], 1);
    assert_eq!(variants(&app).await, 2);
    let id = app
        .texts("SELECT id::text FROM activities WHERE external_id = 'T-1'")
        .await
        .remove(0);
    let path = format!("/api/v1/activities/{id}");
    let easy = ok(&read(&app, &path, &[("accept-language", "de-x-ls")]).await);
    assert_eq!(easy["title"], "Tanzen mit Tee");
    let english = ok(&read(&app, &path, &[("accept-language", "en")]).await);
    assert_eq!(english["title"], "Tea dance");

    // The same file again changes nothing; empty easy-German cells remove that text.
    let again = send(line("Tanzen mit Tee", "title@de-x-ls")).await;
    assert_eq!(
        ok(&again)["activities"],
        json!({"created": 0, "updated": 0, "unchanged": 1})
    );
    let emptied = send(line("", "title@de-x-ls")).await;
    assert_eq!(ok(&emptied)["activities"]["updated"], 1);
    assert_eq!(variants(&app).await, 1);
    let easy = read(&app, &path, &[("accept-language", "de-x-ls")]).await;
    assert_eq!(ok(&easy)["title"], "Tanztee");
}
