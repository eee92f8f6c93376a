//! Qualifications: the catalogue (and operators' own types), what volunteers declare, and
//! the inspections staff record — the fact of an inspection only, never a document.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::Result;
use crate::schema::{qualification_types, volunteer_qualifications};

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
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = volunteer_qualifications, check_for_backend(diesel::pg::Pg))]
pub struct QualificationRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub type_id: Uuid,
    pub issued_on: NaiveDate,
    pub inspected_on: Option<NaiveDate>,
    pub inspected_by: Option<Uuid>,
    pub inspected_for: Option<Uuid>,
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

/// An operator's own qualification type.
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

/// A volunteer declares a qualification (issued on `issued_on`). Declaring the same type
/// again with another issue date replaces the declaration and its inspection; with the same
/// date it changes nothing.
pub async fn declare(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    type_id: Uuid,
    issued_on: NaiveDate,
) -> Result<QualificationRow> {
    let existing: Option<QualificationRow> = volunteer_qualifications::table
        .filter(volunteer_qualifications::user_id.eq(user_id))
        .filter(volunteer_qualifications::type_id.eq(type_id))
        .select(QualificationRow::as_select())
        .first(conn)
        .await
        .optional()?;
    if let Some(row) = existing.filter(|row| row.issued_on == issued_on) {
        return Ok(row);
    }
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
            volunteer_qualifications::inspected_on.eq(None::<NaiveDate>),
            volunteer_qualifications::inspected_by.eq(None::<Uuid>),
            volunteer_qualifications::inspected_for.eq(None::<Uuid>),
            volunteer_qualifications::expires_on.eq(None::<NaiveDate>),
            volunteer_qualifications::version.eq(volunteer_qualifications::version + 1),
            volunteer_qualifications::updated_at.eq(diesel::dsl::now),
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
    pub issued_on: NaiveDate,
    pub inspected_on: NaiveDate,
    pub inspected_by: Uuid,
    pub inspected_for: Uuid,
    pub expires_on: Option<NaiveDate>,
}

/// Records an inspection, declaring the qualification if the volunteer had not.
pub async fn inspect(conn: &mut AsyncPgConnection, i: &Inspection) -> Result<QualificationRow> {
    Ok(diesel::insert_into(volunteer_qualifications::table)
        .values((
            volunteer_qualifications::id.eq(Uuid::now_v7()),
            volunteer_qualifications::user_id.eq(i.user_id),
            volunteer_qualifications::type_id.eq(i.type_id),
            volunteer_qualifications::issued_on.eq(i.issued_on),
            volunteer_qualifications::inspected_on.eq(i.inspected_on),
            volunteer_qualifications::inspected_by.eq(i.inspected_by),
            volunteer_qualifications::inspected_for.eq(i.inspected_for),
            volunteer_qualifications::expires_on.eq(i.expires_on),
        ))
        .on_conflict((
            volunteer_qualifications::user_id,
            volunteer_qualifications::type_id,
        ))
        .do_update()
        .set((
            volunteer_qualifications::issued_on.eq(i.issued_on),
            volunteer_qualifications::inspected_on.eq(i.inspected_on),
            volunteer_qualifications::inspected_by.eq(i.inspected_by),
            volunteer_qualifications::inspected_for.eq(i.inspected_for),
            volunteer_qualifications::expires_on.eq(i.expires_on),
            volunteer_qualifications::version.eq(volunteer_qualifications::version + 1),
            volunteer_qualifications::updated_at.eq(diesel::dsl::now),
        ))
        .returning(QualificationRow::as_returning())
        .get_result(conn)
        .await?)
}

/// Withdraws one of the volunteer's own qualifications; false when there is none.
pub async fn withdraw(conn: &mut AsyncPgConnection, user_id: Uuid, id: Uuid) -> Result<bool> {
    let deleted = diesel::delete(
        volunteer_qualifications::table
            .filter(volunteer_qualifications::id.eq(id))
            .filter(volunteer_qualifications::user_id.eq(user_id)),
    )
    .execute(conn)
    .await?;
    Ok(deleted > 0)
}
