//! Frozen reports for funders (Sachberichte): `POST /reports/snapshots` counts a report and
//! freezes it with what its authors write about the period; `GET /reports/snapshots/{id}`
//! gives it back unchanged, as JSON, CSV, or a printable HTML report with its charts.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use quartier_domain::ValidationErrors;
use quartier_domain::reporting::{CATALOGUE_VERSION, Dimension, Indicator, Period};
use quartier_domain::validation::{bounded_multiline_text, bounded_text};
use quartier_persistence::audit::NewEntry;
use quartier_persistence::report_snapshots::{self, NewSnapshot, SnapshotRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::indicators::{Asked, IndicatorReport, ReportFilters, Standing, count, csv, reader};
use super::{DimensionBody, IndicatorKey};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::rosters::csv::Dialect;
use crate::state::AppState;

/// What the authors of a report write about its period. Each up to 10 000 characters.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Narrative {
    /// The goals of the work in the period.
    #[serde(default)]
    #[schema(max_length = 10000, example = "Ältere Menschen im Quartier erreichen.")]
    pub goals: String,
    /// What happened.
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub what_happened: String,
    /// The changes observed.
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub observed_changes: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SnapshotRequest {
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Sachbericht 2026 Bürgerhaus Nordstadt"
    )]
    pub title: String,
    /// The period's first day (Europe/Berlin).
    pub from: NaiveDate,
    /// Its last day, included; at most five years after `from`.
    pub to: NaiveDate,
    /// What the figures are grouped by; none for one row.
    #[serde(default)]
    pub group_by: Vec<DimensionBody>,
    /// Which indicators; all when empty.
    #[serde(default)]
    pub indicators: Vec<IndicatorKey>,
    #[serde(default)]
    pub filters: ReportFilters,
    /// The catalogue version to count by: the current one (the default) is the only one
    /// figures can be counted by now.
    #[schema(example = 1)]
    pub catalogue_version: Option<i32>,
    #[serde(default)]
    pub narrative: Narrative,
}

/// A frozen report.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotResponse {
    pub id: Uuid,
    pub title: String,
    pub catalogue_version: i32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub filters: ReportFilters,
    /// Whether small counts of people are hidden in its figures.
    pub small_cells_hidden: bool,
    pub narrative: Narrative,
    /// The figures as they were counted when it was made.
    pub report: IndicatorReport,
    /// Who made it; `null` for an operator's system, or once their account was erased.
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// Snapshots, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotList {
    pub items: Vec<SnapshotSummary>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotSummary {
    pub id: Uuid,
    pub title: String,
    pub catalogue_version: i32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub small_cells_hidden: bool,
    pub created_at: DateTime<Utc>,
}

/// What the stored `scope` holds besides the period.
#[derive(Debug, Serialize, Deserialize)]
struct StoredScope {
    filters: ReportFilters,
    group_by: Vec<DimensionBody>,
    indicators: Vec<IndicatorKey>,
}

/// The stored snapshot as the API shows it.
fn response(row: SnapshotRow) -> Result<SnapshotResponse, ApiError> {
    let broken = |e: serde_json::Error| ApiError::Internal(format!("a stored snapshot: {e}"));
    let scope: StoredScope = serde_json::from_str(&row.scope).map_err(broken)?;
    let report: IndicatorReport = serde_json::from_str(&row.report).map_err(broken)?;
    Ok(SnapshotResponse {
        id: row.id,
        title: row.title,
        catalogue_version: row.catalogue_version,
        from: row.period_first,
        to: row.period_last,
        filters: scope.filters,
        small_cells_hidden: row.small_cells_hidden,
        narrative: Narrative {
            goals: row.goals,
            what_happened: row.what_happened,
            observed_changes: row.observed_changes,
        },
        report,
        created_by: row.created_by,
        created_at: row.created_at,
    })
}

impl SnapshotRequest {
    /// The request checked: every invalid field at once.
    fn check(&self) -> Result<(Asked, Narrative, String), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let title = errors.collect(bounded_text(&self.title, "title", 200));
        if title.as_deref().is_some_and(|t| t.trim().is_empty()) {
            errors.push("title", "must not be empty");
        }
        let period = errors.collect(Period::parse(self.from, self.to));
        if self
            .catalogue_version
            .is_some_and(|v| v != CATALOGUE_VERSION)
        {
            errors.push(
                "catalogue_version",
                format!(
                    "can only be {}, the version figures are counted by now",
                    CATALOGUE_VERSION
                ),
            );
        }
        let mut text = |raw: &str, field: &str| {
            if raw.trim().is_empty() {
                return String::new();
            }
            errors
                .collect(bounded_multiline_text(raw, field, 10_000))
                .unwrap_or_default()
        };
        let narrative = Narrative {
            goals: text(&self.narrative.goals, "narrative.goals"),
            what_happened: text(&self.narrative.what_happened, "narrative.what_happened"),
            observed_changes: text(
                &self.narrative.observed_changes,
                "narrative.observed_changes",
            ),
        };
        let mut group_by: Vec<Dimension> = Vec::new();
        for (n, d) in self.group_by.iter().enumerate() {
            let d = Dimension::from(*d);
            if group_by.contains(&d) {
                errors.push(format!("group_by[{n}]"), "names a grouping twice");
            }
            group_by.push(d);
        }
        group_by.sort();
        group_by.dedup();
        let mut indicators: Vec<Indicator> = self.indicators.iter().map(|k| k.0).collect();
        indicators.sort();
        indicators.dedup();
        errors.into_result()?;
        let (Some(title), Some(period)) = (title, period) else {
            return Err(ValidationErrors::single("title", "must not be empty"));
        };
        Ok((
            Asked {
                period,
                group_by,
                indicators: if indicators.is_empty() {
                    Indicator::ALL.to_vec()
                } else {
                    indicators
                },
            },
            narrative,
            title.trim().to_owned(),
        ))
    }
}

/// Count a report and freeze it: its figures, as counted now, with the narrative for a
/// Sachbericht. Who may, and what is hidden from whom, as for `GET /reports/indicators`; the
/// snapshot can later be read by those who could count it (its operators' staff; for one with
/// small counts hidden also the town's coordinator and administrators). Nothing in it can
/// change afterwards: the database refuses it.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = []), ("api_key" = [])),
    request_body = SnapshotRequest,
    responses(
        (status = 201, description = "Frozen", body = SnapshotResponse, headers(("Location" = String))),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "As for the figures (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator, district or centre has the id filtered by (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: the title, the period, another catalogue version, texts too long (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/reports/snapshots")]
pub async fn create_snapshot(
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<SnapshotRequest>,
) -> Result<HttpResponse, ApiError> {
    let (asked, narrative, title) = body.check()?;
    let mut conn = state.conn().await?;
    let reader = reader(&mut conn, &caller, body.filters.operator_id).await?;
    let report = count(&mut conn, &body.filters, &asked, &reader).await?;
    let scope = StoredScope {
        filters: body.filters.clone(),
        group_by: asked.group_by.iter().map(|&d| d.into()).collect(),
        indicators: report.indicators.clone(),
    };
    let encode = |e: serde_json::Error| ApiError::Internal(format!("a snapshot: {e}"));
    let id = Uuid::now_v7();
    let (created_by, created_by_key) = match &caller {
        Caller::User(user) => (Some(user.id), None),
        Caller::Key(key) => (None, Some(key.key_id)),
    };
    let row = report_snapshots::insert(
        &mut conn,
        NewSnapshot {
            id,
            title,
            catalogue_version: CATALOGUE_VERSION,
            period_first: asked.period.first,
            period_last: asked.period.last,
            operator_ids: reader.operators.clone(),
            small_cells_hidden: reader.outsider,
            scope: serde_json::to_string(&scope).map_err(encode)?,
            report: serde_json::to_string(&report).map_err(encode)?,
            goals: narrative.goals,
            what_happened: narrative.what_happened,
            observed_changes: narrative.observed_changes,
            created_by,
            created_by_key,
        },
    )
    .await?;
    NewEntry::new(
        caller.actor(),
        "report_snapshot.created",
        "report_snapshot",
        id,
    )
    .details(serde_json::json!({
        "from": asked.period.first,
        "to": asked.period.last,
        "small_cells_hidden": reader.outsider,
    }))
    .record(&mut conn)
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/reports/snapshots/{id}")))
        .json(response(row)?))
}

/// Whether a reader standing as `standing` may read `row`: one of operators whose figures she
/// sees in full, or one with small counts hidden that she could count herself.
fn readable(row: &SnapshotRow, standing: &Standing) -> bool {
    let ids = row.operator_ids.as_deref();
    let in_full = ids.is_some_and(|ids| standing.sees_in_full(ids));
    let some_own = ids.is_some_and(|ids| ids.iter().any(|id| standing.own.contains(id)));
    in_full || (row.small_cells_hidden && (standing.whole_town || some_own))
}

/// The snapshots the caller may read, newest first (up to 200).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, description = "Snapshots", body = SnapshotList),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither operator staff, the town's coordinator nor an administrator; an API key without `reports:read` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/reports/snapshots")]
pub async fn list_snapshots(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let standing = Standing::of(&mut conn, &caller).await?;
    let items = report_snapshots::list(
        &mut conn,
        standing.own.clone(),
        standing.full.clone(),
        standing.whole_town,
        200,
    )
    .await?
    .into_iter()
    .map(|row| SnapshotSummary {
        id: row.id,
        title: row.title,
        catalogue_version: row.catalogue_version,
        from: row.period_first,
        to: row.period_last,
        small_cells_hidden: row.small_cells_hidden,
        created_at: row.created_at,
    })
    .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(SnapshotList { items }))
}

/// How a snapshot goes out: `json`; `csv` or `excel` (its figures, as
/// `GET /reports/indicators` writes them); `html`, a printable report with its narrative,
/// figures, charts and definitions; `pdf`, the same as an A4 PDF. Without `format`, `Accept`
/// chooses (`application/pdf`, `text/html`, `text/csv`), else JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotFormat {
    Json,
    Csv,
    Excel,
    Html,
    Pdf,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SnapshotQuery {
    #[param(inline)]
    pub format: Option<SnapshotFormat>,
}

impl SnapshotFormat {
    fn negotiate(asked: Option<Self>, request: &HttpRequest) -> Self {
        let accept = request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        match asked {
            Some(format) => format,
            None if accept.contains("application/pdf") => Self::Pdf,
            None if accept.contains("text/html") => Self::Html,
            None if accept.contains("text/csv") => Self::Csv,
            None => Self::Json,
        }
    }
}

/// A frozen report, exactly as it was made: JSON, CSV, or printable HTML or PDF (German) with the
/// narrative, a table of figures per group, a chart per indicator where the report is grouped
/// by one dimension, and the definitions of the catalogue version it was counted by.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The snapshot's id"), SnapshotQuery),
    responses(
        (status = 200, description = "The snapshot", content(
            (SnapshotResponse = "application/json"),
            (String = "text/csv"),
            (String = "text/html"),
            (Vec<u8> = "application/pdf"),
        )),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither operator staff, the town's coordinator nor an administrator; an API key without `reports:read` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No snapshot the caller may read has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/reports/snapshots/{id}")]
pub async fn get_snapshot(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    id: web::Path<Uuid>,
    query: web::Query<SnapshotQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let standing = Standing::of(&mut conn, &caller).await?;
    let row = report_snapshots::find(&mut conn, *id)
        .await?
        .filter(|row| readable(row, &standing))
        .ok_or_else(|| ApiError::NotFound("No snapshot has this id.".into()))?;
    let snapshot = response(row)?;
    let mut response = HttpResponse::Ok();
    response.insert_header((header::CACHE_CONTROL, "private, no-cache"));
    let download = |name: &str| format!("attachment; filename=\"{name}\"");
    Ok(match SnapshotFormat::negotiate(query.format, &request) {
        SnapshotFormat::Json => response.json(snapshot),
        SnapshotFormat::Csv | SnapshotFormat::Excel => {
            let dialect = if query.format == Some(SnapshotFormat::Excel) {
                Dialect::SPREADSHEET
            } else {
                Dialect::RFC_4180
            };
            response
                .content_type("text/csv; charset=utf-8")
                .insert_header((header::CONTENT_DISPOSITION, download("snapshot.csv")))
                .body(csv(&snapshot.report, dialect))
        }
        SnapshotFormat::Html => response
            .content_type("text/html; charset=utf-8")
            .insert_header((
                "Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'",
            ))
            .body(super::printable::html(&snapshot)?),
        SnapshotFormat::Pdf => response
            .content_type("application/pdf")
            .insert_header((header::CONTENT_DISPOSITION, download("report.pdf")))
            .body(super::printable::pdf(&snapshot)?),
    })
}
