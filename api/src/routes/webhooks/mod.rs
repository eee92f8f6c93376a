//! An operator's webhook subscriptions: `/operators/{id}/webhooks`, with a delivery log and
//! a test ping. Operator admins of the operator, administrators, and the operator's API keys
//! with the scope `webhooks:manage`.
//!
//! Deliveries follow the Standard Webhooks scheme: a JSON body `{type, timestamp, data}` with
//! the headers `webhook-id` (the same for every retry of one event), `webhook-timestamp` and
//! `webhook-signature` (`v1,` + base64 of HMAC-SHA256 over `id.timestamp.body`, keyed with the
//! subscription's secret).
//!
//! One file per endpoint; here what they share: the subscription and delivery as clients
//! see them, the event types, checking the fields of a subscription, and finding one for
//! those who manage the operator's webhooks.

pub mod create;
pub mod delete;
pub mod deliveries;
pub mod get;
pub mod list;
pub mod ping;
pub mod update;

use chrono::{DateTime, Utc};
use quartier_domain::integration::{PING_EVENT, Scope};
use quartier_domain::{EventSubject, EventType, StaffRole};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::webhooks::{self, AttemptRow, DeliveryRow, SubscriptionRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::authz::require_operator;
use crate::error::ApiError;
use crate::state::AppState;
use crate::webhooks::client::check_url;

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

/// The type of an event: those a subscription can ask for, and `webhook.ping`, the test
/// delivery `POST …/ping` sends (never subscribed to).
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
    #[serde(rename = "signup.promotion_skipped")]
    SignupPromotionSkipped,
    #[serde(rename = "concern.submitted")]
    ConcernSubmitted,
    #[serde(rename = "concern.published")]
    ConcernPublished,
    #[serde(rename = "concern.status_changed")]
    ConcernStatusChanged,
    #[serde(rename = "concern.answered")]
    ConcernAnswered,
    #[serde(rename = "concern.outcome_linked")]
    ConcernOutcomeLinked,
    #[serde(rename = "concern.outcome_unlinked")]
    ConcernOutcomeUnlinked,
    #[serde(rename = "partner.created")]
    PartnerCreated,
    #[serde(rename = "partner.changed")]
    PartnerChanged,
    #[serde(rename = "network_membership.changed")]
    NetworkMembershipChanged,
    #[serde(rename = "room_booking.requested")]
    RoomBookingRequested,
    #[serde(rename = "room_booking.confirmed")]
    RoomBookingConfirmed,
    #[serde(rename = "room_booking.declined")]
    RoomBookingDeclined,
    #[serde(rename = "room_booking.cancelled")]
    RoomBookingCancelled,
    #[serde(rename = "standing_signup.created")]
    StandingSignupCreated,
    #[serde(rename = "standing_signup.changed")]
    StandingSignupChanged,
    #[serde(rename = "standing_signup.ended")]
    StandingSignupEnded,
    #[serde(rename = "fund_application.submitted")]
    FundApplicationSubmitted,
    #[serde(rename = "fund_application.prechecked")]
    FundApplicationPrechecked,
    #[serde(rename = "fund_application.approved")]
    FundApplicationApproved,
    #[serde(rename = "fund_application.declined")]
    FundApplicationDeclined,
    #[serde(rename = "fund_application.reported")]
    FundApplicationReported,
    #[serde(rename = "fund_application.settled")]
    FundApplicationSettled,
    #[serde(rename = "fund_application.withdrawn")]
    FundApplicationWithdrawn,
    #[serde(rename = "help_request.created")]
    HelpRequestCreated,
    #[serde(rename = "help_request.matched")]
    HelpRequestMatched,
    #[serde(rename = "help_request.reopened")]
    HelpRequestReopened,
    #[serde(rename = "help_request.done")]
    HelpRequestDone,
    #[serde(rename = "help_request.expired")]
    HelpRequestExpired,
    #[serde(rename = "help_request.withdrawn")]
    HelpRequestWithdrawn,
    #[serde(rename = "webhook.ping")]
    WebhookPing,
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
            EventType::SignupPromotionSkipped => EventTypeBody::SignupPromotionSkipped,
            EventType::ConcernSubmitted => EventTypeBody::ConcernSubmitted,
            EventType::ConcernPublished => EventTypeBody::ConcernPublished,
            EventType::ConcernStatusChanged => EventTypeBody::ConcernStatusChanged,
            EventType::ConcernAnswered => EventTypeBody::ConcernAnswered,
            EventType::ConcernOutcomeLinked => EventTypeBody::ConcernOutcomeLinked,
            EventType::ConcernOutcomeUnlinked => EventTypeBody::ConcernOutcomeUnlinked,
            EventType::PartnerCreated => EventTypeBody::PartnerCreated,
            EventType::PartnerChanged => EventTypeBody::PartnerChanged,
            EventType::NetworkMembershipChanged => EventTypeBody::NetworkMembershipChanged,
            EventType::RoomBookingRequested => EventTypeBody::RoomBookingRequested,
            EventType::RoomBookingConfirmed => EventTypeBody::RoomBookingConfirmed,
            EventType::RoomBookingDeclined => EventTypeBody::RoomBookingDeclined,
            EventType::RoomBookingCancelled => EventTypeBody::RoomBookingCancelled,
            EventType::StandingSignupCreated => EventTypeBody::StandingSignupCreated,
            EventType::StandingSignupChanged => EventTypeBody::StandingSignupChanged,
            EventType::StandingSignupEnded => EventTypeBody::StandingSignupEnded,
            EventType::FundApplicationSubmitted => EventTypeBody::FundApplicationSubmitted,
            EventType::FundApplicationPrechecked => EventTypeBody::FundApplicationPrechecked,
            EventType::FundApplicationApproved => EventTypeBody::FundApplicationApproved,
            EventType::FundApplicationDeclined => EventTypeBody::FundApplicationDeclined,
            EventType::FundApplicationReported => EventTypeBody::FundApplicationReported,
            EventType::FundApplicationSettled => EventTypeBody::FundApplicationSettled,
            EventType::FundApplicationWithdrawn => EventTypeBody::FundApplicationWithdrawn,
            EventType::HelpRequestCreated => EventTypeBody::HelpRequestCreated,
            EventType::HelpRequestMatched => EventTypeBody::HelpRequestMatched,
            EventType::HelpRequestReopened => EventTypeBody::HelpRequestReopened,
            EventType::HelpRequestDone => EventTypeBody::HelpRequestDone,
            EventType::HelpRequestExpired => EventTypeBody::HelpRequestExpired,
            EventType::HelpRequestWithdrawn => EventTypeBody::HelpRequestWithdrawn,
        }
    }
}

impl EventTypeBody {
    /// The event of the outbox it names; `None` for the test ping.
    fn event_type(self) -> Option<EventType> {
        EventType::ALL
            .into_iter()
            .find(|kind| EventTypeBody::from(*kind) == self)
    }

    fn as_str(self) -> &'static str {
        self.event_type().map_or(PING_EVENT, EventType::as_str)
    }
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
    pub event_type: EventTypeBody,
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
            event_type: crate::names::stored(&row.event_type, EventTypeBody::WebhookPing),
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
        Some(list) if list.contains(&EventTypeBody::WebhookPing) => {
            return Err(ApiError::validation(
                "events",
                "cannot name webhook.ping: POST …/ping sends it on request",
            ));
        }
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

/// The event types `caller` may subscribe to of `events`: concern events tell of concerns,
/// unpublished ones too, so an API key needs `concerns:write` for them. Left out by default
/// (`defaulted`), refused when named.
fn events_for(
    caller: &Caller,
    events: Vec<String>,
    defaulted: bool,
) -> Result<Vec<String>, ApiError> {
    let Caller::Key(key) = caller else {
        return Ok(events);
    };
    if key.scopes.contains(&Scope::ConcernsWrite) {
        return Ok(events);
    }
    let about_concerns = |event: &String| {
        EventType::parse(event).is_some_and(|e| e.subject() == EventSubject::Concern)
    };
    if !defaulted && events.iter().any(about_concerns) {
        return Err(ApiError::Forbidden(format!(
            "This API key lacks the scope {}.",
            Scope::ConcernsWrite.as_str()
        )));
    }
    Ok(events.into_iter().filter(|e| !about_concerns(e)).collect())
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
