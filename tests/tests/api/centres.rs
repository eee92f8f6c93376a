//! Centres: the public directory and its filters, and tenant-safe changes.

use actix_web::http::Method;
use quartier_tests::{TestApp, TestResponse, TestUser, post};
use serde_json::{Value, json};

/// A small town: Nordstadt with the sub-district Hafen, and Süd; operators A and B; an
/// operator admin and a coordinator of A; three centres.
struct Town {
    admin: TestUser,
    boss: TestUser,
    coordinator: TestUser,
    nordstadt: String,
    sued: String,
    operator_a: String,
    operator_b: String,
    buergerhaus: String,
    wohncafe: String,
    buero_sued: String,
}

async fn created_id(response: TestResponse) -> String {
    assert_eq!(response.status, 201, "{:?}", response.json());
    response.json()["id"].as_str().expect("id").to_owned()
}

fn centre_body(
    operator: &str,
    district: &str,
    name: &str,
    kind: &str,
    description: &str,
    position: (f64, f64),
) -> Value {
    json!({
        "operator_id": operator, "district_id": district, "name": name, "kind": kind, "description": description,
        "address": {"street": "Marktplatz 1", "postcode": "44135", "town": "Musterstadt"},
        "position": {"latitude": position.0, "longitude": position.1},
    })
}

async fn town(app: &TestApp) -> Town {
    let admin = app.admin().await;
    let token = admin.access_token.clone();
    let district = |name: &'static str, parent: Option<String>| {
        let token = token.clone();
        async move {
            created_id(
                post(
                    app,
                    &token,
                    "/api/v1/districts",
                    json!({"name": name, "town": "Musterstadt", "parent_id": parent}),
                )
                .await,
            )
            .await
        }
    };
    let nordstadt = district("Nordstadt", None).await;
    let hafen = district("Hafen", Some(nordstadt.clone())).await;
    let sued = district("Süd", None).await;
    let operator_a = created_id(
        post(
            app,
            &token,
            "/api/v1/operators",
            json!({"name": "Träger A", "kind": "association"}),
        )
        .await,
    )
    .await;
    let operator_b = created_id(
        post(
            app,
            &token,
            "/api/v1/operators",
            json!({"name": "Träger B", "kind": "municipality"}),
        )
        .await,
    )
    .await;
    let boss = app.signed_up("boss@example.org").await;
    let coordinator = app.signed_up("coord@example.org").await;
    for (email, role) in [
        ("boss@example.org", "operator_admin"),
        ("coord@example.org", "coordinator"),
    ] {
        let added = post(
            app,
            &token,
            &format!("/api/v1/operators/{operator_a}/members"),
            json!({"email": email, "role": role}),
        )
        .await;
        assert_eq!(added.status, 201);
    }

    let mut buergerhaus = centre_body(
        &operator_a,
        &nordstadt,
        "Bürgerhaus Nordstadt",
        "community_house",
        "Offener Treff mit Kuchen",
        (51.52, 7.46),
    );
    buergerhaus["languages"] = json!(["de", "TR"]);
    buergerhaus["accessibility"] = json!({"step_free": true, "accessible_toilet": true});
    buergerhaus["contact"] = json!({"user_id": coordinator.id, "role": "Quartiersmanagerin"});
    let buergerhaus =
        created_id(post(app, &boss.access_token, "/api/v1/centres", buergerhaus).await).await;
    let wohncafe = created_id(
        post(
            app,
            &boss.access_token,
            "/api/v1/centres",
            centre_body(
                &operator_a,
                &hafen,
                "WohnCafé am Hafen",
                "wohncafe",
                "Kaffeeklatsch für Senioren",
                (51.53, 7.44),
            ),
        )
        .await,
    )
    .await;
    let buero_sued = created_id(
        post(
            app,
            &token,
            "/api/v1/centres",
            centre_body(
                &operator_b,
                &sued,
                "Stadtteilbüro Süd",
                "district_office",
                "Beratung",
                (51.40, 7.50),
            ),
        )
        .await,
    )
    .await;
    Town {
        admin,
        boss,
        coordinator,
        nordstadt,
        sued,
        operator_a,
        operator_b,
        buergerhaus,
        wohncafe,
        buero_sued,
    }
}

async fn names(app: &TestApp, query: &str) -> Vec<String> {
    let response = app.get(&format!("/api/v1/centres?{query}"), None).await;
    assert_eq!(response.status, 200, "{query}: {:?}", response.json());
    response.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["name"].as_str().expect("name").to_owned())
        .collect()
}

#[actix_web::test]
async fn the_public_sees_centres_with_their_contact_by_name_and_role_only() {
    let app = TestApp::spawn().await;
    let town = town(&app).await;

    let centre = app
        .get(&format!("/api/v1/centres/{}", town.buergerhaus), None)
        .await;

    assert_eq!(centre.status, 200);
    let body = centre.json();
    assert_eq!(
        body["contact"],
        json!({"name": "Test Person", "role": "Quartiersmanagerin"})
    );
    assert_eq!(body["languages"], json!(["de", "tr"]));
    assert_eq!(body["accessibility"]["step_free"], true);
    assert_eq!(body["address"]["postcode"], "44135");
    assert!(
        !String::from_utf8_lossy(&centre.body).contains("coord@example.org"),
        "no e-mail of the contact"
    );
    let cached = app
        .send(
            Method::GET,
            &format!("/api/v1/centres/{}", town.buergerhaus),
            &[("if-none-match", "\"1\"")],
            None,
        )
        .await;
    assert_eq!(cached.status, 304);
}

#[actix_web::test]
async fn the_directory_filters_by_district_operator_kind_accessibility_language_and_text() {
    let app = TestApp::spawn().await;
    let t = town(&app).await;

    assert_eq!(
        names(&app, "").await,
        [
            "Bürgerhaus Nordstadt",
            "Stadtteilbüro Süd",
            "WohnCafé am Hafen"
        ]
    );
    assert_eq!(
        names(&app, &format!("district_id={}", t.nordstadt)).await,
        ["Bürgerhaus Nordstadt", "WohnCafé am Hafen"],
        "sub-districts count"
    );
    assert_eq!(
        names(&app, &format!("district_id={}", t.sued)).await,
        ["Stadtteilbüro Süd"]
    );
    assert_eq!(
        names(&app, &format!("operator_id={}", t.operator_b)).await,
        ["Stadtteilbüro Süd"]
    );
    assert_eq!(names(&app, "kind=wohncafe").await, ["WohnCafé am Hafen"]);
    assert_eq!(
        names(&app, "step_free=true&accessible_toilet=true").await,
        ["Bürgerhaus Nordstadt"]
    );
    assert_eq!(names(&app, "language=TR").await, ["Bürgerhaus Nordstadt"]);
    assert_eq!(
        names(&app, "q=Senior").await,
        ["WohnCafé am Hafen"],
        "German stemming: Senior finds Senioren"
    );
    assert_eq!(names(&app, "q=Treffs").await, ["Bürgerhaus Nordstadt"]);
    assert_eq!(
        names(&app, "q=b%C3%BCrgerhaus").await,
        ["Bürgerhaus Nordstadt"],
        "umlauts"
    );
    assert_eq!(
        names(&app, "q=Beratung%20-Kuchen").await,
        ["Stadtteilbüro Süd"]
    );
    assert!(names(&app, "q=Schwimmbad").await.is_empty());
}

#[actix_web::test]
async fn near_a_point_the_nearest_come_first_within_the_radius() {
    let app = TestApp::spawn().await;
    let t = town(&app).await;

    let nearby = app
        .get("/api/v1/centres?near=51.52,7.46&radius_km=5", None)
        .await;
    let everything = names(&app, "near=51.52,7.46&radius_km=50").await;

    let items = nearby.json()["items"].as_array().expect("items").clone();
    let found: Vec<&str> = items
        .iter()
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert_eq!(found, ["Bürgerhaus Nordstadt", "WohnCafé am Hafen"]);
    assert_eq!(items[0]["distance_km"], 0.0);
    let second = items[1]["distance_km"].as_f64().expect("distance");
    assert!((1.0..2.0).contains(&second), "about 1.7 km: {second}");
    assert_eq!(
        everything.last().map(String::as_str),
        Some("Stadtteilbüro Süd")
    );

    // A second centre in the same building: two rows at exactly the same (non-zero) distance
    // from the point paged from below, which the cursor must neither repeat nor skip.
    let annex = created_id(
        post(
            &app,
            &t.boss.access_token,
            "/api/v1/centres",
            centre_body(
                &t.operator_a,
                &t.nordstadt,
                "Bürgerhaus Anbau",
                "other",
                "",
                (51.52, 7.46),
            ),
        )
        .await,
    )
    .await;
    let mut paged = Vec::new();
    let mut path = "/api/v1/centres?near=51.50,7.45&radius_km=50&limit=1".to_owned();
    loop {
        let page = app.get(&path, None).await.json();
        paged.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|c| c["id"].as_str().expect("id").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path =
                    format!("/api/v1/centres?near=51.50,7.45&radius_km=50&limit=1&cursor={cursor}")
            }
            None => break,
        }
    }
    assert_eq!(paged, [annex, t.buergerhaus, t.wohncafe, t.buero_sued]);
}

#[actix_web::test]
async fn staff_change_only_their_own_operators_centres() {
    let app = TestApp::spawn().await;
    let t = town(&app).await;
    let patch = |token: String, id: String, if_match: &'static str, body: Value| {
        let app = &app;
        async move {
            app.json(
                Method::PATCH,
                &format!("/api/v1/centres/{id}"),
                Some(&token),
                &[("if-match", if_match)],
                &body,
            )
            .await
        }
    };

    let own = patch(
        t.boss.access_token.clone(),
        t.buergerhaus.clone(),
        "\"1\"",
        json!({"name": "Bürgerhaus Nord"}),
    )
    .await;
    let stale = patch(
        t.boss.access_token.clone(),
        t.buergerhaus.clone(),
        "\"1\"",
        json!({"name": "Alt"}),
    )
    .await;
    let foreign = patch(
        t.boss.access_token.clone(),
        t.buero_sued.clone(),
        "*",
        json!({"name": "Übernommen"}),
    )
    .await;
    let by_coordinator = patch(
        t.coordinator.access_token.clone(),
        t.wohncafe.clone(),
        "*",
        json!({"name": "Umbenannt"}),
    )
    .await;
    let foreign_create = post(
        &app,
        &t.boss.access_token,
        "/api/v1/centres",
        centre_body(&t.operator_b, &t.sued, "Neu", "other", "", (51.4, 7.5)),
    )
    .await;

    assert_eq!(own.status, 200, "{:?}", own.json());
    assert_eq!(own.header("etag"), Some("\"2\""));
    stale.assert_problem(412, "version-conflict");
    foreign.assert_problem(403, "forbidden");
    by_coordinator.assert_problem(403, "forbidden");
    foreign_create.assert_problem(403, "forbidden");
    assert_eq!(
        app.count("centres", "name = 'Stadtteilbüro Süd' AND version = 1")
            .await,
        1
    );
    assert_eq!(
        app.count("centres", "name = 'WohnCafé am Hafen' AND version = 1")
            .await,
        1
    );
    assert_eq!(app.count("centres", "true").await, 3);
    let by_admin = patch(
        t.admin.access_token.clone(),
        t.buero_sued.clone(),
        "*",
        json!({"status": "temporarily_closed"}),
    )
    .await;
    assert_eq!(by_admin.json()["status"], "temporarily_closed");
    let _ = t.operator_a;
}

#[actix_web::test]
async fn bad_centre_input_names_the_field_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let t = town(&app).await;
    let token = t.boss.access_token.as_str();
    let nowhere = "01930000-0000-7000-8000-000000000000";
    let mut far = centre_body(&t.operator_a, &t.nordstadt, "X", "other", "", (95.0, 7.0));
    far["address"]["postcode"] = json!("123");
    let mut not_staff = centre_body(&t.operator_a, &t.nordstadt, "X", "other", "", (51.0, 7.0));
    not_staff["contact"] = json!({"user_id": t.admin.id});

    let invalid = post(&app, token, "/api/v1/centres", far).await;
    let unknown_district = post(
        &app,
        token,
        "/api/v1/centres",
        centre_body(&t.operator_a, nowhere, "X", "other", "", (51.0, 7.0)),
    )
    .await;
    let unknown_operator = post(
        &app,
        &t.admin.access_token,
        "/api/v1/centres",
        centre_body(nowhere, &t.nordstadt, "X", "other", "", (51.0, 7.0)),
    )
    .await;
    let contact = post(&app, token, "/api/v1/centres", not_staff).await;
    let bad_near = app.get("/api/v1/centres?near=somewhere", None).await;
    let bad_radius = app
        .get("/api/v1/centres?near=51.5,7.4&radius_km=500", None)
        .await;

    invalid.assert_problem(422, "validation-failed");
    let mut fields = invalid.problem_fields();
    fields.sort();
    assert_eq!(fields, ["address.postcode", "position.latitude"]);
    unknown_district.assert_problem(422, "validation-failed");
    assert_eq!(unknown_district.problem_fields(), ["district_id"]);
    unknown_operator.assert_problem(422, "validation-failed");
    assert_eq!(unknown_operator.problem_fields(), ["operator_id"]);
    contact.assert_problem(422, "validation-failed");
    assert_eq!(contact.problem_fields(), ["contact.user_id"]);
    bad_near.assert_problem(422, "validation-failed");
    app.get("/api/v1/centres?open_at=-5000-01-01T00:00:00Z", None)
        .await
        .assert_problem(422, "validation-failed");
    let ancient = put_hours(
        &app,
        token,
        &t.buergerhaus,
        "*",
        json!({"weekly": [], "closures": [{"date": "0001-01-01"}]}),
    )
    .await;
    ancient.assert_problem(422, "validation-failed");
    bad_radius.assert_problem(422, "validation-failed");
    assert_eq!(app.count("centres", "true").await, 3);
}

async fn put_hours(
    app: &TestApp,
    token: &str,
    centre: &str,
    if_match: &str,
    body: Value,
) -> TestResponse {
    app.json(
        Method::PUT,
        &format!("/api/v1/centres/{centre}/opening-hours"),
        Some(token),
        &[("if-match", if_match)],
        &body,
    )
    .await
}

#[actix_web::test]
async fn operator_admins_set_opening_hours_of_their_centres() {
    let app = TestApp::spawn().await;
    let t = town(&app).await;
    let week = json!({
        "weekly": [{"weekday": 2, "opens": "15:00", "closes": "18:00"}, {"weekday": 2, "opens": "09:00", "closes": "12:00"}],
        "closures": [{"date": "2026-12-24", "note": "Heiligabend"}]
    });

    let set = put_hours(
        &app,
        &t.boss.access_token,
        &t.buergerhaus,
        "\"1\"",
        week.clone(),
    )
    .await;
    let stale = put_hours(
        &app,
        &t.boss.access_token,
        &t.buergerhaus,
        "\"1\"",
        week.clone(),
    )
    .await;
    let overlapping = put_hours(
        &app,
        &t.boss.access_token,
        &t.buergerhaus,
        "*",
        json!({"weekly": [{"weekday": 1, "opens": "09:00", "closes": "12:00"}, {"weekday": 1, "opens": "11:00", "closes": "13:00"}]}),
    )
    .await;
    let backwards = put_hours(
        &app,
        &t.boss.access_token,
        &t.buergerhaus,
        "*",
        json!({"weekly": [{"weekday": 1, "opens": "18:00", "closes": "09:00"}]}),
    )
    .await;
    let foreign = put_hours(&app, &t.boss.access_token, &t.buero_sued, "*", week.clone()).await;

    assert_eq!(set.status, 200, "{:?}", set.json());
    assert_eq!(set.header("etag"), Some("\"2\""));
    stale.assert_problem(412, "version-conflict");
    overlapping.assert_problem(422, "validation-failed");
    assert_eq!(overlapping.problem_fields(), ["weekly[1].opens"]);
    backwards.assert_problem(422, "validation-failed");
    assert_eq!(backwards.problem_fields(), ["weekly[0].closes"]);
    foreign.assert_problem(403, "forbidden");
    let hours = app
        .get(
            &format!("/api/v1/centres/{}/opening-hours", t.buergerhaus),
            None,
        )
        .await
        .json();
    assert_eq!(hours["time_zone"], "Europe/Berlin");
    assert_eq!(
        hours["weekly"],
        json!([{"weekday": 2, "opens": "09:00", "closes": "12:00"}, {"weekday": 2, "opens": "15:00", "closes": "18:00"}])
    );
    assert_eq!(
        hours["closures"],
        json!([{"date": "2026-12-24", "note": "Heiligabend"}])
    );
    assert_eq!(app.count("centre_opening_hours", "true").await, 2);
}

#[actix_web::test]
async fn open_at_follows_local_time_across_daylight_saving_and_closures() {
    let app = TestApp::spawn().await;
    let t = town(&app).await;
    let tuesdays = json!({"weekly": [{"weekday": 2, "opens": "15:00", "closes": "18:00"}], "closures": [{"date": "2026-12-01"}]});
    assert_eq!(
        put_hours(&app, &t.boss.access_token, &t.buergerhaus, "*", tuesdays)
            .await
            .status,
        200
    );
    let open_at = |at: &str| format!("open_at={}", at.replace('+', "%2B"));

    // Tuesday 24 November 2026, winter time (UTC+1): 15:30 local is 14:30 UTC.
    assert_eq!(
        names(&app, &open_at("2026-11-24T14:30:00Z")).await,
        ["Bürgerhaus Nordstadt"]
    );
    assert_eq!(
        names(&app, &open_at("2026-11-24T15:30:00+01:00")).await,
        ["Bürgerhaus Nordstadt"]
    );
    assert!(
        names(&app, &open_at("2026-11-24T13:30:00Z"))
            .await
            .is_empty(),
        "14:30 local: not yet"
    );
    assert!(
        names(&app, &open_at("2026-11-24T17:00:00Z"))
            .await
            .is_empty(),
        "18:00 local: closed"
    );
    // Tuesday 23 June 2026, summer time (UTC+2): 15:30 local is 13:30 UTC.
    assert_eq!(
        names(&app, &open_at("2026-06-23T13:30:00Z")).await,
        ["Bürgerhaus Nordstadt"]
    );
    assert!(
        names(&app, &open_at("2026-06-23T16:30:00Z"))
            .await
            .is_empty(),
        "18:30 local"
    );
    // Tuesday 1 December 2026 is a closure.
    assert!(
        names(&app, &open_at("2026-12-01T14:30:00Z"))
            .await
            .is_empty()
    );
    // A centre closed for a while is not open, whatever its hours.
    let closed = app
        .json(
            Method::PATCH,
            &format!("/api/v1/centres/{}", t.buergerhaus),
            Some(&t.boss.access_token),
            &[("if-match", "*")],
            &json!({"status": "temporarily_closed"}),
        )
        .await;
    assert_eq!(closed.status, 200);
    assert!(
        names(&app, &open_at("2026-11-24T14:30:00Z"))
            .await
            .is_empty()
    );
}

#[actix_web::test]
async fn the_database_refuses_overlapping_opening_hours() {
    use diesel_async::RunQueryDsl;
    let app = TestApp::spawn().await;
    let t = town(&app).await;
    let insert = |opens: &str, closes: &str| {
        format!(
            "INSERT INTO centre_opening_hours (centre_id, weekday, opens, closes) VALUES ('{}', 3, '{opens}', '{closes}')",
            t.buergerhaus
        )
    };

    diesel::sql_query(insert("09:00", "12:00"))
        .execute(&mut *app.conn().await)
        .await
        .expect("first range");
    let overlapping = diesel::sql_query(insert("11:00", "14:00"))
        .execute(&mut *app.conn().await)
        .await;
    let adjacent = diesel::sql_query(insert("12:00", "14:00"))
        .execute(&mut *app.conn().await)
        .await;

    assert!(
        overlapping.is_err(),
        "the exclusion constraint refuses an overlap"
    );
    assert!(adjacent.is_ok(), "ranges that only touch are fine");
}

#[actix_web::test]
async fn coordinators_can_be_limited_to_named_centres() {
    use quartier_api::auth::AuthUser;
    use quartier_api::authz::require_centre_staff;
    use quartier_domain::{Role, StaffRole};

    let app = TestApp::spawn().await;
    let t = town(&app).await;
    let limited = app.signed_up("limited@example.org").await;
    let invitations = format!("/api/v1/operators/{}/invitations", t.operator_a);
    let members = format!("/api/v1/operators/{}/members", t.operator_a);
    let token = t.boss.access_token.as_str();

    let foreign_centre = post(&app, token, &invitations, json!({"email": "limited@example.org", "role": "coordinator", "centre_ids": [t.buero_sued]})).await;
    let limited_admin = post(&app, token, &invitations, json!({"email": "limited@example.org", "role": "operator_admin", "centre_ids": [t.buergerhaus]})).await;
    assert_eq!(
        app.count("staff_invitations", "true").await,
        0,
        "refused invitations make nothing"
    );
    let invited = post(&app, token, &invitations, json!({"email": "limited@example.org", "role": "coordinator", "centre_ids": [t.buergerhaus]})).await;
    foreign_centre.assert_problem(422, "validation-failed");
    assert_eq!(foreign_centre.problem_fields(), ["centre_ids"]);
    limited_admin.assert_problem(422, "validation-failed");
    assert_eq!(invited.status, 201, "{:?}", invited.json());
    let invitation = invited.json()["id"].as_str().expect("id").to_owned();
    let added = post(
        &app,
        &limited.access_token,
        "/api/v1/invitations/accept",
        json!({"token": app.link_token(&invitation)}),
    )
    .await;
    assert_eq!(added.status, 201, "{:?}", added.json());
    assert_eq!(added.json()["centre_ids"], json!([t.buergerhaus]));

    let as_user = |user: &TestUser| AuthUser {
        id: user.id.parse().expect("uuid"),
        role: Role::Member,
    };
    let check = |user: AuthUser, centre: &str, needed: StaffRole| {
        let centre = centre.parse().expect("uuid");
        let app = &app;
        async move {
            require_centre_staff(&mut *app.conn().await, user, centre, needed)
                .await
                .map_err(|e| e.problem().status)
        }
    };
    let coordinator = StaffRole::Coordinator;
    assert_eq!(
        check(as_user(&limited), &t.buergerhaus, coordinator).await,
        Ok(t.operator_a.parse().expect("uuid"))
    );
    assert_eq!(
        check(as_user(&limited), &t.wohncafe, coordinator).await,
        Err(403),
        "not one of the named centres"
    );
    assert_eq!(
        check(as_user(&limited), &t.buergerhaus, StaffRole::OperatorAdmin).await,
        Err(403)
    );
    assert!(
        check(as_user(&t.coordinator), &t.wohncafe, coordinator)
            .await
            .is_ok(),
        "unlimited coordinators act for all centres"
    );
    assert!(
        check(as_user(&t.boss), &t.wohncafe, StaffRole::OperatorAdmin)
            .await
            .is_ok()
    );
    assert_eq!(
        check(as_user(&t.boss), &t.buero_sued, coordinator).await,
        Err(403),
        "another operator's centre"
    );
    let admin = AuthUser {
        id: t.admin.id.parse().expect("uuid"),
        role: Role::Admin,
    };
    assert!(
        check(admin, &t.buero_sued, StaffRole::OperatorAdmin)
            .await
            .is_ok()
    );
    assert_eq!(
        check(
            as_user(&t.boss),
            "01930000-0000-7000-8000-000000000000",
            coordinator
        )
        .await,
        Err(404)
    );

    // Another role lifts the limits.
    let promoted = app
        .json(
            Method::PATCH,
            &format!("{members}/{}", limited.id),
            Some(token),
            &[],
            &json!({"role": "operator_admin"}),
        )
        .await;
    assert_eq!(promoted.json()["centre_ids"], json!([]));
    assert_eq!(app.count("operator_member_centres", "true").await, 0);
}

#[actix_web::test]
async fn a_removed_staff_member_is_no_longer_shown_as_contact() {
    let app = TestApp::spawn().await;
    let t = town(&app).await;
    let path = format!(
        "/api/v1/operators/{}/members/{}",
        t.operator_a, t.coordinator.id
    );

    let removed = app
        .send(
            Method::DELETE,
            &path,
            &[("authorization", &format!("Bearer {}", t.boss.access_token))],
            None,
        )
        .await;

    assert_eq!(removed.status, 204);
    let centre = app
        .get(&format!("/api/v1/centres/{}", t.buergerhaus), None)
        .await;
    assert_eq!(centre.json()["contact"], Value::Null);
    assert_eq!(
        centre.header("etag"),
        Some("\"2\""),
        "cached copies naming them are stale now"
    );
}

#[actix_web::test]
async fn districts_with_centres_are_not_deleted_and_deactivated_staff_change_no_centre() {
    let app = TestApp::spawn().await;
    let t = town(&app).await;
    let admin = format!("Bearer {}", t.admin.access_token);

    let delete = app
        .send(
            Method::DELETE,
            &format!("/api/v1/districts/{}", t.sued),
            &[("authorization", &admin), ("if-match", "*")],
            None,
        )
        .await;
    delete.assert_problem(409, "district-in-use");

    let deactivated = app
        .json(
            Method::PATCH,
            &format!("/api/v1/operators/{}", t.operator_a),
            Some(&t.admin.access_token),
            &[("if-match", "*")],
            &json!({"status": "inactive"}),
        )
        .await;
    assert_eq!(deactivated.status, 200);
    let edit = app
        .json(
            Method::PATCH,
            &format!("/api/v1/centres/{}", t.buergerhaus),
            Some(&t.boss.access_token),
            &[("if-match", "*")],
            &json!({"name": "Noch da"}),
        )
        .await;
    let hours = put_hours(
        &app,
        &t.boss.access_token,
        &t.wohncafe,
        "*",
        json!({"weekly": []}),
    )
    .await;
    edit.assert_problem(403, "forbidden");
    hours.assert_problem(403, "forbidden");
    assert_eq!(app.count("centres", "version = 1").await, 3);
    assert_eq!(app.count("districts", "true").await, 3);
}
