//! Activities (Angebote): what a centre offers, for whom, and at what cost.

use crate::validation::ValidationErrors;

text_enum! {
    /// What kind of activity it is.
    Category {
        OpenMeetup = "open_meetup",
        PlayGroup = "play_group",
        CoffeeTable = "coffee_table",
        InformationEvent = "information_event",
        InterestGroup = "interest_group",
        Course = "course",
        Counselling = "counselling",
        Excursion = "excursion",
        Project = "project",
        Other = "other",
    }
}

impl Category {
    /// Its German name, as reports and charts show it.
    pub fn german(self) -> &'static str {
        match self {
            Category::OpenMeetup => "Offener Treff",
            Category::PlayGroup => "Spielgruppe",
            Category::CoffeeTable => "Kaffeetisch",
            Category::InformationEvent => "Informationsveranstaltung",
            Category::InterestGroup => "Interessengruppe",
            Category::Course => "Kurs",
            Category::Counselling => "Beratung",
            Category::Excursion => "Ausflug",
            Category::Project => "Projekt",
            Category::Other => "Sonstiges",
        }
    }
}

text_enum! {
    /// Whom an activity is meant for.
    TargetGroup {
        Children = "children",
        Youth = "youth",
        Families = "families",
        Adults = "adults",
        Seniors = "seniors",
        AllGenerations = "all_generations",
    }
}

text_enum! {
    /// Where an activity is in its life: only `published` ones are public.
    ActivityStatus {
        Draft = "draft",
        Published = "published",
        Cancelled = "cancelled",
        Archived = "archived",
    }
}

impl ActivityStatus {
    /// Whether an activity in this status may hold a room for its dates: a cancelled or
    /// archived one gives its room back.
    pub fn uses_rooms(self) -> bool {
        matches!(self, ActivityStatus::Draft | ActivityStatus::Published)
    }

    /// [`ActivityStatus::uses_rooms`] for a stored status (an unknown one holds none).
    pub fn stored_uses_rooms(stored: &str) -> bool {
        ActivityStatus::parse(stored).is_some_and(ActivityStatus::uses_rooms)
    }
}

/// What taking part costs: nothing, or an amount in cents with an optional note.
pub fn cost(
    free: bool,
    amount_cents: Option<i64>,
    note: Option<&str>,
) -> Result<(Option<i32>, Option<String>), ValidationErrors> {
    if note.is_some_and(|n| n.chars().count() > 500) {
        return Err(ValidationErrors::single(
            "cost.note",
            "must be at most 500 characters",
        ));
    }
    let note = match note.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => Some(crate::operator::free_text(n, "cost.note", 500)?),
        None => None,
    };
    match (free, amount_cents) {
        (true, Some(_)) => Err(ValidationErrors::single(
            "cost.amount_cents",
            "must be left out when the activity is free",
        )),
        (true, None) => Ok((None, note)),
        (false, Some(cents)) if (1..=1_000_000).contains(&cents) => Ok((Some(cents as i32), note)),
        (false, Some(_)) => Err(ValidationErrors::single(
            "cost.amount_cents",
            "must be from 1 to 1000000 cents",
        )),
        (false, None) if note.is_some() => Ok((None, note)),
        (false, None) => Err(ValidationErrors::single(
            "cost",
            "needs amount_cents or a note when the activity is not free",
        )),
    }
}

/// Whether participants must register, and how many may.
pub fn registration(
    required: bool,
    participant_limit: Option<i64>,
) -> Result<Option<i32>, ValidationErrors> {
    match (required, participant_limit) {
        (false, Some(_)) => Err(ValidationErrors::single(
            "registration.participant_limit",
            "needs registration.required",
        )),
        (_, None) => Ok(None),
        (true, Some(n)) if (1..=100_000).contains(&n) => Ok(Some(n as i32)),
        (true, Some(_)) => Err(ValidationErrors::single(
            "registration.participant_limit",
            "must be from 1 to 100000",
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(*c));
        }
        assert_eq!(TargetGroup::parse("seniors"), Some(TargetGroup::Seniors));
        assert_eq!(ActivityStatus::parse("gone"), None);
    }

    #[test]
    fn cost_and_registration_rules() {
        assert_eq!(cost(true, None, None).unwrap(), (None, None));
        assert_eq!(
            cost(false, Some(350), Some("Ermäßigt 1 €")).unwrap().0,
            Some(350)
        );
        assert!(cost(true, Some(100), None).is_err());
        assert!(cost(false, None, None).is_err());
        assert!(cost(false, Some(0), None).is_err());
        assert_eq!(registration(true, Some(12)).unwrap(), Some(12));
        assert!(registration(false, Some(12)).is_err());
        assert!(registration(true, Some(0)).is_err());
    }
}
