use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use quartier_domain::StaffRole;
use quartier_domain::activity::{ActivityStatus, Category};
use quartier_domain::schedule::Schedule;
use quartier_persistence::AsyncConnection;
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::activities::{self, ActivityRow, NewActivity};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::translations::ActivityTranslationRequest;
use super::{
    ActivityContact, ActivityInput, ActivityResponse, ActivityStatusBody, CategoryBody, CostBody,
    RegistrationBody, ScheduleBody, TargetGroupBody, check, refused, reload,
};
use crate::auth::Caller;
use crate::authz::require_centre;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, etag};
use crate::languages::{check_variants, write_variants};
use crate::state::AppState;
use quartier_domain::integration::Scope;
use quartier_domain::translation::TextOwner;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateActivityRequest {
    pub centre_id: Uuid,
    #[schema(
        example = "Kaffeetisch für Nachbarinnen und Nachbarn",
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub title: String,
    #[schema(
        max_length = 8000,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub description: Option<String>,
    pub category: CategoryBody,
    #[schema(max_items = 6)]
    pub target_groups: Option<Vec<TargetGroupBody>>,
    /// ISO 639 codes such as `de`, `tr`, `ar`.
    #[schema(max_items = 30)]
    pub languages: Option<Vec<String>>,
    #[schema(
        max_length = 2000,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub accessibility_notes: Option<String>,
    /// Free when left out.
    pub cost: Option<CostBody>,
    /// No registration when left out.
    pub registration: Option<RegistrationBody>,
    pub contact: Option<ActivityContact>,
    /// `draft` when left out.
    pub status: Option<ActivityStatusBody>,
    pub schedule: ScheduleBody,
    /// The texts in other languages, by language tag (`en`, `de-x-ls`, …). When given, the
    /// activity's variants become exactly these: a language left out loses its variant. Left
    /// out, the variants stay as they are.
    #[schema(example = json!({"en": {"origin": "human", "texts": {"title": "Coffee table for neighbours"}}}))]
    pub translations: Option<BTreeMap<String, ActivityTranslationRequest>>,
}

/// Create an activity with its schedule; its occurrences are there at once (up to the
/// horizon). Administrators, operator admins of the centre's operator, and its coordinators
/// (of that centre, if they are limited to some).
#[utoipa::path(
    tag = "activities",
    security(("bearer" = []), ("api_key" = [])),
    request_body = CreateActivityRequest,
    responses(
        (status = 201, description = "The activity was created", body = ActivityResponse,
            headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not staff of the centre's operator with the role coordinator, or an API key of another operator or without the scope `activities:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, an unknown centre, or a schedule that is not valid (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/activities")]
pub async fn create_activity(
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<CreateActivityRequest>,
) -> Result<HttpResponse, ApiError> {
    let variants = check_variants(
        &state.content_languages,
        TextOwner::Activity,
        body.translations.as_ref(),
    )?;
    let mut conn = state.conn().await?;
    let by = caller.user().map(|u| u.id);
    // The activity and its variants are there together, or neither is.
    let (row, translated) = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let row = create_row(&state, conn, &caller, &body, None).await?;
            let translated =
                write_variants(conn, TextOwner::Activity, row.id, variants.as_deref(), by).await?;
            Ok((row, translated))
        })
        .await?;
    if translated {
        state.variants.wrote();
    }
    let view = reload(&mut conn, row.id).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, etag(view.activity.version)))
        .insert_header((header::LOCATION, format!("/api/v1/activities/{}", row.id)))
        .json(ActivityResponse::from(view)))
}

/// An activity to create, checked; `new_activity` makes the row.
pub(crate) struct Prepared {
    checked: super::CheckedActivity,
    pub schedule: Schedule,
}

impl Prepared {
    /// Checks `body` without the database, the schedule last (expanding a rule costs most).
    pub(crate) fn of(body: &CreateActivityRequest) -> Result<Self, ApiError> {
        let free = CostBody {
            free: true,
            amount_cents: None,
            note: None,
        };
        let none = RegistrationBody {
            required: false,
            participant_limit: None,
        };
        let checked = check(ActivityInput {
            title: Some(&body.title),
            description: Some(body.description.as_deref().unwrap_or_default()),
            target_groups: Some(body.target_groups.as_deref().unwrap_or_default()),
            languages: Some(body.languages.as_deref().unwrap_or_default()),
            accessibility_notes: Some(body.accessibility_notes.as_deref().unwrap_or_default()),
            cost: Some(body.cost.as_ref().unwrap_or(&free)),
            registration: Some(body.registration.as_ref().unwrap_or(&none)),
            contact: Some(body.contact.as_ref()),
        })?;
        let schedule = body.schedule.check()?;
        Ok(Self { checked, schedule })
    }

    /// The row for `body` (the request this was prepared from).
    pub(crate) fn new_activity<'a>(
        &'a self,
        body: &CreateActivityRequest,
        operator_id: Uuid,
        external_id: Option<&'a str>,
        materialized_until: DateTime<Utc>,
    ) -> NewActivity<'a> {
        let checked = &self.checked;
        let (free_of_charge, cost_cents, cost_note) = match &checked.cost {
            Some((free, cents, note)) => (*free, *cents, note.as_deref()),
            None => (true, None, None),
        };
        let (registration_required, participant_limit) =
            checked.registration.unwrap_or((false, None));
        let contact = checked.contact.as_ref();
        NewActivity {
            id: Uuid::now_v7(),
            centre_id: body.centre_id,
            operator_id,
            external_id,
            title: checked.title.as_deref().unwrap_or_default(),
            description: checked.description.as_deref().unwrap_or_default(),
            category: Category::from(body.category).as_str(),
            target_groups: checked.target_groups.as_deref().unwrap_or_default(),
            languages: checked.languages.as_deref().unwrap_or_default(),
            accessibility_notes: checked.accessibility_notes.as_deref().unwrap_or_default(),
            free_of_charge,
            cost_cents,
            cost_note,
            registration_required,
            participant_limit,
            contact_name: contact.and_then(|c| c.0.as_deref()),
            contact_email: contact.and_then(|c| c.1.as_deref()),
            contact_phone: contact.and_then(|c| c.2.as_deref()),
            status: ActivityStatus::from(body.status.unwrap_or(ActivityStatusBody::Draft)).as_str(),
            materialized_until,
        }
    }
}

/// Checks `body` and who may create it, then creates the activity (with the operator's own
/// id `external_id`) and its occurrences.
pub(super) async fn create_row(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    body: &CreateActivityRequest,
    external_id: Option<&str>,
) -> Result<ActivityRow, ApiError> {
    let operator_id = require_centre(
        conn,
        caller,
        body.centre_id,
        StaffRole::Coordinator,
        Scope::ActivitiesWrite,
    )
    .await
    .map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::validation("centre_id", "is not the id of a centre"),
        other => other,
    })?;
    let prepared = Prepared::of(body)?;
    let now = Utc::now();
    activities::create(
        conn,
        &prepared.new_activity(
            body,
            operator_id,
            external_id,
            now + state.occurrence_horizon,
        ),
        &prepared.schedule,
        now - chrono::Duration::days(super::RECENT_PAST_DAYS),
    )
    .await
    .map_err(refused)
}
