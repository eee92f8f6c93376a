//! "What's on" and the centres directory as feeds for town and district websites: Atom for
//! feed readers, JSON-LD (schema.org `Event`s and `CivicStructure`s) for search engines and
//! linked-data tools, and the lists' own JSON for the widgets (`/embed/widgets.js`). The same filters as `GET /occurrences` and `GET /centres`; only what
//! the public sees, whoever asks; cacheable by anyone and readable by any page.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use quartier_domain::atom;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, Problem};
use crate::extract::IfNoneMatch;
use crate::languages::{ListLanguageQuery, Reading, Served};
use crate::pagination::Page;
use crate::routes::activities::ActivityFilterQuery;
use crate::routes::centres::CentreResponse;
use crate::routes::centres::list::ListCentresQuery;
use crate::routes::help_wanted::{FeedFormat, public_answer};
use crate::routes::occurrences::OccurrenceResponse;
use crate::routes::occurrences::search::RangeQuery;
use crate::state::AppState;

/// The formats of "what's on" and the centres as feeds.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DirectoryFormat {
    /// `application/json`: the list's own page, cacheable and readable by any page (for
    /// the widgets).
    Json,
    /// `application/atom+xml`
    Atom,
    /// `application/ld+json`
    Jsonld,
}

/// The format a directory's suffix names: JSON, Atom or JSON-LD (404 otherwise).
fn directory_format(suffix: &str) -> Result<FeedFormat, ApiError> {
    [FeedFormat::Json, FeedFormat::Atom, FeedFormat::Jsonld]
        .into_iter()
        .find(|f| f.suffix() == suffix)
        .ok_or_else(|| {
            ApiError::NotFound("The feed formats here are json, atom and jsonld.".into())
        })
}

/// The address the request was made at, for a feed's `self` link.
fn self_url(state: &AppState, request: &HttpRequest) -> String {
    format!(
        "{}{}",
        state.public_url,
        request.uri().path_and_query().map_or("", |p| p.as_str())
    )
}

/// The address of the page after this one: the same request with `cursor`.
fn next_url(state: &AppState, request: &HttpRequest, cursor: &str) -> String {
    let mut query: Vec<&str> = request
        .query_string()
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("cursor="))
        .collect();
    // Cursors are base64url: nothing in them needs escaping in a query.
    let cursor = format!("cursor={cursor}");
    query.push(&cursor);
    format!("{}{}?{}", state.public_url, request.path(), query.join("&"))
}

/// The feed as a public answer; a further page is named in `Link: <…>; rel="next"` (and in
/// Atom by its own `next` link).
fn answer(
    if_none_match: &IfNoneMatch,
    body: Vec<u8>,
    format: FeedFormat,
    served: &Served,
    next: Option<&str>,
) -> HttpResponse {
    let mut response = public_answer(if_none_match, body, format, served);
    if let Some(next) = next
        && let Ok(value) = HeaderValue::from_str(&format!("<{next}>; rel=\"next\""))
    {
        response.headers_mut().insert(header::LINK, value);
    }
    response
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedRangeQuery {
    /// Start of the range (RFC 3339; default now, so that a subscribed feed moves on).
    pub from: Option<DateTime<Utc>>,
    /// End of the range: after `from`, at most 93 days later (default 31 days after `from`).
    pub to: Option<DateTime<Utc>>,
    /// Items per page, 1 to 100 (default 20); the next page is linked (`rel="next"`).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The cursor of the next page, from its link.
    #[param(max_length = 2048)]
    pub cursor: Option<String>,
}

impl FeedRangeQuery {
    fn range(&self) -> RangeQuery {
        let (from, to) = window(self.from, self.to);
        RangeQuery {
            from,
            to,
            limit: self.limit,
            cursor: self.cursor.clone(),
        }
    }
}

/// How far ahead a feed looks when `to` is left out.
const DEFAULT_DAYS: i64 = 31;

/// A feed's range: from `from` (default now, so that a subscribed feed moves on) until `to`
/// (default 31 days later); checked by the caller.
pub(crate) fn window(
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let from = from.unwrap_or_else(Utc::now);
    let to = to.unwrap_or_else(|| {
        from.checked_add_signed(chrono::Duration::days(DEFAULT_DAYS))
            .unwrap_or(from)
    });
    (from, to)
}

/// A moment as people in the town read it: `01.03.2027 18:00`.
pub(crate) fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&quartier_domain::schedule::DEFAULT_TIME_ZONE)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

pub(crate) fn to_bytes(value: &impl Serialize) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value).map_err(|e| ApiError::Internal(format!("cannot serialize: {e}")))
}

/// A schema.org `ItemList` named `name` at `here`, of `elements` (each a `ListItem`).
pub(crate) fn item_list(here: &str, name: &str, elements: Vec<Value>) -> Value {
    json!({
        "@context": "https://schema.org",
        "@type": "ItemList",
        "@id": here,
        "name": name,
        "numberOfItems": elements.len(),
        "itemListElement": elements,
    })
}

/// "What's on" as a feed: the published dates overlapping the range, soonest first, one page
/// (`limit`, `cursor`) at a time. Atom entries are the dates (`urn:uuid:<occurrence>`);
/// JSON-LD is an `ItemList` of schema.org `Event`s, cancelled ones with `EventCancelled`;
/// JSON is the page of `GET /occurrences`. Public: what anyone sees, whoever asks.
#[utoipa::path(
    tag = "occurrences",
    security(()),
    params(
        ("format" = DirectoryFormat, Path, description = "`json`, `atom` or `jsonld`"),
        ActivityFilterQuery,
        FeedRangeQuery,
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `tr, de;q=0.5`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the answer the client holds"),
    ),
    responses(
        (status = 200, description = "The dates", content(
            (Page<OccurrenceResponse> = "application/json"),
            (String = "application/atom+xml"),
            (Object = "application/ld+json"),
        ), headers(("ETag" = String), ("Cache-Control" = String), ("Content-Language" = String), ("Access-Control-Allow-Origin" = String))),
        (status = 304, description = "The client's copy is current", headers(("ETag" = String))),
        (status = 400, description = "A query parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such format (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter out of range, a reversed or too long range, or an unknown `cursor` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/occurrences.{format}")]
pub async fn whats_on_feed(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
    query: web::Query<ActivityFilterQuery>,
    range: web::Query<FeedRangeQuery>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let format = directory_format(&path)?;
    let (page, served) =
        crate::routes::occurrences::search::page_of(&state, None, &query, &range.range(), &reading)
            .await?;
    let here = self_url(&state, &request);
    let next = page
        .next_cursor
        .as_deref()
        .map(|cursor| next_url(&state, &request, cursor));
    let language = served.preferred(&reading.wishes);
    let body = match format {
        FeedFormat::Atom => events_atom(
            &page.items,
            &here,
            next.as_deref(),
            &state.app_url,
            &language,
        )
        .into_bytes(),
        FeedFormat::Jsonld => to_bytes(&events_json_ld(&page.items, &here, &state.app_url))?,
        _ => to_bytes(&page)?,
    };
    Ok(answer(
        &if_none_match,
        body,
        format,
        &served,
        next.as_deref(),
    ))
}

/// The app's page of an activity (`id` may be a placeholder, for the widgets).
pub(crate) fn event_link(app_url: &str, activity_id: impl std::fmt::Display) -> String {
    format!("{app_url}/activities/{activity_id}")
}

fn category_of(item: &OccurrenceResponse) -> String {
    serde_json::to_value(item.category)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn events_atom(
    items: &[OccurrenceResponse],
    here: &str,
    next: Option<&str>,
    app_url: &str,
    language: &str,
) -> String {
    let german = language.starts_with("de");
    let links: Vec<String> = items
        .iter()
        .map(|i| event_link(app_url, i.activity_id))
        .collect();
    let categories: Vec<String> = items.iter().map(category_of).collect();
    let entries = items
        .iter()
        .zip(links.iter().zip(&categories))
        .map(|(item, (link, category))| {
            let mut title = item.title.clone();
            if item.cancelled {
                title.push_str(if german {
                    " (abgesagt)"
                } else {
                    " (cancelled)"
                });
            }
            let mut summary = format!(
                "{} – {}, {}",
                local_time(item.starts_at),
                local_time(item.ends_at),
                item.centre.name
            );
            if let Some(note) = &item.note {
                summary.push_str(". ");
                summary.push_str(note);
            }
            atom::Entry {
                id: format!("urn:uuid:{}", item.id),
                title,
                updated: item.updated_at,
                summary,
                link: Some(link.as_str()),
                categories: vec![category.as_str()],
            }
        })
        .collect();
    atom::render(&atom::Feed {
        id: "urn:quartier:whats-on",
        title: if german { "Was ist los" } else { "What's on" },
        self_url: here,
        next_url: next,
        author: "Quartier",
        language,
        updated: items
            .iter()
            .map(|i| i.updated_at)
            .max()
            .unwrap_or(DateTime::UNIX_EPOCH),
        entries,
    })
}

fn events_json_ld(items: &[OccurrenceResponse], here: &str, app_url: &str) -> Value {
    let elements: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            let status = if item.cancelled {
                "https://schema.org/EventCancelled"
            } else if item.moved {
                "https://schema.org/EventRescheduled"
            } else {
                "https://schema.org/EventScheduled"
            };
            json!({
                "@type": "ListItem",
                "position": n + 1,
                "item": {
                    "@type": "Event",
                    "@id": format!("urn:uuid:{}", item.id),
                    "name": item.title,
                    "startDate": item.starts_at,
                    "endDate": item.ends_at,
                    "eventStatus": status,
                    "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
                    "isAccessibleForFree": item.free_of_charge,
                    "inLanguage": item.languages,
                    "keywords": category_of(item),
                    "url": event_link(app_url, item.activity_id),
                    "location": {
                        "@type": "Place",
                        "@id": format!("urn:uuid:{}", item.centre.id),
                        "name": item.centre.name,
                    },
                    "organizer": {
                        "@type": "Organization",
                        "@id": format!("urn:uuid:{}", item.operator_id),
                    },
                },
            })
        })
        .collect();
    item_list(here, "What's on", elements)
}

/// The centres directory as a feed: the centres matching the filters, one page (`limit`,
/// `cursor`) at a time. Atom entries are the centres (`urn:uuid:<centre>`); JSON-LD is an
/// `ItemList` of schema.org `CivicStructure`s with address, position, phone, mail and
/// step-free access; JSON is the page of `GET /centres` without the contact persons. Never a
/// person's name.
#[utoipa::path(
    tag = "centres",
    security(()),
    params(
        ("format" = DirectoryFormat, Path, description = "`json`, `atom` or `jsonld`"),
        ListCentresQuery,
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `tr, de;q=0.5`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the answer the client holds"),
    ),
    responses(
        (status = 200, description = "The centres", content(
            (Page<CentreResponse> = "application/json"),
            (String = "application/atom+xml"),
            (Object = "application/ld+json"),
        ), headers(("ETag" = String), ("Cache-Control" = String), ("Content-Language" = String), ("Access-Control-Allow-Origin" = String))),
        (status = 304, description = "The client's copy is current", headers(("ETag" = String))),
        (status = 400, description = "A query parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such format (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter out of range, or an unknown `cursor` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/centres.{format}")]
pub async fn centres_feed(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
    query: web::Query<ListCentresQuery>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let format = directory_format(&path)?;
    let (page, served) = crate::routes::centres::list::page_of(&state, &query, &reading).await?;
    let here = self_url(&state, &request);
    let next = page
        .next_cursor
        .as_deref()
        .map(|cursor| next_url(&state, &request, cursor));
    let language = served.preferred(&reading.wishes);
    let body = match format {
        FeedFormat::Atom => centres_atom(
            &page.items,
            &here,
            next.as_deref(),
            &state.app_url,
            &language,
        )
        .into_bytes(),
        FeedFormat::Jsonld => to_bytes(&centres_json_ld(&page.items, &here, &state.app_url))?,
        // The directory without its contact persons: a feed names no one.
        _ => to_bytes(&Page {
            items: page
                .items
                .into_iter()
                .map(|centre| CentreResponse {
                    contact: None,
                    ..centre
                })
                .collect(),
            next_cursor: page.next_cursor,
        })?,
    };
    Ok(answer(
        &if_none_match,
        body,
        format,
        &served,
        next.as_deref(),
    ))
}

/// The app's page of a centre (`id` may be a placeholder, for the widgets).
pub(crate) fn centre_link(app_url: &str, id: impl std::fmt::Display) -> String {
    format!("{app_url}/centres/{id}")
}

fn centres_atom(
    items: &[CentreResponse],
    here: &str,
    next: Option<&str>,
    app_url: &str,
    language: &str,
) -> String {
    let german = language.starts_with("de");
    let links: Vec<String> = items.iter().map(|c| centre_link(app_url, c.id)).collect();
    let entries = items
        .iter()
        .zip(&links)
        .map(|(centre, link)| {
            let mut summary = format!(
                "{}, {} {}",
                centre.address.street, centre.address.postcode, centre.address.town
            );
            if !centre.description.is_empty() {
                summary.push_str(". ");
                summary.push_str(&centre.description);
            }
            atom::Entry {
                id: format!("urn:uuid:{}", centre.id),
                title: centre.name.clone(),
                updated: centre.updated_at,
                summary,
                link: Some(link.as_str()),
                categories: Vec::new(),
            }
        })
        .collect();
    atom::render(&atom::Feed {
        id: "urn:quartier:centres",
        title: if german {
            "Quartierszentren"
        } else {
            "Neighbourhood centres"
        },
        self_url: here,
        next_url: next,
        author: "Quartier",
        language,
        updated: items
            .iter()
            .map(|c| c.updated_at)
            .max()
            .unwrap_or(DateTime::UNIX_EPOCH),
        entries,
    })
}

fn centres_json_ld(items: &[CentreResponse], here: &str, app_url: &str) -> Value {
    let elements: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(n, centre)| {
            let mut item = json!({
                "@type": "CivicStructure",
                "@id": format!("urn:uuid:{}", centre.id),
                "name": centre.name,
                "description": centre.description,
                "url": centre_link(app_url, centre.id),
                "address": {
                    "@type": "PostalAddress",
                    "streetAddress": centre.address.street,
                    "postalCode": centre.address.postcode,
                    "addressLocality": centre.address.town,
                    "addressCountry": "DE",
                },
                "geo": {
                    "@type": "GeoCoordinates",
                    "latitude": centre.position.latitude,
                    "longitude": centre.position.longitude,
                },
                "isAccessibleForFree": true,
                "amenityFeature": [
                    feature("step-free entrance", centre.accessibility.step_free),
                    feature("accessible toilet", centre.accessibility.accessible_toilet),
                    feature("hearing loop", centre.accessibility.hearing_loop),
                    feature("disabled parking", centre.accessibility.disabled_parking),
                ],
            });
            if let Some(phone) = &centre.phone {
                item["telephone"] = json!(phone);
            }
            if let Some(email) = &centre.email {
                item["email"] = json!(email);
            }
            json!({"@type": "ListItem", "position": n + 1, "item": item})
        })
        .collect();
    item_list(here, "Neighbourhood centres", elements)
}

fn feature(name: &str, value: bool) -> Value {
    json!({"@type": "LocationFeatureSpecification", "name": name, "value": value})
}
