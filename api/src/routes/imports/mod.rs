//! `POST /operators/{id}/imports`: activities (with schedules) and shifts from an operator's
//! own system, as JSON or CSV, keyed by the operator's own ids. The whole file is checked
//! first, every line; with one wrong line nothing is written and the answer lists each
//! problem with its row and field. Then everything is applied in one transaction: new
//! objects with multi-row inserts, existing ones replaced as `PUT …/by-external-id/…` does.

mod check;
pub mod csv_rows;
mod lines;
mod write;

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
use crate::languages::{CheckedVariant, check_variants, write_variants};
use crate::routes::activities::create::{CreateActivityRequest, Prepared};
use crate::routes::activities::update::apply;
use crate::routes::activities::upsert::as_change;
use crate::routes::shifts::{CreateShiftRequest, Planned, plan_with, replace_shift};
use crate::state::AppState;
use check::*;
use lines::*;
use quartier_domain::language::ContentLanguages;
use quartier_domain::translation::TextOwner;
use write::*;

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
            workload: None,
        };
        Answer::json(StatusCode::UNPROCESSABLE_ENTITY, &problem)
    };
    let plan = match check(conn, caller, operator_id, &state.content_languages, lines).await? {
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
    let translated = plan
        .activities
        .iter()
        .any(|(line, _)| line.variants.is_some())
        || plan.shifts.iter().any(|(line, _)| line.variants.is_some());
    let written = conn
        .transaction::<_, Abort, _>(async |conn| {
            write(state, conn, caller, operator_id, plan).await
        })
        .await;
    match written {
        Ok(report) => {
            if translated {
                state.variants.wrote();
            }
            Ok(Answer::json(StatusCode::OK, &report))
        }
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
    let format = BodyFormat::of(&request)?;
    let key = crate::extract::idempotency_key(&request)?;
    may_import(&state, &caller, operator_id).await?;
    let body = read_body(&request, payload).await?;
    let lines = format.lines(&body)?;
    let mut conn = state.conn().await?;
    may_import_these(&mut conn, &caller, operator_id, &lines).await?;
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

/// What the body is written in.
#[derive(Debug, Clone, Copy)]
enum BodyFormat {
    Json,
    Csv,
}

impl BodyFormat {
    /// JSON or CSV, by `Content-Type`; 415 for anything else.
    fn of(request: &HttpRequest) -> Result<Self, ApiError> {
        match request.mime_type() {
            Ok(Some(m)) if m.type_() == "text" && m.subtype() == "csv" => Ok(BodyFormat::Csv),
            Ok(Some(m)) if m.type_() == "application" && m.subtype() == "json" => {
                Ok(BodyFormat::Json)
            }
            _ => Err(ApiError::UnsupportedMediaType),
        }
    }

    /// The body's lines, at most `MAX_ROWS`.
    fn lines(self, body: &[u8]) -> Result<Vec<Line>, ApiError> {
        let lines = match self {
            BodyFormat::Csv => csv_lines(body)?,
            BodyFormat::Json => json_lines(body)?,
        };
        if lines.len() > MAX_ROWS {
            return Err(ApiError::validation(
                "body",
                "holds more than 20000 lines: split the import",
            ));
        }
        Ok(lines)
    }
}

fn csv_lines(body: &[u8]) -> Result<Vec<Line>, ApiError> {
    csv_rows::lines(body)
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
        .map_err(|(row, message)| ApiError::validation("record", &format!("line {row}: {message}")))
}

/// Who may import at all, checked before the body is read: staff of the operator, or its
/// key with one of the scopes an import can need.
async fn may_import(state: &AppState, caller: &Caller, operator_id: Uuid) -> Result<(), ApiError> {
    let mut conn = state.conn().await?;
    match caller {
        Caller::User(user) => {
            crate::authz::require_staff(&mut conn, *user, operator_id, StaffRole::Coordinator).await
        }
        Caller::Key(key) => {
            let scope = if key.scopes.contains(&Scope::ActivitiesWrite) {
                Scope::ActivitiesWrite
            } else {
                Scope::ShiftsWrite
            };
            require_operator(
                &mut conn,
                caller,
                operator_id,
                StaffRole::Coordinator,
                scope,
            )
            .await
        }
    }
}

/// The scopes the lines need: activities, shifts, or (for an empty import) both.
async fn may_import_these(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    operator_id: Uuid,
    lines: &[Line],
) -> Result<(), ApiError> {
    let has = |record: Record| lines.iter().any(|l| l.record == record);
    for (record, scope) in [
        (Record::Activity, Scope::ActivitiesWrite),
        (Record::Shift, Scope::ShiftsWrite),
    ] {
        if has(record) || lines.is_empty() {
            require_operator(conn, caller, operator_id, StaffRole::Coordinator, scope).await?;
        }
    }
    Ok(())
}
