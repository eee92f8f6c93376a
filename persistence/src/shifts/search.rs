//! Finding shifts: the public search with its filters, and an operator's shifts page by page
//! for exports.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{ShiftRow, ShiftView, VIEW};
use crate::Result;
use crate::places::holds_required_qualifications;
use crate::schema::shifts;

/// What a shift search asks for. Every filter narrows.
#[derive(Debug, Default)]
pub struct ShiftFilter<'a> {
    pub district_id: Option<Uuid>,
    pub centre_id: Option<Uuid>,
    pub operator_id: Option<Uuid>,
    /// Shifts tagged with any of these.
    pub skills: &'a [String],
    pub has_free_places: bool,
    /// Only shifts this volunteer may take: qualifications valid on the day, no overlap with
    /// their confirmed shifts, not signed up already.
    pub eligible_for: Option<Uuid>,
}

/// Where a page of shifts starts: after this (start, id).
pub type ShiftKey = (DateTime<Utc>, Uuid);

/// Open shifts starting in `from`..`to` that match `filter`, by start, after `after`. Shifts of
/// activities that are not published are left out.
pub async fn search(
    conn: &mut AsyncPgConnection,
    filter: &ShiftFilter<'_>,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    after: Option<&ShiftKey>,
    limit: i64,
) -> Result<Vec<ShiftView>> {
    use diesel::sql_types::{Int8, Timestamptz};
    let mut statement = crate::sql::Statement::new(VIEW);
    statement
        .push(" WHERE s.status = 'open' AND (a.id IS NULL OR a.status = 'published') AND s.starts_at >= ")
        .bind::<Timestamptz, _>(from)
        .push(" AND s.starts_at < ")
        .bind::<Timestamptz, _>(to);
    push_where(
        &mut statement,
        filter.district_id,
        filter.centre_id,
        filter.operator_id,
        filter.skills,
    );
    if filter.has_free_places {
        statement.push(" AND s.confirmed_count + s.held_count < s.capacity");
    }
    if let Some(user) = filter.eligible_for {
        let u = statement.param::<SqlUuid, _>(user);
        statement.push(&format!(
            concat!(
                " AND s.starts_at > now() AND ",
                holds_required_qualifications!("s", "${u}"),
                " AND NOT EXISTS (SELECT 1 FROM signups x WHERE x.user_id = ${u} AND x.status = 'confirmed' \
                 AND tstzrange(x.starts_at, x.ends_at) && tstzrange(s.starts_at, s.ends_at)) \
               AND NOT EXISTS (SELECT 1 FROM signups y WHERE y.user_id = ${u} AND y.shift_id = s.id \
                 AND y.status IN ('confirmed', 'waitlisted'))"
            ),
            u = u
        ));
    }
    if let Some((starts_at, id)) = after {
        statement
            .push(" AND (s.starts_at, s.id) > (")
            .bind::<Timestamptz, _>(*starts_at)
            .push(", ")
            .bind::<SqlUuid, _>(*id)
            .push(")");
    }
    statement
        .push(" ORDER BY s.starts_at, s.id LIMIT ")
        .bind::<Int8, _>(limit);
    Ok(statement.finish().load(conn).await?)
}

/// Appends the filters on where a shift `s` (at the centre `c`) is and what it asks for:
/// the district with the districts inside it, the centre, the operator, any of `skills`.
/// Shared by the shift search and the help-wanted feed.
pub(crate) fn push_where(
    statement: &mut crate::sql::Statement<'_>,
    district_id: Option<Uuid>,
    centre_id: Option<Uuid>,
    operator_id: Option<Uuid>,
    skills: &[String],
) {
    use diesel::sql_types::Array;
    if let Some(district) = district_id {
        // The district's centres first, so that PostgreSQL reads their shifts by centre and
        // start (`shifts_centre_starts_at_idx`) instead of every shift of the town in start
        // order (scenario 13 of the benchmark: 6.0 ms against 3.4 ms a statement).
        statement.push(" AND s.centre_id = ANY(ARRAY(SELECT dc.id FROM centres dc WHERE true");
        statement.push_district_within("dc.district_id", district);
        statement.push("))");
    }
    if let Some(centre) = centre_id {
        statement
            .push(" AND s.centre_id = ")
            .bind::<SqlUuid, _>(centre);
    }
    if let Some(operator) = operator_id {
        statement
            .push(" AND s.operator_id = ")
            .bind::<SqlUuid, _>(operator);
    }
    if !skills.is_empty() {
        statement
            .push(" AND s.skills && ")
            .bind::<Array<Text>, _>(skills.to_vec());
    }
}

/// A shift with its centre's name, for exports.
#[derive(Debug, Clone, Queryable)]
pub struct ExportShift {
    pub shift: ShiftRow,
    pub centre_name: String,
}

/// Up to `limit` shifts of `operator_id` starting in `from`..`to`, after `after` in
/// (start, id) order: one index range scan per page, however long the window.
/// With `centres`, only at those centres.
pub async fn of_operator(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    centres: Option<&[Uuid]>,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<ExportShift>> {
    use crate::schema::centres;
    let mut query = shifts::table
        .inner_join(centres::table.on(centres::id.eq(shifts::centre_id)))
        .filter(shifts::operator_id.eq(operator_id))
        .filter(shifts::starts_at.ge(from))
        .filter(shifts::starts_at.lt(to))
        .select((ShiftRow::as_select(), centres::name))
        .order((shifts::starts_at, shifts::id))
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            shifts::starts_at
                .gt(at)
                .or(shifts::starts_at.eq(at).and(shifts::id.gt(id))),
        );
    }
    if let Some(centres) = centres {
        query = query.filter(shifts::centre_id.eq_any(centres.to_vec()));
    }
    let rows: Vec<(ShiftRow, String)> = query.load(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(shift, centre_name)| ExportShift { shift, centre_name })
        .collect())
}
