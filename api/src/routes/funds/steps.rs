//! The steps of an application, each a `POST` below it: the applicant submits, reports and
//! withdraws; the fund's keepers precheck, record the decision and settle. Each step writes
//! its `fund_application.*` event in the same transaction; the keepers' steps are audited.

use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use quartier_domain::fund::{ApplicationStatus, Cents, Decider, GrantRefusal};
use quartier_domain::notification::Kind;
use quartier_domain::validation::bounded_multiline_text;
use quartier_domain::{ValidationErrors, bounded_text};
use quartier_persistence::AsyncConnection;
use quartier_persistence::audit::NewEntry;
use quartier_persistence::funds::{self, Grant, Proof, Refusal, Step, StepRefusal};
use quartier_persistence::notifications::{self, NewNotification};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::applications::{Access, readable};
use super::{ApplicationResponse, ApplicationStatusBody, DeciderBody, announce};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, etag};
use crate::state::AppState;

/// Who may take a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Taker {
    Applicant,
    Keeper,
    /// The applicant, or a keeper for them.
    Either,
}

/// Takes `step` for the application the path names, as `taker`.
async fn take(
    state: &AppState,
    caller: &Caller,
    path: (Uuid, Uuid),
    if_match: &IfMatch,
    taker: Taker,
    step: Step,
) -> Result<HttpResponse, ApiError> {
    let versions = if_match.optional_versions();
    let (fund_id, application_id) = path;
    let mut conn = state.conn().await?;
    let (fund, row, Access { keeper, applicant }) =
        readable(&mut conn, caller, fund_id, application_id).await?;
    let allowed = match taker {
        Taker::Applicant => applicant,
        Taker::Keeper => keeper,
        Taker::Either => applicant || keeper,
    };
    if !allowed {
        return Err(ApiError::Forbidden(match taker {
            Taker::Applicant => "Only the applicant takes this step.".into(),
            _ => "Only those who keep the fund take this step.".into(),
        }));
    }
    if taker == Taker::Keeper && applicant {
        return Err(ApiError::Forbidden(
            "You applied for this project: others who keep the fund check, decide and settle it."
                .into(),
        ));
    }
    if let Step::Report(Proof {
        receipts_seen: true,
        ..
    }) = &step
        && (!keeper || applicant)
    {
        return Err(ApiError::validation(
            "receipts_seen",
            "is said by those who keep the fund, once they saw the receipts",
        ));
    }
    if let Step::Approve(Grant { decider, .. }) | Step::Decline(Refusal { decider, .. }) = &step
        && *decider == Decider::Committee
        && fund.committee_network_id.is_none()
    {
        return Err(ApiError::validation(
            "decided_by",
            "this fund has no committee: staff decide, up to their threshold",
        ));
    }
    // Audited when a keeper took it (an applicant's own steps are hers to know).
    let audited = keeper && !(applicant && taker != Taker::Keeper);
    let taken = conn
        .transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let taken = funds::take_step(conn, fund.id, row.id, versions, &step).await?;
            if let Ok(after) = &taken {
                announce(conn, &fund, after).await?;
                // The applicant hears of the decision and the settlement, unless she took
                // the step herself.
                let told = matches!(
                    after.status(),
                    ApplicationStatus::Approved
                        | ApplicationStatus::Declined
                        | ApplicationStatus::Settled
                );
                if told
                    && let Some(applicant) = after.applicant_id
                    && caller.user().is_none_or(|user| user.id != applicant)
                {
                    notifications::enqueue(
                        conn,
                        &NewNotification {
                            operator_id: fund.operator_id,
                            details: serde_json::json!({
                                "application_id": after.id, "status": after.status,
                            }),
                            dedup_key: Some(format!(
                                "fund_application_decided:{}:{}",
                                after.id, after.status
                            )),
                            ..NewNotification::now(applicant, Kind::FundApplicationDecided)
                        },
                    )
                    .await?;
                }
                if audited {
                    let action = format!("fund_application.{}", after.status);
                    let mut entry =
                        NewEntry::new(caller.actor(), &action, "fund_application", after.id)
                            .about(after.applicant_id)
                            .details(serde_json::json!({
                                "fund_id": fund.id,
                                "granted_cents": after.granted_cents,
                                "decided_by": after.decided_by,
                                "spent_cents": after.spent_cents,
                            }));
                    if let Some(operator) = fund.operator_id {
                        entry = entry.operator(operator);
                    }
                    entry.record(conn).await?;
                }
            }
            Ok(taken)
        })
        .await
        .map_err(|error| {
            if error.is_constraint(funds::MINUTES_KEY) {
                ApiError::validation("minutes_occurrence_id", "is not the id of a date")
            } else {
                error.into()
            }
        })?
        .map_err(|refusal| refused(refusal, &step))?;
    let response = ApplicationResponse::load(&mut conn, taken, keeper).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(response.version)))
        .json(response))
}

pub(super) fn refused(refusal: StepRefusal, step: &Step) -> ApiError {
    match refusal {
        StepRefusal::NotFound => {
            ApiError::NotFound("No application to this fund has this id.".into())
        }
        StepRefusal::VersionConflict => ApiError::VersionConflict,
        StepRefusal::NotAllowed(status) => ApiError::Conflict {
            slug: "fund-step-not-allowed",
            detail: format!(
                "An application that is {} cannot be {}.",
                status.as_str(),
                step_name(step)
            ),
        },
        StepRefusal::OverBudget { remaining } => ApiError::Conflict {
            slug: "over-budget",
            detail: format!(
                "The fund has {} cents left: grant at most that.",
                remaining.get()
            ),
        },
        StepRefusal::Grant(GrantRefusal::CommitteeNeeded { threshold }) => ApiError::Refused {
            slug: "committee-needed",
            detail: format!(
                "Staff decide alone up to {} cents; above it the fund's committee decides.",
                threshold.get()
            ),
        },
        StepRefusal::Grant(GrantRefusal::OverProjectMaximum { maximum }) => ApiError::Refused {
            slug: "over-project-maximum",
            detail: format!(
                "A project gets at most {} cents from this fund.",
                maximum.get()
            ),
        },
        StepRefusal::Grant(GrantRefusal::OverRequested { requested }) => {
            ApiError::Validation(ValidationErrors::single(
                "granted_cents",
                format!(
                    "must not be more than was asked for ({} cents)",
                    requested.get()
                ),
            ))
        }
        StepRefusal::Grant(GrantRefusal::Nothing) => ApiError::validation(
            "granted_cents",
            "must be more than 0: to grant nothing, decline",
        ),
        StepRefusal::MinutesMissing => ApiError::validation(
            "minutes_note",
            "a committee's decision names its minutes: minutes_occurrence_id or minutes_note",
        ),
        StepRefusal::FundClosed => super::fund_closed(),
    }
}

/// The step as the refusal names it.
fn step_name(step: &Step) -> &'static str {
    match step {
        Step::Submit => "submitted",
        Step::Precheck => "prechecked",
        Step::Decline(_) => "declined",
        Step::Approve(_) => "approved",
        Step::Report(_) => "reported",
        Step::Settle { .. } => "settled",
        Step::Withdraw => "withdrawn",
    }
}

/// Hand in a draft. The applicant.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The fund's id"),
        ("application_id" = Uuid, Path, description = "The application's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the client read"),
    ),
    responses(
        (status = 200, description = "The application, submitted", body = ApplicationResponse, headers(("ETag" = String))),
        (status = 400, description = "An id is not a UUID, or `If-Match` does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the applicant (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No fund or no application to it has this id, or it is not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft (`fund-step-not-allowed`), or the fund is closed (`fund-closed`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The application changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/funds/{id}/applications/{application_id}/submit")]
pub async fn submit_application(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    take(
        &state,
        &caller,
        path.into_inner(),
        &if_match,
        Taker::Applicant,
        Step::Submit,
    )
    .await
}

/// Find a submitted application complete and eligible, so that it can be decided. Those
/// who keep the fund.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The fund's id"),
        ("application_id" = Uuid, Path, description = "The application's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the client read"),
    ),
    responses(
        (status = 200, description = "The application, prechecked", body = ApplicationResponse, headers(("ETag" = String))),
        (status = 400, description = "An id is not a UUID, or `If-Match` does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not keeping the fund, or the applicant (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No fund or no application to it has this id, or it is not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not submitted (`fund-step-not-allowed`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The application changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/funds/{id}/applications/{application_id}/precheck")]
pub async fn precheck_application(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    take(
        &state,
        &caller,
        path.into_inner(),
        &if_match,
        Taker::Keeper,
        Step::Precheck,
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideApplicationRequest {
    /// `approved` or `declined`.
    pub status: ApplicationStatusBody,
    /// `staff` (up to the fund's staff threshold) or `committee` (the fund's committee, with
    /// its minutes).
    pub decided_by: DeciderBody,
    /// What is granted, for `approved`: at most what was asked for, the fund's most per
    /// project, and what the fund has left.
    #[schema(minimum = 1, maximum = 1_000_000_000, example = 40_000)]
    pub granted_cents: Option<i64>,
    /// Why not, for `declined`.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
    /// The committee's meeting that decided: a date of an activity.
    pub minutes_occurrence_id: Option<Uuid>,
    /// Where the committee's minutes are, in words (Protokoll der Sitzung vom 3. März).
    #[schema(min_length = 1, max_length = 500)]
    pub minutes_note: Option<String>,
}

/// Record the decision on a prechecked application (a submitted one may be declined at
/// once): staff decide alone up to the fund's staff threshold; above it they record the
/// committee's decision, naming its minutes. A grant is refused when it would take the fund
/// over its budget, however many are decided at once. Those who keep the fund.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The fund's id"),
        ("application_id" = Uuid, Path, description = "The application's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the client read"),
    ),
    request_body = DecideApplicationRequest,
    responses(
        (status = 200, description = "The application, approved or declined", body = ApplicationResponse, headers(("ETag" = String))),
        (status = 400, description = "An id is not a UUID, `If-Match` does not parse, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not keeping the fund, or the applicant (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No fund or no application to it has this id, or it is not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not prechecked (or, to decline, submitted) (`fund-step-not-allowed`), or more than the fund has left (`over-budget`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The application changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: another status, no amount to grant or more than was asked for, no reason to decline, a committee's decision without minutes or for a fund without a committee, an unknown date (`validation-failed`); more than staff decide alone (`committee-needed`); more than a project may get (`over-project-maximum`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/funds/{id}/applications/{application_id}/decide")]
pub async fn decide_application(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
    Json(body): Json<DecideApplicationRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = ValidationErrors::default();
    let minutes_note = body
        .minutes_note
        .as_deref()
        .and_then(|note| errors.collect(bounded_text(note, "minutes_note", 500)));
    let decider: Decider = body.decided_by.into();
    let by_user = caller.user().map(|user| user.id);
    let step = match body.status {
        ApplicationStatusBody::Approved => {
            if body.reason.is_some() {
                errors.push("reason", "is for a decline only");
            }
            let amount = match body.granted_cents {
                Some(raw) => errors.collect(Cents::parse("granted_cents", raw)),
                None => {
                    errors.push("granted_cents", "is required to approve");
                    None
                }
            };
            amount.map(|amount| {
                Step::Approve(Grant {
                    amount,
                    decider,
                    by_user,
                    minutes_occurrence_id: body.minutes_occurrence_id,
                    minutes_note: minutes_note.clone(),
                })
            })
        }
        ApplicationStatusBody::Declined => {
            if body.granted_cents.is_some() {
                errors.push("granted_cents", "is for an approval only");
            }
            let reason = match body.reason.as_deref() {
                Some(reason) => errors.collect(bounded_multiline_text(reason, "reason", 2000)),
                None => {
                    errors.push("reason", "is required to decline");
                    None
                }
            };
            reason.map(|reason| {
                Step::Decline(Refusal {
                    reason,
                    decider,
                    by_user,
                    minutes_occurrence_id: body.minutes_occurrence_id,
                    minutes_note: minutes_note.clone(),
                })
            })
        }
        _ => {
            errors.push("status", "must be approved or declined");
            None
        }
    };
    errors.into_result()?;
    let step = step.ok_or_else(|| ApiError::Internal("checked fields missing".into()))?;
    take(
        &state,
        &caller,
        path.into_inner(),
        &if_match,
        Taker::Keeper,
        step,
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportApplicationRequest {
    /// What the project cost in the end.
    #[schema(minimum = 0, maximum = 1_000_000_000, example = 38_250)]
    pub actual_cost_cents: i64,
    /// What happened: the report for the fund.
    #[schema(min_length = 1, max_length = 5000)]
    pub report_text: String,
    /// How many people took part.
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub attendance: Option<i64>,
    /// That the receipts were seen; only those who keep the fund say so. Default false.
    pub receipts_seen: Option<bool>,
}

/// Prove the use of a grant (Verwendungsnachweis): actual cost, report, attendance. The
/// applicant, or those who keep the fund for them.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The fund's id"),
        ("application_id" = Uuid, Path, description = "The application's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the client read"),
    ),
    request_body = ReportApplicationRequest,
    responses(
        (status = 200, description = "The application, reported", body = ApplicationResponse, headers(("ETag" = String))),
        (status = 400, description = "An id is not a UUID, `If-Match` does not parse, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither the applicant nor keeping the fund (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No fund or no application to it has this id, or it is not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not approved (`fund-step-not-allowed`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The application changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or receipts seen said by the applicant (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/funds/{id}/applications/{application_id}/report")]
pub async fn report_application(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
    Json(body): Json<ReportApplicationRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = ValidationErrors::default();
    let actual = errors.collect(Cents::parse("actual_cost_cents", body.actual_cost_cents));
    let text = errors.collect(bounded_multiline_text(
        &body.report_text,
        "report_text",
        5000,
    ));
    let attendance = match body.attendance {
        Some(n) if (0..=1_000_000).contains(&n) => Some(n as i32),
        Some(_) => {
            errors.push("attendance", "must be from 0 to 1000000");
            None
        }
        None => None,
    };
    errors.into_result()?;
    let (Some(actual_cost), Some(report_text)) = (actual, text) else {
        return Err(ApiError::Internal("checked fields missing".into()));
    };
    let receipts_seen = body.receipts_seen.unwrap_or(false);
    take(
        &state,
        &caller,
        path.into_inner(),
        &if_match,
        Taker::Either,
        Step::Report(Proof {
            actual_cost,
            report_text,
            attendance,
            receipts_seen,
        }),
    )
    .await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettleApplicationRequest {
    /// That the receipts were seen, if the report did not say so already. Default false.
    pub receipts_seen: Option<bool>,
}

/// Settle a reported project: it keeps what it spent (its actual cost, up to the grant), and
/// the rest goes back to the fund. Those who keep the fund, not the applicant.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The fund's id"),
        ("application_id" = Uuid, Path, description = "The application's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the client read"),
    ),
    request_body(content = Option<SettleApplicationRequest>, description = "Empty when the receipts' check was recorded with the report"),
    responses(
        (status = 200, description = "The application, settled", body = ApplicationResponse, headers(("ETag" = String))),
        (status = 400, description = "An id is not a UUID, `If-Match` does not parse, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not keeping the fund, or the applicant (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No fund or no application to it has this id, or it is not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not reported (`fund-step-not-allowed`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The application changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field the request does not take (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/funds/{id}/applications/{application_id}/settle")]
pub async fn settle_application(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: SettleApplicationRequest = crate::extract::optional_json(&body)?;
    take(
        &state,
        &caller,
        path.into_inner(),
        &if_match,
        Taker::Keeper,
        Step::Settle {
            receipts_seen: body.receipts_seen.unwrap_or(false),
        },
    )
    .await
}

/// Take an application back, until it is reported; an approved one gives its grant back to
/// the fund. The applicant.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The fund's id"),
        ("application_id" = Uuid, Path, description = "The application's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the client read"),
    ),
    responses(
        (status = 200, description = "The application, withdrawn", body = ApplicationResponse, headers(("ETag" = String))),
        (status = 400, description = "An id is not a UUID, or `If-Match` does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the applicant (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No fund or no application to it has this id, or it is not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Reported, settled, declined or withdrawn already (`fund-step-not-allowed`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The application changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/funds/{id}/applications/{application_id}/withdraw")]
pub async fn withdraw_application(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    take(
        &state,
        &caller,
        path.into_inner(),
        &if_match,
        Taker::Applicant,
        Step::Withdraw,
    )
    .await
}
