//! Outbound webhooks: signing payloads the Standard Webhooks way and sending them only to
//! addresses that may receive them.

pub mod client;
pub mod signature;
pub mod worker;
