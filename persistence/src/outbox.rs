//! The outbox (Rule 6): every change others rely on writes its event here, in the same
//! transaction, so nothing is announced that did not happen and nothing happens unannounced.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::Result;
use crate::schema::outbox_events;

/// Records the event `kind` (`signup.confirmed`, `shift.filled`, …) about `subject_id`.
pub async fn record(
    conn: &mut AsyncPgConnection,
    kind: &str,
    operator_id: Option<Uuid>,
    subject_id: Uuid,
    payload: serde_json::Value,
) -> Result<()> {
    diesel::insert_into(outbox_events::table)
        .values((
            outbox_events::id.eq(Uuid::now_v7()),
            outbox_events::kind.eq(kind),
            outbox_events::operator_id.eq(operator_id),
            outbox_events::subject_id.eq(subject_id),
            outbox_events::payload.eq(payload.to_string()),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
