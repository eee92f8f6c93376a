//! Neighbourly help: needs and offers between neighbours ("Wer kann mir beim Einkaufen
//! helfen?", "Ich leihe meine Bohrmaschine aus"), recorded by residents, guests, or staff for
//! someone who called or came by, mediated by the centre unless both sides want it direct,
//! and private by default: the public sees what is asked and roughly where, never who.
//!
//! A request is `open` until its helpers are found (`matched`), then `done`; or it `expired`
//! or was `withdrawn`. A match of a helper goes `proposed` (by staff) → `accepted_by_helper`
//! → `matched` (the requester agrees too) → `completed`, or `declined` by either side before,
//! or `no_show` after; it is `cancelled` when its request ends first. Contact details pass
//! between the two only while a match is `matched`.
//!
//! For a need, the helper of a match is the one who comes to help; for an offer, the person
//! offering is the helper and the match names who takes the offer up. Either way the rules
//! of helpers (the qualification a category needs, a helper's monthly cap) hold for the
//! helper.

use chrono::{Duration, NaiveDate};

use crate::validation::ValidationErrors;

text_enum! {
    /// Whether someone asks for help or offers it.
    HelpKind {
        Need = "need",
        Offer = "offer",
    }
}

text_enum! {
    /// What the help is.
    HelpCategory {
        Errand = "errand",
        Accompaniment = "accompaniment",
        SmallRepair = "small_repair",
        Technology = "technology",
        Visit = "visit",
        Childcare = "childcare",
        Lending = "lending",
        Other = "other",
    }
}

impl HelpCategory {
    /// Whether a request of this category must name the qualification its helpers need
    /// (childcare: the extended police certificate, erweitertes Führungszeugnis).
    pub fn needs_qualification(self) -> bool {
        self == HelpCategory::Childcare
    }

    /// Its German name, as lists and reports show it.
    pub fn german(self) -> &'static str {
        match self {
            HelpCategory::Errand => "Besorgungen",
            HelpCategory::Accompaniment => "Begleitung",
            HelpCategory::SmallRepair => "Kleine Reparaturen",
            HelpCategory::Technology => "Technik",
            HelpCategory::Visit => "Besuch und Gespräch",
            HelpCategory::Childcare => "Kinderbetreuung",
            HelpCategory::Lending => "Leihen",
            HelpCategory::Other => "Sonstiges",
        }
    }
}

text_enum! {
    /// How soon the help is wanted.
    Urgency {
        Flexible = "flexible",
        Soon = "soon",
        Urgent = "urgent",
    }
}

text_enum! {
    /// How helper and requester find each other: staff propose matches (`mediated`, the
    /// default), or helpers volunteer and the requester agrees (`direct`).
    HelpMode {
        Mediated = "mediated",
        Direct = "direct",
    }
}

text_enum! {
    /// Where a request stands.
    HelpRequestStatus {
        Open = "open",
        Matched = "matched",
        Done = "done",
        Expired = "expired",
        Withdrawn = "withdrawn",
    }
}

/// What can happen to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestAction {
    /// As many helpers as it needs have agreed, and the requester too.
    Fill,
    /// A helper dropped out of a filled request: it looks for one again.
    Reopen,
    /// The help happened.
    Finish,
    /// Its time ran out while it was open.
    Expire,
    /// The person (or staff for them) takes it back.
    Withdraw,
}

impl HelpRequestStatus {
    /// Whether the public list shows it: only while it looks for helpers.
    pub fn is_listed(self) -> bool {
        self == HelpRequestStatus::Open
    }

    /// Whether nothing more happens to it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            HelpRequestStatus::Done | HelpRequestStatus::Expired | HelpRequestStatus::Withdrawn
        )
    }

    /// Where `action` takes a request in this status, if it may be taken.
    pub fn after(self, action: RequestAction) -> Option<HelpRequestStatus> {
        use HelpRequestStatus::*;
        use RequestAction as A;
        match (self, action) {
            (Open, A::Fill) => Some(Matched),
            (Matched, A::Reopen) => Some(Open),
            (Matched, A::Finish) => Some(Done),
            (Open, A::Expire) => Some(Expired),
            (Open | Matched, A::Withdraw) => Some(Withdrawn),
            _ => None,
        }
    }
}

text_enum! {
    /// Where a match of a helper to a request stands.
    MatchStatus {
        Proposed = "proposed",
        AcceptedByHelper = "accepted_by_helper",
        Matched = "matched",
        Completed = "completed",
        Declined = "declined",
        NoShow = "no_show",
        Cancelled = "cancelled",
    }
}

/// What can happen to a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchAction {
    /// The helper says yes to a proposal.
    HelperAccepts,
    /// The requester (or staff for someone they recorded) says yes to a helper who did.
    RequesterAccepts,
    /// Either side, or staff, says no before the help.
    Decline,
    /// The help happened.
    Complete,
    /// The helper did not come.
    NoShow,
    /// Its request ended (withdrawn or expired) before the help.
    Cancel,
}

impl MatchStatus {
    /// How a match begins: staff propose one (in either mode); a helper who volunteers for a
    /// direct request has said yes already. `None`: helpers do not volunteer for a mediated
    /// request (staff propose them).
    pub fn first(mode: HelpMode, proposed_by_staff: bool) -> Option<MatchStatus> {
        match (mode, proposed_by_staff) {
            (_, true) => Some(MatchStatus::Proposed),
            (HelpMode::Direct, false) => Some(MatchStatus::AcceptedByHelper),
            (HelpMode::Mediated, false) => None,
        }
    }

    /// Where `action` takes a match in this status, if it may be taken.
    pub fn after(self, action: MatchAction) -> Option<MatchStatus> {
        use MatchAction as A;
        use MatchStatus::*;
        match (self, action) {
            (Proposed, A::HelperAccepts) => Some(AcceptedByHelper),
            (AcceptedByHelper, A::RequesterAccepts) => Some(Matched),
            (Proposed | AcceptedByHelper | Matched, A::Decline) => Some(Declined),
            (Matched, A::Complete) => Some(Completed),
            (Matched, A::NoShow) => Some(NoShow),
            (Proposed | AcceptedByHelper | Matched, A::Cancel) => Some(Cancelled),
            _ => None,
        }
    }

    /// Whether nothing more happens to it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            MatchStatus::Completed
                | MatchStatus::Declined
                | MatchStatus::NoShow
                | MatchStatus::Cancelled
        )
    }

    /// Whether the helper holds one of the places the request has: once she said yes, until
    /// a side declines, she does not come, or the request ends. The database refuses more
    /// such matches than helpers needed.
    pub fn holds_place(self) -> bool {
        matches!(
            self,
            MatchStatus::AcceptedByHelper | MatchStatus::Matched | MatchStatus::Completed
        )
    }

    /// Whether the two may see each other's contact details: only once both said yes, and
    /// only until the help is over (or did not happen).
    pub fn shares_contacts(self) -> bool {
        self == MatchStatus::Matched
    }
}

/// How long a request stays open when nothing else is said.
pub const DEFAULT_EXPIRY: Duration = Duration::days(14);
/// The longest a request may stay open.
pub const MAX_EXPIRY: Duration = Duration::days(90);
/// The most helpers one request may need.
pub const MAX_HELPERS: i32 = 10;
/// The longest public summary, in characters.
pub const SUMMARY_MAX: usize = 200;
/// The longest private details, in characters.
pub const DETAILS_MAX: usize = 2000;

/// How many helpers a request needs: 1 when not said, else 1 to `MAX_HELPERS`.
pub fn helpers_needed(raw: Option<i64>) -> Result<i32, ValidationErrors> {
    match raw {
        None => Ok(1),
        Some(n) if (1..=i64::from(MAX_HELPERS)).contains(&n) => Ok(n as i32),
        Some(_) => Err(ValidationErrors::single(
            "helpers_needed",
            format!("must be from 1 to {MAX_HELPERS}"),
        )),
    }
}

/// The consent of someone whose request staff recorded for her (on the phone, at the
/// counter): required, and not in the future.
pub fn recorded_consent(
    consent_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<NaiveDate, ValidationErrors> {
    match consent_on {
        None => Err(ValidationErrors::single(
            "consent_on",
            "is required: record a request for someone only with her consent, and say when she gave it",
        )),
        Some(day) if day > today => Err(ValidationErrors::single(
            "consent_on",
            "must not be in the future",
        )),
        Some(day) => Ok(day),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_reads_back_from_its_text() {
        for kind in HelpKind::ALL {
            assert_eq!(HelpKind::parse(kind.as_str()), Some(*kind));
        }
        for category in HelpCategory::ALL {
            assert_eq!(HelpCategory::parse(category.as_str()), Some(*category));
            assert!(!category.german().is_empty());
        }
        for status in HelpRequestStatus::ALL {
            assert_eq!(HelpRequestStatus::parse(status.as_str()), Some(*status));
        }
        for status in MatchStatus::ALL {
            assert_eq!(MatchStatus::parse(status.as_str()), Some(*status));
        }
        assert_eq!(HelpMode::parse("direct"), Some(HelpMode::Direct));
        assert_eq!(Urgency::parse("sofort"), None);
    }

    #[test]
    fn only_childcare_names_the_qualification_its_helpers_need() {
        let needing: Vec<_> = HelpCategory::ALL
            .iter()
            .filter(|c| c.needs_qualification())
            .collect();
        assert_eq!(needing, [&HelpCategory::Childcare]);
    }

    #[test]
    fn a_request_is_listed_while_open_and_ends_done_expired_or_withdrawn() {
        use HelpRequestStatus::*;
        use RequestAction as A;
        assert_eq!(Open.after(A::Fill), Some(Matched));
        assert_eq!(Matched.after(A::Reopen), Some(Open));
        assert_eq!(Matched.after(A::Finish), Some(Done));
        assert_eq!(Open.after(A::Finish), None, "nobody helped yet");
        assert_eq!(Open.after(A::Expire), Some(Expired));
        assert_eq!(
            Matched.after(A::Expire),
            None,
            "a matched request does not expire"
        );
        for end in [Done, Expired, Withdrawn] {
            assert!(end.is_final());
            assert!(!end.is_listed());
            for action in [A::Fill, A::Reopen, A::Finish, A::Expire, A::Withdraw] {
                assert_eq!(end.after(action), None);
            }
        }
        assert!(Open.is_listed());
        assert!(!Matched.is_listed());
    }

    #[test]
    fn contacts_pass_only_once_both_said_yes() {
        use MatchAction as A;
        use MatchStatus::*;
        let proposed = MatchStatus::first(HelpMode::Mediated, true).expect("staff propose");
        assert_eq!(proposed, Proposed);
        assert_eq!(
            MatchStatus::first(HelpMode::Mediated, false),
            None,
            "nobody volunteers for a mediated request"
        );
        assert!(!proposed.shares_contacts() && !proposed.holds_place());
        let accepted = proposed
            .after(A::HelperAccepts)
            .expect("the helper says yes");
        assert!(accepted.holds_place());
        assert!(
            !accepted.shares_contacts(),
            "the requester has not agreed yet"
        );
        assert_eq!(
            MatchStatus::first(HelpMode::Direct, false),
            Some(AcceptedByHelper)
        );
        assert_eq!(Proposed.after(A::RequesterAccepts), None);
        let matched = accepted.after(A::RequesterAccepts).expect("both said yes");
        assert!(matched.shares_contacts() && matched.holds_place());
        assert_eq!(matched.after(A::Complete), Some(Completed));
        assert_eq!(matched.after(A::NoShow), Some(NoShow));
        assert!(!Completed.shares_contacts() && !NoShow.shares_contacts());
        assert_eq!(matched.after(A::Cancel), Some(Cancelled));
        assert!(!Cancelled.holds_place() && Cancelled.is_final());
        assert_eq!(Completed.after(A::Cancel), None);
        let declined = accepted.after(A::Decline).expect("a side says no");
        assert!(!declined.holds_place() && !declined.shares_contacts());
        assert_eq!(Completed.after(A::Decline), None);
    }

    #[test]
    fn helpers_and_consent_are_checked() {
        assert_eq!(helpers_needed(None), Ok(1));
        assert_eq!(helpers_needed(Some(3)), Ok(3));
        assert!(helpers_needed(Some(0)).is_err());
        assert!(helpers_needed(Some(11)).is_err());
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).expect("a date");
        assert!(recorded_consent(None, today).is_err());
        assert!(recorded_consent(today.succ_opt(), today).is_err());
        assert_eq!(recorded_consent(Some(today), today), Ok(today));
    }
}
