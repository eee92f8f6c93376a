//! A forgotten password: `POST /auth/password-reset` mails a link, and
//! `POST /auth/password-reset/confirm` sets the new password with its token.

use actix_web::{HttpRequest, HttpResponse, post, web};
use quartier_domain::{Email, Password};
use quartier_persistence::account_tokens::{self, Purpose};
use quartier_persistence::users;
use serde::Deserialize;
use utoipa::ToSchema;

use super::email::{link_invalid, link_token_hash, queue_link};
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::limits;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    #[schema(example = "anna.schmidt@example.org", format = Email, max_length = 254)]
    pub email: String,
}

debug_without_secrets!(PasswordResetRequest {});

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirmRequest {
    /// The `token` parameter of the link.
    #[schema(min_length = 1, max_length = 100)]
    pub token: String,
    /// At least 10 characters, and not the e-mail address.
    #[schema(format = Password, min_length = 10, max_length = 128)]
    pub new_password: String,
}

debug_without_secrets!(PasswordResetConfirmRequest {});

/// Ask for a link to choose a new password.
///
/// The answer is the same, and takes the same time, whether or not an account has this
/// address: if one has, a link is mailed to it (valid for one hour, once; a newer link
/// replaces it). Limited per client address and per e-mail address.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "If an account has this address, a link is on its way"),
        (status = 422, description = "The address is not shaped like one (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this client or for this address (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/password-reset")]
pub async fn request_password_reset(
    state: web::Data<AppState>,
    request: HttpRequest,
    Json(body): Json<PasswordResetRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = Email::parse(&body.email)?;
    limits::auth_attempt_from(&state, &request).await?;
    limits::account_attempt(
        &state,
        &limits::account_bucket("password-reset", email.as_str()),
    )
    .await?;
    // The lookup runs after the answer, so that its time tells nothing.
    let state = state.into_inner();
    actix_web::rt::spawn(async move {
        if let Err(error) = queue_reset(&state, email.as_str()).await {
            tracing::warn!(%error, "queueing a password reset failed");
        }
    });
    Ok(HttpResponse::Accepted().finish())
}

async fn queue_reset(state: &AppState, email: &str) -> Result<(), ApiError> {
    let mut conn = state.conn().await?;
    let Some(account) = users::find_by_email(&mut conn, email).await? else {
        return Ok(());
    };
    drop(conn);
    queue_link(state, account.id, Purpose::ResetPassword, None, None).await
}

/// Choose a new password with the token of the link Quartier mailed.
///
/// The link works once. Every session of the account ends: refresh tokens are revoked and
/// access tokens refused from now on; other links mailed before stop working. The address the
/// link reached counts as verified. A mail tells the account that its password changed.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetConfirmRequest,
    responses(
        (status = 204, description = "The password is changed; sign in with it"),
        (status = 422, description = "The link is unknown, used, replaced or expired (`link-invalid`), or the new password breaks the policy (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this client (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_password_reset(
    state: web::Data<AppState>,
    request: HttpRequest,
    Json(body): Json<PasswordResetConfirmRequest>,
) -> Result<HttpResponse, ApiError> {
    limits::auth_attempt_from(&state, &request).await?;
    let hash = link_token_hash(&body.token)?;
    let mut conn = state.conn().await?;
    let token = account_tokens::find_valid(&mut conn, &hash, Purpose::ResetPassword)
        .await?
        .ok_or_else(link_invalid)?;
    let account = users::find(&mut conn, token.user_id)
        .await?
        .ok_or_else(link_invalid)?;
    drop(conn);
    let new_password = Password::parse(&body.new_password, &account.email, "new_password")?;
    let new_hash = state.passwords.hash(new_password.expose()).await?;
    let mut conn = state.conn().await?;
    // Redeeming is what counts: of two racing confirmations, one changes the password.
    users::reset_password(&mut conn, &hash, &new_hash)
        .await?
        .ok_or_else(link_invalid)?;
    Ok(HttpResponse::NoContent().finish())
}
