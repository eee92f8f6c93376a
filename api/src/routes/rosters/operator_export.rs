//! `GET /operators/{id}/roster`: every shift of an operator in a window with its volunteers,
//! for the operator's own systems and spreadsheets, streamed page by page.

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Duration, Utc};
use futures_util::Stream;
use quartier_domain::StaffRole;
use quartier_domain::integration::Scope;
use quartier_persistence::audit::NewEntry;
use quartier_persistence::{PgPool, operators, shifts, signups};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::Instant;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::csv::Dialect;
use super::{RosterEntry, RosterFormat};
use crate::auth::Caller;
use crate::authz::require_operator;
use crate::error::{ApiError, Problem};
use crate::routes::shifts::ShiftStatusBody;
use crate::state::AppState;

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
    /// `json`, `csv` or `excel`; without it, `Accept: text/csv` asks for `csv`.
    #[param(inline)]
    pub format: Option<RosterFormat>,
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

/// Where the next page of an export starts: after this shift.
type Cursor = (DateTime<Utc>, Uuid);

/// The CSV columns of an export: the shift, then the volunteer (empty for a shift nobody has
/// signed up for yet).
const EXPORT_COLUMNS: &str = "shift_id,external_id,title,centre_id,centre_name,starts_at,ends_at,capacity,shift_status,confirmed,signup_id,user_id,name,contact_by,email,phone,status,waitlist_position,checked_in_at,minutes_worked";

/// A line per volunteer of the shift, or one with the shift alone.
fn export_rows(dialect: Dialect, shift: &ExportedShift, out: &mut String) {
    let shift_values = [
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
    if shift.volunteers.is_empty() {
        let nobody = std::iter::repeat_n(String::new(), 10);
        dialect.row(out, shift_values.iter().cloned().chain(nobody));
    }
    for volunteer in &shift.volunteers {
        let values = shift_values.iter().cloned();
        dialect.row(out, values.chain(volunteer.volunteer_values()));
    }
}

/// One page of the export: its shifts with their volunteers, and where the next page starts.
async fn export_page(
    pool: &PgPool,
    operator_id: Uuid,
    centres: Option<&[Uuid]>,
    range: (DateTime<Utc>, DateTime<Utc>),
    after: Option<Cursor>,
) -> Result<(Vec<ExportedShift>, Option<Cursor>), ApiError> {
    let mut conn = quartier_persistence::pool::get(pool).await?;
    let page =
        shifts::of_operator(&mut conn, operator_id, centres, range, after, EXPORT_PAGE).await?;
    let ids: Vec<Uuid> = page.iter().map(|s| s.shift.id).collect();
    let mut lines: HashMap<Uuid, Vec<RosterEntry>> = HashMap::new();
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

/// Checks that the caller may export the operator's rosters and records the export in the
/// audit trail. Returns the centres a coordinator limited to some may export (`None`: all).
async fn allow_export(
    state: &AppState,
    caller: &Caller,
    operator_id: Uuid,
    query: &OperatorRosterQuery,
    format: RosterFormat,
) -> Result<Option<Vec<Uuid>>, ApiError> {
    let mut conn = state.conn().await?;
    let (coordinator, scope) = (StaffRole::Coordinator, Scope::RosterRead);
    require_operator(&mut conn, caller, operator_id, coordinator, scope).await?;
    let centres = match caller {
        Caller::User(user) if !caller.is_admin() => {
            let limits = operators::member_centres(&mut conn, operator_id, &[user.id]).await?;
            (!limits.is_empty()).then(|| limits.into_iter().map(|(_, c)| c).collect())
        }
        _ => None,
    };
    let range = (query.from, query.to);
    let people =
        signups::people_on_operator_shifts(&mut conn, operator_id, centres.as_deref(), range)
            .await?;
    NewEntry::new(caller.actor(), "roster.exported", "operator", operator_id)
        .operator(operator_id)
        .about(people)
        .details(serde_json::json!({
            "format": format.as_str(), "from": query.from, "to": query.to,
        }))
        .record(&mut conn)
        .await?;
    Ok(centres)
}

/// Writes the pages of an export in its format: the CSV header before the first, or the
/// JSON array's brackets and commas.
struct Encoder {
    dialect: Option<Dialect>,
    begun: bool,
}

impl Encoder {
    fn page(&mut self, shifts: &[ExportedShift], out: &mut String) {
        match self.dialect {
            Some(dialect) => {
                if !self.begun {
                    dialect.begin(out, EXPORT_COLUMNS);
                }
                for shift in shifts {
                    export_rows(dialect, shift, out);
                }
                self.begun = true;
            }
            None => {
                for shift in shifts {
                    out.push(if self.begun { ',' } else { '[' });
                    out.push_str(&serde_json::to_string(shift).unwrap_or_default());
                    self.begun = true;
                }
            }
        }
    }

    fn finish(&self, out: &mut String) {
        if self.dialect.is_none() {
            out.push_str(if self.begun { "]" } else { "[]" });
        }
    }
}

/// The export from its first page on, each page read only once the one before has been sent.
fn export_stream(
    pool: PgPool,
    operator_id: Uuid,
    centres: Option<Vec<Uuid>>,
    range: (DateTime<Utc>, DateTime<Utc>),
    dialect: Option<Dialect>,
    first: (Vec<ExportedShift>, Option<Cursor>),
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    let started = Instant::now();
    let encoder = Encoder {
        dialect,
        begun: false,
    };
    futures_util::stream::unfold(Some((first, encoder)), move |state| {
        let pool = pool.clone();
        let centres = centres.clone();
        async move {
            let ((shifts, next), mut encoder) = state?;
            // An export still being read after its deadline is broken off. (A client that stops
            // reading altogether is left to the server's connection handling: the stream is
            // not polled while the socket is full.)
            if started.elapsed() > EXPORT_DEADLINE {
                tracing::warn!("a roster export ran past its deadline and was broken off");
                let error = std::io::Error::other("the roster export took too long");
                return Some((Err(error), None));
            }
            let mut chunk = String::new();
            encoder.page(&shifts, &mut chunk);
            let following = match next {
                None => {
                    encoder.finish(&mut chunk);
                    None
                }
                Some(after) => {
                    match export_page(&pool, operator_id, centres.as_deref(), range, Some(after))
                        .await
                    {
                        Ok(page) => Some((page, encoder)),
                        Err(error) => {
                            tracing::warn!(%error, "a roster export broke off");
                            let error = std::io::Error::other("the roster export broke off");
                            return Some((Err(error), None));
                        }
                    }
                }
            };
            Some((Ok(Bytes::from(chunk)), following))
        }
    })
}

/// Export the roster of every shift of the operator that starts in the window: each shift with
/// its confirmed and waiting volunteers and how to reach them. JSON (an array of shifts), or
/// CSV (a row per volunteer, one for a shift without any) with `Accept: text/csv` or
/// `format=csv`, or for spreadsheet programs set up for German with `format=excel`. The answer
/// is streamed page by page, so long windows cost the server little memory; should the
/// database fail midway, the stream breaks off (a JSON array stays unclosed).
/// Administrators, staff of this operator, and its API keys with `roster:read`.
#[utoipa::path(
    tag = "rosters",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The operator's id"), OperatorRosterQuery),
    responses(
        (status = 200, description = "Every shift in the window with its volunteers: JSON, or with `format=csv` (or `Accept: text/csv`) RFC 4180 CSV separated by `,`, with `format=excel` CSV separated by `;` after a UTF-8 byte order mark", content(
            (Vec<ExportedShift> = "application/json"),
            (String = "text/csv"),
        ), headers(
            ("Content-Disposition" = String, description = "CSV only: `attachment; filename=\"roster.csv\"`"),
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
    quartier_domain::TimeWindow::parse(
        query.from,
        query.to,
        Duration::days(EXPORT_MAX_DAYS),
        ("from", "to"),
    )
    .map_err(|errors| ApiError::from(errors.in_query()))?;
    let format = RosterFormat::negotiate(query.format, &request);
    let centres = allow_export(&state, &caller, *id, &query, format).await?;
    let range = (query.from, query.to);
    // The first page is read before answering, so that a failing database still gets a
    // proper problem answer rather than a broken stream.
    let first = export_page(&state.pool, *id, centres.as_deref(), range, None).await?;
    let pages = export_stream(
        state.pool.clone(),
        *id,
        centres,
        range,
        format.dialect(),
        first,
    );
    Ok(format.ok().streaming(pages))
}
