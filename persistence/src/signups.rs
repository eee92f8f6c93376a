//! Sign-ups (Anmeldungen) as they are read: one, a roster, a volunteer's own list, hours and
//! calendar. Every change of who holds a place is in `places`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use quartier_domain::{ChangeReason, SignupFacts, SignupStatus};
use uuid::Uuid;

use crate::Result;
use crate::columns::SignupStatusColumn;
use crate::schema::{shifts, signups};

pub use crate::places::{
    AttendanceRefusal, CancelRefusal, Cancelled, ONE_LIVE_PER_SHIFT, OVERLAP_CONSTRAINT,
    SignupRefusal, cancel, check_in, missing_qualifications, record_attendance, sign_up,
    sign_up_overriding_policy,
};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = signups, check_for_backend(diesel::pg::Pg))]
pub struct SignupRow {
    pub id: Uuid,
    pub shift_id: Uuid,
    /// `None` once anonymised (erasure or retention).
    pub user_id: Option<Uuid>,
    #[diesel(deserialize_as = SignupStatusColumn)]
    pub status: SignupStatus,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub queued_at: DateTime<Utc>,
    pub signed_up_by: Option<Uuid>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancelled_by: Option<Uuid>,
    pub late_cancellation: bool,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub minutes_worked: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub anonymised_at: Option<DateTime<Utc>>,
    /// The standing sign-up it was made for, if any.
    pub standing_signup_id: Option<Uuid>,
}

impl SignupRow {
    /// The sign-up as an event tells it: for `operator_id`'s shift, changed from
    /// `previous_status` (none for a new one or a check-in) for `reason`.
    pub fn facts(
        &self,
        operator_id: Uuid,
        previous_status: Option<SignupStatus>,
        reason: Option<ChangeReason>,
    ) -> SignupFacts {
        SignupFacts {
            signup_id: self.id,
            shift_id: self.shift_id,
            operator_id,
            user_id: self.user_id,
            status: self.status,
            previous_status,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            late_cancellation: self.late_cancellation,
            checked_in_at: self.checked_in_at,
            minutes_worked: self.minutes_worked,
            reason,
            standing_signup_id: self.standing_signup_id,
        }
    }
}

/// A sign-up and, while it waits, its place on the waitlist (1 = next).
#[derive(Debug, Clone)]
pub struct Placed {
    pub signup: SignupRow,
    pub position: Option<i64>,
}

pub(crate) async fn position(
    conn: &mut AsyncPgConnection,
    signup: &SignupRow,
) -> Result<Option<i64>> {
    if signup.status != SignupStatus::Waitlisted {
        return Ok(None);
    }
    let ahead: i64 = signups::table
        .filter(signups::shift_id.eq(signup.shift_id))
        .filter(signups::status.eq(SignupStatus::Waitlisted.as_str()))
        .filter(signups::queued_at.le(signup.queued_at))
        .count()
        .get_result(conn)
        .await?;
    Ok(Some(ahead))
}

/// One sign-up.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Placed>> {
    let found: Option<SignupRow> = signups::table
        .filter(signups::id.eq(id))
        .select(SignupRow::as_select())
        .first(conn)
        .await
        .optional()?;
    match found {
        Some(signup) => {
            let position = position(conn, &signup).await?;
            Ok(Some(Placed { signup, position }))
        }
        None => Ok(None),
    }
}

/// A line of a roster: a sign-up with its volunteer's name and how they want to be reached;
/// without them once the sign-up has been anonymised.
#[derive(Debug, Clone)]
pub struct RosterLine {
    pub signup: SignupRow,
    pub shift_title: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    /// From the volunteer's profile, if they wrote one.
    pub phone: Option<String>,
    /// `email`, `phone` or `sms`; `email` without a profile.
    pub contact_by: String,
    pub position: Option<i64>,
}

/// The live and past sign-ups (not the cancelled ones unless `with_cancelled`) of the shifts
/// `shift_ids`, by shift start, then confirmed before waiting, then queue order.
pub async fn roster(
    conn: &mut AsyncPgConnection,
    shift_ids: &[Uuid],
    with_cancelled: bool,
) -> Result<Vec<RosterLine>> {
    use crate::schema::{users, volunteer_profiles};
    let mut query = signups::table
        .left_join(users::table.on(users::id.nullable().eq(signups::user_id)))
        .inner_join(shifts::table)
        .left_join(
            volunteer_profiles::table
                .on(volunteer_profiles::user_id.nullable().eq(signups::user_id)),
        )
        .filter(signups::shift_id.eq_any(shift_ids))
        .into_boxed();
    if !with_cancelled {
        query = query.filter(signups::status.ne(SignupStatus::Cancelled.as_str()));
    }
    type Row = (
        SignupRow,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = query
        .select((
            SignupRow::as_select(),
            shifts::title,
            users::display_name.nullable(),
            users::email.nullable(),
            volunteer_profiles::phone.nullable(),
            volunteer_profiles::contact_by.nullable(),
        ))
        .order((
            signups::starts_at,
            signups::shift_id,
            signups::status.eq(SignupStatus::Waitlisted.as_str()),
            signups::queued_at,
        ))
        .load(conn)
        .await?;
    let mut lines = Vec::with_capacity(rows.len());
    let mut waiting: std::collections::HashMap<Uuid, i64> = std::collections::HashMap::new();
    for (signup, shift_title, display_name, email, phone, contact_by) in rows {
        let position = (signup.status == SignupStatus::Waitlisted).then(|| {
            let n = waiting.entry(signup.shift_id).or_default();
            *n += 1;
            *n
        });
        lines.push(RosterLine {
            signup,
            shift_title,
            display_name,
            email,
            phone,
            contact_by: contact_by.unwrap_or_else(|| "email".into()),
            position,
        });
    }
    Ok(lines)
}

/// The people with a sign-up that is not cancelled on a shift of `operator_id` (of the
/// `centres`, when given) starting in `from`..`to`: whose data an export of that window shows.
pub async fn people_on_operator_shifts(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    centres: Option<&[Uuid]>,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<Uuid>> {
    let mut query = signups::table
        .inner_join(shifts::table)
        .filter(shifts::operator_id.eq(operator_id))
        .filter(shifts::starts_at.ge(from))
        .filter(shifts::starts_at.lt(to))
        .filter(signups::status.ne(SignupStatus::Cancelled.as_str()))
        .into_boxed();
    if let Some(centres) = centres {
        query = query.filter(shifts::centre_id.eq_any(centres.to_vec()));
    }
    let people: Vec<Option<Uuid>> = query.select(signups::user_id).distinct().load(conn).await?;
    Ok(people.into_iter().flatten().collect())
}

/// The ids of a centre's shifts that start in `from`..`to`.
pub async fn shifts_of_centre(
    conn: &mut AsyncPgConnection,
    centre_id: Uuid,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<Uuid>> {
    Ok(shifts::table
        .filter(shifts::centre_id.eq(centre_id))
        .filter(shifts::starts_at.ge(from))
        .filter(shifts::starts_at.lt(to))
        .select(shifts::id)
        .load(conn)
        .await?)
}

/// The columns of `SignupRow` in raw SQL over `signups s`.
const SIGNUP_COLUMNS: &str = "s.id, s.shift_id, s.user_id, s.status, s.starts_at, s.ends_at, \
    s.queued_at, s.signed_up_by, s.confirmed_at, s.cancelled_at, s.cancelled_by, \
    s.late_cancellation, s.checked_in_at, s.minutes_worked, s.created_at, s.updated_at, s.version, \
    s.anonymised_at, s.standing_signup_id";

/// One of a volunteer's own sign-ups, with what their list shows of the shift.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct OwnSignup {
    #[diesel(embed)]
    pub signup: SignupRow,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub shift_title: String,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub centre_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub centre_name: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub activity_title: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    pub position: Option<i64>,
}

/// Where a page of one's own sign-ups starts: after this (start, id).
pub type OwnKey = (DateTime<Utc>, Uuid);

/// A volunteer's sign-ups: coming ones (not yet ended) by start, or past ones latest first.
pub async fn of_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    past: bool,
    now: DateTime<Utc>,
    after: Option<&OwnKey>,
    limit: i64,
) -> Result<Vec<OwnSignup>> {
    use diesel::sql_types::{BigInt, Nullable, Timestamptz, Uuid as SqlUuid};
    let (when, order, cmp) = if past {
        ("s.ends_at <= $2", "DESC", "<")
    } else {
        ("s.ends_at > $2", "ASC", ">")
    };
    let sql = format!(
        "SELECT {SIGNUP_COLUMNS}, \
                sh.title AS shift_title, c.id AS centre_id, c.name AS centre_name, a.title AS activity_title, \
                CASE WHEN s.status = 'waitlisted' THEN (SELECT count(*) FROM signups w WHERE w.shift_id = s.shift_id \
                    AND w.status = 'waitlisted' AND w.queued_at <= s.queued_at) END AS position \
         FROM signups s JOIN shifts sh ON sh.id = s.shift_id JOIN centres c ON c.id = sh.centre_id \
         LEFT JOIN occurrences o ON o.id = sh.occurrence_id LEFT JOIN activities a ON a.id = o.activity_id \
         WHERE s.user_id = $1 AND {when} \
           AND ($3::timestamptz IS NULL OR (s.starts_at, s.id) {cmp} ($3, $4)) \
         ORDER BY s.starts_at {order}, s.id {order} LIMIT $5"
    );
    Ok(diesel::sql_query(sql)
        .bind::<SqlUuid, _>(user_id)
        .bind::<Timestamptz, _>(now)
        .bind::<Nullable<Timestamptz>, _>(after.map(|a| a.0))
        .bind::<Nullable<SqlUuid>, _>(after.map(|a| a.1))
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await?)
}

/// Hours worked, by year (in Europe/Berlin) and operator: the proof of volunteer work.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct HoursLine {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub year: i32,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub operator_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub operator_name: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub shifts: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub minutes: i64,
}

pub async fn hours(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<HoursLine>> {
    Ok(diesel::sql_query(
        "SELECT extract(year FROM s.starts_at AT TIME ZONE 'Europe/Berlin')::int AS year, \
                op.id AS operator_id, op.name AS operator_name, count(*) AS shifts, \
                coalesce(sum(s.minutes_worked), 0)::bigint AS minutes \
         FROM signups s JOIN shifts sh ON sh.id = s.shift_id JOIN centres c ON c.id = sh.centre_id \
         JOIN operators op ON op.id = c.operator_id \
         WHERE s.user_id = $1 AND s.status = 'attended' \
         GROUP BY 1, 2, 3 ORDER BY 1 DESC, 3",
    )
    .bind::<diesel::sql_types::Uuid, _>(user_id)
    .load(conn)
    .await?)
}

/// A sign-up as a volunteer's calendar shows it, with its shift's place.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct FeedEntry {
    #[diesel(embed)]
    pub signup: SignupRow,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub shift_title: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub centre_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub street: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub postcode: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub town: String,
    #[diesel(sql_type = diesel::sql_types::Double)]
    pub latitude: f64,
    #[diesel(sql_type = diesel::sql_types::Double)]
    pub longitude: f64,
}

/// The volunteer's sign-ups that start in `from`..`to` and were confirmed at some point
/// (confirmed, attended, no-show, or cancelled after being confirmed), by start.
pub async fn feed_of_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<FeedEntry>> {
    use diesel::sql_types::{Timestamptz, Uuid as SqlUuid};
    Ok(diesel::sql_query(format!(
        "SELECT {SIGNUP_COLUMNS}, \
                sh.title AS shift_title, c.name AS centre_name, c.street, c.postcode, c.town, \
                c.latitude, c.longitude \
         FROM signups s JOIN shifts sh ON sh.id = s.shift_id JOIN centres c ON c.id = sh.centre_id \
         WHERE s.user_id = $1 AND s.confirmed_at IS NOT NULL AND s.starts_at >= $2 AND s.starts_at < $3 \
         ORDER BY s.starts_at, s.id LIMIT 2000"
    ))
    .bind::<SqlUuid, _>(user_id)
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .load(conn)
    .await?)
}

/// One sign-up with its shift's place, for the mail about it.
pub async fn feed_entry(
    conn: &mut AsyncPgConnection,
    signup_id: Uuid,
) -> Result<Option<FeedEntry>> {
    use diesel::sql_types::Uuid as SqlUuid;
    Ok(diesel::sql_query(format!(
        "SELECT {SIGNUP_COLUMNS}, \
                sh.title AS shift_title, c.name AS centre_name, c.street, c.postcode, c.town, \
                c.latitude, c.longitude \
         FROM signups s JOIN shifts sh ON sh.id = s.shift_id JOIN centres c ON c.id = sh.centre_id \
         WHERE s.id = $1"
    ))
    .bind::<SqlUuid, _>(signup_id)
    .get_result(conn)
    .await
    .optional()?)
}
