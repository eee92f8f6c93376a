//! Who holds a place on a shift. This module alone changes a sign-up's status: signing up,
//! cancelling, promoting from the waitlist, moving back to it when the capacity drops,
//! cancelling everyone with a shift or its date, check-in and attendance. The rules of
//! DESIGN.md hold here, whatever the load:
//!
//! 1. never more confirmed sign-ups than places: every change to a shift's sign-ups first
//!    locks the shift row, so they happen one after another, and `shifts.confirmed_count`
//!    with the places held for guests (`holds`) is checked against the capacity by the
//!    database;
//! 2. never two overlapping confirmed sign-ups of one volunteer: an exclusion constraint;
//! 3. required qualifications inspected by the shift's operator (or one it trusts) and
//!    valid on the shift's date;
//! 6. every change writes its outbox event in the same transaction.
//!
//! Where a sign-up goes and which changes are allowed is decided by `quartier_domain::signup`;
//! the events are `quartier_domain::Event`s.

/// SQL, true when the volunteer `$user` holds every qualification the shift `$shift` (a row
/// with `id`, `operator_id` and `starts_at`) requires: verified by the shift's operator or an
/// operator it trusts (the view `accepted_verifications`), and not expired on the shift's
/// local day. The one statement of that rule in SQL; `missing_qualifications` names what
/// fails it.
macro_rules! holds_required_qualifications {
    ($shift:literal, $user:literal) => {
        concat!(
            "NOT EXISTS (SELECT 1 FROM shift_qualifications q WHERE q.shift_id = ",
            $shift,
            ".id AND NOT EXISTS (SELECT 1 FROM accepted_verifications v WHERE v.user_id = ",
            $user,
            " AND v.type_id = q.type_id AND v.accepted_by = ",
            $shift,
            ".operator_id AND (v.expires_on IS NULL OR v.expires_on > (",
            $shift,
            ".starts_at AT TIME ZONE 'Europe/Berlin')::date)))"
        )
    };
}
pub(crate) use holds_required_qualifications;

/// SQL, true when help is wanted on the shift `s` (at the centre `c`, of the activity `a`
/// where it has one, joined left) at the time `$now`: it is open at an active centre, of a
/// published activity or of none, has not begun (sign-ups close when it starts), and has a
/// place that is neither confirmed nor held for a guest. The one statement of that rule, for
/// the digests and the public help-wanted feed.
macro_rules! wants_help {
    ($now:literal) => {
        concat!(
            "s.status = 'open' AND c.status = 'active' AND (a.id IS NULL OR a.status = 'published') \
             AND s.starts_at > ",
            $now,
            " AND s.confirmed_count + s.held_count < s.capacity"
        )
    };
}
pub(crate) use wants_help;

mod attendance;
mod cancel;
pub mod holds;
mod sign_up;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use quartier_domain::SignupStatus;
use uuid::Uuid;

use crate::Result;
use crate::schema::{
    accepted_verifications, qualification_types, shift_qualifications, shifts, signups,
};
use crate::shifts::ShiftRow;
use crate::signups::SignupRow;

pub use attendance::{AttendanceRefusal, check_in, record_attendance};
pub use cancel::{CancelRefusal, Cancelled, cancel};
pub(crate) use cancel::{cancel_all, cancel_as, fill_raised_capacity, move_to_waitlist};
pub(crate) use sign_up::{lock_volunteer, sign_up_standing};
pub use sign_up::{sign_up, sign_up_in_steps, sign_up_overriding_policy};

/// Two confirmed sign-ups of one volunteer would overlap.
pub const OVERLAP_CONSTRAINT: &str = "signups_no_overlap";

/// A live sign-up of this volunteer for this shift exists already.
pub const ONE_LIVE_PER_SHIFT: &str = "signups_one_live_per_shift";

/// The status names of live sign-ups, for filters.
pub(crate) fn live() -> [&'static str; 2] {
    SignupStatus::LIVE.map(SignupStatus::as_str)
}

/// Whether `user_id` has a live (confirmed or waitlisted) sign-up for the shift.
pub(crate) async fn signed_up_already(
    conn: &mut AsyncPgConnection,
    shift_id: Uuid,
    user_id: Uuid,
) -> Result<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        signups::table
            .filter(signups::shift_id.eq(shift_id))
            .filter(signups::user_id.eq(user_id))
            .filter(signups::status.eq_any(live())),
    ))
    .get_result(conn)
    .await?)
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
    /// The place would take the volunteer past a workload limit.
    Workload(quartier_domain::workload::Exceeded),
}

/// Whether a standing sign-up may take a place of the (locked) shift: its standing sign-ups
/// hold fewer confirmed places, with the places held for their offers, than
/// `standing::standing_places` allows.
pub(crate) async fn standing_place_free(
    conn: &mut AsyncPgConnection,
    shift: &ShiftRow,
) -> Result<bool> {
    let standing_max: Option<i32> = shifts::table
        .filter(shifts::id.eq(shift.id))
        .select(shifts::standing_max)
        .first(conn)
        .await?;
    let held: i64 = signups::table
        .filter(signups::shift_id.eq(shift.id))
        .filter(signups::status.eq(SignupStatus::Confirmed.as_str()))
        .filter(signups::standing_signup_id.is_not_null())
        .count()
        .get_result(conn)
        .await?;
    let offered: i64 = crate::schema::guest_holds::table
        .filter(crate::schema::guest_holds::shift_id.eq(shift.id))
        .filter(crate::schema::guest_holds::standing_signup_id.is_not_null())
        .filter(crate::schema::guest_holds::holds_place.eq(true))
        .count()
        .get_result(conn)
        .await?;
    Ok(held + offered
        < i64::from(quartier_domain::standing::standing_places(
            shift.capacity,
            standing_max,
        )))
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

/// The names of the qualifications `shift` requires that `user_id` lacks on its day, by the
/// rule of `holds_required_qualifications`.
pub async fn missing_qualifications(
    conn: &mut AsyncPgConnection,
    shift: &ShiftRow,
    user_id: Uuid,
) -> Result<Vec<String>> {
    let day = quartier_domain::signup::local_day(shift.starts_at);
    let valid = accepted_verifications::table
        .filter(accepted_verifications::user_id.eq(user_id))
        .filter(accepted_verifications::accepted_by.eq(shift.operator_id))
        .filter(
            accepted_verifications::expires_on
                .is_null()
                .or(accepted_verifications::expires_on.gt(day)),
        )
        .select(accepted_verifications::type_id);
    Ok(shift_qualifications::table
        .inner_join(qualification_types::table)
        .filter(shift_qualifications::shift_id.eq(shift.id))
        .filter(shift_qualifications::type_id.ne_all(valid))
        .select(qualification_types::name)
        .order(qualification_types::name)
        .load(conn)
        .await?)
}

/// Locks the shift of `signup_id` (as every change to a shift's sign-ups does) and reads the
/// sign-up under that lock; `None` for an unknown sign-up.
pub(crate) async fn lock_for_signup(
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
