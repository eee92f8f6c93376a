//! Applications to a fund: `POST /funds/{id}/applications` makes a draft,
//! `PUT /funds/{id}/applications/{application_id}` rewrites it,
//! `GET /funds/{id}/applications` lists them (all for the fund's keepers, her own for an
//! applicant), `GET /funds/{id}/applications/{application_id}` reads one.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, put, web};
use quartier_domain::concern::ConcernStatus;
use quartier_domain::fund::{Cents, check_cost_plan};
use quartier_domain::operator::free_text;
use quartier_domain::validation::bounded_multiline_text;
use quartier_domain::{ValidationErrors, bounded_text};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::funds::{
    self, ApplicationFilter, ApplicationRow, FundRow, NewApplication, RewriteRefusal,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    ApplicationResponse, ApplicationStatusBody, CostLineBody, applies, existing_fund, keeps,
};
use crate::auth::{AuthUser, Caller};
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, etag};
use crate::pagination::{Page, decode_cursor, encode_cursor, limit};
use crate::state::AppState;

/// The most partners an application names besides the applying one.
const MAX_PARTNERS: usize = 20;
/// The most target groups an application names.
const MAX_TARGET_GROUPS: usize = 20;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApplicationRequest {
    #[schema(example = "Straßenfest Lindenplatz", min_length = 1, max_length = 200)]
    pub title: String,
    /// What the project is.
    #[schema(min_length = 1, max_length = 5000)]
    pub description: String,
    /// What it means to achieve.
    #[schema(max_length = 2000)]
    pub goals: Option<String>,
    /// Whom it is for (Kinder, Seniorinnen und Senioren, …); at most 20, each up to 100
    /// characters.
    pub target_groups: Option<Vec<String>>,
    /// What is asked for, in cents; at most what the cost plan's lines come to, when it has
    /// any.
    #[schema(minimum = 1, maximum = 1_000_000_000, example = 45_000)]
    pub requested_cents: i64,
    /// The cost plan, in order; at most 50 lines.
    pub cost_lines: Option<Vec<CostLineBody>>,
    /// Where the project happens. For a district's fund, that district or one inside it,
    /// and the district itself when left out; for an operator's fund, required.
    pub district_id: Option<Uuid>,
    /// The partner organisation applying with or for you; you must be on its staff.
    pub applicant_partner_id: Option<Uuid>,
    /// Other partners involved; at most 20.
    pub partner_ids: Option<Vec<Uuid>>,
    /// The concern the project answers.
    pub concern_id: Option<Uuid>,
}

/// Apply to a fund: makes a draft that only you (and the fund's keepers) see, to submit
/// when it is ready. Any signed-in person; for a partner, one on its staff.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The fund's id")),
    request_body = CreateApplicationRequest,
    responses(
        (status = 201, description = "The draft", body = ApplicationResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "The id is not a UUID, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not on the staff of the partner named as applying (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No fund has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The fund is closed (`fund-closed`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, more asked for than the cost plan, a district outside the fund's, or an unknown district, partner or concern (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/funds/{id}/applications")]
pub async fn create_application(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    Json(body): Json<CreateApplicationRequest>,
) -> Result<HttpResponse, ApiError> {
    let checked = Checked::new(&body)?;
    let mut conn = state.conn().await?;
    let fund = existing_fund(&mut conn, *id).await?;
    if fund.closed_at.is_some() {
        return Err(super::fund_closed());
    }
    let new = checked
        .application(&mut conn, &fund, Applier::person(user), Uuid::now_v7())
        .await?;
    let row = funds::create_application(&mut conn, &new)
        .await
        .map_err(plan_refused)?;
    let response = ApplicationResponse::load(&mut conn, row, false).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, etag(response.version)))
        .insert_header((
            header::LOCATION,
            format!("/api/v1/funds/{}/applications/{}", fund.id, response.id),
        ))
        .json(response))
}

/// Rewrite a draft: every field as when applying (what is left out is left out now too).
/// The applicant, while it is a draft; needs `If-Match`.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The fund's id"),
        ("application_id" = Uuid, Path, description = "The application's id"),
        ("If-Match" = String, Header, description = "The application's ETag, or `*`"),
    ),
    request_body = CreateApplicationRequest,
    responses(
        (status = 200, description = "The draft as it is now", body = ApplicationResponse, headers(("ETag" = String))),
        (status = 400, description = "An id is not a UUID, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the applicant, not on the staff of a new partner named as applying, or changing the applying partner of another's draft (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No fund or no application to it has this id, or it is not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No longer a draft (`fund-step-not-allowed`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The application changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, more asked for than the cost plan, a district outside the fund's, or an unknown district, partner or concern (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/funds/{id}/applications/{application_id}")]
pub async fn rewrite_application(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
    Json(body): Json<CreateApplicationRequest>,
) -> Result<HttpResponse, ApiError> {
    let checked = Checked::new(&body)?;
    let versions = if_match.versions()?;
    let (fund_id, application_id) = path.into_inner();
    let mut conn = state.conn().await?;
    let (fund, row, Access { applicant, .. }) =
        readable(&mut conn, &caller, fund_id, application_id).await?;
    let Some(user) = caller.user().filter(|_| applicant) else {
        return Err(ApiError::Forbidden(
            "Only the applicant rewrites a draft.".into(),
        ));
    };
    // Her partner's speakers rewrite it with her; the partner she applies with is hers to
    // choose.
    if body.applicant_partner_id != row.applicant_partner_id && row.applicant_id != Some(user.id) {
        return Err(ApiError::Forbidden(
            "Only the one who applied changes the partner she applies with.".into(),
        ));
    }
    let applier = Applier {
        user: Some(user),
        kept_partner: row.applicant_partner_id,
    };
    let mut new = checked
        .application(&mut conn, &fund, applier, row.id)
        .await?;
    // The draft stays hers, whoever of her partner's speakers rewrites it.
    new.applicant_id = row.applicant_id;
    let row = funds::rewrite_draft(&mut conn, &new, versions)
        .await
        .map_err(plan_refused)?
        .map_err(|refusal| match refusal {
            RewriteRefusal::NotFound => {
                ApiError::NotFound("No application to this fund has this id.".into())
            }
            RewriteRefusal::VersionConflict => ApiError::VersionConflict,
            RewriteRefusal::NotDraft(status) => ApiError::Conflict {
                slug: "fund-step-not-allowed",
                detail: format!(
                    "An application that is {} is no longer rewritten.",
                    status.as_str()
                ),
            },
        })?;
    let response = ApplicationResponse::load(&mut conn, row, false).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(response.version)))
        .json(response))
}

/// A refused write of an application's plan, as the client reads it.
pub(crate) fn plan_refused(error: quartier_persistence::Error) -> ApiError {
    if error.is_constraint(funds::PARTNER_KEY) {
        ApiError::validation("partner_ids", "names a partner that does not exist")
    } else if error.is_constraint(funds::CONCERN_KEY) {
        ApiError::validation("concern_id", "is not the id of a concern")
    } else if error.is_constraint(funds::APPLICANT_PARTNER_KEY) {
        ApiError::validation("applicant_partner_id", "is not the id of a partner")
    } else if error.is_constraint(funds::APPLICATION_DISTRICT_KEY) {
        ApiError::validation("district_id", "is not the id of a district")
    } else {
        error.into()
    }
}

/// Who an application is checked for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Applier {
    /// The signed-in person applying or rewriting; `None` for a guest, who applies for no
    /// partner.
    pub user: Option<AuthUser>,
    /// The applying partner a draft names already, whose staff she was found on then.
    pub kept_partner: Option<Uuid>,
}

impl Applier {
    pub(crate) fn person(user: AuthUser) -> Self {
        Self {
            user: Some(user),
            kept_partner: None,
        }
    }

    pub(crate) fn guest() -> Self {
        Self {
            user: None,
            kept_partner: None,
        }
    }
}

/// An application's fields, checked on their own (what needs the database comes in
/// `application`).
#[derive(Debug)]
pub(crate) struct Checked<'a> {
    body: &'a CreateApplicationRequest,
    title: String,
    description: String,
    goals: Option<String>,
    target_groups: Vec<String>,
    requested: Cents,
    cost_lines: Vec<(String, Cents)>,
    partner_ids: Vec<Uuid>,
}

impl<'a> Checked<'a> {
    /// `body`'s fields, checked: every fault at once (422).
    pub(crate) fn new(body: &'a CreateApplicationRequest) -> Result<Self, ApiError> {
        let mut errors = ValidationErrors::default();
        let title = errors.collect(bounded_text(&body.title, "title", 200));
        let description = errors.collect(bounded_multiline_text(
            &body.description,
            "description",
            5000,
        ));
        let goals = match body
            .goals
            .as_deref()
            .map(|goals| free_text(goals, "goals", 2000))
        {
            Some(Ok(goals)) if goals.is_empty() => None,
            Some(result) => errors.collect(result),
            None => None,
        };
        let groups = body.target_groups.as_deref().unwrap_or_default();
        if groups.len() > MAX_TARGET_GROUPS {
            errors.push("target_groups", "must name at most 20 groups");
        }
        let target_groups: Vec<String> = groups
            .iter()
            .take(MAX_TARGET_GROUPS)
            .filter_map(|group| errors.collect(bounded_text(group, "target_groups", 100)))
            .collect();
        let requested = errors.collect(Cents::parse("requested_cents", body.requested_cents));
        let lines = body.cost_lines.as_deref().unwrap_or_default();
        let cost_lines: Vec<(String, Cents)> = lines
            .iter()
            .take(quartier_domain::fund::MAX_COST_LINES + 1)
            .filter_map(|line| {
                let label = errors.collect(bounded_text(&line.label, "cost_lines", 200));
                let amount = errors.collect(Cents::parse("cost_lines", line.amount_cents));
                label.zip(amount)
            })
            .collect();
        if let Some(requested) = requested {
            let amounts: Vec<Cents> = cost_lines.iter().map(|(_, amount)| *amount).collect();
            errors.collect(check_cost_plan(requested, &amounts));
        }
        let partner_ids = body.partner_ids.clone().unwrap_or_default();
        if partner_ids.len() > MAX_PARTNERS {
            errors.push("partner_ids", "must name at most 20 partners");
        }
        if body
            .applicant_partner_id
            .is_some_and(|applying| partner_ids.contains(&applying))
        {
            errors.push(
                "partner_ids",
                "names the applying partner: list the others involved",
            );
        }
        errors.into_result()?;
        let (Some(title), Some(description), Some(requested)) = (title, description, requested)
        else {
            return Err(ApiError::Internal("checked fields missing".into()));
        };
        Ok(Self {
            body,
            title,
            description,
            goals,
            target_groups,
            requested,
            cost_lines,
            partner_ids,
        })
    }

    /// The application `id` to `fund` by `applier`, with what the database tells checked:
    /// the district within the fund's, the partners there, the applying partner one she is
    /// on the staff of, the concern one the public may read.
    pub(crate) async fn application(
        self,
        conn: &mut AsyncPgConnection,
        fund: &FundRow,
        applier: Applier,
        id: Uuid,
    ) -> Result<NewApplication, ApiError> {
        let body = self.body;
        let user = applier.user;
        if !self.partner_ids.is_empty() {
            let found = quartier_persistence::partners::existing(conn, &self.partner_ids).await?;
            if self.partner_ids.iter().any(|id| !found.contains(id)) {
                return Err(ApiError::validation(
                    "partner_ids",
                    "names a partner that does not exist",
                ));
            }
        }
        let district_id = match (body.district_id, fund.district_id) {
            (Some(district), Some(fund_district)) => {
                if !funds::district_within(conn, district, fund_district).await? {
                    return Err(ApiError::validation(
                        "district_id",
                        "must be the fund's district or one inside it",
                    ));
                }
                district
            }
            (None, Some(fund_district)) => fund_district,
            (Some(district), None) => {
                if quartier_persistence::districts::find(conn, district)
                    .await?
                    .is_none()
                {
                    return Err(ApiError::validation(
                        "district_id",
                        "is not the id of a district",
                    ));
                }
                district
            }
            (None, None) => {
                return Err(ApiError::validation(
                    "district_id",
                    "is required for an operator's fund: where the project happens",
                ));
            }
        };
        if let Some(partner) = body.applicant_partner_id
            && applier.kept_partner != Some(partner)
        {
            let Some(user) = user else {
                return Err(ApiError::validation(
                    "applicant_partner_id",
                    "is for those who sign in: a guest applies for herself",
                ));
            };
            if quartier_persistence::partners::find(conn, partner)
                .await?
                .is_none()
            {
                return Err(ApiError::validation(
                    "applicant_partner_id",
                    "is not the id of a partner",
                ));
            }
            if crate::authz::partner_role(conn, partner, user)
                .await?
                .is_none()
            {
                return Err(ApiError::Forbidden(
                    "Only those on a partner's staff apply for it.".into(),
                ));
            }
        }
        if let Some(concern) = body.concern_id {
            // The public list of projects names the concern: one the public may read.
            let public = quartier_persistence::concerns::find(conn, concern)
                .await?
                .and_then(|view| ConcernStatus::parse(&view.status))
                .is_some_and(|status| status.is_open() || status == ConcernStatus::Done);
            if !public {
                return Err(ApiError::validation(
                    "concern_id",
                    "is not the id of a published concern that is carried on or done",
                ));
            }
        }
        Ok(NewApplication {
            id,
            fund_id: fund.id,
            applicant_id: user.map(|user| user.id),
            applicant_partner_id: body.applicant_partner_id,
            district_id,
            concern_id: body.concern_id,
            title: self.title,
            description: self.description,
            goals: self.goals,
            target_groups: self.target_groups,
            requested: self.requested,
            cost_lines: self.cost_lines,
            partner_ids: self.partner_ids,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ApplicationQuery {
    /// Only those in this status.
    pub status: Option<ApplicationStatusBody>,
    /// 1 to 100, default 20.
    pub limit: Option<i64>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
}

/// A fund's applications, the oldest first: every one for its keepers, her own for anyone
/// else signed in.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The fund's id"), ApplicationQuery),
    responses(
        (status = 200, description = "The applications", body = Page<ApplicationResponse>),
        (status = 400, description = "The id is not a UUID, or a parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API key of an operator that does not keep this fund, or without `funds:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No fund has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A limit outside 1 to 100, or a cursor this list did not give out (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/funds/{id}/applications")]
pub async fn list_applications(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<ApplicationQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = limit(query.limit)?;
    let after: Option<Uuid> = decode_cursor(query.cursor.as_deref())?;
    let mut conn = state.conn().await?;
    let fund = existing_fund(&mut conn, *id).await?;
    let keeper = keeps(&mut conn, &caller, &fund).await?;
    let applicant_id = if keeper {
        None
    } else {
        match caller.user() {
            Some(user) => Some(user.id),
            None => {
                return Err(ApiError::Forbidden(
                    "This API key does not keep this fund.".into(),
                ));
            }
        }
    };
    let mut rows = funds::list_applications(
        &mut conn,
        ApplicationFilter {
            fund_id: fund.id,
            applicant_id,
            status: query.status.map(Into::into),
            after,
        },
        i64::from(limit) + 1,
    )
    .await?;
    let next_cursor = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|row| encode_cursor(&row.id))
    } else {
        None
    };
    let items = ApplicationResponse::load_all(&mut conn, rows, keeper).await?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// What `caller` is to an application.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Access {
    /// Keeps its fund.
    pub keeper: bool,
    /// Made it, or speaks for the partner it names.
    pub applicant: bool,
}

/// The application `application_id` of the fund `fund_id` as `caller` may see it: its
/// applicant and the fund's keepers; 404 for anyone else.
pub(crate) async fn readable(
    conn: &mut quartier_persistence::AsyncPgConnection,
    caller: &Caller,
    fund_id: Uuid,
    application_id: Uuid,
) -> Result<(quartier_persistence::funds::FundRow, ApplicationRow, Access), ApiError> {
    let not_found = || ApiError::NotFound("No application to this fund has this id.".into());
    let fund = existing_fund(conn, fund_id).await?;
    let row = funds::find_application(conn, application_id)
        .await?
        .filter(|row| row.fund_id == fund.id)
        .ok_or_else(not_found)?;
    let keeper = keeps(conn, caller, &fund).await?;
    let applicant = applies(conn, caller, &row).await?;
    if !keeper && !applicant {
        return Err(not_found());
    }
    Ok((fund, row, Access { keeper, applicant }))
}

/// An application: its applicant and the fund's keepers.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The fund's id"),
        ("application_id" = Uuid, Path, description = "The application's id"),
    ),
    responses(
        (status = 200, description = "The application", body = ApplicationResponse, headers(("ETag" = String))),
        (status = 400, description = "An id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No fund or no application to it has this id, or it is not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/funds/{id}/applications/{application_id}")]
pub async fn get_application(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (fund_id, application_id) = path.into_inner();
    let mut conn = state.conn().await?;
    let (_, row, access) = readable(&mut conn, &caller, fund_id, application_id).await?;
    let response = ApplicationResponse::load(&mut conn, row, access.keeper).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(response.version)))
        .json(response))
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct MyApplicationList {
    /// Newest first; at most 200.
    pub items: Vec<ApplicationResponse>,
}

/// Your applications to neighbourhood funds, drafts too, newest first.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The applications", body = MyApplicationList),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API key was sent: this is for people (`forbidden`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/fund-applications")]
pub async fn my_fund_applications(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let rows = funds::applications_of(&mut conn, user.id, 200).await?;
    let items = ApplicationResponse::load_all(&mut conn, rows, false).await?;
    Ok(HttpResponse::Ok().json(MyApplicationList { items }))
}
