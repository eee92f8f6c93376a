//! Residents' concerns (Anliegen): `/concerns`, `/concern-categories`. Residents raise ideas,
//! needs and problems, find whether a neighbour raised the same already, and support it
//! ("me too"); the operator responsible answers and moves it on. Public once published.

pub mod answers;
pub mod categories;
pub mod contact;
pub mod guest;
pub mod outcomes;
pub mod read;
pub mod status;
pub mod supports;
pub mod translations;
pub mod write;

use chrono::{DateTime, Utc};
use quartier_domain::StaffRole;
use quartier_domain::concern::{ConcernChannel, ConcernKind, ConcernStatus};
use quartier_domain::language::LanguageTag;
use quartier_domain::translation::{TextField, TextOwner};
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::concerns::ConcernView;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{AuthUser, Caller};
use crate::error::ApiError;
use crate::languages::{ContentLanguageResponse, NameShown, Translatable, TranslationResponse};
use crate::routes::activities::Named;
use crate::routes::districts::Point;
use quartier_domain::integration::Scope;

/// What a concern is: an `idea`, a `need` (something missing) or a `problem`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ConcernKindBody {
    Idea,
    Need,
    Problem,
}

impl From<ConcernKindBody> for ConcernKind {
    fn from(kind: ConcernKindBody) -> Self {
        match kind {
            ConcernKindBody::Idea => ConcernKind::Idea,
            ConcernKindBody::Need => ConcernKind::Need,
            ConcernKindBody::Problem => ConcernKind::Problem,
        }
    }
}

impl From<ConcernKind> for ConcernKindBody {
    fn from(kind: ConcernKind) -> Self {
        match kind {
            ConcernKind::Idea => ConcernKindBody::Idea,
            ConcernKind::Need => ConcernKindBody::Need,
            ConcernKind::Problem => ConcernKindBody::Problem,
        }
    }
}

/// Where a concern stands: `submitted` (waiting for staff, not public), `published`,
/// `in_review`, `referred` (handed to another operator, which answers it), `accepted`,
/// `in_progress`, `done`; or `declined`, `duplicate` (of `duplicate_of`), `withdrawn` by its
/// author. Neighbours may support it from `published` to `in_progress`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ConcernStatusBody {
    Submitted,
    Published,
    InReview,
    Referred,
    Accepted,
    InProgress,
    Done,
    Declined,
    Duplicate,
    Withdrawn,
}

impl From<ConcernStatusBody> for ConcernStatus {
    fn from(status: ConcernStatusBody) -> Self {
        use ConcernStatusBody as B;
        match status {
            B::Submitted => ConcernStatus::Submitted,
            B::Published => ConcernStatus::Published,
            B::InReview => ConcernStatus::InReview,
            B::Referred => ConcernStatus::Referred,
            B::Accepted => ConcernStatus::Accepted,
            B::InProgress => ConcernStatus::InProgress,
            B::Done => ConcernStatus::Done,
            B::Declined => ConcernStatus::Declined,
            B::Duplicate => ConcernStatus::Duplicate,
            B::Withdrawn => ConcernStatus::Withdrawn,
        }
    }
}

impl From<ConcernStatus> for ConcernStatusBody {
    fn from(status: ConcernStatus) -> Self {
        use ConcernStatusBody as B;
        match status {
            ConcernStatus::Submitted => B::Submitted,
            ConcernStatus::Published => B::Published,
            ConcernStatus::InReview => B::InReview,
            ConcernStatus::Referred => B::Referred,
            ConcernStatus::Accepted => B::Accepted,
            ConcernStatus::InProgress => B::InProgress,
            ConcernStatus::Done => B::Done,
            ConcernStatus::Declined => B::Declined,
            ConcernStatus::Duplicate => B::Duplicate,
            ConcernStatus::Withdrawn => B::Withdrawn,
        }
    }
}

/// How a concern reached Quartier: `web` (written by its author), or told on the `phone`,
/// at a `visit` to the centre, at a `meeting` (a Stadtteilgespräch) or by `letter`, and
/// written down by staff.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ConcernChannelBody {
    Web,
    Phone,
    Visit,
    Meeting,
    Letter,
}

impl From<ConcernChannelBody> for ConcernChannel {
    fn from(channel: ConcernChannelBody) -> Self {
        match channel {
            ConcernChannelBody::Web => ConcernChannel::Web,
            ConcernChannelBody::Phone => ConcernChannel::Phone,
            ConcernChannelBody::Visit => ConcernChannel::Visit,
            ConcernChannelBody::Meeting => ConcernChannel::Meeting,
            ConcernChannelBody::Letter => ConcernChannel::Letter,
        }
    }
}

impl From<ConcernChannel> for ConcernChannelBody {
    fn from(channel: ConcernChannel) -> Self {
        match channel {
            ConcernChannel::Web => ConcernChannelBody::Web,
            ConcernChannel::Phone => ConcernChannelBody::Phone,
            ConcernChannel::Visit => ConcernChannelBody::Visit,
            ConcernChannel::Meeting => ConcernChannelBody::Meeting,
            ConcernChannel::Letter => ConcernChannelBody::Letter,
        }
    }
}

/// A concern as its readers see it. Who raised it shows only when they chose so; supporters
/// are counted, never named.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernResponse {
    pub id: Uuid,
    pub kind: ConcernKindBody,
    pub category: Named,
    #[schema(example = "Sitzbank am Spielplatz fehlt")]
    pub title: String,
    pub text: String,
    /// The language the concern was raised in: its words as written are in it, whatever
    /// `content_language` serves.
    #[schema(example = "de")]
    pub source_language: String,
    pub district: Named,
    /// The centre it concerns, if any.
    pub centre_id: Option<Uuid>,
    /// Where it is, on a map.
    pub point: Option<Point>,
    /// Where it is, in words.
    pub address: Option<String>,
    /// The author's name, when the author chose to show it.
    pub author_name: Option<String>,
    pub channel: ConcernChannelBody,
    pub status: ConcernStatusBody,
    /// The concern this one is the same as (`status` is `duplicate`).
    pub duplicate_of: Option<Uuid>,
    /// The operator answering it.
    pub operator_id: Option<Uuid>,
    /// The partner it was referred to, whose staff answer it too.
    pub partner_id: Option<Uuid>,
    /// How many neighbours support it.
    pub support_count: i32,
    /// Whether the caller supports it; only for signed-in readers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supported: Option<bool>,
    /// Whether the caller raised it; only for signed-in readers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mine: Option<bool>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The language `title` and `text` are served in, or that they fell back to the words
    /// the concern was raised in.
    pub content_language: ContentLanguageResponse,
    /// Every variant of the title and text with its state; only for those who answer the
    /// concern, asking with `all_languages=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Vec<TranslationResponse>>,
    /// Changes with every change of status and every variant written or removed; sent as
    /// `ETag`, expected back in `If-Match`.
    pub version: i32,
}

impl Translatable for ConcernResponse {
    const OWNER: TextOwner = TextOwner::Concern;
    const CACHED: bool = false;

    fn owner_id(&self) -> Uuid {
        self.id
    }

    fn source_language(&self) -> LanguageTag {
        LanguageTag::parse(&self.source_language).unwrap_or_else(|_| LanguageTag::german())
    }

    fn source_text(&self, field: TextField) -> Option<&str> {
        match field {
            TextField::Title => Some(&self.title),
            TextField::Text => Some(&self.text),
            _ => None,
        }
    }

    fn set_text(&mut self, field: TextField, text: String) {
        match field {
            TextField::Title => self.title = text,
            TextField::Text => self.text = text,
            _ => {}
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

    fn names_shown(&mut self) -> Vec<NameShown<'_>> {
        vec![NameShown {
            owner: TextOwner::ConcernCategory,
            id: self.category.id,
            field: TextField::Name,
            text: &mut self.category.name,
        }]
    }
}

impl ConcernResponse {
    /// `view` as `reader` (if signed in) sees it; `supported` when known.
    pub fn new(view: ConcernView, reader: Option<AuthUser>, supported: Option<bool>) -> Self {
        let status = view.status();
        let source_language = view.written_in();
        let point = view
            .latitude
            .zip(view.longitude)
            .map(|(latitude, longitude)| Point {
                latitude,
                longitude,
            });
        Self {
            id: view.id,
            kind: ConcernKind::parse(&view.kind)
                .unwrap_or(ConcernKind::Idea)
                .into(),
            category: Named {
                id: view.category_id,
                name: view.category_name,
            },
            title: view.title,
            text: view.text,
            source_language: source_language.to_string(),
            district: Named {
                id: view.district_id,
                name: view.district_name,
            },
            centre_id: view.centre_id,
            point,
            address: view.address,
            author_name: view.author_name.filter(|_| view.show_author),
            channel: ConcernChannel::parse(&view.channel)
                .unwrap_or(ConcernChannel::Web)
                .into(),
            status: status.into(),
            duplicate_of: view.duplicate_of,
            operator_id: view.operator_id,
            partner_id: view.partner_id,
            support_count: view.support_count,
            supported: reader.and(supported),
            mine: reader.map(|r| view.author_id == Some(r.id)),
            published_at: view.published_at,
            created_at: view.created_at,
            updated_at: view.updated_at,
            content_language: ContentLanguageResponse::of(&source_language),
            translations: None,
            version: view.version,
        }
    }
}

/// Whether `caller` answers the concern `view`: as [`answers_for`] its operator, or as
/// staff of the partner it was referred to.
pub(crate) async fn answers(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    view: &ConcernView,
) -> Result<bool, ApiError> {
    Ok(
        answers_for(conn, caller, view.operator_id, view.centre_id).await?
            || answering_partner(conn, caller, view).await?.is_some(),
    )
}

/// Ok when `caller` answers the concern `view`; else 403, saying for an API key why not
/// (another operator's, without `concerns:write`, of a deactivated operator) and for a
/// person `refusal`.
pub(crate) async fn require_answers(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    view: &ConcernView,
    refusal: &str,
) -> Result<(), ApiError> {
    if answers(conn, caller, view).await? {
        return Ok(());
    }
    if let (Caller::Key(key), Some(operator_id)) = (caller, view.operator_id) {
        crate::authz::decide_key(key, operator_id, Scope::ConcernsWrite)?;
    }
    Err(ApiError::Forbidden(refusal.into()))
}

/// The partner `caller` answers the concern `view` for: the one it was referred to, when
/// the caller is its staff.
pub(crate) async fn answering_partner(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    view: &ConcernView,
) -> Result<Option<Uuid>, ApiError> {
    let (Some(partner_id), Some(user)) = (view.partner_id, caller.user()) else {
        return Ok(None);
    };
    let role = crate::authz::partner_role(conn, partner_id, user).await?;
    Ok(role.map(|_| partner_id))
}

/// Whether `caller` answers concerns for which `operator_id` is responsible, about the centre
/// `centre_id` (`None`: about no centre): an administrator always; staff (coordinator or
/// operator admin) of that operator, except that a coordinator limited to some of its centres
/// answers only concerns about one of those (none about no centre, or about another
/// operator's centre); an API key of that operator with the scope `concerns:write`.
pub(crate) async fn answers_for(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    operator_id: Option<Uuid>,
    centre_id: Option<Uuid>,
) -> Result<bool, ApiError> {
    if caller.is_admin() {
        return Ok(true);
    }
    let Some(operator_id) = operator_id else {
        return Ok(false);
    };
    let decided = match caller {
        Caller::User(user) => {
            crate::authz::require_staff(conn, *user, operator_id, StaffRole::Coordinator).await
        }
        Caller::Key(key) => crate::authz::decide_key(key, operator_id, Scope::ConcernsWrite),
    };
    match decided {
        Ok(()) => {}
        Err(ApiError::Forbidden(_) | ApiError::NotFound(_)) => return Ok(false),
        Err(other) => return Err(other),
    }
    match caller.user() {
        Some(user) => Ok(match limited_to(conn, operator_id, user.id).await? {
            Some(centres) => centre_id.is_some_and(|centre| centres.contains(&centre)),
            None => true,
        }),
        None => Ok(true),
    }
}

/// The centres of `operator_id` its coordinator `user_id` is limited to; `None` when she is
/// not limited.
pub(crate) async fn limited_to(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    user_id: Uuid,
) -> Result<Option<Vec<Uuid>>, ApiError> {
    let centres =
        quartier_persistence::operators::coordinator_centres(conn, operator_id, user_id).await?;
    Ok((!centres.is_empty()).then_some(centres))
}

/// Whether `caller` may read the concern `view`: everyone once it is published; before, its
/// author, those who answer it, and the core team looking after its district.
pub(crate) async fn may_read(
    conn: &mut AsyncPgConnection,
    caller: Option<&Caller>,
    view: &ConcernView,
) -> Result<bool, ApiError> {
    if view.is_public() {
        return Ok(true);
    }
    let Some(caller) = caller else {
        return Ok(false);
    };
    let authored = caller
        .user()
        .is_some_and(|user| view.author_id == Some(user.id));
    if authored || answers(conn, caller, view).await? {
        return Ok(true);
    }
    // The core team looking after its district reads it too.
    match caller.user() {
        Some(user) => {
            Ok(quartier_persistence::core_team::covers(conn, user.id, view.district_id).await?)
        }
        None => Ok(false),
    }
}

/// The concern `id` as `caller` may read it; 404 when there is none or it is not theirs to
/// see.
pub(crate) async fn readable(
    conn: &mut AsyncPgConnection,
    caller: Option<&Caller>,
    id: Uuid,
) -> Result<ConcernView, ApiError> {
    let not_found = || ApiError::NotFound("No concern has this id.".into());
    let view = quartier_persistence::concerns::find(conn, id)
        .await?
        .ok_or_else(not_found)?;
    if may_read(conn, caller, &view).await? {
        Ok(view)
    } else {
        Err(not_found())
    }
}
