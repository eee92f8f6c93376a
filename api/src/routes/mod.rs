//! Every HTTP route, one module per resource and one file per endpoint.

pub mod account;
pub mod activities;
pub mod audit;
pub mod auth;
pub mod bounces;
pub mod centres;
pub mod concerns;
pub mod districts;
pub mod guests;
pub mod health;
pub mod imports;
pub mod me;
pub mod notifications;
pub mod occurrences;
pub mod operators;
pub mod qualifications;
pub mod rosters;
pub mod shifts;
pub mod signups;
pub mod users;
pub mod volunteering;
pub mod webhooks;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every route; the OpenAPI document is collected from the same calls.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::live).service(health::ready).service(
        scope::scope("/api/v1")
            .service(auth::register::register)
            .service(auth::login::login)
            .service(auth::refresh::refresh)
            .service(auth::logout::logout)
            .service(auth::email::verify_email)
            .service(auth::password_reset::request_password_reset)
            .service(auth::password_reset::confirm_password_reset)
            .service(me::get::get_me)
            .service(me::update::update_me)
            .service(me::erase::erase_me)
            .service(me::export::export_me)
            .service(me::memberships::my_memberships)
            .service(me::operators::my_operators)
            .service(me::notifications::my_notifications)
            .service(me::notifications::read_notification)
            .service(me::operators::join_operator)
            .service(me::operators::leave_operator)
            .service(me::password::change_password)
            .service(me::email::resend_verification)
            .service(me::email::change_email)
            .service(me::notification_preferences::get_notification_preferences)
            .service(me::notification_preferences::put_notification_preferences)
            .service(notifications::unsubscribe)
            .service(bounces::report_bounce)
            .service(me::consent::get_privacy_policy)
            .service(me::consent::consent_to_privacy_policy)
            .service(audit::my_audit)
            .service(audit::list_audit)
            .service(users::list_users)
            .service(concerns::categories::list_concern_categories)
            .service(concerns::categories::create_concern_category)
            .service(concerns::read::list_concerns)
            .service(concerns::read::similar_concerns)
            .service(concerns::read::my_concerns)
            .service(concerns::read::operator_concerns)
            .service(concerns::read::get_concern)
            .service(concerns::write::create_concern)
            .service(concerns::supports::support_concern)
            .service(concerns::supports::withdraw_concern_support)
            .service(concerns::status::move_concern)
            .service(districts::list::list_districts)
            .service(districts::create::create_district)
            .service(districts::get::get_district)
            .service(districts::update::update_district)
            .service(districts::delete::delete_district)
            .service(operators::list::list_operators)
            .service(operators::create::create_operator)
            .service(operators::get::get_operator)
            .service(operators::update::update_operator)
            .service(operators::members::list_members)
            .service(operators::members::add_member)
            .service(operators::invitations::invite_staff)
            .service(operators::invitations::list_invitations)
            .service(operators::invitations::revoke_invitation)
            .service(operators::invitations::accept_invitation)
            .service(operators::notification_failures::list_notification_failures)
            .service(operators::members::update_member)
            .service(operators::members::remove_member)
            .service(operators::api_keys::list_api_keys)
            .service(operators::api_keys::create_api_key)
            .service(operators::api_keys::get_api_key)
            .service(operators::api_keys::revoke_api_key)
            .service(operators::api_keys::rotate_api_key)
            .service(webhooks::list::list_webhooks)
            .service(webhooks::create::create_webhook)
            .service(webhooks::get::get_webhook)
            .service(webhooks::update::update_webhook)
            .service(webhooks::delete::delete_webhook)
            .service(webhooks::deliveries::list_deliveries)
            .service(webhooks::ping::ping_webhook)
            .service(centres::list::list_centres)
            .service(centres::create::create_centre)
            .service(centres::get::get_centre)
            .service(centres::update::update_centre)
            .service(centres::translations::put_centre_translation)
            .service(centres::translations::delete_centre_translation)
            .service(centres::hours::get_opening_hours)
            .service(centres::hours::replace_opening_hours)
            .service(activities::calendar::centre_calendar)
            .service(activities::list::list_activities)
            .service(activities::create::create_activity)
            .service(activities::get::get_activity)
            .service(activities::update::update_activity)
            .service(activities::translations::put_activity_translation)
            .service(activities::translations::delete_activity_translation)
            .service(activities::upsert::upsert_activity)
            .service(activities::calendar::activity_calendar)
            .service(occurrences::search::activity_occurrences)
            .service(occurrences::search::search_occurrences)
            .service(occurrences::get::get_occurrence)
            .service(occurrences::update::update_occurrence)
            .service(qualifications::list_qualification_types)
            .service(qualifications::translations::get_qualification_type)
            .service(qualifications::translations::put_qualification_type_translation)
            .service(qualifications::translations::delete_qualification_type_translation)
            .service(qualifications::create_qualification_type)
            .service(qualifications::my_qualifications)
            .service(qualifications::declare_qualification)
            .service(qualifications::withdraw_qualification)
            .service(qualifications::checks::inspect_qualification)
            .service(qualifications::checks::list_qualification_checks)
            .service(qualifications::checks::revoke_qualification_check)
            .service(operators::trusts::list_trusted_operators)
            .service(operators::trusts::trust_operator)
            .service(operators::trusts::distrust_operator)
            .service(shifts::search::search_shifts)
            .service(shifts::create::create_shift)
            .service(shifts::create_for_activity::create_activity_shifts)
            .service(shifts::get::get_shift)
            .service(shifts::update::update_shift)
            .service(shifts::translations::put_shift_translation)
            .service(shifts::translations::delete_shift_translation)
            .service(shifts::messages::send_shift_message)
            .service(shifts::upsert::upsert_shift)
            .service(imports::import)
            .service(signups::create_signup)
            .service(signups::get_signup)
            .service(signups::cancel_signup)
            .service(signups::delete_signup)
            .service(guests::signup::create_guest_signup)
            .service(guests::confirm::confirm_guest_signup)
            .service(guests::links::request_guest_link)
            .service(guests::own::guest_signups)
            .service(guests::own::cancel_guest_signup)
            .service(guests::own::export_guest)
            .service(guests::own::erase_guest)
            .service(guests::walk_in::create_walk_in)
            .service(volunteering::skills::list_skills)
            .service(volunteering::get_profile::get_profile)
            .service(volunteering::update_profile::update_profile)
            .service(volunteering::signups::my_signups)
            .service(volunteering::hours::my_hours)
            .service(volunteering::create_feed::create_calendar_feed)
            .service(volunteering::revoke_feed::revoke_calendar_feed)
            .service(volunteering::calendar::my_calendar)
            .service(rosters::shift::shift_roster)
            .service(rosters::operator_export::operator_roster)
            .service(rosters::centre::centre_roster)
            .service(rosters::check_in::check_in)
            .service(rosters::attendance::record_attendance),
    );
}
