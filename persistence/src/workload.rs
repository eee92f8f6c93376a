//! Workload limits: operators' policies, volunteers' own caps, and what a volunteer holds
//! around a shift, counted for `quartier_domain::workload::check`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::activity::Category;
use quartier_domain::workload::{
    Exceeded, NewShift, OwnCaps, Usage, WorkloadPolicy, check, check_category, day_of, month_of,
    week_of,
};
use uuid::Uuid;

use crate::shifts::ShiftRow;
use crate::{Error, Result};

/// Whose sign-up it is, for which limits hold: the operator's policy binds a volunteer's own
/// sign-ups, and sign-ups by staff where it says so, unless staff override it (with a reason
/// the caller audits); her own caps bind every sign-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedUpBy {
    Herself,
    Staff,
    StaffOverridingPolicy,
}

/// The limit a confirmed place on `shift` would take `user_id` past, if any: the shift's
/// operator's policy (as `by` says) and her own caps.
/// Where a limit applies, her account row is locked first (a no-op for a sign-up, which
/// holds it already), so that what she holds is counted one change after another.
pub async fn refusal(
    conn: &mut AsyncPgConnection,
    shift: &ShiftRow,
    user_id: Uuid,
    by: SignedUpBy,
    now: DateTime<Utc>,
) -> Result<Option<Exceeded>> {
    Ok(verdict(conn, shift, user_id, by, now, true)
        .await?
        .flatten())
}

/// `refusal` for someone else than the one who acts, with the shift locked already (a
/// promotion from the waitlist): her account row is locked only if it is free at once, as
/// waiting for it would take the locks in the other order than a sign-up does. `None` when
/// it is not (a change of hers is under way); `Some` of what `refusal` says otherwise.
pub async fn refusal_unless_busy(
    conn: &mut AsyncPgConnection,
    shift: &ShiftRow,
    user_id: Uuid,
    by: SignedUpBy,
    now: DateTime<Utc>,
) -> Result<Option<Option<Exceeded>>> {
    verdict(conn, shift, user_id, by, now, false).await
}

async fn verdict(
    conn: &mut AsyncPgConnection,
    shift: &ShiftRow,
    user_id: Uuid,
    by: SignedUpBy,
    now: DateTime<Utc>,
    wait: bool,
) -> Result<Option<Option<Exceeded>>> {
    let binding = policy(conn, shift.operator_id)
        .await?
        .map(|row| row.policy())
        .filter(|p| match by {
            SignedUpBy::Herself => true,
            SignedUpBy::Staff => p.binds_staff,
            SignedUpBy::StaffOverridingPolicy => false,
        });
    let category_policy = match (binding, shift.occurrence_id) {
        (Some(_), Some(occurrence)) => category_policy_of(conn, shift.operator_id, occurrence)
            .await?
            .filter(|(_, p)| p.limits_anything()),
        _ => None,
    };
    let policy = binding.filter(WorkloadPolicy::limits_anything);
    let caps = own_caps(conn, user_id).await?;
    if policy.is_none() && category_policy.is_none() && caps == OwnCaps::default() {
        return Ok(Some(None));
    }
    let account = crate::schema::users::table
        .filter(crate::schema::users::id.eq(user_id))
        .select(crate::schema::users::id)
        .for_no_key_update();
    let locked: Vec<Uuid> = if wait {
        account.load(conn).await?
    } else {
        account.skip_locked().load(conn).await?
    };
    if locked.is_empty() && !wait {
        return Ok(None);
    }
    let new = NewShift {
        starts_at: shift.starts_at,
        ends_at: shift.ends_at,
    };
    let held = usage(conn, user_id, shift.operator_id, shift.id, new, now, None).await?;
    if let Err(exceeded) = check(policy.as_ref(), &caps, &held, new) {
        return Ok(Some(Some(exceeded)));
    }
    let Some((category, limits)) = category_policy else {
        return Ok(Some(None));
    };
    let held = usage(
        conn,
        user_id,
        shift.operator_id,
        shift.id,
        new,
        now,
        Some(category),
    )
    .await?;
    Ok(Some(check_category(category, &limits, &held, new).err()))
}

/// An operator's limits for shifts of one activity category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategoryPolicy {
    pub category: Category,
    pub policy: WorkloadPolicy,
}

#[derive(QueryableByName)]
struct CategoryPolicyRow {
    #[diesel(sql_type = Text)]
    category: String,
    #[diesel(sql_type = Nullable<Int4>)]
    max_minutes_per_day: Option<i32>,
    #[diesel(sql_type = Nullable<Int4>)]
    max_minutes_per_week: Option<i32>,
    #[diesel(sql_type = Nullable<Int4>)]
    max_shifts_per_week: Option<i32>,
    #[diesel(sql_type = Nullable<Int4>)]
    min_rest_minutes: Option<i32>,
    #[diesel(sql_type = Nullable<Int4>)]
    max_future_signups: Option<i32>,
    #[diesel(sql_type = Bool)]
    binds_staff: bool,
}

impl CategoryPolicyRow {
    fn category_policy(self) -> Option<CategoryPolicy> {
        Some(CategoryPolicy {
            category: Category::parse(&self.category)?,
            policy: WorkloadPolicy {
                max_minutes_per_day: self.max_minutes_per_day,
                max_minutes_per_week: self.max_minutes_per_week,
                max_shifts_per_week: self.max_shifts_per_week,
                min_rest_minutes: self.min_rest_minutes,
                max_future_signups: self.max_future_signups,
                binds_staff: self.binds_staff,
            },
        })
    }
}

const CATEGORY_POLICY_COLUMNS: &str = "c.category, c.max_minutes_per_day, c.max_minutes_per_week, \
    c.max_shifts_per_week, c.min_rest_minutes, c.max_future_signups, p.binds_staff";

/// The limits `operator_id` sets for each activity category, in the order of the categories'
/// names.
pub async fn category_policies(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
) -> Result<Vec<CategoryPolicy>> {
    let rows: Vec<CategoryPolicyRow> = diesel::sql_query(format!(
        "SELECT {CATEGORY_POLICY_COLUMNS} FROM workload_category_policies c \
         JOIN workload_policies p ON p.operator_id = c.operator_id \
         WHERE c.operator_id = $1 ORDER BY c.category"
    ))
    .bind::<SqlUuid, _>(operator_id)
    .load(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(CategoryPolicyRow::category_policy)
        .collect())
}

/// The limits `operator_id` sets for the category of the activity `occurrence_id` is of.
async fn category_policy_of(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    occurrence_id: Uuid,
) -> Result<Option<(Category, WorkloadPolicy)>> {
    let row: Option<CategoryPolicyRow> = diesel::sql_query(format!(
        "SELECT {CATEGORY_POLICY_COLUMNS} FROM occurrences o \
         JOIN activities a ON a.id = o.activity_id \
         JOIN workload_category_policies c ON c.category = a.category AND c.operator_id = $1 \
         JOIN workload_policies p ON p.operator_id = c.operator_id \
         WHERE o.id = $2"
    ))
    .bind::<SqlUuid, _>(operator_id)
    .bind::<SqlUuid, _>(occurrence_id)
    .get_result(conn)
    .await
    .optional()?;
    Ok(row
        .and_then(CategoryPolicyRow::category_policy)
        .map(|c| (c.category, c.policy)))
}

/// An operator's policy as stored, with its version.
#[derive(Debug, Clone, QueryableByName)]
pub struct PolicyRow {
    #[diesel(sql_type = SqlUuid)]
    pub operator_id: Uuid,
    #[diesel(sql_type = Nullable<Int4>)]
    pub max_minutes_per_day: Option<i32>,
    #[diesel(sql_type = Nullable<Int4>)]
    pub max_minutes_per_week: Option<i32>,
    #[diesel(sql_type = Nullable<Int4>)]
    pub max_shifts_per_week: Option<i32>,
    #[diesel(sql_type = Nullable<Int4>)]
    pub min_rest_minutes: Option<i32>,
    #[diesel(sql_type = Nullable<Int4>)]
    pub max_future_signups: Option<i32>,
    #[diesel(sql_type = Bool)]
    pub binds_staff: bool,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
    #[diesel(sql_type = Int4)]
    pub version: i32,
}

impl PolicyRow {
    pub fn policy(&self) -> WorkloadPolicy {
        WorkloadPolicy {
            max_minutes_per_day: self.max_minutes_per_day,
            max_minutes_per_week: self.max_minutes_per_week,
            max_shifts_per_week: self.max_shifts_per_week,
            min_rest_minutes: self.min_rest_minutes,
            max_future_signups: self.max_future_signups,
            binds_staff: self.binds_staff,
        }
    }
}

const POLICY_COLUMNS: &str = "operator_id, max_minutes_per_day, max_minutes_per_week, \
    max_shifts_per_week, min_rest_minutes, max_future_signups, binds_staff, updated_at, version";

/// The policy of `operator_id`, if it set one.
pub async fn policy(conn: &mut AsyncPgConnection, operator_id: Uuid) -> Result<Option<PolicyRow>> {
    Ok(diesel::sql_query(format!(
        "SELECT {POLICY_COLUMNS} FROM workload_policies WHERE operator_id = $1"
    ))
    .bind::<SqlUuid, _>(operator_id)
    .get_result(conn)
    .await
    .optional()?)
}

/// Sets the policy of `operator_id`, if its version is still `expected` (0: none set yet).
/// `None` when another change came first.
/// Its limits per category replace those it had, in the same transaction.
pub async fn put_policy(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    policy: &WorkloadPolicy,
    categories: &[CategoryPolicy],
    expected: i32,
) -> Result<Option<PolicyRow>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let Some(saved) = put_operator_policy(conn, operator_id, policy, expected).await? else {
            return Ok(None);
        };
        diesel::sql_query("DELETE FROM workload_category_policies WHERE operator_id = $1")
            .bind::<SqlUuid, _>(operator_id)
            .execute(conn)
            .await?;
        for c in categories {
            diesel::sql_query(
                "INSERT INTO workload_category_policies (operator_id, category, \
                   max_minutes_per_day, max_minutes_per_week, max_shifts_per_week, \
                   min_rest_minutes, max_future_signups) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind::<SqlUuid, _>(operator_id)
            .bind::<Text, _>(c.category.as_str())
            .bind::<Nullable<Int4>, _>(c.policy.max_minutes_per_day)
            .bind::<Nullable<Int4>, _>(c.policy.max_minutes_per_week)
            .bind::<Nullable<Int4>, _>(c.policy.max_shifts_per_week)
            .bind::<Nullable<Int4>, _>(c.policy.min_rest_minutes)
            .bind::<Nullable<Int4>, _>(c.policy.max_future_signups)
            .execute(conn)
            .await?;
        }
        Ok(Some(saved))
    })
    .await
}

async fn put_operator_policy(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    policy: &WorkloadPolicy,
    expected: i32,
) -> Result<Option<PolicyRow>> {
    Ok(diesel::sql_query(format!(
        "INSERT INTO workload_policies AS p (operator_id, max_minutes_per_day, max_minutes_per_week, \
           max_shifts_per_week, min_rest_minutes, max_future_signups, binds_staff) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (operator_id) DO UPDATE SET \
           max_minutes_per_day = EXCLUDED.max_minutes_per_day, \
           max_minutes_per_week = EXCLUDED.max_minutes_per_week, \
           max_shifts_per_week = EXCLUDED.max_shifts_per_week, \
           min_rest_minutes = EXCLUDED.min_rest_minutes, \
           max_future_signups = EXCLUDED.max_future_signups, \
           binds_staff = EXCLUDED.binds_staff, \
           updated_at = now(), version = p.version + 1 \
         WHERE p.version = $8 \
         RETURNING {POLICY_COLUMNS}"
    ))
    .bind::<SqlUuid, _>(operator_id)
    .bind::<Nullable<Int4>, _>(policy.max_minutes_per_day)
    .bind::<Nullable<Int4>, _>(policy.max_minutes_per_week)
    .bind::<Nullable<Int4>, _>(policy.max_shifts_per_week)
    .bind::<Nullable<Int4>, _>(policy.min_rest_minutes)
    .bind::<Nullable<Int4>, _>(policy.max_future_signups)
    .bind::<Bool, _>(policy.binds_staff)
    .bind::<Int4, _>(expected)
    .get_result(conn)
    .await
    .optional()?)
}

#[derive(QueryableByName)]
struct CapsRow {
    #[diesel(sql_type = Nullable<Int4>)]
    max_shifts_per_week: Option<i32>,
    #[diesel(sql_type = Nullable<Int4>)]
    max_shifts_per_month: Option<i32>,
}

/// The caps `user_id` set herself (none without a profile).
pub async fn own_caps(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<OwnCaps> {
    let row: Option<CapsRow> = diesel::sql_query(
        "SELECT max_shifts_per_week, max_shifts_per_month FROM volunteer_profiles WHERE user_id = $1",
    )
    .bind::<SqlUuid, _>(user_id)
    .get_result(conn)
    .await
    .optional()?;
    Ok(row.map_or_else(OwnCaps::default, |row| OwnCaps {
        shifts_per_week: row.max_shifts_per_week,
        shifts_per_month: row.max_shifts_per_month,
    }))
}

/// The places the volunteer `user` holds (its operator, start and end, and with
/// `categories` the category of its activity, null for a shift of none): confirmed and
/// attended sign-ups, and places held for her as a guest until `now`; none for the shift
/// `except` (SQL expressions, such as `$1`). What every workload limit counts.
pub(crate) fn places_held(user: &str, now: &str, except: &str, categories: bool) -> String {
    let (category, of_activity) = if categories {
        (
            "a.category",
            "LEFT JOIN occurrences o ON o.id = s.occurrence_id \
             LEFT JOIN activities a ON a.id = o.activity_id",
        )
    } else {
        ("NULL::text", "")
    };
    format!(
        "SELECT s.operator_id, s.starts_at, s.ends_at, {category} AS category \
         FROM signups g JOIN shifts s ON s.id = g.shift_id {of_activity} \
         WHERE g.user_id = {user} AND g.status IN ('confirmed', 'attended') \
           AND g.shift_id IS DISTINCT FROM {except} \
         UNION ALL \
         SELECT s.operator_id, s.starts_at, s.ends_at, {category} AS category \
         FROM guest_holds h JOIN shifts s ON s.id = h.shift_id {of_activity} \
         WHERE h.user_id = {user} AND h.holds_place AND h.expires_at > {now} \
           AND h.shift_id IS DISTINCT FROM {except}"
    )
}

/// The new shift's windows and times, as SQL expressions.
struct Around<'a> {
    now: &'a str,
    day: (&'a str, &'a str),
    week: (&'a str, &'a str),
    month: (&'a str, &'a str),
    starts_at: &'a str,
    ends_at: &'a str,
}

/// The columns of `Usage` (as `UsageRow` names them), aggregated over rows of the places
/// she holds (`here`: at the operator counted, `starts_at`, `ends_at`, `minutes`), around
/// the new shift: what every limit counts, written once for both paths of a sign-up.
fn usage_columns(a: &Around) -> String {
    let Around {
        now,
        day: (day_from, day_to),
        week: (week_from, week_to),
        month: (month_from, month_to),
        starts_at,
        ends_at,
    } = a;
    format!(
        "coalesce(sum(minutes) FILTER (WHERE here AND starts_at >= {day_from} AND starts_at < {day_to}), 0)::bigint \
           AS operator_minutes_day, \
         coalesce(sum(minutes) FILTER (WHERE here AND starts_at >= {week_from} AND starts_at < {week_to}), 0)::bigint \
           AS operator_minutes_week, \
         count(*) FILTER (WHERE here AND starts_at >= {week_from} AND starts_at < {week_to}) AS operator_shifts_week, \
         count(*) FILTER (WHERE here AND starts_at > {now}) AS operator_future, \
         min((extract(epoch FROM {starts_at} - ends_at) / 60)::bigint) FILTER (WHERE here AND ends_at <= {starts_at}) \
           AS rest_before, \
         min((extract(epoch FROM starts_at - {ends_at}) / 60)::bigint) FILTER (WHERE here AND starts_at >= {ends_at}) \
           AS rest_after, \
         count(*) FILTER (WHERE starts_at >= {week_from} AND starts_at < {week_to}) AS shifts_week, \
         count(*) FILTER (WHERE starts_at >= {month_from} AND starts_at < {month_to}) AS shifts_month"
    )
}

/// The start of the local (Europe/Berlin) day, ISO week or month `at` falls in, and of the
/// next, in SQL: `quartier_domain::workload::{day_of, week_of, month_of}` (whose midnights
/// never fall in a switch of the clocks there).
fn local_window(unit: &str, at: &str) -> (String, String) {
    let local = format!("date_trunc('{unit}', {at} AT TIME ZONE 'Europe/Berlin')");
    (
        format!("({local} AT TIME ZONE 'Europe/Berlin')"),
        format!("(({local} + interval '1 {unit}') AT TIME ZONE 'Europe/Berlin')"),
    )
}

/// The common table expression `within (ok)` for the one-statement sign-up (after its
/// `shift`) where it counts nothing: true when no workload limit can apply, neither a
/// policy of the shift's operator nor caps of the volunteer `user`'s own.
pub(crate) fn without_limits(user: &str) -> String {
    format!(
        "within AS ( \
           SELECT NOT EXISTS (SELECT 1 FROM workload_policies p, shift WHERE p.operator_id = shift.operator_id) \
             AND NOT EXISTS (SELECT 1 FROM volunteer_profiles vp WHERE vp.user_id = {user} \
               AND (vp.max_shifts_per_week IS NOT NULL OR vp.max_shifts_per_month IS NOT NULL)) \
             AS ok)"
    )
}

/// Common table expressions for the one-statement sign-up (after its `shift`, with
/// `operator_id`, `starts_at` and `ends_at`), ending in `within (ok)`: true when a confirmed
/// place on the shift `shift_id` keeps the volunteer `user` within every limit that binds a
/// sign-up made by `by` at `now` (SQL expressions) — the operator's policy and her own caps, counted
/// as `usage` counts them and compared as `check` compares. Where the operator limits a
/// category, it is false: such sign-ups take the steps, as do those past a limit, which
/// explain the refusal.
pub(crate) fn within_limits(shift_id: &str, user: &str, by: &str, now: &str) -> String {
    let (day_from, day_to) = local_window("day", "shift.starts_at");
    let (week_from, week_to) = local_window("week", "shift.starts_at");
    let (month_from, month_to) = local_window("month", "shift.starts_at");
    let columns = usage_columns(&Around {
        now,
        day: ("day_from", "day_to"),
        week: ("week_from", "week_to"),
        month: ("month_from", "month_to"),
        starts_at: "new_starts_at",
        ends_at: "new_ends_at",
    });
    format!(
        "binding AS ( \
           SELECT p.* FROM workload_policies p, shift WHERE p.operator_id = shift.operator_id \
             AND ({by} IS NULL OR {by} = {user} OR p.binds_staff)), \
         caps AS ( \
           SELECT vp.max_shifts_per_week, vp.max_shifts_per_month FROM volunteer_profiles vp \
           WHERE vp.user_id = {user}), \
         around AS ( \
           SELECT shift.operator_id, shift.starts_at, shift.ends_at, {day_from} AS day_from, {day_to} AS day_to, \
             {week_from} AS week_from, {week_to} AS week_to, {month_from} AS month_from, {month_to} AS month_to \
           FROM shift), \
         mine AS ({held}), \
         minutes AS ( \
           SELECT mine.operator_id = around.operator_id AS here, mine.starts_at, mine.ends_at, \
             (extract(epoch FROM mine.ends_at - mine.starts_at) / 60)::bigint AS minutes, \
             around.day_from, around.day_to, around.week_from, around.week_to, around.month_from, around.month_to, \
             around.starts_at AS new_starts_at, around.ends_at AS new_ends_at \
           FROM mine, around), \
         usage AS (SELECT {columns} FROM minutes), \
         within AS ( \
           SELECT NOT EXISTS ( \
               SELECT 1 FROM binding b, usage u, around WHERE \
                 u.operator_minutes_day + floor(extract(epoch FROM around.ends_at - around.starts_at) / 60) > b.max_minutes_per_day \
                 OR u.operator_minutes_week + floor(extract(epoch FROM around.ends_at - around.starts_at) / 60) > b.max_minutes_per_week \
                 OR u.operator_shifts_week + 1 > b.max_shifts_per_week \
                 OR least(u.rest_before, u.rest_after) < b.min_rest_minutes \
                 OR u.operator_future + 1 > b.max_future_signups \
                 OR EXISTS (SELECT 1 FROM workload_category_policies c WHERE c.operator_id = b.operator_id)) \
             AND NOT EXISTS ( \
               SELECT 1 FROM caps c, usage u WHERE \
                 u.shifts_week + 1 > c.max_shifts_per_week OR u.shifts_month + 1 > c.max_shifts_per_month) \
             AS ok)",
        held = places_held(user, now, shift_id, false),
    )
}

#[derive(QueryableByName)]
struct UsageRow {
    #[diesel(sql_type = BigInt)]
    operator_minutes_day: i64,
    #[diesel(sql_type = BigInt)]
    operator_minutes_week: i64,
    #[diesel(sql_type = BigInt)]
    operator_shifts_week: i64,
    #[diesel(sql_type = BigInt)]
    operator_future: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    rest_before: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    rest_after: Option<i64>,
    #[diesel(sql_type = BigInt)]
    shifts_week: i64,
    #[diesel(sql_type = BigInt)]
    shifts_month: i64,
}

/// What `user_id` holds around `shift` of `operator_id` (`Usage`): her confirmed and
/// attended sign-ups and the places held for her as a guest, other than for `shift_id`
/// itself; with a `category`, what she holds at the operator counts only its shifts of that
/// category. Read under the caller's lock on her account row, so that her own sign-ups are
/// counted one after another.
pub async fn usage(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    operator_id: Uuid,
    shift_id: Uuid,
    shift: NewShift,
    now: DateTime<Utc>,
    category: Option<Category>,
) -> Result<Usage> {
    let (day, week, month) = (
        day_of(shift.starts_at),
        week_of(shift.starts_at),
        month_of(shift.starts_at),
    );
    let row: UsageRow = diesel::sql_query(format!(
        "WITH mine AS ({}), \
         minutes AS ( \
           SELECT operator_id = $2 AND ($13::text IS NULL OR category IS NOT DISTINCT FROM $13) AS here, \
             starts_at, ends_at, (extract(epoch FROM ends_at - starts_at) / 60)::bigint AS minutes \
           FROM mine) \
         SELECT {} FROM minutes",
        places_held("$1", "$4", "$3", category.is_some()),
        usage_columns(&Around {
            now: "$4",
            day: ("$5", "$6"),
            week: ("$7", "$8"),
            month: ("$9", "$10"),
            starts_at: "$11",
            ends_at: "$12",
        })
    ))
    .bind::<SqlUuid, _>(user_id)
    .bind::<SqlUuid, _>(operator_id)
    .bind::<SqlUuid, _>(shift_id)
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(day.from)
    .bind::<Timestamptz, _>(day.to)
    .bind::<Timestamptz, _>(week.from)
    .bind::<Timestamptz, _>(week.to)
    .bind::<Timestamptz, _>(month.from)
    .bind::<Timestamptz, _>(month.to)
    .bind::<Timestamptz, _>(shift.starts_at)
    .bind::<Timestamptz, _>(shift.ends_at)
    .bind::<Nullable<Text>, _>(category.map(Category::as_str))
    .get_result(conn)
    .await?;
    Ok(Usage {
        operator_minutes_day: row.operator_minutes_day,
        operator_minutes_week: row.operator_minutes_week,
        operator_shifts_week: row.operator_shifts_week,
        operator_future: row.operator_future,
        rest_before: row.rest_before,
        rest_after: row.rest_after,
        shifts_week: row.shifts_week,
        shifts_month: row.shifts_month,
    })
}

/// A volunteer's week at one operator with a policy.
#[derive(Debug, Clone)]
pub struct OperatorWeek {
    pub operator_id: Uuid,
    pub name: String,
    pub policy: WorkloadPolicy,
    pub minutes_week: i64,
    pub shifts_week: i64,
    pub future: i64,
    /// Her week in each category the operator limits, counted the same way.
    pub categories: Vec<CategoryWeek>,
}

/// A volunteer's week in one category of an operator's shifts that it limits.
#[derive(Debug, Clone)]
pub struct CategoryWeek {
    pub category: Category,
    pub policy: WorkloadPolicy,
    pub minutes_week: i64,
    pub shifts_week: i64,
    pub future: i64,
}

/// A volunteer's week: her shifts in it and in its month, anywhere, and her week at each
/// operator with a policy that she helps or holds a place with.
#[derive(Debug, Clone, Default)]
pub struct WeekUsage {
    pub shifts_week: i64,
    pub shifts_month: i64,
    pub operators: Vec<OperatorWeek>,
}

#[derive(QueryableByName)]
struct OperatorWeekRow {
    #[diesel(sql_type = SqlUuid)]
    operator_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    minutes_week: i64,
    #[diesel(sql_type = BigInt)]
    shifts_week: i64,
    #[diesel(sql_type = BigInt)]
    future: i64,
    #[diesel(sql_type = BigInt)]
    all_week: i64,
    #[diesel(sql_type = BigInt)]
    all_month: i64,
}

/// What `user_id` holds in `week` (and the month it starts in), counted as the sign-up
/// check counts it.
pub async fn week_of_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    week: quartier_domain::workload::Window,
    now: DateTime<Utc>,
) -> Result<WeekUsage> {
    let month = month_of(week.from);
    // One row per operator with a policy she helps or holds a place with (and one row with
    // no operator, for the totals, when there is none).
    let rows: Vec<OperatorWeekRow> = diesel::sql_query(format!(
        "WITH mine AS ({}), \
         totals AS ( \
           SELECT count(*) FILTER (WHERE starts_at >= $3 AND starts_at < $4) AS all_week, \
             count(*) FILTER (WHERE starts_at >= $5 AND starts_at < $6) AS all_month FROM mine), \
         operators_of AS ( \
           SELECT operator_id FROM mine UNION SELECT operator_id FROM operator_volunteers WHERE user_id = $1) \
         SELECT coalesce(o.id, '00000000-0000-0000-0000-000000000000') AS operator_id, \
           coalesce(o.name, '') AS name, \
           coalesce((SELECT sum((extract(epoch FROM m.ends_at - m.starts_at) / 60)::bigint) FROM mine m \
             WHERE m.operator_id = o.id AND m.starts_at >= $3 AND m.starts_at < $4), 0)::bigint AS minutes_week, \
           (SELECT count(*) FROM mine m WHERE m.operator_id = o.id AND m.starts_at >= $3 AND m.starts_at < $4) \
             AS shifts_week, \
           (SELECT count(*) FROM mine m WHERE m.operator_id = o.id AND m.starts_at > $2) AS future, \
           totals.all_week, totals.all_month \
         FROM totals LEFT JOIN (operators_of JOIN operators o ON o.id = operators_of.operator_id \
           JOIN workload_policies p ON p.operator_id = o.id) ON true \
         ORDER BY o.name, o.id",
        places_held("$1", "$2", "NULL", false)
    ))
    .bind::<SqlUuid, _>(user_id)
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(week.from)
    .bind::<Timestamptz, _>(week.to)
    .bind::<Timestamptz, _>(month.from)
    .bind::<Timestamptz, _>(month.to)
    .load(conn)
    .await?;
    let mut usage = WeekUsage::default();
    for row in rows {
        usage.shifts_week = row.all_week;
        usage.shifts_month = row.all_month;
        if row.operator_id.is_nil() {
            continue;
        }
        let policy = policy(conn, row.operator_id)
            .await?
            .map(|p| p.policy())
            .unwrap_or_default();
        let limited = category_policies(conn, row.operator_id).await?;
        let categories = if limited.is_empty() {
            Vec::new()
        } else {
            category_weeks(conn, user_id, row.operator_id, week, now, &limited).await?
        };
        usage.operators.push(OperatorWeek {
            operator_id: row.operator_id,
            name: row.name,
            policy,
            minutes_week: row.minutes_week,
            shifts_week: row.shifts_week,
            future: row.future,
            categories,
        });
    }
    Ok(usage)
}

#[derive(QueryableByName)]
struct CategoryWeekRow {
    #[diesel(sql_type = Text)]
    category: String,
    #[diesel(sql_type = BigInt)]
    minutes_week: i64,
    #[diesel(sql_type = BigInt)]
    shifts_week: i64,
    #[diesel(sql_type = BigInt)]
    future: i64,
}

/// What `user_id` holds in `week` at `operator_id` in each of the `limited` categories.
async fn category_weeks(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    operator_id: Uuid,
    week: quartier_domain::workload::Window,
    now: DateTime<Utc>,
    limited: &[CategoryPolicy],
) -> Result<Vec<CategoryWeek>> {
    let rows: Vec<CategoryWeekRow> = diesel::sql_query(format!(
        "WITH mine AS ({}) \
         SELECT category, \
           coalesce(sum((extract(epoch FROM ends_at - starts_at) / 60)::bigint) \
             FILTER (WHERE starts_at >= $3 AND starts_at < $4), 0)::bigint AS minutes_week, \
           count(*) FILTER (WHERE starts_at >= $3 AND starts_at < $4) AS shifts_week, \
           count(*) FILTER (WHERE starts_at > $2) AS future \
         FROM mine WHERE operator_id = $5 AND category IS NOT NULL GROUP BY category",
        places_held("$1", "$2", "NULL", true)
    ))
    .bind::<SqlUuid, _>(user_id)
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(week.from)
    .bind::<Timestamptz, _>(week.to)
    .bind::<SqlUuid, _>(operator_id)
    .load(conn)
    .await?;
    Ok(limited
        .iter()
        .map(|c| {
            let row = rows.iter().find(|r| r.category == c.category.as_str());
            CategoryWeek {
                category: c.category,
                policy: c.policy,
                minutes_week: row.map_or(0, |r| r.minutes_week),
                shifts_week: row.map_or(0, |r| r.shifts_week),
                future: row.map_or(0, |r| r.future),
            }
        })
        .collect())
}
