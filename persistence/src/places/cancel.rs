//! Giving a place up and passing it on: cancelling one or all, promoting from the waitlist
//! (the one promotion loop), moving back to the waitlist when the capacity drops.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::signup::is_late_cancellation;
use quartier_domain::{ChangeReason, Event, ShiftStatus, SignupStatus};
use uuid::Uuid;

use super::{
    OVERLAP_CONSTRAINT, live, lock_for_signup, missing_qualifications, standing_place_free,
};
use crate::schema::{shifts, signups};
use crate::shifts::ShiftRow;
use crate::signups::SignupRow;
use crate::{Error, Result, outbox};

/// Why a cancellation was not made.
#[derive(Debug, PartialEq, Eq)]
pub enum CancelRefusal {
    NotFound,
    /// It is cancelled already, or the shift has happened.
    NotLive,
}

/// What a cancellation did.
#[derive(Debug)]
pub struct Cancelled {
    pub signup: SignupRow,
    /// The waitlisted sign-up that took the freed place.
    pub promoted: Option<SignupRow>,
}

/// Cancels a live sign-up (late when the volunteer cancels within 24 hours of the start)
/// and, if it held a place, promotes the first waitlisted volunteer for whom the shift
/// overlaps none of their confirmed ones — all in one transaction with its events.
pub async fn cancel(
    conn: &mut AsyncPgConnection,
    signup_id: Uuid,
    cancelled_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Result<Cancelled, CancelRefusal>> {
    // The promotion locks the account of each volunteer it checks for workload limits, after
    // the shift: one of them signing up for this very shift at that moment holds the locks
    // the other way round, and PostgreSQL breaks the deadlock by failing one. Again, then.
    let mut tries = 0;
    loop {
        tries += 1;
        match cancel_as(conn, signup_id, cancelled_by, now, None).await {
            Err(error) if error.is_deadlock() && tries < 3 => continue,
            other => return other,
        }
    }
}

/// `cancel`, with the `reason` its event gives; for an erasure (`AccountErased`) the event
/// says the volunteer left and not who they were.
pub(crate) async fn cancel_as(
    conn: &mut AsyncPgConnection,
    signup_id: Uuid,
    cancelled_by: Option<Uuid>,
    now: DateTime<Utc>,
    reason: Option<ChangeReason>,
) -> Result<Result<Cancelled, CancelRefusal>> {
    let erasure = reason == Some(ChangeReason::AccountErased);
    conn.transaction::<_, Error, _>(async |conn| {
        let Some((signup, shift)) = lock_for_signup(conn, signup_id).await? else {
            return Ok(Err(CancelRefusal::NotFound));
        };
        let was = signup.status;
        if !was.can_become(SignupStatus::Cancelled) {
            return Ok(Err(CancelRefusal::NotLive));
        }
        let by_the_volunteer = signup.user_id.is_some() && signup.user_id == cancelled_by;
        let late = is_late_cancellation(was, by_the_volunteer, shift.starts_at, now);
        let cancelled: SignupRow = diesel::update(
            signups::table
                .filter(signups::id.eq(signup_id))
                .filter(signups::status.eq_any(live())),
        )
        .set((
            signups::status.eq(SignupStatus::Cancelled.as_str()),
            signups::cancelled_at.eq(now),
            signups::cancelled_by.eq(cancelled_by),
            signups::late_cancellation.eq(late),
            signups::version.eq(signups::version + 1),
            signups::updated_at.eq(now),
        ))
        .returning(SignupRow::as_returning())
        .get_result(conn)
        .await?;
        let mut facts = cancelled.facts(shift.operator_id, Some(was), reason);
        if erasure {
            facts.user_id = None;
        }
        outbox::record(conn, &Event::signup(facts)).await?;
        let mut promoted = Vec::new();
        if was == SignupStatus::Confirmed {
            diesel::update(shifts::table.filter(shifts::id.eq(shift.id)))
                .set(shifts::confirmed_count.eq(shifts::confirmed_count - 1))
                .execute(conn)
                .await?;
            if shift.status == ShiftStatus::Open && shift.starts_at > now {
                let free = shift.places().after_cancelling(was).free();
                promoted =
                    fill_from_waitlist(conn, &shift, free, ChangeReason::PlaceFreed, now).await?;
            }
        }
        Ok(Ok(Cancelled {
            signup: cancelled,
            promoted: promoted.into_iter().next(),
        }))
    })
    .await
}

/// Offers up to `free` places of the (locked) shift to the waitlist in queue order, with
/// an event for each promotion and the shift's count raised by as many: the one promotion
/// loop, for a new sign-up, a cancellation and a higher capacity alike.
pub(super) async fn fill_from_waitlist(
    conn: &mut AsyncPgConnection,
    shift: &ShiftRow,
    free: i32,
    reason: ChangeReason,
    now: DateTime<Utc>,
) -> Result<Vec<SignupRow>> {
    let mut promoted = Vec::new();
    let mut passed_over = Vec::new();
    while (promoted.len() as i32) < free {
        let Some(next) = promote_next(conn, shift, &mut passed_over, now).await? else {
            break;
        };
        let facts = next.facts(
            shift.operator_id,
            Some(SignupStatus::Waitlisted),
            Some(reason),
        );
        outbox::record(conn, &Event::signup(facts)).await?;
        promoted.push(next);
    }
    if !promoted.is_empty() {
        diesel::update(shifts::table.filter(shifts::id.eq(shift.id)))
            .set(shifts::confirmed_count.eq(shifts::confirmed_count + promoted.len() as i32))
            .execute(conn)
            .await?;
    }
    Ok(promoted)
}

/// Confirms the first waitlisted sign-up of the (locked) shift whose volunteer holds its
/// required qualifications on the day, stays within her workload limits and has no
/// overlapping confirmed shift; each attempt in a savepoint, so a refusal by the exclusion
/// constraint only moves on to the next. One skipped for a workload limit stays waiting,
/// with a `signup.promotion_skipped` event; she and anyone whose account is locked by a
/// change of theirs are added to `passed_over`, and not looked at again in this round.
async fn promote_next(
    conn: &mut AsyncPgConnection,
    shift: &ShiftRow,
    passed_over: &mut Vec<Uuid>,
    now: DateTime<Utc>,
) -> Result<Option<SignupRow>> {
    // Each: the sign-up, its volunteer, who made it, and its standing sign-up.
    type Waiting = (Uuid, Option<Uuid>, Option<Uuid>, Option<Uuid>);
    let waiting: Vec<Waiting> = signups::table
        .filter(signups::shift_id.eq(shift.id))
        .filter(signups::status.eq(SignupStatus::Waitlisted.as_str()))
        .order((signups::queued_at, signups::id))
        .select((
            signups::id,
            signups::user_id,
            signups::signed_up_by,
            signups::standing_signup_id,
        ))
        .load(conn)
        .await?;
    // Waiting sign-ups always name their volunteer: erasure cancels them first.
    for (candidate, user_id, signed_up_by, standing) in waiting {
        let Some(user_id) = user_id else { continue };
        if passed_over.contains(&candidate) {
            continue;
        }
        // A standing sign-up waits while the places standing sign-ups may take are taken:
        // the rest stay for those who come once.
        if standing.is_some() && !standing_place_free(conn, shift).await? {
            continue;
        }
        if !missing_qualifications(conn, shift, user_id)
            .await?
            .is_empty()
        {
            continue;
        }
        let by = if signed_up_by.is_some_and(|by| by != user_id) {
            crate::workload::SignedUpBy::Staff
        } else {
            crate::workload::SignedUpBy::Herself
        };
        let verdict = crate::workload::refusal_unless_busy(conn, shift, user_id, by, now).await?;
        match verdict {
            // Her account is locked by a change of hers: she stays first in line for the
            // next place.
            None => {
                passed_over.push(candidate);
                continue;
            }
            // Past a limit: she stays waiting, told once in this round.
            Some(Some(_)) => {
                passed_over.push(candidate);
                let waiting: SignupRow = signups::table
                    .filter(signups::id.eq(candidate))
                    .select(SignupRow::as_select())
                    .first(conn)
                    .await?;
                let facts = waiting.facts(
                    shift.operator_id,
                    Some(SignupStatus::Waitlisted),
                    Some(ChangeReason::WorkloadLimit),
                );
                outbox::record(conn, &Event::promotion_skipped(facts)).await?;
                continue;
            }
            Some(None) => {}
        }
        let attempt = conn
            .transaction::<_, Error, _>(async |conn| {
                Ok(
                    diesel::update(signups::table.filter(signups::id.eq(candidate)))
                        .set((
                            signups::status.eq(SignupStatus::Confirmed.as_str()),
                            signups::confirmed_at.eq(now),
                            signups::version.eq(signups::version + 1),
                            signups::updated_at.eq(now),
                        ))
                        .returning(SignupRow::as_returning())
                        .get_result(conn)
                        .await?,
                )
            })
            .await;
        match attempt {
            Ok(row) => return Ok(Some(row)),
            Err(error) if error.is_constraint(OVERLAP_CONSTRAINT) => continue,
            Err(error) => return Err(error),
        }
    }
    Ok(None)
}

/// Cancels every live sign-up of the (locked) shift, with an event each saying `reason`,
/// and leaves it no confirmed one. The caller changes the shift row itself.
pub(crate) async fn cancel_all(
    conn: &mut AsyncPgConnection,
    shift: &ShiftRow,
    cancelled_by: Option<Uuid>,
    reason: ChangeReason,
    now: DateTime<Utc>,
) -> Result<()> {
    let before: Vec<(Uuid, crate::columns::SignupStatusColumn)> = signups::table
        .filter(signups::shift_id.eq(shift.id))
        .filter(signups::status.eq_any(live()))
        .select((signups::id, signups::status))
        .load(conn)
        .await?;
    let cancelled: Vec<SignupRow> = diesel::update(
        signups::table
            .filter(signups::shift_id.eq(shift.id))
            .filter(signups::status.eq_any(live())),
    )
    .set((
        signups::status.eq(SignupStatus::Cancelled.as_str()),
        signups::cancelled_at.eq(now),
        signups::cancelled_by.eq(cancelled_by),
        signups::version.eq(signups::version + 1),
        signups::updated_at.eq(now),
    ))
    .returning(SignupRow::as_returning())
    .get_results(conn)
    .await?;
    let events: Vec<Event> = cancelled
        .iter()
        .map(|row| {
            let was = before
                .iter()
                .find(|(id, _)| *id == row.id)
                .map(|(_, status)| status.0);
            Event::signup(row.facts(shift.operator_id, was, Some(reason)))
        })
        .collect();
    outbox::record_all(conn, &events).await?;
    diesel::update(shifts::table.filter(shifts::id.eq(shift.id)))
        .set(shifts::confirmed_count.eq(0))
        .execute(conn)
        .await?;
    super::holds::drop_all(conn, shift).await?;
    Ok(())
}

/// Moves the first `count` of `signup_ids` (confirmed sign-ups of the locked shift, checked
/// by the caller) back to the waitlist, with their events, and lowers the shift's count.
pub(crate) async fn move_to_waitlist(
    conn: &mut AsyncPgConnection,
    shift: &ShiftRow,
    signup_ids: &[Uuid],
    count: usize,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut moved = 0;
    for signup_id in signup_ids.iter().take(count) {
        let row: Option<SignupRow> = diesel::update(
            signups::table
                .filter(signups::id.eq(signup_id))
                .filter(signups::shift_id.eq(shift.id))
                .filter(signups::status.eq(SignupStatus::Confirmed.as_str())),
        )
        .set((
            signups::status.eq(SignupStatus::Waitlisted.as_str()),
            signups::confirmed_at.eq(None::<DateTime<Utc>>),
            signups::version.eq(signups::version + 1),
            signups::updated_at.eq(now),
        ))
        .returning(SignupRow::as_returning())
        .get_result(conn)
        .await
        .optional()?;
        let Some(row) = row else { continue };
        moved += 1;
        let facts = row.facts(
            shift.operator_id,
            Some(SignupStatus::Confirmed),
            Some(ChangeReason::CapacityLowered),
        );
        outbox::record(conn, &Event::signup(facts)).await?;
    }
    diesel::update(shifts::table.filter(shifts::id.eq(shift.id)))
        .set(shifts::confirmed_count.eq(shifts::confirmed_count - moved))
        .execute(conn)
        .await?;
    Ok(())
}

/// After the capacity of the (locked) shift was raised: its free places go to the waitlist.
pub(crate) async fn fill_raised_capacity(
    conn: &mut AsyncPgConnection,
    shift: &ShiftRow,
    now: DateTime<Utc>,
) -> Result<usize> {
    if shift.status != ShiftStatus::Open || shift.starts_at <= now {
        return Ok(0);
    }
    let free = shift.places().free();
    let promoted = fill_from_waitlist(conn, shift, free, ChangeReason::CapacityRaised, now).await?;
    Ok(promoted.len())
}
