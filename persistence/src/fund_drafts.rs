//! Applications to a fund made without an account: the checked application waits in
//! `fund_application_drafts` until the guest confirms it with the mailed link; then it is
//! made and handed in as hers (or as the account's whose verified address it is).

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Bytea, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::guest::FUND_APPLICATION_CONFIRMATION;
use quartier_domain::notification::Kind;
use uuid::Uuid;

use crate::guests::{NewGuest, Waiting, confirmed_by_mail, person_for};
use crate::notifications::{self, NewNotification};
use crate::{Error, Result};

/// A guest applies to the fund `fund_id`: the person is found or made, the checked
/// application (`draft`) waits for her confirmation, and the mail with the link is queued, in
/// one transaction. `draft_id` and `token_hash` make the link.
pub async fn ask(
    conn: &mut AsyncPgConnection,
    guest: &NewGuest<'_>,
    fund_id: Uuid,
    draft_id: Uuid,
    token_hash: &[u8],
    draft: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.transaction::<_, Error, _>(async |conn| {
        let person = person_for(conn, guest, now).await?;
        diesel::sql_query(
            "INSERT INTO fund_application_drafts (id, user_id, fund_id, name, draft, token_hash, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)",
        )
        .bind::<SqlUuid, _>(draft_id)
        .bind::<SqlUuid, _>(person)
        .bind::<SqlUuid, _>(fund_id)
        .bind::<Text, _>(guest.name)
        .bind::<Text, _>(draft.to_string())
        .bind::<Bytea, _>(token_hash)
        .bind::<Timestamptz, _>(now)
        .bind::<Timestamptz, _>(now + FUND_APPLICATION_CONFIRMATION)
        .execute(conn)
        .await?;
        notifications::enqueue(
            conn,
            &NewNotification {
                details: serde_json::json!({ "draft_id": draft_id, "fund_id": fund_id }),
                dedup_key: Some(format!("guest_fund_application:{draft_id}")),
                ..NewNotification::now(person, Kind::GuestFundApplication)
            },
        )
        .await?;
        Ok(())
    })
    .await
}

/// A guest's application, confirmed: whose it is, the fund, and the checked fields.
#[derive(Debug, Clone)]
pub struct ConfirmedDraft {
    pub user_id: Uuid,
    pub fund_id: Uuid,
    pub draft: serde_json::Value,
}

/// Takes the application waiting for the confirmation whose link has `token_hash`, if it
/// still waits: the draft is gone after this, her address counts as verified, and the name
/// she gave with it is hers (for a guest). `None` for a link unknown, used or expired. Call in
/// the transaction that makes the application, so that a refusal leaves the draft waiting.
pub async fn take(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<ConfirmedDraft>> {
    #[derive(QueryableByName)]
    struct Taken {
        #[diesel(sql_type = SqlUuid)]
        user_id: Uuid,
        #[diesel(sql_type = SqlUuid)]
        fund_id: Uuid,
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        draft: String,
    }
    let taken: Option<Taken> = diesel::sql_query(
        "DELETE FROM fund_application_drafts WHERE token_hash = $1 AND expires_at > $2 \
         RETURNING user_id, fund_id, name, draft::text AS draft",
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
        fund_id: taken.fund_id,
        draft: serde_json::from_str(&taken.draft)
            .map_err(|e| Error::Other(format!("a fund application draft that is no JSON: {e}")))?,
    }))
}

/// Whether the application `draft_id` still waits for its confirmation (for the re-check
/// before its mail is sent).
pub async fn is_open(conn: &mut AsyncPgConnection, draft_id: Uuid) -> Result<bool> {
    Waiting::FundApplications.is_open(conn, draft_id).await
}

/// Drops the applications that waited for a confirmation until their link expired, by `now`.
pub async fn remove_expired(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> Result<usize> {
    Waiting::FundApplications.remove_expired(conn, now).await
}

/// A waiting application as its mail tells it.
#[derive(Debug, Clone, QueryableByName)]
pub struct DraftMail {
    /// Whom the mail greets: a guest by the name she gave with it, an account by its own.
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub fund_title: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub requested_cents: i64,
}

/// The waiting application `draft_id` as its mail tells it; `None` once it is gone.
pub async fn mail(conn: &mut AsyncPgConnection, draft_id: Uuid) -> Result<Option<DraftMail>> {
    Ok(diesel::sql_query(
        "SELECT CASE WHEN u.kind = 'guest' THEN d.name ELSE u.display_name END AS name, \
                coalesce(d.draft->>'title', '') AS title, f.title AS fund_title, \
                coalesce((d.draft->>'requested_cents')::bigint, 0) AS requested_cents \
           FROM fund_application_drafts d JOIN users u ON u.id = d.user_id \
           JOIN funds f ON f.id = d.fund_id \
          WHERE d.id = $1 AND d.expires_at > now()",
    )
    .bind::<SqlUuid, _>(draft_id)
    .load(conn)
    .await?
    .pop())
}

/// An application waiting for its applicant's confirmation, for her export.
#[derive(Debug, Clone, QueryableByName)]
pub struct DraftRecord {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub fund_id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    /// The application as she wrote it, as JSON.
    #[diesel(sql_type = Text)]
    pub application: String,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub expires_at: DateTime<Utc>,
}

/// The applications waiting for `user_id`'s confirmation, newest first.
pub async fn of_user(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<DraftRecord>> {
    Ok(diesel::sql_query(
        "SELECT id, fund_id, name, draft::text AS application, created_at, expires_at \
           FROM fund_application_drafts WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind::<SqlUuid, _>(user_id)
    .load(conn)
    .await?)
}
