//! `/concerns/{id}/outcomes`: what came of a concern. Those who answer it link the activity,
//! the date or the shift that grew out of it (of a centre they coordinate), or a reference
//! outside Quartier; everyone who may read the concern reads them.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use quartier_domain::StaffRole;
use quartier_domain::concern::{Outcome, OutcomeKind, OutcomeTarget};
use quartier_domain::fund::ApplicationStatus;
use quartier_domain::integration::Scope;
use quartier_persistence::concern_outcomes::{self, OutcomeRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{readable, require_answers};
use crate::auth::{Caller, MaybeCaller};
use crate::authz::require_centre;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;

/// What an outcome points at: an `activity`, an `occurrence` (one date of an activity), a
/// `shift`, a `room_booking` (a room booked for it), a `fund_application` (a project a
/// neighbourhood fund granted money for), or something `outside` Quartier.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKindBody {
    Activity,
    Occurrence,
    Shift,
    RoomBooking,
    FundApplication,
    Outside,
}

impl From<OutcomeKindBody> for OutcomeKind {
    fn from(kind: OutcomeKindBody) -> Self {
        match kind {
            OutcomeKindBody::Activity => OutcomeKind::Activity,
            OutcomeKindBody::Occurrence => OutcomeKind::Occurrence,
            OutcomeKindBody::Shift => OutcomeKind::Shift,
            OutcomeKindBody::RoomBooking => OutcomeKind::RoomBooking,
            OutcomeKindBody::FundApplication => OutcomeKind::FundApplication,
            OutcomeKindBody::Outside => OutcomeKind::Outside,
        }
    }
}

impl From<OutcomeKind> for OutcomeKindBody {
    fn from(kind: OutcomeKind) -> Self {
        match kind {
            OutcomeKind::Activity => OutcomeKindBody::Activity,
            OutcomeKind::Occurrence => OutcomeKindBody::Occurrence,
            OutcomeKind::Shift => OutcomeKindBody::Shift,
            OutcomeKind::RoomBooking => OutcomeKindBody::RoomBooking,
            OutcomeKind::FundApplication => OutcomeKindBody::FundApplication,
            OutcomeKind::Outside => OutcomeKindBody::Outside,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeResponse {
    pub id: Uuid,
    pub concern_id: Uuid,
    pub kind: OutcomeKindBody,
    /// The activity, occurrence, shift, room booking or funded project; null for an outside
    /// outcome.
    pub target_id: Option<Uuid>,
    /// The outside system's reference.
    pub outside_ref: Option<String>,
    /// Where to read the outside reference.
    pub outside_url: Option<String>,
    /// What came of it, in words.
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<OutcomeRow> for OutcomeResponse {
    fn from(row: OutcomeRow) -> Self {
        Self {
            id: row.id,
            concern_id: row.concern_id,
            kind: OutcomeKind::parse(&row.kind)
                .unwrap_or(OutcomeKind::Outside)
                .into(),
            target_id: row
                .activity_id
                .or(row.occurrence_id)
                .or(row.shift_id)
                .or(row.room_booking_id)
                .or(row.fund_application_id),
            outside_ref: row.outside_ref,
            outside_url: row.outside_url,
            note: row.note,
            created_at: row.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeList {
    /// Oldest first.
    pub items: Vec<OutcomeResponse>,
}

/// What came of a concern, oldest first. Everyone who may read the concern.
#[utoipa::path(
    tag = "concerns",
    security((), ("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The concern's id")),
    responses(
        (status = 200, description = "The outcomes", body = OutcomeList),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No concern has this id, or it is not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/concerns/{id}/outcomes")]
pub async fn list_concern_outcomes(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let view = readable(&mut conn, caller.as_ref(), *id).await?;
    let items = concern_outcomes::of_concern(&mut conn, view.id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok().json(OutcomeList { items }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkOutcomeRequest {
    pub kind: OutcomeKindBody,
    /// The activity, occurrence, shift, room booking or funded project (for those kinds).
    pub target_id: Option<Uuid>,
    /// The outside system's reference (for `outside`).
    #[schema(example = "Mängelmelder 2026-1234", min_length = 1, max_length = 200)]
    pub outside_ref: Option<String>,
    /// Where to read it (for `outside`).
    #[schema(
        example = "https://maengelmelder.example.org/2026-1234",
        max_length = 500
    )]
    pub outside_url: Option<String>,
    /// What came of it, in words.
    #[schema(min_length = 1, max_length = 2000)]
    pub note: Option<String>,
}

/// 422: the target named does not exist.
fn no_target(kind: OutcomeKind) -> ApiError {
    let message = match kind {
        OutcomeKind::Activity => "is not the id of an activity",
        OutcomeKind::Occurrence => "is not the id of an occurrence",
        OutcomeKind::Shift => "is not the id of a shift",
        OutcomeKind::RoomBooking => "is not the id of a room booking",
        OutcomeKind::FundApplication => {
            "is not the id of a project a neighbourhood fund granted money for"
        }
        OutcomeKind::Outside => "must be absent for an outside outcome",
    };
    ApiError::validation("target_id", message)
}

/// Link what came of a concern: an activity, a date, a shift or a room booking of a centre you
/// coordinate, a project granted money by a neighbourhood fund you keep, or a reference
/// outside Quartier. Those who answer the concern.
#[utoipa::path(
    tag = "concerns",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The concern's id")),
    request_body = LinkOutcomeRequest,
    responses(
        (status = 201, description = "The outcome is linked", body = OutcomeResponse),
        (status = 400, description = "The id is not a UUID, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not answering this concern, not coordinating the centre of the target or not keeping the fund of the project, or an API key of another operator or without the scope `concerns:write` (or `funds:write` for a project) (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No concern has this id, or it is not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "This target is linked to the concern already (`outcome-linked`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The target does not match the kind or does not exist, or a text is too long (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/concerns/{id}/outcomes")]
pub async fn link_concern_outcome(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(body): Json<LinkOutcomeRequest>,
) -> Result<HttpResponse, ApiError> {
    let kind: OutcomeKind = body.kind.into();
    let outcome = Outcome::parse(
        kind,
        body.target_id,
        body.outside_ref.as_deref(),
        body.outside_url.as_deref(),
        body.note.as_deref(),
    )?;
    let mut conn = state.conn().await?;
    let view = readable(&mut conn, Some(&caller), *id).await?;
    require_answers(
        &mut conn,
        &caller,
        &view,
        "Only those who answer a concern link what came of it.",
    )
    .await?;
    if let OutcomeTarget::Inside(OutcomeKind::FundApplication, target) = outcome.target {
        // A funded project: those who keep its fund say it came of the concern.
        let application = quartier_persistence::funds::find_application(&mut conn, target)
            .await?
            .filter(|row| row.status().holds_grant() || row.status() == ApplicationStatus::Settled)
            .ok_or_else(|| no_target(kind))?;
        let fund = crate::routes::funds::existing_fund(&mut conn, application.fund_id).await?;
        crate::routes::funds::require_keeper(
            &mut conn,
            &caller,
            fund.operator_id,
            fund.district_id,
            StaffRole::Coordinator,
        )
        .await?;
    } else if let OutcomeTarget::Inside(kind, target) = outcome.target {
        let centre = concern_outcomes::target_centre(&mut conn, kind, target)
            .await?
            .ok_or_else(|| no_target(kind))?;
        require_centre(
            &mut conn,
            &caller,
            centre,
            StaffRole::Coordinator,
            Scope::ConcernsWrite,
        )
        .await?;
    }
    let linked = concern_outcomes::link(
        &mut conn,
        uuid::Uuid::now_v7(),
        view.id,
        &outcome,
        caller.user().map(|user| user.id),
    )
    .await
    .map_err(|error| {
        if error.is_constraint(concern_outcomes::ONCE) {
            ApiError::Conflict {
                slug: "outcome-linked",
                detail: "This is linked to the concern already.".into(),
            }
        } else if concern_outcomes::target_key(kind).is_some_and(|key| error.is_constraint(key)) {
            // Removed since it was looked at.
            no_target(kind)
        } else {
            error.into()
        }
    })?;
    Ok(HttpResponse::Created().json(OutcomeResponse::from(linked)))
}

/// Take an outcome off a concern. Those who answer the concern.
#[utoipa::path(
    tag = "concerns",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The concern's id"),
        ("outcome_id" = Uuid, Path, description = "The outcome's id"),
    ),
    responses(
        (status = 204, description = "The outcome is no longer linked"),
        (status = 400, description = "An id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not answering this concern, or an API key of another operator or without the scope `concerns:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No concern has this id, or no outcome of it has that id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/concerns/{id}/outcomes/{outcome_id}")]
pub async fn unlink_concern_outcome(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, outcome_id) = path.into_inner();
    let mut conn = state.conn().await?;
    let view = readable(&mut conn, Some(&caller), id).await?;
    require_answers(
        &mut conn,
        &caller,
        &view,
        "Only those who answer a concern link what came of it.",
    )
    .await?;
    if concern_outcomes::unlink(&mut conn, view.id, outcome_id).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound(
            "No outcome of this concern has this id.".into(),
        ))
    }
}
