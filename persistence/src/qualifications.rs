//! Qualifications: the catalogue (and operators' own types), what volunteers declare, and
//! the inspections staff record — the fact of an inspection only, never a document.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::Result;
use crate::schema::{
    operators, qualification_types, qualification_verifications, volunteer_qualifications,
};

/// The catalogue's extended police certificate (erweitertes Führungszeugnis).
pub const POLICE_CERTIFICATE: Uuid = Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0001);
/// The catalogue's food hygiene instruction (Belehrung nach § 43 IfSG).
pub const FOOD_HYGIENE: Uuid = Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0002);
/// The catalogue's first aid course.
pub const FIRST_AID: Uuid = Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0003);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = qualification_types, check_for_backend(diesel::pg::Pg))]
pub struct TypeRow {
    pub id: Uuid,
    pub code: Option<String>,
    pub operator_id: Option<Uuid>,
    pub name: String,
    pub validity_months: Option<i32>,
    pub created_at: DateTime<Utc>,
    /// Changes with each variant of the name written or removed.
    pub version: i32,
}

/// What a volunteer declared: the type and the date on her document.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = volunteer_qualifications, check_for_backend(diesel::pg::Pg))]
pub struct QualificationRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub type_id: Uuid,
    pub issued_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// What one operator's staff recorded after inspecting a volunteer's document in person.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = qualification_verifications, check_for_backend(diesel::pg::Pg))]
pub struct VerificationRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub type_id: Uuid,
    pub operator_id: Uuid,
    pub issued_on: NaiveDate,
    pub inspected_on: NaiveDate,
    pub inspected_by: Option<Uuid>,
    pub expires_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// The catalogue and every operator's own types, catalogue first, then by name.
pub async fn types(conn: &mut AsyncPgConnection) -> Result<Vec<TypeRow>> {
    Ok(qualification_types::table
        .select(TypeRow::as_select())
        .order((
            qualification_types::operator_id.is_not_null(),
            qualification_types::name,
        ))
        .load(conn)
        .await?)
}

pub async fn find_type(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<TypeRow>> {
    Ok(qualification_types::table
        .filter(qualification_types::id.eq(id))
        .select(TypeRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// How many types the operator `operator_id` has made.
pub async fn count_types_of(conn: &mut AsyncPgConnection, operator_id: Uuid) -> Result<i64> {
    Ok(qualification_types::table
        .filter(qualification_types::operator_id.eq(operator_id))
        .count()
        .get_result(conn)
        .await?)
}

pub async fn create_type(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    name: &str,
    validity_months: Option<i32>,
) -> Result<TypeRow> {
    Ok(diesel::insert_into(qualification_types::table)
        .values((
            qualification_types::id.eq(Uuid::now_v7()),
            qualification_types::operator_id.eq(operator_id),
            qualification_types::name.eq(name),
            qualification_types::validity_months.eq(validity_months),
        ))
        .returning(TypeRow::as_returning())
        .get_result(conn)
        .await?)
}

/// A volunteer's qualifications with their types' names, by name.
pub async fn of_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Vec<(QualificationRow, String)>> {
    Ok(volunteer_qualifications::table
        .inner_join(qualification_types::table)
        .filter(volunteer_qualifications::user_id.eq(user_id))
        .select((QualificationRow::as_select(), qualification_types::name))
        .order(qualification_types::name)
        .load(conn)
        .await?)
}

/// The verifications of a volunteer's qualifications, each with the name of the operator
/// that made it, oldest first.
pub async fn verifications_of_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Vec<(VerificationRow, String)>> {
    Ok(qualification_verifications::table
        .inner_join(operators::table)
        .filter(qualification_verifications::user_id.eq(user_id))
        .select((VerificationRow::as_select(), operators::name))
        .order(qualification_verifications::created_at)
        .load(conn)
        .await?)
}

/// A volunteer declares a qualification (issued on `issued_on`); declaring the same type
/// again with another issue date (a renewal) changes the date. Operators' verifications stay
/// as they were: each holds the document its staff saw.
pub async fn declare(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    type_id: Uuid,
    issued_on: NaiveDate,
) -> Result<QualificationRow> {
    Ok(diesel::insert_into(volunteer_qualifications::table)
        .values((
            volunteer_qualifications::id.eq(Uuid::now_v7()),
            volunteer_qualifications::user_id.eq(user_id),
            volunteer_qualifications::type_id.eq(type_id),
            volunteer_qualifications::issued_on.eq(issued_on),
        ))
        .on_conflict((
            volunteer_qualifications::user_id,
            volunteer_qualifications::type_id,
        ))
        .do_update()
        .set((
            volunteer_qualifications::issued_on.eq(issued_on),
            volunteer_qualifications::version.eq(diesel::dsl::sql::<diesel::sql_types::Integer>(
                "CASE WHEN volunteer_qualifications.issued_on = excluded.issued_on \
                 THEN volunteer_qualifications.version ELSE volunteer_qualifications.version + 1 END",
            )),
            volunteer_qualifications::updated_at.eq(diesel::dsl::sql::<
                diesel::sql_types::Timestamptz,
            >(
                "CASE WHEN volunteer_qualifications.issued_on = excluded.issued_on \
                 THEN volunteer_qualifications.updated_at ELSE now() END",
            )),
        ))
        .returning(QualificationRow::as_returning())
        .get_result(conn)
        .await?)
}

/// What staff record after inspecting a document in person.
#[derive(Debug, Clone, Copy)]
pub struct Inspection {
    pub user_id: Uuid,
    pub type_id: Uuid,
    /// The operator the staff member acts for; the verification is its own.
    pub operator_id: Uuid,
    pub issued_on: NaiveDate,
    pub inspected_on: NaiveDate,
    pub inspected_by: Uuid,
    pub expires_on: Option<NaiveDate>,
}

/// Records an inspection as the operator's verification, replacing that operator's earlier
/// one for the volunteer and type (never another operator's), and declares the
/// qualification for the volunteer if she had not. Returns the verification and the one it
/// replaced. Run it in a transaction with its audit entry.
pub async fn inspect(
    conn: &mut AsyncPgConnection,
    i: &Inspection,
) -> Result<(VerificationRow, Option<VerificationRow>)> {
    diesel::insert_into(volunteer_qualifications::table)
        .values((
            volunteer_qualifications::id.eq(Uuid::now_v7()),
            volunteer_qualifications::user_id.eq(i.user_id),
            volunteer_qualifications::type_id.eq(i.type_id),
            volunteer_qualifications::issued_on.eq(i.issued_on),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    let previous: Option<VerificationRow> = qualification_verifications::table
        .filter(qualification_verifications::user_id.eq(i.user_id))
        .filter(qualification_verifications::type_id.eq(i.type_id))
        .filter(qualification_verifications::operator_id.eq(i.operator_id))
        .select(VerificationRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let row = diesel::insert_into(qualification_verifications::table)
        .values((
            qualification_verifications::id.eq(Uuid::now_v7()),
            qualification_verifications::user_id.eq(i.user_id),
            qualification_verifications::type_id.eq(i.type_id),
            qualification_verifications::operator_id.eq(i.operator_id),
            qualification_verifications::issued_on.eq(i.issued_on),
            qualification_verifications::inspected_on.eq(i.inspected_on),
            qualification_verifications::inspected_by.eq(i.inspected_by),
            qualification_verifications::expires_on.eq(i.expires_on),
        ))
        .on_conflict((
            qualification_verifications::user_id,
            qualification_verifications::type_id,
            qualification_verifications::operator_id,
        ))
        .do_update()
        .set((
            qualification_verifications::issued_on.eq(i.issued_on),
            qualification_verifications::inspected_on.eq(i.inspected_on),
            qualification_verifications::inspected_by.eq(i.inspected_by),
            qualification_verifications::expires_on.eq(i.expires_on),
            qualification_verifications::version.eq(qualification_verifications::version + 1),
            qualification_verifications::updated_at.eq(diesel::dsl::now),
        ))
        .returning(VerificationRow::as_returning())
        .get_result(conn)
        .await?;
    Ok((row, previous))
}

/// One verification of the operator `operator_id`.
pub async fn find_verification(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    id: Uuid,
) -> Result<Option<VerificationRow>> {
    Ok(qualification_verifications::table
        .filter(qualification_verifications::id.eq(id))
        .filter(qualification_verifications::operator_id.eq(operator_id))
        .select(VerificationRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The operator's verifications, of one volunteer when `user_id` is given, newest first,
/// at most `limit`.
pub async fn verifications_of_operator(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    user_id: Option<Uuid>,
    limit: i64,
) -> Result<Vec<(VerificationRow, String)>> {
    let mut query = qualification_verifications::table
        .inner_join(qualification_types::table)
        .filter(qualification_verifications::operator_id.eq(operator_id))
        .select((VerificationRow::as_select(), qualification_types::name))
        .order((
            qualification_verifications::updated_at.desc(),
            qualification_verifications::id.desc(),
        ))
        .limit(limit)
        .into_boxed();
    if let Some(user_id) = user_id {
        query = query.filter(qualification_verifications::user_id.eq(user_id));
    }
    Ok(query.load(conn).await?)
}

/// Deletes one verification of the operator `operator_id`; `None` when it has none with
/// this id.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    id: Uuid,
) -> Result<Option<VerificationRow>> {
    Ok(diesel::delete(
        qualification_verifications::table
            .filter(qualification_verifications::id.eq(id))
            .filter(qualification_verifications::operator_id.eq(operator_id)),
    )
    .returning(VerificationRow::as_returning())
    .get_result(conn)
    .await
    .optional()?)
}

/// Withdraws one of the volunteer's own qualifications, and with it every operator's
/// verification of it: she no longer offers it. Returns the verifications removed; `None`
/// when she has no qualification with this id. Run it in a transaction with its audit
/// entries.
pub async fn withdraw(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    id: Uuid,
) -> Result<Option<Vec<VerificationRow>>> {
    let type_id: Option<Uuid> = diesel::delete(
        volunteer_qualifications::table
            .filter(volunteer_qualifications::id.eq(id))
            .filter(volunteer_qualifications::user_id.eq(user_id)),
    )
    .returning(volunteer_qualifications::type_id)
    .get_result(conn)
    .await
    .optional()?;
    let Some(type_id) = type_id else {
        return Ok(None);
    };
    Ok(Some(
        diesel::delete(
            qualification_verifications::table
                .filter(qualification_verifications::user_id.eq(user_id))
                .filter(qualification_verifications::type_id.eq(type_id)),
        )
        .returning(VerificationRow::as_returning())
        .get_results(conn)
        .await?,
    ))
}
