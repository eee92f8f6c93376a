//! `PUT`/`DELETE /concerns/{id}/support`: "me too". One support per account and concern,
//! counted in the statement that adds it; only while the concern is open.

use actix_web::{HttpResponse, delete, put, web};
use quartier_persistence::concerns::{self, SupportRefusal};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::readable;
use crate::auth::{AuthUser, Caller};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupportRequest {
    /// Whether you want to hear of answers to it (default false).
    pub notify: Option<bool>,
}

/// Your support of a concern, and how many support it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupportResponse {
    pub concern_id: Uuid,
    /// Whether you support it now.
    pub supported: bool,
    pub support_count: i32,
}

fn refused(refusal: SupportRefusal) -> ApiError {
    match refusal {
        SupportRefusal::NotFound => ApiError::NotFound("No concern has this id.".into()),
        SupportRefusal::NotOpen(status) => ApiError::Conflict {
            slug: "concern-not-open",
            detail: format!(
                "The concern is {}: it can be supported only from its publication until it is closed.",
                status.as_str()
            ),
        },
    }
}

/// Support a concern ("me too"), optionally asking to hear of its answers. Repeating it
/// changes only `notify`: one support per account. Signed-in persons; only while the
/// concern is open (published to in progress).
#[utoipa::path(
    tag = "concerns",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The concern's id")),
    request_body(content = Option<SupportRequest>, description = "Empty: support without hearing of answers"),
    responses(
        (status = 200, description = "You support it", body = SupportResponse),
        (status = 400, description = "The id is not a UUID, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No concern has this id, or it is not published (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The concern is not open: not yet published, or closed (`concern-not-open`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The body is not a support request (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/concerns/{id}/support")]
pub async fn support_concern(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: SupportRequest = crate::extract::optional_json(&body)?;
    let notify = request.notify.unwrap_or(false);
    let mut conn = state.conn().await?;
    readable(&mut conn, Some(&Caller::User(user)), *id).await?;
    let support_count = concerns::support(&mut conn, *id, user.id, notify)
        .await?
        .map_err(refused)?;
    Ok(HttpResponse::Ok().json(SupportResponse {
        concern_id: *id,
        supported: true,
        support_count,
    }))
}

/// Take your support back. Nothing changes if you did not support it.
#[utoipa::path(
    tag = "concerns",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The concern's id")),
    responses(
        (status = 200, description = "You do not support it", body = SupportResponse),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No concern has this id, or it is not published (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/concerns/{id}/support")]
pub async fn withdraw_concern_support(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    readable(&mut conn, Some(&Caller::User(user)), *id).await?;
    let support_count = concerns::withdraw_support(&mut conn, *id, user.id)
        .await?
        .map_err(refused)?;
    Ok(HttpResponse::Ok().json(SupportResponse {
        concern_id: *id,
        supported: false,
        support_count,
    }))
}
