//! Standing sign-ups ("every Tuesday at 15:00") and blockouts: `/activities/{id}/standing-signups`,
//! `/standing-signups/{id}`, `/me/standing-signups`, `/me/blockouts`. Which dates a commitment
//! covers is `quartier_domain::standing`; signing up for them is the normal sign-up, by the
//! worker in `crate::standing` and right away when one is made.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use quartier_domain::integration::Scope;
use quartier_domain::standing::{
    ANSWER_HOURS, Blockout, Commitment, DateOutcome, MOST_ANSWER_HOURS, Pattern, StandingMode,
    StandingStatus, WeekOfMonth,
};
use quartier_domain::{StaffRole, ValidationErrors};
use quartier_persistence::places::holds;
use quartier_persistence::standing::{self, BlockoutRow, ChangeRefusal, DateRow, StandingRow};
use quartier_persistence::{AsyncPgConnection, activities, trust};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{AuthUser, Caller};
use crate::authz::require_centre;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, etag};
use crate::state::AppState;

/// Which dates of the weekday: every week, every second week (from `anchor_date`), or one
/// week of each month (`week_of_month`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StandingPatternBody {
    Weekly,
    Biweekly,
    Monthly,
}

/// Which of a month's weekdays.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WeekOfMonthBody {
    First,
    Second,
    Third,
    Fourth,
    Fifth,
    Last,
}

impl From<WeekOfMonthBody> for WeekOfMonth {
    fn from(body: WeekOfMonthBody) -> Self {
        match body {
            WeekOfMonthBody::First => WeekOfMonth::Nth(1),
            WeekOfMonthBody::Second => WeekOfMonth::Nth(2),
            WeekOfMonthBody::Third => WeekOfMonth::Nth(3),
            WeekOfMonthBody::Fourth => WeekOfMonth::Nth(4),
            WeekOfMonthBody::Fifth => WeekOfMonth::Nth(5),
            WeekOfMonthBody::Last => WeekOfMonth::Last,
        }
    }
}

impl From<WeekOfMonth> for WeekOfMonthBody {
    fn from(week: WeekOfMonth) -> Self {
        match week {
            WeekOfMonth::Nth(1) => WeekOfMonthBody::First,
            WeekOfMonth::Nth(2) => WeekOfMonthBody::Second,
            WeekOfMonth::Nth(3) => WeekOfMonthBody::Third,
            WeekOfMonth::Nth(4) => WeekOfMonthBody::Fourth,
            WeekOfMonth::Nth(_) => WeekOfMonthBody::Fifth,
            WeekOfMonth::Last => WeekOfMonthBody::Last,
        }
    }
}

/// Whether a standing sign-up is kept: `active` signs up for its dates as they come,
/// `paused` signs up for none until it is active again, `ended` is final.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StandingStatusBody {
    Active,
    Paused,
    Ended,
}

impl From<StandingStatus> for StandingStatusBody {
    fn from(status: StandingStatus) -> Self {
        match status {
            StandingStatus::Active => StandingStatusBody::Active,
            StandingStatus::Paused => StandingStatusBody::Paused,
            StandingStatus::Ended => StandingStatusBody::Ended,
        }
    }
}

impl From<StandingStatusBody> for StandingStatus {
    fn from(body: StandingStatusBody) -> Self {
        match body {
            StandingStatusBody::Active => StandingStatus::Active,
            StandingStatusBody::Paused => StandingStatus::Paused,
            StandingStatusBody::Ended => StandingStatus::Ended,
        }
    }
}

/// How a standing sign-up takes its dates: `auto` signs her up for each at once; `ask`
/// offers each (a place held for her, or with none free a place on the waitlist) until she
/// accepts or declines it, or until its answer is due, when the place goes to whoever waits.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum StandingModeBody {
    #[default]
    Auto,
    Ask,
}

impl From<StandingMode> for StandingModeBody {
    fn from(mode: StandingMode) -> Self {
        match mode {
            StandingMode::Auto => Self::Auto,
            StandingMode::Ask => Self::Ask,
        }
    }
}

impl From<StandingModeBody> for StandingMode {
    fn from(body: StandingModeBody) -> Self {
        match body {
            StandingModeBody::Auto => Self::Auto,
            StandingModeBody::Ask => Self::Ask,
        }
    }
}

/// What came of a standing sign-up for one shift: `confirmed` or `waitlisted` (a sign-up was
/// made), `offered` (waiting for her answer), `declined`, `expired` (not answered in time, or
/// withdrawn with its shift or the standing sign-up), `blocked_out` (a blockout of hers
/// covers the date), `signed_up_already`, `overlapping` (a confirmed shift of hers at the
/// time), `qualification_missing`, `workload_limit`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StandingDateOutcomeBody {
    Confirmed,
    Waitlisted,
    Offered,
    Declined,
    Expired,
    BlockedOut,
    SignedUpAlready,
    Overlapping,
    QualificationMissing,
    WorkloadLimit,
}

impl From<DateOutcome> for StandingDateOutcomeBody {
    fn from(outcome: DateOutcome) -> Self {
        match outcome {
            DateOutcome::Confirmed => Self::Confirmed,
            DateOutcome::Waitlisted => Self::Waitlisted,
            DateOutcome::Offered => Self::Offered,
            DateOutcome::Declined => Self::Declined,
            DateOutcome::Expired => Self::Expired,
            DateOutcome::BlockedOut => Self::BlockedOut,
            DateOutcome::SignedUpAlready => Self::SignedUpAlready,
            DateOutcome::Overlapping => Self::Overlapping,
            DateOutcome::QualificationMissing => Self::QualificationMissing,
            DateOutcome::WorkloadLimit => Self::WorkloadLimit,
        }
    }
}

/// A standing sign-up to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StandingSignupRequest {
    pub pattern: StandingPatternBody,
    /// ISO weekday: 1 Monday … 7 Sunday.
    #[schema(minimum = 1, maximum = 7, example = 2)]
    pub weekday: u8,
    /// The slot: shifts of the activity that start at this local time (Europe/Berlin), `HH:MM`.
    #[schema(example = "15:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub slot_start: String,
    /// Only shifts with this title, where the activity has several at the same time.
    #[schema(example = "Kaffee kochen", min_length = 1, max_length = 200)]
    pub shift_title: Option<String>,
    /// For `biweekly`: a date of `weekday` the weeks are counted from.
    pub anchor_date: Option<NaiveDate>,
    /// For `monthly`: which of the month's weekdays.
    pub week_of_month: Option<WeekOfMonthBody>,
    /// The first date it covers (default today); not in the past, within three years.
    pub valid_from: Option<NaiveDate>,
    /// The last date it covers (default: none).
    pub valid_until: Option<NaiveDate>,
    /// Staff and API keys: the volunteer it is for, one known to the operator (who helps it,
    /// works for it or signed up for one of its shifts). Volunteers leave it out.
    pub user_id: Option<Uuid>,
    /// `auto` (default) or `ask`.
    #[serde(default)]
    pub mode: StandingModeBody,
    /// For `ask`: hours before a shift its offer is to be answered (default 72). Where that
    /// has passed when the offer is made, it is due halfway from then to the shift.
    #[schema(minimum = 1, maximum = 336, example = 72)]
    pub answer_hours: Option<i32>,
}

impl StandingSignupRequest {
    fn commitment(&self, today: NaiveDate) -> Result<Commitment, ApiError> {
        let mut errors = ValidationErrors::default();
        let weekday = u8::try_from(i32::from(self.weekday) - 1)
            .ok()
            .and_then(|n| chrono::Weekday::try_from(n).ok());
        if weekday.is_none() {
            errors.push("weekday", "must be from 1 (Monday) to 7 (Sunday)");
        }
        let slot_start = NaiveTime::parse_from_str(&self.slot_start, "%H:%M").ok();
        if slot_start.is_none() {
            errors.push("slot_start", "must be a local time HH:MM");
        }
        if let Some(title) = &self.shift_title
            && (title.trim().is_empty() || title.chars().count() > 200)
        {
            errors.push("shift_title", "must be 1 to 200 characters");
        }
        let pattern = match self.pattern {
            StandingPatternBody::Weekly => Some(Pattern::Weekly),
            StandingPatternBody::Biweekly => match self.anchor_date {
                Some(anchor) => Some(Pattern::Biweekly { anchor }),
                None => {
                    errors.push("anchor_date", "is needed for a biweekly pattern");
                    None
                }
            },
            StandingPatternBody::Monthly => match self.week_of_month {
                Some(week) => Some(Pattern::Monthly { week: week.into() }),
                None => {
                    errors.push("week_of_month", "is needed for a monthly pattern");
                    None
                }
            },
        };
        if self.anchor_date.is_some() && self.pattern != StandingPatternBody::Biweekly {
            errors.push("anchor_date", "is for a biweekly pattern only");
        }
        if self.week_of_month.is_some() && self.pattern != StandingPatternBody::Monthly {
            errors.push("week_of_month", "is for a monthly pattern only");
        }
        let (Some(weekday), Some(slot_start), Some(pattern)) = (weekday, slot_start, pattern)
        else {
            return Err(errors.into_result().err().unwrap_or_default().into());
        };
        let commitment = Commitment {
            weekday,
            pattern,
            slot_start,
            valid_from: self.valid_from.unwrap_or(today),
            valid_until: self.valid_until,
        };
        commitment.check(today, &mut errors);
        if self
            .answer_hours
            .is_some_and(|h| !(1..=MOST_ANSWER_HOURS).contains(&h))
        {
            errors.push(
                "answer_hours",
                format!("must be from 1 to {MOST_ANSWER_HOURS}"),
            );
        }
        if self.answer_hours.is_some() && self.mode != StandingModeBody::Ask {
            errors.push("answer_hours", "is for the mode ask only");
        }
        errors.into_result()?;
        Ok(commitment)
    }
}

/// One date of a standing sign-up and what came of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StandingDate {
    pub shift_id: Uuid,
    pub starts_at: DateTime<Utc>,
    /// The sign-up made for it; null where none was made.
    pub signup_id: Option<Uuid>,
    /// What came of it when it was decided.
    pub outcome: StandingDateOutcomeBody,
    /// Where the sign-up made for it stands now (promoted from the waitlist, cancelled for
    /// this date, attended …); null where none was made.
    pub signup_status: Option<crate::routes::signups::SignupStatusBody>,
    /// For an offer: when it was, or is, to be answered (`POST
    /// /standing-signups/{id}/dates/{shift_id}/answer`), and when it was.
    pub answer_by: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
}

impl From<DateRow> for StandingDate {
    fn from(row: DateRow) -> Self {
        Self {
            shift_id: row.shift_id,
            starts_at: row.starts_at,
            signup_id: row.signup_id,
            outcome: DateOutcome::parse(&row.outcome)
                .unwrap_or(DateOutcome::SignedUpAlready)
                .into(),
            signup_status: row.signup_status.map(|status| status.0.into()),
            answer_by: row.answer_by,
            answered_at: row.answered_at,
        }
    }
}

/// A standing sign-up.
#[derive(Debug, Serialize, ToSchema)]
pub struct StandingSignupResponse {
    pub id: Uuid,
    pub user_id: Uuid,
    pub activity_id: Uuid,
    pub operator_id: Uuid,
    pub pattern: StandingPatternBody,
    /// ISO weekday: 1 Monday … 7 Sunday.
    pub weekday: u8,
    #[schema(example = "15:00")]
    pub slot_start: String,
    pub shift_title: Option<String>,
    pub anchor_date: Option<NaiveDate>,
    pub week_of_month: Option<WeekOfMonthBody>,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub status: StandingStatusBody,
    pub mode: StandingModeBody,
    /// For `ask`: hours before a shift its offer is to be answered.
    pub answer_hours: Option<i32>,
    /// Made by staff (or an API key) for the volunteer.
    pub made_by_staff: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Sent as `ETag`, expected back in `If-Match`.
    pub version: i32,
    /// The dates decided so far, soonest first (in the answer for one standing sign-up; left
    /// out of lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dates: Option<Vec<StandingDate>>,
}

impl StandingSignupResponse {
    fn of(row: StandingRow, dates: Option<Vec<DateRow>>) -> Self {
        let (pattern, week_of_month) = match row.pattern() {
            Pattern::Weekly => (StandingPatternBody::Weekly, None),
            Pattern::Biweekly { .. } => (StandingPatternBody::Biweekly, None),
            Pattern::Monthly { week } => (StandingPatternBody::Monthly, Some(week.into())),
        };
        Self {
            id: row.id,
            user_id: row.user_id,
            activity_id: row.activity_id,
            operator_id: row.operator_id,
            pattern,
            weekday: row.weekday().number_from_monday() as u8,
            slot_start: row.slot_start.format("%H:%M").to_string(),
            shift_title: row.slot_title.clone(),
            anchor_date: row.anchor_date,
            week_of_month,
            valid_from: row.valid_from,
            valid_until: row.valid_until,
            status: row.status().into(),
            mode: row.mode().into(),
            answer_hours: (row.mode() == StandingMode::Ask).then_some(row.answer_hours),
            made_by_staff: row.created_by.is_none_or(|by| by != row.user_id),
            created_at: row.created_at,
            updated_at: row.updated_at,
            ended_at: row.ended_at,
            version: row.version,
            dates: dates.map(|d| d.into_iter().map(StandingDate::from).collect()),
        }
    }
}

impl From<StandingRow> for StandingSignupResponse {
    fn from(row: StandingRow) -> Self {
        Self::of(row, None)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StandingSignupList {
    pub items: Vec<StandingSignupResponse>,
}

/// What ending a standing sign-up did.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndedStandingSignup {
    pub standing_signup: StandingSignupResponse,
    /// Its sign-ups for dates still ahead, now cancelled.
    pub cancelled_signups: usize,
}

fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive()
}

fn not_found() -> ApiError {
    ApiError::NotFound("No standing sign-up has this id.".into())
}

/// The activity, as `caller` may see it: its centre and operator. 404 otherwise.
async fn activity_of(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(Uuid, Uuid), ApiError> {
    let viewer = crate::routes::activities::viewer(conn, Some(caller)).await?;
    let activity = activities::find(conn, id)
        .await?
        .filter(|view| crate::routes::activities::visible(&viewer, view))
        .ok_or_else(|| ApiError::NotFound("No activity has this id.".into()))?;
    Ok((activity.activity.centre_id, activity.operator_id))
}

/// Sign up for a shift slot of an activity on a pattern of dates ("every Tuesday at 15:00"):
/// from now on, the volunteer is signed up for each shift of the activity that starts at
/// `slot_start` (local time) on a date the pattern covers, up to six weeks ahead, through
/// the normal sign-up (capacity, overlapping shifts, qualifications, workload limits). A
/// shift keeps places for those who come once: standing sign-ups confirm at most
/// `capacity − 1` of its places, and wait beyond that. Dates a blockout of hers covers are
/// skipped. The answer lists the dates decided at once. Volunteers for themselves; staff
/// (coordinators of the activity's centre) and API keys with `signups:write` for a
/// volunteer known to the operator (`user_id`).
#[utoipa::path(
    tag = "standing-signups",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The activity's id")),
    request_body = StandingSignupRequest,
    responses(
        (status = 201, description = "Made, with the dates decided so far", body = StandingSignupResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Naming another volunteer without being staff of the activity's operator, or an API key of another operator or without the scope `signups:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No activity has this id that you may see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "She has one for this slot on this pattern that has not ended (`standing-signup-exists`), or keeps as many as allowed (`too-many-standing-signups`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: a weekday out of range, a pattern without its anchor date or week, an anchor date on another weekday, dates in the past or out of order, an `answer_hours` out of range or without the mode `ask`, or a `user_id` of no volunteer known to the operator or of a guest without an account (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/activities/{id}/standing-signups")]
pub async fn create_standing_signup(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(body): Json<StandingSignupRequest>,
) -> Result<HttpResponse, ApiError> {
    let commitment = body.commitment(today())?;
    let actor = caller.user().map(|user| user.id);
    let volunteer = body.user_id.or(actor).ok_or_else(|| {
        ApiError::validation("user_id", "is needed when an API key signs someone up")
    })?;
    let mut conn = state.conn().await?;
    let (centre_id, operator_id) = activity_of(&mut conn, &caller, *id).await?;
    if Some(volunteer) != actor {
        require_centre(
            &mut conn,
            &caller,
            centre_id,
            StaffRole::Coordinator,
            Scope::SignupsWrite,
        )
        .await?;
        let known = trust::acquaintance(&mut conn, operator_id, volunteer, None, &[])
            .await?
            .known();
        if !known {
            return Err(ApiError::validation(
                "user_id",
                "is not a volunteer known to this operator: one who helps it (PUT /me/operators/{id}), \
                 works for it, or signed up for one of its shifts",
            ));
        }
        // A guest signs up date by date, with the mail's link; commitments need an account.
        if quartier_persistence::guests::is_guest(&mut conn, volunteer).await? {
            return Err(ApiError::validation(
                "user_id",
                "is a guest without an account: standing sign-ups are for accounts",
            ));
        }
    }
    let new = standing::NewStanding {
        user_id: volunteer,
        activity_id: *id,
        operator_id,
        commitment,
        slot_title: body.shift_title.as_ref().map(|t| t.trim().to_owned()),
        created_by: actor,
        mode: body.mode.into(),
        answer_hours: body.answer_hours.unwrap_or(ANSWER_HOURS),
    };
    let row = standing::create(&mut conn, &new)
        .await?
        .map_err(|refusal| match refusal {
            standing::CreateRefusal::TooMany => ApiError::Conflict {
                slug: "too-many-standing-signups",
                detail: format!(
                    "A volunteer keeps at most {} standing sign-ups that have not ended.",
                    standing::MAX_KEPT
                ),
            },
            standing::CreateRefusal::Exists => ApiError::Conflict {
                slug: "standing-signup-exists",
                detail: "This volunteer has a standing sign-up for this slot on this pattern; \
                         change or end that one."
                    .into(),
            },
        })?;
    let now = Utc::now();
    standing::materialise_one(&mut conn, &row, now, now + state.standing_ahead).await?;
    let dates = standing::dates(&mut conn, row.id).await?;
    let location = format!("/api/v1/standing-signups/{}", row.id);
    let response = StandingSignupResponse::of(row, Some(dates));
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, etag(response.version)))
        .json(response))
}

/// The standing sign-up, as `caller` may act on it: her own, or one of an operator she is
/// staff of (coordinator), or an API key of that operator with `signups:write`. 404 for
/// anyone else.
async fn standing_for(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<StandingRow, ApiError> {
    let row = standing::get(conn, id).await?.ok_or_else(not_found)?;
    if caller.user().is_some_and(|user| user.id == row.user_id) {
        return Ok(row);
    }
    let centre_id = activities::find(conn, row.activity_id)
        .await?
        .map(|view| view.activity.centre_id)
        .ok_or_else(not_found)?;
    match require_centre(
        conn,
        caller,
        centre_id,
        StaffRole::Coordinator,
        Scope::SignupsWrite,
    )
    .await
    {
        Ok(_) => Ok(row),
        Err(error @ ApiError::Forbidden(_)) if matches!(caller, Caller::Key(key) if key.operator_id == row.operator_id) => {
            Err(error)
        }
        Err(_) => Err(not_found()),
    }
}

fn answer(response: StandingSignupResponse) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(response.version)))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(response)
}

/// One standing sign-up with the dates decided so far. The volunteer, and staff of the
/// activity's operator.
#[utoipa::path(
    tag = "standing-signups",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The standing sign-up's id")),
    responses(
        (status = 200, description = "The standing sign-up", body = StandingSignupResponse, headers(("ETag" = String))),
        (status = 403, description = "An API key of the operator without the scope `signups:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No standing sign-up has this id that you may see (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/standing-signups/{id}")]
pub async fn get_standing_signup(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let row = standing_for(&mut conn, &caller, *id).await?;
    let dates = standing::dates(&mut conn, row.id).await?;
    Ok(answer(StandingSignupResponse::of(row, Some(dates))))
}

/// An answer to an offered date.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OfferAnswerKind {
    /// Take the place (or, where the offer held none, a place on the waitlist).
    Accept,
    /// Let it go to whoever waits.
    Decline,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferAnswer {
    pub answer: OfferAnswerKind,
}

/// Answer the offer of one date of a standing sign-up in the mode `ask`, before it is due:
/// accepting turns its held place into a confirmed sign-up (an offer that held none signs
/// up as anyone would: waitlisted, or confirmed where a place came free); declining passes
/// the place to the first in line. The volunteer, and on her behalf coordinators of the
/// activity's centre and API keys of its operator with `signups:write`. The answer is the
/// date as it now stands.
#[utoipa::path(
    tag = "standing-signups",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The standing sign-up's id"),
        ("shift_id" = Uuid, Path, description = "The offered shift's id"),
    ),
    request_body = OfferAnswer,
    responses(
        (status = 200, description = "The date now: `confirmed` or `waitlisted` with its sign-up, or `declined`", body = StandingDate),
        (status = 403, description = "An API key of the operator without the scope `signups:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No standing sign-up has this id that you may see, or the shift is no date of it or gone (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`offer-not-open` (answered already, its answer was due, or the standing sign-up ended), or accepting could not sign her up: `overlapping-shift`, `already-signed-up`, `shift-cancelled`, `shift-past`, `workload-limit` (an offer without a place, which would now take one); the offer is then gone", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An answer other than `accept` or `decline` (`validation-failed`), or a qualification she now lacks (`qualification-missing`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/standing-signups/{id}/dates/{shift_id}/answer")]
pub async fn answer_offer(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    Json(body): Json<OfferAnswer>,
) -> Result<HttpResponse, ApiError> {
    let (id, shift_id) = path.into_inner();
    let mut conn = state.conn().await?;
    let row = standing_for(&mut conn, &caller, id).await?;
    let date_of = |dates: Vec<DateRow>| dates.into_iter().find(|d| d.shift_id == shift_id);
    if date_of(standing::dates(&mut conn, row.id).await?).is_none() {
        return Err(not_found());
    }
    let now = Utc::now();
    let answered = match body.answer {
        OfferAnswerKind::Accept => holds::accept_offer(&mut conn, row.id, shift_id, now)
            .await?
            .map(|_| ()),
        OfferAnswerKind::Decline => holds::decline_offer(&mut conn, row.id, shift_id, now).await?,
    };
    match answered {
        Ok(()) => {}
        Err(holds::AnswerRefusal::NotOpen) => {
            return Err(ApiError::Conflict {
                slug: "offer-not-open",
                detail: "This date has no open offer: it was answered, or its answer was due."
                    .into(),
            });
        }
        Err(holds::AnswerRefusal::Refused(refusal)) => {
            return Err(crate::routes::signups::refusal(refusal));
        }
    }
    let date = date_of(standing::dates(&mut conn, row.id).await?).ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(StandingDate::from(date)))
}

/// A change of a standing sign-up: pause or resume it, or set its last date.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StandingSignupChange {
    /// `active` or `paused`; `DELETE` ends it.
    pub status: Option<StandingStatusBody>,
    /// The last date it covers; null for none.
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub valid_until: Option<Option<NaiveDate>>,
}

/// Pause or resume a standing sign-up, or set its last date. A paused one signs up for no
/// new dates; sign-ups made already stay (cancel them one by one, or end it). Resumed, its
/// dates within reach are signed up for at once. An earlier last date cancels its sign-ups
/// after it (each freed place goes to the waitlist). Needs `If-Match`.
#[utoipa::path(
    tag = "standing-signups",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The standing sign-up's id"),
        ("If-Match" = String, Header, description = "The standing sign-up's ETag, or `*`"),
    ),
    request_body = StandingSignupChange,
    responses(
        (status = 200, description = "Changed", body = StandingSignupResponse, headers(("ETag" = String))),
        (status = 403, description = "An API key of the operator without the scope `signups:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No standing sign-up has this id that you may see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It has ended (`standing-signup-ended`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "It changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`status` `ended` (use `DELETE`), or a last date before its first or in the past (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/standing-signups/{id}")]
pub async fn change_standing_signup(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<StandingSignupChange>,
) -> Result<HttpResponse, ApiError> {
    let versions = if_match.versions()?;
    let mut errors = ValidationErrors::default();
    if body.status == Some(StandingStatusBody::Ended) {
        errors.push(
            "status",
            "ends only by DELETE, which cancels its sign-ups ahead",
        );
    }
    if let Some(Some(until)) = body.valid_until
        && until < today()
    {
        errors.push("valid_until", "must not be in the past");
    }
    errors.into_result()?;
    let mut conn = state.conn().await?;
    let row = standing_for(&mut conn, &caller, *id).await?;
    if let Some(Some(until)) = body.valid_until
        && until < row.valid_from
    {
        return Err(ApiError::validation(
            "valid_until",
            "must not be before valid_from",
        ));
    }
    if versions.is_some_and(|v| !v.contains(&row.version)) {
        return Err(ApiError::VersionConflict);
    }
    let now = Utc::now();
    let changed = standing::change(
        &mut conn,
        row.id,
        Some(row.version),
        body.status.map(Into::into),
        body.valid_until,
        caller.user().map(|user| user.id),
        now,
    )
    .await?
    .map_err(change_refusal)?;
    if changed.status() == StandingStatus::Active {
        standing::materialise_one(&mut conn, &changed, now, now + state.standing_ahead).await?;
    }
    let dates = standing::dates(&mut conn, changed.id).await?;
    Ok(answer(StandingSignupResponse::of(changed, Some(dates))))
}

fn change_refusal(refusal: ChangeRefusal) -> ApiError {
    match refusal {
        ChangeRefusal::NotFound => not_found(),
        ChangeRefusal::VersionConflict => ApiError::VersionConflict,
        ChangeRefusal::Ended => ApiError::Conflict {
            slug: "standing-signup-ended",
            detail: "This standing sign-up has ended; make a new one.".into(),
        },
    }
}

/// End a standing sign-up: no more dates are signed up for, and its sign-ups for dates still
/// ahead are cancelled (each freed place goes to the waitlist), all at once. Sign-ups made
/// for single dates stay. The volunteer, and staff of the activity's operator.
#[utoipa::path(
    tag = "standing-signups",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The standing sign-up's id")),
    responses(
        (status = 200, description = "Ended", body = EndedStandingSignup),
        (status = 403, description = "An API key of the operator without the scope `signups:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No standing sign-up has this id that you may see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It has ended already (`standing-signup-ended`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/standing-signups/{id}")]
pub async fn end_standing_signup(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let row = standing_for(&mut conn, &caller, *id).await?;
    let by = caller.user().map(|user| user.id);
    let ended = standing::end(&mut conn, row.id, None, by, Utc::now())
        .await?
        .map_err(change_refusal)?;
    Ok(HttpResponse::Ok().json(EndedStandingSignup {
        standing_signup: StandingSignupResponse::of(ended.standing, None),
        cancelled_signups: ended.cancelled,
    }))
}

/// Your standing sign-ups, newest first, ended ones too.
#[utoipa::path(
    tag = "standing-signups",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your standing sign-ups", body = StandingSignupList),
    ),
)]
#[get("/me/standing-signups")]
pub async fn my_standing_signups(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let rows = standing::of_user(&mut conn, user.id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(StandingSignupList {
            items: rows
                .into_iter()
                .map(|row| StandingSignupResponse::of(row, None))
                .collect(),
        }))
}

/// The activity's standing sign-ups that have not ended, oldest first: the order their
/// dates are signed up for. Staff (coordinators of its centre) and API keys with
/// `signups:write`.
#[utoipa::path(
    tag = "standing-signups",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The activity's id")),
    responses(
        (status = 200, description = "Its standing sign-ups", body = StandingSignupList),
        (status = 403, description = "Not staff of the activity's operator, or an API key of another operator or without the scope `signups:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No activity has this id that you may see (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/activities/{id}/standing-signups")]
pub async fn activity_standing_signups(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let (centre_id, _) = activity_of(&mut conn, &caller, *id).await?;
    require_centre(
        &mut conn,
        &caller,
        centre_id,
        StaffRole::Coordinator,
        Scope::SignupsWrite,
    )
    .await?;
    let rows = standing::of_activity(&mut conn, *id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(StandingSignupList {
            items: rows
                .into_iter()
                .map(|row| StandingSignupResponse::of(row, None))
                .collect(),
        }))
}

/// Dates a volunteer cannot come: standing sign-ups skip them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockoutRequest {
    pub starts_on: NaiveDate,
    /// The last day (default: `starts_on`).
    pub ends_on: Option<NaiveDate>,
    /// Repeat the same days every week until this date (the span must be shorter than a
    /// week): "Tuesdays until Easter".
    pub weekly_until: Option<NaiveDate>,
    #[schema(example = "Urlaub", max_length = 200)]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BlockoutResponse {
    pub id: Uuid,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub weekly_until: Option<NaiveDate>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<BlockoutRow> for BlockoutResponse {
    fn from(row: BlockoutRow) -> Self {
        Self {
            id: row.id,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            weekly_until: row.weekly_until,
            note: row.note,
            created_at: row.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BlockoutList {
    pub items: Vec<BlockoutResponse>,
}

/// Your blockouts, soonest first.
#[utoipa::path(
    tag = "standing-signups",
    security(("bearer" = [])),
    responses((status = 200, description = "Your blockouts", body = BlockoutList)),
)]
#[get("/me/blockouts")]
pub async fn my_blockouts(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let rows = standing::blockouts_of(&mut conn, user.id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(BlockoutList {
            items: rows.into_iter().map(BlockoutResponse::from).collect(),
        }))
}

/// Add dates you cannot come. Your standing sign-ups skip dates it covers from now on;
/// sign-ups made already stay (cancel them if you need to).
#[utoipa::path(
    tag = "standing-signups",
    security(("bearer" = [])),
    request_body = BlockoutRequest,
    responses(
        (status = 201, description = "Added", body = BlockoutResponse),
        (status = 409, description = "You keep as many blockouts as allowed (`too-many-blockouts`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Dates out of order, in the past, more than three years ahead, or a weekly one spanning a week or more (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/blockouts")]
pub async fn add_blockout(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<BlockoutRequest>,
) -> Result<HttpResponse, ApiError> {
    let blockout = Blockout {
        starts_on: body.starts_on,
        ends_on: body.ends_on.unwrap_or(body.starts_on),
        weekly_until: body.weekly_until,
    };
    let mut errors = ValidationErrors::default();
    blockout.check(today(), &mut errors);
    let note = body
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if let Some(note) = note
        && (note.chars().count() > 200 || note.chars().any(char::is_control))
    {
        errors.push("note", "must be up to 200 characters on one line");
    }
    errors.into_result()?;
    let mut conn = state.conn().await?;
    let row = standing::add_blockout(&mut conn, user.id, blockout, note)
        .await?
        .ok_or_else(|| ApiError::Conflict {
            slug: "too-many-blockouts",
            detail: format!(
                "You keep at most {} blockouts; remove some that have passed.",
                standing::MAX_BLOCKOUTS
            ),
        })?;
    Ok(HttpResponse::Created().json(BlockoutResponse::from(row)))
}

/// Remove one of your blockouts. Dates it made your standing sign-ups skip are not signed up
/// for again.
#[utoipa::path(
    tag = "standing-signups",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The blockout's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "You have no blockout with this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/me/blockouts/{id}")]
pub async fn remove_blockout(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    if standing::remove_blockout(&mut conn, user.id, *id).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound(
            "You have no blockout with this id.".into(),
        ))
    }
}
