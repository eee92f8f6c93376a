//! Neighbourhood centres (Quartierszentren): kinds, states, addresses and languages.

use crate::validation::ValidationErrors;

/// What kind of place a centre is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CentreKind {
    /// Bürgerhaus, Gemeinschaftshaus.
    CommunityHouse,
    /// Zentrum für Gemeinwesenarbeit.
    CommunityWorkCentre,
    /// WohnCafé.
    Wohncafe,
    /// Nachbarschaftstreff.
    MeetingPlace,
    /// Stadtteilbüro.
    DistrictOffice,
    Other,
}

impl CentreKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CentreKind::CommunityHouse => "community_house",
            CentreKind::CommunityWorkCentre => "community_work_centre",
            CentreKind::Wohncafe => "wohncafe",
            CentreKind::MeetingPlace => "meeting_place",
            CentreKind::DistrictOffice => "district_office",
            CentreKind::Other => "other",
        }
    }
}

/// Whether a centre receives visitors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CentreStatus {
    Active,
    TemporarilyClosed,
    Closed,
}

impl CentreStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CentreStatus::Active => "active",
            CentreStatus::TemporarilyClosed => "temporarily_closed",
            CentreStatus::Closed => "closed",
        }
    }
}

/// A German postcode: five digits.
pub fn postcode(raw: &str) -> Result<String, ValidationErrors> {
    let value = raw.trim();
    if value.len() == 5 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_owned())
    } else {
        Err(ValidationErrors::single(
            "address.postcode",
            "must be five digits",
        ))
    }
}

/// Language codes (ISO 639: `de`, `en`, `tr`, `ar`, `uk`), lowercased, without repeats, at
/// most 30.
pub fn languages(raw: &[String]) -> Result<Vec<String>, ValidationErrors> {
    if raw.len() > 30 {
        return Err(ValidationErrors::single(
            "languages",
            "must have at most 30 entries",
        ));
    }
    let mut codes: Vec<String> = Vec::with_capacity(raw.len());
    for (i, code) in raw.iter().enumerate() {
        let code = code.trim().to_ascii_lowercase();
        if !(2..=3).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(ValidationErrors::single(
                format!("languages[{i}]"),
                "must be a language code such as de, en or tr",
            ));
        }
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes_are_five_digits() {
        assert_eq!(postcode(" 44135 ").expect("valid"), "44135");
        for bad in ["4413", "441355", "4413a", ""] {
            assert!(postcode(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn languages_are_codes_without_repeats() {
        let raw: Vec<String> = ["de", "EN", "de", "tr"].map(String::from).to_vec();
        assert_eq!(languages(&raw).expect("valid"), ["de", "en", "tr"]);
        let err = languages(&["de".into(), "deutsch".into()]).expect_err("not a code");
        assert_eq!(err.0[0].field, "languages[1]");
    }
}
