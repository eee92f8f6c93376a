//! The demo volunteers, their shifts and sign-ups.

use super::*;

/// How many volunteer accounts the demo makes.
pub(super) const VOLUNTEERS: usize = 40;

pub(super) const FIRST_NAMES: [&str; 20] = [
    "Helga", "Ahmet", "Svetlana", "Jonas", "Fatma", "Klaus", "Mira", "Olena", "Peter", "Ayşe",
    "Lukas", "Ingrid", "Samir", "Greta", "Tomasz", "Leonie", "Hasan", "Ruth", "Nikolai", "Emma",
];

pub(super) const LAST_NAMES: [&str; 10] = [
    "Schmidt", "Yılmaz", "Petrenko", "Weber", "Kaya", "Müller", "Nowak", "Fischer", "Haddad",
    "Becker",
];

/// Volunteers (ten with an inspected police certificate, three with an expired one, some with
/// the food hygiene instruction), shifts on the activities' coming dates, and sign-ups for the
/// next weeks — some shifts full with a waitlist.
pub(super) async fn write_volunteering(
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
                language: "de",
                // Made by an administrator or for a demonstration: no mail to prove it.
                email_verified_at: Some(chrono::Utc::now()),
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
            operator_id: *operator_id,
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
