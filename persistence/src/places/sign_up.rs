//! Signing up: one statement for the cases that decide nothing else, steps for the rest.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::{ChangeReason, Event, Places, ShiftChange, ShiftStatus, SignupStatus};
use uuid::Uuid;

use super::cancel::fill_from_waitlist;
use super::{
    ONE_LIVE_PER_SHIFT, OVERLAP_CONSTRAINT, SignupRefusal, lock_shift, missing_qualifications,
    signed_up_already,
};
use crate::schema::{shifts, signups};
use crate::shifts::ShiftRow;
use crate::signups::{Placed, SignupRow, position};
use crate::{Error, Result, outbox};

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
        match sign_up_at_once(conn, &SIGN_UP_AT_ONCE, shift_id, user_id, signed_up_by, now).await {
            Err(error) if error.is_deadlock() && tries < 3 => continue,
            Ok(Some(outcome)) => return Ok(outcome),
            Ok(None) => break,
            Err(error) => return Err(error),
        }
    }
    // A place that would count against workload limits: under her account's lock.
    let mut tries = 0;
    loop {
        tries += 1;
        let attempt = conn
            .transaction::<_, Error, _>(async |conn| {
                lock_volunteer(conn, user_id).await?;
                sign_up_at_once(
                    conn,
                    &SIGN_UP_WITHIN_LIMITS,
                    shift_id,
                    user_id,
                    signed_up_by,
                    now,
                )
                .await
            })
            .await;
        match attempt {
            Err(error) if error.is_deadlock() && tries < 3 => continue,
            Ok(Some(outcome)) => return Ok(outcome),
            Ok(None) => break,
            Err(error) => return Err(error),
        }
    }
    // A date offered to her (her standing sign-up asks): signing up takes the offer.
    if let Some(standing) = super::holds::open_offer(conn, shift_id, user_id, now).await? {
        match super::holds::accept_offer(conn, standing, shift_id, now).await? {
            Ok(placed) => return Ok(Ok(placed)),
            Err(super::holds::AnswerRefusal::Refused(refusal)) => return Ok(Err(refusal)),
            Err(super::holds::AnswerRefusal::NotOpen) => {}
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
/// open, in the future, the volunteer holds its qualifications, no place is held for her on
/// it (a guest's hold of her address, or an offer of her standing sign-up), a confirmed
/// place would keep her within her workload limits (`workload::within_limits`; one past a
/// limit takes the steps, which tell which), and either a place is free
/// with nobody waiting (confirmed) or none is free (waitlisted) — `Places::place_newcomer`
/// in SQL. It locks the volunteer's account row, then the shift row (`FOR NO KEY UPDATE`
/// reads the newest committed version after waiting), inserts the sign-up, counts it and writes its events in the shape
/// `outbox::payload` writes, all or nothing. `None` when the case needs more: a refusal to
/// explain, or waiting volunteers to promote first. Parameters carry their types in the
/// text, so that the statement reads the same with values written in (the benchmark replays
/// it with pgbench). A differential test holds it equal to `sign_up_in_steps`.
const SIGN_UP_AT_ONCE_TEMPLATE: &str = concat!(
    "WITH volunteer AS ( \
       SELECT id FROM users WHERE id = CAST($3 AS uuid) FOR NO KEY UPDATE), \
     shift AS ( \
       SELECT s.id, s.operator_id, s.centre_id, s.occurrence_id, s.external_id, s.starts_at, s.ends_at, \
         s.capacity, s.confirmed_count, s.held_count FROM shifts s \
       WHERE s.id = CAST($1 AS uuid) AND s.status <> 'cancelled' AND s.starts_at > CAST($2 AS timestamptz) \
         AND EXISTS (SELECT 1 FROM volunteer) AND ",
    holds_required_qualifications!("s", "CAST($3 AS uuid)"),
    " AND NOT EXISTS (SELECT 1 FROM guest_holds h WHERE h.shift_id = s.id AND h.user_id = CAST($3 AS uuid)) \
       FOR NO KEY UPDATE), ",
    "{within_limits}, ",
    "placed AS ( \
       SELECT shift.*, CASE WHEN shift.confirmed_count + shift.held_count >= shift.capacity THEN 'waitlisted' \
         WHEN NOT EXISTS (SELECT 1 FROM signups w WHERE w.shift_id = shift.id AND w.status = 'waitlisted') \
           AND (SELECT ok FROM within) \
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
    ", 'late_cancellation', false, 'checked_in_at', NULL, 'minutes_worked', NULL, 'reason', NULL, \
           'standing_signup_id', NULL)::text \
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
       signup.updated_at, signup.version, signup.anonymised_at, signup.standing_signup_id FROM signup"
);

/// `SIGN_UP_AT_ONCE_TEMPLATE` where no workload limit applies: no policy at the shift's
/// operator and no caps of her own (else a place it would confirm is left to
/// `SIGN_UP_WITHIN_LIMITS`; a place on the waitlist counts against no limit).
static SIGN_UP_AT_ONCE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    SIGN_UP_AT_ONCE_TEMPLATE.replace(
        "{within_limits}",
        &crate::workload::without_limits("CAST($3 AS uuid)"),
    )
});

/// `SIGN_UP_AT_ONCE_TEMPLATE` with the workload limits' check written in. Her own places
/// are counted in the statement's snapshot, so it runs in a transaction that locked her
/// account row first (a statement of its own): her sign-ups at once then count one after
/// another.
static SIGN_UP_WITHIN_LIMITS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    SIGN_UP_AT_ONCE_TEMPLATE.replace(
        "{within_limits}",
        &crate::workload::within_limits(
            "CAST($1 AS uuid)",
            "CAST($3 AS uuid)",
            "CAST($5 AS uuid)",
            "CAST($2 AS timestamptz)",
        ),
    )
});

fn in_transaction(conn: &mut AsyncPgConnection) -> bool {
    use diesel_async::{AnsiTransactionManager, TransactionManager};
    AnsiTransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .is_ok_and(|depth| depth.is_some())
}

async fn sign_up_at_once(
    conn: &mut AsyncPgConnection,
    statement: &str,
    shift_id: Uuid,
    user_id: Uuid,
    signed_up_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Option<Result<Placed, SignupRefusal>>> {
    use diesel::sql_types::{Nullable, Timestamptz, Uuid as SqlUuid};
    let statement = crate::sql::Reusable(
        diesel::sql_query(statement)
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

/// Locks the volunteer's account row, so that her own sign-ups happen one after another:
/// each then finds the others committed and is refused at once as overlapping, instead of
/// waiting in the overlap constraint for transactions that wait for each other. Always
/// before the shift's lock. Signing up someone whose account is gone locks nothing (the
/// insert is refused by its foreign key).
pub(crate) async fn lock_volunteer(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<()> {
    use crate::schema::users;
    users::table
        .filter(users::id.eq(user_id))
        .select(users::id)
        .for_no_key_update()
        .load::<Uuid>(conn)
        .await?;
    Ok(())
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
    sign_up_for(conn, shift_id, user_id, signed_up_by, None, false, now).await
}

/// A sign-up by staff (`signed_up_by`) past the operator's workload policy, for a reason the
/// caller audits; the volunteer's own caps still hold. Always step by step.
pub async fn sign_up_overriding_policy(
    conn: &mut AsyncPgConnection,
    shift_id: Uuid,
    user_id: Uuid,
    signed_up_by: Uuid,
    now: DateTime<Utc>,
) -> Result<Result<Placed, SignupRefusal>> {
    let mut tries = 0;
    loop {
        tries += 1;
        match sign_up_for(conn, shift_id, user_id, Some(signed_up_by), None, true, now).await {
            Err(error) if error.is_deadlock() && tries < 3 => continue,
            other => return other,
        }
    }
}

/// `sign_up_in_steps` for a date of the standing sign-up `standing_signup_id` (made by its
/// volunteer or staff for her): a place is confirmed only while the standing sign-ups of the
/// shift hold fewer than `standing::standing_places`, waitlisted otherwise.
pub(crate) async fn sign_up_standing(
    conn: &mut AsyncPgConnection,
    shift_id: Uuid,
    user_id: Uuid,
    signed_up_by: Option<Uuid>,
    standing_signup_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Result<Placed, SignupRefusal>> {
    sign_up_for(
        conn,
        shift_id,
        user_id,
        signed_up_by,
        Some(standing_signup_id),
        false,
        now,
    )
    .await
}

async fn sign_up_for(
    conn: &mut AsyncPgConnection,
    shift_id: Uuid,
    user_id: Uuid,
    signed_up_by: Option<Uuid>,
    standing_signup_id: Option<Uuid>,
    override_policy: bool,
    now: DateTime<Utc>,
) -> Result<Result<Placed, SignupRefusal>> {
    use crate::workload::SignedUpBy;
    let by = match signed_up_by {
        Some(by) if by != user_id && override_policy => SignedUpBy::StaffOverridingPolicy,
        Some(by) if by != user_id => SignedUpBy::Staff,
        _ => SignedUpBy::Herself,
    };
    let outcome = conn
        .transaction::<_, Error, _>(async |conn| {
            lock_volunteer(conn, user_id).await?;
            let Some(shift) = lock_shift(conn, shift_id).await? else {
                return Ok(Err(SignupRefusal::ShiftNotFound));
            };
            if shift.status == ShiftStatus::Cancelled {
                return Ok(Err(SignupRefusal::ShiftCancelled));
            }
            if shift.starts_at <= now {
                return Ok(Err(SignupRefusal::ShiftPast));
            }
            if signed_up_already(conn, shift_id, user_id).await? {
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
            let mut status = places.place_newcomer(0).status();
            if status == SignupStatus::Confirmed
                && standing_signup_id.is_some()
                && !super::standing_place_free(conn, &shift).await?
            {
                status = SignupStatus::Waitlisted;
            }
            let confirmed = status == SignupStatus::Confirmed;
            // A place she takes counts against her limits; a place on the waitlist does not
            // (until she is promoted).
            if confirmed
                && let Some(exceeded) =
                    crate::workload::refusal(conn, &shift, user_id, by, now).await?
            {
                return Ok(Err(SignupRefusal::Workload(exceeded)));
            }
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
                    signups::standing_signup_id.eq(standing_signup_id),
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
                // Filled: every place confirmed (places held for guests are not yet).
                if counted.confirmed_count >= counted.capacity {
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
