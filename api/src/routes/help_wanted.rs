//! `GET /help-wanted`: where help is wanted now, for town and district websites, feed
//! readers, calendars and volunteer databases. Shifts that take sign-ups and have a free
//! place, with live counts and the time the offer runs out; never who signed up.
//!
//! One list in five formats, chosen by `Accept` or by a suffix (`/help-wanted.atom`): JSON,
//! Atom, iCalendar, JSON-LD (schema.org `JobPosting`s of `employmentType` `VOLUNTEER`) and
//! CSV. Every format is public and may be cached for a minute by anyone.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use quartier_domain::translation::{TextField, TextOwner};
use quartier_domain::{ValidationErrors, atom, ical};
use quartier_persistence::help_wanted::{self, HelpWanted, HelpWantedFilter};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, Problem};
use crate::extract::IfNoneMatch;
use crate::languages::{
    ContentLanguageResponse, ListLanguageQuery, NameShown, Reading, Served, Translatable,
    TranslationResponse, localize_list,
};
use crate::routes::activities::Named;
use crate::routes::centres::list::SearchTerms;
use crate::routes::districts::Point;
use crate::routes::feeds::to_bytes;
use crate::routes::rosters::csv::Dialect;
use crate::state::AppState;

/// How long anyone may keep an answer before asking again.
pub const PUBLIC_MAX_AGE_SECS: u32 = 60;
/// How many shifts one answer lists at most, and by default.
const MOST: i64 = 500;
const DEFAULT_LIMIT: i64 = 100;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HelpWantedQuery {
    /// Only in this district or any district inside it.
    pub district_id: Option<Uuid>,
    pub centre_id: Option<Uuid>,
    pub operator_id: Option<Uuid>,
    /// Comma-separated skill tags: shifts tagged with any of them.
    #[param(example = "baking,childcare", max_length = 500)]
    pub skills: Option<String>,
    /// Shifts starting from here (RFC 3339; default now; encode `+` as `%2B`).
    pub from: Option<DateTime<Utc>>,
    /// … until here (default 31 days after `from`, at most 93).
    pub to: Option<DateTime<Utc>>,
    /// `latitude,longitude`: only at centres within `radius_km` of this point.
    #[param(example = "51.514,7.465", max_length = 64)]
    pub near: Option<String>,
    /// The radius around `near` in kilometres, 0.1 to 100 (default 5).
    #[param(minimum = 0.1, maximum = 100)]
    pub radius_km: Option<f64>,
    /// How many shifts at most, the soonest first: 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// A format of the list, as a suffix names it.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FeedFormat {
    /// `application/json`
    Json,
    /// `application/atom+xml`
    Atom,
    /// `text/calendar`
    Ics,
    /// `application/ld+json`
    Jsonld,
    /// `text/csv`
    Csv,
}

impl FeedFormat {
    pub(crate) const ALL: [FeedFormat; 5] = [
        FeedFormat::Json,
        FeedFormat::Atom,
        FeedFormat::Ics,
        FeedFormat::Jsonld,
        FeedFormat::Csv,
    ];

    pub(crate) fn media_type(self) -> &'static str {
        match self {
            FeedFormat::Json => "application/json",
            FeedFormat::Atom => "application/atom+xml",
            FeedFormat::Ics => "text/calendar",
            FeedFormat::Jsonld => "application/ld+json",
            FeedFormat::Csv => "text/csv",
        }
    }

    pub(crate) fn suffix(self) -> &'static str {
        match self {
            FeedFormat::Json => "json",
            FeedFormat::Atom => "atom",
            FeedFormat::Ics => "ics",
            FeedFormat::Jsonld => "jsonld",
            FeedFormat::Csv => "csv",
        }
    }

    /// The format `Accept` prefers (RFC 9110 weights, the earlier of equal ones); JSON when
    /// it names none of them (or anything, `*/*`).
    pub fn negotiate(accept: Option<&str>) -> Self {
        let mut best: Option<(f32, FeedFormat)> = None;
        for range in accept.unwrap_or_default().split(',') {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let weight = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let Some(format) = Self::ALL.into_iter().find(|f| f.media_type() == media) else {
                continue;
            };
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, format));
            }
        }
        best.map_or(FeedFormat::Json, |(_, format)| format)
    }
}

/// How a person signs up for a shift.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SignupKind {
    /// With name and mail address, no account needed.
    Guest,
    /// Signed in (the shift takes no guests, or needs a qualification).
    Account,
}

/// Where a person signs up.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignupLink {
    pub kind: SignupKind,
    /// The page of the app where the sign-up opens with this shift chosen.
    #[schema(
        example = "https://app.example.org/shifts/0190b6c2-7d1e-7000-8000-000000000001/sign-up?as=guest"
    )]
    pub url: String,
}

/// Where a shift is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlaceBody {
    #[schema(example = "Lindenstraße 4")]
    pub street: String,
    #[schema(example = "44137")]
    pub postcode: String,
    #[schema(example = "Dortmund")]
    pub town: String,
    pub point: Point,
}

/// One shift that wants help.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HelpWantedItem {
    /// The shift's id.
    pub id: Uuid,
    #[schema(example = "Kuchen backen für das Straßenfest")]
    pub title: String,
    pub description: String,
    /// The activity it belongs to, if any.
    pub activity: Option<Named>,
    pub centre: Named,
    pub place: PlaceBody,
    pub district: Named,
    /// The operator (Träger) of the centre.
    pub operator: Named,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    /// Places neither taken nor held for a guest: at least 1.
    pub free_places: i32,
    pub skills: Vec<String>,
    /// Whether it needs a qualification (then only signed-in volunteers who hold it).
    pub needs_qualifications: bool,
    /// Until when the offer holds: sign-ups close when the shift starts.
    pub valid_through: DateTime<Utc>,
    pub signup: SignupLink,
    /// When the shift or its free places last changed.
    pub updated_at: DateTime<Utc>,
    /// The language `title` and `description` are served in.
    pub content_language: ContentLanguageResponse,
    /// The shift's version: calendars see a moved shift as changed.
    #[serde(skip)]
    pub version: i32,
}

impl Translatable for HelpWantedItem {
    const OWNER: TextOwner = TextOwner::Shift;

    fn owner_id(&self) -> Uuid {
        self.id
    }

    fn source_text(&self, field: TextField) -> Option<&str> {
        match field {
            TextField::Title => Some(&self.title),
            TextField::Description => Some(&self.description),
            _ => None,
        }
    }

    fn set_text(&mut self, field: TextField, text: String) {
        match field {
            TextField::Title => self.title = text,
            TextField::Description => self.description = text,
            _ => {}
        }
    }

    fn set_language(
        &mut self,
        language: ContentLanguageResponse,
        _: Option<Vec<TranslationResponse>>,
    ) {
        self.content_language = language;
    }

    fn names_shown(&mut self) -> Vec<NameShown<'_>> {
        let mut names = vec![NameShown {
            owner: TextOwner::Centre,
            id: self.centre.id,
            field: TextField::Name,
            text: &mut self.centre.name,
        }];
        if let Some(activity) = &mut self.activity {
            names.push(NameShown {
                owner: TextOwner::Activity,
                id: activity.id,
                field: TextField::Title,
                text: &mut activity.name,
            });
        }
        names
    }
}

impl HelpWantedItem {
    fn new(row: HelpWanted, app_url: &str) -> Self {
        let (kind, query) = if row.guests_welcome {
            (SignupKind::Guest, "?as=guest")
        } else {
            (SignupKind::Account, "")
        };
        Self {
            id: row.shift_id,
            title: row.title,
            description: row.description,
            activity: row
                .activity_id
                .zip(row.activity_title)
                .map(|(id, name)| Named { id, name }),
            centre: Named {
                id: row.centre_id,
                name: row.centre_name,
            },
            place: PlaceBody {
                street: row.street,
                postcode: row.postcode,
                town: row.town,
                point: Point {
                    latitude: row.latitude,
                    longitude: row.longitude,
                },
            },
            district: Named {
                id: row.district_id,
                name: row.district_name,
            },
            operator: Named {
                id: row.operator_id,
                name: row.operator_name,
            },
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            capacity: row.capacity,
            free_places: row.free_places,
            skills: row.skills,
            needs_qualifications: row.needs_qualifications,
            valid_through: row.starts_at,
            signup: SignupLink {
                kind,
                url: format!("{app_url}/shifts/{}/sign-up{query}", row.shift_id),
            },
            updated_at: row.updated_at,
            content_language: ContentLanguageResponse::source(),
            version: row.version,
        }
    }

    /// Where it is, in one line.
    fn location(&self) -> String {
        format!(
            "{}, {}, {} {}",
            self.centre.name, self.place.street, self.place.postcode, self.place.town
        )
    }
}

/// The shifts that want help, soonest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpWantedList {
    pub items: Vec<HelpWantedItem>,
}

/// Where help is wanted: shifts that take sign-ups and have a free place, soonest first,
/// each with its free places, until when the offer holds (`valid_through`) and where to sign
/// up. Never names. Public; JSON, Atom, iCalendar, JSON-LD or CSV as `Accept` asks (or use
/// the suffix path). Answers may be kept for a minute by anyone, and any web page may read
/// them (`Access-Control-Allow-Origin: *`).
#[utoipa::path(
    tag = "help-wanted",
    security(()),
    params(
        HelpWantedQuery,
        ListLanguageQuery,
        ("Accept" = Option<String>, Header, description = "`application/json` (default), `application/atom+xml`, `text/calendar`, `application/ld+json` or `text/csv`"),
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the answer the client holds"),
    ),
    responses(
        (status = 200, description = "The shifts that want help", content(
            (HelpWantedList = "application/json"),
            (String = "application/atom+xml"),
            (String = "text/calendar"),
            (Object = "application/ld+json"),
            (String = "text/csv"),
        ), headers(("ETag" = String), ("Cache-Control" = String), ("Content-Language" = String), ("Vary" = String), ("Access-Control-Allow-Origin" = String))),
        (status = 304, description = "The client's copy is current", headers(("ETag" = String))),
        (status = 400, description = "A query parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A reversed or too long range, a bad `near`, `radius_km`, `skills` or `limit` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/help-wanted")]
pub async fn list_help_wanted(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: web::Query<HelpWantedQuery>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let accept = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let format = FeedFormat::negotiate(accept);
    let mut response = serve(&state, &request, &query, &reading, &if_none_match, format).await?;
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("Accept"));
    Ok(response)
}

/// The same list in the format the suffix names, whatever `Accept` says: for feed readers
/// and calendar programs that send none.
#[utoipa::path(
    tag = "help-wanted",
    security(()),
    params(
        ("format" = FeedFormat, Path, description = "`json`, `atom`, `ics`, `jsonld` or `csv`"),
        HelpWantedQuery,
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the answer the client holds"),
    ),
    responses(
        (status = 200, description = "The shifts that want help", content(
            (HelpWantedList = "application/json"),
            (String = "application/atom+xml"),
            (String = "text/calendar"),
            (Object = "application/ld+json"),
            (String = "text/csv"),
        ), headers(("ETag" = String), ("Cache-Control" = String), ("Content-Language" = String), ("Vary" = String), ("Access-Control-Allow-Origin" = String))),
        (status = 304, description = "The client's copy is current", headers(("ETag" = String))),
        (status = 400, description = "A query parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such format (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A reversed or too long range, a bad `near`, `radius_km`, `skills` or `limit` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/help-wanted.{format}")]
pub async fn list_help_wanted_as(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
    query: web::Query<HelpWantedQuery>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let format = FeedFormat::ALL
        .into_iter()
        .find(|f| f.suffix() == path.as_str())
        .ok_or_else(|| {
            ApiError::NotFound("The formats are json, atom, ics, jsonld and csv.".into())
        })?;
    serve(&state, &request, &query, &reading, &if_none_match, format).await
}

async fn serve(
    state: &AppState,
    request: &HttpRequest,
    query: &HelpWantedQuery,
    reading: &Reading,
    if_none_match: &IfNoneMatch,
    format: FeedFormat,
) -> Result<HttpResponse, ApiError> {
    let skills = crate::routes::shifts::search::skill_tags(query.skills.as_deref())?;
    let (between, near, limit) = check(query)?;
    let filter = HelpWantedFilter {
        district_id: query.district_id,
        centre_id: query.centre_id,
        operator_id: query.operator_id,
        skills: &skills,
        between,
        near,
    };
    let _turn = state.fair_share.search(true).await?;
    let mut conn = state.conn().await?;
    let rows = help_wanted::list(&mut conn, &filter, limit).await?;
    let mut items: Vec<HelpWantedItem> = rows
        .into_iter()
        .map(|row| HelpWantedItem::new(row, &state.app_url))
        .collect();
    let served = localize_list(&mut conn, state, reading, &mut items).await?;
    drop(conn);
    let language = served.preferred(&reading.wishes);
    // The address that gives this format whatever `Accept` says.
    let query = request.query_string();
    let self_url = format!(
        "{}/api/v1/help-wanted.{}{}{}",
        state.public_url,
        format.suffix(),
        if query.is_empty() { "" } else { "?" },
        query
    );
    let body = match format {
        FeedFormat::Json => to_bytes(&HelpWantedList { items })?,
        FeedFormat::Atom => atom_feed(&items, &self_url, &language).into_bytes(),
        FeedFormat::Ics => calendar(&items, &language).into_bytes(),
        FeedFormat::Jsonld => to_bytes(&json_ld(&items, &self_url))?,
        FeedFormat::Csv => csv(&items).into_bytes(),
    };
    Ok(public_answer(if_none_match, body, format, &served))
}

/// The range, the point and the number of shifts asked for, checked.
#[allow(clippy::type_complexity)]
fn check(
    query: &HelpWantedQuery,
) -> Result<
    (
        (DateTime<Utc>, DateTime<Utc>),
        Option<quartier_persistence::centres::Near>,
        i64,
    ),
    ApiError,
> {
    let mut errors = ValidationErrors::default();
    let near = SearchTerms::check(
        query.near.as_deref(),
        query.radius_km,
        None,
        None,
        &mut errors,
    )
    .near;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MOST).contains(&limit) {
        errors.push("limit", "must be from 1 to 500");
    }
    errors.into_result().map_err(ValidationErrors::in_query)?;
    let (from, to) = crate::routes::feeds::window(query.from, query.to);
    let between = crate::routes::occurrences::check_range(from, to)?;
    Ok((between, near, limit))
}

/// A public answer: a weak `ETag` of its bytes (304 when the client holds them), kept by
/// anyone for a minute, in the languages `served` names.
pub(crate) fn public_answer(
    if_none_match: &IfNoneMatch,
    body: Vec<u8>,
    format: FeedFormat,
    served: &Served,
) -> HttpResponse {
    let content_type = match format {
        FeedFormat::Json => "application/json",
        FeedFormat::Atom => "application/atom+xml; charset=utf-8",
        FeedFormat::Ics => "text/calendar; charset=utf-8",
        FeedFormat::Jsonld => "application/ld+json",
        FeedFormat::Csv => "text/csv; charset=utf-8; header=present",
    };
    let mut response = crate::extract::bytes_with_body_etag(if_none_match, body, content_type);
    cache_publicly(&mut response, PUBLIC_MAX_AGE_SECS);
    served.mark(&mut response);
    response
}

/// Anyone may keep the response for `seconds`, whoever asked (so it varies by nothing, and
/// any page may read it: `security::headers`).
pub(crate) fn cache_publicly(response: &mut HttpResponse, seconds: u32) {
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_str(&format!("public, max-age={seconds}"))
            .unwrap_or_else(|_| HeaderValue::from_static("public")),
    );
    headers.remove(header::VARY);
}

/// "3 Plätze frei" in German, "3 places free" in English and the other languages.
fn free_places(count: i32, language: &str) -> String {
    match (language.starts_with("de"), count) {
        (true, 1) => "1 Platz frei".to_owned(),
        (true, n) => format!("{n} Plätze frei"),
        (false, 1) => "1 place free".to_owned(),
        (false, n) => format!("{n} places free"),
    }
}

fn atom_feed(items: &[HelpWantedItem], self_url: &str, feed_language: &str) -> String {
    let title = if feed_language.starts_with("de") {
        "Hilfe gesucht"
    } else {
        "Help wanted"
    };
    let entries = items
        .iter()
        .map(|item| atom::Entry {
            id: format!("urn:uuid:{}", item.id),
            title: format!(
                "{} ({})",
                item.title,
                free_places(item.free_places, &item.content_language.tag)
            ),
            updated: item.updated_at,
            summary: format!(
                "{} – {}, {}. {}",
                crate::routes::feeds::local_time(item.starts_at),
                crate::routes::feeds::local_time(item.ends_at),
                item.location(),
                item.description
            ),
            link: Some(item.signup.url.as_str()),
            categories: item.skills.iter().map(String::as_str).collect(),
        })
        .collect();
    atom::render(&atom::Feed {
        id: "urn:quartier:help-wanted",
        title,
        self_url,
        next_url: None,
        author: "Quartier",
        language: feed_language,
        updated: items
            .iter()
            .map(|i| i.updated_at)
            .max()
            .unwrap_or(DateTime::UNIX_EPOCH),
        entries,
    })
}

fn calendar(items: &[HelpWantedItem], language: &str) -> String {
    let summaries: Vec<(String, String)> = items
        .iter()
        .map(|item| {
            (
                format!(
                    "{} ({})",
                    item.title,
                    free_places(item.free_places, &item.content_language.tag)
                ),
                item.location(),
            )
        })
        .collect();
    let name = if language.starts_with("de") {
        "Hilfe gesucht"
    } else {
        "Help wanted"
    };
    let events = items
        .iter()
        .zip(&summaries)
        .map(|(item, (summary, location))| ical::Event {
            uid: format!("{}.help-wanted@quartier", item.id),
            sequence: item.version,
            starts_at: item.starts_at,
            ends_at: item.ends_at,
            updated_at: item.updated_at,
            summary,
            description: Some(item.description.as_str()).filter(|d| !d.is_empty()),
            location: Some(location),
            geo: Some((item.place.point.latitude, item.place.point.longitude)),
            url: Some(item.signup.url.as_str()),
            categories: item.skills.iter().map(String::as_str).collect(),
            cancelled: false,
            parties: None,
        })
        .collect();
    ical::render(&ical::Calendar {
        name,
        time_zone: quartier_domain::schedule::DEFAULT_TIME_ZONE,
        events,
        method: ical::Method::Publish,
    })
}

/// schema.org: an `ItemList` of `JobPosting`s of `employmentType` `VOLUNTEER`, with
/// `validThrough` and `totalJobOpenings` (the free places).
fn json_ld(items: &[HelpWantedItem], self_url: &str) -> Value {
    let elements: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            json!({
                "@type": "ListItem",
                "position": n + 1,
                "item": {
                    "@type": "JobPosting",
                    "@id": format!("urn:uuid:{}", item.id),
                    "identifier": item.id.to_string(),
                    "title": item.title,
                    "description": item.description,
                    "inLanguage": item.content_language.tag,
                    "employmentType": "VOLUNTEER",
                    "datePosted": item.updated_at,
                    "validThrough": item.valid_through,
                    "jobStartDate": item.starts_at,
                    "totalJobOpenings": item.free_places,
                    "skills": item.skills,
                    "url": item.signup.url,
                    "hiringOrganization": {
                        "@type": "Organization",
                        "name": item.operator.name,
                    },
                    "jobLocation": {
                        "@type": "Place",
                        "name": item.centre.name,
                        "address": {
                            "@type": "PostalAddress",
                            "streetAddress": item.place.street,
                            "postalCode": item.place.postcode,
                            "addressLocality": item.place.town,
                            "addressCountry": "DE",
                        },
                        "geo": {
                            "@type": "GeoCoordinates",
                            "latitude": item.place.point.latitude,
                            "longitude": item.place.point.longitude,
                        },
                    },
                },
            })
        })
        .collect();
    crate::routes::feeds::item_list(self_url, "Help wanted", elements)
}

const CSV_COLUMNS: &str = "shift_id,title,starts_at,ends_at,free_places,capacity,centre,street,postcode,town,district,operator,skills,needs_qualifications,valid_through,signup_kind,signup_url,updated_at";

fn csv(items: &[HelpWantedItem]) -> String {
    let dialect = Dialect::RFC_4180;
    let mut out = String::new();
    dialect.begin(&mut out, CSV_COLUMNS);
    for item in items {
        let kind = match item.signup.kind {
            SignupKind::Guest => "guest",
            SignupKind::Account => "account",
        };
        dialect.row(
            &mut out,
            [
                item.id.to_string(),
                item.title.clone(),
                item.starts_at.to_rfc3339(),
                item.ends_at.to_rfc3339(),
                item.free_places.to_string(),
                item.capacity.to_string(),
                item.centre.name.clone(),
                item.place.street.clone(),
                item.place.postcode.clone(),
                item.place.town.clone(),
                item.district.name.clone(),
                item.operator.name.clone(),
                item.skills.join(" "),
                item.needs_qualifications.to_string(),
                item.valid_through.to_rfc3339(),
                kind.to_owned(),
                item.signup.url.clone(),
                item.updated_at.to_rfc3339(),
            ],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_chooses_the_format_by_weight_and_order() {
        assert_eq!(FeedFormat::negotiate(None), FeedFormat::Json);
        assert_eq!(FeedFormat::negotiate(Some("*/*")), FeedFormat::Json);
        assert_eq!(
            FeedFormat::negotiate(Some("application/atom+xml")),
            FeedFormat::Atom
        );
        assert_eq!(
            FeedFormat::negotiate(Some("text/csv;q=0.5, text/calendar")),
            FeedFormat::Ics
        );
        assert_eq!(
            FeedFormat::negotiate(Some("application/ld+json, application/json")),
            FeedFormat::Jsonld
        );
        assert_eq!(
            FeedFormat::negotiate(Some("text/calendar;q=0, text/html")),
            FeedFormat::Json
        );
    }
}
