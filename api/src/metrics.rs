//! `/metrics`: what an operator watches, in the Prometheus (OpenMetrics) text format —
//! requests and their latency per route and status, the database pool, statement timeouts,
//! the queues of background work and their age, rate-limit refusals and the cache of public
//! pages.
//!
//! The figures of the HTTP layer are counted in this process (each instance is scraped on
//! its own); the queues are read from the database at each scrape. Nobody reads them by
//! default: `QUARTIER_METRICS_TOKEN` opens `/metrics` on the API's address to a scraper that
//! brings the token, `QUARTIER_METRICS_BIND` serves it without a token on an address of its
//! own.

use std::sync::OnceLock;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, get, web};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::error::{ApiError, BearerChallenge, Problem};
use crate::state::AppState;

/// The name of the security scheme of `/metrics` in the OpenAPI document.
pub const METRICS_TOKEN: &str = "metrics_token";

/// The media type of the answer.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct QueueLabels {
    queue: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct CacheLabels {
    result: &'static str,
}

/// How a request for a public page was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheResult {
    /// From memory.
    Hit,
    /// Made, and kept for the next readers.
    Miss,
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// Every metric of the process.
struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    pool_connections: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
    pool_waiting: Gauge,
    statement_timeouts: Counter,
    queue_size: Family<QueueLabels, Gauge>,
    queue_age: Family<QueueLabels, Gauge<f64, AtomicU64>>,
    queue_failed: Family<QueueLabels, Gauge>,
    rate_limited: Counter,
    cache: Family<CacheLabels, Counter>,
    cache_invalidations: Counter,
    cache_entries: Gauge,
    cache_bytes: Gauge,
    replica_in_use: Gauge,
    replica_behind: Gauge,
    /// One scrape at a time: the scrape sets the gauges it reads from the database.
    scraping: tokio::sync::Mutex<()>,
}

fn latency_histogram() -> Histogram {
    // 0.25 ms to about 4 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 15))
}

fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let mut registry = Registry::with_prefix("quartier");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route (the path pattern) and status",
            requests.clone(),
        );
        let latency = HistogramFamily::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time from the request's head to its answer, by method and route",
            latency.clone(),
        );
        let gauge = |registry: &mut Registry, name: &str, help: &str| {
            let gauge = Gauge::default();
            registry.register(name, help, gauge.clone());
            gauge
        };
        let pool_connections = gauge(
            &mut registry,
            "db_pool_connections",
            "Database connections the pool holds open",
        );
        let pool_idle = gauge(
            &mut registry,
            "db_pool_idle_connections",
            "Open database connections not in use",
        );
        let pool_max = gauge(
            &mut registry,
            "db_pool_max_connections",
            "The most database connections the pool opens",
        );
        let pool_waiting = gauge(
            &mut registry,
            "db_pool_waiting",
            "Requests waiting for a database connection",
        );
        let statement_timeouts = Counter::default();
        registry.register(
            "db_statement_timeouts",
            "Statements PostgreSQL cancelled at the statement timeout",
            statement_timeouts.clone(),
        );
        let queue_size = Family::<QueueLabels, Gauge>::default();
        registry.register(
            "queue_size",
            "Background work waiting: outbox events not yet published, webhook deliveries and mails to send",
            queue_size.clone(),
        );
        let queue_age = Family::<QueueLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "queue_lag_seconds",
            "How long the longest-waiting item that is due has waited (0: none is due)",
            queue_age.clone(),
        );
        let queue_failed = Family::<QueueLabels, Gauge>::default();
        registry.register(
            "queue_failed",
            "Webhook deliveries and mails that failed for good",
            queue_failed.clone(),
        );
        let rate_limited = Counter::default();
        registry.register(
            "rate_limit_refusals",
            "Requests refused with 429 by an abuse limit",
            rate_limited.clone(),
        );
        let cache = Family::<CacheLabels, Counter>::default();
        registry.register(
            "public_cache_requests",
            "Anonymous requests for a cacheable public page, by whether memory answered (hit) or not (miss)",
            cache.clone(),
        );
        let cache_invalidations = Counter::default();
        registry.register(
            "public_cache_invalidations",
            "Times cached pages were dropped because what they show changed",
            cache_invalidations.clone(),
        );
        let cache_entries = gauge(
            &mut registry,
            "public_cache_entries",
            "Public pages held in memory",
        );
        let cache_bytes = gauge(
            &mut registry,
            "public_cache_bytes",
            "Bytes of public pages held in memory",
        );
        let replica_in_use = gauge(
            &mut registry,
            "read_replica_in_use",
            "1 while anonymous public reads go to the read replica, 0 while they go to the primary (no replica, lagging or not answering)",
        );
        let replica_behind = gauge(
            &mut registry,
            "read_replica_behind_bytes",
            "How many bytes of WAL the read replica was behind the primary at the last comparison",
        );
        Metrics {
            registry,
            replica_in_use,
            replica_behind,
            requests,
            latency,
            pool_connections,
            pool_idle,
            pool_max,
            pool_waiting,
            statement_timeouts,
            queue_size,
            queue_age,
            queue_failed,
            rate_limited,
            cache,
            cache_invalidations,
            cache_entries,
            cache_bytes,
            scraping: tokio::sync::Mutex::new(()),
        }
    })
}

/// Counts a request answered with `status` after `elapsed`, by its route pattern (never
/// its path: ids would make a series each).
pub fn observe_request(method: &str, route: Option<String>, status: u16, elapsed: Duration) {
    let metrics = metrics();
    // Clients may send any method: the label names the standard ones only.
    let method = match method {
        "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" => method,
        _ => "other",
    };
    let route = route.unwrap_or_else(|| "unmatched".to_owned());
    metrics
        .latency
        .get_or_create(&RouteLabels {
            method: method.to_owned(),
            route: route.clone(),
        })
        .observe(elapsed.as_secs_f64());
    metrics
        .requests
        .get_or_create(&RequestLabels {
            method: method.to_owned(),
            route,
            status,
        })
        .inc();
}

/// Counts a request refused by an abuse limit.
pub fn rate_limit_refused() {
    metrics().rate_limited.inc();
}

/// Counts a request for a public page.
pub fn public_cache(result: CacheResult) {
    let result = match result {
        CacheResult::Hit => "hit",
        CacheResult::Miss => "miss",
    };
    metrics().cache.get_or_create(&CacheLabels { result }).inc();
}

/// Counts cached pages dropped because what they show changed.
pub fn public_cache_invalidated() {
    metrics().cache_invalidations.inc();
}

/// The figures now, as text.
async fn render(state: &AppState) -> Result<String, ApiError> {
    let metrics = metrics();
    let _one_at_a_time = metrics.scraping.lock().await;
    let status = state.pool.status();
    metrics.pool_connections.set(status.size as i64);
    metrics.pool_idle.set(status.available as i64);
    metrics.pool_max.set(status.max_size as i64);
    metrics.pool_waiting.set(status.waiting as i64);
    let timeouts = quartier_persistence::operations::statement_timeouts();
    metrics
        .statement_timeouts
        .inc_by(timeouts.saturating_sub(metrics.statement_timeouts.get()));
    let (in_use, behind) = state
        .replica
        .as_ref()
        .map_or((false, 0), |replica| replica.state());
    metrics.replica_in_use.set(i64::from(in_use));
    metrics.replica_behind.set(behind as i64);
    let (entries, bytes) = state.public_cache.size();
    metrics.cache_entries.set(entries as i64);
    metrics.cache_bytes.set(bytes as i64);
    let mut conn = state.conn().await?;
    let backlog = quartier_persistence::operations::backlog(&mut conn).await?;
    drop(conn);
    for (queue, size, lag) in [
        ("outbox", backlog.outbox_events, backlog.outbox_age_secs),
        (
            "webhooks",
            backlog.webhooks_pending,
            backlog.webhooks_lag_secs,
        ),
        ("mail", backlog.mail_queued, backlog.mail_lag_secs),
    ] {
        let labels = QueueLabels { queue };
        metrics.queue_size.get_or_create(&labels).set(size);
        metrics.queue_age.get_or_create(&labels).set(lag);
    }
    for (queue, failed) in [
        ("webhooks", backlog.webhooks_failed),
        ("mail", backlog.mail_failed),
    ] {
        metrics
            .queue_failed
            .get_or_create(&QueueLabels { queue })
            .set(failed);
    }
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &metrics.registry)
        .map_err(|e| ApiError::Internal(format!("encoding the metrics: {e}")))?;
    Ok(text)
}

fn answer(text: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .insert_header(("cache-control", "no-store"))
        .body(text)
}

/// The metrics of this instance, for Prometheus. Answers only a scraper that brings
/// `QUARTIER_METRICS_TOKEN` as a bearer token; where no token is configured, nobody (the
/// instance may serve them on an address of its own, `QUARTIER_METRICS_BIND`).
#[utoipa::path(
    tag = "operations",
    security(("metrics_token" = [])),
    responses(
        (status = 200, description = "The figures in the OpenMetrics text format (which Prometheus reads)", body = String, content_type = "application/openmetrics-text"),
        (status = 401, description = "No token, not the configured one, or none is configured on this instance (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database does not answer (`service-unavailable`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/metrics")]
pub async fn scrape(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    // Without a configured token nobody can bring it: the answer is the same 401.
    if !presents_token(&state, request.headers()) {
        return Err(ApiError::Unauthenticated {
            challenge: BearerChallenge::InvalidToken,
            detail: "Send the configured QUARTIER_METRICS_TOKEN as a bearer token.".into(),
        });
    }
    Ok(answer(render(&state).await?))
}

/// Whether `headers` bring the configured metrics token as a bearer token.
pub fn presents_token(state: &AppState, headers: &actix_web::http::header::HeaderMap) -> bool {
    let Some(expected) = state.metrics_token.as_ref() else {
        return false;
    };
    let presented = headers
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    // Compared as hashes, so that the time taken tells nothing of the secret.
    presented.is_some_and(|presented| {
        crate::auth::key_hash(presented) == crate::auth::key_hash(expected.expose())
    })
}

/// `/metrics` without a token, for the address of its own (`QUARTIER_METRICS_BIND`).
async fn scrape_open(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(answer(render(&state).await?))
}

/// Serves `/metrics` alone on `bind`, without a token: an address only the scraper reaches.
pub fn serve_separately(
    bind: &str,
    state: web::Data<AppState>,
) -> std::io::Result<actix_web::dev::Server> {
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(scrape_open))
    })
    .workers(1)
    .disable_signals()
    .bind(bind)?
    .run();
    Ok(server)
}
