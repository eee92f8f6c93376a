//! Every event a test writes to the outbox must fit the schema the OpenAPI document
//! publishes for its type, with exactly the fields the schema names: a test database is
//! checked just before it is dropped, so the whole suite proves the event contract.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use quartier_api::events::data_schema;
use quartier_domain::EventType;
use serde_json::{Value, json};

#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    payload: String,
}

struct Schema {
    name: &'static str,
    validator: jsonschema::Validator,
    fields: BTreeSet<String>,
}

fn schemas() -> &'static [Schema] {
    static SCHEMAS: OnceLock<Vec<Schema>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let document: Value = serde_json::from_str(
            &quartier_api::commands::openapi_json().expect("the OpenAPI document"),
        )
        .expect("json");
        let mut names: Vec<&'static str> = EventType::ALL.into_iter().map(data_schema).collect();
        names.sort_unstable();
        names.dedup();
        names
            .into_iter()
            .map(|name| {
                let schema = json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "components": document["components"],
                    "$ref": format!("#/components/schemas/{name}"),
                });
                let validator = jsonschema::options()
                    .should_validate_formats(true)
                    .build(&schema)
                    .unwrap_or_else(|e| panic!("{name} is no valid schema: {e}"));
                let fields = document["components"]["schemas"][name]["properties"]
                    .as_object()
                    .expect("properties")
                    .keys()
                    .cloned()
                    .collect();
                Schema {
                    name,
                    validator,
                    fields,
                }
            })
            .collect()
    })
}

/// What is wrong with the events stored in the database `conn` is connected to.
pub async fn violations(conn: &mut AsyncPgConnection) -> Vec<String> {
    let stored: Vec<Stored> =
        match diesel::sql_query("SELECT kind, payload FROM outbox_events ORDER BY id")
            .load(conn)
            .await
        {
            Ok(stored) => stored,
            // A test that dropped or never migrated the table has no events to check.
            Err(_) => return Vec::new(),
        };
    let mut found = Vec::new();
    for event in stored {
        let Some(kind) = EventType::parse(&event.kind) else {
            found.push(format!("unknown event type {}", event.kind));
            continue;
        };
        let schema = schemas()
            .iter()
            .find(|s| s.name == data_schema(kind))
            .expect("a schema for every event type");
        let payload: Value = match serde_json::from_str(&event.payload) {
            Ok(payload) => payload,
            Err(e) => {
                found.push(format!("{}: payload is not JSON: {e}", event.kind));
                continue;
            }
        };
        for error in schema.validator.iter_errors(&payload) {
            found.push(format!(
                "{} ({}): {error} at {}",
                event.kind,
                schema.name,
                error.instance_path()
            ));
        }
        let fields: BTreeSet<String> = payload
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        if fields != schema.fields {
            found.push(format!(
                "{} ({}): fields {:?}, the schema names {:?}",
                event.kind, schema.name, fields, schema.fields
            ));
        }
    }
    found
}
