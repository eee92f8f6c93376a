//! Accounts: e-mail addresses, display names, passwords and roles.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

use crate::validation::{ValidationErrors, is_forbidden_char};

/// An e-mail address that has the shape of one: `local@domain.tld`, at most 254 characters.
///
/// Kept as the user typed it (trimmed), in Unicode normal form C: two addresses that differ
/// only in case or in how their letters are composed (`ë` as one code point or as `e` and a
/// combining diaeresis) are the same account, which the database enforces with a unique
/// index on `lower(normalize(email, NFC))` and a check that stored addresses are in NFC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, ValidationErrors> {
        let invalid = |message: &str| Err(ValidationErrors::single("email", message));
        // The bound applies to what was sent, as the API schema says, not to what trimming leaves.
        if raw.chars().count() > Self::MAX_LEN {
            return invalid("must be at most 254 characters");
        }
        let value = raw.trim();
        if value.is_empty() {
            return invalid("must not be empty");
        }
        if value
            .chars()
            .any(|c| c.is_whitespace() || is_forbidden_char(c))
        {
            return invalid("must not contain spaces or control characters");
        }
        let Some((local, domain)) = value.rsplit_once('@') else {
            return invalid("must be an address like name@example.org");
        };
        if local.is_empty() || local.chars().count() > 64 || local.contains('@') {
            return invalid("must be an address like name@example.org");
        }
        let labels: Vec<&str> = domain.split('.').collect();
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        };
        if labels.len() < 2 || !labels.iter().all(label_ok) {
            return invalid("must have a domain like example.org after the @");
        }
        Ok(Self(value.nfc().collect()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name other people see: 1 to 100 characters, trimmed, in Unicode normal form C. It
/// shows what it says: at least one visible letter, digit or symbol (a name of fillers,
/// soft hyphens, joiners or combining marks alone looks empty), and no control characters or
/// text-direction marks, which can make a name read as another. Joiners inside emoji
/// (`👨‍👩‍👧`) and variation selectors are fine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, ValidationErrors> {
        let invalid = |message: &str| Err(ValidationErrors::single("display_name", message));
        if raw.chars().count() > Self::MAX_CHARS {
            return invalid("must be at most 100 characters");
        }
        let value = raw.trim();
        if value.is_empty() {
            return invalid("must not be empty");
        }
        if value.chars().any(is_refused_in_name) {
            return invalid("must not contain control characters or text-direction marks");
        }
        if !value.chars().any(is_visible) {
            return invalid("must contain a visible letter, digit or symbol");
        }
        let stored: String = value.nfc().collect();
        // Some characters grow when composed (U+0958 becomes two): the bound holds for what
        // is stored too.
        if stored.chars().count() > Self::MAX_CHARS {
            return invalid("must be at most 100 characters");
        }
        Ok(Self(stored))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Control characters, line separators, the zero-width space and byte-order mark, and the
/// marks that change the direction of text (embeddings, overrides, isolates, LRM/RLM/ALM).
fn is_refused_in_name(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Characters that take no visible space of their own: fillers (Hangul, Mongolian, braille
/// blank), soft hyphen, joiners and other format characters, variation selectors and tags.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2060}'..='\u{206F}'
            | '\u{2800}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FFA0}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// A character a reader sees: not white space, not invisible, not a combining mark.
fn is_visible(c: char) -> bool {
    !c.is_whitespace()
        && !c.is_control()
        && !is_invisible(c)
        && !unicode_normalization::char::is_combining_mark(c)
}

/// A new password that meets the policy: at least 10 characters, at most 128, and not the
/// account's own e-mail address. Never printed, not even by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;
    /// Hashing cost grows with length; a bound keeps one request from buying a lot of CPU.
    pub const MAX_CHARS: usize = 128;

    /// Checks `raw` against the policy; `field` names the input the errors should point to
    /// (`password` when registering, `new_password` when changing it).
    pub fn parse(raw: &str, email: &str, field: &str) -> Result<Self, ValidationErrors> {
        let chars = raw.chars().count();
        let message = if chars < Self::MIN_CHARS {
            Some("must be at least 10 characters")
        } else if chars > Self::MAX_CHARS {
            Some("must be at most 128 characters")
        } else if raw.trim().to_lowercase() == email.trim().to_lowercase() {
            Some("must not be the e-mail address")
        } else {
            None
        };
        match message {
            Some(message) => Err(ValidationErrors::single(field, message)),
            None => Ok(Self(raw.to_owned())),
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// What an account may do across the whole system. Staff roles of an operator are separate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// City-wide administration: districts, operators, accounts.
    Admin,
    /// Everyone else: volunteers, and staff whose rights come from operator membership.
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_accepts_ordinary_addresses_and_trims() {
        let e = Email::parse("  Anna.Schmidt+quartier@Beispiel-Stadt.de ").expect("valid");
        assert_eq!(e.as_str(), "Anna.Schmidt+quartier@Beispiel-Stadt.de");
        assert!(Email::parse("jörg@müller.de").is_ok());
    }

    #[test]
    fn email_rejects_what_is_not_an_address() {
        for bad in [
            "",
            "anna",
            "anna@",
            "@example.org",
            "anna@localhost",
            "an na@example.org",
            "anna@exa_mple.org",
            "anna@-x.org",
            "anna@example..org",
            "anna@exa\nmple.org",
            "a\u{0}@example.org",
        ] {
            let err = Email::parse(bad).expect_err(bad);
            assert_eq!(err.0[0].field, "email", "{bad:?}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn display_name_is_trimmed_and_bounded() {
        assert_eq!(
            DisplayName::parse("  Anna ").expect("valid").as_str(),
            "Anna"
        );
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"ß".repeat(100)).is_ok());
        assert!(DisplayName::parse(&"ß".repeat(101)).is_err());
        assert!(
            DisplayName::parse(&format!("{} ", "ß".repeat(100))).is_err(),
            "spaces count"
        );
        assert!(DisplayName::parse("Anna\u{202E}").is_err());
        // Characters that grow when composed count as what is stored.
        assert!(DisplayName::parse(&"\u{0958}".repeat(50)).is_ok());
        assert!(DisplayName::parse(&"\u{0958}".repeat(51)).is_err());
    }

    #[test]
    fn a_display_name_shows_what_it_says() {
        // Nothing visible: fillers, soft hyphens, joiners, combining marks alone.
        for empty in [
            "\u{3164}",
            "\u{3164}\u{3164}",
            "\u{00AD}",
            "\u{2060}",
            "\u{180E}",
            "\u{0301}\u{0308}",
            "\u{200D}\u{00AD}\u{3164}",
        ] {
            assert!(DisplayName::parse(empty).is_err(), "{empty:?}");
        }
        // Direction marks and isolates are refused even around a real name.
        for bidi in [
            "Anna\u{2066}",
            "\u{2067}Anna\u{2069}",
            "Anna\u{061C}",
            "\u{200F}Anna",
        ] {
            assert!(DisplayName::parse(bidi).is_err(), "{bidi:?}");
        }
        // A family emoji holds zero-width joiners; an emoji with a variation selector.
        for fine in [
            "👨\u{200D}👩\u{200D}👧",
            "Familie 👨\u{200D}👩\u{200D}👧",
            "❤\u{FE0F}",
            "Zoë",
        ] {
            assert!(DisplayName::parse(fine).is_ok(), "{fine:?}");
        }
        // Composed the same way whatever was sent.
        assert_eq!(
            DisplayName::parse("Zoe\u{0308}").expect("valid").as_str(),
            "Zo\u{00EB}"
        );
    }

    #[test]
    fn addresses_are_kept_in_normal_form_c() {
        assert_eq!(
            Email::parse("zoe\u{0308}@example.org")
                .expect("valid")
                .as_str(),
            "zo\u{00EB}@example.org"
        );
    }

    #[test]
    fn password_policy() {
        let email = "anna@example.org";
        assert!(Password::parse("kurz", email, "password").is_err());
        assert!(
            Password::parse("ÄÖÜäöüßÄÖÜ", email, "password").is_ok(),
            "counts characters, not bytes"
        );
        assert!(Password::parse("Anna@Example.org", email, "password").is_err());
        let err = Password::parse(&"x".repeat(129), email, "new_password").expect_err("too long");
        assert_eq!(err.0[0].field, "new_password");
        assert!(Password::parse("correct horse battery", email, "password").is_ok());
    }

    #[test]
    fn password_debug_does_not_leak() {
        let p = Password::parse("geheimes passwort", "a@b.de", "password").expect("valid");
        assert!(!format!("{p:?}").contains("geheim"));
    }

    #[test]
    fn role_round_trips() {
        for role in [Role::Admin, Role::Member] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
