//! A read-only Open311 GeoReport v2 facade over the published concerns, so that civic
//! clients that speak GeoReport (reporting apps, dashboards, the town's own tools) read
//! Quartier's concerns with their own field names: a category is a service, a concern a
//! service request, `closed` once nothing more happens to it. Writing goes through
//! `/api/v1/concerns`; only JSON is served (no `.xml`).

use std::collections::HashMap;

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Duration, NaiveTime, Utc};
use quartier_domain::ValidationErrors;
use quartier_domain::concern::ConcernStatus;
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::concerns::{self, ConcernFilter, ConcernView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The longest span one `requests.json` query covers, and the span it covers by default.
const SPAN_DAYS: i64 = 90;
/// The most service requests one answer holds.
const MAX_REQUESTS: i64 = 1000;

/// A service: one category of concerns.
#[derive(Debug, Serialize, ToSchema)]
pub struct Open311Service {
    /// The category's id.
    pub service_code: Uuid,
    pub service_name: String,
    pub description: String,
    /// Always false: no further attributes are asked.
    pub metadata: bool,
    /// Always `realtime`.
    #[schema(example = "realtime")]
    pub r#type: String,
    pub keywords: String,
    /// The kind of concern: `idea`, `need` or `problem`.
    #[schema(example = "problem")]
    pub group: String,
}

/// Whether a service request is still being worked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Open311Status {
    Open,
    /// Done, declined, a duplicate or withdrawn.
    Closed,
}

impl From<ConcernStatus> for Open311Status {
    fn from(status: ConcernStatus) -> Self {
        if status.is_final() {
            Open311Status::Closed
        } else {
            Open311Status::Open
        }
    }
}

/// A service request: one published concern.
#[derive(Debug, Serialize, ToSchema)]
pub struct Open311Request {
    /// The concern's id.
    pub service_request_id: Uuid,
    pub status: Open311Status,
    /// The newest public answer.
    pub status_notes: Option<String>,
    /// The category's name.
    pub service_name: String,
    /// The category's id.
    pub service_code: Uuid,
    /// The concern's title and text.
    pub description: String,
    /// The operator answering it.
    pub agency_responsible: Option<String>,
    /// Always null.
    pub service_notice: Option<String>,
    /// When it was raised.
    pub requested_datetime: DateTime<Utc>,
    pub updated_datetime: DateTime<Utc>,
    /// The date the newest public answer expects its outcome, at midnight UTC.
    pub expected_datetime: Option<DateTime<Utc>>,
    pub address: Option<String>,
    /// Always null.
    pub address_id: Option<String>,
    /// Always null.
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    /// Always null: concerns carry no pictures.
    pub media_url: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServicesQuery {
    /// Accepted and ignored: this server answers for one jurisdiction.
    #[param(max_length = 200)]
    pub jurisdiction_id: Option<String>,
    /// Accepted and ignored: reading needs no key.
    pub api_key: Option<String>,
    /// Accepted and ignored: no extended attributes are served.
    pub extensions: Option<String>,
}

impl ServicesQuery {
    fn check(&self) -> Result<(), ApiError> {
        Ok(check_jurisdiction(self.jurisdiction_id.as_deref())?)
    }
}

/// The jurisdiction is not looked at, but its length is held to the schema.
fn check_jurisdiction(jurisdiction_id: Option<&str>) -> Result<(), ValidationErrors> {
    if jurisdiction_id.is_some_and(|id| id.chars().count() > 200) {
        return Err(ValidationErrors::single(
            "jurisdiction_id",
            "must be at most 200 characters",
        ));
    }
    Ok(())
}

/// The services (categories of concerns) requests are filed under.
#[utoipa::path(
    tag = "open311",
    params(ServicesQuery),
    responses(
        (status = 200, description = "Every service", body = Vec<Open311Service>),
        (status = 422, description = "`jurisdiction_id` is too long (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/open311/v2/services.json")]
pub async fn open311_services(
    state: web::Data<AppState>,
    query: web::Query<ServicesQuery>,
) -> Result<HttpResponse, ApiError> {
    query.check()?;
    let mut conn = state.conn().await?;
    let services: Vec<Open311Service> = concerns::categories(&mut conn)
        .await?
        .into_iter()
        .map(|category| Open311Service {
            service_code: category.id,
            description: category.name.clone(),
            service_name: category.name,
            metadata: false,
            r#type: "realtime".into(),
            keywords: String::new(),
            group: category.kind,
        })
        .collect();
    Ok(HttpResponse::Ok().json(services))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestsQuery {
    /// Accepted and ignored: this server answers for one jurisdiction.
    #[param(max_length = 200)]
    pub jurisdiction_id: Option<String>,
    /// Accepted and ignored: reading needs no key.
    pub api_key: Option<String>,
    /// Accepted and ignored: no extended attributes are served.
    pub extensions: Option<String>,
    /// Accepted and ignored: one answer holds up to 1000 requests; narrow by dates.
    pub page: Option<String>,
    /// Accepted and ignored, as `page`.
    pub page_size: Option<String>,
    /// Only these requests: up to 100 ids separated by commas (then the dates do not narrow
    /// them).
    #[param(
        max_length = 3699,
        pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(,[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}){0,99}$"
    )]
    pub service_request_id: Option<String>,
    /// Only requests of this service.
    pub service_code: Option<Uuid>,
    /// Requests raised from this instant (ISO 8601 with offset); at most 90 days before
    /// `end_date`. Without either date, the last 90 days.
    #[param(example = "2026-11-01T00:00:00+01:00", max_length = 40)]
    pub start_date: Option<String>,
    /// Requests raised before this instant (ISO 8601 with offset).
    #[param(example = "2026-12-01T00:00:00+01:00", max_length = 40)]
    pub end_date: Option<String>,
    /// `open`, `closed`, or both separated by a comma.
    #[param(example = "open", pattern = "^(open|closed)(,(open|closed))?$")]
    pub status: Option<String>,
}

impl RequestsQuery {
    /// The filter this query asks for, checked.
    fn filter(&self) -> Result<ConcernFilter<'static>, ApiError> {
        let mut errors = ValidationErrors::default();
        errors.collect(check_jurisdiction(self.jurisdiction_id.as_deref()));
        let instant = |raw: &Option<String>, field: &str, errors: &mut ValidationErrors| {
            raw.as_deref().and_then(|raw| match parse_instant(raw) {
                Some(at) => Some(at),
                None => {
                    errors.push(
                        field,
                        "must be an ISO 8601 date, or date and time with offset, between the years 2000 and 2100",
                    );
                    None
                }
            })
        };
        let start = instant(&self.start_date, "start_date", &mut errors);
        let end = instant(&self.end_date, "end_date", &mut errors);
        let ids = self.service_request_id.as_deref().map(|raw| {
            let ids: Vec<Uuid> = raw
                .split(',')
                // The hyphenated form only, as the schema has it.
                .filter(|id| id.len() == 36)
                .filter_map(|id| Uuid::parse_str(id).ok())
                .collect();
            if ids.len() != raw.split(',').count() || ids.len() > 100 {
                errors.push(
                    "service_request_id",
                    "must be up to 100 ids separated by commas",
                );
            }
            ids
        });
        let mut statuses = Vec::new();
        if let Some(raw) = &self.status {
            for status in raw.split(',') {
                match status {
                    "open" => statuses.extend(
                        ConcernStatus::ALL
                            .into_iter()
                            .filter(|s| Open311Status::from(*s) == Open311Status::Open),
                    ),
                    "closed" => statuses.extend(
                        ConcernStatus::ALL
                            .into_iter()
                            .filter(|s| Open311Status::from(*s) == Open311Status::Closed),
                    ),
                    _ => errors.push("status", "must be open, closed or open,closed"),
                }
            }
        }
        let span = Duration::days(SPAN_DAYS);
        let raised_between = match (start, end) {
            (Some(start), Some(end)) => {
                if end <= start {
                    errors.push("end_date", "must be after start_date");
                } else if end - start > span {
                    errors.push("end_date", "must be at most 90 days after start_date");
                }
                (start, end)
            }
            (Some(start), None) => (start, start + span),
            (None, Some(end)) => (end - span, end),
            (None, None) => {
                let now = Utc::now();
                (now - span, now + Duration::minutes(1))
            }
        };
        errors.into_result()?;
        Ok(ConcernFilter {
            category_id: self.service_code,
            statuses,
            public_only: true,
            raised_between: if ids.is_some() {
                None
            } else {
                Some(raised_between)
            },
            ids,
            ..ConcernFilter::default()
        })
    }
}

/// An ISO 8601 instant with offset, or a date (midnight UTC), within the years 2000 to 2100.
fn parse_instant(raw: &str) -> Option<DateTime<Utc>> {
    if raw.chars().count() > 40 {
        return None;
    }
    let at = DateTime::parse_from_rfc3339(raw)
        .map(|at| at.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .ok()
                .map(|day| day.and_time(NaiveTime::MIN).and_utc())
        })?;
    let year = at.format("%Y").to_string().parse::<i32>().ok()?;
    (2000..=2100).contains(&year).then_some(at)
}

/// Service requests (published concerns), newest first: at most 1000 in one answer.
#[utoipa::path(
    tag = "open311",
    params(RequestsQuery),
    responses(
        (status = 200, description = "The requests asked for", body = Vec<Open311Request>),
        (status = 400, description = "A query parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An id, date or status is not understood, or the dates span more than 90 days (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/open311/v2/requests.json")]
pub async fn open311_requests(
    state: web::Data<AppState>,
    query: web::Query<RequestsQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = query.filter()?;
    let _turn = state.fair_share.search(true).await?;
    let mut conn = state.conn().await?;
    let rows = concerns::list(&mut conn, &filter, None, MAX_REQUESTS).await?;
    Ok(HttpResponse::Ok().json(requests(&mut conn, rows).await?))
}

/// One service request (a published concern), as a list of one, as GeoReport has it.
#[utoipa::path(
    tag = "open311",
    params(
        ("id" = Uuid, Path, description = "The concern's id"),
        ServicesQuery,
    ),
    responses(
        (status = 200, description = "The request", body = Vec<Open311Request>),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No published concern has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`jurisdiction_id` is too long (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/open311/v2/requests/{id}.json")]
pub async fn open311_request(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: web::Query<ServicesQuery>,
) -> Result<HttpResponse, ApiError> {
    query.check()?;
    let mut conn = state.conn().await?;
    let view = concerns::find(&mut conn, *id)
        .await?
        .filter(ConcernView::is_public)
        .ok_or_else(|| ApiError::NotFound("No published concern has this id.".into()))?;
    Ok(HttpResponse::Ok().json(requests(&mut conn, vec![view]).await?))
}

/// `rows` as service requests, with who answers them and their newest public answers.
async fn requests(
    conn: &mut AsyncPgConnection,
    rows: Vec<ConcernView>,
) -> Result<Vec<Open311Request>, ApiError> {
    let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
    let mut answers: HashMap<Uuid, concerns::LatestAnswer> = concerns::latest_answers(conn, &ids)
        .await?
        .into_iter()
        .map(|answer| (answer.concern_id, answer))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let answer = answers.remove(&row.id);
            let (agency, notes, expected) = answer
                .map(|a| (a.operator_name, a.text, a.expected_on))
                .unwrap_or_default();
            Open311Request {
                service_request_id: row.id,
                status: row.status().into(),
                status_notes: notes,
                service_name: row.category_name,
                service_code: row.category_id,
                description: format!("{}\n\n{}", row.title, row.text),
                agency_responsible: agency,
                service_notice: None,
                requested_datetime: row.created_at,
                updated_datetime: row.updated_at,
                expected_datetime: expected.map(|day| day.and_time(NaiveTime::MIN).and_utc()),
                address: row.address,
                address_id: None,
                zipcode: None,
                lat: row.latitude,
                long: row.longitude,
                media_url: None,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_are_the_final_statuses() {
        for status in ConcernStatus::ALL {
            assert_eq!(
                Open311Status::from(status) == Open311Status::Closed,
                matches!(
                    status,
                    ConcernStatus::Done
                        | ConcernStatus::Declined
                        | ConcernStatus::Duplicate
                        | ConcernStatus::Withdrawn
                ),
                "{status:?}"
            );
        }
    }

    #[test]
    fn instants_with_offsets_and_dates() {
        assert_eq!(
            parse_instant("2026-11-01T00:00:00+01:00").map(|at| at.to_rfc3339()),
            Some("2026-10-31T23:00:00+00:00".into())
        );
        assert_eq!(
            parse_instant("2026-11-01").map(|at| at.to_rfc3339()),
            Some("2026-11-01T00:00:00+00:00".into())
        );
        assert_eq!(parse_instant("1066-10-14"), None);
        assert_eq!(parse_instant("yesterday"), None);
    }
}
