//! Quartier's domain: types that can only hold valid values, and the rules between them.
//!
//! Nothing here performs I/O or knows about HTTP or the database. Values are made with
//! `parse`, which either returns a valid value or says, field by field, what is wrong.

#[macro_use]
mod macros;

pub mod activity;
pub mod atom;
pub mod centre;
pub mod concern;
pub mod district;
pub mod embed;
pub mod event;
pub mod fund;
pub mod guest;
pub mod help;
pub mod ical;
pub mod integration;
pub mod language;
pub mod network;
pub mod notification;
pub mod opening_hours;
pub mod operator;
pub mod partner;
pub mod reporting;
pub mod room;
pub mod schedule;
pub mod signup;
pub mod standing;
pub mod translation;
pub mod trust;
pub mod user;
pub mod validation;
pub mod window;
pub mod workload;

pub use centre::{CentreKind, CentreStatus};
pub use district::{DistrictName, GeoPoint, Slug, TownName};
pub use event::{
    ConcernChange, ConcernFacts, Event, EventSubject, EventType, FundApplicationFacts,
    HelpRequestFacts, MembershipFacts, PartnerFacts, RoomBookingFacts, ShiftChange, ShiftFacts,
    SignupFacts, StandingSignupFacts,
};
pub use operator::{OperatorKind, StaffRole};
pub use signup::{ChangeReason, Placement, Places, ShiftStatus, SignupStatus};
pub use user::{DisplayName, Email, Password, Role};
pub use validation::{
    FieldError, ValidationErrors, bounded_multiline_text, bounded_text, bounded_translated_text,
};
pub use window::TimeWindow;
