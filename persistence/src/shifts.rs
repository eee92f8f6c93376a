//! Shifts (Einsätze): slots where volunteers help, at a centre or tied to an occurrence.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::{occurrences, shift_qualifications, shifts};
use crate::{Error, Result, outbox};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = shifts, check_for_backend(diesel::pg::Pg))]
pub struct ShiftRow {
    pub id: Uuid,
    pub centre_id: Uuid,
    pub occurrence_id: Option<Uuid>,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub description: String,
    pub min_age_note: Option<String>,
    pub status: String,
    pub confirmed_count: i32,
}

/// A shift with what its public view adds: centre, operator, activity, waitlist length.
#[derive(Debug, Clone, QueryableByName)]
pub struct ShiftView {
    #[diesel(embed)]
    pub shift: ShiftRow,
    #[diesel(sql_type = Text)]
    pub centre_name: String,
    #[diesel(sql_type = SqlUuid)]
    pub operator_id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub activity_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub activity_title: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub waitlisted: i64,
    /// Ids of the qualification types it requires.
    #[diesel(sql_type = diesel::sql_types::Array<SqlUuid>)]
    pub required: Vec<Uuid>,
}

/// A shift to create.
#[derive(Debug, Clone)]
pub struct NewShift<'a> {
    pub centre_id: Uuid,
    pub occurrence_id: Option<Uuid>,
    pub title: &'a str,
    pub description: &'a str,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    pub min_age_note: Option<&'a str>,
    pub required: &'a [Uuid],
}

/// `required` must name qualification types.
pub const QUALIFICATION_FOREIGN_KEY: &str = "shift_qualifications_type_id_fkey";

async fn insert_one(
    conn: &mut AsyncPgConnection,
    new: &NewShift<'_>,
    operator_id: Uuid,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    diesel::insert_into(shifts::table)
        .values((
            shifts::id.eq(id),
            shifts::centre_id.eq(new.centre_id),
            shifts::occurrence_id.eq(new.occurrence_id),
            shifts::title.eq(new.title),
            shifts::description.eq(new.description),
            shifts::starts_at.eq(new.starts_at),
            shifts::ends_at.eq(new.ends_at),
            shifts::capacity.eq(new.capacity),
            shifts::min_age_note.eq(new.min_age_note),
        ))
        .execute(conn)
        .await?;
    let required: Vec<_> = new
        .required
        .iter()
        .map(|type_id| {
            (
                shift_qualifications::shift_id.eq(id),
                shift_qualifications::type_id.eq(*type_id),
            )
        })
        .collect();
    if !required.is_empty() {
        diesel::insert_into(shift_qualifications::table)
            .values(&required)
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    outbox::record(
        conn,
        "shift.created",
        Some(operator_id),
        id,
        serde_json::json!({"shift_id": id, "centre_id": new.centre_id, "starts_at": new.starts_at, "capacity": new.capacity}),
    )
    .await?;
    Ok(id)
}

/// Creates one shift with its required qualifications, in one transaction.
pub async fn create(
    conn: &mut AsyncPgConnection,
    new: &NewShift<'_>,
    operator_id: Uuid,
) -> Result<Uuid> {
    conn.transaction::<_, Error, _>(async |conn| insert_one(conn, new, operator_id).await)
        .await
}

/// Creates the same shift for every occurrence of `activity_id` that starts after `after` and
/// is not cancelled: `template`'s times are replaced by the occurrence's, moved by the offsets.
/// One transaction; returns the new shifts' ids.
pub async fn create_for_occurrences(
    conn: &mut AsyncPgConnection,
    activity_id: Uuid,
    after: DateTime<Utc>,
    template: &NewShift<'_>,
    offsets: (chrono::Duration, chrono::Duration),
    operator_id: Uuid,
) -> Result<Vec<Uuid>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let dates: Vec<(Uuid, DateTime<Utc>, DateTime<Utc>)> = occurrences::table
            .filter(occurrences::activity_id.eq(activity_id))
            .filter(occurrences::starts_at.gt(after))
            .filter(occurrences::cancelled.eq(false))
            .select((
                occurrences::id,
                occurrences::starts_at,
                occurrences::ends_at,
            ))
            .order(occurrences::starts_at)
            .for_share()
            .load(conn)
            .await?;
        let mut ids = Vec::with_capacity(dates.len());
        for (occurrence_id, starts_at, ends_at) in dates {
            let new = NewShift {
                occurrence_id: Some(occurrence_id),
                starts_at: starts_at + offsets.0,
                ends_at: ends_at + offsets.1,
                ..template.clone()
            };
            if new.ends_at > new.starts_at {
                ids.push(insert_one(conn, &new, operator_id).await?);
            }
        }
        Ok(ids)
    })
    .await
}

const VIEW: &str = "\
    SELECT s.id, s.centre_id, s.occurrence_id, s.title, s.starts_at, s.ends_at, s.capacity, \
           s.created_at, s.updated_at, s.version, s.description, s.min_age_note, s.status, \
           s.confirmed_count, c.name AS centre_name, c.operator_id, a.id AS activity_id, \
           a.title AS activity_title, \
           (SELECT count(*) FROM signups w WHERE w.shift_id = s.id AND w.status = 'waitlisted') AS waitlisted, \
           ARRAY(SELECT q.type_id FROM shift_qualifications q WHERE q.shift_id = s.id ORDER BY q.type_id) AS required \
    FROM shifts s JOIN centres c ON c.id = s.centre_id \
    LEFT JOIN occurrences o ON o.id = s.occurrence_id LEFT JOIN activities a ON a.id = o.activity_id";

/// One shift with its public facts.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<ShiftView>> {
    Ok(diesel::sql_query(format!("{VIEW} WHERE s.id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()?)
}
