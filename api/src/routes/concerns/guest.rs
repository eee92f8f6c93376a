//! Raising a concern without an account: `POST /guest-concerns` (name, address and the
//! concern) and `POST /guest-concerns/confirm` (the mailed link). The concern exists only
//! once confirmed; then it is the guest's, as if she had raised it signed in, and answers
//! reach her by mail.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Utc};
use quartier_domain::ValidationErrors;
use quartier_domain::concern::ConcernChannel;
use quartier_persistence::AsyncConnection;
use quartier_persistence::guests::{self, NewGuest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::write::{Fields, Given, Raiser, category_of, store};
use super::{ConcernKindBody, ConcernResponse};
use crate::error::{ApiError, Problem};
use crate::extract::{Json, etag};
use crate::routes::account::LanguageBody;
use crate::routes::auth::email::{LinkTokenRequest, link_invalid};
use crate::routes::districts::Point;
use crate::routes::guests::signup::{checked_guest, guest_attempt};
use crate::state::AppState;
use crate::tokens::LinkTokens;

/// A concern waiting for its author's confirmation (in her export).
#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernDraftRecord {
    pub id: Uuid,
    /// The name given with it.
    pub name: String,
    pub title: String,
    pub text: String,
    pub address: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When its link stops working and it is dropped.
    pub expires_at: DateTime<Utc>,
}

impl From<guests::DraftRecord> for ConcernDraftRecord {
    fn from(d: guests::DraftRecord) -> Self {
        Self {
            id: d.id,
            name: d.name,
            title: d.title,
            text: d.text,
            address: d.address,
            created_at: d.created_at,
            expires_at: d.expires_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuestConcernRequest {
    /// How staff and the mail address you: 1 to 100 characters.
    #[schema(
        example = "Anna",
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]*[^\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\s\u00ad\u034f\u0300-\u036f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u1ab0-\u1aff\u1dc0-\u1dff\u200b-\u200f\u2060-\u206f\u20d0-\u20ff\u2800\u3164\ufe00-\ufe0f\ufe20-\ufe2f\uffa0][^\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]*$"
    )]
    pub name: String,
    /// Where the confirmation and the answers go.
    #[schema(example = "anna@example.org", format = Email, max_length = 254)]
    pub email: String,
    /// The version of the privacy policy you agree to: the current one
    /// (`GET /me/privacy-policy` names it).
    #[schema(example = "2026-11", min_length = 1, max_length = 64)]
    pub privacy_policy_version: String,
    /// The language of the mail; when left out, German or English as `Accept-Language`
    /// prefers, else German.
    #[serde(default)]
    pub language: Option<LanguageBody>,
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
        example = "Am Spielplatz Lindenstraße gibt es keine Bank.",
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
    /// Whether your name is shown with it (default false).
    pub show_author: Option<bool>,
    /// The language you write `title` and `text` in: an enabled content language, German
    /// (`de`) when left out. Staff add it in other languages; your words stay as written.
    #[schema(example = "tr", max_length = 64)]
    pub source_language: Option<String>,
}

debug_without_secrets!(GuestConcernRequest {
    language,
    kind,
    category_id,
    district_id
});

/// Raise a concern as a guest, without an account.
///
/// A mail with a link to confirm it goes to the address; only then is it raised, as if you
/// had signed in (public at once unless its category needs moderation), and answers to it
/// reach the address. The link works for 24 hours. An account whose verified address it is
/// gets the concern. The answer is the same whether or not the address is known. Limited per
/// client and per address.
#[utoipa::path(
    tag = "guests",
    request_body = GuestConcernRequest,
    responses(
        (status = 202, description = "A confirmation is on its way to the address"),
        (status = 422, description = "Invalid fields, an unknown category, district or centre, or not the current privacy policy (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this client or for this address (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/guest-concerns")]
pub async fn create_guest_concern(
    state: web::Data<AppState>,
    request: HttpRequest,
    Json(body): Json<GuestConcernRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = ValidationErrors::default();
    let guest = checked_guest(
        &state,
        &mut errors,
        &body.name,
        &body.email,
        &body.privacy_policy_version,
    );
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
    errors.into_result()?;
    let (Some((name, email)), Some(fields)) = (guest, fields) else {
        return Err(ApiError::Internal("checked fields missing".into()));
    };
    guest_attempt(&state, &request, "guest-concern", &email).await?;
    let mut conn = state.conn().await?;
    // What the confirmation would refuse is refused now, while she is still writing.
    category_of(&mut conn, &fields).await?;
    if quartier_persistence::districts::find(&mut conn, fields.district_id)
        .await?
        .is_none()
    {
        return Err(ApiError::validation(
            "district_id",
            "is not the id of a district",
        ));
    }
    if let Some(centre) = fields.centre_id
        && quartier_persistence::centres::find(&mut conn, centre)
            .await?
            .is_none()
    {
        return Err(ApiError::validation(
            "centre_id",
            "is not the id of a centre",
        ));
    }
    let draft_id = Uuid::now_v7();
    let hash = LinkTokens::hash(&state.links.token(draft_id));
    let language = crate::languages::mail_language(&request, body.language).tag();
    let draft = serde_json::to_value(&fields)
        .map_err(|e| ApiError::Internal(format!("a concern draft as JSON: {e}")))?;
    guests::raise_concern(
        &mut conn,
        &NewGuest {
            name: name.as_str(),
            email: email.as_str(),
            privacy_policy_version: &state.privacy_policy.version,
            language,
        },
        draft_id,
        &hash,
        &draft,
        Utc::now(),
    )
    .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Confirm a concern raised as a guest, with the token of the mailed link.
///
/// The concern is raised now, as the guest's (or the account's whose verified address it
/// is), through the web channel. Works once, within 24 hours. Should its category, district
/// or centre be gone meanwhile, nothing is raised and the link keeps working until it expires.
#[utoipa::path(
    tag = "guests",
    request_body = LinkTokenRequest,
    responses(
        (status = 201, description = "The concern was raised", body = ConcernResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 422, description = "The link is unknown, used or expired (`link-invalid`), the token is not shaped like one, or the category, district or centre is gone (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/guest-concerns/confirm")]
pub async fn confirm_guest_concern(
    state: web::Data<AppState>,
    Json(body): Json<LinkTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash()?;
    let mut conn = state.conn().await?;
    let view = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let taken = guests::take_concern_draft(conn, &hash, Utc::now())
                .await?
                .ok_or_else(link_invalid)?;
            let fields: Fields = serde_json::from_value(taken.draft).map_err(|e| {
                ApiError::Internal(format!("a concern draft that does not read: {e}"))
            })?;
            let category = category_of(conn, &fields).await?;
            store(
                conn,
                &category,
                &fields,
                &Raiser {
                    author_id: Some(taken.user_id),
                    recorded_by: None,
                    channel: ConcernChannel::Web,
                    consent_on: None,
                    source_occurrence_id: None,
                },
            )
            .await
        })
        .await
        // Her account was erased meanwhile: the link is of no use any more.
        .map_err(|error| match error {
            ApiError::Unauthenticated { .. } => link_invalid(),
            other => other,
        })?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, etag(view.version)))
        .insert_header((header::LOCATION, format!("/api/v1/concerns/{}", view.id)))
        .json(ConcernResponse::new(view, None, None)))
}
