//! Who is calling: extractors that handlers name in their signature to state what they require.
//!
//! - no extractor: anyone, anonymous included;
//! - `AuthUser`: any signed-in user (a valid access token);
//! - `Admin`: a signed-in user with the admin role;
//! - `Caller`: a signed-in user or an operator's API key (`X-Api-Key`, or
//!   `Authorization: Bearer qk_…`); what a key may do is checked in `authz`;
//! - `MaybeCaller`: either of those, or no one.
//!
//! Routes that only people may use take `AuthUser`: an API key there is refused with 403.
//!
//! Each route's `security(..)` in OpenAPI mirrors the extractor it takes.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use quartier_domain::Role;
use quartier_domain::integration::Scope;
use quartier_persistence::api_keys;
use quartier_persistence::audit::Actor;
use uuid::Uuid;

use crate::error::{ApiError, BearerChallenge};
use crate::state::AppState;

/// The name of the bearer security scheme in the OpenAPI document.
pub const BEARER: &str = "bearer";

/// The name of the API key security scheme in the OpenAPI document.
pub const API_KEY: &str = "api_key";

/// The name of the guest link security scheme in the OpenAPI document.
pub const GUEST_TOKEN: &str = "guest_token";

/// The header that carries a guest's link token.
pub const GUEST_TOKEN_HEADER: &str = "x-guest-token";

/// How every API key begins, so that it can be told from an access token.
pub const KEY_PREFIX: &str = "qk_";

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
    if presented_key(req)?.is_some() {
        return Err(ApiError::Forbidden(
            "API keys cannot be used here: this operation is for signed-in people.".into(),
        ));
    }
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

/// An operator's API key that authenticated this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCaller {
    pub key_id: Uuid,
    pub operator_id: Uuid,
    pub scopes: Vec<Scope>,
    pub operator_active: bool,
}

/// Who is calling a route that people and operators' systems can both use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    User(AuthUser),
    Key(KeyCaller),
}

impl Caller {
    /// The signed-in person, if it is one.
    pub fn user(&self) -> Option<AuthUser> {
        match self {
            Caller::User(user) => Some(*user),
            Caller::Key(_) => None,
        }
    }

    pub fn is_admin(&self) -> bool {
        matches!(self, Caller::User(user) if user.role == Role::Admin)
    }

    /// How the audit trail names this caller.
    pub fn actor(&self) -> Actor {
        match self {
            Caller::User(user) => Actor::User(user.id),
            Caller::Key(key) => Actor::Key(key.key_id),
        }
    }
}

impl AuthUser {
    /// How the audit trail names this person.
    pub fn actor(&self) -> Actor {
        Actor::User(self.id)
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        caller(req)
    }
}

/// A `Caller` if the request carries credentials; a credential that is sent must be valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let headers = req.headers();
        if headers.contains_key(header::AUTHORIZATION) || headers.contains_key(API_KEY_HEADER) {
            let caller = caller(req);
            Box::pin(async move { caller.await.map(|c| MaybeCaller(Some(c))) })
        } else {
            Box::pin(std::future::ready(Ok(MaybeCaller(None))))
        }
    }
}

const API_KEY_HEADER: &str = "x-api-key";

fn caller(req: &HttpRequest) -> LocalBoxFuture<'static, Result<Caller, ApiError>> {
    let secret = match presented_key(req) {
        Err(error) => return Box::pin(std::future::ready(Err(error))),
        Ok(None) => return Box::pin(std::future::ready(authenticate(req).map(Caller::User))),
        Ok(Some(secret)) => secret,
    };
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let req = req.clone();
    Box::pin(async move {
        let state = state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
        let key = authenticate_key(&state, &secret).await?;
        // Only keys that exist are counted, so unknown ones cannot fill the counters.
        let counted = crate::limits::count_key(&state, key.key_id).await?;
        if let Some(counted) = counted {
            req.extensions_mut().insert(counted);
        }
        Ok(Caller::Key(key))
    })
}

/// The API key the request presents, if any: `X-Api-Key`, or a bearer token that is a key.
fn presented_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let invalid = || invalid_key("The API key is not valid.");
    let headers = req.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| token.starts_with(KEY_PREFIX));
    match (headers.get(API_KEY_HEADER), bearer) {
        (None, None) => Ok(None),
        (None, Some(token)) => Ok(Some(token.to_owned())),
        (Some(_), _) if headers.contains_key(header::AUTHORIZATION) => Err(invalid_key(
            "Send one credential: an access token or an API key, not both.",
        )),
        (Some(value), _) => {
            let value = value.to_str().map_err(|_| invalid())?.trim();
            Ok(Some(value.to_owned()))
        }
    }
}

fn invalid_key(detail: &str) -> ApiError {
    ApiError::Unauthenticated {
        challenge: BearerChallenge::InvalidToken,
        detail: detail.into(),
    }
}

/// The SHA-256 of a presented key: keys are long random secrets, so a fast hash suffices
/// (nothing to guess), and the lookup needs no per-key salt.
pub fn key_hash(secret: &str) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(secret.as_bytes()).to_vec()
}

async fn authenticate_key(state: &AppState, secret: &str) -> Result<KeyCaller, ApiError> {
    if !secret.starts_with(KEY_PREFIX) || secret.len() > 200 {
        return Err(invalid_key("The API key is not valid."));
    }
    let mut conn = state.conn().await?;
    let now = chrono::Utc::now();
    let found = api_keys::authenticate(&mut conn, &key_hash(secret), now)
        .await?
        .ok_or_else(|| invalid_key("The API key is not valid."))?;
    if found.key.revoked_at.is_some() {
        return Err(invalid_key("This API key was revoked."));
    }
    if found.key.expires_at.is_some_and(|at| at <= now) {
        return Err(invalid_key("This API key has expired."));
    }
    Ok(KeyCaller {
        key_id: found.key.id,
        operator_id: found.key.operator_id,
        scopes: found
            .key
            .scopes
            .iter()
            .filter_map(|scope| Scope::parse(scope))
            .collect(),
        operator_active: found.operator_active,
    })
}

/// A guest, by the token of the link mailed to her (`POST /guest/links`), sent as
/// `X-Guest-Token`: enough for her own sign-ups and data, nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guest {
    pub id: Uuid,
}

impl FromRequest for Guest {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let invalid = |detail: &str| ApiError::Unauthenticated {
            challenge: BearerChallenge::InvalidToken,
            detail: detail.into(),
        };
        let token = match req.headers().get(GUEST_TOKEN_HEADER) {
            None => {
                return Box::pin(std::future::ready(Err(ApiError::Unauthenticated {
                    challenge: BearerChallenge::Missing,
                    detail: "Send the token of the link Quartier mailed you as X-Guest-Token (ask for one at POST /guest/links).".into(),
                })));
            }
            Some(value) => match value.to_str() {
                Ok(token) if (1..=100).contains(&token.trim().len()) => token.trim().to_owned(),
                _ => {
                    return Box::pin(std::future::ready(Err(invalid(
                        "The guest token is not valid.",
                    ))));
                }
            },
        };
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            let mut conn = state.conn().await?;
            let found = quartier_persistence::account_tokens::find_valid(
                &mut conn,
                &crate::tokens::LinkTokens::hash(&token),
                quartier_persistence::account_tokens::Purpose::GuestAccess,
            )
            .await?;
            match found {
                Some(found)
                    if quartier_persistence::guests::is_guest(&mut conn, found.user_id).await? =>
                {
                    Ok(Guest { id: found.user_id })
                }
                _ => Err(invalid(
                    "The guest link is unknown, replaced or expired: ask for a new one at POST /guest/links.",
                )),
            }
        })
    }
}
