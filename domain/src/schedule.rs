//! When an activity takes place: once, or by an RFC 5545 recurrence rule in local time.
//!
//! A recurring schedule is a rule (`FREQ=WEEKLY;BYDAY=TU`), a first start in local time, a
//! duration and an IANA time zone. Occurrences are computed in that zone, so a weekly 15:00
//! meetup stays at 15:00 local time across the daylight-saving switches while its UTC time
//! changes.
//!
//! Local times that do not exist or exist twice are resolved as RFC 5545 says (section 3.3.5):
//! - a first start inside the hour the clocks skip in spring is refused; an occurrence the rule
//!   puts there is moved forward by the length of the gap (02:30 becomes 03:30);
//! - a local time that occurs twice in autumn means its first instance (summer time).

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;
use rrule::{RRule, RRuleSet, Unvalidated};
use uuid::Uuid;

use crate::validation::ValidationErrors;

/// The zone a schedule is in when the client names none.
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::Europe::Berlin;

/// The most occurrences a rule may have in all (`COUNT`).
pub const MAX_COUNT: u32 = 1000;

/// The most dates a schedule may exclude.
pub const MAX_EXCLUDED_DATES: usize = 500;

/// A one-off event may last at most this long (a festival weekend).
pub const MAX_ONCE_DAYS: i64 = 14;

/// A recurring occurrence may last at most this long.
pub const MAX_RECURRING_MINUTES: u32 = 24 * 60;

use crate::window::YEARS;

/// An IANA time zone such as `Europe/Berlin`.
pub fn time_zone(raw: &str, field: &str) -> Result<Tz, ValidationErrors> {
    Tz::from_str(raw.trim()).map_err(|_| {
        ValidationErrors::single(field, "must be an IANA time zone such as Europe/Berlin")
    })
}

/// One dated instance a schedule produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Where the schedule puts it; identifies the occurrence within its activity even after
    /// staff moved it.
    pub original_start: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// A valid schedule.
#[derive(Debug, Clone)]
pub enum Schedule {
    Once {
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        time_zone: Tz,
    },
    Recurring(Box<Recurrence>),
}

/// A valid recurrence: the rule and what it is anchored to.
#[derive(Debug, Clone)]
pub struct Recurrence {
    rule: String,
    first_start: NaiveDateTime,
    duration_minutes: u32,
    time_zone: Tz,
    excluded_dates: BTreeSet<NaiveDate>,
    set: RRuleSet,
}

impl Schedule {
    /// A one-off event from `starts_at` to `ends_at`, shown in `time_zone`.
    pub fn once(
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        time_zone: Tz,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        for (at, field) in [
            (starts_at, "schedule.starts_at"),
            (ends_at, "schedule.ends_at"),
        ] {
            if !YEARS.contains(&at.year()) {
                errors.push(field, "must lie between the years 2000 and 2100");
            }
        }
        if ends_at <= starts_at {
            errors.push("schedule.ends_at", "must be after starts_at");
        } else if ends_at - starts_at > Duration::days(MAX_ONCE_DAYS) {
            errors.push(
                "schedule.ends_at",
                format!("must be at most {MAX_ONCE_DAYS} days after starts_at"),
            );
        }
        errors.into_result()?;
        Ok(Schedule::Once {
            starts_at,
            ends_at,
            time_zone,
        })
    }

    /// A recurring schedule: `rule` is an RFC 5545 RRULE value (`FREQ=WEEKLY;BYDAY=TU`, an
    /// `RRULE:` prefix is allowed), `first_start` the local date and time of the first
    /// occurrence in `time_zone`.
    pub fn recurring(
        rule: &str,
        first_start: NaiveDateTime,
        duration_minutes: u32,
        time_zone: Tz,
        excluded_dates: &[NaiveDate],
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if !YEARS.contains(&first_start.year()) {
            errors.push(
                "schedule.first_start",
                "must lie between the years 2000 and 2100",
            );
        } else if first_start.nanosecond() != 0 {
            errors.push("schedule.first_start", "must be given in whole seconds");
        }
        if !(1..=MAX_RECURRING_MINUTES).contains(&duration_minutes) {
            errors.push(
                "schedule.duration_minutes",
                format!("must be from 1 to {MAX_RECURRING_MINUTES} minutes"),
            );
        }
        if excluded_dates.len() > MAX_EXCLUDED_DATES {
            errors.push(
                "schedule.excluded_dates",
                format!("must hold at most {MAX_EXCLUDED_DATES} dates"),
            );
        }
        if excluded_dates.iter().any(|d| !YEARS.contains(&d.year())) {
            errors.push(
                "schedule.excluded_dates",
                "must be dates between the years 2000 and 2100",
            );
        }
        let start = match resolve_first_start(first_start, time_zone) {
            Ok(start) => Some(start),
            Err(message) => {
                errors.push("schedule.first_start", message);
                None
            }
        };
        let rule = errors.collect(normalize_rule(rule, first_start, time_zone));
        errors.into_result()?;
        let (Some(start), Some(rule)) = (start, rule) else {
            return Err(ValidationErrors::single("schedule", "is not valid"));
        };
        let parsed: RRule<Unvalidated> = rule.parse().map_err(rule_error)?;
        let set = parsed
            .build(start.with_timezone(&rrule::Tz::Tz(time_zone)))
            .map_err(rule_error)?
            // Stop a rule that searches forever for its next date.
            .limit();
        let recurrence = Recurrence {
            rule,
            first_start,
            duration_minutes,
            time_zone,
            excluded_dates: excluded_dates.iter().copied().collect(),
            set,
        };
        if recurrence.first_slot().is_none() {
            return Err(ValidationErrors::single(
                "schedule.rrule",
                "yields no dates after first_start and the excluded dates",
            ));
        }
        Ok(Schedule::Recurring(Box::new(recurrence)))
    }

    pub fn time_zone(&self) -> Tz {
        match self {
            Schedule::Once { time_zone, .. } => *time_zone,
            Schedule::Recurring(r) => r.time_zone,
        }
    }

    /// How far occurrences are stored when the horizon ends at `horizon_end`: a one-off event
    /// is stored however far ahead it lies.
    pub fn materialize_until(&self, horizon_end: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Schedule::Once { starts_at, .. } => horizon_end.max(*starts_at + Duration::seconds(1)),
            Schedule::Recurring(_) => horizon_end,
        }
    }

    /// Whether the schedule has an occurrence starting at or after `at`.
    pub fn continues_after(&self, at: DateTime<Utc>) -> bool {
        match self {
            Schedule::Once { starts_at, .. } => *starts_at >= at,
            Schedule::Recurring(r) => r.slots().any(|s| s.starts_at >= at),
        }
    }

    /// The occurrences that start at or after `from` and before `to`, in order.
    pub fn slots_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Slot> {
        match self {
            Schedule::Once {
                starts_at, ends_at, ..
            } => {
                if *starts_at >= from && *starts_at < to {
                    vec![Slot {
                        original_start: *starts_at,
                        starts_at: *starts_at,
                        ends_at: *ends_at,
                    }]
                } else {
                    Vec::new()
                }
            }
            Schedule::Recurring(r) => r
                .slots()
                .skip_while(|s| s.starts_at < from)
                .take_while(|s| s.starts_at < to)
                .collect(),
        }
    }
}

impl Recurrence {
    /// The rule as stored: upper case, without prefix, `UNTIL` in UTC.
    pub fn rule(&self) -> &str {
        &self.rule
    }

    pub fn first_start(&self) -> NaiveDateTime {
        self.first_start
    }

    pub fn duration_minutes(&self) -> u32 {
        self.duration_minutes
    }

    pub fn excluded_dates(&self) -> Vec<NaiveDate> {
        self.excluded_dates.iter().copied().collect()
    }

    /// Every occurrence, in order, without the excluded dates.
    fn slots(&self) -> impl Iterator<Item = Slot> + '_ {
        let duration = Duration::minutes(i64::from(self.duration_minutes));
        (&self.set)
            .into_iter()
            .filter(|start| !self.excluded_dates.contains(&start.date_naive()))
            .map(move |start| {
                let start = start.with_timezone(&Utc);
                Slot {
                    original_start: start,
                    starts_at: start,
                    ends_at: start + duration,
                }
            })
    }

    fn first_slot(&self) -> Option<Slot> {
        self.slots().next()
    }
}

/// The instant a local first start means: refused inside the spring gap, the earlier one in
/// the doubled autumn hour.
fn resolve_first_start(local: NaiveDateTime, zone: Tz) -> Result<DateTime<Tz>, String> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(at) => Ok(at),
        LocalResult::Ambiguous(earlier, _) => Ok(earlier),
        LocalResult::None => Err(format!(
            "{} does not exist in {}: the clocks skip that hour; choose a time outside it",
            local.format("%Y-%m-%dT%H:%M"),
            zone.name()
        )),
    }
}

/// Checks the parts rrule leaves open and rewrites `UNTIL` into UTC, as RFC 5545 requires
/// with a zoned start.
fn normalize_rule(
    raw: &str,
    first_start: NaiveDateTime,
    zone: Tz,
) -> Result<String, ValidationErrors> {
    let field = "schedule.rrule";
    let fail = |message: String| Err(ValidationErrors::single(field, message));
    if raw.chars().count() > 500 {
        return fail("must be at most 500 characters".into());
    }
    let upper = raw.trim().to_ascii_uppercase();
    let body = upper.strip_prefix("RRULE:").unwrap_or(&upper);
    if body.is_empty() {
        return fail("must not be empty; use for example FREQ=WEEKLY;BYDAY=TU".into());
    }
    if let Some(c) = body
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '=' | ';' | ',' | '-' | '+')))
    {
        return fail(format!(
            "contains {c:?}: give a single RRULE value such as FREQ=WEEKLY;BYDAY=TU"
        ));
    }
    let mut parts: BTreeMap<&str, &str> = BTreeMap::new();
    let mut order = Vec::new();
    for part in body.split(';').filter(|p| !p.is_empty()) {
        let Some((key, value)) = part.split_once('=') else {
            return fail(format!("{part:?} is not NAME=VALUE"));
        };
        if parts.insert(key, value).is_some() {
            return fail(format!("names {key} twice"));
        }
        order.push(key);
    }
    match parts.get("FREQ") {
        None => return fail("needs FREQ, such as FREQ=WEEKLY".into()),
        Some(&("DAILY" | "WEEKLY" | "MONTHLY" | "YEARLY")) => {}
        Some(&("HOURLY" | "MINUTELY" | "SECONDLY")) => {
            return fail("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY: an activity takes place at most once a day".into());
        }
        Some(other) => {
            return fail(format!(
                "FREQ={other} is unknown; use DAILY, WEEKLY, MONTHLY or YEARLY"
            ));
        }
    }
    for key in ["BYHOUR", "BYMINUTE", "BYSECOND"] {
        if parts.contains_key(key) {
            return fail(format!(
                "{key} is not supported: the time of day is first_start's"
            ));
        }
    }
    if parts.contains_key("COUNT") && parts.contains_key("UNTIL") {
        return fail("may have COUNT or UNTIL, not both".into());
    }
    if let Some(count) = parts.get("COUNT") {
        match count.parse::<u32>() {
            Ok(n) if (1..=MAX_COUNT).contains(&n) => {}
            _ => return fail(format!("COUNT must be from 1 to {MAX_COUNT}")),
        }
    }
    if let Some(interval) = parts.get("INTERVAL") {
        match interval.parse::<u16>() {
            Ok(n) if (1..=1000).contains(&n) => {}
            _ => return fail("INTERVAL must be from 1 to 1000".into()),
        }
    }
    let until = match parts.get("UNTIL") {
        Some(raw) => Some(until_utc(raw, zone).map_err(|m| ValidationErrors::single(field, m))?),
        None => None,
    };
    if let Some(until) = until {
        let first = zone
            .from_local_datetime(&first_start)
            .earliest()
            .map(|at| at.with_timezone(&Utc));
        if first.is_some_and(|first| until < first) {
            return fail("UNTIL lies before first_start".into());
        }
    }
    let rewritten: Vec<String> = order
        .iter()
        .map(|key| match (*key, until) {
            ("UNTIL", Some(until)) => format!("UNTIL={}", until.format("%Y%m%dT%H%M%SZ")),
            (key, _) => format!("{key}={}", parts[key]),
        })
        .collect();
    Ok(rewritten.join(";"))
}

/// `UNTIL` as a UTC instant: a date means the end of that local day, a time without `Z` is
/// local.
fn until_utc(raw: &str, zone: Tz) -> Result<DateTime<Utc>, String> {
    let invalid =
        || format!("UNTIL={raw} is not a date (20271231) or date and time (20271231T180000Z)");
    let (local, utc) = if let Some(stamp) = raw.strip_suffix('Z') {
        (
            NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%S").map_err(|_| invalid())?,
            true,
        )
    } else if raw.len() == 8 {
        let date = NaiveDate::parse_from_str(raw, "%Y%m%d").map_err(|_| invalid())?;
        (date.and_hms_opt(23, 59, 59).ok_or_else(invalid)?, false)
    } else {
        (
            NaiveDateTime::parse_from_str(raw, "%Y%m%dT%H%M%S").map_err(|_| invalid())?,
            false,
        )
    };
    if !YEARS.contains(&local.year()) {
        return Err("UNTIL must lie between the years 2000 and 2100".into());
    }
    if utc {
        return Ok(Utc.from_utc_datetime(&local));
    }
    zone.from_local_datetime(&local)
        .latest()
        .or_else(|| {
            zone.from_local_datetime(&(local + Duration::hours(1)))
                .latest()
        })
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(invalid)
}

fn rule_error(error: rrule::RRuleError) -> ValidationErrors {
    let message = match error {
        rrule::RRuleError::ParserError(e) => e.to_string(),
        rrule::RRuleError::ValidationError(e) => e.to_string(),
        rrule::RRuleError::IterError(e) => e,
    };
    ValidationErrors::single("schedule.rrule", format!("is not a valid rule: {message}"))
}

/// An occurrence already stored, as re-materialization sees it.
#[derive(Debug, Clone, Copy)]
pub struct Stored {
    pub id: Uuid,
    pub original_start: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Staff moved it: its own times stay.
    pub moved: bool,
    /// No longer produced by the schedule (kept for its shifts).
    pub detached: bool,
    /// It has begun or its place in the schedule has passed: it stays exactly as it is.
    pub frozen: bool,
    /// Shifts or sign-ups hang on it: it must not be deleted.
    pub has_dependents: bool,
}

/// What to do to the stored future occurrences so they follow a changed schedule.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Occurrences that stay, given their new place (ids keep calendar UIDs stable).
    pub update: Vec<(Uuid, Slot)>,
    pub insert: Vec<Slot>,
    pub delete: Vec<Uuid>,
    /// No longer in the schedule, but kept because shifts or sign-ups hang on them.
    pub keep: Vec<Uuid>,
}

/// Matches stored occurrences to the schedule's new slots: first by their exact place in the
/// schedule, then by local date, in order within a date, so an occurrence whose time changed
/// keeps its identity. Frozen occurrences never change; they only keep their slot (or their
/// date) taken, so a date that already took place is not planned again.
pub fn reconcile(stored: &[Stored], wanted: &[Slot], zone: Tz) -> Plan {
    let day = |at: DateTime<Utc>| at.with_timezone(&zone).date_naive();
    let mut plan = Plan::default();
    let mut matched: Vec<Option<&Stored>> = wanted
        .iter()
        .map(|slot| {
            stored
                .iter()
                .find(|s| s.original_start == slot.original_start)
        })
        .collect();
    let mut free: BTreeMap<NaiveDate, Vec<&Stored>> = BTreeMap::new();
    let mut sorted: Vec<&Stored> = stored
        .iter()
        .filter(|s| !matched.iter().flatten().any(|m| m.id == s.id))
        .collect();
    sorted.sort_by_key(|s| s.original_start);
    for s in sorted {
        free.entry(day(s.original_start)).or_default().push(s);
    }
    for (slot, found) in wanted.iter().zip(matched.iter_mut()) {
        if found.is_none() {
            let candidates = free.entry(day(slot.original_start)).or_default();
            if !candidates.is_empty() {
                *found = Some(candidates.remove(0));
            }
        }
    }
    for (slot, found) in wanted.iter().zip(&matched) {
        match found {
            Some(existing) if existing.frozen => {}
            Some(existing) => {
                let in_place = existing.original_start == slot.original_start
                    && !existing.detached
                    && (existing.moved
                        || (existing.starts_at == slot.starts_at
                            && existing.ends_at == slot.ends_at));
                if !in_place {
                    plan.update.push((existing.id, *slot));
                }
            }
            None => plan.insert.push(*slot),
        }
    }
    for s in free.values().flatten().filter(|s| !s.frozen) {
        if s.has_dependents {
            if !s.detached {
                plan.keep.push(s.id);
            }
        } else {
            plan.delete.push(s.id);
        }
    }
    plan
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, Timelike, Weekday};

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn berlin(rule: &str, first: &str, excluded: &[NaiveDate]) -> Schedule {
        Schedule::recurring(rule, local(first), 120, DEFAULT_TIME_ZONE, excluded).unwrap()
    }

    fn refusal(rule: &str, first: &str) -> String {
        Schedule::recurring(rule, local(first), 60, DEFAULT_TIME_ZONE, &[])
            .unwrap_err()
            .to_string()
    }

    fn all(schedule: &Schedule) -> Vec<Slot> {
        schedule.slots_between(utc("2000-01-01T00:00:00Z"), utc("2101-01-01T00:00:00Z"))
    }

    #[test]
    fn weekly_meetup_stays_at_local_time_across_both_switches() {
        let s = berlin(
            "FREQ=WEEKLY;BYDAY=TU;UNTIL=20271130",
            "2027-02-02T15:00",
            &[],
        );
        let slots = all(&s);
        assert_eq!(slots.len(), 44);
        for slot in &slots {
            let at = slot.starts_at.with_timezone(&DEFAULT_TIME_ZONE);
            assert_eq!(at.time(), NaiveTime::from_hms_opt(15, 0, 0).unwrap());
            assert_eq!(at.weekday(), Weekday::Tue);
            assert_eq!(slot.ends_at - slot.starts_at, Duration::minutes(120));
        }
        // Winter: 14:00 UTC; summer: 13:00 UTC.
        assert_eq!(slots[0].starts_at, utc("2027-02-02T14:00:00Z"));
        assert!(slots.contains(&Slot {
            original_start: utc("2027-03-30T13:00:00Z"),
            starts_at: utc("2027-03-30T13:00:00Z"),
            ends_at: utc("2027-03-30T15:00:00Z"),
        }));
        assert_eq!(slots.last().unwrap().starts_at, utc("2027-11-30T14:00:00Z"));
    }

    #[test]
    fn second_wednesday_of_each_month() {
        let s = berlin("FREQ=MONTHLY;BYDAY=2WE;COUNT=4", "2027-01-01T18:30", &[]);
        let days: Vec<String> = all(&s)
            .iter()
            .map(|slot| {
                slot.starts_at
                    .with_timezone(&DEFAULT_TIME_ZONE)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .collect();
        assert_eq!(
            days,
            [
                "2027-01-13 18:30",
                "2027-02-10 18:30",
                "2027-03-10 18:30",
                "2027-04-14 18:30"
            ]
        );
    }

    #[test]
    fn excluded_dates_are_left_out() {
        let excluded = [NaiveDate::from_ymd_opt(2027, 2, 9).unwrap()];
        let s = berlin("FREQ=WEEKLY;COUNT=3", "2027-02-02T15:00", &excluded);
        let days: Vec<u32> = all(&s).iter().map(|slot| slot.starts_at.day()).collect();
        assert_eq!(days, [2, 16]);
    }

    #[test]
    fn fortnightly_with_interval_and_local_until() {
        let s = berlin(
            "RRULE:freq=weekly;interval=2;byday=TH;until=20270325T170000",
            "2027-03-04T17:00",
            &[],
        );
        let days: Vec<u32> = all(&s).iter().map(|slot| slot.starts_at.day()).collect();
        assert_eq!(days, [4, 18]);
        let Schedule::Recurring(r) = s else { panic!() };
        assert_eq!(
            r.rule(),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;UNTIL=20270325T160000Z"
        );
    }

    #[test]
    fn slots_between_is_half_open() {
        let s = berlin("FREQ=DAILY;COUNT=5", "2027-06-01T10:00", &[]);
        let got = s.slots_between(utc("2027-06-02T08:00:00Z"), utc("2027-06-04T08:00:00Z"));
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].starts_at, utc("2027-06-02T08:00:00Z"));
    }

    #[test]
    fn a_first_start_in_the_spring_gap_is_refused() {
        let message = refusal("FREQ=WEEKLY", "2027-03-28T02:30");
        assert!(
            message.contains("does not exist in Europe/Berlin"),
            "{message}"
        );
    }

    #[test]
    fn a_first_start_in_the_doubled_autumn_hour_means_summer_time() {
        let s = berlin("FREQ=DAILY;COUNT=2", "2027-10-31T02:30", &[]);
        assert_eq!(all(&s)[0].starts_at, utc("2027-10-31T00:30:00Z"));
        assert_eq!(all(&s)[1].starts_at, utc("2027-11-01T01:30:00Z"));
    }

    #[test]
    fn an_occurrence_in_the_spring_gap_moves_forward_by_the_gap() {
        let s = berlin("FREQ=DAILY;COUNT=3", "2027-03-27T02:30", &[]);
        let local: Vec<String> = all(&s)
            .iter()
            .map(|slot| {
                slot.starts_at
                    .with_timezone(&DEFAULT_TIME_ZONE)
                    .format("%d %H:%M")
                    .to_string()
            })
            .collect();
        assert_eq!(local, ["27 02:30", "28 03:30", "29 02:30"]);
        assert_eq!(all(&s)[1].starts_at.hour(), 1);
    }

    #[test]
    fn bad_rules_get_clear_messages() {
        for (rule, expected) in [
            ("FREQ=WEEKY", "FREQ=WEEKY is unknown"),
            ("BYDAY=TU", "needs FREQ"),
            ("FREQ=HOURLY", "at most once a day"),
            ("FREQ=DAILY;BYHOUR=9", "BYHOUR is not supported"),
            ("FREQ=DAILY;COUNT=5000", "COUNT must be from 1"),
            ("FREQ=DAILY;COUNT=2;UNTIL=20271231", "not both"),
            ("FREQ=DAILY;UNTIL=20260101", "UNTIL lies before first_start"),
            ("FREQ=DAILY;UNTIL=2027", "is not a date"),
            ("FREQ=WEEKLY;BYDAY=XX", "is not a valid rule"),
            ("FREQ=MONTHLY;BYMONTHDAY=40", "is not a valid rule"),
            ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "yields no dates"),
            (
                "FREQ=DAILY\nDTSTART:20270101T000000Z",
                "give a single RRULE value",
            ),
            ("", "must not be empty"),
        ] {
            let message = refusal(rule, "2027-01-05T10:00");
            assert!(message.contains(expected), "{rule:?}: {message}");
            assert!(message.starts_with("schedule."), "{rule:?}: {message}");
        }
    }

    #[test]
    fn once_checks_its_times() {
        let ok = Schedule::once(
            utc("2027-06-12T10:00:00Z"),
            utc("2027-06-12T18:00:00Z"),
            DEFAULT_TIME_ZONE,
        )
        .unwrap();
        assert_eq!(all(&ok).len(), 1);
        let reversed = Schedule::once(
            utc("2027-06-12T10:00:00Z"),
            utc("2027-06-12T09:00:00Z"),
            DEFAULT_TIME_ZONE,
        );
        assert!(
            reversed
                .unwrap_err()
                .to_string()
                .contains("must be after starts_at")
        );
        let absurd = Schedule::once(
            utc("1970-06-12T10:00:00Z"),
            utc("1970-06-12T11:00:00Z"),
            DEFAULT_TIME_ZONE,
        );
        assert!(absurd.unwrap_err().to_string().contains("2000 and 2100"));
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(time_zone("Europe/Berlin", "z").unwrap(), DEFAULT_TIME_ZONE);
        assert!(time_zone("Mars/Olympus", "z").is_err());
    }

    fn stored(id: u128, at: &str, moved: bool, has_dependents: bool) -> Stored {
        Stored {
            id: Uuid::from_u128(id),
            original_start: utc(at),
            starts_at: utc(at),
            ends_at: utc(at) + Duration::hours(1),
            moved,
            detached: false,
            frozen: false,
            has_dependents,
        }
    }

    fn slot(at: &str) -> Slot {
        Slot {
            original_start: utc(at),
            starts_at: utc(at),
            ends_at: utc(at) + Duration::hours(1),
        }
    }

    #[test]
    fn reconcile_keeps_identity_by_local_date() {
        let existing = [
            stored(1, "2027-05-04T13:00:00Z", false, false),
            stored(2, "2027-05-11T13:00:00Z", true, false),
            stored(3, "2027-05-18T13:00:00Z", false, false),
            stored(4, "2027-05-25T13:00:00Z", false, true),
        ];
        // The meetup moves to 16:00 local and skips the 18th and the 25th; adds June 1st.
        let wanted = [
            slot("2027-05-04T14:00:00Z"),
            slot("2027-05-11T14:00:00Z"),
            slot("2027-06-01T14:00:00Z"),
        ];
        let plan = reconcile(&existing, &wanted, DEFAULT_TIME_ZONE);
        assert_eq!(
            plan.update,
            [
                (Uuid::from_u128(1), wanted[0]),
                (Uuid::from_u128(2), wanted[1])
            ]
        );
        assert_eq!(plan.insert, [wanted[2]]);
        assert_eq!(plan.delete, [Uuid::from_u128(3)]);
        assert_eq!(plan.keep, [Uuid::from_u128(4)]);
    }

    #[test]
    fn reconcile_never_touches_frozen_occurrences_and_matches_exact_places_first() {
        let mut begun = stored(1, "2027-05-04T13:00:00Z", true, false);
        begun.frozen = true;
        let mut kept = stored(2, "2027-05-11T13:00:00Z", false, true);
        kept.detached = true;
        let existing = [begun, kept, stored(3, "2027-05-11T15:00:00Z", false, false)];
        // The schedule now has 15:00 UTC on the 4th and the 11th.
        let wanted = [slot("2027-05-04T15:00:00Z"), slot("2027-05-11T15:00:00Z")];
        let plan = reconcile(&existing, &wanted, DEFAULT_TIME_ZONE);
        assert!(plan.insert.is_empty(), "the frozen one holds its date");
        assert!(plan.update.is_empty(), "exact match first");
        assert!(plan.delete.is_empty());
        assert!(plan.keep.is_empty(), "already detached");
    }

    #[test]
    fn reconcile_reattaches_a_detached_occurrence_the_schedule_has_again() {
        let mut kept = stored(2, "2027-05-11T13:00:00Z", false, true);
        kept.detached = true;
        let plan = reconcile(&[kept], &[slot("2027-05-11T13:00:00Z")], DEFAULT_TIME_ZONE);
        assert_eq!(
            plan.update,
            [(Uuid::from_u128(2), slot("2027-05-11T13:00:00Z"))]
        );
    }

    #[test]
    fn a_rule_without_dates_is_refused_quickly() {
        let started = std::time::Instant::now();
        let message = refusal("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "2027-01-05T10:00");
        assert!(message.contains("yields no dates"), "{message}");
        eprintln!("refused in {:?}", started.elapsed());
    }

    #[test]
    fn reconcile_leaves_unchanged_occurrences_alone() {
        let existing = [
            stored(1, "2027-05-04T13:00:00Z", true, false),
            stored(2, "2027-05-11T13:00:00Z", false, false),
        ];
        let wanted = [slot("2027-05-04T13:00:00Z"), slot("2027-05-11T13:00:00Z")];
        assert_eq!(
            reconcile(&existing, &wanted, DEFAULT_TIME_ZONE),
            Plan::default()
        );
    }
}
