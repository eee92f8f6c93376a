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
    /// The volunteer has a place on a shift (with a calendar invitation).
    SignupConfirmed,
    /// The volunteer waits for a place (or was moved back to the waitlist).
    SignupWaitlisted,
    /// A place became free and is now the volunteer's (with a calendar invitation).
    SignupPromoted,
    /// The sign-up ended: by the volunteer, by staff, or with its shift or date (with the
    /// calendar's cancellation).
    SignupCancelled,
    /// The volunteer's shift now starts or ends at another time.
    ShiftMoved,
    /// The volunteer's shift begins soon. Optional.
    ShiftReminder,
    /// Staff wrote to everyone confirmed on a shift.
    ShiftMessage,
    /// An operator invites an address to its staff (sent to the address alone).
    StaffInvitation,
    /// A guest's sign-up holds a place until she confirms it with the mail's link.
    GuestHold,
    /// A guest's link to her own sign-ups.
    GuestLink,
    /// Once a day: open shifts in the volunteer's districts or needing her skills. Optional,
    /// off unless she asks for it.
    HelpWanted,
    /// Once a day for staff: late cancellations, and shifts still short 48 hours ahead.
    /// Optional.
    StaffSummary,
    /// A concern the person raised, or supports and asked to hear of, was answered.
    ConcernAnswered,
    /// A concern raised with the guest form waits until she confirms it with the mail's link.
    GuestConcern,
    /// Someone else decided on a room date the person booked or asked for: confirmed,
    /// declined or cancelled.
    RoomBookingDecided,
    /// A room booking asked for with the guest form waits until she confirms it with the
    /// mail's link.
    GuestRoomBooking,
    /// A date of her standing sign-up that asks is offered: a place is held for her (or, with
    /// none free, one on the waitlist) until she accepts or declines it, or it is due.
    StandingOffer,
    /// Those who keep a neighbourhood fund decided on the person's application (approved or
    /// declined), or settled it.
    FundApplicationDecided,
    /// An application to a neighbourhood fund made with the guest form waits until she
    /// confirms it with the mail's link.
    GuestFundApplication,
    /// A match of neighbourly help moved: a helper was proposed to her, a helper said yes to
    /// her request, both agreed (contacts are in the app now), or it was declined, a no-show
    /// or cancelled.
    HelpMatch,
    /// A request of neighbourly help made with the guest form waits until she confirms it
    /// with the mail's link.
    GuestHelpRequest,
    /// The other side of a match of neighbourly help wrote to the person (through Quartier,
    /// without either's contact).
    HelpMessage,
}

impl Kind {
    pub const ALL: [Kind; 27] = [
        Kind::ApiKeysCreatorLeft,
        Kind::EmailVerification,
        Kind::EmailChangeRequested,
        Kind::PasswordReset,
        Kind::PasswordChanged,
        Kind::SignupConfirmed,
        Kind::SignupWaitlisted,
        Kind::SignupPromoted,
        Kind::SignupCancelled,
        Kind::ShiftMoved,
        Kind::ShiftReminder,
        Kind::ShiftMessage,
        Kind::StaffInvitation,
        Kind::GuestHold,
        Kind::GuestLink,
        Kind::HelpWanted,
        Kind::StaffSummary,
        Kind::ConcernAnswered,
        Kind::GuestConcern,
        Kind::RoomBookingDecided,
        Kind::GuestRoomBooking,
        Kind::StandingOffer,
        Kind::FundApplicationDecided,
        Kind::GuestFundApplication,
        Kind::HelpMatch,
        Kind::GuestHelpRequest,
        Kind::HelpMessage,
    ];

    /// The kinds a person may switch off or move; every other kind is always sent.
    pub const OPTIONAL: [Kind; 3] = [Kind::ShiftReminder, Kind::HelpWanted, Kind::StaffSummary];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ApiKeysCreatorLeft => "api_keys_creator_left",
            Kind::EmailVerification => "email_verification",
            Kind::EmailChangeRequested => "email_change_requested",
            Kind::PasswordReset => "password_reset",
            Kind::PasswordChanged => "password_changed",
            Kind::SignupConfirmed => "signup_confirmed",
            Kind::SignupWaitlisted => "signup_waitlisted",
            Kind::SignupPromoted => "signup_promoted",
            Kind::SignupCancelled => "signup_cancelled",
            Kind::ShiftMoved => "shift_moved",
            Kind::ShiftReminder => "shift_reminder",
            Kind::ShiftMessage => "shift_message",
            Kind::StaffInvitation => "staff_invitation",
            Kind::GuestHold => "guest_hold",
            Kind::GuestLink => "guest_link",
            Kind::HelpWanted => "help_wanted",
            Kind::StaffSummary => "staff_summary",
            Kind::ConcernAnswered => "concern_answered",
            Kind::GuestConcern => "guest_concern",
            Kind::RoomBookingDecided => "room_booking_decided",
            Kind::GuestRoomBooking => "guest_room_booking",
            Kind::StandingOffer => "standing_offer",
            Kind::FundApplicationDecided => "fund_application_decided",
            Kind::GuestFundApplication => "guest_fund_application",
            Kind::HelpMatch => "help_match",
            Kind::GuestHelpRequest => "guest_help_request",
            Kind::HelpMessage => "help_message",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    /// Whether the mail carries a one-use link, which is of no use once the link is (so the
    /// mail is skipped when its token was used up or replaced before it was sent).
    pub fn carries_token(self) -> bool {
        matches!(
            self,
            Kind::EmailVerification | Kind::PasswordReset | Kind::GuestLink
        )
    }

    /// Whether the person may switch it off (else it is transactional: always sent).
    pub fn is_optional(self) -> bool {
        Self::OPTIONAL.contains(&self)
    }

    /// Whether it gathers a day's news into one mail (and so cannot be sent immediately).
    pub fn is_digest(self) -> bool {
        matches!(self, Kind::HelpWanted | Kind::StaffSummary)
    }

    /// How a person who chose nothing gets this optional kind: help wanted is asked for,
    /// staff's summary comes daily, reminders immediately.
    pub fn default_delivery(self) -> Delivery {
        match self {
            Kind::HelpWanted => Delivery::Off,
            Kind::StaffSummary => Delivery::DailyDigest,
            _ => Delivery::Immediate,
        }
    }

    /// Whether it is about one of the person's sign-ups (its details name `signup_id`).
    pub fn is_about_a_signup(self) -> bool {
        matches!(
            self,
            Kind::SignupConfirmed
                | Kind::SignupWaitlisted
                | Kind::SignupPromoted
                | Kind::SignupCancelled
                | Kind::ShiftMoved
                | Kind::ShiftReminder
                | Kind::ShiftMessage
        )
    }
}

/// How a person wants an optional kind of mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// Each as it comes.
    Immediate,
    /// Gathered into one mail a day.
    DailyDigest,
    /// Not at all.
    Off,
}

impl Delivery {
    pub const ALL: [Delivery; 3] = [Delivery::Immediate, Delivery::DailyDigest, Delivery::Off];

    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Immediate => "immediate",
            Delivery::DailyDigest => "daily_digest",
            Delivery::Off => "off",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == value)
    }
}

/// How long before a shift its reminder is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReminderLead {
    TwoHours,
    #[default]
    OneDay,
    TwoDays,
}

impl ReminderLead {
    pub const ALL: [ReminderLead; 3] = [
        ReminderLead::TwoHours,
        ReminderLead::OneDay,
        ReminderLead::TwoDays,
    ];

    pub fn hours(self) -> i32 {
        match self {
            ReminderLead::TwoHours => 2,
            ReminderLead::OneDay => 24,
            ReminderLead::TwoDays => 48,
        }
    }

    pub fn from_hours(hours: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|lead| lead.hours() == hours)
    }
}

/// Quiet hours, local time: no reminder is due from 21:00 until 07:00.
pub const QUIET_FROM: chrono::NaiveTime = match chrono::NaiveTime::from_hms_opt(21, 0, 0) {
    Some(t) => t,
    None => panic!("a valid time"),
};
pub const QUIET_UNTIL: chrono::NaiveTime = match chrono::NaiveTime::from_hms_opt(7, 0, 0) {
    Some(t) => t,
    None => panic!("a valid time"),
};

/// When the reminder of a shift starting at `starts_at` is due, `lead` before it in `zone`:
/// a time in the quiet hours moves earlier, to half an hour before they begin (the evening
/// before). `None` when that time is not after `now` (the confirmation just sent is reminder
/// enough).
pub fn reminder_due(
    starts_at: chrono::DateTime<chrono::Utc>,
    lead: ReminderLead,
    zone: chrono_tz::Tz,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{Duration, TimeZone as _};
    let due = starts_at - Duration::hours(i64::from(lead.hours()));
    let local = due.with_timezone(&zone);
    let time = local.time();
    let due = if time >= QUIET_FROM || time < QUIET_UNTIL {
        // The evening the quiet hours began: today's if it is late, else yesterday's.
        let evening = if time >= QUIET_FROM {
            local.date_naive()
        } else {
            local.date_naive() - Duration::days(1)
        };
        let moved = evening.and_time(QUIET_FROM) - Duration::minutes(30);
        zone.from_local_datetime(&moved)
            .earliest()
            .map_or(due, |at| at.with_timezone(&chrono::Utc))
    } else {
        due
    };
    (due > now).then_some(due)
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
        assert_eq!(Kind::parse("signup.confirmed"), None);
    }

    fn berlin(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> chrono::DateTime<chrono::Utc> {
        use chrono::TimeZone as _;
        chrono_tz::Europe::Berlin
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("a Berlin time")
            .with_timezone(&chrono::Utc)
    }

    #[test]
    fn reminders_fall_outside_the_quiet_hours_and_never_in_the_past() {
        let zone = chrono_tz::Europe::Berlin;
        let long_ago = berlin(2026, 1, 1, 0, 0);
        // A Saturday 15:00 shift: the day before at 15:00.
        assert_eq!(
            reminder_due(
                berlin(2026, 12, 12, 15, 0),
                ReminderLead::OneDay,
                zone,
                long_ago
            ),
            Some(berlin(2026, 12, 11, 15, 0))
        );
        // 08:00 with two hours: 06:00 is quiet, so 20:30 the evening before.
        assert_eq!(
            reminder_due(
                berlin(2026, 12, 12, 8, 0),
                ReminderLead::TwoHours,
                zone,
                long_ago
            ),
            Some(berlin(2026, 12, 11, 20, 30))
        );
        // 23:30 with two hours: 21:30 is quiet, so 20:30 the same evening.
        assert_eq!(
            reminder_due(
                berlin(2026, 12, 12, 23, 30),
                ReminderLead::TwoHours,
                zone,
                long_ago
            ),
            Some(berlin(2026, 12, 12, 20, 30))
        );
        // The lead is elapsed time: across the change to summer time, 24 hours before
        // 10:00 is 09:00 the day before.
        assert_eq!(
            reminder_due(
                berlin(2026, 3, 29, 10, 0),
                ReminderLead::OneDay,
                zone,
                long_ago
            ),
            Some(berlin(2026, 3, 28, 9, 0))
        );
        // Due already: none.
        let now = berlin(2026, 12, 12, 9, 0);
        assert_eq!(
            reminder_due(berlin(2026, 12, 12, 15, 0), ReminderLead::OneDay, zone, now),
            None
        );
    }

    #[test]
    fn language_tags_ignore_case() {
        assert_eq!(MailLanguage::parse("EN"), Some(MailLanguage::English));
        assert_eq!(MailLanguage::parse("de"), Some(MailLanguage::German));
        assert_eq!(MailLanguage::parse("de-LS"), None);
    }
}
