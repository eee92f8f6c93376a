//! How mail is sent (`QUARTIER_SMTP_URL`, `QUARTIER_MAIL_*`): the SMTP server, the sender, where
//! links in mail lead, and the retry schedule.

use std::path::PathBuf;
use std::time::Duration;

use super::{ConfigError, Environment, Secret, error, number, seconds, webhooks::retry_schedule};

/// The default waits before each retry of a mail: 6 attempts over about 9 hours.
pub const DEFAULT_MAIL_RETRY_SCHEDULE: &str = "1m,5m,30m,2h,6h";

/// Where mail goes.
#[derive(Debug, Clone)]
pub enum MailDestination {
    /// `QUARTIER_SMTP_URL`: `smtp://host:25` (plain, for a local relay), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS), `smtps://user:pass@host:465` (TLS from the start).
    Smtp(Secret<String>),
    /// Development without SMTP: `QUARTIER_MAIL_DIR` holds one `.eml` file per mail.
    Directory(PathBuf),
    /// Development without SMTP or a folder: each mail is written to the log.
    Log,
}

#[derive(Debug, Clone)]
pub struct MailSettings {
    pub destination: MailDestination,
    /// `QUARTIER_MAIL_FROM`: the sender, such as `Quartier <quartier@example.org>`.
    pub from: String,
    /// `QUARTIER_MAIL_REPLY_TO`: where answers go, if not to the sender.
    pub reply_to: Option<String>,
    /// `QUARTIER_APP_URL`: where links in mail lead (the app that shows the confirmation
    /// pages); `QUARTIER_PUBLIC_URL` by default.
    pub app_url: String,
    /// `QUARTIER_MAIL_POLL_MS`: how often a sender looks for due mail.
    pub poll_interval: Duration,
    /// `QUARTIER_MAIL_SENDERS`: mails one instance sends at once, each on its own SMTP
    /// connection (16 by default: a mail spends most of its time waiting on the server).
    pub senders: usize,
    /// `QUARTIER_SMTP_TIMEOUT_SECS`: how long one delivery to the SMTP server may take.
    pub timeout: Duration,
    /// `QUARTIER_MAIL_RETRY_SCHEDULE`: the waits before each retry, such as `1m,5m,30m`.
    pub retry_schedule: Vec<Duration>,
    /// `QUARTIER_DIGEST_HOUR`: from this hour (Europe/Berlin) on, the day's digests are
    /// queued (default 7).
    pub digest_hour: u32,
    /// `QUARTIER_DIGEST_INTERVAL_SECS`: how often each instance looks whether the day's
    /// digests are due (default 300).
    pub digest_interval: Duration,
    /// `QUARTIER_BOUNCE_TOKEN`: the secret the mail system presents (`X-Bounce-Token`) when it
    /// reports a bounce to `POST /mail/bounces`; unset, no bounce is taken.
    pub bounce_token: Option<Secret<String>>,
}

impl MailSettings {
    pub(super) fn from_lookup(
        get: &impl Fn(&str) -> Option<String>,
        environment: Environment,
        public_url: &str,
    ) -> Result<Self, ConfigError> {
        let destination = match (get("QUARTIER_SMTP_URL"), get("QUARTIER_MAIL_DIR")) {
            (Some(url), _) => {
                let scheme_ok = url.starts_with("smtp://") || url.starts_with("smtps://");
                if !scheme_ok {
                    return Err(error(
                        "QUARTIER_SMTP_URL",
                        "must begin with smtp:// or smtps://".into(),
                    ));
                }
                MailDestination::Smtp(Secret::new(url))
            }
            (None, _) if environment == Environment::Production => {
                return Err(error(
                    "QUARTIER_SMTP_URL",
                    "is required when QUARTIER_ENV=production: Quartier must be able to reach people"
                        .into(),
                ));
            }
            (None, Some(dir)) => MailDestination::Directory(PathBuf::from(dir)),
            (None, None) => MailDestination::Log,
        };
        let from = match get("QUARTIER_MAIL_FROM") {
            Some(from) => from,
            None if environment == Environment::Production => {
                return Err(error(
                    "QUARTIER_MAIL_FROM",
                    "is required when QUARTIER_ENV=production".into(),
                ));
            }
            None => "Quartier <quartier@localhost>".into(),
        };
        check_mailbox("QUARTIER_MAIL_FROM", &from)?;
        let reply_to = get("QUARTIER_MAIL_REPLY_TO");
        if let Some(reply_to) = &reply_to {
            check_mailbox("QUARTIER_MAIL_REPLY_TO", reply_to)?;
        }
        let app_url = match get("QUARTIER_APP_URL") {
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                url.trim_end_matches('/').to_owned()
            }
            Some(_) => {
                return Err(error(
                    "QUARTIER_APP_URL",
                    "must begin with https:// or http://".into(),
                ));
            }
            None => public_url.trim_end_matches('/').to_owned(),
        };
        let raw_schedule = get("QUARTIER_MAIL_RETRY_SCHEDULE")
            .unwrap_or_else(|| DEFAULT_MAIL_RETRY_SCHEDULE.into());
        let retry_schedule = retry_schedule(&raw_schedule).ok_or_else(|| {
            error(
                "QUARTIER_MAIL_RETRY_SCHEDULE",
                format!("{raw_schedule:?} is not a list of 1 to 20 waits such as 1m,5m,2h"),
            )
        })?;
        Ok(Self {
            destination,
            from,
            reply_to,
            app_url,
            poll_interval: Duration::from_millis(number(
                get("QUARTIER_MAIL_POLL_MS"),
                "QUARTIER_MAIL_POLL_MS",
                1000,
                20,
                60_000,
            )?),
            senders: number(
                get("QUARTIER_MAIL_SENDERS"),
                "QUARTIER_MAIL_SENDERS",
                4,
                1,
                64,
            )? as usize,
            timeout: seconds(get, "QUARTIER_SMTP_TIMEOUT_SECS", 30, 600)?,
            retry_schedule,
            digest_hour: number(
                get("QUARTIER_DIGEST_HOUR"),
                "QUARTIER_DIGEST_HOUR",
                7,
                0,
                23,
            )? as u32,
            digest_interval: seconds(get, "QUARTIER_DIGEST_INTERVAL_SECS", 300, 24 * 3600)?,
            bounce_token: match get("QUARTIER_BOUNCE_TOKEN") {
                None => None,
                Some(token) if token.len() >= 16 => Some(Secret::new(token)),
                Some(_) => {
                    return Err(error(
                        "QUARTIER_BOUNCE_TOKEN",
                        "must be at least 16 characters".into(),
                    ));
                }
            },
        })
    }
}

fn check_mailbox(variable: &'static str, value: &str) -> Result<(), ConfigError> {
    value
        .parse::<lettre::message::Mailbox>()
        .map(|_| ())
        .map_err(|e| error(variable, format!("{value:?} is not a mail address: {e}")))
}
