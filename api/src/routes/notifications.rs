//! `POST /notifications/unsubscribe`: the one-click unsubscribe of RFC 8058. The URL in a
//! mail's `List-Unsubscribe` header carries a signed token for exactly one person and one
//! optional kind; mail programs POST `List-Unsubscribe=One-Click` to it, and the app's
//! confirmation page may POST to it too. A GET changes nothing.

use actix_web::{HttpResponse, post, web};
use quartier_domain::notification::{Delivery, Kind};
use quartier_persistence::shift_mail::{self, Preference};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, Problem};
use crate::routes::me::notification_preferences::DeliveryBody;
use crate::routes::me::notifications::NotificationKindBody;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnsubscribeQuery {
    /// The token of the mail's unsubscribe link.
    #[param(min_length = 1, max_length = 200)]
    pub token: String,
}

/// What a one-click unsubscribe switched off.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnsubscribedResponse {
    pub kind: NotificationKindBody,
    /// Always `off`.
    pub delivery: DeliveryBody,
}

/// The form mail programs send (RFC 8058).
#[derive(Debug, Deserialize, ToSchema)]
pub struct OneClickForm {
    /// `One-Click`.
    #[serde(rename = "List-Unsubscribe")]
    #[schema(example = "One-Click")]
    pub list_unsubscribe: Option<String>,
}

/// Switch off one kind of optional mail with the token of its unsubscribe link.
///
/// Needs no sign-in: the token names the person and the kind. The body, if any, is the form
/// `List-Unsubscribe=One-Click` that mail programs send; it is not needed. Repeating it is
/// harmless.
#[utoipa::path(
    tag = "me",
    params(UnsubscribeQuery),
    request_body(content = OneClickForm, content_type = "application/x-www-form-urlencoded", description = "Optional"),
    responses(
        (status = 200, description = "The kind is switched off", body = UnsubscribedResponse),
        (status = 422, description = "The token is not one Quartier signed, or names no optional kind (`link-invalid`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/notifications/unsubscribe")]
pub async fn unsubscribe(
    state: web::Data<AppState>,
    query: web::Query<UnsubscribeQuery>,
) -> Result<HttpResponse, ApiError> {
    let invalid = crate::routes::auth::email::link_invalid;
    let (user_id, kind) = state
        .links
        .read_unsubscribe_token(&query.token)
        .ok_or_else(invalid)?;
    let kind = Kind::parse(&kind)
        .filter(|k| k.is_optional())
        .ok_or_else(invalid)?;
    let mut conn = state.conn().await?;
    let current = shift_mail::preference(&mut conn, user_id, kind).await?;
    // The person (an account or a guest) may be gone: then there is nothing to switch off,
    // and the answer is the same.
    if quartier_persistence::users::exists(&mut conn, user_id).await? {
        shift_mail::set_preference(
            &mut conn,
            user_id,
            kind,
            Preference {
                delivery: Delivery::Off,
                ..current
            },
        )
        .await?;
    }
    Ok(HttpResponse::Ok().json(UnsubscribedResponse {
        kind: kind.into(),
        delivery: DeliveryBody::Off,
    }))
}
