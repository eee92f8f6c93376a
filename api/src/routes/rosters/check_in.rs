//! `POST /signups/{id}/check-in`: a confirmed volunteer has arrived.

use actix_web::{HttpResponse, post, web};
use chrono::{Duration, Utc};
use quartier_persistence::AsyncConnection;
use quartier_persistence::audit::NewEntry;
use quartier_persistence::signups;
use uuid::Uuid;

use super::{attendance_refused, done, staff_signup};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::routes::signups::SignupResponse;
use crate::state::AppState;

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
