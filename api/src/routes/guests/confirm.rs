//! `POST /guest-signups/confirm`: the link in the mail confirms a guest's sign-up.

use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use chrono::Utc;
use quartier_persistence::guests;
use quartier_persistence::places::holds::ConfirmRefusal;

use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::auth::email::{LinkTokenRequest, link_invalid};
use crate::routes::signups::{SignupResponse, refusal};
use crate::state::AppState;

/// Confirm a guest's sign-up with the token of the mailed link.
///
/// A held place becomes a confirmed sign-up; without one, the guest joins the waitlist (or
/// takes a place that came free meanwhile, when nobody waits). Works once, within 30 minutes
/// of signing up; a refusal (an overlapping confirmed shift, or the shift cancelled or begun)
/// gives the place back. The confirmation mail of the sign-up follows, with a calendar
/// invitation.
#[utoipa::path(
    tag = "guests",
    request_body = LinkTokenRequest,
    responses(
        (status = 201, description = "Signed up: `confirmed`, or `waitlisted` with `waitlist_position`", body = SignupResponse),
        (status = 409, description = "`overlapping-shift` (a confirmed shift of yours at the same time), `already-signed-up`, `shift-cancelled` or `shift-past`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The link is unknown, used or expired (`link-invalid`), the token is not shaped like one (`validation-failed`), or the shift now needs a qualification (`qualification-missing`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/guest-signups/confirm")]
pub async fn confirm_guest_signup(
    state: web::Data<AppState>,
    Json(body): Json<LinkTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash()?;
    let mut conn = state.conn().await?;
    let placed = guests::confirm(&mut conn, &hash, Utc::now())
        .await?
        .map_err(|refused| match refused {
            ConfirmRefusal::Unknown => link_invalid(),
            ConfirmRefusal::Refused(why) => refusal(why),
        })?;
    let location = format!("/api/v1/signups/{}", placed.signup.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(SignupResponse::from(placed)))
}
