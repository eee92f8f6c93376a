//! Workload limits that protect volunteers: an operator's policy (`/operators/{id}/workload-policy`)
//! and the problem a sign-up past a limit gets (`workload-limit`). The rules are
//! `quartier_domain::workload`; a volunteer's own caps are part of her profile.

use actix_web::http::header;
use actix_web::{HttpResponse, get, put, web};
use chrono::{DateTime, Datelike, Utc};
use quartier_domain::StaffRole;
use quartier_domain::ValidationErrors;
use quartier_domain::integration::Scope;
use quartier_domain::workload::{Exceeded, Limit, MOST, WorkloadPolicy};
use quartier_persistence::workload::{self, CategoryPolicy, PolicyRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::authz::require_operator;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, etag};
use crate::routes::activities::{CategoryBody, category_body};
use crate::state::AppState;

/// A workload limit.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WorkloadLimitKind {
    /// The operator's minutes a day.
    MinutesPerDay,
    /// The operator's minutes a week.
    MinutesPerWeek,
    /// The operator's shifts a week.
    ShiftsPerWeek,
    /// The operator's least rest between two shifts.
    RestBetweenShifts,
    /// The operator's sign-ups ahead.
    FutureSignups,
    /// The volunteer's own shifts a week.
    OwnShiftsPerWeek,
    /// The volunteer's own shifts a month.
    OwnShiftsPerMonth,
}

impl From<Limit> for WorkloadLimitKind {
    fn from(limit: Limit) -> Self {
        match limit {
            Limit::MinutesPerDay => WorkloadLimitKind::MinutesPerDay,
            Limit::MinutesPerWeek => WorkloadLimitKind::MinutesPerWeek,
            Limit::ShiftsPerWeek => WorkloadLimitKind::ShiftsPerWeek,
            Limit::RestBetweenShifts => WorkloadLimitKind::RestBetweenShifts,
            Limit::FutureSignups => WorkloadLimitKind::FutureSignups,
            Limit::OwnShiftsPerWeek => WorkloadLimitKind::OwnShiftsPerWeek,
            Limit::OwnShiftsPerMonth => WorkloadLimitKind::OwnShiftsPerMonth,
        }
    }
}

/// The limit a sign-up would break. For `rest_between_shifts`, `allowed` is the least rest
/// in minutes and `current` and `would_be` the rest there would be.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkloadLimitBody {
    pub limit: WorkloadLimitKind,
    /// The activity category whose limits these are (the shift's activity is of it); null
    /// for the operator's own limits and the volunteer's caps.
    pub category: Option<CategoryBody>,
    /// The day, week or month counted (local time, as UTC instants); null for limits over
    /// no window.
    pub window_start: Option<DateTime<Utc>>,
    pub window_end: Option<DateTime<Utc>>,
    /// The limit: minutes, shifts or sign-ups.
    pub allowed: i64,
    /// What the volunteer holds now.
    pub current: i64,
    /// What she would hold with this sign-up.
    pub would_be: i64,
}

impl From<Exceeded> for WorkloadLimitBody {
    fn from(exceeded: Exceeded) -> Self {
        Self {
            limit: exceeded.limit.into(),
            category: exceeded.category.map(|c| category_body(c.as_str())),
            window_start: exceeded.window.map(|w| w.from),
            window_end: exceeded.window.map(|w| w.to),
            allowed: exceeded.allowed,
            current: exceeded.current,
            would_be: exceeded.would_be,
        }
    }
}

/// The problem's detail for people.
pub(crate) fn describe(exceeded: &Exceeded) -> String {
    let (limit, allowed, current, would_be) = (
        exceeded.limit,
        exceeded.allowed,
        exceeded.current,
        exceeded.would_be,
    );
    match (limit, exceeded.category) {
        (Limit::RestBetweenShifts, None) => format!(
            "This sign-up leaves {current} minutes of rest between two shifts; the operator asks for at least {allowed}."
        ),
        (Limit::RestBetweenShifts, Some(category)) => format!(
            "This sign-up leaves {current} minutes of rest between two {} shifts; the operator asks for at least {allowed}.",
            category.as_str()
        ),
        (limit, None) => format!(
            "This sign-up goes past the workload limit {}: at most {allowed}, now {current}, with it {would_be}.",
            limit.as_str()
        ),
        (limit, Some(category)) => format!(
            "This sign-up goes past the workload limit {} for {} shifts: at most {allowed}, now {current}, with it {would_be}.",
            limit.as_str(),
            category.as_str()
        ),
    }
}

/// An operator's limits for shifts of one activity category, held beside its own limits
/// and counting only her shifts of that category there. Every limit is optional (null:
/// none), but one at least is set.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryLimitsBody {
    pub category: CategoryBody,
    #[schema(minimum = 1, maximum = 10080, example = 240)]
    pub max_minutes_per_day: Option<i32>,
    #[schema(minimum = 1, maximum = 10080, example = 480)]
    pub max_minutes_per_week: Option<i32>,
    #[schema(minimum = 1, maximum = 10080, example = 2)]
    pub max_shifts_per_week: Option<i32>,
    #[schema(minimum = 1, maximum = 10080, example = 1440)]
    pub min_rest_minutes: Option<i32>,
    #[schema(minimum = 1, maximum = 10080, example = 4)]
    pub max_future_signups: Option<i32>,
}

impl From<&CategoryPolicy> for CategoryLimitsBody {
    fn from(c: &CategoryPolicy) -> Self {
        Self {
            category: category_body(c.category.as_str()),
            max_minutes_per_day: c.policy.max_minutes_per_day,
            max_minutes_per_week: c.policy.max_minutes_per_week,
            max_shifts_per_week: c.policy.max_shifts_per_week,
            min_rest_minutes: c.policy.min_rest_minutes,
            max_future_signups: c.policy.max_future_signups,
        }
    }
}

/// Each of the five limits of a policy, named as its field.
fn limits_of(policy: &WorkloadPolicy) -> [(&'static str, Option<i32>); 5] {
    [
        ("max_minutes_per_day", policy.max_minutes_per_day),
        ("max_minutes_per_week", policy.max_minutes_per_week),
        ("max_shifts_per_week", policy.max_shifts_per_week),
        ("min_rest_minutes", policy.min_rest_minutes),
        ("max_future_signups", policy.max_future_signups),
    ]
}

fn check_range(errors: &mut ValidationErrors, prefix: &str, policy: &WorkloadPolicy) {
    for (field, value) in limits_of(policy) {
        if value.is_some_and(|n| !(1..=MOST).contains(&n)) {
            errors.push(
                format!("{prefix}{field}"),
                format!("must be from 1 to {MOST}, or null"),
            );
        }
    }
}

/// An operator's workload policy. Every limit is optional (null: none).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkloadPolicyBody {
    /// Minutes of shifts at this operator in one day (Europe/Berlin).
    #[schema(minimum = 1, maximum = 10080, example = 480)]
    pub max_minutes_per_day: Option<i32>,
    /// Minutes of shifts at this operator in one ISO week.
    #[schema(minimum = 1, maximum = 10080, example = 1200)]
    pub max_minutes_per_week: Option<i32>,
    /// Shifts at this operator in one ISO week.
    #[schema(minimum = 1, maximum = 10080, example = 3)]
    pub max_shifts_per_week: Option<i32>,
    /// The least rest, in minutes, between two of her shifts at this operator.
    #[schema(minimum = 1, maximum = 10080, example = 60)]
    pub min_rest_minutes: Option<i32>,
    /// Sign-ups for shifts of this operator still ahead.
    #[schema(minimum = 1, maximum = 10080, example = 10)]
    pub max_future_signups: Option<i32>,
    /// Whether the limits (its own and those per category) bind sign-ups staff make for a
    /// volunteer too (default false).
    #[serde(default)]
    pub binds_staff: bool,
    /// Limits for shifts of activities of one category, each category once (default none).
    /// They replace those set before.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub categories: Vec<CategoryLimitsBody>,
}

impl WorkloadPolicyBody {
    fn policy(&self) -> Result<(WorkloadPolicy, Vec<CategoryPolicy>), ApiError> {
        let mut errors = ValidationErrors::default();
        let policy = WorkloadPolicy {
            max_minutes_per_day: self.max_minutes_per_day,
            max_minutes_per_week: self.max_minutes_per_week,
            max_shifts_per_week: self.max_shifts_per_week,
            min_rest_minutes: self.min_rest_minutes,
            max_future_signups: self.max_future_signups,
            binds_staff: self.binds_staff,
        };
        check_range(&mut errors, "", &policy);
        let mut categories: Vec<CategoryPolicy> = Vec::with_capacity(self.categories.len());
        for (i, c) in self.categories.iter().enumerate() {
            let category = quartier_domain::activity::Category::from(c.category);
            let limits = WorkloadPolicy {
                max_minutes_per_day: c.max_minutes_per_day,
                max_minutes_per_week: c.max_minutes_per_week,
                max_shifts_per_week: c.max_shifts_per_week,
                min_rest_minutes: c.min_rest_minutes,
                max_future_signups: c.max_future_signups,
                binds_staff: self.binds_staff,
            };
            let prefix = format!("categories[{i}].");
            check_range(&mut errors, &prefix, &limits);
            if !limits.limits_anything() {
                errors.push(format!("categories[{i}]"), "sets no limit");
            }
            if categories.iter().any(|seen| seen.category == category) {
                errors.push(format!("{prefix}category"), "is named twice");
            }
            categories.push(CategoryPolicy {
                category,
                policy: limits,
            });
        }
        errors.into_result()?;
        Ok((policy, categories))
    }
}

/// An operator's workload policy as stored: the limits of `WorkloadPolicyBody`, with its
/// version.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkloadPolicyResponse {
    pub operator_id: Uuid,
    pub max_minutes_per_day: Option<i32>,
    pub max_minutes_per_week: Option<i32>,
    pub max_shifts_per_week: Option<i32>,
    pub min_rest_minutes: Option<i32>,
    pub max_future_signups: Option<i32>,
    pub binds_staff: bool,
    /// Its limits per activity category, in the order of the categories' names.
    pub categories: Vec<CategoryLimitsBody>,
    /// 0 while the operator has set none; sent as `ETag`, expected back in `If-Match`.
    pub version: i32,
    pub updated_at: Option<DateTime<Utc>>,
}

impl WorkloadPolicyResponse {
    fn of(operator_id: Uuid, row: Option<PolicyRow>, categories: &[CategoryPolicy]) -> Self {
        let policy = row.as_ref().map(PolicyRow::policy).unwrap_or_default();
        Self {
            operator_id,
            max_minutes_per_day: policy.max_minutes_per_day,
            max_minutes_per_week: policy.max_minutes_per_week,
            max_shifts_per_week: policy.max_shifts_per_week,
            min_rest_minutes: policy.min_rest_minutes,
            max_future_signups: policy.max_future_signups,
            binds_staff: policy.binds_staff,
            categories: categories.iter().map(CategoryLimitsBody::from).collect(),
            version: row.as_ref().map_or(0, |r| r.version),
            updated_at: row.map(|r| r.updated_at),
        }
    }

    fn answer(self) -> HttpResponse {
        HttpResponse::Ok()
            .insert_header((header::ETAG, etag(self.version)))
            .insert_header((header::CACHE_CONTROL, "private, no-cache"))
            .json(self)
    }
}

/// The operator's workload policy: the limits its volunteers' sign-ups are held to. All
/// null (version 0) while it has set none.
#[utoipa::path(
    tag = "operators",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The operator's id")),
    responses(
        (status = 200, description = "The policy", body = WorkloadPolicyResponse, headers(("ETag" = String))),
        (status = 403, description = "Not staff of this operator, or an API key of another operator or without the scope `shifts:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/operators/{id}/workload-policy")]
pub async fn get_workload_policy(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    require_operator(
        &mut conn,
        &caller,
        *id,
        StaffRole::Coordinator,
        Scope::ShiftsWrite,
    )
    .await?;
    let row = workload::policy(&mut conn, *id).await?;
    let categories = workload::category_policies(&mut conn, *id).await?;
    Ok(WorkloadPolicyResponse::of(*id, row, &categories).answer())
}

/// Set the operator's workload policy. From the next sign-up on, a confirmed place that
/// would take a volunteer past a limit is refused (409 `workload-limit`, naming the limit,
/// its window and the figures); places on the waitlist are not. Sign-ups that exist stay.
/// Needs `If-Match`: the policy's `ETag` (`"0"` before the first), or `*`.
#[utoipa::path(
    tag = "operators",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("If-Match" = String, Header, description = "The ETag of the policy being changed (`\"0\"` before the first), or `*`"),
    ),
    request_body = WorkloadPolicyBody,
    responses(
        (status = 200, description = "The policy now", body = WorkloadPolicyResponse, headers(("ETag" = String))),
        (status = 403, description = "Not an administrator or operator admin of this operator, or an API key of another operator or without the scope `shifts:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The policy changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A limit out of range (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/operators/{id}/workload-policy")]
pub async fn put_workload_policy(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<WorkloadPolicyBody>,
) -> Result<HttpResponse, ApiError> {
    let (policy, categories) = body.policy()?;
    let versions = if_match.versions()?;
    let mut conn = state.conn().await?;
    require_operator(
        &mut conn,
        &caller,
        *id,
        StaffRole::OperatorAdmin,
        Scope::ShiftsWrite,
    )
    .await?;
    let current = workload::policy(&mut conn, *id)
        .await?
        .map_or(0, |row| row.version);
    if versions.is_some_and(|v| !v.contains(&current)) {
        return Err(ApiError::VersionConflict);
    }
    // Written only over the version read, so two changes from it cannot both pass.
    let saved = workload::put_policy(&mut conn, *id, &policy, &categories, current)
        .await?
        .ok_or(ApiError::VersionConflict)?;
    let categories = workload::category_policies(&mut conn, *id).await?;
    Ok(WorkloadPolicyResponse::of(*id, Some(saved), &categories).answer())
}

/// One limit of a week: the limit (null: none), what is used, and what is left.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkloadAmount {
    pub allowed: Option<i64>,
    pub used: i64,
    /// `allowed` − `used`, never below 0; null without a limit.
    pub left: Option<i64>,
}

impl WorkloadAmount {
    fn of(allowed: Option<i32>, used: i64) -> Self {
        let allowed = allowed.map(i64::from);
        Self {
            allowed,
            used,
            left: allowed.map(|a| (a - used).max(0)),
        }
    }
}

/// The week at one operator with a workload policy.
#[derive(Debug, Serialize, ToSchema)]
pub struct OperatorWorkload {
    pub operator: crate::routes::activities::Named,
    pub minutes_per_week: WorkloadAmount,
    pub shifts_per_week: WorkloadAmount,
    /// Sign-ups ahead, from now (whatever the week).
    pub future_signups: WorkloadAmount,
    /// The policy's limits a week does not sum up: minutes a day, rest between shifts.
    pub max_minutes_per_day: Option<i32>,
    pub min_rest_minutes: Option<i32>,
    /// The same for each activity category the operator limits: only her shifts of that
    /// category there count.
    pub categories: Vec<CategoryWorkload>,
}

/// The week in one activity category of an operator's shifts that it limits.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryWorkload {
    pub category: CategoryBody,
    pub minutes_per_week: WorkloadAmount,
    pub shifts_per_week: WorkloadAmount,
    pub future_signups: WorkloadAmount,
    pub max_minutes_per_day: Option<i32>,
    pub min_rest_minutes: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyWorkload {
    /// The ISO week, as asked for.
    #[schema(example = "2027-W05")]
    pub week: String,
    pub week_start: DateTime<Utc>,
    pub week_end: DateTime<Utc>,
    /// Her own cap over all operators, in this week.
    pub own_shifts_per_week: WorkloadAmount,
    /// … and in the month the week starts in.
    pub own_shifts_per_month: WorkloadAmount,
    /// Each operator with a workload policy that she helps or holds a place with.
    pub operators: Vec<OperatorWorkload>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WeekQuery {
    /// An ISO week, `YYYY-Www` (default: this week, in Europe/Berlin).
    #[param(example = "2027-W05", pattern = r"^\d{4}-W\d{2}$")]
    pub week: Option<String>,
}

/// The ISO week `raw` names (`2027-W05`), as a window of local time.
fn week_named(raw: &str) -> Option<quartier_domain::workload::Window> {
    let (year, week) = raw.split_once("-W")?;
    if year.len() != 4 || week.len() != 2 {
        return None;
    }
    let monday = chrono::NaiveDate::from_isoywd_opt(
        year.parse().ok()?,
        week.parse().ok()?,
        chrono::Weekday::Mon,
    )?;
    let noon = monday.and_hms_opt(12, 0, 0)?.and_utc();
    Some(quartier_domain::workload::week_of(noon))
}

/// Your workload in a week: shifts and minutes used and left under your own caps and the
/// policies of the operators you help, counted as a sign-up is checked.
#[utoipa::path(
    tag = "volunteering",
    security(("bearer" = [])),
    params(WeekQuery),
    responses(
        (status = 200, description = "The week", body = MyWorkload),
        (status = 422, description = "`week` is no ISO week such as 2027-W05 (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/workload")]
pub async fn my_workload(
    state: web::Data<AppState>,
    user: crate::auth::AuthUser,
    query: web::Query<WeekQuery>,
) -> Result<HttpResponse, ApiError> {
    let now = Utc::now();
    let week = match query.week.as_deref() {
        Some(raw) => week_named(raw)
            .ok_or_else(|| ApiError::query("week", "must be an ISO week such as 2027-W05"))?,
        None => quartier_domain::workload::week_of(now),
    };
    let local = week
        .from
        .with_timezone(&quartier_domain::signup::LOCAL_ZONE)
        .date_naive()
        .iso_week();
    let mut conn = state.conn().await?;
    let caps = workload::own_caps(&mut conn, user.id).await?;
    let used = workload::week_of_user(&mut conn, user.id, week, now).await?;
    let body = MyWorkload {
        week: format!("{:04}-W{:02}", local.year(), local.week()),
        week_start: week.from,
        week_end: week.to,
        own_shifts_per_week: WorkloadAmount::of(caps.shifts_per_week, used.shifts_week),
        own_shifts_per_month: WorkloadAmount::of(caps.shifts_per_month, used.shifts_month),
        operators: used
            .operators
            .into_iter()
            .map(|o| OperatorWorkload {
                operator: crate::routes::activities::Named {
                    id: o.operator_id,
                    name: o.name,
                },
                minutes_per_week: WorkloadAmount::of(o.policy.max_minutes_per_week, o.minutes_week),
                shifts_per_week: WorkloadAmount::of(o.policy.max_shifts_per_week, o.shifts_week),
                future_signups: WorkloadAmount::of(o.policy.max_future_signups, o.future),
                max_minutes_per_day: o.policy.max_minutes_per_day,
                min_rest_minutes: o.policy.min_rest_minutes,
                categories: o
                    .categories
                    .into_iter()
                    .map(|c| CategoryWorkload {
                        category: category_body(c.category.as_str()),
                        minutes_per_week: WorkloadAmount::of(
                            c.policy.max_minutes_per_week,
                            c.minutes_week,
                        ),
                        shifts_per_week: WorkloadAmount::of(
                            c.policy.max_shifts_per_week,
                            c.shifts_week,
                        ),
                        future_signups: WorkloadAmount::of(c.policy.max_future_signups, c.future),
                        max_minutes_per_day: c.policy.max_minutes_per_day,
                        min_rest_minutes: c.policy.min_rest_minutes,
                    })
                    .collect(),
            })
            .collect(),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(body))
}
