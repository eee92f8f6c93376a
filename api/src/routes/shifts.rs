//! Shifts (Einsätze): `/shifts`. Public to read — counts, never names; coordinators of the
//! centre create them, one at a time or for every coming date of an activity.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, put, web};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use quartier_domain::TimeWindow;
use quartier_domain::operator::free_text;
use quartier_domain::{ShiftStatus, StaffRole, ValidationErrors, bounded_text};
use quartier_persistence::shifts::{self, NewShift, ShiftView};
use quartier_persistence::{activities, occurrences};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Caller, MaybeCaller};
use crate::authz::{require_centre, require_operator};
use crate::error::{ApiError, Problem};
use crate::extract::{IfNoneMatch, Json, etag, json_with_body_etag};
use crate::routes::activities::Named;
use crate::state::AppState;
use quartier_domain::integration::Scope;

/// The most places one shift may have.
const MAX_CAPACITY: i64 = 1000;

/// The activity a shift helps with.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShiftActivity {
    pub id: Uuid,
    pub title: String,
}

/// A shift as everyone may see it: counts, never names.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShiftResponse {
    pub id: Uuid,
    /// The operator's own id for it, if it gave one.
    #[schema(example = "DIENST-4711")]
    pub external_id: Option<String>,
    #[schema(example = "Tische decken")]
    pub title: String,
    pub description: String,
    pub centre: Named,
    pub operator_id: Uuid,
    pub occurrence_id: Option<Uuid>,
    pub activity: Option<ShiftActivity>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    pub confirmed: i32,
    pub free_places: i32,
    /// How many wait for a place.
    pub waitlisted: i64,
    /// Ids of the qualification types a volunteer needs, inspected and valid on the day.
    pub required_qualifications: Vec<Uuid>,
    #[schema(example = "ab 16 Jahren")]
    pub min_age_note: Option<String>,
    pub skills: Vec<String>,
    pub status: ShiftStatusBody,
    pub version: i32,
}

impl From<ShiftView> for ShiftResponse {
    fn from(view: ShiftView) -> Self {
        let s = view.shift;
        Self {
            id: s.id,
            external_id: s.external_id,
            title: s.title,
            description: s.description,
            centre: Named {
                id: s.centre_id,
                name: view.centre_name,
            },
            operator_id: s.operator_id,
            occurrence_id: s.occurrence_id,
            activity: view
                .activity_id
                .zip(view.activity_title)
                .map(|(id, title)| ShiftActivity { id, title }),
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            capacity: s.capacity,
            confirmed: s.confirmed_count,
            free_places: (s.capacity - s.confirmed_count).max(0),
            waitlisted: view.waitlisted,
            required_qualifications: view.required,
            min_age_note: s.min_age_note,
            skills: s.skills,
            status: s.status.into(),
            version: s.version,
        }
    }
}

/// The parts every new shift has, as sent.
#[derive(Debug)]
pub struct ShiftTemplate<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub capacity: i64,
    pub required_qualifications: Option<&'a [Uuid]>,
    pub min_age_note: Option<&'a str>,
    pub skills: Option<&'a [String]>,
}

/// The template's texts, checked.
pub(crate) struct CheckedTemplate {
    pub title: String,
    pub description: String,
    pub capacity: i32,
    pub required: Vec<Uuid>,
    pub min_age_note: Option<String>,
    pub skills: Vec<String>,
}

fn check_template(t: &ShiftTemplate<'_>, errors: &mut ValidationErrors) -> Option<CheckedTemplate> {
    let title = errors.collect(bounded_text(t.title, "title", 200));
    let description = errors.collect(free_text(
        t.description.unwrap_or_default(),
        "description",
        4000,
    ));
    let min_age_note = match t.min_age_note.map(str::trim) {
        Some(note) if !note.is_empty() => errors
            .collect(bounded_text(note, "min_age_note", 200))
            .map(Some),
        _ => Some(None),
    };
    if !(1..=MAX_CAPACITY).contains(&t.capacity) {
        errors.push("capacity", "must be from 1 to 1000");
    }
    let mut required = t.required_qualifications.unwrap_or_default().to_vec();
    required.sort();
    required.dedup();
    if required.len() > 10 {
        errors.push("required_qualifications", "must name at most 10 types");
    }
    let mut skills = Vec::new();
    for (n, tag) in t.skills.unwrap_or_default().iter().enumerate() {
        if let Some(tag) = errors.collect(bounded_text(tag, &format!("skills[{n}]"), 50)) {
            skills.push(tag.to_lowercase());
        }
    }
    skills.sort();
    skills.dedup();
    if skills.len() > 20 {
        errors.push("skills", "must name at most 20 tags");
    }
    Some(CheckedTemplate {
        skills,
        title: title?,
        description: description?,
        capacity: i32::try_from(t.capacity).ok()?,
        required,
        min_age_note: min_age_note?,
    })
}

/// A shift lasts at most a day.
fn check_times(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>, errors: &mut ValidationErrors) {
    errors.collect(TimeWindow::parse(
        starts_at,
        ends_at,
        Duration::hours(24),
        ("starts_at", "ends_at"),
    ));
}

/// A shift to create or to become, checked.
pub(crate) struct Planned {
    pub centre_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub template: CheckedTemplate,
}

/// Checks `body`: its texts, times, and the occurrence it names, whose centre and times are
/// the defaults.
async fn plan(
    conn: &mut quartier_persistence::AsyncPgConnection,
    body: &CreateShiftRequest,
) -> Result<Planned, ApiError> {
    let occurrence = match body.occurrence_id {
        Some(id) => Some(occurrences::find(conn, id).await?.ok_or_else(|| {
            ApiError::validation("occurrence_id", "is not the id of an occurrence")
        })?),
        None => None,
    };
    plan_with(body, occurrence.as_ref())
}

/// `plan` once the occurrence `body` names (if any) is known.
pub(crate) fn plan_with(
    body: &CreateShiftRequest,
    occurrence: Option<&quartier_persistence::occurrences::OccurrenceView>,
) -> Result<Planned, ApiError> {
    let mut errors = ValidationErrors::default();
    let template = check_template(&body.template(), &mut errors);
    let centre_id = match (body.centre_id, occurrence) {
        (Some(centre), Some(o)) if centre != o.centre_id => {
            return Err(ApiError::validation(
                "centre_id",
                "is not the centre of the occurrence",
            ));
        }
        (_, Some(o)) => o.centre_id,
        (Some(centre), None) => centre,
        (None, None) => {
            return Err(ApiError::validation(
                "centre_id",
                "is needed when no occurrence_id is given",
            ));
        }
    };
    let starts_at = body
        .starts_at
        .or(occurrence.map(|o| o.occurrence.starts_at));
    let ends_at = body.ends_at.or(occurrence.map(|o| o.occurrence.ends_at));
    let (Some(starts_at), Some(ends_at)) = (starts_at, ends_at) else {
        return Err(ApiError::validation(
            "starts_at",
            "starts_at and ends_at are needed when no occurrence_id is given",
        ));
    };
    check_times(starts_at, ends_at, &mut errors);
    errors.into_result()?;
    let template = template.ok_or_else(|| ApiError::Internal("template unchecked".into()))?;
    // As precise as the database keeps them, so that a repeat compares equal.
    let (starts_at, ends_at) = (starts_at.trunc_subsecs(6), ends_at.trunc_subsecs(6));
    Ok(Planned {
        centre_id,
        starts_at,
        ends_at,
        template,
    })
}

/// What became of a shift update, as the client sees it.
fn updated_row(
    updated: Result<Result<shifts::ShiftRow, shifts::ShiftRefusal>, quartier_persistence::Error>,
) -> Result<shifts::ShiftRow, ApiError> {
    match updated {
        Ok(Ok(row)) => Ok(row),
        Ok(Err(shifts::ShiftRefusal::NotFound)) => {
            Err(ApiError::NotFound("No shift has this id.".into()))
        }
        Ok(Err(shifts::ShiftRefusal::VersionConflict)) => Err(ApiError::VersionConflict),
        Ok(Err(shifts::ShiftRefusal::Cancelled)) => Err(ApiError::Conflict {
            slug: "shift-cancelled",
            detail: "This shift is cancelled.".into(),
        }),
        Ok(Err(shifts::ShiftRefusal::BelowConfirmed { confirmed, to_move })) => {
            Err(ApiError::Conflict {
                slug: "capacity-below-confirmed",
                detail: format!(
                    "{confirmed} volunteers are confirmed: name {to_move} of their sign-ups in move_to_waitlist."
                ),
            })
        }
        Ok(Err(shifts::ShiftRefusal::NotConfirmedHere(signup))) => Err(ApiError::validation(
            "move_to_waitlist",
            &format!("{signup} is not a confirmed sign-up of this shift"),
        )),
        Err(error) if error.is_constraint(quartier_persistence::signups::OVERLAP_CONSTRAINT) => {
            Err(ApiError::Conflict {
                slug: "overlapping-shift",
                detail: "At the new times a confirmed volunteer would have two shifts at once."
                    .into(),
            })
        }
        Err(error) => Err(refused(error)),
    }
}

/// Maps what the database refused about a shift.
pub(crate) fn refused(error: quartier_persistence::Error) -> ApiError {
    if error.is_constraint(shifts::QUALIFICATION_FOREIGN_KEY) {
        ApiError::validation(
            "required_qualifications",
            "names a type that does not exist",
        )
    } else if error.is_constraint(shifts::OCCURRENCE_FOREIGN_KEY) {
        ApiError::validation("occurrence_id", "is not the id of an occurrence")
    } else if error.is_constraint(shifts::EXTERNAL_ID_KEY) {
        ApiError::Conflict {
            slug: "external-id-taken",
            detail: "Another shift of this operator has this external id.".into(),
        }
    } else {
        error.into()
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateShiftRequest {
    /// The centre; or leave it out and name an `occurrence_id`.
    pub centre_id: Option<Uuid>,
    /// The date of an activity this shift helps with; its times are the default.
    pub occurrence_id: Option<Uuid>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
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
}

/// Create a shift at a centre, or for one date of an activity. Administrators and staff of
/// the centre's operator (coordinators of that centre).
#[utoipa::path(
    tag = "shifts",
    security(("bearer" = []), ("api_key" = [])),
    request_body = CreateShiftRequest,
    responses(
        (status = 201, description = "The shift was created", body = ShiftResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not staff of the centre's operator, or an API key of another operator or without the scope `shifts:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, an unknown centre, occurrence or qualification type (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/shifts")]
pub async fn create_shift(
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<CreateShiftRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let Planned {
        centre_id,
        starts_at,
        ends_at,
        template,
    } = plan(&mut conn, &body).await?;
    let operator_id = require_centre(
        &mut conn,
        &caller,
        centre_id,
        StaffRole::Coordinator,
        Scope::ShiftsWrite,
    )
    .await
    .map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::validation("centre_id", "is not the id of a centre"),
        other => other,
    })?;
    let id = shifts::create(
        &mut conn,
        &NewShift {
            centre_id,
            occurrence_id: body.occurrence_id,
            title: &template.title,
            description: &template.description,
            starts_at,
            ends_at,
            capacity: template.capacity,
            min_age_note: template.min_age_note.as_deref(),
            required: &template.required,
            skills: &template.skills,
            external_id: None,
        },
        operator_id,
    )
    .await
    .map_err(refused)?;
    let view = shifts::find(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::Internal("created shift not found".into()))?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, etag(view.shift.version)))
        .insert_header((header::LOCATION, format!("/api/v1/shifts/{id}")))
        .json(ShiftResponse::from(view)))
}

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

/// The template parts of a request.
macro_rules! template_of {
    ($request:ty) => {
        impl $request {
            fn template(&self) -> ShiftTemplate<'_> {
                ShiftTemplate {
                    title: &self.title,
                    description: self.description.as_deref(),
                    capacity: self.capacity,
                    required_qualifications: self.required_qualifications.as_deref(),
                    min_age_note: self.min_age_note.as_deref(),
                    skills: self.skills.as_deref(),
                }
            }
        }
    };
}

template_of!(CreateShiftRequest);
template_of!(CreateActivityShiftsRequest);

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
    let mut errors = ValidationErrors::default();
    let template = check_template(&body.template(), &mut errors);
    let offset = |raw: Option<i64>, field: &str, errors: &mut ValidationErrors| match raw {
        Some(m) if !(-720..=720).contains(&m) => {
            errors.push(field, "must be from -720 to 720 minutes");
            Duration::zero()
        }
        Some(m) => Duration::minutes(m),
        None => Duration::zero(),
    };
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
    let mut conn = state.conn().await?;
    let viewer = crate::routes::activities::viewer(&mut conn, Some(&caller)).await?;
    let activity = activities::find(&mut conn, *id)
        .await?
        .filter(|view| crate::routes::activities::visible(&viewer, view))
        .ok_or_else(|| ApiError::NotFound("No activity has this id.".into()))?;
    let operator_id = require_centre(
        &mut conn,
        &caller,
        activity.activity.centre_id,
        StaffRole::Coordinator,
        Scope::ShiftsWrite,
    )
    .await?;
    let template = NewShift {
        centre_id: activity.activity.centre_id,
        occurrence_id: None,
        title: &template.title,
        description: &template.description,
        starts_at: Utc::now(),
        ends_at: Utc::now(),
        capacity: template.capacity,
        min_age_note: template.min_age_note.as_deref(),
        required: &template.required,
        skills: &template.skills,
        external_id: None,
    };
    let ids =
        shifts::create_for_occurrences(&mut conn, *id, Utc::now(), &template, offsets, operator_id)
            .await
            .map_err(refused)?;
    Ok(HttpResponse::Created().json(CreatedShifts {
        created: ids.len(),
        shift_ids: ids,
    }))
}

/// The shift, if `caller` may see it: shifts of activities that are not published are for
/// the operator's staff (and keys) only.
pub async fn visible_shift(
    conn: &mut quartier_persistence::AsyncPgConnection,
    caller: Option<&Caller>,
    id: Uuid,
) -> Result<ShiftView, ApiError> {
    let not_found = || ApiError::NotFound("No shift has this id.".into());
    let view = shifts::find(conn, id).await?.ok_or_else(not_found)?;
    if view
        .activity_status
        .as_deref()
        .is_none_or(|s| s == "published")
    {
        return Ok(view);
    }
    let viewer = crate::routes::activities::viewer(conn, caller).await?;
    if viewer.admin || viewer.operators.contains(&view.shift.operator_id) {
        Ok(view)
    } else {
        Err(not_found())
    }
}

/// One shift: times, task, centre, places, waitlist length. Public; never names.
#[utoipa::path(
    tag = "shifts",
    params(
        ("id" = Uuid, Path, description = "The shift's id"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag the client holds"),
    ),
    responses(
        (status = 200, description = "The shift", body = ShiftResponse, headers(("ETag" = String))),
        (status = 304, description = "The client's copy is current", headers(("ETag" = String))),
        (status = 404, description = "No shift has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/shifts/{id}")]
pub async fn get_shift(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let view = visible_shift(&mut conn, caller.as_ref(), *id).await?;
    // Places change without the shift's version changing: the tag is made from the body.
    json_with_body_etag(&if_none_match, &ShiftResponse::from(view))
}

/// Changes to a shift; fields left out stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateShiftRequest {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub title: Option<String>,
    #[schema(
        max_length = 4000,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub min_age_note: Option<Option<String>>,
    /// New times; the sign-ups move along (a volunteer would then overlap: 409).
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// More places promote from the waitlist; fewer than confirmed need `move_to_waitlist`.
    #[schema(minimum = 1, maximum = 1000)]
    pub capacity: Option<i64>,
    /// `cancelled` cancels the shift and every sign-up on it.
    #[schema(example = "cancelled")]
    pub status: Option<ShiftStatusBody>,
    /// Confirmed sign-ups that go back to the waitlist when the capacity drops below them.
    #[schema(max_items = 1000)]
    pub move_to_waitlist: Option<Vec<Uuid>>,
}

/// A shift's status: `open` takes sign-ups, `cancelled` is final.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ShiftStatusBody {
    Open,
    Cancelled,
}

impl ShiftStatusBody {
    pub fn as_str(self) -> &'static str {
        match self {
            ShiftStatusBody::Open => ShiftStatus::Open.as_str(),
            ShiftStatusBody::Cancelled => ShiftStatus::Cancelled.as_str(),
        }
    }
}

impl From<ShiftStatus> for ShiftStatusBody {
    fn from(status: ShiftStatus) -> Self {
        match status {
            ShiftStatus::Open => ShiftStatusBody::Open,
            ShiftStatus::Cancelled => ShiftStatusBody::Cancelled,
        }
    }
}

/// Change or cancel a shift. Administrators and staff of the centre's operator; needs
/// `If-Match` with the shift's `version` in quotes (`"3"`), or `*` (the `ETag` of `GET` also
/// covers its places, which change with every sign-up). Every change writes `shift.changed` (or `shift.cancelled`) to the outbox with
/// the sign-up events it causes.
#[utoipa::path(
    tag = "shifts",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The shift's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, or `*`"),
    ),
    request_body = UpdateShiftRequest,
    responses(
        (status = 200, description = "The changed shift", body = ShiftResponse, headers(("ETag" = String))),
        (status = 403, description = "Not staff of the centre's operator, or an API key of another operator or without the scope `shifts:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No shift has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`capacity-below-confirmed` (name who moves back with `move_to_waitlist`), `shift-cancelled`, or `overlapping-shift` (new times clash with a volunteer's other shift)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The shift changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/shifts/{id}")]
pub async fn update_shift(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(body): Json<UpdateShiftRequest>,
    if_match: crate::extract::IfMatch,
) -> Result<HttpResponse, ApiError> {
    use quartier_persistence::shifts::ShiftChanges;
    let mut errors = ValidationErrors::default();
    let title = body
        .title
        .as_deref()
        .and_then(|t| errors.collect(bounded_text(t, "title", 200)));
    let description = body
        .description
        .as_deref()
        .and_then(|d| errors.collect(free_text(d, "description", 4000)));
    let min_age_note = match &body.min_age_note {
        Some(Some(note)) if !note.trim().is_empty() => errors
            .collect(bounded_text(note, "min_age_note", 200))
            .map(Some),
        Some(_) => Some(None),
        None => None,
    };
    if body
        .capacity
        .is_some_and(|c| !(1..=MAX_CAPACITY).contains(&c))
    {
        errors.push("capacity", "must be from 1 to 1000");
    }
    let mut conn = state.conn().await?;
    let current = shifts::find(&mut conn, *id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No shift has this id.".into()))?;
    let starts_at = body.starts_at.unwrap_or(current.shift.starts_at);
    let ends_at = body.ends_at.unwrap_or(current.shift.ends_at);
    if body.starts_at.is_some() || body.ends_at.is_some() {
        check_times(starts_at, ends_at, &mut errors);
    }
    if body.status == Some(ShiftStatusBody::Open) && current.shift.status == ShiftStatus::Cancelled
    {
        errors.push(
            "status",
            "a cancelled shift cannot be opened again: create a new one",
        );
    }
    if body
        .move_to_waitlist
        .as_ref()
        .is_some_and(|ids| ids.len() > 1000)
    {
        errors.push("move_to_waitlist", "must name at most 1000 sign-ups");
    }
    errors.into_result()?;
    require_centre(
        &mut conn,
        &caller,
        current.shift.centre_id,
        StaffRole::Coordinator,
        Scope::ShiftsWrite,
    )
    .await?;
    let versions = if_match.versions()?;
    let mut move_to_waitlist = body.move_to_waitlist.clone().unwrap_or_default();
    move_to_waitlist.sort();
    move_to_waitlist.dedup();
    let changes = ShiftChanges {
        title: title.as_deref(),
        description: description.as_deref(),
        min_age_note: min_age_note.as_ref().map(Option::as_deref),
        starts_at: body.starts_at,
        ends_at: body.ends_at,
        capacity: body.capacity.map(|c| c as i32),
        cancel: body.status == Some(ShiftStatusBody::Cancelled),
        move_to_waitlist: &move_to_waitlist,
        skills: None,
        required: None,
    };
    let updated = shifts::update(
        &mut conn,
        *id,
        versions,
        &changes,
        caller.user().map(|u| u.id),
        Utc::now(),
    )
    .await;
    let row = updated_row(updated)?;
    let view = shifts::find(&mut conn, row.id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No shift has this id.".into()))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.version)))
        .json(ShiftResponse::from(view)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShiftSearchQuery {
    /// Shifts starting from here (RFC 3339; encode `+` as `%2B`).
    pub from: DateTime<Utc>,
    /// … until here, at most 93 days later.
    pub to: DateTime<Utc>,
    /// Only in this district or any district inside it.
    pub district_id: Option<Uuid>,
    pub centre_id: Option<Uuid>,
    pub operator_id: Option<Uuid>,
    /// Comma-separated skill tags: shifts tagged with any of them.
    #[param(example = "baking,childcare", max_length = 500)]
    pub skills: Option<String>,
    /// Only shifts with a free place.
    pub has_free_places: Option<bool>,
    /// Only shifts you may take: required qualifications valid on the day, no overlap with your
    /// confirmed shifts, not signed up already. Needs sign-in.
    pub eligible: Option<bool>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 2048)]
    pub cursor: Option<String>,
}

/// Find open shifts: by time, place, skills; `has_free_places`; `eligible=true` for the ones
/// you may take. Each with free places, waitlist length and its activity and centre — never
/// names. Public (sign in for `eligible`).
#[utoipa::path(
    tag = "shifts",
    security((), ("bearer" = []), ("api_key" = [])),
    params(ShiftSearchQuery),
    responses(
        (status = 200, description = "One page of shifts, by start", body = crate::pagination::Page<ShiftResponse>),
        (status = 400, description = "`from` or `to` is missing or does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`eligible=true` without sign-in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A reversed or too long range, or an unknown `cursor` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/shifts")]
pub async fn search_shifts(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    query: web::Query<ShiftSearchQuery>,
) -> Result<HttpResponse, ApiError> {
    use quartier_persistence::shifts::{ShiftFilter, ShiftKey};
    let range = crate::routes::occurrences::check_range(query.from, query.to)?;
    let limit = crate::pagination::limit(query.limit)?;
    let after: Option<ShiftKey> = crate::pagination::decode_cursor(query.cursor.as_deref())?;
    let skills: Vec<String> = query
        .skills
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .collect();
    if skills.len() > 20
        || skills
            .iter()
            .any(|s| s.chars().count() > 50 || s.contains('\0'))
    {
        return Err(ApiError::validation(
            "skills",
            "must be at most 20 tags of at most 50 characters",
        ));
    }
    let eligible_for = match (query.eligible, caller.as_ref().and_then(Caller::user)) {
        (Some(true), Some(user)) => Some(user.id),
        (Some(true), None) => {
            return Err(ApiError::Unauthenticated {
                challenge: crate::error::BearerChallenge::Missing,
                detail: "Sign in to find the shifts you may take.".into(),
            });
        }
        _ => None,
    };
    let filter = ShiftFilter {
        district_id: query.district_id,
        centre_id: query.centre_id,
        operator_id: query.operator_id,
        skills: &skills,
        has_free_places: query.has_free_places.unwrap_or(false),
        eligible_for,
    };
    let mut conn = state.conn().await?;
    let rows = shifts::search(
        &mut conn,
        &filter,
        range,
        after.as_ref(),
        i64::from(limit) + 1,
    )
    .await?;
    let page = crate::pagination::page(
        rows,
        limit,
        |v| (v.shift.starts_at, v.shift.id),
        ShiftResponse::from,
    );
    Ok(HttpResponse::Ok().json(page))
}

/// Create or replace the operator's shift with its own id `external_id`. The first call
/// creates it (201), later ones replace its times, texts, capacity, skills and required
/// qualifications (200). A repeat that changes nothing leaves the version alone, so
/// retrying is always safe. Lowering the capacity below the confirmed volunteers is refused
/// (use `PATCH /shifts/{id}` with `move_to_waitlist`), as is changing a cancelled shift.
/// Administrators, coordinators of the centre, operator admins, and the operator's API keys
/// with `shifts:write`.
#[utoipa::path(
    tag = "shifts",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("external_id" = String, Path, description = "The operator's own id: 1 to 200 visible ASCII characters"),
    ),
    request_body = CreateShiftRequest,
    responses(
        (status = 200, description = "The shift was replaced (or was the same already)", body = ShiftResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 201, description = "The shift was created", body = ShiftResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not staff of this operator (coordinator of the centre), or an API key of another operator or without the scope `shifts:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`shift-cancelled`, `capacity-below-confirmed`, or `overlapping-shift` (new times clash for a confirmed volunteer)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, a centre or occurrence of another operator, or another centre or occurrence than before (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/operators/{id}/shifts/by-external-id/{external_id}")]
pub async fn upsert_shift(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    Json(body): Json<CreateShiftRequest>,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, raw_external_id) = path.into_inner();
    let external_id = quartier_domain::integration::external_id(&raw_external_id, "external_id")?;
    let mut conn = state.conn().await?;
    require_operator(
        &mut conn,
        &caller,
        operator_id,
        StaffRole::Coordinator,
        Scope::ShiftsWrite,
    )
    .await?;
    let planned = plan(&mut conn, &body).await?;
    if quartier_persistence::operators::operator_of_centre(&mut conn, planned.centre_id).await?
        != Some(operator_id)
    {
        return Err(ApiError::validation(
            "centre_id",
            "is not the id of a centre of this operator",
        ));
    }
    require_centre(
        &mut conn,
        &caller,
        planned.centre_id,
        StaffRole::Coordinator,
        Scope::ShiftsWrite,
    )
    .await?;
    let answer = |status: StatusCode, view: ShiftView| {
        HttpResponse::build(status)
            .insert_header((header::ETAG, etag(view.shift.version)))
            .insert_header((
                header::LOCATION,
                format!("/api/v1/shifts/{}", view.shift.id),
            ))
            .json(ShiftResponse::from(view))
    };
    // Two first calls at once: one creates, the other finds it and replaces it.
    for _ in 0..2 {
        if let Some(current) = shifts::find_external(&mut conn, operator_id, &external_id).await? {
            let view = replace_shift(&mut conn, &caller, current, &body, &planned).await?;
            return Ok(answer(StatusCode::OK, view));
        }
        let t = &planned.template;
        let created = shifts::create(
            &mut conn,
            &NewShift {
                centre_id: planned.centre_id,
                occurrence_id: body.occurrence_id,
                title: &t.title,
                description: &t.description,
                starts_at: planned.starts_at,
                ends_at: planned.ends_at,
                capacity: t.capacity,
                min_age_note: t.min_age_note.as_deref(),
                required: &t.required,
                skills: &t.skills,
                external_id: Some(&external_id),
            },
            operator_id,
        )
        .await
        .map_err(refused);
        match created {
            Ok(id) => {
                let view = shifts::find(&mut conn, id)
                    .await?
                    .ok_or_else(|| ApiError::Internal("created shift not found".into()))?;
                return Ok(answer(StatusCode::CREATED, view));
            }
            Err(ApiError::Conflict {
                slug: "external-id-taken",
                ..
            }) => continue,
            Err(other) => return Err(other),
        }
    }
    Err(ApiError::Unavailable(
        "the shift changed meanwhile; retry".into(),
    ))
}

/// Brings the shift `current` to what `planned` says, unless it is so already.
pub(crate) async fn replace_shift(
    conn: &mut quartier_persistence::AsyncPgConnection,
    caller: &Caller,
    current: ShiftView,
    body: &CreateShiftRequest,
    planned: &Planned,
) -> Result<ShiftView, ApiError> {
    let s = &current.shift;
    if s.centre_id != planned.centre_id || s.occurrence_id != body.occurrence_id {
        return Err(ApiError::validation(
            "centre_id",
            "differs from the shift's centre or occurrence: a shift cannot move; give the new one another external id",
        ));
    }
    let t = &planned.template;
    let unchanged = s.title == t.title
        && s.description == t.description
        && s.min_age_note == t.min_age_note
        && s.starts_at == planned.starts_at
        && s.ends_at == planned.ends_at
        && s.capacity == t.capacity
        && s.skills == t.skills
        && current.required == t.required;
    if unchanged {
        return Ok(current);
    }
    let changes = shifts::ShiftChanges {
        title: Some(&t.title),
        description: Some(&t.description),
        min_age_note: Some(t.min_age_note.as_deref()),
        starts_at: Some(planned.starts_at),
        ends_at: Some(planned.ends_at),
        capacity: Some(t.capacity),
        cancel: false,
        move_to_waitlist: &[],
        skills: Some(&t.skills),
        required: Some(&t.required),
    };
    let updated = shifts::update(
        conn,
        s.id,
        None,
        &changes,
        caller.user().map(|u| u.id),
        Utc::now(),
    )
    .await;
    let row = updated_row(updated)?;
    shifts::find(conn, row.id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No shift has this id.".into()))
}
