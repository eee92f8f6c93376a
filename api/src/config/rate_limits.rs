//! The abuse limits (`QUARTIER_RATE_LIMIT_*`, `QUARTIER_TRUSTED_PROXY_HOPS`) that `limits`
//! enforces.

use super::{ConfigError, number};

/// The configured limits; 0 switches one off.
#[derive(Debug, Clone, Copy)]
pub struct RateLimitSettings {
    /// `QUARTIER_RATE_LIMIT_USER_PER_MINUTE`: requests a signed-in user may make a minute.
    pub user_per_minute: u32,
    /// `QUARTIER_RATE_LIMIT_KEY_PER_MINUTE`: requests an API key may make a minute.
    pub key_per_minute: u32,
    /// `QUARTIER_RATE_LIMIT_AUTH_PER_MINUTE`: sign-ins, refreshes, password changes and
    /// erasures one client address may attempt a minute.
    pub auth_per_minute: u32,
    /// `QUARTIER_RATE_LIMIT_REGISTER_PER_HOUR`: registrations one client address may attempt an
    /// hour.
    pub register_per_hour: u32,
    /// `QUARTIER_RATE_LIMIT_ACCOUNT_PER_15_MIN`: refreshes, password changes, erasure attempts
    /// and registrations for one account (or address) in 15 minutes.
    pub account_per_15_min: u32,
    /// `QUARTIER_RATE_LIMIT_FAILED_LOGINS`: sign-in attempts for one account from one client
    /// address since its last success there, in 15 minutes, after which that address waits
    /// until those 15 minutes are over. Other addresses are not affected.
    pub failed_logins: u32,
    /// `QUARTIER_RATE_LIMIT_FAILED_LOGINS_PER_ACCOUNT`: sign-in attempts for one account from
    /// all addresses together in 15 minutes, after which only addresses that have not failed
    /// in that window may still try (so the owner, elsewhere, is never locked out).
    pub failed_logins_per_account: u32,
    /// `QUARTIER_RATE_LIMIT_ANONYMOUS_PER_MINUTE`: requests without sign-in or API key one
    /// client address may make a minute, counted by each instance (health checks are not
    /// counted).
    pub anonymous_per_minute: u32,
    /// `QUARTIER_ANONYMOUS_SEARCHES`: searches without sign-in or API key that one instance
    /// runs at a time (default: half the machine's cores, at least one); more wait up to a
    /// second for their turn, then get 429.
    pub anonymous_searches: u32,
    /// `QUARTIER_TRUSTED_PROXY_HOPS`: how many proxies in front of Quartier append to
    /// `X-Forwarded-For`; the client address is the entry that many places from the right.
    /// 0 (the default): the peer address, and `X-Forwarded-For` is ignored.
    pub proxy_hops: usize,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            user_per_minute: 600,
            key_per_minute: 1200,
            auth_per_minute: 30,
            register_per_hour: 20,
            account_per_15_min: 20,
            failed_logins: 5,
            failed_logins_per_account: 100,
            anonymous_per_minute: 600,
            anonymous_searches: std::thread::available_parallelism()
                .map_or(1, |cores| (cores.get() / 2).max(1) as u32),
            proxy_hops: 0,
        }
    }
}

impl RateLimitSettings {
    /// Reads the limits through `get`; a variable left out keeps its default.
    pub(super) fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let d = Self::default();
        let limit = |name: &'static str, default: u32| -> Result<u32, ConfigError> {
            number(get(name), name, u64::from(default), 0, 1_000_000).map(|n| n as u32)
        };
        Ok(Self {
            user_per_minute: limit("QUARTIER_RATE_LIMIT_USER_PER_MINUTE", d.user_per_minute)?,
            key_per_minute: limit("QUARTIER_RATE_LIMIT_KEY_PER_MINUTE", d.key_per_minute)?,
            auth_per_minute: limit("QUARTIER_RATE_LIMIT_AUTH_PER_MINUTE", d.auth_per_minute)?,
            register_per_hour: limit("QUARTIER_RATE_LIMIT_REGISTER_PER_HOUR", d.register_per_hour)?,
            account_per_15_min: limit(
                "QUARTIER_RATE_LIMIT_ACCOUNT_PER_15_MIN",
                d.account_per_15_min,
            )?,
            failed_logins: limit("QUARTIER_RATE_LIMIT_FAILED_LOGINS", d.failed_logins)?,
            failed_logins_per_account: limit(
                "QUARTIER_RATE_LIMIT_FAILED_LOGINS_PER_ACCOUNT",
                d.failed_logins_per_account,
            )?,
            anonymous_per_minute: limit(
                "QUARTIER_RATE_LIMIT_ANONYMOUS_PER_MINUTE",
                d.anonymous_per_minute,
            )?,
            anonymous_searches: number(
                get("QUARTIER_ANONYMOUS_SEARCHES"),
                "QUARTIER_ANONYMOUS_SEARCHES",
                u64::from(d.anonymous_searches),
                0,
                10_000,
            )? as u32,
            proxy_hops: number(
                get("QUARTIER_TRUSTED_PROXY_HOPS"),
                "QUARTIER_TRUSTED_PROXY_HOPS",
                0,
                0,
                10,
            )? as usize,
        })
    }
}
