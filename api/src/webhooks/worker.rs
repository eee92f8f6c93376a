//! The background task that publishes the outbox to operators' webhooks. Every instance runs
//! it; events and deliveries are claimed with `SKIP LOCKED`, so instances share the work.
//!
//! Each round fans new outbox events out into deliveries, then sends the due ones, several at
//! once. A failed attempt is retried after the waits of the retry schedule; after the last,
//! the delivery has `failed`. A subscription whose deliveries have all failed for
//! `disable_after` is switched off, with the reason.

use std::time::Duration;

use chrono::Utc;
use futures_util::StreamExt as _;
use quartier_persistence::webhooks::{self, AttemptRecord, DueDelivery, RetryPolicy};
use quartier_persistence::{PgPool, pool};

use super::client::{AddressPolicy, Attempt, Sender};
use super::signature::WebhookSecret;
use crate::config::WebhookSettings;

/// Events fanned out per transaction.
const FAN_OUT_BATCH: i64 = 200;
/// Deliveries leased per round, all sent at once: each finishes within the timeout, so
/// well within its lease.
const SEND_BATCH: i64 = 8;

/// What the worker needs: where to send from, and how to retry.
#[derive(Debug, Clone)]
pub struct Deliverer {
    sender: Sender,
    settings: WebhookSettings,
}

impl Deliverer {
    pub fn new(settings: &WebhookSettings) -> Result<Self, String> {
        let policy = AddressPolicy {
            allow_loopback: settings.allow_loopback,
            allow_private: settings.allow_private,
        };
        let sender = Sender::new(policy, settings.timeout).map_err(|e| e.to_string())?;
        Ok(Self {
            sender,
            settings: settings.clone(),
        })
    }

    pub fn policy(&self) -> AddressPolicy {
        AddressPolicy {
            allow_loopback: self.settings.allow_loopback,
            allow_private: self.settings.allow_private,
        }
    }

    /// How long a leased delivery stays with its sender: the timeout and a margin.
    pub fn lease(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.settings.timeout).unwrap_or(chrono::Duration::zero())
            + chrono::Duration::seconds(30)
    }

    /// Sends one delivery now and reports the attempt.
    pub async fn attempt(&self, delivery: &DueDelivery) -> Attempt {
        let secret = match WebhookSecret::parse(&delivery.secret) {
            Ok(secret) => secret,
            Err(error) => {
                return Attempt {
                    status: None,
                    error: Some(format!("the stored secret is unusable: {error}")),
                    duration_ms: 0,
                    response_excerpt: None,
                };
            }
        };
        self.sender
            .deliver(
                &delivery.url,
                &format!("msg_{}", delivery.event_id.simple()),
                Utc::now().timestamp(),
                delivery.body.as_bytes(),
                &secret,
            )
            .await
    }

    /// What follows a failed attempt number `attempts` (counting this one).
    pub fn retry_policy(&self, attempts: i32) -> RetryPolicy {
        let now = Utc::now();
        let wait = usize::try_from(attempts - 1)
            .ok()
            .and_then(|n| self.settings.retry_schedule.get(n))
            .and_then(|wait| chrono::Duration::from_std(*wait).ok());
        RetryPolicy {
            next_attempt_at: wait.map(|wait| now + wait),
            disable_if_failing_since: now
                - chrono::Duration::from_std(self.settings.disable_after)
                    .unwrap_or(chrono::Duration::days(5)),
        }
    }
}

/// Text as PostgreSQL can store it: no NUL characters, at most `max` characters.
fn storable(text: &str, max: usize) -> String {
    text.chars()
        .map(|c| if c == '\0' { '\u{FFFD}' } else { c })
        .take(max)
        .collect()
}

/// The log entry for an attempt; what the receiver sent is made storable.
pub fn record(attempt: &Attempt, at: chrono::DateTime<Utc>) -> AttemptRecord {
    AttemptRecord {
        attempted_at: at,
        status: attempt.status.map(i32::from),
        error: attempt.error.as_deref().map(|e| storable(e, 300)),
        duration_ms: i32::try_from(attempt.duration_ms).unwrap_or(i32::MAX),
        response_excerpt: attempt
            .response_excerpt
            .as_deref()
            .map(|e| storable(e, 4096)),
        succeeded: attempt.succeeded(),
    }
}

/// One round: fan out every new event, then send what is due. Returns the deliveries made.
pub async fn run_once(
    pool: &PgPool,
    deliverer: &Deliverer,
) -> Result<usize, quartier_persistence::Error> {
    loop {
        let mut conn = pool::get(pool).await?;
        if webhooks::fan_out(&mut conn, FAN_OUT_BATCH).await? < FAN_OUT_BATCH as usize {
            break;
        }
    }
    let due = {
        let mut conn = pool::get(pool).await?;
        webhooks::claim_due(&mut conn, SEND_BATCH, deliverer.lease()).await?
    };
    let count = due.len();
    let results: Vec<Result<(), quartier_persistence::Error>> = futures_util::stream::iter(due)
        .map(|delivery| async move {
            let at = Utc::now();
            let attempt = deliverer.attempt(&delivery).await;
            if let Some(error) = &attempt.error {
                // The subscription, not its URL: URLs often carry tokens.
                tracing::info!(delivery = %delivery.id, subscription = %delivery.subscription_id, %error, "webhook attempt failed");
            }
            let retry = deliverer.retry_policy(delivery.attempts + 1);
            let mut conn = pool::get(pool).await?;
            webhooks::record_attempt(&mut conn, &delivery, &record(&attempt, at), retry).await
        })
        .buffer_unordered(SEND_BATCH as usize)
        .collect()
        .await;
    for result in results {
        result?;
    }
    Ok(count)
}

/// Runs `run_once` every `poll_interval` (at once again while there is more to send), until
/// the process ends or the returned task is aborted.
pub fn spawn(pool: PgPool, deliverer: Deliverer) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let interval = deliverer.settings.poll_interval;
        loop {
            match run_once(&pool, &deliverer).await {
                Ok(sent) if sent as i64 == SEND_BATCH => continue,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "delivering webhooks failed"),
            }
            tokio::time::sleep(interval.max(Duration::from_millis(20))).await;
        }
    })
}
