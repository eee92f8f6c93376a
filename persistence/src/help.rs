//! Neighbourly help: requests (needs and offers) and the matches of helpers to them
//! (`quartier_domain::help`).
//!
//! A request's `helpers_holding` moves only together with its matches, in one transaction
//! that holds the request's row: helpers who say yes at once queue on it, and the one for
//! whom no place is left is refused (`help_requests_helpers_holding_within_needed` refuses
//! it too, should a statement ever try). Before the request, the account rows of the
//! match's people are locked in the order of their ids (as a sign-up locks the volunteer's
//! for the workload rules), so that the giver's monthly cap counts one change after another
//! and an erasure, which locks the account first, never waits the other way round; the
//! notifications of each step are queued in the same transaction. A request's status follows its matches through
//! `quartier_domain::help::follows` alone; each change of it records its `help_request.*`
//! event in the same transaction. Each function nests in the caller's transaction.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date, Int8, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::help::{
    FOLLOW_UP, HelpCategory, HelpKind, HelpMode, HelpRequestStatus, MatchAction, MatchCounts,
    MatchStatus, MessageSender, RequestAction, Urgency, follows, giver,
};
use quartier_domain::notification::Kind;
use quartier_domain::{Event, HelpRequestFacts};
use uuid::Uuid;

use crate::notifications::{self, NewNotification};
use crate::schema::{help_matches, help_messages, help_requests, users, volunteer_profiles};
use crate::{Error, Result};

/// The statuses of a match that hold one of its request's places, as SQL.
const HOLDING: [&str; 3] = ["accepted_by_helper", "matched", "completed"];
/// The statuses of a match that are not over yet.
const LIVE: [&str; 3] = ["proposed", "accepted_by_helper", "matched"];

/// A row of `help_requests`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = help_requests, check_for_backend(diesel::pg::Pg))]
pub struct RequestRow {
    pub id: Uuid,
    pub centre_id: Uuid,
    pub operator_id: Uuid,
    pub district_id: Uuid,
    pub grid_cell: Option<String>,
    pub kind: String,
    pub category: String,
    pub summary: String,
    pub details: Option<String>,
    pub window_starts_at: DateTime<Utc>,
    pub window_ends_at: DateTime<Utc>,
    pub urgency: String,
    pub mode: String,
    pub qualification_type_id: Option<Uuid>,
    pub helpers_needed: i16,
    pub helpers_holding: i16,
    pub person_id: Option<Uuid>,
    pub recorded_by: Option<Uuid>,
    pub recorded: bool,
    pub consent_on: Option<NaiveDate>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub status: String,
    pub expires_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl RequestRow {
    pub fn status(&self) -> HelpRequestStatus {
        HelpRequestStatus::parse(&self.status).unwrap_or(HelpRequestStatus::Withdrawn)
    }

    pub fn kind(&self) -> HelpKind {
        HelpKind::parse(&self.kind).unwrap_or(HelpKind::Need)
    }

    pub fn category(&self) -> HelpCategory {
        HelpCategory::parse(&self.category).unwrap_or(HelpCategory::Other)
    }

    pub fn mode(&self) -> HelpMode {
        HelpMode::parse(&self.mode).unwrap_or(HelpMode::Mediated)
    }

    pub fn urgency(&self) -> Urgency {
        Urgency::parse(&self.urgency).unwrap_or(Urgency::Flexible)
    }

    /// What an event tells of it, with `agreed` helpers.
    pub fn facts(&self, agreed: i32) -> HelpRequestFacts {
        HelpRequestFacts {
            request_id: self.id,
            operator_id: self.operator_id,
            centre_id: self.centre_id,
            district_id: self.district_id,
            kind: self.kind(),
            category: self.category(),
            status: self.status(),
            helpers_needed: i32::from(self.helpers_needed),
            helpers_agreed: agreed,
            version: self.version,
        }
    }
}

/// A row of `help_matches`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = help_matches, check_for_backend(diesel::pg::Pg))]
pub struct MatchRow {
    pub id: Uuid,
    pub request_id: Uuid,
    pub helper_id: Option<Uuid>,
    pub status: String,
    pub proposed_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub matched_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub version: i32,
}

impl MatchRow {
    pub fn status(&self) -> MatchStatus {
        MatchStatus::parse(&self.status).unwrap_or(MatchStatus::Cancelled)
    }
}

/// A request to make; checked by the caller.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub id: Uuid,
    pub centre_id: Uuid,
    pub operator_id: Uuid,
    pub district_id: Uuid,
    pub grid_cell: Option<String>,
    pub kind: HelpKind,
    pub category: HelpCategory,
    pub summary: String,
    pub details: Option<String>,
    pub window: (DateTime<Utc>, DateTime<Utc>),
    pub urgency: Urgency,
    pub mode: HelpMode,
    pub qualification_type_id: Option<Uuid>,
    pub helpers_needed: i32,
    /// An account or a guest; `None` for someone staff recorded.
    pub person_id: Option<Uuid>,
    /// Staff who recorded it for someone, with her consent, name and phone.
    pub recorded: Option<Recorded>,
    pub expires_at: DateTime<Utc>,
    /// When it is made: the instant its expiry was reckoned from.
    pub created_at: DateTime<Utc>,
}

/// Who staff recorded a request for.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub by: Option<Uuid>,
    pub consent_on: NaiveDate,
    pub name: String,
    pub phone: Option<String>,
}

/// Makes the request `new` and records its `help_request.created` event.
pub async fn create(conn: &mut AsyncPgConnection, new: &NewRequest) -> Result<RequestRow> {
    conn.transaction::<_, Error, _>(async |conn| {
        let recorded = new.recorded.as_ref();
        let row = diesel::insert_into(help_requests::table)
            .values((
                help_requests::id.eq(new.id),
                help_requests::centre_id.eq(new.centre_id),
                help_requests::operator_id.eq(new.operator_id),
                help_requests::district_id.eq(new.district_id),
                help_requests::grid_cell.eq(&new.grid_cell),
                help_requests::kind.eq(new.kind.as_str()),
                help_requests::category.eq(new.category.as_str()),
                help_requests::summary.eq(&new.summary),
                help_requests::details.eq(&new.details),
                help_requests::window_starts_at.eq(new.window.0),
                help_requests::window_ends_at.eq(new.window.1),
                help_requests::urgency.eq(new.urgency.as_str()),
                help_requests::mode.eq(new.mode.as_str()),
                help_requests::qualification_type_id.eq(new.qualification_type_id),
                help_requests::helpers_needed.eq(new.helpers_needed as i16),
                help_requests::person_id.eq(new.person_id),
                help_requests::recorded_by.eq(recorded.and_then(|r| r.by)),
                help_requests::recorded.eq(recorded.is_some()),
                help_requests::consent_on.eq(recorded.map(|r| r.consent_on)),
                help_requests::contact_name.eq(recorded.map(|r| r.name.clone())),
                help_requests::contact_phone.eq(recorded.and_then(|r| r.phone.clone())),
                help_requests::expires_at.eq(new.expires_at),
                help_requests::created_at.eq(new.created_at),
                help_requests::updated_at.eq(new.created_at),
            ))
            .returning(RequestRow::as_returning())
            .get_result(conn)
            .await?;
        crate::outbox::record(conn, &Event::help_request(row.facts(0), true)).await?;
        Ok(row)
    })
    .await
}

/// The request `id`.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<RequestRow>> {
    Ok(help_requests::table
        .find(id)
        .select(RequestRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The match `id` with its request.
pub async fn find_match(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<Option<(MatchRow, RequestRow)>> {
    Ok(help_matches::table
        .inner_join(help_requests::table)
        .filter(help_matches::id.eq(id))
        .select((MatchRow::as_select(), RequestRow::as_select()))
        .first(conn)
        .await
        .optional()?)
}

/// The matches of the request `request_id`, oldest first.
pub async fn matches_of(conn: &mut AsyncPgConnection, request_id: Uuid) -> Result<Vec<MatchRow>> {
    Ok(help_matches::table
        .filter(help_matches::request_id.eq(request_id))
        .order((help_matches::created_at, help_matches::id))
        .select(MatchRow::as_select())
        .load(conn)
        .await?)
}

/// What the public list is filtered by.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub district_id: Option<Uuid>,
    pub centre_id: Option<Uuid>,
    pub kind: Option<HelpKind>,
    pub category: Option<HelpCategory>,
}

/// The requests that look for helpers at `now`, newest first, after the cursor `after`
/// (`created_at`, `id` of the last one seen): open, not expired, its window not over, and a
/// place not held. The one statement of what the public sees.
pub async fn listed(
    conn: &mut AsyncPgConnection,
    filter: &ListFilter,
    now: DateTime<Utc>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<RequestRow>> {
    let mut query = help_requests::table
        .filter(help_requests::status.eq(HelpRequestStatus::Open.as_str()))
        .filter(help_requests::expires_at.gt(now))
        .filter(help_requests::window_ends_at.gt(now))
        .filter(help_requests::helpers_holding.lt(help_requests::helpers_needed))
        .into_boxed();
    if let Some(district) = filter.district_id {
        query = query.filter(help_requests::district_id.eq(district));
    }
    if let Some(centre) = filter.centre_id {
        query = query.filter(help_requests::centre_id.eq(centre));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(help_requests::kind.eq(kind.as_str()));
    }
    if let Some(category) = filter.category {
        query = query.filter(help_requests::category.eq(category.as_str()));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            help_requests::created_at
                .lt(at)
                .or(help_requests::created_at
                    .eq(at)
                    .and(help_requests::id.lt(id))),
        );
    }
    Ok(query
        .order((help_requests::created_at.desc(), help_requests::id.desc()))
        .limit(limit)
        .select(RequestRow::as_select())
        .load(conn)
        .await?)
}

/// Whether the public sees `request` at `now`: as `listed` selects them.
pub fn is_listed(request: &RequestRow, now: DateTime<Utc>) -> bool {
    request.status().is_listed()
        && request.expires_at > now
        && request.window_ends_at > now
        && request.helpers_holding < request.helpers_needed
}

/// The requests a centre mediates, newest first, in `status` if given: the staff's list.
pub async fn of_centre(
    conn: &mut AsyncPgConnection,
    centre_id: Uuid,
    status: Option<HelpRequestStatus>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<RequestRow>> {
    let mut query = help_requests::table
        .filter(help_requests::centre_id.eq(centre_id))
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(help_requests::status.eq(status.as_str()));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            help_requests::created_at
                .lt(at)
                .or(help_requests::created_at
                    .eq(at)
                    .and(help_requests::id.lt(id))),
        );
    }
    Ok(query
        .order((help_requests::created_at.desc(), help_requests::id.desc()))
        .limit(limit)
        .select(RequestRow::as_select())
        .load(conn)
        .await?)
}

/// The requests of `person_id`, newest first.
pub async fn of_person(conn: &mut AsyncPgConnection, person_id: Uuid) -> Result<Vec<RequestRow>> {
    Ok(help_requests::table
        .filter(help_requests::person_id.eq(person_id))
        .order((help_requests::created_at.desc(), help_requests::id.desc()))
        .select(RequestRow::as_select())
        .load(conn)
        .await?)
}

/// The matches in which `helper_id` helps, with their requests, newest first.
pub async fn of_helper(
    conn: &mut AsyncPgConnection,
    helper_id: Uuid,
) -> Result<Vec<(MatchRow, RequestRow)>> {
    Ok(help_matches::table
        .inner_join(help_requests::table)
        .filter(help_matches::helper_id.eq(helper_id))
        .order((help_matches::created_at.desc(), help_matches::id.desc()))
        .select((MatchRow::as_select(), RequestRow::as_select()))
        .load(conn)
        .await?)
}

/// How a person is reached: what passes between the two of a match once both said yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// How the account `user_id` is reached: her name, address and the phone of her
/// volunteer profile.
pub async fn contact_of(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Option<Contact>> {
    let found: Option<(String, Option<String>)> = users::table
        .filter(users::id.eq(user_id))
        .select((users::display_name, users::email))
        .first(conn)
        .await
        .optional()?;
    let Some((name, email)) = found else {
        return Ok(None);
    };
    let phone: Option<Option<String>> = volunteer_profiles::table
        .filter(volunteer_profiles::user_id.eq(user_id))
        .select(volunteer_profiles::phone)
        .first(conn)
        .await
        .optional()?;
    Ok(Some(Contact {
        name,
        email,
        phone: phone.flatten(),
    }))
}

/// How the requester of `request` is reached: her account's contact, or what staff
/// recorded for her.
pub async fn requester_contact(
    conn: &mut AsyncPgConnection,
    request: &RequestRow,
) -> Result<Option<Contact>> {
    match (request.person_id, &request.contact_name) {
        (Some(person), _) => contact_of(conn, person).await,
        (None, Some(name)) => Ok(Some(Contact {
            name: name.clone(),
            email: None,
            phone: request.contact_phone.clone(),
        })),
        (None, None) => Ok(None),
    }
}

/// What a mail about a match tells of its request.
#[derive(Debug, Clone)]
pub struct HelpMail {
    pub summary: String,
    pub category: HelpCategory,
}

/// The mail context of the match `match_id`.
pub async fn mail(conn: &mut AsyncPgConnection, match_id: Uuid) -> Result<Option<HelpMail>> {
    Ok(find_match(conn, match_id)
        .await?
        .map(|(_, request)| HelpMail {
            category: request.category(),
            summary: request.summary,
        }))
}

/// Whether the match `match_id` still stands at `status`: a mail about a step that was
/// overtaken by the next is not sent.
pub async fn stands_at(conn: &mut AsyncPgConnection, match_id: Uuid, status: &str) -> Result<bool> {
    let found: i64 = help_matches::table
        .filter(help_matches::id.eq(match_id))
        .filter(help_matches::status.eq(status))
        .count()
        .get_result(conn)
        .await?;
    Ok(found == 1)
}

/// A row of `help_messages`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = help_messages, check_for_backend(diesel::pg::Pg))]
pub struct MessageRow {
    pub id: Uuid,
    pub match_id: Uuid,
    pub sender_role: String,
    pub sent_by: Option<Uuid>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl MessageRow {
    pub fn sender(&self) -> MessageSender {
        MessageSender::parse(&self.sender_role).unwrap_or(MessageSender::Staff)
    }
}

/// Stores what `sender` (`sent_by`, none for an API key) writes on the match `row` of
/// `request`, and tells the other side by a notification, in one transaction: the helper's
/// message goes to the requester (if she has an account or is a guest), the requester's or
/// staff's to the helper. `None` when the match is over.
pub async fn send_message(
    conn: &mut AsyncPgConnection,
    row: &MatchRow,
    request: &RequestRow,
    sender: MessageSender,
    sent_by: Option<Uuid>,
    body: &str,
    now: DateTime<Utc>,
) -> Result<Option<MessageRow>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let status: Option<String> = help_matches::table
            .find(row.id)
            .select(help_matches::status)
            .for_share()
            .first(conn)
            .await
            .optional()?;
        if !status
            .as_deref()
            .and_then(MatchStatus::parse)
            .is_some_and(MatchStatus::takes_messages)
        {
            return Ok(None);
        }
        let message = diesel::insert_into(help_messages::table)
            .values((
                help_messages::id.eq(Uuid::now_v7()),
                help_messages::match_id.eq(row.id),
                help_messages::sender_role.eq(sender.as_str()),
                help_messages::sent_by.eq(sent_by),
                help_messages::body.eq(body),
                help_messages::created_at.eq(now),
            ))
            .returning(MessageRow::as_returning())
            .get_result(conn)
            .await?;
        let to = match sender {
            MessageSender::Helper => request.person_id,
            MessageSender::Requester | MessageSender::Staff => row.helper_id,
        };
        if let Some(to) = to.filter(|to| Some(*to) != sent_by) {
            notifications::enqueue(
                conn,
                &NewNotification {
                    operator_id: Some(request.operator_id),
                    details: serde_json::json!({
                        "match_id": row.id, "message_id": message.id, "request_id": request.id,
                    }),
                    dedup_key: Some(format!("help_message:{}", message.id)),
                    ..NewNotification::now(to, Kind::HelpMessage)
                },
            )
            .await?;
        }
        Ok(Some(message))
    })
    .await
}

/// The messages of the match `match_id`, oldest first.
pub async fn messages_of(conn: &mut AsyncPgConnection, match_id: Uuid) -> Result<Vec<MessageRow>> {
    Ok(help_messages::table
        .filter(help_messages::match_id.eq(match_id))
        .order((help_messages::created_at, help_messages::id))
        .select(MessageRow::as_select())
        .load(conn)
        .await?)
}

/// The messages of the matches `person` is a side of (as helper or requester), newest
/// first, at most `most`.
pub async fn messages_of_person(
    conn: &mut AsyncPgConnection,
    person: Uuid,
    most: i64,
) -> Result<Vec<MessageRow>> {
    Ok(help_messages::table
        .inner_join(help_matches::table.inner_join(help_requests::table))
        .filter(
            help_matches::helper_id
                .eq(person)
                .or(help_requests::person_id.eq(person)),
        )
        .order((help_messages::created_at.desc(), help_messages::id.desc()))
        .limit(most)
        .select(MessageRow::as_select())
        .load(conn)
        .await?)
}

/// What a mail about a message tells: its text, who wrote it, and the request's summary.
#[derive(Debug, Clone)]
pub struct MessageMail {
    pub body: String,
    pub sender: MessageSender,
    pub summary: String,
}

/// The mail context of the message `message_id`.
pub async fn message_mail(
    conn: &mut AsyncPgConnection,
    message_id: Uuid,
) -> Result<Option<MessageMail>> {
    let found: Option<(MessageRow, String)> = help_messages::table
        .inner_join(help_matches::table.inner_join(help_requests::table))
        .filter(help_messages::id.eq(message_id))
        .select((MessageRow::as_select(), help_requests::summary))
        .first(conn)
        .await
        .optional()?;
    Ok(found.map(|(message, summary)| MessageMail {
        sender: message.sender(),
        body: message.body,
        summary,
    }))
}

/// Why a match was not made or did not take its step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchRefusal {
    NotFound,
    VersionConflict,
    /// The request does not look for helpers (any more).
    RequestClosed(HelpRequestStatus),
    /// Its time ran out: expired or its window is over.
    RequestOver,
    /// Every place is held.
    Full,
    /// This helper is matched to it already.
    AlreadyMatched,
    /// Nobody helps herself.
    OwnRequest,
    /// The helper lacks the qualification it needs, valid through its window.
    Unqualified,
    /// The helper's own monthly cap would be passed.
    CapReached {
        cap: i32,
    },
    /// The match is where this step cannot be taken.
    NotAllowed(MatchStatus),
}

/// A change to a match and what followed for its request.
#[derive(Debug, Clone)]
pub struct Changed {
    pub matched: MatchRow,
    pub request: RequestRow,
    /// The step its request took, if any (its event is recorded).
    pub request_step: Option<RequestAction>,
}

/// The notification telling `to` (unless it is `actor`, who acted) where the match `row` of
/// `request` stands now; `None` for nobody to tell.
fn told(
    request: &RequestRow,
    row: &MatchRow,
    to: Option<Uuid>,
    actor: Option<Uuid>,
) -> Option<NewNotification> {
    let to = to.filter(|to| Some(*to) != actor)?;
    let role = if row.helper_id == Some(to) {
        "helper"
    } else {
        "requester"
    };
    Some(NewNotification {
        operator_id: Some(request.operator_id),
        details: serde_json::json!({
            "match_id": row.id, "request_id": request.id, "status": row.status, "role": role,
        }),
        dedup_key: Some(format!("help_match:{}:{}:{to}", row.id, row.status)),
        ..NewNotification::now(to, Kind::HelpMatch)
    })
}

/// The notifications of where the match `row` stands now: a proposal to the helper; a
/// helper's yes to the requester; both agreeing, a decline, a no-show or a cancellation to
/// both; each but to `actor`, who took the step. Never contacts: those are in the API.
fn notices(request: &RequestRow, row: &MatchRow, actor: Option<Uuid>) -> Vec<NewNotification> {
    let (helper, requester) = (row.helper_id, request.person_id);
    let to: &[Option<Uuid>] = match row.status() {
        MatchStatus::Proposed => &[helper],
        MatchStatus::AcceptedByHelper => &[requester],
        MatchStatus::Matched
        | MatchStatus::Declined
        | MatchStatus::NoShow
        | MatchStatus::Cancelled => &[helper, requester],
        MatchStatus::Completed => &[],
    };
    to.iter()
        .filter_map(|to| told(request, row, *to, actor))
        .collect()
}

/// Locks the account rows of the people of a match (`people`, in the order of their ids, so
/// that two changes lock alike): the volunteer lock of the workload rules for the one who
/// gives the help, and the rows the match's notifications will name, taken before the
/// request's row as an erasure takes them. Returns the ids of accounts (not guests) found.
async fn lock_people(conn: &mut AsyncPgConnection, people: &[Option<Uuid>]) -> Result<Vec<Uuid>> {
    let mut ids: Vec<Uuid> = people.iter().flatten().copied().collect();
    ids.sort();
    ids.dedup();
    let locked: Vec<(Uuid, String)> = users::table
        .filter(users::id.eq_any(&ids))
        .order(users::id)
        .select((users::id, users::kind))
        .for_no_key_update()
        .load(conn)
        .await?;
    Ok(locked
        .into_iter()
        .filter(|(_, kind)| kind == "account")
        .map(|(id, _)| id)
        .collect())
}

async fn lock_request(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<RequestRow>> {
    Ok(help_requests::table
        .find(id)
        .select(RequestRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

#[derive(QueryableByName)]
struct Held {
    #[diesel(sql_type = Bool)]
    qualified: bool,
    #[diesel(sql_type = Int8)]
    this_month: i64,
}

/// Whether `giver` (`quartier_domain::help::giver`: the helper of a need, the person
/// offering an offer) may give the help of a new place on `request`: the qualification it
/// needs, accepted by its operator and valid through the last day of its window, and her own
/// monthly cap (the places she gives on requests whose window starts in the same month,
/// other than the match `except`). Read under the lock of her account.
async fn may_give(
    conn: &mut AsyncPgConnection,
    request: &RequestRow,
    giver: Option<Uuid>,
    except: Option<Uuid>,
) -> Result<std::result::Result<(), MatchRefusal>> {
    let Some(giver) = giver else {
        // Someone staff recorded: no account holds a qualification for her.
        return Ok(if request.qualification_type_id.is_some() {
            Err(MatchRefusal::Unqualified)
        } else {
            Ok(())
        });
    };
    let month = quartier_domain::workload::month_of(request.window_starts_at);
    let last_day = quartier_domain::signup::local_day(request.window_ends_at);
    let held: Held = diesel::sql_query(format!(
        "SELECT ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM accepted_verifications v \
             WHERE v.user_id = $1 AND v.type_id = $2 AND v.accepted_by = $3 \
               AND (v.expires_on IS NULL OR v.expires_on > $4))) AS qualified, \
           (SELECT count(*) FROM help_matches m JOIN help_requests r ON r.id = m.request_id \
             WHERE ((r.kind = 'need' AND m.helper_id = $1) OR (r.kind = 'offer' AND r.person_id = $1)) \
               AND m.status IN ('{}', '{}', '{}') \
               AND m.id IS DISTINCT FROM $7 \
               AND r.window_starts_at >= $5 AND r.window_starts_at < $6) AS this_month",
        HOLDING[0], HOLDING[1], HOLDING[2]
    ))
    .bind::<SqlUuid, _>(giver)
    .bind::<diesel::sql_types::Nullable<SqlUuid>, _>(request.qualification_type_id)
    .bind::<SqlUuid, _>(request.operator_id)
    .bind::<Date, _>(last_day)
    .bind::<Timestamptz, _>(month.from)
    .bind::<Timestamptz, _>(month.to)
    .bind::<diesel::sql_types::Nullable<SqlUuid>, _>(except)
    .get_result(conn)
    .await?;
    if !held.qualified {
        return Ok(Err(MatchRefusal::Unqualified));
    }
    let cap: Option<Option<i32>> = volunteer_profiles::table
        .filter(volunteer_profiles::user_id.eq(giver))
        .select(volunteer_profiles::max_help_per_month)
        .first(conn)
        .await
        .optional()?;
    if let Some(cap) = cap.flatten()
        && held.this_month >= i64::from(cap)
    {
        return Ok(Err(MatchRefusal::CapReached { cap }));
    }
    Ok(Ok(()))
}

/// Whether the account `person` holds the qualification `type_id`, accepted by `operator_id`
/// and valid through `last_day`: for an offer that needs one, made by the person offering.
pub async fn holds_qualification(
    conn: &mut AsyncPgConnection,
    person: Uuid,
    type_id: Uuid,
    operator_id: Uuid,
    last_day: NaiveDate,
) -> Result<bool> {
    #[derive(QueryableByName)]
    struct Holds {
        #[diesel(sql_type = Bool)]
        holds: bool,
    }
    let found: Holds = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM accepted_verifications v WHERE v.user_id = $1 \
           AND v.type_id = $2 AND v.accepted_by = $3 \
           AND (v.expires_on IS NULL OR v.expires_on > $4)) AS holds",
    )
    .bind::<SqlUuid, _>(person)
    .bind::<SqlUuid, _>(type_id)
    .bind::<SqlUuid, _>(operator_id)
    .bind::<Date, _>(last_day)
    .get_result(conn)
    .await?;
    Ok(found.holds)
}

/// Whether a request takes helpers at `now`.
fn takes_helpers(
    request: &RequestRow,
    now: DateTime<Utc>,
) -> std::result::Result<(), MatchRefusal> {
    match request.status() {
        HelpRequestStatus::Open if request.expires_at <= now || request.window_ends_at <= now => {
            Err(MatchRefusal::RequestOver)
        }
        HelpRequestStatus::Open => Ok(()),
        other => Err(MatchRefusal::RequestClosed(other)),
    }
}

/// Takes one of the request's places for a match, in one statement under its lock; false
/// when none is left.
async fn take_place(conn: &mut AsyncPgConnection, request_id: Uuid) -> Result<bool> {
    let taken = diesel::update(
        help_requests::table
            .filter(help_requests::id.eq(request_id))
            .filter(help_requests::helpers_holding.lt(help_requests::helpers_needed)),
    )
    .set(help_requests::helpers_holding.eq(help_requests::helpers_holding + 1))
    .execute(conn)
    .await?;
    Ok(taken == 1)
}

/// Matches `helper_id` to the request `request_id`, beginning in `first` (a proposal by
/// staff, or a helper's yes to a direct request), under the locks of the people's accounts
/// and the request's row, and queues its notifications; `actor` is who acts.
pub async fn offer(
    conn: &mut AsyncPgConnection,
    request_id: Uuid,
    helper_id: Uuid,
    first: MatchStatus,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<std::result::Result<Changed, MatchRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let Some(seen) = find(conn, request_id).await? else {
            return Ok(Err(MatchRefusal::NotFound));
        };
        let accounts = lock_people(conn, &[Some(helper_id), seen.person_id]).await?;
        if !accounts.contains(&helper_id) {
            return Ok(Err(MatchRefusal::NotFound));
        }
        let Some(request) = lock_request(conn, request_id).await? else {
            return Ok(Err(MatchRefusal::NotFound));
        };
        if let Err(refusal) = takes_helpers(&request, now) {
            return Ok(Err(refusal));
        }
        if request.person_id == Some(helper_id) {
            return Ok(Err(MatchRefusal::OwnRequest));
        }
        let already: i64 = help_matches::table
            .filter(help_matches::request_id.eq(request_id))
            .filter(help_matches::helper_id.eq(helper_id))
            .count()
            .get_result(conn)
            .await?;
        if already > 0 {
            return Ok(Err(MatchRefusal::AlreadyMatched));
        }
        let giver = giver(request.kind(), helper_id, request.person_id);
        if let Err(refusal) = may_give(conn, &request, giver, None).await? {
            return Ok(Err(refusal));
        }
        if first.holds_place() && !take_place(conn, request_id).await? {
            return Ok(Err(MatchRefusal::Full));
        }
        let proposed_by = actor.filter(|_| first == MatchStatus::Proposed);
        let matched = diesel::insert_into(help_matches::table)
            .values((
                help_matches::id.eq(Uuid::now_v7()),
                help_matches::request_id.eq(request_id),
                help_matches::helper_id.eq(helper_id),
                help_matches::status.eq(first.as_str()),
                help_matches::proposed_by.eq(proposed_by),
                help_matches::created_at.eq(now),
                help_matches::updated_at.eq(now),
            ))
            .returning(MatchRow::as_returning())
            .get_result(conn)
            .await?;
        notifications::enqueue_all(conn, &notices(&request, &matched, actor)).await?;
        let (request, request_step) = follow(conn, request_id, actor, now).await?;
        Ok(Ok(Changed {
            matched,
            request,
            request_step,
        }))
    })
    .await
}

/// Takes `action` for the match `match_id` if it stands at one of `versions` (any, when
/// `None`), and queues its notifications; `actor` is who acts. A helper's yes is checked
/// under the giver's account lock (qualification, cap) and takes a place under the
/// request's; a step out of a place gives it back; the request follows.
pub async fn step(
    conn: &mut AsyncPgConnection,
    match_id: Uuid,
    action: MatchAction,
    versions: Option<&[i32]>,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<std::result::Result<Changed, MatchRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let Some((before, seen)) = find_match(conn, match_id).await? else {
            return Ok(Err(MatchRefusal::NotFound));
        };
        lock_people(conn, &[before.helper_id, seen.person_id]).await?;
        let Some(request) = lock_request(conn, before.request_id).await? else {
            return Ok(Err(MatchRefusal::NotFound));
        };
        let Some(current) = help_matches::table
            .find(match_id)
            .select(MatchRow::as_select())
            .first(conn)
            .await
            .optional()?
        else {
            return Ok(Err(MatchRefusal::NotFound));
        };
        if versions.is_some_and(|v| !v.contains(&current.version)) {
            return Ok(Err(MatchRefusal::VersionConflict));
        }
        let was = current.status();
        let Some(next) = was.after(action) else {
            return Ok(Err(MatchRefusal::NotAllowed(was)));
        };
        if request.status().is_final() {
            return Ok(Err(MatchRefusal::RequestClosed(request.status())));
        }
        if action == MatchAction::HelperAccepts {
            if let Err(refusal) = takes_helpers(&request, now) {
                return Ok(Err(refusal));
            }
            let Some(helper) = current.helper_id else {
                return Ok(Err(MatchRefusal::NotFound));
            };
            let giver = giver(request.kind(), helper, request.person_id);
            if let Err(refusal) = may_give(conn, &request, giver, Some(match_id)).await? {
                return Ok(Err(refusal));
            }
        }
        match (was.holds_place(), next.holds_place()) {
            (false, true) if !take_place(conn, request.id).await? => {
                return Ok(Err(MatchRefusal::Full));
            }
            (true, false) => {
                diesel::update(help_requests::table.find(request.id))
                    .set(help_requests::helpers_holding.eq(help_requests::helpers_holding - 1))
                    .execute(conn)
                    .await?;
            }
            _ => {}
        }
        let matched = diesel::update(help_matches::table.find(match_id))
            .set((
                help_matches::status.eq(next.as_str()),
                help_matches::updated_at.eq(now),
                help_matches::version.eq(help_matches::version + 1),
                help_matches::matched_at.eq(if next == MatchStatus::Matched {
                    Some(now)
                } else {
                    current.matched_at
                }),
                help_matches::ended_at.eq(next.is_final().then_some(now)),
            ))
            .returning(MatchRow::as_returning())
            .get_result(conn)
            .await?;
        notifications::enqueue_all(conn, &notices(&request, &matched, actor)).await?;
        let (request, request_step) = follow(conn, request.id, actor, now).await?;
        Ok(Ok(Changed {
            matched,
            request,
            request_step,
        }))
    })
    .await
}

#[derive(QueryableByName)]
struct CountsRow {
    #[diesel(sql_type = Int8)]
    agreed: i64,
    #[diesel(sql_type = Int8)]
    completed: i64,
}

async fn counts(conn: &mut AsyncPgConnection, request_id: Uuid) -> Result<MatchCounts> {
    let row: CountsRow = diesel::sql_query(
        "SELECT count(*) FILTER (WHERE status IN ('matched', 'completed')) AS agreed, \
                count(*) FILTER (WHERE status = 'completed') AS completed \
         FROM help_matches WHERE request_id = $1",
    )
    .bind::<SqlUuid, _>(request_id)
    .get_result(conn)
    .await?;
    Ok(MatchCounts {
        agreed: row.agreed as i32,
        completed: row.completed as i32,
    })
}

/// Moves the (locked) request `request_id` to where its matches say, recording the event;
/// the request as it is now and the step it took.
async fn follow(
    conn: &mut AsyncPgConnection,
    request_id: Uuid,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(RequestRow, Option<RequestAction>)> {
    let request = help_requests::table
        .find(request_id)
        .select(RequestRow::as_select())
        .first(conn)
        .await?;
    let counts = counts(conn, request_id).await?;
    let Some(action) = follows(request.status(), i32::from(request.helpers_needed), counts) else {
        return Ok((request, None));
    };
    let moved = move_request(conn, &request, action, actor, now).await?;
    Ok((moved, Some(action)))
}

/// Takes the request step `action` (allowed from where `request` stands, which the caller
/// locked) and records its event. When it ends, what is left of its matches is cancelled
/// (their people told, but `actor`) and the contact staff recorded for someone is
/// forgotten: contacts pass only while a match is matched.
async fn move_request(
    conn: &mut AsyncPgConnection,
    request: &RequestRow,
    action: RequestAction,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<RequestRow> {
    let next = request
        .status()
        .after(action)
        .unwrap_or_else(|| request.status());
    let cancelled: Vec<MatchRow> = if next.is_final() {
        diesel::update(
            help_matches::table
                .filter(help_matches::request_id.eq(request.id))
                .filter(help_matches::status.eq_any(LIVE)),
        )
        .set((
            help_matches::status.eq(MatchStatus::Cancelled.as_str()),
            help_matches::updated_at.eq(now),
            help_matches::ended_at.eq(now),
            help_matches::version.eq(help_matches::version + 1),
        ))
        .returning(MatchRow::as_returning())
        .get_results(conn)
        .await?
    } else {
        Vec::new()
    };
    let holding: i64 = help_matches::table
        .filter(help_matches::request_id.eq(request.id))
        .filter(help_matches::status.eq_any(HOLDING))
        .count()
        .get_result(conn)
        .await?;
    let moved: RequestRow = diesel::update(help_requests::table.find(request.id))
        .set((
            help_requests::status.eq(next.as_str()),
            help_requests::helpers_holding.eq(holding as i16),
            help_requests::ended_at.eq(next.is_final().then_some(now)),
            help_requests::updated_at.eq(now),
            help_requests::version.eq(help_requests::version + 1),
        ))
        .returning(RequestRow::as_returning())
        .get_result(conn)
        .await?;
    let moved = if next.is_final() && moved.recorded {
        diesel::update(help_requests::table.find(request.id))
            .set((
                help_requests::contact_name.eq(None::<String>),
                help_requests::contact_phone.eq(None::<String>),
            ))
            .returning(RequestRow::as_returning())
            .get_result(conn)
            .await?
    } else {
        moved
    };
    let told: Vec<NewNotification> = cancelled
        .iter()
        .flat_map(|row| notices(&moved, row, actor))
        .collect();
    notifications::enqueue_all(conn, &told).await?;
    let agreed = counts(conn, request.id).await?.agreed;
    crate::outbox::record(conn, &Event::help_request(moved.facts(agreed), false)).await?;
    Ok(moved)
}

/// Withdraws the request `id` if it stands at one of `versions` (any, when `None`): its
/// matches still going are cancelled, their helpers told (but `actor`).
pub async fn withdraw(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    versions: Option<&[i32]>,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<std::result::Result<RequestRow, MatchRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let Some(request) = lock_request(conn, id).await? else {
            return Ok(Err(MatchRefusal::NotFound));
        };
        if versions.is_some_and(|v| !v.contains(&request.version)) {
            return Ok(Err(MatchRefusal::VersionConflict));
        }
        if request.status().after(RequestAction::Withdraw).is_none() {
            return Ok(Err(MatchRefusal::RequestClosed(request.status())));
        }
        Ok(Ok(move_request(
            conn,
            &request,
            RequestAction::Withdraw,
            actor,
            now,
        )
        .await?))
    })
    .await
}

/// Expires up to `batch` requests whose time ran out by `now`: open ones whose expiry passed
/// or whose window is over, and matched ones `FOLLOW_UP` after their window when nobody
/// recorded the help. Their matches still going are cancelled and their people told; how
/// many.
pub async fn expire_due(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    batch: i64,
) -> Result<usize> {
    conn.transaction::<_, Error, _>(async |conn| {
        let due: Vec<RequestRow> = help_requests::table
            .filter(
                help_requests::status
                    .eq(HelpRequestStatus::Open.as_str())
                    .and(
                        help_requests::expires_at
                            .le(now)
                            .or(help_requests::window_ends_at.le(now)),
                    )
                    .or(help_requests::status
                        .eq(HelpRequestStatus::Matched.as_str())
                        .and(help_requests::window_ends_at.le(now - FOLLOW_UP))),
            )
            .order(help_requests::id)
            .limit(batch)
            .select(RequestRow::as_select())
            .for_update()
            .skip_locked()
            .load(conn)
            .await?;
        for request in &due {
            move_request(conn, request, RequestAction::Expire, None, now).await?;
        }
        Ok(due.len())
    })
    .await
}

/// Drops the private details of the requests that ended before `cutoff`: what only their
/// people and staff read is not kept for good. How many.
pub async fn drop_details_ended_before(
    conn: &mut AsyncPgConnection,
    cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<usize> {
    Ok(diesel::update(
        help_requests::table
            .filter(help_requests::ended_at.lt(cutoff))
            .filter(help_requests::details.is_not_null()),
    )
    .set((
        help_requests::details.eq(None::<String>),
        help_requests::updated_at.eq(now),
        help_requests::version.eq(help_requests::version + 1),
    ))
    .execute(conn)
    .await?)
}

/// Forgets `user_id` in neighbourly help as her erasure asks, in the caller's transaction
/// (which holds her account's lock): her requests still going are withdrawn (their helpers
/// told); every request of hers keeps its category, district and dates only (no summary of
/// hers, no details, no cell); the matches in which she helps and which are still going are
/// declined (their requesters told), their requests looking for another helper. The rows
/// then lose her by their foreign keys.
pub async fn forget_person(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    let live: Vec<Uuid> = help_requests::table
        .filter(help_requests::person_id.eq(user_id))
        .filter(help_requests::status.eq_any(["open", "matched"]))
        .order(help_requests::id)
        .select(help_requests::id)
        .load(conn)
        .await?;
    for id in live {
        if let Some(request) = lock_request(conn, id).await?
            && request.status().after(RequestAction::Withdraw).is_some()
        {
            move_request(conn, &request, RequestAction::Withdraw, Some(user_id), now).await?;
        }
    }
    let mine: Vec<(Uuid, String)> = help_requests::table
        .filter(help_requests::person_id.eq(user_id))
        .select((help_requests::id, help_requests::category))
        .load(conn)
        .await?;
    for (id, category) in mine {
        let name = HelpCategory::parse(&category).map_or("Hilfe", HelpCategory::german);
        diesel::update(help_requests::table.find(id))
            .set((
                help_requests::summary.eq(name),
                help_requests::details.eq(None::<String>),
                help_requests::grid_cell.eq(None::<String>),
                help_requests::updated_at.eq(now),
                help_requests::version.eq(help_requests::version + 1),
            ))
            .execute(conn)
            .await?;
    }
    let helping: Vec<Uuid> = help_matches::table
        .filter(help_matches::helper_id.eq(user_id))
        .filter(help_matches::status.eq_any(LIVE))
        .order(help_matches::request_id)
        .select(help_matches::id)
        .load(conn)
        .await?;
    for match_id in helping {
        // A refusal means a step of someone else came first; nothing is left to undo.
        let _ = step(
            conn,
            match_id,
            MatchAction::Decline,
            None,
            Some(user_id),
            now,
        )
        .await?;
    }
    Ok(())
}
