//! Liveness and readiness for load balancers and orchestrators.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    #[schema(example = "ok")]
    pub status: String,
}

/// The process is up and serving HTTP. Never touches the database.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "Alive", body = HealthResponse)),
)]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(HealthResponse {
        status: "ok".into(),
    })
}

/// The process can serve requests: the database answers. 503 while it does not.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready: the database answers", body = HealthResponse),
        (status = 503, description = "The database does not answer (`service-unavailable`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    quartier_persistence::pool::ping(&state.pool).await?;
    Ok(HttpResponse::Ok().json(HealthResponse {
        status: "ok".into(),
    }))
}
