//! What operating several instances needs from the database: the figures `/metrics` shows
//! (queues, their age, failures) and what changed behind the public pages since an instance
//! last looked.

use std::sync::atomic::{AtomicU64, Ordering};

use diesel::sql_types::{BigInt, Double, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::Result;

/// Statements PostgreSQL cancelled at the statement timeout, in this process.
static STATEMENT_TIMEOUTS: AtomicU64 = AtomicU64::new(0);

/// Counts one statement cancelled at the statement timeout.
pub(crate) fn count_statement_timeout() {
    STATEMENT_TIMEOUTS.fetch_add(1, Ordering::Relaxed);
}

/// Statements cancelled at the statement timeout since this process started.
pub fn statement_timeouts() -> u64 {
    STATEMENT_TIMEOUTS.load(Ordering::Relaxed)
}

/// The queues of background work, as the database holds them now. Ages are in seconds and
/// 0 for an empty queue.
#[derive(Debug, Clone, Copy, Default, PartialEq, diesel::QueryableByName)]
pub struct Backlog {
    /// Events not yet handed to the webhook subscriptions.
    #[diesel(sql_type = BigInt)]
    pub outbox_events: i64,
    /// How long the oldest of them has waited.
    #[diesel(sql_type = Double)]
    pub outbox_age_secs: f64,
    /// Webhook deliveries still to be made (due now or waiting to be tried again).
    #[diesel(sql_type = BigInt)]
    pub webhooks_pending: i64,
    /// How long the longest-due webhook delivery is overdue.
    #[diesel(sql_type = Double)]
    pub webhooks_lag_secs: f64,
    /// Webhook deliveries that failed for good.
    #[diesel(sql_type = BigInt)]
    pub webhooks_failed: i64,
    /// Mails queued (due now or later).
    #[diesel(sql_type = BigInt)]
    pub mail_queued: i64,
    /// How long the longest-due queued mail is overdue.
    #[diesel(sql_type = Double)]
    pub mail_lag_secs: f64,
    /// Mails that failed for good or bounced.
    #[diesel(sql_type = BigInt)]
    pub mail_failed: i64,
}

/// The queues now, in one statement; each part reads a partial index.
pub async fn backlog(conn: &mut AsyncPgConnection) -> Result<Backlog> {
    const BACKLOG: &str = "\
        SELECT (SELECT count(*) FROM outbox_events WHERE published_at IS NULL) AS outbox_events, \
               coalesce((SELECT extract(epoch FROM now() - min(created_at)) FROM outbox_events \
                          WHERE published_at IS NULL), 0)::float8 AS outbox_age_secs, \
               (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending') AS webhooks_pending, \
               coalesce((SELECT extract(epoch FROM now() - min(next_attempt_at)) FROM webhook_deliveries \
                          WHERE status = 'pending' AND next_attempt_at <= now()), 0)::float8 AS webhooks_lag_secs, \
               (SELECT count(*) FROM webhook_deliveries WHERE status = 'failed') AS webhooks_failed, \
               (SELECT count(*) FROM notifications WHERE state = 'queued') AS mail_queued, \
               coalesce((SELECT extract(epoch FROM now() - min(due_at)) FROM notifications \
                          WHERE state = 'queued' AND due_at <= now()), 0)::float8 AS mail_lag_secs, \
               (SELECT count(*) FROM notifications WHERE state IN ('failed', 'bounced')) AS mail_failed";
    Ok(diesel::sql_query(BACKLOG).get_result(conn).await?)
}

/// How far the primary has written its WAL, in bytes from the start.
pub async fn written_wal(conn: &mut AsyncPgConnection) -> Result<u64> {
    #[derive(diesel::QueryableByName)]
    struct Lsn {
        #[diesel(sql_type = BigInt)]
        at: i64,
    }
    let lsn: Lsn =
        diesel::sql_query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS at")
            .get_result(conn)
            .await?;
    Ok(lsn.at.max(0) as u64)
}

/// How far a replica has replayed the primary's WAL, in bytes from the start; `None` when
/// the database is no replica (not in recovery).
pub async fn replayed_wal(conn: &mut AsyncPgConnection) -> Result<Option<u64>> {
    #[derive(diesel::QueryableByName)]
    struct Lsn {
        #[diesel(sql_type = Nullable<BigInt>)]
        at: Option<i64>,
    }
    let lsn: Lsn = diesel::sql_query(
        "SELECT CASE WHEN pg_is_in_recovery() \
                THEN pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint END AS at",
    )
    .get_result(conn)
    .await?;
    Ok(lsn.at.map(|at| at.max(0) as u64))
}

/// Where an instance stands in the two change logs: the newest outbox event and the newest
/// directory change it has seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChangeMark {
    pub outbox: Uuid,
    pub directory: i64,
}

/// What changed since a mark: the kinds of outbox events (`shift`, `signup`, … the part of
/// the event type before the dot) and whether the directory changed, with the new mark.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub event_families: Vec<String>,
    pub directory_changed: bool,
    pub mark: ChangeMark,
}

#[derive(diesel::QueryableByName)]
struct ChangeRow {
    #[diesel(sql_type = Nullable<Text>)]
    families: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    outbox_upto: Option<Uuid>,
    #[diesel(sql_type = Nullable<BigInt>)]
    directory_upto: Option<i64>,
}

/// The mark of now: where to start looking for changes.
pub async fn change_mark(conn: &mut AsyncPgConnection) -> Result<ChangeMark> {
    Ok(changes_since(conn, None).await?.mark)
}

/// What changed after `since` (`None`: nothing is reported, only the mark of now). An event
/// whose transaction commits after a later one was seen can be missed: the cache's time to
/// live bounds what that costs.
pub async fn changes_since(
    conn: &mut AsyncPgConnection,
    since: Option<ChangeMark>,
) -> Result<Changes> {
    // Outbox ids are UUIDv7, so they grow with time: a range on the primary key finds the
    // new ones. Only the families are read, never the payloads.
    const CHANGES: &str = "\
        SELECT (SELECT string_agg(DISTINCT split_part(kind, '.', 1), ',') FROM outbox_events \
                 WHERE $1 AND id > $2) AS families, \
               (SELECT id FROM outbox_events WHERE id >= $2 ORDER BY id DESC LIMIT 1) AS outbox_upto, \
               (SELECT max(id) FROM public_changes WHERE id >= $3) AS directory_upto";
    let start = since.unwrap_or_default();
    let row: ChangeRow = diesel::sql_query(CHANGES)
        .bind::<diesel::sql_types::Bool, _>(since.is_some())
        .bind::<SqlUuid, _>(start.outbox)
        .bind::<BigInt, _>(start.directory)
        .get_result(conn)
        .await?;
    let mark = ChangeMark {
        outbox: row.outbox_upto.unwrap_or(start.outbox),
        directory: row.directory_upto.unwrap_or(start.directory),
    };
    Ok(Changes {
        event_families: row
            .families
            .map(|f| f.split(',').map(str::to_owned).collect())
            .unwrap_or_default(),
        directory_changed: since.is_some() && mark.directory != start.directory,
        mark,
    })
}

/// Removes directory changes older than a day: every instance has long seen them.
pub async fn prune_public_changes(conn: &mut AsyncPgConnection) -> Result<usize> {
    Ok(diesel::sql_query(
        "DELETE FROM public_changes WHERE changed_at < now() - interval '1 day' \
           AND id < (SELECT max(id) FROM public_changes)",
    )
    .execute(conn)
    .await?)
}
