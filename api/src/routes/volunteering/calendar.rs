//! `GET /me/calendar.ics`: your confirmed shifts as a calendar feed, opened by the secret
//! token in its address.

use actix_web::{HttpResponse, get, web};
use chrono::{Duration, Utc};
use quartier_domain::SignupStatus;
use quartier_domain::ical::{Calendar, Event, Method, render};
use quartier_persistence::signups::{self, FeedEntry};
use serde::Deserialize;
use utoipa::IntoParams;

use super::token_hash;
use crate::error::{ApiError, Problem};
use crate::extract::IfNoneMatch;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarFeedQuery {
    /// The secret token from `POST /me/calendar-feed`.
    #[param(max_length = 100)]
    pub token: String,
}

/// Your confirmed shifts as a calendar feed (text/calendar, RFC 5545), from 60 days back to
/// 400 days ahead; cancelled ones with `STATUS:CANCELLED`. Opened by the secret token in the
/// address, so calendar programs can subscribe without signing in.
#[utoipa::path(
    tag = "volunteering",
    params(CalendarFeedQuery),
    responses(
        (status = 200, description = "The feed", content_type = "text/calendar", body = String),
        (status = 404, description = "No feed has this token (or it was revoked) (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/calendar.ics")]
pub async fn my_calendar(
    state: web::Data<AppState>,
    query: web::Query<CalendarFeedQuery>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let owner = quartier_persistence::calendar_feeds::owner(&mut conn, &token_hash(&query.token))
        .await?
        .ok_or_else(|| ApiError::NotFound("No calendar feed has this token.".into()))?;
    let now = Utc::now();
    let window = (now - Duration::days(60), now + Duration::days(400));
    let entries = signups::feed_of_user(&mut conn, owner, window).await?;
    Ok(crate::extract::bytes_with_body_etag(
        &if_none_match,
        feed(&entries).into_bytes(),
        "text/calendar; charset=utf-8",
    ))
}

/// The calendar of `entries`: one event per sign-up, at its centre.
fn feed(entries: &[FeedEntry]) -> String {
    let texts: Vec<(String, String)> = entries
        .iter()
        .map(|e| {
            (
                format!("{} – {}", e.shift_title, e.centre_name),
                format!("{}, {}, {} {}", e.centre_name, e.street, e.postcode, e.town),
            )
        })
        .collect();
    let events = entries
        .iter()
        .zip(&texts)
        .map(|(e, (summary, location))| Event {
            uid: format!("signup-{}@quartier", e.signup.id),
            sequence: e.signup.version,
            starts_at: e.signup.starts_at,
            ends_at: e.signup.ends_at,
            updated_at: e.signup.updated_at,
            summary,
            description: None,
            location: Some(location),
            geo: Some((e.latitude, e.longitude)),
            url: None,
            categories: vec!["volunteering"],
            cancelled: e.signup.status == SignupStatus::Cancelled,
            parties: None,
        })
        .collect();
    render(&Calendar {
        name: "Quartier – meine Einsätze",
        time_zone: quartier_domain::schedule::DEFAULT_TIME_ZONE,
        events,
        method: Method::Publish,
    })
}
