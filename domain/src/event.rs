//! The events others rely on (Rule 6): what happened to which shift or sign-up. Each event
//! type has one payload, the facts of its object after the change, so that a receiver can act
//! on any event without asking back. The outbox stores them; webhooks deliver them.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::concern::ConcernStatus;
use crate::fund::{ApplicationStatus, Decider};
use crate::help::{HelpCategory, HelpKind, HelpRequestStatus};
use crate::room::BookingStatus;
use crate::signup::{ChangeReason, ShiftStatus, SignupStatus};
use crate::standing::StandingStatus;

/// The type of an event, as subscriptions name it (`signup.confirmed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    ShiftCreated,
    ShiftChanged,
    ShiftCancelled,
    ShiftFilled,
    SignupConfirmed,
    SignupWaitlisted,
    SignupPromoted,
    SignupCancelled,
    SignupCheckedIn,
    SignupAttended,
    SignupNoShow,
    SignupPromotionSkipped,
    ConcernSubmitted,
    ConcernPublished,
    ConcernStatusChanged,
    ConcernAnswered,
    ConcernOutcomeLinked,
    ConcernOutcomeUnlinked,
    PartnerCreated,
    PartnerChanged,
    NetworkMembershipChanged,
    RoomBookingRequested,
    RoomBookingConfirmed,
    RoomBookingDeclined,
    RoomBookingCancelled,
    StandingSignupCreated,
    StandingSignupChanged,
    StandingSignupEnded,
    FundApplicationSubmitted,
    FundApplicationPrechecked,
    FundApplicationApproved,
    FundApplicationDeclined,
    FundApplicationReported,
    FundApplicationSettled,
    FundApplicationWithdrawn,
    HelpRequestCreated,
    HelpRequestMatched,
    HelpRequestReopened,
    HelpRequestDone,
    HelpRequestExpired,
    HelpRequestWithdrawn,
}

/// What the events of a type are about: the object their payload describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventSubject {
    Shift,
    Signup,
    Concern,
    Partner,
    NetworkMembership,
    RoomBooking,
    StandingSignup,
    FundApplication,
    HelpRequest,
}

impl EventType {
    pub const ALL: [EventType; 41] = [
        EventType::ShiftCreated,
        EventType::ShiftChanged,
        EventType::ShiftCancelled,
        EventType::ShiftFilled,
        EventType::SignupConfirmed,
        EventType::SignupWaitlisted,
        EventType::SignupPromoted,
        EventType::SignupCancelled,
        EventType::SignupCheckedIn,
        EventType::SignupAttended,
        EventType::SignupNoShow,
        EventType::SignupPromotionSkipped,
        EventType::ConcernSubmitted,
        EventType::ConcernPublished,
        EventType::ConcernStatusChanged,
        EventType::ConcernAnswered,
        EventType::ConcernOutcomeLinked,
        EventType::ConcernOutcomeUnlinked,
        EventType::PartnerCreated,
        EventType::PartnerChanged,
        EventType::NetworkMembershipChanged,
        EventType::RoomBookingRequested,
        EventType::RoomBookingConfirmed,
        EventType::RoomBookingDeclined,
        EventType::RoomBookingCancelled,
        EventType::StandingSignupCreated,
        EventType::StandingSignupChanged,
        EventType::StandingSignupEnded,
        EventType::FundApplicationSubmitted,
        EventType::FundApplicationPrechecked,
        EventType::FundApplicationApproved,
        EventType::FundApplicationDeclined,
        EventType::FundApplicationReported,
        EventType::FundApplicationSettled,
        EventType::FundApplicationWithdrawn,
        EventType::HelpRequestCreated,
        EventType::HelpRequestMatched,
        EventType::HelpRequestReopened,
        EventType::HelpRequestDone,
        EventType::HelpRequestExpired,
        EventType::HelpRequestWithdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ShiftCreated => "shift.created",
            EventType::ShiftChanged => "shift.changed",
            EventType::ShiftCancelled => "shift.cancelled",
            EventType::ShiftFilled => "shift.filled",
            EventType::SignupConfirmed => "signup.confirmed",
            EventType::SignupWaitlisted => "signup.waitlisted",
            EventType::SignupPromoted => "signup.promoted",
            EventType::SignupCancelled => "signup.cancelled",
            EventType::SignupCheckedIn => "signup.checked_in",
            EventType::SignupAttended => "signup.attended",
            EventType::SignupNoShow => "signup.no_show",
            EventType::SignupPromotionSkipped => "signup.promotion_skipped",
            EventType::ConcernSubmitted => "concern.submitted",
            EventType::ConcernPublished => "concern.published",
            EventType::ConcernStatusChanged => "concern.status_changed",
            EventType::ConcernAnswered => "concern.answered",
            EventType::ConcernOutcomeLinked => "concern.outcome_linked",
            EventType::ConcernOutcomeUnlinked => "concern.outcome_unlinked",
            EventType::PartnerCreated => "partner.created",
            EventType::PartnerChanged => "partner.changed",
            EventType::NetworkMembershipChanged => "network_membership.changed",
            EventType::RoomBookingRequested => "room_booking.requested",
            EventType::RoomBookingConfirmed => "room_booking.confirmed",
            EventType::RoomBookingDeclined => "room_booking.declined",
            EventType::RoomBookingCancelled => "room_booking.cancelled",
            EventType::StandingSignupCreated => "standing_signup.created",
            EventType::StandingSignupChanged => "standing_signup.changed",
            EventType::StandingSignupEnded => "standing_signup.ended",
            EventType::FundApplicationSubmitted => "fund_application.submitted",
            EventType::FundApplicationPrechecked => "fund_application.prechecked",
            EventType::FundApplicationApproved => "fund_application.approved",
            EventType::FundApplicationDeclined => "fund_application.declined",
            EventType::FundApplicationReported => "fund_application.reported",
            EventType::FundApplicationSettled => "fund_application.settled",
            EventType::FundApplicationWithdrawn => "fund_application.withdrawn",
            EventType::HelpRequestCreated => "help_request.created",
            EventType::HelpRequestMatched => "help_request.matched",
            EventType::HelpRequestReopened => "help_request.reopened",
            EventType::HelpRequestDone => "help_request.done",
            EventType::HelpRequestExpired => "help_request.expired",
            EventType::HelpRequestWithdrawn => "help_request.withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }

    /// What its payload describes.
    pub fn subject(self) -> EventSubject {
        use EventType::*;
        match self {
            ShiftCreated | ShiftChanged | ShiftCancelled | ShiftFilled => EventSubject::Shift,
            SignupConfirmed
            | SignupWaitlisted
            | SignupPromoted
            | SignupCancelled
            | SignupCheckedIn
            | SignupAttended
            | SignupNoShow
            | SignupPromotionSkipped => EventSubject::Signup,
            ConcernSubmitted
            | ConcernPublished
            | ConcernStatusChanged
            | ConcernAnswered
            | ConcernOutcomeLinked
            | ConcernOutcomeUnlinked => EventSubject::Concern,
            PartnerCreated | PartnerChanged => EventSubject::Partner,
            NetworkMembershipChanged => EventSubject::NetworkMembership,
            RoomBookingRequested | RoomBookingConfirmed | RoomBookingDeclined
            | RoomBookingCancelled => EventSubject::RoomBooking,
            StandingSignupCreated | StandingSignupChanged | StandingSignupEnded => {
                EventSubject::StandingSignup
            }
            FundApplicationSubmitted
            | FundApplicationPrechecked
            | FundApplicationApproved
            | FundApplicationDeclined
            | FundApplicationReported
            | FundApplicationSettled
            | FundApplicationWithdrawn => EventSubject::FundApplication,
            HelpRequestCreated | HelpRequestMatched | HelpRequestReopened | HelpRequestDone
            | HelpRequestExpired | HelpRequestWithdrawn => EventSubject::HelpRequest,
        }
    }
}

/// A shift as an event tells it, after the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftFacts {
    pub shift_id: Uuid,
    pub operator_id: Uuid,
    pub centre_id: Uuid,
    pub occurrence_id: Option<Uuid>,
    /// The operator's own id for it.
    pub external_id: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    pub confirmed_count: i32,
    pub status: ShiftStatus,
}

/// A sign-up as an event tells it, after the change. People are named by id only (Rule 10);
/// `user_id` is `None` once the person erased their account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupFacts {
    pub signup_id: Uuid,
    pub shift_id: Uuid,
    pub operator_id: Uuid,
    pub user_id: Option<Uuid>,
    pub status: SignupStatus,
    /// The status before this change; `None` for a new sign-up (and for a check-in, which
    /// changes no status).
    pub previous_status: Option<SignupStatus>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub late_cancellation: bool,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub minutes_worked: Option<i32>,
    /// Why it changed, when the volunteer did not change it themselves.
    pub reason: Option<ChangeReason>,
    /// The standing sign-up it was made for, if any.
    pub standing_signup_id: Option<Uuid>,
}

/// A concern as an event tells it, after the change: ids and status only, never its text or
/// anyone who raised or supports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConcernFacts {
    pub concern_id: Uuid,
    /// The operator answering it; its subscriptions receive the event. `None` while no
    /// operator answers it (nobody receives the event then).
    pub operator_id: Option<Uuid>,
    pub category_id: Uuid,
    pub district_id: Uuid,
    pub status: ConcernStatus,
    /// The status before a move; `None` for the other events.
    pub previous_status: Option<ConcernStatus>,
    pub support_count: i32,
    /// The answer published (`concern.answered`).
    pub answer_id: Option<Uuid>,
    /// The outcome linked or taken off (`concern.outcome_linked`, `concern.outcome_unlinked`).
    pub outcome_id: Option<Uuid>,
    /// The operator that answered it before it was referred to another; its subscriptions
    /// receive the event too, so that it learns the concern left its queue. `None` otherwise.
    pub previous_operator_id: Option<Uuid>,
}

/// A partner as an event tells it, after the change: ids only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerFacts {
    pub partner_id: Uuid,
    /// The operator the partner is in Quartier; its subscriptions receive the event. `None`
    /// for partners that are no operator (nobody receives the event then).
    pub operator_id: Option<Uuid>,
    /// Changes with every change.
    pub version: i32,
    /// The operator the partner was before this change made it another (or none); its
    /// subscriptions receive the event too. `None` otherwise.
    pub previous_operator_id: Option<Uuid>,
}

/// A membership in a network as an event tells it, after the change: ids and status only,
/// never which person is the member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipFacts {
    pub membership_id: Uuid,
    pub network_id: Uuid,
    /// The member, when it is a partner (`None` for a person).
    pub partner_id: Option<Uuid>,
    /// The operator that partner is in Quartier; its subscriptions receive the event.
    pub operator_id: Option<Uuid>,
    pub status: crate::network::MembershipStatus,
}

/// One date of a room booking as an event tells it, after the change: ids, times and status,
/// never who booked or why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomBookingFacts {
    pub date_id: Uuid,
    pub booking_id: Uuid,
    pub room_id: Uuid,
    pub centre_id: Uuid,
    /// The room's operator; its subscriptions receive the event.
    pub operator_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: BookingStatus,
}

/// A standing sign-up as an event tells it, after the change: ids, pattern and status. The
/// sign-ups made for it have events of their own, naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandingSignupFacts {
    pub standing_signup_id: Uuid,
    pub activity_id: Uuid,
    /// The activity's operator; its subscriptions receive the event.
    pub operator_id: Uuid,
    /// `None` once the person erased their account.
    pub user_id: Option<Uuid>,
    pub status: StandingStatus,
    pub version: i32,
}

/// An application to a neighbourhood fund as an event tells it, after the step: ids, status
/// and amounts, never who applied or what they wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundApplicationFacts {
    pub application_id: Uuid,
    pub fund_id: Uuid,
    /// The fund's operator, whose subscriptions receive the event; `None` for a district's
    /// fund (the town's).
    pub operator_id: Option<Uuid>,
    /// Where the project happens.
    pub district_id: Uuid,
    pub status: ApplicationStatus,
    pub requested_cents: i64,
    pub granted_cents: Option<i64>,
    pub spent_cents: Option<i64>,
    pub decided_by: Option<Decider>,
    pub version: i32,
}

/// A request of neighbourly help as an event tells it, after the change: where and what,
/// how many helpers it needs and has, never who asked, who helps, or the private details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRequestFacts {
    pub request_id: Uuid,
    /// The operator of the centre that mediates it, whose subscriptions receive the event.
    pub operator_id: Uuid,
    pub centre_id: Uuid,
    pub district_id: Uuid,
    pub kind: HelpKind,
    pub category: HelpCategory,
    pub status: HelpRequestStatus,
    pub helpers_needed: i32,
    /// Helpers who agreed with the requester (matched or completed).
    pub helpers_agreed: i32,
    pub version: i32,
}

/// What happened to a concern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConcernChange {
    /// Raised, or moved on by those who answer it or withdrawn by its author.
    Raised,
    Moved,
    Answered,
    OutcomeLinked,
    OutcomeUnlinked,
}

/// One event: its type and its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Shift(EventType, ShiftFacts),
    Signup(EventType, SignupFacts),
    Concern(EventType, ConcernFacts),
    Partner(EventType, PartnerFacts),
    NetworkMembership(EventType, MembershipFacts),
    RoomBooking(EventType, RoomBookingFacts),
    StandingSignup(EventType, StandingSignupFacts),
    FundApplication(EventType, FundApplicationFacts),
    HelpRequest(EventType, HelpRequestFacts),
}

impl Event {
    /// The event that tells of a shift's new state: `kind` is one of the shift events.
    pub fn shift(kind: ShiftChange, facts: ShiftFacts) -> Self {
        let kind = match kind {
            ShiftChange::Created => EventType::ShiftCreated,
            ShiftChange::Changed => EventType::ShiftChanged,
            ShiftChange::Cancelled => EventType::ShiftCancelled,
            ShiftChange::Filled => EventType::ShiftFilled,
        };
        Event::Shift(kind, facts)
    }

    /// The event that tells of a sign-up's change of status; its type follows from the
    /// change (confirmed from the waitlist is a promotion).
    pub fn signup(facts: SignupFacts) -> Self {
        use SignupStatus::*;
        let kind = match (facts.previous_status, facts.status) {
            (Some(Waitlisted), Confirmed) => EventType::SignupPromoted,
            (_, Confirmed) => EventType::SignupConfirmed,
            (_, Waitlisted) => EventType::SignupWaitlisted,
            (_, Cancelled) => EventType::SignupCancelled,
            (_, Attended) => EventType::SignupAttended,
            (_, NoShow) => EventType::SignupNoShow,
        };
        Event::Signup(kind, facts)
    }

    /// A place was free and she was first in line, but taking it would have taken her past
    /// a workload limit: she stays waiting and the next in line is offered the place.
    pub fn promotion_skipped(facts: SignupFacts) -> Self {
        Event::Signup(EventType::SignupPromotionSkipped, facts)
    }

    /// A volunteer checked in: the status stays as it was.
    pub fn checked_in(facts: SignupFacts) -> Self {
        Event::Signup(EventType::SignupCheckedIn, facts)
    }

    /// The event that tells of a concern's change; a concern that becomes public (raised
    /// where no moderation is needed, or published by staff) is `concern.published`.
    pub fn concern(change: ConcernChange, facts: ConcernFacts) -> Self {
        let kind = match change {
            ConcernChange::Raised | ConcernChange::Moved
                if facts.status == ConcernStatus::Published =>
            {
                EventType::ConcernPublished
            }
            ConcernChange::Raised => EventType::ConcernSubmitted,
            ConcernChange::Moved => EventType::ConcernStatusChanged,
            ConcernChange::Answered => EventType::ConcernAnswered,
            ConcernChange::OutcomeLinked => EventType::ConcernOutcomeLinked,
            ConcernChange::OutcomeUnlinked => EventType::ConcernOutcomeUnlinked,
        };
        Event::Concern(kind, facts)
    }

    /// A partner was added to the network (`created`) or changed.
    pub fn partner(created: bool, facts: PartnerFacts) -> Self {
        let kind = if created {
            EventType::PartnerCreated
        } else {
            EventType::PartnerChanged
        };
        Event::Partner(kind, facts)
    }

    /// A date of a room booking was asked for, confirmed, declined or cancelled: the type
    /// follows from its status.
    pub fn room_booking(facts: RoomBookingFacts) -> Self {
        let kind = match facts.status {
            BookingStatus::Requested => EventType::RoomBookingRequested,
            BookingStatus::Confirmed => EventType::RoomBookingConfirmed,
            BookingStatus::Declined => EventType::RoomBookingDeclined,
            BookingStatus::Cancelled => EventType::RoomBookingCancelled,
        };
        Event::RoomBooking(kind, facts)
    }

    /// A standing sign-up was made (`created`), or changed; ended when its status says so.
    pub fn standing_signup(created: bool, facts: StandingSignupFacts) -> Self {
        let kind = if created {
            EventType::StandingSignupCreated
        } else if facts.status == StandingStatus::Ended {
            EventType::StandingSignupEnded
        } else {
            EventType::StandingSignupChanged
        };
        Event::StandingSignup(kind, facts)
    }

    /// An application took a step: the event is named by where it stands now. A draft is
    /// nobody's business but its applicant's, so `None` for one.
    pub fn fund_application(facts: FundApplicationFacts) -> Option<Self> {
        let kind = match facts.status {
            ApplicationStatus::Draft => return None,
            ApplicationStatus::Submitted => EventType::FundApplicationSubmitted,
            ApplicationStatus::Prechecked => EventType::FundApplicationPrechecked,
            ApplicationStatus::Approved => EventType::FundApplicationApproved,
            ApplicationStatus::Declined => EventType::FundApplicationDeclined,
            ApplicationStatus::Reported => EventType::FundApplicationReported,
            ApplicationStatus::Settled => EventType::FundApplicationSettled,
            ApplicationStatus::Withdrawn => EventType::FundApplicationWithdrawn,
        };
        Some(Event::FundApplication(kind, facts))
    }

    /// A help request was made (`created`), or it took a step: the event is named by where
    /// it stands now (`open` again after a helper dropped out: `reopened`).
    pub fn help_request(facts: HelpRequestFacts, created: bool) -> Self {
        let kind = match facts.status {
            _ if created => EventType::HelpRequestCreated,
            HelpRequestStatus::Open => EventType::HelpRequestReopened,
            HelpRequestStatus::Matched => EventType::HelpRequestMatched,
            HelpRequestStatus::Done => EventType::HelpRequestDone,
            HelpRequestStatus::Expired => EventType::HelpRequestExpired,
            HelpRequestStatus::Withdrawn => EventType::HelpRequestWithdrawn,
        };
        Event::HelpRequest(kind, facts)
    }

    pub fn event_type(&self) -> EventType {
        match self {
            Event::Shift(kind, _)
            | Event::Signup(kind, _)
            | Event::Concern(kind, _)
            | Event::Partner(kind, _)
            | Event::NetworkMembership(kind, _)
            | Event::RoomBooking(kind, _)
            | Event::StandingSignup(kind, _)
            | Event::FundApplication(kind, _)
            | Event::HelpRequest(kind, _) => *kind,
        }
    }

    /// The object it is about.
    pub fn subject_id(&self) -> Uuid {
        match self {
            Event::Shift(_, facts) => facts.shift_id,
            Event::Signup(_, facts) => facts.signup_id,
            Event::Concern(_, facts) => facts.concern_id,
            Event::Partner(_, facts) => facts.partner_id,
            Event::NetworkMembership(_, facts) => facts.membership_id,
            Event::RoomBooking(_, facts) => facts.date_id,
            Event::StandingSignup(_, facts) => facts.standing_signup_id,
            Event::FundApplication(_, facts) => facts.application_id,
            Event::HelpRequest(_, facts) => facts.request_id,
        }
    }

    /// The operator whose subscriptions receive it, if any.
    pub fn operator_id(&self) -> Option<Uuid> {
        match self {
            Event::Shift(_, facts) => Some(facts.operator_id),
            Event::Signup(_, facts) => Some(facts.operator_id),
            Event::Concern(_, facts) => facts.operator_id,
            Event::Partner(_, facts) => facts.operator_id,
            Event::NetworkMembership(_, facts) => facts.operator_id,
            Event::RoomBooking(_, facts) => Some(facts.operator_id),
            Event::StandingSignup(_, facts) => Some(facts.operator_id),
            Event::FundApplication(_, facts) => facts.operator_id,
            Event::HelpRequest(_, facts) => Some(facts.operator_id),
        }
    }

    /// The operators whose subscriptions receive the event: the one it is about, and one
    /// that was before a change (a referral, a partner becoming another operator).
    pub fn recipients(&self) -> Vec<Option<Uuid>> {
        let previous = match self {
            Event::Concern(_, facts) => facts.previous_operator_id,
            Event::Partner(_, facts) => facts.previous_operator_id,
            _ => None,
        };
        let mut recipients = vec![self.operator_id()];
        if previous.is_some() && previous != self.operator_id() {
            recipients.push(previous);
        }
        recipients
    }
}

/// What happened to a shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShiftChange {
    Created,
    Changed,
    Cancelled,
    /// The last free place was taken.
    Filled,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn facts(previous_status: Option<SignupStatus>, status: SignupStatus) -> SignupFacts {
        let starts_at = Utc
            .with_ymd_and_hms(2026, 12, 5, 15, 0, 0)
            .single()
            .expect("valid");
        SignupFacts {
            signup_id: Uuid::nil(),
            shift_id: Uuid::nil(),
            operator_id: Uuid::nil(),
            user_id: None,
            status,
            previous_status,
            starts_at,
            ends_at: starts_at + chrono::Duration::hours(2),
            late_cancellation: false,
            checked_in_at: None,
            minutes_worked: None,
            reason: None,
            standing_signup_id: None,
        }
    }

    #[test]
    fn event_types_round_trip() {
        for kind in EventType::ALL {
            assert_eq!(EventType::parse(kind.as_str()), Some(kind));
            let prefix = match kind.subject() {
                EventSubject::Shift => "shift.",
                EventSubject::Signup => "signup.",
                EventSubject::Concern => "concern.",
                EventSubject::Partner => "partner.",
                EventSubject::NetworkMembership => "network_membership.",
                EventSubject::RoomBooking => "room_booking.",
                EventSubject::StandingSignup => "standing_signup.",
                EventSubject::FundApplication => "fund_application.",
                EventSubject::HelpRequest => "help_request.",
            };
            assert!(kind.as_str().starts_with(prefix), "{kind:?}");
        }
    }

    #[test]
    fn the_type_follows_from_the_change() {
        use SignupStatus::*;
        let cases = [
            (None, Confirmed, EventType::SignupConfirmed),
            (None, Waitlisted, EventType::SignupWaitlisted),
            (Some(Waitlisted), Confirmed, EventType::SignupPromoted),
            (Some(Confirmed), Waitlisted, EventType::SignupWaitlisted),
            (Some(Confirmed), Cancelled, EventType::SignupCancelled),
            (Some(Waitlisted), Cancelled, EventType::SignupCancelled),
            (Some(Confirmed), Attended, EventType::SignupAttended),
            (Some(Attended), NoShow, EventType::SignupNoShow),
        ];
        for (before, after, expected) in cases {
            assert_eq!(
                Event::signup(facts(before, after)).event_type(),
                expected,
                "{before:?} → {after:?}"
            );
        }
        assert_eq!(
            Event::checked_in(facts(None, Confirmed)).event_type(),
            EventType::SignupCheckedIn
        );
    }
}
