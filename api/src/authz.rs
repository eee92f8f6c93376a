//! The one check every write below an operator goes through: is the caller staff of the
//! operator that owns the thing, with a role that allows the change?
//!
//! Administrators may do everything. Staff of a deactivated operator may change nothing. A
//! coordinator limited to named centres may act only for those. An API key acts for its own
//! operator only, within its scopes, and not at all once its operator is deactivated.

use quartier_domain::integration::Scope;
use quartier_domain::partner::PartnerRole;
use quartier_domain::{Role, StaffRole};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::operators;
use uuid::Uuid;

use crate::auth::{AuthUser, Caller, KeyCaller};
use crate::error::ApiError;

/// Ok when `user` may act as `needed` for the operator `operator_id`. 404 when there is no
/// such operator, 403 when the user is not staff there with that role, or the operator is
/// deactivated.
pub async fn require_staff(
    conn: &mut AsyncPgConnection,
    user: AuthUser,
    operator_id: Uuid,
    needed: StaffRole,
) -> Result<(), ApiError> {
    let found = operators::staff_role(conn, operator_id, user.id).await?;
    let Some((status, role)) = found else {
        return Err(ApiError::NotFound("No operator has this id.".into()));
    };
    decide(user, &status, role.as_deref(), needed, false)
}

/// Ok, with the centre's operator, when `user` may act as `needed` for the centre
/// `centre_id`: as `require_staff` for its operator, and a coordinator limited to named
/// centres only for those. 404 when there is no such centre.
pub async fn require_centre_staff(
    conn: &mut AsyncPgConnection,
    user: AuthUser,
    centre_id: Uuid,
    needed: StaffRole,
) -> Result<Uuid, ApiError> {
    let staff = operators::centre_staff_role(conn, centre_id, user.id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No centre has this id.".into()))?;
    decide(
        user,
        &staff.operator_status,
        staff.role.as_deref(),
        needed,
        staff.excluded,
    )?;
    Ok(staff.operator_id)
}

fn decide(
    user: AuthUser,
    status: &str,
    role: Option<&str>,
    needed: StaffRole,
    excluded: bool,
) -> Result<(), ApiError> {
    if user.role == Role::Admin {
        return Ok(());
    }
    match role.and_then(StaffRole::parse) {
        Some(role) if role.includes(needed) && status != "active" => Err(ApiError::Forbidden(
            "This operator is deactivated: its staff can change nothing.".into(),
        )),
        Some(StaffRole::Coordinator) if excluded => Err(ApiError::Forbidden(
            "You coordinate other centres of this operator, not this one.".into(),
        )),
        Some(role) if role.includes(needed) => Ok(()),
        _ => Err(ApiError::Forbidden(format!(
            "Only administrators and staff of this operator with the role {} may do this.",
            needed.as_str()
        ))),
    }
}

/// Ok when `caller` may act for the operator `operator_id`: a user as `needed` (see
/// `require_staff`), an API key of that operator with `scope`.
pub async fn require_operator(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    operator_id: Uuid,
    needed: StaffRole,
    scope: Scope,
) -> Result<(), ApiError> {
    match caller {
        Caller::User(user) => require_staff(conn, *user, operator_id, needed).await,
        Caller::Key(key) => {
            if operators::find(conn, operator_id).await?.is_none() {
                return Err(ApiError::NotFound("No operator has this id.".into()));
            }
            decide_key(key, operator_id, scope)
        }
    }
}

/// Ok, with the centre's operator, when `caller` may act for the centre `centre_id`: a user
/// as `needed` (see `require_centre_staff`), an API key of its operator with `scope`.
pub async fn require_centre(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    centre_id: Uuid,
    needed: StaffRole,
    scope: Scope,
) -> Result<Uuid, ApiError> {
    match caller {
        Caller::User(user) => require_centre_staff(conn, *user, centre_id, needed).await,
        Caller::Key(key) => {
            let operator_id = operators::operator_of_centre(conn, centre_id)
                .await?
                .ok_or_else(|| ApiError::NotFound("No centre has this id.".into()))?;
            decide_key(key, operator_id, scope)?;
            Ok(operator_id)
        }
    }
}

/// An API key may act for its own operator, with the scope the action needs, while that
/// operator is active.
pub fn decide_key(key: &KeyCaller, operator_id: Uuid, scope: Scope) -> Result<(), ApiError> {
    if key.operator_id != operator_id {
        return Err(ApiError::Forbidden(
            "This API key acts for another operator.".into(),
        ));
    }
    if !key.scopes.contains(&scope) {
        return Err(ApiError::Forbidden(format!(
            "This API key lacks the scope {}.",
            scope.as_str()
        )));
    }
    if !key.operator_active {
        return Err(ApiError::Forbidden(
            "This operator is deactivated: its keys can change nothing.".into(),
        ));
    }
    Ok(())
}

/// The role `user` holds in the staff of the partner `partner_id`, if any: the one reader of
/// partner staff roles for every decision that hangs off them.
pub async fn partner_role(
    conn: &mut AsyncPgConnection,
    partner_id: Uuid,
    user: AuthUser,
) -> Result<Option<PartnerRole>, ApiError> {
    Ok(
        quartier_persistence::partners::role_of(conn, partner_id, user.id)
            .await?
            .and_then(|role| PartnerRole::parse(&role)),
    )
}

/// Whether `user` speaks for the partner `partner_id`, which is the operator `operator_id`
/// if any: its partner admins and, for a partner that is an operator, that operator's
/// operator admins. Administrators are not thereby one of them.
pub async fn speaks_for_partner(
    conn: &mut AsyncPgConnection,
    user: AuthUser,
    partner_id: Uuid,
    operator_id: Option<Uuid>,
) -> Result<bool, ApiError> {
    if partner_role(conn, partner_id, user).await? == Some(PartnerRole::PartnerAdmin) {
        return Ok(true);
    }
    let Some(operator_id) = operator_id else {
        return Ok(false);
    };
    // As a member of the operator's staff, whatever else the account may be: an
    // administrator does not speak for every partner.
    let member = AuthUser {
        role: Role::Member,
        ..user
    };
    match require_staff(conn, member, operator_id, StaffRole::OperatorAdmin).await {
        Ok(()) => Ok(true),
        Err(ApiError::Forbidden(_) | ApiError::NotFound(_)) => Ok(false),
        Err(other) => Err(other),
    }
}
