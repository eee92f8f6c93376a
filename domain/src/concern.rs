//! Residents' concerns (Anliegen): ideas, needs and problems carried to the administration
//! and its partners, where they are answered, and supported by neighbours who share them.

use uuid::Uuid;

use crate::operator::web_address;
use crate::validation::{ValidationErrors, bounded_multiline_text, bounded_text};

/// What a concern is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConcernKind {
    /// Something a resident would like to start or change.
    Idea,
    /// Something missing in the neighbourhood.
    Need,
    /// Something broken or in the way.
    Problem,
}

impl ConcernKind {
    pub const ALL: [ConcernKind; 3] = [ConcernKind::Idea, ConcernKind::Need, ConcernKind::Problem];

    pub fn as_str(self) -> &'static str {
        match self {
            ConcernKind::Idea => "idea",
            ConcernKind::Need => "need",
            ConcernKind::Problem => "problem",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// Where a concern stands. A concern is `submitted` (seen only by its author and the staff
/// answering it) until it is published; from then on it is public, also once it is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConcernStatus {
    Submitted,
    Published,
    InReview,
    /// Handed to a partner or operator who answers it.
    Referred,
    Accepted,
    InProgress,
    Done,
    Declined,
    /// The same as another concern, which carries it on.
    Duplicate,
    /// Taken back by its author.
    Withdrawn,
}

impl ConcernStatus {
    pub const ALL: [ConcernStatus; 10] = [
        ConcernStatus::Submitted,
        ConcernStatus::Published,
        ConcernStatus::InReview,
        ConcernStatus::Referred,
        ConcernStatus::Accepted,
        ConcernStatus::InProgress,
        ConcernStatus::Done,
        ConcernStatus::Declined,
        ConcernStatus::Duplicate,
        ConcernStatus::Withdrawn,
    ];

    /// The statuses in which neighbours may still support a concern.
    pub const OPEN: [ConcernStatus; 5] = [
        ConcernStatus::Published,
        ConcernStatus::InReview,
        ConcernStatus::Referred,
        ConcernStatus::Accepted,
        ConcernStatus::InProgress,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConcernStatus::Submitted => "submitted",
            ConcernStatus::Published => "published",
            ConcernStatus::InReview => "in_review",
            ConcernStatus::Referred => "referred",
            ConcernStatus::Accepted => "accepted",
            ConcernStatus::InProgress => "in_progress",
            ConcernStatus::Done => "done",
            ConcernStatus::Declined => "declined",
            ConcernStatus::Duplicate => "duplicate",
            ConcernStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == raw)
    }

    /// Whether it can still be supported and answered.
    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }

    /// Whether nothing more happens to it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ConcernStatus::Done
                | ConcernStatus::Declined
                | ConcernStatus::Duplicate
                | ConcernStatus::Withdrawn
        )
    }

    /// Whether those answering a concern may move it from `self` to `next`. Withdrawing is
    /// the author's, not theirs (see [`ConcernStatus::may_withdraw`]).
    pub fn staff_may_move_to(self, next: ConcernStatus) -> bool {
        use ConcernStatus::*;
        match self {
            Submitted => matches!(next, Published | Declined | Duplicate),
            Published => matches!(next, InReview | Referred | Accepted | Declined | Duplicate),
            InReview => matches!(next, Referred | Accepted | Declined | Duplicate),
            Referred => matches!(next, InReview | Accepted | Declined | Duplicate),
            Accepted => matches!(next, InProgress | Done | Declined),
            InProgress => matches!(next, Done | Declined),
            Done | Declined | Duplicate | Withdrawn => false,
        }
    }

    /// Whether its author may still take it back.
    pub fn may_withdraw(self) -> bool {
        !self.is_final()
    }

    /// The statuses staff may move it to from here.
    pub fn staff_next(self) -> Vec<ConcernStatus> {
        Self::ALL
            .into_iter()
            .filter(|next| self.staff_may_move_to(*next))
            .collect()
    }
}

/// How a concern reached Quartier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConcernChannel {
    /// Written by its author on the web or in an app.
    Web,
    /// Told on the phone and written down by staff.
    Phone,
    /// Told at the centre's desk.
    Visit,
    /// Raised at a meeting, such as a Stadtteilgespräch.
    Meeting,
    Letter,
}

impl ConcernChannel {
    pub const ALL: [ConcernChannel; 5] = [
        ConcernChannel::Web,
        ConcernChannel::Phone,
        ConcernChannel::Visit,
        ConcernChannel::Meeting,
        ConcernChannel::Letter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConcernChannel::Web => "web",
            ConcernChannel::Phone => "phone",
            ConcernChannel::Visit => "visit",
            ConcernChannel::Meeting => "meeting",
            ConcernChannel::Letter => "letter",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|channel| channel.as_str() == raw)
    }
}

/// The most characters of a concern's title.
pub const TITLE_MAX: usize = 200;
/// The most characters of a concern's text.
pub const TEXT_MAX: usize = 5000;
/// The most characters of a place described in words.
pub const ADDRESS_MAX: usize = 300;
/// How near (in metres) a concern at a point counts as "the same place".
pub const NEARBY_METRES: f64 = 150.0;

/// What came of a concern: the kind of thing an outcome points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeKind {
    Activity,
    /// One date of an activity.
    Occurrence,
    Shift,
    /// A room booked for it (every date of the booking).
    RoomBooking,
    /// A project a neighbourhood fund granted money for.
    FundApplication,
    /// Something outside Quartier: a number in the town's defect reporting system, a
    /// council decision.
    Outside,
}

impl OutcomeKind {
    pub const ALL: [OutcomeKind; 6] = [
        OutcomeKind::Activity,
        OutcomeKind::Occurrence,
        OutcomeKind::Shift,
        OutcomeKind::RoomBooking,
        OutcomeKind::FundApplication,
        OutcomeKind::Outside,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::Activity => "activity",
            OutcomeKind::Occurrence => "occurrence",
            OutcomeKind::Shift => "shift",
            OutcomeKind::RoomBooking => "room_booking",
            OutcomeKind::FundApplication => "fund_application",
            OutcomeKind::Outside => "outside",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// What an outcome points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutcomeTarget {
    /// An activity, a date, a shift, a room booking or a funded project in Quartier, by id.
    Inside(OutcomeKind, Uuid),
    /// The outside system's reference, and where to read it.
    Outside {
        reference: String,
        url: Option<String>,
    },
}

/// The most characters of an outside reference.
pub const OUTSIDE_REF_MAX: usize = 200;
/// The most characters of what an outcome says in words.
pub const OUTCOME_NOTE_MAX: usize = 2000;

/// An outcome to link, checked: its target matches its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub target: OutcomeTarget,
    pub note: Option<String>,
}

impl Outcome {
    /// `target_id` for an activity, occurrence or shift; `outside_ref` (and perhaps
    /// `outside_url`) for something outside; `note` in words for any.
    pub fn parse(
        kind: OutcomeKind,
        target_id: Option<Uuid>,
        outside_ref: Option<&str>,
        outside_url: Option<&str>,
        note: Option<&str>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let note = note.and_then(|note| {
            errors.collect(bounded_multiline_text(note, "note", OUTCOME_NOTE_MAX))
        });
        let target = if kind == OutcomeKind::Outside {
            if target_id.is_some() {
                errors.push("target_id", "must be absent for an outside outcome");
            }
            let reference = match outside_ref {
                Some(raw) => errors.collect(bounded_text(raw, "outside_ref", OUTSIDE_REF_MAX)),
                None => {
                    errors.push("outside_ref", "is required for an outside outcome");
                    None
                }
            };
            let url = outside_url.and_then(|raw| errors.collect(web_address(raw, "outside_url")));
            reference.map(|reference| OutcomeTarget::Outside { reference, url })
        } else {
            for (given, field) in [
                (outside_ref.is_some(), "outside_ref"),
                (outside_url.is_some(), "outside_url"),
            ] {
                if given {
                    errors.push(field, "is only for an outside outcome");
                }
            }
            if target_id.is_none() {
                errors.push("target_id", "is required for this kind");
            }
            target_id.map(|id| OutcomeTarget::Inside(kind, id))
        };
        errors.into_result()?;
        let target = target.ok_or_else(ValidationErrors::default)?;
        Ok(Self { target, note })
    }

    pub fn kind(&self) -> OutcomeKind {
        match &self.target {
            OutcomeTarget::Inside(kind, _) => *kind,
            OutcomeTarget::Outside { .. } => OutcomeKind::Outside,
        }
    }
}

/// A concern's title, text and place in words, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConcernTexts {
    pub title: String,
    pub text: String,
    pub address: Option<String>,
}

impl ConcernTexts {
    pub fn parse(title: &str, text: &str, address: Option<&str>) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let title = errors.collect(bounded_text(title, "title", TITLE_MAX));
        let text = errors.collect(bounded_multiline_text(text, "text", TEXT_MAX));
        let address = match address {
            Some(raw) => errors
                .collect(bounded_text(raw, "address", ADDRESS_MAX))
                .map(Some),
            None => Some(None),
        };
        errors.into_result()?;
        match (title, text, address) {
            (Some(title), Some(text), Some(address)) => Ok(Self {
                title,
                text,
                address,
            }),
            _ => Err(ValidationErrors::default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for status in ConcernStatus::ALL {
            assert_eq!(ConcernStatus::parse(status.as_str()), Some(status));
        }
        for kind in ConcernKind::ALL {
            assert_eq!(ConcernKind::parse(kind.as_str()), Some(kind));
        }
        for channel in ConcernChannel::ALL {
            assert_eq!(ConcernChannel::parse(channel.as_str()), Some(channel));
        }
    }

    #[test]
    fn closed_concerns_stay_closed_and_only_open_ones_are_supported() {
        for status in ConcernStatus::ALL {
            if status.is_final() {
                assert!(status.staff_next().is_empty(), "{status:?}");
                assert!(!status.may_withdraw());
                assert!(!status.is_open());
            }
        }
        assert!(!ConcernStatus::Submitted.is_open());
        assert!(ConcernStatus::Referred.is_open());
        assert!(ConcernStatus::Submitted.staff_may_move_to(ConcernStatus::Published));
        assert!(!ConcernStatus::Submitted.staff_may_move_to(ConcernStatus::Done));
        assert!(!ConcernStatus::Published.staff_may_move_to(ConcernStatus::Withdrawn));
    }

    #[test]
    fn texts_are_bounded() {
        assert!(ConcernTexts::parse("Bank fehlt", "Am Spielplatz", None).is_ok());
        let errors = ConcernTexts::parse("", &"x".repeat(TEXT_MAX + 1), Some(""))
            .expect_err("three fields are wrong");
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "text", "address"]);
    }

    #[test]
    fn an_outcome_names_exactly_the_target_of_its_kind() {
        let id = Uuid::nil();
        let shift = Outcome::parse(OutcomeKind::Shift, Some(id), None, None, Some("Aufbau"))
            .expect("a shift");
        assert_eq!(shift.target, OutcomeTarget::Inside(OutcomeKind::Shift, id));
        assert_eq!(shift.kind(), OutcomeKind::Shift);
        let outside = Outcome::parse(
            OutcomeKind::Outside,
            None,
            Some(" Mängelmelder 2026-1234 "),
            Some("https://maengelmelder.example.org/2026-1234"),
            None,
        )
        .expect("outside");
        assert_eq!(
            outside.target,
            OutcomeTarget::Outside {
                reference: "Mängelmelder 2026-1234".into(),
                url: Some("https://maengelmelder.example.org/2026-1234".into()),
            }
        );
        let fields = |kind, target, reference, url| {
            Outcome::parse(kind, target, reference, url, None)
                .expect_err("wrong")
                .0
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            fields(OutcomeKind::Activity, None, None, None),
            ["target_id"]
        );
        assert_eq!(
            fields(
                OutcomeKind::Activity,
                Some(id),
                Some("x"),
                Some("https://x.org")
            ),
            ["outside_ref", "outside_url"]
        );
        assert_eq!(
            fields(OutcomeKind::Outside, Some(id), None, Some("ftp://x")),
            ["target_id", "outside_ref", "outside_url"]
        );
    }
}
