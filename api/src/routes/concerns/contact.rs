//! `/concerns/{id}/author-contact`: how those who answer a concern reach the person who raised
//! it, to ask back. Every read is in the audit trail, about the author, who finds it in
//! `/me/audit`.

use actix_web::{HttpResponse, get, web};
use quartier_persistence::audit::NewEntry;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{readable, require_answers};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The author of a concern, as those who answer it reach them.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorContactResponse {
    pub user_id: Uuid,
    pub display_name: String,
    pub email: String,
    /// The language the author reads mail in.
    #[schema(example = "de")]
    pub language: String,
}

/// The contact of a concern's author, for those who answer it (administrators, the answering
/// operator's staff and its keys with `concerns:write`, the staff of the partner it was
/// referred to). Each read is audited about the author, an account or a guest who raised it
/// with her address. 404 when the concern has no author to reach (recorded by staff, or the
/// author was erased).
#[utoipa::path(
    tag = "concerns",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The concern's id")),
    responses(
        (status = 200, description = "The author's contact", body = AuthorContactResponse),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not one of those who answer the concern (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No concern the caller may read has this id, or it has no author to reach: written down by staff, or its author erased (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/concerns/{id}/author-contact")]
pub async fn concern_author_contact(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let view = readable(&mut conn, Some(&caller), *id).await?;
    require_answers(
        &mut conn,
        &caller,
        &view,
        "Only those who answer a concern reach its author.",
    )
    .await?;
    let no_author = || ApiError::NotFound("This concern has no author account to reach.".into());
    let author_id = view.author_id.ok_or_else(no_author)?;
    // An account, or a guest who raised it with her address.
    let author = match quartier_persistence::users::find(&mut conn, author_id).await? {
        Some(account) => AuthorContactResponse {
            user_id: account.id,
            display_name: account.display_name,
            email: account.email,
            language: account.language,
        },
        None => {
            let guest = quartier_persistence::guests::find(&mut conn, author_id)
                .await?
                .ok_or_else(no_author)?;
            AuthorContactResponse {
                user_id: guest.id,
                display_name: guest.display_name,
                email: guest.email.ok_or_else(no_author)?,
                language: guest.language,
            }
        }
    };
    let mut entry = NewEntry::new(
        caller.actor(),
        "concern.author_contact_read",
        "concern",
        view.id,
    )
    .about([author.user_id]);
    if let Some(operator_id) = view.operator_id {
        entry = entry.operator(operator_id);
    }
    entry.record(&mut conn).await?;
    Ok(HttpResponse::Ok().json(author))
}
