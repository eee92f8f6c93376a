//! The signed-in person's address: `POST /me/email-verification` mails a new verification
//! link, `POST /me/email` asks to move the account to another address.

use actix_web::{HttpRequest, HttpResponse, post, web};
use quartier_domain::Email;
use quartier_domain::notification::Kind;
use quartier_persistence::notifications::NewNotification;
use quartier_persistence::users;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{account_for_password_check, check_password, load_account};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::limits;
use crate::routes::auth::email::queue_verification;
use crate::state::AppState;

/// Send the verification link again.
///
/// For an account whose address is not verified yet; the link sent before stops working.
/// Limited per account.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 202, description = "A new link is on its way to the account's address"),
        (status = 409, description = "The address is verified already (`already-verified`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many links asked for (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/email-verification")]
pub async fn resend_verification(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let account = load_account(&mut conn, user).await?;
    if account.email_verified_at.is_some() {
        return Err(ApiError::Conflict {
            slug: "already-verified",
            detail: "This account's address is verified already.".into(),
        });
    }
    drop(conn);
    limits::account_attempt(&state, &format!("verification-account:{}", user.id)).await?;
    queue_verification(&state, account.id, &account.email, None).await?;
    Ok(HttpResponse::Accepted().finish())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeEmailRequest {
    /// The new address.
    #[schema(example = "anna.s@example.org", format = Email, max_length = 254)]
    pub email: String,
    /// The account's current password.
    #[schema(format = Password, max_length = 128)]
    pub password: String,
}

debug_without_secrets!(ChangeEmailRequest { email });

/// Move the account to another address.
///
/// Needs the current password. The new address takes effect only when the link mailed to it
/// is used (`POST /auth/verify-email`); until then the account keeps its address, which is
/// told of the request. The answer is the same whether or not another account has the new
/// address; if one has, no link is sent.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = ChangeEmailRequest,
    responses(
        (status = 202, description = "A link is on its way to the new address"),
        (status = 403, description = "The password is wrong (`wrong-password`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The new address is not shaped like one (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this client or for this account (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/email")]
pub async fn change_email(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: AuthUser,
    Json(body): Json<ChangeEmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = Email::parse(&body.email)?;
    let account = account_for_password_check(&state, &request, user).await?;
    check_password(&state, &account, &body.password).await?;
    let mut conn = state.conn().await?;
    let taken = users::find_by_email(&mut conn, email.as_str())
        .await?
        .is_some_and(|other| other.id != account.id);
    let unchanged = account.email == email.as_str() && account.email_verified_at.is_some();
    if taken || unchanged {
        return Ok(HttpResponse::Accepted().finish());
    }
    drop(conn);
    let tell_old_address = (account.email != email.as_str())
        .then(|| NewNotification::now(account.id, Kind::EmailChangeRequested));
    queue_verification(&state, account.id, email.as_str(), tell_old_address).await?;
    Ok(HttpResponse::Accepted().finish())
}
