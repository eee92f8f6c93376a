use actix_web::{HttpRequest, HttpResponse, post, web};
use quartier_domain::Password;
use quartier_persistence::users;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{account_for_password_check, check_password};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[schema(format = Password, max_length = 128)]
    pub current_password: String,
    /// At least 10 characters, and not the e-mail address.
    #[schema(format = Password, min_length = 10, max_length = 128)]
    pub new_password: String,
}

debug_without_secrets!(ChangePasswordRequest {});

/// Change the signed-in user's password.
///
/// Needs the current password. Every session of the account is revoked: other devices must
/// sign in again with the new password.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "The password was changed and all sessions revoked"),
        (status = 412, description = "The account changed at the same moment (`version-conflict`); retry", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many password changes from this address or for this account (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The current password is wrong (`wrong-password`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The new password breaks the policy (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: AuthUser,
    Json(body): Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let account = account_for_password_check(&state, &request, user).await?;
    let new_password = Password::parse(&body.new_password, &account.email, "new_password")?;
    check_password(&state, &account, &body.current_password).await?;
    let new_hash = state.passwords.hash(new_password.expose()).await?;

    let mut conn = state.conn().await?;
    users::change_password(&mut conn, account.id, account.version, &new_hash)
        .await?
        .ok_or(ApiError::VersionConflict)?;
    Ok(HttpResponse::NoContent().finish())
}
