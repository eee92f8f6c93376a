//! PgBouncer of a test's own, in transaction mode, in front of the test's database: the
//! pooler a town puts before a small database when it runs many instances.
//!
//! Needs PgBouncer 1.21 or newer (it keeps protocol-level prepared statements across server
//! connections): `QUARTIER_TEST_PGBOUNCER`, else `pgbouncer` on the `PATH` or in
//! `/usr/sbin`. Debian 13 ships 1.24; Debian 12's 1.18 is too old (`.ci/run` builds 1.24 from
//! Debian 13's source package). As root, PgBouncer runs as the `postgres` user (it refuses to
//! run as root).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use quartier_persistence::database::DatabaseUrl;

use crate::cluster::{free_port, is_root};

/// How the test's PgBouncer is set up.
#[derive(Debug, Clone)]
pub struct PgBouncerOptions {
    /// Server connections per database and user (`default_pool_size`).
    pub pool_size: u32,
    /// `max_prepared_statements`: 0 turns the keeping of prepared statements off, as in
    /// PgBouncer before 1.21.
    pub max_prepared_statements: u32,
    /// `connect_query` of the database: what every new server connection runs first.
    pub connect_query: Option<String>,
}

impl Default for PgBouncerOptions {
    fn default() -> Self {
        Self {
            pool_size: 3,
            max_prepared_statements: 500,
            connect_query: None,
        }
    }
}

/// A running PgBouncer; stopped and its directory removed when dropped.
#[derive(Debug)]
pub struct PgBouncer {
    child: Child,
    dir: PathBuf,
    pub port: u16,
}

/// The PgBouncer binary to run, checked to be 1.21 or newer.
fn binary() -> PathBuf {
    let candidate = std::env::var_os("QUARTIER_TEST_PGBOUNCER")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join("pgbouncer"))
                    .find(|p| p.exists())
            })
        })
        .unwrap_or_else(|| PathBuf::from("/usr/sbin/pgbouncer"));
    let out = Command::new(&candidate)
        .arg("--version")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "PgBouncer 1.21 or newer is needed ({}: {e}); set QUARTIER_TEST_PGBOUNCER",
                candidate.display()
            )
        });
    let text = String::from_utf8_lossy(&out.stdout);
    let version: Vec<u32> = text
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .split('.')
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(
        version.as_slice() >= [1, 21].as_slice(),
        "{} is {}; PgBouncer 1.21 or newer is needed (set QUARTIER_TEST_PGBOUNCER)",
        candidate.display(),
        text.lines().next().unwrap_or("of no known version")
    );
    candidate
}

/// `user`, `password`, `host` and `port` of a `postgres://` URL.
fn parts(url: &DatabaseUrl) -> (String, Option<String>, String, String) {
    let exposed = url.expose();
    let rest = exposed
        .split_once("://")
        .map_or(exposed.as_str(), |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let (credentials, address) = authority
        .rsplit_once('@')
        .unwrap_or(("postgres", authority));
    let (user, password) = match credentials.split_once(':') {
        Some((user, password)) => (user.to_owned(), Some(password.to_owned())),
        None => (credentials.to_owned(), None),
    };
    let (host, port) = address.rsplit_once(':').unwrap_or((address, "5432"));
    (user, password, host.to_owned(), port.to_owned())
}

impl PgBouncer {
    /// Starts PgBouncer in transaction mode for the database of `url` and waits until it
    /// accepts connections.
    pub fn start(url: &DatabaseUrl, options: &PgBouncerOptions) -> Self {
        let binary = binary();
        let dir = std::env::temp_dir().join(format!(
            "quartier-pgbouncer-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).expect("a directory for PgBouncer");
        let port = free_port();
        let (user, password, host, upstream_port) = parts(url);
        let mut database = format!(
            "{name} = host={host} port={upstream_port} dbname={name} user={user}",
            name = url.name()
        );
        if let Some(password) = &password {
            database.push_str(&format!(" password={password}"));
        }
        if let Some(query) = &options.connect_query {
            database.push_str(&format!(" connect_query='{}'", query.replace('\'', "''")));
        }
        let config = format!(
            "[databases]\n{database}\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n\
             unix_socket_dir =\nauth_type = trust\nauth_file = {auth}\npool_mode = transaction\n\
             default_pool_size = {pool}\nmax_client_conn = 500\n\
             max_prepared_statements = {prepared}\nserver_login_retry = 1\nlogfile = {log}\n",
            auth = dir.join("users.txt").display(),
            pool = options.pool_size,
            prepared = options.max_prepared_statements,
            log = dir.join("pgbouncer.log").display(),
        );
        std::fs::write(dir.join("users.txt"), format!("\"{user}\" \"\"\n")).expect("users");
        std::fs::write(dir.join("pgbouncer.ini"), config).expect("the configuration");
        let mut command = Command::new(&binary);
        if is_root() {
            let owned = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .expect("chown");
            assert!(owned.success(), "chown the PgBouncer directory to postgres");
            command.args(["-u", "postgres"]);
        }
        let child = command
            .arg(dir.join("pgbouncer.ini"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("PgBouncer starts");
        let mut bouncer = Self { child, dir, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = bouncer.child.try_wait() {
                panic!("PgBouncer stopped ({status}): {}", bouncer.log());
            }
            assert!(
                Instant::now() < deadline,
                "PgBouncer did not listen: {}",
                bouncer.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        bouncer
    }

    /// The URL of `url`'s database through this PgBouncer.
    pub fn url(&self, url: &DatabaseUrl) -> DatabaseUrl {
        let (user, _, _, _) = parts(url);
        DatabaseUrl::parse(&format!(
            "postgres://{user}@127.0.0.1:{}/{}",
            self.port,
            url.name()
        ))
        .expect("a valid URL")
    }

    /// What PgBouncer logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("pgbouncer.log")).unwrap_or_default()
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
