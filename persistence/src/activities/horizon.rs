//! Keeping recurring activities' stored occurrences ahead of time, by any instance.

use super::*;

/// `materialized_until` of a schedule that has no occurrences left to store.
pub(super) const FINISHED: DateTime<Utc> = DateTime::<Utc>::from_naive_utc_and_offset(
    match chrono::NaiveDate::from_ymd_opt(2200, 1, 1) {
        Some(date) => match date.and_hms_opt(0, 0, 0) {
            Some(at) => at,
            None => NaiveDateTime::MIN,
        },
        None => NaiveDateTime::MIN,
    },
    Utc,
);

/// Moves the horizon of recurring activities whose occurrences end before `due_before`: claims
/// up to `batch` of them (`SKIP LOCKED`, so any number of instances can do this at once) and
/// stores their occurrences up to `until`. Returns how many activities it extended.
pub async fn extend_horizon(
    conn: &mut AsyncPgConnection,
    due_before: DateTime<Utc>,
    until: DateTime<Utc>,
    batch: i64,
) -> Result<usize> {
    conn.transaction::<_, Error, _>(async |conn| {
        let due: Vec<ActivityRow> = activities::table
            .filter(activities::schedule_kind.eq("recurring"))
            .filter(activities::status.eq_any(["draft", "published"]))
            .filter(activities::materialized_until.lt(due_before))
            .order(activities::materialized_until)
            .limit(batch)
            .select(ActivityRow::as_select())
            .for_update()
            .skip_locked()
            .load(conn)
            .await?;
        for row in &due {
            let mut reached = until;
            match row.schedule() {
                Ok(schedule) => {
                    let slots = schedule.slots_between(row.materialized_until, until);
                    // A savepoint: one activity that fails does not hold up the others.
                    let stored = conn
                        .transaction::<_, Error, _>(async |conn| {
                            insert_slots(conn, row.id, &slots).await
                        })
                        .await;
                    if let Err(error) = stored {
                        // Tried again at the next round: the dates are not skipped.
                        tracing::warn!(activity = %row.id, %error, "could not extend occurrences");
                        continue;
                    }
                    if !schedule.continues_after(until) {
                        reached = FINISHED;
                    }
                }
                Err(error) => {
                    tracing::warn!(activity = %row.id, %error, "stored schedule no longer valid");
                    reached = FINISHED;
                }
            }
            diesel::update(activities::table.filter(activities::id.eq(row.id)))
                .set(activities::materialized_until.eq(reached))
                .execute(conn)
                .await?;
        }
        Ok(due.len())
    })
    .await
}
