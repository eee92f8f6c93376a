//! `PUT` and `DELETE /centres/{id}/translations/{tag}`: a centre's texts in another language
//! than German.

use actix_web::{HttpResponse, delete, put, web};
use quartier_domain::StaffRole;
use quartier_domain::language::LanguageTag;
use quartier_domain::translation::{TextField, TextOwner};
use quartier_persistence::translations::NewVariant;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::authz::require_centre_staff;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json};
use crate::languages::{
    OriginBody, TranslationResponse, check_texts, delete_variant, put_variant, variant_language,
};
use crate::state::AppState;

/// A centre's texts in one language; fields left out fall back to German.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CentreTranslationRequest {
    pub origin: OriginBody,
    /// Someone checked the texts: machine drafts and Leichte Sprache are public only then.
    #[serde(default)]
    pub reviewed: bool,
    pub texts: CentreTexts,
}

/// The translatable texts of a centre.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CentreTexts {
    #[schema(example = "Community House Nordstadt", max_length = 200)]
    pub name: Option<String>,
    #[schema(max_length = 8000)]
    pub description: Option<String>,
    #[schema(max_length = 2000)]
    pub accessibility_notes: Option<String>,
}

/// Write a centre's texts in one language (replacing what it had in it). Administrators and
/// operator admins of its operator, who change its German texts too; needs `If-Match` with
/// the centre's `ETag`, and changes its version.
#[utoipa::path(
    tag = "centres",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The centre's id"),
        ("tag" = String, Path, description = "An enabled content language other than German, such as `en` or `de-x-ls`"),
        ("If-Match" = String, Header, description = "The centre's ETag, or `*`"),
    ),
    request_body = CentreTranslationRequest,
    responses(
        (status = 200, description = "The variant as stored", body = TranslationResponse, headers(("ETag" = String, description = "The centre's new ETag"))),
        (status = 403, description = "Not an administrator or operator admin of the centre's operator, or an API key (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No centre has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The centre changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A tag that is German, malformed (`de-LS` is Lesotho's German; Leichte Sprache is `de-x-ls`) or not enabled, or texts out of bounds (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/centres/{id}/translations/{tag}")]
pub async fn put_centre_translation(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, String)>,
    Json(body): Json<CentreTranslationRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, raw_tag) = path.into_inner();
    let tag = variant_language(&state, &raw_tag)?;
    let texts = check_texts(
        TextOwner::Centre,
        &[
            (TextField::Name, body.texts.name.as_deref()),
            (TextField::Description, body.texts.description.as_deref()),
            (
                TextField::AccessibilityNotes,
                body.texts.accessibility_notes.as_deref(),
            ),
        ],
    )?;
    let mut conn = state.conn().await?;
    require_centre_staff(&mut conn, user, id, StaffRole::OperatorAdmin).await?;
    let variant = NewVariant {
        tag: &tag,
        origin: body.origin.into(),
        reviewed: body.reviewed,
        texts: &texts,
        written_by: Some(user.id),
    };
    put_variant(
        &state,
        &mut conn,
        TextOwner::Centre,
        id,
        &if_match,
        &variant,
    )
    .await
}

/// Remove a centre's texts in one language: readers get German again. Administrators and
/// operator admins of its operator; needs `If-Match`, and changes its version.
#[utoipa::path(
    tag = "centres",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The centre's id"),
        ("tag" = String, Path, description = "The language of the variant"),
        ("If-Match" = String, Header, description = "The centre's ETag, or `*`"),
    ),
    responses(
        (status = 204, description = "Removed", headers(("ETag" = String, description = "The centre's new ETag"))),
        (status = 403, description = "Not an administrator or operator admin of the centre's operator, or an API key (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No centre has this id, or it has no variant in this language (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The centre changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A malformed tag (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/centres/{id}/translations/{tag}")]
pub async fn delete_centre_translation(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, raw_tag) = path.into_inner();
    let tag = LanguageTag::parse(&raw_tag)
        .map_err(|e| ApiError::validation("path.tag", &e.to_string()))?;
    let mut conn = state.conn().await?;
    require_centre_staff(&mut conn, user, id, StaffRole::OperatorAdmin).await?;
    delete_variant(&state, &mut conn, TextOwner::Centre, id, &if_match, &tag).await
}
