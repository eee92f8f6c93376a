//! Reporting: the catalogue of indicators a town, a Träger or a centre reports its work with,
//! the groupings they are counted in, the period they cover, and the rule that hides small
//! counts of people from everyone but the operator's own staff.
//!
//! The catalogue is versioned: a definition that changes what is counted gets a new
//! [`CATALOGUE_VERSION`], so that figures frozen under one version are never compared with
//! figures counted under another without saying so.

use chrono::{Datelike, NaiveDate};

use crate::validation::ValidationErrors;

/// The version of the definitions below. Raised whenever one changes what it counts.
pub const CATALOGUE_VERSION: i32 = 1;

/// A count of people smaller than this (and not 0) is hidden from outsiders.
pub const SMALL_CELL: i64 = 5;

/// The longest period one report covers, in days (five years and a leap day).
pub const MAX_PERIOD_DAYS: i64 = 5 * 365 + 1;

/// What a figure is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A number of things or people.
    Count,
    /// Hours, to two decimals.
    Hours,
    /// A share from 0 to 1, to three decimals.
    Share,
    /// Days, to one decimal.
    Days,
    /// Euros, to the cent.
    Euros,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Hours => "hours",
            Unit::Share => "share",
            Unit::Days => "days",
            Unit::Euros => "euros",
        }
    }

    /// The decimals a person reads it with, in charts and printed reports.
    pub fn shown_decimals(self) -> usize {
        match self {
            Unit::Count => 0,
            Unit::Hours | Unit::Share | Unit::Days => 1,
            Unit::Euros => 2,
        }
    }

    /// `value` rounded as the unit is reported.
    pub fn round(self, value: f64) -> f64 {
        let scale = match self {
            Unit::Count => 1.0,
            Unit::Hours | Unit::Euros => 100.0,
            Unit::Share => 1000.0,
            Unit::Days => 10.0,
        };
        (value * scale).round() / scale
    }
}

/// What figures are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    /// The district the centre lies in (for concerns: the district they are about).
    District,
    Centre,
    /// The operator (Träger) running the centre.
    Operator,
    /// The activity's category.
    Category,
    /// The calendar month in Europe/Berlin.
    Month,
    /// What neighbourly help is about (`quartier_domain::help::HelpCategory`).
    HelpCategory,
}

impl Dimension {
    pub const ALL: [Dimension; 6] = [
        Dimension::District,
        Dimension::Centre,
        Dimension::Operator,
        Dimension::Category,
        Dimension::Month,
        Dimension::HelpCategory,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::District => "district",
            Dimension::Centre => "centre",
            Dimension::Operator => "operator",
            Dimension::Category => "category",
            Dimension::Month => "month",
            Dimension::HelpCategory => "help_category",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == raw)
    }
}

/// Where an indicator's figures come from: each source is counted by one query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// The dates of activities and their attendance.
    Occurrences,
    /// Shifts and the places on them.
    Shifts,
    /// Sign-ups of volunteers, anonymised ones included.
    Signups,
    /// Sign-ups marked attended, with the person behind each.
    WorkedShifts,
    /// The first shift each volunteer worked.
    FirstShifts,
    /// Residents' concerns and their answers.
    Concerns,
    /// Confirmed room bookings.
    Rooms,
    /// Partners' memberships in networks.
    Networks,
    /// Decisions of neighbourhood funds on applications.
    Funds,
    /// Requests of neighbourly help and their matches.
    Help,
}

impl Source {
    /// The groupings this source can be counted in; a filter on another makes its
    /// indicators not applicable too.
    pub fn dimensions(self) -> &'static [Dimension] {
        use Dimension::*;
        match self {
            Source::Occurrences
            | Source::Shifts
            | Source::Signups
            | Source::WorkedShifts
            | Source::FirstShifts => &[District, Centre, Operator, Category, Month],
            Source::Concerns | Source::Rooms => &[District, Centre, Operator, Month],
            Source::Networks => &[District],
            Source::Funds => &[District, Operator, Month],
            Source::Help => &[District, Centre, Operator, Month, HelpCategory],
        }
    }
}

macro_rules! catalogue {
    ($( $variant:ident = $key:literal, $source:ident, $unit:ident, $people:literal,
        de: $label_de:literal / $definition_de:literal,
        en: $label_en:literal / $definition_en:literal; )*) => {
        /// One figure of the catalogue.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Indicator { $( $variant, )* }

        impl Indicator {
            /// Every indicator, in the order reports list them.
            pub const ALL: &'static [Indicator] = &[ $( Indicator::$variant, )* ];

            /// The key requests and answers name it by.
            pub fn key(self) -> &'static str {
                match self { $( Indicator::$variant => $key, )* }
            }

            pub fn source(self) -> Source {
                match self { $( Indicator::$variant => Source::$source, )* }
            }

            pub fn unit(self) -> Unit {
                match self { $( Indicator::$variant => Unit::$unit, )* }
            }

            /// Whether its figures are derived from persons, so that small ones are hidden
            /// from outsiders.
            pub fn about_people(self) -> bool {
                match self { $( Indicator::$variant => $people, )* }
            }

            /// Its short name: German, English.
            pub fn label(self) -> (&'static str, &'static str) {
                match self { $( Indicator::$variant => ($label_de, $label_en), )* }
            }

            /// What it counts, exactly: German, English.
            pub fn definition(self) -> (&'static str, &'static str) {
                match self { $( Indicator::$variant => ($definition_de, $definition_en), )* }
            }
        }
    };
}

catalogue! {
    OccurrencesHeld = "occurrences_held", Occurrences, Count, false,
        de: "Termine durchgeführt" / "Termine von Angeboten (außer Entwürfen), die im Zeitraum begonnen haben und nicht abgesagt wurden; Termine eines abgesagten Angebots nur, wenn ihre Teilnehmenden erfasst sind.",
        en: "Dates held" / "Dates of activities (drafts excepted) that began within the period and were not cancelled; dates of a cancelled activity only where their participants were recorded.";
    OccurrencesCancelled = "occurrences_cancelled", Occurrences, Count, false,
        de: "Termine abgesagt" / "Termine von Angeboten (außer Entwürfen) im Zeitraum, die abgesagt wurden oder zu einem abgesagten Angebot gehören, ohne erfasste Teilnehmende.",
        en: "Dates cancelled" / "Dates of activities (drafts excepted) within the period that were cancelled, or whose activity was and that have no participants recorded.";
    Visits = "visits", Occurrences, Count, true,
        de: "Besuche" / "Summe der erfassten Teilnehmenden aller durchgeführten Termine im Zeitraum. Besuche, nicht Personen: wer dreimal kommt, zählt dreimal.",
        en: "Visits" / "Sum of the participants recorded for the dates held within the period. Visits, not persons: someone who comes three times counts three times.";
    VisitsAge0To13 = "visits_age_0_13", Occurrences, Count, true,
        de: "Besuche 0–13 Jahre" / "Besuche von Kindern bis 13 Jahre, soweit bei den Terminen nach Alter gezählt.",
        en: "Visits aged 0–13" / "Visits by children up to 13, as far as the dates were counted by age.";
    VisitsAge14To17 = "visits_age_14_17", Occurrences, Count, true,
        de: "Besuche 14–17 Jahre" / "Besuche von Jugendlichen von 14 bis 17 Jahren, soweit nach Alter gezählt.",
        en: "Visits aged 14–17" / "Visits by young people from 14 to 17, as far as counted by age.";
    VisitsAge18To26 = "visits_age_18_26", Occurrences, Count, true,
        de: "Besuche 18–26 Jahre" / "Besuche junger Erwachsener von 18 bis 26 Jahren, soweit nach Alter gezählt.",
        en: "Visits aged 18–26" / "Visits by young adults from 18 to 26, as far as counted by age.";
    VisitsAge27To64 = "visits_age_27_64", Occurrences, Count, true,
        de: "Besuche 27–64 Jahre" / "Besuche Erwachsener von 27 bis 64 Jahren, soweit nach Alter gezählt.",
        en: "Visits aged 27–64" / "Visits by adults from 27 to 64, as far as counted by age.";
    VisitsAge65Plus = "visits_age_65_plus", Occurrences, Count, true,
        de: "Besuche ab 65 Jahre" / "Besuche Älterer ab 65 Jahren, soweit nach Alter gezählt.",
        en: "Visits aged 65 and over" / "Visits by people aged 65 and over, as far as counted by age.";
    FirstTimeVisits = "first_time_visits", Occurrences, Count, true,
        de: "Erstbesuche" / "Teilnehmende, die laut Erfassung zum ersten Mal an dem Angebot teilnahmen.",
        en: "First-time visits" / "Participants recorded as taking part in the activity for the first time.";
    VolunteerHours = "volunteer_hours", WorkedShifts, Hours, true,
        de: "Ehrenamtsstunden" / "Stunden, die Ehrenamtliche in Schichten des Zeitraums geleistet haben: die erfassten Minuten, sonst die Dauer der Schicht, bei allen als anwesend erfassten Anmeldungen, anonymisierte eingeschlossen.",
        en: "Volunteer hours" / "Hours volunteers worked on shifts within the period: the minutes recorded, else the shift's length, for every sign-up marked attended, anonymised ones included.";
    ActiveVolunteers = "active_volunteers", WorkedShifts, Count, true,
        de: "Aktive Ehrenamtliche" / "Verschiedene Personen mit mindestens einer als anwesend erfassten Schicht im Zeitraum; gelöschte Konten zählen weiter, ohne benannt zu werden.",
        en: "Active volunteers" / "Distinct persons with at least one shift marked attended within the period; erased accounts still count without being named.";
    NewVolunteers = "new_volunteers", FirstShifts, Count, true,
        de: "Neue Ehrenamtliche" / "Personen, deren erste als anwesend erfasste Schicht im Berichtsrahmen (den Filtern des Berichts) in den Zeitraum fällt; gezählt in der Gruppe dieser ersten Schicht.",
        en: "New volunteers" / "Persons whose first shift marked attended within the report's filters falls in the period; counted in the group of that first shift.";
    PlacesOffered = "places_offered", Shifts, Count, false,
        de: "Angebotene Plätze" / "Summe der Plätze aller nicht abgesagten Schichten, die im Zeitraum beginnen.",
        en: "Places offered" / "Sum of the places of all shifts not cancelled that begin within the period.";
    PlacesFilled = "places_filled", Signups, Count, true,
        de: "Besetzte Plätze" / "Bestätigte Anmeldungen auf nicht abgesagten Schichten des Zeitraums, einschließlich erschienener und nicht erschienener.",
        en: "Places filled" / "Confirmed sign-ups on shifts within the period not cancelled, attended and missed ones included.";
    NoShowRate = "no_show_rate", Signups, Share, true,
        de: "Anteil nicht erschienen" / "Anteil der nicht erschienenen an allen Anmeldungen des Zeitraums, deren Anwesenheit erfasst wurde (0 bis 1).",
        en: "No-show rate" / "Share of sign-ups marked as not shown among all sign-ups within the period whose attendance was recorded (0 to 1).";
    LateCancellationRate = "late_cancellation_rate", Signups, Share, true,
        de: "Anteil kurzfristig abgesagt" / "Anteil der kurzfristig abgesagten an allen Anmeldungen des Zeitraums, die einen Platz hatten (0 bis 1).",
        en: "Late-cancellation rate" / "Share of late cancellations among all sign-ups within the period that held a place (0 to 1).";
    ConcernsReceived = "concerns_received", Concerns, Count, true,
        de: "Anliegen eingegangen" / "Anliegen, Ideen und Bedarfe, die im Zeitraum eingegangen sind, außer zurückgezogenen und Dubletten.",
        en: "Concerns received" / "Concerns, ideas and needs received within the period, except withdrawn ones and duplicates.";
    ConcernsAnswered = "concerns_answered", Concerns, Count, true,
        de: "Anliegen beantwortet" / "Davon die Anliegen mit mindestens einer öffentlichen Antwort.",
        en: "Concerns answered" / "Of these, the concerns with at least one public answer.";
    MedianDaysToFirstAnswer = "median_days_to_first_answer", Concerns, Days, true,
        de: "Tage bis zur ersten Antwort (Median)" / "Median der Tage vom Eingang eines beantworteten Anliegens bis zu seiner ersten öffentlichen Antwort.",
        en: "Days to a first answer (median)" / "Median of the days from receiving an answered concern to its first public answer.";
    RoomHoursOperator = "room_hours_operator", Rooms, Hours, false,
        de: "Raumstunden: Träger" / "Stunden bestätigter Raumbuchungen im Zeitraum, die der Träger selbst gebucht hat.",
        en: "Room hours: operator" / "Hours of confirmed room bookings within the period that the operator booked itself.";
    RoomHoursActivity = "room_hours_activity", Rooms, Hours, false,
        de: "Raumstunden: Angebote" / "Stunden bestätigter Raumbuchungen im Zeitraum, die für ein Angebot gebucht wurden (nicht die Räume, die Angebote ständig belegen).",
        en: "Room hours: activities" / "Hours of confirmed room bookings within the period booked for an activity (not the rooms activities hold by their schedule).";
    RoomHoursPartner = "room_hours_partner", Rooms, Hours, false,
        de: "Raumstunden: Partner" / "Stunden bestätigter Raumbuchungen im Zeitraum durch Partner (Vereine, Initiativen, Schulen …).",
        en: "Room hours: partners" / "Hours of confirmed room bookings within the period by partners (associations, initiatives, schools …).";
    RoomHoursResident = "room_hours_resident", Rooms, Hours, true,
        de: "Raumstunden: Bewohnerinnen und Bewohner" / "Stunden bestätigter Raumbuchungen im Zeitraum durch Bewohnerinnen und Bewohner mit Konto oder als Gast.",
        en: "Room hours: residents" / "Hours of confirmed room bookings within the period by residents with an account or as guests.";
    FundProjects = "fund_projects", Funds, Count, false,
        de: "Geförderte Projekte" / "Anträge an Quartiersfonds, die im Zeitraum bewilligt wurden und nicht zurückgezogen sind (bewilligt, nachgewiesen oder abgerechnet); nach dem Stadtteil des Projekts.",
        en: "Projects funded" / "Applications to neighbourhood funds approved within the period and not withdrawn (approved, reported or settled); by the project's district.";
    FundGranted = "fund_granted", Funds, Euros, false,
        de: "Bewilligte Fördermittel" / "Summe der Beträge, die Quartiersfonds im Zeitraum für diese Projekte bewilligt haben, in Euro.",
        en: "Funding granted" / "Sum of the amounts neighbourhood funds granted within the period to these projects, in euros.";
    FundSpent = "fund_spent", Funds, Euros, false,
        de: "Verwendete Fördermittel" / "Davon, was abgerechnete Projekte laut Verwendungsnachweis ausgegeben haben (höchstens ihre Bewilligung), in Euro; der Rest ging an den Fonds zurück.",
        en: "Funding spent" / "Of these, what settled projects spent by their proof of use (at most their grant), in euros; the rest went back to the fund.";
    HelpRequests = "help_requests", Help, Count, true,
        de: "Nachbarschaftshilfe: Gesuche" / "Gesuche und Angebote der Nachbarschaftshilfe, die im Zeitraum eingetragen wurden (auch zurückgezogene und abgelaufene); nach dem Stadtteil des Gesuchs und der Art der Hilfe.",
        en: "Neighbourly help: requests" / "Needs and offers of neighbourly help made within the period (withdrawn and expired ones too); by the request's district and the kind of help.";
    HelpMatched = "help_matched", Help, Count, true,
        de: "Nachbarschaftshilfe: Vermittlungen" / "Vermittlungen zu diesen Gesuchen, denen beide Seiten zugestimmt haben, auch wenn die Hilfe danach nicht zustande kam.",
        en: "Neighbourly help: matches" / "Matches of these requests to which both sides agreed, also where the help did not happen after.";
    HelpCompleted = "help_completed", Help, Count, true,
        de: "Nachbarschaftshilfe: geleistet" / "Davon die Vermittlungen, bei denen die Hilfe geleistet wurde.",
        en: "Neighbourly help: given" / "Of these, the matches in which the help was given.";
    PartnersCooperating = "partners_cooperating", Networks, Count, false,
        de: "Kooperierende Partner" / "Verschiedene Partner mit einer aktiven Mitgliedschaft in einem Netzwerk, die den Zeitraum berührt.",
        en: "Partners cooperating" / "Distinct partners with an active membership in a network that touches the period.";
}

impl Indicator {
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|i| i.key() == raw)
    }

    /// Whether it can be counted grouped by `group_by` and filtered by `filtered`.
    pub fn applies(self, group_by: &[Dimension], filtered: &[Dimension]) -> bool {
        let can = self.source().dimensions();
        group_by.iter().chain(filtered).all(|d| can.contains(d))
    }
}

/// One figure as a reader sees it: its value, or none with the flag that it was hidden.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub value: Option<f64>,
    pub suppressed: bool,
}

/// The small-cell rule: a figure about people that rests on fewer than [`SMALL_CELL`] of
/// them (but some) is hidden from `outsider`s; the operator's own staff see it. `basis` is
/// the number of people (or of their visits, sign-ups or concerns) the figure rests on.
pub fn cell(indicator: Indicator, value: Option<f64>, basis: i64, outsider: bool) -> Cell {
    let small = basis > 0 && basis < SMALL_CELL;
    if outsider && indicator.about_people() && small {
        Cell {
            value: None,
            suppressed: true,
        }
    } else {
        Cell {
            value: value.map(|v| indicator.unit().round(v)),
            suppressed: false,
        }
    }
}

/// `part` of `whole`; none of nothing.
pub fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The days a report covers, both included, in Europe/Berlin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Period {
    /// From `from` to `to`, both included: in order, from the year 2000 to 2100, and at most
    /// [`MAX_PERIOD_DAYS`] long.
    pub fn parse(from: NaiveDate, to: NaiveDate) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        for (date, field) in [(from, "from"), (to, "to")] {
            if !(2000..=2100).contains(&date.year()) {
                errors.push(field, "must be a date from 2000 to 2100");
            }
        }
        if to < from {
            errors.push("to", "must not be before from");
        } else if (to - from).num_days() >= MAX_PERIOD_DAYS {
            errors.push("to", "must be at most five years after from");
        }
        errors.into_result()?;
        Ok(Self {
            first: from,
            last: to,
        })
    }

    /// The day after the last: where the period ends.
    pub fn end(self) -> NaiveDate {
        self.last.succ_opt().unwrap_or(self.last)
    }

    /// Each month the period touches, as `YYYY-MM`.
    pub fn months(self) -> Vec<String> {
        let mut months = Vec::new();
        let mut month = self.first.with_day(1).unwrap_or(self.first);
        while month <= self.last {
            months.push(month.format("%Y-%m").to_string());
            month = month
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(self.end());
        }
        months
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    #[test]
    fn every_key_is_its_own_and_parses_back() {
        for &indicator in Indicator::ALL {
            assert_eq!(Indicator::parse(indicator.key()), Some(indicator));
            let (de, en) = indicator.definition();
            assert!(!de.is_empty() && !en.is_empty());
        }
        let mut keys: Vec<_> = Indicator::ALL.iter().map(|i| i.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Indicator::ALL.len());
    }

    #[test]
    fn small_counts_of_people_are_hidden_from_outsiders_only() {
        let hidden = cell(Indicator::Visits, Some(4.0), 4, true);
        assert_eq!(hidden.value, None);
        assert!(hidden.suppressed);
        assert_eq!(
            cell(Indicator::Visits, Some(4.0), 4, false).value,
            Some(4.0)
        );
        assert_eq!(cell(Indicator::Visits, Some(5.0), 5, true).value, Some(5.0));
        assert_eq!(cell(Indicator::Visits, Some(0.0), 0, true).value, Some(0.0));
        // Counts of things, not people, are never hidden.
        assert_eq!(
            cell(Indicator::OccurrencesHeld, Some(2.0), 2, true).value,
            Some(2.0)
        );
        // A share rests on the sign-ups behind it.
        assert!(cell(Indicator::NoShowRate, Some(0.5), 2, true).suppressed);
    }

    #[test]
    fn a_period_is_in_order_and_at_most_five_years() {
        assert!(Period::parse(day(2026, 1, 1), day(2026, 12, 31)).is_ok());
        assert!(Period::parse(day(2026, 2, 1), day(2026, 1, 31)).is_err());
        assert!(Period::parse(day(2020, 1, 1), day(2026, 1, 1)).is_err());
        assert!(Period::parse(day(1900, 1, 1), day(1900, 2, 1)).is_err());
        let months = Period::parse(day(2025, 12, 15), day(2026, 2, 1))
            .expect("a period")
            .months();
        assert_eq!(months, ["2025-12", "2026-01", "2026-02"]);
    }

    #[test]
    fn groupings_a_source_cannot_count_make_its_indicators_not_apply() {
        use Dimension::*;
        assert!(Indicator::Visits.applies(&[District, Month], &[Category]));
        assert!(!Indicator::ConcernsReceived.applies(&[Category], &[]));
        assert!(!Indicator::PartnersCooperating.applies(&[Month], &[]));
        assert!(!Indicator::PartnersCooperating.applies(&[], &[Operator]));
    }
}
