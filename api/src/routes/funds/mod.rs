//! `/funds`: neighbourhood funds (Verfügungsfonds, Quartiersfonds) and the applications of
//! residents' own projects to them, from the draft to the proof of use; `/fund-projects`,
//! the public list of what was granted, without who applied.
//!
//! Who keeps a fund: for an operator's fund its staff (coordinators and operator admins) and
//! its API keys with `funds:write`; for a district's fund the administrators and the core
//! team who look after the district. They check applications, record decisions (their own up
//! to the fund's staff threshold, or the committee's with its minutes), and settle. The
//! applicant (the account that made the application, or one who speaks for the partner it
//! names) submits, reports and withdraws.

pub mod applications;
pub mod create;
pub mod guest;
pub mod projects;
pub mod steps;
pub mod translations;

use chrono::{DateTime, Utc};
use quartier_domain::fund::{ApplicationStatus, Decider};
use quartier_domain::integration::Scope;
use quartier_domain::translation::{TextField, TextOwner};
use quartier_domain::{FundApplicationFacts, Role, StaffRole};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::funds::{self, ApplicationRow, CostLine, FundRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::languages::{ContentLanguageResponse, Translatable, TranslationResponse};

/// Where an application stands: `draft` → `submitted` → `prechecked` → `approved` or
/// `declined` → `reported` → `settled`; `withdrawn` by the applicant until it is reported.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatusBody {
    Draft,
    Submitted,
    Prechecked,
    Approved,
    Declined,
    Reported,
    Settled,
    Withdrawn,
}

impl From<ApplicationStatus> for ApplicationStatusBody {
    fn from(status: ApplicationStatus) -> Self {
        match status {
            ApplicationStatus::Draft => ApplicationStatusBody::Draft,
            ApplicationStatus::Submitted => ApplicationStatusBody::Submitted,
            ApplicationStatus::Prechecked => ApplicationStatusBody::Prechecked,
            ApplicationStatus::Approved => ApplicationStatusBody::Approved,
            ApplicationStatus::Declined => ApplicationStatusBody::Declined,
            ApplicationStatus::Reported => ApplicationStatusBody::Reported,
            ApplicationStatus::Settled => ApplicationStatusBody::Settled,
            ApplicationStatus::Withdrawn => ApplicationStatusBody::Withdrawn,
        }
    }
}

impl From<ApplicationStatusBody> for ApplicationStatus {
    fn from(status: ApplicationStatusBody) -> Self {
        match status {
            ApplicationStatusBody::Draft => ApplicationStatus::Draft,
            ApplicationStatusBody::Submitted => ApplicationStatus::Submitted,
            ApplicationStatusBody::Prechecked => ApplicationStatus::Prechecked,
            ApplicationStatusBody::Approved => ApplicationStatus::Approved,
            ApplicationStatusBody::Declined => ApplicationStatus::Declined,
            ApplicationStatusBody::Reported => ApplicationStatus::Reported,
            ApplicationStatusBody::Settled => ApplicationStatus::Settled,
            ApplicationStatusBody::Withdrawn => ApplicationStatus::Withdrawn,
        }
    }
}

/// Who decided: `staff` alone (up to the fund's staff threshold), or the fund's `committee`
/// with its minutes.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DeciderBody {
    Staff,
    Committee,
}

impl From<Decider> for DeciderBody {
    fn from(decider: Decider) -> Self {
        match decider {
            Decider::Staff => DeciderBody::Staff,
            Decider::Committee => DeciderBody::Committee,
        }
    }
}

impl From<DeciderBody> for Decider {
    fn from(decider: DeciderBody) -> Self {
        match decider {
            DeciderBody::Staff => Decider::Staff,
            DeciderBody::Committee => Decider::Committee,
        }
    }
}

/// A neighbourhood fund with what it has granted. Public.
#[derive(Debug, Serialize, ToSchema)]
pub struct FundResponse {
    pub id: Uuid,
    /// The operator that runs it; or `district_id`.
    pub operator_id: Option<Uuid>,
    /// The district the town runs it for; or `operator_id`.
    pub district_id: Option<Uuid>,
    /// The network (Quartiersbeirat, Jury) that decides above `staff_threshold_cents`.
    pub committee_network_id: Option<Uuid>,
    pub year: i16,
    pub title: String,
    pub budget_cents: i64,
    /// The most one project may get.
    pub per_project_max_cents: i64,
    /// Up to this amount staff decide alone; above it the committee.
    pub staff_threshold_cents: i64,
    /// What approved, reported and settled projects hold (settled ones what they spent).
    pub granted_cents: i64,
    /// What settled projects spent.
    pub spent_cents: i64,
    /// What it may still grant.
    pub remaining_cents: i64,
    /// Since when it takes no new applications; null while it is open.
    pub closed_at: Option<DateTime<Utc>>,
    /// The language `title` is served in, and whether it fell back to German.
    pub content_language: ContentLanguageResponse,
    /// Every variant with its state; only for those who keep the fund, asking with
    /// `all_languages=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Vec<TranslationResponse>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Changes with every change, of the German title or its variants; sent as `ETag`.
    pub version: i32,
}

impl Translatable for FundResponse {
    const OWNER: TextOwner = TextOwner::Fund;

    fn owner_id(&self) -> Uuid {
        self.id
    }

    fn source_text(&self, field: TextField) -> Option<&str> {
        (field == TextField::Title).then_some(self.title.as_str())
    }

    fn set_text(&mut self, field: TextField, text: String) {
        if field == TextField::Title {
            self.title = text;
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

impl From<FundRow> for FundResponse {
    fn from(row: FundRow) -> Self {
        Self {
            remaining_cents: row.remaining().get(),
            id: row.id,
            operator_id: row.operator_id,
            district_id: row.district_id,
            committee_network_id: row.committee_network_id,
            year: row.year,
            title: row.title,
            budget_cents: row.budget_cents,
            per_project_max_cents: row.per_project_max_cents,
            staff_threshold_cents: row.staff_threshold_cents,
            granted_cents: row.granted_cents,
            spent_cents: row.spent_cents,
            closed_at: row.closed_at,
            content_language: ContentLanguageResponse::source(),
            translations: None,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// A line of a cost plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CostLineBody {
    #[schema(example = "Miete Hüpfburg", min_length = 1, max_length = 200)]
    pub label: String,
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    pub amount_cents: i64,
}

impl From<CostLine> for CostLineBody {
    fn from(line: CostLine) -> Self {
        Self {
            label: line.label,
            amount_cents: line.amount_cents,
        }
    }
}

/// The decision on an application.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionResponse {
    pub decided_by: DeciderBody,
    pub decided_at: DateTime<Utc>,
    /// The account that recorded it; null once erased, when an API key did, and for the
    /// applicant (who hears from the fund, not from a person).
    pub recorded_by: Option<Uuid>,
    /// What was granted; null for a decline.
    pub granted_cents: Option<i64>,
    /// Why not; null for a grant.
    pub decline_reason: Option<String>,
    /// The committee's meeting (a date of an activity) that decided.
    pub minutes_occurrence_id: Option<Uuid>,
    /// Where the committee's minutes are, in words.
    pub minutes_note: Option<String>,
}

/// The proof of use (Verwendungsnachweis).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProofResponse {
    pub actual_cost_cents: i64,
    pub report_text: String,
    /// How many people took part.
    pub attendance: Option<i32>,
    /// Whether staff saw the receipts.
    pub receipts_seen: bool,
    pub reported_at: DateTime<Utc>,
}

/// An application, as its applicant and the fund's keepers see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationResponse {
    pub id: Uuid,
    pub fund_id: Uuid,
    /// The account that applied; null once erased.
    pub applicant_id: Option<Uuid>,
    /// The partner organisation applying with or for the applicant.
    pub applicant_partner_id: Option<Uuid>,
    /// Where the project happens.
    pub district_id: Uuid,
    /// The concern the project answers.
    pub concern_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub goals: Option<String>,
    pub target_groups: Vec<String>,
    pub requested_cents: i64,
    /// In order.
    pub cost_lines: Vec<CostLineBody>,
    /// Other partners involved.
    pub partner_ids: Vec<Uuid>,
    pub status: ApplicationStatusBody,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decision: Option<DecisionResponse>,
    pub proof: Option<ProofResponse>,
    /// Once settled: what the project spent; the rest went back to the fund.
    pub spent_cents: Option<i64>,
    pub settled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Changes with every step; sent as `ETag`.
    pub version: i32,
}

impl ApplicationResponse {
    /// `row` as shown to the fund's keepers (`keeper`) or to its applicant.
    fn new(
        row: ApplicationRow,
        cost_lines: Vec<CostLine>,
        partner_ids: Vec<Uuid>,
        keeper: bool,
    ) -> Self {
        let decision = row.decided_at.map(|decided_at| DecisionResponse {
            decided_by: row
                .decided_by
                .as_deref()
                .and_then(Decider::parse)
                .unwrap_or(Decider::Staff)
                .into(),
            decided_at,
            recorded_by: row.decided_by_user.filter(|_| keeper),
            granted_cents: row.granted_cents,
            decline_reason: row.decline_reason.clone(),
            minutes_occurrence_id: row.minutes_occurrence_id,
            minutes_note: row.minutes_note.clone(),
        });
        let proof = match (&row.actual_cost_cents, &row.report_text, &row.reported_at) {
            (Some(actual), Some(text), Some(at)) => Some(ProofResponse {
                actual_cost_cents: *actual,
                report_text: text.clone(),
                attendance: row.attendance,
                receipts_seen: row.receipts_seen.unwrap_or(false),
                reported_at: *at,
            }),
            _ => None,
        };
        Self {
            status: row.status().into(),
            id: row.id,
            fund_id: row.fund_id,
            applicant_id: row.applicant_id,
            applicant_partner_id: row.applicant_partner_id,
            district_id: row.district_id,
            concern_id: row.concern_id,
            title: row.title,
            description: row.description,
            goals: row.goals,
            target_groups: row.target_groups,
            requested_cents: row.requested_cents,
            cost_lines: cost_lines.into_iter().map(Into::into).collect(),
            partner_ids,
            submitted_at: row.submitted_at,
            decision,
            proof,
            spent_cents: row.spent_cents,
            settled_at: row.settled_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }

    /// The application `row` with its cost plan and partners, as `keeper` or not sees it.
    pub(crate) async fn load(
        conn: &mut AsyncPgConnection,
        row: ApplicationRow,
        keeper: bool,
    ) -> Result<Self, ApiError> {
        Self::load_all(conn, vec![row], keeper)
            .await
            .map(|mut all| all.remove(0))
    }

    /// The applications `rows` with their cost plans and partners, as `keeper` or not sees
    /// them.
    pub(crate) async fn load_all(
        conn: &mut AsyncPgConnection,
        rows: Vec<ApplicationRow>,
        keeper: bool,
    ) -> Result<Vec<Self>, ApiError> {
        let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
        let mut plans = funds::plans(conn, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let (lines, partners) = plans.remove(&row.id).unwrap_or_default();
                Self::new(row, lines, partners, keeper)
            })
            .collect())
    }
}

/// The year a list is narrowed to, checked: 422 outside 2000 to 2100.
pub(crate) fn query_year(raw: Option<i64>) -> Result<Option<i16>, ApiError> {
    raw.map(|raw| {
        quartier_domain::fund::year(raw)
            .ok_or_else(|| ApiError::query("year", "must be from 2000 to 2100"))
    })
    .transpose()
}

/// The refusal of what a closed fund no longer takes: new applications, drafts handed in.
pub(crate) fn fund_closed() -> ApiError {
    ApiError::Conflict {
        slug: "fund-closed",
        detail: "This fund is closed: it takes no more applications.".into(),
    }
}

/// The fund `id`, or 404.
pub(crate) async fn existing_fund(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<FundRow, ApiError> {
    funds::find_fund(conn, id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No fund has this id.".into()))
}

/// Whether `caller` keeps `fund`: for an operator's fund, its staff with `needed` (or its
/// API key with `funds:write`); for a district's fund, administrators and the core team who
/// look after the district. 403 when not.
pub(crate) async fn require_keeper(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    operator_id: Option<Uuid>,
    district_id: Option<Uuid>,
    needed: StaffRole,
) -> Result<(), ApiError> {
    match (operator_id, district_id, caller) {
        (Some(operator), _, _) => {
            crate::authz::require_operator(conn, caller, operator, needed, Scope::FundsWrite)
                .await?;
            // A coordinator limited to some centres acts for those, not for the operator's
            // funds, which serve all its neighbourhoods.
            match caller {
                Caller::User(user) if user.role != Role::Admin => {
                    let limits =
                        quartier_persistence::operators::member_centres(conn, operator, &[user.id])
                            .await?;
                    if limits.is_empty() {
                        Ok(())
                    } else {
                        Err(ApiError::Forbidden(
                            "You act for some centres of this operator: its funds are kept by those who act for all of them."
                                .into(),
                        ))
                    }
                }
                _ => Ok(()),
            }
        }
        (None, _, Caller::User(user)) if user.role == Role::Admin => Ok(()),
        (None, Some(district), Caller::User(user)) => {
            if quartier_persistence::core_team::covers(conn, user.id, district).await? {
                Ok(())
            } else {
                Err(ApiError::Forbidden(
                    "Only administrators and the core team looking after its district keep a district's fund."
                        .into(),
                ))
            }
        }
        _ => Err(ApiError::Forbidden(
            "A district's fund is the town's: API keys act for operators only.".into(),
        )),
    }
}

/// Whether `caller` keeps `fund` (see `require_keeper`), as a yes or no.
pub(crate) async fn keeps(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    fund: &FundRow,
) -> Result<bool, ApiError> {
    match require_keeper(
        conn,
        caller,
        fund.operator_id,
        fund.district_id,
        StaffRole::Coordinator,
    )
    .await
    {
        Ok(()) => Ok(true),
        Err(ApiError::Forbidden(_)) => Ok(false),
        Err(other) => Err(other),
    }
}

/// Whether `caller` is the application's applicant: the account that made it, or one who
/// speaks for the partner it names.
pub(crate) async fn applies(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    row: &ApplicationRow,
) -> Result<bool, ApiError> {
    let Some(user) = caller.user() else {
        return Ok(false);
    };
    if row.applicant_id == Some(user.id) {
        return Ok(true);
    }
    match row.applicant_partner_id {
        Some(partner) => crate::routes::networks::speaks_for(conn, user, partner).await,
        None => Ok(false),
    }
}

/// Records the `fund_application.*` event of the step that brought `after` where it stands,
/// in the caller's transaction. A draft withdrawn before it was ever submitted was never
/// anybody's business: nothing is recorded for it.
pub(crate) async fn announce(
    conn: &mut AsyncPgConnection,
    fund: &FundRow,
    after: &ApplicationRow,
) -> Result<(), quartier_persistence::Error> {
    if after.submitted_at.is_some()
        && let Some(event) = quartier_domain::Event::fund_application(facts(fund, after))
    {
        quartier_persistence::outbox::record(conn, &event).await?;
    }
    Ok(())
}

/// What an event tells of the application `row` of `fund`.
pub(crate) fn facts(fund: &FundRow, row: &ApplicationRow) -> FundApplicationFacts {
    FundApplicationFacts {
        application_id: row.id,
        fund_id: fund.id,
        operator_id: fund.operator_id,
        district_id: row.district_id,
        status: row.status(),
        requested_cents: row.requested_cents,
        granted_cents: row.granted_cents,
        spent_cents: row.spent_cents,
        decided_by: row.decided_by.as_deref().and_then(Decider::parse),
        version: row.version,
    }
}
