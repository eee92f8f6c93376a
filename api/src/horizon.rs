//! The background task that keeps occurrences of recurring activities materialized up to the
//! rolling horizon. Every instance runs it; rows are claimed with `SKIP LOCKED`, so instances
//! share the work instead of repeating it.

use std::time::Duration;

use chrono::Utc;
use quartier_persistence::{PgPool, activities, pool};

/// Activities extended per transaction.
const BATCH: i64 = 50;

/// Extends every due activity to `now + horizon`; returns how many it extended.
pub async fn extend_once(
    pool: &PgPool,
    horizon: chrono::Duration,
) -> Result<usize, quartier_persistence::Error> {
    let until = Utc::now() + horizon;
    // Extending in steps of a day at least keeps each run from touching every activity.
    let due_before = until - chrono::Duration::days(1);
    let mut total = 0;
    loop {
        let mut conn = pool::get(pool).await?;
        let extended = activities::extend_horizon(&mut conn, due_before, until, BATCH).await?;
        total += extended;
        if extended < BATCH as usize {
            return Ok(total);
        }
    }
}

/// Runs `extend_once` now and then every `interval`, until the process ends or the returned
/// task is aborted.
pub fn spawn(
    pool: PgPool,
    horizon: chrono::Duration,
    interval: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match extend_once(&pool, horizon).await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "occurrence horizon extended"),
                Err(error) => tracing::warn!(%error, "extending the occurrence horizon failed"),
            }
        }
    })
}
