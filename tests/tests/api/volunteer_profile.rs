//! What volunteers keep and see of their own: a profile, their coming and past sign-ups, the
//! hours they can prove, and a secret, revocable calendar feed of their confirmed shifts.

use actix_web::http::Method;
use quartier_tests::{TestApp, post, setup, shift, sign_up};
use serde_json::json;

#[actix_web::test]
async fn volunteers_keep_a_profile_see_their_sign_ups_and_prove_their_hours() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let helga = app.signed_up("helga@example.org").await;
    let token = &helga.access_token;

    let empty = app.get("/api/v1/me/profile", Some(token)).await;
    assert_eq!(empty.json()["version"], 0);
    assert_eq!(empty.json()["contact_by"], "email");
    let sms_without_phone = app
        .json(
            Method::PATCH,
            "/api/v1/me/profile",
            Some(token),
            &[("if-match", "\"0\"")],
            &json!({"contact_by": "sms"}),
        )
        .await;
    assert_eq!(sms_without_phone.problem_fields(), ["contact_by"]);
    let saved = app
        .json(
            Method::PATCH,
            "/api/v1/me/profile",
            Some(token),
            &[("if-match", "\"0\"")],
            &json!({"phone": "+49 231 1234567", "languages": ["de", "TR"], "skills": ["Baking", "childcare", "baking"],
                    "availability": "Dienstags nachmittags", "contact_by": "sms"}),
        )
        .await;
    assert_eq!(
        saved.status,
        200,
        "{}",
        String::from_utf8_lossy(&saved.body)
    );
    assert_eq!(saved.json()["skills"], json!(["baking", "childcare"]));
    assert_eq!(saved.json()["languages"], json!(["de", "tr"]));
    assert_eq!(saved.json()["version"], 1);
    app.json(
        Method::PATCH,
        "/api/v1/me/profile",
        Some(token),
        &[("if-match", "\"0\"")],
        &json!({"availability": "x"}),
    )
    .await
    .assert_problem(412, "version-conflict");
    app.json(
        Method::PATCH,
        "/api/v1/me/profile",
        Some(token),
        &[("if-match", "*")],
        &json!({"district_ids": ["018f0000-0000-7000-8000-000000000000"]}),
    )
    .await
    .assert_problem(422, "validation-failed");

    // Two coming shifts and one that is over and attended.
    let first = shift(&app, &s, "Aufbau", 24, 2, json!({})).await;
    let second = shift(&app, &s, "Abbau", 30, 2, json!({})).await;
    let done = shift(&app, &s, "Flohmarkt", 5, 2, json!({})).await;
    for shift_id in [&first, &second, &done] {
        assert_eq!(sign_up(&app, token, shift_id).await.status, 201);
    }
    {
        use diesel_async::RunQueryDsl;
        let mut conn = app.conn().await;
        for sql in [
            format!(
                "UPDATE shifts SET starts_at = now() - interval '5 hours', ends_at = now() - interval '2 hours' WHERE id = '{done}'"
            ),
            format!(
                "UPDATE signups SET starts_at = now() - interval '5 hours', ends_at = now() - interval '2 hours' WHERE shift_id = '{done}'"
            ),
        ] {
            diesel::sql_query(sql)
                .execute(&mut conn)
                .await
                .expect("over");
        }
    }
    let signup = app.count("signups", &format!("shift_id = '{done}'")).await;
    assert_eq!(signup, 1);
    let done_signup = {
        let page = app
            .get("/api/v1/me/signups?past=true", Some(token))
            .await
            .json();
        assert_eq!(page["items"].as_array().expect("items").len(), 1);
        assert_eq!(page["items"][0]["shift_title"], "Flohmarkt");
        page["items"][0]["id"].as_str().expect("id").to_owned()
    };
    let attended = app
        .json(
            Method::POST,
            &format!("/api/v1/signups/{done_signup}/attendance"),
            Some(&s.coordinator.access_token),
            &[],
            &json!({"attended": true, "minutes_worked": 200}),
        )
        .await;
    assert_eq!(attended.status, 200);

    let coming = app
        .get("/api/v1/me/signups?limit=1", Some(token))
        .await
        .json();
    assert_eq!(coming["items"][0]["shift_title"], "Aufbau");
    assert_eq!(coming["items"][0]["centre"]["name"], "Bürgerhaus");
    let cursor = coming["next_cursor"].as_str().expect("more");
    let next = app
        .get(
            &format!("/api/v1/me/signups?limit=1&cursor={cursor}"),
            Some(token),
        )
        .await
        .json();
    assert_eq!(next["items"][0]["shift_title"], "Abbau");
    assert!(next["next_cursor"].is_null());

    let hours = app.get("/api/v1/me/hours", Some(token)).await.json();
    assert_eq!(hours[0]["operator"]["name"], "Träger A");
    assert_eq!(hours[0]["shifts"], 1);
    assert_eq!(hours[0]["minutes"], 200);
    assert_eq!(hours[0]["hours"], 3.25);
    // Nobody else sees them.
    let (_, stranger) = app.volunteers(1).await.remove(0);
    assert_eq!(
        app.get("/api/v1/me/hours", Some(&stranger)).await.json(),
        json!([])
    );
    assert_eq!(
        app.get("/api/v1/me/signups", Some(&stranger)).await.json()["items"],
        json!([])
    );
}

#[actix_web::test]
async fn a_secret_revocable_calendar_feed_shows_a_volunteers_confirmed_shifts() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let helga = app.signed_up("helga@example.org").await;
    let token = &helga.access_token;
    let confirmed = shift(&app, &s, "Tische decken", 24, 2, json!({})).await;
    let full = shift(&app, &s, "Einlass", 48, 1, json!({})).await;
    let (_, someone) = app.volunteers(1).await.remove(0);
    assert_eq!(sign_up(&app, &someone, &full).await.status, 201);
    assert_eq!(
        sign_up(&app, token, &confirmed).await.json()["status"],
        "confirmed"
    );
    assert_eq!(
        sign_up(&app, token, &full).await.json()["status"],
        "waitlisted"
    );

    let made = post(&app, token, "/api/v1/me/calendar-feed", json!({})).await;
    assert_eq!(made.status, 201);
    let url = made.json()["url"].as_str().expect("url").to_owned();
    let path = &url[url.find("/api/v1/").expect("path")..];
    let feed = app.get(path, None).await;
    assert_eq!(feed.status, 200);
    let calendars: Vec<_> = ical::IcalParser::new(feed.body.as_slice())
        .collect::<Result<_, _>>()
        .expect("valid iCalendar");
    let events = &calendars[0].events;
    assert_eq!(
        events.len(),
        1,
        "the confirmed shift, not the waitlisted one"
    );
    let summary = events[0]
        .properties
        .iter()
        .find(|p| p.name == "SUMMARY")
        .and_then(|p| p.value.clone())
        .expect("summary");
    assert!(summary.starts_with("Tische decken"), "{summary}");
    assert_eq!(app.count("calendar_feeds", "true").await, 1);
    assert_eq!(
        app.count(
            "calendar_feeds",
            &format!(
                "position('{}' in encode(token_hash, 'escape')) > 0",
                &path[path.find("token=").expect("token") + 6..]
            )
        )
        .await,
        0,
        "only the hash is stored"
    );

    // A new address replaces the old; a revoked one stops working.
    let renewed = post(&app, token, "/api/v1/me/calendar-feed", json!({})).await;
    let new_url = renewed.json()["url"].as_str().expect("url").to_owned();
    app.get(path, None).await.assert_problem(404, "not-found");
    let new_path = &new_url[new_url.find("/api/v1/").expect("path")..];
    assert_eq!(app.get(new_path, None).await.status, 200);
    let revoked = app
        .send(
            Method::DELETE,
            "/api/v1/me/calendar-feed",
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
        .await;
    assert_eq!(revoked.status, 204);
    app.get(new_path, None)
        .await
        .assert_problem(404, "not-found");
    app.get("/api/v1/me/calendar.ics?token=guessed", None)
        .await
        .assert_problem(404, "not-found");
}
