//! `POST /rooms/{id}/bookings`: booking a room once or as a series in local time.
//!
//! The room's operator books through its staff and is confirmed at once; partners and
//! residents book where the room lets them, confirmed at once only where it needs no
//! approval (residents always ask). A date whose time is taken is refused as a whole
//! (`on_conflict: fail`) or skipped (`skip`); the database decides what is taken (Rule 8).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use quartier_domain::activity::ActivityStatus;
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
    /// Not `guest`: residents without an account ask at `POST /rooms/{id}/guest-bookings`.
    pub booker: BookerKindBody,
    /// The partner booking, for `booker: partner`.
    pub partner_id: Option<Uuid>,
    /// The activity booked for, for `booker: activity`.
    pub activity_id: Option<Uuid>,
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
fn dates(asked: &Asked<'_>, room: &RoomRow, now: DateTime<Utc>) -> Result<Vec<Times>, ApiError> {
    let wanted = match (asked.series, asked.starts_at, asked.ends_at) {
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
    let field = if asked.series.is_some() {
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
    check_dates(room, &wanted, now, field)?;
    Ok(wanted)
}

/// Each date against the room's rules (duration, grid, notice), as of `now`; a refusal names
/// `field`.
pub(crate) fn check_dates(
    room: &RoomRow,
    wanted: &[Times],
    now: DateTime<Utc>,
    field: &str,
) -> Result<(), ApiError> {
    let rules = room.rules();
    for &(starts_at, ends_at) in wanted {
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
    Ok(())
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
    let others_welcome = || {
        if bookable_by == BookableBy::Staff {
            Err(ApiError::Forbidden(
                "This room is booked by the operator's staff only.".into(),
            ))
        } else {
            Ok(())
        }
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
            others_welcome()?;
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
        BookerKind::Activity => {
            let Some(activity_id) = body.activity_id else {
                return Err(ApiError::validation(
                    "activity_id",
                    "is needed for booker activity",
                ));
            };
            let view = quartier_persistence::activities::find(conn, activity_id)
                .await?
                .ok_or_else(|| ApiError::validation("activity_id", "is not an activity"))?;
            require_centre_staff(conn, user, view.activity.centre_id, StaffRole::Coordinator)
                .await?;
            if !ActivityStatus::stored_uses_rooms(&view.activity.status) {
                return Err(super::activity::inactive());
            }
            // The operator's own activity, booked by staff of the room's centre, books as the
            // operator does; otherwise it asks as a partner would.
            if view.operator_id == room.operator_id
                && require_centre_staff(conn, user, room.centre_id, StaffRole::Coordinator)
                    .await
                    .is_ok()
            {
                return Ok(BookingStatus::Confirmed);
            }
            others_welcome()?;
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
        BookerKind::Guest => Err(ApiError::validation(
            "booker",
            "guest is for residents without an account, at POST /rooms/{id}/guest-bookings",
        )),
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

/// What a booking asks for, as the booking routes take it.
pub(crate) struct Asked<'a> {
    pub purpose: &'a str,
    pub expected_people: i32,
    pub layout: LayoutBody,
    pub public_title: Option<&'a str>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub series: Option<&'a SeriesRequest>,
    pub on_conflict: Option<ConflictPolicyBody>,
}

/// A booking checked against its room, ready to store: what a guest's request keeps until
/// she confirms it.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Checked {
    pub purpose: String,
    pub expected_people: i32,
    pub layout: LayoutBody,
    pub public_title: Option<String>,
    pub recurrence: Option<String>,
    pub dates: Vec<Times>,
    pub on_conflict: ConflictPolicyBody,
}

/// The texts of a booking, checked.
pub(crate) struct Texts {
    purpose: String,
    public_title: Option<String>,
}

impl Asked<'_> {
    /// The fields that need no room: purpose, title, people. `None` when `errors` has some.
    pub(crate) fn check_fields(&self, errors: &mut ValidationErrors) -> Option<Texts> {
        let purpose = errors.collect(bounded_text(self.purpose, "purpose", 1000));
        let public_title = self
            .public_title
            .map(|title| errors.collect(bounded_text(title, "public_title", 200)));
        if !(1..=10_000).contains(&self.expected_people) {
            errors.push("expected_people", "must be from 1 to 10000");
        }
        Some(Texts {
            purpose: purpose?,
            public_title: match public_title {
                Some(checked) => Some(checked?),
                None => None,
            },
        })
    }

    /// Checks the booking against `room` (its layouts and rules, as of `now`).
    pub(crate) fn against(
        &self,
        texts: Texts,
        room: &RoomRow,
        now: DateTime<Utc>,
    ) -> Result<Checked, ApiError> {
        fits(room, self.layout, self.expected_people)?;
        Ok(Checked {
            purpose: texts.purpose,
            expected_people: self.expected_people,
            layout: self.layout,
            public_title: texts.public_title,
            recurrence: self.series.map(|s| s.rrule.clone()),
            dates: dates(self, room, now)?,
            on_conflict: self.on_conflict.unwrap_or(ConflictPolicyBody::Fail),
        })
    }
}

/// Whether `room` offers `layout` for `people`.
pub(crate) fn fits(room: &RoomRow, layout: LayoutBody, people: i32) -> Result<(), ApiError> {
    match room.rules().capacity(layout.into()) {
        None => Err(ApiError::validation(
            "layout",
            "is not offered in this room",
        )),
        Some(capacity) if people > capacity => Err(ApiError::validation(
            "expected_people",
            &format!("must be at most {capacity}, what the room holds in this layout"),
        )),
        Some(_) => Ok(()),
    }
}

/// For whom a checked booking is stored, and how its dates start.
pub(crate) struct Booker {
    pub kind: BookerKind,
    pub partner_id: Option<Uuid>,
    pub activity_id: Option<Uuid>,
    /// The person who asked.
    pub person: Uuid,
    pub status: BookingStatus,
}

/// Stores a checked booking of `room`: its dates, those skipped, or why nothing was booked.
pub(crate) async fn store(
    conn: &mut AsyncPgConnection,
    room: &RoomRow,
    checked: &Checked,
    booker: &Booker,
    now: DateTime<Utc>,
) -> Result<BookingResponse, ApiError> {
    let new = NewBooking {
        room_id: room.id,
        booker: booker.kind,
        partner_id: booker.partner_id,
        activity_id: booker.activity_id,
        requested_by: booker.person,
        purpose: &checked.purpose,
        expected_people: checked.expected_people,
        layout: checked.layout.into(),
        public_title: checked.public_title.as_deref(),
        recurrence: checked.recurrence.as_deref(),
        dates: &checked.dates,
        status: booker.status,
        on_conflict: checked.on_conflict.into(),
    };
    match rooms::book(conn, room, Uuid::now_v7(), &new, now).await? {
        Booked::Made {
            booking_id,
            dates,
            skipped,
        } => Ok(BookingResponse {
            id: booking_id,
            room_id: room.id,
            booker: booker.kind.into(),
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
        Booked::ActivityEnded => Err(super::activity::inactive()),
    }
}

/// Book a room, once or as a series. The room's operator (by its staff), and an activity of
/// the operator (by staff who coordinate it), are confirmed at once; partners' staff, other
/// operators' activities and residents book where the room lets them and are confirmed at
/// once only where the room needs no approval (residents always ask; residents without an
/// account use `POST /rooms/{id}/guest-bookings`). A cancelled activity's dates to come are
/// cancelled with it. Taken dates fail the whole
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
        (status = 409, description = "A date is taken (`room-taken`, naming the dates), the booker would hold more dates to come than the room allows (`booking-limit`), or the activity booked for is cancelled or archived (`conflict`)", body = Problem, content_type = "application/problem+json"),
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
    let asked = Asked {
        purpose: &body.purpose,
        expected_people: body.expected_people,
        layout: body.layout,
        public_title: body.public_title.as_deref(),
        starts_at: body.starts_at,
        ends_at: body.ends_at,
        series: body.series.as_ref(),
        on_conflict: body.on_conflict,
    };
    let mut errors = ValidationErrors::default();
    let texts = asked.check_fields(&mut errors);
    if body.partner_id.is_some() && body.booker != BookerKindBody::Partner {
        errors.push("partner_id", "is for booker partner only");
    }
    if body.activity_id.is_some() && body.booker != BookerKindBody::Activity {
        errors.push("activity_id", "is for booker activity only");
    }
    errors.into_result().map_err(ApiError::Validation)?;
    let texts = texts.ok_or_else(|| ApiError::Internal("booking fields not checked".into()))?;
    let now = Utc::now();
    let room = existing(conn, room_id).await?;
    let status = status_for(conn, user, &room, body).await?;
    let checked = asked.against(texts, &room, now)?;
    let booker = Booker {
        kind: body.booker.into(),
        partner_id: body.partner_id,
        activity_id: body.activity_id,
        person: user.id,
        status,
    };
    store(conn, &room, &checked, &booker, now).await
}
