//! Accounts.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::users;
use crate::{Error, Result, account_tokens, notifications, refresh_tokens};

/// Name of the unique index that keeps one account per address (case-insensitive).
pub const EMAIL_UNIQUE: &str = "users_email_key";

/// The foreign keys by which a row names the person who acts (who owns the session, feed or
/// profile, who signed up or cancelled, inspected, made or revoked a key): refused when that
/// person's account is gone (erased while one of its access tokens was still valid).
pub const ACTOR_REFERENCES: &[&str] = &[
    "refresh_tokens_user_id_fkey",
    "account_tokens_user_id_fkey",
    "report_snapshots_created_by_fkey",
    "notification_preferences_user_id_fkey",
    "shift_messages_sent_by_fkey",
    "staff_invitations_invited_by_fkey",
    "staff_invitations_accepted_by_fkey",
    "qualification_verifications_inspected_by_fkey",
    "operator_trusts_created_by_fkey",
    "signups_signed_up_by_fkey",
    "signups_cancelled_by_fkey",
    "volunteer_profiles_user_id_fkey",
    "calendar_feeds_user_id_fkey",
    "api_keys_created_by_fkey",
    "api_keys_revoked_by_fkey",
    "translations_written_by_fkey",
    "concerns_author_id_fkey",
    "concerns_recorded_by_fkey",
    "concern_supports_user_id_fkey",
    "concern_answers_author_id_fkey",
    "concern_outcomes_linked_by_fkey",
    "room_bookings_requested_by_fkey",
    "room_booking_dates_decided_by_fkey",
    "activity_rooms_set_by_fkey",
    "embed_origins_created_by_fkey",
    "standing_signups_created_by_fkey",
    "blockouts_user_id_fkey",
    "funds_created_by_fkey",
    "fund_applications_decided_by_user_fkey",
    "help_requests_person_id_fkey",
    "help_requests_recorded_by_fkey",
    "help_matches_proposed_by_fkey",
    "help_messages_sent_by_fkey",
];

/// The foreign keys by which a row names a person, who may be someone other than the actor
/// (the volunteer staff sign up, inspect or make staff): refused when that account is gone.
pub const SUBJECT_REFERENCES: &[&str] = &[
    "operator_members_user_id_fkey",
    "volunteer_qualifications_user_id_fkey",
    "qualification_verifications_user_id_fkey",
    "operator_volunteers_user_id_fkey",
    "notifications_user_id_fkey",
    "signups_user_id_fkey",
    "guest_holds_user_id_fkey",
    "partner_members_user_id_fkey",
    "network_memberships_user_id_fkey",
    "core_team_members_user_id_fkey",
    "concern_drafts_user_id_fkey",
    "room_booking_drafts_user_id_fkey",
    "standing_signups_user_id_fkey",
    "fund_applications_applicant_id_fkey",
    "fund_application_drafts_user_id_fkey",
    "help_matches_helper_id_fkey",
    "help_request_drafts_user_id_fkey",
];

/// A row of `users`.
#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct UserRow {
    pub id: Uuid,
    // Accounts always have both (a CHECK says so); only guests lack them, and guests are
    // never read as accounts.
    #[diesel(select_expression = users::email.assume_not_null())]
    #[diesel(select_expression_type = diesel::dsl::AssumeNotNull<users::email>)]
    pub email: String,
    pub display_name: String,
    #[diesel(select_expression = users::password_hash.assume_not_null())]
    #[diesel(select_expression_type = diesel::dsl::AssumeNotNull<users::password_hash>)]
    pub password_hash: String,
    pub role: String,
    pub privacy_consent_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub privacy_policy_version: Option<String>,
    /// When the address was shown to reach its owner; `None` until then.
    pub email_verified_at: Option<DateTime<Utc>>,
    /// Access tokens of an earlier generation are refused.
    pub token_generation: i32,
    /// The language mail to this person is written in (`de` or `en`).
    pub language: String,
}

/// What it takes to create an account.
#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub privacy_consent_at: DateTime<Utc>,
    /// The privacy policy agreed to; `None` for accounts made without the user (by a command).
    pub privacy_policy_version: Option<&'a str>,
    pub language: &'a str,
    /// Set for accounts whose address was checked another way (made by an administrator).
    pub email_verified_at: Option<DateTime<Utc>>,
}

// The password hash stays out of `Debug`, and so out of every log.
impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for NewUser<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("id", &self.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for UserChanges<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserChanges")
            .field("display_name", &self.display_name)
            .field("password_hash", &self.password_hash.map(|_| "[redacted]"))
            .field("role", &self.role)
            .field("language", &self.language)
            .finish()
    }
}

/// Rows of `users` that are accounts, not guests.
fn is_account() -> diesel::dsl::Eq<users::kind, &'static str> {
    users::kind.eq(quartier_domain::guest::PersonKind::Account.as_str())
}

/// Creates the account unless the address is taken (in any case); `None` when it is.
pub async fn insert(conn: &mut AsyncPgConnection, new: &NewUser<'_>) -> Result<Option<UserRow>> {
    Ok(diesel::insert_into(users::table)
        .values(new)
        .on_conflict_do_nothing()
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// Records that the user agreed to the privacy policy `version` now; `None` when the account
/// is gone.
pub async fn consent_to_privacy_policy(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: &str,
) -> Result<Option<UserRow>> {
    Ok(diesel::update(users::table.find(id))
        .set((
            users::privacy_policy_version.eq(version),
            users::privacy_consent_at.eq(diesel::dsl::now),
            users::updated_at.eq(diesel::dsl::now),
            users::version.eq(users::version + 1),
        ))
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// The account `id` (guests are not accounts).
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<UserRow>> {
    Ok(users::table
        .find(id)
        .filter(is_account())
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Whether a person (an account or a guest) with this id exists.
pub async fn exists(conn: &mut AsyncPgConnection, id: Uuid) -> Result<bool> {
    Ok(diesel::select(diesel::dsl::exists(users::table.find(id)))
        .get_result(conn)
        .await?)
}

/// Looks an account up by address, ignoring case and Unicode composition (served by the
/// unique index on `lower(normalize(email, NFC))`).
pub async fn find_by_email(conn: &mut AsyncPgConnection, email: &str) -> Result<Option<UserRow>> {
    use diesel::sql_types::{Bool, Text};
    Ok(users::table
        .filter(
            diesel::dsl::sql::<Bool>("lower(normalize(users.email, NFC)) = lower(normalize(")
                .bind::<Text, _>(email)
                .sql(", NFC))"),
        )
        .filter(is_account())
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Changes to an account's own details. `None` fields stay as they are.
#[derive(Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges<'a> {
    pub display_name: Option<&'a str>,
    pub password_hash: Option<&'a str>,
    pub role: Option<&'a str>,
    pub language: Option<&'a str>,
}

/// Applies `changes` if the row still has `expected_version`, bumping the version, in one
/// statement. `None` when no row matched: it does not exist, or someone changed it first.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected_version: i32,
    changes: &UserChanges<'_>,
) -> Result<Option<UserRow>> {
    Ok(diesel::update(users::table)
        .filter(users::id.eq(id))
        .filter(is_account())
        .filter(users::version.eq(expected_version))
        .set((
            changes,
            users::version.eq(users::version + 1),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// Sets a new password hash (if the account is still at `expected_version`) and ends every
/// session of the account, in one transaction (see `end_sessions`). Returns the changed
/// account.
pub async fn change_password(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected_version: i32,
    password_hash: &str,
) -> Result<Option<UserRow>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let updated = diesel::update(users::table)
            .filter(users::id.eq(id))
            .filter(is_account())
            .filter(users::version.eq(expected_version))
            .set((
                users::password_hash.eq(password_hash),
                users::version.eq(users::version + 1),
                users::token_generation.eq(users::token_generation + 1),
                users::updated_at.eq(diesel::dsl::now),
            ))
            .returning(UserRow::as_returning())
            .get_result(conn)
            .await
            .optional()?;
        if updated.is_some() {
            end_sessions(conn, id).await?;
        }
        Ok(updated)
    })
    .await
}

/// Uses up the password-reset token with `token_hash` and sets a new password hash, ending
/// every session, in one transaction. The link reached the account's address, so the address
/// counts as verified from now on. `None` when the token is unknown, used or expired.
pub async fn reset_password(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    password_hash: &str,
) -> Result<Option<UserRow>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let Some(token) =
            account_tokens::redeem(conn, token_hash, account_tokens::Purpose::ResetPassword)
                .await?
        else {
            return Ok(None);
        };
        let updated = diesel::update(users::table.find(token.user_id))
            .set((
                users::password_hash.eq(password_hash),
                users::version.eq(users::version + 1),
                users::token_generation.eq(users::token_generation + 1),
                users::email_verified_at.eq(diesel::dsl::sql::<
                    diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
                >("coalesce(email_verified_at, now())")),
                users::updated_at.eq(diesel::dsl::now),
            ))
            .returning(UserRow::as_returning())
            .get_result(conn)
            .await
            .optional()?;
        if let Some(account) = &updated {
            end_sessions(conn, token.user_id).await?;
            // The link reached the address: what a guest with it did is the account's now.
            crate::guests::merge_into_account(conn, account.id, &account.email).await?;
        }
        Ok(updated)
    })
    .await
}

/// After a new password: refresh tokens are revoked (access tokens of earlier generations are
/// refused by the generation the caller raised), links mailed before stop working, and the
/// person is told by mail. Call in the transaction that changed the password.
async fn end_sessions(conn: &mut AsyncPgConnection, id: Uuid) -> Result<()> {
    refresh_tokens::revoke_all_for_user(conn, id).await?;
    account_tokens::withdraw_all(conn, id).await?;
    notifications::enqueue(
        conn,
        &notifications::NewNotification::now(id, notifications::Kind::PasswordChanged),
    )
    .await?;
    Ok(())
}

/// Uses up the verification token with `token_hash` and makes the address it proved the
/// account's verified address, in one transaction. `None` when the token is unknown, used or
/// expired; a unique violation of `EMAIL_UNIQUE` when another account has the address by now
/// (the token then stays unused).
pub async fn verify_with_token(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> Result<Option<UserRow>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let Some(token) =
            account_tokens::redeem(conn, token_hash, account_tokens::Purpose::VerifyEmail).await?
        else {
            return Ok(None);
        };
        let before: Option<Option<String>> = users::table
            .find(token.user_id)
            .select(users::email)
            .first(conn)
            .await
            .optional()?;
        let email = token.email.as_deref().unwrap_or_default();
        let verified = verify_email(conn, token.user_id, email).await?;
        if verified.is_some() {
            // What she did as a guest with this address is hers now.
            crate::guests::merge_into_account(conn, token.user_id, email).await?;
        }
        if before.flatten().is_some_and(|old| old != email) {
            // Links mailed to the old address (a password reset) stop working.
            account_tokens::withdraw_all(conn, token.user_id).await?;
        }
        Ok(verified)
    })
    .await
}

/// An account's address is verified: `email` (the address a token proved) becomes its
/// address. `None` when the account is gone.
async fn verify_email(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    email: &str,
) -> Result<Option<UserRow>> {
    Ok(diesel::update(users::table.find(id))
        .set((
            users::email.eq(email),
            users::email_verified_at.eq(diesel::dsl::now),
            users::version.eq(users::version + 1),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// Whether the account `id` has a verified address (false when there is no such account).
pub async fn is_verified(conn: &mut AsyncPgConnection, id: Uuid) -> Result<bool> {
    let verified: Option<Option<DateTime<Utc>>> = users::table
        .find(id)
        .select(users::email_verified_at)
        .first(conn)
        .await
        .optional()?;
    Ok(matches!(verified, Some(Some(_))))
}

/// Accounts in creation order (ids are UUID v7), starting after `after`, at most `limit`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<UserRow>> {
    let mut query = users::table
        .filter(is_account())
        .select(UserRow::as_select())
        .order(users::id)
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(users::id.gt(after));
    }
    Ok(query.load(conn).await?)
}
