//! Mail to volunteers about their shifts, through a real SMTP server: confirmations with
//! calendar invitations, cancellations, moved shifts, reminders, preferences, one-click
//! unsubscribe, messages from staff, and the failures staff see.

use actix_web::http::Method;
use chrono::{DateTime, Duration, TimeZone as _, Utc};
use chrono_tz::Europe::Berlin;
use quartier_tests::{
    ReceivedMail, Setup, SmtpSink, TestApp, TestUser, id_of, patch, post, setup, shift, sign_up,
};
use serde_json::{Value, json};

/// The application mailing to `sink`, fanning events out and sending every 50 ms.
async fn app_mailing_to(sink: &SmtpSink) -> TestApp {
    TestApp::mailing_to(sink, &[]).await
}

/// 15:00 in Berlin, `days` from today: never in the quiet hours, whatever the time now.
fn afternoon(days: i64) -> DateTime<Utc> {
    let date = (Utc::now().with_timezone(&Berlin) + Duration::days(days)).date_naive();
    Berlin
        .from_local_datetime(&date.and_hms_opt(15, 0, 0).expect("a time"))
        .earliest()
        .expect("15:00 exists")
        .with_timezone(&Utc)
}

async fn afternoon_shift(
    app: &TestApp,
    s: &Setup,
    title: &str,
    days: i64,
    capacity: i64,
) -> String {
    let starts_at = afternoon(days);
    shift(
        app,
        s,
        title,
        0,
        capacity,
        json!({"starts_at": starts_at, "ends_at": starts_at + Duration::hours(2)}),
    )
    .await
}

fn mails_with(sink: &SmtpSink, address: &str, subject_start: &str) -> Vec<ReceivedMail> {
    sink.to(address)
        .into_iter()
        .filter(|m| m.subject().starts_with(subject_start))
        .collect()
}

/// Waits until every event has been told and every due notification matching `condition`
/// has left the queue.
async fn settled(app: &TestApp, condition: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let queued = format!("({condition}) AND state = 'queued' AND due_at <= now()");
    while app.count("outbox_events", "published_at IS NULL").await > 0
        || app.count("notifications", &queued).await > 0
    {
        if std::time::Instant::now() > deadline {
            let rows = app
                .texts(
                    "SELECT kind || ' ' || state || ' ' || attempts || ' ' \
                     || coalesce(last_error, '-') || ' due ' || (due_at <= now()) AS text \
                     FROM notifications",
                )
                .await;
            let events = app.count("outbox_events", "published_at IS NULL").await;
            panic!("{condition} still queued ({events} events not told): {rows:#?}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Makes every queued reminder due now.
async fn reminders_due_now(app: &TestApp) {
    use diesel_async::RunQueryDsl;
    diesel::sql_query(
        "UPDATE notifications SET due_at = now() WHERE kind = 'shift_reminder' AND state = 'queued'",
    )
    .execute(&mut app.conn().await)
    .await
    .expect("reminders due");
}

fn signup_of(answer: &quartier_tests::TestResponse) -> String {
    id_of(answer)
}

#[actix_web::test]
async fn a_sign_up_three_days_ahead_is_confirmed_with_an_invitation_and_reminded_once() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let s = setup(&app).await;
    let shift_id = afternoon_shift(&app, &s, "Kaffeetafel", 3, 5).await;
    let volunteer = app.signed_up("vera@example.org").await;
    let signed = sign_up(&app, &volunteer.access_token, &shift_id).await;
    assert_eq!(signed.status, 201);

    let mail = sink.mail_with("vera@example.org", "Sie sind dabei").await;
    assert_eq!(mail.subject(), "Sie sind dabei: Kaffeetafel");
    assert_eq!(mail.header("auto-submitted"), Some("auto-generated"));
    assert!(
        mail.text()
            .contains("Bürgerhaus, Marktplatz 1, 44135 Musterstadt")
    );
    assert!(mail.text().contains("15:00–17:00 Uhr"), "{}", mail.text());
    assert!(mail.content_types.iter().any(|t| t == "multipart/mixed"));
    assert_eq!(mail.calendars.len(), 1);
    let calendar = &mail.calendars[0];
    assert!(calendar.contains("METHOD:REQUEST"), "{calendar}");
    assert!(calendar.contains(&format!("UID:shift-{shift_id}@quartier")));
    assert!(calendar.contains("ORGANIZER:mailto:quartier@nordstadt.example"));
    assert!(calendar.contains("mailto:vera@example.org"));
    assert!(calendar.contains("DTSTART;TZID=Europe/Berlin:"));
    assert!(
        mail.header("list-unsubscribe").is_none(),
        "a confirmation cannot be switched off"
    );

    // Exactly one reminder, due 24 hours before the start.
    let due = app
        .texts(
            "SELECT to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS text \
               FROM notifications WHERE kind = 'shift_reminder'",
        )
        .await;
    let expected = (afternoon(3) - Duration::hours(24))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    assert_eq!(due, [expected]);
    assert_eq!(
        app.count(
            "notifications",
            "kind = 'shift_reminder' AND state = 'queued'"
        )
        .await,
        1
    );

    reminders_due_now(&app).await;
    let reminder = sink.mail_with("vera@example.org", "Erinnerung").await;
    assert_eq!(reminder.subject(), "Erinnerung: Kaffeetafel");
    settled(&app, "kind = 'shift_reminder'").await;
    assert_eq!(mails_with(&sink, "vera@example.org", "Erinnerung").len(), 1);
}

#[actix_web::test]
async fn a_cancelled_sign_up_is_taken_out_of_the_calendar_and_its_reminder_skipped() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let s = setup(&app).await;
    let shift_id = afternoon_shift(&app, &s, "Spielgruppe", 3, 5).await;
    let volunteer = app.signed_up("wanda@example.org").await;
    let signup = signup_of(&sign_up(&app, &volunteer.access_token, &shift_id).await);
    sink.mail_with("wanda@example.org", "Sie sind dabei").await;
    let cancelled = post(
        &app,
        &volunteer.access_token,
        &format!("/api/v1/signups/{signup}/cancel"),
        json!(null),
    )
    .await;
    assert!(
        cancelled.status < 300,
        "{}",
        String::from_utf8_lossy(&cancelled.body)
    );
    let mail = sink.mail_with("wanda@example.org", "Abgesagt").await;
    assert!(mail.text().contains("Ihre Anmeldung ist storniert."));
    assert!(mail.calendars[0].contains("METHOD:CANCEL"));
    assert!(mail.calendars[0].contains(&format!("UID:shift-{shift_id}@quartier")));

    reminders_due_now(&app).await;
    settled(&app, "kind = 'shift_reminder'").await;
    assert_eq!(
        app.count(
            "notifications",
            "kind = 'shift_reminder' AND state = 'skipped_obsolete'"
        )
        .await,
        1
    );
    assert!(mails_with(&sink, "wanda@example.org", "Erinnerung").is_empty());

    // Cancelled by staff: she is told who did it.
    let other = app.signed_up("walter@example.org").await;
    let signup = signup_of(&sign_up(&app, &other.access_token, &shift_id).await);
    sink.mail_with("walter@example.org", "Sie sind dabei").await;
    let by_staff = post(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/signups/{signup}/cancel"),
        json!(null),
    )
    .await;
    assert!(
        by_staff.status < 300,
        "{}",
        String::from_utf8_lossy(&by_staff.body)
    );
    let mail = sink.mail_with("walter@example.org", "Abgesagt").await;
    assert!(
        mail.text()
            .contains("Das Team des Zentrums hat Ihre Anmeldung storniert."),
        "{}",
        mail.text()
    );
}

#[actix_web::test]
async fn a_moved_shift_is_announced_and_reminded_once_at_its_new_time() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let s = setup(&app).await;
    let shift_id = afternoon_shift(&app, &s, "Repair-Café", 3, 5).await;
    let volunteer = app.signed_up("xenia@example.org").await;
    assert_eq!(
        sign_up(&app, &volunteer.access_token, &shift_id)
            .await
            .status,
        201
    );
    sink.mail_with("xenia@example.org", "Sie sind dabei").await;

    let new_start = afternoon(4);
    let moved = patch(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/shifts/{shift_id}"),
        json!({"starts_at": new_start, "ends_at": new_start + Duration::hours(2)}),
    )
    .await;
    assert_eq!(
        moved.status,
        200,
        "{}",
        String::from_utf8_lossy(&moved.body)
    );
    let mail = sink.mail_with("xenia@example.org", "Neue Zeit").await;
    assert!(mail.text().contains("neu: "), "{}", mail.text());
    assert!(mail.text().contains("bisher: "));
    assert!(mail.calendars[0].contains("METHOD:REQUEST"));

    // A change that keeps the times tells nobody anything.
    let bigger = patch(
        &app,
        &s.coordinator.access_token,
        &format!("/api/v1/shifts/{shift_id}"),
        json!({"capacity": 8}),
    )
    .await;
    assert_eq!(bigger.status, 200);

    reminders_due_now(&app).await;
    settled(&app, "true").await;
    assert_eq!(mails_with(&sink, "xenia@example.org", "Neue Zeit").len(), 1);
    let states = app
        .texts("SELECT state AS text FROM notifications WHERE kind = 'shift_reminder' ORDER BY created_at")
        .await;
    assert_eq!(states, ["skipped_obsolete", "sent"]);
    let reminders = mails_with(&sink, "xenia@example.org", "Erinnerung");
    assert_eq!(reminders.len(), 1);
    let expected = super::shift_mail::local_day(new_start);
    assert!(
        reminders[0].text().contains(&expected),
        "{}",
        reminders[0].text()
    );
}

/// How a mail names the day of `at` ("12. Dezember 2026").
pub fn local_day(at: DateTime<Utc>) -> String {
    const MONTHS: [&str; 12] = [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ];
    use chrono::Datelike as _;
    let local = at.with_timezone(&Berlin);
    format!(
        "{}. {} {}",
        local.day(),
        MONTHS[local.month0() as usize],
        local.year()
    )
}

#[actix_web::test]
async fn a_reminder_switched_off_is_skipped_while_transactional_mail_still_goes() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let s = setup(&app).await;
    let shift_id = afternoon_shift(&app, &s, "Lesepaten", 3, 5).await;
    let volunteer = app.signed_up("yara@example.org").await;
    let defaults = app
        .get(
            "/api/v1/me/notification-preferences",
            Some(&volunteer.access_token),
        )
        .await
        .json();
    assert_eq!(
        defaults,
        json!({"shift_reminder": {"delivery": "immediate", "lead_hours": 24},
               "help_wanted": {"delivery": "off"},
               "staff_summary": {"delivery": "daily_digest"}})
    );
    assert_eq!(
        sign_up(&app, &volunteer.access_token, &shift_id)
            .await
            .status,
        201
    );
    sink.mail_with("yara@example.org", "Sie sind dabei").await;

    let off = app
        .json(
            Method::PUT,
            "/api/v1/me/notification-preferences",
            Some(&volunteer.access_token),
            &[],
            &json!({"shift_reminder": {"delivery": "off", "lead_hours": 2}}),
        )
        .await;
    assert_eq!(off.status, 200);
    assert_eq!(off.json()["shift_reminder"]["delivery"], "off");
    for bad in [
        json!({"shift_reminder": {"delivery": "daily_digest", "lead_hours": 24}}),
        json!({"shift_reminder": {"delivery": "off", "lead_hours": 5}}),
    ] {
        app.json(
            Method::PUT,
            "/api/v1/me/notification-preferences",
            Some(&volunteer.access_token),
            &[],
            &bad,
        )
        .await
        .assert_problem(422, "validation-failed");
    }
    reminders_due_now(&app).await;
    settled(&app, "true").await;
    assert_eq!(
        app.count(
            "notifications",
            "kind = 'shift_reminder' AND state = 'skipped_preference'"
        )
        .await,
        1
    );
    assert!(mails_with(&sink, "yara@example.org", "Erinnerung").is_empty());

    // A second sign-up while reminders are off: confirmed by mail, no reminder queued.
    let other = afternoon_shift(&app, &s, "Lesepaten II", 5, 5).await;
    assert_eq!(
        sign_up(&app, &volunteer.access_token, &other).await.status,
        201
    );
    settled(&app, "true").await;
    assert_eq!(
        mails_with(&sink, "yara@example.org", "Sie sind dabei").len(),
        2
    );
    assert_eq!(
        app.count("notifications", "kind = 'shift_reminder'").await,
        1
    );
}

#[actix_web::test]
async fn one_click_unsubscribe_switches_off_exactly_that_kind() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let s = setup(&app).await;
    let shift_id = afternoon_shift(&app, &s, "Nachbarschaftscafé", 3, 5).await;
    let volunteer = app.signed_up("zoe@example.org").await;
    assert_eq!(
        sign_up(&app, &volunteer.access_token, &shift_id)
            .await
            .status,
        201
    );
    sink.mail_with("zoe@example.org", "Sie sind dabei").await;
    reminders_due_now(&app).await;
    let reminder = sink.mail_with("zoe@example.org", "Erinnerung").await;
    assert_eq!(
        reminder.header("list-unsubscribe-post"),
        Some("List-Unsubscribe=One-Click")
    );
    let header = reminder
        .header("list-unsubscribe")
        .expect("List-Unsubscribe");
    let url = header.trim_start_matches('<').trim_end_matches('>');
    let prefix = "https://api.nordstadt.example";
    assert!(url.starts_with(prefix), "{url}");
    let path = &url[prefix.len()..];
    assert!(
        reminder
            .text()
            .contains("https://app.nordstadt.example/unsubscribe?token=")
    );

    // A link scanner's GET changes nothing.
    let scanned = app.get(path, None).await;
    assert_eq!(scanned.status, 405);

    let tampered = path.replace("shift_reminder", "signup_confirmed");
    app.send(Method::POST, &tampered, &[], None)
        .await
        .assert_problem(422, "link-invalid");
    let clicked = app
        .send(
            Method::POST,
            path,
            &[],
            Some((
                "application/x-www-form-urlencoded",
                b"List-Unsubscribe=One-Click".to_vec(),
            )),
        )
        .await;
    assert_eq!(
        clicked.status,
        200,
        "{}",
        String::from_utf8_lossy(&clicked.body)
    );
    assert_eq!(
        clicked.json(),
        json!({"kind": "shift_reminder", "delivery": "off"})
    );
    let now = app
        .get(
            "/api/v1/me/notification-preferences",
            Some(&volunteer.access_token),
        )
        .await
        .json();
    assert_eq!(now["shift_reminder"]["delivery"], "off");
    assert_eq!(now["shift_reminder"]["lead_hours"], 24, "the lead stays");
    assert_eq!(app.count("notification_preferences", "true").await, 1);
}

#[actix_web::test]
async fn staff_write_to_everyone_confirmed_on_a_shift() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let s = setup(&app).await;
    let shift_id = afternoon_shift(&app, &s, "Flohmarkt", 3, 1).await;
    let confirmed = app.signed_up("anton@example.org").await;
    let waiting = app.signed_up("berta@example.org").await;
    assert_eq!(
        sign_up(&app, &confirmed.access_token, &shift_id)
            .await
            .status,
        201
    );
    assert_eq!(
        sign_up(&app, &waiting.access_token, &shift_id).await.status,
        201
    );
    sink.mail_with("berta@example.org", "Auf der Warteliste")
        .await;

    let path = format!("/api/v1/shifts/{shift_id}/messages");
    let message = json!({"subject": "Aufbau ab 14:30", "body": "Hallo,\r\nbitte <früher> kommen."});
    post(&app, &confirmed.access_token, &path, message.clone())
        .await
        .assert_problem(403, "forbidden");
    post(
        &app,
        &s.other_coordinator.access_token,
        &path,
        message.clone(),
    )
    .await
    .assert_problem(403, "forbidden");
    post(
        &app,
        &s.coordinator.access_token,
        &path,
        json!({"subject": "", "body": "x"}),
    )
    .await
    .assert_problem(422, "validation-failed");
    let sent = post(&app, &s.coordinator.access_token, &path, message).await;
    assert_eq!(sent.status, 201, "{}", String::from_utf8_lossy(&sent.body));
    assert_eq!(sent.json()["recipients"], 1);
    assert_eq!(sent.json()["body"], "Hallo,\nbitte <früher> kommen.");

    let mail = sink.mail_with("anton@example.org", "Aufbau ab 14:30").await;
    assert!(mail.text().contains("bitte <früher> kommen."));
    assert!(mail.html().contains("bitte &lt;früher&gt; kommen."));
    settled(&app, "true").await;
    assert!(mails_with(&sink, "berta@example.org", "Aufbau").is_empty());
    assert_eq!(
        app.count("audit_events", "action = 'shift.message_sent'")
            .await,
        1
    );
    let told = app
        .get("/api/v1/me/notifications", Some(&confirmed.access_token))
        .await
        .json();
    assert_eq!(told["items"][0]["kind"], "shift_message");
}

#[actix_web::test]
async fn staff_see_the_mail_about_their_shifts_that_did_not_go_out() {
    let sink = SmtpSink::start();
    let app = app_mailing_to(&sink).await;
    let s = setup(&app).await;
    let shift_id = afternoon_shift(&app, &s, "Stadtteilfest", 3, 5).await;
    let volunteer: TestUser = app.signed_up("refuse-carl@example.org").await;
    assert_eq!(
        sign_up(&app, &volunteer.access_token, &shift_id)
            .await
            .status,
        201
    );
    settled(&app, "kind = 'signup_confirmed'").await;

    let path = format!("/api/v1/operators/{}/notification-failures", s.operator);
    app.get(&path, Some(&s.coordinator.access_token))
        .await
        .assert_problem(403, "forbidden");
    let failures = app.get(&path, Some(&s.admin.access_token)).await;
    assert_eq!(failures.status, 200);
    let items: Vec<Value> = failures.json()["items"].as_array().expect("items").clone();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["kind"], "signup_confirmed");
    assert_eq!(items[0]["delivery"], "failed");
    assert_eq!(items[0]["user_id"], volunteer.id.as_str());
    assert!(
        items[0]["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("550")
    );
    app.get(&path, Some(&s.other_coordinator.access_token))
        .await
        .assert_problem(403, "forbidden");
    let other = format!(
        "/api/v1/operators/{}/notification-failures",
        s.other_operator
    );
    let none = app.get(&other, Some(&s.admin.access_token)).await;
    assert_eq!(none.json()["items"], json!([]));
}

#[actix_web::test]
async fn a_bounce_reported_by_the_mail_system_shows_among_the_failures() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = TestApp::spawn_with(&[
        ("QUARTIER_SMTP_URL", url.as_str()),
        (
            "QUARTIER_MAIL_FROM",
            "Quartier <quartier@nordstadt.example>",
        ),
        ("QUARTIER_MAIL_POLL_MS", "50"),
        ("QUARTIER_WEBHOOK_POLL_MS", "50"),
        ("QUARTIER_BOUNCE_TOKEN", "a-long-bounce-secret-for-tests"),
    ])
    .await;
    let s = setup(&app).await;
    let shift_id = afternoon_shift(&app, &s, "Basar", 3, 2).await;
    let volunteer = app.signed_up("vera@example.org").await;
    assert_eq!(
        sign_up(&app, &volunteer.access_token, &shift_id)
            .await
            .status,
        201
    );
    let mail = sink.mail_with("vera@example.org", "Sie sind dabei").await;
    let message_id = mail.header("Message-ID").expect("a Message-ID").to_owned();
    let report =
        json!({"message_id": message_id, "permanent": true, "reason": "550 5.1.1 user unknown"});
    let path = format!("/api/v1/operators/{}/notification-failures", s.operator);

    // Without the secret, or with another: refused, and nothing changes.
    app.post("/api/v1/mail/bounces", &report)
        .await
        .assert_problem(401, "unauthenticated");
    let wrong = app
        .send(
            Method::POST,
            "/api/v1/mail/bounces",
            &[("x-bounce-token", "not-the-secret-at-all")],
            Some((
                "application/json",
                serde_json::to_vec(&report).expect("json"),
            )),
        )
        .await;
    wrong.assert_problem(401, "unauthenticated");
    assert_eq!(
        app.get(&path, Some(&s.admin.access_token)).await.json()["items"],
        json!([])
    );

    let taken = app
        .send(
            Method::POST,
            "/api/v1/mail/bounces",
            &[("x-bounce-token", "a-long-bounce-secret-for-tests")],
            Some((
                "application/json",
                serde_json::to_vec(&report).expect("json"),
            )),
        )
        .await;
    assert_eq!(taken.status, 202);
    let items = app.get(&path, Some(&s.admin.access_token)).await.json()["items"].clone();
    assert_eq!(items.as_array().map(Vec::len), Some(1), "{items}");
    assert_eq!(items[0]["delivery"], "bounced");
    assert_eq!(items[0]["last_error"], "550 5.1.1 user unknown");
}
