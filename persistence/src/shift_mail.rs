//! What volunteers are told about their shifts. Notifications come from the same outbox
//! events as webhooks, in the transaction that publishes them: a sign-up confirmed, waiting,
//! promoted or cancelled; a shift moved; a reminder before it begins. Staff can also write to
//! everyone confirmed on a shift. Before a mail goes out, it is checked that what it tells
//! still holds.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use quartier_domain::notification::{Delivery, Kind, ReminderLead, reminder_due};
use quartier_domain::schedule::DEFAULT_TIME_ZONE;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::Result;
use crate::notifications::{self, NewNotification};
use crate::schema::{notification_preferences as np, notifications as n, shift_messages};

/// An outbox event as the fan-out reads it: id, type, operator, payload, time.
pub type OutboxEvent = (Uuid, String, Option<Uuid>, String, DateTime<Utc>);

/// Turns outbox events into notifications for the volunteers they concern. Call in the
/// transaction that publishes the events.
pub async fn from_events(conn: &mut AsyncPgConnection, events: &[OutboxEvent]) -> Result<usize> {
    let mut made = 0;
    for (event_id, kind, operator_id, payload, _) in events {
        let data: Value = serde_json::from_str(payload).unwrap_or(Value::Null);
        made += match kind.as_str() {
            "signup.confirmed" | "signup.promoted" | "signup.waitlisted" | "signup.cancelled" => {
                from_signup_event(conn, *event_id, kind, *operator_id, &data).await?
            }
            "shift.changed" => from_shift_change(conn, *event_id, *operator_id, &data).await?,
            _ => 0,
        };
    }
    Ok(made)
}

fn uuid_of(data: &Value, field: &str) -> Option<Uuid> {
    data[field].as_str().and_then(|s| s.parse().ok())
}

fn time_of(data: &Value, field: &str) -> Option<DateTime<Utc>> {
    data[field]
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

async fn from_signup_event(
    conn: &mut AsyncPgConnection,
    event_id: Uuid,
    event: &str,
    operator_id: Option<Uuid>,
    data: &Value,
) -> Result<usize> {
    let (Some(user_id), Some(signup_id), Some(shift_id), Some(starts_at), Some(ends_at)) = (
        uuid_of(data, "user_id"),
        uuid_of(data, "signup_id"),
        uuid_of(data, "shift_id"),
        time_of(data, "starts_at"),
        time_of(data, "ends_at"),
    ) else {
        return Ok(0);
    };
    let mut reason = data["reason"].as_str();
    if event == "signup.cancelled" && reason.is_none() {
        // Cancelled by someone else than the volunteer: staff.
        let by: Option<Option<Uuid>> = crate::schema::signups::table
            .find(signup_id)
            .select(crate::schema::signups::cancelled_by)
            .first(conn)
            .await
            .optional()?;
        if matches!(by, Some(Some(by)) if by != user_id) {
            reason = Some("cancelled_by_staff");
        }
    }
    let kind = match event {
        "signup.confirmed" => Kind::SignupConfirmed,
        "signup.promoted" => Kind::SignupPromoted,
        "signup.waitlisted" => Kind::SignupWaitlisted,
        // Someone who erased her account is not written to.
        "signup.cancelled" if reason == Some("account_erased") => return Ok(0),
        _ => Kind::SignupCancelled,
    };
    let details = json!({
        "signup_id": signup_id, "shift_id": shift_id, "starts_at": starts_at,
        "ends_at": ends_at, "reason": reason,
    });
    let mut made = usize::from(
        notifications::enqueue(
            conn,
            &NewNotification {
                operator_id,
                details,
                dedup_key: Some(format!("event:{event_id}")),
                ..NewNotification::now(user_id, kind)
            },
        )
        .await?,
    );
    if matches!(kind, Kind::SignupConfirmed | Kind::SignupPromoted) {
        made += queue_reminder(
            conn,
            user_id,
            operator_id,
            signup_id,
            shift_id,
            starts_at,
            ends_at,
        )
        .await?;
    }
    Ok(made)
}

/// A shift changed: each volunteer confirmed on it whose last mail named other times is told
/// it moved, and gets a reminder for the new start (the old one becomes obsolete).
async fn from_shift_change(
    conn: &mut AsyncPgConnection,
    event_id: Uuid,
    operator_id: Option<Uuid>,
    data: &Value,
) -> Result<usize> {
    let (Some(shift_id), Some(starts_at), Some(ends_at)) = (
        uuid_of(data, "shift_id"),
        time_of(data, "starts_at"),
        time_of(data, "ends_at"),
    ) else {
        return Ok(0);
    };
    #[derive(QueryableByName)]
    struct Told {
        #[diesel(sql_type = SqlUuid)]
        signup_id: Uuid,
        #[diesel(sql_type = SqlUuid)]
        user_id: Uuid,
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        told_starts_at: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        told_ends_at: Option<String>,
    }
    // Each confirmed sign-up with the times its latest mail named.
    let told: Vec<Told> = diesel::sql_query(
        "SELECT s.id AS signup_id, s.user_id, last.details::jsonb ->> 'starts_at' AS told_starts_at, \
                last.details::jsonb ->> 'ends_at' AS told_ends_at \
           FROM signups s \
           LEFT JOIN LATERAL (SELECT details FROM notifications \
                               WHERE user_id = s.user_id \
                                 AND kind IN ('signup_confirmed', 'signup_promoted', 'shift_moved') \
                                 AND state IN ('queued', 'sent') \
                                 AND details::jsonb ->> 'signup_id' = s.id::text \
                               ORDER BY created_at DESC, id DESC LIMIT 1) last ON true \
          WHERE s.shift_id = $1 AND s.status = 'confirmed' AND s.user_id IS NOT NULL",
    )
    .bind::<SqlUuid, _>(shift_id)
    .load(conn)
    .await?;
    let mut made = 0;
    for told in told {
        let parse = |t: &Option<String>| {
            t.as_deref()
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                .map(|t| t.with_timezone(&Utc))
        };
        let same = parse(&told.told_starts_at) == Some(starts_at)
            && parse(&told.told_ends_at) == Some(ends_at);
        if same || told.told_starts_at.is_none() {
            continue;
        }
        made += usize::from(
            notifications::enqueue(
                conn,
                &NewNotification {
                    operator_id,
                    details: json!({
                        "signup_id": told.signup_id, "shift_id": shift_id,
                        "starts_at": starts_at, "ends_at": ends_at,
                        "previous_starts_at": told.told_starts_at,
                        "previous_ends_at": told.told_ends_at,
                    }),
                    dedup_key: Some(format!("moved:{event_id}:{}", told.signup_id)),
                    ..NewNotification::now(told.user_id, Kind::ShiftMoved)
                },
            )
            .await?,
        );
        made += queue_reminder(
            conn,
            told.user_id,
            operator_id,
            told.signup_id,
            shift_id,
            starts_at,
            ends_at,
        )
        .await?;
    }
    Ok(made)
}

/// A person's choice for an optional kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preference {
    pub delivery: Delivery,
    /// For reminders.
    pub lead: Option<ReminderLead>,
}

impl Preference {
    /// What a person who chose nothing gets.
    pub fn default_for(kind: Kind) -> Self {
        Self {
            delivery: kind.default_delivery(),
            lead: (kind == Kind::ShiftReminder).then(ReminderLead::default),
        }
    }
}

/// The person's choice for the optional `kind` (the default when she made none).
pub async fn preference(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    kind: Kind,
) -> Result<Preference> {
    let row: Option<(String, Option<i32>)> = np::table
        .filter(np::user_id.eq(user_id))
        .filter(np::kind.eq(kind.as_str()))
        .select((np::delivery, np::lead_hours))
        .first(conn)
        .await
        .optional()?;
    Ok(match row {
        Some((delivery, lead)) => Preference {
            delivery: Delivery::parse(&delivery).unwrap_or(kind.default_delivery()),
            lead: lead.and_then(ReminderLead::from_hours),
        },
        None => Preference::default_for(kind),
    })
}

/// Stores the person's choice for the optional `kind`.
pub async fn set_preference(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    kind: Kind,
    preference: Preference,
) -> Result<()> {
    let lead = preference.lead.map(ReminderLead::hours);
    diesel::insert_into(np::table)
        .values((
            np::user_id.eq(user_id),
            np::kind.eq(kind.as_str()),
            np::delivery.eq(preference.delivery.as_str()),
            np::lead_hours.eq(lead),
        ))
        .on_conflict((np::user_id, np::kind))
        .do_update()
        .set((
            np::delivery.eq(preference.delivery.as_str()),
            np::lead_hours.eq(lead),
            np::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Queues the reminder of a confirmed sign-up starting at `starts_at`, keyed by sign-up and
/// start: the same start never makes a second one, and a moved start makes a new one.
async fn queue_reminder(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    operator_id: Option<Uuid>,
    signup_id: Uuid,
    shift_id: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Result<usize> {
    let chosen = preference(conn, user_id, Kind::ShiftReminder).await?;
    if chosen.delivery == Delivery::Off {
        return Ok(0);
    }
    let lead = chosen.lead.unwrap_or_default();
    let Some(due_at) = reminder_due(starts_at, lead, DEFAULT_TIME_ZONE, Utc::now()) else {
        return Ok(0);
    };
    Ok(usize::from(
        notifications::enqueue(
            conn,
            &NewNotification {
                operator_id,
                details: json!({
                    "signup_id": signup_id, "shift_id": shift_id,
                    "starts_at": starts_at, "ends_at": ends_at, "lead_hours": lead.hours(),
                }),
                dedup_key: Some(format!("reminder:{signup_id}:{}", starts_at.timestamp())),
                due_at: Some(due_at),
                ..NewNotification::now(user_id, Kind::ShiftReminder)
            },
        )
        .await?,
    ))
}

/// Whether a notification about a sign-up still holds, checked before its mail goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    Yes,
    /// What it tells no longer holds.
    Obsolete,
    /// The person switched this kind off.
    NotWanted,
}

/// The check for `kind` with `details` (see `Kind::is_about_a_signup`).
pub async fn still_holds(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    kind: Kind,
    details: &Value,
) -> Result<Holds> {
    let Some(signup_id) = uuid_of(details, "signup_id") else {
        return Ok(if kind == Kind::ShiftMessage {
            Holds::Yes
        } else {
            Holds::Obsolete
        });
    };
    let starts_at = time_of(details, "starts_at");
    // The sign-up's status, and whether it still starts when the mail says.
    let (status, same_time) = match kind {
        Kind::SignupCancelled => {
            // Still cancelled, and she did not sign up for the shift again meanwhile (the
            // calendar's cancellation would remove her new place).
            let holds: bool = diesel::select(
                diesel::dsl::sql::<Bool>("EXISTS (SELECT 1 FROM signups s WHERE s.id = ")
                    .bind::<SqlUuid, _>(signup_id)
                    .sql(
                        " AND s.status = 'cancelled' AND NOT EXISTS (SELECT 1 FROM signups o \
                   WHERE o.shift_id = s.shift_id AND o.user_id = s.user_id \
                   AND o.status IN ('confirmed', 'waitlisted')))",
                    ),
            )
            .get_result(conn)
            .await?;
            return Ok(if holds { Holds::Yes } else { Holds::Obsolete });
        }
        Kind::ShiftMessage => return Ok(Holds::Yes),
        _ => {
            #[derive(QueryableByName)]
            struct Now {
                #[diesel(sql_type = Text)]
                status: String,
                #[diesel(sql_type = Bool)]
                same_time: bool,
                #[diesel(sql_type = Bool)]
                begun: bool,
            }
            let found: Option<Now> = diesel::sql_query(
                "SELECT status, starts_at IS NOT DISTINCT FROM $2 AS same_time, starts_at <= now() AS begun \
                   FROM signups WHERE id = $1 AND user_id = $3",
            )
            .bind::<SqlUuid, _>(signup_id)
            .bind::<diesel::sql_types::Nullable<Timestamptz>, _>(starts_at)
            .bind::<SqlUuid, _>(user_id)
            .get_result(conn)
            .await
            .optional()?;
            match found {
                None => return Ok(Holds::Obsolete),
                Some(now) if now.begun && kind == Kind::ShiftReminder => {
                    return Ok(Holds::Obsolete);
                }
                Some(now) => (now.status, now.same_time),
            }
        }
    };
    let holds = match kind {
        Kind::SignupWaitlisted => status == "waitlisted",
        Kind::SignupConfirmed | Kind::SignupPromoted => status == "confirmed",
        Kind::ShiftMoved | Kind::ShiftReminder => status == "confirmed" && same_time,
        _ => true,
    };
    if !holds {
        return Ok(Holds::Obsolete);
    }
    if kind.is_optional() && preference(conn, user_id, kind).await?.delivery == Delivery::Off {
        return Ok(Holds::NotWanted);
    }
    Ok(Holds::Yes)
}

/// What staff wrote to a shift's volunteers.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = shift_messages, check_for_backend(diesel::pg::Pg))]
pub struct ShiftMessageRow {
    pub id: Uuid,
    pub shift_id: Uuid,
    pub sent_by: Option<Uuid>,
    pub subject: String,
    pub body: String,
    pub recipients: i32,
    pub created_at: DateTime<Utc>,
}

/// Stores a message of `sent_by` to everyone confirmed on `shift_id` now and queues one
/// notification for each. Call in a transaction (with the audit entry).
pub async fn send_message(
    conn: &mut AsyncPgConnection,
    shift_id: Uuid,
    operator_id: Uuid,
    sent_by: Option<Uuid>,
    subject: &str,
    body: &str,
) -> Result<ShiftMessageRow> {
    let recipients: Vec<(Uuid, Uuid)> = crate::schema::signups::table
        .filter(crate::schema::signups::shift_id.eq(shift_id))
        .filter(crate::schema::signups::status.eq("confirmed"))
        .filter(crate::schema::signups::user_id.is_not_null())
        .select((
            crate::schema::signups::id,
            crate::schema::signups::user_id.assume_not_null(),
        ))
        .load(conn)
        .await?;
    let id = Uuid::now_v7();
    let row: ShiftMessageRow = diesel::insert_into(shift_messages::table)
        .values((
            shift_messages::id.eq(id),
            shift_messages::shift_id.eq(shift_id),
            shift_messages::sent_by.eq(sent_by),
            shift_messages::subject.eq(subject),
            shift_messages::body.eq(body),
            shift_messages::recipients.eq(i32::try_from(recipients.len()).unwrap_or(i32::MAX)),
        ))
        .returning(ShiftMessageRow::as_returning())
        .get_result(conn)
        .await?;
    for (signup_id, user_id) in recipients {
        notifications::enqueue(
            conn,
            &NewNotification {
                operator_id: Some(operator_id),
                details: json!({ "message_id": id, "shift_id": shift_id, "signup_id": signup_id }),
                dedup_key: Some(format!("message:{id}:{user_id}")),
                ..NewNotification::now(user_id, Kind::ShiftMessage)
            },
        )
        .await?;
    }
    Ok(row)
}

/// The message `id`.
pub async fn message(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<ShiftMessageRow>> {
    Ok(shift_messages::table
        .find(id)
        .select(ShiftMessageRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// A notification of an operator that did not go out.
#[derive(Debug, Clone, Queryable)]
pub struct Failure {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub kind: String,
    pub state: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub details: String,
    pub created_at: DateTime<Utc>,
}

/// The operator's notifications that failed or bounced, newest first, at most `limit`.
pub async fn failures(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    limit: i64,
) -> Result<Vec<Failure>> {
    Ok(n::table
        .filter(n::operator_id.eq(operator_id))
        .filter(n::state.eq_any(["failed", "bounced"]))
        .order((n::created_at.desc(), n::id.desc()))
        .limit(limit)
        .select((
            n::id,
            n::user_id,
            n::kind,
            n::state,
            n::attempts,
            n::last_error,
            n::details,
            n::created_at,
        ))
        .load(conn)
        .await?)
}
