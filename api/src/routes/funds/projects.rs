//! `GET /fund-projects`: what the neighbourhood funds granted, for everyone to see: the
//! project, its district, the amount and what came of it. Never who applied.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use quartier_domain::fund::ApplicationStatus;
use quartier_domain::translation::{TextField, TextOwner};
use quartier_persistence::funds::{self, ProjectFilter, ProjectRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::ApplicationStatusBody;
use crate::error::{ApiError, Problem};
use crate::extract::IfNoneMatch;
use crate::languages::{
    ContentLanguageResponse, ListLanguageQuery, NameShown, Reading, Translatable,
    TranslationResponse, page_in_language,
};
use crate::pagination::{Page, decode_cursor, limit, page};
use crate::routes::activities::Named;
use crate::state::AppState;

/// The fund a project got its money from.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectFund {
    pub id: Uuid,
    pub title: String,
    pub year: i16,
}

/// A granted project, as the public sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FundProjectResponse {
    pub id: Uuid,
    pub fund: ProjectFund,
    /// Where it happens.
    pub district: Named,
    pub title: String,
    /// `approved`, `reported` or `settled`.
    pub status: ApplicationStatusBody,
    pub granted_cents: i64,
    /// Once settled: what it spent of the grant.
    pub spent_cents: Option<i64>,
    /// Once reported: how many people took part.
    pub attendance: Option<i32>,
    /// The concern it answers.
    pub concern_id: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The language `title` is served in, and whether it fell back to German.
    pub content_language: ContentLanguageResponse,
}

impl Translatable for FundProjectResponse {
    const OWNER: TextOwner = TextOwner::FundApplication;
    // Projects grow with what residents apply for: their variants are read with the page.
    const CACHED: bool = false;

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
        _: Option<Vec<TranslationResponse>>,
    ) {
        self.content_language = language;
    }

    fn names_shown(&mut self) -> Vec<NameShown<'_>> {
        vec![NameShown {
            owner: TextOwner::Fund,
            id: self.fund.id,
            field: TextField::Title,
            text: &mut self.fund.title,
        }]
    }
}

impl From<ProjectRow> for FundProjectResponse {
    fn from(row: ProjectRow) -> Self {
        Self {
            id: row.id,
            fund: ProjectFund {
                id: row.fund_id,
                title: row.fund_title,
                year: row.year,
            },
            district: Named {
                id: row.district_id,
                name: row.district_name,
            },
            title: row.title,
            status: ApplicationStatus::parse(&row.status)
                .unwrap_or(ApplicationStatus::Approved)
                .into(),
            granted_cents: row.granted_cents.unwrap_or(0),
            spent_cents: row.spent_cents,
            attendance: row.attendance,
            concern_id: row.concern_id,
            decided_at: row.decided_at,
            content_language: ContentLanguageResponse::source(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectQuery {
    /// Only this fund's projects.
    pub fund_id: Option<Uuid>,
    /// Only the projects in this district.
    pub district_id: Option<Uuid>,
    /// Only those of funds of this year.
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i64>,
    /// 1 to 100, default 20.
    pub limit: Option<i64>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
}

/// What the neighbourhood funds granted: approved, reported and settled projects with
/// their district, amount and outcome, the oldest application first, their titles (and
/// their funds') in the reader's language. Public; never names who applied.
#[utoipa::path(
    tag = "funds",
    security((), ("bearer" = [])),
    params(
        ProjectQuery,
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the page the client holds"),
    ),
    responses(
        (status = 200, description = "The projects", body = Page<FundProjectResponse>, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "The client's copy of the page, in this language, is current", headers(("ETag" = String))),
        (status = 400, description = "A parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A year outside 2000 to 2100, a limit outside 1 to 100, a cursor this list did not give out, or `lang` not a language tag (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/fund-projects")]
pub async fn list_fund_projects(
    state: web::Data<AppState>,
    query: web::Query<ProjectQuery>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let limit = limit(query.limit)?;
    let after: Option<Uuid> = decode_cursor(query.cursor.as_deref())?;
    let year = super::query_year(query.year)?;
    let mut conn = state.conn().await?;
    let rows = funds::projects(
        &mut conn,
        ProjectFilter {
            fund_id: query.fund_id,
            district_id: query.district_id,
            year,
            after,
        },
        i64::from(limit) + 1,
    )
    .await?;
    let body: Page<FundProjectResponse> = page(rows, limit, |row| row.id, Into::into);
    page_in_language(&mut conn, &state, &reading, body, &if_none_match).await
}
