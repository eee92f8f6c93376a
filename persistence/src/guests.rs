//! Guests as people: who a guest's sign-up is for, the link to her own sign-ups, walk-ins
//! signed up at the desk, the move of a guest's history to the account she registers later,
//! and retention. Where a guest's place is held is `places::holds`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::guest::PersonKind;
use quartier_domain::notification::Kind;
use uuid::Uuid;

use crate::notifications::{self, NewNotification};
use crate::places::holds::{self, HoldOutcome, HoldRefusal, HoldRow};
use crate::places::{OVERLAP_CONSTRAINT, SignupRefusal, lock_shift};
use crate::schema::{guest_holds, notifications as n, signups, users};
use crate::signups::Placed;
use crate::{Error, Result};

/// SQL: `users.email` names the address `$email` (case and composition aside), as the
/// unique indexes on `lower(normalize(email, NFC))` see it.
macro_rules! same_address {
    ($email:expr) => {
        diesel::dsl::sql::<Bool>("lower(normalize(users.email, NFC)) = lower(normalize(")
            .bind::<Text, _>($email)
            .sql(", NFC))")
    };
}

/// What a guest gives when she signs up.
#[derive(Debug, Clone)]
pub struct NewGuest<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub privacy_policy_version: &'a str,
    pub language: &'a str,
}

/// The person a guest sign-up with `guest.email` is for, locked: the account whose verified
/// address it is, else the guest with this address (made now). The name given takes effect
/// only when she confirms from the mail (`confirm`): whoever merely knows her address cannot
/// name her.
pub(crate) async fn person_for(
    conn: &mut AsyncPgConnection,
    guest: &NewGuest<'_>,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let account: Option<Uuid> = users::table
        .filter(users::kind.eq(PersonKind::Account.as_str()))
        .filter(users::email_verified_at.is_not_null())
        .filter(same_address!(guest.email))
        .select(users::id)
        .for_no_key_update()
        .first(conn)
        .await
        .optional()?;
    if let Some(account) = account {
        return Ok(account);
    }
    diesel::insert_into(users::table)
        .values((
            users::id.eq(Uuid::now_v7()),
            users::kind.eq(PersonKind::Guest.as_str()),
            users::email.eq(guest.email),
            users::display_name.eq(guest.name),
            users::privacy_consent_at.eq(now),
            users::privacy_policy_version.eq(guest.privacy_policy_version),
            users::language.eq(guest.language),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(users::table
        .filter(users::kind.eq(PersonKind::Guest.as_str()))
        .filter(same_address!(guest.email))
        .select(users::id)
        .for_no_key_update()
        .first(conn)
        .await?)
}

/// A guest signs up for the shift: refusals that hold for every guest come first (nothing is
/// written then); else the person is found or made, a place held (`holds::hold`) and its
/// confirmation mail queued, in one transaction. `hold_id` and `token_hash` make the link.
pub async fn sign_up(
    conn: &mut AsyncPgConnection,
    shift_id: Uuid,
    guest: &NewGuest<'_>,
    hold_id: Uuid,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> Result<std::result::Result<HoldOutcome, HoldRefusal>> {
    use crate::schema::shifts;
    let shift: Option<crate::shifts::ShiftRow> = shifts::table
        .find(shift_id)
        .select(crate::shifts::ShiftRow::as_select())
        .first(conn)
        .await
        .optional()?;
    let Some(shift) = shift else {
        return Ok(Err(HoldRefusal::ShiftNotFound));
    };
    if let Some(refusal) = holds::guest_refusal(conn, &shift, now).await? {
        return Ok(Err(refusal));
    }
    conn.transaction::<_, Error, _>(async |conn| {
        let person = person_for(conn, guest, now).await?;
        let outcome = holds::hold(
            conn,
            shift_id,
            person,
            guest.name,
            hold_id,
            token_hash,
            now,
            now + quartier_domain::guest::HOLD,
        )
        .await?;
        if let Ok(HoldOutcome::Held(hold)) = &outcome {
            notifications::enqueue(
                conn,
                &NewNotification {
                    operator_id: Some(shift.operator_id),
                    details: serde_json::json!({ "hold_id": hold.id, "shift_id": shift_id }),
                    dedup_key: Some(format!("guest_hold:{}", hold.id)),
                    ..NewNotification::now(person, Kind::GuestHold)
                },
            )
            .await?;
        }
        Ok(outcome)
    })
    .await
}

/// Confirms a guest's hold (`holds::confirm`); her address counts as verified from now on.
pub async fn confirm(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> Result<std::result::Result<Placed, holds::ConfirmRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let outcome = holds::confirm(conn, token_hash, now).await?;
        if let Ok(confirmed) = &outcome
            && let Some(user_id) = confirmed.placed.signup.user_id
        {
            confirmed_by_mail(conn, user_id, &confirmed.name).await?;
        }
        Ok(outcome.map(|confirmed| confirmed.placed))
    })
    .await
}

/// A guest used a link mailed to her: she reads mail at the address, so it is verified, and
/// the name she gave with what she confirmed is hers (an account keeps its own).
pub(crate) async fn confirmed_by_mail(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    name: &str,
) -> Result<()> {
    diesel::update(users::table.find(user_id))
        .filter(users::kind.eq(PersonKind::Guest.as_str()))
        .set((
            users::email_verified_at.eq(diesel::dsl::sql::<
                diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
            >("coalesce(email_verified_at, now())")),
            Some(name)
                .filter(|n| !n.is_empty())
                .map(|n| users::display_name.eq(n)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A guest raises a concern: the person is found or made, the concern's checked fields
/// (`draft`) wait for her confirmation, and the mail with the link is queued, in one
/// transaction. `draft_id` and `token_hash` make the link.
pub async fn raise_concern(
    conn: &mut AsyncPgConnection,
    guest: &NewGuest<'_>,
    draft_id: Uuid,
    token_hash: &[u8],
    draft: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<()> {
    Waiting::Concerns
        .ask(conn, guest, None, draft_id, token_hash, draft, now)
        .await
}

/// A guest's concern, confirmed: whose it is, and its checked fields.
#[derive(Debug, Clone)]
pub struct ConfirmedDraft {
    pub user_id: Uuid,
    pub draft: serde_json::Value,
}

/// Takes the concern waiting for the confirmation whose link has `token_hash`, if it still
/// waits: the draft is gone after this, her address counts as verified, and the name she
/// gave with it is hers (for a guest). `None` for a link unknown, used or expired. Call in the
/// transaction that stores the concern, so that a refusal leaves the draft waiting.
pub async fn take_concern_draft(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<ConfirmedDraft>> {
    Ok(Waiting::Concerns
        .take(conn, token_hash, now)
        .await?
        .map(|taken| ConfirmedDraft {
            user_id: taken.user_id,
            draft: taken.draft,
        }))
}

/// A concern waiting for its author's confirmation, for her export.
#[derive(Debug, Clone, QueryableByName)]
pub struct DraftRecord {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub text: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub address: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub expires_at: DateTime<Utc>,
}

/// The concerns waiting for `user_id`'s confirmation, newest first.
pub async fn drafts_of(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<DraftRecord>> {
    Ok(diesel::sql_query(
        "SELECT id, name, coalesce(draft->>'title', '') AS title, coalesce(draft->>'text', '') AS text, \
                draft->>'address' AS address, created_at, expires_at \
           FROM concern_drafts WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind::<diesel::sql_types::Uuid, _>(user_id)
    .load(conn)
    .await?)
}

/// The tables where what a guest sent waits for the confirmation of her mailed link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Waiting {
    Concerns,
    RoomBookings,
    FundApplications,
    HelpRequests,
}

/// What a guest sent, taken with the confirmation of her link.
#[derive(Debug, Clone)]
pub(crate) struct Taken {
    pub user_id: Uuid,
    /// Whether the person is a guest (else an account that has her address).
    pub guest: bool,
    /// What it is for (the room, fund or centre), where the table names one.
    pub owner_id: Option<Uuid>,
    pub draft: serde_json::Value,
}

impl Waiting {
    /// The column naming what it is for, if the table has one.
    fn owner(self) -> Option<&'static str> {
        match self {
            Waiting::Concerns => None,
            Waiting::RoomBookings => Some("room_id"),
            Waiting::FundApplications => Some("fund_id"),
            Waiting::HelpRequests => Some("centre_id"),
        }
    }

    /// The mail that carries its link.
    fn kind(self) -> Kind {
        match self {
            Waiting::Concerns => Kind::GuestConcern,
            Waiting::RoomBookings => Kind::GuestRoomBooking,
            Waiting::FundApplications => Kind::GuestFundApplication,
            Waiting::HelpRequests => Kind::GuestHelpRequest,
        }
    }

    /// How long its link works.
    fn lasts(self) -> chrono::Duration {
        use quartier_domain::guest as g;
        match self {
            Waiting::Concerns => g::CONCERN_CONFIRMATION,
            Waiting::RoomBookings => g::ROOM_BOOKING_CONFIRMATION,
            Waiting::FundApplications => g::FUND_APPLICATION_CONFIRMATION,
            Waiting::HelpRequests => g::HELP_REQUEST_CONFIRMATION,
        }
    }

    /// A guest sends something that waits for her confirmation: the person is found or
    /// made, the checked `draft` (for `owner_id`, where the table names one) waits, and the
    /// mail with the link is queued, in one transaction. `draft_id` and `token_hash` make the
    /// link.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn ask(
        self,
        conn: &mut AsyncPgConnection,
        guest: &NewGuest<'_>,
        owner_id: Option<Uuid>,
        draft_id: Uuid,
        token_hash: &[u8],
        draft: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<()> {
        conn.transaction::<_, Error, _>(async |conn| {
            let person = person_for(conn, guest, now).await?;
            let (owner, owner_value) = match self.owner() {
                Some(column) => (format!(", {column}"), ", $8"),
                None => (String::new(), ""),
            };
            diesel::sql_query(format!(
                "INSERT INTO {} (id, user_id, name, draft, token_hash, created_at, expires_at{owner})                  VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7{owner_value})",
                self.table()
            ))
            .bind::<diesel::sql_types::Uuid, _>(draft_id)
            .bind::<diesel::sql_types::Uuid, _>(person)
            .bind::<Text, _>(guest.name)
            .bind::<Text, _>(draft.to_string())
            .bind::<diesel::sql_types::Bytea, _>(token_hash)
            .bind::<diesel::sql_types::Timestamptz, _>(now)
            .bind::<diesel::sql_types::Timestamptz, _>(now + self.lasts())
            .bind::<diesel::sql_types::Nullable<diesel::sql_types::Uuid>, _>(owner_id)
            .execute(conn)
            .await?;
            let mut details = serde_json::json!({ "draft_id": draft_id });
            if let (Some(column), Some(owner_id)) = (self.owner(), owner_id) {
                details[column] = serde_json::json!(owner_id);
            }
            let kind = self.kind();
            notifications::enqueue(
                conn,
                &NewNotification {
                    details,
                    dedup_key: Some(format!("{}:{draft_id}", kind.as_str())),
                    ..NewNotification::now(person, kind)
                },
            )
            .await?;
            Ok(())
        })
        .await
    }

    /// Takes what waits for the confirmation whose link has `token_hash`, if it still waits:
    /// it is gone after this, her address counts as verified, and the name she gave with it
    /// is hers (for a guest). `None` for a link unknown, used or expired. Call in the
    /// transaction that makes what was asked for, so that a refusal leaves it waiting.
    pub(crate) async fn take(
        self,
        conn: &mut AsyncPgConnection,
        token_hash: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Option<Taken>> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Uuid)]
            user_id: Uuid,
            #[diesel(sql_type = Text)]
            kind: String,
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
            owner_id: Option<Uuid>,
            #[diesel(sql_type = Text)]
            name: String,
            #[diesel(sql_type = Text)]
            draft: String,
        }
        let owner = self
            .owner()
            .map_or_else(|| "NULL::uuid".to_owned(), |column| format!("d.{column}"));
        let taken: Option<Row> = diesel::sql_query(format!(
            "DELETE FROM {} d USING users u              WHERE d.token_hash = $1 AND d.expires_at > $2 AND u.id = d.user_id              RETURNING d.user_id, u.kind, {owner} AS owner_id, d.name, d.draft::text AS draft",
            self.table()
        ))
        .bind::<diesel::sql_types::Bytea, _>(token_hash)
        .bind::<diesel::sql_types::Timestamptz, _>(now)
        .load(conn)
        .await?
        .pop();
        let Some(taken) = taken else {
            return Ok(None);
        };
        confirmed_by_mail(conn, taken.user_id, &taken.name).await?;
        Ok(Some(Taken {
            user_id: taken.user_id,
            guest: taken.kind == PersonKind::Guest.as_str(),
            owner_id: taken.owner_id,
            draft: serde_json::from_str(&taken.draft).map_err(|e| {
                Error::Other(format!("a draft in {} that is no JSON: {e}", self.table()))
            })?,
        }))
    }

    fn table(self) -> &'static str {
        match self {
            Waiting::Concerns => "concern_drafts",
            Waiting::RoomBookings => "room_booking_drafts",
            Waiting::FundApplications => "fund_application_drafts",
            Waiting::HelpRequests => "help_request_drafts",
        }
    }

    /// Whether `draft_id` still waits (for the re-check before its mail is sent).
    pub(crate) async fn is_open(
        self,
        conn: &mut AsyncPgConnection,
        draft_id: Uuid,
    ) -> Result<bool> {
        #[derive(QueryableByName)]
        struct Open {
            #[diesel(sql_type = Bool)]
            open: bool,
        }
        let found: Vec<Open> = diesel::sql_query(format!(
            "SELECT EXISTS (SELECT 1 FROM {} WHERE id = $1 AND expires_at > now()) AS open",
            self.table()
        ))
        .bind::<diesel::sql_types::Uuid, _>(draft_id)
        .load(conn)
        .await?;
        Ok(found.into_iter().next().is_some_and(|o| o.open))
    }

    /// Drops what waited until its link expired, by `now`.
    pub(crate) async fn remove_expired(
        self,
        conn: &mut AsyncPgConnection,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        Ok(diesel::sql_query(format!(
            "DELETE FROM {} WHERE expires_at <= $1",
            self.table()
        ))
        .bind::<diesel::sql_types::Timestamptz, _>(now)
        .execute(conn)
        .await?)
    }
}

/// Whether the concern `draft_id` still waits for its confirmation (for the re-check before
/// its mail is sent).
pub async fn draft_open(conn: &mut AsyncPgConnection, draft_id: Uuid) -> Result<bool> {
    Waiting::Concerns.is_open(conn, draft_id).await
}

/// Drops the concerns that waited for a confirmation until their link expired, by `now`.
pub async fn remove_expired_concern_drafts(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
) -> Result<usize> {
    Waiting::Concerns.remove_expired(conn, now).await
}

/// A concern waiting for its confirmation, as its mail tells it; `None` once it is gone.
#[derive(Debug, Clone, QueryableByName)]
pub struct DraftMail {
    /// Whom the mail greets: the name given with it.
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub title: String,
}

/// The waiting concern `draft_id` as its mail tells it: a guest is greeted by the name she
/// gave with it, an account by its own (whoever merely knows its address cannot name it).
pub async fn draft_mail(conn: &mut AsyncPgConnection, draft_id: Uuid) -> Result<Option<DraftMail>> {
    Ok(diesel::sql_query(
        "SELECT CASE WHEN u.kind = 'guest' THEN d.name ELSE u.display_name END AS name, \
                coalesce(d.draft->>'title', '') AS title \
           FROM concern_drafts d JOIN users u ON u.id = d.user_id \
          WHERE d.id = $1 AND d.expires_at > now()",
    )
    .bind::<diesel::sql_types::Uuid, _>(draft_id)
    .load(conn)
    .await?
    .pop())
}

/// The hold a confirmation mail is about, with its shift, for writing the mail.
#[derive(Debug, Clone, QueryableByName)]
pub struct HoldMail {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub shift_id: Uuid,
    #[diesel(sql_type = Bool)]
    pub holds_place: bool,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub expires_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub starts_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub ends_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub shift_title: String,
    #[diesel(sql_type = Text)]
    pub centre_name: String,
    #[diesel(sql_type = Text)]
    pub street: String,
    #[diesel(sql_type = Text)]
    pub postcode: String,
    #[diesel(sql_type = Text)]
    pub town: String,
    /// Whom the mail greets: a guest by the name given with this sign-up, an account by its
    /// own name.
    #[diesel(sql_type = Text)]
    pub name: String,
}

/// The hold `hold_id` as its mail tells it; `None` once it is gone.
pub async fn hold_mail(conn: &mut AsyncPgConnection, hold_id: Uuid) -> Result<Option<HoldMail>> {
    Ok(diesel::sql_query(
        "SELECT h.shift_id, h.holds_place, h.expires_at, sh.starts_at, sh.ends_at, \
                sh.title AS shift_title, c.name AS centre_name, c.street, c.postcode, c.town, \
                CASE WHEN u.kind = 'guest' THEN h.name ELSE u.display_name END AS name \
         FROM guest_holds h JOIN shifts sh ON sh.id = h.shift_id JOIN centres c ON c.id = sh.centre_id \
         JOIN users u ON u.id = h.user_id \
         WHERE h.id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(hold_id)
    .get_result(conn)
    .await
    .optional()?)
}

/// Whether the hold `hold_id` still waits for its confirmation (for the re-check before its
/// mail is sent).
pub async fn hold_open(conn: &mut AsyncPgConnection, hold_id: Uuid) -> Result<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        guest_holds::table
            .filter(guest_holds::id.eq(hold_id))
            .filter(guest_holds::expires_at.gt(diesel::dsl::now)),
    ))
    .get_result(conn)
    .await?)
}

/// The guest with this address, if there is one (accounts are not guests).
pub async fn find_by_email(conn: &mut AsyncPgConnection, email: &str) -> Result<Option<Uuid>> {
    Ok(users::table
        .filter(users::kind.eq(PersonKind::Guest.as_str()))
        .filter(same_address!(email))
        .select(users::id)
        .first(conn)
        .await
        .optional()?)
}

/// Whether `id` is a guest (and not an account, nor gone).
pub async fn is_guest(conn: &mut AsyncPgConnection, id: Uuid) -> Result<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        users::table
            .filter(users::id.eq(id))
            .filter(users::kind.eq(PersonKind::Guest.as_str())),
    ))
    .get_result(conn)
    .await?)
}

/// A guest as she sees herself.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct GuestRow {
    pub id: Uuid,
    pub email: Option<String>,
    pub display_name: String,
    pub language: String,
    pub privacy_consent_at: DateTime<Utc>,
    pub privacy_policy_version: Option<String>,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<GuestRow>> {
    Ok(users::table
        .filter(users::id.eq(id))
        .filter(users::kind.eq(PersonKind::Guest.as_str()))
        .select(GuestRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Why a walk-in was not signed up.
#[derive(Debug, PartialEq, Eq)]
pub enum WalkInRefusal {
    Refused(SignupRefusal),
    /// No place is free (a walk-in does not wait).
    Full,
    /// The shift requires qualifications.
    QualificationRequired,
}

/// Staff sign up a walk-in by name only: a guest without an address, confirmed on the shift
/// in one transaction, or nothing at all.
pub async fn walk_in(
    conn: &mut AsyncPgConnection,
    shift_id: Uuid,
    name: &str,
    signed_up_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<std::result::Result<Placed, WalkInRefusal>> {
    /// A refusal rolls the transaction back (the guest made for it goes too).
    enum Failed {
        Refused(WalkInRefusal),
        Database(Error),
    }
    impl From<diesel::result::Error> for Failed {
        fn from(error: diesel::result::Error) -> Self {
            Failed::Database(error.into())
        }
    }
    impl From<Error> for Failed {
        fn from(error: Error) -> Self {
            Failed::Database(error)
        }
    }
    let outcome = conn
        .transaction::<_, Failed, _>(async |conn| {
            let Some(shift) = lock_shift(conn, shift_id).await? else {
                return Err(Failed::Refused(WalkInRefusal::Refused(
                    SignupRefusal::ShiftNotFound,
                )));
            };
            if holds::requires_qualification(conn, shift.id).await? {
                return Err(Failed::Refused(WalkInRefusal::QualificationRequired));
            }
            let guest = Uuid::now_v7();
            diesel::insert_into(users::table)
                .values((
                    users::id.eq(guest),
                    users::kind.eq(PersonKind::Guest.as_str()),
                    users::display_name.eq(name),
                    users::privacy_consent_at.eq(now),
                ))
                .execute(conn)
                .await?;
            match crate::places::sign_up_in_steps(conn, shift_id, guest, signed_up_by, now).await? {
                Ok(placed) if placed.signup.status == quartier_domain::SignupStatus::Confirmed => {
                    Ok(placed)
                }
                Ok(_) => Err(Failed::Refused(WalkInRefusal::Full)),
                Err(refusal) => Err(Failed::Refused(WalkInRefusal::Refused(refusal))),
            }
        })
        .await;
    match outcome {
        Ok(placed) => Ok(Ok(placed)),
        Err(Failed::Refused(refusal)) => Ok(Err(refusal)),
        Err(Failed::Database(error)) => Err(error),
    }
}

/// The account `account_id` verified `email`: the guest with that address becomes part of
/// it. Her sign-ups, holds and notifications move to the account, except those the account
/// has for the same shift or that would overlap its confirmed ones (they stay with the
/// guest, who then remains); a guest left with nothing is deleted. Call in the transaction
/// that verifies the address.
pub async fn merge_into_account(
    conn: &mut AsyncPgConnection,
    account_id: Uuid,
    email: &str,
) -> Result<usize> {
    let guest: Option<Uuid> = users::table
        .filter(users::kind.eq(PersonKind::Guest.as_str()))
        .filter(same_address!(email))
        .select(users::id)
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let Some(guest) = guest else {
        return Ok(0);
    };
    // In a savepoint: should the check below miss an overlap, the constraint refuses the
    // move and everything stays with the guest.
    let moved = conn
        .transaction::<_, Error, _>(async |conn| {
            Ok(diesel::sql_query(
                "UPDATE signups g SET user_id = $2 \
                 WHERE g.user_id = $1 AND NOT EXISTS ( \
                   SELECT 1 FROM signups a WHERE a.user_id = $2 AND ( \
                     (a.shift_id = g.shift_id AND a.status IN ('confirmed', 'waitlisted') \
                        AND g.status IN ('confirmed', 'waitlisted')) \
                     OR (a.status IN ('confirmed', 'attended') AND g.status IN ('confirmed', 'attended') \
                        AND tstzrange(a.starts_at, a.ends_at) && tstzrange(g.starts_at, g.ends_at))))",
            )
            .bind::<diesel::sql_types::Uuid, _>(guest)
            .bind::<diesel::sql_types::Uuid, _>(account_id)
            .execute(conn)
            .await?)
        })
        .await;
    let moved = match moved {
        Ok(moved) => moved,
        Err(error) if error.is_constraint(OVERLAP_CONSTRAINT) => 0,
        Err(error) => return Err(error),
    };
    diesel::sql_query(
        "UPDATE guest_holds g SET user_id = $2 WHERE g.user_id = $1 \
           AND NOT EXISTS (SELECT 1 FROM guest_holds a WHERE a.user_id = $2 AND a.shift_id = g.shift_id) \
           AND NOT EXISTS (SELECT 1 FROM signups a WHERE a.user_id = $2 AND a.shift_id = g.shift_id \
                           AND a.status IN ('confirmed', 'waitlisted'))",
    )
    .bind::<diesel::sql_types::Uuid, _>(guest)
    .bind::<diesel::sql_types::Uuid, _>(account_id)
    .execute(conn)
    .await?;
    diesel::update(n::table.filter(n::user_id.eq(guest)))
        .set(n::user_id.eq(account_id))
        .execute(conn)
        .await?;
    // What she raised is the account's now, and so is what waits for her confirmation.
    diesel::sql_query("UPDATE concerns SET author_id = $2 WHERE author_id = $1")
        .bind::<diesel::sql_types::Uuid, _>(guest)
        .bind::<diesel::sql_types::Uuid, _>(account_id)
        .execute(conn)
        .await?;
    diesel::sql_query("UPDATE concern_drafts SET user_id = $2 WHERE user_id = $1")
        .bind::<diesel::sql_types::Uuid, _>(guest)
        .bind::<diesel::sql_types::Uuid, _>(account_id)
        .execute(conn)
        .await?;
    // Her room bookings are the account's: it asked for them as a resident would.
    diesel::sql_query(
        "UPDATE room_bookings SET requested_by = $2, booker_kind = 'account' \
         WHERE requested_by = $1 AND booker_kind = 'guest'",
    )
    .bind::<diesel::sql_types::Uuid, _>(guest)
    .bind::<diesel::sql_types::Uuid, _>(account_id)
    .execute(conn)
    .await?;
    diesel::sql_query("UPDATE room_booking_drafts SET user_id = $2 WHERE user_id = $1")
        .bind::<diesel::sql_types::Uuid, _>(guest)
        .bind::<diesel::sql_types::Uuid, _>(account_id)
        .execute(conn)
        .await?;
    // Her applications to funds, handed in or waiting for her confirmation, too.
    diesel::sql_query("UPDATE fund_applications SET applicant_id = $2 WHERE applicant_id = $1")
        .bind::<diesel::sql_types::Uuid, _>(guest)
        .bind::<diesel::sql_types::Uuid, _>(account_id)
        .execute(conn)
        .await?;
    diesel::sql_query("UPDATE fund_application_drafts SET user_id = $2 WHERE user_id = $1")
        .bind::<diesel::sql_types::Uuid, _>(guest)
        .bind::<diesel::sql_types::Uuid, _>(account_id)
        .execute(conn)
        .await?;
    // And her requests of neighbourly help, made or waiting.
    diesel::sql_query("UPDATE help_requests SET person_id = $2 WHERE person_id = $1")
        .bind::<diesel::sql_types::Uuid, _>(guest)
        .bind::<diesel::sql_types::Uuid, _>(account_id)
        .execute(conn)
        .await?;
    diesel::sql_query("UPDATE help_request_drafts SET user_id = $2 WHERE user_id = $1")
        .bind::<diesel::sql_types::Uuid, _>(guest)
        .bind::<diesel::sql_types::Uuid, _>(account_id)
        .execute(conn)
        .await?;
    let left: i64 = signups::table
        .filter(signups::user_id.eq(guest))
        .count()
        .get_result(conn)
        .await?;
    let holding: i64 = guest_holds::table
        .filter(guest_holds::user_id.eq(guest))
        .count()
        .get_result(conn)
        .await?;
    if left == 0 && holding == 0 {
        diesel::delete(users::table.find(guest))
            .execute(conn)
            .await?;
    }
    Ok(moved)
}

/// Guests with no sign-up ending after `cutoff`, no hold, no concern open or closed after
/// `cutoff`, no room date ending after `cutoff`, no application to a fund undecided,
/// unsettled or changed after `cutoff`, nothing waiting for her confirmation, and made
/// before `cutoff`: up to `limit`, for
/// retention to erase.
pub async fn idle_since(
    conn: &mut AsyncPgConnection,
    cutoff: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Uuid>> {
    Ok(users::table
        .filter(users::kind.eq(PersonKind::Guest.as_str()))
        .filter(users::created_at.lt(cutoff))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            signups::table
                .filter(signups::user_id.eq(users::id.nullable()))
                .filter(signups::ends_at.ge(cutoff)),
        )))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            guest_holds::table.filter(guest_holds::user_id.eq(users::id)),
        )))
        // She hears of the answers to what she raised until it is closed, and is kept as
        // long after that as after a shift; and while a concern waits for her confirmation.
        .filter(
            diesel::dsl::sql::<Bool>(
                "NOT EXISTS (SELECT 1 FROM concerns k WHERE k.author_id = users.id \
                   AND (k.status NOT IN ('done', 'declined', 'duplicate', 'withdrawn') \
                        OR k.updated_at >= ",
            )
            .bind::<diesel::sql_types::Timestamptz, _>(cutoff)
            .sql(
                ")) AND NOT EXISTS (SELECT 1 FROM room_bookings b \
                   JOIN room_booking_dates rd ON rd.booking_id = b.id \
                   WHERE b.requested_by = users.id AND rd.ends_at >= ",
            )
            .bind::<diesel::sql_types::Timestamptz, _>(cutoff)
            .sql(
                ") AND NOT EXISTS (SELECT 1 FROM concern_drafts d WHERE d.user_id = users.id \
                   AND d.expires_at > now()) \
                 AND NOT EXISTS (SELECT 1 FROM room_booking_drafts d WHERE d.user_id = users.id \
                   AND d.expires_at > now()) \
                 AND NOT EXISTS (SELECT 1 FROM fund_application_drafts d \
                   WHERE d.user_id = users.id AND d.expires_at > now()) \
                 AND NOT EXISTS (SELECT 1 FROM help_request_drafts d \
                   WHERE d.user_id = users.id AND d.expires_at > now()) \
                 AND NOT EXISTS (SELECT 1 FROM help_requests h WHERE h.person_id = users.id \
                   AND (h.status IN ('open', 'matched') OR h.ended_at >= ",
            )
            .bind::<diesel::sql_types::Timestamptz, _>(cutoff)
            .sql(
                ")) \
                 AND NOT EXISTS (SELECT 1 FROM fund_applications a WHERE a.applicant_id = users.id \
                   AND (a.status NOT IN ('settled', 'declined', 'withdrawn') \
                        OR greatest(a.submitted_at, a.decided_at, a.reported_at, a.settled_at) >= ",
            )
            .bind::<diesel::sql_types::Timestamptz, _>(cutoff)
            .sql("))"),
        )
        .order(users::created_at)
        .select(users::id)
        .limit(limit)
        .load(conn)
        .await?)
}

/// Releases every hold of `user_id` (she is being erased), passing the places on.
pub async fn release_holds_of(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut released = 0;
    for hold in holds::of_user(conn, user_id).await? {
        if holds::release(conn, hold, now, false).await?.is_some() {
            released += 1;
        }
    }
    Ok(released)
}

/// The holds of a guest, for her own view.
pub async fn holds_of(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Vec<HoldRow>> {
    Ok(guest_holds::table
        .filter(guest_holds::user_id.eq(user_id))
        .order(guest_holds::created_at)
        .select(HoldRow::as_select())
        .load(conn)
        .await?)
}
