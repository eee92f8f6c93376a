//! `PATCH /me/profile`: changing your volunteer profile, with `If-Match`.

use actix_web::http::header;
use actix_web::{HttpResponse, patch, web};
use quartier_domain::centre::languages;
use quartier_domain::operator::{free_text, phone};
use quartier_domain::{ValidationErrors, bounded_text};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::profiles::{self, ProfileRow};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ContactBy, ProfileResponse};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, etag, nullable};
use crate::state::AppState;

/// Changes to the profile; fields left out stay, `null` clears `phone`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProfileRequest {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_length = 40, pattern = r"^ *[+(]?( *[0-9][ +\-/()]*){3,}$")]
    pub phone: Option<Option<String>>,
    #[schema(max_items = 30)]
    pub languages: Option<Vec<String>>,
    #[schema(max_items = 30)]
    pub skills: Option<Vec<String>>,
    #[schema(max_items = 30)]
    pub district_ids: Option<Vec<Uuid>>,
    #[schema(
        max_length = 2000,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub availability: Option<String>,
    /// `phone` and `sms` need a phone number.
    pub contact_by: Option<ContactBy>,
    /// At most this many shifts in one week (Monday to Sunday, Europe/Berlin), 1 to 100;
    /// `null` for no cap of her own.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(minimum = 1, maximum = 100)]
    pub max_shifts_per_week: Option<Option<i32>>,
    /// At most this many shifts in one calendar month, 1 to 400; `null` for none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(minimum = 1, maximum = 400)]
    pub max_shifts_per_month: Option<Option<i32>>,
    /// At most this many neighbours helped (matches holding a place) with help wanted in
    /// one calendar month, 1 to 100; `null` for none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(minimum = 1, maximum = 100)]
    pub max_help_per_month: Option<Option<i32>>,
}

/// Change your volunteer profile; needs `If-Match` (`"0"` or `*` before the first save).
#[utoipa::path(
    tag = "volunteering",
    security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag of the version being changed, or `*`")),
    request_body = UpdateProfileRequest,
    responses(
        (status = 200, description = "The saved profile", body = ProfileResponse, headers(("ETag" = String))),
        (status = 412, description = "The profile changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or an unknown district (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/me/profile")]
pub async fn update_profile(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<UpdateProfileRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let versions = if_match.versions()?;
    let mut conn = state.conn().await?;
    let mut next = profiles::find(&mut conn, user.id).await?;
    apply(&mut conn, &body, &mut next).await?;
    let saved = profiles::save(&mut conn, &next, versions)
        .await?
        .map_err(|refusal| ApiError::refused(refusal, "profile"))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(saved.version)))
        .json(ProfileResponse::from(saved)))
}

/// Applies the changes `body` asks for to `next`, checking each; 422 names every invalid
/// field.
async fn apply(
    conn: &mut AsyncPgConnection,
    body: &UpdateProfileRequest,
    next: &mut ProfileRow,
) -> Result<(), ApiError> {
    let mut errors = ValidationErrors::default();
    match &body.phone {
        Some(Some(raw)) => next.phone = errors.collect(phone(raw, "phone")),
        Some(None) => next.phone = None,
        None => {}
    }
    if let Some(list) = body
        .languages
        .as_ref()
        .and_then(|raw| errors.collect(languages(raw)))
    {
        next.languages = list;
    }
    if body.skills.as_ref().is_some_and(|s| s.len() > 30) {
        errors.push("skills", "must name at most 30 tags");
    }
    if body.district_ids.as_ref().is_some_and(|d| d.len() > 30) {
        errors.push("district_ids", "must name at most 30 districts");
    }
    if let Some(raw) = body.skills.as_ref().filter(|s| s.len() <= 30) {
        next.skills = skill_tags(raw, &mut errors);
    }
    if let Some(ids) = body.district_ids.as_ref().filter(|d| d.len() <= 30) {
        next.district_ids = known_districts(conn, ids, &mut errors).await?;
    }
    if let Some(text) = body
        .availability
        .as_ref()
        .and_then(|raw| errors.collect(free_text(raw, "availability", 2000)))
    {
        next.availability = text;
    }
    if let Some(by) = body.contact_by {
        next.contact_by = by.as_str().into();
    }
    for (field, wanted, most, kept) in [
        (
            "max_shifts_per_week",
            body.max_shifts_per_week,
            100,
            &mut next.max_shifts_per_week,
        ),
        (
            "max_shifts_per_month",
            body.max_shifts_per_month,
            400,
            &mut next.max_shifts_per_month,
        ),
        (
            "max_help_per_month",
            body.max_help_per_month,
            100,
            &mut next.max_help_per_month,
        ),
    ] {
        match wanted {
            Some(Some(n)) if !(1..=most).contains(&n) => {
                errors.push(field, format!("must be from 1 to {most}, or null"));
            }
            Some(n) => *kept = n,
            None => {}
        }
    }
    if next.contact_by != "email" && next.phone.is_none() {
        errors.push("contact_by", "phone and sms need a phone number");
    }
    errors.into_result()?;
    Ok(())
}

/// The skill tags, checked, in lower case, sorted and without repeats.
fn skill_tags(raw: &[String], errors: &mut ValidationErrors) -> Vec<String> {
    let mut skills = Vec::new();
    for (n, tag) in raw.iter().enumerate() {
        if let Some(tag) = errors.collect(bounded_text(tag, &format!("skills[{n}]"), 50)) {
            skills.push(tag.to_lowercase());
        }
    }
    skills.sort();
    skills.dedup();
    skills
}

/// The district ids, sorted and without repeats; each that names no district is an error.
async fn known_districts(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
    errors: &mut ValidationErrors,
) -> Result<Vec<Uuid>, ApiError> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    for id in &ids {
        if quartier_persistence::districts::find(conn, *id)
            .await?
            .is_none()
        {
            errors.push("district_ids", format!("{id} is not the id of a district"));
        }
    }
    Ok(ids)
}
