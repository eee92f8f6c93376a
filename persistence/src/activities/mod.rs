//! Activities (Angebote) of centres, with their schedules, and the public list over them.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Float8, Int8, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::schedule::{self, Schedule, Slot, Stored};
use uuid::Uuid;

use crate::occurrences::OccurrenceRow;
use crate::schema::{activities, occurrences, operator_members, shifts};
use crate::sql::Statement;
use crate::{Error, Refusal, Result};

mod horizon;
mod search;

pub use horizon::*;
pub use search::*;

/// `centre_id` must name a centre.
pub const CENTRE_FOREIGN_KEY: &str = "activities_centre_id_fkey";

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = activities, check_for_backend(diesel::pg::Pg))]
pub struct ActivityRow {
    pub id: Uuid,
    pub centre_id: Uuid,
    pub title: String,
    pub description: String,
    pub category: String,
    pub target_groups: Vec<String>,
    pub languages: Vec<String>,
    pub accessibility_notes: String,
    pub free_of_charge: bool,
    pub cost_cents: Option<i32>,
    pub cost_note: Option<String>,
    pub registration_required: bool,
    pub participant_limit: Option<i32>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub status: String,
    pub schedule_kind: String,
    pub time_zone: String,
    pub first_start_local: NaiveDateTime,
    pub first_start: DateTime<Utc>,
    pub duration_minutes: i32,
    pub rrule: Option<String>,
    pub excluded_dates: Vec<NaiveDate>,
    pub materialized_until: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// The operator's own id for it.
    pub external_id: Option<String>,
}

impl ActivityRow {
    /// The stored schedule, checked again.
    pub fn schedule(&self) -> std::result::Result<Schedule, quartier_domain::ValidationErrors> {
        let zone = schedule::time_zone(&self.time_zone, "schedule.time_zone")?;
        let minutes = u32::try_from(self.duration_minutes).unwrap_or(0);
        match &self.rrule {
            Some(rule) => Schedule::recurring(
                rule,
                self.first_start_local,
                minutes,
                zone,
                &self.excluded_dates,
            ),
            None => Schedule::once(
                self.first_start,
                self.first_start + chrono::Duration::minutes(i64::from(minutes)),
                zone,
            ),
        }
    }
}

/// An activity with the centre it takes place in, as every view of it shows.
#[derive(Debug, Clone, QueryableByName)]
pub struct ActivityView {
    #[diesel(embed)]
    pub activity: ActivityRow,
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

/// The schedule columns of an activity.
#[derive(Debug, Clone, AsChangeset, Insertable)]
#[diesel(table_name = activities, treat_none_as_null = true)]
pub struct ScheduleColumns {
    pub schedule_kind: &'static str,
    pub time_zone: String,
    pub first_start_local: NaiveDateTime,
    pub first_start: DateTime<Utc>,
    pub duration_minutes: i32,
    pub rrule: Option<String>,
    pub excluded_dates: Vec<NaiveDate>,
}

impl ScheduleColumns {
    pub fn of(schedule: &Schedule) -> Self {
        let zone = schedule.time_zone();
        match schedule {
            Schedule::Once {
                starts_at, ends_at, ..
            } => Self {
                schedule_kind: "once",
                time_zone: zone.name().to_owned(),
                first_start_local: starts_at.with_timezone(&zone).naive_local(),
                first_start: *starts_at,
                duration_minutes: i32::try_from((*ends_at - *starts_at).num_minutes())
                    .unwrap_or(i32::MAX),
                rrule: None,
                excluded_dates: Vec::new(),
            },
            Schedule::Recurring(r) => Self {
                schedule_kind: "recurring",
                time_zone: zone.name().to_owned(),
                first_start_local: r.first_start(),
                first_start: chrono::TimeZone::from_local_datetime(&zone, &r.first_start())
                    .earliest()
                    .map(|at| at.with_timezone(&Utc))
                    .unwrap_or_default(),
                duration_minutes: i32::try_from(r.duration_minutes()).unwrap_or(i32::MAX),
                rrule: Some(r.rule().to_owned()),
                excluded_dates: r.excluded_dates(),
            },
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = activities)]
pub struct NewActivity<'a> {
    pub id: Uuid,
    pub centre_id: Uuid,
    /// The centre's operator.
    pub operator_id: Uuid,
    pub external_id: Option<&'a str>,
    pub title: &'a str,
    pub description: &'a str,
    pub category: &'a str,
    pub target_groups: &'a [String],
    pub languages: &'a [String],
    pub accessibility_notes: &'a str,
    pub free_of_charge: bool,
    pub cost_cents: Option<i32>,
    pub cost_note: Option<&'a str>,
    pub registration_required: bool,
    pub participant_limit: Option<i32>,
    pub contact_name: Option<&'a str>,
    pub contact_email: Option<&'a str>,
    pub contact_phone: Option<&'a str>,
    pub status: &'a str,
    pub materialized_until: DateTime<Utc>,
}

impl ScheduleColumns {
    /// Whether `row` holds this schedule already.
    pub fn same_as(&self, row: &ActivityRow) -> bool {
        self.schedule_kind == row.schedule_kind
            && self.time_zone == row.time_zone
            && self.first_start_local.trunc_subsecs(6) == row.first_start_local
            && self.first_start.trunc_subsecs(6) == row.first_start
            && self.duration_minutes == row.duration_minutes
            && self.rrule == row.rrule
            && self.excluded_dates == row.excluded_dates
    }
}

impl ActivityChanges<'_> {
    /// Whether applying these changes to `row` would leave it as it is.
    pub fn change_nothing_in(&self, row: &ActivityRow) -> bool {
        fn same<T: PartialEq + ?Sized>(wanted: Option<&T>, stored: &T) -> bool {
            wanted.is_none_or(|w| w == stored)
        }
        same(self.title, row.title.as_str())
            && same(self.description, row.description.as_str())
            && same(self.category, row.category.as_str())
            && same(self.target_groups, row.target_groups.as_slice())
            && same(self.languages, row.languages.as_slice())
            && same(self.accessibility_notes, row.accessibility_notes.as_str())
            && same(self.free_of_charge.as_ref(), &row.free_of_charge)
            && same(self.cost_cents.as_ref(), &row.cost_cents)
            && same(self.cost_note.as_ref(), &row.cost_note.as_deref())
            && same(
                self.registration_required.as_ref(),
                &row.registration_required,
            )
            && same(self.participant_limit.as_ref(), &row.participant_limit)
            && same(self.contact_name.as_ref(), &row.contact_name.as_deref())
            && same(self.contact_email.as_ref(), &row.contact_email.as_deref())
            && same(self.contact_phone.as_ref(), &row.contact_phone.as_deref())
            && same(self.status, row.status.as_str())
    }
}

/// The activity of `operator_id` with the operator's own id `external_id`.
pub async fn find_external(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    external_id: &str,
) -> Result<Option<ActivityRow>> {
    Ok(activities::table
        .filter(activities::operator_id.eq(operator_id))
        .filter(activities::external_id.eq(external_id))
        .select(ActivityRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The operator's own ids are unique per operator.
pub const EXTERNAL_ID_KEY: &str = "activities_operator_external_id_key";

/// Changes to an activity; `None` leaves a field, `Some(None)` clears it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = activities)]
pub struct ActivityChanges<'a> {
    pub title: Option<&'a str>,
    pub description: Option<&'a str>,
    pub category: Option<&'a str>,
    pub target_groups: Option<&'a [String]>,
    pub languages: Option<&'a [String]>,
    pub accessibility_notes: Option<&'a str>,
    pub free_of_charge: Option<bool>,
    pub cost_cents: Option<Option<i32>>,
    pub cost_note: Option<Option<&'a str>>,
    pub registration_required: Option<bool>,
    pub participant_limit: Option<Option<i32>>,
    pub contact_name: Option<Option<&'a str>>,
    pub contact_email: Option<Option<&'a str>>,
    pub contact_phone: Option<Option<&'a str>>,
    pub status: Option<&'a str>,
}

/// Who is looking: the public sees published activities only; staff also see everything of
/// their operators, administrators everything.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    pub admin: bool,
    pub operators: Vec<Uuid>,
}

/// The operators `user_id` is staff of.
pub async fn staff_operators(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<Uuid>> {
    Ok(operator_members::table
        .filter(operator_members::user_id.eq(user_id))
        .select(operator_members::operator_id)
        .load(conn)
        .await?)
}

/// Creates the activity with its occurrences from `from` to `until`, in one transaction.
pub async fn create(
    conn: &mut AsyncPgConnection,
    new: &NewActivity<'_>,
    schedule: &Schedule,
    from: DateTime<Utc>,
) -> Result<ActivityRow> {
    conn.transaction::<_, Error, _>(async |conn| {
        let row: ActivityRow = diesel::insert_into(activities::table)
            .values((new, ScheduleColumns::of(schedule)))
            .returning(ActivityRow::as_returning())
            .get_result(conn)
            .await?;
        let until = schedule.materialize_until(new.materialized_until);
        insert_slots(conn, row.id, &schedule.slots_between(from, until)).await?;
        Ok(row)
    })
    .await
}

/// Stores `slots` as occurrences of `activity_id`; those already there stay as they are.
/// New dates hold the activity's room where their time is free.
pub(crate) async fn insert_slots(
    conn: &mut AsyncPgConnection,
    activity_id: Uuid,
    slots: &[Slot],
) -> Result<usize> {
    let mut inserted = 0;
    for chunk in slots.chunks(1000) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|slot| {
                (
                    occurrences::id.eq(Uuid::now_v7()),
                    occurrences::activity_id.eq(activity_id),
                    occurrences::original_start.eq(slot.original_start),
                    occurrences::starts_at.eq(slot.starts_at),
                    occurrences::ends_at.eq(slot.ends_at),
                )
            })
            .collect();
        let ids: Vec<Uuid> = diesel::insert_into(occurrences::table)
            .values(&rows)
            .on_conflict((occurrences::activity_id, occurrences::original_start))
            .do_nothing()
            .returning(occurrences::id)
            .get_results(conn)
            .await?;
        crate::rooms::hold_new_dates(conn, activity_id, &ids).await?;
        inserted += ids.len();
    }
    Ok(inserted)
}

/// One activity with its centre, whatever its status.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<ActivityView>> {
    let mut statement = Statement::new(VIEW_COLUMNS);
    statement
        .push(" NULL::float8 AS distance_km")
        .push(VIEW_FROM)
        .push(" WHERE a.id = ")
        .bind::<SqlUuid, _>(id);
    Ok(statement.finish().get_result(conn).await.optional()?)
}

const VIEW_COLUMNS: &str = "\
    SELECT a.id, a.centre_id, a.title, a.description, a.category, a.target_groups, a.languages, \
           a.accessibility_notes, a.free_of_charge, a.cost_cents, a.cost_note, \
           a.registration_required, a.participant_limit, a.contact_name, a.contact_email, \
           a.contact_phone, a.status, a.schedule_kind, a.time_zone, a.first_start_local, \
           a.first_start, a.duration_minutes, a.rrule, a.excluded_dates, a.materialized_until, \
           a.created_at, a.updated_at, a.version, a.external_id, \
           c.name AS centre_name, a.operator_id, c.district_id, d.name AS district_name, \
           c.step_free,";

const VIEW_FROM: &str = " FROM activities a JOIN centres c ON c.id = a.centre_id \
    JOIN districts d ON d.id = c.district_id";

/// What became of the future occurrences when a schedule changed.
#[derive(Debug, Default)]
pub struct Rematerialized {
    pub inserted: usize,
    pub updated: usize,
    pub deleted: usize,
    /// No longer in the schedule but kept, because shifts hang on them.
    pub kept: Vec<Uuid>,
}

/// Applies `changes` (and a new schedule) if the activity is at one of `expected_versions`
/// (any when `None`). A new schedule re-materializes the occurrences that have not started by
/// `now`, up to `until`; past ones stay as they are. Cancelled or archived by `actor`, the
/// activity gives back its room and the rooms booked for it.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected_versions: Option<&[i32]>,
    changes: &ActivityChanges<'_>,
    schedule: Option<(&Schedule, DateTime<Utc>, DateTime<Utc>)>,
    actor: crate::audit::Actor,
) -> Result<Result<(ActivityRow, Rematerialized), Refusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let mut statement = diesel::update(activities::table)
            .filter(activities::id.eq(id))
            .into_boxed();
        if let Some(versions) = expected_versions {
            statement = statement.filter(activities::version.eq_any(versions.to_vec()));
        }
        let columns = schedule.map(|(s, _, until)| {
            (
                ScheduleColumns::of(s),
                activities::materialized_until.eq(until),
            )
        });
        let updated = statement
            .set((
                changes,
                columns,
                activities::version.eq(activities::version + 1),
                activities::updated_at.eq(diesel::dsl::now),
            ))
            .returning(ActivityRow::as_returning())
            .get_result(conn)
            .await
            .optional()?;
        let Some(row) = updated else {
            let exists = activities::table
                .filter(activities::id.eq(id))
                .count()
                .get_result::<i64>(conn)
                .await?
                > 0;
            return Ok(Err(if exists {
                Refusal::VersionConflict
            } else {
                Refusal::NotFound
            }));
        };
        // A cancelled or archived activity gives its room back for its dates to come, and
        // the rooms booked for it are cancelled.
        if !quartier_domain::activity::ActivityStatus::stored_uses_rooms(&row.status) {
            crate::rooms::release_activity(conn, id, Utc::now()).await?;
            crate::rooms::cancel_for_activity(conn, id, actor, Utc::now()).await?;
        }
        let outcome = match schedule {
            Some((schedule, now, until)) => rematerialize(conn, id, schedule, now, until).await?,
            None => Rematerialized::default(),
        };
        Ok(Ok((row, outcome)))
    })
    .await
}

/// Makes the occurrences from `now` to `until` follow `schedule`: those the schedule still
/// has keep their id (and so their calendar UID), staff's moves, cancellations and notes.
async fn rematerialize(
    conn: &mut AsyncPgConnection,
    activity_id: Uuid,
    schedule: &Schedule,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Rematerialized> {
    // Locking the rows keeps shifts from being added to them meanwhile. Rows that have begun
    // or whose place has passed are loaded only to keep their place taken.
    let stored: Vec<OccurrenceRow> = occurrences::table
        .filter(occurrences::activity_id.eq(activity_id))
        .filter(
            occurrences::starts_at
                .ge(now)
                .or(occurrences::original_start.ge(now)),
        )
        .select(OccurrenceRow::as_select())
        .order(occurrences::original_start)
        .for_update()
        .load(conn)
        .await?;
    crate::rooms::lock_room_of(conn, Some(activity_id), None).await?;
    let ids: Vec<Uuid> = stored.iter().map(|s| s.id).collect();
    let with_shifts: Vec<Uuid> = shifts::table
        .filter(shifts::occurrence_id.eq_any(&ids))
        .select(shifts::occurrence_id.assume_not_null())
        .distinct()
        .load(conn)
        .await?;
    let stored: Vec<Stored> = stored
        .into_iter()
        .map(|o| Stored {
            id: o.id,
            original_start: o.original_start,
            starts_at: o.starts_at,
            ends_at: o.ends_at,
            moved: o.moved,
            detached: o.detached,
            frozen: o.starts_at < now || o.original_start < now,
            has_dependents: with_shifts.contains(&o.id),
        })
        .collect();
    let wanted = schedule.slots_between(now, schedule.materialize_until(until));
    let plan = schedule::reconcile(&stored, &wanted, schedule.time_zone());
    let deleted = diesel::delete(occurrences::table.filter(occurrences::id.eq_any(&plan.delete)))
        .execute(conn)
        .await?;
    // The dates that move give back their rooms' time first, so that one date may move into
    // the time another leaves; each claims its new time as it moves (and a time taken by
    // anything else refuses the change).
    let moving: Vec<Uuid> = plan
        .update
        .iter()
        .filter(|(id, slot)| {
            stored.iter().any(|s| {
                s.id == *id
                    && !s.moved
                    && (s.starts_at, s.ends_at) != (slot.starts_at, slot.ends_at)
            })
        })
        .map(|(id, _)| *id)
        .collect();
    if !moving.is_empty() {
        diesel::sql_query("DELETE FROM room_claims WHERE occurrence_id = ANY($1)")
            .bind::<Array<SqlUuid>, _>(&moving)
            .execute(conn)
            .await?;
    }
    for (id, slot) in &plan.update {
        let moved = stored.iter().any(|s| s.id == *id && s.moved);
        let target = occurrences::table.filter(occurrences::id.eq(id));
        let bump = (
            occurrences::original_start.eq(slot.original_start),
            occurrences::detached.eq(false),
            occurrences::sequence.eq(occurrences::sequence + 1),
            occurrences::version.eq(occurrences::version + 1),
            occurrences::updated_at.eq(diesel::dsl::now),
        );
        if moved {
            diesel::update(target).set(bump).execute(conn).await?;
        } else {
            diesel::update(target)
                .set((
                    bump,
                    occurrences::starts_at.eq(slot.starts_at),
                    occurrences::ends_at.eq(slot.ends_at),
                ))
                .execute(conn)
                .await?;
        }
    }
    // The dates that moved with their room take it from the requests at their new times.
    crate::rooms::decline_for_dates(conn, &moving, None, Utc::now()).await?;
    diesel::update(occurrences::table.filter(occurrences::id.eq_any(&plan.keep)))
        .filter(occurrences::detached.eq(false))
        .set((
            occurrences::detached.eq(true),
            occurrences::sequence.eq(occurrences::sequence + 1),
            occurrences::version.eq(occurrences::version + 1),
            occurrences::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    let inserted = insert_slots(conn, activity_id, &plan.insert).await?;
    Ok(Rematerialized {
        inserted,
        updated: plan.update.len(),
        deleted,
        kept: plan.keep,
    })
}

pub use crate::centres::Near;
