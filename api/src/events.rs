//! The events webhooks deliver, as the OpenAPI document describes them: one payload schema
//! per object (`ShiftEventData` for every `shift.*` event, `SignupEventData` for every
//! `signup.*` event, `ConcernEventData` for every `concern.*` event, `PartnerEventData` for
//! every `partner.*` event, `NetworkMembershipEventData` for `network_membership.changed`,
//! `RoomBookingEventData` for every `room_booking.*` event, `StandingSignupEventData` for
//! every `standing_signup.*` event, `FundApplicationEventData` for every
//! `fund_application.*` event, `HelpRequestEventData` for every `help_request.*` event),
//! wrapped in the envelope `{type, timestamp, data}`, and listed one by
//! one under `webhooks`. These types mirror `quartier_persistence::outbox::payload`; a unit
//! test holds the two equal, and the test kit checks every event the tests write against
//! the published schemas.

use chrono::{DateTime, Utc};
use quartier_domain::{
    ChangeReason, ConcernFacts, EventSubject, EventType, FundApplicationFacts, HelpRequestFacts,
    MembershipFacts, PartnerFacts, RoomBookingFacts, ShiftFacts, SignupFacts, StandingSignupFacts,
};
use serde::Serialize;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::{Content, OpenApi as Document, PathsBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{PartialSchema, ToSchema};
use uuid::Uuid;

use crate::routes::concerns::ConcernStatusBody;
use crate::routes::funds::{ApplicationStatusBody, DeciderBody};
use crate::routes::help::{HelpCategoryBody, HelpKindBody, HelpRequestStatusBody};
use crate::routes::networks::MembershipStatusBody;
use crate::routes::rooms::BookingStatusBody;
use crate::routes::shifts::ShiftStatusBody;
use crate::routes::signups::SignupStatusBody;
use crate::routes::standing::StandingStatusBody;
use crate::routes::webhooks::EventTypeBody;

/// A shift after the change: what every `shift.*` event carries in `data`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShiftEventData {
    pub shift_id: Uuid,
    pub operator_id: Uuid,
    pub centre_id: Uuid,
    /// The date of an activity it belongs to, if any.
    pub occurrence_id: Option<Uuid>,
    /// The operator's own id for it.
    pub external_id: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    pub confirmed_count: i32,
    pub status: ShiftStatusBody,
}

impl From<&ShiftFacts> for ShiftEventData {
    fn from(facts: &ShiftFacts) -> Self {
        Self {
            shift_id: facts.shift_id,
            operator_id: facts.operator_id,
            centre_id: facts.centre_id,
            occurrence_id: facts.occurrence_id,
            external_id: facts.external_id.clone(),
            starts_at: facts.starts_at,
            ends_at: facts.ends_at,
            capacity: facts.capacity,
            confirmed_count: facts.confirmed_count,
            status: facts.status.into(),
        }
    }
}

/// Why a sign-up changed when the volunteer did not change it themselves.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ChangeReasonBody {
    /// Staff cancelled the shift.
    ShiftCancelled,
    /// Staff cancelled the date the shift belongs to.
    OccurrenceCancelled,
    /// The volunteer erased their account (`user_id` is then null).
    AccountErased,
    /// Staff lowered the capacity and moved this sign-up back to the waitlist.
    CapacityLowered,
    /// A confirmed volunteer cancelled; this one took the place.
    PlaceFreed,
    /// Staff raised the capacity.
    CapacityRaised,
    /// A place was free while this one waited; a new sign-up found it.
    WaitlistCaughtUp,
    /// Taking the free place would have taken the volunteer past a workload limit: she stays
    /// waiting (`signup.promotion_skipped`).
    WorkloadLimit,
    /// The standing sign-up it was made for ended.
    StandingSignupEnded,
}

impl From<ChangeReason> for ChangeReasonBody {
    fn from(reason: ChangeReason) -> Self {
        match reason {
            ChangeReason::ShiftCancelled => ChangeReasonBody::ShiftCancelled,
            ChangeReason::OccurrenceCancelled => ChangeReasonBody::OccurrenceCancelled,
            ChangeReason::AccountErased => ChangeReasonBody::AccountErased,
            ChangeReason::CapacityLowered => ChangeReasonBody::CapacityLowered,
            ChangeReason::PlaceFreed => ChangeReasonBody::PlaceFreed,
            ChangeReason::CapacityRaised => ChangeReasonBody::CapacityRaised,
            ChangeReason::WaitlistCaughtUp => ChangeReasonBody::WaitlistCaughtUp,
            ChangeReason::WorkloadLimit => ChangeReasonBody::WorkloadLimit,
            ChangeReason::StandingSignupEnded => ChangeReasonBody::StandingSignupEnded,
        }
    }
}

/// A sign-up after the change: what every `signup.*` event carries in `data`. People are
/// named by id only.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignupEventData {
    pub signup_id: Uuid,
    pub shift_id: Uuid,
    pub operator_id: Uuid,
    /// The volunteer; null once they erased their account.
    pub user_id: Option<Uuid>,
    pub status: SignupStatusBody,
    /// The status before; null for a new sign-up and for a check-in.
    pub previous_status: Option<SignupStatusBody>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub late_cancellation: bool,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub minutes_worked: Option<i32>,
    /// Null when the volunteer (or staff for them) made the change.
    pub reason: Option<ChangeReasonBody>,
    /// The standing sign-up ("every Tuesday") the sign-up was made for; null for one made
    /// for this date alone.
    pub standing_signup_id: Option<Uuid>,
}

impl From<&SignupFacts> for SignupEventData {
    fn from(facts: &SignupFacts) -> Self {
        Self {
            signup_id: facts.signup_id,
            shift_id: facts.shift_id,
            operator_id: facts.operator_id,
            user_id: facts.user_id,
            status: facts.status.into(),
            previous_status: facts.previous_status.map(Into::into),
            starts_at: facts.starts_at,
            ends_at: facts.ends_at,
            late_cancellation: facts.late_cancellation,
            checked_in_at: facts.checked_in_at,
            minutes_worked: facts.minutes_worked,
            reason: facts.reason.map(Into::into),
            standing_signup_id: facts.standing_signup_id,
        }
    }
}

/// A concern after the change: what every `concern.*` event carries in `data`. Ids and
/// status only: never its text, its author or its supporters.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernEventData {
    pub concern_id: Uuid,
    /// The operator answering it, whose subscriptions receive the event.
    pub operator_id: Option<Uuid>,
    pub category_id: Uuid,
    pub district_id: Uuid,
    pub status: ConcernStatusBody,
    /// The status before a move (`concern.published` by staff, `concern.status_changed`);
    /// null for the other events.
    pub previous_status: Option<ConcernStatusBody>,
    pub support_count: i32,
    /// The answer published (`concern.answered`); null for the other events.
    pub answer_id: Option<Uuid>,
    /// The outcome linked or taken off (`concern.outcome_linked`, `concern.outcome_unlinked`);
    /// null for the other events.
    pub outcome_id: Option<Uuid>,
    /// The operator that answered it before it was referred to another (`operator_id`); that
    /// operator's subscriptions receive the event too. Null otherwise.
    pub previous_operator_id: Option<Uuid>,
}

impl From<&ConcernFacts> for ConcernEventData {
    fn from(facts: &ConcernFacts) -> Self {
        Self {
            concern_id: facts.concern_id,
            operator_id: facts.operator_id,
            category_id: facts.category_id,
            district_id: facts.district_id,
            status: facts.status.into(),
            previous_status: facts.previous_status.map(Into::into),
            support_count: facts.support_count,
            answer_id: facts.answer_id,
            outcome_id: facts.outcome_id,
            previous_operator_id: facts.previous_operator_id,
        }
    }
}

/// A partner after the change: what every `partner.*` event carries in `data`. Ids only;
/// read the partner for the rest.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerEventData {
    pub partner_id: Uuid,
    /// The operator the partner is in Quartier, whose subscriptions receive the event.
    pub operator_id: Option<Uuid>,
    /// The partner's version after the change.
    pub version: i32,
    /// The operator the partner was before this change made it another or none; that
    /// operator's subscriptions receive the event too. Null otherwise.
    pub previous_operator_id: Option<Uuid>,
}

impl From<&PartnerFacts> for PartnerEventData {
    fn from(facts: &PartnerFacts) -> Self {
        Self {
            partner_id: facts.partner_id,
            operator_id: facts.operator_id,
            version: facts.version,
            previous_operator_id: facts.previous_operator_id,
        }
    }
}

/// The body of a delivery of a `partner.*` event.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerEvent {
    /// One of the `partner.*` types.
    #[serde(rename = "type")]
    pub event_type: EventTypeBody,
    /// When it happened (RFC 3339, milliseconds).
    pub timestamp: DateTime<Utc>,
    pub data: PartnerEventData,
}

/// A network membership after the change: what every `network_membership.*` event carries
/// in `data`. Never which person is the member.
#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkMembershipEventData {
    pub membership_id: Uuid,
    pub network_id: Uuid,
    /// The member, when it is a partner; null for a person.
    pub partner_id: Option<Uuid>,
    /// The operator that partner is in Quartier, whose subscriptions receive the event.
    pub operator_id: Option<Uuid>,
    pub status: MembershipStatusBody,
}

impl From<&MembershipFacts> for NetworkMembershipEventData {
    fn from(facts: &MembershipFacts) -> Self {
        Self {
            membership_id: facts.membership_id,
            network_id: facts.network_id,
            partner_id: facts.partner_id,
            operator_id: facts.operator_id,
            status: facts.status.into(),
        }
    }
}

/// The body of a delivery of a `network_membership.*` event.
#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkMembershipEvent {
    /// One of the `network_membership.*` types.
    #[serde(rename = "type")]
    pub event_type: EventTypeBody,
    /// When it happened (RFC 3339, milliseconds).
    pub timestamp: DateTime<Utc>,
    pub data: NetworkMembershipEventData,
}

/// One date of a room booking after the change: what every `room_booking.*` event carries in
/// `data`. Never who booked or why.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoomBookingEventData {
    pub date_id: Uuid,
    pub booking_id: Uuid,
    pub room_id: Uuid,
    pub centre_id: Uuid,
    /// The room's operator, whose subscriptions receive the event.
    pub operator_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: BookingStatusBody,
}

impl From<&RoomBookingFacts> for RoomBookingEventData {
    fn from(facts: &RoomBookingFacts) -> Self {
        Self {
            date_id: facts.date_id,
            booking_id: facts.booking_id,
            room_id: facts.room_id,
            centre_id: facts.centre_id,
            operator_id: facts.operator_id,
            starts_at: facts.starts_at,
            ends_at: facts.ends_at,
            status: facts.status.into(),
        }
    }
}

/// The body of a delivery of a `room_booking.*` event.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoomBookingEvent {
    /// One of the `room_booking.*` types.
    #[serde(rename = "type")]
    pub event_type: EventTypeBody,
    /// When it happened (RFC 3339, milliseconds).
    pub timestamp: DateTime<Utc>,
    pub data: RoomBookingEventData,
}

/// A standing sign-up ("every Tuesday") after the change: what every `standing_signup.*`
/// event carries in `data`. The sign-ups made for it have `signup.*` events of their own,
/// naming it in `standing_signup_id`.
#[derive(Debug, Serialize, ToSchema)]
pub struct StandingSignupEventData {
    pub standing_signup_id: Uuid,
    pub activity_id: Uuid,
    /// The activity's operator, whose subscriptions receive the event.
    pub operator_id: Uuid,
    /// The volunteer; null once they erased their account.
    pub user_id: Option<Uuid>,
    pub status: StandingStatusBody,
    /// Changes with every change.
    pub version: i32,
}

impl From<&StandingSignupFacts> for StandingSignupEventData {
    fn from(facts: &StandingSignupFacts) -> Self {
        Self {
            standing_signup_id: facts.standing_signup_id,
            activity_id: facts.activity_id,
            operator_id: facts.operator_id,
            user_id: facts.user_id,
            status: facts.status.into(),
            version: facts.version,
        }
    }
}

/// The body of a delivery of a `standing_signup.*` event.
#[derive(Debug, Serialize, ToSchema)]
pub struct StandingSignupEvent {
    /// One of the `standing_signup.*` types.
    #[serde(rename = "type")]
    pub event_type: EventTypeBody,
    /// When it happened (RFC 3339, milliseconds).
    pub timestamp: DateTime<Utc>,
    pub data: StandingSignupEventData,
}

/// An application to a neighbourhood fund after its step: what every `fund_application.*`
/// event carries in `data`. Ids, status and amounts only: never who applied or what they
/// wrote.
#[derive(Debug, Serialize, ToSchema)]
pub struct FundApplicationEventData {
    pub application_id: Uuid,
    pub fund_id: Uuid,
    /// The fund's operator, whose subscriptions receive the event; null for a district's
    /// fund, which the town runs.
    pub operator_id: Option<Uuid>,
    /// Where the project happens.
    pub district_id: Uuid,
    pub status: ApplicationStatusBody,
    pub requested_cents: i64,
    /// Once approved.
    pub granted_cents: Option<i64>,
    /// Once settled: what the project spent of its grant.
    pub spent_cents: Option<i64>,
    /// Once decided.
    pub decided_by: Option<DeciderBody>,
    /// Changes with every step.
    pub version: i32,
}

impl From<&FundApplicationFacts> for FundApplicationEventData {
    fn from(facts: &FundApplicationFacts) -> Self {
        Self {
            application_id: facts.application_id,
            fund_id: facts.fund_id,
            operator_id: facts.operator_id,
            district_id: facts.district_id,
            status: facts.status.into(),
            requested_cents: facts.requested_cents,
            granted_cents: facts.granted_cents,
            spent_cents: facts.spent_cents,
            decided_by: facts.decided_by.map(Into::into),
            version: facts.version,
        }
    }
}

/// The body of a delivery of a `fund_application.*` event.
#[derive(Debug, Serialize, ToSchema)]
pub struct FundApplicationEvent {
    /// One of the `fund_application.*` types.
    #[serde(rename = "type")]
    pub event_type: EventTypeBody,
    /// When it happened (RFC 3339, milliseconds).
    pub timestamp: DateTime<Utc>,
    pub data: FundApplicationEventData,
}

/// A request of neighbourly help after its change: what every `help_request.*` event carries
/// in `data`. What and where, never who asked, who helps, or the private details.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpRequestEventData {
    pub request_id: Uuid,
    /// The operator of the centre that mediates it, whose subscriptions receive the event.
    pub operator_id: Uuid,
    pub centre_id: Uuid,
    pub district_id: Uuid,
    pub kind: HelpKindBody,
    pub category: HelpCategoryBody,
    pub status: HelpRequestStatusBody,
    pub helpers_needed: i32,
    /// Helpers who agreed with the requester (matched or completed).
    pub helpers_agreed: i32,
    /// Changes with every change.
    pub version: i32,
}

impl From<&HelpRequestFacts> for HelpRequestEventData {
    fn from(facts: &HelpRequestFacts) -> Self {
        Self {
            request_id: facts.request_id,
            operator_id: facts.operator_id,
            centre_id: facts.centre_id,
            district_id: facts.district_id,
            kind: facts.kind.into(),
            category: facts.category.into(),
            status: facts.status.into(),
            helpers_needed: facts.helpers_needed,
            helpers_agreed: facts.helpers_agreed,
            version: facts.version,
        }
    }
}

/// The body of a delivery of a `help_request.*` event.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpRequestEvent {
    /// One of the `help_request.*` types.
    #[serde(rename = "type")]
    pub event_type: EventTypeBody,
    /// When it happened (RFC 3339, milliseconds).
    pub timestamp: DateTime<Utc>,
    pub data: HelpRequestEventData,
}

/// The body of a delivery of a `shift.*` event.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShiftEvent {
    /// One of the `shift.*` types.
    #[serde(rename = "type")]
    pub event_type: EventTypeBody,
    /// When it happened (RFC 3339, milliseconds).
    pub timestamp: DateTime<Utc>,
    pub data: ShiftEventData,
}

/// The body of a delivery of a `signup.*` event.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignupEvent {
    /// One of the `signup.*` types.
    #[serde(rename = "type")]
    pub event_type: EventTypeBody,
    /// When it happened (RFC 3339, milliseconds).
    pub timestamp: DateTime<Utc>,
    pub data: SignupEventData,
}

/// The body of a delivery of a `concern.*` event.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernEvent {
    /// One of the `concern.*` types.
    #[serde(rename = "type")]
    pub event_type: EventTypeBody,
    /// When it happened (RFC 3339, milliseconds).
    pub timestamp: DateTime<Utc>,
    pub data: ConcernEventData,
}

/// The name of the schema of `kind`'s payload in `components.schemas`.
pub fn data_schema(kind: EventType) -> &'static str {
    match kind.subject() {
        EventSubject::Shift => "ShiftEventData",
        EventSubject::Signup => "SignupEventData",
        EventSubject::Concern => "ConcernEventData",
        EventSubject::Partner => "PartnerEventData",
        EventSubject::NetworkMembership => "NetworkMembershipEventData",
        EventSubject::RoomBooking => "RoomBookingEventData",
        EventSubject::StandingSignup => "StandingSignupEventData",
        EventSubject::FundApplication => "FundApplicationEventData",
        EventSubject::HelpRequest => "HelpRequestEventData",
    }
}

/// The name of the schema of a delivery of `kind` in `components.schemas`.
fn envelope_schema(kind: EventType) -> &'static str {
    match kind.subject() {
        EventSubject::Shift => "ShiftEvent",
        EventSubject::Signup => "SignupEvent",
        EventSubject::Concern => "ConcernEvent",
        EventSubject::Partner => "PartnerEvent",
        EventSubject::NetworkMembership => "NetworkMembershipEvent",
        EventSubject::RoomBooking => "RoomBookingEvent",
        EventSubject::StandingSignup => "StandingSignupEvent",
        EventSubject::FundApplication => "FundApplicationEvent",
        EventSubject::HelpRequest => "HelpRequestEvent",
    }
}

fn described(kind: EventType) -> &'static str {
    match kind {
        EventType::ShiftCreated => "A shift was created (also by an import).",
        EventType::ShiftChanged => {
            "A shift changed: its times (also when its date moved), capacity or texts."
        }
        EventType::ShiftCancelled => {
            "A shift was cancelled, by itself or with its date; each live sign-up gets `signup.cancelled` with the reason."
        }
        EventType::ShiftFilled => "A new sign-up took the last free place.",
        EventType::SignupConfirmed => "A volunteer signed up and holds a place.",
        EventType::SignupWaitlisted => {
            "A volunteer signed up and waits for a place, or staff lowered the capacity and moved them back (`reason`)."
        }
        EventType::SignupPromoted => {
            "A waitlisted volunteer got a place (`reason`: a cancellation, a higher capacity, or a place found free)."
        }
        EventType::SignupCancelled => {
            "A sign-up was cancelled: by the volunteer or staff (`reason` null), with its shift or date, or by erasure."
        }
        EventType::SignupCheckedIn => "Staff checked the volunteer in.",
        EventType::SignupAttended => "Staff recorded that the volunteer came, with minutes worked.",
        EventType::SignupNoShow => "Staff recorded that the volunteer did not come.",
        EventType::SignupPromotionSkipped => {
            "A place was free and this waitlisted volunteer was first in line, but it would have taken them past a workload limit (`reason` `workload_limit`): they stay waiting and the next in line is offered the place."
        }
        EventType::ConcernSubmitted => {
            "A resident raised a concern, or staff wrote one down, that waits for moderation."
        }
        EventType::ConcernPublished => {
            "A concern became public: raised where no moderation is needed, or published by staff (`previous_status`)."
        }
        EventType::ConcernStatusChanged => {
            "A concern moved on (also referred to another operator, which receives this event, or withdrawn by its author)."
        }
        EventType::ConcernAnswered => "A public answer to a concern was published (`answer_id`).",
        EventType::ConcernOutcomeLinked => {
            "Staff linked what came of a concern: an activity, a date, a shift, a room booking, a funded project or an outside reference (`outcome_id`)."
        }
        EventType::ConcernOutcomeUnlinked => {
            "Staff took a linked outcome off a concern (`outcome_id`, no longer readable)."
        }
        EventType::PartnerCreated => {
            "A partner that is this operator was added to the partner network."
        }
        EventType::PartnerChanged => "The partner that is this operator changed.",
        EventType::NetworkMembershipChanged => {
            "A membership of the partner that is this operator in a network was asked for, accepted, declined or ended."
        }
        EventType::RoomBookingRequested => {
            "A date of a room of this operator was asked for; it waits for staff."
        }
        EventType::RoomBookingConfirmed => {
            "A date of a room of this operator was confirmed: the room is taken."
        }
        EventType::RoomBookingDeclined => {
            "A requested date was declined, by staff or because an overlapping one was confirmed."
        }
        EventType::RoomBookingCancelled => {
            "A date was cancelled by its booker or by staff: the room is free again."
        }
        EventType::StandingSignupCreated => {
            "A volunteer (or staff for them) made a standing sign-up for a shift slot of an activity of this operator; its dates are signed up for as they come."
        }
        EventType::StandingSignupChanged => {
            "A standing sign-up was paused, made active again, or its last date changed."
        }
        EventType::StandingSignupEnded => {
            "A standing sign-up ended; its future sign-ups were cancelled (each with its own `signup.cancelled`)."
        }
        EventType::FundApplicationSubmitted => {
            "An applicant handed in an application to one of the operator's neighbourhood funds."
        }
        EventType::FundApplicationPrechecked => {
            "Staff found an application complete and eligible: it waits for the decision."
        }
        EventType::FundApplicationApproved => {
            "Staff or the fund's committee granted an amount (`granted_cents`); the fund holds it for the project."
        }
        EventType::FundApplicationDeclined => {
            "Staff or the fund's committee declined an application."
        }
        EventType::FundApplicationReported => {
            "The project proved the use of its grant (actual cost, report): it waits to be settled."
        }
        EventType::FundApplicationSettled => {
            "Staff settled a project: it spent `spent_cents`, and the rest of its grant went back to the fund."
        }
        EventType::FundApplicationWithdrawn => {
            "The applicant took an application back; an approved one gave its grant back to the fund."
        }
        EventType::HelpRequestCreated => {
            "A resident asked for or offered neighbourly help at one of the operator's centres, or its staff recorded it for someone."
        }
        EventType::HelpRequestMatched => {
            "As many helpers as the request needs agreed with the requester: it leaves the public list."
        }
        EventType::HelpRequestReopened => {
            "A helper of a matched request dropped out (declined, or did not come): it looks for a helper again."
        }
        EventType::HelpRequestDone => "Each helper of the request helped.",
        EventType::HelpRequestExpired => {
            "The request's time ran out while it looked for helpers; its proposals were cancelled."
        }
        EventType::HelpRequestWithdrawn => {
            "The requester, or the centre's staff for her, took the request back; its matches still going were cancelled."
        }
    }
}

/// Adds the event schemas and one `webhooks` entry per event type: a `POST` to the
/// subscriber's URL with the event as its body.
pub fn add_webhooks(document: &mut Document) {
    let components = document.components.get_or_insert_with(Default::default);
    for (name, schema) in [
        ("ShiftEvent", ShiftEvent::schema()),
        ("SignupEvent", SignupEvent::schema()),
        ("ShiftEventData", ShiftEventData::schema()),
        ("SignupEventData", SignupEventData::schema()),
        ("ConcernEvent", ConcernEvent::schema()),
        ("ConcernEventData", ConcernEventData::schema()),
        ("ConcernStatusBody", ConcernStatusBody::schema()),
        ("PartnerEvent", PartnerEvent::schema()),
        ("PartnerEventData", PartnerEventData::schema()),
        ("NetworkMembershipEvent", NetworkMembershipEvent::schema()),
        (
            "NetworkMembershipEventData",
            NetworkMembershipEventData::schema(),
        ),
        ("MembershipStatusBody", MembershipStatusBody::schema()),
        ("RoomBookingEvent", RoomBookingEvent::schema()),
        ("RoomBookingEventData", RoomBookingEventData::schema()),
        ("BookingStatusBody", BookingStatusBody::schema()),
        ("StandingSignupEvent", StandingSignupEvent::schema()),
        ("StandingSignupEventData", StandingSignupEventData::schema()),
        ("StandingStatusBody", StandingStatusBody::schema()),
        ("FundApplicationEvent", FundApplicationEvent::schema()),
        (
            "FundApplicationEventData",
            FundApplicationEventData::schema(),
        ),
        ("ApplicationStatusBody", ApplicationStatusBody::schema()),
        ("HelpRequestEvent", HelpRequestEvent::schema()),
        ("HelpRequestEventData", HelpRequestEventData::schema()),
        ("HelpKindBody", HelpKindBody::schema()),
        ("HelpCategoryBody", HelpCategoryBody::schema()),
        ("HelpRequestStatusBody", HelpRequestStatusBody::schema()),
        ("DeciderBody", DeciderBody::schema()),
        ("ChangeReasonBody", ChangeReasonBody::schema()),
        ("ShiftStatusBody", ShiftStatusBody::schema()),
        ("SignupStatusBody", SignupStatusBody::schema()),
        ("EventTypeBody", EventTypeBody::schema()),
    ] {
        components.schemas.entry(name.to_owned()).or_insert(schema);
    }
    let mut webhooks = PathsBuilder::new();
    for kind in EventType::ALL {
        let envelope = envelope_schema(kind);
        let operation = OperationBuilder::new()
            .operation_id(Some(kind.as_str().replace('.', "_")))
            .summary(Some(kind.as_str()))
            .description(Some(format!(
                "{} Sent to subscriptions of the operator that asked for `{}`, signed with the \
                 Standard Webhooks headers `webhook-id`, `webhook-timestamp` and `webhook-signature`.",
                described(kind),
                kind.as_str()
            )))
            .tag("webhooks")
            .request_body(Some(
                RequestBodyBuilder::new()
                    .content(
                        "application/json",
                        Content::new(Some(RefOr::Ref(Ref::from_schema_name(envelope)))),
                    )
                    .required(Some(utoipa::openapi::Required::True))
                    .build(),
            ))
            .response(
                "2XX",
                ResponseBuilder::new().description("Received; any other answer is retried"),
            )
            .build();
        webhooks = webhooks.path(kind.as_str(), PathItem::new(HttpMethod::Post, operation));
    }
    document.webhooks = Some(webhooks.build());
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use quartier_domain::{Event, ShiftChange, ShiftStatus, SignupStatus};
    use quartier_persistence::outbox::payload;

    #[test]
    fn the_schema_types_serialise_as_the_outbox_writes() {
        let at = Utc
            .with_ymd_and_hms(2026, 12, 5, 15, 0, 0)
            .single()
            .expect("valid");
        let shift = ShiftFacts {
            shift_id: Uuid::now_v7(),
            operator_id: Uuid::now_v7(),
            centre_id: Uuid::now_v7(),
            occurrence_id: Some(Uuid::now_v7()),
            external_id: Some("KURS-1".into()),
            starts_at: at,
            ends_at: at + chrono::Duration::minutes(90),
            capacity: 4,
            confirmed_count: 4,
            status: ShiftStatus::Open,
        };
        let event = Event::shift(ShiftChange::Filled, shift.clone());
        assert_eq!(
            serde_json::to_value(ShiftEventData::from(&shift)).expect("valid"),
            payload(&event)
        );
        for reason in ChangeReason::ALL.map(Some).into_iter().chain([None]) {
            let signup = SignupFacts {
                signup_id: Uuid::now_v7(),
                shift_id: shift.shift_id,
                operator_id: shift.operator_id,
                user_id: Some(Uuid::now_v7()),
                status: SignupStatus::Cancelled,
                previous_status: Some(SignupStatus::Confirmed),
                starts_at: at,
                ends_at: at + chrono::Duration::minutes(90),
                late_cancellation: true,
                checked_in_at: Some(at),
                minutes_worked: Some(90),
                reason,
                standing_signup_id: reason.map(|_| Uuid::now_v7()),
            };
            let event = Event::signup(signup.clone());
            assert_eq!(
                serde_json::to_value(SignupEventData::from(&signup)).expect("valid"),
                payload(&event)
            );
        }
    }

    #[test]
    fn the_fund_application_schema_serialises_as_the_outbox_writes() {
        use quartier_domain::fund::{ApplicationStatus, Decider};
        for status in ApplicationStatus::ALL {
            let decided = matches!(
                status,
                ApplicationStatus::Approved | ApplicationStatus::Settled
            );
            let facts = FundApplicationFacts {
                application_id: Uuid::now_v7(),
                fund_id: Uuid::now_v7(),
                operator_id: decided.then(Uuid::now_v7),
                district_id: Uuid::now_v7(),
                status,
                requested_cents: 80_000,
                granted_cents: decided.then_some(50_000),
                spent_cents: (status == ApplicationStatus::Settled).then_some(42_000),
                decided_by: decided.then_some(Decider::Committee),
                version: 4,
            };
            let Some(event) = Event::fund_application(facts.clone()) else {
                assert_eq!(status, ApplicationStatus::Draft, "only drafts go untold");
                continue;
            };
            assert_eq!(
                event.event_type().as_str(),
                format!("fund_application.{}", status.as_str())
            );
            assert_eq!(
                serde_json::to_value(FundApplicationEventData::from(&facts)).expect("valid"),
                payload(&event)
            );
        }
    }

    #[test]
    fn the_concern_schema_serialises_as_the_outbox_writes() {
        use quartier_domain::concern::ConcernStatus;
        use quartier_domain::{ConcernChange, Event};
        for (previous_status, answer_id) in [
            (None, Some(Uuid::now_v7())),
            (Some(ConcernStatus::Published), None),
        ] {
            let facts = ConcernFacts {
                concern_id: Uuid::now_v7(),
                operator_id: Some(Uuid::now_v7()),
                category_id: Uuid::now_v7(),
                district_id: Uuid::now_v7(),
                status: ConcernStatus::InReview,
                previous_status,
                support_count: 7,
                answer_id,
                outcome_id: None,
                previous_operator_id: answer_id.map(|_| Uuid::now_v7()),
            };
            assert_eq!(
                serde_json::to_value(ConcernEventData::from(&facts)).expect("valid"),
                payload(&Event::concern(ConcernChange::Moved, facts))
            );
        }
    }

    #[test]
    fn the_room_booking_schema_serialises_as_the_outbox_writes() {
        use quartier_domain::room::BookingStatus;
        let at = Utc
            .with_ymd_and_hms(2027, 3, 2, 17, 0, 0)
            .single()
            .expect("valid");
        for status in BookingStatus::ALL {
            let facts = RoomBookingFacts {
                date_id: Uuid::now_v7(),
                booking_id: Uuid::now_v7(),
                room_id: Uuid::now_v7(),
                centre_id: Uuid::now_v7(),
                operator_id: Uuid::now_v7(),
                starts_at: at,
                ends_at: at + chrono::Duration::hours(2),
                status: *status,
            };
            assert_eq!(
                serde_json::to_value(RoomBookingEventData::from(&facts)).expect("valid"),
                payload(&Event::room_booking(facts))
            );
        }
    }

    #[test]
    fn every_event_type_is_a_webhook_of_the_document() {
        let document: serde_json::Value =
            serde_json::from_str(&crate::commands::openapi_json().expect("valid")).expect("valid");
        for kind in EventType::ALL {
            let body = &document["webhooks"][kind.as_str()]["post"]["requestBody"]["content"]["application/json"]
                ["schema"]["$ref"];
            let envelope = body
                .as_str()
                .expect("a reference")
                .rsplit('/')
                .next()
                .expect("valid");
            let data = &document["components"]["schemas"][envelope]["properties"]["data"]["$ref"];
            assert_eq!(
                data.as_str()
                    .expect("valid")
                    .rsplit('/')
                    .next()
                    .expect("valid"),
                data_schema(kind),
                "{kind:?}"
            );
        }
    }
}
