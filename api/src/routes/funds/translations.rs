//! A fund's title and a project's title in other languages than German:
//! `PUT` and `DELETE /funds/{id}/translations/{tag}` and
//! `/funds/{id}/applications/{application_id}/translations/{tag}`. Those who keep the fund
//! write them; `/funds` and `/fund-projects` serve them to readers.

use actix_web::{HttpResponse, delete, put, web};
use quartier_domain::language::LanguageTag;
use quartier_domain::translation::{TextField, TextOwner};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::translations::NewVariant;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::applications::readable;
use super::{existing_fund, keeps};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json};
use crate::languages::{
    OriginBody, TranslationResponse, check_texts, delete_variant, put_variant, variant_language,
};
use crate::state::AppState;

/// A title in one language.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TitleTranslationRequest {
    pub origin: OriginBody,
    /// Someone checked the text: machine drafts and Leichte Sprache are public only then.
    #[serde(default)]
    pub reviewed: bool,
    pub texts: TitleTexts,
}

/// The translatable text of a fund or a project.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TitleTexts {
    #[schema(example = "Neighbourhood fund Nordstadt 2027", max_length = 200)]
    pub title: Option<String>,
}

/// `Some` person when the caller, who keeps the fund `fund_id`, is one; 403 for others, 404
/// for no fund. With `application_id`, the application must be the fund's (404 otherwise).
async fn writer(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    fund_id: Uuid,
    application_id: Option<Uuid>,
) -> Result<Option<Uuid>, ApiError> {
    let keeper = match application_id {
        Some(application_id) => {
            readable(conn, caller, fund_id, application_id)
                .await?
                .2
                .keeper
        }
        None => {
            let fund = existing_fund(conn, fund_id).await?;
            keeps(conn, caller, &fund).await?
        }
    };
    if !keeper {
        return Err(ApiError::Forbidden(
            "Only those who keep the fund write its texts in other languages.".into(),
        ));
    }
    Ok(caller.user().map(|user| user.id))
}

/// Writes the title of the fund `fund_id` (or of its application `application_id`) in
/// `raw_tag`, when `caller` keeps the fund.
async fn put_title(
    state: &AppState,
    caller: &Caller,
    fund_id: Uuid,
    application_id: Option<Uuid>,
    raw_tag: &str,
    body: &TitleTranslationRequest,
    if_match: &IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (owner, id) = match application_id {
        Some(application_id) => (TextOwner::FundApplication, application_id),
        None => (TextOwner::Fund, fund_id),
    };
    let tag = variant_language(state, raw_tag)?;
    let texts = check_texts(owner, &[(TextField::Title, body.texts.title.as_deref())])?;
    let mut conn = state.conn().await?;
    let written_by = writer(&mut conn, caller, fund_id, application_id).await?;
    let variant = NewVariant {
        tag: &tag,
        origin: body.origin.into(),
        reviewed: body.reviewed,
        texts: &texts,
        written_by,
    };
    put_variant(state, &mut conn, owner, id, if_match, &variant).await
}

fn path_tag(raw: &str) -> Result<LanguageTag, ApiError> {
    LanguageTag::parse(raw).map_err(|e| ApiError::validation("path.tag", &e.to_string()))
}

/// Write a fund's title in one language (replacing what it had in it). Those who keep the
/// fund; needs `If-Match` with the fund's `ETag`, and changes its version.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The fund's id"),
        ("tag" = String, Path, description = "An enabled content language other than German, such as `en` or `de-x-ls`"),
        ("If-Match" = String, Header, description = "The fund's ETag, or `*`"),
    ),
    request_body = TitleTranslationRequest,
    responses(
        (status = 200, description = "The variant as stored", body = TranslationResponse, headers(("ETag" = String, description = "The fund's new ETag"))),
        (status = 400, description = "The id is not a UUID, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not keeping the fund (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No fund has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The fund changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A tag that is German, malformed (`de-LS` is Lesotho's German; Leichte Sprache is `de-x-ls`) or not enabled, or a title out of bounds (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/funds/{id}/translations/{tag}")]
pub async fn put_fund_translation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    Json(body): Json<TitleTranslationRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, raw_tag) = path.into_inner();
    put_title(&state, &caller, id, None, &raw_tag, &body, &if_match).await
}

/// Remove a fund's title in one language: readers get German again. Those who keep the
/// fund; needs `If-Match`, and changes its version.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The fund's id"),
        ("tag" = String, Path, description = "The language of the variant"),
        ("If-Match" = String, Header, description = "The fund's ETag, or `*`"),
    ),
    responses(
        (status = 204, description = "Removed", headers(("ETag" = String, description = "The fund's new ETag"))),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not keeping the fund (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No fund has this id, or it has no variant in this language (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The fund changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A malformed tag (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/funds/{id}/translations/{tag}")]
pub async fn delete_fund_translation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, raw_tag) = path.into_inner();
    let tag = path_tag(&raw_tag)?;
    let mut conn = state.conn().await?;
    writer(&mut conn, &caller, id, None).await?;
    delete_variant(&state, &mut conn, TextOwner::Fund, id, &if_match, &tag).await
}

/// Write a project's title in one language, for the public list of granted projects
/// (replacing what it had in it). Those who keep the fund; needs `If-Match` with the
/// application's `ETag`, and changes its version.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The fund's id"),
        ("application_id" = Uuid, Path, description = "The application's id"),
        ("tag" = String, Path, description = "An enabled content language other than German, such as `en` or `de-x-ls`"),
        ("If-Match" = String, Header, description = "The application's ETag, or `*`"),
    ),
    request_body = TitleTranslationRequest,
    responses(
        (status = 200, description = "The variant as stored", body = TranslationResponse, headers(("ETag" = String, description = "The application's new ETag"))),
        (status = 400, description = "An id is not a UUID, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not keeping the fund (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No fund or no application to it has this id, or it is not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The application changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A tag that is German, malformed or not enabled, or a title out of bounds (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/funds/{id}/applications/{application_id}/translations/{tag}")]
pub async fn put_project_translation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, String)>,
    Json(body): Json<TitleTranslationRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (fund_id, application_id, raw_tag) = path.into_inner();
    put_title(
        &state,
        &caller,
        fund_id,
        Some(application_id),
        &raw_tag,
        &body,
        &if_match,
    )
    .await
}

/// Remove a project's title in one language: readers get German again. Those who keep the
/// fund; needs `If-Match`, and changes the application's version.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The fund's id"),
        ("application_id" = Uuid, Path, description = "The application's id"),
        ("tag" = String, Path, description = "The language of the variant"),
        ("If-Match" = String, Header, description = "The application's ETag, or `*`"),
    ),
    responses(
        (status = 204, description = "Removed", headers(("ETag" = String, description = "The application's new ETag"))),
        (status = 400, description = "An id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not keeping the fund (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No fund or no application to it has this id, or it has no variant in this language (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The application changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A malformed tag (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/funds/{id}/applications/{application_id}/translations/{tag}")]
pub async fn delete_project_translation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (fund_id, application_id, raw_tag) = path.into_inner();
    let tag = path_tag(&raw_tag)?;
    let mut conn = state.conn().await?;
    writer(&mut conn, &caller, fund_id, Some(application_id)).await?;
    delete_variant(
        &state,
        &mut conn,
        TextOwner::FundApplication,
        application_id,
        &if_match,
        &tag,
    )
    .await
}
