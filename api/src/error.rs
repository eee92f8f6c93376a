//! Every failure leaves Quartier as an RFC 9457 `application/problem+json` body.
//!
//! Which error goes where:
//! - Handlers return `ApiError`; each variant's doc says its status and problem `type`.
//! - `persistence::Error` and `domain::ValidationErrors` convert with `From`: not found → 404,
//!   unavailable → 503, validation → 422, anything unexpected → 500 (logged, never shown).
//! - actix's own failures (unknown route, wrong method, oversized or malformed bodies) are
//!   turned into problems by `crate::app`, so a client sees one format for everything.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use quartier_domain::ValidationErrors;

use crate::problems::ProblemType;
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// Identifies the kind of problem; stable, so clients can branch on it.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time, for people.
    pub detail: String,
    /// For validation problems: each field and what is wrong with it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(nullable = false)]
    pub errors: Vec<ProblemField>,
    /// For `workload-limit`: the limit, its window and the figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub workload: Option<crate::routes::workload::WorkloadLimitBody>,
}

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    /// The field: a body field by its path in the JSON (`email`, `address.postcode`,
    /// `schedule.rrule`; `body` for the body as a whole), a query parameter as
    /// `query.<name>` (`query.limit`), a path parameter as `path.<name>`, a header as
    /// `header.<Name>`.
    pub field: String,
    pub message: String,
    /// For imports: the line (in CSV its line number in the file, the header being 1; in
    /// JSON its position in its list, from 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// For imports: `activity` or `shift`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    /// For imports: the line's external id, if it has a usable one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

/// Why `WWW-Authenticate` is sent with a 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearerChallenge {
    /// No credentials were presented.
    Missing,
    /// Credentials were presented but are not valid (expired, forged, malformed).
    InvalidToken,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `malformed-request`: the body is not JSON, or a path or query parameter does not parse.
    #[error("{0}")]
    BadRequest(String),
    /// 422 `validation-failed`: well-formed, but fields break the rules; lists each field.
    #[error("validation failed: {0}")]
    Validation(ValidationErrors),
    /// 401 `unauthenticated`: no or invalid credentials; carries a `WWW-Authenticate` challenge.
    #[error("{detail}")]
    Unauthenticated {
        challenge: BearerChallenge,
        detail: String,
    },
    /// 401 `invalid-credentials`: the e-mail and password do not match an account.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// 401 `invalid-refresh-token`: unknown, expired, revoked, or reused (then its family is revoked).
    #[error("invalid refresh token")]
    InvalidRefreshToken,
    /// 403 `forbidden`: authenticated, but not allowed to do this.
    #[error("{0}")]
    Forbidden(String),
    /// 403 `wrong-password`: a change that needs the current password got a wrong one.
    #[error("wrong password")]
    WrongPassword,
    /// 404 `not-found`: no such resource, or not one the caller may see.
    #[error("{0}")]
    NotFound(String),
    /// 405 `method-not-allowed`: the path exists but not with this method; lists the allowed ones.
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<String> },
    /// 409 `email-taken`: an account with this e-mail address exists.
    #[error("e-mail address taken")]
    EmailTaken,
    /// 409 with its own `type`: the change clashes with what is stored (a taken slug, a
    /// district still in use). `slug` is the problem type's last segment.
    #[error("{detail}")]
    Conflict { slug: &'static str, detail: String },
    /// 422 with its own `type`: well-formed, but a rule of the domain refuses it (a missing
    /// qualification). `slug` is the problem type's last segment.
    #[error("{detail}")]
    Refused { slug: &'static str, detail: String },
    /// 409 `workload-limit`: the sign-up would take the volunteer past a workload limit.
    #[error("workload limit {}", .0.limit.as_str())]
    WorkloadLimit(quartier_domain::workload::Exceeded),
    /// 412 `version-conflict`: `If-Match` names an older version than the one stored.
    #[error("version conflict")]
    VersionConflict,
    /// 413 `payload-too-large`: the body is over the limit.
    #[error("payload too large")]
    PayloadTooLarge { limit: usize },
    /// 415 `unsupported-media-type`: the body is not `application/json`.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 428 `precondition-required`: a change needs `If-Match` with the current `ETag`.
    #[error("If-Match required")]
    PreconditionRequired,
    /// 429 `rate-limited`: too many requests in a window; `Retry-After` says when to retry.
    #[error("{detail}")]
    TooManyRequests { retry_after: u64, detail: String },
    /// 503 `service-unavailable`: the database (or password hashing) cannot serve now; retry.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// 500 `internal-error`: a bug. The cause is logged with the request id, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn validation(field: &str, message: &str) -> Self {
        ApiError::Validation(ValidationErrors::single(field, message))
    }

    /// A validation problem about the query parameter `name` (named `query.<name>`).
    pub fn query(name: &str, message: &str) -> Self {
        ApiError::Validation(ValidationErrors::single(name, message).in_query())
    }

    /// The problem type (from the catalogue) and the detail the client sees.
    fn describe(&self) -> (&'static ProblemType, String) {
        use crate::problems as p;
        match self {
            ApiError::BadRequest(detail) => (&p::MALFORMED_REQUEST, detail.clone()),
            ApiError::Validation(errors) => (&p::VALIDATION_FAILED, errors.to_string()),
            ApiError::Unauthenticated { detail, .. } => (&p::UNAUTHENTICATED, detail.clone()),
            ApiError::InvalidCredentials => (
                &p::INVALID_CREDENTIALS,
                "The e-mail address and password do not match an account.".into(),
            ),
            ApiError::InvalidRefreshToken => (
                &p::INVALID_REFRESH_TOKEN,
                "The refresh token is unknown, expired or revoked. Sign in again.".into(),
            ),
            ApiError::Forbidden(detail) => (&p::FORBIDDEN, detail.clone()),
            ApiError::WrongPassword => (
                &p::WRONG_PASSWORD,
                "The current password is not correct.".into(),
            ),
            ApiError::NotFound(detail) => (&p::NOT_FOUND, detail.clone()),
            ApiError::MethodNotAllowed { allow } => (
                &p::METHOD_NOT_ALLOWED,
                format!("This resource allows {}.", allow.join(", ")),
            ),
            ApiError::EmailTaken => (
                &p::EMAIL_TAKEN,
                "An account with this e-mail address exists. Sign in, or use another address.".into(),
            ),
            ApiError::Conflict { slug, detail } | ApiError::Refused { slug, detail } => {
                let problem = p::find(slug).unwrap_or(match self {
                    ApiError::Conflict { .. } => &p::CONFLICT,
                    _ => &p::REFUSED,
                });
                (problem, detail.clone())
            }
            ApiError::WorkloadLimit(exceeded) => (
                &p::WORKLOAD_LIMIT,
                crate::routes::workload::describe(exceeded),
            ),
            ApiError::VersionConflict => (
                &p::VERSION_CONFLICT,
                "The resource was changed since you read it. Fetch it again and retry with its new ETag.".into(),
            ),
            ApiError::PayloadTooLarge { limit } => (
                &p::PAYLOAD_TOO_LARGE,
                format!("The request body is larger than {limit} bytes."),
            ),
            ApiError::UnsupportedMediaType => (
                &p::UNSUPPORTED_MEDIA_TYPE,
                "Send the body as application/json.".into(),
            ),
            ApiError::PreconditionRequired => (
                &p::PRECONDITION_REQUIRED,
                "Send If-Match with the ETag of the version you are changing.".into(),
            ),
            ApiError::TooManyRequests { detail, .. } => (&p::RATE_LIMITED, detail.clone()),
            ApiError::Unavailable(_) => (
                &p::SERVICE_UNAVAILABLE,
                "Quartier cannot serve this request right now. Retry in a few seconds.".into(),
            ),
            ApiError::Internal(_) => (
                &p::INTERNAL_ERROR,
                "Something went wrong on our side. It has been logged.".into(),
            ),
        }
    }

    pub fn problem(&self) -> Problem {
        let (kind, detail) = self.describe();
        let errors = match self {
            ApiError::Validation(errors) => errors
                .0
                .iter()
                .map(|e| ProblemField {
                    field: e.field.clone(),
                    message: e.message.clone(),
                    row: None,
                    record: None,
                    external_id: None,
                })
                .collect(),
            _ => Vec::new(),
        };
        Problem {
            problem_type: kind.uri(),
            title: kind.title.into(),
            status: self.status_code().as_u16(),
            detail,
            errors,
            workload: match self {
                ApiError::WorkloadLimit(exceeded) => {
                    Some(crate::routes::workload::WorkloadLimitBody::from(*exceeded))
                }
                _ => None,
            },
        }
    }
}

impl ApiError {
    /// What the client sees when a stored row refused a change: 404 naming `what` ("district",
    /// "centre"), 412 for a stale version, 422 on `parent_id` for a hierarchy loop.
    pub fn refused(refusal: quartier_persistence::Refusal, what: &str) -> Self {
        use quartier_persistence::Refusal;
        match refusal {
            Refusal::NotFound => ApiError::NotFound(format!("No {what} has this id.")),
            Refusal::VersionConflict => ApiError::VersionConflict,
            Refusal::Cycle => ApiError::validation(
                "parent_id",
                &format!("lies inside this {what}: the two would contain each other"),
            ),
        }
    }
}

/// A problem response for a bare status, for failures that happen outside any handler.
pub fn problem_for_status(status: StatusCode) -> Problem {
    let slug = match status {
        StatusCode::NOT_FOUND => "not-found".to_owned(),
        StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed".to_owned(),
        StatusCode::PAYLOAD_TOO_LARGE => "payload-too-large".to_owned(),
        StatusCode::SERVICE_UNAVAILABLE => "service-unavailable".to_owned(),
        s if s.is_server_error() => "internal-error".to_owned(),
        s => s
            .canonical_reason()
            .unwrap_or("error")
            .to_lowercase()
            .replace(' ', "-"),
    };
    let title = status.canonical_reason().unwrap_or("Error").to_owned();
    Problem {
        problem_type: format!("/problems/{slug}"),
        detail: if status == StatusCode::NOT_FOUND {
            "There is nothing at this address.".into()
        } else {
            title.clone()
        },
        title,
        status: status.as_u16(),
        errors: Vec::new(),
        workload: None,
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) | ApiError::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthenticated { .. }
            | ApiError::InvalidCredentials
            | ApiError::InvalidRefreshToken => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::WrongPassword => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::EmailTaken | ApiError::Conflict { .. } | ApiError::WorkloadLimit(_) => {
                StatusCode::CONFLICT
            }
            ApiError::VersionConflict => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => tracing::error!(%cause, "request failed"),
            ApiError::Unavailable(cause) => tracing::warn!(%cause, "service unavailable"),
            _ => {}
        }
        let mut response = problem_response(&self.problem());
        let headers = response.headers_mut();
        match self {
            ApiError::Unauthenticated { challenge, .. } => {
                let value = match challenge {
                    BearerChallenge::Missing => r#"Bearer realm="quartier""#,
                    BearerChallenge::InvalidToken => {
                        r#"Bearer realm="quartier", error="invalid_token""#
                    }
                };
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(value));
            }
            ApiError::MethodNotAllowed { allow } => {
                if let Ok(value) = HeaderValue::from_str(&allow.join(", ")) {
                    headers.insert(header::ALLOW, value);
                }
            }
            ApiError::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            }
            ApiError::TooManyRequests { retry_after, .. } => {
                crate::metrics::rate_limit_refused();
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            _ => {}
        }
        response
    }
}

/// Renders `problem` with its status and the problem media type.
pub fn problem_response(problem: &Problem) -> HttpResponse {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(serde_json::to_string(problem).unwrap_or_default())
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        ApiError::Validation(errors)
    }
}

use quartier_persistence::error::ConstraintKind;

impl From<quartier_persistence::DieselError> for ApiError {
    fn from(error: quartier_persistence::DieselError) -> Self {
        quartier_persistence::Error::from(error).into()
    }
}

impl From<quartier_persistence::Error> for ApiError {
    fn from(error: quartier_persistence::Error) -> Self {
        use quartier_persistence::Error as E;
        match error {
            E::NotFound => ApiError::NotFound("No such resource.".into()),
            E::Unavailable(cause) | E::Deadlock(cause) => ApiError::Unavailable(cause),
            E::InvalidValue(_) => ApiError::validation(
                "body",
                "contains a character that cannot be stored, such as NUL",
            ),
            // A row that would name the acting person, whose account was erased while their
            // access token was still valid: the token's account is gone.
            E::Constraint {
                kind: ConstraintKind::ForeignKey,
                constraint,
                ..
            } if quartier_persistence::users::ACTOR_REFERENCES.contains(&constraint.as_str()) => {
                ApiError::Unauthenticated {
                    challenge: BearerChallenge::InvalidToken,
                    detail: "The account of this token no longer exists.".into(),
                }
            }
            // A person named in the request whose account went away meanwhile.
            E::Constraint {
                kind: ConstraintKind::ForeignKey,
                constraint,
                ..
            } if quartier_persistence::users::SUBJECT_REFERENCES.contains(&constraint.as_str()) => {
                ApiError::validation("user_id", "is not the id of an account")
            }
            // Rule 8: a room's time is claimed already, whichever change tried to claim it
            // (moving a date of an activity that uses a room, a closure of the centre).
            E::Constraint { constraint, .. }
                if constraint == quartier_persistence::rooms::NO_OVERLAP =>
            {
                ApiError::Conflict {
                    slug: "room-taken",
                    detail: "A room this change would claim is taken at that time.".into(),
                }
            }
            // Constraints a handler expects are mapped where it calls; any other is a bug.
            other @ (E::Constraint { .. } | E::Other(_)) => ApiError::Internal(other.to_string()),
        }
    }
}
