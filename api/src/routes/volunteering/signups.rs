//! `GET /me/signups`: your sign-ups, coming or past.

use actix_web::{HttpResponse, get, web};
use chrono::Utc;
use quartier_persistence::signups::{self, OwnKey, OwnSignup};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::pagination::{self, Page};
use crate::routes::activities::Named;
use crate::routes::signups::SignupResponse;
use crate::state::AppState;

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
