//! Messages of a match: before both sides said yes (and after), helper and requester write to
//! each other through Quartier. A message reaches the other side as a notification (and
//! mail), never with either's contact; the centre's staff read them and write for someone
//! they recorded.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use quartier_domain::help::{MESSAGE_MAX, MessageSender};
use quartier_domain::validation::bounded_multiline_text;
use quartier_persistence::help::{self as store, MessageRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::matches::readable;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;

body_enum!(
    /// Who wrote a message: the match's `helper`, its `requester`, or the centre's `staff`
    /// for someone they recorded.
    MessageSenderBody => MessageSender { Helper, Requester, Staff }
);

/// A message of a match.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpMessageResponse {
    pub id: Uuid,
    pub match_id: Uuid,
    pub sender: MessageSenderBody,
    #[schema(example = "Passt Ihnen Dienstag um 10 Uhr?")]
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<MessageRow> for HelpMessageResponse {
    fn from(row: MessageRow) -> Self {
        Self {
            sender: row.sender().into(),
            id: row.id,
            match_id: row.match_id,
            body: row.body,
            created_at: row.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendHelpMessageRequest {
    /// 1 to 1000 characters; line breaks allowed. Not checked for contact details: whoever
    /// writes hers gives it.
    #[schema(min_length = 1, max_length = 1000)]
    pub body: String,
}

/// Write to the other side of a match: the helper to the requester, the requester (or the
/// centre's staff for someone they recorded) to the helper, until the match is over. The
/// other side hears of it by notification and mail.
#[utoipa::path(
    tag = "help",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The match's id")),
    request_body = SendHelpMessageRequest,
    responses(
        (status = 201, description = "The message", body = HelpMessageResponse),
        (status = 400, description = "The id is not a UUID, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The centre's staff writing for a requester they did not record (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No match has this id, or it is not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The match is over (`help-step-not-allowed`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An empty or too long message (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/help-matches/{id}/messages")]
pub async fn send_help_message(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(body): Json<SendHelpMessageRequest>,
) -> Result<HttpResponse, ApiError> {
    let text = checked_body(&body.body)?;
    let mut conn = state.conn().await?;
    let (row, request, standing) = readable(&mut conn, &caller, *id).await?;
    let sender = if standing.helper_of == Some(row.id) {
        MessageSender::Helper
    } else if standing.requester {
        MessageSender::Requester
    } else if standing.staff && request.recorded {
        MessageSender::Staff
    } else {
        return Err(ApiError::Forbidden(
            "The centre's staff write for someone they recorded; a resident with an account writes herself."
                .into(),
        ));
    };
    let sent_by = caller.user().map(|u| u.id);
    let message = store::send_message(
        &mut conn,
        &row,
        &request,
        sender,
        sent_by,
        &text,
        Utc::now(),
    )
    .await?
    .ok_or_else(match_over)?;
    Ok(HttpResponse::Created().json(HelpMessageResponse::from(message)))
}

/// A message's text, checked: 1 to 1000 characters, not only white space.
pub(crate) fn checked_body(raw: &str) -> Result<String, ApiError> {
    let text = bounded_multiline_text(raw, "body", MESSAGE_MAX)?;
    if text.trim().is_empty() {
        return Err(ApiError::validation("body", "must not be empty"));
    }
    Ok(text)
}

/// The refusal of a message on a match that is over.
pub(crate) fn match_over() -> ApiError {
    ApiError::Conflict {
        slug: "help-step-not-allowed",
        detail: "This match is over: its sides write to each other no more.".into(),
    }
}

/// The messages of a match, oldest first: for its helper, its requester and the centre's
/// staff.
#[utoipa::path(
    tag = "help",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The match's id")),
    responses(
        (status = 200, description = "The messages", body = Vec<HelpMessageResponse>),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No match has this id, or it is not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/help-matches/{id}/messages")]
pub async fn list_help_messages(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let (row, _, _) = readable(&mut conn, &caller, *id).await?;
    let messages: Vec<HelpMessageResponse> = store::messages_of(&mut conn, row.id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok().json(messages))
}
