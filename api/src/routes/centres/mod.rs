//! Neighbourhood centres (Quartierszentren): `/centres`. The directory is public; an
//! operator's operator admins (and administrators) create and change its centres.

pub mod create;
pub mod get;
pub mod hours;
pub mod list;
pub mod translations;
pub mod update;

use chrono::{DateTime, Utc};
use quartier_domain::translation::{TextField, TextOwner};
use quartier_domain::{CentreKind, CentreStatus};
use quartier_persistence::centres::CentreView;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::languages::{ContentLanguageResponse, Translatable, TranslationResponse};
use crate::routes::districts::Point;

/// What kind of place a centre is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CentreKindBody {
    /// Bürgerhaus, Gemeinschaftshaus.
    CommunityHouse,
    /// Zentrum für Gemeinwesenarbeit.
    CommunityWorkCentre,
    /// WohnCafé.
    Wohncafe,
    /// Nachbarschaftstreff.
    MeetingPlace,
    /// Stadtteilbüro.
    DistrictOffice,
    Other,
}

impl From<CentreKindBody> for CentreKind {
    fn from(kind: CentreKindBody) -> Self {
        match kind {
            CentreKindBody::CommunityHouse => CentreKind::CommunityHouse,
            CentreKindBody::CommunityWorkCentre => CentreKind::CommunityWorkCentre,
            CentreKindBody::Wohncafe => CentreKind::Wohncafe,
            CentreKindBody::MeetingPlace => CentreKind::MeetingPlace,
            CentreKindBody::DistrictOffice => CentreKind::DistrictOffice,
            CentreKindBody::Other => CentreKind::Other,
        }
    }
}

/// Whether a centre receives visitors.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CentreStatusBody {
    Active,
    TemporarilyClosed,
    Closed,
}

impl From<CentreStatusBody> for CentreStatus {
    fn from(status: CentreStatusBody) -> Self {
        match status {
            CentreStatusBody::Active => CentreStatus::Active,
            CentreStatusBody::TemporarilyClosed => CentreStatus::TemporarilyClosed,
            CentreStatusBody::Closed => CentreStatus::Closed,
        }
    }
}

/// A postal address in Germany.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[schema(
        example = "Marktplatz 1",
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub street: String,
    #[schema(example = "44135", pattern = "^[0-9]{5}$")]
    pub postcode: String,
    #[schema(
        example = "Musterstadt",
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub town: String,
}

/// How a centre can be reached and used by people with disabilities.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Accessibility {
    /// The entrance has no steps (stufenloser Zugang).
    pub step_free: bool,
    pub accessible_toilet: bool,
    /// An induction loop for hearing aids (Induktionsschleife).
    pub hearing_loop: bool,
    /// Parking for disabled people (Behindertenparkplatz).
    pub disabled_parking: bool,
    #[schema(
        max_length = 2000,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub notes: String,
}

/// The contact person (Ansprechperson) as the public sees them: name and role only.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactResponse {
    #[schema(example = "Kim Koordination")]
    pub name: String,
    #[schema(example = "Quartiersmanagerin")]
    pub role: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CentreResponse {
    pub id: Uuid,
    pub operator_id: Uuid,
    pub district_id: Uuid,
    #[schema(example = "Bürgerhaus Nordstadt")]
    pub name: String,
    pub kind: CentreKindBody,
    pub description: String,
    pub address: Address,
    pub position: Point,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Languages spoken there (ISO 639 codes).
    #[schema(example = json!(["de", "tr"]))]
    pub languages: Vec<String>,
    pub accessibility: Accessibility,
    pub contact: Option<ContactResponse>,
    pub status: CentreStatusBody,
    /// Whether guests may sign up for its shifts without an account (a shift may say
    /// otherwise: its `guest_signups`).
    pub guest_signups: bool,
    /// Kilometres from the point searched near; only in searches with `near`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// The language `name`, `description` and `accessibility.notes` are served in, and
    /// which of them fell back to German.
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

impl Translatable for CentreResponse {
    const OWNER: TextOwner = TextOwner::Centre;

    fn owner_id(&self) -> Uuid {
        self.id
    }

    fn source_text(&self, field: TextField) -> Option<&str> {
        match field {
            TextField::Name => Some(&self.name),
            TextField::Description => Some(&self.description),
            TextField::AccessibilityNotes => Some(&self.accessibility.notes),
            TextField::Title | TextField::CostNote | TextField::Text => None,
        }
    }

    fn set_text(&mut self, field: TextField, text: String) {
        match field {
            TextField::Name => self.name = text,
            TextField::Description => self.description = text,
            TextField::AccessibilityNotes => self.accessibility.notes = text,
            TextField::Title | TextField::CostNote | TextField::Text => {}
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
}

impl From<CentreView> for CentreResponse {
    fn from(view: CentreView) -> Self {
        let c = view.centre;
        Self {
            id: c.id,
            operator_id: c.operator_id,
            district_id: c.district_id,
            name: c.name,
            kind: crate::names::stored(&c.kind, CentreKindBody::Other),
            description: c.description,
            address: Address {
                street: c.street,
                postcode: c.postcode,
                town: c.town,
            },
            position: Point {
                latitude: c.latitude,
                longitude: c.longitude,
            },
            phone: c.phone,
            email: c.email,
            languages: c.languages,
            accessibility: Accessibility {
                step_free: c.step_free,
                accessible_toilet: c.accessible_toilet,
                hearing_loop: c.hearing_loop,
                disabled_parking: c.disabled_parking,
                notes: c.accessibility_notes,
            },
            contact: view.contact_name.map(|name| ContactResponse {
                name,
                role: c.contact_role,
            }),
            status: crate::names::stored(&c.status, CentreStatusBody::Active),
            guest_signups: c.guest_signups,
            distance_km: view.distance_km.map(|d| (d * 1000.0).round() / 1000.0),
            content_language: ContentLanguageResponse::source(),
            translations: None,
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}

/// The contact person as a request names them: an account that is staff of the operator.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactRequest {
    pub user_id: Uuid,
    /// Shown publicly with the name, such as "Quartiersmanagerin".
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub role: Option<String>,
}

/// The parts of a centre a request may set, as sent; `None` where left out.
#[derive(Debug, Default)]
struct CentreInput<'a> {
    name: Option<&'a str>,
    description: Option<&'a str>,
    address: Option<&'a Address>,
    position: Option<Point>,
    phone: Option<Option<&'a str>>,
    email: Option<Option<&'a str>>,
    languages: Option<&'a [String]>,
    accessibility: Option<&'a Accessibility>,
    contact: Option<Option<&'a ContactRequest>>,
}

/// The same parts, checked.
#[derive(Debug, Default)]
struct CheckedCentre {
    name: Option<String>,
    description: Option<String>,
    street: Option<String>,
    postcode: Option<String>,
    town: Option<String>,
    position: Option<quartier_domain::GeoPoint>,
    phone: Option<Option<String>>,
    email: Option<Option<String>>,
    languages: Option<Vec<String>>,
    accessibility_notes: Option<String>,
    contact_role: Option<Option<String>>,
}

fn check(input: CentreInput<'_>) -> Result<CheckedCentre, crate::error::ApiError> {
    use quartier_domain::centre::{languages, postcode};
    use quartier_domain::operator::{free_text, phone};
    use quartier_domain::{Email, GeoPoint, ValidationErrors, bounded_text};
    let mut errors = ValidationErrors::default();
    let mut checked = CheckedCentre {
        name: input
            .name
            .and_then(|n| errors.collect(bounded_text(n, "name", 200))),
        description: input
            .description
            .and_then(|d| errors.collect(free_text(d, "description", 8000))),
        position: input
            .position
            .and_then(|p| errors.collect(GeoPoint::parse(p.latitude, p.longitude, "position"))),
        languages: input.languages.and_then(|l| errors.collect(languages(l))),
        accessibility_notes: input
            .accessibility
            .and_then(|a| errors.collect(free_text(&a.notes, "accessibility.notes", 2000))),
        ..CheckedCentre::default()
    };
    if let Some(address) = input.address {
        checked.street = errors.collect(bounded_text(&address.street, "address.street", 200));
        checked.postcode = errors.collect(postcode(&address.postcode));
        checked.town = errors.collect(bounded_text(&address.town, "address.town", 120));
    }
    checked.phone = match input.phone {
        Some(Some(raw)) => errors.collect(phone(raw, "phone")).map(Some),
        Some(None) => Some(None),
        None => None,
    };
    checked.email = match input.email {
        Some(Some(raw)) => errors
            .collect(Email::parse(raw).map_err(|_| {
                ValidationErrors::single("email", "must be an address like name@example.org")
            }))
            .map(|e| Some(e.into_inner())),
        Some(None) => Some(None),
        None => None,
    };
    checked.contact_role = match input.contact {
        Some(Some(ContactRequest {
            role: Some(role), ..
        })) => errors
            .collect(bounded_text(role, "contact.role", 100))
            .map(Some),
        Some(_) => Some(None),
        None => None,
    };
    errors.into_result()?;
    Ok(checked)
}

/// Ok when the contact person is staff of the operator (only staff are shown publicly) with
/// a verified address (the public learns to write to it).
async fn check_contact(
    conn: &mut quartier_persistence::AsyncPgConnection,
    operator_id: Uuid,
    contact: Option<&ContactRequest>,
) -> Result<(), crate::error::ApiError> {
    let Some(contact) = contact else {
        return Ok(());
    };
    if quartier_persistence::operators::member(conn, operator_id, contact.user_id)
        .await?
        .is_none()
    {
        return Err(crate::error::ApiError::validation(
            "contact.user_id",
            "is not staff of the centre's operator",
        ));
    }
    if !quartier_persistence::users::is_verified(conn, contact.user_id).await? {
        return Err(crate::error::ApiError::validation(
            "contact.user_id",
            "has not verified their e-mail address yet",
        ));
    }
    Ok(())
}

/// Maps what the database refused about a centre to what the client sees.
fn refused(error: quartier_persistence::Error) -> crate::error::ApiError {
    if error.is_constraint(quartier_persistence::centres::DISTRICT_FOREIGN_KEY) {
        crate::error::ApiError::validation("district_id", "is not the id of a district")
    } else {
        error.into()
    }
}
