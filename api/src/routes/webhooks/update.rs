//! `PATCH /operators/{id}/webhooks/{webhook_id}`: changing a subscription, or switching it
//! off and on, with `If-Match`.

use actix_web::http::header;
use actix_web::{HttpResponse, patch, web};
use quartier_persistence::Refusal;
use quartier_persistence::webhooks::{self, SubscriptionChanges};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    EventTypeBody, WebhookResponse, checked_url, event_types, events_for, not_found,
    subscription_of, text,
};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, etag};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookRequest {
    #[schema(min_length = 1, max_length = 2000)]
    pub url: Option<String>,
    #[schema(min_items = 1, max_items = 35)]
    pub events: Option<Vec<EventTypeBody>>,
    #[schema(max_length = 500, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub description: Option<String>,
    /// `false` switches deliveries off (events meanwhile wait); `true` switches them on
    /// again, also after an automatic switch-off, and clears the failure record.
    pub active: Option<bool>,
}

/// Change a subscription, or switch it off and on. Needs `If-Match`.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("webhook_id" = Uuid, Path, description = "The subscription's id"),
        ("If-Match" = String, Header, description = "The ETag the change is based on, or `*`"),
    ),
    request_body = UpdateWebhookRequest,
    responses(
        (status = 200, description = "The changed subscription", body = WebhookResponse, headers(("ETag" = String))),
        (status = 403, description = "Not an administrator or operator admin of this operator, or an API key of another operator or without the scope `webhooks:manage` (or, for `concern.*` events, `concerns:write`) (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator, or it has no subscription with this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A URL that is not http(s) or points into a private network (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/operators/{id}/webhooks/{webhook_id}")]
pub async fn update_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    Json(body): Json<UpdateWebhookRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, webhook_id) = path.into_inner();
    let mut conn = state.conn().await?;
    subscription_of(&mut conn, &caller, operator_id, webhook_id).await?;
    let mut checked = Checked::of(&state, &body)?;
    checked.events = match checked.events {
        Some(events) => Some(events_for(&caller, events, false)?),
        None => None,
    };
    let versions = if_match.versions()?;
    let row = webhooks::update(&mut conn, webhook_id, versions, &checked.changes(&body))
        .await?
        .map_err(|refusal| match refusal {
            Refusal::VersionConflict => ApiError::VersionConflict,
            _ => not_found(),
        })?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.version)))
        .json(WebhookResponse::from(row)))
}

/// The fields an update names, checked; `None` leaves one as it is.
struct Checked {
    url: Option<String>,
    events: Option<Vec<String>>,
    description: Option<String>,
}

impl Checked {
    fn of(state: &AppState, body: &UpdateWebhookRequest) -> Result<Self, ApiError> {
        Ok(Self {
            url: match &body.url {
                Some(raw) => Some(checked_url(state, raw)?.to_string()),
                None => None,
            },
            events: match &body.events {
                Some(list) => Some(event_types(Some(list))?),
                None => None,
            },
            description: match &body.description {
                Some(raw) => Some(text(raw, "description", 500)?),
                None => None,
            },
        })
    }

    fn changes(&self, body: &UpdateWebhookRequest) -> SubscriptionChanges<'_> {
        SubscriptionChanges {
            url: self.url.as_deref(),
            description: self.description.as_deref(),
            events: self.events.as_deref(),
            active: body.active,
            disabled_reason: Some("Switched off by the operator."),
        }
    }
}
