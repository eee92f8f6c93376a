//! One-use tokens sent by mail: address verification and password reset. Only a token's
//! SHA-256 is stored; a token is used up by the one statement that redeems it, so of two
//! requests racing with the same token exactly one succeeds.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::notifications::{self, NewNotification};
use crate::schema::account_tokens as at;
use crate::{Error, Result};

/// What a token proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// That the person reads mail at `email`.
    VerifyEmail,
    /// That the person reads mail at the account's address and may choose a new password.
    ResetPassword,
    /// That a guest reads mail at her address: her own sign-ups for a while, as often as
    /// needed (never used up; it expires).
    GuestAccess,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::ResetPassword => "reset_password",
            Purpose::GuestAccess => "guest_access",
        }
    }
}

/// A token to store. `token_hash` is the SHA-256 of the token the mail will carry.
#[derive(Debug, Insertable)]
#[diesel(table_name = at)]
pub struct NewAccountToken<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub purpose: &'static str,
    pub email: Option<&'a str>,
    pub token_hash: &'a [u8],
    pub expires_at: DateTime<Utc>,
}

/// A token that was valid when it was looked at.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = at, check_for_backend(diesel::pg::Pg))]
pub struct ValidToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub email: Option<String>,
}

/// Stores a token; earlier unused tokens of the same account and purpose stop working (they
/// count as used), so only the latest mail's link does.
pub async fn issue(conn: &mut AsyncPgConnection, new: &NewAccountToken<'_>) -> Result<()> {
    diesel::update(at::table)
        .filter(at::user_id.eq(new.user_id))
        .filter(at::purpose.eq(new.purpose))
        .filter(at::used_at.is_null())
        .set(at::used_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    diesel::insert_into(at::table)
        .values(new)
        .execute(conn)
        .await?;
    Ok(())
}

/// The unused, unexpired token with `hash` for `purpose`, without using it up.
pub async fn find_valid(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
    purpose: Purpose,
) -> Result<Option<ValidToken>> {
    Ok(at::table
        .filter(at::token_hash.eq(hash))
        .filter(at::purpose.eq(purpose.as_str()))
        .filter(at::used_at.is_null())
        .filter(at::expires_at.gt(diesel::dsl::now))
        .select(ValidToken::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Uses up the token with `hash` for `purpose` if it is unused and unexpired, in one
/// statement; `None` otherwise.
pub async fn redeem(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
    purpose: Purpose,
) -> Result<Option<ValidToken>> {
    Ok(diesel::update(at::table)
        .filter(at::token_hash.eq(hash))
        .filter(at::purpose.eq(purpose.as_str()))
        .filter(at::used_at.is_null())
        .filter(at::expires_at.gt(diesel::dsl::now))
        .set(at::used_at.eq(diesel::dsl::now))
        .returning(ValidToken::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// Whether the token `id` can still be used (for the re-check before its mail is sent).
pub async fn still_valid(conn: &mut AsyncPgConnection, id: Uuid) -> Result<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        at::table
            .filter(at::id.eq(id))
            .filter(at::used_at.is_null())
            .filter(at::expires_at.gt(diesel::dsl::now)),
    ))
    .get_result(conn)
    .await?)
}

/// Ends every unused token of the account (its password changed: a link mailed before must
/// not outlive that).
pub async fn withdraw_all(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<usize> {
    Ok(diesel::update(at::table)
        .filter(at::user_id.eq(user_id))
        .filter(at::used_at.is_null())
        .set(at::used_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?)
}

/// Stores `token` (see `issue`) and queues the notifications that carry or announce it, in
/// one transaction.
pub async fn issue_and_notify(
    conn: &mut AsyncPgConnection,
    token: &NewAccountToken<'_>,
    notify: &[NewNotification],
) -> Result<()> {
    conn.transaction::<_, Error, _>(async |conn| {
        // The account's row first: two links asked for at once queue, and the second
        // replaces the first.
        crate::schema::users::table
            .find(token.user_id)
            .select(crate::schema::users::id)
            .for_no_key_update()
            .first::<Uuid>(conn)
            .await
            .optional()?;
        issue(conn, token).await?;
        for notification in notify {
            notifications::enqueue(conn, notification).await?;
        }
        Ok(())
    })
    .await
}
