//! Helping without an account: `/shifts/{id}/guest-signups`, `/guest-signups/confirm`,
//! `/guest/links`, `/guest/...` (with a guest's link token), and `/shifts/{id}/walk-ins`.
//!
//! One file per endpoint or pair of endpoints; here what they share: how the refusals of a
//! guest's sign-up read to a client.

pub mod confirm;
pub mod links;
pub mod own;
pub mod signup;
pub mod walk_in;

use quartier_persistence::places::holds::HoldRefusal;

use crate::error::ApiError;

/// The refusals that hold for every guest of a shift.
fn hold_refusal(refusal: HoldRefusal) -> ApiError {
    let conflict = |slug, detail: &str| ApiError::Conflict {
        slug,
        detail: detail.into(),
    };
    match refusal {
        HoldRefusal::ShiftNotFound => ApiError::NotFound("No shift has this id.".into()),
        HoldRefusal::ShiftCancelled => conflict("shift-cancelled", "This shift is cancelled."),
        HoldRefusal::ShiftPast => conflict("shift-past", "This shift has begun or is over."),
        HoldRefusal::GuestsNotWelcome => conflict(
            "guests-not-welcome",
            "Guests cannot sign up for this shift: sign in with an account.",
        ),
        HoldRefusal::QualificationRequired => conflict(
            "account-needed",
            "This shift needs a qualification that staff check in person: sign in with an account.",
        ),
    }
}
