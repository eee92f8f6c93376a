use actix_web::{HttpResponse, get, web};
use quartier_persistence::districts::{self, DistrictFilter};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::DistrictResponse;
use crate::error::{ApiError, Problem};
use crate::extract::{IfNoneMatch, json_with_body_etag};
use crate::pagination::{self, Page};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListDistrictsQuery {
    /// Only districts of this town.
    #[param(max_length = 120)]
    pub town: Option<String>,
    /// Only the direct sub-districts of this district.
    pub parent_id: Option<Uuid>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 2048)]
    pub cursor: Option<String>,
}

/// List districts by name. Public.
#[utoipa::path(
    tag = "districts",
    params(
        ListDistrictsQuery,
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the page the client holds"),
    ),
    responses(
        (status = 200, description = "One page of districts", body = Page<DistrictResponse>, headers(("ETag" = String))),
        (status = 304, description = "The client's copy of this page is current", headers(("ETag" = String))),
        (status = 400, description = "A query parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` out of range, `town` too long, or an unknown `cursor` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/districts")]
pub async fn list_districts(
    state: web::Data<AppState>,
    query: web::Query<ListDistrictsQuery>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    if query.town.as_ref().is_some_and(|t| t.chars().count() > 120) {
        return Err(ApiError::validation(
            "town",
            "must be at most 120 characters",
        ));
    }
    let limit = pagination::limit(query.limit)?;
    let after: Option<(String, Uuid)> = pagination::decode_cursor(query.cursor.as_deref())?;
    let filter = DistrictFilter {
        town: query.town.as_deref(),
        parent_id: query.parent_id,
    };
    let mut conn = state.conn().await?;
    let after = after.as_ref().map(|(name, id)| (name.as_str(), *id));
    let rows = districts::list(&mut conn, &filter, after, i64::from(limit) + 1).await?;
    let page = pagination::page(
        rows,
        limit,
        |row| (row.name.clone(), row.id),
        DistrictResponse::from,
    );
    json_with_body_etag(&if_none_match, &page)
}
