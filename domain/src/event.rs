//! The events others rely on (Rule 6): what happened to which shift or sign-up. Each event
//! type has one payload, the facts of its object after the change, so that a receiver can act
//! on any event without asking back. The outbox stores them; webhooks deliver them.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::signup::{ChangeReason, ShiftStatus, SignupStatus};

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
}

impl EventType {
    pub const ALL: [EventType; 11] = [
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
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }

    /// Whether its payload is a shift's facts (else a sign-up's).
    pub fn is_about_a_shift(self) -> bool {
        matches!(
            self,
            EventType::ShiftCreated
                | EventType::ShiftChanged
                | EventType::ShiftCancelled
                | EventType::ShiftFilled
        )
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
}

/// One event: its type and its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Shift(EventType, ShiftFacts),
    Signup(EventType, SignupFacts),
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

    /// A volunteer checked in: the status stays as it was.
    pub fn checked_in(facts: SignupFacts) -> Self {
        Event::Signup(EventType::SignupCheckedIn, facts)
    }

    pub fn event_type(&self) -> EventType {
        match self {
            Event::Shift(kind, _) | Event::Signup(kind, _) => *kind,
        }
    }

    /// The object it is about.
    pub fn subject_id(&self) -> Uuid {
        match self {
            Event::Shift(_, facts) => facts.shift_id,
            Event::Signup(_, facts) => facts.signup_id,
        }
    }

    /// The operator whose subscriptions receive it.
    pub fn operator_id(&self) -> Uuid {
        match self {
            Event::Shift(_, facts) => facts.operator_id,
            Event::Signup(_, facts) => facts.operator_id,
        }
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
        }
    }

    #[test]
    fn event_types_round_trip() {
        for kind in EventType::ALL {
            assert_eq!(EventType::parse(kind.as_str()), Some(kind));
            assert_eq!(kind.is_about_a_shift(), kind.as_str().starts_with("shift."));
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
