//! `/concern-categories`: what concerns are about, and who answers them unless they are
//! referred on. Public to read; administrators make them.

use actix_web::{HttpResponse, get, post, web};
use quartier_domain::bounded_text;
use quartier_persistence::concerns::{self, CategoryRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ConcernKindBody;
use crate::auth::Admin;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;
use quartier_domain::concern::ConcernKind;

#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernCategoryResponse {
    pub id: Uuid,
    #[schema(example = "Spielplätze und Grünflächen")]
    pub name: String,
    /// What concerns of this category usually are.
    pub kind: ConcernKindBody,
    /// The operator that answers them unless they are referred on.
    pub operator_id: Option<Uuid>,
    /// Whether a new concern waits for staff before it is public.
    pub needs_moderation: bool,
}

impl From<CategoryRow> for ConcernCategoryResponse {
    fn from(row: CategoryRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            kind: ConcernKind::parse(&row.kind)
                .unwrap_or(ConcernKind::Idea)
                .into(),
            operator_id: row.operator_id,
            needs_moderation: row.needs_moderation,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernCategoryList {
    /// By name.
    pub items: Vec<ConcernCategoryResponse>,
}

/// The categories of concerns, by name. Public.
#[utoipa::path(
    tag = "concerns",
    responses((status = 200, description = "Every category", body = ConcernCategoryList)),
)]
#[get("/concern-categories")]
pub async fn list_concern_categories(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let items = concerns::categories(&mut conn)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok().json(ConcernCategoryList { items }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConcernCategoryRequest {
    #[schema(
        example = "Spielplätze und Grünflächen",
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub name: String,
    pub kind: ConcernKindBody,
    /// The operator that answers concerns of this category.
    pub operator_id: Option<Uuid>,
    /// Whether a new concern waits for staff before it is public (default true).
    pub needs_moderation: Option<bool>,
}

/// Make a category of concerns. Administrators only.
#[utoipa::path(
    tag = "concerns",
    security(("bearer" = [])),
    request_body = CreateConcernCategoryRequest,
    responses(
        (status = 201, description = "The category was made", body = ConcernCategoryResponse),
        (status = 403, description = "Not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another category has this name (`slug-taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or an unknown operator (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/concern-categories")]
pub async fn create_concern_category(
    state: web::Data<AppState>,
    _admin: Admin,
    Json(body): Json<CreateConcernCategoryRequest>,
) -> Result<HttpResponse, ApiError> {
    let name = bounded_text(&body.name, "name", 200)?;
    let kind: ConcernKind = body.kind.into();
    let row = CategoryRow {
        id: Uuid::now_v7(),
        name,
        kind: kind.as_str().to_owned(),
        operator_id: body.operator_id,
        needs_moderation: body.needs_moderation.unwrap_or(true),
    };
    let mut conn = state.conn().await?;
    concerns::create_category(&mut conn, &row)
        .await
        .map_err(|error| {
            if error.is_constraint(concerns::CATEGORY_NAME_UNIQUE) {
                ApiError::Conflict {
                    slug: "slug-taken",
                    detail: "Another category has this name.".into(),
                }
            } else if error.is_constraint("concern_categories_operator_id_fkey") {
                ApiError::validation("operator_id", "is not the id of an operator")
            } else {
                error.into()
            }
        })?;
    Ok(HttpResponse::Created().json(ConcernCategoryResponse::from(row)))
}
