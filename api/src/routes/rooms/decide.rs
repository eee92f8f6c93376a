//! Deciding on booked dates: staff see the requests of their centre oldest first, confirm or
//! decline each date; a confirmation declines the requests it overlaps in the same
//! transaction. Bookers cancel their own dates while the room's notice allows; staff any time.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Duration, Utc};
use quartier_domain::StaffRole;
use quartier_domain::operator::free_text;
use quartier_domain::room::BookingStatus;
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::audit::Actor;
use quartier_persistence::rooms::{self, DateRow, Decided, RequestRow, RoomRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::book::BookingDateResponse;
use super::{BookerKindBody, LayoutBody, existing};
use crate::auth::Caller;
use crate::authz::require_centre;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;
use quartier_domain::integration::Scope;
use quartier_persistence::audit::NewEntry;

/// A booked date with what its booking asks for: as staff decide it, and as the person who
/// booked finds it in her data export.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoomRequestResponse {
    pub date: BookingDateResponse,
    pub room_id: Uuid,
    pub room_name: String,
    pub booker: BookerKindBody,
    pub partner_id: Option<Uuid>,
    /// The activity it is booked for, for `booker: activity`.
    pub activity_id: Option<Uuid>,
    /// The person who asked (an account, or a guest for `booker: guest`); `null` once erased.
    pub requested_by: Option<Uuid>,
    pub purpose: String,
    pub expected_people: i32,
    pub layout: LayoutBody,
    pub public_title: Option<String>,
    pub requested_at: DateTime<Utc>,
}

impl From<RequestRow> for RoomRequestResponse {
    fn from(row: RequestRow) -> Self {
        RoomRequestResponse {
            booker: crate::names::stored(&row.booker_kind, BookerKindBody::Account),
            layout: crate::names::stored(&row.layout, LayoutBody::Seated),
            room_id: row.date.room_id,
            date: row.date.into(),
            room_name: row.room_name,
            partner_id: row.partner_id,
            activity_id: row.activity_id,
            requested_by: row.requested_by,
            purpose: row.purpose,
            expected_people: row.expected_people,
            public_title: row.public_title,
            requested_at: row.requested_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoomRequestList {
    pub items: Vec<RoomRequestResponse>,
}

/// The requested dates of a centre's rooms that staff have not decided, oldest first (at
/// most 500). Staff of the centre's operator.
#[utoipa::path(
    tag = "rooms",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The centre's id")),
    responses(
        (status = 200, description = "The open requests, oldest first", body = RoomRequestList),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of the centre's operator, or an API key of another operator or without the scope `rooms:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No centre has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/centres/{id}/room-requests")]
pub async fn list_room_requests(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    require_centre(
        &mut conn,
        &caller,
        *id,
        StaffRole::Coordinator,
        Scope::RoomsWrite,
    )
    .await?;
    let items = rooms::requests(&mut conn, *id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok().json(RoomRequestList { items }))
}

/// A decision with an optional note for the booker.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// At most 500 characters; told to the booker.
    pub note: Option<String>,
}

/// A date after a decision, and the requests a confirmation declined.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionResponse {
    pub date: BookingDateResponse,
    /// The requests that overlapped the confirmed date and were declined with it.
    pub declined: Vec<BookingDateResponse>,
}

/// Checks the note, finds the date and its room, and checks who may move it.
async fn decide(
    conn: &mut AsyncPgConnection,
    caller: Caller,
    id: Uuid,
    next: BookingStatus,
    body: Option<&DecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let note = match body.and_then(|b| b.note.as_deref()) {
        Some(raw) => Some(free_text(raw, "note", 500).map_err(ApiError::Validation)?),
        None => None,
    }
    .filter(|note| !note.is_empty());
    let date = rooms::date(conn, id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No booked date has this id.".into()))?;
    let room = existing(conn, date.room_id).await?;
    let now = Utc::now();
    let by = caller.user().map(|user| user.id);
    let own = by.is_some() && rooms::booked_by(conn, id).await? == by;
    let staff = require_centre(
        conn,
        &caller,
        room.centre_id,
        StaffRole::Coordinator,
        Scope::RoomsWrite,
    )
    .await;
    match (next, staff) {
        (_, Ok(_)) => {}
        (BookingStatus::Cancelled, Err(_)) if own => within_notice(&room, &date, now)?,
        (_, Err(error)) => return Err(error),
    }
    apply(
        conn,
        caller.actor(),
        &room,
        &date,
        next,
        note.as_deref(),
        now,
    )
    .await
}

/// A booker cancels her own date only while the room's notice allows.
pub(super) fn within_notice(
    room: &RoomRow,
    date: &DateRow,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let notice = Duration::hours(i64::from(room.min_notice_hours));
    if date.starts_at < now + notice {
        return Err(ApiError::Conflict {
            slug: "booking-decided",
            detail: format!(
                "A booking may be cancelled up to {} hours before it starts; ask the centre.",
                room.min_notice_hours
            ),
        });
    }
    Ok(())
}

/// Moves `date` of `room` to `next` for `actor` (who may), audits it, and answers with the
/// date and the requests declined with it.
pub(super) async fn apply(
    conn: &mut AsyncPgConnection,
    actor: Actor,
    room: &RoomRow,
    date: &DateRow,
    next: BookingStatus,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<HttpResponse, ApiError> {
    let by = match actor {
        Actor::User(id) => Some(id),
        _ => None,
    };
    let id = date.id;
    match rooms::decide(conn, id, next, by, note, now).await? {
        None => Err(ApiError::NotFound("No booked date has this id.".into())),
        Some(Decided::Done { date, declined }) => {
            NewEntry::new(
                actor,
                match next {
                    BookingStatus::Confirmed => "room_booking.confirmed",
                    BookingStatus::Declined => "room_booking.declined",
                    _ => "room_booking.cancelled",
                },
                "room_booking_date",
                id,
            )
            .operator(room.operator_id)
            .details(serde_json::json!({ "declined": declined.len() }))
            .record(conn)
            .await?;
            Ok(HttpResponse::Ok().json(DecisionResponse {
                date: date.into(),
                declined: declined.into_iter().map(Into::into).collect(),
            }))
        }
        Some(Decided::NotAllowed(status)) => Err(ApiError::Conflict {
            slug: "booking-decided",
            detail: format!("This date is {} already.", status.as_str()),
        }),
        Some(Decided::Taken) => Err(ApiError::Conflict {
            slug: "room-taken",
            detail: format!(
                "The room is taken at {}.",
                super::book::listed(&[(date.starts_at, date.ends_at)])
            ),
        }),
    }
}

/// Confirm a requested date: the room is taken, and the requests overlapping it are declined
/// in the same step. Staff of the room's centre, or the operator's system with `rooms:write`.
#[utoipa::path(
    tag = "rooms",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The booked date's id")),
    responses(
        (status = 200, description = "The confirmed date, and the requests declined with it", body = DecisionResponse),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of the room's centre, or an API key of another operator or without the scope `rooms:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No booked date has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The date is decided already (`booking-decided`), or its time is taken (`room-taken`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/room-booking-dates/{id}/confirm")]
pub async fn confirm_room_booking(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    decide(&mut conn, caller, *id, BookingStatus::Confirmed, None).await
}

/// Decline a requested date, with an optional note for the booker. Staff of the room's centre,
/// or the operator's system with `rooms:write`.
#[utoipa::path(
    tag = "rooms",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The booked date's id")),
    request_body = DecisionRequest,
    responses(
        (status = 200, description = "The declined date", body = DecisionResponse),
        (status = 400, description = "The body is not JSON, or the id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of the room's centre, or an API key of another operator or without the scope `rooms:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No booked date has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The date is decided already (`booking-decided`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The note is too long (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/room-booking-dates/{id}/decline")]
pub async fn decline_room_booking(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(body): Json<DecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    decide(&mut conn, caller, *id, BookingStatus::Declined, Some(&body)).await
}

/// Cancel a requested or confirmed date: the booker while the room's notice allows, staff of
/// the room's centre (or the operator's system with `rooms:write`) any time. The room is free
/// again.
#[utoipa::path(
    tag = "rooms",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The booked date's id")),
    responses(
        (status = 200, description = "The cancelled date", body = DecisionResponse),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither the booker nor staff of the room's centre, or an API key of another operator or without the scope `rooms:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No booked date has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The date is declined or cancelled already, or too close for the booker to cancel (`booking-decided`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/room-booking-dates/{id}/cancel")]
pub async fn cancel_room_booking(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    decide(&mut conn, caller, *id, BookingStatus::Cancelled, None).await
}
