//! `GET /rooms/{id}/busy.ics`: when a room is taken, as a calendar feed. Everyone sees the
//! confirmed dates with the title their bookers agreed to show (else "Belegt"); staff of the
//! room's centre also see what each booking is for. Never who booked.

use actix_web::{HttpResponse, get, web};
use quartier_domain::StaffRole;
use quartier_domain::ical::{Calendar, Event, Method, render};
use quartier_domain::signup::LOCAL_ZONE;
use quartier_persistence::rooms;
use uuid::Uuid;

use super::existing;
use crate::auth::MaybeCaller;
use crate::authz::require_centre_staff;
use crate::error::{ApiError, Problem};
use crate::extract::{IfNoneMatch, bytes_with_body_etag};
use crate::routes::activities::calendar::{CalendarQuery, window};
use crate::state::AppState;

/// The confirmed dates of a room (and of rooms sharing a part with it) as a calendar feed
/// (text/calendar, RFC 5545, times in Europe/Berlin). Public: SUMMARY is the booking's public
/// title, or "Belegt" for a private one. Staff of the room's centre: also what each booking
/// is for (DESCRIPTION). Never who booked.
#[utoipa::path(
    tag = "rooms",
    security((), ("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The room's id"),
        CalendarQuery,
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the feed the client holds"),
    ),
    responses(
        (status = 200, description = "The feed", content_type = "text/calendar", body = String, headers(("ETag" = String))),
        (status = 304, description = "The client's copy is current", headers(("ETag" = String))),
        (status = 404, description = "No room has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A reversed or too long window (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/rooms/{id}/busy.ics")]
pub async fn room_busy_feed(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
    query: web::Query<CalendarQuery>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let (from, to) = window(&query)?;
    let mut conn = state.conn().await?;
    let room = existing(&mut conn, *id).await?;
    let staff = match caller.as_ref().and_then(|c| c.user()) {
        Some(user) => require_centre_staff(&mut conn, user, room.centre_id, StaffRole::Coordinator)
            .await
            .is_ok(),
        None => false,
    };
    let dates = rooms::confirmed_between(&mut conn, &room, from, to).await?;
    let events = dates
        .iter()
        .map(|date| Event {
            uid: format!("{}@quartier", date.id),
            sequence: 0,
            starts_at: date.starts_at,
            ends_at: date.ends_at,
            updated_at: date.decided_at.unwrap_or(date.starts_at),
            summary: date.public_title.as_deref().unwrap_or("Belegt"),
            description: staff.then_some(date.purpose.as_str()),
            location: Some(date.room_name.as_str()),
            geo: None,
            url: None,
            categories: Vec::new(),
            cancelled: false,
            parties: None,
        })
        .collect();
    let text = render(&Calendar {
        name: &room.name,
        time_zone: LOCAL_ZONE,
        events,
        method: Method::Publish,
    });
    let mut response = bytes_with_body_etag(
        &if_none_match,
        text.into_bytes(),
        "text/calendar; charset=utf-8",
    );
    // What staff see differs from what everyone sees: caches keep them apart.
    response.headers_mut().append(
        actix_web::http::header::VARY,
        actix_web::http::header::HeaderValue::from_static("Authorization"),
    );
    Ok(response)
}
