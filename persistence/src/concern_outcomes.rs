//! What came of concerns: links from a concern to an activity, one of its dates, a shift, a
//! room booking, or a reference outside Quartier. A link goes with what it points at.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use quartier_domain::ConcernChange;
use quartier_domain::concern::{Outcome, OutcomeKind, OutcomeTarget};
use uuid::Uuid;

use crate::Result;

/// Each target once per concern.
pub const ONCE: &str = "concern_outcomes_once";

/// The foreign key by which an outcome names its target of `kind` in Quartier.
pub fn target_key(kind: OutcomeKind) -> Option<&'static str> {
    match kind {
        OutcomeKind::Activity => Some("concern_outcomes_activity_id_fkey"),
        OutcomeKind::Occurrence => Some("concern_outcomes_occurrence_id_fkey"),
        OutcomeKind::Shift => Some("concern_outcomes_shift_id_fkey"),
        OutcomeKind::RoomBooking => Some("concern_outcomes_room_booking_id_fkey"),
        OutcomeKind::FundApplication => Some("concern_outcomes_fund_application_id_fkey"),
        OutcomeKind::Outside => None,
    }
}

/// An outcome as stored.
#[derive(Debug, Clone, QueryableByName)]
pub struct OutcomeRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub concern_id: Uuid,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub activity_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub occurrence_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub shift_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub room_booking_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub fund_application_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub outside_ref: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub outside_url: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub note: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, concern_id, kind, activity_id, occurrence_id, shift_id, \
                       room_booking_id, fund_application_id, outside_ref, outside_url, note, \
                       created_at";

/// The centre an activity, a date of an activity, a shift or a room booking belongs to; `None` when there
/// is no such thing (and for funded projects and outside targets, which belong to none).
pub async fn target_centre(
    conn: &mut AsyncPgConnection,
    kind: OutcomeKind,
    id: Uuid,
) -> Result<Option<Uuid>> {
    #[derive(QueryableByName)]
    struct Centre {
        #[diesel(sql_type = SqlUuid)]
        centre_id: Uuid,
    }
    let sql = match kind {
        OutcomeKind::Activity => "SELECT centre_id FROM activities WHERE id = $1",
        OutcomeKind::Occurrence => {
            "SELECT a.centre_id FROM occurrences o JOIN activities a ON a.id = o.activity_id \
              WHERE o.id = $1"
        }
        OutcomeKind::Shift => "SELECT centre_id FROM shifts WHERE id = $1",
        OutcomeKind::RoomBooking => {
            "SELECT r.centre_id FROM room_bookings b JOIN rooms r ON r.id = b.room_id \
              WHERE b.id = $1"
        }
        OutcomeKind::FundApplication | OutcomeKind::Outside => return Ok(None),
    };
    Ok(diesel::sql_query(sql)
        .bind::<SqlUuid, _>(id)
        .load::<Centre>(conn)
        .await?
        .pop()
        .map(|row| row.centre_id))
}

/// Links `outcome` to the concern `concern_id`, as `linked_by` (none for an operator's
/// system), and tells the operator's
/// systems (`concern.outcome_linked`).
pub async fn link(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    concern_id: Uuid,
    outcome: &Outcome,
    linked_by: Option<Uuid>,
) -> Result<OutcomeRow> {
    let inside = |wanted: OutcomeKind| match &outcome.target {
        OutcomeTarget::Inside(kind, id) if *kind == wanted => Some(*id),
        _ => None,
    };
    let (reference, url) = match &outcome.target {
        OutcomeTarget::Outside { reference, url } => (Some(reference.as_str()), url.as_deref()),
        OutcomeTarget::Inside(..) => (None, None),
    };
    conn.transaction::<_, crate::Error, _>(async |conn| {
        let mut rows: Vec<OutcomeRow> = diesel::sql_query(format!(
        "INSERT INTO concern_outcomes (id, concern_id, kind, activity_id, occurrence_id, shift_id, \
                                       outside_ref, outside_url, note, linked_by, room_booking_id, \
                                       fund_application_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {COLUMNS}"
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(concern_id)
    .bind::<Text, _>(outcome.kind().as_str())
    .bind::<Nullable<SqlUuid>, _>(inside(OutcomeKind::Activity))
    .bind::<Nullable<SqlUuid>, _>(inside(OutcomeKind::Occurrence))
    .bind::<Nullable<SqlUuid>, _>(inside(OutcomeKind::Shift))
    .bind::<Nullable<Text>, _>(reference)
    .bind::<Nullable<Text>, _>(url)
    .bind::<Nullable<Text>, _>(outcome.note.as_deref())
    .bind::<Nullable<SqlUuid>, _>(linked_by)
    .bind::<Nullable<SqlUuid>, _>(inside(OutcomeKind::RoomBooking))
    .bind::<Nullable<SqlUuid>, _>(inside(OutcomeKind::FundApplication))
    .load(conn)
    .await?;
        let row = rows.pop().ok_or(crate::Error::NotFound)?;
        crate::concerns::announce(
            conn,
            ConcernChange::OutcomeLinked,
            concern_id,
            None,
            None,
            Some(row.id),
            None,
        )
        .await?;
        Ok(row)
    })
    .await
}

/// The outcomes of the concern `concern_id`, oldest first; a funded project withdrawn since
/// is left out.
pub async fn of_concern(conn: &mut AsyncPgConnection, concern_id: Uuid) -> Result<Vec<OutcomeRow>> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM concern_outcomes o WHERE concern_id = $1 \
         AND NOT EXISTS (SELECT 1 FROM fund_applications x \
                          WHERE x.id = o.fund_application_id AND x.status = 'withdrawn') \
         ORDER BY created_at, id"
    ))
    .bind::<SqlUuid, _>(concern_id)
    .load(conn)
    .await?)
}

/// Takes the outcome `id` off the concern `concern_id` and tells the outbox
/// (`concern.outcome_unlinked`); whether there was one.
pub async fn unlink(conn: &mut AsyncPgConnection, concern_id: Uuid, id: Uuid) -> Result<bool> {
    conn.transaction::<_, crate::Error, _>(async |conn| {
        let removed =
            diesel::sql_query("DELETE FROM concern_outcomes WHERE id = $1 AND concern_id = $2")
                .bind::<SqlUuid, _>(id)
                .bind::<SqlUuid, _>(concern_id)
                .execute(conn)
                .await?;
        if removed > 0 {
            crate::concerns::announce(
                conn,
                ConcernChange::OutcomeUnlinked,
                concern_id,
                None,
                None,
                Some(id),
                None,
            )
            .await?;
        }
        Ok(removed > 0)
    })
    .await
}

/// The outcomes the account `user_id` linked, newest first, at most `limit`.
pub async fn linked_by(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    limit: i64,
) -> Result<Vec<OutcomeRow>> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM concern_outcomes WHERE linked_by = $1 \
          ORDER BY created_at DESC, id DESC LIMIT $2"
    ))
    .bind::<SqlUuid, _>(user_id)
    .bind::<diesel::sql_types::Int8, _>(limit)
    .load(conn)
    .await?)
}
