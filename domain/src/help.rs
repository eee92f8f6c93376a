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

use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

use crate::district::GeoPoint;
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
    /// Its time ran out: while open, at its expiry or the end of its window; once matched,
    /// `FOLLOW_UP` after its window when nobody recorded the help (contacts stop passing).
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
            (Open | Matched, A::Expire) => Some(Expired),
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

text_enum! {
    /// Who wrote a message of a match: its helper, its requester, or the centre's staff for
    /// someone they recorded.
    MessageSender {
        Helper = "helper",
        Requester = "requester",
        Staff = "staff",
    }
}

/// The longest message of a match, in characters.
pub const MESSAGE_MAX: usize = 1000;

impl MatchStatus {
    /// Whether its two sides may still write to each other: until it is over.
    pub fn takes_messages(self) -> bool {
        !self.is_final()
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

    /// Whether the helper of a match in this status reads the request's private details:
    /// once both said yes, and before that only where the centre's staff chose her
    /// (`mediated`); a helper who volunteers for a direct request reads the public summary
    /// until the requester agrees, and no helper whose match ended without helping reads on.
    pub fn reads_details(self, mode: HelpMode) -> bool {
        match self {
            MatchStatus::Matched | MatchStatus::Completed => true,
            MatchStatus::Proposed | MatchStatus::AcceptedByHelper => mode == HelpMode::Mediated,
            MatchStatus::Declined | MatchStatus::NoShow | MatchStatus::Cancelled => false,
        }
    }
}

/// How many of a request's matches stand where: what decides the request's next step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MatchCounts {
    /// Both sides said yes: `matched` or `completed`.
    pub agreed: i32,
    /// The help happened: `completed`.
    pub completed: i32,
}

/// The step a request takes after a change to its matches, if any: the one place that says
/// how a request follows its matches. It fills once as many helpers as it needs agreed
/// with the requester, opens again when one of them drops out, and is done once each of
/// them helped.
pub fn follows(
    status: HelpRequestStatus,
    helpers_needed: i32,
    counts: MatchCounts,
) -> Option<RequestAction> {
    let action = match status {
        HelpRequestStatus::Open if counts.agreed >= helpers_needed => RequestAction::Fill,
        HelpRequestStatus::Matched if counts.completed >= helpers_needed => RequestAction::Finish,
        HelpRequestStatus::Matched if counts.agreed < helpers_needed => RequestAction::Reopen,
        _ => return None,
    };
    status.after(action).map(|_| action)
}

/// A 500 m cell of the European grid (INSPIRE, ETRS89-LAEA, EPSG:3035): the coarse place a
/// request shows instead of an address. Named as INSPIRE names cells,
/// `CRS3035RES500mN3210000E4321000` (the metres north and east of its lower left corner).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridCell {
    north: i64,
    east: i64,
}

/// The side of a grid cell, in metres.
pub const CELL_METRES: i64 = 500;

impl GridCell {
    /// The cell a point lies in; the point itself is forgotten. Only points the European
    /// grid covers (latitudes 25 to 85, longitudes -35 to 45).
    pub fn containing(point: GeoPoint, field: &str) -> Result<Self, ValidationErrors> {
        let (latitude, longitude) = (point.latitude(), point.longitude());
        if !(25.0..=85.0).contains(&latitude) || !(-35.0..=45.0).contains(&longitude) {
            return Err(ValidationErrors::single(
                field,
                "must lie in Europe: the grid of 500 m cells covers latitudes 25 to 85 and longitudes -35 to 45",
            ));
        }
        let (north, east) = laea(latitude, longitude);
        let corner = |metres: f64| (metres / CELL_METRES as f64).floor() as i64 * CELL_METRES;
        let (north, east) = (corner(north), corner(east));
        // The grid names cells north and east of its false origin only.
        if !(0..100_000_000).contains(&north) || !(0..100_000_000).contains(&east) {
            return Err(ValidationErrors::single(
                field,
                "must lie in Europe: the grid of 500 m cells covers latitudes 25 to 85 and longitudes -35 to 45",
            ));
        }
        Ok(Self { north, east })
    }

    /// Reads a cell's name back; `None` when it is not one.
    pub fn parse(raw: &str) -> Option<Self> {
        let rest = raw.strip_prefix("CRS3035RES500mN")?;
        let (north, east) = rest.split_once('E')?;
        let digits = |s: &str| {
            (!s.is_empty() && s.len() <= 8 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<i64>().ok())
                .flatten()
        };
        let (north, east) = (digits(north)?, digits(east)?);
        (north % CELL_METRES == 0 && east % CELL_METRES == 0).then_some(Self { north, east })
    }

    /// Its INSPIRE name.
    pub fn code(self) -> String {
        format!("CRS3035RES500mN{}E{}", self.north, self.east)
    }
}

/// Northing and easting (metres) of a point in ETRS89-LAEA: the ellipsoidal Lambert
/// azimuthal equal-area projection on GRS 1980, centred at 52° N 10° E, false easting
/// 4 321 000 m and northing 3 210 000 m (the formulas of IOGP's guidance note 7-2).
fn laea(latitude: f64, longitude: f64) -> (f64, f64) {
    const A: f64 = 6_378_137.0;
    const F: f64 = 1.0 / 298.257_222_101;
    let e2 = F * (2.0 - F);
    let e = e2.sqrt();
    let q = |phi: f64| {
        let s = phi.sin();
        (1.0 - e2)
            * (s / (1.0 - e2 * s * s) - (1.0 / (2.0 * e)) * ((1.0 - e * s) / (1.0 + e * s)).ln())
    };
    let (phi0, lambda0) = (52f64.to_radians(), 10f64.to_radians());
    let (phi, lambda) = (latitude.to_radians(), longitude.to_radians());
    let q_pole = q(std::f64::consts::FRAC_PI_2);
    let beta = (q(phi) / q_pole).asin();
    let beta0 = (q(phi0) / q_pole).asin();
    let rq = A * (q_pole / 2.0).sqrt();
    let d = A * (phi0.cos() / (1.0 - e2 * phi0.sin().powi(2)).sqrt()) / (rq * beta0.cos());
    let dl = lambda - lambda0;
    let b =
        rq * (2.0 / (1.0 + beta0.sin() * beta.sin() + beta0.cos() * beta.cos() * dl.cos())).sqrt();
    let east = 4_321_000.0 + b * d * beta.cos() * dl.sin();
    let north =
        3_210_000.0 + (b / d) * (beta0.cos() * beta.sin() - beta0.sin() * beta.cos() * dl.cos());
    (north, east)
}

/// When a new request expires: `wanted`, or `DEFAULT_EXPIRY` from `now`; after `now` and at
/// most `MAX_EXPIRY` ahead.
pub fn expiry(
    wanted: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, ValidationErrors> {
    match wanted {
        None => Ok(now + DEFAULT_EXPIRY),
        Some(at) if at <= now => Err(ValidationErrors::single(
            "expires_at",
            "must be in the future",
        )),
        Some(at) if at - now > MAX_EXPIRY => Err(ValidationErrors::single(
            "expires_at",
            "must be at most 90 days ahead",
        )),
        Some(at) => Ok(at),
    }
}

/// How long after its window a matched request nobody followed up (no help recorded as
/// given or not) ends as expired.
pub const FOLLOW_UP: Duration = Duration::days(14);

/// Who gives the help of a match, and so must hold the request's qualification and counts
/// against her own monthly cap: the helper of a need; for an offer, the person offering
/// (`offered_by`, `None` for someone staff recorded).
pub fn giver(kind: HelpKind, helper: Uuid, offered_by: Option<Uuid>) -> Option<Uuid> {
    match kind {
        HelpKind::Need => Some(helper),
        HelpKind::Offer => offered_by,
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
            Some(Expired),
            "a matched request nobody followed up ends too"
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
    fn a_helper_reads_the_details_once_agreed_or_chosen_by_staff() {
        use MatchStatus::*;
        assert!(Matched.reads_details(HelpMode::Direct));
        assert!(!AcceptedByHelper.reads_details(HelpMode::Direct));
        assert!(Proposed.reads_details(HelpMode::Mediated));
        assert!(!Declined.reads_details(HelpMode::Mediated));
        let (helper, offering) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(giver(HelpKind::Need, helper, Some(offering)), Some(helper));
        assert_eq!(
            giver(HelpKind::Offer, helper, Some(offering)),
            Some(offering)
        );
        assert_eq!(giver(HelpKind::Offer, helper, None), None);
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

    #[test]
    fn a_request_follows_its_matches() {
        use HelpRequestStatus::*;
        let counts = |agreed, completed| MatchCounts { agreed, completed };
        assert_eq!(follows(Open, 2, counts(1, 0)), None, "one more is needed");
        assert_eq!(follows(Open, 2, counts(2, 0)), Some(RequestAction::Fill));
        assert_eq!(
            follows(Matched, 2, counts(1, 0)),
            Some(RequestAction::Reopen)
        );
        assert_eq!(follows(Matched, 2, counts(2, 1)), None, "one still to help");
        assert_eq!(
            follows(Matched, 2, counts(2, 2)),
            Some(RequestAction::Finish)
        );
        assert_eq!(follows(Withdrawn, 1, counts(1, 1)), None, "it ended");
        assert_eq!(follows(Expired, 1, counts(1, 0)), None);
    }

    #[test]
    fn a_point_becomes_its_500_metre_cell() {
        // IOGP guidance note 7-2's example of EPSG:3035: 50° N 5° E is at
        // E 3 962 799.45 m, N 2 999 718.85 m.
        let (north, east) = laea(50.0, 5.0);
        assert!((east - 3_962_799.45).abs() < 0.01, "{east}");
        assert!((north - 2_999_718.85).abs() < 0.01, "{north}");
        let point = GeoPoint::parse(50.0, 5.0, "position").expect("a point");
        let cell = GridCell::containing(point, "position").expect("in Europe");
        assert_eq!(cell.code(), "CRS3035RES500mN2999500E3962500");
        assert_eq!(GridCell::parse(&cell.code()), Some(cell));
        // The centre of the projection is its false origin.
        let origin = GeoPoint::parse(52.0, 10.0, "position").expect("a point");
        assert_eq!(
            GridCell::containing(origin, "position").map(GridCell::code),
            Ok("CRS3035RES500mN3210000E4321000".into())
        );
        let sydney = GeoPoint::parse(-33.9, 151.2, "position").expect("a point");
        assert!(GridCell::containing(sydney, "position").is_err());
        // The south-western corner of the range lies west of the grid's origin.
        let atlantic = GeoPoint::parse(25.0, -35.0, "position").expect("a point");
        assert!(GridCell::containing(atlantic, "position").is_err());
        for bad in [
            "",
            "CRS3035RES500mN12E",
            "CRS3035RES500mN3210001E4321000",
            "CRS3035RES1000mN3210000E4321000",
            "CRS3035RES500mN-500E4321000",
        ] {
            assert_eq!(GridCell::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_request_expires_in_two_weeks_unless_said_and_within_ninety_days() {
        let now = DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z")
            .expect("a time")
            .with_timezone(&Utc);
        assert_eq!(expiry(None, now), Ok(now + Duration::days(14)));
        assert!(expiry(Some(now), now).is_err());
        assert!(expiry(Some(now + Duration::days(91)), now).is_err());
        assert_eq!(
            expiry(Some(now + Duration::days(90)), now),
            Ok(now + Duration::days(90))
        );
    }
}
