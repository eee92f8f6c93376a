//! Webhooks end to end: events made through the API reach a receiver of the test's own,
//! signed the Standard Webhooks way (checked here with hmac/sha2, not with the app's code),
//! retried until taken, never across operators; subscriptions that fail too long are switched
//! off; URLs into our network are refused; only those who manage an operator's webhooks see
//! them; a ping is sent at once.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::http::{Method, StatusCode};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use quartier_tests::fixtures::{api_key, with_key};
use quartier_tests::{Setup, TestApp, TestResponse, id_of, post, setup, shift, sign_up};
use serde_json::{Value, json};
use sha2::Sha256;

/// Deliveries to the test's receiver on 127.0.0.1, looked for every 50 ms, retried after 1 s.
const FAST: [(&str, &str); 3] = [
    ("QUARTIER_WEBHOOK_ALLOW_LOOPBACK", "true"),
    ("QUARTIER_WEBHOOK_POLL_MS", "50"),
    ("QUARTIER_WEBHOOK_RETRY_SCHEDULE", "1s,1s,1s"),
];

/// One request the receiver took, and what it answered.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: Vec<u8>,
    answered: u16,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

#[derive(Debug)]
struct Inbox {
    received: Vec<Received>,
    /// The statuses for the next requests, in order; `otherwise` once they are used up.
    script: VecDeque<u16>,
    otherwise: u16,
}

/// A webhook receiver on a free port of 127.0.0.1: records every request and answers as
/// scripted. Stops when dropped.
#[derive(Debug)]
struct Receiver {
    url: String,
    inbox: Arc<Mutex<Inbox>>,
    server: ServerHandle,
}

impl Receiver {
    /// Answers `first` to the first requests, in order, then `otherwise` to every other.
    fn start(first: &[u16], otherwise: u16) -> Self {
        let inbox = Arc::new(Mutex::new(Inbox {
            received: Vec::new(),
            script: first.iter().copied().collect(),
            otherwise,
        }));
        let shared = web::Data::from(Arc::clone(&inbox));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .default_service(web::to(take))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(1)
        .bind("127.0.0.1:0")
        .expect("bind the receiver");
        let url = format!("http://{}/hooks/quartier", server.addrs()[0]);
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Self {
            url,
            inbox,
            server: handle,
        }
    }

    /// From now on answers `status` to every request.
    fn answer_from_now(&self, status: u16) {
        let mut inbox = self.lock();
        inbox.script.clear();
        inbox.otherwise = status;
    }

    fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    fn lock(&self) -> MutexGuard<'_, Inbox> {
        self.inbox.lock().expect("receiver state")
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        drop(self.server.stop(false));
    }
}

async fn take(
    inbox: web::Data<Mutex<Inbox>>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let mut inbox = inbox.lock().expect("receiver state");
    let status = inbox.script.pop_front().unwrap_or(inbox.otherwise);
    inbox.received.push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: body.to_vec(),
        answered: status,
    });
    HttpResponse::build(StatusCode::from_u16(status).expect("a status")).body("scripted answer")
}

/// Asserts that `received` carries a valid `v1` signature made with `secret` (`whsec_` +
/// base64 of the key) over `id.timestamp.body`, and a timestamp of about now.
#[track_caller]
fn assert_signed(secret: &str, received: &Received) {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("whsec_ prefix"))
        .expect("base64 key");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("any key length");
    mac.update(format!("{}.{}.", received.id, received.timestamp).as_bytes());
    mac.update(&received.body);
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    assert!(
        received.signature.split(' ').any(|s| s == expected),
        "signature {:?}, expected {expected}",
        received.signature
    );
    assert!(received.id.starts_with("msg_"), "{}", received.id);
    let sent: i64 = received.timestamp.parse().expect("unix seconds");
    let skew = (chrono::Utc::now().timestamp() - sent).abs();
    assert!(skew < 300, "timestamp {sent} is {skew} s off");
}

/// Waits until `check` holds, looking every 50 ms, for at most 20 s.
async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(Instant::now() < deadline, "gave up waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until every event is fanned out and no delivery waits for another attempt.
async fn settled(app: &TestApp) {
    wait_until(
        "every event is published and no delivery pending",
        || async {
            app.count("outbox_events", "published_at IS NULL").await == 0
                && app.count("webhook_deliveries", "status = 'pending'").await == 0
        },
    )
    .await;
}

/// The JSON body of `response`, once it is known to have `status`.
#[track_caller]
fn body_of(response: &TestResponse, status: u16) -> Value {
    let text = String::from_utf8_lossy(&response.body);
    assert_eq!(response.status, status, "{text}");
    response.json()
}

fn hooks(operator: &str) -> String {
    format!("/api/v1/operators/{operator}/webhooks")
}

/// Subscribes `url` to `events` for `operator`, as the administrator: id and secret.
async fn subscribe(
    app: &TestApp,
    s: &Setup,
    operator: &str,
    url: &str,
    events: Value,
) -> (String, String) {
    let body = json!({"url": url, "events": events});
    let created = body_of(
        &post(app, &s.admin.access_token, &hooks(operator), body).await,
        201,
    );
    let text = |field: &str| created[field].as_str().expect(field).to_owned();
    (text("id"), text("secret"))
}

/// Operator A's subscription `webhook`, as its administrator sees it.
async fn subscription(app: &TestApp, s: &Setup, webhook: &str) -> Value {
    let path = format!("{}/{webhook}", hooks(&s.operator));
    body_of(&app.get(&path, Some(&s.admin.access_token)).await, 200)
}

/// Switches operator A's `webhook` on or off with `If-Match: *`: the subscription.
async fn switch(app: &TestApp, s: &Setup, webhook: &str, active: bool) -> Value {
    let path = format!("{}/{webhook}", hooks(&s.operator));
    let token = Some(s.admin.access_token.as_str());
    let body = json!({"active": active});
    body_of(
        &app.json(Method::PATCH, &path, token, &[("if-match", "*")], &body)
            .await,
        200,
    )
}

/// The delivery log of operator A's `webhook`, newest first; `query` such as `status=failed`.
async fn deliveries(app: &TestApp, s: &Setup, webhook: &str, query: &str) -> Vec<Value> {
    let path = format!("{}/{webhook}/deliveries?{query}", hooks(&s.operator));
    let page = body_of(&app.get(&path, Some(&s.admin.access_token)).await, 200);
    page["items"].as_array().expect("items").clone()
}

/// Signs up a new volunteer for `shift`: the sign-up's id.
async fn new_signup(app: &TestApp, shift: &str) -> String {
    let (_, token) = app.volunteers(1).await.remove(0);
    id_of(&sign_up(app, &token, shift).await)
}

#[actix_web::test]
async fn a_sign_up_arrives_signed_and_is_retried_with_the_same_id_until_taken_once() {
    let app = TestApp::spawn_with(&FAST).await;
    let s = setup(&app).await;
    let receiver = Receiver::start(&[500], 200);
    let (webhook, secret) = subscribe(
        &app,
        &s,
        &s.operator,
        &receiver.url,
        json!(["signup.confirmed"]),
    )
    .await;
    let shift = shift(&app, &s, "Lesepatenschaft", 48, 3, json!({})).await;

    let signup = new_signup(&app, &shift).await;

    wait_until("the receiver took the event", || async {
        receiver.received().iter().any(|r| r.answered == 200)
    })
    .await;
    let received = receiver.received();
    assert_eq!(received.len(), 2, "one refused, one taken: {received:?}");
    assert_eq!(received[0].answered, 500);
    assert_eq!(
        received[0].id, received[1].id,
        "a retry keeps its webhook-id"
    );
    assert_eq!(
        received[0].body, received[1].body,
        "a retry sends the same body"
    );
    for request in &received {
        assert_signed(&secret, request);
    }
    let body = received[0].json();
    assert_eq!(body["type"], "signup.confirmed");
    assert_eq!(body["data"]["signup_id"], signup);
    assert_eq!(body["data"]["shift_id"], shift);
    assert!(
        body["timestamp"]
            .as_str()
            .is_some_and(|t| t.parse::<chrono::DateTime<chrono::Utc>>().is_ok())
    );
    settled(&app).await;
    let log = deliveries(&app, &s, &webhook, "").await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["status"], "delivered");
    assert_eq!(log[0]["attempts"], 2);
    assert_eq!(log[0]["webhook_id"], received[0].id.as_str());
    assert_eq!(log[0]["event_type"], "signup.confirmed");
    assert_eq!(log[0]["attempt_log"][0]["status"], 500);
    assert_eq!(log[0]["attempt_log"][0]["error"], "HTTP 500");
    assert_eq!(log[0]["attempt_log"][1]["status"], 200);
    assert!(log[0]["delivered_at"].is_string() && log[0]["next_attempt_at"].is_null());

    // A second event, and nothing else: every event taken with 2xx exactly once.
    let second = new_signup(&app, &shift).await;
    wait_until("the second event arrived", || async {
        receiver.received().len() == 3
    })
    .await;
    settled(&app).await;
    let received = receiver.received();
    assert_eq!(received[2].json()["data"]["signup_id"], second);
    assert_ne!(received[2].id, received[0].id);
    assert!(
        received
            .iter()
            .all(|r| r.json()["type"] == "signup.confirmed"),
        "{received:?}"
    );
    for id in [&received[0].id, &received[2].id] {
        let taken = received
            .iter()
            .filter(|r| &r.id == id && r.answered == 200)
            .count();
        assert_eq!(taken, 1, "{id} taken {taken} times");
    }
}

#[actix_web::test]
async fn events_of_another_operator_never_reach_this_operators_subscription() {
    let app = TestApp::spawn_with(&FAST).await;
    let s = setup(&app).await;
    let token = s.admin.access_token.clone();
    let (mine, theirs) = (Receiver::start(&[], 200), Receiver::start(&[], 200));
    let events = json!(["signup.confirmed", "shift.created"]);
    subscribe(&app, &s, &s.operator, &mine.url, events.clone()).await;
    subscribe(&app, &s, &s.other_operator, &theirs.url, events).await;
    let district = id_of(
        &post(
            &app,
            &token,
            "/api/v1/districts",
            json!({"name": "Südstadt", "town": "Musterstadt"}),
        )
        .await,
    );
    let their_centre = id_of(
        &post(
            &app,
            &token,
            "/api/v1/centres",
            json!({
                "operator_id": s.other_operator, "district_id": district, "name": "Jugendtreff",
                "kind": "community_house",
                "address": {"street": "Hafenweg 2", "postcode": "44137", "town": "Musterstadt"},
                "position": {"latitude": 51.51, "longitude": 7.41},
            }),
        )
        .await,
    );
    let starts_at = chrono::Utc::now() + chrono::Duration::hours(24);
    let their_shift = id_of(
        &post(
            &app,
            &s.other_coordinator.access_token,
            "/api/v1/shifts",
            json!({
                "centre_id": their_centre, "title": "Theke", "capacity": 3,
                "starts_at": starts_at, "ends_at": starts_at + chrono::Duration::hours(2),
            }),
        )
        .await,
    );

    let their_signup = new_signup(&app, &their_shift).await;
    let my_shift = shift(&app, &s, "Hausaufgabenhilfe", 48, 3, json!({})).await;
    let my_signup = new_signup(&app, &my_shift).await;

    wait_until("both receivers got both events", || async {
        mine.received().len() >= 2 && theirs.received().len() >= 2
    })
    .await;
    settled(&app).await;
    let data_of = |receiver: &Receiver| -> Vec<Value> {
        receiver
            .received()
            .iter()
            .map(|r| r.json()["data"].clone())
            .collect()
    };
    let (to_me, to_them) = (data_of(&mine), data_of(&theirs));
    assert_eq!(to_me.len(), 2, "{to_me:?}");
    assert_eq!(to_them.len(), 2, "{to_them:?}");
    assert!(to_me.iter().any(|d| d["signup_id"] == my_signup));
    assert!(to_me.iter().all(|d| d["shift_id"] == my_shift), "{to_me:?}");
    assert!(to_them.iter().any(|d| d["signup_id"] == their_signup));
    assert!(
        to_them.iter().all(|d| d["shift_id"] == their_shift),
        "{to_them:?}"
    );
}

#[actix_web::test]
async fn a_receiver_failing_too_long_is_switched_off_and_gets_the_waiting_events_once_on_again() {
    let app = TestApp::spawn_with(&[
        ("QUARTIER_WEBHOOK_ALLOW_LOOPBACK", "true"),
        ("QUARTIER_WEBHOOK_POLL_MS", "50"),
        ("QUARTIER_WEBHOOK_RETRY_SCHEDULE", "1s,1s,1s,1s,1s,1s"),
        ("QUARTIER_WEBHOOK_DISABLE_AFTER_SECS", "2"),
    ])
    .await;
    let s = setup(&app).await;
    let receiver = Receiver::start(&[], 500);
    let (webhook, secret) = subscribe(
        &app,
        &s,
        &s.operator,
        &receiver.url,
        json!(["signup.confirmed"]),
    )
    .await;
    let shift = shift(&app, &s, "Kleiderkammer", 48, 5, json!({})).await;
    let first = new_signup(&app, &shift).await;

    wait_until("the subscription is switched off", || async {
        subscription(&app, &s, &webhook).await["active"] == false
    })
    .await;
    let off = subscription(&app, &s, &webhook).await;
    let reason = off["disabled_reason"].as_str().expect("a reason");
    assert!(reason.contains("Switched off automatically"), "{reason}");
    assert!(reason.contains("HTTP 500"), "{reason}");
    assert!(
        off["disabled_at"].is_string() && off["failing_since"].is_string(),
        "{off}"
    );
    let tried = receiver.received().len();
    assert!(tried >= 2, "{tried}");

    // While off, nothing is sent: not the first event's retries, not a new event.
    let during = new_signup(&app, &shift).await;
    wait_until(
        "the new event is fanned out and the old retry long due",
        || async {
            app.count("outbox_events", "published_at IS NULL").await == 0
                && app
                    .count(
                        "webhook_deliveries",
                        "next_attempt_at < now() - interval '500 ms'",
                    )
                    .await
                    >= 1
        },
    )
    .await;
    assert_eq!(receiver.received().len(), tried, "sent while switched off");

    receiver.answer_from_now(200);
    let on = switch(&app, &s, &webhook, true).await;
    assert_eq!(on["active"], true);
    assert!(
        on["failing_since"].is_null()
            && on["disabled_reason"].is_null()
            && on["disabled_at"].is_null(),
        "{on}"
    );

    wait_until("the waiting event is taken", || async {
        receiver.received().iter().any(|r| r.answered == 200)
    })
    .await;
    settled(&app).await;
    let received = receiver.received();
    for request in &received {
        assert_signed(&secret, request);
    }
    let taken: Vec<&Received> = received.iter().filter(|r| r.answered == 200).collect();
    assert!(
        taken.iter().any(|r| r.json()["data"]["signup_id"] == first),
        "{taken:?}"
    );
    assert!(
        received
            .iter()
            .all(|r| r.id == received[0].id || r.json()["data"]["signup_id"] == during),
        "{received:?}"
    );
    let log = deliveries(&app, &s, &webhook, "status=delivered").await;
    assert!(
        log.iter()
            .any(|d| d["webhook_id"] == received[0].id.as_str()),
        "{log:?}"
    );
    assert_eq!(
        subscription(&app, &s, &webhook).await["failing_since"],
        Value::Null
    );
}

#[actix_web::test]
async fn events_made_while_switched_off_wait_and_arrive_once_switched_on() {
    let app = TestApp::spawn_with(&FAST).await;
    let s = setup(&app).await;
    let receiver = Receiver::start(&[], 200);
    let (webhook, _) = subscribe(
        &app,
        &s,
        &s.operator,
        &receiver.url,
        json!(["signup.confirmed"]),
    )
    .await;
    let shift = shift(&app, &s, "Repair-Café", 48, 5, json!({})).await;
    let off = switch(&app, &s, &webhook, false).await;
    assert_eq!(off["disabled_reason"], "Switched off by the operator.");

    let during = new_signup(&app, &shift).await;
    wait_until("the event is fanned out", || async {
        app.count("outbox_events", "published_at IS NULL").await == 0
    })
    .await;
    assert!(receiver.received().is_empty(), "sent while switched off");
    // Switched off, the subscription still gets its deliveries: they wait.
    let waiting = format!("subscription_id = '{webhook}' AND status = 'pending'");
    assert_eq!(
        app.count("webhook_deliveries", &waiting).await,
        1,
        "the event made while off waits as a pending delivery"
    );
    switch(&app, &s, &webhook, true).await;

    wait_until("the event made while off arrived", || async {
        receiver
            .received()
            .iter()
            .any(|r| r.json()["data"]["signup_id"] == during)
    })
    .await;
}

#[actix_web::test]
async fn a_delivery_fails_for_good_when_the_retries_are_used_up() {
    let app = TestApp::spawn_with(&[
        ("QUARTIER_WEBHOOK_ALLOW_LOOPBACK", "true"),
        ("QUARTIER_WEBHOOK_POLL_MS", "50"),
        ("QUARTIER_WEBHOOK_RETRY_SCHEDULE", "1s"),
        ("QUARTIER_WEBHOOK_DISABLE_AFTER_SECS", "3600"),
    ])
    .await;
    let s = setup(&app).await;
    let receiver = Receiver::start(&[], 500);
    let (webhook, _) = subscribe(
        &app,
        &s,
        &s.operator,
        &receiver.url,
        json!(["signup.confirmed"]),
    )
    .await;
    let shift = shift(&app, &s, "Tafel", 48, 5, json!({})).await;

    new_signup(&app, &shift).await;

    wait_until("the delivery has failed", || async {
        !deliveries(&app, &s, &webhook, "status=failed")
            .await
            .is_empty()
    })
    .await;
    settled(&app).await;
    let failed = deliveries(&app, &s, &webhook, "status=failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["attempts"], 2);
    assert_eq!(failed[0]["attempt_log"].as_array().map(Vec::len), Some(2));
    assert!(failed[0]["next_attempt_at"].is_null() && failed[0]["delivered_at"].is_null());
    assert!(
        deliveries(&app, &s, &webhook, "status=pending")
            .await
            .is_empty()
    );
    let received = receiver.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].id, received[1].id);
    let still = subscription(&app, &s, &webhook).await;
    assert_eq!(
        still["active"], true,
        "an hour of failures is not reached yet"
    );
    assert!(still["failing_since"].is_string(), "{still}");
}

#[actix_web::test]
async fn subscriptions_to_addresses_in_our_own_network_are_refused() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let token = s.admin.access_token.clone();

    for url in [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest",
        "ftp://example.org/",
        "http://user:pw@example.org/",
    ] {
        let refused = post(&app, &token, &hooks(&s.operator), json!({"url": url})).await;

        refused.assert_problem(422, "validation-failed");
        assert_eq!(refused.problem_fields(), ["url"], "{url}");
    }
    // The test ping is sent on request, never subscribed to.
    let ping = post(
        &app,
        &token,
        &hooks(&s.operator),
        json!({"url": "https://example.org/hook", "events": ["shift.filled", "webhook.ping"]}),
    )
    .await;
    ping.assert_problem(422, "validation-failed");
    assert_eq!(ping.problem_fields(), ["events"]);
    assert_eq!(app.count("webhook_subscriptions", "true").await, 0);

    // Creating connects nowhere, so a public address needs no network.
    let (webhook, _) = subscribe(
        &app,
        &s,
        &s.operator,
        "https://example.org/hook",
        json!(["shift.filled"]),
    )
    .await;
    let path = format!("{}/{webhook}", hooks(&s.operator));
    let moved = app
        .json(
            Method::PATCH,
            &path,
            Some(&token),
            &[("if-match", "*")],
            &json!({"url": "http://127.0.0.1:9/x"}),
        )
        .await;
    moved.assert_problem(422, "validation-failed");
    assert_eq!(
        subscription(&app, &s, &webhook).await["url"],
        "https://example.org/hook"
    );
}

#[actix_web::test]
async fn only_operator_admins_and_keys_with_the_scope_manage_an_operators_webhooks() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let mine = hooks(&s.operator);
    let body = json!({"url": "https://example.org/hook", "events": ["shift.filled"]});

    for token in [
        &s.coordinator.access_token,
        &s.other_coordinator.access_token,
    ] {
        post(&app, token, &mine, body.clone())
            .await
            .assert_problem(403, "forbidden");
        app.get(&mine, Some(token))
            .await
            .assert_problem(403, "forbidden");
    }
    let unscoped = api_key(&app, &s, &s.operator, json!(["shifts:write"])).await;
    let refused = with_key(&app, &unscoped, Method::POST, &mine, Some(body.clone())).await;
    let detail = refused.assert_problem(403, "forbidden")["detail"].clone();
    assert!(
        detail
            .as_str()
            .is_some_and(|d| d.contains("webhooks:manage")),
        "{detail}"
    );
    let theirs = api_key(&app, &s, &s.other_operator, json!(["webhooks:manage"])).await;
    with_key(&app, &theirs, Method::POST, &mine, Some(body.clone()))
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(app.count("webhook_subscriptions", "true").await, 0);

    let key = api_key(&app, &s, &s.operator, json!(["webhooks:manage"])).await;
    let created = body_of(
        &with_key(&app, &key, Method::POST, &mine, Some(body)).await,
        201,
    );
    let secret = created["secret"].as_str().expect("secret").to_owned();
    let webhook = created["id"].as_str().expect("id").to_owned();
    let one = format!("{mine}/{webhook}");

    with_key(&app, &theirs, Method::GET, &mine, None)
        .await
        .assert_problem(403, "forbidden");
    with_key(&app, &theirs, Method::GET, &one, None)
        .await
        .assert_problem(403, "forbidden");
    let elsewhere = format!("{}/{webhook}", hooks(&s.other_operator));
    app.get(&elsewhere, Some(&s.admin.access_token))
        .await
        .assert_problem(404, "not-found");
    // The secret was shown once; neither the list nor the subscription shows it again.
    let list = body_of(&with_key(&app, &key, Method::GET, &mine, None).await, 200);
    let got = body_of(&with_key(&app, &key, Method::GET, &one, None).await, 200);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(list["items"][0]["id"], webhook);
    for shown in [&list["items"][0], &got] {
        assert!(shown.get("secret").is_none(), "{shown}");
        assert!(!shown.to_string().contains(&secret), "{shown}");
    }
}

#[actix_web::test]
async fn a_ping_is_sent_at_once_and_a_failed_one_does_not_count_against_the_subscription() {
    let app = TestApp::spawn_with(&FAST).await;
    let s = setup(&app).await;
    let receiver = Receiver::start(&[200], 500);
    let (webhook, secret) = subscribe(
        &app,
        &s,
        &s.operator,
        &receiver.url,
        json!(["shift.filled"]),
    )
    .await;
    let ping = format!("{}/{webhook}/ping", hooks(&s.operator));

    let taken = post(&app, &s.admin.access_token, &ping, json!({})).await;

    let taken = body_of(&taken, 200);
    assert_eq!(taken["status"], "delivered");
    assert_eq!(taken["event_type"], "webhook.ping");
    assert_eq!(taken["attempts"], 1);
    assert_eq!(taken["attempt_log"][0]["status"], 200);
    let received = receiver.received();
    assert_eq!(received.len(), 1, "sent before the answer");
    assert_signed(&secret, &received[0]);
    assert_eq!(taken["webhook_id"], received[0].id.as_str());
    assert_eq!(received[0].json()["type"], "webhook.ping");
    assert_eq!(received[0].json()["data"]["webhook_id"], webhook);

    let refused = post(&app, &s.admin.access_token, &ping, json!({})).await;

    let refused = body_of(&refused, 200);
    assert_eq!(refused["status"], "failed");
    assert_eq!(refused["attempt_log"][0]["status"], 500);
    assert!(
        refused["next_attempt_at"].is_null(),
        "a ping is not retried"
    );
    let after = subscription(&app, &s, &webhook).await;
    assert_eq!(
        after["failing_since"],
        Value::Null,
        "pings do not count: {after}"
    );
    assert_eq!(after["active"], true);
    settled(&app).await;
    assert_eq!(receiver.received().len(), 2);
    assert_eq!(deliveries(&app, &s, &webhook, "").await.len(), 2);
}

#[actix_web::test]
async fn a_concern_tells_the_operator_answering_it_by_ids_alone() {
    let app = TestApp::spawn_with(&FAST).await;
    let s = setup(&app).await;
    let (mine, theirs) = (Receiver::start(&[], 200), Receiver::start(&[], 200));
    let events = json!([
        "concern.submitted",
        "concern.published",
        "concern.status_changed",
        "concern.answered",
        "concern.outcome_linked",
        "concern.outcome_unlinked",
    ]);
    subscribe(&app, &s, &s.operator, &mine.url, events.clone()).await;
    subscribe(&app, &s, &s.other_operator, &theirs.url, events).await;
    let category = id_of(
        &post(
            &app,
            &s.admin.access_token,
            "/api/v1/concern-categories",
            json!({"name": "Wohnumfeld", "kind": "problem", "operator_id": s.operator}),
        )
        .await,
    );
    let district = app
        .texts("SELECT district_id::text FROM centres LIMIT 1")
        .await
        .remove(0);
    let anna = app.signed_up("anna@example.org").await;
    let concern = id_of(
        &post(
            &app,
            &anna.access_token,
            "/api/v1/concerns",
            json!({"category_id": category, "district_id": district,
                   "title": "Müll im Hinterhof", "text": "Seit Wochen liegt dort Sperrmüll."}),
        )
        .await,
    );
    let a = &s.coordinator.access_token;
    let status = format!("/api/v1/concerns/{concern}/status");
    body_of(
        &post(&app, a, &status, json!({"status": "published"})).await,
        200,
    );
    let answer = id_of(
        &post(
            &app,
            a,
            &format!("/api/v1/concerns/{concern}/answers"),
            json!({"text": "Die Hausverwaltung ist informiert.", "visibility": "public"}),
        )
        .await,
    );
    let outcome = id_of(
        &post(
            &app,
            a,
            &format!("/api/v1/concerns/{concern}/outcomes"),
            json!({"kind": "outside", "outside_ref": "Sperrmüll-Auftrag 77"}),
        )
        .await,
    );
    let unlinked = app
        .send(
            Method::DELETE,
            &format!("/api/v1/concerns/{concern}/outcomes/{outcome}"),
            &[("authorization", &format!("Bearer {a}"))],
            None,
        )
        .await;
    assert_eq!(unlinked.status, 204);
    body_of(
        &post(
            &app,
            a,
            &status,
            json!({"status": "referred", "refer_to": s.other_operator}),
        )
        .await,
        200,
    );

    wait_until("both operators got the concern's events", || async {
        mine.received().len() >= 6 && !theirs.received().is_empty()
    })
    .await;
    settled(&app).await;
    let events_of = |receiver: &Receiver| -> Vec<Value> {
        receiver.received().iter().map(Received::json).collect()
    };
    let (mut to_me, to_them) = (events_of(&mine), events_of(&theirs));
    // Deliveries run side by side: in the order the events happened, by their timestamps.
    to_me.sort_by_key(|e| e["timestamp"].as_str().expect("timestamp").to_owned());
    let types: Vec<&str> = to_me
        .iter()
        .map(|e| e["type"].as_str().expect("type"))
        .collect();
    assert_eq!(
        types,
        [
            "concern.submitted",
            "concern.published",
            "concern.answered",
            "concern.outcome_linked",
            "concern.outcome_unlinked",
            "concern.status_changed"
        ]
    );
    assert_eq!(to_me[1]["data"]["previous_status"], "submitted");
    assert_eq!(to_me[1]["data"]["previous_operator_id"], Value::Null);
    assert_eq!(to_me[2]["data"]["answer_id"], answer.as_str());
    assert_eq!(to_me[3]["data"]["outcome_id"], outcome.as_str());
    assert_eq!(to_me[4]["data"]["outcome_id"], outcome.as_str());
    // Referred: operator B answers it now and hears of it; A learns that it left its queue.
    assert_eq!(to_me[5]["data"], to_them[0]["data"]);
    assert_eq!(to_them.len(), 1, "{to_them:?}");
    assert_eq!(to_them[0]["type"], "concern.status_changed");
    let data = &to_them[0]["data"];
    assert_eq!(data["status"], "referred");
    assert_eq!(data["previous_status"], "published");
    assert_eq!(data["operator_id"], s.other_operator.as_str());
    assert_eq!(data["previous_operator_id"], s.operator.as_str());
    assert_eq!(data["category_id"], category.as_str());
    // Ids and statuses only: no text, no person.
    for received in mine.received().iter().chain(theirs.received().iter()) {
        let body = String::from_utf8_lossy(&received.body);
        for private in ["Müll", "Sperrmüll", "Hausverwaltung", anna.id.as_str()] {
            assert!(!body.contains(private), "{private} in {body}");
        }
    }
}

#[actix_web::test]
async fn a_key_hears_of_concerns_only_with_the_scope_concerns_write() {
    let app = TestApp::spawn_with(&FAST).await;
    let s = setup(&app).await;
    let manage = api_key(&app, &s, &s.operator, json!(["webhooks:manage"])).await;
    let both = api_key(
        &app,
        &s,
        &s.operator,
        json!(["webhooks:manage", "concerns:write"]),
    )
    .await;
    let path = hooks(&s.operator);
    let hook = json!({"url": "https://example.org/hook"});
    // By default every event it may hear of: no concern events without the scope.
    let made = with_key(&app, &manage, Method::POST, &path, Some(hook.clone())).await;
    let events = body_of(&made, 201)["events"].clone();
    let events: Vec<&str> = events
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e.as_str().expect("event"))
        .collect();
    assert!(events.contains(&"signup.confirmed"), "{events:?}");
    assert!(
        !events.iter().any(|e| e.starts_with("concern.")),
        "{events:?}"
    );
    let mut concerns = hook.clone();
    concerns["events"] = json!(["concern.published"]);
    with_key(&app, &manage, Method::POST, &path, Some(concerns.clone()))
        .await
        .assert_problem(403, "forbidden");
    let made = with_key(&app, &both, Method::POST, &path, Some(concerns)).await;
    assert_eq!(body_of(&made, 201)["events"], json!(["concern.published"]));
    // Nor may it switch an existing subscription to them.
    let id = app
        .texts("SELECT id::text FROM webhook_subscriptions ORDER BY created_at LIMIT 1")
        .await
        .remove(0);
    app.json(
        Method::PATCH,
        &format!("{path}/{id}"),
        None,
        &[("x-api-key", manage.as_str()), ("if-match", "*")],
        &json!({"events": ["concern.answered"]}),
    )
    .await
    .assert_problem(403, "forbidden");
    assert_eq!(
        app.count("webhook_subscriptions", "'concern.answered' = ANY(events)")
            .await,
        0
    );
}
