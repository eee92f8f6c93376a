//! `quartier seed-demo`: a small invented German town to try Quartier with — districts, five
//! operators with staff, centres with opening hours, a year of activities. It refuses a
//! database that holds data.

use chrono::{NaiveDate, NaiveTime};
use quartier_domain::{Role, StaffRole};
use quartier_persistence::centres::{self, NewCentre};
use quartier_persistence::districts::{self, NewDistrict};
use quartier_persistence::operators::{self, NewOperator};
use quartier_persistence::pool::{self, build_pool};
use quartier_persistence::users::{self, NewUser};
use quartier_persistence::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use crate::commands::{CommandResult, prepare_database};
use crate::config::Settings;
use crate::passwords::Passwords;

const TOWN: &str = "Auenstadt";

/// Districts: name, parent (by name), centre point.
const DISTRICTS: [(&str, Option<&str>, (f64, f64)); 9] = [
    ("Altstadt", None, (50.9800, 10.3200)),
    ("Marktviertel", Some("Altstadt"), (50.9812, 10.3188)),
    ("Domviertel", Some("Altstadt"), (50.9790, 10.3225)),
    ("Nordstadt", None, (50.9920, 10.3180)),
    ("Hafenquartier", Some("Nordstadt"), (50.9958, 10.3105)),
    ("Südstadt", None, (50.9680, 10.3250)),
    ("Weststadt", None, (50.9810, 10.2990)),
    ("Oststadt", None, (50.9795, 10.3420)),
    ("Gartenstadt", Some("Oststadt"), (50.9760, 10.3510)),
];

/// Operators: name, kind, slug for staff addresses, website.
const OPERATORS: [(&str, &str, &str); 5] = [
    (
        "Stadt Auenstadt, Amt für Quartiersentwicklung",
        "municipality",
        "stadt",
    ),
    ("Auenstädter Wohnungsbau eG", "housing_company", "wohnbau"),
    (
        "Diakonisches Werk Auenstadt",
        "church_or_welfare",
        "diakonie",
    ),
    (
        "Nachbarschaftshilfe Auenstadt e.V.",
        "association",
        "nachbarschaftshilfe",
    ),
    ("Sozialwerk an der Aue gGmbH", "other", "sozialwerk"),
];

/// Centres: operator (index), district, name, kind, description, position, languages,
/// step-free, accessible toilet, hearing loop, disabled parking, Saturday hours.
type CentreSeed = (
    usize,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    (f64, f64),
    &'static [&'static str],
    [bool; 4],
    bool,
);

const CENTRES: [CentreSeed; 15] = [
    (
        0,
        "Marktviertel",
        "Bürgerhaus am Markt",
        "community_house",
        "Offener Treff, Kaffee und Kuchen, Raum für Initiativen",
        (50.9814, 10.3191),
        &["de", "en"],
        [true, true, true, true],
        true,
    ),
    (
        0,
        "Nordstadt",
        "Stadtteilbüro Nordstadt",
        "district_office",
        "Beratung rund ums Wohnen und Leben im Stadtteil",
        (50.9925, 10.3176),
        &["de", "tr", "ar"],
        [true, true, false, false],
        false,
    ),
    (
        0,
        "Südstadt",
        "Stadtteilbüro Südstadt",
        "district_office",
        "Quartiersmanagement, Sprechstunden und Beteiligung",
        (50.9684, 10.3247),
        &["de", "ru"],
        [true, false, false, true],
        false,
    ),
    (
        1,
        "Hafenquartier",
        "WohnCafé am Hafen",
        "wohncafe",
        "Kaffeeklatsch für Seniorinnen und Senioren, Mittagstisch",
        (50.9961, 10.3101),
        &["de"],
        [true, true, false, false],
        false,
    ),
    (
        1,
        "Gartenstadt",
        "Nachbarschaftstreff Gartenstadt",
        "meeting_place",
        "Spielgruppe, Repair-Café und Gartenprojekt",
        (50.9763, 10.3515),
        &["de", "pl"],
        [false, false, false, true],
        true,
    ),
    (
        1,
        "Weststadt",
        "WohnCafé Lindenhof",
        "wohncafe",
        "Frühstück, Spieleabend und Kaffeetisch",
        (50.9807, 10.2994),
        &["de"],
        [true, true, true, false],
        false,
    ),
    (
        2,
        "Domviertel",
        "Zentrum für Gemeinwesenarbeit Domviertel",
        "community_work_centre",
        "Familienberatung, Sprachcafé und Hausaufgabenhilfe",
        (50.9792, 10.3228),
        &["de", "uk", "ar", "fa"],
        [true, true, true, false],
        false,
    ),
    (
        2,
        "Oststadt",
        "Diakonie-Treff Oststadt",
        "meeting_place",
        "Offener Treff, Kleiderkammer und Sozialberatung",
        (50.9797, 10.3417),
        &["de", "ru", "uk"],
        [true, true, false, false],
        false,
    ),
    (
        2,
        "Südstadt",
        "Familienzentrum Südstadt",
        "community_work_centre",
        "Eltern-Kind-Gruppen, Spielgruppe und Familiencafé",
        (50.9672, 10.3262),
        &["de", "tr"],
        [true, true, false, true],
        true,
    ),
    (
        3,
        "Nordstadt",
        "Nachbarschaftshaus Nord",
        "community_house",
        "Nachbarschaftshilfe, Einkaufsdienst und Kaffeetisch",
        (50.9918, 10.3195),
        &["de"],
        [false, true, false, false],
        true,
    ),
    (
        3,
        "Altstadt",
        "Treffpunkt Altstadt",
        "meeting_place",
        "Senioren-Treff, Gedächtnistraining und Singkreis",
        (50.9801, 10.3203),
        &["de", "it"],
        [true, false, true, false],
        false,
    ),
    (
        3,
        "Weststadt",
        "Repair-Café West",
        "meeting_place",
        "Reparieren statt wegwerfen, jeden Samstag",
        (50.9816, 10.2981),
        &["de", "en"],
        [false, false, false, false],
        true,
    ),
    (
        4,
        "Hafenquartier",
        "Quartierszentrum Hafen",
        "community_work_centre",
        "Jugendtreff, Bewerbungshilfe und Sprachkurse",
        (50.9950, 10.3112),
        &["de", "ar", "ku", "en"],
        [true, true, true, true],
        false,
    ),
    (
        4,
        "Gartenstadt",
        "Gemeinschaftshaus Gartenstadt",
        "community_house",
        "Vereinsräume, Kulturabende und Mittagstisch",
        (50.9755, 10.3502),
        &["de"],
        [true, true, false, true],
        false,
    ),
    (
        4,
        "Marktviertel",
        "Interkulturelles Café am Markt",
        "other",
        "Begegnungscafé mit Sprachpatenschaften",
        (50.9809, 10.3180),
        &["de", "tr", "ar", "uk", "en"],
        [true, false, false, false],
        true,
    ),
];

/// A staff account the demo made.
#[derive(Debug)]
pub struct DemoAccount {
    pub email: String,
    pub password: String,
    pub role: &'static str,
    pub operator: &'static str,
}

/// `quartier seed-demo`: fills an empty database with the demo town and prints the staff
/// accounts it made.
pub async fn seed_demo(settings: Settings) -> CommandResult {
    let accounts = seed_demo_town(settings).await?;
    println!(
        "Demo town {TOWN}: {} districts, {} operators, {} centres.",
        DISTRICTS.len(),
        OPERATORS.len(),
        CENTRES.len()
    );
    println!("Staff accounts (e-mail, password, role, operator):");
    for account in &accounts {
        println!(
            "  {}  {}  {}  {}",
            account.email, account.password, account.role, account.operator
        );
    }
    println!("Try GET /api/v1/centres?near=50.98,10.32&open_now=true&step_free=true");
    let from = chrono::Utc::now().format("%Y-%m-%dT00:00:00Z");
    println!(
        "and GET /api/v1/occurrences?from={from}&to=<a date up to 93 days later>&near=50.98,10.32"
    );
    Ok(())
}

/// Fills an empty database with the demo town, all in one transaction; returns the staff
/// accounts it made.
pub async fn seed_demo_town(
    settings: Settings,
) -> Result<Vec<DemoAccount>, Box<dyn std::error::Error>> {
    prepare_database(&settings, settings.migrate_on_start).await?;
    let pool = build_pool(&settings.database_url, &settings.pool)?;
    let mut conn = pool::get(&pool).await?;
    if quartier_persistence::database::holds_directory_data(&mut conn).await? {
        return Err("the database already holds districts, operators or centres; seed-demo fills only an empty one \
                    (use a new DATABASE_URL, or drop the database first)"
            .into());
    }
    // Everything that can fail outside the database happens before the transaction.
    let passwords = Passwords::new(2)?;
    let mut accounts = Vec::new();
    let mut hashes = Vec::new();
    for (operator, _, slug) in OPERATORS {
        for (local, role) in [
            ("leitung", StaffRole::OperatorAdmin),
            ("koordination", StaffRole::Coordinator),
        ] {
            let password = random_password();
            hashes.push(passwords.hash(&password).await?);
            accounts.push(DemoAccount {
                email: format!("{local}@{slug}.auenstadt.example"),
                password,
                role: role.as_str(),
                operator,
            });
        }
    }
    let slugs = DISTRICTS
        .iter()
        .map(|(name, _, _)| quartier_domain::Slug::from_name(name))
        .collect::<Result<Vec<_>, _>>()?;
    let horizon = settings.occurrence_horizon;
    let volunteer_password = random_password();
    let volunteer_hash = passwords.hash(&volunteer_password).await?;
    conn.transaction::<_, quartier_persistence::Error, _>(async |conn| {
        let (centre_ids, operators) = write_town(conn, &slugs, &accounts, &hashes).await?;
        let activities = write_activities(conn, &centre_ids, horizon).await?;
        write_volunteering(conn, &activities, &operators, &volunteer_hash).await
    })
    .await?;
    accounts.push(DemoAccount {
        email: format!("ehrenamt-1..{VOLUNTEERS}@auenstadt.example"),
        password: volunteer_password,
        role: "volunteer",
        operator: "(all volunteers share this password)",
    });
    Ok(accounts)
}

async fn write_town(
    conn: &mut AsyncPgConnection,
    slugs: &[quartier_domain::Slug],
    accounts: &[DemoAccount],
    hashes: &[String],
) -> quartier_persistence::Result<(Vec<Uuid>, Vec<(Uuid, Vec<Uuid>)>)> {
    let other = |what: &str| quartier_persistence::Error::Other(format!("demo data: {what}"));
    let mut district_ids: Vec<(&str, Uuid)> = Vec::new();
    for ((name, parent, (latitude, longitude)), slug) in DISTRICTS.into_iter().zip(slugs) {
        let parent_id = parent.and_then(|p| {
            district_ids
                .iter()
                .find(|(n, _)| *n == p)
                .map(|(_, id)| *id)
        });
        let new = NewDistrict {
            id: Uuid::now_v7(),
            name,
            slug: slug.as_str(),
            town: TOWN,
            parent_id,
            latitude: Some(latitude),
            longitude: Some(longitude),
        };
        district_ids.push((name, districts::insert(conn, &new).await?.id));
    }
    let mut operator_ids = Vec::new();
    let mut centre_ids = Vec::new();
    for (n, (name, kind, slug)) in OPERATORS.into_iter().enumerate() {
        let website = format!("https://{slug}.auenstadt.example");
        let email = format!("kontakt@{slug}.auenstadt.example");
        let new = NewOperator {
            id: Uuid::now_v7(),
            name,
            kind,
            description: "",
            website: Some(&website),
            contact_email: Some(&email),
            contact_phone: Some("+49 3621 12345"),
        };
        let operator_id = operators::insert(conn, &new).await?.id;
        let mut staff = Vec::new();
        for (account, hash) in accounts.iter().zip(hashes).skip(2 * n).take(2) {
            let title = if account.role == StaffRole::OperatorAdmin.as_str() {
                "Leitung"
            } else {
                "Koordination"
            };
            let user = users::insert(
                conn,
                &NewUser {
                    id: Uuid::now_v7(),
                    email: &account.email,
                    display_name: &format!("{title} {}", short_name(name)),
                    password_hash: hash,
                    role: Role::Member.as_str(),
                    privacy_consent_at: chrono::Utc::now(),
                    privacy_policy_version: None,
                },
            )
            .await?
            .ok_or_else(|| other("a demo account exists already"))?;
            operators::add_member(conn, operator_id, user.id, account.role, &[]).await?;
            staff.push(user.id);
        }
        operator_ids.push((operator_id, staff));
    }
    for (
        operator,
        district,
        name,
        kind,
        description,
        (latitude, longitude),
        languages,
        access,
        saturday,
    ) in CENTRES
    {
        let (operator_id, staff) = &operator_ids[operator];
        let district_id = district_ids
            .iter()
            .find(|(n, _)| *n == district)
            .map(|(_, id)| *id)
            .ok_or_else(|| other("unknown district"))?;
        let languages: Vec<String> = languages.iter().map(|l| (*l).to_owned()).collect();
        let new = NewCentre {
            id: Uuid::now_v7(),
            operator_id: *operator_id,
            district_id,
            name,
            kind,
            description,
            street: "Auenweg 1",
            postcode: "99867",
            town: TOWN,
            latitude,
            longitude,
            phone: Some("+49 3621 23456"),
            email: None,
            languages: &languages,
            step_free: access[0],
            accessible_toilet: access[1],
            hearing_loop: access[2],
            disabled_parking: access[3],
            accessibility_notes: "",
            contact_user_id: staff.get(1).copied(),
            contact_role: Some("Quartiersmanagement"),
            status: "active",
        };
        let centre_id = centres::insert(conn, &new).await?.id;
        centre_ids.push(centre_id);
        centres::replace_opening_hours(conn, centre_id, None, &week(saturday))
            .await?
            .map_err(|refusal| other(&format!("{refusal:?}")))?;
    }
    Ok((centre_ids, operator_ids))
}

/// A demo activity: title, category, target groups, languages, cost in cents, description.
struct ActivitySeed {
    title: &'static str,
    category: &'static str,
    groups: &'static [&'static str],
    languages: &'static [&'static str],
    cost_cents: Option<i32>,
    description: &'static str,
    status: &'static str,
}

const COFFEE_TABLE: ActivitySeed = ActivitySeed {
    title: "Kaffeetisch für Nachbarinnen und Nachbarn",
    category: "coffee_table",
    groups: &["seniors", "adults"],
    languages: &["de"],
    cost_cents: Some(150),
    description: "Kaffee, selbstgebackener Kuchen und Zeit für Gespräche. Neue Gesichter sind willkommen.",
    status: "published",
};

const PLAY_GROUP: ActivitySeed = ActivitySeed {
    title: "Spielgruppe für Kleinkinder",
    category: "play_group",
    groups: &["children", "families"],
    languages: &["de", "tr", "ar"],
    cost_cents: None,
    description: "Spielen, Singen und Austausch für Eltern mit Kindern von einem bis drei Jahren.",
    status: "published",
};

const INFO_EVENING: ActivitySeed = ActivitySeed {
    title: "Infoabend: Rund ums Wohnen im Quartier",
    category: "information_event",
    groups: &["adults"],
    languages: &["de", "en"],
    cost_cents: None,
    description: "Mietrecht, Nebenkosten, Nachbarschaft: jeden Monat ein Thema mit Fachleuten und Zeit für Fragen.",
    status: "published",
};

const OPEN_MEETUP: ActivitySeed = ActivitySeed {
    title: "Offener Treff",
    category: "open_meetup",
    groups: &["all_generations"],
    languages: &["de"],
    cost_cents: None,
    description: "Einfach vorbeikommen: Spiele, Zeitungen, Tee und Kaffee, Beratung nach Bedarf.",
    status: "published",
};

const FESTIVAL: ActivitySeed = ActivitySeed {
    title: "Sommerfest im Quartier",
    category: "project",
    groups: &["all_generations"],
    languages: &["de", "tr", "ar", "uk"],
    cost_cents: None,
    description: "Musik, Essen aus aller Welt, Flohmarkt und Spiele für Kinder.",
    status: "published",
};

const SEWING_CAFE: ActivitySeed = ActivitySeed {
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
async fn write_activities(
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

/// How many volunteer accounts the demo makes.
const VOLUNTEERS: usize = 40;

const FIRST_NAMES: [&str; 20] = [
    "Helga", "Ahmet", "Svetlana", "Jonas", "Fatma", "Klaus", "Mira", "Olena", "Peter", "Ayşe",
    "Lukas", "Ingrid", "Samir", "Greta", "Tomasz", "Leonie", "Hasan", "Ruth", "Nikolai", "Emma",
];

const LAST_NAMES: [&str; 10] = [
    "Schmidt", "Yılmaz", "Petrenko", "Weber", "Kaya", "Müller", "Nowak", "Fischer", "Haddad",
    "Becker",
];

/// Volunteers (ten with an inspected police certificate, three with an expired one, some with
/// the food hygiene instruction), shifts on the activities' coming dates, and sign-ups for the
/// next weeks — some shifts full with a waitlist.
async fn write_volunteering(
    conn: &mut AsyncPgConnection,
    activities: &[(Uuid, &'static str)],
    operators: &[(Uuid, Vec<Uuid>)],
    password_hash: &str,
) -> quartier_persistence::Result<()> {
    use chrono::{Duration, Utc};
    use quartier_persistence::qualifications::{self, Inspection};
    use quartier_persistence::shifts::{self, NewShift};
    use quartier_persistence::signups;

    let other = |what: &str| quartier_persistence::Error::Other(format!("demo data: {what}"));
    let now = Utc::now();
    let today = now.date_naive();
    let (operator_id, staff) = operators.first().ok_or_else(|| other("no operator"))?;
    let inspector = *staff.first().ok_or_else(|| other("no staff"))?;
    let (police, food) = (
        qualifications::POLICE_CERTIFICATE,
        qualifications::FOOD_HYGIENE,
    );
    let mut volunteers = Vec::new();
    for n in 0..VOLUNTEERS {
        let name = format!(
            "{} {}",
            FIRST_NAMES[n % FIRST_NAMES.len()],
            LAST_NAMES[(n * 7) % LAST_NAMES.len()]
        );
        let user = users::insert(
            conn,
            &NewUser {
                id: Uuid::now_v7(),
                email: &format!("ehrenamt-{}@auenstadt.example", n + 1),
                display_name: &name,
                password_hash,
                role: Role::Member.as_str(),
                privacy_consent_at: now,
                privacy_policy_version: None,
            },
        )
        .await?
        .ok_or_else(|| other("a demo volunteer exists already"))?;
        let inspected = |type_id, issued: chrono::NaiveDate, expires| Inspection {
            user_id: user.id,
            type_id,
            issued_on: issued,
            inspected_on: issued + Duration::days(10),
            inspected_by: inspector,
            inspected_for: *operator_id,
            expires_on: expires,
        };
        if n < 10 {
            let issued = today - Duration::days(200 + 60 * n as i64);
            let expires = issued.checked_add_months(chrono::Months::new(60));
            qualifications::inspect(conn, &inspected(police, issued, expires)).await?;
        } else if n < 13 {
            let issued = today - Duration::days(6 * 366);
            let expires = issued.checked_add_months(chrono::Months::new(60));
            qualifications::inspect(conn, &inspected(police, issued, expires)).await?;
        }
        if (5..20).contains(&n) {
            qualifications::inspect(conn, &inspected(food, today - Duration::days(90), None))
                .await?;
        }
        volunteers.push(user.id);
    }
    let mut coffee_shifts = Vec::new();
    for (activity_id, category) in activities {
        let (title, capacity, required, skills): (&str, i32, &[Uuid], &[&str]) = match *category {
            "coffee_table" => ("Kuchen backen und aufbauen", 2, &[], &["baking"]),
            "play_group" => ("Spielgruppe begleiten", 1, &[police], &["childcare"]),
            "project" => ("Grillstand", 4, &[food], &["cooking"]),
            _ => continue,
        };
        let skills: Vec<String> = skills.iter().map(|s| (*s).to_owned()).collect();
        let centre_id = quartier_persistence::activities::find(conn, *activity_id)
            .await?
            .map(|a| a.activity.centre_id)
            .ok_or_else(|| other("activity without centre"))?;
        let operator = quartier_persistence::centres::find(conn, centre_id)
            .await?
            .map(|c| c.centre.operator_id)
            .unwrap_or(*operator_id);
        let template = NewShift {
            centre_id,
            occurrence_id: None,
            title,
            description: "",
            starts_at: now,
            ends_at: now,
            capacity,
            min_age_note: None,
            required,
            skills: &skills,
            external_id: None,
        };
        let ids = shifts::create_for_occurrences(
            conn,
            *activity_id,
            now,
            &template,
            (Duration::minutes(-30), Duration::zero()),
            operator,
        )
        .await?;
        if *category == "coffee_table" {
            coffee_shifts.extend(ids.into_iter().take(6));
        }
    }
    // The next weeks' coffee tables: most full, some with people waiting.
    for (n, shift_id) in coffee_shifts.iter().enumerate() {
        let wanted = 1 + n % 4;
        for k in 0..wanted {
            let volunteer = volunteers[(n * 3 + k) % volunteers.len()];
            // A volunteer busy elsewhere at that time is simply refused; the demo goes on.
            let _ = signups::sign_up(conn, *shift_id, volunteer, Some(volunteer), now).await;
        }
    }
    Ok(())
}

/// Monday to Friday 9–12 and 14–17 (Wednesday afternoon closed), Saturday 10–14 for some;
/// closed over Christmas and New Year.
fn week(saturday: bool) -> centres::Hours {
    let t = |h: u32| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
    let mut weekly = Vec::new();
    for day in 1..=5 {
        weekly.push((day, t(9), t(12)));
        if day != 3 {
            weekly.push((day, t(14), t(17)));
        }
    }
    if saturday {
        weekly.push((6, t(10), t(14)));
    }
    let closures = [(12, 24), (12, 25), (12, 26), (12, 31)]
        .into_iter()
        .filter_map(|(m, d)| NaiveDate::from_ymd_opt(2026, m, d))
        .chain(NaiveDate::from_ymd_opt(2027, 1, 1))
        .map(|date| (date, "Feiertage".to_owned()))
        .collect();
    (weekly, closures)
}

fn short_name(operator: &str) -> &str {
    operator.split([',', ' ']).next().unwrap_or(operator)
}

/// 16 letters and digits, for printed demo passwords.
fn random_password() -> String {
    const CHARS: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..16)
        .map(|_| CHARS[rand::random_range(0..CHARS.len())] as char)
        .collect()
}
