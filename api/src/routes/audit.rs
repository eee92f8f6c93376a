//! The audit trail: `/audit` for administrators, `/me/audit` for the entries about oneself.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use quartier_persistence::audit::{self, EntryRow, Filter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{Admin, AuthUser};
use crate::error::{ApiError, Problem};
use crate::pagination::{self, Page};
use crate::state::AppState;

/// Who acted.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditActor {
    pub kind: ActorKindBody,
    /// The account's or key's id; `null` for `system`.
    pub id: Option<Uuid>,
}

/// Who can act: a person's account, an operator's API key, or the system itself (a
/// background task such as retention).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ActorKindBody {
    User,
    ApiKey,
    System,
}

/// One entry: who did what to which object, about whom.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: AuditActor,
    /// `roster.viewed`, `roster.exported`, `users.listed`, `member.added`,
    /// `member.role_changed`, `member.removed`, `qualification.verified`,
    /// `qualification.verification_changed`, `qualification.verification_revoked`,
    /// `qualification.verification_withdrawn`, `qualification.expired_removed`,
    /// `operator.trust_granted`, `operator.trust_withdrawn`, `signup.created_by_staff`,
    /// `signup.cancelled_by_staff`, `signup.checked_in`, `attendance.recorded`,
    /// `api_key.created`, `api_key.revoked`, `account.exported`, `account.erased`,
    /// `signups.anonymised`.
    #[schema(example = "roster.viewed")]
    pub action: String,
    /// `shift`, `centre`, `operator`, `user`, `signup`, `qualification_verification`,
    /// `api_key`.
    #[schema(example = "shift")]
    pub object_type: String,
    pub object_id: Option<Uuid>,
    /// The operator on whose behalf it happened, if any.
    pub operator_id: Option<Uuid>,
    /// The people whose data was read or changed (in `/me/audit`: only the caller).
    pub subjects: Vec<Uuid>,
    /// More about the entry (format, range, roles); never names.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

impl From<EntryRow> for AuditEntry {
    fn from(row: EntryRow) -> Self {
        Self::from_row(row, None)
    }
}

impl AuditEntry {
    /// The entry as the person `me` sees it: of its subjects, only themselves.
    pub fn about(row: EntryRow, me: Uuid) -> Self {
        Self::from_row(row, Some(me))
    }

    fn from_row(row: EntryRow, only: Option<Uuid>) -> Self {
        let actor = match (row.actor_user_id, row.actor_key_id) {
            (Some(id), _) => AuditActor {
                kind: ActorKindBody::User,
                id: Some(id),
            },
            (None, Some(id)) => AuditActor {
                kind: ActorKindBody::ApiKey,
                id: Some(id),
            },
            (None, None) => AuditActor {
                kind: ActorKindBody::System,
                id: None,
            },
        };
        let subjects = match only {
            Some(me) => row.subjects.into_iter().filter(|s| *s == me).collect(),
            None => row.subjects,
        };
        Self {
            id: row.id,
            at: row.at,
            actor,
            action: row.action,
            object_type: row.object_type,
            object_id: row.object_id,
            operator_id: row.operator_id,
            subjects,
            details: serde_json::from_str(&row.details).unwrap_or(serde_json::Value::Null),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries about this person.
    pub subject: Option<Uuid>,
    /// Only entries by this person.
    pub actor: Option<Uuid>,
    /// Only entries by this API key.
    pub api_key: Option<Uuid>,
    /// Only this action, e.g. `roster.exported`.
    #[param(max_length = 64)]
    pub action: Option<String>,
    /// Only entries about this object (a shift, a centre, a key …).
    pub object: Option<Uuid>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 2048)]
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MyAuditQuery {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 2048)]
    pub cursor: Option<String>,
}

async fn entries(
    state: &AppState,
    mut filter: Filter,
    limit: Option<i64>,
    cursor: Option<&str>,
    only: Option<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let limit = pagination::limit(limit)?;
    filter.before = pagination::decode_cursor(cursor)?;
    let mut conn = state.conn().await?;
    let rows = audit::list(&mut conn, &filter, i64::from(limit) + 1).await?;
    let page: Page<AuditEntry> = pagination::page(
        rows,
        limit,
        |row| (row.at, row.id),
        |row| AuditEntry::from_row(row, only),
    );
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-store"))
        .json(page))
}

/// The audit trail, newest first: who read or changed personal data (roster views and
/// exports, account listings, member and role changes, qualification verifications, sign-ups
/// and attendance by staff, API keys, exports and erasures, retention). Administrators only.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "One page of entries", body = Page<AuditEntry>),
        (status = 400, description = "A query parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` out of range, an unknown `cursor` or a too long `action` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    _admin: Admin,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    if query.action.as_ref().is_some_and(|a| a.len() > 64) {
        return Err(ApiError::validation(
            "action",
            "must be at most 64 characters",
        ));
    }
    let filter = Filter {
        subject: query.subject,
        actor_user: query.actor,
        actor_key: query.api_key,
        action: query.action,
        object_id: query.object,
        before: None,
    };
    entries(&state, filter, query.limit, query.cursor.as_deref(), None).await
}

/// The audit entries about the signed-in person, newest first: who read their data on a
/// roster or in an export, who verified their qualifications, changed their roles, signed
/// them up or recorded their attendance.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(MyAuditQuery),
    responses(
        (status = 200, description = "One page of entries", body = Page<AuditEntry>),
        (status = 400, description = "A query parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API key was sent: this is for people (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` out of range or an unknown `cursor` (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/audit")]
pub async fn my_audit(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<MyAuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = Filter {
        subject: Some(user.id),
        ..Filter::default()
    };
    entries(
        &state,
        filter,
        query.limit,
        query.cursor.as_deref(),
        Some(user.id),
    )
    .await
}
