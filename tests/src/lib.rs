//! The test kit: a database of its own for every test, the real application served on a free
//! port, and typed helpers for what tests do again and again.

pub mod app;
pub mod cluster;
pub mod db;
pub mod events;
pub mod proxy;

pub use app::{TestApp, TestResponse, TestUser};
pub use cluster::TempCluster;
pub use db::TestDb;
pub use proxy::FreezableProxy;
