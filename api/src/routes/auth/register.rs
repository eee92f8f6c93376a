//! `POST /auth/register`: a new account, limited per client address and per e-mail address.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use quartier_domain::{DisplayName, Email, Password, Role, ValidationErrors};
use quartier_persistence::users::{self, NewUser};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::limits;
use crate::routes::account::{AccountResponse, LanguageBody, account_response};
use crate::routes::auth::email::queue_verification;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[schema(example = "anna.schmidt@example.org", format = Email, max_length = 254)]
    pub email: String,
    /// 1 to 100 characters, not only spaces, no control characters.
    #[schema(
        example = "Anna Schmidt",
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]*[^\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\s\u00ad\u034f\u0300-\u036f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u1ab0-\u1aff\u1dc0-\u1dff\u200b-\u200f\u2060-\u206f\u20d0-\u20ff\u2800\u3164\ufe00-\ufe0f\ufe20-\ufe2f\uffa0][^\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]*$"
    )]
    pub display_name: String,
    /// At least 10 characters, and not the e-mail address.
    #[schema(example = "ein langes Passwort", format = Password, min_length = 10, max_length = 128)]
    pub password: String,
    /// The user agrees to the privacy policy. Must be `true`.
    #[schema(schema_with = must_be_true)]
    pub privacy_consent: bool,
    /// The language of mail to the user; when left out, German or English as
    /// `Accept-Language` prefers, else German.
    #[serde(default)]
    pub language: Option<LanguageBody>,
}

debug_without_secrets!(RegisterRequest {
    email,
    display_name,
    privacy_consent,
    language
});

fn must_be_true() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Boolean)
        .enum_values(Some([true]))
        .description(Some(
            "The user agrees to the privacy policy. Must be `true`.",
        ))
        .build()
}

/// Create an account.
///
/// An address that already has an account (in any letter case) gets 409 `email-taken`. The
/// answer takes the same time either way: the password is hashed before the address is checked.
///
/// A link that verifies the address is mailed to it (valid for 48 hours). Until it is used,
/// the account can browse and sign up for shifts that need no qualification, but cannot be
/// made staff or a centre's contact person.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "The account was created", body = AccountResponse,
            headers(("ETag" = String, description = "The account's version"), ("Location" = String))),
        (status = 409, description = "An account with this e-mail address exists (`email-taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many registrations from this address or for this e-mail address (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/register")]
pub async fn register(
    state: web::Data<AppState>,
    request: HttpRequest,
    Json(body): Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    limit_registrations(&state, &request, &body.email).await?;
    let checked = check(&body)?;
    let password_hash = state.passwords.hash(checked.password.expose()).await?;
    let mut conn = state.conn().await?;
    let row = users::insert(
        &mut conn,
        &NewUser {
            id: Uuid::now_v7(),
            email: checked.email.as_str(),
            display_name: checked.display_name.as_str(),
            password_hash: &password_hash,
            role: Role::Member.as_str(),
            privacy_consent_at: Utc::now(),
            privacy_policy_version: Some(&state.privacy_policy.version),
            language: crate::languages::mail_language(&request, body.language).tag(),
            email_verified_at: None,
        },
    )
    .await?
    .ok_or(ApiError::EmailTaken)?;
    drop(conn);
    // The account exists now: a link that could not be queued is asked for again later
    // (`POST /me/email-verification`), not a reason to answer as if nothing happened.
    if let Err(error) = queue_verification(&state, row.id, &row.email, None).await {
        tracing::warn!(%error, user = %row.id, "queueing the verification mail failed");
    }
    let mut response = account_response(StatusCode::CREATED, row);
    response.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_static("/api/v1/me"),
    );
    Ok(response)
}

/// Counts the attempt against the limits of the client's address and of the e-mail address.
async fn limit_registrations(
    state: &AppState,
    request: &HttpRequest,
    email: &str,
) -> Result<(), ApiError> {
    let address = limits::client_address(request, state.rate_limits.proxy_hops);
    limits::attempt(
        state,
        &format!("register-address:{address}"),
        state.rate_limits.register_per_hour,
        limits::Window::Hour,
        "Too many registrations from this address: wait until Retry-After.",
    )
    .await?;
    limits::account_attempt(state, &limits::account_bucket("register", email)).await
}

/// The fields of a registration, checked.
struct Registration {
    email: Email,
    display_name: DisplayName,
    password: Password,
}

/// Checks every field, listing all that is wrong at once.
fn check(body: &RegisterRequest) -> Result<Registration, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let email = errors.collect(Email::parse(&body.email));
    let display_name = errors.collect(DisplayName::parse(&body.display_name));
    let password = errors.collect(Password::parse(&body.password, &body.email, "password"));
    if !body.privacy_consent {
        errors.push(
            "privacy_consent",
            "must be true: an account needs consent to the privacy policy",
        );
    }
    let (Some(email), Some(display_name), Some(password), true) =
        (email, display_name, password, errors.is_empty())
    else {
        return Err(errors);
    };
    Ok(Registration {
        email,
        display_name,
        password,
    })
}
