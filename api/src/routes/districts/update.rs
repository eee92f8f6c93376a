use actix_web::http::header;
use actix_web::{HttpResponse, patch, web};
use quartier_persistence::districts::{self, DistrictChanges};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{DistrictResponse, Point, check, refused};
use crate::auth::Admin;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, etag, nullable};
use crate::state::AppState;

/// Changes to a district; fields left out stay as they are, `null` clears `parent_id` or `centre`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDistrictRequest {
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub name: Option<String>,
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 80)]
    pub slug: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub town: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub parent_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    pub centre: Option<Option<Point>>,
}

/// Change a district. Administrators only; needs `If-Match`.
///
/// A new `parent_id` must not lie inside the district itself (422).
#[utoipa::path(
    tag = "districts",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The district's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, or `*`"),
    ),
    request_body = UpdateDistrictRequest,
    responses(
        (status = 200, description = "The changed district", body = DistrictResponse, headers(("ETag" = String))),
        (status = 403, description = "The caller is not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No district has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken (`slug-taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The district changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, an unknown parent, or a parent inside the district (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/districts/{id}")]
pub async fn update_district(
    state: web::Data<AppState>,
    _admin: Admin,
    id: web::Path<Uuid>,
    Json(body): Json<UpdateDistrictRequest>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let checked = check(
        body.name.as_deref(),
        body.slug.as_deref(),
        body.town.as_deref(),
        body.centre,
    )?;
    let versions = if_match.versions()?;
    let changes = DistrictChanges {
        name: checked.name.as_ref().map(|n| n.as_str()),
        slug: checked.slug.as_ref().map(|s| s.as_str()),
        town: checked.town.as_ref().map(|t| t.as_str()),
        parent_id: body.parent_id,
        latitude: checked.centre.map(|c| c.map(|p| p.latitude())),
        longitude: checked.centre.map(|c| c.map(|p| p.longitude())),
    };
    let mut conn = state.conn().await?;
    let row = districts::update(&mut conn, *id, versions, &changes)
        .await
        .map_err(refused)?
        .map_err(|refusal| ApiError::refused(refusal, "district"))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.version)))
        .json(DistrictResponse::from(row)))
}
