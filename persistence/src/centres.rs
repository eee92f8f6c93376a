//! Neighbourhood centres and the public directory over them.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Float8, Int8, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::{centre_closures, centre_opening_hours, centres, users};
use crate::{Error, Refusal, Result};

/// `district_id` must name a district; also refuses deleting a district that has centres.
pub const DISTRICT_FOREIGN_KEY: &str = "centres_district_id_fkey";

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = centres, check_for_backend(diesel::pg::Pg))]
pub struct CentreRow {
    pub id: Uuid,
    pub operator_id: Uuid,
    pub district_id: Uuid,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub street: String,
    pub postcode: String,
    pub town: String,
    pub latitude: f64,
    pub longitude: f64,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub languages: Vec<String>,
    pub step_free: bool,
    pub accessible_toilet: bool,
    pub hearing_loop: bool,
    pub disabled_parking: bool,
    pub accessibility_notes: String,
    pub contact_user_id: Option<Uuid>,
    pub contact_role: Option<String>,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// Whether guests may sign up for its shifts (a shift may say otherwise).
    pub guest_signups: bool,
}

/// A centre with what its public view adds: the contact person's name, and the distance to
/// the point a search was made from.
#[derive(Debug, Clone, QueryableByName)]
pub struct CentreView {
    #[diesel(embed)]
    pub centre: CentreRow,
    #[diesel(sql_type = Nullable<Text>)]
    pub contact_name: Option<String>,
    #[diesel(sql_type = Nullable<Float8>)]
    pub distance_km: Option<f64>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = centres)]
pub struct NewCentre<'a> {
    pub id: Uuid,
    pub operator_id: Uuid,
    pub district_id: Uuid,
    pub name: &'a str,
    pub kind: &'a str,
    pub description: &'a str,
    pub street: &'a str,
    pub postcode: &'a str,
    pub town: &'a str,
    pub latitude: f64,
    pub longitude: f64,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub languages: &'a [String],
    pub step_free: bool,
    pub accessible_toilet: bool,
    pub hearing_loop: bool,
    pub disabled_parking: bool,
    pub accessibility_notes: &'a str,
    pub contact_user_id: Option<Uuid>,
    pub contact_role: Option<&'a str>,
    pub status: &'a str,
}

/// Changes to a centre; `None` leaves a field, `Some(None)` clears it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = centres)]
pub struct CentreChanges<'a> {
    pub district_id: Option<Uuid>,
    pub name: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub description: Option<&'a str>,
    pub street: Option<&'a str>,
    pub postcode: Option<&'a str>,
    pub town: Option<&'a str>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub phone: Option<Option<&'a str>>,
    pub email: Option<Option<&'a str>>,
    pub languages: Option<&'a [String]>,
    pub step_free: Option<bool>,
    pub accessible_toilet: Option<bool>,
    pub hearing_loop: Option<bool>,
    pub disabled_parking: Option<bool>,
    pub accessibility_notes: Option<&'a str>,
    pub contact_user_id: Option<Option<Uuid>>,
    pub contact_role: Option<Option<&'a str>>,
    pub status: Option<&'a str>,
    pub guest_signups: Option<bool>,
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewCentre<'_>) -> Result<CentreRow> {
    Ok(diesel::insert_into(centres::table)
        .values(new)
        .returning(CentreRow::as_returning())
        .get_result(conn)
        .await?)
}

/// One centre with its contact person's name.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<CentreView>> {
    let found: Option<(CentreRow, Option<String>)> = centres::table
        .left_join(users::table)
        .filter(centres::id.eq(id))
        .select((CentreRow::as_select(), users::display_name.nullable()))
        .first(conn)
        .await
        .optional()?;
    Ok(found.map(|(centre, contact_name)| CentreView {
        centre,
        contact_name,
        distance_km: None,
    }))
}

/// Applies `changes` if the centre is at one of `expected_versions` (any when `None`), in one
/// statement.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected_versions: Option<&[i32]>,
    changes: &CentreChanges<'_>,
) -> Result<Result<CentreRow, Refusal>> {
    let mut statement = diesel::update(centres::table)
        .filter(centres::id.eq(id))
        .into_boxed();
    if let Some(versions) = expected_versions {
        statement = statement.filter(centres::version.eq_any(versions.to_vec()));
    }
    let updated = statement
        .set((
            changes,
            centres::version.eq(centres::version + 1),
            centres::updated_at.eq(diesel::dsl::now),
        ))
        .returning(CentreRow::as_returning())
        .get_result(conn)
        .await
        .optional()?;
    match updated {
        Some(row) => Ok(Ok(row)),
        None if find(conn, id).await?.is_some() => Ok(Err(Refusal::VersionConflict)),
        None => Ok(Err(Refusal::NotFound)),
    }
}

/// A point and how far from it to look.
#[derive(Debug, Clone, Copy)]
pub struct Near {
    pub latitude: f64,
    pub longitude: f64,
    pub radius_km: f64,
}

/// What the public directory is asked for. Every filter narrows the result.
#[derive(Debug, Default)]
pub struct CentreFilter<'a> {
    /// This district and every district inside it, at any depth.
    pub district_id: Option<Uuid>,
    pub operator_id: Option<Uuid>,
    pub kind: Option<&'a str>,
    pub status: Option<&'a str>,
    pub step_free: bool,
    pub accessible_toilet: bool,
    pub hearing_loop: bool,
    pub disabled_parking: bool,
    pub language: Option<&'a str>,
    /// German full-text search over name and description (web search syntax: words, "phrases", -not).
    pub text: Option<&'a str>,
    pub near: Option<Near>,
    /// Only centres that are active and open at this moment, by their opening hours in
    /// Europe/Berlin and their closures.
    pub open_at: Option<DateTime<Utc>>,
}

/// Where a page starts: after the centre with this sort key (distance — 0 without a point —,
/// name, id).
pub type CentreKey = (f64, String, Uuid);

/// The sort key of a listed centre, for the cursor of the next page.
pub fn key(view: &CentreView) -> CentreKey {
    (
        view.distance_km.unwrap_or(0.0),
        view.centre.name.clone(),
        view.centre.id,
    )
}

/// The directory: centres matching `filter`, nearest first when searching near a point and by
/// name otherwise, after `after`, at most `limit`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &CentreFilter<'_>,
    after: Option<&CentreKey>,
    limit: i64,
) -> Result<Vec<CentreView>> {
    // One statement with every filter optional, so the bind list is fixed. Haversine distance
    // on a sphere of 6371 km; a latitude band around the point narrows the rows first.
    let sql = "\
        WITH RECURSIVE subtree (id) AS ( \
            SELECT id FROM districts WHERE id = $1 \
            UNION SELECT d.id FROM districts d JOIN subtree s ON d.parent_id = s.id), \
        found AS ( \
            SELECT c.id, c.operator_id, c.district_id, c.name, c.kind, c.description, c.street, \
                   c.postcode, c.town, c.latitude, c.longitude, c.phone, c.email, c.languages, \
                   c.step_free, c.accessible_toilet, c.hearing_loop, c.disabled_parking, \
                   c.accessibility_notes, c.contact_user_id, c.contact_role, c.status, \
                   c.created_at, c.updated_at, c.version, c.guest_signups, u.display_name AS contact_name, \
                   CASE WHEN $10::float8 IS NULL THEN NULL ELSE 6371.0 * 2 * asin(least(1.0, sqrt( \
                       power(sin(radians(c.latitude - $10) / 2), 2) \
                       + cos(radians($10)) * cos(radians(c.latitude)) \
                         * power(sin(radians(c.longitude - $11) / 2), 2)))) END AS distance_km \
            FROM centres c LEFT JOIN users u ON u.id = c.contact_user_id \
            WHERE ($1::uuid IS NULL OR c.district_id IN (SELECT id FROM subtree)) \
              AND ($2::uuid IS NULL OR c.operator_id = $2) \
              AND ($3::text IS NULL OR c.kind = $3) \
              AND ($4::text IS NULL OR c.status = $4) \
              AND (NOT $5 OR c.step_free) AND (NOT $6 OR c.accessible_toilet) \
              AND (NOT $7 OR c.hearing_loop) AND (NOT $8 OR c.disabled_parking) \
              AND ($9::text IS NULL OR $9 = ANY (c.languages)) \
              AND ($12::text IS NULL OR c.search @@ websearch_to_tsquery('german', $12)) \
              AND ($10::float8 IS NULL OR c.latitude BETWEEN $10 - $13 / 111.0 AND $10 + $13 / 111.0) \
              AND ($18::timestamptz IS NULL OR (c.status = 'active' \
                   AND EXISTS (SELECT 1 FROM centre_opening_hours h WHERE h.centre_id = c.id \
                       AND h.weekday = extract(isodow FROM $18 AT TIME ZONE 'Europe/Berlin') \
                       AND ($18 AT TIME ZONE 'Europe/Berlin')::time >= h.opens \
                       AND ($18 AT TIME ZONE 'Europe/Berlin')::time < h.closes) \
                   AND NOT EXISTS (SELECT 1 FROM centre_closures x WHERE x.centre_id = c.id \
                       AND x.date = ($18 AT TIME ZONE 'Europe/Berlin')::date)))) \
        SELECT * FROM found \
        WHERE ($10::float8 IS NULL OR distance_km <= $13) \
          AND ($14::float8 IS NULL OR (coalesce(distance_km, 0), name, id) > ($14, $15, $16)) \
        ORDER BY coalesce(distance_km, 0), name, id \
        LIMIT $17";
    let near = filter.near;
    Ok(diesel::sql_query(sql)
        .bind::<Nullable<SqlUuid>, _>(filter.district_id)
        .bind::<Nullable<SqlUuid>, _>(filter.operator_id)
        .bind::<Nullable<Text>, _>(filter.kind)
        .bind::<Nullable<Text>, _>(filter.status)
        .bind::<Bool, _>(filter.step_free)
        .bind::<Bool, _>(filter.accessible_toilet)
        .bind::<Bool, _>(filter.hearing_loop)
        .bind::<Bool, _>(filter.disabled_parking)
        .bind::<Nullable<Text>, _>(filter.language)
        .bind::<Nullable<Float8>, _>(near.map(|n| n.latitude))
        .bind::<Nullable<Float8>, _>(near.map(|n| n.longitude))
        .bind::<Nullable<Text>, _>(filter.text)
        .bind::<Nullable<Float8>, _>(near.map(|n| n.radius_km))
        .bind::<Nullable<Float8>, _>(after.map(|a| a.0))
        .bind::<Nullable<Text>, _>(after.map(|a| a.1.as_str()))
        .bind::<Nullable<SqlUuid>, _>(after.map(|a| a.2))
        .bind::<Int8, _>(limit)
        .bind::<Nullable<Timestamptz>, _>(filter.open_at)
        .load(conn)
        .await?)
}

/// A centre's weekly hours `(weekday 1–7, opens, closes)` by day and time, and its closures
/// `(date, note)` by date.
pub type Hours = (Vec<(i16, NaiveTime, NaiveTime)>, Vec<(NaiveDate, String)>);

pub async fn opening_hours(conn: &mut AsyncPgConnection, centre_id: Uuid) -> Result<Hours> {
    let weekly = centre_opening_hours::table
        .filter(centre_opening_hours::centre_id.eq(centre_id))
        .select((
            centre_opening_hours::weekday,
            centre_opening_hours::opens,
            centre_opening_hours::closes,
        ))
        .order((centre_opening_hours::weekday, centre_opening_hours::opens))
        .load(conn)
        .await?;
    let closures = centre_closures::table
        .filter(centre_closures::centre_id.eq(centre_id))
        .select((centre_closures::date, centre_closures::note))
        .order(centre_closures::date)
        .load(conn)
        .await?;
    Ok((weekly, closures))
}

/// Replaces the centre's opening hours and closures, if the centre is at one of
/// `expected_versions`, and bumps its version — all in one transaction. Closures to come
/// claim the centre's rooms (a room booked or used that day refuses it with the rooms'
/// `NO_OVERLAP`), and the requests for those days are declined as decided `by`.
pub async fn replace_opening_hours(
    conn: &mut AsyncPgConnection,
    centre_id: Uuid,
    expected_versions: Option<&[i32]>,
    hours: &Hours,
    by: Option<Uuid>,
) -> Result<Result<CentreRow, Refusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let bumped = update(
            conn,
            centre_id,
            expected_versions,
            &CentreChanges::default(),
        )
        .await?;
        let row = match bumped {
            Ok(row) => row,
            Err(refusal) => return Ok(Err(refusal)),
        };
        diesel::delete(
            centre_opening_hours::table.filter(centre_opening_hours::centre_id.eq(centre_id)),
        )
        .execute(conn)
        .await?;
        // Closures that stay keep their claims: only those gone are deleted, and only new
        // ones claim the rooms (after their parts are locked, in id order, as confirmations
        // lock them).
        let dates: Vec<chrono::NaiveDate> = hours.1.iter().map(|(date, _)| *date).collect();
        diesel::delete(
            centre_closures::table
                .filter(centre_closures::centre_id.eq(centre_id))
                .filter(diesel::dsl::not(centre_closures::date.eq_any(&dates))),
        )
        .execute(conn)
        .await?;
        diesel::sql_query(
            "SELECT id FROM rooms WHERE centre_id = $1 ORDER BY id FOR NO KEY UPDATE",
        )
        .bind::<diesel::sql_types::Uuid, _>(centre_id)
        .execute(conn)
        .await?;
        let weekly: Vec<_> = hours
            .0
            .iter()
            .map(|(weekday, opens, closes)| {
                (
                    centre_opening_hours::centre_id.eq(centre_id),
                    centre_opening_hours::weekday.eq(*weekday),
                    centre_opening_hours::opens.eq(*opens),
                    centre_opening_hours::closes.eq(*closes),
                )
            })
            .collect();
        if !weekly.is_empty() {
            diesel::insert_into(centre_opening_hours::table)
                .values(&weekly)
                .execute(conn)
                .await?;
        }
        let closures: Vec<_> = hours
            .1
            .iter()
            .map(|(date, note)| {
                (
                    centre_closures::centre_id.eq(centre_id),
                    centre_closures::date.eq(*date),
                    centre_closures::note.eq(note.as_str()),
                )
            })
            .collect();
        if !closures.is_empty() {
            diesel::insert_into(centre_closures::table)
                .values(&closures)
                .on_conflict((centre_closures::centre_id, centre_closures::date))
                .do_update()
                .set(centre_closures::note.eq(diesel::upsert::excluded(centre_closures::note)))
                .execute(conn)
                .await?;
            crate::rooms::decline_closed(conn, centre_id, by, chrono::Utc::now()).await?;
        }
        Ok(Ok(row))
    })
    .await
}

/// How many of `ids` are centres of the operator `operator_id`.
pub async fn count_of_operator(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    ids: &[Uuid],
) -> Result<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    let mut unique = ids.to_vec();
    unique.sort();
    unique.dedup();
    if unique.len() != ids.len() {
        return Ok(usize::MAX);
    }
    let count: i64 = centres::table
        .filter(centres::operator_id.eq(operator_id))
        .filter(centres::id.eq_any(ids))
        .count()
        .get_result(conn)
        .await?;
    Ok(usize::try_from(count).unwrap_or(0))
}
