//! A request head that does not parse is answered 400 and logged as a WARN line that names
//! the address it came from, never as an ERROR a client could raise at will.
//!
//! The server runs as the `quartier` binary, with its own log subscriber, on a database of
//! its own (named so that the test kit sweeps it if this test cannot drop it).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use quartier_persistence::database::{self, DatabaseUrl};

struct Server {
    child: Child,
    url: DatabaseUrl,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let url = self.url.clone();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        if runtime.block_on(database::drop_database(&url)).is_err() {
            eprintln!("could not drop {}; it will be swept later", url.name());
        }
    }
}

fn database_url() -> DatabaseUrl {
    let server = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let created = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs();
    DatabaseUrl::parse(&server)
        .expect("TEST_DATABASE_URL must be a postgres:// URL")
        .with_name(&format!(
            "quartier_test_{created}_connection_log_{}",
            std::process::id()
        ))
}

#[test]
fn a_malformed_request_head_is_logged_once_as_a_warning_with_its_peer() {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let address = format!("127.0.0.1:{port}");
    let url = database_url();
    let mut child = Command::new(env!("CARGO_BIN_EXE_quartier"))
        .arg("serve")
        .env("DATABASE_URL", url.expose())
        .env("QUARTIER_BIND", &address)
        .env("QUARTIER_LOG", "warn")
        .env("QUARTIER_LOG_FORMAT", "json")
        .env("QUARTIER_WORKERS", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the quartier binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server { child, url };
    let (lines, logged) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });

    let deadline = Instant::now() + Duration::from_secs(120);
    let mut stream = loop {
        match TcpStream::connect(&address) {
            Ok(stream) => break stream,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
            Err(error) => panic!("the server did not listen on {address}: {error}"),
        }
    };
    let peer = stream.local_addr().expect("a local address").to_string();
    stream
        .write_all(b"THIS IS NOT HTTP\r\n\r\n")
        .expect("the head is sent");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a timeout");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer:?}");

    let mut seen = Vec::new();
    let warning = loop {
        let line = logged
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("no warning about the connection; the log: {seen:#?}"));
        let entry: serde_json::Value = serde_json::from_str(&line).expect("a JSON log line");
        if entry["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("malformed or broken client connections"))
        {
            break entry;
        }
        seen.push(entry);
    };
    assert_eq!(warning["level"], "WARN", "{warning}");
    assert_eq!(warning["peer"], peer.as_str(), "{warning}");
    assert_eq!(warning["count"], 1, "{warning}");
    assert!(
        seen.iter().all(|entry| entry["level"] != "ERROR"),
        "nothing is logged as an error: {seen:#?}"
    );
    drop(server);
}
