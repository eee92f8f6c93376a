//! Shifts that belong to a date follow it: cancelled or moved with it.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use quartier_domain::{ChangeReason, Event, ShiftChange, ShiftStatus};
use uuid::Uuid;

use super::ShiftRow;
use crate::schema::shifts;
use crate::{Result, outbox, places};

/// The live shifts of an occurrence, locked in id order (as every writer of several shifts
/// locks them, so that two never wait on each other).
async fn lock_shifts_of_occurrence(
    conn: &mut AsyncPgConnection,
    occurrence_id: Uuid,
) -> Result<Vec<ShiftRow>> {
    Ok(shifts::table
        .filter(shifts::occurrence_id.eq(occurrence_id))
        .filter(shifts::status.ne(ShiftStatus::Cancelled.as_str()))
        .order(shifts::id)
        .select(ShiftRow::as_select())
        .for_no_key_update()
        .load(conn)
        .await?)
}

/// The date `occurrence_id` was cancelled: so is each of its shifts, with every live
/// sign-up (`occurrence_cancelled`), in the caller's transaction, with their events.
pub async fn cancel_with_occurrence(
    conn: &mut AsyncPgConnection,
    occurrence_id: Uuid,
    cancelled_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<()> {
    for shift in lock_shifts_of_occurrence(conn, occurrence_id).await? {
        places::cancel_all(
            conn,
            &shift,
            cancelled_by,
            ChangeReason::OccurrenceCancelled,
            now,
        )
        .await?;
        let row: ShiftRow = diesel::update(shifts::table.filter(shifts::id.eq(shift.id)))
            .set((
                shifts::status.eq(ShiftStatus::Cancelled.as_str()),
                shifts::version.eq(shifts::version + 1),
                shifts::updated_at.eq(now),
            ))
            .returning(ShiftRow::as_returning())
            .get_result(conn)
            .await?;
        outbox::record(conn, &Event::shift(ShiftChange::Cancelled, row.facts())).await?;
    }
    Ok(())
}

/// The date `occurrence_id` moved `by`: so does each of its live shifts with its sign-ups,
/// in the caller's transaction, with their events. A confirmed volunteer who would then have
/// two shifts at once makes the exclusion constraint refuse the move.
pub async fn move_with_occurrence(
    conn: &mut AsyncPgConnection,
    occurrence_id: Uuid,
    by: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<()> {
    use crate::schema::signups;
    for shift in lock_shifts_of_occurrence(conn, occurrence_id).await? {
        diesel::update(signups::table.filter(signups::shift_id.eq(shift.id)))
            .set((
                signups::starts_at.eq(signups::starts_at + by),
                signups::ends_at.eq(signups::ends_at + by),
            ))
            .execute(conn)
            .await?;
        let row: ShiftRow = diesel::update(shifts::table.filter(shifts::id.eq(shift.id)))
            .set((
                shifts::starts_at.eq(shifts::starts_at + by),
                shifts::ends_at.eq(shifts::ends_at + by),
                shifts::version.eq(shifts::version + 1),
                shifts::updated_at.eq(now),
            ))
            .returning(ShiftRow::as_returning())
            .get_result(conn)
            .await?;
        outbox::record(conn, &Event::shift(ShiftChange::Changed, row.facts())).await?;
    }
    Ok(())
}
