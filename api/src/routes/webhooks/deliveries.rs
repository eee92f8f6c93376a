//! `GET /operators/{id}/webhooks/{webhook_id}/deliveries`: a subscription's delivery log.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use quartier_persistence::webhooks;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::{DeliveryResponse, DeliveryStatusBody, subscription_of};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::pagination::{self, Page};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    pub status: Option<DeliveryStatusBody>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 2048)]
    pub cursor: Option<String>,
}

/// The subscription's delivery log, newest first, with every attempt.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("webhook_id" = Uuid, Path, description = "The subscription's id"),
        DeliveryQuery,
    ),
    responses(
        (status = 200, description = "One page of deliveries", body = Page<DeliveryResponse>),
        (status = 403, description = "Not an administrator or operator admin of this operator, or an API key of another operator or without the scope `webhooks:manage` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator, or it has no subscription with this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` out of range or an unknown `cursor` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/operators/{id}/webhooks/{webhook_id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, webhook_id) = path.into_inner();
    let limit = pagination::limit(query.limit)?;
    let before: Option<(DateTime<Utc>, Uuid)> = pagination::decode_cursor(query.cursor.as_deref())?;
    let status = query.status.map(DeliveryStatusBody::as_str);
    let mut conn = state.conn().await?;
    subscription_of(&mut conn, &caller, operator_id, webhook_id).await?;
    let rows =
        webhooks::deliveries(&mut conn, webhook_id, status, before, i64::from(limit) + 1).await?;
    let page = pagination::page(
        rows,
        limit,
        |(row, _)| (row.created_at, row.id),
        |(row, attempts)| DeliveryResponse::new(row, attempts),
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(page))
}
