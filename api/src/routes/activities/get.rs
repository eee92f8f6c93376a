use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use super::{ActivityResponse, viewer, visible};
use crate::auth::MaybeCaller;
use crate::error::{ApiError, Problem};
use crate::extract::{IfNoneMatch, versioned_json};
use crate::state::AppState;

/// One activity. Public when published; staff of its operator also see its other states.
#[utoipa::path(
    tag = "activities",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The activity's id"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag the client holds"),
    ),
    responses(
        (status = 200, description = "The activity", body = ActivityResponse, headers(("ETag" = String))),
        (status = 304, description = "The client's copy is current", headers(("ETag" = String))),
        (status = 404, description = "No activity has this id, or it is not published (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/activities/{id}")]
pub async fn get_activity(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let viewer = viewer(&mut conn, caller.as_ref()).await?;
    let view = quartier_persistence::activities::find(&mut conn, *id)
        .await?
        .filter(|view| visible(&viewer, view))
        .ok_or_else(|| ApiError::NotFound("No activity has this id.".into()))?;
    let version = view.activity.version;
    Ok(versioned_json(
        &if_none_match,
        version,
        &ActivityResponse::from(view),
    ))
}
