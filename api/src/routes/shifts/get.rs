//! `GET /shifts/{id}`: one shift, for anyone who may see it.

use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use super::{ShiftResponse, visible_shift};
use crate::auth::MaybeCaller;
use crate::error::{ApiError, Problem};
use crate::extract::IfNoneMatch;
use crate::languages::{LanguageQuery, Reading, localize};
use crate::state::AppState;

/// One shift: times, task, centre, places, waitlist length, its texts in the reader's
/// language. Public; never names. Staff of its operator may ask for every variant
/// (`all_languages=true`).
#[utoipa::path(
    tag = "shifts",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The shift's id"),
        LanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag the client holds"),
    ),
    responses(
        (status = 200, description = "The shift", body = ShiftResponse, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "The client's copy, in this language, is current", headers(("ETag" = String))),
        (status = 400, description = "The language parameters do not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`all_languages` asked for by someone who is not staff of the shift's operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`lang` is not a language tag (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No shift has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/shifts/{id}")]
pub async fn get_shift(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let view = visible_shift(&mut conn, caller.as_ref(), *id).await?;
    if reading.all_languages {
        let viewer = crate::routes::activities::viewer(&mut conn, caller.as_ref()).await?;
        if !(viewer.admin || viewer.operators.contains(&view.shift.operator_id)) {
            return Err(ApiError::Forbidden(
                "Every variant is shown to staff of the operator only.".into(),
            ));
        }
    }
    let mut shift = [ShiftResponse::from(view)];
    let served = localize(
        &mut conn,
        &state.content_languages,
        &reading,
        &mut shift,
        reading.all_languages,
    )
    .await?;
    // Places change without the shift's version changing: the tag is made from the body.
    let mut response = crate::extract::json_with_body_etag(&if_none_match, &shift[0])?;
    served.mark(&mut response);
    Ok(response)
}
