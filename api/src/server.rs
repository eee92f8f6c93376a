//! The HTTP server: actix's, with every connection in a span that names its peer.
//!
//! actix's HTTP layer logs a malformed or broken connection without saying who sent it; the
//! span lets `telemetry` name the peer in the line it writes instead. Otherwise the server is
//! configured as `actix_web::HttpServer` would be: HTTP/1.1 keep-alive, a 5 s limit for the
//! request head, graceful shutdown of idle connections.

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use actix_http::HttpService;
use actix_server::Server;
use actix_service::{
    IntoServiceFactory as _, Service as _, ServiceFactoryExt as _, apply_fn_factory, map_config,
};
use actix_web::dev::AppConfig;
use actix_web::rt::net::TcpStream;
use actix_web::web;
use tracing::Instrument as _;

use crate::app::build_app;
use crate::state::AppState;

/// The target of the span each connection runs in; `telemetry` reads its `peer` field.
pub const CONNECTION_SPAN: &str = "quartier::connection";

/// How a server runs, besides what it serves.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Worker threads, each with its own copy of the application.
    pub workers: usize,
    /// How long running requests may take to finish once the server is told to stop.
    pub shutdown_timeout: Duration,
    /// Whether SIGINT and SIGTERM stop the server (off where a test owns the process).
    pub signals: bool,
}

/// The server for `state` on `listener`; it runs once its future is polled.
pub fn serve(
    listener: TcpListener,
    state: web::Data<AppState>,
    options: Options,
) -> std::io::Result<Server> {
    let local = listener.local_addr()?;
    let mut builder = Server::build()
        .workers(options.workers)
        .shutdown_timeout(options.shutdown_timeout.as_secs());
    if !options.signals {
        builder = builder.disable_signals();
    }
    let shutdown = builder.graceful_shutdown_signal();
    let builder = builder.listen("quartier", listener, move || {
        let shutdown = shutdown.clone();
        let app = build_app(state.clone())
            .into_factory()
            .map_err(|error| error.error_response());
        let http = HttpService::build()
            .client_request_timeout(Duration::from_secs(5))
            .client_disconnect_timeout(Duration::from_secs(1))
            .local_addr(local)
            .graceful_shutdown_signal(move || {
                let shutdown = shutdown.clone();
                async move { shutdown.notified().await }
            })
            .finish(map_config(app, |()| AppConfig::default()))
            .tcp();
        apply_fn_factory(http, |stream: TcpStream, service| {
            let span = connection_span(stream.peer_addr().ok());
            service.call(stream).instrument(span)
        })
    })?;
    Ok(builder.run())
}

/// The span a connection from `peer` runs in. TRACE, so that the request log does not show it.
fn connection_span(peer: Option<SocketAddr>) -> tracing::Span {
    match peer {
        Some(peer) => tracing::trace_span!(target: CONNECTION_SPAN, "connection", %peer),
        None => tracing::trace_span!(target: CONNECTION_SPAN, "connection", peer = "unknown"),
    }
}
