use actix_web::{HttpResponse, delete, web};
use quartier_persistence::districts;
use uuid::Uuid;

use crate::auth::Admin;
use crate::error::{ApiError, Problem};
use crate::extract::IfMatch;
use crate::state::AppState;

/// Delete a district. Administrators only; needs `If-Match`.
///
/// A district that still has sub-districts, centres, concerns, or neighbourhood funds and their
/// projects cannot be deleted (409 `district-in-use`).
#[utoipa::path(
    tag = "districts",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The district's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being deleted, or `*`"),
    ),
    responses(
        (status = 204, description = "The district was deleted"),
        (status = 403, description = "The caller is not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No district has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The district has sub-districts, centres, or concerns, funds or fund projects (`district-in-use`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The district changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing (`precondition-required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/districts/{id}")]
pub async fn delete_district(
    state: web::Data<AppState>,
    _admin: Admin,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let versions = if_match.versions()?;
    let mut conn = state.conn().await?;
    districts::delete(&mut conn, *id, versions)
        .await
        .map_err(|e| {
            if e.is_constraint(districts::PARENT_FOREIGN_KEY)
                || e.is_constraint(quartier_persistence::centres::DISTRICT_FOREIGN_KEY)
            {
                ApiError::Conflict {
                    slug: "district-in-use",
                    detail:
                        "Other districts or centres lie in this one. Move or delete them first."
                            .into(),
                }
            } else if e.is_constraint(quartier_persistence::funds::FUND_DISTRICT_KEY)
                || e.is_constraint(quartier_persistence::funds::APPLICATION_DISTRICT_KEY)
                || e.is_constraint("concerns_district_id_fkey")
            {
                ApiError::Conflict {
                    slug: "district-in-use",
                    detail: "Concerns, neighbourhood funds or their projects belong to this district: they keep their record."
                        .into(),
                }
            } else {
                e.into()
            }
        })?
        .map_err(|refusal| ApiError::refused(refusal, "district"))?;
    Ok(HttpResponse::NoContent().finish())
}
