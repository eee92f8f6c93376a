//! The demo town: fills an empty database once, and everything in it works.

use quartier_api::seed::seed_demo_town;
use quartier_tests::TestApp;

#[actix_web::test]
async fn the_demo_town_fills_an_empty_database_once() {
    let app = TestApp::spawn().await;

    let accounts = seed_demo_town(app.settings.clone()).await.expect("seed");
    let again = seed_demo_town(app.settings.clone()).await;

    assert_eq!(app.count("districts", "true").await, 9);
    assert_eq!(app.count("districts", "parent_id IS NOT NULL").await, 4);
    assert_eq!(app.count("operators", "true").await, 5);
    assert_eq!(
        app.count("operator_members", "role = 'operator_admin'")
            .await,
        5
    );
    assert_eq!(app.count("centres", "true").await, 15);
    assert_eq!(app.count("centres", "contact_user_id IS NULL").await, 0);
    assert!(app.count("centre_opening_hours", "true").await >= 15 * 9);
    assert_eq!(
        accounts.len(),
        11,
        "ten staff accounts and the volunteers' line"
    );
    let message = again.expect_err("refuses a filled database").to_string();
    assert!(message.contains("empty"), "{message}");
    assert_eq!(
        app.count("centres", "true").await,
        15,
        "nothing added the second time"
    );

    let boss = accounts
        .iter()
        .find(|a| a.role == "operator_admin")
        .expect("an operator admin");
    assert_eq!(app.login(&boss.email, &boss.password).await.status, 200);
    // A weekday morning in winter: 10:00 local, step-free, near the market square.
    let found = app
        .get("/api/v1/centres?near=50.98,10.32&radius_km=3&step_free=true&open_at=2026-11-24T09:00:00Z", None)
        .await;
    let items = found.json()["items"].as_array().expect("items").clone();
    assert!(items.len() >= 5, "{items:?}");
    assert!(
        items
            .iter()
            .all(|c| c["accessibility"]["step_free"] == true)
    );

    // A year of activities: weekly, fortnightly, monthly and once, some dates cancelled.
    assert_eq!(app.count("activities", "true").await, 15 * 2 + 3 + 3);
    assert_eq!(app.count("activities", "status = 'draft'").await, 3);
    assert_eq!(app.count("activities", "schedule_kind = 'once'").await, 3);
    let weekly = app
        .count(
            "occurrences o JOIN activities a ON a.id = o.activity_id",
            "a.title = 'Offener Treff'",
        )
        .await;
    assert!((15 * 52..=15 * 53).contains(&weekly), "{weekly}");
    assert!(
        app.count("occurrences", "cancellation_reason = 'Weihnachtspause'")
            .await
            >= 15
    );
    assert!(
        app.count(
            "occurrences",
            "cancellation_reason = 'Die Leitung ist verhindert.'"
        )
        .await
            >= 5
    );
    // Both switches lie inside the year: 15:00 local is 14:00 UTC in winter, 13:00 in summer.
    let hours = |utc: &'static str| {
        let app = &app;
        async move {
            app.count(
                "occurrences o JOIN activities a ON a.id = o.activity_id",
                &format!("a.category = 'coffee_table' AND to_char(o.starts_at AT TIME ZONE 'UTC', 'HH24:MI') = '{utc}'"),
            )
            .await
        }
    };
    assert!(hours("14:00").await > 0 && hours("13:00").await > 0);
    assert_eq!(
        app.count(
            "occurrences o JOIN activities a ON a.id = o.activity_id",
            "a.category = 'coffee_table' AND to_char(o.starts_at AT TIME ZONE 'Europe/Berlin', 'HH24:MI') <> '15:00'"
        )
        .await,
        0
    );
    let from = chrono::Utc::now();
    let to = from + chrono::Duration::days(14);
    let whats_on = app
        .get(
            &format!(
                "/api/v1/occurrences?from={}&to={}&near=50.98,10.32&radius_km=3&limit=100",
                from.format("%Y-%m-%dT%H:%M:%SZ"),
                to.format("%Y-%m-%dT%H:%M:%SZ")
            ),
            None,
        )
        .await;
    assert_eq!(whats_on.status, 200);
    let items = whats_on.json()["items"].as_array().expect("items").clone();
    assert!(items.len() >= 10, "{}", items.len());
    assert!(
        items.iter().all(|o| o["title"] != "Nähcafé (in Planung)"),
        "drafts are not public"
    );

    // Volunteers, their certificates, shifts on the coming dates, sign-ups with waitlists.
    assert_eq!(app.count("users", "email LIKE 'ehrenamt-%'").await, 40);
    let police = "type_id = '00000000-0000-7000-8000-000000000001'";
    assert_eq!(
        app.count(
            "qualification_verifications",
            &format!("{police} AND expires_on > now()")
        )
        .await,
        10
    );
    assert_eq!(
        app.count(
            "qualification_verifications",
            &format!("{police} AND expires_on <= now()")
        )
        .await,
        3
    );
    assert!(app.count("shifts", "title = 'Spielgruppe begleiten'").await >= 100);
    assert!(
        app.count("shifts", "confirmed_count = capacity").await >= 3,
        "full shifts"
    );
    assert!(
        app.count("signups", "status = 'waitlisted'").await >= 3,
        "with waitlists"
    );
    assert_eq!(
        app.count(
            "shifts",
            "confirmed_count <> (SELECT count(*) FROM signups s WHERE s.shift_id = shifts.id AND s.status = 'confirmed')"
        )
        .await,
        0,
        "the counters agree with the sign-ups"
    );
    let volunteers = accounts
        .iter()
        .find(|a| a.role == "volunteer")
        .expect("volunteers");
    assert_eq!(
        app.login("ehrenamt-1@auenstadt.example", &volunteers.password)
            .await
            .status,
        200
    );
}

/// A fingerprint of every sign-up: ids, shift, volunteer, status.
async fn signups_digest(app: &TestApp) -> String {
    use diesel::sql_types::Text;
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Digest {
        #[diesel(sql_type = Text)]
        digest: String,
    }
    let row: Digest = diesel::sql_query(
        "SELECT md5(string_agg(id::text || shift_id::text || user_id::text || status, ',' ORDER BY id)) AS digest FROM signups",
    )
    .get_result(&mut app.conn().await)
    .await
    .expect("digest");
    row.digest
}

#[actix_web::test]
async fn the_benchmark_data_is_consistent_and_the_same_for_the_same_seed() {
    let first = TestApp::spawn().await;
    let made = quartier_api::seed_bench::seed_bench_data(&first.settings, 0.01, 7)
        .await
        .expect("seed");
    let count = |table: &str| made.iter().find(|(t, _)| *t == table).map(|(_, n)| *n);
    assert_eq!(count("activities"), Some(80));
    assert_eq!(count("centres"), Some(4));
    assert!(
        count("occurrences").is_some_and(|n| n > 80 * 20),
        "{made:?}"
    );
    assert!(count("signups").is_some_and(|n| n > 1000), "{made:?}");
    // Concerns for the benchmark's concern list and `similar`: published ones are public.
    assert_eq!(count("concerns"), Some(200));
    let listed = first.get("/api/v1/concerns?limit=100", None).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()["items"].as_array().map(Vec::len), Some(100));
    let similar = first
        .get("/api/v1/concerns/similar?title=Bank%20Spielplatz", None)
        .await;
    assert_eq!(similar.status, 200);
    assert!(
        similar.json()["items"][0]["concern"]["title"]
            .as_str()
            .is_some_and(|t| t.starts_with("Sitzbank am Spielplatz")),
        "{}",
        String::from_utf8_lossy(&similar.body)
    );
    // The rules hold in the data: counts match, waitlists only where full.
    assert_eq!(
        first
            .count(
                "shifts s",
                "confirmed_count <> (SELECT count(*) FROM signups g WHERE g.shift_id = s.id AND g.status = 'confirmed')"
            )
            .await,
        0
    );
    assert_eq!(
        first
            .count(
                "shifts s",
                "confirmed_count < capacity AND EXISTS (SELECT 1 FROM signups g WHERE g.shift_id = s.id AND g.status = 'waitlisted')"
            )
            .await,
        0
    );
    assert!(first.count("signups", "status = 'waitlisted'").await > 0);
    assert!(first.count("shifts", "confirmed_count < capacity").await > 0);
    // Accounts can sign in with the documented password.
    let login = first
        .login(
            "freiwillig-1@bench.example",
            quartier_api::seed_bench::BENCH_PASSWORD,
        )
        .await;
    assert_eq!(login.status, 200);
    // A second run refuses; another database with the same seed gets the same data.
    assert!(
        quartier_api::seed_bench::seed_bench_data(&first.settings, 0.01, 7)
            .await
            .is_err()
    );
    let second = TestApp::spawn().await;
    quartier_api::seed_bench::seed_bench_data(&second.settings, 0.01, 7)
        .await
        .expect("seed");
    assert_eq!(signups_digest(&first).await, signups_digest(&second).await);
}
