//! `POST /shifts/{id}/walk-ins`: staff at the desk sign up someone by name only.

use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use chrono::Utc;
use quartier_domain::StaffRole;
use quartier_domain::integration::Scope;
use quartier_persistence::AsyncConnection;
use quartier_persistence::audit::NewEntry;
use quartier_persistence::guests::{self, WalkInRefusal};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::signup::guest_name;
use crate::auth::Caller;
use crate::authz::require_centre;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::signups::{SignupResponse, refusal};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WalkInRequest {
    /// How the roster names the helper: 1 to 100 characters.
    #[schema(
        example = "Herr Yılmaz",
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]*[^\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\s\u00ad\u034f\u0300-\u036f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u1ab0-\u1aff\u1dc0-\u1dff\u200b-\u200f\u2060-\u206f\u20d0-\u20ff\u2800\u3164\ufe00-\ufe0f\ufe20-\ufe2f\uffa0][^\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]*$"
    )]
    pub name: String,
}

/// Sign up a walk-in by name only.
///
/// For someone who turns up at the desk without an account or an address: a guest with a
/// name alone, confirmed on the shift (a walk-in does not wait: a full shift refuses). No
/// mail goes to a walk-in. Coordinators of the shift's centre and operator admins, or an API
/// key with `signups:write`; audited. Walk-ins can help on any shift that needs no
/// qualification, whether or not it takes guests who sign up themselves.
#[utoipa::path(
    tag = "guests",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The shift's id")),
    request_body = WalkInRequest,
    responses(
        (status = 201, description = "The walk-in's confirmed sign-up", body = SignupResponse, headers(("Location" = String))),
        (status = 403, description = "Not staff of the shift's centre, or an API key without `signups:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No shift has this id that you may see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`shift-full`, `account-needed` (the shift needs a qualification), `shift-cancelled` or `shift-past`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/shifts/{id}/walk-ins")]
pub async fn create_walk_in(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(body): Json<WalkInRequest>,
) -> Result<HttpResponse, ApiError> {
    let name = guest_name(&body.name)?;
    let mut conn = state.conn().await?;
    let shift = crate::routes::shifts::visible_shift(&mut conn, Some(&caller), *id).await?;
    require_centre(
        &mut conn,
        &caller,
        shift.shift.centre_id,
        StaffRole::Coordinator,
        Scope::SignupsWrite,
    )
    .await?;
    let staff = caller.user().map(|user| user.id);
    let signup = walk_in(
        &mut conn,
        &caller,
        *id,
        name.as_str(),
        staff,
        shift.shift.operator_id,
    )
    .await?;
    respond(signup)
}

async fn walk_in(
    conn: &mut quartier_persistence::AsyncPgConnection,
    caller: &Caller,
    shift_id: Uuid,
    name: &str,
    staff: Option<Uuid>,
    operator_id: Uuid,
) -> Result<SignupResponse, ApiError> {
    let placed = conn
        .transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let placed = guests::walk_in(conn, shift_id, name, staff, Utc::now()).await?;
            if let Ok(placed) = &placed {
                NewEntry::new(caller.actor(), "signup.walk_in", "signup", placed.signup.id)
                    .operator(operator_id)
                    .about(placed.signup.user_id)
                    .record(conn)
                    .await?;
            }
            Ok(placed)
        })
        .await?
        .map_err(|refused| match refused {
            WalkInRefusal::Refused(why) => refusal(why),
            WalkInRefusal::Full => ApiError::Conflict {
                slug: "shift-full",
                detail: "No place is free on this shift.".into(),
            },
            WalkInRefusal::QualificationRequired => ApiError::Conflict {
                slug: "account-needed",
                detail: "This shift needs a qualification that staff check for an account.".into(),
            },
        })?;
    Ok(SignupResponse::from(placed))
}

fn respond(signup: SignupResponse) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/signups/{}", signup.id)))
        .json(signup))
}
