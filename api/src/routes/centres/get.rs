use actix_web::{HttpResponse, get, web};
use quartier_persistence::centres;
use uuid::Uuid;

use super::CentreResponse;
use crate::auth::MaybeCaller;
use crate::error::{ApiError, Problem};
use crate::extract::IfNoneMatch;
use crate::languages::{LanguageQuery, Reading, one_in_language};
use crate::routes::activities::viewer;
use crate::state::AppState;

/// One centre, its texts in the reader's language. Public; staff of its operator may ask
/// for every variant (`all_languages=true`).
#[utoipa::path(
    tag = "centres",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The centre's id"),
        LanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `de-x-ls, de;q=0.5`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the copy the client holds"),
    ),
    responses(
        (status = 200, description = "The centre", body = CentreResponse, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "The client's copy, in this language, is current", headers(("ETag" = String))),
        (status = 403, description = "`all_languages` asked for by someone who is not staff of the centre's operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No centre has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "The language parameters do not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`lang` is not a language tag, such as `de-LS` (Lesotho's German; Leichte Sprache is `de-x-ls`) (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/centres/{id}")]
pub async fn get_centre(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let view = centres::find(&mut conn, *id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No centre has this id.".into()))?;
    let viewer = viewer(&mut conn, caller.as_ref()).await?;
    let is_staff = viewer.admin || viewer.operators.contains(&view.centre.operator_id);
    let version = view.centre.version;
    one_in_language(
        &mut conn,
        &state,
        &reading,
        CentreResponse::from(view),
        version,
        is_staff,
        &if_none_match,
    )
    .await
}
