//! `/concerns/{id}/answers`: the concern's timeline of answers. Public answers are for
//! everyone once published; drafts and internal notes only for those who answer the concern.
//! A published answer never changes.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use quartier_domain::bounded_multiline_text;
use quartier_persistence::concerns::{self, AnswerRefusal, AnswerRow, NewAnswer};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{answers, readable};
use crate::auth::{Caller, MaybeCaller};
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::activities::Named;
use crate::state::AppState;

/// Who reads an answer: `public` (everyone, once published) or `internal` (only those who
/// answer the concern).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AnswerVisibilityBody {
    Public,
    Internal,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerResponse {
    pub id: Uuid,
    pub concern_id: Uuid,
    pub visibility: AnswerVisibilityBody,
    pub text: String,
    /// When what it announces is expected.
    pub expected_on: Option<NaiveDate>,
    /// The operator that answered.
    pub answered_by: Option<Named>,
    /// The partner that answered, when its staff wrote it.
    pub answered_by_partner: Option<Named>,
    /// None while it is a draft.
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<AnswerRow> for AnswerResponse {
    fn from(row: AnswerRow) -> Self {
        Self {
            id: row.id,
            concern_id: row.concern_id,
            visibility: if row.visibility == "internal" {
                AnswerVisibilityBody::Internal
            } else {
                AnswerVisibilityBody::Public
            },
            text: row.text,
            expected_on: row.expected_on,
            answered_by: row
                .operator_id
                .zip(row.operator_name)
                .map(|(id, name)| Named { id, name }),
            answered_by_partner: row
                .partner_id
                .zip(row.partner_name)
                .map(|(id, name)| Named { id, name }),
            published_at: row.published_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerList {
    /// Oldest first.
    pub items: Vec<AnswerResponse>,
}

/// The answers to a concern, oldest first: everyone reads the published public ones; those
/// who answer it also drafts and internal notes.
#[utoipa::path(
    tag = "concerns",
    security((), ("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The concern's id")),
    responses(
        (status = 200, description = "The answers", body = AnswerList),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No concern has this id, or it is not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/concerns/{id}/answers")]
pub async fn list_concern_answers(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let view = readable(&mut conn, caller.as_ref(), *id).await?;
    let all = match &caller {
        Some(caller) => answers(&mut conn, caller, &view).await?,
        None => false,
    };
    let items = concerns::answers(&mut conn, view.id, all)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok().json(AnswerList { items }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAnswerRequest {
    #[schema(
        example = "Die Bank ist bestellt und wird im Mai aufgestellt.",
        min_length = 1,
        max_length = 5000
    )]
    pub text: String,
    pub visibility: AnswerVisibilityBody,
    pub expected_on: Option<NaiveDate>,
    /// Publish a public answer at once (default true); false keeps it a draft. Internal
    /// notes are never drafts.
    pub publish: Option<bool>,
}

/// The day `expected_on` names, if it is a plausible one.
fn check_expected(day: Option<NaiveDate>) -> Result<Option<NaiveDate>, ApiError> {
    use chrono::Datelike;
    match day {
        Some(day) if !(2000..=2100).contains(&day.year()) => Err(ApiError::validation(
            "expected_on",
            "must lie between the years 2000 and 2100",
        )),
        other => Ok(other),
    }
}

fn refused(refusal: AnswerRefusal) -> ApiError {
    match refusal {
        AnswerRefusal::NotFound => {
            ApiError::NotFound("No answer to this concern has this id.".into())
        }
        AnswerRefusal::Published => ApiError::Conflict {
            slug: "answer-published",
            detail:
                "This answer is published; a published answer never changes. Write another one."
                    .into(),
        },
    }
}

/// Answer a concern, publicly or as an internal note. Its author (and the supporters who
/// asked) are told of a public answer once it is published. Those who answer the concern.
#[utoipa::path(
    tag = "concerns",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The concern's id")),
    request_body = CreateAnswerRequest,
    responses(
        (status = 201, description = "The answer was written", body = AnswerResponse),
        (status = 400, description = "The id is not a UUID, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not answering this concern, or an API key of another operator or without the scope `concerns:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No concern has this id, or it is not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An empty or too long text, a draft internal note, or an absurd date (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/concerns/{id}/answers")]
pub async fn answer_concern(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(body): Json<CreateAnswerRequest>,
) -> Result<HttpResponse, ApiError> {
    let text = bounded_multiline_text(&body.text, "text", 5000)?;
    let expected_on = check_expected(body.expected_on)?;
    let public = body.visibility == AnswerVisibilityBody::Public;
    if !public && body.publish == Some(false) {
        return Err(ApiError::validation(
            "publish",
            "must not be false for an internal note: notes are never drafts",
        ));
    }
    let mut conn = state.conn().await?;
    let view = readable(&mut conn, Some(&caller), *id).await?;
    super::require_answers(
        &mut conn,
        &caller,
        &view,
        "Only those who answer a concern write answers to it.",
    )
    .await?;
    let partner_id = super::answering_partner(&mut conn, &caller, &view).await?;
    let written = concerns::add_answer(
        &mut conn,
        &NewAnswer {
            id: Uuid::now_v7(),
            concern_id: view.id,
            author_id: caller.user().map(|user| user.id),
            // The answering unit: the partner when its staff write, else the operator.
            operator_id: if partner_id.is_some() {
                None
            } else {
                view.operator_id
            },
            partner_id,
            public,
            text: &text,
            expected_on,
            publish: body.publish.unwrap_or(true),
        },
    )
    .await?
    .map_err(refused)?;
    Ok(HttpResponse::Created().json(AnswerResponse::from(written)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeDraftRequest {
    #[schema(min_length = 1, max_length = 5000)]
    pub text: Option<String>,
    /// A date, or null to take it away.
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    pub expected_on: Option<Option<NaiveDate>>,
    /// True publishes it (its author and the supporters who asked are told).
    pub publish: Option<bool>,
}

/// Change a draft answer, or publish it. A published answer never changes (409). Those who
/// answer the concern.
#[utoipa::path(
    tag = "concerns",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The concern's id"),
        ("answer_id" = Uuid, Path, description = "The answer's id"),
    ),
    request_body = ChangeDraftRequest,
    responses(
        (status = 200, description = "The draft, changed or published", body = AnswerResponse),
        (status = 400, description = "An id is not a UUID, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not answering this concern, or an API key of another operator or without the scope `concerns:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such concern, or no such answer to it (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The answer is published (`answer-published`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An empty or too long text, or an absurd date (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/concerns/{id}/answers/{answer_id}")]
pub async fn change_concern_answer(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    Json(body): Json<ChangeDraftRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, answer_id) = path.into_inner();
    let text = match &body.text {
        Some(text) => Some(bounded_multiline_text(text, "text", 5000)?),
        None => None,
    };
    let expected_on = match body.expected_on {
        Some(day) => Some(check_expected(day)?),
        None => None,
    };
    let mut conn = state.conn().await?;
    let view = readable(&mut conn, Some(&caller), id).await?;
    // A draft is its unit's: the partner's staff change the partner's, the operator's staff
    // the operator's.
    let draft = concerns::answer(&mut conn, id, answer_id)
        .await?
        .ok_or_else(|| refused(AnswerRefusal::NotFound))?;
    let theirs = match draft.partner_id {
        Some(partner) => {
            caller.is_admin()
                || super::answering_partner(&mut conn, &caller, &view).await? == Some(partner)
        }
        None => super::answers_for(&mut conn, &caller, view.operator_id, view.centre_id).await?,
    };
    if !theirs {
        return Err(ApiError::Forbidden(
            "Only those who answer a concern write answers to it.".into(),
        ));
    }
    let changed = concerns::change_draft(
        &mut conn,
        id,
        answer_id,
        text.as_deref(),
        expected_on,
        body.publish.unwrap_or(false),
    )
    .await?
    .map_err(refused)?;
    Ok(HttpResponse::Ok().json(AnswerResponse::from(changed)))
}
