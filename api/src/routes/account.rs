//! The account as its owner sees it, shared by registration and `/me`.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header;
use chrono::{DateTime, Utc};
use quartier_domain::notification::MailLanguage;
use quartier_persistence::users::UserRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::extract::etag;

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountResponse {
    pub id: Uuid,
    #[schema(example = "anna.schmidt@example.org")]
    pub email: String,
    #[schema(example = "Anna Schmidt")]
    pub display_name: String,
    pub role: RoleBody,
    /// When the user last agreed to the privacy policy.
    pub privacy_consent_at: DateTime<Utc>,
    /// The version of the privacy policy agreed to then; `null` when the account was made
    /// without one (by an administrator's command, or before versions were recorded). Compare
    /// it with `GET /api/v1/privacy-policy` and, when they differ, ask the user to agree to
    /// the current one (`POST /api/v1/me/privacy-consent`).
    #[schema(example = "2026-11")]
    pub privacy_policy_version: Option<String>,
    /// Whether the address was shown to reach its owner (the link mailed to it was used).
    /// Until then the account can browse and sign up for shifts that need no qualification,
    /// but cannot be made staff or a centre's contact person.
    pub email_verified: bool,
    /// The language of mail to this person.
    pub language: LanguageBody,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Changes with every update; sent as `ETag`, expected back in `If-Match`.
    pub version: i32,
}

/// The language mail is written in: `de` (German, the default) or `en` (English).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum LanguageBody {
    #[default]
    De,
    En,
}

impl From<LanguageBody> for MailLanguage {
    fn from(language: LanguageBody) -> Self {
        match language {
            LanguageBody::De => MailLanguage::German,
            LanguageBody::En => MailLanguage::English,
        }
    }
}

impl From<MailLanguage> for LanguageBody {
    fn from(language: MailLanguage) -> Self {
        match language {
            MailLanguage::German => LanguageBody::De,
            MailLanguage::English => LanguageBody::En,
        }
    }
}

/// What an account may do city-wide: `admin` (the town's administration) or `member`
/// (everyone else; staff roles are per operator).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RoleBody {
    Admin,
    Member,
}

impl From<UserRow> for AccountResponse {
    fn from(row: UserRow) -> Self {
        Self {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            role: crate::names::stored(&row.role, RoleBody::Member),
            privacy_consent_at: row.privacy_consent_at,
            privacy_policy_version: row.privacy_policy_version,
            email_verified: row.email_verified_at.is_some(),
            language: MailLanguage::parse(&row.language)
                .unwrap_or_default()
                .into(),
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// The account with its `ETag`, answered with `status`.
pub fn account_response(status: StatusCode, row: UserRow) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(row.version)))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(AccountResponse::from(row))
}
