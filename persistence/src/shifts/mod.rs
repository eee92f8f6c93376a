//! Shifts (Einsätze): slots where volunteers help, at a centre or tied to an occurrence.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use quartier_domain::{ChangeReason, Event, Places, ShiftChange, ShiftFacts, ShiftStatus};

use crate::columns::ShiftStatusColumn;
use crate::schema::{occurrences, shift_qualifications, shifts};
use crate::{Error, Result, outbox, places};

mod dates;
mod search;

pub use dates::{cancel_with_occurrence, move_with_occurrence};
pub(crate) use search::push_where;
pub use search::{ExportShift, ShiftFilter, ShiftKey, of_operator, search};

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
    #[diesel(deserialize_as = ShiftStatusColumn)]
    pub status: ShiftStatus,
    pub confirmed_count: i32,
    pub skills: Vec<String>,
    /// The operator's own id for it.
    pub external_id: Option<String>,
    /// The operator of its centre.
    pub operator_id: Uuid,
    /// Whether guests may sign up; `None`: as its centre says.
    pub guest_signups: Option<bool>,
    /// Places held for guests until they confirm.
    pub held_count: i32,
}

impl ShiftRow {
    /// Its places as the row counts them.
    pub fn places(&self) -> Places {
        Places {
            capacity: self.capacity,
            confirmed: self.confirmed_count,
            held: self.held_count,
        }
    }

    /// The shift as an event tells it.
    pub fn facts(&self) -> ShiftFacts {
        ShiftFacts {
            shift_id: self.id,
            operator_id: self.operator_id,
            centre_id: self.centre_id,
            occurrence_id: self.occurrence_id,
            external_id: self.external_id.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            capacity: self.capacity,
            confirmed_count: self.confirmed_count,
            status: self.status,
        }
    }
}

/// A shift with what its public view adds: centre, operator, activity, waitlist length.
#[derive(Debug, Clone, QueryableByName)]
pub struct ShiftView {
    #[diesel(embed)]
    pub shift: ShiftRow,
    #[diesel(sql_type = Text)]
    pub centre_name: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub activity_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub activity_title: Option<String>,
    /// The activity's status; shifts of unpublished activities are for its staff only.
    #[diesel(sql_type = Nullable<Text>)]
    pub activity_status: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub waitlisted: i64,
    /// Whether guests may sign up (the shift's choice, else its centre's).
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub guests_welcome: bool,
    /// Ids of the qualification types it requires.
    #[diesel(sql_type = diesel::sql_types::Array<SqlUuid>)]
    pub required: Vec<Uuid>,
    /// The places standing sign-ups may confirm, as set for it; `None`: all but one.
    #[diesel(sql_type = Nullable<diesel::sql_types::Int4>)]
    pub standing_max: Option<i32>,
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
    pub skills: &'a [String],
    pub external_id: Option<&'a str>,
}

/// `required` must name qualification types.
pub const QUALIFICATION_FOREIGN_KEY: &str = "shift_qualifications_type_id_fkey";

/// `occurrence_id` must name an occurrence (it may vanish while a schedule is re-planned).
pub const OCCURRENCE_FOREIGN_KEY: &str = "shifts_occurrence_id_fkey";

async fn insert_one(
    conn: &mut AsyncPgConnection,
    new: &NewShift<'_>,
    operator_id: Uuid,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let row: ShiftRow = diesel::insert_into(shifts::table)
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
            shifts::skills.eq(new.skills),
            shifts::operator_id.eq(operator_id),
            shifts::external_id.eq(new.external_id),
        ))
        .returning(ShiftRow::as_returning())
        .get_result(conn)
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
    outbox::record(conn, &Event::shift(ShiftChange::Created, row.facts())).await?;
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

pub(crate) const VIEW: &str = "\
    SELECT s.id, s.centre_id, s.occurrence_id, s.title, s.starts_at, s.ends_at, s.capacity, \
           s.created_at, s.updated_at, s.version, s.description, s.min_age_note, s.status, \
           s.confirmed_count, s.skills, s.external_id, s.operator_id, s.guest_signups, s.held_count, \
           c.name AS centre_name, a.id AS activity_id, \
           a.title AS activity_title, a.status AS activity_status, \
           coalesce(s.guest_signups, c.guest_signups) AS guests_welcome, \
           (SELECT count(*) FROM signups w WHERE w.shift_id = s.id AND w.status = 'waitlisted') AS waitlisted, \
           ARRAY(SELECT q.type_id FROM shift_qualifications q WHERE q.shift_id = s.id ORDER BY q.type_id) AS required, \
           s.standing_max \
    FROM shifts s JOIN centres c ON c.id = s.centre_id \
    LEFT JOIN occurrences o ON o.id = s.occurrence_id LEFT JOIN activities a ON a.id = o.activity_id";

/// One shift with its public facts.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<ShiftView>> {
    Ok(crate::sql::Reusable(
        diesel::sql_query(format!("{VIEW} WHERE s.id = $1")).bind::<SqlUuid, _>(id),
    )
    .get_result(conn)
    .await
    .optional()?)
}

/// Changes to a shift; `None` leaves a field.
#[derive(Debug, Default)]
pub struct ShiftChanges<'a> {
    pub title: Option<&'a str>,
    pub description: Option<&'a str>,
    pub min_age_note: Option<Option<&'a str>>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub capacity: Option<i32>,
    /// Cancels the shift and all its sign-ups.
    pub cancel: bool,
    /// Confirmed sign-ups to move back to the waitlist when the capacity drops below the
    /// confirmed count.
    pub move_to_waitlist: &'a [Uuid],
    pub skills: Option<&'a [String]>,
    /// The qualification types required from now on (sign-ups made stay).
    pub required: Option<&'a [Uuid]>,
    /// Whether guests may sign up: `Some(None)` follows the centre.
    pub guest_signups: Option<Option<bool>>,
    /// The places standing sign-ups may confirm: `Some(None)` all but one. Places they hold
    /// already stay.
    pub standing_max: Option<Option<i32>>,
}

/// Why a shift was not changed.
#[derive(Debug, PartialEq, Eq)]
pub enum ShiftRefusal {
    NotFound,
    VersionConflict,
    Cancelled,
    /// The capacity would drop below the confirmed sign-ups: name this many more to move back.
    BelowConfirmed {
        confirmed: i32,
        to_move: i32,
    },
    /// A sign-up to move back is not a confirmed one of this shift.
    NotConfirmedHere(Uuid),
}

/// Applies `changes` in one transaction with its events: new times carry over to the
/// sign-ups (the overlap rule still holds: a violation of the sign-ups' exclusion constraint
/// comes back as an error), a higher capacity promotes from the waitlist, a lower one moves the
/// named sign-ups back to it, a cancellation cancels every live sign-up.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected_versions: Option<&[i32]>,
    changes: &ShiftChanges<'_>,
    changed_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<std::result::Result<ShiftRow, ShiftRefusal>> {
    use crate::schema::signups;
    conn.transaction::<_, Error, _>(async |conn| {
        let Some(shift) = shifts::table
            .filter(shifts::id.eq(id))
            .select(ShiftRow::as_select())
            .for_no_key_update()
            .first(conn)
            .await
            .optional()?
        else {
            return Ok(Err(ShiftRefusal::NotFound));
        };
        if expected_versions.is_some_and(|v| !v.contains(&shift.version)) {
            return Ok(Err(ShiftRefusal::VersionConflict));
        }
        if shift.status == ShiftStatus::Cancelled {
            return Ok(Err(ShiftRefusal::Cancelled));
        }
        let starts_at = changes.starts_at.unwrap_or(shift.starts_at);
        let ends_at = changes.ends_at.unwrap_or(shift.ends_at);
        let capacity = changes.capacity.unwrap_or(shift.capacity);
        if changes.cancel {
            places::cancel_all(conn, &shift, changed_by, ChangeReason::ShiftCancelled, now).await?;
        } else if shift.places().over_capacity(capacity) > 0 {
            let confirmed = shift.confirmed_count;
            let to_move = shift.places().over_capacity(capacity);
            if (changes.move_to_waitlist.len() as i32) < to_move {
                return Ok(Err(ShiftRefusal::BelowConfirmed { confirmed, to_move }));
            }
            let here: Vec<Uuid> = signups::table
                .filter(signups::shift_id.eq(id))
                .filter(signups::status.eq(quartier_domain::SignupStatus::Confirmed.as_str()))
                .filter(signups::id.eq_any(changes.move_to_waitlist))
                .select(signups::id)
                .load(conn)
                .await?;
            if let Some(stranger) = changes.move_to_waitlist.iter().find(|m| !here.contains(m)) {
                return Ok(Err(ShiftRefusal::NotConfirmedHere(*stranger)));
            }
            places::move_to_waitlist(
                conn,
                &shift,
                changes.move_to_waitlist,
                to_move as usize,
                now,
            )
            .await?;
        }
        if !changes.cancel {
            // Guests who have not confirmed yet give up held places before anyone confirmed
            // (after every refusal above: a refused change changes nothing).
            places::holds::yield_places(conn, &shift, capacity).await?;
        }
        if starts_at != shift.starts_at || ends_at != shift.ends_at {
            diesel::update(signups::table.filter(signups::shift_id.eq(id)))
                .set((
                    signups::starts_at.eq(starts_at),
                    signups::ends_at.eq(ends_at),
                ))
                .execute(conn)
                .await?;
            places::holds::shift_moved(conn, id, starts_at, now).await?;
        }
        if let Some(required) = changes.required {
            diesel::delete(
                shift_qualifications::table
                    .filter(shift_qualifications::shift_id.eq(id))
                    .filter(diesel::dsl::not(
                        shift_qualifications::type_id.eq_any(required),
                    )),
            )
            .execute(conn)
            .await?;
            let rows: Vec<_> = required
                .iter()
                .map(|type_id| {
                    (
                        shift_qualifications::shift_id.eq(id),
                        shift_qualifications::type_id.eq(*type_id),
                    )
                })
                .collect();
            diesel::insert_into(shift_qualifications::table)
                .values(&rows)
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
        }
        let row: ShiftRow = diesel::update(shifts::table.filter(shifts::id.eq(id)))
            .set((
                changes.title.map(|t| shifts::title.eq(t)),
                changes.skills.map(|s| shifts::skills.eq(s)),
                changes.description.map(|d| shifts::description.eq(d)),
                changes.min_age_note.map(|n| shifts::min_age_note.eq(n)),
                changes.guest_signups.map(|g| shifts::guest_signups.eq(g)),
                changes.standing_max.map(|m| shifts::standing_max.eq(m)),
                shifts::starts_at.eq(starts_at),
                shifts::ends_at.eq(ends_at),
                shifts::capacity.eq(capacity),
                shifts::status.eq(if changes.cancel {
                    ShiftStatus::Cancelled.as_str()
                } else {
                    ShiftStatus::Open.as_str()
                }),
                shifts::version.eq(shifts::version + 1),
                shifts::updated_at.eq(now),
            ))
            .returning(ShiftRow::as_returning())
            .get_result(conn)
            .await?;
        // A higher capacity fills from the waitlist.
        let promoted = places::fill_raised_capacity(conn, &row, now).await?;
        let row = ShiftRow {
            confirmed_count: row.confirmed_count + promoted as i32,
            ..row
        };
        let change = if changes.cancel {
            ShiftChange::Cancelled
        } else {
            ShiftChange::Changed
        };
        outbox::record(conn, &Event::shift(change, row.facts())).await?;
        Ok(Ok(row))
    })
    .await
}

/// The shift of `operator_id` with the operator's own id `external_id`.
pub async fn find_external(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    external_id: &str,
) -> Result<Option<ShiftView>> {
    Ok(diesel::sql_query(format!(
        "{VIEW} WHERE s.operator_id = $1 AND s.external_id = $2"
    ))
    .bind::<SqlUuid, _>(operator_id)
    .bind::<Text, _>(external_id)
    .get_result(conn)
    .await
    .optional()?)
}

/// The operator's own ids for shifts are unique per operator.
pub const EXTERNAL_ID_KEY: &str = "shifts_operator_external_id_key";
