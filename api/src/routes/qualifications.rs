//! Qualifications: the catalogue (`/qualification-types`), what volunteers declare
//! (`/me/qualifications`), and the inspections staff record
//! (`/operators/{id}/qualification-checks`). Only the fact of an inspection is stored —
//! never a copy of the document.

pub mod checks;
mod inspection;
pub mod translations;

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use quartier_domain::signup::local_day;
use quartier_domain::translation::{TextField, TextOwner};
use quartier_domain::trust::VerificationStatus;
use quartier_domain::{StaffRole, bounded_text};
use quartier_persistence::audit::NewEntry;
use quartier_persistence::qualifications::{self, TypeRow, VerificationRow};
use quartier_persistence::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::authz::require_staff;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::languages::{
    ContentLanguageResponse, ListLanguageQuery, NameShown, Reading, Translatable,
    TranslationResponse, localize, localize_names,
};
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
    /// The language `name` is served in, or that it fell back to German.
    pub content_language: ContentLanguageResponse,
    /// Every variant of the name with its state; only for those who may change it, asking
    /// with `all_languages=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Vec<TranslationResponse>>,
    /// Changes with every variant of the name written or removed; sent as `ETag`, expected
    /// back in `If-Match`.
    pub version: i32,
}

impl From<TypeRow> for QualificationTypeResponse {
    fn from(row: TypeRow) -> Self {
        Self {
            id: row.id,
            code: row.code,
            operator_id: row.operator_id,
            name: row.name,
            validity_months: row.validity_months,
            content_language: ContentLanguageResponse::source(),
            translations: None,
            version: row.version,
        }
    }
}

impl Translatable for QualificationTypeResponse {
    const OWNER: TextOwner = TextOwner::QualificationType;

    fn owner_id(&self) -> Uuid {
        self.id
    }

    fn source_text(&self, field: TextField) -> Option<&str> {
        (field == TextField::Name).then_some(self.name.as_str())
    }

    fn set_text(&mut self, field: TextField, text: String) {
        if field == TextField::Name {
            self.name = text;
        }
    }

    fn set_language(
        &mut self,
        language: ContentLanguageResponse,
        translations: Option<Vec<TranslationResponse>>,
    ) {
        self.content_language = language;
        self.translations = translations;
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QualificationResponse {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub kind: Named,
    /// The date on the document, as the volunteer declared it.
    pub issued_on: NaiveDate,
    pub status: QualificationStatusBody,
    /// What operators' staff recorded after inspecting the document, each for their own
    /// operator, oldest first. A shift counts those of its operator and of the operators it
    /// trusts.
    pub verifications: Vec<VerificationResponse>,
}

/// Where a volunteer's qualification stands today: `declared` (no operator verified it),
/// `valid` (at least one verification counts) or `expired` (every verification expired).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum QualificationStatusBody {
    Declared,
    Valid,
    Expired,
}

/// Whether one verification counts today.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatusBody {
    Valid,
    Expired,
}

impl From<VerificationStatus> for VerificationStatusBody {
    fn from(status: VerificationStatus) -> Self {
        match status {
            VerificationStatus::Valid => Self::Valid,
            VerificationStatus::Expired => Self::Expired,
        }
    }
}

/// One operator's record of having inspected a volunteer's document in person: inspected on,
/// by whom, valid until. Only that operator's staff can change it.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationResponse {
    pub id: Uuid,
    /// The volunteer.
    pub user_id: Uuid,
    #[serde(rename = "type")]
    pub kind: Named,
    /// The operator whose staff inspected it.
    pub operator: Named,
    /// The date on the document shown.
    pub issued_on: NaiveDate,
    pub inspected_on: NaiveDate,
    /// The day it stops counting; none: it does not expire.
    pub expires_on: Option<NaiveDate>,
    pub status: VerificationStatusBody,
    pub updated_at: DateTime<Utc>,
}

/// Today, in Quartier's local zone.
fn today() -> NaiveDate {
    local_day(Utc::now())
}

pub(crate) fn verification_response(
    row: VerificationRow,
    type_name: String,
    operator_name: String,
) -> VerificationResponse {
    VerificationResponse {
        id: row.id,
        user_id: row.user_id,
        kind: Named {
            id: row.type_id,
            name: type_name,
        },
        operator: Named {
            id: row.operator_id,
            name: operator_name,
        },
        issued_on: row.issued_on,
        inspected_on: row.inspected_on,
        expires_on: row.expires_on,
        status: VerificationStatus::on(row.expires_on, today()).into(),
        updated_at: row.updated_at,
    }
}

/// The volunteer's qualifications, each with the verifications of its type.
pub(crate) async fn qualifications_of(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Vec<QualificationResponse>, ApiError> {
    let declared = qualifications::of_user(conn, user_id).await?;
    let mut verified = qualifications::verifications_of_user(conn, user_id).await?;
    Ok(declared
        .into_iter()
        .map(|(row, type_name)| {
            let verifications: Vec<VerificationResponse> = verified
                .extract_if(.., |(v, _)| v.type_id == row.type_id)
                .map(|(v, operator_name)| {
                    verification_response(v, type_name.clone(), operator_name)
                })
                .collect();
            let status = if verifications.is_empty() {
                QualificationStatusBody::Declared
            } else if verifications
                .iter()
                .any(|v| v.status == VerificationStatusBody::Valid)
            {
                QualificationStatusBody::Valid
            } else {
                QualificationStatusBody::Expired
            };
            QualificationResponse {
                id: row.id,
                kind: Named {
                    id: row.type_id,
                    name: type_name,
                },
                issued_on: row.issued_on,
                status,
                verifications,
            }
        })
        .collect())
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

async fn type_named(conn: &mut AsyncPgConnection, id: Uuid) -> Result<TypeRow, ApiError> {
    qualifications::find_type(conn, id)
        .await?
        .ok_or_else(|| ApiError::validation("type_id", "is not the id of a qualification type"))
}

/// The qualification types, their names in the reader's language: the catalogue and
/// operators' own. Public.
#[utoipa::path(
    tag = "qualifications",
    params(
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
    ),
    responses(
        (status = 200, description = "Every type, the catalogue first", body = Vec<QualificationTypeResponse>, headers(("Content-Language" = String), ("Vary" = String))),
        (status = 400, description = "The language parameters do not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`lang` is not a language tag, such as `de-LS` (Lesotho's German; Leichte Sprache is `de-x-ls`) (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/qualification-types")]
pub async fn list_qualification_types(
    state: web::Data<AppState>,
    reading: Reading,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let rows = qualifications::types(&mut conn).await?;
    let mut body: Vec<QualificationTypeResponse> = rows.into_iter().map(Into::into).collect();
    let served = localize(
        &mut conn,
        &state.content_languages,
        &reading,
        &mut body,
        false,
    )
    .await?;
    let mut response = HttpResponse::Ok().json(body);
    served.mark(&mut response);
    Ok(response)
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

/// Your own qualifications: declared, valid or expired, each with every operator's
/// verification of it; the names of their types in your language.
#[utoipa::path(
    tag = "qualifications",
    security(("bearer" = [])),
    params(
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
    ),
    responses(
        (status = 200, description = "Your qualifications by name", body = Vec<QualificationResponse>, headers(("Content-Language" = String), ("Vary" = String))),
        (status = 400, description = "The language parameters do not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`lang` is not a language tag, such as `de-LS` (Lesotho's German; Leichte Sprache is `de-x-ls`) (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/qualifications")]
pub async fn my_qualifications(
    state: web::Data<AppState>,
    user: AuthUser,
    reading: Reading,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let mut body = qualifications_of(&mut conn, user.id).await?;
    let mut names = Vec::new();
    for qualification in &mut body {
        names.push(type_name_shown(&mut qualification.kind));
        for verification in &mut qualification.verifications {
            names.push(type_name_shown(&mut verification.kind));
        }
    }
    let served = localize_names(&mut conn, &state.content_languages, &reading, names).await?;
    let mut response = HttpResponse::Ok().json(body);
    served.mark(&mut response);
    Ok(response)
}

/// The name of a qualification type shown in another response.
fn type_name_shown(kind: &mut Named) -> NameShown<'_> {
    NameShown {
        owner: TextOwner::QualificationType,
        id: kind.id,
        field: TextField::Name,
        text: &mut kind.name,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclareRequest {
    pub type_id: Uuid,
    /// The date on the document.
    pub issued_on: NaiveDate,
}

/// Declare a qualification. It counts for a shift once staff of the shift's operator (or of
/// an operator it trusts) have inspected the document. The staff of the operators you help
/// (`PUT /me/operators/{id}`) and of those whose shifts you signed up for may record that.
/// Declaring another issue date (a renewal) changes the date; each operator's verification
/// stays as it was until that operator inspects the new document.
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
    if issued_on > today() + chrono::Duration::days(1) {
        return Err(ApiError::validation(
            "issued_on",
            "must not lie in the future",
        ));
    }
    let mut conn = state.conn().await?;
    let kind = type_named(&mut conn, body.type_id).await?;
    let row = qualifications::declare(&mut conn, user.id, kind.id, issued_on).await?;
    let declared = qualifications_of(&mut conn, user.id)
        .await?
        .into_iter()
        .find(|q| q.id == row.id)
        .ok_or_else(|| ApiError::Internal("the declared qualification was not read back".into()))?;
    Ok(HttpResponse::Created().json(declared))
}

/// Withdraw one of your qualifications, and with it every operator's verification of it.
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
    let withdrawn = conn
        .transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let removed = qualifications::withdraw(conn, user.id, *id).await?;
            for verification in removed.iter().flatten() {
                NewEntry::new(
                    user.actor(),
                    "qualification.verification_withdrawn",
                    "qualification_verification",
                    verification.id,
                )
                .operator(verification.operator_id)
                .about([user.id])
                .details(serde_json::json!({ "type_id": verification.type_id }))
                .record(conn)
                .await?;
            }
            Ok(removed.is_some())
        })
        .await?;
    if withdrawn {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound(
            "You have no qualification with this id.".into(),
        ))
    }
}
