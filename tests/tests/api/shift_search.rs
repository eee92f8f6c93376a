//! Finding shifts: by skill, by free places, and the ones a volunteer may take (qualified, not
//! clashing, not full); never a volunteer's name or address in the list.

use chrono::{Duration, Utc};
use quartier_tests::{TestApp, id_of, post, setup, shift, sign_up};
use serde_json::json;

#[actix_web::test]
async fn finding_shifts_by_skill_free_places_and_what_one_may_take() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let police = "00000000-0000-7000-8000-000000000001";
    let kitchen = shift(
        &app,
        &s,
        "Kuchen backen",
        24,
        1,
        json!({"skills": ["Baking"]}),
    )
    .await;
    let children = shift(
        &app,
        &s,
        "Spielgruppe",
        48,
        2,
        json!({"skills": ["childcare"], "required_qualifications": [police]}),
    )
    .await;
    let clash = shift(&app, &s, "Abwasch", 72, 2, json!({})).await;
    let busy = {
        let starts_at = Utc::now() + Duration::hours(73);
        id_of(&post(&app, &s.coordinator.access_token, "/api/v1/shifts",
            json!({"centre_id": s.centre, "title": "Gartenarbeit", "capacity": 3, "starts_at": starts_at, "ends_at": starts_at + Duration::hours(2)})).await)
    };
    let people = app.volunteers(2).await;
    // The kitchen shift fills up; the volunteer takes the garden shift, which clashes with the dishes.
    assert_eq!(
        sign_up(&app, &people[1].1, &kitchen).await.json()["status"],
        "confirmed"
    );
    assert_eq!(
        sign_up(&app, &people[0].1, &busy).await.json()["status"],
        "confirmed"
    );

    let from = (Utc::now()).format("%Y-%m-%dT%H:%M:%SZ");
    let to = (Utc::now() + Duration::days(7)).format("%Y-%m-%dT%H:%M:%SZ");
    let titles = |query: String, token: Option<String>| {
        let app = &app;
        let (from, to) = (from.to_string(), to.to_string());
        async move {
            let response = app
                .get(
                    &format!("/api/v1/shifts?from={from}&to={to}&{query}"),
                    token.as_deref(),
                )
                .await;
            assert_eq!(
                response.status,
                200,
                "{query}: {}",
                String::from_utf8_lossy(&response.body)
            );
            let text = String::from_utf8_lossy(&response.body).to_string();
            assert!(!text.contains("volunteer-"), "never names or addresses");
            response.json()["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|s| s["title"].as_str().expect("title").to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        titles(String::new(), None).await,
        ["Kuchen backen", "Spielgruppe", "Abwasch", "Gartenarbeit"]
    );
    assert_eq!(
        titles("skills=baking".into(), None).await,
        ["Kuchen backen"]
    );
    assert_eq!(
        titles("skills=Childcare,gardening".into(), None).await,
        ["Spielgruppe"]
    );
    assert_eq!(
        titles("has_free_places=true".into(), None).await,
        ["Spielgruppe", "Abwasch", "Gartenarbeit"]
    );
    // For this volunteer: not the full one (nor any they hold), not the one needing a
    // certificate, not the one clashing with their garden shift.
    assert_eq!(
        titles(
            "eligible=true&has_free_places=true".into(),
            Some(people[0].1.clone())
        )
        .await,
        Vec::<String>::new()
    );
    assert_eq!(
        titles("eligible=true".into(), Some(people[1].1.clone())).await,
        ["Abwasch", "Gartenarbeit"]
    );
    let anonymous = app
        .get(
            &format!("/api/v1/shifts?from={from}&to={to}&eligible=true"),
            None,
        )
        .await;
    anonymous.assert_problem(401, "unauthenticated");
    let _ = (children, clash);
}
