//! `POST /shifts/{id}/guest-signups`: a guest signs up with name and address.

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use quartier_domain::{DisplayName, Email, ValidationErrors};
use quartier_persistence::guests::{self, NewGuest};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::hold_refusal;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::limits;
use crate::routes::account::LanguageBody;
use crate::state::AppState;
use crate::tokens::LinkTokens;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuestSignupRequest {
    /// How staff and the mail address you: 1 to 100 characters.
    #[schema(
        example = "Anna",
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]*[^\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\s\u00ad\u034f\u0300-\u036f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u1ab0-\u1aff\u1dc0-\u1dff\u200b-\u200f\u2060-\u206f\u20d0-\u20ff\u2800\u3164\ufe00-\ufe0f\ufe20-\ufe2f\uffa0][^\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]*$"
    )]
    pub name: String,
    /// Where the confirmation goes.
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
}

debug_without_secrets!(GuestSignupRequest { language });

/// Sign up as a guest, without an account.
///
/// The shift must take guests (its centre's or its own choice) and need no qualification.
/// A mail with a link to confirm goes to the address; until confirmed, a place is held for 30
/// minutes (counted against the capacity like a confirmed one), or, when none is free, the
/// confirmation puts the guest on the waitlist. Unconfirmed holds are released and their
/// place offered to the waitlist. The answer is the same whether or not the address is known
/// (an account whose verified address it is gets the sign-up); a second request for the same
/// shift mails nothing new. Limited per client and per address.
#[utoipa::path(
    tag = "guests",
    params(("id" = Uuid, Path, description = "The shift's id")),
    request_body = GuestSignupRequest,
    responses(
        (status = 202, description = "A confirmation is on its way to the address"),
        (status = 404, description = "No shift has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`guests-not-welcome` (this shift takes no guests), `account-needed` (it needs a qualification), `shift-cancelled` or `shift-past`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or not the current privacy policy (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this client or for this address (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/shifts/{id}/guest-signups")]
pub async fn create_guest_signup(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<Uuid>,
    Json(body): Json<GuestSignupRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = ValidationErrors::default();
    let guest = checked_guest(
        &state,
        &mut errors,
        &body.name,
        &body.email,
        &body.privacy_policy_version,
    );
    errors.into_result()?;
    let Some((name, email)) = guest else {
        return Err(ApiError::Internal("checked fields missing".into()));
    };
    guest_attempt(&state, &request, "guest-signup", &email).await?;
    let hold_id = Uuid::now_v7();
    let hash = LinkTokens::hash(&state.links.token(hold_id));
    let language = crate::languages::mail_language(&request, body.language).tag();
    let mut conn = state.conn().await?;
    // Shifts of unpublished activities are for their staff only.
    crate::routes::shifts::visible_shift(&mut conn, None, *id).await?;
    guests::sign_up(
        &mut conn,
        *id,
        &NewGuest {
            name: name.as_str(),
            email: email.as_str(),
            privacy_policy_version: &state.privacy_policy.version,
            language,
        },
        hold_id,
        &hash,
        Utc::now(),
    )
    .await?
    .map_err(hold_refusal)?;
    Ok(HttpResponse::Accepted().finish())
}

/// What a guest gives about herself, checked: her name, her address, and her agreement to
/// the privacy policy in force; what is wrong goes to `errors`.
pub(crate) fn checked_guest(
    state: &AppState,
    errors: &mut ValidationErrors,
    name: &str,
    email: &str,
    privacy_policy_version: &str,
) -> Option<(DisplayName, Email)> {
    let name = errors.collect(guest_name(name));
    let email = errors.collect(Email::parse(email));
    if privacy_policy_version != state.privacy_policy.version {
        errors.push(
            "privacy_policy_version",
            format!(
                "must be the current version of the privacy policy, {}",
                state.privacy_policy.version
            ),
        );
    }
    name.zip(email)
}

/// Counts a guest's request against the limits per client and per address (`bucket` names
/// what she asks for).
pub(crate) async fn guest_attempt(
    state: &AppState,
    request: &HttpRequest,
    bucket: &str,
    email: &Email,
) -> Result<(), ApiError> {
    limits::auth_attempt_from(state, request).await?;
    limits::account_attempt(state, &limits::account_bucket(bucket, email.as_str())).await
}

/// A guest's name, by the rules of display names, reported as the field `name`.
pub(crate) fn guest_name(raw: &str) -> Result<DisplayName, ValidationErrors> {
    DisplayName::parse(raw).map_err(|errors| {
        ValidationErrors(
            errors
                .0
                .into_iter()
                .map(|e| quartier_domain::FieldError::new("name", e.message))
                .collect(),
        )
    })
}
