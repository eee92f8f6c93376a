//! `GET /rooms/{id}/availability`: when a room is busy, without saying by whom.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Duration, Utc};
use quartier_domain::TimeWindow;
use quartier_persistence::rooms;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::existing;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The longest span one request may ask about.
const MAX_DAYS: i64 = 93;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    /// From here (RFC 3339; encode `+` as `%2B`).
    pub from: DateTime<Utc>,
    /// … until here, at most 93 days later.
    pub to: DateTime<Utc>,
}

/// A time the room is taken (its buffers included).
#[derive(Debug, Serialize, ToSchema)]
pub struct BusyTime {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Availability {
    pub room_id: Uuid,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The busy times in order, merged; the rest is free.
    pub busy: Vec<BusyTime>,
}

/// When a room is busy between `from` and `to`: confirmed bookings of it or of a room sharing
/// a part with it (a Saal and its halves), with set-up and clean-up. No names, no titles.
/// Public.
#[utoipa::path(
    tag = "rooms",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "The room's id"), AvailabilityQuery),
    responses(
        (status = 200, description = "The busy times", body = Availability),
        (status = 400, description = "The id is not a UUID, or `from` or `to` is missing or does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No room has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`to` is not after `from`, or more than 93 days later (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/rooms/{id}/availability")]
pub async fn room_availability(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: web::Query<AvailabilityQuery>,
) -> Result<HttpResponse, ApiError> {
    let AvailabilityQuery { from, to } = query.into_inner();
    TimeWindow::parse(from, to, Duration::days(MAX_DAYS), ("from", "to"))
        .map_err(|errors| ApiError::from(errors.in_query()))?;
    let mut conn = state.conn().await?;
    let room = existing(&mut conn, *id).await?;
    let busy = rooms::busy(&mut conn, &room, from, to)
        .await?
        .into_iter()
        .map(|b| BusyTime {
            starts_at: b.starts_at,
            ends_at: b.ends_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Availability {
        room_id: room.id,
        from,
        to,
        busy,
    }))
}
