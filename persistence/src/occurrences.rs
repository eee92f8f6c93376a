//! Occurrences (Termine): the dated instances of activities, and the public "what's on"
//! search over them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{
    Array, Bool, Float8, Int4, Int8, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::activities::{self, ActivityFilter, Viewer};
use crate::schema::occurrences;
use crate::sql::Statement;
use crate::{Refusal, Result};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = occurrences, check_for_backend(diesel::pg::Pg))]
pub struct OccurrenceRow {
    pub id: Uuid,
    pub activity_id: Uuid,
    pub original_start: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub moved: bool,
    pub detached: bool,
    pub cancelled: bool,
    pub cancellation_reason: Option<String>,
    pub note: Option<String>,
    pub participants: Option<i32>,
    pub sequence: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// The operator's own id for it.
    pub external_id: Option<String>,
    /// Of `participants`: how many came for the first time, and how many of each age band
    /// (0–13, 14–17, 18–26, 27–64, 65 and over), as far as counted.
    pub first_time_participants: Option<i32>,
    pub participants_age_0_13: Option<i32>,
    pub participants_age_14_17: Option<i32>,
    pub participants_age_18_26: Option<i32>,
    pub participants_age_27_64: Option<i32>,
    pub participants_age_65_plus: Option<i32>,
}

/// An occurrence with what a list screen shows of its activity, centre and district.
#[derive(Debug, Clone, QueryableByName)]
pub struct OccurrenceView {
    #[diesel(embed)]
    pub occurrence: OccurrenceRow,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub category: String,
    #[diesel(sql_type = Array<Text>)]
    pub target_groups: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    pub languages: Vec<String>,
    #[diesel(sql_type = Bool)]
    pub free_of_charge: bool,
    #[diesel(sql_type = Bool)]
    pub registration_required: bool,
    #[diesel(sql_type = Nullable<Int4>)]
    pub participant_limit: Option<i32>,
    #[diesel(sql_type = Text)]
    pub activity_status: String,
    #[diesel(sql_type = Text)]
    pub time_zone: String,
    #[diesel(sql_type = SqlUuid)]
    pub centre_id: Uuid,
    #[diesel(sql_type = Text)]
    pub centre_name: String,
    #[diesel(sql_type = SqlUuid)]
    pub operator_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub district_id: Uuid,
    #[diesel(sql_type = Text)]
    pub district_name: String,
    #[diesel(sql_type = Bool)]
    pub step_free: bool,
    #[diesel(sql_type = Nullable<Float8>)]
    pub distance_km: Option<f64>,
}

const VIEW_COLUMNS: &str = "\
    SELECT o.id, o.activity_id, o.original_start, o.starts_at, o.ends_at, o.moved, o.detached, \
           o.cancelled, o.cancellation_reason, o.note, o.participants, o.sequence, o.created_at, \
           o.updated_at, o.version, o.external_id, o.first_time_participants, \
           o.participants_age_0_13, o.participants_age_14_17, o.participants_age_18_26, \
           o.participants_age_27_64, o.participants_age_65_plus, a.title, a.category, a.target_groups, a.languages, \
           a.free_of_charge, a.registration_required, a.participant_limit, \
           a.status AS activity_status, a.time_zone, c.id AS centre_id, c.name AS centre_name, \
           c.operator_id, c.district_id, d.name AS district_name, c.step_free,";

const VIEW_FROM: &str = " FROM occurrences o JOIN activities a ON a.id = o.activity_id \
    JOIN centres c ON c.id = a.centre_id JOIN districts d ON d.id = c.district_id";

/// One occurrence with its activity's and centre's facts, whatever the activity's status.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<OccurrenceView>> {
    let mut statement = Statement::new(VIEW_COLUMNS);
    statement
        .push(" NULL::float8 AS distance_km")
        .push(VIEW_FROM)
        .push(" WHERE o.id = ")
        .bind::<SqlUuid, _>(id);
    Ok(statement.finish().get_result(conn).await.optional()?)
}

/// Where a page of occurrences starts: after this (start, id).
pub type OccurrenceKey = (DateTime<Utc>, Uuid);

pub fn key(row: &OccurrenceRow) -> OccurrenceKey {
    (row.starts_at, row.id)
}

/// "What's on": occurrences overlapping `from`..`to` of activities matching `filter` that
/// `viewer` may see, by start, after `after`.
pub async fn search(
    conn: &mut AsyncPgConnection,
    filter: &ActivityFilter<'_>,
    viewer: &Viewer,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    after: Option<&OccurrenceKey>,
    limit: i64,
) -> Result<Vec<OccurrenceView>> {
    let mut statement = Statement::new(VIEW_COLUMNS);
    let distance = activities::distance_sql(&mut statement, filter.near);
    statement
        .push(&format!(" {distance} AS distance_km"))
        .push(VIEW_FROM)
        .push(" WHERE o.ends_at > ")
        .bind::<Timestamptz, _>(from)
        .push(" AND o.starts_at < ")
        .bind::<Timestamptz, _>(to);
    push_earliest_start(&mut statement, from);
    if filter.text.is_some() {
        // Words are often rare: find the activities first (the text index), then their
        // occurrences in the range, rather than reading occurrences by start until enough
        // match.
        statement.push(
            " AND o.activity_id = ANY(ARRAY(SELECT a.id FROM activities a \
             JOIN centres c ON c.id = a.centre_id WHERE TRUE",
        );
        activities::push_filter(&mut statement, filter, viewer);
        statement.push("))");
    }
    activities::push_filter(&mut statement, filter, viewer);
    activities::push_near(&mut statement, filter.near, &distance);
    push_after(&mut statement, after);
    statement
        .push(" ORDER BY o.starts_at, o.id LIMIT ")
        .bind::<Int8, _>(limit);
    Ok(statement.finish().load(conn).await?)
}

/// Appends the earliest start an occurrence overlapping a range from `from` can have: `from`
/// less the longest occurrence (an index probe). Without it, an index scan by start for
/// "ends after `from`" begins at the first occurrence ever.
fn push_earliest_start(statement: &mut Statement<'_>, from: DateTime<Utc>) {
    statement
        .push(" AND o.starts_at > CAST(")
        .bind::<Timestamptz, _>(from)
        .push(" AS timestamptz) - (SELECT max(l.ends_at - l.starts_at) FROM occurrences l)");
}

fn push_after(statement: &mut Statement<'_>, after: Option<&OccurrenceKey>) {
    if let Some((starts_at, id)) = after {
        statement
            .push(" AND (o.starts_at, o.id) > (")
            .bind::<Timestamptz, _>(*starts_at)
            .push(", ")
            .bind::<SqlUuid, _>(*id)
            .push(")");
    }
}

/// The occurrences of one activity overlapping `from`..`to`, by start, after `after`.
pub async fn of_activity(
    conn: &mut AsyncPgConnection,
    activity_id: Uuid,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    after: Option<&OccurrenceKey>,
    limit: i64,
) -> Result<Vec<OccurrenceView>> {
    let mut statement = Statement::new(VIEW_COLUMNS);
    statement
        .push(" NULL::float8 AS distance_km")
        .push(VIEW_FROM)
        .push(" WHERE o.activity_id = ")
        .bind::<SqlUuid, _>(activity_id)
        .push(" AND o.ends_at > ")
        .bind::<Timestamptz, _>(from)
        .push(" AND o.starts_at < ")
        .bind::<Timestamptz, _>(to);
    push_earliest_start(&mut statement, from);
    push_after(&mut statement, after);
    statement
        .push(" ORDER BY o.starts_at, o.id LIMIT ")
        .bind::<Int8, _>(limit);
    Ok(statement.finish().load(conn).await?)
}

/// The occurrences of published activities of one centre (or all of `viewer`'s), for a
/// calendar feed: overlapping `from`..`to`, by start, at most `limit`.
pub async fn of_centre(
    conn: &mut AsyncPgConnection,
    centre_id: Uuid,
    viewer: &Viewer,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    limit: i64,
) -> Result<Vec<OccurrenceView>> {
    let filter = ActivityFilter {
        centre_id: Some(centre_id),
        ..ActivityFilter::default()
    };
    search(conn, &filter, viewer, (from, to), None, limit).await
}

/// The check that refuses attendance parts (first-time visitors, the age bands together)
/// above the total, and parts without a total.
pub const ATTENDANCE_PARTS: &str = "occurrences_attendance_parts";

/// Changes to one occurrence; `None` leaves a field, `Some(None)` clears it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = occurrences)]
pub struct OccurrenceChanges<'a> {
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub moved: Option<bool>,
    pub cancelled: Option<bool>,
    pub cancellation_reason: Option<Option<&'a str>>,
    pub note: Option<Option<&'a str>>,
    pub participants: Option<Option<i32>>,
    pub first_time_participants: Option<Option<i32>>,
    pub participants_age_0_13: Option<Option<i32>>,
    pub participants_age_14_17: Option<Option<i32>>,
    pub participants_age_18_26: Option<Option<i32>>,
    pub participants_age_27_64: Option<Option<i32>>,
    pub participants_age_65_plus: Option<Option<i32>>,
    pub external_id: Option<Option<&'a str>>,
    /// Set with `external_id`: the operator it belongs to.
    pub external_operator_id: Option<Option<Uuid>>,
}

/// Applies `changes` if the occurrence is at one of `expected_versions` (any when `None`);
/// a change calendars show (`visible`) raises its iCalendar SEQUENCE. Its shifts follow in
/// the same transaction: cancelled with the date (and their sign-ups with them), or moved
/// with its start.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected_versions: Option<&[i32]>,
    changes: &OccurrenceChanges<'_>,
    visible: bool,
    changed_by: Option<Uuid>,
) -> Result<Result<OccurrenceRow, Refusal>> {
    conn.transaction::<_, crate::Error, _>(async |conn| {
        let before: Option<(DateTime<Utc>, bool, i32)> = occurrences::table
            .filter(occurrences::id.eq(id))
            .select((
                occurrences::starts_at,
                occurrences::cancelled,
                occurrences::version,
            ))
            .for_no_key_update()
            .first(conn)
            .await
            .optional()?;
        let Some((was_starting, was_cancelled, version)) = before else {
            return Ok(Err(Refusal::NotFound));
        };
        if expected_versions.is_some_and(|versions| !versions.contains(&version)) {
            return Ok(Err(Refusal::VersionConflict));
        }
        if changes.starts_at.is_some() || changes.ends_at.is_some() || changes.cancelled.is_some() {
            crate::rooms::lock_room_of(conn, None, Some(id)).await?;
        }
        let row: OccurrenceRow = diesel::update(occurrences::table.filter(occurrences::id.eq(id)))
            .set((
                changes,
                occurrences::sequence.eq(occurrences::sequence + i32::from(visible)),
                occurrences::version.eq(occurrences::version + 1),
                occurrences::updated_at.eq(diesel::dsl::now),
            ))
            .returning(OccurrenceRow::as_returning())
            .get_result(conn)
            .await?;
        let now = Utc::now();
        if row.cancelled && !was_cancelled {
            crate::shifts::cancel_with_occurrence(conn, id, changed_by, now).await?;
        } else if row.starts_at != was_starting && !row.cancelled {
            crate::shifts::move_with_occurrence(conn, id, row.starts_at - was_starting, now)
                .await?;
        }
        // A date that took its room at a new time (moved or reinstated) declines the
        // requests there.
        if !row.cancelled
            && (was_cancelled || row.starts_at != was_starting || changes.ends_at.is_some())
        {
            crate::rooms::decline_for_dates(conn, &[id], changed_by, now).await?;
        }
        Ok(Ok(row))
    })
    .await
}

/// Cancels the occurrences of `activity_ids` that start on one of `dates` (local dates in
/// `time_zone`), with `reason`; returns how many it cancelled.
pub async fn cancel_on_dates(
    conn: &mut AsyncPgConnection,
    activity_ids: &[Uuid],
    dates: &[chrono::NaiveDate],
    time_zone: &str,
    reason: &str,
) -> Result<usize> {
    Ok(diesel::sql_query(
        "UPDATE occurrences SET cancelled = true, cancellation_reason = $4, sequence = sequence + 1, \
             version = version + 1, updated_at = now() \
         WHERE activity_id = ANY($1) AND NOT cancelled AND (starts_at AT TIME ZONE $3)::date = ANY($2)",
    )
    .bind::<Array<SqlUuid>, _>(activity_ids.to_vec())
    .bind::<Array<diesel::sql_types::Date>, _>(dates.to_vec())
    .bind::<Text, _>(time_zone)
    .bind::<Text, _>(reason)
    .execute(conn)
    .await?)
}

/// The operator's own ids for occurrences are unique per operator.
pub const EXTERNAL_ID_KEY: &str = "occurrences_operator_external_id_key";
