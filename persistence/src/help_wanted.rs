//! The public help-wanted feed: shifts that want help now (`places::wants_help!`), with
//! where they are and how many places are free. Never who signed up.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, Bool, Float8, Int4, Int8, Nullable, Text, Timestamptz};
use diesel::sql_types::{Integer, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::Result;
use crate::activities::distance_sql;
use crate::activities::push_near;
use crate::centres::Near;
use crate::places::wants_help;
use crate::sql::Statement;

/// What the feed is asked for. Every filter narrows.
#[derive(Debug, Default)]
pub struct HelpWantedFilter<'a> {
    /// This district and every district inside it.
    pub district_id: Option<Uuid>,
    pub centre_id: Option<Uuid>,
    pub operator_id: Option<Uuid>,
    /// Shifts tagged with any of these.
    pub skills: &'a [String],
    /// Shifts starting in this range.
    pub between: (DateTime<Utc>, DateTime<Utc>),
    pub near: Option<Near>,
}

/// One shift that wants help, as the public may know it.
#[derive(Debug, Clone, QueryableByName)]
pub struct HelpWanted {
    #[diesel(sql_type = SqlUuid)]
    pub shift_id: Uuid,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub description: String,
    #[diesel(sql_type = Timestamptz)]
    pub starts_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub ends_at: DateTime<Utc>,
    #[diesel(sql_type = Int4)]
    pub capacity: i32,
    /// Places neither confirmed nor held for a guest.
    #[diesel(sql_type = Int4)]
    pub free_places: i32,
    #[diesel(sql_type = Array<Text>)]
    pub skills: Vec<String>,
    /// Whether guests may sign up without an account (it takes guests and needs no
    /// qualification).
    #[diesel(sql_type = Bool)]
    pub guests_welcome: bool,
    /// Whether it needs a qualification.
    #[diesel(sql_type = Bool)]
    pub needs_qualifications: bool,
    /// When the shift or its free places last changed.
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
    /// Changes with every change of the shift itself.
    #[diesel(sql_type = Integer)]
    pub version: i32,
    #[diesel(sql_type = SqlUuid)]
    pub centre_id: Uuid,
    #[diesel(sql_type = Text)]
    pub centre_name: String,
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
    #[diesel(sql_type = SqlUuid)]
    pub district_id: Uuid,
    #[diesel(sql_type = Text)]
    pub district_name: String,
    #[diesel(sql_type = SqlUuid)]
    pub operator_id: Uuid,
    #[diesel(sql_type = Text)]
    pub operator_name: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub activity_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub activity_title: Option<String>,
}

/// Up to `limit` shifts that want help now and match `filter`, soonest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &HelpWantedFilter<'_>,
    limit: i64,
) -> Result<Vec<HelpWanted>> {
    let mut statement = Statement::new(
        "SELECT s.id AS shift_id, s.title, s.description, s.starts_at, s.ends_at, s.capacity, \
                s.capacity - s.confirmed_count - s.held_count AS free_places, s.skills, \
                coalesce(s.guest_signups, c.guest_signups) \
                  AND NOT EXISTS (SELECT 1 FROM shift_qualifications q WHERE q.shift_id = s.id) \
                  AS guests_welcome, \
                EXISTS (SELECT 1 FROM shift_qualifications q WHERE q.shift_id = s.id) \
                  AS needs_qualifications, \
                greatest(s.updated_at, s.places_changed_at) AS updated_at, s.version, \
                c.id AS centre_id, c.name AS centre_name, c.street, c.postcode, c.town, \
                c.latitude, c.longitude, d.id AS district_id, d.name AS district_name, \
                c.operator_id, op.name AS operator_name, a.id AS activity_id, \
                a.title AS activity_title \
           FROM shifts s JOIN centres c ON c.id = s.centre_id \
           JOIN districts d ON d.id = c.district_id \
           JOIN operators op ON op.id = c.operator_id \
           LEFT JOIN occurrences o ON o.id = s.occurrence_id \
           LEFT JOIN activities a ON a.id = o.activity_id \
          WHERE ",
    );
    statement.push(wants_help!("now()"));
    let (from, to) = filter.between;
    statement
        .push(" AND s.starts_at >= ")
        .bind::<Timestamptz, _>(from)
        .push(" AND s.starts_at < ")
        .bind::<Timestamptz, _>(to);
    crate::shifts::push_where(
        &mut statement,
        filter.district_id,
        filter.centre_id,
        filter.operator_id,
        filter.skills,
    );
    let distance = distance_sql(&mut statement, filter.near);
    push_near(&mut statement, filter.near, &distance);
    statement
        .push(" ORDER BY s.starts_at, s.id LIMIT ")
        .bind::<Int8, _>(limit);
    Ok(statement.finish().load(conn).await?)
}
