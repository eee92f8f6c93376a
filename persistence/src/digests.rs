//! Daily digests: "help wanted near you" for volunteers who asked for it, by the districts
//! and skills of their profile; and a summary for each staff member of each operator: late
//! cancellations of the last day, and shifts still short within 48 hours. One notification a
//! day per person (and operator), keyed by the day, so every instance may queue them; what
//! they list is read when the mail is written, and a digest with nothing to tell is skipped.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::Result;
use crate::places::{holds_required_qualifications, wants_help};

/// How many shifts one digest lists at most (per section).
pub const MOST: i64 = 10;

/// SQL (from `FROM` on): the open shifts for the volunteer `$user` at the time `$now`:
/// published (or of no activity) at an active centre, within a week, with a place free (held
/// places count), in one of her districts (or a district inside one) or needing one of her
/// skills, whose qualifications she holds, and which she is not on already.
macro_rules! help_wanted_shifts {
    ($user:literal, $now:literal) => {
        concat!(
            "FROM shifts s JOIN centres c ON c.id = s.centre_id \
             JOIN volunteer_profiles p ON p.user_id = ",
            $user,
            " \
             LEFT JOIN occurrences o ON o.id = s.occurrence_id \
             LEFT JOIN activities a ON a.id = o.activity_id \
             WHERE ",
            wants_help!($now),
            " AND s.starts_at < ",
            $now,
            " + interval '7 days' \
               AND (s.skills && p.skills OR c.district_id IN ( \
                 WITH RECURSIVE chosen (id) AS ( \
                   SELECT unnest(p.district_ids) \
                   UNION SELECT d.id FROM districts d JOIN chosen ON d.parent_id = chosen.id) \
                 SELECT id FROM chosen)) \
               AND ",
            holds_required_qualifications!("s", $user),
            " AND NOT EXISTS (SELECT 1 FROM signups x WHERE x.shift_id = s.id AND x.user_id = ",
            $user,
            " AND x.status IN ('confirmed', 'waitlisted'))"
        )
    };
}

/// SQL: the active centres of operator `$operator` that its staff member `$user` looks after:
/// all of them, unless she is a coordinator limited to some.
macro_rules! scope {
    ($user:literal, $operator:literal) => {
        concat!(
            "SELECT sc.id FROM centres sc JOIN operator_members sm ON sm.operator_id = sc.operator_id \
               AND sm.user_id = ", $user, " \
             WHERE sc.operator_id = ", $operator, " AND sc.status = 'active' AND (sm.role = 'operator_admin' \
               OR NOT EXISTS (SELECT 1 FROM operator_member_centres sl \
                 WHERE sl.operator_id = ", $operator, " AND sl.user_id = ", $user, ") \
               OR sc.id IN (SELECT sl.centre_id FROM operator_member_centres sl \
                 WHERE sl.operator_id = ", $operator, " AND sl.user_id = ", $user, "))"
        )
    };
}

/// SQL (from `FROM` on): the shifts of the staff member's active centres (`scope!`) that
/// belong to published activities (or to none); callers add what makes one worth telling.
macro_rules! summary_shifts {
    ($user:literal, $operator:literal) => {
        concat!(
            "FROM shifts s JOIN centres c ON c.id = s.centre_id \
             LEFT JOIN occurrences o ON o.id = s.occurrence_id \
             LEFT JOIN activities a ON a.id = o.activity_id \
             WHERE s.centre_id IN (",
            scope!($user, $operator),
            ") \
               AND (a.id IS NULL OR a.status = 'published')"
        )
    };
}

/// One shift as a digest lists it.
#[derive(Debug, Clone, QueryableByName)]
pub struct DigestShift {
    #[diesel(sql_type = SqlUuid)]
    pub shift_id: Uuid,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Timestamptz)]
    pub starts_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub ends_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub centre_name: String,
    /// Places free (help wanted, short shifts) or late cancellations (staff's summary).
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

/// Queues the digests of `day` (a local date) as of `now`: help wanted for every verified
/// account that asked for it and has something to read, and staff's summary for every staff
/// member (who did not switch it off) of every operator with something to tell. A digest
/// queued before for the day is not queued again. Returns how many were queued.
pub async fn queue_daily(
    conn: &mut AsyncPgConnection,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<usize> {
    let help_wanted = diesel::sql_query(concat!(
        "INSERT INTO notifications (id, user_id, kind, details, dedup_key, due_at) \
         SELECT gen_random_uuid(), u.id, 'help_wanted', json_build_object('day', $2::date)::text, \
                'help_wanted:' || u.id || ':' || $2::date, $1 \
         FROM users u JOIN notification_preferences np ON np.user_id = u.id \
           AND np.kind = 'help_wanted' AND np.delivery = 'daily_digest' \
         WHERE u.kind = 'account' AND u.email_verified_at IS NOT NULL \
           AND EXISTS (SELECT 1 ",
        help_wanted_shifts!("u.id", "$1"),
        ") ON CONFLICT (dedup_key) DO NOTHING"
    ))
    .bind::<Timestamptz, _>(now)
    .bind::<Date, _>(day)
    .execute(conn)
    .await?;
    let staff = diesel::sql_query(concat!(
        "INSERT INTO notifications (id, user_id, kind, operator_id, details, dedup_key, due_at) \
         SELECT gen_random_uuid(), m.user_id, 'staff_summary', m.operator_id, \
                json_build_object('day', $2::date)::text, \
                'staff_summary:' || m.user_id || ':' || m.operator_id || ':' || $2::date, $1 \
         FROM operator_members m JOIN users u ON u.id = m.user_id \
         WHERE NOT EXISTS (SELECT 1 FROM notification_preferences np WHERE np.user_id = m.user_id \
             AND np.kind = 'staff_summary' AND np.delivery = 'off') \
           AND EXISTS (SELECT 1 ",
        summary_shifts!("m.user_id", "m.operator_id"),
        " AND s.status = 'open' \
               AND ((s.starts_at > $1 AND s.starts_at < $1 + interval '48 hours' \
                     AND s.confirmed_count < s.capacity) \
                 OR EXISTS (SELECT 1 FROM signups x WHERE x.shift_id = s.id AND x.late_cancellation \
                     AND x.cancelled_at > $1 - interval '1 day'))) \
         ON CONFLICT (dedup_key) DO NOTHING"
    ))
    .bind::<Timestamptz, _>(now)
    .bind::<Date, _>(day)
    .execute(conn)
    .await?;
    Ok(help_wanted + staff)
}

/// The shifts the help-wanted digest of `user_id` lists as of `now`, soonest first.
pub async fn help_wanted(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<DigestShift>> {
    Ok(diesel::sql_query(concat!(
        "SELECT s.id AS shift_id, s.title, s.starts_at, s.ends_at, c.name AS centre_name, \
                (s.capacity - s.confirmed_count - s.held_count)::bigint AS count ",
        help_wanted_shifts!("$1", "$2"),
        " ORDER BY s.starts_at, s.id LIMIT $3"
    ))
    .bind::<SqlUuid, _>(user_id)
    .bind::<Timestamptz, _>(now)
    .bind::<BigInt, _>(MOST)
    .load(conn)
    .await?)
}

/// What staff's summary of `operator_id` for `user_id` tells as of `now`.
#[derive(Debug, Clone, Default)]
pub struct StaffSummary {
    /// Shifts with late cancellations in the last day (`count`: how many).
    pub late_cancellations: Vec<DigestShift>,
    /// Shifts within 48 hours with places free (`count`: how many).
    pub short: Vec<DigestShift>,
}

impl StaffSummary {
    pub fn is_empty(&self) -> bool {
        self.late_cancellations.is_empty() && self.short.is_empty()
    }
}

pub async fn staff_summary(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    operator_id: Uuid,
    now: DateTime<Utc>,
) -> Result<StaffSummary> {
    let late: Vec<DigestShift> = diesel::sql_query(concat!(
        "SELECT s.id AS shift_id, s.title, s.starts_at, s.ends_at, c.name AS centre_name, \
                (SELECT count(*) FROM signups x WHERE x.shift_id = s.id AND x.late_cancellation \
                   AND x.cancelled_at > $3 - interval '1 day') AS count ",
        summary_shifts!("$1", "$2"),
        " AND EXISTS (SELECT 1 FROM signups x WHERE x.shift_id = s.id AND x.late_cancellation \
              AND x.cancelled_at > $3 - interval '1 day') \
          ORDER BY s.starts_at, s.id LIMIT $4"
    ))
    .bind::<SqlUuid, _>(user_id)
    .bind::<SqlUuid, _>(operator_id)
    .bind::<Timestamptz, _>(now)
    .bind::<BigInt, _>(MOST)
    .load(conn)
    .await?;
    let short: Vec<DigestShift> = diesel::sql_query(concat!(
        "SELECT s.id AS shift_id, s.title, s.starts_at, s.ends_at, c.name AS centre_name, \
                (s.capacity - s.confirmed_count)::bigint AS count ",
        summary_shifts!("$1", "$2"),
        " AND s.status = 'open' AND s.starts_at > $3 AND s.starts_at < $3 + interval '48 hours' \
          AND s.confirmed_count < s.capacity \
          ORDER BY s.starts_at, s.id LIMIT $4"
    ))
    .bind::<SqlUuid, _>(user_id)
    .bind::<SqlUuid, _>(operator_id)
    .bind::<Timestamptz, _>(now)
    .bind::<BigInt, _>(MOST)
    .load(conn)
    .await?;
    Ok(StaffSummary {
        late_cancellations: late,
        short,
    })
}
