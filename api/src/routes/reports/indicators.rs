//! `GET /reports/indicators`: the catalogue's figures over a period, grouped and filtered,
//! as JSON or CSV.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use quartier_domain::ValidationErrors;
use quartier_domain::activity::Category;
use quartier_domain::integration::Scope;
use quartier_domain::reporting::{self, CATALOGUE_VERSION, Dimension, Indicator, Period, Unit};
use quartier_domain::workload::midnight;
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::reports::{self, Figure, GroupKey, ReportQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{DimensionBody, IndicatorKey};
use crate::auth::Caller;
use crate::authz::decide_key;
use crate::error::{ApiError, Problem};
use crate::routes::activities::{CategoryBody, Named};
use crate::routes::core_team::reads_whole_town;
use crate::routes::help::HelpCategoryBody;
use crate::routes::rosters::RosterFormat;
use crate::routes::rosters::csv::Dialect;
use crate::state::AppState;
use quartier_domain::help::HelpCategory;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorsQuery {
    /// The period's first day (Europe/Berlin).
    #[param(example = "2026-01-01")]
    pub from: NaiveDate,
    /// Its last day, included; at most five years after `from`.
    #[param(example = "2026-12-31")]
    pub to: NaiveDate,
    /// What to group by, separated by commas; without it one row for the whole scope.
    #[param(value_type = Option<Vec<DimensionBody>>, style = Form, explode = false)]
    pub group_by: Option<String>,
    /// Which indicators, separated by commas; without it all.
    #[param(value_type = Option<Vec<IndicatorKey>>, style = Form, explode = false)]
    pub indicators: Option<String>,
    /// Only this operator's figures.
    pub operator_id: Option<Uuid>,
    /// Only this district's, with the districts inside it.
    pub district_id: Option<Uuid>,
    /// Only this centre's.
    pub centre_id: Option<Uuid>,
    /// Only activities of this category (and the shifts of their dates).
    #[param(inline)]
    pub category: Option<CategoryBody>,
    /// Only neighbourly help of this kind.
    #[param(inline)]
    pub help_category: Option<HelpCategoryBody>,
    /// `json`, `csv` or `excel`; without it, `Accept: text/csv` asks for `csv`.
    #[param(inline)]
    pub format: Option<RosterFormat>,
}

/// What a report is narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReportFilters {
    /// Only this operator's figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator_id: Option<Uuid>,
    /// Only this district's, with the districts inside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub district_id: Option<Uuid>,
    /// Only this centre's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub centre_id: Option<Uuid>,
    /// Only activities of this category (and the shifts of their dates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<CategoryBody>,
    /// Only neighbourly help of this kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_category: Option<HelpCategoryBody>,
}

impl IndicatorsQuery {
    pub(crate) fn filters(&self) -> ReportFilters {
        ReportFilters {
            operator_id: self.operator_id,
            district_id: self.district_id,
            centre_id: self.centre_id,
            category: self.category,
            help_category: self.help_category,
        }
    }
}

/// One indicator's figure in a row.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportValue {
    pub indicator: IndicatorKey,
    /// `null` when hidden (`suppressed`), or when there is nothing to take a share or a
    /// median of.
    pub value: Option<f64>,
    /// Hidden because it rests on fewer than 5 people (but some); never for the operator's
    /// own staff.
    pub suppressed: bool,
}

/// One group's figures. The group's fields are set for what the report groups by (and
/// `null` there for facts of no centre, operator or category, such as shifts of no
/// activity).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportRow {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub district: Option<Named>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub centre: Option<Named>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<Named>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<CategoryBody>,
    /// What neighbourly help is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_category: Option<HelpCategoryBody>,
    /// `YYYY-MM`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2026-03")]
    pub month: Option<String>,
    /// In the order of the report's `indicators`.
    pub values: Vec<ReportValue>,
}

/// Figures over a period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IndicatorReport {
    /// The catalogue's version the figures are counted by.
    #[schema(example = 1)]
    pub catalogue_version: i32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: Vec<DimensionBody>,
    /// Whether small counts of people are hidden in this report (it reaches beyond the
    /// reader's own operators).
    pub small_cells_hidden: bool,
    /// The indicators counted, in the order of each row's `values`.
    pub indicators: Vec<IndicatorKey>,
    /// Indicators asked for that cannot be counted with this grouping or these filters
    /// (concerns have no category, for instance).
    pub not_applicable: Vec<IndicatorKey>,
    /// One per group with facts, ordered by the group's names and month.
    pub rows: Vec<ReportRow>,
}

/// What a reader may see: the operators the figures are limited to (`None`: the whole
/// town), and whether small counts are hidden from them.
pub(crate) struct Reader {
    pub operators: Option<Vec<Uuid>>,
    pub outsider: bool,
}

/// Where a caller stands towards reports: the operators she is staff of (or whose key it
/// is), those of them whose figures she sees in full (not as a coordinator limited to some
/// of their centres), and whether she reads the whole town.
pub(crate) struct Standing {
    pub own: Vec<Uuid>,
    pub full: Vec<Uuid>,
    pub whole_town: bool,
}

impl Standing {
    /// An API key needs `reports:read` (its operator's figures, in full); a person must be
    /// operator staff, the town's coordinator or an administrator.
    pub(crate) async fn of(
        conn: &mut AsyncPgConnection,
        caller: &Caller,
    ) -> Result<Self, ApiError> {
        let user = match caller {
            Caller::Key(key) => {
                decide_key(key, key.operator_id, Scope::ReportsRead)?;
                return Ok(Self {
                    own: vec![key.operator_id],
                    full: vec![key.operator_id],
                    whole_town: false,
                });
            }
            Caller::User(user) => *user,
        };
        let own = quartier_persistence::activities::staff_operators(conn, user.id).await?;
        let limited = reports::centre_limited_operators(conn, user.id).await?;
        let whole_town = reads_whole_town(conn, user).await?;
        if own.is_empty() && !whole_town {
            return Err(ApiError::Forbidden(
                "Only operator staff, the town's coordinator and administrators read reports."
                    .into(),
            ));
        }
        let full = own
            .iter()
            .copied()
            .filter(|id| !limited.contains(id))
            .collect();
        Ok(Self {
            own,
            full,
            whole_town,
        })
    }

    /// Whether the figures of `operators` are all hers to see in full.
    pub(crate) fn sees_in_full(&self, operators: &[Uuid]) -> bool {
        !operators.is_empty() && operators.iter().all(|id| self.full.contains(id))
    }
}

/// Who reads what: an API key with `reports:read` its operator; operator staff their
/// operators; the town's coordinator and administrators everything. Small counts are hidden
/// but where every operator counted is one whose figures the reader sees in full.
pub(crate) async fn reader(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    operator_id: Option<Uuid>,
) -> Result<Reader, ApiError> {
    let standing = Standing::of(conn, caller).await?;
    let operators = match operator_id {
        Some(id) if !standing.whole_town && !standing.own.contains(&id) => {
            return Err(ApiError::Forbidden(
                if matches!(caller, Caller::Key(_)) {
                    "This API key acts for another operator."
                } else {
                    "You read the figures of the operators you are staff of only."
                }
                .into(),
            ));
        }
        Some(id) => Some(vec![id]),
        None if standing.whole_town => None,
        None => Some(standing.own.clone()),
    };
    let outsider = !operators
        .as_deref()
        .is_some_and(|ids| standing.sees_in_full(ids));
    Ok(Reader {
        operators,
        outsider,
    })
}

/// The figures of the catalogue's indicators over a period, grouped by district, centre,
/// operator, category and/or month, as JSON or CSV (`format`, or `Accept: text/csv`).
///
/// Counted from the stored facts, anonymised sign-ups included, so that an erasure changes
/// no figure. Operator staff and API keys with `reports:read` read their operator's figures;
/// the town's coordinator and administrators the whole town, where a figure about people
/// resting on fewer than 5 of them (but some) is `null` with `suppressed`. The CSV has a
/// column per indicator and a column `suppressed` naming the hidden ones.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = []), ("api_key" = [])),
    params(IndicatorsQuery),
    responses(
        (status = 200, description = "The figures: JSON, or with `format=csv` (or `Accept: text/csv`) RFC 4180 CSV separated by `,`, with `format=excel` CSV separated by `;` after a UTF-8 byte order mark", content(
            (IndicatorReport = "application/json"),
            (String = "text/csv"),
        ), headers(
            ("Content-Disposition" = String, description = "CSV only: `attachment; filename=\"indicators.csv\"`"),
        )),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither operator staff, the town's coordinator nor an administrator; staff asking for another operator; an API key without `reports:read` or of another operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator, district or centre has the id filtered by (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A period out of order, over five years or outside 2000–2100, an unknown grouping or indicator (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/reports/indicators")]
pub async fn report_indicators(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    query: web::Query<IndicatorsQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let asked = Asked::parse(&query).map_err(|errors| ApiError::from(errors.in_query()))?;
    let mut conn = state.conn().await?;
    let reader = reader(&mut conn, &caller, query.operator_id).await?;
    let report = count(&mut conn, &query.filters(), &asked, &reader).await?;
    let format = RosterFormat::negotiate(query.format, &request);
    Ok(match format.dialect() {
        None => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "private, no-cache"))
            .json(report),
        Some(dialect) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "private, no-cache"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"indicators.csv\"",
            ))
            .content_type("text/csv; charset=utf-8")
            .body(csv(&report, dialect)),
    })
}

/// A report's period, groupings and indicators, checked.
pub(crate) struct Asked {
    pub period: Period,
    pub group_by: Vec<Dimension>,
    pub indicators: Vec<Indicator>,
}

impl Asked {
    pub(crate) fn parse(query: &IndicatorsQuery) -> Result<Self, ValidationErrors> {
        let period = Period::parse(query.from, query.to);
        let group_by = list(query.group_by.as_deref(), "group_by", Dimension::parse);
        let indicators = list(query.indicators.as_deref(), "indicators", Indicator::parse);
        match (period, group_by, indicators) {
            (Ok(period), Ok(group_by), Ok(indicators)) => Ok(Self {
                period,
                group_by,
                indicators: if indicators.is_empty() {
                    Indicator::ALL.to_vec()
                } else {
                    indicators
                },
            }),
            (period, group_by, indicators) => {
                let mut errors = ValidationErrors::default();
                for refused in [period.err(), group_by.err(), indicators.err()]
                    .into_iter()
                    .flatten()
                {
                    errors.0.extend(refused.0);
                }
                Err(errors)
            }
        }
    }
}

/// A list separated by commas, each item parsed, none twice.
fn list<T: PartialEq + Ord + Copy>(
    raw: Option<&str>,
    field: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, ValidationErrors> {
    let mut items = Vec::new();
    for part in raw.unwrap_or("").split(',').map(str::trim) {
        if part.is_empty() {
            continue;
        }
        match parse(part) {
            Some(item) if !items.contains(&item) => items.push(item),
            Some(_) => {
                return Err(ValidationErrors::single(
                    field,
                    format!("names {part} twice"),
                ));
            }
            None => {
                return Err(ValidationErrors::single(
                    field,
                    format!("has an unknown value: {part}"),
                ));
            }
        }
    }
    items.sort();
    Ok(items)
}

/// Counts the report `asked` for `reader`.
pub(crate) async fn count(
    conn: &mut AsyncPgConnection,
    query: &ReportFilters,
    asked: &Asked,
    reader: &Reader,
) -> Result<IndicatorReport, ApiError> {
    let names = reports::group_names(
        conn,
        query.district_id.into_iter().collect(),
        query.centre_id.into_iter().collect(),
        query.operator_id.into_iter().collect(),
    )
    .await?;
    let unknown = [
        (query.district_id, names.districts.is_empty(), "district"),
        (query.centre_id, names.centres.is_empty(), "centre"),
        (query.operator_id, names.operators.is_empty(), "operator"),
    ];
    if let Some((_, _, what)) = unknown.iter().find(|(id, none, _)| id.is_some() && *none) {
        return Err(ApiError::NotFound(format!("No {what} has this id.")));
    }
    let report_query = ReportQuery {
        from: midnight(asked.period.first),
        to: midnight(asked.period.end()),
        first_day: asked.period.first,
        last_day: asked.period.last,
        group_by: asked.group_by.clone(),
        operators: reader.operators.clone(),
        district: query.district_id,
        centre: query.centre_id,
        category: query
            .category
            .map(|c| Category::from(c).as_str().to_owned()),
        help_category: query
            .help_category
            .map(|c| HelpCategory::from(c).as_str().to_owned()),
    };
    let filtered = report_query.filtered();
    let (counted, not_applicable): (Vec<Indicator>, Vec<Indicator>) = asked
        .indicators
        .iter()
        .partition(|i| i.applies(&asked.group_by, &filtered));
    let figures = reports::figures(conn, &report_query, &counted).await?;
    let rows = rows(conn, figures, &counted, reader.outsider).await?;
    Ok(IndicatorReport {
        catalogue_version: CATALOGUE_VERSION,
        from: asked.period.first,
        to: asked.period.last,
        group_by: asked.group_by.iter().map(|&d| d.into()).collect(),
        small_cells_hidden: reader.outsider,
        indicators: counted.into_iter().map(IndicatorKey).collect(),
        not_applicable: not_applicable.into_iter().map(IndicatorKey).collect(),
        rows,
    })
}

/// The figures as rows, one per group, each with a value for every indicator counted: one
/// with no facts of its source in the group has 0 (a share or median none).
async fn rows(
    conn: &mut AsyncPgConnection,
    figures: Vec<Figure>,
    counted: &[Indicator],
    outsider: bool,
) -> Result<Vec<ReportRow>, ApiError> {
    let mut groups: BTreeMap<GroupKey, BTreeMap<Indicator, (Option<f64>, i64)>> = BTreeMap::new();
    for figure in figures {
        groups
            .entry(figure.group)
            .or_default()
            .insert(figure.indicator, (figure.value, figure.basis));
    }
    let ids = |pick: fn(&GroupKey) -> Option<Uuid>| -> Vec<Uuid> {
        groups.keys().filter_map(pick).collect()
    };
    let names = reports::group_names(
        conn,
        ids(|g| g.district_id),
        ids(|g| g.centre_id),
        ids(|g| g.operator_id),
    )
    .await?;
    let mut rows: Vec<ReportRow> = groups
        .into_iter()
        .map(|(group, values)| ReportRow {
            district: named(&names.districts, group.district_id),
            centre: named(&names.centres, group.centre_id),
            operator: named(&names.operators, group.operator_id),
            category: group
                .category
                .as_deref()
                .map(|c| crate::names::stored(c, CategoryBody::Other)),
            help_category: group
                .help_category
                .as_deref()
                .and_then(HelpCategory::parse)
                .map(Into::into),
            month: group.month,
            values: counted
                .iter()
                .map(|&indicator| {
                    let (value, basis) = values.get(&indicator).copied().unwrap_or((
                        match indicator.unit() {
                            Unit::Count | Unit::Hours | Unit::Euros => Some(0.0),
                            Unit::Share | Unit::Days => None,
                        },
                        0,
                    ));
                    let cell = reporting::cell(indicator, value, basis, outsider);
                    ReportValue {
                        indicator: IndicatorKey(indicator),
                        value: cell.value,
                        suppressed: cell.suppressed,
                    }
                })
                .collect(),
        })
        .collect();
    rows.sort_by_cached_key(sort_key);
    Ok(rows)
}

fn sort_key(row: &ReportRow) -> [String; 6] {
    let name = |n: &Option<Named>| n.as_ref().map(|n| n.name.clone()).unwrap_or_default();
    [
        name(&row.district),
        name(&row.centre),
        name(&row.operator),
        row.category
            .map(|c| Category::from(c).as_str().to_owned())
            .unwrap_or_default(),
        row.help_category
            .map(|c| HelpCategory::from(c).as_str().to_owned())
            .unwrap_or_default(),
        row.month.clone().unwrap_or_default(),
    ]
}

fn named(names: &[(Uuid, String)], id: Option<Uuid>) -> Option<Named> {
    let id = id?;
    let name = names
        .iter()
        .find(|(known, _)| *known == id)
        .map(|(_, name)| name.clone())
        .unwrap_or_default();
    Some(Named { id, name })
}

/// The report as CSV: the group's columns, a column per indicator (empty when hidden or
/// none), and `suppressed` with the keys of the hidden ones separated by spaces.
pub(crate) fn csv(report: &IndicatorReport, dialect: Dialect) -> String {
    let mut columns: Vec<String> = Vec::new();
    for dimension in &report.group_by {
        match dimension {
            DimensionBody::District => columns.extend(["district_id".into(), "district".into()]),
            DimensionBody::Centre => columns.extend(["centre_id".into(), "centre".into()]),
            DimensionBody::Operator => columns.extend(["operator_id".into(), "operator".into()]),
            DimensionBody::Category => columns.push("category".into()),
            DimensionBody::Month => columns.push("month".into()),
            DimensionBody::HelpCategory => columns.push("help_category".into()),
        }
    }
    columns.extend(report.indicators.iter().map(|i| i.0.key().to_owned()));
    columns.push("suppressed".into());
    let mut out = String::new();
    dialect.begin(&mut out, &columns.join(","));
    for row in &report.rows {
        let mut cells: Vec<String> = Vec::new();
        let both = |named: &Option<Named>| -> [String; 2] {
            match named {
                Some(n) => [n.id.to_string(), n.name.clone()],
                None => [String::new(), String::new()],
            }
        };
        for dimension in &report.group_by {
            match dimension {
                DimensionBody::District => cells.extend(both(&row.district)),
                DimensionBody::Centre => cells.extend(both(&row.centre)),
                DimensionBody::Operator => cells.extend(both(&row.operator)),
                DimensionBody::Category => cells.push(
                    row.category
                        .map(|c| Category::from(c).as_str().to_owned())
                        .unwrap_or_default(),
                ),
                DimensionBody::Month => cells.push(row.month.clone().unwrap_or_default()),
                DimensionBody::HelpCategory => cells.push(
                    row.help_category
                        .map(|c| HelpCategory::from(c).as_str().to_owned())
                        .unwrap_or_default(),
                ),
            }
        }
        cells.extend(
            row.values
                .iter()
                .map(|v| v.value.map(|x| x.to_string()).unwrap_or_default()),
        );
        let hidden: Vec<&str> = row
            .values
            .iter()
            .filter(|v| v.suppressed)
            .map(|v| v.indicator.0.key())
            .collect();
        cells.push(hidden.join(" "));
        dialect.row(&mut out, cells);
    }
    out
}
