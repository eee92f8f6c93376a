//! `POST /me/calendar-feed`: a new secret address for your calendar feed.

use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::token_hash;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

/// The secret address of your calendar feed. Shown once: keep it like a password.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarFeedResponse {
    /// Subscribe to this in a calendar program.
    #[schema(example = "https://quartier.example.org/api/v1/me/calendar.ics?token=…")]
    pub url: String,
    pub created_at: DateTime<Utc>,
}

/// Make (or remake) the secret address of your calendar feed of confirmed shifts. A new
/// address replaces the old one, which stops working.
#[utoipa::path(
    tag = "volunteering",
    security(("bearer" = [])),
    responses((status = 201, description = "The new address, shown only now", body = CalendarFeedResponse)),
)]
#[post("/me/calendar-feed")]
pub async fn create_calendar_feed(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    use base64::Engine as _;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let mut conn = state.conn().await?;
    let created_at =
        quartier_persistence::calendar_feeds::replace(&mut conn, user.id, &token_hash(&token))
            .await?;
    Ok(HttpResponse::Created().json(CalendarFeedResponse {
        url: format!("{}/api/v1/me/calendar.ics?token={token}", state.public_url),
        created_at,
    }))
}
