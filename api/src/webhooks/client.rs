//! Sending webhooks without becoming a door into our own network (SSRF). Subscriber URLs are
//! checked when saved and again before every delivery, and the HTTP client connects only to
//! addresses the [`AddressPolicy`] permits, whatever DNS answers at the time of sending.

use std::error::Error as StdError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Client, Url, redirect};

use super::signature::{self, WebhookSecret};

/// Longest subscriber URL we accept, in characters.
const MAX_URL_CHARS: usize = 2000;
/// How much of a response body goes into the delivery log.
const MAX_EXCERPT_BYTES: usize = 4096;
/// Connecting gets at most this long, even when the total timeout is longer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const USER_AGENT: &str = concat!("Quartier-Webhooks/", env!("CARGO_PKG_VERSION"));

/// Which addresses besides the public internet may receive webhooks. The default permits
/// neither loopback nor private networks; development and tests may permit loopback.
/// Unspecified, broadcast, multicast, documentation and other reserved addresses are never
/// permitted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddressPolicy {
    /// 127.0.0.0/8, `::1` and the host names `localhost` and `*.localhost`.
    pub allow_loopback: bool,
    /// RFC 1918, CGNAT, link-local (cloud metadata), unique local IPv6, benchmarking and
    /// 240.0.0.0/4.
    pub allow_private: bool,
}

/// How far an address reaches, as far as the policy cares.
enum Reach {
    Never,
    Loopback,
    Private,
    Public,
}

impl AddressPolicy {
    /// Whether a webhook may be sent to this address.
    pub fn permits(&self, ip: IpAddr) -> bool {
        let reach = match ip {
            IpAddr::V4(ip) => reach_v4(ip),
            IpAddr::V6(ip) => reach_v6(ip),
        };
        match reach {
            Reach::Never => false,
            Reach::Loopback => self.allow_loopback,
            Reach::Private => self.allow_private,
            Reach::Public => true,
        }
    }
}

fn reach_v4(ip: Ipv4Addr) -> Reach {
    match ip.octets() {
        [255, 255, 255, 255] => Reach::Never,
        // "This network" (0.0.0.0 among it) and multicast.
        [0, ..] | [224..=239, ..] => Reach::Never,
        // Documentation: TEST-NET-1, -2 and -3.
        [192, 0, 2, _] | [198, 51, 100, _] | [203, 0, 113, _] => Reach::Never,
        [127, ..] => Reach::Loopback,
        [10, ..]
        | [172, 16..=31, ..]
        | [192, 168, ..]
        | [100, 64..=127, ..] // Carrier-grade NAT
        | [169, 254, ..] // Link-local, where cloud metadata services live
        | [198, 18..=19, ..] // Benchmarking
        | [192, 0, 0, _] // IETF protocol assignments
        | [240..=255, ..] => Reach::Private,
        _ => Reach::Public,
    }
}

fn reach_v6(ip: Ipv6Addr) -> Reach {
    let embedded = |high: u16, low: u16| {
        let [a, b] = high.to_be_bytes();
        let [c, d] = low.to_be_bytes();
        reach_v4(Ipv4Addr::new(a, b, c, d))
    };
    match ip.segments() {
        [0, 0, 0, 0, 0, 0, 0, 0] => Reach::Never,
        [0, 0, 0, 0, 0, 0, 0, 1] => Reach::Loopback,
        // IPv4-compatible and IPv4-mapped: the socket reaches the IPv4 address.
        [0, 0, 0, 0, 0, 0 | 0xffff, high, low] => embedded(high, low),
        // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry the IPv4 address they lead to.
        [0x64, 0xff9b, 0, 0, 0, 0, high, low] | [0x2002, high, low, ..] => embedded(high, low),
        // Local-use NAT64 (64:ff9b:1::/48) translates into networks we cannot judge.
        [0x64, 0xff9b, 1, ..] => Reach::Private,
        // Documentation (2001:db8::/32, 3fff::/20) and Teredo tunnels (2001::/32).
        [0x2001, 0xdb8, ..] | [0x2001, 0, ..] => Reach::Never,
        [0x3fff, second, ..] if second < 0x1000 => Reach::Never,
        // Unique local fc00::/7; link-local fe80::/10 and the old site-local fec0::/10.
        [0xfc00..=0xfdff, ..] | [0xfe80..=0xfeff, ..] => Reach::Private,
        [0x2000..=0x3fff, ..] => Reach::Public,
        // Multicast and everything outside global unicast (2000::/3) is reserved.
        _ => Reach::Never,
    }
}

/// Why a URL may not receive webhooks. Each message suits a 422 answer about the `url` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefusal {
    /// The text does not parse as a URL.
    #[error("Enter a complete http or https address, such as https://example.org/webhooks.")]
    Malformed,
    /// Any scheme but `http` and `https`.
    #[error("Only http and https addresses can receive webhooks.")]
    NotHttp,
    /// The URL names no host.
    #[error("The address must name a host.")]
    NoHost,
    /// `user:password@` in the URL: it would be stored and logged with the URL.
    #[error("The address must not contain a user name or password.")]
    Credentials,
    /// Longer than 2000 characters.
    #[error("The address must be at most 2000 characters long.")]
    TooLong,
    /// The host is an IP address or `localhost` that the policy does not permit.
    #[error("This address is local, private or reserved and cannot receive webhooks.")]
    AddressNotAllowed,
}

/// Checks a subscriber URL and returns it parsed. Host names other than `localhost` are
/// judged when they are resolved, at sending time, by [`Sender`].
pub fn check_url(raw: &str, policy: &AddressPolicy) -> Result<Url, UrlRefusal> {
    if raw.chars().count() > MAX_URL_CHARS {
        return Err(UrlRefusal::TooLong);
    }
    let url = Url::parse(raw).map_err(|_| UrlRefusal::Malformed)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UrlRefusal::NotHttp);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlRefusal::Credentials);
    }
    let host = url.host_str().ok_or(UrlRefusal::NoHost)?;
    // IPv6 hosts come in brackets; IPv4 hosts are already normalised (`http://2130706433/`
    // becomes `127.0.0.1`).
    let permitted = match host.trim_start_matches('[').trim_end_matches(']').parse() {
        Ok(ip) => policy.permits(ip),
        Err(_) => policy.allow_loopback || !is_localhost(host),
    };
    if !permitted {
        return Err(UrlRefusal::AddressNotAllowed);
    }
    Ok(url)
}

fn is_localhost(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost")
}

/// What one delivery attempt came to, for the delivery log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The HTTP status, if a response arrived.
    pub status: Option<u16>,
    /// Why the attempt failed, briefly ("HTTP 500", "timed out after 10 s"); `None` on success.
    pub error: Option<String>,
    /// From just before the URL check to the end of reading the response excerpt.
    pub duration_ms: i64,
    /// The start of the response body, at most 4 KiB, decoded leniently as UTF-8.
    pub response_excerpt: Option<String>,
}

impl Attempt {
    /// A 2xx answer; redirects count as failures because they are not followed.
    pub fn succeeded(&self) -> bool {
        self.error.is_none()
            && self
                .status
                .is_some_and(|status| (200..300).contains(&status))
    }
}

/// The resolver refused every address a host name resolved to.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves only to addresses that may not receive webhooks")]
struct AddressRefused {
    host: String,
}

/// Resolves with the system resolver and drops the addresses the policy refuses, so that a
/// name cannot lead the client into our network, whatever its DNS says at sending time.
#[derive(Debug)]
struct PolicyResolver {
    policy: AddressPolicy,
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let permitted: Vec<SocketAddr> =
                found.filter(|addr| policy.permits(addr.ip())).collect();
            if permitted.is_empty() {
                let refused = AddressRefused {
                    host: name.as_str().to_owned(),
                };
                return Err(refused.into());
            }
            let addrs: Addrs = Box::new(permitted.into_iter());
            Ok(addrs)
        })
    }
}

/// Sends signed webhooks over HTTP(S) with rustls, only to permitted addresses, without
/// following redirects or using proxies from the environment. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Sender {
    client: Client,
    policy: AddressPolicy,
    timeout: Duration,
}

impl Sender {
    /// A sender whose every attempt, from connecting to reading the response, ends after
    /// `timeout`.
    pub fn new(policy: AddressPolicy, timeout: Duration) -> Result<Self, reqwest::Error> {
        let client = Client::builder()
            .use_rustls_tls()
            .dns_resolver(Arc::new(PolicyResolver { policy }))
            .redirect(redirect::Policy::none())
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(CONNECT_TIMEOUT.min(timeout))
            .user_agent(USER_AGENT)
            .build()?;
        Ok(Self {
            client,
            policy,
            timeout,
        })
    }

    /// POSTs `body` as JSON with the Standard Webhooks headers and reports how it went.
    /// Never fails: every problem becomes the attempt's `error`.
    pub async fn deliver(
        &self,
        url: &str,
        msg_id: &str,
        timestamp: i64,
        body: &[u8],
        secret: &WebhookSecret,
    ) -> Attempt {
        let started = Instant::now();
        let outcome = self.send(url, msg_id, timestamp, body, secret).await;
        let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        match outcome {
            Ok((status, response_excerpt)) => Attempt {
                status: Some(status),
                error: match status {
                    200..=299 => None,
                    300..=399 => Some(format!("HTTP {status} (redirects are not followed)")),
                    _ => Some(format!("HTTP {status}")),
                },
                duration_ms,
                response_excerpt,
            },
            Err(error) => Attempt {
                status: None,
                error: Some(error),
                duration_ms,
                response_excerpt: None,
            },
        }
    }

    /// The status and body excerpt, or why no response came.
    async fn send(
        &self,
        url: &str,
        msg_id: &str,
        timestamp: i64,
        body: &[u8],
        secret: &WebhookSecret,
    ) -> Result<(u16, Option<String>), String> {
        // IP literals never reach the resolver, so this check is what stops them.
        let url = check_url(url, &self.policy).map_err(|refusal| match refusal {
            UrlRefusal::AddressNotAllowed => {
                "address not allowed: loopback, private or reserved address".to_owned()
            }
            other => format!("invalid URL: {other}"),
        })?;
        let signature = signature::sign(secret, msg_id, timestamp, body);
        let mut response = self
            .client
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .header("webhook-id", msg_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body.to_vec())
            .send()
            .await
            .map_err(|error| self.describe(&error))?;
        let status = response.status().as_u16();

        // The body is only for the log: read a bounded start of it and ignore failures, the
        // status has already decided the outcome.
        let mut excerpt = Vec::new();
        while excerpt.len() < MAX_EXCERPT_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = MAX_EXCERPT_BYTES - excerpt.len();
                    excerpt.extend_from_slice(chunk.get(..room).unwrap_or(&chunk));
                }
                Ok(None) | Err(_) => break,
            }
        }
        let excerpt = (!excerpt.is_empty()).then(|| String::from_utf8_lossy(&excerpt).into_owned());
        Ok((status, excerpt))
    }

    /// A short description of a failed request for the delivery log. reqwest's own messages
    /// name the URL, which the log already holds; the secret appears in none of them.
    fn describe(&self, error: &reqwest::Error) -> String {
        if let Some(refused) = causes(error).find_map(|e| e.downcast_ref::<AddressRefused>()) {
            return format!("address not allowed: {refused}");
        }
        if error.is_timeout() {
            return if error.is_connect() {
                format!(
                    "connecting timed out after {}",
                    seconds(CONNECT_TIMEOUT.min(self.timeout))
                )
            } else {
                format!("timed out after {}", seconds(self.timeout))
            };
        }
        if let Some(io) = causes(error).find_map(|e| e.downcast_ref::<std::io::Error>()) {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return "connection refused".to_owned(),
                std::io::ErrorKind::ConnectionReset => return "connection reset".to_owned(),
                _ => {}
            }
        }
        let innermost = causes(error)
            .last()
            .map(ToString::to_string)
            .unwrap_or_default();
        let what = if error.is_connect() {
            "could not connect"
        } else {
            "request failed"
        };
        format!("{what}: {innermost}")
    }
}

/// An error and its sources, outermost first.
fn causes<'a>(
    error: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(error), |&e| e.source())
}

fn seconds(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::HashMap;

    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::TcpListener;
    use tokio::task::JoinHandle;

    use super::*;

    const STRICT: AddressPolicy = AddressPolicy {
        allow_loopback: false,
        allow_private: false,
    };
    const LOOPBACK: AddressPolicy = AddressPolicy {
        allow_loopback: true,
        allow_private: false,
    };
    const PRIVATE: AddressPolicy = AddressPolicy {
        allow_loopback: false,
        allow_private: true,
    };
    const BODY: &[u8] = br#"{"type":"shift.created","data":{"id":"0197"}}"#;

    #[test]
    fn policy_table() {
        // address, strict, loopback allowed, private allowed
        let cases = [
            ("8.8.8.8", true, true, true),
            ("1.1.1.1", true, true, true),
            ("2001:4860::8888", true, true, true),
            ("::ffff:8.8.8.8", true, true, true),
            ("64:ff9b::808:808", true, true, true),
            ("127.0.0.1", false, true, false),
            ("127.1.2.3", false, true, false),
            ("::1", false, true, false),
            ("::ffff:127.0.0.1", false, true, false),
            ("::127.0.0.1", false, true, false),
            ("64:ff9b::7f00:1", false, true, false),
            ("2002:7f00:1::1", false, true, false),
            ("10.1.2.3", false, false, true),
            ("172.16.0.1", false, false, true),
            ("172.31.255.255", false, false, true),
            ("192.168.1.1", false, false, true),
            ("100.64.0.1", false, false, true),
            ("169.254.169.254", false, false, true),
            ("198.18.0.1", false, false, true),
            ("192.0.0.8", false, false, true),
            ("240.0.0.1", false, false, true),
            ("::ffff:10.0.0.1", false, false, true),
            ("::ffff:169.254.169.254", false, false, true),
            ("fd00::1", false, false, true),
            ("fc00::1", false, false, true),
            ("fe80::1", false, false, true),
            ("64:ff9b:1::1", false, false, true),
            ("0.0.0.0", false, false, false),
            ("0.1.2.3", false, false, false),
            ("255.255.255.255", false, false, false),
            ("224.0.0.1", false, false, false),
            ("239.255.255.250", false, false, false),
            ("192.0.2.1", false, false, false),
            ("198.51.100.1", false, false, false),
            ("203.0.113.1", false, false, false),
            ("::", false, false, false),
            ("::ffff:0.0.0.0", false, false, false),
            ("ff02::1", false, false, false),
            ("2001:db8::1", false, false, false),
            ("3fff::1", false, false, false),
            ("2001::1", false, false, false),
            ("100::1", false, false, false),
            // Just outside the private ranges.
            ("172.15.255.255", true, true, true),
            ("172.32.0.1", true, true, true),
            ("100.128.0.1", true, true, true),
            ("198.20.0.1", true, true, true),
            ("3fff:1000::1", true, true, true),
        ];

        for (address, strict, loopback, private) in cases {
            let ip: IpAddr = address.parse().unwrap();
            assert_eq!(STRICT.permits(ip), strict, "{address} by default");
            assert_eq!(LOOPBACK.permits(ip), loopback, "{address} with loopback");
            assert_eq!(PRIVATE.permits(ip), private, "{address} with private");
        }
    }

    #[test]
    fn check_url_refusals() {
        let too_long = format!("https://example.org/{}", "a".repeat(2000));
        let cases = [
            ("ftp://example.org/hook", UrlRefusal::NotHttp),
            ("file:///etc/passwd", UrlRefusal::NotHttp),
            ("javascript:alert(1)", UrlRefusal::NotHttp),
            ("http://user:pw@example.org/", UrlRefusal::Credentials),
            ("http://user@example.org/", UrlRefusal::Credentials),
            ("http://[::1]/", UrlRefusal::AddressNotAllowed),
            ("http://127.0.0.1:8080/", UrlRefusal::AddressNotAllowed),
            ("http://2130706433/", UrlRefusal::AddressNotAllowed),
            ("http://0x7f.1/", UrlRefusal::AddressNotAllowed),
            ("http://[::ffff:127.0.0.1]/", UrlRefusal::AddressNotAllowed),
            (
                "http://169.254.169.254/latest/meta-data/",
                UrlRefusal::AddressNotAllowed,
            ),
            ("http://0.0.0.0/", UrlRefusal::AddressNotAllowed),
            ("http://localhost/", UrlRefusal::AddressNotAllowed),
            ("http://LOCALHOST./", UrlRefusal::AddressNotAllowed),
            ("http://api.localhost:3000/", UrlRefusal::AddressNotAllowed),
            ("not a url", UrlRefusal::Malformed),
            ("https://", UrlRefusal::Malformed),
            ("", UrlRefusal::Malformed),
            (too_long.as_str(), UrlRefusal::TooLong),
        ];

        for (raw, expected) in cases {
            assert_eq!(check_url(raw, &STRICT), Err(expected), "{raw}");
        }
    }

    #[test]
    fn check_url_accepts_public_addresses() {
        for raw in [
            "https://example.org/webhooks?team=7",
            "http://8.8.8.8:8080/",
            "https://[2001:4860::8888]/hook",
            "https://localhost.example.org/",
        ] {
            assert_eq!(check_url(raw, &STRICT).unwrap().as_str(), raw);
        }
        assert!(check_url("http://localhost:8080/", &LOOPBACK).is_ok());
        assert!(check_url("http://[::1]/", &LOOPBACK).is_ok());
        assert!(check_url("http://10.0.0.1/", &PRIVATE).is_ok());
    }

    #[test]
    fn refusal_messages_read_as_sentences() {
        assert_eq!(
            UrlRefusal::NotHttp.to_string(),
            "Only http and https addresses can receive webhooks."
        );
    }

    #[tokio::test]
    async fn resolver_drops_refused_addresses() {
        let name = || "localhost".parse::<Name>().unwrap();
        let strict = PolicyResolver { policy: STRICT };
        let loopback = PolicyResolver { policy: LOOPBACK };

        let refused = strict.resolve(name()).await.err().unwrap();
        let resolved: Vec<SocketAddr> = loopback.resolve(name()).await.unwrap().collect();

        assert_eq!(
            refused.to_string(),
            "localhost resolves only to addresses that may not receive webhooks"
        );
        assert!(!resolved.is_empty());
        assert!(
            resolved.iter().all(|addr| addr.ip().is_loopback()),
            "{resolved:?}"
        );
    }

    /// A request as the test server read it.
    struct Received {
        request_line: String,
        headers: HashMap<String, String>,
        body: Vec<u8>,
    }

    /// A server on 127.0.0.1 for one connection: reads one request and writes `answer`, or
    /// holds the connection without a word when `answer` is `None`.
    async fn serve_once(answer: Option<String>) -> (SocketAddr, JoinHandle<Received>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let received = read_request(&mut socket).await;
            match answer {
                Some(answer) => {
                    socket.write_all(answer.as_bytes()).await.unwrap();
                    socket.shutdown().await.unwrap();
                }
                None => tokio::time::sleep(Duration::from_secs(30)).await,
            }
            received
        });
        (addr, server)
    }

    async fn read_request(socket: &mut tokio::net::TcpStream) -> Received {
        let mut buffer = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            let read = socket.read(&mut chunk).await.unwrap();
            assert_ne!(read, 0, "the client closed before the request ended");
            buffer.extend_from_slice(&chunk[..read]);
            if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at;
            }
        };
        let head = String::from_utf8(buffer[..head_end].to_vec()).unwrap();
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap().to_owned();
        let headers: HashMap<String, String> = lines
            .map(|line| line.split_once(':').unwrap())
            .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        let length: usize = headers["content-length"].parse().unwrap();
        let mut body = buffer[head_end + 4..].to_vec();
        while body.len() < length {
            let read = socket.read(&mut chunk).await.unwrap();
            assert_ne!(read, 0, "the client closed before the body ended");
            body.extend_from_slice(&chunk[..read]);
        }
        Received {
            request_line,
            headers,
            body,
        }
    }

    fn answer(status_line: &str, extra_headers: &str, body: &str) -> Option<String> {
        Some(format!(
            "HTTP/1.1 {status_line}\r\n{extra_headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        ))
    }

    fn sender(policy: AddressPolicy) -> Sender {
        Sender::new(policy, Duration::from_secs(5)).unwrap()
    }

    #[tokio::test]
    async fn delivers_a_signed_request() {
        let (addr, server) = serve_once(answer("200 OK", "", "thanks")).await;
        let secret = WebhookSecret::generate();

        let attempt = sender(LOOPBACK)
            .deliver(
                &format!("http://{addr}/hooks"),
                "msg_1",
                1_700_000_000,
                BODY,
                &secret,
            )
            .await;
        let received = server.await.unwrap();

        assert!(attempt.succeeded(), "{attempt:?}");
        assert_eq!(attempt.status, Some(200));
        assert_eq!(attempt.error, None);
        assert_eq!(attempt.response_excerpt.as_deref(), Some("thanks"));
        assert!(attempt.duration_ms >= 0);
        assert_eq!(received.request_line, "POST /hooks HTTP/1.1");
        assert_eq!(received.body, BODY);
        let header = |name: &str| received.headers[name].as_str();
        assert_eq!(header("content-type"), "application/json");
        assert_eq!(header("webhook-id"), "msg_1");
        assert_eq!(header("webhook-timestamp"), "1700000000");
        assert!(header("user-agent").starts_with("Quartier-Webhooks/"));
        assert!(signature::verify(
            &secret,
            header("webhook-id"),
            header("webhook-timestamp").parse().unwrap(),
            &received.body,
            header("webhook-signature"),
        ));
    }

    #[tokio::test]
    async fn delivers_through_a_permitted_host_name() {
        let (addr, server) = serve_once(answer("204 No Content", "", "")).await;
        let url = format!("http://localhost:{}/", addr.port());

        let attempt = sender(LOOPBACK)
            .deliver(&url, "msg_2", 1, BODY, &WebhookSecret::generate())
            .await;

        assert!(attempt.succeeded(), "{attempt:?}");
        assert_eq!(attempt.response_excerpt, None);
        assert_eq!(server.await.unwrap().body, BODY);
    }

    #[tokio::test]
    async fn a_server_error_is_a_failure() {
        let (addr, _server) = serve_once(answer("500 Internal Server Error", "", "boom")).await;

        let attempt = sender(LOOPBACK)
            .deliver(
                &format!("http://{addr}/"),
                "msg_3",
                1,
                BODY,
                &WebhookSecret::generate(),
            )
            .await;

        assert!(!attempt.succeeded());
        assert_eq!(attempt.status, Some(500));
        assert_eq!(attempt.error.as_deref(), Some("HTTP 500"));
        assert_eq!(attempt.response_excerpt.as_deref(), Some("boom"));
    }

    #[tokio::test]
    async fn a_redirect_is_a_failure_and_not_followed() {
        // Following this would reach the cloud metadata service.
        let location = "location: http://169.254.169.254/latest/meta-data/\r\n";
        let (addr, _server) = serve_once(answer("302 Found", location, "")).await;

        let attempt = sender(LOOPBACK)
            .deliver(
                &format!("http://{addr}/"),
                "msg_4",
                1,
                BODY,
                &WebhookSecret::generate(),
            )
            .await;

        assert!(!attempt.succeeded());
        assert_eq!(attempt.status, Some(302));
        assert_eq!(
            attempt.error.as_deref(),
            Some("HTTP 302 (redirects are not followed)")
        );
    }

    #[tokio::test]
    async fn reads_at_most_four_kibibytes_of_the_answer() {
        let (addr, _server) = serve_once(answer("200 OK", "", &"x".repeat(10_000))).await;

        let attempt = sender(LOOPBACK)
            .deliver(
                &format!("http://{addr}/"),
                "msg_5",
                1,
                BODY,
                &WebhookSecret::generate(),
            )
            .await;

        assert!(attempt.succeeded(), "{attempt:?}");
        assert_eq!(attempt.response_excerpt.map(|e| e.len()), Some(4096));
    }

    #[tokio::test]
    async fn a_silent_server_times_out() {
        let (addr, _server) = serve_once(None).await;
        let sender = Sender::new(LOOPBACK, Duration::from_secs(1)).unwrap();

        let attempt = sender
            .deliver(
                &format!("http://{addr}/"),
                "msg_6",
                1,
                BODY,
                &WebhookSecret::generate(),
            )
            .await;

        assert_eq!(attempt.status, None);
        assert_eq!(attempt.error.as_deref(), Some("timed out after 1 s"));
        assert!((900..5000).contains(&attempt.duration_ms), "{attempt:?}");
    }

    #[tokio::test]
    async fn a_closed_port_is_connection_refused() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);

        let attempt = sender(LOOPBACK)
            .deliver(
                &format!("http://{addr}/"),
                "msg_7",
                1,
                BODY,
                &WebhookSecret::generate(),
            )
            .await;

        assert_eq!(attempt.status, None);
        assert_eq!(attempt.error.as_deref(), Some("connection refused"));
    }

    #[tokio::test]
    async fn loopback_is_refused_without_connecting() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let secret = WebhookSecret::generate();
        let strict = sender(STRICT);

        for url in [
            format!("http://127.0.0.1:{port}/"),
            format!("http://[::ffff:127.0.0.1]:{port}/"),
            format!("http://localhost:{port}/"),
        ] {
            let attempt = strict.deliver(&url, "msg_8", 1, BODY, &secret).await;

            assert!(!attempt.succeeded());
            assert_eq!(attempt.status, None);
            let error = attempt.error.unwrap();
            assert!(error.starts_with("address not allowed: "), "{url}: {error}");
            assert!(!error.contains(&secret.to_string()));
        }
        let accepted = tokio::time::timeout(Duration::from_millis(200), listener.accept()).await;
        assert!(accepted.is_err(), "a refused delivery connected anyway");
    }

    #[tokio::test]
    async fn an_invalid_url_is_not_attempted() {
        let attempt = sender(LOOPBACK)
            .deliver(
                "ftp://example.org/",
                "msg_9",
                1,
                BODY,
                &WebhookSecret::generate(),
            )
            .await;

        assert_eq!(attempt.status, None);
        assert_eq!(
            attempt.error.as_deref(),
            Some("invalid URL: Only http and https addresses can receive webhooks.")
        );
    }

    #[tokio::test]
    async fn a_name_resolving_only_to_refused_addresses_is_not_contacted() {
        // Permits `localhost` in the URL check but not its loopback addresses: only the
        // resolver stands between the name and the socket, as with a public name whose DNS
        // points into our network.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let sender = sender(STRICT);
        let url = format!("http://localhost:{port}/");

        let result = sender.send_unchecked(&url).await;

        let error = result.err().unwrap();
        assert_eq!(
            error,
            "address not allowed: localhost resolves only to addresses that may not receive webhooks"
        );
        let accepted = tokio::time::timeout(Duration::from_millis(200), listener.accept()).await;
        assert!(
            accepted.is_err(),
            "the resolver let a refused address through"
        );
    }

    impl Sender {
        /// A POST that skips `check_url`, to test the resolver on its own.
        async fn send_unchecked(&self, url: &str) -> Result<u16, String> {
            let response = self.client.post(url).send().await;
            response
                .map(|response| response.status().as_u16())
                .map_err(|error| self.describe(&error))
        }
    }
}
