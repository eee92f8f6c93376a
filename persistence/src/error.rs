//! The persistence error: what went wrong, in terms the API can map to a status.
//!
//! Which error goes where:
//! - `NotFound`: a lookup by key matched nothing. The API decides (usually 404).
//! - `Constraint`: the database refused a change because of a named constraint. The API maps
//!   known constraint names to domain problems (409/422); unknown ones are bugs.
//! - `InvalidValue`: a value PostgreSQL cannot store (text with NUL). The API answers 422.
//! - `Unavailable`: the database cannot be reached, the pool has no connection within its wait
//!   timeout, or a statement ran past the statement timeout. The API answers 503.
//! - `Deadlock`: PostgreSQL failed this transaction to break a deadlock. Writers that know
//!   their transaction may meet one try again; otherwise the API answers 503.
//! - `Other`: anything else. A bug: the API logs it and answers 500.

use diesel::pg::sql_state;
use diesel::result::{DatabaseErrorKind, Error as DieselError, SqlState};

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
    /// PostgreSQL broke a deadlock by failing this transaction (40P01): trying again helps.
    #[error("deadlock: {0}")]
    Deadlock(String),
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
        matches!(self, Error::Deadlock(_))
    }

    /// True when `self` is a violation of the constraint named `name`.
    pub fn is_constraint(&self, name: &str) -> bool {
        matches!(self, Error::Constraint { constraint, .. } if constraint == name)
    }
}

// Errors are told apart by their SQLSTATE, never by what PostgreSQL says: a server whose
// `lc_messages` is German (for a role that may not choose its own) answers the same. A test
// runs each against a German server.

/// Whether trying again later can help: 40001 serialization_failure, 57014 query_canceled (the statement timeout), class 08 (connection
/// exceptions), 53 (insufficient resources) and 57P0x (the server shutting down or starting).
fn is_transient(state: SqlState) -> bool {
    use sql_state::*;
    matches!(
        state,
        T_R_SERIALIZATION_FAILURE
            | QUERY_CANCELED
            | ADMIN_SHUTDOWN
            | CRASH_SHUTDOWN
            | CANNOT_CONNECT_NOW
    ) || matches!(state.class().as_str(), "08" | "53")
}

/// Whether the client's value is what PostgreSQL refused: 22021 character_not_in_repertoire
/// (invalid bytes for UTF-8), 22P05 untranslatable_character (a `\u0000` escape), 22003
/// numeric_value_out_of_range and 22008 datetime_field_overflow.
fn is_invalid_value(state: SqlState) -> bool {
    use sql_state::*;
    matches!(
        state,
        CHARACTER_NOT_IN_REPERTOIRE
            | UNTRANSLATABLE_CHARACTER
            | NUMERIC_VALUE_OUT_OF_RANGE
            | DATETIME_FIELD_OVERFLOW
    )
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
                let message = info.message().to_owned();
                let state = info.sqlstate();
                // Without a SQLSTATE the command never reached the server, or the connection
                // broke: the database cannot serve now.
                let unreached = matches!(
                    kind,
                    DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand
                );
                if state == Some(sql_state::QUERY_CANCELED) {
                    crate::operations::count_statement_timeout();
                }
                match state {
                    Some(sql_state::T_R_DEADLOCK_DETECTED) => Error::Deadlock(message),
                    Some(state) if is_invalid_value(state) => Error::InvalidValue(message),
                    Some(state) if is_transient(state) => Error::Unavailable(message),
                    None => Error::Unavailable(message),
                    Some(_) if unreached => Error::Unavailable(message),
                    Some(_) => Error::Other(message),
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
