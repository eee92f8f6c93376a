//! Who holds a place on a shift. This module alone changes a sign-up's status: signing up,
//! cancelling, promoting from the waitlist, moving back to it when the capacity drops,
//! cancelling everyone with a shift or its date, check-in and attendance. The rules of
//! DESIGN.md hold here, whatever the load:
//!
//! 1. never more confirmed sign-ups than places: every change to a shift's sign-ups first
//!    locks the shift row, so they happen one after another, and `shifts.confirmed_count` is
//!    checked against the capacity by the database;
//! 2. never two overlapping confirmed sign-ups of one volunteer: an exclusion constraint;
//! 3. required qualifications inspected and valid on the shift's date;
//! 6. every change writes its outbox event in the same transaction.
//!
//! Where a sign-up goes and which changes are allowed is decided by `quartier_domain::signup`;
//! the events are `quartier_domain::Event`s.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::signup::is_late_cancellation;
use quartier_domain::{ChangeReason, Event, Places, ShiftChange, ShiftStatus, SignupStatus};
use uuid::Uuid;

use crate::schema::{
    qualification_types, shift_qualifications, shifts, signups, volunteer_qualifications,
};
use crate::shifts::ShiftRow;
use crate::signups::{Placed, SignupRow, position};
use crate::{Error, Result, outbox};

/// Two confirmed sign-ups of one volunteer would overlap.
pub const OVERLAP_CONSTRAINT: &str = "signups_no_overlap";

/// A live sign-up of this volunteer for this shift exists already.
pub const ONE_LIVE_PER_SHIFT: &str = "signups_one_live_per_shift";

/// The status names of live sign-ups, for filters.
fn live() -> [&'static str; 2] {
    SignupStatus::LIVE.map(SignupStatus::as_str)
}

/// Why a sign-up was not taken.
#[derive(Debug, PartialEq, Eq)]
pub enum SignupRefusal {
    ShiftNotFound,
    ShiftCancelled,
    ShiftPast,
    AlreadySignedUp,
    /// The names of the qualifications that are missing or not valid on the shift's day.
    QualificationMissing(Vec<String>),
    /// A confirmed sign-up of theirs overlaps this shift.
    Overlapping,
}

/// Locks the shift: every change to its sign-ups goes through here, one at a time.
pub(crate) async fn lock_shift(
    conn: &mut AsyncPgConnection,
    shift_id: Uuid,
) -> Result<Option<ShiftRow>> {
    Ok(shifts::table
        .filter(shifts::id.eq(shift_id))
        .select(ShiftRow::as_select())
        .for_no_key_update()
        .first(conn)
        .await
        .optional()?)
}

/// The names of the qualifications `shift` requires that `user_id` lacks on its day (see
/// `quartier_domain::signup::qualification_valid_on`).
pub async fn missing_qualifications(
    conn: &mut AsyncPgConnection,
    shift: &ShiftRow,
    user_id: Uuid,
) -> Result<Vec<String>> {
    let day = quartier_domain::signup::local_day(shift.starts_at);
    let valid = volunteer_qualifications::table
        .filter(volunteer_qualifications::user_id.eq(user_id))
        .filter(volunteer_qualifications::inspected_on.is_not_null())
        .filter(
            volunteer_qualifications::expires_on
                .is_null()
                .or(volunteer_qualifications::expires_on.gt(day)),
        )
        .select(volunteer_qualifications::type_id);
    Ok(shift_qualifications::table
        .inner_join(qualification_types::table)
        .filter(shift_qualifications::shift_id.eq(shift.id))
        .filter(shift_qualifications::type_id.ne_all(valid))
        .select(qualification_types::name)
        .order(qualification_types::name)
        .load(conn)
        .await?)
}

/// Signs `user_id` up for the shift: confirmed while places are free, waitlisted after. One
/// transaction with its events. An overlap with another confirmed sign-up is reported by the
/// database as a violation of `OVERLAP_CONSTRAINT`.
///
/// Two volunteers' inserts can wait on each other in the overlap constraint's index (each
/// checks the other's uncommitted row): PostgreSQL breaks that deadlock by failing one. It
/// is tried again, and then sees the other's committed row.
pub async fn sign_up(
    conn: &mut AsyncPgConnection,
    shift_id: Uuid,
    user_id: Uuid,
    signed_up_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Result<Placed, SignupRefusal>> {
    let mut tries = 0;
    loop {
        tries += 1;
        match sign_up_at_once(conn, shift_id, user_id, signed_up_by, now).await {
            Err(error) if error.is_deadlock() && tries < 3 => continue,
            Ok(Some(outcome)) => return Ok(outcome),
            Ok(None) => break,
            Err(error) => return Err(error),
        }
    }
    let mut tries = 0;
    loop {
        tries += 1;
        match sign_up_in_steps(conn, shift_id, user_id, signed_up_by, now).await {
            Err(error) if error.is_deadlock() && tries < 3 => continue,
            other => return other,
        }
    }
}

/// A timestamp as chrono writes it in JSON (RFC 3339 in UTC, `Z`, fraction only when there
/// is one), so that events written by SQL read like those written from Rust.
macro_rules! json_time {
    ($t:literal) => {
        concat!(
            "to_char(",
            $t,
            " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE \
             WHEN extract(microseconds FROM ",
            $t,
            ")::bigint % 1000000 = 0 THEN '' \
             WHEN extract(microseconds FROM ",
            $t,
            ")::bigint % 1000 = 0 THEN to_char(",
            $t,
            ", '.MS') \
             ELSE to_char(",
            $t,
            ", '.US') END || 'Z'"
        )
    };
}

/// The sign-up in one statement, for the case that decides nothing else: the shift is
/// open, in the future, the volunteer holds its qualifications, and either a place is free
/// with nobody waiting (confirmed) or none is free (waitlisted) — `Places::place_newcomer`
/// in SQL. It locks the shift row (`FOR NO KEY UPDATE` reads the newest committed version
/// after waiting), inserts the sign-up, counts it and writes its events in the shape
/// `outbox::payload` writes, all or nothing. `None` when the case needs more: a refusal to
/// explain, or waiting volunteers to promote first. Parameters carry their types in the
/// text, so that the statement reads the same with values written in (the benchmark replays
/// it with pgbench). A differential test holds it equal to `sign_up_in_steps`.
const SIGN_UP_AT_ONCE: &str = concat!(
    "WITH shift AS ( \
       SELECT s.id, s.operator_id, s.centre_id, s.occurrence_id, s.external_id, s.starts_at, s.ends_at, \
         s.capacity, s.confirmed_count FROM shifts s \
       WHERE s.id = CAST($1 AS uuid) AND s.status <> 'cancelled' AND s.starts_at > CAST($2 AS timestamptz) \
         AND NOT EXISTS (SELECT 1 FROM shift_qualifications q WHERE q.shift_id = s.id \
           AND NOT EXISTS (SELECT 1 FROM volunteer_qualifications v WHERE v.user_id = CAST($3 AS uuid) \
             AND v.type_id = q.type_id AND v.inspected_on IS NOT NULL \
             AND (v.expires_on IS NULL OR v.expires_on > (s.starts_at AT TIME ZONE 'Europe/Berlin')::date))) \
       FOR NO KEY UPDATE), \
     placed AS ( \
       SELECT shift.*, CASE WHEN shift.confirmed_count >= shift.capacity THEN 'waitlisted' \
         WHEN NOT EXISTS (SELECT 1 FROM signups w WHERE w.shift_id = shift.id AND w.status = 'waitlisted') \
         THEN 'confirmed' END AS status \
       FROM shift), \
     signup AS ( \
       INSERT INTO signups (id, shift_id, user_id, status, starts_at, ends_at, signed_up_by, confirmed_at) \
       SELECT CAST($4 AS uuid), id, CAST($3 AS uuid), status, starts_at, ends_at, CAST($5 AS uuid), \
         CASE WHEN status = 'confirmed' THEN CAST($2 AS timestamptz) END \
       FROM placed WHERE status IS NOT NULL \
       RETURNING *), \
     counted AS ( \
       UPDATE shifts s SET confirmed_count = s.confirmed_count + 1 FROM signup \
       WHERE s.id = signup.shift_id AND signup.status = 'confirmed' \
       RETURNING s.id, s.confirmed_count, s.capacity), \
     events AS ( \
       INSERT INTO outbox_events (id, kind, operator_id, subject_id, payload) \
       SELECT CAST($6 AS uuid), 'signup.' || signup.status, placed.operator_id, signup.id, \
         json_build_object('signup_id', signup.id, 'shift_id', signup.shift_id, \
           'operator_id', placed.operator_id, 'user_id', signup.user_id, 'status', signup.status, \
           'previous_status', NULL, 'starts_at', ",
    json_time!("placed.starts_at"),
    ", 'ends_at', ",
    json_time!("placed.ends_at"),
    ", 'late_cancellation', false, 'checked_in_at', NULL, 'minutes_worked', NULL, 'reason', NULL)::text \
       FROM signup, placed \
       UNION ALL \
       SELECT CAST($7 AS uuid), 'shift.filled', placed.operator_id, counted.id, \
         json_build_object('shift_id', counted.id, 'operator_id', placed.operator_id, \
           'centre_id', placed.centre_id, 'occurrence_id', placed.occurrence_id, \
           'external_id', placed.external_id, 'starts_at', ",
    json_time!("placed.starts_at"),
    ", 'ends_at', ",
    json_time!("placed.ends_at"),
    ", 'capacity', counted.capacity, 'confirmed_count', counted.confirmed_count, 'status', 'open')::text \
       FROM counted, placed WHERE counted.confirmed_count >= counted.capacity) \
     SELECT signup.id, signup.shift_id, signup.user_id, signup.status, signup.starts_at, signup.ends_at, \
       signup.queued_at, signup.signed_up_by, signup.confirmed_at, signup.cancelled_at, signup.cancelled_by, \
       signup.late_cancellation, signup.checked_in_at, signup.minutes_worked, signup.created_at, \
       signup.updated_at, signup.version, signup.anonymised_at FROM signup"
);

fn in_transaction(conn: &mut AsyncPgConnection) -> bool {
    use diesel_async::{AnsiTransactionManager, TransactionManager};
    AnsiTransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .is_ok_and(|depth| depth.is_some())
}

async fn sign_up_at_once(
    conn: &mut AsyncPgConnection,
    shift_id: Uuid,
    user_id: Uuid,
    signed_up_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Option<Result<Placed, SignupRefusal>>> {
    use diesel::sql_types::{Nullable, Timestamptz, Uuid as SqlUuid};
    let statement = crate::sql::Reusable(
        diesel::sql_query(SIGN_UP_AT_ONCE)
            .bind::<SqlUuid, _>(shift_id)
            .bind::<Timestamptz, _>(now)
            .bind::<SqlUuid, _>(user_id)
            .bind::<SqlUuid, _>(Uuid::now_v7())
            .bind::<Nullable<SqlUuid>, _>(signed_up_by)
            .bind::<SqlUuid, _>(Uuid::now_v7())
            .bind::<SqlUuid, _>(Uuid::now_v7()),
    );
    // Inside a caller's transaction (an idempotent request), a refused insert must not abort
    // it: a savepoint takes the statement's failure. On its own the statement is atomic.
    let placed: std::result::Result<Option<SignupRow>, Error> = if in_transaction(conn) {
        conn.transaction::<_, Error, _>(async |conn| {
            Ok(statement.get_result(conn).await.optional()?)
        })
        .await
    } else {
        statement
            .get_result(conn)
            .await
            .optional()
            .map_err(Error::from)
    };
    match placed {
        Ok(Some(signup)) => {
            let position = position(conn, &signup).await?;
            Ok(Some(Ok(Placed { signup, position })))
        }
        // An overlap may also be a second sign-up for this very shift: the transaction
        // below tells which.
        Ok(None) => Ok(None),
        Err(error) if error.is_constraint(OVERLAP_CONSTRAINT) => Ok(None),
        Err(error) if error.is_constraint(ONE_LIVE_PER_SHIFT) => {
            Ok(Some(Err(SignupRefusal::AlreadySignedUp)))
        }
        Err(error) => Err(error),
    }
}

/// The sign-up step by step in one transaction: every refusal explained, and free places
/// offered to the waitlist before the newcomer. `sign_up` takes this path when the one
/// statement cannot decide; public so that a test can run both paths over the same cases.
pub async fn sign_up_in_steps(
    conn: &mut AsyncPgConnection,
    shift_id: Uuid,
    user_id: Uuid,
    signed_up_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Result<Placed, SignupRefusal>> {
    let outcome = conn
        .transaction::<_, Error, _>(async |conn| {
            let Some(shift) = lock_shift(conn, shift_id).await? else {
                return Ok(Err(SignupRefusal::ShiftNotFound));
            };
            if shift.status == ShiftStatus::Cancelled {
                return Ok(Err(SignupRefusal::ShiftCancelled));
            }
            if shift.starts_at <= now {
                return Ok(Err(SignupRefusal::ShiftPast));
            }
            let live: i64 = signups::table
                .filter(signups::shift_id.eq(shift_id))
                .filter(signups::user_id.eq(user_id))
                .filter(signups::status.eq_any(live()))
                .count()
                .get_result(conn)
                .await?;
            if live > 0 {
                return Ok(Err(SignupRefusal::AlreadySignedUp));
            }
            let missing = missing_qualifications(conn, &shift, user_id).await?;
            if !missing.is_empty() {
                return Ok(Err(SignupRefusal::QualificationMissing(missing)));
            }
            // Places freed while the first in line could not take them go to the waitlist
            // first: a newcomer never jumps the queue. Whoever still waits afterwards cannot
            // take a place.
            let places = shift.places();
            let promoted = fill_from_waitlist(
                conn,
                &shift,
                places.free(),
                ChangeReason::WaitlistCaughtUp,
                now,
            )
            .await?;
            let places = Places {
                confirmed: places.confirmed + promoted.len() as i32,
                ..places
            };
            let status = places.place_newcomer(0).status();
            let confirmed = status == SignupStatus::Confirmed;
            let signup: SignupRow = diesel::insert_into(signups::table)
                .values((
                    signups::id.eq(Uuid::now_v7()),
                    signups::shift_id.eq(shift_id),
                    signups::user_id.eq(user_id),
                    signups::status.eq(status.as_str()),
                    signups::starts_at.eq(shift.starts_at),
                    signups::ends_at.eq(shift.ends_at),
                    signups::signed_up_by.eq(signed_up_by),
                    signups::confirmed_at.eq(confirmed.then_some(now)),
                ))
                .returning(SignupRow::as_returning())
                .get_result(conn)
                .await?;
            outbox::record(
                conn,
                &Event::signup(signup.facts(shift.operator_id, None, None)),
            )
            .await?;
            if confirmed {
                // Relative, so that the capacity check holds even for a writer that skipped the lock.
                let counted: ShiftRow =
                    diesel::update(shifts::table.filter(shifts::id.eq(shift_id)))
                        .set(shifts::confirmed_count.eq(shifts::confirmed_count + 1))
                        .returning(ShiftRow::as_returning())
                        .get_result(conn)
                        .await?;
                if counted.places().free() == 0 {
                    outbox::record(conn, &Event::shift(ShiftChange::Filled, counted.facts()))
                        .await?;
                }
            }
            let position = position(conn, &signup).await?;
            Ok(Ok(Placed { signup, position }))
        })
        .await;
    match outcome {
        Err(error) if error.is_constraint(OVERLAP_CONSTRAINT) => {
            Ok(Err(SignupRefusal::Overlapping))
        }
        Err(error) if error.is_constraint(ONE_LIVE_PER_SHIFT) => {
            Ok(Err(SignupRefusal::AlreadySignedUp))
        }
        other => other,
    }
}

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
    cancel_as(conn, signup_id, cancelled_by, now, false).await
}

/// `cancel`; for an `erasure` the event says the volunteer left and not who they were.
pub(crate) async fn cancel_as(
    conn: &mut AsyncPgConnection,
    signup_id: Uuid,
    cancelled_by: Option<Uuid>,
    now: DateTime<Utc>,
    erasure: bool,
) -> Result<Result<Cancelled, CancelRefusal>> {
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
        let mut facts = cancelled.facts(
            shift.operator_id,
            Some(was),
            erasure.then_some(ChangeReason::AccountErased),
        );
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
async fn fill_from_waitlist(
    conn: &mut AsyncPgConnection,
    shift: &ShiftRow,
    free: i32,
    reason: ChangeReason,
    now: DateTime<Utc>,
) -> Result<Vec<SignupRow>> {
    let mut promoted = Vec::new();
    while (promoted.len() as i32) < free {
        let Some(next) = promote_next(conn, shift, now).await? else {
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
/// required qualifications on the day and has no overlapping confirmed shift; each attempt in
/// a savepoint, so a refusal by the exclusion constraint only moves on to the next.
async fn promote_next(
    conn: &mut AsyncPgConnection,
    shift: &ShiftRow,
    now: DateTime<Utc>,
) -> Result<Option<SignupRow>> {
    let waiting: Vec<(Uuid, Option<Uuid>)> = signups::table
        .filter(signups::shift_id.eq(shift.id))
        .filter(signups::status.eq(SignupStatus::Waitlisted.as_str()))
        .order((signups::queued_at, signups::id))
        .select((signups::id, signups::user_id))
        .load(conn)
        .await?;
    // Waiting sign-ups always name their volunteer: erasure cancels them first.
    for (candidate, user_id) in waiting {
        let Some(user_id) = user_id else { continue };
        if !missing_qualifications(conn, shift, user_id)
            .await?
            .is_empty()
        {
            continue;
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

/// Why a check-in or attendance was not recorded.
#[derive(Debug, PartialEq, Eq)]
pub enum AttendanceRefusal {
    NotFound,
    /// Only confirmed sign-ups (or ones already marked) can be checked in or marked.
    NotConfirmed,
}

/// Locks the shift of `signup_id` (as every change to a shift's sign-ups does) and reads the
/// sign-up under that lock; `None` for an unknown sign-up.
async fn lock_for_signup(
    conn: &mut AsyncPgConnection,
    signup_id: Uuid,
) -> Result<Option<(SignupRow, ShiftRow)>> {
    let shift_id: Option<Uuid> = signups::table
        .filter(signups::id.eq(signup_id))
        .select(signups::shift_id)
        .first(conn)
        .await
        .optional()?;
    let Some(shift_id) = shift_id else {
        return Ok(None);
    };
    let Some(shift) = lock_shift(conn, shift_id).await? else {
        return Ok(None);
    };
    let signup: SignupRow = signups::table
        .filter(signups::id.eq(signup_id))
        .select(SignupRow::as_select())
        .first(conn)
        .await?;
    Ok(Some((signup, shift)))
}

/// Checks a confirmed volunteer in, now; with its event.
pub async fn check_in(
    conn: &mut AsyncPgConnection,
    signup_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Result<SignupRow, AttendanceRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let Some((signup, shift)) = lock_for_signup(conn, signup_id).await? else {
            return Ok(Err(AttendanceRefusal::NotFound));
        };
        if !matches!(
            signup.status,
            SignupStatus::Confirmed | SignupStatus::Attended
        ) {
            return Ok(Err(AttendanceRefusal::NotConfirmed));
        }
        let row: SignupRow = diesel::update(signups::table.filter(signups::id.eq(signup_id)))
            .set((
                signups::checked_in_at.eq(now),
                signups::version.eq(signups::version + 1),
                signups::updated_at.eq(now),
            ))
            .returning(SignupRow::as_returning())
            .get_result(conn)
            .await?;
        let facts = row.facts(shift.operator_id, None, None);
        outbox::record(conn, &Event::checked_in(facts)).await?;
        Ok(Ok(row))
    })
    .await
}

/// Marks a confirmed sign-up as attended (with minutes worked) or as a no-show; with its
/// event.
pub async fn record_attendance(
    conn: &mut AsyncPgConnection,
    signup_id: Uuid,
    attended: bool,
    minutes_worked: Option<i32>,
    now: DateTime<Utc>,
) -> Result<Result<SignupRow, AttendanceRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let Some((signup, shift)) = lock_for_signup(conn, signup_id).await? else {
            return Ok(Err(AttendanceRefusal::NotFound));
        };
        let status = if attended {
            SignupStatus::Attended
        } else {
            SignupStatus::NoShow
        };
        if !signup.status.can_become(status) {
            return Ok(Err(AttendanceRefusal::NotConfirmed));
        }
        let row: SignupRow = diesel::update(signups::table.filter(signups::id.eq(signup_id)))
            .set((
                signups::status.eq(status.as_str()),
                signups::minutes_worked.eq(if attended { minutes_worked } else { None }),
                signups::version.eq(signups::version + 1),
                signups::updated_at.eq(now),
            ))
            .returning(SignupRow::as_returning())
            .get_result(conn)
            .await?;
        let facts = row.facts(shift.operator_id, Some(signup.status), None);
        outbox::record(conn, &Event::signup(facts)).await?;
        Ok(Ok(row))
    })
    .await
}
