//! Times as mail writes them, in the town's zone: "Samstag, 12. Dezember 2026, 15:00–17:00 Uhr".

use chrono::{DateTime, Datelike as _, Utc};
use quartier_domain::notification::MailLanguage;
use quartier_domain::schedule::DEFAULT_TIME_ZONE;

const WEEKDAYS_DE: [&str; 7] = [
    "Montag",
    "Dienstag",
    "Mittwoch",
    "Donnerstag",
    "Freitag",
    "Samstag",
    "Sonntag",
];
const MONTHS_DE: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];
const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A shift's time span in `language`, local to the town.
pub fn span(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>, language: MailLanguage) -> String {
    let start = starts_at.with_timezone(&DEFAULT_TIME_ZONE);
    let end = ends_at.with_timezone(&DEFAULT_TIME_ZONE);
    let weekday = start.weekday().num_days_from_monday() as usize;
    let month = start.month0() as usize;
    let same_day = start.date_naive() == end.date_naive();
    let end_text = if same_day {
        end.format("%H:%M").to_string()
    } else {
        match language {
            MailLanguage::German => end.format("%d.%m.%Y %H:%M").to_string(),
            MailLanguage::English => end.format("%d/%m/%Y %H:%M").to_string(),
        }
    };
    match language {
        MailLanguage::German => format!(
            "{}, {}. {} {}, {}–{} Uhr",
            WEEKDAYS_DE[weekday],
            start.day(),
            MONTHS_DE[month],
            start.year(),
            start.format("%H:%M"),
            end_text
        ),
        MailLanguage::English => format!(
            "{}, {} {} {}, {}–{}",
            WEEKDAYS_EN[weekday],
            start.day(),
            MONTHS_EN[month],
            start.year(),
            start.format("%H:%M"),
            end_text
        ),
    }
}

/// An amount of `cents` in `language`: "1.234,50 €", "€1,234.50".
pub fn euros(cents: i64, language: MailLanguage) -> String {
    let whole = (cents / 100).abs();
    let rest = (cents % 100).abs();
    let sign = if cents < 0 { "-" } else { "" };
    let separator = match language {
        MailLanguage::German => '.',
        MailLanguage::English => ',',
    };
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    match language {
        MailLanguage::German => format!("{sign}{grouped},{rest:02} €"),
        MailLanguage::English => format!("{sign}€{grouped}.{rest:02}"),
    }
}

/// A moment in `language`, local to the town: "Samstag, 12. Dezember 2026, 15:00 Uhr".
pub fn moment(at: DateTime<Utc>, language: MailLanguage) -> String {
    let local = at.with_timezone(&DEFAULT_TIME_ZONE);
    let weekday = local.weekday().num_days_from_monday() as usize;
    let month = local.month0() as usize;
    match language {
        MailLanguage::German => format!(
            "{}, {}. {} {}, {} Uhr",
            WEEKDAYS_DE[weekday],
            local.day(),
            MONTHS_DE[month],
            local.year(),
            local.format("%H:%M")
        ),
        MailLanguage::English => format!(
            "{}, {} {} {}, {}",
            WEEKDAYS_EN[weekday],
            local.day(),
            MONTHS_EN[month],
            local.year(),
            local.format("%H:%M")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_people_write_them() {
        assert_eq!(euros(123_450, MailLanguage::German), "1.234,50 €");
        assert_eq!(euros(123_450, MailLanguage::English), "€1,234.50");
        assert_eq!(euros(5, MailLanguage::German), "0,05 €");
        assert_eq!(euros(100_000_000, MailLanguage::English), "€1,000,000.00");
    }

    #[test]
    fn moments_read_as_people_write_them() {
        let at: DateTime<Utc> = "2026-12-12T14:00:00Z".parse().expect("a time");
        assert_eq!(
            moment(at, MailLanguage::German),
            "Samstag, 12. Dezember 2026, 15:00 Uhr"
        );
        assert_eq!(
            moment(at, MailLanguage::English),
            "Saturday, 12 December 2026, 15:00"
        );
    }

    #[test]
    fn spans_read_as_people_write_them() {
        let start: DateTime<Utc> = "2026-12-12T14:00:00Z".parse().expect("a time");
        let end: DateTime<Utc> = "2026-12-12T16:00:00Z".parse().expect("a time");
        assert_eq!(
            span(start, end, MailLanguage::German),
            "Samstag, 12. Dezember 2026, 15:00–17:00 Uhr"
        );
        assert_eq!(
            span(start, end, MailLanguage::English),
            "Saturday, 12 December 2026, 15:00–17:00"
        );
        let summer: DateTime<Utc> = "2026-07-01T08:00:00Z".parse().expect("a time");
        assert!(
            span(
                summer,
                summer + chrono::Duration::hours(1),
                MailLanguage::German
            )
            .ends_with("10:00–11:00 Uhr")
        );
    }
}
