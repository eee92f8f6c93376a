//! Networks of the neighbourhood work: joining needs the other side's consent, and the
//! database keeps one live membership per member.

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

#[actix_web::test]
async fn joining_a_network_needs_the_other_sides_consent() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = &s.admin.access_token;
    let network = id_of(
        &post(
            &app,
            admin,
            "/api/v1/networks",
            json!({"name": "Runder Tisch Nordstadt", "kind": "round_table"}),
        )
        .await,
    );
    post(
        &app,
        admin,
        "/api/v1/networks",
        json!({"name": "Runder Tisch Nordstadt", "kind": "other"}),
    )
    .await
    .assert_problem(409, "conflict");
    let partner = id_of(
        &post(
            &app,
            admin,
            "/api/v1/partners",
            json!({"name": "Kirchengemeinde St. Marien", "kind": "religious_community",
                   "operator_id": s.operator}),
        )
        .await,
    );
    let pfarrer = app.signed_up("buero@st-marien.example").await;
    status(
        &post(
            &app,
            admin,
            &format!("/api/v1/partners/{partner}/members"),
            json!({"email": "buero@st-marien.example", "role": "partner_admin"}),
        )
        .await,
        200,
    );
    let memberships = format!("/api/v1/networks/{network}/memberships");
    // The partner asks through its admin; a stranger cannot ask for it.
    let stranger = app.signed_up("fremd@example.org").await;
    post(
        &app,
        &stranger.access_token,
        &memberships,
        json!({"partner_id": partner}),
    )
    .await
    .assert_problem(403, "forbidden");
    let asked = status(
        &post(
            &app,
            &pfarrer.access_token,
            &memberships,
            json!({"partner_id": partner}),
        )
        .await,
        201,
    );
    assert_eq!(asked["status"], "requested");
    let asked_id = asked["id"].as_str().expect("id").to_owned();
    // Asking twice at once leaves one live membership.
    let again = futures_util::future::join_all((0..10).map(|_| {
        post(
            &app,
            &pfarrer.access_token,
            &memberships,
            json!({"partner_id": partner}),
        )
    }))
    .await;
    assert!(
        again.iter().all(|r| r.status == 409),
        "a second live membership"
    );
    assert_eq!(
        app.count("network_memberships", &format!("partner_id = '{partner}'"))
            .await,
        1
    );
    // Not public until accepted; the partner cannot accept its own request.
    let public = status(&app.get(&memberships, None).await, 200);
    assert_eq!(public["items"], json!([]));
    let answer = |id: &str| format!("{memberships}/{id}/status");
    post(
        &app,
        &pfarrer.access_token,
        &answer(&asked_id),
        json!({"status": "active"}),
    )
    .await
    .assert_problem(409, "conflict");
    let accepted = status(
        &post(&app, admin, &answer(&asked_id), json!({"status": "active"})).await,
        200,
    );
    assert_eq!(accepted["status"], "active");
    assert!(accepted["since"].is_string());
    let public = status(&app.get(&memberships, None).await, 200);
    assert_eq!(
        public["items"][0]["partner"]["name"],
        "Kirchengemeinde St. Marien"
    );

    // A person is invited; only she accepts; persons are not shown to the public.
    let anna = app.signed_up("anna@example.org").await;
    let invited = status(
        &post(
            &app,
            admin,
            &memberships,
            json!({"user_id": anna.id, "role": "chair"}),
        )
        .await,
        201,
    );
    assert_eq!(invited["status"], "invited");
    let invited_id = invited["id"].as_str().expect("id").to_owned();
    post(
        &app,
        &stranger.access_token,
        &answer(&invited_id),
        json!({"status": "active"}),
    )
    .await
    .assert_problem(404, "not-found");
    // She finds her invitation among the network's memberships; strangers do not.
    let hers = status(&app.get(&memberships, Some(&anna.access_token)).await, 200);
    assert!(hers.to_string().contains(&invited_id), "{hers}");
    let theirs = status(
        &app.get(&memberships, Some(&stranger.access_token)).await,
        200,
    );
    assert!(!theirs.to_string().contains(&invited_id), "{theirs}");
    // Asking for herself, she asks as a member only.
    let chair = post(
        &app,
        &stranger.access_token,
        &memberships,
        json!({"user_id": stranger.id, "role": "chair"}),
    )
    .await;
    assert_eq!(status(&chair, 422)["errors"][0]["field"], "role");
    post(
        &app,
        admin,
        &answer(&invited_id),
        json!({"status": "active"}),
    )
    .await
    .assert_problem(409, "conflict");
    status(
        &post(
            &app,
            &anna.access_token,
            &answer(&invited_id),
            json!({"status": "active"}),
        )
        .await,
        200,
    );
    let public = status(&app.get(&memberships, None).await, 200);
    assert_eq!(public["items"].as_array().map(Vec::len), Some(1));
    assert!(!public.to_string().contains(&anna.id));
    let all = status(&app.get(&memberships, Some(admin)).await, 200);
    assert_eq!(all["items"].as_array().map(Vec::len), Some(2));
    // She leaves; she may be invited again afterwards.
    let left = status(
        &post(
            &app,
            &anna.access_token,
            &answer(&invited_id),
            json!({"status": "left"}),
        )
        .await,
        200,
    );
    assert!(left["until"].is_string());
    status(
        &post(&app, admin, &memberships, json!({"user_id": anna.id})).await,
        201,
    );
    let export = status(
        &app.get("/api/v1/me/export", Some(&anna.access_token)).await,
        200,
    );
    assert_eq!(
        export["network_memberships"].as_array().map(Vec::len),
        Some(2)
    );

    // Bad input changes nothing.
    for body in [
        json!({}),
        json!({"partner_id": partner, "user_id": anna.id}),
    ] {
        let refused = post(&app, admin, &memberships, body).await;
        status(&refused, 422);
    }
    let unknown = post(
        &app,
        admin,
        &memberships,
        json!({"partner_id": "00000000-0000-7000-8000-000000000000"}),
    )
    .await;
    assert_eq!(status(&unknown, 422)["errors"][0]["field"], "partner_id");
    // The operator the partner is hears of its membership, without persons.
    assert_eq!(
        app.count(
            "outbox_events",
            &format!(
                "kind = 'network_membership.changed' AND operator_id = '{}'",
                s.operator
            )
        )
        .await,
        2
    );
}

#[actix_web::test]
async fn the_operator_a_partner_is_speaks_for_it_in_networks() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = &s.admin.access_token;
    let partner = id_of(
        &post(
            &app,
            admin,
            "/api/v1/partners",
            json!({"name": "Träger A", "kind": "association", "operator_id": s.operator}),
        )
        .await,
    );
    let network = id_of(
        &post(
            &app,
            admin,
            "/api/v1/networks",
            json!({"name": "Runder Tisch Nord", "kind": "round_table"}),
        )
        .await,
    );
    let memberships = format!("/api/v1/networks/{network}/memberships");
    // The network invites the partner; operator A's coordinator does not speak for it and
    // does not see the invitation.
    let invited = status(
        &post(&app, admin, &memberships, json!({"partner_id": partner})).await,
        201,
    );
    assert_eq!(invited["status"], "invited");
    let answer = format!(
        "{memberships}/{}/status",
        invited["id"].as_str().expect("id")
    );
    let listed = status(
        &app.get(&memberships, Some(&s.coordinator.access_token))
            .await,
        200,
    );
    assert_eq!(listed["items"], json!([]));
    post(
        &app,
        &s.coordinator.access_token,
        &answer,
        json!({"status": "active"}),
    )
    .await
    .assert_problem(404, "not-found");
    // Operator A's operator admin finds the invitation and accepts it for the partner.
    app.signed_up("chefin@traeger-a.example").await;
    status(
        &post(
            &app,
            admin,
            &format!("/api/v1/operators/{}/members", s.operator),
            json!({"email": "chefin@traeger-a.example", "role": "operator_admin"}),
        )
        .await,
        201,
    );
    let chefin = app
        .login("chefin@traeger-a.example", "ein sicheres Passwort")
        .await
        .json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let listed = status(&app.get(&memberships, Some(&chefin)).await, 200);
    assert_eq!(listed["items"][0]["status"], "invited");
    let accepted = status(
        &post(&app, &chefin, &answer, json!({"status": "active"})).await,
        200,
    );
    assert_eq!(accepted["status"], "active");
}
