//! The test kit: a database of its own for every test, the real application served on a free
//! port, and typed helpers for what tests do again and again — down to the fixtures they act
//! in ([`Setup`] for shifts and sign-ups, [`Town`] for activities).

pub mod app;
pub mod browser;
pub mod cluster;
pub mod db;
pub mod events;
pub mod feeds;
pub mod fixtures;
pub mod mail;
pub mod metrics;
pub mod pgbouncer;
pub mod proxy;
pub mod rooms;
pub mod town;

pub use app::{TestApp, TestResponse, TestUser};
pub use cluster::TempCluster;
pub use db::TestDb;
pub use fixtures::{Setup, at, created_id, id_of, join, patch, post, setup, shift, sign_up};
pub use mail::{ReceivedMail, SmtpSink};
pub use pgbouncer::{PgBouncer, PgBouncerOptions};
pub use proxy::FreezableProxy;
pub use town::{LONG_HORIZON, Town, next_year, occurrences, town, utc, weekly};
