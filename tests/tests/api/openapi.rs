//! The committed OpenAPI document is what the code generates, and it describes every route
//! completely enough for clients and Swagger UI.

use quartier_api::commands::openapi_json;
use quartier_tests::TestApp;
use serde_json::Value;

fn committed() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    std::fs::read_to_string(path).expect("openapi/openapi.json is committed")
}

#[test]
fn committed_document_matches_the_code() {
    let generated = openapi_json().expect("serialize");
    assert!(
        committed().trim_end() == generated.trim_end(),
        "openapi/openapi.json is out of date: run `cargo run -p quartier-api -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn every_operation_is_complete() {
    let document: Value = serde_json::from_str(&openapi_json().expect("serialize")).expect("json");
    assert!(document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer");
    let mut ids = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let at = format!("{method} {path}");
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{at}: no operationId"));
            ids.push(id.to_owned());
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{at}: no tag"
            );
            let responses = op["responses"].as_object().expect("responses");
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{at}: no success response"
            );
            for status in ["500", "503"] {
                assert!(responses.contains_key(status), "{at}: no {status}");
            }
            for (status, response) in responses
                .iter()
                .filter(|(s, _)| s.starts_with('4') || s.starts_with('5'))
            {
                assert!(
                    response["content"]["application/problem+json"]["schema"]["$ref"]
                        == "#/components/schemas/Problem",
                    "{at}: {status} is not a problem"
                );
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415"] {
                    assert!(
                        responses.contains_key(status),
                        "{at}: body read but no {status}"
                    );
                }
            }
            if op.get("security").is_some() {
                assert!(responses.contains_key("401"), "{at}: secured but no 401");
            }
        }
    }
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "operationIds are unique");
    assert!(ids.contains(&"register".to_owned()) && ids.contains(&"get_me".to_owned()));
}

#[actix_web::test]
async fn the_server_serves_the_document_and_swagger_ui() {
    let app = TestApp::spawn().await;

    let document = app.get("/api-docs/openapi.json", None).await;
    let ui = app.get("/swagger-ui/", None).await;
    let redirect = app.get("/swagger-ui", None).await;

    assert_eq!(document.status, 200);
    let served: Value = document.json();
    let generated: Value = serde_json::from_str(&openapi_json().expect("serialize")).expect("json");
    assert_eq!(served, generated);
    assert_eq!(ui.status, 200);
    let html = String::from_utf8_lossy(&ui.body);
    assert!(html.contains("swagger-ui"), "{html}");
    let config = app.get("/swagger-ui/swagger-initializer.js", None).await;
    assert_eq!(config.status, 200);
    assert!(String::from_utf8_lossy(&config.body).contains("/api-docs/openapi.json"));
    assert!(matches!(redirect.status, 301 | 302 | 307 | 308));
}

#[test]
fn every_documented_error_names_its_problem_types_and_shows_one() {
    use quartier_api::openapi::documented_problems;
    let document: Value = serde_json::from_str(&openapi_json().expect("serialize")).expect("json");
    let mut wrong = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            for (status, response) in op["responses"].as_object().expect("responses") {
                if !(status.starts_with('4') || status.starts_with('5')) {
                    continue;
                }
                let at = format!("{method} {path} {status}");
                let description = response["description"].as_str().unwrap_or_default();
                let named = documented_problems(description);
                if !named.iter().any(|p| p.status.to_string() == *status) {
                    wrong.push(format!("{at}: names no problem type of status {status}"));
                }
                for problem in named.iter().filter(|p| p.status.to_string() != *status) {
                    wrong.push(format!("{at}: `{}` is a {}", problem.slug, problem.status));
                }
                let example = &response["content"]["application/problem+json"]["example"];
                if example["status"].as_u64().map(|s| s.to_string()).as_deref() != Some(status) {
                    wrong.push(format!("{at}: its example is {example}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
