//! `PATCH /centres/{id}`: changing a centre, with `If-Match`.

use actix_web::http::header;
use actix_web::{HttpResponse, patch, web};
use quartier_domain::{CentreKind, CentreStatus, StaffRole};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::centres::{self, CentreChanges, CentreView};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    Accessibility, Address, CentreInput, CentreKindBody, CentreResponse, CentreStatusBody,
    CheckedCentre, ContactRequest, check, check_contact, refused,
};
use crate::auth::AuthUser;
use crate::authz::require_staff;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, etag, nullable};
use crate::routes::districts::Point;
use crate::state::AppState;

/// Changes to a centre; fields left out stay as they are, `null` clears an optional one.
/// `address` and `accessibility` are replaced as a whole.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCentreRequest {
    pub district_id: Option<Uuid>,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub name: Option<String>,
    pub kind: Option<CentreKindBody>,
    #[schema(
        max_length = 8000,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub description: Option<String>,
    pub address: Option<Address>,
    pub position: Option<Point>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_length = 40, pattern = r"^ *[+(]?( *[0-9][ +\-/()]*){3,}$")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_length = 254, format = Email)]
    pub email: Option<Option<String>>,
    #[schema(max_items = 30)]
    pub languages: Option<Vec<String>>,
    pub accessibility: Option<Accessibility>,
    #[serde(default, deserialize_with = "nullable")]
    pub contact: Option<Option<ContactRequest>>,
    pub status: Option<CentreStatusBody>,
    /// Whether guests may sign up for its shifts without an account (each shift may say
    /// otherwise).
    pub guest_signups: Option<bool>,
}

/// Change a centre. Administrators, or operator admins of its operator; needs `If-Match`.
#[utoipa::path(
    tag = "centres",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The centre's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, or `*`"),
    ),
    request_body = UpdateCentreRequest,
    responses(
        (status = 200, description = "The changed centre", body = CentreResponse, headers(("ETag" = String))),
        (status = 403, description = "Not an administrator or operator admin of the centre's operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No centre has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The centre changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, an unknown district, or a contact who is not staff (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/centres/{id}")]
pub async fn update_centre(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    Json(body): Json<UpdateCentreRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let checked = check_request(&body)?;
    let mut conn = state.conn().await?;
    let current = find_centre(&mut conn, *id).await?;
    let operator_id = current.centre.operator_id;
    require_staff(&mut conn, user, operator_id, StaffRole::OperatorAdmin).await?;
    let versions = if_match.versions()?;
    if let Some(contact) = &body.contact {
        check_contact(&mut conn, operator_id, contact.as_ref()).await?;
    }
    let row = centres::update(&mut conn, *id, versions, &changes(&body, &checked))
        .await
        .map_err(refused)?
        .map_err(|refusal| ApiError::refused(refusal, "centre"))?;
    let view = find_centre(&mut conn, row.id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.version)))
        .json(CentreResponse::from(view)))
}

/// Checks the parts of the centre that `body` changes.
fn check_request(body: &UpdateCentreRequest) -> Result<CheckedCentre, ApiError> {
    check(CentreInput {
        name: body.name.as_deref(),
        description: body.description.as_deref(),
        address: body.address.as_ref(),
        position: body.position,
        phone: body.phone.as_ref().map(Option::as_deref),
        email: body.email.as_ref().map(Option::as_deref),
        languages: body.languages.as_deref(),
        accessibility: body.accessibility.as_ref(),
        contact: body.contact.as_ref().map(Option::as_ref),
    })
}

async fn find_centre(conn: &mut AsyncPgConnection, id: Uuid) -> Result<CentreView, ApiError> {
    centres::find(conn, id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No centre has this id.".into()))
}

/// The changes `body` asks for, with its `checked` parts.
fn changes<'a>(body: &UpdateCentreRequest, checked: &'a CheckedCentre) -> CentreChanges<'a> {
    let accessibility = body.accessibility.as_ref();
    CentreChanges {
        district_id: body.district_id,
        name: checked.name.as_deref(),
        kind: body.kind.map(|k| CentreKind::from(k).as_str()),
        description: checked.description.as_deref(),
        street: checked.street.as_deref(),
        postcode: checked.postcode.as_deref(),
        town: checked.town.as_deref(),
        latitude: checked.position.map(|p| p.latitude()),
        longitude: checked.position.map(|p| p.longitude()),
        phone: checked.phone.as_ref().map(Option::as_deref),
        email: checked.email.as_ref().map(Option::as_deref),
        languages: checked.languages.as_deref(),
        step_free: accessibility.map(|a| a.step_free),
        accessible_toilet: accessibility.map(|a| a.accessible_toilet),
        hearing_loop: accessibility.map(|a| a.hearing_loop),
        disabled_parking: accessibility.map(|a| a.disabled_parking),
        accessibility_notes: checked.accessibility_notes.as_deref(),
        contact_user_id: body.contact.as_ref().map(|c| c.as_ref().map(|c| c.user_id)),
        contact_role: checked.contact_role.as_ref().map(Option::as_deref),
        status: body.status.map(|s| CentreStatus::from(s).as_str()),
        guest_signups: body.guest_signups,
    }
}
