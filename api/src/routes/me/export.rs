//! `GET /me/export`: everything Quartier stores about the caller (Art. 15 and 20 DSGVO).

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use quartier_persistence::audit::{self, Actor, Filter, NewEntry};
use quartier_persistence::{AsyncPgConnection, notifications, privacy, profiles, signups, trust};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::load_account;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::account::AccountResponse;
use crate::routes::audit::AuditEntry;
use crate::routes::concerns::ConcernResponse;
use crate::routes::concerns::answers::AnswerResponse;
use crate::routes::concerns::outcomes::OutcomeResponse;
use crate::routes::core_team::CoreTeamMemberResponse;
use crate::routes::me::notification_preferences::NotificationPreferences;
use crate::routes::me::notifications::NotificationResponse;
use crate::routes::networks::MembershipResponse;
use crate::routes::operators::api_keys::ApiKeyResponse;
use crate::routes::operators::trusts::OperatorSinceResponse;
use crate::routes::partners::PartnerMemberResponse;
use crate::routes::qualifications::{self as qualification_routes, QualificationResponse};
use crate::routes::volunteering::{HoursResponse, OwnSignupResponse, ProfileResponse};
use crate::state::AppState;

/// The most sign-ups and audit entries of each kind an export holds; beyond, the newest.
const EXPORT_MAX: i64 = 50_000;

/// Consent to the privacy policy.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentRecord {
    pub privacy_consent_at: DateTime<Utc>,
    /// `null`: given before versions were recorded.
    pub privacy_policy_version: Option<String>,
}

/// A staff role at an operator.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipRecord {
    pub operator_id: Uuid,
    pub operator_name: String,
    pub role: crate::routes::operators::members::StaffRoleBody,
    pub since: DateTime<Utc>,
}

impl From<privacy::Membership> for MembershipRecord {
    fn from(m: privacy::Membership) -> Self {
        Self {
            operator_id: m.operator_id,
            operator_name: m.operator_name,
            role: crate::names::stored(
                &m.role,
                crate::routes::operators::members::StaffRoleBody::Coordinator,
            ),
            since: m.since,
        }
    }
}

/// A session that can still be refreshed.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionRecord {
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl From<privacy::Session> for SessionRecord {
    fn from(s: privacy::Session) -> Self {
        Self {
            created_at: s.created_at,
            expires_at: s.expires_at,
        }
    }
}

/// Everything stored about one person, as JSON a program can read.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonalDataExport {
    pub exported_at: DateTime<Utc>,
    pub account: AccountResponse,
    pub consent: ConsentRecord,
    pub profile: ProfileResponse,
    /// With every operator's verification of each.
    pub qualifications: Vec<QualificationResponse>,
    /// The operators you said you help.
    pub operators_helped: Vec<OperatorSinceResponse>,
    /// What Quartier told you (the latest 100).
    pub notifications: Vec<NotificationResponse>,
    /// Your choices for optional mail.
    pub notification_preferences: NotificationPreferences,
    /// Every sign-up, coming ones first (by start), then past ones (latest first).
    pub signups: Vec<OwnSignupResponse>,
    pub hours: Vec<HoursResponse>,
    pub memberships: Vec<MembershipRecord>,
    /// When the calendar feed was made, if there is one (its address is a secret that only
    /// its holder knows).
    pub calendar_feed_created_at: Option<DateTime<Utc>>,
    pub sessions: Vec<SessionRecord>,
    /// Keys this person created for operators' systems (never their secrets).
    pub api_keys_created: Vec<ApiKeyResponse>,
    /// What others (and Quartier itself) did with this person's data, newest first.
    pub audit_about_me: Vec<AuditEntry>,
    /// What this person did with others' data as staff or administrator, newest first.
    pub audit_by_me: Vec<AuditEntry>,
    /// The concerns this person raised, newest first.
    pub concerns: Vec<ConcernResponse>,
    /// Concerns raised with the guest form at this person's address, waiting for the
    /// confirmation, newest first.
    pub concerns_waiting: Vec<crate::routes::concerns::guest::ConcernDraftRecord>,
    /// The concerns this person supports, newest first.
    pub concern_supports: Vec<ConcernSupportRecord>,
    /// The answers to concerns this person wrote as staff, newest first.
    pub concern_answers_written: Vec<AnswerResponse>,
    /// What came of concerns, as this person linked it as staff, newest first.
    pub concern_outcomes_linked: Vec<OutcomeResponse>,
    /// The partners whose staff this person is.
    pub partner_memberships: Vec<PartnerMemberResponse>,
    /// This person's memberships in networks.
    pub network_memberships: Vec<MembershipResponse>,
    /// This person's role in the core team, if any.
    pub core_team_role: Option<CoreTeamMemberResponse>,
    /// The dates of rooms this person booked or asked for, latest first.
    pub room_bookings: Vec<crate::routes::rooms::decide::RoomRequestResponse>,
    /// Room bookings asked for with the guest form at her address, waiting for confirmation.
    pub room_bookings_waiting: Vec<crate::routes::rooms::guest::RoomBookingDraftRecord>,
    /// This person's standing sign-ups ("every Tuesday"), ended ones too, newest first.
    pub standing_signups: Vec<crate::routes::standing::StandingSignupResponse>,
    /// The dates this person said they cannot come.
    pub blockouts: Vec<crate::routes::standing::BlockoutResponse>,
    /// This person's applications to neighbourhood funds, newest first.
    pub fund_applications: Vec<crate::routes::funds::ApplicationResponse>,
    /// Applications to funds made with the guest form at her address, waiting for
    /// confirmation.
    pub fund_applications_waiting: Vec<crate::routes::funds::guest::FundApplicationDraftRecord>,
    /// Her requests of neighbourly help and the matches in which she helps.
    pub help: crate::routes::help::mine::MyHelpResponse,
    /// Requests of neighbourly help made with the guest form at her address, waiting for
    /// confirmation.
    pub help_requests_waiting: Vec<crate::routes::help::guest::HelpRequestDraftRecord>,
}

/// A concern one supports.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernSupportRecord {
    pub concern_id: Uuid,
    pub title: String,
    /// Whether you asked to hear of its answers.
    pub notify: bool,
    pub since: DateTime<Utc>,
}

impl From<quartier_persistence::concerns::SupportRecord> for ConcernSupportRecord {
    fn from(s: quartier_persistence::concerns::SupportRecord) -> Self {
        Self {
            concern_id: s.concern_id,
            title: s.title,
            notify: s.notify,
            since: s.created_at,
        }
    }
}

/// Everything Quartier stores about you, in one JSON document (Art. 15 and 20 DSGVO):
/// account, consent, profile, qualifications with their verifications, the operators you
/// help, sign-ups, hours, staff roles, calendar feed,
/// sessions, the API keys you created, the audit entries about you and by you, and the
/// concerns you raised, support or answered, standing sign-ups and blockouts, and your
/// applications to neighbourhood funds. Sent as a
/// download; the export itself is recorded in the audit trail.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The export", body = PersonalDataExport),
        (status = 401, description = "No valid access token, or the account is gone (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API key was sent: this is for people (`forbidden`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/export")]
pub async fn export_me(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let now = Utc::now();
    let mut conn = state.conn().await?;
    let export = gather(&mut conn, user, now).await?;
    NewEntry::new(Actor::User(user.id), "account.exported", "user", user.id)
        .about([user.id])
        .record(&mut conn)
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"quartier-export.json\"",
        ))
        .json(export))
}

/// Everything stored about `user`, as it is at `now`.
async fn gather(
    conn: &mut AsyncPgConnection,
    user: AuthUser,
    now: DateTime<Utc>,
) -> Result<PersonalDataExport, ApiError> {
    let account = load_account(conn, user).await?;
    let profile = profiles::find(conn, user.id).await?;
    let qualifications = qualification_routes::qualifications_of(conn, user.id).await?;
    let operators_helped = records(trust::joined_operators(conn, user.id).await?);
    let notifications = records(notifications::of_user(conn, user.id, 100).await?);
    let notification_preferences =
        crate::routes::me::notification_preferences::of_user(conn, user.id).await?;
    let signups = signups_of(conn, user.id, now).await?;
    let hours = records(signups::hours(conn, user.id).await?);
    let memberships = records(privacy::memberships_of(conn, user.id).await?);
    let sessions = records(privacy::sessions_of(conn, user.id, now).await?);
    let api_keys_created = records(privacy::api_keys_created_by(conn, user.id).await?);
    let (audit_about_me, audit_by_me) = audit_of(conn, user.id).await?;
    let concerns = quartier_persistence::concerns::list(
        conn,
        &quartier_persistence::concerns::ConcernFilter {
            author_id: Some(user.id),
            ..Default::default()
        },
        None,
        EXPORT_MAX,
    )
    .await?
    .into_iter()
    .map(|view| ConcernResponse::new(view, Some(user), None))
    .collect();
    let concern_supports =
        records(quartier_persistence::concerns::supports_of(conn, user.id, EXPORT_MAX).await?);
    let concern_answers_written =
        records(quartier_persistence::concerns::answers_by(conn, user.id, EXPORT_MAX).await?);
    let concern_outcomes_linked = records(
        quartier_persistence::concern_outcomes::linked_by(conn, user.id, EXPORT_MAX).await?,
    );
    let partner_memberships =
        records(quartier_persistence::partners::memberships_of(conn, user.id).await?);
    let network_memberships =
        records(quartier_persistence::networks::memberships_of(conn, user.id).await?);
    let core_team_role = quartier_persistence::core_team::find(conn, user.id)
        .await?
        .map(CoreTeamMemberResponse::from);
    let (fund_applications, fund_applications_waiting) =
        crate::routes::funds::guest::export_of(conn, user.id, EXPORT_MAX).await?;
    Ok(PersonalDataExport {
        exported_at: now,
        consent: ConsentRecord {
            privacy_consent_at: account.privacy_consent_at,
            privacy_policy_version: account.privacy_policy_version.clone(),
        },
        account: AccountResponse::from(account),
        profile: ProfileResponse::from(profile),
        qualifications,
        operators_helped,
        notifications,
        notification_preferences,
        signups,
        hours,
        memberships,
        calendar_feed_created_at: privacy::feed_of(conn, user.id).await?,
        sessions,
        api_keys_created,
        audit_about_me,
        audit_by_me,
        concerns,
        concerns_waiting: records(quartier_persistence::guests::drafts_of(conn, user.id).await?),
        concern_supports,
        concern_answers_written,
        concern_outcomes_linked,
        partner_memberships,
        network_memberships,
        core_team_role,
        room_bookings: records(
            quartier_persistence::rooms::dates_of(conn, user.id, EXPORT_MAX).await?,
        ),
        room_bookings_waiting: records(
            quartier_persistence::rooms::drafts::of_user(conn, user.id).await?,
        ),
        standing_signups: records(quartier_persistence::standing::of_user(conn, user.id).await?),
        blockouts: records(quartier_persistence::standing::blockouts_of(conn, user.id).await?),
        fund_applications,
        fund_applications_waiting,
        help: crate::routes::help::mine::of(conn, user.id).await?,
        help_requests_waiting: crate::routes::help::guest::waiting_of(conn, user.id).await?,
    })
}

/// Each row as the export shows it.
fn records<R, T: From<R>>(rows: Vec<R>) -> Vec<T> {
    rows.into_iter().map(T::from).collect()
}

/// Every sign-up of `user_id`: coming ones first (by start), then past ones (latest first).
async fn signups_of(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<OwnSignupResponse>, ApiError> {
    let mut all = Vec::new();
    for past in [false, true] {
        let rows = signups::of_user(conn, user_id, past, now, None, EXPORT_MAX).await?;
        all.extend(rows.into_iter().map(OwnSignupResponse::from));
    }
    Ok(all)
}

/// The audit entries about `user_id`, and those by them; each newest first.
async fn audit_of(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<(Vec<AuditEntry>, Vec<AuditEntry>), ApiError> {
    let about = Filter {
        subject: Some(user_id),
        ..Filter::default()
    };
    let about_me = audit::list(conn, &about, EXPORT_MAX)
        .await?
        .into_iter()
        .map(|row| AuditEntry::about(row, user_id))
        .collect();
    let by = Filter {
        actor_user: Some(user_id),
        ..Filter::default()
    };
    let by_me = records(audit::list(conn, &by, EXPORT_MAX).await?);
    Ok((about_me, by_me))
}
