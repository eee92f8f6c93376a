//! A database per test, cloned from a template that is migrated once per migration set.
//!
//! The template's name carries a hash of `migrations/`, so a change to a migration makes a new
//! one. Test processes that start together take turns building it under an advisory lock; it
//! is built under a temporary name and renamed when complete, so a crash leaves no half-built
//! template. Test databases carry their creation time in their name; those older than an hour
//! (left by crashed runs) are dropped whenever a template is checked.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use quartier_persistence::database::{self, DatabaseUrl};

const TEST_PREFIX: &str = "quartier_test_";
const TEMPLATE_PREFIX: &str = "quartier_tpl_";
const STALE_AFTER_SECS: u64 = 3600;

/// The server tests run against: `TEST_DATABASE_URL`, default the local PostgreSQL.
pub fn server_url() -> DatabaseUrl {
    let url = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    DatabaseUrl::parse(&url).expect("TEST_DATABASE_URL must be a postgres:// URL")
}

/// A database that exists for one test and is dropped when this value is.
#[derive(Debug)]
pub struct TestDb {
    url: DatabaseUrl,
}

impl TestDb {
    /// A fresh database with every migration applied.
    pub async fn migrated() -> Self {
        let template = template().to_owned();
        Self::create(Some(&template)).await
    }

    /// A fresh, migrated database on another server (one a test started itself).
    pub async fn migrated_on(server: &DatabaseUrl) -> Self {
        let name = format!("{TEST_PREFIX}{}_{:08x}", unix_now(), rand::random::<u32>());
        let url = server.with_name(&name);
        database::create_database_if_missing(&url)
            .await
            .expect("create the database");
        database::run_migrations(&url).await.expect("migrate");
        Self { url }
    }

    /// A fresh database with nothing in it, for testing the migrations themselves.
    pub async fn empty() -> Self {
        Self::create(None).await
    }

    async fn create(template: Option<&str>) -> Self {
        let name = format!("{TEST_PREFIX}{}_{:08x}", unix_now(), rand::random::<u32>());
        let url = server_url().with_name(&name);
        let sql = match template {
            Some(template) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""),
            None => format!("CREATE DATABASE \"{name}\""),
        };
        let mut conn = database::connect_maintenance(&url)
            .await
            .expect("connect to the test server");
        // A template may not be cloned while anyone is connected to it; that is brief.
        for attempt in 0.. {
            match diesel::sql_query(&sql).execute(&mut conn).await {
                Ok(_) => break,
                Err(e)
                    if attempt < 50 && e.to_string().contains("being accessed by other users") =>
                {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot create test database {name}: {e}"),
            }
        }
        Self { url }
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }
}

impl Drop for TestDb {
    /// Checks the events the test wrote against their published schemas (unless the test
    /// failed already), then drops the database.
    fn drop(&mut self) {
        let url = self.url.clone();
        let check = !std::thread::panicking();
        // Drop runs outside async code; a short-lived runtime on its own thread does the work.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut violations = Vec::new();
                if check && let Ok(mut conn) = database::connect(&url).await {
                    violations = crate::events::violations(&mut conn).await;
                }
                database::drop_database(&url).await.ok()?;
                Some(violations)
            })
        })
        .join();
        match dropped {
            Ok(Some(violations)) => assert!(
                violations.is_empty(),
                "events that do not fit their published schema:\n{}",
                violations.join("\n")
            ),
            // The check itself failed (a schema missing from the document): that is a defect
            // to see, not a database to sweep later.
            Err(panic) if check => std::panic::resume_unwind(panic),
            _ => eprintln!("could not drop {}; it will be swept later", self.url.name()),
        }
    }
}

/// The name of the migrated template, built on first use in this process.
fn template() -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        std::thread::spawn(|| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(ensure_template())
        })
        .join()
        .expect("building the template database failed")
    })
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    datname: String,
    /// For templates: `created <unix seconds>`.
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    note: Option<String>,
}

async fn ensure_template() -> String {
    let server = server_url();
    let name = format!("{TEMPLATE_PREFIX}{:016x}", migrations_hash());
    let mut conn = database::connect_maintenance(&server)
        .await
        .expect("cannot reach the test PostgreSQL server (TEST_DATABASE_URL)");
    diesel::sql_query("SELECT pg_advisory_lock(7411321)")
        .execute(&mut conn)
        .await
        .expect("lock");
    let existing: Vec<Name> = diesel::sql_query(
        "SELECT datname, shobj_description(oid, 'pg_database') AS note FROM pg_database \
             WHERE datname LIKE 'quartier\\_t%'",
    )
    .load(&mut conn)
    .await
    .expect("list databases");
    let now = unix_now();
    for db in &existing {
        let stale_test = db
            .datname
            .strip_prefix(TEST_PREFIX)
            .and_then(|rest| rest.split('_').next()?.parse::<u64>().ok())
            .is_some_and(|created| created + STALE_AFTER_SECS < now);
        // Another checkout may be testing with another template right now: only long unused
        // ones go.
        let template_created = db
            .note
            .as_deref()
            .and_then(|note| note.strip_prefix("created ")?.parse::<u64>().ok())
            .unwrap_or(0);
        let old_template = db.datname.starts_with(TEMPLATE_PREFIX)
            && db.datname != name
            && template_created + STALE_AFTER_SECS < now;
        if old_template {
            // A template database cannot be dropped until it is an ordinary one again.
            let _ = diesel::sql_query(format!(
                "ALTER DATABASE \"{}\" WITH IS_TEMPLATE false",
                db.datname
            ))
            .execute(&mut conn)
            .await;
        }
        if stale_test || old_template {
            let _ = database::drop_database(&server.with_name(&db.datname)).await;
        }
    }
    if !existing.iter().any(|db| db.datname == name) {
        let building = format!("{name}_build");
        let building_url = server.with_name(&building);
        database::drop_database(&building_url)
            .await
            .expect("drop half-built template");
        diesel::sql_query(format!("CREATE DATABASE \"{building}\""))
            .execute(&mut conn)
            .await
            .expect("create template");
        database::run_migrations(&building_url)
            .await
            .expect("migrate template");
        diesel::sql_query(format!(
            "ALTER DATABASE \"{building}\" RENAME TO \"{name}\""
        ))
        .execute(&mut conn)
        .await
        .expect("rename template");
        // No connections to the template, not even autovacuum's: clones would fail.
        diesel::sql_query(format!(
            "ALTER DATABASE \"{name}\" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"
        ))
        .execute(&mut conn)
        .await
        .expect("mark template");
        diesel::sql_query(format!(
            "COMMENT ON DATABASE \"{name}\" IS 'created {}'",
            unix_now()
        ))
        .execute(&mut conn)
        .await
        .expect("date template");
    }
    diesel::sql_query("SELECT pg_advisory_unlock(7411321)")
        .execute(&mut conn)
        .await
        .expect("unlock");
    name
}

/// FNV-1a over every file in `migrations/`, in name order.
fn migrations_hash() -> u64 {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let mut files = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(path) = stack.pop() {
        for entry in std::fs::read_dir(&path).expect("read migrations").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path)
            } else {
                files.push(path)
            }
        }
    }
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in files {
        let relative = file
            .strip_prefix(&dir)
            .unwrap_or(&file)
            .to_string_lossy()
            .into_owned();
        let bytes = [
            relative.as_bytes(),
            &std::fs::read(&file).expect("read migration")[..],
        ]
        .concat();
        for b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
