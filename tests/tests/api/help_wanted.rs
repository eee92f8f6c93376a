//! The public help-wanted feed: open places with live counts in five formats, gone from every
//! one of them once a shift fills or its sign-ups close; cached by anyone, readable by any
//! page, never a name.

use actix_web::http::Method;
use chrono::{Duration, Utc};
use diesel_async::RunQueryDsl;
use quartier_tests::{TestApp, TestResponse, feeds, patch, setup, shift, sign_up};
use serde_json::{Value, json};

async fn read(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> TestResponse {
    app.send(Method::GET, path, headers, None).await
}

fn text(response: &TestResponse) -> String {
    String::from_utf8_lossy(&response.body).into_owned()
}

fn titles(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["title"].as_str().expect("title").to_owned())
        .collect()
}

#[actix_web::test]
async fn open_places_are_listed_in_every_format_until_the_shift_fills() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let opened = patch(
        &app,
        &s.admin.access_token,
        &format!("/api/v1/centres/{}", s.centre),
        json!({"guest_signups": true}),
    )
    .await;
    assert_eq!(opened.status, 200, "{}", text(&opened));
    let police = "00000000-0000-7000-8000-000000000001";
    let baking = shift(
        &app,
        &s,
        "Kuchen backen",
        24,
        1,
        json!({"skills": ["baking"]}),
    )
    .await;
    let children = shift(
        &app,
        &s,
        "Spielgruppe",
        48,
        2,
        json!({"required_qualifications": [police]}),
    )
    .await;
    let dishes = shift(&app, &s, "Abwasch", 72, 2, json!({})).await;
    // Sign-ups to this one closed when it began.
    let begun = shift(&app, &s, "Aufbau", 2, 3, json!({})).await;
    let mut conn = app.conn().await;
    diesel::sql_query(format!(
        "UPDATE shifts SET starts_at = now() - interval '1 hour', ends_at = now() + interval '1 hour' \
         WHERE id = '{begun}'"
    ))
    .execute(&mut conn)
    .await
    .expect("begun");
    drop(conn);

    let list = read(&app, "/api/v1/help-wanted", &[]).await;
    assert_eq!(list.status, 200, "{}", text(&list));
    assert_eq!(list.header("cache-control"), Some("public, max-age=60"));
    assert_eq!(list.header("access-control-allow-origin"), Some("*"));
    assert!(
        list.header("content-type")
            .is_some_and(|t| t.starts_with("application/json"))
    );
    let body = list.json();
    assert_eq!(titles(&body), ["Kuchen backen", "Spielgruppe", "Abwasch"]);
    let cake = &body["items"][0];
    assert_eq!(cake["id"], baking.as_str());
    assert_eq!(cake["free_places"], 1);
    assert_eq!(cake["capacity"], 1);
    assert_eq!(cake["skills"], json!(["baking"]));
    assert_eq!(cake["valid_through"], cake["starts_at"]);
    assert_eq!(cake["centre"]["name"], "Bürgerhaus");
    assert_eq!(cake["district"]["name"], "Nordstadt");
    assert_eq!(cake["operator"]["name"], "Träger A");
    assert_eq!(cake["place"]["postcode"], "44135");
    assert_eq!(cake["signup"]["kind"], "guest");
    assert!(
        cake["signup"]["url"]
            .as_str()
            .is_some_and(|u| u.ends_with(&format!("/shifts/{baking}/sign-up?as=guest"))),
        "{}",
        cake["signup"]
    );
    // A qualification keeps guests out: the sign-up is for accounts.
    assert_eq!(body["items"][1]["id"], children.as_str());
    assert_eq!(body["items"][1]["needs_qualifications"], true);
    assert_eq!(body["items"][1]["signup"]["kind"], "account");
    assert_eq!(body["items"][2]["id"], dishes.as_str());

    // Every format lists the same three.
    let atom = read(&app, "/api/v1/help-wanted.atom", &[]).await;
    assert_eq!(atom.status, 200);
    assert!(
        atom.header("content-type")
            .is_some_and(|t| t.starts_with("application/atom+xml"))
    );
    let feed = text(&atom);
    assert_eq!(feed.matches("<entry>").count(), 3, "{feed}");
    assert!(feed.contains(&format!("<id>urn:uuid:{baking}</id>")));
    assert!(feed.contains("Kuchen backen (1 Platz frei)"), "{feed}");
    assert_eq!(feeds::check("atom", &feed).trim(), "valid");
    let ics = read(&app, "/api/v1/help-wanted.ics", &[]).await;
    assert!(
        ics.header("content-type")
            .is_some_and(|t| t.starts_with("text/calendar"))
    );
    let calendar = text(&ics);
    assert_eq!(calendar.matches("BEGIN:VEVENT").count(), 3);
    assert!(
        calendar.contains("SUMMARY:Kuchen backen (1 Platz frei)"),
        "{calendar}"
    );
    assert!(calendar.contains(&format!("UID:{baking}.help-wanted@quartier")));
    let linked = read(&app, "/api/v1/help-wanted.jsonld", &[]).await;
    assert!(
        linked
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/ld+json"))
    );
    let ld = linked.json();
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "ItemList");
    assert_eq!(ld["itemListElement"].as_array().map(Vec::len), Some(3));
    let posting = &ld["itemListElement"][0]["item"];
    assert_eq!(posting["@type"], "JobPosting");
    assert_eq!(posting["employmentType"], "VOLUNTEER");
    assert_eq!(posting["totalJobOpenings"], 1);
    assert_eq!(posting["validThrough"], cake["valid_through"]);
    assert_eq!(posting["jobLocation"]["address"]["postalCode"], "44135");
    // A JSON-LD processor reads three volunteer postings with their deadline out of it.
    let quads = feeds::check("jsonld", &text(&linked));
    assert_eq!(
        quads
            .lines()
            .filter(|l| l.contains(
                "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://schema.org/JobPosting>"
            ))
            .count(),
        3,
        "{quads}"
    );
    assert!(
        quads.contains("<https://schema.org/validThrough>"),
        "{quads}"
    );
    let csv = text(&read(&app, "/api/v1/help-wanted.csv", &[]).await);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[0].starts_with("shift_id,title,starts_at"));
    assert!(lines[1].starts_with(&format!("{baking},Kuchen backen,")));
    // `Accept` chooses as the suffix does, and the answer varies by it.
    let negotiated = read(&app, "/api/v1/help-wanted", &[("accept", "text/calendar")]).await;
    assert_eq!(text(&negotiated), calendar);
    assert!(
        negotiated
            .headers
            .get_all("vary")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|v| v.trim() == "Accept")
    );
    // The Atom feed's `self` is the address that gives Atom without `Accept`.
    let by_accept = text(
        &read(
            &app,
            "/api/v1/help-wanted?limit=5",
            &[("accept", "application/atom+xml")],
        )
        .await,
    );
    assert!(
        by_accept.contains("/api/v1/help-wanted.atom?limit=5\"/>"),
        "{by_accept}"
    );
    // Unchanged, it answers 304.
    let etag = list.header("etag").expect("etag").to_owned();
    let same = read(&app, "/api/v1/help-wanted", &[("if-none-match", &etag)]).await;
    assert_eq!(same.status, 304);
    let atom_etag = atom.header("etag").expect("etag").to_owned();

    // The cake shift fills: gone from every format on the next request, with a new ETag.
    let people = app.volunteers(1).await;
    assert_eq!(
        sign_up(&app, &people[0].1, &baking).await.json()["status"],
        "confirmed"
    );
    let after = read(&app, "/api/v1/help-wanted", &[("if-none-match", &etag)]).await;
    assert_eq!(after.status, 200);
    assert_ne!(after.header("etag"), Some(etag.as_str()));
    assert_eq!(titles(&after.json()), ["Spielgruppe", "Abwasch"]);
    let atom_after = read(
        &app,
        "/api/v1/help-wanted.atom",
        &[("if-none-match", &atom_etag)],
    )
    .await;
    assert_eq!(atom_after.status, 200);
    for (path, gone) in [
        ("/api/v1/help-wanted.atom", format!("urn:uuid:{baking}")),
        ("/api/v1/help-wanted.ics", format!("UID:{baking}")),
        ("/api/v1/help-wanted.jsonld", format!("urn:uuid:{baking}")),
        ("/api/v1/help-wanted.csv", baking.clone()),
    ] {
        let now = text(&read(&app, path, &[]).await);
        assert!(!now.contains(&gone), "{path}: {now}");
        assert!(now.contains(&dishes), "{path}");
    }
    // Another's sign-up for the dishes: one place left, and the entry says so.
    let more = app.volunteers(1).await;
    assert_eq!(
        sign_up(&app, &more[0].1, &dishes).await.json()["status"],
        "confirmed"
    );
    let counted = read(&app, "/api/v1/help-wanted", &[]).await.json();
    assert_eq!(counted["items"][1]["free_places"], 1);
    let moment = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().expect("a time")).expect("RFC 3339")
    };
    assert!(moment(&counted["items"][1]["updated_at"]) > moment(&body["items"][2]["updated_at"]));

    // With people signed up, no format names anyone: not the volunteers, not the staff.
    for path in [
        "/api/v1/help-wanted",
        "/api/v1/help-wanted.atom",
        "/api/v1/help-wanted.ics",
        "/api/v1/help-wanted.jsonld",
        "/api/v1/help-wanted.csv",
    ] {
        let all = text(&read(&app, path, &[]).await);
        for personal in ["@example.org", "Volunteer", "Test Person", "coord"] {
            assert!(!all.contains(personal), "{path} names {personal}: {all}");
        }
    }

    // A cancelled shift wants no help.
    let cancelled = app
        .json(
            Method::PATCH,
            &format!("/api/v1/shifts/{children}"),
            Some(&s.coordinator.access_token),
            &[("if-match", "*")],
            &json!({"status": "cancelled"}),
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", text(&cancelled));
    assert_eq!(
        titles(&read(&app, "/api/v1/help-wanted", &[]).await.json()),
        ["Abwasch"]
    );
}

#[actix_web::test]
async fn the_feed_filters_translates_and_refuses_bad_input() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let baking = shift(
        &app,
        &s,
        "Kuchen backen",
        24,
        2,
        json!({"skills": ["baking"]}),
    )
    .await;
    shift(&app, &s, "Abwasch", 48, 2, json!({})).await;
    let titles_of = |query: &str| {
        let app = &app;
        let path = format!("/api/v1/help-wanted?{query}");
        async move {
            let response = read(app, &path, &[]).await;
            assert_eq!(response.status, 200, "{path}: {}", text(&response));
            titles(&response.json())
        }
    };
    assert_eq!(titles_of("").await, ["Kuchen backen", "Abwasch"]);
    assert_eq!(titles_of("skills=Baking").await, ["Kuchen backen"]);
    assert_eq!(
        titles_of(&format!("operator_id={}", s.operator))
            .await
            .len(),
        2
    );
    assert!(
        titles_of(&format!("operator_id={}", s.other_operator))
            .await
            .is_empty()
    );
    assert_eq!(titles_of(&format!("centre_id={}", s.centre)).await.len(), 2);
    assert!(titles_of("near=51.5,7.4&radius_km=1").await.len() == 2);
    assert!(titles_of("near=48.1,11.6&radius_km=5").await.is_empty());
    assert_eq!(titles_of("limit=1").await, ["Kuchen backen"]);
    let to = (Utc::now() + Duration::hours(30)).format("%Y-%m-%dT%H:%M:%SZ");
    assert_eq!(titles_of(&format!("to={to}")).await, ["Kuchen backen"]);
    assert!(
        titles_of("district_id=00000000-0000-7000-8000-00000000dead")
            .await
            .is_empty()
    );
    // A district's list holds the districts inside it; the inner one's, only its own.
    let nord = app
        .get(&format!("/api/v1/centres/{}", s.centre), None)
        .await
        .json()["district_id"]
        .as_str()
        .expect("district")
        .to_owned();
    let admin = &s.admin.access_token;
    let inner = quartier_tests::id_of(
        &quartier_tests::post(
            &app,
            admin,
            "/api/v1/districts",
            json!({"name": "Hafen", "town": "Musterstadt", "parent_id": nord}),
        )
        .await,
    );
    let harbour = quartier_tests::id_of(
        &quartier_tests::post(
            &app,
            admin,
            "/api/v1/centres",
            json!({
                "operator_id": s.operator, "district_id": inner, "name": "Hafentreff",
                "kind": "community_house",
                "address": {"street": "Kai 2", "postcode": "44139", "town": "Musterstadt"},
                "position": {"latitude": 51.52, "longitude": 7.41},
            }),
        )
        .await,
    );
    let starts_at = Utc::now() + Duration::hours(60);
    let made = quartier_tests::post(
        &app,
        &s.coordinator.access_token,
        "/api/v1/shifts",
        json!({"centre_id": harbour, "title": "Netze flicken", "capacity": 2,
               "starts_at": starts_at, "ends_at": starts_at + Duration::hours(2)}),
    )
    .await;
    assert_eq!(made.status, 201, "{}", text(&made));
    assert_eq!(
        titles_of(&format!("district_id={nord}")).await,
        ["Kuchen backen", "Abwasch", "Netze flicken"]
    );
    assert_eq!(
        titles_of(&format!("district_id={inner}")).await,
        ["Netze flicken"]
    );

    // In English where the shift has it.
    let written = app
        .json(
            Method::PUT,
            &format!("/api/v1/shifts/{baking}/translations/en"),
            Some(&s.coordinator.access_token),
            &[("if-match", "*")],
            &json!({"origin": "human", "texts": {"title": "Baking cakes"}}),
        )
        .await;
    assert_eq!(written.status, 200, "{}", text(&written));
    let english = read(&app, "/api/v1/help-wanted?lang=en", &[]).await;
    assert_eq!(english.header("content-language"), Some("de, en"));
    let body = english.json();
    assert_eq!(titles(&body), ["Baking cakes", "Abwasch", "Netze flicken"]);
    assert_eq!(body["items"][0]["content_language"]["tag"], "en");
    let atom = text(&read(&app, "/api/v1/help-wanted.atom?lang=en", &[]).await);
    assert!(atom.contains("Baking cakes (2 places free)"), "{atom}");
    assert_eq!(feeds::check("atom", &atom).trim(), "valid");

    // Bad input: a clear 422 (or 404 for a format that is not one), never a 500.
    let many_skills = format!("skills={}", "x,".repeat(30));
    for (query, field) in [
        ("limit=0", "query.limit"),
        ("limit=501", "query.limit"),
        ("near=abc", "query.near"),
        ("near=51.5,7.4&radius_km=500", "query.radius_km"),
        (many_skills.as_str(), "skills"),
    ] {
        let refused = read(&app, &format!("/api/v1/help-wanted?{query}"), &[]).await;
        assert_eq!(refused.status, 422, "{query}: {}", text(&refused));
        assert_eq!(refused.json()["errors"][0]["field"], field, "{query}");
    }
    let reversed = read(
        &app,
        "/api/v1/help-wanted?from=2027-03-02T00:00:00Z&to=2027-03-01T00:00:00Z",
        &[],
    )
    .await;
    assert_eq!(reversed.status, 422);
    let nonsense = read(&app, "/api/v1/help-wanted?from=gestern", &[]).await;
    assert_eq!(nonsense.status, 400);
    let unknown = read(&app, "/api/v1/help-wanted.xml", &[]).await;
    unknown.assert_problem(404, "not-found");
}

#[actix_web::test]
async fn whats_on_and_the_centres_directory_are_feeds_too() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let starts = Utc::now() + Duration::days(3);
    let published = |title: &str, status: &str| {
        json!({
            "centre_id": s.centre, "title": title, "category": "coffee_table", "status": status,
            "schedule": {"kind": "once", "starts_at": starts, "ends_at": starts + Duration::hours(2)},
        })
    };
    for (title, status) in [
        ("Erzählcafé", "published"),
        ("Geheimes Treffen", "draft"),
        ("Spieleabend", "published"),
    ] {
        let made = quartier_tests::post(
            &app,
            &s.coordinator.access_token,
            "/api/v1/activities",
            published(title, status),
        )
        .await;
        assert_eq!(made.status, 201, "{}", text(&made));
    }
    let from = Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
    let to = (Utc::now() + Duration::days(10)).format("%Y-%m-%dT%H:%M:%SZ");
    let range = format!("from={from}&to={to}");

    // Only what the public sees, even for the activity's own staff.
    let atom = app
        .send(
            Method::GET,
            &format!("/api/v1/occurrences.atom?{range}"),
            &[(
                "authorization",
                &format!("Bearer {}", s.coordinator.access_token),
            )],
            None,
        )
        .await;
    assert_eq!(atom.status, 200, "{}", text(&atom));
    assert_eq!(atom.header("cache-control"), Some("public, max-age=60"));
    assert_eq!(atom.header("access-control-allow-origin"), Some("*"));
    let feed = text(&atom);
    assert_eq!(feed.matches("<entry>").count(), 2, "{feed}");
    assert!(feed.contains("<title>Erzählcafé</title>"), "{feed}");
    assert!(!feed.contains("Geheimes Treffen"));
    assert_eq!(feeds::check("atom", &feed).trim(), "valid");
    let etag = atom.header("etag").expect("etag").to_owned();
    let again = read(
        &app,
        &format!("/api/v1/occurrences.atom?{range}"),
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, 304);

    let linked = read(&app, &format!("/api/v1/occurrences.jsonld?{range}"), &[]).await;
    assert!(
        linked
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/ld+json"))
    );
    let ld = linked.json();
    assert_eq!(ld["itemListElement"].as_array().map(Vec::len), Some(2));
    let event = &ld["itemListElement"][0]["item"];
    assert_eq!(event["@type"], "Event");
    assert_eq!(event["name"], "Erzählcafé");
    assert_eq!(event["eventStatus"], "https://schema.org/EventScheduled");
    let quads = feeds::check("jsonld", &text(&linked));
    assert!(quads.contains("<https://schema.org/Event>"), "{quads}");

    // A subscribed feed needs no range (it starts now), and a page links the next one.
    let first = read(&app, "/api/v1/occurrences.atom?limit=1", &[]).await;
    assert_eq!(first.status, 200, "{}", text(&first));
    let link = first.header("link").expect("a next page").to_owned();
    let next = link
        .strip_prefix('<')
        .and_then(|l| l.split_once(">; rel=\"next\""))
        .map(|(url, _)| url.to_owned())
        .expect("<…>; rel=\"next\"");
    let first_feed = text(&first);
    assert!(
        first_feed.contains("<title>Erzählcafé</title>"),
        "{first_feed}"
    );
    assert!(first_feed.contains(&format!(
        "<link rel=\"next\" href=\"{}\"/>",
        next.replace('&', "&amp;")
    )));
    assert_eq!(feeds::check("atom", &first_feed).trim(), "valid");
    let path = &next[next.find("/api/v1/").expect("an API path")..];
    let second = read(&app, path, &[]).await;
    let second_feed = text(&second);
    assert!(
        second_feed.contains("<title>Spieleabend</title>"),
        "{second_feed}"
    );
    assert!(second.header("link").is_none());

    // The directory: the centre with its address, as Atom and as linked data.
    let centres = read(&app, "/api/v1/centres.atom", &[]).await;
    assert_eq!(centres.status, 200);
    let directory = text(&centres);
    assert!(
        directory.contains("<title>Bürgerhaus</title>"),
        "{directory}"
    );
    assert!(directory.contains(&format!("<id>urn:uuid:{}</id>", s.centre)));
    assert_eq!(feeds::check("atom", &directory).trim(), "valid");
    let places = read(&app, "/api/v1/centres.jsonld", &[]).await.json();
    let place = &places["itemListElement"][0]["item"];
    assert_eq!(place["@type"], "CivicStructure");
    assert_eq!(place["address"]["postalCode"], "44135");
    assert_eq!(place["geo"]["latitude"], 51.5);
    let quads = feeds::check("jsonld", &serde_json::to_string(&places).expect("json"));
    assert!(
        quads.contains("<https://schema.org/CivicStructure>"),
        "{quads}"
    );

    // Other formats are not feeds of these; bad filters are refused as by the lists.
    read(&app, "/api/v1/centres.csv", &[])
        .await
        .assert_problem(404, "not-found");
    read(&app, &format!("/api/v1/occurrences.rss?{range}"), &[])
        .await
        .assert_problem(404, "not-found");
    let reversed = read(
        &app,
        &format!("/api/v1/occurrences.atom?from={to}&to={from}"),
        &[],
    )
    .await;
    assert_eq!(reversed.status, 422);
    let far = read(
        &app,
        "/api/v1/centres.jsonld?radius_km=500&near=51.5,7.4",
        &[],
    )
    .await;
    assert_eq!(far.status, 422);
}
