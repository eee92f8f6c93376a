//! Content in the reader's language: what a request asks for (`?lang=`, `Accept-Language`),
//! the texts of translatable resources in it, and the headers that say what was served.

use std::collections::{BTreeSet, HashMap};

use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use quartier_domain::language::{
    ContentLanguages, Direction, LanguageTag, Origin, Preferences, SOURCE,
};
use quartier_domain::translation::{self, TextField, TextOwner, Variant};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::translations::{self, StoredVariant};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::ApiError;
use crate::german::ProblemLanguage;
use crate::state::AppState;
use quartier_domain::notification::MailLanguage;

/// The language parameters of every resource with texts residents read.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LanguageQuery {
    /// The language to read texts in, a BCP 47 tag such as `en`, `tr` or `de-x-ls` (Leichte
    /// Sprache); takes the place of `Accept-Language`. Texts without a public variant in it
    /// stay German and are named in `content_language.fallback_fields`.
    #[param(example = "de-x-ls", max_length = 64)]
    pub lang: Option<String>,
    /// Staff of the owning operator: every variant with its origin, whether it was reviewed
    /// and whether it is stale, in `translations`.
    pub all_languages: Option<bool>,
}

/// The language parameter of lists.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListLanguageQuery {
    /// The language to read texts in, a BCP 47 tag such as `en`, `tr` or `de-x-ls` (Leichte
    /// Sprache); takes the place of `Accept-Language`. Each item says what it was served in.
    #[param(example = "de-x-ls", max_length = 64)]
    pub lang: Option<String>,
}

/// What a request asks for: the reader's languages in order, and whether staff want every
/// variant.
#[derive(Debug, Clone, Default)]
pub struct Reading {
    pub wishes: Preferences,
    pub all_languages: bool,
}

impl FromRequest for Reading {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(reading(req))
    }
}

impl Reading {
    /// Whether any wish names an enabled language other than German: otherwise every text
    /// is served in German and no variant needs to be read.
    pub fn may_want_variants(&self, enabled: &ContentLanguages) -> bool {
        self.wishes
            .lookup(|candidate| enabled.find(candidate))
            .is_some_and(|tag| !tag.is_source())
    }
}

fn reading(req: &HttpRequest) -> Result<Reading, ApiError> {
    let query = actix_web::web::Query::<LanguageQuery>::from_query(req.query_string())
        .map_err(|e| ApiError::BadRequest(format!("The language parameters do not parse: {e}")))?;
    let wishes = match query.lang.as_deref() {
        Some(raw) => {
            let tag =
                LanguageTag::parse(raw).map_err(|e| ApiError::query("lang", &e.to_string()))?;
            Preferences::only(&tag)
        }
        None => accept_language(req),
    };
    Ok(Reading {
        wishes,
        all_languages: query.all_languages.unwrap_or(false),
    })
}

/// The reader's languages as `Accept-Language` lists them.
fn accept_language(req: &HttpRequest) -> Preferences {
    // A header sent as several lines is one list (RFC 9110, 5.3).
    let lines: Vec<&str> = req
        .headers()
        .get_all(header::ACCEPT_LANGUAGE)
        .filter_map(|v| v.to_str().ok())
        .collect();
    Preferences::from_accept_language(&lines.join(","))
}

/// A field residents read, as the API names it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TextFieldBody {
    Title,
    Name,
    Description,
    AccessibilityNotes,
    CostNote,
    Text,
}

impl From<TextField> for TextFieldBody {
    fn from(field: TextField) -> Self {
        match field {
            TextField::Title => TextFieldBody::Title,
            TextField::Name => TextFieldBody::Name,
            TextField::Description => TextFieldBody::Description,
            TextField::AccessibilityNotes => TextFieldBody::AccessibilityNotes,
            TextField::CostNote => TextFieldBody::CostNote,
            TextField::Text => TextFieldBody::Text,
        }
    }
}

/// Which way a language is written: clients set the text direction from it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DirectionBody {
    Ltr,
    Rtl,
}

impl From<Direction> for DirectionBody {
    fn from(direction: Direction) -> Self {
        match direction {
            Direction::Ltr => DirectionBody::Ltr,
            Direction::Rtl => DirectionBody::Rtl,
        }
    }
}

/// Who wrote a variant.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OriginBody {
    /// A person wrote or checked it while writing.
    Human,
    /// A machine translation: public only once reviewed.
    Machine,
}

impl From<OriginBody> for Origin {
    fn from(origin: OriginBody) -> Self {
        match origin {
            OriginBody::Human => Origin::Human,
            OriginBody::Machine => Origin::Machine,
        }
    }
}

impl From<Origin> for OriginBody {
    fn from(origin: Origin) -> Self {
        match origin {
            Origin::Human => OriginBody::Human,
            Origin::Machine => OriginBody::Machine,
        }
    }
}

/// The language a resource's texts are served in.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct ContentLanguageResponse {
    /// The language served (also in `Content-Language`).
    #[schema(example = "de-x-ls")]
    pub tag: String,
    pub direction: DirectionBody,
    /// The fields that have no public text in this language and are served in German.
    pub fallback_fields: Vec<TextFieldBody>,
}

impl ContentLanguageResponse {
    /// The German source, as staff write it.
    pub fn source() -> Self {
        Self::of(&LanguageTag::german())
    }

    /// The texts as written, in `language`.
    pub fn of(language: &LanguageTag) -> Self {
        Self {
            tag: language.to_string(),
            direction: language.direction().into(),
            fallback_fields: Vec::new(),
        }
    }
}

/// One field's text in a variant.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TranslatedText {
    pub field: TextFieldBody,
    pub text: String,
    /// The German source changed after this text was written: it is not served until it is
    /// written again.
    pub stale: bool,
}

/// A resource's texts in one language, as staff see them (`?all_languages=true`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TranslationResponse {
    #[schema(example = "en")]
    pub tag: String,
    pub direction: DirectionBody,
    pub origin: OriginBody,
    pub reviewed: bool,
    pub texts: Vec<TranslatedText>,
    /// Which texts the public reads: not stale, and reviewed where the origin or the
    /// language (Leichte Sprache) requires it.
    pub public_fields: Vec<TextFieldBody>,
    pub updated_at: DateTime<Utc>,
}

/// The variants of one owner, grouped by language.
pub fn translation_responses(variants: &[StoredVariant]) -> Vec<TranslationResponse> {
    let mut out: Vec<TranslationResponse> = Vec::new();
    for stored in variants {
        let v = &stored.variant;
        if out.last().is_none_or(|last| last.tag != v.tag.as_str()) {
            out.push(TranslationResponse {
                tag: v.tag.to_string(),
                direction: v.tag.direction().into(),
                origin: v.facts.origin.into(),
                reviewed: v.facts.reviewed,
                texts: Vec::new(),
                public_fields: Vec::new(),
                updated_at: stored.updated_at,
            });
        }
        let last = out.last_mut().expect("pushed above");
        last.texts.push(TranslatedText {
            field: v.field.into(),
            text: v.text.clone(),
            stale: v.facts.stale,
        });
        if v.facts.is_public(&v.tag) {
            last.public_fields.push(v.field.into());
        }
        last.updated_at = last.updated_at.max(stored.updated_at);
    }
    out
}

/// A response with texts residents read.
pub trait Translatable {
    const OWNER: TextOwner;
    /// Whether its variants are in the copy every instance holds (`variant_cache`): those of
    /// resources as many as a catalogue, not those that grow with residents' writing.
    const CACHED: bool = true;
    fn owner_id(&self) -> Uuid;
    /// The language its texts are written in: German, but for a concern raised in another.
    fn source_language(&self) -> LanguageTag {
        LanguageTag::german()
    }
    /// The text of `field` in the source language.
    fn source_text(&self, field: TextField) -> Option<&str>;
    /// Puts the served text of `field` in place of the source's.
    fn set_text(&mut self, field: TextField, text: String);
    /// Says which language was served, and for staff every variant.
    fn set_language(
        &mut self,
        language: ContentLanguageResponse,
        translations: Option<Vec<TranslationResponse>>,
    );
    /// The names of other resources it shows (such as its centre's), each with whose name it
    /// is, to serve in the reader's language as well.
    fn names_shown(&mut self) -> Vec<NameShown<'_>> {
        Vec::new()
    }
}

/// The name of another resource that a response shows.
#[derive(Debug)]
pub struct NameShown<'a> {
    pub owner: TextOwner,
    pub id: Uuid,
    pub field: TextField,
    pub text: &'a mut String,
}

/// What was served: the languages, for `Content-Language`.
#[derive(Debug, Clone, Default)]
pub struct Served(BTreeSet<String>);

impl Served {
    /// Counts `language` as served.
    pub fn add(&mut self, language: &LanguageTag) {
        self.0.insert(language.to_string());
    }

    /// The languages of a single resource, for its `ETag`: `de`, or those served joined by
    /// `+` (a resource may show its own texts in one language and a centre's name in another).
    pub fn single(&self) -> String {
        if self.0.is_empty() {
            SOURCE.to_owned()
        } else {
            self.0.iter().cloned().collect::<Vec<_>>().join("+")
        }
    }

    /// The language a whole document (a feed) is labelled with: of those served, the one
    /// the reader prefers; German when nothing else was served.
    pub fn preferred(&self, wishes: &Preferences) -> String {
        let tags: Vec<LanguageTag> = self
            .0
            .iter()
            .filter_map(|raw| LanguageTag::parse(raw).ok())
            .collect();
        wishes
            .lookup(|candidate| tags.iter().find(|t| t.as_str() == candidate))
            .map(LanguageTag::to_string)
            .or_else(|| self.0.contains(SOURCE).then(|| SOURCE.to_owned()))
            .or_else(|| self.0.iter().next().cloned())
            .unwrap_or_else(|| SOURCE.to_owned())
    }

    /// Adds `Content-Language` and `Vary: Accept-Language` to `response`.
    pub fn mark(&self, response: &mut HttpResponse) {
        let languages = if self.0.is_empty() {
            SOURCE.to_owned()
        } else {
            self.0.iter().cloned().collect::<Vec<_>>().join(", ")
        };
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&languages) {
            headers.insert(header::CONTENT_LANGUAGE, value);
        }
        headers.append(header::VARY, HeaderValue::from_static("Accept-Language"));
    }
}

/// Serves each of `items` in the reader's language; with `staff_view`, also lists every
/// variant. One query for all of them.
pub async fn localize<T: Translatable>(
    conn: &mut AsyncPgConnection,
    enabled: &ContentLanguages,
    reading: &Reading,
    items: &mut [T],
    staff_view: bool,
) -> Result<Served, ApiError> {
    if !staff_view && !wants_variants(enabled, reading, items) {
        // German for everyone: nothing to look up.
        return Ok(Served::default());
    }
    let ids: Vec<Uuid> = items.iter().map(Translatable::owner_id).collect();
    let shown = german_names(items.iter_mut().flat_map(|item| item.names_shown()));
    let others = owners_of(&shown);
    let mut wanted: Vec<(TextOwner, &[Uuid])> = vec![(T::OWNER, ids.as_slice())];
    wanted.extend(others.iter().map(|(owner, ids)| (*owner, ids.as_slice())));
    let by_id: HashMap<Uuid, &T> = items.iter().map(|item| (item.owner_id(), item)).collect();
    let stored = translations::of_many(conn, &wanted, |owner, id, field| {
        if owner == T::OWNER
            && let Some(item) = by_id.get(&id)
        {
            return item.source_text(field);
        }
        shown.get(&(owner, id, field)).map(String::as_str)
    })
    .await?;
    Ok(serve_variants(enabled, reading, items, staff_view, &stored))
}

/// Whether a reader may get any of `items` in another language than it is written in.
fn wants_variants<T: Translatable>(
    enabled: &ContentLanguages,
    reading: &Reading,
    items: &[T],
) -> bool {
    reading.may_want_variants(enabled) || items.iter().any(|i| !i.source_language().is_source())
}

/// The German texts of names shown, by owner, id and field.
type GermanNames = HashMap<(TextOwner, Uuid, TextField), String>;

fn german_names<'a>(names: impl Iterator<Item = NameShown<'a>>) -> GermanNames {
    names
        .map(|name| ((name.owner, name.id, name.field), name.text.clone()))
        .collect()
}

/// The owners of `names`, grouped by kind, for one query.
fn owners_of(names: &GermanNames) -> Vec<(TextOwner, Vec<Uuid>)> {
    let mut owners: Vec<(TextOwner, Vec<Uuid>)> = Vec::new();
    for &(owner, id, _) in names.keys() {
        match owners.iter_mut().find(|(o, _)| *o == owner) {
            Some((_, ids)) if !ids.contains(&id) => ids.push(id),
            Some(_) => {}
            None => owners.push((owner, vec![id])),
        }
    }
    owners
}

/// Serves `names` of resources that a response shows without being them (such as the
/// qualification types in a volunteer's qualifications) in the reader's language; one query.
pub async fn localize_names(
    conn: &mut AsyncPgConnection,
    enabled: &ContentLanguages,
    reading: &Reading,
    mut names: Vec<NameShown<'_>>,
) -> Result<Served, ApiError> {
    let mut served = Served::default();
    if names.is_empty() || !reading.may_want_variants(enabled) {
        return Ok(served);
    }
    let german = german_names(names.iter_mut().map(|name| NameShown {
        owner: name.owner,
        id: name.id,
        field: name.field,
        text: &mut *name.text,
    }));
    let owners = owners_of(&german);
    let wanted: Vec<(TextOwner, &[Uuid])> = owners
        .iter()
        .map(|(owner, ids)| (*owner, ids.as_slice()))
        .collect();
    let stored = translations::of_many(conn, &wanted, |owner, id, field| {
        german.get(&(owner, id, field)).map(String::as_str)
    })
    .await?;
    for name in names {
        serve_name(enabled, reading, &stored, name, &mut served);
    }
    Ok(served)
}

/// Puts the reader's language's text in place of the German `name`, if `stored` has one.
fn serve_name(
    enabled: &ContentLanguages,
    reading: &Reading,
    stored: &Variants,
    name: NameShown<'_>,
    served: &mut Served,
) {
    let Some(variants) = stored.get(&(name.owner, name.id)) else {
        return;
    };
    let plain: Vec<Variant> = variants.iter().map(|s| s.variant.clone()).collect();
    let rendering = translation::render(
        &reading.wishes,
        enabled,
        &LanguageTag::german(),
        &[(name.field, !name.text.is_empty())],
        &plain,
    );
    if let Some(text) = rendering.text(name.field) {
        *name.text = text.to_owned();
        served.add(&rendering.language);
    }
}

/// The stored variants of resources, by kind and id.
pub type Variants = HashMap<(TextOwner, Uuid), Vec<StoredVariant>>;

/// Serves each of `items` in the reader's language from the variants `stored` (of the
/// items and of the resources whose names they show).
pub fn serve_variants<T: Translatable>(
    enabled: &ContentLanguages,
    reading: &Reading,
    items: &mut [T],
    staff_view: bool,
    stored: &Variants,
) -> Served {
    let mut served = Served::default();
    for item in items.iter_mut() {
        let variants = stored
            .get(&(T::OWNER, item.owner_id()))
            .map_or(&[][..], Vec::as_slice);
        let plain: Vec<Variant> = variants.iter().map(|s| s.variant.clone()).collect();
        let source: Vec<(TextField, bool)> = T::OWNER
            .fields()
            .iter()
            .map(|&f| (f, item.source_text(f).is_some_and(|t| !t.is_empty())))
            .collect();
        let rendering = translation::render(
            &reading.wishes,
            enabled,
            &item.source_language(),
            &source,
            &plain,
        );
        for (field, text) in &rendering.texts {
            item.set_text(*field, text.clone());
        }
        served.0.insert(rendering.language.to_string());
        item.set_language(
            ContentLanguageResponse {
                tag: rendering.language.to_string(),
                direction: rendering.language.direction().into(),
                fallback_fields: rendering.fallbacks.iter().map(|&f| f.into()).collect(),
            },
            staff_view.then(|| translation_responses(variants)),
        );
        for name in item.names_shown() {
            serve_name(enabled, reading, stored, name, &mut served);
        }
    }
    served
}

/// The `ETag` of a single resource at `version` served in `language` (`"7"` in German,
/// `"7.en"` in English, `"7.en.*"` in English with every variant): a cache never mixes languages up, and
/// `If-Match` takes any of them for the version.
pub fn language_etag(version: i32, language: &str, all_languages: bool) -> String {
    if all_languages {
        format!("\"{version}.{language}.*\"")
    } else if language == SOURCE {
        format!("\"{version}\"")
    } else {
        format!("\"{version}.{language}\"")
    }
}

/// One translatable resource at `version`, served as `reading` asks: every variant only when
/// the caller `is_staff` of its operator (403 otherwise).
pub async fn one_in_language<T: Translatable + Serialize>(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    reading: &Reading,
    item: T,
    version: i32,
    is_staff: bool,
    if_none_match: &crate::extract::IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    if reading.all_languages && !is_staff {
        return Err(ApiError::Forbidden(
            "Every variant is shown to staff of the operator only.".into(),
        ));
    }
    let mut items = [item];
    let served = localize(
        conn,
        &state.content_languages,
        reading,
        &mut items,
        reading.all_languages,
    )
    .await?;
    Ok(versioned_in_language(
        if_none_match,
        version,
        &served,
        reading.all_languages,
        &items[0],
    ))
}

/// A single translatable resource at `version`: 304 when the client holds it in the same
/// language, else 200; either with `ETag`, `Content-Language` and `Vary`.
pub fn versioned_in_language(
    if_none_match: &crate::extract::IfNoneMatch,
    version: i32,
    served: &Served,
    all_languages: bool,
    body: &impl Serialize,
) -> HttpResponse {
    let tag = language_etag(version, &served.single(), all_languages);
    let mut response = if if_none_match.matches(&tag) {
        crate::extract::not_modified(&tag)
    } else {
        HttpResponse::Ok()
            .insert_header((header::ETAG, tag))
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .json(body)
    };
    served.mark(&mut response);
    response
}

/// A page of translatable items in the reader's language, with a weak `ETag` of its bytes
/// (so a page in another language has another), `Content-Language` naming every language
/// served on it, and `Vary: Accept-Language`.
pub async fn page_in_language<T: Translatable + Serialize + ToSchema>(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    reading: &Reading,
    mut page: crate::pagination::Page<T>,
    if_none_match: &crate::extract::IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let served = localize_list(conn, state, reading, &mut page.items).await?;
    page_served(page, &served, if_none_match)
}

/// `localize` for public lists: from the copy of every variant when it is fresh (see
/// `variant_cache`), from the database otherwise.
pub async fn localize_list<T: Translatable>(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    reading: &Reading,
    items: &mut [T],
) -> Result<Served, ApiError> {
    let enabled = &state.content_languages;
    if !wants_variants(enabled, reading, items) {
        return Ok(Served::default());
    }
    if !T::CACHED {
        return localize(conn, enabled, reading, items, false).await;
    }
    // The shared copy is refreshed from the primary: one made from a replica that has not
    // replayed a write yet would be taken as holding it.
    let snapshot = if state.replica.is_some() && crate::replica::reading_publicly() {
        state
            .variants
            .fresh(&mut *state.primary_conn().await?)
            .await
    } else {
        state.variants.fresh(conn).await
    };
    let Some(snapshot) = snapshot else {
        return localize(conn, enabled, reading, items, false).await;
    };
    // Only variants in a language the reader asks for can be served.
    let asked: Vec<&LanguageTag> = enabled
        .tags()
        .iter()
        .filter(|tag| {
            !tag.is_source()
                && reading
                    .wishes
                    .lookup(|candidate| (candidate == tag.as_str()).then_some(*tag))
                    .is_some()
        })
        .collect();
    let wanted = |cached: &&translations::CachedVariant| asked.contains(&&cached.variant.tag);
    let mut stored = Variants::new();
    for item in items.iter_mut() {
        let id = item.owner_id();
        stored.entry((T::OWNER, id)).or_insert_with(|| {
            snapshot
                .of(T::OWNER, id)
                .iter()
                .filter(wanted)
                .map(|cached| cached.stored(item.source_text(cached.field())))
                .collect()
        });
        for name in item.names_shown() {
            let variants: Vec<StoredVariant> = snapshot
                .of(name.owner, name.id)
                .iter()
                .filter(wanted)
                .map(|cached| {
                    let source = (cached.field() == name.field).then_some(name.text.as_str());
                    cached.stored(source)
                })
                .collect();
            stored.insert((name.owner, name.id), variants);
        }
    }
    Ok(serve_variants(enabled, reading, items, false, &stored))
}

pub fn page_served<T: Serialize + ToSchema>(
    page: crate::pagination::Page<T>,
    served: &Served,
    if_none_match: &crate::extract::IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut response = crate::extract::json_with_body_etag(if_none_match, &page)?;
    served.mark(&mut response);
    Ok(response)
}

/// The enabled content language `raw` names (the query parameter `name`), German included.
pub fn content_language(
    languages: &ContentLanguages,
    raw: &str,
    name: &str,
) -> Result<LanguageTag, quartier_domain::ValidationErrors> {
    let tag = LanguageTag::parse(raw)
        .map_err(|e| quartier_domain::ValidationErrors::single(name, e.to_string()))?;
    languages.find(tag.as_str()).cloned().ok_or_else(|| {
        let enabled: Vec<&str> = languages.tags().iter().map(LanguageTag::as_str).collect();
        quartier_domain::ValidationErrors::single(
            name,
            format!(
                "is not a content language here (enabled: {})",
                enabled.join(", ")
            ),
        )
    })
}

/// The enabled content language `raw` names, for writing a variant (422 otherwise; German
/// is the source and is changed on the resource itself).
pub fn variant_language(state: &AppState, raw: &str) -> Result<LanguageTag, ApiError> {
    let tag = content_language(&state.content_languages, raw, "path.tag")?;
    not_the_source(&tag, &LanguageTag::german())?;
    Ok(tag)
}

/// 422 when a variant in `tag` would be in `source`, the language the texts are written in.
pub fn not_the_source(tag: &LanguageTag, source: &LanguageTag) -> Result<(), ApiError> {
    if tag != source {
        return Ok(());
    }
    Err(ApiError::validation(
        "path.tag",
        &if source.is_source() {
            "is German, the source: change the resource itself".to_owned()
        } else {
            format!("is {source}, the language the texts are written in: they stay as written")
        },
    ))
}

/// Writes the configured content languages to the database (see
/// `translations::sync_languages`) before serving. A database that cannot be reached now
/// does not stop the start: it is tried again every few seconds until it works.
pub async fn sync(pool: &quartier_persistence::pool::PgPool, languages: &ContentLanguages) {
    if let Err(error) = sync_once(pool, languages).await {
        tracing::warn!(%error, "cannot write the content languages yet; trying again");
        let pool = pool.clone();
        let languages = languages.clone();
        actix_web::rt::spawn(async move {
            loop {
                actix_web::rt::time::sleep(std::time::Duration::from_secs(5)).await;
                if sync_once(&pool, &languages).await.is_ok() {
                    tracing::info!("content languages written");
                    break;
                }
            }
        });
    }
}

async fn sync_once(
    pool: &quartier_persistence::pool::PgPool,
    languages: &ContentLanguages,
) -> Result<(), ApiError> {
    let mut conn = quartier_persistence::pool::get(pool).await?;
    translations::sync_languages(&mut conn, languages).await?;
    Ok(())
}

/// Checks the texts of a variant: each within its field's limit, at least one.
pub fn check_texts(
    owner: TextOwner,
    texts: &[(TextField, Option<&str>)],
) -> Result<Vec<(TextField, String)>, ApiError> {
    Ok(texts_in(owner, texts, "texts")?)
}

/// `check_texts` with the errors named `{prefix}.<field>`.
fn texts_in(
    owner: TextOwner,
    texts: &[(TextField, Option<&str>)],
    prefix: &str,
) -> Result<Vec<(TextField, String)>, quartier_domain::ValidationErrors> {
    let mut errors = quartier_domain::ValidationErrors::default();
    let mut checked = Vec::new();
    for &(field, raw) in texts {
        let Some(raw) = raw else { continue };
        let name = format!("{prefix}.{}", field.as_str());
        let text = quartier_domain::bounded_translated_text(
            raw,
            &name,
            owner.max_chars(field),
            field.multiline(),
        );
        match errors.collect(text) {
            Some(text) if text.is_empty() => {
                errors.push(name, "must not be empty: leave the field out instead")
            }
            Some(text) => checked.push((field, text)),
            None => {}
        }
    }
    if checked.is_empty() && errors.is_empty() {
        errors.push(prefix, "must hold at least one text");
    }
    errors.into_result()?;
    Ok(checked)
}

/// A variant as a request writes it (`PUT …/translations/{tag}`, or one language of the
/// `translations` of a whole resource).
pub trait VariantRequest {
    fn origin(&self) -> OriginBody;
    fn reviewed(&self) -> bool;
    /// Each translatable field with its text, if given.
    fn texts(&self) -> Vec<(TextField, Option<&str>)>;
}

/// One variant of a whole resource, checked.
#[derive(Debug, Clone)]
pub struct CheckedVariant {
    pub tag: LanguageTag,
    pub origin: Origin,
    pub reviewed: bool,
    pub texts: Vec<(TextField, String)>,
}

/// Checks the `translations` of a whole resource (an upsert, an import line): each key an
/// enabled language other than German, named once; each text within its field's bounds.
/// `None` when the request has none (the stored variants then stay as they are).
pub fn check_variants<R: VariantRequest>(
    languages: &ContentLanguages,
    owner: TextOwner,
    given: Option<&std::collections::BTreeMap<String, R>>,
) -> Result<Option<Vec<CheckedVariant>>, ApiError> {
    let Some(given) = given else {
        return Ok(None);
    };
    let mut errors = quartier_domain::ValidationErrors::default();
    let mut checked: Vec<CheckedVariant> = Vec::new();
    for (raw, request) in given {
        let name = format!("translations.{raw}");
        let Some(tag) = errors.collect(content_language(languages, raw, &name)) else {
            continue;
        };
        if tag.is_source() {
            errors.push(
                name,
                "is German, the source: give it in the resource's own fields",
            );
            continue;
        }
        if checked.iter().any(|v| v.tag == tag) {
            errors.push(name, format!("names {tag} a second time"));
            continue;
        }
        if let Some(texts) =
            errors.collect(texts_in(owner, &request.texts(), &format!("{name}.texts")))
        {
            checked.push(CheckedVariant {
                tag,
                origin: request.origin().into(),
                reviewed: request.reviewed(),
                texts,
            });
        }
    }
    errors.into_result()?;
    Ok(Some(checked))
}

/// Makes the variants of the owner `id` exactly `variants`, if the request gave any (see
/// `translations::make_exactly`); whether anything changed. After the transaction commits,
/// the caller tells `state.variants` when it did.
pub async fn write_variants(
    conn: &mut AsyncPgConnection,
    owner: TextOwner,
    id: Uuid,
    variants: Option<&[CheckedVariant]>,
    written_by: Option<Uuid>,
) -> Result<bool, ApiError> {
    let Some(variants) = variants else {
        return Ok(false);
    };
    let wanted: Vec<translations::NewVariant<'_>> = variants
        .iter()
        .map(|v| translations::NewVariant {
            tag: &v.tag,
            origin: v.origin,
            reviewed: v.reviewed,
            texts: &v.texts,
            written_by,
        })
        .collect();
    translations::make_exactly(conn, owner, id, &wanted)
        .await
        .map_err(|error| not_enabled_yet(error, "translations"))
}

/// A text in a language this instance enables but the database does not (yet: another
/// instance started with other languages) is refused as about `field`.
fn not_enabled_yet(error: quartier_persistence::Error, field: &str) -> ApiError {
    match error {
        quartier_persistence::Error::Constraint { constraint, .. }
            if translations::LANGUAGE_CONSTRAINTS.contains(&constraint.as_str()) =>
        {
            ApiError::validation(
                field,
                "is not enabled in the database yet; try again in a moment",
            )
        }
        other => other.into(),
    }
}

/// Writes the variant in `tag` of the owner `id` (a resource the caller may change), if the
/// owner is at a version `if_match` names; answers with the variant and the owner's new
/// `ETag`.
pub async fn put_variant(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    owner: TextOwner,
    id: Uuid,
    if_match: &crate::extract::IfMatch,
    variant: &translations::NewVariant<'_>,
) -> Result<HttpResponse, ApiError> {
    let versions = if_match.versions()?;
    let (version, written) = translations::replace(conn, owner, id, versions, variant)
        .await
        .map_err(|error| not_enabled_yet(error, "path.tag"))?
        .map_err(|refusal| ApiError::refused(refusal, "resource"))?;
    state.variants.wrote();
    let response = translation_responses(&written)
        .pop()
        .ok_or_else(|| ApiError::Internal("the variant just written is missing".into()))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, crate::extract::etag(version)))
        .json(response))
}

/// Removes the variant in `tag` of the owner `id` (a resource the caller may change), if the
/// owner is at a version `if_match` names: 204 with the owner's new `ETag`, 404 when there
/// is no such variant.
pub async fn delete_variant(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    owner: TextOwner,
    id: Uuid,
    if_match: &crate::extract::IfMatch,
    tag: &LanguageTag,
) -> Result<HttpResponse, ApiError> {
    let versions = if_match.versions()?;
    let version = translations::remove(conn, owner, id, versions, tag)
        .await?
        .map_err(|refusal| ApiError::refused(refusal, "resource"))?
        .ok_or_else(|| ApiError::NotFound(format!("There is no variant in {tag}.")))?;
    state.variants.wrote();
    Ok(HttpResponse::NoContent()
        .insert_header((header::ETAG, crate::extract::etag(version)))
        .finish())
}

/// German or English, whichever the reader's `Accept-Language` prefers (RFC 4647 lookup over
/// the two; Leichte Sprache counts as German); `None` when it names neither.
pub fn german_or_english(req: &HttpRequest) -> Option<MailLanguage> {
    german_or_english_in(&accept_language(req))
}

/// German or English, whichever `wishes` prefer; `None` when they name neither.
fn german_or_english_in(wishes: &Preferences) -> Option<MailLanguage> {
    let german = LanguageTag::parse(SOURCE).expect("de is a tag");
    let english = LanguageTag::parse("en").expect("en is a tag");
    wishes
        .lookup(|candidate| match candidate {
            "de" => Some(&german),
            "en" => Some(&english),
            _ => None,
        })
        .map(|tag| {
            if tag.is_source() {
                MailLanguage::German
            } else {
                MailLanguage::English
            }
        })
}

/// Whether problems go to this reader in German (English is their default): as `?lang=` asks
/// when the request names a language there (any other than German means English), else as
/// `Accept-Language` prefers.
pub fn prefers_german(req: &HttpRequest) -> bool {
    let wishes = reading(req).map_or_else(|_| accept_language(req), |reading| reading.wishes);
    german_or_english_in(&wishes) == Some(MailLanguage::German)
}

/// The language of mail to someone who did not name one: as her `Accept-Language` prefers,
/// German otherwise.
pub fn mail_language(
    req: &HttpRequest,
    chosen: Option<crate::routes::account::LanguageBody>,
) -> MailLanguage {
    chosen
        .map(MailLanguage::from)
        .or_else(|| german_or_english(req))
        .unwrap_or(MailLanguage::German)
}

/// A problem document with its title, detail and field messages in German as far as they
/// have German versions (`crate::german`), and the languages it is then in; `None` when
/// `bytes` is not a problem document or nothing in it has a German version.
pub fn problem_in_german(bytes: &[u8]) -> Option<(actix_web::web::Bytes, ProblemLanguage)> {
    let mut problem: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let language = crate::german::problem_into_german(&mut problem)?;
    let bytes = serde_json::to_vec(&problem).ok()?;
    Some((bytes.into(), language))
}

/// A problem document for a reader who prefers German (`german`) or not, and the languages
/// it is in.
pub fn problem_for_reader(
    bytes: actix_web::web::Bytes,
    german: bool,
) -> (actix_web::web::Bytes, ProblemLanguage) {
    if german && let Some(localized) = problem_in_german(&bytes) {
        return localized;
    }
    (bytes, ProblemLanguage::English)
}

/// A problem response built in memory (not streamed) for a reader who prefers German or not,
/// with `Content-Language` and `Vary: Accept-Language`.
pub fn problem_response_for_reader(response: HttpResponse, german: bool) -> HttpResponse {
    let (head, body) = response.into_parts();
    let (mut response, language) = match actix_web::body::MessageBody::try_into_bytes(body) {
        Ok(bytes) => {
            let (bytes, language) = problem_for_reader(bytes, german);
            (head.set_body(bytes).map_into_boxed_body(), language)
        }
        Err(body) => (head.set_body(body), ProblemLanguage::English),
    };
    mark_problem_language(response.headers_mut(), language);
    response
}

/// `Content-Language` of a problem document, and `Vary: Accept-Language`.
pub fn mark_problem_language(
    headers: &mut actix_web::http::header::HeaderMap,
    language: ProblemLanguage,
) {
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(language.content_language()),
    );
    headers.append(header::VARY, HeaderValue::from_static("Accept-Language"));
}

/// What each owner in `owners` (its id and the German text of each field shown) is served
/// as: for views that are not responses (calendar feeds, mail).
pub async fn renderings(
    conn: &mut AsyncPgConnection,
    enabled: &ContentLanguages,
    reading: &Reading,
    owner: TextOwner,
    owners: &[(Uuid, Vec<(TextField, &str)>)],
) -> Result<HashMap<Uuid, translation::Rendering>, ApiError> {
    if !reading.may_want_variants(enabled) {
        return Ok(HashMap::new());
    }
    let ids: Vec<Uuid> = owners.iter().map(|(id, _)| *id).collect();
    let sources: HashMap<Uuid, &[(TextField, &str)]> = owners
        .iter()
        .map(|(id, fields)| (*id, fields.as_slice()))
        .collect();
    let stored = translations::of_owners(conn, owner, &ids, |id, field| {
        sources
            .get(&id)
            .and_then(|fields| fields.iter().find(|(f, _)| *f == field))
            .map(|(_, text)| *text)
    })
    .await?;
    Ok(owners
        .iter()
        .map(|(id, fields)| {
            let variants: Vec<Variant> = stored
                .get(id)
                .map(|v| v.iter().map(|s| s.variant.clone()).collect())
                .unwrap_or_default();
            let shown: Vec<(TextField, bool)> = fields
                .iter()
                .map(|(field, text)| (*field, !text.is_empty()))
                .collect();
            (
                *id,
                translation::render(
                    &reading.wishes,
                    enabled,
                    &LanguageTag::german(),
                    &shown,
                    &variants,
                ),
            )
        })
        .collect())
}
