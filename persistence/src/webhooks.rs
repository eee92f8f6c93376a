//! Webhook subscriptions and their deliveries.
//!
//! The outbox is published in two steps, each claiming rows with `FOR UPDATE SKIP LOCKED` so
//! that any number of instances can run them side by side:
//! 1. `fan_out` turns unpublished outbox events into one delivery per matching active
//!    subscription of the event's operator, and marks the events published — in one
//!    transaction, so an event is fanned out exactly once;
//! 2. `claim_due` leases due deliveries (pushing their next attempt past the lease), the
//!    sender posts them outside any transaction, and `record_attempt` stores the outcome.
//!    A sender that dies mid-attempt leaves the delivery to be retried when the lease ends.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::{
    operators, outbox_events, webhook_attempts, webhook_deliveries, webhook_subscriptions,
};
use crate::{Error, Refusal, Result};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_subscriptions, check_for_backend(diesel::pg::Pg))]
pub struct SubscriptionRow {
    pub id: Uuid,
    pub operator_id: Uuid,
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    pub secret: String,
    pub active: bool,
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhook_subscriptions)]
pub struct NewSubscription<'a> {
    pub id: Uuid,
    pub operator_id: Uuid,
    pub url: &'a str,
    pub description: &'a str,
    pub events: &'a [String],
    pub secret: &'a str,
}

/// Subscriptions one operator may hold.
pub const MAX_SUBSCRIPTIONS: i64 = 20;

pub async fn create(
    conn: &mut AsyncPgConnection,
    new: &NewSubscription<'_>,
) -> Result<SubscriptionRow> {
    Ok(diesel::insert_into(webhook_subscriptions::table)
        .values(new)
        .returning(SubscriptionRow::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn count_of_operator(conn: &mut AsyncPgConnection, operator_id: Uuid) -> Result<i64> {
    Ok(webhook_subscriptions::table
        .filter(webhook_subscriptions::operator_id.eq(operator_id))
        .count()
        .get_result(conn)
        .await?)
}

pub async fn of_operator(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
) -> Result<Vec<SubscriptionRow>> {
    Ok(webhook_subscriptions::table
        .filter(webhook_subscriptions::operator_id.eq(operator_id))
        .order((webhook_subscriptions::created_at, webhook_subscriptions::id))
        .select(SubscriptionRow::as_select())
        .load(conn)
        .await?)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<SubscriptionRow>> {
    Ok(webhook_subscriptions::table
        .find(id)
        .select(SubscriptionRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Changes to a subscription; `None` leaves a field.
#[derive(Debug, Default)]
pub struct SubscriptionChanges<'a> {
    pub url: Option<&'a str>,
    pub description: Option<&'a str>,
    pub events: Option<&'a [String]>,
    /// Switching on clears the failure record; switching off records `disabled_reason`.
    pub active: Option<bool>,
    pub disabled_reason: Option<&'a str>,
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected_versions: Option<&[i32]>,
    changes: &SubscriptionChanges<'_>,
) -> Result<std::result::Result<SubscriptionRow, Refusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let Some(current) = webhook_subscriptions::table
            .find(id)
            .select(SubscriptionRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?
        else {
            return Ok(Err(Refusal::NotFound));
        };
        if expected_versions.is_some_and(|v| !v.contains(&current.version)) {
            return Ok(Err(Refusal::VersionConflict));
        }
        let (active, disabled_reason, disabled_at, failing_since) = match changes.active {
            Some(true) => (true, None, None, None),
            Some(false) if current.active => (
                false,
                Some(changes.disabled_reason.unwrap_or("switched off").to_owned()),
                Some(Utc::now()),
                current.failing_since,
            ),
            _ => (
                current.active,
                current.disabled_reason.clone(),
                current.disabled_at,
                current.failing_since,
            ),
        };
        let row = diesel::update(webhook_subscriptions::table.find(id))
            .set((
                webhook_subscriptions::url.eq(changes.url.unwrap_or(&current.url)),
                webhook_subscriptions::description
                    .eq(changes.description.unwrap_or(&current.description)),
                webhook_subscriptions::events.eq(changes.events.unwrap_or(&current.events)),
                webhook_subscriptions::active.eq(active),
                webhook_subscriptions::disabled_reason.eq(disabled_reason),
                webhook_subscriptions::disabled_at.eq(disabled_at),
                webhook_subscriptions::failing_since.eq(failing_since),
                webhook_subscriptions::updated_at.eq(diesel::dsl::now),
                webhook_subscriptions::version.eq(webhook_subscriptions::version + 1),
            ))
            .returning(SubscriptionRow::as_returning())
            .get_result(conn)
            .await?;
        Ok(Ok(row))
    })
    .await
}

/// Deletes the subscription with its delivery log; false when there was none.
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> Result<bool> {
    Ok(diesel::delete(webhook_subscriptions::table.find(id))
        .execute(conn)
        .await?
        > 0)
}

/// An outbox event: id, kind, operator, payload, when.
use crate::shift_mail::OutboxEvent;

/// Fans out up to `batch` unpublished outbox events into deliveries (and the notifications of
/// the people they concern), oldest first, and marks them published. Returns how many events
/// were published; 0 when another instance is fanning out right now.
///
/// One instance at a time: the mail of a later event depends on what the mail of an earlier
/// one told (a moved shift is compared with the times last mailed), so batches must not pass
/// each other.
pub async fn fan_out(conn: &mut AsyncPgConnection, batch: i64) -> Result<usize> {
    conn.transaction::<_, Error, _>(async |conn| {
        #[derive(QueryableByName)]
        struct Locked {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            locked: bool,
        }
        let turn: Locked = diesel::sql_query(
            "SELECT pg_try_advisory_xact_lock(hashtextextended('quartier outbox fan-out', 0)) AS locked",
        )
        .get_result(conn)
        .await?;
        if !turn.locked {
            return Ok(0);
        }
        let events: Vec<OutboxEvent> = outbox_events::table
            .filter(outbox_events::published_at.is_null())
            .order((outbox_events::created_at, outbox_events::id))
            .limit(batch)
            .select((
                outbox_events::id,
                outbox_events::kind,
                outbox_events::operator_id,
                outbox_events::payload,
                outbox_events::created_at,
            ))
            .for_update()
            .skip_locked()
            .load(conn)
            .await?;
        if events.is_empty() {
            return Ok(0);
        }
        let mut operators: Vec<Uuid> = events.iter().filter_map(|e| e.2).collect();
        operators.sort();
        operators.dedup();
        let subscriptions: Vec<(Uuid, Uuid, Vec<String>)> = webhook_subscriptions::table
            // Switched-off subscriptions get their deliveries too: they wait until it is
            // switched on again.
            .filter(webhook_subscriptions::operator_id.eq_any(&operators))
            .select((
                webhook_subscriptions::id,
                webhook_subscriptions::operator_id,
                webhook_subscriptions::events,
            ))
            .load(conn)
            .await?;
        let mut deliveries = Vec::new();
        for (event_id, kind, operator_id, payload, created_at) in &events {
            let matching = subscriptions.iter().filter(|(_, operator, wanted)| {
                Some(*operator) == *operator_id && wanted.iter().any(|w| w == kind)
            });
            for (subscription_id, _, _) in matching {
                deliveries.push((
                    webhook_deliveries::id.eq(Uuid::now_v7()),
                    webhook_deliveries::subscription_id.eq(*subscription_id),
                    webhook_deliveries::event_id.eq(*event_id),
                    webhook_deliveries::event_type.eq(kind.clone()),
                    webhook_deliveries::body.eq(envelope(kind, *created_at, payload)),
                ));
            }
        }
        for chunk in deliveries.chunks(1000) {
            diesel::insert_into(webhook_deliveries::table)
                .values(chunk)
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
        }
        // The same facts tell the volunteers concerned.
        crate::shift_mail::from_events(conn, &events).await?;
        let ids: Vec<Uuid> = events.iter().map(|e| e.0).collect();
        diesel::update(outbox_events::table.filter(outbox_events::id.eq_any(&ids)))
            .set(outbox_events::published_at.eq(diesel::dsl::now))
            .execute(conn)
            .await?;
        Ok(events.len())
    })
    .await
}

/// The body every delivery of an event sends: its type, when it happened, and its data.
pub fn envelope(kind: &str, at: DateTime<Utc>, payload: &str) -> String {
    let data: serde_json::Value = serde_json::from_str(payload).unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "type": kind,
        "timestamp": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": data,
    })
    .to_string()
}

/// A delivery to make now.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: Uuid,
    pub event_id: Uuid,
    pub body: String,
    pub attempts: i32,
    pub url: String,
    pub secret: String,
    pub subscription_id: Uuid,
}

/// Leases up to `batch` due deliveries of active subscriptions: their next attempt moves to
/// `now + lease`, so no other sender takes them while this one tries.
pub async fn claim_due(
    conn: &mut AsyncPgConnection,
    batch: i64,
    lease: chrono::Duration,
) -> Result<Vec<DueDelivery>> {
    conn.transaction::<_, Error, _>(async |conn| {
        type Due = (Uuid, Uuid, String, i32, String, String, Uuid);
        let due: Vec<Due> = webhook_deliveries::table
            .inner_join(webhook_subscriptions::table)
            .filter(webhook_deliveries::status.eq("pending"))
            .filter(webhook_deliveries::next_attempt_at.le(diesel::dsl::now))
            .filter(webhook_subscriptions::active.eq(true))
            // A deactivated operator is told nothing more; its deliveries wait.
            .filter(
                webhook_subscriptions::operator_id.eq_any(
                    operators::table
                        .filter(operators::status.eq("active"))
                        .select(operators::id),
                ),
            )
            .order(webhook_deliveries::next_attempt_at)
            .limit(batch)
            .select((
                webhook_deliveries::id,
                webhook_deliveries::event_id,
                webhook_deliveries::body,
                webhook_deliveries::attempts,
                webhook_subscriptions::url,
                webhook_subscriptions::secret,
                webhook_subscriptions::id,
            ))
            // Locks the subscription rows too: two senders never work one subscription's
            // batch at once.
            .for_update()
            .skip_locked()
            .load(conn)
            .await?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = due.iter().map(|d| d.0).collect();
        diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
            .set(webhook_deliveries::next_attempt_at.eq(Utc::now() + lease))
            .execute(conn)
            .await?;
        Ok(due
            .into_iter()
            .map(
                |(id, event_id, body, attempts, url, secret, subscription_id)| DueDelivery {
                    id,
                    event_id,
                    body,
                    attempts,
                    url,
                    secret,
                    subscription_id,
                },
            )
            .collect())
    })
    .await
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub attempted_at: DateTime<Utc>,
    pub status: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i32,
    pub response_excerpt: Option<String>,
    pub succeeded: bool,
}

/// What the delivery worker does after an attempt fails.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// When the next attempt comes: `None` gives up (the delivery has `failed`).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// A subscription failing since before this is switched off.
    pub disable_if_failing_since: DateTime<Utc>,
}

/// Adds `attempt` to the log of the delivery `delivery_id`.
async fn log_attempt(
    conn: &mut AsyncPgConnection,
    delivery_id: Uuid,
    attempt: &AttemptRecord,
) -> Result<()> {
    diesel::insert_into(webhook_attempts::table)
        .values((
            webhook_attempts::id.eq(Uuid::now_v7()),
            webhook_attempts::delivery_id.eq(delivery_id),
            webhook_attempts::attempted_at.eq(attempt.attempted_at),
            webhook_attempts::status.eq(attempt.status),
            webhook_attempts::error.eq(&attempt.error),
            webhook_attempts::duration_ms.eq(attempt.duration_ms),
            webhook_attempts::response_excerpt.eq(&attempt.response_excerpt),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Stores the attempt in the log and moves the delivery on: delivered, retried later, or
/// failed for good; the subscription's failure record follows, and a subscription that has
/// failed for too long is switched off with the reason.
pub async fn record_attempt(
    conn: &mut AsyncPgConnection,
    delivery: &DueDelivery,
    attempt: &AttemptRecord,
    retry: RetryPolicy,
) -> Result<()> {
    conn.transaction::<_, Error, _>(async |conn| {
        log_attempt(conn, delivery.id, attempt).await?;
        let (status, next_attempt_at, delivered_at) =
            match (attempt.succeeded, retry.next_attempt_at) {
                (true, _) => (
                    "delivered",
                    attempt.attempted_at,
                    Some(attempt.attempted_at),
                ),
                (false, Some(next)) => ("pending", next, None),
                (false, None) => ("failed", attempt.attempted_at, None),
            };
        // Only while it is pending: a late answer never undoes a delivery.
        let changed = diesel::update(
            webhook_deliveries::table
                .find(delivery.id)
                .filter(webhook_deliveries::status.eq("pending")),
        )
        .set((
            webhook_deliveries::status.eq(status),
            webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
            webhook_deliveries::next_attempt_at.eq(next_attempt_at),
            webhook_deliveries::last_attempt_at.eq(attempt.attempted_at),
            webhook_deliveries::last_status.eq(attempt.status),
            webhook_deliveries::last_error.eq(&attempt.error),
            webhook_deliveries::delivered_at.eq(delivered_at),
        ))
        .execute(conn)
        .await?;
        if changed == 0 {
            return Ok(());
        }
        let subscription = webhook_subscriptions::table.find(delivery.subscription_id);
        if attempt.succeeded {
            diesel::update(subscription.filter(webhook_subscriptions::failing_since.is_not_null()))
                .set(webhook_subscriptions::failing_since.eq(None::<DateTime<Utc>>))
                .execute(conn)
                .await?;
            return Ok(());
        }
        diesel::update(subscription.filter(webhook_subscriptions::failing_since.is_null()))
            .set(webhook_subscriptions::failing_since.eq(attempt.attempted_at))
            .execute(conn)
            .await?;
        let switched_off = diesel::update(
            subscription
                .filter(webhook_subscriptions::active.eq(true))
                .filter(webhook_subscriptions::failing_since.le(retry.disable_if_failing_since)),
        )
        .set((
            webhook_subscriptions::active.eq(false),
            webhook_subscriptions::disabled_at.eq(attempt.attempted_at),
            webhook_subscriptions::updated_at.eq(diesel::dsl::now),
            webhook_subscriptions::version.eq(webhook_subscriptions::version + 1),
        ))
        .returning(webhook_subscriptions::failing_since)
        .get_result::<Option<DateTime<Utc>>>(conn)
        .await
        .optional()?;
        if let Some(since) = switched_off.flatten() {
            let last: String = attempt
                .error
                .as_deref()
                .unwrap_or("no answer")
                .chars()
                .take(300)
                .collect();
            let reason = format!(
                "Switched off automatically: every delivery failed since {} (last: {last}).",
                since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            );
            diesel::update(subscription)
                .set(webhook_subscriptions::disabled_reason.eq(reason))
                .execute(conn)
                .await?;
        }
        Ok(())
    })
    .await
}

/// Logs a test ping that was made: its delivery, finished, with its one attempt. It never
/// enters the queue, so it is not retried and leaves the subscription's failure record alone.
pub async fn store_ping(
    conn: &mut AsyncPgConnection,
    delivery: &DueDelivery,
    attempt: &AttemptRecord,
) -> Result<()> {
    conn.transaction::<_, Error, _>(async |conn| {
        diesel::insert_into(webhook_deliveries::table)
            .values((
                webhook_deliveries::id.eq(delivery.id),
                webhook_deliveries::subscription_id.eq(delivery.subscription_id),
                webhook_deliveries::event_id.eq(delivery.event_id),
                webhook_deliveries::event_type.eq(quartier_domain::integration::PING_EVENT),
                webhook_deliveries::body.eq(&delivery.body),
                webhook_deliveries::status.eq(if attempt.succeeded {
                    "delivered"
                } else {
                    "failed"
                }),
                webhook_deliveries::attempts.eq(1),
                webhook_deliveries::next_attempt_at.eq(attempt.attempted_at),
                webhook_deliveries::last_attempt_at.eq(attempt.attempted_at),
                webhook_deliveries::last_status.eq(attempt.status),
                webhook_deliveries::last_error.eq(&attempt.error),
                webhook_deliveries::delivered_at
                    .eq(attempt.succeeded.then_some(attempt.attempted_at)),
            ))
            .execute(conn)
            .await?;
        log_attempt(conn, delivery.id, attempt).await?;
        Ok(())
    })
    .await
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::pg::Pg))]
pub struct DeliveryRow {
    pub id: Uuid,
    pub subscription_id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub body: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_attempts, check_for_backend(diesel::pg::Pg))]
pub struct AttemptRow {
    pub id: Uuid,
    pub delivery_id: Uuid,
    pub attempted_at: DateTime<Utc>,
    pub status: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i32,
    pub response_excerpt: Option<String>,
}

/// One page of the subscription's delivery log, newest first, each with its attempts.
pub async fn deliveries(
    conn: &mut AsyncPgConnection,
    subscription_id: Uuid,
    status: Option<&str>,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<(DeliveryRow, Vec<AttemptRow>)>> {
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::subscription_id.eq(subscription_id))
        .select(DeliveryRow::as_select())
        .order((
            webhook_deliveries::created_at.desc(),
            webhook_deliveries::id.desc(),
        ))
        .limit(limit)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(webhook_deliveries::status.eq(status.to_owned()));
    }
    if let Some((at, id)) = before {
        query = query.filter(
            webhook_deliveries::created_at
                .lt(at)
                .or(webhook_deliveries::created_at
                    .eq(at)
                    .and(webhook_deliveries::id.lt(id))),
        );
    }
    let rows: Vec<DeliveryRow> = query.load(conn).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let attempts: Vec<AttemptRow> = webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(&ids))
        .order((webhook_attempts::attempted_at, webhook_attempts::id))
        .select(AttemptRow::as_select())
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mine = attempts
                .iter()
                .filter(|a| a.delivery_id == row.id)
                .cloned()
                .collect();
            (row, mine)
        })
        .collect())
}

/// One delivery with its attempts.
pub async fn delivery(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<Option<(DeliveryRow, Vec<AttemptRow>)>> {
    let Some(row) = webhook_deliveries::table
        .find(id)
        .select(DeliveryRow::as_select())
        .first(conn)
        .await
        .optional()?
    else {
        return Ok(None);
    };
    let attempts = webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq(id))
        .order((webhook_attempts::attempted_at, webhook_attempts::id))
        .select(AttemptRow::as_select())
        .load(conn)
        .await?;
    Ok(Some((row, attempts)))
}
