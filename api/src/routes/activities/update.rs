use actix_web::http::header;
use actix_web::{HttpResponse, patch, web};
use chrono::Utc;
use quartier_domain::StaffRole;
use quartier_domain::activity::{ActivityStatus, Category};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::activities::{self, ActivityChanges, ActivityRow, ScheduleColumns};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    ActivityContact, ActivityInput, ActivityResponse, ActivityStatusBody, CategoryBody, CostBody,
    OccurrenceChangesBody, RegistrationBody, ScheduleBody, TargetGroupBody, check, refused, reload,
    viewer, visible,
};
use crate::auth::Caller;
use crate::authz::require_centre;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, etag, nullable};
use crate::state::AppState;
use quartier_domain::integration::Scope;

/// Changes to an activity; fields left out stay as they are, `null` clears `contact`.
/// `cost`, `registration`, `contact` and `schedule` are replaced as a whole.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateActivityRequest {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub title: Option<String>,
    #[schema(
        max_length = 8000,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub description: Option<String>,
    pub category: Option<CategoryBody>,
    #[schema(max_items = 6)]
    pub target_groups: Option<Vec<TargetGroupBody>>,
    #[schema(max_items = 30)]
    pub languages: Option<Vec<String>>,
    #[schema(
        max_length = 2000,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub accessibility_notes: Option<String>,
    pub cost: Option<CostBody>,
    pub registration: Option<RegistrationBody>,
    #[serde(default, deserialize_with = "nullable")]
    pub contact: Option<Option<ActivityContact>>,
    pub status: Option<ActivityStatusBody>,
    /// A new schedule: occurrences that have not started follow it. Those still in it keep
    /// their id, cancellations, notes and moves; those no longer in it are removed, unless
    /// shifts hang on them: then they are kept and listed in `occurrence_changes.kept`. Past
    /// occurrences never change.
    pub schedule: Option<ScheduleBody>,
}

/// Change an activity. Administrators and staff of the centre's operator (coordinators of
/// that centre); needs `If-Match`.
#[utoipa::path(
    tag = "activities",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The activity's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, or `*`"),
    ),
    request_body = UpdateActivityRequest,
    responses(
        (status = 200, description = "The changed activity; with `occurrence_changes` after a schedule change", body = ActivityResponse, headers(("ETag" = String))),
        (status = 403, description = "Not staff of the centre's operator with the role coordinator, or an API key of another operator or without the scope `activities:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No activity has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new schedule moves a date of the activity to a time its room is taken (`room-taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The activity changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or schedule (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/activities/{id}")]
pub async fn update_activity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(body): Json<UpdateActivityRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let viewer = viewer(&mut conn, Some(&caller)).await?;
    let current = activities::find(&mut conn, *id)
        .await?
        .filter(|view| visible(&viewer, view))
        .ok_or_else(|| ApiError::NotFound("No activity has this id.".into()))?;
    let (version, response) = apply(
        &state,
        &mut conn,
        &caller,
        &current.activity,
        &body,
        Some(&if_match),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(response))
}

/// Checks `body` and who may change the activity `current`, then applies it: with
/// `if_match`, to the versions it names; without, as an upsert that leaves an activity the
/// body does not change untouched (same version, no re-planning).
pub(crate) async fn apply(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    current: &ActivityRow,
    body: &UpdateActivityRequest,
    if_match: Option<&IfMatch>,
) -> Result<(i32, ActivityResponse), ApiError> {
    let checked = check(ActivityInput {
        title: body.title.as_deref(),
        description: body.description.as_deref(),
        target_groups: body.target_groups.as_deref(),
        languages: body.languages.as_deref(),
        accessibility_notes: body.accessibility_notes.as_deref(),
        cost: body.cost.as_ref(),
        registration: body.registration.as_ref(),
        contact: body.contact.as_ref().map(Option::as_ref),
    })?;
    require_centre(
        conn,
        caller,
        current.centre_id,
        StaffRole::Coordinator,
        Scope::ActivitiesWrite,
    )
    .await?;
    let versions = match if_match {
        Some(if_match) => if_match.versions()?,
        None => None,
    };
    let cost = checked.cost.as_ref();
    let contact = checked.contact.as_ref();
    let changes = ActivityChanges {
        title: checked.title.as_deref(),
        description: checked.description.as_deref(),
        category: body.category.map(|c| Category::from(c).as_str()),
        target_groups: checked.target_groups.as_deref(),
        languages: checked.languages.as_deref(),
        accessibility_notes: checked.accessibility_notes.as_deref(),
        free_of_charge: cost.map(|c| c.0),
        cost_cents: cost.map(|c| c.1),
        cost_note: cost.map(|c| c.2.as_deref()),
        registration_required: checked.registration.map(|r| r.0),
        participant_limit: checked.registration.map(|r| r.1),
        contact_name: contact.map(|c| c.0.as_deref()),
        contact_email: contact.map(|c| c.1.as_deref()),
        contact_phone: contact.map(|c| c.2.as_deref()),
        status: body.status.map(|s| ActivityStatus::from(s).as_str()),
    };
    // Expanding a rule costs more than the other checks: only for those who may.
    let checked_schedule = body
        .schedule
        .as_ref()
        .map(ScheduleBody::check)
        .transpose()?;
    let now = Utc::now();
    let mut schedule = checked_schedule
        .as_ref()
        .map(|s| (s, now, now + state.occurrence_horizon));
    if if_match.is_none() {
        if schedule.is_some_and(|(s, _, _)| ScheduleColumns::of(s).same_as(current)) {
            schedule = None;
        }
        if schedule.is_none() && changes.change_nothing_in(current) {
            let response = ActivityResponse::from(reload(conn, current.id).await?);
            return Ok((current.version, response));
        }
    }
    let (row, outcome) = activities::update(
        conn,
        current.id,
        versions,
        &changes,
        schedule,
        caller.actor(),
    )
    .await
    .map_err(refused)?
    .map_err(|refusal| ApiError::refused(refusal, "activity"))?;
    let mut response = ActivityResponse::from(reload(conn, row.id).await?);
    if schedule.is_some() {
        response.occurrence_changes = Some(OccurrenceChangesBody {
            added: outcome.inserted,
            changed: outcome.updated,
            removed: outcome.deleted,
            kept: outcome.kept,
        });
    }
    Ok((row.version, response))
}
