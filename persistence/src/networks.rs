//! Networks and their memberships. A membership moves only along the moves its status
//! allows, under its row lock; the database keeps one live membership per member and network.
//! Every new or moved membership is told to the outbox (`network_membership.changed`).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Date, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::network::MembershipStatus;
use quartier_domain::{Event, EventType, MembershipFacts};
use uuid::Uuid;

use crate::{Error, Result};

/// Network names are unique.
pub const NAME_UNIQUE: &str = "networks_name_key";
/// One live membership per partner and network.
pub const LIVE_PARTNER: &str = "network_memberships_live_partner";
/// One live membership per person and network.
pub const LIVE_PERSON: &str = "network_memberships_live_person";
/// Memberships name partners that exist.
pub const PARTNER_KEY: &str = "network_memberships_partner_id_fkey";
/// Memberships name accounts that exist.
pub const USER_KEY: &str = "network_memberships_user_id_fkey";
/// Networks name districts that exist.
pub const DISTRICT_KEY: &str = "networks_district_id_fkey";

#[derive(Debug, Clone, QueryableByName)]
pub struct NetworkRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub description: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub district_id: Option<Uuid>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

const NETWORK_COLUMNS: &str =
    "SELECT id, name, kind, description, district_id, created_at FROM networks";

/// Makes a network; the network.
pub async fn create(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    name: &str,
    kind: &str,
    description: &str,
    district_id: Option<Uuid>,
) -> Result<NetworkRow> {
    diesel::sql_query(
        "INSERT INTO networks (id, name, kind, description, district_id) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id, name, kind, description, district_id, created_at",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(name)
    .bind::<Text, _>(kind)
    .bind::<Text, _>(description)
    .bind::<Nullable<SqlUuid>, _>(district_id)
    .load(conn)
    .await?
    .pop()
    .ok_or(Error::NotFound)
}

/// Every network, by name.
pub async fn list(conn: &mut AsyncPgConnection) -> Result<Vec<NetworkRow>> {
    Ok(
        diesel::sql_query(format!("{NETWORK_COLUMNS} ORDER BY name, id"))
            .load(conn)
            .await?,
    )
}

/// The network `id`, if there is one.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<NetworkRow>> {
    Ok(
        diesel::sql_query(format!("{NETWORK_COLUMNS} WHERE id = $1"))
            .bind::<SqlUuid, _>(id)
            .load(conn)
            .await?
            .pop(),
    )
}

#[derive(Debug, Clone, QueryableByName)]
pub struct MembershipRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub network_id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub partner_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub partner_name: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub user_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub role: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<Date>)]
    pub since: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    pub until: Option<NaiveDate>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

const MEMBERSHIP_COLUMNS: &str = "SELECT m.id, m.network_id, m.partner_id, p.name AS partner_name, \
        m.user_id, m.role, m.status, m.since, m.until, m.created_at, m.updated_at \
   FROM network_memberships m LEFT JOIN partners p ON p.id = m.partner_id";

/// The memberships of the network `id`: with `all`, every one; else the active memberships
/// of partners (persons' memberships are theirs and the network's to know), and those of
/// `viewer`: its own and those of the partners it speaks for (as `authz::speaks_for_partner`
/// decides: their partner admins, the operator admins of the active operator they are).
pub async fn memberships(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    all: bool,
    viewer: Option<Uuid>,
) -> Result<Vec<MembershipRow>> {
    let only = if all {
        ""
    } else {
        " AND ((m.status = 'active' AND m.partner_id IS NOT NULL) \
              OR m.user_id = $2 \
              OR m.partner_id IN (SELECT pm.partner_id FROM partner_members pm \
                                   WHERE pm.user_id = $2 AND pm.role = 'partner_admin') \
              OR m.partner_id IN (SELECT q.id FROM partners q \
                                    JOIN operators o ON o.id = q.operator_id AND o.status = 'active' \
                                    JOIN operator_members om ON om.operator_id = o.id \
                                   WHERE om.user_id = $2 AND om.role = 'operator_admin'))"
    };
    Ok(diesel::sql_query(format!(
        "{MEMBERSHIP_COLUMNS} WHERE m.network_id = $1{only} ORDER BY m.created_at, m.id"
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<Nullable<SqlUuid>, _>(viewer)
    .load(conn)
    .await?)
}

/// The membership `id` of the network `network_id`, if there is one.
pub async fn membership(
    conn: &mut AsyncPgConnection,
    network_id: Uuid,
    id: Uuid,
) -> Result<Option<MembershipRow>> {
    Ok(diesel::sql_query(format!(
        "{MEMBERSHIP_COLUMNS} WHERE m.network_id = $1 AND m.id = $2"
    ))
    .bind::<SqlUuid, _>(network_id)
    .bind::<SqlUuid, _>(id)
    .load(conn)
    .await?
    .pop())
}

/// A membership to ask for: of a partner or a person, in `status` (invited or requested).
#[derive(Debug)]
pub struct NewMembership<'a> {
    pub id: Uuid,
    pub network_id: Uuid,
    pub partner_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub role: &'a str,
    pub status: MembershipStatus,
}

/// Asks for `new`; the membership.
pub async fn ask(conn: &mut AsyncPgConnection, new: &NewMembership<'_>) -> Result<MembershipRow> {
    conn.transaction::<_, Error, _>(async |conn| {
        diesel::sql_query(
            "INSERT INTO network_memberships (id, network_id, partner_id, user_id, role, status) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind::<SqlUuid, _>(new.id)
        .bind::<SqlUuid, _>(new.network_id)
        .bind::<Nullable<SqlUuid>, _>(new.partner_id)
        .bind::<Nullable<SqlUuid>, _>(new.user_id)
        .bind::<Text, _>(new.role)
        .bind::<Text, _>(new.status.as_str())
        .execute(conn)
        .await?;
        announce(conn, new.network_id, new.id).await
    })
    .await
}

/// Why a membership was not moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveRefusal {
    NotFound,
    NotAllowed(MembershipStatus),
}

/// Moves the membership `id` to `next` if `allowed` lets it from where it stands: `since`
/// is set when it becomes active, `until` when it is left.
pub async fn move_membership(
    conn: &mut AsyncPgConnection,
    network_id: Uuid,
    id: Uuid,
    next: MembershipStatus,
    allowed: impl Fn(MembershipStatus) -> bool + Sync,
) -> Result<std::result::Result<MembershipRow, MoveRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        #[derive(QueryableByName)]
        struct Current {
            #[diesel(sql_type = Text)]
            status: String,
        }
        let current: Option<Current> = diesel::sql_query(
            "SELECT status FROM network_memberships WHERE network_id = $1 AND id = $2 FOR UPDATE",
        )
        .bind::<SqlUuid, _>(network_id)
        .bind::<SqlUuid, _>(id)
        .load(conn)
        .await?
        .pop();
        let Some(current) = current else {
            return Ok(Err(MoveRefusal::NotFound));
        };
        let status = MembershipStatus::parse(&current.status).unwrap_or(MembershipStatus::Left);
        if !allowed(status) {
            return Ok(Err(MoveRefusal::NotAllowed(status)));
        }
        diesel::sql_query(
            "UPDATE network_memberships SET status = $2, \
                    since = CASE WHEN $2 = 'active' THEN current_date ELSE since END, \
                    until = CASE WHEN $2 = 'left' THEN greatest(current_date, since) END, \
                    updated_at = now() \
              WHERE id = $1",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<Text, _>(next.as_str())
        .execute(conn)
        .await?;
        Ok(Ok(announce(conn, network_id, id).await?))
    })
    .await
}

/// Tells the outbox of the membership `id` as it is now; the membership.
async fn announce(
    conn: &mut AsyncPgConnection,
    network_id: Uuid,
    id: Uuid,
) -> Result<MembershipRow> {
    let row = membership(conn, network_id, id)
        .await?
        .ok_or(Error::NotFound)?;
    #[derive(QueryableByName)]
    struct Operator {
        #[diesel(sql_type = Nullable<SqlUuid>)]
        operator_id: Option<Uuid>,
    }
    let operator_id = match row.partner_id {
        Some(partner) => diesel::sql_query("SELECT operator_id FROM partners WHERE id = $1")
            .bind::<SqlUuid, _>(partner)
            .load::<Operator>(conn)
            .await?
            .pop()
            .and_then(|o| o.operator_id),
        None => None,
    };
    let facts = MembershipFacts {
        membership_id: row.id,
        network_id: row.network_id,
        partner_id: row.partner_id,
        operator_id,
        status: MembershipStatus::parse(&row.status).unwrap_or(MembershipStatus::Left),
    };
    crate::outbox::record(
        conn,
        &Event::NetworkMembership(EventType::NetworkMembershipChanged, facts),
    )
    .await?;
    Ok(row)
}

/// The memberships of the account `user_id` as a person, for its export.
pub async fn memberships_of(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Vec<MembershipRow>> {
    Ok(diesel::sql_query(format!(
        "{MEMBERSHIP_COLUMNS} WHERE m.user_id = $1 ORDER BY m.created_at, m.id"
    ))
    .bind::<SqlUuid, _>(user_id)
    .load(conn)
    .await?)
}
