use actix_web::{HttpResponse, get, web};
use quartier_persistence::districts;
use uuid::Uuid;

use super::DistrictResponse;
use crate::error::{ApiError, Problem};
use crate::extract::{IfNoneMatch, versioned_json};
use crate::state::AppState;

/// One district. Public.
#[utoipa::path(
    tag = "districts",
    params(
        ("id" = Uuid, Path, description = "The district's id"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the copy the client holds"),
    ),
    responses(
        (status = 200, description = "The district", body = DistrictResponse, headers(("ETag" = String))),
        (status = 304, description = "The client's copy is current", headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No district has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/districts/{id}")]
pub async fn get_district(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let row = districts::find(&mut conn, *id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No district has this id.".into()))?;
    let version = row.version;
    Ok(versioned_json(
        &if_none_match,
        version,
        &DistrictResponse::from(row),
    ))
}
