//! A real SMTP server for tests (`tests/smtp/sink.py`, on Python's `aiosmtpd`), and the mail
//! it received, parsed.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde::Deserialize;

/// One message the server accepted.
#[derive(Debug, Clone, Deserialize)]
pub struct ReceivedMail {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub headers: Vec<(String, String)>,
    pub content_types: Vec<String>,
    pub text: Option<String>,
    pub html: Option<String>,
    pub calendars: Vec<String>,
}

impl ReceivedMail {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn subject(&self) -> &str {
        self.header("subject").unwrap_or_default()
    }

    pub fn text(&self) -> &str {
        self.text.as_deref().unwrap_or_default()
    }

    pub fn html(&self) -> &str {
        self.html.as_deref().unwrap_or_default()
    }

    /// The `token` of the first link in the text part whose path ends with `path`.
    #[track_caller]
    pub fn token(&self, path: &str) -> String {
        let marker = format!("/{path}?token=");
        let text = self.text();
        let start = text
            .find(&marker)
            .unwrap_or_else(|| panic!("no {marker} link in: {text}"))
            + marker.len();
        text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }
}

/// The SMTP server; stopped when dropped.
#[derive(Debug)]
pub struct SmtpSink {
    pub port: u16,
    dir: PathBuf,
    child: Child,
}

/// The Python that can import `modules`: `QUARTIER_TEST_PYTHON`, else `python3`, else
/// Debian's; a panic saying what to install (`install`) otherwise.
pub fn python_with(modules: &str, install: &str) -> String {
    let candidates = std::env::var("QUARTIER_TEST_PYTHON")
        .into_iter()
        .chain(["python3".to_owned(), "/usr/bin/python3".to_owned()]);
    for candidate in candidates {
        let works = Command::new(&candidate)
            .args(["-c", &format!("import {modules}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if works {
            return candidate;
        }
    }
    panic!("these tests need Python with {modules} ({install}; or set QUARTIER_TEST_PYTHON)")
}

/// The Python that has `aiosmtpd`.
fn python() -> String {
    python_with(
        "aiosmtpd",
        "Debian: apt install python3-aiosmtpd; or pip install aiosmtpd",
    )
}

impl SmtpSink {
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = std::env::temp_dir().join(format!("quartier-mail-{}", uuid::Uuid::now_v7()));
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/smtp/sink.py");
        let mut child = Command::new(python())
            .arg(script)
            .arg(port.to_string())
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the SMTP server");
        let mut ready = String::new();
        let stdout = child.stdout.take().expect("its output");
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut ready)
            .expect("read from the SMTP server");
        assert_eq!(ready.trim(), "ready", "the SMTP server did not start");
        Self { port, dir, child }
    }

    /// `QUARTIER_SMTP_URL` for this server.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, in the order they arrived.
    pub fn received(&self) -> Vec<ReceivedMail> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "json"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(path).expect("a received message");
                serde_json::from_str(&text).expect("a parsed message")
            })
            .collect()
    }

    /// The messages sent to `address`.
    pub fn to(&self, address: &str) -> Vec<ReceivedMail> {
        self.received()
            .into_iter()
            .filter(|m| m.rcpt_tos.iter().any(|r| r.eq_ignore_ascii_case(address)))
            .collect()
    }

    /// Waits until `address` has received `count` messages (at most `timeout`); returns them.
    #[track_caller]
    pub fn wait_for(&self, address: &str, count: usize) -> impl Future<Output = Vec<ReceivedMail>> {
        let caller = std::panic::Location::caller();
        async move {
            let deadline = std::time::Instant::now() + Duration::from_secs(20);
            loop {
                let mails = self.to(address);
                if mails.len() >= count {
                    return mails;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "{caller}: {address} received {} of {count} mails",
                    mails.len()
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

impl SmtpSink {
    /// Waits (at most 20 s) until `address` has a mail whose subject begins with
    /// `subject_start`; the latest such.
    #[track_caller]
    pub fn mail_with(
        &self,
        address: &str,
        subject_start: &str,
    ) -> impl Future<Output = ReceivedMail> {
        let caller = std::panic::Location::caller();
        async move {
            let deadline = std::time::Instant::now() + Duration::from_secs(20);
            loop {
                let found = self
                    .to(address)
                    .into_iter()
                    .rev()
                    .find(|m| m.subject().starts_with(subject_start));
                if let Some(mail) = found {
                    return mail;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "{caller}: no mail \"{subject_start}…\" to {address}; received: {:?}",
                    self.to(address)
                        .iter()
                        .map(|m| m.subject().to_owned())
                        .collect::<Vec<_>>()
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl crate::TestApp {
    /// The application sending to `sink` from the Nordstadt's address, its links leading to
    /// the Nordstadt's app, its sender and webhook worker looking for work every 50 ms; with
    /// `extra` settings added or replacing these.
    pub async fn mailing_to(sink: &SmtpSink, extra: &[(&str, &str)]) -> Self {
        let url = sink.url();
        let mut env = vec![
            ("QUARTIER_SMTP_URL", url.as_str()),
            (
                "QUARTIER_MAIL_FROM",
                "Quartier <quartier@nordstadt.example>",
            ),
            ("QUARTIER_APP_URL", "https://app.nordstadt.example"),
            ("QUARTIER_PUBLIC_URL", "https://api.nordstadt.example"),
            ("QUARTIER_MAIL_POLL_MS", "50"),
            ("QUARTIER_WEBHOOK_POLL_MS", "50"),
        ];
        env.extend_from_slice(extra);
        Self::spawn_with(&env).await
    }
}
