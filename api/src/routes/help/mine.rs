//! `GET /me/help`: the signed-in person's requests and the matches in which she helps.

use actix_web::{HttpResponse, get, web};
use quartier_persistence::help as store;
use serde::Serialize;
use utoipa::ToSchema;

use super::{HelpRequestResponse, MatchResponse, PublicHelpRequest, Standing, match_response};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// A match in which you help, with the request as its helper sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpingResponse {
    #[serde(rename = "match")]
    pub matched: MatchResponse,
    pub request: PublicHelpRequest,
    /// The request's private details, once you may read them (both agreed, or the centre's
    /// staff chose you for a mediated request).
    pub details: Option<String>,
}

/// Your neighbourly help.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyHelpResponse {
    /// Your requests, the newest first, with their matches (the helper's contact in a
    /// match once both said yes).
    pub requests: Vec<HelpRequestResponse>,
    /// Where you help, the newest first (the requester's contact once both said yes).
    pub helping: Vec<HelpingResponse>,
    /// The messages of the matches you are a side of, newest first (at most 1 000).
    pub messages: Vec<super::messages::HelpMessageResponse>,
}

/// Your requests of neighbourly help and the matches in which you help.
#[utoipa::path(
    tag = "help",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your help", body = MyHelpResponse),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/help")]
pub async fn my_help(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let body = of(&mut conn, user.id).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// The help of `user_id`, as she sees it: for `/me/help` and her export.
pub(crate) async fn of(
    conn: &mut quartier_persistence::AsyncPgConnection,
    user_id: uuid::Uuid,
) -> Result<MyHelpResponse, ApiError> {
    let mut requests = Vec::new();
    for row in store::of_person(conn, user_id).await? {
        let matches = store::matches_of(conn, row.id).await?;
        let standing = Standing {
            requester: true,
            ..Standing::default()
        };
        requests.push(HelpRequestResponse::load(conn, &row, &matches, standing).await?);
    }
    let mut helping = Vec::new();
    for (row, request) in store::of_helper(conn, user_id).await? {
        let standing = Standing::helper(&row, &request);
        helping.push(HelpingResponse {
            matched: match_response(conn, &row, &request, standing).await?,
            request: PublicHelpRequest::from(&request),
            details: request.details.clone().filter(|_| standing.reads_details()),
        });
    }
    let messages = store::messages_of_person(conn, user_id, 1000)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(MyHelpResponse {
        requests,
        helping,
        messages,
    })
}
