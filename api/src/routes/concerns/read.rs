//! Reading concerns: the public list, one concern, those like a draft, one's own, and the
//! queue of an operator that answers them.

use actix_web::{HttpResponse, get, web};
use quartier_domain::StaffRole;
use quartier_domain::concern::NEARBY_METRES;
use quartier_domain::integration::Scope;
use quartier_persistence::concerns::{self, ConcernFilter, ConcernKey, Draft};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{ConcernResponse, ConcernStatusBody, answers, readable};
use crate::auth::{AuthUser, Caller, MaybeCaller};
use crate::authz::require_operator;
use crate::error::{ApiError, Problem};
use crate::extract::{IfNoneMatch, json_with_body_etag, json_with_version_and_body_etag};
use crate::languages::{
    LanguageQuery, ListLanguageQuery, Reading, Served, localize, localize_list,
};
use crate::pagination::{self, Page};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListConcernsQuery {
    /// Only concerns in this district or a district inside it.
    pub district_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    /// Only concerns in this status.
    pub status: Option<ConcernStatusBody>,
    /// Only concerns within `radius_m` (default 150) of this point, as `latitude,longitude`.
    #[param(example = "51.514,7.465", max_length = 60)]
    pub near: Option<String>,
    /// Metres around `near`, 1 to 20000.
    #[param(minimum = 1, maximum = 20000)]
    pub radius_m: Option<f64>,
    /// Words in the title or text.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 2048)]
    pub cursor: Option<String>,
}

impl ListConcernsQuery {
    /// The filter this query asks for, checked.
    fn filter(&self) -> Result<ConcernFilter<'_>, ApiError> {
        let mut errors = quartier_domain::ValidationErrors::default();
        let near = match &self.near {
            Some(raw) => errors.collect(parse_near(raw, self.radius_m)),
            None => {
                if self.radius_m.is_some() {
                    errors.push("radius_m", "needs near");
                }
                None
            }
        };
        if self.q.as_ref().is_some_and(|q| q.chars().count() > 200) {
            errors.push("q", "must be at most 200 characters");
        }
        if self.q.as_ref().is_some_and(|q| q.contains('\0')) {
            errors.push("q", "must not contain control characters");
        }
        errors.into_result()?;
        Ok(ConcernFilter {
            district_id: self.district_id,
            category_id: self.category_id,
            statuses: self.status.map(|s| vec![s.into()]).unwrap_or_default(),
            near,
            q: self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()),
            ..ConcernFilter::default()
        })
    }
}

/// `latitude,longitude` and the radius around it.
fn parse_near(
    raw: &str,
    radius: Option<f64>,
) -> Result<(f64, f64, f64), quartier_domain::ValidationErrors> {
    let single = |m: &str| quartier_domain::ValidationErrors::single("near", m);
    let (lat, lon) = raw
        .split_once(',')
        .ok_or_else(|| single("must be latitude,longitude such as 51.5136,7.4653"))?;
    let (Ok(lat), Ok(lon)) = (lat.trim().parse::<f64>(), lon.trim().parse::<f64>()) else {
        return Err(single("must be latitude,longitude such as 51.5136,7.4653"));
    };
    let point = quartier_domain::GeoPoint::parse(lat, lon, "near")?;
    let radius = radius.unwrap_or(NEARBY_METRES);
    if !(1.0..=20_000.0).contains(&radius) {
        return Err(quartier_domain::ValidationErrors::single(
            "radius_m",
            "must be from 1 to 20000",
        ));
    }
    Ok((point.latitude(), point.longitude(), radius))
}

/// Lists `filter`'s concerns, a page from the cursor of `query`, in the reader's language.
async fn page_of(
    state: &AppState,
    filter: &ConcernFilter<'_>,
    query: &ListConcernsQuery,
    reader: Option<AuthUser>,
    reading: &Reading,
) -> Result<(Page<ConcernResponse>, Served), ApiError> {
    let limit = pagination::limit(query.limit)?;
    let after: Option<ConcernKey> = pagination::decode_cursor(query.cursor.as_deref())?;
    let mut conn = state.conn().await?;
    let rows = concerns::list(&mut conn, filter, after, i64::from(limit) + 1).await?;
    let mut page = pagination::page(
        rows,
        limit,
        |row| (row.created_at, row.id),
        |row| ConcernResponse::new(row, reader, None),
    );
    let served = localize_list(&mut conn, state, reading, &mut page.items).await?;
    Ok((page, served))
}

/// Published concerns, newest first, each in the reader's language. Public; never names
/// supporters, and authors only where they chose so.
#[utoipa::path(
    tag = "concerns",
    params(
        ListConcernsQuery,
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the page the client holds"),
    ),
    responses(
        (status = 200, description = "One page of concerns", body = Page<ConcernResponse>, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "The client's copy of this page is current", headers(("ETag" = String))),
        (status = 400, description = "A query parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`near`, `radius_m`, `q`, `limit` or `cursor` out of range (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/concerns")]
pub async fn list_concerns(
    state: web::Data<AppState>,
    query: web::Query<ListConcernsQuery>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut filter = query.filter()?;
    filter.public_only = true;
    // Anonymous searches take turns, so that one client cannot starve the others.
    let _turn = state.fair_share.search(true).await?;
    let (page, served) = page_of(&state, &filter, &query, None, &reading).await?;
    let mut response = json_with_body_etag(&if_none_match, &page)?;
    served.mark(&mut response);
    Ok(response)
}

/// Your own concerns, newest first: also those not yet published.
#[utoipa::path(
    tag = "concerns",
    security(("bearer" = [])),
    params(
        ListConcernsQuery,
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
    ),
    responses(
        (status = 200, description = "One page of your concerns", body = Page<ConcernResponse>, headers(("Content-Language" = String), ("Vary" = String))),
        (status = 400, description = "A query parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`near`, `radius_m`, `q`, `limit` or `cursor` out of range (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/concerns")]
pub async fn my_concerns(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ListConcernsQuery>,
    reading: Reading,
) -> Result<HttpResponse, ApiError> {
    let mut filter = query.filter()?;
    filter.author_id = Some(user.id);
    let (page, served) = page_of(&state, &filter, &query, Some(user), &reading).await?;
    let mut response = HttpResponse::Ok().json(page);
    served.mark(&mut response);
    Ok(response)
}

/// The concerns an operator answers, newest first, whatever their status: its queue.
/// Administrators, the operator's staff, and its API keys with `concerns:write`; staff limited
/// to some of its centres see the concerns about those.
#[utoipa::path(
    tag = "concerns",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ListConcernsQuery,
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
    ),
    responses(
        (status = 200, description = "One page of the operator's concerns", body = Page<ConcernResponse>, headers(("Content-Language" = String), ("Vary" = String))),
        (status = 400, description = "A parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of this operator, or an API key of another operator or without the scope `concerns:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`near`, `radius_m`, `q`, `limit` or `cursor` out of range (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/operators/{id}/concerns")]
pub async fn operator_concerns(
    state: web::Data<AppState>,
    caller: Caller,
    operator_id: web::Path<Uuid>,
    query: web::Query<ListConcernsQuery>,
    reading: Reading,
) -> Result<HttpResponse, ApiError> {
    query.filter()?;
    let centres = {
        let mut conn = state.conn().await?;
        require_operator(
            &mut conn,
            &caller,
            *operator_id,
            StaffRole::Coordinator,
            Scope::ConcernsWrite,
        )
        .await?;
        match caller.user() {
            Some(user) if !caller.is_admin() => {
                super::limited_to(&mut conn, *operator_id, user.id).await?
            }
            _ => None,
        }
    };
    queue(&state, &query, &reading, caller.user(), |filter| {
        filter.operator_ids = Some(vec![*operator_id]);
        // Staff limited to some centres see the concerns about those.
        filter.centre_ids = centres;
    })
    .await
}

/// A queue of concerns, whatever their status: `query`'s filter narrowed by `narrow`.
pub(crate) async fn queue(
    state: &AppState,
    query: &ListConcernsQuery,
    reading: &Reading,
    reader: Option<AuthUser>,
    narrow: impl FnOnce(&mut ConcernFilter<'_>),
) -> Result<HttpResponse, ApiError> {
    let mut filter = query.filter()?;
    narrow(&mut filter);
    let (page, served) = page_of(state, &filter, query, reader, reading).await?;
    let mut response = HttpResponse::Ok().json(page);
    served.mark(&mut response);
    Ok(response)
}

/// One concern, in the reader's language. Public once published; before, only its author
/// and those who answer it see it. Those who answer it may ask for every variant of its
/// texts (`all_languages=true`).
#[utoipa::path(
    tag = "concerns",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The concern's id"),
        LanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the copy the client holds"),
    ),
    responses(
        (status = 200, description = "The concern", body = ConcernResponse, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "The client's copy is current", headers(("ETag" = String))),
        (status = 400, description = "The id or the language parameters do not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`all_languages` asked for by someone who does not answer the concern (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No concern has this id, or it is not published and not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`lang` is not a language tag, such as `de-LS` (Lesotho's German; Leichte Sprache is `de-x-ls`) (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/concerns/{id}")]
pub async fn get_concern(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let user = caller.as_ref().and_then(|c| c.user());
    let mut conn = state.conn().await?;
    let view = readable(&mut conn, caller.as_ref(), *id).await?;
    if reading.all_languages {
        match &caller {
            Some(caller) if answers(&mut conn, caller, &view).await? => {}
            _ => {
                return Err(ApiError::Forbidden(
                    "Every variant is shown to those who answer the concern only.".into(),
                ));
            }
        }
    }
    let supported = match user {
        Some(user) => Some(concerns::supports(&mut conn, view.id, user.id).await?),
        None => None,
    };
    let version = view.version;
    let mut items = [ConcernResponse::new(view, user, supported)];
    let served = localize(
        &mut conn,
        &state.content_languages,
        &reading,
        &mut items,
        reading.all_languages,
    )
    .await?;
    let mut response = json_with_version_and_body_etag(&if_none_match, version, &items[0])?;
    served.mark(&mut response);
    Ok(response)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarQuery {
    /// The title the resident is about to give.
    #[param(min_length = 1, max_length = 200, example = "Bank Spielplatz")]
    pub title: String,
    /// The text so far.
    #[param(max_length = 5000)]
    pub text: Option<String>,
    /// Only concerns in this district or one inside it.
    pub district_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    #[param(minimum = -90, maximum = 90)]
    pub lat: Option<f64>,
    #[param(minimum = -180, maximum = 180)]
    pub lon: Option<f64>,
}

/// A published concern like a draft, and how alike.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarConcern {
    pub concern: ConcernResponse,
    /// From 0 to 1: how alike the words are.
    pub similarity: f32,
    /// Metres between the draft's point and the concern's, when both have one.
    pub distance_m: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarConcerns {
    /// The most alike first; at most 10.
    pub items: Vec<SimilarConcern>,
}

/// Has a neighbour raised this already? Published concerns whose words are like the draft's
/// (so "Bank Spielplatz" finds "Sitzbank am Spielplatz fehlt"), or within 150 m of its
/// point, in its district and category when given. Public.
#[utoipa::path(
    tag = "concerns",
    params(
        SimilarQuery,
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
    ),
    responses(
        (status = 200, description = "Concerns like the draft, each in the reader's language", body = SimilarConcerns, headers(("Content-Language" = String), ("Vary" = String))),
        (status = 400, description = "A query parameter does not parse, or `title` is missing (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`title` empty or too long, `text` too long, control characters, or only one of `lat` and `lon` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/concerns/similar")]
pub async fn similar_concerns(
    state: web::Data<AppState>,
    query: web::Query<SimilarQuery>,
    reading: Reading,
) -> Result<HttpResponse, ApiError> {
    let mut errors = quartier_domain::ValidationErrors::default();
    let title = query.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        errors.push("title", "must be 1 to 200 characters");
    }
    if title.contains('\0') {
        errors.push("title", "must not contain control characters");
    }
    if query
        .text
        .as_ref()
        .is_some_and(|t| t.chars().count() > 5000)
    {
        errors.push("text", "must be at most 5000 characters");
    }
    if query.text.as_ref().is_some_and(|t| t.contains('\0')) {
        errors.push("text", "must not contain control characters");
    }
    let point = match (query.lat, query.lon) {
        (Some(lat), Some(lon)) => errors
            .collect(quartier_domain::GeoPoint::parse(lat, lon, "lat"))
            .map(|p| (p.latitude(), p.longitude())),
        (None, None) => None,
        _ => {
            errors.push("lon", "lat and lon come together");
            None
        }
    };
    errors.into_result()?;
    let _turn = state.fair_share.search(true).await?;
    let mut conn = state.conn().await?;
    let found = concerns::similar(
        &mut conn,
        &Draft {
            title,
            text: query.text.as_deref(),
            district_id: query.district_id,
            category_id: query.category_id,
            point,
        },
        10,
    )
    .await?;
    let (mut concerns, likeness): (Vec<ConcernResponse>, Vec<(f32, Option<f64>)>) = found
        .into_iter()
        .map(|s| {
            (
                ConcernResponse::new(s.concern, None, None),
                (s.similarity, s.distance_m.map(|d| d.round())),
            )
        })
        .unzip();
    let served = localize_list(&mut conn, &state, &reading, &mut concerns).await?;
    let items = concerns
        .into_iter()
        .zip(likeness)
        .map(|(concern, (similarity, distance_m))| SimilarConcern {
            concern,
            similarity,
            distance_m,
        })
        .collect();
    let mut response = HttpResponse::Ok().json(SimilarConcerns { items });
    served.mark(&mut response);
    Ok(response)
}
