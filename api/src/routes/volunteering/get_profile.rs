//! `GET /me/profile`: your volunteer profile.

use actix_web::{HttpResponse, get, web};
use quartier_persistence::profiles;

use super::ProfileResponse;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{IfNoneMatch, versioned_json};
use crate::state::AppState;

/// Your volunteer profile (empty until you save one).
#[utoipa::path(
    tag = "volunteering",
    security(("bearer" = [])),
    params(("If-None-Match" = Option<String>, Header, description = "The ETag the client holds")),
    responses(
        (status = 200, description = "Your profile", body = ProfileResponse, headers(("ETag" = String))),
        (status = 304, description = "The client's copy is current", headers(("ETag" = String))),
    ),
)]
#[get("/me/profile")]
pub async fn get_profile(
    state: web::Data<AppState>,
    user: AuthUser,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let row = profiles::find(&mut conn, user.id).await?;
    let version = row.version;
    Ok(versioned_json(
        &if_none_match,
        version,
        &ProfileResponse::from(row),
    ))
}
