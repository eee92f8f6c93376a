//! Asking for help without an account: `POST /guest-help-requests` (name, address and the
//! request) and `POST /guest-help-requests/confirm` (the mailed link). The request exists
//! only once confirmed; then it is hers, as if she had asked signed in, and the steps of its
//! matches reach her by mail. With her guest link (`X-Guest-Token`) she reads her requests
//! (`GET /guest/help`), says yes or no to a helper (`POST /guest/help-matches/{id}/accept`,
//! `…/decline`) and withdraws a request (`POST /guest/help-requests/{id}/withdraw`).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use quartier_domain::ValidationErrors;
use quartier_domain::help::MatchAction;
use quartier_persistence::guests::NewGuest;
use quartier_persistence::help as store;
use quartier_persistence::help_drafts;
use quartier_persistence::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::matches::{Change, answered, changed_and_told};
use super::mine::MyHelpResponse;
use super::requests::{Checked, CreateHelpRequest};
use super::{HelpRequestResponse, Standing, refused};
use crate::auth::Guest;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, etag};
use crate::routes::account::LanguageBody;
use crate::routes::auth::email::{LinkTokenRequest, link_invalid};
use crate::routes::guests::signup::{checked_guest, guest_attempt};
use crate::state::AppState;
use crate::tokens::LinkTokens;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuestHelpRequest {
    /// How the centre, the helper you agree on and the mail address you: 1 to 100
    /// characters.
    #[schema(example = "Anna", min_length = 1, max_length = 100)]
    pub name: String,
    /// Where the confirmation and the news of your request go.
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
    /// The request, as signed in (a guest asks for herself: no `recorded_for`).
    pub request: CreateHelpRequest,
}

debug_without_secrets!(GuestHelpRequest { language });

/// The fields of the request nested in a guest's body, named as the client sent them.
fn nested(error: ApiError) -> ApiError {
    match error {
        ApiError::Validation(errors) => ApiError::Validation(errors.within("request")),
        other => other,
    }
}

/// Ask for or offer help as a guest, without an account.
///
/// The request is checked at once; a mail with a link to confirm it goes to the address.
/// Only then is it made, as if you had asked signed in, and the steps of its matches reach
/// the address. The link works for 24 hours. An account whose verified address it is gets
/// the request. The answer is the same whether or not the address is known. Limited per
/// client and per address.
#[utoipa::path(
    tag = "guests",
    request_body = GuestHelpRequest,
    responses(
        (status = 202, description = "A confirmation is on its way to the address"),
        (status = 400, description = "The body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (those of the request named `request.<field>`; `recorded_for` is for staff), an unknown centre, district or qualification, or not the current privacy policy (`validation-failed`); an offer that needs a qualification (`qualification-missing`: offers needing one are made signed in)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this client or for this address (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/guest-help-requests")]
pub async fn create_guest_help_request(
    state: web::Data<AppState>,
    request: HttpRequest,
    Json(body): Json<GuestHelpRequest>,
) -> Result<HttpResponse, ApiError> {
    let now = Utc::now();
    let mut errors = ValidationErrors::default();
    let guest = checked_guest(
        &state,
        &mut errors,
        &body.name,
        &body.email,
        &body.privacy_policy_version,
    );
    if body.request.recorded_for.is_some() {
        errors.push(
            "request.recorded_for",
            "is for staff recording a request for someone: a guest asks for herself",
        );
    }
    let checked = match Checked::new(&body.request, now).map_err(nested) {
        Ok(checked) => Some(checked),
        Err(ApiError::Validation(more)) => {
            errors.0.extend(more.0);
            None
        }
        Err(other) => return Err(other),
    };
    errors.into_result()?;
    let (Some((name, email)), Some(checked)) = (guest, checked) else {
        return Err(ApiError::Internal("checked fields missing".into()));
    };
    guest_attempt(&state, &request, "guest-help-request", &email).await?;
    let mut conn = state.conn().await?;
    // What the confirmation would refuse is refused now, while she is still writing.
    let new = checked
        .request(&mut conn, &body.request, None, None, Uuid::nil())
        .await
        .map_err(nested)?;
    let draft_id = Uuid::now_v7();
    let hash = LinkTokens::hash(&state.links.token(draft_id));
    let language = crate::languages::mail_language(&request, body.language).tag();
    // The point is not kept, even while it waits: only its cell.
    let draft = serde_json::to_value(Draft {
        request: CreateHelpRequest {
            position: None,
            ..body.request.clone()
        },
        grid_cell: new.grid_cell,
    })
    .map_err(|e| ApiError::Internal(format!("a help request draft as JSON: {e}")))?;
    help_drafts::ask(
        &mut conn,
        &NewGuest {
            name: name.as_str(),
            email: email.as_str(),
            privacy_policy_version: &state.privacy_policy.version,
            language,
        },
        body.request.centre_id,
        draft_id,
        &hash,
        &draft,
        now,
    )
    .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Confirm a request of neighbourly help made as a guest, with the token of the mailed link.
///
/// The request is made now, as the guest's (or the account's whose verified address it is).
/// Its fields are checked again: should its window be over meanwhile, or its centre closed,
/// nothing is made and the link keeps working until it expires. Works once, within 24 hours.
#[utoipa::path(
    tag = "guests",
    request_body = LinkTokenRequest,
    responses(
        (status = 201, description = "The request was made", body = HelpRequestResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "The body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The link is unknown, used or expired (`link-invalid`), the token is not shaped like one, or the request no longer fits (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/guest-help-requests/confirm")]
pub async fn confirm_guest_help_request(
    state: web::Data<AppState>,
    Json(body): Json<LinkTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash()?;
    let mut conn = state.conn().await?;
    let row = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let now = Utc::now();
            let taken = help_drafts::take(conn, &hash, now)
                .await?
                .ok_or_else(link_invalid)?;
            let draft: Draft = serde_json::from_value(taken.draft).map_err(|e| {
                ApiError::Internal(format!("a help request draft that does not read: {e}"))
            })?;
            let mut new = Checked::new(&draft.request, now)
                .map_err(nested)?
                .request(
                    conn,
                    &draft.request,
                    Some(taken.user_id),
                    None,
                    Uuid::now_v7(),
                )
                .await
                .map_err(nested)?;
            new.grid_cell = draft.grid_cell;
            Ok(store::create(conn, &new).await?)
        })
        .await?;
    let standing = Standing {
        requester: true,
        ..Standing::default()
    };
    let response = HelpRequestResponse::load(&mut conn, &row, &[], standing).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, etag(response.version)))
        .insert_header((
            header::LOCATION,
            format!("/api/v1/help-requests/{}", row.id),
        ))
        .json(response))
}

/// What waits for a guest's confirmation: her request without the point she gave, and the
/// cell it lies in.
#[derive(Debug, Serialize, Deserialize)]
struct Draft {
    request: CreateHelpRequest,
    grid_cell: Option<String>,
}

/// A request waiting for its author's confirmation (in her export).
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpRequestDraftRecord {
    pub id: Uuid,
    /// The name given with it.
    pub name: String,
    /// The request as she wrote it, without the point (`position`) she gave.
    pub request: CreateHelpRequest,
    /// The 500 m cell of the point she gave, if any.
    pub grid_cell: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When its link stops working and it is dropped.
    pub expires_at: DateTime<Utc>,
}

/// What waits for `user_id`'s confirmation, newest first: for her export.
pub(crate) async fn waiting_of(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<Vec<HelpRequestDraftRecord>, ApiError> {
    help_drafts::of_user(conn, user_id)
        .await?
        .into_iter()
        .map(|record| {
            let draft: Draft = serde_json::from_str(&record.request).map_err(|e| {
                ApiError::Internal(format!("a help request draft that does not read: {e}"))
            })?;
            Ok(HelpRequestDraftRecord {
                request: draft.request,
                grid_cell: draft.grid_cell,
                id: record.id,
                name: record.name,
                created_at: record.created_at,
                expires_at: record.expires_at,
            })
        })
        .collect()
}

/// A guest's neighbourly help, and what waits for her confirmation.
#[derive(Debug, Serialize, ToSchema)]
pub struct GuestHelp {
    #[serde(flatten)]
    pub help: MyHelpResponse,
    /// Requests waiting for her confirmation, newest first.
    pub waiting: Vec<HelpRequestDraftRecord>,
}

/// Your requests of neighbourly help as a guest, with their matches (a helper's contact once
/// you both said yes), and those waiting for your confirmation.
#[utoipa::path(
    tag = "guests",
    security(("guest_token" = [])),
    responses(
        (status = 200, description = "Your requests", body = GuestHelp),
        (status = 401, description = "No guest token, or one unknown, replaced or expired (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/guest/help")]
pub async fn guest_help(
    state: web::Data<AppState>,
    guest: Guest,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let help = super::mine::of(&mut conn, guest.id).await?;
    let waiting = waiting_of(&mut conn, guest.id).await?;
    Ok(HttpResponse::Ok().json(GuestHelp { help, waiting }))
}

/// Withdraw one of your requests as a guest: its matches still going are cancelled.
#[utoipa::path(
    tag = "guests",
    security(("guest_token" = [])),
    params(("id" = Uuid, Path, description = "The request's id")),
    responses(
        (status = 200, description = "The request, withdrawn", body = HelpRequestResponse, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No guest token, or one unknown, replaced or expired (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "None of your requests has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It is done, expired or withdrawn already (`help-request-closed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/guest/help-requests/{id}/withdraw")]
pub async fn withdraw_guest_help_request(
    state: web::Data<AppState>,
    guest: Guest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let row = store::find(&mut conn, *id)
        .await?
        .filter(|row| row.person_id == Some(guest.id))
        .ok_or_else(|| ApiError::NotFound("None of your requests has this id.".into()))?;
    let withdrawn = store::withdraw(&mut conn, row.id, None, Some(guest.id), Utc::now())
        .await?
        .map_err(refused)?;
    let matches = store::matches_of(&mut conn, row.id).await?;
    let standing = Standing {
        requester: true,
        ..Standing::default()
    };
    let response = HelpRequestResponse::load(&mut conn, &withdrawn, &matches, standing).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(response.version)))
        .json(response))
}

/// Takes the requester's `action` on a match of one of the guest's requests.
async fn guest_step(
    state: &AppState,
    guest: &Guest,
    id: Uuid,
    action: MatchAction,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let (row, _) = store::find_match(&mut conn, id)
        .await?
        .filter(|(_, request)| request.person_id == Some(guest.id))
        .ok_or_else(|| ApiError::NotFound("No match of your requests has this id.".into()))?;
    let changed = changed_and_told(
        &mut conn,
        Some(guest.id),
        Change::Step {
            match_id: row.id,
            action,
            versions: None,
        },
    )
    .await?;
    let standing = Standing {
        requester: true,
        ..Standing::default()
    };
    answered(&mut conn, &changed, standing, false).await
}

/// Say yes, as a guest, to a helper who said yes to your request: then both see each
/// other's contact.
#[utoipa::path(
    tag = "guests",
    security(("guest_token" = [])),
    params(("id" = Uuid, Path, description = "The match's id")),
    responses(
        (status = 200, description = "The match, `matched`", body = super::MatchResponse, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No guest token, or one unknown, replaced or expired (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No match of your requests has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The helper has not said yes, or it is over (`help-step-not-allowed`), or the request ended (`help-request-closed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/guest/help-matches/{id}/accept")]
pub async fn accept_guest_help_match(
    state: web::Data<AppState>,
    guest: Guest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    guest_step(&state, &guest, *id, MatchAction::RequesterAccepts).await
}

/// Say no, as a guest, to a helper of your request, before the help.
#[utoipa::path(
    tag = "guests",
    security(("guest_token" = [])),
    params(("id" = Uuid, Path, description = "The match's id")),
    responses(
        (status = 200, description = "The match, `declined`", body = super::MatchResponse, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No guest token, or one unknown, replaced or expired (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No match of your requests has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It is over already (`help-step-not-allowed`), or the request ended (`help-request-closed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/guest/help-matches/{id}/decline")]
pub async fn decline_guest_help_match(
    state: web::Data<AppState>,
    guest: Guest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    guest_step(&state, &guest, *id, MatchAction::Decline).await
}

/// Write, as a guest, to the helper of a match of your request, until it is over. She hears
/// of it by notification and mail; the messages are in `GET /guest/help`.
#[utoipa::path(
    tag = "guests",
    security(("guest_token" = [])),
    params(("id" = Uuid, Path, description = "The match's id")),
    request_body = super::messages::SendHelpMessageRequest,
    responses(
        (status = 201, description = "The message", body = super::messages::HelpMessageResponse),
        (status = 400, description = "The id is not a UUID, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No guest token, or one unknown, replaced or expired (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No match of your requests has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The match is over (`help-step-not-allowed`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An empty or too long message (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/guest/help-matches/{id}/messages")]
pub async fn send_guest_help_message(
    state: web::Data<AppState>,
    guest: Guest,
    id: web::Path<Uuid>,
    Json(body): Json<super::messages::SendHelpMessageRequest>,
) -> Result<HttpResponse, ApiError> {
    let text = super::messages::checked_body(&body.body)?;
    let mut conn = state.conn().await?;
    let (row, request) = store::find_match(&mut conn, *id)
        .await?
        .filter(|(_, request)| request.person_id == Some(guest.id))
        .ok_or_else(|| ApiError::NotFound("No match of your requests has this id.".into()))?;
    let message = store::send_message(
        &mut conn,
        &row,
        &request,
        quartier_domain::help::MessageSender::Requester,
        Some(guest.id),
        &text,
        Utc::now(),
    )
    .await?
    .ok_or_else(super::messages::match_over)?;
    Ok(HttpResponse::Created().json(super::messages::HelpMessageResponse::from(message)))
}
