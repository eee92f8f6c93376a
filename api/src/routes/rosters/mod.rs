//! Rosters and attendance: who is on a shift, for the staff of the operator that owns it
//! (and administrators) only — as JSON, or as CSV (`Accept: text/csv` or `format=csv`, and
//! `format=excel` for spreadsheet programs set up for German). Staff check volunteers in and
//! record attendance and hours. One file per endpoint; here what they share: the roster line,
//! the choice of format and the staff checks.

pub mod attendance;
pub mod centre;
pub mod check_in;
pub(crate) mod csv;
pub mod operator_export;
pub mod shift;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use chrono::{DateTime, Utc};
use quartier_domain::integration::Scope;
use quartier_domain::{SignupStatus, StaffRole};
use quartier_persistence::signups::{self, AttendanceRefusal, RosterLine, SignupRow};
use quartier_persistence::{AsyncPgConnection, shifts};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::routes::volunteering::ContactBy;

use self::csv::Dialect;
use crate::auth::Caller;
use crate::authz::require_centre;
use crate::error::ApiError;
use crate::routes::signups::{SignupResponse, SignupStatusBody};

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
    pub contact_by: ContactBy,
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
        let contact_by = ContactBy::parse(&line.contact_by);
        let by_phone = contact_by != ContactBy::Email && line.phone.is_some();
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
            contact_by,
            status: s.status.into(),
            waitlist_position: line.position,
            checked_in_at: s.checked_in_at,
            minutes_worked: s.minutes_worked,
            late_cancellation: s.late_cancellation,
        }
    }
}

/// How a roster goes out: `json`; `csv`, RFC 4180, separated by `,`; or `excel`, for
/// spreadsheet programs set up for German, separated by `;` and starting with a UTF-8 byte
/// order mark. Both CSV forms are `text/csv; charset=utf-8`, downloaded as `roster.csv`, and
/// no cell of theirs starts a formula however a program splits the lines (a cell that would
/// gets a leading `'`). Without `format`, `Accept: text/csv` asks for `csv`, anything else
/// for `json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RosterFormat {
    Json,
    Csv,
    Excel,
}

impl RosterFormat {
    /// The `format` the query names, else CSV when the client accepts `text/csv`, else JSON.
    pub fn negotiate(asked: Option<Self>, request: &HttpRequest) -> Self {
        let accepts_csv = request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/csv"));
        match asked {
            Some(format) => format,
            None if accepts_csv => Self::Csv,
            None => Self::Json,
        }
    }

    /// As the audit trail records it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Csv => "csv",
            Self::Excel => "excel",
        }
    }

    /// How its CSV is written; `None` for JSON.
    pub(crate) fn dialect(self) -> Option<Dialect> {
        match self {
            Self::Json => None,
            Self::Csv => Some(Dialect::RFC_4180),
            Self::Excel => Some(Dialect::SPREADSHEET),
        }
    }

    /// A 200 answer in this format, kept in no cache (it names people); CSV as a download.
    fn ok(self) -> HttpResponseBuilder {
        let mut response = HttpResponse::Ok();
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        if self == Self::Json {
            response.content_type("application/json");
        } else {
            response
                .content_type("text/csv; charset=utf-8")
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"roster.csv\"",
                ));
        }
        response
    }
}

/// The CSV columns of a shift or centre roster.
const ROSTER_COLUMNS: &str = "signup_id,shift_id,shift_title,starts_at,ends_at,user_id,name,contact_by,email,phone,status,waitlist_position,checked_in_at,minutes_worked,late_cancellation";

impl RosterEntry {
    /// The volunteer's values, as an export lists them after the shift's: `signup_id`,
    /// `user_id`, `name`, `contact_by`, `email`, `phone`, `status`, `waitlist_position`,
    /// `checked_in_at`, `minutes_worked`.
    fn volunteer_values(&self) -> [String; 10] {
        [
            self.signup_id.to_string(),
            self.user_id.map(|id| id.to_string()).unwrap_or_default(),
            self.name.clone().unwrap_or_default(),
            self.contact_by.as_str().to_owned(),
            self.email.clone().unwrap_or_default(),
            self.phone.clone().unwrap_or_default(),
            SignupStatus::from(self.status).as_str().to_owned(),
            self.waitlist_position
                .map(|p| p.to_string())
                .unwrap_or_default(),
            self.checked_in_at
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
            self.minutes_worked
                .map(|m| m.to_string())
                .unwrap_or_default(),
        ]
    }

    /// The line's values in the order of [`ROSTER_COLUMNS`]: the sign-up, its shift, the
    /// rest of the volunteer's values, the late cancellation.
    fn csv_values(&self) -> impl Iterator<Item = String> {
        let [signup_id, volunteer @ ..] = self.volunteer_values();
        let shift = [
            self.shift_id.to_string(),
            self.shift_title.clone(),
            self.starts_at.to_rfc3339(),
            self.ends_at.to_rfc3339(),
        ];
        std::iter::once(signup_id)
            .chain(shift)
            .chain(volunteer)
            .chain([self.late_cancellation.to_string()])
    }
}

/// A shift or centre roster in the format asked for.
fn answer(format: RosterFormat, entries: Vec<RosterEntry>) -> HttpResponse {
    let Some(dialect) = format.dialect() else {
        return format.ok().json(entries);
    };
    let mut text = String::new();
    dialect.begin(&mut text, ROSTER_COLUMNS);
    for entry in &entries {
        dialect.row(&mut text, entry.csv_values());
    }
    format.ok().body(text)
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

/// Why a check-in or attendance was refused, as the client sees it.
fn attendance_refused(refusal: AttendanceRefusal) -> ApiError {
    match refusal {
        AttendanceRefusal::NotFound => ApiError::NotFound("No sign-up has this id.".into()),
        AttendanceRefusal::NotConfirmed => ApiError::Conflict {
            slug: "signup-not-confirmed",
            detail: "Only confirmed volunteers can be checked in or marked.".into(),
        },
    }
}

/// The sign-up after a check-in or attendance.
fn done(row: SignupRow) -> HttpResponse {
    HttpResponse::Ok().json(SignupResponse::from(signups::Placed {
        signup: row,
        position: None,
    }))
}
