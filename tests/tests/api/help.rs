//! Neighbourly help over HTTP: a need asked for, a helper who volunteers or is proposed,
//! both saying yes before contacts pass, places never held twice however many say yes at
//! once, childcare only with a valid police certificate, requests recorded by staff only
//! with consent, expiry, the helper's own cap, withdrawal and erasure.

use actix_web::http::Method;
use chrono::{Duration, Utc};
use futures_util::future::join_all;
use quartier_tests::fixtures::{api_key, join, with_key};
use quartier_tests::{Setup, SmtpSink, TestApp, TestResponse, TestUser, id_of, patch, post, setup};
use serde_json::{Value, json};

const POLICE: &str = "00000000-0000-7000-8000-000000000001";

fn text(response: &TestResponse) -> String {
    String::from_utf8_lossy(&response.body).into_owned()
}

/// A request body at the setup's centre: `mode`, `category`, a window from tomorrow for
/// two hours, and whatever `extra` adds.
fn request_body(s: &Setup, mode: &str, category: &str, extra: Value) -> Value {
    let start = Utc::now() + Duration::days(1);
    let mut body = json!({
        "centre_id": s.centre, "kind": "need", "category": category, "mode": mode,
        "summary": "Begleitung zum Arzttermin",
        "details": "Praxis Dr. Berg, Hausnummer 12, 3. Stock ohne Aufzug",
        "window_starts_at": start, "window_ends_at": start + Duration::hours(2),
        "position": {"latitude": 51.5136, "longitude": 7.4653},
    });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            body.insert(key.clone(), value.clone());
        }
    }
    body
}

/// A request made by `token`; its id.
async fn asked(app: &TestApp, token: &str, body: Value) -> String {
    let made = post(app, token, "/api/v1/help-requests", body).await;
    assert_eq!(made.status, 201, "{}", text(&made));
    id_of(&made)
}

/// `action` (`accept`, `decline`, `complete`, `no-show`) on the match `id`, with `token`.
async fn step(app: &TestApp, token: &str, id: &str, action: &str) -> TestResponse {
    post(
        app,
        token,
        &format!("/api/v1/help-matches/{id}/{action}"),
        json!(null),
    )
    .await
}

/// The one with `token` offers to help with the direct request `id`.
async fn volunteer(app: &TestApp, token: &str, id: &str) -> TestResponse {
    post(
        app,
        token,
        &format!("/api/v1/help-requests/{id}/volunteer"),
        json!(null),
    )
    .await
}

fn contains(response: &TestResponse, needle: &str) -> bool {
    text(response).contains(needle)
}

#[actix_web::test]
async fn a_helper_volunteers_both_say_yes_and_only_then_see_each_others_contact() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let resident = app.signed_up("anna@example.org").await;
    let helper = app.signed_up("bert@example.org").await;
    let id = asked(
        &app,
        &resident.access_token,
        request_body(&s, "direct", "accompaniment", json!({})),
    )
    .await;

    // The public list: what, where roughly, when; never who, the details or the point.
    let list = app.get("/api/v1/help-requests", None).await;
    assert_eq!(list.status, 200, "{}", text(&list));
    let item = &list.json()["items"][0];
    assert_eq!(item["id"], id.as_str());
    assert_eq!(item["summary"], "Begleitung zum Arzttermin");
    assert_eq!(item["places_left"], 1);
    let cell = item["grid_cell"].as_str().expect("a cell");
    assert!(cell.starts_with("CRS3035RES500mN"), "{cell}");
    for hidden in [
        "Dr. Berg",
        "anna@example.org",
        "7.4653",
        "51.5136",
        "person_id",
    ] {
        assert!(!contains(&list, hidden), "{hidden} in {}", text(&list));
    }
    let one = app.get(&format!("/api/v1/help-requests/{id}"), None).await;
    assert_eq!(one.status, 200);
    assert!(!contains(&one, "Dr. Berg"));

    // She offers: she holds the place; nobody's contact yet.
    let offered = volunteer(&app, &helper.access_token, &id).await;
    assert_eq!(offered.status, 201, "{}", text(&offered));
    assert_eq!(offered.json()["status"], "accepted_by_helper");
    assert_eq!(offered.json()["contact"], Value::Null);
    let matched_id = id_of(&offered);
    let mut before_both: Vec<TestResponse> = vec![offered];
    // A second offer of hers is refused; the requester herself cannot help.
    let again = volunteer(&app, &helper.access_token, &id).await;
    again.assert_problem(409, "help-already-matched");
    let own = volunteer(&app, &resident.access_token, &id).await;
    own.assert_problem(422, "help-own-request");
    for token in [&resident.access_token, &helper.access_token] {
        before_both.push(
            app.get(&format!("/api/v1/help-requests/{id}"), Some(token))
                .await,
        );
        before_both.push(
            app.get(&format!("/api/v1/help-matches/{matched_id}"), Some(token))
                .await,
        );
        before_both.push(app.get("/api/v1/me/help", Some(token)).await);
    }
    // The requester does not learn who she is yet; a helper who volunteered reads the
    // public summary only, until the requester agrees.
    assert!(contains(&before_both[1], "Dr. Berg"));
    assert_eq!(
        before_both[1].json()["matches"][0]["helper_id"],
        Value::Null
    );
    assert_eq!(before_both[4].status, 200);
    assert!(
        !contains(&before_both[4], "Dr. Berg"),
        "{}",
        text(&before_both[4])
    );
    assert!(
        !contains(&before_both[6], "Dr. Berg"),
        "{}",
        text(&before_both[6])
    );
    // Staff do not say yes for a resident with an account: her yes passes her contact.
    step(&app, &s.coordinator.access_token, &matched_id, "accept")
        .await
        .assert_problem(403, "forbidden");
    // The helper said her yes already; the requester's is not hers to give.
    let not_hers = step(&app, &helper.access_token, &matched_id, "accept").await;
    not_hers.assert_problem(409, "help-step-not-allowed");
    for response in &before_both {
        for email in ["anna@example.org", "bert@example.org"] {
            assert!(!contains(response, email), "{email} in {}", text(response));
        }
    }

    // The requester says yes: both see the other's contact, the staff do not.
    let yes = step(&app, &resident.access_token, &matched_id, "accept").await;
    assert_eq!(yes.status, 200, "{}", text(&yes));
    assert_eq!(yes.json()["status"], "matched");
    assert_eq!(yes.json()["contact"]["email"], "bert@example.org");
    let seen = app
        .get(
            &format!("/api/v1/help-matches/{matched_id}"),
            Some(&helper.access_token),
        )
        .await;
    assert_eq!(seen.json()["contact"]["email"], "anna@example.org");
    let details = app
        .get(
            &format!("/api/v1/help-requests/{id}"),
            Some(&helper.access_token),
        )
        .await;
    assert_eq!(
        details.json()["details"],
        "Praxis Dr. Berg, Hausnummer 12, 3. Stock ohne Aufzug"
    );
    let staff = app
        .get(
            &format!("/api/v1/help-matches/{matched_id}"),
            Some(&s.coordinator.access_token),
        )
        .await;
    assert_eq!(staff.status, 200, "{}", text(&staff));
    assert_eq!(staff.json()["helper_id"], helper.id.as_str());
    assert!(!contains(&staff, "@example.org"), "{}", text(&staff));
    let request = app
        .get(
            &format!("/api/v1/help-requests/{id}"),
            Some(&resident.access_token),
        )
        .await;
    assert_eq!(request.json()["status"], "matched");
    // Matched, it leaves the public list and the public view.
    let list = app.get("/api/v1/help-requests", None).await;
    assert_eq!(list.json()["items"], json!([]));
    app.get(&format!("/api/v1/help-requests/{id}"), None)
        .await
        .assert_problem(404, "not-found");

    // The help happened: the request is done, contacts no longer pass.
    let done = step(&app, &helper.access_token, &matched_id, "complete").await;
    assert_eq!(done.status, 200, "{}", text(&done));
    assert_eq!(done.json()["status"], "completed");
    assert_eq!(done.json()["contact"], Value::Null);
    let mine = app
        .get("/api/v1/me/help", Some(&resident.access_token))
        .await;
    assert_eq!(mine.json()["requests"][0]["status"], "done");
    let helping = app.get("/api/v1/me/help", Some(&helper.access_token)).await;
    assert_eq!(helping.json()["helping"][0]["match"]["status"], "completed");
    assert_eq!(
        app.texts(&format!(
            "SELECT kind FROM outbox_events WHERE subject_id = '{id}' ORDER BY created_at"
        ))
        .await,
        [
            "help_request.created",
            "help_request.matched",
            "help_request.done"
        ]
    );
    // Events carry no person: no ids of theirs, no details.
    let payloads = app
        .texts(&format!(
            "SELECT payload::text FROM outbox_events WHERE subject_id = '{id}'"
        ))
        .await;
    for payload in payloads {
        for hidden in [resident.id.as_str(), helper.id.as_str(), "Dr. Berg"] {
            assert!(!payload.contains(hidden), "{payload}");
        }
    }
    // Each side heard of the other's steps.
    assert_eq!(
        app.count(
            "notifications",
            &format!("kind = 'help_match' AND user_id = '{}'", resident.id)
        )
        .await,
        1,
        "the helper's yes"
    );
    assert_eq!(
        app.count(
            "notifications",
            &format!("kind = 'help_match' AND user_id = '{}'", helper.id)
        )
        .await,
        1,
        "both agreed"
    );
}

#[actix_web::test]
async fn helpers_saying_yes_at_once_to_a_one_helper_request_end_with_one_place_held() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let resident = app.signed_up("anna@example.org").await;
    let mut helpers = Vec::new();
    for n in 0..8 {
        helpers.push(app.signed_up(&format!("helfer{n}@example.org")).await);
    }

    // Mediated: staff propose all eight, all eight say yes at once.
    let mediated = asked(
        &app,
        &resident.access_token,
        request_body(&s, "mediated", "errand", json!({})),
    )
    .await;
    let mut proposals = Vec::new();
    for helper in &helpers {
        let proposed = post(
            &app,
            &s.coordinator.access_token,
            &format!("/api/v1/help-requests/{mediated}/matches"),
            json!({"helper_id": helper.id}),
        )
        .await;
        assert_eq!(proposed.status, 201, "{}", text(&proposed));
        assert_eq!(proposed.json()["status"], "proposed");
        proposals.push(id_of(&proposed));
    }
    // A helper does not volunteer for a mediated request.
    post(
        &app,
        &app.signed_up("eve@example.org").await.access_token,
        &format!("/api/v1/help-requests/{mediated}/volunteer"),
        json!(null),
    )
    .await
    .assert_problem(409, "help-mediated");
    let accept_paths: Vec<String> = proposals
        .iter()
        .map(|proposal| format!("/api/v1/help-matches/{proposal}/accept"))
        .collect();
    let answers = join_all(
        helpers
            .iter()
            .zip(&accept_paths)
            .map(|(helper, path)| post(&app, &helper.access_token, path, json!(null))),
    )
    .await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    for answer in answers.iter().filter(|a| a.status != 200) {
        answer.assert_problem(409, "help-request-full");
    }
    let holding = format!("request_id = '{mediated}' AND status = 'accepted_by_helper'");
    assert_eq!(app.count("help_matches", &holding).await, 1);
    assert_eq!(
        app.count(
            "help_requests",
            &format!("id = '{mediated}' AND helpers_holding = 1")
        )
        .await,
        1
    );

    // Direct: eight volunteer at once.
    let direct = asked(
        &app,
        &resident.access_token,
        request_body(&s, "direct", "errand", json!({})),
    )
    .await;
    let offers = join_all(
        helpers
            .iter()
            .map(|helper| volunteer(&app, &helper.access_token, &direct)),
    )
    .await;
    let statuses: Vec<u16> = offers.iter().map(|a| a.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    for offer in offers.iter().filter(|o| o.status != 201) {
        offer.assert_problem(409, "help-request-full");
    }
    assert_eq!(
        app.count("help_matches", &format!("request_id = '{direct}'"))
            .await,
        1,
        "a refused offer leaves no row"
    );

    // The one who holds the place declines: it is free again for another.
    let holder = offers
        .iter()
        .position(|o| o.status == 201)
        .expect("one offer");
    let declined = post(
        &app,
        &helpers[holder].access_token,
        &format!("/api/v1/help-matches/{}/decline", id_of(&offers[holder])),
        json!(null),
    )
    .await;
    assert_eq!(declined.status, 200, "{}", text(&declined));
    let next = (holder + 1) % helpers.len();
    let taken = volunteer(&app, &helpers[next].access_token, &direct).await;
    assert_eq!(taken.status, 201, "{}", text(&taken));
    assert_eq!(
        app.count(
            "help_requests",
            &format!("id = '{direct}' AND helpers_holding = 1")
        )
        .await,
        1
    );
}

/// `volunteer` declares her police certificate, helps the setup's operator, and its
/// coordinator records the inspection, expiring on `expires_on`.
async fn certified(app: &TestApp, s: &Setup, volunteer: &TestUser, expires_on: chrono::NaiveDate) {
    post(
        app,
        &volunteer.access_token,
        "/api/v1/me/qualifications",
        json!({"type_id": POLICE, "issued_on": (Utc::now() - Duration::days(400)).date_naive()}),
    )
    .await;
    join(app, &volunteer.access_token, &s.operator).await;
    let checked = post(
        app,
        &s.coordinator.access_token,
        &format!("/api/v1/operators/{}/qualification-checks", s.operator),
        json!({"user_id": volunteer.id, "type_id": POLICE,
               "issued_on": (Utc::now() - Duration::days(400)).date_naive(),
               "expires_on": expires_on}),
    )
    .await;
    assert_eq!(checked.status, 201, "{}", text(&checked));
}

#[actix_web::test]
async fn childcare_takes_only_helpers_with_a_police_certificate_valid_through_its_window() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let parent = app.signed_up("eltern@example.org").await;
    let start = Utc::now() + Duration::days(10);
    let childcare = asked(
        &app,
        &parent.access_token,
        request_body(
            &s,
            "direct",
            "childcare",
            json!({"summary": "Kinderbetreuung am Nachmittag",
                   "window_starts_at": start, "window_ends_at": start + Duration::hours(3)}),
        ),
    )
    .await;
    let shown = app
        .get(&format!("/api/v1/help-requests/{childcare}"), None)
        .await;
    assert_eq!(
        shown.json()["qualification_type_id"],
        POLICE,
        "the certificate by default"
    );

    let without = app.signed_up("ohne@example.org").await;
    volunteer(&app, &without.access_token, &childcare)
        .await
        .assert_problem(422, "qualification-missing");
    // One whose certificate runs out before the window's day is not qualified either.
    let lapsing = app.signed_up("bald@example.org").await;
    certified(&app, &s, &lapsing, (start - Duration::days(2)).date_naive()).await;
    volunteer(&app, &lapsing.access_token, &childcare)
        .await
        .assert_problem(422, "qualification-missing");
    // Staff cannot propose her either.
    let mediated = asked(
        &app,
        &parent.access_token,
        request_body(&s, "mediated", "childcare", json!({})),
    )
    .await;
    post(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/help-requests/{mediated}/matches"),
        json!({"helper_id": without.id}),
    )
    .await
    .assert_problem(422, "qualification-missing");
    assert_eq!(app.count("help_matches", "true").await, 0);

    let valid = app.signed_up("gueltig@example.org").await;
    certified(&app, &s, &valid, (start + Duration::days(365)).date_naive()).await;
    let offered = volunteer(&app, &valid.access_token, &childcare).await;
    assert_eq!(offered.status, 201, "{}", text(&offered));

    // An offer of childcare: the one offering gives the help, so she must hold the
    // certificate; whoever takes the offer up need not.
    let offer = |who: &TestUser| {
        let token = who.access_token.clone();
        let body = request_body(
            &s,
            "direct",
            "childcare",
            json!({"kind": "offer", "summary": "Ich betreue Kinder am Samstag",
                   "window_starts_at": start, "window_ends_at": start + Duration::hours(3)}),
        );
        let app = &app;
        async move { post(app, &token, "/api/v1/help-requests", body).await }
    };
    offer(&without)
        .await
        .assert_problem(422, "qualification-missing");
    let offered = offer(&valid).await;
    assert_eq!(offered.status, 201, "{}", text(&offered));
    let taken_up = post(
        &app,
        &without.access_token,
        &format!("/api/v1/help-requests/{}/volunteer", id_of(&offered)),
        json!(null),
    )
    .await;
    assert_eq!(taken_up.status, 201, "{}", text(&taken_up));
}

#[actix_web::test]
async fn staff_record_a_request_for_someone_only_with_the_day_of_her_consent() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let recorded_for = |consent: Value| {
        request_body(
            &s,
            "mediated",
            "visit",
            json!({"recorded_for": {"name": "Frau Yılmaz", "phone": "0231 123456", "consent_on": consent}}),
        )
    };
    let without = post(
        &app,
        &s.coordinator.access_token,
        "/api/v1/help-requests",
        recorded_for(Value::Null),
    )
    .await;
    without.assert_problem(422, "validation-failed");
    assert_eq!(without.problem_fields(), ["recorded_for.consent_on"]);
    let future = post(
        &app,
        &s.coordinator.access_token,
        "/api/v1/help-requests",
        recorded_for(json!((Utc::now() + Duration::days(2)).date_naive())),
    )
    .await;
    assert_eq!(future.problem_fields(), ["recorded_for.consent_on"]);
    // A resident records for nobody; another operator's staff neither.
    let resident = app.signed_up("anna@example.org").await;
    for token in [&resident.access_token, &s.other_coordinator.access_token] {
        post(
            &app,
            token,
            "/api/v1/help-requests",
            recorded_for(json!(Utc::now().date_naive())),
        )
        .await
        .assert_problem(403, "forbidden");
    }
    assert_eq!(app.count("help_requests", "true").await, 0);

    let made = post(
        &app,
        &s.coordinator.access_token,
        "/api/v1/help-requests",
        recorded_for(json!(Utc::now().date_naive())),
    )
    .await;
    assert_eq!(made.status, 201, "{}", text(&made));
    assert_eq!(made.json()["requester"], "recorded");
    assert!(!contains(&made, "0231 123456"), "no contact in the request");
    let id = id_of(&made);
    // Her phone passes to the helper both agree on, and to nobody before.
    let helper = app.signed_up("bert@example.org").await;
    let proposed = post(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/help-requests/{id}/matches"),
        json!({"helper_id": helper.id}),
    )
    .await;
    let matched = id_of(&proposed);
    // Staff chose her: she reads the details to decide; one who declines reads no more.
    let chosen = app
        .get(
            &format!("/api/v1/help-requests/{id}"),
            Some(&helper.access_token),
        )
        .await;
    assert!(contains(&chosen, "Dr. Berg"), "{}", text(&chosen));
    let other = app.signed_up("olga@example.org").await;
    let second = id_of(
        &post(
            &app,
            &s.coordinator.access_token,
            &format!("/api/v1/help-requests/{id}/matches"),
            json!({"helper_id": other.id}),
        )
        .await,
    );
    let no = step(&app, &other.access_token, &second, "decline").await;
    assert_eq!(no.status, 200, "{}", text(&no));
    let after_no = app
        .get(
            &format!("/api/v1/help-requests/{id}"),
            Some(&other.access_token),
        )
        .await;
    assert_eq!(after_no.status, 200);
    assert_eq!(after_no.json()["details"], Value::Null);
    let accepted = step(&app, &helper.access_token, &matched, "accept").await;
    assert_eq!(accepted.json()["status"], "accepted_by_helper");
    assert!(!contains(&accepted, "0231 123456"));
    // Staff say yes for her (she told them on the phone).
    let yes = step(&app, &s.coordinator.access_token, &matched, "accept").await;
    assert_eq!(yes.json()["status"], "matched");
    assert!(!contains(&yes, "0231 123456"), "staff see no contact");
    let helping = app.get("/api/v1/me/help", Some(&helper.access_token)).await;
    assert_eq!(
        helping.json()["helping"][0]["match"]["contact"],
        json!({"name": "Frau Yılmaz", "email": null, "phone": "0231 123456"})
    );

    // An operator's system records too, with help:write.
    let key = api_key(&app, &s, &s.operator, json!(["help:write"])).await;
    let by_key = with_key(
        &app,
        &key,
        Method::POST,
        "/api/v1/help-requests",
        Some(recorded_for(json!(Utc::now().date_naive()))),
    )
    .await;
    assert_eq!(by_key.status, 201, "{}", text(&by_key));
    let reader = api_key(&app, &s, &s.operator, json!(["reports:read"])).await;
    with_key(
        &app,
        &reader,
        Method::POST,
        "/api/v1/help-requests",
        Some(recorded_for(json!(Utc::now().date_naive()))),
    )
    .await
    .assert_problem(403, "forbidden");
    // A key records only for someone.
    with_key(
        &app,
        &key,
        Method::POST,
        "/api/v1/help-requests",
        Some(request_body(&s, "mediated", "visit", json!({}))),
    )
    .await
    .assert_problem(403, "forbidden");
    let listed = with_key(
        &app,
        &key,
        Method::GET,
        &format!("/api/v1/centres/{}/help-requests?status=open", s.centre),
        None,
    )
    .await;
    assert_eq!(listed.status, 200, "{}", text(&listed));
    assert_eq!(listed.json()["items"].as_array().map(Vec::len), Some(1));
}

#[actix_web::test]
async fn expired_requests_leave_the_public_list_and_their_proposals_end() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let resident = app.signed_up("anna@example.org").await;
    let helper = app.signed_up("bert@example.org").await;
    let expiring = asked(
        &app,
        &resident.access_token,
        request_body(&s, "mediated", "technology", json!({})),
    )
    .await;
    let staying = asked(
        &app,
        &resident.access_token,
        request_body(&s, "mediated", "lending", json!({})),
    )
    .await;
    let proposed = post(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/help-requests/{expiring}/matches"),
        json!({"helper_id": helper.id}),
    )
    .await;
    let proposal = id_of(&proposed);
    let mut conn = app.conn().await;
    use diesel_async::RunQueryDsl;
    diesel::sql_query(format!(
        "UPDATE help_requests SET created_at = now() - interval '15 days', \
         expires_at = now() - interval '1 minute' WHERE id = '{expiring}'"
    ))
    .execute(&mut conn)
    .await
    .expect("expired");
    drop(conn);
    let ids: Vec<String> = app.get("/api/v1/help-requests", None).await.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(ids, std::slice::from_ref(&staying), "gone before any sweep");
    // Its helper can no longer say yes.
    step(&app, &helper.access_token, &proposal, "accept")
        .await
        .assert_problem(409, "help-request-closed");

    let expired = quartier_api::retention::expire_help_requests(&app.pool, Utc::now())
        .await
        .expect("swept");
    assert_eq!(expired, 1);
    let mine = app
        .get(
            &format!("/api/v1/help-requests/{expiring}"),
            Some(&resident.access_token),
        )
        .await;
    assert_eq!(mine.json()["status"], "expired");
    assert_eq!(mine.json()["matches"][0]["status"], "cancelled");
    assert_eq!(
        app.count(
            "outbox_events",
            &format!("kind = 'help_request.expired' AND subject_id = '{expiring}'")
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "help_requests",
            &format!("id = '{staying}' AND status = 'open'")
        )
        .await,
        1
    );
    // A matched request nobody followed up ends two weeks after its window; contacts stop.
    let matched_request = asked(
        &app,
        &resident.access_token,
        request_body(&s, "direct", "errand", json!({})),
    )
    .await;
    let offered = volunteer(&app, &helper.access_token, &matched_request).await;
    let agreed = id_of(&offered);
    step(&app, &resident.access_token, &agreed, "accept").await;
    let mut conn = app.conn().await;
    diesel::sql_query(format!(
        "UPDATE help_requests SET window_starts_at = now() - interval '16 days', \
         window_ends_at = now() - interval '15 days' WHERE id = '{matched_request}'"
    ))
    .execute(&mut conn)
    .await
    .expect("long past");
    drop(conn);
    assert_eq!(
        quartier_api::retention::expire_help_requests(&app.pool, Utc::now())
            .await
            .expect("swept"),
        1
    );
    let ended = app
        .get(
            &format!("/api/v1/help-matches/{agreed}"),
            Some(&helper.access_token),
        )
        .await;
    assert_eq!(ended.json()["status"], "cancelled");
    assert_eq!(ended.json()["contact"], Value::Null);
    // A second sweep finds nothing.
    assert_eq!(
        quartier_api::retention::expire_help_requests(&app.pool, Utc::now())
            .await
            .expect("swept"),
        0
    );
    // The private details of an ended request go with the guest period; those of a request
    // still open stay.
    let later = Utc::now() + Duration::days(i64::from(app.settings.retention.guest_days) + 1);
    let swept = quartier_api::retention::sweep(&app.pool, &app.settings.retention, later)
        .await
        .expect("retention");
    assert_eq!(swept.help_details_dropped, 2);
    assert_eq!(
        app.count("help_requests", "details IS NOT NULL").await,
        1,
        "the open one keeps them"
    );
    assert_eq!(
        app.count(
            "help_requests",
            &format!("id = '{staying}' AND details IS NOT NULL")
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn a_helper_s_own_monthly_cap_holds_and_bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let resident = app.signed_up("anna@example.org").await;
    let helper = app.signed_up("bert@example.org").await;
    let capped = patch(
        &app,
        &helper.access_token,
        "/api/v1/me/profile",
        json!({"max_help_per_month": 1}),
    )
    .await;
    assert_eq!(capped.status, 200, "{}", text(&capped));
    let start = Utc::now() + Duration::days(40);
    let at = |hours: i64| {
        json!({"window_starts_at": start + Duration::hours(hours),
               "window_ends_at": start + Duration::hours(hours + 1)})
    };
    let first = asked(
        &app,
        &resident.access_token,
        request_body(&s, "direct", "errand", at(0)),
    )
    .await;
    let second = asked(
        &app,
        &resident.access_token,
        request_body(&s, "direct", "errand", at(2)),
    )
    .await;
    let offer = |id: String| {
        let token = helper.access_token.clone();
        let app = &app;
        async move {
            post(
                app,
                &token,
                &format!("/api/v1/help-requests/{id}/volunteer"),
                json!(null),
            )
            .await
        }
    };
    assert_eq!(offer(first).await.status, 201);
    offer(second).await.assert_problem(409, "help-cap-reached");

    let before = app.count("help_requests", "true").await;
    for (body, field) in [
        (
            request_body(&s, "direct", "errand", json!({"summary": "x".repeat(201)})),
            "summary",
        ),
        (
            request_body(&s, "direct", "errand", json!({"helpers_needed": 11})),
            "helpers_needed",
        ),
        (
            request_body(
                &s,
                "direct",
                "errand",
                json!({"window_ends_at": Utc::now() - Duration::days(400),
                                                         "window_starts_at": Utc::now() - Duration::days(401)}),
            ),
            "window_ends_at",
        ),
        (
            request_body(
                &s,
                "direct",
                "errand",
                json!({"window_starts_at": "1970-01-01T00:00:00Z"}),
            ),
            "window_starts_at",
        ),
        (
            request_body(
                &s,
                "direct",
                "errand",
                json!({"expires_at": Utc::now() + Duration::days(91)}),
            ),
            "expires_at",
        ),
        (
            request_body(
                &s,
                "direct",
                "errand",
                json!({"position": {"latitude": -33.9, "longitude": 151.2}}),
            ),
            "position",
        ),
        (
            request_body(
                &s,
                "direct",
                "errand",
                json!({"position": {"latitude": 25.0, "longitude": -35.0}}),
            ),
            "position",
        ),
        (
            request_body(
                &s,
                "direct",
                "errand",
                json!({"centre_id": "00000000-0000-7000-8000-00000000dead"}),
            ),
            "centre_id",
        ),
    ] {
        let refused = post(&app, &resident.access_token, "/api/v1/help-requests", body).await;
        refused.assert_problem(422, "validation-failed");
        assert!(
            refused.problem_fields().iter().any(|f| f == field),
            "{field}: {}",
            text(&refused)
        );
    }
    let wrong_type = post(
        &app,
        &resident.access_token,
        "/api/v1/help-requests",
        request_body(&s, "direct", "gardening", json!({})),
    )
    .await;
    assert!(
        matches!(wrong_type.status, 400 | 422),
        "{}",
        text(&wrong_type)
    );
    assert_eq!(app.count("help_requests", "true").await, before);
    app.get(
        "/api/v1/help-requests/00000000-0000-7000-8000-00000000dead",
        None,
    )
    .await
    .assert_problem(404, "not-found");
}

#[actix_web::test]
async fn withdrawing_and_erasure_end_what_is_going_and_keep_only_what_reports_count() {
    let sink = SmtpSink::start();
    let app = TestApp::mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    let resident = app.signed_up("anna@example.org").await;
    let helper = app.signed_up("bert@example.org").await;
    let id = asked(
        &app,
        &resident.access_token,
        request_body(&s, "mediated", "small_repair", json!({"helpers_needed": 2})),
    )
    .await;
    let proposed = post(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/help-requests/{id}/matches"),
        json!({"helper_id": helper.id}),
    )
    .await;
    assert_eq!(proposed.status, 201, "{}", text(&proposed));
    // The proposal reaches the helper by mail, with no contact of anyone.
    let mail = sink.mail_with("bert@example.org", "Anfrage an Sie").await;
    assert!(
        mail.text().contains("Begleitung zum Arzttermin"),
        "{}",
        mail.text()
    );
    assert!(!mail.text().contains("anna@example.org"));
    let proposal = id_of(&proposed);
    step(&app, &helper.access_token, &proposal, "accept").await;
    // A helper does not withdraw the request; another resident does not see it to.
    post(
        &app,
        &helper.access_token,
        &format!("/api/v1/help-requests/{id}/withdraw"),
        json!(null),
    )
    .await
    .assert_problem(403, "forbidden");
    let other = app.signed_up("carla@example.org").await;
    post(
        &app,
        &other.access_token,
        &format!("/api/v1/help-requests/{id}/withdraw"),
        json!(null),
    )
    .await
    .assert_problem(404, "not-found");
    let withdrawn = post(
        &app,
        &resident.access_token,
        &format!("/api/v1/help-requests/{id}/withdraw"),
        json!(null),
    )
    .await;
    assert_eq!(withdrawn.status, 200, "{}", text(&withdrawn));
    assert_eq!(withdrawn.json()["status"], "withdrawn");
    assert_eq!(withdrawn.json()["matches"][0]["status"], "cancelled");
    assert_eq!(
        app.count(
            "help_requests",
            &format!("id = '{id}' AND helpers_holding = 0")
        )
        .await,
        1
    );
    sink.mail_with("bert@example.org", "Beendet").await;
    post(
        &app,
        &resident.access_token,
        &format!("/api/v1/help-requests/{id}/withdraw"),
        json!(null),
    )
    .await
    .assert_problem(409, "help-request-closed");

    // Erasure: her open request is withdrawn and keeps category, district and dates; a
    // helper's live match is declined and the request looks for another.
    let open = asked(
        &app,
        &resident.access_token,
        request_body(&s, "direct", "visit", json!({})),
    )
    .await;
    let other_request = asked(
        &app,
        &other.access_token,
        request_body(&s, "direct", "errand", json!({})),
    )
    .await;
    let offered = volunteer(&app, &resident.access_token, &other_request).await;
    assert_eq!(offered.status, 201);
    let agreed = post(
        &app,
        &other.access_token,
        &format!("/api/v1/help-matches/{}/accept", id_of(&offered)),
        json!(null),
    )
    .await;
    assert_eq!(agreed.json()["status"], "matched");
    let exported = app
        .get("/api/v1/me/export", Some(&resident.access_token))
        .await;
    assert_eq!(exported.status, 200, "{}", text(&exported));
    assert_eq!(
        exported.json()["help"]["requests"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        exported.json()["help"]["helping"].as_array().map(Vec::len),
        Some(1)
    );
    let erased = app
        .json(
            Method::DELETE,
            "/api/v1/me",
            Some(&resident.access_token),
            &[],
            &json!({"password": resident.password}),
        )
        .await;
    assert_eq!(erased.status, 200, "{}", text(&erased));
    assert_eq!(
        app.texts(&format!(
            "SELECT status || ' ' || summary || ' ' || coalesce(details, '-') || ' ' || \
                    coalesce(person_id::text, '-') || ' ' || coalesce(grid_cell, '-') \
             FROM help_requests WHERE id = '{open}'"
        ))
        .await,
        ["withdrawn Besuch und Gespräch - - -"]
    );
    assert_eq!(
        app.count(
            "help_requests",
            &format!("id = '{id}' AND details IS NULL AND category = 'small_repair'")
        )
        .await,
        1
    );
    assert_eq!(
        app.texts(&format!(
            "SELECT status || ' ' || coalesce(helper_id::text, '-') FROM help_matches WHERE request_id = '{other_request}'"
        ))
        .await,
        ["declined -"]
    );
    // The requester hears that her helper is gone; her request looks for another.
    assert_eq!(
        app.count(
            "notifications",
            &format!(
                "kind = 'help_match' AND user_id = '{}' AND details LIKE '%\"declined\"%'",
                other.id
            )
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "help_requests",
            &format!("id = '{other_request}' AND status = 'open' AND helpers_holding = 0")
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn a_guest_asks_confirms_by_mail_and_says_yes_to_her_helper_with_her_link() {
    let sink = SmtpSink::start();
    let app = TestApp::mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    let email = "gerda.gast@example.org";
    let guest = |request: Value| {
        json!({"name": "Gerda Gast", "email": email, "privacy_policy_version": "2026-11",
               "request": request})
    };
    // The request's own faults are named as its fields; staff's recording is not hers.
    let refused = app
        .post(
            "/api/v1/guest-help-requests",
            &guest(request_body(
                &s,
                "mediated",
                "errand",
                json!({"helpers_needed": 0,
                       "recorded_for": {"name": "X", "consent_on": Utc::now().date_naive()}}),
            )),
        )
        .await;
    refused.assert_problem(422, "validation-failed");
    let mut fields = refused.problem_fields();
    fields.sort();
    assert_eq!(fields, ["request.helpers_needed", "request.recorded_for"]);
    assert_eq!(app.count("help_request_drafts", "true").await, 0);

    let asked = app
        .post(
            "/api/v1/guest-help-requests",
            &guest(request_body(&s, "mediated", "errand", json!({}))),
        )
        .await;
    assert_eq!(asked.status, 202, "{}", text(&asked));
    assert_eq!(
        app.count("help_requests", "true").await,
        0,
        "nothing before she confirms"
    );
    let waiting = app
        .texts("SELECT draft::text FROM help_request_drafts")
        .await;
    assert!(
        waiting[0].contains("CRS3035RES500mN") && !waiting[0].contains("51.5136"),
        "only the cell waits: {waiting:?}"
    );
    let mail = sink
        .mail_with(email, "Bitte bestätigen: Ihre Nachbarschaftshilfe")
        .await;
    assert!(mail.text().contains("Hallo Gerda Gast"), "{}", mail.text());
    assert!(mail.text().contains("Bürgerhaus"), "{}", mail.text());
    let token = mail.token("guest-help-requests/confirm");
    let confirmed = app
        .post(
            "/api/v1/guest-help-requests/confirm",
            &json!({ "token": token }),
        )
        .await;
    assert_eq!(confirmed.status, 201, "{}", text(&confirmed));
    let id = id_of(&confirmed);
    app.post(
        "/api/v1/guest-help-requests/confirm",
        &json!({ "token": token }),
    )
    .await
    .assert_problem(422, "link-invalid");
    assert_eq!(app.count("help_requests", "true").await, 1);

    // Staff propose a helper, she says yes; the guest hears of it by mail.
    let helper = app.signed_up("bert@example.org").await;
    let proposed = post(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/help-requests/{id}/matches"),
        json!({"helper_id": helper.id}),
    )
    .await;
    let matched = id_of(&proposed);
    let accepted = step(&app, &helper.access_token, &matched, "accept").await;
    assert_eq!(accepted.status, 200, "{}", text(&accepted));
    sink.mail_with(email, "Jemand möchte helfen").await;

    assert_eq!(
        app.post("/api/v1/guest/links", &json!({ "email": email }))
            .await
            .status,
        202
    );
    let link = sink
        .mail_with(email, "Ihre Anmeldungen bei Quartier")
        .await
        .token("guest");
    let as_guest = |method: Method, path: String| {
        let app = &app;
        let link = link.clone();
        async move {
            app.send(method, &path, &[("x-guest-token", &link)], None)
                .await
        }
    };
    let mine = as_guest(Method::GET, "/api/v1/guest/help".into()).await;
    assert_eq!(mine.status, 200, "{}", text(&mine));
    assert_eq!(
        mine.json()["requests"][0]["matches"][0]["status"],
        "accepted_by_helper"
    );
    assert!(!contains(&mine, "bert@example.org"));
    // She writes to the helper before she says yes.
    let wrote = app
        .send(
            Method::POST,
            &format!("/api/v1/guest/help-matches/{matched}/messages"),
            &[("x-guest-token", &link)],
            Some((
                "application/json",
                br#"{"body": "Wann passt es Ihnen?"}"#.to_vec(),
            )),
        )
        .await;
    assert_eq!(wrote.status, 201, "{}", text(&wrote));
    assert_eq!(wrote.json()["sender"], "requester");
    let yes = as_guest(
        Method::POST,
        format!("/api/v1/guest/help-matches/{matched}/accept"),
    )
    .await;
    assert_eq!(yes.status, 200, "{}", text(&yes));
    assert_eq!(yes.json()["contact"]["email"], "bert@example.org");
    // The helper reaches her by the address she gave.
    let helping = app.get("/api/v1/me/help", Some(&helper.access_token)).await;
    assert_eq!(
        helping.json()["helping"][0]["match"]["contact"]["email"],
        email
    );
    assert_eq!(
        helping.json()["helping"][0]["match"]["contact"]["name"],
        "Gerda Gast"
    );
    // Another's request is not hers to withdraw; her own is.
    let anna = app.signed_up("anna@example.org").await;
    let annas = asked_by(&app, &anna, &s).await;
    as_guest(
        Method::POST,
        format!("/api/v1/guest/help-requests/{annas}/withdraw"),
    )
    .await
    .assert_problem(404, "not-found");
    let withdrawn = as_guest(
        Method::POST,
        format!("/api/v1/guest/help-requests/{id}/withdraw"),
    )
    .await;
    assert_eq!(withdrawn.status, 200, "{}", text(&withdrawn));
    assert_eq!(withdrawn.json()["status"], "withdrawn");
    let exported = as_guest(Method::GET, "/api/v1/guest/export".into()).await;
    assert_eq!(exported.json()["help"]["requests"][0]["id"], id.as_str());
}

async fn asked_by(app: &TestApp, who: &TestUser, s: &Setup) -> String {
    asked(
        app,
        &who.access_token,
        request_body(s, "mediated", "other", json!({})),
    )
    .await
}

#[actix_web::test]
async fn reports_count_requests_matches_and_help_given_by_district_and_kind_of_help() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let residents = [
        app.signed_up("anna@example.org").await,
        app.signed_up("carla@example.org").await,
    ];
    let helpers = [
        app.signed_up("bert@example.org").await,
        app.signed_up("dora@example.org").await,
    ];
    // Errands: three asked, two matched, one of them helped with; a visit: asked, withdrawn.
    let mut errands = Vec::new();
    for n in 0..3 {
        errands.push(
            asked(
                &app,
                &residents[n % 2].access_token,
                request_body(&s, "direct", "errand", json!({})),
            )
            .await,
        );
    }
    let visit = asked(
        &app,
        &residents[0].access_token,
        request_body(&s, "direct", "visit", json!({})),
    )
    .await;
    post(
        &app,
        &residents[0].access_token,
        &format!("/api/v1/help-requests/{visit}/withdraw"),
        json!(null),
    )
    .await;
    for (n, helper) in helpers.iter().enumerate() {
        let request = &errands[n];
        let offered = volunteer(&app, &helper.access_token, request).await;
        let matched = id_of(&offered);
        let requester = &residents[n % 2];
        let yes = step(&app, &requester.access_token, &matched, "accept").await;
        assert_eq!(yes.status, 200, "{}", text(&yes));
        if n == 0 {
            let done = step(&app, &requester.access_token, &matched, "complete").await;
            assert_eq!(done.status, 200, "{}", text(&done));
        }
    }

    let today = Utc::now().date_naive();
    let report = app
        .get(
            &format!(
                "/api/v1/reports/indicators?from={}&to={}&group_by=district,help_category\
                 &indicators=help_requests,help_matched,help_completed",
                today - Duration::days(30),
                today
            ),
            Some(&s.coordinator.access_token),
        )
        .await;
    assert_eq!(report.status, 200, "{}", text(&report));
    let body = report.json();
    let rows: Vec<(String, Vec<Value>)> = body["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            assert_eq!(row["district"]["name"], "Nordstadt");
            (
                row["help_category"].as_str().expect("a kind").to_owned(),
                row["values"]
                    .as_array()
                    .expect("values")
                    .iter()
                    .map(|v| v["value"].clone())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "errand".to_owned(),
                vec![json!(3.0), json!(2.0), json!(1.0)]
            ),
            ("visit".to_owned(), vec![json!(1.0), json!(0.0), json!(0.0)]),
        ]
    );
    // Filtered to one kind, as CSV.
    let csv = app
        .get(
            &format!(
                "/api/v1/reports/indicators?from={}&to={}&group_by=help_category\
                 &indicators=help_requests&help_category=visit&format=csv",
                today - Duration::days(30),
                today
            ),
            Some(&s.coordinator.access_token),
        )
        .await;
    assert_eq!(csv.status, 200, "{}", text(&csv));
    assert!(
        text(&csv).contains("help_category,help_requests"),
        "{}",
        text(&csv)
    );
    assert!(text(&csv).contains("visit,1"), "{}", text(&csv));
    // An activity's category is no kind of help: the help figures do not apply to it.
    let by_activity = app
        .get(
            &format!(
                "/api/v1/reports/indicators?from={}&to={}&group_by=category&indicators=help_requests",
                today - Duration::days(30),
                today
            ),
            Some(&s.coordinator.access_token),
        )
        .await;
    assert_eq!(
        by_activity.json()["not_applicable"],
        json!(["help_requests"])
    );
    // Erasing a resident keeps the figures.
    let erased = app
        .json(
            Method::DELETE,
            "/api/v1/me",
            Some(&residents[1].access_token),
            &[],
            &json!({"password": residents[1].password}),
        )
        .await;
    assert_eq!(erased.status, 200, "{}", text(&erased));
    let again = app
        .get(
            &format!(
                "/api/v1/reports/indicators?from={}&to={}&indicators=help_requests,help_matched,help_completed",
                today - Duration::days(30),
                today
            ),
            Some(&s.coordinator.access_token),
        )
        .await;
    let values: Vec<Value> = again.json()["rows"][0]["values"]
        .as_array()
        .expect("values")
        .iter()
        .map(|v| v["value"].clone())
        .collect();
    assert_eq!(values, [json!(4.0), json!(2.0), json!(1.0)]);
}

#[actix_web::test]
async fn a_requester_erased_while_her_helpers_say_yes_leaves_nothing_half_done() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let resident = app.signed_up("anna@example.org").await;
    let mut helpers = Vec::new();
    for n in 0..6 {
        helpers.push(app.signed_up(&format!("helfer{n}@example.org")).await);
    }
    let id = asked(
        &app,
        &resident.access_token,
        request_body(&s, "mediated", "errand", json!({"helpers_needed": 3})),
    )
    .await;
    let mut proposals = Vec::new();
    for helper in &helpers {
        let proposed = post(
            &app,
            &s.coordinator.access_token,
            &format!("/api/v1/help-requests/{id}/matches"),
            json!({"helper_id": helper.id}),
        )
        .await;
        proposals.push(id_of(&proposed));
    }
    // Erased straight in the database (no password hashing before it), so that the
    // erasure's transaction and the helpers' steps overlap.
    let resident_id: uuid::Uuid = resident.id.parse().expect("an id");
    let erase = async {
        let mut conn = app.conn().await;
        quartier_persistence::privacy::erase_account(&mut conn, resident_id, Utc::now()).await
    };
    let yeses = join_all(
        helpers
            .iter()
            .zip(&proposals)
            .map(|(helper, proposal)| step(&app, &helper.access_token, proposal, "accept")),
    );
    let (erased, yeses) = tokio::join!(erase, yeses);
    assert!(matches!(erased, Ok(Ok(_))), "{erased:?}");
    for yes in &yeses {
        assert!(
            matches!(yes.status, 200 | 409),
            "{}: {}",
            yes.status,
            text(yes)
        );
    }
    // Whatever came first, the request ended withdrawn, with no place held and no match
    // going, and names nobody.
    assert_eq!(
        app.texts(&format!(
            "SELECT status || ' ' || helpers_holding || ' ' || coalesce(person_id::text, '-') \
             FROM help_requests WHERE id = '{id}'"
        ))
        .await,
        ["withdrawn 0 -"]
    );
    assert_eq!(
        app.count(
            "help_matches",
            &format!(
                "request_id = '{id}' AND status IN ('proposed', 'accepted_by_helper', 'matched')"
            )
        )
        .await,
        0
    );
}

#[actix_web::test]
async fn the_two_sides_write_to_each_other_through_quartier_before_they_agree() {
    let sink = SmtpSink::start();
    let app = TestApp::mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    let resident = app.signed_up("anna@example.org").await;
    let helper = app.signed_up("bert@example.org").await;
    let id = asked(
        &app,
        &resident.access_token,
        request_body(&s, "direct", "technology", json!({})),
    )
    .await;
    let matched = id_of(&volunteer(&app, &helper.access_token, &id).await);
    let path = format!("/api/v1/help-matches/{matched}/messages");

    let asked_back = post(
        &app,
        &helper.access_token,
        &path,
        json!({"body": "Welches Gerät ist es denn?\nIch kenne mich mit Android aus."}),
    )
    .await;
    assert_eq!(asked_back.status, 201, "{}", text(&asked_back));
    assert_eq!(asked_back.json()["sender"], "helper");
    // It reaches the requester by mail, with no address of the helper in it.
    let mail = sink.mail_with("anna@example.org", "Nachricht zu").await;
    assert!(
        mail.text().contains("Welches Gerät ist es denn?"),
        "{}",
        mail.text()
    );
    assert!(!mail.text().contains("bert@example.org"));
    let answered = post(
        &app,
        &resident.access_token,
        &path,
        json!({"body": "Ein Tablet, es startet nicht mehr."}),
    )
    .await;
    assert_eq!(answered.status, 201, "{}", text(&answered));
    assert_eq!(answered.json()["sender"], "requester");
    sink.mail_with("bert@example.org", "Nachricht zu").await;

    // Both sides and the centre's staff read them, oldest first; nobody else.
    for token in [
        &resident.access_token,
        &helper.access_token,
        &s.coordinator.access_token,
    ] {
        let read = app.get(&path, Some(token)).await;
        assert_eq!(read.status, 200, "{}", text(&read));
        let senders: Vec<String> = read
            .json()
            .as_array()
            .expect("a list")
            .iter()
            .map(|m| m["sender"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(senders, ["helper", "requester"]);
        assert!(!contains(&read, "@example.org"));
    }
    let stranger = app.signed_up("carla@example.org").await;
    app.get(&path, Some(&stranger.access_token))
        .await
        .assert_problem(404, "not-found");
    // Staff write only for someone they recorded; a message is 1 to 1000 characters.
    post(
        &app,
        &s.coordinator.access_token,
        &path,
        json!({"body": "Hallo"}),
    )
    .await
    .assert_problem(403, "forbidden");
    for bad in [json!({"body": "  "}), json!({"body": "x".repeat(1001)})] {
        post(&app, &helper.access_token, &path, bad)
            .await
            .assert_problem(422, "validation-failed");
    }
    assert_eq!(app.count("help_messages", "true").await, 2);
    let mine = app
        .get("/api/v1/me/help", Some(&resident.access_token))
        .await;
    assert_eq!(mine.json()["messages"].as_array().map(Vec::len), Some(2));

    // Once the match is over, nobody writes on it.
    assert_eq!(
        step(&app, &resident.access_token, &matched, "decline")
            .await
            .status,
        200
    );
    post(
        &app,
        &helper.access_token,
        &path,
        json!({"body": "Schade."}),
    )
    .await
    .assert_problem(409, "help-step-not-allowed");
    assert_eq!(app.count("help_messages", "true").await, 2);
}
