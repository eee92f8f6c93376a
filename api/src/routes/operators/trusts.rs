//! `/operators/{id}/trusted-operators`: the operators whose verifications of volunteers'
//! documents this operator accepts for its shifts, besides its own. Public to read, so that a
//! volunteer can see where her verification counts; the operator's admins keep the list.

use actix_web::{HttpResponse, delete, get, put, web};
use chrono::{DateTime, Utc};
use quartier_domain::StaffRole;
use quartier_persistence::audit::NewEntry;
use quartier_persistence::trust::{self, OperatorSince};
use quartier_persistence::{AsyncConnection, operators};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::authz::require_staff;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// An operator, and since when.
#[derive(Debug, Serialize, ToSchema)]
pub struct OperatorSinceResponse {
    pub operator_id: Uuid,
    #[schema(example = "Caritasverband Musterstadt e.V.")]
    pub name: String,
    pub since: DateTime<Utc>,
}

impl From<OperatorSince> for OperatorSinceResponse {
    fn from(row: OperatorSince) -> Self {
        Self {
            operator_id: row.operator_id,
            name: row.name,
            since: row.since,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OperatorSinceList {
    /// By name.
    pub items: Vec<OperatorSinceResponse>,
}

/// Granting or withdrawing trust.
#[derive(Debug, Clone, Copy)]
enum Change {
    Grant,
    Withdraw,
}

/// Grants or withdraws `operator_id`'s trust in `trusted_id` with its audit entry; the two
/// commit together. False when nothing changed.
async fn change_trust(
    conn: &mut quartier_persistence::AsyncPgConnection,
    user: AuthUser,
    operator_id: Uuid,
    trusted_id: Uuid,
    change: Change,
) -> Result<bool, ApiError> {
    Ok(conn
        .transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let (changed, action) = match change {
                Change::Grant => (
                    trust::trust(conn, operator_id, trusted_id, Some(user.id)).await?,
                    "operator.trust_granted",
                ),
                Change::Withdraw => (
                    trust::distrust(conn, operator_id, trusted_id).await?,
                    "operator.trust_withdrawn",
                ),
            };
            if changed {
                NewEntry::new(user.actor(), action, "operator", operator_id)
                    .operator(operator_id)
                    .details(serde_json::json!({ "trusted_id": trusted_id }))
                    .record(conn)
                    .await?;
            }
            Ok(changed)
        })
        .await?)
}

fn no_operator() -> ApiError {
    ApiError::NotFound("No operator has this id.".into())
}

/// The operators whose verifications this operator accepts for its shifts, besides its own.
/// Public.
#[utoipa::path(
    tag = "operators",
    params(("id" = Uuid, Path, description = "The operator's id")),
    responses(
        (status = 200, description = "The trusted operators, by name", body = OperatorSinceList),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/operators/{id}/trusted-operators")]
pub async fn list_trusted_operators(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    if operators::find(&mut conn, *id).await?.is_none() {
        return Err(no_operator());
    }
    let items = trust::trusted(&mut conn, *id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok().json(OperatorSinceList { items }))
}

/// The operator in the path that is to be trusted, checked: another existing operator.
async fn other_operator(
    conn: &mut quartier_persistence::AsyncPgConnection,
    operator_id: Uuid,
    trusted_id: Uuid,
) -> Result<(), ApiError> {
    if trusted_id == operator_id {
        return Err(ApiError::validation(
            "trusted_id",
            "must be another operator: an operator always accepts its own verifications",
        ));
    }
    if operators::find(conn, trusted_id).await?.is_none() {
        return Err(no_operator());
    }
    Ok(())
}

/// Accept the verifications of another operator for this operator's shifts: a volunteer
/// whose police certificate that operator's staff inspected may then sign up for this
/// operator's shifts that need it. Administrators and the operator's operator admins.
#[utoipa::path(
    tag = "operators",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("trusted_id" = Uuid, Path, description = "The id of the operator to trust"),
    ),
    responses(
        (status = 201, description = "Trusted from now on"),
        (status = 204, description = "Trusted already: nothing changed"),
        (status = 403, description = "Not an operator admin of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has one of these ids (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The operator itself (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/operators/{id}/trusted-operators/{trusted_id}")]
pub async fn trust_operator(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, trusted_id) = path.into_inner();
    let mut conn = state.conn().await?;
    require_staff(&mut conn, user, operator_id, StaffRole::OperatorAdmin).await?;
    other_operator(&mut conn, operator_id, trusted_id).await?;
    let added = change_trust(&mut conn, user, operator_id, trusted_id, Change::Grant).await?;
    Ok(if added {
        HttpResponse::Created().finish()
    } else {
        HttpResponse::NoContent().finish()
    })
}

/// Stop accepting another operator's verifications. Sign-ups already made stay; new ones
/// need a verification this operator accepts. Administrators and the operator's operator
/// admins.
#[utoipa::path(
    tag = "operators",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("trusted_id" = Uuid, Path, description = "The id of the trusted operator"),
    ),
    responses(
        (status = 204, description = "No longer trusted"),
        (status = 403, description = "Not an operator admin of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id, or it does not trust that one (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/operators/{id}/trusted-operators/{trusted_id}")]
pub async fn distrust_operator(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, trusted_id) = path.into_inner();
    let mut conn = state.conn().await?;
    require_staff(&mut conn, user, operator_id, StaffRole::OperatorAdmin).await?;
    let removed = change_trust(&mut conn, user, operator_id, trusted_id, Change::Withdraw).await?;
    if removed {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound(
            "This operator does not trust that one.".into(),
        ))
    }
}
