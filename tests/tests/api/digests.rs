//! Daily digests through a real SMTP server: "help wanted near you" for volunteers who asked
//! for it, by their districts and skills; staff's daily summary of late cancellations and
//! shifts still short. One of each a day, whatever runs the queueing how often.

use chrono::Utc;
use quartier_tests::{SmtpSink, TestApp, patch, post, setup, shift, sign_up};
use serde_json::json;

/// Queues the day's digests as if the digest hour were the current one.
async fn queue(app: &TestApp) -> usize {
    use chrono::Timelike as _;
    let hour = Utc::now().with_timezone(&chrono_tz::Europe::Berlin).hour();
    quartier_api::mail::worker::queue_digests(&app.pool, hour, Utc::now())
        .await
        .expect("queue the digests")
}

#[actix_web::test]
async fn volunteers_who_ask_get_help_wanted_and_staff_their_summary_once_a_day() {
    let sink = SmtpSink::start();
    let app = TestApp::mailing_to(&sink, &[]).await;
    let s = setup(&app).await;
    let district = app
        .get(&format!("/api/v1/centres/{}", s.centre), None)
        .await
        .json()["district_id"]
        .as_str()
        .expect("district")
        .to_owned();

    // The centre's district lies inside a larger one.
    let larger = post(
        &app,
        &s.admin.access_token,
        "/api/v1/districts",
        json!({"name": "Innenstadt-Nord", "town": "Musterstadt"}),
    )
    .await
    .json()["id"]
        .as_str()
        .expect("district")
        .to_owned();
    let nested = patch(
        &app,
        &s.admin.access_token,
        &format!("/api/v1/districts/{district}"),
        json!({"parent_id": larger}),
    )
    .await;
    assert_eq!(
        nested.status,
        200,
        "{}",
        String::from_utf8_lossy(&nested.body)
    );

    // Vera helps in the larger district and asks for the digest; Nina does not ask.
    let vera = app.signed_up("vera@example.org").await;
    let nina = app.signed_up("nina@example.org").await;
    for (volunteer, area) in [(&vera, &larger), (&nina, &district)] {
        let profile = patch(
            &app,
            &volunteer.access_token,
            "/api/v1/me/profile",
            json!({"district_ids": [area]}),
        )
        .await;
        assert_eq!(
            profile.status,
            200,
            "{}",
            String::from_utf8_lossy(&profile.body)
        );
    }
    let preferences = app
        .get(
            "/api/v1/me/notification-preferences",
            Some(&vera.access_token),
        )
        .await
        .json();
    assert_eq!(
        preferences["help_wanted"]["delivery"], "off",
        "asked for, not sent by default"
    );
    assert_eq!(preferences["staff_summary"]["delivery"], "daily_digest");
    let put = |token: String, body: serde_json::Value| {
        let app = &app;
        async move {
            app.json(
                actix_web::http::Method::PUT,
                "/api/v1/me/notification-preferences",
                Some(&token),
                &[],
                &body,
            )
            .await
        }
    };
    let immediate = put(
        vera.access_token.clone(),
        json!({"shift_reminder": {"delivery": "immediate", "lead_hours": 24},
               "help_wanted": {"delivery": "immediate"}}),
    )
    .await;
    immediate.assert_problem(422, "validation-failed");
    let asked = put(
        vera.access_token.clone(),
        json!({"shift_reminder": {"delivery": "immediate", "lead_hours": 24},
               "help_wanted": {"delivery": "daily_digest"}}),
    )
    .await;
    assert_eq!(
        asked.status,
        200,
        "{}",
        String::from_utf8_lossy(&asked.body)
    );
    assert_eq!(asked.json()["help_wanted"]["delivery"], "daily_digest");
    // A client that knows only reminders leaves the digests as they are.
    let reminders_only = put(
        vera.access_token.clone(),
        json!({"shift_reminder": {"delivery": "immediate", "lead_hours": 48}}),
    )
    .await;
    assert_eq!(
        reminders_only.json()["help_wanted"]["delivery"],
        "daily_digest"
    );
    assert_eq!(reminders_only.json()["shift_reminder"]["lead_hours"], 48);

    // Open in three days; one needing a qualification Vera lacks; one full.
    shift(&app, &s, "Suppenküche", 72, 3, json!({})).await;
    shift(
        &app,
        &s,
        "Kinderbetreuung",
        80,
        3,
        json!({"required_qualifications": ["00000000-0000-7000-8000-000000000001"]}),
    )
    .await;
    let full = shift(&app, &s, "Ausgebucht", 90, 1, json!({})).await;
    assert_eq!(sign_up(&app, &nina.access_token, &full).await.status, 201);
    // Within 48 hours: a late cancellation, and a shift still short.
    let soon = shift(&app, &s, "Morgen früh", 20, 2, json!({})).await;
    let placed = sign_up(&app, &nina.access_token, &soon).await.json();
    let cancelled = post(
        &app,
        &nina.access_token,
        &format!(
            "/api/v1/signups/{}/cancel",
            placed["id"].as_str().expect("id")
        ),
        json!({}),
    )
    .await;
    assert_eq!(cancelled.json()["late_cancellation"], true);

    let queued = queue(&app).await;
    // Vera's help wanted, and the coordinator's summary of operator A (operator B has
    // nothing to tell its coordinator).
    assert_eq!(queued, 2);
    assert_eq!(queue(&app).await, 0, "once a day");

    let help = sink.wait_for("vera@example.org", 2).await;
    let help = help
        .iter()
        .find(|m| m.subject() == "Hilfe gesucht in Ihrer Nähe")
        .expect("the help-wanted digest");
    assert!(help.text().contains("Suppenküche"), "{}", help.text());
    assert!(
        help.text().contains("Morgen früh"),
        "short shifts too: {}",
        help.text()
    );
    assert!(
        !help.text().contains("Kinderbetreuung"),
        "she lacks the qualification"
    );
    assert!(
        !help.text().contains("Ausgebucht"),
        "full shifts are not listed"
    );
    assert!(
        help.header("List-Unsubscribe")
            .is_some_and(|h| h.contains("help_wanted"))
    );
    assert_eq!(
        help.header("List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    assert!(
        help.text()
            .contains("https://app.nordstadt.example/shifts/")
    );
    assert!(help.html().contains("<li><a href="));

    let summary = sink
        .wait_for("coord@example.org", 2)
        .await
        .into_iter()
        .find(|m| m.subject() == "Tagesübersicht: Träger A")
        .expect("the staff summary");
    let text = summary.text();
    let late = text
        .find("Kurzfristige Absagen")
        .expect("late cancellations");
    let short = text
        .find("In den nächsten 48 Stunden")
        .expect("short shifts");
    assert!(text[late..short].contains("- Morgen früh, "), "{text}");
    assert!(text[late..short].contains("Bürgerhaus: 1 Absage"), "{text}");
    assert!(text[short..].contains("- Morgen früh, "), "{text}");
    assert!(
        text[short..].contains("Bürgerhaus: 2 Plätze frei"),
        "{text}"
    );
    assert!(
        !text[short..].contains("Suppenküche"),
        "three days ahead is not short yet"
    );

    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        sink.to("nina@example.org")
            .iter()
            .all(|m| !m.subject().starts_with("Hilfe gesucht")),
        "not asked for"
    );
    assert!(
        sink.to("other@example.org")
            .iter()
            .all(|m| !m.subject().starts_with("Tagesübersicht"))
    );
    assert_eq!(
        app.count("notifications", "kind IN ('help_wanted', 'staff_summary')")
            .await,
        2
    );
}
