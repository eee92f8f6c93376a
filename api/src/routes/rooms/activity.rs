//! The room an activity uses: its dates to come claim it, moving a date moves the claim and
//! cancelling it frees the room. Staff of the activity's centre, or the operator's system
//! with `rooms:write`.

use actix_web::{HttpResponse, delete, get, put, web};
use chrono::{DateTime, Utc};
use quartier_domain::StaffRole;
use quartier_domain::activity::ActivityStatus;
use quartier_domain::integration::Scope;
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::activities::{self, ActivityView};
use quartier_persistence::audit::NewEntry;
use quartier_persistence::rooms::{self, ActivityRoom, UnheldDate, Used};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::book::{BookingDateResponse, listed};
use crate::auth::Caller;
use crate::authz::require_centre;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityRoomRequest {
    /// A room of the activity's centre.
    pub room_id: Uuid,
}

/// A date of the activity that does not hold its room: its time was taken when it was
/// stored. Staff move it, or free the room at that time.
#[derive(Debug, Serialize, ToSchema)]
pub struct DateWithoutRoom {
    pub occurrence_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl From<UnheldDate> for DateWithoutRoom {
    fn from(date: UnheldDate) -> Self {
        DateWithoutRoom {
            occurrence_id: date.occurrence_id,
            starts_at: date.starts_at,
            ends_at: date.ends_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityRoomResponse {
    pub activity_id: Uuid,
    pub room_id: Uuid,
    pub set_at: DateTime<Utc>,
    /// Dates to come (at most 500) that do not hold the room.
    pub dates_without_room: Vec<DateWithoutRoom>,
    /// Requests for the room that the activity's dates overlapped, declined by this change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declined: Option<Vec<BookingDateResponse>>,
}

impl ActivityRoomResponse {
    fn of(activity_id: Uuid, used: ActivityRoom) -> Self {
        ActivityRoomResponse {
            activity_id,
            room_id: used.room_id,
            set_at: used.set_at,
            dates_without_room: used.without_room.into_iter().map(Into::into).collect(),
            declined: None,
        }
    }
}

/// The activity `id`, and that `caller` may keep its room.
async fn kept_activity(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<ActivityView, ApiError> {
    let view = activities::find(conn, id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No activity has this id.".into()))?;
    require_centre(
        conn,
        caller,
        view.activity.centre_id,
        StaffRole::Coordinator,
        Scope::RoomsWrite,
    )
    .await?;
    Ok(view)
}

/// The room an activity uses, with its dates to come that do not hold it.
#[utoipa::path(
    tag = "rooms",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The activity's id")),
    responses(
        (status = 200, description = "The room and the dates without it", body = ActivityRoomResponse),
        (status = 403, description = "Not staff of the activity's centre with the role coordinator, or an API key of another operator or without the scope `rooms:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No activity has this id, or it uses no room (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/activities/{id}/room")]
pub async fn get_activity_room(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    kept_activity(&mut conn, &caller, *id).await?;
    let used = rooms::of_activity(&mut conn, *id, Utc::now())
        .await?
        .ok_or_else(|| ApiError::NotFound("This activity uses no room.".into()))?;
    Ok(HttpResponse::Ok().json(ActivityRoomResponse::of(*id, used)))
}

/// Give an activity a room of its centre: each of its dates to come claims the room (with
/// the room's set-up and clean-up buffers), and the requests those dates overlap are
/// declined. When a date's time is taken, nothing changes and the answer names the dates.
/// Dates stored later (a series growing) take the room where it is free; the others are
/// listed in `dates_without_room` and take it when moved or reinstated. Cancelled dates
/// claim it once reinstated; cancelling or archiving the activity frees it.
#[utoipa::path(
    tag = "rooms",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The activity's id")),
    request_body = ActivityRoomRequest,
    responses(
        (status = 200, description = "The activity uses the room", body = ActivityRoomResponse),
        (status = 403, description = "Not staff of the activity's centre with the role coordinator, or an API key of another operator or without the scope `rooms:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No activity has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The room is taken at a date of the activity (`room-taken`, naming the dates), or the activity is cancelled or archived (`conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No room of the activity's centre has this id (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/activities/{id}/room")]
pub async fn set_activity_room(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(body): Json<ActivityRoomRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let view = kept_activity(&mut conn, &caller, *id).await?;
    // Checked again under the activity's lock; refused early, before the room is looked up.
    if !ActivityStatus::stored_uses_rooms(&view.activity.status) {
        return Err(inactive());
    }
    let room = rooms::find(&mut conn, body.room_id)
        .await?
        .filter(|room| room.centre_id == view.activity.centre_id)
        .ok_or_else(|| {
            ApiError::validation(
                "room_id",
                "is not the id of a room of the activity's centre",
            )
        })?;
    let now = Utc::now();
    let by = caller.user().map(|user| user.id);
    let declined = match rooms::use_for_activity(&mut conn, *id, &room, by, now).await? {
        Used::Done { declined, .. } => declined,
        Used::Taken(taken) if taken.is_empty() => {
            return Err(ApiError::Conflict {
                slug: "room-taken",
                detail: "The room is taken at a date of this activity.".into(),
            });
        }
        Used::Inactive => return Err(inactive()),
        Used::Taken(taken) => {
            return Err(ApiError::Conflict {
                slug: "room-taken",
                detail: format!("The room is taken at {}.", listed(&taken)),
            });
        }
    };
    NewEntry::new(caller.actor(), "activity.room_set", "activity", *id)
        .operator(view.operator_id)
        .details(serde_json::json!({ "room_id": room.id, "declined": declined.len() }))
        .record(&mut conn)
        .await?;
    let used = rooms::of_activity(&mut conn, *id, now)
        .await?
        .ok_or_else(|| ApiError::Internal("the room just set is gone".into()))?;
    let mut response = ActivityRoomResponse::of(*id, used);
    response.declined = Some(declined.into_iter().map(Into::into).collect());
    Ok(HttpResponse::Ok().json(response))
}

/// The activity uses no room any more: its dates to come free it. Past dates keep theirs.
#[utoipa::path(
    tag = "rooms",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The activity's id")),
    responses(
        (status = 204, description = "The room is freed"),
        (status = 403, description = "Not staff of the activity's centre with the role coordinator, or an API key of another operator or without the scope `rooms:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No activity has this id, or it uses no room (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/activities/{id}/room")]
pub async fn release_activity_room(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let view = kept_activity(&mut conn, &caller, *id).await?;
    if !rooms::release_activity(&mut conn, *id, Utc::now()).await? {
        return Err(ApiError::NotFound("This activity uses no room.".into()));
    }
    NewEntry::new(caller.actor(), "activity.room_released", "activity", *id)
        .operator(view.operator_id)
        .record(&mut conn)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub(super) fn inactive() -> ApiError {
    ApiError::Conflict {
        slug: "conflict",
        detail: "A cancelled or archived activity uses no room.".into(),
    }
}
