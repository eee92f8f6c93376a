//! `POST /concerns`: a resident raises a concern, or staff write down one told to them.

use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use chrono::NaiveDate;
use quartier_domain::concern::{ConcernChannel, ConcernKind, ConcernStatus, ConcernTexts};
use quartier_domain::language::ContentLanguages;
use quartier_domain::{GeoPoint, ValidationErrors};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::concerns::{self, CategoryRow, ConcernView, NewConcern};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ConcernChannelBody, ConcernKindBody, ConcernResponse};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, etag};
use crate::languages::content_language;
use crate::routes::districts::Point;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConcernRequest {
    /// Left out: the category's kind.
    pub kind: Option<ConcernKindBody>,
    pub category_id: Uuid,
    #[schema(
        example = "Sitzbank am Spielplatz fehlt",
        min_length = 1,
        max_length = 200
    )]
    pub title: String,
    #[schema(
        example = "Am Spielplatz Lindenstraße gibt es keine Bank; Großeltern stehen die ganze Zeit.",
        min_length = 1,
        max_length = 5000
    )]
    pub text: String,
    pub district_id: Uuid,
    /// The centre it concerns.
    pub centre_id: Option<Uuid>,
    /// Where it is, on a map.
    pub point: Option<Point>,
    /// Where it is, in words.
    #[schema(example = "Lindenstraße 4, am Spielplatz", max_length = 300)]
    pub address: Option<String>,
    /// Whether the author's name is shown with it (default false).
    pub show_author: Option<bool>,
    /// `web` (default) when its author writes it; any other channel when staff write down
    /// what a person told them, with `consent_on`.
    pub channel: Option<ConcernChannelBody>,
    /// The day the person agreed to its being stored; required for every channel but `web`.
    pub consent_on: Option<NaiveDate>,
    /// The date (a Stadtteilgespräch, a dialogue) where it was raised.
    pub source_occurrence_id: Option<Uuid>,
    /// The language `title` and `text` are written in: an enabled content language, German
    /// (`de`) when left out. They stay as written; those who answer the concern add them in
    /// other languages, German included.
    #[schema(example = "tr", max_length = 64)]
    pub source_language: Option<String>,
}

/// Raise a concern: an idea, a need or a problem in the neighbourhood. Any signed-in person
/// for herself; staff of the category's operator and administrators also write down
/// concerns told to them (`channel` other than `web`, with the person's `consent_on`), which
/// are then nobody's account's. It is public at once unless its category needs moderation.
/// Look for the same concern first: `GET /concerns/similar`.
#[utoipa::path(
    tag = "concerns",
    security(("bearer" = []), ("api_key" = [])),
    request_body = CreateConcernRequest,
    responses(
        (status = 201, description = "The concern was raised", body = ConcernResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another channel than `web` from someone who does not answer concerns of this category (staff, or an API key of its operator with the scope `concerns:write`), or `web` from an API key (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields; an unknown category, district, centre or date; another channel than `web` without `consent_on` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/concerns")]
pub async fn create_concern(
    state: web::Data<AppState>,
    caller: Caller,
    Json(body): Json<CreateConcernRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = ValidationErrors::default();
    let fields = Fields::check(
        &mut errors,
        Given {
            kind: body.kind,
            category_id: body.category_id,
            title: &body.title,
            text: &body.text,
            district_id: body.district_id,
            centre_id: body.centre_id,
            point: body.point,
            address: body.address.as_deref(),
            show_author: body.show_author.unwrap_or(false),
            source_language: body.source_language.as_deref(),
        },
        &state.content_languages,
    );
    let channel: ConcernChannel = body.channel.map_or(ConcernChannel::Web, Into::into);
    match (channel, body.consent_on) {
        (ConcernChannel::Web, Some(_)) => errors.push(
            "consent_on",
            "is only for concerns staff write down; leave it out for your own",
        ),
        (ConcernChannel::Web, None) | (_, Some(_)) => {}
        (_, None) => errors.push(
            "consent_on",
            "is required when staff write down a concern: the day the person agreed to its being stored",
        ),
    }
    if let Some(day) = body.consent_on
        && !(day <= chrono::Utc::now().date_naive()
            && day >= NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default())
    {
        errors.push("consent_on", "must lie between the year 2000 and today");
    }
    errors.into_result()?;
    let Some(mut fields) = fields else {
        return Err(ApiError::Internal("checked fields missing".into()));
    };
    let mut conn = state.conn().await?;
    let category = category_of(&mut conn, &fields).await?;
    let recorded = channel != ConcernChannel::Web;
    if !recorded && caller.user().is_none() {
        return Err(ApiError::Forbidden(
            "An operator's system writes down only concerns told to its staff: give the channel they came by."
                .into(),
        ));
    }
    if recorded
        && !super::answers_for(&mut conn, &caller, category.operator_id, fields.centre_id).await?
    {
        return Err(ApiError::Forbidden(
            "Only those who answer concerns of this category (coordinators limited to some centres: about one of those) write down concerns told to them."
                .into(),
        ));
    }
    // A concern told to staff shows nobody's name.
    fields.show_author &= !recorded;
    let view = store(
        &mut conn,
        &category,
        &fields,
        &Raiser {
            author_id: caller.user().filter(|_| !recorded).map(|user| user.id),
            recorded_by: caller.user().filter(|_| recorded).map(|user| user.id),
            channel,
            consent_on: body.consent_on,
            source_occurrence_id: body.source_occurrence_id,
        },
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, etag(view.version)))
        .insert_header((header::LOCATION, format!("/api/v1/concerns/{}", view.id)))
        .json(ConcernResponse::new(
            view,
            caller.user(),
            caller.user().map(|_| false),
        )))
}

/// A new concern's own fields as a request gives them.
pub(crate) struct Given<'a> {
    pub kind: Option<ConcernKindBody>,
    pub category_id: Uuid,
    pub title: &'a str,
    pub text: &'a str,
    pub district_id: Uuid,
    pub centre_id: Option<Uuid>,
    pub point: Option<Point>,
    pub address: Option<&'a str>,
    pub show_author: bool,
    pub source_language: Option<&'a str>,
}

/// A new concern's own fields, checked: what `POST /concerns` and the guest form share (a
/// guest's waits in this form for her confirmation).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Fields {
    pub kind: Option<ConcernKindBody>,
    pub category_id: Uuid,
    pub title: String,
    pub text: String,
    pub district_id: Uuid,
    pub centre_id: Option<Uuid>,
    /// Latitude and longitude.
    pub point: Option<(f64, f64)>,
    pub address: Option<String>,
    pub show_author: bool,
    /// The language the title and text are written in (German in drafts older than this).
    #[serde(default = "german")]
    pub source_language: String,
}

fn german() -> String {
    quartier_domain::language::SOURCE.to_owned()
}

impl Fields {
    /// `given`, checked against the content languages `enabled`; what is wrong goes to
    /// `errors`.
    pub(crate) fn check(
        errors: &mut ValidationErrors,
        given: Given<'_>,
        enabled: &ContentLanguages,
    ) -> Option<Self> {
        let source_language = match given.source_language {
            Some(raw) => errors
                .collect(content_language(enabled, raw, "source_language"))
                .map(|tag| tag.to_string()),
            None => Some(german()),
        };
        let texts = errors.collect(ConcernTexts::parse(given.title, given.text, given.address));
        let point = match given.point {
            Some(p) => errors
                .collect(GeoPoint::parse(p.latitude, p.longitude, "point"))
                .map(|p| Some((p.latitude(), p.longitude()))),
            None => Some(None),
        };
        let (texts, point, source_language) = (texts?, point?, source_language?);
        Some(Self {
            kind: given.kind,
            category_id: given.category_id,
            title: texts.title,
            text: texts.text,
            district_id: given.district_id,
            centre_id: given.centre_id,
            point,
            address: texts.address,
            show_author: given.show_author,
            source_language,
        })
    }
}

/// The category `fields` name, or 422.
pub(crate) async fn category_of(
    conn: &mut AsyncPgConnection,
    fields: &Fields,
) -> Result<CategoryRow, ApiError> {
    concerns::category(conn, fields.category_id)
        .await?
        .ok_or_else(|| ApiError::validation("category_id", "is not the id of a category"))
}

/// Who raised a concern and how it came.
pub(crate) struct Raiser {
    /// The account (or guest) who raised it for herself.
    pub author_id: Option<Uuid>,
    /// Staff who wrote it down, as told to them.
    pub recorded_by: Option<Uuid>,
    pub channel: ConcernChannel,
    pub consent_on: Option<NaiveDate>,
    pub source_occurrence_id: Option<Uuid>,
}

/// Stores a new concern of `category`: its kind the category's unless given, public at once
/// unless the category needs moderation. The concern as stored.
pub(crate) async fn store(
    conn: &mut AsyncPgConnection,
    category: &CategoryRow,
    fields: &Fields,
    raiser: &Raiser,
) -> Result<ConcernView, ApiError> {
    let kind: ConcernKind = match fields.kind {
        Some(kind) => kind.into(),
        None => ConcernKind::parse(&category.kind).unwrap_or(ConcernKind::Idea),
    };
    let status = if category.needs_moderation {
        ConcernStatus::Submitted
    } else {
        ConcernStatus::Published
    };
    let id = Uuid::now_v7();
    concerns::create(
        conn,
        &NewConcern {
            id,
            kind: kind.as_str(),
            category_id: category.id,
            title: &fields.title,
            text: &fields.text,
            district_id: fields.district_id,
            centre_id: fields.centre_id,
            point: fields.point,
            address: fields.address.as_deref(),
            author_id: raiser.author_id,
            show_author: fields.show_author,
            language: &fields.source_language,
            channel: raiser.channel.as_str(),
            recorded_by: raiser.recorded_by,
            consent_on: raiser.consent_on,
            source_occurrence_id: raiser.source_occurrence_id,
            status,
            operator_id: category.operator_id,
            partner_id: category.partner_id,
        },
    )
    .await
    .map_err(refused)?;
    concerns::find(conn, id)
        .await?
        .ok_or_else(|| ApiError::Internal("the concern just raised is missing".into()))
}

/// Maps what the database refused about a new concern to the field at fault.
fn refused(error: quartier_persistence::Error) -> ApiError {
    let unknown = [
        (
            "concerns_category_id_fkey",
            "category_id",
            "is not the id of a category",
        ),
        (
            "concerns_district_id_fkey",
            "district_id",
            "is not the id of a district",
        ),
        (
            "concerns_centre_id_fkey",
            "centre_id",
            "is not the id of a centre",
        ),
        (
            "concerns_source_occurrence_id_fkey",
            "source_occurrence_id",
            "is not the id of an occurrence",
        ),
        (
            "concerns_language_fkey",
            "source_language",
            "is not enabled in the database yet; try again in a moment",
        ),
    ];
    match unknown
        .into_iter()
        .find(|(constraint, _, _)| error.is_constraint(constraint))
    {
        Some((_, field, message)) => ApiError::validation(field, message),
        None => error.into(),
    }
}
