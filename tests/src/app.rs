//! The real application on a free port of 127.0.0.1, with its own database, and a client.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::dev::ServerHandle;
use actix_web::http::Method;
use actix_web::http::header::HeaderMap;
use actix_web::web;
use diesel_async::RunQueryDsl;
use quartier_api::commands::create_admin;
use quartier_api::{AppState, Settings};
use quartier_persistence::PgPool;
use quartier_persistence::pool::{PooledConnection, build_pool};
use serde_json::{Value, json};

use crate::db::TestDb;
use crate::pgbouncer::{PgBouncer, PgBouncerOptions};
use crate::proxy::FreezableProxy;

/// The JWT secret of every test app, so tests can forge and inspect tokens.
pub const TEST_JWT_SECRET: &str = "a secret used only by the tests, long enough";

/// A running application. Dropping it stops the server and drops its database.
pub struct TestApp {
    pub address: String,
    pub settings: Settings,
    pub pool: PgPool,
    client: awc::Client,
    server: ServerHandle,
    /// The background task that extends occurrences; stopped with the server.
    horizon: tokio::task::JoinHandle<()>,
    webhooks: tokio::task::JoinHandle<()>,
    mail: tokio::task::JoinHandle<()>,
    holds: tokio::task::JoinHandle<()>,
    digests: tokio::task::JoinHandle<()>,
    /// The environment it was started with, for another instance on the same database.
    env: HashMap<String, String>,
    /// The PgBouncer the application reaches its database through, if any; kept running as
    /// long as an instance uses it.
    pgbouncer: Option<Arc<PgBouncer>>,
    // Last: dropped after the server stopped using it (and every other instance too).
    pub db: Arc<TestDb>,
}

impl std::fmt::Debug for TestApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestApp")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

/// What the server answered.
#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts an RFC 9457 problem with `status` and problem type `/problems/{slug}`; returns it.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, slug: &str) -> Value {
        let body = String::from_utf8_lossy(&self.body);
        assert_eq!(self.status, status, "status; body: {body}");
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "content type; body: {body}"
        );
        let problem = self.json();
        assert_eq!(
            problem["type"],
            format!("/problems/{slug}"),
            "problem type; body: {body}"
        );
        assert_eq!(problem["status"], status, "problem status");
        assert!(
            problem["title"].as_str().is_some_and(|t| !t.is_empty()),
            "title; body: {body}"
        );
        assert!(
            problem["detail"].as_str().is_some_and(|t| !t.is_empty()),
            "detail; body: {body}"
        );
        problem
    }

    /// The fields a validation problem names.
    pub fn problem_fields(&self) -> Vec<String> {
        self.json()["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A registered user with a live session.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub password: String,
    pub access_token: String,
    pub refresh_token: String,
}

impl TestUser {
    /// The user with account `id`, signed in with the `tokens` that login answered.
    fn signed_in(id: &Value, email: &str, password: &str, tokens: &Value) -> Self {
        let text = |value: &Value, what: &str| {
            value
                .as_str()
                .unwrap_or_else(|| panic!("no {what}"))
                .to_owned()
        };
        Self {
            id: text(id, "id"),
            email: email.to_owned(),
            password: password.to_owned(),
            access_token: text(&tokens["access_token"], "access token"),
            refresh_token: text(&tokens["refresh_token"], "refresh token"),
        }
    }
}

impl TestApp {
    /// The application on its own migrated database.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// The application with extra environment settings (`QUARTIER_*`, `DATABASE_URL`).
    pub async fn spawn_with(overrides: &[(&str, &str)]) -> Self {
        Self::start(Arc::new(TestDb::migrated().await), overrides).await
    }

    /// The application on `db`, wherever it is (a server the test started itself).
    pub async fn spawn_on(db: TestDb, overrides: &[(&str, &str)]) -> Self {
        Self::start(Arc::new(db), overrides).await
    }

    /// A second API instance on the same database, as behind a load balancer: its own pool,
    /// state and background tasks.
    pub async fn another_instance(&self) -> Self {
        let overrides: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        Self::start_with(self.db.clone(), &overrides, self.pgbouncer.clone()).await
    }

    /// The application reaching its own migrated database through PgBouncer in transaction
    /// mode (`QUARTIER_DATABASE_POOLER=transaction`, migrations over the direct connection).
    pub async fn spawn_behind_pgbouncer(
        options: &PgBouncerOptions,
        overrides: &[(&str, &str)],
    ) -> Self {
        Self::behind_pgbouncer(Arc::new(TestDb::migrated().await), options, overrides).await
    }

    async fn behind_pgbouncer(
        db: Arc<TestDb>,
        options: &PgBouncerOptions,
        overrides: &[(&str, &str)],
    ) -> Self {
        let bouncer = Arc::new(PgBouncer::start(db.url(), options));
        let through = bouncer.url(db.url()).expose();
        let direct = db.url().expose();
        let mut all = vec![
            ("DATABASE_URL", through.as_str()),
            ("QUARTIER_DATABASE_POOLER", "transaction"),
            ("QUARTIER_MIGRATION_DATABASE_URL", direct.as_str()),
        ];
        all.extend_from_slice(overrides);
        Self::start_with(db, &all, Some(bouncer)).await
    }

    /// The application reaching its database through a proxy the test can freeze.
    pub async fn spawn_behind_proxy(overrides: &[(&str, &str)]) -> (Self, FreezableProxy) {
        let db = TestDb::migrated().await;
        let server = crate::db::server_url();
        let upstream =
            std::env::var("TEST_DATABASE_HOST").unwrap_or_else(|_| "127.0.0.1:5432".into());
        let proxy = FreezableProxy::start(upstream).await;
        let url = server
            .with_name(db.url().name())
            .expose()
            .replace(":5432/", &format!(":{}/", proxy.port));
        let mut all = vec![("DATABASE_URL", url.as_str())];
        all.extend_from_slice(overrides);
        (Self::start(Arc::new(db), &all).await, proxy)
    }

    async fn start(db: Arc<TestDb>, overrides: &[(&str, &str)]) -> Self {
        // The whole suite can run through PgBouncer: every application on its database
        // reaches it through a PgBouncer of its own, unless a test chose the way itself.
        if std::env::var_os("QUARTIER_TEST_THROUGH_PGBOUNCER").is_some()
            && !overrides.iter().any(|(k, _)| *k == "DATABASE_URL")
        {
            let options = PgBouncerOptions {
                connect_query: Some(quartier_persistence::pool::session_settings(5000)),
                ..PgBouncerOptions::default()
            };
            return Box::pin(Self::behind_pgbouncer(db, &options, overrides)).await;
        }
        Self::start_with(db, overrides, None).await
    }

    async fn start_with(
        db: Arc<TestDb>,
        overrides: &[(&str, &str)],
        pgbouncer: Option<Arc<PgBouncer>>,
    ) -> Self {
        let mut env: HashMap<String, String> = HashMap::from([
            ("DATABASE_URL".into(), db.url().expose()),
            ("QUARTIER_JWT_SECRET".into(), TEST_JWT_SECRET.into()),
            ("QUARTIER_DB_POOL_SIZE".into(), "8".into()),
            ("QUARTIER_PASSWORD_HASH_CONCURRENCY".into(), "2".into()),
            // No day's digests, unless a test asks for them.
            ("QUARTIER_DIGEST_INTERVAL_SECS".into(), "86400".into()),
            // Public pages are read fresh, unless a test asks for the cache: tests arrange
            // data in SQL and read it back at once.
            ("QUARTIER_PUBLIC_CACHE_TTL_MS".into(), "0".into()),
        ]);
        for (key, value) in overrides {
            env.insert((*key).into(), (*value).into());
        }
        let settings =
            Settings::from_lookup(|name| env.get(name).cloned()).expect("test settings are valid");
        let pool = build_pool(&settings.database_url, &settings.pool).expect("pool");
        quartier_api::commands::check_pooler(&settings, &pool, "DATABASE_URL")
            .await
            .expect("the pooler keeps prepared statements");
        quartier_api::languages::sync(&pool, &settings.content_languages).await;
        let horizon = quartier_api::horizon::spawn(
            pool.clone(),
            settings.occurrence_horizon,
            settings.horizon_interval,
        );
        let state = web::Data::new(AppState::new(&settings, pool.clone()).expect("state"));
        let webhooks = quartier_api::webhooks::worker::spawn(pool.clone(), state.deliverer.clone());
        let mail = quartier_api::mail::worker::spawn(pool.clone(), state.mailer.clone());
        let holds = quartier_api::retention::spawn_hold_sweeper(
            pool.clone(),
            settings.retention.hold_sweep,
        );
        let digests = quartier_api::mail::worker::spawn_digests(
            pool.clone(),
            settings.mail.digest_hour,
            settings.mail.digest_interval,
        );
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let address = format!("http://{}", listener.local_addr().expect("an address"));
        let options = quartier_api::server::Options {
            workers: 1,
            shutdown_timeout: std::time::Duration::from_secs(1),
            signals: false,
        };
        let server = quartier_api::server::serve(listener, state, options).expect("a server");
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Self {
            address,
            settings,
            pool,
            client: awc::Client::builder()
                .disable_redirects()
                .timeout(std::time::Duration::from_secs(30))
                .finish(),
            server: handle,
            horizon,
            webhooks,
            mail,
            holds,
            digests,
            env,
            pgbouncer,
            db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A connection to the test's database, for arranging data and checking what it holds.
    pub async fn conn(&self) -> PooledConnection {
        self.pool.get().await.expect("database connection")
    }

    /// How many rows of `table` satisfy `condition` (SQL, e.g. `revoked_at IS NULL`).
    pub async fn count(&self, table: &str, condition: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            count: i64,
        }
        let sql = format!("SELECT count(*) AS count FROM {table} WHERE {condition}");
        let found: Count = diesel::sql_query(sql)
            .get_result(&mut self.conn().await)
            .await
            .expect("count rows");
        found.count
    }

    /// The one column of every row `sql` returns, as text.
    pub async fn texts(&self, sql: &str) -> Vec<String> {
        #[derive(diesel::QueryableByName)]
        struct Text {
            #[diesel(sql_type = diesel::sql_types::Text)]
            text: String,
        }
        let rows: Vec<Text> =
            diesel::sql_query(format!("SELECT t::text AS text FROM ({sql}) AS q (t)"))
                .load(&mut self.conn().await)
                .await
                .expect("rows of text");
        rows.into_iter().map(|row| row.text).collect()
    }

    /// `count` volunteer accounts made straight in the database (no password hashing, so
    /// hundreds are quick), each with an access token: `(id, token)`.
    pub async fn volunteers(&self, count: usize) -> Vec<(String, String)> {
        let tokens = quartier_api::tokens::Tokens::new(
            self.settings.jwt_secret.expose(),
            self.settings.access_token_ttl,
            self.settings.refresh_token_ttl,
        );
        let mut conn = self.conn().await;
        let mut made = Vec::with_capacity(count);
        for _ in 0..count {
            let id = uuid::Uuid::now_v7();
            diesel::sql_query(format!(
                "INSERT INTO users (id, email, display_name, password_hash, role, privacy_consent_at) \
                 VALUES ('{id}', 'volunteer-{id}@example.org', 'Volunteer', 'no login', 'member', now())"
            ))
            .execute(&mut conn)
            .await
            .expect("a volunteer");
            let token = tokens
                .issue_access(id, quartier_domain::Role::Member, 1, chrono::Utc::now())
                .expect("a token");
            made.push((id.to_string(), token.token));
        }
        made
    }

    /// Creates an administrator with `quartier create-admin` and signs in.
    pub async fn admin(&self) -> TestUser {
        let (email, password) = ("admin@example.org", "ein Admin-Passwort");
        create_admin(
            self.settings.clone(),
            email,
            "Admin",
            Some(password.into()),
            false,
        )
        .await
        .expect("create admin");
        let tokens = self.login(email, password).await.json();
        let me = self
            .get("/api/v1/me", tokens["access_token"].as_str())
            .await
            .json();
        TestUser::signed_in(&me["id"], email, password, &tokens)
    }

    /// Sends any request. `body` is sent as given, with `content_type` when set.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> TestResponse {
        let mut request = self.client.request(method, self.url(path));
        for (name, value) in headers {
            request = request.insert_header((*name, *value));
        }
        let sent = match body {
            Some((content_type, bytes)) => {
                request
                    .insert_header(("content-type", content_type))
                    .send_body(bytes)
                    .await
            }
            None => request.send().await,
        };
        let mut response = sent.unwrap_or_else(|e| panic!("request to {path} failed: {e}"));
        let body = response
            .body()
            .limit(16 * 1024 * 1024)
            .await
            .expect("read body")
            .to_vec();
        TestResponse {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> TestResponse {
        let auth = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("authorization", a.as_str())).collect();
        self.send(Method::GET, path, &headers, None).await
    }

    /// Sends `body` as JSON with `method`, with a bearer token and extra headers.
    pub async fn json(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        extra: &[(&str, &str)],
        body: &Value,
    ) -> TestResponse {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("authorization", a.as_str())).collect();
        headers.extend_from_slice(extra);
        let bytes = serde_json::to_vec(body).expect("serialize");
        self.send(method, path, &headers, Some(("application/json", bytes)))
            .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> TestResponse {
        self.json(Method::POST, path, None, &[], body).await
    }

    pub async fn register(&self, email: &str, password: &str) -> TestResponse {
        self.post(
            "/api/v1/auth/register",
            &json!({"email": email, "display_name": "Test Person", "password": password, "privacy_consent": true}),
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> TestResponse {
        self.post(
            "/api/v1/auth/login",
            &json!({"email": email, "password": password}),
        )
        .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> TestResponse {
        self.post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": refresh_token}),
        )
        .await
    }

    /// Registers `email` with a valid password and signs in.
    pub async fn signed_up(&self, email: &str) -> TestUser {
        let password = "ein sicheres Passwort";
        let registered = self.register(email, password).await;
        assert_eq!(
            registered.status,
            201,
            "register: {}",
            String::from_utf8_lossy(&registered.body)
        );
        let login = self.login(email, password).await;
        assert_eq!(
            login.status,
            200,
            "login: {}",
            String::from_utf8_lossy(&login.body)
        );
        let tokens = login.json();
        let user = TestUser::signed_in(&registered.json()["id"], email, password, &tokens);
        // As if she had used the link mailed to her (the mail tests use the real link).
        self.verify_address(&user.id).await;
        user
    }

    /// The token of the link Quartier mails for the row `id` (an invitation, an account
    /// token), as the mail would carry it: for tests that do not read the mail itself.
    pub fn link_token(&self, id: &str) -> String {
        quartier_api::tokens::LinkTokens::new(self.settings.jwt_secret.expose())
            .token(id.parse().expect("an id"))
    }

    /// Marks the account's address verified, as the link mailed at registration would.
    pub async fn verify_address(&self, user_id: &str) {
        let id: uuid::Uuid = user_id.parse().expect("an account id");
        diesel::sql_query("UPDATE users SET email_verified_at = now() WHERE id = $1")
            .bind::<diesel::sql_types::Uuid, _>(id)
            .execute(&mut self.conn().await)
            .await
            .expect("verify the address");
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop accepting; the database is dropped with FORCE right after, closing what is left.
        drop(self.server.stop(false));
        self.horizon.abort();
        self.webhooks.abort();
        self.mail.abort();
        self.holds.abort();
        self.digests.abort();
    }
}
