//! Response headers that protect callers: cross-origin access for the configured web apps
//! only (and for any page to what is public, `Cache-Control: public`), HSTS when the
//! deployment asks for it, and no caching of what a credential unlocked.
//!
//! CORS never refuses a request here: a browser enforces it, by withholding a response that
//! does not name the page's origin. An origin that is not configured simply gets no
//! `Access-Control-*` headers (and its preflight no special answer), so same-origin pages such
//! as the Swagger UI and clients that are not browsers work as they always did.
//!
//! What to add comes from the settings: `config::HeaderPolicy`, held in `AppState`.

use actix_web::HttpResponse;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

use crate::config::HeaderPolicy;
use crate::state::AppState;

const ALLOWED_METHODS: &str = "GET, HEAD, POST, PUT, PATCH, DELETE";
const ALLOWED_HEADERS: &str = "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, X-Api-Key, X-Guest-Token";
const EXPOSED_HEADERS: &str = "ETag, Location, Retry-After, Allow";
/// How long a browser may keep a preflight's answer.
const PREFLIGHT_MAX_AGE_SECS: &str = "600";

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
        || req.headers().contains_key("x-api-key")
        || req.headers().contains_key(crate::auth::GUEST_TOKEN_HEADER)
        || req
            .headers()
            .contains_key(crate::routes::bounces::BOUNCE_TOKEN_HEADER);
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
    } else if is_public(headers) {
        // What anyone may keep, any page may read: the public feeds, for the widgets of
        // town and district websites. Never with credentials (`*` forbids them).
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
    if policy.varies_by_origin() {
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

/// Whether the response says anyone may keep it (`Cache-Control: public`): it is the same
/// for every caller.
fn is_public(headers: &HeaderMap) -> bool {
    headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|directive| directive.trim().eq_ignore_ascii_case("public"))
        })
}

fn add_hsts(headers: &mut HeaderMap, policy: &HeaderPolicy) {
    if let Some(hsts) = policy.hsts() {
        headers.insert(
            HeaderName::from_static("strict-transport-security"),
            hsts.clone(),
        );
    }
}
