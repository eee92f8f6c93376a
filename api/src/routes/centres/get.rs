use actix_web::{HttpResponse, get, web};
use quartier_persistence::centres;
use uuid::Uuid;

use super::CentreResponse;
use crate::error::{ApiError, Problem};
use crate::extract::{IfNoneMatch, versioned_json};
use crate::state::AppState;

/// One centre. Public.
#[utoipa::path(
    tag = "centres",
    params(
        ("id" = Uuid, Path, description = "The centre's id"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the copy the client holds"),
    ),
    responses(
        (status = 200, description = "The centre", body = CentreResponse, headers(("ETag" = String))),
        (status = 304, description = "The client's copy is current", headers(("ETag" = String))),
        (status = 404, description = "No centre has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/centres/{id}")]
pub async fn get_centre(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let view = centres::find(&mut conn, *id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No centre has this id.".into()))?;
    let version = view.centre.version;
    Ok(versioned_json(
        &if_none_match,
        version,
        &CentreResponse::from(view),
    ))
}
