//! `POST /signups/{id}/attendance`: whether a volunteer came, and for how long.

use actix_web::{HttpResponse, post, web};
use chrono::Utc;
use quartier_persistence::AsyncConnection;
use quartier_persistence::audit::NewEntry;
use quartier_persistence::signups;
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
