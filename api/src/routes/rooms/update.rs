//! `PATCH /rooms/{id}`: changing what a room is and its rules. Its centre and parts stay;
//! dates booked already keep their times and buffers, the new rules hold for what is booked
//! from now on.

use actix_web::http::header;
use actix_web::{HttpResponse, patch, web};
use quartier_domain::StaffRole;
use quartier_domain::integration::Scope;
use quartier_persistence::rooms::{self, RoomRow};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{BookableByBody, CreateRoomRequest, RoomResponse, check, existing, new_room};
use crate::auth::Caller;
use crate::authz::require_centre;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, etag, nullable};
use crate::state::AppState;

/// Changes to a room; fields left out stay as they are, `null` clears a capacity or the
/// house rules. The same rules as for a new room hold for the room as it ends up.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRoomRequest {
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub capacity_seated: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub capacity_tables: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub capacity_standing: Option<Option<i32>>,
    pub step_free: Option<bool>,
    pub accessible_toilet: Option<bool>,
    pub hearing_loop: Option<bool>,
    pub equipment: Option<Vec<String>>,
    pub bookable_by: Option<BookableByBody>,
    pub needs_approval: Option<bool>,
    pub min_duration_minutes: Option<i32>,
    pub max_duration_minutes: Option<i32>,
    pub slot_minutes: Option<i32>,
    pub min_notice_hours: Option<i32>,
    pub max_notice_days: Option<i32>,
    pub setup_minutes: Option<i32>,
    pub cleanup_minutes: Option<i32>,
    pub max_future_dates: Option<i32>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub house_rules_url: Option<Option<String>>,
    pub fee_notes: Option<String>,
}

/// The room as it would be with `body`'s changes.
fn changed(current: &RoomRow, body: &UpdateRoomRequest) -> CreateRoomRequest {
    let or = |new: Option<i32>, old: i32| Some(new.unwrap_or(old));
    CreateRoomRequest {
        name: body.name.clone().unwrap_or_else(|| current.name.clone()),
        description: Some(
            body.description
                .clone()
                .unwrap_or_else(|| current.description.clone()),
        ),
        capacity_seated: body.capacity_seated.unwrap_or(current.capacity_seated),
        capacity_tables: body.capacity_tables.unwrap_or(current.capacity_tables),
        capacity_standing: body.capacity_standing.unwrap_or(current.capacity_standing),
        step_free: Some(body.step_free.unwrap_or(current.step_free)),
        accessible_toilet: Some(body.accessible_toilet.unwrap_or(current.accessible_toilet)),
        hearing_loop: Some(body.hearing_loop.unwrap_or(current.hearing_loop)),
        equipment: Some(
            body.equipment
                .clone()
                .unwrap_or_else(|| current.equipment.clone()),
        ),
        bookable_by: Some(
            body.bookable_by.unwrap_or_else(|| {
                crate::names::stored(&current.bookable_by, BookableByBody::Staff)
            }),
        ),
        needs_approval: Some(body.needs_approval.unwrap_or(current.needs_approval)),
        min_duration_minutes: or(body.min_duration_minutes, current.min_duration_minutes),
        max_duration_minutes: or(body.max_duration_minutes, current.max_duration_minutes),
        slot_minutes: or(body.slot_minutes, current.slot_minutes),
        min_notice_hours: or(body.min_notice_hours, current.min_notice_hours),
        max_notice_days: or(body.max_notice_days, current.max_notice_days),
        setup_minutes: or(body.setup_minutes, current.setup_minutes),
        cleanup_minutes: or(body.cleanup_minutes, current.cleanup_minutes),
        max_future_dates: or(body.max_future_dates, current.max_future_dates),
        house_rules_url: body
            .house_rules_url
            .clone()
            .unwrap_or_else(|| current.house_rules_url.clone()),
        fee_notes: Some(
            body.fee_notes
                .clone()
                .unwrap_or_else(|| current.fee_notes.clone()),
        ),
        made_of: None,
    }
}

/// Change a room: what it is and its rules. Its centre and the rooms it is made of stay;
/// dates booked already keep their times and buffers. Staff of the centre's operator, or
/// the operator's system with `rooms:write`; needs `If-Match`.
#[utoipa::path(
    tag = "rooms",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The room's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, or `*`"),
    ),
    request_body = UpdateRoomRequest,
    responses(
        (status = 200, description = "The changed room", body = RoomResponse, headers(("ETag" = String))),
        (status = 403, description = "Not staff of the room's centre, or an API key of another operator or without the scope `rooms:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No room has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The room changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or rules that do not fit together (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/rooms/{id}")]
pub async fn update_room(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(body): Json<UpdateRoomRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let current = existing(&mut conn, *id).await?;
    require_centre(
        &mut conn,
        &caller,
        current.centre_id,
        StaffRole::Coordinator,
        Scope::RoomsWrite,
    )
    .await?;
    let versions = if_match.versions()?;
    let wanted = changed(&current, &body);
    let checked = check(&wanted)?;
    let room = rooms::update(
        &mut conn,
        *id,
        versions,
        &new_room(current.centre_id, &wanted, &checked),
    )
    .await?
    .map_err(|refusal| ApiError::refused(refusal, "room"))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(room.version)))
        .json(RoomResponse::from(room)))
}
