//! A guest's own side, with the token of her mailed link (`X-Guest-Token`):
//! `GET /guest/signups`, `POST /guest/signups/{id}/cancel`, `GET /guest/export` and
//! `DELETE /guest`.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use quartier_domain::notification::MailLanguage;
use quartier_persistence::places::holds::HoldRow;
use quartier_persistence::signups::{self, OwnSignup};
use quartier_persistence::{AsyncPgConnection, guests, notifications, privacy};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Guest;
use crate::error::{ApiError, Problem};
use crate::routes::account::LanguageBody;
use crate::routes::me::erase::ErasureResponse;
use crate::routes::me::notifications::NotificationResponse;
use crate::routes::signups::{SignupResponse, cancel_refusal, cancelled_response};
use crate::routes::volunteering::OwnSignupResponse;
use crate::state::AppState;

/// The most sign-ups of each kind (coming, past) a guest's list and export hold.
const MOST: i64 = 1000;

/// A guest as Quartier knows her.
#[derive(Debug, Serialize, ToSchema)]
pub struct GuestResponse {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub language: LanguageBody,
    pub privacy_consent_at: DateTime<Utc>,
    pub privacy_policy_version: Option<String>,
    /// Whether she confirmed a sign-up from the mail (so the address reaches her).
    pub email_verified: bool,
    pub created_at: DateTime<Utc>,
}

/// A sign-up that waits for its confirmation from the mail.
#[derive(Debug, Serialize, ToSchema)]
pub struct GuestHoldResponse {
    pub shift_id: Uuid,
    /// Whether a place is held (else confirming joins the waitlist).
    pub holds_place: bool,
    pub expires_at: DateTime<Utc>,
}

impl From<HoldRow> for GuestHoldResponse {
    fn from(hold: HoldRow) -> Self {
        Self {
            shift_id: hold.shift_id,
            holds_place: hold.holds_place,
            expires_at: hold.expires_at,
        }
    }
}

/// A guest's sign-ups.
#[derive(Debug, Serialize, ToSchema)]
pub struct GuestSignupsResponse {
    pub guest: GuestResponse,
    /// Waiting for their confirmation.
    pub holds: Vec<GuestHoldResponse>,
    /// Shifts not yet over, soonest first.
    pub coming: Vec<OwnSignupResponse>,
    /// Shifts that are over, latest first.
    pub past: Vec<OwnSignupResponse>,
}

/// Everything Quartier stores about a guest (Art. 15 and 20 DSGVO).
#[derive(Debug, Serialize, ToSchema)]
pub struct GuestExport {
    pub exported_at: DateTime<Utc>,
    #[serde(flatten)]
    pub signups: GuestSignupsResponse,
    /// What Quartier mailed her, newest first.
    pub notifications: Vec<NotificationResponse>,
    /// The concerns she raised (confirmed), newest first.
    pub concerns: Vec<crate::routes::concerns::ConcernResponse>,
    /// Concerns waiting for her confirmation, newest first.
    pub concerns_waiting: Vec<crate::routes::concerns::guest::ConcernDraftRecord>,
    /// Her room dates, and room bookings waiting for her confirmation.
    pub room_bookings: crate::routes::rooms::guest::GuestRoomBookings,
    /// Her applications to neighbourhood funds, newest first.
    pub fund_applications: Vec<crate::routes::funds::ApplicationResponse>,
    /// Applications to funds waiting for her confirmation, newest first.
    pub fund_applications_waiting: Vec<crate::routes::funds::guest::FundApplicationDraftRecord>,
    /// Her requests of neighbourly help, and those waiting for her confirmation.
    pub help: crate::routes::help::guest::GuestHelp,
}

async fn guest(conn: &mut AsyncPgConnection, id: Uuid) -> Result<GuestResponse, ApiError> {
    let row = guests::find(conn, id)
        .await?
        .ok_or_else(|| ApiError::Unauthenticated {
            challenge: crate::error::BearerChallenge::InvalidToken,
            detail: "This guest is gone.".into(),
        })?;
    Ok(GuestResponse {
        id: row.id,
        name: row.display_name,
        email: row.email,
        language: MailLanguage::parse(&row.language)
            .unwrap_or_default()
            .into(),
        privacy_consent_at: row.privacy_consent_at,
        privacy_policy_version: row.privacy_policy_version,
        email_verified: row.email_verified_at.is_some(),
        created_at: row.created_at,
    })
}

async fn overview(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<GuestSignupsResponse, ApiError> {
    let now = Utc::now();
    let list = |rows: Vec<OwnSignup>| rows.into_iter().map(OwnSignupResponse::from).collect();
    Ok(GuestSignupsResponse {
        guest: guest(conn, id).await?,
        holds: guests::holds_of(conn, id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
        coming: list(signups::of_user(conn, id, false, now, None, MOST).await?),
        past: list(signups::of_user(conn, id, true, now, None, MOST).await?),
    })
}

/// Your sign-ups as a guest: waiting for confirmation, coming and past.
#[utoipa::path(
    tag = "guests",
    security(("guest_token" = [])),
    responses(
        (status = 200, description = "Your sign-ups", body = GuestSignupsResponse),
        (status = 401, description = "No guest token, or one unknown, replaced or expired (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/guest/signups")]
pub async fn guest_signups(
    state: web::Data<AppState>,
    guest: Guest,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    Ok(HttpResponse::Ok().json(overview(&mut conn, guest.id).await?))
}

/// Cancel one of your sign-ups as a guest, until the shift begins (within 24 hours of the
/// start it counts as late). A freed place goes to the first on the waitlist.
#[utoipa::path(
    tag = "guests",
    security(("guest_token" = [])),
    params(("id" = Uuid, Path, description = "The sign-up's id")),
    responses(
        (status = 200, description = "The cancelled sign-up, with `promoted_signup_id` when a waiting one took the place", body = SignupResponse),
        (status = 401, description = "No guest token, or one unknown, replaced or expired (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "None of your sign-ups has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`shift-past` (the shift has begun) or `signup-not-live` (cancelled already)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/guest/signups/{id}/cancel")]
pub async fn cancel_guest_signup(
    state: web::Data<AppState>,
    guest: Guest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::NotFound("None of your sign-ups has this id.".into());
    let mut conn = state.conn().await?;
    let placed = signups::find(&mut conn, *id)
        .await?
        .filter(|placed| placed.signup.user_id == Some(guest.id))
        .ok_or_else(not_found)?;
    let now = Utc::now();
    if placed.signup.starts_at <= now {
        return Err(ApiError::Conflict {
            slug: "shift-past",
            detail: "The shift has begun: ask its coordinators.".into(),
        });
    }
    let cancelled = signups::cancel(&mut conn, *id, Some(guest.id), now)
        .await?
        .map_err(cancel_refusal)?;
    Ok(HttpResponse::Ok().json(cancelled_response(cancelled)))
}

/// Everything Quartier stores about you as a guest, as a JSON download.
#[utoipa::path(
    tag = "guests",
    security(("guest_token" = [])),
    responses(
        (status = 200, description = "Your data", body = GuestExport),
        (status = 401, description = "No guest token, or one unknown, replaced or expired (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/guest/export")]
pub async fn export_guest(
    state: web::Data<AppState>,
    guest: Guest,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let (fund_applications, fund_applications_waiting) =
        crate::routes::funds::guest::export_of(&mut conn, guest.id, MOST).await?;
    let export = GuestExport {
        help: crate::routes::help::guest::GuestHelp {
            help: crate::routes::help::mine::of(&mut conn, guest.id).await?,
            waiting: crate::routes::help::guest::waiting_of(&mut conn, guest.id).await?,
        },
        fund_applications,
        fund_applications_waiting,
        exported_at: Utc::now(),
        signups: overview(&mut conn, guest.id).await?,
        notifications: notifications::of_user(&mut conn, guest.id, MOST)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
        concerns: quartier_persistence::concerns::list(
            &mut conn,
            &quartier_persistence::concerns::ConcernFilter {
                author_id: Some(guest.id),
                ..Default::default()
            },
            None,
            MOST,
        )
        .await?
        .into_iter()
        .map(|view| crate::routes::concerns::ConcernResponse::new(view, None, None))
        .collect(),
        concerns_waiting: guests::drafts_of(&mut conn, guest.id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
        room_bookings: crate::routes::rooms::guest::of_guest(&mut conn, guest.id).await?,
    };
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"quartier-guest-export.json\"",
        ))
        .json(export))
}

/// Erase yourself as a guest (Art. 17 DSGVO): coming sign-ups are cancelled (their places
/// go to the waitlist), held places released, and past sign-ups keep their hours but no
/// longer name you; what waits for your confirmation is dropped, and applications to funds
/// you handed in keep their titles and amounts without you. The link stops working.
#[utoipa::path(
    tag = "guests",
    security(("guest_token" = [])),
    responses(
        (status = 200, description = "Erased: what happened to your sign-ups", body = ErasureResponse),
        (status = 401, description = "No guest token, or one unknown, replaced or expired (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/guest")]
pub async fn erase_guest(
    state: web::Data<AppState>,
    guest: Guest,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let erased = privacy::erase_account(&mut conn, guest.id, Utc::now())
        .await?
        .map_err(|_| ApiError::Unauthenticated {
            challenge: crate::error::BearerChallenge::InvalidToken,
            detail: "This guest is gone.".into(),
        })?;
    Ok(HttpResponse::Ok().json(ErasureResponse {
        cancelled_signups: erased.cancelled,
        promoted_signups: erased.promoted,
        anonymised_signups: erased.anonymised,
    }))
}
