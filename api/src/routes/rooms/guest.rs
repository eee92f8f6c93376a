//! Rooms for residents without an account: `POST /rooms/{id}/guest-bookings` (name, address
//! and the booking) and `POST /guest-room-bookings/confirm` (the mailed link). The request
//! exists only once confirmed; then it is the guest's, as if she had asked signed in, and
//! the centre's decisions reach her by mail. With her guest link she sees her dates
//! (`GET /guest/room-bookings`) and cancels them while the room's notice allows.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use quartier_domain::ValidationErrors;
use quartier_domain::room::{BookableBy, BookerKind, BookingStatus, Times};
use quartier_domain::signup::LOCAL_ZONE;
use quartier_persistence::audit::Actor;
use quartier_persistence::rooms::{self, RoomRow, drafts};
use quartier_persistence::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::book::{
    Asked, Booker, BookingResponse, Checked, SeriesRequest, SkippedDate, check_dates, fits, store,
};
use super::decide::{DecisionResponse, RoomRequestResponse, apply, within_notice};
use super::{ConflictPolicyBody, LayoutBody, existing};
use crate::auth::Guest;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::account::LanguageBody;
use crate::routes::auth::email::{LinkTokenRequest, link_invalid};
use crate::routes::guests::signup::{checked_guest, guest_attempt};
use crate::state::AppState;
use crate::tokens::LinkTokens;

/// A room booking asked for with the guest form and not yet confirmed (in her export).
#[derive(Debug, Serialize, ToSchema)]
pub struct RoomBookingDraftRecord {
    pub id: Uuid,
    pub room_id: Uuid,
    /// The name given with it.
    pub name: String,
    pub purpose: String,
    /// How many dates it asks for.
    pub dates: i64,
    pub created_at: DateTime<Utc>,
    /// When its link stops working and it is dropped.
    pub expires_at: DateTime<Utc>,
}

impl From<drafts::DraftRecord> for RoomBookingDraftRecord {
    fn from(d: drafts::DraftRecord) -> Self {
        Self {
            id: d.id,
            room_id: d.room_id,
            name: d.name,
            purpose: d.purpose,
            dates: d.dates,
            created_at: d.created_at,
            expires_at: d.expires_at,
        }
    }
}

/// A room booking asked for without an account: who asks, and the booking (once, with
/// `starts_at` and `ends_at`, or a `series`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuestRoomBookingRequest {
    /// How staff and the mail address you: 1 to 100 characters.
    #[schema(
        example = "Anna",
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]*[^\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\s\u00ad\u034f\u0300-\u036f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u1ab0-\u1aff\u1dc0-\u1dff\u200b-\u200f\u2060-\u206f\u20d0-\u20ff\u2800\u3164\ufe00-\ufe0f\ufe20-\ufe2f\uffa0][^\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]*$"
    )]
    pub name: String,
    /// Where the confirmation and the centre's decisions go.
    #[schema(example = "anna@example.org", format = Email, max_length = 254)]
    pub email: String,
    /// The version of the privacy policy you agree to: the current one
    /// (`GET /me/privacy-policy` names it).
    #[schema(example = "2026-11", min_length = 1, max_length = 64)]
    pub privacy_policy_version: String,
    /// The language of the mail; when left out, German or English as `Accept-Language`
    /// prefers, else German.
    #[serde(default)]
    pub language: Option<LanguageBody>,
    /// What the room is for; seen by staff.
    pub purpose: String,
    pub expected_people: i32,
    pub layout: LayoutBody,
    /// A title you agree to show publicly; without it the booking shows as busy only.
    pub public_title: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub series: Option<SeriesRequest>,
    /// Default `fail`: applied when you confirm.
    pub on_conflict: Option<ConflictPolicyBody>,
}

debug_without_secrets!(GuestRoomBookingRequest {
    language,
    expected_people,
    layout,
    starts_at,
    ends_at
});

/// Refuses a room that residents cannot ask for.
fn welcomes_residents(room: &RoomRow) -> Result<(), ApiError> {
    if BookableBy::parse(&room.bookable_by) != Some(BookableBy::Residents) {
        return Err(ApiError::Forbidden(
            "This room is not booked by residents.".into(),
        ));
    }
    Ok(())
}

/// Ask for a room as a guest, without an account.
///
/// The booking is checked against the room at once (its layouts, durations, grid and
/// notice); a mail with a link to confirm it goes to the address. Only then does the request
/// reach the centre, as if you had asked signed in: every date is `requested` until staff
/// decide, and their decisions reach the address. The link works for 24 hours. An account
/// whose verified address it is gets the booking. The answer is the same whether or not the
/// address is known. Limited per client and per address.
#[utoipa::path(
    tag = "guests",
    params(("id" = Uuid, Path, description = "The room's id")),
    request_body = GuestRoomBookingRequest,
    responses(
        (status = 202, description = "A confirmation is on its way to the address"),
        (status = 400, description = "The body is not JSON, or the id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The room is not booked by residents (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No room has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, dates off the room's rules, more people than the layout holds, or not the current privacy policy (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this client or for this address (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/rooms/{id}/guest-bookings")]
pub async fn create_guest_room_booking(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<Uuid>,
    Json(body): Json<GuestRoomBookingRequest>,
) -> Result<HttpResponse, ApiError> {
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
    let guest = checked_guest(
        &state,
        &mut errors,
        &body.name,
        &body.email,
        &body.privacy_policy_version,
    );
    let texts = asked.check_fields(&mut errors);
    errors.into_result()?;
    let (Some((name, email)), Some(texts)) = (guest, texts) else {
        return Err(ApiError::Internal("checked fields missing".into()));
    };
    guest_attempt(&state, &request, "guest-room-booking", &email).await?;
    let mut conn = state.conn().await?;
    let room = existing(&mut conn, *id).await?;
    welcomes_residents(&room)?;
    let checked = asked.against(texts, &room, Utc::now())?;
    let draft_id = Uuid::now_v7();
    let hash = LinkTokens::hash(&state.links.token(draft_id));
    let language = crate::languages::mail_language(&request, body.language).tag();
    let draft = serde_json::to_value(&checked)
        .map_err(|e| ApiError::Internal(format!("a room booking draft as JSON: {e}")))?;
    drafts::ask(
        &mut conn,
        &quartier_persistence::guests::NewGuest {
            name: name.as_str(),
            email: email.as_str(),
            privacy_policy_version: &state.privacy_policy.version,
            language,
        },
        room.id,
        draft_id,
        &hash,
        &draft,
        Utc::now(),
    )
    .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Confirm a room booking asked for as a guest, with the token of the mailed link.
///
/// The booking is made now, as the guest's (booker `guest`), or the account's whose verified
/// address it is (booker `account`); its dates are `requested` until staff decide. The dates
/// are checked against the room again: one that has come too close meanwhile is skipped with
/// `on_conflict: skip` (and listed in `skipped`), else refused. Works once, within 24 hours;
/// should it be refused, the link keeps working until it expires.
#[utoipa::path(
    tag = "guests",
    request_body = LinkTokenRequest,
    responses(
        (status = 201, description = "The booking was asked for, with its dates and those skipped", body = BookingResponse),
        (status = 400, description = "The body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The room is no longer booked by residents (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A date is taken (`room-taken`, naming the dates), or you would hold more dates to come than the room allows (`booking-limit`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The link is unknown, used or expired (`link-invalid`), the token is not shaped like one, or a date no longer fits the room's rules (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/guest-room-bookings/confirm")]
pub async fn confirm_guest_room_booking(
    state: web::Data<AppState>,
    Json(body): Json<LinkTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash()?;
    let mut conn = state.conn().await?;
    let booked = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let now = Utc::now();
            let taken = drafts::take(conn, &hash, now)
                .await?
                .ok_or_else(link_invalid)?;
            let mut checked: Checked = serde_json::from_value(taken.draft).map_err(|e| {
                ApiError::Internal(format!("a room booking draft that does not read: {e}"))
            })?;
            let room = rooms::find(conn, taken.room_id)
                .await?
                .ok_or_else(link_invalid)?;
            welcomes_residents(&room)?;
            fits(&room, checked.layout, checked.expected_people)?;
            // A date may have come too close while the link waited (or the room's rules
            // changed): a series that skips taken dates skips it too, else it is refused.
            let rules = room.rules();
            let (fit, off): (Vec<Times>, Vec<Times>) =
                checked.dates.iter().partition(|&&(starts_at, ends_at)| {
                    rules.check(starts_at, ends_at, now, LOCAL_ZONE).is_ok()
                });
            let field = if checked.recurrence.is_some() {
                "series"
            } else {
                "starts_at"
            };
            if !off.is_empty()
                && (checked.on_conflict == ConflictPolicyBody::Fail || fit.is_empty())
            {
                check_dates(&room, &off, now, field)?;
            }
            checked.dates = fit;
            let booker = Booker {
                kind: if taken.guest {
                    BookerKind::Guest
                } else {
                    BookerKind::Account
                },
                partner_id: None,
                activity_id: None,
                person: taken.user_id,
                status: BookingStatus::Requested,
            };
            let mut booked = store(conn, &room, &checked, &booker, now).await?;
            booked.skipped.extend(
                off.into_iter()
                    .map(|(starts_at, ends_at)| SkippedDate { starts_at, ends_at }),
            );
            booked.skipped.sort_by_key(|skipped| skipped.starts_at);
            Ok(booked)
        })
        .await?;
    Ok(HttpResponse::Created().json(booked))
}

/// A guest's room dates, and the bookings waiting for her confirmation.
#[derive(Debug, Serialize, ToSchema)]
pub struct GuestRoomBookings {
    /// Every date she asked for, latest start first (at most 1 000).
    pub dates: Vec<RoomRequestResponse>,
    /// Bookings waiting for her confirmation, newest first.
    pub waiting: Vec<RoomBookingDraftRecord>,
}

/// The most dates a guest's list and export show.
const MOST: i64 = 1000;

/// A guest's room dates and waiting bookings, as her list and her export show them.
pub(crate) async fn of_guest(
    conn: &mut AsyncPgConnection,
    guest: Uuid,
) -> Result<GuestRoomBookings, ApiError> {
    Ok(GuestRoomBookings {
        dates: rooms::dates_of(conn, guest, MOST)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
        waiting: drafts::of_user(conn, guest)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    })
}

/// Your room dates as a guest, with where each stands, and the bookings waiting for your
/// confirmation.
#[utoipa::path(
    tag = "guests",
    security(("guest_token" = [])),
    responses(
        (status = 200, description = "Your room dates", body = GuestRoomBookings),
        (status = 401, description = "No guest token, or one unknown, replaced or expired (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/guest/room-bookings")]
pub async fn guest_room_bookings(
    state: web::Data<AppState>,
    guest: Guest,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    Ok(HttpResponse::Ok().json(of_guest(&mut conn, guest.id).await?))
}

/// Cancel one of your room dates as a guest, while the room's notice allows (later, ask the
/// centre). The room is free again.
#[utoipa::path(
    tag = "guests",
    security(("guest_token" = [])),
    params(("id" = Uuid, Path, description = "The booked date's id")),
    responses(
        (status = 200, description = "The cancelled date", body = DecisionResponse),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No guest token, or one unknown, replaced or expired (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "None of your room dates has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The date is declined or cancelled already, or too close to cancel (`booking-decided`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/guest/room-booking-dates/{id}/cancel")]
pub async fn cancel_guest_room_date(
    state: web::Data<AppState>,
    guest: Guest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::NotFound("None of your room dates has this id.".into());
    let mut conn = state.conn().await?;
    let date = rooms::date(&mut conn, *id).await?.ok_or_else(not_found)?;
    if rooms::booked_by(&mut conn, date.id).await? != Some(guest.id) {
        return Err(not_found());
    }
    let room = existing(&mut conn, date.room_id).await?;
    let now = Utc::now();
    within_notice(&room, &date, now)?;
    apply(
        &mut conn,
        Actor::User(guest.id),
        &room,
        &date,
        BookingStatus::Cancelled,
        None,
        now,
    )
    .await
}
