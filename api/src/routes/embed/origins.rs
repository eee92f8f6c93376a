//! The lists of websites that may frame the widgets (`/embed/…`): the town's, kept by
//! administrators, and each operator's, kept by its operator admins.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use quartier_domain::StaffRole;
use quartier_domain::embed::{EmbedOrigin, MAX_ORIGINS};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::embed_origins::{self, Added, EmbedOriginRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Admin, AuthUser};
use crate::authz::require_staff;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddEmbedOriginRequest {
    /// The website's origin: scheme, host and port if not the scheme's own; `*.` before a
    /// domain stands for its subdomains. Stored lower case, without a trailing slash.
    #[schema(example = "https://www.dortmund.de", min_length = 1, max_length = 300)]
    pub origin: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmbedOriginResponse {
    pub id: Uuid,
    /// The operator whose list it is on; null on the town's list.
    pub operator_id: Option<Uuid>,
    #[schema(example = "https://www.dortmund.de")]
    pub origin: String,
    pub created_at: DateTime<Utc>,
}

impl From<EmbedOriginRow> for EmbedOriginResponse {
    fn from(row: EmbedOriginRow) -> Self {
        Self {
            id: row.id,
            operator_id: row.operator_id,
            origin: row.origin,
            created_at: row.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmbedOriginList {
    /// Oldest first; at most 20.
    pub items: Vec<EmbedOriginResponse>,
}

/// The websites that may frame every widget: the town's list.
#[utoipa::path(
    tag = "embed",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The town's list", body = EmbedOriginList),
        (status = 403, description = "Not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/embed-origins")]
pub async fn list_town_embed_origins(
    state: web::Data<AppState>,
    _admin: Admin,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    list(&mut conn, None).await
}

/// Let a website frame every widget (`/embed/help-wanted` and the others): it goes on the
/// town's list, which every frame's `Content-Security-Policy: frame-ancestors` names.
#[utoipa::path(
    tag = "embed",
    security(("bearer" = [])),
    request_body = AddEmbedOriginRequest,
    responses(
        (status = 201, description = "On the list", body = EmbedOriginResponse, headers(("Location" = String))),
        (status = 200, description = "It was on the list already", body = EmbedOriginResponse),
        (status = 403, description = "Not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an origin, or 20 on the list already (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/embed-origins")]
pub async fn add_town_embed_origin(
    state: web::Data<AppState>,
    Admin(admin): Admin,
    Json(body): Json<AddEmbedOriginRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    add(&mut conn, None, admin, &body).await
}

/// Take a website off the town's list: its frames stop showing within a minute (the
/// frame pages may be kept that long).
#[utoipa::path(
    tag = "embed",
    security(("bearer" = [])),
    params(("origin_id" = Uuid, Path, description = "The origin's id on the list")),
    responses(
        (status = 204, description = "Off the list"),
        (status = 403, description = "Not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The town's list has no origin with this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/embed-origins/{origin_id}")]
pub async fn remove_town_embed_origin(
    state: web::Data<AppState>,
    _admin: Admin,
    origin_id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    remove(&mut conn, None, *origin_id).await
}

/// The websites that may frame the widgets of this operator (those asked for with its
/// `operator` or one of its centres as `centre`), besides the town's list.
#[utoipa::path(
    tag = "embed",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The operator's id")),
    responses(
        (status = 200, description = "The operator's list", body = EmbedOriginList),
        (status = 403, description = "Not an administrator or operator admin of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/operators/{id}/embed-origins")]
pub async fn list_operator_embed_origins(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    require_staff(&mut conn, user, *id, StaffRole::OperatorAdmin).await?;
    list(&mut conn, Some(*id)).await
}

/// Let a website frame this operator's widgets: those asked for with `operator` set to it,
/// or `centre` set to one of its centres.
#[utoipa::path(
    tag = "embed",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The operator's id")),
    request_body = AddEmbedOriginRequest,
    responses(
        (status = 201, description = "On the list", body = EmbedOriginResponse, headers(("Location" = String))),
        (status = 200, description = "It was on the list already", body = EmbedOriginResponse),
        (status = 403, description = "Not an administrator or operator admin of this operator, or the operator is deactivated (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an origin, or 20 on the list already (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/operators/{id}/embed-origins")]
pub async fn add_operator_embed_origin(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    Json(body): Json<AddEmbedOriginRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    require_staff(&mut conn, user, *id, StaffRole::OperatorAdmin).await?;
    add(&mut conn, Some(*id), user, &body).await
}

/// Take a website off the operator's list.
#[utoipa::path(
    tag = "embed",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("origin_id" = Uuid, Path, description = "The origin's id on the list"),
    ),
    responses(
        (status = 204, description = "Off the list"),
        (status = 403, description = "Not an administrator or operator admin of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator, or its list has no origin with this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/operators/{id}/embed-origins/{origin_id}")]
pub async fn remove_operator_embed_origin(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, origin_id) = path.into_inner();
    let mut conn = state.conn().await?;
    require_staff(&mut conn, user, operator_id, StaffRole::OperatorAdmin).await?;
    remove(&mut conn, Some(operator_id), origin_id).await
}

async fn list(
    conn: &mut AsyncPgConnection,
    operator_id: Option<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let items = embed_origins::list(conn, operator_id)
        .await?
        .into_iter()
        .map(EmbedOriginResponse::from)
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(EmbedOriginList { items }))
}

async fn add(
    conn: &mut AsyncPgConnection,
    operator_id: Option<Uuid>,
    by: AuthUser,
    body: &AddEmbedOriginRequest,
) -> Result<HttpResponse, ApiError> {
    let origin = EmbedOrigin::parse(&body.origin)
        .map_err(|message| ApiError::validation("origin", message))?;
    match embed_origins::add(conn, operator_id, origin.as_str(), by.id, MAX_ORIGINS).await? {
        Added::Created(row) => {
            let location = match row.operator_id {
                Some(operator) => format!("/api/v1/operators/{operator}/embed-origins/{}", row.id),
                None => format!("/api/v1/embed-origins/{}", row.id),
            };
            Ok(HttpResponse::Created()
                .insert_header((header::LOCATION, location))
                .json(EmbedOriginResponse::from(row)))
        }
        Added::Exists(row) => Ok(HttpResponse::Ok().json(EmbedOriginResponse::from(row))),
        Added::Full => Err(ApiError::validation(
            "origin",
            &format!("the list holds {MAX_ORIGINS} origins already: remove one first"),
        )),
    }
}

async fn remove(
    conn: &mut AsyncPgConnection,
    operator_id: Option<Uuid>,
    origin_id: Uuid,
) -> Result<HttpResponse, ApiError> {
    if embed_origins::remove(conn, operator_id, origin_id).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound(
            "This list has no origin with this id.".into(),
        ))
    }
}
