//! `POST /operators/{id}/webhooks/{webhook_id}/ping`: a test delivery, sent at once.

use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use quartier_domain::integration::PING_EVENT;
use quartier_persistence::webhooks::{self, DueDelivery, SubscriptionRow};
use uuid::Uuid;

use super::{DeliveryResponse, not_found, subscription_of};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use crate::webhooks::worker::record;

/// Send a `webhook.ping` event to the subscription now, whether it is active or not, and
/// answer with how it went. It shows in the delivery log but is not retried and does not
/// count towards switching the subscription off.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("webhook_id" = Uuid, Path, description = "The subscription's id"),
    ),
    responses(
        (status = 200, description = "The attempt was made: see `status` and `attempt_log`", body = DeliveryResponse),
        (status = 403, description = "Not an administrator or operator admin of this operator, or an API key of another operator or without the scope `webhooks:manage` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator, or it has no subscription with this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/operators/{id}/webhooks/{webhook_id}/ping")]
pub async fn ping_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, webhook_id) = path.into_inner();
    let mut conn = state.conn().await?;
    let subscription = subscription_of(&mut conn, &caller, operator_id, webhook_id).await?;
    let now = Utc::now();
    let due = ping_delivery(subscription, now);
    // Not holding a connection while the receiver thinks.
    drop(conn);
    let attempt = state.deliverer.attempt(&due).await;
    let mut conn = state.conn().await?;
    webhooks::store_ping(&mut conn, &due, &record(&attempt, now)).await?;
    let (delivery, attempts) = webhooks::delivery(&mut conn, due.id)
        .await?
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok().json(DeliveryResponse::new(delivery, attempts)))
}

/// A `webhook.ping` to `subscription`, made `now`, as a delivery of its own.
fn ping_delivery(subscription: SubscriptionRow, now: DateTime<Utc>) -> DueDelivery {
    let body = webhooks::envelope(
        PING_EVENT,
        now,
        &serde_json::json!({
            "webhook_id": subscription.id,
            "operator_id": subscription.operator_id,
        })
        .to_string(),
    );
    let id = Uuid::now_v7();
    DueDelivery {
        id,
        event_id: id,
        body,
        attempts: 0,
        url: subscription.url,
        secret: subscription.secret,
        subscription_id: subscription.id,
    }
}
