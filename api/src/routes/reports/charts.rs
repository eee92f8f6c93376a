//! `GET /reports/indicators/{indicator}/chart`: one indicator as an SVG chart, over the
//! months of the period or by group.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use quartier_domain::activity::Category;
use quartier_domain::reporting::{Dimension, Indicator, Period, Unit};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::DimensionBody;
use super::indicators::{Asked, IndicatorReport, ReportFilters, count, reader};
use crate::auth::Caller;
use crate::charts::{Bar, Chart, Layout, month_names};
use crate::error::{ApiError, Problem};
use crate::routes::activities::CategoryBody;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChartQuery {
    /// The period's first day (Europe/Berlin).
    #[param(example = "2026-01-01")]
    pub from: NaiveDate,
    /// Its last day, included; at most five years after `from`.
    #[param(example = "2026-12-31")]
    pub to: NaiveDate,
    /// `month` (the default): a column for every month of the period; anything else a bar
    /// per group.
    #[param(inline)]
    pub group_by: Option<DimensionBody>,
    /// Only this operator's figures.
    pub operator_id: Option<Uuid>,
    /// Only this district's, with the districts inside it.
    pub district_id: Option<Uuid>,
    /// Only this centre's.
    pub centre_id: Option<Uuid>,
    /// Only activities of this category.
    #[param(inline)]
    pub category: Option<CategoryBody>,
    /// Only neighbourly help of this kind.
    #[param(inline)]
    pub help_category: Option<crate::routes::help::HelpCategoryBody>,
}

/// One indicator of the catalogue as an SVG chart, drawn on the server: columns over every
/// month of the period (`group_by=month`, the default), or a bar per district, centre,
/// operator or category. Labels and numbers are German; the SVG names itself in `<title>` and
/// carries every value as text in `<desc>`, a hidden one said to be hidden. Who may read it,
/// and what is hidden from whom, as for `GET /reports/indicators`.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("indicator" = super::IndicatorKey, Path, description = "The indicator's key"),
        ChartQuery,
    ),
    responses(
        (status = 200, description = "The chart", content_type = "image/svg+xml", body = String),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "As for the figures (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No indicator has this key; no operator, district or centre has the id filtered by (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A period out of order, over five years or outside 2000–2100; a grouping the indicator cannot be counted in (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/reports/indicators/{indicator}/chart")]
pub async fn indicator_chart(
    state: web::Data<AppState>,
    caller: Caller,
    indicator: web::Path<String>,
    query: web::Query<ChartQuery>,
) -> Result<HttpResponse, ApiError> {
    let indicator = Indicator::parse(&indicator)
        .ok_or_else(|| ApiError::NotFound("No indicator has this key.".into()))?;
    let query = query.into_inner();
    let dimension = Dimension::from(query.group_by.unwrap_or(DimensionBody::Month));
    let period =
        Period::parse(query.from, query.to).map_err(|errors| ApiError::from(errors.in_query()))?;
    let filters = ReportFilters {
        operator_id: query.operator_id,
        district_id: query.district_id,
        centre_id: query.centre_id,
        category: query.category,
        help_category: query.help_category,
    };
    let asked = Asked {
        period,
        group_by: vec![dimension],
        indicators: vec![indicator],
    };
    let mut conn = state.conn().await?;
    let reader = reader(&mut conn, &caller, query.operator_id).await?;
    let report = count(&mut conn, &filters, &asked, &reader).await?;
    if report.indicators.is_empty() {
        return Err(ApiError::query(
            "group_by",
            "is a grouping or filter this indicator cannot be counted in",
        ));
    }
    let svg = chart("chart", indicator, dimension, period, &report)
        .svg()
        .map_err(|e| ApiError::Internal(format!("drawing a chart: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'",
        ))
        .body(svg))
}

/// The chart of one indicator of `report`.
pub(crate) fn chart(
    id: &str,
    indicator: Indicator,
    dimension: Dimension,
    period: Period,
    report: &IndicatorReport,
) -> Chart {
    let unit = indicator.unit();
    let value_of = |row: &super::indicators::ReportRow| {
        row.values
            .iter()
            .find(|v| v.indicator.0 == indicator)
            .map(|v| (v.value, v.suppressed))
            .unwrap_or((None, false))
    };
    let bars = if dimension == Dimension::Month {
        period
            .months()
            .into_iter()
            .map(|month| {
                let (value, hidden) = report
                    .rows
                    .iter()
                    .find(|r| r.month.as_deref() == Some(month.as_str()))
                    .map(value_of)
                    .unwrap_or(match unit {
                        Unit::Count | Unit::Hours | Unit::Euros => (Some(0.0), false),
                        Unit::Share | Unit::Days => (None, false),
                    });
                let (label, spoken) = month_names(&month);
                Bar {
                    label,
                    spoken,
                    value,
                    hidden,
                }
            })
            .collect()
    } else {
        report
            .rows
            .iter()
            .map(|row| {
                let name = match dimension {
                    Dimension::District => row.district.as_ref().map(|n| n.name.clone()),
                    Dimension::Centre => row.centre.as_ref().map(|n| n.name.clone()),
                    Dimension::Operator => row.operator.as_ref().map(|n| n.name.clone()),
                    Dimension::Category => {
                        row.category.map(|c| Category::from(c).german().to_owned())
                    }
                    Dimension::Month => row.month.clone(),
                    Dimension::HelpCategory => row.help_category.map(|c| {
                        quartier_domain::help::HelpCategory::from(c)
                            .german()
                            .to_owned()
                    }),
                }
                .unwrap_or_else(|| "ohne Zuordnung".to_owned());
                let (value, hidden) = value_of(row);
                Bar {
                    label: name.clone(),
                    spoken: name,
                    value,
                    hidden,
                }
            })
            .collect()
    };
    let (label, _) = indicator.label();
    let by = match dimension {
        Dimension::District => "nach Stadtteil",
        Dimension::Centre => "nach Zentrum",
        Dimension::Operator => "nach Träger",
        Dimension::Category => "nach Art des Angebots",
        Dimension::Month => "nach Monat",
        Dimension::HelpCategory => "nach Art der Hilfe",
    };
    Chart {
        id: id.to_owned(),
        title: format!(
            "{label} {by}, {} bis {}",
            period.first.format("%d.%m.%Y"),
            period.last.format("%d.%m.%Y")
        ),
        axis: match unit {
            Unit::Count => "Anzahl",
            Unit::Hours => "Stunden",
            Unit::Share => "Anteil",
            Unit::Days => "Tage",
            Unit::Euros => "Euro",
        }
        .to_owned(),
        bars,
        layout: if dimension == Dimension::Month {
            Layout::Columns
        } else {
            Layout::Bars
        },
        percent: unit == Unit::Share,
        decimals: unit.shown_decimals(),
    }
}
