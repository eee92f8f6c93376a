//! The volunteer's own side: `/me/profile`, `/me/signups`, `/me/hours`, and the skills
//! catalogue.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::Utc;
use quartier_domain::{SignupStatus, ValidationErrors, bounded_text};
use quartier_persistence::profiles::{self, ProfileRow};
use quartier_persistence::signups::{self, OwnKey, OwnSignup};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, IfNoneMatch, Json, etag, nullable, versioned_json};
use crate::pagination::{self, Page};
use crate::routes::activities::Named;
use crate::routes::signups::SignupResponse;
use crate::state::AppState;

/// The skills catalogue; profiles may add free tags of their own.
pub const SKILLS: &[&str] = &[
    "accompanying",
    "baking",
    "childcare",
    "cooking",
    "crafts",
    "driving",
    "gardening",
    "homework_help",
    "it",
    "music",
    "translating",
];

/// The skills catalogue: tags volunteers pick and shifts are found by; free tags are allowed
/// too. Public.
#[utoipa::path(
    tag = "volunteering",
    responses((status = 200, description = "The catalogue", body = Vec<String>)),
)]
#[get("/skills")]
pub async fn list_skills() -> HttpResponse {
    HttpResponse::Ok().json(SKILLS)
}

/// How a volunteer wants to be contacted.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ContactBy {
    Email,
    Phone,
    Sms,
}

impl ContactBy {
    pub fn as_str(self) -> &'static str {
        match self {
            ContactBy::Email => "email",
            ContactBy::Phone => "phone",
            ContactBy::Sms => "sms",
        }
    }

    pub fn parse(raw: &str) -> Self {
        match raw {
            "phone" => ContactBy::Phone,
            "sms" => ContactBy::Sms,
            _ => ContactBy::Email,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileResponse {
    pub phone: Option<String>,
    /// ISO 639 codes.
    pub languages: Vec<String>,
    /// From `/skills`, or free tags.
    pub skills: Vec<String>,
    /// Districts the volunteer would like to help in.
    pub district_ids: Vec<Uuid>,
    #[schema(example = "Dienstags und donnerstags nachmittags")]
    pub availability: String,
    pub contact_by: ContactBy,
    /// 0 until the profile is first saved; sent as `ETag`, expected back in `If-Match`.
    pub version: i32,
}

impl From<ProfileRow> for ProfileResponse {
    fn from(row: ProfileRow) -> Self {
        Self {
            phone: row.phone,
            languages: row.languages,
            skills: row.skills,
            district_ids: row.district_ids,
            availability: row.availability,
            contact_by: ContactBy::parse(&row.contact_by),
            version: row.version,
        }
    }
}

/// Your volunteer profile (empty until you save one).
#[utoipa::path(
    tag = "volunteering",
    security(("bearer" = [])),
    params(("If-None-Match" = Option<String>, Header, description = "The ETag the client holds")),
    responses(
        (status = 200, description = "Your profile", body = ProfileResponse, headers(("ETag" = String))),
        (status = 304, description = "The client's copy is current", headers(("ETag" = String))),
    ),
)]
#[get("/me/profile")]
pub async fn get_profile(
    state: web::Data<AppState>,
    user: AuthUser,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let row = profiles::find(&mut conn, user.id).await?;
    let version = row.version;
    Ok(versioned_json(
        &if_none_match,
        version,
        &ProfileResponse::from(row),
    ))
}

/// Changes to the profile; fields left out stay, `null` clears `phone`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProfileRequest {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_length = 40, pattern = r"^ *[+(]?( *[0-9][ +\-/()]*){3,}$")]
    pub phone: Option<Option<String>>,
    #[schema(max_items = 30)]
    pub languages: Option<Vec<String>>,
    #[schema(max_items = 30)]
    pub skills: Option<Vec<String>>,
    #[schema(max_items = 30)]
    pub district_ids: Option<Vec<Uuid>>,
    #[schema(
        max_length = 2000,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub availability: Option<String>,
    /// `phone` and `sms` need a phone number.
    pub contact_by: Option<ContactBy>,
}

/// Change your volunteer profile; needs `If-Match` (`"0"` or `*` before the first save).
#[utoipa::path(
    tag = "volunteering",
    security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag of the version being changed, or `*`")),
    request_body = UpdateProfileRequest,
    responses(
        (status = 200, description = "The saved profile", body = ProfileResponse, headers(("ETag" = String))),
        (status = 412, description = "The profile changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or an unknown district (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/me/profile")]
pub async fn update_profile(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<UpdateProfileRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    use quartier_domain::centre::languages;
    use quartier_domain::operator::{free_text, phone};
    let versions = if_match.versions()?;
    let mut conn = state.conn().await?;
    let mut next = profiles::find(&mut conn, user.id).await?;
    let mut errors = ValidationErrors::default();
    match &body.phone {
        Some(Some(raw)) => next.phone = errors.collect(phone(raw, "phone")),
        Some(None) => next.phone = None,
        None => {}
    }
    if let Some(list) = body
        .languages
        .as_ref()
        .and_then(|raw| errors.collect(languages(raw)))
    {
        next.languages = list;
    }
    if body.skills.as_ref().is_some_and(|s| s.len() > 30) {
        errors.push("skills", "must name at most 30 tags");
    }
    if body.district_ids.as_ref().is_some_and(|d| d.len() > 30) {
        errors.push("district_ids", "must name at most 30 districts");
    }
    if let Some(raw) = body.skills.as_ref().filter(|s| s.len() <= 30) {
        let mut skills = Vec::new();
        for (n, tag) in raw.iter().enumerate() {
            if let Some(tag) = errors.collect(bounded_text(tag, &format!("skills[{n}]"), 50)) {
                skills.push(tag.to_lowercase());
            }
        }
        skills.sort();
        skills.dedup();
        next.skills = skills;
    }
    if let Some(ids) = body.district_ids.as_ref().filter(|d| d.len() <= 30) {
        let mut ids = ids.clone();
        ids.sort();
        ids.dedup();
        for id in &ids {
            if quartier_persistence::districts::find(&mut conn, *id)
                .await?
                .is_none()
            {
                errors.push("district_ids", format!("{id} is not the id of a district"));
            }
        }
        next.district_ids = ids;
    }
    if let Some(text) = body
        .availability
        .as_ref()
        .and_then(|raw| errors.collect(free_text(raw, "availability", 2000)))
    {
        next.availability = text;
    }
    if let Some(by) = body.contact_by {
        next.contact_by = by.as_str().into();
    }
    if next.contact_by != "email" && next.phone.is_none() {
        errors.push("contact_by", "phone and sms need a phone number");
    }
    errors.into_result()?;
    let saved = profiles::save(&mut conn, &next, versions)
        .await?
        .map_err(|refusal| ApiError::refused(refusal, "profile"))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(saved.version)))
        .json(ProfileResponse::from(saved)))
}

/// One of your sign-ups with its shift.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnSignupResponse {
    #[serde(flatten)]
    pub signup: SignupResponse,
    #[schema(example = "Tische decken")]
    pub shift_title: String,
    pub centre: Named,
    pub activity_title: Option<String>,
}

impl From<OwnSignup> for OwnSignupResponse {
    fn from(own: OwnSignup) -> Self {
        Self {
            signup: SignupResponse::from(signups::Placed {
                signup: own.signup,
                position: own.position,
            }),
            shift_title: own.shift_title,
            centre: Named {
                id: own.centre_id,
                name: own.centre_name,
            },
            activity_title: own.activity_title,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OwnSignupsQuery {
    /// `true`: shifts that have ended, latest first; otherwise coming ones, soonest first.
    pub past: Option<bool>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 2048)]
    pub cursor: Option<String>,
}

/// Your sign-ups: status, waitlist position, check-in, hours.
#[utoipa::path(
    tag = "volunteering",
    security(("bearer" = [])),
    params(OwnSignupsQuery),
    responses(
        (status = 200, description = "One page of your sign-ups", body = Page<OwnSignupResponse>),
        (status = 422, description = "An unknown `cursor` or `limit` out of range (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/signups")]
pub async fn my_signups(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<OwnSignupsQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = pagination::limit(query.limit)?;
    let after: Option<OwnKey> = pagination::decode_cursor(query.cursor.as_deref())?;
    let mut conn = state.conn().await?;
    let rows = signups::of_user(
        &mut conn,
        user.id,
        query.past.unwrap_or(false),
        Utc::now(),
        after.as_ref(),
        i64::from(limit) + 1,
    )
    .await?;
    let page: Page<OwnSignupResponse> = pagination::page(
        rows,
        limit,
        |r| (r.signup.starts_at, r.signup.id),
        OwnSignupResponse::from,
    );
    Ok(HttpResponse::Ok().json(page))
}

/// Hours worked in one year for one operator.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoursResponse {
    #[schema(example = 2027)]
    pub year: i32,
    pub operator: Named,
    /// Shifts attended.
    pub shifts: i64,
    pub minutes: i64,
    /// `minutes` / 60, rounded to a quarter hour.
    pub hours: f64,
}

/// Your volunteer hours by year and operator, from attended shifts: the proof of volunteer
/// work people ask for.
#[utoipa::path(
    tag = "volunteering",
    security(("bearer" = [])),
    responses((status = 200, description = "Hours by year (latest first) and operator", body = Vec<HoursResponse>)),
)]
#[get("/me/hours")]
pub async fn my_hours(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let lines = signups::hours(&mut conn, user.id).await?;
    let body: Vec<HoursResponse> = lines.into_iter().map(HoursResponse::from).collect();
    Ok(HttpResponse::Ok().json(body))
}

impl From<signups::HoursLine> for HoursResponse {
    fn from(l: signups::HoursLine) -> Self {
        Self {
            year: l.year,
            operator: Named {
                id: l.operator_id,
                name: l.operator_name,
            },
            shifts: l.shifts,
            minutes: l.minutes,
            hours: (l.minutes as f64 / 15.0).round() / 4.0,
        }
    }
}

/// The secret address of your calendar feed. Shown once: keep it like a password.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarFeedResponse {
    /// Subscribe to this in a calendar program.
    #[schema(example = "https://quartier.example.org/api/v1/me/calendar.ics?token=…")]
    pub url: String,
    pub created_at: chrono::DateTime<Utc>,
}

fn token_hash(token: &str) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(token.as_bytes()).to_vec()
}

/// Make (or remake) the secret address of your calendar feed of confirmed shifts. A new
/// address replaces the old one, which stops working.
#[utoipa::path(
    tag = "volunteering",
    security(("bearer" = [])),
    responses((status = 201, description = "The new address, shown only now", body = CalendarFeedResponse)),
)]
#[post("/me/calendar-feed")]
pub async fn create_calendar_feed(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    use base64::Engine as _;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let mut conn = state.conn().await?;
    let created_at =
        quartier_persistence::calendar_feeds::replace(&mut conn, user.id, &token_hash(&token))
            .await?;
    Ok(HttpResponse::Created().json(CalendarFeedResponse {
        url: format!("{}/api/v1/me/calendar.ics?token={token}", state.public_url),
        created_at,
    }))
}

/// Revoke your calendar feed's address.
#[utoipa::path(
    tag = "volunteering",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "You have no calendar feed (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/me/calendar-feed")]
pub async fn revoke_calendar_feed(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    if quartier_persistence::calendar_feeds::revoke(&mut conn, user.id).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound("You have no calendar feed.".into()))
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarFeedQuery {
    /// The secret token from `POST /me/calendar-feed`.
    #[param(max_length = 100)]
    pub token: String,
}

/// Your confirmed shifts as a calendar feed (text/calendar, RFC 5545), from 60 days back to
/// 400 days ahead; cancelled ones with `STATUS:CANCELLED`. Opened by the secret token in the
/// address, so calendar programs can subscribe without signing in.
#[utoipa::path(
    tag = "volunteering",
    params(CalendarFeedQuery),
    responses(
        (status = 200, description = "The feed", content_type = "text/calendar", body = String),
        (status = 404, description = "No feed has this token (or it was revoked) (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/calendar.ics")]
pub async fn my_calendar(
    state: web::Data<AppState>,
    query: web::Query<CalendarFeedQuery>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    use quartier_domain::ical::{Calendar, Event, render};
    let mut conn = state.conn().await?;
    let owner = quartier_persistence::calendar_feeds::owner(&mut conn, &token_hash(&query.token))
        .await?
        .ok_or_else(|| ApiError::NotFound("No calendar feed has this token.".into()))?;
    let now = Utc::now();
    let entries = signups::feed_of_user(
        &mut conn,
        owner,
        (
            now - chrono::Duration::days(60),
            now + chrono::Duration::days(400),
        ),
    )
    .await?;
    let texts: Vec<(String, String)> = entries
        .iter()
        .map(|e| {
            (
                format!("{} – {}", e.shift_title, e.centre_name),
                format!("{}, {}, {} {}", e.centre_name, e.street, e.postcode, e.town),
            )
        })
        .collect();
    let events = entries
        .iter()
        .zip(&texts)
        .map(|(e, (summary, location))| Event {
            uid: format!("signup-{}@quartier", e.signup.id),
            sequence: e.signup.version,
            starts_at: e.signup.starts_at,
            ends_at: e.signup.ends_at,
            updated_at: e.signup.updated_at,
            summary,
            description: None,
            location: Some(location),
            geo: Some((e.latitude, e.longitude)),
            url: None,
            categories: vec!["volunteering"],
            cancelled: e.signup.status == SignupStatus::Cancelled,
        })
        .collect();
    let text = render(&Calendar {
        name: "Quartier – meine Einsätze",
        time_zone: quartier_domain::schedule::DEFAULT_TIME_ZONE,
        events,
    });
    Ok(crate::extract::bytes_with_body_etag(
        &if_none_match,
        text.into_bytes(),
        "text/calendar; charset=utf-8",
    ))
}
