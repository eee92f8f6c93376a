//! Making, changing and reading funds: `POST /funds`, `PATCH /funds/{id}`, `GET /funds`,
//! `GET /funds/{id}`.

use actix_web::{HttpResponse, get, patch, post, web};
use quartier_domain::fund::{Cents, FundLimits};
use quartier_domain::{StaffRole, ValidationErrors, bounded_text};
use quartier_persistence::AsyncConnection;
use quartier_persistence::audit::NewEntry;
use quartier_persistence::funds::{self, FundChange, FundChangeRefusal, FundFilter, NewFund};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{FundResponse, existing_fund, keeps, require_keeper};
use crate::auth::{Caller, MaybeCaller};
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, IfNoneMatch, Json, etag, nullable};
use crate::languages::{LanguageQuery, ListLanguageQuery, Reading, localize_list, one_in_language};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFundRequest {
    /// The operator that runs it; give this or `district_id`.
    pub operator_id: Option<Uuid>,
    /// The district the town runs it for; give this or `operator_id`.
    pub district_id: Option<Uuid>,
    /// The network (Quartiersbeirat, Jury) that decides above the staff threshold. Without
    /// one, staff decide everything up to their threshold and nothing above it.
    pub committee_network_id: Option<Uuid>,
    #[schema(minimum = 2000, maximum = 2100, example = 2027)]
    pub year: i64,
    #[schema(
        example = "Verfügungsfonds Nordstadt 2027",
        min_length = 1,
        max_length = 200
    )]
    pub title: String,
    #[schema(minimum = 0, maximum = 1_000_000_000, example = 1_500_000)]
    pub budget_cents: i64,
    /// The most one project may get; at most the budget.
    #[schema(minimum = 0, maximum = 1_000_000_000, example = 150_000)]
    pub per_project_max_cents: i64,
    /// Up to this amount staff decide alone; at most `per_project_max_cents`.
    #[schema(minimum = 0, maximum = 1_000_000_000, example = 50_000)]
    pub staff_threshold_cents: i64,
}

/// Make a neighbourhood fund for a year. An operator's: its operator admins (or its API key
/// with `funds:write`). A district's: administrators and the core team looking after the
/// district.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = []), ("api_key" = [])),
    request_body = CreateFundRequest,
    responses(
        (status = 201, description = "The fund was made", body = FundResponse, headers(("ETag" = String))),
        (status = 400, description = "The body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not keeping funds of this operator or district (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, limits that do not fit together, not exactly one owner, or an unknown district or network (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/funds")]
pub async fn create_fund(
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<CreateFundRequest>,
) -> Result<HttpResponse, ApiError> {
    if body.operator_id.is_some() == body.district_id.is_some() {
        return Err(ApiError::validation(
            "operator_id",
            "give exactly one of operator_id and district_id",
        ));
    }
    let mut errors = ValidationErrors::default();
    let title = errors.collect(bounded_text(&body.title, "title", 200));
    let year = quartier_domain::fund::year(body.year);
    if year.is_none() {
        errors.push("year", "must be from 2000 to 2100");
    }
    let budget = errors.collect(Cents::parse("budget_cents", body.budget_cents));
    let maximum = errors.collect(Cents::parse(
        "per_project_max_cents",
        body.per_project_max_cents,
    ));
    let threshold = errors.collect(Cents::parse(
        "staff_threshold_cents",
        body.staff_threshold_cents,
    ));
    errors.into_result()?;
    let (Some(title), Some(year), Some(budget), Some(maximum), Some(threshold)) =
        (title, year, budget, maximum, threshold)
    else {
        return Err(ApiError::Internal("checked fields missing".into()));
    };
    let limits = FundLimits::new(budget, maximum, threshold)?;
    let mut conn = state.conn().await?;
    if let Some(district) = body.district_id
        && quartier_persistence::districts::find(&mut conn, district)
            .await?
            .is_none()
    {
        return Err(ApiError::validation(
            "district_id",
            "is not the id of a district",
        ));
    }
    require_keeper(
        &mut conn,
        &caller,
        body.operator_id,
        body.district_id,
        StaffRole::OperatorAdmin,
    )
    .await?;
    let row = funds::create_fund(
        &mut conn,
        &NewFund {
            id: Uuid::now_v7(),
            operator_id: body.operator_id,
            district_id: body.district_id,
            committee_network_id: body.committee_network_id,
            year,
            title,
            limits,
            created_by: caller.user().map(|user| user.id),
        },
    )
    .await
    .map_err(|error| {
        if error.is_constraint(funds::COMMITTEE_KEY) {
            ApiError::validation("committee_network_id", "is not the id of a network")
        } else if error.is_constraint(funds::FUND_DISTRICT_KEY) {
            ApiError::validation("district_id", "is not the id of a district")
        } else {
            error.into()
        }
    })?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::ETAG, etag(row.version)))
        .json(FundResponse::from(row)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FundQuery {
    /// Only the funds of this year.
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i64>,
    /// Only this operator's funds.
    pub operator_id: Option<Uuid>,
    /// Only the funds the town runs for this district.
    pub district_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FundList {
    /// The newest year first, then by title; at most 500.
    pub items: Vec<FundResponse>,
}

/// The neighbourhood funds, with what each has granted and has left, their titles in the
/// reader's language. Public.
#[utoipa::path(
    tag = "funds",
    security((), ("bearer" = [])),
    params(
        FundQuery,
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
    ),
    responses(
        (status = 200, description = "The funds", body = FundList, headers(("Content-Language" = String), ("Vary" = String))),
        (status = 400, description = "A parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A year outside 2000 to 2100, or `lang` not a language tag (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/funds")]
pub async fn list_funds(
    state: web::Data<AppState>,
    query: web::Query<FundQuery>,
    reading: Reading,
) -> Result<HttpResponse, ApiError> {
    let year = super::query_year(query.year)?;
    let mut conn = state.conn().await?;
    let mut items: Vec<FundResponse> = funds::list_funds(
        &mut conn,
        FundFilter {
            year,
            operator_id: query.operator_id,
            district_id: query.district_id,
        },
        500,
    )
    .await?
    .into_iter()
    .map(Into::into)
    .collect();
    let served = localize_list(&mut conn, &state, &reading, &mut items).await?;
    let mut response = HttpResponse::Ok().json(FundList { items });
    served.mark(&mut response);
    Ok(response)
}

/// A neighbourhood fund, its title in the reader's language. Public; those who keep it may
/// ask for every variant (`all_languages=true`).
#[utoipa::path(
    tag = "funds",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The fund's id"),
        LanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the copy the client holds"),
    ),
    responses(
        (status = 200, description = "The fund", body = FundResponse, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "The client's copy, in this language, is current", headers(("ETag" = String))),
        (status = 400, description = "The id or the language parameters do not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`all_languages` asked for by someone who does not keep the fund (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No fund has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`lang` is not a language tag, such as `de-LS` (Lesotho's German; Leichte Sprache is `de-x-ls`) (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/funds/{id}")]
pub async fn get_fund(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let row = existing_fund(&mut conn, *id).await?;
    let keeper = match &caller {
        Some(caller) if reading.all_languages => keeps(&mut conn, caller, &row).await?,
        _ => false,
    };
    let version = row.version;
    one_in_language(
        &mut conn,
        &state,
        &reading,
        FundResponse::from(row),
        version,
        keeper,
        &if_none_match,
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateFundRequest {
    #[schema(
        example = "Verfügungsfonds Nordstadt 2027",
        min_length = 1,
        max_length = 200
    )]
    pub title: Option<String>,
    /// The network that decides above the staff threshold; `null` takes it away (then staff
    /// decide nothing above their threshold).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable = true, value_type = Option<Uuid>)]
    pub committee_network_id: Option<Option<Uuid>>,
    /// At least what the fund has granted.
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    pub budget_cents: Option<i64>,
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    pub per_project_max_cents: Option<i64>,
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    pub staff_threshold_cents: Option<i64>,
    /// `true` closes the fund: it takes no new applications and no draft is handed in any
    /// more; what was handed in is still decided, reported and settled. `false` opens it
    /// again.
    pub closed: Option<bool>,
}

/// Change a fund: its title, committee and limits (a budget raised or cut, but never below
/// what it has granted), or close it. Its operator admins (or its API key with
/// `funds:write`); a district's fund administrators and the core team looking after the
/// district. Needs `If-Match`. What was decided stays as it was.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The fund's id"),
        ("If-Match" = String, Header, description = "The fund's ETag, or `*`"),
    ),
    request_body = UpdateFundRequest,
    responses(
        (status = 200, description = "The fund as it is now", body = FundResponse, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not keeping funds of this operator or district (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No fund has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A budget below what the fund has granted (`budget-below-granted`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The fund changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, limits that do not fit together, or an unknown network (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/funds/{id}")]
pub async fn update_fund(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<UpdateFundRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = ValidationErrors::default();
    let title = body
        .title
        .as_deref()
        .and_then(|title| errors.collect(bounded_text(title, "title", 200)));
    let mut cents = |field: &str, raw: Option<i64>| {
        raw.and_then(|raw| errors.collect(Cents::parse(field, raw)))
    };
    let change = FundChange {
        budget: cents("budget_cents", body.budget_cents),
        per_project_max: cents("per_project_max_cents", body.per_project_max_cents),
        staff_threshold: cents("staff_threshold_cents", body.staff_threshold_cents),
        title,
        committee_network_id: body.committee_network_id,
        closed: body.closed,
    };
    errors.into_result()?;
    let versions = if_match.versions()?;
    let mut conn = state.conn().await?;
    let fund = existing_fund(&mut conn, *id).await?;
    require_keeper(
        &mut conn,
        &caller,
        fund.operator_id,
        fund.district_id,
        StaffRole::OperatorAdmin,
    )
    .await?;
    let actor = caller.actor();
    let row = conn
        .transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let changed = funds::update_fund(conn, fund.id, versions, &change).await?;
            if let Ok(row) = &changed {
                let mut entry = NewEntry::new(actor, "fund.updated", "fund", row.id).details(
                    serde_json::json!({
                        "budget_cents": row.budget_cents,
                        "per_project_max_cents": row.per_project_max_cents,
                        "staff_threshold_cents": row.staff_threshold_cents,
                        "committee_network_id": row.committee_network_id,
                        "closed": row.closed_at.is_some(),
                    }),
                );
                if let Some(operator) = row.operator_id {
                    entry = entry.operator(operator);
                }
                entry.record(conn).await?;
            }
            Ok(changed)
        })
        .await
        .map_err(|error| {
            if error.is_constraint(funds::COMMITTEE_KEY) {
                ApiError::validation("committee_network_id", "is not the id of a network")
            } else {
                error.into()
            }
        })?
        .map_err(|refusal| match refusal {
            FundChangeRefusal::NotFound => ApiError::NotFound("No fund has this id.".into()),
            FundChangeRefusal::VersionConflict => ApiError::VersionConflict,
            FundChangeRefusal::Limits(errors) => ApiError::Validation(errors),
            FundChangeRefusal::BudgetBelowGranted { granted } => ApiError::Conflict {
                slug: "budget-below-granted",
                detail: format!(
                    "The fund has granted {} cents: its budget cannot be less.",
                    granted.get()
                ),
            },
        })?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::ETAG, etag(row.version)))
        .json(FundResponse::from(row)))
}
