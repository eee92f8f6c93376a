//! How Quartier faces the web: the address clients reach it at, the browser origins whose
//! pages may call it, the response headers that follow from that (CORS, HSTS), and the
//! privacy policy it points users to.

use actix_web::http::header::{self, HeaderMap, HeaderValue};

use super::{ConfigError, error};

/// The version of the privacy policy when none is configured.
pub const DEFAULT_PRIVACY_POLICY_VERSION: &str = "2026-11";

/// The privacy policy in force: users agree to this version when they register, and again
/// when it changes.
#[derive(Debug, Clone)]
pub struct PrivacyPolicy {
    /// 1 to 64 letters, digits, `.`, `_` or `-`, such as `2026-11`.
    pub version: String,
    /// Where the policy can be read, when configured.
    pub url: Option<String>,
}

impl PrivacyPolicy {
    /// Reads `QUARTIER_PRIVACY_POLICY_VERSION` and `QUARTIER_PRIVACY_POLICY_URL` through `get`.
    pub(super) fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Ok(Self {
            version: match get("QUARTIER_PRIVACY_POLICY_VERSION") {
                None => DEFAULT_PRIVACY_POLICY_VERSION.into(),
                Some(raw) => {
                    let version = raw.trim();
                    let valid = (1..=64).contains(&version.len())
                        && version
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
                    if !valid {
                        return Err(error(
                            "QUARTIER_PRIVACY_POLICY_VERSION",
                            format!("{raw:?} is not 1 to 64 letters, digits, '.', '_' or '-'"),
                        ));
                    }
                    version.to_owned()
                }
            },
            url: get("QUARTIER_PRIVACY_POLICY_URL")
                .map(|raw| {
                    let url = raw.trim().to_owned();
                    let valid = (url.starts_with("https://") || url.starts_with("http://"))
                        && url.len() <= 2000
                        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
                    valid.then_some(url).ok_or_else(|| {
                        error(
                            "QUARTIER_PRIVACY_POLICY_URL",
                            format!("{raw:?} is not an http(s) URL"),
                        )
                    })
                })
                .transpose()?,
        })
    }
}

/// `QUARTIER_PUBLIC_URL`, without a trailing slash; `http://localhost:8080` when unset.
pub(super) fn public_url(raw: Option<String>) -> Result<String, ConfigError> {
    let Some(raw) = raw else {
        return Ok("http://localhost:8080".into());
    };
    let url = raw.trim().trim_end_matches('/');
    let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
    if !scheme_ok || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(error(
            "QUARTIER_PUBLIC_URL",
            format!("{raw:?} is not an http(s) URL such as https://quartier.example.org"),
        ));
    }
    Ok(url.to_owned())
}

/// `QUARTIER_CORS_ORIGINS`: comma-separated origins, each checked by `parse_origin`; none
/// when unset.
pub(super) fn cors_origins(raw: Option<String>) -> Result<Vec<String>, ConfigError> {
    raw.map(|raw| {
        raw.split(',')
            .filter(|o| !o.trim().is_empty())
            .map(parse_origin)
            .collect::<Result<Vec<_>, _>>()
    })
    .transpose()
    .map_err(|e| error("QUARTIER_CORS_ORIGINS", e))
    .map(Option::unwrap_or_default)
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

/// What the `security` middleware adds to responses, from the settings.
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
    pub fn allowed_origin(&self, headers: &HeaderMap) -> Option<HeaderValue> {
        let origin = headers.get(header::ORIGIN)?;
        let text = origin.to_str().ok()?.to_ascii_lowercase();
        self.cors_origins.contains(&text).then(|| origin.clone())
    }

    /// Whether any origin is configured, so that answers depend on the request's `Origin`.
    pub fn varies_by_origin(&self) -> bool {
        !self.cors_origins.is_empty()
    }

    /// The `Strict-Transport-Security` value, when HSTS is switched on.
    pub fn hsts(&self) -> Option<&HeaderValue> {
        self.hsts.as_ref()
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
