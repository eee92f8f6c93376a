//! Operators (Träger) and the roles of their staff.

use crate::validation::{ValidationErrors, bounded_text, is_forbidden_char};

/// The organisation type of an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperatorKind {
    /// The town itself (Stadt, Gemeinde).
    Municipality,
    /// A housing company (Wohnbaugesellschaft).
    HousingCompany,
    /// A church or welfare association (kirchlicher Verband, Wohlfahrtsverband).
    ChurchOrWelfare,
    /// An association or club (Verein).
    Association,
    Other,
}

impl OperatorKind {
    pub const ALL: [OperatorKind; 5] = [
        OperatorKind::Municipality,
        OperatorKind::HousingCompany,
        OperatorKind::ChurchOrWelfare,
        OperatorKind::Association,
        OperatorKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OperatorKind::Municipality => "municipality",
            OperatorKind::HousingCompany => "housing_company",
            OperatorKind::ChurchOrWelfare => "church_or_welfare",
            OperatorKind::Association => "association",
            OperatorKind::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// A role in an operator's staff. An operator admin may do everything a coordinator may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffRole {
    /// Manages the operator's members, centres and everything below them.
    OperatorAdmin,
    /// Manages activities, shifts and rosters of the operator's centres.
    Coordinator,
}

impl StaffRole {
    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::OperatorAdmin => "operator_admin",
            StaffRole::Coordinator => "coordinator",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "operator_admin" => Some(StaffRole::OperatorAdmin),
            "coordinator" => Some(StaffRole::Coordinator),
            _ => None,
        }
    }

    /// Whether someone with this role may do what `needed` may.
    pub fn includes(self, needed: StaffRole) -> bool {
        self == StaffRole::OperatorAdmin || self == needed
    }
}

/// An operator's name: 1 to 200 characters.
pub fn operator_name(raw: &str) -> Result<String, ValidationErrors> {
    bounded_text(raw, "name", 200)
}

/// A longer text for people: at most `max_chars`, may be empty, line breaks allowed.
pub fn free_text(raw: &str, field: &str, max_chars: usize) -> Result<String, ValidationErrors> {
    if raw.chars().count() > max_chars {
        return Err(ValidationErrors::single(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    if raw
        .chars()
        .any(|c| is_forbidden_char(c) && c != '\n' && c != '\t')
    {
        return Err(ValidationErrors::single(
            field,
            "must not contain control characters",
        ));
    }
    Ok(raw.trim().to_owned())
}

/// A web address: `http://` or `https://`, no spaces, at most 500 characters.
pub fn website(raw: &str) -> Result<String, ValidationErrors> {
    web_address(raw, "website")
}

/// A web address in the field `field`: `http://` or `https://`, no spaces, at most 500
/// characters.
pub fn web_address(raw: &str, field: &str) -> Result<String, ValidationErrors> {
    let value = raw.trim();
    let host = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let valid = host.is_some_and(|h| !h.is_empty() && !h.starts_with('/'))
        && value.chars().count() <= 500
        && !value
            .chars()
            .any(|c| c.is_whitespace() || is_forbidden_char(c));
    if valid {
        Ok(value.to_owned())
    } else {
        Err(ValidationErrors::single(
            field,
            "must be an http:// or https:// address of at most 500 characters",
        ))
    }
}

/// A phone number as people write it: digits, spaces and `+ - / ( )`, at most 40 characters,
/// at least 3 digits.
pub fn phone(raw: &str, field: &str) -> Result<String, ValidationErrors> {
    let value = raw.trim();
    let valid = value.chars().count() <= 40
        && value.chars().filter(char::is_ascii_digit).count() >= 3
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || " +-/()".contains(c));
    if valid {
        Ok(value.to_owned())
    } else {
        Err(ValidationErrors::single(
            field,
            "must be a phone number: digits, spaces and + - / ( ), at most 40 characters",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_roles_round_trip() {
        for kind in OperatorKind::ALL {
            assert_eq!(OperatorKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(OperatorKind::parse("church"), None);
        for role in [StaffRole::OperatorAdmin, StaffRole::Coordinator] {
            assert_eq!(StaffRole::parse(role.as_str()), Some(role));
        }
    }

    #[test]
    fn operator_admins_may_do_what_coordinators_may() {
        assert!(StaffRole::OperatorAdmin.includes(StaffRole::Coordinator));
        assert!(StaffRole::Coordinator.includes(StaffRole::Coordinator));
        assert!(!StaffRole::Coordinator.includes(StaffRole::OperatorAdmin));
    }

    #[test]
    fn contact_details_are_checked() {
        assert!(website("https://awo-musterstadt.de/quartier").is_ok());
        assert!(website("ftp://example.org").is_err());
        assert!(website("https:// example.org").is_err());
        assert!(website("https://").is_err());
        assert_eq!(
            phone(" +49 (231) 123-45 ", "phone").expect("valid"),
            "+49 (231) 123-45"
        );
        assert!(phone("call me", "phone").is_err());
        assert!(free_text("Zeile 1\nZeile 2", "description", 100).is_ok());
        assert!(free_text("a\u{0}b", "description", 100).is_err());
        assert!(free_text(&"x".repeat(101), "description", 100).is_err());
    }
}
