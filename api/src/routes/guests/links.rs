//! `POST /guest/links`: a guest asks for the link to her own sign-ups.

use actix_web::{HttpRequest, HttpResponse, post, web};
use quartier_domain::Email;
use quartier_persistence::account_tokens::Purpose;
use quartier_persistence::guests;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::limits;
use crate::routes::auth::email::queue_link;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuestLinkRequest {
    #[schema(example = "anna@example.org", format = Email, max_length = 254)]
    pub email: String,
}

debug_without_secrets!(GuestLinkRequest {});

/// Ask for the link to your sign-ups as a guest.
///
/// The answer is the same, and takes the same time, whether or not a guest has this address:
/// if one has, a link is mailed to it. Its token (sent as `X-Guest-Token`) lists, cancels and
/// exports the guest's sign-ups and erases her, for one hour; a newer link replaces it.
/// Someone with an account signs in instead. Limited per client and per address.
#[utoipa::path(
    tag = "guests",
    request_body = GuestLinkRequest,
    responses(
        (status = 202, description = "If a guest has this address, a link is on its way"),
        (status = 422, description = "The address is not shaped like one (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this client or for this address (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/guest/links")]
pub async fn request_guest_link(
    state: web::Data<AppState>,
    request: HttpRequest,
    Json(body): Json<GuestLinkRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = Email::parse(&body.email)?;
    limits::auth_attempt_from(&state, &request).await?;
    limits::account_attempt(
        &state,
        &limits::account_bucket("guest-link", email.as_str()),
    )
    .await?;
    // The lookup runs after the answer, so that its time tells nothing.
    let state = state.into_inner();
    actix_web::rt::spawn(async move {
        if let Err(error) = queue_guest_link(&state, email.as_str()).await {
            tracing::warn!(%error, "queueing a guest link failed");
        }
    });
    Ok(HttpResponse::Accepted().finish())
}

async fn queue_guest_link(state: &AppState, email: &str) -> Result<(), ApiError> {
    let mut conn = state.conn().await?;
    let Some(guest) = guests::find_by_email(&mut conn, email).await? else {
        return Ok(());
    };
    drop(conn);
    queue_link(state, guest, Purpose::GuestAccess, None, None).await
}
