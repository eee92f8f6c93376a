//! Rosters and attendance: who is on a shift, for the staff of the operator that owns it
//! (and administrators) only — as JSON, or as CSV with `Accept: text/csv`. Staff check
//! volunteers in and record attendance and hours.

use crate::routes::shifts::ShiftStatusBody;
use crate::routes::signups::SignupStatusBody;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Duration, Utc};
use quartier_domain::{SignupStatus, StaffRole};
use quartier_persistence::audit::NewEntry;
use quartier_persistence::signups::{self, AttendanceRefusal, RosterLine, SignupRow};
use quartier_persistence::{AsyncConnection, AsyncPgConnection, shifts};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Caller;
use crate::authz::{require_centre, require_operator};
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::occurrences::check_range;
use crate::routes::signups::SignupResponse;
use crate::state::AppState;
use quartier_domain::integration::Scope;

/// One volunteer on a roster.
#[derive(Debug, Serialize, ToSchema)]
pub struct RosterEntry {
    pub signup_id: Uuid,
    pub shift_id: Uuid,
    #[schema(example = "Tische decken")]
    pub shift_title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// `null` once the sign-up has been anonymised (the volunteer erased their account, or its
    /// retention period ended); so are `name`, `email` and `phone`.
    pub user_id: Option<Uuid>,
    #[schema(example = "Helga Schmidt")]
    pub name: Option<String>,
    /// How the volunteer wants to be reached: `email`, `phone` or `sms`. Only that address
    /// is shown.
    pub contact_by: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Any but `cancelled` (those only with `cancelled=true`).
    pub status: SignupStatusBody,
    pub waitlist_position: Option<i64>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub minutes_worked: Option<i32>,
    pub late_cancellation: bool,
}

impl From<RosterLine> for RosterEntry {
    fn from(line: RosterLine) -> Self {
        let s = line.signup;
        let by_phone = line.contact_by != "email" && line.phone.is_some();
        Self {
            signup_id: s.id,
            shift_id: s.shift_id,
            shift_title: line.shift_title,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            user_id: s.user_id,
            name: line.display_name,
            email: if by_phone { None } else { line.email },
            phone: if by_phone { line.phone } else { None },
            contact_by: line.contact_by,
            status: s.status.into(),
            waitlist_position: line.position,
            checked_in_at: s.checked_in_at,
            minutes_worked: s.minutes_worked,
            late_cancellation: s.late_cancellation,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RosterQuery {
    /// Include cancelled sign-ups.
    pub cancelled: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CentreRosterQuery {
    /// Shifts starting from here (RFC 3339; encode `+` as `%2B`).
    pub from: DateTime<Utc>,
    /// … until here, at most 93 days later.
    pub to: DateTime<Utc>,
    /// Include cancelled sign-ups.
    pub cancelled: Option<bool>,
}

/// A CSV cell: quoted when needed, and never read as a formula by spreadsheet programs.
fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn csv(entries: &[RosterEntry]) -> String {
    let mut out = String::from(
        "signup_id,shift_id,shift_title,starts_at,ends_at,user_id,name,contact_by,email,phone,status,waitlist_position,checked_in_at,minutes_worked,late_cancellation\r\n",
    );
    for e in entries {
        let fields = [
            e.signup_id.to_string(),
            e.shift_id.to_string(),
            e.shift_title.clone(),
            e.starts_at.to_rfc3339(),
            e.ends_at.to_rfc3339(),
            e.user_id.map(|id| id.to_string()).unwrap_or_default(),
            e.name.clone().unwrap_or_default(),
            e.contact_by.clone(),
            e.email.clone().unwrap_or_default(),
            e.phone.clone().unwrap_or_default(),
            SignupStatus::from(e.status).as_str().to_owned(),
            e.waitlist_position
                .map(|p| p.to_string())
                .unwrap_or_default(),
            e.checked_in_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            e.minutes_worked.map(|m| m.to_string()).unwrap_or_default(),
            e.late_cancellation.to_string(),
        ];
        let line: Vec<String> = fields.iter().map(|f| cell(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Whether the client asks for `text/csv` rather than JSON.
fn wants_csv(request: &HttpRequest) -> bool {
    request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/csv"))
}

/// The format a roster goes out in, as the audit trail records it.
fn format_of(request: &HttpRequest) -> &'static str {
    if wants_csv(request) { "csv" } else { "json" }
}

/// JSON, or CSV when the client asks for `text/csv`.
fn answer(request: &HttpRequest, entries: Vec<RosterEntry>) -> HttpResponse {
    let wants_csv = wants_csv(request);
    let mut response = HttpResponse::Ok();
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    if wants_csv {
        response
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"roster.csv\"",
            ))
            .body(csv(&entries))
    } else {
        response.json(entries)
    }
}

/// The operator staff check every roster route goes through; 404 for an unknown shift.
async fn staff_shift(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    shift_id: Uuid,
    scope: Scope,
) -> Result<shifts::ShiftView, ApiError> {
    let shift = shifts::find(conn, shift_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No shift has this id.".into()))?;
    require_centre(
        conn,
        caller,
        shift.shift.centre_id,
        StaffRole::Coordinator,
        scope,
    )
    .await?;
    Ok(shift)
}

/// The roster of one shift: names, addresses, status, check-in, hours. Staff of the operator
/// that owns the shift, and administrators. JSON, or CSV with `Accept: text/csv`.
#[utoipa::path(
    tag = "rosters",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The shift's id"), RosterQuery),
    responses(
        (status = 200, description = "The roster", content(
            (Vec<RosterEntry> = "application/json"),
            (String = "text/csv"),
        )),
        (status = 403, description = "Not staff of the shift's operator, or an API key of another operator or without the scope `roster:read` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No shift has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/shifts/{id}/roster")]
pub async fn shift_roster(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<RosterQuery>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let shift = staff_shift(&mut conn, &caller, *id, Scope::RosterRead).await?;
    let lines = signups::roster(&mut conn, &[*id], query.cancelled.unwrap_or(false)).await?;
    NewEntry::new(caller.actor(), "roster.viewed", "shift", *id)
        .operator(shift.shift.operator_id)
        .about(lines.iter().filter_map(|l| l.signup.user_id))
        .details(serde_json::json!({ "format": format_of(&request) }))
        .record(&mut conn)
        .await?;
    Ok(answer(
        &request,
        lines.into_iter().map(Into::into).collect(),
    ))
}

/// The roster of a centre's shifts in a range (at most 93 days). Staff of the centre's
/// operator and administrators. JSON, or CSV with `Accept: text/csv`.
#[utoipa::path(
    tag = "rosters",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The centre's id"), CentreRosterQuery),
    responses(
        (status = 200, description = "The roster", content(
            (Vec<RosterEntry> = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "`from` or `to` is missing or does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of the centre's operator, or an API key of another operator or without the scope `roster:read` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No centre has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A reversed or too long range (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/centres/{id}/roster")]
pub async fn centre_roster(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<CentreRosterQuery>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let range = check_range(query.from, query.to)?;
    let mut conn = state.conn().await?;
    let operator_id = require_centre(
        &mut conn,
        &caller,
        *id,
        StaffRole::Coordinator,
        Scope::RosterRead,
    )
    .await?;
    let shift_ids = signups::shifts_of_centre(&mut conn, *id, range).await?;
    let lines = signups::roster(&mut conn, &shift_ids, query.cancelled.unwrap_or(false)).await?;
    NewEntry::new(caller.actor(), "roster.viewed", "centre", *id)
        .operator(operator_id)
        .about(lines.iter().filter_map(|l| l.signup.user_id))
        .details(serde_json::json!({
            "format": format_of(&request), "from": query.from, "to": query.to,
        }))
        .record(&mut conn)
        .await?;
    Ok(answer(
        &request,
        lines.into_iter().map(Into::into).collect(),
    ))
}

/// The sign-up's shift, for staff of its operator only.
async fn staff_signup(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    signup_id: Uuid,
) -> Result<(signups::Placed, shifts::ShiftView), ApiError> {
    let not_found = || ApiError::NotFound("No sign-up has this id.".into());
    let placed = signups::find(conn, signup_id)
        .await?
        .ok_or_else(not_found)?;
    // The volunteer learns they may not; a key of the shift's operator which scope it lacks;
    // anyone else that there is no such sign-up.
    let told = match caller {
        Caller::User(user) => placed.signup.user_id == Some(user.id),
        Caller::Key(key) => shifts::find(conn, placed.signup.shift_id)
            .await?
            .is_some_and(|shift| shift.shift.operator_id == key.operator_id),
    };
    let shift = staff_shift(conn, caller, placed.signup.shift_id, Scope::SignupsWrite)
        .await
        .map_err(|e| match e {
            ApiError::Forbidden(_) if !told => not_found(),
            other => other,
        })?;
    Ok((placed, shift))
}

fn attendance_refused(refusal: AttendanceRefusal) -> ApiError {
    match refusal {
        AttendanceRefusal::NotFound => ApiError::NotFound("No sign-up has this id.".into()),
        AttendanceRefusal::NotConfirmed => ApiError::Conflict {
            slug: "signup-not-confirmed",
            detail: "Only confirmed volunteers can be checked in or marked.".into(),
        },
    }
}

fn done(row: SignupRow) -> HttpResponse {
    HttpResponse::Ok().json(SignupResponse::from(signups::Placed {
        signup: row,
        position: None,
    }))
}

/// Check a confirmed volunteer in, from two hours before the shift until its end. Staff of
/// the shift's operator.
#[utoipa::path(
    tag = "rosters",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The sign-up's id")),
    responses(
        (status = 200, description = "Checked in", body = SignupResponse),
        (status = 403, description = "Not staff of the shift's operator, or an API key of another operator or without the scope `signups:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No sign-up has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`signup-not-confirmed`, or `not-yet` (more than two hours before the shift) / `shift-past` (after its end)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/signups/{id}/check-in")]
pub async fn check_in(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let (_, shift) = staff_signup(&mut conn, &caller, *id).await?;
    let now = Utc::now();
    if now < shift.shift.starts_at - Duration::hours(2) {
        return Err(ApiError::Conflict {
            slug: "not-yet",
            detail: "Check-in opens two hours before the shift.".into(),
        });
    }
    if now > shift.shift.ends_at {
        return Err(ApiError::Conflict {
            slug: "shift-past",
            detail: "The shift is over: record attendance instead.".into(),
        });
    }
    // The check-in and its audit entry commit together.
    let row = conn
        .transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let done = signups::check_in(conn, *id, now).await?;
            if let Ok(row) = &done {
                NewEntry::new(caller.actor(), "signup.checked_in", "signup", *id)
                    .operator(shift.shift.operator_id)
                    .about(row.user_id)
                    .record(conn)
                    .await?;
            }
            Ok(done)
        })
        .await?
        .map_err(attendance_refused)?;
    Ok(done(row))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceRequest {
    /// `true`: attended; `false`: did not come (no-show).
    pub attended: bool,
    /// Minutes worked; default the shift's length. Only with `attended`.
    #[schema(minimum = 0, maximum = 1440)]
    pub minutes_worked: Option<i64>,
}

/// Record attendance once the shift has begun: attended (with the minutes worked, default the
/// shift's length) or no-show. Staff of the shift's operator.
#[utoipa::path(
    tag = "rosters",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The sign-up's id")),
    request_body = AttendanceRequest,
    responses(
        (status = 200, description = "Recorded", body = SignupResponse),
        (status = 403, description = "Not staff of the shift's operator, or an API key of another operator or without the scope `signups:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No sign-up has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`signup-not-confirmed`, or `not-yet` (the shift has not begun)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Minutes out of range, or minutes for a no-show (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/signups/{id}/attendance")]
pub async fn record_attendance(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(body): Json<AttendanceRequest>,
) -> Result<HttpResponse, ApiError> {
    if body
        .minutes_worked
        .is_some_and(|m| !(0..=1440).contains(&m))
    {
        return Err(ApiError::validation(
            "minutes_worked",
            "must be from 0 to 1440",
        ));
    }
    if !body.attended && body.minutes_worked.is_some() {
        return Err(ApiError::validation(
            "minutes_worked",
            "only for volunteers who attended",
        ));
    }
    let mut conn = state.conn().await?;
    let (_, shift) = staff_signup(&mut conn, &caller, *id).await?;
    let now = Utc::now();
    if now < shift.shift.starts_at {
        return Err(ApiError::Conflict {
            slug: "not-yet",
            detail: "Attendance can be recorded once the shift has begun.".into(),
        });
    }
    let length = (shift.shift.ends_at - shift.shift.starts_at).num_minutes();
    let minutes = body
        .attended
        .then(|| body.minutes_worked.unwrap_or(length).clamp(0, 1440) as i32);
    let row = conn
        .transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let done = signups::record_attendance(conn, *id, body.attended, minutes, now).await?;
            if let Ok(row) = &done {
                NewEntry::new(caller.actor(), "attendance.recorded", "signup", *id)
                    .operator(shift.shift.operator_id)
                    .about(row.user_id)
                    .details(serde_json::json!({
                        "attended": body.attended, "minutes_worked": minutes,
                    }))
                    .record(conn)
                    .await?;
            }
            Ok(done)
        })
        .await?
        .map_err(attendance_refused)?;
    Ok(done(row))
}

/// Shifts per page of an export: one query for the shifts and one for their volunteers.
const EXPORT_PAGE: i64 = 200;
/// The longest window an export covers.
const EXPORT_MAX_DAYS: i64 = 400;
/// How long one export may take, however slowly its client reads.
const EXPORT_DEADLINE: std::time::Duration = std::time::Duration::from_secs(300);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OperatorRosterQuery {
    /// Shifts starting from here (RFC 3339; encode `+` as `%2B`).
    pub from: DateTime<Utc>,
    /// … until here, at most 400 days later.
    pub to: DateTime<Utc>,
}

/// One shift of an export, with its confirmed and waiting volunteers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedShift {
    pub shift_id: Uuid,
    /// The operator's own id for the shift.
    pub external_id: Option<String>,
    pub title: String,
    pub centre_id: Uuid,
    pub centre_name: String,
    pub occurrence_id: Option<Uuid>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    pub status: ShiftStatusBody,
    pub confirmed: i32,
    /// Confirmed (and attended or no-show) first, then the waitlist in its order.
    pub volunteers: Vec<RosterEntry>,
}

/// The CSV header of an export: the shift, then the volunteer (empty for a shift nobody has
/// signed up for yet).
const EXPORT_CSV_HEADER: &str = "shift_id,external_id,title,centre_id,centre_name,starts_at,ends_at,capacity,shift_status,confirmed,signup_id,user_id,name,contact_by,email,phone,status,waitlist_position,checked_in_at,minutes_worked\r\n";

fn export_csv(shift: &ExportedShift, out: &mut String) {
    let shift_fields = [
        shift.shift_id.to_string(),
        shift.external_id.clone().unwrap_or_default(),
        shift.title.clone(),
        shift.centre_id.to_string(),
        shift.centre_name.clone(),
        shift.starts_at.to_rfc3339(),
        shift.ends_at.to_rfc3339(),
        shift.capacity.to_string(),
        shift.status.as_str().to_owned(),
        shift.confirmed.to_string(),
    ];
    let shift_cells: Vec<String> = shift_fields.iter().map(|f| cell(f)).collect();
    let shift_cells = shift_cells.join(",");
    if shift.volunteers.is_empty() {
        out.push_str(&shift_cells);
        out.push_str(",,,,,,,,,,\r\n");
    }
    for v in &shift.volunteers {
        let fields = [
            v.signup_id.to_string(),
            v.user_id.map(|id| id.to_string()).unwrap_or_default(),
            v.name.clone().unwrap_or_default(),
            v.contact_by.clone(),
            v.email.clone().unwrap_or_default(),
            v.phone.clone().unwrap_or_default(),
            SignupStatus::from(v.status).as_str().to_owned(),
            v.waitlist_position
                .map(|p| p.to_string())
                .unwrap_or_default(),
            v.checked_in_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            v.minutes_worked.map(|m| m.to_string()).unwrap_or_default(),
        ];
        let cells: Vec<String> = fields.iter().map(|f| cell(f)).collect();
        out.push_str(&shift_cells);
        out.push(',');
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
}

/// One page of the export: its shifts with their volunteers, and where the next page starts.
async fn export_page(
    pool: &quartier_persistence::PgPool,
    operator_id: Uuid,
    centres: Option<&[Uuid]>,
    range: (DateTime<Utc>, DateTime<Utc>),
    after: Option<(DateTime<Utc>, Uuid)>,
) -> Result<(Vec<ExportedShift>, Option<(DateTime<Utc>, Uuid)>), ApiError> {
    let mut conn = quartier_persistence::pool::get(pool).await?;
    let page =
        shifts::of_operator(&mut conn, operator_id, centres, range, after, EXPORT_PAGE).await?;
    let ids: Vec<Uuid> = page.iter().map(|s| s.shift.id).collect();
    let mut lines: std::collections::HashMap<Uuid, Vec<RosterEntry>> =
        std::collections::HashMap::new();
    for line in signups::roster(&mut conn, &ids, false).await? {
        lines
            .entry(line.signup.shift_id)
            .or_default()
            .push(RosterEntry::from(line));
    }
    let next = (page.len() as i64 == EXPORT_PAGE)
        .then(|| page.last().map(|s| (s.shift.starts_at, s.shift.id)))
        .flatten();
    let shifts = page
        .into_iter()
        .map(|s| ExportedShift {
            volunteers: lines.remove(&s.shift.id).unwrap_or_default(),
            shift_id: s.shift.id,
            external_id: s.shift.external_id,
            title: s.shift.title,
            centre_id: s.shift.centre_id,
            centre_name: s.centre_name,
            occurrence_id: s.shift.occurrence_id,
            starts_at: s.shift.starts_at,
            ends_at: s.shift.ends_at,
            capacity: s.shift.capacity,
            status: s.shift.status.into(),
            confirmed: s.shift.confirmed_count,
        })
        .collect();
    Ok((shifts, next))
}

/// Export the roster of every shift of the operator that starts in the window: each shift with
/// its confirmed and waiting volunteers and how to reach them. JSON (an array of shifts), or
/// CSV with `Accept: text/csv` (a row per volunteer, one for a shift without any). The answer
/// is streamed page by page, so long windows cost the server little memory; should the
/// database fail midway, the stream breaks off (a JSON array stays unclosed).
/// Administrators, staff of this operator, and its API keys with `roster:read`.
#[utoipa::path(
    tag = "rosters",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The operator's id"), OperatorRosterQuery),
    responses(
        (status = 200, description = "Every shift in the window with its volunteers", content(
            (Vec<ExportedShift> = "application/json"),
            (String = "text/csv"),
        )),
        (status = 403, description = "Not staff of this operator, or an API key of another operator or without the scope `roster:read` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`to` before `from`, or more than 400 days after it (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/operators/{id}/roster")]
pub async fn operator_roster(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<OperatorRosterQuery>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    if query.to <= query.from {
        return Err(ApiError::validation("to", "must be after from"));
    }
    if query.to - query.from > Duration::days(EXPORT_MAX_DAYS) {
        return Err(ApiError::validation(
            "to",
            "must be at most 400 days after from",
        ));
    }
    let operator_id = *id;
    // A coordinator limited to some centres exports those only.
    let centres: Option<Vec<Uuid>> = {
        let mut conn = state.conn().await?;
        require_operator(
            &mut conn,
            &caller,
            operator_id,
            StaffRole::Coordinator,
            Scope::RosterRead,
        )
        .await?;
        let centres = match &caller {
            Caller::User(user) if !caller.is_admin() => {
                let limits = quartier_persistence::operators::member_centres(
                    &mut conn,
                    operator_id,
                    &[user.id],
                )
                .await?;
                (!limits.is_empty()).then(|| limits.into_iter().map(|(_, c)| c).collect())
            }
            _ => None,
        };
        let people = signups::people_on_operator_shifts(
            &mut conn,
            operator_id,
            centres.as_deref(),
            (query.from, query.to),
        )
        .await?;
        NewEntry::new(caller.actor(), "roster.exported", "operator", operator_id)
            .operator(operator_id)
            .about(people)
            .details(serde_json::json!({
                "format": format_of(&request), "from": query.from, "to": query.to,
            }))
            .record(&mut conn)
            .await?;
        centres
    };
    let wants_csv = wants_csv(&request);
    let range = (query.from, query.to);
    // The first page is read before answering, so that a failing database still gets a
    // proper problem answer rather than a broken stream.
    let first = export_page(&state.pool, operator_id, centres.as_deref(), range, None).await?;
    let pool = state.pool.clone();
    enum Step {
        Page(Vec<ExportedShift>, Option<(DateTime<Utc>, Uuid)>, bool),
        Done,
    }
    let started = std::time::Instant::now();
    let stream = futures_util::stream::unfold(Step::Page(first.0, first.1, true), move |step| {
        let pool = pool.clone();
        let centres = centres.clone();
        async move {
            let Step::Page(shifts, next, first) = step else {
                return None;
            };
            // An export still being read after its deadline is broken off. (A client that stops
            // reading altogether is left to the server's connection handling: the stream is
            // not polled while the socket is full.)
            if started.elapsed() > EXPORT_DEADLINE {
                tracing::warn!("a roster export ran past its deadline and was broken off");
                return Some((
                    Err(std::io::Error::other("the roster export took too long")),
                    Step::Done,
                ));
            }
            let mut chunk = String::new();
            if wants_csv {
                if first {
                    chunk.push_str(EXPORT_CSV_HEADER);
                }
                for shift in &shifts {
                    export_csv(shift, &mut chunk);
                }
            } else {
                if first {
                    chunk.push('[');
                }
                for (n, shift) in shifts.iter().enumerate() {
                    if !(first && n == 0) {
                        chunk.push(',');
                    }
                    chunk.push_str(&serde_json::to_string(shift).unwrap_or_default());
                }
            }
            let following = match next {
                None => {
                    if !wants_csv {
                        chunk.push(']');
                    }
                    Step::Done
                }
                Some(after) => {
                    match export_page(&pool, operator_id, centres.as_deref(), range, Some(after))
                        .await
                    {
                        Ok((more, next)) => {
                            let first = first && shifts.is_empty();
                            Step::Page(more, next, first)
                        }
                        Err(error) => {
                            tracing::warn!(%error, "a roster export broke off");
                            return Some((
                                Err(std::io::Error::other("the roster export broke off")),
                                Step::Done,
                            ));
                        }
                    }
                }
            };
            Some((Ok(actix_web::web::Bytes::from(chunk)), following))
        }
    });
    let mut response = HttpResponse::Ok();
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    if wants_csv {
        response
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"roster.csv\"",
            ));
    } else {
        response.content_type("application/json");
    }
    Ok(response.streaming(stream))
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(cell("Helga"), "Helga");
        assert_eq!(cell("Schmidt, Helga"), "\"Schmidt, Helga\"");
        assert_eq!(cell("sagt \"hallo\""), "\"sagt \"\"hallo\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+49 231"), "'+49 231");
    }
}
