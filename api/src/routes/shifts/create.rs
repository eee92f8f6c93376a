//! `POST /shifts`: one shift at a centre, or for one date of an activity.

use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use quartier_domain::StaffRole;
use quartier_domain::integration::Scope;
use quartier_persistence::AsyncConnection;
use quartier_persistence::shifts;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::plan::plan;
use super::translations::ShiftTranslationRequest;
use super::{ShiftResponse, find_created, refused};
use crate::auth::Caller;
use crate::authz::require_centre;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, etag};
use crate::languages::{check_variants, write_variants};
use crate::state::AppState;
use quartier_domain::translation::TextOwner;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateShiftRequest {
    /// The centre; or leave it out and name an `occurrence_id`.
    pub centre_id: Option<Uuid>,
    /// The date of an activity this shift helps with; its times are the default.
    pub occurrence_id: Option<Uuid>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    #[schema(
        example = "Tische decken",
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub title: String,
    #[schema(
        max_length = 4000,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub description: Option<String>,
    /// Volunteers needed, 1 to 1000.
    #[schema(minimum = 1, maximum = 1000, example = 2)]
    pub capacity: i64,
    /// Ids of qualification types a volunteer needs (see `/qualification-types`).
    #[schema(max_items = 10)]
    pub required_qualifications: Option<Vec<Uuid>>,
    #[schema(
        example = "ab 16 Jahren",
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub min_age_note: Option<String>,
    /// What helps on this shift: tags from `/skills`, or free ones.
    #[schema(max_items = 20, example = json!(["baking"]))]
    pub skills: Option<Vec<String>>,
    /// The texts in other languages, by language tag (`en`, `uk`, …). When given, the
    /// shift's variants become exactly these: a language left out loses its variant. Left
    /// out, the variants stay as they are.
    #[schema(example = json!({"uk": {"origin": "human", "texts": {"title": "Допомога на кухні"}}}))]
    pub translations: Option<BTreeMap<String, ShiftTranslationRequest>>,
}

/// Create a shift at a centre, or for one date of an activity. Administrators and staff of
/// the centre's operator (coordinators of that centre).
#[utoipa::path(
    tag = "shifts",
    security(("bearer" = []), ("api_key" = [])),
    request_body = CreateShiftRequest,
    responses(
        (status = 201, description = "The shift was created", body = ShiftResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not staff of the centre's operator, or an API key of another operator or without the scope `shifts:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, an unknown centre, occurrence or qualification type (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/shifts")]
pub async fn create_shift(
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<CreateShiftRequest>,
) -> Result<HttpResponse, ApiError> {
    let variants = check_variants(
        &state.content_languages,
        TextOwner::Shift,
        body.translations.as_ref(),
    )?;
    let mut conn = state.conn().await?;
    let planned = plan(&mut conn, &body).await?;
    let operator_id = require_centre(
        &mut conn,
        &caller,
        planned.centre_id,
        StaffRole::Coordinator,
        Scope::ShiftsWrite,
    )
    .await
    .map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::validation("centre_id", "is not the id of a centre"),
        other => other,
    })?;
    let new_shift = planned.new_shift(body.occurrence_id, None);
    let by = caller.user().map(|u| u.id);
    // The shift and its variants are there together, or neither is.
    let (id, translated) = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let id = shifts::create(conn, &new_shift, operator_id)
                .await
                .map_err(refused)?;
            let translated =
                write_variants(conn, TextOwner::Shift, id, variants.as_deref(), by).await?;
            Ok((id, translated))
        })
        .await?;
    if translated {
        state.variants.wrote();
    }
    let view = find_created(&mut conn, id).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, etag(view.shift.version)))
        .insert_header((header::LOCATION, format!("/api/v1/shifts/{id}")))
        .json(ShiftResponse::from(view)))
}
