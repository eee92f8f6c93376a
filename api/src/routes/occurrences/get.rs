use actix_web::{HttpResponse, get, web};
use quartier_persistence::occurrences;
use uuid::Uuid;

use super::{OccurrenceResponse, visible};
use crate::auth::MaybeCaller;
use crate::error::{ApiError, Problem};
use crate::extract::IfNoneMatch;
use crate::languages::{ListLanguageQuery, Reading, one_in_language};
use crate::routes::activities::viewer;
use crate::state::AppState;

/// One occurrence, its title in the reader's language. Public when its activity is
/// published; staff of the operator also see attendance.
#[utoipa::path(
    tag = "occurrences",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The occurrence's id"),
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `de-x-ls, de;q=0.5`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag the client holds"),
    ),
    responses(
        (status = 200, description = "The occurrence", body = OccurrenceResponse, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "The client's copy, in this language, is current", headers(("ETag" = String))),
        (status = 404, description = "No occurrence has this id, or its activity is not published (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "The language parameters do not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`lang` is not a language tag, such as `de-LS` (Lesotho's German; Leichte Sprache is `de-x-ls`) (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/occurrences/{id}")]
pub async fn get_occurrence(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let viewer = viewer(&mut conn, caller.as_ref()).await?;
    let view = occurrences::find(&mut conn, *id)
        .await?
        .filter(|view| visible(&viewer, view))
        .ok_or_else(|| ApiError::NotFound("No occurrence has this id.".into()))?;
    let version = view.occurrence.version;
    // An occurrence has no variants of its own: `all_languages` shows nothing more.
    let reading = Reading {
        all_languages: false,
        ..reading
    };
    one_in_language(
        &mut conn,
        &state,
        &reading,
        OccurrenceResponse::new(view, &viewer),
        version,
        false,
        &if_none_match,
    )
    .await
}
