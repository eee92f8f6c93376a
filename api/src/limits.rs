//! Abuse limits. Every counter lives in PostgreSQL (`rate_limits`), so several API instances
//! share one limit rather than each granting its own.
//!
//! - Per principal: each signed-in user and each API key may make so many requests a minute;
//!   every answer says how many are left (`RateLimit-Limit`, `RateLimit-Remaining`,
//!   `RateLimit-Reset`, `RateLimit-Policy`), and one over gets 429 with `Retry-After`. Users
//!   are counted by their (signed) access token before the route runs, in the same statement
//!   that checks their account still exists with the role the token claims; keys once the
//!   route has authenticated them, so made-up keys are refused without a counter of their own.
//! - Sign-in, registration, token refresh, password change and erasure: per client address
//!   and per account. Sign-in attempts for one account are counted per client address: an
//!   address that failed too often waits until the window ends (at most 15 minutes), while
//!   the owner signs in from elsewhere. A much higher cap counts all addresses together;
//!   beyond it, only addresses without failures in the window may still try.
//!
//! Should the database fail while counting, the request goes ahead: the limiter must not turn
//! a database hiccup into refusals of its own (the request then meets the same database).
//!
//! The limits themselves are settings: `config::RateLimitSettings`.

use std::net::IpAddr;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use quartier_persistence::rate_limits::{self, window_start};

use crate::auth::KEY_PREFIX;
use crate::error::{ApiError, BearerChallenge};
use crate::state::AppState;
use crate::tokens::Claims;

/// A window of a limit.
#[derive(Debug, Clone, Copy)]
pub enum Window {
    Minute,
    QuarterHour,
    Hour,
}

impl Window {
    fn length(self) -> Duration {
        match self {
            Window::Minute => Duration::minutes(1),
            Window::QuarterHour => Duration::minutes(15),
            Window::Hour => Duration::hours(1),
        }
    }

    /// Whole seconds until the window holding `now` ends (at least 1).
    fn seconds_left(self, now: DateTime<Utc>) -> i64 {
        self.seconds_left_of(window_start(now, self.length()), now)
    }

    /// Whole seconds from `now` until the window that began at `start` ends (at least 1): the
    /// real wait for a counter, whose window may have been started by an instance whose
    /// clock runs ahead.
    fn seconds_left_of(self, start: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
        let end = start + self.length();
        (end - now).num_seconds().max(1)
    }
}

/// The client's address as a bucket name: IPv6 addresses by their /64, as one household or
/// host usually holds a whole /64.
pub fn client_address(req: &HttpRequest, hops: usize) -> String {
    let forwarded = (hops > 0)
        .then(|| {
            let chain: Vec<&str> = req
                .headers()
                .get_all("x-forwarded-for")
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .collect();
            chain
                .len()
                .checked_sub(hops)
                .and_then(|i| chain.get(i))
                .and_then(|a| a.parse::<IpAddr>().ok())
        })
        .flatten();
    let address = forwarded.or_else(|| req.peer_addr().map(|a| a.ip()));
    match address {
        Some(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map_or_else(String::new, |v4| v4.to_string()),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        None => "unknown".into(),
    }
}

/// A bucket for an account named by e-mail address, without the address itself.
pub fn account_bucket(kind: &str, email: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(email.trim().to_lowercase().as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("{kind}:{hex}")
}

fn too_many(retry_after: i64, detail: &str) -> ApiError {
    ApiError::TooManyRequests {
        retry_after: retry_after.max(1) as u64,
        detail: detail.into(),
    }
}

/// Counts one attempt in `bucket` and refuses it (429) when over `limit` in the window.
pub async fn attempt(
    state: &AppState,
    bucket: &str,
    limit: u32,
    window: Window,
    detail: &str,
) -> Result<(), ApiError> {
    if limit == 0 {
        return Ok(());
    }
    let now = Utc::now();
    match hit(state, bucket, window, now).await {
        Some(count) if count.hits > limit as i32 => Err(too_many(
            window.seconds_left_of(count.window_start, now),
            detail,
        )),
        _ => Ok(()),
    }
}

/// Counts one hit in `bucket`; `None` when counting failed (and the request goes ahead).
async fn hit(
    state: &AppState,
    bucket: &str,
    window: Window,
    now: DateTime<Utc>,
) -> Option<rate_limits::Count> {
    let counted = match state.conn().await {
        Ok(mut conn) => rate_limits::hit(&mut conn, bucket, window.length(), now, 1).await,
        Err(error) => {
            let _ = fail_open(error);
            return None;
        }
    };
    counted.map_err(|error| fail_open(error.into())).ok()
}

fn fail_open(error: ApiError) -> Result<(), ApiError> {
    tracing::warn!(%error, "counting a rate limit failed; letting the request through");
    Ok(())
}

/// Counts a sign-in, refresh, password change or erasure attempt from the request's client
/// address.
pub async fn auth_attempt_from(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    let address = client_address(req, state.rate_limits.proxy_hops);
    attempt(
        state,
        &format!("auth-address:{address}"),
        state.rate_limits.auth_per_minute,
        Window::Minute,
        "Too many attempts from this address: wait until Retry-After.",
    )
    .await
}

/// Counts a refresh, password change, erasure or registration attempt for one account
/// (`bucket` names it).
pub async fn account_attempt(state: &AppState, bucket: &str) -> Result<(), ApiError> {
    attempt(
        state,
        bucket,
        state.rate_limits.account_per_15_min,
        Window::QuarterHour,
        "Too many attempts for this account: wait until Retry-After.",
    )
    .await
}

/// The counters of sign-in attempts for one account from one client address.
#[derive(Debug)]
pub struct LoginAttempts {
    /// This account from this address: cleared by a success.
    pair: String,
}

/// Counts a sign-in attempt for one account (`account`: its id, or a hash of the address
/// that names no account) from the request's client address, before the password is
/// checked, so that attempts made at once count too. Refused while this address has made
/// `failed_logins` attempts for the account since its last success there in the window; and
/// once all addresses together have made `failed_logins_per_account`, refused for addresses
/// that have failed in the window, so that a correct password from anywhere else still
/// gets through.
pub async fn login_attempt(
    state: &AppState,
    req: &HttpRequest,
    account: &str,
) -> Result<LoginAttempts, ApiError> {
    let limits = state.rate_limits;
    let address = client_address(req, limits.proxy_hops);
    let attempts = LoginAttempts {
        pair: format!("{account}@{address}"),
    };
    let now = Utc::now();
    let window = Window::QuarterHour;
    let from_here = match limits.failed_logins {
        0 => None,
        _ => hit(state, &attempts.pair, window, now).await,
    };
    if let Some(counted) = from_here
        && counted.hits > limits.failed_logins as i32
    {
        return Err(too_many(
            window.seconds_left_of(counted.window_start, now),
            "Too many failed sign-ins for this account from this address: wait until \
             Retry-After, then try again.",
        ));
    }
    let first_from_here = from_here.is_none_or(|counted| counted.hits <= 1);
    if limits.failed_logins_per_account > 0
        && let Some(counted) = hit(state, account, window, now).await
        && counted.hits > limits.failed_logins_per_account as i32
        && !first_from_here
    {
        return Err(too_many(
            window.seconds_left_of(counted.window_start, now),
            "Too many failed sign-ins for this account: wait until Retry-After, then try again.",
        ));
    }
    Ok(attempts)
}

/// Forgets the sign-in attempts from this address after a successful one.
pub async fn clear_login_attempts(state: &AppState, attempts: &LoginAttempts) {
    if let Ok(mut conn) = state.conn().await
        && let Err(error) = rate_limits::reset(&mut conn, &attempts.pair).await
    {
        tracing::warn!(%error, "clearing sign-in attempts failed");
    }
}

/// The signed-in user a request is from, by a valid access token: their id and the role the
/// token claims. API keys are counted once they are authenticated (`count_key`).
fn signed_in(req: &ServiceRequest, state: &AppState) -> Option<Claims> {
    if req.headers().contains_key("x-api-key") {
        return None;
    }
    let bearer = bearer_token(req).filter(|token| !token.starts_with(KEY_PREFIX))?;
    state.tokens.verify_access(bearer).ok()
}

/// A request that names no principal: no API key, no access token (a token that is not
/// valid counts as none), and not a health check.
fn is_anonymous(req: &ServiceRequest) -> bool {
    let names_key = req.headers().contains_key("x-api-key")
        || bearer_token(req).is_some_and(|token| token.starts_with(KEY_PREFIX));
    !names_key && !req.path().starts_with("/health")
}

/// The token of an `Authorization: Bearer …` header, trimmed.
fn bearer_token(req: &ServiceRequest) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
}

/// Counts a signed-in user's request and checks, in the same round trip, that the account
/// still exists with the role the token claims and in the token's generation: an erased
/// account's tokens, an administrator token of someone who is no longer one, and tokens
/// issued before a password change or reset stop working at once.
async fn count_user(state: &AppState, claims: &Claims) -> Result<Option<Counted>, ApiError> {
    let user_id = claims.sub;
    let claimed_role = claims.role.as_str();
    let now = Utc::now();
    let window = Window::Minute;
    let bucket = format!("user:{user_id}");
    let counted = match state.conn().await {
        // Without a limit nothing is counted; the account is still checked.
        Ok(mut conn) if state.rate_limits.user_per_minute == 0 => {
            rate_limits::account_now(&mut conn, user_id).await.ok()
        }
        Ok(mut conn) => {
            rate_limits::hit_for_user(&mut conn, &bucket, window.length(), now, user_id)
                .await
                .ok()
        }
        Err(_) => None,
    };
    let Some(count) = counted else {
        tracing::warn!("counting the per-principal rate limit failed; letting the request through");
        return Ok(None);
    };
    let outdated = |detail: &str| ApiError::Unauthenticated {
        challenge: BearerChallenge::InvalidToken,
        detail: detail.into(),
    };
    match count.role.as_deref() {
        None => return Err(outdated("The account of this token no longer exists.")),
        Some(role) if claimed_role == "admin" && role != "admin" => {
            return Err(outdated(
                "This token names a role the account no longer has: sign in again.",
            ));
        }
        Some(_) if count.token_generation != Some(claims.generation) => {
            return Err(outdated(
                "The password of this account changed since this token was issued: sign in again.",
            ));
        }
        Some(_) => {}
    }
    judge(count.hits, state.rate_limits.user_per_minute, window, now)
}

/// A principal's `hits` in the window holding `now` against its `limit`: 429 when over, else
/// what it has left (`None` when there is no limit).
fn judge(
    hits: i32,
    limit: u32,
    window: Window,
    now: DateTime<Utc>,
) -> Result<Option<Counted>, ApiError> {
    if limit == 0 {
        return Ok(None);
    }
    let reset = window.seconds_left(now);
    if hits > limit as i32 {
        return Err(too_many(
            reset,
            "Too many requests from this account or API key: wait until Retry-After.",
        ));
    }
    Ok(Some(Counted {
        limit,
        remaining: (i64::from(limit) - i64::from(hits)).max(0),
        reset,
    }))
}

/// What a principal has left in the current window, for the `RateLimit-*` headers.
#[derive(Debug, Clone, Copy)]
pub struct Counted {
    limit: u32,
    remaining: i64,
    reset: i64,
}

/// Counts a request of the authenticated API key `key_id`: 429 when it is over its limit,
/// else what it has left (`None` when keys are not limited or counting failed).
pub async fn count_key(state: &AppState, key_id: uuid::Uuid) -> Result<Option<Counted>, ApiError> {
    let limit = state.rate_limits.key_per_minute;
    if limit == 0 {
        return Ok(None);
    }
    count(state, &format!("key:{key_id}"), limit).await
}

async fn count(state: &AppState, bucket: &str, limit: u32) -> Result<Option<Counted>, ApiError> {
    let now = Utc::now();
    let window = Window::Minute;
    match hit(state, bucket, window, now).await {
        Some(count) => judge(count.hits, limit, window, now),
        None => Ok(None),
    }
}

/// The per-principal limit, as middleware: counts the request before it runs, refuses it
/// with 429 when over, and tells every principal's answer how much is left.
///
/// A refusal is an answer, not an error of the middleware, so that it becomes a problem in
/// the reader's language like any other (`app::into_problem`).
pub async fn per_principal(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let user = state
        .as_ref()
        .and_then(|state| signed_in(&req, state).map(|u| (state.clone(), u)));
    let counted = match user {
        Some((state, claims)) => count_user(&state, &claims).await,
        None => match state.as_ref().filter(|state| {
            is_anonymous(&req)
                // The scraper with its token is an operation, not a reader; a wrong token
                // counts like any anonymous request.
                && !(req.path() == "/metrics"
                    && crate::metrics::presents_token(state, req.headers()))
        }) {
            Some(state) => {
                let address = client_address(req.request(), state.rate_limits.proxy_hops);
                state.fair_share.count(&address, Utc::now()).map(|budget| {
                    budget.map(|budget| Counted {
                        limit: budget.limit,
                        remaining: i64::from(budget.remaining),
                        reset: budget.reset,
                    })
                })
            }
            None => Ok(None),
        },
    };
    let counted = match counted {
        Ok(counted) => counted,
        Err(refusal) => {
            let (request, _) = req.into_parts();
            let response = HttpResponse::from_error(refusal);
            return Ok(ServiceResponse::new(request, response).map_into_right_body());
        }
    };
    let mut response = next.call(req).await?.map_into_left_body();
    // A key is counted when the route authenticates it, which leaves its count here.
    let counted = counted.or_else(|| response.request().extensions().get::<Counted>().copied());
    if let Some(c) = counted {
        let headers = response.headers_mut();
        for (name, value) in [
            ("ratelimit-limit", c.limit.to_string()),
            ("ratelimit-remaining", c.remaining.to_string()),
            ("ratelimit-reset", c.reset.to_string()),
            ("ratelimit-policy", format!("{};w=60", c.limit)),
        ] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn the_client_address_comes_from_the_peer_unless_proxies_are_trusted() {
        let peer = "10.0.0.9:4000".parse().expect("address");
        let req = TestRequest::default()
            .peer_addr(peer)
            .insert_header(("x-forwarded-for", "203.0.113.7, 198.51.100.2"))
            .to_http_request();
        assert_eq!(client_address(&req, 0), "10.0.0.9");
        assert_eq!(client_address(&req, 1), "198.51.100.2");
        assert_eq!(client_address(&req, 2), "203.0.113.7");
        // More hops than entries: the chain cannot be trusted, so the peer counts.
        assert_eq!(client_address(&req, 3), "10.0.0.9");
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_prefix() {
        let req = TestRequest::default()
            .peer_addr("[2001:db8:1:2:aaaa::1]:443".parse().expect("address"))
            .to_http_request();
        assert_eq!(client_address(&req, 0), "2001:db8:1:2::/64");
    }

    #[test]
    fn account_buckets_hide_the_address_and_ignore_case() {
        let a = account_bucket("login-failures", "Anna@Example.org ");
        assert_eq!(a, account_bucket("login-failures", "anna@example.org"));
        assert!(!a.contains("anna"));
    }
}
