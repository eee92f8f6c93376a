//! Who may vouch for whom. A verification of a document belongs to the operator whose staff
//! inspected it; staff act only for volunteers who came to their operator, and a shift counts
//! only the verifications its operator accepts.

use chrono::NaiveDate;

/// What ties a volunteer to an operator, as far as the operator's staff may act for her.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Acquaintance {
    /// She named the operator as one she helps.
    pub joined: bool,
    /// She is staff of the operator herself.
    pub staff: bool,
    /// She declared the qualification in question (and so showed it to the operators she
    /// helps).
    pub declared: bool,
    /// She has signed up for one of the operator's shifts, at any time.
    pub signed_up: bool,
    /// She has signed up for a shift at one of the centres the acting coordinator is limited
    /// to.
    pub signed_up_within_limits: bool,
}

/// How far the acting staff member's reach goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The whole operator: operator admins, coordinators without centre limits,
    /// administrators and API keys.
    Operator,
    /// Only the centres a coordinator is limited to.
    Centres,
}

impl Acquaintance {
    /// Staff may sign her up, or act for her otherwise, once she came to the operator: she
    /// joined it, works for it, or signed up for one of its shifts.
    pub fn known(&self) -> bool {
        self.joined || self.staff || self.signed_up
    }

    /// Staff may record that they inspected her document when she declared it to their
    /// operator (declared it and joined) or signed up for one of its shifts; a coordinator
    /// limited to centres only for volunteers who signed up for a shift at one of them.
    pub fn may_record_check(&self, reach: Reach) -> bool {
        match reach {
            Reach::Operator => (self.declared && self.joined) || self.signed_up,
            Reach::Centres => self.signed_up_within_limits,
        }
    }

    /// Staff may change or revoke their operator's verification of her document: the whole
    /// operator's staff always (it is their own record), a coordinator limited to centres
    /// only for volunteers who signed up for a shift at one of them.
    pub fn may_change_check(&self, reach: Reach) -> bool {
        match reach {
            Reach::Operator => true,
            Reach::Centres => self.signed_up_within_limits,
        }
    }
}

/// Where one verification stands on `today`: it counts until the start of `expires_on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerificationStatus {
    Valid,
    Expired,
}

impl VerificationStatus {
    pub fn on(expires_on: Option<NaiveDate>, today: NaiveDate) -> Self {
        if expires_on.is_none_or(|expiry| expiry > today) {
            Self::Valid
        } else {
            Self::Expired
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_act_only_for_volunteers_who_came_to_them() {
        let stranger = Acquaintance::default();
        assert!(!stranger.known());
        assert!(!stranger.may_record_check(Reach::Operator));
        // Declaring alone shows the document to no operator in particular.
        let declared = Acquaintance {
            declared: true,
            ..stranger
        };
        assert!(!declared.may_record_check(Reach::Operator));
        let declared_to_us = Acquaintance {
            joined: true,
            ..declared
        };
        assert!(declared_to_us.known());
        assert!(declared_to_us.may_record_check(Reach::Operator));
        assert!(!declared_to_us.may_record_check(Reach::Centres));
        let signed_up = Acquaintance {
            signed_up: true,
            ..stranger
        };
        assert!(signed_up.known());
        assert!(signed_up.may_record_check(Reach::Operator));
        assert!(!signed_up.may_record_check(Reach::Centres));
        let here = Acquaintance {
            signed_up_within_limits: true,
            ..signed_up
        };
        assert!(here.may_record_check(Reach::Centres));
        let colleague = Acquaintance {
            staff: true,
            ..stranger
        };
        assert!(colleague.known());
        assert!(!colleague.may_record_check(Reach::Operator));
    }

    #[test]
    fn a_verification_counts_until_the_start_of_its_expiry_day() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 2).expect("date");
        assert_eq!(VerificationStatus::on(None, day), VerificationStatus::Valid);
        assert_eq!(
            VerificationStatus::on(day.succ_opt(), day),
            VerificationStatus::Valid
        );
        assert_eq!(
            VerificationStatus::on(Some(day), day),
            VerificationStatus::Expired
        );
    }
}
