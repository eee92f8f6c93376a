//! `POST /mail/bounces`: the mail system reports a mail that came back undeliverable.

use actix_web::{HttpRequest, HttpResponse, post, web};
use quartier_persistence::notifications;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::{ApiError, BearerChallenge, Problem};
use crate::extract::Json;
use crate::state::AppState;

/// The header that carries `QUARTIER_BOUNCE_TOKEN`.
pub const BOUNCE_TOKEN_HEADER: &str = "x-bounce-token";

/// The name of its security scheme in the OpenAPI document.
pub const BOUNCE_TOKEN: &str = "bounce_token";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BounceReport {
    /// The `Message-ID` of the mail that came back, with or without its angle brackets.
    #[schema(
        example = "<01a23748-3043-7153-bfd3-02146b77a4b2@quartier.example>",
        min_length = 1,
        max_length = 300
    )]
    pub message_id: String,
    /// Whether delivery failed for good (a hard bounce, `5.x.x`); a temporary failure changes
    /// nothing.
    pub permanent: bool,
    /// What the receiving server said, such as `550 5.1.1 user unknown`.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

/// Report a bounced mail (for the mail system, with `X-Bounce-Token`).
///
/// A permanent bounce of a mail Quartier sent marks its notification `bounced`; an operator's
/// admins see it in `GET /operators/{id}/notification-failures`. The answer is the same
/// whether or not the message is one of Quartier's.
#[utoipa::path(
    tag = "operations",
    security(("bounce_token" = [])),
    request_body = BounceReport,
    responses(
        (status = 202, description = "Taken"),
        (status = 401, description = "No bounce token, or not the configured one (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/mail/bounces")]
pub async fn report_bounce(
    state: web::Data<AppState>,
    request: HttpRequest,
    Json(body): Json<BounceReport>,
) -> Result<HttpResponse, ApiError> {
    let presented = request
        .headers()
        .get(BOUNCE_TOKEN_HEADER)
        .and_then(|value| value.to_str().ok());
    let expected = state.mailer.settings.bounce_token.as_ref();
    let valid = match (presented, expected) {
        // Compared as hashes, so that the time taken tells nothing of the secret.
        (Some(presented), Some(expected)) => {
            crate::auth::key_hash(presented) == crate::auth::key_hash(expected.expose())
        }
        _ => false,
    };
    if !valid {
        return Err(ApiError::Unauthenticated {
            challenge: BearerChallenge::InvalidToken,
            detail: "Send the configured QUARTIER_BOUNCE_TOKEN as X-Bounce-Token.".into(),
        });
    }
    if !(1..=300).contains(&body.message_id.chars().count()) {
        return Err(ApiError::validation(
            "message_id",
            "must be 1 to 300 characters",
        ));
    }
    let reason = body.reason.unwrap_or_default();
    if reason.chars().count() > 500 {
        return Err(ApiError::validation(
            "reason",
            "must be at most 500 characters",
        ));
    }
    // Quartier's Message-IDs are `<notification id@domain>`.
    let id = body
        .message_id
        .trim()
        .trim_start_matches('<')
        .split('@')
        .next()
        .and_then(|local| local.parse::<uuid::Uuid>().ok());
    if let (Some(id), true) = (id, body.permanent) {
        let mut conn = state.conn().await?;
        let reason = if reason.is_empty() {
            "bounced"
        } else {
            reason.as_str()
        };
        if notifications::bounced(&mut conn, id, reason).await? {
            tracing::info!(notification = %id, "a mail bounced");
        }
    }
    Ok(HttpResponse::Accepted().finish())
}
