//! `PUT` and `DELETE /shifts/{id}/translations/{tag}`: a shift's texts in another language
//! than German.

use actix_web::{HttpResponse, delete, put, web};
use quartier_domain::StaffRole;
use quartier_domain::integration::Scope;
use quartier_domain::language::LanguageTag;
use quartier_domain::translation::{TextField, TextOwner};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::translations::NewVariant;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::find_shift;
use crate::auth::Caller;
use crate::authz::require_centre;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json};
use crate::languages::{
    OriginBody, TranslationResponse, VariantRequest, check_texts, delete_variant, put_variant,
    variant_language,
};
use crate::state::AppState;

/// A shift's texts in one language; fields left out fall back to German.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftTranslationRequest {
    pub origin: OriginBody,
    /// Someone checked the texts: machine drafts and Leichte Sprache are public only then.
    #[serde(default)]
    pub reviewed: bool,
    pub texts: ShiftTexts,
}

/// The translatable texts of a shift.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftTexts {
    #[schema(example = "Help at the coffee counter", max_length = 200)]
    pub title: Option<String>,
    #[schema(max_length = 4000)]
    pub description: Option<String>,
}

impl VariantRequest for ShiftTranslationRequest {
    fn origin(&self) -> OriginBody {
        self.origin
    }

    fn reviewed(&self) -> bool {
        self.reviewed
    }

    fn texts(&self) -> Vec<(TextField, Option<&str>)> {
        vec![
            (TextField::Title, self.texts.title.as_deref()),
            (TextField::Description, self.texts.description.as_deref()),
        ]
    }
}

/// Ok when the caller may change the shift `id` (as for `PATCH /shifts/{id}`).
async fn changeable(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(), ApiError> {
    let shift = find_shift(conn, id).await?;
    require_centre(
        conn,
        caller,
        shift.shift.centre_id,
        StaffRole::Coordinator,
        Scope::ShiftsWrite,
    )
    .await?;
    Ok(())
}

/// Write a shift's texts in one language (replacing what it had in it). Staff who may change
/// the shift; needs `If-Match` with the shift's version (`version`), and changes it.
#[utoipa::path(
    tag = "shifts",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The shift's id"),
        ("tag" = String, Path, description = "An enabled content language other than German, such as `uk` or `de-x-ls`"),
        ("If-Match" = String, Header, description = "`\"<version>\"` of the shift, or `*`"),
    ),
    request_body = ShiftTranslationRequest,
    responses(
        (status = 200, description = "The variant as stored", body = TranslationResponse, headers(("ETag" = String, description = "The shift's new version"))),
        (status = 403, description = "Not staff of the shift's centre with the role coordinator, or an API key of another operator or without `shifts:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No shift has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The shift changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A tag that is German, malformed (`de-LS` is Lesotho's German; Leichte Sprache is `de-x-ls`) or not enabled, or texts out of bounds (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/shifts/{id}/translations/{tag}")]
pub async fn put_shift_translation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    Json(body): Json<ShiftTranslationRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, raw_tag) = path.into_inner();
    let tag = variant_language(&state, &raw_tag)?;
    let texts = check_texts(TextOwner::Shift, &body.texts())?;
    let mut conn = state.conn().await?;
    changeable(&mut conn, &caller, id).await?;
    let variant = NewVariant {
        tag: &tag,
        origin: body.origin.into(),
        reviewed: body.reviewed,
        texts: &texts,
        written_by: caller.user().map(|u| u.id),
    };
    put_variant(&state, &mut conn, TextOwner::Shift, id, &if_match, &variant).await
}

/// Remove a shift's texts in one language: readers get German again. Staff who may change
/// the shift; needs `If-Match`, and changes its version.
#[utoipa::path(
    tag = "shifts",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The shift's id"),
        ("tag" = String, Path, description = "The language of the variant"),
        ("If-Match" = String, Header, description = "`\"<version>\"` of the shift, or `*`"),
    ),
    responses(
        (status = 204, description = "Removed", headers(("ETag" = String, description = "The shift's new version"))),
        (status = 403, description = "Not staff of the shift's centre with the role coordinator, or an API key of another operator or without `shifts:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No shift has this id, or it has no variant in this language (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The shift changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A malformed tag (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/shifts/{id}/translations/{tag}")]
pub async fn delete_shift_translation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, raw_tag) = path.into_inner();
    let tag = LanguageTag::parse(&raw_tag)
        .map_err(|e| ApiError::validation("path.tag", &e.to_string()))?;
    let mut conn = state.conn().await?;
    changeable(&mut conn, &caller, id).await?;
    delete_variant(&state, &mut conn, TextOwner::Shift, id, &if_match, &tag).await
}
