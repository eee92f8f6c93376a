//! Places held for guests. A guest's sign-up first holds a place (when one is free and
//! nobody waits) until she confirms it from the mail; `shifts.held_count` counts the held
//! places, and the database checks confirmed and held places together against the capacity.
//! Confirming turns the hold into a confirmed sign-up (or a waitlisted one, when it held no
//! place); a hold that expired is released, and its place goes to the first in line, in the
//! same transaction.
//!
//! Every change here locks the shift first (then the hold), as every change to a shift's
//! sign-ups does.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::standing::DateOutcome;
use quartier_domain::{ChangeReason, Event, ShiftChange, ShiftStatus, SignupStatus};
use uuid::Uuid;

use super::cancel::fill_from_waitlist;
use super::sign_up::sign_up_in_steps;
use super::{ONE_LIVE_PER_SHIFT, OVERLAP_CONSTRAINT, SignupRefusal, lock_shift, signed_up_already};
use crate::schema::{guest_holds, shift_qualifications, shifts, signups, standing_dates};
use crate::shifts::ShiftRow;
use crate::signups::{Placed, SignupRow, position};
use crate::{Error, Result, outbox};

/// A hold as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = guest_holds, check_for_backend(diesel::pg::Pg))]
pub struct HoldRow {
    pub id: Uuid,
    pub shift_id: Uuid,
    pub user_id: Uuid,
    pub holds_place: bool,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The name given with the sign-up.
    pub name: String,
    /// The standing sign-up this place is offered for (none: a guest's hold).
    pub standing_signup_id: Option<Uuid>,
}

/// Why a guest cannot sign up for a shift (whoever she is).
#[derive(Debug, PartialEq, Eq)]
pub enum HoldRefusal {
    ShiftNotFound,
    ShiftCancelled,
    ShiftPast,
    /// Neither the shift nor its centre takes guests.
    GuestsNotWelcome,
    /// The shift requires qualifications, which only staff can check for an account.
    QualificationRequired,
}

/// What became of a guest's sign-up request.
#[derive(Debug, PartialEq, Eq)]
pub enum HoldOutcome {
    /// A new hold; its confirmation is to be mailed.
    Held(HoldRow),
    /// She holds this shift already, or is signed up for it: nothing new to mail.
    Already,
}

/// Whether guests may sign up for `shift` (read under its lock or not): the same refusals
/// for every guest, so that they can be told before anything is written.
pub async fn guest_refusal(
    conn: &mut AsyncPgConnection,
    shift: &ShiftRow,
    now: DateTime<Utc>,
) -> Result<Option<HoldRefusal>> {
    use crate::schema::centres;
    if shift.status == ShiftStatus::Cancelled {
        return Ok(Some(HoldRefusal::ShiftCancelled));
    }
    if shift.starts_at <= now {
        return Ok(Some(HoldRefusal::ShiftPast));
    }
    let centre_choice: bool = centres::table
        .find(shift.centre_id)
        .select(centres::guest_signups)
        .first(conn)
        .await?;
    if !quartier_domain::guest::guests_welcome(shift.guest_signups, centre_choice) {
        return Ok(Some(HoldRefusal::GuestsNotWelcome));
    }
    if requires_qualification(conn, shift.id).await? {
        return Ok(Some(HoldRefusal::QualificationRequired));
    }
    Ok(None)
}

/// Whether the shift requires any qualification (which guests cannot show).
pub async fn requires_qualification(conn: &mut AsyncPgConnection, shift_id: Uuid) -> Result<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        shift_qualifications::table.filter(shift_qualifications::shift_id.eq(shift_id)),
    ))
    .get_result(conn)
    .await?)
}

/// Holds a place on the shift for `user_id` (a guest, or an account whose address the
/// request named) until `expires_at`, when one is free and nobody waits; else a hold without
/// a place, which puts her on the waitlist once confirmed. The caller has locked the person's
/// row. `token_hash` is the hash of the token the confirmation mail will carry.
#[allow(clippy::too_many_arguments)]
pub async fn hold(
    conn: &mut AsyncPgConnection,
    shift_id: Uuid,
    user_id: Uuid,
    name: &str,
    hold_id: Uuid,
    token_hash: &[u8],
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<std::result::Result<HoldOutcome, HoldRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let Some(shift) = lock_shift(conn, shift_id).await? else {
            return Ok(Err(HoldRefusal::ShiftNotFound));
        };
        if let Some(refusal) = guest_refusal(conn, &shift, now).await? {
            return Ok(Err(refusal));
        }
        if signed_up_already(conn, shift_id, user_id).await? {
            return Ok(Ok(HoldOutcome::Already));
        }
        // Her hold that expired but was not yet released gives way to the new one.
        let stale: Option<HoldRow> = diesel::delete(
            guest_holds::table
                .filter(guest_holds::shift_id.eq(shift_id))
                .filter(guest_holds::user_id.eq(user_id))
                .filter(guest_holds::expires_at.le(now)),
        )
        .returning(HoldRow::as_returning())
        .get_result(conn)
        .await
        .optional()?;
        let shift = match stale {
            Some(stale) => {
                settle_offer(conn, &stale, DateOutcome::Expired, None, None).await?;
                give_back(conn, &shift, &stale, now).await?;
                lock_shift(conn, shift_id).await?.unwrap_or(shift)
            }
            None => shift,
        };
        let waiting: i64 = signups::table
            .filter(signups::shift_id.eq(shift_id))
            .filter(signups::status.eq(SignupStatus::Waitlisted.as_str()))
            .count()
            .get_result(conn)
            .await?;
        // A place that would take her past a workload limit is not held: she may still
        // confirm a place on the waitlist (whoever she is, the answer reads the same).
        let holds_place = shift.places().place_newcomer(waiting as usize)
            == quartier_domain::Placement::Confirmed
            && crate::workload::refusal(
                conn,
                &shift,
                user_id,
                crate::workload::SignedUpBy::Herself,
                now,
            )
            .await?
            .is_none();
        let held: Option<HoldRow> = diesel::insert_into(guest_holds::table)
            .values((
                guest_holds::id.eq(hold_id),
                guest_holds::shift_id.eq(shift_id),
                guest_holds::user_id.eq(user_id),
                guest_holds::holds_place.eq(holds_place),
                guest_holds::token_hash.eq(token_hash),
                guest_holds::created_at.eq(now),
                guest_holds::expires_at.eq(expires_at),
                guest_holds::name.eq(name),
            ))
            .on_conflict_do_nothing()
            .returning(HoldRow::as_returning())
            .get_result(conn)
            .await
            .optional()?;
        let Some(held) = held else {
            return Ok(Ok(HoldOutcome::Already));
        };
        if holds_place {
            diesel::update(shifts::table.filter(shifts::id.eq(shift_id)))
                .set(shifts::held_count.eq(shifts::held_count + 1))
                .execute(conn)
                .await?;
        }
        Ok(Ok(HoldOutcome::Held(held)))
    })
    .await
}

/// Why a hold was not confirmed. Except for `Unknown`, the hold is gone afterwards and its
/// place passed on.
#[derive(Debug, PartialEq, Eq)]
pub enum ConfirmRefusal {
    /// No hold has this token (never, confirmed, or expired and released).
    Unknown,
    /// The sign-up could not be made; the hold was released.
    Refused(SignupRefusal),
}

/// A confirmed hold: the sign-up it became, and the name given with it.
#[derive(Debug)]
pub struct Confirmed {
    pub placed: Placed,
    pub name: String,
}

/// Confirms the hold with `token_hash`: a hold with a place becomes a confirmed sign-up
/// (the held place turns into a confirmed one, in one update), one without a place signs up
/// as anyone would (waitlisted, or confirmed if a place came free and nobody waits). One
/// transaction with its events. A refusal (overlap, shift cancelled, started, or now
/// requiring qualifications) releases the hold.
pub async fn confirm(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> Result<std::result::Result<Confirmed, ConfirmRefusal>> {
    confirm_as(conn, token_hash, None, now).await
}

/// `confirm`, the sign-up made by `signed_up_by` (for an offer: whoever made its standing
/// sign-up).
async fn confirm_as(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    signed_up_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<std::result::Result<Confirmed, ConfirmRefusal>> {
    let found: Option<(Uuid, Uuid)> = guest_holds::table
        .filter(guest_holds::token_hash.eq(token_hash))
        .filter(guest_holds::expires_at.gt(now))
        .select((guest_holds::shift_id, guest_holds::user_id))
        .first(conn)
        .await
        .optional()?;
    let Some((shift_id, user_id)) = found else {
        return Ok(Err(ConfirmRefusal::Unknown));
    };
    conn.transaction::<_, Error, _>(async |conn| {
        crate::schema::users::table
            .find(user_id)
            .select(crate::schema::users::id)
            .for_no_key_update()
            .first::<Uuid>(conn)
            .await
            .optional()?;
        let Some(shift) = lock_shift(conn, shift_id).await? else {
            return Ok(Err(ConfirmRefusal::Unknown));
        };
        let hold: Option<HoldRow> = diesel::delete(
            guest_holds::table
                .filter(guest_holds::token_hash.eq(token_hash))
                .filter(guest_holds::expires_at.gt(now)),
        )
        .returning(HoldRow::as_returning())
        .get_result(conn)
        .await
        .optional()?;
        let Some(hold) = hold else {
            return Ok(Err(ConfirmRefusal::Unknown));
        };
        // The hold's person now (a guest whose account took over her holds in between).
        let user_id = hold.user_id;
        let refusal = if signed_up_already(conn, shift_id, user_id).await? {
            // Signed up meanwhile (with her account, or by staff): the held place goes on.
            Some(SignupRefusal::AlreadySignedUp)
        } else if shift.status == ShiftStatus::Cancelled {
            Some(SignupRefusal::ShiftCancelled)
        } else if shift.starts_at <= now {
            Some(SignupRefusal::ShiftPast)
        } else {
            let missing = super::missing_qualifications(conn, &shift, user_id).await?;
            (!missing.is_empty()).then_some(SignupRefusal::QualificationMissing(missing))
        };
        if let Some(refusal) = refusal {
            give_back(conn, &shift, &hold, now).await?;
            return Ok(Err(ConfirmRefusal::Refused(refusal)));
        }
        let confirmed = |placed| Confirmed {
            placed,
            name: hold.name.clone(),
        };
        if !hold.holds_place {
            let placed = match hold.standing_signup_id {
                Some(standing) => {
                    super::sign_up_standing(conn, shift_id, user_id, signed_up_by, standing, now)
                        .await?
                }
                None => sign_up_in_steps(conn, shift_id, user_id, signed_up_by, now).await?,
            };
            return Ok(placed.map(confirmed).map_err(ConfirmRefusal::Refused));
        }
        match take_held_place(
            conn,
            &shift,
            user_id,
            signed_up_by,
            hold.standing_signup_id,
            now,
        )
        .await
        {
            Ok(placed) => Ok(Ok(confirmed(placed))),
            Err(error) if error.is_constraint(OVERLAP_CONSTRAINT) => {
                give_back(conn, &shift, &hold, now).await?;
                Ok(Err(ConfirmRefusal::Refused(SignupRefusal::Overlapping)))
            }
            Err(error) if error.is_constraint(ONE_LIVE_PER_SHIFT) => {
                give_back(conn, &shift, &hold, now).await?;
                Ok(Err(ConfirmRefusal::Refused(SignupRefusal::AlreadySignedUp)))
            }
            Err(error) => Err(error),
        }
    })
    .await
}

/// The held place of the (locked) shift becomes `user_id`'s confirmed sign-up, with its
/// events, in a savepoint (an overlap leaves the transaction usable).
async fn take_held_place(
    conn: &mut AsyncPgConnection,
    shift: &ShiftRow,
    user_id: Uuid,
    signed_up_by: Option<Uuid>,
    standing_signup_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Placed> {
    conn.transaction::<_, Error, _>(async |conn| {
        let signup: SignupRow = diesel::insert_into(signups::table)
            .values((
                signups::id.eq(Uuid::now_v7()),
                signups::shift_id.eq(shift.id),
                signups::user_id.eq(user_id),
                signups::status.eq(SignupStatus::Confirmed.as_str()),
                signups::starts_at.eq(shift.starts_at),
                signups::ends_at.eq(shift.ends_at),
                signups::confirmed_at.eq(now),
                signups::signed_up_by.eq(signed_up_by),
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
        let counted: ShiftRow = diesel::update(shifts::table.filter(shifts::id.eq(shift.id)))
            .set((
                shifts::held_count.eq(shifts::held_count - 1),
                shifts::confirmed_count.eq(shifts::confirmed_count + 1),
            ))
            .returning(ShiftRow::as_returning())
            .get_result(conn)
            .await?;
        if counted.confirmed_count >= counted.capacity {
            outbox::record(conn, &Event::shift(ShiftChange::Filled, counted.facts())).await?;
        }
        let position = position(conn, &signup).await?;
        Ok(Placed { signup, position })
    })
    .await
}

/// A deleted hold's place goes back: the count drops, and the first in line takes it.
async fn give_back(
    conn: &mut AsyncPgConnection,
    shift: &ShiftRow,
    hold: &HoldRow,
    now: DateTime<Utc>,
) -> Result<usize> {
    if !hold.holds_place {
        return Ok(0);
    }
    let shift: ShiftRow = diesel::update(shifts::table.filter(shifts::id.eq(shift.id)))
        .set(shifts::held_count.eq(shifts::held_count - 1))
        .returning(ShiftRow::as_returning())
        .get_result(conn)
        .await?;
    if shift.status != ShiftStatus::Open || shift.starts_at <= now {
        return Ok(0);
    }
    let free = shift.places().free();
    Ok(
        fill_from_waitlist(conn, &shift, free, ChangeReason::PlaceFreed, now)
            .await?
            .len(),
    )
}

/// Releases the hold `hold_id` if it expired by `now` (or, with `expired_only` false, in any
/// case): its place goes to the first in line in the same transaction. Returns how many were
/// promoted, or `None` when there was no such hold (another instance released it).
pub async fn release(
    conn: &mut AsyncPgConnection,
    hold_id: Uuid,
    now: DateTime<Utc>,
    expired_only: bool,
) -> Result<Option<usize>> {
    let shift_id: Option<Uuid> = guest_holds::table
        .find(hold_id)
        .select(guest_holds::shift_id)
        .first(conn)
        .await
        .optional()?;
    let Some(shift_id) = shift_id else {
        return Ok(None);
    };
    conn.transaction::<_, Error, _>(async |conn| {
        let Some(shift) = lock_shift(conn, shift_id).await? else {
            return Ok(None);
        };
        let mut query = diesel::delete(guest_holds::table.find(hold_id)).into_boxed();
        if expired_only {
            query = query.filter(guest_holds::expires_at.le(now));
        }
        let hold: Option<HoldRow> = query
            .returning(HoldRow::as_returning())
            .get_result(conn)
            .await
            .optional()?;
        match hold {
            Some(hold) => {
                settle_offer(conn, &hold, DateOutcome::Expired, None, None).await?;
                Ok(Some(give_back(conn, &shift, &hold, now).await?))
            }
            None => Ok(None),
        }
    })
    .await
}

/// Up to `limit` holds that expired by `now`, oldest first.
pub async fn expired(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Uuid>> {
    Ok(guest_holds::table
        .filter(guest_holds::expires_at.le(now))
        .order(guest_holds::expires_at)
        .select(guest_holds::id)
        .limit(limit)
        .load(conn)
        .await?)
}

/// The holds of `user_id` (to release before the person is erased).
pub async fn of_user(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<Uuid>> {
    Ok(guest_holds::table
        .filter(guest_holds::user_id.eq(user_id))
        .order(guest_holds::shift_id)
        .select(guest_holds::id)
        .load(conn)
        .await?)
}

/// The (locked) shift is cancelled: its holds go, and it holds no place any more.
pub(crate) async fn drop_all(conn: &mut AsyncPgConnection, shift: &ShiftRow) -> Result<()> {
    diesel::delete(guest_holds::table.filter(guest_holds::shift_id.eq(shift.id)))
        .execute(conn)
        .await?;
    diesel::update(
        standing_dates::table
            .filter(standing_dates::shift_id.eq(shift.id))
            .filter(standing_dates::outcome.eq(DateOutcome::Offered.as_str())),
    )
    .set(standing_dates::outcome.eq(DateOutcome::Expired.as_str()))
    .execute(conn)
    .await?;
    diesel::update(shifts::table.filter(shifts::id.eq(shift.id)))
        .set(shifts::held_count.eq(0))
        .execute(conn)
        .await?;
    Ok(())
}

/// The capacity of the (locked) shift drops to `capacity`: guests who have not confirmed
/// yet give up their held places first (the newest first), and will wait when they confirm.
pub(crate) async fn yield_places(
    conn: &mut AsyncPgConnection,
    shift: &ShiftRow,
    capacity: i32,
) -> Result<i32> {
    let over = shift.places().holds_over(capacity);
    if over == 0 {
        return Ok(0);
    }
    let newest: Vec<Uuid> = guest_holds::table
        .filter(guest_holds::shift_id.eq(shift.id))
        .filter(guest_holds::holds_place.eq(true))
        .order((guest_holds::created_at.desc(), guest_holds::id.desc()))
        .limit(i64::from(over))
        .select(guest_holds::id)
        .load(conn)
        .await?;
    let yielded = diesel::update(guest_holds::table.filter(guest_holds::id.eq_any(&newest)))
        .set(guest_holds::holds_place.eq(false))
        .execute(conn)
        .await? as i32;
    diesel::update(shifts::table.filter(shifts::id.eq(shift.id)))
        .set(shifts::held_count.eq(shifts::held_count - yielded))
        .execute(conn)
        .await?;
    Ok(yielded)
}

/// Records on its date what came of the offer `hold` (if it is one): `outcome`, the sign-up
/// it became, and when she answered. Only an offer still open is settled.
async fn settle_offer(
    conn: &mut AsyncPgConnection,
    hold: &HoldRow,
    outcome: DateOutcome,
    signup_id: Option<Uuid>,
    answered_at: Option<DateTime<Utc>>,
) -> Result<()> {
    match hold.standing_signup_id {
        Some(standing) => {
            settle_date(
                conn,
                standing,
                hold.shift_id,
                outcome,
                signup_id,
                answered_at,
            )
            .await
        }
        None => Ok(()),
    }
}

/// `settle_offer` for the date `shift_id` of the standing sign-up `standing`.
async fn settle_date(
    conn: &mut AsyncPgConnection,
    standing: Uuid,
    shift_id: Uuid,
    outcome: DateOutcome,
    signup_id: Option<Uuid>,
    answered_at: Option<DateTime<Utc>>,
) -> Result<()> {
    diesel::update(
        standing_dates::table
            .filter(standing_dates::standing_signup_id.eq(standing))
            .filter(standing_dates::shift_id.eq(shift_id))
            .filter(standing_dates::outcome.eq(DateOutcome::Offered.as_str())),
    )
    .set((
        standing_dates::outcome.eq(outcome.as_str()),
        standing_dates::signup_id.eq(signup_id),
        standing_dates::answered_at.eq(answered_at),
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// Offers the volunteer `user_id` the shift `shift_id` for her standing sign-up
/// `standing_signup_id`, to be answered by `answer_by`: a held place when one is free, nobody
/// waits, the shift's standing places allow it and it keeps her within her workload limits;
/// else a place on the waitlist, should she accept. Locks the shift; the caller has locked
/// her account. `Ok(holds_place)`, or why she cannot be offered it.
pub(crate) async fn offer(
    conn: &mut AsyncPgConnection,
    shift_id: Uuid,
    user_id: Uuid,
    standing_signup_id: Uuid,
    by: crate::workload::SignedUpBy,
    answer_by: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<std::result::Result<bool, SignupRefusal>> {
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
    let missing = super::missing_qualifications(conn, &shift, user_id).await?;
    if !missing.is_empty() {
        return Ok(Err(SignupRefusal::QualificationMissing(missing)));
    }
    let waiting: i64 = signups::table
        .filter(signups::shift_id.eq(shift_id))
        .filter(signups::status.eq(SignupStatus::Waitlisted.as_str()))
        .count()
        .get_result(conn)
        .await?;
    let holds_place = shift.places().place_newcomer(waiting as usize)
        == quartier_domain::Placement::Confirmed
        && super::standing_place_free(conn, &shift).await?;
    if holds_place
        && let Some(exceeded) = crate::workload::refusal(conn, &shift, user_id, by, now).await?
    {
        return Ok(Err(SignupRefusal::Workload(exceeded)));
    }
    let hold_id = Uuid::now_v7();
    // Never mailed: no token can hash to it (hashes are 32 bytes long).
    let token: Vec<u8> = [b"standing:".as_slice(), hold_id.as_bytes()].concat();
    let held: Option<Uuid> = diesel::insert_into(guest_holds::table)
        .values((
            guest_holds::id.eq(hold_id),
            guest_holds::shift_id.eq(shift_id),
            guest_holds::user_id.eq(user_id),
            guest_holds::holds_place.eq(holds_place),
            guest_holds::token_hash.eq(token),
            guest_holds::created_at.eq(now),
            guest_holds::expires_at.eq(answer_by),
            guest_holds::name.eq(""),
            guest_holds::standing_signup_id.eq(standing_signup_id),
        ))
        .on_conflict_do_nothing()
        .returning(guest_holds::id)
        .get_result(conn)
        .await
        .optional()?;
    if held.is_none() {
        // She holds this shift already (as a guest, with her address).
        return Ok(Err(SignupRefusal::AlreadySignedUp));
    }
    if holds_place {
        diesel::update(shifts::table.filter(shifts::id.eq(shift_id)))
            .set(shifts::held_count.eq(shifts::held_count + 1))
            .execute(conn)
            .await?;
    }
    // She is told, and asked.
    crate::notifications::enqueue(
        conn,
        &crate::notifications::NewNotification {
            operator_id: Some(shift.operator_id),
            details: serde_json::json!({
                "hold_id": hold_id, "shift_id": shift_id,
                "standing_signup_id": standing_signup_id, "answer_by": answer_by,
            }),
            dedup_key: Some(format!("standing_offer:{hold_id}")),
            ..crate::notifications::NewNotification::now(
                user_id,
                quartier_domain::notification::Kind::StandingOffer,
            )
        },
    )
    .await?;
    Ok(Ok(holds_place))
}

/// Why an offer could not be answered.
#[derive(Debug, PartialEq, Eq)]
pub enum AnswerRefusal {
    /// No open offer for this shift: never made, answered, or its answer was due.
    NotOpen,
    /// Accepting it could not sign her up (an overlapping shift, say); the offer is gone
    /// and its place passed on.
    Refused(SignupRefusal),
}

/// Accepts the open offer of the shift `shift_id` made for the standing sign-up
/// `standing_signup_id`: its held place becomes her confirmed sign-up (without one, she
/// signs up as anyone would: waitlisted, or confirmed where a place came free). One
/// transaction; the date records the sign-up.
pub async fn accept_offer(
    conn: &mut AsyncPgConnection,
    standing_signup_id: Uuid,
    shift_id: Uuid,
    now: DateTime<Utc>,
) -> Result<std::result::Result<Placed, AnswerRefusal>> {
    let token: Option<Vec<u8>> = guest_holds::table
        .filter(guest_holds::standing_signup_id.eq(standing_signup_id))
        .filter(guest_holds::shift_id.eq(shift_id))
        .filter(guest_holds::expires_at.gt(now))
        .select(guest_holds::token_hash)
        .first(conn)
        .await
        .optional()?;
    let Some(token) = token else {
        return Ok(Err(AnswerRefusal::NotOpen));
    };
    conn.transaction::<_, Error, _>(async |conn| {
        let Some(made_by) = lock_standing(conn, standing_signup_id).await? else {
            return Ok(Err(AnswerRefusal::NotOpen));
        };
        match confirm_as(conn, &token, made_by, now).await? {
            Ok(done) => {
                let outcome = if done.placed.signup.status == SignupStatus::Confirmed {
                    DateOutcome::Confirmed
                } else {
                    DateOutcome::Waitlisted
                };
                settle_date(
                    conn,
                    standing_signup_id,
                    shift_id,
                    outcome,
                    Some(done.placed.signup.id),
                    Some(now),
                )
                .await?;
                Ok(Ok(done.placed))
            }
            Err(ConfirmRefusal::Unknown) => Ok(Err(AnswerRefusal::NotOpen)),
            Err(ConfirmRefusal::Refused(refusal)) => {
                let outcome = match &refusal {
                    SignupRefusal::Overlapping => DateOutcome::Overlapping,
                    SignupRefusal::QualificationMissing(_) => DateOutcome::QualificationMissing,
                    SignupRefusal::Workload(_) => DateOutcome::WorkloadLimit,
                    SignupRefusal::AlreadySignedUp => DateOutcome::SignedUpAlready,
                    _ => DateOutcome::Expired,
                };
                settle_date(conn, standing_signup_id, shift_id, outcome, None, Some(now)).await?;
                Ok(Err(AnswerRefusal::Refused(refusal)))
            }
        }
    })
    .await
}

/// Takes a share lock on the standing sign-up `id` first, as deciding one of its dates does
/// (so that ending or shortening it, which withdraws its offers, comes before or after an
/// answer, never in between). `None` when it ended (or is gone); else who made it.
async fn lock_standing(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Option<Uuid>>> {
    use crate::schema::standing_signups;
    let row: Option<(String, Option<Uuid>)> = standing_signups::table
        .filter(standing_signups::id.eq(id))
        .select((standing_signups::status, standing_signups::created_by))
        .for_share()
        .first(conn)
        .await
        .optional()?;
    Ok(row
        .filter(|(status, _)| status != quartier_domain::standing::StandingStatus::Ended.as_str())
        .map(|(_, made_by)| made_by))
}

/// The (locked) shift `shift_id` now starts at `starts_at`: each offer of it is due when it
/// would be were it made now for the new time, if that is sooner (`standing::answer_by`).
pub(crate) async fn shift_moved(
    conn: &mut AsyncPgConnection,
    shift_id: Uuid,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    use crate::schema::standing_signups;
    if starts_at <= now {
        return Ok(());
    }
    let offers: Vec<(Uuid, Uuid, DateTime<Utc>, i32)> = guest_holds::table
        .inner_join(
            standing_signups::table.on(standing_signups::id
                .nullable()
                .eq(guest_holds::standing_signup_id)),
        )
        .filter(guest_holds::shift_id.eq(shift_id))
        .select((
            guest_holds::id,
            standing_signups::id,
            guest_holds::expires_at,
            standing_signups::answer_hours,
        ))
        .load(conn)
        .await?;
    for (hold_id, standing, expires_at, hours) in offers {
        let due = quartier_domain::standing::answer_by(starts_at, now, hours);
        if due >= expires_at {
            continue;
        }
        diesel::update(guest_holds::table.find(hold_id))
            .set(guest_holds::expires_at.eq(due))
            .execute(conn)
            .await?;
        diesel::update(
            standing_dates::table
                .filter(standing_dates::standing_signup_id.eq(standing))
                .filter(standing_dates::shift_id.eq(shift_id))
                .filter(standing_dates::outcome.eq(DateOutcome::Offered.as_str())),
        )
        .set(standing_dates::answer_by.eq(due))
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// The standing sign-up whose open offer of the shift `shift_id` waits for `user_id`'s
/// answer, if one does.
pub(crate) async fn open_offer(
    conn: &mut AsyncPgConnection,
    shift_id: Uuid,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>> {
    Ok(guest_holds::table
        .filter(guest_holds::shift_id.eq(shift_id))
        .filter(guest_holds::user_id.eq(user_id))
        .filter(guest_holds::expires_at.gt(now))
        .select(guest_holds::standing_signup_id)
        .first::<Option<Uuid>>(conn)
        .await
        .optional()?
        .flatten())
}

/// Declines the open offer of the shift `shift_id` made for the standing sign-up
/// `standing_signup_id`: its place goes to the first in line, in the same transaction.
pub async fn decline_offer(
    conn: &mut AsyncPgConnection,
    standing_signup_id: Uuid,
    shift_id: Uuid,
    now: DateTime<Utc>,
) -> Result<std::result::Result<(), AnswerRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        if lock_standing(conn, standing_signup_id).await?.is_none() {
            return Ok(Err(AnswerRefusal::NotOpen));
        }
        let Some(shift) = lock_shift(conn, shift_id).await? else {
            return Ok(Err(AnswerRefusal::NotOpen));
        };
        let hold: Option<HoldRow> = diesel::delete(
            guest_holds::table
                .filter(guest_holds::standing_signup_id.eq(standing_signup_id))
                .filter(guest_holds::shift_id.eq(shift_id))
                .filter(guest_holds::expires_at.gt(now)),
        )
        .returning(HoldRow::as_returning())
        .get_result(conn)
        .await
        .optional()?;
        let Some(hold) = hold else {
            return Ok(Err(AnswerRefusal::NotOpen));
        };
        settle_offer(conn, &hold, DateOutcome::Declined, None, Some(now)).await?;
        give_back(conn, &shift, &hold, now).await?;
        Ok(Ok(()))
    })
    .await
}

/// The open offers of the standing sign-up `standing_signup_id` for shifts starting after
/// `after` (to withdraw when it ends or is shortened): each shift's start and id, and the
/// hold's id.
pub(crate) async fn offers_after(
    conn: &mut AsyncPgConnection,
    standing_signup_id: Uuid,
    after: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, Uuid, Uuid)>> {
    Ok(guest_holds::table
        .inner_join(shifts::table)
        .filter(guest_holds::standing_signup_id.eq(standing_signup_id))
        .filter(shifts::starts_at.gt(after))
        .select((shifts::starts_at, shifts::id, guest_holds::id))
        .load(conn)
        .await?)
}
