//! The partner directory as Open Referral's Human Services Data Specification 3.0 (HSDS)
//! read API: partners are organizations; an operator's open centres are its locations and
//! its published activities with dates ahead its services. Only what everyone may read of a
//! partner is shown, whoever asks. Ids of parts without their own row in Quartier (phones,
//! addresses, topic terms) are name-based UUIDs (v5), the same in every export.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use quartier_domain::partner::PartnerField;
use quartier_domain::{ValidationErrors, bounded_text};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::directory::{self, DirectoryActivity, DirectoryCentre};
use quartier_persistence::partners::{self, PartnerFilter, PartnerRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The HSDS version served.
const VERSION: &str = "3.0";
/// The profile: HSDS itself, no national one.
const PROFILE: &str = "https://openreferral.org/specification/3.0";
/// The taxonomy partners' topics are terms of.
const TOPICS: &str = "quartier-topics";
/// Organizations on one page unless asked otherwise, and at most.
const PER_PAGE: i64 = 50;
const MAX_PER_PAGE: i64 = 200;

/// What this HSDS API is.
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsAbout {
    /// Always `3.0`.
    #[schema(example = "3.0")]
    pub version: String,
    pub profile: String,
    /// This server's OpenAPI document, which describes these routes too.
    pub openapi_url: String,
}

/// A partner as an HSDS organization, fully nested.
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsOrganization {
    /// The partner's id.
    pub id: Uuid,
    pub name: String,
    /// Empty when the partner keeps its description to itself.
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    pub phones: Vec<HsdsPhone>,
    /// The open centres, when the partner is an operator in Quartier; else the partner's
    /// public address.
    pub locations: Vec<HsdsLocation>,
    /// The operator's published activities with dates ahead.
    pub services: Vec<HsdsService>,
    /// The partner's public topics, as terms of the taxonomy `quartier-topics`.
    pub attributes: Vec<HsdsAttribute>,
}

/// A phone number.
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsPhone {
    pub id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id: Option<Uuid>,
    pub number: String,
}

/// What kind of place a location is.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HsdsLocationType {
    Physical,
}

/// A place: a centre, or a partner's address.
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsLocation {
    /// The centre's id, or a name-based one for a partner's address.
    pub id: Uuid,
    pub location_type: HsdsLocationType,
    pub organization_id: Uuid,
    pub name: String,
    /// A centre's description, or a partner's address as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
    /// A centre's address; given when the server knows its state (`QUARTIER_STATE_PROVINCE`),
    /// which HSDS requires.
    pub addresses: Vec<HsdsAddress>,
    pub phones: Vec<HsdsPhone>,
    pub languages: Vec<HsdsLanguage>,
    pub accessibility: Vec<HsdsAccessibility>,
}

/// What kind of address an address is.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HsdsAddressType {
    Physical,
}

/// A centre's street address.
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsAddress {
    pub id: Uuid,
    pub location_id: Uuid,
    pub address_1: String,
    pub city: String,
    pub state_province: String,
    pub postal_code: String,
    /// Always `DE`.
    #[schema(example = "DE")]
    pub country: String,
    pub address_type: HsdsAddressType,
}

/// A language spoken at a location or in a service.
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsLanguage {
    pub id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_id: Option<Uuid>,
    /// ISO 639 code.
    #[schema(example = "tr")]
    pub code: String,
}

/// How a location can be reached.
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsAccessibility {
    pub id: Uuid,
    pub location_id: Uuid,
    /// Whether there is step-free access, and the centre's notes.
    pub description: String,
}

/// Whether a service runs.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HsdsServiceStatus {
    Active,
}

/// An activity as an HSDS service.
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsService {
    /// The activity's id.
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub description: String,
    /// Always `active`: only activities with dates ahead are shown.
    pub status: HsdsServiceStatus,
    /// `kostenlos`, or the cost note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fees_description: Option<String>,
    /// Given when one has to register.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_process: Option<String>,
    pub last_modified: DateTime<Utc>,
    pub languages: Vec<HsdsLanguage>,
    pub service_at_locations: Vec<HsdsServiceAtLocation>,
}

/// Where a service is given: the activity's centre.
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsServiceAtLocation {
    pub id: Uuid,
    pub service_id: Uuid,
    pub location_id: Uuid,
}

/// A topic of a partner.
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsAttribute {
    pub id: Uuid,
    /// The partner's id.
    pub link_id: Uuid,
    /// Always `organization`.
    pub link_type: String,
    /// Always `organization`.
    pub link_entity: String,
    pub taxonomy_term_id: Uuid,
    pub taxonomy_term: HsdsTaxonomyTerm,
}

/// A term of the taxonomy `quartier-topics`: one topic, its name in lower case (one id for
/// every spelling); the description keeps the partner's own spelling.
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsTaxonomyTerm {
    /// The same for every partner naming the topic, whatever its case.
    pub id: Uuid,
    pub name: String,
    pub description: String,
    /// Always `quartier-topics`.
    pub taxonomy: String,
}

/// One page of organizations, with HSDS's page fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsOrganizationPage {
    pub total_items: i64,
    pub total_pages: i64,
    /// From 1.
    pub page_number: i64,
    /// The number of organizations on this page.
    pub size: i64,
    pub first_page: bool,
    pub last_page: bool,
    pub empty: bool,
    pub contents: Vec<HsdsOrganization>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganizationsQuery {
    /// Words in the name or public description.
    #[param(max_length = 200)]
    pub search: Option<String>,
    /// From 1 (the default).
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<i64>,
    /// 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// What this HSDS API serves.
#[utoipa::path(
    tag = "hsds",
    responses((status = 200, description = "The HSDS version and profile", body = HsdsAbout)),
)]
#[get("/hsds/v3")]
pub async fn hsds_about(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(HsdsAbout {
        version: VERSION.into(),
        profile: PROFILE.into(),
        openapi_url: format!("{}{}", state.public_url, crate::app::OPENAPI_PATH),
    })
}

/// The partner directory as HSDS organizations, by name, fully nested, with only what
/// everyone may read.
#[utoipa::path(
    tag = "hsds",
    params(OrganizationsQuery),
    responses(
        (status = 200, description = "One page of organizations", body = HsdsOrganizationPage),
        (status = 400, description = "A query parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`search`, `page` or `per_page` out of range (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/hsds/v3/organizations")]
pub async fn hsds_organizations(
    state: web::Data<AppState>,
    query: web::Query<OrganizationsQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = ValidationErrors::default();
    let search = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .and_then(|q| errors.collect(bounded_text(q, "search", 200)));
    let page = query.page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        errors.push("page", "must be between 1 and 100000");
    }
    let per_page = query.per_page.unwrap_or(PER_PAGE);
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        errors.push("per_page", "must be between 1 and 200");
    }
    errors.into_result()?;
    let filter = PartnerFilter {
        q: search.as_deref(),
        public_only: true,
        ..PartnerFilter::default()
    };
    let _turn = state.fair_share.search(true).await?;
    let mut conn = state.conn().await?;
    let (rows, total) =
        partners::numbered_page(&mut conn, &filter, (page - 1) * per_page, per_page).await?;
    let contents = organizations(&mut conn, rows, state.state_province.as_deref()).await?;
    let total_pages = (total + per_page - 1) / per_page;
    Ok(HttpResponse::Ok().json(HsdsOrganizationPage {
        total_items: total,
        total_pages,
        page_number: page,
        size: contents.len() as i64,
        first_page: page == 1,
        last_page: page >= total_pages,
        empty: contents.is_empty(),
        contents,
    }))
}

/// One partner as an HSDS organization, fully nested.
#[utoipa::path(
    tag = "hsds",
    params(("id" = Uuid, Path, description = "The partner's id")),
    responses(
        (status = 200, description = "The organization", body = HsdsOrganization),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No partner has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/hsds/v3/organizations/{id}")]
pub async fn hsds_organization(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let row = partners::find(&mut conn, *id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No partner has this id.".into()))?;
    let mut found = organizations(&mut conn, vec![row], state.state_province.as_deref()).await?;
    Ok(HttpResponse::Ok().json(found.pop()))
}

/// `rows` as organizations, with the centres and activities of those that are operators.
async fn organizations(
    conn: &mut AsyncPgConnection,
    rows: Vec<PartnerRow>,
    state_province: Option<&str>,
) -> Result<Vec<HsdsOrganization>, ApiError> {
    let operator_ids: Vec<Uuid> = rows.iter().filter_map(|row| row.operator_id).collect();
    let mut centres: HashMap<Uuid, Vec<DirectoryCentre>> = HashMap::new();
    for centre in directory::centres_of(conn, &operator_ids).await? {
        centres.entry(centre.operator_id).or_default().push(centre);
    }
    let mut activities: HashMap<Uuid, Vec<DirectoryActivity>> = HashMap::new();
    for activity in directory::activities_of(conn, &operator_ids).await? {
        activities
            .entry(activity.operator_id)
            .or_default()
            .push(activity);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let (centres, activities) = match row.operator_id {
                Some(operator) => (
                    centres.remove(&operator).unwrap_or_default(),
                    activities.remove(&operator).unwrap_or_default(),
                ),
                None => (Vec::new(), Vec::new()),
            };
            organization(row, centres, activities, state_province)
        })
        .collect())
}

/// A name-based id for the part `part` of the thing `owner`.
fn part_id(owner: Uuid, part: &str) -> Uuid {
    Uuid::new_v5(&owner, part.as_bytes())
}

fn organization(
    row: PartnerRow,
    centres: Vec<DirectoryCentre>,
    activities: Vec<DirectoryActivity>,
    state_province: Option<&str>,
) -> HsdsOrganization {
    let public = |field: PartnerField| row.is_public(field.as_str());
    let id = row.id;
    let phones = row
        .contact_phone
        .clone()
        .filter(|_| public(PartnerField::ContactPhone))
        .map(|number| HsdsPhone {
            id: part_id(id, "phone"),
            organization_id: Some(id),
            location_id: None,
            number,
        })
        .into_iter()
        .collect();
    let mut locations: Vec<HsdsLocation> = centres
        .into_iter()
        .map(|centre| location(id, centre, state_province))
        .collect();
    if locations.is_empty()
        && let Some(address) = row
            .address
            .clone()
            .filter(|_| public(PartnerField::Address))
    {
        locations.push(HsdsLocation {
            id: part_id(id, "address"),
            location_type: HsdsLocationType::Physical,
            organization_id: id,
            name: row.name.clone(),
            description: Some(address),
            latitude: None,
            longitude: None,
            addresses: Vec::new(),
            phones: Vec::new(),
            languages: Vec::new(),
            accessibility: Vec::new(),
        });
    }
    let attributes = if public(PartnerField::Topics) {
        row.topics
            .iter()
            .map(|topic| {
                let term = topic_term(topic);
                HsdsAttribute {
                    id: part_id(id, &format!("topic:{}", term.name)),
                    link_id: id,
                    link_type: "organization".into(),
                    link_entity: "organization".into(),
                    taxonomy_term_id: term.id,
                    taxonomy_term: term,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    HsdsOrganization {
        id,
        description: if public(PartnerField::Description) {
            row.description.clone()
        } else {
            String::new()
        },
        email: row
            .contact_email
            .clone()
            .filter(|_| public(PartnerField::ContactEmail)),
        website: row
            .website
            .clone()
            .filter(|_| public(PartnerField::Website)),
        phones,
        locations,
        services: activities
            .into_iter()
            .map(|activity| service(id, activity))
            .collect(),
        attributes,
        name: row.name,
    }
}

/// The term of the topic `topic`: one id for every spelling that differs only in case.
fn topic_term(topic: &str) -> HsdsTaxonomyTerm {
    let name = topic.to_lowercase();
    HsdsTaxonomyTerm {
        id: Uuid::new_v5(&Uuid::NAMESPACE_URL, format!("{TOPICS}:{name}").as_bytes()),
        description: format!("Thema: {topic}"),
        name,
        taxonomy: TOPICS.into(),
    }
}

fn location(
    organization_id: Uuid,
    centre: DirectoryCentre,
    state_province: Option<&str>,
) -> HsdsLocation {
    let id = centre.id;
    HsdsLocation {
        id,
        location_type: HsdsLocationType::Physical,
        organization_id,
        description: Some(centre.description).filter(|d| !d.is_empty()),
        latitude: Some(centre.latitude),
        longitude: Some(centre.longitude),
        addresses: state_province
            .map(|state| HsdsAddress {
                id: part_id(id, "address"),
                location_id: id,
                address_1: centre.street,
                city: centre.town,
                state_province: state.to_owned(),
                postal_code: centre.postcode,
                country: "DE".into(),
                address_type: HsdsAddressType::Physical,
            })
            .into_iter()
            .collect(),
        phones: centre
            .phone
            .map(|number| HsdsPhone {
                id: part_id(id, "phone"),
                organization_id: None,
                location_id: Some(id),
                number,
            })
            .into_iter()
            .collect(),
        languages: centre
            .languages
            .into_iter()
            .map(|code| HsdsLanguage {
                id: part_id(id, &format!("language:{code}")),
                location_id: Some(id),
                service_id: None,
                code,
            })
            .collect(),
        accessibility: vec![HsdsAccessibility {
            id: part_id(id, "accessibility"),
            location_id: id,
            description: match (centre.step_free, centre.accessibility_notes.is_empty()) {
                (true, true) => "Stufenloser Zugang.".into(),
                (true, false) => format!("Stufenloser Zugang. {}", centre.accessibility_notes),
                (false, true) => "Kein stufenloser Zugang.".into(),
                (false, false) => {
                    format!("Kein stufenloser Zugang. {}", centre.accessibility_notes)
                }
            },
        }],
        name: centre.name,
    }
}

fn service(organization_id: Uuid, activity: DirectoryActivity) -> HsdsService {
    let id = activity.id;
    HsdsService {
        id,
        organization_id,
        name: activity.title,
        description: activity.description,
        status: HsdsServiceStatus::Active,
        fees_description: if activity.free_of_charge {
            Some("kostenlos".into())
        } else {
            activity.cost_note
        },
        application_process: activity
            .registration_required
            .then(|| "Anmeldung erforderlich.".to_owned()),
        last_modified: activity.updated_at,
        languages: activity
            .languages
            .into_iter()
            .map(|code| HsdsLanguage {
                id: part_id(id, &format!("language:{code}")),
                location_id: None,
                service_id: Some(id),
                code,
            })
            .collect(),
        service_at_locations: vec![HsdsServiceAtLocation {
            id: part_id(id, "at"),
            service_id: id,
            location_id: activity.centre_id,
        }],
    }
}
