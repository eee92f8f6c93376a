use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};

use super::load_account;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{IfNoneMatch, etag, not_modified};
use crate::routes::account::{AccountResponse, account_response};
use crate::state::AppState;

/// The signed-in user's account.
///
/// With `If-None-Match` naming the current `ETag`, the answer is 304 without a body.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(("If-None-Match" = Option<String>, Header, description = "The ETag of the copy the client holds")),
    responses(
        (status = 304, description = "The client's copy is current",
            headers(("ETag" = String, description = "The account's version"))),
        (status = 200, description = "The account", body = AccountResponse,
            headers(("ETag" = String, description = "The account's version, for If-Match"))),
    ),
)]
#[get("/me")]
pub async fn get_me(
    state: web::Data<AppState>,
    user: AuthUser,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let account = load_account(&mut conn, user).await?;
    let current = etag(account.version);
    if if_none_match.matches(&current) {
        return Ok(not_modified(&current));
    }
    Ok(account_response(StatusCode::OK, account))
}
