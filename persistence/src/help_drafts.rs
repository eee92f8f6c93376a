//! Requests of neighbourly help made without an account: the checked request waits in
//! `help_request_drafts` until the guest confirms it with the mailed link; then it is made as
//! hers (or as the account's whose verified address it is).

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::Result;
use crate::guests::{NewGuest, Waiting};

/// A guest asks for or offers help at the centre `centre_id`: the person is found or made,
/// the checked request (`draft`) waits for her confirmation, and the mail with the link is
/// queued, in one transaction. `draft_id` and `token_hash` make the link.
pub async fn ask(
    conn: &mut AsyncPgConnection,
    guest: &NewGuest<'_>,
    centre_id: Uuid,
    draft_id: Uuid,
    token_hash: &[u8],
    draft: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<()> {
    Waiting::HelpRequests
        .ask(
            conn,
            guest,
            Some(centre_id),
            draft_id,
            token_hash,
            draft,
            now,
        )
        .await
}

/// A guest's request, confirmed: whose it is and the checked fields.
#[derive(Debug, Clone)]
pub struct ConfirmedDraft {
    pub user_id: Uuid,
    pub draft: serde_json::Value,
}

/// Takes the request waiting for the confirmation whose link has `token_hash`, if it still
/// waits: the draft is gone after this, her address counts as verified, and the name she gave
/// with it is hers (for a guest). `None` for a link unknown, used or expired. Call in the
/// transaction that makes the request, so that a refusal leaves the draft waiting.
pub async fn take(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<ConfirmedDraft>> {
    Ok(Waiting::HelpRequests
        .take(conn, token_hash, now)
        .await?
        .map(|taken| ConfirmedDraft {
            user_id: taken.user_id,
            draft: taken.draft,
        }))
}

/// Whether the request `draft_id` still waits for its confirmation (for the re-check before
/// its mail is sent).
pub async fn is_open(conn: &mut AsyncPgConnection, draft_id: Uuid) -> Result<bool> {
    Waiting::HelpRequests.is_open(conn, draft_id).await
}

/// Drops the requests that waited for a confirmation until their link expired, by `now`.
pub async fn remove_expired(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> Result<usize> {
    Waiting::HelpRequests.remove_expired(conn, now).await
}

/// A waiting request as its mail tells it.
#[derive(Debug, Clone, QueryableByName)]
pub struct DraftMail {
    /// Whom the mail greets: a guest by the name she gave with it, an account by its own.
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub summary: String,
    #[diesel(sql_type = Text)]
    pub centre_name: String,
}

/// The waiting request `draft_id` as its mail tells it; `None` once it is gone.
pub async fn mail(conn: &mut AsyncPgConnection, draft_id: Uuid) -> Result<Option<DraftMail>> {
    Ok(diesel::sql_query(
        "SELECT CASE WHEN u.kind = 'guest' THEN d.name ELSE u.display_name END AS name, \
                coalesce(d.draft->>'summary', '') AS summary, c.name AS centre_name \
           FROM help_request_drafts d JOIN users u ON u.id = d.user_id \
           JOIN centres c ON c.id = d.centre_id \
          WHERE d.id = $1 AND d.expires_at > now()",
    )
    .bind::<SqlUuid, _>(draft_id)
    .load(conn)
    .await?
    .pop())
}

/// A request waiting for its author's confirmation, for her export.
#[derive(Debug, Clone, QueryableByName)]
pub struct DraftRecord {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    /// The request as she wrote it, as JSON.
    #[diesel(sql_type = Text)]
    pub request: String,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub expires_at: DateTime<Utc>,
}

/// The requests waiting for `user_id`'s confirmation, newest first.
pub async fn of_user(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<DraftRecord>> {
    Ok(diesel::sql_query(
        "SELECT id, name, draft::text AS request, created_at, expires_at \
           FROM help_request_drafts WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind::<SqlUuid, _>(user_id)
    .load(conn)
    .await?)
}
