//! Settings, read once from environment variables at start and passed down from `main`.
//!
//! Everything here is plain data and its parsing: this module depends on no other part of
//! the API (not `state`, `limits`, `security` or `auth`), which all read their settings from
//! it. `Settings::from_lookup` reads every variable; groups of them are read in their own
//! files (`rate_limits`, `retention`, `webhooks`, `web`).

mod mail;
mod rate_limits;
mod retention;
mod secret;
mod web;
mod webhooks;

use std::time::Duration;

use quartier_persistence::database::DatabaseUrl;
use quartier_persistence::{PoolSettings, Pooler};

pub use mail::{DEFAULT_MAIL_RETRY_SCHEDULE, MailDestination, MailSettings};
pub use rate_limits::RateLimitSettings;
pub use retention::RetentionSettings;
pub use secret::Secret;
pub use web::{DEFAULT_PRIVACY_POLICY_VERSION, HeaderPolicy, PrivacyPolicy, parse_origin};
pub use webhooks::{DEFAULT_RETRY_SCHEDULE, WebhookSettings, retry_schedule};

/// Where Quartier runs: `production` refuses unsafe defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Everything Quartier can be told at start. See the README for each variable.
#[derive(Debug, Clone)]
pub struct Settings {
    pub environment: Environment,
    /// `DATABASE_URL`; its `Debug` hides the password.
    pub database_url: DatabaseUrl,
    /// `QUARTIER_BIND`
    pub bind: String,
    /// `QUARTIER_JWT_SECRET`, or a random one made at start in development.
    pub jwt_secret: Secret<Vec<u8>>,
    /// True when `jwt_secret` was made up at start (tokens die with the process).
    pub jwt_secret_generated: bool,
    /// `QUARTIER_JWT_PREVIOUS_SECRET`: the key before the last rotation, still accepted for
    /// verifying access tokens (set it for one access-token lifetime after a rotation).
    pub jwt_previous_secret: Option<Secret<Vec<u8>>>,
    /// `QUARTIER_LOG`, an `EnvFilter` directive such as `info` or `quartier=debug,info`.
    pub log_filter: String,
    /// `QUARTIER_LOG_FORMAT`: `text` or `json`.
    pub log_format: LogFormat,
    /// `QUARTIER_DB_*`
    pub pool: PoolSettings,
    /// `QUARTIER_MIGRATE_ON_START`: whether `serve` applies pending migrations.
    pub migrate_on_start: bool,
    /// `QUARTIER_BODY_LIMIT_BYTES`: the largest request body accepted.
    pub body_limit_bytes: usize,
    /// `QUARTIER_PASSWORD_HASH_CONCURRENCY`: password hashes computed at once. By default half
    /// the cores (at least one): a flood of sign-ins never takes more than half the machine,
    /// and everything else keeps the rest.
    pub password_hash_concurrency: usize,
    /// `QUARTIER_PASSWORD_HASH_DUTY_PERCENT`: the share of its core a hashing thread may use
    /// (1 to 100, default 50): after each hash it rests in proportion, holding its slot, so
    /// that a flood of sign-ins leaves the readers most of the machine. A single sign-in is
    /// not slowed (its answer goes before the rest).
    pub password_hash_duty_percent: u32,
    /// `QUARTIER_WORKERS`: HTTP worker threads.
    pub workers: usize,
    /// `QUARTIER_ACCESS_TOKEN_TTL_SECS`
    pub access_token_ttl: Duration,
    /// `QUARTIER_REFRESH_TOKEN_TTL_SECS`
    pub refresh_token_ttl: Duration,
    /// `QUARTIER_REQUEST_TIMEOUT_SECS`: a request still running after this gets 503.
    pub request_timeout: Duration,
    /// `QUARTIER_SHUTDOWN_TIMEOUT_SECS`: how long running requests may finish on shutdown.
    pub shutdown_timeout: Duration,
    /// `QUARTIER_OCCURRENCE_HORIZON_DAYS`: how far ahead recurring activities have occurrences.
    pub occurrence_horizon: chrono::Duration,
    /// `QUARTIER_HORIZON_INTERVAL_SECS`: how often the horizon is moved forward.
    pub horizon_interval: Duration,
    /// `QUARTIER_STANDING_WEEKS_AHEAD`: how many weeks ahead standing sign-ups are signed up
    /// for (default 6).
    pub standing_ahead: chrono::Duration,
    /// `QUARTIER_STANDING_INTERVAL_SECS`: how often the worker looks for new dates of
    /// standing sign-ups (default 900).
    pub standing_interval: Duration,
    /// `QUARTIER_PUBLIC_URL`: where clients reach this API, for links in calendar feeds.
    pub public_url: String,
    /// `QUARTIER_STATE_PROVINCE`: the town's Bundesland (e.g. `Nordrhein-Westfalen`), which
    /// HSDS addresses must name; unset, the directory export gives no street addresses.
    pub state_province: Option<String>,
    /// `QUARTIER_CONTENT_LANGUAGES`: the languages texts may be written in besides German,
    /// comma-separated BCP 47 tags (default `de-x-ls,en,tr,ar,uk,ru,pl`).
    pub content_languages: quartier_domain::language::ContentLanguages,
    /// `QUARTIER_WEBHOOK_*`
    pub webhooks: WebhookSettings,
    /// `QUARTIER_SMTP_URL`, `QUARTIER_MAIL_*`, `QUARTIER_APP_URL`
    pub mail: MailSettings,
    /// `QUARTIER_CORS_ORIGINS`: the origins (`https://app.example.org`, comma-separated) whose
    /// pages may call the API from a browser; none by default.
    pub cors_origins: Vec<String>,
    /// `QUARTIER_PRIVACY_POLICY_VERSION` and `QUARTIER_PRIVACY_POLICY_URL`: the policy in force.
    pub privacy_policy: PrivacyPolicy,
    /// `QUARTIER_HSTS_MAX_AGE_SECS`: when above 0, responses carry `Strict-Transport-Security`
    /// with this max-age (for deployments served only over HTTPS).
    pub hsts_max_age_secs: u64,
    /// `QUARTIER_RETENTION_*`
    pub retention: RetentionSettings,
    /// `QUARTIER_RATE_LIMIT_*` and `QUARTIER_TRUSTED_PROXY_HOPS`
    pub rate_limits: RateLimitSettings,
    /// `QUARTIER_MIGRATION_DATABASE_URL`: a direct connection to the database of
    /// `DATABASE_URL`, for creating it and applying migrations (they hold a session lock, which
    /// a pooler in transaction mode cannot keep). Required with
    /// `QUARTIER_DATABASE_POOLER=transaction`; otherwise `DATABASE_URL` serves.
    pub migration_database_url: Option<DatabaseUrl>,
    /// `QUARTIER_READ_DATABASE_URL`: a streaming replica of `DATABASE_URL` that anonymous
    /// reads of public pages go to (with the pool settings of the primary).
    pub read_database_url: Option<DatabaseUrl>,
    /// `QUARTIER_METRICS_TOKEN` and `QUARTIER_METRICS_BIND`: who may read `/metrics`.
    pub metrics: MetricsSettings,
    /// `QUARTIER_PUBLIC_CACHE_TTL_MS` and `QUARTIER_PUBLIC_CACHE_MIB`: the cache of public pages.
    pub public_cache: PublicCacheSettings,
}

/// Who may read `/metrics`. Neither set: nobody (the route answers 404).
#[derive(Debug, Clone)]
pub struct MetricsSettings {
    /// `QUARTIER_METRICS_TOKEN`: `/metrics` on the API's own address answers a request that
    /// brings `Authorization: Bearer <token>`.
    pub token: Option<Secret<String>>,
    /// `QUARTIER_METRICS_BIND`: an address of its own (such as `127.0.0.1:9464`, reachable
    /// only by the scraper) where `/metrics` needs no token.
    pub bind: Option<String>,
}

/// The cache of pages anonymous readers get (`public_cache`).
#[derive(Debug, Clone, Copy)]
pub struct PublicCacheSettings {
    /// How long a page is served from memory at most; zero turns the cache off.
    pub ttl: Duration,
    /// The most bytes of pages held.
    pub max_bytes: usize,
}

/// A setting that could not be used; start-up stops with this message.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/quartier";

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can pass their own environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let environment = match get("QUARTIER_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(error(
                    "QUARTIER_ENV",
                    format!("{other:?} is neither development nor production"),
                ));
            }
        };
        let database_url =
            DatabaseUrl::parse(&get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()))
                .map_err(|e| error("DATABASE_URL", e.to_string()))?;
        let (jwt_secret, jwt_secret_generated) = match get("QUARTIER_JWT_SECRET") {
            Some(secret) if secret.len() >= 32 => (secret.into_bytes(), false),
            Some(_) => {
                return Err(error(
                    "QUARTIER_JWT_SECRET",
                    "must be at least 32 bytes long".into(),
                ));
            }
            None if environment == Environment::Production => {
                return Err(error(
                    "QUARTIER_JWT_SECRET",
                    "is required when QUARTIER_ENV=production".into(),
                ));
            }
            None => (rand::random::<[u8; 32]>().to_vec(), true),
        };
        let jwt_previous_secret = match get("QUARTIER_JWT_PREVIOUS_SECRET") {
            Some(previous) if previous.len() < 32 => {
                return Err(error(
                    "QUARTIER_JWT_PREVIOUS_SECRET",
                    "must be at least 32 bytes long".into(),
                ));
            }
            Some(previous) if previous.as_bytes() == jwt_secret.as_slice() => {
                return Err(error(
                    "QUARTIER_JWT_PREVIOUS_SECRET",
                    "is the same as QUARTIER_JWT_SECRET".into(),
                ));
            }
            previous => previous.map(|p| Secret::new(p.into_bytes())),
        };
        let log_format = match get("QUARTIER_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(error(
                    "QUARTIER_LOG_FORMAT",
                    format!("{other:?} is neither text nor json"),
                ));
            }
        };
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let defaults = PoolSettings::default();
        let millis = |name: &'static str, default: Duration| -> Result<Duration, ConfigError> {
            number(get(name), name, default.as_millis() as u64, 1, 600_000)
                .map(Duration::from_millis)
        };
        let public_url = web::public_url(get("QUARTIER_PUBLIC_URL"))?;
        let pooler = match get("QUARTIER_DATABASE_POOLER").as_deref().map(str::trim) {
            None | Some("" | "none") => Pooler::None,
            Some("transaction") => Pooler::Transaction,
            Some(other) => {
                return Err(error(
                    "QUARTIER_DATABASE_POOLER",
                    format!("{other:?} is neither none nor transaction"),
                ));
            }
        };
        let migration_database_url = match get("QUARTIER_MIGRATION_DATABASE_URL") {
            Some(url) if !url.trim().is_empty() => Some(
                DatabaseUrl::parse(url.trim())
                    .map_err(|e| error("QUARTIER_MIGRATION_DATABASE_URL", e.to_string()))?,
            ),
            _ => None,
        };
        if pooler == Pooler::Transaction && migration_database_url.is_none() {
            return Err(error(
                "QUARTIER_MIGRATION_DATABASE_URL",
                "is required with QUARTIER_DATABASE_POOLER=transaction: creating the database \
                 and migrating need a direct connection to it, not one through the pooler"
                    .into(),
            ));
        }
        Ok(Self {
            environment,
            database_url,
            bind: get("QUARTIER_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            jwt_secret: Secret::new(jwt_secret),
            jwt_secret_generated,
            jwt_previous_secret,
            log_filter: get("QUARTIER_LOG").unwrap_or_else(|| "info".into()),
            log_format,
            pool: PoolSettings {
                max_size: number(
                    get("QUARTIER_DB_POOL_SIZE"),
                    "QUARTIER_DB_POOL_SIZE",
                    defaults.max_size as u64,
                    1,
                    1000,
                )? as usize,
                wait_timeout: millis("QUARTIER_DB_WAIT_TIMEOUT_MS", defaults.wait_timeout)?,
                connect_timeout: millis(
                    "QUARTIER_DB_CONNECT_TIMEOUT_MS",
                    defaults.connect_timeout,
                )?,
                recycle_timeout: millis(
                    "QUARTIER_DB_RECYCLE_TIMEOUT_MS",
                    defaults.recycle_timeout,
                )?,
                statement_timeout: millis(
                    "QUARTIER_DB_STATEMENT_TIMEOUT_MS",
                    defaults.statement_timeout,
                )?,
                pooler,
            },
            migrate_on_start: boolean(
                get("QUARTIER_MIGRATE_ON_START"),
                "QUARTIER_MIGRATE_ON_START",
                true,
            )?,
            body_limit_bytes: number(
                get("QUARTIER_BODY_LIMIT_BYTES"),
                "QUARTIER_BODY_LIMIT_BYTES",
                256 * 1024,
                1024,
                64 * 1024 * 1024,
            )? as usize,
            password_hash_concurrency: number(
                get("QUARTIER_PASSWORD_HASH_CONCURRENCY"),
                "QUARTIER_PASSWORD_HASH_CONCURRENCY",
                (cores / 2).max(1) as u64,
                1,
                256,
            )? as usize,
            password_hash_duty_percent: number(
                get("QUARTIER_PASSWORD_HASH_DUTY_PERCENT"),
                "QUARTIER_PASSWORD_HASH_DUTY_PERCENT",
                50,
                1,
                100,
            )? as u32,
            workers: number(
                get("QUARTIER_WORKERS"),
                "QUARTIER_WORKERS",
                cores as u64,
                1,
                256,
            )? as usize,
            access_token_ttl: seconds(&get, "QUARTIER_ACCESS_TOKEN_TTL_SECS", 15 * 60, 24 * 3600)?,
            refresh_token_ttl: seconds(
                &get,
                "QUARTIER_REFRESH_TOKEN_TTL_SECS",
                30 * 24 * 3600,
                365 * 24 * 3600,
            )?,
            request_timeout: seconds(&get, "QUARTIER_REQUEST_TIMEOUT_SECS", 15, 3600)?,
            shutdown_timeout: seconds(&get, "QUARTIER_SHUTDOWN_TIMEOUT_SECS", 30, 3600)?,
            occurrence_horizon: chrono::Duration::days(number(
                get("QUARTIER_OCCURRENCE_HORIZON_DAYS"),
                "QUARTIER_OCCURRENCE_HORIZON_DAYS",
                365,
                7,
                1100,
            )? as i64),
            horizon_interval: seconds(&get, "QUARTIER_HORIZON_INTERVAL_SECS", 3600, 7 * 24 * 3600)?,
            standing_ahead: chrono::Duration::weeks(number(
                get("QUARTIER_STANDING_WEEKS_AHEAD"),
                "QUARTIER_STANDING_WEEKS_AHEAD",
                6,
                1,
                26,
            )? as i64),
            standing_interval: seconds(&get, "QUARTIER_STANDING_INTERVAL_SECS", 900, 24 * 3600)?,
            mail: MailSettings::from_lookup(&get, environment, &public_url)?,
            public_url,
            state_province: get("QUARTIER_STATE_PROVINCE")
                .map(|state| state.trim().to_owned())
                .filter(|state| !state.is_empty()),
            content_languages: match get("QUARTIER_CONTENT_LANGUAGES") {
                None => quartier_domain::language::ContentLanguages::defaults(),
                Some(raw) => quartier_domain::language::ContentLanguages::parse(&raw)
                    .map_err(|message| error("QUARTIER_CONTENT_LANGUAGES", message))?,
            },
            cors_origins: web::cors_origins(get("QUARTIER_CORS_ORIGINS"))?,
            privacy_policy: PrivacyPolicy::from_lookup(&get)?,
            hsts_max_age_secs: number(
                get("QUARTIER_HSTS_MAX_AGE_SECS"),
                "QUARTIER_HSTS_MAX_AGE_SECS",
                0,
                0,
                2 * 365 * 24 * 3600,
            )?,
            rate_limits: RateLimitSettings::from_lookup(&get)?,
            migration_database_url,
            read_database_url: match get("QUARTIER_READ_DATABASE_URL") {
                Some(url) if !url.trim().is_empty() => Some(
                    DatabaseUrl::parse(url.trim())
                        .map_err(|e| error("QUARTIER_READ_DATABASE_URL", e.to_string()))?,
                ),
                _ => None,
            },
            metrics: MetricsSettings {
                token: match get("QUARTIER_METRICS_TOKEN") {
                    None => None,
                    Some(token) if token.len() >= 16 => Some(Secret::new(token)),
                    Some(_) => {
                        return Err(error(
                            "QUARTIER_METRICS_TOKEN",
                            "must be at least 16 characters".into(),
                        ));
                    }
                },
                bind: get("QUARTIER_METRICS_BIND").filter(|bind| !bind.trim().is_empty()),
            },
            public_cache: PublicCacheSettings {
                ttl: Duration::from_millis(number(
                    get("QUARTIER_PUBLIC_CACHE_TTL_MS"),
                    "QUARTIER_PUBLIC_CACHE_TTL_MS",
                    2000,
                    0,
                    60_000,
                )?),
                max_bytes: number(
                    get("QUARTIER_PUBLIC_CACHE_MIB"),
                    "QUARTIER_PUBLIC_CACHE_MIB",
                    64,
                    1,
                    4096,
                )? as usize
                    * 1024
                    * 1024,
            },
            retention: RetentionSettings::from_lookup(&get)?,
            webhooks: WebhookSettings::from_lookup(&get)?,
        })
    }
}

fn error(variable: &'static str, message: String) -> ConfigError {
    ConfigError { variable, message }
}

fn number(
    raw: Option<String>,
    name: &'static str,
    default: u64,
    min: u64,
    max: u64,
) -> Result<u64, ConfigError> {
    let Some(raw) = raw else { return Ok(default) };
    match raw.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(error(
            name,
            format!("{raw:?} is not a whole number from {min} to {max}"),
        )),
    }
}

fn boolean(raw: Option<String>, name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match raw.as_deref().map(str::trim) {
        None => Ok(default),
        Some("true" | "1" | "yes") => Ok(true),
        Some("false" | "0" | "no") => Ok(false),
        Some(other) => Err(error(name, format!("{other:?} is neither true nor false"))),
    }
}

/// A number of seconds from `get(name)`, from 1 to `max`.
fn seconds(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u64,
    max: u64,
) -> Result<Duration, ConfigError> {
    number(get(name), name, default, 1, max).map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_suit_development() {
        let s = settings(&[]).expect("defaults are valid");
        assert_eq!(s.environment, Environment::Development);
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.database_url.name(), "quartier");
        assert!(s.jwt_secret_generated);
        assert_eq!(s.jwt_secret.expose().len(), 32);
        assert_eq!(s.body_limit_bytes, 256 * 1024);
        assert_eq!(s.access_token_ttl, Duration::from_secs(900));
        assert!(s.migrate_on_start);
    }

    #[test]
    fn production_requires_a_jwt_secret() {
        let err = settings(&[("QUARTIER_ENV", "production")]).expect_err("no secret");
        assert_eq!(err.variable, "QUARTIER_JWT_SECRET");
        let s = settings(&[
            ("QUARTIER_ENV", "production"),
            ("QUARTIER_JWT_SECRET", &"k".repeat(40)),
            ("QUARTIER_SMTP_URL", "smtps://quartier:pw@mail.example.org"),
            ("QUARTIER_MAIL_FROM", "Quartier <quartier@example.org>"),
        ])
        .expect("valid");
        assert!(!s.jwt_secret_generated);
        assert!(settings(&[("QUARTIER_JWT_SECRET", "short")]).is_err());
    }

    #[test]
    fn production_refuses_to_start_without_a_way_to_send_mail() {
        let secret = "k".repeat(40);
        let base = [
            ("QUARTIER_ENV", "production"),
            ("QUARTIER_JWT_SECRET", secret.as_str()),
        ];
        let err = settings(&base).expect_err("no SMTP");
        assert_eq!(err.variable, "QUARTIER_SMTP_URL");
        let mut with_dir = base.to_vec();
        with_dir.push(("QUARTIER_MAIL_DIR", "/tmp/mail"));
        assert_eq!(
            settings(&with_dir)
                .expect_err("a folder is for development")
                .variable,
            "QUARTIER_SMTP_URL"
        );
        let mut with_smtp = base.to_vec();
        with_smtp.push(("QUARTIER_SMTP_URL", "smtp://relay:25"));
        assert_eq!(
            settings(&with_smtp).expect_err("no sender").variable,
            "QUARTIER_MAIL_FROM"
        );
        with_smtp.push(("QUARTIER_MAIL_FROM", "not an address"));
        assert_eq!(
            settings(&with_smtp).expect_err("bad sender").variable,
            "QUARTIER_MAIL_FROM"
        );
        assert_eq!(
            settings(&[("QUARTIER_SMTP_URL", "http://relay")])
                .expect_err("bad scheme")
                .variable,
            "QUARTIER_SMTP_URL"
        );
        assert!(matches!(
            settings(&[]).expect("development").mail.destination,
            MailDestination::Log
        ));
    }

    #[test]
    fn a_transaction_pooler_needs_a_direct_url_for_migrations() {
        let plain = settings(&[]).expect("defaults");
        assert_eq!(plain.pool.pooler, Pooler::None);
        assert!(plain.migration_database_url.is_none());
        let err = settings(&[("QUARTIER_DATABASE_POOLER", "transaction")])
            .expect_err("no direct connection");
        assert_eq!(err.variable, "QUARTIER_MIGRATION_DATABASE_URL");
        let err = settings(&[("QUARTIER_DATABASE_POOLER", "statement")]).expect_err("unknown");
        assert_eq!(err.variable, "QUARTIER_DATABASE_POOLER");
        let pooled = settings(&[
            ("DATABASE_URL", "postgres://app:pw@pgbouncer:6432/quartier"),
            ("QUARTIER_DATABASE_POOLER", "transaction"),
            (
                "QUARTIER_MIGRATION_DATABASE_URL",
                "postgres://app:pw@db:5432/quartier",
            ),
        ])
        .expect("valid");
        assert_eq!(pooled.pool.pooler, Pooler::Transaction);
        assert_eq!(
            pooled.migration_database_url.expect("set").name(),
            "quartier"
        );
    }

    #[test]
    fn debug_output_hides_secrets() {
        let s = settings(&[
            ("DATABASE_URL", "postgres://app:hunter2hunter2@db:5432/q"),
            (
                "QUARTIER_JWT_SECRET",
                "averyveryverylongsecretthatnobodyknows",
            ),
        ])
        .expect("valid");
        let printed = format!("{s:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(!printed.contains("averyvery"), "{printed}");
    }

    #[test]
    fn retry_schedules_parse() {
        let s = settings(&[]).expect("defaults");
        let total: Duration = s.webhooks.retry_schedule.iter().sum();
        assert!(total >= Duration::from_secs(24 * 3600), "{total:?}");
        assert!(!s.webhooks.allow_loopback);
        assert_eq!(
            retry_schedule("1s, 2m,3h"),
            Some(vec![
                Duration::from_secs(1),
                Duration::from_secs(120),
                Duration::from_secs(10800)
            ])
        );
        assert_eq!(retry_schedule("5"), None);
        assert_eq!(retry_schedule("5d"), None);
        assert_eq!(retry_schedule(""), None);
        assert!(settings(&[("QUARTIER_WEBHOOK_RETRY_SCHEDULE", "soon")]).is_err());
    }

    #[test]
    fn bad_numbers_name_their_variable() {
        let err = settings(&[("QUARTIER_DB_POOL_SIZE", "lots")]).expect_err("not a number");
        assert_eq!(err.variable, "QUARTIER_DB_POOL_SIZE");
        assert!(settings(&[("QUARTIER_DB_WAIT_TIMEOUT_MS", "250")]).is_ok());
        assert!(settings(&[("QUARTIER_LOG_FORMAT", "xml")]).is_err());
    }
}
