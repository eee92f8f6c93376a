//! What a bulk import needs beyond single changes: lookups for a whole file at once, and
//! multi-row inserts for what it creates, so that ten thousand rows take a few statements
//! per thousand rows rather than a few per row.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use quartier_domain::schedule::Slot;
use quartier_domain::{Event, ShiftChange, ShiftFacts, ShiftStatus};
use uuid::Uuid;

use crate::activities::{ActivityRow, NewActivity, ScheduleColumns};
use crate::schema::{
    activities, centres, occurrences, qualification_types, shift_qualifications, shifts,
};
use crate::shifts::ShiftView;
use crate::{Result, outbox};

/// Rows per multi-row insert: well below PostgreSQL's 65 535 bind parameters.
const CHUNK: usize = 1000;

/// The operator's activities among `external_ids`, by external id.
pub async fn activities_by_external_id(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    external_ids: &[String],
) -> Result<HashMap<String, ActivityRow>> {
    let rows: Vec<ActivityRow> = activities::table
        .filter(activities::operator_id.eq(operator_id))
        .filter(activities::external_id.eq_any(external_ids))
        .select(ActivityRow::as_select())
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| row.external_id.clone().map(|id| (id, row)))
        .collect())
}

/// The operator's shifts among `external_ids`, by external id.
pub async fn shifts_by_external_id(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    external_ids: &[String],
) -> Result<HashMap<String, ShiftView>> {
    let rows: Vec<ShiftView> = diesel::sql_query(format!(
        "{} WHERE s.operator_id = $1 AND s.external_id = ANY($2)",
        crate::shifts::VIEW
    ))
    .bind::<SqlUuid, _>(operator_id)
    .bind::<Array<Text>, _>(external_ids)
    .load(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|view| view.shift.external_id.clone().map(|id| (id, view)))
        .collect())
}

/// The ids of the operator's centres.
pub async fn centres_of(conn: &mut AsyncPgConnection, operator_id: Uuid) -> Result<HashSet<Uuid>> {
    let ids: Vec<Uuid> = centres::table
        .filter(centres::operator_id.eq(operator_id))
        .select(centres::id)
        .load(conn)
        .await?;
    Ok(ids.into_iter().collect())
}

/// Which of `ids` name qualification types.
pub async fn known_qualification_types(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<HashSet<Uuid>> {
    let found: Vec<Uuid> = qualification_types::table
        .filter(qualification_types::id.eq_any(ids))
        .select(qualification_types::id)
        .load(conn)
        .await?;
    Ok(found.into_iter().collect())
}

/// Inserts new activities with their schedules, then their occurrences, in chunks.
pub async fn insert_activities(
    conn: &mut AsyncPgConnection,
    rows: &[(NewActivity<'_>, ScheduleColumns)],
    slots: &[(Uuid, Slot)],
) -> Result<()> {
    for chunk in rows.chunks(CHUNK) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(new, schedule)| (new, schedule))
            .collect();
        diesel::insert_into(activities::table)
            .values(values)
            .execute(conn)
            .await?;
    }
    for chunk in slots.chunks(CHUNK * 5) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(activity_id, slot)| {
                (
                    occurrences::id.eq(Uuid::now_v7()),
                    occurrences::activity_id.eq(*activity_id),
                    occurrences::original_start.eq(slot.original_start),
                    occurrences::starts_at.eq(slot.starts_at),
                    occurrences::ends_at.eq(slot.ends_at),
                )
            })
            .collect();
        diesel::insert_into(occurrences::table)
            .values(values)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// A shift a bulk import creates.
#[derive(Debug, Clone)]
pub struct ImportedShift<'a> {
    pub id: Uuid,
    pub centre_id: Uuid,
    pub external_id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    pub min_age_note: Option<&'a str>,
    pub skills: &'a [String],
    pub required: &'a [Uuid],
}

/// Inserts new shifts of `operator_id` with their required qualifications and their
/// `shift.created` events, in chunks.
pub async fn insert_shifts(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    rows: &[ImportedShift<'_>],
) -> Result<()> {
    for chunk in rows.chunks(CHUNK) {
        let values: Vec<_> = chunk
            .iter()
            .map(|s| {
                (
                    shifts::id.eq(s.id),
                    shifts::centre_id.eq(s.centre_id),
                    shifts::operator_id.eq(operator_id),
                    shifts::external_id.eq(s.external_id),
                    shifts::title.eq(s.title),
                    shifts::description.eq(s.description),
                    shifts::starts_at.eq(s.starts_at),
                    shifts::ends_at.eq(s.ends_at),
                    shifts::capacity.eq(s.capacity),
                    shifts::min_age_note.eq(s.min_age_note),
                    shifts::skills.eq(s.skills),
                )
            })
            .collect();
        diesel::insert_into(shifts::table)
            .values(values)
            .execute(conn)
            .await?;
        let required: Vec<_> = chunk
            .iter()
            .flat_map(|s| {
                s.required.iter().map(|type_id| {
                    (
                        shift_qualifications::shift_id.eq(s.id),
                        shift_qualifications::type_id.eq(*type_id),
                    )
                })
            })
            .collect();
        for part in required.chunks(CHUNK) {
            diesel::insert_into(shift_qualifications::table)
                .values(part)
                .execute(conn)
                .await?;
        }
        let events: Vec<Event> = chunk
            .iter()
            .map(|s| {
                Event::shift(
                    ShiftChange::Created,
                    ShiftFacts {
                        shift_id: s.id,
                        operator_id,
                        centre_id: s.centre_id,
                        occurrence_id: None,
                        external_id: Some(s.external_id.to_owned()),
                        starts_at: s.starts_at,
                        ends_at: s.ends_at,
                        capacity: s.capacity,
                        confirmed_count: 0,
                        status: ShiftStatus::Open,
                    },
                )
            })
            .collect();
        outbox::record_all(conn, &events).await?;
    }
    Ok(())
}
