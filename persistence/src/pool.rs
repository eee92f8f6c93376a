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
    /// What stands between the pool and PostgreSQL.
    pub pooler: Pooler,
}

/// What the pool's connections lead to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Pooler {
    /// PostgreSQL itself, or a pooler in session mode: a connection is one server session, so
    /// the pool sets its settings once when it connects.
    #[default]
    None,
    /// PgBouncer (1.21 or later, `max_prepared_statements` above 0) in transaction mode: each
    /// transaction may run on another server connection. Settings made on connecting would
    /// land on one server connection only, so none are made: the server connections get them
    /// from PgBouncer's `connect_query` or from `ALTER ROLE … SET` (see [`check_transaction_pooler`]).
    /// diesel-async prepares named statements; PgBouncer keeps them across server connections.
    Transaction,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_size: 16,
            wait_timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(2),
            recycle_timeout: Duration::from_secs(1),
            statement_timeout: Duration::from_secs(5),
            pooler: Pooler::None,
        }
    }
}

/// Builds the pool. No connection is opened until the first request needs one.
pub fn build_pool(url: &DatabaseUrl, settings: &PoolSettings) -> Result<PgPool> {
    let statement_timeout_ms = settings.statement_timeout.as_millis();
    let connect_timeout = settings.connect_timeout;
    let pooler = settings.pooler;
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
            if pooler == Pooler::None {
                conn.batch_execute(&session_settings(statement_timeout_ms))
                    .await
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            }
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

/// The settings every server session of the pool needs.
///
/// Statements are prepared once per connection and their plan kept: planning the searches'
/// joins costs more than running them (see docs/benchmarks.md), and the plans by start time
/// and index do not depend on the values bound.
pub fn session_settings(statement_timeout_ms: u128) -> String {
    format!(
        "SET statement_timeout = {statement_timeout_ms}; SET application_name = 'quartier'; \
         SET plan_cache_mode = force_generic_plan"
    )
}

/// What [`check_transaction_pooler`] found wanting in the server sessions' settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolerSettingsReport {
    /// The database the pooler leads to.
    pub database: String,
    /// `statement_timeout` of the server session, in milliseconds (0: none).
    pub statement_timeout_ms: i64,
    /// `plan_cache_mode` of the server session.
    pub plan_cache_mode: String,
}

/// Checks, over a connection of `pool`, that a pooler in transaction mode keeps named
/// prepared statements, and reports the settings its server sessions run with.
///
/// PgBouncer 1.21 and later, with `max_prepared_statements` above 0, prepare each statement
/// on the server under a name of their own (`PGBOUNCER_…`) and prepare it again on whichever
/// server connection runs it. Without that, a statement prepared in one transaction is
/// missing in the next one's server connection, and requests fail at random under load; so
/// the pool is refused instead. The check runs in a transaction, which keeps it on one server
/// connection whatever the pooler.
pub async fn check_transaction_pooler(pool: &PgPool) -> Result<PoolerSettingsReport> {
    use diesel::sql_types::{BigInt, Text};

    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = BigInt)]
        ours: i64,
        #[diesel(sql_type = BigInt)]
        poolers: i64,
        #[diesel(sql_type = Text)]
        database: String,
        #[diesel(sql_type = BigInt)]
        statement_timeout_ms: i64,
        #[diesel(sql_type = Text)]
        plan_cache_mode: String,
    }
    let mut conn = get(pool).await?;
    let found: Found = conn
        .transaction::<_, Error, _>(async |conn| {
            // The statement is prepared before it runs, so it sees itself in the list.
            Ok(diesel::sql_query(
                "SELECT count(*) FILTER (WHERE name ~ '^s[0-9]+$') AS ours, \
                            count(*) FILTER (WHERE name LIKE 'PGBOUNCER\\_%') AS poolers, \
                            current_database()::text AS database, \
                            (SELECT setting::bigint FROM pg_settings \
                              WHERE name = 'statement_timeout') AS statement_timeout_ms, \
                            current_setting('plan_cache_mode') AS plan_cache_mode \
                     FROM pg_prepared_statements",
            )
            .get_result::<Found>(conn)
            .await?)
        })
        .await
        .map_err(|e| Error::Unavailable(format!("the pooler check failed: {e}")))?;
    if found.poolers == 0 {
        return Err(Error::Other(format!(
            "QUARTIER_DATABASE_POOLER=transaction, but the connection does not go through a \
             pooler that keeps prepared statements ({} statements prepared under the client's \
             names): PgBouncer must be 1.21 or later with max_prepared_statements above 0",
            found.ours
        )));
    }
    Ok(PoolerSettingsReport {
        database: found.database,
        statement_timeout_ms: found.statement_timeout_ms,
        plan_cache_mode: found.plan_cache_mode,
    })
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
