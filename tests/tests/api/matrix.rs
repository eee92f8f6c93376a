//! The authorization matrix: every operation of the OpenAPI document, called as every kind of
//! principal, with the expected allow or deny — and nothing in the database changed by a
//! denied request. An operation without a row here fails the test.

use std::collections::BTreeSet;

use actix_web::http::Method;
use chrono::{Duration, Utc};
use quartier_tests::{Setup, TestApp, TestResponse, TestUser, id_of, join, post, shift, sign_up};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum P {
    Anonymous,
    Volunteer,
    /// The volunteer whose sign-up, qualification or feed the operation names.
    Owner,
    CoordinatorA,
    OperatorAdminA,
    CoordinatorB,
    OperatorAdminB,
    /// An API key of operator A with every scope.
    KeyA,
    /// An API key of operator A with every scope but the one the operation needs.
    KeyAWithoutScope,
    /// An API key of operator B with every scope.
    KeyB,
    /// The town's coordinator (core team).
    TownCoordinator,
    /// A district manager (core team) of the fixture's district.
    DistrictManager,
    Admin,
}

use P::*;

const EVERYONE: &[P] = &[
    Anonymous,
    Volunteer,
    Owner,
    CoordinatorA,
    OperatorAdminA,
    CoordinatorB,
    OperatorAdminB,
    KeyA,
    KeyAWithoutScope,
    KeyB,
    TownCoordinator,
    DistrictManager,
    Admin,
];
const PEOPLE: &[P] = &[
    Volunteer,
    Owner,
    CoordinatorA,
    OperatorAdminA,
    CoordinatorB,
    OperatorAdminB,
    TownCoordinator,
    DistrictManager,
    Admin,
];
const CORE_TEAM: &[P] = &[TownCoordinator, DistrictManager, Admin];
const ADMIN: &[P] = &[Admin];
const STAFF_A: &[P] = &[CoordinatorA, OperatorAdminA, Admin];
const STAFF_A_AND_KEY: &[P] = &[CoordinatorA, OperatorAdminA, Admin, KeyA];
const ADMINS_A: &[P] = &[OperatorAdminA, Admin];
const ADMINS_A_AND_KEY: &[P] = &[OperatorAdminA, Admin, KeyA];
const OWNER_STAFF_A_AND_KEY: &[P] = &[Owner, CoordinatorA, OperatorAdminA, Admin, KeyA];
/// Both sides of a match of neighbourly help (the volunteer helps the owner) and the
/// mediating centre's staff and key.
const HELP_MATCH_SIDES: &[P] = &[Volunteer, Owner, CoordinatorA, OperatorAdminA, Admin, KeyA];
const PEOPLE_AND_KEY: &[P] = &[
    Volunteer,
    Owner,
    CoordinatorA,
    OperatorAdminA,
    CoordinatorB,
    OperatorAdminB,
    TownCoordinator,
    DistrictManager,
    Admin,
    KeyA,
];

/// Operation id, who may call it, and the scope an API key needs for it.
const MATRIX: &[(&str, &[P], Option<&str>)] = &[
    ("live", EVERYONE, None),
    ("ready", EVERYONE, None),
    // Only the scraper with the metrics token (none is configured here: 401 for everyone).
    ("scrape", &[], None),
    ("register", EVERYONE, None),
    ("verify_email", EVERYONE, None),
    ("request_password_reset", EVERYONE, None),
    ("confirm_password_reset", EVERYONE, None),
    ("login", EVERYONE, None),
    ("refresh", EVERYONE, None),
    ("logout", EVERYONE, None),
    ("get_privacy_policy", EVERYONE, None),
    ("list_qualification_types", EVERYONE, None),
    ("get_qualification_type", EVERYONE, None),
    ("put_qualification_type_translation", ADMIN, None),
    ("delete_qualification_type_translation", ADMINS_A, None),
    ("list_skills", EVERYONE, None),
    ("list_concern_categories", EVERYONE, None),
    ("create_concern_category", ADMIN, None),
    ("get_concern_category", EVERYONE, None),
    ("put_concern_category_translation", ADMINS_A, None),
    ("delete_concern_category_translation", ADMINS_A, None),
    (
        "put_concern_translation",
        STAFF_A_AND_KEY,
        Some("concerns:write"),
    ),
    (
        "delete_concern_translation",
        STAFF_A_AND_KEY,
        Some("concerns:write"),
    ),
    ("list_concerns", EVERYONE, None),
    ("similar_concerns", EVERYONE, None),
    ("my_concerns", PEOPLE, None),
    ("operator_concerns", STAFF_A_AND_KEY, Some("concerns:write")),
    ("get_concern", EVERYONE, None),
    ("create_concern", PEOPLE, None),
    ("support_concern", PEOPLE, None),
    ("withdraw_concern_support", PEOPLE, None),
    ("move_concern", STAFF_A_AND_KEY, Some("concerns:write")),
    ("list_concern_answers", EVERYONE, None),
    ("answer_concern", STAFF_A_AND_KEY, Some("concerns:write")),
    (
        "concern_author_contact",
        STAFF_A_AND_KEY,
        Some("concerns:write"),
    ),
    (
        "change_concern_answer",
        STAFF_A_AND_KEY,
        Some("concerns:write"),
    ),
    ("list_concern_outcomes", EVERYONE, None),
    (
        "link_concern_outcome",
        STAFF_A_AND_KEY,
        Some("concerns:write"),
    ),
    (
        "unlink_concern_outcome",
        STAFF_A_AND_KEY,
        Some("concerns:write"),
    ),
    ("list_core_team", CORE_TEAM, None),
    ("set_core_team_role", ADMIN, None),
    ("remove_core_team_role", ADMIN, None),
    ("district_concerns", CORE_TEAM, None),
    ("catalogue", EVERYONE, None),
    (
        "create_snapshot",
        &[CoordinatorA, OperatorAdminA, KeyA, TownCoordinator, Admin],
        Some("reports:read"),
    ),
    (
        "list_snapshots",
        &[
            CoordinatorA,
            OperatorAdminA,
            CoordinatorB,
            OperatorAdminB,
            KeyA,
            KeyB,
            TownCoordinator,
            Admin,
        ],
        Some("reports:read"),
    ),
    (
        "get_snapshot",
        &[CoordinatorA, OperatorAdminA, KeyA, TownCoordinator, Admin],
        Some("reports:read"),
    ),
    (
        "indicator_chart",
        &[CoordinatorA, OperatorAdminA, KeyA, TownCoordinator, Admin],
        Some("reports:read"),
    ),
    (
        "report_indicators",
        &[CoordinatorA, OperatorAdminA, KeyA, TownCoordinator, Admin],
        Some("reports:read"),
    ),
    ("list_rooms", EVERYONE, None),
    ("get_room", EVERYONE, None),
    ("room_availability", EVERYONE, None),
    ("room_busy_feed", EVERYONE, None),
    ("create_room", STAFF_A_AND_KEY, Some("rooms:write")),
    ("update_room", STAFF_A_AND_KEY, Some("rooms:write")),
    ("put_room_translation", STAFF_A_AND_KEY, Some("rooms:write")),
    (
        "delete_room_translation",
        STAFF_A_AND_KEY,
        Some("rooms:write"),
    ),
    // The fixture's room is booked by residents: every person may ask for it.
    ("book_room", PEOPLE, None),
    ("list_room_requests", STAFF_A_AND_KEY, Some("rooms:write")),
    ("get_activity_room", STAFF_A_AND_KEY, Some("rooms:write")),
    ("set_activity_room", STAFF_A_AND_KEY, Some("rooms:write")),
    (
        "release_activity_room",
        STAFF_A_AND_KEY,
        Some("rooms:write"),
    ),
    ("confirm_room_booking", STAFF_A_AND_KEY, Some("rooms:write")),
    ("decline_room_booking", STAFF_A_AND_KEY, Some("rooms:write")),
    // The owner asked for the date she cancels.
    (
        "cancel_room_booking",
        OWNER_STAFF_A_AND_KEY,
        Some("rooms:write"),
    ),
    ("create_fund", ADMINS_A_AND_KEY, Some("funds:write")),
    ("update_fund", ADMINS_A_AND_KEY, Some("funds:write")),
    ("put_fund_translation", STAFF_A_AND_KEY, Some("funds:write")),
    (
        "delete_fund_translation",
        STAFF_A_AND_KEY,
        Some("funds:write"),
    ),
    (
        "put_project_translation",
        STAFF_A_AND_KEY,
        Some("funds:write"),
    ),
    (
        "delete_project_translation",
        STAFF_A_AND_KEY,
        Some("funds:write"),
    ),
    ("rewrite_application", &[Owner], None),
    ("create_guest_application", EVERYONE, None),
    ("confirm_guest_application", EVERYONE, None),
    ("list_funds", EVERYONE, None),
    ("get_fund", EVERYONE, None),
    ("list_fund_projects", EVERYONE, None),
    ("create_application", PEOPLE, None),
    // Every person lists her own; the keepers all.
    ("list_applications", PEOPLE_AND_KEY, Some("funds:write")),
    // The owner applied.
    (
        "get_application",
        OWNER_STAFF_A_AND_KEY,
        Some("funds:write"),
    ),
    ("my_fund_applications", PEOPLE, None),
    ("submit_application", &[Owner], None),
    ("precheck_application", STAFF_A_AND_KEY, Some("funds:write")),
    ("decide_application", STAFF_A_AND_KEY, Some("funds:write")),
    (
        "report_application",
        OWNER_STAFF_A_AND_KEY,
        Some("funds:write"),
    ),
    ("settle_application", STAFF_A_AND_KEY, Some("funds:write")),
    ("withdraw_application", &[Owner], None),
    // A person asks for herself; the centre's keys record for someone.
    ("create_help_request", PEOPLE_AND_KEY, Some("help:write")),
    ("list_help_requests", EVERYONE, None),
    // An open request is public.
    ("get_help_request", EVERYONE, None),
    // The owner asked.
    (
        "withdraw_help_request",
        OWNER_STAFF_A_AND_KEY,
        Some("help:write"),
    ),
    (
        "list_centre_help_requests",
        STAFF_A_AND_KEY,
        Some("help:write"),
    ),
    // Anyone signed in offers (the owner gets 422: her own request).
    ("volunteer_for_help", PEOPLE, None),
    ("propose_helper", STAFF_A_AND_KEY, Some("help:write")),
    // The volunteer helps with the owner's request.
    ("get_help_match", HELP_MATCH_SIDES, Some("help:write")),
    // The requester's yes is due: hers alone (staff give it only for someone they recorded);
    // the volunteer's own was given (409).
    ("accept_help_match", &[Volunteer, Owner], None),
    ("decline_help_match", HELP_MATCH_SIDES, Some("help:write")),
    ("complete_help_match", HELP_MATCH_SIDES, Some("help:write")),
    (
        "no_show_help_match",
        OWNER_STAFF_A_AND_KEY,
        Some("help:write"),
    ),
    ("my_help", PEOPLE, None),
    // The match's two sides write; staff only for someone they recorded.
    ("send_help_message", &[Volunteer, Owner], None),
    ("list_help_messages", HELP_MATCH_SIDES, Some("help:write")),
    ("create_guest_help_request", EVERYONE, None),
    ("confirm_guest_help_request", EVERYONE, None),
    ("list_networks", EVERYONE, None),
    ("create_network", ADMIN, None),
    ("list_memberships", EVERYONE, None),
    // Administrators invite; the owner asks for herself.
    ("ask_membership", &[Owner, Admin], None),
    ("move_membership", ADMIN, None),
    ("list_partners", EVERYONE, None),
    ("get_partner", EVERYONE, None),
    ("create_partner", ADMIN, None),
    ("update_partner", ADMINS_A_AND_KEY, Some("partners:write")),
    ("list_partner_members", ADMINS_A, None),
    ("add_partner_member", ADMIN, None),
    ("remove_partner_member", ADMINS_A, None),
    ("partner_concerns", ADMIN, None),
    ("open311_services", EVERYONE, None),
    ("open311_requests", EVERYONE, None),
    ("open311_request", EVERYONE, None),
    ("hsds_about", EVERYONE, None),
    ("hsds_organizations", EVERYONE, None),
    ("hsds_organization", EVERYONE, None),
    ("list_districts", EVERYONE, None),
    ("get_district", EVERYONE, None),
    ("create_district", ADMIN, None),
    ("update_district", ADMIN, None),
    ("delete_district", ADMIN, None),
    ("list_users", ADMIN, None),
    ("list_audit", ADMIN, None),
    ("list_operators", EVERYONE, None),
    ("get_operator", EVERYONE, None),
    ("create_operator", ADMIN, None),
    ("update_operator", ADMINS_A, None),
    ("list_members", STAFF_A, None),
    ("list_notification_failures", ADMINS_A, None),
    ("add_member", ADMIN, None),
    ("invite_staff", ADMINS_A, None),
    ("list_invitations", ADMINS_A, None),
    ("revoke_invitation", ADMINS_A, None),
    ("accept_invitation", PEOPLE, None),
    ("update_member", ADMINS_A, None),
    ("remove_member", ADMINS_A, None),
    ("list_api_keys", ADMINS_A, None),
    ("create_api_key", ADMINS_A, None),
    ("get_api_key", ADMINS_A, None),
    ("revoke_api_key", ADMINS_A, None),
    ("create_qualification_type", ADMINS_A, None),
    ("inspect_qualification", STAFF_A, None),
    ("list_qualification_checks", STAFF_A, None),
    ("revoke_qualification_check", STAFF_A, None),
    ("rotate_api_key", ADMINS_A, None),
    ("list_trusted_operators", EVERYONE, None),
    ("get_workload_policy", STAFF_A_AND_KEY, Some("shifts:write")),
    ("my_workload", PEOPLE, None),
    (
        "put_workload_policy",
        ADMINS_A_AND_KEY,
        Some("shifts:write"),
    ),
    ("trust_operator", ADMINS_A, None),
    ("distrust_operator", ADMINS_A, None),
    ("list_webhooks", ADMINS_A_AND_KEY, Some("webhooks:manage")),
    ("create_webhook", ADMINS_A_AND_KEY, Some("webhooks:manage")),
    ("get_webhook", ADMINS_A_AND_KEY, Some("webhooks:manage")),
    ("update_webhook", ADMINS_A_AND_KEY, Some("webhooks:manage")),
    ("delete_webhook", ADMINS_A_AND_KEY, Some("webhooks:manage")),
    ("list_deliveries", ADMINS_A_AND_KEY, Some("webhooks:manage")),
    ("ping_webhook", ADMINS_A_AND_KEY, Some("webhooks:manage")),
    ("list_centres", EVERYONE, None),
    ("get_centre", EVERYONE, None),
    ("create_centre", ADMINS_A, None),
    ("update_centre", ADMINS_A, None),
    ("put_centre_translation", ADMINS_A, None),
    ("delete_centre_translation", ADMINS_A, None),
    ("get_opening_hours", EVERYONE, None),
    ("replace_opening_hours", ADMINS_A, None),
    ("centre_calendar", EVERYONE, None),
    ("list_activities", EVERYONE, None),
    ("get_activity", EVERYONE, None),
    ("create_activity", STAFF_A_AND_KEY, Some("activities:write")),
    ("update_activity", STAFF_A_AND_KEY, Some("activities:write")),
    (
        "put_activity_translation",
        STAFF_A_AND_KEY,
        Some("activities:write"),
    ),
    (
        "delete_activity_translation",
        STAFF_A_AND_KEY,
        Some("activities:write"),
    ),
    ("upsert_activity", STAFF_A_AND_KEY, Some("activities:write")),
    ("activity_calendar", EVERYONE, None),
    ("activity_occurrences", EVERYONE, None),
    ("search_occurrences", EVERYONE, None),
    ("get_occurrence", EVERYONE, None),
    (
        "update_occurrence",
        STAFF_A_AND_KEY,
        Some("activities:write"),
    ),
    ("search_shifts", EVERYONE, None),
    ("list_help_wanted", EVERYONE, None),
    ("list_help_wanted_as", EVERYONE, None),
    ("whats_on_feed", EVERYONE, None),
    ("centres_feed", EVERYONE, None),
    ("widgets_script", EVERYONE, None),
    ("embed_page", EVERYONE, None),
    ("list_town_embed_origins", ADMIN, None),
    ("add_town_embed_origin", ADMIN, None),
    ("remove_town_embed_origin", ADMIN, None),
    ("list_operator_embed_origins", ADMINS_A, None),
    ("add_operator_embed_origin", ADMINS_A, None),
    ("remove_operator_embed_origin", ADMINS_A, None),
    ("get_shift", EVERYONE, None),
    ("create_shift", STAFF_A_AND_KEY, Some("shifts:write")),
    (
        "create_activity_shifts",
        STAFF_A_AND_KEY,
        Some("shifts:write"),
    ),
    ("update_shift", STAFF_A_AND_KEY, Some("shifts:write")),
    (
        "put_shift_translation",
        STAFF_A_AND_KEY,
        Some("shifts:write"),
    ),
    (
        "delete_shift_translation",
        STAFF_A_AND_KEY,
        Some("shifts:write"),
    ),
    ("send_shift_message", STAFF_A, None),
    ("upsert_shift", STAFF_A_AND_KEY, Some("shifts:write")),
    ("import", STAFF_A_AND_KEY, Some("shifts:write")),
    ("create_signup", PEOPLE_AND_KEY, Some("signups:write")),
    ("get_signup", OWNER_STAFF_A_AND_KEY, Some("roster:read")),
    (
        "cancel_signup",
        OWNER_STAFF_A_AND_KEY,
        Some("signups:write"),
    ),
    (
        "delete_signup",
        OWNER_STAFF_A_AND_KEY,
        Some("signups:write"),
    ),
    ("create_guest_signup", EVERYONE, None),
    ("confirm_guest_signup", EVERYONE, None),
    ("create_guest_concern", EVERYONE, None),
    ("confirm_guest_concern", EVERYONE, None),
    ("create_guest_room_booking", EVERYONE, None),
    ("confirm_guest_room_booking", EVERYONE, None),
    ("request_guest_link", EVERYONE, None),
    // A guest's link token is no principal's: every one of them is refused.
    ("guest_signups", &[], None),
    ("cancel_guest_signup", &[], None),
    ("guest_room_bookings", &[], None),
    ("cancel_guest_room_date", &[], None),
    ("guest_fund_applications", &[], None),
    ("guest_help", &[], None),
    ("withdraw_guest_help_request", &[], None),
    ("accept_guest_help_match", &[], None),
    ("decline_guest_help_match", &[], None),
    ("send_guest_help_message", &[], None),
    ("withdraw_guest_application", &[], None),
    ("export_guest", &[], None),
    ("erase_guest", &[], None),
    ("create_walk_in", STAFF_A_AND_KEY, Some("signups:write")),
    ("check_in", STAFF_A_AND_KEY, Some("signups:write")),
    ("record_attendance", STAFF_A_AND_KEY, Some("signups:write")),
    ("shift_roster", STAFF_A_AND_KEY, Some("roster:read")),
    ("centre_roster", STAFF_A_AND_KEY, Some("roster:read")),
    ("operator_roster", STAFF_A_AND_KEY, Some("roster:read")),
    ("get_me", PEOPLE, None),
    ("update_me", PEOPLE, None),
    ("change_password", PEOPLE, None),
    ("resend_verification", PEOPLE, None),
    ("change_email", PEOPLE, None),
    ("get_notification_preferences", PEOPLE, None),
    ("put_notification_preferences", PEOPLE, None),
    ("unsubscribe", EVERYONE, None),
    // The mail system's secret is no principal's.
    ("report_bounce", &[], None),
    ("consent_to_privacy_policy", PEOPLE, None),
    ("my_audit", PEOPLE, None),
    ("export_me", PEOPLE, None),
    ("my_memberships", PEOPLE, None),
    ("my_operators", PEOPLE, None),
    ("my_notifications", PEOPLE, None),
    ("read_notification", &[OperatorAdminA], None),
    ("join_operator", PEOPLE, None),
    ("get_profile", PEOPLE, None),
    ("update_profile", PEOPLE, None),
    ("my_signups", PEOPLE, None),
    (
        "create_standing_signup",
        PEOPLE_AND_KEY,
        Some("signups:write"),
    ),
    (
        "activity_standing_signups",
        STAFF_A_AND_KEY,
        Some("signups:write"),
    ),
    (
        "get_standing_signup",
        OWNER_STAFF_A_AND_KEY,
        Some("signups:write"),
    ),
    (
        "change_standing_signup",
        OWNER_STAFF_A_AND_KEY,
        Some("signups:write"),
    ),
    (
        "end_standing_signup",
        OWNER_STAFF_A_AND_KEY,
        Some("signups:write"),
    ),
    ("answer_offer", OWNER_STAFF_A_AND_KEY, Some("signups:write")),
    ("my_standing_signups", PEOPLE, None),
    ("my_blockouts", PEOPLE, None),
    ("add_blockout", PEOPLE, None),
    ("remove_blockout", &[Owner], None),
    ("my_hours", PEOPLE, None),
    ("my_qualifications", PEOPLE, None),
    ("declare_qualification", PEOPLE, None),
    ("withdraw_qualification", &[Owner], None),
    ("create_calendar_feed", PEOPLE, None),
    ("revoke_calendar_feed", PEOPLE, None),
    ("my_calendar", EVERYONE, None),
    // Late: the volunteer must help operator A for the key's sign-ups before.
    ("leave_operator", PEOPLE, None),
    // Last: it erases the callers.
    ("erase_me", PEOPLE, None),
];

const SCOPES: [&str; 11] = [
    "activities:write",
    "shifts:write",
    "signups:write",
    "roster:read",
    "webhooks:manage",
    "concerns:write",
    "partners:write",
    "rooms:write",
    "reports:read",
    "funds:write",
    "help:write",
];

/// Everything the operations name: two operators, their staff, keys, and operator A's
/// centre, activity, occurrence, shift, sign-up and webhook.
struct Fixture {
    admin: TestUser,
    volunteer: TestUser,
    owner: TestUser,
    coordinator_a: TestUser,
    operator_admin_a: TestUser,
    coordinator_b: TestUser,
    operator_admin_b: TestUser,
    key_a: String,
    /// Operator A's keys, each lacking one scope (in the order of `SCOPES`).
    keys_a_without: Vec<String>,
    key_b: String,
    operator_a: String,
    operator_b: String,
    district: String,
    centre_a: String,
    activity_a: String,
    occurrence_a: String,
    shift_a: String,
    signup: String,
    webhook_a: String,
    owner_qualification: String,
    concern_category: String,
    /// A published concern the owner raised, answered by operator A.
    concern: String,
    /// A partner of the network: operator A.
    partner: String,
    /// A network.
    network: String,
    /// A room of centre A that residents ask for.
    room: String,
    /// A frozen report of operator A's figures, small counts hidden (made by the admin).
    snapshot: String,
    /// Operator A's neighbourhood fund.
    fund: String,
    town_coordinator: TestUser,
    district_manager: TestUser,
}

const PASSWORD: &str = "ein sicheres Passwort";

async fn ok(response: TestResponse) -> Value {
    assert!(
        (200..300).contains(&response.status),
        "{}: {}",
        response.status,
        String::from_utf8_lossy(&response.body)
    );
    response.json()
}

async fn key(app: &TestApp, admin: &str, operator: &str, scopes: &[&str]) -> String {
    let created = ok(post(
        app,
        admin,
        &format!("/api/v1/operators/{operator}/api-keys"),
        json!({"name": "Matrix", "scopes": scopes}),
    )
    .await)
    .await;
    created["key_secret"].as_str().expect("secret").to_owned()
}

async fn fixture(app: &TestApp) -> Fixture {
    let admin = app.admin().await;
    let a = admin.access_token.as_str();
    let district = id_of(
        &post(
            app,
            a,
            "/api/v1/districts",
            json!({"name": "Nordstadt", "town": "Musterstadt"}),
        )
        .await,
    );
    let mut operators = Vec::new();
    for name in ["Träger A", "Träger B"] {
        operators.push(id_of(
            &post(
                app,
                a,
                "/api/v1/operators",
                json!({"name": name, "kind": "association"}),
            )
            .await,
        ));
    }
    let volunteer = app.signed_up("volunteer@example.org").await;
    let owner = app.signed_up("owner@example.org").await;
    let mut staff = Vec::new();
    for (operator, email, role) in [
        (&operators[0], "coord-a@example.org", "coordinator"),
        (&operators[0], "admin-a@example.org", "operator_admin"),
        (&operators[1], "coord-b@example.org", "coordinator"),
        (&operators[1], "admin-b@example.org", "operator_admin"),
    ] {
        staff.push(app.signed_up(email).await);
        ok(post(
            app,
            a,
            &format!("/api/v1/operators/{operator}/members"),
            json!({"email": email, "role": role}),
        )
        .await)
        .await;
    }
    let centre_a = id_of(
        &post(
            app,
            a,
            "/api/v1/centres",
            json!({
                "operator_id": operators[0], "district_id": district, "name": "Bürgerhaus",
                "kind": "community_house",
                "address": {"street": "Marktplatz 1", "postcode": "44135", "town": "Musterstadt"},
                "position": {"latitude": 51.5, "longitude": 7.4},
            }),
        )
        .await,
    );
    let activity_a = id_of(
        &post(
            app,
            a,
            "/api/v1/activities",
            json!({
                "centre_id": centre_a, "title": "Offener Treff", "category": "open_meetup",
                "status": "published",
                "schedule": {"kind": "recurring", "rrule": "FREQ=WEEKLY;COUNT=20",
                    "first_start": (Utc::now() + Duration::days(2)).format("%Y-%m-%dT15:00:00").to_string(),
                    "duration_minutes": 120},
            }),
        )
        .await,
    );
    let window = format!(
        "from={}&to={}",
        Utc::now().format("%Y-%m-%dT%H:%M:%SZ"),
        (Utc::now() + Duration::days(60)).format("%Y-%m-%dT%H:%M:%SZ")
    );
    let occurrences = ok(app
        .get(
            &format!("/api/v1/activities/{activity_a}/occurrences?{window}"),
            None,
        )
        .await)
    .await;
    let occurrence_a = occurrences["items"][0]["id"]
        .as_str()
        .expect("an occurrence")
        .to_owned();
    let setup = Setup {
        admin: admin.clone(),
        coordinator: staff[0].clone(),
        other_coordinator: staff[2].clone(),
        operator: operators[0].clone(),
        other_operator: operators[1].clone(),
        centre: centre_a.clone(),
    };
    let shift_a = shift(app, &setup, "Tische decken", 72, 50, json!({})).await;
    let signup = id_of(&sign_up(app, &owner.access_token, &shift_a).await);
    // The volunteer helps operator A and declared first aid: its staff and keys may act for
    // her.
    join(app, &volunteer.access_token, &operators[0]).await;
    ok(post(
        app,
        &volunteer.access_token,
        "/api/v1/me/qualifications",
        json!({"type_id": "00000000-0000-7000-8000-000000000003",
               "issued_on": (Utc::now() - Duration::days(5)).date_naive()}),
    )
    .await)
    .await;
    let owner_qualification = id_of(
        &post(
            app,
            &owner.access_token,
            "/api/v1/me/qualifications",
            json!({"type_id": "00000000-0000-7000-8000-000000000003",
                   "issued_on": (Utc::now() - Duration::days(10)).date_naive()}),
        )
        .await,
    );
    let key_a = key(app, a, &operators[0], &SCOPES).await;
    let mut keys_a_without = Vec::new();
    for scope in SCOPES {
        let others: Vec<&str> = SCOPES.iter().copied().filter(|s| *s != scope).collect();
        keys_a_without.push(key(app, a, &operators[0], &others).await);
    }
    let key_b = key(app, a, &operators[1], &SCOPES).await;
    let webhook_a = id_of(
        &post(
            app,
            a,
            &format!("/api/v1/operators/{}/webhooks", operators[0]),
            json!({"url": "http://127.0.0.1:9/hook"}),
        )
        .await,
    );
    let concern_category = id_of(
        &post(
            app,
            a,
            "/api/v1/concern-categories",
            json!({"name": "Spielplätze", "kind": "need", "operator_id": operators[0], "needs_moderation": false}),
        )
        .await,
    );
    let concern = id_of(
        &post(
            app,
            &owner.access_token,
            "/api/v1/concerns",
            json!({"category_id": concern_category, "district_id": district,
                   "title": "Sitzbank fehlt", "text": "Am Spielplatz."}),
        )
        .await,
    );
    let partner = id_of(
        &post(
            app,
            a,
            "/api/v1/partners",
            json!({"name": "Nachbarschaftsverein", "kind": "association", "operator_id": operators[0]}),
        )
        .await,
    );
    let network = id_of(
        &post(
            app,
            a,
            "/api/v1/networks",
            json!({"name": "Quartiersnetzwerk", "kind": "neighbourhood_network"}),
        )
        .await,
    );
    let room = id_of(
        &post(
            app,
            a,
            &format!("/api/v1/centres/{centre_a}/rooms"),
            json!({"name": "Gruppenraum", "capacity_seated": 20, "bookable_by": "residents",
                   "max_future_dates": 1000}),
        )
        .await,
    );
    let snapshot = id_of(
        &post(
            app,
            a,
            "/api/v1/reports/snapshots",
            json!({"title": "Sachbericht", "from": date(-30), "to": date(0),
                   "filters": {"operator_id": operators[0]}}),
        )
        .await,
    );
    let fund = id_of(
        &post(
            app,
            a,
            "/api/v1/funds",
            json!({"operator_id": operators[0], "year": 2027, "title": "Verfügungsfonds",
                   "budget_cents": 100_000_000, "per_project_max_cents": 1_000_000,
                   "staff_threshold_cents": 1_000_000}),
        )
        .await,
    );
    let town_coordinator = app.signed_up("town@example.org").await;
    let district_manager = app.signed_up("district@example.org").await;
    for (person, role) in [
        (&town_coordinator, json!({"role": "town_coordinator"})),
        (
            &district_manager,
            json!({"role": "district_manager", "district_ids": [district]}),
        ),
    ] {
        let made = app
            .json(
                Method::PUT,
                &format!("/api/v1/users/{}/core-team", person.id),
                Some(a),
                &[],
                &role,
            )
            .await;
        assert_eq!(made.status, 200);
    }
    let mut staff = staff.into_iter();
    let mut next = || staff.next().expect("staff");
    Fixture {
        coordinator_a: next(),
        operator_admin_a: next(),
        coordinator_b: next(),
        operator_admin_b: next(),
        admin,
        volunteer,
        owner,
        key_a,
        keys_a_without,
        key_b,
        operator_a: operators[0].clone(),
        operator_b: operators[1].clone(),
        district,
        centre_a,
        activity_a,
        occurrence_a,
        shift_a,
        signup,
        webhook_a,
        owner_qualification,
        concern_category,
        concern,
        partner,
        network,
        room,
        snapshot,
        fund,
        town_coordinator,
        district_manager,
    }
}

/// A fresh application of the owner to the fixture's fund, taken as far as `steps` say
/// (`submit`, `precheck`, `decide`, `report`): its path.
async fn fund_application(app: &TestApp, fx: &Fixture, steps: &[&str]) -> String {
    let made = ok(post(
        app,
        &fx.owner.access_token,
        &format!("/api/v1/funds/{}/applications", fx.fund),
        json!({"title": "Hoffest", "description": "Ein Nachmittag im Hof.",
               "requested_cents": 10_000, "district_id": fx.district}),
    )
    .await)
    .await;
    let path = format!(
        "/api/v1/funds/{}/applications/{}",
        fx.fund,
        made["id"].as_str().expect("id")
    );
    for step in steps {
        let (token, body) = match *step {
            "submit" => (&fx.owner.access_token, json!(null)),
            "decide" => (
                &fx.admin.access_token,
                json!({"status": "approved", "decided_by": "staff", "granted_cents": 10_000}),
            ),
            "report" => (
                &fx.owner.access_token,
                json!({"actual_cost_cents": 9_000, "report_text": "Es kamen 40 Leute."}),
            ),
            _ => (&fx.admin.access_token, json!(null)),
        };
        ok(post(app, token, &format!("{path}/{step}"), body).await).await;
    }
    path
}

/// A fresh request of the owner at centre A, in `mode`: its id.
async fn help_request(app: &TestApp, fx: &Fixture, mode: &str) -> String {
    let start = Utc::now() + Duration::days(2);
    let made = ok(post(
        app,
        &fx.owner.access_token,
        "/api/v1/help-requests",
        json!({"centre_id": fx.centre_a, "kind": "need", "category": "errand", "mode": mode,
               "summary": "Einkauf", "window_starts_at": start,
               "window_ends_at": start + Duration::hours(2)}),
    )
    .await)
    .await;
    made["id"].as_str().expect("id").to_owned()
}

/// A fresh match of the volunteer to a direct request of the owner, `accepted_by_helper`,
/// or `matched` too: its path.
async fn help_match(app: &TestApp, fx: &Fixture, matched: bool) -> String {
    let request = help_request(app, fx, "direct").await;
    let offered = ok(post(
        app,
        &fx.volunteer.access_token,
        &format!("/api/v1/help-requests/{request}/volunteer"),
        json!(null),
    )
    .await)
    .await;
    let path = format!(
        "/api/v1/help-matches/{}",
        offered["id"].as_str().expect("id")
    );
    if matched {
        ok(post(
            app,
            &fx.owner.access_token,
            &format!("{path}/accept"),
            json!(null),
        )
        .await)
        .await;
    }
    path
}

/// A free hour of the fixture's room, a different one at each call.
fn room_hour() -> (String, String) {
    static NEXT: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let day = (Utc::now() + Duration::days(3)).date_naive();
    let starts = day.and_hms_opt(0, 0, 0).expect("midnight").and_utc() + Duration::hours(n);
    let format = |at: chrono::DateTime<Utc>| at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    (format(starts), format(starts + Duration::hours(1)))
}

/// A date of the fixture's room the owner asked for.
async fn room_request(app: &TestApp, fx: &Fixture) -> String {
    let (starts_at, ends_at) = room_hour();
    let booked = ok(post(
        app,
        &fx.owner.access_token,
        &format!("/api/v1/rooms/{}/bookings", fx.room),
        json!({"booker": "account", "purpose": "Geburtstag", "expected_people": 10,
               "layout": "seated", "starts_at": starts_at, "ends_at": ends_at}),
    )
    .await)
    .await;
    booked["dates"][0]["id"]
        .as_str()
        .expect("a date")
        .to_owned()
}

impl Fixture {
    fn person_mut(&mut self, p: P) -> Option<&mut TestUser> {
        match p {
            Volunteer => Some(&mut self.volunteer),
            Owner => Some(&mut self.owner),
            CoordinatorA => Some(&mut self.coordinator_a),
            OperatorAdminA => Some(&mut self.operator_admin_a),
            CoordinatorB => Some(&mut self.coordinator_b),
            OperatorAdminB => Some(&mut self.operator_admin_b),
            TownCoordinator => Some(&mut self.town_coordinator),
            DistrictManager => Some(&mut self.district_manager),
            Admin => Some(&mut self.admin),
            Anonymous | KeyA | KeyAWithoutScope | KeyB => None,
        }
    }

    fn person(&self, p: P) -> Option<&TestUser> {
        match p {
            Volunteer => Some(&self.volunteer),
            Owner => Some(&self.owner),
            CoordinatorA => Some(&self.coordinator_a),
            OperatorAdminA => Some(&self.operator_admin_a),
            CoordinatorB => Some(&self.coordinator_b),
            OperatorAdminB => Some(&self.operator_admin_b),
            TownCoordinator => Some(&self.town_coordinator),
            DistrictManager => Some(&self.district_manager),
            Admin => Some(&self.admin),
            Anonymous | KeyA | KeyAWithoutScope | KeyB => None,
        }
    }

    /// The credential headers of `p` for an operation needing `scope`.
    fn credentials(&self, p: P, scope: Option<&str>) -> Vec<(String, String)> {
        let key = match p {
            KeyA => Some(self.key_a.clone()),
            KeyB => Some(self.key_b.clone()),
            KeyAWithoutScope => Some(match scope {
                Some(scope) => {
                    let at = SCOPES
                        .iter()
                        .position(|s| *s == scope)
                        .expect("known scope");
                    self.keys_a_without[at].clone()
                }
                None => self.keys_a_without[0].clone(),
            }),
            _ => None,
        };
        if let Some(key) = key {
            return vec![("x-api-key".into(), key)];
        }
        self.person(p)
            .map(|u| vec![("authorization".into(), format!("Bearer {}", u.access_token))])
            .unwrap_or_default()
    }
}

/// The day `days` from today, `YYYY-MM-DD`.
fn date(days: i64) -> String {
    (Utc::now() + Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

fn day(days: i64) -> String {
    (Utc::now() + Duration::days(days))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

impl Fixture {
    /// The fixture as the sign-up helpers know it.
    fn setup(&self) -> Setup {
        Setup {
            admin: self.admin.clone(),
            coordinator: self.coordinator_a.clone(),
            other_coordinator: self.coordinator_b.clone(),
            operator: self.operator_a.clone(),
            other_operator: String::new(),
            centre: self.centre_a.clone(),
        }
    }
}

/// The request `op` makes for `p`: method, path and body. Operations that consume what they
/// name (deletion, revocation, cancellation, a refresh token's single use) get a fresh one.
async fn request(app: &TestApp, fx: &Fixture, op: &str, p: P) -> (Method, String, Option<Value>) {
    let a = fx.admin.access_token.as_str();
    let op_a = fx.operator_a.as_str();
    let window = format!("from={}&to={}", day(-1), day(30));
    let starts = Utc::now() + Duration::days(5);
    let timed_shift = json!({
        "centre_id": fx.centre_a, "title": "Matrix", "capacity": 3,
        "starts_at": starts, "ends_at": starts + Duration::hours(2),
    });
    let activity_body = json!({
        "centre_id": fx.centre_a, "title": "Sprachcafé", "category": "coffee_table",
        "schedule": {"kind": "once", "starts_at": day(40), "ends_at": (Utc::now() + Duration::days(40) + Duration::hours(2)).format("%Y-%m-%dT%H:%M:%SZ").to_string()},
    });
    let fresh_login = || async {
        let tokens = app.login("volunteer@example.org", PASSWORD).await.json();
        tokens["refresh_token"]
            .as_str()
            .expect("refresh")
            .to_owned()
    };
    let unique = uuid::Uuid::now_v7().simple().to_string();
    let me = fx.person(p);
    let own_password = me.map_or(PASSWORD, |u| u.password.as_str());
    match op {
        "live" => (Method::GET, "/health/live".into(), None),
        "ready" => (Method::GET, "/health/ready".into(), None),
        "scrape" => (Method::GET, "/metrics".into(), None),
        "register" => (
            Method::POST,
            "/api/v1/auth/register".into(),
            Some(
                json!({"email": format!("new-{unique}@example.org"), "display_name": "Neu",
                        "password": PASSWORD, "privacy_consent": true}),
            ),
        ),
        "verify_email" => (
            Method::POST,
            "/api/v1/auth/verify-email".into(),
            Some(json!({"token": "not-a-token-quartier-mailed"})),
        ),
        "request_password_reset" => (
            Method::POST,
            "/api/v1/auth/password-reset".into(),
            Some(json!({"email": format!("nobody-{unique}@example.org")})),
        ),
        "confirm_password_reset" => (
            Method::POST,
            "/api/v1/auth/password-reset/confirm".into(),
            Some(json!({"token": "not-a-token-quartier-mailed", "new_password": PASSWORD})),
        ),
        "login" => (
            Method::POST,
            "/api/v1/auth/login".into(),
            Some(json!({"email": "volunteer@example.org", "password": PASSWORD})),
        ),
        "refresh" => (
            Method::POST,
            "/api/v1/auth/refresh".into(),
            Some(json!({"refresh_token": fresh_login().await})),
        ),
        "logout" => (
            Method::POST,
            "/api/v1/auth/logout".into(),
            Some(json!({"refresh_token": fresh_login().await})),
        ),
        "get_privacy_policy" => (Method::GET, "/api/v1/privacy-policy".into(), None),
        "list_qualification_types" => (Method::GET, "/api/v1/qualification-types".into(), None),
        "get_qualification_type" => (
            Method::GET,
            "/api/v1/qualification-types/00000000-0000-7000-8000-000000000003".into(),
            None,
        ),
        // The catalogue's names: administrators only.
        "put_qualification_type_translation" => (
            Method::PUT,
            "/api/v1/qualification-types/00000000-0000-7000-8000-000000000003/translations/en"
                .into(),
            Some(json!({"origin": "human", "texts": {"name": "First aid"}})),
        ),
        // An operator's own type: its operator admins too.
        "delete_qualification_type_translation" => {
            let created = app
                .json(
                    Method::POST,
                    &format!("/api/v1/operators/{op_a}/qualification-types"),
                    Some(a),
                    &[],
                    &json!({"name": format!("Einweisung {unique}")}),
                )
                .await;
            assert_eq!(created.status, 201);
            let path = format!(
                "/api/v1/qualification-types/{}/translations/uk",
                id_of(&created)
            );
            let written = app
                .json(
                    Method::PUT,
                    &path,
                    Some(a),
                    &[("if-match", "*")],
                    &json!({"origin": "human", "texts": {"name": "Інструктаж"}}),
                )
                .await;
            assert_eq!(written.status, 200);
            (Method::DELETE, path, None)
        }
        "list_skills" => (Method::GET, "/api/v1/skills".into(), None),
        "list_concern_categories" => (Method::GET, "/api/v1/concern-categories".into(), None),
        "create_concern_category" => (
            Method::POST,
            "/api/v1/concern-categories".into(),
            Some(json!({"name": format!("Thema {unique}"), "kind": "idea"})),
        ),
        "list_concerns" => (Method::GET, "/api/v1/concerns".into(), None),
        "get_concern_category" => (
            Method::GET,
            format!("/api/v1/concern-categories/{}", fx.concern_category),
            None,
        ),
        // Operator A answers the category: its operator admins name it too.
        "put_concern_category_translation" => (
            Method::PUT,
            format!(
                "/api/v1/concern-categories/{}/translations/en",
                fx.concern_category
            ),
            Some(json!({"origin": "human", "texts": {"name": "Playgrounds"}})),
        ),
        "delete_concern_category_translation" => {
            let path = format!(
                "/api/v1/concern-categories/{}/translations/tr",
                fx.concern_category
            );
            let written = app
                .json(
                    Method::PUT,
                    &path,
                    Some(a),
                    &[("if-match", "*")],
                    &json!({"origin": "human", "texts": {"name": "Oyun alanları"}}),
                )
                .await;
            assert_eq!(written.status, 200);
            (Method::DELETE, path, None)
        }
        "put_concern_translation" => (
            Method::PUT,
            format!("/api/v1/concerns/{}/translations/en", fx.concern),
            Some(json!({"origin": "human", "texts": {"title": "More benches"}})),
        ),
        "delete_concern_translation" => {
            let path = format!("/api/v1/concerns/{}/translations/tr", fx.concern);
            let written = app
                .json(
                    Method::PUT,
                    &path,
                    Some(a),
                    &[("if-match", "*")],
                    &json!({"origin": "human", "texts": {"title": "Daha fazla bank"}}),
                )
                .await;
            assert_eq!(written.status, 200);
            (Method::DELETE, path, None)
        }
        "list_core_team" => (Method::GET, "/api/v1/core-team".into(), None),
        "catalogue" => (Method::GET, "/api/v1/reports/catalogue".into(), None),
        "create_snapshot" => (
            Method::POST,
            "/api/v1/reports/snapshots".into(),
            Some(json!({"title": "Bericht", "from": date(-30), "to": date(0),
                        "filters": {"operator_id": op_a}, "indicators": ["visits"]})),
        ),
        "list_snapshots" => (Method::GET, "/api/v1/reports/snapshots".into(), None),
        "get_snapshot" => (
            Method::GET,
            format!("/api/v1/reports/snapshots/{}", fx.snapshot),
            None,
        ),
        "indicator_chart" => (
            Method::GET,
            format!(
                "/api/v1/reports/indicators/visits/chart?from={}&to={}&operator_id={op_a}",
                date(-1),
                date(30)
            ),
            None,
        ),
        "report_indicators" => (
            Method::GET,
            format!(
                "/api/v1/reports/indicators?from={}&to={}&group_by=district,month&operator_id={op_a}",
                date(-1),
                date(30)
            ),
            None,
        ),
        "set_core_team_role" => {
            let newcomer = app
                .signed_up(&format!(
                    "kern-{}@example.org",
                    uuid::Uuid::now_v7().simple()
                ))
                .await;
            (
                Method::PUT,
                format!("/api/v1/users/{}/core-team", newcomer.id),
                Some(json!({"role": "town_coordinator"})),
            )
        }
        "remove_core_team_role" => {
            let newcomer = app
                .signed_up(&format!(
                    "kern-{}@example.org",
                    uuid::Uuid::now_v7().simple()
                ))
                .await;
            let made = app
                .json(
                    Method::PUT,
                    &format!("/api/v1/users/{}/core-team", newcomer.id),
                    Some(a),
                    &[],
                    &json!({"role": "town_coordinator"}),
                )
                .await;
            assert_eq!(made.status, 200);
            (
                Method::DELETE,
                format!("/api/v1/users/{}/core-team", newcomer.id),
                None,
            )
        }
        "district_concerns" => (
            Method::GET,
            format!("/api/v1/districts/{}/concerns", fx.district),
            None,
        ),
        "list_rooms" => (
            Method::GET,
            format!("/api/v1/centres/{}/rooms", fx.centre_a),
            None,
        ),
        "get_room" => (Method::GET, format!("/api/v1/rooms/{}", fx.room), None),
        "room_availability" => (
            Method::GET,
            format!("/api/v1/rooms/{}/availability?{window}", fx.room),
            None,
        ),
        "room_busy_feed" => (
            Method::GET,
            format!("/api/v1/rooms/{}/busy.ics", fx.room),
            None,
        ),
        "create_room" => (
            Method::POST,
            format!("/api/v1/centres/{}/rooms", fx.centre_a),
            Some(json!({"name": "Küche", "capacity_standing": 8})),
        ),
        "book_room" => {
            let (starts_at, ends_at) = room_hour();
            (
                Method::POST,
                format!("/api/v1/rooms/{}/bookings", fx.room),
                Some(
                    json!({"booker": "account", "purpose": "Treffen", "expected_people": 5,
                            "layout": "seated", "starts_at": starts_at, "ends_at": ends_at}),
                ),
            )
        }
        "list_room_requests" => (
            Method::GET,
            format!("/api/v1/centres/{}/room-requests", fx.centre_a),
            None,
        ),
        "confirm_room_booking" => (
            Method::POST,
            format!(
                "/api/v1/room-booking-dates/{}/confirm",
                room_request(app, fx).await
            ),
            None,
        ),
        "decline_room_booking" => (
            Method::POST,
            format!(
                "/api/v1/room-booking-dates/{}/decline",
                room_request(app, fx).await
            ),
            Some(json!({"note": "Belegt."})),
        ),
        "cancel_room_booking" => (
            Method::POST,
            format!(
                "/api/v1/room-booking-dates/{}/cancel",
                room_request(app, fx).await
            ),
            None,
        ),
        "get_activity_room" | "release_activity_room" => {
            let path = format!("/api/v1/activities/{}/room", fx.activity_a);
            let set = app
                .json(
                    Method::PUT,
                    &path,
                    Some(a),
                    &[],
                    &json!({"room_id": fx.room}),
                )
                .await;
            assert_eq!(set.status, 200, "{}", String::from_utf8_lossy(&set.body));
            let method = if op == "get_activity_room" {
                Method::GET
            } else {
                Method::DELETE
            };
            (method, path, None)
        }
        "put_room_translation" => (
            Method::PUT,
            format!("/api/v1/rooms/{}/translations/en", fx.room),
            Some(json!({"origin": "human", "texts": {"name": "Group room"}})),
        ),
        "delete_room_translation" => {
            let path = format!("/api/v1/rooms/{}/translations/tr", fx.room);
            let written = app
                .json(
                    Method::PUT,
                    &path,
                    Some(a),
                    &[("if-match", "*")],
                    &json!({"origin": "human", "texts": {"name": "Grup odası"}}),
                )
                .await;
            assert_eq!(written.status, 200);
            (Method::DELETE, path, None)
        }
        "update_room" => (
            Method::PATCH,
            format!("/api/v1/rooms/{}", fx.room),
            Some(json!({"fee_notes": "Spende erbeten"})),
        ),
        "set_activity_room" => (
            Method::PUT,
            format!("/api/v1/activities/{}/room", fx.activity_a),
            Some(json!({"room_id": fx.room})),
        ),
        "create_fund" => (
            Method::POST,
            "/api/v1/funds".into(),
            Some(
                json!({"operator_id": op_a, "year": 2027, "title": format!("Fonds {unique}"),
                        "budget_cents": 100_000, "per_project_max_cents": 50_000,
                        "staff_threshold_cents": 10_000}),
            ),
        ),
        "update_fund" => (
            Method::PATCH,
            format!("/api/v1/funds/{}", fx.fund),
            Some(json!({"title": format!("Verfügungsfonds {unique}")})),
        ),
        "put_fund_translation" => (
            Method::PUT,
            format!("/api/v1/funds/{}/translations/en", fx.fund),
            Some(json!({"origin": "human", "texts": {"title": "Neighbourhood fund"}})),
        ),
        "delete_fund_translation" => {
            let path = format!("/api/v1/funds/{}/translations/tr", fx.fund);
            let written = app
                .json(
                    Method::PUT,
                    &path,
                    Some(a),
                    &[("if-match", "*")],
                    &json!({"origin": "human", "texts": {"title": "Mahalle fonu"}}),
                )
                .await;
            assert_eq!(written.status, 200);
            (Method::DELETE, path, None)
        }
        "put_project_translation" => (
            Method::PUT,
            format!("{}/translations/en", fund_application(app, fx, &[]).await),
            Some(json!({"origin": "human", "texts": {"title": "Courtyard party"}})),
        ),
        "delete_project_translation" => {
            let path = format!("{}/translations/tr", fund_application(app, fx, &[]).await);
            let written = app
                .json(
                    Method::PUT,
                    &path,
                    Some(a),
                    &[("if-match", "*")],
                    &json!({"origin": "human", "texts": {"title": "Avlu şenliği"}}),
                )
                .await;
            assert_eq!(written.status, 200);
            (Method::DELETE, path, None)
        }
        "rewrite_application" => (
            Method::PUT,
            fund_application(app, fx, &[]).await,
            Some(
                json!({"title": "Hoffest im Mai", "description": "Ein Nachmittag im Hof.",
                        "requested_cents": 12_000, "district_id": fx.district}),
            ),
        ),
        "create_guest_application" => (
            Method::POST,
            format!("/api/v1/funds/{}/guest-applications", fx.fund),
            Some(
                json!({"name": "Gast", "email": format!("guest-{unique}@example.org"),
                        "privacy_policy_version": "2026-11",
                        "application": {"title": "Bank am Spielplatz", "description": "Eine Bank.",
                                        "requested_cents": 5_000, "district_id": fx.district}}),
            ),
        ),
        "create_guest_help_request" => {
            let start = Utc::now() + Duration::days(2);
            (
                Method::POST,
                "/api/v1/guest-help-requests".into(),
                Some(
                    json!({"name": "Gast", "email": format!("guest-{unique}@example.org"),
                            "privacy_policy_version": "2026-11",
                            "request": {"centre_id": fx.centre_a, "kind": "need",
                                        "category": "errand", "summary": "Einkauf",
                                        "window_starts_at": start,
                                        "window_ends_at": start + Duration::hours(2)}}),
                ),
            )
        }
        "confirm_guest_help_request" => (
            Method::POST,
            "/api/v1/guest-help-requests/confirm".into(),
            Some(json!({"token": "not-a-token-quartier-mailed"})),
        ),
        "confirm_guest_application" => (
            Method::POST,
            "/api/v1/guest-fund-applications/confirm".into(),
            Some(json!({"token": "not-a-token-quartier-mailed"})),
        ),
        "list_funds" => (Method::GET, "/api/v1/funds?year=2027".into(), None),
        "get_fund" => (Method::GET, format!("/api/v1/funds/{}", fx.fund), None),
        "list_fund_projects" => (Method::GET, "/api/v1/fund-projects".into(), None),
        "my_fund_applications" => (Method::GET, "/api/v1/me/fund-applications".into(), None),
        "create_application" => (
            Method::POST,
            format!("/api/v1/funds/{}/applications", fx.fund),
            Some(
                json!({"title": "Bank am Spielplatz", "description": "Eine Bank.",
                        "requested_cents": 5_000, "district_id": fx.district}),
            ),
        ),
        "list_applications" => (
            Method::GET,
            format!("/api/v1/funds/{}/applications", fx.fund),
            None,
        ),
        "get_application" => (Method::GET, fund_application(app, fx, &[]).await, None),
        "submit_application" => (
            Method::POST,
            format!("{}/submit", fund_application(app, fx, &[]).await),
            None,
        ),
        "precheck_application" => (
            Method::POST,
            format!("{}/precheck", fund_application(app, fx, &["submit"]).await),
            None,
        ),
        "decide_application" => (
            Method::POST,
            format!(
                "{}/decide",
                fund_application(app, fx, &["submit", "precheck"]).await
            ),
            Some(json!({"status": "approved", "decided_by": "staff", "granted_cents": 8_000})),
        ),
        "report_application" => (
            Method::POST,
            format!(
                "{}/report",
                fund_application(app, fx, &["submit", "precheck", "decide"]).await
            ),
            Some(json!({"actual_cost_cents": 7_500, "report_text": "Gut besucht."})),
        ),
        "settle_application" => (
            Method::POST,
            format!(
                "{}/settle",
                fund_application(app, fx, &["submit", "precheck", "decide", "report"]).await
            ),
            None,
        ),
        "withdraw_application" => (
            Method::POST,
            format!("{}/withdraw", fund_application(app, fx, &[]).await),
            None,
        ),
        "list_networks" => (Method::GET, "/api/v1/networks".into(), None),
        "create_network" => (
            Method::POST,
            "/api/v1/networks".into(),
            Some(json!({"name": format!("Netzwerk {}", uuid::Uuid::now_v7()), "kind": "other"})),
        ),
        "list_memberships" => (
            Method::GET,
            format!("/api/v1/networks/{}/memberships", fx.network),
            None,
        ),
        "ask_membership" => (
            Method::POST,
            format!("/api/v1/networks/{}/memberships", fx.network),
            Some(json!({"user_id": fx.owner.id})),
        ),
        "move_membership" => {
            let newcomer = app
                .signed_up(&format!(
                    "netz-{}@example.org",
                    uuid::Uuid::now_v7().simple()
                ))
                .await;
            let invited = id_of(
                &post(
                    app,
                    a,
                    &format!("/api/v1/networks/{}/memberships", fx.network),
                    json!({"user_id": newcomer.id}),
                )
                .await,
            );
            (
                Method::POST,
                format!(
                    "/api/v1/networks/{}/memberships/{invited}/status",
                    fx.network
                ),
                Some(json!({"status": "declined"})),
            )
        }
        "list_partners" => (Method::GET, "/api/v1/partners".into(), None),
        "get_partner" => (
            Method::GET,
            format!("/api/v1/partners/{}", fx.partner),
            None,
        ),
        "create_partner" => (
            Method::POST,
            "/api/v1/partners".into(),
            Some(
                json!({"name": format!("Verein {}", uuid::Uuid::now_v7()), "kind": "association"}),
            ),
        ),
        "update_partner" => (
            Method::PATCH,
            format!("/api/v1/partners/{}", fx.partner),
            Some(json!({"description": "Neu beschrieben"})),
        ),
        "list_partner_members" => (
            Method::GET,
            format!("/api/v1/partners/{}/members", fx.partner),
            None,
        ),
        "add_partner_member" => {
            // A new account each time: a member of the partner is no longer an outsider.
            let newcomer = app
                .signed_up(&format!(
                    "partner-{}@example.org",
                    uuid::Uuid::now_v7().simple()
                ))
                .await;
            (
                Method::POST,
                format!("/api/v1/partners/{}/members", fx.partner),
                Some(json!({"email": newcomer.email, "role": "partner_staff"})),
            )
        }
        "remove_partner_member" => {
            let newcomer = app
                .signed_up(&format!(
                    "partner-{}@example.org",
                    uuid::Uuid::now_v7().simple()
                ))
                .await;
            let added = post(
                app,
                a,
                &format!("/api/v1/partners/{}/members", fx.partner),
                json!({"email": newcomer.email, "role": "partner_staff"}),
            )
            .await;
            assert_eq!(added.status, 200);
            (
                Method::DELETE,
                format!("/api/v1/partners/{}/members/{}", fx.partner, newcomer.id),
                None,
            )
        }
        "partner_concerns" => (
            Method::GET,
            format!("/api/v1/partners/{}/concerns", fx.partner),
            None,
        ),
        "hsds_about" => (Method::GET, "/hsds/v3".into(), None),
        "hsds_organizations" => (Method::GET, "/hsds/v3/organizations".into(), None),
        "hsds_organization" => (
            Method::GET,
            format!("/hsds/v3/organizations/{}", fx.partner),
            None,
        ),
        "concern_author_contact" => (
            Method::GET,
            format!("/api/v1/concerns/{}/author-contact", fx.concern),
            None,
        ),
        "open311_services" => (Method::GET, "/open311/v2/services.json".into(), None),
        "open311_requests" => (Method::GET, "/open311/v2/requests.json".into(), None),
        "open311_request" => (
            Method::GET,
            format!("/open311/v2/requests/{}.json", fx.concern),
            None,
        ),
        "similar_concerns" => (
            Method::GET,
            "/api/v1/concerns/similar?title=Bank".into(),
            None,
        ),
        "my_concerns" => (Method::GET, "/api/v1/me/concerns".into(), None),
        "operator_concerns" => (
            Method::GET,
            format!("/api/v1/operators/{op_a}/concerns"),
            None,
        ),
        "get_concern" => (
            Method::GET,
            format!("/api/v1/concerns/{}", fx.concern),
            None,
        ),
        "create_concern" => (
            Method::POST,
            "/api/v1/concerns".into(),
            Some(
                json!({"category_id": fx.concern_category, "district_id": fx.district,
                        "title": "Mehr Bänke", "text": "Im Park."}),
            ),
        ),
        "support_concern" => (
            Method::PUT,
            format!("/api/v1/concerns/{}/support", fx.concern),
            Some(json!({"notify": true})),
        ),
        "withdraw_concern_support" => (
            Method::DELETE,
            format!("/api/v1/concerns/{}/support", fx.concern),
            None,
        ),
        "move_concern" => (
            Method::POST,
            format!("/api/v1/concerns/{}/status", fx.concern),
            Some(json!({"status": "in_review"})),
        ),
        "list_concern_answers" => (
            Method::GET,
            format!("/api/v1/concerns/{}/answers", fx.concern),
            None,
        ),
        "answer_concern" => (
            Method::POST,
            format!("/api/v1/concerns/{}/answers", fx.concern),
            Some(json!({"text": "Wir kümmern uns.", "visibility": "internal"})),
        ),
        "change_concern_answer" => {
            let draft = id_of(
                &post(
                    app,
                    a,
                    &format!("/api/v1/concerns/{}/answers", fx.concern),
                    json!({"text": "Entwurf", "visibility": "public", "publish": false}),
                )
                .await,
            );
            (
                Method::PATCH,
                format!("/api/v1/concerns/{}/answers/{draft}", fx.concern),
                Some(json!({"text": "Geänderter Entwurf"})),
            )
        }
        "list_concern_outcomes" => (
            Method::GET,
            format!("/api/v1/concerns/{}/outcomes", fx.concern),
            None,
        ),
        "link_concern_outcome" => (
            Method::POST,
            format!("/api/v1/concerns/{}/outcomes", fx.concern),
            Some(json!({"kind": "outside", "outside_ref": uuid::Uuid::now_v7().to_string()})),
        ),
        "unlink_concern_outcome" => {
            let outcome = id_of(
                &post(
                    app,
                    a,
                    &format!("/api/v1/concerns/{}/outcomes", fx.concern),
                    json!({"kind": "outside", "outside_ref": uuid::Uuid::now_v7().to_string()}),
                )
                .await,
            );
            (
                Method::DELETE,
                format!("/api/v1/concerns/{}/outcomes/{outcome}", fx.concern),
                None,
            )
        }
        "list_districts" => (Method::GET, "/api/v1/districts".into(), None),
        "get_district" => (
            Method::GET,
            format!("/api/v1/districts/{}", fx.district),
            None,
        ),
        "create_district" => (
            Method::POST,
            "/api/v1/districts".into(),
            Some(json!({"name": format!("Viertel {unique}"), "town": "Musterstadt"})),
        ),
        "update_district" => (
            Method::PATCH,
            format!("/api/v1/districts/{}", fx.district),
            Some(json!({"name": "Nordstadt"})),
        ),
        "delete_district" => {
            let fresh = id_of(
                &post(
                    app,
                    a,
                    "/api/v1/districts",
                    json!({"name": format!("Weg {unique}"), "town": "Musterstadt"}),
                )
                .await,
            );
            (Method::DELETE, format!("/api/v1/districts/{fresh}"), None)
        }
        "list_users" => (Method::GET, "/api/v1/users".into(), None),
        "list_audit" => (Method::GET, "/api/v1/audit".into(), None),
        "list_operators" => (Method::GET, "/api/v1/operators".into(), None),
        "get_operator" => (Method::GET, format!("/api/v1/operators/{op_a}"), None),
        "create_operator" => (
            Method::POST,
            "/api/v1/operators".into(),
            Some(json!({"name": format!("Träger {unique}"), "kind": "association"})),
        ),
        "update_operator" => (
            Method::PATCH,
            format!("/api/v1/operators/{op_a}"),
            Some(json!({"description": "Ein Verein im Quartier"})),
        ),
        "list_members" => (
            Method::GET,
            format!("/api/v1/operators/{op_a}/members"),
            None,
        ),
        "list_notification_failures" => (
            Method::GET,
            format!("/api/v1/operators/{op_a}/notification-failures"),
            None,
        ),
        "add_member" => {
            let email = format!("member-{unique}@example.org");
            app.signed_up(&email).await;
            (
                Method::POST,
                format!("/api/v1/operators/{op_a}/members"),
                Some(json!({"email": email, "role": "coordinator"})),
            )
        }
        "invite_staff" => (
            Method::POST,
            format!("/api/v1/operators/{op_a}/invitations"),
            Some(json!({"email": format!("invited-{unique}@example.org"), "role": "coordinator"})),
        ),
        "list_invitations" => (
            Method::GET,
            format!("/api/v1/operators/{op_a}/invitations"),
            None,
        ),
        "revoke_invitation" => {
            use diesel_async::RunQueryDsl;
            let id = uuid::Uuid::now_v7();
            diesel::sql_query(format!(
                "INSERT INTO staff_invitations (id, operator_id, email, role, token_hash, expires_at) \
                 VALUES ('{id}', '{op_a}', 'open-{unique}@example.org', 'coordinator', \
                         decode(md5('{id}'), 'hex'), now() + interval '1 day')"
            ))
            .execute(&mut app.conn().await)
            .await
            .expect("an invitation");
            (
                Method::DELETE,
                format!("/api/v1/operators/{op_a}/invitations/{id}"),
                None,
            )
        }
        "accept_invitation" => (
            Method::POST,
            "/api/v1/invitations/accept".into(),
            Some(json!({"token": "not-a-token-quartier-mailed"})),
        ),
        "update_member" => (
            Method::PATCH,
            format!("/api/v1/operators/{op_a}/members/{}", fx.coordinator_a.id),
            Some(json!({"role": "coordinator"})),
        ),
        "remove_member" => {
            let email = format!("leaving-{unique}@example.org");
            let leaving = app.signed_up(&email).await;
            ok(post(
                app,
                a,
                &format!("/api/v1/operators/{op_a}/members"),
                json!({"email": email, "role": "coordinator"}),
            )
            .await)
            .await;
            (
                Method::DELETE,
                format!("/api/v1/operators/{op_a}/members/{}", leaving.id),
                None,
            )
        }
        "list_api_keys" => (
            Method::GET,
            format!("/api/v1/operators/{op_a}/api-keys"),
            None,
        ),
        "create_api_key" => (
            Method::POST,
            format!("/api/v1/operators/{op_a}/api-keys"),
            Some(json!({"name": "Neu", "scopes": ["roster:read"]})),
        ),
        // Reading needs no key of its own: the operator's live keys are bounded.
        "get_api_key" => {
            let listed = ok(app
                .get(&format!("/api/v1/operators/{op_a}/api-keys"), Some(a))
                .await)
            .await;
            let id = listed["items"][0]["id"].as_str().expect("a key");
            (
                Method::GET,
                format!("/api/v1/operators/{op_a}/api-keys/{id}"),
                None,
            )
        }
        "revoke_api_key" => {
            let created = ok(post(
                app,
                a,
                &format!("/api/v1/operators/{op_a}/api-keys"),
                json!({"name": "Ziel", "scopes": ["roster:read"]}),
            )
            .await)
            .await;
            let id = created["id"].as_str().expect("id");
            (
                Method::DELETE,
                format!("/api/v1/operators/{op_a}/api-keys/{id}"),
                None,
            )
        }
        "create_qualification_type" => (
            Method::POST,
            format!("/api/v1/operators/{op_a}/qualification-types"),
            Some(json!({"name": format!("Einweisung {unique}")})),
        ),
        "inspect_qualification" => (
            Method::POST,
            format!("/api/v1/operators/{op_a}/qualification-checks"),
            Some(
                json!({"user_id": fx.volunteer.id, "type_id": "00000000-0000-7000-8000-000000000003",
                        "issued_on": (Utc::now() - Duration::days(5)).date_naive()}),
            ),
        ),
        "rotate_api_key" => {
            let created = ok(post(
                app,
                a,
                &format!("/api/v1/operators/{op_a}/api-keys"),
                json!({"name": "Zu drehen", "scopes": ["roster:read"]}),
            )
            .await)
            .await;
            let id = created["id"].as_str().expect("id");
            (
                Method::POST,
                format!("/api/v1/operators/{op_a}/api-keys/{id}/rotate"),
                None,
            )
        }
        "list_qualification_checks" => (
            Method::GET,
            format!(
                "/api/v1/operators/{op_a}/qualification-checks?user_id={}",
                fx.volunteer.id
            ),
            None,
        ),
        "revoke_qualification_check" => {
            let recorded = ok(post(
                app,
                a,
                &format!("/api/v1/operators/{op_a}/qualification-checks"),
                json!({"user_id": fx.volunteer.id, "type_id": "00000000-0000-7000-8000-000000000003",
                        "issued_on": (Utc::now() - Duration::days(5)).date_naive()}),
            )
            .await)
            .await;
            let id = recorded["id"].as_str().expect("id");
            (
                Method::DELETE,
                format!("/api/v1/operators/{op_a}/qualification-checks/{id}"),
                None,
            )
        }
        "my_workload" => (Method::GET, "/api/v1/me/workload".into(), None),
        "get_workload_policy" => (
            Method::GET,
            format!("/api/v1/operators/{op_a}/workload-policy"),
            None,
        ),
        "put_workload_policy" => (
            Method::PUT,
            format!("/api/v1/operators/{op_a}/workload-policy"),
            Some(json!({"max_minutes_per_week": 1200})),
        ),
        "list_trusted_operators" => (
            Method::GET,
            format!("/api/v1/operators/{op_a}/trusted-operators"),
            None,
        ),
        "trust_operator" => (
            Method::PUT,
            format!(
                "/api/v1/operators/{op_a}/trusted-operators/{}",
                fx.operator_b
            ),
            None,
        ),
        "distrust_operator" => {
            let path = format!(
                "/api/v1/operators/{op_a}/trusted-operators/{}",
                fx.operator_b
            );
            let trusted = app
                .send(
                    Method::PUT,
                    &path,
                    &[("authorization", &format!("Bearer {a}"))],
                    None,
                )
                .await;
            assert!([201, 204].contains(&trusted.status));
            (Method::DELETE, path, None)
        }
        "list_webhooks" => (
            Method::GET,
            format!("/api/v1/operators/{op_a}/webhooks"),
            None,
        ),
        "create_webhook" => (
            Method::POST,
            format!("/api/v1/operators/{op_a}/webhooks"),
            Some(json!({"url": "http://127.0.0.1:9/new"})),
        ),
        "get_webhook" => (
            Method::GET,
            format!("/api/v1/operators/{op_a}/webhooks/{}", fx.webhook_a),
            None,
        ),
        "update_webhook" => (
            Method::PATCH,
            format!("/api/v1/operators/{op_a}/webhooks/{}", fx.webhook_a),
            Some(json!({"description": "Dienstplan"})),
        ),
        "delete_webhook" => {
            let fresh = id_of(
                &post(
                    app,
                    a,
                    &format!("/api/v1/operators/{op_a}/webhooks"),
                    json!({"url": "http://127.0.0.1:9/gone"}),
                )
                .await,
            );
            (
                Method::DELETE,
                format!("/api/v1/operators/{op_a}/webhooks/{fresh}"),
                None,
            )
        }
        "list_deliveries" => (
            Method::GET,
            format!(
                "/api/v1/operators/{op_a}/webhooks/{}/deliveries",
                fx.webhook_a
            ),
            None,
        ),
        "ping_webhook" => (
            Method::POST,
            format!("/api/v1/operators/{op_a}/webhooks/{}/ping", fx.webhook_a),
            Some(json!({})),
        ),
        "list_centres" => (Method::GET, "/api/v1/centres".into(), None),
        "get_centre" => (
            Method::GET,
            format!("/api/v1/centres/{}", fx.centre_a),
            None,
        ),
        "create_centre" => (
            Method::POST,
            "/api/v1/centres".into(),
            Some(json!({
                "operator_id": op_a, "district_id": fx.district, "name": format!("Treff {unique}"),
                "kind": "community_house",
                "address": {"street": "Weg 2", "postcode": "44135", "town": "Musterstadt"},
                "position": {"latitude": 51.5, "longitude": 7.4},
            })),
        ),
        "update_centre" => (
            Method::PATCH,
            format!("/api/v1/centres/{}", fx.centre_a),
            Some(json!({"description": "Für alle"})),
        ),
        "put_centre_translation" => (
            Method::PUT,
            format!("/api/v1/centres/{}/translations/en", fx.centre_a),
            Some(json!({"origin": "human", "texts": {"name": "Community house"}})),
        ),
        "delete_centre_translation" => {
            let path = format!("/api/v1/centres/{}/translations/tr", fx.centre_a);
            let written = app
                .json(
                    Method::PUT,
                    &path,
                    Some(a),
                    &[("if-match", "*")],
                    &json!({"origin": "human", "texts": {"name": "Mahalle evi"}}),
                )
                .await;
            assert_eq!(written.status, 200);
            (Method::DELETE, path, None)
        }
        "get_opening_hours" => (
            Method::GET,
            format!("/api/v1/centres/{}/opening-hours", fx.centre_a),
            None,
        ),
        "replace_opening_hours" => (
            Method::PUT,
            format!("/api/v1/centres/{}/opening-hours", fx.centre_a),
            Some(json!({"weekly": [], "closures": []})),
        ),
        "centre_calendar" => (
            Method::GET,
            format!("/api/v1/centres/{}/calendar.ics", fx.centre_a),
            None,
        ),
        "list_activities" => (Method::GET, "/api/v1/activities".into(), None),
        "get_activity" => (
            Method::GET,
            format!("/api/v1/activities/{}", fx.activity_a),
            None,
        ),
        "put_activity_translation" => (
            Method::PUT,
            format!("/api/v1/activities/{}/translations/en", fx.activity_a),
            Some(json!({"origin": "human", "texts": {"title": "Matrix in English"}})),
        ),
        "delete_activity_translation" => {
            let path = format!("/api/v1/activities/{}/translations/tr", fx.activity_a);
            let written = app
                .json(
                    Method::PUT,
                    &path,
                    Some(a),
                    &[("if-match", "*")],
                    &json!({"origin": "human", "texts": {"title": "Matris"}}),
                )
                .await;
            assert_eq!(written.status, 200);
            (Method::DELETE, path, None)
        }
        "create_activity" => (
            Method::POST,
            "/api/v1/activities".into(),
            Some(activity_body),
        ),
        "update_activity" => (
            Method::PATCH,
            format!("/api/v1/activities/{}", fx.activity_a),
            Some(json!({"description": "Kaffee für alle"})),
        ),
        "upsert_activity" => (
            Method::PUT,
            format!("/api/v1/operators/{op_a}/activities/by-external-id/M-{unique}"),
            Some(activity_body),
        ),
        "activity_calendar" => (
            Method::GET,
            format!("/api/v1/activities/{}/calendar.ics", fx.activity_a),
            None,
        ),
        "activity_occurrences" => (
            Method::GET,
            format!("/api/v1/activities/{}/occurrences?{window}", fx.activity_a),
            None,
        ),
        "search_occurrences" => (Method::GET, format!("/api/v1/occurrences?{window}"), None),
        "get_occurrence" => (
            Method::GET,
            format!("/api/v1/occurrences/{}", fx.occurrence_a),
            None,
        ),
        "update_occurrence" => (
            Method::PATCH,
            format!("/api/v1/occurrences/{}", fx.occurrence_a),
            Some(json!({"note": "Diesmal im Garten."})),
        ),
        "search_shifts" => (Method::GET, "/api/v1/shifts".into(), None),
        "list_help_wanted" => (Method::GET, "/api/v1/help-wanted".into(), None),
        "list_help_wanted_as" => (Method::GET, "/api/v1/help-wanted.atom".into(), None),
        "whats_on_feed" => (Method::GET, "/api/v1/occurrences.atom".into(), None),
        "centres_feed" => (Method::GET, "/api/v1/centres.jsonld".into(), None),
        "widgets_script" => (Method::GET, "/embed/widgets.js".into(), None),
        "embed_page" => (
            Method::GET,
            format!("/embed/help-wanted?operator={op_a}"),
            None,
        ),
        "list_town_embed_origins" => (Method::GET, "/api/v1/embed-origins".into(), None),
        "add_town_embed_origin" => (
            Method::POST,
            "/api/v1/embed-origins".into(),
            Some(json!({"origin": format!("https://{unique}.example")})),
        ),
        "remove_town_embed_origin" => {
            let fresh = id_of(
                &post(
                    app,
                    a,
                    "/api/v1/embed-origins",
                    json!({"origin": format!("https://{unique}.example")}),
                )
                .await,
            );
            (
                Method::DELETE,
                format!("/api/v1/embed-origins/{fresh}"),
                None,
            )
        }
        "list_operator_embed_origins" => (
            Method::GET,
            format!("/api/v1/operators/{op_a}/embed-origins"),
            None,
        ),
        "add_operator_embed_origin" => (
            Method::POST,
            format!("/api/v1/operators/{op_a}/embed-origins"),
            Some(json!({"origin": format!("https://{unique}.example")})),
        ),
        "remove_operator_embed_origin" => {
            let fresh = id_of(
                &post(
                    app,
                    a,
                    &format!("/api/v1/operators/{op_a}/embed-origins"),
                    json!({"origin": format!("https://{unique}.example")}),
                )
                .await,
            );
            (
                Method::DELETE,
                format!("/api/v1/operators/{op_a}/embed-origins/{fresh}"),
                None,
            )
        }
        "get_shift" => (Method::GET, format!("/api/v1/shifts/{}", fx.shift_a), None),
        "send_shift_message" => (
            Method::POST,
            format!("/api/v1/shifts/{}/messages", fx.shift_a),
            Some(json!({"subject": "Hinweis", "body": "Bitte etwas früher kommen."})),
        ),
        "create_shift" => (Method::POST, "/api/v1/shifts".into(), Some(timed_shift)),
        "create_activity_shifts" => (
            Method::POST,
            format!("/api/v1/activities/{}/shifts", fx.activity_a),
            Some(json!({"title": "Aufbauen", "capacity": 2})),
        ),
        "update_shift" => (
            Method::PATCH,
            format!("/api/v1/shifts/{}", fx.shift_a),
            Some(json!({"description": "Bitte pünktlich"})),
        ),
        "put_shift_translation" => (
            Method::PUT,
            format!("/api/v1/shifts/{}/translations/uk", fx.shift_a),
            Some(json!({"origin": "human", "texts": {"title": "Допомога"}})),
        ),
        "delete_shift_translation" => {
            let path = format!("/api/v1/shifts/{}/translations/pl", fx.shift_a);
            let written = app
                .json(
                    Method::PUT,
                    &path,
                    Some(a),
                    &[("if-match", "*")],
                    &json!({"origin": "human", "texts": {"title": "Pomoc"}}),
                )
                .await;
            assert_eq!(written.status, 200);
            (Method::DELETE, path, None)
        }
        "upsert_shift" => (
            Method::PUT,
            format!("/api/v1/operators/{op_a}/shifts/by-external-id/S-{unique}"),
            Some(timed_shift),
        ),
        "import" => (
            Method::POST,
            format!("/api/v1/operators/{op_a}/imports"),
            Some(
                json!({"shifts": [{"external_id": format!("I-{unique}"), "centre_id": fx.centre_a,
                "title": "Import", "capacity": 1, "starts_at": day(9), "ends_at": day(10)}]}),
            ),
        ),
        "create_signup" => {
            // People sign themselves up; a key names the volunteer.
            let body = match me {
                Some(_) => None,
                None => Some(json!({"user_id": fx.volunteer.id})),
            };
            let fresh = shift(
                app,
                &fx.setup(),
                "Neu",
                24 * 20 + 3 * (p as i64),
                5,
                json!({}),
            )
            .await;
            (
                Method::POST,
                format!("/api/v1/shifts/{fresh}/signups"),
                body,
            )
        }
        "get_signup" => (Method::GET, format!("/api/v1/signups/{}", fx.signup), None),
        "cancel_signup" | "delete_signup" => {
            let fresh = shift(
                app,
                &fx.setup(),
                "Absage",
                24 * 30 + 3 * (p as i64) + if op == "cancel_signup" { 0 } else { 24 * 10 },
                5,
                json!({}),
            )
            .await;
            let signup = id_of(&sign_up(app, &fx.owner.access_token, &fresh).await);
            if op == "cancel_signup" {
                (
                    Method::POST,
                    format!("/api/v1/signups/{signup}/cancel"),
                    Some(json!({})),
                )
            } else {
                (Method::DELETE, format!("/api/v1/signups/{signup}"), None)
            }
        }
        "check_in" => (
            Method::POST,
            format!("/api/v1/signups/{}/check-in", fx.signup),
            Some(json!({})),
        ),
        "record_attendance" => (
            Method::POST,
            format!("/api/v1/signups/{}/attendance", fx.signup),
            Some(json!({"attended": true})),
        ),
        "shift_roster" => (
            Method::GET,
            format!("/api/v1/shifts/{}/roster", fx.shift_a),
            None,
        ),
        "centre_roster" => (
            Method::GET,
            format!("/api/v1/centres/{}/roster?{window}", fx.centre_a),
            None,
        ),
        "operator_roster" => (
            Method::GET,
            format!("/api/v1/operators/{op_a}/roster?{window}"),
            None,
        ),
        "get_me" => (Method::GET, "/api/v1/me".into(), None),
        "update_me" => (
            Method::PATCH,
            "/api/v1/me".into(),
            Some(json!({"display_name": "Test Person"})),
        ),
        "change_password" => (
            Method::POST,
            "/api/v1/me/password".into(),
            Some(json!({"current_password": own_password, "new_password": own_password})),
        ),
        "resend_verification" => (Method::POST, "/api/v1/me/email-verification".into(), None),
        "get_notification_preferences" => (
            Method::GET,
            "/api/v1/me/notification-preferences".into(),
            None,
        ),
        "put_notification_preferences" => (
            Method::PUT,
            "/api/v1/me/notification-preferences".into(),
            Some(json!({"shift_reminder": {"delivery": "immediate", "lead_hours": 24}})),
        ),
        "unsubscribe" => (
            Method::POST,
            "/api/v1/notifications/unsubscribe?token=not-a-token-quartier-signed".into(),
            None,
        ),
        "change_email" => (
            Method::POST,
            "/api/v1/me/email".into(),
            Some(json!({"email": format!("moved-{unique}@example.org"), "password": own_password})),
        ),
        "consent_to_privacy_policy" => (
            Method::POST,
            "/api/v1/me/privacy-consent".into(),
            Some(json!({"version": "2026-11"})),
        ),
        "my_audit" => (Method::GET, "/api/v1/me/audit".into(), None),
        "export_me" => (Method::GET, "/api/v1/me/export".into(), None),
        "my_memberships" => (Method::GET, "/api/v1/me/memberships".into(), None),
        "my_operators" => (Method::GET, "/api/v1/me/operators".into(), None),
        "my_notifications" => (Method::GET, "/api/v1/me/notifications".into(), None),
        "read_notification" => {
            use diesel_async::RunQueryDsl;
            let id = uuid::Uuid::now_v7();
            diesel::sql_query(format!(
                "INSERT INTO notifications (id, user_id, kind, operator_id, dedup_key) \
                 VALUES ('{id}', '{}', 'api_keys_creator_left', '{op_a}', '{id}')",
                fx.operator_admin_a.id
            ))
            .execute(&mut app.conn().await)
            .await
            .expect("a notification");
            (
                Method::POST,
                format!("/api/v1/me/notifications/{id}/read"),
                None,
            )
        }
        "join_operator" => (Method::PUT, format!("/api/v1/me/operators/{op_a}"), None),
        "leave_operator" => {
            if let Some(person) = me {
                join(app, &person.access_token, op_a).await;
            }
            (Method::DELETE, format!("/api/v1/me/operators/{op_a}"), None)
        }
        "get_profile" => (Method::GET, "/api/v1/me/profile".into(), None),
        "update_profile" => (
            Method::PATCH,
            "/api/v1/me/profile".into(),
            Some(json!({"availability": "abends"})),
        ),
        "my_signups" => (Method::GET, "/api/v1/me/signups".into(), None),
        "create_standing_signup" => {
            // People commit themselves; a key names the volunteer.
            // A slot of each principal's own: one commitment per slot and pattern.
            let slot = format!("{:02}:00", 6 + p as i64);
            let mut body = json!({"pattern": "weekly", "weekday": 3, "slot_start": slot});
            if me.is_none() {
                body["user_id"] = json!(fx.volunteer.id);
            }
            (
                Method::POST,
                format!("/api/v1/activities/{}/standing-signups", fx.activity_a),
                Some(body),
            )
        }
        "activity_standing_signups" => (
            Method::GET,
            format!("/api/v1/activities/{}/standing-signups", fx.activity_a),
            None,
        ),
        "get_standing_signup" | "change_standing_signup" | "end_standing_signup" => {
            let made = ok(post(
                app,
                &fx.owner.access_token,
                &format!("/api/v1/activities/{}/standing-signups", fx.activity_a),
                json!({"pattern": "weekly", "slot_start": format!("{:02}:00", 6 + p as i64),
                        "weekday": match op { "get_standing_signup" => 4, "change_standing_signup" => 5, _ => 6 }}),
            )
            .await)
            .await;
            let path = format!(
                "/api/v1/standing-signups/{}",
                made["id"].as_str().expect("id")
            );
            match op {
                "get_standing_signup" => (Method::GET, path, None),
                "change_standing_signup" => {
                    (Method::PATCH, path, Some(json!({"status": "paused"})))
                }
                _ => (Method::DELETE, path, None),
            }
        }
        "answer_offer" => {
            // A slot of each principal's own (a title of its own), offered to the owner.
            let title = format!("Angebot {}", p as i64);
            ok(post(
                app,
                &fx.coordinator_a.access_token,
                &format!("/api/v1/activities/{}/shifts", fx.activity_a),
                json!({"title": title, "capacity": 3}),
            )
            .await)
            .await;
            // The activity's dates are at 15:00 on the weekday of the day after tomorrow (UTC).
            let weekday =
                chrono::Datelike::weekday(&(Utc::now() + Duration::days(2))).number_from_monday();
            let made = ok(post(
                app,
                &fx.owner.access_token,
                &format!("/api/v1/activities/{}/standing-signups", fx.activity_a),
                json!({"pattern": "weekly", "slot_start": "15:00", "weekday": weekday,
                        "shift_title": title, "mode": "ask"}),
            )
            .await)
            .await;
            let shift = made["dates"][0]["shift_id"]
                .as_str()
                .expect("an offered date");
            (
                Method::POST,
                format!(
                    "/api/v1/standing-signups/{}/dates/{shift}/answer",
                    made["id"].as_str().expect("id")
                ),
                Some(json!({"answer": "decline"})),
            )
        }
        "my_standing_signups" => (Method::GET, "/api/v1/me/standing-signups".into(), None),
        "my_blockouts" => (Method::GET, "/api/v1/me/blockouts".into(), None),
        "add_blockout" => (
            Method::POST,
            "/api/v1/me/blockouts".into(),
            Some(json!({"starts_on": (Utc::now() + Duration::days(9)).date_naive()})),
        ),
        "remove_blockout" => {
            let made = ok(post(
                app,
                &fx.owner.access_token,
                "/api/v1/me/blockouts",
                json!({"starts_on": (Utc::now() + Duration::days(9)).date_naive()}),
            )
            .await)
            .await;
            (
                Method::DELETE,
                format!("/api/v1/me/blockouts/{}", made["id"].as_str().expect("id")),
                None,
            )
        }
        "my_hours" => (Method::GET, "/api/v1/me/hours".into(), None),
        "my_qualifications" => (Method::GET, "/api/v1/me/qualifications".into(), None),
        "declare_qualification" => (
            Method::POST,
            "/api/v1/me/qualifications".into(),
            Some(json!({"type_id": "00000000-0000-7000-8000-000000000002",
                        "issued_on": (Utc::now() - Duration::days(3)).date_naive()})),
        ),
        "withdraw_qualification" => (
            Method::DELETE,
            format!("/api/v1/me/qualifications/{}", fx.owner_qualification),
            None,
        ),
        "create_calendar_feed" => (
            Method::POST,
            "/api/v1/me/calendar-feed".into(),
            Some(json!({})),
        ),
        "revoke_calendar_feed" => (Method::DELETE, "/api/v1/me/calendar-feed".into(), None),
        "my_calendar" => {
            let made = ok(post(
                app,
                &fx.owner.access_token,
                "/api/v1/me/calendar-feed",
                json!({}),
            )
            .await)
            .await;
            let url = made["url"].as_str().expect("url");
            let path = &url[url.find("/api/v1/").expect("path")..];
            (Method::GET, path.to_owned(), None)
        }
        "report_bounce" => (
            Method::POST,
            "/api/v1/mail/bounces".into(),
            Some(json!({"message_id": "<x@example.org>", "permanent": true})),
        ),
        "create_guest_signup" => (
            Method::POST,
            format!("/api/v1/shifts/{}/guest-signups", fx.shift_a),
            Some(
                json!({"name": "Gast", "email": format!("guest-{unique}@example.org"),
                        "privacy_policy_version": "2026-11"}),
            ),
        ),
        "confirm_guest_signup" => (
            Method::POST,
            "/api/v1/guest-signups/confirm".into(),
            Some(json!({"token": "not-a-token-quartier-mailed"})),
        ),
        "create_guest_concern" => (
            Method::POST,
            "/api/v1/guest-concerns".into(),
            Some(
                json!({"name": "Gast", "email": format!("guest-{unique}@example.org"),
                        "privacy_policy_version": "2026-11",
                        "category_id": fx.concern_category, "district_id": fx.district,
                        "title": "Mehr Bänke", "text": "Im Park."}),
            ),
        ),
        "confirm_guest_concern" => (
            Method::POST,
            "/api/v1/guest-concerns/confirm".into(),
            Some(json!({"token": "not-a-token-quartier-mailed"})),
        ),
        "create_guest_room_booking" => {
            let (starts_at, ends_at) = room_hour();
            (
                Method::POST,
                format!("/api/v1/rooms/{}/guest-bookings", fx.room),
                Some(
                    json!({"name": "Gast", "email": format!("guest-{unique}@example.org"),
                            "privacy_policy_version": "2026-11", "purpose": "Geburtstag",
                            "expected_people": 10, "layout": "seated",
                            "starts_at": starts_at, "ends_at": ends_at}),
                ),
            )
        }
        "confirm_guest_room_booking" => (
            Method::POST,
            "/api/v1/guest-room-bookings/confirm".into(),
            Some(json!({"token": "not-a-token-quartier-mailed"})),
        ),
        "request_guest_link" => (
            Method::POST,
            "/api/v1/guest/links".into(),
            Some(json!({"email": format!("guest-{unique}@example.org")})),
        ),
        "guest_signups" => (Method::GET, "/api/v1/guest/signups".into(), None),
        "cancel_guest_signup" => (
            Method::POST,
            format!("/api/v1/guest/signups/{}/cancel", fx.signup),
            None,
        ),
        "guest_room_bookings" => (Method::GET, "/api/v1/guest/room-bookings".into(), None),
        "guest_fund_applications" => (Method::GET, "/api/v1/guest/fund-applications".into(), None),
        "guest_help" => (Method::GET, "/api/v1/guest/help".into(), None),
        "withdraw_guest_help_request" => (
            Method::POST,
            format!(
                "/api/v1/guest/help-requests/{}/withdraw",
                help_request(app, fx, "mediated").await
            ),
            None,
        ),
        "accept_guest_help_match" => {
            let path = help_match(app, fx, false).await;
            let id = path.rsplit('/').next().expect("an id").to_owned();
            (
                Method::POST,
                format!("/api/v1/guest/help-matches/{id}/accept"),
                None,
            )
        }
        "send_guest_help_message" => {
            let path = help_match(app, fx, false).await;
            let id = path.rsplit('/').next().expect("an id").to_owned();
            (
                Method::POST,
                format!("/api/v1/guest/help-matches/{id}/messages"),
                Some(json!({"body": "Danke!"})),
            )
        }
        "decline_guest_help_match" => {
            let path = help_match(app, fx, false).await;
            let id = path.rsplit('/').next().expect("an id").to_owned();
            (
                Method::POST,
                format!("/api/v1/guest/help-matches/{id}/decline"),
                None,
            )
        }
        "withdraw_guest_application" => {
            let path = fund_application(app, fx, &[]).await;
            let id = path.rsplit('/').next().expect("an id").to_owned();
            (
                Method::POST,
                format!("/api/v1/guest/fund-applications/{id}/withdraw"),
                None,
            )
        }
        "cancel_guest_room_date" => (
            Method::POST,
            format!(
                "/api/v1/guest/room-booking-dates/{}/cancel",
                room_request(app, fx).await
            ),
            None,
        ),
        "export_guest" => (Method::GET, "/api/v1/guest/export".into(), None),
        "erase_guest" => (Method::DELETE, "/api/v1/guest".into(), None),
        "create_walk_in" => (
            Method::POST,
            format!("/api/v1/shifts/{}/walk-ins", fx.shift_a),
            Some(json!({"name": "Laufkundschaft"})),
        ),
        "erase_me" => (
            Method::DELETE,
            "/api/v1/me".into(),
            Some(json!({"password": own_password})),
        ),
        "create_help_request" => {
            let start = Utc::now() + Duration::days(2);
            let mut body = json!({
                "centre_id": fx.centre_a, "kind": "offer", "category": "lending",
                "summary": "Bohrmaschine zu verleihen", "window_starts_at": start,
                "window_ends_at": start + Duration::days(7),
            });
            // A key records for someone.
            if matches!(p, KeyA | KeyAWithoutScope | KeyB) {
                body["recorded_for"] =
                    json!({"name": "Herr Braun", "consent_on": Utc::now().date_naive()});
            }
            (Method::POST, "/api/v1/help-requests".into(), Some(body))
        }
        "list_help_requests" => (Method::GET, "/api/v1/help-requests".into(), None),
        "get_help_request" => (
            Method::GET,
            format!(
                "/api/v1/help-requests/{}",
                help_request(app, fx, "mediated").await
            ),
            None,
        ),
        "withdraw_help_request" => (
            Method::POST,
            format!(
                "/api/v1/help-requests/{}/withdraw",
                help_request(app, fx, "mediated").await
            ),
            None,
        ),
        "list_centre_help_requests" => (
            Method::GET,
            format!("/api/v1/centres/{}/help-requests", fx.centre_a),
            None,
        ),
        "volunteer_for_help" => (
            Method::POST,
            format!(
                "/api/v1/help-requests/{}/volunteer",
                help_request(app, fx, "direct").await
            ),
            None,
        ),
        "propose_helper" => (
            Method::POST,
            format!(
                "/api/v1/help-requests/{}/matches",
                help_request(app, fx, "mediated").await
            ),
            Some(json!({"helper_id": fx.volunteer.id})),
        ),
        "get_help_match" => (Method::GET, help_match(app, fx, false).await, None),
        "accept_help_match" => (
            Method::POST,
            format!("{}/accept", help_match(app, fx, false).await),
            None,
        ),
        "decline_help_match" => (
            Method::POST,
            format!("{}/decline", help_match(app, fx, false).await),
            None,
        ),
        "complete_help_match" => (
            Method::POST,
            format!("{}/complete", help_match(app, fx, true).await),
            None,
        ),
        "no_show_help_match" => (
            Method::POST,
            format!("{}/no-show", help_match(app, fx, true).await),
            None,
        ),
        "my_help" => (Method::GET, "/api/v1/me/help".into(), None),
        "send_help_message" => (
            Method::POST,
            format!("{}/messages", help_match(app, fx, false).await),
            Some(json!({"body": "Passt Ihnen Dienstag?"})),
        ),
        "list_help_messages" => (
            Method::GET,
            format!("{}/messages", help_match(app, fx, false).await),
            None,
        ),
        other => panic!("no request for {other}: add it to `request`"),
    }
}

/// A digest of what the database holds, without the columns background work and
/// authentication itself change (a key's last use, the outbox's publication, webhook
/// delivery bookkeeping, mail made of outbox events, rate-limit counters).
async fn digest(app: &TestApp) -> String {
    let tables = app
        .texts(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' \
             AND table_type = 'BASE TABLE' AND table_name NOT IN \
             ('__diesel_schema_migrations', 'rate_limits', 'webhook_deliveries', 'webhook_attempts') \
             ORDER BY table_name",
        )
        .await;
    let parts: Vec<String> = tables
        .iter()
        .map(|t| {
            // Mail that the background fan-out makes of outbox events (whose rows count here
            // themselves) comes whenever it runs: left out.
            let made_by_fan_out = if t == "notifications" {
                " WHERE r.dedup_key NOT LIKE 'event:%' AND r.dedup_key NOT LIKE 'reminder:%'"
            } else {
                ""
            };
            format!(
                "(SELECT '{t}:' || md5(coalesce(string_agg(x, '|' ORDER BY x), '')) FROM \
                 (SELECT (to_jsonb(r) - ARRAY['last_used_at', 'published_at', 'failing_since', 'state', 'attempts', 'leased_until', 'sent_at', 'next_attempt_at', 'last_error'])::text AS x \
                  FROM {t} r{made_by_fan_out}) q)"
            )
        })
        .collect();
    app.texts(&format!("SELECT concat_ws(',', {})", parts.join(", ")))
        .await
        .concat()
}

#[actix_web::test]
async fn every_operation_allows_exactly_the_principals_it_should() {
    let app = TestApp::spawn_with(&[
        ("QUARTIER_WEBHOOK_ALLOW_LOOPBACK", "true"),
        ("QUARTIER_WEBHOOK_POLL_MS", "60000"),
        ("QUARTIER_MAIL_POLL_MS", "60000"),
        ("QUARTIER_RATE_LIMIT_AUTH_PER_MINUTE", "100000"),
        ("QUARTIER_RATE_LIMIT_REGISTER_PER_HOUR", "100000"),
        ("QUARTIER_RATE_LIMIT_ACCOUNT_PER_15_MIN", "100000"),
        ("QUARTIER_RATE_LIMIT_USER_PER_MINUTE", "100000"),
        ("QUARTIER_RATE_LIMIT_KEY_PER_MINUTE", "100000"),
    ])
    .await;
    let mut fx = fixture(&app).await;

    // Every operation of the document has a row, and every row an operation.
    let document = quartier_api::openapi_document();
    let documented: BTreeSet<String> = document
        .paths
        .paths
        .values()
        .flat_map(|item| {
            [&item.get, &item.put, &item.post, &item.delete, &item.patch]
                .into_iter()
                .flatten()
                .filter_map(|op| op.operation_id.clone())
                .collect::<Vec<_>>()
        })
        .collect();
    let tabled: BTreeSet<String> = MATRIX.iter().map(|(op, _, _)| (*op).to_owned()).collect();
    assert_eq!(
        documented.difference(&tabled).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "operations without a row in the authorization matrix"
    );
    assert_eq!(
        tabled.difference(&documented).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "rows for operations that do not exist"
    );

    let mut failures = Vec::new();
    for (op, allowed, scope) in MATRIX {
        // Denied callers first, so that nothing they try finds its target consumed.
        let mut order: Vec<P> = EVERYONE.to_vec();
        order.sort_by_key(|p| allowed.contains(p));
        for p in order {
            let (method, path, body) = request(&app, &fx, op, p).await;
            let mut headers = fx.credentials(p, *scope);
            if matches!(method, Method::PATCH | Method::PUT | Method::DELETE) {
                headers.push(("if-match".into(), "*".into()));
            }
            let headers: Vec<(&str, &str)> = headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let before = if allowed.contains(&p) {
                None
            } else {
                Some(digest(&app).await)
            };
            let answer = match &body {
                Some(body) => {
                    let bytes = serde_json::to_vec(body).expect("json");
                    app.send(
                        method.clone(),
                        &path,
                        &headers,
                        Some(("application/json", bytes)),
                    )
                    .await
                }
                None => app.send(method.clone(), &path, &headers, None).await,
            };
            let status = answer.status;
            // A changed password ends the person's sessions: she signs in again.
            if *op == "change_password"
                && status == 204
                && let Some(person) = fx.person_mut(p)
            {
                let login = app.login(&person.email, &person.password).await.json();
                person.access_token = login["access_token"].as_str().expect("token").to_owned();
                person.refresh_token = login["refresh_token"].as_str().expect("token").to_owned();
            }
            let denied = matches!(status, 401 | 403 | 404);
            let changed = match &before {
                Some(before) => digest(&app).await != *before,
                None => false,
            };
            if before.is_none() && (denied || status >= 500) {
                failures.push(format!(
                    "{op} as {p:?}: expected to be allowed, got {status} {}",
                    String::from_utf8_lossy(&answer.body)
                ));
            } else if before.is_some() && !denied {
                failures.push(format!(
                    "{op} as {p:?}: expected to be denied, got {status}"
                ));
            } else if changed {
                failures.push(format!(
                    "{op} as {p:?}: denied with {status}, but the database changed"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of the matrix's expectations failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
