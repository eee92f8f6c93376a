//! `/me/notifications`: what Quartier told the signed-in person (each also by mail), such as
//! that the creator of some of her operator's API keys has left.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use quartier_persistence::notifications::{self, DeliveryState, Kind, NotificationRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// What a notification is about. `api_keys_creator_left`: the account that created some of
/// the operator's API keys left it, stopped being its operator admin, or was erased; the
/// keys (`details.api_key_ids`) still work and are flagged: rotate or revoke them.
/// `email_verification`: a link to verify an address; `email_change_requested`: told to the
/// old address when a change of address was asked for; `password_reset`: a link to choose a
/// new password; `password_changed`: the password was changed or reset. About sign-ups
/// (`details.signup_id`, `shift_id`, `starts_at`, `ends_at`): `signup_confirmed`,
/// `signup_waitlisted`, `signup_promoted`, `signup_cancelled` (`details.reason` as in the
/// sign-up events, or `cancelled_by_staff`), `shift_moved` (also `previous_starts_at`, `previous_ends_at`),
/// `shift_reminder` (optional; `lead_hours`), `shift_message` (`message_id`).
/// `staff_invitation`: an invitation to an operator's staff, mailed to an address alone (it
/// appears in no one's list). `guest_hold`: a sign-up made with the guest form waits for its
/// confirmation (`hold_id`, `shift_id`); `guest_link`: a guest's link to her own sign-ups.
/// Daily digests (optional; `day`): `help_wanted` (open shifts in your districts or needing
/// your skills) and `staff_summary` (for staff: late cancellations and shifts still short).
/// `concern_answered`: a concern you raised, or support and asked to hear of, was answered
/// (`concern_id`, `answer_id`). `guest_concern`: a concern raised with the guest form waits
/// for its confirmation (`draft_id`). `room_booking_decided`: someone else confirmed,
/// declined or cancelled a room date you booked or asked for (`date_id`, `status`).
/// `guest_room_booking`: a room booking asked for with the guest form waits for its
/// confirmation (`draft_id`, `room_id`). `standing_offer`: a date of your standing sign-up
/// that asks is offered until its answer is due (`hold_id`, `shift_id`,
/// `standing_signup_id`, `answer_by`). `fund_application_decided`: your application to a
/// neighbourhood fund was approved, declined or settled (`application_id`, `status`).
/// `guest_fund_application`: an application to a fund made with the guest form waits for its
/// confirmation (`draft_id`, `fund_id`). `help_match`: a match of neighbourly help moved: a
/// helper proposed to you, a helper said yes to your request, both agreed, or it was
/// declined, a no-show or cancelled (`match_id`, `request_id`, `status`, `role`: `helper` or
/// `requester`). `guest_help_request`: a request of neighbourly help made with the guest form
/// waits for its confirmation (`draft_id`, `centre_id`). `help_message`: the other side of a
/// match of neighbourly help wrote to you (`match_id`, `message_id`, `request_id`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKindBody {
    ApiKeysCreatorLeft,
    EmailVerification,
    EmailChangeRequested,
    PasswordReset,
    PasswordChanged,
    SignupConfirmed,
    SignupWaitlisted,
    SignupPromoted,
    SignupCancelled,
    ShiftMoved,
    ShiftReminder,
    ShiftMessage,
    StaffInvitation,
    GuestHold,
    GuestLink,
    HelpWanted,
    StaffSummary,
    ConcernAnswered,
    GuestConcern,
    RoomBookingDecided,
    GuestRoomBooking,
    StandingOffer,
    FundApplicationDecided,
    GuestFundApplication,
    HelpMatch,
    GuestHelpRequest,
    HelpMessage,
}

impl From<Kind> for NotificationKindBody {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::ApiKeysCreatorLeft => Self::ApiKeysCreatorLeft,
            Kind::EmailVerification => Self::EmailVerification,
            Kind::EmailChangeRequested => Self::EmailChangeRequested,
            Kind::PasswordReset => Self::PasswordReset,
            Kind::PasswordChanged => Self::PasswordChanged,
            Kind::SignupConfirmed => Self::SignupConfirmed,
            Kind::SignupWaitlisted => Self::SignupWaitlisted,
            Kind::SignupPromoted => Self::SignupPromoted,
            Kind::SignupCancelled => Self::SignupCancelled,
            Kind::ShiftMoved => Self::ShiftMoved,
            Kind::ShiftReminder => Self::ShiftReminder,
            Kind::ShiftMessage => Self::ShiftMessage,
            Kind::StaffInvitation => Self::StaffInvitation,
            Kind::GuestHold => Self::GuestHold,
            Kind::GuestLink => Self::GuestLink,
            Kind::HelpWanted => Self::HelpWanted,
            Kind::StaffSummary => Self::StaffSummary,
            Kind::ConcernAnswered => Self::ConcernAnswered,
            Kind::GuestConcern => Self::GuestConcern,
            Kind::RoomBookingDecided => Self::RoomBookingDecided,
            Kind::GuestRoomBooking => Self::GuestRoomBooking,
            Kind::StandingOffer => Self::StandingOffer,
            Kind::FundApplicationDecided => Self::FundApplicationDecided,
            Kind::GuestFundApplication => Self::GuestFundApplication,
            Kind::HelpMatch => Self::HelpMatch,
            Kind::GuestHelpRequest => Self::GuestHelpRequest,
            Kind::HelpMessage => Self::HelpMessage,
        }
    }
}

/// How far the mail of a notification got: `queued` (waiting for its time or a sender),
/// `sent` (the mail server took it), `skipped_obsolete` (what it told of no longer held, such
/// as a link replaced before it went out), `skipped_preference` (this kind is switched off),
/// `failed` (refused, or failed on every retry), `bounced` (came back undeliverable).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStateBody {
    Queued,
    Sent,
    SkippedObsolete,
    SkippedPreference,
    Failed,
    Bounced,
}

impl From<DeliveryState> for DeliveryStateBody {
    fn from(state: DeliveryState) -> Self {
        match state {
            DeliveryState::Queued => Self::Queued,
            DeliveryState::Sent => Self::Sent,
            DeliveryState::SkippedObsolete => Self::SkippedObsolete,
            DeliveryState::SkippedPreference => Self::SkippedPreference,
            DeliveryState::Failed => Self::Failed,
            DeliveryState::Bounced => Self::Bounced,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationResponse {
    pub id: Uuid,
    pub kind: NotificationKindBody,
    /// The operator it concerns, if any.
    pub operator_id: Option<Uuid>,
    /// More about it: ids only, never names (`api_keys_creator_left`: `creator_id`,
    /// `api_key_ids`).
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub created_at: DateTime<Utc>,
    /// When you marked it read; none while unread.
    pub read_at: Option<DateTime<Utc>>,
    /// How far its mail got.
    pub delivery: DeliveryStateBody,
    /// When the mail server took its mail.
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<NotificationRow> for NotificationResponse {
    fn from(row: NotificationRow) -> Self {
        Self {
            id: row.id,
            kind: Kind::parse(&row.kind)
                .map_or(NotificationKindBody::ApiKeysCreatorLeft, Into::into),
            operator_id: row.operator_id,
            details: serde_json::from_str(&row.details).unwrap_or_default(),
            created_at: row.created_at,
            read_at: row.read_at,
            delivery: DeliveryState::parse(&row.state)
                .map_or(DeliveryStateBody::Queued, Into::into),
            sent_at: row.sent_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    /// Newest first, the latest 100.
    pub items: Vec<NotificationResponse>,
}

/// Your notifications, newest first (the latest 100), read and unread.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses((status = 200, description = "Your notifications", body = NotificationList)),
)]
#[get("/me/notifications")]
pub async fn my_notifications(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let items = notifications::of_user(&mut conn, user.id, 100)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-cache"))
        .json(NotificationList { items }))
}

/// Mark one of your notifications read. Marking it again changes nothing.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The notification's id")),
    responses(
        (status = 204, description = "Marked read"),
        (status = 404, description = "You have no notification with this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/notifications/{id}/read")]
pub async fn read_notification(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    if notifications::mark_read(&mut conn, user.id, *id).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound(
            "You have no notification with this id.".into(),
        ))
    }
}
