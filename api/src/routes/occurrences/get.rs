use actix_web::{HttpResponse, get, web};
use quartier_persistence::occurrences;
use uuid::Uuid;

use super::{OccurrenceResponse, visible};
use crate::auth::MaybeCaller;
use crate::error::{ApiError, Problem};
use crate::extract::{IfNoneMatch, versioned_json};
use crate::routes::activities::viewer;
use crate::state::AppState;

/// One occurrence. Public when its activity is published; staff of the operator also see
/// attendance.
#[utoipa::path(
    tag = "occurrences",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The occurrence's id"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag the client holds"),
    ),
    responses(
        (status = 200, description = "The occurrence", body = OccurrenceResponse, headers(("ETag" = String))),
        (status = 304, description = "The client's copy is current", headers(("ETag" = String))),
        (status = 404, description = "No occurrence has this id, or its activity is not published (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/occurrences/{id}")]
pub async fn get_occurrence(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let viewer = viewer(&mut conn, caller.as_ref()).await?;
    let view = occurrences::find(&mut conn, *id)
        .await?
        .filter(|view| visible(&viewer, view))
        .ok_or_else(|| ApiError::NotFound("No occurrence has this id.".into()))?;
    let version = view.occurrence.version;
    Ok(versioned_json(
        &if_none_match,
        version,
        &OccurrenceResponse::new(view, &viewer),
    ))
}
