//! Districts (Quartier, Stadtteil): `/districts`. Anyone reads them; administrators change them.

pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod update;

use chrono::{DateTime, Utc};
use quartier_domain::{DistrictName, GeoPoint, Slug, TownName, ValidationErrors};
use quartier_persistence::districts::{self, DistrictRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;

#[derive(Debug, Serialize, ToSchema)]
pub struct DistrictResponse {
    pub id: Uuid,
    #[schema(example = "Nordstadt")]
    pub name: String,
    #[schema(example = "nordstadt")]
    pub slug: String,
    #[schema(example = "Musterstadt")]
    pub town: String,
    /// The district this one lies in, if any.
    pub parent_id: Option<Uuid>,
    /// A point to show the district at on a map.
    pub centre: Option<Point>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Changes with every update; sent as `ETag`, expected back in `If-Match`.
    pub version: i32,
}

/// A position (WGS 84).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Point {
    #[schema(minimum = -90, maximum = 90, example = 51.514)]
    pub latitude: f64,
    #[schema(minimum = -180, maximum = 180, example = 7.465)]
    pub longitude: f64,
}

impl Point {
    fn parse(self, field: &str) -> Result<GeoPoint, ValidationErrors> {
        GeoPoint::parse(self.latitude, self.longitude, field)
    }
}

impl From<DistrictRow> for DistrictResponse {
    fn from(row: DistrictRow) -> Self {
        let centre = row
            .latitude
            .zip(row.longitude)
            .map(|(latitude, longitude)| Point {
                latitude,
                longitude,
            });
        Self {
            id: row.id,
            name: row.name,
            slug: row.slug,
            town: row.town,
            parent_id: row.parent_id,
            centre,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// The checked fields of a create or update request; `None` where the request left a field out.
#[derive(Debug, Default)]
struct Checked {
    name: Option<DistrictName>,
    slug: Option<Slug>,
    town: Option<TownName>,
    centre: Option<Option<GeoPoint>>,
}

fn check(
    name: Option<&str>,
    slug: Option<&str>,
    town: Option<&str>,
    centre: Option<Option<Point>>,
) -> Result<Checked, ApiError> {
    let mut errors = ValidationErrors::default();
    let checked = Checked {
        name: name.and_then(|n| errors.collect(DistrictName::parse(n))),
        slug: slug.and_then(|s| errors.collect(Slug::parse(s))),
        town: town.and_then(|t| errors.collect(TownName::parse(t))),
        centre: match centre {
            Some(Some(point)) => errors.collect(point.parse("centre")).map(Some),
            Some(None) => Some(None),
            None => None,
        },
    };
    errors.into_result()?;
    Ok(checked)
}

/// Maps what the database refused about a district to what the client sees.
fn refused(error: quartier_persistence::Error) -> ApiError {
    if error.is_constraint(districts::SLUG_UNIQUE) {
        ApiError::Conflict {
            slug: "slug-taken",
            detail: "Another district has this slug. Choose another one.".into(),
        }
    } else if error.is_constraint(districts::PARENT_FOREIGN_KEY) {
        ApiError::validation("parent_id", "is not the id of a district")
    } else if error.is_constraint(districts::NOT_OWN_PARENT) {
        ApiError::validation("parent_id", "must not be the district itself")
    } else {
        error.into()
    }
}
