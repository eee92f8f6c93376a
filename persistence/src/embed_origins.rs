//! The websites that may frame Quartier's widgets: the town's list (no operator) and each
//! operator's own.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::{Error, Result};

#[derive(Debug, Clone, QueryableByName)]
pub struct EmbedOriginRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub operator_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub origin: String,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

/// What adding an origin came to.
#[derive(Debug)]
pub enum Added {
    Created(EmbedOriginRow),
    /// The list holds it already: the row that does.
    Exists(EmbedOriginRow),
    /// The list holds `most` origins already.
    Full,
}

const COLUMNS: &str = "id, operator_id, origin, created_at";

/// The list of `operator_id` (the town's when `None`), in the order the origins were added.
pub async fn list(
    conn: &mut AsyncPgConnection,
    operator_id: Option<Uuid>,
) -> Result<Vec<EmbedOriginRow>> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM embed_origins \
         WHERE operator_id IS NOT DISTINCT FROM $1 ORDER BY created_at, id"
    ))
    .bind::<Nullable<SqlUuid>, _>(operator_id)
    .load(conn)
    .await?)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Adds `origin` to the list of `operator_id` (the town's when `None`), unless it is there
/// already or the list holds `most`. Adders of one list wait for each other, so the list
/// never grows past `most`.
pub async fn add(
    conn: &mut AsyncPgConnection,
    operator_id: Option<Uuid>,
    origin: &str,
    added_by: Uuid,
    most: usize,
) -> Result<Added> {
    conn.transaction::<_, Error, _>(async |conn| {
        diesel::sql_query(
            "SELECT pg_advisory_xact_lock(hashtextextended('embed_origins:' || coalesce($1::text, 'town'), 0))",
        )
        .bind::<Nullable<SqlUuid>, _>(operator_id)
        .execute(conn)
        .await?;
        let existing: Option<EmbedOriginRow> = diesel::sql_query(format!(
            "SELECT {COLUMNS} FROM embed_origins \
             WHERE operator_id IS NOT DISTINCT FROM $1 AND origin = $2"
        ))
        .bind::<Nullable<SqlUuid>, _>(operator_id)
        .bind::<Text, _>(origin)
        .get_result(conn)
        .await
        .optional()?;
        if let Some(row) = existing {
            return Ok(Added::Exists(row));
        }
        let held: Count = diesel::sql_query(
            "SELECT count(*) AS count FROM embed_origins WHERE operator_id IS NOT DISTINCT FROM $1",
        )
        .bind::<Nullable<SqlUuid>, _>(operator_id)
        .get_result(conn)
        .await?;
        if usize::try_from(held.count).unwrap_or(usize::MAX) >= most {
            return Ok(Added::Full);
        }
        let row = diesel::sql_query(format!(
            "INSERT INTO embed_origins (id, operator_id, origin, created_by) \
             VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}"
        ))
        .bind::<SqlUuid, _>(Uuid::now_v7())
        .bind::<Nullable<SqlUuid>, _>(operator_id)
        .bind::<Text, _>(origin)
        .bind::<SqlUuid, _>(added_by)
        .get_result(conn)
        .await?;
        Ok(Added::Created(row))
    })
    .await
}

/// Removes the origin `id` from the list of `operator_id`; false when that list has no such
/// origin.
pub async fn remove(
    conn: &mut AsyncPgConnection,
    operator_id: Option<Uuid>,
    id: Uuid,
) -> Result<bool> {
    let removed = diesel::sql_query(
        "DELETE FROM embed_origins WHERE id = $1 AND operator_id IS NOT DISTINCT FROM $2",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Nullable<SqlUuid>, _>(operator_id)
    .execute(conn)
    .await?;
    Ok(removed > 0)
}

#[derive(QueryableByName)]
struct OriginOnly {
    #[diesel(sql_type = Text)]
    origin: String,
}

/// The origins that may frame a widget of the operator `operator_id`, or else of the centre
/// `centre_id`: the town's list, and the list of that operator (else the centre's). Only
/// active operators' lists count.
pub async fn framing(
    conn: &mut AsyncPgConnection,
    operator_id: Option<Uuid>,
    centre_id: Option<Uuid>,
) -> Result<Vec<String>> {
    let rows: Vec<OriginOnly> = diesel::sql_query(
        "SELECT e.origin FROM embed_origins e \
         WHERE e.operator_id IS NULL \
            OR e.operator_id IN ( \
                 SELECT o.id FROM operators o \
                 WHERE o.status = 'active' \
                   AND o.id = coalesce($1, (SELECT c.operator_id FROM centres c WHERE c.id = $2))) \
         ORDER BY e.operator_id NULLS FIRST, e.created_at, e.id",
    )
    .bind::<Nullable<SqlUuid>, _>(operator_id)
    .bind::<Nullable<SqlUuid>, _>(centre_id)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.origin).collect())
}
