//! Activities (Angebote): `/activities`. Published ones are public; staff of the centre's
//! operator (coordinators of that centre and operator admins) plan and change them.

pub mod calendar;
pub mod create;
pub mod get;
pub mod list;
pub mod translations;
pub mod update;
pub mod upsert;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use quartier_domain::activity::{ActivityStatus, Category, TargetGroup};
use quartier_domain::language::ContentLanguages;
use quartier_domain::schedule::{self, Schedule};
use quartier_domain::translation::{TextField, TextOwner};
use quartier_domain::{Role, ValidationErrors};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::activities::{self, ActivityFilter, ActivityView, Viewer};
use quartier_persistence::occurrences::OccurrenceRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::languages::{
    ContentLanguageResponse, NameShown, Reading, Translatable, TranslationResponse,
    content_language,
};
use crate::routes::centres::list::SearchTerms;

/// A new activity gets occurrences from this many days back, so a season that has just begun
/// can have its first dates' attendance recorded.
pub const RECENT_PAST_DAYS: i64 = 31;

/// What kind of activity it is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CategoryBody {
    /// Offener Treff.
    OpenMeetup,
    /// Spielgruppe.
    PlayGroup,
    /// Kaffeetisch.
    CoffeeTable,
    /// Informationsveranstaltung.
    InformationEvent,
    InterestGroup,
    Course,
    /// Beratung.
    Counselling,
    Excursion,
    Project,
    Other,
}

impl From<CategoryBody> for Category {
    fn from(body: CategoryBody) -> Self {
        match body {
            CategoryBody::OpenMeetup => Category::OpenMeetup,
            CategoryBody::PlayGroup => Category::PlayGroup,
            CategoryBody::CoffeeTable => Category::CoffeeTable,
            CategoryBody::InformationEvent => Category::InformationEvent,
            CategoryBody::InterestGroup => Category::InterestGroup,
            CategoryBody::Course => Category::Course,
            CategoryBody::Counselling => Category::Counselling,
            CategoryBody::Excursion => Category::Excursion,
            CategoryBody::Project => Category::Project,
            CategoryBody::Other => Category::Other,
        }
    }
}

/// Whom an activity is meant for. A search for one group also finds `all_generations`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TargetGroupBody {
    Children,
    Youth,
    Families,
    Adults,
    Seniors,
    AllGenerations,
}

impl From<TargetGroupBody> for TargetGroup {
    fn from(body: TargetGroupBody) -> Self {
        match body {
            TargetGroupBody::Children => TargetGroup::Children,
            TargetGroupBody::Youth => TargetGroup::Youth,
            TargetGroupBody::Families => TargetGroup::Families,
            TargetGroupBody::Adults => TargetGroup::Adults,
            TargetGroupBody::Seniors => TargetGroup::Seniors,
            TargetGroupBody::AllGenerations => TargetGroup::AllGenerations,
        }
    }
}

/// Only `published` activities are public; staff see their operator's others.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatusBody {
    Draft,
    Published,
    Cancelled,
    Archived,
}

impl From<ActivityStatusBody> for ActivityStatus {
    fn from(body: ActivityStatusBody) -> Self {
        match body {
            ActivityStatusBody::Draft => ActivityStatus::Draft,
            ActivityStatusBody::Published => ActivityStatus::Published,
            ActivityStatusBody::Cancelled => ActivityStatus::Cancelled,
            ActivityStatusBody::Archived => ActivityStatus::Archived,
        }
    }
}

/// When an activity takes place.
///
/// `once`: from `starts_at` to `ends_at` (RFC 3339 with offset; at most 14 days).
///
/// `recurring`: an RFC 5545 rule (`FREQ` DAILY, WEEKLY, MONTHLY or YEARLY, with `INTERVAL`,
/// `BYDAY` such as `TU` or `2WE`, `BYMONTHDAY`, `BYMONTH`, `BYSETPOS`, and `COUNT` up to 1000
/// or `UNTIL`), the local date and time of the first occurrence, a duration and a time zone.
/// Times are local: a weekly 15:00 meetup stays at 15:00 across daylight-saving switches.
/// A `first_start` in the hour the clocks skip in spring is refused; one in the doubled
/// autumn hour means the first (summer-time) instance; an occurrence the rule puts into the
/// skipped hour moves forward by the gap (02:30 becomes 03:30), as RFC 5545 says. The first
/// occurrence is the first date of the rule at or after `first_start`. Open-ended rules have
/// occurrences up to a rolling horizon (12 months by default).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScheduleBody {
    Once {
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        /// IANA time zone the event is shown in (default `Europe/Berlin`).
        #[schema(example = "Europe/Berlin", max_length = 64)]
        time_zone: Option<String>,
    },
    Recurring {
        /// An RRULE value, such as `FREQ=WEEKLY;BYDAY=TU` or `FREQ=MONTHLY;BYDAY=2WE;UNTIL=20271231`.
        #[schema(example = "FREQ=WEEKLY;BYDAY=TU", min_length = 1, max_length = 500)]
        rrule: String,
        /// Local date and time of the first occurrence, without offset.
        #[schema(
            value_type = String,
            example = "2027-02-02T15:00:00",
            pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
        )]
        first_start: NaiveDateTime,
        #[schema(minimum = 1, maximum = 1440, example = 120)]
        duration_minutes: u32,
        /// IANA time zone (default `Europe/Berlin`).
        #[schema(example = "Europe/Berlin", max_length = 64)]
        time_zone: Option<String>,
        /// Local dates on which the activity does not take place.
        #[schema(max_items = 500)]
        excluded_dates: Option<Vec<NaiveDate>>,
    },
}

impl ScheduleBody {
    fn check(&self) -> Result<Schedule, ValidationErrors> {
        let zone = |raw: &Option<String>| match raw {
            Some(raw) => schedule::time_zone(raw, "schedule.time_zone"),
            None => Ok(schedule::DEFAULT_TIME_ZONE),
        };
        match self {
            ScheduleBody::Once {
                starts_at,
                ends_at,
                time_zone,
            } => Schedule::once(*starts_at, *ends_at, zone(time_zone)?),
            ScheduleBody::Recurring {
                rrule,
                first_start,
                duration_minutes,
                time_zone,
                excluded_dates,
            } => Schedule::recurring(
                rrule,
                *first_start,
                *duration_minutes,
                zone(time_zone)?,
                excluded_dates.as_deref().unwrap_or_default(),
            ),
        }
    }

    fn of(row: &activities::ActivityRow) -> Self {
        match &row.rrule {
            None => ScheduleBody::Once {
                starts_at: row.first_start,
                ends_at: row.first_start
                    + chrono::Duration::minutes(i64::from(row.duration_minutes)),
                time_zone: Some(row.time_zone.clone()),
            },
            Some(rule) => ScheduleBody::Recurring {
                rrule: rule.clone(),
                first_start: row.first_start_local,
                duration_minutes: u32::try_from(row.duration_minutes).unwrap_or(0),
                time_zone: Some(row.time_zone.clone()),
                excluded_dates: Some(row.excluded_dates.clone()),
            },
        }
    }
}

/// What taking part costs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CostBody {
    pub free: bool,
    /// In euro cents; only when not free.
    #[schema(minimum = 1, maximum = 1000000, example = 300)]
    pub amount_cents: Option<i64>,
    #[schema(
        example = "Spende willkommen",
        max_length = 500,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub note: Option<String>,
}

/// Whether participants must register, and how many may take part.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationBody {
    pub required: bool,
    /// Only with `required`.
    #[schema(minimum = 1, maximum = 100000, example = 12)]
    pub participant_limit: Option<i64>,
}

/// Whom to ask about the activity.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityContact {
    #[schema(
        example = "Frau Yılmaz",
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub name: Option<String>,
    #[schema(example = "treff@example.org", max_length = 254, format = Email)]
    pub email: Option<String>,
    #[schema(
        example = "+49 231 123456",
        max_length = 40,
        pattern = r"^ *[+(]?( *[0-9][ +\-/()]*){3,}$"
    )]
    pub phone: Option<String>,
}

/// A reference to another resource with the name a list shows.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Named {
    pub id: Uuid,
    pub name: String,
}

/// A coming occurrence, as the activity list shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UpcomingOccurrence {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub cancelled: bool,
}

/// What a schedule change did to the occurrences that had not started.
#[derive(Debug, Serialize, ToSchema)]
pub struct OccurrenceChangesBody {
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    /// No longer in the schedule but kept, because shifts or sign-ups hang on them. Cancel
    /// them yourself if they should not take place.
    pub kept: Vec<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityResponse {
    pub id: Uuid,
    /// The operator's own id for it, if it gave one.
    #[schema(example = "KURS-2027-17")]
    pub external_id: Option<String>,
    pub centre: Named,
    pub operator_id: Uuid,
    pub district: Named,
    #[schema(example = "Kaffeetisch für Nachbarinnen und Nachbarn")]
    pub title: String,
    pub description: String,
    pub category: CategoryBody,
    pub target_groups: Vec<TargetGroupBody>,
    /// ISO 639 codes.
    #[schema(example = json!(["de", "tr"]))]
    pub languages: Vec<String>,
    pub accessibility_notes: String,
    /// The centre's entrance has no steps.
    pub step_free: bool,
    pub cost: CostBody,
    pub registration: RegistrationBody,
    pub contact: Option<ActivityContact>,
    pub status: ActivityStatusBody,
    pub schedule: ScheduleBody,
    /// Occurrences to come; only in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_occurrences: Option<Vec<UpcomingOccurrence>>,
    /// Only in the answer to a schedule change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurrence_changes: Option<OccurrenceChangesBody>,
    /// Kilometres from the point searched near; only in searches with `near`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// The language `title`, `description`, `accessibility_notes` and `cost.note` are
    /// served in, and which of them fell back to German.
    pub content_language: ContentLanguageResponse,
    /// Every variant with its state; only for staff asking with `all_languages=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Vec<TranslationResponse>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Changes with every update, of the German texts or their variants; sent as `ETag`,
    /// expected back in `If-Match`.
    pub version: i32,
}

impl Translatable for ActivityResponse {
    const OWNER: TextOwner = TextOwner::Activity;

    fn owner_id(&self) -> Uuid {
        self.id
    }

    fn source_text(&self, field: TextField) -> Option<&str> {
        match field {
            TextField::Title => Some(&self.title),
            TextField::Description => Some(&self.description),
            TextField::AccessibilityNotes => Some(&self.accessibility_notes),
            TextField::CostNote => self.cost.note.as_deref(),
            TextField::Name | TextField::Text => None,
        }
    }

    fn set_text(&mut self, field: TextField, text: String) {
        match field {
            TextField::Title => self.title = text,
            TextField::Description => self.description = text,
            TextField::AccessibilityNotes => self.accessibility_notes = text,
            TextField::CostNote => self.cost.note = Some(text),
            TextField::Name | TextField::Text => {}
        }
    }

    fn set_language(
        &mut self,
        language: ContentLanguageResponse,
        translations: Option<Vec<TranslationResponse>>,
    ) {
        self.content_language = language;
        self.translations = translations;
    }

    fn names_shown(&mut self) -> Vec<NameShown<'_>> {
        vec![NameShown {
            owner: TextOwner::Centre,
            id: self.centre.id,
            field: TextField::Name,
            text: &mut self.centre.name,
        }]
    }
}

/// A stored category as the API names it.
pub(crate) fn category_body(raw: &str) -> CategoryBody {
    crate::names::stored(raw, CategoryBody::Other)
}

fn status_body(raw: &str) -> ActivityStatusBody {
    crate::names::stored(raw, ActivityStatusBody::Draft)
}

/// Stored target groups as the API names them; unknown ones are left out.
pub(crate) fn target_group_bodies(raw: &[String]) -> Vec<TargetGroupBody> {
    raw.iter()
        .filter_map(|g| serde_json::from_value(serde_json::Value::String(g.clone())).ok())
        .collect()
}

impl From<ActivityView> for ActivityResponse {
    fn from(view: ActivityView) -> Self {
        let a = &view.activity;
        let contact = ActivityContact {
            name: a.contact_name.clone(),
            email: a.contact_email.clone(),
            phone: a.contact_phone.clone(),
        };
        let has_contact =
            contact.name.is_some() || contact.email.is_some() || contact.phone.is_some();
        Self {
            external_id: a.external_id.clone(),
            id: a.id,
            centre: Named {
                id: a.centre_id,
                name: view.centre_name.clone(),
            },
            operator_id: view.operator_id,
            district: Named {
                id: view.district_id,
                name: view.district_name.clone(),
            },
            title: a.title.clone(),
            description: a.description.clone(),
            category: category_body(&a.category),
            target_groups: target_group_bodies(&a.target_groups),
            languages: a.languages.clone(),
            accessibility_notes: a.accessibility_notes.clone(),
            step_free: view.step_free,
            cost: CostBody {
                free: a.free_of_charge,
                amount_cents: a.cost_cents.map(i64::from),
                note: a.cost_note.clone(),
            },
            registration: RegistrationBody {
                required: a.registration_required,
                participant_limit: a.participant_limit.map(i64::from),
            },
            contact: has_contact.then_some(contact),
            status: status_body(&a.status),
            schedule: ScheduleBody::of(a),
            next_occurrences: None,
            occurrence_changes: None,
            distance_km: view.distance_km.map(|d| (d * 1000.0).round() / 1000.0),
            content_language: ContentLanguageResponse::source(),
            translations: None,
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version,
        }
    }
}

impl From<&OccurrenceRow> for UpcomingOccurrence {
    fn from(row: &OccurrenceRow) -> Self {
        Self {
            id: row.id,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            cancelled: row.cancelled,
        }
    }
}

/// Who is asking, for what they may see: the public sees published activities only.
/// An API key sees what its operator's staff see.
pub async fn viewer(
    conn: &mut AsyncPgConnection,
    caller: Option<&Caller>,
) -> Result<Viewer, ApiError> {
    match caller {
        None => Ok(Viewer::default()),
        Some(Caller::User(user)) if user.role == Role::Admin => Ok(Viewer {
            admin: true,
            operators: Vec::new(),
        }),
        Some(Caller::User(user)) => Ok(Viewer {
            admin: false,
            operators: activities::staff_operators(conn, user.id).await?,
        }),
        Some(Caller::Key(key)) => Ok(Viewer {
            admin: false,
            operators: vec![key.operator_id],
        }),
    }
}

/// Whether `viewer` may see `view`: published, or staff of its operator.
pub fn visible(viewer: &Viewer, view: &ActivityView) -> bool {
    view.activity.status == ActivityStatus::Published.as_str()
        || viewer.admin
        || viewer.operators.contains(&view.operator_id)
}

/// The filters the activity list and the "what's on" search share.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityFilterQuery {
    /// Only in this district or any district inside it.
    pub district_id: Option<Uuid>,
    pub centre_id: Option<Uuid>,
    pub operator_id: Option<Uuid>,
    pub category: Option<CategoryBody>,
    /// Only for this group (activities for all generations count for every group).
    pub target_group: Option<TargetGroupBody>,
    /// Only in this language (ISO 639 code, such as `tr`).
    #[param(pattern = "^[A-Za-z]{2,3}$")]
    pub language: Option<String>,
    /// Only free of charge.
    pub free: Option<bool>,
    /// Only at centres with a step-free entrance.
    pub step_free: Option<bool>,
    /// Words to find in title and description (German full text; "phrases" and -words work).
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// `latitude,longitude`: only at centres within `radius_km`.
    #[param(
        example = "51.5136,7.4653",
        pattern = r"^-?[0-9]+(\.[0-9]+)?,-?[0-9]+(\.[0-9]+)?$"
    )]
    pub near: Option<String>,
    /// Kilometres around `near`, 0.1 to 100 (default 5).
    #[param(minimum = 0.1, maximum = 100)]
    pub radius_km: Option<f64>,
    /// Staff only see other statuses than `published`: narrow to one.
    pub status: Option<ActivityStatusBody>,
    /// Only activities described in this language, such as `de-x-ls` for Leichte Sprache:
    /// with a text the public reads in it (reviewed where that is required, not stale).
    #[param(example = "de-x-ls", max_length = 64)]
    pub available_in: Option<String>,
}

/// The checked filters; `terms` holds the checked search terms they borrow.
pub fn filter<'a>(
    query: &'a ActivityFilterQuery,
    terms: &'a mut SearchTerms,
    languages: &ContentLanguages,
    reading: &Reading,
) -> Result<ActivityFilter<'a>, ApiError> {
    let mut errors = ValidationErrors::default();
    *terms = SearchTerms::check(
        query.near.as_deref(),
        query.radius_km,
        query.language.as_deref(),
        query.q.as_deref(),
        &mut errors,
    );
    terms.available_in = query
        .available_in
        .as_deref()
        .and_then(|raw| errors.collect(content_language(languages, raw, "available_in")))
        .filter(|tag| !tag.is_source())
        .map(|tag| tag.to_string());
    terms.text_language = reading
        .wishes
        .lookup(|candidate| languages.find(candidate))
        .filter(|tag| !tag.is_source())
        .map(|tag| tag.to_string());
    errors.into_result().map_err(ValidationErrors::in_query)?;
    Ok(ActivityFilter {
        district_id: query.district_id,
        centre_id: query.centre_id,
        operator_id: query.operator_id,
        category: query.category.map(|c| Category::from(c).as_str()),
        target_group: query.target_group.map(|g| TargetGroup::from(g).as_str()),
        language: terms.language.as_deref(),
        free_of_charge: query.free.unwrap_or(false),
        step_free: query.step_free.unwrap_or(false),
        text: terms.text.as_deref(),
        text_language: terms.text_language.as_deref(),
        available_in: terms.available_in.as_deref(),
        near: terms.near,
        status: query.status.map(|s| ActivityStatus::from(s).as_str()),
        between: None,
    })
}

/// The parts of an activity a request may set, as sent; `None` where left out.
#[derive(Debug, Default)]
struct ActivityInput<'a> {
    title: Option<&'a str>,
    description: Option<&'a str>,
    target_groups: Option<&'a [TargetGroupBody]>,
    languages: Option<&'a [String]>,
    accessibility_notes: Option<&'a str>,
    cost: Option<&'a CostBody>,
    registration: Option<&'a RegistrationBody>,
    contact: Option<Option<&'a ActivityContact>>,
}

/// The same parts, checked.
#[derive(Debug, Default)]
struct CheckedActivity {
    title: Option<String>,
    description: Option<String>,
    target_groups: Option<Vec<String>>,
    languages: Option<Vec<String>>,
    accessibility_notes: Option<String>,
    cost: Option<(bool, Option<i32>, Option<String>)>,
    registration: Option<(bool, Option<i32>)>,
    contact: Option<(Option<String>, Option<String>, Option<String>)>,
}

fn check(input: ActivityInput<'_>) -> Result<CheckedActivity, ApiError> {
    use quartier_domain::activity::{cost, registration};
    use quartier_domain::centre::languages;
    use quartier_domain::operator::{free_text, phone};
    use quartier_domain::{Email, bounded_text};
    let mut errors = ValidationErrors::default();
    let mut checked = CheckedActivity {
        title: input
            .title
            .and_then(|t| errors.collect(bounded_text(t, "title", 200))),
        description: input
            .description
            .and_then(|d| errors.collect(free_text(d, "description", 8000))),
        languages: input.languages.and_then(|l| errors.collect(languages(l))),
        accessibility_notes: input
            .accessibility_notes
            .and_then(|n| errors.collect(free_text(n, "accessibility_notes", 2000))),
        ..CheckedActivity::default()
    };
    if let Some(groups) = input.target_groups {
        let mut names: Vec<String> = groups
            .iter()
            .map(|g| TargetGroup::from(*g).as_str().to_owned())
            .collect();
        names.sort();
        names.dedup();
        checked.target_groups = Some(names);
    }
    if let Some(c) = input.cost {
        checked.cost = errors
            .collect(cost(c.free, c.amount_cents, c.note.as_deref()))
            .map(|(cents, note)| (c.free, cents, note));
    }
    if let Some(r) = input.registration {
        checked.registration = errors
            .collect(registration(r.required, r.participant_limit))
            .map(|limit| (r.required, limit));
    }
    if let Some(contact) = input.contact {
        let contact = contact.cloned().unwrap_or_default();
        let name = contact
            .name
            .as_deref()
            .and_then(|n| errors.collect(bounded_text(n, "contact.name", 200)));
        let email = contact.email.as_deref().and_then(|e| {
            errors.collect(Email::parse(e).map(Email::into_inner).map_err(|_| {
                ValidationErrors::single(
                    "contact.email",
                    "must be an address like name@example.org",
                )
            }))
        });
        let phone = contact
            .phone
            .as_deref()
            .and_then(|p| errors.collect(phone(p, "contact.phone")));
        checked.contact = Some((name, email, phone));
    }
    errors.into_result()?;
    Ok(checked)
}

/// Maps what the database refused about an activity to what the client sees.
fn refused(error: quartier_persistence::Error) -> ApiError {
    if error.is_constraint(activities::CENTRE_FOREIGN_KEY) {
        ApiError::validation("centre_id", "is not the id of a centre")
    } else if error.is_constraint(activities::EXTERNAL_ID_KEY) {
        ApiError::Conflict {
            slug: "external-id-taken",
            detail: "Another activity of this operator has this external id.".into(),
        }
    } else {
        error.into()
    }
}

/// The activity as the client sees it after a change, with the operator's facts.
async fn reload(conn: &mut AsyncPgConnection, id: Uuid) -> Result<ActivityView, ApiError> {
    activities::find(conn, id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No activity has this id.".into()))
}
