//! Room bookings asked for without an account: the checked booking waits in
//! `room_booking_drafts` until the guest confirms it with the mailed link; then it is booked
//! as hers (or as the account's whose verified address it is).

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::RoomMail;
use crate::guests::{NewGuest, Waiting};
use crate::{Error, Result};

/// A guest asks for `room_id`: the person is found or made, the checked booking (`draft`)
/// waits for her confirmation, and the mail with the link is queued, in one transaction.
/// `draft_id` and `token_hash` make the link.
pub async fn ask(
    conn: &mut AsyncPgConnection,
    guest: &NewGuest<'_>,
    room_id: Uuid,
    draft_id: Uuid,
    token_hash: &[u8],
    draft: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<()> {
    Waiting::RoomBookings
        .ask(conn, guest, Some(room_id), draft_id, token_hash, draft, now)
        .await
}

/// A guest's room booking, confirmed: whose it is, and the checked booking.
#[derive(Debug, Clone)]
pub struct ConfirmedDraft {
    pub user_id: Uuid,
    /// Whether the person is a guest (else an account that has her address).
    pub guest: bool,
    pub room_id: Uuid,
    pub draft: serde_json::Value,
}

/// Takes the booking waiting for the confirmation whose link has `token_hash`, if it still
/// waits: the draft is gone after this, her address counts as verified, and the name she
/// gave with it is hers (for a guest). `None` for a link unknown, used or expired. Call in the
/// transaction that books it, so that a refusal leaves the draft waiting.
pub async fn take(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<ConfirmedDraft>> {
    let Some(taken) = Waiting::RoomBookings.take(conn, token_hash, now).await? else {
        return Ok(None);
    };
    let Some(room_id) = taken.owner_id else {
        return Err(Error::Other("a room booking draft for no room".into()));
    };
    Ok(Some(ConfirmedDraft {
        user_id: taken.user_id,
        guest: taken.guest,
        room_id,
        draft: taken.draft,
    }))
}

/// Whether the booking `draft_id` still waits for its confirmation (for the re-check before
/// its mail is sent).
pub async fn is_open(conn: &mut AsyncPgConnection, draft_id: Uuid) -> Result<bool> {
    Waiting::RoomBookings.is_open(conn, draft_id).await
}

/// Drops the bookings that waited for a confirmation until their link expired, by `now`.
pub async fn remove_expired(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> Result<usize> {
    Waiting::RoomBookings.remove_expired(conn, now).await
}

/// A waiting booking as its mail tells it: whom it greets, how many dates, and the first
/// date with its room and centre (status `requested`).
#[derive(Debug, Clone, QueryableByName)]
pub struct DraftMail {
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = BigInt)]
    pub dates: i64,
    #[diesel(embed)]
    pub room: RoomMail,
}

/// The waiting booking `draft_id` as its mail tells it; `None` once it is gone. A guest is
/// greeted by the name she gave with it, an account by its own.
pub async fn mail(conn: &mut AsyncPgConnection, draft_id: Uuid) -> Result<Option<DraftMail>> {
    Ok(diesel::sql_query(
        "SELECT CASE WHEN u.kind = 'guest' THEN d.name ELSE u.display_name END AS name, \
                jsonb_array_length(d.draft->'dates')::bigint AS dates, \
                'requested' AS status, NULL::text AS note, \
                (d.draft->'dates'->0->>0)::timestamptz AS starts_at, \
                (d.draft->'dates'->0->>1)::timestamptz AS ends_at, \
                coalesce(d.draft->>'purpose', '') AS purpose, r.name AS room_name, \
                c.name AS centre_name, c.street, c.postcode, c.town \
           FROM room_booking_drafts d JOIN users u ON u.id = d.user_id \
           JOIN rooms r ON r.id = d.room_id JOIN centres c ON c.id = r.centre_id \
          WHERE d.id = $1 AND d.expires_at > now()",
    )
    .bind::<SqlUuid, _>(draft_id)
    .load(conn)
    .await?
    .pop())
}

/// A booking waiting for its asker's confirmation, for her export.
#[derive(Debug, Clone, QueryableByName)]
pub struct DraftRecord {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub room_id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub purpose: String,
    #[diesel(sql_type = BigInt)]
    pub dates: i64,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub expires_at: DateTime<Utc>,
}

/// The bookings waiting for `user_id`'s confirmation, newest first.
pub async fn of_user(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<DraftRecord>> {
    Ok(diesel::sql_query(
        "SELECT id, room_id, name, coalesce(draft->>'purpose', '') AS purpose, \
                jsonb_array_length(draft->'dates')::bigint AS dates, created_at, expires_at \
           FROM room_booking_drafts WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind::<SqlUuid, _>(user_id)
    .load(conn)
    .await?)
}
