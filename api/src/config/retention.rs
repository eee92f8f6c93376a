//! How long personal details and records are kept (`QUARTIER_RETENTION_*`); the `retention`
//! task applies it.

use std::time::Duration;

use super::{ConfigError, number, seconds};

/// How long personal details are kept.
#[derive(Debug, Clone, Copy)]
pub struct RetentionSettings {
    /// `QUARTIER_RETENTION_SIGNUP_MONTHS`: sign-ups are anonymised this many months after
    /// their shift ended (default 24).
    pub signup_months: u32,
    /// `QUARTIER_RETENTION_VERIFICATION_GRACE_DAYS`: verification records of qualifications
    /// are removed this many days after they expired (default 90).
    pub verification_grace_days: u32,
    /// `QUARTIER_RETENTION_INTERVAL_SECS`: how often the retention task runs (default hourly).
    pub interval: Duration,
    /// `QUARTIER_RETENTION_EVENTS_DAYS`: published events and finished webhook deliveries are
    /// removed this many days after they were made (default 30).
    pub events_days: u32,
    /// `QUARTIER_RETENTION_AUDIT_MONTHS`: audit entries are removed this many months after
    /// they were written (default 24).
    pub audit_months: u32,
    /// `QUARTIER_RETENTION_GUEST_DAYS`: guests are erased this many days after their last
    /// shift ended (or they were made, with none), by the path of an erasure (default 90);
    /// the private details of a request of neighbourly help are dropped this long after it
    /// ended.
    pub guest_days: u32,
    /// `QUARTIER_GUEST_HOLD_SWEEP_SECS`: how often guests' expired holds are released and
    /// their places passed on (default 15).
    pub hold_sweep: Duration,
}

impl RetentionSettings {
    /// Reads `QUARTIER_RETENTION_*` through `get`.
    pub(super) fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Ok(Self {
            signup_months: number(
                get("QUARTIER_RETENTION_SIGNUP_MONTHS"),
                "QUARTIER_RETENTION_SIGNUP_MONTHS",
                24,
                1,
                240,
            )? as u32,
            verification_grace_days: number(
                get("QUARTIER_RETENTION_VERIFICATION_GRACE_DAYS"),
                "QUARTIER_RETENTION_VERIFICATION_GRACE_DAYS",
                90,
                0,
                3650,
            )? as u32,
            interval: seconds(get, "QUARTIER_RETENTION_INTERVAL_SECS", 3600, 7 * 24 * 3600)?,
            events_days: number(
                get("QUARTIER_RETENTION_EVENTS_DAYS"),
                "QUARTIER_RETENTION_EVENTS_DAYS",
                30,
                1,
                3650,
            )? as u32,
            audit_months: number(
                get("QUARTIER_RETENTION_AUDIT_MONTHS"),
                "QUARTIER_RETENTION_AUDIT_MONTHS",
                24,
                1,
                240,
            )? as u32,
            guest_days: number(
                get("QUARTIER_RETENTION_GUEST_DAYS"),
                "QUARTIER_RETENTION_GUEST_DAYS",
                90,
                1,
                3650,
            )? as u32,
            hold_sweep: seconds(get, "QUARTIER_GUEST_HOLD_SWEEP_SECS", 15, 3600)?,
        })
    }
}
