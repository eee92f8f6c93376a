//! "What's on": the public search over occurrences and activities, each filter alone and
//! combined, drafts for their staff only, keyset pages, ETags, and dates that began before the
//! range and are still on.

use actix_web::http::Method;
use chrono::{Duration, Utc};
use chrono_tz::Europe::Berlin;
use quartier_tests::{TestApp, created_id, post, town, utc};
use serde_json::{Value, json};

#[actix_web::test]
async fn whats_on_filters_each_alone_and_combined() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let day = (Utc::now() + Duration::days(3))
        .with_timezone(&Berlin)
        .date_naive();
    let once = |centre: &str, title: &str, category: &str, extra: Value| {
        let mut body = json!({
            "centre_id": centre, "title": title, "category": category, "status": "published",
            "schedule": {"kind": "once", "starts_at": utc(day, 14, 0), "ends_at": utc(day, 16, 0)},
        });
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        body
    };
    for (token, body) in [
        (
            &town.coord_a.access_token,
            once(
                &town.a1,
                "Kinderturnen",
                "course",
                json!({"target_groups": ["children"], "languages": ["de"]}),
            ),
        ),
        (
            &town.coord_a.access_token,
            once(
                &town.a2,
                "Seniorenkaffee",
                "coffee_table",
                json!({"target_groups": ["seniors"], "languages": ["de", "tr"], "cost": {"free": false, "amount_cents": 250}}),
            ),
        ),
        (
            &town.coord_a.access_token,
            once(
                &town.a1,
                "Nachbarschaftsfest",
                "project",
                json!({"target_groups": ["all_generations"], "description": "Ein Fest mit Musik"}),
            ),
        ),
        (
            &town.coord_b.access_token,
            once(
                &town.b1,
                "Mietrechtsberatung",
                "counselling",
                json!({"target_groups": ["adults"], "languages": ["tr"]}),
            ),
        ),
        (
            &town.coord_b.access_token,
            once(&town.b1, "Entwurf", "other", json!({"status": "draft"})),
        ),
    ] {
        created_id(&post(&app, token, "/api/v1/activities", body).await);
    }
    let range = format!(
        "from={}&to={}",
        utc(day, 0, 0).format("%Y-%m-%dT%H:%M:%SZ"),
        utc(day + Duration::days(1), 0, 0).format("%Y-%m-%dT%H:%M:%SZ")
    );
    let titles = |query: String| {
        let app = &app;
        let range = range.clone();
        async move {
            let response = app
                .get(&format!("/api/v1/occurrences?{range}&{query}"), None)
                .await;
            assert_eq!(
                response.status,
                200,
                "{query}: {}",
                String::from_utf8_lossy(&response.body)
            );
            let mut titles: Vec<String> = response.json()["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|o| o["title"].as_str().expect("title").to_owned())
                .collect();
            titles.sort();
            titles
        }
    };
    assert_eq!(
        titles(String::new()).await,
        [
            "Kinderturnen",
            "Mietrechtsberatung",
            "Nachbarschaftsfest",
            "Seniorenkaffee"
        ],
        "drafts are not public"
    );
    assert_eq!(
        titles(format!("district_id={}", town.nordstadt)).await,
        ["Kinderturnen", "Nachbarschaftsfest", "Seniorenkaffee"],
        "with sub-districts"
    );
    assert_eq!(
        titles(format!("centre_id={}", town.a2)).await,
        ["Seniorenkaffee"]
    );
    assert_eq!(
        titles("category=counselling".into()).await,
        ["Mietrechtsberatung"]
    );
    assert_eq!(
        titles("target_group=children".into()).await,
        ["Kinderturnen", "Nachbarschaftsfest"],
        "all generations includes children"
    );
    assert_eq!(
        titles("language=TR".into()).await,
        ["Mietrechtsberatung", "Seniorenkaffee"]
    );
    assert_eq!(
        titles("free=true".into()).await,
        ["Kinderturnen", "Mietrechtsberatung", "Nachbarschaftsfest"]
    );
    assert_eq!(
        titles("step_free=true".into()).await,
        ["Kinderturnen", "Nachbarschaftsfest"]
    );
    assert_eq!(titles("q=Musik".into()).await, ["Nachbarschaftsfest"]);
    assert_eq!(
        titles("q=Mietrechtsberatungen".into()).await,
        ["Mietrechtsberatung"],
        "German stemming"
    );
    assert_eq!(
        titles("near=51.40,7.50&radius_km=2".into()).await,
        ["Mietrechtsberatung"]
    );
    assert_eq!(
        titles(format!(
            "district_id={}&language=de&free=true",
            town.nordstadt
        ))
        .await,
        ["Kinderturnen"]
    );
    assert_eq!(
        titles("target_group=seniors&step_free=true".into()).await,
        ["Nachbarschaftsfest"]
    );

    let staff_view = app
        .get(
            &format!("/api/v1/occurrences?{range}&status=draft"),
            Some(&town.coord_b.access_token),
        )
        .await;
    assert_eq!(
        staff_view.json()["items"][0]["title"],
        "Entwurf",
        "staff see their own drafts"
    );
    let other_staff = app
        .get(
            &format!("/api/v1/occurrences?{range}&status=draft"),
            Some(&town.coord_a.access_token),
        )
        .await;
    assert_eq!(
        other_staff.json()["items"],
        json!([]),
        "not another operator's"
    );

    // A list item carries what a list screen shows.
    let page = app
        .get(
            &format!("/api/v1/occurrences?{range}&category=counselling"),
            None,
        )
        .await;
    let item = &page.json()["items"][0];
    assert_eq!(item["centre"]["name"], "Stadtteilbüro Süd");
    assert_eq!(item["district"]["name"], "Süd");
    assert_eq!(item["category"], "counselling");
    assert_eq!(item["cancelled"], false);
    let etag = page.header("etag").expect("etag").to_owned();
    let again = app
        .send(
            Method::GET,
            &format!("/api/v1/occurrences?{range}&category=counselling"),
            &[("if-none-match", &etag)],
            None,
        )
        .await;
    assert_eq!(again.status, 304);

    // Keyset pages: two and two.
    let first = app
        .get(&format!("/api/v1/occurrences?{range}&limit=2"), None)
        .await
        .json();
    let cursor = first["next_cursor"].as_str().expect("more").to_owned();
    let second = app
        .get(
            &format!("/api/v1/occurrences?{range}&limit=2&cursor={cursor}"),
            None,
        )
        .await
        .json();
    assert_eq!(second["items"].as_array().expect("items").len(), 2);
    assert!(second["next_cursor"].is_null());

    // The activity list, with the same filters and each one's next occurrences.
    let list = app.get("/api/v1/activities?language=tr", None).await;
    assert_eq!(list.status, 200);
    let items = list.json()["items"].as_array().expect("items").clone();
    let listed: Vec<&str> = items
        .iter()
        .map(|a| a["title"].as_str().expect("title"))
        .collect();
    assert_eq!(listed, ["Mietrechtsberatung", "Seniorenkaffee"]);
    assert_eq!(
        items[0]["next_occurrences"].as_array().expect("next").len(),
        1
    );
    let cached = app
        .send(
            Method::GET,
            "/api/v1/activities?language=tr",
            &[("if-none-match", list.header("etag").expect("etag"))],
            None,
        )
        .await;
    assert_eq!(cached.status, 304);
}

#[actix_web::test]
async fn whats_on_lists_what_began_before_the_range_and_is_still_on() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let day = (Utc::now() + Duration::days(40)).date_naive();
    let token = town.coord_a.access_token.clone();
    // A twelve-day exhibition, an evening meetup, and a morning that ends before the range
    // starts.
    let once = |title: &'static str, category: &'static str, starts_at, ends_at| {
        let (app, token, centre) = (&app, token.clone(), town.a1.clone());
        async move {
            created_id(
                &post(
                    app,
                    &token,
                    "/api/v1/activities",
                    json!({"centre_id": centre, "title": title, "category": category, "status": "published",
                           "schedule": {"kind": "once", "starts_at": starts_at, "ends_at": ends_at}}),
                )
                .await,
            )
        }
    };
    let tenth = day + Duration::days(10);
    let exhibition = once(
        "Ausstellung Quartiersgeschichte",
        "project",
        utc(day, 9, 0),
        utc(day + Duration::days(12), 18, 0),
    )
    .await;
    let evening = once(
        "Abendtreff",
        "open_meetup",
        utc(tenth, 19, 0),
        utc(tenth, 23, 0),
    )
    .await;
    once(
        "Frühstück",
        "coffee_table",
        utc(tenth, 8, 0),
        utc(tenth, 10, 0),
    )
    .await;
    // From 21:00 on the tenth day: the exhibition (begun ten days before) and the evening
    // (begun two hours before) are on; breakfast is over.
    let from = utc(day + Duration::days(10), 21, 0);
    let path = format!(
        "/api/v1/occurrences?district_id={}&from={}&to={}",
        town.nordstadt,
        from.format("%Y-%m-%dT%H:%M:%SZ"),
        (from + Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ")
    );
    let page = app.get(&path, None).await;
    assert_eq!(page.status, 200, "{}", String::from_utf8_lossy(&page.body));
    let listed: Vec<&str> = page.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["activity_id"].as_str().expect("activity id"))
        .map(|id| {
            if id == exhibition {
                "exhibition"
            } else if id == evening {
                "evening"
            } else {
                "other"
            }
        })
        .collect();
    assert_eq!(listed, ["exhibition", "evening"]);
    // So does the list of one activity's occurrences.
    let feed = app
        .get(
            &format!(
                "/api/v1/activities/{exhibition}/occurrences?from={}&to={}",
                from.format("%Y-%m-%dT%H:%M:%SZ"),
                (from + Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ")
            ),
            None,
        )
        .await;
    assert_eq!(feed.json()["items"].as_array().map(Vec::len), Some(1));
}
