//! The Open311 GeoReport v2 facade: published concerns as service requests, under
//! GeoReport's own names, with nothing a resident did not make public.

use quartier_tests::TestApp;
use quartier_tests::fixtures::{post, setup};
use serde_json::{Value, json};

use super::concerns::{category, district, get, move_to, published, raise, status, support};

/// The keys of a GeoReport v2 service request, sorted.
const REQUEST_KEYS: [&str; 17] = [
    "address",
    "address_id",
    "agency_responsible",
    "description",
    "expected_datetime",
    "lat",
    "long",
    "media_url",
    "requested_datetime",
    "service_code",
    "service_name",
    "service_notice",
    "service_request_id",
    "status",
    "status_notes",
    "updated_datetime",
    "zipcode",
];

fn ids(requests: &Value) -> Vec<&str> {
    requests
        .as_array()
        .expect("a list")
        .iter()
        .map(|request| request["service_request_id"].as_str().expect("an id"))
        .collect()
}

#[actix_web::test]
async fn civic_clients_read_published_concerns_under_georeport_names() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let anna = app.signed_up("anna@example.org").await;
    let bench = published(
        &app,
        &s,
        &anna,
        json!({
            "title": "Sitzbank am Spielplatz fehlt",
            "text": "Am Spielplatz Lindenstraße gibt es keine Bank.",
            "point": {"latitude": 51.5, "longitude": 7.4},
            "address": "Lindenstraße 4",
        }),
    )
    .await;
    let bench_id = bench["id"].as_str().expect("id").to_owned();
    let waiting = status(
        &raise(
            &app,
            &anna.access_token,
            json!({
                "category_id": category(&app, &s, "Spielplätze", true).await,
                "district_id": district(&app).await,
                "title": "Noch nicht freigegeben",
                "text": "Wartet auf die Moderation.",
            }),
        )
        .await,
        201,
    );
    let waiting_id = waiting["id"].as_str().expect("id").to_owned();
    let bernd = app.signed_up("bernd@example.org").await;
    support(&app, &bernd, &bench_id, json!({"notify": true})).await;

    // Services are the categories, with their kind as group.
    let services = status(&get(&app, "/open311/v2/services.json", None).await, 200);
    let service = services
        .as_array()
        .expect("a list")
        .iter()
        .find(|service| service["service_code"] == bench["category"]["id"])
        .expect("the bench's category is a service");
    assert_eq!(service["service_name"], bench["category"]["name"]);
    assert_eq!(service["group"], "need");
    assert_eq!(service["metadata"], false);
    assert_eq!(service["type"], "realtime");

    // The published concern is an open request; the one waiting for moderation is not there.
    let requests = status(&get(&app, "/open311/v2/requests.json", None).await, 200);
    assert_eq!(ids(&requests), [bench_id.as_str()]);
    let request = &requests[0];
    let mut keys: Vec<&str> = request
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, REQUEST_KEYS);
    assert_eq!(request["status"], "open");
    assert_eq!(request["lat"], 51.5);
    assert_eq!(request["long"], 7.4);
    assert_eq!(request["address"], "Lindenstraße 4");
    assert_eq!(request["service_code"], bench["category"]["id"]);
    assert_eq!(
        request["description"],
        "Sitzbank am Spielplatz fehlt\n\nAm Spielplatz Lindenstraße gibt es keine Bank."
    );
    assert_eq!(request["agency_responsible"], "Träger A");
    assert_eq!(request["status_notes"], Value::Null);
    status(
        &get(
            &app,
            &format!("/open311/v2/requests/{waiting_id}.json"),
            None,
        )
        .await,
        404,
    );

    // The newest public answer is the status note; internal notes and drafts never show.
    let answers = format!("/api/v1/concerns/{bench_id}/answers");
    let coordinator = &s.coordinator.access_token;
    for body in [
        json!({"text": "Bank kommt im Frühjahr.", "visibility": "public", "expected_on": "2027-04-01"}),
        json!({"text": "Grünflächenamt fragen", "visibility": "internal"}),
        json!({"text": "Entwurf", "visibility": "public", "publish": false}),
    ] {
        status(&post(&app, coordinator, &answers, body).await, 201);
    }
    for (from, to) in [("published", "accepted"), ("accepted", "done")] {
        let moved = move_to(&app, coordinator, &bench_id, json!({"status": to})).await;
        assert_eq!(status(&moved, 200)["status"], to, "from {from}");
    }
    let one = get(&app, &format!("/open311/v2/requests/{bench_id}.json"), None).await;
    let body = String::from_utf8_lossy(&one.body).into_owned();
    let one = status(&one, 200);
    assert_eq!(ids(&one), [bench_id.as_str()]);
    assert_eq!(one[0]["status"], "closed");
    assert_eq!(one[0]["status_notes"], "Bank kommt im Frühjahr.");
    assert_eq!(one[0]["expected_datetime"], "2027-04-01T00:00:00Z");
    for private in [
        "Grünflächenamt",
        "Entwurf",
        bernd.id.as_str(),
        anna.id.as_str(),
        "anna@example.org",
    ] {
        assert!(!body.contains(private), "{private} in {body}");
    }

    // Filters: status, service, ids, dates.
    let with = |query: &str| format!("/open311/v2/requests.json?{query}");
    let other = published(
        &app,
        &s,
        &anna,
        json!({"title": "Mehr Mülleimer", "text": "Im Park."}),
    )
    .await;
    let other_id = other["id"].as_str().expect("id").to_owned();
    for (query, expected) in [
        ("status=closed".to_owned(), vec![bench_id.as_str()]),
        ("status=open".to_owned(), vec![other_id.as_str()]),
        (
            "status=open,closed".to_owned(),
            vec![other_id.as_str(), bench_id.as_str()],
        ),
        (
            format!(
                "service_code={}",
                other["category"]["id"].as_str().expect("id")
            ),
            vec![other_id.as_str()],
        ),
        (
            format!("service_request_id={bench_id},{waiting_id}"),
            vec![bench_id.as_str()],
        ),
        (
            "start_date=2020-01-01&end_date=2020-03-01".to_owned(),
            vec![],
        ),
        (
            "jurisdiction_id=musterstadt.de".to_owned(),
            vec![other_id.as_str(), bench_id.as_str()],
        ),
    ] {
        let found = status(&get(&app, &with(&query), None).await, 200);
        assert_eq!(ids(&found), expected, "{query}");
    }
    for (query, field) in [
        ("status=maybe", "status"),
        ("start_date=gestern", "start_date"),
        ("start_date=2026-01-01&end_date=2026-06-01", "end_date"),
        ("start_date=2026-06-01&end_date=2026-01-01", "end_date"),
        ("end_date=1900-01-01T00:00:00Z", "end_date"),
        ("service_request_id=1,2", "service_request_id"),
    ] {
        let refused = get(&app, &with(query), None).await;
        assert_eq!(
            refused.header("content-type"),
            Some("application/problem+json"),
            "{query}"
        );
        assert_eq!(
            status(&refused, 422)["errors"][0]["field"],
            field,
            "{query}"
        );
    }
    status(
        &get(
            &app,
            "/open311/v2/requests/00000000-0000-7000-8000-000000000000.json",
            None,
        )
        .await,
        404,
    );
}
