//! Residents' concerns, their categories and their supports ("me too").
//!
//! The support count is moved in the statement that adds or removes a support, under the
//! concern's row lock, so that it always equals the rows; a support of a concern that is not
//! open is refused in that same statement.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{
    Array, Bool, Date, Float8, Int4, Int8, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use quartier_domain::concern::{ConcernStatus, NEARBY_METRES};
use quartier_domain::{ConcernChange, ConcernFacts, Event};
use uuid::Uuid;

use crate::sql::Statement;
use crate::{Error, Result};

/// The names of categories are unique.
pub const CATEGORY_NAME_UNIQUE: &str = "concern_categories_name_key";
/// A duplicate names its original, and only a duplicate does.
pub const DUPLICATE_NAMES_ORIGINAL: &str = "concerns_duplicate_names_original";
/// A concern is not its own original.
pub const NOT_OWN_ORIGINAL: &str = "concerns_not_own_original";

/// A category of concerns.
#[derive(Debug, Clone, QueryableByName)]
pub struct CategoryRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub operator_id: Option<Uuid>,
    #[diesel(sql_type = Bool)]
    pub needs_moderation: bool,
    /// The partner its concerns are referred to at once, beside the operator.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub partner_id: Option<Uuid>,
    /// Moves with every variant of the name written or removed (a new one is at 1).
    #[diesel(sql_type = Int4)]
    pub version: i32,
}

const CATEGORY_COLUMNS: &str = "SELECT id, name, kind, operator_id, needs_moderation, partner_id, version FROM concern_categories";

/// Every category, by name.
pub async fn categories(conn: &mut AsyncPgConnection) -> Result<Vec<CategoryRow>> {
    Ok(
        diesel::sql_query(format!("{CATEGORY_COLUMNS} ORDER BY name, id"))
            .load(conn)
            .await?,
    )
}

/// The category `id`, if there is one.
pub async fn category(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<CategoryRow>> {
    Ok(
        diesel::sql_query(format!("{CATEGORY_COLUMNS} WHERE id = $1"))
            .bind::<SqlUuid, _>(id)
            .load(conn)
            .await?
            .pop(),
    )
}

/// Makes a category.
pub async fn create_category(conn: &mut AsyncPgConnection, new: &CategoryRow) -> Result<()> {
    diesel::sql_query(
        "INSERT INTO concern_categories (id, name, kind, operator_id, needs_moderation, partner_id) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind::<SqlUuid, _>(new.id)
    .bind::<Text, _>(&new.name)
    .bind::<Text, _>(&new.kind)
    .bind::<Nullable<SqlUuid>, _>(new.operator_id)
    .bind::<Bool, _>(new.needs_moderation)
    .bind::<Nullable<SqlUuid>, _>(new.partner_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A concern to store.
#[derive(Debug)]
pub struct NewConcern<'a> {
    pub id: Uuid,
    pub kind: &'a str,
    pub category_id: Uuid,
    pub title: &'a str,
    pub text: &'a str,
    pub district_id: Uuid,
    pub centre_id: Option<Uuid>,
    pub point: Option<(f64, f64)>,
    pub address: Option<&'a str>,
    pub author_id: Option<Uuid>,
    pub show_author: bool,
    /// The language title and text are written in (an enabled content language).
    pub language: &'a str,
    pub channel: &'a str,
    pub recorded_by: Option<Uuid>,
    pub consent_on: Option<NaiveDate>,
    pub source_occurrence_id: Option<Uuid>,
    /// `submitted`, or `published` when its category needs no moderation.
    pub status: ConcernStatus,
    pub operator_id: Option<Uuid>,
    /// The partner it is referred to from the start (its category's).
    pub partner_id: Option<Uuid>,
}

/// Stores `new`, and tells the operator's systems (`concern.submitted` or
/// `concern.published`).
pub async fn create(conn: &mut AsyncPgConnection, new: &NewConcern<'_>) -> Result<()> {
    conn.transaction::<_, Error, _>(async |conn| {
        insert(conn, new).await?;
        announce(conn, ConcernChange::Raised, new.id, None, None, None, None).await
    })
    .await
}

async fn insert(conn: &mut AsyncPgConnection, new: &NewConcern<'_>) -> Result<()> {
    diesel::sql_query(
        "INSERT INTO concerns (id, kind, category_id, title, text, district_id, centre_id, \
                               latitude, longitude, address, author_id, show_author, channel, \
                               recorded_by, consent_on, source_occurrence_id, status, operator_id, \
                               partner_id, language, published_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
                 $19, $20, CASE WHEN $17 = 'published' THEN now() END)",
    )
    .bind::<SqlUuid, _>(new.id)
    .bind::<Text, _>(new.kind)
    .bind::<SqlUuid, _>(new.category_id)
    .bind::<Text, _>(new.title)
    .bind::<Text, _>(new.text)
    .bind::<SqlUuid, _>(new.district_id)
    .bind::<Nullable<SqlUuid>, _>(new.centre_id)
    .bind::<Nullable<Float8>, _>(new.point.map(|p| p.0))
    .bind::<Nullable<Float8>, _>(new.point.map(|p| p.1))
    .bind::<Nullable<Text>, _>(new.address)
    .bind::<Nullable<SqlUuid>, _>(new.author_id)
    .bind::<Bool, _>(new.show_author)
    .bind::<Text, _>(new.channel)
    .bind::<Nullable<SqlUuid>, _>(new.recorded_by)
    .bind::<Nullable<Date>, _>(new.consent_on)
    .bind::<Nullable<SqlUuid>, _>(new.source_occurrence_id)
    .bind::<Text, _>(new.status.as_str())
    .bind::<Nullable<SqlUuid>, _>(new.operator_id)
    .bind::<Nullable<SqlUuid>, _>(new.partner_id)
    .bind::<Text, _>(new.language)
    .execute(conn)
    .await?;
    Ok(())
}

/// A concern as read, with the names it shows.
#[derive(Debug, Clone, QueryableByName)]
pub struct ConcernView {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = SqlUuid)]
    pub category_id: Uuid,
    #[diesel(sql_type = Text)]
    pub category_name: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub text: String,
    /// The language title and text are written in.
    #[diesel(sql_type = Text)]
    pub language: String,
    #[diesel(sql_type = SqlUuid)]
    pub district_id: Uuid,
    #[diesel(sql_type = Text)]
    pub district_name: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub centre_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Float8>)]
    pub latitude: Option<f64>,
    #[diesel(sql_type = Nullable<Float8>)]
    pub longitude: Option<f64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub address: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub author_id: Option<Uuid>,
    /// The author's display name, whether or not it is shown.
    #[diesel(sql_type = Nullable<Text>)]
    pub author_name: Option<String>,
    #[diesel(sql_type = Bool)]
    pub show_author: bool,
    #[diesel(sql_type = Text)]
    pub channel: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub duplicate_of: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub operator_id: Option<Uuid>,
    /// The partner it was referred to, whose staff answer it too.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub partner_id: Option<Uuid>,
    #[diesel(sql_type = Int4)]
    pub support_count: i32,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub published_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
    #[diesel(sql_type = Int4)]
    pub version: i32,
}

impl ConcernView {
    /// The language title and text are written in (German should the column ever hold
    /// something that is no tag).
    pub fn written_in(&self) -> quartier_domain::language::LanguageTag {
        quartier_domain::language::LanguageTag::parse(&self.language)
            .unwrap_or_else(|_| quartier_domain::language::LanguageTag::german())
    }

    pub fn status(&self) -> ConcernStatus {
        ConcernStatus::parse(&self.status).unwrap_or(ConcernStatus::Submitted)
    }

    /// Whether everyone may read it.
    pub fn is_public(&self) -> bool {
        self.published_at.is_some()
    }
}

/// The columns of `ConcernView` (`k` the concern) …
const COLUMNS: &str = "SELECT k.id, k.kind, k.category_id, g.name AS category_name, k.title, \
        k.text, k.language, k.district_id, d.name AS district_name, k.centre_id, k.latitude, k.longitude, \
        k.address, k.author_id, \
        (SELECT u.display_name FROM users u WHERE u.id = k.author_id) AS author_name, \
        k.show_author, k.channel, \
        k.status, k.duplicate_of, k.operator_id, k.partner_id, k.support_count, k.published_at, \
        k.created_at, k.updated_at, k.version";
/// … and where they come from.
const FROM: &str = " FROM concerns k JOIN concern_categories g ON g.id = k.category_id \
   JOIN districts d ON d.id = k.district_id";

/// The concern `id`, if there is one.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<ConcernView>> {
    Ok(
        diesel::sql_query(format!("{COLUMNS}{FROM} WHERE k.id = $1"))
            .bind::<SqlUuid, _>(id)
            .load(conn)
            .await?
            .pop(),
    )
}

/// What a list of concerns is narrowed to.
#[derive(Debug, Default)]
pub struct ConcernFilter<'a> {
    /// The district and those inside it.
    pub district_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub statuses: Vec<ConcernStatus>,
    /// Within `NEARBY_METRES`… or the given metres of a point.
    pub near: Option<(f64, f64, f64)>,
    /// Words in the title or text.
    pub q: Option<&'a str>,
    /// Only public ones (else any the caller may see, decided by `author_id`/`operator_ids`).
    pub public_only: bool,
    /// Only those this account raised.
    pub author_id: Option<Uuid>,
    /// Only those these operators answer.
    pub operator_ids: Option<Vec<Uuid>>,
    /// Only those about one of these centres.
    pub centre_ids: Option<Vec<Uuid>>,
    /// Only those referred to this partner.
    pub partner_id: Option<Uuid>,
    /// Only these concerns.
    pub ids: Option<Vec<Uuid>>,
    /// Only those raised from the first instant up to (not including) the second.
    pub raised_between: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

/// The sort key of concern lists: newest first.
pub type ConcernKey = (DateTime<Utc>, Uuid);

/// The distance in metres between the concern `k` and the point bound as `$lat`/`$lon`
/// (haversine on a sphere of the earth's mean radius).
fn distance_sql(lat: usize, lon: usize) -> String {
    format!(
        "(12742000.0 * asin(least(1.0, sqrt(power(sin(radians(k.latitude - ${lat}) / 2), 2) \
          + cos(radians(${lat})) * cos(radians(k.latitude)) \
          * power(sin(radians(k.longitude - ${lon}) / 2), 2)))))"
    )
}

/// Concerns matching `filter`, newest first, after `after`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &ConcernFilter<'_>,
    after: Option<ConcernKey>,
    limit: i64,
) -> Result<Vec<ConcernView>> {
    let mut statement = Statement::new(COLUMNS);
    statement.push(FROM).push(" WHERE true");
    if filter.public_only {
        statement.push(" AND k.published_at IS NOT NULL");
    }
    if let Some(author) = filter.author_id {
        statement
            .push(" AND k.author_id = ")
            .bind::<SqlUuid, _>(author);
    }
    if let Some(operators) = &filter.operator_ids {
        statement
            .push(" AND k.operator_id = ANY(")
            .bind::<Array<SqlUuid>, _>(operators.clone())
            .push(")");
    }
    if let Some(centres) = &filter.centre_ids {
        statement
            .push(" AND k.centre_id = ANY(")
            .bind::<Array<SqlUuid>, _>(centres.clone())
            .push(")");
    }
    if let Some(partner) = filter.partner_id {
        statement
            .push(" AND k.partner_id = ")
            .bind::<SqlUuid, _>(partner);
    }
    if let Some(ids) = &filter.ids {
        statement
            .push(" AND k.id = ANY(")
            .bind::<Array<SqlUuid>, _>(ids.clone())
            .push(")");
    }
    if let Some((from, until)) = filter.raised_between {
        statement
            .push(" AND k.created_at >= ")
            .bind::<Timestamptz, _>(from)
            .push(" AND k.created_at < ")
            .bind::<Timestamptz, _>(until);
    }
    if let Some(district) = filter.district_id {
        statement.push_district_within("k.district_id", district);
    }
    if let Some(category) = filter.category_id {
        statement
            .push(" AND k.category_id = ")
            .bind::<SqlUuid, _>(category);
    }
    if !filter.statuses.is_empty() {
        let statuses: Vec<&'static str> = filter.statuses.iter().map(|s| s.as_str()).collect();
        statement
            .push(" AND k.status = ANY(")
            .bind::<Array<Text>, _>(statuses)
            .push(")");
    }
    if let Some((lat, lon, metres)) = filter.near {
        let lat = statement.param::<Float8, _>(lat);
        let lon = statement.param::<Float8, _>(lon);
        statement
            .push(&format!(
                " AND k.latitude IS NOT NULL AND {} <= ",
                distance_sql(lat, lon)
            ))
            .bind::<Float8, _>(metres);
    }
    if let Some(q) = filter.q {
        let q = statement.param::<Text, _>(q.to_owned());
        statement.push(&format!(
            " AND (k.title ILIKE '%' || ${q} || '%' OR k.text ILIKE '%' || ${q} || '%' \
               OR ${q} <% k.title)"
        ));
    }
    if let Some((at, id)) = after {
        statement
            .push(" AND (k.created_at, k.id) < (")
            .bind::<Timestamptz, _>(at)
            .push(", ")
            .bind::<SqlUuid, _>(id)
            .push(")");
    }
    statement
        .push(" ORDER BY k.created_at DESC, k.id DESC LIMIT ")
        .bind::<Int8, _>(limit);
    Ok(statement.finish().load(conn).await?)
}

/// A public concern like the one a resident is about to write, and how like it is.
#[derive(Debug, Clone, QueryableByName)]
pub struct Similar {
    #[diesel(embed)]
    pub concern: ConcernView,
    /// From 0 to 1: how alike the titles and texts are.
    #[diesel(sql_type = diesel::sql_types::Float4)]
    pub similarity: f32,
    /// Metres between the two points, when both have one.
    #[diesel(sql_type = Nullable<Float8>)]
    pub distance_m: Option<f64>,
}

/// What a resident is about to write, to find concerns like it.
#[derive(Debug)]
pub struct Draft<'a> {
    pub title: &'a str,
    pub text: Option<&'a str>,
    pub district_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub point: Option<(f64, f64)>,
}

/// The least likeness in words (`word_similarity`, 0 to 1) for a concern to count as similar.
const SIMILAR_WORDS: f64 = 0.3;

/// Published concerns like `draft` (open or closed, but neither duplicates nor withdrawn):
/// alike in words (trigram similarity of the words of the title, and of the text), or at
/// most `NEARBY_METRES` away; the most alike first.
///
/// The candidates come from indexes: the trigram indexes on the title and on title and text
/// (`<%`, with the threshold set for this transaction), and a band of latitude around the
/// point; only they are compared exactly.
pub async fn similar(
    conn: &mut AsyncPgConnection,
    draft: &Draft<'_>,
    limit: i64,
) -> Result<Vec<Similar>> {
    let mut statement = Statement::new("");
    let words = statement.param::<Text, _>(
        [Some(draft.title), draft.text]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
    );
    let title = statement.param::<Text, _>(draft.title.to_owned());
    let (distance, nearby) = match draft.point {
        Some((lat, lon)) => {
            let lat = statement.param::<Float8, _>(lat);
            let lon = statement.param::<Float8, _>(lon);
            // A degree of latitude is at least 111 km, so the band holds every point
            // within the distance.
            let band = NEARBY_METRES / 111_000.0;
            (
                format!(
                    "CASE WHEN k.latitude IS NOT NULL THEN {} END",
                    distance_sql(lat, lon)
                ),
                format!(" OR k.latitude BETWEEN ${lat} - {band} AND ${lat} + {band}"),
            )
        }
        None => ("NULL::double precision".to_owned(), String::new()),
    };
    statement.push(&format!(
        "SELECT * FROM ({COLUMNS}, \
                greatest(word_similarity(${title}, k.title), \
                         word_similarity(${words}, k.title || ' ' || k.text) * 0.8)::real AS similarity, \
                {distance} AS distance_m \
           {FROM} \
          WHERE k.published_at IS NOT NULL AND k.status NOT IN ('duplicate', 'withdrawn') \
            AND (${title} <% k.title OR ${words} <% (k.title || ' ' || k.text){nearby})) s \
          WHERE (s.similarity >= {SIMILAR_WORDS} OR s.distance_m <= {NEARBY_METRES})"
    ));
    if let Some(district) = draft.district_id {
        statement.push_district_within("s.district_id", district);
    }
    if let Some(category) = draft.category_id {
        statement
            .push(" AND s.category_id = ")
            .bind::<SqlUuid, _>(category);
    }
    statement
        .push(" ORDER BY s.similarity DESC, s.distance_m ASC NULLS LAST, s.support_count DESC, s.id LIMIT ")
        .bind::<Int8, _>(limit);
    let query = statement.finish();
    conn.transaction::<_, Error, _>(async |conn| {
        // `<%` finds what is at least this alike (the default, 0.6, would miss most). And
        // this statement is planned for its values: whether the words or the district are
        // the narrower way in depends on them (a plan kept for any values took the trigram
        // indexes for common words, four times slower).
        conn.batch_execute(&format!(
            "SET LOCAL pg_trgm.word_similarity_threshold = {SIMILAR_WORDS}; \
             SET LOCAL plan_cache_mode = force_custom_plan"
        ))
        .await?;
        Ok(query.load(conn).await?)
    })
    .await
}

/// Why a support was not added or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupportRefusal {
    /// No concern has this id.
    NotFound,
    /// The concern is not open (not yet published, or closed).
    NotOpen(ConcernStatus),
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Int4)]
    support_count: i32,
}

/// Adds the account's support to the open concern `id` (or changes whether it wants to hear
/// of answers): one transaction that locks the concern, inserts the support, and counts it.
/// The count after it.
pub async fn support(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
    notify: bool,
) -> Result<Result<i32, SupportRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let Some(locked) = lock(conn, id).await? else {
            return Ok(Err(SupportRefusal::NotFound));
        };
        let status = ConcernStatus::parse(&locked.status).unwrap_or(ConcernStatus::Submitted);
        if !status.is_open() {
            return Ok(Err(SupportRefusal::NotOpen(status)));
        }
        let added: Vec<Locked> = diesel::sql_query(
            "WITH added AS (INSERT INTO concern_supports (concern_id, user_id, notify) \
                            VALUES ($1, $2, $3) \
                            ON CONFLICT (concern_id, user_id) DO NOTHING RETURNING concern_id) \
             UPDATE concerns SET support_count = support_count + 1 \
              WHERE id = (SELECT concern_id FROM added) \
             RETURNING status, support_count",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<SqlUuid, _>(user_id)
        .bind::<Bool, _>(notify)
        .load(conn)
        .await?;
        if let Some(row) = added.into_iter().next() {
            return Ok(Ok(row.support_count));
        }
        diesel::sql_query(
            "UPDATE concern_supports SET notify = $3 WHERE concern_id = $1 AND user_id = $2",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<SqlUuid, _>(user_id)
        .bind::<Bool, _>(notify)
        .execute(conn)
        .await?;
        Ok(Ok(locked.support_count))
    })
    .await
}

/// Takes the account's support back from the concern `id`; the count after it.
pub async fn withdraw_support(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
) -> Result<Result<i32, SupportRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let Some(locked) = lock(conn, id).await? else {
            return Ok(Err(SupportRefusal::NotFound));
        };
        let removed: Vec<Locked> = diesel::sql_query(
            "WITH removed AS (DELETE FROM concern_supports WHERE concern_id = $1 AND user_id = $2 \
                              RETURNING concern_id) \
             UPDATE concerns SET support_count = support_count - 1 \
              WHERE id = (SELECT concern_id FROM removed) \
             RETURNING status, support_count",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<SqlUuid, _>(user_id)
        .load(conn)
        .await?;
        Ok(Ok(removed
            .into_iter()
            .next()
            .map_or(locked.support_count, |row| row.support_count)))
    })
    .await
}

async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Locked>> {
    Ok(
        diesel::sql_query("SELECT status, support_count FROM concerns WHERE id = $1 FOR UPDATE")
            .bind::<SqlUuid, _>(id)
            .load::<Locked>(conn)
            .await?
            .pop(),
    )
}

/// Whether the account supports the concern `id`.
pub async fn supports(conn: &mut AsyncPgConnection, id: Uuid, user_id: Uuid) -> Result<bool> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = Bool)]
        found: bool,
    }
    let found: Found = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM concern_supports WHERE concern_id = $1 AND user_id = $2) AS found",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(user_id)
    .get_result(conn)
    .await?;
    Ok(found.found)
}

/// Why a status change was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusRefusal {
    NotFound,
    /// The concern changed since the client read it.
    VersionConflict,
    /// The move is not one the rules allow from where it stands.
    NotAllowed(ConcernStatus),
    /// The original a duplicate names is not a published concern that is itself carried on
    /// (not a duplicate, declined or withdrawn).
    NoOriginal,
}

/// Moves the concern `id` from the status it holds to `next` if `allowed` says that move is
/// right and it is at one of `versions` (any, when `None`); a duplicate names `original`;
/// `refer_to` hands it to another operator, which answers it from then on. Its new version.
#[allow(clippy::too_many_arguments)]
pub async fn move_status(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    versions: Option<&[i32]>,
    next: ConcernStatus,
    original: Option<Uuid>,
    refer_to: Option<Uuid>,
    refer_to_partner: Option<Uuid>,
    allowed: impl Fn(ConcernStatus) -> bool + Sync,
) -> Result<Result<i32, StatusRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        #[derive(QueryableByName)]
        struct Current {
            #[diesel(sql_type = Text)]
            status: String,
            #[diesel(sql_type = Int4)]
            version: i32,
            #[diesel(sql_type = Nullable<SqlUuid>)]
            operator_id: Option<Uuid>,
        }
        // A duplicate and its original are locked in one order, so that two concerns marked
        // duplicates of each other at once queue rather than deadlock.
        if let Some(original) = original {
            diesel::sql_query("SELECT id FROM concerns WHERE id = ANY($1) ORDER BY id FOR UPDATE")
                .bind::<Array<SqlUuid>, _>(vec![id, original])
                .execute(conn)
                .await?;
        }
        let current: Option<Current> = diesel::sql_query(
            "SELECT status, version, operator_id FROM concerns WHERE id = $1 FOR UPDATE",
        )
        .bind::<SqlUuid, _>(id)
        .load(conn)
        .await?
        .pop();
        let Some(current) = current else {
            return Ok(Err(StatusRefusal::NotFound));
        };
        if versions.is_some_and(|v| !v.contains(&current.version)) {
            return Ok(Err(StatusRefusal::VersionConflict));
        }
        let status = ConcernStatus::parse(&current.status).unwrap_or(ConcernStatus::Submitted);
        if !allowed(status) {
            return Ok(Err(StatusRefusal::NotAllowed(status)));
        }
        if let Some(original) = original {
            // Locked above: it cannot become a duplicate (of this one) meanwhile.
            let carried: Option<Current> = diesel::sql_query(
                "SELECT status, version, operator_id FROM concerns \
                  WHERE id = $1 AND published_at IS NOT NULL",
            )
            .bind::<SqlUuid, _>(original)
            .load(conn)
            .await?
            .pop();
            let carried_on = carried
                .and_then(|c| ConcernStatus::parse(&c.status))
                .is_some_and(|s| {
                    !matches!(
                        s,
                        ConcernStatus::Duplicate
                            | ConcernStatus::Declined
                            | ConcernStatus::Withdrawn
                    )
                });
            if !carried_on {
                return Ok(Err(StatusRefusal::NoOriginal));
            }
        }
        #[derive(QueryableByName)]
        struct Version {
            #[diesel(sql_type = Int4)]
            version: i32,
        }
        let moved: Version = diesel::sql_query(
            "UPDATE concerns SET status = $2, duplicate_of = $3, \
                    operator_id = coalesce($4, operator_id), \
                    partner_id = CASE WHEN $5 IS NOT NULL THEN $5 \
                                      WHEN $4 IS NOT NULL THEN NULL ELSE partner_id END, \
                    published_at = coalesce(published_at, CASE WHEN $2 IN \
                        ('published', 'in_review', 'referred', 'accepted', 'in_progress', 'done') \
                        THEN now() END), \
                    version = version + 1, updated_at = now() \
              WHERE id = $1 RETURNING version",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<Text, _>(next.as_str())
        .bind::<Nullable<SqlUuid>, _>(original)
        .bind::<Nullable<SqlUuid>, _>(refer_to)
        .bind::<Nullable<SqlUuid>, _>(refer_to_partner)
        .get_result(conn)
        .await?;
        // Handed to another operator: the one that answered it learns that it left.
        let left = current
            .operator_id
            .filter(|was| refer_to.is_some_and(|to| to != *was));
        announce(
            conn,
            ConcernChange::Moved,
            id,
            Some(status),
            None,
            None,
            left,
        )
        .await?;
        Ok(Ok(moved.version))
    })
    .await
}

/// An answer to a concern.
#[derive(Debug, Clone, QueryableByName)]
pub struct AnswerRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub concern_id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub author_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub operator_id: Option<Uuid>,
    /// The answering unit's name.
    #[diesel(sql_type = Nullable<Text>)]
    pub operator_name: Option<String>,
    /// The partner that answered, when its staff wrote it.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub partner_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub partner_name: Option<String>,
    #[diesel(sql_type = Text)]
    pub visibility: String,
    #[diesel(sql_type = Text)]
    pub text: String,
    #[diesel(sql_type = Nullable<Date>)]
    pub expected_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub published_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

const ANSWER_COLUMNS: &str = "SELECT a.id, a.concern_id, a.author_id, a.operator_id, \
        o.name AS operator_name, a.partner_id, p.name AS partner_name, a.visibility, a.text, \
        a.expected_on, a.published_at, a.created_at, a.updated_at \
   FROM concern_answers a LEFT JOIN operators o ON o.id = a.operator_id \
   LEFT JOIN partners p ON p.id = a.partner_id";

/// The answers to the concern `id`, oldest first: with `all`, drafts and internal notes too;
/// else published public answers only.
pub async fn answers(conn: &mut AsyncPgConnection, id: Uuid, all: bool) -> Result<Vec<AnswerRow>> {
    let visible = if all {
        ""
    } else {
        " AND a.visibility = 'public' AND a.published_at IS NOT NULL"
    };
    Ok(diesel::sql_query(format!(
        "{ANSWER_COLUMNS} WHERE a.concern_id = $1{visible} ORDER BY a.created_at, a.id"
    ))
    .bind::<SqlUuid, _>(id)
    .load(conn)
    .await?)
}

/// The newest published public answer to a concern, and who answers it.
#[derive(Debug, Clone, QueryableByName)]
pub struct LatestAnswer {
    #[diesel(sql_type = SqlUuid)]
    pub concern_id: Uuid,
    /// The name of the operator answering the concern.
    #[diesel(sql_type = Nullable<Text>)]
    pub operator_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub text: Option<String>,
    #[diesel(sql_type = Nullable<Date>)]
    pub expected_on: Option<NaiveDate>,
}

/// For each of the concerns `ids`: who answers it and its newest published public answer.
pub async fn latest_answers(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<Vec<LatestAnswer>> {
    Ok(diesel::sql_query(
        "SELECT k.id AS concern_id, o.name AS operator_name, a.text, a.expected_on \
           FROM concerns k LEFT JOIN operators o ON o.id = k.operator_id \
           LEFT JOIN LATERAL (SELECT text, expected_on FROM concern_answers \
                               WHERE concern_id = k.id AND visibility = 'public' \
                                 AND published_at IS NOT NULL \
                               ORDER BY published_at DESC, id DESC LIMIT 1) a ON true \
          WHERE k.id = ANY($1)",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .load(conn)
    .await?)
}

/// An answer to write.
#[derive(Debug)]
pub struct NewAnswer<'a> {
    pub id: Uuid,
    pub concern_id: Uuid,
    /// None when an operator's system writes it.
    pub author_id: Option<Uuid>,
    pub operator_id: Option<Uuid>,
    /// The partner whose staff writes it.
    pub partner_id: Option<Uuid>,
    pub public: bool,
    pub text: &'a str,
    pub expected_on: Option<NaiveDate>,
    /// Published at once (an internal note always is); else a draft.
    pub publish: bool,
}

/// Why an answer was not written, changed or published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerRefusal {
    /// No such concern, or no such answer to it.
    NotFound,
    /// It is published: it never changes.
    Published,
}

/// Writes the event of `change` to the concern `concern_id` to the outbox, with the
/// concern's facts as they are now in this transaction.
pub async fn announce(
    conn: &mut AsyncPgConnection,
    change: ConcernChange,
    concern_id: Uuid,
    previous_status: Option<ConcernStatus>,
    answer_id: Option<Uuid>,
    outcome_id: Option<Uuid>,
    previous_operator_id: Option<Uuid>,
) -> Result<()> {
    #[derive(QueryableByName)]
    struct Now {
        #[diesel(sql_type = Nullable<SqlUuid>)]
        operator_id: Option<Uuid>,
        #[diesel(sql_type = SqlUuid)]
        category_id: Uuid,
        #[diesel(sql_type = SqlUuid)]
        district_id: Uuid,
        #[diesel(sql_type = Text)]
        status: String,
        #[diesel(sql_type = Int4)]
        support_count: i32,
    }
    let now: Now = diesel::sql_query(
        "SELECT operator_id, category_id, district_id, status, support_count \
           FROM concerns WHERE id = $1",
    )
    .bind::<SqlUuid, _>(concern_id)
    .get_result(conn)
    .await?;
    let facts = ConcernFacts {
        concern_id,
        operator_id: now.operator_id,
        category_id: now.category_id,
        district_id: now.district_id,
        status: ConcernStatus::parse(&now.status).unwrap_or(ConcernStatus::Submitted),
        previous_status,
        support_count: now.support_count,
        answer_id,
        outcome_id,
        previous_operator_id,
    };
    crate::outbox::record(conn, &Event::concern(change, facts)).await
}

/// The people told of a public answer to the concern `id`: its author and the supporters
/// who asked to hear of answers (`answer_id` in the details); and the operator's systems,
/// by the event `concern.answered`.
async fn tell_of_answer(
    conn: &mut AsyncPgConnection,
    concern_id: Uuid,
    answer_id: Uuid,
    operator_id: Option<Uuid>,
) -> Result<()> {
    #[derive(QueryableByName)]
    struct Person {
        #[diesel(sql_type = SqlUuid)]
        user_id: Uuid,
    }
    let people: Vec<Person> = diesel::sql_query(
        "SELECT author_id AS user_id FROM concerns WHERE id = $1 AND author_id IS NOT NULL \
         UNION SELECT user_id FROM concern_supports \
          WHERE concern_id = $1 AND notify AND user_id IS NOT NULL",
    )
    .bind::<SqlUuid, _>(concern_id)
    .load(conn)
    .await?;
    let recipients: Vec<Uuid> = people.into_iter().map(|p| p.user_id).collect();
    crate::notifications::notify(
        conn,
        &recipients,
        crate::notifications::Kind::ConcernAnswered,
        operator_id,
        &serde_json::json!({"concern_id": concern_id, "answer_id": answer_id}),
    )
    .await?;
    announce(
        conn,
        ConcernChange::Answered,
        concern_id,
        None,
        Some(answer_id),
        None,
        None,
    )
    .await
}

/// Writes `new` to its concern; a public answer published at once is told to the concern's
/// author and to the supporters who asked, in the same transaction.
pub async fn add_answer(
    conn: &mut AsyncPgConnection,
    new: &NewAnswer<'_>,
) -> Result<Result<AnswerRow, AnswerRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let published = new.publish || !new.public;
        let inserted = diesel::sql_query(
            "INSERT INTO concern_answers (id, concern_id, author_id, operator_id, visibility, text, \
                                          expected_on, published_at, partner_id) \
             SELECT $1, k.id, $3, $4, $5, $6, $7, CASE WHEN $8 THEN now() END, $9 \
               FROM concerns k WHERE k.id = $2",
        )
        .bind::<SqlUuid, _>(new.id)
        .bind::<SqlUuid, _>(new.concern_id)
        .bind::<Nullable<SqlUuid>, _>(new.author_id)
        .bind::<Nullable<SqlUuid>, _>(new.operator_id)
        .bind::<Text, _>(if new.public { "public" } else { "internal" })
        .bind::<Text, _>(new.text)
        .bind::<Nullable<Date>, _>(new.expected_on)
        .bind::<Bool, _>(published)
        .bind::<Nullable<SqlUuid>, _>(new.partner_id)
        .execute(conn)
        .await?;
        if inserted == 0 {
            return Ok(Err(AnswerRefusal::NotFound));
        }
        if new.public && published {
            tell_of_answer(conn, new.concern_id, new.id, new.operator_id).await?;
        }
        answer(conn, new.concern_id, new.id)
            .await?
            .map(Ok)
            .ok_or(Error::NotFound)
    })
    .await
}

/// The answer `answer_id` to the concern `concern_id`.
pub async fn answer(
    conn: &mut AsyncPgConnection,
    concern_id: Uuid,
    answer_id: Uuid,
) -> Result<Option<AnswerRow>> {
    Ok(diesel::sql_query(format!(
        "{ANSWER_COLUMNS} WHERE a.concern_id = $1 AND a.id = $2"
    ))
    .bind::<SqlUuid, _>(concern_id)
    .bind::<SqlUuid, _>(answer_id)
    .load(conn)
    .await?
    .pop())
}

/// Publishes the draft `answer_id` of the concern `concern_id` (or, with `text`, changes it
/// first), telling the author and the supporters who asked; refused once it is published.
pub async fn change_draft(
    conn: &mut AsyncPgConnection,
    concern_id: Uuid,
    answer_id: Uuid,
    text: Option<&str>,
    expected_on: Option<Option<NaiveDate>>,
    publish: bool,
) -> Result<Result<AnswerRow, AnswerRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        #[derive(QueryableByName)]
        struct Locked {
            #[diesel(sql_type = Nullable<Timestamptz>)]
            published_at: Option<DateTime<Utc>>,
            #[diesel(sql_type = Nullable<SqlUuid>)]
            operator_id: Option<Uuid>,
        }
        let locked: Option<Locked> = diesel::sql_query(
            "SELECT published_at, operator_id FROM concern_answers \
              WHERE concern_id = $1 AND id = $2 FOR UPDATE",
        )
        .bind::<SqlUuid, _>(concern_id)
        .bind::<SqlUuid, _>(answer_id)
        .load(conn)
        .await?
        .pop();
        let Some(locked) = locked else {
            return Ok(Err(AnswerRefusal::NotFound));
        };
        if locked.published_at.is_some() {
            return Ok(Err(AnswerRefusal::Published));
        }
        diesel::sql_query(
            "UPDATE concern_answers SET text = coalesce($3, text), \
                    expected_on = CASE WHEN $4 THEN $5 ELSE expected_on END, \
                    published_at = CASE WHEN $6 THEN now() END, updated_at = now() \
              WHERE concern_id = $1 AND id = $2",
        )
        .bind::<SqlUuid, _>(concern_id)
        .bind::<SqlUuid, _>(answer_id)
        .bind::<Nullable<Text>, _>(text)
        .bind::<Bool, _>(expected_on.is_some())
        .bind::<Nullable<Date>, _>(expected_on.flatten())
        .bind::<Bool, _>(publish)
        .execute(conn)
        .await?;
        if publish {
            tell_of_answer(conn, concern_id, answer_id, locked.operator_id).await?;
        }
        answer(conn, concern_id, answer_id)
            .await?
            .map(Ok)
            .ok_or(Error::NotFound)
    })
    .await
}

/// A support an account gave, for its export.
#[derive(Debug, Clone, QueryableByName)]
pub struct SupportRecord {
    #[diesel(sql_type = SqlUuid)]
    pub concern_id: Uuid,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Bool)]
    pub notify: bool,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

/// The supports of the account `user_id`, newest first, at most `limit`.
pub async fn supports_of(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    limit: i64,
) -> Result<Vec<SupportRecord>> {
    Ok(diesel::sql_query(
        "SELECT s.concern_id, k.title, s.notify, s.created_at FROM concern_supports s \
           JOIN concerns k ON k.id = s.concern_id \
          WHERE s.user_id = $1 ORDER BY s.created_at DESC, s.id DESC LIMIT $2",
    )
    .bind::<SqlUuid, _>(user_id)
    .bind::<Int8, _>(limit)
    .load(conn)
    .await?)
}

/// The answers the account `user_id` wrote, newest first, at most `limit`.
pub async fn answers_by(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    limit: i64,
) -> Result<Vec<AnswerRow>> {
    Ok(diesel::sql_query(format!(
        "{ANSWER_COLUMNS} WHERE a.author_id = $1 ORDER BY a.created_at DESC, a.id DESC LIMIT $2"
    ))
    .bind::<SqlUuid, _>(user_id)
    .bind::<Int8, _>(limit)
    .load(conn)
    .await?)
}
