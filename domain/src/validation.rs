//! Field-level validation errors, shared by every `parse` in the domain.

use std::fmt;

/// One thing wrong with one input field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field as the client named it (`email`, `password`, `schedule.rrule`).
    pub field: String,
    /// A sentence for people: what is wrong and what would be right.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Everything wrong with an input, collected so a client can fix all of it at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self(vec![FieldError::new(field, message)])
    }

    /// Keeps the value of `result` and records its errors, so several fields can be checked
    /// before giving up.
    pub fn collect<T>(&mut self, result: Result<T, ValidationErrors>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(errors) => {
                self.0.extend(errors.0);
                None
            }
        }
    }

    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The same errors about query parameters: each field named `query.<name>`, as the API
    /// names fields outside the body.
    pub fn in_query(self) -> Self {
        Self(
            self.0
                .into_iter()
                .map(|e| FieldError::new(format!("query.{}", e.field), e.message))
                .collect(),
        )
    }

    /// The same errors about the fields of a nested object: each field named
    /// `<object>.<name>`.
    pub fn within(self, object: &str) -> Self {
        Self(
            self.0
                .into_iter()
                .map(|e| FieldError::new(format!("{object}.{}", e.field), e.message))
                .collect(),
        )
    }

    /// `Ok(())` when nothing was recorded, the collected errors otherwise.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

/// A name-like text: at most `max_chars` characters as sent, trimmed, not empty, without
/// control characters. Errors name `field`.
pub fn bounded_text(raw: &str, field: &str, max_chars: usize) -> Result<String, ValidationErrors> {
    if raw.chars().count() > max_chars {
        return Err(ValidationErrors::single(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    let value = raw.trim();
    if value.is_empty() {
        return Err(ValidationErrors::single(field, "must not be empty"));
    }
    if value.chars().any(is_forbidden_char) {
        return Err(ValidationErrors::single(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value.to_owned())
}

/// `bounded_text` for text of several lines: line breaks and tabs are kept (`\r\n` becomes
/// `\n`), every other control character is refused.
pub fn bounded_multiline_text(
    raw: &str,
    field: &str,
    max_chars: usize,
) -> Result<String, ValidationErrors> {
    if raw.chars().count() > max_chars {
        return Err(ValidationErrors::single(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    let value = raw.replace("\r\n", "\n");
    let value = value.trim();
    if value.is_empty() {
        return Err(ValidationErrors::single(field, "must not be empty"));
    }
    if value
        .chars()
        .any(|c| !matches!(c, '\n' | '\t') && is_forbidden_char(c))
    {
        return Err(ValidationErrors::single(
            field,
            "must not contain control characters other than line breaks and tabs",
        ));
    }
    Ok(value.to_owned())
}

/// A text in any language, of one line or several: as `bounded_text` or
/// `bounded_multiline_text`, but keeping the joiners and direction marks that Persian,
/// Kurdish, Arabic and Indic writing needs (U+200C ZWNJ, U+200D ZWJ, U+200E LRM, U+200F RLM).
/// Embeddings and overrides (U+202A–U+202E) stay refused.
pub fn bounded_translated_text(
    raw: &str,
    field: &str,
    max_chars: usize,
    multiline: bool,
) -> Result<String, ValidationErrors> {
    if raw.chars().count() > max_chars {
        return Err(ValidationErrors::single(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    let without_marks: String = raw
        .chars()
        .filter(|c| !matches!(c, '\u{200C}'..='\u{200F}'))
        .collect();
    if multiline {
        bounded_multiline_text(&without_marks, field, max_chars)?;
        Ok(raw.replace("\r\n", "\n").trim().to_owned())
    } else {
        bounded_text(&without_marks, field, max_chars)?;
        Ok(raw.trim().to_owned())
    }
}

/// True for characters that have no place in a name or an address: control characters,
/// including newlines and the zero-width formatting ones that make two names look alike.
pub(crate) fn is_forbidden_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translated_texts_keep_joiners_and_direction_marks_only() {
        let persian = "می\u{200C}خواهم";
        assert_eq!(
            bounded_translated_text(persian, "t", 200, false).expect("ZWNJ is kept"),
            persian
        );
        assert!(bounded_translated_text("a\u{200F}b\nc", "t", 200, true).is_ok());
        assert!(bounded_translated_text("a\u{202E}b", "t", 200, false).is_err());
        assert!(bounded_translated_text("\u{200C}\u{200D}", "t", 200, false).is_err());
        assert!(bounded_translated_text("a\nb", "t", 200, false).is_err());
        assert!(
            bounded_text(persian, "t", 200).is_err(),
            "names stay strict"
        );
    }
}
