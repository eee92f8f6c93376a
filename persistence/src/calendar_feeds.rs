//! Volunteers' secret calendar feed addresses: only a hash of the token is stored; a new one
//! replaces the old, and a revoked one stops working at once.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::Result;
use crate::schema::calendar_feeds;

/// Stores the hash of `user_id`'s new feed token, replacing any earlier one.
pub async fn replace(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    token_hash: &[u8],
) -> Result<DateTime<Utc>> {
    Ok(diesel::insert_into(calendar_feeds::table)
        .values((
            calendar_feeds::user_id.eq(user_id),
            calendar_feeds::token_hash.eq(token_hash),
        ))
        .on_conflict(calendar_feeds::user_id)
        .do_update()
        .set((
            calendar_feeds::token_hash.eq(token_hash),
            calendar_feeds::created_at.eq(diesel::dsl::now),
        ))
        .returning(calendar_feeds::created_at)
        .get_result(conn)
        .await?)
}

/// Revokes the feed; false when there was none.
pub async fn revoke(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<bool> {
    Ok(
        diesel::delete(calendar_feeds::table.filter(calendar_feeds::user_id.eq(user_id)))
            .execute(conn)
            .await?
            > 0,
    )
}

/// Whose feed the token with this hash opens.
pub async fn owner(conn: &mut AsyncPgConnection, token_hash: &[u8]) -> Result<Option<Uuid>> {
    Ok(calendar_feeds::table
        .filter(calendar_feeds::token_hash.eq(token_hash))
        .select(calendar_feeds::user_id)
        .first(conn)
        .await
        .optional()?)
}
