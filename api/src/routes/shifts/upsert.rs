//! `PUT /operators/{id}/shifts/by-external-id/{external_id}`: an operator's system keeps its
//! shifts in step under its own ids. Creates the shift the first time, replaces it
//! afterwards; repeating a request changes nothing.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, put, web};
use chrono::Utc;
use quartier_domain::StaffRole;
use quartier_domain::integration::Scope;
use quartier_persistence::AsyncConnection;
use quartier_persistence::shifts::{self, ShiftChanges, ShiftView};
use quartier_persistence::{AsyncPgConnection, operators};
use uuid::Uuid;

use super::create::CreateShiftRequest;
use super::plan::{Planned, plan};
use super::{ShiftResponse, find_created, find_shift, refused, updated_row};
use crate::auth::Caller;
use crate::authz::{require_centre, require_operator};
use crate::error::{ApiError, Problem};
use crate::extract::{Json, etag};
use crate::languages::{check_variants, write_variants};
use crate::state::AppState;
use quartier_domain::translation::TextOwner;

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
    let variants = check_variants(
        &state.content_languages,
        TextOwner::Shift,
        body.translations.as_ref(),
    )?;
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
    require_own_centre(&mut conn, &caller, operator_id, planned.centre_id).await?;
    let by = caller.user().map(|u| u.id);
    // The shift and its variants change together.
    let (status, mut view, translated) = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let (status, view) =
                create_or_replace(conn, &caller, operator_id, &external_id, &body, &planned)
                    .await?;
            let translated = write_variants(
                conn,
                TextOwner::Shift,
                view.shift.id,
                variants.as_deref(),
                by,
            )
            .await?;
            Ok((status, view, translated))
        })
        .await?;
    if translated {
        state.variants.wrote();
        view = find_shift(&mut conn, view.shift.id).await?;
    }
    Ok(HttpResponse::build(status)
        .insert_header((header::ETAG, etag(view.shift.version)))
        .insert_header((
            header::LOCATION,
            format!("/api/v1/shifts/{}", view.shift.id),
        ))
        .json(ShiftResponse::from(view)))
}

/// Ok when `centre_id` is a centre of the operator and `caller` coordinates it.
async fn require_own_centre(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    operator_id: Uuid,
    centre_id: Uuid,
) -> Result<(), ApiError> {
    if operators::operator_of_centre(conn, centre_id).await? != Some(operator_id) {
        return Err(ApiError::validation(
            "centre_id",
            "is not the id of a centre of this operator",
        ));
    }
    require_centre(
        conn,
        caller,
        centre_id,
        StaffRole::Coordinator,
        Scope::ShiftsWrite,
    )
    .await?;
    Ok(())
}

/// Replaces the operator's shift `external_id` with `planned` (200), or creates it (201).
async fn create_or_replace(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    operator_id: Uuid,
    external_id: &str,
    body: &CreateShiftRequest,
    planned: &Planned,
) -> Result<(StatusCode, ShiftView), ApiError> {
    // Two first calls at once: one creates, the other finds it and replaces it.
    for _ in 0..2 {
        if let Some(current) = shifts::find_external(conn, operator_id, external_id).await? {
            let view = replace_shift(conn, caller, current, body, planned).await?;
            return Ok((StatusCode::OK, view));
        }
        let new_shift = planned.new_shift(body.occurrence_id, Some(external_id));
        match shifts::create(conn, &new_shift, operator_id)
            .await
            .map_err(refused)
        {
            Ok(id) => return Ok((StatusCode::CREATED, find_created(conn, id).await?)),
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
    conn: &mut AsyncPgConnection,
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
    let changes = ShiftChanges {
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
        // The operator's system says nothing of guests or standing places: the choices made
        // here stay.
        guest_signups: None,
        standing_max: None,
    };
    let by = caller.user().map(|u| u.id);
    let updated = shifts::update(conn, s.id, None, &changes, by, Utc::now()).await;
    let row = updated_row(updated)?;
    find_shift(conn, row.id).await
}
