//! The database itself: creating it when it is missing, and running the embedded migrations.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::{Error, Result};

/// Every migration in `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// Any fixed number; instances that start together take turns migrating under this lock.
const MIGRATION_LOCK: i64 = 0x5155_4152_5449_4552; // "QUARTIER"

/// A PostgreSQL connection URL split into the part naming the server and the database name,
/// so the same server can be reached through its maintenance database.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    before_name: String,
    name: String,
    after_name: String,
}

impl DatabaseUrl {
    /// Splits `postgres://user:pass@host:port/name?params`. A URL without a database name
    /// names the `postgres` database.
    pub fn parse(url: &str) -> Result<Self> {
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .ok_or_else(|| Error::Other("database URL must start with postgres://".into()))?;
        let scheme_len = url.len() - rest.len();
        let (path_and_authority, query) = match rest.find('?') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        // The host starts after the last '@', so a '/' in the password does not end it.
        let host_start = path_and_authority.rfind('@').map_or(0, |at| at + 1);
        let (authority, name) = match path_and_authority[host_start..].find('/') {
            Some(i) => path_and_authority.split_at(host_start + i),
            None => (path_and_authority, ""),
        };
        let name = name.strip_prefix('/').unwrap_or(name);
        let name = if name.is_empty() { "postgres" } else { name };
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            // The name is not echoed: a password with an unencoded '/' would end up in it.
            return Err(Error::Other(
                "the database name in the URL may only contain letters, digits, '_' and '-' \
                 (percent-encode special characters in the password)"
                    .into(),
            ));
        }
        Ok(Self {
            before_name: format!("{}{}/", &url[..scheme_len], authority),
            name: name.to_owned(),
            after_name: query.to_owned(),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The same server with another database name.
    pub fn with_name(&self, name: &str) -> Self {
        Self {
            name: name.to_owned(),
            ..self.clone()
        }
    }

    /// The full URL, password included: for connecting, never for printing.
    pub fn expose(&self) -> String {
        format!("{}{}{}", self.before_name, self.name, self.after_name)
    }

    /// The URL without credentials or parameters, safe for logs.
    pub fn redacted(&self) -> String {
        let authority = self.before_name.rsplit('@').next().unwrap_or_default();
        let authority = authority
            .trim_start_matches("postgres://")
            .trim_start_matches("postgresql://");
        format!("postgres://{}{}", authority, self.name)
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Connects to the server's `postgres` database, for creating and dropping databases.
pub async fn connect_maintenance(url: &DatabaseUrl) -> Result<AsyncPgConnection> {
    connect(&url.with_name("postgres")).await
}

/// How long opening a connection outside the pool may take.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Opens one connection outside any pool.
pub async fn connect(url: &DatabaseUrl) -> Result<AsyncPgConnection> {
    match tokio::time::timeout(CONNECT_TIMEOUT, AsyncPgConnection::establish(&url.expose())).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(Error::Unavailable(format!(
            "cannot connect to {}: {e}",
            url.redacted()
        ))),
        Err(_) => Err(Error::Unavailable(format!(
            "connecting to {} timed out",
            url.redacted()
        ))),
    }
}

/// Whether the database named by `url` exists on its server.
pub async fn database_exists(url: &DatabaseUrl) -> Result<bool> {
    let mut conn = connect_maintenance(url).await?;
    let found: Count =
        diesel::sql_query("SELECT count(*) AS count FROM pg_database WHERE datname = $1")
            .bind::<Text, _>(url.name())
            .get_result(&mut conn)
            .await?;
    Ok(found.count > 0)
}

/// Creates the database named by `url` unless it exists. Returns whether it was created.
///
/// Connects to the database itself first, so that a server where the application may not
/// reach the `postgres` maintenance database (common on managed PostgreSQL) works as long as
/// the database exists.
pub async fn create_database_if_missing(url: &DatabaseUrl) -> Result<bool> {
    let first_try = match connect(url).await {
        Ok(_) => return Ok(false),
        Err(e) => e,
    };
    let mut conn = match connect_maintenance(url).await {
        Ok(conn) => conn,
        // Neither is reachable: the reason the database itself gave is the useful one.
        Err(_) => return Err(first_try),
    };
    if database_exists(url).await? {
        return Err(first_try);
    }
    // The name was checked in `DatabaseUrl::parse` to hold only safe characters.
    let created = diesel::sql_query(format!("CREATE DATABASE \"{}\"", url.name()))
        .execute(&mut conn)
        .await;
    match created {
        Ok(_) => Ok(true),
        // Another instance may have created it a moment ago.
        Err(e) if database_exists(url).await? => {
            tracing::debug!(error = %e, "the database appeared while creating it");
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    found: bool,
}

/// Whether any district, operator or centre is stored: demo data goes only into an empty
/// directory.
pub async fn holds_directory_data(conn: &mut AsyncPgConnection) -> Result<bool> {
    let found: Found = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM districts) OR EXISTS (SELECT 1 FROM operators) \
         OR EXISTS (SELECT 1 FROM centres) AS found",
    )
    .get_result(conn)
    .await?;
    Ok(found.found)
}

/// Drops the database named by `url`, closing its connections first.
pub async fn drop_database(url: &DatabaseUrl) -> Result<()> {
    let mut conn = connect_maintenance(url).await?;
    diesel::sql_query(format!(
        "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
        url.name()
    ))
    .execute(&mut conn)
    .await?;
    Ok(())
}

/// Runs every pending migration; returns the versions applied. Instances that start together
/// take turns under an advisory lock, so each migration runs once.
pub async fn run_migrations(url: &DatabaseUrl) -> Result<Vec<String>> {
    with_migration_harness(url, |harness| {
        harness
            .run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.iter().map(ToString::to_string).collect())
    })
    .await
}

/// Reverts every applied migration, newest first; returns the versions reverted.
pub async fn revert_all_migrations(url: &DatabaseUrl) -> Result<Vec<String>> {
    with_migration_harness(url, |harness| {
        harness
            .revert_all_migrations(MIGRATIONS)
            .map(|versions| versions.iter().map(ToString::to_string).collect())
    })
    .await
}

/// Reverts the newest applied migration; returns its version.
pub async fn revert_last_migration(url: &DatabaseUrl) -> Result<String> {
    with_migration_harness(url, |harness| {
        harness
            .revert_last_migration(MIGRATIONS)
            .map(|version| version.to_string())
    })
    .await
}

type MigrationResult<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

async fn with_migration_harness<T, F>(url: &DatabaseUrl, work: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&mut AsyncConnectionWrapper<AsyncPgConnection>) -> MigrationResult<T>
        + Send
        + 'static,
{
    let mut conn = connect(url).await?;
    // A role may carry a statement timeout (`ALTER ROLE … SET`, as for a pooler): waiting for
    // another instance's migrations, and a long migration, must not be cancelled by it.
    diesel::sql_query("SET statement_timeout = 0")
        .execute(&mut conn)
        .await?;
    diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
        .execute(&mut conn)
        .await?;
    // diesel's migration harness is synchronous: it runs on the blocking pool, driving the
    // async connection from there.
    let (conn, outcome) = tokio::task::spawn_blocking(move || {
        let mut wrapper = AsyncConnectionWrapper::<AsyncPgConnection>::from(conn);
        let outcome =
            work(&mut wrapper).map_err(|e| Error::Other(format!("migration failed: {e}")));
        (wrapper.into_inner(), outcome)
    })
    .await
    .map_err(|e| Error::Other(format!("migration task failed: {e}")))?;
    let mut conn = conn;
    diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
        .execute(&mut conn)
        .await?;
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_rebuilds_urls() {
        let url =
            DatabaseUrl::parse("postgres://app:s3cret@db.example:5433/quartier?sslmode=disable")
                .expect("valid");
        assert_eq!(url.name(), "quartier");
        assert_eq!(
            url.with_name("postgres").expose(),
            "postgres://app:s3cret@db.example:5433/postgres?sslmode=disable"
        );
        assert_eq!(url.redacted(), "postgres://db.example:5433/quartier");
        assert!(!format!("{url:?}").contains("s3cret"));
    }

    #[test]
    fn a_slash_in_the_password_does_not_end_the_host() {
        let url = DatabaseUrl::parse("postgres://app:pa/ss@db:5432/quartier").expect("valid");
        assert_eq!(url.name(), "quartier");
        assert_eq!(url.redacted(), "postgres://db:5432/quartier");
    }

    #[test]
    fn url_without_name_means_postgres() {
        let url = DatabaseUrl::parse("postgresql://postgres@127.0.0.1:5432").expect("valid");
        assert_eq!(url.name(), "postgres");
        assert_eq!(
            url.expose(),
            "postgresql://postgres@127.0.0.1:5432/postgres"
        );
    }

    #[test]
    fn rejects_unsafe_names_and_schemes() {
        assert!(DatabaseUrl::parse("postgres://h/qu\"artier").is_err());
        assert!(DatabaseUrl::parse("mysql://h/quartier").is_err());
    }
}
