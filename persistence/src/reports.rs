//! Figures for reports: each source of the catalogue (quartier_domain::reporting) counted by
//! one statement over the stored facts, grouped by what the report asks for. Anonymised
//! sign-ups count like the others, and distinct volunteers are told apart by the mark their
//! sign-ups keep after an erasure (migration 53), so that no erasure changes a figure.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Date, Float8, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::reporting::{Dimension, Indicator, Source, share};
use uuid::Uuid;

use crate::Result;
use crate::schema::{centres, districts, operators};
use crate::sql::Statement;

/// What a report counts: a period, its groupings and its filters.
#[derive(Debug, Clone)]
pub struct ReportQuery {
    /// The first instant of the period and the first after it.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The period's first and last day, for memberships kept by date.
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub group_by: Vec<Dimension>,
    /// Only the figures of these operators, when set.
    pub operators: Option<Vec<Uuid>>,
    /// Only this district and those inside it.
    pub district: Option<Uuid>,
    pub centre: Option<Uuid>,
    pub category: Option<String>,
    /// Only neighbourly help of this kind.
    pub help_category: Option<String>,
}

impl ReportQuery {
    /// The dimensions its filters name.
    pub fn filtered(&self) -> Vec<Dimension> {
        [
            (self.operators.is_some(), Dimension::Operator),
            (self.district.is_some(), Dimension::District),
            (self.centre.is_some(), Dimension::Centre),
            (self.category.is_some(), Dimension::Category),
            (self.help_category.is_some(), Dimension::HelpCategory),
        ]
        .into_iter()
        .filter_map(|(set, d)| set.then_some(d))
        .collect()
    }
}

/// Which group a figure belongs to: set for the dimensions grouped by. A figure with no
/// category (a shift of no activity) or no centre (a concern about no centre) has `None`
/// there too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, QueryableByName)]
pub struct GroupKey {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub district_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub centre_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub operator_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub category: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub help_category: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub month: Option<String>,
}

/// One indicator's figure in one group, unrounded, with the number of people (or of their
/// visits, sign-ups, concerns or bookings) it rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub group: GroupKey,
    pub indicator: Indicator,
    pub value: Option<f64>,
    pub basis: i64,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(embed)]
    group: GroupKey,
    #[diesel(sql_type = Nullable<Float8>)]
    m0: Option<f64>,
    #[diesel(sql_type = Nullable<Float8>)]
    m1: Option<f64>,
    #[diesel(sql_type = Nullable<Float8>)]
    m2: Option<f64>,
    #[diesel(sql_type = Nullable<Float8>)]
    m3: Option<f64>,
    #[diesel(sql_type = Nullable<Float8>)]
    m4: Option<f64>,
    #[diesel(sql_type = Nullable<Float8>)]
    m5: Option<f64>,
    #[diesel(sql_type = Nullable<Float8>)]
    m6: Option<f64>,
    #[diesel(sql_type = Nullable<Float8>)]
    m7: Option<f64>,
    #[diesel(sql_type = Nullable<Float8>)]
    m8: Option<f64>,
}

impl Row {
    fn m(&self) -> [Option<f64>; 9] {
        [
            self.m0, self.m1, self.m2, self.m3, self.m4, self.m5, self.m6, self.m7, self.m8,
        ]
    }
}

/// Where a source finds each dimension; `None` where it has none.
struct Columns {
    district: &'static str,
    centre: Option<&'static str>,
    operator: Option<&'static str>,
    category: Option<&'static str>,
    help_category: Option<&'static str>,
    /// The instant whose month groups it.
    month_of: Option<&'static str>,
}

const SHIFT_COLUMNS: Columns = Columns {
    district: "c.district_id",
    centre: Some("c.id"),
    operator: Some("sh.operator_id"),
    category: Some("a.category"),
    help_category: None,
    month_of: Some("sh.starts_at"),
};

/// Shifts with their centre and, where they have one, their occurrence and activity.
macro_rules! shifts_from {
    () => {
        " FROM shifts sh JOIN centres c ON c.id = sh.centre_id \
         LEFT JOIN occurrences o ON o.id = sh.occurrence_id \
         LEFT JOIN activities a ON a.id = o.activity_id"
    };
}

/// The person behind a sign-up `g` (with its account `u`), the same before and after the
/// sign-up is anonymised.
macro_rules! person {
    () => {
        "coalesce(u.report_ref, g.volunteer_ref, g.id)"
    };
}

/// Whether a date `o` of the activity `a` takes place (or took place): not cancelled itself,
/// and its activity not cancelled, unless attendance was recorded before it was.
macro_rules! held {
    () => {
        "(NOT o.cancelled AND (a.status <> 'cancelled' OR o.participants IS NOT NULL))"
    };
}

/// The seconds of confirmed room dates `d`.
macro_rules! room_hours {
    () => {
        "sum(extract(epoch FROM d.ends_at - d.starts_at))"
    };
}

/// The figures of `indicators` for `query`: those of each source it needs, one statement
/// each. Only groups with facts appear.
pub async fn figures(
    conn: &mut AsyncPgConnection,
    query: &ReportQuery,
    indicators: &[Indicator],
) -> Result<Vec<Figure>> {
    let mut sources: Vec<Source> = indicators.iter().map(|i| i.source()).collect();
    sources.sort_by_key(|s| *s as u8);
    sources.dedup();
    let mut counted = Vec::new();
    // One snapshot for every source; no JIT compilation (it costs more than it saves at
    // this size), and memory enough to group by hashing.
    conn.transaction::<_, crate::Error, _>(async |conn| {
        diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(conn)
            .await?;
        diesel::sql_query("SET LOCAL jit = off")
            .execute(conn)
            .await?;
        diesel::sql_query("SET LOCAL work_mem = '32MB'")
            .execute(conn)
            .await?;
        for &source in &sources {
            counted.push((source, count(conn, query, source).await?));
        }
        Ok(())
    })
    .await?;
    let mut figures = Vec::new();
    for (source, rows) in counted {
        for row in rows {
            let m = row.m();
            let n = |i: usize| m[i].unwrap_or(0.0) as i64;
            for &indicator in indicators.iter().filter(|i| i.source() == source) {
                let (value, basis) = value_of(indicator, &m, n);
                figures.push(Figure {
                    group: row.group.clone(),
                    indicator,
                    value,
                    basis,
                });
            }
        }
    }
    Ok(figures)
}

/// An indicator's value and basis from its source's columns (`m`, and `n` for a count).
fn value_of(
    indicator: Indicator,
    m: &[Option<f64>; 9],
    n: impl Fn(usize) -> i64,
) -> (Option<f64>, i64) {
    use Indicator::*;
    let count = |i: usize| (Some(n(i) as f64), n(i));
    match indicator {
        OccurrencesHeld => count(0),
        OccurrencesCancelled => count(1),
        Visits => (m[2], n(2)),
        VisitsAge0To13 => (m[3], n(3)),
        VisitsAge14To17 => (m[4], n(4)),
        VisitsAge18To26 => (m[5], n(5)),
        VisitsAge27To64 => (m[6], n(6)),
        VisitsAge65Plus => (m[7], n(7)),
        FirstTimeVisits => (m[8], n(8)),
        PlacesOffered => (Some(m[0].unwrap_or(0.0)), n(0)),
        VolunteerHours => (Some(m[0].unwrap_or(0.0)), n(1)),
        ActiveVolunteers => count(1),
        PlacesFilled => count(0),
        NoShowRate => (share(n(1), n(2)), n(2)),
        LateCancellationRate => (share(n(3), n(4)), n(4)),
        NewVolunteers => count(0),
        ConcernsReceived => count(0),
        ConcernsAnswered => count(1),
        MedianDaysToFirstAnswer => (m[2], n(1)),
        RoomHoursOperator => (Some(m[0].unwrap_or(0.0)), 0),
        RoomHoursActivity => (Some(m[1].unwrap_or(0.0)), 0),
        RoomHoursPartner => (Some(m[2].unwrap_or(0.0)), 0),
        RoomHoursResident => (Some(m[3].unwrap_or(0.0)), n(4)),
        PartnersCooperating => count(0),
        FundProjects => count(0),
        FundGranted => (Some(m[1].unwrap_or(0.0)), 0),
        FundSpent => (Some(m[2].unwrap_or(0.0)), 0),
        HelpRequests => count(0),
        HelpMatched => count(1),
        HelpCompleted => count(2),
    }
}

/// The statement of one source: the groups, then its columns `m0` … `m8`.
async fn count(
    conn: &mut AsyncPgConnection,
    query: &ReportQuery,
    source: Source,
) -> Result<Vec<Row>> {
    let (columns, metrics, from, period_of): (Columns, &[&str], &str, &str) = match source {
        Source::Occurrences => (
            Columns {
                district: "c.district_id",
                centre: Some("c.id"),
                operator: Some("c.operator_id"),
                category: Some("a.category"),
                help_category: None,
                month_of: Some("o.starts_at"),
            },
            &[
                concat!(
                    "count(*) FILTER (WHERE ",
                    held!(),
                    " AND o.starts_at <= now())"
                ),
                concat!("count(*) FILTER (WHERE NOT (", held!(), "))"),
                concat!("sum(o.participants) FILTER (WHERE ", held!(), ")"),
                concat!("sum(o.participants_age_0_13) FILTER (WHERE ", held!(), ")"),
                concat!("sum(o.participants_age_14_17) FILTER (WHERE ", held!(), ")"),
                concat!("sum(o.participants_age_18_26) FILTER (WHERE ", held!(), ")"),
                concat!("sum(o.participants_age_27_64) FILTER (WHERE ", held!(), ")"),
                concat!(
                    "sum(o.participants_age_65_plus) FILTER (WHERE ",
                    held!(),
                    ")"
                ),
                concat!(
                    "sum(o.first_time_participants) FILTER (WHERE ",
                    held!(),
                    ")"
                ),
            ],
            " FROM occurrences o JOIN activities a ON a.id = o.activity_id \
              JOIN centres c ON c.id = a.centre_id WHERE a.status <> 'draft'",
            "o.starts_at",
        ),
        Source::Shifts => (
            SHIFT_COLUMNS,
            &["sum(sh.capacity) FILTER (WHERE sh.status <> 'cancelled')"],
            concat!(shifts_from!(), " WHERE true"),
            "sh.starts_at",
        ),
        Source::Signups => (
            SHIFT_COLUMNS,
            // Places filled; no-shows of attendance recorded; late cancellations of places
            // held.
            &[
                "count(*) FILTER (WHERE sh.status <> 'cancelled' \
                     AND g.status IN ('confirmed', 'attended', 'no_show'))",
                "count(*) FILTER (WHERE g.status = 'no_show')",
                "count(*) FILTER (WHERE g.status IN ('attended', 'no_show'))",
                "count(*) FILTER (WHERE g.late_cancellation)",
                "count(*) FILTER (WHERE g.confirmed_at IS NOT NULL)",
            ],
            concat!(
                shifts_from!(),
                " JOIN signups g ON g.shift_id = sh.id WHERE true"
            ),
            "sh.starts_at",
        ),
        Source::WorkedShifts => (
            SHIFT_COLUMNS,
            // Hours; distinct volunteers.
            &[
                "sum(coalesce(g.minutes_worked::float8, \
                     extract(epoch FROM g.ends_at - g.starts_at)::float8 / 60)) / 60",
                concat!("count(DISTINCT ", person!(), ")"),
            ],
            concat!(
                shifts_from!(),
                " JOIN signups g ON g.shift_id = sh.id LEFT JOIN users u ON u.id = g.user_id \
                  WHERE g.status = 'attended'",
            ),
            "sh.starts_at",
        ),
        Source::FirstShifts => return first_shifts(conn, query).await,
        Source::Concerns => (
            Columns {
                district: "cn.district_id",
                centre: Some("cn.centre_id"),
                operator: Some("cn.operator_id"),
                category: None,
                help_category: None,
                month_of: Some("cn.created_at"),
            },
            &[
                "count(*)",
                "count(fa.first_at)",
                "percentile_cont(0.5) WITHIN GROUP \
                     (ORDER BY extract(epoch FROM fa.first_at - cn.created_at) / 86400)",
            ],
            " FROM concerns cn LEFT JOIN LATERAL (SELECT min(x.published_at) AS first_at \
                FROM concern_answers x WHERE x.concern_id = cn.id AND x.visibility = 'public' \
                AND x.published_at IS NOT NULL) fa \
                ON true WHERE cn.status NOT IN ('withdrawn', 'duplicate')",
            "cn.created_at",
        ),
        Source::Rooms => (
            Columns {
                district: "c.district_id",
                centre: Some("c.id"),
                operator: Some("r.operator_id"),
                category: None,
                help_category: None,
                month_of: Some("d.starts_at"),
            },
            &[
                concat!(
                    room_hours!(),
                    " FILTER (WHERE b.booker_kind = 'operator') / 3600"
                ),
                concat!(
                    room_hours!(),
                    " FILTER (WHERE b.booker_kind = 'activity') / 3600"
                ),
                concat!(
                    room_hours!(),
                    " FILTER (WHERE b.booker_kind = 'partner') / 3600"
                ),
                concat!(
                    room_hours!(),
                    " FILTER (WHERE b.booker_kind IN ('account', 'guest')) / 3600"
                ),
                "count(DISTINCT b.id) FILTER (WHERE b.booker_kind IN ('account', 'guest'))",
            ],
            " FROM room_booking_dates d JOIN room_bookings b ON b.id = d.booking_id \
              JOIN rooms r ON r.id = d.room_id JOIN centres c ON c.id = r.centre_id \
              WHERE d.status = 'confirmed'",
            "d.starts_at",
        ),
        Source::Networks => return networks(conn, query).await,
        Source::Funds => (
            Columns {
                district: "fa.district_id",
                centre: None,
                operator: Some("f.operator_id"),
                category: None,
                help_category: None,
                month_of: Some("fa.decided_at"),
            },
            &[
                "count(*)",
                "sum(fa.granted_cents) / 100.0",
                "coalesce(sum(fa.spent_cents), 0) / 100.0",
            ],
            " FROM fund_applications fa JOIN funds f ON f.id = fa.fund_id \
              WHERE fa.status IN ('approved', 'reported', 'settled')",
            "fa.decided_at",
        ),
        Source::Help => (
            Columns {
                district: "hr.district_id",
                centre: Some("hr.centre_id"),
                operator: Some("hr.operator_id"),
                category: None,
                help_category: Some("hr.category"),
                month_of: Some("hr.created_at"),
            },
            &[
                "count(DISTINCT hr.id)",
                // Agreed at some time: a match later cancelled (its request withdrawn, a side
                // erased) still counts, so that no erasure changes the figure.
                "count(hm.matched_at)",
                "count(hm.id) FILTER (WHERE hm.status = 'completed')",
            ],
            " FROM help_requests hr LEFT JOIN help_matches hm ON hm.request_id = hr.id WHERE true",
            "hr.created_at",
        ),
    };
    let mut statement = Statement::new(OUTER);
    statement.push("SELECT ");
    statement.push(&groups(query, &columns));
    for n in 0..9 {
        match metrics.get(n) {
            Some(metric) => statement.push(&format!(", ({metric})::float8 AS m{n}")),
            None => statement.push(&format!(", NULL::float8 AS m{n}")),
        };
    }
    statement.push(from);
    statement.push(&format!(" AND {period_of} >= "));
    statement.push(&instant(query.from));
    statement.push(&format!(" AND {period_of} < "));
    statement.push(&instant(query.to));
    filters(&mut statement, query, &columns);
    statement.push(" GROUP BY 1, 2, 3, 4, 5, 6) counted");
    Ok(statement.finish_planned_each_time().load(conn).await?)
}

/// New volunteers: each person's first attended shift within the filters, counted where it
/// falls when that is in the period.
async fn first_shifts(conn: &mut AsyncPgConnection, query: &ReportQuery) -> Result<Vec<Row>> {
    let mut statement = Statement::new(concat!(
        "WITH firsts AS (SELECT DISTINCT ON (",
        person!(),
        ") sh.starts_at AS first_at, "
    ));
    statement.push(&groups(query, &SHIFT_COLUMNS));
    statement.push(concat!(
        shifts_from!(),
        " JOIN signups g ON g.shift_id = sh.id LEFT JOIN users u ON u.id = g.user_id \
          WHERE g.status = 'attended' AND sh.starts_at < ",
    ));
    statement.push(&instant(query.to));
    filters(&mut statement, query, &SHIFT_COLUMNS);
    statement.push(concat!(" ORDER BY ", person!(), ", sh.starts_at)"));
    statement.push(
        " SELECT district_id, centre_id, operator_id, category, help_category, \
         to_char(month, 'YYYY-MM') AS month, count(*)::float8 AS m0, \
         NULL::float8 AS m1, NULL::float8 AS m2, NULL::float8 AS m3, NULL::float8 AS m4, \
         NULL::float8 AS m5, NULL::float8 AS m6, NULL::float8 AS m7, NULL::float8 AS m8 \
         FROM firsts WHERE first_at >= ",
    );
    statement.push(&instant(query.from));
    statement.push(" GROUP BY 1, 2, 3, 4, 5, 6");
    Ok(statement.finish_planned_each_time().load(conn).await?)
}

/// Partners cooperating: distinct partners with an active membership in a network that
/// touches the period (by the network's district).
async fn networks(conn: &mut AsyncPgConnection, query: &ReportQuery) -> Result<Vec<Row>> {
    let columns = Columns {
        district: "n.district_id",
        centre: None,
        operator: None,
        category: None,
        help_category: None,
        month_of: None,
    };
    let mut statement = Statement::new(OUTER);
    statement.push("SELECT ");
    statement.push(&groups(query, &columns));
    statement.push(
        ", count(DISTINCT m.partner_id)::float8 AS m0, NULL::float8 AS m1, NULL::float8 AS m2, \
         NULL::float8 AS m3, NULL::float8 AS m4, NULL::float8 AS m5, NULL::float8 AS m6, \
         NULL::float8 AS m7, NULL::float8 AS m8 \
         FROM network_memberships m JOIN networks n ON n.id = m.network_id \
         WHERE m.partner_id IS NOT NULL \
         AND (m.status = 'active' OR (m.status = 'left' AND m.until IS NOT NULL)) \
         AND coalesce(m.since, (m.created_at AT TIME ZONE 'Europe/Berlin')::date) <= ",
    );
    statement.bind::<Date, _>(query.last_day);
    statement.push(" AND (m.until IS NULL OR m.until >= ");
    statement.bind::<Date, _>(query.first_day);
    statement.push(")");
    filters(&mut statement, query, &columns);
    statement.push(" GROUP BY 1, 2, 3, 4, 5, 6) counted");
    Ok(statement.finish_planned_each_time().load(conn).await?)
}

/// An instant of the period written into the statement: PostgreSQL then plans each report
/// for its own period (as a parameter, a cached generic plan guesses a few rows where a
/// report reads most of a table, and forgoes parallel workers). Only instants the server
/// made go here, never text from a request.
fn instant(at: DateTime<Utc>) -> String {
    format!("'{}'::timestamptz", at.format("%Y-%m-%dT%H:%M:%S%.6fZ"))
}

/// Reads the rows of a statement whose groups come from [`groups`]: its month written as
/// `YYYY-MM`.
const OUTER: &str = "SELECT district_id, centre_id, operator_id, category, help_category, \
    to_char(month, 'YYYY-MM') AS month, m0, m1, m2, m3, m4, m5, m6, m7, m8 FROM (";

/// The five group columns: a source's column for each dimension grouped by, else NULL.
fn groups(query: &ReportQuery, columns: &Columns) -> String {
    let by = |d: Dimension| query.group_by.contains(&d);
    let pick = |d: Dimension, column: Option<&str>, null: &str| match column {
        Some(column) if by(d) => column.to_owned(),
        _ => null.to_owned(),
    };
    // The month as a timestamp, cheap to group by; `OUTER` writes it as `YYYY-MM`.
    let month = match columns.month_of {
        Some(at) if by(Dimension::Month) => {
            format!("date_trunc('month', {at} AT TIME ZONE 'Europe/Berlin')")
        }
        _ => "NULL::timestamp".to_owned(),
    };
    format!(
        "{} AS district_id, {} AS centre_id, {} AS operator_id, {} AS category, \
         {} AS help_category, {month} AS month",
        pick(Dimension::District, Some(columns.district), "NULL::uuid"),
        pick(Dimension::Centre, columns.centre, "NULL::uuid"),
        pick(Dimension::Operator, columns.operator, "NULL::uuid"),
        pick(Dimension::Category, columns.category, "NULL::text"),
        pick(Dimension::HelpCategory, columns.help_category, "NULL::text"),
    )
}

/// The report's filters on a source's columns. A source without the column of a filter is
/// never asked (its indicators do not apply).
fn filters(statement: &mut Statement<'_>, query: &ReportQuery, columns: &Columns) {
    if let (Some(operators), Some(column)) = (&query.operators, columns.operator) {
        statement.push(&format!(" AND {column} = ANY("));
        statement.bind::<Array<SqlUuid>, _>(operators.clone());
        statement.push(")");
    }
    if let Some(district) = query.district {
        statement.push_district_within(columns.district, district);
    }
    if let (Some(centre), Some(column)) = (query.centre, columns.centre) {
        statement.push(&format!(" AND {column} = "));
        statement.bind::<SqlUuid, _>(centre);
    }
    if let (Some(category), Some(column)) = (&query.category, columns.category) {
        statement.push(&format!(" AND {column} = "));
        statement.bind::<Text, _>(category.clone());
    }
    if let (Some(category), Some(column)) = (&query.help_category, columns.help_category) {
        statement.push(&format!(" AND {column} = "));
        statement.bind::<Text, _>(category.clone());
    }
}

/// The operators where `user_id` is a coordinator limited to some of their centres: their
/// figures of the whole operator are not all hers to see in full.
pub async fn centre_limited_operators(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Vec<Uuid>> {
    use crate::schema::operator_member_centres as limited;
    Ok(limited::table
        .filter(limited::user_id.eq(user_id))
        .select(limited::operator_id)
        .distinct()
        .load(conn)
        .await?)
}

/// The names of the districts, centres and operators a report's groups name.
#[derive(Debug, Default)]
pub struct GroupNames {
    pub districts: Vec<(Uuid, String)>,
    pub centres: Vec<(Uuid, String)>,
    pub operators: Vec<(Uuid, String)>,
}

pub async fn group_names(
    conn: &mut AsyncPgConnection,
    districts_of: Vec<Uuid>,
    centres_of: Vec<Uuid>,
    operators_of: Vec<Uuid>,
) -> Result<GroupNames> {
    if districts_of.is_empty() && centres_of.is_empty() && operators_of.is_empty() {
        return Ok(GroupNames::default());
    }
    Ok(GroupNames {
        districts: districts::table
            .filter(districts::id.eq_any(districts_of))
            .select((districts::id, districts::name))
            .load(conn)
            .await?,
        centres: centres::table
            .filter(centres::id.eq_any(centres_of))
            .select((centres::id, centres::name))
            .load(conn)
            .await?,
        operators: operators::table
            .filter(operators::id.eq_any(operators_of))
            .select((operators::id, operators::name))
            .load(conn)
            .await?,
    })
}
