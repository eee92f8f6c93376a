//! Rooms that activities use: the activity names its room, and each of its dates to come
//! holds it (`occurrence_rooms`); triggers write the claims of those dates and move or free
//! them when a date moves or is cancelled, so the exclusion constraint decides between
//! bookings, activities and closures alike.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, Nullable, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::activity::ActivityStatus;
use quartier_domain::room::Times;
use uuid::Uuid;

use super::{DateRow, NO_OVERLAP, RoomRow, announce, lock_parts};
use crate::audit::{Actor, NewEntry};
use crate::{Error, Result};

/// The room an activity uses, and its dates to come that do not hold it.
#[derive(Debug, Clone)]
pub struct ActivityRoom {
    pub room_id: Uuid,
    pub set_at: DateTime<Utc>,
    /// Dates to come, not cancelled, whose time was taken when they were stored.
    pub without_room: Vec<UnheldDate>,
}

/// A date of an activity that does not hold the activity's room.
#[derive(Debug, Clone, QueryableByName)]
pub struct UnheldDate {
    #[diesel(sql_type = SqlUuid)]
    pub occurrence_id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub starts_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub ends_at: DateTime<Utc>,
}

/// The room `activity_id` uses, if any, as of `now`.
pub async fn of_activity(
    conn: &mut AsyncPgConnection,
    activity_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<ActivityRoom>> {
    #[derive(QueryableByName)]
    struct Used {
        #[diesel(sql_type = SqlUuid)]
        room_id: Uuid,
        #[diesel(sql_type = Timestamptz)]
        set_at: DateTime<Utc>,
    }
    let Some(used) =
        diesel::sql_query("SELECT room_id, set_at FROM activity_rooms WHERE activity_id = $1")
            .bind::<SqlUuid, _>(activity_id)
            .load::<Used>(conn)
            .await?
            .pop()
    else {
        return Ok(None);
    };
    let without_room = diesel::sql_query(
        "SELECT o.id AS occurrence_id, o.starts_at, o.ends_at FROM occurrences o \
         WHERE o.activity_id = $1 AND NOT o.cancelled AND o.ends_at > $2 \
         AND NOT EXISTS (SELECT 1 FROM occurrence_rooms h WHERE h.occurrence_id = o.id) \
         ORDER BY o.starts_at LIMIT 500",
    )
    .bind::<SqlUuid, _>(activity_id)
    .bind::<Timestamptz, _>(now)
    .load(conn)
    .await?;
    Ok(Some(ActivityRoom {
        room_id: used.room_id,
        set_at: used.set_at,
        without_room,
    }))
}

/// What came of giving an activity a room.
#[derive(Debug, Clone)]
pub enum Used {
    /// Every date to come holds the room; the requests its dates overlapped were declined.
    Done {
        dates: usize,
        declined: Vec<DateRow>,
    },
    /// Nothing changed: the room is taken at these dates of the activity (none named when
    /// the activity's own dates overlap each other with the room's buffers).
    Taken(Vec<Times>),
    /// Nothing changed: the activity is cancelled or archived.
    Inactive,
}

/// The dates to come of `activity_id` (not cancelled, ending after `now`) whose time with
/// `room`'s buffers is claimed by anything but the activity itself.
async fn taken_dates(
    conn: &mut AsyncPgConnection,
    activity_id: Uuid,
    room: &RoomRow,
    now: DateTime<Utc>,
) -> Result<Vec<Times>> {
    #[derive(QueryableByName)]
    struct Taken {
        #[diesel(sql_type = Timestamptz)]
        starts_at: DateTime<Utc>,
        #[diesel(sql_type = Timestamptz)]
        ends_at: DateTime<Utc>,
    }
    let taken: Vec<Taken> = diesel::sql_query(
        "SELECT o.starts_at, o.ends_at FROM occurrences o \
         WHERE o.activity_id = $1 AND NOT o.cancelled AND o.ends_at > $3 \
         AND EXISTS (SELECT 1 FROM room_claims c \
             WHERE c.part_id = ANY($2) AND c.during && room_blocked($4, o.starts_at, o.ends_at) \
             AND c.occurrence_id IS DISTINCT FROM o.id) \
         ORDER BY o.starts_at LIMIT 20",
    )
    .bind::<SqlUuid, _>(activity_id)
    .bind::<Array<SqlUuid>, _>(&room.parts)
    .bind::<Timestamptz, _>(now)
    .bind::<SqlUuid, _>(room.id)
    .load(conn)
    .await?;
    Ok(taken
        .into_iter()
        .map(|t| (t.starts_at, t.ends_at))
        .collect())
}

/// Gives `activity_id` the room `room` (of its centre): every date to come holds it, or
/// nothing changes and the taken dates are named. The dates that held another room give it
/// back; the requests the dates now overlap are declined, in the same transaction.
pub async fn use_for_activity(
    conn: &mut AsyncPgConnection,
    activity_id: Uuid,
    room: &RoomRow,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Used> {
    let mut refused = Vec::new();
    let outcome = conn
        .transaction::<_, Error, _>(async |conn| {
            // As a schedule change does: the activity, its dates to come, then the parts, so
            // that no date moves or is cancelled while its claim is written.
            lock_dates(conn, activity_id, now).await?;
            #[derive(QueryableByName)]
            struct Status {
                #[diesel(sql_type = diesel::sql_types::Text)]
                status: String,
            }
            let status: Vec<Status> =
                diesel::sql_query("SELECT status FROM activities WHERE id = $1")
                    .bind::<SqlUuid, _>(activity_id)
                    .load(conn)
                    .await?;
            if status
                .first()
                .is_none_or(|s| !ActivityStatus::stored_uses_rooms(&s.status))
            {
                return Err(Error::Other(INACTIVE_ROLLBACK.into()));
            }
            lock_parts(conn, room).await?;
            // The dates to come give back what they held; past dates keep their record.
            diesel::sql_query(
                "DELETE FROM occurrence_rooms h USING occurrences o \
                 WHERE h.occurrence_id = o.id AND o.activity_id = $1 AND o.ends_at > $2",
            )
            .bind::<SqlUuid, _>(activity_id)
            .bind::<Timestamptz, _>(now)
            .execute(conn)
            .await?;
            let taken = taken_dates(conn, activity_id, room, now).await?;
            if !taken.is_empty() {
                refused = taken;
                return Err(Error::Other(TAKEN_ROLLBACK.into()));
            }
            diesel::sql_query(
                "INSERT INTO activity_rooms (activity_id, room_id, set_by, set_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (activity_id) \
                 DO UPDATE SET room_id = $2, set_by = $3, set_at = $4",
            )
            .bind::<SqlUuid, _>(activity_id)
            .bind::<SqlUuid, _>(room.id)
            .bind::<Nullable<SqlUuid>, _>(by)
            .bind::<Timestamptz, _>(now)
            .execute(conn)
            .await?;
            // Cancelled dates hold it too, without claiming: reinstated, they claim it.
            let held: Vec<Uuid> = diesel::sql_query(
                "INSERT INTO occurrence_rooms (occurrence_id, room_id) \
                 SELECT o.id, $2 FROM occurrences o \
                 WHERE o.activity_id = $1 AND o.ends_at > $3 RETURNING occurrence_id",
            )
            .bind::<SqlUuid, _>(activity_id)
            .bind::<SqlUuid, _>(room.id)
            .bind::<Timestamptz, _>(now)
            .load::<Held>(conn)
            .await?
            .into_iter()
            .map(|h| h.occurrence_id)
            .collect();
            let declined = decline_for_dates(conn, &held, by, now).await?;
            Ok(Used::Done {
                dates: held.len(),
                declined,
            })
        })
        .await;
    match outcome {
        Err(Error::Other(message)) if message == TAKEN_ROLLBACK => Ok(Used::Taken(refused)),
        Err(Error::Other(message)) if message == INACTIVE_ROLLBACK => Ok(Used::Inactive),
        // Dates of the activity that overlap each other with the room's buffers.
        Err(error) if error.is_constraint(NO_OVERLAP) => Ok(Used::Taken(Vec::new())),
        other => other,
    }
}

/// Rolls back giving a room whose time is taken.
const TAKEN_ROLLBACK: &str = "room taken";
/// Rolls back giving a room to an activity that is cancelled or archived (meanwhile).
const INACTIVE_ROLLBACK: &str = "activity inactive";

/// `activity_id` uses no room any more: its dates to come give theirs back. Whether it used
/// one.
pub async fn release_activity(
    conn: &mut AsyncPgConnection,
    activity_id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool> {
    conn.transaction::<_, Error, _>(async |conn| {
        lock_dates(conn, activity_id, now).await?;
        let released = diesel::sql_query("DELETE FROM activity_rooms WHERE activity_id = $1")
            .bind::<SqlUuid, _>(activity_id)
            .execute(conn)
            .await?;
        diesel::sql_query(
            "DELETE FROM occurrence_rooms h USING occurrences o \
             WHERE h.occurrence_id = o.id AND o.activity_id = $1 AND o.ends_at > $2",
        )
        .bind::<SqlUuid, _>(activity_id)
        .bind::<Timestamptz, _>(now)
        .execute(conn)
        .await?;
        Ok(released > 0)
    })
    .await
}

/// New dates `ids` of `activity_id` hold the activity's room where their time is free; a
/// date whose time is taken is stored without it (staff see it in the activity's room), and
/// the requests the others overlap are declined. Never fails for a taken time: a series
/// growing in the background must not lose its dates.
pub(crate) async fn hold_new_dates(
    conn: &mut AsyncPgConnection,
    activity_id: Uuid,
    ids: &[Uuid],
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    #[derive(QueryableByName)]
    struct Used {
        #[diesel(sql_type = SqlUuid)]
        room_id: Uuid,
    }
    let Some(used) = diesel::sql_query("SELECT room_id FROM activity_rooms WHERE activity_id = $1")
        .bind::<SqlUuid, _>(activity_id)
        .load::<Used>(conn)
        .await?
        .pop()
    else {
        return Ok(());
    };
    // Where free: a date whose time is claimed meanwhile, or that another claim waits on in
    // a deadlock, is stored without the room.
    const HOLD_FREE: &str = "INSERT INTO occurrence_rooms (occurrence_id, room_id) \
         SELECT o.id, $2 FROM occurrences o \
         WHERE o.id = ANY($1) AND NOT EXISTS (SELECT 1 FROM room_parts p \
             JOIN room_claims c ON c.part_id = p.part_id \
             WHERE p.room_id = $2 AND NOT o.cancelled \
             AND c.during && room_blocked($2, o.starts_at, o.ends_at)) \
         RETURNING occurrence_id";
    // Each try locks the room's parts first, as confirmations do, and declines the requests
    // its dates take, inside its own savepoint.
    let hold = async |conn: &mut AsyncPgConnection, ids: &[Uuid]| -> Result<Vec<Uuid>> {
        let ids = ids.to_vec();
        conn.transaction::<_, Error, _>(async |conn| {
            lock_parts_of(conn, used.room_id).await?;
            let held: Vec<Uuid> = diesel::sql_query(HOLD_FREE)
                .bind::<Array<SqlUuid>, _>(&ids)
                .bind::<SqlUuid, _>(used.room_id)
                .load::<Held>(conn)
                .await?
                .into_iter()
                .map(|h| h.occurrence_id)
                .collect();
            decline_for_dates(conn, &held, None, chrono::Utc::now()).await?;
            Ok(held)
        })
        .await
    };
    let yields =
        |error: &Error| error.is_constraint(NO_OVERLAP) || matches!(error, Error::Deadlock(_));
    match hold(conn, ids).await {
        Ok(_) => {}
        Err(error) if yields(&error) => {
            for id in ids {
                match hold(conn, std::slice::from_ref(id)).await {
                    Ok(_) => {}
                    Err(error) if yields(&error) => {}
                    Err(error) => return Err(error),
                }
            }
        }
        Err(error) => return Err(error),
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Held {
    #[diesel(sql_type = SqlUuid)]
    occurrence_id: Uuid,
}

/// Locks the parts of the room `room_id`, in id order, as confirmations of it do.
async fn lock_parts_of(conn: &mut AsyncPgConnection, room_id: Uuid) -> Result<()> {
    diesel::sql_query(
        "SELECT id FROM rooms WHERE id IN (SELECT part_id FROM room_parts WHERE room_id = $1) \
         ORDER BY id FOR NO KEY UPDATE",
    )
    .bind::<SqlUuid, _>(room_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Before a date of `activity_id` (or the date `occurrence_id`) moves, is cancelled or
/// reinstated: locks the parts of the room it holds or its activity uses, so that its claim
/// takes turns with confirmations instead of deadlocking with them.
pub(crate) async fn lock_room_of(
    conn: &mut AsyncPgConnection,
    activity_id: Option<Uuid>,
    occurrence_id: Option<Uuid>,
) -> Result<()> {
    #[derive(QueryableByName)]
    struct Room {
        #[diesel(sql_type = SqlUuid)]
        room_id: Uuid,
    }
    let rooms: Vec<Room> = diesel::sql_query(
        "SELECT room_id FROM activity_rooms WHERE activity_id = $1 \
         OR activity_id = (SELECT activity_id FROM occurrences WHERE id = $2) \
         UNION SELECT room_id FROM occurrence_rooms WHERE occurrence_id = $2 ORDER BY 1",
    )
    .bind::<Nullable<SqlUuid>, _>(activity_id)
    .bind::<Nullable<SqlUuid>, _>(occurrence_id)
    .load(conn)
    .await?;
    if !rooms.is_empty() {
        diesel::sql_query(
            "SELECT id FROM rooms WHERE id IN (SELECT part_id FROM room_parts \
             WHERE room_id = ANY($1)) ORDER BY id FOR NO KEY UPDATE",
        )
        .bind::<Array<SqlUuid>, _>(rooms.iter().map(|r| r.room_id).collect::<Vec<_>>())
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Locks the activity and its dates ending after `now`, in the order a schedule change
/// takes them.
async fn lock_dates(
    conn: &mut AsyncPgConnection,
    activity_id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    diesel::sql_query("SELECT id FROM activities WHERE id = $1 FOR NO KEY UPDATE")
        .bind::<SqlUuid, _>(activity_id)
        .execute(conn)
        .await?;
    diesel::sql_query(
        "SELECT id FROM occurrences WHERE activity_id = $1 AND ends_at > $2 \
         ORDER BY original_start FOR NO KEY UPDATE",
    )
    .bind::<SqlUuid, _>(activity_id)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Declines the requests to come whose time the dates `occurrence_ids` now claim, in the
/// rooms sharing a part with theirs. Tells the outbox and the bookers of each.
pub(crate) async fn decline_for_dates(
    conn: &mut AsyncPgConnection,
    occurrence_ids: &[Uuid],
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Vec<DateRow>> {
    if occurrence_ids.is_empty() {
        return Ok(Vec::new());
    }
    let declined: Vec<DateRow> = diesel::sql_query(
        "UPDATE room_booking_dates d SET status = 'declined', decided_by = $2, \
         decided_at = $3, note = 'The room is used by an activity at this time.' \
         WHERE d.status = 'requested' AND d.ends_at > $3 \
         AND EXISTS (SELECT 1 FROM room_claims c JOIN room_parts p ON p.part_id = c.part_id \
             WHERE c.occurrence_id = ANY($1) AND p.room_id = d.room_id \
             AND c.during && d.blocked) \
         RETURNING d.id, d.booking_id, d.room_id, d.starts_at, d.ends_at, d.status",
    )
    .bind::<Array<SqlUuid>, _>(occurrence_ids)
    .bind::<Nullable<SqlUuid>, _>(by)
    .bind::<Timestamptz, _>(now)
    .load(conn)
    .await?;
    tell(conn, &declined, by).await?;
    Ok(declined)
}

/// `activity_id` was cancelled or archived by `actor`: the dates to come booked for it are
/// cancelled, each audited, and the outbox and the people who booked them told (room by room;
/// not the one who acted).
pub async fn cancel_for_activity(
    conn: &mut AsyncPgConnection,
    activity_id: Uuid,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Vec<DateRow>> {
    let by = match actor {
        Actor::User(id) => Some(id),
        _ => None,
    };
    let cancelled: Vec<DateRow> = diesel::sql_query(
        "UPDATE room_booking_dates d SET status = 'cancelled', decided_by = $2, \
         decided_at = $3, note = 'The activity it was booked for has ended.' \
         FROM room_bookings b \
         WHERE b.id = d.booking_id AND b.activity_id = $1 \
         AND d.status IN ('requested', 'confirmed') AND d.ends_at > $3 \
         RETURNING d.id, d.booking_id, d.room_id, d.starts_at, d.ends_at, d.status",
    )
    .bind::<SqlUuid, _>(activity_id)
    .bind::<Nullable<SqlUuid>, _>(by)
    .bind::<Timestamptz, _>(now)
    .load(conn)
    .await?;
    for (room, of_room) in super::by_room(conn, &cancelled).await? {
        announce(conn, &room, &of_room, by).await?;
        for date in &of_room {
            NewEntry::new(
                actor,
                "room_booking.cancelled",
                "room_booking_date",
                date.id,
            )
            .operator(room.operator_id)
            .details(serde_json::json!({ "activity_id": activity_id }))
            .record(conn)
            .await?;
        }
    }
    Ok(cancelled)
}

/// Tells the outbox and the bookers of `dates`, all in rooms of one centre.
async fn tell(conn: &mut AsyncPgConnection, dates: &[DateRow], by: Option<Uuid>) -> Result<()> {
    let Some(first) = dates.first() else {
        return Ok(());
    };
    let room = super::find(conn, first.room_id)
        .await?
        .ok_or(Error::NotFound)?;
    announce(conn, &room, dates, by).await
}

/// Declines the requests to come in the rooms of `centre_id` that fall on its closures; they
/// can no longer be confirmed. Tells the outbox and the bookers of each.
pub async fn decline_closed(
    conn: &mut AsyncPgConnection,
    centre_id: Uuid,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Vec<DateRow>> {
    let declined: Vec<DateRow> = diesel::sql_query(
        "UPDATE room_booking_dates d SET status = 'declined', decided_by = $2, \
         decided_at = $3, note = 'The centre is closed on this day.' \
         WHERE d.status = 'requested' AND d.ends_at > $3 \
         AND d.room_id IN (SELECT id FROM rooms WHERE centre_id = $1) \
         AND EXISTS (SELECT 1 FROM room_claims c JOIN room_parts p ON p.part_id = c.part_id \
             WHERE c.closure_centre_id = $1 AND p.room_id = d.room_id \
             AND c.during && d.blocked) \
         RETURNING d.id, d.booking_id, d.room_id, d.starts_at, d.ends_at, d.status",
    )
    .bind::<SqlUuid, _>(centre_id)
    .bind::<Nullable<SqlUuid>, _>(by)
    .bind::<Timestamptz, _>(now)
    .load(conn)
    .await?;
    tell(conn, &declined, by).await?;
    Ok(declined)
}
