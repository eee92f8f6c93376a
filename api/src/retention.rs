//! The background task that enforces retention: sign-ups lose the link to their volunteer a
//! configurable time after their shift (default 24 months), and verification records of
//! qualifications (the police certificate above all) go once they expired plus a grace
//! period. Published events, finished webhook deliveries and old audit entries, which name
//! sign-ups and people by id, go after their own periods; spent rate-limit counters too;
//! guests without a shift for a while are erased. Every instance runs it; rows are claimed with
//! `SKIP LOCKED`.

use std::time::Duration;

use chrono::{DateTime, Months, Utc};
use quartier_persistence::{PgPool, pool, privacy};

use crate::config::RetentionSettings;

/// Rows changed per transaction.
const BATCH: i64 = 500;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub signups_anonymised: usize,
    pub verifications_removed: usize,
    pub events_removed: usize,
    pub deliveries_removed: usize,
    pub audit_entries_removed: usize,
    pub guests_erased: usize,
    pub concern_drafts_removed: usize,
    pub room_booking_drafts_removed: usize,
    pub fund_application_drafts_removed: usize,
    pub help_request_drafts_removed: usize,
    pub help_details_dropped: usize,
}

/// Applies the retention rules as of `now`, batch by batch until nothing is due.
pub async fn sweep(
    pool: &PgPool,
    settings: &RetentionSettings,
    now: DateTime<Utc>,
) -> Result<Swept, quartier_persistence::Error> {
    let mut swept = Swept::default();
    let signup_cutoff = now
        .checked_sub_months(Months::new(settings.signup_months))
        .unwrap_or(now);
    loop {
        let mut conn = pool::get(pool).await?;
        let done = privacy::anonymise_signups_before(&mut conn, signup_cutoff, BATCH, now).await?;
        swept.signups_anonymised += done;
        if done < BATCH as usize {
            break;
        }
    }
    let verification_cutoff = (now
        - chrono::Duration::days(i64::from(settings.verification_grace_days)))
    .with_timezone(&chrono_tz::Europe::Berlin)
    .date_naive();
    loop {
        let mut conn = pool::get(pool).await?;
        let done =
            privacy::remove_expired_verifications(&mut conn, verification_cutoff, BATCH).await?;
        swept.verifications_removed += done;
        if done < BATCH as usize {
            break;
        }
    }
    let events_before = now - chrono::Duration::days(i64::from(settings.events_days));
    let audit_before = now
        .checked_sub_months(Months::new(settings.audit_months))
        .unwrap_or(now);
    loop {
        let mut conn = pool::get(pool).await?;
        let pruned = privacy::prune(&mut conn, events_before, audit_before, BATCH).await?;
        swept.events_removed += pruned.events;
        swept.deliveries_removed += pruned.deliveries;
        swept.audit_entries_removed += pruned.audit_entries;
        let most = pruned
            .events
            .max(pruned.deliveries)
            .max(pruned.audit_entries);
        if most < BATCH as usize {
            break;
        }
    }
    let guest_cutoff = now - chrono::Duration::days(i64::from(settings.guest_days));
    loop {
        let mut conn = pool::get(pool).await?;
        let idle = quartier_persistence::guests::idle_since(&mut conn, guest_cutoff, BATCH).await?;
        for guest in &idle {
            if privacy::erase_account(&mut conn, *guest, now)
                .await?
                .is_ok()
            {
                swept.guests_erased += 1;
            }
        }
        if idle.len() < BATCH as usize {
            break;
        }
    }
    // Rate-limit windows last an hour at most: older counters are spent.
    let mut conn = pool::get(pool).await?;
    // A guest's concern never confirmed is dropped once its link expired.
    swept.concern_drafts_removed =
        quartier_persistence::guests::remove_expired_concern_drafts(&mut conn, now).await?;
    // So is a room booking she asked for and never confirmed.
    swept.room_booking_drafts_removed =
        quartier_persistence::rooms::drafts::remove_expired(&mut conn, now).await?;
    // And an application to a fund she never confirmed.
    swept.fund_application_drafts_removed =
        quartier_persistence::fund_drafts::remove_expired(&mut conn, now).await?;
    // What only a request's people read is dropped a while after it ended; category,
    // district and dates stay for the reports.
    swept.help_details_dropped =
        quartier_persistence::help::drop_details_ended_before(&mut conn, guest_cutoff, now).await?;
    // And a request of neighbourly help she never confirmed.
    swept.help_request_drafts_removed =
        quartier_persistence::help_drafts::remove_expired(&mut conn, now).await?;
    quartier_persistence::rate_limits::sweep(&mut conn, now - chrono::Duration::hours(2)).await?;
    Ok(swept)
}

/// Runs `sweep` now and then every `settings.interval`, until the process ends or the
/// returned task is aborted.
pub fn spawn(pool: PgPool, settings: RetentionSettings) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(settings.interval.max(Duration::from_secs(1)));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match sweep(&pool, &settings, Utc::now()).await {
                Ok(swept) if swept == Swept::default() => {}
                Ok(swept) => tracing::info!(
                    signups_anonymised = swept.signups_anonymised,
                    verifications_removed = swept.verifications_removed,
                    events_removed = swept.events_removed,
                    deliveries_removed = swept.deliveries_removed,
                    audit_entries_removed = swept.audit_entries_removed,
                    guests_erased = swept.guests_erased,
                    concern_drafts_removed = swept.concern_drafts_removed,
                    room_booking_drafts_removed = swept.room_booking_drafts_removed,
                    fund_application_drafts_removed = swept.fund_application_drafts_removed,
                    help_request_drafts_removed = swept.help_request_drafts_removed,
                    help_details_dropped = swept.help_details_dropped,
                    "retention applied"
                ),
                Err(error) => tracing::warn!(%error, "applying retention failed"),
            }
        }
    })
}

/// Releases guests' holds that expired by `now`, each with its place passed on to the
/// waitlist in the same transaction. Returns how many it released.
pub async fn release_expired_holds(
    pool: &PgPool,
    now: DateTime<Utc>,
) -> Result<usize, quartier_persistence::Error> {
    use quartier_persistence::places::holds;
    let mut released = 0;
    loop {
        let mut conn = pool::get(pool).await?;
        let due = holds::expired(&mut conn, now, BATCH).await?;
        for hold in &due {
            if holds::release(&mut conn, *hold, now, true).await?.is_some() {
                released += 1;
            }
        }
        if due.len() < BATCH as usize {
            return Ok(released);
        }
    }
}

/// Expires the help requests whose time ran out by `now` (`quartier_persistence::help::
/// expire_due`), batch by batch. Returns how many.
pub async fn expire_help_requests(
    pool: &PgPool,
    now: DateTime<Utc>,
) -> Result<usize, quartier_persistence::Error> {
    let mut expired = 0;
    loop {
        let mut conn = pool::get(pool).await?;
        let done = quartier_persistence::help::expire_due(&mut conn, now, BATCH).await?;
        expired += done;
        if done < BATCH as usize {
            return Ok(expired);
        }
    }
}

/// Runs `release_expired_holds` and `expire_help_requests` every `interval`, until the
/// process ends or the returned task is aborted. Every instance runs it; two releasing one
/// hold release it once, two expiring one request expire it once.
pub fn spawn_hold_sweeper(pool: PgPool, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval.max(Duration::from_secs(1)));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match release_expired_holds(&pool, Utc::now()).await {
                Ok(0) => {}
                Ok(released) => tracing::info!(released, "released expired guest holds"),
                Err(error) => tracing::warn!(%error, "releasing expired guest holds failed"),
            }
            match expire_help_requests(&pool, Utc::now()).await {
                Ok(0) => {}
                Ok(expired) => tracing::info!(expired, "expired help requests"),
                Err(error) => tracing::warn!(%error, "expiring help requests failed"),
            }
        }
    })
}
