//! The signed-in user's own account: `/me`, `/me/password`, `/me/privacy-consent`,
//! `/me/export`, and erasure (`DELETE /me`).

pub mod consent;
pub mod erase;
pub mod export;
pub mod get;
pub mod password;
pub mod update;

use quartier_persistence::AsyncPgConnection;
use quartier_persistence::users::{self, UserRow};

use crate::auth::AuthUser;
use crate::error::{ApiError, BearerChallenge};

/// The caller's account. A valid token for an account that no longer exists is treated like
/// an invalid token.
async fn load_account(conn: &mut AsyncPgConnection, user: AuthUser) -> Result<UserRow, ApiError> {
    users::find(conn, user.id).await?.ok_or_else(account_gone)
}

/// The answer to a valid token whose account has been deleted.
fn account_gone() -> ApiError {
    ApiError::Unauthenticated {
        challenge: BearerChallenge::InvalidToken,
        detail: "The account of this token no longer exists.".into(),
    }
}
