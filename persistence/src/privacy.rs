//! Data protection: erasure of an account (Art. 17 DSGVO) and the retention rules that
//! anonymise old sign-ups and remove expired verification records.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::audit::{self, Actor, NewEntry};
use crate::places::{CancelRefusal, cancel_as};
use crate::schema::{idempotency_keys, qualification_verifications, signups, users};
use crate::{Error, Result};

/// A sign-up that no longer names anyone: not the volunteer, nor who signed them up or
/// cancelled.
#[derive(AsChangeset)]
#[diesel(table_name = signups, treat_none_as_null = true)]
struct Anonymised {
    user_id: Option<Uuid>,
    anonymised_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    signed_up_by: Option<Uuid>,
    cancelled_by: Option<Uuid>,
}

impl Anonymised {
    fn at(now: DateTime<Utc>) -> Self {
        Self {
            user_id: None,
            anonymised_at: now,
            updated_at: now,
            signed_up_by: None,
            cancelled_by: None,
        }
    }
}

/// What an erasure did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Erased {
    /// Live sign-ups (future confirmed ones, and places on waitlists) cancelled.
    pub cancelled: usize,
    /// Waiting volunteers promoted into the places this freed.
    pub promoted: usize,
    /// Sign-ups kept for statistics without the person.
    pub anonymised: usize,
}

/// Why an account was not erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErasureRefusal {
    NotFound,
    /// The only administrator cannot go: nobody could manage the system any more.
    LastAdmin,
}

/// Erases the account `user_id` in one transaction: its live sign-ups are cancelled (the
/// first waiting volunteer promoted, the events saying a volunteer left), so are the room
/// dates to come it asked for itself, all its sign-ups
/// kept only as anonymous rows with their hours, and the account deleted with everything
/// that hangs on it (sessions, calendar feed, profile, qualifications, memberships,
/// idempotency records). Rows others made keep no pointer to it. The audit trail records
/// the erasure by id only.
pub async fn erase_account(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Result<Erased, ErasureRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let role: Option<String> = users::table
            .filter(users::id.eq(user_id))
            .select(users::role)
            .first(conn)
            .await
            .optional()?;
        let Some(role) = role else {
            return Ok(Err(ErasureRefusal::NotFound));
        };
        // Locks the account; an administrator's, with every other administrator's, in one
        // order, so that two leaving at once queue rather than deadlock.
        let locked: Vec<(Uuid, String)> = if role == "admin" {
            users::table
                .filter(users::role.eq("admin").or(users::id.eq(user_id)))
                .order(users::id)
                .select((users::id, users::role))
                .for_update()
                .load(conn)
                .await?
        } else {
            users::table
                .filter(users::id.eq(user_id))
                .select((users::id, users::role))
                .for_update()
                .load(conn)
                .await?
        };
        let Some((_, role)) = locked.iter().find(|(id, _)| *id == user_id) else {
            return Ok(Err(ErasureRefusal::NotFound));
        };
        let admins = locked.iter().filter(|(_, r)| r == "admin").count();
        if role == "admin" && admins <= 1 {
            return Ok(Err(ErasureRefusal::LastAdmin));
        }
        // Live sign-ups, in shift order so that concurrent cancellations lock alike.
        let live: Vec<Uuid> = signups::table
            .filter(signups::user_id.eq(user_id))
            .filter(
                signups::status.eq("waitlisted").or(signups::status
                    .eq("confirmed")
                    .and(signups::starts_at.gt(now))),
            )
            .order((signups::shift_id, signups::id))
            .select(signups::id)
            .load(conn)
            .await?;
        let mut erased = Erased {
            cancelled: 0,
            promoted: 0,
            anonymised: 0,
        };
        // A guest's places held until she confirms go to others.
        crate::guests::release_holds_of(conn, user_id, now).await?;
        // The rooms she asked for herself are free again.
        crate::rooms::cancel_personal(conn, user_id, now).await?;
        // Her drafts to neighbourhood funds go; what she handed in stays, without her.
        crate::funds::delete_drafts_of(conn, user_id).await?;
        // Her requests of neighbourly help are withdrawn and keep only what reports count;
        // where she helps, her matches still going are declined.
        crate::help::forget_person(conn, user_id, now).await?;
        for signup_id in live {
            match cancel_as(
                conn,
                signup_id,
                None,
                now,
                Some(quartier_domain::ChangeReason::AccountErased),
            )
            .await?
            {
                Ok(done) => {
                    erased.cancelled += 1;
                    erased.promoted += usize::from(done.promoted.is_some());
                }
                Err(CancelRefusal::NotFound | CancelRefusal::NotLive) => {}
            }
        }
        erased.anonymised = diesel::update(signups::table.filter(signups::user_id.eq(user_id)))
            .set((
                &Anonymised::at(now),
                signups::version.eq(signups::version + 1),
            ))
            .execute(conn)
            .await?;
        // Stored answers to its retried requests (their owner may also be an API key, so no
        // foreign key removes them).
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::owner_id.eq(user_id)))
            .execute(conn)
            .await?;
        // Keys this person made stay valid for their operators' systems, flagged, and the
        // remaining operator admins are told.
        crate::api_keys::creator_departed(conn, user_id, None, now).await?;
        crate::staff_invitations::inviter_departed(conn, user_id, None).await?;
        diesel::delete(users::table.filter(users::id.eq(user_id)))
            .execute(conn)
            .await?;
        audit::record(
            conn,
            &NewEntry::new(Actor::User(user_id), "account.erased", "user", user_id)
                .about([user_id])
                .details(serde_json::json!({
                    "cancelled": erased.cancelled,
                    "promoted": erased.promoted,
                    "anonymised": erased.anonymised,
                })),
        )
        .await?;
        Ok(Ok(erased))
    })
    .await
}

/// Anonymises up to `batch` sign-ups whose shift ended before `cutoff`: they keep shift,
/// status and hours, and no longer name the volunteer nor who signed them up or cancelled.
/// Returns how many it changed; the audit trail gets one entry per batch.
pub async fn anonymise_signups_before(
    conn: &mut AsyncPgConnection,
    cutoff: DateTime<Utc>,
    batch: i64,
    now: DateTime<Utc>,
) -> Result<usize> {
    conn.transaction::<_, Error, _>(async |conn| {
        let due: Vec<(Uuid, Option<Uuid>)> = signups::table
            .filter(signups::user_id.is_not_null())
            .filter(signups::ends_at.lt(cutoff))
            .order(signups::ends_at)
            .limit(batch)
            .select((signups::id, signups::user_id))
            .for_update()
            .skip_locked()
            .load(conn)
            .await?;
        if due.is_empty() {
            return Ok(0);
        }
        let ids: Vec<Uuid> = due.iter().map(|(id, _)| *id).collect();
        let changed = diesel::update(signups::table.filter(signups::id.eq_any(ids)))
            .set((
                &Anonymised::at(now),
                signups::version.eq(signups::version + 1),
            ))
            .execute(conn)
            .await?;
        NewEntry::of_many(Actor::System, "signups.anonymised", "signup")
            .about(due.iter().filter_map(|(_, user)| *user))
            .details(serde_json::json!({ "count": changed, "ended_before": cutoff }))
            .record(conn)
            .await?;
        Ok(changed)
    })
    .await
}

/// Removes the verification records (police certificates and the other qualifications
/// staff inspected) that expired before `cutoff`, up to `batch`; one audit entry per record.
pub async fn remove_expired_verifications(
    conn: &mut AsyncPgConnection,
    cutoff: NaiveDate,
    batch: i64,
) -> Result<usize> {
    conn.transaction::<_, Error, _>(async |conn| {
        let due: Vec<Uuid> = qualification_verifications::table
            .filter(qualification_verifications::expires_on.lt(cutoff))
            .select(qualification_verifications::id)
            .limit(batch)
            .for_update()
            .skip_locked()
            .load(conn)
            .await?;
        if due.is_empty() {
            return Ok(0);
        }
        let gone: Vec<(Uuid, Uuid, Uuid, Uuid, Option<NaiveDate>)> = diesel::delete(
            qualification_verifications::table.filter(qualification_verifications::id.eq_any(due)),
        )
        .returning((
            qualification_verifications::id,
            qualification_verifications::user_id,
            qualification_verifications::type_id,
            qualification_verifications::operator_id,
            qualification_verifications::expires_on,
        ))
        .get_results(conn)
        .await?;
        for (id, user_id, type_id, operator_id, expires_on) in &gone {
            audit::record(
                conn,
                &NewEntry::new(
                    Actor::System,
                    "qualification.expired_removed",
                    "qualification_verification",
                    *id,
                )
                .operator(*operator_id)
                .about([*user_id])
                .details(serde_json::json!({ "type_id": type_id, "expired_on": expires_on })),
            )
            .await?;
        }
        Ok(gone.len())
    })
    .await
}

/// A staff membership, for a person's own export.
#[derive(Debug, Clone, Queryable)]
pub struct Membership {
    pub operator_id: Uuid,
    pub operator_name: String,
    pub role: String,
    pub since: DateTime<Utc>,
}

/// The operators whose staff `user_id` is.
pub async fn memberships_of(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Vec<Membership>> {
    use crate::schema::{operator_members, operators};
    Ok(operator_members::table
        .inner_join(operators::table)
        .filter(operator_members::user_id.eq(user_id))
        .order(operators::name)
        .select((
            operators::id,
            operators::name,
            operator_members::role,
            operator_members::created_at,
        ))
        .load(conn)
        .await?)
}

/// A signed-in session (a refresh-token family's live token), for a person's own export.
#[derive(Debug, Clone, Queryable)]
pub struct Session {
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The sessions of `user_id` that could still be refreshed.
pub async fn sessions_of(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<Session>> {
    use crate::schema::refresh_tokens;
    Ok(refresh_tokens::table
        .filter(refresh_tokens::user_id.eq(user_id))
        .filter(refresh_tokens::used_at.is_null())
        .filter(refresh_tokens::revoked_at.is_null())
        .filter(refresh_tokens::expires_at.gt(now))
        .order(refresh_tokens::created_at)
        .select((refresh_tokens::created_at, refresh_tokens::expires_at))
        .load(conn)
        .await?)
}

/// When `user_id` made their calendar feed, if they have one.
pub async fn feed_of(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Option<DateTime<Utc>>> {
    use crate::schema::calendar_feeds;
    Ok(calendar_feeds::table
        .filter(calendar_feeds::user_id.eq(user_id))
        .select(calendar_feeds::created_at)
        .first(conn)
        .await
        .optional()?)
}

/// The API keys `user_id` created, oldest first.
pub async fn api_keys_created_by(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Vec<crate::api_keys::ApiKeyRow>> {
    use crate::schema::api_keys;
    Ok(api_keys::table
        .filter(api_keys::created_by.eq(user_id))
        .order((api_keys::created_at, api_keys::id))
        .select(crate::api_keys::ApiKeyRow::as_select())
        .load(conn)
        .await?)
}

/// What an old-record sweep removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub events: usize,
    pub deliveries: usize,
    pub audit_entries: usize,
}

/// Removes, up to `batch` of each, published outbox events and finished webhook deliveries
/// (with their attempts) made before `events_before`, and audit entries older than
/// `audit_before`: they name sign-ups and people by id, and would otherwise link anonymised
/// sign-ups to their volunteers for ever.
pub async fn prune(
    conn: &mut AsyncPgConnection,
    events_before: DateTime<Utc>,
    audit_before: DateTime<Utc>,
    batch: i64,
) -> Result<Pruned> {
    use crate::schema::{audit_events, outbox_events, webhook_deliveries};
    let events: Vec<Uuid> = outbox_events::table
        .filter(outbox_events::published_at.lt(events_before))
        .select(outbox_events::id)
        .limit(batch)
        .load(conn)
        .await?;
    let deliveries: Vec<Uuid> = webhook_deliveries::table
        .filter(webhook_deliveries::status.ne("pending"))
        .filter(webhook_deliveries::created_at.lt(events_before))
        .select(webhook_deliveries::id)
        .limit(batch)
        .load(conn)
        .await?;
    let entries: Vec<Uuid> = audit_events::table
        .filter(audit_events::at.lt(audit_before))
        .select(audit_events::id)
        .limit(batch)
        .load(conn)
        .await?;
    Ok(Pruned {
        events: diesel::delete(outbox_events::table.filter(outbox_events::id.eq_any(events)))
            .execute(conn)
            .await?,
        deliveries: diesel::delete(
            webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(deliveries)),
        )
        .execute(conn)
        .await?,
        audit_entries: diesel::delete(audit_events::table.filter(audit_events::id.eq_any(entries)))
            .execute(conn)
            .await?,
    })
}
