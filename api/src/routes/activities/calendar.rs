//! Calendar feeds (RFC 5545) of an activity and of a centre, for calendar programs to
//! subscribe to.

use quartier_domain::TimeWindow;
use std::collections::HashMap;

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Duration, Utc};
use quartier_domain::ical::{Calendar, Event, Method, render};
use quartier_domain::schedule::{self, DEFAULT_TIME_ZONE};
use quartier_domain::translation::{TextField, TextOwner};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::activities::{self, ActivityFilter, ActivityView};
use quartier_persistence::centres::{self, CentreView};
use quartier_persistence::occurrences::{self, OccurrenceView};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::{viewer, visible};
use crate::auth::MaybeCaller;
use crate::error::{ApiError, Problem};
use crate::extract::{IfNoneMatch, bytes_with_body_etag};
use crate::languages::{ListLanguageQuery, Reading, Served, renderings};
use crate::state::AppState;

/// The most events one feed holds.
const MAX_EVENTS: i64 = 2000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// Start of the window (default: 31 days ago).
    pub from: Option<DateTime<Utc>>,
    /// End of the window (default: 400 days after `from`); at most 800 days after `from`.
    pub to: Option<DateTime<Utc>>,
}

/// The window of a calendar feed: from `from` (default 31 days ago) until `to` (default 400
/// days after `from`), at most 800 days.
pub(crate) fn window(query: &CalendarQuery) -> Result<(DateTime<Utc>, DateTime<Utc>), ApiError> {
    let from = query
        .from
        .unwrap_or_else(|| Utc::now() - Duration::days(31));
    let to = match query.to {
        Some(to) => to,
        // A default end is checked like one given (chrono cannot overflow here in practice).
        None => from.checked_add_signed(Duration::days(400)).unwrap_or(from),
    };
    TimeWindow::parse(from, to, Duration::days(800), ("from", "to"))
        .map(TimeWindow::bounds)
        .map_err(|errors| ApiError::from(errors.in_query()))
}

/// One VEVENT per occurrence; the activity's version counts into SEQUENCE, so a renamed
/// activity updates in calendars too.
fn event<'a>(
    occurrence: &'a OccurrenceView,
    activity: Option<&'a ActivityView>,
    centre: &'a CentreView,
    location: &'a str,
) -> Event<'a> {
    let o = &occurrence.occurrence;
    let activity_version = activity.map_or(1, |a| a.activity.version);
    Event {
        uid: format!("{}@quartier", o.id),
        sequence: o.sequence + activity_version - 1,
        starts_at: o.starts_at,
        ends_at: o.ends_at,
        updated_at: activity.map_or(o.updated_at, |a| a.activity.updated_at.max(o.updated_at)),
        summary: &occurrence.title,
        description: None,
        location: Some(location),
        geo: Some((centre.centre.latitude, centre.centre.longitude)),
        url: None,
        categories: vec![occurrence.category.as_str()],
        cancelled: o.cancelled || occurrence.activity_status == "cancelled",
        parties: None,
    }
}

/// The text of DESCRIPTION: the activity's description, then the occurrence's note and
/// cancellation reason.
fn description(occurrence: &OccurrenceView, activity: Option<&ActivityView>) -> String {
    let mut parts = Vec::new();
    if let Some(reason) = &occurrence.occurrence.cancellation_reason {
        parts.push(format!("Abgesagt: {reason}"));
    }
    if let Some(note) = &occurrence.occurrence.note {
        parts.push(note.clone());
    }
    if let Some(a) = activity.filter(|a| !a.activity.description.is_empty()) {
        parts.push(a.activity.description.clone());
    }
    parts.join("\n\n")
}

fn location(centre: &CentreView) -> String {
    let c = &centre.centre;
    format!("{}, {}, {} {}", c.name, c.street, c.postcode, c.town)
}

/// Puts the titles and descriptions of `activities` and their occurrences `rows` in the
/// reader's language; the languages served, for `Content-Language`.
async fn in_language(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    reading: &Reading,
    rows: &mut [OccurrenceView],
    activities: &mut HashMap<Uuid, ActivityView>,
) -> Result<Served, ApiError> {
    let owners: Vec<(Uuid, Vec<(TextField, &str)>)> = activities
        .values()
        .map(|a| {
            let a = &a.activity;
            (
                a.id,
                vec![
                    (TextField::Title, a.title.as_str()),
                    (TextField::Description, a.description.as_str()),
                ],
            )
        })
        .collect();
    let rendered = renderings(
        conn,
        &state.content_languages,
        reading,
        TextOwner::Activity,
        &owners,
    )
    .await?;
    let mut served = Served::default();
    for (id, rendering) in &rendered {
        if rows.iter().any(|row| row.occurrence.activity_id == *id) {
            served.add(&rendering.language);
        }
        if let Some(view) = activities.get_mut(id) {
            if let Some(title) = rendering.text(TextField::Title) {
                view.activity.title = title.to_owned();
            }
            if let Some(text) = rendering.text(TextField::Description) {
                view.activity.description = text.to_owned();
            }
        }
    }
    for row in rows.iter_mut() {
        if let Some(title) = rendered
            .get(&row.occurrence.activity_id)
            .and_then(|r| r.text(TextField::Title))
        {
            row.title = title.to_owned();
        }
    }
    Ok(served)
}

fn feed(
    state: &AppState,
    name: &str,
    zone: chrono_tz::Tz,
    rows: &[OccurrenceView],
    activities: &HashMap<Uuid, ActivityView>,
    centre: &CentreView,
    if_none_match: &IfNoneMatch,
) -> HttpResponse {
    let location = location(centre);
    let descriptions: Vec<String> = rows
        .iter()
        .map(|o| description(o, activities.get(&o.occurrence.activity_id)))
        .collect();
    let urls: Vec<String> = rows
        .iter()
        .map(|o| {
            format!(
                "{}/api/v1/activities/{}",
                state.public_url, o.occurrence.activity_id
            )
        })
        .collect();
    let events = rows
        .iter()
        .zip(descriptions.iter().zip(&urls))
        .map(|(o, (text, url))| {
            let mut event = event(
                o,
                activities.get(&o.occurrence.activity_id),
                centre,
                &location,
            );
            event.description = Some(text.as_str()).filter(|t| !t.is_empty());
            event.url = Some(url.as_str());
            event
        })
        .collect();
    let text = render(&Calendar {
        name,
        time_zone: zone,
        events,
        method: Method::Publish,
    });
    bytes_with_body_etag(
        if_none_match,
        text.into_bytes(),
        "text/calendar; charset=utf-8",
    )
}

/// The calendar feed of one activity (text/calendar, RFC 5545): one event per occurrence in
/// the window, cancelled ones with `STATUS:CANCELLED`. Public when the activity is published.
#[utoipa::path(
    tag = "activities",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The activity's id"),
        CalendarQuery,
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110): SUMMARY and DESCRIPTION in the first one the activity has public texts in"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the feed the client holds"),
    ),
    responses(
        (status = 200, description = "The feed", content_type = "text/calendar", body = String, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "The client's copy is current", headers(("ETag" = String))),
        (status = 404, description = "No activity has this id, or it is not published (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A reversed or too long window (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/activities/{id}/calendar.ics")]
pub async fn activity_calendar(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
    query: web::Query<CalendarQuery>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let between = window(&query)?;
    let mut conn = state.conn().await?;
    let viewer = viewer(&mut conn, caller.as_ref()).await?;
    let activity = activities::find(&mut conn, *id)
        .await?
        .filter(|view| visible(&viewer, view))
        .ok_or_else(|| ApiError::NotFound("No activity has this id.".into()))?;
    let centre = centres::find(&mut conn, activity.activity.centre_id)
        .await?
        .ok_or_else(|| ApiError::Internal("activity without centre".into()))?;
    let mut rows = occurrences::of_activity(&mut conn, *id, between, None, MAX_EVENTS).await?;
    let zone =
        schedule::time_zone(&activity.activity.time_zone, "time_zone").unwrap_or(DEFAULT_TIME_ZONE);
    let activity_id = activity.activity.id;
    let mut by_id = HashMap::from([(activity_id, activity)]);
    let served = in_language(&mut conn, &state, &reading, &mut rows, &mut by_id).await?;
    let activity = &by_id[&activity_id];
    let name = format!("{} – {}", activity.activity.title, activity.centre_name);
    let mut response = feed(&state, &name, zone, &rows, &by_id, &centre, &if_none_match);
    served.mark(&mut response);
    Ok(response)
}

/// The calendar feed of one centre (text/calendar, RFC 5545): the occurrences of its
/// published activities in the window. Public.
#[utoipa::path(
    tag = "centres",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The centre's id"),
        CalendarQuery,
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110): SUMMARY and DESCRIPTION in the first one the activity has public texts in"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the feed the client holds"),
    ),
    responses(
        (status = 200, description = "The feed", content_type = "text/calendar", body = String, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "The client's copy is current", headers(("ETag" = String))),
        (status = 404, description = "No centre has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A reversed or too long window (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/centres/{id}/calendar.ics")]
pub async fn centre_calendar(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
    query: web::Query<CalendarQuery>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let between = window(&query)?;
    let mut conn = state.conn().await?;
    let viewer = viewer(&mut conn, caller.as_ref()).await?;
    let centre = centres::find(&mut conn, *id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No centre has this id.".into()))?;
    let mut rows = occurrences::of_centre(&mut conn, *id, &viewer, between, MAX_EVENTS).await?;
    let filter = ActivityFilter {
        centre_id: Some(*id),
        ..ActivityFilter::default()
    };
    let mut by_id: HashMap<Uuid, ActivityView> =
        activities::list(&mut conn, &filter, &viewer, None, MAX_EVENTS)
            .await?
            .into_iter()
            .map(|a| (a.activity.id, a))
            .collect();
    let served = in_language(&mut conn, &state, &reading, &mut rows, &mut by_id).await?;
    let name = centre.centre.name.clone();
    let mut response = feed(
        &state,
        &name,
        DEFAULT_TIME_ZONE,
        &rows,
        &by_id,
        &centre,
        &if_none_match,
    );
    served.mark(&mut response);
    Ok(response)
}
