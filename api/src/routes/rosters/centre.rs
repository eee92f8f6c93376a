//! `GET /centres/{id}/roster`: the volunteers on a centre's shifts in a range.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use quartier_domain::StaffRole;
use quartier_domain::integration::Scope;
use quartier_persistence::audit::NewEntry;
use quartier_persistence::signups;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::{RosterEntry, RosterFormat, answer};
use crate::auth::Caller;
use crate::authz::require_centre;
use crate::error::{ApiError, Problem};
use crate::routes::occurrences::check_range;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CentreRosterQuery {
    /// Shifts starting from here (RFC 3339; encode `+` as `%2B`).
    pub from: DateTime<Utc>,
    /// … until here, at most 93 days later.
    pub to: DateTime<Utc>,
    /// Include cancelled sign-ups.
    pub cancelled: Option<bool>,
    /// `json`, `csv` or `excel`; without it, `Accept: text/csv` asks for `csv`.
    #[param(inline)]
    pub format: Option<RosterFormat>,
}

/// The roster of a centre's shifts in a range (at most 93 days). Staff of the centre's
/// operator and administrators. JSON, or CSV with `Accept: text/csv` or `format=csv`, or for
/// spreadsheet programs set up for German with `format=excel`.
#[utoipa::path(
    tag = "rosters",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The centre's id"), CentreRosterQuery),
    responses(
        (status = 200, description = "The roster: JSON, or with `format=csv` (or `Accept: text/csv`) RFC 4180 CSV separated by `,`, with `format=excel` CSV separated by `;` after a UTF-8 byte order mark", content(
            (Vec<RosterEntry> = "application/json"),
            (String = "text/csv"),
        ), headers(
            ("Content-Disposition" = String, description = "CSV only: `attachment; filename=\"roster.csv\"`"),
        )),
        (status = 400, description = "`from` or `to` is missing or does not parse, or an unknown `format` (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of the centre's operator, or an API key of another operator or without the scope `roster:read` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No centre has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A reversed or too long range (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/centres/{id}/roster")]
pub async fn centre_roster(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<CentreRosterQuery>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let format = RosterFormat::negotiate(query.format, &request);
    let range = check_range(query.from, query.to)?;
    let mut conn = state.conn().await?;
    let operator_id = require_centre(
        &mut conn,
        &caller,
        *id,
        StaffRole::Coordinator,
        Scope::RosterRead,
    )
    .await?;
    let shift_ids = signups::shifts_of_centre(&mut conn, *id, range).await?;
    let lines = signups::roster(&mut conn, &shift_ids, query.cancelled.unwrap_or(false)).await?;
    NewEntry::new(caller.actor(), "roster.viewed", "centre", *id)
        .operator(operator_id)
        .about(lines.iter().filter_map(|l| l.signup.user_id))
        .details(serde_json::json!({
            "format": format.as_str(), "from": query.from, "to": query.to,
        }))
        .record(&mut conn)
        .await?;
    Ok(answer(format, lines.into_iter().map(Into::into).collect()))
}
