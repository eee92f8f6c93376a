//! The sign-up has two paths: one statement for the cases that decide nothing else (a free
//! place and nobody waiting, or no free place), and a transaction of steps for everything.
//! Both must place volunteers alike and write the same events: this runs the same sequence
//! of sign-ups through each path on twin shifts and compares rows and events.

use chrono::{DateTime, Utc};
use quartier_persistence::places;
use quartier_tests::{TestApp, setup, shift};
use serde_json::{Value, json};
use uuid::Uuid;

/// What a path did, with the shift's own ids and times taken out, so that twins compare.
#[derive(Debug, PartialEq)]
struct Outcome {
    statuses: Vec<(String, Option<i64>)>,
    confirmed_count: String,
    events: Vec<(String, Value)>,
}

async fn outcome(app: &TestApp, shift: &str, volunteers: &[String]) -> Outcome {
    let mut statuses = Vec::new();
    for volunteer in volunteers {
        let status = app
            .texts(&format!(
                "SELECT status FROM signups WHERE shift_id = '{shift}' AND user_id = '{volunteer}'"
            ))
            .await;
        let position = app
            .texts(&format!(
                "SELECT count(*) FROM signups w, signups s WHERE s.shift_id = '{shift}' AND s.user_id = '{volunteer}' \
                 AND s.status = 'waitlisted' AND w.shift_id = s.shift_id AND w.status = 'waitlisted' AND w.queued_at <= s.queued_at"
            ))
            .await;
        let position = position[0].parse::<i64>().expect("a count");
        statuses.push((status.join(","), (position > 0).then_some(position)));
    }
    let confirmed_count = app
        .texts(&format!(
            "SELECT confirmed_count FROM shifts WHERE id = '{shift}'"
        ))
        .await
        .join("");
    let starts_at: DateTime<Utc> = app
        .texts(&format!(
            "SELECT to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM shifts WHERE id = '{shift}'"
        ))
        .await[0]
        .parse()
        .expect("a time");
    let rows = app
        .texts(&format!(
            "SELECT kind || ' ' || payload FROM outbox_events \
             WHERE subject_id = '{shift}' OR subject_id IN (SELECT id FROM signups WHERE shift_id = '{shift}') \
             ORDER BY created_at, id"
        ))
        .await;
    let events = rows
        .iter()
        .filter(|row| !row.starts_with("shift.created "))
        .map(|row| {
            let (kind, payload) = row.split_once(' ').expect("kind and payload");
            let mut payload: Value = serde_json::from_str(payload).expect("json");
            let at: DateTime<Utc> = payload["starts_at"]
                .as_str()
                .expect("starts_at")
                .parse()
                .expect("RFC 3339");
            assert_eq!(at, starts_at, "{kind} names its shift's start");
            let object = payload.as_object_mut().expect("an object");
            for own in ["signup_id", "shift_id", "starts_at", "ends_at"] {
                object.remove(own);
            }
            (kind.to_owned(), payload)
        })
        .collect();
    Outcome {
        statuses,
        confirmed_count,
        events,
    }
}

#[actix_web::test]
async fn the_one_statement_and_the_steps_place_alike_and_tell_alike() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    // Twin shifts a day apart, so that one volunteer may hold a place on both.
    let one_statement = shift(&app, &s, "Theke", 30, 2, json!({})).await;
    let in_steps = shift(&app, &s, "Theke", 54, 2, json!({})).await;
    let volunteers: Vec<String> = app
        .volunteers(4)
        .await
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let now = Utc::now();
    let mut conn = app.conn().await;
    for volunteer in &volunteers {
        let volunteer = Uuid::parse_str(volunteer).expect("uuid");
        let at_once = places::sign_up(
            &mut conn,
            one_statement.parse().expect("uuid"),
            volunteer,
            Some(volunteer),
            now,
        )
        .await
        .expect("no database error")
        .expect("placed");
        let stepped = places::sign_up_in_steps(
            &mut conn,
            in_steps.parse().expect("uuid"),
            volunteer,
            Some(volunteer),
            now,
        )
        .await
        .expect("no database error")
        .expect("placed");
        assert_eq!(at_once.signup.status, stepped.signup.status);
        assert_eq!(at_once.position, stepped.position);
    }
    drop(conn);

    let a = outcome(&app, &one_statement, &volunteers).await;
    let b = outcome(&app, &in_steps, &volunteers).await;
    assert_eq!(a, b);
    // And what both did is right: two places, two waiting in order, one `shift.filled`.
    assert_eq!(
        a.statuses,
        [
            ("confirmed".to_owned(), None),
            ("confirmed".to_owned(), None),
            ("waitlisted".to_owned(), Some(1)),
            ("waitlisted".to_owned(), Some(2)),
        ]
    );
    assert_eq!(a.confirmed_count, "2");
    let kinds: Vec<&str> = a.events.iter().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "signup.confirmed",
            "signup.confirmed",
            "shift.filled",
            "signup.waitlisted",
            "signup.waitlisted"
        ]
    );
}
