//! The CSV layout of an import: one line per activity or shift, turned into the same JSON
//! objects the JSON layout holds, so both are checked the same way.
//!
//! - UTF-8, with or without a byte order mark; separated by `,` or, as German spreadsheet
//!   programs write it, by `;` (told by the header line); fields with separators, quotes or
//!   line breaks in double quotes.
//! - The header names the columns, in any order. `record` (`activity` or `shift`),
//!   `external_id`, `centre_id` and `title` are required; every other column is optional and
//!   an empty cell means "not given". Unknown columns are refused, so a typo never goes
//!   unnoticed.
//! - Lists (`target_groups`, `languages`, `excluded_dates`, `skills`,
//!   `required_qualifications`) separate their items with `|`.
//! - An activity is recurring when `rrule` is given (with `first_start` as local time and
//!   `duration_minutes`), else once (`starts_at`, `ends_at`).
//! - Texts in other languages have a column per text and language tag: `title@en`,
//!   `description@de-x-ls`; `origin@en` (`human` unless given) and `reviewed@de-x-ls` say
//!   where a language's texts come from. When a file has such columns, each line's variants
//!   become exactly those with a text on that line (an empty line of them removes its
//!   variants); a file without them leaves the variants as they are.

use serde_json::{Map, Value, json};

/// The columns an import understands.
pub const COLUMNS: [&str; 29] = [
    "record",
    "external_id",
    "centre_id",
    "title",
    "description",
    "category",
    "target_groups",
    "languages",
    "accessibility_notes",
    "status",
    "cost_cents",
    "cost_note",
    "registration_required",
    "participant_limit",
    "contact_name",
    "contact_email",
    "contact_phone",
    "starts_at",
    "ends_at",
    "rrule",
    "first_start",
    "duration_minutes",
    "time_zone",
    "excluded_dates",
    "capacity",
    "skills",
    "required_qualifications",
    "min_age_note",
    "occurrence_id",
];

const REQUIRED: [&str; 4] = ["record", "external_id", "centre_id", "title"];

/// What may stand before the `@` of a column in another language: the texts, and what is
/// said about a language's texts.
const VARIANT_COLUMNS: [&str; 6] = [
    "title",
    "description",
    "accessibility_notes",
    "cost_note",
    "origin",
    "reviewed",
];

/// A column of a text in another language: its name and the language tag.
fn variant_column(header: &str) -> Option<(&str, &str)> {
    header
        .split_once('@')
        .filter(|(name, tag)| VARIANT_COLUMNS.contains(name) && !tag.is_empty())
}

/// What kind of object a line describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    Activity,
    Shift,
}

/// One line: where it is in the file, what it describes, and its fields as JSON.
#[derive(Debug)]
pub struct Line {
    pub row: usize,
    pub record: Result<Record, String>,
    pub value: Value,
}

/// Why a file cannot be read at all (as opposed to a line that is wrong).
#[derive(Debug, PartialEq, Eq)]
pub struct Unreadable(pub String);

/// How the refusal of a file with too many lines begins.
pub const TOO_MANY_LINES: &str = "The file holds more than";

/// Reads `bytes` as the CSV layout.
pub fn lines(bytes: &[u8]) -> Result<Vec<Line>, Unreadable> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Unreadable(format!(
            "The file is not UTF-8 (first bad byte at {}): save it as \"CSV UTF-8\".",
            e.valid_up_to()
        ))
    })?;
    let header = text.lines().next().unwrap_or_default();
    let delimiter = if header.contains(';') && !header.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Unreadable(format!("The header line cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    if let Some(unknown) = headers
        .iter()
        .find(|h| !COLUMNS.contains(&h.as_str()) && variant_column(h).is_none())
    {
        return Err(Unreadable(format!(
            "Unknown column {unknown:?}; the columns are: {}, and texts in other languages \
             as {}@ followed by a language tag (title@en).",
            COLUMNS.join(", "),
            VARIANT_COLUMNS.join("@…, ")
        )));
    }
    // The languages that have columns, in the order of their first column.
    let mut tags: Vec<&str> = Vec::new();
    for (_, tag) in headers.iter().filter_map(|h| variant_column(h)) {
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|r| !headers.iter().any(|h| h == r))
        .collect();
    if !missing.is_empty() {
        return Err(Unreadable(format!(
            "Missing columns: {}.",
            missing.join(", ")
        )));
    }
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    // The line a record starts on, from its byte offset: fields may hold line breaks.
    let (mut counted_to, mut line) = (0usize, 1usize);
    loop {
        let mut start = usize::try_from(reader.position().byte())
            .unwrap_or(usize::MAX)
            .clamp(counted_to, text.len());
        // After a CR LF the reader stands on the LF: the record starts past it.
        while text
            .as_bytes()
            .get(start)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            start += 1;
        }
        line += text.as_bytes()[counted_to..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        counted_to = start;
        let row = line;
        let more = reader
            .read_record(&mut record)
            .map_err(|e| Unreadable(format!("The file cannot be read: {e}")))?;
        if !more {
            break;
        }
        if out.len() == super::MAX_ROWS {
            return Err(Unreadable(format!(
                "{TOO_MANY_LINES} {} lines: split the import.",
                super::MAX_ROWS
            )));
        }
        let cells: Vec<(&str, &str)> = headers
            .iter()
            .map(String::as_str)
            .zip(record.iter().map(str::trim))
            .filter(|(_, cell)| !cell.is_empty())
            .collect();
        let get = |name: &str| cells.iter().find(|(h, _)| *h == name).map(|(_, c)| *c);
        let kind = match get("record") {
            Some("activity") => Ok(Record::Activity),
            Some("shift") => Ok(Record::Shift),
            other => Err(format!(
                "must be activity or shift, not {:?}",
                other.unwrap_or_default()
            )),
        };
        let mut value = match kind {
            Ok(Record::Activity) => activity(&get),
            Ok(Record::Shift) => shift(&get),
            Err(_) => Value::Null,
        };
        // Variants only where the file has a column of a text this kind of line has.
        let texts_here: &[&str] = match kind {
            Ok(Record::Activity) => &["title", "description", "accessibility_notes", "cost_note"],
            Ok(Record::Shift) => &["title", "description"],
            Err(_) => &[],
        };
        let has_texts = headers
            .iter()
            .filter_map(|h| variant_column(h))
            .any(|(name, _)| texts_here.contains(&name));
        if let (true, Value::Object(map)) = (has_texts, &mut value) {
            map.insert("translations".into(), variants(&tags, &cells));
        }
        out.push(Line {
            row,
            record: kind,
            value,
        });
    }
    Ok(out)
}

/// The line's texts in the languages `tags`, as the `translations` of the JSON layout: a
/// language with nothing on the line has none.
fn variants(tags: &[&str], cells: &[(&str, &str)]) -> Value {
    let mut translations = Map::new();
    for tag in tags {
        let mut texts = Map::new();
        let mut about = Map::new();
        for (header, cell) in cells {
            match variant_column(header) {
                Some((name @ ("origin" | "reviewed"), t)) if t == *tag => {
                    let value = if name == "reviewed" {
                        boolean(cell)
                    } else {
                        json!(cell)
                    };
                    about.insert(name.into(), value);
                }
                Some((field, t)) if t == *tag => {
                    texts.insert(field.into(), json!(cell));
                }
                _ => {}
            }
        }
        // Nothing of the language on the line: it has no variant in it. Said where it comes
        // from without a text: kept, so that the check names the missing texts.
        if texts.is_empty() && about.is_empty() {
            continue;
        }
        about.entry("origin").or_insert_with(|| json!("human"));
        about.insert("texts".into(), Value::Object(texts));
        translations.insert((*tag).to_owned(), Value::Object(about));
    }
    Value::Object(translations)
}

/// A number when the cell is one; else the text, so that the type check names the field.
fn number(cell: &str) -> Value {
    cell.parse::<i64>()
        .map_or_else(|_| json!(cell), |n| json!(n))
}

fn list(cell: &str) -> Value {
    Value::Array(
        cell.split('|')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| json!(item))
            .collect(),
    )
}

fn boolean(cell: &str) -> Value {
    match cell.to_lowercase().as_str() {
        "true" | "ja" | "yes" | "1" | "x" => json!(true),
        "false" | "nein" | "no" | "0" => json!(false),
        _ => json!(cell),
    }
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        map.insert(key.into(), value);
    }
}

fn activity<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> Value {
    let mut map = Map::new();
    for text in [
        "external_id",
        "centre_id",
        "title",
        "description",
        "category",
        "accessibility_notes",
        "status",
    ] {
        put(&mut map, text, get(text).map(|c| json!(c)));
    }
    put(&mut map, "target_groups", get("target_groups").map(list));
    put(&mut map, "languages", get("languages").map(list));
    if get("cost_cents").is_some() || get("cost_note").is_some() {
        let mut cost = Map::new();
        cost.insert("free".into(), json!(false));
        put(&mut cost, "amount_cents", get("cost_cents").map(number));
        put(&mut cost, "note", get("cost_note").map(|c| json!(c)));
        map.insert("cost".into(), Value::Object(cost));
    }
    if let Some(required) = get("registration_required") {
        let mut registration = Map::new();
        registration.insert("required".into(), boolean(required));
        put(
            &mut registration,
            "participant_limit",
            get("participant_limit").map(number),
        );
        map.insert("registration".into(), Value::Object(registration));
    }
    let contact: Vec<(&str, &str)> = [
        ("name", "contact_name"),
        ("email", "contact_email"),
        ("phone", "contact_phone"),
    ]
    .into_iter()
    .filter_map(|(key, column)| get(column).map(|c| (key, c)))
    .collect();
    if !contact.is_empty() {
        let contact: Map<String, Value> = contact
            .into_iter()
            .map(|(k, v)| (k.to_owned(), json!(v)))
            .collect();
        map.insert("contact".into(), Value::Object(contact));
    }
    let mut schedule = Map::new();
    if let Some(rule) = get("rrule") {
        schedule.insert("kind".into(), json!("recurring"));
        schedule.insert("rrule".into(), json!(rule));
        put(
            &mut schedule,
            "first_start",
            get("first_start").map(|c| json!(c)),
        );
        put(
            &mut schedule,
            "duration_minutes",
            get("duration_minutes").map(number),
        );
        put(
            &mut schedule,
            "excluded_dates",
            get("excluded_dates").map(list),
        );
    } else {
        schedule.insert("kind".into(), json!("once"));
        put(
            &mut schedule,
            "starts_at",
            get("starts_at").map(|c| json!(c)),
        );
        put(&mut schedule, "ends_at", get("ends_at").map(|c| json!(c)));
    }
    put(
        &mut schedule,
        "time_zone",
        get("time_zone").map(|c| json!(c)),
    );
    map.insert("schedule".into(), Value::Object(schedule));
    for column in SHIFT_ONLY {
        if get(column).is_some() {
            map.insert(column.into(), json!(get(column)));
        }
    }
    Value::Object(map)
}

/// Columns that belong to shifts: on an activity line they are an error (the unknown field
/// is named), not silently dropped.
const SHIFT_ONLY: [&str; 5] = [
    "capacity",
    "skills",
    "required_qualifications",
    "min_age_note",
    "occurrence_id",
];

/// Columns that belong to activities, likewise.
const ACTIVITY_ONLY: [&str; 15] = [
    "category",
    "target_groups",
    "languages",
    "accessibility_notes",
    "status",
    "cost_cents",
    "cost_note",
    "registration_required",
    "participant_limit",
    "contact_name",
    "contact_email",
    "contact_phone",
    "rrule",
    "first_start",
    "excluded_dates",
];

fn shift<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> Value {
    let mut map = Map::new();
    for text in [
        "external_id",
        "centre_id",
        "title",
        "description",
        "starts_at",
        "ends_at",
        "min_age_note",
        "occurrence_id",
    ] {
        put(&mut map, text, get(text).map(|c| json!(c)));
    }
    put(&mut map, "capacity", get("capacity").map(number));
    put(&mut map, "skills", get("skills").map(list));
    put(
        &mut map,
        "required_qualifications",
        get("required_qualifications").map(list),
    );
    for column in ACTIVITY_ONLY
        .iter()
        .chain(["duration_minutes", "time_zone"].iter())
    {
        if get(column).is_some() {
            map.insert((*column).into(), json!(get(column)));
        }
    }
    Value::Object(map)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_spreadsheet_export_with_bom_semicolons_quotes_and_umlauts_is_read() {
        let file = "\u{feff}record;external_id;centre_id;title;rrule;first_start;duration_minutes;languages;capacity;starts_at;ends_at\r\n\
            activity;K-1;c1;\"Café; Kuchen \"\"am\"\" Mittwoch\";FREQ=WEEKLY;2027-01-06T15:00:00;120;de|tr;;;\r\n\
            shift;S-1;c1;Kuchen backen;;;;;3;2027-01-06T13:00:00Z;2027-01-06T15:00:00Z\r\n";
        let lines = lines(file.as_bytes()).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].row, 2);
        assert_eq!(lines[0].record, Ok(Record::Activity));
        assert_eq!(lines[0].value["title"], "Café; Kuchen \"am\" Mittwoch");
        assert_eq!(lines[0].value["schedule"]["kind"], "recurring");
        assert_eq!(lines[0].value["schedule"]["duration_minutes"], 120);
        assert_eq!(lines[0].value["languages"], json!(["de", "tr"]));
        assert_eq!(lines[1].record, Ok(Record::Shift));
        assert_eq!(lines[1].value["capacity"], 3);
        assert!(lines[1].value.get("languages").is_none());
    }

    #[test]
    fn files_that_cannot_be_read_are_refused_with_the_reason() {
        let latin1 = b"record,external_id,centre_id,title\nactivity,K-1,c1,Gr\xfc\xdfe\n";
        assert!(lines(latin1).unwrap_err().0.contains("UTF-8"));
        let missing = "record,external_id,title\nactivity,K-1,x\n";
        assert!(
            lines(missing.as_bytes())
                .unwrap_err()
                .0
                .contains("centre_id")
        );
        let unknown = "record,external_id,centre_id,title,colour\n";
        assert!(lines(unknown.as_bytes()).unwrap_err().0.contains("colour"));
        let ragged = "record,external_id,centre_id,title\nactivity,K-1\n";
        assert!(lines(ragged.as_bytes()).is_err());
    }

    #[test]
    fn columns_in_other_languages_become_the_lines_variants() {
        let file = "record,external_id,centre_id,title,title@en,description@EN,title@de-x-ls,reviewed@de-x-ls,origin@en\n\
            activity,K-1,c1,Treff,Meeting,Neighbours meet,Treffen,ja,machine\n\
            shift,S-1,c1,Dienst,,,,,\n";
        let lines = lines(file.as_bytes()).unwrap();
        assert_eq!(
            lines[0].value["translations"],
            json!({
                "en": {"origin": "machine", "texts": {"title": "Meeting", "description": "Neighbours meet"}},
                "de-x-ls": {"origin": "human", "reviewed": true, "texts": {"title": "Treffen"}},
            })
        );
        assert_eq!(lines[1].value["translations"], json!({}));
        let without = "record,external_id,centre_id,title\nactivity,K-1,c1,Treff\n";
        assert!(
            super::lines(without.as_bytes()).unwrap()[0]
                .value
                .get("translations")
                .is_none()
        );
        // A file whose only text in English is one shifts do not have leaves shifts' variants
        // alone; a language's origin without its texts stays to be refused.
        let activity_only = "record,external_id,centre_id,title,cost_note@en,origin@tr\n\
            shift,S-1,c1,Dienst,,\n\
            activity,K-1,c1,Treff,,machine\n";
        let lines = super::lines(activity_only.as_bytes()).unwrap();
        assert!(lines[0].value.get("translations").is_none());
        assert_eq!(
            lines[1].value["translations"],
            json!({"tr": {"origin": "machine", "texts": {}}})
        );
        let unknown = "record,external_id,centre_id,title,colour@en\n";
        assert!(
            super::lines(unknown.as_bytes())
                .unwrap_err()
                .0
                .contains("colour@en")
        );
    }

    #[test]
    fn a_column_of_the_other_kind_stays_so_that_it_is_refused() {
        let file = "record,external_id,centre_id,title,capacity,rrule\n\
            activity,K-1,c1,Treff,4,\n\
            shift,S-1,c1,Dienst,,FREQ=DAILY\n";
        let lines = lines(file.as_bytes()).unwrap();
        assert_eq!(lines[0].value["capacity"], "4");
        assert_eq!(lines[1].value["rrule"], "FREQ=DAILY");
        let bad = "record,external_id,centre_id,title\nmeeting,X,c1,T\n";
        assert!(super::lines(bad.as_bytes()).unwrap()[0].record.is_err());
    }
}
