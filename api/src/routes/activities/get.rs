use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use super::{ActivityResponse, viewer, visible};
use crate::auth::MaybeCaller;
use crate::error::{ApiError, Problem};
use crate::extract::IfNoneMatch;
use crate::languages::{LanguageQuery, Reading, one_in_language};
use crate::state::AppState;

/// One activity, its texts in the reader's language. Public when published; staff of its
/// operator also see its other states, and may ask for every variant (`all_languages=true`).
#[utoipa::path(
    tag = "activities",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The activity's id"),
        LanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `de-x-ls, de;q=0.5`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag the client holds"),
    ),
    responses(
        (status = 200, description = "The activity", body = ActivityResponse, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "The client's copy, in this language, is current", headers(("ETag" = String))),
        (status = 403, description = "`all_languages` asked for by someone who is not staff of the activity's operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No activity has this id, or it is not published (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "The language parameters do not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`lang` is not a language tag, such as `de-LS` (Lesotho's German; Leichte Sprache is `de-x-ls`) (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/activities/{id}")]
pub async fn get_activity(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let viewer = viewer(&mut conn, caller.as_ref()).await?;
    let view = quartier_persistence::activities::find(&mut conn, *id)
        .await?
        .filter(|view| visible(&viewer, view))
        .ok_or_else(|| ApiError::NotFound("No activity has this id.".into()))?;
    let is_staff = viewer.admin || viewer.operators.contains(&view.operator_id);
    let version = view.activity.version;
    one_in_language(
        &mut conn,
        &state,
        &reading,
        ActivityResponse::from(view),
        version,
        is_staff,
        &if_none_match,
    )
    .await
}
