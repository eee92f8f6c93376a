//! `POST /centres`: a new centre of an operator.

use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use quartier_domain::{CentreKind, CentreStatus, StaffRole};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::centres::{self, NewCentre};
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
use crate::extract::{Json, etag};
use crate::routes::districts::Point;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCentreRequest {
    pub operator_id: Uuid,
    pub district_id: Uuid,
    #[schema(
        example = "Bürgerhaus Nordstadt",
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub name: String,
    pub kind: CentreKindBody,
    #[schema(
        max_length = 8000,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub description: Option<String>,
    pub address: Address,
    pub position: Point,
    #[schema(
        example = "+49 231 123456",
        max_length = 40,
        pattern = r"^ *[+(]?( *[0-9][ +\-/()]*){3,}$"
    )]
    pub phone: Option<String>,
    #[schema(example = "nordstadt@example.org", max_length = 254, format = Email)]
    pub email: Option<String>,
    /// Languages spoken there (ISO 639 codes such as `de`, `tr`, `ar`).
    #[schema(max_items = 30)]
    pub languages: Option<Vec<String>>,
    pub accessibility: Option<Accessibility>,
    pub contact: Option<ContactRequest>,
    /// `active` when left out.
    pub status: Option<CentreStatusBody>,
}

/// Create a centre. Administrators, or operator admins of its operator.
#[utoipa::path(
    tag = "centres",
    security(("bearer" = [])),
    request_body = CreateCentreRequest,
    responses(
        (status = 201, description = "The centre was created", body = CentreResponse,
            headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not an administrator or operator admin of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, an unknown operator or district, or a contact who is not staff (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/centres")]
pub async fn create_centre(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<CreateCentreRequest>,
) -> Result<HttpResponse, ApiError> {
    let checked = check_request(&body)?;
    let mut conn = state.conn().await?;
    require_operator_admin(&mut conn, user, body.operator_id).await?;
    check_contact(&mut conn, body.operator_id, body.contact.as_ref()).await?;
    let new = new_centre(&body, &checked)?;
    let row = centres::insert(&mut conn, &new).await.map_err(refused)?;
    let view = centres::find(&mut conn, row.id)
        .await?
        .ok_or_else(|| ApiError::Internal("created centre not found".into()))?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, etag(row.version)))
        .insert_header((header::LOCATION, format!("/api/v1/centres/{}", row.id)))
        .json(CentreResponse::from(view)))
}

/// Checks every part of the new centre; what is left out counts as empty.
fn check_request(body: &CreateCentreRequest) -> Result<CheckedCentre, ApiError> {
    check(CentreInput {
        name: Some(&body.name),
        description: Some(body.description.as_deref().unwrap_or_default()),
        address: Some(&body.address),
        position: Some(body.position),
        phone: Some(body.phone.as_deref()),
        email: Some(body.email.as_deref()),
        languages: Some(body.languages.as_deref().unwrap_or_default()),
        accessibility: Some(
            body.accessibility
                .as_ref()
                .unwrap_or(&Accessibility::default()),
        ),
        contact: Some(body.contact.as_ref()),
    })
}

/// Ok for an operator admin of `operator_id`; an unknown operator is an invalid field here,
/// not a missing resource.
async fn require_operator_admin(
    conn: &mut AsyncPgConnection,
    user: AuthUser,
    operator_id: Uuid,
) -> Result<(), ApiError> {
    require_staff(conn, user, operator_id, StaffRole::OperatorAdmin)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => {
                ApiError::validation("operator_id", "is not the id of an operator")
            }
            other => other,
        })
}

/// The row of the new centre: `checked` parts, the rest from `body` or its defaults.
fn new_centre<'a>(
    body: &CreateCentreRequest,
    checked: &'a CheckedCentre,
) -> Result<NewCentre<'a>, ApiError> {
    let accessibility = body.accessibility.clone().unwrap_or_default();
    let position = checked
        .position
        .ok_or_else(|| ApiError::Internal("position unchecked".into()))?;
    Ok(NewCentre {
        id: Uuid::now_v7(),
        operator_id: body.operator_id,
        district_id: body.district_id,
        name: checked.name.as_deref().unwrap_or_default(),
        kind: CentreKind::from(body.kind).as_str(),
        description: checked.description.as_deref().unwrap_or_default(),
        street: checked.street.as_deref().unwrap_or_default(),
        postcode: checked.postcode.as_deref().unwrap_or_default(),
        town: checked.town.as_deref().unwrap_or_default(),
        latitude: position.latitude(),
        longitude: position.longitude(),
        phone: checked.phone.as_ref().and_then(Option::as_deref),
        email: checked.email.as_ref().and_then(Option::as_deref),
        languages: checked.languages.as_deref().unwrap_or_default(),
        step_free: accessibility.step_free,
        accessible_toilet: accessibility.accessible_toilet,
        hearing_loop: accessibility.hearing_loop,
        disabled_parking: accessibility.disabled_parking,
        accessibility_notes: checked.accessibility_notes.as_deref().unwrap_or_default(),
        contact_user_id: body.contact.as_ref().map(|c| c.user_id),
        contact_role: checked.contact_role.as_ref().and_then(Option::as_deref),
        status: CentreStatus::from(body.status.unwrap_or(CentreStatusBody::Active)).as_str(),
    })
}
