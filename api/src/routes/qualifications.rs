//! Qualifications: the catalogue (`/qualification-types`), what volunteers declare
//! (`/me/qualifications`), and the inspections staff record
//! (`/operators/{id}/qualification-checks`). Only the fact of an inspection is stored —
//! never a copy of the document.

mod inspection;

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{Datelike, NaiveDate, Utc};
use quartier_domain::{StaffRole, bounded_text};
use quartier_persistence::qualifications::{self, Inspection, QualificationRow, TypeRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use self::inspection::{
    check_inspection_dates, expiry, inspectable_type, record_inspection, require_account,
};
use crate::auth::AuthUser;
use crate::authz::require_staff;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::activities::Named;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct QualificationTypeResponse {
    pub id: Uuid,
    /// Catalogue entries: `extended_police_certificate`, `food_hygiene`, `first_aid`.
    pub code: Option<String>,
    /// Set for an operator's own type.
    pub operator_id: Option<Uuid>,
    #[schema(example = "Erweitertes Führungszeugnis (extended police certificate)")]
    pub name: String,
    /// How long an inspection counts from the issue date, unless staff say otherwise; none:
    /// it does not expire.
    pub validity_months: Option<i32>,
}

impl From<TypeRow> for QualificationTypeResponse {
    fn from(row: TypeRow) -> Self {
        Self {
            id: row.id,
            code: row.code,
            operator_id: row.operator_id,
            name: row.name,
            validity_months: row.validity_months,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QualificationResponse {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub kind: Named,
    pub issued_on: NaiveDate,
    pub status: QualificationStatusBody,
    pub inspected_on: Option<NaiveDate>,
    /// The operator whose staff inspected it.
    pub inspected_for: Option<Uuid>,
    /// The day it stops counting; none: it does not expire.
    pub expires_on: Option<NaiveDate>,
}

/// Where a volunteer's qualification stands today: `declared` (not inspected yet), `valid`
/// or `expired`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum QualificationStatusBody {
    Declared,
    Valid,
    Expired,
}

pub(crate) fn response(row: QualificationRow, type_name: String) -> QualificationResponse {
    let today = Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive();
    let status = match (row.inspected_on, row.expires_on) {
        (None, _) => QualificationStatusBody::Declared,
        (Some(_), Some(expires)) if expires <= today => QualificationStatusBody::Expired,
        (Some(_), _) => QualificationStatusBody::Valid,
    };
    QualificationResponse {
        id: row.id,
        kind: Named {
            id: row.type_id,
            name: type_name,
        },
        issued_on: row.issued_on,
        status,
        inspected_on: row.inspected_on,
        inspected_for: row.inspected_for,
        expires_on: row.expires_on,
    }
}

fn check_date(date: NaiveDate, field: &str) -> Result<NaiveDate, ApiError> {
    if (2000..=2100).contains(&date.year()) {
        Ok(date)
    } else {
        Err(ApiError::validation(
            field,
            "must lie between the years 2000 and 2100",
        ))
    }
}

async fn type_named(
    conn: &mut quartier_persistence::AsyncPgConnection,
    id: Uuid,
) -> Result<TypeRow, ApiError> {
    qualifications::find_type(conn, id)
        .await?
        .ok_or_else(|| ApiError::validation("type_id", "is not the id of a qualification type"))
}

/// The qualification types: the catalogue and operators' own. Public.
#[utoipa::path(
    tag = "qualifications",
    responses((status = 200, description = "Every type, the catalogue first", body = Vec<QualificationTypeResponse>)),
)]
#[get("/qualification-types")]
pub async fn list_qualification_types(
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let rows = qualifications::types(&mut conn).await?;
    let body: Vec<QualificationTypeResponse> = rows.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTypeRequest {
    #[schema(
        example = "Einweisung Küche",
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub name: String,
    #[schema(minimum = 1, maximum = 1200)]
    pub validity_months: Option<i32>,
}

/// Define an operator's own qualification type. Administrators and the operator's operator
/// admins.
#[utoipa::path(
    tag = "qualifications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The operator's id")),
    request_body = CreateTypeRequest,
    responses(
        (status = 201, description = "The type was created", body = QualificationTypeResponse),
        (status = 403, description = "Not an operator admin of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or 100 types of this operator already (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/operators/{id}/qualification-types")]
pub async fn create_qualification_type(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    Json(body): Json<CreateTypeRequest>,
) -> Result<HttpResponse, ApiError> {
    let name = bounded_text(&body.name, "name", 200)?;
    if body
        .validity_months
        .is_some_and(|m| !(1..=1200).contains(&m))
    {
        return Err(ApiError::validation(
            "validity_months",
            "must be from 1 to 1200",
        ));
    }
    let mut conn = state.conn().await?;
    require_staff(&mut conn, user, *id, StaffRole::OperatorAdmin).await?;
    // The public catalogue lists every operator's types at once: each keeps to a few.
    if qualifications::count_types_of(&mut conn, *id).await? >= MAX_TYPES_PER_OPERATOR {
        return Err(ApiError::validation(
            "name",
            "this operator has 100 qualification types already",
        ));
    }
    let row = qualifications::create_type(&mut conn, *id, &name, body.validity_months).await?;
    Ok(HttpResponse::Created().json(QualificationTypeResponse::from(row)))
}

/// The most qualification types one operator may make.
const MAX_TYPES_PER_OPERATOR: i64 = 100;

/// Your own qualifications: declared, valid or expired.
#[utoipa::path(
    tag = "qualifications",
    security(("bearer" = [])),
    responses((status = 200, description = "Your qualifications by name", body = Vec<QualificationResponse>)),
)]
#[get("/me/qualifications")]
pub async fn my_qualifications(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let rows = qualifications::of_user(&mut conn, user.id).await?;
    let body: Vec<QualificationResponse> = rows
        .into_iter()
        .map(|(row, name)| response(row, name))
        .collect();
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclareRequest {
    pub type_id: Uuid,
    /// The date on the document.
    pub issued_on: NaiveDate,
}

/// Declare a qualification. It counts once staff of an operator have inspected the document;
/// declaring another issue date (a renewal) asks for a new inspection.
#[utoipa::path(
    tag = "qualifications",
    security(("bearer" = [])),
    request_body = DeclareRequest,
    responses(
        (status = 201, description = "Declared", body = QualificationResponse),
        (status = 422, description = "An unknown type, or a date out of range (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/qualifications")]
pub async fn declare_qualification(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<DeclareRequest>,
) -> Result<HttpResponse, ApiError> {
    let issued_on = check_date(body.issued_on, "issued_on")?;
    if issued_on > Utc::now().date_naive() + chrono::Duration::days(1) {
        return Err(ApiError::validation(
            "issued_on",
            "must not lie in the future",
        ));
    }
    let mut conn = state.conn().await?;
    let kind = type_named(&mut conn, body.type_id).await?;
    let row = qualifications::declare(&mut conn, user.id, kind.id, issued_on).await?;
    Ok(HttpResponse::Created().json(response(row, kind.name)))
}

/// Withdraw one of your qualifications.
#[utoipa::path(
    tag = "qualifications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The qualification's id")),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 404, description = "You have no qualification with this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/me/qualifications/{id}")]
pub async fn withdraw_qualification(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    if qualifications::withdraw(&mut conn, user.id, *id).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound(
            "You have no qualification with this id.".into(),
        ))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionRequest {
    /// The volunteer whose document was shown.
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

/// Record that staff inspected a volunteer's document in person ("inspected on, by whom, valid
/// until"). Administrators and staff of the operator. The document itself is never stored.
#[utoipa::path(
    tag = "qualifications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The operator's id")),
    request_body = InspectionRequest,
    responses(
        (status = 201, description = "Recorded", body = QualificationResponse),
        (status = 403, description = "Not staff of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown volunteer or type, or dates out of order (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/operators/{id}/qualification-checks")]
pub async fn inspect_qualification(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    Json(body): Json<InspectionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (issued_on, inspected_on) = check_inspection_dates(&body)?;
    let mut conn = state.conn().await?;
    require_staff(&mut conn, user, *id, StaffRole::Coordinator).await?;
    let kind = inspectable_type(&mut conn, *id, body.type_id).await?;
    let expires_on = expiry(body.expires_on, &kind, issued_on)?;
    require_account(&mut conn, body.user_id).await?;
    let inspection = Inspection {
        user_id: body.user_id,
        type_id: kind.id,
        issued_on,
        inspected_on,
        inspected_by: user.id,
        inspected_for: *id,
        expires_on,
    };
    let row = record_inspection(&mut conn, user, &inspection).await?;
    Ok(HttpResponse::Created().json(response(row, kind.name)))
}
