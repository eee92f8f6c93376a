//! What the public directory export shows of the operators that are partners: their open
//! centres (places) and their published activities that still have dates ahead.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, Bool, Float8, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::Result;

/// An open centre of an operator, with what everyone may read of it.
#[derive(Debug, Clone, QueryableByName)]
pub struct DirectoryCentre {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub operator_id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub description: String,
    #[diesel(sql_type = Text)]
    pub street: String,
    #[diesel(sql_type = Text)]
    pub postcode: String,
    #[diesel(sql_type = Text)]
    pub town: String,
    #[diesel(sql_type = Float8)]
    pub latitude: f64,
    #[diesel(sql_type = Float8)]
    pub longitude: f64,
    #[diesel(sql_type = Nullable<Text>)]
    pub phone: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    pub languages: Vec<String>,
    #[diesel(sql_type = Text)]
    pub accessibility_notes: String,
    #[diesel(sql_type = Bool)]
    pub step_free: bool,
}

/// A published activity of an operator with a date that has not ended yet.
#[derive(Debug, Clone, QueryableByName)]
pub struct DirectoryActivity {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub operator_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub centre_id: Uuid,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub description: String,
    #[diesel(sql_type = Array<Text>)]
    pub languages: Vec<String>,
    #[diesel(sql_type = Bool)]
    pub free_of_charge: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub cost_note: Option<String>,
    #[diesel(sql_type = Bool)]
    pub registration_required: bool,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

/// The most activities one operator shows in the directory: the ones with the nearest dates.
pub const ACTIVITIES_PER_OPERATOR: i64 = 200;

/// The open centres (active or closed for a while) of the active operators `operator_ids`,
/// by name.
pub async fn centres_of(
    conn: &mut AsyncPgConnection,
    operator_ids: &[Uuid],
) -> Result<Vec<DirectoryCentre>> {
    if operator_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(diesel::sql_query(
        "SELECT c.id, c.operator_id, c.name, c.description, c.street, c.postcode, c.town, \
                c.latitude, c.longitude, c.phone, c.languages, c.accessibility_notes, c.step_free \
           FROM centres c JOIN operators o ON o.id = c.operator_id AND o.status = 'active' \
          WHERE c.operator_id = ANY($1) AND c.status <> 'closed' \
          ORDER BY c.operator_id, c.name, c.id",
    )
    .bind::<Array<SqlUuid>, _>(operator_ids)
    .load(conn)
    .await?)
}

/// The published activities with a date not yet over, in open centres of the active
/// operators `operator_ids`: per operator at most [`ACTIVITIES_PER_OPERATOR`], those with
/// the nearest next date first.
pub async fn activities_of(
    conn: &mut AsyncPgConnection,
    operator_ids: &[Uuid],
) -> Result<Vec<DirectoryActivity>> {
    if operator_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(diesel::sql_query(
        "SELECT id, operator_id, centre_id, title, description, languages, free_of_charge, \
                cost_note, registration_required, updated_at \
           FROM (SELECT a.id, c.operator_id, a.centre_id, a.title, a.description, a.languages, \
                        a.free_of_charge, a.cost_note, a.registration_required, a.updated_at, \
                        row_number() OVER (PARTITION BY c.operator_id ORDER BY next.starts_at, a.id) AS rank \
                   FROM activities a \
                   JOIN centres c ON c.id = a.centre_id AND c.status <> 'closed' \
                   JOIN operators o ON o.id = c.operator_id AND o.status = 'active' \
                   JOIN LATERAL (SELECT min(oc.starts_at) AS starts_at FROM occurrences oc \
                                  WHERE oc.activity_id = a.id AND oc.ends_at > now() \
                                    AND NOT oc.cancelled) next ON next.starts_at IS NOT NULL \
                  WHERE c.operator_id = ANY($1) AND a.status = 'published') ranked \
          WHERE rank <= $2 \
          ORDER BY operator_id, title, id",
    )
    .bind::<Array<SqlUuid>, _>(operator_ids)
    .bind::<diesel::sql_types::Int8, _>(ACTIVITIES_PER_OPERATOR)
    .load(conn)
    .await?)
}
