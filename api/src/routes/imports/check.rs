//! Checking every line of an import before anything is written: the plan, or every problem.

use super::*;

/// Everything an import will do, checked.
pub(super) struct Plan {
    pub(super) activities: Vec<(Checked<CreateActivityRequest>, Prepared)>,
    pub(super) shifts: Vec<(Checked<CreateShiftRequest>, Planned)>,
    pub(super) existing_activities: HashMap<String, ActivityRow>,
    pub(super) existing_shifts: HashMap<String, ShiftView>,
}

/// Checks every line; the problems of all lines, or the plan.
pub(super) async fn check(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    operator_id: Uuid,
    languages: &ContentLanguages,
    lines: Vec<Line>,
) -> Result<Result<Plan, Vec<ProblemField>>, ApiError> {
    let centres = imports::centres_of(conn, operator_id).await?;
    let mut problems = Problems::default();
    let mut seen: HashSet<(bool, String)> = HashSet::new();
    let mut activities = Vec::new();
    let mut shifts = Vec::new();
    for line in lines {
        let (row, record) = (line.row, line.record);
        let mut fresh = |id: &str, problems: &mut Problems| {
            let fresh = seen.insert((record == Record::Activity, id.to_owned()));
            if !fresh {
                problems.add(
                    row,
                    record,
                    Some(id),
                    ApiError::validation("external_id", "appears twice in this import"),
                );
            }
            fresh
        };
        match record {
            Record::Activity => match split::<CreateActivityRequest>(line) {
                Err((id, error)) => problems.add(row, record, id.as_deref(), error),
                Ok((id, body)) => {
                    if !fresh(&id, &mut problems) {
                        continue;
                    }
                    if !centres.contains(&body.centre_id) {
                        problems.add(
                            row,
                            record,
                            Some(&id),
                            ApiError::validation(
                                "centre_id",
                                "is not the id of a centre of this operator",
                            ),
                        );
                        continue;
                    }
                    let checked = Prepared::of(&body).and_then(|prepared| {
                        let variants = check_variants(
                            languages,
                            TextOwner::Activity,
                            body.translations.as_ref(),
                        )?;
                        Ok((prepared, variants))
                    });
                    match checked {
                        Ok((prepared, variants)) => activities.push((
                            Checked {
                                row,
                                external_id: id,
                                body,
                                variants,
                            },
                            prepared,
                        )),
                        Err(error) => problems.add(row, record, Some(&id), error),
                    }
                }
            },
            Record::Shift => match split::<CreateShiftRequest>(line) {
                Err((id, error)) => problems.add(row, record, id.as_deref(), error),
                Ok((id, body)) => {
                    if !fresh(&id, &mut problems) {
                        continue;
                    }
                    if body.occurrence_id.is_some() {
                        problems.add(
                            row,
                            record,
                            Some(&id),
                            ApiError::validation(
                                "occurrence_id",
                                "is not supported in imports: give centre_id and the times",
                            ),
                        );
                        continue;
                    }
                    if body.centre_id.is_some_and(|c| !centres.contains(&c)) {
                        problems.add(
                            row,
                            record,
                            Some(&id),
                            ApiError::validation(
                                "centre_id",
                                "is not the id of a centre of this operator",
                            ),
                        );
                        continue;
                    }
                    let checked = plan_with(&body, None).and_then(|planned| {
                        let variants = check_variants(
                            languages,
                            TextOwner::Shift,
                            body.translations.as_ref(),
                        )?;
                        Ok((planned, variants))
                    });
                    match checked {
                        Ok((planned, variants)) => shifts.push((
                            Checked {
                                row,
                                external_id: id,
                                body,
                                variants,
                            },
                            planned,
                        )),
                        Err(error) => problems.add(row, record, Some(&id), error),
                    }
                }
            },
        }
    }
    // Qualification types, all at once.
    let mut wanted: Vec<Uuid> = shifts
        .iter()
        .flat_map(|(_, p)| p.template.required.iter().copied())
        .collect();
    wanted.sort();
    wanted.dedup();
    let known = imports::known_qualification_types(conn, &wanted).await?;
    for (line, planned) in &shifts {
        if planned.template.required.iter().any(|t| !known.contains(t)) {
            problems.add(
                line.row,
                Record::Shift,
                Some(&line.external_id),
                ApiError::validation(
                    "required_qualifications",
                    "names a type that does not exist",
                ),
            );
        }
    }
    // Coordinators limited to some centres: once per centre. (A key acts for its whole
    // operator; its centres were checked above.)
    let mut used: Vec<Uuid> = activities
        .iter()
        .map(|(l, _)| l.body.centre_id)
        .chain(shifts.iter().map(|(_, p)| p.centre_id))
        .collect();
    used.sort();
    used.dedup();
    let mut barred = HashSet::new();
    if let Caller::User(user) = caller {
        for centre in used {
            match require_centre_staff(conn, *user, centre, StaffRole::Coordinator).await {
                Ok(_) => {}
                Err(ApiError::Forbidden(_)) => {
                    barred.insert(centre);
                }
                Err(other) => return Err(other),
            }
        }
    }
    let barred_error = || ApiError::validation("centre_id", "is a centre you do not coordinate");
    for (line, _) in &activities {
        if barred.contains(&line.body.centre_id) {
            problems.add(
                line.row,
                Record::Activity,
                Some(&line.external_id),
                barred_error(),
            );
        }
    }
    for (line, planned) in &shifts {
        if barred.contains(&planned.centre_id) {
            problems.add(
                line.row,
                Record::Shift,
                Some(&line.external_id),
                barred_error(),
            );
        }
    }
    // What exists already: it must stay where it is.
    let ids: Vec<String> = activities
        .iter()
        .map(|(l, _)| l.external_id.clone())
        .collect();
    let existing_activities = imports::activities_by_external_id(conn, operator_id, &ids).await?;
    for (line, _) in &activities {
        if existing_activities
            .get(&line.external_id)
            .is_some_and(|row| row.centre_id != line.body.centre_id)
        {
            problems.add(
                line.row,
                Record::Activity,
                Some(&line.external_id),
                ApiError::validation(
                    "centre_id",
                    "differs from the activity's centre: an activity cannot move",
                ),
            );
        }
    }
    let ids: Vec<String> = shifts.iter().map(|(l, _)| l.external_id.clone()).collect();
    let existing_shifts = imports::shifts_by_external_id(conn, operator_id, &ids).await?;
    for (line, planned) in &shifts {
        if existing_shifts.get(&line.external_id).is_some_and(|view| {
            view.shift.centre_id != planned.centre_id || view.shift.occurrence_id.is_some()
        }) {
            problems.add(
                line.row,
                Record::Shift,
                Some(&line.external_id),
                ApiError::validation(
                    "centre_id",
                    "differs from the shift's centre or occurrence: a shift cannot move",
                ),
            );
        }
    }
    if !problems.0.is_empty() {
        problems.0.sort_by_key(|p| (p.record.clone(), p.row));
        return Ok(Err(problems.0));
    }
    Ok(Ok(Plan {
        activities,
        shifts,
        existing_activities,
        existing_shifts,
    }))
}
