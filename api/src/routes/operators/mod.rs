//! Operators (Träger): `/operators`. Anyone reads them; administrators create and deactivate
//! them; their operator admins keep their details and staff up to date.

pub mod api_keys;
pub mod create;
pub mod get;
pub mod invitations;
pub mod list;
pub mod members;
pub mod notification_failures;
pub mod trusts;
pub mod update;

use chrono::{DateTime, Utc};
use quartier_persistence::operators::OperatorRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The organisation type of an operator.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OperatorKindBody {
    /// The town itself (Stadt, Gemeinde).
    Municipality,
    /// A housing company (Wohnbaugesellschaft).
    HousingCompany,
    /// A church or welfare association (kirchlicher Verband, Wohlfahrtsverband).
    ChurchOrWelfare,
    /// An association or club (Verein).
    Association,
    Other,
}

impl From<OperatorKindBody> for quartier_domain::OperatorKind {
    fn from(kind: OperatorKindBody) -> Self {
        use quartier_domain::OperatorKind as K;
        match kind {
            OperatorKindBody::Municipality => K::Municipality,
            OperatorKindBody::HousingCompany => K::HousingCompany,
            OperatorKindBody::ChurchOrWelfare => K::ChurchOrWelfare,
            OperatorKindBody::Association => K::Association,
            OperatorKindBody::Other => K::Other,
        }
    }
}

/// Whether an operator is active. Staff of an inactive operator can change nothing.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OperatorStatus {
    Active,
    Inactive,
}

impl OperatorStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OperatorStatus::Active => "active",
            OperatorStatus::Inactive => "inactive",
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OperatorResponse {
    pub id: Uuid,
    #[schema(example = "AWO Musterstadt e.V.")]
    pub name: String,
    pub kind: OperatorKindBody,
    pub description: String,
    pub website: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub status: OperatorStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Changes with every update; sent as `ETag`, expected back in `If-Match`.
    pub version: i32,
}

impl From<OperatorRow> for OperatorResponse {
    fn from(row: OperatorRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            kind: crate::names::stored(&row.kind, OperatorKindBody::Other),
            description: row.description,
            website: row.website,
            contact_email: row.contact_email,
            contact_phone: row.contact_phone,
            status: crate::names::stored(&row.status, OperatorStatus::Inactive),
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// The checked contact details of a create or update request; `None` where left out, and
/// `Some(None)` where cleared.
#[derive(Debug, Default)]
pub(crate) struct Details {
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) website: Option<Option<String>>,
    pub(crate) contact_email: Option<Option<String>>,
    pub(crate) contact_phone: Option<Option<String>>,
}

pub(crate) struct DetailsInput<'a> {
    pub(crate) name: Option<&'a str>,
    pub(crate) description: Option<&'a str>,
    pub(crate) website: Option<Option<&'a str>>,
    pub(crate) contact_email: Option<Option<&'a str>>,
    pub(crate) contact_phone: Option<Option<&'a str>>,
}

pub(crate) fn check_details(input: DetailsInput<'_>) -> Result<Details, crate::error::ApiError> {
    use quartier_domain::operator::{free_text, operator_name, phone, website};
    use quartier_domain::{Email, ValidationErrors};
    let mut errors = ValidationErrors::default();
    let mut optional =
        |value: Option<Option<&str>>, parse: &dyn Fn(&str) -> Result<String, ValidationErrors>| {
            match value {
                Some(Some(raw)) => errors.collect(parse(raw)).map(Some),
                Some(None) => Some(None),
                None => None,
            }
        };
    let website = optional(input.website, &website);
    let contact_email = optional(input.contact_email, &|raw| {
        Email::parse(raw).map(Email::into_inner).map_err(|_| {
            ValidationErrors::single("contact_email", "must be an address like name@example.org")
        })
    });
    let contact_phone = optional(input.contact_phone, &|raw| phone(raw, "contact_phone"));
    let details = Details {
        name: input.name.and_then(|n| errors.collect(operator_name(n))),
        description: input
            .description
            .and_then(|d| errors.collect(free_text(d, "description", 4000))),
        website,
        contact_email,
        contact_phone,
    };
    errors.into_result()?;
    Ok(details)
}
