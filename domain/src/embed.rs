//! Embedding Quartier's widgets in other websites: which origins may frame them.
//!
//! A town or an operator lists the websites that show its widgets in a frame. The list becomes
//! the `frame-ancestors` of the frame's `Content-Security-Policy`, so a browser refuses the
//! frame anywhere else (no clickjacking on a look-alike page).

use std::fmt;

/// How many origins one list holds at most: the list goes into a response header.
pub const MAX_ORIGINS: usize = 20;

/// A web origin in the form a `Content-Security-Policy` source takes it: `https://` or
/// `http://`, a host (a leading `*.` stands for any subdomain), and a port unless it is the
/// scheme's own. Written lower case, without path or trailing slash.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmbedOrigin(String);

impl EmbedOrigin {
    /// The origin `input` names (`https://www.Dortmund.de/` → `https://www.dortmund.de`), or
    /// why it names none.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let input = input.trim();
        let lower = input.to_ascii_lowercase();
        let (scheme, rest) = lower
            .split_once("://")
            .ok_or("must start with https:// or http://")?;
        let default_port: u16 = match scheme {
            "https" => 443,
            "http" => 80,
            _ => return Err("must start with https:// or http://"),
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#', '@']) {
            return Err("must be an origin only: no path, query, fragment or user");
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        };
        let port = match port {
            None => None,
            Some(port) => {
                let number: u16 = Some(port)
                    .filter(|p| {
                        !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())
                    })
                    .and_then(|p| p.parse().ok())
                    .filter(|p| *p > 0)
                    .ok_or("must have a port from 1 to 65535, if any")?;
                (number != default_port).then(|| number.to_string())
            }
        };
        check_host(host)?;
        let mut origin = format!("{scheme}://{host}");
        if let Some(port) = port {
            origin.push(':');
            origin.push_str(&port);
        }
        Ok(Self(origin))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmbedOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A host name of letters, digits and hyphens between dots (a leading `*.` allowed), or an
/// IPv4 address. IPv6 literals and bare wildcards are refused.
fn check_host(host: &str) -> Result<(), &'static str> {
    let name = host.strip_prefix("*.").unwrap_or(host);
    let labels_ok = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        });
    if !labels_ok {
        return Err("must name a host such as www.example.org (or *.example.org)");
    }
    if host.starts_with("*.") && !name.contains('.') {
        return Err("a wildcard must stand below a domain, such as *.example.org");
    }
    Ok(())
}

/// The `frame-ancestors` directive for a frame that `origins` may embed (besides Quartier's
/// own pages), each once.
pub fn frame_ancestors<'a>(origins: impl IntoIterator<Item = &'a EmbedOrigin>) -> String {
    let mut directive = String::from("frame-ancestors 'self'");
    let mut seen = std::collections::HashSet::new();
    for origin in origins {
        if seen.insert(origin.as_str()) {
            directive.push(' ');
            directive.push_str(origin.as_str());
        }
    }
    directive
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(input: &str) -> Result<String, &'static str> {
        EmbedOrigin::parse(input).map(|o| o.to_string())
    }

    fn origin(input: &str) -> EmbedOrigin {
        EmbedOrigin::parse(input).expect("an origin")
    }

    #[test]
    fn an_origin_is_written_one_way() {
        assert_eq!(
            parsed("https://www.Dortmund.de/").expect("an origin"),
            "https://www.dortmund.de"
        );
        assert_eq!(
            parsed(" https://example.org:443 ").expect("an origin"),
            "https://example.org"
        );
        assert_eq!(
            parsed("https://example.org:0443").expect("an origin"),
            "https://example.org"
        );
        assert_eq!(
            parsed("http://127.0.0.1:08081").expect("an origin"),
            "http://127.0.0.1:8081"
        );
        assert_eq!(
            parsed("http://127.0.0.1:8081").expect("an origin"),
            "http://127.0.0.1:8081"
        );
        assert_eq!(
            parsed("https://*.stadt.example").expect("an origin"),
            "https://*.stadt.example"
        );
    }

    #[test]
    fn what_is_not_an_origin_is_refused() {
        for input in [
            "",
            "www.example.org",
            "ftp://example.org",
            "https://example.org/path",
            "https://example.org/?q=1",
            "https://user@example.org",
            "https://example.org:0",
            "https://example.org:99999",
            "https://example.org:+443",
            "https://example.org:",
            "https://*",
            "https://*.org",
            "https://exa mple.org",
            "https://-example.org",
            "https://example..org",
            "https://example.org; script-src *",
            "https://[::1]",
            "javascript:alert(1)",
        ] {
            assert!(parsed(input).is_err(), "{input:?} was taken");
        }
    }

    #[test]
    fn frame_ancestors_name_each_origin_once_after_self() {
        let a = origin("https://a.example");
        let b = origin("https://b.example");
        assert_eq!(
            frame_ancestors([&a, &b, &a]),
            "frame-ancestors 'self' https://a.example https://b.example"
        );
        assert_eq!(frame_ancestors([]), "frame-ancestors 'self'");
    }
}
