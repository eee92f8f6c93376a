//! `PATCH /shifts/{id}`: changing or cancelling a shift, with `If-Match`.

use actix_web::http::header;
use actix_web::{HttpResponse, patch, web};
use chrono::{DateTime, Utc};
use quartier_domain::integration::Scope;
use quartier_domain::operator::free_text;
use quartier_domain::{ShiftStatus, StaffRole, ValidationErrors, bounded_text};
use quartier_persistence::shifts::{self, ShiftChanges, ShiftView};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::plan::{MAX_CAPACITY, check_times};
use super::{ShiftResponse, ShiftStatusBody, find_shift, updated_row};
use crate::auth::Caller;
use crate::authz::require_centre;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, etag};
use crate::state::AppState;

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
    /// Whether guests may sign up without an account: `true` or `false` for this shift,
    /// `null` to follow its centre.
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    pub guest_signups: Option<Option<bool>>,
    /// The places standing sign-ups ("every Tuesday") may confirm, 0 to the capacity; `null`
    /// for all but one, which keeps a place for those who come once. Places they hold
    /// already stay.
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(minimum = 0, maximum = 1000)]
    pub standing_max: Option<Option<i64>>,
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
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let mut errors = ValidationErrors::default();
    let texts = check_texts(&body, &mut errors);
    let mut conn = state.conn().await?;
    let current = find_shift(&mut conn, *id).await?;
    check_against(&body, &current, &mut errors);
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
    let changes = texts.changes(&body, &move_to_waitlist);
    let by = caller.user().map(|u| u.id);
    let updated = shifts::update(&mut conn, *id, versions, &changes, by, Utc::now()).await;
    let row = updated_row(updated)?;
    let view = find_shift(&mut conn, row.id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.version)))
        .json(ShiftResponse::from(view)))
}

/// The texts of an update, checked; `None` leaves one as it is (or was invalid).
struct CheckedTexts {
    title: Option<String>,
    description: Option<String>,
    /// `Some(None)` clears the note.
    min_age_note: Option<Option<String>>,
}

impl CheckedTexts {
    /// The changes `body` asks for, with these texts.
    fn changes<'a>(
        &'a self,
        body: &UpdateShiftRequest,
        move_to_waitlist: &'a [Uuid],
    ) -> ShiftChanges<'a> {
        ShiftChanges {
            title: self.title.as_deref(),
            description: self.description.as_deref(),
            min_age_note: self.min_age_note.as_ref().map(Option::as_deref),
            starts_at: body.starts_at,
            ends_at: body.ends_at,
            capacity: body.capacity.map(|c| c as i32),
            cancel: body.status == Some(ShiftStatusBody::Cancelled),
            move_to_waitlist,
            skills: None,
            required: None,
            guest_signups: body.guest_signups,
            standing_max: body.standing_max.map(|m| m.map(|m| m as i32)),
        }
    }
}

/// Checks what can be checked without the shift: its texts and capacity.
fn check_texts(body: &UpdateShiftRequest, errors: &mut ValidationErrors) -> CheckedTexts {
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
    if let Some(Some(most)) = body.standing_max
        && !(0..=MAX_CAPACITY).contains(&most)
    {
        errors.push("standing_max", "must be from 0 to 1000, or null");
    }
    CheckedTexts {
        title,
        description,
        min_age_note,
    }
}

/// Checks what depends on the shift as it is: the times it would have, and its status.
fn check_against(body: &UpdateShiftRequest, current: &ShiftView, errors: &mut ValidationErrors) {
    let starts_at = body.starts_at.unwrap_or(current.shift.starts_at);
    let ends_at = body.ends_at.unwrap_or(current.shift.ends_at);
    if body.starts_at.is_some() || body.ends_at.is_some() {
        check_times(starts_at, ends_at, errors);
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
}
