use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use quartier_domain::OperatorKind;
use quartier_persistence::operators::{self, NewOperator};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{DetailsInput, OperatorKindBody, OperatorResponse, check_details};
use crate::auth::Admin;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, etag};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOperatorRequest {
    #[schema(
        example = "AWO Musterstadt e.V.",
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub name: String,
    pub kind: OperatorKindBody,
    #[schema(
        max_length = 4000,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub description: Option<String>,
    #[schema(
        example = "https://awo-musterstadt.example",
        max_length = 500,
        pattern = r"^https?://[^\s/\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff][^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]*$"
    )]
    pub website: Option<String>,
    #[schema(example = "quartier@awo-musterstadt.example", max_length = 254, format = Email)]
    pub contact_email: Option<String>,
    #[schema(
        example = "+49 231 123456",
        max_length = 40,
        pattern = r"^ *[+(]?( *[0-9][ +\-/()]*){3,}$"
    )]
    pub contact_phone: Option<String>,
}

/// Create an operator. Administrators only.
#[utoipa::path(
    tag = "operators",
    security(("bearer" = [])),
    request_body = CreateOperatorRequest,
    responses(
        (status = 201, description = "The operator was created", body = OperatorResponse,
            headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "The caller is not an administrator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/operators")]
pub async fn create_operator(
    state: web::Data<AppState>,
    _admin: Admin,
    Json(body): Json<CreateOperatorRequest>,
) -> Result<HttpResponse, ApiError> {
    let details = check_details(DetailsInput {
        name: Some(&body.name),
        description: Some(body.description.as_deref().unwrap_or_default()),
        website: Some(body.website.as_deref()),
        contact_email: Some(body.contact_email.as_deref()),
        contact_phone: Some(body.contact_phone.as_deref()),
    })?;
    let mut conn = state.conn().await?;
    let row = operators::insert(
        &mut conn,
        &NewOperator {
            id: Uuid::now_v7(),
            name: details.name.as_deref().unwrap_or_default(),
            kind: OperatorKind::from(body.kind).as_str(),
            description: details.description.as_deref().unwrap_or_default(),
            website: details.website.flatten().as_deref(),
            contact_email: details.contact_email.flatten().as_deref(),
            contact_phone: details.contact_phone.flatten().as_deref(),
        },
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, etag(row.version)))
        .insert_header((header::LOCATION, format!("/api/v1/operators/{}", row.id)))
        .json(OperatorResponse::from(row)))
}
