//! The administrators' list of accounts: who may see it, and keyset pagination.

use quartier_tests::TestApp;

#[actix_web::test]
async fn admins_page_through_all_accounts_in_creation_order() {
    let app = TestApp::spawn().await;
    let token = app.admin().await.access_token;
    for name in ["b", "c", "d", "e"] {
        app.signed_up(&format!("{name}@example.org")).await;
    }

    let mut emails = Vec::new();
    let mut path = "/api/v1/users?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let response = app.get(&path, Some(&token)).await;
        assert_eq!(response.status, 200, "{:?}", response.json());
        let body = response.json();
        let items = body["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        emails.extend(
            items
                .iter()
                .map(|u| u["email"].as_str().expect("email").to_owned()),
        );
        pages += 1;
        match body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/users?limit=2&cursor={cursor}"),
            None => break,
        }
    }

    assert_eq!(pages, 3);
    assert_eq!(
        emails,
        [
            "admin@example.org",
            "b@example.org",
            "c@example.org",
            "d@example.org",
            "e@example.org"
        ]
    );
}

#[actix_web::test]
async fn only_admins_see_the_list() {
    let app = TestApp::spawn().await;
    let member = app.signed_up("member@example.org").await;

    app.get("/api/v1/users", Some(&member.access_token))
        .await
        .assert_problem(403, "forbidden");
    app.get("/api/v1/users", None)
        .await
        .assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn bad_paging_parameters_are_client_errors() {
    let app = TestApp::spawn().await;
    let token = app.admin().await.access_token;

    app.get("/api/v1/users?limit=0", Some(&token))
        .await
        .assert_problem(422, "validation-failed");
    app.get("/api/v1/users?limit=101", Some(&token))
        .await
        .assert_problem(422, "validation-failed");
    app.get("/api/v1/users?limit=many", Some(&token))
        .await
        .assert_problem(400, "malformed-request");
    app.get("/api/v1/users?cursor=nonsense", Some(&token))
        .await
        .assert_problem(422, "validation-failed");
    let huge = "A".repeat(5000);
    app.get(&format!("/api/v1/users?cursor={huge}"), Some(&token))
        .await
        .assert_problem(422, "validation-failed");
}
