//! Invitations to an operator's staff: `/operators/{id}/invitations` for its operator admins,
//! `POST /invitations/accept` for the person invited.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use quartier_domain::{Email, StaffRole};
use quartier_persistence::AsyncConnection as _;
use quartier_persistence::audit::NewEntry;
use quartier_persistence::staff_invitations::{self, InvitationRow, NewInvitation, Refusal};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::members::{MemberResponse, StaffRoleBody, check_limits, refused, respond};
use crate::auth::AuthUser;
use crate::authz::require_staff;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::mail::INVITATION_DAYS;
use crate::routes::auth::email::{LinkTokenRequest, link_invalid};
use crate::state::AppState;
use crate::tokens::LinkTokens;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationRequest {
    /// The address to invite. Whether it has an account is not told.
    #[schema(example = "kim.koordination@example.org", format = Email, max_length = 254)]
    pub email: String,
    pub role: StaffRoleBody,
    /// For coordinators: the centres of this operator they will be limited to. Left out or
    /// empty: all its centres.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub centre_ids: Vec<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationResponse {
    pub id: Uuid,
    pub operator_id: Uuid,
    pub email: String,
    pub role: StaffRoleBody,
    pub centre_ids: Vec<Uuid>,
    /// Who invited (none once that account is gone).
    pub invited_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// After this the link no longer works.
    pub expires_at: DateTime<Utc>,
}

impl From<InvitationRow> for InvitationResponse {
    fn from(row: InvitationRow) -> Self {
        Self {
            id: row.id,
            operator_id: row.operator_id,
            email: row.email,
            role: crate::names::stored(&row.role, StaffRoleBody::Coordinator),
            centre_ids: row.centre_ids,
            invited_by: row.invited_by,
            created_at: row.created_at,
            expires_at: row.expires_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationList {
    /// Open invitations (not accepted, not withdrawn), newest first.
    pub items: Vec<InvitationResponse>,
}

/// Invite an address to the operator's staff. Operator admins of this operator and
/// administrators.
///
/// A link is mailed to the address (valid for 7 days, once). Whoever uses it while signed in
/// with an account whose verified address it is becomes staff with the role and centre limits
/// given here. Inviting the same address again replaces the open invitation. The answer says
/// nothing about whether the address has an account.
#[utoipa::path(
    tag = "operators",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The operator's id")),
    request_body = InvitationRequest,
    responses(
        (status = 201, description = "The invitation is on its way", body = InvitationResponse),
        (status = 403, description = "Not an administrator or operator admin of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or centres that are not the operator's (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/operators/{id}/invitations")]
pub async fn invite_staff(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    Json(body): Json<InvitationRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = Email::parse(&body.email)?;
    let role = StaffRole::from(body.role).as_str();
    check_limits(role, &body.centre_ids)?;
    let mut conn = state.conn().await?;
    require_staff(&mut conn, user, *id, StaffRole::OperatorAdmin).await?;
    let theirs =
        quartier_persistence::centres::count_of_operator(&mut conn, *id, &body.centre_ids).await?;
    if theirs != body.centre_ids.len() {
        return Err(ApiError::validation(
            "centre_ids",
            "names a centre that is not one of this operator's",
        ));
    }
    let invitation_id = Uuid::now_v7();
    let hash = LinkTokens::hash(&state.links.token(invitation_id));
    let row = conn
        .transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let row = staff_invitations::invite(
                conn,
                &NewInvitation {
                    id: invitation_id,
                    operator_id: *id,
                    email: email.as_str(),
                    role,
                    centre_ids: &body.centre_ids,
                    invited_by: Some(user.id),
                    token_hash: &hash,
                    expires_at: Utc::now() + chrono::Duration::days(INVITATION_DAYS),
                },
            )
            .await?;
            NewEntry::new(user.actor(), "member.invited", "operator", *id)
                .operator(*id)
                .details(serde_json::json!({
                    "invitation_id": invitation_id, "role": role, "centre_ids": body.centre_ids,
                }))
                .record(conn)
                .await?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(InvitationResponse::from(row)))
}

/// The operator's open invitations. Operator admins of this operator and administrators.
#[utoipa::path(
    tag = "operators",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The operator's id")),
    responses(
        (status = 200, description = "Open invitations", body = InvitationList),
        (status = 403, description = "Not an administrator or operator admin of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No operator has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/operators/{id}/invitations")]
pub async fn list_invitations(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    require_staff(&mut conn, user, *id, StaffRole::OperatorAdmin).await?;
    let items = staff_invitations::open_of(&mut conn, *id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-cache"))
        .json(InvitationList { items }))
}

/// Withdraw an open invitation: its link stops working.
#[utoipa::path(
    tag = "operators",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The operator's id"),
        ("invitation_id" = Uuid, Path, description = "The invitation's id"),
    ),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 403, description = "Not an administrator or operator admin of this operator (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such operator, or no open invitation of it has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/operators/{id}/invitations/{invitation_id}")]
pub async fn revoke_invitation(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (operator_id, invitation_id) = path.into_inner();
    let mut conn = state.conn().await?;
    require_staff(&mut conn, user, operator_id, StaffRole::OperatorAdmin).await?;
    if !staff_invitations::revoke(&mut conn, operator_id, invitation_id).await? {
        return Err(ApiError::NotFound(
            "The operator has no open invitation with this id.".into(),
        ));
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Accept an invitation to an operator's staff with the token of its link.
///
/// Signed in with the account whose verified address the invitation was mailed to: another
/// account is refused (403), an unverified one too (409 `email-not-verified`). The account
/// becomes staff with the role and centre limits offered; the link is used up.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = LinkTokenRequest,
    responses(
        (status = 201, description = "You are staff now", body = MemberResponse),
        (status = 403, description = "The invitation is for another address than this account's (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "This account is staff of the operator already (`already-member`), or its address is not verified (`email-not-verified`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The link is unknown, used, withdrawn or expired (`link-invalid`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/invitations/accept")]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    user: AuthUser,
    Json(body): Json<LinkTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash()?;
    let mut conn = state.conn().await?;
    // Becoming staff and its audit entry commit together.
    let accepted = conn
        .transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let accepted = staff_invitations::accept(conn, &hash, user.id).await?;
            if let Ok((invitation, _)) = &accepted {
                NewEntry::new(
                    user.actor(),
                    "member.added",
                    "operator",
                    invitation.operator_id,
                )
                .operator(invitation.operator_id)
                .about([user.id])
                .details(serde_json::json!({
                    "role": invitation.role, "centre_ids": invitation.centre_ids,
                    "invitation_id": invitation.id,
                }))
                .record(conn)
                .await?;
            }
            Ok(accepted)
        })
        .await
        .map_err(refused)?;
    let (invitation, member) = match accepted {
        Ok(done) => done,
        Err(Refusal::Unknown) => return Err(link_invalid()),
        Err(Refusal::OtherAddress) => {
            return Err(ApiError::Forbidden(
                "This invitation was mailed to another address than your account's.".into(),
            ));
        }
        Err(Refusal::Unverified) => {
            return Err(ApiError::Conflict {
                slug: "email-not-verified",
                detail: "Verify your e-mail address first (the link Quartier mailed you), then accept the invitation.".into(),
            });
        }
    };
    Ok(HttpResponse::Created().json(respond(&mut conn, invitation.operator_id, member).await?))
}
