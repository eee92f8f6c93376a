//! Operators' API keys: only a hash of each secret is stored, with a public prefix to
//! recognise it by. A key is usable until it is revoked or expires.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::Result;
use crate::schema::{api_keys, operators};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys, check_for_backend(diesel::pg::Pg))]
pub struct ApiKeyRow {
    pub id: Uuid,
    pub operator_id: Uuid,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<Uuid>,
}

/// A key to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = api_keys)]
pub struct NewApiKey<'a> {
    pub id: Uuid,
    pub operator_id: Uuid,
    pub name: &'a str,
    pub prefix: &'a str,
    pub secret_hash: &'a [u8],
    pub scopes: &'a [String],
    pub expires_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
}

pub async fn create(conn: &mut AsyncPgConnection, new: &NewApiKey<'_>) -> Result<ApiKeyRow> {
    Ok(diesel::insert_into(api_keys::table)
        .values(new)
        .returning(ApiKeyRow::as_returning())
        .get_result(conn)
        .await?)
}

/// The operator's keys, newest first, revoked ones included (they show when and by whom).
pub async fn of_operator(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
) -> Result<Vec<ApiKeyRow>> {
    Ok(api_keys::table
        .filter(api_keys::operator_id.eq(operator_id))
        .order((api_keys::created_at.desc(), api_keys::id.desc()))
        .select(ApiKeyRow::as_select())
        .load(conn)
        .await?)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<ApiKeyRow>> {
    Ok(api_keys::table
        .find(id)
        .select(ApiKeyRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Revokes the key; the row as it is afterwards (revoking twice keeps the first time).
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    by: Option<Uuid>,
) -> Result<Option<ApiKeyRow>> {
    diesel::update(
        api_keys::table
            .find(id)
            .filter(api_keys::revoked_at.is_null()),
    )
    .set((
        api_keys::revoked_at.eq(diesel::dsl::now),
        api_keys::revoked_by.eq(by),
    ))
    .execute(conn)
    .await?;
    find(conn, id).await
}

/// A presented key, as authentication needs it.
#[derive(Debug, Clone)]
pub struct PresentedKey {
    pub key: ApiKeyRow,
    pub operator_active: bool,
}

/// The key whose secret has this hash, with its operator's status. Marks it used, at most
/// once a minute so that busy keys do not write on every request.
pub async fn authenticate(
    conn: &mut AsyncPgConnection,
    secret_hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<PresentedKey>> {
    let found: Option<(ApiKeyRow, String)> = api_keys::table
        .inner_join(operators::table)
        .filter(api_keys::secret_hash.eq(secret_hash))
        .select((ApiKeyRow::as_select(), operators::status))
        .first(conn)
        .await
        .optional()?;
    let Some((mut key, status)) = found else {
        return Ok(None);
    };
    let usable = key.revoked_at.is_none() && key.expires_at.is_none_or(|at| at > now);
    let stale = key
        .last_used_at
        .is_none_or(|at| now - at >= chrono::Duration::seconds(60));
    if usable && stale {
        diesel::update(api_keys::table.find(key.id))
            .set(api_keys::last_used_at.eq(now))
            .execute(conn)
            .await?;
        key.last_used_at = Some(now);
    }
    Ok(Some(PresentedKey {
        key,
        operator_active: status == "active",
    }))
}
