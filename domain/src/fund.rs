//! The neighbourhood fund (Verfügungsfonds, Quartiersfonds): small grants for residents' own
//! projects, from the application to the proof of use (Verwendungsnachweis).
//!
//! A fund belongs to an operator or a district and a year; it has a budget, a most a project
//! may get, and an amount up to which staff may decide alone — above it the fund's committee
//! (a network: Quartiersbeirat, Jury) decides, with its minutes referenced. Amounts are whole
//! cents. What the fund has granted is counted by the database under a lock, never over the
//! budget; the rules here are the ones that need no other row.

use crate::validation::ValidationErrors;

/// An amount of money in whole euro cents, never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Cents(i64);

impl Cents {
    /// The most any amount here may be: ten million euros.
    pub const MAX: Cents = Cents(1_000_000_000);
    pub const ZERO: Cents = Cents(0);

    /// `raw` cents, when it is 0 or more and at most [`Cents::MAX`].
    pub fn new(raw: i64) -> Option<Self> {
        (0..=Self::MAX.0).contains(&raw).then_some(Self(raw))
    }

    /// `raw` cents for the field `field`, or what is wrong with it.
    pub fn parse(field: &str, raw: i64) -> Result<Self, ValidationErrors> {
        Self::new(raw).ok_or_else(|| {
            ValidationErrors::single(
                field,
                format!("must be a whole number of cents from 0 to {}", Self::MAX.0),
            )
        })
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// `self - other`, or zero when `other` is more.
    pub fn saturating_sub(self, other: Cents) -> Cents {
        Cents((self.0 - other.0).max(0))
    }

    /// The sum, when it stays within [`Cents::MAX`].
    pub fn checked_add(self, other: Cents) -> Option<Cents> {
        Cents::new(self.0.checked_add(other.0)?)
    }
}

/// A fund's year, when `raw` is one from 2000 to 2100.
pub fn year(raw: i64) -> Option<i16> {
    (2000..=2100).contains(&raw).then_some(raw as i16)
}

/// Who a fund belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FundOwnerKind {
    /// An operator (Träger) runs it, for its centres' neighbourhoods.
    Operator,
    /// The town runs it for a district (Quartiersmanagement).
    District,
}

impl FundOwnerKind {
    pub const ALL: [FundOwnerKind; 2] = [FundOwnerKind::Operator, FundOwnerKind::District];

    pub fn as_str(self) -> &'static str {
        match self {
            FundOwnerKind::Operator => "operator",
            FundOwnerKind::District => "district",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// The money limits of a fund.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FundLimits {
    /// What the fund may grant in its year, in all.
    pub budget: Cents,
    /// The most one project may get.
    pub per_project_max: Cents,
    /// Up to this amount staff decide alone; above it the committee decides.
    pub staff_threshold: Cents,
}

impl FundLimits {
    /// Limits that fit together: a project's most within the budget, the staff's threshold
    /// within a project's most.
    pub fn new(
        budget: Cents,
        per_project_max: Cents,
        staff_threshold: Cents,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if per_project_max > budget {
            errors.push("per_project_max_cents", "must not be more than the budget");
        }
        if staff_threshold > per_project_max {
            errors.push(
                "staff_threshold_cents",
                "must not be more than the most a project may get",
            );
        }
        errors.into_result().map(|()| Self {
            budget,
            per_project_max,
            staff_threshold,
        })
    }
}

/// Where an application stands.
///
/// `draft` → `submitted` → `prechecked` → `approved` (with the granted amount) or `declined`
/// (with the reason) → `reported` (the proof of use: actual cost, report, receipts seen) →
/// `settled` (the unspent part goes back to the fund). The applicant may withdraw it until
/// it is reported; a withdrawn approval gives its grant back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationStatus {
    Draft,
    Submitted,
    Prechecked,
    Approved,
    Declined,
    Reported,
    Settled,
    Withdrawn,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 8] = [
        ApplicationStatus::Draft,
        ApplicationStatus::Submitted,
        ApplicationStatus::Prechecked,
        ApplicationStatus::Approved,
        ApplicationStatus::Declined,
        ApplicationStatus::Reported,
        ApplicationStatus::Settled,
        ApplicationStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "draft",
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::Prechecked => "prechecked",
            ApplicationStatus::Approved => "approved",
            ApplicationStatus::Declined => "declined",
            ApplicationStatus::Reported => "reported",
            ApplicationStatus::Settled => "settled",
            ApplicationStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == raw)
    }

    /// Whether the application holds part of the fund's budget: granted and not yet settled
    /// (a settled one holds what was spent, counted apart).
    pub fn holds_grant(self) -> bool {
        matches!(
            self,
            ApplicationStatus::Approved | ApplicationStatus::Reported
        )
    }

    /// Whether the applicant may still change its texts and cost plan.
    pub fn is_editable(self) -> bool {
        self == ApplicationStatus::Draft
    }

    /// Whether nothing more happens to it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ApplicationStatus::Declined | ApplicationStatus::Settled | ApplicationStatus::Withdrawn
        )
    }

    /// The step `action` takes an application in this status to, if it may be taken.
    pub fn after(self, action: ApplicationAction) -> Option<ApplicationStatus> {
        use ApplicationAction as A;
        use ApplicationStatus::*;
        match (self, action) {
            (Draft, A::Submit) => Some(Submitted),
            (Submitted, A::Precheck) => Some(Prechecked),
            (Submitted | Prechecked, A::Decline) => Some(Declined),
            (Prechecked, A::Approve) => Some(Approved),
            (Approved, A::Report) => Some(Reported),
            (Reported, A::Settle) => Some(Settled),
            (Draft | Submitted | Prechecked | Approved, A::Withdraw) => Some(Withdrawn),
            _ => None,
        }
    }
}

/// What can be done to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationAction {
    /// The applicant hands it in.
    Submit,
    /// Staff found it complete and eligible.
    Precheck,
    /// Staff or the committee grant an amount.
    Approve,
    /// Staff or the committee say no, with a reason.
    Decline,
    /// The applicant (or staff for them) proves the use: actual cost, report, receipts seen.
    Report,
    /// Staff close it; the unspent part goes back to the fund.
    Settle,
    /// The applicant takes it back.
    Withdraw,
}

/// Who decided on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decider {
    /// Staff of the fund's owner, alone (up to the fund's staff threshold).
    Staff,
    /// The fund's committee, with its minutes referenced.
    Committee,
}

impl Decider {
    pub const ALL: [Decider; 2] = [Decider::Staff, Decider::Committee];

    pub fn as_str(self) -> &'static str {
        match self {
            Decider::Staff => "staff",
            Decider::Committee => "committee",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|decider| decider.as_str() == raw)
    }
}

/// Why a grant is refused before the budget is even looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantRefusal {
    /// More than the most a project may get.
    OverProjectMaximum { maximum: Cents },
    /// More than staff may grant alone: the committee must decide.
    CommitteeNeeded { threshold: Cents },
    /// More than was applied for.
    OverRequested { requested: Cents },
    /// Nothing: a grant of 0 is a decline.
    Nothing,
}

/// Whether `decider` may grant `granted` of the `requested` amount under `limits`. The
/// remaining budget is the database's to check, under the fund's lock.
pub fn check_grant(
    limits: &FundLimits,
    decider: Decider,
    requested: Cents,
    granted: Cents,
) -> Result<(), GrantRefusal> {
    if granted == Cents::ZERO {
        return Err(GrantRefusal::Nothing);
    }
    if granted > requested {
        return Err(GrantRefusal::OverRequested { requested });
    }
    if granted > limits.per_project_max {
        return Err(GrantRefusal::OverProjectMaximum {
            maximum: limits.per_project_max,
        });
    }
    if decider == Decider::Staff && granted > limits.staff_threshold {
        return Err(GrantRefusal::CommitteeNeeded {
            threshold: limits.staff_threshold,
        });
    }
    Ok(())
}

/// The most lines a cost plan has.
pub const MAX_COST_LINES: usize = 50;

/// Whether a cost plan of `lines` carries the `requested` amount: at most
/// [`MAX_COST_LINES`] lines, and (when there are any) not less in all than is asked for.
pub fn check_cost_plan(requested: Cents, lines: &[Cents]) -> Result<(), ValidationErrors> {
    if requested == Cents::ZERO {
        return Err(ValidationErrors::single(
            "requested_cents",
            "must be more than 0",
        ));
    }
    if lines.len() > MAX_COST_LINES {
        return Err(ValidationErrors::single(
            "cost_lines",
            format!("must have at most {MAX_COST_LINES} lines"),
        ));
    }
    if lines.is_empty() {
        return Ok(());
    }
    let total = lines
        .iter()
        .try_fold(Cents::ZERO, |sum, line| sum.checked_add(*line));
    match total {
        Some(total) if total >= requested => Ok(()),
        Some(_) => Err(ValidationErrors::single(
            "requested_cents",
            "must not be more than the cost plan's lines together",
        )),
        None => Err(ValidationErrors::single(
            "cost_lines",
            format!("must together be at most {} cents", Cents::MAX.0),
        )),
    }
}

/// What a settled project spent of its grant: the actual cost, up to the grant. The rest
/// goes back to the fund.
pub fn spent(granted: Cents, actual_cost: Cents) -> Cents {
    granted.min(actual_cost)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cents(n: i64) -> Cents {
        Cents::new(n).expect("in range")
    }

    fn limits() -> FundLimits {
        FundLimits::new(cents(500_000), cents(150_000), cents(50_000)).expect("fit")
    }

    #[test]
    fn amounts_are_whole_cents_within_range() {
        assert_eq!(Cents::new(-1), None);
        assert_eq!(Cents::new(1_000_000_001), None);
        assert_eq!(Cents::new(0), Some(Cents::ZERO));
        assert_eq!(cents(300).saturating_sub(cents(500)), Cents::ZERO);
        assert_eq!(Cents::MAX.checked_add(cents(1)), None);
        assert_eq!(
            Cents::parse("budget_cents", -5).expect_err("negative").0[0].field,
            "budget_cents"
        );
    }

    #[test]
    fn limits_must_fit_together() {
        let errors = FundLimits::new(cents(1_000), cents(2_000), cents(3_000)).expect_err("no fit");
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["per_project_max_cents", "staff_threshold_cents"]);
    }

    #[test]
    fn staff_decide_alone_only_up_to_the_threshold() {
        let l = limits();
        assert_eq!(
            check_grant(&l, Decider::Staff, cents(80_000), cents(50_000)),
            Ok(())
        );
        assert_eq!(
            check_grant(&l, Decider::Staff, cents(80_000), cents(50_001)),
            Err(GrantRefusal::CommitteeNeeded {
                threshold: cents(50_000)
            })
        );
        assert_eq!(
            check_grant(&l, Decider::Committee, cents(80_000), cents(80_000)),
            Ok(())
        );
        assert_eq!(
            check_grant(&l, Decider::Committee, cents(200_000), cents(150_001)),
            Err(GrantRefusal::OverProjectMaximum {
                maximum: cents(150_000)
            })
        );
        assert_eq!(
            check_grant(&l, Decider::Committee, cents(10_000), cents(10_001)),
            Err(GrantRefusal::OverRequested {
                requested: cents(10_000)
            })
        );
        assert_eq!(
            check_grant(&l, Decider::Staff, cents(10_000), Cents::ZERO),
            Err(GrantRefusal::Nothing)
        );
    }

    #[test]
    fn an_application_goes_its_way_and_no_other() {
        use ApplicationAction as A;
        use ApplicationStatus::*;
        let mut status = Draft;
        for (action, next) in [
            (A::Submit, Submitted),
            (A::Precheck, Prechecked),
            (A::Approve, Approved),
            (A::Report, Reported),
            (A::Settle, Settled),
        ] {
            status = status.after(action).expect("allowed");
            assert_eq!(status, next);
        }
        assert!(status.is_final());
        assert_eq!(Draft.after(A::Approve), None, "not decided unchecked");
        assert_eq!(Submitted.after(A::Approve), None);
        assert_eq!(
            Reported.after(A::Withdraw),
            None,
            "proven use is not taken back"
        );
        assert_eq!(Approved.after(A::Withdraw), Some(Withdrawn));
        assert_eq!(Declined.after(A::Submit), None);
        assert!(Approved.holds_grant() && Reported.holds_grant());
        assert!(!Settled.holds_grant() && !Withdrawn.holds_grant());
        for status in ApplicationStatus::ALL {
            assert_eq!(ApplicationStatus::parse(status.as_str()), Some(status));
        }
    }

    #[test]
    fn a_cost_plan_carries_what_is_asked_for() {
        assert_eq!(
            check_cost_plan(cents(500), &[cents(300), cents(200)]),
            Ok(())
        );
        assert_eq!(check_cost_plan(cents(500), &[]), Ok(()));
        let short = check_cost_plan(cents(501), &[cents(300), cents(200)]).expect_err("short");
        assert_eq!(short.0[0].field, "requested_cents");
        assert!(check_cost_plan(Cents::ZERO, &[]).is_err());
        assert!(check_cost_plan(cents(1), &[cents(1); 51]).is_err());
        let over = check_cost_plan(cents(1), &[Cents::MAX, cents(1)]).expect_err("over");
        assert_eq!(over.0[0].field, "cost_lines");
    }

    #[test]
    fn a_settled_project_spends_at_most_its_grant() {
        assert_eq!(spent(cents(40_000), cents(35_500)), cents(35_500));
        assert_eq!(spent(cents(40_000), cents(52_000)), cents(40_000));
    }
}
