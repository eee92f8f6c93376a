//! `PUT` and `DELETE /activities/{id}/translations/{tag}`: an activity's texts in another
//! language than German.

use actix_web::{HttpResponse, delete, put, web};
use quartier_domain::StaffRole;
use quartier_domain::integration::Scope;
use quartier_domain::translation::{TextField, TextOwner};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::activities::{self, ActivityView};
use quartier_persistence::translations::NewVariant;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{viewer, visible};
use crate::auth::Caller;
use crate::authz::require_centre;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json};
use crate::languages::{
    OriginBody, TranslationResponse, VariantRequest, check_texts, delete_variant, put_variant,
    variant_language,
};
use crate::state::AppState;

/// An activity's texts in one language; fields left out fall back to German.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityTranslationRequest {
    pub origin: OriginBody,
    /// Someone checked the texts: machine drafts and Leichte Sprache are public only then.
    #[serde(default)]
    pub reviewed: bool,
    pub texts: ActivityTexts,
}

/// The translatable texts of an activity.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityTexts {
    #[schema(example = "Coffee table for neighbours", max_length = 200)]
    pub title: Option<String>,
    #[schema(max_length = 8000)]
    pub description: Option<String>,
    #[schema(max_length = 2000)]
    pub accessibility_notes: Option<String>,
    #[schema(max_length = 500)]
    pub cost_note: Option<String>,
}

impl VariantRequest for ActivityTranslationRequest {
    fn origin(&self) -> OriginBody {
        self.origin
    }

    fn reviewed(&self) -> bool {
        self.reviewed
    }

    fn texts(&self) -> Vec<(TextField, Option<&str>)> {
        let t = &self.texts;
        vec![
            (TextField::Title, t.title.as_deref()),
            (TextField::Description, t.description.as_deref()),
            (
                TextField::AccessibilityNotes,
                t.accessibility_notes.as_deref(),
            ),
            (TextField::CostNote, t.cost_note.as_deref()),
        ]
    }
}

/// The activity `id` when the caller may change it (as for `PATCH /activities/{id}`).
async fn changeable(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<ActivityView, ApiError> {
    let viewer = viewer(conn, Some(caller)).await?;
    let view = activities::find(conn, id)
        .await?
        .filter(|view| visible(&viewer, view))
        .ok_or_else(|| ApiError::NotFound("No activity has this id.".into()))?;
    require_centre(
        conn,
        caller,
        view.activity.centre_id,
        StaffRole::Coordinator,
        Scope::ActivitiesWrite,
    )
    .await?;
    Ok(view)
}

/// Write an activity's texts in one language (replacing what it had in it). Staff who may
/// change the activity; needs `If-Match` with the activity's `ETag`, and changes its version.
#[utoipa::path(
    tag = "activities",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The activity's id"),
        ("tag" = String, Path, description = "An enabled content language other than German, such as `en` or `de-x-ls`"),
        ("If-Match" = String, Header, description = "The activity's ETag, or `*`"),
    ),
    request_body = ActivityTranslationRequest,
    responses(
        (status = 200, description = "The variant as stored", body = TranslationResponse, headers(("ETag" = String, description = "The activity's new ETag"))),
        (status = 403, description = "Not staff of the activity's centre with the role coordinator, or an API key of another operator or without `activities:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No activity has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The activity changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A tag that is German, malformed (`de-LS` is Lesotho's German; Leichte Sprache is `de-x-ls`) or not enabled, or texts out of bounds (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/activities/{id}/translations/{tag}")]
pub async fn put_activity_translation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    Json(body): Json<ActivityTranslationRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, raw_tag) = path.into_inner();
    let tag = variant_language(&state, &raw_tag)?;
    let texts = check_texts(TextOwner::Activity, &body.texts())?;
    let mut conn = state.conn().await?;
    changeable(&mut conn, &caller, id).await?;
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
        TextOwner::Activity,
        id,
        &if_match,
        &variant,
    )
    .await
}

/// Remove an activity's texts in one language: readers get German again. Staff who may
/// change the activity; needs `If-Match`, and changes its version.
#[utoipa::path(
    tag = "activities",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The activity's id"),
        ("tag" = String, Path, description = "The language of the variant"),
        ("If-Match" = String, Header, description = "The activity's ETag, or `*`"),
    ),
    responses(
        (status = 204, description = "Removed", headers(("ETag" = String, description = "The activity's new ETag"))),
        (status = 403, description = "Not staff of the activity's centre with the role coordinator, or an API key of another operator or without `activities:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No activity has this id, or it has no variant in this language (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The activity changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A malformed tag (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/activities/{id}/translations/{tag}")]
pub async fn delete_activity_translation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, raw_tag) = path.into_inner();
    let tag = quartier_domain::language::LanguageTag::parse(&raw_tag)
        .map_err(|e| ApiError::validation("path.tag", &e.to_string()))?;
    let mut conn = state.conn().await?;
    changeable(&mut conn, &caller, id).await?;
    delete_variant(&state, &mut conn, TextOwner::Activity, id, &if_match, &tag).await
}
