//! What every handler can reach: the pool, token and password services, and limits.

use quartier_persistence::PgPool;
use quartier_persistence::pool::{self, PooledConnection};

use crate::config::{HeaderPolicy, PrivacyPolicy, RateLimitSettings, Settings};
use crate::error::ApiError;
use crate::mail::Mailer;
use crate::passwords::Passwords;
use crate::tokens::{LinkTokens, Tokens};
use crate::webhooks::worker::Deliverer;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub tokens: Tokens,
    pub passwords: Passwords,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// How long one request may take before it is answered with 503.
    pub request_timeout: std::time::Duration,
    /// How far ahead recurring activities have occurrences.
    pub occurrence_horizon: chrono::Duration,
    /// How far ahead standing sign-ups are signed up for.
    pub standing_ahead: chrono::Duration,
    /// Where clients reach this API, without a trailing slash.
    pub public_url: String,
    /// Where people use the app (`QUARTIER_APP_URL`), without a trailing slash: links to
    /// its pages.
    pub app_url: String,
    /// The Bundesland of the town, for addresses in the HSDS directory.
    pub state_province: Option<String>,
    /// The languages texts may be written in, German first.
    pub content_languages: quartier_domain::language::ContentLanguages,
    /// Sends webhooks, for test pings; the URL policy for subscriptions.
    pub deliverer: Deliverer,
    pub mailer: Mailer,
    pub links: LinkTokens,
    /// The privacy policy in force.
    pub privacy_policy: PrivacyPolicy,
    /// CORS, HSTS and caching headers.
    pub header_policy: HeaderPolicy,
    /// Abuse limits.
    pub rate_limits: RateLimitSettings,
    /// Anonymous readers' budgets on this instance.
    pub fair_share: std::sync::Arc<crate::fair_share::FairShare>,
    /// The variants of every text, for public lists.
    pub variants: std::sync::Arc<crate::variant_cache::VariantCache>,
    /// Public pages answered from memory.
    pub public_cache: std::sync::Arc<crate::public_cache::PublicCache>,
    /// `QUARTIER_READ_DATABASE_URL`: the replica public reads go to.
    pub replica: Option<std::sync::Arc<crate::replica::ReadReplica>>,
    /// `QUARTIER_METRICS_TOKEN`: what a scraper of `/metrics` brings.
    pub metrics_token: Option<crate::config::Secret<String>>,
}

impl AppState {
    pub fn new(settings: &Settings, pool: PgPool) -> Result<Self, ApiError> {
        let links = LinkTokens::new(settings.jwt_secret.expose());
        Ok(Self {
            pool,
            tokens: {
                let tokens = Tokens::new(
                    settings.jwt_secret.expose(),
                    settings.access_token_ttl,
                    settings.refresh_token_ttl,
                );
                match &settings.jwt_previous_secret {
                    Some(previous) => tokens.accepting_previous(previous.expose()),
                    None => tokens,
                }
            },
            passwords: Passwords::with_duty(
                settings.password_hash_concurrency,
                settings.password_hash_duty_percent,
            )?,
            body_limit: settings.body_limit_bytes,
            request_timeout: settings.request_timeout,
            rate_limits: settings.rate_limits,
            fair_share: std::sync::Arc::new(crate::fair_share::FairShare::new(
                settings.rate_limits.anonymous_per_minute,
                settings.rate_limits.anonymous_searches,
            )),
            occurrence_horizon: settings.occurrence_horizon,
            standing_ahead: settings.standing_ahead,
            public_url: settings.public_url.clone(),
            app_url: settings.mail.app_url.trim_end_matches('/').to_owned(),
            state_province: settings.state_province.clone(),
            content_languages: settings.content_languages.clone(),
            variants: std::sync::Arc::default(),
            public_cache: std::sync::Arc::new(crate::public_cache::PublicCache::new(
                settings.public_cache,
            )),
            metrics_token: settings.metrics.token.clone(),
            replica: match &settings.read_database_url {
                None => None,
                Some(url) => {
                    let build = |url, settings| {
                        quartier_persistence::pool::build_pool(url, settings).map_err(|e| {
                            ApiError::Internal(format!("the read replica's pool: {e}"))
                        })
                    };
                    let one = quartier_persistence::PoolSettings {
                        max_size: 1,
                        ..settings.pool
                    };
                    Some(std::sync::Arc::new(crate::replica::ReadReplica::new(
                        build(url, &settings.pool)?,
                        build(&settings.database_url, &one)?,
                        build(url, &one)?,
                    )))
                }
            },
            deliverer: Deliverer::new(&settings.webhooks).map_err(ApiError::Internal)?,
            mailer: Mailer::new(&settings.mail, links.clone(), &settings.public_url)
                .map_err(ApiError::Internal)?,
            links,
            privacy_policy: settings.privacy_policy.clone(),
            header_policy: HeaderPolicy::new(&settings.cors_origins, settings.hsts_max_age_secs),
        })
    }

    /// Borrows a database connection; 503 when none is free within the pool's wait timeout.
    /// An anonymous read of a public page gets one of the read replica, while it keeps up
    /// (`replica`).
    pub async fn conn(&self) -> Result<PooledConnection, ApiError> {
        if let Some(replica) = &self.replica
            && crate::replica::reading_publicly()
            && let Some(conn) = replica.conn().await
        {
            return Ok(conn);
        }
        self.primary_conn().await
    }

    /// Borrows a connection to the primary, whatever the request.
    pub async fn primary_conn(&self) -> Result<PooledConnection, ApiError> {
        Ok(pool::get(&self.pool).await?)
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("pool", &self.pool.status())
            .field("body_limit", &self.body_limit)
            .finish_non_exhaustive()
    }
}
