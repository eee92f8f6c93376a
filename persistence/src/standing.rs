//! Standing sign-ups and blockouts: storing them, and signing their volunteers up for the
//! shifts of their slot as those come within reach — each date once, through the normal
//! sign-up (`places`), so that capacity, the overlap constraint, qualifications and workload
//! limits hold as for any sign-up. Which dates a commitment covers is
//! `quartier_domain::standing`'s to say.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::standing::{
    Blockout, Commitment, DateOutcome, Pattern, StandingMode, StandingStatus, WeekOfMonth,
    answer_by,
};
use quartier_domain::{ChangeReason, Event, SignupStatus, StandingSignupFacts};
use uuid::Uuid;

use crate::places::{self, SignupRefusal, lock_volunteer as lock_user};
use crate::schema::{blockouts, occurrences, shifts, signups, standing_dates, standing_signups};
use crate::{Error, Result, outbox};

/// A row of `standing_signups`.
#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = standing_signups, check_for_backend(diesel::pg::Pg))]
pub struct StandingRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub activity_id: Uuid,
    pub operator_id: Uuid,
    pub slot_start: NaiveTime,
    pub slot_title: Option<String>,
    pub pattern: String,
    pub weekday: i16,
    pub anchor_date: Option<NaiveDate>,
    pub week_of_month: Option<i16>,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub status: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub mode: String,
    pub answer_hours: i32,
}

impl StandingRow {
    pub fn mode(&self) -> StandingMode {
        StandingMode::parse(&self.mode).unwrap_or(StandingMode::Auto)
    }

    pub fn status(&self) -> StandingStatus {
        StandingStatus::parse(&self.status).unwrap_or(StandingStatus::Ended)
    }

    pub fn weekday(&self) -> Weekday {
        weekday_of(self.weekday)
    }

    pub fn pattern(&self) -> Pattern {
        match (self.pattern.as_str(), self.anchor_date, self.week_of_month) {
            ("biweekly", Some(anchor), _) => Pattern::Biweekly { anchor },
            ("monthly", _, Some(week)) => Pattern::Monthly {
                week: WeekOfMonth::from_number(week).unwrap_or(WeekOfMonth::Last),
            },
            _ => Pattern::Weekly,
        }
    }

    /// Its rule of dates.
    pub fn commitment(&self) -> Commitment {
        Commitment {
            weekday: self.weekday(),
            pattern: self.pattern(),
            slot_start: self.slot_start,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
        }
    }

    pub fn facts(&self) -> StandingSignupFacts {
        StandingSignupFacts {
            standing_signup_id: self.id,
            activity_id: self.activity_id,
            operator_id: self.operator_id,
            user_id: Some(self.user_id),
            status: self.status(),
            version: self.version,
        }
    }
}

/// The weekday of an ISO number (1 = Monday); Monday for anything else.
fn weekday_of(number: i16) -> Weekday {
    u8::try_from(number - 1)
        .ok()
        .and_then(|n| Weekday::try_from(n).ok())
        .unwrap_or(Weekday::Mon)
}

/// What it takes to make a standing sign-up.
#[derive(Debug, Clone)]
pub struct NewStanding {
    pub user_id: Uuid,
    pub activity_id: Uuid,
    pub operator_id: Uuid,
    pub commitment: Commitment,
    pub slot_title: Option<String>,
    pub created_by: Option<Uuid>,
    pub mode: StandingMode,
    /// Hours before a shift an offer is to be answered (`StandingMode::Ask`).
    pub answer_hours: i32,
}

/// The most standing sign-ups a volunteer keeps that have not ended.
pub const MAX_KEPT: i64 = 50;

/// She has a standing sign-up for the same slot on the same pattern that has not ended.
pub const ONCE: &str = "standing_signups_once";

/// Why a standing sign-up was not made.
#[derive(Debug, PartialEq, Eq)]
pub enum CreateRefusal {
    /// She keeps `MAX_KEPT` that have not ended.
    TooMany,
    /// One for the same slot on the same pattern has not ended (`ONCE`).
    Exists,
}

/// Stores a new standing sign-up with its `standing_signup.created` event. Under the lock on
/// her account, so that the count holds for requests at once.
pub async fn create(
    conn: &mut AsyncPgConnection,
    new: &NewStanding,
) -> Result<std::result::Result<StandingRow, CreateRefusal>> {
    let c = &new.commitment;
    let (pattern, anchor, week) = match c.pattern {
        Pattern::Weekly => ("weekly", None, None),
        Pattern::Biweekly { anchor } => ("biweekly", Some(anchor), None),
        Pattern::Monthly { week } => ("monthly", None, Some(week.number())),
    };
    let made = conn
        .transaction::<_, Error, _>(async |conn| {
            lock_user(conn, new.user_id).await?;
            let kept: i64 = standing_signups::table
                .filter(standing_signups::user_id.eq(new.user_id))
                .filter(standing_signups::status.ne(StandingStatus::Ended.as_str()))
                .count()
                .get_result(conn)
                .await?;
            if kept >= MAX_KEPT {
                return Ok(Err(CreateRefusal::TooMany));
            }
            let row: StandingRow = diesel::insert_into(standing_signups::table)
                .values((
                    standing_signups::id.eq(Uuid::now_v7()),
                    standing_signups::user_id.eq(new.user_id),
                    standing_signups::activity_id.eq(new.activity_id),
                    standing_signups::operator_id.eq(new.operator_id),
                    standing_signups::slot_start.eq(c.slot_start),
                    standing_signups::slot_title.eq(new.slot_title.as_deref()),
                    standing_signups::pattern.eq(pattern),
                    standing_signups::weekday.eq(c.weekday.number_from_monday() as i16),
                    standing_signups::anchor_date.eq(anchor),
                    standing_signups::week_of_month.eq(week),
                    standing_signups::valid_from.eq(c.valid_from),
                    standing_signups::valid_until.eq(c.valid_until),
                    standing_signups::created_by.eq(new.created_by),
                    standing_signups::mode.eq(new.mode.as_str()),
                    standing_signups::answer_hours.eq(new.answer_hours),
                ))
                .returning(StandingRow::as_returning())
                .get_result(conn)
                .await?;
            outbox::record(conn, &Event::standing_signup(true, row.facts())).await?;
            Ok(Ok(row))
        })
        .await;
    match made {
        Err(error) if error.is_constraint(ONCE) => Ok(Err(CreateRefusal::Exists)),
        other => other,
    }
}

pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<StandingRow>> {
    Ok(standing_signups::table
        .filter(standing_signups::id.eq(id))
        .select(StandingRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// A volunteer's standing sign-ups, newest first.
pub async fn of_user(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<StandingRow>> {
    Ok(standing_signups::table
        .filter(standing_signups::user_id.eq(user_id))
        .order((standing_signups::created_at.desc(), standing_signups::id))
        .select(StandingRow::as_select())
        .limit(500)
        .load(conn)
        .await?)
}

/// An activity's standing sign-ups that have not ended, oldest first (the order their dates
/// are signed up for).
pub async fn of_activity(
    conn: &mut AsyncPgConnection,
    activity_id: Uuid,
) -> Result<Vec<StandingRow>> {
    Ok(standing_signups::table
        .filter(standing_signups::activity_id.eq(activity_id))
        .filter(standing_signups::status.ne(StandingStatus::Ended.as_str()))
        .order((standing_signups::created_at, standing_signups::id))
        .select(StandingRow::as_select())
        .limit(1000)
        .load(conn)
        .await?)
}

/// Why a change of a standing sign-up was not made.
#[derive(Debug, PartialEq, Eq)]
pub enum ChangeRefusal {
    NotFound,
    /// Its version is not the one the change was meant for.
    VersionConflict,
    /// It ended: nothing changes any more.
    Ended,
}

/// Pauses or resumes a standing sign-up (`status`) or sets its last date, if its version is
/// still `expected`; with its `standing_signup.changed` event. A last date earlier than
/// before cancels its sign-ups after it, as `changed_by`.
pub async fn change(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected: Option<i32>,
    status: Option<StandingStatus>,
    valid_until: Option<Option<NaiveDate>>,
    changed_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<std::result::Result<StandingRow, ChangeRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let row = match lock_live(conn, id, expected).await? {
            Ok(row) => row,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let status = status.unwrap_or(row.status());
        let valid_until = valid_until.unwrap_or(row.valid_until);
        // Shortened: the sign-ups it made for dates after its new last date go.
        if let Some(last) = valid_until
            && row.valid_until.is_none_or(|before| last < before)
        {
            let after = quartier_domain::workload::midnight(last + chrono::Days::new(1));
            cancel_ahead(conn, id, after.max(now), changed_by, now).await?;
        }
        let changed: StandingRow =
            diesel::update(standing_signups::table.filter(standing_signups::id.eq(id)))
                .set((
                    standing_signups::status.eq(status.as_str()),
                    standing_signups::valid_until.eq(valid_until),
                    // Resumed or lengthened: its dates are looked at again.
                    standing_signups::claimed_until.eq(None::<DateTime<Utc>>),
                    standing_signups::updated_at.eq(now),
                    standing_signups::version.eq(standing_signups::version + 1),
                ))
                .returning(StandingRow::as_returning())
                .get_result(conn)
                .await?;
        outbox::record(conn, &Event::standing_signup(false, changed.facts())).await?;
        Ok(Ok(changed))
    })
    .await
}

/// Locks the standing sign-up `id` for a change: refused when there is none, it ended, or its
/// version is not `expected`.
async fn lock_live(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected: Option<i32>,
) -> Result<std::result::Result<StandingRow, ChangeRefusal>> {
    let row: Option<StandingRow> = standing_signups::table
        .filter(standing_signups::id.eq(id))
        .select(StandingRow::as_select())
        .for_no_key_update()
        .first(conn)
        .await
        .optional()?;
    Ok(match row {
        None => Err(ChangeRefusal::NotFound),
        Some(row) if row.status() == StandingStatus::Ended => Err(ChangeRefusal::Ended),
        Some(row) if expected.is_some_and(|v| v != row.version) => {
            Err(ChangeRefusal::VersionConflict)
        }
        Some(row) => Ok(row),
    })
}

/// What ending a standing sign-up did.
#[derive(Debug)]
pub struct Ended {
    pub standing: StandingRow,
    /// Its future sign-ups, cancelled.
    pub cancelled: usize,
}

/// Ends a standing sign-up: its live sign-ups for shifts that have not begun are cancelled
/// (each freed place offered to the waitlist), all in one transaction with the events.
pub async fn end(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected: Option<i32>,
    ended_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<std::result::Result<Ended, ChangeRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        if let Err(refusal) = lock_live(conn, id, expected).await? {
            return Ok(Err(refusal));
        }
        let ended: StandingRow =
            diesel::update(standing_signups::table.filter(standing_signups::id.eq(id)))
                .set((
                    standing_signups::status.eq(StandingStatus::Ended.as_str()),
                    standing_signups::ended_at.eq(now),
                    standing_signups::updated_at.eq(now),
                    standing_signups::version.eq(standing_signups::version + 1),
                ))
                .returning(StandingRow::as_returning())
                .get_result(conn)
                .await?;
        let cancelled = cancel_ahead(conn, id, now, ended_by, now).await?;
        outbox::record(conn, &Event::standing_signup(false, ended.facts())).await?;
        Ok(Ok(Ended {
            standing: ended,
            cancelled,
        }))
    })
    .await
}

/// Cancels the live sign-ups the standing sign-up `id` made for shifts starting after
/// `after`, soonest first (each freed place offered to the waitlist), with the reason
/// `standing_signup_ended`; how many. In the caller's transaction.
async fn cancel_ahead(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    after: DateTime<Utc>,
    cancelled_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<usize> {
    let signups_ahead: Vec<(DateTime<Utc>, Uuid, Uuid)> = signups::table
        .filter(signups::standing_signup_id.eq(id))
        .filter(signups::status.eq_any(SignupStatus::LIVE.map(SignupStatus::as_str)))
        .filter(signups::starts_at.gt(after))
        .select((signups::starts_at, signups::shift_id, signups::id))
        .load(conn)
        .await?;
    // Its open offers are withdrawn too, their places passed on: all in the order of their
    // shifts, as every other change takes the shifts' locks.
    let mut ahead: Vec<(DateTime<Utc>, Uuid, Ahead)> = signups_ahead
        .into_iter()
        .map(|(starts_at, shift_id, signup_id)| (starts_at, shift_id, Ahead::Signup(signup_id)))
        .chain(
            places::holds::offers_after(conn, id, after)
                .await?
                .into_iter()
                .map(|(starts_at, shift_id, hold_id)| (starts_at, shift_id, Ahead::Offer(hold_id))),
        )
        .collect();
    ahead.sort_by_key(|(starts_at, shift_id, _)| (*starts_at, *shift_id));
    let mut cancelled = 0;
    for (_, _, what) in ahead {
        match what {
            Ahead::Offer(hold_id) => {
                places::holds::release(conn, hold_id, now, false).await?;
            }
            Ahead::Signup(signup_id) => {
                let done = places::cancel_as(
                    conn,
                    signup_id,
                    cancelled_by,
                    now,
                    Some(ChangeReason::StandingSignupEnded),
                )
                .await?;
                cancelled += usize::from(done.is_ok());
            }
        }
    }
    Ok(cancelled)
}

/// A date ahead of a standing sign-up to let go: its sign-up, or its open offer.
enum Ahead {
    Signup(Uuid),
    Offer(Uuid),
}

/// What came of a standing sign-up for one shift.
#[derive(Debug, Clone, Queryable)]
pub struct DateRow {
    pub shift_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub signup_id: Option<Uuid>,
    /// As decided at the time.
    pub outcome: String,
    /// The status of the sign-up made, now (promoted, cancelled, attended …).
    pub signup_status: Option<crate::columns::SignupStatusColumn>,
    /// When an offer was, or is, to be answered.
    pub answer_by: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
}

/// The dates a standing sign-up has been signed up for, or not (the `outcome`), soonest first.
pub async fn dates(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Vec<DateRow>> {
    Ok(standing_dates::table
        .inner_join(shifts::table)
        .left_join(signups::table.on(signups::id.nullable().eq(standing_dates::signup_id)))
        .filter(standing_dates::standing_signup_id.eq(id))
        .order((shifts::starts_at, shifts::id))
        .select((
            standing_dates::shift_id,
            shifts::starts_at,
            standing_dates::signup_id,
            standing_dates::outcome,
            signups::status.nullable(),
            standing_dates::answer_by,
            standing_dates::answered_at,
        ))
        .limit(500)
        .load(conn)
        .await?)
}

/// A row of `blockouts`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = blockouts, check_for_backend(diesel::pg::Pg))]
pub struct BlockoutRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub weekly_until: Option<NaiveDate>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl BlockoutRow {
    pub fn blockout(&self) -> Blockout {
        Blockout {
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            weekly_until: self.weekly_until,
        }
    }
}

/// The most blockouts a volunteer keeps.
pub const MAX_BLOCKOUTS: i64 = 200;

/// A volunteer's blockouts, soonest first.
pub async fn blockouts_of(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<BlockoutRow>> {
    Ok(blockouts::table
        .filter(blockouts::user_id.eq(user_id))
        .order((blockouts::starts_on, blockouts::id))
        .select(BlockoutRow::as_select())
        .limit(MAX_BLOCKOUTS)
        .load(conn)
        .await?)
}

/// Adds a blockout; `None` when she keeps `MAX_BLOCKOUTS` already. Under the lock on her
/// account, so that the count holds for requests at once.
pub async fn add_blockout(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    blockout: Blockout,
    note: Option<&str>,
) -> Result<Option<BlockoutRow>> {
    conn.transaction::<_, Error, _>(async |conn| {
        lock_user(conn, user_id).await?;
        let kept: i64 = blockouts::table
            .filter(blockouts::user_id.eq(user_id))
            .count()
            .get_result(conn)
            .await?;
        if kept >= MAX_BLOCKOUTS {
            return Ok(None);
        }
        Ok(Some(
            diesel::insert_into(blockouts::table)
                .values((
                    blockouts::id.eq(Uuid::now_v7()),
                    blockouts::user_id.eq(user_id),
                    blockouts::starts_on.eq(blockout.starts_on),
                    blockouts::ends_on.eq(blockout.ends_on),
                    blockouts::weekly_until.eq(blockout.weekly_until),
                    blockouts::note.eq(note),
                ))
                .returning(BlockoutRow::as_returning())
                .get_result(conn)
                .await?,
        ))
    })
    .await
}

/// Removes one of `user_id`'s blockouts; whether there was one. Dates it kept her from are
/// not signed up for again.
pub async fn remove_blockout(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    id: Uuid,
) -> Result<bool> {
    let removed = diesel::delete(
        blockouts::table
            .filter(blockouts::id.eq(id))
            .filter(blockouts::user_id.eq(user_id)),
    )
    .execute(conn)
    .await?;
    Ok(removed > 0)
}

/// How long a worker holds the standing sign-ups it claimed.
const CLAIM: chrono::Duration = chrono::Duration::minutes(5);

/// Signs up the volunteers of active standing sign-ups for the shifts of their slot that
/// begin after `now` and up to `until`: claims up to `batch` of them oldest first (`FOR
/// UPDATE SKIP LOCKED`, then holds them for a while, so that any number of instances share
/// the work) and works through each. Returns how many standing sign-ups it looked at and how
/// many dates it decided.
pub async fn materialise(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    batch: i64,
) -> Result<(usize, usize)> {
    let claimed: Vec<StandingRow> = diesel::sql_query(format!(
        "UPDATE standing_signups SET claimed_until = $2 WHERE id IN ( \
           SELECT id FROM standing_signups WHERE status = 'active' \
             AND (claimed_until IS NULL OR claimed_until < $1) \
             AND (valid_until IS NULL OR valid_until >= ($1 AT TIME ZONE 'Europe/Berlin')::date) \
           ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
         RETURNING {}",
        STANDING_COLUMNS
    ))
    .bind::<diesel::sql_types::Timestamptz, _>(now)
    .bind::<diesel::sql_types::Timestamptz, _>(now + CLAIM)
    .bind::<diesel::sql_types::BigInt, _>(batch)
    .load(conn)
    .await?;
    let mut claimed = claimed;
    claimed.sort_by_key(|row| (row.created_at, row.id));
    let mut decided = 0;
    for row in &claimed {
        // One that fails (its volunteer's account erased meanwhile, say) keeps the others
        // from nothing; it is tried again once its claim runs out.
        match materialise_one(conn, row, now, until).await {
            Ok(count) => decided += count,
            Err(error @ Error::Unavailable(_)) => return Err(error),
            Err(error) => {
                tracing::warn!(standing_signup = %row.id, %error, "a standing sign-up was not worked through");
            }
        }
    }
    Ok((claimed.len(), decided))
}

/// Signs the volunteer of `standing` up for each shift of its slot that begins after `now`
/// and up to `until`, on a date it covers, that it has not decided yet: open shifts of the
/// published activity at an active centre, as a one-off sign-up would find them. A date one
/// of her blockouts covers is decided as such. Returns how many dates it decided.
pub async fn materialise_one(
    conn: &mut AsyncPgConnection,
    standing: &StandingRow,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<usize> {
    let commitment = standing.commitment();
    let decided = standing_dates::table
        .filter(standing_dates::standing_signup_id.eq(standing.id))
        .filter(standing_dates::shift_id.eq(shifts::id))
        .select(standing_dates::shift_id);
    use crate::schema::{activities, centres};
    let mut candidates = shifts::table
        .inner_join(occurrences::table.inner_join(activities::table))
        .inner_join(centres::table)
        .filter(occurrences::activity_id.eq(standing.activity_id))
        .filter(activities::status.eq("published"))
        .filter(centres::status.eq("active"))
        .filter(shifts::status.eq("open"))
        .filter(shifts::starts_at.gt(now))
        .filter(shifts::starts_at.le(until))
        .filter(diesel::dsl::not(diesel::dsl::exists(decided)))
        .select((shifts::id, shifts::starts_at, shifts::title))
        .order((shifts::starts_at, shifts::id))
        .into_boxed();
    if let Some(title) = &standing.slot_title {
        candidates = candidates.filter(shifts::title.eq(title.clone()));
    }
    let candidates: Vec<(Uuid, DateTime<Utc>, String)> = candidates.load(conn).await?;
    if candidates.is_empty() {
        return Ok(0);
    }
    let mut decided = 0;
    for (shift_id, starts_at, _) in candidates {
        let local = starts_at.with_timezone(&chrono_tz::Europe::Berlin);
        if local.time() != commitment.slot_start || !commitment.covers(local.date_naive()) {
            continue;
        }
        if sign_up_for_date(conn, standing.id, shift_id, starts_at, now)
            .await?
            .is_some()
        {
            decided += 1;
        }
    }
    Ok(decided)
}

/// Decides the local date `day` (the shift `shift_id`) of the standing sign-up `id`: the
/// shift is recorded as decided and, unless a blockout of hers covers the day, the volunteer
/// signed up for it, in one transaction. The standing sign-up is read again under a share
/// lock first, so that one ended, paused or shortened meanwhile decides nothing, and ending it
/// waits for this date; her blockouts are read under the lock on her account, which adding
/// one takes too. Locks: the standing sign-up, her account, the shift. `None` when the date
/// was decided already (by another worker, say) or is not to be decided now.
async fn sign_up_for_date(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    shift_id: Uuid,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Option<DateOutcome>> {
    let day = starts_at
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive();
    let mut tries = 0;
    loop {
        tries += 1;
        let attempt = conn
            .transaction::<_, Error, _>(async |conn| {
                let standing: Option<StandingRow> = standing_signups::table
                    .filter(standing_signups::id.eq(id))
                    .select(StandingRow::as_select())
                    .for_share()
                    .first(conn)
                    .await
                    .optional()?;
                let Some(standing) = standing.filter(|row| {
                    row.status() == StandingStatus::Active && row.commitment().covers(day)
                }) else {
                    return Ok(None);
                };
                lock_user(conn, standing.user_id).await?;
                let blocked = blockouts_of(conn, standing.user_id)
                    .await?
                    .iter()
                    .any(|b| b.blockout().covers(day));
                let first: Option<Uuid> = diesel::insert_into(standing_dates::table)
                    .values((
                        standing_dates::standing_signup_id.eq(standing.id),
                        standing_dates::shift_id.eq(shift_id),
                        standing_dates::outcome.eq(DateOutcome::BlockedOut.as_str()),
                    ))
                    .on_conflict_do_nothing()
                    .returning(standing_dates::shift_id)
                    .get_result(conn)
                    .await
                    .optional()?;
                if first.is_none() {
                    return Ok(None);
                }
                if blocked {
                    return Ok(Some(DateOutcome::BlockedOut));
                }
                let decided = match standing.mode() {
                    StandingMode::Auto => places::sign_up_standing(
                        conn,
                        shift_id,
                        standing.user_id,
                        standing.created_by,
                        standing.id,
                        now,
                    )
                    .await?
                    .map(|placed| {
                        let outcome = if placed.signup.status == SignupStatus::Confirmed {
                            DateOutcome::Confirmed
                        } else {
                            DateOutcome::Waitlisted
                        };
                        (outcome, Some(placed.signup.id), None)
                    }),
                    StandingMode::Ask => {
                        let by = if standing.created_by.is_some_and(|by| by != standing.user_id) {
                            crate::workload::SignedUpBy::Staff
                        } else {
                            crate::workload::SignedUpBy::Herself
                        };
                        let due = answer_by(starts_at, now, standing.answer_hours);
                        places::holds::offer(
                            conn,
                            shift_id,
                            standing.user_id,
                            standing.id,
                            by,
                            due,
                            now,
                        )
                        .await?
                        .map(|_| (DateOutcome::Offered, None, Some(due)))
                    }
                };
                let (outcome, signup_id, due) = match decided {
                    Ok(decided) => decided,
                    Err(refusal) => match refused(&refusal) {
                        Some(outcome) => (outcome, None, None),
                        // Cancelled or begun since it was read: not a date of hers after all.
                        None => {
                            diesel::delete(
                                standing_dates::table
                                    .filter(standing_dates::standing_signup_id.eq(standing.id))
                                    .filter(standing_dates::shift_id.eq(shift_id)),
                            )
                            .execute(conn)
                            .await?;
                            return Ok(None);
                        }
                    },
                };
                diesel::update(
                    standing_dates::table
                        .filter(standing_dates::standing_signup_id.eq(standing.id))
                        .filter(standing_dates::shift_id.eq(shift_id)),
                )
                .set((
                    standing_dates::outcome.eq(outcome.as_str()),
                    standing_dates::signup_id.eq(signup_id),
                    standing_dates::answer_by.eq(due),
                ))
                .execute(conn)
                .await?;
                Ok(Some(outcome))
            })
            .await;
        match attempt {
            Err(error) if error.is_deadlock() && tries < 3 => continue,
            other => return other,
        }
    }
}

/// What a refused sign-up for a date decides; `None` where the shift is no date of hers
/// after all (cancelled or begun since it was read).
fn refused(refusal: &SignupRefusal) -> Option<DateOutcome> {
    match refusal {
        SignupRefusal::AlreadySignedUp => Some(DateOutcome::SignedUpAlready),
        SignupRefusal::Overlapping => Some(DateOutcome::Overlapping),
        SignupRefusal::QualificationMissing(_) => Some(DateOutcome::QualificationMissing),
        SignupRefusal::Workload(_) => Some(DateOutcome::WorkloadLimit),
        SignupRefusal::ShiftNotFound | SignupRefusal::ShiftCancelled | SignupRefusal::ShiftPast => {
            None
        }
    }
}

/// The columns of `StandingRow` in raw SQL.
const STANDING_COLUMNS: &str = "id, user_id, activity_id, operator_id, slot_start, slot_title, \
    pattern, weekday, anchor_date, week_of_month, valid_from, valid_until, status, created_by, \
    created_at, updated_at, ended_at, version, mode, answer_hours";
