//! The partner network: partners, the districts they work in, and which of their fields are
//! public. Every change is told to the outbox in its transaction (`partner.*`).

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, Int4, Int8, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::{Event, PartnerFacts};
use uuid::Uuid;

use crate::sql::Statement;
use crate::{Error, Result};

/// Partners' ids in the town's directory are unique.
pub const EXTERNAL_ID_UNIQUE: &str = "partners_external_id_key";
/// An operator is at most one partner.
pub const OPERATOR_UNIQUE: &str = "partners_operator_id_key";
/// A partner names operators that exist.
pub const OPERATOR_KEY: &str = "partners_operator_id_fkey";
/// A partner names districts that exist.
pub const DISTRICT_KEY: &str = "partner_districts_district_id_fkey";

/// A partner as stored, with its districts.
#[derive(Debug, Clone, QueryableByName)]
pub struct PartnerRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub description: String,
    #[diesel(sql_type = Array<Text>)]
    pub topics: Vec<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub website: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub contact_email: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub contact_phone: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub address: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub operator_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub external_id: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    pub public_fields: Vec<String>,
    /// Sorted.
    #[diesel(sql_type = Array<SqlUuid>)]
    pub district_ids: Vec<Uuid>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
    #[diesel(sql_type = Int4)]
    pub version: i32,
}

impl PartnerRow {
    /// Whether everyone may read `field`.
    pub fn is_public(&self, field: &str) -> bool {
        self.public_fields.iter().any(|f| f == field)
    }
}

const COLUMNS: &str = "SELECT p.id, p.name, p.kind, p.description, p.topics, p.website, \
        p.contact_email, p.contact_phone, p.address, p.operator_id, p.external_id, \
        p.public_fields, \
        ARRAY(SELECT pd.district_id FROM partner_districts pd WHERE pd.partner_id = p.id \
              ORDER BY pd.district_id) AS district_ids, \
        p.created_at, p.updated_at, p.version \
   FROM partners p";

/// A partner's fields to write: all of them for a new one; for a change, `None` keeps a
/// field and `Some(None)` clears it.
#[derive(Debug, Default)]
pub struct PartnerFields<'a> {
    pub name: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub description: Option<&'a str>,
    pub topics: Option<&'a [String]>,
    pub website: Option<Option<&'a str>>,
    pub contact_email: Option<Option<&'a str>>,
    pub contact_phone: Option<Option<&'a str>>,
    pub address: Option<Option<&'a str>>,
    pub operator_id: Option<Option<Uuid>>,
    pub external_id: Option<Option<&'a str>>,
    pub public_fields: Option<&'a [&'a str]>,
    pub district_ids: Option<&'a [Uuid]>,
}

/// Why a partner was not changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerRefusal {
    NotFound,
    VersionConflict,
}

/// Those of `ids` that are partners.
pub async fn existing(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<Vec<Uuid>> {
    use crate::schema::partners;
    use diesel::{ExpressionMethods, QueryDsl};
    Ok(partners::table
        .filter(partners::id.eq_any(ids))
        .select(partners::id)
        .load(conn)
        .await?)
}

/// The partner `id`, if there is one.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<PartnerRow>> {
    Ok(diesel::sql_query(format!("{COLUMNS} WHERE p.id = $1"))
        .bind::<SqlUuid, _>(id)
        .load(conn)
        .await?
        .pop())
}

/// Adds the partner `id` with `fields` (name and kind required).
pub async fn create(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    fields: &PartnerFields<'_>,
) -> Result<PartnerRow> {
    conn.transaction::<_, Error, _>(async |conn| {
        diesel::sql_query(
            "INSERT INTO partners (id, name, kind, description, topics, website, contact_email, \
                                   contact_phone, address, operator_id, external_id, public_fields) \
             VALUES ($1, $2, $3, coalesce($4, ''), coalesce($5, '{}'), $6, $7, $8, $9, $10, $11, \
                     coalesce($12, '{}'))",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<Text, _>(fields.name.unwrap_or_default())
        .bind::<Text, _>(fields.kind.unwrap_or("other"))
        .bind::<Nullable<Text>, _>(fields.description)
        .bind::<Nullable<Array<Text>>, _>(fields.topics)
        .bind::<Nullable<Text>, _>(fields.website.flatten())
        .bind::<Nullable<Text>, _>(fields.contact_email.flatten())
        .bind::<Nullable<Text>, _>(fields.contact_phone.flatten())
        .bind::<Nullable<Text>, _>(fields.address.flatten())
        .bind::<Nullable<SqlUuid>, _>(fields.operator_id.flatten())
        .bind::<Nullable<Text>, _>(fields.external_id.flatten())
        .bind::<Nullable<Array<Text>>, _>(fields.public_fields)
        .execute(conn)
        .await?;
        if let Some(districts) = fields.district_ids {
            set_districts(conn, id, districts).await?;
        }
        announce(conn, id, true, None).await
    })
    .await
}

/// Changes the partner `id` as `fields` say, if its version is one of `versions` (any when
/// `None`).
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    versions: Option<&[i32]>,
    operator_checked: Option<Option<Uuid>>,
    fields: &PartnerFields<'_>,
) -> Result<std::result::Result<PartnerRow, PartnerRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        #[derive(QueryableByName)]
        struct Current {
            #[diesel(sql_type = Int4)]
            version: i32,
            #[diesel(sql_type = Nullable<SqlUuid>)]
            operator_id: Option<Uuid>,
        }
        let current: Option<Current> =
            diesel::sql_query("SELECT version, operator_id FROM partners WHERE id = $1 FOR UPDATE")
                .bind::<SqlUuid, _>(id)
                .load(conn)
                .await?
                .pop();
        let Some(current) = current else {
            return Ok(Err(PartnerRefusal::NotFound));
        };
        // The caller's right rests on the operator it is, checked before this lock: it must
        // still be that one.
        if versions.is_some_and(|v| !v.contains(&current.version))
            || operator_checked.is_some_and(|checked| checked != current.operator_id)
        {
            return Ok(Err(PartnerRefusal::VersionConflict));
        }
        diesel::sql_query(
            "UPDATE partners SET name = coalesce($2, name), kind = coalesce($3, kind), \
                    description = coalesce($4, description), topics = coalesce($5, topics), \
                    website = CASE WHEN $6 THEN $7 ELSE website END, \
                    contact_email = CASE WHEN $8 THEN $9 ELSE contact_email END, \
                    contact_phone = CASE WHEN $10 THEN $11 ELSE contact_phone END, \
                    address = CASE WHEN $12 THEN $13 ELSE address END, \
                    operator_id = CASE WHEN $14 THEN $15 ELSE operator_id END, \
                    external_id = CASE WHEN $16 THEN $17 ELSE external_id END, \
                    public_fields = coalesce($18, public_fields), \
                    version = version + 1, updated_at = now() \
              WHERE id = $1",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<Nullable<Text>, _>(fields.name)
        .bind::<Nullable<Text>, _>(fields.kind)
        .bind::<Nullable<Text>, _>(fields.description)
        .bind::<Nullable<Array<Text>>, _>(fields.topics)
        .bind::<diesel::sql_types::Bool, _>(fields.website.is_some())
        .bind::<Nullable<Text>, _>(fields.website.flatten())
        .bind::<diesel::sql_types::Bool, _>(fields.contact_email.is_some())
        .bind::<Nullable<Text>, _>(fields.contact_email.flatten())
        .bind::<diesel::sql_types::Bool, _>(fields.contact_phone.is_some())
        .bind::<Nullable<Text>, _>(fields.contact_phone.flatten())
        .bind::<diesel::sql_types::Bool, _>(fields.address.is_some())
        .bind::<Nullable<Text>, _>(fields.address.flatten())
        .bind::<diesel::sql_types::Bool, _>(fields.operator_id.is_some())
        .bind::<Nullable<SqlUuid>, _>(fields.operator_id.flatten())
        .bind::<diesel::sql_types::Bool, _>(fields.external_id.is_some())
        .bind::<Nullable<Text>, _>(fields.external_id.flatten())
        .bind::<Nullable<Array<Text>>, _>(fields.public_fields)
        .execute(conn)
        .await?;
        if let Some(districts) = fields.district_ids {
            set_districts(conn, id, districts).await?;
        }
        Ok(Ok(announce(conn, id, false, current.operator_id).await?))
    })
    .await
}

async fn set_districts(conn: &mut AsyncPgConnection, id: Uuid, districts: &[Uuid]) -> Result<()> {
    diesel::sql_query("DELETE FROM partner_districts WHERE partner_id = $1")
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await?;
    diesel::sql_query(
        "INSERT INTO partner_districts (partner_id, district_id) \
         SELECT $1, d FROM unnest($2::uuid[]) AS d ON CONFLICT DO NOTHING",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Array<SqlUuid>, _>(districts)
    .execute(conn)
    .await?;
    Ok(())
}

/// Tells the outbox of the partner `id` as it is now, and the operator it was before
/// (`was`) if that is another; the partner.
async fn announce(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    created: bool,
    was: Option<Uuid>,
) -> Result<PartnerRow> {
    let row = find(conn, id).await?.ok_or(Error::NotFound)?;
    let facts = PartnerFacts {
        partner_id: row.id,
        operator_id: row.operator_id,
        version: row.version,
        previous_operator_id: was.filter(|was| row.operator_id != Some(*was)),
    };
    crate::outbox::record(conn, &Event::partner(created, facts)).await?;
    Ok(row)
}

/// What a list of partners is narrowed to.
#[derive(Debug, Default)]
pub struct PartnerFilter<'a> {
    /// Working in this district or one inside it.
    pub district_id: Option<Uuid>,
    pub kind: Option<&'a str>,
    /// Naming this topic (case does not matter).
    pub topic: Option<&'a str>,
    /// Words in the name (or a public description).
    pub q: Option<&'a str>,
    /// Filter only by public fields (districts and topics count only where public).
    pub public_only: bool,
}

/// The sort key of partner lists: by name.
pub type PartnerKey = (String, Uuid);

/// Partners matching `filter`, by name, after `after`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &PartnerFilter<'_>,
    after: Option<PartnerKey>,
    limit: i64,
) -> Result<Vec<PartnerRow>> {
    let mut statement = Statement::new(COLUMNS);
    push_filter(&mut statement, filter);
    if let Some((name, id)) = after {
        statement
            .push(" AND (p.name, p.id) > (")
            .bind::<Text, _>(name)
            .push(", ")
            .bind::<SqlUuid, _>(id)
            .push(")");
    }
    statement
        .push(" ORDER BY p.name, p.id LIMIT ")
        .bind::<Int8, _>(limit);
    Ok(statement.finish().load(conn).await?)
}

/// Partners matching `filter`, by name: `limit` of them after the first `offset`, and how
/// many match in all (for directories paged by number).
pub async fn numbered_page(
    conn: &mut AsyncPgConnection,
    filter: &PartnerFilter<'_>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<PartnerRow>, i64)> {
    #[derive(QueryableByName)]
    struct Total {
        #[diesel(sql_type = Int8)]
        total: i64,
    }
    let mut counting = Statement::new("SELECT count(*) AS total FROM partners p");
    push_filter(&mut counting, filter);
    let total = counting.finish().get_result::<Total>(conn).await?.total;
    let mut statement = Statement::new(COLUMNS);
    push_filter(&mut statement, filter);
    statement
        .push(" ORDER BY p.name, p.id LIMIT ")
        .bind::<Int8, _>(limit)
        .push(" OFFSET ")
        .bind::<Int8, _>(offset);
    Ok((statement.finish().load(conn).await?, total))
}

/// Appends ` WHERE …` narrowing partners `p` to `filter`.
fn push_filter(statement: &mut Statement<'_>, filter: &PartnerFilter<'_>) {
    let public = |field: &str| {
        if filter.public_only {
            format!(" AND '{field}' = ANY(p.public_fields)")
        } else {
            String::new()
        }
    };
    statement.push(" WHERE true");
    if let Some(district) = filter.district_id {
        statement
            .push(&public("districts"))
            .push(" AND EXISTS (SELECT 1 FROM partner_districts pd WHERE pd.partner_id = p.id");
        statement.push_district_within("pd.district_id", district);
        statement.push(")");
    }
    if let Some(kind) = filter.kind {
        statement
            .push(" AND p.kind = ")
            .bind::<Text, _>(kind.to_owned());
    }
    if let Some(topic) = filter.topic {
        statement
            .push(&public("topics"))
            .push(" AND lower(")
            .bind::<Text, _>(topic.to_owned())
            .push(") IN (SELECT lower(t) FROM unnest(p.topics) AS t)");
    }
    if let Some(q) = filter.q {
        let q = statement.param::<Text, _>(q.to_owned());
        let description = if filter.public_only {
            format!(
                "('description' = ANY(p.public_fields) AND p.description ILIKE '%' || ${q} || '%')"
            )
        } else {
            format!("p.description ILIKE '%' || ${q} || '%'")
        };
        statement.push(&format!(
            " AND (p.name ILIKE '%' || ${q} || '%' OR ${q} <% p.name OR {description})"
        ));
    }
}

/// A member of a partner's staff.
#[derive(Debug, Clone, QueryableByName)]
pub struct PartnerMemberRow {
    #[diesel(sql_type = SqlUuid)]
    pub partner_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = Text)]
    pub display_name: String,
    #[diesel(sql_type = Text)]
    pub email: String,
    #[diesel(sql_type = Text)]
    pub role: String,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

const MEMBER_COLUMNS: &str = "SELECT m.partner_id, m.user_id, u.display_name, u.email, m.role, \
        m.created_at FROM partner_members m JOIN users u ON u.id = m.user_id";

/// The staff of the partner `partner_id`, by name.
pub async fn members(
    conn: &mut AsyncPgConnection,
    partner_id: Uuid,
) -> Result<Vec<PartnerMemberRow>> {
    Ok(diesel::sql_query(format!(
        "{MEMBER_COLUMNS} WHERE m.partner_id = $1 ORDER BY u.display_name, m.user_id"
    ))
    .bind::<SqlUuid, _>(partner_id)
    .load(conn)
    .await?)
}

/// Makes the account `user_id` staff of the partner `partner_id` with `role` (or gives it
/// that role); the member.
pub async fn set_member(
    conn: &mut AsyncPgConnection,
    partner_id: Uuid,
    user_id: Uuid,
    role: &str,
) -> Result<PartnerMemberRow> {
    diesel::sql_query(
        "INSERT INTO partner_members (partner_id, user_id, role) VALUES ($1, $2, $3) \
         ON CONFLICT (partner_id, user_id) DO UPDATE SET role = EXCLUDED.role",
    )
    .bind::<SqlUuid, _>(partner_id)
    .bind::<SqlUuid, _>(user_id)
    .bind::<Text, _>(role)
    .execute(conn)
    .await?;
    diesel::sql_query(format!(
        "{MEMBER_COLUMNS} WHERE m.partner_id = $1 AND m.user_id = $2"
    ))
    .bind::<SqlUuid, _>(partner_id)
    .bind::<SqlUuid, _>(user_id)
    .load(conn)
    .await?
    .pop()
    .ok_or(Error::NotFound)
}

/// Takes the account `user_id` off the partner's staff; whether it was on it.
pub async fn remove_member(
    conn: &mut AsyncPgConnection,
    partner_id: Uuid,
    user_id: Uuid,
) -> Result<bool> {
    let removed =
        diesel::sql_query("DELETE FROM partner_members WHERE partner_id = $1 AND user_id = $2")
            .bind::<SqlUuid, _>(partner_id)
            .bind::<SqlUuid, _>(user_id)
            .execute(conn)
            .await?;
    Ok(removed > 0)
}

/// The role of the account `user_id` in the partner's staff, if it has one.
pub async fn role_of(
    conn: &mut AsyncPgConnection,
    partner_id: Uuid,
    user_id: Uuid,
) -> Result<Option<String>> {
    #[derive(QueryableByName)]
    struct Role {
        #[diesel(sql_type = Text)]
        role: String,
    }
    Ok(
        diesel::sql_query(
            "SELECT role FROM partner_members WHERE partner_id = $1 AND user_id = $2",
        )
        .bind::<SqlUuid, _>(partner_id)
        .bind::<SqlUuid, _>(user_id)
        .load::<Role>(conn)
        .await?
        .pop()
        .map(|row| row.role),
    )
}

/// The partners whose staff the account `user_id` is, for its export.
pub async fn memberships_of(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Vec<PartnerMemberRow>> {
    Ok(diesel::sql_query(format!(
        "{MEMBER_COLUMNS} WHERE m.user_id = $1 ORDER BY m.created_at, m.partner_id"
    ))
    .bind::<SqlUuid, _>(user_id)
    .load(conn)
    .await?)
}
