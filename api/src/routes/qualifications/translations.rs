//! One qualification type, and its name in other languages than German
//! (`PUT` and `DELETE /qualification-types/{id}/translations/{tag}`).

use actix_web::{HttpResponse, delete, get, put, web};
use quartier_domain::language::LanguageTag;
use quartier_domain::translation::{TextField, TextOwner};
use quartier_domain::{Role, StaffRole};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::qualifications::{self, TypeRow};
use quartier_persistence::translations::NewVariant;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::QualificationTypeResponse;
use crate::auth::{AuthUser, MaybeCaller};
use crate::authz::require_staff;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, IfNoneMatch, Json};
use crate::languages::{
    LanguageQuery, OriginBody, Reading, TranslationResponse, check_texts, delete_variant,
    one_in_language, put_variant, variant_language,
};
use crate::routes::activities::viewer;
use crate::state::AppState;

/// The type `id`, or 404.
async fn found(conn: &mut AsyncPgConnection, id: Uuid) -> Result<TypeRow, ApiError> {
    qualifications::find_type(conn, id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No qualification type has this id.".into()))
}

/// Ok when `user` may change the type's name: administrators for the catalogue; for an
/// operator's own type also its operator admins.
async fn may_change(
    conn: &mut AsyncPgConnection,
    user: AuthUser,
    kind: &TypeRow,
) -> Result<(), ApiError> {
    match kind.operator_id {
        Some(operator_id) => require_staff(conn, user, operator_id, StaffRole::OperatorAdmin).await,
        None if user.role == Role::Admin => Ok(()),
        None => Err(ApiError::Forbidden(
            "The catalogue's names are changed by administrators only.".into(),
        )),
    }
}

/// One qualification type, its name in the reader's language. Public; administrators, and
/// for an operator's own type its staff, may ask for every variant (`all_languages=true`).
#[utoipa::path(
    tag = "qualifications",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The type's id"),
        LanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the copy the client holds"),
    ),
    responses(
        (status = 200, description = "The type", body = QualificationTypeResponse, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "The client's copy, in this language, is current", headers(("ETag" = String))),
        (status = 403, description = "`all_languages` asked for by someone who may not change the type (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No qualification type has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "The language parameters do not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`lang` is not a language tag, such as `de-LS` (Lesotho's German; Leichte Sprache is `de-x-ls`) (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/qualification-types/{id}")]
pub async fn get_qualification_type(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let kind = found(&mut conn, *id).await?;
    let viewer = viewer(&mut conn, caller.as_ref()).await?;
    let is_staff = viewer.admin
        || kind
            .operator_id
            .is_some_and(|operator| viewer.operators.contains(&operator));
    let version = kind.version;
    one_in_language(
        &mut conn,
        &state,
        &reading,
        QualificationTypeResponse::from(kind),
        version,
        is_staff,
        &if_none_match,
    )
    .await
}

/// A qualification type's name in one language.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualificationTypeTranslationRequest {
    pub origin: OriginBody,
    /// Someone checked the text: machine drafts and Leichte Sprache are public only then.
    #[serde(default)]
    pub reviewed: bool,
    pub texts: QualificationTypeTexts,
}

/// The translatable texts of a qualification type.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualificationTypeTexts {
    #[schema(example = "Extended police certificate", max_length = 200)]
    pub name: Option<String>,
}

/// Write a qualification type's name in one language (replacing what it had in it).
/// Administrators; for an operator's own type also its operator admins. Needs `If-Match`
/// with the type's `ETag`, and changes its version.
#[utoipa::path(
    tag = "qualifications",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The type's id"),
        ("tag" = String, Path, description = "An enabled content language other than German, such as `en` or `de-x-ls`"),
        ("If-Match" = String, Header, description = "The type's ETag, or `*`"),
    ),
    request_body = QualificationTypeTranslationRequest,
    responses(
        (status = 200, description = "The variant as stored", body = TranslationResponse, headers(("ETag" = String, description = "The type's new ETag"))),
        (status = 403, description = "Not an administrator, nor for an operator's own type an operator admin of it, or an API key (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No qualification type has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The type changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A tag that is German, malformed (`de-LS` is Lesotho's German; Leichte Sprache is `de-x-ls`) or not enabled, or a name out of bounds (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/qualification-types/{id}/translations/{tag}")]
pub async fn put_qualification_type_translation(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, String)>,
    Json(body): Json<QualificationTypeTranslationRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, raw_tag) = path.into_inner();
    let tag = variant_language(&state, &raw_tag)?;
    let texts = check_texts(
        TextOwner::QualificationType,
        &[(TextField::Name, body.texts.name.as_deref())],
    )?;
    let mut conn = state.conn().await?;
    let kind = found(&mut conn, id).await?;
    may_change(&mut conn, user, &kind).await?;
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
        TextOwner::QualificationType,
        id,
        &if_match,
        &variant,
    )
    .await
}

/// Remove a qualification type's name in one language: readers get German again.
/// Administrators; for an operator's own type also its operator admins. Needs `If-Match`, and
/// changes its version.
#[utoipa::path(
    tag = "qualifications",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The type's id"),
        ("tag" = String, Path, description = "The language of the variant"),
        ("If-Match" = String, Header, description = "The type's ETag, or `*`"),
    ),
    responses(
        (status = 204, description = "Removed", headers(("ETag" = String, description = "The type's new ETag"))),
        (status = 403, description = "Not an administrator, nor for an operator's own type an operator admin of it, or an API key (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No qualification type has this id, or it has no variant in this language (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The type changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A malformed tag (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/qualification-types/{id}/translations/{tag}")]
pub async fn delete_qualification_type_translation(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, raw_tag) = path.into_inner();
    let tag = LanguageTag::parse(&raw_tag)
        .map_err(|e| ApiError::validation("path.tag", &e.to_string()))?;
    let mut conn = state.conn().await?;
    let kind = found(&mut conn, id).await?;
    may_change(&mut conn, user, &kind).await?;
    delete_variant(
        &state,
        &mut conn,
        TextOwner::QualificationType,
        id,
        &if_match,
        &tag,
    )
    .await
}
