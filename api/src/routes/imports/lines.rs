//! Reading an import: its lines from JSON (bounded while reading), and the problems found in them.

use super::*;

/// A line, read.
pub(super) struct Line {
    pub(super) row: usize,
    pub(super) record: Record,
    pub(super) value: Value,
}

/// A line checked: what it is and its external id.
pub(super) struct Checked<T> {
    pub(super) row: usize,
    pub(super) external_id: String,
    pub(super) body: T,
    /// Its texts in other languages, if it names any.
    pub(super) variants: Option<Vec<CheckedVariant>>,
}

/// Collects the problems of all lines.
#[derive(Default)]
pub(super) struct Problems(pub(super) Vec<ProblemField>);

impl Problems {
    pub(super) fn add(
        &mut self,
        row: usize,
        record: Record,
        external_id: Option<&str>,
        error: ApiError,
    ) {
        let problem = error.problem();
        let record = match record {
            Record::Activity => "activity",
            Record::Shift => "shift",
        };
        if problem.errors.is_empty() {
            self.0.push(ProblemField {
                field: String::new(),
                message: problem.detail,
                row: Some(row),
                record: Some(record.into()),
                external_id: external_id.map(str::to_owned),
            });
        }
        for field in problem.errors {
            self.0.push(ProblemField {
                field: field.field,
                message: field.message,
                row: Some(row),
                record: Some(record.into()),
                external_id: external_id.map(str::to_owned),
            });
        }
    }
}

/// A list of at most `MAX_ROWS` values: reading stops at the first one over.
pub(super) fn at_most_max_rows<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<Value>, D::Error> {
    struct Bounded;
    impl<'de> serde::de::Visitor<'de> for Bounded {
        type Value = Vec<Value>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "a list of at most {MAX_ROWS} lines")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut values = Vec::new();
            while let Some(value) = seq.next_element::<Value>()? {
                if values.len() == MAX_ROWS {
                    return Err(serde::de::Error::custom(format!(
                        "holds more than {MAX_ROWS} lines: split the import"
                    )));
                }
                values.push(value);
            }
            Ok(values)
        }
    }
    d.deserialize_seq(Bounded)
}

/// Reads the lines of a JSON import.
pub(super) fn json_lines(body: &[u8]) -> Result<Vec<Line>, ApiError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Raw {
        #[serde(default, deserialize_with = "at_most_max_rows")]
        activities: Vec<Value>,
        #[serde(default, deserialize_with = "at_most_max_rows")]
        shifts: Vec<Value>,
    }
    let raw: Raw = crate::extract::parse_json(body)?;
    let numbered = |values: Vec<Value>, record: Record| {
        values.into_iter().enumerate().map(move |(n, value)| Line {
            row: n + 1,
            record,
            value,
        })
    };
    Ok(numbered(raw.activities, Record::Activity)
        .chain(numbered(raw.shifts, Record::Shift))
        .collect())
}

/// Takes the external id out of a line and reads the rest as `T`.
pub(super) fn split<T: serde::de::DeserializeOwned>(
    line: Line,
) -> Result<(String, T), (Option<String>, ApiError)> {
    let Value::Object(mut map) = line.value else {
        return Err((None, ApiError::validation("body", "must be an object")));
    };
    let raw_id = match map.remove("external_id") {
        Some(Value::String(id)) => id,
        _ => {
            return Err((
                None,
                ApiError::validation("external_id", "is required, as a string"),
            ));
        }
    };
    let id = external_id(&raw_id, "external_id").map_err(|e| (Some(raw_id.clone()), e.into()))?;
    let body = serde_path_to_error::deserialize::<_, T>(Value::Object(map)).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        // A missing field is reported at its parent: name the field itself.
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next());
        let field = match (path.as_str(), missing) {
            (".", Some(name)) => name.to_owned(),
            (".", None) => "body".to_owned(),
            (parent, Some(name)) => format!("{parent}.{name}"),
            (parent, None) => parent.to_owned(),
        };
        (Some(id.clone()), ApiError::validation(&field, &message))
    })?;
    Ok((id, body))
}
