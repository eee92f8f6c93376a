//! The partner network (Netzwerkpartner): who works in the districts besides the operators,
//! what they do, and how they are reached — by role, never by a person's name.

use crate::validation::{ValidationErrors, bounded_text};

/// What kind of organisation a partner is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerKind {
    /// A Verein.
    Association,
    ReligiousCommunity,
    SocialInstitution,
    School,
    /// A Kita.
    Daycare,
    /// A unit of the town's administration.
    Administration,
    HousingCompany,
    Police,
    Business,
    /// A residents' initiative.
    Initiative,
    Other,
}

impl PartnerKind {
    pub const ALL: [PartnerKind; 11] = [
        PartnerKind::Association,
        PartnerKind::ReligiousCommunity,
        PartnerKind::SocialInstitution,
        PartnerKind::School,
        PartnerKind::Daycare,
        PartnerKind::Administration,
        PartnerKind::HousingCompany,
        PartnerKind::Police,
        PartnerKind::Business,
        PartnerKind::Initiative,
        PartnerKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PartnerKind::Association => "association",
            PartnerKind::ReligiousCommunity => "religious_community",
            PartnerKind::SocialInstitution => "social_institution",
            PartnerKind::School => "school",
            PartnerKind::Daycare => "daycare",
            PartnerKind::Administration => "administration",
            PartnerKind::HousingCompany => "housing_company",
            PartnerKind::Police => "police",
            PartnerKind::Business => "business",
            PartnerKind::Initiative => "initiative",
            PartnerKind::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// A field of a partner that is public only where the partner says so (name and kind always
/// are).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PartnerField {
    Description,
    Topics,
    Districts,
    Website,
    ContactEmail,
    ContactPhone,
    Address,
}

impl PartnerField {
    pub const ALL: [PartnerField; 7] = [
        PartnerField::Description,
        PartnerField::Topics,
        PartnerField::Districts,
        PartnerField::Website,
        PartnerField::ContactEmail,
        PartnerField::ContactPhone,
        PartnerField::Address,
    ];

    /// Public unless the partner says otherwise: what it does and where, not how to reach it.
    pub const DEFAULT_PUBLIC: [PartnerField; 4] = [
        PartnerField::Description,
        PartnerField::Topics,
        PartnerField::Districts,
        PartnerField::Website,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PartnerField::Description => "description",
            PartnerField::Topics => "topics",
            PartnerField::Districts => "districts",
            PartnerField::Website => "website",
            PartnerField::ContactEmail => "contact_email",
            PartnerField::ContactPhone => "contact_phone",
            PartnerField::Address => "address",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.as_str() == raw)
    }
}

/// A role in a partner's staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerRole {
    /// Keeps the partner's staff list and answers its concerns.
    PartnerAdmin,
    /// Answers the concerns referred to the partner.
    PartnerStaff,
}

impl PartnerRole {
    pub const ALL: [PartnerRole; 2] = [PartnerRole::PartnerAdmin, PartnerRole::PartnerStaff];

    pub fn as_str(self) -> &'static str {
        match self {
            PartnerRole::PartnerAdmin => "partner_admin",
            PartnerRole::PartnerStaff => "partner_staff",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == raw)
    }
}

/// The most topics a partner names.
pub const TOPICS_MAX: usize = 20;
/// The most characters of one topic.
pub const TOPIC_MAX_CHARS: usize = 60;

/// A partner's topics, checked: each 1 to 60 characters on one line, at most 20, each once
/// (the first spelling kept), in the order given.
pub fn topics(raw: &[String]) -> Result<Vec<String>, ValidationErrors> {
    if raw.len() > TOPICS_MAX {
        return Err(ValidationErrors::single(
            "topics",
            format!("must be at most {TOPICS_MAX} topics"),
        ));
    }
    let mut checked: Vec<String> = Vec::with_capacity(raw.len());
    for topic in raw {
        let topic = bounded_text(topic, "topics", TOPIC_MAX_CHARS)?;
        if !checked
            .iter()
            .any(|t| t.to_lowercase() == topic.to_lowercase())
        {
            checked.push(topic);
        }
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in PartnerKind::ALL {
            assert_eq!(PartnerKind::parse(kind.as_str()), Some(kind));
        }
        for field in PartnerField::ALL {
            assert_eq!(PartnerField::parse(field.as_str()), Some(field));
        }
    }

    #[test]
    fn topics_are_trimmed_once_each_and_bounded() {
        let given = [
            " Jugend ".to_owned(),
            "jugend".to_owned(),
            "Senioren".to_owned(),
        ];
        assert_eq!(
            topics(&given).expect("valid"),
            ["Jugend".to_owned(), "Senioren".to_owned()]
        );
        assert!(topics(&[String::new()]).is_err());
        assert!(topics(&["x".repeat(61)]).is_err());
        assert!(topics(&vec!["a".to_owned(); 21]).is_err());
    }
}
