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
    if let Some(unknown) = headers.iter().find(|h| !COLUMNS.contains(&h.as_str())) {
        return Err(Unreadable(format!(
            "Unknown column {unknown:?}; the columns are: {}.",
            COLUMNS.join(", ")
        )));
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
        let value = match kind {
            Ok(Record::Activity) => activity(&get),
            Ok(Record::Shift) => shift(&get),
            Err(_) => Value::Null,
        };
        out.push(Line {
            row,
            record: kind,
            value,
        });
    }
    Ok(out)
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
