//! The volunteer's own side: `/me/profile`, `/me/signups`, `/me/hours`, and the skills
//! catalogue.
//!
//! One file per endpoint; here what they share: the profile as clients see it, how a
//! volunteer wants to be contacted, and how calendar feed tokens are kept.

pub mod calendar;
pub mod create_feed;
pub mod get_profile;
pub mod hours;
pub mod revoke_feed;
pub mod signups;
pub mod skills;
pub mod update_profile;

use quartier_persistence::profiles::ProfileRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub use hours::HoursResponse;
pub use signups::OwnSignupResponse;
pub use skills::SKILLS;

/// How a volunteer wants to be contacted.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ContactBy {
    Email,
    Phone,
    Sms,
}

impl ContactBy {
    pub fn as_str(self) -> &'static str {
        match self {
            ContactBy::Email => "email",
            ContactBy::Phone => "phone",
            ContactBy::Sms => "sms",
        }
    }

    pub fn parse(raw: &str) -> Self {
        match raw {
            "phone" => ContactBy::Phone,
            "sms" => ContactBy::Sms,
            _ => ContactBy::Email,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileResponse {
    pub phone: Option<String>,
    /// ISO 639 codes.
    pub languages: Vec<String>,
    /// From `/skills`, or free tags.
    pub skills: Vec<String>,
    /// Districts the volunteer would like to help in.
    pub district_ids: Vec<Uuid>,
    #[schema(example = "Dienstags und donnerstags nachmittags")]
    pub availability: String,
    pub contact_by: ContactBy,
    /// Her own cap: sign-ups beyond this many shifts in one week (Monday to Sunday) are
    /// refused (`workload-limit`); null for none.
    pub max_shifts_per_week: Option<i32>,
    /// … and in one calendar month.
    pub max_shifts_per_month: Option<i32>,
    /// Her own cap on neighbourly help: offers to help beyond this many neighbours in one
    /// calendar month are refused (`help-cap-reached`); null for none.
    pub max_help_per_month: Option<i32>,
    /// 0 until the profile is first saved; sent as `ETag`, expected back in `If-Match`.
    pub version: i32,
}

impl From<ProfileRow> for ProfileResponse {
    fn from(row: ProfileRow) -> Self {
        Self {
            phone: row.phone,
            languages: row.languages,
            skills: row.skills,
            district_ids: row.district_ids,
            availability: row.availability,
            contact_by: ContactBy::parse(&row.contact_by),
            max_shifts_per_week: row.max_shifts_per_week,
            max_shifts_per_month: row.max_shifts_per_month,
            max_help_per_month: row.max_help_per_month,
            version: row.version,
        }
    }
}

/// What is stored of a calendar feed's token: its hash, never the token.
fn token_hash(token: &str) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(token.as_bytes()).to_vec()
}
