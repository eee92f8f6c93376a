//! Concerns and their categories in other languages than German: `PUT` and
//! `DELETE /concerns/{id}/translations/{tag}` and `/concern-categories/{id}/translations/{tag}`,
//! and one category in the reader's language (`GET /concern-categories/{id}`).
//!
//! A concern keeps the words it was raised in; those who answer it add what neighbours who
//! read other languages need.

use actix_web::{HttpResponse, delete, get, put, web};
use quartier_domain::StaffRole;
use quartier_domain::language::LanguageTag;
use quartier_domain::translation::{TextField, TextOwner};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::concerns::{self, CategoryRow, ConcernView};
use quartier_persistence::translations::NewVariant;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::categories::ConcernCategoryResponse;
use super::{readable, require_answers};
use crate::auth::{Caller, MaybeCaller};
use crate::authz::require_staff;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, IfNoneMatch, Json};
use crate::languages::{
    LanguageQuery, OriginBody, Reading, TranslationResponse, VariantRequest, check_texts,
    content_language, delete_variant, not_the_source, one_in_language, put_variant,
    variant_language,
};
use crate::state::AppState;

/// A concern's title and text in one language; a field left out falls back to the words
/// it was raised in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcernTranslationRequest {
    pub origin: OriginBody,
    /// Someone checked the texts: machine drafts and Leichte Sprache are public only then.
    #[serde(default)]
    pub reviewed: bool,
    pub texts: ConcernTexts,
}

/// The translatable texts of a concern.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcernTexts {
    #[schema(example = "A bench at the playground is missing", max_length = 200)]
    pub title: Option<String>,
    #[schema(max_length = 5000)]
    pub text: Option<String>,
}

impl VariantRequest for ConcernTranslationRequest {
    fn origin(&self) -> OriginBody {
        self.origin
    }

    fn reviewed(&self) -> bool {
        self.reviewed
    }

    fn texts(&self) -> Vec<(TextField, Option<&str>)> {
        vec![
            (TextField::Title, self.texts.title.as_deref()),
            (TextField::Text, self.texts.text.as_deref()),
        ]
    }
}

const NOT_ANSWERING: &str = "Only those who answer a concern write it in other languages.";

/// The concern `id` when `caller` answers it (and may read it); 404 or 403 otherwise.
async fn answered_by(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<ConcernView, ApiError> {
    let view = readable(conn, Some(caller), id).await?;
    require_answers(conn, caller, &view, NOT_ANSWERING).await?;
    Ok(view)
}

/// Write a concern's title and text in one language (replacing what it had in it). Those
/// who answer it: administrators, staff of the operator answering it (coordinators and
/// up) and of the partner it was referred to, and that operator's API keys with
/// `concerns:write`. Needs `If-Match` with the concern's `ETag`, and changes its version.
#[utoipa::path(
    tag = "concerns",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The concern's id"),
        ("tag" = String, Path, description = "An enabled content language other than the one the concern was raised in (`source_language`), such as `en`, `de-x-ls`, or `de` for a concern raised in Turkish"),
        ("If-Match" = String, Header, description = "The concern's ETag, or `*`"),
    ),
    request_body = ConcernTranslationRequest,
    responses(
        (status = 200, description = "The variant as stored", body = TranslationResponse, headers(("ETag" = String, description = "The concern's new ETag"))),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not one who answers the concern, or an API key of another operator or without `concerns:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No concern has this id, or it is not published and not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The concern changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A tag that is the concern's own language, malformed (`de-LS` is Lesotho's German; Leichte Sprache is `de-x-ls`) or not enabled, or texts out of bounds (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/concerns/{id}/translations/{tag}")]
pub async fn put_concern_translation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    Json(body): Json<ConcernTranslationRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, raw_tag) = path.into_inner();
    let tag = content_language(&state.content_languages, &raw_tag, "path.tag")?;
    let texts = check_texts(TextOwner::Concern, &body.texts())?;
    let mut conn = state.conn().await?;
    let concern = answered_by(&mut conn, &caller, id).await?;
    not_the_source(&tag, &concern.written_in())?;
    let variant = NewVariant {
        tag: &tag,
        origin: body.origin.into(),
        reviewed: body.reviewed,
        texts: &texts,
        written_by: caller.user().map(|u| u.id),
    };
    put_variant(
        &state,
        &mut conn,
        TextOwner::Concern,
        id,
        &if_match,
        &variant,
    )
    .await
}

/// Remove a concern's texts in one language: readers get the words it was raised in
/// again. Those who answer it; needs `If-Match`, and changes its version.
#[utoipa::path(
    tag = "concerns",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The concern's id"),
        ("tag" = String, Path, description = "The language of the variant"),
        ("If-Match" = String, Header, description = "The concern's ETag, or `*`"),
    ),
    responses(
        (status = 204, description = "Removed", headers(("ETag" = String, description = "The concern's new ETag"))),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not one who answers the concern, or an API key of another operator or without `concerns:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No concern has this id (or not one the caller may see), or it has no variant in this language (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The concern changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A malformed tag (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/concerns/{id}/translations/{tag}")]
pub async fn delete_concern_translation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, raw_tag) = path.into_inner();
    let tag = LanguageTag::parse(&raw_tag)
        .map_err(|e| ApiError::validation("path.tag", &e.to_string()))?;
    let mut conn = state.conn().await?;
    answered_by(&mut conn, &caller, id).await?;
    delete_variant(&state, &mut conn, TextOwner::Concern, id, &if_match, &tag).await
}

/// The category `id`, or 404.
async fn category(conn: &mut AsyncPgConnection, id: Uuid) -> Result<CategoryRow, ApiError> {
    concerns::category(conn, id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No concern category has this id.".into()))
}

/// Whether `caller` may change the category's name: administrators, and for a category an
/// operator answers, that operator's operator admins.
async fn may_change_category(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    row: &CategoryRow,
) -> Result<bool, ApiError> {
    if caller.is_admin() {
        return Ok(true);
    }
    let (Caller::User(user), Some(operator_id)) = (caller, row.operator_id) else {
        return Ok(false);
    };
    match require_staff(conn, *user, operator_id, StaffRole::OperatorAdmin).await {
        Ok(()) => Ok(true),
        Err(ApiError::Forbidden(_) | ApiError::NotFound(_)) => Ok(false),
        Err(other) => Err(other),
    }
}

const NOT_CATEGORY_STAFF: &str = "A category's name is changed by administrators, and by operator admins of the operator answering it.";

/// One category of concerns, its name in the reader's language. Public; administrators and
/// operator admins of the operator answering it may ask for every variant
/// (`all_languages=true`).
#[utoipa::path(
    tag = "concerns",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The category's id"),
        LanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the copy the client holds"),
    ),
    responses(
        (status = 200, description = "The category", body = ConcernCategoryResponse, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "The client's copy, in this language, is current", headers(("ETag" = String))),
        (status = 400, description = "The id or the language parameters do not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`all_languages` asked for by someone who may not change the category (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No concern category has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`lang` is not a language tag, such as `de-LS` (Lesotho's German; Leichte Sprache is `de-x-ls`) (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/concern-categories/{id}")]
pub async fn get_concern_category(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let row = category(&mut conn, *id).await?;
    let is_staff = match &caller {
        Some(caller) if reading.all_languages => {
            may_change_category(&mut conn, caller, &row).await?
        }
        _ => false,
    };
    if reading.all_languages && !is_staff {
        return Err(ApiError::Forbidden(NOT_CATEGORY_STAFF.into()));
    }
    let version = row.version;
    one_in_language(
        &mut conn,
        &state,
        &reading,
        ConcernCategoryResponse::from(row),
        version,
        is_staff,
        &if_none_match,
    )
    .await
}

/// A category's name in one language.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcernCategoryTranslationRequest {
    pub origin: OriginBody,
    /// Someone checked the text: machine drafts and Leichte Sprache are public only then.
    #[serde(default)]
    pub reviewed: bool,
    pub texts: ConcernCategoryTexts,
}

/// The translatable texts of a category of concerns.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcernCategoryTexts {
    #[schema(example = "Playgrounds and green spaces", max_length = 200)]
    pub name: Option<String>,
}

/// The category `id` when `caller` may change its name.
async fn changeable_category(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(), ApiError> {
    let row = category(conn, id).await?;
    if may_change_category(conn, caller, &row).await? {
        Ok(())
    } else {
        Err(ApiError::Forbidden(NOT_CATEGORY_STAFF.into()))
    }
}

/// Write a category's name in one language (replacing what it had in it). Administrators,
/// and operator admins of the operator answering the category. Needs `If-Match` with the
/// category's `ETag`, and changes its version.
#[utoipa::path(
    tag = "concerns",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The category's id"),
        ("tag" = String, Path, description = "An enabled content language other than German, such as `en` or `de-x-ls`"),
        ("If-Match" = String, Header, description = "The category's ETag, or `*`"),
    ),
    request_body = ConcernCategoryTranslationRequest,
    responses(
        (status = 200, description = "The variant as stored", body = TranslationResponse, headers(("ETag" = String, description = "The category's new ETag"))),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator nor an operator admin of the operator answering the category, or an API key (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No concern category has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The category changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A tag that is German, malformed (`de-LS` is Lesotho's German; Leichte Sprache is `de-x-ls`) or not enabled, or a name out of bounds (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/concern-categories/{id}/translations/{tag}")]
pub async fn put_concern_category_translation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    Json(body): Json<ConcernCategoryTranslationRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, raw_tag) = path.into_inner();
    let tag = variant_language(&state, &raw_tag)?;
    let texts = check_texts(
        TextOwner::ConcernCategory,
        &[(TextField::Name, body.texts.name.as_deref())],
    )?;
    let mut conn = state.conn().await?;
    changeable_category(&mut conn, &caller, id).await?;
    let variant = NewVariant {
        tag: &tag,
        origin: body.origin.into(),
        reviewed: body.reviewed,
        texts: &texts,
        written_by: caller.user().map(|u| u.id),
    };
    put_variant(
        &state,
        &mut conn,
        TextOwner::ConcernCategory,
        id,
        &if_match,
        &variant,
    )
    .await
}

/// Remove a category's name in one language: readers get German again. Administrators, and
/// operator admins of the operator answering the category. Needs `If-Match`, and changes
/// its version.
#[utoipa::path(
    tag = "concerns",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The category's id"),
        ("tag" = String, Path, description = "The language of the variant"),
        ("If-Match" = String, Header, description = "The category's ETag, or `*`"),
    ),
    responses(
        (status = 204, description = "Removed", headers(("ETag" = String, description = "The category's new ETag"))),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator nor an operator admin of the operator answering the category, or an API key (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No concern category has this id, or it has no variant in this language (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The category changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A malformed tag (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/concern-categories/{id}/translations/{tag}")]
pub async fn delete_concern_category_translation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, raw_tag) = path.into_inner();
    let tag = LanguageTag::parse(&raw_tag)
        .map_err(|e| ApiError::validation("path.tag", &e.to_string()))?;
    let mut conn = state.conn().await?;
    changeable_category(&mut conn, &caller, id).await?;
    delete_variant(
        &state,
        &mut conn,
        TextOwner::ConcernCategory,
        id,
        &if_match,
        &tag,
    )
    .await
}
