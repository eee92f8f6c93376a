//! Invitations to an operator's staff. An operator admin invites an address; whoever uses the
//! mailed link while signed in with an account whose verified address it is becomes staff.
//! Until then nothing tells the operator whether the address has an account, or whose.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::notification::Kind;
use uuid::Uuid;

use crate::notifications::{self, NewNotification};
use crate::operators::{self, MemberRow};
use crate::schema::staff_invitations as si;
use crate::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = si, check_for_backend(diesel::pg::Pg))]
pub struct InvitationRow {
    pub id: Uuid,
    pub operator_id: Uuid,
    pub email: String,
    pub role: String,
    pub centre_ids: Vec<Uuid>,
    pub invited_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// An invitation to make.
#[derive(Debug)]
pub struct NewInvitation<'a> {
    pub id: Uuid,
    pub operator_id: Uuid,
    pub email: &'a str,
    pub role: &'a str,
    pub centre_ids: &'a [Uuid],
    pub invited_by: Option<Uuid>,
    pub token_hash: &'a [u8],
    pub expires_at: DateTime<Utc>,
}

/// Invites `new.email`, replacing an open invitation of the operator to the same address,
/// and queues the mail to that address, in one transaction.
pub async fn invite(
    conn: &mut AsyncPgConnection,
    new: &NewInvitation<'_>,
) -> Result<InvitationRow> {
    conn.transaction::<_, Error, _>(async |conn| {
        // Two invitations to the same address at once queue here, so that the second
        // replaces the first instead of running into the unique index.
        diesel::sql_query(
            "SELECT pg_advisory_xact_lock(hashtextextended($1::text || lower(normalize($2, NFC)), 0))",
        )
        .bind::<diesel::sql_types::Uuid, _>(new.operator_id)
        .bind::<Text, _>(new.email)
        .execute(conn)
        .await?;
        diesel::update(si::table)
            .filter(si::operator_id.eq(new.operator_id))
            .filter(si::accepted_at.is_null())
            .filter(si::revoked_at.is_null())
            .filter(
                diesel::dsl::sql::<Bool>("lower(normalize(email, NFC)) = lower(normalize(")
                    .bind::<Text, _>(new.email)
                    .sql(", NFC))"),
            )
            .set(si::revoked_at.eq(diesel::dsl::now))
            .execute(conn)
            .await?;
        let row = diesel::insert_into(si::table)
            .values((
                si::id.eq(new.id),
                si::operator_id.eq(new.operator_id),
                si::email.eq(new.email),
                si::role.eq(new.role),
                si::centre_ids.eq(new.centre_ids),
                si::invited_by.eq(new.invited_by),
                si::token_hash.eq(new.token_hash),
                si::expires_at.eq(new.expires_at),
            ))
            .returning(InvitationRow::as_returning())
            .get_result(conn)
            .await?;
        notifications::enqueue(
            conn,
            &NewNotification {
                id: Uuid::now_v7(),
                user_id: None,
                kind: Kind::StaffInvitation,
                operator_id: Some(new.operator_id),
                details: serde_json::json!({ "invitation_id": new.id }),
                address: Some(new.email.to_owned()),
                dedup_key: Some(format!("invitation:{}", new.id)),
                due_at: None,
            },
        )
        .await?;
        Ok(row)
    })
    .await
}

/// The operator's open invitations (not accepted, not withdrawn), newest first.
pub async fn open_of(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
) -> Result<Vec<InvitationRow>> {
    Ok(si::table
        .filter(si::operator_id.eq(operator_id))
        .filter(si::accepted_at.is_null())
        .filter(si::revoked_at.is_null())
        .order((si::created_at.desc(), si::id.desc()))
        .limit(500)
        .select(InvitationRow::as_select())
        .load(conn)
        .await?)
}

/// Withdraws the operator's open invitation `id`; false when there is none.
pub async fn revoke(conn: &mut AsyncPgConnection, operator_id: Uuid, id: Uuid) -> Result<bool> {
    Ok(diesel::update(si::table)
        .filter(si::id.eq(id))
        .filter(si::operator_id.eq(operator_id))
        .filter(si::accepted_at.is_null())
        .filter(si::revoked_at.is_null())
        .set(si::revoked_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?
        == 1)
}

/// The account `user_id` is no longer an operator admin of `operator_id` (of any operator
/// when `None`: it was erased): its open invitations are withdrawn, so that no one it invited
/// joins on its word afterwards. Call in the transaction of the change.
pub async fn inviter_departed(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    operator_id: Option<Uuid>,
) -> Result<usize> {
    let mut query = diesel::update(si::table)
        .filter(si::invited_by.eq(user_id))
        .filter(si::accepted_at.is_null())
        .filter(si::revoked_at.is_null())
        .into_boxed();
    if let Some(operator_id) = operator_id {
        query = query.filter(si::operator_id.eq(operator_id));
    }
    Ok(query
        .set(si::revoked_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?)
}

/// Whether the invitation `id` can still be accepted (checked before its mail goes out).
pub async fn is_open(conn: &mut AsyncPgConnection, id: Uuid) -> Result<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        si::table
            .filter(si::id.eq(id))
            .filter(si::accepted_at.is_null())
            .filter(si::revoked_at.is_null())
            .filter(si::expires_at.gt(diesel::dsl::now)),
    ))
    .get_result(conn)
    .await?)
}

/// The operator's name and the role an invitation offers, for its mail.
pub async fn mail_context(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<Option<(String, String)>> {
    Ok(si::table
        .inner_join(crate::schema::operators::table)
        .filter(si::id.eq(id))
        .select((crate::schema::operators::name, si::role))
        .first(conn)
        .await
        .optional()?)
}

/// Why an invitation was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No open, unexpired invitation has this token.
    Unknown,
    /// The account's address is not verified.
    Unverified,
    /// The invitation is for another address than the account's.
    OtherAddress,
}

/// Accepts the invitation with `token_hash` for the account `user_id`: it becomes staff with
/// the role and centre limits offered, and the invitation is used up, in one transaction.
/// A refusal changes nothing; so does a database refusal (already staff, a centre no longer
/// the operator's), returned as the error.
pub async fn accept(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    user_id: Uuid,
) -> Result<std::result::Result<(InvitationRow, MemberRow), Refusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let invitation: Option<InvitationRow> = si::table
            .filter(si::token_hash.eq(token_hash))
            .filter(si::accepted_at.is_null())
            .filter(si::revoked_at.is_null())
            .filter(si::expires_at.gt(diesel::dsl::now))
            .select(InvitationRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?;
        let Some(invitation) = invitation else {
            return Ok(Err(Refusal::Unknown));
        };
        #[derive(QueryableByName)]
        struct Account {
            #[diesel(sql_type = Bool)]
            verified: bool,
            #[diesel(sql_type = Bool)]
            same_address: bool,
        }
        let account: Option<Account> = diesel::sql_query(
            "SELECT email_verified_at IS NOT NULL AS verified, \
                    lower(normalize(email, NFC)) = lower(normalize($2, NFC)) AS same_address \
               FROM users WHERE id = $1",
        )
        .bind::<diesel::sql_types::Uuid, _>(user_id)
        .bind::<Text, _>(&invitation.email)
        .get_result(conn)
        .await
        .optional()?;
        match account {
            None => return Ok(Err(Refusal::Unknown)),
            Some(a) if !a.same_address => return Ok(Err(Refusal::OtherAddress)),
            Some(a) if !a.verified => return Ok(Err(Refusal::Unverified)),
            Some(_) => {}
        }
        let member = operators::add_member(
            conn,
            invitation.operator_id,
            user_id,
            &invitation.role,
            &invitation.centre_ids,
        )
        .await?;
        diesel::update(si::table.find(invitation.id))
            .set((
                si::accepted_at.eq(diesel::dsl::now),
                si::accepted_by.eq(user_id),
            ))
            .execute(conn)
            .await?;
        Ok(Ok((invitation, member)))
    })
    .await
}
