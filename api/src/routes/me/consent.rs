//! The privacy policy in force, and the user's consent to it (Art. 7 DSGVO).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use quartier_persistence::users;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::account::{AccountResponse, account_response};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct PrivacyPolicyResponse {
    /// The version users agree to now.
    #[schema(example = "2026-11")]
    pub version: String,
    /// Where the policy can be read, when the deployment says so.
    #[schema(example = "https://www.auenstadt.example/datenschutz")]
    pub url: Option<String>,
}

/// The privacy policy in force.
///
/// Apps show it at registration and compare its `version` with the account's
/// `privacy_policy_version`: when they differ, the user is asked to agree to this one.
#[utoipa::path(
    tag = "me",
    responses(
        (status = 200, description = "The privacy policy in force", body = PrivacyPolicyResponse),
    ),
)]
#[get("/privacy-policy")]
pub async fn get_privacy_policy(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(PrivacyPolicyResponse {
            version: state.privacy_policy.version.clone(),
            url: state.privacy_policy.url.clone(),
        })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentRequest {
    /// The version the user was shown and agreed to: it must be the one in force.
    #[schema(example = "2026-11", min_length = 1, max_length = 64)]
    pub version: String,
}

/// Agree to the privacy policy in force.
///
/// Records the version and the time in the account. A version other than the one in force
/// (`GET /api/v1/privacy-policy`), as when the policy changed while the user read it, gets 422
/// and records nothing.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = ConsentRequest,
    responses(
        (status = 200, description = "The consent is recorded; the account", body = AccountResponse,
            headers(("ETag" = String, description = "The account's new version"))),
        (status = 422, description = "Not the version in force (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/privacy-consent")]
pub async fn consent_to_privacy_policy(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<ConsentRequest>,
) -> Result<HttpResponse, ApiError> {
    let current = &state.privacy_policy.version;
    if body.version != *current {
        return Err(ApiError::validation(
            "version",
            &format!("is not the privacy policy in force, which is {current:?}"),
        ));
    }
    let mut conn = state.conn().await?;
    let account = users::consent_to_privacy_policy(&mut conn, user.id, current)
        .await?
        .ok_or_else(super::account_gone)?;
    Ok(account_response(StatusCode::OK, account))
}
