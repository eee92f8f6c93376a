//! The partner directory as Open Referral HSDS 3.0: every organization the API serves is
//! valid against the standard's own schemas (kept in `tests/hsds-3.0`), with no field the
//! standard does not name, and shows only what the partner made public.

use std::path::PathBuf;

use actix_web::http::Method;
use chrono::{Duration, Utc};
use quartier_tests::TestApp;
use quartier_tests::fixtures::{created_id, id_of, post, setup};

use crate::concerns::status;
use serde_json::{Value, json};

/// Where the schemas are served from, as far as their relative references know.
const BASE: &str = "https://hsds.invalid/schema/";

/// An HSDS schema by name (`organization`), as HSDS's own examples are checked: with
/// `additionalProperties: false` on every object, so an unknown field fails too.
fn schema(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("hsds-3.0")
        .join(format!("{name}.json"));
    let mut schema: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("the schema file"))
            .expect("the schema is JSON");
    close(&mut schema);
    schema["$id"] = json!(format!("{BASE}{name}.json"));
    schema
}

/// Sets `additionalProperties: false` on every object schema in `value`.
fn close(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("type") == Some(&json!("object")) && map.contains_key("properties") {
                map.insert("additionalProperties".into(), json!(false));
            }
            map.values_mut().for_each(close);
        }
        Value::Array(items) => items.iter_mut().for_each(close),
        _ => {}
    }
}

/// Hands out the HSDS schemas the root one refers to.
struct Schemas;

impl jsonschema::Retrieve for Schemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri
            .as_str()
            .strip_prefix(BASE)
            .and_then(|file| file.strip_suffix(".json"))
            .ok_or_else(|| format!("no HSDS schema at {uri}"))?;
        Ok(schema(name))
    }
}

/// The validator of a fully nested organization: HSDS's `organization` with the array of
/// `service`s its compiled form adds (as `GET /organizations/{id}` of the HSDS API serves it).
fn organization_validator() -> jsonschema::Validator {
    let mut organization = schema("organization");
    organization["properties"]["services"] = json!({
        "type": "array",
        "items": {"$ref": "service.json"},
    });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .with_retriever(Schemas)
        .build(&organization)
        .expect("the HSDS organization schema builds")
}

#[track_caller]
fn assert_valid(validator: &jsonschema::Validator, organization: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(organization)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{organization:#}");
}

#[actix_web::test]
async fn the_directory_is_valid_hsds_and_shows_only_public_fields() {
    let app = TestApp::spawn_with(&[("QUARTIER_STATE_PROVINCE", "Nordrhein-Westfalen")]).await;
    let s = setup(&app).await;
    let admin = &s.admin.access_token;
    // Operator A is a partner with everything public; its centre and a published activity
    // with a date ahead become a location and a service.
    let verein = id_of(
        &post(
            &app,
            admin,
            "/api/v1/partners",
            json!({
                "name": "Nachbarschaftsverein Hafen e.V.", "kind": "association",
                "description": "Wir organisieren das Hafenfest.",
                "topics": ["Feste", "Jugend"], "website": "https://hafen-verein.example",
                "contact_email": "info@hafen-verein.example", "contact_phone": "+49 231 555123",
                "address": "Hafenweg 2, 44135 Musterstadt", "operator_id": s.operator,
                "public_fields": ["description", "topics", "districts", "website",
                                  "contact_email", "contact_phone", "address"],
            }),
        )
        .await,
    );
    let day = Utc::now() + Duration::days(10);
    let activity = created_id(
        &post(
            &app,
            &s.coordinator.access_token,
            "/api/v1/activities",
            json!({"centre_id": s.centre, "title": "Sprachcafé", "category": "coffee_table",
                   "status": "published", "languages": ["de", "tr"],
                   "schedule": {"kind": "once", "starts_at": day, "ends_at": day + Duration::hours(2)}}),
        )
        .await,
    );
    // A draft and a past activity are not services.
    for (title, extra, starts) in [
        ("Entwurf", json!({"status": "draft"}), day),
        (
            "Vorbei",
            json!({"status": "published"}),
            Utc::now() - Duration::days(3),
        ),
    ] {
        let mut body = json!({"centre_id": s.centre, "title": title, "category": "coffee_table",
            "schedule": {"kind": "once", "starts_at": starts, "ends_at": starts + Duration::hours(2)}});
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        let made = post(
            &app,
            &s.coordinator.access_token,
            "/api/v1/activities",
            body,
        )
        .await;
        assert_eq!(made.status, 201, "{}", String::from_utf8_lossy(&made.body));
    }
    // A partner that keeps all but name and kind to itself.
    let quiet = id_of(
        &post(
            &app,
            admin,
            "/api/v1/partners",
            json!({"name": "Wohnungsgesellschaft Nord", "kind": "housing_company",
                   "description": "Intern.", "topics": ["Mieten"],
                   "contact_email": "quartier@wohnen.example", "contact_phone": "+49 231 1",
                   "address": "Am Ring 1", "website": "https://wohnen.example",
                   "public_fields": []}),
        )
        .await,
    );

    let validator = organization_validator();
    let page = status(&app.get("/hsds/v3/organizations", None).await, 200);
    assert_eq!(page["total_items"], 2);
    assert_eq!(page["total_pages"], 1);
    assert_eq!(page["page_number"], 1);
    assert_eq!(page["size"], 2);
    assert_eq!(page["first_page"], true);
    assert_eq!(page["last_page"], true);
    assert_eq!(page["empty"], false);
    let contents = page["contents"].as_array().expect("contents");
    for organization in contents {
        assert_valid(&validator, organization);
    }
    let names: Vec<&str> = contents
        .iter()
        .map(|o| o["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "Nachbarschaftsverein Hafen e.V.",
            "Wohnungsgesellschaft Nord"
        ]
    );

    let open = &contents[0];
    // The validator looks into the nested parts: what HSDS does not allow there fails.
    let mut wrong = open.clone();
    wrong["services"][0]["status"] = json!("published");
    assert!(!validator.is_valid(&wrong));
    let mut wrong = open.clone();
    wrong["locations"][0]["addresses"][0]
        .as_object_mut()
        .expect("an address")
        .remove("state_province");
    assert!(!validator.is_valid(&wrong));
    let mut wrong = open.clone();
    wrong["attributes"][0]["taxonomy_term"]["kind"] = json!("topic");
    assert!(!validator.is_valid(&wrong));
    assert_eq!(open["id"], verein.as_str());
    assert_eq!(open["description"], "Wir organisieren das Hafenfest.");
    assert_eq!(open["email"], "info@hafen-verein.example");
    assert_eq!(open["website"], "https://hafen-verein.example");
    assert_eq!(open["phones"][0]["number"], "+49 231 555123");
    let topics: Vec<&str> = open["attributes"]
        .as_array()
        .expect("attributes")
        .iter()
        .map(|a| a["taxonomy_term"]["name"].as_str().expect("term"))
        .collect();
    assert_eq!(topics, ["feste", "jugend"]);
    // The centre is the location (the operator's places come before the partner's address).
    let locations = open["locations"].as_array().expect("locations");
    assert_eq!(locations.len(), 1);
    let centre = &locations[0];
    assert_eq!(centre["id"], s.centre.as_str());
    assert_eq!(centre["name"], "Bürgerhaus");
    assert_eq!(centre["latitude"], 51.5);
    assert_eq!(
        centre["addresses"][0],
        json!({
            "id": centre["addresses"][0]["id"], "location_id": s.centre,
            "address_1": "Marktplatz 1", "city": "Musterstadt",
            "state_province": "Nordrhein-Westfalen", "postal_code": "44135", "country": "DE",
            "address_type": "physical",
        })
    );
    let services = open["services"].as_array().expect("services");
    assert_eq!(services.len(), 1, "{services:#?}");
    assert_eq!(services[0]["id"], activity.as_str());
    assert_eq!(services[0]["name"], "Sprachcafé");
    assert_eq!(services[0]["status"], "active");
    assert_eq!(services[0]["fees_description"], "kostenlos");
    assert_eq!(
        services[0]["service_at_locations"][0]["location_id"],
        s.centre.as_str()
    );
    let codes: Vec<&str> = services[0]["languages"]
        .as_array()
        .expect("languages")
        .iter()
        .map(|l| l["code"].as_str().expect("code"))
        .collect();
    assert_eq!(codes, ["de", "tr"]);

    // Nothing the quiet partner keeps to itself leaves the server, whoever asks.
    let closed = status(
        &app.get(&format!("/hsds/v3/organizations/{quiet}"), Some(admin))
            .await,
        200,
    );
    assert_valid(&validator, &closed);
    assert_eq!(
        closed,
        json!({
            "id": quiet, "name": "Wohnungsgesellschaft Nord", "description": "",
            "phones": [], "locations": [], "services": [], "attributes": [],
        })
    );
    let text =
        String::from_utf8_lossy(&app.get("/hsds/v3/organizations", None).await.body).into_owned();
    for secret in [
        "Intern.",
        "quartier@wohnen.example",
        "Am Ring 1",
        "Mieten",
        "wohnen.example",
    ] {
        assert!(!text.contains(secret), "{secret} is in {text}");
    }

    // One id is the same in every export; the ids are stable.
    let again = status(
        &app.get(&format!("/hsds/v3/organizations/{verein}"), None)
            .await,
        200,
    );
    assert_eq!(&again, open);
}

#[actix_web::test]
async fn a_partner_without_centres_is_found_at_its_public_address_and_pages_are_numbered() {
    // Without a configured state, HSDS addresses cannot be complete: none are given.
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = &s.admin.access_token;
    for name in [
        "Kita Sonnenschein",
        "Kirchengemeinde St. Marien",
        "Grundschule am Park",
    ] {
        status(
            &post(
                &app,
                admin,
                "/api/v1/partners",
                json!({"name": name, "kind": "other", "address": format!("{name}weg 1"),
                       "public_fields": ["address"]}),
            )
            .await,
            201,
        );
    }
    status(
        &post(
            &app,
            admin,
            "/api/v1/partners",
            json!({"name": "Träger A", "kind": "association", "operator_id": s.operator}),
        )
        .await,
        201,
    );
    let validator = organization_validator();
    let second = status(
        &app.get("/hsds/v3/organizations?page=2&per_page=2", None)
            .await,
        200,
    );
    assert_eq!(second["total_items"], 4);
    assert_eq!(second["total_pages"], 2);
    assert_eq!(second["page_number"], 2);
    assert_eq!(second["first_page"], false);
    assert_eq!(second["last_page"], true);
    let names: Vec<&str> = second["contents"]
        .as_array()
        .expect("contents")
        .iter()
        .map(|o| o["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Kita Sonnenschein", "Träger A"]);
    for organization in second["contents"].as_array().expect("contents") {
        assert_valid(&validator, organization);
    }
    let kita = &second["contents"][0];
    assert_eq!(
        kita["locations"][0]["description"],
        "Kita Sonnenscheinweg 1"
    );
    assert_eq!(kita["locations"][0]["location_type"], "physical");
    let operator = &second["contents"][1];
    assert_eq!(operator["locations"][0]["name"], "Bürgerhaus");
    assert_eq!(operator["locations"][0]["addresses"], json!([]));

    let searched = status(
        &app.get("/hsds/v3/organizations?search=Kirche", None).await,
        200,
    );
    assert_eq!(searched["total_items"], 1);
    assert_eq!(
        searched["contents"][0]["name"],
        "Kirchengemeinde St. Marien"
    );
    let beyond = status(&app.get("/hsds/v3/organizations?page=9", None).await, 200);
    assert_eq!(beyond["empty"], true);
    assert_eq!(beyond["contents"], json!([]));

    for bad in ["page=0", "per_page=201", "per_page=0", "page=abc"] {
        let refused = app
            .send(
                Method::GET,
                &format!("/hsds/v3/organizations?{bad}"),
                &[],
                None,
            )
            .await;
        assert!(
            [400, 422].contains(&refused.status),
            "{bad}: {}",
            refused.status
        );
        assert_eq!(
            refused.header("content-type"),
            Some("application/problem+json")
        );
    }
    let missing = app
        .get(
            &format!("/hsds/v3/organizations/{}", uuid::Uuid::now_v7()),
            None,
        )
        .await;
    assert_eq!(missing.status, 404);
    let about = status(&app.get("/hsds/v3", None).await, 200);
    assert_eq!(about["version"], "3.0");
}
