//! Tenant-safe activities: staff of one operator cannot create, change or even see another
//! operator's drafts and dates, and a published activity is public but still not theirs to
//! change.

use chrono::{Duration, Utc};
use chrono_tz::Europe::Berlin;
use quartier_tests::{TestApp, created_id, occurrences, patch, post, town, weekly};
use serde_json::json;

#[actix_web::test]
async fn staff_of_one_operator_cannot_touch_another_operators_activities() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;
    let start = (Utc::now() + Duration::days(2))
        .with_timezone(&Berlin)
        .date_naive();
    let mut draft = weekly(
        &town.a1,
        "Geheimer Entwurf",
        &format!("{start}T10:00:00"),
        "FREQ=WEEKLY;COUNT=2",
    );
    draft["status"] = json!("draft");
    let id = created_id(
        &post(
            &app,
            &town.coord_a.access_token,
            "/api/v1/activities",
            draft,
        )
        .await,
    );
    let occurrence: String = {
        let list = occurrences(
            &app,
            Some(&town.coord_a.access_token),
            &id,
            Utc::now(),
            Utc::now() + Duration::days(30),
        )
        .await;
        list[0]["id"].as_str().expect("id").to_owned()
    };
    let intruder = &town.coord_b.access_token;

    let create = post(
        &app,
        intruder,
        "/api/v1/activities",
        weekly(
            &town.a1,
            "Fremd",
            &format!("{start}T10:00:00"),
            "FREQ=WEEKLY",
        ),
    )
    .await;
    create.assert_problem(403, "forbidden");
    let update = patch(
        &app,
        intruder,
        &format!("/api/v1/activities/{id}"),
        json!({"title": "Übernommen"}),
    )
    .await;
    // A draft of another operator does not exist for them: not even its id is confirmed.
    update.assert_problem(404, "not-found");
    let occurrence_update = patch(
        &app,
        intruder,
        &format!("/api/v1/occurrences/{occurrence}"),
        json!({"note": "Übernommen"}),
    )
    .await;
    occurrence_update.assert_problem(404, "not-found");
    for path in [
        format!("/api/v1/activities/{id}"),
        format!("/api/v1/activities/{id}/occurrences"),
        format!("/api/v1/activities/{id}/calendar.ics"),
        format!("/api/v1/occurrences/{occurrence}"),
    ] {
        app.get(&path, Some(intruder))
            .await
            .assert_problem(404, "not-found");
        app.get(&path, None).await.assert_problem(404, "not-found");
        assert_eq!(
            app.get(&path, Some(&town.coord_a.access_token))
                .await
                .status,
            200,
            "{path}"
        );
    }
    let unknown = post(
        &app,
        intruder,
        "/api/v1/activities",
        weekly(
            "018f0000-0000-7000-8000-000000000000",
            "X",
            &format!("{start}T10:00:00"),
            "FREQ=WEEKLY",
        ),
    )
    .await;
    assert_eq!(unknown.problem_fields(), ["centre_id"]);
    assert_eq!(
        app.count("activities", "title = 'Geheimer Entwurf'").await,
        1
    );
    assert_eq!(app.count("occurrences", "note IS NOT NULL").await, 0);
    assert_eq!(
        app.count("activities", "true").await,
        1,
        "nothing else was created"
    );

    // A member without a role cannot see the draft either; the admin may change it.
    let member = app.signed_up("resident@example.org").await;
    patch(
        &app,
        &member.access_token,
        &format!("/api/v1/activities/{id}"),
        json!({"title": "X"}),
    )
    .await
    .assert_problem(404, "not-found");
    let published = patch(
        &app,
        &town.admin.access_token,
        &format!("/api/v1/activities/{id}"),
        json!({"status": "published"}),
    )
    .await;
    assert_eq!(published.status, 200);
    // Published, it is public, and still not theirs to change.
    for (path, body) in [
        (
            format!("/api/v1/activities/{id}"),
            json!({"title": "Übernommen"}),
        ),
        (
            format!("/api/v1/occurrences/{occurrence}"),
            json!({"note": "Übernommen"}),
        ),
    ] {
        patch(&app, intruder, &path, body)
            .await
            .assert_problem(403, "forbidden");
    }
    assert_eq!(app.count("activities", "title = 'Übernommen'").await, 0);
    assert_eq!(app.count("occurrences", "note IS NOT NULL").await, 0);
    assert_eq!(
        app.get(&format!("/api/v1/activities/{id}"), None)
            .await
            .status,
        200
    );
}
