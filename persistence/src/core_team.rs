//! The core team: town coordinators read concerns of the whole town, district managers those
//! of the districts they look after (and the districts inside them).

use diesel::QueryableByName;
use diesel::sql_types::{Array, Bool, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::{Error, Result};

/// A core team member's role and districts.
#[derive(Debug, Clone, QueryableByName)]
pub struct CoreTeamRow {
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = Text)]
    pub display_name: String,
    #[diesel(sql_type = Text)]
    pub role: String,
    /// Sorted; empty for a town coordinator.
    #[diesel(sql_type = Array<SqlUuid>)]
    pub district_ids: Vec<Uuid>,
}

const COLUMNS: &str = "SELECT c.user_id, u.display_name, c.role, \
        ARRAY(SELECT d.district_id FROM core_team_districts d WHERE d.user_id = c.user_id \
              ORDER BY d.district_id) AS district_ids \
   FROM core_team_members c JOIN users u ON u.id = c.user_id";

/// Every member of the core team, by name.
pub async fn list(conn: &mut AsyncPgConnection) -> Result<Vec<CoreTeamRow>> {
    Ok(
        diesel::sql_query(format!("{COLUMNS} ORDER BY u.display_name, c.user_id"))
            .load(conn)
            .await?,
    )
}

/// The core team role of the account `user_id`, if it has one.
pub async fn find(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<Option<CoreTeamRow>> {
    Ok(diesel::sql_query(format!("{COLUMNS} WHERE c.user_id = $1"))
        .bind::<SqlUuid, _>(user_id)
        .load(conn)
        .await?
        .pop())
}

/// Gives the account `user_id` the core team `role` with `districts` (replacing what it had).
pub async fn set(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    role: &str,
    districts: &[Uuid],
) -> Result<CoreTeamRow> {
    conn.transaction::<_, Error, _>(async |conn| {
        diesel::sql_query(
            "INSERT INTO core_team_members (user_id, role) VALUES ($1, $2) \
             ON CONFLICT (user_id) DO UPDATE SET role = EXCLUDED.role",
        )
        .bind::<SqlUuid, _>(user_id)
        .bind::<Text, _>(role)
        .execute(conn)
        .await?;
        diesel::sql_query("DELETE FROM core_team_districts WHERE user_id = $1")
            .bind::<SqlUuid, _>(user_id)
            .execute(conn)
            .await?;
        diesel::sql_query(
            "INSERT INTO core_team_districts (user_id, district_id) \
             SELECT $1, d FROM unnest($2::uuid[]) AS d ON CONFLICT DO NOTHING",
        )
        .bind::<SqlUuid, _>(user_id)
        .bind::<Array<SqlUuid>, _>(districts)
        .execute(conn)
        .await?;
        find(conn, user_id).await?.ok_or(Error::NotFound)
    })
    .await
}

/// Takes the account's core team role away; whether it had one.
pub async fn remove(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<bool> {
    let removed = diesel::sql_query("DELETE FROM core_team_members WHERE user_id = $1")
        .bind::<SqlUuid, _>(user_id)
        .execute(conn)
        .await?;
    Ok(removed > 0)
}

/// Whether the account `user_id` looks after the district `district_id`: a town
/// coordinator every district; a district manager its districts and those inside them.
pub async fn covers(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    district_id: Uuid,
) -> Result<bool> {
    #[derive(QueryableByName)]
    struct Covers {
        #[diesel(sql_type = Bool)]
        covers: bool,
    }
    let found: Covers = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM core_team_members c WHERE c.user_id = $1 AND ( \
                  c.role = 'town_coordinator' \
               OR EXISTS (WITH RECURSIVE above (id, parent_id) AS ( \
                              SELECT id, parent_id FROM districts WHERE id = $2 \
                              UNION SELECT d.id, d.parent_id FROM districts d \
                                      JOIN above a ON d.id = a.parent_id) \
                          SELECT 1 FROM core_team_districts t JOIN above a ON a.id = t.district_id \
                           WHERE t.user_id = $1))) AS covers",
    )
    .bind::<SqlUuid, _>(user_id)
    .bind::<SqlUuid, _>(district_id)
    .get_result(conn)
    .await?;
    Ok(found.covers)
}
