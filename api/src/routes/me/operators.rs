//! `/me/operators`: the operators a volunteer helps, by her own choice. Their staff may then
//! sign her up for shifts and inspect the documents she declared; staff of other operators
//! may act for her only once she signed up for one of their shifts.

use actix_web::{HttpResponse, delete, get, put, web};
use quartier_persistence::{operators, trust};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::operators::trusts::OperatorSinceList;
use crate::state::AppState;

/// The operators you help, by name.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses((status = 200, description = "The operators you help", body = OperatorSinceList)),
)]
#[get("/me/operators")]
pub async fn my_operators(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let items = trust::joined_operators(&mut conn, user.id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok().json(OperatorSinceList { items }))
}

/// Help an operator: its staff may then sign you up for its shifts and record that they
/// inspected the documents you declared (`/me/qualifications`).
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The operator's id")),
    responses(
        (status = 201, description = "You help this operator from now on"),
        (status = 204, description = "You help it already: nothing changed"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/me/operators/{id}")]
pub async fn join_operator(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    if operators::find(&mut conn, *id).await?.is_none() {
        return Err(ApiError::NotFound("No operator has this id.".into()));
    }
    Ok(if trust::join(&mut conn, *id, user.id).await? {
        HttpResponse::Created().finish()
    } else {
        HttpResponse::NoContent().finish()
    })
}

/// Stop helping an operator. Your sign-ups and its verifications stay; to withdraw a
/// qualification everywhere, use `DELETE /me/qualifications/{id}`.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The operator's id")),
    responses(
        (status = 204, description = "You no longer help this operator"),
        (status = 404, description = "You do not help an operator with this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/me/operators/{id}")]
pub async fn leave_operator(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    if trust::leave(&mut conn, *id, user.id).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound(
            "You do not help an operator with this id.".into(),
        ))
    }
}
