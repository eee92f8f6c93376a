//! Sign-ups: `/shifts/{id}/signups` and `/signups/{id}`. A volunteer signs themselves up;
//! staff of the shift's operator may sign up a named volunteer and cancel anyone's.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use quartier_domain::{SignupStatus, StaffRole};
use quartier_persistence::signups::{self, CancelRefusal, Placed, SignupRefusal};
use quartier_persistence::{AsyncPgConnection, shifts, trust};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::authz::require_centre;
use crate::error::{ApiError, Problem};
use crate::idempotent::{self, Answer, Fingerprint};
use crate::state::AppState;
use quartier_domain::integration::Scope;
use quartier_persistence::AsyncConnection;
use quartier_persistence::audit::NewEntry;

#[derive(Debug, Serialize, ToSchema)]
pub struct SignupResponse {
    pub id: Uuid,
    pub shift_id: Uuid,
    /// The volunteer; `null` once the sign-up has been anonymised (erasure or retention).
    pub user_id: Option<Uuid>,
    pub status: SignupStatusBody,
    /// Place on the waitlist (1 = next); only while waitlisted.
    pub waitlist_position: Option<i64>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Cancelled by the volunteer less than 24 hours before the start.
    pub late_cancellation: bool,
    /// The waitlisted sign-up that took the place this cancellation freed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promoted_signup_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

/// Where a volunteer stands on a shift: `confirmed` holds a place, `waitlisted` waits for
/// one, `cancelled` is final, `attended` and `no_show` are recorded by staff afterwards.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SignupStatusBody {
    Confirmed,
    Waitlisted,
    Cancelled,
    Attended,
    NoShow,
}

impl From<SignupStatusBody> for SignupStatus {
    fn from(body: SignupStatusBody) -> Self {
        match body {
            SignupStatusBody::Confirmed => SignupStatus::Confirmed,
            SignupStatusBody::Waitlisted => SignupStatus::Waitlisted,
            SignupStatusBody::Cancelled => SignupStatus::Cancelled,
            SignupStatusBody::Attended => SignupStatus::Attended,
            SignupStatusBody::NoShow => SignupStatus::NoShow,
        }
    }
}

impl From<SignupStatus> for SignupStatusBody {
    fn from(status: SignupStatus) -> Self {
        match status {
            SignupStatus::Confirmed => SignupStatusBody::Confirmed,
            SignupStatus::Waitlisted => SignupStatusBody::Waitlisted,
            SignupStatus::Cancelled => SignupStatusBody::Cancelled,
            SignupStatus::Attended => SignupStatusBody::Attended,
            SignupStatus::NoShow => SignupStatusBody::NoShow,
        }
    }
}

impl From<Placed> for SignupResponse {
    fn from(placed: Placed) -> Self {
        let s = placed.signup;
        Self {
            id: s.id,
            shift_id: s.shift_id,
            user_id: s.user_id,
            status: s.status.into(),
            waitlist_position: placed.position,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            confirmed_at: s.confirmed_at,
            cancelled_at: s.cancelled_at,
            late_cancellation: s.late_cancellation,
            promoted_signup_id: None,
            created_at: s.created_at,
            version: s.version,
        }
    }
}

/// Staff may name the volunteer; a volunteer sends an empty body (or none).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    /// The volunteer to sign up; only staff of the shift's operator may name someone else.
    pub user_id: Option<Uuid>,
    /// Staff signing someone up: why the operator's workload policy may be passed this once
    /// (recorded in the audit trail). The volunteer's own caps still hold.
    #[schema(
        example = "Springt für eine kranke Kollegin ein",
        min_length = 3,
        max_length = 500
    )]
    pub workload_override_reason: Option<String>,
}

pub(crate) fn refusal(refusal: SignupRefusal) -> ApiError {
    let conflict = |slug, detail: &str| ApiError::Conflict {
        slug,
        detail: detail.into(),
    };
    match refusal {
        SignupRefusal::ShiftNotFound => ApiError::NotFound("No shift has this id.".into()),
        SignupRefusal::ShiftCancelled => conflict("shift-cancelled", "This shift is cancelled."),
        SignupRefusal::ShiftPast => conflict("shift-past", "This shift has begun or is over."),
        SignupRefusal::AlreadySignedUp => conflict(
            "already-signed-up",
            "This volunteer is signed up for this shift already.",
        ),
        SignupRefusal::Overlapping => conflict(
            "overlapping-shift",
            "This volunteer has a confirmed shift at the same time.",
        ),
        SignupRefusal::Workload(exceeded) => ApiError::WorkloadLimit(exceeded),
        SignupRefusal::QualificationMissing(names) => ApiError::Refused {
            slug: "qualification-missing",
            detail: format!(
                "This shift needs, inspected and valid on its day: {}.",
                names.join(", ")
            ),
        },
    }
}

/// The sign-up itself: who, checked; then the rules in one transaction.
async fn sign_up(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    shift_id: Uuid,
    request: &SignupRequest,
) -> Result<SignupResponse, ApiError> {
    let actor = caller.user().map(|user| user.id);
    let volunteer = request.user_id.or(actor).ok_or_else(|| {
        ApiError::validation("user_id", "is needed when an API key signs someone up")
    })?;
    let shift = crate::routes::shifts::visible_shift(conn, Some(caller), shift_id).await?;
    let by_staff = Some(volunteer) != actor;
    let override_reason = request
        .workload_override_reason
        .as_deref()
        .map(str::trim)
        .map(|reason| {
            if !by_staff || actor.is_none() {
                Err(ApiError::validation(
                    "workload_override_reason",
                    "is for staff signing someone else up",
                ))
            } else if reason.chars().count() < 3
                || reason.chars().count() > 500
                || reason.chars().any(char::is_control)
            {
                Err(ApiError::validation(
                    "workload_override_reason",
                    "must be 3 to 500 characters on one line",
                ))
            } else {
                Ok(reason.to_owned())
            }
        })
        .transpose()?;
    if by_staff {
        require_centre(
            conn,
            caller,
            shift.shift.centre_id,
            StaffRole::Coordinator,
            Scope::SignupsWrite,
        )
        .await?;
        // Staff act only for volunteers who came to their operator; for anyone else, or no
        // account at all, the answer is the same.
        let known = trust::acquaintance(conn, shift.shift.operator_id, volunteer, None, &[])
            .await?
            .known();
        if !known {
            return Err(ApiError::validation(
                "user_id",
                "is not a volunteer known to this operator: one who helps it (PUT /me/operators/{id}), \
                 works for it, or signed up for one of its shifts",
            ));
        }
    }
    let placed = if by_staff {
        // A sign-up by staff and its audit entry commit together.
        conn.transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let now = Utc::now();
            let placed = match (&override_reason, actor) {
                (Some(_), Some(staff)) => {
                    signups::sign_up_overriding_policy(conn, shift_id, volunteer, staff, now)
                        .await?
                }
                // A key acts for the operator's own systems: its policy always binds them.
                _ => signups::sign_up(conn, shift_id, volunteer, actor, now).await?,
            };
            if let Ok(placed) = &placed {
                // An override is used by a place taken now; one on the waitlist waits as
                // any other (its promotion holds the policy).
                let confirmed = placed.signup.status == SignupStatus::Confirmed;
                let (action, details) = match (&override_reason, actor) {
                    (Some(reason), Some(_)) if confirmed => (
                        "signup.workload_policy_overridden",
                        serde_json::json!({"reason": reason}),
                    ),
                    _ => ("signup.created_by_staff", serde_json::json!({})),
                };
                NewEntry::new(caller.actor(), action, "signup", placed.signup.id)
                    .operator(shift.shift.operator_id)
                    .about([volunteer])
                    .details(details)
                    .record(conn)
                    .await?;
            }
            Ok(placed)
        })
        .await?
    } else {
        signups::sign_up(conn, shift_id, volunteer, actor, Utc::now()).await?
    }
    .map_err(refusal)?;
    Ok(SignupResponse::from(placed))
}

/// Sign up for a shift: `confirmed` while places are free, else `waitlisted` with the place in
/// the queue (first come, first promoted). Never more confirmed than places, never two
/// overlapping confirmed shifts of one volunteer, required qualifications inspected and valid
/// on the shift's day. With `Idempotency-Key`, a retry gets the first answer and changes
/// nothing.
#[utoipa::path(
    tag = "signups",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The shift's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Any unique string up to 200 characters: a retry with the same key gets the first answer"),
    ),
    request_body(content = Option<SignupRequest>, description = "Empty to sign yourself up"),
    responses(
        (status = 201, description = "Signed up: `confirmed`, or `waitlisted` with `waitlist_position`", body = SignupResponse, headers(("Location" = String))),
        (status = 403, description = "Naming another volunteer without being staff of the shift's operator, or an API key of another operator or without the scope `signups:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No shift has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`shift-cancelled`, `shift-past`, `already-signed-up`, or `overlapping-shift` (a confirmed shift of theirs at the same time)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`qualification-missing`, a `user_id` of no volunteer known to the shift's operator (who helps it, works for it or signed up for one of its shifts; an unknown account gets the same answer), or an `Idempotency-Key` used before for another request (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/shifts/{id}/signups")]
pub async fn create_signup(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let parsed: SignupRequest = crate::extract::optional_json(&body)?;
    let shift_id = *id;
    let key = crate::extract::idempotency_key(&request)?;
    let mut conn = state.conn().await?;
    let fingerprint = Fingerprint {
        operation: format!("POST /shifts/{shift_id}/signups"),
        body: &body,
    };
    let answer = idempotent::run(&mut conn, &caller.clone(), key, fingerprint, move |conn| {
        Box::pin(async move {
            let placed = sign_up(conn, &caller, shift_id, &parsed).await?;
            Ok(Answer::json(StatusCode::CREATED, &placed))
        })
    })
    .await?;
    Ok(answer.into_response(|created| {
        created["id"]
            .as_str()
            .map(|id| format!("/api/v1/signups/{id}"))
    }))
}

/// Who may see and cancel a sign-up: the volunteer, administrators, and staff of the
/// operator whose shift it is. 404 for anyone else.
async fn signup_for(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    scope: Scope,
) -> Result<(Placed, bool), ApiError> {
    let not_found = || ApiError::NotFound("No sign-up has this id.".into());
    let placed = signups::find(conn, id).await?.ok_or_else(not_found)?;
    let own = caller
        .user()
        .is_some_and(|user| placed.signup.user_id == Some(user.id));
    if own && !caller.is_admin() {
        return Ok((placed, false));
    }
    let shift = shifts::find(conn, placed.signup.shift_id)
        .await?
        .ok_or_else(not_found)?;
    let staff = require_centre(
        conn,
        caller,
        shift.shift.centre_id,
        StaffRole::Coordinator,
        scope,
    )
    .await;
    match (staff, caller) {
        (Ok(_), _) => Ok((placed, true)),
        (Err(ApiError::Forbidden(_)), _) if own => Ok((placed, false)),
        // A key of the right operator without the scope is told which it lacks.
        (Err(error @ ApiError::Forbidden(_)), Caller::Key(key))
            if key.operator_id == shift.shift.operator_id =>
        {
            Err(error)
        }
        (Err(_), _) => Err(not_found()),
    }
}

/// One sign-up. The volunteer, administrators, and staff of the shift's operator.
#[utoipa::path(
    tag = "signups",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The sign-up's id")),
    responses(
        (status = 200, description = "The sign-up", body = SignupResponse),
        (status = 404, description = "No sign-up has this id that you may see (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/signups/{id}")]
pub async fn get_signup(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let (placed, _) = signup_for(&mut conn, &caller, *id, Scope::RosterRead).await?;
    Ok(HttpResponse::Ok().json(SignupResponse::from(placed)))
}

async fn cancel(state: &AppState, caller: Caller, id: Uuid) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let (placed, staff) = signup_for(&mut conn, &caller, id, Scope::SignupsWrite).await?;
    let now = Utc::now();
    if !staff && placed.signup.starts_at <= now {
        return Err(ApiError::Conflict {
            slug: "shift-past",
            detail: "The shift has begun: ask its coordinators.".into(),
        });
    }
    let by_staff = staff && placed.signup.user_id != caller.user().map(|u| u.id);
    // A cancellation by staff and its audit entry commit together.
    let cancelled = conn
        .transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let done = signups::cancel(conn, id, caller.user().map(|u| u.id), now).await?;
            if by_staff && done.is_ok() {
                NewEntry::new(caller.actor(), "signup.cancelled_by_staff", "signup", id)
                    .about(placed.signup.user_id)
                    .details(serde_json::json!({ "shift_id": placed.signup.shift_id }))
                    .record(conn)
                    .await?;
            }
            Ok(done)
        })
        .await?
        .map_err(cancel_refusal)?;
    Ok(HttpResponse::Ok().json(cancelled_response(cancelled)))
}

/// How a refused cancellation reads to a client.
pub(crate) fn cancel_refusal(refusal: CancelRefusal) -> ApiError {
    match refusal {
        CancelRefusal::NotFound => ApiError::NotFound("No sign-up has this id.".into()),
        CancelRefusal::NotLive => ApiError::Conflict {
            slug: "signup-not-live",
            detail: "This sign-up is cancelled or over already.".into(),
        },
    }
}

/// A cancelled sign-up, with the waiting one that took its place.
pub(crate) fn cancelled_response(cancelled: signups::Cancelled) -> SignupResponse {
    let mut response = SignupResponse::from(Placed {
        signup: cancelled.signup,
        position: None,
    });
    response.promoted_signup_id = cancelled.promoted.map(|p| p.id);
    response
}

/// Cancel a sign-up: the volunteer until the shift begins (within 24 hours of the start it is
/// marked late), staff of the shift's operator at any time. A freed place goes to the first on
/// the waitlist whose other confirmed shifts do not overlap, in the same transaction.
#[utoipa::path(
    tag = "signups",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The sign-up's id")),
    responses(
        (status = 200, description = "The cancelled sign-up, with `promoted_signup_id` when a waiting one took the place", body = SignupResponse),
        (status = 404, description = "No sign-up has this id that you may see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`shift-past` (a volunteer after the start) or `signup-not-live` (cancelled already)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/signups/{id}/cancel")]
pub async fn cancel_signup(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    cancel(&state, caller, *id).await
}

/// Cancel a sign-up; the same as `POST /signups/{id}/cancel`.
#[utoipa::path(
    tag = "signups",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The sign-up's id")),
    responses(
        (status = 200, description = "The cancelled sign-up, with `promoted_signup_id` when a waiting one took the place", body = SignupResponse),
        (status = 404, description = "No sign-up has this id that you may see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`shift-past` (a volunteer after the start) or `signup-not-live` (cancelled already)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/signups/{id}")]
pub async fn delete_signup(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    cancel(&state, caller, *id).await
}
