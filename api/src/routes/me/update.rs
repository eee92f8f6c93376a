use actix_web::http::StatusCode;
use actix_web::{HttpResponse, patch, web};
use quartier_domain::DisplayName;
use quartier_persistence::users::{self, UserChanges};
use serde::Deserialize;
use utoipa::ToSchema;

use super::load_account;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json};
use crate::routes::account::{AccountResponse, account_response};
use crate::state::AppState;

/// Changes to the caller's account; fields left out stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    /// 1 to 100 characters, not only spaces, no control characters.
    #[schema(
        example = "Anna S.",
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]*[^\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\s\u00ad\u034f\u0300-\u036f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u1ab0-\u1aff\u1dc0-\u1dff\u200b-\u200f\u2060-\u206f\u20d0-\u20ff\u2800\u3164\ufe00-\ufe0f\ufe20-\ufe2f\uffa0][^\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]*$"
    )]
    pub display_name: Option<String>,
}

/// Change the signed-in user's account.
///
/// Send `If-Match` with the `ETag` from `GET /me`. If the account changed since, the answer is
/// 412 `version-conflict` and nothing is changed. The e-mail address and the password have
/// their own flows.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag of the version being changed, or `*`")),
    request_body = UpdateMeRequest,
    responses(
        (status = 200, description = "The changed account", body = AccountResponse,
            headers(("ETag" = String, description = "The new version"))),
        (status = 412, description = "The account changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/me")]
pub async fn update_me(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<UpdateMeRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let display_name = body
        .display_name
        .as_deref()
        .map(DisplayName::parse)
        .transpose()?;
    let mut conn = state.conn().await?;
    let current = load_account(&mut conn, user).await?;
    if_match.check(current.version)?;
    if display_name.is_none() {
        return Ok(account_response(StatusCode::OK, current));
    }
    let changes = UserChanges {
        display_name: display_name.as_ref().map(DisplayName::as_str),
        ..UserChanges::default()
    };
    // The update repeats the version check in its WHERE clause: a change that slipped in
    // since the read above makes it match nothing.
    let updated = users::update(&mut conn, user.id, current.version, &changes)
        .await?
        .ok_or(ApiError::VersionConflict)?;
    Ok(account_response(StatusCode::OK, updated))
}
