//! Abuse limits: sign-in, registration, refresh and password change per client address and
//! per account; per-principal request limits with `RateLimit-*` headers, shared by several
//! API instances through the database.

use actix_web::http::Method;
use chrono::{Timelike, Utc};
use diesel_async::RunQueryDsl;
use quartier_tests::{TestApp, TestResponse, id_of, post, setup};
use serde_json::json;

/// Waits for a fresh window when the current one (of `seconds`) ends within ten seconds, so
/// that a test's requests all fall into one window.
async fn fresh_window(seconds: u32) {
    let now = Utc::now();
    let into = (now.num_seconds_from_midnight()) % seconds;
    if seconds - into <= 10 {
        tokio::time::sleep(std::time::Duration::from_secs(
            u64::from(seconds - into) + 1,
        ))
        .await;
    }
}

fn retry_after(response: &TestResponse) -> u64 {
    response
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds")
}

/// Lets every counter's window pass, as if the time were over.
async fn let_windows_pass(app: &TestApp) {
    diesel::sql_query("UPDATE rate_limits SET window_start = window_start - interval '2 hours'")
        .execute(&mut app.conn().await)
        .await
        .expect("age the counters");
}

#[actix_web::test]
async fn failed_sign_ins_make_an_account_wait_but_never_lock_it_for_good() {
    let app = TestApp::spawn_with(&[("QUARTIER_RATE_LIMIT_FAILED_LOGINS", "3")]).await;
    fresh_window(900).await;
    let anna = app.signed_up("anna@example.org").await;
    app.signed_up("karl@example.org").await;

    for _ in 0..3 {
        app.login("anna@example.org", "falsches Passwort")
            .await
            .assert_problem(401, "invalid-credentials");
    }
    let waiting = app.login("Anna@example.org", &anna.password).await;

    waiting.assert_problem(429, "rate-limited");
    assert!((1..=900).contains(&retry_after(&waiting)));
    // Another account is not affected.
    assert_eq!(
        app.login("karl@example.org", "ein sicheres Passwort")
            .await
            .status,
        200
    );
    // Once the window is over, the owner signs in, and that clears the count.
    let_windows_pass(&app).await;
    assert_eq!(
        app.login("anna@example.org", &anna.password).await.status,
        200
    );
    for _ in 0..2 {
        app.login("anna@example.org", "falsches Passwort").await;
    }
    assert_eq!(
        app.login("anna@example.org", &anna.password).await.status,
        200
    );
    // The counters name the account by a hash only.
    assert_eq!(app.count("rate_limits", "bucket ILIKE '%anna%'").await, 0);
}

#[actix_web::test]
async fn sign_ins_and_refreshes_from_one_address_are_limited() {
    let app = TestApp::spawn_with(&[("QUARTIER_RATE_LIMIT_AUTH_PER_MINUTE", "4")]).await;
    let anna = app.signed_up("anna@example.org").await;
    fresh_window(60).await;
    let_windows_pass(&app).await;

    for n in 0..3 {
        let answer = app.login("nobody@example.org", "irgendein Passwort").await;
        assert_eq!(answer.status, 401, "attempt {n}");
    }
    assert_eq!(app.refresh(&anna.refresh_token).await.status, 200);
    let refused = app.login("anna@example.org", &anna.password).await;

    refused.assert_problem(429, "rate-limited");
    assert!((1..=60).contains(&retry_after(&refused)));
    assert_eq!(app.count("refresh_tokens", "true").await, 2);
}

#[actix_web::test]
async fn registrations_are_limited_per_address_and_per_e_mail_address() {
    let app = TestApp::spawn_with(&[
        ("QUARTIER_RATE_LIMIT_REGISTER_PER_HOUR", "3"),
        ("QUARTIER_RATE_LIMIT_ACCOUNT_PER_15_MIN", "2"),
    ])
    .await;
    fresh_window(3600).await;

    let first = app
        .register("anna@example.org", "ein sicheres Passwort")
        .await;
    let again = app
        .register("anna@example.org", "ein sicheres Passwort")
        .await;
    let third = app
        .register("anna@example.org", "ein sicheres Passwort")
        .await;

    assert_eq!(first.status, 201);
    again.assert_problem(409, "email-taken");
    third.assert_problem(429, "rate-limited");
    let_windows_pass(&app).await;
    for n in 0..3 {
        let email = format!("person{n}@example.org");
        assert_eq!(
            app.register(&email, "ein sicheres Passwort").await.status,
            201
        );
    }
    app.register("person9@example.org", "ein sicheres Passwort")
        .await
        .assert_problem(429, "rate-limited");
    assert_eq!(app.count("users", "true").await, 4);
}

#[actix_web::test]
async fn password_guesses_through_password_change_are_limited_per_account() {
    let app = TestApp::spawn_with(&[("QUARTIER_RATE_LIMIT_ACCOUNT_PER_15_MIN", "2")]).await;
    fresh_window(900).await;
    let anna = app.signed_up("anna@example.org").await;
    let token = anna.access_token.clone();
    let change = async |current: &str| {
        app.json(
            Method::POST,
            "/api/v1/me/password",
            Some(&token),
            &[],
            &json!({"current_password": current, "new_password": "ein ganz neues Passwort"}),
        )
        .await
    };

    change("falsch eins")
        .await
        .assert_problem(403, "wrong-password");
    change("falsch zwei")
        .await
        .assert_problem(403, "wrong-password");
    let refused = change("ein sicheres Passwort").await;

    refused.assert_problem(429, "rate-limited");
    // Erasure needs the password too, and counts against the same limit.
    app.json(
        Method::DELETE,
        "/api/v1/me",
        Some(&anna.access_token),
        &[],
        &json!({"password": "noch ein Versuch"}),
    )
    .await
    .assert_problem(429, "rate-limited");
    assert_eq!(
        app.login("anna@example.org", &anna.password).await.status,
        200
    );
}

#[actix_web::test]
async fn each_user_and_key_has_a_request_limit_shown_in_ratelimit_headers() {
    let app = TestApp::spawn_with(&[
        ("QUARTIER_RATE_LIMIT_USER_PER_MINUTE", "12"),
        ("QUARTIER_RATE_LIMIT_KEY_PER_MINUTE", "3"),
    ])
    .await;
    let s = setup(&app).await;
    let anna = app.signed_up("anna@example.org").await;
    let key = post(
        &app,
        &s.admin.access_token,
        &format!("/api/v1/operators/{}/api-keys", s.operator),
        json!({"name": "Dienstplan", "scopes": ["roster:read"]}),
    )
    .await;
    let key = key.json()["key_secret"]
        .as_str()
        .expect("key secret")
        .to_owned();
    fresh_window(60).await;
    let_windows_pass(&app).await;

    let mut remaining = Vec::new();
    for _ in 0..12 {
        let answer = app.get("/api/v1/me", Some(&anna.access_token)).await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("ratelimit-limit"), Some("12"));
        assert_eq!(answer.header("ratelimit-policy"), Some("12;w=60"));
        let reset: u64 = answer
            .header("ratelimit-reset")
            .and_then(|v| v.parse().ok())
            .expect("reset");
        assert!((1..=60).contains(&reset));
        remaining.push(answer.header("ratelimit-remaining").map(str::to_owned));
    }
    let over = app.get("/api/v1/me", Some(&anna.access_token)).await;

    let expected: Vec<Option<String>> = (0..12).rev().map(|n| Some(n.to_string())).collect();
    assert_eq!(remaining, expected);
    over.assert_problem(429, "rate-limited");
    assert!((1..=60).contains(&retry_after(&over)));
    // Others are not affected; anonymous requests carry their address's budget instead.
    let karl = app.signed_up("karl@example.org").await;
    assert_eq!(
        app.get("/api/v1/me", Some(&karl.access_token)).await.status,
        200
    );
    let public = app.get("/api/v1/districts", None).await;
    assert_eq!(public.status, 200);
    assert_eq!(public.header("ratelimit-limit"), Some("600"));
    // An API key has its own limit.
    let path = format!(
        "/api/v1/operators/{}/roster?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z",
        s.operator
    );
    for left in ["2", "1", "0"] {
        let answer = app
            .send(Method::GET, &path, &[("x-api-key", &key)], None)
            .await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("ratelimit-limit"), Some("3"));
        assert_eq!(answer.header("ratelimit-remaining"), Some(left));
    }
    app.send(Method::GET, &path, &[("x-api-key", &key)], None)
        .await
        .assert_problem(429, "rate-limited");
    // Keys that do not exist are refused without being counted: they cannot fill the table.
    for n in 0..5 {
        let made_up = format!("qk_abcdefg{n}_nichtsnutzigesgeheimnis");
        app.send(Method::GET, &path, &[("x-api-key", &made_up)], None)
            .await
            .assert_problem(401, "unauthenticated");
    }
    assert_eq!(app.count("rate_limits", "bucket LIKE 'key:%'").await, 1);
    id_of(
        &app.get(&format!("/api/v1/operators/{}", s.operator), None)
            .await,
    );
}

#[actix_web::test]
async fn several_instances_share_one_limit() {
    let app = TestApp::spawn_with(&[("QUARTIER_RATE_LIMIT_USER_PER_MINUTE", "6")]).await;
    let other = app.another_instance().await;
    let anna = app.signed_up("anna@example.org").await;
    fresh_window(60).await;
    let_windows_pass(&app).await;

    for instance in [&app, &other, &app, &other, &app, &other] {
        let answer = instance.get("/api/v1/me", Some(&anna.access_token)).await;
        assert_eq!(answer.status, 200);
    }

    other
        .get("/api/v1/me", Some(&anna.access_token))
        .await
        .assert_problem(429, "rate-limited");
    app.get("/api/v1/me", Some(&anna.access_token))
        .await
        .assert_problem(429, "rate-limited");
}

#[actix_web::test]
async fn sign_in_attempts_made_at_once_are_counted_before_the_password_is_checked() {
    let app = TestApp::spawn_with(&[("QUARTIER_RATE_LIMIT_FAILED_LOGINS", "3")]).await;
    fresh_window(900).await;
    app.signed_up("anna@example.org").await;

    let answers = futures_util::future::join_all(
        (0..20).map(|_| app.login("anna@example.org", "falsches Passwort")),
    )
    .await;

    let checked = answers.iter().filter(|a| a.status == 401).count();
    let refused = answers.iter().filter(|a| a.status == 429).count();
    assert_eq!((checked, refused), (3, 17));
}

/// Signs in as `email` with `password` from the client address `from` (the server trusts one
/// proxy hop).
async fn login_from(app: &TestApp, from: &str, email: &str, password: &str) -> TestResponse {
    app.json(
        Method::POST,
        "/api/v1/auth/login",
        None,
        &[("x-forwarded-for", from)],
        &json!({"email": email, "password": password}),
    )
    .await
}

#[actix_web::test]
async fn failed_sign_ins_from_elsewhere_never_lock_the_owner_out() {
    let app = TestApp::spawn_with(&[
        ("QUARTIER_TRUSTED_PROXY_HOPS", "1"),
        ("QUARTIER_RATE_LIMIT_FAILED_LOGINS", "3"),
        ("QUARTIER_RATE_LIMIT_FAILED_LOGINS_PER_ACCOUNT", "10"),
    ])
    .await;
    fresh_window(900).await;
    let anna = app.signed_up("anna@example.org").await;

    // Someone at one address guesses until refused: that address waits, the owner at home
    // does not.
    for _ in 0..3 {
        login_from(&app, "203.0.113.7", "anna@example.org", "geraten")
            .await
            .assert_problem(401, "invalid-credentials");
    }
    let refused = login_from(&app, "203.0.113.7", "anna@example.org", &anna.password).await;
    refused.assert_problem(429, "rate-limited");
    let wait = retry_after(&refused);
    let left = 900 - u64::from(Utc::now().num_seconds_from_midnight() % 900);
    assert!(
        wait <= left && wait + 5 >= left,
        "Retry-After {wait} is the real wait {left}"
    );
    assert_eq!(
        login_from(&app, "198.51.100.20", "anna@example.org", &anna.password)
            .await
            .status,
        200
    );

    // Guesses from many addresses pass the account's cap: addresses that failed wait, an
    // address without failures still signs in with the right password.
    for n in 0..6 {
        for _ in 0..2 {
            login_from(&app, &format!("192.0.2.{n}"), "anna@example.org", "geraten").await;
        }
    }
    login_from(&app, "192.0.2.1", "anna@example.org", &anna.password)
        .await
        .assert_problem(429, "rate-limited");
    assert_eq!(
        login_from(&app, "198.51.100.99", "anna@example.org", &anna.password)
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn anonymous_readers_have_a_budget_per_address_that_leaves_others_alone() {
    let app = TestApp::spawn_with(&[
        ("QUARTIER_TRUSTED_PROXY_HOPS", "1"),
        ("QUARTIER_RATE_LIMIT_ANONYMOUS_PER_MINUTE", "5"),
    ])
    .await;
    fresh_window(60).await;
    let anna = app.signed_up("anna@example.org").await;
    let from = |address: &'static str| {
        let app = &app;
        async move {
            app.send(
                Method::GET,
                "/api/v1/districts",
                &[("x-forwarded-for", address)],
                None,
            )
            .await
        }
    };

    for left in (0..5).rev() {
        let read = from("203.0.113.9").await;
        assert_eq!(read.status, 200);
        assert_eq!(
            read.header("ratelimit-remaining"),
            Some(left.to_string().as_str())
        );
    }
    let refused = from("203.0.113.9").await;
    refused.assert_problem(429, "rate-limited");
    assert!((1..=60).contains(&retry_after(&refused)));

    // Another address, a signed-in reader at the same address, and health checks go on.
    assert_eq!(from("198.51.100.4").await.status, 200);
    let signed_in = app
        .send(
            Method::GET,
            "/api/v1/districts",
            &[
                ("x-forwarded-for", "203.0.113.9"),
                ("authorization", &format!("Bearer {}", anna.access_token)),
            ],
            None,
        )
        .await;
    assert_eq!(signed_in.status, 200);
    let health = app
        .send(
            Method::GET,
            "/health/live",
            &[("x-forwarded-for", "203.0.113.9")],
            None,
        )
        .await;
    assert_eq!(health.status, 200);
}
