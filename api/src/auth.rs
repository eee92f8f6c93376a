//! Who is calling: extractors that handlers name in their signature to state what they require.
//!
//! - no extractor: anyone, anonymous included;
//! - `AuthUser`: any signed-in user (a valid access token);
//! - `Admin`: a signed-in user with the admin role.
//!
//! Each route's `security(..)` in OpenAPI mirrors the extractor it takes.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use quartier_domain::Role;
use uuid::Uuid;

use crate::error::{ApiError, BearerChallenge};
use crate::state::AppState;

/// The name of the bearer security scheme in the OpenAPI document.
pub const BEARER: &str = "bearer";

/// A signed-in user, as their access token describes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthUser {
    pub id: Uuid,
    pub role: Role,
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> Result<AuthUser, ApiError> {
    let missing = || ApiError::Unauthenticated {
        challenge: BearerChallenge::Missing,
        detail: "Sign in and send the access token as Authorization: Bearer <token>.".into(),
    };
    let invalid = || ApiError::Unauthenticated {
        challenge: BearerChallenge::InvalidToken,
        detail: "The access token is invalid or has expired. Refresh it or sign in again.".into(),
    };
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(missing)?;
    let value = value.to_str().map_err(|_| invalid())?;
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => return Err(invalid()),
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))?;
    let claims = state.tokens.verify_access(token).map_err(|_| invalid())?;
    let role = Role::parse(&claims.role).ok_or_else(invalid)?;
    Ok(AuthUser {
        id: claims.sub,
        role,
    })
}

/// A signed-in administrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admin(pub AuthUser);

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(authenticate(req).and_then(|user| match user.role {
            Role::Admin => Ok(Admin(user)),
            Role::Member => Err(ApiError::Forbidden(
                "Only administrators may do this.".into(),
            )),
        }))
    }
}

/// The signed-in user if the request carries an access token, for public routes that show
/// staff more. A token that is sent must be valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaybeUser(pub Option<AuthUser>);

impl FromRequest for MaybeUser {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if req.headers().contains_key(header::AUTHORIZATION) {
            std::future::ready(authenticate(req).map(|user| MaybeUser(Some(user))))
        } else {
            std::future::ready(Ok(MaybeUser(None)))
        }
    }
}
