//! Mail to persons. Notifications are queued in the database by the transaction of the fact
//! they tell of; the sender in every instance (`worker`) claims due ones, checks that they
//! still hold, writes the mail from the templates (`templates`) and hands it to the SMTP
//! server, or in development to a folder or the log.
//!
//! Every mail has a plain-text and an HTML part, `Auto-Submitted: auto-generated` (RFC 3834),
//! `Content-Language`, and a `Message-ID` made of the notification's id, so that a mail
//! handed over twice (a sender that died after the server took it) is one message to the
//! receiving side.

pub mod context;
pub mod format;
pub mod templates;
pub mod worker;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::{self, ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use quartier_domain::notification::{Kind, MailLanguage};
use quartier_persistence::notifications::Claimed;

use crate::config::{MailDestination, MailSettings};
use crate::tokens::LinkTokens;
use context::{Context, ShiftContext};
use quartier_domain::ical;
use templates::Templates;

/// How long a verification link works.
pub const VERIFICATION_HOURS: i64 = 48;
/// How long a password-reset link works.
pub const RESET_HOURS: i64 = 1;
/// How long an invitation to an operator's staff works.
pub const INVITATION_DAYS: i64 = 7;
/// How long a guest's link to her own sign-ups works.
pub const GUEST_LINK_HOURS: i64 = quartier_domain::guest::ACCESS.num_hours();
/// How long a guest's sign-up waits for its confirmation.
pub const GUEST_HOLD_MINUTES: i64 = quartier_domain::guest::HOLD.num_minutes();
/// How long a guest's concern waits for her confirmation, in hours.
pub const GUEST_CONCERN_HOURS: i64 = quartier_domain::guest::CONCERN_CONFIRMATION.num_hours();
/// How long the link of a guest's room booking works.
pub const GUEST_ROOM_BOOKING_HOURS: i64 =
    quartier_domain::guest::ROOM_BOOKING_CONFIRMATION.num_hours();
/// How long the link of a guest's application to a fund works.
pub const GUEST_FUND_APPLICATION_HOURS: i64 =
    quartier_domain::guest::FUND_APPLICATION_CONFIRMATION.num_hours();
/// How long the link of a guest's request of neighbourly help works.
pub const GUEST_HELP_REQUEST_HOURS: i64 =
    quartier_domain::guest::HELP_REQUEST_CONFIRMATION.num_hours();

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
    /// Where the API is reached (for one-click unsubscribe).
    public_url: String,
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

/// `List-Unsubscribe` (RFC 2369) with the one-click URL.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(value: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(value.to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".into())
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
    pub fn new(
        settings: &MailSettings,
        links: LinkTokens,
        public_url: &str,
    ) -> Result<Self, String> {
        let transport = match &settings.destination {
            MailDestination::Smtp(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| format!("QUARTIER_SMTP_URL cannot be used: {e}"))?
                    .timeout(Some(settings.timeout))
                    // One connection per sender: each mail waits on the SMTP server, not on
                    // another sender's connection.
                    .pool_config(
                        lettre::transport::smtp::PoolConfig::new()
                            .max_size(u32::try_from(settings.senders).unwrap_or(16)),
                    )
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
            public_url: public_url.trim_end_matches('/').to_owned(),
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

    /// Writes the mail of a claimed notification with its `context` (`context::load`).
    pub fn compose(&self, claimed: &Claimed, context: &Context) -> Result<Message, SendError> {
        let shift = context.shift.as_ref();
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
            (Kind::GuestLink, Some(id)) => (self.link("guest", id), GUEST_LINK_HOURS),
            (Kind::GuestHold, _) => {
                let hold = details["hold_id"]
                    .as_str()
                    .and_then(|id| id.parse::<uuid::Uuid>().ok())
                    .ok_or_else(|| SendError::Permanent("the notification names no hold".into()))?;
                (self.link("guest-signups/confirm", hold), 0)
            }
            (
                Kind::GuestConcern
                | Kind::GuestRoomBooking
                | Kind::GuestFundApplication
                | Kind::GuestHelpRequest,
                _,
            ) => {
                let draft = details["draft_id"]
                    .as_str()
                    .and_then(|id| id.parse::<uuid::Uuid>().ok())
                    .ok_or_else(|| {
                        SendError::Permanent("the notification names no draft".into())
                    })?;
                match kind {
                    Kind::GuestConcern => (
                        self.link("guest-concerns/confirm", draft),
                        GUEST_CONCERN_HOURS,
                    ),
                    Kind::GuestRoomBooking => (
                        self.link("guest-room-bookings/confirm", draft),
                        GUEST_ROOM_BOOKING_HOURS,
                    ),
                    Kind::GuestHelpRequest => (
                        self.link("guest-help-requests/confirm", draft),
                        GUEST_HELP_REQUEST_HOURS,
                    ),
                    _ => (
                        self.link("guest-fund-applications/confirm", draft),
                        GUEST_FUND_APPLICATION_HOURS,
                    ),
                }
            }
            (Kind::StandingOffer, _) => {
                let standing = details["standing_signup_id"].as_str().ok_or_else(|| {
                    SendError::Permanent("the notification names no standing sign-up".into())
                })?;
                (
                    format!("{}/standing-signups/{standing}", self.settings.app_url),
                    0,
                )
            }
            (Kind::HelpMatch | Kind::HelpMessage, _) => {
                let matched = details["match_id"].as_str().ok_or_else(|| {
                    SendError::Permanent("the notification names no match".into())
                })?;
                (
                    format!("{}/help-matches/{matched}", self.settings.app_url),
                    0,
                )
            }
            (Kind::StaffInvitation, _) => {
                let invitation = details["invitation_id"]
                    .as_str()
                    .and_then(|id| id.parse::<uuid::Uuid>().ok())
                    .ok_or_else(|| {
                        SendError::Permanent("the notification names no invitation".into())
                    })?;
                (
                    self.link("invitations/accept", invitation),
                    INVITATION_DAYS * 24,
                )
            }
            (kind, None) if kind.carries_token() => {
                return Err(SendError::Permanent(
                    "the notification names no token".into(),
                ));
            }
            _ => (String::new(), 0),
        };
        if kind.is_about_a_signup() && shift.is_none() {
            return Err(SendError::Permanent(
                "the sign-up it is about is gone".into(),
            ));
        }
        let unsubscribe_token = claimed
            .user_id
            .filter(|_| kind.is_optional())
            .map(|user_id| self.links.unsubscribe_token(user_id, kind.as_str()));
        let hold = context.hold.as_ref();
        if matches!(kind, Kind::GuestHold | Kind::StandingOffer) && hold.is_none() {
            return Err(SendError::Permanent("the hold is gone".into()));
        }
        let draft = context.draft.as_ref();
        if kind == Kind::GuestConcern && draft.is_none() {
            return Err(SendError::Permanent(
                "the concern was confirmed, or waited too long".into(),
            ));
        }
        if kind == Kind::StaffInvitation && context.invitation.is_none() {
            return Err(SendError::Permanent("the invitation is gone".into()));
        }
        let (operator_name, role) = context.invitation.clone().unwrap_or_default();
        let time = |field: &str| {
            details[field]
                .as_str()
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                .map(|t| t.with_timezone(&chrono::Utc))
        };
        let room_draft = context.room_draft.as_ref();
        if kind == Kind::GuestRoomBooking && room_draft.is_none() {
            return Err(SendError::Permanent(
                "the room booking was confirmed, or waited too long".into(),
            ));
        }
        let room = context.room.as_ref().or(room_draft.map(|d| &d.room));
        if kind == Kind::RoomBookingDecided && room.is_none() {
            return Err(SendError::Permanent("the booked date is gone".into()));
        }
        let when = match (shift, hold, room) {
            (Some(s), _, _) => {
                format::span(s.entry.signup.starts_at, s.entry.signup.ends_at, language)
            }
            (None, Some(h), _) => format::span(h.starts_at, h.ends_at, language),
            (None, None, Some(r)) => format::span(r.starts_at, r.ends_at, language),
            (None, None, None) => String::new(),
        };
        let previous_when = match (time("previous_starts_at"), time("previous_ends_at")) {
            (Some(start), Some(end)) => format::span(start, end, language),
            _ => String::new(),
        };
        let place = match (shift, hold) {
            (Some(s), _) => format!(
                "{}, {}, {} {}",
                s.entry.centre_name, s.entry.street, s.entry.postcode, s.entry.town
            ),
            (None, Some(h)) => {
                format!("{}, {}, {} {}", h.centre_name, h.street, h.postcode, h.town)
            }
            (None, None) => room
                .map(|r| format!("{}, {}, {} {}", r.centre_name, r.street, r.postcode, r.town))
                .unwrap_or_default(),
        };
        let message = shift.and_then(|s| s.message.as_ref());
        let digest = context.digest.clone().unwrap_or_default();
        let lines =
            |shifts: &[quartier_persistence::digests::DigestShift]| -> Vec<minijinja::Value> {
                shifts
                    .iter()
                    .map(|d| {
                        minijinja::context! {
                            title => &d.title,
                            when => format::span(d.starts_at, d.ends_at, language),
                            centre => &d.centre_name,
                            count => d.count,
                            link => format!("{}/shifts/{}", self.settings.app_url, d.shift_id),
                        }
                    })
                    .collect()
            };
        if kind == Kind::ConcernAnswered && context.concern.is_none() {
            return Err(SendError::Permanent("the answer is gone".into()));
        }
        let concern = context.concern.as_ref();
        let application = context.application.as_ref();
        let fund_draft = context.fund_draft.as_ref();
        if kind == Kind::GuestFundApplication && fund_draft.is_none() {
            return Err(SendError::Permanent(
                "the application was confirmed, or waited too long".into(),
            ));
        }
        if kind == Kind::FundApplicationDecided && application.is_none() {
            return Err(SendError::Permanent("the application is gone".into()));
        }
        let help = context.help.as_ref();
        let help_draft = context.help_draft.as_ref();
        let help_message = context.help_message.as_ref();
        if kind == Kind::HelpMessage && help_message.is_none() {
            return Err(SendError::Permanent("the message is gone".into()));
        }
        if kind == Kind::GuestHelpRequest && help_draft.is_none() {
            return Err(SendError::Permanent(
                "the request was confirmed, or waited too long".into(),
            ));
        }
        if kind == Kind::HelpMatch && help.is_none() {
            return Err(SendError::Permanent("the match is gone".into()));
        }
        if kind.is_digest() && context.digest.is_none() {
            return Err(SendError::Permanent("the digest lists nothing".into()));
        }
        let values = minijinja::context! {
            operator_name => if kind == Kind::StaffSummary { digest.operator_name.clone() } else { operator_name },
            help_wanted => lines(&digest.help_wanted),
            late_cancellations => lines(&digest.summary.late_cancellations),
            short_shifts => lines(&digest.summary.short),
            role => role,
            name => hold.map(|h| h.name.as_str()).or(draft.map(|d| d.name.as_str()))
                .or(room_draft.map(|d| d.name.as_str()))
                .or(fund_draft.map(|d| d.name.as_str()))
                .or(help_draft.map(|d| d.name.as_str()))
                .filter(|n| !n.is_empty())
                .unwrap_or(claimed.display_name.as_str()),
            link => link,
            hours => hours,
            app_url => &self.settings.app_url,
            operator_id => claimed.operator_id.map(|id| id.to_string()).unwrap_or_default(),
            key_count => details["api_key_ids"].as_array().map_or(0, Vec::len),
            shift_title => shift.map(|s| s.entry.shift_title.as_str())
                .or(hold.map(|h| h.shift_title.as_str())).unwrap_or_default(),
            shift_id => shift.map(|s| s.entry.signup.shift_id)
                .or(hold.map(|h| h.shift_id)).map(|id| id.to_string()).unwrap_or_default(),
            centre => shift.map(|s| s.entry.centre_name.as_str())
                .or(hold.map(|h| h.centre_name.as_str())).unwrap_or_default(),
            holds_place => hold.is_some_and(|h| h.holds_place),
            hold_minutes => GUEST_HOLD_MINUTES,
            answer_by => time("answer_by").map(|t| format::moment(t, language)).unwrap_or_default(),
            place => place,
            when => when,
            previous_when => previous_when,
            reason => details["reason"].as_str().unwrap_or_default(),
            message_subject => message.map_or("", |m| m.subject.as_str()),
            message_body => message.map_or("", |m| m.body.as_str()),
            concern_title => concern.map(|(title, _)| title.as_str())
                .or(draft.map(|d| d.title.as_str())).unwrap_or_default(),
            answer_text => concern.map_or("", |(_, a)| a.text.as_str()),
            answer_unit => concern.and_then(|(_, a)| a.operator_name.as_deref()).unwrap_or_default(),
            concern_link => concern.map(|(_, a)| format!("{}/concerns/{}", self.settings.app_url, a.concern_id))
                .unwrap_or_default(),
            project_title => application.map(|a| a.title.as_str())
                .or(fund_draft.map(|d| d.title.as_str())).unwrap_or_default(),
            fund_title => application.map(|a| a.fund_title.as_str())
                .or(fund_draft.map(|d| d.fund_title.as_str())).unwrap_or_default(),
            requested => fund_draft.map(|d| format::euros(d.requested_cents, language))
                .unwrap_or_default(),
            // What the notification told of: a later step has a mail of its own.
            application_status => details["status"].as_str().unwrap_or_default(),
            granted => application.and_then(|a| a.granted_cents)
                .map(|c| format::euros(c, language)).unwrap_or_default(),
            spent => application.and_then(|a| a.spent_cents)
                .map(|c| format::euros(c, language)).unwrap_or_default(),
            decline_reason => application.and_then(|a| a.decline_reason.as_deref()).unwrap_or_default(),
            help_summary => help.map(|h| h.summary.as_str())
                .or(help_draft.map(|d| d.summary.as_str()))
                .or(help_message.map(|m| m.summary.as_str())).unwrap_or_default(),
            help_message => help_message.map_or("", |m| m.body.as_str()),
            help_sender => help_message.map_or("", |m| m.sender.as_str()),
            help_centre => help_draft.map_or("", |d| d.centre_name.as_str()),
            help_category => help.map_or("", |h| h.category.german()),
            // Where the match stood when the notification was made, and to whom.
            help_status => details["status"].as_str().unwrap_or_default(),
            help_role => details["role"].as_str().unwrap_or_default(),
            room_name => room.map_or("", |r| r.room_name.as_str()),
            room_purpose => room.map_or("", |r| r.purpose.as_str()),
            room_status => room.map_or("", |r| r.status.as_str()),
            room_dates => room_draft.map_or(0, |d| d.dates),
            room_note => room.and_then(|r| r.note.as_deref()).map(|note| match language {
                // The notes Quartier writes itself have German versions; staff's stay theirs.
                MailLanguage::German => crate::german::german(note)
                    .filter(|g| g.whole)
                    .map_or_else(|| note.to_owned(), |g| g.text),
                MailLanguage::English => note.to_owned(),
            }).unwrap_or_default(),
            unsubscribe_link => unsubscribe_token.as_ref().map(|token| {
                format!("{}/unsubscribe?token={token}", self.settings.app_url)
            }).unwrap_or_default(),
        };
        let rendered = self
            .templates
            .render(kind, language, &values)
            .map_err(|e| SendError::Permanent(format!("template {}: {e:#}", kind.as_str())))?;
        let address = claimed
            .to_address
            .parse::<lettre::Address>()
            .map_err(|e| SendError::Permanent(format!("the recipient's address: {e}")))?;
        let to = Mailbox::new(
            Some(claimed.display_name.clone()).filter(|n| !n.is_empty()),
            address,
        );
        let domain = self.from.email.domain().to_owned();
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject.clone())
            .message_id(Some(format!("<{}@{domain}>", claimed.id)))
            .header(AutoSubmitted)
            .header(ContentLanguage(language.tag()))
            .header(header::Date::now());
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(reply_to.clone());
        }
        if let Some(token) = &unsubscribe_token {
            builder = builder
                .header(ListUnsubscribe(format!(
                    "{}/api/v1/notifications/unsubscribe?token={token}",
                    self.public_url
                )))
                .header(ListUnsubscribePost);
        }
        let body = MultiPart::alternative_plain_html(rendered.text, rendered.html);
        let invitation = match (kind, shift) {
            (Kind::SignupConfirmed | Kind::SignupPromoted | Kind::ShiftMoved, Some(s)) => {
                Some((ical::Method::Request, s))
            }
            (Kind::SignupCancelled, Some(s)) => Some((ical::Method::Cancel, s)),
            _ => None,
        };
        let built = match invitation {
            None => builder.multipart(body),
            Some((method, s)) => {
                let calendar = self.invitation(method, s, claimed, &rendered.subject);
                let content_type = ContentType::parse(&format!(
                    "text/calendar; charset=utf-8; method={}",
                    match method {
                        ical::Method::Cancel => "CANCEL",
                        _ => "REQUEST",
                    }
                ))
                .map_err(|e| SendError::Permanent(format!("calendar content type: {e}")))?;
                builder.multipart(
                    MultiPart::mixed()
                        .multipart(body)
                        .singlepart(SinglePart::builder().header(content_type).body(calendar)),
                )
            }
        };
        built.map_err(|e| SendError::Permanent(format!("the mail cannot be built: {e}")))
    }

    /// The calendar that invites to (or cancels) the shift of `shift`: one event with the
    /// shift's stable UID, so calendar programs update the same entry.
    fn invitation(
        &self,
        method: ical::Method,
        shift: &ShiftContext,
        claimed: &Claimed,
        subject: &str,
    ) -> String {
        let entry = &shift.entry;
        let summary = format!("{} – {}", entry.shift_title, entry.centre_name);
        let location = format!(
            "{}, {}, {} {}",
            entry.centre_name, entry.street, entry.postcode, entry.town
        );
        // Later notifications carry higher numbers: calendar programs keep the newest. In the
        // same second an invitation outranks a cancellation (a sign-up again after cancelling).
        let seconds = claimed.created_at.timestamp() - 1_700_000_000;
        let sequence =
            i32::try_from(seconds * 2 + i64::from(method == ical::Method::Request)).unwrap_or(0);
        let organizer = self.from.email.to_string();
        ical::render(&ical::Calendar {
            name: subject,
            time_zone: quartier_domain::schedule::DEFAULT_TIME_ZONE,
            events: vec![ical::Event {
                uid: format!("shift-{}@quartier", entry.signup.shift_id),
                sequence,
                starts_at: entry.signup.starts_at,
                ends_at: entry.signup.ends_at,
                updated_at: claimed.created_at,
                summary: &summary,
                description: None,
                location: Some(&location),
                geo: Some((entry.latitude, entry.longitude)),
                url: None,
                categories: vec!["volunteering"],
                cancelled: method == ical::Method::Cancel,
                parties: Some((&organizer, &claimed.to_address)),
            }],
            method,
        })
    }

    /// Hands `message` over.
    pub async fn send(&self, id: uuid::Uuid, message: &Message) -> Result<(), SendError> {
        match &self.transport {
            // The whole hand-over (pool wait, connect, TLS, every command) within the timeout,
            // so that it ends well within the lease of the claimed row.
            Transport::Smtp(smtp) => {
                match tokio::time::timeout(self.settings.timeout, smtp.send(message.clone())).await
                {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(e)) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
                    Ok(Err(e)) => Err(SendError::Transient(e.to_string())),
                    Err(_) => Err(SendError::Transient(format!(
                        "the SMTP server took longer than {} s",
                        self.settings.timeout.as_secs()
                    ))),
                }
            }
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
