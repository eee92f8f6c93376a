//! `GET /shifts/{id}/roster`: the volunteers on one shift.

use actix_web::{HttpRequest, HttpResponse, get, web};
use quartier_domain::integration::Scope;
use quartier_persistence::audit::NewEntry;
use quartier_persistence::signups;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::{RosterEntry, RosterFormat, answer, staff_shift};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RosterQuery {
    /// Include cancelled sign-ups.
    pub cancelled: Option<bool>,
    /// `json`, `csv` or `excel`; without it, `Accept: text/csv` asks for `csv`.
    #[param(inline)]
    pub format: Option<RosterFormat>,
}

/// The roster of one shift: names, addresses, status, check-in, hours. Staff of the operator
/// that owns the shift, and administrators. JSON, or CSV with `Accept: text/csv` or
/// `format=csv`, or for spreadsheet programs set up for German with `format=excel`.
#[utoipa::path(
    tag = "rosters",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The shift's id"), RosterQuery),
    responses(
        (status = 200, description = "The roster: JSON, or with `format=csv` (or `Accept: text/csv`) RFC 4180 CSV separated by `,`, with `format=excel` CSV separated by `;` after a UTF-8 byte order mark", content(
            (Vec<RosterEntry> = "application/json"),
            (String = "text/csv"),
        ), headers(
            ("Content-Disposition" = String, description = "CSV only: `attachment; filename=\"roster.csv\"`"),
        )),
        (status = 403, description = "Not staff of the shift's operator, or an API key of another operator or without the scope `roster:read` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No shift has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/shifts/{id}/roster")]
pub async fn shift_roster(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<RosterQuery>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let format = RosterFormat::negotiate(query.format, &request);
    let mut conn = state.conn().await?;
    let shift = staff_shift(&mut conn, &caller, *id, Scope::RosterRead).await?;
    let lines = signups::roster(&mut conn, &[*id], query.cancelled.unwrap_or(false)).await?;
    NewEntry::new(caller.actor(), "roster.viewed", "shift", *id)
        .operator(shift.shift.operator_id)
        .about(lines.iter().filter_map(|l| l.signup.user_id))
        .details(serde_json::json!({ "format": format.as_str() }))
        .record(&mut conn)
        .await?;
    Ok(answer(format, lines.into_iter().map(Into::into).collect()))
}
