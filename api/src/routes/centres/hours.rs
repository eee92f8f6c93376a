//! A centre's opening hours: `/centres/{id}/opening-hours`.

use actix_web::http::header;
use actix_web::{HttpResponse, get, put, web};
use chrono::{NaiveDate, NaiveTime};
use quartier_domain::opening_hours::{OpeningHours, RawRange};
use quartier_domain::{StaffRole, ValidationErrors};
use quartier_persistence::centres;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::authz::require_staff;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, etag};
use crate::state::AppState;

/// The time zone opening hours are meant in.
pub const TIME_ZONE: &str = "Europe/Berlin";

/// One time range of one weekday, in local time.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningRangeBody {
    /// ISO weekday: 1 Monday … 7 Sunday.
    #[schema(minimum = 1, maximum = 7, example = 2)]
    pub weekday: u8,
    /// `HH:MM`, local time.
    #[schema(
        example = "09:30",
        pattern = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
    )]
    pub opens: String,
    /// `HH:MM`, local time, after `opens`; `24:00` for the end of the day.
    #[schema(
        example = "17:00",
        pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?|24:00)$"
    )]
    pub closes: String,
}

/// A day the centre stays closed whatever its weekly hours say.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosureBody {
    pub date: NaiveDate,
    #[schema(example = "Heiligabend", max_length = 200)]
    pub note: Option<String>,
}

/// When a centre is open: weekly ranges in local time and dated closures.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningHoursBody {
    #[schema(max_items = 42)]
    pub weekly: Vec<OpeningRangeBody>,
    #[serde(default)]
    #[schema(max_items = 400)]
    pub closures: Vec<ClosureBody>,
}

/// The opening hours as stored, with the time zone they are meant in.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpeningHoursResponse {
    #[schema(example = "Europe/Berlin")]
    pub time_zone: String,
    pub weekly: Vec<OpeningRangeBody>,
    pub closures: Vec<ClosureBody>,
}

fn response(hours: centres::Hours) -> OpeningHoursResponse {
    // `24:00` is stored as the day's last second.
    let time = |t: NaiveTime| {
        if t == NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default() {
            "24:00".to_owned()
        } else {
            t.format("%H:%M").to_string()
        }
    };
    OpeningHoursResponse {
        time_zone: TIME_ZONE.into(),
        weekly: hours
            .0
            .into_iter()
            .map(|(weekday, opens, closes)| OpeningRangeBody {
                weekday: u8::try_from(weekday).unwrap_or_default(),
                opens: time(opens),
                closes: time(closes),
            })
            .collect(),
        closures: hours
            .1
            .into_iter()
            .map(|(date, note)| ClosureBody {
                date,
                note: (!note.is_empty()).then_some(note),
            })
            .collect(),
    }
}

/// A centre's opening hours. Public.
#[utoipa::path(
    tag = "centres",
    params(("id" = Uuid, Path, description = "The centre's id")),
    responses(
        (status = 200, description = "The opening hours", body = OpeningHoursResponse),
        (status = 404, description = "No centre has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/centres/{id}/opening-hours")]
pub async fn get_opening_hours(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    if centres::find(&mut conn, *id).await?.is_none() {
        return Err(ApiError::NotFound("No centre has this id.".into()));
    }
    let hours = centres::opening_hours(&mut conn, *id).await?;
    Ok(HttpResponse::Ok().json(response(hours)))
}

/// Replace a centre's opening hours and closures. Administrators, or operator admins of its
/// operator; needs `If-Match` with the centre's `ETag` (the centre's version goes up). A
/// closure to come takes every room of the centre for the day: requests for that day are
/// declined, and a room booked or used by an activity that day refuses the change (409).
#[utoipa::path(
    tag = "centres",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The centre's id"),
        ("If-Match" = String, Header, description = "The centre's ETag, or `*`"),
    ),
    request_body = OpeningHoursBody,
    responses(
        (status = 200, description = "The new opening hours", body = OpeningHoursResponse, headers(("ETag" = String, description = "The centre's new version"))),
        (status = 403, description = "Not an administrator or operator admin of the centre's operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No centre has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A room of the centre is booked or used by an activity on a closure day (`room-taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The centre changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A range that ends before it starts or overlaps another, or a date twice (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/centres/{id}/opening-hours")]
pub async fn replace_opening_hours(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    Json(body): Json<OpeningHoursBody>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let hours = parse_hours(&body)?;
    let mut conn = state.conn().await?;
    let centre = centres::find(&mut conn, *id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No centre has this id.".into()))?;
    require_staff(
        &mut conn,
        user,
        centre.centre.operator_id,
        StaffRole::OperatorAdmin,
    )
    .await?;
    let versions = if_match.versions()?;
    let stored = to_stored(&hours);
    let row = match centres::replace_opening_hours(&mut conn, *id, versions, &stored, Some(user.id))
        .await
    {
        Err(error) if error.is_constraint(quartier_persistence::rooms::NO_OVERLAP) => {
            return Err(ApiError::Conflict {
                slug: "room-taken",
                detail: "A room of the centre is booked or used by an activity on a closure \
                         day; cancel or move that first."
                    .into(),
            });
        }
        replaced => replaced?.map_err(|refusal| ApiError::refused(refusal, "centre"))?,
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.version)))
        .json(response(stored)))
}

/// The opening hours `body` gives, checked: ranges in order and apart, each date once.
fn parse_hours(body: &OpeningHoursBody) -> Result<OpeningHours, ValidationErrors> {
    let weekly: Vec<RawRange<'_>> = body
        .weekly
        .iter()
        .map(|r| RawRange {
            weekday: r.weekday,
            opens: &r.opens,
            closes: &r.closes,
        })
        .collect();
    let closures: Vec<(NaiveDate, Option<&str>)> = body
        .closures
        .iter()
        .map(|c| (c.date, c.note.as_deref()))
        .collect();
    OpeningHours::parse(&weekly, &closures)
}

/// The opening hours as the database stores them.
fn to_stored(hours: &OpeningHours) -> centres::Hours {
    (
        hours
            .weekly
            .iter()
            .map(|r| (i16::from(r.weekday), r.opens, r.closes))
            .collect(),
        hours
            .closures
            .iter()
            .map(|c| (c.date, c.note.clone()))
            .collect(),
    )
}
