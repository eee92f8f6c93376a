use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use quartier_persistence::refresh_tokens::{self, Rotation};
use quartier_persistence::users;
use uuid::Uuid;

use super::{RefreshTokenRequest, TokenResponse, stored_role, token_response};
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::limits;
use crate::state::AppState;
use crate::tokens::hash_refresh;

/// Exchange a refresh token for a new access token and a new refresh token.
///
/// Each refresh token works once. Presenting one that was already used revokes every token
/// of that session (someone else holds a copy), and both holders must sign in again.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshTokenRequest,
    responses(
        (status = 200, description = "A new token pair", body = TokenResponse),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token (`invalid-refresh-token`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many refreshes from this address or for this account (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    request: HttpRequest,
    Json(body): Json<RefreshTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    limits::auth_attempt_from(&state, &request).await?;
    let presented = hash_refresh(body.token()?);
    let owner = refresh_tokens::owner(&mut *state.conn().await?, &presented).await?;
    if let Some(owner) = owner {
        limits::account_attempt(&state, &format!("refresh-account:{owner}")).await?;
    }
    let next = state.tokens.new_refresh(Utc::now());
    let mut conn = state.conn().await?;
    let rotation = refresh_tokens::rotate(
        &mut conn,
        &presented,
        Uuid::now_v7(),
        &next.hash,
        next.expires_at,
    )
    .await?;
    match rotation {
        Rotation::Rotated { user_id } => {
            let account = users::find(&mut conn, user_id)
                .await?
                .ok_or(ApiError::InvalidRefreshToken)?;
            let tokens = token_response(
                &state,
                account.id,
                stored_role(&account.role)?,
                account.token_generation,
                next,
            )?;
            Ok(HttpResponse::Ok()
                .insert_header(("Cache-Control", "no-store"))
                .json(tokens))
        }
        Rotation::Reused { user_id } => {
            tracing::warn!(%user_id, "a used refresh token was presented again; its session is revoked");
            Err(ApiError::InvalidRefreshToken)
        }
        Rotation::Invalid => Err(ApiError::InvalidRefreshToken),
    }
}
