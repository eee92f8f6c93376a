//! Rooms, their parts, and the dates booked in them (Rule 8).
//!
//! A confirmed date claims every part of its room, in the statement that confirms it (a
//! trigger writes the claims); the exclusion constraint `room_claims_no_overlap` refuses a
//! second claim on a part for an overlapping time, whatever the code above it does. Writers
//! that confirm lock the parts first, in id order, so that confirmations of rooms sharing a
//! part take turns instead of deadlocking; the one that comes second finds its request
//! declined or the time taken.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, Bool, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::activity::ActivityStatus;
use quartier_domain::room::{BookerKind, BookingStatus, ConflictPolicy, Layout, RoomRules, Times};
use quartier_domain::{Event, RoomBookingFacts};
use uuid::Uuid;

use crate::notifications::{self, Kind, NewNotification};
use crate::{Error, Result, outbox};

mod activities;
pub mod drafts;
mod reads;

pub use activities::*;
pub use reads::*;

/// No part is claimed twice for overlapping times.
pub const NO_OVERLAP: &str = "room_claims_no_overlap";

/// A room as stored, with the parts it claims.
#[derive(Debug, Clone, QueryableByName)]
pub struct RoomRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub centre_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub operator_id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub description: String,
    #[diesel(sql_type = Nullable<Integer>)]
    pub capacity_seated: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub capacity_tables: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub capacity_standing: Option<i32>,
    #[diesel(sql_type = Bool)]
    pub step_free: bool,
    #[diesel(sql_type = Bool)]
    pub accessible_toilet: bool,
    #[diesel(sql_type = Bool)]
    pub hearing_loop: bool,
    #[diesel(sql_type = Array<Text>)]
    pub equipment: Vec<String>,
    #[diesel(sql_type = Text)]
    pub bookable_by: String,
    #[diesel(sql_type = Bool)]
    pub needs_approval: bool,
    #[diesel(sql_type = Integer)]
    pub min_duration_minutes: i32,
    #[diesel(sql_type = Integer)]
    pub max_duration_minutes: i32,
    #[diesel(sql_type = Integer)]
    pub slot_minutes: i32,
    #[diesel(sql_type = Integer)]
    pub min_notice_hours: i32,
    #[diesel(sql_type = Integer)]
    pub max_notice_days: i32,
    #[diesel(sql_type = Integer)]
    pub setup_minutes: i32,
    #[diesel(sql_type = Integer)]
    pub cleanup_minutes: i32,
    #[diesel(sql_type = Integer)]
    pub max_future_dates: i32,
    #[diesel(sql_type = Nullable<Text>)]
    pub house_rules_url: Option<String>,
    #[diesel(sql_type = Text)]
    pub fee_notes: String,
    #[diesel(sql_type = Integer)]
    pub version: i32,
    /// The rooms of its own whose parts it claims (itself, for a room of its own).
    #[diesel(sql_type = Array<SqlUuid>)]
    pub parts: Vec<Uuid>,
}

impl RoomRow {
    pub fn rules(&self) -> RoomRules {
        RoomRules {
            min_duration_minutes: self.min_duration_minutes,
            max_duration_minutes: self.max_duration_minutes,
            slot_minutes: self.slot_minutes,
            min_notice_hours: self.min_notice_hours,
            max_notice_days: self.max_notice_days,
            setup_minutes: self.setup_minutes,
            cleanup_minutes: self.cleanup_minutes,
            capacity_seated: self.capacity_seated,
            capacity_tables: self.capacity_tables,
            capacity_standing: self.capacity_standing,
        }
    }
}

const ROOM_COLUMNS: &str = "SELECT r.id, r.centre_id, r.operator_id, r.name, r.description, \
     r.capacity_seated, r.capacity_tables, r.capacity_standing, r.step_free, \
     r.accessible_toilet, r.hearing_loop, r.equipment, r.bookable_by, r.needs_approval, \
     r.min_duration_minutes, r.max_duration_minutes, r.slot_minutes, r.min_notice_hours, \
     r.max_notice_days, r.setup_minutes, r.cleanup_minutes, r.max_future_dates, \
     r.house_rules_url, r.fee_notes, r.version, \
     ARRAY(SELECT p.part_id FROM room_parts p WHERE p.room_id = r.id ORDER BY p.part_id) AS parts \
     FROM rooms r";

/// What a new room is; its operator is its centre's.
#[derive(Debug, Clone)]
pub struct NewRoom<'a> {
    pub centre_id: Uuid,
    pub name: &'a str,
    pub description: &'a str,
    pub capacity_seated: Option<i32>,
    pub capacity_tables: Option<i32>,
    pub capacity_standing: Option<i32>,
    pub step_free: bool,
    pub accessible_toilet: bool,
    pub hearing_loop: bool,
    pub equipment: &'a [String],
    pub bookable_by: &'a str,
    pub needs_approval: bool,
    pub min_duration_minutes: i32,
    pub max_duration_minutes: i32,
    pub slot_minutes: i32,
    pub min_notice_hours: i32,
    pub max_notice_days: i32,
    pub setup_minutes: i32,
    pub cleanup_minutes: i32,
    pub max_future_dates: i32,
    pub house_rules_url: Option<&'a str>,
    pub fee_notes: &'a str,
    /// The rooms it is made of (a Saal of A and B); empty for a room of its own.
    pub made_of: &'a [Uuid],
}

/// Why a room cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomRefusal {
    /// No centre has this id.
    NoCentre,
    /// A room it is to be made of is not a room of the same centre.
    ForeignPart(Uuid),
}

/// Makes a room of `new.centre_id`; `Err(refusal)` when the centre or a part does not fit.
pub async fn create(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    new: &NewRoom<'_>,
) -> Result<std::result::Result<RoomRow, RoomRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        #[derive(QueryableByName)]
        struct Part {
            #[diesel(sql_type = SqlUuid)]
            part_id: Uuid,
        }
        // The parts of the rooms it is made of, where those are rooms of the same centre.
        let parts: Vec<Part> = diesel::sql_query(
            "SELECT DISTINCT p.part_id FROM rooms r JOIN room_parts p ON p.room_id = r.id \
             WHERE r.id = ANY($1) AND r.centre_id = $2",
        )
        .bind::<Array<SqlUuid>, _>(new.made_of)
        .bind::<SqlUuid, _>(new.centre_id)
        .load(conn)
        .await?;
        for room in new.made_of {
            let known: Vec<Part> = diesel::sql_query(
                "SELECT $1 AS part_id FROM rooms WHERE id = $1 AND centre_id = $2",
            )
            .bind::<SqlUuid, _>(room)
            .bind::<SqlUuid, _>(new.centre_id)
            .load(conn)
            .await?;
            if known.is_empty() {
                return Ok(Err(RoomRefusal::ForeignPart(*room)));
            }
        }
        let inserted = diesel::sql_query(
            "INSERT INTO rooms (id, centre_id, operator_id, name, description, capacity_seated, \
             capacity_tables, capacity_standing, step_free, accessible_toilet, hearing_loop, \
             equipment, bookable_by, needs_approval, min_duration_minutes, max_duration_minutes, \
             slot_minutes, min_notice_hours, max_notice_days, setup_minutes, cleanup_minutes, \
             max_future_dates, house_rules_url, fee_notes) \
             SELECT $1, c.id, c.operator_id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
             $15, $16, $17, $18, $19, $20, $21, $22, $23 FROM centres c WHERE c.id = $2",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<SqlUuid, _>(new.centre_id)
        .bind::<Text, _>(new.name)
        .bind::<Text, _>(new.description)
        .bind::<Nullable<Integer>, _>(new.capacity_seated)
        .bind::<Nullable<Integer>, _>(new.capacity_tables)
        .bind::<Nullable<Integer>, _>(new.capacity_standing)
        .bind::<Bool, _>(new.step_free)
        .bind::<Bool, _>(new.accessible_toilet)
        .bind::<Bool, _>(new.hearing_loop)
        .bind::<Array<Text>, _>(new.equipment)
        .bind::<Text, _>(new.bookable_by)
        .bind::<Bool, _>(new.needs_approval)
        .bind::<Integer, _>(new.min_duration_minutes)
        .bind::<Integer, _>(new.max_duration_minutes)
        .bind::<Integer, _>(new.slot_minutes)
        .bind::<Integer, _>(new.min_notice_hours)
        .bind::<Integer, _>(new.max_notice_days)
        .bind::<Integer, _>(new.setup_minutes)
        .bind::<Integer, _>(new.cleanup_minutes)
        .bind::<Integer, _>(new.max_future_dates)
        .bind::<Nullable<Text>, _>(new.house_rules_url)
        .bind::<Text, _>(new.fee_notes)
        .execute(conn)
        .await?;
        if inserted == 0 {
            return Ok(Err(RoomRefusal::NoCentre));
        }
        let own: Vec<Uuid> = if new.made_of.is_empty() {
            vec![id]
        } else {
            parts.into_iter().map(|p| p.part_id).collect()
        };
        diesel::sql_query(
            "INSERT INTO room_parts (room_id, part_id) SELECT $1, unnest($2::uuid[])",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<Array<SqlUuid>, _>(&own)
        .execute(conn)
        .await?;
        Ok(Ok(find(conn, id).await?.ok_or(Error::NotFound)?))
    })
    .await
}

/// Changes the room `id` to `changed` (its centre and parts stay), if it is at one of
/// `expected_versions` (any when `None`). Dates booked already keep their times and buffers.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected_versions: Option<&[i32]>,
    changed: &NewRoom<'_>,
) -> Result<std::result::Result<RoomRow, crate::Refusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let updated = diesel::sql_query(
            "UPDATE rooms SET name = $3, description = $4, capacity_seated = $5, \
             capacity_tables = $6, capacity_standing = $7, step_free = $8, \
             accessible_toilet = $9, hearing_loop = $10, equipment = $11, bookable_by = $12, \
             needs_approval = $13, min_duration_minutes = $14, max_duration_minutes = $15, \
             slot_minutes = $16, min_notice_hours = $17, max_notice_days = $18, \
             setup_minutes = $19, cleanup_minutes = $20, max_future_dates = $21, \
             house_rules_url = $22, fee_notes = $23, version = version + 1, updated_at = now() \
             WHERE id = $1 AND ($2::integer[] IS NULL OR version = ANY($2))",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<Nullable<Array<Integer>>, _>(expected_versions.map(<[i32]>::to_vec))
        .bind::<Text, _>(changed.name)
        .bind::<Text, _>(changed.description)
        .bind::<Nullable<Integer>, _>(changed.capacity_seated)
        .bind::<Nullable<Integer>, _>(changed.capacity_tables)
        .bind::<Nullable<Integer>, _>(changed.capacity_standing)
        .bind::<Bool, _>(changed.step_free)
        .bind::<Bool, _>(changed.accessible_toilet)
        .bind::<Bool, _>(changed.hearing_loop)
        .bind::<Array<Text>, _>(changed.equipment)
        .bind::<Text, _>(changed.bookable_by)
        .bind::<Bool, _>(changed.needs_approval)
        .bind::<Integer, _>(changed.min_duration_minutes)
        .bind::<Integer, _>(changed.max_duration_minutes)
        .bind::<Integer, _>(changed.slot_minutes)
        .bind::<Integer, _>(changed.min_notice_hours)
        .bind::<Integer, _>(changed.max_notice_days)
        .bind::<Integer, _>(changed.setup_minutes)
        .bind::<Integer, _>(changed.cleanup_minutes)
        .bind::<Integer, _>(changed.max_future_dates)
        .bind::<Nullable<Text>, _>(changed.house_rules_url)
        .bind::<Text, _>(changed.fee_notes)
        .execute(conn)
        .await?;
        match find(conn, id).await? {
            Some(room) if updated == 1 => Ok(Ok(room)),
            Some(_) => Ok(Err(crate::Refusal::VersionConflict)),
            None => Ok(Err(crate::Refusal::NotFound)),
        }
    })
    .await
}

/// The room `id`, if there is one.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<RoomRow>> {
    Ok(diesel::sql_query(format!("{ROOM_COLUMNS} WHERE r.id = $1"))
        .bind::<SqlUuid, _>(id)
        .load(conn)
        .await?
        .pop())
}

/// The rooms of the centre `centre_id`, by name.
pub async fn of_centre(conn: &mut AsyncPgConnection, centre_id: Uuid) -> Result<Vec<RoomRow>> {
    Ok(diesel::sql_query(format!(
        "{ROOM_COLUMNS} WHERE r.centre_id = $1 ORDER BY r.name, r.id"
    ))
    .bind::<SqlUuid, _>(centre_id)
    .load(conn)
    .await?)
}

/// One date of a booking.
#[derive(Debug, Clone, QueryableByName)]
pub struct DateRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub booking_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub room_id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub starts_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub ends_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub status: String,
}

impl DateRow {
    pub fn status(&self) -> Option<BookingStatus> {
        BookingStatus::parse(&self.status)
    }

    /// The event that tells of this date's status, in a room of `room`'s centre.
    fn event(&self, room: &RoomRow) -> Result<Event> {
        let status = self
            .status()
            .ok_or_else(|| Error::Other(format!("unknown booking status {}", self.status)))?;
        Ok(Event::room_booking(RoomBookingFacts {
            date_id: self.id,
            booking_id: self.booking_id,
            room_id: self.room_id,
            centre_id: room.centre_id,
            operator_id: room.operator_id,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            status,
        }))
    }
}

/// Tells the outbox of `dates` (Rule 6).
/// The person who booked or asked for each decided date hears of it, unless she decided it
/// herself (`by`).
async fn announce(
    conn: &mut AsyncPgConnection,
    room: &RoomRow,
    dates: &[DateRow],
    by: Option<Uuid>,
) -> Result<()> {
    let events = dates
        .iter()
        .map(|date| date.event(room))
        .collect::<Result<Vec<_>>>()?;
    outbox::record_all(conn, &events).await?;
    let decided: Vec<Uuid> = dates
        .iter()
        .filter(|date| date.status() != Some(BookingStatus::Requested))
        .map(|date| date.id)
        .collect();
    if decided.is_empty() {
        return Ok(());
    }
    #[derive(QueryableByName)]
    struct Booker {
        #[diesel(sql_type = SqlUuid)]
        date_id: Uuid,
        #[diesel(sql_type = SqlUuid)]
        requested_by: Uuid,
    }
    let bookers: Vec<Booker> = diesel::sql_query(
        "SELECT d.id AS date_id, b.requested_by FROM room_booking_dates d \
         JOIN room_bookings b ON b.id = d.booking_id \
         WHERE d.id = ANY($1) AND b.requested_by IS NOT NULL \
         AND b.requested_by IS DISTINCT FROM $2",
    )
    .bind::<Array<SqlUuid>, _>(&decided)
    .bind::<Nullable<SqlUuid>, _>(by)
    .load(conn)
    .await?;
    let told: Vec<NewNotification> = bookers
        .iter()
        .filter_map(|booker| {
            let date = dates.iter().find(|d| d.id == booker.date_id)?;
            Some(NewNotification {
                operator_id: Some(room.operator_id),
                details: serde_json::json!({"date_id": date.id, "status": date.status}),
                dedup_key: Some(format!("room_booking_decided:{}:{}", date.id, date.status)),
                ..NewNotification::now(booker.requested_by, Kind::RoomBookingDecided)
            })
        })
        .collect();
    notifications::enqueue_all(conn, &told).await?;
    Ok(())
}

const DATE_COLUMNS: &str = "id, booking_id, room_id, starts_at, ends_at, status";

/// What a booking asks for.
#[derive(Debug, Clone)]
pub struct NewBooking<'a> {
    pub room_id: Uuid,
    pub booker: BookerKind,
    pub partner_id: Option<Uuid>,
    pub activity_id: Option<Uuid>,
    pub requested_by: Uuid,
    pub purpose: &'a str,
    pub expected_people: i32,
    pub layout: Layout,
    pub public_title: Option<&'a str>,
    pub recurrence: Option<&'a str>,
    /// The dates, each from start to end, already checked against the room's rules.
    pub dates: &'a [Times],
    /// Confirmed at once, or asked for.
    pub status: BookingStatus,
    pub on_conflict: ConflictPolicy,
}

/// What came of a booking.
#[derive(Debug, Clone)]
pub enum Booked {
    /// The booking and its dates; `skipped` are those that were taken (with `Skip`).
    Made {
        booking_id: Uuid,
        dates: Vec<DateRow>,
        skipped: Vec<Times>,
    },
    /// Nothing was booked: these dates are taken (with `Fail`, or every date with `Skip`).
    Taken(Vec<Times>),
    /// Nothing was booked: the booker would hold more dates to come than the room allows.
    OverLimit { limit: i32 },
    /// Nothing was booked: the activity booked for was cancelled or archived meanwhile.
    ActivityEnded,
}

/// Locks the parts `room` claims, in id order: confirmations of rooms that share a part take
/// turns.
async fn lock_parts(conn: &mut AsyncPgConnection, room: &RoomRow) -> Result<()> {
    diesel::sql_query("SELECT id FROM rooms WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE")
        .bind::<Array<SqlUuid>, _>(&room.parts)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether a confirmed date already claims a part of `room` during `blocked`.
async fn is_taken(conn: &mut AsyncPgConnection, room: &RoomRow, blocked: Times) -> Result<bool> {
    #[derive(QueryableByName)]
    struct Taken {
        #[diesel(sql_type = Bool)]
        taken: bool,
    }
    let found: Taken = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM room_claims WHERE part_id = ANY($1) \
         AND during && tstzrange($2, $3)) AS taken",
    )
    .bind::<Array<SqlUuid>, _>(&room.parts)
    .bind::<Timestamptz, _>(blocked.0)
    .bind::<Timestamptz, _>(blocked.1)
    .get_result(conn)
    .await?;
    Ok(found.taken)
}

/// Books `new.dates` of `room` in one transaction: the booker's row is locked while her
/// dates to come are counted against the room's limit; a date to confirm at once claims
/// the room's parts, and a date the constraint refuses is skipped or fails the whole.
pub async fn book(
    conn: &mut AsyncPgConnection,
    room: &RoomRow,
    id: Uuid,
    new: &NewBooking<'_>,
    now: DateTime<Utc>,
) -> Result<Booked> {
    let rules = room.rules();
    let mut refused = Vec::new();
    let made = conn
        .transaction::<_, Error, _>(async |conn| {
            // An activity's bookings hold its status: cancelling it waits for them, and
            // cancels them (`cancel_for_activity`).
            if let Some(activity_id) = new.activity_id {
                #[derive(QueryableByName)]
                struct Status {
                    #[diesel(sql_type = Text)]
                    status: String,
                }
                let status: Option<Status> =
                    diesel::sql_query("SELECT status FROM activities WHERE id = $1 FOR SHARE")
                        .bind::<SqlUuid, _>(activity_id)
                        .load(conn)
                        .await?
                        .pop();
                if !status.is_some_and(|s| ActivityStatus::stored_uses_rooms(&s.status)) {
                    return Ok(Booked::ActivityEnded);
                }
            }
            diesel::sql_query("SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE")
                .bind::<SqlUuid, _>(new.requested_by)
                .execute(conn)
                .await?;
            #[derive(QueryableByName)]
            struct Count {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                count: i64,
            }
            let held: Count = diesel::sql_query(
                "SELECT count(*) AS count FROM room_booking_dates d \
             JOIN room_bookings b ON b.id = d.booking_id \
             WHERE b.requested_by = $1 AND d.room_id = $2 \
             AND d.status IN ('requested', 'confirmed') AND d.ends_at > $3",
            )
            .bind::<SqlUuid, _>(new.requested_by)
            .bind::<SqlUuid, _>(room.id)
            .bind::<Timestamptz, _>(now)
            .get_result(conn)
            .await?;
            if held.count + new.dates.len() as i64 > i64::from(room.max_future_dates) {
                return Ok(Booked::OverLimit {
                    limit: room.max_future_dates,
                });
            }
            if new.status == BookingStatus::Confirmed {
                lock_parts(conn, room).await?;
            }
            diesel::sql_query(
                "INSERT INTO room_bookings (id, room_id, booker_kind, partner_id, requested_by, \
             purpose, expected_people, layout, public_title, recurrence, activity_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind::<SqlUuid, _>(id)
            .bind::<SqlUuid, _>(room.id)
            .bind::<Text, _>(new.booker.as_str())
            .bind::<Nullable<SqlUuid>, _>(new.partner_id)
            .bind::<SqlUuid, _>(new.requested_by)
            .bind::<Text, _>(new.purpose)
            .bind::<Integer, _>(new.expected_people)
            .bind::<Text, _>(new.layout.as_str())
            .bind::<Nullable<Text>, _>(new.public_title)
            .bind::<Nullable<Text>, _>(new.recurrence)
            .bind::<Nullable<SqlUuid>, _>(new.activity_id)
            .execute(conn)
            .await?;
            let mut dates = Vec::new();
            let mut taken = Vec::new();
            for &(starts_at, ends_at) in new.dates {
                let blocked = rules.blocked(starts_at, ends_at);
                if is_taken(conn, room, blocked).await? {
                    taken.push((starts_at, ends_at));
                    continue;
                }
                let inserted = conn
                    .transaction::<_, Error, _>(async |conn| {
                        Ok(diesel::sql_query(format!(
                            "INSERT INTO room_booking_dates (id, booking_id, room_id, starts_at, \
                         ends_at, blocked, status, decided_at) \
                         VALUES ($1, $2, $3, $4, $5, tstzrange($6, $7), $8, \
                         CASE WHEN $8 = 'confirmed' THEN $9 END) RETURNING {DATE_COLUMNS}"
                        ))
                        .bind::<SqlUuid, _>(Uuid::now_v7())
                        .bind::<SqlUuid, _>(id)
                        .bind::<SqlUuid, _>(room.id)
                        .bind::<Timestamptz, _>(starts_at)
                        .bind::<Timestamptz, _>(ends_at)
                        .bind::<Timestamptz, _>(blocked.0)
                        .bind::<Timestamptz, _>(blocked.1)
                        .bind::<Text, _>(new.status.as_str())
                        .bind::<Timestamptz, _>(now)
                        .get_result::<DateRow>(conn)
                        .await?)
                    })
                    .await;
                match inserted {
                    Ok(date) => dates.push(date),
                    Err(error) if error.is_constraint(NO_OVERLAP) => {
                        taken.push((starts_at, ends_at))
                    }
                    Err(error) => return Err(error),
                }
            }
            if dates.is_empty() || (!taken.is_empty() && new.on_conflict == ConflictPolicy::Fail) {
                // Nothing is kept: the transaction rolls back, the caller learns which dates
                // were taken.
                refused = taken;
                return Err(Error::Other(TAKEN_ROLLBACK.into()));
            }
            announce(conn, room, &dates, Some(new.requested_by)).await?;
            // Dates confirmed at once take the room from the requests they overlap.
            for date in dates
                .iter()
                .filter(|d| d.status == BookingStatus::Confirmed.as_str())
            {
                let declined =
                    decline_overlapping(conn, room, date.id, Some(new.requested_by), now).await?;
                announce(conn, room, &declined, Some(new.requested_by)).await?;
            }
            Ok(Booked::Made {
                booking_id: id,
                dates,
                skipped: taken,
            })
        })
        .await;
    match made {
        Err(Error::Other(message)) if message == TAKEN_ROLLBACK => Ok(Booked::Taken(refused)),
        other => other,
    }
}

/// Rolls a booking back whose dates are taken.
const TAKEN_ROLLBACK: &str = "dates taken";

/// What came of a decision on a date.
#[derive(Debug, Clone)]
pub enum Decided {
    /// The date after the decision, and the requests it declined (a confirmation declines
    /// the requests overlapping it).
    Done {
        date: DateRow,
        declined: Vec<DateRow>,
    },
    /// The date's status does not allow this move.
    NotAllowed(BookingStatus),
    /// A confirmed date already claims a part of the room at this time.
    Taken,
}

/// Moves the date `id` to `next` (confirmed, declined or cancelled) as `by` decides; a
/// confirmation claims the room's parts and declines the requests it overlaps, in one
/// transaction.
pub async fn decide(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    next: BookingStatus,
    by: Option<Uuid>,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<Decided>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let Some(current) = date(conn, id).await? else {
            return Ok(None);
        };
        // Decided already: no need to queue for the parts' lock to learn it.
        if let Some(status) = current.status().filter(|status| !status.can_become(next)) {
            return Ok(Some(Decided::NotAllowed(status)));
        }
        let room = find(conn, current.room_id).await?.ok_or(Error::NotFound)?;
        if next == BookingStatus::Confirmed {
            lock_parts(conn, &room).await?;
        }
        let locked: DateRow = diesel::sql_query(format!(
            "SELECT {DATE_COLUMNS} FROM room_booking_dates WHERE id = $1 FOR UPDATE"
        ))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await?;
        let status = locked
            .status()
            .ok_or_else(|| Error::Other(format!("unknown status {}", locked.status)))?;
        if !status.can_become(next) {
            return Ok(Some(Decided::NotAllowed(status)));
        }
        let changed = conn
            .transaction::<_, Error, _>(async |conn| {
                Ok(diesel::sql_query(format!(
                    "UPDATE room_booking_dates SET status = $2, decided_by = $3, decided_at = $4, \
                     note = $5 WHERE id = $1 RETURNING {DATE_COLUMNS}"
                ))
                .bind::<SqlUuid, _>(id)
                .bind::<Text, _>(next.as_str())
                .bind::<Nullable<SqlUuid>, _>(by)
                .bind::<Timestamptz, _>(now)
                .bind::<Nullable<Text>, _>(note)
                .get_result::<DateRow>(conn)
                .await?)
            })
            .await;
        let date = match changed {
            Ok(date) => date,
            Err(error) if error.is_constraint(NO_OVERLAP) => return Ok(Some(Decided::Taken)),
            Err(error) => return Err(error),
        };
        let declined = if next == BookingStatus::Confirmed {
            decline_overlapping(conn, &room, id, by, now).await?
        } else {
            Vec::new()
        };
        announce(conn, &room, std::slice::from_ref(&date), by).await?;
        announce(conn, &room, &declined, by).await?;
        Ok(Some(Decided::Done { date, declined }))
    })
    .await
}

/// `user_id` is being erased: the dates to come she booked or asked for herself (as a resident
/// or a guest) are cancelled and the room is free again; the outbox is told, room by room.
/// The dates stay, without her, for the counts. Dates she booked for an operator, a partner or
/// an activity stay theirs.
pub async fn cancel_personal(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<usize> {
    let cancelled: Vec<DateRow> = diesel::sql_query(
        "UPDATE room_booking_dates d SET status = 'cancelled', decided_by = NULL, \
         decided_at = $2, note = 'The person who booked it has left Quartier.' \
         FROM room_bookings b \
         WHERE b.id = d.booking_id AND b.requested_by = $1 \
         AND b.booker_kind IN ('account', 'guest') \
         AND d.status IN ('requested', 'confirmed') AND d.ends_at > $2 \
         RETURNING d.id, d.booking_id, d.room_id, d.starts_at, d.ends_at, d.status",
    )
    .bind::<SqlUuid, _>(user_id)
    .bind::<Timestamptz, _>(now)
    .load(conn)
    .await?;
    for (room, of_room) in by_room(conn, &cancelled).await? {
        announce(conn, &room, &of_room, Some(user_id)).await?;
    }
    Ok(cancelled.len())
}

/// `dates` grouped by their room, each room read once.
pub(crate) async fn by_room(
    conn: &mut AsyncPgConnection,
    dates: &[DateRow],
) -> Result<Vec<(RoomRow, Vec<DateRow>)>> {
    let mut rooms: Vec<Uuid> = dates.iter().map(|d| d.room_id).collect();
    rooms.sort_unstable();
    rooms.dedup();
    let mut grouped = Vec::with_capacity(rooms.len());
    for room_id in rooms {
        let room = find(conn, room_id).await?.ok_or(Error::NotFound)?;
        let of_room = dates
            .iter()
            .filter(|d| d.room_id == room_id)
            .cloned()
            .collect();
        grouped.push((room, of_room));
    }
    Ok(grouped)
}

/// Declines the requests of rooms sharing a part with `room` that overlap the confirmed date
/// `id`: the room was given to it.
async fn decline_overlapping(
    conn: &mut AsyncPgConnection,
    room: &RoomRow,
    id: Uuid,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Vec<DateRow>> {
    Ok(diesel::sql_query(
        "UPDATE room_booking_dates d SET status = 'declined', decided_by = $2, \
         decided_at = $3, note = 'The room was given to an overlapping booking.' \
         FROM (SELECT blocked FROM room_booking_dates WHERE id = $1) AS won \
         WHERE d.status = 'requested' AND d.id <> $1 AND d.blocked && won.blocked \
         AND d.room_id IN (SELECT p.room_id FROM room_parts p WHERE p.part_id = ANY($4)) \
         RETURNING d.id, d.booking_id, d.room_id, d.starts_at, d.ends_at, d.status",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Nullable<SqlUuid>, _>(by)
    .bind::<Timestamptz, _>(now)
    .bind::<Array<SqlUuid>, _>(&room.parts)
    .load(conn)
    .await?)
}

/// The date `id`, if there is one.
pub async fn date(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<DateRow>> {
    Ok(diesel::sql_query(format!(
        "SELECT {DATE_COLUMNS} FROM room_booking_dates WHERE id = $1"
    ))
    .bind::<SqlUuid, _>(id)
    .load(conn)
    .await?
    .pop())
}
