//! Making and reading funds: `POST /funds`, `GET /funds`, `GET /funds/{id}`.

use actix_web::{HttpResponse, get, post, web};
use quartier_domain::fund::{Cents, FundLimits};
use quartier_domain::{StaffRole, ValidationErrors, bounded_text};
use quartier_persistence::funds::{self, FundFilter, NewFund};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{FundResponse, existing_fund, require_keeper};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, etag};
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
#[serde(deny_unknown_fields)]
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

/// The neighbourhood funds, with what each has granted and has left. Public.
#[utoipa::path(
    tag = "funds",
    security((), ("bearer" = [])),
    params(FundQuery),
    responses(
        (status = 200, description = "The funds", body = FundList),
        (status = 400, description = "A parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A year outside 2000 to 2100 (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/funds")]
pub async fn list_funds(
    state: web::Data<AppState>,
    query: web::Query<FundQuery>,
) -> Result<HttpResponse, ApiError> {
    let year = super::query_year(query.year)?;
    let mut conn = state.conn().await?;
    let items = funds::list_funds(
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
    Ok(HttpResponse::Ok().json(FundList { items }))
}

/// A neighbourhood fund. Public.
#[utoipa::path(
    tag = "funds",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "The fund's id")),
    responses(
        (status = 200, description = "The fund", body = FundResponse, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No fund has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/funds/{id}")]
pub async fn get_fund(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let row = existing_fund(&mut conn, *id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::ETAG, etag(row.version)))
        .json(FundResponse::from(row)))
}
