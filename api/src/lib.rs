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
