//! Texts in other languages than German (`translations`), and the languages they may be
//! written in (`content_languages`).
//!
//! A variant of a resource in one language is one row per field. Writing or removing a
//! variant changes the resource's version, so that `If-Match` and `ETag` cover its texts in
//! every language.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, Bool, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::language::{ContentLanguages, LanguageTag, Origin, VariantFacts};
use quartier_domain::translation::{TextField, TextOwner, Variant};
use uuid::Uuid;

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

#[derive(QueryableByName)]
struct VariantRow {
    #[diesel(sql_type = SqlUuid)]
    owner_id: Uuid,
    #[diesel(sql_type = Text)]
    tag: String,
    #[diesel(sql_type = Text)]
    field: String,
    #[diesel(sql_type = Text)]
    text: String,
    #[diesel(sql_type = Text)]
    origin: String,
    #[diesel(sql_type = Bool)]
    reviewed: bool,
    #[diesel(sql_type = Bool)]
    stale: bool,
    #[diesel(sql_type = Timestamptz)]
    updated_at: DateTime<Utc>,
}

/// One stored variant of one field, with when it was written.
#[derive(Debug, Clone)]
pub struct StoredVariant {
    pub variant: Variant,
    pub updated_at: DateTime<Utc>,
}

/// The variants of the owners `ids`, by owner, in tag and field order.
pub async fn of_owners(
    conn: &mut AsyncPgConnection,
    owner: TextOwner,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<StoredVariant>>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let o = owned(owner);
    let rows: Vec<VariantRow> = diesel::sql_query(format!(
        "SELECT t.{column} AS owner_id, t.tag, t.field, t.text, t.origin, t.reviewed, \
                t.source_md5 <> md5({source}) AS stale, t.updated_at \
           FROM translations t JOIN {table} o ON o.id = t.{column} \
          WHERE t.{column} = ANY ($1) ORDER BY t.tag, t.field",
        column = o.column,
        source = o.source,
        table = o.table,
    ))
    .bind::<Array<SqlUuid>, _>(ids)
    .load(conn)
    .await?;
    let mut by_owner: HashMap<Uuid, Vec<StoredVariant>> = HashMap::new();
    for row in rows {
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
        by_owner
            .entry(row.owner_id)
            .or_default()
            .push(StoredVariant {
                variant: Variant {
                    tag,
                    field,
                    text: row.text,
                    facts: VariantFacts {
                        origin,
                        reviewed: row.reviewed,
                        stale: row.stale,
                    },
                },
                updated_at: row.updated_at,
            });
    }
    Ok(by_owner)
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
    let o = owned(owner);
    conn.transaction::<_, Error, _>(async |conn| {
        let version = match bump(conn, owner, id, expected_versions).await? {
            Ok(version) => version,
            Err(refusal) => return Ok(Err(refusal)),
        };
        delete_rows(conn, owner, id, variant.tag).await?;
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
        // Read back before the commit: a concurrent change comes after it.
        let stored = of_owners(conn, owner, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default()
            .into_iter()
            .filter(|s| s.variant.tag == *variant.tag)
            .collect();
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
        if delete_rows(conn, owner, id, tag).await? == 0 {
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
    tag: &LanguageTag,
) -> Result<usize> {
    Ok(diesel::sql_query(format!(
        "DELETE FROM translations WHERE {column} = $1 AND tag = $2",
        column = owned(owner).column
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(tag.as_str())
    .execute(conn)
    .await?)
}
