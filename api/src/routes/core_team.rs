//! The core team of the neighbourhood work: the town's coordinator (Quartierskoordination)
//! reads the concerns of the whole town and every field of the partner network; a district
//! manager (Quartiersmanagement) the concerns of the districts they look after. Their queue
//! is `GET /districts/{id}/concerns`. Administrators give and take the roles.

use actix_web::{HttpResponse, delete, get, put, web};
use quartier_domain::Role;
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::core_team::{self, CoreTeamRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Admin, AuthUser};
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::concerns::read::ListConcernsQuery;
use crate::state::AppState;

/// A role in the core team.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CoreTeamRoleBody {
    /// Quartierskoordination: the whole town.
    TownCoordinator,
    /// Quartiersmanagement: named districts and those inside them.
    DistrictManager,
}

impl CoreTeamRoleBody {
    fn as_str(self) -> &'static str {
        match self {
            CoreTeamRoleBody::TownCoordinator => "town_coordinator",
            CoreTeamRoleBody::DistrictManager => "district_manager",
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CoreTeamMemberResponse {
    pub user_id: Uuid,
    pub display_name: String,
    pub role: CoreTeamRoleBody,
    /// The districts a district manager looks after; empty for the town's coordinator.
    pub district_ids: Vec<Uuid>,
}

impl From<CoreTeamRow> for CoreTeamMemberResponse {
    fn from(row: CoreTeamRow) -> Self {
        Self {
            user_id: row.user_id,
            display_name: row.display_name,
            role: crate::names::stored(&row.role, CoreTeamRoleBody::DistrictManager),
            district_ids: row.district_ids,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CoreTeamList {
    /// By name.
    pub items: Vec<CoreTeamMemberResponse>,
}

/// Whether `user` is the town's coordinator (or an administrator): reads everything of the
/// town.
pub(crate) async fn reads_whole_town(
    conn: &mut AsyncPgConnection,
    user: AuthUser,
) -> Result<bool, ApiError> {
    if user.role == Role::Admin {
        return Ok(true);
    }
    Ok(core_team::find(conn, user.id)
        .await?
        .is_some_and(|row| row.role == CoreTeamRoleBody::TownCoordinator.as_str()))
}

/// The core team. Administrators and its members.
#[utoipa::path(
    tag = "core-team",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The core team", body = CoreTeamList),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither an administrator nor in the core team (`forbidden`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/core-team")]
pub async fn list_core_team(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    if user.role != Role::Admin && core_team::find(&mut conn, user.id).await?.is_none() {
        return Err(ApiError::Forbidden(
            "Only administrators and the core team see the core team.".into(),
        ));
    }
    let items = core_team::list(&mut conn)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok().json(CoreTeamList { items }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoreTeamRoleRequest {
    pub role: CoreTeamRoleBody,
    /// For a district manager: 1 to 50 districts. None for the town's coordinator.
    #[schema(max_items = 50)]
    pub district_ids: Option<Vec<Uuid>>,
}

/// Give an account a core team role (replacing the one it had). Administrators.
#[utoipa::path(
    tag = "core-team",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    request_body = CoreTeamRoleRequest,
    responses(
        (status = 200, description = "The account's core team role", body = CoreTeamMemberResponse),
        (status = 400, description = "The id is not a UUID, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No account has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A district manager without districts, a town coordinator with them, or an unknown district (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/users/{id}/core-team")]
pub async fn set_core_team_role(
    state: web::Data<AppState>,
    _admin: Admin,
    id: web::Path<Uuid>,
    Json(body): Json<CoreTeamRoleRequest>,
) -> Result<HttpResponse, ApiError> {
    let districts = body.district_ids.unwrap_or_default();
    match body.role {
        CoreTeamRoleBody::DistrictManager if districts.is_empty() || districts.len() > 50 => {
            return Err(ApiError::validation(
                "district_ids",
                "must name 1 to 50 districts for a district manager",
            ));
        }
        CoreTeamRoleBody::TownCoordinator if !districts.is_empty() => {
            return Err(ApiError::validation(
                "district_ids",
                "must be absent for the town's coordinator, who looks after every district",
            ));
        }
        _ => {}
    }
    let mut conn = state.conn().await?;
    let row = core_team::set(&mut conn, *id, body.role.as_str(), &districts)
        .await
        .map_err(|error| {
            if error.is_constraint("core_team_members_user_id_fkey") {
                ApiError::NotFound("No account has this id.".into())
            } else if error.is_constraint("core_team_districts_district_id_fkey") {
                ApiError::validation("district_ids", "names a district that does not exist")
            } else {
                error.into()
            }
        })?;
    Ok(HttpResponse::Ok().json(CoreTeamMemberResponse::from(row)))
}

/// Take an account's core team role away. Administrators.
#[utoipa::path(
    tag = "core-team",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    responses(
        (status = 204, description = "The account is no longer in the core team"),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The account is not in the core team (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/users/{id}/core-team")]
pub async fn remove_core_team_role(
    state: web::Data<AppState>,
    _admin: Admin,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    if core_team::remove(&mut conn, *id).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound(
            "This account is not in the core team.".into(),
        ))
    }
}

/// The concerns of a district and the districts inside it, newest first, whatever their
/// status: the queue of the core team. Administrators, the town's coordinator, and district
/// managers looking after the district.
#[utoipa::path(
    tag = "core-team",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The district's id"),
        ListConcernsQuery,
        crate::languages::ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
    ),
    responses(
        (status = 200, description = "One page of the district's concerns", body = crate::pagination::Page<crate::routes::concerns::ConcernResponse>, headers(("Content-Language" = String), ("Vary" = String))),
        (status = 400, description = "A parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not looking after this district (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No district has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`near`, `radius_m`, `q`, `limit` or `cursor` out of range, or `district_id`, which the path gives (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/districts/{id}/concerns")]
pub async fn district_concerns(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: web::Query<ListConcernsQuery>,
    reading: crate::languages::Reading,
) -> Result<HttpResponse, ApiError> {
    if query.district_id.is_some() {
        return Err(ApiError::validation(
            "district_id",
            "is given by the path here: ask for the queue of the district inside it",
        ));
    }
    {
        let mut conn = state.conn().await?;
        if quartier_persistence::districts::find(&mut conn, *id)
            .await?
            .is_none()
        {
            return Err(ApiError::NotFound("No district has this id.".into()));
        }
        if user.role != Role::Admin && !core_team::covers(&mut conn, user.id, *id).await? {
            return Err(ApiError::Forbidden(
                "Only administrators and the core team looking after this district read its queue."
                    .into(),
            ));
        }
    }
    crate::routes::concerns::read::queue(&state, &query, &reading, Some(user), |filter| {
        filter.district_id = Some(*id);
    })
    .await
}
