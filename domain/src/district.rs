//! Districts (Quartier, Stadtteil): named areas of a town, possibly inside a larger district.

use crate::validation::{ValidationErrors, bounded_text};

/// A district's name, such as "Nordstadt" or "Südliche Innenstadt": 1 to 120 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistrictName(String);

impl DistrictName {
    pub fn parse(raw: &str) -> Result<Self, ValidationErrors> {
        bounded_text(raw, "name", 120).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A town's name: 1 to 120 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TownName(String);

impl TownName {
    pub fn parse(raw: &str) -> Result<Self, ValidationErrors> {
        bounded_text(raw, "town", 120).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A name for URLs: lowercase ASCII letters and digits in groups joined by single hyphens,
/// at most 80 characters (`suedliche-innenstadt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 80;

    pub fn parse(raw: &str) -> Result<Self, ValidationErrors> {
        let valid = !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValidationErrors::single(
                "slug",
                "must be 1 to 80 lowercase letters and digits, in groups joined by single hyphens",
            ))
        }
    }

    /// Makes a slug from a German name: umlauts and ß spelled out (ä → ae, ß → ss), other
    /// letters without their accents, everything else a hyphen.
    pub fn from_name(name: &str) -> Result<Self, ValidationErrors> {
        let mut slug = String::with_capacity(name.len());
        for c in name.chars().flat_map(char::to_lowercase) {
            let spelled = match c {
                'ä' => "ae",
                'ö' => "oe",
                'ü' => "ue",
                'ß' => "ss",
                'à' | 'á' | 'â' | 'ã' | 'å' => "a",
                'ç' => "c",
                'è' | 'é' | 'ê' | 'ë' => "e",
                'ì' | 'í' | 'î' | 'ï' => "i",
                'ñ' => "n",
                'ò' | 'ó' | 'ô' | 'õ' | 'ø' => "o",
                'ù' | 'ú' | 'û' => "u",
                c if c.is_ascii_alphanumeric() => {
                    slug.push(c);
                    continue;
                }
                _ => "-",
            };
            slug.push_str(spelled);
        }
        let joined: Vec<&str> = slug.split('-').filter(|part| !part.is_empty()).collect();
        let mut slug = joined.join("-");
        if slug.len() > Self::MAX_LEN {
            slug.truncate(Self::MAX_LEN);
            slug = slug.trim_end_matches('-').to_owned();
        }
        Self::parse(&slug)
            .map_err(|_| ValidationErrors::single("name", "needs at least one letter or digit"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A position on the earth: latitude -90..=90, longitude -180..=180 (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    latitude: f64,
    longitude: f64,
}

impl GeoPoint {
    /// `field` is the name of the point in the request (`centre`, `position`).
    pub fn parse(latitude: f64, longitude: f64, field: &str) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if !(-90.0..=90.0).contains(&latitude) {
            errors.push(format!("{field}.latitude"), "must be from -90 to 90");
        }
        if !(-180.0..=180.0).contains(&longitude) {
            errors.push(format!("{field}.longitude"), "must be from -180 to 180");
        }
        errors.into_result().map(|()| Self {
            latitude,
            longitude,
        })
    }

    pub fn latitude(self) -> f64 {
        self.latitude
    }

    pub fn longitude(self) -> f64 {
        self.longitude
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_spell_out_german_letters() {
        assert_eq!(
            Slug::from_name("Südliche Innenstadt")
                .expect("slug")
                .as_str(),
            "suedliche-innenstadt"
        );
        assert_eq!(
            Slug::from_name("  Groß-Gerau / Nord  ")
                .expect("slug")
                .as_str(),
            "gross-gerau-nord"
        );
        assert_eq!(
            Slug::from_name("Île Café 2").expect("slug").as_str(),
            "ile-cafe-2"
        );
        assert!(Slug::from_name("!!!").is_err());
        assert!(
            Slug::from_name(&"Ä".repeat(100))
                .expect("long")
                .as_str()
                .len()
                <= Slug::MAX_LEN
        );
    }

    #[test]
    fn slugs_are_checked() {
        assert!(Slug::parse("nordstadt-2").is_ok());
        for bad in [
            "",
            "Nordstadt",
            "nord--stadt",
            "-nord",
            "nord-",
            "nörd",
            "nord stadt",
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn points_are_bounded_and_name_their_field() {
        assert!(GeoPoint::parse(51.5, 7.46, "centre").is_ok());
        let err = GeoPoint::parse(91.0, -181.0, "centre").expect_err("out of range");
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["centre.latitude", "centre.longitude"]);
        assert!(GeoPoint::parse(f64::NAN, 0.0, "centre").is_err());
    }
}
