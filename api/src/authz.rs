//! The one check every write below an operator goes through: is the caller staff of the
//! operator that owns the thing, with a role that allows the change?
//!
//! Administrators may do everything. Staff of a deactivated operator may change nothing.

use quartier_domain::{Role, StaffRole};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::operators;
use uuid::Uuid;

use crate::auth::AuthUser;
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
    if user.role == Role::Admin {
        return Ok(());
    }
    let role = role.as_deref().and_then(StaffRole::parse);
    match role {
        Some(role) if role.includes(needed) && status == "active" => Ok(()),
        Some(role) if role.includes(needed) => Err(ApiError::Forbidden(
            "This operator is deactivated: its staff can change nothing.".into(),
        )),
        _ => Err(ApiError::Forbidden(format!(
            "Only administrators and staff of this operator with the role {} may do this.",
            needed.as_str()
        ))),
    }
}
