//! The volunteer side's states: a shift's status, a sign-up's status and the changes between
//! them, and where a new sign-up goes (confirmed or waitlisted).
//!
//! The database holds the same rules as constraints (a CHECK on the status names, the
//! capacity checked against `confirmed_count`, an exclusion constraint against overlaps);
//! these types are what the code reads and writes, so that no status is a string literal.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The zone whose calendar decides on which day a shift is (for qualification validity) and
/// in which year hours count.
pub const LOCAL_ZONE: chrono_tz::Tz = chrono_tz::Europe::Berlin;

/// How close to the start a volunteer's own cancellation counts as late.
pub const LATE_CANCELLATION: Duration = Duration::hours(24);

/// Whether a shift takes sign-ups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShiftStatus {
    /// Takes sign-ups (until it starts).
    Open,
    /// Called off: every live sign-up was cancelled with it; nothing changes it any more.
    Cancelled,
}

impl ShiftStatus {
    pub const ALL: [ShiftStatus; 2] = [ShiftStatus::Open, ShiftStatus::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            ShiftStatus::Open => "open",
            ShiftStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == raw)
    }
}

/// Where a volunteer stands on a shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignupStatus {
    /// Holds one of the shift's places.
    Confirmed,
    /// Waits for a place, in the order of signing up.
    Waitlisted,
    /// Cancelled by the volunteer, by staff, with the shift or the date, or by erasure.
    Cancelled,
    /// Came and helped (recorded by staff afterwards, with minutes worked).
    Attended,
    /// Held a place but did not come.
    NoShow,
}

impl SignupStatus {
    pub const ALL: [SignupStatus; 5] = [
        SignupStatus::Confirmed,
        SignupStatus::Waitlisted,
        SignupStatus::Cancelled,
        SignupStatus::Attended,
        SignupStatus::NoShow,
    ];

    /// The statuses of a sign-up that can still be cancelled.
    pub const LIVE: [SignupStatus; 2] = [SignupStatus::Confirmed, SignupStatus::Waitlisted];

    /// The statuses whose attendance staff can record (again).
    pub const ATTENDABLE: [SignupStatus; 3] = [
        SignupStatus::Confirmed,
        SignupStatus::Attended,
        SignupStatus::NoShow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SignupStatus::Confirmed => "confirmed",
            SignupStatus::Waitlisted => "waitlisted",
            SignupStatus::Cancelled => "cancelled",
            SignupStatus::Attended => "attended",
            SignupStatus::NoShow => "no_show",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == raw)
    }

    /// Confirmed or waitlisted: it can still be cancelled.
    pub fn is_live(self) -> bool {
        Self::LIVE.contains(&self)
    }

    /// Whether a sign-up in `self` may become `next`:
    /// - waitlisted → confirmed (a place came free) or cancelled;
    /// - confirmed → waitlisted (the capacity dropped), cancelled, attended or no-show;
    /// - attended ↔ no-show, and either again (staff correct what they recorded);
    /// - cancelled is final.
    pub fn can_become(self, next: SignupStatus) -> bool {
        use SignupStatus::*;
        matches!(
            (self, next),
            (Waitlisted, Confirmed | Cancelled)
                | (Confirmed, Waitlisted | Cancelled | Attended | NoShow)
                | (Attended | NoShow, Attended | NoShow)
        )
    }
}

/// Why a sign-up changed when the volunteer did not change it themselves: what webhooks and
/// the people concerned are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeReason {
    /// Staff cancelled the whole shift.
    ShiftCancelled,
    /// Staff cancelled the date (occurrence) the shift belongs to.
    OccurrenceCancelled,
    /// The volunteer erased their account.
    AccountErased,
    /// Staff lowered the shift's capacity and moved this sign-up back to the waitlist.
    CapacityLowered,
    /// A confirmed volunteer cancelled and this one took the place.
    PlaceFreed,
    /// Staff raised the shift's capacity.
    CapacityRaised,
    /// Places were free while this one waited (a volunteer ahead in line could not take them
    /// before); a new sign-up found them.
    WaitlistCaughtUp,
    /// The place would have taken the volunteer past a workload limit (an operator's policy
    /// or a cap of her own).
    WorkloadLimit,
    /// The volunteer's standing sign-up it was made for ended.
    StandingSignupEnded,
}

impl ChangeReason {
    pub const ALL: [ChangeReason; 9] = [
        ChangeReason::ShiftCancelled,
        ChangeReason::OccurrenceCancelled,
        ChangeReason::AccountErased,
        ChangeReason::CapacityLowered,
        ChangeReason::PlaceFreed,
        ChangeReason::CapacityRaised,
        ChangeReason::WaitlistCaughtUp,
        ChangeReason::WorkloadLimit,
        ChangeReason::StandingSignupEnded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeReason::ShiftCancelled => "shift_cancelled",
            ChangeReason::OccurrenceCancelled => "occurrence_cancelled",
            ChangeReason::AccountErased => "account_erased",
            ChangeReason::CapacityLowered => "capacity_lowered",
            ChangeReason::PlaceFreed => "place_freed",
            ChangeReason::CapacityRaised => "capacity_raised",
            ChangeReason::WaitlistCaughtUp => "waitlist_caught_up",
            ChangeReason::WorkloadLimit => "workload_limit",
            ChangeReason::StandingSignupEnded => "standing_signup_ended",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.as_str() == raw)
    }
}

/// Where a new sign-up goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Confirmed,
    Waitlisted,
}

impl Placement {
    pub fn status(self) -> SignupStatus {
        match self {
            Placement::Confirmed => SignupStatus::Confirmed,
            Placement::Waitlisted => SignupStatus::Waitlisted,
        }
    }
}

/// The places of a shift as the (locked) shift row holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Places {
    pub capacity: i32,
    pub confirmed: i32,
    /// Held for guests until they confirm (`crate::guest`).
    pub held: i32,
}

impl Places {
    /// Places nobody holds, confirmed or held for a guest; never negative.
    pub fn free(self) -> i32 {
        (self.capacity - self.confirmed - self.held).max(0)
    }

    /// How many places held for guests must be given up for `capacity` to hold: the
    /// confirmed keep theirs before guests who have not confirmed yet.
    pub fn holds_over(self, capacity: i32) -> i32 {
        (self.confirmed + self.held - capacity).clamp(0, self.held)
    }

    /// A newcomer's place, once every waiting volunteer who can take a free place has been
    /// promoted (`waiting` counts those still waiting who could): a newcomer never jumps
    /// the queue, and never takes a place that is not free.
    pub fn place_newcomer(self, waiting: usize) -> Placement {
        if self.free() > 0 && waiting == 0 {
            Placement::Confirmed
        } else {
            Placement::Waitlisted
        }
    }

    /// A volunteer cancelling frees a place only if they held one.
    pub fn after_cancelling(self, was: SignupStatus) -> Places {
        match was {
            SignupStatus::Confirmed => Places {
                confirmed: self.confirmed - 1,
                ..self
            },
            _ => self,
        }
    }

    /// How many confirmed sign-ups must go back to the waitlist for `capacity` to hold.
    pub fn over_capacity(self, capacity: i32) -> i32 {
        (self.confirmed - capacity).max(0)
    }
}

/// Whether the volunteer's own cancellation of a confirmed sign-up comes late: within
/// `LATE_CANCELLATION` of the start. Staff cancelling, or a waitlisted one, is never late.
pub fn is_late_cancellation(
    was: SignupStatus,
    by_the_volunteer: bool,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    by_the_volunteer && was == SignupStatus::Confirmed && starts_at - now < LATE_CANCELLATION
}

/// The local calendar day a shift starting at `starts_at` is on.
pub fn local_day(starts_at: DateTime<Utc>) -> NaiveDate {
    starts_at.with_timezone(&LOCAL_ZONE).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn statuses_round_trip() {
        for status in SignupStatus::ALL {
            assert_eq!(SignupStatus::parse(status.as_str()), Some(status));
        }
        for status in ShiftStatus::ALL {
            assert_eq!(ShiftStatus::parse(status.as_str()), Some(status));
        }
        for reason in ChangeReason::ALL {
            assert_eq!(ChangeReason::parse(reason.as_str()), Some(reason));
        }
        assert_eq!(SignupStatus::parse("Confirmed"), None);
    }

    #[test]
    fn cancelled_is_final() {
        for next in SignupStatus::ALL {
            assert!(!SignupStatus::Cancelled.can_become(next), "{next:?}");
        }
    }

    #[test]
    fn only_live_sign_ups_can_be_cancelled() {
        for status in SignupStatus::ALL {
            assert_eq!(
                status.can_become(SignupStatus::Cancelled),
                status.is_live(),
                "{status:?}"
            );
        }
    }

    #[test]
    fn the_waitlist_leads_only_to_a_place_or_out() {
        use SignupStatus::*;
        assert!(Waitlisted.can_become(Confirmed));
        assert!(!Waitlisted.can_become(Attended));
        assert!(!Waitlisted.can_become(NoShow));
        assert!(Confirmed.can_become(Waitlisted));
        assert!(!Attended.can_become(Waitlisted));
        assert!(!Attended.can_become(Confirmed));
        assert!(NoShow.can_become(Attended));
        for status in SignupStatus::ATTENDABLE {
            assert!(status.can_become(Attended) && status.can_become(NoShow));
        }
    }

    #[test]
    fn a_newcomer_takes_a_free_place_only_when_nobody_waits() {
        let places = Places {
            capacity: 3,
            confirmed: 2,
            held: 0,
        };
        assert_eq!(places.place_newcomer(0), Placement::Confirmed);
        assert_eq!(places.place_newcomer(1), Placement::Waitlisted);
        let full = Places {
            capacity: 3,
            confirmed: 3,
            held: 0,
        };
        assert_eq!(full.place_newcomer(0), Placement::Waitlisted);
        // Over capacity (the capacity dropped while staff had not yet moved anyone).
        let over = Places {
            capacity: 1,
            confirmed: 3,
            held: 0,
        };
        assert_eq!(over.free(), 0);
        assert_eq!(over.place_newcomer(0), Placement::Waitlisted);
        assert_eq!(over.over_capacity(1), 2);
        assert_eq!(places.over_capacity(5), 0);
    }

    #[test]
    fn only_a_held_place_is_freed_by_cancelling() {
        let full = Places {
            capacity: 2,
            confirmed: 2,
            held: 0,
        };
        assert_eq!(full.after_cancelling(SignupStatus::Confirmed).free(), 1);
        assert_eq!(full.after_cancelling(SignupStatus::Waitlisted).free(), 0);
    }

    #[test]
    fn held_places_are_not_free_and_yield_first() {
        let places = Places {
            capacity: 4,
            confirmed: 2,
            held: 2,
        };
        assert_eq!(places.free(), 0);
        assert_eq!(places.place_newcomer(0), Placement::Waitlisted);
        // Down to 3: one guest's hold goes; down to 1: both holds, and one confirmed moves.
        assert_eq!(places.holds_over(3), 1);
        assert_eq!(places.holds_over(1), 2);
        assert_eq!(places.over_capacity(1), 1);
        assert_eq!(places.holds_over(4), 0);
    }

    #[test]
    fn late_means_the_volunteers_own_cancellation_within_a_day() {
        let starts = Utc
            .with_ymd_and_hms(2026, 12, 5, 15, 0, 0)
            .single()
            .expect("valid");
        let day_before = starts - Duration::hours(23);
        let two_days_before = starts - Duration::hours(48);
        use SignupStatus::*;
        assert!(is_late_cancellation(Confirmed, true, starts, day_before));
        assert!(!is_late_cancellation(
            Confirmed,
            true,
            starts,
            two_days_before
        ));
        assert!(!is_late_cancellation(Confirmed, false, starts, day_before));
        assert!(!is_late_cancellation(Waitlisted, true, starts, day_before));
    }

    #[test]
    fn the_day_of_a_shift_is_the_local_day() {
        // 23:30 UTC on 31 December is already New Year's Day in Berlin.
        let late = Utc
            .with_ymd_and_hms(2026, 12, 31, 23, 30, 0)
            .single()
            .expect("valid");
        assert_eq!(
            local_day(late),
            NaiveDate::from_ymd_opt(2027, 1, 1).expect("valid")
        );
    }
}
