//! Texts in other languages than their source's (`translations`: German for what staff
//! write), and the languages texts may be written in (`content_languages`).
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
        TextOwner::Concern => Owned {
            table: "concerns",
            column: "concern_id",
            source: "CASE t.field WHEN 'title' THEN o.title WHEN 'text' THEN o.text END",
        },
        TextOwner::ConcernCategory => Owned {
            table: "concern_categories",
            column: "concern_category_id",
            source: "o.name",
        },
        TextOwner::Room => Owned {
            table: "rooms",
            column: "room_id",
            source: "CASE t.field WHEN 'name' THEN o.name WHEN 'description' THEN o.description END",
        },
        TextOwner::Fund => Owned {
            table: "funds",
            column: "fund_id",
            source: "o.title",
        },
        TextOwner::FundApplication => Owned {
            table: "fund_applications",
            column: "fund_application_id",
            source: "o.title",
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

/// Writes the configured languages, German always among them: new ones are added, known
/// ones enabled, the others disabled (and removed once no text or concern is written in
/// them). Every instance does this at start; the statements are safe to run at once.
pub async fn sync_languages(
    conn: &mut AsyncPgConnection,
    languages: &ContentLanguages,
) -> Result<()> {
    let enabled: &[LanguageTag] = languages.tags();
    let tags: Vec<&str> = enabled.iter().map(|t| t.as_str()).collect();
    let directions: Vec<&str> = enabled.iter().map(|t| t.direction().as_str()).collect();
    let configs: Vec<&str> = enabled.iter().map(|t| t.search_configuration()).collect();
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
           AND NOT EXISTS (SELECT 1 FROM translations t WHERE t.tag = l.tag) \
           AND NOT EXISTS (SELECT 1 FROM concerns k WHERE k.language = l.tag)",
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
    concern_id: Option<Uuid>,
    concern_category_id: Option<Uuid>,
    room_id: Option<Uuid>,
    fund_id: Option<Uuid>,
    fund_application_id: Option<Uuid>,
    tag: String,
    field: String,
    text: String,
    origin: String,
    reviewed: bool,
    source_md5: String,
    updated_at: DateTime<Utc>,
}

impl VariantRow {
    /// Whose variant it is (the database holds exactly one owner).
    fn owner(&self) -> Option<(TextOwner, Uuid)> {
        [
            (TextOwner::Activity, self.activity_id),
            (TextOwner::Centre, self.centre_id),
            (TextOwner::Shift, self.shift_id),
            (TextOwner::QualificationType, self.qualification_type_id),
            (TextOwner::Concern, self.concern_id),
            (TextOwner::ConcernCategory, self.concern_category_id),
            (TextOwner::Room, self.room_id),
            (TextOwner::Fund, self.fund_id),
            (TextOwner::FundApplication, self.fund_application_id),
        ]
        .into_iter()
        .find_map(|(owner, id)| id.map(|id| (owner, id)))
    }
}

/// One stored variant of one field, with when it was written.
#[derive(Debug, Clone)]
pub struct StoredVariant {
    pub variant: Variant,
    pub updated_at: DateTime<Utc>,
}

/// The md5 of a German text: a variant is stale once the md5 of its field's German text
/// differs from the one it was written for (`translations.source_md5`, in hex).
fn digest(text: &str) -> [u8; 16] {
    use md5::{Digest, Md5};
    Md5::digest(text.as_bytes()).into()
}

/// The md5 written in hex as `translations.source_md5` holds it.
fn from_hex(hex: &str) -> Option<[u8; 16]> {
    let bytes = hex.as_bytes();
    if bytes.len() != 32 {
        return None;
    }
    let nibble = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 16];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

/// Whether a variant written for the German text whose md5 is `written_for` is stale now
/// that the German text is `source` (`None`: none).
fn is_stale(written_for: Option<&[u8; 16]>, source: Option<&str>) -> bool {
    written_for != Some(&digest(source.unwrap_or_default()))
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
    Ok(
        of_many(conn, &[(owner, ids)], |_, id, field| source(id, field))
            .await?
            .into_iter()
            .map(|((_, id), variants)| (id, variants))
            .collect(),
    )
}

/// `of_owners` for owners of several kinds at once (a list of activities and the centres
/// it names), in one statement.
pub async fn of_many<'s>(
    conn: &mut AsyncPgConnection,
    wanted: &[(TextOwner, &[Uuid])],
    source: impl Fn(TextOwner, Uuid, TextField) -> Option<&'s str>,
) -> Result<HashMap<(TextOwner, Uuid), Vec<StoredVariant>>> {
    let mut by_owner: HashMap<(TextOwner, Uuid), Vec<StoredVariant>> = HashMap::new();
    for (owner, id, row) in rows_of_many(conn, wanted).await? {
        let field = TextField::parse(&row.field);
        let stale = field.is_some_and(|field| {
            is_stale(from_hex(&row.source_md5).as_ref(), source(owner, id, field))
        });
        by_owner
            .entry((owner, id))
            .or_default()
            .push(stored(row, stale)?);
    }
    Ok(by_owner)
}

/// The rows of the owners `ids` with each one's owner id, in tag and field order.
async fn rows_of(
    conn: &mut AsyncPgConnection,
    owner: TextOwner,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, VariantRow)>> {
    Ok(rows_of_many(conn, &[(owner, ids)])
        .await?
        .into_iter()
        .map(|(_, id, row)| (id, row))
        .collect())
}

/// The rows of every owner `wanted` names, each with its owner, in tag and field order: one
/// statement, kept prepared.
async fn rows_of_many(
    conn: &mut AsyncPgConnection,
    wanted: &[(TextOwner, &[Uuid])],
) -> Result<Vec<(TextOwner, Uuid, VariantRow)>> {
    use schema::translations::dsl as t;
    let wanted: Vec<&(TextOwner, &[Uuid])> =
        wanted.iter().filter(|(_, ids)| !ids.is_empty()).collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = t::translations
        .select(VariantRow::as_select())
        .order((t::tag, t::field))
        .into_boxed();
    for (i, &&(owner, ids)) in wanted.iter().enumerate() {
        query = match (i, owner) {
            (0, TextOwner::Activity) => query.filter(t::activity_id.eq_any(ids)),
            (0, TextOwner::Centre) => query.filter(t::centre_id.eq_any(ids)),
            (0, TextOwner::Shift) => query.filter(t::shift_id.eq_any(ids)),
            (0, TextOwner::QualificationType) => query.filter(t::qualification_type_id.eq_any(ids)),
            (_, TextOwner::Activity) => query.or_filter(t::activity_id.eq_any(ids)),
            (_, TextOwner::Centre) => query.or_filter(t::centre_id.eq_any(ids)),
            (_, TextOwner::Shift) => query.or_filter(t::shift_id.eq_any(ids)),
            (0, TextOwner::Concern) => query.filter(t::concern_id.eq_any(ids)),
            (0, TextOwner::ConcernCategory) => query.filter(t::concern_category_id.eq_any(ids)),
            (_, TextOwner::QualificationType) => {
                query.or_filter(t::qualification_type_id.eq_any(ids))
            }
            (_, TextOwner::Concern) => query.or_filter(t::concern_id.eq_any(ids)),
            (_, TextOwner::ConcernCategory) => query.or_filter(t::concern_category_id.eq_any(ids)),
            (0, TextOwner::Room) => query.filter(t::room_id.eq_any(ids)),
            (_, TextOwner::Room) => query.or_filter(t::room_id.eq_any(ids)),
            (0, TextOwner::Fund) => query.filter(t::fund_id.eq_any(ids)),
            (_, TextOwner::Fund) => query.or_filter(t::fund_id.eq_any(ids)),
            (0, TextOwner::FundApplication) => query.filter(t::fund_application_id.eq_any(ids)),
            (_, TextOwner::FundApplication) => query.or_filter(t::fund_application_id.eq_any(ids)),
        };
    }
    let rows: Vec<VariantRow> = query.load(conn).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let (owner, id) = row.owner()?;
            Some((owner, id, row))
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

/// The languages in which a text of the owner `id` was written for another German text
/// than its field holds now.
async fn stale_tags(
    conn: &mut AsyncPgConnection,
    owner: TextOwner,
    id: Uuid,
) -> Result<Vec<String>> {
    #[derive(QueryableByName)]
    struct Tag {
        #[diesel(sql_type = Text)]
        tag: String,
    }
    let o = owned(owner);
    let tags: Vec<Tag> = diesel::sql_query(format!(
        "SELECT DISTINCT t.tag FROM translations t JOIN {table} o ON o.id = t.{column} \
          WHERE t.{column} = $1 AND t.source_md5 IS DISTINCT FROM md5({source})",
        table = o.table,
        column = o.column,
        source = o.source,
    ))
    .bind::<SqlUuid, _>(id)
    .load(conn)
    .await?;
    Ok(tags.into_iter().map(|t| t.tag).collect())
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
    // A variant sent again unchanged after the German text changed is confirmed for the
    // new text: written anew, so that it is no longer stale.
    let stale = stale_tags(conn, owner, id).await?;
    let rewrite: Vec<&NewVariant<'_>> = wanted
        .iter()
        .filter(|v| differs(v) || stale.iter().any(|tag| tag == v.tag.as_str()))
        .collect();
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

/// Every variant stored, for a cache of them: one row per field, with its owner.
#[derive(Debug, Clone)]
pub struct CachedVariant {
    pub owner: TextOwner,
    pub owner_id: Uuid,
    pub variant: Variant,
    source_md5: Option<[u8; 16]>,
    pub updated_at: DateTime<Utc>,
}

impl CachedVariant {
    /// The field it is a text of.
    pub fn field(&self) -> TextField {
        self.variant.field
    }

    /// The variant, stale when `source` (the German text of its field as the caller holds
    /// it; `None` for none) is not the text it was written for.
    pub fn stored(&self, source: Option<&str>) -> StoredVariant {
        let mut variant = self.variant.clone();
        variant.facts.stale = is_stale(self.source_md5.as_ref(), source);
        StoredVariant {
            variant,
            updated_at: self.updated_at,
        }
    }
}

/// What changes whenever a variant is written or removed anywhere: a counter moved once by
/// every transaction that changes `translations`.
pub async fn generation(conn: &mut AsyncPgConnection) -> Result<i64> {
    use schema::translation_generation::dsl as g;
    Ok(g::translation_generation
        .select(g::generation)
        .get_result(conn)
        .await?)
}

/// Every variant stored of the catalogue-sized owners, if there are at most `limit` rows
/// (`None` otherwise). Concerns' and fund applications' variants are not among them: they
/// grow with what residents write,
/// and are read with the page that shows them.
pub async fn all(conn: &mut AsyncPgConnection, limit: i64) -> Result<Option<Vec<CachedVariant>>> {
    use schema::translations::dsl as t;
    // Too many: told by one id past the limit, without reading the rows.
    let beyond: Option<i64> = t::translations
        .filter(t::concern_id.is_null())
        .filter(t::fund_application_id.is_null())
        .select(t::id)
        .order(t::id)
        .offset(limit)
        .limit(1)
        .first(conn)
        .await
        .optional()?;
    if beyond.is_some() {
        return Ok(None);
    }
    let rows: Vec<VariantRow> = t::translations
        .filter(t::concern_id.is_null())
        .filter(t::fund_application_id.is_null())
        .select(VariantRow::as_select())
        .order((t::tag, t::field))
        .limit(limit + 1)
        .load(conn)
        .await?;
    if rows.len() as i64 > limit {
        return Ok(None);
    }
    rows.into_iter()
        .filter_map(|row| {
            let (owner, owner_id) = row.owner()?;
            let source_md5 = from_hex(&row.source_md5);
            Some(stored(row, false).map(|stored| CachedVariant {
                owner,
                owner_id,
                variant: stored.variant,
                source_md5,
                updated_at: stored.updated_at,
            }))
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}
