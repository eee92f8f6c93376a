//! Room bookings asked for without an account: the checked booking waits in
//! `room_booking_drafts` until the guest confirms it with the mailed link; then it is booked
//! as hers (or as the account's whose verified address it is).

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bytea, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::guest::{PersonKind, ROOM_BOOKING_CONFIRMATION};
use quartier_domain::notification::Kind;
use uuid::Uuid;

use super::RoomMail;
use crate::guests::{NewGuest, Waiting, confirmed_by_mail, person_for};
use crate::notifications::{self, NewNotification};
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
    conn.transaction::<_, Error, _>(async |conn| {
        let person = person_for(conn, guest, now).await?;
        diesel::sql_query(
            "INSERT INTO room_booking_drafts (id, user_id, room_id, name, draft, token_hash, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)",
        )
        .bind::<SqlUuid, _>(draft_id)
        .bind::<SqlUuid, _>(person)
        .bind::<SqlUuid, _>(room_id)
        .bind::<Text, _>(guest.name)
        .bind::<Text, _>(draft.to_string())
        .bind::<Bytea, _>(token_hash)
        .bind::<Timestamptz, _>(now)
        .bind::<Timestamptz, _>(now + ROOM_BOOKING_CONFIRMATION)
        .execute(conn)
        .await?;
        notifications::enqueue(
            conn,
            &NewNotification {
                details: serde_json::json!({ "draft_id": draft_id, "room_id": room_id }),
                dedup_key: Some(format!("guest_room_booking:{draft_id}")),
                ..NewNotification::now(person, Kind::GuestRoomBooking)
            },
        )
        .await?;
        Ok(())
    })
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
    #[derive(QueryableByName)]
    struct Taken {
        #[diesel(sql_type = SqlUuid)]
        user_id: Uuid,
        #[diesel(sql_type = Text)]
        kind: String,
        #[diesel(sql_type = SqlUuid)]
        room_id: Uuid,
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        draft: String,
    }
    let taken: Option<Taken> = diesel::sql_query(
        "DELETE FROM room_booking_drafts d USING users u \
         WHERE d.token_hash = $1 AND d.expires_at > $2 AND u.id = d.user_id \
         RETURNING d.user_id, u.kind, d.room_id, d.name, d.draft::text AS draft",
    )
    .bind::<Bytea, _>(token_hash)
    .bind::<Timestamptz, _>(now)
    .load(conn)
    .await?
    .pop();
    let Some(taken) = taken else {
        return Ok(None);
    };
    confirmed_by_mail(conn, taken.user_id, &taken.name).await?;
    Ok(Some(ConfirmedDraft {
        user_id: taken.user_id,
        guest: taken.kind == PersonKind::Guest.as_str(),
        room_id: taken.room_id,
        draft: serde_json::from_str(&taken.draft)
            .map_err(|e| Error::Other(format!("a room booking draft that is no JSON: {e}")))?,
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
