//! The checks and the write behind `POST /operators/{id}/qualification-checks`: the dates, the
//! type, the expiry, the account, and the inspection with its audit entry.

use chrono::{Months, NaiveDate, Utc};
use quartier_persistence::audit::NewEntry;
use quartier_persistence::qualifications::{self, Inspection, QualificationRow, TypeRow};
use quartier_persistence::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::{InspectionRequest, check_date, type_named};
use crate::auth::AuthUser;
use crate::error::ApiError;

/// The issue date, and the inspection date (today when left out) between it and today.
pub(super) fn check_inspection_dates(
    body: &InspectionRequest,
) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let today = Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive();
    let issued_on = check_date(body.issued_on, "issued_on")?;
    let inspected_on = check_date(body.inspected_on.unwrap_or(today), "inspected_on")?;
    if inspected_on < issued_on || inspected_on > today {
        return Err(ApiError::validation(
            "inspected_on",
            "must lie between the issue date and today",
        ));
    }
    Ok((issued_on, inspected_on))
}

/// The type `type_id` if staff of `operator_id` may inspect it: from the catalogue, or the
/// operator's own.
pub(super) async fn inspectable_type(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    type_id: Uuid,
) -> Result<TypeRow, ApiError> {
    let kind = type_named(conn, type_id).await?;
    if kind.operator_id.is_some_and(|owner| owner != operator_id) {
        return Err(ApiError::validation(
            "type_id",
            "is another operator's own type",
        ));
    }
    Ok(kind)
}

/// The day an inspected qualification stops counting: the date sent, or else the issue date
/// plus the type's validity; always after the issue date.
pub(super) fn expiry(
    expires_on: Option<NaiveDate>,
    kind: &TypeRow,
    issued_on: NaiveDate,
) -> Result<Option<NaiveDate>, ApiError> {
    let expires_on = match expires_on {
        Some(date) => Some(check_date(date, "expires_on")?),
        None => kind
            .validity_months
            .and_then(|m| issued_on.checked_add_months(Months::new(m.unsigned_abs()))),
    };
    if expires_on.is_some_and(|e| e <= issued_on) {
        return Err(ApiError::validation(
            "expires_on",
            "must be after issued_on",
        ));
    }
    Ok(expires_on)
}

/// 422 unless an account has the id `user_id`.
pub(super) async fn require_account(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> Result<(), ApiError> {
    match quartier_persistence::users::find(conn, user_id).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::validation(
            "user_id",
            "is not the id of an account",
        )),
    }
}

/// Records the inspection with its audit entry; the two commit together.
pub(super) async fn record_inspection(
    conn: &mut AsyncPgConnection,
    user: AuthUser,
    inspection: &Inspection,
) -> Result<QualificationRow, ApiError> {
    let row = conn
        .transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let row = qualifications::inspect(conn, inspection).await?;
            NewEntry::new(
                user.actor(),
                "qualification.verified",
                "qualification",
                row.id,
            )
            .operator(inspection.inspected_for)
            .about([inspection.user_id])
            .details(serde_json::json!({
                "type_id": inspection.type_id,
                "issued_on": inspection.issued_on,
                "expires_on": inspection.expires_on,
            }))
            .record(conn)
            .await?;
            Ok(row)
        })
        .await?;
    Ok(row)
}
