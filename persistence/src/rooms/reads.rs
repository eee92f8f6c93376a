//! What rooms show: when they are taken, the requests staff decide on, the dates a person
//! asked for, and the calendar of confirmed dates.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{DateRow, RoomRow};
use crate::Result;

/// A time a room is taken: busy, without saying by whom.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct Busy {
    #[diesel(sql_type = Timestamptz)]
    pub starts_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub ends_at: DateTime<Utc>,
}

/// When any part of `room` is claimed between `from` and `to`, merged, in order.
pub async fn busy(
    conn: &mut AsyncPgConnection,
    room: &RoomRow,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Busy>> {
    Ok(diesel::sql_query(
        "SELECT lower(r) AS starts_at, upper(r) AS ends_at FROM unnest(( \
         SELECT range_agg(during * tstzrange($2, $3)) FROM room_claims \
         WHERE part_id = ANY($1) AND during && tstzrange($2, $3))) AS r ORDER BY 1",
    )
    .bind::<Array<SqlUuid>, _>(&room.parts)
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .load(conn)
    .await?)
}

/// A requested date with what staff need to decide on it.
#[derive(Debug, Clone, QueryableByName)]
pub struct RequestRow {
    #[diesel(embed)]
    pub date: DateRow,
    #[diesel(sql_type = Text)]
    pub room_name: String,
    #[diesel(sql_type = Text)]
    pub booker_kind: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub partner_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub activity_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub requested_by: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub purpose: String,
    #[diesel(sql_type = Integer)]
    pub expected_people: i32,
    #[diesel(sql_type = Text)]
    pub layout: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub public_title: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub requested_at: DateTime<Utc>,
}

const REQUEST_COLUMNS: &str = "SELECT d.id, d.booking_id, d.room_id, d.starts_at, d.ends_at, \
     d.status, r.name AS room_name, b.booker_kind, b.partner_id, b.activity_id, b.requested_by, b.purpose, \
     b.expected_people, b.layout, b.public_title, d.created_at AS requested_at \
     FROM rooms r JOIN room_booking_dates d ON d.room_id = r.id \
     JOIN room_bookings b ON b.id = d.booking_id";

/// The requested dates of the rooms of `centre_id`, oldest request first (at most 500).
pub async fn requests(conn: &mut AsyncPgConnection, centre_id: Uuid) -> Result<Vec<RequestRow>> {
    Ok(diesel::sql_query(format!(
        "{REQUEST_COLUMNS} WHERE r.centre_id = $1 AND d.status = 'requested' \
         ORDER BY d.created_at, d.id LIMIT 500"
    ))
    .bind::<SqlUuid, _>(centre_id)
    .load(conn)
    .await?)
}

/// Every date the account `user_id` asked for, latest start first, for its export.
pub async fn dates_of(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    limit: i64,
) -> Result<Vec<RequestRow>> {
    Ok(diesel::sql_query(format!(
        "{REQUEST_COLUMNS} WHERE b.requested_by = $1 ORDER BY d.starts_at DESC, d.id LIMIT $2"
    ))
    .bind::<SqlUuid, _>(user_id)
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .load(conn)
    .await?)
}

/// The account that asked for the date `id`, if it still exists.
pub async fn booked_by(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Uuid>> {
    #[derive(QueryableByName)]
    struct Booker {
        #[diesel(sql_type = Nullable<SqlUuid>)]
        requested_by: Option<Uuid>,
    }
    Ok(diesel::sql_query(
        "SELECT b.requested_by FROM room_booking_dates d \
         JOIN room_bookings b ON b.id = d.booking_id WHERE d.id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .load::<Booker>(conn)
    .await?
    .pop()
    .and_then(|row| row.requested_by))
}

/// A confirmed date as a calendar shows it.
#[derive(Debug, Clone, QueryableByName)]
pub struct CalendarRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub starts_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub ends_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub decided_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub public_title: Option<String>,
    #[diesel(sql_type = Text)]
    pub purpose: String,
    /// The room booked: this one, or one sharing a part with it.
    #[diesel(sql_type = Text)]
    pub room_name: String,
}

/// What takes `room` between `from` and `to`, by start (at most 2 000): the confirmed dates
/// of it and of the rooms sharing a part with it, the dates of activities using them
/// (titled as the activity, public once it is published), and the centre's closures.
pub async fn confirmed_between(
    conn: &mut AsyncPgConnection,
    room: &RoomRow,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<CalendarRow>> {
    Ok(diesel::sql_query(
        "WITH sharing AS (SELECT DISTINCT p.room_id FROM room_parts p WHERE p.part_id = ANY($1)) \
         SELECT d.id, d.starts_at, d.ends_at, d.decided_at, b.public_title, b.purpose, \
         r.name AS room_name FROM room_booking_dates d \
         JOIN room_bookings b ON b.id = d.booking_id JOIN rooms r ON r.id = d.room_id \
         WHERE d.status = 'confirmed' AND d.starts_at < $3 AND d.ends_at > $2 \
         AND d.room_id IN (SELECT room_id FROM sharing) \
         UNION ALL \
         SELECT o.id, o.starts_at, o.ends_at, o.updated_at, \
         CASE WHEN a.status = 'published' THEN a.title END, a.title, r.name \
         FROM occurrence_rooms h JOIN occurrences o ON o.id = h.occurrence_id \
         JOIN activities a ON a.id = o.activity_id JOIN rooms r ON r.id = h.room_id \
         WHERE NOT o.cancelled AND o.starts_at < $3 AND o.ends_at > $2 \
         AND h.room_id IN (SELECT room_id FROM sharing) \
         UNION ALL \
         SELECT md5(r.id::text || c.date::text)::uuid, lower(closure_day(c.date)), \
         upper(closure_day(c.date)), NULL, 'Geschlossen', c.note, r.name \
         FROM centre_closures c JOIN rooms r ON r.id = $4 \
         WHERE c.centre_id = r.centre_id AND closure_day(c.date) && tstzrange($2, $3) \
         ORDER BY 2, 1 LIMIT 2000",
    )
    .bind::<Array<SqlUuid>, _>(&room.parts)
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .bind::<SqlUuid, _>(room.id)
    .load(conn)
    .await?)
}

/// A decided date as its booker's mail tells it.
#[derive(Debug, Clone, QueryableByName)]
pub struct RoomMail {
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub note: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub starts_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub ends_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub purpose: String,
    #[diesel(sql_type = Text)]
    pub room_name: String,
    #[diesel(sql_type = Text)]
    pub centre_name: String,
    #[diesel(sql_type = Text)]
    pub street: String,
    #[diesel(sql_type = Text)]
    pub postcode: String,
    #[diesel(sql_type = Text)]
    pub town: String,
}

/// The date `id` as its booker's mail tells it; `None` once it is gone.
pub async fn mail_context(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<RoomMail>> {
    Ok(diesel::sql_query(
        "SELECT d.status, d.note, d.starts_at, d.ends_at, b.purpose, r.name AS room_name, \
         c.name AS centre_name, c.street, c.postcode, c.town \
         FROM room_booking_dates d JOIN room_bookings b ON b.id = d.booking_id \
         JOIN rooms r ON r.id = d.room_id JOIN centres c ON c.id = r.centre_id \
         WHERE d.id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .load(conn)
    .await?
    .pop())
}
