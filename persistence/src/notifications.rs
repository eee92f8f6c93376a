//! What a person is told inside Quartier: one row per recipient, read or not.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::Result;
use crate::schema::notifications;

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The account that created some of an operator's API keys left it, stopped being its
    /// operator admin, or was erased; the keys still work and are flagged.
    ApiKeysCreatorLeft,
}

impl Kind {
    pub const ALL: [Kind; 1] = [Kind::ApiKeysCreatorLeft];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ApiKeysCreatorLeft => "api_keys_creator_left",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == value)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notifications, check_for_backend(diesel::pg::Pg))]
pub struct NotificationRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub operator_id: Option<Uuid>,
    pub details: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// Tells each of `recipients` the same thing.
pub async fn notify(
    conn: &mut AsyncPgConnection,
    recipients: &[Uuid],
    kind: Kind,
    operator_id: Option<Uuid>,
    details: &serde_json::Value,
) -> Result<usize> {
    let rows: Vec<_> = recipients
        .iter()
        .map(|user_id| {
            (
                notifications::id.eq(Uuid::now_v7()),
                notifications::user_id.eq(*user_id),
                notifications::kind.eq(kind.as_str()),
                notifications::operator_id.eq(operator_id),
                notifications::details.eq(details.to_string()),
            )
        })
        .collect();
    if rows.is_empty() {
        return Ok(0);
    }
    Ok(diesel::insert_into(notifications::table)
        .values(rows)
        .execute(conn)
        .await?)
}

/// The person's notifications, newest first, at most `limit`.
pub async fn of_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    limit: i64,
) -> Result<Vec<NotificationRow>> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user_id))
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .limit(limit)
        .select(NotificationRow::as_select())
        .load(conn)
        .await?)
}

/// Marks one of the person's notifications read (the first time only); false when she has
/// none with this id.
pub async fn mark_read(conn: &mut AsyncPgConnection, user_id: Uuid, id: Uuid) -> Result<bool> {
    let found: Option<Uuid> = notifications::table
        .filter(notifications::id.eq(id))
        .filter(notifications::user_id.eq(user_id))
        .select(notifications::id)
        .first(conn)
        .await
        .optional()?;
    if found.is_none() {
        return Ok(false);
    }
    diesel::update(
        notifications::table
            .filter(notifications::id.eq(id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    Ok(true)
}
