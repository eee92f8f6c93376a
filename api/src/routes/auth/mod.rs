//! Registration and sessions: `/auth/register`, `/auth/login`, `/auth/refresh`, `/auth/logout`.

pub mod email;
pub mod login;
pub mod logout;
pub mod password_reset;
pub mod refresh;
pub mod register;

use chrono::Utc;
use quartier_domain::Role;
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::refresh_tokens::{self, NewRefreshToken};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;
use crate::tokens::RefreshToken;

/// A signed-in session: a short-lived access token and the refresh token that renews it.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
    /// Exchange at `/auth/refresh` for a new pair; usable once.
    pub refresh_token: String,
}

/// A refresh token presented by the client.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshTokenRequest {
    #[schema(min_length = 1, max_length = 512)]
    pub refresh_token: String,
}

debug_without_secrets!(TokenResponse {
    token_type,
    expires_in
});
debug_without_secrets!(RefreshTokenRequest {});

impl RefreshTokenRequest {
    /// The token as sent, once it has the shape of one.
    pub fn token(&self) -> Result<&str, ApiError> {
        let chars = self.refresh_token.chars().count();
        if !(1..=512).contains(&chars) {
            return Err(ApiError::validation(
                "refresh_token",
                "must be 1 to 512 characters",
            ));
        }
        Ok(&self.refresh_token)
    }
}

/// Signs an access token and pairs it with `refresh` (already stored by the caller).
fn token_response(
    state: &AppState,
    user_id: Uuid,
    role: Role,
    generation: i32,
    refresh: RefreshToken,
) -> Result<TokenResponse, ApiError> {
    let access = state
        .tokens
        .issue_access(user_id, role, generation, Utc::now())
        .map_err(|e| ApiError::Internal(format!("cannot sign access token: {e}")))?;
    Ok(TokenResponse {
        access_token: access.token,
        token_type: "Bearer".into(),
        expires_in: state.tokens.access_ttl().as_secs(),
        refresh_token: refresh.secret,
    })
}

/// Starts a new session (a new refresh token family) for a user who just proved their
/// password against `verified_hash`; `InvalidCredentials` if it changed meanwhile.
async fn start_session(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    verified_hash: &str,
) -> Result<TokenResponse, ApiError> {
    let refresh = state.tokens.new_refresh(Utc::now());
    let first = NewRefreshToken {
        id: Uuid::now_v7(),
        user_id,
        family_id: Uuid::now_v7(),
        token_hash: &refresh.hash,
        expires_at: refresh.expires_at,
    };
    let (role, generation) = refresh_tokens::start_family(conn, &first, verified_hash)
        .await?
        .ok_or(ApiError::InvalidCredentials)?;
    token_response(state, user_id, stored_role(&role)?, generation, refresh)
}

/// The role stored for a user; an unknown value is a bug in the data, not the client's fault.
fn stored_role(role: &str) -> Result<Role, ApiError> {
    Role::parse(role).ok_or_else(|| ApiError::Internal(format!("unknown role {role:?} stored")))
}

#[cfg(test)]
mod tests {
    use super::login::LoginRequest;
    use super::register::RegisterRequest;
    use super::*;

    #[test]
    fn debug_output_leaves_out_passwords_and_tokens() {
        let login: LoginRequest =
            serde_json::from_str(r#"{"email": "a@example.org", "password": "geheim-geheim"}"#)
                .expect("json");
        let register: RegisterRequest = serde_json::from_str(
            r#"{"email": "a@example.org", "display_name": "A", "password": "geheim-geheim", "privacy_consent": true}"#,
        )
        .expect("json");
        let refresh: RefreshTokenRequest =
            serde_json::from_str(r#"{"refresh_token": "qrt_geheim"}"#).expect("json");
        let printed = format!("{login:?} {register:?} {refresh:?}");
        assert!(printed.contains("a@example.org"), "{printed}");
        assert!(!printed.contains("geheim"), "{printed}");
    }
}
