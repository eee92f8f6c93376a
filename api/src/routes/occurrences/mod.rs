//! Occurrences (Termine): `/occurrences` ("what's on"), `/activities/{id}/occurrences`, and
//! the changes staff make to single dates: cancel, move, note, attendance.

pub mod get;
pub mod search;
pub mod update;

use chrono::{DateTime, Duration, Utc};
use quartier_domain::TimeWindow;
use quartier_domain::translation::{TextField, TextOwner};
use quartier_persistence::activities::Viewer;
use quartier_persistence::occurrences::OccurrenceView;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;
use crate::languages::{ContentLanguageResponse, NameShown, Translatable, TranslationResponse};
use crate::routes::activities::{
    CategoryBody, Named, TargetGroupBody, category_body, target_group_bodies,
};

/// The longest range one search may span.
pub const MAX_RANGE_DAYS: i64 = 93;

/// `from`..`to` when it is forward, within the years 2000 to 2100, and at most 93 days long.
pub fn check_range(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), ApiError> {
    TimeWindow::parse(from, to, Duration::days(MAX_RANGE_DAYS), ("from", "to"))
        .map(TimeWindow::bounds)
        .map_err(|errors| ApiError::from(errors.in_query()))
}

/// One occurrence with what a list screen shows, so no further request is needed.
#[derive(Debug, Serialize, ToSchema)]
pub struct OccurrenceResponse {
    pub id: Uuid,
    /// The operator's own id for this date, if it gave one.
    pub external_id: Option<String>,
    pub activity_id: Uuid,
    #[schema(example = "Kaffeetisch für Nachbarinnen und Nachbarn")]
    pub title: String,
    pub category: CategoryBody,
    pub target_groups: Vec<TargetGroupBody>,
    pub languages: Vec<String>,
    pub free_of_charge: bool,
    pub registration_required: bool,
    pub participant_limit: Option<i32>,
    pub centre: Named,
    pub operator_id: Uuid,
    pub district: Named,
    /// The centre's entrance has no steps.
    pub step_free: bool,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The zone the activity's times are planned in.
    #[schema(example = "Europe/Berlin")]
    pub time_zone: String,
    pub cancelled: bool,
    pub cancellation_reason: Option<String>,
    /// Staff moved it away from where the schedule puts it.
    pub moved: bool,
    /// Where the schedule puts it.
    pub original_start: DateTime<Utc>,
    /// No longer produced by the schedule; kept because shifts hang on it.
    pub detached: bool,
    /// A note for participants ("bitte Hausschuhe mitbringen").
    pub note: Option<String>,
    /// How many took part; shown to staff of the operator only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participants: Option<i32>,
    /// Of `participants`, how many came for the first time; staff of the operator only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_time_participants: Option<i32>,
    /// Of `participants`, how many of each age band, as far as counted; staff of the
    /// operator only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participants_by_age: Option<AgeBands>,
    /// Kilometres from the point searched near; only in searches with `near`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// The language `title` is served in.
    pub content_language: ContentLanguageResponse,
    pub updated_at: DateTime<Utc>,
    /// Changes with every update; sent as `ETag`, expected back in `If-Match`.
    pub version: i32,
}

impl Translatable for OccurrenceResponse {
    const OWNER: TextOwner = TextOwner::Activity;

    fn owner_id(&self) -> Uuid {
        self.activity_id
    }

    fn source_text(&self, field: TextField) -> Option<&str> {
        (field == TextField::Title).then_some(self.title.as_str())
    }

    fn set_text(&mut self, field: TextField, text: String) {
        if field == TextField::Title {
            self.title = text;
        }
    }

    fn set_language(
        &mut self,
        language: ContentLanguageResponse,
        _translations: Option<Vec<TranslationResponse>>,
    ) {
        self.content_language = language;
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

impl OccurrenceResponse {
    pub fn new(view: OccurrenceView, viewer: &Viewer) -> Self {
        let staff = viewer.admin || viewer.operators.contains(&view.operator_id);
        let o = view.occurrence;
        let by_age = AgeBands::of(&o).filter(|_| staff);
        Self {
            id: o.id,
            external_id: o.external_id,
            activity_id: o.activity_id,
            title: view.title,
            category: category_body(&view.category),
            target_groups: target_group_bodies(&view.target_groups),
            languages: view.languages,
            free_of_charge: view.free_of_charge,
            registration_required: view.registration_required,
            participant_limit: view.participant_limit,
            centre: Named {
                id: view.centre_id,
                name: view.centre_name,
            },
            operator_id: view.operator_id,
            district: Named {
                id: view.district_id,
                name: view.district_name,
            },
            step_free: view.step_free,
            starts_at: o.starts_at,
            ends_at: o.ends_at,
            time_zone: view.time_zone,
            cancelled: o.cancelled || view.activity_status == "cancelled",
            cancellation_reason: o.cancellation_reason,
            moved: o.moved,
            original_start: o.original_start,
            detached: o.detached,
            note: o.note,
            participants: if staff { o.participants } else { None },
            first_time_participants: if staff {
                o.first_time_participants
            } else {
                None
            },
            participants_by_age: by_age,
            distance_km: view.distance_km.map(|d| (d * 1000.0).round() / 1000.0),
            content_language: ContentLanguageResponse::source(),
            updated_at: o.updated_at,
            version: o.version,
        }
    }
}

/// Attendance by age band: how many of the participants were of each age, as far as
/// counted. The bands together are at most `participants`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgeBands {
    /// Children up to 13.
    #[schema(minimum = 0, maximum = 100000)]
    pub age_0_13: Option<i32>,
    #[schema(minimum = 0, maximum = 100000)]
    pub age_14_17: Option<i32>,
    #[schema(minimum = 0, maximum = 100000)]
    pub age_18_26: Option<i32>,
    #[schema(minimum = 0, maximum = 100000)]
    pub age_27_64: Option<i32>,
    #[schema(minimum = 0, maximum = 100000)]
    pub age_65_plus: Option<i32>,
}

impl AgeBands {
    /// The bands an occurrence has counted; `None` when it counted none.
    fn of(o: &quartier_persistence::occurrences::OccurrenceRow) -> Option<Self> {
        let bands = Self {
            age_0_13: o.participants_age_0_13,
            age_14_17: o.participants_age_14_17,
            age_18_26: o.participants_age_18_26,
            age_27_64: o.participants_age_27_64,
            age_65_plus: o.participants_age_65_plus,
        };
        (bands != Self::default()).then_some(bands)
    }

    /// The bands in order, as they are stored.
    pub fn values(self) -> [Option<i32>; 5] {
        [
            self.age_0_13,
            self.age_14_17,
            self.age_18_26,
            self.age_27_64,
            self.age_65_plus,
        ]
    }
}

/// Whether `viewer` may see an occurrence of this activity.
pub fn visible(viewer: &Viewer, view: &OccurrenceView) -> bool {
    view.activity_status == "published"
        || viewer.admin
        || viewer.operators.contains(&view.operator_id)
}
