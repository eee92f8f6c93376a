//! The occurrence horizon: recurring activities are planned a year ahead, the background task
//! and parallel instances move it forward without planning a date twice, and a one-off event
//! beyond it still has its occurrence.

use chrono::{Duration, Utc};
use chrono_tz::Europe::Berlin;
use quartier_tests::{TestApp, at, created_id, occurrences, post, town, utc, weekly};
use serde_json::json;

/// As if the horizon of activity `id` had stood still: occurrences only 60 days ahead.
async fn rewind_horizon(app: &TestApp, id: &str) {
    use diesel_async::RunQueryDsl;
    let mut conn = app.conn().await;
    for sql in [
        format!(
            "DELETE FROM occurrences WHERE activity_id = '{id}' AND starts_at > now() + interval '60 days'"
        ),
        format!(
            "UPDATE activities SET materialized_until = now() + interval '60 days' WHERE id = '{id}'"
        ),
    ] {
        diesel::sql_query(sql)
            .execute(&mut conn)
            .await
            .expect("rewind");
    }
}

#[actix_web::test]
async fn the_horizon_moves_forward_in_the_background_and_in_parallel() {
    let app = TestApp::spawn_with(&[("QUARTIER_HORIZON_INTERVAL_SECS", "1")]).await;
    let town = town(&app).await;
    let today = Utc::now().with_timezone(&Berlin).date_naive() + Duration::days(1);
    let id = created_id(
        &post(
            &app,
            &town.coord_a.access_token,
            "/api/v1/activities",
            weekly(
                &town.a1,
                "Wöchentlich",
                &format!("{today}T10:00:00"),
                "FREQ=WEEKLY",
            ),
        )
        .await,
    );
    let full = app
        .count("occurrences", &format!("activity_id = '{id}'"))
        .await;
    assert!((52..=53).contains(&full), "a year ahead: {full}");

    // As if the horizon had stood still for months: the background task catches up.
    rewind_horizon(&app, &id).await;
    let mut restored = 0;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        restored = app
            .count("occurrences", &format!("activity_id = '{id}'"))
            .await;
        if restored == full {
            break;
        }
    }
    assert_eq!(restored, full);

    // Many instances at once: every occurrence exactly once.
    rewind_horizon(&app, &id).await;
    let pool = app.pool.clone();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move {
                quartier_api::horizon::extend_once(&pool, Duration::days(365)).await
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task").expect("extend");
    }
    assert_eq!(
        app.count("occurrences", &format!("activity_id = '{id}'"))
            .await,
        full
    );
}

#[actix_web::test]
async fn a_one_off_event_beyond_the_horizon_has_its_occurrence() {
    let app = TestApp::spawn_with(&[("QUARTIER_OCCURRENCE_HORIZON_DAYS", "30")]).await;
    let town = town(&app).await;
    let day = (Utc::now() + Duration::days(200)).date_naive();
    let id = created_id(
        &post(
            &app,
            &town.coord_a.access_token,
            "/api/v1/activities",
            json!({"centre_id": town.a1, "title": "Herbstfest", "category": "project", "status": "published",
                   "schedule": {"kind": "once", "starts_at": utc(day, 12, 0), "ends_at": utc(day, 18, 0)}}),
        )
        .await,
    );
    let found = occurrences(
        &app,
        None,
        &id,
        utc(day, 0, 0),
        utc(day + Duration::days(1), 0, 0),
    )
    .await;
    assert_eq!(found.len(), 1);
    assert_eq!(at(&found[0]["starts_at"]), utc(day, 12, 0));
}
