//! Applying a checked import in one transaction.

use super::*;

/// Why an import stopped inside its transaction: everything is rolled back.
pub(super) enum Abort {
    Lines(Vec<ProblemField>),
    Failed(ApiError),
}

impl From<quartier_persistence::DieselError> for Abort {
    fn from(error: quartier_persistence::DieselError) -> Self {
        Abort::Failed(quartier_persistence::Error::from(error).into())
    }
}

/// A 4xx of one line makes the import invalid; anything else stops it as it is.
pub(super) fn line_error(row: usize, record: Record, external_id: &str, error: ApiError) -> Abort {
    if error.problem().status >= 500 {
        return Abort::Failed(error);
    }
    let mut problems = Problems::default();
    problems.add(row, record, Some(external_id), error);
    Abort::Lines(problems.0)
}

/// A new object another request created meanwhile under the same external id.
pub(super) fn raced(error: quartier_persistence::Error) -> ApiError {
    let keys = [
        quartier_persistence::activities::EXTERNAL_ID_KEY,
        quartier_persistence::shifts::EXTERNAL_ID_KEY,
    ];
    if keys.iter().any(|key| error.is_constraint(key)) {
        ApiError::Conflict {
            slug: "external-id-taken",
            detail: "Another request created an object with one of these external ids meanwhile: \
                nothing was imported; send the import again."
                .into(),
        }
    } else {
        error.into()
    }
}

/// Applies the plan; call inside a transaction.
pub(super) async fn write(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    operator_id: Uuid,
    plan: Plan,
) -> Result<ImportReport, Abort> {
    let now = Utc::now();
    let from = now - chrono::Duration::days(crate::routes::activities::RECENT_PAST_DAYS);
    let horizon = now + state.occurrence_horizon;
    let mut report = ImportReport {
        dry_run: false,
        activities: ImportCounts::default(),
        shifts: ImportCounts::default(),
    };
    let (existing, new): (Vec<_>, Vec<_>) = plan
        .activities
        .iter()
        .partition(|(line, _)| plan.existing_activities.contains_key(&line.external_id));
    let mut rows = Vec::with_capacity(new.len());
    let mut slots = Vec::new();
    for (line, prepared) in &new {
        let row = prepared.new_activity(&line.body, operator_id, Some(&line.external_id), horizon);
        let until = prepared.schedule.materialize_until(horizon);
        slots.extend(
            prepared
                .schedule
                .slots_between(from, until)
                .into_iter()
                .map(|slot| (row.id, slot)),
        );
        if slots.len() > MAX_OCCURRENCES {
            return Err(Abort::Failed(ApiError::validation(
                "activities",
                "would make more than 200000 occurrences at once: split the import",
            )));
        }
        rows.push((row, ScheduleColumns::of(&prepared.schedule)));
    }
    imports::insert_activities(conn, &rows, &slots)
        .await
        .map_err(|e| Abort::Failed(raced(e)))?;
    report.activities.created = rows.len();
    let by = caller.user().map(|u| u.id);
    for ((line, _), (row, _)) in new.iter().zip(&rows) {
        write_variants(
            conn,
            TextOwner::Activity,
            row.id,
            line.variants.as_deref(),
            by,
        )
        .await
        .map_err(|e| line_error(line.row, Record::Activity, &line.external_id, e))?;
    }
    for (line, _) in existing {
        let current = &plan.existing_activities[&line.external_id];
        let (version, _) = apply(state, conn, caller, current, &as_change(&line.body), None)
            .await
            .map_err(|e| line_error(line.row, Record::Activity, &line.external_id, e))?;
        let translated = write_variants(
            conn,
            TextOwner::Activity,
            current.id,
            line.variants.as_deref(),
            by,
        )
        .await
        .map_err(|e| line_error(line.row, Record::Activity, &line.external_id, e))?;
        if version == current.version && !translated {
            report.activities.unchanged += 1;
        } else {
            report.activities.updated += 1;
        }
    }
    let mut new_shifts = Vec::new();
    let mut translated_shifts = Vec::new();
    for (line, planned) in &plan.shifts {
        if let Some(current) = plan.existing_shifts.get(&line.external_id) {
            let version = current.shift.version;
            let view = replace_shift(conn, caller, current.clone(), &line.body, planned)
                .await
                .map_err(|e| line_error(line.row, Record::Shift, &line.external_id, e))?;
            let translated = write_variants(
                conn,
                TextOwner::Shift,
                view.shift.id,
                line.variants.as_deref(),
                by,
            )
            .await
            .map_err(|e| line_error(line.row, Record::Shift, &line.external_id, e))?;
            if view.shift.version == version && !translated {
                report.shifts.unchanged += 1;
            } else {
                report.shifts.updated += 1;
            }
        } else {
            let t = &planned.template;
            let id = Uuid::now_v7();
            if line.variants.is_some() {
                translated_shifts.push((id, line));
            }
            new_shifts.push(ImportedShift {
                id,
                centre_id: planned.centre_id,
                external_id: &line.external_id,
                title: &t.title,
                description: &t.description,
                starts_at: planned.starts_at,
                ends_at: planned.ends_at,
                capacity: t.capacity,
                min_age_note: t.min_age_note.as_deref(),
                skills: &t.skills,
                required: &t.required,
            });
        }
    }
    imports::insert_shifts(conn, operator_id, &new_shifts)
        .await
        .map_err(|e| Abort::Failed(raced(e)))?;
    for (id, line) in translated_shifts {
        write_variants(conn, TextOwner::Shift, id, line.variants.as_deref(), by)
            .await
            .map_err(|e| line_error(line.row, Record::Shift, &line.external_id, e))?;
    }
    report.shifts.created = new_shifts.len();
    Ok(report)
}
