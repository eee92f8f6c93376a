//! `GET /shifts`: finding open shifts by time, place and skills, and the ones a signed-in
//! volunteer may take.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use quartier_persistence::shifts::{self, ShiftFilter, ShiftKey};
use serde::Deserialize;
use uuid::Uuid;

use super::ShiftResponse;
use crate::auth::{Caller, MaybeCaller};
use crate::error::{ApiError, BearerChallenge, Problem};
use crate::extract::IfNoneMatch;
use crate::languages::{ListLanguageQuery, Reading, page_in_language};
use crate::pagination;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShiftSearchQuery {
    /// Shifts starting from here (RFC 3339; encode `+` as `%2B`).
    pub from: DateTime<Utc>,
    /// … until here, at most 93 days later.
    pub to: DateTime<Utc>,
    /// Only in this district or any district inside it.
    pub district_id: Option<Uuid>,
    pub centre_id: Option<Uuid>,
    pub operator_id: Option<Uuid>,
    /// Comma-separated skill tags: shifts tagged with any of them.
    #[param(example = "baking,childcare", max_length = 500)]
    pub skills: Option<String>,
    /// Only shifts with a free place.
    pub has_free_places: Option<bool>,
    /// Only shifts you may take: required qualifications valid on the day, no overlap with your
    /// confirmed shifts, not signed up already. Needs sign-in.
    pub eligible: Option<bool>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 2048)]
    pub cursor: Option<String>,
}

/// Find open shifts: by time, place, skills; `has_free_places`; `eligible=true` for the ones
/// you may take. Each with free places, waitlist length and its activity and centre — never
/// names. Public (sign in for `eligible`).
#[utoipa::path(
    tag = "shifts",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ShiftSearchQuery,
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the page the client holds"),
    ),
    responses(
        (status = 200, description = "One page of shifts, by start", body = crate::pagination::Page<ShiftResponse>, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "The client's copy of this page is current", headers(("ETag" = String))),
        (status = 400, description = "`from` or `to` is missing or does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`eligible=true` without sign-in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A reversed or too long range, or an unknown `cursor` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/shifts")]
pub async fn search_shifts(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    query: web::Query<ShiftSearchQuery>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let range = crate::routes::occurrences::check_range(query.from, query.to)?;
    let limit = pagination::limit(query.limit)?;
    let after: Option<ShiftKey> = pagination::decode_cursor(query.cursor.as_deref())?;
    let skills = skill_tags(query.skills.as_deref())?;
    let filter = ShiftFilter {
        district_id: query.district_id,
        centre_id: query.centre_id,
        operator_id: query.operator_id,
        skills: &skills,
        has_free_places: query.has_free_places.unwrap_or(false),
        eligible_for: eligible_for(query.eligible, caller.as_ref())?,
    };
    // Anonymous searches take turns, so that one client cannot starve the others.
    let _turn = state.fair_share.search(caller.is_none()).await?;
    let mut conn = state.conn().await?;
    let rows = shifts::search(
        &mut conn,
        &filter,
        range,
        after.as_ref(),
        i64::from(limit) + 1,
    )
    .await?;
    let page = pagination::page(
        rows,
        limit,
        |v| (v.shift.starts_at, v.shift.id),
        ShiftResponse::from,
    );
    page_in_language(&mut conn, &state, &reading, page, &if_none_match).await
}

/// The comma-separated skill tags, trimmed and in lower case: at most 20 of at most 50
/// characters.
pub(crate) fn skill_tags(raw: Option<&str>) -> Result<Vec<String>, ApiError> {
    let skills: Vec<String> = raw
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .collect();
    if skills.len() > 20
        || skills
            .iter()
            .any(|s| s.chars().count() > 50 || s.contains('\0'))
    {
        return Err(ApiError::validation(
            "skills",
            "must be at most 20 tags of at most 50 characters",
        ));
    }
    Ok(skills)
}

/// The user whose eligibility `eligible=true` asks about: the signed-in one (401 without).
fn eligible_for(eligible: Option<bool>, caller: Option<&Caller>) -> Result<Option<Uuid>, ApiError> {
    match (eligible, caller.and_then(Caller::user)) {
        (Some(true), Some(user)) => Ok(Some(user.id)),
        (Some(true), None) => Err(ApiError::Unauthenticated {
            challenge: BearerChallenge::Missing,
            detail: "Sign in to find the shifts you may take.".into(),
        }),
        _ => Ok(None),
    }
}
