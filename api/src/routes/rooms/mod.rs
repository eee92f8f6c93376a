//! Rooms of a centre: what they are, who may book them, and the rules each booking keeps.
//! Anyone may read rooms and when they are busy; staff of the centre's operator keep them.

pub mod activity;
pub mod availability;
pub mod book;
pub mod calendar;
pub mod decide;
pub mod guest;
pub mod translations;
pub mod update;

use actix_web::{HttpResponse, get, post, web};
use quartier_domain::operator::{free_text, web_address};
use quartier_domain::room::{BookableBy, BookerKind, BookingStatus, ConflictPolicy, Layout};
use quartier_domain::{StaffRole, ValidationErrors, bounded_text};
use quartier_persistence::rooms::{self, NewRoom, RoomRefusal, RoomRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Caller, MaybeCaller};
use crate::authz::require_centre;
use crate::error::{ApiError, Problem};
use crate::extract::IfNoneMatch;
use crate::extract::Json;
use crate::extract::etag;
use crate::languages::{
    ContentLanguageResponse, LanguageQuery, ListLanguageQuery, Reading, Translatable,
    TranslationResponse, localize_list, one_in_language,
};
use crate::state::AppState;
use actix_web::http::header;
use quartier_domain::integration::Scope;
use quartier_domain::translation::{TextField, TextOwner};

body_enum!(
    /// Who may book a room besides the operator's staff: `staff` (nobody else), `partners`
    /// (also partners' staff), `residents` (also residents, who always ask).
    BookableByBody => BookableBy { Staff, Partners, Residents }
);
body_enum!(
    /// How the room is set up: `seated` (rows of chairs), `tables`, `standing`.
    LayoutBody => Layout { Seated, Tables, Standing }
);
body_enum!(
    /// Where one date of a booking stands: `requested` (blocks nothing yet), `confirmed` (the
    /// room is taken), `declined`, `cancelled`.
    BookingStatusBody => BookingStatus { Requested, Confirmed, Declined, Cancelled }
);
body_enum!(
    /// For whom a room is booked: `operator` (the room's operator, by its staff), `partner`
    /// (by that partner's staff), `activity` (by the staff who run it), `account` (a resident
    /// for themselves), `guest` (a resident without an account, through the guest form).
    BookerKindBody => BookerKind { Operator, Partner, Activity, Account, Guest }
);
body_enum!(
    /// What a series does with dates that are taken: `fail` (book nothing) or `skip` (book the
    /// free ones and name the skipped).
    ConflictPolicyBody => ConflictPolicy { Fail, Skip }
);

/// A room of a centre.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoomResponse {
    pub id: Uuid,
    pub centre_id: Uuid,
    pub operator_id: Uuid,
    pub name: String,
    pub description: String,
    /// People seated in rows; `null` where the room is not offered so.
    pub capacity_seated: Option<i32>,
    /// People at tables.
    pub capacity_tables: Option<i32>,
    /// People standing.
    pub capacity_standing: Option<i32>,
    pub step_free: bool,
    pub accessible_toilet: bool,
    pub hearing_loop: bool,
    pub equipment: Vec<String>,
    pub bookable_by: BookableByBody,
    /// Whether staff decide on each booking; residents always ask.
    pub needs_approval: bool,
    pub min_duration_minutes: i32,
    pub max_duration_minutes: i32,
    /// Bookings start and end on this grid of local time (15: at :00, :15, :30, :45).
    pub slot_minutes: i32,
    /// How many hours ahead at least a booking must be made.
    pub min_notice_hours: i32,
    /// How many days ahead at most a booking may be made.
    pub max_notice_days: i32,
    /// Minutes taken before each booking to set up.
    pub setup_minutes: i32,
    /// Minutes taken after each booking to clear up.
    pub cleanup_minutes: i32,
    /// How many dates still to come one person may hold in this room, whoever she books for.
    pub max_future_dates: i32,
    pub house_rules_url: Option<String>,
    pub fee_notes: String,
    /// The rooms of their own it claims: itself, or those it is made of (a Saal of A and B).
    pub parts: Vec<Uuid>,
    /// The language `name` and `description` are served in, and which fell back to German.
    pub content_language: ContentLanguageResponse,
    /// Every variant with its state; only for staff of the centre asking with
    /// `all_languages=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Vec<TranslationResponse>>,
    /// Changes with every update, of the German texts or their variants; sent as `ETag`,
    /// expected back in `If-Match`.
    pub version: i32,
}

impl Translatable for RoomResponse {
    const OWNER: TextOwner = TextOwner::Room;

    fn owner_id(&self) -> Uuid {
        self.id
    }

    fn source_text(&self, field: TextField) -> Option<&str> {
        match field {
            TextField::Name => Some(&self.name),
            TextField::Description => Some(&self.description),
            _ => None,
        }
    }

    fn set_text(&mut self, field: TextField, text: String) {
        match field {
            TextField::Name => self.name = text,
            TextField::Description => self.description = text,
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
}

impl From<RoomRow> for RoomResponse {
    fn from(row: RoomRow) -> Self {
        RoomResponse {
            bookable_by: crate::names::stored(&row.bookable_by, BookableByBody::Staff),
            id: row.id,
            centre_id: row.centre_id,
            operator_id: row.operator_id,
            name: row.name,
            description: row.description,
            capacity_seated: row.capacity_seated,
            capacity_tables: row.capacity_tables,
            capacity_standing: row.capacity_standing,
            step_free: row.step_free,
            accessible_toilet: row.accessible_toilet,
            hearing_loop: row.hearing_loop,
            equipment: row.equipment,
            needs_approval: row.needs_approval,
            min_duration_minutes: row.min_duration_minutes,
            max_duration_minutes: row.max_duration_minutes,
            slot_minutes: row.slot_minutes,
            min_notice_hours: row.min_notice_hours,
            max_notice_days: row.max_notice_days,
            setup_minutes: row.setup_minutes,
            cleanup_minutes: row.cleanup_minutes,
            max_future_dates: row.max_future_dates,
            house_rules_url: row.house_rules_url,
            fee_notes: row.fee_notes,
            parts: row.parts,
            content_language: ContentLanguageResponse::source(),
            translations: None,
            version: row.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoomList {
    pub items: Vec<RoomResponse>,
}

/// A new room. Only `name` and one capacity are needed; the rest has defaults.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRoomRequest {
    #[schema(example = "Saal")]
    pub name: String,
    pub description: Option<String>,
    /// 1 to 10 000; at least one capacity is needed.
    pub capacity_seated: Option<i32>,
    pub capacity_tables: Option<i32>,
    pub capacity_standing: Option<i32>,
    pub step_free: Option<bool>,
    pub accessible_toilet: Option<bool>,
    pub hearing_loop: Option<bool>,
    /// At most 30 items of at most 60 characters each.
    pub equipment: Option<Vec<String>>,
    /// Default `staff`.
    pub bookable_by: Option<BookableByBody>,
    /// Default true.
    pub needs_approval: Option<bool>,
    /// 5 to `max_duration_minutes`; default 30.
    pub min_duration_minutes: Option<i32>,
    /// At most 10 080 (a week); default 720.
    pub max_duration_minutes: Option<i32>,
    /// 5 to 240, dividing a day; default 15.
    pub slot_minutes: Option<i32>,
    /// 0 to 8 760; default 0.
    pub min_notice_hours: Option<i32>,
    /// 1 to 730; default 365.
    pub max_notice_days: Option<i32>,
    /// 0 to 240; default 0.
    pub setup_minutes: Option<i32>,
    /// 0 to 240; default 0.
    pub cleanup_minutes: Option<i32>,
    /// 1 to 1 000; default 20.
    pub max_future_dates: Option<i32>,
    pub house_rules_url: Option<String>,
    pub fee_notes: Option<String>,
    /// Rooms of the same centre this room is made of (a Saal of rooms A and B): booking it
    /// takes them, booking them takes it. At most 10.
    pub made_of: Option<Vec<Uuid>>,
}

/// A room's fields after checking, with its defaults filled in.
pub(crate) struct CheckedRoom {
    name: String,
    description: String,
    equipment: Vec<String>,
    house_rules_url: Option<String>,
    fee_notes: String,
    made_of: Vec<Uuid>,
}

fn in_range(errors: &mut ValidationErrors, field: &str, value: Option<i32>, min: i32, max: i32) {
    if value.is_some_and(|v| !(min..=max).contains(&v)) {
        errors.push(field, format!("must be from {min} to {max}"));
    }
}

pub(crate) fn check(body: &CreateRoomRequest) -> Result<CheckedRoom, ApiError> {
    let mut errors = ValidationErrors::default();
    let name = errors.collect(bounded_text(&body.name, "name", 120));
    let description = errors.collect(free_text(
        body.description.as_deref().unwrap_or_default(),
        "description",
        4000,
    ));
    for (field, value) in [
        ("capacity_seated", body.capacity_seated),
        ("capacity_tables", body.capacity_tables),
        ("capacity_standing", body.capacity_standing),
    ] {
        in_range(&mut errors, field, value, 1, 10_000);
    }
    if body.capacity_seated.is_none()
        && body.capacity_tables.is_none()
        && body.capacity_standing.is_none()
    {
        errors.push("capacity_seated", "one capacity at least is needed");
    }
    let equipment = body.equipment.clone().unwrap_or_default();
    if equipment.len() > 30 || equipment.iter().any(|item| item.trim().is_empty()) {
        errors.push("equipment", "must hold at most 30 items, none empty");
    }
    let equipment: Vec<String> = equipment
        .iter()
        .enumerate()
        .filter_map(|(i, item)| errors.collect(bounded_text(item, &format!("equipment[{i}]"), 60)))
        .collect();
    in_range(
        &mut errors,
        "min_duration_minutes",
        body.min_duration_minutes,
        5,
        10_080,
    );
    in_range(
        &mut errors,
        "max_duration_minutes",
        body.max_duration_minutes,
        5,
        10_080,
    );
    if body.min_duration_minutes.unwrap_or(30) > body.max_duration_minutes.unwrap_or(720) {
        errors.push(
            "min_duration_minutes",
            "must not be above max_duration_minutes",
        );
    }
    in_range(&mut errors, "slot_minutes", body.slot_minutes, 5, 240);
    if body
        .slot_minutes
        .is_some_and(|slot| slot > 0 && 1440 % slot != 0)
    {
        errors.push(
            "slot_minutes",
            "must divide a day (5, 10, 15, 20, 30, 60, …)",
        );
    }
    in_range(
        &mut errors,
        "min_notice_hours",
        body.min_notice_hours,
        0,
        8760,
    );
    in_range(&mut errors, "max_notice_days", body.max_notice_days, 1, 730);
    let notice_hours = i64::from(body.max_notice_days.unwrap_or(365)) * 24;
    if i64::from(body.min_notice_hours.unwrap_or(0)) >= notice_hours {
        errors.push(
            "min_notice_hours",
            "must be less than max_notice_days: the room could never be booked",
        );
    }
    in_range(&mut errors, "setup_minutes", body.setup_minutes, 0, 240);
    in_range(&mut errors, "cleanup_minutes", body.cleanup_minutes, 0, 240);
    in_range(
        &mut errors,
        "max_future_dates",
        body.max_future_dates,
        1,
        1000,
    );
    let house_rules_url = body
        .house_rules_url
        .as_deref()
        .and_then(|raw| errors.collect(web_address(raw, "house_rules_url")));
    let fee_notes = errors.collect(free_text(
        body.fee_notes.as_deref().unwrap_or_default(),
        "fee_notes",
        1000,
    ));
    let mut made_of = body.made_of.clone().unwrap_or_default();
    made_of.sort();
    made_of.dedup();
    if made_of.len() > 10 {
        errors.push("made_of", "must name at most 10 rooms");
    }
    errors.into_result().map_err(ApiError::Validation)?;
    Ok(CheckedRoom {
        name: name.unwrap_or_default(),
        description: description.unwrap_or_default(),
        equipment,
        house_rules_url,
        fee_notes: fee_notes.unwrap_or_default(),
        made_of,
    })
}

/// Add a room to a centre: a room of its own, or one made of other rooms of the centre (a
/// Saal of A and B). Staff of the centre's operator (coordinators within their centres), or
/// the operator's system with `rooms:write`.
#[utoipa::path(
    tag = "rooms",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The centre's id")),
    request_body = CreateRoomRequest,
    responses(
        (status = 201, description = "The room was added", body = RoomResponse, headers(("ETag" = String))),
        (status = 400, description = "The body is not JSON, or the id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (`unauthenticated`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of the centre's operator, or an API key of another operator or without the scope `rooms:write` (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No centre has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or a room to be made of that is not a room of this centre (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/centres/{id}/rooms")]
pub async fn create_room(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(body): Json<CreateRoomRequest>,
) -> Result<HttpResponse, ApiError> {
    let checked = check(&body)?;
    let mut conn = state.conn().await?;
    require_centre(
        &mut conn,
        &caller,
        *id,
        StaffRole::Coordinator,
        Scope::RoomsWrite,
    )
    .await?;
    let new = new_room(*id, &body, &checked);
    match rooms::create(&mut conn, Uuid::now_v7(), &new).await? {
        Ok(room) => Ok(HttpResponse::Created()
            .insert_header((header::ETAG, etag(room.version)))
            .json(RoomResponse::from(room))),
        Err(RoomRefusal::NoCentre) => Err(ApiError::NotFound("No centre has this id.".into())),
        Err(RoomRefusal::ForeignPart(room)) => Err(ApiError::validation(
            "made_of",
            &format!("{room} is not a room of this centre"),
        )),
    }
}

/// The room `body` describes, checked, with its defaults filled in.
pub(crate) fn new_room<'a>(
    centre_id: Uuid,
    body: &'a CreateRoomRequest,
    checked: &'a CheckedRoom,
) -> NewRoom<'a> {
    NewRoom {
        centre_id,
        name: &checked.name,
        description: &checked.description,
        capacity_seated: body.capacity_seated,
        capacity_tables: body.capacity_tables,
        capacity_standing: body.capacity_standing,
        step_free: body.step_free.unwrap_or(false),
        accessible_toilet: body.accessible_toilet.unwrap_or(false),
        hearing_loop: body.hearing_loop.unwrap_or(false),
        equipment: &checked.equipment,
        bookable_by: BookableBy::from(body.bookable_by.unwrap_or(BookableByBody::Staff)).as_str(),
        needs_approval: body.needs_approval.unwrap_or(true),
        min_duration_minutes: body.min_duration_minutes.unwrap_or(30),
        max_duration_minutes: body.max_duration_minutes.unwrap_or(720),
        slot_minutes: body.slot_minutes.unwrap_or(15),
        min_notice_hours: body.min_notice_hours.unwrap_or(0),
        max_notice_days: body.max_notice_days.unwrap_or(365),
        setup_minutes: body.setup_minutes.unwrap_or(0),
        cleanup_minutes: body.cleanup_minutes.unwrap_or(0),
        max_future_dates: body.max_future_dates.unwrap_or(20),
        house_rules_url: checked.house_rules_url.as_deref(),
        fee_notes: &checked.fee_notes,
        made_of: &checked.made_of,
    }
}

/// The rooms of a centre, by their German name, each in the reader's language. Public.
#[utoipa::path(
    tag = "rooms",
    security((), ("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The centre's id"),
        ListLanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
    ),
    responses(
        (status = 200, description = "The centre's rooms", body = RoomList, headers(("Content-Language" = String), ("Vary" = String))),
        (status = 422, description = "`lang` is not a language tag, such as `de-LS` (Lesotho's German; Leichte Sprache is `de-x-ls`) (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No centre has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/centres/{id}/rooms")]
pub async fn list_rooms(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    reading: Reading,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    if quartier_persistence::centres::find(&mut conn, *id)
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound("No centre has this id.".into()));
    }
    let mut items: Vec<RoomResponse> = rooms::of_centre(&mut conn, *id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let served = localize_list(&mut conn, &state, &reading, &mut items).await?;
    let mut response = HttpResponse::Ok().json(RoomList { items });
    served.mark(&mut response);
    Ok(response)
}

/// One room in the reader's language. Public; staff of its centre may ask for every variant
/// (`all_languages=true`).
#[utoipa::path(
    tag = "rooms",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The room's id"),
        LanguageQuery,
        ("Accept-Language" = Option<String>, Header, description = "The reader's languages (RFC 9110), such as `uk, de;q=0.5`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the copy the client holds"),
    ),
    responses(
        (status = 200, description = "The room", body = RoomResponse, headers(("ETag" = String), ("Content-Language" = String), ("Vary" = String))),
        (status = 304, description = "The client's copy, in this language, is current", headers(("ETag" = String))),
        (status = 403, description = "`all_languages` asked for by someone who is not staff of the room's centre (`forbidden`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`lang` is not a language tag, such as `de-LS` (Lesotho's German; Leichte Sprache is `de-x-ls`) (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "The id is not a UUID (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No room has this id (`not-found`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/rooms/{id}")]
pub async fn get_room(
    state: web::Data<AppState>,
    MaybeCaller(caller): MaybeCaller,
    id: web::Path<Uuid>,
    reading: Reading,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let room = existing(&mut conn, *id).await?;
    let is_staff = match &caller {
        Some(caller) if reading.all_languages => require_centre(
            &mut conn,
            caller,
            room.centre_id,
            StaffRole::Coordinator,
            Scope::RoomsWrite,
        )
        .await
        .is_ok(),
        _ => false,
    };
    let version = room.version;
    one_in_language(
        &mut conn,
        &state,
        &reading,
        RoomResponse::from(room),
        version,
        is_staff,
        &if_none_match,
    )
    .await
}

/// The room `id`, or 404.
pub(crate) async fn existing(
    conn: &mut quartier_persistence::AsyncPgConnection,
    id: Uuid,
) -> Result<RoomRow, ApiError> {
    rooms::find(conn, id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No room has this id.".into()))
}
