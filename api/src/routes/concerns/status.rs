//! `POST /concerns/{id}/status`: those who answer a concern move it on; its author may take
//! it back.

use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use quartier_domain::concern::ConcernStatus;
use quartier_persistence::concerns::{self, StatusRefusal};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ConcernResponse, ConcernStatusBody, readable};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, etag};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcernStatusRequest {
    pub status: ConcernStatusBody,
    /// The concern this one is the same as; with `duplicate` only, and then required.
    pub duplicate_of: Option<Uuid>,
    /// The operator it is handed to, which answers it from then on; with `referred` only.
    pub refer_to: Option<Uuid>,
    /// The partner it is handed to, whose staff answer it beside the operator's; with
    /// `referred` only. A referral names `refer_to` or `refer_to_partner`.
    pub refer_to_partner: Option<Uuid>,
}

/// Move a concern on. Those who answer it (administrators, staff of the operator
/// responsible) publish it, review it, accept, decline or close it, or mark it a duplicate
/// of another published concern that is carried on (the duplicate keeps its supports and
/// points its readers to the original), along the allowed moves: submitted → published →
/// in review → referred (to another operator, `refer_to`, whose staff answer it from then
/// on) or accepted → in progress → done. Its author may withdraw it until it is closed. `If-Match` (the `ETag` of `GET /concerns/{id}`) is optional.
#[utoipa::path(
    tag = "concerns",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The concern's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the client read"),
    ),
    request_body = ConcernStatusRequest,
    responses(
        (status = 200, description = "The concern, moved", body = ConcernResponse, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither answering the concern (staff, or an API key of its operator with the scope `concerns:write`) nor, for `withdrawn`, its author (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No concern has this id, or it is not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a move allowed from where the concern stands (`concern-move-not-allowed`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The concern changed since it was read: its status, or a variant of its texts in another language (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`duplicate_of` or `refer_to`/`refer_to_partner` missing for a duplicate or a referral, given for another status, both referral targets, an unknown operator or partner, naming the concern itself, or not a published concern that is carried on (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/concerns/{id}/status")]
pub async fn move_concern(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<ConcernStatusRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = *id;
    let next: ConcernStatus = body.status.into();
    match (next, body.duplicate_of) {
        (ConcernStatus::Duplicate, None) => {
            return Err(ApiError::validation(
                "duplicate_of",
                "is required for a duplicate: the concern it is the same as",
            ));
        }
        (ConcernStatus::Duplicate, Some(original)) if original == id => {
            return Err(ApiError::validation(
                "duplicate_of",
                "must be another concern than this one",
            ));
        }
        (ConcernStatus::Duplicate, Some(_)) | (_, None) => {}
        (_, Some(_)) => {
            return Err(ApiError::validation(
                "duplicate_of",
                "is only for the status duplicate",
            ));
        }
    }
    match (next, body.refer_to, body.refer_to_partner) {
        (ConcernStatus::Referred, None, None) => {
            return Err(ApiError::validation(
                "refer_to",
                "is required for a referral: the operator that answers it from now on",
            ));
        }
        (ConcernStatus::Referred, Some(_), Some(_)) => {
            return Err(ApiError::validation(
                "refer_to_partner",
                "must not be given with refer_to",
            ));
        }
        (ConcernStatus::Referred, _, _) | (_, None, None) => {}
        (_, Some(_), _) => {
            return Err(ApiError::validation(
                "refer_to",
                "is only for the status referred",
            ));
        }
        (_, None, Some(_)) => {
            return Err(ApiError::validation(
                "refer_to_partner",
                "is only for the status referred",
            ));
        }
    }
    let versions = if_match.optional_versions();
    let mut conn = state.conn().await?;
    let view = readable(&mut conn, Some(&caller), id).await?;
    let by_author = next == ConcernStatus::Withdrawn;
    if by_author {
        let author = caller.user().map(|user| user.id);
        if author.is_none() || view.author_id != author {
            return Err(ApiError::Forbidden(
                "Only its author withdraws a concern.".into(),
            ));
        }
    } else {
        super::require_answers(
            &mut conn,
            &caller,
            &view,
            "Only those who answer a concern move it on.",
        )
        .await?;
    }
    if next == ConcernStatus::Referred
        && !super::answers_for(&mut conn, &caller, view.operator_id, view.centre_id).await?
    {
        return Err(ApiError::Forbidden(
            "Only the operator answering a concern hands it on.".into(),
        ));
    }
    let version = concerns::move_status(
        &mut conn,
        id,
        versions,
        next,
        body.duplicate_of,
        body.refer_to,
        body.refer_to_partner,
        |current| {
            if by_author {
                current.may_withdraw()
            } else {
                current.staff_may_move_to(next)
            }
        },
    )
    .await
    .map_err(|error| {
        if error.is_constraint("concerns_operator_id_fkey") {
            ApiError::validation("refer_to", "is not the id of an operator")
        } else if error.is_constraint("concerns_partner_id_fkey") {
            ApiError::validation("refer_to_partner", "is not the id of a partner")
        } else {
            error.into()
        }
    })?
    .map_err(|refusal| match refusal {
        StatusRefusal::NotFound => ApiError::NotFound("No concern has this id.".into()),
        StatusRefusal::VersionConflict => ApiError::VersionConflict,
        StatusRefusal::NoOriginal => ApiError::validation(
            "duplicate_of",
            "is not the id of a published concern that is carried on (not a duplicate, declined or withdrawn)",
        ),
        StatusRefusal::NotAllowed(current) => ApiError::Conflict {
            slug: "concern-move-not-allowed",
            detail: format!(
                "A concern that is {} cannot become {}.",
                current.as_str(),
                next.as_str()
            ),
        },
    })?;
    let view = concerns::find(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No concern has this id.".into()))?;
    let user = caller.user();
    let supported = match user {
        Some(user) => Some(concerns::supports(&mut conn, id, user.id).await?),
        None => None,
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(ConcernResponse::new(view, user, supported)))
}
