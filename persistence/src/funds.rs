//! Neighbourhood funds and their applications.
//!
//! A fund's granted total moves only together with the application it is for, in one
//! transaction that holds the fund's row: concurrent approvals queue on it, and the one that
//! would go over the budget is refused (`funds_granted_within_budget` refuses it too, should
//! a statement ever try). Each function nests in the caller's transaction, so the API writes
//! the event of a step in the same one.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::fund::{
    ApplicationAction, ApplicationStatus, Cents, Decider, FundLimits, GrantRefusal, check_grant,
    spent,
};
use uuid::Uuid;

use crate::schema::{
    fund_application_cost_lines, fund_application_partners, fund_applications, funds,
};
use crate::{Error, Result};

/// A row of `funds`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = funds, check_for_backend(diesel::pg::Pg))]
pub struct FundRow {
    pub id: Uuid,
    pub operator_id: Option<Uuid>,
    pub district_id: Option<Uuid>,
    pub committee_network_id: Option<Uuid>,
    pub year: i16,
    pub title: String,
    pub budget_cents: i64,
    pub per_project_max_cents: i64,
    pub staff_threshold_cents: i64,
    pub granted_cents: i64,
    pub spent_cents: i64,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// Since when it takes no new applications.
    pub closed_at: Option<DateTime<Utc>>,
}

impl FundRow {
    /// The fund's limits, as the database keeps them (its CHECKs make them fit together).
    pub fn limits(&self) -> FundLimits {
        FundLimits {
            budget: Cents::new(self.budget_cents).unwrap_or_default(),
            per_project_max: Cents::new(self.per_project_max_cents).unwrap_or_default(),
            staff_threshold: Cents::new(self.staff_threshold_cents).unwrap_or_default(),
        }
    }

    /// What it may still grant.
    pub fn remaining(&self) -> Cents {
        Cents::new(self.budget_cents - self.granted_cents).unwrap_or_default()
    }
}

/// A fund to make.
#[derive(Debug, Clone)]
pub struct NewFund {
    pub id: Uuid,
    pub operator_id: Option<Uuid>,
    pub district_id: Option<Uuid>,
    pub committee_network_id: Option<Uuid>,
    pub year: i16,
    pub title: String,
    pub limits: FundLimits,
    pub created_by: Option<Uuid>,
}

/// Makes the fund `new`.
pub async fn create_fund(conn: &mut AsyncPgConnection, new: &NewFund) -> Result<FundRow> {
    Ok(diesel::insert_into(funds::table)
        .values((
            funds::id.eq(new.id),
            funds::operator_id.eq(new.operator_id),
            funds::district_id.eq(new.district_id),
            funds::committee_network_id.eq(new.committee_network_id),
            funds::year.eq(new.year),
            funds::title.eq(&new.title),
            funds::budget_cents.eq(new.limits.budget.get()),
            funds::per_project_max_cents.eq(new.limits.per_project_max.get()),
            funds::staff_threshold_cents.eq(new.limits.staff_threshold.get()),
            funds::created_by.eq(new.created_by),
        ))
        .returning(FundRow::as_returning())
        .get_result(conn)
        .await?)
}

/// The fund `id`.
pub async fn find_fund(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<FundRow>> {
    Ok(funds::table
        .find(id)
        .select(FundRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// What changes of a fund; `None` keeps a field as it is.
#[derive(Debug, Clone, Default)]
pub struct FundChange {
    pub title: Option<String>,
    /// `Some(None)` takes the committee away.
    pub committee_network_id: Option<Option<Uuid>>,
    pub budget: Option<Cents>,
    pub per_project_max: Option<Cents>,
    pub staff_threshold: Option<Cents>,
    /// Close it (`true`) or open it again (`false`).
    pub closed: Option<bool>,
}

/// Why a fund was not changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FundChangeRefusal {
    NotFound,
    VersionConflict,
    /// The limits would not fit together (the domain's errors).
    Limits(quartier_domain::ValidationErrors),
    /// The budget would be less than what the fund has granted.
    BudgetBelowGranted {
        granted: Cents,
    },
}

/// Changes the fund `id` if it stands at one of `versions` (any, when `None`), under its row
/// lock, so that a grant taken meanwhile is counted: the new limits must fit together and the
/// budget cover what is granted. The fund as it is now.
pub async fn update_fund(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    versions: Option<&[i32]>,
    change: &FundChange,
) -> Result<std::result::Result<FundRow, FundChangeRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let current: Option<FundRow> = funds::table
            .find(id)
            .select(FundRow::as_select())
            .for_no_key_update()
            .first(conn)
            .await
            .optional()?;
        let Some(current) = current else {
            return Ok(Err(FundChangeRefusal::NotFound));
        };
        if versions.is_some_and(|versions| !versions.contains(&current.version)) {
            return Ok(Err(FundChangeRefusal::VersionConflict));
        }
        let now = current.limits();
        let limits = match FundLimits::new(
            change.budget.unwrap_or(now.budget),
            change.per_project_max.unwrap_or(now.per_project_max),
            change.staff_threshold.unwrap_or(now.staff_threshold),
        ) {
            Ok(limits) => limits,
            Err(errors) => return Ok(Err(FundChangeRefusal::Limits(errors))),
        };
        if limits.budget.get() < current.granted_cents {
            return Ok(Err(FundChangeRefusal::BudgetBelowGranted {
                granted: Cents::new(current.granted_cents).unwrap_or_default(),
            }));
        }
        let closed_at = match change.closed {
            Some(true) => current.closed_at.or(Some(Utc::now())),
            Some(false) => None,
            None => current.closed_at,
        };
        let row = diesel::update(funds::table.find(id))
            .set((
                funds::title.eq(change.title.as_deref().unwrap_or(&current.title)),
                funds::committee_network_id.eq(change
                    .committee_network_id
                    .unwrap_or(current.committee_network_id)),
                funds::budget_cents.eq(limits.budget.get()),
                funds::per_project_max_cents.eq(limits.per_project_max.get()),
                funds::staff_threshold_cents.eq(limits.staff_threshold.get()),
                funds::closed_at.eq(closed_at),
                funds::updated_at.eq(diesel::dsl::now),
                funds::version.eq(funds::version + 1),
            ))
            .returning(FundRow::as_returning())
            .get_result(conn)
            .await?;
        Ok(Ok(row))
    })
    .await
}

/// A row of `fund_applications`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = fund_applications, check_for_backend(diesel::pg::Pg))]
pub struct ApplicationRow {
    pub id: Uuid,
    pub fund_id: Uuid,
    pub applicant_id: Option<Uuid>,
    pub applicant_partner_id: Option<Uuid>,
    pub district_id: Uuid,
    pub concern_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub goals: Option<String>,
    pub target_groups: Vec<String>,
    pub requested_cents: i64,
    pub status: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub granted_cents: Option<i64>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by_user: Option<Uuid>,
    pub minutes_occurrence_id: Option<Uuid>,
    pub minutes_note: Option<String>,
    pub decline_reason: Option<String>,
    pub actual_cost_cents: Option<i64>,
    pub report_text: Option<String>,
    pub attendance: Option<i32>,
    pub receipts_seen: Option<bool>,
    pub reported_at: Option<DateTime<Utc>>,
    pub spent_cents: Option<i64>,
    pub settled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl ApplicationRow {
    pub fn status(&self) -> ApplicationStatus {
        ApplicationStatus::parse(&self.status).unwrap_or(ApplicationStatus::Draft)
    }
}

/// A line of a cost plan.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = fund_application_cost_lines, check_for_backend(diesel::pg::Pg))]
pub struct CostLine {
    pub position: i16,
    pub label: String,
    pub amount_cents: i64,
}

/// An application to make, as a draft.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub id: Uuid,
    pub fund_id: Uuid,
    pub applicant_id: Option<Uuid>,
    pub applicant_partner_id: Option<Uuid>,
    pub district_id: Uuid,
    pub concern_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub goals: Option<String>,
    pub target_groups: Vec<String>,
    pub requested: Cents,
    /// The cost plan: label and amount, in order.
    pub cost_lines: Vec<(String, Cents)>,
    /// Partners involved besides the applying one.
    pub partner_ids: Vec<Uuid>,
}

/// Makes the draft `new` with its cost plan and partners.
pub async fn create_application(
    conn: &mut AsyncPgConnection,
    new: &NewApplication,
) -> Result<ApplicationRow> {
    conn.transaction::<_, Error, _>(async |conn| {
        let row = diesel::insert_into(fund_applications::table)
            .values((
                fund_applications::id.eq(new.id),
                fund_applications::fund_id.eq(new.fund_id),
                fund_applications::applicant_id.eq(new.applicant_id),
                fund_applications::applicant_partner_id.eq(new.applicant_partner_id),
                fund_applications::district_id.eq(new.district_id),
                fund_applications::concern_id.eq(new.concern_id),
                fund_applications::title.eq(&new.title),
                fund_applications::description.eq(&new.description),
                fund_applications::goals.eq(&new.goals),
                fund_applications::target_groups.eq(&new.target_groups),
                fund_applications::requested_cents.eq(new.requested.get()),
            ))
            .returning(ApplicationRow::as_returning())
            .get_result(conn)
            .await?;
        insert_plan(conn, new).await?;
        Ok(row)
    })
    .await
}

/// Writes the cost plan and the partners of `new` (whose rows are not there yet).
async fn insert_plan(conn: &mut AsyncPgConnection, new: &NewApplication) -> Result<()> {
    let lines: Vec<_> = new
        .cost_lines
        .iter()
        .enumerate()
        .map(|(i, (label, amount))| {
            (
                fund_application_cost_lines::application_id.eq(new.id),
                fund_application_cost_lines::position.eq(i as i16 + 1),
                fund_application_cost_lines::label.eq(label.as_str()),
                fund_application_cost_lines::amount_cents.eq(amount.get()),
            )
        })
        .collect();
    if !lines.is_empty() {
        diesel::insert_into(fund_application_cost_lines::table)
            .values(lines)
            .execute(conn)
            .await?;
    }
    let partners: Vec<_> = new
        .partner_ids
        .iter()
        .map(|partner| {
            (
                fund_application_partners::application_id.eq(new.id),
                fund_application_partners::partner_id.eq(*partner),
            )
        })
        .collect();
    if !partners.is_empty() {
        diesel::insert_into(fund_application_partners::table)
            .values(partners)
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Why a draft was not rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RewriteRefusal {
    NotFound,
    VersionConflict,
    /// It was handed in (or withdrawn): only a draft is rewritten.
    NotDraft(ApplicationStatus),
}

/// Rewrites the draft `new.id` of the fund `new.fund_id` with everything `new` says (its
/// applicant stays), if it is still a draft at one of `versions` (any, when `None`).
pub async fn rewrite_draft(
    conn: &mut AsyncPgConnection,
    new: &NewApplication,
    versions: Option<&[i32]>,
) -> Result<std::result::Result<ApplicationRow, RewriteRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let current: Option<ApplicationRow> = fund_applications::table
            .filter(fund_applications::id.eq(new.id))
            .filter(fund_applications::fund_id.eq(new.fund_id))
            .select(ApplicationRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?;
        let Some(current) = current else {
            return Ok(Err(RewriteRefusal::NotFound));
        };
        if versions.is_some_and(|versions| !versions.contains(&current.version)) {
            return Ok(Err(RewriteRefusal::VersionConflict));
        }
        if current.status() != ApplicationStatus::Draft {
            return Ok(Err(RewriteRefusal::NotDraft(current.status())));
        }
        let row = diesel::update(fund_applications::table.find(new.id))
            .set((
                fund_applications::applicant_partner_id.eq(new.applicant_partner_id),
                fund_applications::district_id.eq(new.district_id),
                fund_applications::concern_id.eq(new.concern_id),
                fund_applications::title.eq(&new.title),
                fund_applications::description.eq(&new.description),
                fund_applications::goals.eq(&new.goals),
                fund_applications::target_groups.eq(&new.target_groups),
                fund_applications::requested_cents.eq(new.requested.get()),
                fund_applications::updated_at.eq(diesel::dsl::now),
                fund_applications::version.eq(fund_applications::version + 1),
            ))
            .returning(ApplicationRow::as_returning())
            .get_result(conn)
            .await?;
        diesel::delete(
            fund_application_cost_lines::table
                .filter(fund_application_cost_lines::application_id.eq(new.id)),
        )
        .execute(conn)
        .await?;
        diesel::delete(
            fund_application_partners::table
                .filter(fund_application_partners::application_id.eq(new.id)),
        )
        .execute(conn)
        .await?;
        insert_plan(conn, new).await?;
        Ok(Ok(row))
    })
    .await
}

/// The application `id`.
pub async fn find_application(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<Option<ApplicationRow>> {
    Ok(fund_applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// What a step asks for beyond the status it moves to.
#[derive(Debug, Clone)]
pub enum Step {
    Submit,
    Precheck,
    Decline(Refusal),
    Approve(Grant),
    Report(Proof),
    /// With whether the keepers saw the receipts now (what the report said stays).
    Settle {
        receipts_seen: bool,
    },
    Withdraw,
}

impl Step {
    fn action(&self) -> ApplicationAction {
        match self {
            Step::Submit => ApplicationAction::Submit,
            Step::Precheck => ApplicationAction::Precheck,
            Step::Decline(_) => ApplicationAction::Decline,
            Step::Approve(_) => ApplicationAction::Approve,
            Step::Report(_) => ApplicationAction::Report,
            Step::Settle { .. } => ApplicationAction::Settle,
            Step::Withdraw => ApplicationAction::Withdraw,
        }
    }
}

/// A decision to grant money.
#[derive(Debug, Clone)]
pub struct Grant {
    pub amount: Cents,
    pub decider: Decider,
    pub by_user: Option<Uuid>,
    /// The committee meeting that decided (a date of an activity).
    pub minutes_occurrence_id: Option<Uuid>,
    /// Where the committee's minutes are, in words.
    pub minutes_note: Option<String>,
}

/// A decision to grant nothing.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub reason: String,
    pub decider: Decider,
    pub by_user: Option<Uuid>,
    pub minutes_occurrence_id: Option<Uuid>,
    pub minutes_note: Option<String>,
}

/// The proof of use.
#[derive(Debug, Clone)]
pub struct Proof {
    pub actual_cost: Cents,
    pub report_text: String,
    pub attendance: Option<i32>,
    pub receipts_seen: bool,
}

/// Why a step was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepRefusal {
    /// No such application in that fund.
    NotFound,
    /// It changed since the client read it.
    VersionConflict,
    /// The step is not one that may be taken from where it stands.
    NotAllowed(ApplicationStatus),
    /// The grant breaks one of the fund's limits.
    Grant(GrantRefusal),
    /// The grant is more than the fund has left.
    OverBudget { remaining: Cents },
    /// A committee's decision names its minutes.
    MinutesMissing,
    /// The fund is closed: nothing more is handed in.
    FundClosed,
}

/// Takes `step` for the application `id` of the fund `fund_id`, if it stands at one of
/// `versions` (any, when `None`) and the step may be taken from there. The application as it is now.
///
/// An approval adds the grant to the fund's total, a withdrawn approval takes it back, and
/// settling keeps only what was spent; each under the fund's row lock, taken after the
/// application's (always in that order).
pub async fn take_step(
    conn: &mut AsyncPgConnection,
    fund_id: Uuid,
    id: Uuid,
    versions: Option<&[i32]>,
    step: &Step,
) -> Result<std::result::Result<ApplicationRow, StepRefusal>> {
    conn.transaction::<_, Error, _>(async |conn| {
        let current: Option<ApplicationRow> = fund_applications::table
            .filter(fund_applications::id.eq(id))
            .filter(fund_applications::fund_id.eq(fund_id))
            .select(ApplicationRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?;
        let Some(current) = current else {
            return Ok(Err(StepRefusal::NotFound));
        };
        if versions.is_some_and(|versions| !versions.contains(&current.version)) {
            return Ok(Err(StepRefusal::VersionConflict));
        }
        let status = current.status();
        let Some(next) = status.after(step.action()) else {
            return Ok(Err(StepRefusal::NotAllowed(status)));
        };
        // What the step does to the fund's totals: granted, spent.
        let mut granted_change = 0_i64;
        let mut spent_change = 0_i64;
        let minutes = match step {
            Step::Approve(grant) => Some((
                grant.decider,
                grant.minutes_occurrence_id,
                &grant.minutes_note,
            )),
            Step::Decline(refusal) => Some((
                refusal.decider,
                refusal.minutes_occurrence_id,
                &refusal.minutes_note,
            )),
            _ => None,
        };
        if let Some((Decider::Committee, None, None)) = minutes {
            return Ok(Err(StepRefusal::MinutesMissing));
        }
        match step {
            Step::Submit => {
                // Shared: a fund being closed at this moment is closed first, or after.
                let closed: Option<DateTime<Utc>> = funds::table
                    .find(fund_id)
                    .select(funds::closed_at)
                    .for_share()
                    .first(conn)
                    .await?;
                if closed.is_some() {
                    return Ok(Err(StepRefusal::FundClosed));
                }
            }
            Step::Approve(grant) => {
                // No key changes: applications made meanwhile (which reference the fund) do
                // not wait for it.
                let fund: FundRow = funds::table
                    .find(fund_id)
                    .select(FundRow::as_select())
                    .for_no_key_update()
                    .first(conn)
                    .await?;
                let requested = Cents::new(current.requested_cents).unwrap_or_default();
                if let Err(refusal) =
                    check_grant(&fund.limits(), grant.decider, requested, grant.amount)
                {
                    return Ok(Err(StepRefusal::Grant(refusal)));
                }
                if grant.amount > fund.remaining() {
                    return Ok(Err(StepRefusal::OverBudget {
                        remaining: fund.remaining(),
                    }));
                }
                granted_change = grant.amount.get();
            }
            Step::Withdraw if status.holds_grant() => {
                granted_change = -current.granted_cents.unwrap_or(0);
            }
            Step::Settle { .. } => {
                let granted = Cents::new(current.granted_cents.unwrap_or(0)).unwrap_or_default();
                let actual = Cents::new(current.actual_cost_cents.unwrap_or(0)).unwrap_or_default();
                let kept = spent(granted, actual).get();
                granted_change = kept - granted.get();
                spent_change = kept;
            }
            _ => {}
        }
        if granted_change != 0 || spent_change != 0 {
            // The CHECKs refuse a total over the budget even if the reading above were stale.
            diesel::update(funds::table.find(fund_id))
                .set((
                    funds::granted_cents.eq(funds::granted_cents + granted_change),
                    funds::spent_cents.eq(funds::spent_cents + spent_change),
                    funds::updated_at.eq(diesel::dsl::now),
                    funds::version.eq(funds::version + 1),
                ))
                .execute(conn)
                .await?;
        }
        let target = fund_applications::table.find(id);
        let status_now = fund_applications::status.eq(next.as_str());
        let bump = (
            fund_applications::updated_at.eq(diesel::dsl::now),
            fund_applications::version.eq(fund_applications::version + 1),
        );
        let query = diesel::update(target);
        let row = match step {
            Step::Submit => {
                query
                    .set((
                        status_now,
                        fund_applications::submitted_at.eq(diesel::dsl::now),
                        bump,
                    ))
                    .returning(ApplicationRow::as_returning())
                    .get_result(conn)
                    .await?
            }
            Step::Precheck | Step::Withdraw => {
                query
                    .set((status_now, bump))
                    .returning(ApplicationRow::as_returning())
                    .get_result(conn)
                    .await?
            }
            Step::Decline(refusal) => {
                query
                    .set((
                        status_now,
                        fund_applications::decline_reason.eq(&refusal.reason),
                        fund_applications::decided_by.eq(refusal.decider.as_str()),
                        fund_applications::decided_at.eq(diesel::dsl::now),
                        fund_applications::decided_by_user.eq(refusal.by_user),
                        fund_applications::minutes_occurrence_id.eq(refusal.minutes_occurrence_id),
                        fund_applications::minutes_note.eq(&refusal.minutes_note),
                        bump,
                    ))
                    .returning(ApplicationRow::as_returning())
                    .get_result(conn)
                    .await?
            }
            Step::Approve(grant) => {
                query
                    .set((
                        status_now,
                        fund_applications::granted_cents.eq(grant.amount.get()),
                        fund_applications::decided_by.eq(grant.decider.as_str()),
                        fund_applications::decided_at.eq(diesel::dsl::now),
                        fund_applications::decided_by_user.eq(grant.by_user),
                        fund_applications::minutes_occurrence_id.eq(grant.minutes_occurrence_id),
                        fund_applications::minutes_note.eq(&grant.minutes_note),
                        bump,
                    ))
                    .returning(ApplicationRow::as_returning())
                    .get_result(conn)
                    .await?
            }
            Step::Report(proof) => {
                query
                    .set((
                        status_now,
                        fund_applications::actual_cost_cents.eq(proof.actual_cost.get()),
                        fund_applications::report_text.eq(&proof.report_text),
                        fund_applications::attendance.eq(proof.attendance),
                        fund_applications::receipts_seen.eq(proof.receipts_seen),
                        fund_applications::reported_at.eq(diesel::dsl::now),
                        bump,
                    ))
                    .returning(ApplicationRow::as_returning())
                    .get_result(conn)
                    .await?
            }
            Step::Settle { receipts_seen } => {
                let seen = current.receipts_seen.unwrap_or(false) || *receipts_seen;
                query
                    .set((
                        status_now,
                        fund_applications::receipts_seen.eq(seen),
                        fund_applications::spent_cents.eq(spent_change),
                        fund_applications::settled_at.eq(diesel::dsl::now),
                        bump,
                    ))
                    .returning(ApplicationRow::as_returning())
                    .get_result(conn)
                    .await?
            }
        };
        Ok(Ok(row))
    })
    .await
}

/// The constraint that a district with funds or projects cannot be deleted.
pub const FUND_DISTRICT_KEY: &str = "funds_district_id_fkey";
/// The constraint that a district with projects cannot be deleted.
pub const APPLICATION_DISTRICT_KEY: &str = "fund_applications_district_id_fkey";
pub const OPERATOR_KEY: &str = "funds_operator_id_fkey";
pub const COMMITTEE_KEY: &str = "funds_committee_network_id_fkey";
pub const PARTNER_KEY: &str = "fund_application_partners_partner_id_fkey";
pub const APPLICANT_PARTNER_KEY: &str = "fund_applications_applicant_partner_id_fkey";
pub const CONCERN_KEY: &str = "fund_applications_concern_id_fkey";
pub const MINUTES_KEY: &str = "fund_applications_minutes_occurrence_id_fkey";

/// Which funds to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct FundFilter {
    pub year: Option<i16>,
    pub operator_id: Option<Uuid>,
    pub district_id: Option<Uuid>,
}

/// The funds `filter` names, the newest year first, then by title; at most `limit`.
pub async fn list_funds(
    conn: &mut AsyncPgConnection,
    filter: FundFilter,
    limit: i64,
) -> Result<Vec<FundRow>> {
    let mut query = funds::table.select(FundRow::as_select()).into_boxed();
    if let Some(year) = filter.year {
        query = query.filter(funds::year.eq(year));
    }
    if let Some(operator) = filter.operator_id {
        query = query.filter(funds::operator_id.eq(operator));
    }
    if let Some(district) = filter.district_id {
        query = query.filter(funds::district_id.eq(district));
    }
    Ok(query
        .order((funds::year.desc(), funds::title, funds::id))
        .limit(limit)
        .load(conn)
        .await?)
}

/// Whether the district `inner` is `outer` or lies inside it.
pub async fn district_within(
    conn: &mut AsyncPgConnection,
    inner: Uuid,
    outer: Uuid,
) -> Result<bool> {
    use diesel::sql_types::{Bool, Uuid as SqlUuid};
    #[derive(QueryableByName)]
    struct Within {
        #[diesel(sql_type = Bool)]
        within: bool,
    }
    let found: Within = diesel::sql_query(
        "WITH RECURSIVE above (id, parent_id) AS ( \
             SELECT id, parent_id FROM districts WHERE id = $1 \
             UNION SELECT d.id, d.parent_id FROM districts d JOIN above a ON d.id = a.parent_id) \
         SELECT EXISTS (SELECT 1 FROM above WHERE id = $2) AS within",
    )
    .bind::<SqlUuid, _>(inner)
    .bind::<SqlUuid, _>(outer)
    .get_result(conn)
    .await?;
    Ok(found.within)
}

/// Which applications of a fund to list.
#[derive(Debug, Clone, Copy)]
pub struct ApplicationFilter {
    pub fund_id: Uuid,
    /// Only those this account made, or made for a partner it is a partner admin of.
    pub applicant_id: Option<Uuid>,
    pub status: Option<ApplicationStatus>,
    /// Only those after this id (the oldest first).
    pub after: Option<Uuid>,
}

/// The applications `filter` names, the oldest first; at most `limit`.
pub async fn list_applications(
    conn: &mut AsyncPgConnection,
    filter: ApplicationFilter,
    limit: i64,
) -> Result<Vec<ApplicationRow>> {
    let spoken_for: Vec<Uuid> = match filter.applicant_id {
        Some(applicant) => {
            use crate::schema::partner_members;
            partner_members::table
                .filter(partner_members::user_id.eq(applicant))
                .filter(partner_members::role.eq("partner_admin"))
                .select(partner_members::partner_id)
                .load(conn)
                .await?
        }
        None => Vec::new(),
    };
    let mut query = fund_applications::table
        .filter(fund_applications::fund_id.eq(filter.fund_id))
        .select(ApplicationRow::as_select())
        .into_boxed();
    if let Some(applicant) = filter.applicant_id {
        query = query.filter(
            fund_applications::applicant_id
                .eq(applicant)
                .or(fund_applications::applicant_partner_id.eq_any(spoken_for)),
        );
    }
    if let Some(status) = filter.status {
        query = query.filter(fund_applications::status.eq(status.as_str()));
    }
    if let Some(after) = filter.after {
        query = query.filter(fund_applications::id.gt(after));
    }
    Ok(query
        .order(fund_applications::id)
        .limit(limit)
        .load(conn)
        .await?)
}

/// A project the public may know of: granted money, without who applied.
#[derive(Debug, Clone, Queryable)]
pub struct ProjectRow {
    pub id: Uuid,
    pub fund_id: Uuid,
    pub fund_title: String,
    pub year: i16,
    pub district_id: Uuid,
    pub district_name: String,
    pub concern_id: Option<Uuid>,
    pub title: String,
    pub status: String,
    pub granted_cents: Option<i64>,
    pub spent_cents: Option<i64>,
    pub attendance: Option<i32>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// Which projects to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProjectFilter {
    pub fund_id: Option<Uuid>,
    pub district_id: Option<Uuid>,
    pub year: Option<i16>,
    /// Only those after this id (the oldest decision first, by id).
    pub after: Option<Uuid>,
}

/// The granted projects (approved, reported, settled) `filter` names; at most `limit`.
pub async fn projects(
    conn: &mut AsyncPgConnection,
    filter: ProjectFilter,
    limit: i64,
) -> Result<Vec<ProjectRow>> {
    use crate::schema::districts;
    let mut query = fund_applications::table
        .inner_join(funds::table)
        .inner_join(districts::table.on(districts::id.eq(fund_applications::district_id)))
        .filter(fund_applications::status.eq_any(["approved", "reported", "settled"]))
        .select((
            fund_applications::id,
            fund_applications::fund_id,
            funds::title,
            funds::year,
            fund_applications::district_id,
            districts::name,
            fund_applications::concern_id,
            fund_applications::title,
            fund_applications::status,
            fund_applications::granted_cents,
            fund_applications::spent_cents,
            fund_applications::attendance,
            fund_applications::decided_at,
        ))
        .into_boxed();
    if let Some(fund) = filter.fund_id {
        query = query.filter(fund_applications::fund_id.eq(fund));
    }
    if let Some(district) = filter.district_id {
        query = query.filter(fund_applications::district_id.eq(district));
    }
    if let Some(year) = filter.year {
        query = query.filter(funds::year.eq(year));
    }
    if let Some(after) = filter.after {
        query = query.filter(fund_applications::id.gt(after));
    }
    Ok(query
        .order(fund_applications::id)
        .limit(limit)
        .load(conn)
        .await?)
}

/// The cost plans and partners of the applications `ids`: by application, in order.
pub async fn plans(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, (Vec<CostLine>, Vec<Uuid>)>> {
    let mut plans: std::collections::HashMap<Uuid, (Vec<CostLine>, Vec<Uuid>)> =
        ids.iter().map(|id| (*id, Default::default())).collect();
    let lines: Vec<(Uuid, CostLine)> = fund_application_cost_lines::table
        .filter(fund_application_cost_lines::application_id.eq_any(ids))
        .order((
            fund_application_cost_lines::application_id,
            fund_application_cost_lines::position,
        ))
        .select((
            fund_application_cost_lines::application_id,
            CostLine::as_select(),
        ))
        .load(conn)
        .await?;
    for (id, line) in lines {
        plans.entry(id).or_default().0.push(line);
    }
    let partners: Vec<(Uuid, Uuid)> = fund_application_partners::table
        .filter(fund_application_partners::application_id.eq_any(ids))
        .order((
            fund_application_partners::application_id,
            fund_application_partners::partner_id,
        ))
        .select((
            fund_application_partners::application_id,
            fund_application_partners::partner_id,
        ))
        .load(conn)
        .await?;
    for (id, partner) in partners {
        plans.entry(id).or_default().1.push(partner);
    }
    Ok(plans)
}

/// The applications the account `user_id` made, the newest first; at most `limit`.
pub async fn applications_of(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    limit: i64,
) -> Result<Vec<ApplicationRow>> {
    Ok(fund_applications::table
        .filter(fund_applications::applicant_id.eq(user_id))
        .order(fund_applications::id.desc())
        .select(ApplicationRow::as_select())
        .limit(limit)
        .load(conn)
        .await?)
}

/// Deletes the drafts of the account `user_id` (as it is erased), withdrawn ones too: nobody
/// else ever saw them.
/// What was submitted stays with the fund, without the name.
pub async fn delete_drafts_of(conn: &mut AsyncPgConnection, user_id: Uuid) -> Result<usize> {
    // A draft withdrawn before it was submitted was never handed in either.
    Ok(diesel::delete(
        fund_applications::table
            .filter(fund_applications::applicant_id.eq(user_id))
            .filter(fund_applications::submitted_at.is_null()),
    )
    .execute(conn)
    .await?)
}

/// What a mail about an application tells its applicant.
#[derive(Debug, Clone, Queryable)]
pub struct ApplicationMail {
    pub title: String,
    pub fund_title: String,
    pub status: String,
    pub granted_cents: Option<i64>,
    pub spent_cents: Option<i64>,
    pub decline_reason: Option<String>,
}

/// The application `id` as a mail to its applicant tells it.
pub async fn mail_context(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<Option<ApplicationMail>> {
    Ok(fund_applications::table
        .inner_join(funds::table)
        .filter(fund_applications::id.eq(id))
        .select((
            fund_applications::title,
            funds::title,
            fund_applications::status,
            fund_applications::granted_cents,
            fund_applications::spent_cents,
            fund_applications::decline_reason,
        ))
        .first(conn)
        .await
        .optional()?)
}
