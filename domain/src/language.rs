//! Languages of content: BCP 47 tags, the reader's preferences (`Accept-Language`, RFC 9110
//! 12.5.4) matched by RFC 4647 lookup, and which text of a translatable field a reader gets.
//!
//! German is the source of every text; other languages are variants written by people or
//! by machines. Leichte Sprache (easy German) is its own variant, `de-x-ls`: a private-use
//! subtag, because `de-LS` would mean German as used in Lesotho.

use std::fmt;

/// The language every text is written in first.
pub const SOURCE: &str = "de";

/// Leichte Sprache.
pub const EASY_GERMAN: &str = "de-x-ls";

/// The content languages enabled when nothing else is configured.
pub const DEFAULT_ENABLED: [&str; 8] = ["de", "de-x-ls", "en", "tr", "ar", "uk", "ru", "pl"];

/// A well-formed BCP 47 language tag in canonical case (`de`, `de-x-ls`, `sr-Latn-RS`).
/// Tags compare case-insensitively because they are kept in one case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LanguageTag(String);

/// Why a string is not a language tag Quartier accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagError {
    /// Not a well-formed BCP 47 tag.
    Malformed,
    /// `de-LS`: German as used in Lesotho, mistaken for Leichte Sprache.
    LesothoGerman,
}

impl fmt::Display for TagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TagError::Malformed => f.write_str(
                "is not a BCP 47 language tag (such as de, en, tr, ar or de-x-ls for Leichte Sprache)",
            ),
            TagError::LesothoGerman => f.write_str(
                "de-LS means German as used in Lesotho (LS is Lesotho's region code); \
                 Leichte Sprache is de-x-ls",
            ),
        }
    }
}

impl std::error::Error for TagError {}

impl LanguageTag {
    /// Parses a tag: a 2–3 letter language, then an optional script (4 letters), region
    /// (2 letters or 3 digits), variants, extensions and a private-use part (`x-…`).
    pub fn parse(raw: &str) -> Result<Self, TagError> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > 64 {
            return Err(TagError::Malformed);
        }
        let subtags: Vec<&str> = raw.split('-').collect();
        if subtags
            .iter()
            .any(|s| s.is_empty() || s.len() > 8 || !s.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            return Err(TagError::Malformed);
        }
        let language = subtags[0];
        if !(2..=3).contains(&language.len()) || !language.chars().all(|c| c.is_ascii_alphabetic())
        {
            return Err(TagError::Malformed);
        }
        let mut out = vec![language.to_ascii_lowercase()];
        let mut position = Position::Script;
        let mut region = None;
        let mut i = 1;
        while i < subtags.len() {
            let lower = subtags[i].to_ascii_lowercase();
            i += 1;
            if lower.len() == 1 {
                // A singleton opens an extension (`u-ca-…`, subtags of 2 to 8 characters up to
                // the next singleton) or the private-use part (`x-…`, everything after it).
                let private = lower == "x";
                out.push(lower);
                let first = i;
                while i < subtags.len() && (private || subtags[i].len() > 1) {
                    out.push(subtags[i].to_ascii_lowercase());
                    i += 1;
                }
                if i == first {
                    return Err(TagError::Malformed);
                }
                position = Position::Extension;
                continue;
            }
            if position == Position::Extension {
                return Err(TagError::Malformed);
            }
            let alpha = lower.chars().all(|c| c.is_ascii_alphabetic());
            let digits = lower.chars().all(|c| c.is_ascii_digit());
            if position == Position::Script && lower.len() == 4 && alpha {
                let mut script = lower.clone();
                script[..1].make_ascii_uppercase();
                out.push(script);
                position = Position::Region;
            } else if position <= Position::Region
                && ((lower.len() == 2 && alpha) || (lower.len() == 3 && digits))
            {
                region = Some(lower.clone());
                out.push(lower.to_ascii_uppercase());
                position = Position::Variant;
            } else if (5..=8).contains(&lower.len())
                || (lower.len() == 4 && lower.starts_with(|c: char| c.is_ascii_digit()))
            {
                out.push(lower);
                position = Position::Variant;
            } else {
                return Err(TagError::Malformed);
            }
        }
        if out[0] == "de" && region.as_deref() == Some("ls") {
            return Err(TagError::LesothoGerman);
        }
        Ok(LanguageTag(out.join("-")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The primary language subtag (`de` for `de-x-ls`).
    pub fn language(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }

    /// German, the language staff write resources in.
    pub fn german() -> Self {
        LanguageTag(SOURCE.to_owned())
    }

    /// True for the German source.
    pub fn is_source(&self) -> bool {
        self.0 == SOURCE
    }

    /// Leichte Sprache and other variants that are public only once reviewed, whoever wrote
    /// them: the easy-German text is checked by readers of the target group before it counts.
    pub fn needs_review(&self) -> bool {
        self.0 == EASY_GERMAN
    }

    /// Which way the language is written, from its script where it names one.
    pub fn direction(&self) -> Direction {
        let script = self
            .0
            .split('-')
            .nth(1)
            .filter(|s| s.len() == 4 && s.starts_with(|c: char| c.is_ascii_uppercase()));
        if let Some(script) = script {
            return if RTL_SCRIPTS.contains(&script) {
                Direction::Rtl
            } else {
                Direction::Ltr
            };
        }
        if RTL_LANGUAGES.contains(&self.language()) {
            Direction::Rtl
        } else {
            Direction::Ltr
        }
    }

    /// PostgreSQL's text search configuration for the language, where it ships one
    /// (`simple`, which only lower-cases words, for the others).
    pub fn search_configuration(&self) -> &'static str {
        SEARCH_CONFIGURATIONS
            .iter()
            .find(|(language, _)| *language == self.language())
            .map_or("simple", |(_, config)| config)
    }

    /// The tags RFC 4647 lookup tries for this one, longest first: `de-x-ls`, then `de`.
    fn truncations(&self) -> impl Iterator<Item = &str> {
        let tag = self.0.as_str();
        let mut end = Some(tag.len());
        std::iter::from_fn(move || {
            let current = end?;
            let candidate = &tag[..current];
            // Drop the last subtag, and a singleton left dangling before it.
            end = candidate.rfind('-').map(|i| {
                let shorter = &candidate[..i];
                match shorter.rfind('-') {
                    Some(j) if i - j == 2 => j,
                    _ => i,
                }
            });
            Some(candidate)
        })
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Position {
    Script,
    Region,
    Variant,
    Extension,
}

const RTL_LANGUAGES: [&str; 11] = [
    "ar", "arc", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi",
];
const RTL_SCRIPTS: [&str; 6] = ["Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm"];

/// Languages and the text search configuration PostgreSQL ships for them.
const SEARCH_CONFIGURATIONS: [(&str, &str); 29] = [
    ("ar", "arabic"),
    ("ca", "catalan"),
    ("da", "danish"),
    ("de", "german"),
    ("el", "greek"),
    ("en", "english"),
    ("es", "spanish"),
    ("eu", "basque"),
    ("fi", "finnish"),
    ("fr", "french"),
    ("ga", "irish"),
    ("hi", "hindi"),
    ("hu", "hungarian"),
    ("hy", "armenian"),
    ("id", "indonesian"),
    ("it", "italian"),
    ("lt", "lithuanian"),
    ("ne", "nepali"),
    ("nl", "dutch"),
    ("no", "norwegian"),
    ("nb", "norwegian"),
    ("pt", "portuguese"),
    ("ro", "romanian"),
    ("ru", "russian"),
    ("sr", "serbian"),
    ("sv", "swedish"),
    ("ta", "tamil"),
    ("tr", "turkish"),
    ("yi", "yiddish"),
];

/// Which way a language is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// The languages content may be written in: German first, then the configured variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentLanguages(Vec<LanguageTag>);

impl ContentLanguages {
    /// From a comma-separated list (`QUARTIER_CONTENT_LANGUAGES`); German is always in it.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut tags = vec![LanguageTag(SOURCE.to_owned())];
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let tag = LanguageTag::parse(part).map_err(|e| format!("{part:?} {e}"))?;
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        Ok(Self(tags))
    }

    pub fn defaults() -> Self {
        Self::parse(&DEFAULT_ENABLED.join(",")).expect("the default languages are valid")
    }

    pub fn tags(&self) -> &[LanguageTag] {
        &self.0
    }

    /// The enabled tag `raw` names, compared case-insensitively.
    pub fn find(&self, raw: &str) -> Option<&LanguageTag> {
        self.0.iter().find(|tag| tag.0.eq_ignore_ascii_case(raw))
    }
}

/// A reader's wishes: language ranges in order of preference (RFC 9110 `Accept-Language`,
/// weights applied, ranges weighted 0 dropped).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preferences(Vec<String>);

impl Preferences {
    /// One language asked for by name (`?lang=`).
    pub fn only(tag: &LanguageTag) -> Self {
        Self(vec![tag.0.clone()])
    }

    /// Reads an `Accept-Language` value. Ranges that do not parse are skipped, as a header
    /// the client cannot fix must not make a page unreadable.
    pub fn from_accept_language(header: &str) -> Self {
        let mut ranges: Vec<(u16, usize, String)> = Vec::new();
        for (position, item) in header.split(',').enumerate() {
            let mut parts = item.split(';');
            let range = parts.next().unwrap_or("").trim();
            if range.is_empty()
                || range.len() > 64
                || !range
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '*')
            {
                continue;
            }
            let mut weight = 1000;
            for parameter in parts {
                let parameter = parameter.trim();
                if let Some(q) = parameter
                    .strip_prefix("q=")
                    .or_else(|| parameter.strip_prefix("Q="))
                {
                    weight = parse_weight(q).unwrap_or(0);
                }
            }
            if weight > 0 {
                ranges.push((weight, position, range.to_ascii_lowercase()));
            }
        }
        ranges.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        Self(ranges.into_iter().map(|(_, _, range)| range).collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// RFC 4647 lookup: for each range in turn, the range and then its truncations are
    /// tried against `available`; the first hit wins. `*` and no match give German.
    pub fn lookup<'a>(
        &self,
        available: impl Fn(&str) -> Option<&'a LanguageTag>,
    ) -> Option<&'a LanguageTag> {
        for range in &self.0 {
            if range == "*" {
                // Any language: the ranges after it may still name one this resource has.
                continue;
            }
            let Ok(tag) = LanguageTag::parse(range).or_else(|e| match e {
                // A reader asking for de-LS still reads German.
                TagError::LesothoGerman => Ok(LanguageTag(SOURCE.to_owned())),
                TagError::Malformed => Err(e),
            }) else {
                continue;
            };
            for candidate in tag.truncations() {
                if let Some(found) = available(candidate) {
                    return Some(found);
                }
            }
        }
        None
    }
}

/// A weight `0`, `0.5`, `1.000` as thousandths.
fn parse_weight(raw: &str) -> Option<u16> {
    let raw = raw.trim();
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    if fraction.len() > 3 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{fraction:0<3}").parse().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// Who wrote a variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Human,
    Machine,
}

impl Origin {
    pub const ALL: [Origin; 2] = [Origin::Human, Origin::Machine];

    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Human => "human",
            Origin::Machine => "machine",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == raw)
    }
}

/// What is known about one variant of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VariantFacts {
    pub origin: Origin,
    pub reviewed: bool,
    /// The German source changed after the variant was written.
    pub stale: bool,
}

impl VariantFacts {
    /// Whether the public may read this variant of a text in `tag`: machine drafts and
    /// Leichte Sprache only once reviewed, and nothing written for an older source (the
    /// German text is the one that is right about times and places).
    pub fn is_public(&self, tag: &LanguageTag) -> bool {
        let reviewed_enough =
            self.reviewed || (self.origin == Origin::Human && !tag.needs_review());
        reviewed_enough && !self.stale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(raw: &str) -> LanguageTag {
        LanguageTag::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    #[test]
    fn tags_are_kept_in_canonical_case() {
        assert_eq!(tag("DE").as_str(), "de");
        assert_eq!(tag("de-X-LS").as_str(), "de-x-ls");
        assert_eq!(tag("sr-latn-rs").as_str(), "sr-Latn-RS");
        assert_eq!(tag("es-419").as_str(), "es-419");
        assert_eq!(tag("de-CH-1996").as_str(), "de-CH-1996");
        assert_eq!(tag("en-u-ca-gregory").as_str(), "en-u-ca-gregory");
        assert_eq!(tag("de-DE"), tag("de-de"));
    }

    #[test]
    fn malformed_tags_are_refused() {
        for raw in [
            "",
            "d",
            "deutsch",
            "de_DE",
            "de-",
            "-de",
            "de--x",
            "de-x",
            "1de",
            "de-x-",
            "de-ü",
            "x-ls",
            "en-a",
            "de-toolongsubtag",
        ] {
            assert_eq!(LanguageTag::parse(raw), Err(TagError::Malformed), "{raw}");
        }
    }

    #[test]
    fn german_of_lesotho_is_refused_with_the_reason() {
        for raw in ["de-LS", "de-ls", "DE-LS"] {
            let error = LanguageTag::parse(raw).expect_err(raw);
            assert_eq!(error, TagError::LesothoGerman);
            assert!(error.to_string().contains("Lesotho"));
            assert!(error.to_string().contains("de-x-ls"));
        }
        assert!(LanguageTag::parse("en-LS").is_ok());
    }

    #[test]
    fn direction_follows_the_script_or_the_language() {
        assert_eq!(tag("ar").direction(), Direction::Rtl);
        assert_eq!(tag("fa-IR").direction(), Direction::Rtl);
        assert_eq!(tag("de-x-ls").direction(), Direction::Ltr);
        assert_eq!(tag("uz-Arab").direction(), Direction::Rtl);
        assert_eq!(tag("ku-Latn").direction(), Direction::Ltr);
    }

    #[test]
    fn search_configurations_follow_the_language() {
        assert_eq!(tag("de-x-ls").search_configuration(), "german");
        assert_eq!(tag("en-GB").search_configuration(), "english");
        assert_eq!(tag("uk").search_configuration(), "simple");
        assert_eq!(tag("pl").search_configuration(), "simple");
    }

    #[test]
    fn accept_language_is_ordered_by_weight_then_position() {
        let wishes =
            Preferences::from_accept_language("de;q=0.5, de-x-ls, en;q=0.8, fr;q=0, tr;q=0.8");
        assert_eq!(wishes.0, vec!["de-x-ls", "en", "tr", "de"]);
        let broken = Preferences::from_accept_language("en;q=2, ; q=0.5, ü, tr;q=0.1234, ar");
        assert_eq!(broken.0, vec!["ar"]);
        assert!(Preferences::from_accept_language("").is_empty());
    }

    fn enabled() -> ContentLanguages {
        ContentLanguages::defaults()
    }

    fn lookup(header: &str, available: &[&str]) -> Option<String> {
        let languages = enabled();
        Preferences::from_accept_language(header)
            .lookup(|candidate| {
                available
                    .contains(&candidate)
                    .then(|| languages.find(candidate))
                    .flatten()
            })
            .map(|t| t.as_str().to_owned())
    }

    #[test]
    fn lookup_truncates_ranges_and_takes_the_first_hit() {
        assert_eq!(
            lookup("en-GB, tr", &["de", "tr", "en"]).as_deref(),
            Some("en")
        );
        assert_eq!(
            lookup("de-x-ls, de;q=0.5", &["de", "de-x-ls"]).as_deref(),
            Some("de-x-ls")
        );
        // Easy German missing: the range itself truncates to German.
        assert_eq!(lookup("de-x-ls, en", &["de", "en"]).as_deref(), Some("de"));
        assert_eq!(lookup("tr", &["de", "en"]), None);
        assert_eq!(lookup("*, en", &["de", "en"]).as_deref(), Some("en"));
        assert_eq!(lookup("*", &["de", "en"]), None);
        assert_eq!(lookup("de-LS", &["de", "en"]).as_deref(), Some("de"));
    }

    #[test]
    fn configured_languages_always_include_german() {
        let languages = ContentLanguages::parse("en, TR,en").expect("valid");
        let tags: Vec<&str> = languages.tags().iter().map(LanguageTag::as_str).collect();
        assert_eq!(tags, ["de", "en", "tr"]);
        assert!(
            ContentLanguages::parse("en,de-LS")
                .expect_err("de-LS is refused")
                .contains("Lesotho")
        );
        assert_eq!(languages.find("TR").map(LanguageTag::as_str), Some("tr"));
    }

    #[test]
    fn drafts_and_easy_german_need_a_review_and_stale_texts_are_not_served() {
        let en = tag("en");
        let easy = tag("de-x-ls");
        let facts = |origin, reviewed, stale| VariantFacts {
            origin,
            reviewed,
            stale,
        };
        assert!(facts(Origin::Human, false, false).is_public(&en));
        assert!(!facts(Origin::Machine, false, false).is_public(&en));
        assert!(facts(Origin::Machine, true, false).is_public(&en));
        assert!(!facts(Origin::Human, false, false).is_public(&easy));
        assert!(facts(Origin::Human, true, false).is_public(&easy));
        assert!(!facts(Origin::Human, true, true).is_public(&en));
    }
}
