//! `DELETE /me/calendar-feed`: revoking your calendar feed's address.

use actix_web::{HttpResponse, delete, web};

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Revoke your calendar feed's address.
#[utoipa::path(
    tag = "volunteering",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "You have no calendar feed (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/me/calendar-feed")]
pub async fn revoke_calendar_feed(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    if quartier_persistence::calendar_feeds::revoke(&mut conn, user.id).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound("You have no calendar feed.".into()))
    }
}
