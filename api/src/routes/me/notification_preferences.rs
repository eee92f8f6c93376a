//! `/me/notification-preferences`: which optional mail the signed-in person wants, and when.
//! Transactional mail (sign-ups, moved shifts, links, messages from staff) is always sent.

use actix_web::{HttpResponse, get, put, web};
use quartier_domain::notification::{Delivery, Kind, ReminderLead};
use quartier_persistence::shift_mail::{self, Preference};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;

/// How an optional kind of mail is sent: `immediate` (each at its time), `daily_digest`
/// (gathered into one mail a day; not for reminders, which would come too late) or `off`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryBody {
    Immediate,
    DailyDigest,
    Off,
}

impl From<DeliveryBody> for Delivery {
    fn from(delivery: DeliveryBody) -> Self {
        match delivery {
            DeliveryBody::Immediate => Delivery::Immediate,
            DeliveryBody::DailyDigest => Delivery::DailyDigest,
            DeliveryBody::Off => Delivery::Off,
        }
    }
}

impl From<Delivery> for DeliveryBody {
    fn from(delivery: Delivery) -> Self {
        match delivery {
            Delivery::Immediate => DeliveryBody::Immediate,
            Delivery::DailyDigest => DeliveryBody::DailyDigest,
            Delivery::Off => DeliveryBody::Off,
        }
    }
}

/// How long before a shift its reminder comes, in hours.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(try_from = "i32", into = "i32")]
#[schema(value_type = i32)]
pub struct LeadHours(ReminderLead);

impl TryFrom<i32> for LeadHours {
    type Error = String;
    fn try_from(hours: i32) -> Result<Self, Self::Error> {
        ReminderLead::from_hours(hours)
            .map(Self)
            .ok_or_else(|| "must be 2, 24 or 48".to_owned())
    }
}

impl From<LeadHours> for i32 {
    fn from(lead: LeadHours) -> Self {
        lead.0.hours()
    }
}

fn lead_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .enum_values(Some([2, 24, 48]))
        .description(Some("Hours before the start: 2, 24 (the default) or 48."))
        .build()
}

/// Reminders before each shift one is confirmed on. In the quiet hours (21:00 to 07:00,
/// Europe/Berlin) none is sent: one due then comes at 20:30 the evening before.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ReminderPreference {
    /// `immediate` or `off`.
    pub delivery: DeliveryBody,
    #[schema(schema_with = lead_schema)]
    pub lead_hours: LeadHours,
}

/// A daily digest: `daily_digest` or `off` (a digest is never immediate).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DigestPreference {
    pub delivery: DeliveryBody,
}

/// The person's choices for optional mail. A digest left out of a `PUT` stays as it is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NotificationPreferences {
    pub shift_reminder: ReminderPreference,
    /// Once a day, open shifts of the coming week in the districts or needing the skills of
    /// your volunteer profile. `off` unless you ask for it. Always in answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_wanted: Option<DigestPreference>,
    /// For staff, once a day per operator: late cancellations, and shifts still short within
    /// 48 hours (only when there is something to tell). `daily_digest` unless switched off.
    /// Always in answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_summary: Option<DigestPreference>,
}

async fn current(state: &AppState, user: AuthUser) -> Result<NotificationPreferences, ApiError> {
    let mut conn = state.conn().await?;
    of_user(&mut conn, user.id).await
}

/// The choices of `user_id` (the defaults where none were made).
pub async fn of_user(
    conn: &mut quartier_persistence::AsyncPgConnection,
    user_id: uuid::Uuid,
) -> Result<NotificationPreferences, ApiError> {
    let reminder = shift_mail::preference(conn, user_id, Kind::ShiftReminder).await?;
    let help_wanted = shift_mail::preference(conn, user_id, Kind::HelpWanted).await?;
    let staff_summary = shift_mail::preference(conn, user_id, Kind::StaffSummary).await?;
    Ok(NotificationPreferences {
        shift_reminder: ReminderPreference {
            delivery: reminder.delivery.into(),
            lead_hours: LeadHours(reminder.lead.unwrap_or_default()),
        },
        help_wanted: Some(DigestPreference {
            delivery: help_wanted.delivery.into(),
        }),
        staff_summary: Some(DigestPreference {
            delivery: staff_summary.delivery.into(),
        }),
    })
}

/// Your choices for optional mail.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses((status = 200, description = "Your choices (the defaults where you made none)", body = NotificationPreferences)),
)]
#[get("/me/notification-preferences")]
pub async fn get_notification_preferences(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-cache"))
        .json(current(&state, user).await?))
}

/// Change your choices for optional mail.
///
/// Reminders already queued keep their time; one switched off is not sent.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = NotificationPreferences,
    responses(
        (status = 200, description = "Your choices now", body = NotificationPreferences),
        (status = 422, description = "A value outside the choices, a reminder in a digest or an immediate digest (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/me/notification-preferences")]
pub async fn put_notification_preferences(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<NotificationPreferences>,
) -> Result<HttpResponse, ApiError> {
    let reminder = body.shift_reminder;
    if reminder.delivery == DeliveryBody::DailyDigest {
        return Err(ApiError::validation(
            "shift_reminder.delivery",
            "must be immediate or off: a reminder in tomorrow's digest would come too late",
        ));
    }
    for (field, digest) in [
        ("help_wanted.delivery", body.help_wanted),
        ("staff_summary.delivery", body.staff_summary),
    ] {
        if digest.is_some_and(|d| d.delivery == DeliveryBody::Immediate) {
            return Err(ApiError::validation(
                field,
                "must be daily_digest or off: a digest gathers a day",
            ));
        }
    }
    let mut conn = state.conn().await?;
    shift_mail::set_preference(
        &mut conn,
        user.id,
        Kind::ShiftReminder,
        Preference {
            delivery: reminder.delivery.into(),
            lead: Some(reminder.lead_hours.0),
        },
    )
    .await?;
    for (kind, digest) in [
        (Kind::HelpWanted, body.help_wanted),
        (Kind::StaffSummary, body.staff_summary),
    ] {
        let Some(digest) = digest else { continue };
        shift_mail::set_preference(
            &mut conn,
            user.id,
            kind,
            Preference {
                delivery: digest.delivery.into(),
                lead: None,
            },
        )
        .await?;
    }
    drop(conn);
    Ok(HttpResponse::Ok().json(current(&state, user).await?))
}
