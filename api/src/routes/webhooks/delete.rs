//! `DELETE /operators/{id}/webhooks/{webhook_id}`: ending a subscription.

use actix_web::{HttpResponse, delete, web};
use quartier_persistence::webhooks;
use uuid::Uuid;

use super::subscription_of;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Delete a subscription with its delivery log; nothing more is sent to it.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("webhook_id" = Uuid, Path, description = "The subscription's id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not an administrator or operator admin of this operator, or an API key of another operator or without the scope `webhooks:manage` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator, or it has no subscription with this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/operators/{id}/webhooks/{webhook_id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, webhook_id) = path.into_inner();
    let mut conn = state.conn().await?;
    subscription_of(&mut conn, &caller, operator_id, webhook_id).await?;
    webhooks::delete(&mut conn, webhook_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
