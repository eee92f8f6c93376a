use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use quartier_persistence::activities;
use quartier_persistence::occurrences::{self, OccurrenceKey};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::{OccurrenceResponse, check_range};
use crate::auth::MaybeCaller;
use crate::error::{ApiError, Problem};
use crate::extract::IfNoneMatch;
use crate::languages::{
    ListLanguageQuery, Reading, Served, localize_list, page_in_language, page_served,
};
use crate::pagination::{self, Page};
use crate::routes::activities::{ActivityFilterQuery, filter, viewer, visible};
use crate::routes::centres::list::SearchTerms;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// Start of the range (RFC 3339, such as `2027-03-01T00:00:00Z`; encode `+` as `%2B`).
    pub from: DateTime<Utc>,
    /// End of the range: after `from`, at most 93 days later.
    pub to: DateTime<Utc>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 2048)]
    pub cursor: Option<String>,
}

/// "What's on": occurrences overlapping a time range, by start, with what a list screen
/// shows. Public: occurrences of published activities; staff also see their operator's
/// others. Cancelled occurrences are listed with `cancelled`.
#[utoipa::path(
    tag = "occurrences",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ActivityFilterQuery,
        RangeQuery,
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110): `q` also finds activities by their public texts in the first one enabled"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the page the client holds"),
    ),
    responses(
        (status = 200, description = "One page of occurrences", body = Page<OccurrenceResponse>, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "The client's copy of this page is current", headers(("ETag" = String))),
        (status = 400, description = "A query parameter does not parse, or `from`/`to` is missing (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter out of range, a reversed or too long range, or an unknown `cursor` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/occurrences")]
pub async fn search_occurrences(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    query: web::Query<ActivityFilterQuery>,
    range: web::Query<RangeQuery>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let (page, served) = page_of(&state, caller.as_ref(), &query, &range, &reading).await?;
    page_served(page, &served, &if_none_match)
}

/// One page of "what's on" as `caller` (anonymous: `None`) may see it, in the reader's
/// language: the query checked first, then (for anonymous readers) a turn among the
/// searches, and only then a connection, held with the turn until the texts are served.
pub(crate) async fn page_of(
    state: &AppState,
    caller: Option<&crate::auth::Caller>,
    query: &ActivityFilterQuery,
    range: &RangeQuery,
    reading: &Reading,
) -> Result<(Page<OccurrenceResponse>, Served), ApiError> {
    let mut terms = SearchTerms::default();
    let filter = filter(query, &mut terms, &state.content_languages, reading)?;
    let between = check_range(range.from, range.to)?;
    let limit = pagination::limit(range.limit)?;
    let after: Option<OccurrenceKey> = pagination::decode_cursor(range.cursor.as_deref())?;
    // Anonymous searches take turns, so that one client cannot starve the others.
    let _turn = state.fair_share.search(caller.is_none()).await?;
    let mut conn = state.conn().await?;
    let viewer = viewer(&mut conn, caller).await?;
    let rows = occurrences::search(
        &mut conn,
        &filter,
        &viewer,
        between,
        after.as_ref(),
        i64::from(limit) + 1,
    )
    .await?;
    let mut page = pagination::page(
        rows,
        limit,
        |v| occurrences::key(&v.occurrence),
        |v| OccurrenceResponse::new(v, &viewer),
    );
    let served = localize_list(&mut conn, state, reading, &mut page.items).await?;
    Ok((page, served))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityOccurrencesQuery {
    /// Start of the range (default: now).
    pub from: Option<DateTime<Utc>>,
    /// End of the range (default: 93 days after `from`), at most 93 days after `from`.
    pub to: Option<DateTime<Utc>>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 2048)]
    pub cursor: Option<String>,
}

/// The occurrences of one activity in a range, by start. Public when the activity is
/// published; staff of its operator also see attendance.
#[utoipa::path(
    tag = "occurrences",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The activity's id"),
        ActivityOccurrencesQuery,
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `tr, de;q=0.5`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the page the client holds"),
    ),
    responses(
        (status = 200, description = "One page of occurrences", body = Page<OccurrenceResponse>, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "The client's copy of this page is current", headers(("ETag" = String))),
        (status = 404, description = "No activity has this id, or it is not published (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A reversed or too long range, or an unknown `cursor` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/activities/{id}/occurrences")]
pub async fn activity_occurrences(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
    query: web::Query<ActivityOccurrencesQuery>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let from = query.from.unwrap_or_else(Utc::now);
    let to = match query.to {
        Some(to) => to,
        // A default end is checked like one given (chrono cannot overflow here in practice).
        None => from
            .checked_add_signed(chrono::Duration::days(super::MAX_RANGE_DAYS))
            .unwrap_or(from),
    };
    let between = check_range(from, to)?;
    let limit = pagination::limit(query.limit)?;
    let after: Option<OccurrenceKey> = pagination::decode_cursor(query.cursor.as_deref())?;
    let mut conn = state.conn().await?;
    let viewer = viewer(&mut conn, caller.as_ref()).await?;
    activities::find(&mut conn, *id)
        .await?
        .filter(|view| visible(&viewer, view))
        .ok_or_else(|| ApiError::NotFound("No activity has this id.".into()))?;
    let rows = occurrences::of_activity(
        &mut conn,
        *id,
        between,
        after.as_ref(),
        i64::from(limit) + 1,
    )
    .await?;
    let page: Page<OccurrenceResponse> = pagination::page(
        rows,
        limit,
        |v| occurrences::key(&v.occurrence),
        |v| OccurrenceResponse::new(v, &viewer),
    );
    page_in_language(&mut conn, &state, &reading, page, &if_none_match).await
}
