//! Workload limits that protect volunteers: an operator's policy (minutes a day and a week,
//! shifts a week, rest between shifts, sign-ups ahead) and a volunteer's own caps (shifts a
//! week and a month). Days, ISO weeks and months are those of Europe/Berlin.
//!
//! What counts is what holds a place: confirmed and attended sign-ups, and places held for
//! a guest. A shift belongs to the day, week and month it starts in. The operator's limits
//! count the volunteer's shifts at that operator; her own caps count all of hers.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone, Utc};

use crate::activity::Category;
use crate::signup::LOCAL_ZONE;

/// The most any limit may be: a week's minutes.
pub const MOST: i32 = 7 * 24 * 60;

/// An operator's limits; `None` sets none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkloadPolicy {
    pub max_minutes_per_day: Option<i32>,
    pub max_minutes_per_week: Option<i32>,
    pub max_shifts_per_week: Option<i32>,
    pub min_rest_minutes: Option<i32>,
    pub max_future_signups: Option<i32>,
    /// Whether the limits hold for sign-ups staff make for a volunteer too.
    pub binds_staff: bool,
}

impl WorkloadPolicy {
    /// Whether it limits anything.
    pub fn limits_anything(&self) -> bool {
        self.max_minutes_per_day.is_some()
            || self.max_minutes_per_week.is_some()
            || self.max_shifts_per_week.is_some()
            || self.min_rest_minutes.is_some()
            || self.max_future_signups.is_some()
    }
}

/// A volunteer's own caps; `None` sets none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OwnCaps {
    pub shifts_per_week: Option<i32>,
    pub shifts_per_month: Option<i32>,
}

/// One limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    MinutesPerDay,
    MinutesPerWeek,
    ShiftsPerWeek,
    RestBetweenShifts,
    FutureSignups,
    OwnShiftsPerWeek,
    OwnShiftsPerMonth,
}

impl Limit {
    pub const ALL: [Limit; 7] = [
        Limit::MinutesPerDay,
        Limit::MinutesPerWeek,
        Limit::ShiftsPerWeek,
        Limit::RestBetweenShifts,
        Limit::FutureSignups,
        Limit::OwnShiftsPerWeek,
        Limit::OwnShiftsPerMonth,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Limit::MinutesPerDay => "minutes_per_day",
            Limit::MinutesPerWeek => "minutes_per_week",
            Limit::ShiftsPerWeek => "shifts_per_week",
            Limit::RestBetweenShifts => "rest_between_shifts",
            Limit::FutureSignups => "future_signups",
            Limit::OwnShiftsPerWeek => "own_shifts_per_week",
            Limit::OwnShiftsPerMonth => "own_shifts_per_month",
        }
    }
}

/// A stretch of time, `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// Local midnight at the start of `date` (the first moment of the day, should a switch of
/// the clocks ever fall on midnight).
pub fn midnight(date: NaiveDate) -> DateTime<Utc> {
    let naive = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    LOCAL_ZONE
        .from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            LOCAL_ZONE
                .from_local_datetime(&(naive + chrono::Duration::hours(1)))
                .earliest()
        })
        .map_or_else(|| naive.and_utc(), |local| local.with_timezone(&Utc))
}

fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&LOCAL_ZONE).date_naive()
}

/// The local day `at` falls in.
pub fn day_of(at: DateTime<Utc>) -> Window {
    let date = local_date(at);
    Window {
        from: midnight(date),
        to: midnight(date.checked_add_days(Days::new(1)).unwrap_or(date)),
    }
}

/// The ISO week (Monday to Sunday, local time) `at` falls in.
pub fn week_of(at: DateTime<Utc>) -> Window {
    let date = local_date(at);
    let monday = date
        .checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday())))
        .unwrap_or(date);
    Window {
        from: midnight(monday),
        to: midnight(monday.checked_add_days(Days::new(7)).unwrap_or(monday)),
    }
}

/// The calendar month (local time) `at` falls in.
pub fn month_of(at: DateTime<Utc>) -> Window {
    let date = local_date(at);
    let first = date.with_day(1).unwrap_or(date);
    Window {
        from: midnight(first),
        to: midnight(first.checked_add_months(Months::new(1)).unwrap_or(first)),
    }
}

/// What the volunteer holds already around a new shift: at its operator (minutes that day
/// and week, shifts that week, sign-ups ahead, and the rest between the new shift and her
/// nearest shifts there before and after it), and anywhere (shifts that week and month).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub operator_minutes_day: i64,
    pub operator_minutes_week: i64,
    pub operator_shifts_week: i64,
    pub operator_future: i64,
    /// Minutes from the end of her last shift there before this one to its start.
    pub rest_before: Option<i64>,
    /// Minutes from the end of this one to the start of her next shift there.
    pub rest_after: Option<i64>,
    pub shifts_week: i64,
    pub shifts_month: i64,
}

/// A limit a sign-up would break: which, over which window, the limit itself, what she
/// holds and what she would hold. For the rest between shifts, `allowed` is the least rest
/// and `current` and `would_be` the rest there would be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exceeded {
    pub limit: Limit,
    /// The activity category whose limits these are; `None` for the operator's own limits
    /// and her caps.
    pub category: Option<Category>,
    pub window: Option<Window>,
    pub allowed: i64,
    pub current: i64,
    pub would_be: i64,
}

/// A shift to sign up for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewShift {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl NewShift {
    fn minutes(&self) -> i64 {
        (self.ends_at - self.starts_at).num_minutes().max(0)
    }
}

/// The first limit the sign-up for `shift` would break, checked in the order of
/// `Limit::ALL`; `policy` is `None` where the operator's limits do not bind this sign-up.
pub fn check(
    policy: Option<&WorkloadPolicy>,
    caps: &OwnCaps,
    usage: &Usage,
    shift: NewShift,
) -> Result<(), Exceeded> {
    let minutes = shift.minutes();
    let over = |limit, window, allowed: Option<i32>, current: i64, added: i64| match allowed {
        Some(allowed) if current + added > i64::from(allowed) => Err(Exceeded {
            limit,
            category: None,
            window,
            allowed: i64::from(allowed),
            current,
            would_be: current + added,
        }),
        _ => Ok(()),
    };
    let day = Some(day_of(shift.starts_at));
    let week = Some(week_of(shift.starts_at));
    let month = Some(month_of(shift.starts_at));
    if let Some(policy) = policy {
        over(
            Limit::MinutesPerDay,
            day,
            policy.max_minutes_per_day,
            usage.operator_minutes_day,
            minutes,
        )?;
        over(
            Limit::MinutesPerWeek,
            week,
            policy.max_minutes_per_week,
            usage.operator_minutes_week,
            minutes,
        )?;
        over(
            Limit::ShiftsPerWeek,
            week,
            policy.max_shifts_per_week,
            usage.operator_shifts_week,
            1,
        )?;
        if let Some(least) = policy.min_rest_minutes {
            let tightest = [usage.rest_before, usage.rest_after]
                .into_iter()
                .flatten()
                .min();
            if let Some(rest) = tightest
                && rest < i64::from(least)
            {
                return Err(Exceeded {
                    limit: Limit::RestBetweenShifts,
                    category: None,
                    window: None,
                    allowed: i64::from(least),
                    current: rest,
                    would_be: rest,
                });
            }
        }
        over(
            Limit::FutureSignups,
            None,
            policy.max_future_signups,
            usage.operator_future,
            1,
        )?;
    }
    over(
        Limit::OwnShiftsPerWeek,
        week,
        caps.shifts_per_week,
        usage.shifts_week,
        1,
    )?;
    over(
        Limit::OwnShiftsPerMonth,
        month,
        caps.shifts_per_month,
        usage.shifts_month,
        1,
    )
}

/// The first limit an operator sets for shifts of one `category` that the sign-up for
/// `shift` (of that category) would break; `usage` counts only her shifts of that category
/// at the operator. Held beside `check`, which counts all of them.
pub fn check_category(
    category: Category,
    policy: &WorkloadPolicy,
    usage: &Usage,
    shift: NewShift,
) -> Result<(), Exceeded> {
    check(Some(policy), &OwnCaps::default(), usage, shift).map_err(|exceeded| Exceeded {
        category: Some(category),
        ..exceeded
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339)
            .expect("a time")
            .with_timezone(&Utc)
    }

    fn shift(start: &str, end: &str) -> NewShift {
        NewShift {
            starts_at: at(start),
            ends_at: at(end),
        }
    }

    #[test]
    fn windows_are_local_days_iso_weeks_and_months() {
        // Sunday 30 March 2025, the day the clocks go forward: 23 hours.
        let day = day_of(at("2025-03-30T12:00:00Z"));
        assert_eq!(day.from, at("2025-03-29T23:00:00Z"));
        assert_eq!(day.to, at("2025-03-30T22:00:00Z"));
        // Its ISO week began on Monday 24 March, in winter time.
        let week = week_of(at("2025-03-30T12:00:00Z"));
        assert_eq!(week.from, at("2025-03-23T23:00:00Z"));
        assert_eq!(week.to, at("2025-03-30T22:00:00Z"));
        // 00:30 on a Monday in Berlin is still Sunday in UTC: the new week.
        assert_eq!(
            week_of(at("2025-06-01T22:30:00Z")).from,
            at("2025-06-01T22:00:00Z")
        );
        let month = month_of(at("2025-12-31T23:30:00Z"));
        assert_eq!(month.from, at("2025-12-31T23:00:00Z"));
        assert_eq!(month.to, at("2026-01-31T23:00:00Z"));
    }

    #[test]
    fn the_first_broken_limit_is_named_with_its_figures() {
        let policy = WorkloadPolicy {
            max_minutes_per_day: Some(240),
            max_shifts_per_week: Some(3),
            ..WorkloadPolicy::default()
        };
        let two_hours = shift("2025-06-03T08:00:00Z", "2025-06-03T10:00:00Z");
        let usage = Usage {
            operator_minutes_day: 180,
            ..Usage::default()
        };
        let refused = check(Some(&policy), &OwnCaps::default(), &usage, two_hours)
            .expect_err("over the day's minutes");
        assert_eq!(refused.limit, Limit::MinutesPerDay);
        assert_eq!(
            (refused.allowed, refused.current, refused.would_be),
            (240, 180, 300)
        );
        assert_eq!(refused.window, Some(day_of(two_hours.starts_at)));
        let usage = Usage {
            operator_shifts_week: 3,
            ..Usage::default()
        };
        let refused = check(Some(&policy), &OwnCaps::default(), &usage, two_hours)
            .expect_err("a fourth shift");
        assert_eq!(refused.limit, Limit::ShiftsPerWeek);
        // Not binding (a staff sign-up the policy leaves free): only her own caps count.
        assert_eq!(check(None, &OwnCaps::default(), &usage, two_hours), Ok(()));
        let caps = OwnCaps {
            shifts_per_week: Some(3),
            shifts_per_month: None,
        };
        let usage = Usage {
            shifts_week: 3,
            ..Usage::default()
        };
        let refused = check(None, &caps, &usage, two_hours).expect_err("her own cap");
        assert_eq!(refused.limit, Limit::OwnShiftsPerWeek);
        assert_eq!((refused.current, refused.would_be), (3, 4));
    }

    #[test]
    fn a_category_limit_names_its_category_and_leaves_her_caps_alone() {
        let counselling = WorkloadPolicy {
            max_shifts_per_week: Some(1),
            ..WorkloadPolicy::default()
        };
        let two_hours = shift("2025-06-03T08:00:00Z", "2025-06-03T10:00:00Z");
        let one_there = Usage {
            operator_shifts_week: 1,
            // Her own week elsewhere is no business of the category's limits.
            shifts_week: 40,
            ..Usage::default()
        };
        let refused = check_category(Category::Counselling, &counselling, &one_there, two_hours)
            .expect_err("a second counselling shift");
        assert_eq!(refused.limit, Limit::ShiftsPerWeek);
        assert_eq!(refused.category, Some(Category::Counselling));
        assert_eq!((refused.current, refused.would_be), (1, 2));
        assert_eq!(
            check_category(
                Category::Counselling,
                &counselling,
                &Usage {
                    shifts_week: 40,
                    ..Usage::default()
                },
                two_hours
            ),
            Ok(())
        );
    }

    #[test]
    fn rest_is_the_gap_to_the_nearest_shift_on_either_side() {
        let policy = WorkloadPolicy {
            min_rest_minutes: Some(60),
            ..WorkloadPolicy::default()
        };
        let noon = shift("2025-06-03T10:00:00Z", "2025-06-03T12:00:00Z");
        let usage = Usage {
            rest_before: Some(30),
            rest_after: Some(600),
            ..Usage::default()
        };
        let refused =
            check(Some(&policy), &OwnCaps::default(), &usage, noon).expect_err("30 minutes");
        assert_eq!(refused.limit, Limit::RestBetweenShifts);
        assert_eq!((refused.allowed, refused.current), (60, 30));
        let rested = Usage {
            rest_before: Some(60),
            ..Usage::default()
        };
        assert_eq!(
            check(Some(&policy), &OwnCaps::default(), &rested, noon),
            Ok(())
        );
    }
}
