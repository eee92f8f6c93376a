//! The activity list and the filters it shares with the "what's on" search.

use super::*;
use quartier_domain::translation::TextOwner;

/// The filters shared by the activity list and the "what's on" search. Every one narrows.
#[derive(Debug, Default)]
pub struct ActivityFilter<'a> {
    /// This district and every district inside it.
    pub district_id: Option<Uuid>,
    pub centre_id: Option<Uuid>,
    pub operator_id: Option<Uuid>,
    pub category: Option<&'a str>,
    pub target_group: Option<&'a str>,
    pub language: Option<&'a str>,
    pub free_of_charge: bool,
    /// The centre has a step-free entrance.
    pub step_free: bool,
    /// German full text over title and description.
    pub text: Option<&'a str>,
    /// The reader's language other than German: `text` also finds activities by their
    /// public texts in it.
    pub text_language: Option<&'a str>,
    /// Only activities with a public text in this language (other than German).
    pub available_in: Option<&'a str>,
    pub near: Option<Near>,
    pub status: Option<&'a str>,
    /// Only activities with an occurrence overlapping this range.
    pub between: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

/// Binds the point of `near` and returns the SQL for the great-circle kilometres from it to
/// the centre `c` (a sphere of 6371 km).
pub(crate) fn distance_sql(statement: &mut Statement<'_>, near: Option<Near>) -> String {
    let Some(near) = near else {
        return "NULL::float8".into();
    };
    let lat = statement.param::<Float8, _>(near.latitude);
    let lon = statement.param::<Float8, _>(near.longitude);
    format!(
        "6371.0 * 2 * asin(least(1.0, sqrt(power(sin(radians(c.latitude - ${lat}) / 2), 2) \
         + cos(radians(${lat})) * cos(radians(c.latitude)) \
         * power(sin(radians(c.longitude - ${lon}) / 2), 2))))"
    )
}

/// Appends ` AND ...` for every filter that is set, and what `viewer` may see.
pub(crate) fn push_filter(
    statement: &mut Statement<'_>,
    filter: &ActivityFilter<'_>,
    viewer: &Viewer,
) {
    if !viewer.admin {
        statement.push(" AND (a.status = 'published'");
        if !viewer.operators.is_empty() {
            statement
                .push(" OR c.operator_id = ANY(")
                .bind::<Array<SqlUuid>, _>(viewer.operators.clone())
                .push(")");
        }
        statement.push(")");
    }
    if let Some(district) = filter.district_id {
        statement.push_in_district(district);
    }
    if let Some(centre) = filter.centre_id {
        statement
            .push(" AND a.centre_id = ")
            .bind::<SqlUuid, _>(centre);
    }
    if let Some(operator) = filter.operator_id {
        statement
            .push(" AND c.operator_id = ")
            .bind::<SqlUuid, _>(operator);
    }
    if let Some(category) = filter.category {
        statement
            .push(" AND a.category = ")
            .bind::<Text, _>(category.to_owned());
    }
    if let Some(group) = filter.target_group {
        statement
            .push(" AND (")
            .bind::<Text, _>(group.to_owned())
            .push(" = ANY(a.target_groups) OR 'all_generations' = ANY(a.target_groups))");
    }
    if let Some(language) = filter.language {
        statement
            .push(" AND ")
            .bind::<Text, _>(language.to_owned())
            .push(" = ANY(a.languages)");
    }
    if filter.free_of_charge {
        statement.push(" AND a.free_of_charge");
    }
    if filter.step_free {
        statement.push(" AND c.step_free");
    }
    if let Some(text) = filter.text {
        statement
            .push(" AND (a.search @@ websearch_to_tsquery('german', ")
            .bind::<Text, _>(text.to_owned())
            .push(")");
        if let Some(language) = filter.text_language {
            crate::translations::push_public_variant(
                statement,
                " OR ",
                TextOwner::Activity,
                "a.id",
                language,
                Some(text),
            );
        }
        statement.push(")");
    }
    if let Some(language) = filter.available_in {
        crate::translations::push_public_variant(
            statement,
            " AND ",
            TextOwner::Activity,
            "a.id",
            language,
            None,
        );
    }
    if let Some(status) = filter.status {
        statement
            .push(" AND a.status = ")
            .bind::<Text, _>(status.to_owned());
    }
}

/// Appends the condition that the centre lies within `near`'s radius; `distance` is the SQL
/// of `distance_sql`.
pub(crate) fn push_near(statement: &mut Statement<'_>, near: Option<Near>, distance: &str) {
    let Some(near) = near else {
        return;
    };
    // A latitude band around the point narrows the rows before the exact distance.
    statement
        .push(" AND c.latitude BETWEEN ")
        .bind::<Float8, _>(near.latitude - near.radius_km / 111.0)
        .push(" AND ")
        .bind::<Float8, _>(near.latitude + near.radius_km / 111.0)
        .push(" AND ")
        .push(distance)
        .push(" <= ")
        .bind::<Float8, _>(near.radius_km);
}

/// Where a page of activities starts: after this (title, id).
pub type ActivityKey = (String, Uuid);

pub fn key(view: &ActivityView) -> ActivityKey {
    (view.activity.title.clone(), view.activity.id)
}

/// Activities matching `filter` that `viewer` may see, by title, after `after`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &ActivityFilter<'_>,
    viewer: &Viewer,
    after: Option<&ActivityKey>,
    limit: i64,
) -> Result<Vec<ActivityView>> {
    let mut statement = Statement::new(VIEW_COLUMNS);
    let distance = distance_sql(&mut statement, filter.near);
    statement
        .push(&format!(" {distance} AS distance_km"))
        .push(VIEW_FROM)
        .push(" WHERE true");
    push_filter(&mut statement, filter, viewer);
    push_near(&mut statement, filter.near, &distance);
    if let Some((from, to)) = filter.between {
        statement
            .push(" AND EXISTS (SELECT 1 FROM occurrences o WHERE o.activity_id = a.id AND o.ends_at > ")
            .bind::<Timestamptz, _>(from)
            .push(" AND o.starts_at < ")
            .bind::<Timestamptz, _>(to)
            .push(")");
    }
    if let Some((title, id)) = after {
        statement
            .push(" AND (a.title, a.id) > (")
            .bind::<Text, _>(title.clone())
            .push(", ")
            .bind::<SqlUuid, _>(*id)
            .push(")");
    }
    statement
        .push(" ORDER BY a.title, a.id LIMIT ")
        .bind::<Int8, _>(limit);
    Ok(statement.finish().load(conn).await?)
}

/// The next `per_activity` occurrences of each activity that end after `from`.
pub async fn next_occurrences(
    conn: &mut AsyncPgConnection,
    activity_ids: &[Uuid],
    from: DateTime<Utc>,
    per_activity: i64,
) -> Result<Vec<OccurrenceRow>> {
    let sql = "\
        SELECT id, activity_id, original_start, starts_at, ends_at, moved, detached, cancelled, \
               cancellation_reason, note, participants, sequence, created_at, updated_at, version, \
               external_id, first_time_participants, participants_age_0_13, participants_age_14_17, \
               participants_age_18_26, participants_age_27_64, participants_age_65_plus \
        FROM (SELECT o.*, row_number() OVER (PARTITION BY o.activity_id ORDER BY o.starts_at, o.id) AS n \
              FROM occurrences o WHERE o.activity_id = ANY($1) AND o.ends_at > $2) ranked \
        WHERE n <= $3 ORDER BY activity_id, starts_at, id";
    Ok(diesel::sql_query(sql)
        .bind::<Array<SqlUuid>, _>(activity_ids.to_vec())
        .bind::<Timestamptz, _>(from)
        .bind::<Int8, _>(per_activity)
        .load(conn)
        .await?)
}
