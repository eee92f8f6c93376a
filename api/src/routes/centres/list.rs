//! `GET /centres`: the public directory of centres, and the search terms it shares with the
//! other directories.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use quartier_domain::{CentreKind, CentreStatus, GeoPoint, ValidationErrors};
use quartier_persistence::centres::{self, CentreFilter, CentreKey, Near};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::{CentreKindBody, CentreResponse, CentreStatusBody};
use crate::error::{ApiError, Problem};
use crate::extract::IfNoneMatch;
use crate::languages::{ListLanguageQuery, Reading, Served, localize_list, page_served};
use crate::pagination::{self, Page};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListCentresQuery {
    /// Only centres in this district or any district inside it.
    pub district_id: Option<Uuid>,
    /// Only centres of this operator.
    pub operator_id: Option<Uuid>,
    pub kind: Option<CentreKindBody>,
    pub status: Option<CentreStatusBody>,
    /// Only centres with a step-free entrance.
    pub step_free: Option<bool>,
    pub accessible_toilet: Option<bool>,
    pub hearing_loop: Option<bool>,
    pub disabled_parking: Option<bool>,
    /// Only centres where this language is spoken (ISO 639 code, such as `tr`).
    #[param(pattern = "^[A-Za-z]{2,3}$")]
    pub language: Option<String>,
    /// Words to find in name and description (German full text: "Café" finds "Cafés";
    /// "quoted phrases" and -excluded words work).
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// `latitude,longitude`: nearest first, within `radius_km`, each with its `distance_km`.
    #[param(
        example = "51.5136,7.4653",
        pattern = r"^-?[0-9]+(\.[0-9]+)?,-?[0-9]+(\.[0-9]+)?$"
    )]
    pub near: Option<String>,
    /// Kilometres around `near`, 0.1 to 100 (default 5).
    #[param(minimum = 0.1, maximum = 100)]
    pub radius_km: Option<f64>,
    /// Only centres open now (by their opening hours in Europe/Berlin and their closures).
    pub open_now: Option<bool>,
    /// Only centres open at this moment (RFC 3339, such as `2026-12-01T14:30:00Z`; encode a
    /// `+` offset as `%2B` in the URL).
    pub open_at: Option<DateTime<Utc>>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 2048)]
    pub cursor: Option<String>,
}

/// The directory of centres: by name, or nearest first with `near`. Public.
#[utoipa::path(
    tag = "centres",
    params(
        ListCentresQuery,
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `tr, de;q=0.5`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the page the client holds"),
    ),
    responses(
        (status = 200, description = "One page of centres", body = Page<CentreResponse>, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "The client's copy of this page is current", headers(("ETag" = String))),
        (status = 400, description = "A query parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter out of range, or an unknown `cursor` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/centres")]
pub async fn list_centres(
    state: web::Data<AppState>,
    query: web::Query<ListCentresQuery>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let (page, served) = page_of(&state, &query, &reading).await?;
    page_served(page, &served, &if_none_match)
}

/// One page of the directory in the reader's language; the query is checked before a
/// connection is taken.
pub(crate) async fn page_of(
    state: &AppState,
    query: &ListCentresQuery,
    reading: &Reading,
) -> Result<(Page<CentreResponse>, Served), ApiError> {
    let terms = check_query(query)?;
    let limit = pagination::limit(query.limit)?;
    let after: Option<CentreKey> = pagination::decode_cursor(query.cursor.as_deref())?;
    let filter = centre_filter(query, &terms);
    let mut conn = state.conn().await?;
    let rows = centres::list(&mut conn, &filter, after.as_ref(), i64::from(limit) + 1).await?;
    let mut page = pagination::page(rows, limit, centres::key, CentreResponse::from);
    let served = localize_list(&mut conn, state, reading, &mut page.items).await?;
    Ok((page, served))
}

/// Checks the search terms and `open_at`; every error at once, each field named `query.<name>`.
fn check_query(query: &ListCentresQuery) -> Result<SearchTerms, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let terms = SearchTerms::check(
        query.near.as_deref(),
        query.radius_km,
        query.language.as_deref(),
        query.q.as_deref(),
        &mut errors,
    );
    if query
        .open_at
        .is_some_and(|at| !(1900..=9999).contains(&chrono::Datelike::year(&at)))
    {
        errors.push(
            "open_at",
            "must be a moment between the years 1900 and 9999",
        );
    }
    errors.into_result().map_err(ValidationErrors::in_query)?;
    Ok(terms)
}

/// The filter `query` asks for, with its checked search terms. `open_now` means this moment
/// unless `open_at` names another.
fn centre_filter<'a>(query: &ListCentresQuery, terms: &'a SearchTerms) -> CentreFilter<'a> {
    CentreFilter {
        district_id: query.district_id,
        operator_id: query.operator_id,
        kind: query.kind.map(|k| CentreKind::from(k).as_str()),
        status: query.status.map(|s| CentreStatus::from(s).as_str()),
        step_free: query.step_free.unwrap_or(false),
        accessible_toilet: query.accessible_toilet.unwrap_or(false),
        hearing_loop: query.hearing_loop.unwrap_or(false),
        disabled_parking: query.disabled_parking.unwrap_or(false),
        language: terms.language.as_deref(),
        text: terms.text.as_deref(),
        near: terms.near,
        open_at: match (query.open_at, query.open_now) {
            (Some(at), _) => Some(at),
            (None, Some(true)) => Some(Utc::now()),
            _ => None,
        },
    }
}

/// The search terms the directories share: a point with a radius, a language, free text.
#[derive(Debug, Default)]
pub struct SearchTerms {
    pub near: Option<Near>,
    /// An ISO 639 code in lower case.
    pub language: Option<String>,
    /// Trimmed; `None` when empty.
    pub text: Option<String>,
    /// The reader's language, when it is not German: `text` is also looked for in it.
    pub text_language: Option<String>,
    /// Only what has a public text in this language.
    pub available_in: Option<String>,
}

impl SearchTerms {
    /// Checks the raw query parameters, recording what is wrong in `errors`.
    pub fn check(
        near: Option<&str>,
        radius_km: Option<f64>,
        language: Option<&str>,
        q: Option<&str>,
        errors: &mut ValidationErrors,
    ) -> Self {
        let near = near.and_then(|raw| errors.collect(parse_near(raw, radius_km)));
        if radius_km.is_some_and(|r| !(0.1..=100.0).contains(&r)) {
            errors.push("radius_km", "must be from 0.1 to 100");
        }
        let language = language.map(str::to_ascii_lowercase);
        if language.as_ref().is_some_and(|l| {
            !(2..=3).contains(&l.len()) || !l.bytes().all(|b| b.is_ascii_lowercase())
        }) {
            errors.push("language", "must be a language code such as de, en or tr");
        }
        let text = q.map(str::trim).filter(|q| !q.is_empty());
        if text.is_some_and(|q| q.chars().count() > 200 || q.contains('\0')) {
            errors.push("q", "must be at most 200 characters");
        }
        Self {
            near,
            language,
            text: text.map(str::to_owned),
            ..Self::default()
        }
    }
}

/// `latitude,longitude` and the radius around it.
pub fn parse_near(raw: &str, radius_km: Option<f64>) -> Result<Near, ValidationErrors> {
    let parsed = raw.split_once(',').and_then(|(lat, lon)| {
        Some((
            lat.trim().parse::<f64>().ok()?,
            lon.trim().parse::<f64>().ok()?,
        ))
    });
    let Some((latitude, longitude)) = parsed else {
        return Err(ValidationErrors::single(
            "near",
            "must be latitude,longitude such as 51.5136,7.4653",
        ));
    };
    let point = GeoPoint::parse(latitude, longitude, "near")?;
    let radius_km = radius_km.unwrap_or(5.0);
    if !(0.1..=100.0).contains(&radius_km) {
        return Err(ValidationErrors::single(
            "radius_km",
            "must be from 0.1 to 100",
        ));
    }
    Ok(Near {
        latitude: point.latitude(),
        longitude: point.longitude(),
        radius_km,
    })
}
