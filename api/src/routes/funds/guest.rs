//! Applying to a fund without an account: `POST /funds/{id}/guest-applications` (name,
//! address and the application) and `POST /guest-fund-applications/confirm` (the mailed
//! link). The application exists only once confirmed; then it is handed in as the guest's,
//! as if she had applied signed in, and the decision reaches her by mail. With her guest
//! link (`X-Guest-Token`) she reads them (`GET /guest/fund-applications`) and withdraws one
//! (`POST /guest/fund-applications/{id}/withdraw`).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use quartier_domain::ValidationErrors;
use quartier_persistence::fund_drafts;
use quartier_persistence::funds::{self, Step, StepRefusal};
use quartier_persistence::guests::NewGuest;
use quartier_persistence::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::applications::{Applier, Checked, CreateApplicationRequest, plan_refused};
use super::{ApplicationResponse, announce, existing_fund, fund_closed};
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
pub struct GuestApplicationRequest {
    /// How those who keep the fund and the mail address you: 1 to 100 characters.
    #[schema(example = "Anna", min_length = 1, max_length = 100)]
    pub name: String,
    /// Where the confirmation and the decision go.
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
    /// The application, as signed in (a guest applies for herself: no
    /// `applicant_partner_id`).
    pub application: CreateApplicationRequest,
}

debug_without_secrets!(GuestApplicationRequest { language });

/// The fields of the application nested in a guest's request, named as the client sent them.
fn nested(error: ApiError) -> ApiError {
    match error {
        ApiError::Validation(errors) => ApiError::Validation(errors.within("application")),
        other => other,
    }
}

/// Apply to a fund as a guest, without an account.
///
/// The application is checked at once; a mail with a link to confirm it goes to the address.
/// Only then is it handed in (status `submitted`), as if you had applied signed in, and the
/// decision reaches the address; those who keep the fund record your proof of use with you.
/// The link works for 24 hours. An account whose verified address it is gets the
/// application. The answer is the same whether or not the address is known. Limited per
/// client and per address.
#[utoipa::path(
    tag = "guests",
    params(("id" = Uuid, Path, description = "The fund's id")),
    request_body = GuestApplicationRequest,
    responses(
        (status = 202, description = "A confirmation is on its way to the address"),
        (status = 400, description = "The body is not JSON, or the id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No fund has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The fund is closed (`fund-closed`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (those of the application named `application.<field>`), more asked for than the cost plan, a district outside the fund's, an unknown district, partner or concern, or not the current privacy policy (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this client or for this address (`rate-limited`); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/funds/{id}/guest-applications")]
pub async fn create_guest_application(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<Uuid>,
    Json(body): Json<GuestApplicationRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = ValidationErrors::default();
    let guest = checked_guest(
        &state,
        &mut errors,
        &body.name,
        &body.email,
        &body.privacy_policy_version,
    );
    let checked = match Checked::new(&body.application).map_err(nested) {
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
    guest_attempt(&state, &request, "guest-fund-application", &email).await?;
    let mut conn = state.conn().await?;
    let fund = existing_fund(&mut conn, *id).await?;
    if fund.closed_at.is_some() {
        return Err(fund_closed());
    }
    // What the confirmation would refuse is refused now, while she is still writing.
    checked
        .application(&mut conn, &fund, Applier::guest(), Uuid::nil())
        .await
        .map_err(nested)?;
    let draft_id = Uuid::now_v7();
    let hash = LinkTokens::hash(&state.links.token(draft_id));
    let language = crate::languages::mail_language(&request, body.language).tag();
    let draft = serde_json::to_value(&body.application)
        .map_err(|e| ApiError::Internal(format!("a fund application draft as JSON: {e}")))?;
    fund_drafts::ask(
        &mut conn,
        &NewGuest {
            name: name.as_str(),
            email: email.as_str(),
            privacy_policy_version: &state.privacy_policy.version,
            language,
        },
        fund.id,
        draft_id,
        &hash,
        &draft,
        Utc::now(),
    )
    .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Confirm an application to a fund made as a guest, with the token of the mailed link.
///
/// The application is made and handed in now (status `submitted`), as the guest's (or the
/// account's whose verified address it is). Its fields are checked again: should the fund be
/// closed meanwhile, or its district or concern no longer fit, nothing is handed in and the
/// link keeps working until it expires. Works once, within 24 hours.
#[utoipa::path(
    tag = "guests",
    request_body = LinkTokenRequest,
    responses(
        (status = 201, description = "The application was handed in", body = ApplicationResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "The body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The fund is closed (`fund-closed`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The link is unknown, used or expired (`link-invalid`), the token is not shaped like one, or the application no longer fits the fund (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/guest-fund-applications/confirm")]
pub async fn confirm_guest_application(
    state: web::Data<AppState>,
    Json(body): Json<LinkTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash()?;
    let mut conn = state.conn().await?;
    let (fund_id, row) = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let taken = fund_drafts::take(conn, &hash, Utc::now())
                .await?
                .ok_or_else(link_invalid)?;
            let application: CreateApplicationRequest = serde_json::from_value(taken.draft)
                .map_err(|e| {
                    ApiError::Internal(format!("a fund application draft that does not read: {e}"))
                })?;
            let fund = funds::find_fund(conn, taken.fund_id)
                .await?
                .ok_or_else(link_invalid)?;
            let mut new = Checked::new(&application)
                .map_err(nested)?
                .application(conn, &fund, Applier::guest(), Uuid::now_v7())
                .await
                .map_err(nested)?;
            new.applicant_id = Some(taken.user_id);
            funds::create_application(conn, &new)
                .await
                .map_err(|error| nested(plan_refused(error)))?;
            let submitted = funds::take_step(conn, fund.id, new.id, None, &Step::Submit)
                .await?
                .map_err(|refusal| match refusal {
                    StepRefusal::FundClosed => fund_closed(),
                    other => ApiError::Internal(format!("a new draft not handed in: {other:?}")),
                })?;
            announce(conn, &fund, &submitted).await?;
            Ok((fund.id, submitted))
        })
        .await?;
    let response = ApplicationResponse::load(&mut conn, row, false).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, etag(response.version)))
        .insert_header((
            header::LOCATION,
            format!("/api/v1/funds/{fund_id}/applications/{}", response.id),
        ))
        .json(response))
}

/// An application waiting for its applicant's confirmation (in her export).
#[derive(Debug, Serialize, ToSchema)]
pub struct FundApplicationDraftRecord {
    pub id: Uuid,
    pub fund_id: Uuid,
    /// The name given with it.
    pub name: String,
    /// The application as she wrote it.
    pub application: CreateApplicationRequest,
    pub created_at: DateTime<Utc>,
    /// When its link stops working and it is dropped.
    pub expires_at: DateTime<Utc>,
}

/// What waits for `user_id`'s confirmation, newest first, and what she handed in, newest
/// first (at most `most`): for her export.
pub(crate) async fn export_of(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    most: i64,
) -> Result<(Vec<ApplicationResponse>, Vec<FundApplicationDraftRecord>), ApiError> {
    let rows = funds::applications_of(conn, user_id, most).await?;
    let applications = ApplicationResponse::load_all(conn, rows, false).await?;
    let waiting = fund_drafts::of_user(conn, user_id)
        .await?
        .into_iter()
        .map(|record| {
            Ok(FundApplicationDraftRecord {
                application: serde_json::from_str(&record.application).map_err(|e| {
                    ApiError::Internal(format!("a fund application draft that does not read: {e}"))
                })?,
                id: record.id,
                fund_id: record.fund_id,
                name: record.name,
                created_at: record.created_at,
                expires_at: record.expires_at,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok((applications, waiting))
}

/// A guest's applications to funds, and those waiting for her confirmation.
#[derive(Debug, Serialize, ToSchema)]
pub struct GuestFundApplications {
    /// What she handed in, newest first (at most 1 000).
    pub applications: Vec<ApplicationResponse>,
    /// What waits for her confirmation, newest first.
    pub waiting: Vec<FundApplicationDraftRecord>,
}

/// Your applications to neighbourhood funds as a guest, with where each stands, and those
/// waiting for your confirmation.
#[utoipa::path(
    tag = "guests",
    security(("guest_token" = [])),
    responses(
        (status = 200, description = "Your applications", body = GuestFundApplications),
        (status = 401, description = "No guest token, or one unknown, replaced or expired (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/guest/fund-applications")]
pub async fn guest_fund_applications(
    state: web::Data<AppState>,
    guest: Guest,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let (applications, waiting) = export_of(&mut conn, guest.id, 1000).await?;
    Ok(HttpResponse::Ok().json(GuestFundApplications {
        applications,
        waiting,
    }))
}

/// Withdraw one of your applications as a guest, until its proof of use is reported; an
/// approval withdrawn gives its grant back to the fund.
#[utoipa::path(
    tag = "guests",
    security(("guest_token" = [])),
    params(("id" = Uuid, Path, description = "The application's id")),
    responses(
        (status = 200, description = "The application, withdrawn", body = ApplicationResponse),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No guest token, or one unknown, replaced or expired (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "None of your applications has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It is reported, settled, declined or withdrawn already (`fund-step-not-allowed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/guest/fund-applications/{id}/withdraw")]
pub async fn withdraw_guest_application(
    state: web::Data<AppState>,
    guest: Guest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::NotFound("None of your applications has this id.".into());
    let mut conn = state.conn().await?;
    let row = funds::find_application(&mut conn, *id)
        .await?
        .filter(|row| row.applicant_id == Some(guest.id))
        .ok_or_else(not_found)?;
    let fund = existing_fund(&mut conn, row.fund_id).await?;
    let withdrawn = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let after = funds::take_step(conn, fund.id, row.id, None, &Step::Withdraw)
                .await?
                .map_err(|refusal| match refusal {
                    StepRefusal::NotFound => not_found(),
                    other => super::steps::refused(other, &Step::Withdraw),
                })?;
            announce(conn, &fund, &after).await?;
            Ok(after)
        })
        .await?;
    let response = ApplicationResponse::load(&mut conn, withdrawn, false).await?;
    Ok(HttpResponse::Ok().json(response))
}
