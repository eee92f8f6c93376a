use actix_web::{HttpRequest, HttpResponse, post, web};
use quartier_domain::{Email, Password};
use quartier_persistence::users;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{TokenResponse, start_session};
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::limits;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "anna.schmidt@example.org", max_length = 254)]
    pub email: String,
    #[schema(example = "ein langes Passwort", format = Password, max_length = 128)]
    pub password: String,
}

debug_without_secrets!(LoginRequest { email });

/// Sign in with e-mail and password.
///
/// Answers with an access token (15 minutes) and a refresh token. A wrong password and an
/// unknown address get the same answer, in about the same time. After five failed attempts
/// (by default) for one e-mail address from one client address within 15 minutes, that
/// client address must wait until those 15 minutes are over (429 with `Retry-After`, the real
/// wait); a successful sign-in there clears its count. Failures from one address never lock
/// the owner out elsewhere: after 100 attempts from all addresses together, only addresses
/// that have not failed in the window may still try.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "No account matches (`invalid-credentials`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address, or too many failed ones for this account from this address in 15 minutes (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    request: HttpRequest,
    Json(body): Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = body.email.trim();
    limits::auth_attempt_from(&state, &request).await?;
    // No account has an address that is too long or holds a NUL (PostgreSQL cannot store one).
    let searchable = email.chars().count() <= Email::MAX_LEN && !email.contains('\0');
    let account = match searchable {
        true => users::find_by_email(&mut *state.conn().await?, email).await?,
        false => None,
    };
    let attempts = match &account {
        Some(account) => format!("login:{}", account.id),
        None => limits::account_bucket("login", email),
    };
    let attempts = limits::login_attempt(&state, &request, &attempts).await?;
    // The connection went back to the pool: hashing must not hold one.
    let stored_hash = account.as_ref().map(|row| row.password_hash.as_str());
    // No password is longer than the policy allows: such a one is wrong without hashing it.
    let verified = body.password.chars().count() <= Password::MAX_CHARS
        && state.passwords.verify(&body.password, stored_hash).await?;
    let Some(account) = account.filter(|_| verified) else {
        return Err(ApiError::InvalidCredentials);
    };
    limits::clear_login_attempts(&state, &attempts).await;
    let mut conn = state.conn().await?;
    let tokens = start_session(&state, &mut conn, account.id, &account.password_hash).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(tokens))
}
