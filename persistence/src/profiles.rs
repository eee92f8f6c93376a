//! Volunteer profiles: what a volunteer tells about themselves.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::volunteer_profiles;
use crate::{Refusal, Result};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = volunteer_profiles, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub struct ProfileRow {
    pub user_id: Uuid,
    pub phone: Option<String>,
    pub languages: Vec<String>,
    pub skills: Vec<String>,
    pub district_ids: Vec<Uuid>,
    pub availability: String,
    pub contact_by: String,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// Her own caps: at most this many shifts a week and a month (`quartier_domain::workload`).
    pub max_shifts_per_week: Option<i32>,
    pub max_shifts_per_month: Option<i32>,
    /// … and at most this many neighbours helped a month (`quartier_domain::help`).
    pub max_help_per_month: Option<i32>,
}

impl ProfileRow {
    /// The profile of someone who has not written one: empty, contact by e-mail.
    pub fn empty(user_id: Uuid) -> Self {
        Self {
            user_id,
            phone: None,
            languages: Vec::new(),
            skills: Vec::new(),
            district_ids: Vec::new(),
            availability: String::new(),
            contact_by: "email".into(),
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
            version: 0,
            max_shifts_per_week: None,
            max_shifts_per_month: None,
            max_help_per_month: None,
        }
    }
}

/// The profile, or the empty one (version 0) when none was written.
pub async fn find(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<ProfileRow> {
    Ok(volunteer_profiles::table
        .filter(volunteer_profiles::user_id.eq(user_id))
        .select(ProfileRow::as_select())
        .first(conn)
        .await
        .optional()?
        .unwrap_or_else(|| ProfileRow::empty(user_id)))
}

/// Stores `profile` if the stored one is at one of `expected_versions` (any when `None`; 0 is
/// the version of a profile not yet written), in one statement.
pub async fn save(
    conn: &mut AsyncPgConnection,
    profile: &ProfileRow,
    expected_versions: Option<&[i32]>,
) -> Result<std::result::Result<ProfileRow, Refusal>> {
    conn.transaction::<_, crate::Error, _>(async |conn| {
        // Locked, so that two changes from the same version cannot both pass the check.
        let current = volunteer_profiles::table
            .filter(volunteer_profiles::user_id.eq(profile.user_id))
            .select(ProfileRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?
            .unwrap_or_else(|| ProfileRow::empty(profile.user_id));
        if expected_versions.is_some_and(|v| !v.contains(&current.version)) {
            return Ok(Err(Refusal::VersionConflict));
        }
        let next = ProfileRow {
            updated_at: Utc::now(),
            version: current.version + 1,
            ..profile.clone()
        };
        let saved = diesel::insert_into(volunteer_profiles::table)
            .values(&next)
            .on_conflict(volunteer_profiles::user_id)
            .do_update()
            .set(&next)
            .returning(ProfileRow::as_returning())
            .get_result(conn)
            .await?;
        Ok(Ok(saved))
    })
    .await
}
