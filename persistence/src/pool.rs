//! The connection pool: bounded in size and in every wait, so a dead database gives a quick
//! error instead of a hung request.

use std::time::Duration;

use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures_util::FutureExt;

use crate::database::DatabaseUrl;
use crate::{Error, Result};

/// The pool every request borrows its connection from.
pub type PgPool = Pool<AsyncPgConnection>;

/// A connection borrowed from the pool; it goes back when dropped.
pub type PooledConnection = Object<AsyncPgConnection>;

/// Sizes and time limits of the pool. The defaults suit a small server.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    /// Connections at most.
    pub max_size: usize,
    /// How long a request waits for a free connection before it gets 503.
    pub wait_timeout: Duration,
    /// How long opening a new connection may take.
    pub connect_timeout: Duration,
    /// How long checking a returned connection may take.
    pub recycle_timeout: Duration,
    /// PostgreSQL's `statement_timeout` for every pooled connection.
    pub statement_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_size: 16,
            wait_timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(2),
            recycle_timeout: Duration::from_secs(1),
            statement_timeout: Duration::from_secs(5),
        }
    }
}

/// Builds the pool. No connection is opened until the first request needs one.
pub fn build_pool(url: &DatabaseUrl, settings: &PoolSettings) -> Result<PgPool> {
    let statement_timeout_ms = settings.statement_timeout.as_millis();
    let connect_timeout = settings.connect_timeout;
    let mut config = ManagerConfig::<AsyncPgConnection>::default();
    // A returned connection is reused unless it is in a broken transaction or its socket has
    // closed (as when PostgreSQL restarts); no test query on every borrow, which would cost
    // each request a round trip.
    config.recycling_method = RecyclingMethod::Fast;
    config.custom_setup = Box::new(move |url| {
        let url = url.to_owned();
        async move {
            let mut conn =
                tokio::time::timeout(connect_timeout, AsyncPgConnection::establish(&url))
                    .await
                    .map_err(|_| {
                        diesel::ConnectionError::BadConnection("connect timed out".into())
                    })??;
            // Statements are prepared once per connection and their plan kept: planning the
            // searches' joins costs more than running them (see docs/benchmarks.md), and the
            // plans by start time and index do not depend on the values bound.
            conn.batch_execute(&format!(
                "SET statement_timeout = {statement_timeout_ms}; SET application_name = 'quartier'; \
                 SET plan_cache_mode = force_generic_plan"
            ))
            .await
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::new_with_config(url.expose(), config);
    Pool::builder(manager)
        .max_size(settings.max_size)
        .wait_timeout(Some(settings.wait_timeout))
        .create_timeout(Some(settings.connect_timeout))
        .recycle_timeout(Some(settings.recycle_timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| Error::Other(format!("cannot build the connection pool: {e}")))
}

/// Borrows a connection; `Unavailable` when none can be had within the wait timeout.
///
/// The wait timeout bounds the whole call. deadpool's own timeouts apply per step: with a
/// frozen database it would check every idle connection in turn, each up to the recycle
/// timeout, before giving up.
pub async fn get(pool: &PgPool) -> Result<PooledConnection> {
    let deadline = pool.timeouts().wait.unwrap_or(Duration::from_secs(2));
    match tokio::time::timeout(deadline, pool.get()).await {
        Ok(conn) => Ok(conn?),
        Err(_) => Err(Error::Unavailable(
            "no database connection within the wait timeout".into(),
        )),
    }
}

/// Runs a trivial query: is the database there and answering?
pub async fn ping(pool: &PgPool) -> Result<()> {
    let mut conn = get(pool).await?;
    diesel::sql_query("SELECT 1").execute(&mut conn).await?;
    Ok(())
}
