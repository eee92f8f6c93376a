//! Operators (Träger) and their staff.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::{centres, operator_member_centres, operator_members, operators, users};
use crate::{Error, Refusal, Result};

/// A user is a member of an operator once.
pub const MEMBER_PRIMARY_KEY: &str = "operator_members_pkey";
/// A member's named centres must be centres of the operator.
pub const MEMBER_CENTRE_FOREIGN_KEY: &str = "operator_member_centres_centre_fkey";
/// A member must be an existing user.
pub const MEMBER_USER_FOREIGN_KEY: &str = "operator_members_user_id_fkey";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = operators, check_for_backend(diesel::pg::Pg))]
pub struct OperatorRow {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub website: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = operators)]
pub struct NewOperator<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub kind: &'a str,
    pub description: &'a str,
    pub website: Option<&'a str>,
    pub contact_email: Option<&'a str>,
    pub contact_phone: Option<&'a str>,
}

/// Changes to an operator; `None` leaves a field, `Some(None)` clears it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = operators)]
pub struct OperatorChanges<'a> {
    pub name: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub description: Option<&'a str>,
    pub website: Option<Option<&'a str>>,
    pub contact_email: Option<Option<&'a str>>,
    pub contact_phone: Option<Option<&'a str>>,
    pub status: Option<&'a str>,
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewOperator<'_>) -> Result<OperatorRow> {
    Ok(diesel::insert_into(operators::table)
        .values(new)
        .returning(OperatorRow::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<OperatorRow>> {
    Ok(operators::table
        .find(id)
        .select(OperatorRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Which operators a list shows.
#[derive(Debug, Default)]
pub struct OperatorFilter<'a> {
    pub kind: Option<&'a str>,
    pub status: Option<&'a str>,
}

/// Operators by name (then id), after the `(name, id)` of the previous page, at most `limit`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &OperatorFilter<'_>,
    after: Option<(&str, Uuid)>,
    limit: i64,
) -> Result<Vec<OperatorRow>> {
    let mut query = operators::table
        .select(OperatorRow::as_select())
        .order((operators::name, operators::id))
        .limit(limit)
        .into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(operators::kind.eq(kind.to_owned()));
    }
    if let Some(status) = filter.status {
        query = query.filter(operators::status.eq(status.to_owned()));
    }
    if let Some((name, id)) = after {
        query = query.filter(
            operators::name.gt(name.to_owned()).or(operators::name
                .eq(name.to_owned())
                .and(operators::id.gt(id))),
        );
    }
    Ok(query.load(conn).await?)
}

/// Applies `changes` if the operator is at one of `expected_versions` (any when `None`), in
/// one statement.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected_versions: Option<&[i32]>,
    changes: &OperatorChanges<'_>,
) -> Result<Result<OperatorRow, Refusal>> {
    let mut statement = diesel::update(operators::table)
        .filter(operators::id.eq(id))
        .into_boxed();
    if let Some(versions) = expected_versions {
        statement = statement.filter(operators::version.eq_any(versions.to_vec()));
    }
    let updated = statement
        .set((
            changes,
            operators::version.eq(operators::version + 1),
            operators::updated_at.eq(diesel::dsl::now),
        ))
        .returning(OperatorRow::as_returning())
        .get_result(conn)
        .await
        .optional()?;
    match updated {
        Some(row) => Ok(Ok(row)),
        // Nothing matched: tell a missing operator from a stale version.
        None if find(conn, id).await?.is_some() => Ok(Err(Refusal::VersionConflict)),
        None => Ok(Err(Refusal::NotFound)),
    }
}

/// The operator's status and the user's role in it: `None` when no operator has this id; the
/// role is `None` when the user is not staff there.
pub async fn staff_role(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    user_id: Uuid,
) -> Result<Option<(String, Option<String>)>> {
    Ok(operators::table
        .left_join(
            operator_members::table.on(operator_members::operator_id
                .eq(operators::id)
                .and(operator_members::user_id.eq(user_id))),
        )
        .filter(operators::id.eq(operator_id))
        .select((operators::status, operator_members::role.nullable()))
        .first(conn)
        .await
        .optional()?)
}

/// A staff member as other staff see them.
#[derive(Debug, Clone, Queryable)]
pub struct MemberRow {
    pub user_id: Uuid,
    pub display_name: String,
    pub email: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
}

type MemberColumns = (
    operator_members::user_id,
    users::display_name,
    diesel::dsl::AssumeNotNull<users::email>,
    operator_members::role,
    operator_members::created_at,
);

/// Staff are accounts, which always have an address.
fn member_columns() -> MemberColumns {
    (
        operator_members::user_id,
        users::display_name,
        users::email.assume_not_null(),
        operator_members::role,
        operator_members::created_at,
    )
}

/// The operator's staff by name (then id), after the `(name, id)` of the previous page.
pub async fn members(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    after: Option<(&str, Uuid)>,
    limit: i64,
) -> Result<Vec<MemberRow>> {
    let mut query = operator_members::table
        .inner_join(users::table)
        .filter(operator_members::operator_id.eq(operator_id))
        .select(member_columns())
        .order((users::display_name, users::id))
        .limit(limit)
        .into_boxed();
    if let Some((name, id)) = after {
        query = query.filter(
            users::display_name
                .gt(name.to_owned())
                .or(users::display_name
                    .eq(name.to_owned())
                    .and(users::id.gt(id))),
        );
    }
    Ok(query.load(conn).await?)
}

pub async fn member(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    user_id: Uuid,
) -> Result<Option<MemberRow>> {
    Ok(operator_members::table
        .inner_join(users::table)
        .filter(operator_members::operator_id.eq(operator_id))
        .filter(operator_members::user_id.eq(user_id))
        .select(member_columns())
        .first(conn)
        .await
        .optional()?)
}

/// Adds `user_id` to the operator's staff with `role`, limited to `centre_ids` (none: all the
/// operator's centres), in one transaction. A second membership of the same user violates
/// `MEMBER_PRIMARY_KEY`; a centre of another operator `MEMBER_CENTRE_FOREIGN_KEY`.
pub async fn add_member(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    user_id: Uuid,
    role: &str,
    centre_ids: &[Uuid],
) -> Result<MemberRow> {
    conn.transaction::<_, Error, _>(async |conn| {
        diesel::insert_into(operator_members::table)
            .values((
                operator_members::operator_id.eq(operator_id),
                operator_members::user_id.eq(user_id),
                operator_members::role.eq(role),
            ))
            .execute(conn)
            .await?;
        set_member_centres(conn, operator_id, user_id, centre_ids).await?;
        member(conn, operator_id, user_id)
            .await?
            .ok_or(Error::NotFound)
    })
    .await
}

/// Changes a member's role and/or centre limits in one transaction; `None` when the user is
/// not a member.
pub async fn update_member(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    user_id: Uuid,
    role: Option<&str>,
    centre_ids: Option<&[Uuid]>,
) -> Result<Option<MemberRow>> {
    conn.transaction::<_, Error, _>(async |conn| {
        if let Some(role) = role {
            let changed = diesel::update(operator_members::table.find((operator_id, user_id)))
                .set(operator_members::role.eq(role))
                .execute(conn)
                .await?;
            if changed == 0 {
                return Ok(None);
            }
        }
        if let Some(centre_ids) = centre_ids {
            set_member_centres(conn, operator_id, user_id, centre_ids).await?;
        }
        member(conn, operator_id, user_id).await
    })
    .await
}

/// Removes a member; whether there was one. Centres of the operator that named them as their
/// contact person lose it (and get a new version), in the same transaction: only staff are
/// shown publicly.
pub async fn remove_member(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    user_id: Uuid,
) -> Result<bool> {
    conn.transaction::<_, Error, _>(async |conn| {
        let removed = diesel::delete(operator_members::table.find((operator_id, user_id)))
            .execute(conn)
            .await?;
        diesel::update(centres::table)
            .filter(centres::operator_id.eq(operator_id))
            .filter(centres::contact_user_id.eq(user_id))
            .set((
                centres::contact_user_id.eq(None::<Uuid>),
                centres::contact_role.eq(None::<String>),
                centres::version.eq(centres::version + 1),
                centres::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        Ok(removed > 0)
    })
    .await
}

/// The centres each of `user_ids` is limited to in the operator; users without limits are
/// left out (they may act for all the operator's centres).
pub async fn member_centres(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    user_ids: &[Uuid],
) -> Result<Vec<(Uuid, Uuid)>> {
    Ok(operator_member_centres::table
        .filter(operator_member_centres::operator_id.eq(operator_id))
        .filter(operator_member_centres::user_id.eq_any(user_ids.to_vec()))
        .select((
            operator_member_centres::user_id,
            operator_member_centres::centre_id,
        ))
        .order((
            operator_member_centres::user_id,
            operator_member_centres::centre_id,
        ))
        .load(conn)
        .await?)
}

/// The centres of `operator_id` its coordinator `user_id` is limited to, in one query; empty
/// when she is not limited (or not a coordinator: operator admins act for every centre).
pub async fn coordinator_centres(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    user_id: Uuid,
) -> Result<Vec<Uuid>> {
    Ok(operator_member_centres::table
        .inner_join(
            operator_members::table.on(operator_members::operator_id
                .eq(operator_member_centres::operator_id)
                .and(operator_members::user_id.eq(operator_member_centres::user_id))),
        )
        .filter(operator_member_centres::operator_id.eq(operator_id))
        .filter(operator_member_centres::user_id.eq(user_id))
        .filter(operator_members::role.eq("coordinator"))
        .select(operator_member_centres::centre_id)
        .order(operator_member_centres::centre_id)
        .load(conn)
        .await?)
}

/// Limits a member to `centre_ids` (none: all the operator's centres), replacing earlier
/// limits. A centre of another operator violates `MEMBER_CENTRE_FOREIGN_KEY`.
pub async fn set_member_centres(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    user_id: Uuid,
    centre_ids: &[Uuid],
) -> Result<()> {
    conn.transaction::<_, Error, _>(async |conn| {
        diesel::delete(
            operator_member_centres::table
                .filter(operator_member_centres::operator_id.eq(operator_id))
                .filter(operator_member_centres::user_id.eq(user_id)),
        )
        .execute(conn)
        .await?;
        let rows: Vec<_> = centre_ids
            .iter()
            .map(|centre_id| {
                (
                    operator_member_centres::operator_id.eq(operator_id),
                    operator_member_centres::user_id.eq(user_id),
                    operator_member_centres::centre_id.eq(*centre_id),
                )
            })
            .collect();
        if !rows.is_empty() {
            diesel::insert_into(operator_member_centres::table)
                .values(&rows)
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
        }
        Ok(())
    })
    .await
}

/// What a user may do for one centre: the centre's operator, its status, the user's role
/// there, and whether a limit to named centres leaves this centre out. `None` when no centre
/// has this id.
pub async fn centre_staff_role(
    conn: &mut AsyncPgConnection,
    centre_id: Uuid,
    user_id: Uuid,
) -> Result<Option<CentreStaff>> {
    let operator: Option<Uuid> = centres::table
        .find(centre_id)
        .select(centres::operator_id)
        .first(conn)
        .await
        .optional()?;
    let Some(operator_id) = operator else {
        return Ok(None);
    };
    let (status, role) = staff_role(conn, operator_id, user_id)
        .await?
        .ok_or(Error::NotFound)?;
    let limits = member_centres(conn, operator_id, &[user_id]).await?;
    let excluded = !limits.is_empty() && !limits.iter().any(|(_, centre)| *centre == centre_id);
    Ok(Some(CentreStaff {
        operator_id,
        operator_status: status,
        role,
        excluded,
    }))
}

/// See `centre_staff_role`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentreStaff {
    pub operator_id: Uuid,
    pub operator_status: String,
    pub role: Option<String>,
    /// The user is limited to named centres, and this is not one of them.
    pub excluded: bool,
}

/// The operator of the centre `centre_id`; `None` when there is no such centre.
pub async fn operator_of_centre(
    conn: &mut AsyncPgConnection,
    centre_id: Uuid,
) -> Result<Option<Uuid>> {
    Ok(centres::table
        .find(centre_id)
        .select(centres::operator_id)
        .first(conn)
        .await
        .optional()?)
}
