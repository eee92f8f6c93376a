//! Trust between operators: a verification belongs to the operator whose staff made it, no
//! operator changes another's, a shift accepts those of its own operator and of operators it
//! trusts, staff vouch only for volunteers who came to them (within their centre limits),
//! and one volunteer's racing sign-ups resolve at once.

use actix_web::http::Method;
use chrono::{Duration, Utc};
use futures_util::future::join_all;
use quartier_tests::{Setup, TestApp, TestUser, id_of, join, post, setup, shift, sign_up};
use serde_json::{Value, json};

const POLICE: &str = "00000000-0000-7000-8000-000000000001";

/// A centre of `operator`, made by the administrator, in the set-up district.
async fn centre(app: &TestApp, s: &Setup, operator: &str, name: &str) -> String {
    let districts = app.get("/api/v1/districts", None).await.json();
    let district = districts["items"][0]["id"].as_str().expect("a district");
    id_of(
        &post(
            app,
            &s.admin.access_token,
            "/api/v1/centres",
            json!({
                "operator_id": operator, "district_id": district, "name": name,
                "kind": "community_house",
                "address": {"street": "Marktplatz 2", "postcode": "44135", "town": "Musterstadt"},
                "position": {"latitude": 51.5, "longitude": 7.4},
            }),
        )
        .await,
    )
}

/// A shift at `centre` made by the administrator, `hours` from now, needing the police
/// certificate.
async fn police_shift(app: &TestApp, s: &Setup, centre: &str, hours: i64) -> String {
    let starts_at = Utc::now() + Duration::hours(hours);
    id_of(
        &post(
            app,
            &s.admin.access_token,
            "/api/v1/shifts",
            json!({"centre_id": centre, "title": "Spielgruppe", "capacity": 5,
                   "starts_at": starts_at, "ends_at": starts_at + Duration::hours(2),
                   "required_qualifications": [POLICE]}),
        )
        .await,
    )
}

fn checks(operator: &str) -> String {
    format!("/api/v1/operators/{operator}/qualification-checks")
}

/// Staff with `token` record that they inspected `volunteer`'s police certificate for
/// `operator`, issued `issued_days` ago and expiring on `expires_on` (the type's five years
/// when none). The answer as sent.
async fn check(
    app: &TestApp,
    token: &str,
    operator: &str,
    volunteer: &str,
    issued_days: i64,
    expires_on: Option<chrono::NaiveDate>,
) -> quartier_tests::TestResponse {
    let mut body = json!({"user_id": volunteer, "type_id": POLICE,
                          "issued_on": (Utc::now() - Duration::days(issued_days)).date_naive()});
    if let Some(expires_on) = expires_on {
        body["expires_on"] = json!(expires_on);
    }
    post(app, token, &checks(operator), body).await
}

/// The volunteer declares her police certificate and says she helps each of `operators`.
async fn declare_to(app: &TestApp, volunteer: &TestUser, operators: &[&str]) {
    id_of(
        &post(
            app,
            &volunteer.access_token,
            "/api/v1/me/qualifications",
            json!({"type_id": POLICE, "issued_on": (Utc::now() - Duration::days(400)).date_naive()}),
        )
        .await,
    );
    for operator in operators {
        join(app, &volunteer.access_token, operator).await;
    }
}

async fn send(app: &TestApp, method: Method, path: &str, token: &str) -> u16 {
    app.send(
        method,
        path,
        &[("authorization", &format!("Bearer {token}"))],
        None,
    )
    .await
    .status
}

/// The verifications as the database holds them, by operator.
async fn stored(app: &TestApp, volunteer: &str) -> Vec<String> {
    app.texts(&format!(
        "SELECT operator_id::text || ' ' || issued_on::text || ' ' || coalesce(expires_on::text, '-') \
         || ' v' || version::text FROM qualification_verifications \
         WHERE user_id = '{volunteer}' ORDER BY operator_id"
    ))
    .await
}

#[actix_web::test]
async fn two_operators_verifications_coexist_and_neither_can_change_the_others() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let helga = app.signed_up("helga@example.org").await;
    declare_to(&app, &helga, &[&s.operator, &s.other_operator]).await;
    let a = &s.coordinator.access_token;
    let b = &s.other_coordinator.access_token;

    let by_a = check(&app, a, &s.operator, &helga.id, 400, None).await;
    assert_eq!(by_a.status, 201, "{}", String::from_utf8_lossy(&by_a.body));
    let by_a = by_a.json();
    assert_eq!(by_a["operator"]["id"], s.operator.as_str());
    assert_eq!(by_a["status"], "valid");
    // B records an expired one: it is B's own and leaves A's alone.
    let yesterday = (Utc::now() - Duration::days(1)).date_naive();
    let by_b = check(&app, b, &s.other_operator, &helga.id, 2000, Some(yesterday)).await;
    assert_eq!(by_b.status, 201);
    assert_eq!(by_b.json()["status"], "expired");
    let both = stored(&app, &helga.id).await;
    assert_eq!(both.len(), 2, "{both:?}");

    // B's staff record again, revoke or read through their own operator only: A's
    // verification stays as it was.
    let a_row = |rows: &[String]| {
        rows.iter()
            .find(|r| r.starts_with(&s.operator))
            .cloned()
            .expect("A's verification")
    };
    let before = a_row(&both);
    assert_eq!(
        check(&app, b, &s.other_operator, &helga.id, 10, None)
            .await
            .status,
        201
    );
    let a_id = by_a["id"].as_str().expect("id");
    assert_eq!(
        send(
            &app,
            Method::DELETE,
            &format!("{}/{a_id}", checks(&s.other_operator)),
            b
        )
        .await,
        404
    );
    assert_eq!(
        check(&app, b, &s.operator, &helga.id, 10, None)
            .await
            .status,
        403
    );
    let seen_by_b = app
        .get(
            &format!("{}?user_id={}", checks(&s.other_operator), helga.id),
            Some(b),
        )
        .await
        .json();
    assert_eq!(seen_by_b.as_array().expect("list").len(), 1);
    assert_eq!(seen_by_b[0]["operator"]["id"], s.other_operator.as_str());
    let after = stored(&app, &helga.id).await;
    assert_eq!(after.len(), 2);
    assert_eq!(a_row(&after), before);
    assert!(
        after
            .iter()
            .any(|r| r.starts_with(&s.other_operator) && r.ends_with("v2")),
        "{after:?}"
    );

    // Helga sees both verifications and every record and change in her audit trail.
    let mine = app
        .get("/api/v1/me/qualifications", Some(&helga.access_token))
        .await
        .json();
    let operators: Vec<&str> = mine[0]["verifications"]
        .as_array()
        .expect("verifications")
        .iter()
        .map(|v| v["operator"]["id"].as_str().expect("operator"))
        .collect();
    assert_eq!(operators.len(), 2);
    assert!(operators.contains(&s.operator.as_str()));
    assert!(operators.contains(&s.other_operator.as_str()));
    assert_eq!(mine[0]["status"], "valid");
    let audit = app
        .get("/api/v1/me/audit", Some(&helga.access_token))
        .await
        .json();
    let mut actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        [
            "qualification.verification_changed",
            "qualification.verified",
            "qualification.verified"
        ]
    );

    // Her withdrawal takes every operator's verification with it.
    let id = mine[0]["id"].as_str().expect("id");
    assert_eq!(
        send(
            &app,
            Method::DELETE,
            &format!("/api/v1/me/qualifications/{id}"),
            &helga.access_token
        )
        .await,
        204
    );
    assert!(stored(&app, &helga.id).await.is_empty());
}

#[actix_web::test]
async fn a_shift_accepts_the_verifications_of_its_operator_and_of_those_it_trusts() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let centre_b = centre(&app, &s, &s.other_operator, "Gemeindehaus").await;
    let at_a = police_shift(&app, &s, &s.centre, 48).await;
    let at_b = police_shift(&app, &s, &centre_b, 96).await;
    let helga = app.signed_up("helga@example.org").await;
    declare_to(&app, &helga, &[&s.operator]).await;
    assert_eq!(
        check(
            &app,
            &s.coordinator.access_token,
            &s.operator,
            &helga.id,
            400,
            None
        )
        .await
        .status,
        201
    );

    // A's verification counts at A, not at B; B's search does not offer B's shift to her.
    sign_up(&app, &helga.access_token, &at_b)
        .await
        .assert_problem(422, "qualification-missing");
    let window = format!(
        "from={}&to={}",
        Utc::now().format("%Y-%m-%dT%H:%M:%SZ"),
        (Utc::now() + Duration::days(7)).format("%Y-%m-%dT%H:%M:%SZ")
    );
    let eligible = app
        .get(
            &format!("/api/v1/shifts?{window}&eligible=true"),
            Some(&helga.access_token),
        )
        .await
        .json();
    let offered: Vec<&str> = eligible["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id"))
        .collect();
    assert_eq!(offered, [at_a.as_str()]);

    // Only B's operator admins (and administrators) decide whom B trusts.
    let trust = format!(
        "/api/v1/operators/{}/trusted-operators/{}",
        s.other_operator, s.operator
    );
    assert_eq!(
        send(&app, Method::PUT, &trust, &s.other_coordinator.access_token).await,
        403
    );
    let itself = format!(
        "/api/v1/operators/{0}/trusted-operators/{0}",
        s.other_operator
    );
    assert_eq!(
        send(&app, Method::PUT, &itself, &s.admin.access_token).await,
        422
    );
    assert_eq!(
        send(&app, Method::PUT, &trust, &s.admin.access_token).await,
        201
    );
    assert_eq!(
        send(&app, Method::PUT, &trust, &s.admin.access_token).await,
        204
    );
    let listed = app
        .get(
            &format!("/api/v1/operators/{}/trusted-operators", s.other_operator),
            None,
        )
        .await
        .json();
    assert_eq!(listed["items"][0]["operator_id"], s.operator.as_str());
    assert_eq!(listed["items"][0]["name"], "Träger A");

    // Now B's shift takes her; once B withdraws its trust, another volunteer verified by A
    // only is refused again. A does not trust B in turn.
    assert_eq!(sign_up(&app, &helga.access_token, &at_b).await.status, 201);
    assert_eq!(
        send(&app, Method::DELETE, &trust, &s.admin.access_token).await,
        204
    );
    assert_eq!(
        send(&app, Method::DELETE, &trust, &s.admin.access_token).await,
        404
    );
    let karl = app.signed_up("karl@example.org").await;
    declare_to(&app, &karl, &[&s.operator]).await;
    assert_eq!(
        check(
            &app,
            &s.coordinator.access_token,
            &s.operator,
            &karl.id,
            400,
            None
        )
        .await
        .status,
        201
    );
    sign_up(&app, &karl.access_token, &at_b)
        .await
        .assert_problem(422, "qualification-missing");
    assert_eq!(
        app.count("signups", &format!("shift_id = '{at_b}'")).await,
        1
    );
    assert_eq!(
        app.count(
            "audit_events",
            "action IN ('operator.trust_granted', 'operator.trust_withdrawn')"
        )
        .await,
        2
    );
}

#[actix_web::test]
async fn staff_vouch_only_for_volunteers_who_came_to_them_within_their_centres() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let second = centre(&app, &s, &s.operator, "Stadtteilbüro").await;
    let limited = app.signed_up("limited@example.org").await;
    let added = post(
        &app,
        &s.admin.access_token,
        &format!("/api/v1/operators/{}/members", s.operator),
        json!({"email": "limited@example.org", "role": "coordinator", "centre_ids": [second]}),
    )
    .await;
    assert_eq!(added.status, 201);

    // Declared, but to no operator in particular: nobody at A may vouch for her.
    let helga = app.signed_up("helga@example.org").await;
    declare_to(&app, &helga, &[]).await;
    let a = &s.coordinator.access_token;
    let refused = check(&app, a, &s.operator, &helga.id, 400, None).await;
    assert_eq!(refused.problem_fields(), ["user_id"]);
    // Helping A: the unlimited coordinator may; the one limited to the second centre may
    // not, until she signs up for a shift there.
    join(&app, &helga.access_token, &s.operator).await;
    assert_eq!(
        check(
            &app,
            &limited.access_token,
            &s.operator,
            &helga.id,
            400,
            None
        )
        .await
        .problem_fields(),
        ["user_id"]
    );
    assert_eq!(
        check(&app, a, &s.operator, &helga.id, 400, None)
            .await
            .status,
        201
    );
    let at_main = shift(&app, &s, "Kaffee", 30, 3, json!({})).await;
    assert_eq!(
        sign_up(&app, &helga.access_token, &at_main).await.status,
        201
    );
    assert_eq!(
        check(
            &app,
            &limited.access_token,
            &s.operator,
            &helga.id,
            300,
            None
        )
        .await
        .status,
        422
    );
    let starts_at = Utc::now() + Duration::hours(50);
    let at_second = id_of(
        &post(
            &app,
            &limited.access_token,
            "/api/v1/shifts",
            json!({"centre_id": second, "title": "Lesepaten", "capacity": 3,
                   "starts_at": starts_at, "ends_at": starts_at + Duration::hours(1)}),
        )
        .await,
    );
    assert_eq!(
        sign_up(&app, &helga.access_token, &at_second).await.status,
        201
    );
    let changed = check(
        &app,
        &limited.access_token,
        &s.operator,
        &helga.id,
        300,
        None,
    )
    .await;
    assert_eq!(changed.status, 201);
    assert_eq!(
        app.count(
            "qualification_verifications",
            &format!(
                "user_id = '{}' AND inspected_by = '{}' AND version = 2",
                helga.id, limited.id
            )
        )
        .await,
        1
    );

    // Someone who only signed up for a shift of A (and never joined) may be vouched for by
    // A's coordinator, not by B's.
    let karl = app.signed_up("karl@example.org").await;
    assert_eq!(
        sign_up(&app, &karl.access_token, &at_main).await.status,
        201
    );
    assert_eq!(
        check(&app, a, &s.operator, &karl.id, 100, None)
            .await
            .status,
        201
    );
    assert_eq!(
        check(
            &app,
            &s.other_coordinator.access_token,
            &s.other_operator,
            &karl.id,
            100,
            None
        )
        .await
        .problem_fields(),
        ["user_id"]
    );
}

#[actix_web::test]
async fn one_volunteers_racing_overlapping_sign_ups_resolve_at_once() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let mut shifts = Vec::new();
    for n in 0..20 {
        shifts.push(shift(&app, &s, &format!("Gleichzeitig {n}"), 40, 3, json!({})).await);
    }
    let helga = app.signed_up("helga@example.org").await;

    let answers = join_all(
        shifts
            .iter()
            .map(|id| sign_up(&app, &helga.access_token, id)),
    )
    .await;

    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    for refused in answers.iter().filter(|a| a.status != 201) {
        let problem: Value = refused.assert_problem(409, "overlapping-shift");
        assert!(problem["detail"].is_string());
    }
    assert_eq!(
        app.count(
            "signups",
            &format!("user_id = '{}' AND status = 'confirmed'", helga.id)
        )
        .await,
        1
    );
}
