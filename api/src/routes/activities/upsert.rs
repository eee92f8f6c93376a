//! `PUT /operators/{id}/activities/by-external-id/{external_id}`: an operator's system keeps
//! its activities in step under its own ids. Creates the activity the first time, replaces
//! it afterwards; repeating a request changes nothing.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, put, web};
use quartier_domain::StaffRole;
use quartier_domain::integration::{Scope, external_id};
use quartier_persistence::AsyncConnection;
use quartier_persistence::activities;
use quartier_persistence::{AsyncPgConnection, operators};
use uuid::Uuid;

use super::create::{CreateActivityRequest, create_row};
use super::update::{UpdateActivityRequest, apply};
use super::{ActivityResponse, CostBody, RegistrationBody, reload};
use crate::auth::Caller;
use crate::authz::require_operator;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, etag};
use crate::languages::{check_variants, write_variants};
use crate::state::AppState;
use quartier_domain::translation::TextOwner;

/// The whole activity as a change: what the body leaves out takes its default, except
/// `status`, which stays as it is.
pub(crate) fn as_change(body: &CreateActivityRequest) -> UpdateActivityRequest {
    UpdateActivityRequest {
        title: Some(body.title.clone()),
        description: Some(body.description.clone().unwrap_or_default()),
        category: Some(body.category),
        target_groups: Some(body.target_groups.clone().unwrap_or_default()),
        languages: Some(body.languages.clone().unwrap_or_default()),
        accessibility_notes: Some(body.accessibility_notes.clone().unwrap_or_default()),
        cost: Some(body.cost.clone().unwrap_or(CostBody {
            free: true,
            amount_cents: None,
            note: None,
        })),
        registration: Some(body.registration.clone().unwrap_or(RegistrationBody {
            required: false,
            participant_limit: None,
        })),
        contact: Some(body.contact.clone()),
        status: body.status,
        schedule: Some(body.schedule.clone()),
    }
}

/// Replaces the activity `external_id` names, if there is one.
async fn replace(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    operator_id: Uuid,
    external_id: &str,
    body: &CreateActivityRequest,
) -> Result<Option<(i32, ActivityResponse)>, ApiError> {
    let Some(current) = activities::find_external(conn, operator_id, external_id).await? else {
        return Ok(None);
    };
    if current.centre_id != body.centre_id {
        return Err(ApiError::validation(
            "centre_id",
            "differs from the activity's centre: an activity cannot move; give the one at the new centre another external id",
        ));
    }
    Ok(Some(
        apply(state, conn, caller, &current, &as_change(body), None).await?,
    ))
}

/// Create or replace the operator's activity with its own id `external_id`. The first call
/// creates it (201), later ones replace it as a whole (200) — except `status`, which stays
/// unless given. A repeat that changes nothing leaves the version and the occurrences
/// alone, so retrying is always safe. Administrators, coordinators of the centre, operator
/// admins, and the operator's API keys with `activities:write`.
#[utoipa::path(
    tag = "activities",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("external_id" = String, Path, description = "The operator's own id: 1 to 200 visible ASCII characters"),
    ),
    request_body = CreateActivityRequest,
    responses(
        (status = 200, description = "The activity was replaced (or was the same already)", body = ActivityResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 201, description = "The activity was created", body = ActivityResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not staff of this operator (coordinator of the centre), or an API key of another operator or without the scope `activities:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new schedule moves a date of the activity to a time its room is taken (`room-taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or schedule, an external id that is not visible ASCII, a centre of another operator, or another centre than before (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/operators/{id}/activities/by-external-id/{external_id}")]
pub async fn upsert_activity(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    Json(body): Json<CreateActivityRequest>,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, raw_external_id) = path.into_inner();
    let external_id = external_id(&raw_external_id, "external_id")?;
    let mut conn = state.conn().await?;
    require_operator(
        &mut conn,
        &caller,
        operator_id,
        StaffRole::Coordinator,
        Scope::ActivitiesWrite,
    )
    .await?;
    require_own_centre(&mut conn, operator_id, body.centre_id).await?;
    let variants = check_variants(
        &state.content_languages,
        TextOwner::Activity,
        body.translations.as_ref(),
    )?;
    let by = caller.user().map(|u| u.id);
    // Two first calls at once: one creates, the other finds it and replaces it. The activity
    // and its variants change together.
    for _ in 0..2 {
        let attempt = conn
            .transaction::<_, ApiError, _>(async |conn| {
                let Some((status, id)) =
                    replace_or_create(&state, conn, &caller, operator_id, &external_id, &body)
                        .await?
                else {
                    return Ok(None);
                };
                let translated =
                    write_variants(conn, TextOwner::Activity, id, variants.as_deref(), by).await?;
                Ok(Some((status, id, translated)))
            })
            .await?;
        if let Some((status, id, translated)) = attempt {
            if translated {
                state.variants.wrote();
            }
            let view = reload(&mut conn, id).await?;
            return Ok(HttpResponse::build(status)
                .insert_header((header::ETAG, etag(view.activity.version)))
                .insert_header((header::LOCATION, format!("/api/v1/activities/{id}")))
                .json(ActivityResponse::from(view)));
        }
    }
    Err(ApiError::Unavailable(
        "the activity changed meanwhile; retry".into(),
    ))
}

/// 422 unless the centre is one of the operator's.
async fn require_own_centre(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    centre_id: Uuid,
) -> Result<(), ApiError> {
    if operators::operator_of_centre(conn, centre_id).await? != Some(operator_id) {
        return Err(ApiError::validation(
            "centre_id",
            "is not the id of a centre of this operator",
        ));
    }
    Ok(())
}

/// One attempt: the activity `external_id` names, replaced (200), or else created (201).
/// `None` when another request created it in between.
async fn replace_or_create(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    operator_id: Uuid,
    external_id: &str,
    body: &CreateActivityRequest,
) -> Result<Option<(StatusCode, Uuid)>, ApiError> {
    if let Some((_, response)) =
        replace(state, conn, caller, operator_id, external_id, body).await?
    {
        return Ok(Some((StatusCode::OK, response.id)));
    }
    match create_row(state, conn, caller, body, Some(external_id)).await {
        Ok(row) => Ok(Some((StatusCode::CREATED, row.id))),
        Err(ApiError::Conflict {
            slug: "external-id-taken",
            ..
        }) => Ok(None),
        Err(other) => Err(other),
    }
}
