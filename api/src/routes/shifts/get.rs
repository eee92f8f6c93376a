//! `GET /shifts/{id}`: one shift, for anyone who may see it.

use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use super::{ShiftResponse, visible_shift};
use crate::auth::MaybeCaller;
use crate::error::{ApiError, Problem};
use crate::extract::{IfNoneMatch, json_with_body_etag};
use crate::state::AppState;

/// One shift: times, task, centre, places, waitlist length. Public; never names.
#[utoipa::path(
    tag = "shifts",
    params(
        ("id" = Uuid, Path, description = "The shift's id"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag the client holds"),
    ),
    responses(
        (status = 200, description = "The shift", body = ShiftResponse, headers(("ETag" = String))),
        (status = 304, description = "The client's copy is current", headers(("ETag" = String))),
        (status = 404, description = "No shift has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/shifts/{id}")]
pub async fn get_shift(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let view = visible_shift(&mut conn, caller.as_ref(), *id).await?;
    // Places change without the shift's version changing: the tag is made from the body.
    json_with_body_etag(&if_none_match, &ShiftResponse::from(view))
}
