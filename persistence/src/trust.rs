//! Who trusts whom: the operators a volunteer helps, what ties her to an operator (for
//! `quartier_domain::trust::Acquaintance`), and the operators whose verifications an
//! operator accepts.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Nullable, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use quartier_domain::trust::Acquaintance;
use uuid::Uuid;

use crate::Result;
use crate::schema::{operator_trusts, operator_volunteers, operators};

#[derive(QueryableByName)]
struct AcquaintanceRow {
    #[diesel(sql_type = Bool)]
    joined: bool,
    #[diesel(sql_type = Bool)]
    staff: bool,
    #[diesel(sql_type = Bool)]
    declared: bool,
    #[diesel(sql_type = Bool)]
    signed_up: bool,
    #[diesel(sql_type = Bool)]
    signed_up_within_limits: bool,
}

/// What ties the volunteer `user_id` to the operator `operator_id`: whether she joined it,
/// is its staff, declared the qualification type `type_id`, signed up for one of its shifts,
/// and signed up for a shift at one of `centres`. An unknown account is tied to nothing.
pub async fn acquaintance(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    user_id: Uuid,
    type_id: Option<Uuid>,
    centres: &[Uuid],
) -> Result<Acquaintance> {
    let row: AcquaintanceRow = diesel::sql_query(
        "SELECT \
           EXISTS (SELECT 1 FROM operator_volunteers WHERE operator_id = $1 AND user_id = $2) AS joined, \
           EXISTS (SELECT 1 FROM operator_members WHERE operator_id = $1 AND user_id = $2) AS staff, \
           EXISTS (SELECT 1 FROM volunteer_qualifications WHERE user_id = $2 AND type_id = $3) AS declared, \
           EXISTS (SELECT 1 FROM signups g JOIN shifts s ON s.id = g.shift_id \
                   WHERE g.user_id = $2 AND s.operator_id = $1) AS signed_up, \
           EXISTS (SELECT 1 FROM signups g JOIN shifts s ON s.id = g.shift_id \
                   WHERE g.user_id = $2 AND s.operator_id = $1 AND s.centre_id = ANY ($4)) \
             AS signed_up_within_limits",
    )
    .bind::<SqlUuid, _>(operator_id)
    .bind::<SqlUuid, _>(user_id)
    .bind::<Nullable<SqlUuid>, _>(type_id)
    .bind::<Array<SqlUuid>, _>(centres)
    .get_result(conn)
    .await?;
    Ok(Acquaintance {
        joined: row.joined,
        staff: row.staff,
        declared: row.declared,
        signed_up: row.signed_up,
        signed_up_within_limits: row.signed_up_within_limits,
    })
}

/// One operator a volunteer helps, or one an operator trusts: its id and name, and since
/// when.
#[derive(Debug, Clone, Queryable)]
pub struct OperatorSince {
    pub operator_id: Uuid,
    pub name: String,
    pub since: DateTime<Utc>,
}

/// The operators the volunteer `user_id` helps, by name.
pub async fn joined_operators(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Vec<OperatorSince>> {
    Ok(operator_volunteers::table
        .inner_join(operators::table)
        .filter(operator_volunteers::user_id.eq(user_id))
        .select((
            operators::id,
            operators::name,
            operator_volunteers::joined_at,
        ))
        .order((operators::name, operators::id))
        .load(conn)
        .await?)
}

/// The volunteer `user_id` names the operator `operator_id` as one she helps; false when she
/// had already.
pub async fn join(conn: &mut AsyncPgConnection, operator_id: Uuid, user_id: Uuid) -> Result<bool> {
    let inserted = diesel::insert_into(operator_volunteers::table)
        .values((
            operator_volunteers::operator_id.eq(operator_id),
            operator_volunteers::user_id.eq(user_id),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted > 0)
}

/// The volunteer no longer helps the operator; false when she did not.
pub async fn leave(conn: &mut AsyncPgConnection, operator_id: Uuid, user_id: Uuid) -> Result<bool> {
    let deleted = diesel::delete(
        operator_volunteers::table
            .filter(operator_volunteers::operator_id.eq(operator_id))
            .filter(operator_volunteers::user_id.eq(user_id)),
    )
    .execute(conn)
    .await?;
    Ok(deleted > 0)
}

/// The operators whose verifications `operator_id` accepts, by name.
pub async fn trusted(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
) -> Result<Vec<OperatorSince>> {
    Ok(operator_trusts::table
        .inner_join(operators::table.on(operators::id.eq(operator_trusts::trusted_id)))
        .filter(operator_trusts::operator_id.eq(operator_id))
        .select((operators::id, operators::name, operator_trusts::created_at))
        .order((operators::name, operators::id))
        .load(conn)
        .await?)
}

/// `operator_id` accepts the verifications of `trusted_id` from now on; false when it did
/// already.
pub async fn trust(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    trusted_id: Uuid,
    by: Option<Uuid>,
) -> Result<bool> {
    let inserted = diesel::insert_into(operator_trusts::table)
        .values((
            operator_trusts::operator_id.eq(operator_id),
            operator_trusts::trusted_id.eq(trusted_id),
            operator_trusts::created_by.eq(by),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted > 0)
}

/// `operator_id` no longer accepts the verifications of `trusted_id`; false when it did not.
pub async fn distrust(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    trusted_id: Uuid,
) -> Result<bool> {
    let deleted = diesel::delete(
        operator_trusts::table
            .filter(operator_trusts::operator_id.eq(operator_id))
            .filter(operator_trusts::trusted_id.eq(trusted_id)),
    )
    .execute(conn)
    .await?;
    Ok(deleted > 0)
}
