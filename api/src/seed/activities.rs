//! The demo activities: what each centre offers, over a year.

use super::*;

/// A demo activity: title, category, target groups, languages, cost in cents, description.
pub(super) struct ActivitySeed {
    pub(super) title: &'static str,
    pub(super) category: &'static str,
    pub(super) groups: &'static [&'static str],
    pub(super) languages: &'static [&'static str],
    pub(super) cost_cents: Option<i32>,
    pub(super) description: &'static str,
    pub(super) status: &'static str,
}

pub(super) const COFFEE_TABLE: ActivitySeed = ActivitySeed {
    title: "Kaffeetisch für Nachbarinnen und Nachbarn",
    category: "coffee_table",
    groups: &["seniors", "adults"],
    languages: &["de"],
    cost_cents: Some(150),
    description: "Kaffee, selbstgebackener Kuchen und Zeit für Gespräche. Neue Gesichter sind willkommen.",
    status: "published",
};

pub(super) const PLAY_GROUP: ActivitySeed = ActivitySeed {
    title: "Spielgruppe für Kleinkinder",
    category: "play_group",
    groups: &["children", "families"],
    languages: &["de", "tr", "ar"],
    cost_cents: None,
    description: "Spielen, Singen und Austausch für Eltern mit Kindern von einem bis drei Jahren.",
    status: "published",
};

pub(super) const INFO_EVENING: ActivitySeed = ActivitySeed {
    title: "Infoabend: Rund ums Wohnen im Quartier",
    category: "information_event",
    groups: &["adults"],
    languages: &["de", "en"],
    cost_cents: None,
    description: "Mietrecht, Nebenkosten, Nachbarschaft: jeden Monat ein Thema mit Fachleuten und Zeit für Fragen.",
    status: "published",
};

pub(super) const OPEN_MEETUP: ActivitySeed = ActivitySeed {
    title: "Offener Treff",
    category: "open_meetup",
    groups: &["all_generations"],
    languages: &["de"],
    cost_cents: None,
    description: "Einfach vorbeikommen: Spiele, Zeitungen, Tee und Kaffee, Beratung nach Bedarf.",
    status: "published",
};

pub(super) const FESTIVAL: ActivitySeed = ActivitySeed {
    title: "Sommerfest im Quartier",
    category: "project",
    groups: &["all_generations"],
    languages: &["de", "tr", "ar", "uk"],
    cost_cents: None,
    description: "Musik, Essen aus aller Welt, Flohmarkt und Spiele für Kinder.",
    status: "published",
};

pub(super) const SEWING_CAFE: ActivitySeed = ActivitySeed {
    title: "Nähcafé (in Planung)",
    category: "interest_group",
    groups: &["adults"],
    languages: &["de"],
    cost_cents: None,
    description: "Gemeinsam nähen und reparieren.",
    status: "draft",
};

/// A year of activities from today: weekly coffee tables and open meetups, fortnightly play
/// groups, monthly information evenings, a summer festival and some drafts; both
/// daylight-saving switches fall inside it. Christmas week and a few other dates are
/// cancelled.
pub(super) async fn write_activities(
    conn: &mut AsyncPgConnection,
    centre_ids: &[Uuid],
    horizon: chrono::Duration,
) -> quartier_persistence::Result<Vec<(Uuid, &'static str)>> {
    use chrono::{Datelike, Duration, Utc, Weekday};
    use quartier_domain::schedule::{DEFAULT_TIME_ZONE, Schedule};
    use quartier_persistence::activities::{self, NewActivity};
    use quartier_persistence::occurrences;

    let other = |what: String| quartier_persistence::Error::Other(format!("demo data: {what}"));
    let now = Utc::now();
    let tomorrow = now.with_timezone(&DEFAULT_TIME_ZONE).date_naive() + Duration::days(1);
    let at = |h: u32, m: u32| tomorrow.and_hms_opt(h, m, 0).unwrap_or_default();
    let mut plans: Vec<(usize, &ActivitySeed, Schedule)> = Vec::new();
    let recurring = |rule: &str, first: chrono::NaiveDateTime, minutes: u32| {
        Schedule::recurring(rule, first, minutes, DEFAULT_TIME_ZONE, &[])
            .map_err(|e| other(e.to_string()))
    };
    for (n, _) in centre_ids.iter().enumerate() {
        plans.push((
            n,
            &OPEN_MEETUP,
            recurring("FREQ=WEEKLY;BYDAY=FR", at(14, 0), 180)?,
        ));
        match n % 3 {
            0 => plans.push((
                n,
                &COFFEE_TABLE,
                recurring("FREQ=WEEKLY;BYDAY=WE", at(15, 0), 120)?,
            )),
            1 => plans.push((
                n,
                &PLAY_GROUP,
                recurring("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", at(9, 30), 90)?,
            )),
            _ => plans.push((
                n,
                &INFO_EVENING,
                recurring("FREQ=MONTHLY;BYDAY=1TH", at(18, 30), 90)?,
            )),
        }
        if n % 5 == 0 {
            plans.push((
                n,
                &SEWING_CAFE,
                recurring("FREQ=WEEKLY;BYDAY=MO", at(17, 0), 120)?,
            ));
        }
    }
    // The festival: the first Saturday of July to come, 14 to 20 o'clock.
    let year = if tomorrow.month() < 7 {
        tomorrow.year()
    } else {
        tomorrow.year() + 1
    };
    let festival_day = chrono::NaiveDate::from_weekday_of_month_opt(year, 7, Weekday::Sat, 1)
        .ok_or_else(|| other("no festival day".into()))?;
    for n in [0, 5, 10].into_iter().filter(|n| *n < centre_ids.len()) {
        let start = festival_day
            .and_hms_opt(14, 0, 0)
            .and_then(|t| t.and_local_timezone(DEFAULT_TIME_ZONE).earliest())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| other("festival time".into()))?;
        let schedule = Schedule::once(start, start + Duration::hours(6), DEFAULT_TIME_ZONE)
            .map_err(|e| other(e.to_string()))?;
        plans.push((n, &FESTIVAL, schedule));
    }
    let mut ids = Vec::new();
    for (centre, seed, schedule) in &plans {
        let groups: Vec<String> = seed.groups.iter().map(|g| (*g).to_owned()).collect();
        let languages: Vec<String> = seed.languages.iter().map(|l| (*l).to_owned()).collect();
        let operator_id =
            quartier_persistence::operators::operator_of_centre(conn, centre_ids[*centre])
                .await?
                .ok_or_else(|| other("centre without operator".into()))?;
        let new = NewActivity {
            id: Uuid::now_v7(),
            centre_id: centre_ids[*centre],
            operator_id,
            external_id: None,
            title: seed.title,
            description: seed.description,
            category: seed.category,
            target_groups: &groups,
            languages: &languages,
            accessibility_notes: "",
            free_of_charge: seed.cost_cents.is_none(),
            cost_cents: seed.cost_cents,
            cost_note: seed.cost_cents.map(|_| "Kaffee und Kuchen"),
            registration_required: false,
            participant_limit: None,
            contact_name: None,
            contact_email: None,
            contact_phone: None,
            status: seed.status,
            materialized_until: now + horizon,
        };
        ids.push(activities::create(conn, &new, schedule, now).await?.id);
    }
    // Closed between Christmas and New Year; two coffee tables fall out.
    let christmas_year = if tomorrow.month() == 12 && tomorrow.day() > 24 {
        tomorrow.year() + 1
    } else {
        tomorrow.year()
    };
    let christmas: Vec<chrono::NaiveDate> = (24..=31)
        .filter_map(|day| chrono::NaiveDate::from_ymd_opt(christmas_year, 12, day))
        .collect();
    let zone = DEFAULT_TIME_ZONE.name();
    occurrences::cancel_on_dates(conn, &ids, &christmas, zone, "Weihnachtspause").await?;
    let coffee: Vec<Uuid> = plans
        .iter()
        .zip(&ids)
        .filter(|((_, seed, _), _)| seed.category == "coffee_table")
        .map(|(_, id)| *id)
        .collect();
    let wednesdays: Vec<chrono::NaiveDate> = tomorrow
        .iter_days()
        .filter(|d| d.weekday() == Weekday::Wed)
        .enumerate()
        .filter(|(n, _)| [2, 19].contains(n))
        .map(|(_, d)| d)
        .take(2)
        .collect();
    occurrences::cancel_on_dates(
        conn,
        &coffee,
        &wednesdays,
        zone,
        "Die Leitung ist verhindert.",
    )
    .await?;
    Ok(ids
        .into_iter()
        .zip(&plans)
        .map(|(id, (_, seed, _))| (id, seed.category))
        .collect())
}
