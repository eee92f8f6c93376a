//! Verified addresses: the link mailed at registration or on a change of address, and
//! `POST /auth/verify-email` that redeems it.

use actix_web::{HttpResponse, post, web};
use chrono::Utc;
use quartier_domain::notification::Kind;
use quartier_persistence::account_tokens::{self, NewAccountToken, Purpose};
use quartier_persistence::notifications::NewNotification;
use quartier_persistence::users::{self, EMAIL_UNIQUE};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::mail::{GUEST_LINK_HOURS, RESET_HOURS, VERIFICATION_HOURS};
use crate::state::AppState;
use crate::tokens::LinkTokens;

/// A token from a link Quartier mailed.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkTokenRequest {
    /// The `token` parameter of the link.
    #[schema(
        min_length = 1,
        max_length = 100,
        example = "k3Jx0cJ8m2VbR8y5PqWnX1s7D4eTgHhA9uLzF6oQiYw"
    )]
    pub token: String,
}

debug_without_secrets!(LinkTokenRequest {});

impl LinkTokenRequest {
    /// The hash the database keeps of the token, once it has the shape of one.
    pub fn hash(&self) -> Result<Vec<u8>, ApiError> {
        link_token_hash(&self.token)
    }
}

/// The hash the database keeps of a mailed link's `token` (field `token`), once it has the
/// shape of one.
pub fn link_token_hash(token: &str) -> Result<Vec<u8>, ApiError> {
    if !(1..=100).contains(&token.chars().count()) {
        return Err(ApiError::validation("token", "must be 1 to 100 characters"));
    }
    Ok(LinkTokens::hash(token.trim()))
}

/// 422 `link-invalid`.
pub fn link_invalid() -> ApiError {
    ApiError::Refused {
        slug: "link-invalid",
        detail: "This link is unknown, was used already, was replaced by a newer one, or has expired. Ask for a new one.".into(),
    }
}

/// Queues a mail to `email` with a link that proves the account `user_id` reads it, with
/// `also` (told in the same transaction); links sent before stop working.
pub async fn queue_verification(
    state: &AppState,
    user_id: Uuid,
    email: &str,
    also: Option<NewNotification>,
) -> Result<(), ApiError> {
    queue_link(state, user_id, Purpose::VerifyEmail, Some(email), also).await
}

/// Stores a one-use token for `purpose` and queues the mail that carries its link (to `email`
/// for a verification, else to the account's address), with `also`, in one transaction.
/// Earlier links of the same purpose stop working.
pub async fn queue_link(
    state: &AppState,
    user_id: Uuid,
    purpose: Purpose,
    email: Option<&str>,
    also: Option<NewNotification>,
) -> Result<(), ApiError> {
    let (kind, hours, prefix) = match purpose {
        Purpose::VerifyEmail => (Kind::EmailVerification, VERIFICATION_HOURS, "verify"),
        Purpose::ResetPassword => (Kind::PasswordReset, RESET_HOURS, "reset"),
        Purpose::GuestAccess => (Kind::GuestLink, GUEST_LINK_HOURS, "guest"),
    };
    let token_id = Uuid::now_v7();
    let hash = LinkTokens::hash(&state.links.token(token_id));
    let mut notify = vec![NewNotification {
        details: serde_json::json!({ "token_id": token_id }),
        address: email.map(str::to_owned),
        dedup_key: Some(format!("{prefix}:{token_id}")),
        ..NewNotification::now(user_id, kind)
    }];
    notify.extend(also);
    let mut conn = state.conn().await?;
    account_tokens::issue_and_notify(
        &mut conn,
        &NewAccountToken {
            id: token_id,
            user_id,
            purpose: purpose.as_str(),
            email,
            token_hash: &hash,
            expires_at: Utc::now() + chrono::Duration::hours(hours),
        },
        &notify,
    )
    .await?;
    Ok(())
}

/// Confirm an e-mail address with the token of the link Quartier mailed to it.
///
/// Needs no sign-in: the link may be opened on another device. The address the link was sent
/// to becomes the account's verified address (after a change of address, it replaces the old
/// one now). A link works once, for 48 hours, and only the newest one sent works.
#[utoipa::path(
    tag = "auth",
    request_body = LinkTokenRequest,
    responses(
        (status = 204, description = "The address is verified"),
        (status = 409, description = "Another account took this address since the link was sent (`email-taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The link is unknown, used, replaced or expired (`link-invalid`), or the token is not shaped like one (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/verify-email")]
pub async fn verify_email(
    state: web::Data<AppState>,
    Json(body): Json<LinkTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash()?;
    let mut conn = state.conn().await?;
    // A taken address fails the update, which rolls the whole transaction back: the link
    // stays unused.
    let verified = users::verify_with_token(&mut conn, &hash).await;
    match verified {
        Ok(Some(_)) => Ok(HttpResponse::NoContent().finish()),
        Ok(None) => Err(link_invalid()),
        Err(error) if error.is_constraint(EMAIL_UNIQUE) => Err(ApiError::EmailTaken),
        Err(error) => Err(error.into()),
    }
}
