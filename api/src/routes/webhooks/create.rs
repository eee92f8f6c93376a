//! `POST /operators/{id}/webhooks`: subscribing to events; the answer holds the signing
//! secret, once.

use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::webhooks::{self, MAX_SUBSCRIPTIONS, NewSubscription};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    EventTypeBody, WebhookResponse, checked_url, event_types, events_for, may_manage, text,
};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, etag};
use crate::state::AppState;
use crate::webhooks::signature::WebhookSecret;

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhookResponse {
    #[serde(flatten)]
    pub webhook: WebhookResponse,
    /// The signing secret (`whsec_` + base64 of the key). Shown this once: store it to
    /// verify `webhook-signature`.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookRequest {
    /// An `http` or `https` address that answers a POST with 2xx. Private, loopback and
    /// link-local addresses are refused unless the server allows them.
    #[schema(
        example = "https://dienstplan.example.org/hooks/quartier",
        min_length = 1,
        max_length = 2000
    )]
    pub url: String,
    /// Every event type when left out.
    #[schema(min_items = 1, max_items = 35)]
    pub events: Option<Vec<EventTypeBody>>,
    #[schema(max_length = 500, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub description: Option<String>,
}

/// Subscribe to events: each one of the chosen types that concerns this operator is POSTed
/// to `url`, signed, and retried with growing waits for more than a day until it is taken
/// with 2xx. The answer holds the signing secret, once.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The operator's id")),
    request_body = CreateWebhookRequest,
    responses(
        (status = 201, description = "Subscribed; `secret` is shown this once", body = CreatedWebhookResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not an administrator or operator admin of this operator, or an API key of another operator or without the scope `webhooks:manage` (or, for `concern.*` events, `concerns:write`) (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A URL that is not http(s), or points into a private network; or 20 subscriptions already (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/operators/{id}/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(body): Json<CreateWebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    may_manage(&mut conn, &caller, *id).await?;
    let mut checked = Checked::of(&state, &body)?;
    checked.events = events_for(&caller, checked.events, body.events.is_none())?;
    require_room(&mut conn, *id).await?;
    let secret = WebhookSecret::generate().to_string();
    let row = webhooks::create(&mut conn, &checked.new_subscription(*id, &secret)).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, etag(row.version)))
        .insert_header((
            header::LOCATION,
            format!("/api/v1/operators/{}/webhooks/{}", row.operator_id, row.id),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CreatedWebhookResponse {
            webhook: WebhookResponse::from(row),
            secret,
        }))
}

/// The fields of a new subscription, checked.
struct Checked {
    url: reqwest::Url,
    events: Vec<String>,
    description: String,
}

impl Checked {
    fn of(state: &AppState, body: &CreateWebhookRequest) -> Result<Self, ApiError> {
        Ok(Self {
            url: checked_url(state, &body.url)?,
            events: event_types(body.events.as_deref())?,
            description: text(
                body.description.as_deref().unwrap_or_default(),
                "description",
                500,
            )?,
        })
    }

    fn new_subscription<'a>(&'a self, operator_id: Uuid, secret: &'a str) -> NewSubscription<'a> {
        NewSubscription {
            id: Uuid::now_v7(),
            operator_id,
            url: self.url.as_str(),
            description: &self.description,
            events: &self.events,
            secret,
        }
    }
}

/// Ok while the operator has fewer than `MAX_SUBSCRIPTIONS`.
async fn require_room(conn: &mut AsyncPgConnection, operator_id: Uuid) -> Result<(), ApiError> {
    if webhooks::count_of_operator(conn, operator_id).await? >= MAX_SUBSCRIPTIONS {
        return Err(ApiError::validation(
            "url",
            "this operator has 20 subscriptions already: delete one first",
        ));
    }
    Ok(())
}
