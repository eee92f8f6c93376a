//! Reports: the catalogue of indicators, and their figures per district, centre, operator,
//! category or month as JSON or CSV. Operator staff and their systems read their operator's
//! figures in full; the town's coordinator and administrators read the whole town, with
//! small counts of people hidden (quartier_domain::reporting).

pub mod charts;
pub mod indicators;
pub mod printable;
pub mod snapshots;

use std::borrow::Cow;

use actix_web::{HttpResponse, get};
use quartier_domain::reporting::{CATALOGUE_VERSION, Dimension, Indicator, SMALL_CELL, Unit};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

/// An indicator of the catalogue, by its key (`visits`, `volunteer_hours` …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IndicatorKey(pub Indicator);

impl Serialize for IndicatorKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.key())
    }
}

impl<'de> Deserialize<'de> for IndicatorKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Cow::<str>::deserialize(deserializer)?;
        Indicator::parse(&raw)
            .map(IndicatorKey)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown indicator {raw}")))
    }
}

impl PartialSchema for IndicatorKey {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "An indicator of the catalogue (`GET /reports/catalogue` defines each).",
            ))
            .enum_values(Some(Indicator::ALL.iter().map(|i| i.key())))
            .into()
    }
}

impl ToSchema for IndicatorKey {}

/// What figures are grouped or filtered by.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DimensionBody {
    /// The district the centre lies in (for concerns: the district they are about).
    District,
    Centre,
    /// The operator (Träger).
    Operator,
    /// The activity's category.
    Category,
    /// The calendar month in Europe/Berlin, `YYYY-MM`.
    Month,
    /// What neighbourly help is about.
    HelpCategory,
}

impl From<DimensionBody> for Dimension {
    fn from(body: DimensionBody) -> Self {
        match body {
            DimensionBody::District => Dimension::District,
            DimensionBody::Centre => Dimension::Centre,
            DimensionBody::Operator => Dimension::Operator,
            DimensionBody::Category => Dimension::Category,
            DimensionBody::Month => Dimension::Month,
            DimensionBody::HelpCategory => Dimension::HelpCategory,
        }
    }
}

impl From<Dimension> for DimensionBody {
    fn from(dimension: Dimension) -> Self {
        match dimension {
            Dimension::District => DimensionBody::District,
            Dimension::Centre => DimensionBody::Centre,
            Dimension::Operator => DimensionBody::Operator,
            Dimension::Category => DimensionBody::Category,
            Dimension::Month => DimensionBody::Month,
            Dimension::HelpCategory => DimensionBody::HelpCategory,
        }
    }
}

/// What a figure is measured in: a `count`, `hours` (two decimals), a `share` from 0 to 1
/// (three decimals), `days` (one decimal) or `euros` (to the cent).
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum UnitBody {
    Count,
    Hours,
    Share,
    Days,
    Euros,
}

impl From<Unit> for UnitBody {
    fn from(unit: Unit) -> Self {
        match unit {
            Unit::Count => UnitBody::Count,
            Unit::Hours => UnitBody::Hours,
            Unit::Share => UnitBody::Share,
            Unit::Days => UnitBody::Days,
            Unit::Euros => UnitBody::Euros,
        }
    }
}

/// A text in German and English.
#[derive(Debug, Serialize, ToSchema)]
pub struct Localised {
    pub de: &'static str,
    pub en: &'static str,
}

impl From<(&'static str, &'static str)> for Localised {
    fn from((de, en): (&'static str, &'static str)) -> Self {
        Self { de, en }
    }
}

/// One indicator as the catalogue defines it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogueEntry {
    pub key: IndicatorKey,
    pub unit: UnitBody,
    /// Whether it is derived from persons: then a figure resting on fewer than
    /// `small_cell` of them (but some) is hidden from everyone but the operator's staff.
    pub about_people: bool,
    pub label: Localised,
    /// What exactly it counts.
    pub definition: Localised,
    /// What it can be grouped and filtered by.
    pub dimensions: Vec<DimensionBody>,
}

/// The catalogue of indicators.
#[derive(Debug, Serialize, ToSchema)]
pub struct Catalogue {
    /// Raised whenever a definition changes what it counts.
    #[schema(example = 1)]
    pub version: i32,
    /// Figures about people resting on fewer than this many are hidden from outsiders.
    #[schema(example = 5)]
    pub small_cell: i64,
    pub indicators: Vec<CatalogueEntry>,
}

/// The catalogue of indicators every report counts with, each with its definition in German
/// and English. Public.
#[utoipa::path(
    tag = "reports",
    responses((status = 200, description = "The catalogue", body = Catalogue)),
)]
#[get("/reports/catalogue")]
pub async fn catalogue() -> HttpResponse {
    let indicators = Indicator::ALL
        .iter()
        .map(|&indicator| CatalogueEntry {
            key: IndicatorKey(indicator),
            unit: indicator.unit().into(),
            about_people: indicator.about_people(),
            label: indicator.label().into(),
            definition: indicator.definition().into(),
            dimensions: indicator
                .source()
                .dimensions()
                .iter()
                .map(|&d| d.into())
                .collect(),
        })
        .collect();
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .json(Catalogue {
            version: CATALOGUE_VERSION,
            small_cell: SMALL_CELL,
            indicators,
        })
}
