//! `DELETE /me`: erasure of one's own account (Art. 17 DSGVO).

use actix_web::{HttpRequest, HttpResponse, delete, web};
use chrono::Utc;
use quartier_persistence::privacy::{self, ErasureRefusal};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{account_for_password_check, account_gone, check_password};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseAccountRequest {
    /// The account's password, to confirm that its owner asks.
    #[schema(format = Password, max_length = 128)]
    pub password: String,
}

debug_without_secrets!(EraseAccountRequest {});

/// What the erasure did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErasureResponse {
    /// Coming confirmed sign-ups and places on waitlists that were cancelled.
    pub cancelled_signups: usize,
    /// Waiting volunteers who got a place this freed.
    pub promoted_signups: usize,
    /// Sign-ups kept for the operators' statistics (counts and hours) without naming anyone.
    pub anonymised_signups: usize,
}

/// Erase your account (Art. 17 DSGVO). Needs your password.
///
/// In one transaction: your coming confirmed sign-ups and waitlist places are cancelled (the
/// first waiting volunteer moves up; operators are told a volunteer left, not who), all your
/// sign-ups are kept only as anonymous counts and hours, and your account is deleted with
/// your profile, qualifications, staff roles, sessions and calendar feed. Access tokens you
/// still hold stop working. The only administrator cannot erase their account.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = EraseAccountRequest,
    responses(
        (status = 200, description = "The account is erased", body = ErasureResponse),
        (status = 401, description = "No valid access token, or the account is gone (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many erasure attempts from this address or for this account (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The password is wrong (`wrong-password`), or an API key was sent (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The only administrator cannot go (`last-admin`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A missing or unknown field (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/me")]
pub async fn erase_me(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: AuthUser,
    Json(body): Json<EraseAccountRequest>,
) -> Result<HttpResponse, ApiError> {
    let account = account_for_password_check(&state, &request, user).await?;
    check_password(&state, &account, &body.password).await?;
    let mut conn = state.conn().await?;
    let erased = privacy::erase_account(&mut conn, account.id, Utc::now())
        .await?
        .map_err(|refusal| match refusal {
            ErasureRefusal::NotFound => account_gone(),
            ErasureRefusal::LastAdmin => ApiError::Conflict {
                slug: "last-admin",
                detail: "You are the only administrator: make someone else one first.".into(),
            },
        })?;
    Ok(HttpResponse::Ok().json(ErasureResponse {
        cancelled_signups: erased.cancelled,
        promoted_signups: erased.promoted,
        anonymised_signups: erased.anonymised,
    }))
}
