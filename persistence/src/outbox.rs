//! The outbox (Rule 6): every change others rely on writes its event here, in the same
//! transaction, so nothing is announced that did not happen and nothing happens unannounced.
//! An event's payload is written here and nowhere else (the one-statement sign-up writes the
//! same shape in SQL; a test holds the two equal).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use quartier_domain::Event;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::Result;
use crate::schema::outbox_events;

/// The event's payload as receivers get it in `data`.
pub fn payload(event: &Event) -> Value {
    match event {
        Event::Shift(_, shift) => json!({
            "shift_id": shift.shift_id,
            "operator_id": shift.operator_id,
            "centre_id": shift.centre_id,
            "occurrence_id": shift.occurrence_id,
            "external_id": shift.external_id,
            "starts_at": shift.starts_at,
            "ends_at": shift.ends_at,
            "capacity": shift.capacity,
            "confirmed_count": shift.confirmed_count,
            "status": shift.status.as_str(),
        }),
        Event::Signup(_, signup) => json!({
            "signup_id": signup.signup_id,
            "shift_id": signup.shift_id,
            "operator_id": signup.operator_id,
            "user_id": signup.user_id,
            "status": signup.status.as_str(),
            "previous_status": signup.previous_status.map(|s| s.as_str()),
            "starts_at": signup.starts_at,
            "ends_at": signup.ends_at,
            "late_cancellation": signup.late_cancellation,
            "checked_in_at": signup.checked_in_at,
            "minutes_worked": signup.minutes_worked,
            "reason": signup.reason.map(|r| r.as_str()),
            "standing_signup_id": signup.standing_signup_id,
        }),
        Event::Concern(_, concern) => json!({
            "concern_id": concern.concern_id,
            "operator_id": concern.operator_id,
            "category_id": concern.category_id,
            "district_id": concern.district_id,
            "status": concern.status.as_str(),
            "previous_status": concern.previous_status.map(|s| s.as_str()),
            "support_count": concern.support_count,
            "answer_id": concern.answer_id,
            "outcome_id": concern.outcome_id,
            "previous_operator_id": concern.previous_operator_id,
        }),
        Event::Partner(_, partner) => json!({
            "partner_id": partner.partner_id,
            "operator_id": partner.operator_id,
            "version": partner.version,
            "previous_operator_id": partner.previous_operator_id,
        }),
        Event::NetworkMembership(_, membership) => json!({
            "membership_id": membership.membership_id,
            "network_id": membership.network_id,
            "partner_id": membership.partner_id,
            "operator_id": membership.operator_id,
            "status": membership.status.as_str(),
        }),
        Event::RoomBooking(_, date) => json!({
            "date_id": date.date_id,
            "booking_id": date.booking_id,
            "room_id": date.room_id,
            "centre_id": date.centre_id,
            "operator_id": date.operator_id,
            "starts_at": date.starts_at,
            "ends_at": date.ends_at,
            "status": date.status.as_str(),
        }),
        Event::StandingSignup(_, standing) => json!({
            "standing_signup_id": standing.standing_signup_id,
            "activity_id": standing.activity_id,
            "operator_id": standing.operator_id,
            "user_id": standing.user_id,
            "status": standing.status.as_str(),
            "version": standing.version,
        }),
        Event::FundApplication(_, application) => json!({
            "application_id": application.application_id,
            "fund_id": application.fund_id,
            "operator_id": application.operator_id,
            "district_id": application.district_id,
            "status": application.status.as_str(),
            "requested_cents": application.requested_cents,
            "granted_cents": application.granted_cents,
            "spent_cents": application.spent_cents,
            "decided_by": application.decided_by.map(|decider| decider.as_str()),
            "version": application.version,
        }),
        Event::HelpRequest(_, request) => json!({
            "request_id": request.request_id,
            "operator_id": request.operator_id,
            "centre_id": request.centre_id,
            "district_id": request.district_id,
            "kind": request.kind.as_str(),
            "category": request.category.as_str(),
            "status": request.status.as_str(),
            "helpers_needed": request.helpers_needed,
            "helpers_agreed": request.helpers_agreed,
            "version": request.version,
        }),
    }
}

/// Records `event` about its subject, once for each operator it goes to.
pub async fn record(conn: &mut AsyncPgConnection, event: &Event) -> Result<()> {
    record_all(conn, std::slice::from_ref(event)).await
}

/// Records `events` in one statement (at most a few thousand: one parameter list).
pub async fn record_all(conn: &mut AsyncPgConnection, events: &[Event]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = events
        .iter()
        .flat_map(|event| {
            let payload = payload(event).to_string();
            event.recipients().into_iter().map(move |operator_id| {
                (
                    outbox_events::id.eq(Uuid::now_v7()),
                    outbox_events::kind.eq(event.event_type().as_str()),
                    outbox_events::operator_id.eq(operator_id),
                    outbox_events::subject_id.eq(event.subject_id()),
                    outbox_events::payload.eq(payload.clone()),
                )
            })
        })
        .collect();
    diesel::insert_into(outbox_events::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}
