//! `PATCH /occurrences/{id}`: cancelling, moving or annotating one date, or recording its
//! attendance, with `If-Match`.

use actix_web::http::header;
use actix_web::{HttpResponse, patch, web};
use chrono::{DateTime, Duration, Utc};
use quartier_domain::TimeWindow;
use quartier_domain::integration::Scope;
use quartier_domain::operator::free_text;
use quartier_domain::schedule::MAX_ONCE_DAYS;
use quartier_domain::{StaffRole, ValidationErrors};
use quartier_persistence::activities::Viewer;
use quartier_persistence::occurrences::{self, OccurrenceChanges, OccurrenceRow, OccurrenceView};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{AgeBands, OccurrenceResponse, visible};
use crate::auth::Caller;
use crate::authz::require_centre;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, etag, nullable};
use crate::routes::activities::viewer;
use crate::state::AppState;

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
    /// Of `participants`, how many came for the first time; at most `participants`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(minimum = 0, maximum = 100000)]
    pub first_time_participants: Option<Option<i64>>,
    /// Of `participants`, how many of each age band, as far as counted: together at most
    /// `participants`. Replaces the bands recorded; `null` clears them.
    #[serde(default, deserialize_with = "nullable")]
    pub participants_by_age: Option<Option<AgeBands>>,
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
        (status = 409, description = "`external-id-taken`, `overlapping-shift` (moved, one of its shifts would clash with another confirmed shift of a volunteer), or `room-taken` (moved or restored, the room its activity uses is taken at the new time)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The occurrence changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: a cancellation without reason, a move out of range, attendance before the start, parts of the attendance above its total (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
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
        .ok_or_else(not_found)?;
    require_centre(
        &mut conn,
        &caller,
        current.centre_id,
        StaffRole::Coordinator,
        Scope::ActivitiesWrite,
    )
    .await?;
    let versions = if_match.versions()?;
    let checked = check(&body, &current.occurrence)?;
    let changes = checked.changes(&body, &current);
    let shown = checked.shown_in_calendars(&body, &current.occurrence);
    let by = caller.user().map(|u| u.id);
    let row = occurrences::update(&mut conn, *id, versions, &changes, shown, by)
        .await
        .map_err(external_id_taken)?
        .map_err(|refusal| ApiError::refused(refusal, "occurrence"))?;
    let view = occurrences::find(&mut conn, row.id)
        .await?
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.version)))
        .json(OccurrenceResponse::new(view, &staff_viewer())))
}

/// The fields of an update, checked; `None` leaves one as it is, `Some(None)` clears it.
struct CheckedChanges {
    cancellation_reason: Option<Option<String>>,
    note: Option<Option<String>>,
    /// Both set when the occurrence is moved (the one left out taken from it), neither
    /// otherwise.
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    participants: Option<Option<i32>>,
    first_time_participants: Option<Option<i32>>,
    /// The five bands, each cleared when not counted.
    participants_by_age: Option<[Option<i32>; 5]>,
    external_id: Option<Option<String>>,
}

impl CheckedChanges {
    /// Whether the occurrence ends up at other times than it has.
    fn moves(&self, o: &OccurrenceRow) -> bool {
        self.starts_at.is_some_and(|s| s != o.starts_at)
            || self.ends_at.is_some_and(|e| e != o.ends_at)
    }

    /// The changes `body` asks for, with these fields. Reinstating clears the reason.
    fn changes<'a>(
        &'a self,
        body: &UpdateOccurrenceRequest,
        current: &OccurrenceView,
    ) -> OccurrenceChanges<'a> {
        let reinstating = body.cancelled == Some(false);
        OccurrenceChanges {
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            moved: self.moves(&current.occurrence).then_some(true),
            cancelled: body.cancelled,
            cancellation_reason: if reinstating {
                Some(None)
            } else {
                self.cancellation_reason.as_ref().map(|r| r.as_deref())
            },
            note: self.note.as_ref().map(|n| n.as_deref()),
            participants: self.participants,
            first_time_participants: self.first_time_participants,
            participants_age_0_13: self.participants_by_age.map(|b| b[0]),
            participants_age_14_17: self.participants_by_age.map(|b| b[1]),
            participants_age_18_26: self.participants_by_age.map(|b| b[2]),
            participants_age_27_64: self.participants_by_age.map(|b| b[3]),
            participants_age_65_plus: self.participants_by_age.map(|b| b[4]),
            external_id: self.external_id.as_ref().map(|e| e.as_deref()),
            external_operator_id: self
                .external_id
                .as_ref()
                .map(|e| e.as_ref().map(|_| current.operator_id)),
        }
    }

    /// Whether a calendar shows the change (a move, a cancellation or its reversal, a reason,
    /// a note), so that it raises the occurrence's iCalendar `SEQUENCE`.
    fn shown_in_calendars(&self, body: &UpdateOccurrenceRequest, o: &OccurrenceRow) -> bool {
        self.moves(o)
            || body.cancelled.is_some_and(|c| c != o.cancelled)
            || self.cancellation_reason.is_some()
            || self.note.is_some()
    }
}

/// Checks `body` against the occurrence as it is; every error at once, in the order of the
/// fields.
fn check(
    body: &UpdateOccurrenceRequest,
    o: &OccurrenceRow,
) -> Result<CheckedChanges, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let cancellation_reason = check_nullable(&body.cancellation_reason, &mut errors, |raw| {
        free_text(raw, "cancellation_reason", 500).map(non_empty)
    });
    check_reason_given(body, o, &cancellation_reason, &mut errors);
    let note = check_nullable(&body.note, &mut errors, |raw| {
        free_text(raw, "note", 2000).map(non_empty)
    });
    let (starts_at, ends_at) = check_move(body, o, &mut errors);
    let participants = check_participants(body.participants, o, &mut errors);
    let first_time_participants = check_attendance_part(
        body.first_time_participants,
        "first_time_participants",
        o,
        &mut errors,
    );
    let participants_by_age = body.participants_by_age.map(|bands| {
        let values = bands.unwrap_or_default().values();
        let names = [
            "age_0_13",
            "age_14_17",
            "age_18_26",
            "age_27_64",
            "age_65_plus",
        ];
        let mut checked = [None; 5];
        for ((value, name), slot) in values.into_iter().zip(names).zip(&mut checked) {
            let field = format!("participants_by_age.{name}");
            *slot =
                check_attendance_part(value.map(|v| Some(i64::from(v))), &field, o, &mut errors)
                    .flatten();
        }
        checked
    });
    let external_id = check_nullable(&body.external_id, &mut errors, |raw| {
        quartier_domain::integration::external_id(raw, "external_id").map(Some)
    });
    errors.into_result()?;
    Ok(CheckedChanges {
        cancellation_reason,
        note,
        starts_at,
        ends_at,
        participants,
        first_time_participants,
        participants_by_age,
        external_id,
    })
}

/// A field that `null` clears: `Some(Some(_))` when `raw` parses (`Some(None)` when it comes
/// out empty), `Some(None)` for `null`, `None` when left out or invalid (recorded in `errors`).
fn check_nullable<T>(
    field: &Option<Option<String>>,
    errors: &mut ValidationErrors,
    parse: impl FnOnce(&str) -> Result<Option<T>, ValidationErrors>,
) -> Option<Option<T>> {
    match field {
        Some(Some(raw)) => errors.collect(parse(raw)),
        Some(None) => Some(None),
        None => None,
    }
}

/// `None` for an empty text.
fn non_empty(text: String) -> Option<String> {
    Some(text).filter(|t| !t.is_empty())
}

/// Cancelling needs a reason: the one sent, or else the one the occurrence has.
fn check_reason_given(
    body: &UpdateOccurrenceRequest,
    o: &OccurrenceRow,
    reason: &Option<Option<String>>,
    errors: &mut ValidationErrors,
) {
    let cancelling = body.cancelled == Some(true) && !o.cancelled;
    let has_reason = match reason {
        Some(r) => r.is_some(),
        None => o.cancellation_reason.is_some(),
    };
    if cancelling && !has_reason {
        errors.push(
            "cancellation_reason",
            "is needed to cancel: tell participants why",
        );
    }
}

/// The times a move gives the occurrence: the start left out stays, the end left out keeps
/// the length. `(None, None)` when neither is sent.
fn check_move(
    body: &UpdateOccurrenceRequest,
    o: &OccurrenceRow,
    errors: &mut ValidationErrors,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    match (body.starts_at, body.ends_at) {
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
    }
}

/// Attendance: from 0 to 100000, and only once the occurrence has begun.
fn check_participants(
    participants: Option<Option<i64>>,
    o: &OccurrenceRow,
    errors: &mut ValidationErrors,
) -> Option<Option<i32>> {
    check_attendance_part(participants, "participants", o, errors)
}

/// A count of attendance (the total or a part of it): from 0 to 100000, and only once the
/// occurrence has begun. That parts stay within the total the database checks
/// ([`occurrences::ATTENDANCE_PARTS`]).
fn check_attendance_part(
    count: Option<Option<i64>>,
    field: &str,
    o: &OccurrenceRow,
    errors: &mut ValidationErrors,
) -> Option<Option<i32>> {
    match count {
        Some(Some(n)) if !(0..=100_000).contains(&n) => {
            errors.push(field, "must be from 0 to 100000");
            None
        }
        Some(Some(_)) if o.starts_at > Utc::now() => {
            errors.push(field, "can be recorded once the occurrence has begun");
            None
        }
        Some(n) => Some(n.map(|n| n as i32)),
        None => None,
    }
}

/// 409 `external-id-taken` when another occurrence of the operator has the external id;
/// 422 when parts of the attendance would exceed its total.
fn external_id_taken(error: quartier_persistence::Error) -> ApiError {
    if error.is_constraint(occurrences::ATTENDANCE_PARTS) {
        ValidationErrors::single(
            "participants",
            "must be at least the first-time participants and at least the age bands together",
        )
        .into()
    } else if error.is_constraint(occurrences::EXTERNAL_ID_KEY) {
        ApiError::Conflict {
            slug: "external-id-taken",
            detail: "Another occurrence of this operator has this external id.".into(),
        }
    } else {
        error.into()
    }
}

/// The changed occurrence is shown as its staff see it, attendance included.
fn staff_viewer() -> Viewer {
    Viewer {
        admin: true,
        operators: Vec::new(),
    }
}

fn not_found() -> ApiError {
    ApiError::NotFound("No occurrence has this id.".into())
}
