use actix_web::http::header;
use actix_web::{HttpResponse, patch, web};
use quartier_domain::{OperatorKind, Role, StaffRole};
use quartier_persistence::operators::{self, OperatorChanges};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{DetailsInput, OperatorKindBody, OperatorResponse, OperatorStatus, check_details};
use crate::auth::AuthUser;
use crate::authz::require_staff;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, etag, nullable};
use crate::state::AppState;

/// Changes to an operator; fields left out stay as they are, `null` clears an optional one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOperatorRequest {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub name: Option<String>,
    pub kind: Option<OperatorKindBody>,
    #[schema(
        max_length = 4000,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(
        max_length = 500,
        pattern = r"^https?://[^\s/\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_length = 254, format = Email)]
    pub contact_email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_length = 40, pattern = r"^ *[+(]?( *[0-9][ +\-/()]*){3,}$")]
    pub contact_phone: Option<Option<String>>,
    /// Administrators only: `inactive` takes every write right from the operator's staff.
    pub status: Option<OperatorStatus>,
}

/// Change an operator. Administrators, or operator admins of this operator (but not its
/// status); needs `If-Match`.
#[utoipa::path(
    tag = "operators",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, or `*`"),
    ),
    request_body = UpdateOperatorRequest,
    responses(
        (status = 200, description = "The changed operator", body = OperatorResponse, headers(("ETag" = String))),
        (status = 403, description = "Not an administrator or operator admin of this operator, or a status change by staff (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The operator changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/operators/{id}")]
pub async fn update_operator(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    Json(body): Json<UpdateOperatorRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    require_staff(&mut conn, user, *id, StaffRole::OperatorAdmin).await?;
    if body.status.is_some() && user.role != Role::Admin {
        return Err(ApiError::Forbidden(
            "Only administrators change an operator's status.".into(),
        ));
    }
    let details = check_details(DetailsInput {
        name: body.name.as_deref(),
        description: body.description.as_deref(),
        website: body.website.as_ref().map(Option::as_deref),
        contact_email: body.contact_email.as_ref().map(Option::as_deref),
        contact_phone: body.contact_phone.as_ref().map(Option::as_deref),
    })?;
    let versions = if_match.versions()?;
    let changes = OperatorChanges {
        name: details.name.as_deref(),
        kind: body.kind.map(|k| OperatorKind::from(k).as_str()),
        description: details.description.as_deref(),
        website: details.website.as_ref().map(Option::as_deref),
        contact_email: details.contact_email.as_ref().map(Option::as_deref),
        contact_phone: details.contact_phone.as_ref().map(Option::as_deref),
        status: body.status.map(OperatorStatus::as_str),
    };
    let row = operators::update(&mut conn, *id, versions, &changes)
        .await?
        .map_err(|refusal| ApiError::refused(refusal, "operator"))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.version)))
        .json(OperatorResponse::from(row)))
}
