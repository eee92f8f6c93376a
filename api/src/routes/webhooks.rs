//! An operator's webhook subscriptions: `/operators/{id}/webhooks`, with a delivery log and
//! a test ping. Operator admins of the operator, administrators, and the operator's API keys
//! with the scope `webhooks:manage`.
//!
//! Deliveries follow the Standard Webhooks scheme: a JSON body `{type, timestamp, data}` with
//! the headers `webhook-id` (the same for every retry of one event), `webhook-timestamp` and
//! `webhook-signature` (`v1,` + base64 of HMAC-SHA256 over `id.timestamp.body`, keyed with the
//! subscription's secret).

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use quartier_domain::EventType;
use quartier_domain::StaffRole;
use quartier_domain::integration::{PING_EVENT, Scope};
use quartier_persistence::webhooks::{
    self, AttemptRow, DeliveryRow, DueDelivery, MAX_SUBSCRIPTIONS, NewSubscription,
    SubscriptionChanges, SubscriptionRow,
};
use quartier_persistence::{AsyncPgConnection, Refusal};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Caller;
use crate::authz::require_operator;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, etag};
use crate::pagination::{self, Page};
use crate::state::AppState;
use crate::webhooks::client::check_url;
use crate::webhooks::signature::WebhookSecret;
use crate::webhooks::worker::record;

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookResponse {
    pub id: Uuid,
    pub operator_id: Uuid,
    #[schema(example = "https://dienstplan.example.org/hooks/quartier")]
    pub url: String,
    pub description: String,
    /// The event types delivered.
    #[schema(example = json!(["signup.confirmed", "signup.cancelled", "shift.filled"]))]
    pub events: Vec<EventTypeBody>,
    pub active: bool,
    /// Why it is switched off: by its operator, or automatically after failing too long.
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    /// Since when every delivery attempt has failed; null while they succeed.
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<SubscriptionRow> for WebhookResponse {
    fn from(row: SubscriptionRow) -> Self {
        Self {
            id: row.id,
            operator_id: row.operator_id,
            url: row.url,
            description: row.description,
            events: row
                .events
                .iter()
                .filter_map(|name| EventType::parse(name))
                .map(EventTypeBody::from)
                .collect(),
            active: row.active,
            disabled_reason: row.disabled_reason,
            disabled_at: row.disabled_at,
            failing_since: row.failing_since,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhookResponse {
    #[serde(flatten)]
    pub webhook: WebhookResponse,
    /// The signing secret (`whsec_` + base64 of the key). Shown this once: store it to
    /// verify `webhook-signature`.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    /// Oldest first.
    pub items: Vec<WebhookResponse>,
}

/// An event type a subscription can ask for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub enum EventTypeBody {
    #[serde(rename = "shift.created")]
    ShiftCreated,
    #[serde(rename = "shift.changed")]
    ShiftChanged,
    #[serde(rename = "shift.cancelled")]
    ShiftCancelled,
    #[serde(rename = "shift.filled")]
    ShiftFilled,
    #[serde(rename = "signup.confirmed")]
    SignupConfirmed,
    #[serde(rename = "signup.waitlisted")]
    SignupWaitlisted,
    #[serde(rename = "signup.promoted")]
    SignupPromoted,
    #[serde(rename = "signup.cancelled")]
    SignupCancelled,
    #[serde(rename = "signup.checked_in")]
    SignupCheckedIn,
    #[serde(rename = "signup.attended")]
    SignupAttended,
    #[serde(rename = "signup.no_show")]
    SignupNoShow,
}

impl From<EventTypeBody> for EventType {
    fn from(body: EventTypeBody) -> Self {
        match body {
            EventTypeBody::ShiftCreated => EventType::ShiftCreated,
            EventTypeBody::ShiftChanged => EventType::ShiftChanged,
            EventTypeBody::ShiftCancelled => EventType::ShiftCancelled,
            EventTypeBody::ShiftFilled => EventType::ShiftFilled,
            EventTypeBody::SignupConfirmed => EventType::SignupConfirmed,
            EventTypeBody::SignupWaitlisted => EventType::SignupWaitlisted,
            EventTypeBody::SignupPromoted => EventType::SignupPromoted,
            EventTypeBody::SignupCancelled => EventType::SignupCancelled,
            EventTypeBody::SignupCheckedIn => EventType::SignupCheckedIn,
            EventTypeBody::SignupAttended => EventType::SignupAttended,
            EventTypeBody::SignupNoShow => EventType::SignupNoShow,
        }
    }
}

impl From<EventType> for EventTypeBody {
    fn from(kind: EventType) -> Self {
        match kind {
            EventType::ShiftCreated => EventTypeBody::ShiftCreated,
            EventType::ShiftChanged => EventTypeBody::ShiftChanged,
            EventType::ShiftCancelled => EventTypeBody::ShiftCancelled,
            EventType::ShiftFilled => EventTypeBody::ShiftFilled,
            EventType::SignupConfirmed => EventTypeBody::SignupConfirmed,
            EventType::SignupWaitlisted => EventTypeBody::SignupWaitlisted,
            EventType::SignupPromoted => EventTypeBody::SignupPromoted,
            EventType::SignupCancelled => EventTypeBody::SignupCancelled,
            EventType::SignupCheckedIn => EventTypeBody::SignupCheckedIn,
            EventType::SignupAttended => EventTypeBody::SignupAttended,
            EventType::SignupNoShow => EventTypeBody::SignupNoShow,
        }
    }
}

impl EventTypeBody {
    fn as_str(self) -> &'static str {
        EventType::from(self).as_str()
    }
}

/// A URL that may receive webhooks, as it will be stored (normalised, at most 2000
/// characters).
fn checked_url(state: &AppState, raw: &str) -> Result<reqwest::Url, ApiError> {
    let url = check_url(raw.trim(), &state.deliverer.policy())
        .map_err(|refusal| ApiError::validation("url", &refusal.to_string()))?;
    if url.as_str().len() > 2000 {
        return Err(ApiError::validation(
            "url",
            "is longer than 2000 characters once encoded",
        ));
    }
    Ok(url)
}

/// The event types named, sorted; every type when `None`.
fn event_types(requested: Option<&[EventTypeBody]>) -> Result<Vec<String>, ApiError> {
    let mut events: Vec<String> = match requested {
        None => EventType::ALL
            .iter()
            .map(|e| e.as_str().to_owned())
            .collect(),
        Some(list) => list.iter().map(|e| e.as_str().to_owned()).collect(),
    };
    events.sort();
    events.dedup();
    if events.is_empty() {
        return Err(ApiError::validation(
            "events",
            "must name at least one event type",
        ));
    }
    Ok(events)
}

fn text(raw: &str, field: &str, max: usize) -> Result<String, ApiError> {
    let value = raw.trim();
    if value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(ApiError::validation(
            field,
            &format!("must be at most {max} characters without control characters"),
        ));
    }
    Ok(value.to_owned())
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
    #[schema(min_items = 1, max_items = 11)]
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
        (status = 403, description = "Not an administrator or operator admin of this operator, or an API key of another operator or without the scope `webhooks:manage` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
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
    let url = checked_url(&state, &body.url)?;
    let events = event_types(body.events.as_deref())?;
    let description = text(
        body.description.as_deref().unwrap_or_default(),
        "description",
        500,
    )?;
    if webhooks::count_of_operator(&mut conn, *id).await? >= MAX_SUBSCRIPTIONS {
        return Err(ApiError::validation(
            "url",
            "this operator has 20 subscriptions already: delete one first",
        ));
    }
    let secret = WebhookSecret::generate().to_string();
    let row = webhooks::create(
        &mut conn,
        &NewSubscription {
            id: Uuid::now_v7(),
            operator_id: *id,
            url: url.as_str(),
            description: &description,
            events: &events,
            secret: &secret,
        },
    )
    .await?;
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

/// The operator's subscriptions, without their secrets.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The operator's id")),
    responses(
        (status = 200, description = "Every subscription of the operator", body = WebhookList),
        (status = 403, description = "Not an administrator or operator admin of this operator, or an API key of another operator or without the scope `webhooks:manage` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/operators/{id}/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    may_manage(&mut conn, &caller, *id).await?;
    let items = webhooks::of_operator(&mut conn, *id)
        .await?
        .into_iter()
        .map(WebhookResponse::from)
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(WebhookList { items }))
}

/// Ok for those who manage the operator's webhooks: its operator admins, administrators,
/// and its keys with `webhooks:manage`.
async fn may_manage(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    operator_id: Uuid,
) -> Result<(), ApiError> {
    require_operator(
        conn,
        caller,
        operator_id,
        StaffRole::OperatorAdmin,
        Scope::WebhooksManage,
    )
    .await
}

/// The subscription `webhook_id` of the operator, for those who manage its webhooks.
async fn subscription_of(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    operator_id: Uuid,
    webhook_id: Uuid,
) -> Result<SubscriptionRow, ApiError> {
    may_manage(conn, caller, operator_id).await?;
    webhooks::find(conn, webhook_id)
        .await?
        .filter(|row| row.operator_id == operator_id)
        .ok_or_else(not_found)
}

fn not_found() -> ApiError {
    ApiError::NotFound("This operator has no webhook subscription with this id.".into())
}

/// One subscription, without its secret.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("webhook_id" = Uuid, Path, description = "The subscription's id"),
    ),
    responses(
        (status = 200, description = "The subscription", body = WebhookResponse, headers(("ETag" = String))),
        (status = 403, description = "Not an administrator or operator admin of this operator, or an API key of another operator or without the scope `webhooks:manage` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator, or it has no subscription with this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/operators/{id}/webhooks/{webhook_id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, webhook_id) = path.into_inner();
    let mut conn = state.conn().await?;
    let row = subscription_of(&mut conn, &caller, operator_id, webhook_id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.version)))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(WebhookResponse::from(row)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookRequest {
    #[schema(min_length = 1, max_length = 2000)]
    pub url: Option<String>,
    #[schema(min_items = 1, max_items = 11)]
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
        (status = 403, description = "Not an administrator or operator admin of this operator, or an API key of another operator or without the scope `webhooks:manage` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
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
    let url = match &body.url {
        Some(raw) => Some(checked_url(&state, raw)?.to_string()),
        None => None,
    };
    let events = match &body.events {
        Some(list) => Some(event_types(Some(list))?),
        None => None,
    };
    let description = match &body.description {
        Some(raw) => Some(text(raw, "description", 500)?),
        None => None,
    };
    let versions = if_match.versions()?;
    let changes = SubscriptionChanges {
        url: url.as_deref(),
        description: description.as_deref(),
        events: events.as_deref(),
        active: body.active,
        disabled_reason: Some("Switched off by the operator."),
    };
    let row = webhooks::update(&mut conn, webhook_id, versions, &changes)
        .await?
        .map_err(|refusal| match refusal {
            Refusal::VersionConflict => ApiError::VersionConflict,
            _ => not_found(),
        })?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.version)))
        .json(WebhookResponse::from(row)))
}

/// Delete a subscription with its delivery log; nothing more is sent to it.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("webhook_id" = Uuid, Path, description = "The subscription's id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not an administrator or operator admin of this operator, or an API key of another operator or without the scope `webhooks:manage` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator, or it has no subscription with this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/operators/{id}/webhooks/{webhook_id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, webhook_id) = path.into_inner();
    let mut conn = state.conn().await?;
    subscription_of(&mut conn, &caller, operator_id, webhook_id).await?;
    webhooks::delete(&mut conn, webhook_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptResponse {
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status; null when no answer came.
    pub status: Option<i32>,
    /// Why it failed; null on success.
    #[schema(example = "HTTP 500")]
    pub error: Option<String>,
    pub duration_ms: i32,
    /// The start of the receiver's answer, at most 4 KiB.
    pub response_excerpt: Option<String>,
}

impl From<AttemptRow> for AttemptResponse {
    fn from(row: AttemptRow) -> Self {
        Self {
            attempted_at: row.attempted_at,
            status: row.status,
            error: row.error,
            duration_ms: row.duration_ms,
            response_excerpt: row.response_excerpt,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    pub id: Uuid,
    /// The `webhook-id` header: the same for every attempt, so receivers can drop repeats.
    #[schema(example = "msg_0193a1b2c3d4e5f6a7b8c9d0e1f2a3b4")]
    pub webhook_id: String,
    #[schema(example = "signup.confirmed")]
    pub event_type: String,
    /// The JSON body sent.
    pub body: serde_json::Value,
    pub status: DeliveryStatusBody,
    pub attempts: i32,
    /// When the next attempt is due, while `pending`.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Every attempt, oldest first.
    pub attempt_log: Vec<AttemptResponse>,
}

impl DeliveryResponse {
    fn new(row: DeliveryRow, attempts: Vec<AttemptRow>) -> Self {
        Self {
            webhook_id: format!("msg_{}", row.event_id.simple()),
            id: row.id,
            event_type: row.event_type,
            body: serde_json::from_str(&row.body).unwrap_or(serde_json::Value::Null),
            next_attempt_at: (row.status == "pending").then_some(row.next_attempt_at),
            status: DeliveryStatusBody::parse(&row.status),
            attempts: row.attempts,
            delivered_at: row.delivered_at,
            created_at: row.created_at,
            attempt_log: attempts.into_iter().map(AttemptResponse::from).collect(),
        }
    }
}

/// Where a delivery stands: `pending` (waiting for its next attempt), `delivered` or
/// `failed` (gave up).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatusBody {
    Pending,
    Delivered,
    Failed,
}

impl DeliveryStatusBody {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatusBody::Pending => "pending",
            DeliveryStatusBody::Delivered => "delivered",
            DeliveryStatusBody::Failed => "failed",
        }
    }

    /// The stored name (a CHECK constraint allows only these three); anything else reads as
    /// `failed`, the state that asks for attention.
    fn parse(raw: &str) -> Self {
        [Self::Pending, Self::Delivered]
            .into_iter()
            .find(|status| status.as_str() == raw)
            .unwrap_or(Self::Failed)
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    pub status: Option<DeliveryStatusBody>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 2048)]
    pub cursor: Option<String>,
}

/// The subscription's delivery log, newest first, with every attempt.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("webhook_id" = Uuid, Path, description = "The subscription's id"),
        DeliveryQuery,
    ),
    responses(
        (status = 200, description = "One page of deliveries", body = Page<DeliveryResponse>),
        (status = 403, description = "Not an administrator or operator admin of this operator, or an API key of another operator or without the scope `webhooks:manage` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator, or it has no subscription with this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` out of range or an unknown `cursor` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/operators/{id}/webhooks/{webhook_id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, webhook_id) = path.into_inner();
    let limit = pagination::limit(query.limit)?;
    let before: Option<(DateTime<Utc>, Uuid)> = pagination::decode_cursor(query.cursor.as_deref())?;
    let status = query.status.map(DeliveryStatusBody::as_str);
    let mut conn = state.conn().await?;
    subscription_of(&mut conn, &caller, operator_id, webhook_id).await?;
    let rows =
        webhooks::deliveries(&mut conn, webhook_id, status, before, i64::from(limit) + 1).await?;
    let page = pagination::page(
        rows,
        limit,
        |(row, _)| (row.created_at, row.id),
        |(row, attempts)| DeliveryResponse::new(row, attempts),
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(page))
}

/// Send a `webhook.ping` event to the subscription now, whether it is active or not, and
/// answer with how it went. It shows in the delivery log but is not retried and does not
/// count towards switching the subscription off.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("webhook_id" = Uuid, Path, description = "The subscription's id"),
    ),
    responses(
        (status = 200, description = "The attempt was made: see `status` and `attempt_log`", body = DeliveryResponse),
        (status = 403, description = "Not an administrator or operator admin of this operator, or an API key of another operator or without the scope `webhooks:manage` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator, or it has no subscription with this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/operators/{id}/webhooks/{webhook_id}/ping")]
pub async fn ping_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, webhook_id) = path.into_inner();
    let mut conn = state.conn().await?;
    let subscription = subscription_of(&mut conn, &caller, operator_id, webhook_id).await?;
    let now = Utc::now();
    let body = webhooks::envelope(
        PING_EVENT,
        now,
        &serde_json::json!({"webhook_id": webhook_id, "operator_id": operator_id}).to_string(),
    );
    // Not holding a connection while the receiver thinks.
    drop(conn);
    let id = Uuid::now_v7();
    let due = DueDelivery {
        id,
        event_id: id,
        body,
        attempts: 0,
        url: subscription.url,
        secret: subscription.secret,
        subscription_id: webhook_id,
    };
    let attempt = state.deliverer.attempt(&due).await;
    let mut conn = state.conn().await?;
    webhooks::store_ping(&mut conn, &due, &record(&attempt, now)).await?;
    let (delivery, attempts) = webhooks::delivery(&mut conn, due.id)
        .await?
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok().json(DeliveryResponse::new(delivery, attempts)))
}
