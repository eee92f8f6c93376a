//! Accounts, for administrators: `/users`.

use actix_web::{HttpResponse, get, web};
use quartier_persistence::users;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::Admin;
use crate::error::{ApiError, Problem};
use crate::pagination::{self, Page};
use crate::routes::account::AccountResponse;
use crate::state::AppState;
use quartier_persistence::audit::NewEntry;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListUsersQuery {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 2048)]
    pub cursor: Option<String>,
}

/// List all accounts, oldest first. Administrators only.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(ListUsersQuery),
    responses(
        (status = 200, description = "One page of accounts", body = Page<AccountResponse>),
        (status = 400, description = "A query parameter is not a number (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` out of range or an unknown `cursor` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    Admin(admin): Admin,
    query: web::Query<ListUsersQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = pagination::limit(query.limit)?;
    let after: Option<Uuid> = pagination::decode_cursor(query.cursor.as_deref())?;
    let mut conn = state.conn().await?;
    let rows = users::list(&mut conn, after, i64::from(limit) + 1).await?;
    NewEntry::of_many(admin.actor(), "users.listed", "user")
        .about(rows.iter().take(limit as usize).map(|row| row.id))
        .record(&mut conn)
        .await?;
    let page = pagination::page(rows, limit, |row| row.id, AccountResponse::from);
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-cache"))
        .json(page))
}
