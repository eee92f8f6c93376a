//! Rooms of a centre and their bookings (Rule 8): who may book, how long and how far ahead,
//! which layout holds how many, and the time a booking takes with its buffers.

use chrono::{DateTime, Duration, Timelike, Utc};
use chrono_tz::Tz;

/// A booked time: from its start to its end.
pub type Times = (DateTime<Utc>, DateTime<Utc>);

/// Who may book a room besides the operator's own staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookableBy {
    /// The operator's staff only.
    Staff,
    /// Also the staff of partners.
    Partners,
    /// Also residents with an account, who always ask (staff decide).
    Residents,
}

/// How a room is set up, which decides how many it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Rows of chairs.
    Seated,
    /// At tables.
    Tables,
    Standing,
}

/// Where one date of a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingStatus {
    /// Asked for; blocks nothing until confirmed.
    Requested,
    /// The room is taken: its parts are claimed.
    Confirmed,
    Declined,
    Cancelled,
}

/// For whom a room is booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookerKind {
    /// The room's operator itself (its staff book).
    Operator,
    /// A partner, by its staff.
    Partner,
    /// An activity, by the staff who run it: its group meets outside its schedule.
    Activity,
    /// A resident with an account, for themselves.
    Account,
    /// A resident without an account, who confirmed the request from the mail.
    Guest,
}

/// What a series does with dates that are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictPolicy {
    /// Nothing is booked when any date is taken.
    Fail,
    /// The free dates are booked; the answer names the skipped ones.
    Skip,
}

macro_rules! names {
    ($type:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $type {
            pub const ALL: &'static [$type] = &[$($type::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($type::$variant => $name),+
                }
            }

            pub fn parse(raw: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|value| value.as_str() == raw)
            }
        }
    };
}

names!(BookableBy { Staff => "staff", Partners => "partners", Residents => "residents" });
names!(Layout { Seated => "seated", Tables => "tables", Standing => "standing" });
names!(BookingStatus {
    Requested => "requested",
    Confirmed => "confirmed",
    Declined => "declined",
    Cancelled => "cancelled",
});
names!(BookerKind {
    Operator => "operator",
    Partner => "partner",
    Activity => "activity",
    Account => "account",
    Guest => "guest",
});
names!(ConflictPolicy { Fail => "fail", Skip => "skip" });

impl BookingStatus {
    /// Whether a date may move from `self` to `next`: requested dates are confirmed, declined
    /// or withdrawn; confirmed ones can only be cancelled; declined and cancelled stay.
    pub fn can_become(self, next: BookingStatus) -> bool {
        use BookingStatus::*;
        matches!(
            (self, next),
            (Requested, Confirmed | Declined | Cancelled) | (Confirmed, Cancelled)
        )
    }

    /// Whether the date still counts against the booker's limit and shows as asked or taken.
    pub fn is_live(self) -> bool {
        matches!(self, BookingStatus::Requested | BookingStatus::Confirmed)
    }
}

/// The rules a room sets for each booked date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoomRules {
    pub min_duration_minutes: i32,
    pub max_duration_minutes: i32,
    /// Dates start and end on this grid of local time (15: at :00, :15, :30, :45).
    pub slot_minutes: i32,
    pub min_notice_hours: i32,
    pub max_notice_days: i32,
    pub setup_minutes: i32,
    pub cleanup_minutes: i32,
    pub capacity_seated: Option<i32>,
    pub capacity_tables: Option<i32>,
    pub capacity_standing: Option<i32>,
}

/// Why a date cannot be booked, whoever asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateRefusal {
    /// Shorter or longer than the room allows.
    Duration { min: i32, max: i32 },
    /// Not on the room's grid of local time.
    OffGrid { slot_minutes: i32 },
    /// Sooner than the room's notice allows.
    TooSoon { hours: i32 },
    /// Further ahead than the room takes bookings.
    TooFar { days: i32 },
}

impl RoomRules {
    /// How many people the room holds in `layout`; `None` where it is not offered.
    pub fn capacity(&self, layout: Layout) -> Option<i32> {
        match layout {
            Layout::Seated => self.capacity_seated,
            Layout::Tables => self.capacity_tables,
            Layout::Standing => self.capacity_standing,
        }
    }

    /// Whether one date from `starts_at` to `ends_at` keeps the room's rules at `now`; times
    /// on the grid are read in the centre's `zone`.
    pub fn check(
        &self,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        now: DateTime<Utc>,
        zone: Tz,
    ) -> Result<(), DateRefusal> {
        let minutes = (ends_at - starts_at).num_minutes();
        if ends_at <= starts_at
            || minutes < i64::from(self.min_duration_minutes)
            || minutes > i64::from(self.max_duration_minutes)
        {
            return Err(DateRefusal::Duration {
                min: self.min_duration_minutes,
                max: self.max_duration_minutes,
            });
        }
        let on_grid = |at: DateTime<Utc>| {
            let local = at.with_timezone(&zone);
            local.second() == 0
                && local.nanosecond() == 0
                && (local.hour() * 60 + local.minute())
                    .is_multiple_of(self.slot_minutes.max(1) as u32)
        };
        if !on_grid(starts_at) || !on_grid(ends_at) {
            return Err(DateRefusal::OffGrid {
                slot_minutes: self.slot_minutes,
            });
        }
        if starts_at < now + Duration::hours(i64::from(self.min_notice_hours)) {
            return Err(DateRefusal::TooSoon {
                hours: self.min_notice_hours,
            });
        }
        if starts_at > now + Duration::days(i64::from(self.max_notice_days)) {
            return Err(DateRefusal::TooFar {
                days: self.max_notice_days,
            });
        }
        Ok(())
    }

    /// The time a date takes the room: the booked time with set-up before and clean-up after.
    pub fn blocked(
        &self,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    ) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            starts_at - Duration::minutes(i64::from(self.setup_minutes)),
            ends_at + Duration::minutes(i64::from(self.cleanup_minutes)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Europe::Berlin;

    fn rules() -> RoomRules {
        RoomRules {
            min_duration_minutes: 30,
            max_duration_minutes: 240,
            slot_minutes: 15,
            min_notice_hours: 24,
            max_notice_days: 90,
            setup_minutes: 15,
            cleanup_minutes: 30,
            capacity_seated: Some(40),
            capacity_tables: None,
            capacity_standing: Some(80),
        }
    }

    fn berlin(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Berlin
            .with_ymd_and_hms(2027, 3, d, h, m, 0)
            .single()
            .expect("a local time")
            .with_timezone(&Utc)
    }

    #[test]
    fn dates_keep_the_rooms_duration_grid_and_notice() {
        let now = berlin(1, 12, 0);
        let rules = rules();
        assert_eq!(
            rules.check(berlin(10, 18, 0), berlin(10, 20, 0), now, Berlin),
            Ok(())
        );
        assert_eq!(
            rules.check(berlin(10, 18, 0), berlin(10, 18, 15), now, Berlin),
            Err(DateRefusal::Duration { min: 30, max: 240 })
        );
        assert_eq!(
            rules.check(berlin(10, 18, 0), berlin(10, 23, 0), now, Berlin),
            Err(DateRefusal::Duration { min: 30, max: 240 })
        );
        assert_eq!(
            rules.check(berlin(10, 18, 10), berlin(10, 19, 10), now, Berlin),
            Err(DateRefusal::OffGrid { slot_minutes: 15 })
        );
        assert_eq!(
            rules.check(berlin(2, 10, 0), berlin(2, 11, 0), now, Berlin),
            Err(DateRefusal::TooSoon { hours: 24 })
        );
        let far = now + Duration::days(91);
        assert_eq!(
            rules.check(far, far + Duration::hours(1), now, Berlin),
            Err(DateRefusal::TooFar { days: 90 })
        );
    }

    #[test]
    fn buffers_widen_the_blocked_time_and_layouts_have_their_own_capacity() {
        let rules = rules();
        assert_eq!(
            rules.blocked(berlin(10, 18, 0), berlin(10, 20, 0)),
            (berlin(10, 17, 45), berlin(10, 20, 30))
        );
        assert_eq!(rules.capacity(Layout::Seated), Some(40));
        assert_eq!(rules.capacity(Layout::Tables), None);
    }

    #[test]
    fn statuses_move_only_forward() {
        use BookingStatus::*;
        assert!(Requested.can_become(Confirmed));
        assert!(Requested.can_become(Declined));
        assert!(Confirmed.can_become(Cancelled));
        assert!(!Confirmed.can_become(Declined));
        assert!(!Declined.can_become(Confirmed));
        assert!(!Cancelled.can_become(Confirmed));
        for status in BookingStatus::ALL {
            assert_eq!(BookingStatus::parse(status.as_str()), Some(*status));
        }
    }
}
