//! The checks and writes behind `/operators/{id}/qualification-checks`: how far the staff
//! member reaches, whether the volunteer came to the operator, the dates, the type, the
//! expiry, and the verification with its audit entry.

use chrono::{Months, NaiveDate};
use quartier_domain::trust::{Acquaintance, Reach};
use quartier_domain::{Role, StaffRole};
use quartier_persistence::audit::NewEntry;
use quartier_persistence::qualifications::{self, Inspection, TypeRow, VerificationRow};
use quartier_persistence::{AsyncConnection, AsyncPgConnection, operators, trust};
use uuid::Uuid;

use super::checks::InspectionRequest;
use super::{check_date, today, type_named};
use crate::auth::AuthUser;
use crate::authz::require_staff;
use crate::error::ApiError;

/// How far a staff member of `operator_id` reaches, with the centres a limited coordinator
/// is limited to. 404/403 as `require_staff` for coordinators.
pub(super) async fn reach_of(
    conn: &mut AsyncPgConnection,
    user: AuthUser,
    operator_id: Uuid,
) -> Result<(Reach, Vec<Uuid>), ApiError> {
    require_staff(conn, user, operator_id, StaffRole::Coordinator).await?;
    if user.role == Role::Admin {
        return Ok((Reach::Operator, Vec::new()));
    }
    let centres: Vec<Uuid> = operators::member_centres(conn, operator_id, &[user.id])
        .await?
        .into_iter()
        .map(|(_, centre)| centre)
        .collect();
    let reach = if centres.is_empty() {
        Reach::Operator
    } else {
        Reach::Centres
    };
    Ok((reach, centres))
}

/// What ties the volunteer to the operator, for a check of the type `type_id`.
pub(super) async fn acquaintance(
    conn: &mut AsyncPgConnection,
    operator_id: Uuid,
    user_id: Uuid,
    type_id: Uuid,
    centres: &[Uuid],
) -> Result<Acquaintance, ApiError> {
    Ok(trust::acquaintance(conn, operator_id, user_id, Some(type_id), centres).await?)
}

/// The one answer for a volunteer the staff member may not vouch for, whether or not the
/// account exists.
pub(super) fn not_acquainted(reach: Reach) -> ApiError {
    ApiError::validation(
        "user_id",
        match reach {
            Reach::Operator => {
                "is not a volunteer who declared this qualification to this operator (and helps it) \
                 or signed up for one of its shifts"
            }
            Reach::Centres => "is not a volunteer who signed up for a shift at your centres",
        },
    )
}

/// The issue date, and the inspection date (today when left out) between it and today.
pub(super) fn check_inspection_dates(
    body: &InspectionRequest,
) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let today = today();
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

/// Records the inspection as the operator's verification with its audit entry (naming what
/// it replaced, if anything); the two commit together.
pub(super) async fn record_inspection(
    conn: &mut AsyncPgConnection,
    user: AuthUser,
    inspection: &Inspection,
) -> Result<VerificationRow, ApiError> {
    let row = conn
        .transaction::<_, quartier_persistence::Error, _>(async |conn| {
            let (row, previous) = qualifications::inspect(conn, inspection).await?;
            let action = if previous.is_some() {
                "qualification.verification_changed"
            } else {
                "qualification.verified"
            };
            NewEntry::new(user.actor(), action, "qualification_verification", row.id)
                .operator(inspection.operator_id)
                .about([inspection.user_id])
                .details(serde_json::json!({
                    "type_id": inspection.type_id,
                    "issued_on": inspection.issued_on,
                    "inspected_on": inspection.inspected_on,
                    "expires_on": inspection.expires_on,
                    "previous": previous.map(|p| serde_json::json!({
                        "issued_on": p.issued_on,
                        "inspected_on": p.inspected_on,
                        "expires_on": p.expires_on,
                    })),
                }))
                .record(conn)
                .await?;
            Ok(row)
        })
        .await?;
    Ok(row)
}
