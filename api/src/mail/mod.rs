//! Mail to persons. Notifications are queued in the database by the transaction of the fact
//! they tell of; the sender in every instance (`worker`) claims due ones, checks that they
//! still hold, writes the mail from the templates (`templates`) and hands it to the SMTP
//! server, or in development to a folder or the log.
//!
//! Every mail has a plain-text and an HTML part, `Auto-Submitted: auto-generated` (RFC 3834),
//! `Content-Language`, and a `Message-ID` made of the notification's id, so that a mail
//! handed over twice (a sender that died after the server took it) is one message to the
//! receiving side.

pub mod templates;
pub mod worker;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::{self, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use quartier_domain::notification::{Kind, MailLanguage};
use quartier_persistence::notifications::Claimed;

use crate::config::{MailDestination, MailSettings};
use crate::tokens::LinkTokens;
use templates::Templates;

/// How long a verification link works.
pub const VERIFICATION_HOURS: i64 = 48;
/// How long a password-reset link works.
pub const RESET_HOURS: i64 = 1;

/// Where composed mail is handed over.
#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Directory(PathBuf),
    Log,
}

/// Writes and sends mail.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    reply_to: Option<Mailbox>,
    templates: Arc<Templates>,
    links: LinkTokens,
    pub settings: MailSettings,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("destination", &self.describe())
            .finish_non_exhaustive()
    }
}

/// Why a mail was not handed over.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Trying again later may help (the server is away, or answered 4xx).
    #[error("{0}")]
    Transient(String),
    /// It will not: the server refused the mail for good (5xx), or it cannot be written.
    #[error("{0}")]
    Permanent(String),
}

/// `Auto-Submitted: auto-generated` (RFC 3834): no vacation replies to Quartier's mail.
#[derive(Debug, Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".into())
    }
}

/// `Content-Language`, the language the mail is written in.
#[derive(Debug, Clone)]
struct ContentLanguage(&'static str);

impl Header for ContentLanguage {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Language")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self("de"))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.into())
    }
}

impl Mailer {
    pub fn new(settings: &MailSettings, links: LinkTokens) -> Result<Self, String> {
        let transport = match &settings.destination {
            MailDestination::Smtp(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| format!("QUARTIER_SMTP_URL cannot be used: {e}"))?
                    .timeout(Some(settings.timeout))
                    .build(),
            ),
            MailDestination::Directory(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("QUARTIER_MAIL_DIR {}: {e}", dir.display()))?;
                Transport::Directory(dir.clone())
            }
            MailDestination::Log => Transport::Log,
        };
        let mailbox = |value: &str, variable: &str| {
            value
                .parse::<Mailbox>()
                .map_err(|e| format!("{variable}: {e}"))
        };
        Ok(Self {
            transport,
            from: mailbox(&settings.from, "QUARTIER_MAIL_FROM")?,
            reply_to: settings
                .reply_to
                .as_deref()
                .map(|r| mailbox(r, "QUARTIER_MAIL_REPLY_TO"))
                .transpose()?,
            templates: Arc::new(Templates::load().map_err(|e| format!("mail templates: {e:#}"))?),
            links,
            settings: settings.clone(),
        })
    }

    /// Where mail goes, for the start-up log (never the SMTP password).
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_) => "the SMTP server of QUARTIER_SMTP_URL".into(),
            Transport::Directory(dir) => format!(
                "no SMTP server is configured: mail is written to {} (development only)",
                dir.display()
            ),
            Transport::Log => {
                "no SMTP server is configured: mail is written to the log (development only)".into()
            }
        }
    }

    /// Whether mail reaches real people (an SMTP server is configured).
    pub fn is_smtp(&self) -> bool {
        matches!(self.transport, Transport::Smtp(_))
    }

    /// The link that carries the token of the account token `token_id`.
    fn link(&self, path: &str, token_id: uuid::Uuid) -> String {
        format!(
            "{}/{path}?token={}",
            self.settings.app_url,
            self.links.token(token_id)
        )
    }

    /// Writes the mail of a claimed notification.
    pub fn compose(&self, claimed: &Claimed) -> Result<Message, SendError> {
        let kind = claimed
            .kind()
            .ok_or_else(|| SendError::Permanent(format!("unknown kind {:?}", claimed.kind)))?;
        let language = MailLanguage::parse(&claimed.language).unwrap_or_default();
        let details = claimed.details();
        let token_id = details["token_id"]
            .as_str()
            .and_then(|id| id.parse::<uuid::Uuid>().ok());
        let (link, hours) = match (kind, token_id) {
            (Kind::EmailVerification, Some(id)) => {
                (self.link("verify-email", id), VERIFICATION_HOURS)
            }
            (Kind::PasswordReset, Some(id)) => (self.link("reset-password", id), RESET_HOURS),
            (kind, None) if kind.carries_token() => {
                return Err(SendError::Permanent(
                    "the notification names no token".into(),
                ));
            }
            _ => (String::new(), 0),
        };
        let context = minijinja::context! {
            name => &claimed.display_name,
            link => link,
            hours => hours,
            app_url => &self.settings.app_url,
            operator_id => claimed.operator_id.map(|id| id.to_string()).unwrap_or_default(),
            key_count => details["api_key_ids"].as_array().map_or(0, Vec::len),
        };
        let rendered = self
            .templates
            .render(kind, language, &context)
            .map_err(|e| SendError::Permanent(format!("template {}: {e:#}", kind.as_str())))?;
        let address = claimed
            .to_address
            .parse::<lettre::Address>()
            .map_err(|e| SendError::Permanent(format!("the recipient's address: {e}")))?;
        let to = Mailbox::new(Some(claimed.display_name.clone()), address);
        let domain = self.from.email.domain().to_owned();
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject)
            .message_id(Some(format!("<{}@{domain}>", claimed.id)))
            .header(AutoSubmitted)
            .header(ContentLanguage(language.tag()))
            .header(header::Date::now());
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(reply_to.clone());
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                rendered.text,
                rendered.html,
            ))
            .map_err(|e| SendError::Permanent(format!("the mail cannot be built: {e}")))
    }

    /// Hands `message` over.
    pub async fn send(&self, id: uuid::Uuid, message: &Message) -> Result<(), SendError> {
        match &self.transport {
            Transport::Smtp(smtp) => match smtp.send(message.clone()).await {
                Ok(_) => Ok(()),
                Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
                Err(e) => Err(SendError::Transient(e.to_string())),
            },
            Transport::Directory(dir) => {
                let path = dir.join(format!("{id}.eml"));
                tokio::fs::write(&path, message.formatted())
                    .await
                    .map_err(|e| SendError::Transient(format!("{}: {e}", path.display())))
            }
            Transport::Log => {
                tracing::info!(
                    notification = %id,
                    mail = %String::from_utf8_lossy(&message.formatted()),
                    "mail (development: not sent)"
                );
                Ok(())
            }
        }
    }

    /// The wait before retry number `attempts` (counting the attempt that failed); `None`
    /// after the last.
    pub fn retry_after(&self, attempts: i32) -> Option<Duration> {
        usize::try_from(attempts - 1)
            .ok()
            .and_then(|n| self.settings.retry_schedule.get(n))
            .copied()
    }
}
