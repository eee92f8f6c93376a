//! Quartier's HTTP API: routes, authentication, errors, OpenAPI and the `quartier` binary's
//! commands. `build_app` is the whole application; `main` serves it, the tests drive it.

/// Implements `Debug` showing only the named fields: passwords and tokens never reach a log.
macro_rules! debug_without_secrets {
    ($type:ident { $($field:ident),* }) => {
        impl std::fmt::Debug for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($type))
                    $(.field(stringify!($field), &self.$field))*
                    .finish_non_exhaustive()
            }
        }
    };
}

/// An enum of a request or response body that mirrors a domain enum value for value, in
/// snake case, with `From` both ways: one type for a status, role or kind everywhere.
macro_rules! body_enum {
    ($(#[$meta:meta])* $body:ident => $domain:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize, utoipa::ToSchema, PartialEq, Eq)]
        #[serde(rename_all = "snake_case")]
        pub enum $body {
            $($variant),+
        }

        impl From<$body> for $domain {
            fn from(value: $body) -> Self {
                match value {
                    $($body::$variant => $domain::$variant),+
                }
            }
        }

        impl From<$domain> for $body {
            fn from(value: $domain) -> Self {
                match value {
                    $($domain::$variant => $body::$variant),+
                }
            }
        }
    };
}

pub mod app;
pub mod auth;
pub mod authz;
pub mod charts;
pub mod commands;
pub mod config;
pub mod error;
pub mod events;
pub mod extract;
pub mod fair_share;
pub mod german;
pub mod horizon;
pub mod idempotent;
pub mod languages;
pub mod limits;
pub mod mail;
pub mod metrics;
pub mod names;
pub mod openapi;
pub mod pagination;
pub mod passwords;
pub mod pdf;
pub mod problems;
pub mod public_cache;
pub mod replica;
pub mod retention;
pub mod routes;
pub mod security;
pub mod seed;
pub mod seed_bench;
pub mod server;
pub mod standing;
pub mod state;
pub mod telemetry;
pub mod tokens;
pub mod variant_cache;
pub mod webhooks;

pub use app::{build_app, openapi_document};
pub use config::Settings;
pub use state::AppState;
