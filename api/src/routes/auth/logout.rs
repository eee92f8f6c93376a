use actix_web::{HttpResponse, post, web};
use quartier_persistence::refresh_tokens;

use super::RefreshTokenRequest;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;
use crate::tokens::hash_refresh;

/// Sign out: revoke the session the refresh token belongs to.
///
/// Every refresh token of the session stops working. Access tokens already issued stay valid
/// until they expire (at most 15 minutes). Unknown tokens are accepted too, so signing out
/// twice is harmless.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshTokenRequest,
    responses(
        (status = 204, description = "Signed out"),
        (status = 422, description = "Invalid fields (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    Json(body): Json<RefreshTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    refresh_tokens::revoke_family_of(&mut conn, &hash_refresh(body.token()?)).await?;
    Ok(HttpResponse::NoContent().finish())
}
