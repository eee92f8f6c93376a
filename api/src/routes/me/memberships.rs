use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use quartier_persistence::{operators, privacy};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::names::stored;
use crate::routes::operators::members::StaffRoleBody;
use crate::state::AppState;

/// One operator the signed-in person is staff of.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffMembershipResponse {
    pub operator_id: Uuid,
    #[schema(example = "AWO Musterstadt e.V.")]
    pub operator_name: String,
    pub role: StaffRoleBody,
    /// The centres a coordinator is limited to; empty: all the operator's centres.
    pub centre_ids: Vec<Uuid>,
    pub since: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffMembershipList {
    /// By operator name.
    pub items: Vec<StaffMembershipResponse>,
}

/// The operators the signed-in person works for, with their role and centre limits: where
/// staff find their operator's id. Everyone signed in; empty for volunteers.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses((status = 200, description = "Every operator the person is staff of", body = StaffMembershipList)),
)]
#[get("/me/memberships")]
pub async fn my_memberships(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let mut items = Vec::new();
    for membership in privacy::memberships_of(&mut conn, user.id).await? {
        let centre_ids = operators::member_centres(&mut conn, membership.operator_id, &[user.id])
            .await?
            .into_iter()
            .map(|(_, centre)| centre)
            .collect();
        items.push(StaffMembershipResponse {
            operator_id: membership.operator_id,
            operator_name: membership.operator_name,
            role: stored(&membership.role, StaffRoleBody::Coordinator),
            centre_ids,
            since: membership.since,
        });
    }
    Ok(HttpResponse::Ok().json(StaffMembershipList { items }))
}
