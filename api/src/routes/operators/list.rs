use actix_web::{HttpResponse, get, web};
use quartier_domain::OperatorKind;
use quartier_persistence::operators::{self, OperatorFilter};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::{OperatorKindBody, OperatorResponse, OperatorStatus};
use crate::error::{ApiError, Problem};
use crate::extract::{IfNoneMatch, json_with_body_etag};
use crate::pagination::{self, Page};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListOperatorsQuery {
    /// Only operators of this kind.
    pub kind: Option<OperatorKindBody>,
    /// Only operators with this status.
    pub status: Option<OperatorStatus>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 2048)]
    pub cursor: Option<String>,
}

/// List operators by name. Public.
#[utoipa::path(
    tag = "operators",
    params(
        ListOperatorsQuery,
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the page the client holds"),
    ),
    responses(
        (status = 200, description = "One page of operators", body = Page<OperatorResponse>, headers(("ETag" = String))),
        (status = 304, description = "The client's copy of this page is current", headers(("ETag" = String))),
        (status = 400, description = "A query parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` out of range or an unknown `cursor` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/operators")]
pub async fn list_operators(
    state: web::Data<AppState>,
    query: web::Query<ListOperatorsQuery>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let limit = pagination::limit(query.limit)?;
    let after: Option<(String, Uuid)> = pagination::decode_cursor(query.cursor.as_deref())?;
    let filter = OperatorFilter {
        kind: query.kind.map(|k| OperatorKind::from(k).as_str()),
        status: query.status.map(OperatorStatus::as_str),
    };
    let mut conn = state.conn().await?;
    let after = after.as_ref().map(|(name, id)| (name.as_str(), *id));
    let rows = operators::list(&mut conn, &filter, after, i64::from(limit) + 1).await?;
    let page = pagination::page(
        rows,
        limit,
        |row| (row.name.clone(), row.id),
        OperatorResponse::from,
    );
    json_with_body_etag(&if_none_match, &page)
}
