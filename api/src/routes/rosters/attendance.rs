//! `POST /signups/{id}/attendance`: whether a volunteer came, and for how long.

use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use quartier_persistence::audit::NewEntry;
use quartier_persistence::shifts::ShiftView;
use quartier_persistence::signups::{self, SignupRow};
use quartier_persistence::{AsyncConnection, AsyncPgConnection};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{attendance_refused, done, staff_signup};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::signups::SignupResponse;
use crate::state::AppState;

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
    check_minutes(&body)?;
    let mut conn = state.conn().await?;
    let (_, shift) = staff_signup(&mut conn, &caller, *id).await?;
    let attendance = Attendance::plan(&body, &shift, Utc::now())?;
    let operator_id = shift.shift.operator_id;
    let row = record(&mut conn, &caller, *id, operator_id, &attendance).await?;
    Ok(done(row))
}

/// Minutes from 0 to 1440, and only for volunteers who attended.
fn check_minutes(body: &AttendanceRequest) -> Result<(), ApiError> {
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
    Ok(())
}

/// What is recorded about one sign-up.
struct Attendance {
    attended: bool,
    /// Only for volunteers who attended.
    minutes: Option<i32>,
    at: DateTime<Utc>,
}

impl Attendance {
    /// What `body` records at `now`: 409 `not-yet` before the shift has begun; the minutes
    /// default to the shift's length.
    fn plan(
        body: &AttendanceRequest,
        shift: &ShiftView,
        now: DateTime<Utc>,
    ) -> Result<Self, ApiError> {
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
        Ok(Self {
            attended: body.attended,
            minutes,
            at: now,
        })
    }
}

/// Records the attendance with its audit entry; the two commit together.
async fn record(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    signup_id: Uuid,
    operator_id: Uuid,
    attendance: &Attendance,
) -> Result<SignupRow, ApiError> {
    let Attendance {
        attended,
        minutes,
        at,
    } = *attendance;
    conn.transaction::<_, quartier_persistence::Error, _>(async |conn| {
        let done = signups::record_attendance(conn, signup_id, attended, minutes, at).await?;
        if let Ok(row) = &done {
            NewEntry::new(caller.actor(), "attendance.recorded", "signup", signup_id)
                .operator(operator_id)
                .about(row.user_id)
                .details(serde_json::json!({
                    "attended": attended, "minutes_worked": minutes,
                }))
                .record(conn)
                .await?;
        }
        Ok(done)
    })
    .await?
    .map_err(attendance_refused)
}
