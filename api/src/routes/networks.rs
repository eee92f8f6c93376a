//! `/networks`: the Quartiersnetzwerk, Runder Tische, the Quartiersbeirat, the Kernteam, and
//! who belongs to them. Administrators keep networks and invite; partners (by their admins)
//! and persons ask to join; the side that was asked accepts or declines; either side ends an
//! active membership.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use quartier_domain::network::{MembershipSide, MembershipStatus, NetworkKind};
use quartier_domain::{Role, bounded_text};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::networks::{self, MembershipRow, MoveRefusal, NetworkRow, NewMembership};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Admin, AuthUser, MaybeCaller};
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::activities::Named;
use crate::state::AppState;

/// What a network is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NetworkKindBody {
    /// The Quartiersnetzwerk of a district.
    NeighbourhoodNetwork,
    /// A Runder Tisch.
    RoundTable,
    /// A Quartiersbeirat.
    AdvisoryBoard,
    /// The Kernteam.
    CoreTeam,
    Other,
}

impl From<NetworkKindBody> for NetworkKind {
    fn from(kind: NetworkKindBody) -> Self {
        match kind {
            NetworkKindBody::NeighbourhoodNetwork => NetworkKind::NeighbourhoodNetwork,
            NetworkKindBody::RoundTable => NetworkKind::RoundTable,
            NetworkKindBody::AdvisoryBoard => NetworkKind::AdvisoryBoard,
            NetworkKindBody::CoreTeam => NetworkKind::CoreTeam,
            NetworkKindBody::Other => NetworkKind::Other,
        }
    }
}

/// Where a membership stands: `invited` (the network asked), `requested` (the member
/// asked), `active`, `declined`, `left`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MembershipStatusBody {
    Invited,
    Requested,
    Active,
    Declined,
    Left,
}

impl From<MembershipStatusBody> for MembershipStatus {
    fn from(status: MembershipStatusBody) -> Self {
        match status {
            MembershipStatusBody::Invited => MembershipStatus::Invited,
            MembershipStatusBody::Requested => MembershipStatus::Requested,
            MembershipStatusBody::Active => MembershipStatus::Active,
            MembershipStatusBody::Declined => MembershipStatus::Declined,
            MembershipStatusBody::Left => MembershipStatus::Left,
        }
    }
}

impl From<MembershipStatus> for MembershipStatusBody {
    fn from(status: MembershipStatus) -> Self {
        match status {
            MembershipStatus::Invited => MembershipStatusBody::Invited,
            MembershipStatus::Requested => MembershipStatusBody::Requested,
            MembershipStatus::Active => MembershipStatusBody::Active,
            MembershipStatus::Declined => MembershipStatusBody::Declined,
            MembershipStatus::Left => MembershipStatusBody::Left,
        }
    }
}

/// A member's role in a network.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NetworkRoleBody {
    Member,
    Chair,
    Deputy,
    Guest,
}

impl NetworkRoleBody {
    fn as_str(self) -> &'static str {
        match self {
            NetworkRoleBody::Member => "member",
            NetworkRoleBody::Chair => "chair",
            NetworkRoleBody::Deputy => "deputy",
            NetworkRoleBody::Guest => "guest",
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkResponse {
    pub id: Uuid,
    pub name: String,
    pub kind: NetworkKindBody,
    pub description: String,
    pub district_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<NetworkRow> for NetworkResponse {
    fn from(row: NetworkRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            kind: crate::names::stored(&row.kind, NetworkKindBody::Other),
            description: row.description,
            district_id: row.district_id,
            created_at: row.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkList {
    /// By name.
    pub items: Vec<NetworkResponse>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNetworkRequest {
    #[schema(example = "Runder Tisch Nordstadt", min_length = 1, max_length = 200)]
    pub name: String,
    pub kind: NetworkKindBody,
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    pub district_id: Option<Uuid>,
}

/// Make a network. Administrators.
#[utoipa::path(
    tag = "networks",
    security(("bearer" = [])),
    request_body = CreateNetworkRequest,
    responses(
        (status = 201, description = "The network was made", body = NetworkResponse),
        (status = 400, description = "The body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another network has this name (`conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or an unknown district (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/networks")]
pub async fn create_network(
    state: web::Data<AppState>,
    _admin: Admin,
    Json(body): Json<CreateNetworkRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = quartier_domain::ValidationErrors::default();
    let name = errors.collect(bounded_text(&body.name, "name", 200));
    let description = errors.collect(quartier_domain::operator::free_text(
        body.description.as_deref().unwrap_or_default(),
        "description",
        4000,
    ));
    errors.into_result()?;
    let (Some(name), Some(description)) = (name, description) else {
        return Err(ApiError::Internal("checked fields missing".into()));
    };
    let mut conn = state.conn().await?;
    let row = networks::create(
        &mut conn,
        Uuid::now_v7(),
        &name,
        NetworkKind::from(body.kind).as_str(),
        &description,
        body.district_id,
    )
    .await
    .map_err(|error| {
        if error.is_constraint(networks::NAME_UNIQUE) {
            ApiError::Conflict {
                slug: "conflict",
                detail: "Another network has this name.".into(),
            }
        } else if error.is_constraint(networks::DISTRICT_KEY) {
            ApiError::validation("district_id", "is not the id of a district")
        } else {
            error.into()
        }
    })?;
    Ok(HttpResponse::Created().json(NetworkResponse::from(row)))
}

/// Every network, by name. Public.
#[utoipa::path(
    tag = "networks",
    security((), ("bearer" = [])),
    responses((status = 200, description = "The networks", body = NetworkList)),
)]
#[get("/networks")]
pub async fn list_networks(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let items = networks::list(&mut conn)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok().json(NetworkList { items }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipResponse {
    pub id: Uuid,
    pub network_id: Uuid,
    /// The member, when it is a partner.
    pub partner: Option<Named>,
    /// The member, when it is a person; shown to administrators and that person only.
    pub user_id: Option<Uuid>,
    pub role: NetworkRoleBody,
    pub status: MembershipStatusBody,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<MembershipRow> for MembershipResponse {
    fn from(row: MembershipRow) -> Self {
        Self {
            id: row.id,
            network_id: row.network_id,
            partner: row
                .partner_id
                .zip(row.partner_name)
                .map(|(id, name)| Named { id, name }),
            user_id: row.user_id,
            role: crate::names::stored(&row.role, NetworkRoleBody::Member),
            status: MembershipStatus::parse(&row.status)
                .unwrap_or(MembershipStatus::Left)
                .into(),
            since: row.since,
            until: row.until,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipList {
    /// Oldest first.
    pub items: Vec<MembershipResponse>,
}

/// A network's members. Everyone reads the active partners; a signed-in person also her
/// own memberships and those of the partners she speaks for (so that she finds invitations
/// to answer); administrators every membership.
#[utoipa::path(
    tag = "networks",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "The network's id")),
    responses(
        (status = 200, description = "The memberships", body = MembershipList),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No network has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/networks/{id}/memberships")]
pub async fn list_memberships(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    existing(&mut conn, *id).await?;
    let all = caller.as_ref().is_some_and(|c| c.is_admin());
    let viewer = caller.as_ref().and_then(|c| c.user()).map(|user| user.id);
    let items = networks::memberships(&mut conn, *id, all, viewer)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok().json(MembershipList { items }))
}

async fn existing(conn: &mut AsyncPgConnection, id: Uuid) -> Result<NetworkRow, ApiError> {
    networks::find(conn, id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No network has this id.".into()))
}

/// Whether `user` speaks for the partner `partner_id` (see `authz::speaks_for_partner`);
/// false for a partner that does not exist.
pub(crate) async fn speaks_for(
    conn: &mut AsyncPgConnection,
    user: AuthUser,
    partner_id: Uuid,
) -> Result<bool, ApiError> {
    let Some(partner) = quartier_persistence::partners::find(conn, partner_id).await? else {
        return Ok(false);
    };
    crate::authz::speaks_for_partner(conn, user, partner.id, partner.operator_id).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskMembershipRequest {
    /// The partner to join (or invite); give this or `user_id`.
    pub partner_id: Option<Uuid>,
    /// The person to join (yourself) or invite; give this or `partner_id`.
    pub user_id: Option<Uuid>,
    /// Default `member`.
    pub role: Option<NetworkRoleBody>,
}

/// Ask for a membership: administrators invite a partner or a person (`invited`); one who
/// speaks for a partner (its partner admins, the operator admins of the operator it is) asks
/// for the partner, a person for themself (`requested`). The other side accepts.
#[utoipa::path(
    tag = "networks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The network's id")),
    request_body = AskMembershipRequest,
    responses(
        (status = 201, description = "The membership, invited or requested", body = MembershipResponse),
        (status = 400, description = "The id is not a UUID, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither an administrator nor the member's side (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No network has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The member is invited, asked or active already (`already-member`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not exactly one of `partner_id` and `user_id`, an unknown one, or another role than `member` when asking to join (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/networks/{id}/memberships")]
pub async fn ask_membership(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    Json(body): Json<AskMembershipRequest>,
) -> Result<HttpResponse, ApiError> {
    if body.partner_id.is_some() == body.user_id.is_some() {
        return Err(ApiError::validation(
            "partner_id",
            "give exactly one of partner_id and user_id",
        ));
    }
    let mut conn = state.conn().await?;
    existing(&mut conn, *id).await?;
    let mine = match (body.partner_id, body.user_id) {
        (Some(partner), _) => speaks_for(&mut conn, user, partner).await?,
        (None, person) => person == Some(user.id),
    };
    // The member's own side first: an administrator asking for herself (or her partner)
    // asks, and another administrator accepts.
    let side = if mine {
        MembershipSide::Member
    } else if user.role == Role::Admin {
        MembershipSide::Network
    } else {
        return Err(ApiError::Forbidden(
            "Only administrators invite; partners ask through their admins, persons for themselves."
                .into(),
        ));
    };
    let role = body.role.unwrap_or(NetworkRoleBody::Member);
    if side == MembershipSide::Member && role != NetworkRoleBody::Member {
        return Err(ApiError::validation(
            "role",
            "must be member when asking to join: those who keep the network give other roles",
        ));
    }
    let row = networks::ask(
        &mut conn,
        &NewMembership {
            id: Uuid::now_v7(),
            network_id: *id,
            partner_id: body.partner_id,
            user_id: body.user_id,
            role: role.as_str(),
            status: MembershipStatus::asked_by(side),
        },
    )
    .await
    .map_err(|error| {
        if error.is_constraint(networks::LIVE_PARTNER) || error.is_constraint(networks::LIVE_PERSON)
        {
            ApiError::Conflict {
                slug: "already-member",
                detail: "This member is invited, asked or active in this network already.".into(),
            }
        } else if error.is_constraint(networks::PARTNER_KEY) {
            ApiError::validation("partner_id", "is not the id of a partner")
        } else if error.is_constraint(networks::USER_KEY) {
            ApiError::validation("user_id", "is not the id of an account")
        } else {
            error.into()
        }
    })?;
    Ok(HttpResponse::Created().json(MembershipResponse::from(row)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveMembershipRequest {
    /// `active` (accept), `declined` or `left`.
    pub status: MembershipStatusBody,
}

/// Answer or end a membership: the side that was asked accepts (`active`); either side
/// declines what is pending or ends what is active (`left`).
#[utoipa::path(
    tag = "networks",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The network's id"),
        ("membership_id" = Uuid, Path, description = "The membership's id"),
    ),
    request_body = MoveMembershipRequest,
    responses(
        (status = 200, description = "The membership, moved", body = MembershipResponse),
        (status = 400, description = "An id is not a UUID, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No membership of this network has this id, or it is neither the caller's side nor an administrator's to move (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a move this side may make from where the membership stands (`conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field the request does not take (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/networks/{id}/memberships/{membership_id}/status")]
pub async fn move_membership(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    Json(body): Json<MoveMembershipRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, membership_id) = path.into_inner();
    let not_found = || ApiError::NotFound("No membership of this network has this id.".into());
    let mut conn = state.conn().await?;
    let current = networks::membership(&mut conn, id, membership_id)
        .await?
        .ok_or_else(not_found)?;
    let member_side = match (current.partner_id, current.user_id) {
        (Some(partner), _) => speaks_for(&mut conn, user, partner).await?,
        (None, person) => person == Some(user.id),
    };
    // The member's own side counts first: an administrator who is the member accepts as one.
    let side = if member_side {
        MembershipSide::Member
    } else if user.role == Role::Admin {
        MembershipSide::Network
    } else {
        // Neither side: it is not theirs to know of.
        return Err(not_found());
    };
    let next: MembershipStatus = body.status.into();
    let row = networks::move_membership(&mut conn, id, membership_id, next, |from| {
        from.may_move(next, side)
    })
    .await?
    .map_err(|refusal| match refusal {
        MoveRefusal::NotFound => not_found(),
        MoveRefusal::NotAllowed(from) => ApiError::Conflict {
            slug: "conflict",
            detail: format!(
                "A membership that is {} cannot become {} from this side.",
                from.as_str(),
                next.as_str()
            ),
        },
    })?;
    Ok(HttpResponse::Ok().json(MembershipResponse::from(row)))
}
