//! The persistence error: what went wrong, in terms the API can map to a status.
//!
//! Which error goes where:
//! - `NotFound`: a lookup by key matched nothing. The API decides (usually 404).
//! - `Constraint`: the database refused a change because of a named constraint. The API maps
//!   known constraint names to domain problems (409/422); unknown ones are bugs.
//! - `InvalidValue`: a value PostgreSQL cannot store (text with NUL). The API answers 422.
//! - `Unavailable`: the database cannot be reached, the pool has no connection within its wait
//!   timeout, or a statement ran past the statement timeout. The API answers 503.
//! - `Other`: anything else. A bug: the API logs it and answers 500.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A lookup by key matched no row.
    #[error("row not found")]
    NotFound,
    /// A unique, foreign-key, check or exclusion constraint refused the change.
    #[error("constraint {constraint} refused the change: {message}")]
    Constraint {
        kind: ConstraintKind,
        constraint: String,
        message: String,
    },
    /// A value the database cannot store, such as text with a NUL character.
    #[error("value cannot be stored: {0}")]
    InvalidValue(String),
    /// The database is unreachable, saturated, or too slow to answer in time.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug in a query, a failed migration, an unexpected answer.
    #[error("database error: {0}")]
    Other(String),
}

/// The kind of constraint that refused a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintKind {
    Unique,
    ForeignKey,
    Check,
    Exclusion,
    NotNull,
}

impl Error {
    /// A deadlock PostgreSQL broke by failing this transaction: trying again helps.
    pub fn is_deadlock(&self) -> bool {
        matches!(self, Error::Unavailable(message) if says(message, DEADLOCK))
    }

    /// True when `self` is a violation of the constraint named `name`.
    pub fn is_constraint(&self, name: &str) -> bool {
        matches!(self, Error::Constraint { constraint, .. } if constraint == name)
    }
}

// The errors diesel passes on without a kind (diesel-async keeps no SQLSTATE) are told apart
// by what PostgreSQL says, in English (the pool asks for it) and in German (a server whose
// `lc_messages` is German, for a role that may not choose its own). A test runs each against
// a German server.

/// 40P01 deadlock_detected.
const DEADLOCK: &[&str] = &["deadlock detected", "Verklemmung (Deadlock)"];

/// 57014 query_canceled (statement timeout), 40P01 deadlock_detected, 40001
/// serialization_failure, 57P0x (server shutting down) and 08xxx: retrying helps.
const TRANSIENT: &[&str] = &[
    "statement timeout",
    "Zeitüberschreitung der Anfrage",
    "deadlock detected",
    "Verklemmung (Deadlock)",
    "could not serialize access",
    "konnte Zugriff nicht serialisieren",
    "terminating connection",
    "Verbindung wird abgebrochen",
    "the database system is",
    "das Datenbanksystem",
];

/// 22021 character_not_in_repertoire, 22P05 untranslatable_character, 22003
/// numeric_value_out_of_range, 22008 datetime_field_overflow: the client's value.
const INVALID_VALUE: &[&str] = &[
    "invalid byte sequence",
    "ungültige Byte-Sequenz",
    "unsupported Unicode escape",
    "nicht unterstützte Unicode-Escape",
    "out of range",
    "außerhalb des gültigen Bereichs",
];

fn says(message: &str, phrases: &[&str]) -> bool {
    phrases.iter().any(|phrase| message.contains(phrase))
}

impl From<DieselError> for Error {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => Error::NotFound,
            DieselError::DatabaseError(kind, info) => {
                let constraint_kind = match kind {
                    DatabaseErrorKind::UniqueViolation => Some(ConstraintKind::Unique),
                    DatabaseErrorKind::ForeignKeyViolation => Some(ConstraintKind::ForeignKey),
                    DatabaseErrorKind::CheckViolation => Some(ConstraintKind::Check),
                    DatabaseErrorKind::ExclusionViolation => Some(ConstraintKind::Exclusion),
                    DatabaseErrorKind::NotNullViolation => Some(ConstraintKind::NotNull),
                    _ => None,
                };
                if let Some(kind) = constraint_kind {
                    return Error::Constraint {
                        kind,
                        constraint: info.constraint_name().unwrap_or_default().to_owned(),
                        message: info.message().to_owned(),
                    };
                }
                let message = info.message();
                let transient_kind = matches!(
                    kind,
                    DatabaseErrorKind::ClosedConnection
                        | DatabaseErrorKind::UnableToSendCommand
                        | DatabaseErrorKind::SerializationFailure
                );
                let transient = says(message, TRANSIENT);
                if says(message, INVALID_VALUE) {
                    return Error::InvalidValue(message.to_owned());
                }
                if transient_kind || transient {
                    Error::Unavailable(message.to_owned())
                } else {
                    Error::Other(message.to_owned())
                }
            }
            other => Error::Other(other.to_string()),
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for Error {
    fn from(error: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        // Every way of failing to get a connection means the database cannot serve now.
        Error::Unavailable(error.to_string())
    }
}
