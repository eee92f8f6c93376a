//! Quartier on other websites: the widgets script, the frame pages with their
//! `frame-ancestors` from the town's and the operators' lists, and the widgets in a real
//! browser — what a person sees, by keyboard too, with no cookie and no other host.

use actix_web::http::Method;
use chrono::{Duration, Utc};
use quartier_tests::{TestApp, TestResponse, browser, patch, post, setup, shift};
use serde_json::{Value, json};

fn text(response: &TestResponse) -> String {
    String::from_utf8_lossy(&response.body).into_owned()
}

async fn read(app: &TestApp, path: &str) -> TestResponse {
    app.send(Method::GET, path, &[], None).await
}

fn policy(response: &TestResponse) -> String {
    response
        .header("content-security-policy")
        .expect("a Content-Security-Policy")
        .to_owned()
}

fn ancestors(response: &TestResponse) -> String {
    let policy = policy(response);
    policy
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("frame-ancestors"))
        .unwrap_or_else(|| panic!("no frame-ancestors in {policy}"))
        .to_owned()
}

#[actix_web::test]
async fn the_lists_of_embedding_websites_decide_who_may_frame_the_pages() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = s.admin.access_token.clone();
    let town_list = "/api/v1/embed-origins";
    let own_list = format!("/api/v1/operators/{}/embed-origins", s.operator);

    // The town's list: administrators keep it; origins are written one way.
    let added = post(
        &app,
        &admin,
        town_list,
        json!({"origin": " https://www.Stadt.example/ "}),
    )
    .await;
    assert_eq!(added.status, 201, "{}", text(&added));
    let town_origin = added.json();
    assert_eq!(town_origin["origin"], "https://www.stadt.example");
    assert_eq!(town_origin["operator_id"], Value::Null);
    let town_id = town_origin["id"].as_str().expect("id").to_owned();
    assert_eq!(
        added.header("location"),
        Some(format!("{town_list}/{town_id}").as_str())
    );
    let again = post(
        &app,
        &admin,
        town_list,
        json!({"origin": "https://www.stadt.example:443"}),
    )
    .await;
    assert_eq!(again.status, 200, "{}", text(&again));
    assert_eq!(again.json()["id"], town_id.as_str());
    assert_eq!(app.count("embed_origins", "operator_id IS NULL").await, 1);
    let staff = post(
        &app,
        &s.coordinator.access_token,
        town_list,
        json!({"origin": "https://a.example"}),
    )
    .await;
    staff.assert_problem(403, "forbidden");
    let nobody = app.send(Method::GET, town_list, &[], None).await;
    assert_eq!(nobody.status, 401);

    // Whatever is not an origin is refused, and nothing is stored.
    for origin in [
        "ftp://example.org",
        "https://example.org/widgets",
        "example.org",
        "https://example.org; script-src *",
        "https://*",
    ] {
        let refused = post(&app, &admin, town_list, json!({"origin": origin})).await;
        let problem = refused.assert_problem(422, "validation-failed");
        assert_eq!(
            problem["errors"][0]["field"], "origin",
            "{origin}: {problem}"
        );
    }
    let typo = post(
        &app,
        &admin,
        town_list,
        json!({"origin": "https://a.example", "path": "/"}),
    )
    .await;
    typo.assert_problem(422, "validation-failed");
    let wrong_type = post(&app, &admin, town_list, json!({"origin": 7})).await;
    wrong_type.assert_problem(422, "validation-failed");
    assert_eq!(app.count("embed_origins", "true").await, 1);

    // An operator's list: its operator admins (and administrators) keep it, no one else.
    let coordinator = post(
        &app,
        &s.coordinator.access_token,
        &own_list,
        json!({"origin": "https://traeger-a.example"}),
    )
    .await;
    coordinator.assert_problem(403, "forbidden");
    let foreign = post(
        &app,
        &s.other_coordinator.access_token,
        &own_list,
        json!({"origin": "https://traeger-b.example"}),
    )
    .await;
    foreign.assert_problem(403, "forbidden");
    let unknown = post(
        &app,
        &admin,
        &format!("/api/v1/operators/{}/embed-origins", uuid::Uuid::now_v7()),
        json!({"origin": "https://x.example"}),
    )
    .await;
    unknown.assert_problem(404, "not-found");
    let own = post(
        &app,
        &admin,
        &own_list,
        json!({"origin": "https://traeger-a.example"}),
    )
    .await;
    assert_eq!(own.status, 201, "{}", text(&own));
    let own_id = own.json()["id"].as_str().expect("id").to_owned();
    let listed = app.get(&own_list, Some(&admin)).await;
    assert_eq!(listed.status, 200);
    assert_eq!(
        listed.json()["items"][0]["origin"],
        "https://traeger-a.example"
    );
    assert_eq!(listed.json()["items"].as_array().map(Vec::len), Some(1));

    // A frame of the operator's (by operator or by one of its centres) may be framed by the
    // town's websites and the operator's; a frame of another operator or of the whole town
    // by the town's only.
    for path in [
        format!("/embed/help-wanted?operator={}", s.operator),
        format!("/embed/whats-on?centre={}&max=3", s.centre),
    ] {
        let page = read(&app, &path).await;
        assert_eq!(page.status, 200, "{path}: {}", text(&page));
        assert_eq!(
            ancestors(&page),
            "frame-ancestors 'self' https://www.stadt.example https://traeger-a.example",
            "{path}"
        );
    }
    for path in [
        format!("/embed/help-wanted?operator={}", s.other_operator),
        "/embed/centres".to_owned(),
    ] {
        let page = read(&app, &path).await;
        assert_eq!(page.status, 200, "{path}: {}", text(&page));
        assert_eq!(
            ancestors(&page),
            "frame-ancestors 'self' https://www.stadt.example",
            "{path}"
        );
    }

    // The page is the widget alone, loading from Quartier only, with no cookie.
    let page = read(
        &app,
        &format!(
            "/embed/help-wanted?operator={}&skills=baking&max=3&lang=en",
            s.operator
        ),
    )
    .await;
    assert!(
        page.header("content-type")
            .is_some_and(|t| t.starts_with("text/html"))
    );
    assert!(page.header("set-cookie").is_none());
    let csp = policy(&page);
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    let html = text(&page);
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert!(
        html.contains("<script src=\"/embed/widgets.js\" defer></script>"),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<quartier-help-wanted operator=\"{}\" skills=\"baking\" max=\"3\" link-target=\"_top\">",
            s.operator
        )),
        "{html}"
    );

    // Bad input gets a problem.
    read(&app, "/embed/nothing")
        .await
        .assert_problem(404, "not-found");
    read(&app, "/embed/help-wanted?max=0")
        .await
        .assert_problem(422, "validation-failed");
    read(&app, "/embed/help-wanted?max=51")
        .await
        .assert_problem(422, "validation-failed");
    read(&app, "/embed/help-wanted?lang=de%22%3E%3Cscript%3E")
        .await
        .assert_problem(422, "validation-failed");
    read(&app, "/embed/centres?skills=baking")
        .await
        .assert_problem(422, "validation-failed");
    read(&app, "/embed/help-wanted?category=coffee_table")
        .await
        .assert_problem(422, "validation-failed");
    read(&app, "/embed/help-wanted?district=nope")
        .await
        .assert_problem(400, "malformed-request");
    read(&app, "/embed/help-wanted?colour=red")
        .await
        .assert_problem(400, "malformed-request");

    // With both, the operator's list counts, not that of the centre's operator.
    let mixed = read(
        &app,
        &format!(
            "/embed/whats-on?operator={}&centre={}",
            s.other_operator, s.centre
        ),
    )
    .await;
    assert_eq!(
        ancestors(&mixed),
        "frame-ancestors 'self' https://www.stadt.example"
    );
    let many = (0..21)
        .map(|n| format!("t{n}"))
        .collect::<Vec<_>>()
        .join(",");
    read(&app, &format!("/embed/help-wanted?skills={many}"))
        .await
        .assert_problem(422, "validation-failed");

    // A deactivated operator's websites frame nothing of it.
    let deactivated = app
        .json(
            Method::PATCH,
            &format!("/api/v1/operators/{}", s.operator),
            Some(&admin),
            &[("if-match", "*")],
            &json!({"status": "inactive"}),
        )
        .await;
    assert_eq!(deactivated.status, 200, "{}", text(&deactivated));
    let page = read(&app, &format!("/embed/help-wanted?operator={}", s.operator)).await;
    assert_eq!(
        ancestors(&page),
        "frame-ancestors 'self' https://www.stadt.example"
    );
    let reactivated = app
        .json(
            Method::PATCH,
            &format!("/api/v1/operators/{}", s.operator),
            Some(&admin),
            &[("if-match", "*")],
            &json!({"status": "active"}),
        )
        .await;
    assert_eq!(reactivated.status, 200, "{}", text(&reactivated));

    // Off the list: the next page says so. An origin is removed from its own list only.
    let wrong_list = app
        .send(
            Method::DELETE,
            &format!("{own_list}/{town_id}"),
            &[("authorization", &format!("Bearer {admin}"))],
            None,
        )
        .await;
    wrong_list.assert_problem(404, "not-found");
    let removed = app
        .send(
            Method::DELETE,
            &format!("{own_list}/{own_id}"),
            &[("authorization", &format!("Bearer {admin}"))],
            None,
        )
        .await;
    assert_eq!(removed.status, 204, "{}", text(&removed));
    let page = read(&app, &format!("/embed/help-wanted?operator={}", s.operator)).await;
    assert_eq!(
        ancestors(&page),
        "frame-ancestors 'self' https://www.stadt.example"
    );
    assert_eq!(app.count("embed_origins", "true").await, 1);
}

#[actix_web::test]
async fn a_list_holds_twenty_origins_however_many_are_added_at_once() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let list = format!("/api/v1/operators/{}/embed-origins", s.operator);
    let answers = futures_util::future::join_all((0..30).map(|n| {
        let app = &app;
        let list = &list;
        let token = s.admin.access_token.clone();
        async move {
            post(
                app,
                &token,
                list,
                json!({"origin": format!("https://site{n}.example")}),
            )
            .await
        }
    }))
    .await;
    let created = answers.iter().filter(|a| a.status == 201).count();
    let refused = answers.iter().filter(|a| a.status == 422).count();
    assert_eq!(
        (created, refused),
        (20, 10),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert_eq!(
        app.count("embed_origins", &format!("operator_id = '{}'", s.operator))
            .await,
        20
    );
}

#[actix_web::test]
async fn the_widgets_script_and_its_lists_are_for_any_page() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let script = read(&app, "/embed/widgets.js").await;
    assert_eq!(script.status, 200);
    assert!(
        script
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/javascript"))
    );
    assert_eq!(script.header("cache-control"), Some("public, max-age=300"));
    assert_eq!(script.header("access-control-allow-origin"), Some("*"));
    let body = text(&script);
    for element in [
        "quartier-help-wanted",
        "quartier-whats-on",
        "quartier-centres",
    ] {
        assert!(body.contains(&format!("\"{element}\"")), "{element}");
    }
    assert!(!body.contains("__QUARTIER_LINKS__"));
    assert!(
        body.contains("/activities/{id}"),
        "the app's links are filled in"
    );
    let etag = script.header("etag").expect("an ETag").to_owned();
    let again = app
        .send(
            Method::GET,
            "/embed/widgets.js",
            &[("if-none-match", &etag)],
            None,
        )
        .await;
    assert_eq!(again.status, 304);

    // The lists the widgets read: JSON anyone may keep and any page may read.
    for path in [
        "/api/v1/occurrences.json",
        "/api/v1/centres.json",
        "/api/v1/help-wanted.json",
    ] {
        let list = read(&app, path).await;
        assert_eq!(list.status, 200, "{path}: {}", text(&list));
        assert_eq!(
            list.header("cache-control"),
            Some("public, max-age=60"),
            "{path}"
        );
        assert_eq!(
            list.header("access-control-allow-origin"),
            Some("*"),
            "{path}"
        );
        assert!(list.json()["items"].is_array(), "{path}");
    }
    let centres = read(
        &app,
        &format!("/api/v1/centres.json?operator_id={}", s.operator),
    )
    .await;
    assert_eq!(centres.json()["items"][0]["name"], "Bürgerhaus");
    read(&app, "/api/v1/centres.xml")
        .await
        .assert_problem(404, "not-found");
}

#[actix_web::test]
async fn the_widgets_show_a_person_what_is_wanted_in_a_real_browser() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = s.admin.access_token.clone();
    let opened = patch(
        &app,
        &admin,
        &format!("/api/v1/centres/{}", s.centre),
        json!({"guest_signups": true}),
    )
    .await;
    assert_eq!(opened.status, 200, "{}", text(&opened));
    let baking = shift(&app, &s, "Kuchen backen", 24, 1, json!({})).await;
    let dishes = shift(&app, &s, "Abwasch", 48, 2, json!({})).await;
    let english = app
        .json(
            Method::PUT,
            &format!("/api/v1/shifts/{baking}/translations/en"),
            Some(&s.coordinator.access_token),
            &[("if-match", "*")],
            &json!({"origin": "human", "texts": {"title": "Baking cakes"}}),
        )
        .await;
    assert_eq!(english.status, 200, "{}", text(&english));
    let starts = Utc::now() + Duration::days(3);
    let activity = post(
        &app,
        &s.coordinator.access_token,
        "/api/v1/activities",
        json!({
            "centre_id": s.centre, "title": "Erzählcafé", "category": "coffee_table",
            "status": "published",
            "schedule": {"kind": "once", "starts_at": starts, "ends_at": starts + Duration::hours(2)},
        }),
    )
    .await;
    assert_eq!(activity.status, 201, "{}", text(&activity));
    let activity = activity.json()["id"].as_str().expect("id").to_owned();

    let page_port = browser::free_port();
    let page_origin = format!("http://127.0.0.1:{page_port}");
    let allowed = post(
        &app,
        &admin,
        &format!("/api/v1/operators/{}/embed-origins", s.operator),
        json!({"origin": page_origin}),
    )
    .await;
    assert_eq!(allowed.status, 201, "{}", text(&allowed));

    let op = &s.operator;
    let plan = json!({
        "quartier": app.address,
        "page_port": page_port,
        "screenshots": std::env::var("QUARTIER_SCREENSHOTS").ok(),
        "pages": [
            {
                "name": "de", "lang": "de", "screenshot": "widget",
                "style": "main { font-family: sans-serif; max-width: 40rem; }",
                "body": format!(
                    "<quartier-help-wanted operator=\"{op}\" max=\"5\"></quartier-help-wanted>\
                     <quartier-whats-on operator=\"{op}\"></quartier-whats-on>\
                     <quartier-centres operator=\"{op}\"></quartier-centres>"
                ),
            },
            {
                "name": "underscore", "lang": "de_DE",
                "body": format!("<quartier-help-wanted operator=\"{op}\" heading=\"\"></quartier-help-wanted>"),
            },
            {
                "name": "en", "lang": "en", "reduced_motion": true,
                "style": "quartier-help-wanted { --quartier-accent: rgb(128, 0, 128); }",
                "body": format!("<quartier-help-wanted operator=\"{op}\"></quartier-help-wanted>"),
            },
        ],
        "frames": [
            {"name": "allowed", "src": format!("/embed/help-wanted?operator={op}")},
            {"name": "stranger", "src": format!("/embed/help-wanted?operator={op}"), "stranger": true},
        ],
    });
    let seen = browser::visit(&plan).await;
    let german = &seen["pages"]["de"];
    let widgets = german["widgets"].as_array().expect("widgets");
    assert_eq!(widgets.len(), 3, "{german}");

    // Help wanted: the two shifts, soonest first, with free places and the guest sign-up.
    let help = &widgets[0];
    assert_eq!(help["state"], "ready", "{help}");
    assert_eq!(help["lang"], "de");
    assert_eq!(help["heading"], "Hilfe gesucht");
    let items = help["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{help}");
    let first = items[0]["text"].as_str().expect("text");
    assert!(first.starts_with("Kuchen backen"), "{first}");
    assert!(
        first.contains("1 Platz frei")
            && first.contains("Bürgerhaus")
            && first.contains("ohne Konto"),
        "{first}"
    );
    assert!(
        items[1]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("Abwasch") && t.contains("2 Plätze frei"))
    );
    let sign_up = items[0]["links"][0]["href"].as_str().expect("a link");
    assert!(
        sign_up.ends_with(&format!("/shifts/{baking}/sign-up?as=guest")),
        "{sign_up}"
    );
    assert!(
        items[1]["links"][0]["href"]
            .as_str()
            .is_some_and(|h| h.contains(&dishes))
    );

    // What's on and the centres.
    let whats_on = &widgets[1];
    assert_eq!(whats_on["heading"], "Was ist los");
    assert!(
        whats_on["items"][0]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("Erzählcafé") && t.contains("Bürgerhaus")),
        "{whats_on}"
    );
    assert!(
        whats_on["items"][0]["links"][0]["href"]
            .as_str()
            .is_some_and(|h| h.ends_with(&format!("/activities/{activity}"))),
        "{whats_on}"
    );
    let centres = &widgets[2];
    assert_eq!(centres["heading"], "Quartierszentren");
    assert!(
        centres["items"][0]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("Bürgerhaus") && t.contains("44135")),
        "{centres}"
    );
    assert!(
        centres["items"][0]["links"][0]["href"]
            .as_str()
            .is_some_and(|h| h.ends_with(&format!("/centres/{}", s.centre)))
    );

    // The keyboard reaches every link, in order, each with a visible focus.
    let links: Vec<&str> = widgets
        .iter()
        .flat_map(|w| w["items"].as_array().into_iter().flatten())
        .flat_map(|i| i["links"].as_array().into_iter().flatten())
        .map(|l| l["href"].as_str().expect("href"))
        .collect();
    assert_eq!(links.len(), 4);
    let focused: Vec<&Value> = german["focus"]
        .as_array()
        .expect("focus")
        .iter()
        .filter(|f| !f.is_null())
        .collect();
    let reached: Vec<&str> = focused.iter().filter_map(|f| f["href"].as_str()).collect();
    assert_eq!(&reached[..links.len()], &links[..], "{focused:?}");
    for f in &focused[..links.len()] {
        let outline = f["outline"].as_str().expect("outline");
        assert!(
            outline.starts_with("solid") && !outline.ends_with(" 0px"),
            "no visible focus: {f}"
        );
    }

    // Accessible, no cookie, nothing from other hosts, no complaint in the console.
    assert_eq!(german["axe"], json!([]), "axe-core finds violations");
    for name in ["de", "underscore", "en"] {
        let page = &seen["pages"][name];
        assert_eq!(page["cookies"], json!([]), "{name}");
        assert_eq!(page["document_cookie"], "", "{name}");
        for url in page["requests"].as_array().expect("requests") {
            let url = url.as_str().expect("url");
            assert!(
                url.starts_with(&page_origin) || url.starts_with(&app.address),
                "{name} asked {url}"
            );
        }
        assert!(
            page["console"]
                .as_array()
                .expect("console")
                .iter()
                .all(|m| !m.as_str().unwrap_or("").starts_with("error")),
            "{name}: {}",
            page["console"]
        );
    }

    // The page's language: English labels, the shift's English title; the page's colours;
    // no motion for who asked for none.
    let english_widget = &seen["pages"]["en"]["widgets"][0];
    assert_eq!(english_widget["heading"], "Help wanted");
    assert_eq!(english_widget["lang"], "en");
    let first = english_widget["items"][0]["text"].as_str().expect("text");
    assert!(
        first.starts_with("Baking cakes") && first.contains("1 place free"),
        "{first}"
    );
    // Each title says its language: the English one English, the one only written in
    // German German.
    assert_eq!(english_widget["items"][0]["links"][0]["lang"], "en");
    assert_eq!(english_widget["items"][1]["links"][0]["text"], "Abwasch");
    assert_eq!(english_widget["items"][1]["links"][0]["lang"], "de");
    assert_eq!(
        seen["pages"]["en"]["axe"],
        json!([]),
        "axe-core finds violations"
    );
    // A page whose language is written `de_DE` (which axe-core rightly faults the page for)
    // gets German; a widget without a heading is still a named region.
    let underscore = &seen["pages"]["underscore"]["widgets"][0];
    assert_eq!(underscore["state"], "ready", "{underscore}");
    assert_eq!(underscore["lang"], "de");
    assert_eq!(underscore["heading"], Value::Null);
    assert!(
        underscore["items"][0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("1 Platz frei"))
    );
    assert_eq!(english_widget["link_color"], "rgb(128, 0, 128)");
    assert_eq!(english_widget["transition"], "0s");
    assert_eq!(help["transition"], "0.12s");

    // The frame shows on a website of the operator's list, with links for the top window,
    // and nowhere else.
    let frame = &seen["frames"]["allowed"];
    assert_eq!(frame["shown"], true, "{frame}");
    let framed = &frame["widgets"][0];
    assert!(
        framed["items"][0]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("Kuchen backen")),
        "{frame}"
    );
    assert_eq!(framed["items"][0]["links"][0]["target"], "_top");
    assert_eq!(frame["cookies"], json!([]));
    let stranger = &seen["frames"]["stranger"];
    assert_eq!(stranger["shown"], false, "{stranger}");
    assert!(
        stranger["console"]
            .as_array()
            .expect("console")
            .iter()
            .any(|m| m.as_str().unwrap_or("").contains("frame-ancestors")),
        "{stranger}"
    );
}
