//! Applications to a fund made without an account: the checked application waits in
//! `fund_application_drafts` until the guest confirms it with the mailed link; then it is
//! made and handed in as hers (or as the account's whose verified address it is).

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::guests::{NewGuest, Waiting};
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
    Waiting::FundApplications
        .ask(conn, guest, Some(fund_id), draft_id, token_hash, draft, now)
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
    let Some(taken) = Waiting::FundApplications
        .take(conn, token_hash, now)
        .await?
    else {
        return Ok(None);
    };
    let Some(fund_id) = taken.owner_id else {
        return Err(Error::Other("a fund application draft for no fund".into()));
    };
    Ok(Some(ConfirmedDraft {
        user_id: taken.user_id,
        fund_id,
        draft: taken.draft,
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
