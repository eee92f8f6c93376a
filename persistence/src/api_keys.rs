//! Operators' API keys: only a hash of each secret is stored, with a public prefix to
//! recognise it by. A key is usable until it is revoked or expires.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::{api_keys, operator_members, operators};
use crate::{Result, notifications};

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
    /// When the account that created it left the operator, stopped being its operator admin,
    /// or was erased.
    pub creator_left_at: Option<DateTime<Utc>>,
    /// The key that replaced it in a rotation.
    pub replaced_by: Option<Uuid>,
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

/// Rotates the live key `id`: stores `new` (same operator, a new secret) and lets the old key
/// work only until `grace_until` (or its own expiry, if sooner), naming its successor.
/// `None` when `id` is no live key of `new.operator_id` (revoked, expired, replaced already).
/// Run it in a transaction with its audit entry.
pub async fn rotate(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    new: &NewApiKey<'_>,
    grace_until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Option<ApiKeyRow>> {
    let old: Option<ApiKeyRow> = api_keys::table
        .find(id)
        .filter(api_keys::operator_id.eq(new.operator_id))
        .filter(api_keys::revoked_at.is_null())
        .filter(api_keys::replaced_by.is_null())
        .filter(
            api_keys::expires_at
                .is_null()
                .or(api_keys::expires_at.gt(now)),
        )
        .select(ApiKeyRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let Some(old) = old else {
        return Ok(None);
    };
    let created = create(conn, new).await?;
    let until = old
        .expires_at
        .map_or(grace_until, |expires| expires.min(grace_until));
    diesel::update(api_keys::table.find(old.id))
        .set((
            api_keys::expires_at.eq(until),
            api_keys::replaced_by.eq(created.id),
        ))
        .execute(conn)
        .await?;
    Ok(Some(created))
}

/// The account `user_id` left the operator `operator_id` (or, with `None`, every operator:
/// she erases her account) or stopped being its operator admin: the live keys she created
/// there are flagged, and each remaining operator admin of such an operator is told which.
/// Returns how many keys were flagged. Run it in the transaction of the departure.
pub async fn creator_departed(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    operator_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut flag = diesel::update(api_keys::table)
        .filter(api_keys::created_by.eq(user_id))
        .filter(api_keys::revoked_at.is_null())
        .filter(api_keys::creator_left_at.is_null())
        .filter(
            api_keys::expires_at
                .is_null()
                .or(api_keys::expires_at.gt(now)),
        )
        .into_boxed();
    if let Some(operator_id) = operator_id {
        flag = flag.filter(api_keys::operator_id.eq(operator_id));
    }
    let flagged: Vec<(Uuid, Uuid)> = flag
        .set(api_keys::creator_left_at.eq(now))
        .returning((api_keys::operator_id, api_keys::id))
        .get_results(conn)
        .await?;
    let mut by_operator: std::collections::BTreeMap<Uuid, Vec<Uuid>> = Default::default();
    for (operator, key) in &flagged {
        by_operator.entry(*operator).or_default().push(*key);
    }
    for (operator, keys) in by_operator {
        let admins: Vec<Uuid> = operator_members::table
            .filter(operator_members::operator_id.eq(operator))
            .filter(operator_members::role.eq("operator_admin"))
            .filter(operator_members::user_id.ne(user_id))
            .select(operator_members::user_id)
            .load(conn)
            .await?;
        let details = serde_json::json!({ "creator_id": user_id, "api_key_ids": keys });
        notifications::notify(
            conn,
            &admins,
            notifications::Kind::ApiKeysCreatorLeft,
            Some(operator),
            &details,
        )
        .await?;
    }
    Ok(flagged.len())
}
