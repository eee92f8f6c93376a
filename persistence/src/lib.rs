//! Quartier's persistence: the PostgreSQL schema, row types, queries and transactions.
//!
//! Every query runs through diesel-async on a deadpool pool, so no database call blocks the
//! async executor. Repository functions take `&mut AsyncPgConnection`, so a use case can run
//! several of them in one transaction.

pub mod account_tokens;
pub mod activities;
pub mod api_keys;
pub mod audit;
pub mod bench_data;
pub mod calendar_feeds;
pub mod centres;
pub mod columns;
pub mod concern_outcomes;
pub mod concerns;
pub mod core_team;
pub mod database;
pub mod digests;
pub mod directory;
pub mod districts;
pub mod embed_origins;
pub mod error;
pub mod fund_drafts;
pub mod funds;
pub mod guests;
pub mod help;
pub mod help_drafts;
pub mod help_wanted;
pub mod idempotency;
pub mod imports;
pub mod networks;
pub mod notifications;
pub mod occurrences;
pub mod operations;
pub mod operators;
pub mod outbox;
pub mod partners;
pub mod places;
pub mod pool;
pub mod privacy;
pub mod profiles;
pub mod qualifications;
pub mod rate_limits;
pub mod refresh_tokens;
pub mod report_snapshots;
pub mod reports;
pub mod rooms;
pub mod schema;
pub mod shift_mail;
pub mod shifts;
pub mod signups;
pub(crate) mod sql;
pub mod staff_invitations;
pub mod standing;
pub mod translations;
pub mod trust;
pub mod users;
pub mod webhooks;
pub mod workload;

pub use diesel::result::Error as DieselError;
pub use diesel_async::{AsyncConnection, AsyncPgConnection};
pub use error::Error;
pub use pool::{PgPool, PoolSettings, Pooler};

/// Why a change to a stored row was not made, when the database itself had no error.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No row has this id.
    NotFound,
    /// The row was changed since the client read it (`If-Match` names another version).
    VersionConflict,
    /// The change would make a hierarchy loop (a district inside itself).
    Cycle,
}

/// The result of every repository function.
pub type Result<T, E = Error> = std::result::Result<T, E>;
