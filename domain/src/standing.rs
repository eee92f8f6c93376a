//! Standing sign-ups: a volunteer's commitment to a shift slot of an activity on a pattern of
//! dates ("every Tuesday at 15:00"), and the dates she cannot come. Which local dates a
//! commitment covers is decided here alone; a worker signs her up for the shifts on them
//! through the normal sign-up.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};

use crate::validation::ValidationErrors;

/// Which dates of the weekday a commitment covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Every week.
    Weekly,
    /// Every second week, counted from `anchor` (a date of the weekday).
    Biweekly { anchor: NaiveDate },
    /// The nth weekday of the month.
    Monthly { week: WeekOfMonth },
}

/// Which of a month's weekdays: the first to the fifth, or the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeekOfMonth {
    Nth(u8),
    Last,
}

impl WeekOfMonth {
    /// As stored: 1 to 5, -1 for the last.
    pub fn number(self) -> i16 {
        match self {
            WeekOfMonth::Nth(n) => i16::from(n),
            WeekOfMonth::Last => -1,
        }
    }

    pub fn from_number(number: i16) -> Option<Self> {
        match number {
            -1 => Some(WeekOfMonth::Last),
            1..=5 => u8::try_from(number).ok().map(WeekOfMonth::Nth),
            _ => None,
        }
    }
}

/// Whether the commitment is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandingStatus {
    /// Signed up for its dates as they come.
    Active,
    /// Kept, but no new dates are signed up for until it is active again.
    Paused,
    /// Over: its future sign-ups were cancelled. Final.
    Ended,
}

impl StandingStatus {
    pub const ALL: [StandingStatus; 3] = [
        StandingStatus::Active,
        StandingStatus::Paused,
        StandingStatus::Ended,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StandingStatus::Active => "active",
            StandingStatus::Paused => "paused",
            StandingStatus::Ended => "ended",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == raw)
    }

    /// Whether a commitment in this status may move to `next`: active and paused into each
    /// other and into ended; nothing out of ended.
    pub fn can_become(self, next: StandingStatus) -> bool {
        self != StandingStatus::Ended && self != next
    }
}

/// A commitment's rule of dates: the weekday, the pattern, the slot's local start time, and
/// the dates it is valid from and until (both included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitment {
    pub weekday: Weekday,
    pub pattern: Pattern,
    pub slot_start: NaiveTime,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
}

/// The latest a commitment may be valid from, or a blockout reach, from today.
pub const FURTHEST_AHEAD: Duration = Duration::days(3 * 366);

impl Commitment {
    /// Checks what a new commitment asks for, as of the local date `today`: a biweekly
    /// anchor falls on the weekday; valid from today or later and not more than three years
    /// ahead; valid until on or after valid from. Errors name the request's fields.
    pub fn check(&self, today: NaiveDate, errors: &mut ValidationErrors) {
        if let Pattern::Biweekly { anchor } = self.pattern
            && anchor.weekday() != self.weekday
        {
            errors.push("anchor_date", "must fall on the weekday");
        }
        if self.valid_from < today {
            errors.push("valid_from", "must not be in the past");
        } else if self.valid_from > today + FURTHEST_AHEAD {
            errors.push("valid_from", "must be within three years");
        }
        if let Some(until) = self.valid_until
            && until < self.valid_from
        {
            errors.push("valid_until", "must not be before valid_from");
        }
    }

    /// Whether the commitment covers the local date `date`.
    pub fn covers(&self, date: NaiveDate) -> bool {
        if date < self.valid_from || self.valid_until.is_some_and(|until| date > until) {
            return false;
        }
        if date.weekday() != self.weekday {
            return false;
        }
        match self.pattern {
            Pattern::Weekly => true,
            Pattern::Biweekly { anchor } => (date - anchor).num_days().rem_euclid(14) == 0,
            Pattern::Monthly { week } => match week {
                WeekOfMonth::Nth(n) => (date.day() - 1) / 7 + 1 == u32::from(n),
                WeekOfMonth::Last => (date + Duration::days(7)).month() != date.month(),
            },
        }
    }
}

/// Dates a volunteer cannot come: `starts_on` to `ends_on` (both included), and where
/// `weekly_until` is set the same days again every week until then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blockout {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub weekly_until: Option<NaiveDate>,
}

impl Blockout {
    /// Checks a new blockout as of the local date `today`: it ends on or after it starts and
    /// not before today, and stays within three years; a weekly one spans less than a week.
    pub fn check(&self, today: NaiveDate, errors: &mut ValidationErrors) {
        if self.ends_on < self.starts_on {
            errors.push("ends_on", "must not be before starts_on");
        } else if self.ends_on < today {
            errors.push("ends_on", "must not be in the past");
        }
        let last = self.weekly_until.unwrap_or(self.ends_on);
        if last > today + FURTHEST_AHEAD {
            errors.push(
                if self.weekly_until.is_some() {
                    "weekly_until"
                } else {
                    "ends_on"
                },
                "must be within three years",
            );
        }
        if let Some(until) = self.weekly_until {
            if (self.ends_on - self.starts_on).num_days() >= 7 {
                errors.push("weekly_until", "needs a span of less than a week to repeat");
            } else if until < self.ends_on {
                errors.push("weekly_until", "must not be before ends_on");
            }
        }
    }

    /// Whether the local date `date` is blocked out.
    pub fn covers(&self, date: NaiveDate) -> bool {
        if date < self.starts_on {
            return false;
        }
        if date <= self.ends_on {
            return true;
        }
        match self.weekly_until {
            Some(until) if date <= until => {
                (date - self.starts_on).num_days() % 7 <= (self.ends_on - self.starts_on).num_days()
            }
            _ => false,
        }
    }
}

/// How many places of a shift standing sign-ups may confirm: as set for the shift, else all
/// but one, so that a newcomer always finds one.
pub fn standing_places(capacity: i32, standing_max: Option<i32>) -> i32 {
    standing_max
        .unwrap_or(capacity - 1)
        .clamp(0, capacity.max(0))
}

/// How a commitment's dates are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandingMode {
    /// Signed up for each date at once.
    Auto,
    /// Each date is offered: a place is held for her until she accepts or declines it, or
    /// until its answer is due, when the place goes to whoever waits.
    Ask,
}

impl StandingMode {
    pub const ALL: [StandingMode; 2] = [StandingMode::Auto, StandingMode::Ask];

    pub fn as_str(self) -> &'static str {
        match self {
            StandingMode::Auto => "auto",
            StandingMode::Ask => "ask",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|mode| mode.as_str() == raw)
    }
}

/// Hours before a shift an offer is to be answered, unless a commitment says otherwise.
pub const ANSWER_HOURS: i32 = 72;
/// The most hours before a shift an offer may be due.
pub const MOST_ANSWER_HOURS: i32 = 14 * 24;

/// When the offer of a shift starting at `starts_at`, made at `now`, is to be answered:
/// `hours` before the shift starts; where that has passed already, halfway from now to the
/// start, so that she still has time and the place still has a chance.
pub fn answer_by(starts_at: DateTime<Utc>, now: DateTime<Utc>, hours: i32) -> DateTime<Utc> {
    let due = starts_at - Duration::hours(i64::from(hours));
    if due > now {
        due
    } else {
        now + (starts_at - now) / 2
    }
}

/// What came of a commitment for one shift of its slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOutcome {
    Confirmed,
    Waitlisted,
    /// Asked: a place (or, with none free, a place on the waitlist) waits for her answer.
    Offered,
    /// She declined the offer.
    Declined,
    /// The offer was not answered in time, or its shift was cancelled first.
    Expired,
    /// A blockout of hers covers the date.
    BlockedOut,
    /// She had a sign-up for the shift already (made for this date alone).
    SignedUpAlready,
    /// A confirmed shift of hers overlaps it.
    Overlapping,
    QualificationMissing,
    WorkloadLimit,
}

impl DateOutcome {
    pub const ALL: [DateOutcome; 10] = [
        DateOutcome::Confirmed,
        DateOutcome::Waitlisted,
        DateOutcome::Offered,
        DateOutcome::Declined,
        DateOutcome::Expired,
        DateOutcome::BlockedOut,
        DateOutcome::SignedUpAlready,
        DateOutcome::Overlapping,
        DateOutcome::QualificationMissing,
        DateOutcome::WorkloadLimit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DateOutcome::Confirmed => "confirmed",
            DateOutcome::Waitlisted => "waitlisted",
            DateOutcome::Offered => "offered",
            DateOutcome::Declined => "declined",
            DateOutcome::Expired => "expired",
            DateOutcome::BlockedOut => "blocked_out",
            DateOutcome::SignedUpAlready => "signed_up_already",
            DateOutcome::Overlapping => "overlapping",
            DateOutcome::QualificationMissing => "qualification_missing",
            DateOutcome::WorkloadLimit => "workload_limit",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|outcome| outcome.as_str() == raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offer_is_due_hours_before_its_shift_or_halfway_there() {
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .expect("a time")
                .with_timezone(&Utc)
        };
        let now = at("2027-03-01T10:00:00Z");
        assert_eq!(
            answer_by(at("2027-03-10T15:00:00Z"), now, 72),
            at("2027-03-07T15:00:00Z")
        );
        // Two days ahead, with three days asked for: halfway, a day from now.
        assert_eq!(
            answer_by(at("2027-03-03T10:00:00Z"), now, 72),
            at("2027-03-02T10:00:00Z")
        );
        for mode in StandingMode::ALL {
            assert_eq!(StandingMode::parse(mode.as_str()), Some(mode));
        }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    fn commitment(weekday: Weekday, pattern: Pattern) -> Commitment {
        Commitment {
            weekday,
            pattern,
            slot_start: NaiveTime::from_hms_opt(15, 0, 0).expect("a time"),
            valid_from: date(2027, 1, 1),
            valid_until: Some(date(2027, 12, 31)),
        }
    }

    fn covered(c: &Commitment, from: NaiveDate, days: i64) -> Vec<NaiveDate> {
        (0..days)
            .map(|d| from + Duration::days(d))
            .filter(|d| c.covers(*d))
            .collect()
    }

    #[test]
    fn weekly_covers_each_weekday_within_validity() {
        let c = commitment(Weekday::Tue, Pattern::Weekly);
        let dates = covered(&c, date(2026, 12, 20), 31);
        assert_eq!(
            dates,
            [date(2027, 1, 5), date(2027, 1, 12), date(2027, 1, 19)]
        );
        assert!(!c.covers(date(2028, 1, 4)));
    }

    #[test]
    fn biweekly_counts_from_its_anchor_both_ways() {
        let c = commitment(
            Weekday::Tue,
            Pattern::Biweekly {
                anchor: date(2027, 3, 2),
            },
        );
        let dates = covered(&c, date(2027, 1, 1), 60);
        assert_eq!(
            dates,
            [
                date(2027, 1, 5),
                date(2027, 1, 19),
                date(2027, 2, 2),
                date(2027, 2, 16)
            ]
        );
    }

    #[test]
    fn monthly_takes_the_nth_or_the_last_weekday() {
        let second = commitment(
            Weekday::Wed,
            Pattern::Monthly {
                week: WeekOfMonth::Nth(2),
            },
        );
        assert_eq!(
            covered(&second, date(2027, 3, 1), 62),
            [date(2027, 3, 10), date(2027, 4, 14)]
        );
        let fifth = commitment(
            Weekday::Wed,
            Pattern::Monthly {
                week: WeekOfMonth::Nth(5),
            },
        );
        // March 2027 has five Wednesdays, April four.
        assert_eq!(covered(&fifth, date(2027, 3, 1), 61), [date(2027, 3, 31)]);
        let last = commitment(
            Weekday::Fri,
            Pattern::Monthly {
                week: WeekOfMonth::Last,
            },
        );
        assert_eq!(
            covered(&last, date(2027, 1, 1), 59),
            [date(2027, 1, 29), date(2027, 2, 26)]
        );
    }

    #[test]
    fn a_commitment_is_checked() {
        let mut errors = ValidationErrors::default();
        let mut c = commitment(
            Weekday::Tue,
            Pattern::Biweekly {
                anchor: date(2027, 3, 3),
            },
        );
        c.valid_until = Some(date(2026, 12, 1));
        c.check(date(2027, 1, 2), &mut errors);
        let fields: Vec<String> = errors
            .into_result()
            .expect_err("refused")
            .0
            .iter()
            .map(|e| e.field.clone())
            .collect();
        assert_eq!(fields, ["anchor_date", "valid_from", "valid_until"]);
        let mut errors = ValidationErrors::default();
        commitment(Weekday::Tue, Pattern::Weekly).check(date(2026, 12, 6), &mut errors);
        assert!(errors.into_result().is_ok());
    }

    #[test]
    fn blockouts_cover_their_range_and_repeat_weekly() {
        let holiday = Blockout {
            starts_on: date(2027, 1, 11),
            ends_on: date(2027, 1, 17),
            weekly_until: None,
        };
        assert!(holiday.covers(date(2027, 1, 12)));
        assert!(!holiday.covers(date(2027, 1, 19)));
        let tuesdays = Blockout {
            starts_on: date(2027, 1, 5),
            ends_on: date(2027, 1, 5),
            weekly_until: Some(date(2027, 2, 28)),
        };
        assert!(tuesdays.covers(date(2027, 2, 23)));
        assert!(!tuesdays.covers(date(2027, 2, 24)));
        assert!(!tuesdays.covers(date(2027, 3, 2)));
        assert!(!tuesdays.covers(date(2027, 1, 4)));
        let mut errors = ValidationErrors::default();
        Blockout {
            starts_on: date(2027, 1, 1),
            ends_on: date(2027, 1, 10),
            weekly_until: Some(date(2027, 3, 1)),
        }
        .check(date(2026, 12, 6), &mut errors);
        assert!(errors.into_result().is_err());
    }

    #[test]
    fn standing_places_leave_one_for_newcomers_by_default() {
        assert_eq!(standing_places(3, None), 2);
        assert_eq!(standing_places(1, None), 0);
        assert_eq!(standing_places(3, Some(3)), 3);
        assert_eq!(standing_places(3, Some(7)), 3);
    }

    #[test]
    fn statuses_and_outcomes_round_trip() {
        for status in StandingStatus::ALL {
            assert_eq!(StandingStatus::parse(status.as_str()), Some(status));
        }
        for outcome in DateOutcome::ALL {
            assert_eq!(DateOutcome::parse(outcome.as_str()), Some(outcome));
        }
        assert!(StandingStatus::Active.can_become(StandingStatus::Paused));
        assert!(!StandingStatus::Ended.can_become(StandingStatus::Active));
        assert_eq!(WeekOfMonth::from_number(-1), Some(WeekOfMonth::Last));
        assert_eq!(WeekOfMonth::from_number(6), None);
    }
}
