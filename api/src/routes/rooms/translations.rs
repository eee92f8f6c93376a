//! `PUT` and `DELETE /rooms/{id}/translations/{tag}`: a room's name and description in
//! another language than German.

use actix_web::{HttpResponse, delete, put, web};
use quartier_domain::StaffRole;
use quartier_domain::integration::Scope;
use quartier_domain::language::LanguageTag;
use quartier_domain::translation::{TextField, TextOwner};
use quartier_persistence::translations::NewVariant;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::existing;
use crate::auth::Caller;
use crate::authz::require_centre;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json};
use crate::languages::{
    OriginBody, TranslationResponse, check_texts, delete_variant, put_variant, variant_language,
};
use crate::state::AppState;

/// A room's texts in one language; fields left out fall back to German.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoomTranslationRequest {
    pub origin: OriginBody,
    /// Someone checked the texts: machine drafts and Leichte Sprache are public only then.
    #[serde(default)]
    pub reviewed: bool,
    pub texts: RoomTexts,
}

/// The translatable texts of a room.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoomTexts {
    #[schema(example = "Big hall", max_length = 200)]
    pub name: Option<String>,
    #[schema(max_length = 4000)]
    pub description: Option<String>,
}

/// Staff of the room's centre (or the operator's system with `rooms:write`) keep its texts;
/// `Some` person when one does.
async fn keeper(
    conn: &mut quartier_persistence::AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<Option<Uuid>, ApiError> {
    let room = existing(conn, id).await?;
    require_centre(
        conn,
        caller,
        room.centre_id,
        StaffRole::Coordinator,
        Scope::RoomsWrite,
    )
    .await?;
    Ok(caller.user().map(|user| user.id))
}

/// Write a room's texts in one language (replacing what it had in it). Staff of its centre,
/// or the operator's system with `rooms:write`; needs `If-Match` with the room's `ETag`, and
/// changes its version.
#[utoipa::path(
    tag = "rooms",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The room's id"),
        ("tag" = String, Path, description = "An enabled content language other than German, such as `en` or `de-x-ls`"),
        ("If-Match" = String, Header, description = "The room's ETag, or `*`"),
    ),
    request_body = RoomTranslationRequest,
    responses(
        (status = 200, description = "The variant as stored", body = TranslationResponse, headers(("ETag" = String, description = "The room's new ETag"))),
        (status = 403, description = "Not staff of the room's centre, or an API key of another operator or without the scope `rooms:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No room has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The room changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A tag that is German, malformed (`de-LS` is Lesotho's German; Leichte Sprache is `de-x-ls`) or not enabled, or texts out of bounds (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/rooms/{id}/translations/{tag}")]
pub async fn put_room_translation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    Json(body): Json<RoomTranslationRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, raw_tag) = path.into_inner();
    let tag = variant_language(&state, &raw_tag)?;
    let texts = check_texts(
        TextOwner::Room,
        &[
            (TextField::Name, body.texts.name.as_deref()),
            (TextField::Description, body.texts.description.as_deref()),
        ],
    )?;
    let mut conn = state.conn().await?;
    let written_by = keeper(&mut conn, &caller, id).await?;
    let variant = NewVariant {
        tag: &tag,
        origin: body.origin.into(),
        reviewed: body.reviewed,
        texts: &texts,
        written_by,
    };
    put_variant(&state, &mut conn, TextOwner::Room, id, &if_match, &variant).await
}

/// Remove a room's texts in one language: readers get German again. Staff of its centre, or
/// the operator's system with `rooms:write`; needs `If-Match`, and changes its version.
#[utoipa::path(
    tag = "rooms",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The room's id"),
        ("tag" = String, Path, description = "The language of the variant"),
        ("If-Match" = String, Header, description = "The room's ETag, or `*`"),
    ),
    responses(
        (status = 204, description = "Removed", headers(("ETag" = String, description = "The room's new ETag"))),
        (status = 403, description = "Not staff of the room's centre, or an API key of another operator or without the scope `rooms:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No room has this id, or it has no variant in this language (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The room changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A malformed tag (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/rooms/{id}/translations/{tag}")]
pub async fn delete_room_translation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, raw_tag) = path.into_inner();
    let tag = LanguageTag::parse(&raw_tag)
        .map_err(|e| ApiError::validation("path.tag", &e.to_string()))?;
    let mut conn = state.conn().await?;
    keeper(&mut conn, &caller, id).await?;
    delete_variant(&state, &mut conn, TextOwner::Room, id, &if_match, &tag).await
}
