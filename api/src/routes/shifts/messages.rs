//! `POST /shifts/{id}/messages`: staff write to everyone confirmed on a shift.

use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use quartier_domain::StaffRole;
use quartier_domain::{bounded_multiline_text, bounded_text};
use quartier_persistence::audit::NewEntry;
use quartier_persistence::{AsyncConnection as _, shift_mail, shifts};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::authz::require_centre_staff;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftMessageRequest {
    /// 1 to 200 characters.
    #[schema(
        example = "Bitte schon um 14:30 kommen",
        min_length = 1,
        max_length = 200
    )]
    pub subject: String,
    /// 1 to 5 000 characters; line breaks are kept.
    #[schema(
        example = "Hallo zusammen,\nwir bauen diesmal früher auf.",
        min_length = 1,
        max_length = 5000
    )]
    pub body: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShiftMessageResponse {
    pub id: Uuid,
    pub shift_id: Uuid,
    pub subject: String,
    pub body: String,
    /// How many volunteers (those confirmed now) it is mailed to.
    pub recipients: i32,
    pub created_at: DateTime<Utc>,
}

/// Write to everyone confirmed on the shift.
///
/// Staff of the shift's operator (coordinators limited to centres: for those). Each volunteer
/// confirmed now gets the message by mail, and sees it in `GET /me/notifications`. Recorded in
/// the audit trail.
#[utoipa::path(
    tag = "shifts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The shift's id")),
    request_body = ShiftMessageRequest,
    responses(
        (status = 201, description = "The message is on its way", body = ShiftMessageResponse),
        (status = 403, description = "Not staff of the shift's centre (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No shift has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/shifts/{id}/messages")]
pub async fn send_shift_message(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    Json(body): Json<ShiftMessageRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = quartier_domain::ValidationErrors::default();
    let subject = errors.collect(bounded_text(&body.subject, "subject", 200));
    let text = errors.collect(bounded_multiline_text(&body.body, "body", 5000));
    let (Some(subject), Some(text)) = (subject, text) else {
        return Err(errors.into());
    };
    let mut conn = state.conn().await?;
    let shift = shifts::find(&mut conn, *id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No shift has this id.".into()))?;
    let operator_id = require_centre_staff(
        &mut conn,
        user,
        shift.shift.centre_id,
        StaffRole::Coordinator,
    )
    .await?;
    let message = conn
        .transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let message =
                shift_mail::send_message(conn, *id, operator_id, Some(user.id), &subject, &text)
                    .await?;
            NewEntry::new(user.actor(), "shift.message_sent", "shift", *id)
                .operator(operator_id)
                .details(serde_json::json!({
                    "message_id": message.id, "recipients": message.recipients,
                }))
                .record(conn)
                .await?;
            Ok(message)
        })
        .await?;
    Ok(HttpResponse::Created().json(ShiftMessageResponse {
        id: message.id,
        shift_id: message.shift_id,
        subject: message.subject,
        body: message.body,
        recipients: message.recipients,
        created_at: message.created_at,
    }))
}
