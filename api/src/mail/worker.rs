//! The sender that runs in every instance: it claims due notifications (`SKIP LOCKED`, under a
//! lease), skips those whose fact no longer holds, and sends the rest, several at once. A
//! failed attempt is retried after the waits of `QUARTIER_MAIL_RETRY_SCHEDULE`; after the last,
//! or when the server refuses the mail for good, the notification has `failed`.

use chrono::Utc;
use futures_util::StreamExt as _;
use quartier_domain::notification::DeliveryState;
use quartier_persistence::notifications::{self, Claimed};
use quartier_persistence::shift_mail::Holds;
use quartier_persistence::{PgPool, pool};

use super::{Mailer, SendError};

/// One round: claims what is due (at most as many as are sent at once) and sends it. Returns
/// how many notifications it finished or rescheduled.
pub async fn run_once(
    pool: &PgPool,
    mailer: &Mailer,
) -> Result<usize, quartier_persistence::Error> {
    let batch = mailer.settings.senders;
    // A claimed row stays with this sender for the SMTP timeout and a margin.
    let lease = chrono::Duration::from_std(mailer.settings.timeout)
        .unwrap_or(chrono::Duration::seconds(30))
        + chrono::Duration::seconds(30);
    let claimed = {
        let mut conn = pool::get(pool).await?;
        notifications::claim_due(&mut conn, batch as i64, lease).await?
    };
    let count = claimed.len();
    let results: Vec<Result<(), quartier_persistence::Error>> = futures_util::stream::iter(claimed)
        .map(|claimed| deliver(pool, mailer, claimed))
        .buffer_unordered(batch)
        .collect()
        .await;
    for result in results {
        result?;
    }
    Ok(count)
}

async fn deliver(
    pool: &PgPool,
    mailer: &Mailer,
    claimed: Claimed,
) -> Result<(), quartier_persistence::Error> {
    let (holds, context) = {
        let mut conn = pool::get(pool).await?;
        let holds = notifications::still_holds(&mut conn, &claimed).await?;
        let context = match holds {
            Holds::Yes => super::context::load(&mut conn, &claimed).await?,
            _ => super::context::Context::default(),
        };
        (holds, context)
    };
    let skipped = match holds {
        Holds::Yes => None,
        Holds::Obsolete => Some(DeliveryState::SkippedObsolete),
        Holds::NotWanted => Some(DeliveryState::SkippedPreference),
    };
    if let Some(state) = skipped {
        let mut conn = pool::get(pool).await?;
        notifications::finish(&mut conn, &claimed, state, None).await?;
        return Ok(());
    }
    let outcome = match mailer.compose(&claimed, &context) {
        Ok(message) => mailer.send(claimed.id, &message).await,
        Err(error) => Err(error),
    };
    let mut conn = pool::get(pool).await?;
    match outcome {
        Ok(()) => {
            notifications::finish(&mut conn, &claimed, DeliveryState::Sent, None).await?;
        }
        Err(SendError::Permanent(error)) => {
            tracing::warn!(notification = %claimed.id, kind = %claimed.kind, %error, "mail refused for good");
            notifications::finish(&mut conn, &claimed, DeliveryState::Failed, Some(&error)).await?;
        }
        Err(SendError::Transient(error)) => {
            let retry_at = mailer
                .retry_after(claimed.attempts)
                .and_then(|wait| chrono::Duration::from_std(wait).ok())
                .map(|wait| Utc::now() + wait);
            tracing::info!(notification = %claimed.id, kind = %claimed.kind, %error, retry = ?retry_at, "mail attempt failed");
            notifications::attempt_failed(&mut conn, &claimed, &error, retry_at).await?;
        }
    }
    Ok(())
}

/// Runs the sender until the task is dropped: a round whenever the last one was full, else
/// after the poll interval.
pub fn spawn(pool: PgPool, mailer: Mailer) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match run_once(&pool, &mailer).await {
                Ok(count) if count >= mailer.settings.senders => continue,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "sending mail failed; trying again"),
            }
            tokio::time::sleep(mailer.settings.poll_interval).await;
        }
    })
}

/// How long after the digest hour the day's digests are still queued.
const DIGEST_WINDOW_HOURS: u32 = 3;

/// Queues the day's digests (`digests::queue_daily`) in the hours after the digest hour; a
/// digest already queued for the day is not queued again, so every instance may.
pub async fn queue_digests(
    pool: &PgPool,
    digest_hour: u32,
    now: chrono::DateTime<Utc>,
) -> Result<usize, quartier_persistence::Error> {
    use chrono::Timelike as _;
    let local = now.with_timezone(&quartier_domain::schedule::DEFAULT_TIME_ZONE);
    // Within a few hours of the digest hour: a digest for which something turns up late in
    // the evening waits for the next morning rather than arriving at night.
    if !(digest_hour..digest_hour + DIGEST_WINDOW_HOURS).contains(&local.hour()) {
        return Ok(0);
    }
    let mut conn = pool::get(pool).await?;
    quartier_persistence::digests::queue_daily(&mut conn, local.date_naive(), now).await
}

/// Runs `queue_digests` every `interval` (the first time one interval after the start) until
/// the process ends or the task is aborted.
pub fn spawn_digests(
    pool: PgPool,
    digest_hour: u32,
    interval: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let interval = interval.max(std::time::Duration::from_secs(1));
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match queue_digests(&pool, digest_hour, Utc::now()).await {
                Ok(0) => {}
                Ok(queued) => tracing::info!(queued, "queued the day's digests"),
                Err(error) => tracing::warn!(%error, "queueing the day's digests failed"),
            }
        }
    })
}
