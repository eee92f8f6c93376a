//! `GET /operators/{id}/notification-failures`: mail about the operator's shifts that did not
//! reach the volunteer, so staff can reach her another way.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use quartier_domain::StaffRole;
use quartier_domain::notification::{DeliveryState, Kind};
use quartier_persistence::shift_mail;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::authz::require_staff;
use crate::error::{ApiError, Problem};
use crate::routes::me::notifications::{DeliveryStateBody, NotificationKindBody};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationFailure {
    pub id: Uuid,
    /// The volunteer it was for (none for mail to an address alone, such as an invitation).
    pub user_id: Option<Uuid>,
    pub kind: NotificationKindBody,
    /// `failed` or `bounced`.
    pub delivery: DeliveryStateBody,
    pub attempts: i32,
    /// What the mail server answered last.
    pub last_error: Option<String>,
    /// What it was about: ids only (`signup_id`, `shift_id`, …).
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationFailureList {
    /// Newest first, the latest 100.
    pub items: Vec<NotificationFailure>,
}

/// Mail about this operator's shifts that failed or bounced, newest first (the latest 100).
///
/// Operator admins of this operator and administrators (coordinators may be limited to some
/// centres; invitations are an operator admin's business).
#[utoipa::path(
    tag = "operators",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The operator's id")),
    responses(
        (status = 200, description = "The failures", body = NotificationFailureList),
        (status = 403, description = "Not an administrator or operator admin of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/operators/{id}/notification-failures")]
pub async fn list_notification_failures(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    require_staff(&mut conn, user, *id, StaffRole::OperatorAdmin).await?;
    let items = shift_mail::failures(&mut conn, *id, 100)
        .await?
        .into_iter()
        .map(|f| NotificationFailure {
            id: f.id,
            user_id: f.user_id,
            kind: Kind::parse(&f.kind).map_or(NotificationKindBody::ShiftMessage, Into::into),
            delivery: DeliveryState::parse(&f.state).map_or(DeliveryStateBody::Failed, Into::into),
            attempts: f.attempts,
            last_error: f.last_error,
            details: serde_json::from_str(&f.details).unwrap_or_default(),
            created_at: f.created_at,
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-cache"))
        .json(NotificationFailureList { items }))
}
