use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};

use super::load_account;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::account::{AccountResponse, account_response};
use crate::state::AppState;

/// The signed-in user's account.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = AccountResponse,
            headers(("ETag" = String, description = "The account's version, for If-Match"))),
    ),
)]
#[get("/me")]
pub async fn get_me(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let account = load_account(&mut conn, user).await?;
    Ok(account_response(StatusCode::OK, account))
}
