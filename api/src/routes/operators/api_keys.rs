//! An operator's API keys: `/operators/{id}/api-keys`. Operator admins of the operator and
//! administrators create, list, rotate and revoke them; keys cannot manage keys.
//!
//! A key is `qk_` + eight public characters + `_` + the secret. The secret is shown once, in
//! the answer that creates it; only its SHA-256 is stored.

use actix_web::{HttpResponse, delete, get, post, web};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use quartier_domain::StaffRole;
use quartier_domain::bounded_text;
use quartier_domain::integration::Scope;
use quartier_persistence::api_keys::{self, ApiKeyRow, NewApiKey};
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{AuthUser, KEY_PREFIX, key_hash};
use crate::authz::require_staff;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;
use quartier_persistence::AsyncConnection;
use quartier_persistence::audit::NewEntry;

/// Live (not revoked, not expired) keys one operator may hold.
const MAX_LIVE_KEYS: usize = 50;

/// What a key may do, always for its own operator only.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub enum ScopeBody {
    /// Create and change activities and occurrences; upsert and import them.
    #[serde(rename = "activities:write")]
    ActivitiesWrite,
    /// Create and change shifts; upsert and import them.
    #[serde(rename = "shifts:write")]
    ShiftsWrite,
    /// Sign volunteers up, cancel, check in, record attendance.
    #[serde(rename = "signups:write")]
    SignupsWrite,
    /// Read rosters and export them.
    #[serde(rename = "roster:read")]
    RosterRead,
    /// Manage webhook subscriptions and read their delivery log.
    #[serde(rename = "webhooks:manage")]
    WebhooksManage,
    /// Answer the concerns the operator answers: its queue, status moves, answers, outcomes,
    /// concerns told to staff.
    #[serde(rename = "concerns:write")]
    ConcernsWrite,
    /// Keep the directory entry of the partner the operator is (not its name, kind or ids).
    #[serde(rename = "partners:write")]
    PartnersWrite,
    /// Give activities their rooms; read and decide on the requests for the operator's rooms.
    #[serde(rename = "rooms:write")]
    RoomsWrite,
    /// Read the operator's figures: `GET /reports/indicators`.
    #[serde(rename = "reports:read")]
    ReportsRead,
    /// Run the operator's neighbourhood funds: check applications, decide on them, settle
    /// them.
    #[serde(rename = "funds:write")]
    FundsWrite,
    /// Mediate neighbourly help at the operator's centres: record requests for neighbours,
    /// propose helpers, record the steps of matches.
    #[serde(rename = "help:write")]
    HelpWrite,
}

impl From<ScopeBody> for Scope {
    fn from(scope: ScopeBody) -> Self {
        match scope {
            ScopeBody::ActivitiesWrite => Scope::ActivitiesWrite,
            ScopeBody::ShiftsWrite => Scope::ShiftsWrite,
            ScopeBody::SignupsWrite => Scope::SignupsWrite,
            ScopeBody::RosterRead => Scope::RosterRead,
            ScopeBody::WebhooksManage => Scope::WebhooksManage,
            ScopeBody::ConcernsWrite => Scope::ConcernsWrite,
            ScopeBody::PartnersWrite => Scope::PartnersWrite,
            ScopeBody::RoomsWrite => Scope::RoomsWrite,
            ScopeBody::ReportsRead => Scope::ReportsRead,
            ScopeBody::FundsWrite => Scope::FundsWrite,
            ScopeBody::HelpWrite => Scope::HelpWrite,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    /// What the key is for, such as the system that uses it.
    #[schema(
        example = "Dienstplan-Export",
        min_length = 1,
        max_length = 100,
        pattern = r"^\s*\S"
    )]
    pub name: String,
    #[schema(min_items = 1, max_items = 10)]
    pub scopes: Vec<ScopeBody>,
    /// When the key stops working; never when left out.
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyResponse {
    pub id: Uuid,
    pub operator_id: Uuid,
    pub name: String,
    /// The public beginning of the key, to recognise it by.
    #[schema(example = "qk_7f3kq9xa")]
    pub prefix: String,
    pub scopes: Vec<ScopeBody>,
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was last used, to the minute.
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<Uuid>,
    pub status: ApiKeyStatusBody,
    /// Set when the account that created the key left the operator, stopped being its
    /// operator admin, or was erased: the key still works; rotate or revoke it.
    pub creator_left_at: Option<DateTime<Utc>>,
    /// The key that replaced this one in a rotation; this one works until `expires_at`.
    pub replaced_by: Option<Uuid>,
}

/// Whether a key is accepted: `active`, or no longer (`expired`, `revoked`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ApiKeyStatusBody {
    Active,
    Expired,
    Revoked,
}

impl From<ApiKeyRow> for ApiKeyResponse {
    fn from(row: ApiKeyRow) -> Self {
        let status = if row.revoked_at.is_some() {
            ApiKeyStatusBody::Revoked
        } else if row.expires_at.is_some_and(|at| at <= Utc::now()) {
            ApiKeyStatusBody::Expired
        } else {
            ApiKeyStatusBody::Active
        };
        Self {
            id: row.id,
            operator_id: row.operator_id,
            name: row.name,
            prefix: row.prefix,
            scopes: row
                .scopes
                .iter()
                .map(|scope| crate::names::stored(scope, ScopeBody::RosterRead))
                .collect(),
            expires_at: row.expires_at,
            last_used_at: row.last_used_at,
            created_at: row.created_at,
            created_by: row.created_by,
            revoked_at: row.revoked_at,
            revoked_by: row.revoked_by,
            status,
            creator_left_at: row.creator_left_at,
            replaced_by: row.replaced_by,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKeyResponse {
    #[serde(flatten)]
    pub key: ApiKeyResponse,
    /// The whole key. Shown this once: store it now. Send it as `X-Api-Key: <key>` or
    /// `Authorization: Bearer <key>`.
    #[schema(example = "qk_7f3kq9xa_Jd0pX2vQ9c1Yb8mK4tR7wE5uH3nL6sA0zF2gC9iO")]
    pub key_secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyList {
    /// Newest first, revoked and expired ones included.
    pub items: Vec<ApiKeyResponse>,
}

/// A new key: its public prefix and the whole secret.
fn generate() -> (String, String) {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let public: String = (0..8)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    let mut secret = [0u8; 30];
    rng.fill(&mut secret);
    let prefix = format!("{KEY_PREFIX}{public}");
    let whole = format!(
        "{prefix}_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret)
    );
    (prefix, whole)
}

/// Create an API key for the operator's own systems. The answer holds the whole key, once.
/// Administrators and operator admins of this operator.
#[utoipa::path(
    tag = "api-keys",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The operator's id")),
    request_body = CreateApiKeyRequest,
    responses(
        (status = 201, description = "The key, with `key_secret` shown this once", body = CreatedApiKeyResponse),
        (status = 403, description = "Not an administrator or operator admin of this operator, or called with an API key (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No name or scopes, an expiry in the past, or 50 live keys already (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/operators/{id}/api-keys")]
pub async fn create_api_key(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    Json(body): Json<CreateApiKeyRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    require_staff(&mut conn, user, *id, StaffRole::OperatorAdmin).await?;
    let name = bounded_text(&body.name, "name", 100)?;
    let scopes = stored_scopes(&body.scopes)?;
    let now = Utc::now();
    if body.expires_at.is_some_and(|at| at <= now) {
        return Err(ApiError::validation("expires_at", "must be in the future"));
    }
    require_room_for_key(&mut conn, *id, now).await?;
    let (prefix, secret) = generate();
    let new = NewApiKey {
        id: Uuid::now_v7(),
        operator_id: *id,
        name: &name,
        prefix: &prefix,
        secret_hash: &key_hash(&secret),
        scopes: &scopes,
        expires_at: body.expires_at,
        created_by: Some(user.id),
    };
    let row = create_with_audit(&mut conn, user, &new).await?;
    Ok(created(row, secret))
}

/// The scopes as stored: at least one, sorted, each once.
fn stored_scopes(scopes: &[ScopeBody]) -> Result<Vec<String>, ApiError> {
    if scopes.is_empty() {
        return Err(ApiError::validation(
            "scopes",
            "must name at least one scope",
        ));
    }
    let mut stored: Vec<String> = scopes
        .iter()
        .map(|scope| Scope::from(*scope).as_str().to_owned())
        .collect();
    stored.sort();
    stored.dedup();
    Ok(stored)
}

/// 422 when the operator holds the most live keys (not revoked, not expired at `now`) already.
async fn require_room_for_key(
    conn: &mut quartier_persistence::AsyncPgConnection,
    operator_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let live = api_keys::of_operator(conn, operator_id)
        .await?
        .iter()
        .filter(|key| key.revoked_at.is_none() && key.expires_at.is_none_or(|at| at > now))
        .count();
    if live >= MAX_LIVE_KEYS {
        return Err(ApiError::validation(
            "scopes",
            "this operator has 50 live keys already: revoke one first",
        ));
    }
    Ok(())
}

/// Creates the key with its audit entry; the two commit together.
async fn create_with_audit(
    conn: &mut quartier_persistence::AsyncPgConnection,
    user: AuthUser,
    new: &NewApiKey<'_>,
) -> Result<ApiKeyRow, ApiError> {
    let row = conn
        .transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let row = api_keys::create(conn, new).await?;
            NewEntry::new(user.actor(), "api_key.created", "api_key", row.id)
                .operator(row.operator_id)
                .details(serde_json::json!({ "prefix": row.prefix, "scopes": row.scopes }))
                .record(conn)
                .await?;
            Ok(row)
        })
        .await?;
    Ok(row)
}

/// 201 with the new key and its whole secret; not to be cached anywhere.
fn created(row: ApiKeyRow, secret: String) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/operators/{}/api-keys/{}", row.operator_id, row.id),
        ))
        .insert_header(("Cache-Control", "no-store"))
        .json(CreatedApiKeyResponse {
            key: ApiKeyResponse::from(row),
            key_secret: secret,
        })
}

/// The operator's API keys, newest first; never their secrets. Administrators and operator
/// admins of this operator.
#[utoipa::path(
    tag = "api-keys",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The operator's id")),
    responses(
        (status = 200, description = "Every key of the operator", body = ApiKeyList),
        (status = 403, description = "Not an administrator or operator admin of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/operators/{id}/api-keys")]
pub async fn list_api_keys(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    require_staff(&mut conn, user, *id, StaffRole::OperatorAdmin).await?;
    let items = api_keys::of_operator(&mut conn, *id)
        .await?
        .into_iter()
        .map(ApiKeyResponse::from)
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-cache"))
        .json(ApiKeyList { items }))
}

/// The key `key_id` of the operator `id`, for its operator admins; 404 otherwise.
async fn key_of(
    conn: &mut quartier_persistence::AsyncPgConnection,
    user: AuthUser,
    operator_id: Uuid,
    key_id: Uuid,
) -> Result<ApiKeyRow, ApiError> {
    require_staff(conn, user, operator_id, StaffRole::OperatorAdmin).await?;
    api_keys::find(conn, key_id)
        .await?
        .filter(|key| key.operator_id == operator_id)
        .ok_or_else(|| ApiError::NotFound("This operator has no API key with this id.".into()))
}

/// One API key, without its secret. Administrators and operator admins of this operator.
#[utoipa::path(
    tag = "api-keys",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("key_id" = Uuid, Path, description = "The key's id"),
    ),
    responses(
        (status = 200, description = "The key", body = ApiKeyResponse),
        (status = 403, description = "Not an administrator or operator admin of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator, or it has no key with this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/operators/{id}/api-keys/{key_id}")]
pub async fn get_api_key(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, key_id) = path.into_inner();
    let mut conn = state.conn().await?;
    let key = key_of(&mut conn, user, operator_id, key_id).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-cache"))
        .json(ApiKeyResponse::from(key)))
}

/// Revoke an API key: it stops working at once, for good. Revoking again changes nothing.
/// Administrators and operator admins of this operator.
#[utoipa::path(
    tag = "api-keys",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("key_id" = Uuid, Path, description = "The key's id"),
    ),
    responses(
        (status = 200, description = "The revoked key", body = ApiKeyResponse),
        (status = 403, description = "Not an administrator or operator admin of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator, or it has no key with this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/operators/{id}/api-keys/{key_id}")]
pub async fn revoke_api_key(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, key_id) = path.into_inner();
    let mut conn = state.conn().await?;
    key_of(&mut conn, user, operator_id, key_id).await?;
    let key = conn
        .transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let key = api_keys::revoke(conn, key_id, Some(user.id)).await?;
            if let Some(key) = &key {
                NewEntry::new(user.actor(), "api_key.revoked", "api_key", key_id)
                    .operator(operator_id)
                    .details(serde_json::json!({ "prefix": key.prefix }))
                    .record(conn)
                    .await?;
            }
            Ok(key)
        })
        .await?
        .ok_or_else(|| ApiError::NotFound("This operator has no API key with this id.".into()))?;
    Ok(HttpResponse::Ok().json(ApiKeyResponse::from(key)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateApiKeyRequest {
    /// How long the old secret keeps working, so that the systems using it can switch: 0 to
    /// 168 hours (a week). Default: 24.
    #[schema(minimum = 0, maximum = 168)]
    #[serde(default, deserialize_with = "crate::extract::whole_number")]
    pub grace_hours: Option<i64>,
}

/// The longest grace period a rotation grants the old secret.
const MAX_GRACE_HOURS: i64 = 168;

/// Rotate an API key: a new key with the same name, scopes and expiry, and a new secret
/// (shown this once); the old secret keeps working for the grace period, then stops. The old
/// key names its successor in `replaced_by`. The new key's creator is whoever rotates it,
/// which also settles a key whose creator left. Administrators and operator admins of this
/// operator.
#[utoipa::path(
    tag = "api-keys",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("key_id" = Uuid, Path, description = "The key's id"),
    ),
    request_body(content = Option<RotateApiKeyRequest>, description = "Empty for a grace period of 24 hours"),
    responses(
        (status = 201, description = "The new key, with `key_secret` shown this once", body = CreatedApiKeyResponse),
        (status = 403, description = "Not an administrator or operator admin of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator, or it has no key with this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The key is revoked, expired or rotated already (`conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A grace period out of range (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/operators/{id}/api-keys/{key_id}/rotate")]
pub async fn rotate_api_key(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: RotateApiKeyRequest = crate::extract::optional_json(&body)?;
    let grace_hours = body.grace_hours.unwrap_or(24);
    if !(0..=MAX_GRACE_HOURS).contains(&grace_hours) {
        return Err(ApiError::validation("grace_hours", "must be from 0 to 168"));
    }
    let (operator_id, key_id) = path.into_inner();
    let mut conn = state.conn().await?;
    let old = key_of(&mut conn, user, operator_id, key_id).await?;
    let now = Utc::now();
    let (prefix, secret) = generate();
    let new = NewApiKey {
        id: Uuid::now_v7(),
        operator_id,
        name: &old.name,
        prefix: &prefix,
        secret_hash: &key_hash(&secret),
        scopes: &old.scopes,
        expires_at: old.expires_at,
        created_by: Some(user.id),
    };
    let grace_until = now + chrono::Duration::hours(grace_hours);
    let rotated = conn
        .transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let rotated = api_keys::rotate(conn, key_id, &new, grace_until, now).await?;
            if let Some(row) = &rotated {
                NewEntry::new(user.actor(), "api_key.rotated", "api_key", key_id)
                    .operator(operator_id)
                    .details(serde_json::json!({
                        "prefix": old.prefix, "new_key_id": row.id, "new_prefix": row.prefix,
                        "old_valid_until": grace_until,
                    }))
                    .record(conn)
                    .await?;
            }
            Ok(rotated)
        })
        .await?
        .ok_or_else(|| ApiError::Conflict {
            slug: "conflict",
            detail: "This key is revoked, expired or rotated already: create a new one.".into(),
        })?;
    Ok(created(rotated, secret))
}
