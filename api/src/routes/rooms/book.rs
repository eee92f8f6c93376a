//! `POST /rooms/{id}/bookings`: booking a room once or as a series in local time.
//!
//! The room's operator books through its staff and is confirmed at once; partners and
//! residents book where the room lets them, confirmed at once only where it needs no
//! approval (residents always ask). A date whose time is taken is refused as a whole
//! (`on_conflict: fail`) or skipped (`skip`); the database decides what is taken (Rule 8).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use quartier_domain::room::{BookableBy, BookerKind, BookingStatus, DateRefusal, Times};
use quartier_domain::schedule::Schedule;
use quartier_domain::signup::LOCAL_ZONE;
use quartier_domain::{Role, StaffRole, ValidationErrors, bounded_text};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::rooms::{self, Booked, DateRow, NewBooking, RoomRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{BookerKindBody, BookingStatusBody, ConflictPolicyBody, LayoutBody, existing};
use crate::auth::{AuthUser, Caller};
use crate::authz::require_centre_staff;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::idempotent::{self, Answer, Fingerprint};
use crate::state::AppState;

/// The most dates one series books.
const MAX_SERIES_DATES: usize = 100;

/// A series of dates: an RRULE in the centre's local time (Europe/Berlin), so that a weekly
/// 18:00 stays at 18:00 across the clock changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesRequest {
    /// RFC 5545 RRULE, such as `FREQ=WEEKLY;BYDAY=TU;COUNT=10`.
    #[schema(example = "FREQ=WEEKLY;BYDAY=TU;COUNT=10")]
    pub rrule: String,
    /// The first date's local start, without zone.
    #[schema(value_type = String, example = "2027-03-02T18:00:00")]
    pub first_start: NaiveDateTime,
    pub duration_minutes: u32,
}

/// A booking: once (`starts_at`, `ends_at`) or a `series`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookRoomRequest {
    pub booker: BookerKindBody,
    /// The partner booking, for `booker: partner`.
    pub partner_id: Option<Uuid>,
    /// What the room is for; seen by staff.
    pub purpose: String,
    pub expected_people: i32,
    pub layout: LayoutBody,
    /// A title the booker agrees to show publicly; without it the booking is private and
    /// shows as busy only.
    pub public_title: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub series: Option<SeriesRequest>,
    /// Default `fail`.
    pub on_conflict: Option<ConflictPolicyBody>,
}

/// One date of a booking.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingDateResponse {
    pub id: Uuid,
    pub booking_id: Uuid,
    pub room_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: BookingStatusBody,
}

impl From<DateRow> for BookingDateResponse {
    fn from(row: DateRow) -> Self {
        BookingDateResponse {
            status: crate::names::stored(&row.status, BookingStatusBody::Requested),
            id: row.id,
            booking_id: row.booking_id,
            room_id: row.room_id,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
        }
    }
}

/// A time asked for and not booked.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkippedDate {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// A booking made: its dates, and those skipped because they were taken.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingResponse {
    pub id: Uuid,
    pub room_id: Uuid,
    pub booker: BookerKindBody,
    pub dates: Vec<BookingDateResponse>,
    pub skipped: Vec<SkippedDate>,
}

/// The schedule's field names as this request names them (`schedule.rrule` is
/// `series.rrule`).
fn in_series(errors: ValidationErrors) -> ValidationErrors {
    ValidationErrors(
        errors
            .0
            .into_iter()
            .map(|mut error| {
                if let Some(rest) = error.field.strip_prefix("schedule") {
                    error.field = format!("series{rest}");
                }
                error
            })
            .collect(),
    )
}

/// The dates asked for, each checked against the room's rules.
fn dates(
    body: &BookRoomRequest,
    room: &RoomRow,
    now: DateTime<Utc>,
) -> Result<Vec<Times>, ApiError> {
    let wanted = match (&body.series, body.starts_at, body.ends_at) {
        (None, Some(starts_at), Some(ends_at)) => {
            if !quartier_domain::window::within_years(starts_at)
                || !quartier_domain::window::within_years(ends_at)
            {
                return Err(ApiError::validation(
                    "starts_at",
                    "must lie between the years 2000 and 2100",
                ));
            }
            vec![(starts_at, ends_at)]
        }
        (Some(series), None, None) => {
            let schedule = Schedule::recurring(
                &series.rrule,
                series.first_start,
                series.duration_minutes,
                LOCAL_ZONE,
                &[],
            )
            .map_err(|errors| ApiError::Validation(in_series(errors)))?;
            // A series ends within how far ahead the room takes bookings: dates beyond it are
            // never dropped unseen.
            let until = now + Duration::days(i64::from(room.max_notice_days));
            if schedule.continues_after(until) {
                return Err(ApiError::validation(
                    "series.rrule",
                    &format!(
                        "must end within {} days, how far ahead the room takes bookings (give COUNT or UNTIL)",
                        room.max_notice_days
                    ),
                ));
            }
            let slots = schedule.slots_between(now, until);
            if slots.len() > MAX_SERIES_DATES {
                return Err(ApiError::validation(
                    "series.rrule",
                    &format!("must yield at most {MAX_SERIES_DATES} dates"),
                ));
            }
            slots.iter().map(|s| (s.starts_at, s.ends_at)).collect()
        }
        _ => {
            return Err(ApiError::validation(
                "starts_at",
                "give starts_at and ends_at, or a series, not both",
            ));
        }
    };
    let field = if body.series.is_some() {
        "series"
    } else {
        "starts_at"
    };
    if wanted.is_empty() {
        return Err(ApiError::validation(
            field,
            "yields no date between now and how far ahead the room takes bookings",
        ));
    }
    let rules = room.rules();
    for &(starts_at, ends_at) in &wanted {
        if let Err(refusal) = rules.check(starts_at, ends_at, now, LOCAL_ZONE) {
            let at = starts_at.to_rfc3339();
            let message = match refusal {
                DateRefusal::Duration { min, max } => {
                    format!("the date at {at} must last from {min} to {max} minutes")
                }
                DateRefusal::OffGrid { slot_minutes } => format!(
                    "the date at {at} must start and end on the room's {slot_minutes}-minute grid"
                ),
                DateRefusal::TooSoon { hours } => {
                    format!("the date at {at} must be booked at least {hours} hours ahead")
                }
                DateRefusal::TooFar { days } => {
                    format!("the date at {at} must be at most {days} days ahead")
                }
            };
            return Err(ApiError::validation(field, &message));
        }
    }
    Ok(wanted)
}

/// Whether the caller may book for `body.booker`, and whether the dates are confirmed at once.
async fn status_for(
    conn: &mut AsyncPgConnection,
    user: AuthUser,
    room: &RoomRow,
    body: &BookRoomRequest,
) -> Result<BookingStatus, ApiError> {
    let bookable_by = BookableBy::parse(&room.bookable_by).unwrap_or(BookableBy::Staff);
    let asked = if room.needs_approval {
        BookingStatus::Requested
    } else {
        BookingStatus::Confirmed
    };
    match BookerKind::from(body.booker) {
        BookerKind::Operator => {
            require_centre_staff(conn, user, room.centre_id, StaffRole::Coordinator).await?;
            Ok(BookingStatus::Confirmed)
        }
        BookerKind::Partner => {
            let Some(partner_id) = body.partner_id else {
                return Err(ApiError::validation(
                    "partner_id",
                    "is needed for booker partner",
                ));
            };
            if bookable_by == BookableBy::Staff {
                return Err(ApiError::Forbidden(
                    "This room is booked by the operator's staff only.".into(),
                ));
            }
            if quartier_persistence::partners::find(conn, partner_id)
                .await?
                .is_none()
            {
                return Err(ApiError::validation("partner_id", "is not a partner"));
            }
            let member = quartier_persistence::partners::role_of(conn, partner_id, user.id).await?;
            if member.is_none() && user.role != Role::Admin {
                return Err(ApiError::Forbidden(
                    "Only the partner's staff may book for it.".into(),
                ));
            }
            Ok(asked)
        }
        BookerKind::Account => {
            if bookable_by != BookableBy::Residents {
                return Err(ApiError::Forbidden(
                    "This room is not booked by residents.".into(),
                ));
            }
            Ok(BookingStatus::Requested)
        }
    }
}

/// The dates as a client reads them in a problem's detail.
pub(crate) fn listed(dates: &[Times]) -> String {
    dates
        .iter()
        .map(|(starts_at, ends_at)| format!("{}–{}", starts_at.to_rfc3339(), ends_at.to_rfc3339()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Book a room, once or as a series. The room's operator (by its staff) is confirmed at once;
/// partners' staff and residents book where the room lets them and are confirmed at once
/// only where the room needs no approval (residents always ask). Taken dates fail the whole
/// booking (`on_conflict: fail`, 409 `room-taken` naming them) or are skipped (`skip`). With
/// `Idempotency-Key`, a retry gets the first answer and books nothing more.
#[utoipa::path(
    tag = "rooms",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The room's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Any unique string up to 200 characters: a retry with the same key gets the first answer and books nothing more"),
    ),
    request_body = BookRoomRequest,
    responses(
        (status = 201, description = "The booking, with its dates and those skipped", body = BookingResponse),
        (status = 400, description = "The body is not JSON, or the id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to book this room for this booker, or an API key (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No room has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A date is taken (`room-taken`, naming the dates), or the booker would hold more dates to come than the room allows (`booking-limit`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: dates off the room's rules, more people than the layout holds; or an `Idempotency-Key` used before for another request (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/rooms/{id}/bookings")]
pub async fn book_room(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    request: HttpRequest,
    Json(raw): Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(&raw).unwrap_or_default();
    let body: BookRoomRequest = crate::extract::parse_json(&bytes)?;
    let key = crate::extract::idempotency_key(&request)?;
    let room_id = *id;
    let mut conn = state.conn().await?;
    let fingerprint = Fingerprint {
        operation: format!("POST /rooms/{room_id}/bookings"),
        body: &bytes,
    };
    let caller = Caller::User(user);
    let answer = idempotent::run(&mut conn, &caller, key, fingerprint, move |conn| {
        Box::pin(async move {
            let booked = book(conn, user, room_id, &body).await?;
            Ok(Answer::json(StatusCode::CREATED, &booked))
        })
    })
    .await?;
    Ok(answer.into_response(|_| None))
}

/// Checks the booking against the caller, the room and its rules, and books it.
async fn book(
    conn: &mut AsyncPgConnection,
    user: AuthUser,
    room_id: Uuid,
    body: &BookRoomRequest,
) -> Result<BookingResponse, ApiError> {
    let mut errors = ValidationErrors::default();
    let purpose = errors.collect(bounded_text(&body.purpose, "purpose", 1000));
    let public_title = body
        .public_title
        .as_deref()
        .and_then(|title| errors.collect(bounded_text(title, "public_title", 200)));
    if !(1..=10_000).contains(&body.expected_people) {
        errors.push("expected_people", "must be from 1 to 10000");
    }
    if body.partner_id.is_some() && body.booker != BookerKindBody::Partner {
        errors.push("partner_id", "is for booker partner only");
    }
    errors.into_result().map_err(ApiError::Validation)?;
    let now = Utc::now();
    let room = existing(conn, room_id).await?;
    let status = status_for(conn, user, &room, body).await?;
    let layout = body.layout.into();
    match room.rules().capacity(layout) {
        None => {
            return Err(ApiError::validation(
                "layout",
                "is not offered in this room",
            ));
        }
        Some(capacity) if body.expected_people > capacity => {
            return Err(ApiError::validation(
                "expected_people",
                &format!("must be at most {capacity}, what the room holds in this layout"),
            ));
        }
        Some(_) => {}
    }
    let wanted = dates(body, &room, now)?;
    let new = NewBooking {
        room_id: room.id,
        booker: body.booker.into(),
        partner_id: body.partner_id,
        requested_by: user.id,
        purpose: purpose.as_deref().unwrap_or_default(),
        expected_people: body.expected_people,
        layout,
        public_title: public_title.as_deref(),
        recurrence: body.series.as_ref().map(|s| s.rrule.as_str()),
        dates: &wanted,
        status,
        on_conflict: body.on_conflict.unwrap_or(ConflictPolicyBody::Fail).into(),
    };
    match rooms::book(conn, &room, Uuid::now_v7(), &new, now).await? {
        Booked::Made {
            booking_id,
            dates,
            skipped,
        } => Ok(BookingResponse {
            id: booking_id,
            room_id: room.id,
            booker: body.booker,
            dates: dates.into_iter().map(Into::into).collect(),
            skipped: skipped
                .into_iter()
                .map(|(starts_at, ends_at)| SkippedDate { starts_at, ends_at })
                .collect(),
        }),
        Booked::Taken(taken) => Err(ApiError::Conflict {
            slug: "room-taken",
            detail: format!("The room is taken at {}.", listed(&taken)),
        }),
        Booked::OverLimit { limit } => Err(ApiError::Conflict {
            slug: "booking-limit",
            detail: format!("One booker may hold at most {limit} dates to come in this room."),
        }),
    }
}
