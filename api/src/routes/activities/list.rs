//! `GET /activities`: activities by title, each with its next occurrences.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::activities::{self, ActivityKey, ActivityView};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::{ActivityFilterQuery, ActivityResponse, UpcomingOccurrence, filter, viewer};
use crate::auth::MaybeCaller;
use crate::error::{ApiError, Problem};
use crate::extract::IfNoneMatch;
use crate::languages::{ListLanguageQuery, Reading, page_in_language};
use crate::pagination::{self, Page};
use crate::routes::centres::list::SearchTerms;
use crate::routes::occurrences::check_range;
use crate::state::AppState;

/// How many coming occurrences each listed activity shows.
const NEXT_OCCURRENCES: i64 = 3;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityRangeQuery {
    /// With `to`: only activities with an occurrence in this range (RFC 3339; encode `+` as
    /// `%2B`). `next_occurrences` then start here.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 2048)]
    pub cursor: Option<String>,
}

/// Activities by title, each with its next occurrences. Public: published activities; staff
/// also see their operator's others.
#[utoipa::path(
    tag = "activities",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ActivityFilterQuery,
        ActivityRangeQuery,
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `tr, de;q=0.5`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the page the client holds"),
    ),
    responses(
        (status = 200, description = "One page of activities", body = Page<ActivityResponse>, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "The client's copy of this page is current", headers(("ETag" = String))),
        (status = 400, description = "A query parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter out of range, a reversed or too long range, or an unknown `cursor` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/activities")]
pub async fn list_activities(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    query: web::Query<ActivityFilterQuery>,
    range: web::Query<ActivityRangeQuery>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut terms = SearchTerms::default();
    let mut filter = filter(&query, &mut terms, &state.content_languages, &reading)?;
    filter.between = check_between(&range)?;
    let limit = pagination::limit(range.limit)?;
    let after: Option<ActivityKey> = pagination::decode_cursor(range.cursor.as_deref())?;
    // Anonymous searches take turns, so that one client cannot starve the others.
    let _turn = state.fair_share.search(caller.is_none()).await?;
    let mut conn = state.conn().await?;
    let viewer = viewer(&mut conn, caller.as_ref()).await?;
    let rows = activities::list(
        &mut conn,
        &filter,
        &viewer,
        after.as_ref(),
        i64::from(limit) + 1,
    )
    .await?;
    let from = filter.between.map_or_else(Utc::now, |(from, _)| from);
    let upcoming = upcoming_of(&mut conn, &rows, from).await?;
    let page: Page<ActivityResponse> = pagination::page(rows, limit, activities::key, |view| {
        with_upcoming(view, &upcoming)
    });
    page_in_language(&mut conn, &state, &reading, page, &if_none_match).await
}

/// A range of time: from, to.
type Between = (DateTime<Utc>, DateTime<Utc>);

/// The range `from`..`to`, checked; both or neither.
fn check_between(range: &ActivityRangeQuery) -> Result<Option<Between>, ApiError> {
    match (range.from, range.to) {
        (Some(from), Some(to)) => Ok(Some(check_range(from, to)?)),
        (None, None) => Ok(None),
        _ => Err(ApiError::validation(
            "to",
            "from and to must be given together",
        )),
    }
}

/// The next occurrences from `from` of each activity in `rows`, by activity.
async fn upcoming_of(
    conn: &mut AsyncPgConnection,
    rows: &[ActivityView],
    from: DateTime<Utc>,
) -> Result<HashMap<Uuid, Vec<UpcomingOccurrence>>, ApiError> {
    let ids: Vec<_> = rows.iter().map(|r| r.activity.id).collect();
    let mut upcoming: HashMap<_, Vec<UpcomingOccurrence>> = HashMap::new();
    for row in activities::next_occurrences(conn, &ids, from, NEXT_OCCURRENCES).await? {
        upcoming
            .entry(row.activity_id)
            .or_default()
            .push((&row).into());
    }
    Ok(upcoming)
}

/// A listed activity with its next occurrences (an empty list when it has none).
fn with_upcoming(
    view: ActivityView,
    upcoming: &HashMap<Uuid, Vec<UpcomingOccurrence>>,
) -> ActivityResponse {
    let id = view.activity.id;
    let mut item = ActivityResponse::from(view);
    item.next_occurrences = Some(upcoming.get(&id).cloned().unwrap_or_default());
    item
}
