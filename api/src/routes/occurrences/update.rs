use actix_web::http::header;
use actix_web::{HttpResponse, patch, web};
use chrono::{DateTime, Duration, Utc};
use quartier_domain::TimeWindow;
use quartier_domain::operator::free_text;
use quartier_domain::schedule::MAX_ONCE_DAYS;
use quartier_domain::{StaffRole, ValidationErrors};
use quartier_persistence::activities::Viewer;
use quartier_persistence::occurrences::{self, OccurrenceChanges};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{OccurrenceResponse, visible};
use crate::auth::Caller;
use crate::authz::require_centre;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, etag, nullable};
use crate::routes::activities::viewer;
use crate::state::AppState;
use quartier_domain::integration::Scope;

/// Changes to one occurrence; fields left out stay as they are, `null` clears one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOccurrenceRequest {
    /// `true` cancels this date (give a `cancellation_reason`); `false` reinstates it.
    pub cancelled: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(
        example = "Die Leiterin ist erkrankt.",
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub cancellation_reason: Option<Option<String>>,
    /// Moves this date: the new start (the end moves along unless `ends_at` is given).
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// A note for participants.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(
        example = "Diesmal im Garten.",
        max_length = 2000,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub note: Option<Option<String>>,
    /// How many took part; only once the occurrence has begun.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(minimum = 0, maximum = 100000)]
    pub participants: Option<Option<i64>>,
    /// The operator's own id for this date (unique per operator); `null` removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(
        example = "KURS-17-2027-02-03",
        min_length = 1,
        max_length = 200,
        pattern = r"^[!-~]+$"
    )]
    pub external_id: Option<Option<String>>,
}

/// Cancel, move or annotate one occurrence, or record its attendance. Administrators and
/// staff of the operator (coordinators of that centre); needs `If-Match`. Each change a
/// calendar shows raises the occurrence's iCalendar `SEQUENCE`. Its shifts follow: a
/// cancelled date cancels them with every sign-up (`signup.cancelled` with the reason
/// `occurrence_cancelled`, then `shift.cancelled`); a moved date moves them and their
/// sign-ups by as much (`shift.changed`). Reinstating a date does not reopen its shifts.
#[utoipa::path(
    tag = "occurrences",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The occurrence's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, or `*`"),
    ),
    request_body = UpdateOccurrenceRequest,
    responses(
        (status = 200, description = "The changed occurrence", body = OccurrenceResponse, headers(("ETag" = String))),
        (status = 403, description = "Not staff of the operator with the role coordinator, or an API key of another operator or without the scope `activities:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No occurrence has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`external-id-taken`, or `overlapping-shift` (moved, one of its shifts would clash with another confirmed shift of a volunteer)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The occurrence changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: a cancellation without reason, a move out of range, attendance before the start (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/occurrences/{id}")]
pub async fn update_occurrence(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(body): Json<UpdateOccurrenceRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let viewer = viewer(&mut conn, Some(&caller)).await?;
    let current = occurrences::find(&mut conn, *id)
        .await?
        .filter(|view| visible(&viewer, view))
        .ok_or_else(|| ApiError::NotFound("No occurrence has this id.".into()))?;
    require_centre(
        &mut conn,
        &caller,
        current.centre_id,
        StaffRole::Coordinator,
        Scope::ActivitiesWrite,
    )
    .await?;
    let versions = if_match.versions()?;
    let o = &current.occurrence;

    let mut errors = ValidationErrors::default();
    let reason = match &body.cancellation_reason {
        Some(Some(raw)) => errors
            .collect(free_text(raw, "cancellation_reason", 500))
            .map(|r| Some(r).filter(|r| !r.is_empty())),
        Some(None) => Some(None),
        None => None,
    };
    let cancelling = body.cancelled == Some(true) && !o.cancelled;
    let has_reason = match &reason {
        Some(r) => r.is_some(),
        None => o.cancellation_reason.is_some(),
    };
    if cancelling && !has_reason {
        errors.push(
            "cancellation_reason",
            "is needed to cancel: tell participants why",
        );
    }
    let reinstating = body.cancelled == Some(false);
    let note = match &body.note {
        Some(Some(raw)) => errors
            .collect(free_text(raw, "note", 2000))
            .map(|n| Some(n).filter(|n| !n.is_empty())),
        Some(None) => Some(None),
        None => None,
    };
    let (starts_at, ends_at) = match (body.starts_at, body.ends_at) {
        (None, None) => (None, None),
        (start, end) => {
            let start = start.unwrap_or(o.starts_at);
            let end = end
                .or_else(|| start.checked_add_signed(o.ends_at - o.starts_at))
                .unwrap_or(start);
            errors.collect(TimeWindow::parse(
                start,
                end,
                Duration::days(MAX_ONCE_DAYS),
                ("starts_at", "ends_at"),
            ));
            (Some(start), Some(end))
        }
    };
    let participants = match body.participants {
        Some(Some(n)) if !(0..=100_000).contains(&n) => {
            errors.push("participants", "must be from 0 to 100000");
            None
        }
        Some(Some(_)) if o.starts_at > Utc::now() => {
            errors.push(
                "participants",
                "can be recorded once the occurrence has begun",
            );
            None
        }
        Some(n) => Some(n.map(|n| n as i32)),
        None => None,
    };
    let external_id = match &body.external_id {
        Some(Some(raw)) => errors
            .collect(quartier_domain::integration::external_id(
                raw,
                "external_id",
            ))
            .map(Some),
        Some(None) => Some(None),
        None => None,
    };
    errors.into_result()?;

    let moved =
        starts_at.is_some_and(|s| s != o.starts_at) || ends_at.is_some_and(|e| e != o.ends_at);
    let changes = OccurrenceChanges {
        starts_at,
        ends_at,
        moved: moved.then_some(true),
        cancelled: body.cancelled,
        cancellation_reason: if reinstating {
            Some(None)
        } else {
            reason.as_ref().map(|r| r.as_deref())
        },
        note: note.as_ref().map(|n| n.as_deref()),
        participants,
        external_id: external_id.as_ref().map(|e| e.as_deref()),
        external_operator_id: external_id
            .as_ref()
            .map(|e| e.as_ref().map(|_| current.operator_id)),
    };
    let visible = moved
        || body.cancelled.is_some_and(|c| c != o.cancelled)
        || reason.is_some()
        || note.is_some();
    let row = occurrences::update(
        &mut conn,
        *id,
        versions,
        &changes,
        visible,
        caller.user().map(|u| u.id),
    )
    .await
    .map_err(|error| {
        if error.is_constraint(occurrences::EXTERNAL_ID_KEY) {
            ApiError::Conflict {
                slug: "external-id-taken",
                detail: "Another occurrence of this operator has this external id.".into(),
            }
        } else {
            error.into()
        }
    })?
    .map_err(|refusal| ApiError::refused(refusal, "occurrence"))?;
    let view = occurrences::find(&mut conn, row.id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No occurrence has this id.".into()))?;
    let viewer = Viewer {
        admin: true,
        operators: Vec::new(),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.version)))
        .json(OccurrenceResponse::new(view, &viewer)))
}
