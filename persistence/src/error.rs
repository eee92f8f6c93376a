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
        matches!(self, Error::Unavailable(message) if message.contains("deadlock detected"))
    }

    /// True when `self` is a violation of the constraint named `name`.
    pub fn is_constraint(&self, name: &str) -> bool {
        matches!(self, Error::Constraint { constraint, .. } if constraint == name)
    }
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
                let lost_connection = matches!(
                    kind,
                    DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand
                );
                // 57014 query_canceled (statement timeout) and 57P0x (server shutting down)
                // arrive as Unknown; their messages are stable across PostgreSQL versions.
                // 40P01 deadlock_detected and 40001 serialization_failure: retrying helps.
                let transient = message.contains("statement timeout")
                    || message.contains("deadlock detected")
                    || message.contains("could not serialize access")
                    || message.contains("terminating connection")
                    || message.contains("the database system is");
                // 22021 character_not_in_repertoire, 22P05 untranslatable_character, 22008
                // datetime_field_overflow.
                if message.contains("invalid byte sequence")
                    || message.contains("unsupported Unicode escape")
                    || message.contains("out of range")
                {
                    return Error::InvalidValue(message.to_owned());
                }
                if lost_connection || transient {
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
