//! Logs: one line per request with its id, as text for people or JSON for machines.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;
use uuid::Uuid;

use crate::config::LogFormat;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Installs the global log subscriber. Call once, at start.
///
/// The HTTP layer logs a client's malformed or broken connection (a request head that does
/// not parse, a body cut off) at ERROR level, so any client could raise alerts at will. Those
/// lines are held back and summed up instead: at most one WARN line a minute, with how many
/// there were, the last one's text and the address it came from (the connection's span, see
/// `server`).
pub fn init(filter: &str, format: LogFormat) {
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::filter::{FilterExt as _, filter_fn};
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;

    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let output = match format {
        LogFormat::Text => tracing_subscriber::fmt::layer().with_target(false).boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .with_target(false)
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .boxed(),
    };
    let _ = tracing_subscriber::registry()
        .with(output.with_filter(filter.and(filter_fn(|meta| !is_connection_error(meta)))))
        .with(ConnectionErrors::default().with_filter(filter_fn(|meta| {
            is_connection_error(meta) || is_connection(meta)
        })))
        .try_init();
}

/// Where the HTTP layer reports broken client connections.
const CONNECTION_ERRORS: &str = "actix_http::h1";

fn is_connection_error(meta: &tracing::Metadata<'_>) -> bool {
    meta.target().starts_with(CONNECTION_ERRORS) && *meta.level() == tracing::Level::ERROR
}

fn is_connection(meta: &tracing::Metadata<'_>) -> bool {
    meta.is_span() && meta.target() == crate::server::CONNECTION_SPAN
}

/// The peer of a connection's span, kept in the span's extensions.
struct Peer(String);

/// Counts what passes at most once per `every`, and says how many there were when it may
/// speak.
#[derive(Debug)]
pub struct Throttle {
    every: std::time::Duration,
    last: Option<Instant>,
    held: u64,
}

impl Throttle {
    pub fn new(every: std::time::Duration) -> Self {
        Self {
            every,
            last: None,
            held: 0,
        }
    }

    /// Counts one at `now`; `Some(count)` (this one included) when a line may be written.
    pub fn hit(&mut self, now: Instant) -> Option<u64> {
        self.held += 1;
        if self
            .last
            .is_some_and(|last| now.duration_since(last) < self.every)
        {
            return None;
        }
        self.last = Some(now);
        Some(std::mem::take(&mut self.held))
    }
}

/// Sums up the HTTP layer's connection errors (see `init`).
#[derive(Debug)]
struct ConnectionErrors(std::sync::Mutex<Throttle>);

impl Default for ConnectionErrors {
    fn default() -> Self {
        Self(std::sync::Mutex::new(Throttle::new(
            std::time::Duration::from_secs(60),
        )))
    }
}

impl<S> tracing_subscriber::Layer<S> for ConnectionErrors
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut peer = Field("peer", String::new());
        attrs.record(&mut peer);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Peer(peer.1));
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: tracing_subscriber::layer::Context<'_, S>) {
        let count = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .hit(Instant::now());
        if let Some(count) = count {
            let mut message = Field("message", String::new());
            event.record(&mut message);
            let peer = ctx
                .event_scope(event)
                .and_then(|scope| {
                    scope
                        .into_iter()
                        .find_map(|span| span.extensions().get::<Peer>().map(|p| p.0.clone()))
                })
                .unwrap_or_else(|| "unknown".to_owned());
            tracing::warn!(
                count,
                last = %message.1,
                peer = %peer,
                "malformed or broken client connections (at most one line a minute)"
            );
        }
    }
}

/// One field of an event or span, by name, as text.
struct Field(&'static str, String);

impl tracing::field::Visit for Field {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == self.0 {
            self.1 = format!("{value:?}");
        }
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == self.0 {
            self.1 = value.to_owned();
        }
    }
}

/// The id of one request: taken from `X-Request-Id` when a proxy sent a sane one, made up
/// otherwise; logged with everything the request does and returned in `X-Request-Id`.
pub async fn request_context(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| Uuid::now_v7().to_string());
    // HEAD is GET without the body (RFC 9110): route it as GET; the HTTP layer still knows
    // it was HEAD and sends no body.
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    // The path only: query strings may carry personal data.
    let span = tracing::info_span!("request", request_id = %request_id, method = %req.method(), path = %req.path());
    let started = Instant::now();
    let method = req.method().clone();
    let result = next.call(req).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let elapsed_ms = elapsed.as_secs_f64() * 1000.0;
    match result {
        Ok(mut response) => {
            let status = response.status().as_u16();
            crate::metrics::observe_request(
                method.as_str(),
                response.request().match_pattern(),
                status,
                elapsed,
            );
            span.in_scope(|| tracing::info!(status, elapsed_ms, "request"));
            if let Ok(value) = HeaderValue::from_str(&request_id) {
                response.headers_mut().insert(REQUEST_ID, value);
            }
            Ok(response)
        }
        Err(error) => {
            let status = error.as_response_error().status_code().as_u16();
            crate::metrics::observe_request(method.as_str(), None, status, elapsed);
            span.in_scope(|| tracing::warn!(%error, elapsed_ms, "request failed"));
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throttle_speaks_at_most_once_per_period_and_counts_the_rest() {
        let mut throttle = Throttle::new(std::time::Duration::from_secs(60));
        let start = Instant::now();
        assert_eq!(throttle.hit(start), Some(1));
        for n in 1..=500 {
            assert_eq!(
                throttle.hit(start + std::time::Duration::from_millis(n * 100)),
                None
            );
        }
        assert_eq!(
            throttle.hit(start + std::time::Duration::from_secs(61)),
            Some(501)
        );
    }
}
