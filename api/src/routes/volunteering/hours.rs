//! `GET /me/hours`: your volunteer hours, by year and operator.

use actix_web::{HttpResponse, get, web};
use quartier_persistence::signups;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::activities::Named;
use crate::state::AppState;

/// Hours worked in one year for one operator.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoursResponse {
    #[schema(example = 2027)]
    pub year: i32,
    pub operator: Named,
    /// Shifts attended.
    pub shifts: i64,
    pub minutes: i64,
    /// `minutes` / 60, rounded to a quarter hour.
    pub hours: f64,
}

impl From<signups::HoursLine> for HoursResponse {
    fn from(l: signups::HoursLine) -> Self {
        Self {
            year: l.year,
            operator: Named {
                id: l.operator_id,
                name: l.operator_name,
            },
            shifts: l.shifts,
            minutes: l.minutes,
            hours: (l.minutes as f64 / 15.0).round() / 4.0,
        }
    }
}

/// Your volunteer hours by year and operator, from attended shifts: the proof of volunteer
/// work people ask for.
#[utoipa::path(
    tag = "volunteering",
    security(("bearer" = [])),
    responses((status = 200, description = "Hours by year (latest first) and operator", body = Vec<HoursResponse>)),
)]
#[get("/me/hours")]
pub async fn my_hours(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let lines = signups::hours(&mut conn, user.id).await?;
    let body: Vec<HoursResponse> = lines.into_iter().map(HoursResponse::from).collect();
    Ok(HttpResponse::Ok().json(body))
}
