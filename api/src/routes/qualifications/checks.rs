//! `/operators/{id}/qualification-checks`: what an operator's staff record after inspecting
//! a volunteer's document in person. Each verification is the operator's own: one per
//! volunteer and type, which no other operator can see through this route or change.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::NaiveDate;
use quartier_persistence::audit::NewEntry;
use quartier_persistence::qualifications::{self, Inspection};
use quartier_persistence::{AsyncConnection, operators};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::inspection::{
    acquaintance, check_inspection_dates, expiry, inspectable_type, not_acquainted, reach_of,
    record_inspection,
};
use super::{VerificationResponse, verification_response};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionRequest {
    /// The volunteer whose document was shown: one who declared this qualification and helps
    /// this operator, or who signed up for one of its shifts (for a coordinator limited to
    /// centres: a shift at one of them).
    pub user_id: Uuid,
    pub type_id: Uuid,
    /// The date on the document.
    pub issued_on: NaiveDate,
    /// Default: today.
    pub inspected_on: Option<NaiveDate>,
    /// The day it stops counting. Default: the issue date plus the type's validity (five years
    /// for the extended police certificate); never for types without one.
    pub expires_on: Option<NaiveDate>,
}

async fn operator_name(
    conn: &mut quartier_persistence::AsyncPgConnection,
    operator_id: Uuid,
) -> Result<String, ApiError> {
    Ok(operators::find(conn, operator_id)
        .await?
        .map(|operator| operator.name)
        .unwrap_or_default())
}

/// Record that staff inspected a volunteer's document in person ("inspected on, by whom,
/// valid until") for their operator. Recording again replaces this operator's verification,
/// never another operator's. Shifts of this operator, and of operators that trust it, accept
/// it. The document itself is never stored; the volunteer sees the verification and its
/// audit entry. Administrators and coordinators of the operator, for volunteers who came to
/// it.
#[utoipa::path(
    tag = "qualifications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The operator's id")),
    request_body = InspectionRequest,
    responses(
        (status = 201, description = "Recorded", body = VerificationResponse),
        (status = 403, description = "Not staff of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A volunteer who did not come to this operator (or no account at all: the answer is the same), an unknown type or another operator's own, or dates out of order (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/operators/{id}/qualification-checks")]
pub async fn inspect_qualification(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    Json(body): Json<InspectionRequest>,
) -> Result<HttpResponse, ApiError> {
    let operator_id = *id;
    let (issued_on, inspected_on) = check_inspection_dates(&body)?;
    let mut conn = state.conn().await?;
    let (reach, centres) = reach_of(&mut conn, user, operator_id).await?;
    let kind = inspectable_type(&mut conn, operator_id, body.type_id).await?;
    let expires_on = expiry(body.expires_on, &kind, issued_on)?;
    let known = acquaintance(&mut conn, operator_id, body.user_id, kind.id, &centres).await?;
    if !known.may_record_check(reach) {
        return Err(not_acquainted(reach));
    }
    let inspection = Inspection {
        user_id: body.user_id,
        type_id: kind.id,
        operator_id,
        issued_on,
        inspected_on,
        inspected_by: user.id,
        expires_on,
    };
    let row = record_inspection(&mut conn, user, &inspection).await?;
    let operator = operator_name(&mut conn, operator_id).await?;
    Ok(HttpResponse::Created().json(verification_response(row, kind.name, operator)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChecksQuery {
    /// The volunteer.
    pub user_id: Uuid,
}

/// This operator's verifications of one volunteer's documents, newest first. Administrators
/// and coordinators of the operator; a coordinator limited to centres sees them only for
/// volunteers who signed up for a shift at one of those. Other operators' verifications are
/// never shown here.
#[utoipa::path(
    tag = "qualifications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The operator's id"), ChecksQuery),
    responses(
        (status = 200, description = "The operator's verifications of this volunteer (empty when there are none)", body = Vec<VerificationResponse>),
        (status = 403, description = "Not staff of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/operators/{id}/qualification-checks")]
pub async fn list_qualification_checks(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: web::Query<ChecksQuery>,
) -> Result<HttpResponse, ApiError> {
    let operator_id = *id;
    let mut conn = state.conn().await?;
    let (reach, centres) = reach_of(&mut conn, user, operator_id).await?;
    let known = quartier_persistence::trust::acquaintance(
        &mut conn,
        operator_id,
        query.user_id,
        None,
        &centres,
    )
    .await?;
    if !known.may_change_check(reach) {
        return Ok(HttpResponse::Ok().json(Vec::<VerificationResponse>::new()));
    }
    let operator = operator_name(&mut conn, operator_id).await?;
    let rows =
        qualifications::verifications_of_operator(&mut conn, operator_id, Some(query.user_id), 200)
            .await?;
    let body: Vec<VerificationResponse> = rows
        .into_iter()
        .map(|(row, type_name)| verification_response(row, type_name, operator.clone()))
        .collect();
    Ok(HttpResponse::Ok().json(body))
}

/// Revoke one of this operator's verifications, e.g. when the document turns out not to be
/// what it seemed. Sign-ups already made stay; new ones for shifts needing it are refused
/// unless another accepted verification holds. Administrators and coordinators of the
/// operator (one limited to centres: for volunteers who signed up for a shift at one of
/// them).
#[utoipa::path(
    tag = "qualifications",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("check_id" = Uuid, Path, description = "The verification's id"),
    ),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, description = "Not staff of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id, or it has no verification with this id that you may change (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/operators/{id}/qualification-checks/{check_id}")]
pub async fn revoke_qualification_check(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, check_id) = path.into_inner();
    let not_found = || ApiError::NotFound("This operator has no verification with this id.".into());
    let mut conn = state.conn().await?;
    let (reach, centres) = reach_of(&mut conn, user, operator_id).await?;
    let found = qualifications::find_verification(&mut conn, operator_id, check_id)
        .await?
        .ok_or_else(not_found)?;
    let known = acquaintance(
        &mut conn,
        operator_id,
        found.user_id,
        found.type_id,
        &centres,
    )
    .await?;
    if !known.may_change_check(reach) {
        return Err(not_found());
    }
    let revoked = conn
        .transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let revoked = qualifications::revoke(conn, operator_id, check_id).await?;
            if let Some(row) = &revoked {
                NewEntry::new(
                    user.actor(),
                    "qualification.verification_revoked",
                    "qualification_verification",
                    row.id,
                )
                .operator(operator_id)
                .about([row.user_id])
                .details(serde_json::json!({
                    "type_id": row.type_id,
                    "issued_on": row.issued_on,
                    "expires_on": row.expires_on,
                }))
                .record(conn)
                .await?;
            }
            Ok(revoked.is_some())
        })
        .await?;
    if revoked {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(not_found())
    }
}
