//! `/partners`: the partner network (Netzwerkpartner) — Vereine, religious communities,
//! social institutions, schools, Kitas, units of the administration, housing companies and
//! others working in the districts. Everyone reads the public fields; administrators keep
//! the directory and read everything.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use quartier_domain::ValidationErrors;
use quartier_domain::integration::Scope;
use quartier_domain::partner::{PartnerField, PartnerKind, PartnerRole, topics};
use quartier_domain::{Role, bounded_text};
use quartier_persistence::partners::{
    self, PartnerFields, PartnerFilter, PartnerKey, PartnerRefusal, PartnerRow,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{Admin, AuthUser, Caller, MaybeCaller};
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, IfNoneMatch, Json, etag, json_with_body_etag};
use crate::pagination::{self, Page};
use crate::routes::operators::{DetailsInput, check_details};
use crate::state::AppState;

/// What kind of organisation a partner is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PartnerKindBody {
    /// A Verein.
    Association,
    ReligiousCommunity,
    SocialInstitution,
    School,
    /// A Kita.
    Daycare,
    /// A unit of the town's administration.
    Administration,
    HousingCompany,
    Police,
    Business,
    /// A residents' initiative.
    Initiative,
    Other,
}

impl From<PartnerKindBody> for PartnerKind {
    fn from(kind: PartnerKindBody) -> Self {
        match kind {
            PartnerKindBody::Association => PartnerKind::Association,
            PartnerKindBody::ReligiousCommunity => PartnerKind::ReligiousCommunity,
            PartnerKindBody::SocialInstitution => PartnerKind::SocialInstitution,
            PartnerKindBody::School => PartnerKind::School,
            PartnerKindBody::Daycare => PartnerKind::Daycare,
            PartnerKindBody::Administration => PartnerKind::Administration,
            PartnerKindBody::HousingCompany => PartnerKind::HousingCompany,
            PartnerKindBody::Police => PartnerKind::Police,
            PartnerKindBody::Business => PartnerKind::Business,
            PartnerKindBody::Initiative => PartnerKind::Initiative,
            PartnerKindBody::Other => PartnerKind::Other,
        }
    }
}

/// A field of a partner that is public only where it says so.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PartnerFieldBody {
    Description,
    Topics,
    Districts,
    Website,
    ContactEmail,
    ContactPhone,
    Address,
}

impl From<PartnerFieldBody> for PartnerField {
    fn from(field: PartnerFieldBody) -> Self {
        match field {
            PartnerFieldBody::Description => PartnerField::Description,
            PartnerFieldBody::Topics => PartnerField::Topics,
            PartnerFieldBody::Districts => PartnerField::Districts,
            PartnerFieldBody::Website => PartnerField::Website,
            PartnerFieldBody::ContactEmail => PartnerField::ContactEmail,
            PartnerFieldBody::ContactPhone => PartnerField::ContactPhone,
            PartnerFieldBody::Address => PartnerField::Address,
        }
    }
}

/// A partner. Readers who are not administrators get only the public fields; the others
/// are null (or empty) for them.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerResponse {
    pub id: Uuid,
    pub name: String,
    pub kind: PartnerKindBody,
    pub description: Option<String>,
    pub topics: Vec<String>,
    /// The districts it works in.
    pub district_ids: Vec<Uuid>,
    pub website: Option<String>,
    /// A role mailbox, never a person's.
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    /// The operator it is in Quartier, if it is one (always public).
    pub operator_id: Option<Uuid>,
    /// Its id in the town's directory; administrators only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The fields everyone reads besides name and kind.
    pub public_fields: Vec<PartnerFieldBody>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl PartnerResponse {
    /// `row` as a reader sees it: everything for administrators (`all`), else the public
    /// fields only.
    pub fn new(row: PartnerRow, all: bool) -> Self {
        let shown = |field: PartnerField| all || row.is_public(field.as_str());
        let show = |field: PartnerField, value: Option<String>| value.filter(|_| shown(field));
        Self {
            id: row.id,
            kind: crate::names::stored(&row.kind, PartnerKindBody::Other),
            description: show(PartnerField::Description, Some(row.description.clone())),
            topics: if shown(PartnerField::Topics) {
                row.topics.clone()
            } else {
                Vec::new()
            },
            district_ids: if shown(PartnerField::Districts) {
                row.district_ids.clone()
            } else {
                Vec::new()
            },
            website: show(PartnerField::Website, row.website.clone()),
            contact_email: show(PartnerField::ContactEmail, row.contact_email.clone()),
            contact_phone: show(PartnerField::ContactPhone, row.contact_phone.clone()),
            address: show(PartnerField::Address, row.address.clone()),
            operator_id: row.operator_id,
            external_id: row.external_id.clone().filter(|_| all),
            public_fields: row
                .public_fields
                .iter()
                .map(|field| crate::names::stored(field, PartnerFieldBody::Description))
                .collect(),
            name: row.name,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePartnerRequest {
    #[schema(
        example = "Nachbarschaftsverein Nordstadt e.V.",
        min_length = 1,
        max_length = 200
    )]
    pub name: String,
    pub kind: PartnerKindBody,
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    #[schema(example = json!(["Jugend", "Spielplätze"]), max_items = 20)]
    pub topics: Option<Vec<String>>,
    #[schema(max_items = 100)]
    pub district_ids: Option<Vec<Uuid>>,
    #[schema(example = "https://nachbarschaft-nordstadt.example", max_length = 500)]
    pub website: Option<String>,
    /// A role mailbox (info@, quartier@), not a person's.
    #[schema(example = "info@nachbarschaft-nordstadt.example", max_length = 254, format = Email)]
    pub contact_email: Option<String>,
    #[schema(example = "+49 231 555123", max_length = 40)]
    pub contact_phone: Option<String>,
    #[schema(
        example = "Lindenstraße 4, 44135 Musterstadt",
        min_length = 1,
        max_length = 300
    )]
    pub address: Option<String>,
    pub operator_id: Option<Uuid>,
    #[schema(min_length = 1, max_length = 200)]
    pub external_id: Option<String>,
    /// Default: description, topics, districts, website.
    #[schema(max_items = 7)]
    pub public_fields: Option<Vec<PartnerFieldBody>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePartnerRequest {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    pub kind: Option<PartnerKindBody>,
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    #[schema(max_items = 20)]
    pub topics: Option<Vec<String>>,
    #[schema(max_items = 100)]
    pub district_ids: Option<Vec<Uuid>>,
    /// Null clears it.
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(max_length = 500)]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(max_length = 254, format = Email)]
    pub contact_email: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(max_length = 40)]
    pub contact_phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(min_length = 1, max_length = 300)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    pub operator_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(min_length = 1, max_length = 200)]
    pub external_id: Option<Option<String>>,
    #[schema(max_items = 7)]
    pub public_fields: Option<Vec<PartnerFieldBody>>,
}

/// The checked values of a request, owned; written with `fields()`.
struct Checked {
    name: Option<String>,
    kind: Option<PartnerKind>,
    description: Option<String>,
    topics: Option<Vec<String>>,
    district_ids: Option<Vec<Uuid>>,
    website: Option<Option<String>>,
    contact_email: Option<Option<String>>,
    contact_phone: Option<Option<String>>,
    address: Option<Option<String>>,
    operator_id: Option<Option<Uuid>>,
    external_id: Option<Option<String>>,
    public_fields: Option<Vec<&'static str>>,
}

impl Checked {
    fn fields(&self) -> PartnerFields<'_> {
        PartnerFields {
            name: self.name.as_deref(),
            kind: self.kind.map(PartnerKind::as_str),
            description: self.description.as_deref(),
            topics: self.topics.as_deref(),
            website: self.website.as_ref().map(Option::as_deref),
            contact_email: self.contact_email.as_ref().map(Option::as_deref),
            contact_phone: self.contact_phone.as_ref().map(Option::as_deref),
            address: self.address.as_ref().map(Option::as_deref),
            operator_id: self.operator_id,
            external_id: self.external_id.as_ref().map(Option::as_deref),
            public_fields: self.public_fields.as_deref(),
            district_ids: self.district_ids.as_deref(),
        }
    }
}

/// Checks `body` (a change request; a new partner is one with every field it gives).
fn check(body: &UpdatePartnerRequest) -> Result<Checked, ApiError> {
    let details = check_details(DetailsInput {
        name: body.name.as_deref(),
        description: body.description.as_deref(),
        website: body.website.as_ref().map(Option::as_deref),
        contact_email: body.contact_email.as_ref().map(Option::as_deref),
        contact_phone: body.contact_phone.as_ref().map(Option::as_deref),
    })?;
    let mut errors = ValidationErrors::default();
    let topics = body
        .topics
        .as_deref()
        .and_then(|given| errors.collect(topics(given)));
    let address = match &body.address {
        Some(Some(raw)) => errors.collect(bounded_text(raw, "address", 300)).map(Some),
        Some(None) => Some(None),
        None => None,
    };
    let external_id = match &body.external_id {
        Some(Some(raw)) => errors
            .collect(quartier_domain::integration::external_id(
                raw,
                "external_id",
            ))
            .map(Some),
        Some(None) => Some(None),
        None => None,
    };
    if body.district_ids.as_ref().is_some_and(|d| d.len() > 100) {
        errors.push("district_ids", "must be at most 100 districts");
    }
    errors.into_result()?;
    let public_fields = body.public_fields.as_ref().map(|fields| {
        let mut fields: Vec<PartnerField> = fields.iter().map(|f| (*f).into()).collect();
        fields.sort();
        fields.dedup();
        fields
            .into_iter()
            .map(PartnerField::as_str)
            .collect::<Vec<_>>()
    });
    Ok(Checked {
        name: details.name,
        kind: body.kind.map(Into::into),
        description: details.description,
        topics,
        district_ids: body.district_ids.clone(),
        website: details.website,
        contact_email: details.contact_email,
        contact_phone: details.contact_phone,
        address,
        operator_id: body.operator_id,
        external_id,
        public_fields,
    })
}

/// Maps what the database refused to the field at fault.
fn refused(error: quartier_persistence::Error) -> ApiError {
    if error.is_constraint(partners::EXTERNAL_ID_UNIQUE) {
        ApiError::Conflict {
            slug: "external-id-taken",
            detail: "Another partner has this external id.".into(),
        }
    } else if error.is_constraint(partners::OPERATOR_UNIQUE) {
        ApiError::validation("operator_id", "is another partner's operator already")
    } else if error.is_constraint(partners::OPERATOR_KEY) {
        ApiError::validation("operator_id", "is not the id of an operator")
    } else if error.is_constraint(partners::DISTRICT_KEY) {
        ApiError::validation("district_ids", "names a district that does not exist")
    } else {
        error.into()
    }
}

/// Add a partner to the network. Administrators.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    request_body = CreatePartnerRequest,
    responses(
        (status = 201, description = "The partner was added", body = PartnerResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "The body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another partner has this external id (`external-id-taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields; an unknown operator or district, or an operator that is a partner already (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/partners")]
pub async fn create_partner(
    state: web::Data<AppState>,
    _admin: Admin,
    Json(body): Json<CreatePartnerRequest>,
) -> Result<HttpResponse, ApiError> {
    let checked = check(&UpdatePartnerRequest {
        name: Some(body.name),
        kind: Some(body.kind),
        description: body.description,
        topics: body.topics,
        district_ids: body.district_ids,
        website: Some(body.website),
        contact_email: Some(body.contact_email),
        contact_phone: Some(body.contact_phone),
        address: Some(body.address),
        operator_id: Some(body.operator_id),
        external_id: Some(body.external_id),
        public_fields: body.public_fields,
    })?;
    let checked = Checked {
        public_fields: checked.public_fields.clone().or_else(|| {
            Some(
                PartnerField::DEFAULT_PUBLIC
                    .map(PartnerField::as_str)
                    .to_vec(),
            )
        }),
        ..checked
    };
    let mut conn = state.conn().await?;
    let row = partners::create(&mut conn, Uuid::now_v7(), &checked.fields())
        .await
        .map_err(refused)?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, etag(row.version)))
        .insert_header((header::LOCATION, format!("/api/v1/partners/{}", row.id)))
        .json(PartnerResponse::new(row, true)))
}

/// Change a partner: only the fields given; null clears an optional one. `If-Match` (the
/// `ETag` of the partner) is optional. Administrators; the partner's own side (its partner
/// admins, the operator admins of the operator it is, that operator's API keys with
/// `partners:write`) changes everything but its name, kind, operator and external id.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The partner's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the client read"),
    ),
    request_body = UpdatePartnerRequest,
    responses(
        (status = 200, description = "The partner, changed", body = PartnerResponse, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither an administrator nor the partner's own side, an API key of another operator or without `partners:write`, or the own side changing name, kind, operator or external id (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No partner has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another partner has this external id (`external-id-taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The partner changed since it was read, or became another operator's while the change was checked (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields; an unknown operator or district, or an operator that is a partner already (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/partners/{id}")]
pub async fn update_partner(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<UpdatePartnerRequest>,
) -> Result<HttpResponse, ApiError> {
    let checked = check(&body)?;
    let versions = if_match.optional_versions();
    let mut conn = state.conn().await?;
    let admin = caller.is_admin();
    // For the own side, the operator its right rests on (held to in the update's lock).
    let mut operator_checked = None;
    if !admin {
        let partner = partners::find(&mut conn, *id)
            .await?
            .ok_or_else(|| ApiError::NotFound("No partner has this id.".into()))?;
        require_own_side(&mut conn, &caller, &partner).await?;
        operator_checked = Some(partner.operator_id);
        if body.name.is_some()
            || body.kind.is_some()
            || body.operator_id.is_some()
            || body.external_id.is_some()
        {
            return Err(ApiError::Forbidden(
                "Only administrators change a partner's name, kind, operator and external id."
                    .into(),
            ));
        }
    }
    let row = partners::update(
        &mut conn,
        *id,
        versions,
        operator_checked,
        &checked.fields(),
    )
    .await
    .map_err(refused)?
    .map_err(|refusal| match refusal {
        PartnerRefusal::NotFound => ApiError::NotFound("No partner has this id.".into()),
        PartnerRefusal::VersionConflict => ApiError::VersionConflict,
    })?;
    let mut response = PartnerResponse::new(row, true);
    if !admin {
        response.external_id = None;
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(response.version)))
        .json(response))
}

/// Ok when `caller`, who is no administrator, keeps the directory entry `partner` as its own
/// side: a person who speaks for it, or an API key with `partners:write` of the operator it
/// is.
async fn require_own_side(
    conn: &mut quartier_persistence::AsyncPgConnection,
    caller: &Caller,
    partner: &PartnerRow,
) -> Result<(), ApiError> {
    match caller {
        Caller::User(user) => {
            if crate::authz::speaks_for_partner(conn, *user, partner.id, partner.operator_id)
                .await?
            {
                Ok(())
            } else {
                Err(ApiError::Forbidden(
                    "Only administrators and those who speak for this partner (its partner admins, the operator admins of the operator it is) change it."
                        .into(),
                ))
            }
        }
        Caller::Key(key) => match partner.operator_id {
            Some(operator_id) => crate::authz::decide_key(key, operator_id, Scope::PartnersWrite),
            None => Err(ApiError::Forbidden(
                "This partner is no operator: no API key acts for it.".into(),
            )),
        },
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListPartnersQuery {
    /// Working in this district or one inside it.
    pub district_id: Option<Uuid>,
    pub kind: Option<PartnerKindBody>,
    /// Naming this topic.
    #[param(max_length = 60)]
    pub topic: Option<String>,
    /// Words in the name or description.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 2048)]
    pub cursor: Option<String>,
}

/// Whether `caller` reads every field of partners: administrators and the town's
/// coordinator.
async fn reads_all(
    conn: &mut quartier_persistence::AsyncPgConnection,
    caller: &MaybeCaller,
) -> Result<bool, ApiError> {
    match caller.0.as_ref().and_then(|c| c.user()) {
        Some(user) => crate::routes::core_team::reads_whole_town(conn, user).await,
        None => Ok(false),
    }
}

/// The partner network, by name. Public: only the public fields, and filters by districts
/// and topics only where those are public; administrators and the town's coordinator read
/// and filter by everything.
#[utoipa::path(
    tag = "partners",
    security((), ("bearer" = [])),
    params(
        ListPartnersQuery,
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the page the client holds"),
    ),
    responses(
        (status = 200, description = "One page of partners", body = Page<PartnerResponse>, headers(("ETag" = String))),
        (status = 304, description = "The client's copy of this page is current", headers(("ETag" = String))),
        (status = 400, description = "A query parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`topic`, `q`, `limit` or `cursor` out of range (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/partners")]
pub async fn list_partners(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    query: web::Query<ListPartnersQuery>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut errors = ValidationErrors::default();
    let topic = query
        .topic
        .as_deref()
        .and_then(|t| errors.collect(bounded_text(t, "topic", 60)));
    let q = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .and_then(|q| errors.collect(bounded_text(q, "q", 200)));
    errors.into_result()?;
    let limit = pagination::limit(query.limit)?;
    let after: Option<PartnerKey> = pagination::decode_cursor(query.cursor.as_deref())?;
    let all = if caller.0.is_some() {
        let mut conn = state.conn().await?;
        reads_all(&mut conn, &caller).await?
    } else {
        false
    };
    let filter = PartnerFilter {
        district_id: query.district_id,
        kind: query.kind.map(|k| PartnerKind::from(k).as_str()),
        topic: topic.as_deref(),
        q: q.as_deref(),
        public_only: !all,
    };
    let _turn = state.fair_share.search(caller.0.is_none()).await?;
    let mut conn = state.conn().await?;
    let rows = partners::list(&mut conn, &filter, after, i64::from(limit) + 1).await?;
    let page = pagination::page(
        rows,
        limit,
        |row| (row.name.clone(), row.id),
        |row| PartnerResponse::new(row, all),
    );
    json_with_body_etag(&if_none_match, &page)
}

/// One partner: its public fields; administrators and the town's coordinator read every
/// field, its own side (see `PATCH`) every field but the external id.
#[utoipa::path(
    tag = "partners",
    security((), ("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The partner's id")),
    responses(
        (status = 200, description = "The partner", body = PartnerResponse, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No partner has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/partners/{id}")]
pub async fn get_partner(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let row = partners::find(&mut conn, *id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No partner has this id.".into()))?;
    let response = if reads_all(&mut conn, &caller).await? {
        PartnerResponse::new(row, true)
    } else {
        // Its own side reads what it keeps, but not the town's id for it.
        let own = match &caller.0 {
            Some(caller) => match require_own_side(&mut conn, caller, &row).await {
                Ok(()) => true,
                Err(ApiError::Forbidden(_)) => false,
                Err(other) => return Err(other),
            },
            None => false,
        };
        let mut response = PartnerResponse::new(row, own);
        response.external_id = None;
        response
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(response.version)))
        .json(response))
}

/// Who may act for a partner, besides administrators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PartnerNeed {
    /// Its staff (partner admins and partner staff): they answer its concerns.
    Staff,
    /// Its staff, or those who speak for it (who keep its staff list).
    StaffOrSpeaker,
    /// Those who speak for it: its partner admins, the operator admins of the operator it is.
    Speaker,
}

/// Ok when `user` may act for the partner `partner_id` as `need` says; administrators
/// always. 404 when there is no such partner.
async fn require_partner(
    conn: &mut quartier_persistence::AsyncPgConnection,
    user: AuthUser,
    partner_id: Uuid,
    need: PartnerNeed,
) -> Result<(), ApiError> {
    let partner = partners::find(conn, partner_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No partner has this id.".into()))?;
    if user.role == Role::Admin {
        return Ok(());
    }
    let staff = need != PartnerNeed::Speaker
        && crate::authz::partner_role(conn, partner_id, user)
            .await?
            .is_some();
    if staff
        || (need != PartnerNeed::Staff
            && crate::authz::speaks_for_partner(conn, user, partner_id, partner.operator_id)
                .await?)
    {
        return Ok(());
    }
    Err(ApiError::Forbidden(match need {
        PartnerNeed::Staff => "Only administrators and this partner's staff may do this.".into(),
        PartnerNeed::StaffOrSpeaker | PartnerNeed::Speaker => {
            "Only administrators, this partner's staff and, for changes, those who speak for it (its partner admins, the operator admins of the operator it is) may do this."
                .into()
        }
    }))
}

/// A role in a partner's staff.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PartnerRoleBody {
    /// Keeps the partner's staff list and answers its concerns.
    PartnerAdmin,
    /// Answers the concerns referred to the partner.
    PartnerStaff,
}

impl From<PartnerRoleBody> for PartnerRole {
    fn from(role: PartnerRoleBody) -> Self {
        match role {
            PartnerRoleBody::PartnerAdmin => PartnerRole::PartnerAdmin,
            PartnerRoleBody::PartnerStaff => PartnerRole::PartnerStaff,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerMemberResponse {
    pub partner_id: Uuid,
    pub user_id: Uuid,
    pub display_name: String,
    pub email: String,
    pub role: PartnerRoleBody,
    pub member_since: DateTime<Utc>,
}

impl From<partners::PartnerMemberRow> for PartnerMemberResponse {
    fn from(row: partners::PartnerMemberRow) -> Self {
        Self {
            partner_id: row.partner_id,
            user_id: row.user_id,
            display_name: row.display_name,
            email: row.email,
            role: crate::names::stored(&row.role, PartnerRoleBody::PartnerStaff),
            member_since: row.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerMemberList {
    /// By name.
    pub items: Vec<PartnerMemberResponse>,
}

/// A partner's staff. Administrators, the partner's staff and those who speak for it (the
/// operator admins of the operator it is).
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The partner's id")),
    responses(
        (status = 200, description = "The partner's staff", body = PartnerMemberList),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator, staff of this partner or one who speaks for it (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No partner has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/partners/{id}/members")]
pub async fn list_partner_members(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    require_partner(&mut conn, user, *id, PartnerNeed::StaffOrSpeaker).await?;
    let items = partners::members(&mut conn, *id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok().json(PartnerMemberList { items }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddPartnerMemberRequest {
    /// The account's address.
    #[schema(example = "quartier@hafen-verein.example", max_length = 254, format = Email)]
    pub email: String,
    pub role: PartnerRoleBody,
}

/// Make an account staff of a partner, or give a member another role. Administrators only:
/// they know who speaks for a partner.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The partner's id")),
    request_body = AddPartnerMemberRequest,
    responses(
        (status = 200, description = "The member", body = PartnerMemberResponse),
        (status = 400, description = "The id is not a UUID, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No partner has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No account has this address (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/partners/{id}/members")]
pub async fn add_partner_member(
    state: web::Data<AppState>,
    Admin(user): Admin,
    id: web::Path<Uuid>,
    Json(body): Json<AddPartnerMemberRequest>,
) -> Result<HttpResponse, ApiError> {
    let no_account = || ApiError::validation("email", "is not the address of an account");
    let email = quartier_domain::Email::parse(&body.email).map_err(|_| no_account())?;
    let mut conn = state.conn().await?;
    require_partner(&mut conn, user, *id, PartnerNeed::Speaker).await?;
    let account = quartier_persistence::users::find_by_email(&mut conn, email.as_str())
        .await?
        .ok_or_else(no_account)?;
    let member = partners::set_member(
        &mut conn,
        *id,
        account.id,
        PartnerRole::from(body.role).as_str(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(PartnerMemberResponse::from(member)))
}

/// Take an account off a partner's staff. Administrators and those who speak for the
/// partner (its partner admins, the operator admins of the operator it is).
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The partner's id"),
        ("user_id" = Uuid, Path, description = "The member's account"),
    ),
    responses(
        (status = 204, description = "The account is no longer the partner's staff"),
        (status = 400, description = "An id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator or one who speaks for this partner (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No partner has this id, or the account is not its staff (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/partners/{id}/members/{user_id}")]
pub async fn remove_partner_member(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, member) = path.into_inner();
    let mut conn = state.conn().await?;
    require_partner(&mut conn, user, id, PartnerNeed::Speaker).await?;
    if partners::remove_member(&mut conn, id, member).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound(
            "This account is not staff of this partner.".into(),
        ))
    }
}

/// The concerns referred to a partner, newest first, whatever their status: its queue.
/// Administrators and the partner's staff.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The partner's id"),
        crate::routes::concerns::read::ListConcernsQuery,
        crate::languages::ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
    ),
    responses(
        (status = 200, description = "One page of the partner's concerns", body = Page<crate::routes::concerns::ConcernResponse>, headers(("Content-Language" = String), ("Vary" = String))),
        (status = 400, description = "A parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator or staff of this partner (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No partner has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`near`, `radius_m`, `q`, `limit` or `cursor` out of range (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/partners/{id}/concerns")]
pub async fn partner_concerns(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: web::Query<crate::routes::concerns::read::ListConcernsQuery>,
    reading: crate::languages::Reading,
) -> Result<HttpResponse, ApiError> {
    {
        let mut conn = state.conn().await?;
        require_partner(&mut conn, user, *id, PartnerNeed::Staff).await?;
    }
    crate::routes::concerns::read::queue(&state, &query, &reading, Some(user), |filter| {
        filter.partner_id = Some(*id);
    })
    .await
}
