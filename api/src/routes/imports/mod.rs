//! `POST /operators/{id}/imports`: activities (with schedules) and shifts from an operator's
//! own system, as JSON or CSV, keyed by the operator's own ids. The whole file is checked
//! first, every line; with one wrong line nothing is written and the answer lists each
//! problem with its row and field. Then everything is applied in one transaction: new
//! objects with multi-row inserts, existing ones replaced as `PUT …/by-external-id/…` does.

pub mod csv_rows;

use std::collections::{HashMap, HashSet};

use actix_web::http::{StatusCode, header};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use futures_util::StreamExt as _;
use quartier_domain::StaffRole;
use quartier_domain::integration::{Scope, external_id};
use quartier_persistence::activities::{ActivityRow, ScheduleColumns};
use quartier_persistence::imports::{self, ImportedShift};
use quartier_persistence::shifts::ShiftView;
use quartier_persistence::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use self::csv_rows::Record;
use crate::auth::Caller;
use crate::authz::{require_centre_staff, require_operator};
use crate::error::{ApiError, Problem, ProblemField};
use crate::idempotent::{self, Answer, Fingerprint};
use crate::routes::activities::create::{CreateActivityRequest, Prepared};
use crate::routes::activities::update::apply;
use crate::routes::activities::upsert::as_change;
use crate::routes::shifts::{CreateShiftRequest, Planned, plan_with, replace_shift};
use crate::state::AppState;

/// The largest import accepted.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;
/// The most lines (activities and shifts together) one import may hold.
pub const MAX_ROWS: usize = 20_000;

/// The most occurrences the new activities of one import may make up to the horizon.
pub const MAX_OCCURRENCES: usize = 200_000;
/// The most problems one answer lists.
const MAX_REPORTED: usize = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check everything and report what would happen, without writing anything.
    pub dry_run: Option<bool>,
}

/// An activity line: the fields of `POST /activities` and the operator's own id.
#[derive(Debug, ToSchema)]
pub struct ImportActivity {
    #[schema(example = "KURS-2027-17", min_length = 1, max_length = 200)]
    pub external_id: String,
    #[serde(flatten)]
    pub activity: CreateActivityRequest,
}

/// A shift line: the fields of `POST /shifts` (without `occurrence_id`) and the operator's
/// own id.
#[derive(Debug, ToSchema)]
pub struct ImportShift {
    #[schema(example = "DIENST-4711", min_length = 1, max_length = 200)]
    pub external_id: String,
    #[serde(flatten)]
    pub shift: CreateShiftRequest,
}

/// An import in JSON. As CSV (`Content-Type: text/csv`), one line per activity or shift
/// with the columns `record` (`activity` or `shift`), `external_id`, `centre_id`, `title`,
/// `description`, `category`, `target_groups`, `languages`, `accessibility_notes`, `status`,
/// `cost_cents`, `cost_note`, `registration_required`, `participant_limit`, `contact_name`,
/// `contact_email`, `contact_phone`, `starts_at`, `ends_at`, `rrule`, `first_start`,
/// `duration_minutes`, `time_zone`, `excluded_dates`, `capacity`, `skills`,
/// `required_qualifications`, `min_age_note`: UTF-8 (a byte order mark is fine), separated
/// by `,` or `;`, list items by `|`; empty cells are not given.
#[derive(Debug, ToSchema)]
pub struct ImportRequest {
    #[schema(max_items = 20000)]
    pub activities: Option<Vec<ImportActivity>>,
    #[schema(max_items = 20000)]
    pub shifts: Option<Vec<ImportShift>>,
}

/// What an import did (or, with `dry_run`, would do) to one kind of object.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ImportCounts {
    pub created: usize,
    /// Existing ones replaced; with `dry_run`, every existing one named.
    pub updated: usize,
    /// Existing ones the import left as they were.
    pub unchanged: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    pub activities: ImportCounts,
    pub shifts: ImportCounts,
}

/// A line, read.
struct Line {
    row: usize,
    record: Record,
    value: Value,
}

/// A line checked: what it is and its external id.
struct Checked<T> {
    row: usize,
    external_id: String,
    body: T,
}

/// Collects the problems of all lines.
#[derive(Default)]
struct Problems(Vec<ProblemField>);

impl Problems {
    fn add(&mut self, row: usize, record: Record, external_id: Option<&str>, error: ApiError) {
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
fn at_most_max_rows<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
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
fn json_lines(body: &[u8]) -> Result<Vec<Line>, ApiError> {
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
fn split<T: serde::de::DeserializeOwned>(
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

/// Everything an import will do, checked.
struct Plan {
    activities: Vec<(Checked<CreateActivityRequest>, Prepared)>,
    shifts: Vec<(Checked<CreateShiftRequest>, Planned)>,
    existing_activities: HashMap<String, ActivityRow>,
    existing_shifts: HashMap<String, ShiftView>,
}

/// Checks every line; the problems of all lines, or the plan.
async fn check(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    operator_id: Uuid,
    lines: Vec<Line>,
) -> Result<Result<Plan, Vec<ProblemField>>, ApiError> {
    let centres = imports::centres_of(conn, operator_id).await?;
    let mut problems = Problems::default();
    let mut seen: HashSet<(bool, String)> = HashSet::new();
    let mut activities = Vec::new();
    let mut shifts = Vec::new();
    for line in lines {
        let (row, record) = (line.row, line.record);
        let mut fresh = |id: &str, problems: &mut Problems| {
            let fresh = seen.insert((record == Record::Activity, id.to_owned()));
            if !fresh {
                problems.add(
                    row,
                    record,
                    Some(id),
                    ApiError::validation("external_id", "appears twice in this import"),
                );
            }
            fresh
        };
        match record {
            Record::Activity => match split::<CreateActivityRequest>(line) {
                Err((id, error)) => problems.add(row, record, id.as_deref(), error),
                Ok((id, body)) => {
                    if !fresh(&id, &mut problems) {
                        continue;
                    }
                    if !centres.contains(&body.centre_id) {
                        problems.add(
                            row,
                            record,
                            Some(&id),
                            ApiError::validation(
                                "centre_id",
                                "is not the id of a centre of this operator",
                            ),
                        );
                        continue;
                    }
                    match Prepared::of(&body) {
                        Ok(prepared) => activities.push((
                            Checked {
                                row,
                                external_id: id,
                                body,
                            },
                            prepared,
                        )),
                        Err(error) => problems.add(row, record, Some(&id), error),
                    }
                }
            },
            Record::Shift => match split::<CreateShiftRequest>(line) {
                Err((id, error)) => problems.add(row, record, id.as_deref(), error),
                Ok((id, body)) => {
                    if !fresh(&id, &mut problems) {
                        continue;
                    }
                    if body.occurrence_id.is_some() {
                        problems.add(
                            row,
                            record,
                            Some(&id),
                            ApiError::validation(
                                "occurrence_id",
                                "is not supported in imports: give centre_id and the times",
                            ),
                        );
                        continue;
                    }
                    if body.centre_id.is_some_and(|c| !centres.contains(&c)) {
                        problems.add(
                            row,
                            record,
                            Some(&id),
                            ApiError::validation(
                                "centre_id",
                                "is not the id of a centre of this operator",
                            ),
                        );
                        continue;
                    }
                    match plan_with(&body, None) {
                        Ok(planned) => shifts.push((
                            Checked {
                                row,
                                external_id: id,
                                body,
                            },
                            planned,
                        )),
                        Err(error) => problems.add(row, record, Some(&id), error),
                    }
                }
            },
        }
    }
    // Qualification types, all at once.
    let mut wanted: Vec<Uuid> = shifts
        .iter()
        .flat_map(|(_, p)| p.template.required.iter().copied())
        .collect();
    wanted.sort();
    wanted.dedup();
    let known = imports::known_qualification_types(conn, &wanted).await?;
    for (line, planned) in &shifts {
        if planned.template.required.iter().any(|t| !known.contains(t)) {
            problems.add(
                line.row,
                Record::Shift,
                Some(&line.external_id),
                ApiError::validation(
                    "required_qualifications",
                    "names a type that does not exist",
                ),
            );
        }
    }
    // Coordinators limited to some centres: once per centre. (A key acts for its whole
    // operator; its centres were checked above.)
    let mut used: Vec<Uuid> = activities
        .iter()
        .map(|(l, _)| l.body.centre_id)
        .chain(shifts.iter().map(|(_, p)| p.centre_id))
        .collect();
    used.sort();
    used.dedup();
    let mut barred = HashSet::new();
    if let Caller::User(user) = caller {
        for centre in used {
            match require_centre_staff(conn, *user, centre, StaffRole::Coordinator).await {
                Ok(_) => {}
                Err(ApiError::Forbidden(_)) => {
                    barred.insert(centre);
                }
                Err(other) => return Err(other),
            }
        }
    }
    let barred_error = || ApiError::validation("centre_id", "is a centre you do not coordinate");
    for (line, _) in &activities {
        if barred.contains(&line.body.centre_id) {
            problems.add(
                line.row,
                Record::Activity,
                Some(&line.external_id),
                barred_error(),
            );
        }
    }
    for (line, planned) in &shifts {
        if barred.contains(&planned.centre_id) {
            problems.add(
                line.row,
                Record::Shift,
                Some(&line.external_id),
                barred_error(),
            );
        }
    }
    // What exists already: it must stay where it is.
    let ids: Vec<String> = activities
        .iter()
        .map(|(l, _)| l.external_id.clone())
        .collect();
    let existing_activities = imports::activities_by_external_id(conn, operator_id, &ids).await?;
    for (line, _) in &activities {
        if existing_activities
            .get(&line.external_id)
            .is_some_and(|row| row.centre_id != line.body.centre_id)
        {
            problems.add(
                line.row,
                Record::Activity,
                Some(&line.external_id),
                ApiError::validation(
                    "centre_id",
                    "differs from the activity's centre: an activity cannot move",
                ),
            );
        }
    }
    let ids: Vec<String> = shifts.iter().map(|(l, _)| l.external_id.clone()).collect();
    let existing_shifts = imports::shifts_by_external_id(conn, operator_id, &ids).await?;
    for (line, planned) in &shifts {
        if existing_shifts.get(&line.external_id).is_some_and(|view| {
            view.shift.centre_id != planned.centre_id || view.shift.occurrence_id.is_some()
        }) {
            problems.add(
                line.row,
                Record::Shift,
                Some(&line.external_id),
                ApiError::validation(
                    "centre_id",
                    "differs from the shift's centre or occurrence: a shift cannot move",
                ),
            );
        }
    }
    if !problems.0.is_empty() {
        problems.0.sort_by_key(|p| (p.record.clone(), p.row));
        return Ok(Err(problems.0));
    }
    Ok(Ok(Plan {
        activities,
        shifts,
        existing_activities,
        existing_shifts,
    }))
}

/// Why an import stopped inside its transaction: everything is rolled back.
enum Abort {
    Lines(Vec<ProblemField>),
    Failed(ApiError),
}

impl From<quartier_persistence::DieselError> for Abort {
    fn from(error: quartier_persistence::DieselError) -> Self {
        Abort::Failed(quartier_persistence::Error::from(error).into())
    }
}

/// A 4xx of one line makes the import invalid; anything else stops it as it is.
fn line_error(row: usize, record: Record, external_id: &str, error: ApiError) -> Abort {
    if error.problem().status >= 500 {
        return Abort::Failed(error);
    }
    let mut problems = Problems::default();
    problems.add(row, record, Some(external_id), error);
    Abort::Lines(problems.0)
}

/// A new object another request created meanwhile under the same external id.
fn raced(error: quartier_persistence::Error) -> ApiError {
    let keys = [
        quartier_persistence::activities::EXTERNAL_ID_KEY,
        quartier_persistence::shifts::EXTERNAL_ID_KEY,
    ];
    if keys.iter().any(|key| error.is_constraint(key)) {
        ApiError::Conflict {
            slug: "external-id-taken",
            detail: "Another request created an object with one of these external ids meanwhile: \
                nothing was imported; send the import again."
                .into(),
        }
    } else {
        error.into()
    }
}

/// Applies the plan; call inside a transaction.
async fn write(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    operator_id: Uuid,
    plan: Plan,
) -> Result<ImportReport, Abort> {
    let now = Utc::now();
    let from = now - chrono::Duration::days(crate::routes::activities::RECENT_PAST_DAYS);
    let horizon = now + state.occurrence_horizon;
    let mut report = ImportReport {
        dry_run: false,
        activities: ImportCounts::default(),
        shifts: ImportCounts::default(),
    };
    let (existing, new): (Vec<_>, Vec<_>) = plan
        .activities
        .iter()
        .partition(|(line, _)| plan.existing_activities.contains_key(&line.external_id));
    let mut rows = Vec::with_capacity(new.len());
    let mut slots = Vec::new();
    for (line, prepared) in &new {
        let row = prepared.new_activity(&line.body, operator_id, Some(&line.external_id), horizon);
        let until = prepared.schedule.materialize_until(horizon);
        slots.extend(
            prepared
                .schedule
                .slots_between(from, until)
                .into_iter()
                .map(|slot| (row.id, slot)),
        );
        if slots.len() > MAX_OCCURRENCES {
            return Err(Abort::Failed(ApiError::validation(
                "activities",
                "would make more than 200000 occurrences at once: split the import",
            )));
        }
        rows.push((row, ScheduleColumns::of(&prepared.schedule)));
    }
    imports::insert_activities(conn, &rows, &slots)
        .await
        .map_err(|e| Abort::Failed(raced(e)))?;
    report.activities.created = rows.len();
    for (line, _) in existing {
        let current = &plan.existing_activities[&line.external_id];
        let (version, _) = apply(state, conn, caller, current, &as_change(&line.body), None)
            .await
            .map_err(|e| line_error(line.row, Record::Activity, &line.external_id, e))?;
        if version == current.version {
            report.activities.unchanged += 1;
        } else {
            report.activities.updated += 1;
        }
    }
    let mut new_shifts = Vec::new();
    for (line, planned) in &plan.shifts {
        if let Some(current) = plan.existing_shifts.get(&line.external_id) {
            let version = current.shift.version;
            let view = replace_shift(conn, caller, current.clone(), &line.body, planned)
                .await
                .map_err(|e| line_error(line.row, Record::Shift, &line.external_id, e))?;
            if view.shift.version == version {
                report.shifts.unchanged += 1;
            } else {
                report.shifts.updated += 1;
            }
        } else {
            let t = &planned.template;
            new_shifts.push(ImportedShift {
                id: Uuid::now_v7(),
                centre_id: planned.centre_id,
                external_id: &line.external_id,
                title: &t.title,
                description: &t.description,
                starts_at: planned.starts_at,
                ends_at: planned.ends_at,
                capacity: t.capacity,
                min_age_note: t.min_age_note.as_deref(),
                skills: &t.skills,
                required: &t.required,
            });
        }
    }
    imports::insert_shifts(conn, operator_id, &new_shifts)
        .await
        .map_err(|e| Abort::Failed(raced(e)))?;
    report.shifts.created = new_shifts.len();
    Ok(report)
}

/// Checks and (unless `dry_run`) applies an import: the status and body of the answer.
async fn run(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    operator_id: Uuid,
    lines: Vec<Line>,
    dry_run: bool,
) -> Result<Answer, ApiError> {
    let invalid = |mut errors: Vec<ProblemField>| {
        let total = errors.len();
        errors.truncate(MAX_REPORTED);
        let shown = if total > MAX_REPORTED {
            format!(" The first {MAX_REPORTED} are listed.")
        } else {
            String::new()
        };
        let kind = &crate::problems::IMPORT_INVALID;
        let problem = Problem {
            problem_type: kind.uri(),
            title: kind.title.into(),
            status: kind.status,
            detail: format!(
                "{total} problem(s); nothing was imported. Each names its line (row) and field.{shown}"
            ),
            errors,
        };
        Answer::json(StatusCode::UNPROCESSABLE_ENTITY, &problem)
    };
    let plan = match check(conn, caller, operator_id, lines).await? {
        Ok(plan) => plan,
        Err(errors) => return Ok(invalid(errors)),
    };
    if dry_run {
        let count = |total: usize, existing: usize| ImportCounts {
            created: total - existing,
            updated: existing,
            unchanged: 0,
        };
        let report = ImportReport {
            dry_run: true,
            activities: count(plan.activities.len(), plan.existing_activities.len()),
            shifts: count(plan.shifts.len(), plan.existing_shifts.len()),
        };
        return Ok(Answer::json(StatusCode::OK, &report));
    }
    let written = conn
        .transaction::<_, Abort, _>(async |conn| {
            write(state, conn, caller, operator_id, plan).await
        })
        .await;
    match written {
        Ok(report) => Ok(Answer::json(StatusCode::OK, &report)),
        Err(Abort::Lines(errors)) => Ok(invalid(errors)),
        Err(Abort::Failed(error)) => Err(error),
    }
}

/// Reads the body, at most `MAX_BYTES`.
async fn read_body(request: &HttpRequest, mut payload: web::Payload) -> Result<Vec<u8>, ApiError> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BYTES) {
        return Err(ApiError::PayloadTooLarge { limit: MAX_BYTES });
    }
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::BadRequest(format!("The body could not be read: {e}")))?;
        if body.len() + chunk.len() > MAX_BYTES {
            return Err(ApiError::PayloadTooLarge { limit: MAX_BYTES });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Import activities and shifts under the operator's own ids, as JSON or CSV (see
/// `ImportRequest` for the CSV columns). Every line is checked before anything is written:
/// with one wrong line, nothing changes and the answer (422, `import-invalid`) lists every
/// problem with its row and field. Otherwise all lines are applied in one transaction — new
/// ones created, existing ones replaced as `PUT …/by-external-id/…` does. `dry_run=true`
/// checks and counts only. With `Idempotency-Key`, a retry gets the first answer and
/// imports nothing again. At most 20 000 lines and 16 MiB. Administrators, operator admins
/// and coordinators of this operator, and its API keys with `activities:write` (for
/// activities) and `shifts:write` (for shifts).
#[utoipa::path(
    tag = "imports",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ImportQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "Any unique string up to 200 characters: a retry with the same key gets the first answer"),
    ),
    request_body(content(
        (ImportRequest = "application/json"),
        (String = "text/csv"),
    )),
    responses(
        (status = 200, description = "Imported (or, with `dry_run`, checked): what was created, replaced and left alone", body = ImportReport),
        (status = 400, description = "The body is not JSON, or the CSV cannot be read: not UTF-8, unknown or missing columns, ragged lines (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of this operator, or an API key of another operator or without the scope the lines need (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another request created an object under one of these external ids meanwhile; nothing was imported, send it again (`external-id-taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "More than 16 MiB (`payload-too-large`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither `application/json` nor `text/csv` (`unsupported-media-type`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong lines (`import-invalid`: each error names its `row`, `record`, `external_id` and `field`), more than 20 000 lines, or an `Idempotency-Key` used before for another import (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/operators/{id}/imports")]
pub async fn import(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<ImportQuery>,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let operator_id = *id;
    let dry_run = query.dry_run.unwrap_or(false);
    let is_csv =
        matches!(request.mime_type(), Ok(Some(m)) if m.type_() == "text" && m.subtype() == "csv");
    let is_json = matches!(request.mime_type(), Ok(Some(m)) if m.type_() == "application" && m.subtype() == "json");
    if !is_csv && !is_json {
        return Err(ApiError::UnsupportedMediaType);
    }
    let key = crate::extract::idempotency_key(&request)?;
    // Who may import at all, before the body is read.
    {
        let mut conn = state.conn().await?;
        match &caller {
            Caller::User(user) => {
                crate::authz::require_staff(&mut conn, *user, operator_id, StaffRole::Coordinator)
                    .await?
            }
            Caller::Key(key) => {
                let scope = if key.scopes.contains(&Scope::ActivitiesWrite) {
                    Scope::ActivitiesWrite
                } else {
                    Scope::ShiftsWrite
                };
                require_operator(
                    &mut conn,
                    &caller,
                    operator_id,
                    StaffRole::Coordinator,
                    scope,
                )
                .await?
            }
        }
    }
    let body = read_body(&request, payload).await?;
    let lines: Vec<Line> = if is_csv {
        csv_rows::lines(&body)
            .map_err(|e| match e {
                csv_rows::Unreadable(m) if m.starts_with(csv_rows::TOO_MANY_LINES) => {
                    ApiError::validation("body", &m)
                }
                csv_rows::Unreadable(m) => ApiError::BadRequest(m),
            })?
            .into_iter()
            .map(|line| match line.record {
                Ok(record) => Ok(Line {
                    row: line.row,
                    record,
                    value: line.value,
                }),
                Err(message) => Err((line.row, message)),
            })
            .collect::<Result<_, _>>()
            .map_err(|(row, message)| {
                ApiError::validation("record", &format!("line {row}: {message}"))
            })?
    } else {
        json_lines(&body)?
    };
    if lines.len() > MAX_ROWS {
        return Err(ApiError::validation(
            "body",
            "holds more than 20000 lines: split the import",
        ));
    }
    let mut conn = state.conn().await?;
    let has = |record: Record| lines.iter().any(|l| l.record == record);
    for (record, scope) in [
        (Record::Activity, Scope::ActivitiesWrite),
        (Record::Shift, Scope::ShiftsWrite),
    ] {
        if has(record) || lines.is_empty() {
            require_operator(
                &mut conn,
                &caller,
                operator_id,
                StaffRole::Coordinator,
                scope,
            )
            .await?;
        }
    }
    let fingerprint = Fingerprint {
        operation: format!("POST /operators/{operator_id}/imports?dry_run={dry_run}"),
        body: &body,
    };
    let state = state.into_inner();
    let answer = idempotent::run(&mut conn, &caller.clone(), key, fingerprint, move |conn| {
        Box::pin(async move { run(&state, conn, &caller, operator_id, lines, dry_run).await })
    })
    .await?;
    Ok(answer.into_response(|_| None))
}
