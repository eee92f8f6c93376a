//! Time windows: a start and an end that every search, shift and date checks alike, made
//! once by `TimeWindow::parse`.

use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, Duration, Utc};

use crate::validation::ValidationErrors;

/// Every moment Quartier stores or searches lies in these years: far enough for any plan,
/// near enough that no calendar arithmetic overflows.
pub const YEARS: RangeInclusive<i32> = 2000..=2100;

/// Whether `at` lies in `YEARS`.
pub fn within_years(at: DateTime<Utc>) -> bool {
    YEARS.contains(&at.year())
}

/// From `start` to `end`: forward, within `YEARS`, and no longer than the caller allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeWindow {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl TimeWindow {
    /// The window `start`..`end` at most `longest` long. Errors name the fields as the
    /// request does: `fields.0` for the start, `fields.1` for the end.
    pub fn parse(
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        longest: Duration,
        fields: (&str, &str),
    ) -> Result<Self, ValidationErrors> {
        let (start_field, end_field) = fields;
        if !within_years(start) {
            return Err(ValidationErrors::single(
                start_field,
                "must lie between the years 2000 and 2100",
            ));
        }
        if !within_years(end) {
            return Err(ValidationErrors::single(
                end_field,
                "must lie between the years 2000 and 2100",
            ));
        }
        if end <= start {
            return Err(ValidationErrors::single(
                end_field,
                format!("must be after {start_field}"),
            ));
        }
        if end - start > longest {
            return Err(ValidationErrors::single(
                end_field,
                format!("must be at most {} after {start_field}", spoken(longest)),
            ));
        }
        Ok(Self { start, end })
    }

    pub fn start(self) -> DateTime<Utc> {
        self.start
    }

    pub fn end(self) -> DateTime<Utc> {
        self.end
    }

    /// `(start, end)`, as queries take it.
    pub fn bounds(self) -> (DateTime<Utc>, DateTime<Utc>) {
        (self.start, self.end)
    }
}

/// `longest` as people say it: in days when several whole days, else in hours.
fn spoken(longest: Duration) -> String {
    if longest.num_hours() % 24 == 0 && longest.num_days() > 1 {
        format!("{} days", longest.num_days())
    } else {
        format!("{} hours", longest.num_hours())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
            .single()
            .expect("a valid date")
    }

    fn field_of(result: Result<TimeWindow, ValidationErrors>) -> (String, String) {
        let errors = result.expect_err("refused");
        (errors.0[0].field.clone(), errors.0[0].message.clone())
    }

    #[test]
    fn a_forward_window_within_its_length_is_taken() {
        let window = TimeWindow::parse(
            at(2027, 3, 1),
            at(2027, 3, 10),
            Duration::days(93),
            ("from", "to"),
        )
        .expect("valid");
        assert_eq!(window.bounds(), (at(2027, 3, 1), at(2027, 3, 10)));
    }

    #[test]
    fn refusals_name_the_field_at_fault() {
        let fields = ("starts_at", "ends_at");
        let day = Duration::hours(24);
        assert_eq!(
            field_of(TimeWindow::parse(
                at(1999, 1, 1),
                at(2027, 1, 1),
                day,
                fields
            ))
            .0,
            "starts_at"
        );
        assert_eq!(
            field_of(TimeWindow::parse(
                at(2027, 1, 1),
                at(2101, 1, 1),
                day,
                fields
            ))
            .0,
            "ends_at"
        );
        assert_eq!(
            field_of(TimeWindow::parse(
                at(2027, 1, 2),
                at(2027, 1, 1),
                day,
                fields
            )),
            ("ends_at".into(), "must be after starts_at".into())
        );
        assert_eq!(
            field_of(TimeWindow::parse(
                at(2027, 1, 1),
                at(2027, 1, 3),
                day,
                fields
            )),
            (
                "ends_at".into(),
                "must be at most 24 hours after starts_at".into()
            )
        );
        assert_eq!(
            field_of(TimeWindow::parse(
                at(2027, 1, 1),
                at(2027, 6, 1),
                Duration::days(93),
                ("from", "to")
            ))
            .1,
            "must be at most 93 days after from"
        );
    }

    #[test]
    fn an_empty_window_is_refused() {
        assert!(
            TimeWindow::parse(
                at(2027, 1, 1),
                at(2027, 1, 1),
                Duration::days(1),
                ("a", "b")
            )
            .is_err()
        );
    }
}
