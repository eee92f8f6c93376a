//! `GET /operators/{id}/webhooks/{webhook_id}`: one subscription.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use super::{WebhookResponse, subscription_of};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::etag;
use crate::state::AppState;

/// One subscription, without its secret.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("webhook_id" = Uuid, Path, description = "The subscription's id"),
    ),
    responses(
        (status = 200, description = "The subscription", body = WebhookResponse, headers(("ETag" = String))),
        (status = 403, description = "Not an administrator or operator admin of this operator, or an API key of another operator or without the scope `webhooks:manage` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator, or it has no subscription with this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/operators/{id}/webhooks/{webhook_id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, webhook_id) = path.into_inner();
    let mut conn = state.conn().await?;
    let row = subscription_of(&mut conn, &caller, operator_id, webhook_id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.version)))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(WebhookResponse::from(row)))
}
