//! Shifts (Einsätze): `/shifts`. Public to read — counts, never names; coordinators of the
//! centre create them, one at a time or for every coming date of an activity.
//!
//! One file per endpoint; here what they share: the response, the status, finding a shift
//! (and whether the caller may see it), and how the database's refusals read to a client.
//! `plan` checks the fields of a shift to create or to replace.

pub mod create;
pub mod create_for_activity;
pub mod get;
pub mod messages;
mod plan;
pub mod search;
pub mod translations;
pub mod update;
pub mod upsert;

use chrono::{DateTime, Utc};
use quartier_domain::ShiftStatus;
use quartier_domain::translation::{TextField, TextOwner};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::shifts::{self, ShiftRefusal, ShiftRow, ShiftView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::languages::{ContentLanguageResponse, NameShown, Translatable, TranslationResponse};
use crate::routes::activities::Named;

pub use create::CreateShiftRequest;
pub(crate) use plan::{Planned, plan_with};
pub(crate) use upsert::replace_shift;

/// The activity a shift helps with.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShiftActivity {
    pub id: Uuid,
    pub title: String,
}

/// A shift as everyone may see it: counts, never names.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShiftResponse {
    pub id: Uuid,
    /// The operator's own id for it, if it gave one.
    #[schema(example = "DIENST-4711")]
    pub external_id: Option<String>,
    #[schema(example = "Tische decken")]
    pub title: String,
    pub description: String,
    pub centre: Named,
    pub operator_id: Uuid,
    pub occurrence_id: Option<Uuid>,
    pub activity: Option<ShiftActivity>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    pub confirmed: i32,
    pub free_places: i32,
    /// How many wait for a place.
    pub waitlisted: i64,
    /// Ids of the qualification types a volunteer needs, inspected and valid on the day.
    pub required_qualifications: Vec<Uuid>,
    #[schema(example = "ab 16 Jahren")]
    pub min_age_note: Option<String>,
    pub skills: Vec<String>,
    pub status: ShiftStatusBody,
    /// This shift's own choice whether guests may sign up without an account; `null`: as its
    /// centre says.
    pub guest_signups: Option<bool>,
    /// Whether guests may sign up (`POST /shifts/{id}/guest-signups`): its own choice, else
    /// its centre's.
    pub guests_welcome: bool,
    /// The places standing sign-ups may confirm, as set for this shift; `null`: all but one.
    pub standing_max: Option<i32>,
    /// The places standing sign-ups may confirm now (`standing_max`, else `capacity` − 1).
    pub standing_places: i32,
    /// The language `title` and `description` are served in, and which fell back to German.
    pub content_language: ContentLanguageResponse,
    /// Every variant with its state; only for staff asking with `all_languages=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Vec<TranslationResponse>>,
    pub version: i32,
}

impl From<ShiftView> for ShiftResponse {
    fn from(view: ShiftView) -> Self {
        let s = view.shift;
        let free_places = s.places().free();
        Self {
            id: s.id,
            external_id: s.external_id,
            title: s.title,
            description: s.description,
            centre: Named {
                id: s.centre_id,
                name: view.centre_name,
            },
            operator_id: s.operator_id,
            occurrence_id: s.occurrence_id,
            activity: view
                .activity_id
                .zip(view.activity_title)
                .map(|(id, title)| ShiftActivity { id, title }),
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            capacity: s.capacity,
            confirmed: s.confirmed_count,
            free_places,
            waitlisted: view.waitlisted,
            required_qualifications: view.required,
            min_age_note: s.min_age_note,
            skills: s.skills,
            status: s.status.into(),
            guest_signups: s.guest_signups,
            guests_welcome: view.guests_welcome,
            standing_max: view.standing_max,
            standing_places: quartier_domain::standing::standing_places(
                s.capacity,
                view.standing_max,
            ),
            content_language: ContentLanguageResponse::source(),
            translations: None,
            version: s.version,
        }
    }
}

impl Translatable for ShiftResponse {
    const OWNER: TextOwner = TextOwner::Shift;

    fn owner_id(&self) -> Uuid {
        self.id
    }

    fn source_text(&self, field: TextField) -> Option<&str> {
        match field {
            TextField::Title => Some(&self.title),
            TextField::Description => Some(&self.description),
            _ => None,
        }
    }

    fn set_text(&mut self, field: TextField, text: String) {
        match field {
            TextField::Title => self.title = text,
            TextField::Description => self.description = text,
            _ => {}
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

/// A shift's status: `open` takes sign-ups, `cancelled` is final.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ShiftStatusBody {
    Open,
    Cancelled,
}

impl ShiftStatusBody {
    pub fn as_str(self) -> &'static str {
        match self {
            ShiftStatusBody::Open => ShiftStatus::Open.as_str(),
            ShiftStatusBody::Cancelled => ShiftStatus::Cancelled.as_str(),
        }
    }
}

impl From<ShiftStatus> for ShiftStatusBody {
    fn from(status: ShiftStatus) -> Self {
        match status {
            ShiftStatus::Open => ShiftStatusBody::Open,
            ShiftStatus::Cancelled => ShiftStatusBody::Cancelled,
        }
    }
}

fn not_found() -> ApiError {
    ApiError::NotFound("No shift has this id.".into())
}

/// The shift `id`, whoever asks; 404 when there is none.
pub(crate) async fn find_shift(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<ShiftView, ApiError> {
    shifts::find(conn, id).await?.ok_or_else(not_found)
}

/// The shift `id` just created.
async fn find_created(conn: &mut AsyncPgConnection, id: Uuid) -> Result<ShiftView, ApiError> {
    shifts::find(conn, id)
        .await?
        .ok_or_else(|| ApiError::Internal("created shift not found".into()))
}

/// The shift, if `caller` may see it: shifts of activities that are not published are for
/// the operator's staff (and keys) only.
pub async fn visible_shift(
    conn: &mut AsyncPgConnection,
    caller: Option<&Caller>,
    id: Uuid,
) -> Result<ShiftView, ApiError> {
    let view = find_shift(conn, id).await?;
    if view
        .activity_status
        .as_deref()
        .is_none_or(|s| s == "published")
    {
        return Ok(view);
    }
    let viewer = crate::routes::activities::viewer(conn, caller).await?;
    if viewer.admin || viewer.operators.contains(&view.shift.operator_id) {
        Ok(view)
    } else {
        Err(not_found())
    }
}

/// What became of a shift update, as the client sees it.
fn updated_row(
    updated: Result<Result<ShiftRow, ShiftRefusal>, quartier_persistence::Error>,
) -> Result<ShiftRow, ApiError> {
    match updated {
        Ok(Ok(row)) => Ok(row),
        Ok(Err(ShiftRefusal::NotFound)) => Err(not_found()),
        Ok(Err(ShiftRefusal::VersionConflict)) => Err(ApiError::VersionConflict),
        Ok(Err(ShiftRefusal::Cancelled)) => Err(ApiError::Conflict {
            slug: "shift-cancelled",
            detail: "This shift is cancelled.".into(),
        }),
        Ok(Err(ShiftRefusal::BelowConfirmed { confirmed, to_move })) => Err(ApiError::Conflict {
            slug: "capacity-below-confirmed",
            detail: format!(
                "{confirmed} volunteers are confirmed: name {to_move} of their sign-ups in move_to_waitlist."
            ),
        }),
        Ok(Err(ShiftRefusal::NotConfirmedHere(signup))) => Err(ApiError::validation(
            "move_to_waitlist",
            &format!("{signup} is not a confirmed sign-up of this shift"),
        )),
        Err(error) if error.is_constraint(quartier_persistence::signups::OVERLAP_CONSTRAINT) => {
            Err(ApiError::Conflict {
                slug: "overlapping-shift",
                detail: "At the new times a confirmed volunteer would have two shifts at once."
                    .into(),
            })
        }
        Err(error) => Err(refused(error)),
    }
}

/// Maps what the database refused about a shift.
pub(crate) fn refused(error: quartier_persistence::Error) -> ApiError {
    if error.is_constraint(shifts::QUALIFICATION_FOREIGN_KEY) {
        ApiError::validation(
            "required_qualifications",
            "names a type that does not exist",
        )
    } else if error.is_constraint(shifts::OCCURRENCE_FOREIGN_KEY) {
        ApiError::validation("occurrence_id", "is not the id of an occurrence")
    } else if error.is_constraint(shifts::EXTERNAL_ID_KEY) {
        ApiError::Conflict {
            slug: "external-id-taken",
            detail: "Another shift of this operator has this external id.".into(),
        }
    } else {
        error.into()
    }
}
