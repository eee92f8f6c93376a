//! Refresh tokens, stored only as SHA-256 hashes, rotated on every use.
//!
//! A login starts a family. A refresh uses up the presented token and adds its successor to
//! the same family, in one transaction. A token presented after it was used up means two
//! parties hold it — one of them a thief — so the whole family is revoked.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::refresh_tokens as rt;
use crate::schema::users;
use crate::{Error, Result};

#[derive(Debug, Insertable)]
#[diesel(table_name = rt)]
pub struct NewRefreshToken<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub family_id: Uuid,
    pub token_hash: &'a [u8],
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewRefreshToken<'_>) -> Result<()> {
    diesel::insert_into(rt::table)
        .values(new)
        .execute(conn)
        .await?;
    Ok(())
}

/// What presenting a refresh token led to.
#[derive(Debug, PartialEq, Eq)]
pub enum Rotation {
    /// The token was good: it is used up and `next` is stored in its family.
    Rotated { user_id: Uuid },
    /// The token had been used before: its whole family is now revoked.
    Reused { user_id: Uuid },
    /// Unknown, expired or revoked.
    Invalid,
}

/// Locks the account that owns the token with `hash`; `None` when no token has that hash.
///
/// Every change to an account's sessions — rotating, revoking a family, revoking all on a
/// password change (which updates the account row) — first locks the account row, so they
/// run one after another. Without it, a revocation running while a rotation inserts the next
/// token would not see that token (READ COMMITTED) and leave it alive.
async fn lock_owner(conn: &mut AsyncPgConnection, hash: &[u8]) -> Result<Option<Uuid>> {
    let owner: Option<Uuid> = rt::table
        .filter(rt::token_hash.eq(hash))
        .select(rt::user_id)
        .first(conn)
        .await
        .optional()?;
    let Some(owner) = owner else { return Ok(None) };
    Ok(users::table
        .find(owner)
        .select(users::id)
        .for_no_key_update()
        .first(conn)
        .await
        .optional()?)
}

/// Starts a session (a new family with its first token) for a user who just proved their
/// password against `verified_password_hash`. Returns the user's current role and token
/// generation, or `None` when the password changed in the meantime — a session must not
/// outlive the password change that was meant to end it.
pub async fn start_family(
    conn: &mut AsyncPgConnection,
    first: &NewRefreshToken<'_>,
    verified_password_hash: &str,
) -> Result<Option<(String, i32)>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let account: Option<(Option<String>, String, i32)> = users::table
            .find(first.user_id)
            .select((users::password_hash, users::role, users::token_generation))
            .for_no_key_update()
            .first(conn)
            .await
            .optional()?;
        match account {
            Some((Some(hash), role, generation)) if hash == verified_password_hash => {
                insert(conn, first).await?;
                Ok(Some((role, generation)))
            }
            _ => Ok(None),
        }
    })
    .await
}

/// Uses up the token with `presented_hash` and stores its successor (same user, same family)
/// with `next_hash`, in one transaction. Of several requests racing with one token, exactly
/// one rotates it; the others count as reuse.
pub async fn rotate(
    conn: &mut AsyncPgConnection,
    presented_hash: &[u8],
    next_id: Uuid,
    next_hash: &[u8],
    next_expires_at: DateTime<Utc>,
) -> Result<Rotation> {
    conn.transaction::<_, Error, _>(async |conn| {
        if lock_owner(conn, presented_hash).await?.is_none() {
            return Ok(Rotation::Invalid);
        }
        let claimed: Option<(Uuid, Uuid)> = diesel::update(rt::table)
            .filter(rt::token_hash.eq(presented_hash))
            .filter(rt::used_at.is_null())
            .filter(rt::revoked_at.is_null())
            .filter(rt::expires_at.gt(diesel::dsl::now))
            .set(rt::used_at.eq(diesel::dsl::now))
            .returning((rt::user_id, rt::family_id))
            .get_result(conn)
            .await
            .optional()?;
        if let Some((user_id, family_id)) = claimed {
            insert(
                conn,
                &NewRefreshToken {
                    id: next_id,
                    user_id,
                    family_id,
                    token_hash: next_hash,
                    expires_at: next_expires_at,
                },
            )
            .await?;
            return Ok(Rotation::Rotated { user_id });
        }
        let known: Option<(Uuid, Uuid, Option<DateTime<Utc>>)> = rt::table
            .filter(rt::token_hash.eq(presented_hash))
            .select((rt::user_id, rt::family_id, rt::used_at))
            .first(conn)
            .await
            .optional()?;
        match known {
            Some((user_id, family_id, Some(_used))) => {
                revoke_family(conn, family_id).await?;
                Ok(Rotation::Reused { user_id })
            }
            _ => Ok(Rotation::Invalid),
        }
    })
    .await
}

/// Revokes every token of a family (one login's chain of refreshes). Call with the owner's
/// row locked (see `lock_owner`).
async fn revoke_family(conn: &mut AsyncPgConnection, family_id: Uuid) -> Result<usize> {
    Ok(diesel::update(rt::table)
        .filter(rt::family_id.eq(family_id))
        .filter(rt::revoked_at.is_null())
        .set(rt::revoked_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?)
}

/// The account the token with `hash` belongs to, if there is such a token.
pub async fn owner(conn: &mut AsyncPgConnection, hash: &[u8]) -> Result<Option<Uuid>> {
    Ok(rt::table
        .filter(rt::token_hash.eq(hash))
        .select(rt::user_id)
        .first(conn)
        .await
        .optional()?)
}

/// Revokes the family of the token with `hash`, if there is such a token. Returns whether one was found.
pub async fn revoke_family_of(conn: &mut AsyncPgConnection, hash: &[u8]) -> Result<bool> {
    conn.transaction::<_, Error, _>(async |conn| {
        if lock_owner(conn, hash).await?.is_none() {
            return Ok(false);
        }
        let family: Uuid = rt::table
            .filter(rt::token_hash.eq(hash))
            .select(rt::family_id)
            .first(conn)
            .await?;
        revoke_family(conn, family).await?;
        Ok(true)
    })
    .await
}

/// Revokes every token of a user: after a password change, everyone must sign in again.
/// Call in the transaction that updated the user's row, which holds its lock.
pub async fn revoke_all_for_user(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<usize> {
    Ok(diesel::update(rt::table)
        .filter(rt::user_id.eq(user_id))
        .filter(rt::revoked_at.is_null())
        .set(rt::revoked_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?)
}
