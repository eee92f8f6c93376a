//! What a person is told: one row per recipient and message, which is also the queue of the
//! mail that carries it. Rows are made in the transaction of the fact they tell of; senders in
//! every instance claim due rows with `SKIP LOCKED` under a lease, so no two send one row.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Interval, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::notifications;
use crate::shift_mail::{self, Holds};
use crate::{Result, account_tokens};

pub use quartier_domain::notification::{DeliveryState, Kind};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notifications, check_for_backend(diesel::pg::Pg))]
pub struct NotificationRow {
    pub id: Uuid,
    /// `None` for mail to an address without an account (an invitation).
    pub user_id: Option<Uuid>,
    pub kind: String,
    pub operator_id: Option<Uuid>,
    pub details: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub state: String,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A notification to make.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub id: Uuid,
    /// `None` for mail to `address` alone (no account is named).
    pub user_id: Option<Uuid>,
    pub kind: Kind,
    pub operator_id: Option<Uuid>,
    /// Ids only, never names, addresses or secrets.
    pub details: serde_json::Value,
    /// Where the mail goes when not to the account's address at sending time.
    pub address: Option<String>,
    /// The same key never makes a second row. `None`: the notification's own id.
    pub dedup_key: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
}

impl NewNotification {
    /// `kind` for `user_id`, due now, with no details.
    pub fn now(user_id: Uuid, kind: Kind) -> Self {
        Self {
            id: Uuid::now_v7(),
            user_id: Some(user_id),
            kind,
            operator_id: None,
            details: serde_json::json!({}),
            address: None,
            dedup_key: None,
            due_at: None,
        }
    }
}

/// Queues `new` unless a notification with its de-duplication key exists; says whether it
/// was queued.
pub async fn enqueue(conn: &mut AsyncPgConnection, new: &NewNotification) -> Result<bool> {
    Ok(enqueue_all(conn, std::slice::from_ref(new)).await? == 1)
}

/// The most notifications one statement queues (eight parameters each).
const ROWS_PER_STATEMENT: usize = 1000;

/// Queues each of `all` unless a notification with its de-duplication key exists (or comes
/// earlier in `all`), in one statement per thousand; says how many were queued.
pub async fn enqueue_all(conn: &mut AsyncPgConnection, all: &[NewNotification]) -> Result<usize> {
    let now = Utc::now();
    let mut queued = 0;
    for chunk in all.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|new| {
                (
                    notifications::id.eq(new.id),
                    notifications::user_id.eq(new.user_id),
                    notifications::kind.eq(new.kind.as_str()),
                    notifications::operator_id.eq(new.operator_id),
                    notifications::details.eq(new.details.to_string()),
                    notifications::address.eq(new.address.as_deref()),
                    notifications::dedup_key
                        .eq(new.dedup_key.clone().unwrap_or_else(|| new.id.to_string())),
                    notifications::due_at.eq(new.due_at.unwrap_or(now)),
                )
            })
            .collect();
        queued += diesel::insert_into(notifications::table)
            .values(rows)
            .on_conflict(notifications::dedup_key)
            .do_nothing()
            .execute(conn)
            .await?;
    }
    Ok(queued)
}

/// Tells each of `recipients` the same thing.
pub async fn notify(
    conn: &mut AsyncPgConnection,
    recipients: &[Uuid],
    kind: Kind,
    operator_id: Option<Uuid>,
    details: &serde_json::Value,
) -> Result<usize> {
    let all: Vec<NewNotification> = recipients
        .iter()
        .map(|user_id| NewNotification {
            operator_id,
            details: details.clone(),
            ..NewNotification::now(*user_id, kind)
        })
        .collect();
    enqueue_all(conn, &all).await
}

/// The person's notifications, newest first, at most `limit`.
pub async fn of_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    limit: i64,
) -> Result<Vec<NotificationRow>> {
    // A digest that had nothing to tell was never anything to the person.
    let empty_digests = notifications::kind
        .eq_any([Kind::HelpWanted.as_str(), Kind::StaffSummary.as_str()])
        .and(notifications::state.eq(DeliveryState::SkippedObsolete.as_str()));
    Ok(notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(diesel::dsl::not(empty_digests))
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .limit(limit)
        .select(NotificationRow::as_select())
        .load(conn)
        .await?)
}

/// Marks one of the person's notifications read (the first time only); false when she has
/// none with this id.
pub async fn mark_read(conn: &mut AsyncPgConnection, user_id: Uuid, id: Uuid) -> Result<bool> {
    let found: Option<Uuid> = notifications::table
        .filter(notifications::id.eq(id))
        .filter(notifications::user_id.eq(user_id))
        .select(notifications::id)
        .first(conn)
        .await
        .optional()?;
    if found.is_none() {
        return Ok(false);
    }
    diesel::update(
        notifications::table
            .filter(notifications::id.eq(id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    Ok(true)
}

/// A notification a sender claimed, with what the mail needs of its recipient.
#[derive(Debug, Clone, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: Uuid,
    /// `None` for mail to an address alone.
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    pub user_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    pub operator_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub details: String,
    /// This attempt's number, counting from 1.
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    /// The address to write to: the notification's own, or the account's.
    #[diesel(sql_type = Text)]
    pub to_address: String,
    #[diesel(sql_type = Text)]
    pub display_name: String,
    #[diesel(sql_type = Text)]
    pub language: String,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

impl Claimed {
    pub fn kind(&self) -> Option<Kind> {
        Kind::parse(&self.kind)
    }

    pub fn details(&self) -> serde_json::Value {
        serde_json::from_str(&self.details).unwrap_or_default()
    }
}

/// Claims up to `limit` queued notifications that are due, oldest first, for `lease`: rows
/// another sender holds are skipped, not waited for, and a lease that ran out (a sender that
/// died) lets another take the row over. Each claim counts as an attempt.
pub async fn claim_due(
    conn: &mut AsyncPgConnection,
    limit: i64,
    lease: chrono::Duration,
) -> Result<Vec<Claimed>> {
    const CLAIM: &str = "\
        UPDATE notifications n \
           SET leased_until = now() + $2, attempts = n.attempts + 1 \
          FROM (SELECT q.id, u.email, u.display_name, u.language \
                  FROM notifications q LEFT JOIN users u ON u.id = q.user_id \
                 WHERE q.state = 'queued' AND q.due_at <= now() \
                   AND (q.next_attempt_at IS NULL OR q.next_attempt_at <= now()) \
                   AND (q.leased_until IS NULL OR q.leased_until < now()) \
                 ORDER BY q.due_at, q.id LIMIT $1 FOR UPDATE OF q SKIP LOCKED) due \
         WHERE n.id = due.id \
     RETURNING n.id, n.user_id, n.kind, n.operator_id, n.details, n.attempts, \
               coalesce(n.address, due.email, '') AS to_address, \
               coalesce(due.display_name, '') AS display_name, \
               coalesce(due.language, 'de') AS language, n.created_at";
    Ok(diesel::sql_query(CLAIM)
        .bind::<diesel::sql_types::BigInt, _>(limit)
        .bind::<Interval, _>(pg_interval(lease))
        .load(conn)
        .await?)
}

fn pg_interval(duration: chrono::Duration) -> diesel::data_types::PgInterval {
    diesel::data_types::PgInterval::from_microseconds(
        duration.num_microseconds().unwrap_or(i64::MAX),
    )
}

/// Whether what the claimed notification tells of still holds, checked just before sending:
/// a link must still be usable, a sign-up still be as the mail says, and an optional kind
/// still be wanted.
pub async fn still_holds(conn: &mut AsyncPgConnection, claimed: &Claimed) -> Result<Holds> {
    let yes_if = |holds: bool| if holds { Holds::Yes } else { Holds::Obsolete };
    // A walk-in signed up at the desk has no address: nothing to send.
    if claimed.to_address.is_empty() {
        return Ok(Holds::Obsolete);
    }
    match claimed.kind() {
        Some(kind) if kind.carries_token() => {
            let token = claimed.details()["token_id"]
                .as_str()
                .and_then(|id| id.parse::<Uuid>().ok());
            match token {
                Some(token) => Ok(yes_if(account_tokens::still_valid(conn, token).await?)),
                None => Ok(Holds::Obsolete),
            }
        }
        Some(kind) if kind.is_about_a_signup() => match claimed.user_id {
            Some(user_id) => shift_mail::still_holds(conn, user_id, kind, &claimed.details()).await,
            None => Ok(Holds::Obsolete),
        },
        Some(kind) if kind.is_digest() => {
            let Some(user_id) = claimed.user_id else {
                return Ok(Holds::Obsolete);
            };
            let chosen = shift_mail::preference(conn, user_id, kind).await?;
            if chosen.delivery == quartier_domain::notification::Delivery::Off {
                return Ok(Holds::NotWanted);
            }
            let now = Utc::now();
            let something = match (kind, claimed.operator_id) {
                (Kind::HelpWanted, _) => !crate::digests::help_wanted(conn, user_id, now)
                    .await?
                    .is_empty(),
                (Kind::StaffSummary, Some(operator_id)) => {
                    !crate::digests::staff_summary(conn, user_id, operator_id, now)
                        .await?
                        .is_empty()
                }
                _ => false,
            };
            Ok(yes_if(something))
        }
        Some(Kind::GuestHold | Kind::StandingOffer) => {
            let hold = claimed.details()["hold_id"]
                .as_str()
                .and_then(|id| id.parse::<Uuid>().ok());
            match hold {
                Some(id) => Ok(yes_if(crate::guests::hold_open(conn, id).await?)),
                None => Ok(Holds::Obsolete),
            }
        }
        Some(Kind::GuestConcern) => {
            let draft = claimed.details()["draft_id"]
                .as_str()
                .and_then(|id| id.parse::<Uuid>().ok());
            match draft {
                Some(id) => Ok(yes_if(crate::guests::draft_open(conn, id).await?)),
                None => Ok(Holds::Obsolete),
            }
        }
        Some(Kind::GuestFundApplication) => {
            let draft = claimed.details()["draft_id"]
                .as_str()
                .and_then(|id| id.parse::<Uuid>().ok());
            match draft {
                Some(id) => Ok(yes_if(crate::fund_drafts::is_open(conn, id).await?)),
                None => Ok(Holds::Obsolete),
            }
        }
        Some(Kind::GuestHelpRequest) => {
            let draft = claimed.details()["draft_id"]
                .as_str()
                .and_then(|id| id.parse::<Uuid>().ok());
            match draft {
                Some(id) => Ok(yes_if(crate::help_drafts::is_open(conn, id).await?)),
                None => Ok(Holds::Obsolete),
            }
        }
        Some(Kind::HelpMatch) => {
            let details = claimed.details();
            let matched = details["match_id"]
                .as_str()
                .and_then(|id| id.parse::<Uuid>().ok());
            match (matched, details["status"].as_str()) {
                (Some(id), Some(status)) => {
                    Ok(yes_if(crate::help::stands_at(conn, id, status).await?))
                }
                _ => Ok(Holds::Obsolete),
            }
        }
        Some(Kind::GuestRoomBooking) => {
            let draft = claimed.details()["draft_id"]
                .as_str()
                .and_then(|id| id.parse::<Uuid>().ok());
            match draft {
                Some(id) => Ok(yes_if(crate::rooms::drafts::is_open(conn, id).await?)),
                None => Ok(Holds::Obsolete),
            }
        }
        Some(Kind::StaffInvitation) => {
            let invitation = claimed.details()["invitation_id"]
                .as_str()
                .and_then(|id| id.parse::<Uuid>().ok());
            match invitation {
                Some(id) => Ok(yes_if(crate::staff_invitations::is_open(conn, id).await?)),
                None => Ok(Holds::Obsolete),
            }
        }
        // A date decided again before the mail went (confirmed, then cancelled) is told by
        // the later mail alone.
        Some(Kind::RoomBookingDecided) => {
            let details = claimed.details();
            let date = details["date_id"]
                .as_str()
                .and_then(|id| id.parse::<Uuid>().ok());
            match date {
                Some(id) => {
                    let now = crate::rooms::date(conn, id).await?;
                    Ok(yes_if(now.is_some_and(|d| {
                        Some(d.status.as_str()) == details["status"].as_str()
                    })))
                }
                None => Ok(Holds::Obsolete),
            }
        }
        Some(_) => Ok(Holds::Yes),
        None => Ok(Holds::Obsolete),
    }
}

/// The mail of a claimed notification was accepted (or it was skipped): the row leaves the
/// queue. Only the sender that holds the lease can finish it.
pub async fn finish(
    conn: &mut AsyncPgConnection,
    claimed: &Claimed,
    state: DeliveryState,
    error: Option<&str>,
) -> Result<bool> {
    let sent_at = (state == DeliveryState::Sent).then(Utc::now);
    let finished = diesel::update(
        notifications::table
            .filter(notifications::id.eq(claimed.id))
            .filter(notifications::state.eq(DeliveryState::Queued.as_str()))
            .filter(notifications::attempts.eq(claimed.attempts)),
    )
    .set((
        notifications::state.eq(state.as_str()),
        notifications::sent_at.eq(sent_at),
        notifications::leased_until.eq(None::<DateTime<Utc>>),
        notifications::last_error.eq(error.map(|e| truncate(e, 500))),
    ))
    .execute(conn)
    .await?;
    Ok(finished == 1)
}

/// An attempt failed: the row is tried again at `retry_at`, or has failed for good when there
/// is none.
pub async fn attempt_failed(
    conn: &mut AsyncPgConnection,
    claimed: &Claimed,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<()> {
    match retry_at {
        None => {
            finish(conn, claimed, DeliveryState::Failed, Some(error)).await?;
        }
        Some(at) => {
            diesel::update(
                notifications::table
                    .filter(notifications::id.eq(claimed.id))
                    .filter(notifications::state.eq(DeliveryState::Queued.as_str()))
                    .filter(notifications::attempts.eq(claimed.attempts)),
            )
            .set((
                notifications::next_attempt_at.eq(Some(at)),
                notifications::leased_until.eq(None::<DateTime<Utc>>),
                notifications::last_error.eq(Some(truncate(error, 500))),
            ))
            .execute(conn)
            .await?;
        }
    }
    Ok(())
}

fn truncate(text: &str, max: usize) -> String {
    text.chars()
        .map(|c| if c == '\0' { '\u{FFFD}' } else { c })
        .take(max)
        .collect()
}

/// The mail of notification `id` came back undeliverable for good: a sent one is marked
/// `bounced` with `reason`. Says whether one was.
pub async fn bounced(conn: &mut AsyncPgConnection, id: Uuid, reason: &str) -> Result<bool> {
    let changed = diesel::update(
        notifications::table
            .filter(notifications::id.eq(id))
            .filter(notifications::state.eq(DeliveryState::Sent.as_str())),
    )
    .set((
        notifications::state.eq(DeliveryState::Bounced.as_str()),
        notifications::last_error.eq(reason),
    ))
    .execute(conn)
    .await?;
    Ok(changed == 1)
}
