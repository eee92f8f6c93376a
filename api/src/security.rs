//! Response headers that protect callers: cross-origin access for the configured web apps
//! only, HSTS when the deployment asks for it, and no caching of what a credential unlocked.
//!
//! CORS never refuses a request here: a browser enforces it, by withholding a response that
//! does not name the page's origin. An origin that is not configured simply gets no
//! `Access-Control-*` headers (and its preflight no special answer), so same-origin pages such
//! as the Swagger UI and clients that are not browsers work as they always did.

use actix_web::HttpResponse;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

use crate::state::AppState;

const ALLOWED_METHODS: &str = "GET, HEAD, POST, PUT, PATCH, DELETE";
const ALLOWED_HEADERS: &str =
    "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, X-Api-Key";
const EXPOSED_HEADERS: &str = "ETag, Location, Retry-After, Allow";
/// How long a browser may keep a preflight's answer.
const PREFLIGHT_MAX_AGE_SECS: &str = "600";

/// What the middleware adds, from the settings.
#[derive(Debug, Clone, Default)]
pub struct HeaderPolicy {
    /// Origins (`scheme://host[:port]`, lower case) whose pages may call the API.
    cors_origins: Vec<String>,
    /// The `Strict-Transport-Security` value, when HSTS is switched on.
    hsts: Option<HeaderValue>,
}

impl HeaderPolicy {
    pub fn new(cors_origins: &[String], hsts_max_age_secs: u64) -> Self {
        Self {
            cors_origins: cors_origins
                .iter()
                .map(|o| o.to_ascii_lowercase())
                .collect(),
            hsts: (hsts_max_age_secs > 0)
                .then(|| format!("max-age={hsts_max_age_secs}; includeSubDomains"))
                .and_then(|value| HeaderValue::from_str(&value).ok()),
        }
    }

    /// The request's `Origin`, when it is one of the configured ones.
    fn allowed_origin(&self, headers: &HeaderMap) -> Option<HeaderValue> {
        let origin = headers.get(header::ORIGIN)?;
        let text = origin.to_str().ok()?.to_ascii_lowercase();
        self.cors_origins.contains(&text).then(|| origin.clone())
    }
}

/// Checks an origin as configured: `http` or `https`, a host, an optional port, nothing else.
pub fn parse_origin(text: &str) -> Result<String, String> {
    let origin = text.trim();
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(|| format!("{origin:?} does not start with https:// or http://"))?;
    let valid = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !valid {
        return Err(format!(
            "{origin:?} is not an origin: scheme, host and port only, no path, no wildcard"
        ));
    }
    Ok(origin.to_ascii_lowercase())
}

/// Answers the preflights of configured origins, and adds the policy's headers to every
/// response.
pub async fn headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let policy = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.header_policy.clone())
        .unwrap_or_default();
    let origin = policy.allowed_origin(req.headers());
    let credentialed = req.headers().contains_key(header::AUTHORIZATION)
        || req.headers().contains_key("x-api-key");
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);

    if let (true, Some(origin)) = (preflight, &origin) {
        let response = HttpResponse::NoContent()
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone()))
            .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS))
            .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, PREFLIGHT_MAX_AGE_SECS))
            .insert_header((
                header::VARY,
                "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
            ))
            .finish();
        let mut response = req.into_response(response).map_into_right_body();
        add_hsts(response.headers_mut(), &policy);
        return Ok(response);
    }

    let mut response = next.call(req).await?.map_into_left_body();
    let headers = response.headers_mut();
    if let Some(origin) = origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
    if !policy.cors_origins.is_empty() {
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    // What a token or key unlocked is nobody's to keep: not a shared cache's, not the
    // browser's disk. Responses that say otherwise (private, revalidated with an ETag) keep
    // what they say.
    if credentialed && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    add_hsts(headers, &policy);
    Ok(response)
}

fn add_hsts(headers: &mut HeaderMap, policy: &HeaderPolicy) {
    if let Some(hsts) = &policy.hsts {
        headers.insert(
            HeaderName::from_static("strict-transport-security"),
            hsts.clone(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert_eq!(
            parse_origin(" https://App.Example.org ").as_deref(),
            Ok("https://app.example.org")
        );
        assert_eq!(
            parse_origin("http://localhost:5173").as_deref(),
            Ok("http://localhost:5173")
        );
        for bad in [
            "*",
            "app.example.org",
            "https://",
            "https://app.example.org/",
            "https://app.example.org/path",
            "ftp://app.example.org",
            "https://*.example.org",
            "https://user@app.example.org",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad} should be refused");
        }
    }
}
