//! End-to-end tests: the real application over HTTP, each test with its own database.

mod activities;
mod api_keys;
mod auth;
mod centres;
mod dates;
mod districts;
mod errors;
mod headers;
mod imports;
mod limits;
mod matrix;
mod me;
mod migrations;
mod openapi;
mod operations;
mod operator_sync;
mod operators;
mod outage;
mod placement;
mod privacy;
mod rosters;
mod seed;
mod sessions;
mod signups;
mod users;
mod webhooks;
