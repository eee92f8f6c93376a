//! The signed-in user's own account: `/me`, `/me/password`, `/me/privacy-consent`,
//! `/me/export`, `/me/memberships`, and erasure (`DELETE /me`).

pub mod consent;
pub mod email;
pub mod erase;
pub mod export;
pub mod get;
pub mod memberships;
pub mod notification_preferences;
pub mod notifications;
pub mod operators;
pub mod password;
pub mod update;

use quartier_persistence::AsyncPgConnection;
use quartier_persistence::users::{self, UserRow};

use actix_web::HttpRequest;

use crate::auth::AuthUser;
use crate::error::{ApiError, BearerChallenge};
use crate::limits;
use crate::state::AppState;

/// The caller's account. A valid token for an account that no longer exists is treated like
/// an invalid token.
async fn load_account(conn: &mut AsyncPgConnection, user: AuthUser) -> Result<UserRow, ApiError> {
    users::find(conn, user.id).await?.ok_or_else(account_gone)
}

/// The caller's account for a change that needs its password, once the attempt is counted
/// against the limits of the client address and of the account.
async fn account_for_password_check(
    state: &AppState,
    request: &HttpRequest,
    user: AuthUser,
) -> Result<UserRow, ApiError> {
    limits::auth_attempt_from(state, request).await?;
    limits::account_attempt(state, &format!("password-account:{}", user.id)).await?;
    let mut conn = state.conn().await?;
    load_account(&mut conn, user).await
}

/// 403 `wrong-password` unless `password` is the account's. One longer than the policy allows
/// is wrong without being hashed.
async fn check_password(
    state: &AppState,
    account: &UserRow,
    password: &str,
) -> Result<(), ApiError> {
    let right = password.chars().count() <= quartier_domain::Password::MAX_CHARS
        && state
            .passwords
            .verify(password, Some(&account.password_hash))
            .await?;
    if right {
        Ok(())
    } else {
        Err(ApiError::WrongPassword)
    }
}

/// The answer to a valid token whose account has been deleted.
fn account_gone() -> ApiError {
    ApiError::Unauthenticated {
        challenge: BearerChallenge::InvalidToken,
        detail: "The account of this token no longer exists.".into(),
    }
}
