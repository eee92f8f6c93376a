//! Operators (Träger) and their staff: who may see and change what, across tenants.

use actix_web::http::Method;
use quartier_tests::{TestApp, TestResponse, TestUser};
use serde_json::{Value, json};

async fn create_operator(app: &TestApp, token: &str, name: &str) -> String {
    let response = app
        .json(
            Method::POST,
            "/api/v1/operators",
            Some(token),
            &[],
            &json!({"name": name, "kind": "church_or_welfare", "website": "https://example.org", "contact_phone": "+49 231 1234"}),
        )
        .await;
    assert_eq!(response.status, 201, "{:?}", response.json());
    response.json()["id"].as_str().expect("id").to_owned()
}

async fn add_member(
    app: &TestApp,
    token: &str,
    operator: &str,
    email: &str,
    role: &str,
) -> TestResponse {
    app.json(
        Method::POST,
        &format!("/api/v1/operators/{operator}/members"),
        Some(token),
        &[],
        &json!({"email": email, "role": role}),
    )
    .await
}

/// A new account, made staff of `operator` with `role` by the administrator.
async fn staff(
    app: &TestApp,
    admin: &TestUser,
    operator: &str,
    email: &str,
    role: &str,
) -> TestUser {
    let user = app.signed_up(email).await;
    let added = add_member(app, &admin.access_token, operator, email, role).await;
    assert_eq!(added.status, 201, "{:?}", added.json());
    user
}

async fn patch_operator(app: &TestApp, token: &str, operator: &str, body: Value) -> TestResponse {
    app.json(
        Method::PATCH,
        &format!("/api/v1/operators/{operator}"),
        Some(token),
        &[("if-match", "*")],
        &body,
    )
    .await
}

#[actix_web::test]
async fn administrators_create_operators_that_anyone_can_read() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let member = app.signed_up("member@example.org").await;
    let id = create_operator(&app, &admin.access_token, "AWO Musterstadt").await;

    let read = app.get(&format!("/api/v1/operators/{id}"), None).await;
    let list = app
        .get(
            "/api/v1/operators?kind=church_or_welfare&status=active",
            None,
        )
        .await;
    let by_member = app
        .json(
            Method::POST,
            "/api/v1/operators",
            Some(&member.access_token),
            &[],
            &json!({"name": "X", "kind": "other"}),
        )
        .await;
    let invalid = app
        .json(
            Method::POST,
            "/api/v1/operators",
            Some(&admin.access_token),
            &[],
            &json!({"name": "X", "kind": "other", "website": "ftp://x", "contact_email": "nope", "contact_phone": "call me"}),
        )
        .await;
    let unknown_kind = app
        .json(
            Method::POST,
            "/api/v1/operators",
            Some(&admin.access_token),
            &[],
            &json!({"name": "X", "kind": "church"}),
        )
        .await;

    assert_eq!(read.status, 200);
    assert_eq!(read.json()["status"], "active");
    assert_eq!(read.json()["contact_phone"], "+49 231 1234");
    assert_eq!(list.json()["items"].as_array().expect("items").len(), 1);
    by_member.assert_problem(403, "forbidden");
    invalid.assert_problem(422, "validation-failed");
    let mut fields = invalid.problem_fields();
    fields.sort();
    assert_eq!(fields, ["contact_email", "contact_phone", "website"]);
    unknown_kind.assert_problem(422, "validation-failed");
    assert_eq!(app.count("operators", "true").await, 1);
}

#[actix_web::test]
async fn operator_admins_keep_their_own_operator_up_to_date_and_no_other() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ours = create_operator(&app, &admin.access_token, "Unser Träger").await;
    let theirs = create_operator(&app, &admin.access_token, "Fremder Träger").await;
    let boss = staff(&app, &admin, &ours, "boss@example.org", "operator_admin").await;
    let coordinator = staff(&app, &admin, &ours, "coord@example.org", "coordinator").await;

    let own = patch_operator(
        &app,
        &boss.access_token,
        &ours,
        json!({"description": "Nachbarschaft seit 1950"}),
    )
    .await;
    let status = patch_operator(
        &app,
        &boss.access_token,
        &ours,
        json!({"status": "inactive"}),
    )
    .await;
    let other = patch_operator(
        &app,
        &boss.access_token,
        &theirs,
        json!({"name": "Übernommen"}),
    )
    .await;
    let by_coordinator = patch_operator(
        &app,
        &coordinator.access_token,
        &ours,
        json!({"name": "Umbenannt"}),
    )
    .await;

    assert_eq!(own.status, 200, "{:?}", own.json());
    assert_eq!(own.json()["description"], "Nachbarschaft seit 1950");
    status.assert_problem(403, "forbidden");
    other.assert_problem(403, "forbidden");
    by_coordinator.assert_problem(403, "forbidden");
    assert_eq!(
        app.count("operators", "name = 'Fremder Träger' AND version = 1")
            .await,
        1
    );
    assert_eq!(
        app.count("operators", "status = 'active' AND name = 'Unser Träger'")
            .await,
        1
    );
}

#[actix_web::test]
async fn operator_admins_manage_their_staff_and_only_theirs() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ours = create_operator(&app, &admin.access_token, "Unser Träger").await;
    let theirs = create_operator(&app, &admin.access_token, "Fremder Träger").await;
    let boss = staff(&app, &admin, &ours, "boss@example.org", "operator_admin").await;
    let stranger = staff(&app, &admin, &theirs, "stranger@example.org", "coordinator").await;
    let newcomer = app.signed_up("new@example.org").await;
    let token = boss.access_token.as_str();

    // Operator admins invite (see the invitation tests); only administrators add directly.
    let by_boss = add_member(&app, token, &ours, "new@example.org", "coordinator").await;
    by_boss.assert_problem(403, "forbidden");
    let admin_token = admin.access_token.as_str();
    let added = add_member(&app, admin_token, &ours, "NEW@example.org", "coordinator").await;
    let again = add_member(
        &app,
        admin_token,
        &ours,
        "new@example.org",
        "operator_admin",
    )
    .await;
    let nobody = add_member(
        &app,
        admin_token,
        &ours,
        "nobody@example.org",
        "coordinator",
    )
    .await;
    let foreign = add_member(&app, token, &theirs, "new@example.org", "coordinator").await;
    let members_path = format!("/api/v1/operators/{ours}/members");
    let seen_by_staff = app.get(&members_path, Some(token)).await;
    let seen_by_stranger = app.get(&members_path, Some(&stranger.access_token)).await;
    let seen_by_anyone = app.get(&members_path, None).await;

    assert_eq!(added.status, 201, "{:?}", added.json());
    assert_eq!(added.json()["user_id"], newcomer.id.as_str());
    again.assert_problem(409, "already-member");
    nobody.assert_problem(422, "validation-failed");
    foreign.assert_problem(403, "forbidden");
    let mut emails: Vec<String> = seen_by_staff.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["email"].as_str().expect("email").to_owned())
        .collect();
    emails.sort();
    assert_eq!(emails, ["boss@example.org", "new@example.org"]);
    seen_by_stranger.assert_problem(403, "forbidden");
    seen_by_anyone.assert_problem(401, "unauthenticated");
    assert_eq!(
        app.count("operator_members", &format!("operator_id = '{theirs}'"))
            .await,
        1
    );

    let member_path = format!("/api/v1/operators/{ours}/members/{}", newcomer.id);
    let promoted = app
        .json(
            Method::PATCH,
            &member_path,
            Some(token),
            &[],
            &json!({"role": "operator_admin"}),
        )
        .await;
    assert_eq!(promoted.json()["role"], "operator_admin");
    let stranger_path = format!("/api/v1/operators/{theirs}/members/{}", stranger.id);
    let promoted_elsewhere = app
        .json(
            Method::PATCH,
            &stranger_path,
            Some(token),
            &[],
            &json!({"role": "operator_admin"}),
        )
        .await;
    promoted_elsewhere.assert_problem(403, "forbidden");
    assert_eq!(app.count("operator_members", "role = 'coordinator' AND user_id IN (SELECT id FROM users WHERE email = 'stranger@example.org')").await, 1);
    let removed_elsewhere = app
        .send(
            Method::DELETE,
            &stranger_path,
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
        .await;
    removed_elsewhere.assert_problem(403, "forbidden");
    let removed = app
        .send(
            Method::DELETE,
            &member_path,
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
        .await;
    let removed_again = app
        .send(
            Method::DELETE,
            &member_path,
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    removed_again.assert_problem(404, "not-found");
    assert_eq!(app.count("operator_members", "true").await, 2);
}

#[actix_web::test]
async fn staff_of_a_deactivated_operator_change_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let operator = create_operator(&app, &admin.access_token, "Ehemaliger Träger").await;
    let boss = staff(
        &app,
        &admin,
        &operator,
        "boss@example.org",
        "operator_admin",
    )
    .await;
    app.signed_up("new@example.org").await;

    let deactivated = patch_operator(
        &app,
        &admin.access_token,
        &operator,
        json!({"status": "inactive"}),
    )
    .await;
    let edit = patch_operator(
        &app,
        &boss.access_token,
        &operator,
        json!({"description": "Doch noch da"}),
    )
    .await;
    let add = add_member(
        &app,
        &boss.access_token,
        &operator,
        "new@example.org",
        "coordinator",
    )
    .await;

    assert_eq!(deactivated.json()["status"], "inactive");
    edit.assert_problem(403, "forbidden");
    add.assert_problem(403, "forbidden");
    assert_eq!(app.count("operator_members", "true").await, 1);
    assert_eq!(app.count("operators", "description = ''").await, 1);
}

#[actix_web::test]
async fn operator_changes_need_the_current_version() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let operator = create_operator(&app, &admin.access_token, "Träger").await;
    let path = format!("/api/v1/operators/{operator}");
    let token = Some(admin.access_token.as_str());

    let first = app
        .json(
            Method::PATCH,
            &path,
            token,
            &[("if-match", "\"1\"")],
            &json!({"name": "Eins"}),
        )
        .await;
    let stale = app
        .json(
            Method::PATCH,
            &path,
            token,
            &[("if-match", "\"1\"")],
            &json!({"name": "Zwei"}),
        )
        .await;
    let missing = app
        .json(Method::PATCH, &path, token, &[], &json!({"name": "Drei"}))
        .await;
    let unknown = app
        .json(
            Method::PATCH,
            "/api/v1/operators/01930000-0000-7000-8000-000000000000",
            token,
            &[("if-match", "*")],
            &json!({"name": "X"}),
        )
        .await;

    assert_eq!(first.header("etag"), Some("\"2\""));
    stale.assert_problem(412, "version-conflict");
    missing.assert_problem(428, "precondition-required");
    unknown.assert_problem(404, "not-found");
    assert_eq!(
        app.count("operators", "name = 'Eins' AND version = 2")
            .await,
        1
    );
}
