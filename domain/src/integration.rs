//! What operators' own systems work with: the scopes of API keys, their own ids for our
//! objects, and the events they can be told about.

use crate::validation::ValidationErrors;

/// What an API key may do, always for its own operator only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Create and change activities and their occurrences; import them.
    ActivitiesWrite,
    /// Create and change shifts; import them.
    ShiftsWrite,
    /// Sign volunteers up, cancel, check in, record attendance.
    SignupsWrite,
    /// Read rosters: who signed up for which shift, with their contact.
    RosterRead,
    /// Manage webhook subscriptions and read their delivery log.
    WebhooksManage,
    /// Answer the concerns the operator answers: read its queue, move them on, answer, link
    /// outcomes, write down concerns told to staff.
    ConcernsWrite,
    /// Keep the directory entry of the partner the operator is: its description, topics,
    /// districts, contact, address and which of them are public.
    PartnersWrite,
    /// Keep the operator's rooms: give activities their rooms, and decide on the requests
    /// for the rooms of its centres.
    RoomsWrite,
    /// Read the operator's figures for reports.
    ReportsRead,
    /// Run the operator's neighbourhood funds: check applications, decide, settle.
    FundsWrite,
    /// Mediate neighbourly help at the operator's centres: record requests, propose helpers.
    HelpWrite,
}

impl Scope {
    pub const ALL: [Scope; 11] = [
        Scope::ActivitiesWrite,
        Scope::ShiftsWrite,
        Scope::SignupsWrite,
        Scope::RosterRead,
        Scope::WebhooksManage,
        Scope::ConcernsWrite,
        Scope::PartnersWrite,
        Scope::RoomsWrite,
        Scope::ReportsRead,
        Scope::FundsWrite,
        Scope::HelpWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ActivitiesWrite => "activities:write",
            Scope::ShiftsWrite => "shifts:write",
            Scope::SignupsWrite => "signups:write",
            Scope::RosterRead => "roster:read",
            Scope::WebhooksManage => "webhooks:manage",
            Scope::ConcernsWrite => "concerns:write",
            Scope::PartnersWrite => "partners:write",
            Scope::RoomsWrite => "rooms:write",
            Scope::ReportsRead => "reports:read",
            Scope::FundsWrite => "funds:write",
            Scope::HelpWrite => "help:write",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == raw)
    }
}

/// The event a test ping sends; it is not part of the outbox.
pub const PING_EVENT: &str = "webhook.ping";

/// An operator's own id for one of our objects: 1 to 200 visible ASCII characters, so that
/// it fits a URL path segment once percent-encoded and survives every CSV export.
pub fn external_id(raw: &str, field: &str) -> Result<String, ValidationErrors> {
    if raw.is_empty() || raw.len() > 200 {
        return Err(ValidationErrors::single(
            field,
            "must be 1 to 200 characters",
        ));
    }
    if !raw.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ValidationErrors::single(
            field,
            "may hold only visible ASCII characters (no spaces)",
        ));
    }
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(Scope::parse("activities:read"), None);
    }

    #[test]
    fn external_ids_are_visible_ascii() {
        assert!(external_id("KURS-2026/17", "external_id").is_ok());
        assert!(external_id("", "external_id").is_err());
        assert!(external_id("mit leerzeichen", "external_id").is_err());
        assert!(external_id("größe", "external_id").is_err());
        assert!(external_id(&"x".repeat(201), "external_id").is_err());
    }
}
