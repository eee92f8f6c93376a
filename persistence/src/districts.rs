//! Districts and their hierarchy.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::districts;
use crate::{Error, Refusal, Result};

/// Unique slugs.
pub const SLUG_UNIQUE: &str = "districts_slug_key";
/// `parent_id` must name a district; also refuses deleting a district that has sub-districts.
pub const PARENT_FOREIGN_KEY: &str = "districts_parent_id_fkey";
/// A district cannot be its own parent.
pub const NOT_OWN_PARENT: &str = "districts_not_own_parent";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = districts, check_for_backend(diesel::pg::Pg))]
pub struct DistrictRow {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub town: String,
    pub parent_id: Option<Uuid>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = districts)]
pub struct NewDistrict<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub slug: &'a str,
    pub town: &'a str,
    pub parent_id: Option<Uuid>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// Changes to a district; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = districts)]
pub struct DistrictChanges<'a> {
    pub name: Option<&'a str>,
    pub slug: Option<&'a str>,
    pub town: Option<&'a str>,
    pub parent_id: Option<Option<Uuid>>,
    pub latitude: Option<Option<f64>>,
    pub longitude: Option<Option<f64>>,
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewDistrict<'_>) -> Result<DistrictRow> {
    Ok(diesel::insert_into(districts::table)
        .values(new)
        .returning(DistrictRow::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<DistrictRow>> {
    Ok(districts::table
        .find(id)
        .select(DistrictRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Which districts a list shows.
#[derive(Debug, Default)]
pub struct DistrictFilter<'a> {
    pub town: Option<&'a str>,
    /// Only the direct sub-districts of this one.
    pub parent_id: Option<Uuid>,
}

/// Districts by name (then id), after the `(name, id)` of the previous page, at most `limit`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &DistrictFilter<'_>,
    after: Option<(&str, Uuid)>,
    limit: i64,
) -> Result<Vec<DistrictRow>> {
    let mut query = districts::table
        .select(DistrictRow::as_select())
        .order((districts::name, districts::id))
        .limit(limit)
        .into_boxed();
    if let Some(town) = filter.town {
        query = query.filter(districts::town.eq(town.to_owned()));
    }
    if let Some(parent) = filter.parent_id {
        query = query.filter(districts::parent_id.eq(parent));
    }
    if let Some((name, id)) = after {
        query = query.filter(
            districts::name.gt(name.to_owned()).or(districts::name
                .eq(name.to_owned())
                .and(districts::id.gt(id))),
        );
    }
    Ok(query.load(conn).await?)
}

/// Parent changes take turns under this lock, so two of them cannot close a loop together.
const HIERARCHY_LOCK: i64 = 0x6469_7374_7269_6374; // "district"

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Bool)]
    found: bool,
}

/// Whether `ancestor` is `district` itself or lies above it.
async fn is_ancestor_or_self(
    conn: &mut AsyncPgConnection,
    ancestor: Uuid,
    district: Uuid,
) -> Result<bool> {
    let found: Found = diesel::sql_query(
        "WITH RECURSIVE up (id, parent_id) AS ( \
             SELECT id, parent_id FROM districts WHERE id = $1 \
             UNION \
             SELECT d.id, d.parent_id FROM districts d JOIN up ON d.id = up.parent_id) \
         SELECT EXISTS (SELECT 1 FROM up WHERE id = $2) AS found",
    )
    .bind::<SqlUuid, _>(district)
    .bind::<SqlUuid, _>(ancestor)
    .get_result(conn)
    .await?;
    Ok(found.found)
}

/// Applies `changes` if the district is at one of `expected_versions` (any when `None`). A new parent is checked
/// not to lie inside the district, under a lock that makes concurrent parent changes wait.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected_versions: Option<&[i32]>,
    changes: &DistrictChanges<'_>,
) -> Result<Result<DistrictRow, Refusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        if let Some(Some(parent)) = changes.parent_id {
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({HIERARCHY_LOCK})"))
                .execute(conn)
                .await?;
            if is_ancestor_or_self(conn, id, parent).await? {
                return Ok(Err(Refusal::Cycle));
            }
        }
        let Some(current) = districts::table
            .find(id)
            .select(districts::version)
            .for_no_key_update()
            .first::<i32>(conn)
            .await
            .optional()?
        else {
            return Ok(Err(Refusal::NotFound));
        };
        if expected_versions.is_some_and(|versions| !versions.contains(&current)) {
            return Ok(Err(Refusal::VersionConflict));
        }
        let updated = diesel::update(districts::table.find(id))
            .set((
                changes,
                districts::version.eq(districts::version + 1),
                districts::updated_at.eq(diesel::dsl::now),
            ))
            .returning(DistrictRow::as_returning())
            .get_result(conn)
            .await?;
        Ok(Ok(updated))
    })
    .await
}

/// Deletes the district if it is at one of `expected_versions` (any when `None`). A district with sub-districts
/// is refused by the database (`PARENT_FOREIGN_KEY`).
pub async fn delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected_versions: Option<&[i32]>,
) -> Result<Result<(), Refusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let Some(current) = districts::table
            .find(id)
            .select(districts::version)
            .for_update()
            .first::<i32>(conn)
            .await
            .optional()?
        else {
            return Ok(Err(Refusal::NotFound));
        };
        if expected_versions.is_some_and(|versions| !versions.contains(&current)) {
            return Ok(Err(Refusal::VersionConflict));
        }
        diesel::delete(districts::table.find(id))
            .execute(conn)
            .await?;
        Ok(Ok(()))
    })
    .await
}
