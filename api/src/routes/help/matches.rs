//! Matches of helpers to requests: a helper volunteers for a direct request, staff propose
//! helpers for any; then each side says yes or no, and the help is completed or the helper
//! did not come. Both sides hear of each step by notification (no contacts in it); contacts
//! appear in the match only for the two, only while `matched`.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use chrono::Utc;
use quartier_domain::help::{HelpMode, MatchAction, MatchStatus};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::help::{self as store, Changed, MatchRow, RequestRow};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{MatchResponse, Standing, existing, match_response, refused, standing};
use crate::auth::{AuthUser, Caller};
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, etag};
use crate::state::AppState;

/// A change to a match.
pub(super) enum Change<'a> {
    /// A new match (`store::offer`).
    Offer {
        request_id: Uuid,
        helper_id: Uuid,
        first: MatchStatus,
    },
    /// A step of a match (`store::step`).
    Step {
        match_id: Uuid,
        action: MatchAction,
        versions: Option<&'a [i32]>,
    },
}

/// Makes or moves a match as `change` says (its notifications queued with it); `actor` is
/// who acts (not told of her own step).
pub(super) async fn changed_and_told(
    conn: &mut AsyncPgConnection,
    actor: Option<Uuid>,
    change: Change<'_>,
) -> Result<Changed, ApiError> {
    let now = Utc::now();
    let changed = match change {
        Change::Offer {
            request_id,
            helper_id,
            first,
        } => store::offer(conn, request_id, helper_id, first, actor, now).await?,
        Change::Step {
            match_id,
            action,
            versions,
        } => store::step(conn, match_id, action, versions, actor, now).await?,
    };
    changed.map_err(refused)
}

/// The answer with the match as `standing` sees it.
pub(super) async fn answered(
    conn: &mut AsyncPgConnection,
    changed: &Changed,
    standing: Standing,
    created: bool,
) -> Result<HttpResponse, ApiError> {
    let response = match_response(conn, &changed.matched, &changed.request, standing).await?;
    let mut answer = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    if created {
        answer.insert_header((
            header::LOCATION,
            format!("/api/v1/help-matches/{}", response.id),
        ));
    }
    Ok(answer
        .insert_header((header::ETAG, etag(response.version)))
        .json(response))
}

/// Offer to help with a direct request: you hold one of its places at once (if one is
/// left, your qualification fits and your own monthly cap allows), and the requester says
/// yes or no. Any signed-in person but the requester; for a mediated request the centre's
/// staff propose helpers instead (409 `help-mediated`).
#[utoipa::path(
    tag = "help",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The request's id")),
    responses(
        (status = 201, description = "Your match, `accepted_by_helper`", body = MatchResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No request has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Mediated by staff (`help-mediated`), not open or its time ran out (`help-request-closed`), every place held (`help-request-full`), you offered already (`help-already-matched`), or your own monthly cap reached (`help-cap-reached`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Your own request (`help-own-request`), or a qualification it needs that you lack (`qualification-missing`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/help-requests/{id}/volunteer")]
pub async fn volunteer_for_help(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let request = existing(&mut conn, *id).await?;
    let Some(first) = MatchStatus::first(request.mode(), false) else {
        return Err(ApiError::Conflict {
            slug: "help-mediated",
            detail: "The centre's staff find the helpers for this request: ask them.".into(),
        });
    };
    debug_assert_eq!(request.mode(), HelpMode::Direct);
    let changed = changed_and_told(
        &mut conn,
        Some(user.id),
        Change::Offer {
            request_id: request.id,
            helper_id: user.id,
            first,
        },
    )
    .await?;
    let standing = Standing::helper(&changed.matched, &changed.request);
    answered(&mut conn, &changed, standing, true).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposeHelperRequest {
    /// The helper's account.
    pub helper_id: Uuid,
}

/// Propose a helper for a request: she hears of it and says yes or no, then the requester
/// (or staff for her). The centre's staff, its operator's keys with `help:write`.
#[utoipa::path(
    tag = "help",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The request's id")),
    request_body = ProposeHelperRequest,
    responses(
        (status = 201, description = "The match, `proposed`", body = MatchResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "The id is not a UUID, or the body is not JSON (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the centre's staff, or a key of another operator or without `help:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No request has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not open or its time ran out (`help-request-closed`), the helper is matched to it already (`help-already-matched`), or her own monthly cap reached (`help-cap-reached`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No account has this id (`validation-failed`), the requester herself (`help-own-request`), or a qualification it needs that she lacks (`qualification-missing`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/help-requests/{id}/matches")]
pub async fn propose_helper(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(body): Json<ProposeHelperRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let request = existing(&mut conn, *id).await?;
    if !super::mediates(&mut conn, &caller, request.centre_id).await? {
        return Err(ApiError::Forbidden(
            "Only the staff of the centre that mediates a request propose its helpers.".into(),
        ));
    }
    let Some(first) = MatchStatus::first(request.mode(), true) else {
        return Err(ApiError::Internal("staff always propose".into()));
    };
    if !quartier_persistence::users::exists(&mut conn, body.helper_id).await? {
        return Err(ApiError::validation(
            "helper_id",
            "is not the id of an account",
        ));
    }
    let actor = caller.user().map(|u| u.id);
    let changed = changed_and_told(
        &mut conn,
        actor,
        Change::Offer {
            request_id: request.id,
            helper_id: body.helper_id,
            first,
        },
    )
    .await
    .map_err(|error| match error {
        ApiError::NotFound(_) => ApiError::validation("helper_id", "is not the id of an account"),
        other => other,
    })?;
    let standing = Standing {
        staff: true,
        ..Standing::default()
    };
    answered(&mut conn, &changed, standing, true).await
}

/// The match `id` with its request and what the caller is to them; 404 when she is none
/// of the two nor the centre's staff.
pub(super) async fn readable(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(MatchRow, RequestRow, Standing), ApiError> {
    let (row, request) = store::find_match(conn, id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No help match has this id.".into()))?;
    let standing = standing(conn, caller, &request, std::slice::from_ref(&row)).await?;
    if !standing.requester && !standing.staff && standing.helper_of.is_none() {
        return Err(ApiError::NotFound("No help match has this id.".into()));
    }
    Ok((row, request, standing))
}

/// One match: for its helper, the requester (the other's contact once both said yes) and
/// the centre's staff (no contacts).
#[utoipa::path(
    tag = "help",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The match's id")),
    responses(
        (status = 200, description = "The match", body = MatchResponse, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No match has this id, or it is not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/help-matches/{id}")]
pub async fn get_help_match(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let (row, request, standing) = readable(&mut conn, &caller, *id).await?;
    let response = match_response(&mut conn, &row, &request, standing).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(response.version)))
        .json(response))
}

/// Whether `standing` may take `action` on the match `row` of `request`. The requester's
/// yes passes her contact: staff give it only for someone they recorded (who told them on
/// the phone or at the counter); a resident with an account or a guest gives her own.
fn allowed(
    action: MatchAction,
    row: &MatchRow,
    request: &RequestRow,
    standing: Standing,
) -> Result<(), ApiError> {
    let helper = standing.helper_of == Some(row.id);
    let for_requester = standing.requester || standing.staff;
    let ok = match action {
        MatchAction::HelperAccepts => helper,
        MatchAction::RequesterAccepts => standing.requester || (standing.staff && request.recorded),
        MatchAction::NoShow => for_requester,
        MatchAction::Decline | MatchAction::Complete => helper || for_requester,
        MatchAction::Cancel => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            match action {
                MatchAction::HelperAccepts => "Only the helper says yes to a proposal.",
                MatchAction::RequesterAccepts => {
                    "Only the requester says yes to her helper; the centre's staff say it only for someone they recorded."
                }
                _ => "Only the requester, or the centre's staff for her, takes this step.",
            }
            .into(),
        ))
    }
}

/// Takes `action` (or, for `accept`, the yes that is due from the caller) on the match.
async fn take(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    action: Option<MatchAction>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let (row, request, standing) = readable(&mut conn, caller, id).await?;
    let action = match action {
        Some(action) => action,
        // A yes: the helper's (to a proposal), or the requester's (to a helper who said
        // yes); which is due the match's status says (409 when it is not).
        None if standing.helper_of == Some(row.id) => MatchAction::HelperAccepts,
        None => MatchAction::RequesterAccepts,
    };
    allowed(action, &row, &request, standing)?;
    let actor = caller.user().map(|u| u.id);
    let versions = if_match.optional_versions();
    let changed = changed_and_told(
        &mut conn,
        actor,
        Change::Step {
            match_id: row.id,
            action,
            versions,
        },
    )
    .await?;
    let standing = if standing.helper_of.is_some() {
        Standing {
            helper_reads: changed
                .matched
                .status()
                .reads_details(changed.request.mode()),
            ..standing
        }
    } else {
        standing
    };
    answered(&mut conn, &changed, standing, false).await
}

macro_rules! step_route {
    ($(#[$doc:meta])* $name:ident, $path:literal, $action:expr, $ok:literal, $forbidden:literal, $conflict:literal) => {
        $(#[$doc])*
        #[utoipa::path(
            tag = "help",
            security(("bearer" = []), ("api_key" = [])),
            params(
                ("id" = Uuid, Path, description = "The match's id"),
                ("If-Match" = Option<String>, Header, description = "The ETag the client read"),
            ),
            responses(
                (status = 200, description = $ok, body = MatchResponse, headers(("ETag" = String))),
                (status = 400, description = "The id is not a UUID, or `If-Match` does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
                (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
                (status = 403, description = $forbidden, body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No match has this id, or it is not the caller's to see (`not-found`)", body = Problem, content_type = "application/problem+json"),
                (status = 409, description = $conflict, body = Problem, content_type = "application/problem+json"),
                (status = 412, description = "The match changed since it was read (`version-conflict`)", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "A qualification the request needs that the helper lacks (`qualification-missing`)", body = Problem, content_type = "application/problem+json"),
            ),
        )]
        #[post($path)]
        pub async fn $name(
            state: web::Data<AppState>,
            caller: Caller,
            id: web::Path<Uuid>,
            if_match: IfMatch,
        ) -> Result<HttpResponse, ApiError> {
            take(&state, &caller, *id, &if_match, $action).await
        }
    };
}

step_route!(
    /// Say yes: the helper to a proposal (she then holds a place, if one is left, the
    /// qualification fits and the giver's own monthly cap allows), or the requester to a
    /// helper who said yes (the centre's staff for someone they recorded): then both see
    /// each other's contact.
    accept_help_match,
    "/help-matches/{id}/accept",
    None,
    "The match, `accepted_by_helper` or `matched`",
    "Staff or a key saying yes for a requester they did not record (`forbidden`)",
    "Not waiting for this yes (`help-step-not-allowed`), the request ended or its time ran out (`help-request-closed`), every place held (`help-request-full`), or the helper's own monthly cap reached (`help-cap-reached`)"
);
step_route!(
    /// Say no, before the help: the helper, the requester or the centre's staff. A place the
    /// helper held is free again; a matched request looks for a helper again.
    decline_help_match,
    "/help-matches/{id}/decline",
    Some(MatchAction::Decline),
    "The match, `declined`",
    "Not a side of the match (`forbidden`)",
    "Over already (`help-step-not-allowed`), or the request ended (`help-request-closed`)"
);
step_route!(
    /// The help happened: the helper, the requester or the centre's staff. Once each of its
    /// helpers helped, the request is done.
    complete_help_match,
    "/help-matches/{id}/complete",
    Some(MatchAction::Complete),
    "The match, `completed`",
    "Not a side of the match (`forbidden`)",
    "Not matched (`help-step-not-allowed`), or the request ended (`help-request-closed`)"
);
step_route!(
    /// The helper did not come: the requester or the centre's staff. The request looks for
    /// a helper again.
    no_show_help_match,
    "/help-matches/{id}/no-show",
    Some(MatchAction::NoShow),
    "The match, `no_show`",
    "Not the requester nor the centre's staff (`forbidden`)",
    "Not matched (`help-step-not-allowed`), or the request ended (`help-request-closed`)"
);
