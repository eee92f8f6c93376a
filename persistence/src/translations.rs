//! Texts in other languages than German (`translations`), and the languages they may be
//! written in (`content_languages`).
//!
//! A variant of a resource in one language is one row per field. Writing or removing a
//! variant changes the resource's version, so that `If-Match` and `ETag` cover its texts in
//! every language.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, Bool, Integer, Nullable, Text, Uuid as SqlUuid};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, QueryableByName, SelectableHelper};
use diesel::{Queryable, Selectable};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::language::{ContentLanguages, LanguageTag, Origin, VariantFacts};
use quartier_domain::translation::{TextField, TextOwner, Variant};
use uuid::Uuid;

use crate::schema;
use crate::sql::Statement;
use crate::{Error, Refusal, Result};

/// Where an owner's rows and German texts live.
struct Owned {
    table: &'static str,
    /// The owner's column in `translations`.
    column: &'static str,
    /// The German source of `t.field`, from the owner's row `o`.
    source: &'static str,
}

fn owned(owner: TextOwner) -> Owned {
    match owner {
        TextOwner::Activity => Owned {
            table: "activities",
            column: "activity_id",
            source: "CASE t.field WHEN 'title' THEN o.title WHEN 'description' THEN o.description \
                     WHEN 'accessibility_notes' THEN o.accessibility_notes \
                     WHEN 'cost_note' THEN coalesce(o.cost_note, '') END",
        },
        TextOwner::Centre => Owned {
            table: "centres",
            column: "centre_id",
            source: "CASE t.field WHEN 'name' THEN o.name WHEN 'description' THEN o.description \
                     WHEN 'accessibility_notes' THEN o.accessibility_notes END",
        },
        TextOwner::Shift => Owned {
            table: "shifts",
            column: "shift_id",
            source: "CASE t.field WHEN 'title' THEN o.title WHEN 'description' THEN o.description END",
        },
        TextOwner::QualificationType => Owned {
            table: "qualification_types",
            column: "qualification_type_id",
            source: "o.name",
        },
    }
}

/// Appends `{connective} EXISTS (…)` (`connective` being ` AND ` or ` OR `): the owner whose id is the SQL `owner_id` has a text the
/// public reads in `tag` (the rule of `VariantFacts::is_public`: reviewed, or written by a
/// person in a language that needs no review; and not stale) — and, with `text`, one that
/// matches it in the language's own text search configuration.
pub(crate) fn push_public_variant(
    statement: &mut Statement<'_>,
    connective: &str,
    owner: TextOwner,
    owner_id: &str,
    tag: &str,
    text: Option<&str>,
) {
    let o = owned(owner);
    statement.push(&format!(
        "{connective}EXISTS (SELECT 1 FROM translations t JOIN {table} o ON o.id = t.{column} \
           JOIN content_languages l ON l.tag = t.tag AND l.enabled \
          WHERE t.{column} = {owner_id} \
            AND (t.reviewed OR (t.origin = 'human' AND t.tag <> '{easy}')) \
            AND t.source_md5 = md5({source}) AND t.tag = ",
        table = o.table,
        column = o.column,
        easy = quartier_domain::language::EASY_GERMAN,
        source = o.source,
    ));
    statement.bind::<Text, _>(tag.to_owned());
    if let Some(text) = text {
        statement
            .push(" AND t.search @@ websearch_to_tsquery(l.search_config, ")
            .bind::<Text, _>(text.to_owned())
            .push(")");
    }
    statement.push(")");
}

/// The constraints that refuse a text in a language the database does not hold enabled
/// (another instance may have started with other languages).
pub const LANGUAGE_CONSTRAINTS: [&str; 2] =
    ["translations_language_enabled", "translations_tag_fkey"];

/// Writes the configured languages: new ones are added, known ones enabled, the others
/// disabled (and removed once no text is written in them). Every instance does this at
/// start; the statements are safe to run at once.
pub async fn sync_languages(
    conn: &mut AsyncPgConnection,
    languages: &ContentLanguages,
) -> Result<()> {
    let variants: Vec<&LanguageTag> = languages.tags().iter().filter(|t| !t.is_source()).collect();
    let tags: Vec<&str> = variants.iter().map(|t| t.as_str()).collect();
    let directions: Vec<&str> = variants.iter().map(|t| t.direction().as_str()).collect();
    let configs: Vec<&str> = variants.iter().map(|t| t.search_configuration()).collect();
    diesel::sql_query(
        "INSERT INTO content_languages (tag, direction, search_config, enabled) \
         SELECT l.tag, l.direction, coalesce(c.oid::regconfig, 'simple'::regconfig), true \
           FROM unnest($1::text[], $2::text[], $3::text[]) AS l (tag, direction, config) \
           LEFT JOIN pg_ts_config c ON c.cfgname = l.config \
                AND c.cfgnamespace = 'pg_catalog'::regnamespace \
         ON CONFLICT (tag) DO UPDATE SET direction = EXCLUDED.direction, \
             search_config = EXCLUDED.search_config, enabled = true",
    )
    .bind::<Array<Text>, _>(&tags)
    .bind::<Array<Text>, _>(&directions)
    .bind::<Array<Text>, _>(&configs)
    .execute(conn)
    .await?;
    diesel::sql_query(
        "UPDATE content_languages SET enabled = false WHERE enabled AND tag <> ALL ($1::text[])",
    )
    .bind::<Array<Text>, _>(&tags)
    .execute(conn)
    .await?;
    diesel::sql_query(
        "DELETE FROM content_languages l WHERE NOT l.enabled \
           AND NOT EXISTS (SELECT 1 FROM translations t WHERE t.tag = l.tag)",
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = schema::translations, check_for_backend(diesel::pg::Pg))]
struct VariantRow {
    activity_id: Option<Uuid>,
    centre_id: Option<Uuid>,
    shift_id: Option<Uuid>,
    qualification_type_id: Option<Uuid>,
    tag: String,
    field: String,
    text: String,
    origin: String,
    reviewed: bool,
    source_md5: String,
    updated_at: DateTime<Utc>,
}

/// One stored variant of one field, with when it was written.
#[derive(Debug, Clone)]
pub struct StoredVariant {
    pub variant: Variant,
    pub updated_at: DateTime<Utc>,
}

/// The md5 of a German text, as `translations.source_md5` holds it: a variant is stale once
/// the md5 of its field's German text differs.
fn fingerprint(text: &str) -> String {
    use md5::{Digest, Md5};
    use std::fmt::Write;
    Md5::digest(text.as_bytes())
        .iter()
        .fold(String::with_capacity(32), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// The variants of the owners `ids`, by owner, in tag and field order. `source` gives the
/// German text of an owner's field as the caller holds it (`None` for no text): a variant
/// written for another text is stale.
pub async fn of_owners<'s>(
    conn: &mut AsyncPgConnection,
    owner: TextOwner,
    ids: &[Uuid],
    source: impl Fn(Uuid, TextField) -> Option<&'s str>,
) -> Result<HashMap<Uuid, Vec<StoredVariant>>> {
    let rows = rows_of(conn, owner, ids).await?;
    let mut by_owner: HashMap<Uuid, Vec<StoredVariant>> = HashMap::new();
    for (owner_id, row) in rows {
        let field = TextField::parse(&row.field);
        let stale = field.is_some_and(|field| {
            fingerprint(source(owner_id, field).unwrap_or_default()) != row.source_md5
        });
        by_owner
            .entry(owner_id)
            .or_default()
            .push(stored(row, stale)?);
    }
    Ok(by_owner)
}

/// The rows of the owners `ids` with each one's owner id, in tag and field order: one
/// prepared statement, the owner's rows only.
async fn rows_of(
    conn: &mut AsyncPgConnection,
    owner: TextOwner,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, VariantRow)>> {
    use schema::translations::dsl as t;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let query = t::translations
        .select(VariantRow::as_select())
        .order((t::tag, t::field))
        .into_boxed();
    let query = match owner {
        TextOwner::Activity => query.filter(t::activity_id.eq_any(ids)),
        TextOwner::Centre => query.filter(t::centre_id.eq_any(ids)),
        TextOwner::Shift => query.filter(t::shift_id.eq_any(ids)),
        TextOwner::QualificationType => query.filter(t::qualification_type_id.eq_any(ids)),
    };
    let rows: Vec<VariantRow> = query.load(conn).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let id = match owner {
                TextOwner::Activity => row.activity_id,
                TextOwner::Centre => row.centre_id,
                TextOwner::Shift => row.shift_id,
                TextOwner::QualificationType => row.qualification_type_id,
            };
            id.map(|id| (id, row))
        })
        .collect())
}

fn stored(row: VariantRow, stale: bool) -> Result<StoredVariant> {
    // Rows the database holds always parse: tags and fields are constrained there.
    let (Ok(tag), Some(field), Some(origin)) = (
        LanguageTag::parse(&row.tag),
        TextField::parse(&row.field),
        Origin::parse(&row.origin),
    ) else {
        return Err(Error::Other(format!(
            "translation row with unknown tag, field or origin: {} {} {}",
            row.tag, row.field, row.origin
        )));
    };
    Ok(StoredVariant {
        variant: Variant {
            tag,
            field,
            text: row.text,
            facts: VariantFacts {
                origin,
                reviewed: row.reviewed,
                stale,
            },
        },
        updated_at: row.updated_at,
    })
}

/// A variant to write: its texts by field, who wrote them and whether they were reviewed.
#[derive(Debug, Clone)]
pub struct NewVariant<'a> {
    pub tag: &'a LanguageTag,
    pub origin: Origin,
    pub reviewed: bool,
    pub texts: &'a [(TextField, String)],
    pub written_by: Option<Uuid>,
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Integer)]
    version: i32,
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = Bool)]
    exists: bool,
}

/// Bumps the owner's version if it is at one of `expected_versions`.
async fn bump(
    conn: &mut AsyncPgConnection,
    owner: TextOwner,
    id: Uuid,
    expected_versions: Option<&[i32]>,
) -> Result<Result<i32, Refusal>> {
    let o = owned(owner);
    let bumped: Option<Version> = diesel::sql_query(format!(
        "UPDATE {table} SET version = version + 1, updated_at = now() \
          WHERE id = $1 AND ($2::int4[] IS NULL OR version = ANY ($2)) RETURNING version",
        table = o.table
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<Nullable<Array<Integer>>, _>(expected_versions)
    .get_result(conn)
    .await
    .optional()?;
    if let Some(row) = bumped {
        return Ok(Ok(row.version));
    }
    let found: Exists = diesel::sql_query(format!(
        "SELECT EXISTS (SELECT 1 FROM {table} WHERE id = $1) AS exists",
        table = o.table
    ))
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await?;
    Ok(Err(if found.exists {
        Refusal::VersionConflict
    } else {
        Refusal::NotFound
    }))
}

/// Replaces the owner's variant in `variant.tag` by `variant`, if the owner is at one of
/// `expected_versions`; returns the owner's new version and the variant as stored. All in
/// one transaction.
pub async fn replace(
    conn: &mut AsyncPgConnection,
    owner: TextOwner,
    id: Uuid,
    expected_versions: Option<&[i32]>,
    variant: &NewVariant<'_>,
) -> Result<Result<(i32, Vec<StoredVariant>), Refusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let version = match bump(conn, owner, id, expected_versions).await? {
            Ok(version) => version,
            Err(refusal) => return Ok(Err(refusal)),
        };
        delete_rows(conn, owner, id, variant.tag.as_str()).await?;
        insert_rows(conn, owner, id, variant).await?;
        // Read back before the commit: a concurrent change comes after it.
        // Written from the German text of this transaction: not stale.
        let stored = rows_of(conn, owner, &[id])
            .await?
            .into_iter()
            .filter(|(_, row)| row.tag == variant.tag.as_str())
            .map(|(_, row)| stored(row, false))
            .collect::<Result<_>>()?;
        Ok(Ok((version, stored)))
    })
    .await
}

/// Removes the owner's variant in `tag`, if the owner is at one of `expected_versions` and
/// has one; returns the owner's new version, or `None` when there was no such variant.
pub async fn remove(
    conn: &mut AsyncPgConnection,
    owner: TextOwner,
    id: Uuid,
    expected_versions: Option<&[i32]>,
    tag: &LanguageTag,
) -> Result<Result<Option<i32>, Refusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let version = match bump(conn, owner, id, expected_versions).await? {
            Ok(version) => version,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if delete_rows(conn, owner, id, tag.as_str()).await? == 0 {
            // Nothing to remove: the version stays as it was.
            return Err(Error::NotFound);
        }
        Ok(Ok(Some(version)))
    })
    .await
    .or_else(|error| match error {
        Error::NotFound => Ok(Ok(None)),
        other => Err(other),
    })
}

async fn delete_rows(
    conn: &mut AsyncPgConnection,
    owner: TextOwner,
    id: Uuid,
    tag: &str,
) -> Result<usize> {
    Ok(diesel::sql_query(format!(
        "DELETE FROM translations WHERE {column} = $1 AND tag = $2",
        column = owned(owner).column
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(tag)
    .execute(conn)
    .await?)
}

/// Writes `variant`'s rows, each with the md5 of the owner's German text of its field.
async fn insert_rows(
    conn: &mut AsyncPgConnection,
    owner: TextOwner,
    id: Uuid,
    variant: &NewVariant<'_>,
) -> Result<()> {
    let o = owned(owner);
    let fields: Vec<&str> = variant.texts.iter().map(|(f, _)| f.as_str()).collect();
    let texts: Vec<&str> = variant.texts.iter().map(|(_, t)| t.as_str()).collect();
    diesel::sql_query(format!(
        "INSERT INTO translations ({column}, field, tag, text, origin, reviewed, source_md5, \
                                   search, written_by) \
         SELECT o.id, t.field, $2, t.text, $3, $4, md5({source}), \
                to_tsvector(coalesce(l.search_config, 'simple'::regconfig), t.text), $5 \
           FROM unnest($6::text[], $7::text[]) AS t (field, text) \
           JOIN {table} o ON o.id = $1 \
           LEFT JOIN content_languages l ON l.tag = $2",
        column = o.column,
        source = o.source,
        table = o.table,
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(variant.tag.as_str())
    .bind::<Text, _>(variant.origin.as_str())
    .bind::<Bool, _>(variant.reviewed)
    .bind::<Nullable<SqlUuid>, _>(variant.written_by)
    .bind::<Array<Text>, _>(&fields)
    .bind::<Array<Text>, _>(&texts)
    .execute(conn)
    .await?;
    Ok(())
}

/// Makes the owner's variants exactly `wanted`, for systems that send the whole resource:
/// a variant whose texts, origin or review differ is written anew, one in a language not
/// wanted is removed, and the owner's version moves once — or not at all when every variant
/// is as wanted already, so that repeating a request changes nothing. Whether anything
/// changed. Call inside the transaction that writes the owner.
pub async fn make_exactly(
    conn: &mut AsyncPgConnection,
    owner: TextOwner,
    id: Uuid,
    wanted: &[NewVariant<'_>],
) -> Result<bool> {
    let mut stored: HashMap<String, Vec<VariantRow>> = HashMap::new();
    for (_, row) in rows_of(conn, owner, &[id]).await? {
        stored.entry(row.tag.clone()).or_default().push(row);
    }
    let differs = |variant: &NewVariant<'_>| {
        let Some(rows) = stored.get(variant.tag.as_str()) else {
            return true;
        };
        let mut have: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.field.as_str(), r.text.as_str()))
            .collect();
        let mut want: Vec<(&str, &str)> = variant
            .texts
            .iter()
            .map(|(f, t)| (f.as_str(), t.as_str()))
            .collect();
        have.sort_unstable();
        want.sort_unstable();
        have != want
            || rows
                .iter()
                .any(|r| r.origin != variant.origin.as_str() || r.reviewed != variant.reviewed)
    };
    let rewrite: Vec<&NewVariant<'_>> = wanted.iter().filter(|v| differs(v)).collect();
    let gone: Vec<&String> = stored
        .keys()
        .filter(|tag| !wanted.iter().any(|v| v.tag.as_str() == tag.as_str()))
        .collect();
    if rewrite.is_empty() && gone.is_empty() {
        return Ok(false);
    }
    if let Err(refusal) = bump(conn, owner, id, None).await? {
        return Err(match refusal {
            Refusal::NotFound => Error::NotFound,
            other => Error::Other(format!("cannot change the variants: {other:?}")),
        });
    }
    for tag in gone {
        delete_rows(conn, owner, id, tag).await?;
    }
    for variant in rewrite {
        delete_rows(conn, owner, id, variant.tag.as_str()).await?;
        insert_rows(conn, owner, id, variant).await?;
    }
    Ok(true)
}
