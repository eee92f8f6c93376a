//! An operator's staff: `/operators/{id}/members`. Staff of the operator and administrators
//! see them; operator admins and administrators change them.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use quartier_domain::StaffRole;
use quartier_persistence::operators::{self, MEMBER_PRIMARY_KEY, MemberRow};
use quartier_persistence::{AsyncConnection, AsyncPgConnection, api_keys, users};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::authz::require_staff;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::pagination::{self, Page};
use crate::state::AppState;
use quartier_persistence::audit::NewEntry;

/// A role in an operator's staff.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StaffRoleBody {
    /// Manages the operator's members, centres and everything below them.
    OperatorAdmin,
    /// Manages activities, shifts and rosters of the operator's centres.
    Coordinator,
}

impl From<StaffRoleBody> for StaffRole {
    fn from(role: StaffRoleBody) -> Self {
        match role {
            StaffRoleBody::OperatorAdmin => StaffRole::OperatorAdmin,
            StaffRoleBody::Coordinator => StaffRole::Coordinator,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberResponse {
    pub user_id: Uuid,
    pub display_name: String,
    pub email: String,
    pub role: StaffRoleBody,
    /// The centres a coordinator is limited to; empty: all the operator's centres.
    pub centre_ids: Vec<Uuid>,
    pub member_since: DateTime<Utc>,
}

impl MemberResponse {
    fn new(row: MemberRow, limits: &[(Uuid, Uuid)]) -> Self {
        let centre_ids = limits
            .iter()
            .filter(|(user, _)| *user == row.user_id)
            .map(|(_, centre)| *centre)
            .collect();
        Self {
            user_id: row.user_id,
            display_name: row.display_name,
            email: row.email,
            role: crate::names::stored(&row.role, StaffRoleBody::Coordinator),
            centre_ids,
            member_since: row.created_at,
        }
    }
}

/// A member as the client sees them, with their centre limits.
pub(super) async fn respond(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    row: MemberRow,
) -> Result<MemberResponse, ApiError> {
    let limits = operators::member_centres(conn, operator_id, &[row.user_id]).await?;
    Ok(MemberResponse::new(row, &limits))
}

/// Checks centre limits: only for coordinators, at most 100.
pub(super) fn check_limits(role: &str, centre_ids: &[Uuid]) -> Result<(), ApiError> {
    if !centre_ids.is_empty() && role != StaffRole::Coordinator.as_str() {
        return Err(ApiError::validation(
            "centre_ids",
            "only coordinators can be limited to named centres",
        ));
    }
    if centre_ids.len() > 100 {
        return Err(ApiError::validation(
            "centre_ids",
            "must name at most 100 centres",
        ));
    }
    Ok(())
}

/// Maps what the database refused about a membership to what the client sees.
pub(super) fn refused(error: quartier_persistence::Error) -> ApiError {
    if error.is_constraint(MEMBER_PRIMARY_KEY) {
        ApiError::Conflict {
            slug: "already-member",
            detail: "This account is staff of the operator already; change its role instead."
                .into(),
        }
    } else if error.is_constraint(operators::MEMBER_CENTRE_FOREIGN_KEY) {
        ApiError::validation(
            "centre_ids",
            "names a centre that is not one of this operator's",
        )
    } else {
        error.into()
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListMembersQuery {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 2048)]
    pub cursor: Option<String>,
}

/// List the operator's staff by name. Administrators and staff of this operator.
#[utoipa::path(
    tag = "operators",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The operator's id"), ListMembersQuery),
    responses(
        (status = 200, description = "One page of staff", body = Page<MemberResponse>),
        (status = 403, description = "Not an administrator or staff of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` out of range or an unknown `cursor` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/operators/{id}/members")]
pub async fn list_members(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: web::Query<ListMembersQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = pagination::limit(query.limit)?;
    let after: Option<(String, Uuid)> = pagination::decode_cursor(query.cursor.as_deref())?;
    let mut conn = state.conn().await?;
    require_staff(&mut conn, user, *id, StaffRole::Coordinator).await?;
    let after = after.as_ref().map(|(name, id)| (name.as_str(), *id));
    let rows = operators::members(&mut conn, *id, after, i64::from(limit) + 1).await?;
    let user_ids: Vec<Uuid> = rows.iter().map(|row| row.user_id).collect();
    let limits = operators::member_centres(&mut conn, *id, &user_ids).await?;
    let page = pagination::page(
        rows,
        limit,
        |row| (row.display_name.clone(), row.user_id),
        |row| MemberResponse::new(row, &limits),
    );
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-cache"))
        .json(page))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMemberRequest {
    /// The e-mail address of the account to add.
    #[schema(example = "kim.koordination@example.org", max_length = 254)]
    pub email: String,
    pub role: StaffRoleBody,
    /// For coordinators: the centres of this operator they are limited to. Left out or empty:
    /// all its centres.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub centre_ids: Vec<Uuid>,
}

/// Add an account to the operator's staff directly. Administrators only.
///
/// Operator admins invite people instead (`POST /operators/{id}/invitations`): that tells
/// them nothing about which addresses have accounts. Only an account whose e-mail address is
/// verified can be made staff.
#[utoipa::path(
    tag = "operators",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The operator's id")),
    request_body = AddMemberRequest,
    responses(
        (status = 201, description = "The account is now staff", body = MemberResponse),
        (status = 403, description = "Not an administrator (`forbidden`): operator admins invite", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The account is staff already (`already-member`), or has not verified its address (`email-not-verified`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No account has this address (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/operators/{id}/members")]
pub async fn add_member(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    Json(body): Json<AddMemberRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    require_staff(&mut conn, user, *id, StaffRole::OperatorAdmin).await?;
    if user.role != quartier_domain::Role::Admin {
        return Err(ApiError::Forbidden(
            "Operator admins invite staff (POST /api/v1/operators/{id}/invitations); only administrators add an account directly.".into(),
        ));
    }
    let account = match body.email.trim() {
        email if email.chars().count() <= 254 && !email.contains('\0') => {
            users::find_by_email(&mut conn, email).await?
        }
        _ => None,
    }
    .ok_or_else(|| {
        ApiError::validation(
            "email",
            "no account has this address; the person registers first",
        )
    })?;
    if account.email_verified_at.is_none() {
        return Err(ApiError::Conflict {
            slug: "email-not-verified",
            detail: "This account has not verified its e-mail address yet: staff must have shown that their address reaches them. Ask the person to use the link Quartier mailed (or to ask for a new one).".into(),
        });
    }
    let role = StaffRole::from(body.role).as_str();
    check_limits(role, &body.centre_ids)?;
    // The change and its audit entry commit together.
    let member = conn
        .transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let member =
                operators::add_member(conn, *id, account.id, role, &body.centre_ids).await?;
            NewEntry::new(user.actor(), "member.added", "operator", *id)
                .operator(*id)
                .about([account.id])
                .details(serde_json::json!({ "role": role, "centre_ids": body.centre_ids }))
                .record(conn)
                .await?;
            Ok(member)
        })
        .await
        .map_err(refused)?;
    Ok(HttpResponse::Created().json(respond(&mut conn, *id, member).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMemberRequest {
    pub role: Option<StaffRoleBody>,
    /// For coordinators: the centres they are limited to; empty: all the operator's centres.
    #[schema(max_items = 100)]
    pub centre_ids: Option<Vec<Uuid>>,
}

/// Change a staff member's role or centre limits. Administrators and operator admins of this
/// operator. A new role other than coordinator lifts the member's centre limits.
#[utoipa::path(
    tag = "operators",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("user_id" = Uuid, Path, description = "The staff member's account id"),
    ),
    request_body = UpdateMemberRequest,
    responses(
        (status = 200, description = "The member with the new role", body = MemberResponse),
        (status = 403, description = "Not an administrator or operator admin of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator, or the account is not staff of it (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/operators/{id}/members/{user_id}")]
pub async fn update_member(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    Json(body): Json<UpdateMemberRequest>,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, member_id) = path.into_inner();
    let mut conn = state.conn().await?;
    require_staff(&mut conn, user, operator_id, StaffRole::OperatorAdmin).await?;
    let current = operators::member(&mut conn, operator_id, member_id)
        .await?
        .ok_or_else(not_a_member)?;
    let change = MemberChange::new(&body, &current);
    check_limits(change.to, change.limits.unwrap_or_default())?;
    let member = change_member(&mut conn, user, operator_id, member_id, &change)
        .await
        .map_err(refused)?
        .ok_or_else(not_a_member)?;
    Ok(HttpResponse::Ok().json(respond(&mut conn, operator_id, member).await?))
}

/// A change to a staff member, as it is applied.
struct MemberChange<'a> {
    /// The role the member has now.
    from: &'a str,
    /// The new role; `None` keeps it.
    role: Option<&'a str>,
    /// The role the member has afterwards.
    to: &'a str,
    /// The new centre limits; `None` keeps them, empty lifts them.
    limits: Option<&'a [Uuid]>,
}

impl<'a> MemberChange<'a> {
    /// What `body` changes about `current`.
    fn new(body: &'a UpdateMemberRequest, current: &'a MemberRow) -> Self {
        let role = body.role.map(|r| StaffRole::from(r).as_str());
        let to = role.unwrap_or(&current.role);
        // Only coordinators are limited: another role lifts the limits.
        let limits = match (&body.centre_ids, to == StaffRole::Coordinator.as_str()) {
            (Some(ids), _) => Some(ids.as_slice()),
            (None, false) => Some(&[][..]),
            (None, true) => None,
        };
        Self {
            from: &current.role,
            role,
            to,
            limits,
        }
    }
}

/// Applies `change` with its audit entry; the two commit together. `None` when the account is
/// not staff of the operator.
async fn change_member(
    conn: &mut AsyncPgConnection,
    user: AuthUser,
    operator_id: Uuid,
    member_id: Uuid,
    change: &MemberChange<'_>,
) -> Result<Option<MemberRow>, quartier_persistence::Error> {
    conn.transaction::<_, quartier_persistence::Error, _>(async |conn| {
        let member =
            operators::update_member(conn, operator_id, member_id, change.role, change.limits)
                .await?;
        if member.is_some() {
            NewEntry::new(user.actor(), "member.role_changed", "operator", operator_id)
                .operator(operator_id)
                .about([member_id])
                .details(serde_json::json!({
                    "from": change.from, "to": change.to, "centre_ids": change.limits,
                }))
                .record(conn)
                .await?;
            let admin = StaffRole::OperatorAdmin.as_str();
            if change.from == admin && change.to != admin {
                api_keys::creator_departed(conn, member_id, Some(operator_id), Utc::now()).await?;
                quartier_persistence::staff_invitations::inviter_departed(
                    conn,
                    member_id,
                    Some(operator_id),
                )
                .await?;
            }
        }
        Ok(member)
    })
    .await
}

/// Remove an account from the operator's staff. Administrators and operator admins of this operator.
#[utoipa::path(
    tag = "operators",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("user_id" = Uuid, Path, description = "The staff member's account id"),
    ),
    responses(
        (status = 204, description = "The account is no longer staff"),
        (status = 403, description = "Not an administrator or operator admin of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator, or the account is not staff of it (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/operators/{id}/members/{user_id}")]
pub async fn remove_member(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, member_id) = path.into_inner();
    let mut conn = state.conn().await?;
    require_staff(&mut conn, user, operator_id, StaffRole::OperatorAdmin).await?;
    let removed = conn
        .transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let removed = operators::remove_member(conn, operator_id, member_id).await?;
            if removed {
                NewEntry::new(user.actor(), "member.removed", "operator", operator_id)
                    .operator(operator_id)
                    .about([member_id])
                    .record(conn)
                    .await?;
                api_keys::creator_departed(conn, member_id, Some(operator_id), Utc::now()).await?;
                quartier_persistence::staff_invitations::inviter_departed(
                    conn,
                    member_id,
                    Some(operator_id),
                )
                .await?;
            }
            Ok(removed)
        })
        .await?;
    if !removed {
        return Err(not_a_member());
    }
    Ok(HttpResponse::NoContent().finish())
}

fn not_a_member() -> ApiError {
    ApiError::NotFound("This account is not staff of the operator.".into())
}
