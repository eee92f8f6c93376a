//! What a mail about a shift needs besides the notification: the sign-up with its shift and
//! place, and for a staff message, the message. Loaded by the sender just before writing.

use quartier_persistence::digests::{self, DigestShift, StaffSummary};
use quartier_persistence::notifications::Claimed;
use quartier_persistence::shift_mail::{self, ShiftMessageRow};
use quartier_persistence::signups::{self, FeedEntry};
use quartier_persistence::{AsyncPgConnection, Result};

/// The shift a mail is about.
#[derive(Debug, Clone)]
pub struct ShiftContext {
    pub entry: FeedEntry,
    pub message: Option<ShiftMessageRow>,
}

/// What a mail needs besides its notification.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub shift: Option<ShiftContext>,
    /// For an invitation: the operator's name and the role offered.
    pub invitation: Option<(String, String)>,
    /// For a guest's confirmation: the hold and its shift.
    pub hold: Option<quartier_persistence::guests::HoldMail>,
    /// For a digest: the shifts it lists (help wanted; or staff's summary, with the
    /// operator's name).
    pub digest: Option<Digest>,
    /// For an answer to a concern: the concern's title and the answer.
    pub concern: Option<(String, quartier_persistence::concerns::AnswerRow)>,
    /// For a guest's concern waiting for her confirmation: its title and her name.
    pub draft: Option<quartier_persistence::guests::DraftMail>,
    /// For a decision on a room date: the date with its room and centre.
    pub room: Option<quartier_persistence::rooms::RoomMail>,
    /// For a room booking waiting for a guest's confirmation: whom it greets and its dates.
    pub room_draft: Option<quartier_persistence::rooms::drafts::DraftMail>,
    /// For a decision on an application to a neighbourhood fund: the project and its fund.
    pub application: Option<quartier_persistence::funds::ApplicationMail>,
    /// For an application made with the guest form, waiting for her confirmation.
    pub fund_draft: Option<quartier_persistence::fund_drafts::DraftMail>,
    /// For a step of a match of neighbourly help: its request's summary.
    pub help: Option<quartier_persistence::help::HelpMail>,
    /// For a request of neighbourly help made with the guest form, waiting for her
    /// confirmation.
    pub help_draft: Option<quartier_persistence::help_drafts::DraftMail>,
    /// For a message of a match of neighbourly help: its text and the request's summary.
    pub help_message: Option<quartier_persistence::help::MessageMail>,
}

/// What a daily digest lists.
#[derive(Debug, Clone, Default)]
pub struct Digest {
    pub operator_name: String,
    pub help_wanted: Vec<DigestShift>,
    pub summary: StaffSummary,
}

/// The context of `claimed`.
pub async fn load(conn: &mut AsyncPgConnection, claimed: &Claimed) -> Result<Context> {
    let invitation = match claimed.kind() {
        Some(quartier_domain::notification::Kind::StaffInvitation) => {
            match claimed.details()["invitation_id"]
                .as_str()
                .and_then(|s| s.parse::<uuid::Uuid>().ok())
            {
                Some(id) => quartier_persistence::staff_invitations::mail_context(conn, id).await?,
                None => None,
            }
        }
        _ => None,
    };
    let hold = match claimed.kind() {
        Some(
            quartier_domain::notification::Kind::GuestHold
            | quartier_domain::notification::Kind::StandingOffer,
        ) => {
            match claimed.details()["hold_id"]
                .as_str()
                .and_then(|s| s.parse::<uuid::Uuid>().ok())
            {
                Some(id) => quartier_persistence::guests::hold_mail(conn, id).await?,
                None => None,
            }
        }
        _ => None,
    };
    let now = chrono::Utc::now();
    let digest = match (claimed.kind(), claimed.user_id, claimed.operator_id) {
        (Some(quartier_domain::notification::Kind::HelpWanted), Some(user), _) => Some(Digest {
            help_wanted: digests::help_wanted(conn, user, now).await?,
            ..Digest::default()
        }),
        (Some(quartier_domain::notification::Kind::StaffSummary), Some(user), Some(operator)) => {
            Some(Digest {
                operator_name: quartier_persistence::operators::find(conn, operator)
                    .await?
                    .map(|o| o.name)
                    .unwrap_or_default(),
                summary: digests::staff_summary(conn, user, operator, now).await?,
                ..Digest::default()
            })
        }
        _ => None,
    };
    let concern = match claimed.kind() {
        Some(quartier_domain::notification::Kind::ConcernAnswered) => {
            let id = |field: &str| {
                claimed.details()[field]
                    .as_str()
                    .and_then(|s| s.parse::<uuid::Uuid>().ok())
            };
            match (id("concern_id"), id("answer_id")) {
                (Some(concern_id), Some(answer_id)) => {
                    let concern = quartier_persistence::concerns::find(conn, concern_id).await?;
                    let answer =
                        quartier_persistence::concerns::answer(conn, concern_id, answer_id).await?;
                    concern.zip(answer).map(|(c, a)| (c.title, a))
                }
                _ => None,
            }
        }
        _ => None,
    };
    let draft = match claimed.kind() {
        Some(quartier_domain::notification::Kind::GuestConcern) => {
            match claimed.details()["draft_id"]
                .as_str()
                .and_then(|s| s.parse::<uuid::Uuid>().ok())
            {
                Some(id) => quartier_persistence::guests::draft_mail(conn, id).await?,
                None => None,
            }
        }
        _ => None,
    };
    let room = match claimed.kind() {
        Some(quartier_domain::notification::Kind::RoomBookingDecided) => {
            match claimed.details()["date_id"]
                .as_str()
                .and_then(|s| s.parse::<uuid::Uuid>().ok())
            {
                Some(id) => quartier_persistence::rooms::mail_context(conn, id).await?,
                None => None,
            }
        }
        _ => None,
    };
    let room_draft = match claimed.kind() {
        Some(quartier_domain::notification::Kind::GuestRoomBooking) => {
            match claimed.details()["draft_id"]
                .as_str()
                .and_then(|s| s.parse::<uuid::Uuid>().ok())
            {
                Some(id) => quartier_persistence::rooms::drafts::mail(conn, id).await?,
                None => None,
            }
        }
        _ => None,
    };
    let application = match claimed.kind() {
        Some(quartier_domain::notification::Kind::FundApplicationDecided) => {
            match claimed.details()["application_id"]
                .as_str()
                .and_then(|s| s.parse::<uuid::Uuid>().ok())
            {
                Some(id) => quartier_persistence::funds::mail_context(conn, id).await?,
                None => None,
            }
        }
        _ => None,
    };
    let fund_draft = match claimed.kind() {
        Some(quartier_domain::notification::Kind::GuestFundApplication) => {
            match claimed.details()["draft_id"]
                .as_str()
                .and_then(|s| s.parse::<uuid::Uuid>().ok())
            {
                Some(id) => quartier_persistence::fund_drafts::mail(conn, id).await?,
                None => None,
            }
        }
        _ => None,
    };
    let help = match claimed.kind() {
        Some(quartier_domain::notification::Kind::HelpMatch) => match claimed.details()["match_id"]
            .as_str()
            .and_then(|s| s.parse::<uuid::Uuid>().ok())
        {
            Some(id) => quartier_persistence::help::mail(conn, id).await?,
            None => None,
        },
        _ => None,
    };
    let help_draft = match claimed.kind() {
        Some(quartier_domain::notification::Kind::GuestHelpRequest) => {
            match claimed.details()["draft_id"]
                .as_str()
                .and_then(|s| s.parse::<uuid::Uuid>().ok())
            {
                Some(id) => quartier_persistence::help_drafts::mail(conn, id).await?,
                None => None,
            }
        }
        _ => None,
    };
    let help_message = match claimed.kind() {
        Some(quartier_domain::notification::Kind::HelpMessage) => {
            match claimed.details()["message_id"]
                .as_str()
                .and_then(|s| s.parse::<uuid::Uuid>().ok())
            {
                Some(id) => quartier_persistence::help::message_mail(conn, id).await?,
                None => None,
            }
        }
        _ => None,
    };
    Ok(Context {
        help,
        help_draft,
        help_message,
        application,
        fund_draft,
        room,
        room_draft,
        shift: load_shift(conn, claimed).await?,
        invitation,
        hold,
        digest,
        concern,
        draft,
    })
}

/// The shift of `claimed`, for the kinds about a sign-up; `None` for the others, or when the
/// sign-up is gone.
async fn load_shift(
    conn: &mut AsyncPgConnection,
    claimed: &Claimed,
) -> Result<Option<ShiftContext>> {
    let Some(kind) = claimed.kind().filter(|k| k.is_about_a_signup()) else {
        return Ok(None);
    };
    let details = claimed.details();
    let id = |field: &str| {
        details[field]
            .as_str()
            .and_then(|s| s.parse::<uuid::Uuid>().ok())
    };
    let Some(entry) = (match id("signup_id") {
        Some(signup) => signups::feed_entry(conn, signup).await?,
        None => None,
    }) else {
        return Ok(None);
    };
    let message = match (kind, id("message_id")) {
        (quartier_domain::notification::Kind::ShiftMessage, Some(message)) => {
            shift_mail::message(conn, message).await?
        }
        _ => None,
    };
    Ok(Some(ShiftContext { entry, message }))
}
