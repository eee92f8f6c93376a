//! Sign-ups (Anmeldungen): volunteers on shifts. The rules of DESIGN.md hold here, whatever
//! the load:
//!
//! 1. never more confirmed sign-ups than places: every change to a shift's sign-ups first
//!    locks the shift row, so they happen one after another, and `shifts.confirmed_count` is
//!    checked against the capacity by the database;
//! 2. never two overlapping confirmed sign-ups of one volunteer: an exclusion constraint;
//! 3. required qualifications inspected and valid on the shift's date;
//! 6. every change writes its outbox event in the same transaction.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::{
    centres, qualification_types, shift_qualifications, shifts, signups, volunteer_qualifications,
};
use crate::shifts::ShiftRow;
use crate::{Error, Result, outbox};

/// Two confirmed sign-ups of one volunteer would overlap.
pub const OVERLAP_CONSTRAINT: &str = "signups_no_overlap";

/// A live sign-up of this volunteer for this shift exists already.
pub const ONE_LIVE_PER_SHIFT: &str = "signups_one_live_per_shift";

/// The zone whose calendar dates decide whether a qualification is valid on a shift's day.
const LOCAL_ZONE: chrono_tz::Tz = chrono_tz::Europe::Berlin;

/// How close to the start a volunteer's cancellation counts as late.
pub const LATE_CANCELLATION: Duration = Duration::hours(24);

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = signups, check_for_backend(diesel::pg::Pg))]
pub struct SignupRow {
    pub id: Uuid,
    pub shift_id: Uuid,
    /// `None` once anonymised (erasure or retention).
    pub user_id: Option<Uuid>,
    pub status: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub queued_at: DateTime<Utc>,
    pub signed_up_by: Option<Uuid>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancelled_by: Option<Uuid>,
    pub late_cancellation: bool,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub minutes_worked: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub anonymised_at: Option<DateTime<Utc>>,
}

/// A sign-up and, while it waits, its place on the waitlist (1 = next).
#[derive(Debug, Clone)]
pub struct Placed {
    pub signup: SignupRow,
    pub position: Option<i64>,
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
async fn lock_shift(conn: &mut AsyncPgConnection, shift_id: Uuid) -> Result<Option<ShiftRow>> {
    Ok(shifts::table
        .filter(shifts::id.eq(shift_id))
        .select(ShiftRow::as_select())
        .for_no_key_update()
        .first(conn)
        .await
        .optional()?)
}

async fn operator_of(conn: &mut AsyncPgConnection, centre_id: Uuid) -> Result<Uuid> {
    Ok(centres::table
        .filter(centres::id.eq(centre_id))
        .select(centres::operator_id)
        .first(conn)
        .await?)
}

/// The names of the qualifications `shift` requires that `user_id` lacks on its day.
pub async fn missing_qualifications(
    conn: &mut AsyncPgConnection,
    shift: &ShiftRow,
    user_id: Uuid,
) -> Result<Vec<String>> {
    let day = shift.starts_at.with_timezone(&LOCAL_ZONE).date_naive();
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

async fn position(conn: &mut AsyncPgConnection, signup: &SignupRow) -> Result<Option<i64>> {
    if signup.status != "waitlisted" {
        return Ok(None);
    }
    let ahead: i64 = signups::table
        .filter(signups::shift_id.eq(signup.shift_id))
        .filter(signups::status.eq("waitlisted"))
        .filter(signups::queued_at.le(signup.queued_at))
        .count()
        .get_result(conn)
        .await?;
    Ok(Some(ahead))
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
        match sign_up_once(conn, shift_id, user_id, signed_up_by, now).await {
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
/// with nobody waiting (confirmed) or none is free (waitlisted). It locks the shift row
/// (`FOR NO KEY UPDATE` reads the newest committed version after waiting), inserts the
/// sign-up, counts it and writes its events, all or nothing. `None` when the case needs
/// more: a refusal to explain, or waiting volunteers to promote first. Parameters carry
/// their types in the text, so that the statement reads the same with values written in
/// (the benchmark replays it with pgbench).
const SIGN_UP_AT_ONCE: &str = concat!(
    "WITH shift AS ( \
       SELECT s.id, s.operator_id, s.starts_at, s.ends_at, s.capacity, s.confirmed_count FROM shifts s \
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
         json_build_object('signup_id', signup.id, 'shift_id', signup.shift_id, 'user_id', signup.user_id, \
           'starts_at', ",
    json_time!("placed.starts_at"),
    ")::text FROM signup, placed \
       UNION ALL \
       SELECT CAST($7 AS uuid), 'shift.filled', placed.operator_id, counted.id, \
         json_build_object('shift_id', counted.id, 'capacity', counted.capacity)::text \
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
    let signup_id = Uuid::now_v7();
    let event_id = Uuid::now_v7();
    let filled_event_id = Uuid::now_v7();
    let statement = crate::sql::Reusable(
        diesel::sql_query(SIGN_UP_AT_ONCE)
            .bind::<SqlUuid, _>(shift_id)
            .bind::<Timestamptz, _>(now)
            .bind::<SqlUuid, _>(user_id)
            .bind::<SqlUuid, _>(signup_id)
            .bind::<Nullable<SqlUuid>, _>(signed_up_by)
            .bind::<SqlUuid, _>(event_id)
            .bind::<SqlUuid, _>(filled_event_id),
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

async fn sign_up_once(
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
            if shift.status == "cancelled" {
                return Ok(Err(SignupRefusal::ShiftCancelled));
            }
            if shift.starts_at <= now {
                return Ok(Err(SignupRefusal::ShiftPast));
            }
            let live: i64 = signups::table
                .filter(signups::shift_id.eq(shift_id))
                .filter(signups::user_id.eq(user_id))
                .filter(signups::status.eq_any(["confirmed", "waitlisted"]))
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
            // first: a newcomer never jumps the queue.
            let mut free = shift.capacity - shift.confirmed_count;
            let operator_id = operator_of(conn, shift.centre_id).await?;
            while free > 0 {
                let Some(next) = promote_next(conn, shift_id, now).await? else {
                    break;
                };
                free -= 1;
                diesel::update(shifts::table.filter(shifts::id.eq(shift_id)))
                    .set(shifts::confirmed_count.eq(shifts::confirmed_count + 1))
                    .execute(conn)
                    .await?;
                outbox::record(
                    conn,
                    "signup.promoted",
                    Some(operator_id),
                    next.id,
                    serde_json::json!({"signup_id": next.id, "shift_id": shift_id, "user_id": next.user_id}),
                )
                .await?;
            }
            let confirmed = free > 0;
            let signup: SignupRow = diesel::insert_into(signups::table)
                .values((
                    signups::id.eq(Uuid::now_v7()),
                    signups::shift_id.eq(shift_id),
                    signups::user_id.eq(user_id),
                    signups::status.eq(if confirmed { "confirmed" } else { "waitlisted" }),
                    signups::starts_at.eq(shift.starts_at),
                    signups::ends_at.eq(shift.ends_at),
                    signups::signed_up_by.eq(signed_up_by),
                    signups::confirmed_at.eq(confirmed.then_some(now)),
                ))
                .returning(SignupRow::as_returning())
                .get_result(conn)
                .await?;
            let payload = serde_json::json!({
                "signup_id": signup.id, "shift_id": shift_id, "user_id": user_id,
                "starts_at": shift.starts_at,
            });
            if confirmed {
                // Relative, so that the capacity check holds even for a writer that skipped the lock.
                let count: i32 = diesel::update(shifts::table.filter(shifts::id.eq(shift_id)))
                    .set(shifts::confirmed_count.eq(shifts::confirmed_count + 1))
                    .returning(shifts::confirmed_count)
                    .get_result(conn)
                    .await?;
                outbox::record(
                    conn,
                    "signup.confirmed",
                    Some(operator_id),
                    signup.id,
                    payload,
                )
                .await?;
                if count >= shift.capacity {
                    outbox::record(
                        conn,
                        "shift.filled",
                        Some(operator_id),
                        shift_id,
                        serde_json::json!({"shift_id": shift_id, "capacity": shift.capacity}),
                    )
                    .await?;
                }
            } else {
                outbox::record(
                    conn,
                    "signup.waitlisted",
                    Some(operator_id),
                    signup.id,
                    payload,
                )
                .await?;
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

/// One sign-up.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Placed>> {
    let found: Option<SignupRow> = signups::table
        .filter(signups::id.eq(id))
        .select(SignupRow::as_select())
        .first(conn)
        .await
        .optional()?;
    match found {
        Some(signup) => {
            let position = position(conn, &signup).await?;
            Ok(Some(Placed { signup, position }))
        }
        None => Ok(None),
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

/// Cancels a live sign-up (late when within 24 hours of the start) and, if it held a place,
/// promotes the first waitlisted volunteer for whom the shift overlaps none of their confirmed
/// ones — all in one transaction with its events.
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
        let shift_id: Option<Uuid> = signups::table
            .filter(signups::id.eq(signup_id))
            .select(signups::shift_id)
            .first(conn)
            .await
            .optional()?;
        let Some(shift_id) = shift_id else {
            return Ok(Err(CancelRefusal::NotFound));
        };
        let shift = lock_shift(conn, shift_id)
            .await?
            .ok_or_else(|| Error::Other("sign-up without shift".into()))?;
        let signup: SignupRow = signups::table
            .filter(signups::id.eq(signup_id))
            .select(SignupRow::as_select())
            .first(conn)
            .await?;
        if !matches!(signup.status.as_str(), "confirmed" | "waitlisted") {
            return Ok(Err(CancelRefusal::NotLive));
        }
        let late = signup.user_id.is_some()
            && signup.user_id == cancelled_by
            && signup.status == "confirmed"
            && shift.starts_at - now < LATE_CANCELLATION;
        let cancelled: SignupRow = diesel::update(
            signups::table
                .filter(signups::id.eq(signup_id))
                .filter(signups::status.eq_any(["confirmed", "waitlisted"])),
        )
        .set((
            signups::status.eq("cancelled"),
            signups::cancelled_at.eq(now),
            signups::cancelled_by.eq(cancelled_by),
            signups::late_cancellation.eq(late),
            signups::version.eq(signups::version + 1),
            signups::updated_at.eq(now),
        ))
        .returning(SignupRow::as_returning())
        .get_result(conn)
        .await?;
        let operator_id = operator_of(conn, shift.centre_id).await?;
        outbox::record(
            conn,
            "signup.cancelled",
            Some(operator_id),
            signup_id,
            if erasure {
                serde_json::json!({
                    "signup_id": signup_id, "shift_id": shift_id, "user_id": null,
                    "was": signup.status, "late": false, "reason": "account erased",
                })
            } else {
                serde_json::json!({
                    "signup_id": signup_id, "shift_id": shift_id, "user_id": signup.user_id,
                    "was": signup.status, "late": late,
                })
            },
        )
        .await?;
        let mut promoted = None;
        if signup.status == "confirmed" {
            let mut change = -1;
            if shift.status == "open" && shift.starts_at > now {
                promoted = promote_next(conn, shift_id, now).await?;
            }
            if let Some(next) = &promoted {
                change += 1;
                outbox::record(
                    conn,
                    "signup.promoted",
                    Some(operator_id),
                    next.id,
                    serde_json::json!({
                        "signup_id": next.id, "shift_id": shift_id, "user_id": next.user_id,
                        "starts_at": shift.starts_at,
                    }),
                )
                .await?;
            }
            diesel::update(shifts::table.filter(shifts::id.eq(shift_id)))
                .set(shifts::confirmed_count.eq(shifts::confirmed_count + change))
                .execute(conn)
                .await?;
        }
        Ok(Ok(Cancelled {
            signup: cancelled,
            promoted,
        }))
    })
    .await
}

/// Confirms the first waitlisted sign-up of the (locked) shift whose volunteer holds its
/// required qualifications on the day and has no overlapping confirmed shift; each attempt in
/// a savepoint, so a refusal by the exclusion constraint only moves on to the next.
pub(crate) async fn promote_next(
    conn: &mut AsyncPgConnection,
    shift_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<SignupRow>> {
    let Some(shift) = shifts::table
        .filter(shifts::id.eq(shift_id))
        .select(ShiftRow::as_select())
        .first(conn)
        .await
        .optional()?
    else {
        return Ok(None);
    };
    let waiting: Vec<(Uuid, Option<Uuid>)> = signups::table
        .filter(signups::shift_id.eq(shift_id))
        .filter(signups::status.eq("waitlisted"))
        .order((signups::queued_at, signups::id))
        .select((signups::id, signups::user_id))
        .load(conn)
        .await?;
    // Waiting sign-ups always name their volunteer: erasure cancels them first.
    for (candidate, user_id) in waiting {
        let Some(user_id) = user_id else { continue };
        if !missing_qualifications(conn, &shift, user_id)
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
                            signups::status.eq("confirmed"),
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

/// A line of a roster: a sign-up with its volunteer's name and how they want to be reached;
/// without them once the sign-up has been anonymised.
#[derive(Debug, Clone)]
pub struct RosterLine {
    pub signup: SignupRow,
    pub shift_title: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    /// From the volunteer's profile, if they wrote one.
    pub phone: Option<String>,
    /// `email`, `phone` or `sms`; `email` without a profile.
    pub contact_by: String,
    pub position: Option<i64>,
}

/// The live and past sign-ups (not the cancelled ones unless `with_cancelled`) of the shifts
/// `shift_ids`, by shift start, then confirmed before waiting, then queue order.
pub async fn roster(
    conn: &mut AsyncPgConnection,
    shift_ids: &[Uuid],
    with_cancelled: bool,
) -> Result<Vec<RosterLine>> {
    use crate::schema::{users, volunteer_profiles};
    let mut query = signups::table
        .left_join(users::table.on(users::id.nullable().eq(signups::user_id)))
        .inner_join(shifts::table)
        .left_join(
            volunteer_profiles::table
                .on(volunteer_profiles::user_id.nullable().eq(signups::user_id)),
        )
        .filter(signups::shift_id.eq_any(shift_ids))
        .into_boxed();
    if !with_cancelled {
        query = query.filter(signups::status.ne("cancelled"));
    }
    type Row = (
        SignupRow,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = query
        .select((
            SignupRow::as_select(),
            shifts::title,
            users::display_name.nullable(),
            users::email.nullable(),
            volunteer_profiles::phone.nullable(),
            volunteer_profiles::contact_by.nullable(),
        ))
        .order((
            signups::starts_at,
            signups::shift_id,
            signups::status.eq("waitlisted"),
            signups::queued_at,
        ))
        .load(conn)
        .await?;
    let mut lines = Vec::with_capacity(rows.len());
    let mut waiting: std::collections::HashMap<Uuid, i64> = std::collections::HashMap::new();
    for (signup, shift_title, display_name, email, phone, contact_by) in rows {
        let position = (signup.status == "waitlisted").then(|| {
            let n = waiting.entry(signup.shift_id).or_default();
            *n += 1;
            *n
        });
        lines.push(RosterLine {
            signup,
            shift_title,
            display_name,
            email,
            phone,
            contact_by: contact_by.unwrap_or_else(|| "email".into()),
            position,
        });
    }
    Ok(lines)
}

/// The people with a sign-up that is not cancelled on a shift of `operator_id` (of the
/// `centres`, when given) starting in `from`..`to`: whose data an export of that window shows.
pub async fn people_on_operator_shifts(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    centres: Option<&[Uuid]>,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<Uuid>> {
    let mut query = signups::table
        .inner_join(shifts::table)
        .filter(shifts::operator_id.eq(operator_id))
        .filter(shifts::starts_at.ge(from))
        .filter(shifts::starts_at.lt(to))
        .filter(signups::status.ne("cancelled"))
        .into_boxed();
    if let Some(centres) = centres {
        query = query.filter(shifts::centre_id.eq_any(centres.to_vec()));
    }
    let people: Vec<Option<Uuid>> = query.select(signups::user_id).distinct().load(conn).await?;
    Ok(people.into_iter().flatten().collect())
}

/// The ids of a centre's shifts that start in `from`..`to`.
pub async fn shifts_of_centre(
    conn: &mut AsyncPgConnection,
    centre_id: Uuid,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<Uuid>> {
    Ok(shifts::table
        .filter(shifts::centre_id.eq(centre_id))
        .filter(shifts::starts_at.ge(from))
        .filter(shifts::starts_at.lt(to))
        .select(shifts::id)
        .load(conn)
        .await?)
}

/// Why a check-in or attendance was not recorded.
#[derive(Debug, PartialEq, Eq)]
pub enum AttendanceRefusal {
    NotFound,
    /// Only confirmed sign-ups (or ones already marked) can be checked in or marked.
    NotConfirmed,
}

/// Locks the shift of `signup_id` (as every change to a shift's sign-ups does) and returns
/// the shift's operator; `None` for an unknown sign-up.
async fn lock_for_signup(conn: &mut AsyncPgConnection, signup_id: Uuid) -> Result<Option<Uuid>> {
    let shift_id: Option<Uuid> = signups::table
        .filter(signups::id.eq(signup_id))
        .select(signups::shift_id)
        .first(conn)
        .await
        .optional()?;
    let Some(shift_id) = shift_id else {
        return Ok(None);
    };
    match lock_shift(conn, shift_id).await? {
        Some(shift) => Ok(Some(operator_of(conn, shift.centre_id).await?)),
        None => Ok(None),
    }
}

/// Checks a confirmed volunteer in, now; with its event.
pub async fn check_in(
    conn: &mut AsyncPgConnection,
    signup_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Result<SignupRow, AttendanceRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let Some(operator_id) = lock_for_signup(conn, signup_id).await? else {
            return Ok(Err(AttendanceRefusal::NotFound));
        };
        let updated = diesel::update(
            signups::table
                .filter(signups::id.eq(signup_id))
                .filter(signups::status.eq_any(["confirmed", "attended"])),
        )
        .set((
            signups::checked_in_at.eq(now),
            signups::version.eq(signups::version + 1),
            signups::updated_at.eq(now),
        ))
        .returning(SignupRow::as_returning())
        .get_result(conn)
        .await
        .optional()?;
        if let Some(row) = &updated {
            outbox::record(
                conn,
                "signup.checked_in",
                Some(operator_id),
                row.id,
                serde_json::json!({"signup_id": row.id, "shift_id": row.shift_id, "user_id": row.user_id}),
            )
            .await?;
        }
        refusal_unless(conn, signup_id, updated).await
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
        let Some(operator_id) = lock_for_signup(conn, signup_id).await? else {
            return Ok(Err(AttendanceRefusal::NotFound));
        };
        let status = if attended { "attended" } else { "no_show" };
        let updated = diesel::update(
            signups::table
                .filter(signups::id.eq(signup_id))
                .filter(signups::status.eq_any(["confirmed", "attended", "no_show"])),
        )
        .set((
            signups::status.eq(status),
            signups::minutes_worked.eq(if attended { minutes_worked } else { None }),
            signups::version.eq(signups::version + 1),
            signups::updated_at.eq(now),
        ))
        .returning(SignupRow::as_returning())
        .get_result(conn)
        .await
        .optional()?;
        if let Some(row) = &updated {
            outbox::record(
                conn,
                &format!("signup.{status}"),
                Some(operator_id),
                row.id,
                serde_json::json!({
                    "signup_id": row.id, "shift_id": row.shift_id, "user_id": row.user_id,
                    "minutes_worked": row.minutes_worked,
                }),
            )
            .await?;
        }
        refusal_unless(conn, signup_id, updated).await
    })
    .await
}

async fn refusal_unless(
    conn: &mut AsyncPgConnection,
    signup_id: Uuid,
    updated: Option<SignupRow>,
) -> Result<Result<SignupRow, AttendanceRefusal>> {
    match updated {
        Some(row) => Ok(Ok(row)),
        None if find(conn, signup_id).await?.is_some() => Ok(Err(AttendanceRefusal::NotConfirmed)),
        None => Ok(Err(AttendanceRefusal::NotFound)),
    }
}

/// The columns of `SignupRow` in raw SQL over `signups s`.
const SIGNUP_COLUMNS: &str = "s.id, s.shift_id, s.user_id, s.status, s.starts_at, s.ends_at, \
    s.queued_at, s.signed_up_by, s.confirmed_at, s.cancelled_at, s.cancelled_by, \
    s.late_cancellation, s.checked_in_at, s.minutes_worked, s.created_at, s.updated_at, s.version, \
    s.anonymised_at";

/// One of a volunteer's own sign-ups, with what their list shows of the shift.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct OwnSignup {
    #[diesel(embed)]
    pub signup: SignupRow,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub shift_title: String,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub centre_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub centre_name: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub activity_title: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    pub position: Option<i64>,
}

/// Where a page of one's own sign-ups starts: after this (start, id).
pub type OwnKey = (DateTime<Utc>, Uuid);

/// A volunteer's sign-ups: coming ones (not yet ended) by start, or past ones latest first.
pub async fn of_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    past: bool,
    now: DateTime<Utc>,
    after: Option<&OwnKey>,
    limit: i64,
) -> Result<Vec<OwnSignup>> {
    use diesel::sql_types::{BigInt, Nullable, Timestamptz, Uuid as SqlUuid};
    let (when, order, cmp) = if past {
        ("s.ends_at <= $2", "DESC", "<")
    } else {
        ("s.ends_at > $2", "ASC", ">")
    };
    let sql = format!(
        "SELECT {SIGNUP_COLUMNS}, \
                sh.title AS shift_title, c.id AS centre_id, c.name AS centre_name, a.title AS activity_title, \
                CASE WHEN s.status = 'waitlisted' THEN (SELECT count(*) FROM signups w WHERE w.shift_id = s.shift_id \
                    AND w.status = 'waitlisted' AND w.queued_at <= s.queued_at) END AS position \
         FROM signups s JOIN shifts sh ON sh.id = s.shift_id JOIN centres c ON c.id = sh.centre_id \
         LEFT JOIN occurrences o ON o.id = sh.occurrence_id LEFT JOIN activities a ON a.id = o.activity_id \
         WHERE s.user_id = $1 AND {when} \
           AND ($3::timestamptz IS NULL OR (s.starts_at, s.id) {cmp} ($3, $4)) \
         ORDER BY s.starts_at {order}, s.id {order} LIMIT $5"
    );
    Ok(diesel::sql_query(sql)
        .bind::<SqlUuid, _>(user_id)
        .bind::<Timestamptz, _>(now)
        .bind::<Nullable<Timestamptz>, _>(after.map(|a| a.0))
        .bind::<Nullable<SqlUuid>, _>(after.map(|a| a.1))
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await?)
}

/// Hours worked, by year (in Europe/Berlin) and operator: the proof of volunteer work.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct HoursLine {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub year: i32,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub operator_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub operator_name: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub shifts: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub minutes: i64,
}

pub async fn hours(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<HoursLine>> {
    Ok(diesel::sql_query(
        "SELECT extract(year FROM s.starts_at AT TIME ZONE 'Europe/Berlin')::int AS year, \
                op.id AS operator_id, op.name AS operator_name, count(*) AS shifts, \
                coalesce(sum(s.minutes_worked), 0)::bigint AS minutes \
         FROM signups s JOIN shifts sh ON sh.id = s.shift_id JOIN centres c ON c.id = sh.centre_id \
         JOIN operators op ON op.id = c.operator_id \
         WHERE s.user_id = $1 AND s.status = 'attended' \
         GROUP BY 1, 2, 3 ORDER BY 1 DESC, 3",
    )
    .bind::<diesel::sql_types::Uuid, _>(user_id)
    .load(conn)
    .await?)
}

/// A sign-up as a volunteer's calendar shows it, with its shift's place.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct FeedEntry {
    #[diesel(embed)]
    pub signup: SignupRow,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub shift_title: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub centre_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub street: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub postcode: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub town: String,
    #[diesel(sql_type = diesel::sql_types::Double)]
    pub latitude: f64,
    #[diesel(sql_type = diesel::sql_types::Double)]
    pub longitude: f64,
}

/// The volunteer's sign-ups that start in `from`..`to` and were confirmed at some point
/// (confirmed, attended, no-show, or cancelled after being confirmed), by start.
pub async fn feed_of_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<FeedEntry>> {
    use diesel::sql_types::{Timestamptz, Uuid as SqlUuid};
    Ok(diesel::sql_query(format!(
        "SELECT {SIGNUP_COLUMNS}, \
                sh.title AS shift_title, c.name AS centre_name, c.street, c.postcode, c.town, \
                c.latitude, c.longitude \
         FROM signups s JOIN shifts sh ON sh.id = s.shift_id JOIN centres c ON c.id = sh.centre_id \
         WHERE s.user_id = $1 AND s.confirmed_at IS NOT NULL AND s.starts_at >= $2 AND s.starts_at < $3 \
         ORDER BY s.starts_at, s.id LIMIT 2000"
    ))
    .bind::<SqlUuid, _>(user_id)
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .load(conn)
    .await?)
}
