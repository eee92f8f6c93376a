//! `/concern-categories`: what concerns are about, and who answers them unless they are
//! referred on. Public to read; administrators make them.

use actix_web::{HttpResponse, get, post, web};
use quartier_domain::bounded_text;
use quartier_persistence::concerns::{self, CategoryRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ConcernKindBody;
use crate::auth::Admin;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::languages::{
    ContentLanguageResponse, ListLanguageQuery, Reading, Translatable, TranslationResponse,
    localize_list,
};
use crate::state::AppState;
use quartier_domain::concern::ConcernKind;
use quartier_domain::translation::{TextField, TextOwner};

#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernCategoryResponse {
    pub id: Uuid,
    #[schema(example = "Spielplätze und Grünflächen")]
    pub name: String,
    /// What concerns of this category usually are.
    pub kind: ConcernKindBody,
    /// The operator that answers them unless they are referred on.
    pub operator_id: Option<Uuid>,
    /// The partner new concerns of it are referred to at once, whose staff answer them too.
    pub partner_id: Option<Uuid>,
    /// Whether a new concern waits for staff before it is public.
    pub needs_moderation: bool,
    /// The language `name` is served in, or that it fell back to German.
    pub content_language: ContentLanguageResponse,
    /// Every variant of the name with its state; only for those who may change it, asking
    /// with `all_languages=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Vec<TranslationResponse>>,
    /// Changes with every variant of the name written or removed; sent as `ETag`, expected
    /// back in `If-Match`.
    pub version: i32,
}

impl Translatable for ConcernCategoryResponse {
    const OWNER: TextOwner = TextOwner::ConcernCategory;

    fn owner_id(&self) -> Uuid {
        self.id
    }

    fn source_text(&self, field: TextField) -> Option<&str> {
        (field == TextField::Name).then_some(self.name.as_str())
    }

    fn set_text(&mut self, field: TextField, text: String) {
        if field == TextField::Name {
            self.name = text;
        }
    }

    fn set_language(
        &mut self,
        language: ContentLanguageResponse,
        translations: Option<Vec<TranslationResponse>>,
    ) {
        self.content_language = language;
        self.translations = translations;
    }
}

impl From<CategoryRow> for ConcernCategoryResponse {
    fn from(row: CategoryRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            kind: ConcernKind::parse(&row.kind)
                .unwrap_or(ConcernKind::Idea)
                .into(),
            operator_id: row.operator_id,
            partner_id: row.partner_id,
            needs_moderation: row.needs_moderation,
            content_language: ContentLanguageResponse::source(),
            translations: None,
            version: row.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernCategoryList {
    /// By name.
    pub items: Vec<ConcernCategoryResponse>,
}

/// The categories of concerns, by their German name, each in the reader's language.
/// Public.
#[utoipa::path(
    tag = "concerns",
    params(
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
    ),
    responses(
        (status = 200, description = "Every category", body = ConcernCategoryList, headers(("Content-Language" = String), ("Vary" = String))),
        (status = 400, description = "The language parameters do not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`lang` is not a language tag, such as `de-LS` (Lesotho's German; Leichte Sprache is `de-x-ls`) (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/concern-categories")]
pub async fn list_concern_categories(
    state: web::Data<AppState>,
    reading: Reading,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let mut items: Vec<ConcernCategoryResponse> = concerns::categories(&mut conn)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let served = localize_list(&mut conn, &state, &reading, &mut items).await?;
    let mut response = HttpResponse::Ok().json(ConcernCategoryList { items });
    served.mark(&mut response);
    Ok(response)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConcernCategoryRequest {
    #[schema(
        example = "Spielplätze und Grünflächen",
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub name: String,
    pub kind: ConcernKindBody,
    /// The operator that answers concerns of this category.
    pub operator_id: Option<Uuid>,
    /// The partner new concerns of this category are referred to at once (a housing
    /// company, a Verein), whose staff answer them too.
    pub partner_id: Option<Uuid>,
    /// Whether a new concern waits for staff before it is public (default true).
    pub needs_moderation: Option<bool>,
}

/// Make a category of concerns. Administrators only.
#[utoipa::path(
    tag = "concerns",
    security(("bearer" = [])),
    request_body = CreateConcernCategoryRequest,
    responses(
        (status = 201, description = "The category was made", body = ConcernCategoryResponse, headers(("ETag" = String))),
        (status = 403, description = "Not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another category has this name (`slug-taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or an unknown operator or partner (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/concern-categories")]
pub async fn create_concern_category(
    state: web::Data<AppState>,
    _admin: Admin,
    Json(body): Json<CreateConcernCategoryRequest>,
) -> Result<HttpResponse, ApiError> {
    let name = bounded_text(&body.name, "name", 200)?;
    let kind: ConcernKind = body.kind.into();
    let row = CategoryRow {
        id: Uuid::now_v7(),
        name,
        kind: kind.as_str().to_owned(),
        operator_id: body.operator_id,
        needs_moderation: body.needs_moderation.unwrap_or(true),
        partner_id: body.partner_id,
        version: 1,
    };
    let mut conn = state.conn().await?;
    concerns::create_category(&mut conn, &row)
        .await
        .map_err(|error| {
            if error.is_constraint(concerns::CATEGORY_NAME_UNIQUE) {
                ApiError::Conflict {
                    slug: "slug-taken",
                    detail: "Another category has this name.".into(),
                }
            } else if error.is_constraint("concern_categories_operator_id_fkey") {
                ApiError::validation("operator_id", "is not the id of an operator")
            } else if error.is_constraint("concern_categories_partner_id_fkey") {
                ApiError::validation("partner_id", "is not the id of a partner")
            } else {
                error.into()
            }
        })?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::ETAG,
            crate::extract::etag(row.version),
        ))
        .json(ConcernCategoryResponse::from(row)))
}
