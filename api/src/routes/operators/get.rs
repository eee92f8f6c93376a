use actix_web::{HttpResponse, get, web};
use quartier_persistence::operators;
use uuid::Uuid;

use super::OperatorResponse;
use crate::error::{ApiError, Problem};
use crate::extract::{IfNoneMatch, versioned_json};
use crate::state::AppState;

/// One operator. Public.
#[utoipa::path(
    tag = "operators",
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the copy the client holds"),
    ),
    responses(
        (status = 200, description = "The operator", body = OperatorResponse, headers(("ETag" = String))),
        (status = 304, description = "The client's copy is current", headers(("ETag" = String))),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/operators/{id}")]
pub async fn get_operator(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let row = operators::find(&mut conn, *id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No operator has this id.".into()))?;
    let version = row.version;
    Ok(versioned_json(
        &if_none_match,
        version,
        &OperatorResponse::from(row),
    ))
}
