use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use quartier_domain::Slug;
use quartier_persistence::districts::{self, NewDistrict};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{DistrictResponse, Point, check, refused};
use crate::auth::Admin;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, etag};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDistrictRequest {
    #[schema(
        example = "Nordstadt",
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub name: String,
    /// Made from the name when left out (`Südliche Innenstadt` → `suedliche-innenstadt`).
    #[schema(
        example = "nordstadt",
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
        max_length = 80
    )]
    pub slug: Option<String>,
    #[schema(
        example = "Musterstadt",
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub town: String,
    /// The district this one lies in.
    pub parent_id: Option<Uuid>,
    pub centre: Option<Point>,
}

/// Create a district. Administrators only.
#[utoipa::path(
    tag = "districts",
    security(("bearer" = [])),
    request_body = CreateDistrictRequest,
    responses(
        (status = 201, description = "The district was created", body = DistrictResponse,
            headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "The caller is not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken (`slug-taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or an unknown `parent_id` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/districts")]
pub async fn create_district(
    state: web::Data<AppState>,
    _admin: Admin,
    Json(body): Json<CreateDistrictRequest>,
) -> Result<HttpResponse, ApiError> {
    let checked = check(
        Some(&body.name),
        body.slug.as_deref(),
        Some(&body.town),
        Some(body.centre),
    )?;
    let (Some(name), Some(town), Some(centre)) = (checked.name, checked.town, checked.centre)
    else {
        return Err(ApiError::Internal("checked fields missing".into()));
    };
    let slug = match checked.slug {
        Some(slug) => slug,
        None => Slug::from_name(name.as_str())?,
    };
    let mut conn = state.conn().await?;
    let row = districts::insert(
        &mut conn,
        &NewDistrict {
            id: Uuid::now_v7(),
            name: name.as_str(),
            slug: slug.as_str(),
            town: town.as_str(),
            parent_id: body.parent_id,
            latitude: centre.map(|p| p.latitude()),
            longitude: centre.map(|p| p.longitude()),
        },
    )
    .await
    .map_err(refused)?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, etag(row.version)))
        .insert_header((header::LOCATION, format!("/api/v1/districts/{}", row.id)))
        .json(DistrictResponse::from(row)))
}
