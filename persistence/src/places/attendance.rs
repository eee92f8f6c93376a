//! Check-in and attendance, recorded by staff on the day and after.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::{Event, SignupStatus};
use uuid::Uuid;

use super::lock_for_signup;
use crate::schema::signups;
use crate::signups::SignupRow;
use crate::{Error, Result, outbox};

/// Why a check-in or attendance was not recorded.
#[derive(Debug, PartialEq, Eq)]
pub enum AttendanceRefusal {
    NotFound,
    /// Only confirmed sign-ups (or ones already marked) can be checked in or marked.
    NotConfirmed,
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
