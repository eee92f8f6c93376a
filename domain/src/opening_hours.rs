//! Opening hours: time ranges per weekday in local time, and dated closures.

use chrono::{NaiveDate, NaiveTime};

use crate::validation::{ValidationErrors, bounded_text};

/// One range of one weekday, `opens` before `closes` (ranges past midnight are two ranges).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpeningRange {
    /// ISO weekday: 1 Monday … 7 Sunday.
    pub weekday: u8,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

/// A day the centre stays closed whatever its weekly hours say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub date: NaiveDate,
    pub note: String,
}

/// A week of opening hours: every range checked, none overlapping another of its day, at most
/// 42 ranges; closures on distinct dates, at most 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningHours {
    pub weekly: Vec<OpeningRange>,
    pub closures: Vec<Closure>,
}

/// A weekly range as a request sends it: weekday 1–7, times as `HH:MM`.
#[derive(Debug, Clone)]
pub struct RawRange<'a> {
    pub weekday: u8,
    pub opens: &'a str,
    pub closes: &'a str,
}

impl OpeningHours {
    pub fn parse(
        weekly: &[RawRange<'_>],
        closures: &[(NaiveDate, Option<&str>)],
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if weekly.len() > 42 {
            errors.push("weekly", "must have at most 42 ranges (six a day)");
        }
        if closures.len() > 400 {
            errors.push("closures", "must have at most 400 dates");
        }
        let mut ranges: Vec<OpeningRange> = Vec::with_capacity(weekly.len());
        for (i, raw) in weekly.iter().enumerate() {
            let field = |name: &str| format!("weekly[{i}].{name}");
            if !(1..=7).contains(&raw.weekday) {
                errors.push(field("weekday"), "must be from 1 (Monday) to 7 (Sunday)");
            }
            let opens = errors.collect(time(raw.opens, &field("opens")));
            let closes = errors.collect(time(raw.closes, &field("closes")));
            let (Some(opens), Some(closes)) = (opens, closes) else {
                continue;
            };
            if closes <= opens {
                errors.push(
                    field("closes"),
                    "must be after opens; a range past midnight is two ranges",
                );
                continue;
            }
            let range = OpeningRange {
                weekday: raw.weekday,
                opens,
                closes,
            };
            if ranges.iter().any(|r| {
                r.weekday == range.weekday && r.opens < range.closes && range.opens < r.closes
            }) {
                errors.push(field("opens"), "overlaps another range of the same day");
                continue;
            }
            ranges.push(range);
        }
        let mut checked_closures: Vec<Closure> = Vec::with_capacity(closures.len());
        for (i, (date, note)) in closures.iter().enumerate() {
            if !(1900..=2999).contains(&chrono::Datelike::year(date)) {
                errors.push(
                    format!("closures[{i}].date"),
                    "must be between the years 1900 and 2999",
                );
                continue;
            }
            if checked_closures.iter().any(|c| c.date == *date) {
                errors.push(format!("closures[{i}].date"), "appears twice");
                continue;
            }
            let note = match note {
                Some(note) if !note.trim().is_empty() => {
                    errors.collect(bounded_text(note, &format!("closures[{i}].note"), 200))
                }
                _ => Some(String::new()),
            };
            if let Some(note) = note {
                checked_closures.push(Closure { date: *date, note });
            }
        }
        errors.into_result()?;
        ranges.sort_by_key(|r| (r.weekday, r.opens));
        checked_closures.sort_by_key(|c| c.date);
        Ok(Self {
            weekly: ranges,
            closures: checked_closures,
        })
    }
}

/// `HH:MM` (or `HH:MM:SS`), 00:00 to 23:59; `24:00` as a closing time means midnight's end.
fn time(raw: &str, field: &str) -> Result<NaiveTime, ValidationErrors> {
    if raw == "24:00" {
        return NaiveTime::from_hms_opt(23, 59, 59)
            .ok_or_else(|| ValidationErrors::single(field, "is not a time"));
    }
    NaiveTime::parse_from_str(raw, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(raw, "%H:%M:%S"))
        .map_err(|_| ValidationErrors::single(field, "must be a time such as 09:30"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(weekday: u8, opens: &'static str, closes: &'static str) -> RawRange<'static> {
        RawRange {
            weekday,
            opens,
            closes,
        }
    }

    #[test]
    fn a_week_with_split_days_is_sorted() {
        let hours = OpeningHours::parse(
            &[
                range(2, "14:00", "18:00"),
                range(2, "09:00", "12:00"),
                range(1, "10:00", "24:00"),
            ],
            &[],
        )
        .expect("valid");
        let order: Vec<(u8, String)> = hours
            .weekly
            .iter()
            .map(|r| (r.weekday, r.opens.format("%H:%M").to_string()))
            .collect();
        assert_eq!(
            order,
            [
                (1, "10:00".to_owned()),
                (2, "09:00".to_owned()),
                (2, "14:00".to_owned())
            ]
        );
    }

    #[test]
    fn bad_ranges_name_their_field() {
        let err = OpeningHours::parse(
            &[
                range(8, "09:00", "10:00"),
                range(1, "18:00", "09:00"),
                range(3, "09:00", "12:00"),
                range(3, "11:00", "13:00"),
                range(4, "9 Uhr", "10:00"),
            ],
            &[],
        )
        .expect_err("invalid");
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "weekly[0].weekday",
                "weekly[1].closes",
                "weekly[3].opens",
                "weekly[4].opens"
            ]
        );
    }

    #[test]
    fn closures_are_distinct_dates() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 24).expect("date");
        assert!(OpeningHours::parse(&[], &[(day, Some("Heiligabend"))]).is_ok());
        let err = OpeningHours::parse(&[], &[(day, None), (day, None)]).expect_err("twice");
        assert_eq!(err.0[0].field, "closures[1].date");
    }
}
