//! `/help-requests` and `/help-matches`: neighbourly help, needs and offers between
//! neighbours, mediated by a centre and private by default.
//!
//! Who sees what: the public list shows what is asked, its district and 500 m cell, its
//! window and how many helpers are still wanted, never who or the exact place. The person
//! whose request it is, the staff of the centre that mediates it (coordinators and operator
//! admins, and the operator's keys with `help:write`) and its helpers read the private
//! details. Contact details pass only between the two people of a match, only once both
//! said yes (`matched`), and only to them: not to staff, not in events.

pub mod guest;
pub mod matches;
pub mod messages;
pub mod mine;
pub mod requests;

use chrono::{DateTime, NaiveDate, Utc};
use quartier_domain::StaffRole;
use quartier_domain::help::{
    HelpCategory, HelpKind, HelpMode, HelpRequestStatus, MatchStatus, Urgency,
};
use quartier_domain::integration::Scope;
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::help::{self, Contact, MatchRefusal, MatchRow, RequestRow};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiError;

body_enum!(
    /// Whether someone asks for help (`need`) or offers it (`offer`).
    HelpKindBody => HelpKind { Need, Offer }
);
body_enum!(
    /// What the help is: `errand` (Besorgungen), `accompaniment` (Begleitung),
    /// `small_repair`, `technology`, `visit` (Besuch und Gespräch), `childcare` (its helpers
    /// need the police certificate), `lending`, `other`.
    HelpCategoryBody => HelpCategory { Errand, Accompaniment, SmallRepair, Technology, Visit, Childcare, Lending, Other }
);
body_enum!(
    /// How soon: `flexible`, `soon`, `urgent`.
    UrgencyBody => Urgency { Flexible, Soon, Urgent }
);
body_enum!(
    /// How helpers are found: `mediated` (the default: the centre's staff propose them) or
    /// `direct` (helpers volunteer, the requester agrees).
    HelpModeBody => HelpMode { Mediated, Direct }
);
body_enum!(
    /// Where a request stands: `open` (looks for helpers) → `matched` (as many as it needs
    /// agreed) → `done`; or `expired` (its time ran out while open), `withdrawn`. A matched
    /// request is `open` again when a helper drops out.
    HelpRequestStatusBody => HelpRequestStatus { Open, Matched, Done, Expired, Withdrawn }
);
body_enum!(
    /// Where a match stands: `proposed` (by staff) → `accepted_by_helper` → `matched` (the
    /// requester agreed too: contacts pass) → `completed` or `no_show`; `declined` by a side
    /// before; `cancelled` when its request ended first.
    MatchStatusBody => MatchStatus { Proposed, AcceptedByHelper, Matched, Completed, Declined, NoShow, Cancelled }
);

/// A request as the public sees it: never who, never the exact place, never the details.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicHelpRequest {
    pub id: Uuid,
    pub kind: HelpKindBody,
    pub category: HelpCategoryBody,
    /// The centre that mediates it.
    pub centre_id: Uuid,
    pub district_id: Uuid,
    /// The 500 m cell of the European grid it is in (INSPIRE, ETRS89-LAEA), if one was
    /// given: `CRS3035RES500mN…E…`.
    pub grid_cell: Option<String>,
    #[schema(example = "Wer geht mit mir zum Arzt?")]
    pub summary: String,
    pub window_starts_at: DateTime<Utc>,
    pub window_ends_at: DateTime<Utc>,
    pub urgency: UrgencyBody,
    pub mode: HelpModeBody,
    /// The qualification its helpers must hold, valid through the window.
    pub qualification_type_id: Option<Uuid>,
    pub helpers_needed: i32,
    /// Places no helper holds yet.
    pub places_left: i32,
    pub status: HelpRequestStatusBody,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl From<&RequestRow> for PublicHelpRequest {
    fn from(row: &RequestRow) -> Self {
        Self {
            id: row.id,
            kind: row.kind().into(),
            category: row.category().into(),
            centre_id: row.centre_id,
            district_id: row.district_id,
            grid_cell: row.grid_cell.clone(),
            summary: row.summary.clone(),
            window_starts_at: row.window_starts_at,
            window_ends_at: row.window_ends_at,
            urgency: row.urgency().into(),
            mode: row.mode().into(),
            qualification_type_id: row.qualification_type_id,
            helpers_needed: i32::from(row.helpers_needed),
            places_left: i32::from(row.helpers_needed - row.helpers_holding),
            status: row.status().into(),
            expires_at: row.expires_at,
            created_at: row.created_at,
        }
    }
}

/// Who a request is for, as its readers see it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RequesterBody {
    /// A resident with an account, or a guest, made it herself.
    Person,
    /// Staff recorded it for someone (on the phone, at the counter), with her consent.
    Recorded,
    /// The person was erased.
    Gone,
}

use serde::Deserialize;

/// A request as the person whose it is, the centre's staff and its helpers see it: with the
/// private details and its matches. Contacts are in the matches, for the two people only.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpRequestResponse {
    #[serde(flatten)]
    pub public: PublicHelpRequest,
    /// What only the person, the centre's staff and a helper who may read it see (see
    /// `GET /help-requests/{id}`).
    pub details: Option<String>,
    /// Who it is for; for its people and staff only.
    pub requester: Option<RequesterBody>,
    /// For a recorded request: the day she agreed to it being recorded.
    pub consent_on: Option<NaiveDate>,
    pub ended_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// Its matches, for the person and staff; a helper sees her own.
    pub matches: Vec<MatchResponse>,
    /// Changes with every change; sent as `ETag`.
    pub version: i32,
}

/// How to reach the other person of a match: only to the two, only while `matched`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactResponse {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl From<Contact> for ContactResponse {
    fn from(contact: Contact) -> Self {
        Self {
            name: contact.name,
            email: contact.email,
            phone: contact.phone,
        }
    }
}

/// A helper matched to a request.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchResponse {
    pub id: Uuid,
    pub request_id: Uuid,
    /// The helper's account: for the centre's staff and the helper herself; null for the
    /// requester (she learns who once both said yes, in `contact`), or once erased.
    pub helper_id: Option<Uuid>,
    pub status: MatchStatusBody,
    pub created_at: DateTime<Utc>,
    pub matched_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// The other person's contact: for the helper the requester's, for the requester the
    /// helper's; only while `matched`, only to these two.
    pub contact: Option<ContactResponse>,
    /// Changes with every step; sent as `ETag`.
    pub version: i32,
}

/// What the caller is to a request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    /// The person whose request it is.
    pub requester: bool,
    /// Staff of the centre that mediates it, or its operator's key with `help:write`.
    pub staff: bool,
    /// A helper of one of its matches (the match's id).
    pub helper_of: Option<Uuid>,
    /// Whether that helper reads the private details (`MatchStatus::reads_details`).
    pub helper_reads: bool,
}

impl Standing {
    /// Whether the caller is one of the request's people or its staff.
    pub fn of_request(self) -> bool {
        self.requester || self.staff || self.helper_of.is_some()
    }

    /// Whether the caller reads the private details.
    pub fn reads_details(self) -> bool {
        self.requester || self.staff || self.helper_reads
    }

    /// A helper's standing in her match `row` of `request`.
    pub fn helper(row: &MatchRow, request: &RequestRow) -> Self {
        Self {
            helper_of: Some(row.id),
            helper_reads: row.status().reads_details(request.mode()),
            ..Self::default()
        }
    }
}

/// Whether `caller` mediates at the centre of `request`: staff of it (coordinators limited
/// to other centres not), its operator's keys with `help:write`.
pub(crate) async fn mediates(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    centre_id: Uuid,
) -> Result<bool, ApiError> {
    match crate::authz::require_centre(
        conn,
        caller,
        centre_id,
        StaffRole::Coordinator,
        Scope::HelpWrite,
    )
    .await
    {
        Ok(_) => Ok(true),
        Err(ApiError::Forbidden(_)) => Ok(false),
        Err(other) => Err(other),
    }
}

/// What `caller` is to `request`, with its matches.
pub(crate) async fn standing(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    request: &RequestRow,
    matches: &[MatchRow],
) -> Result<Standing, ApiError> {
    let user = caller.user();
    let helping = user.and_then(|u| matches.iter().find(|m| m.helper_id == Some(u.id)));
    Ok(Standing {
        requester: user.is_some_and(|u| request.person_id == Some(u.id)),
        staff: mediates(conn, caller, request.centre_id).await?,
        ..helping.map_or_else(Standing::default, |row| Standing::helper(row, request))
    })
}

/// The match `row` of `request` as `standing` may see it: the contact of the other person
/// only to the two, only while matched.
pub(crate) async fn match_response(
    conn: &mut AsyncPgConnection,
    row: &MatchRow,
    request: &RequestRow,
    standing: Standing,
) -> Result<MatchResponse, ApiError> {
    let is_helper = standing.helper_of == Some(row.id);
    let contact = if row.status().shares_contacts() {
        if is_helper {
            help::requester_contact(conn, request).await?
        } else if standing.requester {
            match row.helper_id {
                Some(helper) => help::contact_of(conn, helper).await?,
                None => None,
            }
        } else {
            None
        }
    } else {
        None
    };
    Ok(MatchResponse {
        id: row.id,
        request_id: row.request_id,
        helper_id: (standing.staff || is_helper)
            .then_some(row.helper_id)
            .flatten(),
        status: row.status().into(),
        created_at: row.created_at,
        matched_at: row.matched_at,
        ended_at: row.ended_at,
        contact: contact.map(Into::into),
        version: row.version,
    })
}

impl HelpRequestResponse {
    /// `request` as `standing` sees it (who reads the details), with the matches it may see.
    pub(crate) async fn load(
        conn: &mut AsyncPgConnection,
        request: &RequestRow,
        matches: &[MatchRow],
        standing: Standing,
    ) -> Result<Self, ApiError> {
        let mut shown = Vec::new();
        for row in matches {
            if standing.requester || standing.staff || standing.helper_of == Some(row.id) {
                shown.push(match_response(conn, row, request, standing).await?);
            }
        }
        let of_request = standing.of_request();
        Ok(Self {
            public: PublicHelpRequest::from(request),
            details: request.details.clone().filter(|_| standing.reads_details()),
            requester: of_request.then_some(match (request.recorded, request.person_id) {
                (true, _) => RequesterBody::Recorded,
                (false, Some(_)) => RequesterBody::Person,
                (false, None) => RequesterBody::Gone,
            }),
            consent_on: request
                .consent_on
                .filter(|_| standing.requester || standing.staff),
            ended_at: request.ended_at,
            updated_at: request.updated_at,
            matches: shown,
            version: request.version,
        })
    }
}

/// The problem for a refused match or step.
pub(crate) fn refused(refusal: MatchRefusal) -> ApiError {
    match refusal {
        MatchRefusal::NotFound => ApiError::NotFound("No help request or match has this id.".into()),
        MatchRefusal::VersionConflict => ApiError::VersionConflict,
        MatchRefusal::RequestClosed(status) => ApiError::Conflict {
            slug: "help-request-closed",
            detail: format!(
                "This request is {}: it takes no helpers and no steps now.",
                status.as_str()
            ),
        },
        MatchRefusal::RequestOver => ApiError::Conflict {
            slug: "help-request-closed",
            detail: "This request's time ran out.".into(),
        },
        MatchRefusal::Full => ApiError::Conflict {
            slug: "help-request-full",
            detail: "Every place of this request is held by a helper already.".into(),
        },
        MatchRefusal::AlreadyMatched => ApiError::Conflict {
            slug: "help-already-matched",
            detail: "This helper is matched to this request already.".into(),
        },
        MatchRefusal::OwnRequest => ApiError::Refused {
            slug: "help-own-request",
            detail: "Nobody helps with her own request.".into(),
        },
        MatchRefusal::Unqualified => ApiError::Refused {
            slug: "qualification-missing",
            detail: "This request needs a qualification its centre accepts, valid through its time window, which the helper does not hold.".into(),
        },
        MatchRefusal::CapReached { cap } => ApiError::Conflict {
            slug: "help-cap-reached",
            detail: format!(
                "The helper set herself a cap of {} neighbours helped in a month, and holds that many.",
                cap
            ),
        },
        MatchRefusal::NotAllowed(status) => ApiError::Conflict {
            slug: "help-step-not-allowed",
            detail: format!(
                "A match that is {} cannot take this step.",
                status.as_str()
            ),
        },
    }
}

/// The request `id`, or 404.
pub(crate) async fn existing(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<RequestRow, ApiError> {
    help::find(conn, id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No help request has this id.".into()))
}
