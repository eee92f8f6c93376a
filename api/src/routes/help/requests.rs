//! Help requests: made by residents for themselves, or by a centre's staff for someone who
//! called or came by (with her consent); the public list; one request; withdrawing it; the
//! list a centre's staff work from.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use quartier_domain::help::{self, GridCell, HelpCategory, HelpMode, HelpRequestStatus, Urgency};
use quartier_domain::validation::{FieldError, bounded_multiline_text};
use quartier_domain::window::TimeWindow;
use quartier_domain::{DisplayName, GeoPoint, ValidationErrors, bounded_text};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::help::{self as store, ListFilter, NewRequest, Recorded};
use quartier_persistence::qualifications::POLICE_CERTIFICATE;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    HelpCategoryBody, HelpKindBody, HelpModeBody, HelpRequestResponse, HelpRequestStatusBody,
    PublicHelpRequest, Standing, UrgencyBody, existing, mediates, refused, standing,
};
use crate::auth::{Caller, MaybeCaller};
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, etag};
use crate::pagination::{Page, decode_cursor, limit, page};
use crate::state::AppState;

/// A point, only to find its 500 m cell: it is not stored.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionBody {
    #[schema(minimum = -90, maximum = 90, example = 51.2562)]
    pub latitude: f64,
    #[schema(minimum = -180, maximum = 180, example = 7.1508)]
    pub longitude: f64,
}

/// Someone staff record a request for: she has no account (or does not use it), and
/// agreed, on the phone or at the counter, that the centre records it and passes her name
/// and phone to the helper both sides agree on.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordedForBody {
    #[schema(min_length = 1, max_length = 100, example = "Frau Yılmaz")]
    pub name: String,
    #[schema(max_length = 40, example = "0202 123456")]
    pub phone: Option<String>,
    /// The day she agreed; required, not in the future.
    pub consent_on: Option<NaiveDate>,
}

/// A need or an offer of neighbourly help.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateHelpRequest {
    /// The centre whose staff mediate it.
    pub centre_id: Uuid,
    /// Where the help is wanted; the centre's district when left out.
    pub district_id: Option<Uuid>,
    pub kind: HelpKindBody,
    pub category: HelpCategoryBody,
    /// What the public list shows: no names, no addresses.
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Begleitung zum Arzttermin"
    )]
    pub summary: String,
    /// What only the person, the centre's staff and the helpers read.
    #[schema(max_length = 2000)]
    pub details: Option<String>,
    /// From when the help is wanted.
    pub window_starts_at: DateTime<Utc>,
    /// Until when: after the start, in the future, at most 90 days after the start.
    pub window_ends_at: DateTime<Utc>,
    /// `flexible` when left out.
    pub urgency: Option<UrgencyBody>,
    /// `mediated` when left out.
    pub mode: Option<HelpModeBody>,
    /// What its helpers must hold, valid through the window; for `childcare` the police
    /// certificate when left out.
    pub qualification_type_id: Option<Uuid>,
    /// 1 to 10, default 1.
    #[schema(minimum = 1, maximum = 10)]
    pub helpers_needed: Option<i64>,
    /// Where, roughly: only its 500 m cell is kept.
    pub position: Option<PositionBody>,
    /// Until when it looks for helpers: in the future, at most 90 days ahead; 14 days when
    /// left out.
    pub expires_at: Option<DateTime<Utc>>,
    /// Staff recording it for someone: her name, phone and the day of her consent.
    pub recorded_for: Option<RecordedForBody>,
}

/// The fields of a request, checked: everything the body says that needs no database.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    summary: String,
    details: Option<String>,
    window: TimeWindow,
    helpers_needed: i32,
    grid_cell: Option<String>,
    expires_at: DateTime<Utc>,
    recorded: Option<Recorded>,
    /// When it was checked: the instant its expiry is reckoned from.
    now: DateTime<Utc>,
}

impl Checked {
    /// Checks `body` at `now`; 422 names every invalid field.
    pub(crate) fn new(body: &CreateHelpRequest, now: DateTime<Utc>) -> Result<Self, ApiError> {
        let mut errors = ValidationErrors::default();
        let summary = errors.collect(bounded_text(&body.summary, "summary", help::SUMMARY_MAX));
        let details = match &body.details {
            Some(raw) => errors
                .collect(bounded_multiline_text(raw, "details", help::DETAILS_MAX))
                .filter(|text| !text.trim().is_empty()),
            None => None,
        };
        let window = errors.collect(TimeWindow::parse(
            body.window_starts_at,
            body.window_ends_at,
            help::MAX_EXPIRY,
            ("window_starts_at", "window_ends_at"),
        ));
        if window.is_some_and(|w| w.end() <= now) {
            errors.push("window_ends_at", "must be in the future");
        }
        let helpers_needed = errors.collect(help::helpers_needed(body.helpers_needed));
        let grid_cell = body.position.and_then(|p| {
            errors
                .collect(
                    GeoPoint::parse(p.latitude, p.longitude, "position")
                        .and_then(|point| GridCell::containing(point, "position")),
                )
                .map(GridCell::code)
        });
        let expires_at = errors.collect(help::expiry(body.expires_at, now));
        let recorded = body.recorded_for.as_ref().and_then(|r| {
            let name = errors.collect(
                DisplayName::parse(&r.name)
                    .map_err(|e| {
                        ValidationErrors(
                            e.0.into_iter()
                                .map(|f| FieldError::new("recorded_for.name", f.message))
                                .collect(),
                        )
                    })
                    .map(|n| n.as_str().to_owned()),
            );
            let phone = match &r.phone {
                Some(raw) => {
                    errors.collect(quartier_domain::operator::phone(raw, "recorded_for.phone"))
                }
                None => None,
            };
            let consent = errors.collect(
                help::recorded_consent(r.consent_on, now.date_naive())
                    .map_err(|e| e.within("recorded_for")),
            );
            Some(Recorded {
                by: None,
                consent_on: consent?,
                name: name?,
                phone,
            })
        });
        errors.into_result()?;
        match (summary, window, helpers_needed, expires_at) {
            (Some(summary), Some(window), Some(helpers_needed), Some(expires_at)) => Ok(Self {
                summary,
                details,
                window,
                helpers_needed,
                grid_cell,
                expires_at,
                recorded,
                now,
            }),
            _ => Err(ApiError::Internal("checked fields missing".into())),
        }
    }

    /// The request to make for `person_id` (or, recorded, by `recorded_by`), with its
    /// references checked; 422 for an unknown centre, district or qualification.
    pub(crate) async fn request(
        self,
        conn: &mut AsyncPgConnection,
        body: &CreateHelpRequest,
        person_id: Option<Uuid>,
        recorded_by: Option<Uuid>,
        id: Uuid,
    ) -> Result<NewRequest, ApiError> {
        let centre = quartier_persistence::centres::find(conn, body.centre_id)
            .await?
            .map(|view| view.centre)
            .filter(|centre| centre.status == "active")
            .ok_or_else(|| {
                ApiError::validation("centre_id", "is not the id of an active centre")
            })?;
        let district_id = match body.district_id {
            Some(district) => {
                quartier_persistence::districts::find(conn, district)
                    .await?
                    .ok_or_else(|| {
                        ApiError::validation("district_id", "is not the id of a district")
                    })?
                    .id
            }
            None => centre.district_id,
        };
        let category = HelpCategory::from(body.category);
        let qualification_type_id = match body.qualification_type_id {
            Some(id) => Some(
                quartier_persistence::qualifications::find_type(conn, id)
                    .await?
                    .ok_or_else(|| {
                        ApiError::validation(
                            "qualification_type_id",
                            "is not the id of a qualification type",
                        )
                    })?
                    .id,
            ),
            None if category.needs_qualification() => Some(POLICE_CERTIFICATE),
            None => None,
        };
        // An offer's giver is the one offering: she must hold what it needs.
        if body.kind == HelpKindBody::Offer
            && let Some(type_id) = qualification_type_id
        {
            let last_day = quartier_domain::signup::local_day(self.window.end());
            let holds = match person_id {
                Some(person) => {
                    store::holds_qualification(conn, person, type_id, centre.operator_id, last_day)
                        .await?
                }
                None => false,
            };
            if !holds {
                return Err(ApiError::Refused {
                    slug: "qualification-missing",
                    detail: "An offer that needs a qualification is made by the account that holds it, accepted by the centre's operator and valid through the window.".into(),
                });
            }
        }
        Ok(NewRequest {
            id,
            centre_id: centre.id,
            operator_id: centre.operator_id,
            district_id,
            grid_cell: self.grid_cell,
            kind: body.kind.into(),
            category,
            summary: self.summary,
            details: self.details,
            window: self.window.bounds(),
            urgency: body.urgency.map_or(Urgency::Flexible, Into::into),
            mode: body.mode.map_or(HelpMode::Mediated, Into::into),
            qualification_type_id,
            helpers_needed: self.helpers_needed,
            person_id,
            recorded: self.recorded.map(|r| Recorded {
                by: recorded_by,
                ..r
            }),
            expires_at: self.expires_at,
            created_at: self.now,
        })
    }
}

/// Ask for help or offer it: a resident for herself (signed in), or a centre's staff (or
/// its operator's key with `help:write`) recording it for someone with `recorded_for`, which
/// needs the day of her consent. Mediated by the centre named; public in the list, without
/// who or where exactly, until it is matched, expires or is withdrawn.
#[utoipa::path(
    tag = "help",
    security(("bearer" = []), ("api_key" = [])),
    request_body = CreateHelpRequest,
    responses(
        (status = 201, description = "The request", body = HelpRequestResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "The body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Recording for someone without being the centre's staff, or an API key not recording for someone, of another operator or without `help:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (a window that is over, an expiry past 90 days, a point off the grid, a recorded request without the day of consent), or an unknown centre, district or qualification (`validation-failed`); an offer that needs a qualification its maker does not hold (`qualification-missing`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/help-requests")]
pub async fn create_help_request(
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<CreateHelpRequest>,
) -> Result<HttpResponse, ApiError> {
    let now = Utc::now();
    let checked = Checked::new(&body, now)?;
    let mut conn = state.conn().await?;
    let (person, recorder) = match (&body.recorded_for, &caller) {
        (Some(_), _) => {
            let staff = mediates(&mut conn, &caller, body.centre_id)
                .await
                .map_err(|error| match error {
                    ApiError::NotFound(_) => {
                        ApiError::validation("centre_id", "is not the id of an active centre")
                    }
                    other => other,
                })?;
            if !staff {
                return Err(ApiError::Forbidden(
                    "Only the centre's staff record a request for someone.".into(),
                ));
            }
            (None, caller.user().map(|u| u.id))
        }
        (None, Caller::User(user)) => (Some(user.id), None),
        (None, Caller::Key(_)) => {
            return Err(ApiError::Forbidden(
                "An API key records requests for someone only: name her in recorded_for.".into(),
            ));
        }
    };
    let new = checked
        .request(&mut conn, &body, person, recorder, Uuid::now_v7())
        .await?;
    let row = store::create(&mut conn, &new).await?;
    let response = HelpRequestResponse::load(
        &mut conn,
        &row,
        &[],
        Standing {
            requester: person.is_some(),
            staff: person.is_none(),
            ..Standing::default()
        },
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, etag(response.version)))
        .insert_header((
            header::LOCATION,
            format!("/api/v1/help-requests/{}", row.id),
        ))
        .json(response))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HelpListQuery {
    /// Only requests in this district.
    pub district_id: Option<Uuid>,
    /// Only requests this centre mediates.
    pub centre_id: Option<Uuid>,
    /// Only needs, or only offers.
    pub kind: Option<HelpKindBody>,
    pub category: Option<HelpCategoryBody>,
    /// 1 to 100, default 20.
    pub limit: Option<i64>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
}

/// What neighbours ask for and offer now: open requests that still want a helper, not
/// expired, their window not over, the newest first. Public: what, in which district and
/// 500 m cell, when, how many helpers; never who, the exact place or the details.
#[utoipa::path(
    tag = "help",
    security((), ("bearer" = [])),
    params(HelpListQuery),
    responses(
        (status = 200, description = "The requests", body = Page<PublicHelpRequest>),
        (status = 400, description = "A parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A limit outside 1 to 100, or a cursor this list did not give out (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/help-requests")]
pub async fn list_help_requests(
    state: web::Data<AppState>,
    query: web::Query<HelpListQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = limit(query.limit)?;
    let after: Option<(DateTime<Utc>, Uuid)> = decode_cursor(query.cursor.as_deref())?;
    let mut conn = state.conn().await?;
    let rows = store::listed(
        &mut conn,
        &ListFilter {
            district_id: query.district_id,
            centre_id: query.centre_id,
            kind: query.kind.map(Into::into),
            category: query.category.map(Into::into),
        },
        Utc::now(),
        after,
        i64::from(limit) + 1,
    )
    .await?;
    let body: Page<PublicHelpRequest> = page(
        rows,
        limit,
        |row| (row.created_at, row.id),
        |row| PublicHelpRequest::from(&row),
    );
    Ok(HttpResponse::Ok().json(body))
}

/// One request: as the public sees it while it is listed (no details, no matches, no
/// `requester`); with its matches for the person whose it is and the centre's staff, and a
/// helper with her own match; the details for these, a helper once both agreed (or while
/// staff chose her for a mediated request).
#[utoipa::path(
    tag = "help",
    security((), ("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The request's id")),
    responses(
        (status = 200, description = "The request", body = HelpRequestResponse, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "A token or key was sent and is not valid (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No request has this id, or it is not listed and not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/help-requests/{id}")]
pub async fn get_help_request(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let row = existing(&mut conn, *id).await?;
    let matches = store::matches_of(&mut conn, row.id).await?;
    let standing = match &caller.0 {
        Some(caller) => standing(&mut conn, caller, &row, &matches).await?,
        None => Standing::default(),
    };
    // Those of the request see it as they may; the public only while the list shows it.
    if !standing.of_request() && !store::is_listed(&row, Utc::now()) {
        return Err(ApiError::NotFound("No help request has this id.".into()));
    }
    let response = HelpRequestResponse::load(&mut conn, &row, &matches, standing).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(response.version)))
        .json(response))
}

/// Take a request back: its matches still going are cancelled (their helpers hear of it),
/// and it leaves the list. The person whose it is, or the centre's staff.
#[utoipa::path(
    tag = "help",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The request's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the client read"),
    ),
    responses(
        (status = 200, description = "The request, withdrawn", body = HelpRequestResponse, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID, or `If-Match` does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the person whose request it is, nor the centre's staff (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No request has this id, or it is not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It is done, expired or withdrawn already (`help-request-closed`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The request changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/help-requests/{id}/withdraw")]
pub async fn withdraw_help_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let row = existing(&mut conn, *id).await?;
    let matches = store::matches_of(&mut conn, row.id).await?;
    let standing = standing(&mut conn, &caller, &row, &matches).await?;
    if !standing.requester && !standing.staff {
        if standing.helper_of.is_some() {
            return Err(ApiError::Forbidden(
                "A helper declines her match; the request is the requester's to withdraw.".into(),
            ));
        }
        return Err(ApiError::NotFound("No help request has this id.".into()));
    }
    let withdrawn = store::withdraw(
        &mut conn,
        row.id,
        if_match.optional_versions(),
        caller.user().map(|u| u.id),
        Utc::now(),
    )
    .await?
    .map_err(refused)?;
    let matches = store::matches_of(&mut conn, row.id).await?;
    let response = HelpRequestResponse::load(&mut conn, &withdrawn, &matches, standing).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(response.version)))
        .json(response))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CentreHelpQuery {
    /// Only requests in this status (`matched`, to follow up what was agreed).
    pub status: Option<HelpRequestStatusBody>,
    /// 1 to 100, default 20.
    pub limit: Option<i64>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
}

/// The requests a centre mediates, the newest first, with details and matches: what its
/// staff work from. The centre's staff, its operator's keys with `help:write`.
#[utoipa::path(
    tag = "help",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The centre's id"),
        CentreHelpQuery,
    ),
    responses(
        (status = 200, description = "The requests", body = Page<HelpRequestResponse>),
        (status = 400, description = "The id or a parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the centre's staff, or a key of another operator or without `help:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No centre has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A limit outside 1 to 100, or a cursor this list did not give out (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/centres/{id}/help-requests")]
pub async fn list_centre_help_requests(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<CentreHelpQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = limit(query.limit)?;
    let after: Option<(DateTime<Utc>, Uuid)> = decode_cursor(query.cursor.as_deref())?;
    let mut conn = state.conn().await?;
    crate::authz::require_centre(
        &mut conn,
        &caller,
        *id,
        quartier_domain::StaffRole::Coordinator,
        quartier_domain::integration::Scope::HelpWrite,
    )
    .await?;
    let rows = store::of_centre(
        &mut conn,
        *id,
        query.status.map(HelpRequestStatus::from),
        after,
        i64::from(limit) + 1,
    )
    .await?;
    let more = rows.len() > limit as usize;
    let rows: Vec<_> = rows.into_iter().take(limit as usize).collect();
    let next_cursor = more
        .then(|| {
            rows.last()
                .map(|r| crate::pagination::encode_cursor(&(r.created_at, r.id)))
        })
        .flatten();
    let staff = Standing {
        staff: true,
        ..Standing::default()
    };
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let matches = store::matches_of(&mut conn, row.id).await?;
        items.push(HelpRequestResponse::load(&mut conn, row, &matches, staff).await?);
    }
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}
