//! Guests: people who help without an account. A guest gives a name and an address, and her
//! sign-up holds a place until she confirms it from the mail; a walk-in at the desk gives a
//! name only. Guests are rows of the same table as accounts, so every rule about sign-ups
//! holds for them unchanged.

use chrono::Duration;

/// How long a guest's sign-up holds a place before she confirms it.
pub const HOLD: Duration = Duration::minutes(30);

/// How long the link to a guest's own sign-ups works.
pub const ACCESS: Duration = Duration::hours(1);

/// How long a concern raised with the guest form waits for her to confirm it.
pub const CONCERN_CONFIRMATION: Duration = Duration::hours(24);

/// How long a room booking asked for with the guest form waits for her to confirm it.
pub const ROOM_BOOKING_CONFIRMATION: Duration = Duration::hours(24);

/// How long an application to a fund made with the guest form waits for her to confirm it.
pub const FUND_APPLICATION_CONFIRMATION: Duration = Duration::hours(24);

/// How long a request of neighbourly help made with the guest form waits for her to confirm
/// it.
pub const HELP_REQUEST_CONFIRMATION: Duration = Duration::hours(24);

/// Whether a person has an account or helps as a guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PersonKind {
    /// Signs in with a password.
    Account,
    /// No password: confirms by mail, or was signed up at the desk.
    Guest,
}

impl PersonKind {
    pub const ALL: [PersonKind; 2] = [PersonKind::Account, PersonKind::Guest];

    pub fn as_str(self) -> &'static str {
        match self {
            PersonKind::Account => "account",
            PersonKind::Guest => "guest",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// Whether guests may sign up for a shift: its own choice if it made one, else its centre's.
pub fn guests_welcome(shift_choice: Option<bool>, centre_choice: bool) -> bool {
    shift_choice.unwrap_or(centre_choice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for kind in PersonKind::ALL {
            assert_eq!(PersonKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(PersonKind::parse("Guest"), None);
    }

    #[test]
    fn a_shift_overrides_its_centre() {
        assert!(guests_welcome(None, true));
        assert!(!guests_welcome(None, false));
        assert!(guests_welcome(Some(true), false));
        assert!(!guests_welcome(Some(false), true));
    }
}
