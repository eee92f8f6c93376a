//! Residents' concerns: raised, found again before they are raised twice, supported by
//! neighbours ("me too"), and moved on by the operator that answers them.

use actix_web::http::Method;
use quartier_tests::fixtures::{Setup, api_key, post, setup, with_key};
use quartier_tests::{TestApp, TestResponse, TestUser};
use serde_json::{Value, json};

#[track_caller]
pub(crate) fn status(response: &TestResponse, expected: u16) -> Value {
    assert_eq!(
        response.status,
        expected,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    if response.body.is_empty() {
        Value::Null
    } else {
        response.json()
    }
}

/// A category answered by operator A; `moderated`: new concerns wait for its staff.
pub(crate) async fn category(app: &TestApp, s: &Setup, name: &str, moderated: bool) -> String {
    let made = post(
        app,
        &s.admin.access_token,
        "/api/v1/concern-categories",
        json!({"name": name, "kind": "need", "operator_id": s.operator, "needs_moderation": moderated}),
    )
    .await;
    status(&made, 201)["id"].as_str().expect("id").to_owned()
}

pub(crate) async fn district(app: &TestApp) -> String {
    app.texts("SELECT district_id::text FROM centres LIMIT 1")
        .await
        .remove(0)
}

pub(crate) async fn raise(app: &TestApp, token: &str, body: Value) -> TestResponse {
    post(app, token, "/api/v1/concerns", body).await
}

pub(crate) async fn get(app: &TestApp, path: &str, token: Option<&str>) -> TestResponse {
    app.get(path, token).await
}

pub(crate) async fn move_to(app: &TestApp, token: &str, id: &str, body: Value) -> TestResponse {
    post(app, token, &format!("/api/v1/concerns/{id}/status"), body).await
}

/// A concern `author` raises with `fields` (title, text, …) in a new category of its own
/// that needs no moderation: published at once. The concern as answered.
pub(crate) async fn published(app: &TestApp, s: &Setup, author: &TestUser, fields: Value) -> Value {
    let title = fields["title"].as_str().expect("a title").to_owned();
    let mut body = json!({
        "category_id": category(app, s, &format!("Thema {title}"), false).await,
        "district_id": district(app).await,
    });
    for (key, value) in fields.as_object().expect("fields") {
        body[key] = value.clone();
    }
    status(&raise(app, &author.access_token, body).await, 201)
}

/// `PUT /concerns/{id}/support` as `user`, which must succeed; the answer.
pub(crate) async fn support(app: &TestApp, user: &TestUser, id: &str, body: Value) -> Value {
    let supported = app
        .json(
            Method::PUT,
            &format!("/api/v1/concerns/{id}/support"),
            Some(&user.access_token),
            &[],
            &body,
        )
        .await;
    status(&supported, 200)
}

#[actix_web::test]
async fn a_moderated_concern_is_seen_by_its_author_and_answerers_until_it_is_published() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let playgrounds = category(&app, &s, "Spielplätze", true).await;
    let district = district(&app).await;
    let resident: TestUser = app.signed_up("anna@example.org").await;
    let raised = raise(
        &app,
        &resident.access_token,
        json!({
            "category_id": playgrounds, "district_id": district,
            "title": "Sitzbank am Spielplatz fehlt",
            "text": "Am Spielplatz Lindenstraße gibt es keine Bank.",
            "point": {"latitude": 51.5, "longitude": 7.4},
            "address": "Lindenstraße 4",
        }),
    )
    .await;
    let concern = status(&raised, 201);
    assert_eq!(concern["status"], "submitted");
    assert_eq!(concern["kind"], "need");
    assert_eq!(concern["mine"], true);
    assert_eq!(concern["author_name"], Value::Null);
    let id = concern["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/concerns/{id}");

    // Not public yet: anonymous readers, other residents and operator B's staff see nothing.
    let other = app.signed_up("bernd@example.org").await;
    for token in [
        None,
        Some(other.access_token.as_str()),
        Some(s.other_coordinator.access_token.as_str()),
    ] {
        status(&get(&app, &path, token).await, 404);
    }
    let public = status(&get(&app, "/api/v1/concerns", None).await, 200);
    assert_eq!(public["items"], json!([]));
    // Its author and operator A's coordinator see it; the queue of operator A holds it.
    status(&get(&app, &path, Some(&resident.access_token)).await, 200);
    status(
        &get(&app, &path, Some(&s.coordinator.access_token)).await,
        200,
    );
    let queue = format!("/api/v1/operators/{}/concerns", s.operator);
    let queued = status(
        &get(&app, &queue, Some(&s.coordinator.access_token)).await,
        200,
    );
    assert_eq!(queued["items"][0]["id"], id.as_str());
    status(
        &get(&app, &queue, Some(&s.other_coordinator.access_token)).await,
        403,
    );
    let mine = status(
        &get(&app, "/api/v1/me/concerns", Some(&resident.access_token)).await,
        200,
    );
    assert_eq!(mine["items"][0]["id"], id.as_str());

    // Neighbours cannot support it before it is published, nor publish it themselves.
    status(
        &app.json(
            Method::PUT,
            &format!("{path}/support"),
            Some(&other.access_token),
            &[],
            &json!({}),
        )
        .await,
        404,
    );
    status(
        &move_to(
            &app,
            &resident.access_token,
            &id,
            json!({"status": "published"}),
        )
        .await,
        403,
    );
    status(
        &move_to(
            &app,
            &s.other_coordinator.access_token,
            &id,
            json!({"status": "published"}),
        )
        .await,
        404,
    );
    // Operator A's coordinator publishes it; a move the rules do not allow is refused.
    let published = status(
        &move_to(
            &app,
            &s.coordinator.access_token,
            &id,
            json!({"status": "published"}),
        )
        .await,
        200,
    );
    assert_eq!(published["status"], "published");
    assert!(published["published_at"].is_string());
    let skipped = move_to(
        &app,
        &s.coordinator.access_token,
        &id,
        json!({"status": "done"}),
    )
    .await;
    assert_eq!(
        status(&skipped, 409)["type"],
        "/problems/concern-move-not-allowed"
    );

    // Public now, without its author's name, supporters or anything internal.
    let listed = status(&get(&app, "/api/v1/concerns", None).await, 200);
    assert_eq!(listed["items"][0]["id"], id.as_str());
    let text = listed.to_string();
    assert!(!text.contains(&resident.id), "{text}");
    assert_eq!(listed["items"][0]["author_name"], Value::Null);
    assert!(listed["items"][0].get("mine").is_none());
    let near = status(
        &get(
            &app,
            "/api/v1/concerns?near=51.5005,7.4005&radius_m=200",
            None,
        )
        .await,
        200,
    );
    assert_eq!(near["items"].as_array().map(Vec::len), Some(1));
    let far = status(
        &get(&app, "/api/v1/concerns?near=51.6,7.4", None).await,
        200,
    );
    assert_eq!(far["items"], json!([]));
    status(&get(&app, "/api/v1/concerns?near=north", None).await, 422);

    // The author withdraws it; nobody else may.
    status(
        &move_to(
            &app,
            &other.access_token,
            &id,
            json!({"status": "withdrawn"}),
        )
        .await,
        403,
    );
    let withdrawn = status(
        &move_to(
            &app,
            &resident.access_token,
            &id,
            json!({"status": "withdrawn"}),
        )
        .await,
        200,
    );
    assert_eq!(withdrawn["status"], "withdrawn");
    let closed = app
        .json(
            Method::PUT,
            &format!("{path}/support"),
            Some(&other.access_token),
            &[],
            &json!({}),
        )
        .await;
    assert_eq!(status(&closed, 409)["type"], "/problems/concern-not-open");
    assert_eq!(app.count("concern_supports", "true").await, 0);
}

#[actix_web::test]
async fn the_same_concern_is_found_before_it_is_raised_twice() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let open = category(&app, &s, "Grünflächen", false).await;
    let district = district(&app).await;
    let resident = app.signed_up("anna@example.org").await;
    for (title, point) in [
        ("Sitzbank am Spielplatz fehlt", None),
        (
            "Laterne kaputt",
            Some(json!({"latitude": 51.5, "longitude": 7.4})),
        ),
        ("Mehr Mülleimer im Park", None),
        ("Schaukel kaputt", None),
    ] {
        let text = if title.starts_with("Schaukel") {
            "Die Schaukel auf dem Bolzplatz hinter der Gesamtschule hängt schief."
        } else {
            "Bitte kümmern Sie sich darum."
        };
        let mut body = json!({
            "category_id": open, "district_id": district, "title": title, "text": text,
        });
        if let Some(point) = point {
            body["point"] = point;
        }
        let raised = status(&raise(&app, &resident.access_token, body).await, 201);
        assert_eq!(raised["status"], "published", "no moderation here");
    }
    let similar = |query: &str| {
        let path = format!("/api/v1/concerns/similar?{query}");
        let app = &app;
        async move { status(&get(app, &path, None).await, 200) }
    };
    let found = similar("title=Bank%20Spielplatz").await;
    let titles: Vec<&str> = found["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["concern"]["title"].as_str())
        .collect();
    assert_eq!(titles, ["Sitzbank am Spielplatz fehlt"]);
    // Words found only in the text count too.
    let in_text = similar("title=Bolzplatz%20Gesamtschule").await;
    assert_eq!(in_text["items"][0]["concern"]["title"], "Schaukel kaputt");
    assert_eq!(in_text["items"].as_array().expect("items").len(), 1);
    // Other words at nearly the same place (within 150 m) are found as well.
    let nearby = similar("title=Dunkel%20am%20Abend&lat=51.5008&lon=7.4").await;
    assert_eq!(nearby["items"][0]["concern"]["title"], "Laterne kaputt");
    assert!(nearby["items"][0]["distance_m"].as_f64().expect("metres") < 150.0);
    // Also when the point is off in both directions (about 120 m away).
    let diagonal = similar("title=Dunkel%20am%20Abend&lat=51.5009&lon=7.4011").await;
    assert_eq!(diagonal["items"][0]["concern"]["title"], "Laterne kaputt");
    let elsewhere = similar("title=Dunkel%20am%20Abend&lat=51.52&lon=7.4").await;
    assert_eq!(elsewhere["items"], json!([]));
    // Another district's concerns are not the same.
    let other_district = status(
        &post(
            &app,
            &s.admin.access_token,
            "/api/v1/districts",
            json!({"name": "Südstadt", "town": "Musterstadt"}),
        )
        .await,
        201,
    )["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let there = similar(&format!(
        "title=Bank%20Spielplatz&district_id={other_district}"
    ))
    .await;
    assert_eq!(there["items"], json!([]));
    status(
        &get(&app, "/api/v1/concerns/similar?title=", None).await,
        422,
    );
    status(
        &get(&app, "/api/v1/concerns/similar?title=x&lat=51.5", None).await,
        422,
    );
}

#[actix_web::test]
async fn a_thousand_neighbours_support_at_once_and_the_count_equals_the_rows() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let resident = app.signed_up("anna@example.org").await;
    let concern = published(
        &app,
        &s,
        &resident,
        json!({"title": "Ein Nachbarschaftsfest", "text": "Im Sommer, im Hof."}),
    )
    .await;
    let id = concern["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/concerns/{id}/support");
    let neighbours = app.volunteers(1000).await;
    let notify = json!({"notify": true});
    let answers = futures_util::future::join_all(
        neighbours
            .iter()
            .map(|(_, token)| app.json(Method::PUT, &path, Some(token), &[], &notify)),
    )
    .await;
    let failed: Vec<u16> = answers
        .iter()
        .map(|a| a.status)
        .filter(|s| *s != 200)
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    let rows = app
        .count("concern_supports", &format!("concern_id = '{id}'"))
        .await;
    assert_eq!(rows, 1000);
    let counted = app
        .texts(&format!(
            "SELECT support_count FROM concerns WHERE id = '{id}'"
        ))
        .await;
    assert_eq!(counted, ["1000"]);

    // One account supporting twice at once: one row, counted once.
    let (_, token) = &app.volunteers(1).await[0];
    let empty = json!({});
    let twice = futures_util::future::join_all(
        (0..8).map(|_| app.json(Method::PUT, &path, Some(token), &[], &empty)),
    )
    .await;
    assert!(twice.iter().all(|a| a.status == 200));
    assert_eq!(
        app.count("concern_supports", &format!("concern_id = '{id}'"))
            .await,
        1001
    );
    let read = status(
        &get(&app, &format!("/api/v1/concerns/{id}"), Some(token)).await,
        200,
    );
    assert_eq!(read["support_count"], 1001);
    assert_eq!(read["supported"], true);
    // Taking it back, twice: counted down once.
    for _ in 0..2 {
        let back = app
            .json(Method::DELETE, &path, Some(token), &[], &json!({}))
            .await;
        assert_eq!(status(&back, 200)["support_count"], 1000);
    }
    // The database refuses a count below zero.
    let mut conn = app.conn().await;
    let refused = diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE concerns SET support_count = -1 WHERE id = '{id}'"
        )),
        &mut conn,
    )
    .await;
    assert!(refused.is_err());
}

#[actix_web::test]
async fn duplicates_name_their_original_and_the_database_holds_to_it() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let open = category(&app, &s, "Verkehr", false).await;
    let district = district(&app).await;
    let resident = app.signed_up("anna@example.org").await;
    let mut ids = Vec::new();
    for title in ["Zebrastreifen an der Schule", "Schulweg sicherer machen"] {
        let raised = raise(
            &app,
            &resident.access_token,
            json!({"category_id": open, "district_id": district, "title": title, "text": "Die Kinder."}),
        )
        .await;
        ids.push(status(&raised, 201)["id"].as_str().expect("id").to_owned());
    }
    let coordinator = &s.coordinator.access_token;
    for (body, field) in [
        (json!({"status": "duplicate"}), "duplicate_of"),
        (
            json!({"status": "duplicate", "duplicate_of": ids[1]}),
            "duplicate_of",
        ),
        (
            json!({"status": "accepted", "duplicate_of": ids[0]}),
            "duplicate_of",
        ),
        (
            json!({"status": "duplicate", "duplicate_of": "00000000-0000-7000-8000-000000000000"}),
            "duplicate_of",
        ),
    ] {
        let refused = move_to(&app, coordinator, &ids[1], body.clone()).await;
        let problem = status(&refused, 422);
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
    }
    let marked = status(
        &move_to(
            &app,
            coordinator,
            &ids[1],
            json!({"status": "duplicate", "duplicate_of": ids[0]}),
        )
        .await,
        200,
    );
    assert_eq!(marked["duplicate_of"], ids[0].as_str());
    // No cycle: the original cannot become a duplicate of its own duplicate.
    let cycle = move_to(
        &app,
        coordinator,
        &ids[0],
        json!({"status": "duplicate", "duplicate_of": ids[1]}),
    )
    .await;
    assert_eq!(status(&cycle, 422)["errors"][0]["field"], "duplicate_of");
    // The ETag a reader got is what If-Match takes.
    let read = get(&app, &format!("/api/v1/concerns/{}", ids[0]), None).await;
    status(&read, 200);
    let etag = read.header("etag").expect("etag").to_owned();
    let moved = app
        .json(
            Method::POST,
            &format!("/api/v1/concerns/{}/status", ids[0]),
            Some(coordinator),
            &[("if-match", &etag)],
            &json!({"status": "in_review"}),
        )
        .await;
    status(&moved, 200);
    // An old ETag is refused.
    let stale = app
        .json(
            Method::POST,
            &format!("/api/v1/concerns/{}/status", ids[0]),
            Some(coordinator),
            &[("if-match", "\"7\"")],
            &json!({"status": "in_review"}),
        )
        .await;
    status(&stale, 412);
    // The database itself refuses a duplicate without an original and one of itself.
    let mut conn = app.conn().await;
    for sql in [
        format!(
            "UPDATE concerns SET status = 'duplicate', duplicate_of = NULL WHERE id = '{}'",
            ids[0]
        ),
        format!(
            "UPDATE concerns SET duplicate_of = id WHERE id = '{}'",
            ids[1]
        ),
    ] {
        let refused =
            diesel_async::RunQueryDsl::execute(diesel::sql_query(sql.clone()), &mut conn).await;
        assert!(refused.is_err(), "{sql}");
    }
}

#[actix_web::test]
async fn staff_write_down_concerns_told_to_them_with_consent() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let open = category(&app, &s, "Wohnen", false).await;
    let district = district(&app).await;
    let told = json!({
        "category_id": open, "district_id": district, "channel": "phone",
        "title": "Aufzug seit Wochen defekt", "text": "Frau K. aus dem 8. Stock kommt nicht mehr raus.",
    });
    let without = raise(&app, &s.coordinator.access_token, told.clone()).await;
    assert_eq!(status(&without, 422)["errors"][0]["field"], "consent_on");
    let mut with_consent = told.clone();
    with_consent["consent_on"] = json!(chrono::Utc::now().date_naive());
    // A resident cannot write down what others told; operator B's staff cannot either.
    let resident = app.signed_up("anna@example.org").await;
    status(
        &raise(&app, &resident.access_token, with_consent.clone()).await,
        403,
    );
    status(
        &raise(
            &app,
            &s.other_coordinator.access_token,
            with_consent.clone(),
        )
        .await,
        403,
    );
    let written = status(
        &raise(&app, &s.coordinator.access_token, with_consent).await,
        201,
    );
    assert_eq!(written["channel"], "phone");
    assert_eq!(written["mine"], false);
    let id = written["id"].as_str().expect("id");
    assert_eq!(
        app.count(
            "concerns",
            &format!("id = '{id}' AND author_id IS NULL AND recorded_by IS NOT NULL")
        )
        .await,
        1
    );
    // Unknown ids and absurd input change nothing.
    let before = app.count("concerns", "true").await;
    for body in [
        json!({"category_id": open, "district_id": "00000000-0000-7000-8000-000000000000", "title": "x", "text": "y"}),
        json!({"category_id": "00000000-0000-7000-8000-000000000000", "district_id": district, "title": "x", "text": "y"}),
        json!({"category_id": open, "district_id": district, "title": "", "text": "y"}),
        json!({"category_id": open, "district_id": district, "title": "x", "text": "y", "point": {"latitude": 91, "longitude": 0}}),
    ] {
        status(&raise(&app, &resident.access_token, body).await, 422);
    }
    assert_eq!(app.count("concerns", "true").await, before);
}

#[actix_web::test]
async fn an_erased_supporter_and_author_leave_the_text_and_the_count() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let anna = app.signed_up("anna@example.org").await;
    let concern = published(
        &app,
        &s,
        &anna,
        json!({"show_author": true, "title": "Ein Chor für alle", "text": "Wer singt mit?"}),
    )
    .await;
    assert!(concern["author_name"].is_string());
    let id = concern["id"].as_str().expect("id").to_owned();
    let bernd = app.signed_up("bernd@example.org").await;
    for user in [&anna, &bernd] {
        support(&app, user, &id, json!({})).await;
    }
    let export = status(
        &get(&app, "/api/v1/me/export", Some(&bernd.access_token)).await,
        200,
    );
    assert_eq!(export["concern_supports"][0]["concern_id"], id.as_str());
    for user in [&anna, &bernd] {
        let erased = app
            .json(
                Method::DELETE,
                "/api/v1/me",
                Some(&user.access_token),
                &[],
                &json!({"password": user.password}),
            )
            .await;
        status(&erased, 200);
    }
    let read = status(
        &get(&app, &format!("/api/v1/concerns/{id}"), None).await,
        200,
    );
    assert_eq!(read["title"], "Ein Chor für alle");
    assert_eq!(read["support_count"], 2);
    assert_eq!(read["author_name"], Value::Null);
    assert_eq!(
        app.count(
            "concern_supports",
            &format!("concern_id = '{id}' AND user_id IS NULL")
        )
        .await,
        2
    );
}

#[actix_web::test]
async fn answers_are_a_timeline_that_never_changes_and_reach_author_and_asking_supporters() {
    let sink = quartier_tests::SmtpSink::start();
    let app = TestApp::mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    let anna = app.signed_up("anna@example.org").await;
    let concern = published(
        &app,
        &s,
        &anna,
        json!({"title": "Sitzbank am Spielplatz fehlt", "text": "Bitte eine Bank."}),
    )
    .await;
    let id = concern["id"].as_str().expect("id").to_owned();
    let bernd = app.signed_up("bernd@example.org").await;
    let carla = app.signed_up("carla@example.org").await;
    for (user, notify) in [(&bernd, true), (&carla, false)] {
        support(&app, user, &id, json!({"notify": notify})).await;
    }
    let answers = format!("/api/v1/concerns/{id}/answers");
    let coordinator = &s.coordinator.access_token;
    // An internal note and a draft: for those who answer only.
    status(
        &post(
            &app,
            coordinator,
            &answers,
            json!({"text": "Grünflächenamt fragen", "visibility": "internal"}),
        )
        .await,
        201,
    );
    let draft = status(
        &post(
            &app,
            coordinator,
            &answers,
            json!({"text": "Wir prüfen das.", "visibility": "public", "publish": false}),
        )
        .await,
        201,
    );
    assert_eq!(draft["published_at"], Value::Null);
    let draft_id = draft["id"].as_str().expect("id").to_owned();
    let public = status(&get(&app, &answers, None).await, 200);
    assert_eq!(public["items"], json!([]));
    let for_staff = status(&get(&app, &answers, Some(coordinator)).await, 200);
    assert_eq!(for_staff["items"].as_array().map(Vec::len), Some(2));
    // Operator B's staff and residents do not answer it.
    for token in [&s.other_coordinator.access_token, &carla.access_token] {
        status(
            &post(
                &app,
                token,
                &answers,
                json!({"text": "Ich auch", "visibility": "public"}),
            )
            .await,
            403,
        );
    }
    status(
        &post(
            &app,
            coordinator,
            &answers,
            json!({"text": "x", "visibility": "internal", "publish": false}),
        )
        .await,
        422,
    );

    // Published: everyone reads it, and the author and Bernd (who asked) are told.
    let published = status(
        &app.json(
            Method::PATCH,
            &format!("{answers}/{draft_id}"),
            Some(coordinator),
            &[],
            &json!({"text": "Die Bank kommt im Mai.", "expected_on": "2027-05-15", "publish": true}),
        )
        .await,
        200,
    );
    assert!(published["published_at"].is_string());
    let public = status(&get(&app, &answers, None).await, 200);
    assert_eq!(public["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(public["items"][0]["text"], "Die Bank kommt im Mai.");
    assert_eq!(public["items"][0]["answered_by"]["name"], "Träger A");
    assert!(!public.to_string().contains("Grünflächenamt"));
    for address in ["anna@example.org", "bernd@example.org"] {
        let mail = sink.mail_with(address, "Antwort auf das Anliegen").await;
        assert!(
            mail.text().contains("Die Bank kommt im Mai."),
            "{}",
            mail.text()
        );
        assert!(mail.text().contains(&format!("/concerns/{id}")));
    }
    // Carla did not ask: once the queue is empty, she has no mail.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while app
        .count(
            "notifications",
            "kind = 'concern_answered' AND state = 'queued'",
        )
        .await
        > 0
    {
        assert!(std::time::Instant::now() < deadline, "mail still queued");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        sink.to("carla@example.org")
            .iter()
            .all(|m| !m.subject().starts_with("Antwort"))
    );
    assert_eq!(
        app.count("notifications", "kind = 'concern_answered'")
            .await,
        2
    );

    // A published answer never changes: the API says so, and the database refuses.
    let again = app
        .json(
            Method::PATCH,
            &format!("{answers}/{draft_id}"),
            Some(coordinator),
            &[],
            &json!({"text": "Doch erst im Juni."}),
        )
        .await;
    assert_eq!(status(&again, 409)["type"], "/problems/answer-published");
    let mut conn = app.conn().await;
    for sql in [
        format!("UPDATE concern_answers SET text = 'x' WHERE id = '{draft_id}'"),
        format!("DELETE FROM concern_answers WHERE id = '{draft_id}'"),
    ] {
        let refused =
            diesel_async::RunQueryDsl::execute(diesel::sql_query(sql.clone()), &mut conn).await;
        assert!(refused.is_err(), "{sql}");
    }
    let stored = app
        .texts(&format!(
            "SELECT text FROM concern_answers WHERE id = '{draft_id}'"
        ))
        .await;
    assert_eq!(stored, ["Die Bank kommt im Mai."]);
}

#[actix_web::test]
async fn a_referred_concern_is_answered_by_the_operator_it_was_handed_to() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let anna = app.signed_up("anna@example.org").await;
    let id = published(
        &app,
        &s,
        &anna,
        json!({"title": "Hof der Wohnanlage verwildert", "text": "Seit Monaten."}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let a = &s.coordinator.access_token;
    let b = &s.other_coordinator.access_token;
    for (body, field) in [
        (json!({"status": "referred"}), "refer_to"),
        (
            json!({"status": "accepted", "refer_to": s.other_operator}),
            "refer_to",
        ),
        (
            json!({"status": "referred", "refer_to": "00000000-0000-7000-8000-000000000000"}),
            "refer_to",
        ),
    ] {
        let refused = move_to(&app, a, &id, body).await;
        assert_eq!(status(&refused, 422)["errors"][0]["field"], field);
    }
    let referred = status(
        &move_to(
            &app,
            a,
            &id,
            json!({"status": "referred", "refer_to": s.other_operator}),
        )
        .await,
        200,
    );
    assert_eq!(referred["operator_id"], s.other_operator.as_str());
    // Operator B answers it now; operator A no longer does.
    let answers = format!("/api/v1/concerns/{id}/answers");
    let answer = json!({"text": "Wir kümmern uns.", "visibility": "public"});
    status(&post(&app, a, &answers, answer.clone()).await, 403);
    status(&post(&app, b, &answers, answer).await, 201);
    let queue_b = status(
        &get(
            &app,
            &format!("/api/v1/operators/{}/concerns", s.other_operator),
            Some(b),
        )
        .await,
        200,
    );
    assert_eq!(queue_b["items"][0]["id"], id.as_str());
    let queue_a = status(
        &get(
            &app,
            &format!("/api/v1/operators/{}/concerns", s.operator),
            Some(a),
        )
        .await,
        200,
    );
    assert_eq!(queue_a["items"], json!([]));
    // Its author finds it, the answer and her support in her export.
    let export = status(
        &get(&app, "/api/v1/me/export", Some(&anna.access_token)).await,
        200,
    );
    assert_eq!(export["concerns"][0]["id"], id.as_str());
    assert_eq!(export["concerns"][0]["status"], "referred");
    let staff_export = status(&get(&app, "/api/v1/me/export", Some(b)).await, 200);
    assert_eq!(
        staff_export["concern_answers_written"][0]["text"],
        "Wir kümmern uns."
    );
}

#[actix_web::test]
async fn what_came_of_a_concern_is_linked_by_those_who_answer_it() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let anna = app.signed_up("anna@example.org").await;
    let id = published(
        &app,
        &s,
        &anna,
        json!({"title": "Kein Treffpunkt für Jugendliche", "text": "Abends ist nichts los."}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let a = &s.coordinator.access_token;
    let start = (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%dT18:00:00")
        .to_string();
    let activity = quartier_tests::fixtures::created_id(
        &post(
            &app,
            a,
            "/api/v1/activities",
            quartier_tests::town::weekly(&s.centre, "Jugendtreff", &start, "FREQ=WEEKLY;COUNT=3"),
        )
        .await,
    );
    let occurrence = quartier_tests::town::occurrences(
        &app,
        None,
        &activity,
        chrono::Utc::now(),
        chrono::Utc::now() + chrono::Duration::days(30),
    )
    .await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let shift = quartier_tests::fixtures::shift(&app, &s, "Theke", 50, 2, json!({})).await;
    // The youth got a room on Saturday evenings.
    let room = quartier_tests::rooms::room(
        &app,
        &s,
        json!({"name": "Jugendraum", "capacity_seated": 25}),
    )
    .await;
    let booking = quartier_tests::fixtures::created_id(
        &quartier_tests::rooms::book(
            &app,
            a,
            &room,
            quartier_tests::rooms::local(5, 18, 0),
            quartier_tests::rooms::local(5, 22, 0),
            "operator",
        )
        .await,
    );
    let outcomes = format!("/api/v1/concerns/{id}/outcomes");
    for body in [
        json!({"kind": "activity", "target_id": activity, "note": "Jeden Freitag"}),
        json!({"kind": "occurrence", "target_id": occurrence}),
        json!({"kind": "shift", "target_id": shift}),
        json!({"kind": "room_booking", "target_id": booking, "note": "Samstags im Jugendraum"}),
        json!({"kind": "outside", "outside_ref": "Mängelmelder 2026-1234",
               "outside_url": "https://maengelmelder.example.org/2026-1234"}),
    ] {
        let linked = status(&post(&app, a, &outcomes, body.clone()).await, 201);
        assert_eq!(linked["kind"], body["kind"]);
        assert_eq!(linked["concern_id"], id.as_str());
        // Each target once.
        post(&app, a, &outcomes, body)
            .await
            .assert_problem(409, "outcome-linked");
    }
    let listed = status(&get(&app, &outcomes, None).await, 200);
    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), 5);
    assert_eq!(items[0]["target_id"], activity.as_str());
    assert_eq!(items[0]["note"], "Jeden Freitag");
    assert_eq!(items[3]["kind"], "room_booking");
    assert_eq!(items[3]["target_id"], booking.as_str());
    assert_eq!(items[4]["target_id"], Value::Null);
    assert_eq!(items[4]["outside_ref"], "Mängelmelder 2026-1234");

    // Wrong shapes, unknown targets: 422, nothing stored.
    for (body, field) in [
        (json!({"kind": "activity"}), "target_id"),
        (
            json!({"kind": "shift", "target_id": shift, "outside_ref": "x"}),
            "outside_ref",
        ),
        (json!({"kind": "outside"}), "outside_ref"),
        (
            json!({"kind": "outside", "outside_ref": "x", "outside_url": "javascript:alert(1)"}),
            "outside_url",
        ),
        (
            json!({"kind": "activity", "target_id": "00000000-0000-7000-8000-000000000000"}),
            "target_id",
        ),
        (json!({"kind": "shift", "target_id": activity}), "target_id"),
        (
            json!({"kind": "room_booking", "target_id": shift}),
            "target_id",
        ),
    ] {
        let refused = post(&app, a, &outcomes, body.clone()).await;
        assert_eq!(status(&refused, 422)["errors"][0]["field"], field, "{body}");
    }
    assert_eq!(
        app.count("concern_outcomes", &format!("concern_id = '{id}'"))
            .await,
        5
    );

    // The concern referred to operator B: B's coordinator answers it now, but cannot link
    // operator A's shift; A's coordinator answers it no longer.
    status(
        &move_to(
            &app,
            a,
            &id,
            json!({"status": "referred", "refer_to": s.other_operator}),
        )
        .await,
        200,
    );
    let b = &s.other_coordinator.access_token;
    let other_shift = quartier_tests::fixtures::shift(&app, &s, "Aufbau", 60, 2, json!({})).await;
    post(
        &app,
        b,
        &outcomes,
        json!({"kind": "shift", "target_id": other_shift}),
    )
    .await
    .assert_problem(403, "forbidden");
    post(
        &app,
        a,
        &outcomes,
        json!({"kind": "shift", "target_id": other_shift}),
    )
    .await
    .assert_problem(403, "forbidden");
    // Residents read but do not link; B takes the outside reference off.
    post(
        &app,
        &anna.access_token,
        &outcomes,
        json!({"kind": "outside", "outside_ref": "Meins"}),
    )
    .await
    .assert_problem(403, "forbidden");
    let outside = items[4]["id"].as_str().expect("id");
    let unlink = |token: String, path: String| {
        let app = &app;
        async move {
            let bearer = format!("Bearer {token}");
            app.send(
                Method::DELETE,
                &path,
                &[("authorization", bearer.as_str())],
                None,
            )
            .await
        }
    };
    unlink(a.clone(), format!("{outcomes}/{outside}"))
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(
        unlink(b.clone(), format!("{outcomes}/{outside}"))
            .await
            .status,
        204
    );
    unlink(b.clone(), format!("{outcomes}/{outside}"))
        .await
        .assert_problem(404, "not-found");
    assert_eq!(
        app.count("concern_outcomes", &format!("concern_id = '{id}'"))
            .await,
        4
    );
    // A shift that is removed takes its link along.
    {
        use diesel_async::RunQueryDsl;
        diesel::sql_query(format!("DELETE FROM shifts WHERE id = '{shift}'"))
            .execute(&mut app.conn().await)
            .await
            .expect("remove the shift");
    }
    assert_eq!(
        app.count("concern_outcomes", &format!("concern_id = '{id}'"))
            .await,
        3
    );
    // The coordinator finds the links she made (and that still stand) in her export.
    let export = status(&get(&app, "/api/v1/me/export", Some(a)).await, 200);
    assert_eq!(
        export["concern_outcomes_linked"].as_array().map(Vec::len),
        Some(3)
    );
}

#[actix_web::test]
async fn an_operators_system_answers_its_concerns_with_the_scope_concerns_write() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let category = category(&app, &s, "Wohnumfeld", true).await;
    let district = district(&app).await;
    let anna = app.signed_up("anna@example.org").await;
    let id = status(
        &raise(
            &app,
            &anna.access_token,
            json!({"category_id": category, "district_id": district,
                   "title": "Laterne kaputt", "text": "Seit einer Woche dunkel."}),
        )
        .await,
        201,
    )["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let key = api_key(&app, &s, &s.operator, json!(["concerns:write"])).await;
    let without = api_key(&app, &s, &s.operator, json!(["shifts:write"])).await;
    let theirs = api_key(&app, &s, &s.other_operator, json!(["concerns:write"])).await;
    let queue = format!("/api/v1/operators/{}/concerns", s.operator);
    let concern = format!("/api/v1/concerns/{id}");

    // The key of operator A with the scope sees the queue and the unpublished concern.
    let listed = status(&with_key(&app, &key, Method::GET, &queue, None).await, 200);
    assert_eq!(listed["items"][0]["id"], id.as_str());
    status(
        &with_key(&app, &key, Method::GET, &concern, None).await,
        200,
    );
    // Without the scope, or of another operator: not theirs.
    with_key(&app, &without, Method::GET, &queue, None)
        .await
        .assert_problem(403, "forbidden");
    with_key(&app, &theirs, Method::GET, &queue, None)
        .await
        .assert_problem(403, "forbidden");
    for other in [&without, &theirs] {
        with_key(&app, other, Method::GET, &concern, None)
            .await
            .assert_problem(404, "not-found");
    }

    // It publishes, answers and links; the others may not.
    let publish = json!({"status": "published"});
    let moves = format!("{concern}/status");
    with_key(&app, &without, Method::POST, &moves, Some(publish.clone()))
        .await
        .assert_problem(404, "not-found");
    let moved = status(
        &with_key(&app, &key, Method::POST, &moves, Some(publish)).await,
        200,
    );
    assert_eq!(moved["status"], "published");
    assert!(moved.get("supported").is_none(), "{moved}");
    let answer = json!({"text": "Die Stadtwerke sind informiert.", "visibility": "public"});
    let answers = format!("{concern}/answers");
    with_key(&app, &theirs, Method::POST, &answers, Some(answer.clone()))
        .await
        .assert_problem(403, "forbidden");
    status(
        &with_key(&app, &key, Method::POST, &answers, Some(answer)).await,
        201,
    );
    assert_eq!(
        app.count(
            "concern_answers",
            &format!(
                "concern_id = '{id}' AND author_id IS NULL AND operator_id = '{}'",
                s.operator
            )
        )
        .await,
        1
    );
    let outcome = json!({"kind": "outside", "outside_ref": "Störung 4711"});
    // A key that may not is told why.
    for (other, why) in [(&without, "concerns:write"), (&theirs, "another operator")] {
        let refused = with_key(
            &app,
            other,
            Method::POST,
            &format!("{concern}/outcomes"),
            Some(outcome.clone()),
        )
        .await;
        let detail = status(&refused, 403)["detail"].clone();
        assert!(detail.as_str().expect("detail").contains(why), "{detail}");
    }
    status(
        &with_key(
            &app,
            &key,
            Method::POST,
            &format!("{concern}/outcomes"),
            Some(outcome),
        )
        .await,
        201,
    );
    // A shift of operator A's centre is its to link too.
    let shift = quartier_tests::fixtures::shift(&app, &s, "Aufbau", 30, 2, json!({})).await;
    status(
        &with_key(
            &app,
            &key,
            Method::POST,
            &format!("{concern}/outcomes"),
            Some(json!({"kind": "shift", "target_id": shift})),
        )
        .await,
        201,
    );

    // It writes down a concern told by phone, never one of its own by `web`; it does not
    // support or withdraw, which are a person's.
    let told = json!({"category_id": category, "district_id": district, "channel": "phone",
                      "consent_on": chrono::Utc::now().date_naive(),
                      "title": "Bank fehlt", "text": "Anruf von Frau K."});
    let recorded = status(
        &with_key(
            &app,
            &key,
            Method::POST,
            "/api/v1/concerns",
            Some(told.clone()),
        )
        .await,
        201,
    );
    assert_eq!(recorded["channel"], "phone");
    assert_eq!(
        app.count(
            "concerns",
            &format!(
                "id = '{}' AND author_id IS NULL AND recorded_by IS NULL",
                recorded["id"].as_str().expect("id")
            )
        )
        .await,
        1
    );
    let mut own = told;
    own["channel"] = json!("web");
    own.as_object_mut().expect("object").remove("consent_on");
    with_key(&app, &key, Method::POST, "/api/v1/concerns", Some(own))
        .await
        .assert_problem(403, "forbidden");
    with_key(
        &app,
        &key,
        Method::PUT,
        &format!("{concern}/support"),
        Some(json!({})),
    )
    .await
    .assert_problem(403, "forbidden");
    let withdraw = json!({"status": "withdrawn"});
    with_key(&app, &key, Method::POST, &moves, Some(withdraw))
        .await
        .assert_problem(403, "forbidden");
}

#[actix_web::test]
async fn those_who_answer_reach_the_author_and_the_author_sees_each_read() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let anna = app.signed_up("anna@example.org").await;
    let concern = published(
        &app,
        &s,
        &anna,
        json!({"title": "Laternen im Park aus", "text": "Seit einer Woche dunkel."}),
    )
    .await;
    let id = concern["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/concerns/{id}/author-contact");
    let condition = format!(
        "action = 'concern.author_contact_read' AND object_id = '{id}' AND '{}' = ANY(subjects)",
        anna.id
    );
    let audited = || app.count("audit_events", &condition);

    // Residents, the author's neighbours and operator B's staff do not; nothing is audited.
    let bernd = app.signed_up("bernd@example.org").await;
    for token in [&bernd.access_token, &s.other_coordinator.access_token] {
        get(&app, &path, Some(token))
            .await
            .assert_problem(403, "forbidden");
    }
    get(&app, &path, None)
        .await
        .assert_problem(401, "unauthenticated");
    assert_eq!(audited().await, 0);

    // Operator A's coordinator and its system with concerns:write do, and each read is kept.
    let contact = status(
        &get(&app, &path, Some(&s.coordinator.access_token)).await,
        200,
    );
    assert_eq!(
        contact,
        json!({"user_id": anna.id, "display_name": "Test Person", "email": "anna@example.org",
               "language": "de"})
    );
    let key = api_key(&app, &s, &s.operator, json!(["concerns:write"])).await;
    status(&with_key(&app, &key, Method::GET, &path, None).await, 200);
    assert_eq!(audited().await, 2);

    // Anna finds both reads about her.
    let mine = status(
        &get(&app, "/api/v1/me/audit?limit=100", Some(&anna.access_token)).await,
        200,
    );
    let reads: Vec<&Value> = mine["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|item| item["action"] == "concern.author_contact_read")
        .collect();
    assert_eq!(reads.len(), 2, "{mine}");
    assert!(reads.iter().all(|item| item["object_id"] == id.as_str()));

    // A concern written down by staff has no author account to reach.
    let told = status(
        &raise(
            &app,
            &s.coordinator.access_token,
            json!({"category_id": concern["category"]["id"], "district_id": district(&app).await,
                   "channel": "visit", "consent_on": chrono::Utc::now().date_naive(),
                   "title": "Bank fehlt", "text": "Erzählt am Tresen."}),
        )
        .await,
        201,
    );
    let told_path = format!(
        "/api/v1/concerns/{}/author-contact",
        told["id"].as_str().expect("id")
    );
    get(&app, &told_path, Some(&s.coordinator.access_token))
        .await
        .assert_problem(404, "not-found");
    assert_eq!(audited().await, 2);
}

/// `PUT path` with `If-Match: *` as `token`.
async fn put_variant(app: &TestApp, token: &str, path: &str, body: Value) -> TestResponse {
    app.json(Method::PUT, path, Some(token), &[("if-match", "*")], &body)
        .await
}

#[actix_web::test]
async fn concerns_and_their_categories_are_read_in_the_neighbours_language() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let resident = app.signed_up("anna@example.org").await;
    let neighbour = app.signed_up("olena@example.org").await;
    let raised = published(
        &app,
        &s,
        &resident,
        json!({"title": "Sitzbank am Spielplatz fehlt", "text": "Die Bank wurde abgebaut."}),
    )
    .await;
    let id = raised["id"].as_str().expect("id").to_owned();
    let category_id = raised["category"]["id"]
        .as_str()
        .expect("category")
        .to_owned();
    assert_eq!(raised["content_language"]["tag"], "de");
    let path = format!("/api/v1/concerns/{id}");
    let variants = || app.count("translations", "concern_id IS NOT NULL");

    // Those who do not answer it write no variant: its author, a neighbour, another
    // operator's coordinator.
    let ukrainian = json!({"origin": "human", "texts": {
        "title": "Бракує лавки на дитячому майданчику", "text": "Лавку демонтували."}});
    for token in [
        &resident.access_token,
        &neighbour.access_token,
        &s.other_coordinator.access_token,
    ] {
        let refused = put_variant(
            &app,
            token,
            &format!("{path}/translations/uk"),
            ukrainian.clone(),
        )
        .await;
        assert_eq!(status(&refused, 403)["type"], "/problems/forbidden");
    }
    assert_eq!(variants().await, 0);
    let before = get(&app, &path, None).await;
    let etag = before.header("etag").expect("etag").to_owned();
    let stale = app
        .json(
            Method::PUT,
            &format!("{path}/translations/uk"),
            Some(&s.coordinator.access_token),
            &[("if-match", "\"999\"")],
            &ukrainian,
        )
        .await;
    status(&stale, 412);
    let written = app
        .json(
            Method::PUT,
            &format!("{path}/translations/uk"),
            Some(&s.coordinator.access_token),
            &[("if-match", &etag)],
            &ukrainian,
        )
        .await;
    assert_eq!(
        status(&written, 200)["public_fields"],
        json!(["text", "title"])
    );
    assert_ne!(written.header("etag"), Some(etag.as_str()));
    assert_eq!(variants().await, 2);

    // The category's name: administrators, and operator admins of the operator answering
    // it; not its coordinators.
    let category_path = format!("/api/v1/concern-categories/{category_id}");
    let name = json!({"origin": "human", "texts": {"name": "Дитячі майданчики"}});
    let by_coordinator = put_variant(
        &app,
        &s.coordinator.access_token,
        &format!("{category_path}/translations/uk"),
        name.clone(),
    )
    .await;
    status(&by_coordinator, 403);
    let boss = app.signed_up("boss@traeger-a.example").await;
    status(
        &post(
            &app,
            &s.admin.access_token,
            &format!("/api/v1/operators/{}/members", s.operator),
            json!({"email": "boss@traeger-a.example", "role": "operator_admin"}),
        )
        .await,
        201,
    );
    let by_boss = put_variant(
        &app,
        &boss.access_token,
        &format!("{category_path}/translations/uk"),
        name,
    )
    .await;
    status(&by_boss, 200);
    assert_eq!(
        app.count("translations", "concern_category_id IS NOT NULL")
            .await,
        1
    );

    // Read in Ukrainian: the concern, its category's name, in the list, in `similar`, and
    // the category itself; German for everyone else.
    let one = get(&app, &format!("{path}?lang=uk"), None).await;
    let body = status(&one, 200);
    assert_eq!(body["title"], "Бракує лавки на дитячому майданчику");
    assert_eq!(body["text"], "Лавку демонтували.");
    assert_eq!(body["category"]["name"], "Дитячі майданчики");
    assert_eq!(body["content_language"]["tag"], "uk");
    assert!(body.get("translations").is_none());
    assert_eq!(one.header("content-language"), Some("uk"));
    let german = status(&get(&app, &path, None).await, 200);
    assert_eq!(german["title"], "Sitzbank am Spielplatz fehlt");
    assert_eq!(german["content_language"]["tag"], "de");
    let list = app
        .send(
            Method::GET,
            "/api/v1/concerns",
            &[("accept-language", "uk, de;q=0.5")],
            None,
        )
        .await;
    assert_eq!(
        status(&list, 200)["items"][0]["title"],
        "Бракує лавки на дитячому майданчику"
    );
    assert!(
        list.headers
            .get_all("vary")
            .any(|v| v.to_str().is_ok_and(|v| v.contains("Accept-Language")))
    );
    let similar = status(
        &get(
            &app,
            "/api/v1/concerns/similar?title=Bank%20Spielplatz&lang=uk",
            None,
        )
        .await,
        200,
    );
    assert_eq!(
        similar["items"][0]["concern"]["title"],
        "Бракує лавки на дитячому майданчику"
    );
    let category = status(
        &get(&app, &format!("{category_path}?lang=uk"), None).await,
        200,
    );
    assert_eq!(category["name"], "Дитячі майданчики");
    let categories = status(
        &get(&app, "/api/v1/concern-categories?lang=uk", None).await,
        200,
    );
    assert!(
        categories["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|c| c["name"] == "Дитячі майданчики")
    );

    // Every variant only for those who answer it.
    status(
        &get(
            &app,
            &format!("{path}?all_languages=true"),
            Some(&neighbour.access_token),
        )
        .await,
        403,
    );
    let staff = status(
        &get(
            &app,
            &format!("{path}?all_languages=true"),
            Some(&s.coordinator.access_token),
        )
        .await,
        200,
    );
    assert_eq!(staff["translations"][0]["tag"], "uk");
    status(
        &get(&app, &format!("{category_path}?all_languages=true"), None).await,
        403,
    );

    // Bad input changes nothing.
    let too_long = put_variant(
        &app,
        &s.coordinator.access_token,
        &format!("{path}/translations/en"),
        json!({"origin": "human", "texts": {"text": "x".repeat(5001)}}),
    )
    .await;
    status(&too_long, 422);
    let german_tag = put_variant(
        &app,
        &s.coordinator.access_token,
        &format!("{path}/translations/de"),
        json!({"origin": "human", "texts": {"title": "Bank"}}),
    )
    .await;
    status(&german_tag, 422);
    let unknown = put_variant(
        &app,
        &s.coordinator.access_token,
        "/api/v1/concerns/00000000-0000-7000-8000-00000000dead/translations/en",
        json!({"origin": "human", "texts": {"title": "Bench"}}),
    )
    .await;
    status(&unknown, 404);
    assert_eq!(variants().await, 2);

    // Removed, readers get the words it was raised in again.
    let removed = app
        .send(
            Method::DELETE,
            &format!("{path}/translations/uk"),
            &[
                (
                    "authorization",
                    &format!("Bearer {}", s.coordinator.access_token),
                ),
                ("if-match", "*"),
            ],
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    assert_eq!(variants().await, 0);
    let back = status(&get(&app, &format!("{path}?lang=uk"), None).await, 200);
    assert_eq!(back["title"], "Sitzbank am Spielplatz fehlt");
    assert_eq!(back["category"]["name"], "Дитячі майданчики");
}

#[actix_web::test]
async fn a_concern_raised_in_turkish_keeps_its_words_and_staff_add_german() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let resident = app.signed_up("ayse@example.org").await;
    let title = "Oyun parkında bank yok";
    let text = "Bank söküldü, büyükanneler ayakta bekliyor.";
    // A language that is not enabled is refused, and nothing is raised.
    let body = json!({
        "category_id": category(&app, &s, "Spielplätze", false).await,
        "district_id": district(&app).await,
        "title": title, "text": text,
    });
    let mut klingon = body.clone();
    klingon["source_language"] = json!("tlh");
    let refused = raise(&app, &resident.access_token, klingon).await;
    assert_eq!(
        status(&refused, 422)["errors"][0]["field"],
        "source_language"
    );
    assert_eq!(app.count("concerns", "true").await, 0);

    let mut turkish = body.clone();
    turkish["source_language"] = json!("tr");
    let raised = status(&raise(&app, &resident.access_token, turkish).await, 201);
    let id = raised["id"].as_str().expect("id").to_owned();
    assert_eq!(raised["source_language"], "tr");
    assert_eq!(raised["content_language"]["tag"], "tr");
    assert_eq!(
        app.texts(&format!("SELECT language FROM concerns WHERE id = '{id}'"))
            .await,
        ["tr"]
    );
    let path = format!("/api/v1/concerns/{id}");

    // Before anyone writes German, every reader gets her words, labelled Turkish.
    for wish in ["", "de", "en"] {
        let read = app
            .send(Method::GET, &path, &[("accept-language", wish)], None)
            .await;
        let body = status(&read, 200);
        assert_eq!(body["title"], title, "{wish}");
        assert_eq!(body["content_language"]["tag"], "tr", "{wish}");
        assert_eq!(body["content_language"]["fallback_fields"], json!([]));
        assert_eq!(read.header("content-language"), Some("tr"), "{wish}");
    }

    // A Turkish variant of Turkish words is refused; German is what staff add.
    let same = put_variant(
        &app,
        &s.coordinator.access_token,
        &format!("{path}/translations/tr"),
        json!({"origin": "human", "texts": {"title": "Bank yok"}}),
    )
    .await;
    assert_eq!(status(&same, 422)["errors"][0]["field"], "path.tag");
    assert_eq!(app.count("translations", "concern_id IS NOT NULL").await, 0);
    let german = put_variant(
        &app,
        &s.coordinator.access_token,
        &format!("{path}/translations/de"),
        json!({"origin": "human", "texts": {"title": "Sitzbank am Spielplatz fehlt"}}),
    )
    .await;
    assert_eq!(status(&german, 200)["public_fields"], json!(["title"]));

    // German readers, and those whose language it has no text in, now read German with the
    // text left in Turkish; Turkish readers read her words.
    for wish in ["", "de", "en"] {
        let read = app
            .send(Method::GET, &path, &[("accept-language", wish)], None)
            .await;
        let body = status(&read, 200);
        assert_eq!(body["title"], "Sitzbank am Spielplatz fehlt", "{wish}");
        assert_eq!(body["text"], text, "{wish}");
        assert_eq!(body["source_language"], "tr");
        assert_eq!(body["content_language"]["tag"], "de", "{wish}");
        assert_eq!(body["content_language"]["fallback_fields"], json!(["text"]));
    }
    let in_turkish = status(&get(&app, &format!("{path}?lang=tr"), None).await, 200);
    assert_eq!(in_turkish["title"], title);
    assert_eq!(in_turkish["content_language"]["tag"], "tr");
    // The list serves German by default, too.
    let list = status(&get(&app, "/api/v1/concerns", None).await, 200);
    assert_eq!(list["items"][0]["title"], "Sitzbank am Spielplatz fehlt");

    // The database keeps the rule whatever the API does: no Turkish variant of a Turkish
    // concern, and a concern keeps its language.
    let mut conn = app.conn().await;
    use diesel_async::RunQueryDsl;
    let turkish_variant = diesel::sql_query(format!(
        "INSERT INTO translations (concern_id, field, tag, text, origin, source_md5, search) \
         VALUES ('{id}', 'title', 'tr', 'Bank yok', 'human', md5(''), ''::tsvector)"
    ))
    .execute(&mut conn)
    .await;
    assert!(
        turkish_variant.as_ref().is_err_and(|e| e
            .to_string()
            .contains("the language its owner is written in")),
        "{turkish_variant:?}"
    );
    let relabelled = diesel::sql_query(format!(
        "UPDATE concerns SET language = 'de' WHERE id = '{id}'"
    ))
    .execute(&mut conn)
    .await;
    assert!(
        relabelled.as_ref().is_err_and(|e| e
            .to_string()
            .contains("keeps the language it was raised in")),
        "{relabelled:?}"
    );
    assert_eq!(app.count("translations", "concern_id IS NOT NULL").await, 1);
}

#[actix_web::test]
async fn a_category_refers_its_new_concerns_to_its_partner_at_once() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = &s.admin.access_token;
    let partner = status(
        &post(
            &app,
            admin,
            "/api/v1/partners",
            json!({"name": "Wohnungsgesellschaft Nord", "kind": "housing_company"}),
        )
        .await,
        201,
    )["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let refused = post(
        &app,
        admin,
        "/api/v1/concern-categories",
        json!({"name": "Innenhöfe", "kind": "problem",
               "partner_id": "00000000-0000-7000-8000-00000000dead"}),
    )
    .await;
    assert_eq!(status(&refused, 422)["errors"][0]["field"], "partner_id");
    assert_eq!(app.count("concern_categories", "true").await, 0);
    let made = status(
        &post(
            &app,
            admin,
            "/api/v1/concern-categories",
            json!({"name": "Innenhöfe", "kind": "problem", "operator_id": s.operator,
                   "partner_id": partner, "needs_moderation": false}),
        )
        .await,
        201,
    );
    assert_eq!(made["partner_id"], partner.as_str());
    let resident = app.signed_up("anna@example.org").await;
    let raised = status(
        &raise(
            &app,
            &resident.access_token,
            json!({"category_id": made["id"], "district_id": district(&app).await,
                   "title": "Müll im Hof", "text": "Die Tonnen quellen über."}),
        )
        .await,
        201,
    );
    assert_eq!(raised["partner_id"], partner.as_str());
    assert_eq!(raised["operator_id"], s.operator.as_str());
    // It is in the partner's queue from the start.
    let queue = status(
        &get(
            &app,
            &format!("/api/v1/partners/{partner}/concerns"),
            Some(admin),
        )
        .await,
        200,
    );
    assert_eq!(queue["items"][0]["id"], raised["id"]);
}

#[actix_web::test]
async fn staff_limited_to_some_centres_answer_only_the_concerns_about_those() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = s.admin.access_token.as_str();
    let moderated = category(&app, &s, "Wohnumfeld", true).await;
    let district = district(&app).await;
    let office = status(
        &post(
            &app,
            admin,
            "/api/v1/centres",
            json!({
                "operator_id": s.operator, "district_id": district, "name": "Stadtteilbüro",
                "kind": "district_office",
                "address": {"street": "Hafenstraße 2", "postcode": "44135", "town": "Musterstadt"},
                "position": {"latitude": 51.5, "longitude": 7.41},
            }),
        )
        .await,
        201,
    )["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let limited = app.signed_up("buero@example.org").await;
    status(
        &post(
            &app,
            admin,
            &format!("/api/v1/operators/{}/members", s.operator),
            json!({"email": "buero@example.org", "role": "coordinator", "centre_ids": [office]}),
        )
        .await,
        201,
    );
    let anna = app.signed_up("anna@example.org").await;
    let mut ids = Vec::new();
    for (title, centre) in [
        ("Am Büro fehlt eine Rampe", Some(office.as_str())),
        ("Im Bürgerhaus zieht es", Some(s.centre.as_str())),
        ("Zu wenig Bänke im Viertel", None),
    ] {
        let raised = raise(
            &app,
            &anna.access_token,
            json!({"category_id": moderated, "district_id": district, "title": title,
                   "text": "Bitte ansehen.", "centre_id": centre}),
        )
        .await;
        ids.push(status(&raised, 201)["id"].as_str().expect("id").to_owned());
    }

    // Her queue holds the concern about her centre; the operator's unlimited staff see all.
    let queue = format!("/api/v1/operators/{}/concerns", s.operator);
    let hers = status(&get(&app, &queue, Some(&limited.access_token)).await, 200);
    let listed: Vec<&str> = hers["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(listed, [ids[0].as_str()]);
    let all = status(
        &get(&app, &queue, Some(&s.coordinator.access_token)).await,
        200,
    );
    assert_eq!(all["items"].as_array().map(Vec::len), Some(3));

    // She reads and publishes the one about her centre; the others are not hers to see
    // (unpublished) or move.
    status(
        &get(
            &app,
            &format!("/api/v1/concerns/{}", ids[0]),
            Some(&limited.access_token),
        )
        .await,
        200,
    );
    status(
        &move_to(
            &app,
            &limited.access_token,
            &ids[0],
            json!({"status": "published"}),
        )
        .await,
        200,
    );
    for other in &ids[1..] {
        get(
            &app,
            &format!("/api/v1/concerns/{other}"),
            Some(&limited.access_token),
        )
        .await
        .assert_problem(404, "not-found");
        move_to(
            &app,
            &limited.access_token,
            other,
            json!({"status": "published"}),
        )
        .await
        .assert_problem(404, "not-found");
    }
    // Once published by her colleague, she reads it but still does not answer it.
    status(
        &move_to(
            &app,
            &s.coordinator.access_token,
            &ids[1],
            json!({"status": "published"}),
        )
        .await,
        200,
    );
    move_to(
        &app,
        &limited.access_token,
        &ids[1],
        json!({"status": "in_review"}),
    )
    .await
    .assert_problem(403, "forbidden");
    assert_eq!(
        app.texts(&format!(
            "SELECT status FROM concerns WHERE id IN ('{}', '{}', '{}') ORDER BY created_at",
            ids[0], ids[1], ids[2]
        ))
        .await,
        ["published", "published", "submitted"]
    );
}
