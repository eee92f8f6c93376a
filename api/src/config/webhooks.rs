//! How webhooks are delivered (`QUARTIER_WEBHOOK_*`): which networks receivers may be in,
//! timeouts, and the retry schedule.

use std::time::Duration;

use super::{ConfigError, boolean, error, number, seconds};

/// How webhooks are delivered.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// `QUARTIER_WEBHOOK_ALLOW_LOOPBACK`: deliver to 127.0.0.0/8 and ::1 (for tests).
    pub allow_loopback: bool,
    /// `QUARTIER_WEBHOOK_ALLOW_PRIVATE`: deliver to private, link-local and shared networks.
    pub allow_private: bool,
    /// `QUARTIER_WEBHOOK_TIMEOUT_SECS`: how long one attempt may take.
    pub timeout: Duration,
    /// `QUARTIER_WEBHOOK_POLL_MS`: how often the worker looks for events and due deliveries.
    pub poll_interval: Duration,
    /// `QUARTIER_WEBHOOK_RETRY_SCHEDULE`: the waits before each retry, such as
    /// `5s,5m,30m,2h,5h,10h,10h` (the default: 8 attempts over 27½ hours).
    pub retry_schedule: Vec<Duration>,
    /// `QUARTIER_WEBHOOK_DISABLE_AFTER_SECS`: a subscription whose deliveries all failed for
    /// this long is switched off (default 5 days).
    pub disable_after: Duration,
}

/// The default retry schedule.
pub const DEFAULT_RETRY_SCHEDULE: &str = "5s,5m,30m,2h,5h,10h,10h";

/// Parses a list of waits such as `5s,5m,2h`.
pub fn retry_schedule(raw: &str) -> Option<Vec<Duration>> {
    let waits: Option<Vec<Duration>> = raw
        .split(',')
        .map(|part| {
            let part = part.trim();
            let unit = part.chars().last()?;
            let value: u64 = part[..part.len() - unit.len_utf8()].parse().ok()?;
            let factor = match unit {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                _ => return None,
            };
            Some(Duration::from_secs(value.checked_mul(factor)?))
        })
        .collect();
    waits.filter(|w| {
        (1..=20).contains(&w.len()) && w.iter().all(|d| *d <= Duration::from_secs(7 * 24 * 3600))
    })
}

impl WebhookSettings {
    /// Reads `QUARTIER_WEBHOOK_*` through `get`.
    pub(super) fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Ok(Self {
            allow_loopback: boolean(
                get("QUARTIER_WEBHOOK_ALLOW_LOOPBACK"),
                "QUARTIER_WEBHOOK_ALLOW_LOOPBACK",
                false,
            )?,
            allow_private: boolean(
                get("QUARTIER_WEBHOOK_ALLOW_PRIVATE"),
                "QUARTIER_WEBHOOK_ALLOW_PRIVATE",
                false,
            )?,
            timeout: seconds(get, "QUARTIER_WEBHOOK_TIMEOUT_SECS", 10, 60)?,
            poll_interval: Duration::from_millis(number(
                get("QUARTIER_WEBHOOK_POLL_MS"),
                "QUARTIER_WEBHOOK_POLL_MS",
                1000,
                20,
                60_000,
            )?),
            retry_schedule: {
                let raw = get("QUARTIER_WEBHOOK_RETRY_SCHEDULE")
                    .unwrap_or_else(|| DEFAULT_RETRY_SCHEDULE.into());
                retry_schedule(&raw).ok_or_else(|| {
                    error(
                        "QUARTIER_WEBHOOK_RETRY_SCHEDULE",
                        format!(
                            "{raw:?} is not 1 to 20 waits such as 5s,5m,2h of at most a week each"
                        ),
                    )
                })?
            },
            disable_after: seconds(
                get,
                "QUARTIER_WEBHOOK_DISABLE_AFTER_SECS",
                5 * 24 * 3600,
                90 * 24 * 3600,
            )?,
        })
    }
}
