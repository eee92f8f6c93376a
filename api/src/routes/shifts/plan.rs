//! Checking what a new shift (or the replacement of one) would be: its texts, capacity,
//! skills and required qualifications (the template every way of creating one shares), and
//! its centre and times, which may come from the occurrence it names.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use quartier_domain::operator::free_text;
use quartier_domain::{TimeWindow, ValidationErrors, bounded_text};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::occurrences::{self, OccurrenceView};
use quartier_persistence::shifts::NewShift;
use uuid::Uuid;

use super::create::CreateShiftRequest;
use super::create_for_activity::CreateActivityShiftsRequest;
use crate::error::ApiError;

/// The most places one shift may have.
pub(super) const MAX_CAPACITY: i64 = 1000;

/// The parts every new shift has, as sent.
#[derive(Debug)]
pub struct ShiftTemplate<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub capacity: i64,
    pub required_qualifications: Option<&'a [Uuid]>,
    pub min_age_note: Option<&'a str>,
    pub skills: Option<&'a [String]>,
}

/// The template parts of a request.
macro_rules! template_of {
    ($request:ty) => {
        impl $request {
            pub(super) fn template(&self) -> ShiftTemplate<'_> {
                ShiftTemplate {
                    title: &self.title,
                    description: self.description.as_deref(),
                    capacity: self.capacity,
                    required_qualifications: self.required_qualifications.as_deref(),
                    min_age_note: self.min_age_note.as_deref(),
                    skills: self.skills.as_deref(),
                }
            }
        }
    };
}

template_of!(CreateShiftRequest);
template_of!(CreateActivityShiftsRequest);

/// The template's texts, checked.
pub(crate) struct CheckedTemplate {
    pub title: String,
    pub description: String,
    pub capacity: i32,
    pub required: Vec<Uuid>,
    pub min_age_note: Option<String>,
    pub skills: Vec<String>,
}

pub(super) fn check_template(
    t: &ShiftTemplate<'_>,
    errors: &mut ValidationErrors,
) -> Option<CheckedTemplate> {
    let title = errors.collect(bounded_text(t.title, "title", 200));
    let description = errors.collect(free_text(
        t.description.unwrap_or_default(),
        "description",
        4000,
    ));
    let min_age_note = match t.min_age_note.map(str::trim) {
        Some(note) if !note.is_empty() => errors
            .collect(bounded_text(note, "min_age_note", 200))
            .map(Some),
        _ => Some(None),
    };
    if !(1..=MAX_CAPACITY).contains(&t.capacity) {
        errors.push("capacity", "must be from 1 to 1000");
    }
    let mut required = t.required_qualifications.unwrap_or_default().to_vec();
    required.sort();
    required.dedup();
    if required.len() > 10 {
        errors.push("required_qualifications", "must name at most 10 types");
    }
    let mut skills = Vec::new();
    for (n, tag) in t.skills.unwrap_or_default().iter().enumerate() {
        if let Some(tag) = errors.collect(bounded_text(tag, &format!("skills[{n}]"), 50)) {
            skills.push(tag.to_lowercase());
        }
    }
    skills.sort();
    skills.dedup();
    if skills.len() > 20 {
        errors.push("skills", "must name at most 20 tags");
    }
    Some(CheckedTemplate {
        skills,
        title: title?,
        description: description?,
        capacity: i32::try_from(t.capacity).ok()?,
        required,
        min_age_note: min_age_note?,
    })
}

/// A shift lasts at most a day.
pub(super) fn check_times(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    errors: &mut ValidationErrors,
) {
    errors.collect(TimeWindow::parse(
        starts_at,
        ends_at,
        Duration::hours(24),
        ("starts_at", "ends_at"),
    ));
}

/// A shift to create or to become, checked.
pub(crate) struct Planned {
    pub centre_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub template: CheckedTemplate,
}

impl Planned {
    /// The row of the planned shift, for the occurrence `occurrence_id` (as the request named
    /// it) and with the operator's own id `external_id`.
    pub(super) fn new_shift<'a>(
        &'a self,
        occurrence_id: Option<Uuid>,
        external_id: Option<&'a str>,
    ) -> NewShift<'a> {
        let t = &self.template;
        NewShift {
            centre_id: self.centre_id,
            occurrence_id,
            title: &t.title,
            description: &t.description,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            capacity: t.capacity,
            min_age_note: t.min_age_note.as_deref(),
            required: &t.required,
            skills: &t.skills,
            external_id,
        }
    }
}

/// Checks `body`: its texts, times, and the occurrence it names, whose centre and times are
/// the defaults.
pub(super) async fn plan(
    conn: &mut AsyncPgConnection,
    body: &CreateShiftRequest,
) -> Result<Planned, ApiError> {
    let occurrence = match body.occurrence_id {
        Some(id) => Some(occurrences::find(conn, id).await?.ok_or_else(|| {
            ApiError::validation("occurrence_id", "is not the id of an occurrence")
        })?),
        None => None,
    };
    plan_with(body, occurrence.as_ref())
}

/// `plan` once the occurrence `body` names (if any) is known.
pub(crate) fn plan_with(
    body: &CreateShiftRequest,
    occurrence: Option<&OccurrenceView>,
) -> Result<Planned, ApiError> {
    let mut errors = ValidationErrors::default();
    let template = check_template(&body.template(), &mut errors);
    let centre_id = match (body.centre_id, occurrence) {
        (Some(centre), Some(o)) if centre != o.centre_id => {
            return Err(ApiError::validation(
                "centre_id",
                "is not the centre of the occurrence",
            ));
        }
        (_, Some(o)) => o.centre_id,
        (Some(centre), None) => centre,
        (None, None) => {
            return Err(ApiError::validation(
                "centre_id",
                "is needed when no occurrence_id is given",
            ));
        }
    };
    let starts_at = body
        .starts_at
        .or(occurrence.map(|o| o.occurrence.starts_at));
    let ends_at = body.ends_at.or(occurrence.map(|o| o.occurrence.ends_at));
    let (Some(starts_at), Some(ends_at)) = (starts_at, ends_at) else {
        return Err(ApiError::validation(
            "starts_at",
            "starts_at and ends_at are needed when no occurrence_id is given",
        ));
    };
    check_times(starts_at, ends_at, &mut errors);
    errors.into_result()?;
    let template = template.ok_or_else(|| ApiError::Internal("template unchecked".into()))?;
    // As precise as the database keeps them, so that a repeat compares equal.
    let (starts_at, ends_at) = (starts_at.trunc_subsecs(6), ends_at.trunc_subsecs(6));
    Ok(Planned {
        centre_id,
        starts_at,
        ends_at,
        template,
    })
}
