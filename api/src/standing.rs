//! The background task that signs volunteers up for the coming dates of their standing
//! sign-ups, up to a few weeks ahead. Every instance runs it; standing sign-ups are claimed
//! with `SKIP LOCKED`, so instances share the work instead of repeating it, and each date is
//! decided once (`quartier_persistence::standing`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use quartier_persistence::{PgPool, pool, standing};

/// Standing sign-ups worked through per claim.
const BATCH: i64 = 50;

/// Signs up for every date of an active standing sign-up from `now` to `now + ahead` not
/// decided yet; returns how many dates it decided.
pub async fn materialise_once(
    pool: &PgPool,
    now: DateTime<Utc>,
    ahead: chrono::Duration,
) -> Result<usize, quartier_persistence::Error> {
    let mut total = 0;
    loop {
        let mut conn = pool::get(pool).await?;
        let (claimed, decided) = standing::materialise(&mut conn, now, now + ahead, BATCH).await?;
        total += decided;
        if claimed < BATCH as usize {
            return Ok(total);
        }
    }
}

/// Runs `materialise_once` now and then every `interval`, until the process ends or the
/// returned task is aborted.
pub fn spawn(
    pool: PgPool,
    ahead: chrono::Duration,
    interval: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match materialise_once(&pool, Utc::now(), ahead).await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "dates of standing sign-ups decided"),
                Err(error) => tracing::warn!(%error, "signing up for standing sign-ups failed"),
            }
        }
    })
}
