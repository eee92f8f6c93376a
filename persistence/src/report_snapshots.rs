//! Frozen reports: figures as they were counted, with their authors' words. Written once;
//! the database refuses every later change (migration 54), but forgetting their author.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{
    Array, Bool, Date, Int4, Int8, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::Result;

/// A snapshot to store. `scope` and `report` are JSON documents.
#[derive(Debug, Clone)]
pub struct NewSnapshot {
    pub id: Uuid,
    pub title: String,
    pub catalogue_version: i32,
    pub period_first: NaiveDate,
    pub period_last: NaiveDate,
    pub operator_ids: Option<Vec<Uuid>>,
    pub small_cells_hidden: bool,
    pub scope: String,
    pub report: String,
    pub goals: String,
    pub what_happened: String,
    pub observed_changes: String,
    pub created_by: Option<Uuid>,
    pub created_by_key: Option<Uuid>,
}

/// A stored snapshot.
#[derive(Debug, Clone, QueryableByName)]
pub struct SnapshotRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Int4)]
    pub catalogue_version: i32,
    #[diesel(sql_type = Date)]
    pub period_first: NaiveDate,
    #[diesel(sql_type = Date)]
    pub period_last: NaiveDate,
    #[diesel(sql_type = Nullable<Array<SqlUuid>>)]
    pub operator_ids: Option<Vec<Uuid>>,
    #[diesel(sql_type = Bool)]
    pub small_cells_hidden: bool,
    #[diesel(sql_type = Text)]
    pub scope: String,
    #[diesel(sql_type = Text)]
    pub report: String,
    #[diesel(sql_type = Text)]
    pub goals: String,
    #[diesel(sql_type = Text)]
    pub what_happened: String,
    #[diesel(sql_type = Text)]
    pub observed_changes: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub created_by: Option<Uuid>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, title, catalogue_version, period_first, period_last, operator_ids, \
    small_cells_hidden, scope, report, goals, what_happened, \
    observed_changes, created_by, created_at";

pub async fn insert(conn: &mut AsyncPgConnection, new: NewSnapshot) -> Result<SnapshotRow> {
    Ok(diesel::sql_query(format!(
        "INSERT INTO report_snapshots (id, title, catalogue_version, period_first, period_last, \
         operator_ids, small_cells_hidden, scope, report, goals, what_happened, \
         observed_changes, created_by, created_by_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         RETURNING {COLUMNS}"
    ))
    .bind::<SqlUuid, _>(new.id)
    .bind::<Text, _>(new.title)
    .bind::<Int4, _>(new.catalogue_version)
    .bind::<Date, _>(new.period_first)
    .bind::<Date, _>(new.period_last)
    .bind::<Nullable<Array<SqlUuid>>, _>(new.operator_ids)
    .bind::<Bool, _>(new.small_cells_hidden)
    .bind::<Text, _>(new.scope)
    .bind::<Text, _>(new.report)
    .bind::<Text, _>(new.goals)
    .bind::<Text, _>(new.what_happened)
    .bind::<Text, _>(new.observed_changes)
    .bind::<Nullable<SqlUuid>, _>(new.created_by)
    .bind::<Nullable<SqlUuid>, _>(new.created_by_key)
    .get_result(conn)
    .await?)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<SnapshotRow>> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM report_snapshots WHERE id = $1"
    ))
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()?)
}

/// The newest snapshots first, up to `limit`, that a reader who is staff of `own` operators,
/// sees the figures of `full` ones in full, and reads the whole town when `whole_town`, may
/// read: those of operators she sees in full, and those with small counts hidden that she
/// could count herself.
pub async fn list(
    conn: &mut AsyncPgConnection,
    own: Vec<Uuid>,
    full: Vec<Uuid>,
    whole_town: bool,
    limit: i64,
) -> Result<Vec<SnapshotRow>> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM report_snapshots \
         WHERE (cardinality(operator_ids) > 0 AND operator_ids <@ $2) \
            OR (small_cells_hidden AND ($3 OR operator_ids && $1)) \
         ORDER BY created_at DESC, id DESC LIMIT $4"
    ))
    .bind::<Array<SqlUuid>, _>(own)
    .bind::<Array<SqlUuid>, _>(full)
    .bind::<Bool, _>(whole_town)
    .bind::<Int8, _>(limit)
    .load(conn)
    .await?)
}
