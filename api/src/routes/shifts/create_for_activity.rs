//! `POST /activities/{id}/shifts`: the same shift for every coming date of an activity.

use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Duration, Utc};
use quartier_domain::integration::Scope;
use quartier_domain::{StaffRole, ValidationErrors};
use quartier_persistence::shifts::{self, NewShift};
use quartier_persistence::{AsyncPgConnection, activities};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::plan::{CheckedTemplate, check_template};
use super::refused;
use crate::auth::Caller;
use crate::authz::require_centre;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateActivityShiftsRequest {
    #[schema(
        example = "Tische decken",
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub title: String,
    #[schema(
        max_length = 4000,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub description: Option<String>,
    /// Volunteers needed, 1 to 1000.
    #[schema(minimum = 1, maximum = 1000, example = 2)]
    pub capacity: i64,
    /// Ids of qualification types a volunteer needs (see `/qualification-types`).
    #[schema(max_items = 10)]
    pub required_qualifications: Option<Vec<Uuid>>,
    #[schema(
        example = "ab 16 Jahren",
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub min_age_note: Option<String>,
    /// What helps on this shift: tags from `/skills`, or free ones.
    #[schema(max_items = 20, example = json!(["baking"]))]
    pub skills: Option<Vec<String>>,

    /// Minutes the shift starts before (negative) or after the occurrence; default 0.
    #[schema(minimum = -720, maximum = 720, example = -30)]
    pub start_offset_minutes: Option<i64>,
    /// Minutes the shift ends before (negative) or after the occurrence's end; default 0.
    #[schema(minimum = -720, maximum = 720, example = 30)]
    pub end_offset_minutes: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedShifts {
    pub created: usize,
    pub shift_ids: Vec<Uuid>,
}

/// Create the same shift for every coming date of an activity ("two helpers every Tuesday"):
/// one per occurrence that has not started and is not cancelled. Administrators and staff of
/// the activity's centre.
#[utoipa::path(
    tag = "shifts",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The activity's id")),
    request_body = CreateActivityShiftsRequest,
    responses(
        (status = 201, description = "The shifts were created", body = CreatedShifts),
        (status = 403, description = "Not staff of the centre's operator, or an API key of another operator or without the scope `shifts:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No activity has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or an unknown qualification type (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/activities/{id}/shifts")]
pub async fn create_activity_shifts(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(body): Json<CreateActivityShiftsRequest>,
) -> Result<HttpResponse, ApiError> {
    let (template, offsets) = check(&body)?;
    let mut conn = state.conn().await?;
    let centre_id = activity_centre(&mut conn, &caller, *id).await?;
    let operator_id = require_centre(
        &mut conn,
        &caller,
        centre_id,
        StaffRole::Coordinator,
        Scope::ShiftsWrite,
    )
    .await?;
    let now = Utc::now();
    let template = new_shift(centre_id, &template, now);
    let ids = shifts::create_for_occurrences(&mut conn, *id, now, &template, offsets, operator_id)
        .await
        .map_err(refused)?;
    Ok(HttpResponse::Created().json(CreatedShifts {
        created: ids.len(),
        shift_ids: ids,
    }))
}

/// Checks `body`: the template, and the offsets from each occurrence's start and end.
fn check(
    body: &CreateActivityShiftsRequest,
) -> Result<(CheckedTemplate, (Duration, Duration)), ApiError> {
    let mut errors = ValidationErrors::default();
    let template = check_template(&body.template(), &mut errors);
    let offsets = (
        offset(
            body.start_offset_minutes,
            "start_offset_minutes",
            &mut errors,
        ),
        offset(body.end_offset_minutes, "end_offset_minutes", &mut errors),
    );
    errors.into_result()?;
    let template = template.ok_or_else(|| ApiError::Internal("template unchecked".into()))?;
    Ok((template, offsets))
}

/// Minutes from -720 to 720 (0 when left out).
fn offset(raw: Option<i64>, field: &str, errors: &mut ValidationErrors) -> Duration {
    match raw {
        Some(m) if !(-720..=720).contains(&m) => {
            errors.push(field, "must be from -720 to 720 minutes");
            Duration::zero()
        }
        Some(m) => Duration::minutes(m),
        None => Duration::zero(),
    }
}

/// The centre of the activity `id`, if `caller` may see the activity.
async fn activity_centre(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<Uuid, ApiError> {
    let viewer = crate::routes::activities::viewer(conn, Some(caller)).await?;
    let activity = activities::find(conn, id)
        .await?
        .filter(|view| crate::routes::activities::visible(&viewer, view))
        .ok_or_else(|| ApiError::NotFound("No activity has this id.".into()))?;
    Ok(activity.activity.centre_id)
}

/// The shift every occurrence gets; each one's times replace `now`.
fn new_shift(centre_id: Uuid, t: &CheckedTemplate, now: DateTime<Utc>) -> NewShift<'_> {
    NewShift {
        centre_id,
        occurrence_id: None,
        title: &t.title,
        description: &t.description,
        starts_at: now,
        ends_at: now,
        capacity: t.capacity,
        min_age_note: t.min_age_note.as_deref(),
        required: &t.required,
        skills: &t.skills,
        external_id: None,
    }
}
