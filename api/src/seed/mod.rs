//! `quartier seed-demo`: a small invented German town to try Quartier with — districts, five
//! operators with staff, centres with opening hours, a year of activities. It refuses a
//! database that holds data.

mod activities;
mod town;
mod volunteering;

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

use activities::*;
use town::*;
use volunteering::*;

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
                    language: "de",
                    // Made by an administrator or for a demonstration: no mail to prove it.
                    email_verified_at: Some(chrono::Utc::now()),
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
        centres::replace_opening_hours(conn, centre_id, None, &week(saturday), None)
            .await?
            .map_err(|refusal| other(&format!("{refusal:?}")))?;
    }
    Ok((centre_ids, operator_ids))
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
