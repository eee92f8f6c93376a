//! Request extractors whose failures are problems: a JSON body that names the field at fault,
//! and `If-Match` versions.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::AppState;

/// Used when no `AppState` is registered (never in the real app).
const FALLBACK_LIMIT: usize = 256 * 1024;

/// A JSON request body of type `T`.
///
/// Refuses other media types (415), bodies over the configured limit (413, before reading
/// them when `Content-Length` says so), bodies that are not JSON (400), and JSON that does not
/// fit `T` (422, naming the field, such as `password` or `address.postcode`).
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(FALLBACK_LIMIT, |state| state.body_limit);
        let is_json = matches!(
            req.mime_type(),
            Ok(Some(mime)) if mime.type_() == "application"
                && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"))
        );
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType);
            }
            if declared_length.is_some_and(|n| n > limit) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    ApiError::BadRequest(format!("The body could not be read: {e}"))
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
            parse_json(&body).map(Json)
        })
    }
}

/// For `#[serde(default, deserialize_with = "whole_number")]` on `Option<i64>` fields: JSON
/// has one kind of number, and JSON Schema counts `135.0` as the integer 135; a fraction is
/// refused.
pub fn whole_number<'de, D>(deserializer: D) -> Result<Option<i64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::Deserialize as _;
    use serde::de::Error as _;
    match Option::<serde_json::Number>::deserialize(deserializer)? {
        None => Ok(None),
        Some(number) => match (number.as_i64(), number.as_f64()) {
            (Some(whole), _) => Ok(Some(whole)),
            (None, Some(float)) if float.fract() == 0.0 && float.abs() < 9.0e15 => {
                Ok(Some(float as i64))
            }
            _ => Err(D::Error::custom(format!("{number} is not a whole number"))),
        },
    }
}

/// Parses an optional body: empty (or white space only) or `null` gives `T::default()`, else
/// as `parse_json`.
pub fn optional_json<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    Ok(parse_json::<Option<T>>(body)?.unwrap_or_default())
}

/// Parses `body` as `T`; a body that is not JSON is 400, JSON of the wrong shape is 422.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_data() {
            let message = strip_position(&inner.to_string());
            // A missing field is reported at the object that lacks it: name the field.
            let missing = message
                .strip_prefix("missing field `")
                .and_then(|rest| rest.strip_suffix('`'));
            let field = match (missing, path.as_str()) {
                (Some(name), ".") => name.to_owned(),
                (Some(name), object) => format!("{object}.{name}"),
                (None, ".") => "body".to_owned(),
                (None, _) => path,
            };
            ApiError::validation(&field, &message)
        } else {
            ApiError::BadRequest(format!("The body is not valid JSON: {inner}"))
        }
    })?;
    deserializer
        .end()
        .map_err(|e| ApiError::BadRequest(format!("The body is not valid JSON: {e}")))?;
    Ok(value)
}

/// serde_json ends data errors with " at line 1 column 42", noise once the field is named.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// What a client sent in `If-Match`. Extracting it never fails, so that problems with the
/// body are reported first; `check` turns it into 428 or 412 against the stored version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// No `If-Match`: a change without it is refused with 428.
    Missing,
    /// `*`: any current version.
    Any,
    /// The versions named by strong entity tags (`"3"`, as sent in `ETag`). Weak tags, tags
    /// this server never issued and malformed lists name none: If-Match compares strongly
    /// (RFC 9110, 13.1.1), so they match nothing.
    Versions(Vec<i32>),
}

impl IfMatch {
    /// The versions a change may apply to: `None` for any (`*`); 428 without `If-Match`. For
    /// changes whose version check happens in the database.
    pub fn versions(&self) -> Result<Option<&[i32]>, ApiError> {
        match self {
            IfMatch::Missing => Err(ApiError::PreconditionRequired),
            IfMatch::Any => Ok(None),
            IfMatch::Versions(versions) => Ok(Some(versions)),
        }
    }

    /// The versions a change may apply to where `If-Match` is optional: `None` for any
    /// (`*`, or no `If-Match` at all).
    pub fn optional_versions(&self) -> Option<&[i32]> {
        match self {
            IfMatch::Missing | IfMatch::Any => None,
            IfMatch::Versions(versions) => Some(versions),
        }
    }

    /// Ok when the stored `version` is one the client named.
    pub fn check(&self, version: i32) -> Result<(), ApiError> {
        match self {
            IfMatch::Missing => Err(ApiError::PreconditionRequired),
            IfMatch::Any => Ok(()),
            IfMatch::Versions(versions) if versions.contains(&version) => Ok(()),
            IfMatch::Versions(_) => Err(ApiError::VersionConflict),
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let values = req.headers().get_all(header::IF_MATCH);
        let joined: Vec<&str> = values.map(|v| v.to_str().unwrap_or("\u{0}")).collect();
        let parsed = if joined.is_empty() {
            IfMatch::Missing
        } else {
            parse_if_match(&joined.join(","))
        };
        std::future::ready(Ok(parsed))
    }
}

/// Parses `"*"` or a comma-separated list of entity tags (`"1", W/"2"`).
fn parse_if_match(raw: &str) -> IfMatch {
    if raw.trim() == "*" {
        return IfMatch::Any;
    }
    let mut versions = Vec::new();
    let mut rest = raw.trim_start_matches([' ', '\t', ',']);
    while !rest.is_empty() {
        let weak = rest.starts_with("W/");
        let tag = if weak { &rest[2..] } else { rest };
        let Some(opaque) = tag.strip_prefix('"') else {
            return IfMatch::Versions(Vec::new());
        };
        let Some(end) = opaque.find('"') else {
            return IfMatch::Versions(Vec::new());
        };
        // `"7"`, or `"7.en"` for the version served in a language (see `languages`).
        let version = opaque[..end].split('.').next().unwrap_or_default();
        if !weak && let Ok(version) = version.parse::<i32>() {
            versions.push(version);
        }
        rest = opaque[end + 1..].trim_start_matches([' ', '\t']);
        match rest.strip_prefix(',') {
            Some(after) => rest = after.trim_start_matches([' ', '\t', ',']),
            None if rest.is_empty() => {}
            None => return IfMatch::Versions(Vec::new()),
        }
    }
    IfMatch::Versions(versions)
}

/// What a client sent in `If-None-Match`: the entity tags of the copies it holds. Compared
/// weakly (RFC 9110, 13.1.2): `W/"3"` and `"3"` both name version 3.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IfNoneMatch(Option<String>);

impl IfNoneMatch {
    /// What `req` says in its `If-None-Match` headers (several are read as one list).
    pub fn of(req: &HttpRequest) -> Self {
        let values: Vec<&str> = req
            .headers()
            .get_all(header::IF_NONE_MATCH)
            .filter_map(|v| v.to_str().ok())
            .collect();
        IfNoneMatch((!values.is_empty()).then(|| values.join(",")))
    }

    /// True when the client's copy is the one tagged `etag`: answer 304 Not Modified.
    pub fn matches(&self, etag: &str) -> bool {
        let Some(raw) = &self.0 else { return false };
        let wanted = etag.trim_start_matches("W/");
        raw.trim() == "*"
            || raw
                .split(',')
                .map(|tag| tag.trim().trim_start_matches("W/"))
                .any(|tag| tag == wanted)
    }
}

impl FromRequest for IfNoneMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(IfNoneMatch::of(req)))
    }
}

/// 304 Not Modified for a client whose copy tagged `etag` is current.
pub fn not_modified(etag: &str) -> actix_web::HttpResponse {
    actix_web::HttpResponse::NotModified()
        .insert_header((header::ETAG, etag.to_owned()))
        .finish()
}

/// A JSON answer tagged with a weak `ETag` made from its body, for lists that have no version
/// of their own; 304 when the client already holds exactly this body.
pub fn json_with_body_etag(
    if_none_match: &IfNoneMatch,
    body: &impl serde::Serialize,
) -> Result<actix_web::HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(body)
        .map_err(|e| ApiError::Internal(format!("cannot serialize: {e}")))?;
    Ok(bytes_with_body_etag(
        if_none_match,
        bytes,
        "application/json",
    ))
}

/// A JSON answer about a resource at `version` whose body also shows what changes without
/// it (such as counts): a strong `ETag` `"{version}.{digest of the body}"`, which `If-Match`
/// reads as the version; 304 when the client already holds exactly this body.
pub fn json_with_version_and_body_etag(
    if_none_match: &IfNoneMatch,
    version: i32,
    body: &impl serde::Serialize,
) -> Result<actix_web::HttpResponse, ApiError> {
    use sha2::Digest as _;
    let bytes = serde_json::to_vec(body)
        .map_err(|e| ApiError::Internal(format!("cannot serialize: {e}")))?;
    let digest = sha2::Sha256::digest(&bytes);
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let tag = format!("\"{version}.{hex}\"");
    if if_none_match.matches(&tag) {
        return Ok(not_modified(&tag));
    }
    Ok(actix_web::HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::VARY, "Authorization"))
        .content_type("application/json")
        .body(bytes))
}

/// `bytes` of `content_type` tagged with a weak `ETag` made from them; 304 when the client
/// already holds exactly these bytes.
pub fn bytes_with_body_etag(
    if_none_match: &IfNoneMatch,
    bytes: Vec<u8>,
    content_type: &str,
) -> actix_web::HttpResponse {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(&bytes);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    let tag = format!("W/\"{hex}\"");
    if if_none_match.matches(&tag) {
        return not_modified(&tag);
    }
    actix_web::HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::VARY, "Authorization"))
        .content_type(content_type)
        .body(bytes)
}

/// For `#[serde(default, deserialize_with = "nullable")]` on `Option<Option<T>>` fields of a
/// change request: `null` clears the field (`Some(None)`), leaving it out keeps it (`None`).
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

/// A single resource at `version` with its `ETag`; 304 when the client holds that version.
pub fn versioned_json(
    if_none_match: &IfNoneMatch,
    version: i32,
    body: &impl serde::Serialize,
) -> actix_web::HttpResponse {
    let current = etag(version);
    if if_none_match.matches(&current) {
        return not_modified(&current);
    }
    actix_web::HttpResponse::Ok()
        .insert_header((header::ETAG, current))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .json(body)
}

/// The `ETag` value for a resource at `version`.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The `Idempotency-Key` a request carries: 1 to 200 visible ASCII characters (422
/// otherwise).
pub fn idempotency_key(request: &HttpRequest) -> Result<Option<String>, ApiError> {
    match request.headers().get("idempotency-key") {
        None => Ok(None),
        Some(value) => match value.to_str() {
            Ok(key) if (1..=200).contains(&key.len()) => Ok(Some(key.to_owned())),
            _ => Err(ApiError::validation(
                "header.Idempotency-Key",
                "must be 1 to 200 visible ASCII characters",
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only deserialized")]
    struct Sample {
        name: String,
        inner: Inner,
    }

    #[derive(Debug, Deserialize)]
    #[expect(dead_code, reason = "only deserialized")]
    struct Inner {
        count: u8,
    }

    fn problem(body: &str) -> crate::error::Problem {
        parse_json::<Sample>(body.as_bytes())
            .expect_err("should fail")
            .problem()
    }

    #[test]
    fn syntax_errors_are_400_and_shape_errors_name_the_field() {
        assert_eq!(problem("{\"name\": ").status, 400);
        assert_eq!(problem("").status, 400);
        assert_eq!(
            problem(r#"{"name": "x", "inner": {"count": 1}} trailing"#).status,
            400
        );
        let p = problem(r#"{"name": "x", "inner": {"count": 300}}"#);
        assert_eq!(p.status, 422);
        assert_eq!(p.errors[0].field, "inner.count");
        assert!(
            !p.errors[0].message.contains("line"),
            "{}",
            p.errors[0].message
        );
        let p = problem(r#"{"name": "x"}"#);
        assert_eq!((p.status, p.errors[0].field.as_str()), (422, "inner"));
        assert!(p.errors[0].message.contains("missing field `inner`"));
        let p = problem(r#"{"name": "x", "inner": {}}"#);
        assert_eq!(p.errors[0].field, "inner.count");
    }

    #[test]
    fn if_none_match_compares_weakly() {
        let sent = |s: &str| IfNoneMatch(Some(s.to_owned()));
        assert!(sent("\"3\"").matches("\"3\""));
        assert!(sent("W/\"3\"").matches("\"3\""));
        assert!(sent("\"1\", \"3\"").matches("\"3\""));
        assert!(sent("*").matches("\"9\""));
        assert!(!sent("\"2\"").matches("\"3\""));
        assert!(!IfNoneMatch::default().matches("\"3\""));
    }

    #[test]
    fn if_match_forms() {
        assert_eq!(parse_if_match("\"7\""), IfMatch::Versions(vec![7]));
        assert_eq!(
            parse_if_match("\"7.en\", \"8.*\""),
            IfMatch::Versions(vec![7, 8])
        );
        assert_eq!(parse_if_match("*"), IfMatch::Any);
        assert_eq!(
            parse_if_match("\"1\", \"2\",\"x\""),
            IfMatch::Versions(vec![1, 2])
        );
        assert_eq!(
            parse_if_match("W/\"7\""),
            IfMatch::Versions(vec![]),
            "weak tags never match"
        );
        assert_eq!(
            parse_if_match("\"7"),
            IfMatch::Versions(vec![]),
            "unterminated"
        );
        assert_eq!(parse_if_match("7"), IfMatch::Versions(vec![]), "unquoted");
        assert!(IfMatch::Any.check(3).is_ok());
        assert!(parse_if_match("\"2\", \"3\"").check(3).is_ok());
        assert!(matches!(
            IfMatch::Missing.check(1),
            Err(ApiError::PreconditionRequired)
        ));
        assert!(matches!(
            parse_if_match("\"2\"").check(3),
            Err(ApiError::VersionConflict)
        ));
        assert!(matches!(
            parse_if_match("W/\"3\"").check(3),
            Err(ApiError::VersionConflict)
        ));
    }
}
