//! `GET /operators/{id}/webhooks`: the operator's subscriptions.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use quartier_persistence::webhooks;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{WebhookResponse, may_manage};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    /// Oldest first.
    pub items: Vec<WebhookResponse>,
}

/// The operator's subscriptions, without their secrets.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The operator's id")),
    responses(
        (status = 200, description = "Every subscription of the operator", body = WebhookList),
        (status = 403, description = "Not an administrator or operator admin of this operator, or an API key of another operator or without the scope `webhooks:manage` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/operators/{id}/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    may_manage(&mut conn, &caller, *id).await?;
    let items = webhooks::of_operator(&mut conn, *id)
        .await?
        .into_iter()
        .map(WebhookResponse::from)
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(WebhookList { items }))
}
