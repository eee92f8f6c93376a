//! What Quartier tells a person, and how far the mail that carries it got.

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The account that created some of an operator's API keys left it, stopped being its
    /// operator admin, or was erased; the keys still work and are flagged.
    ApiKeysCreatorLeft,
    /// A link that proves the person reads mail at an address (a new account's, or the one
    /// she is changing to).
    EmailVerification,
    /// Told to the old address: someone asked to move the account to another address.
    EmailChangeRequested,
    /// A link to choose a new password.
    PasswordReset,
    /// The password was changed or reset; every session ended.
    PasswordChanged,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::ApiKeysCreatorLeft,
        Kind::EmailVerification,
        Kind::EmailChangeRequested,
        Kind::PasswordReset,
        Kind::PasswordChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ApiKeysCreatorLeft => "api_keys_creator_left",
            Kind::EmailVerification => "email_verification",
            Kind::EmailChangeRequested => "email_change_requested",
            Kind::PasswordReset => "password_reset",
            Kind::PasswordChanged => "password_changed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    /// Whether the mail carries a one-use link, which is of no use once the link is (so the
    /// mail is skipped when its token was used up or replaced before it was sent).
    pub fn carries_token(self) -> bool {
        matches!(self, Kind::EmailVerification | Kind::PasswordReset)
    }
}

/// How far the mail of a notification got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryState {
    /// Waiting for its time or for a sender.
    Queued,
    /// Accepted by the mail server.
    Sent,
    /// Not sent: what it told of no longer holds (a link already used or replaced).
    SkippedObsolete,
    /// Not sent: the person switched this kind off.
    SkippedPreference,
    /// Not sent: the mail server refused it, or failed on every retry.
    Failed,
    /// Sent, and came back undeliverable.
    Bounced,
}

impl DeliveryState {
    pub const ALL: [DeliveryState; 6] = [
        DeliveryState::Queued,
        DeliveryState::Sent,
        DeliveryState::SkippedObsolete,
        DeliveryState::SkippedPreference,
        DeliveryState::Failed,
        DeliveryState::Bounced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Queued => "queued",
            DeliveryState::Sent => "sent",
            DeliveryState::SkippedObsolete => "skipped_obsolete",
            DeliveryState::SkippedPreference => "skipped_preference",
            DeliveryState::Failed => "failed",
            DeliveryState::Bounced => "bounced",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == value)
    }
}

/// The languages mail is written in. German is the default; the content-languages work adds
/// more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MailLanguage {
    #[default]
    German,
    English,
}

impl MailLanguage {
    pub const ALL: [MailLanguage; 2] = [MailLanguage::German, MailLanguage::English];

    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            MailLanguage::German => "de",
            MailLanguage::English => "en",
        }
    }

    /// By tag, ignoring case (`de`, `en`).
    pub fn parse(tag: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|language| language.tag().eq_ignore_ascii_case(tag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_and_state_reads_back_as_itself() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        for state in DeliveryState::ALL {
            assert_eq!(DeliveryState::parse(state.as_str()), Some(state));
        }
        assert_eq!(Kind::parse("signup_confirmed"), None);
    }

    #[test]
    fn language_tags_ignore_case() {
        assert_eq!(MailLanguage::parse("EN"), Some(MailLanguage::English));
        assert_eq!(MailLanguage::parse("de"), Some(MailLanguage::German));
        assert_eq!(MailLanguage::parse("de-LS"), None);
    }
}
