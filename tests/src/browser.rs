//! A real browser for what a person sees: `tests/browser/widgets.mjs` (widgets) and
//! `tests/browser/documents.mjs` (charts, printable reports) drive headless
//! Chromium (Debian's `chromium`) with playwright-core and checks pages with axe-core, both
//! from npm. The script reports what it saw as JSON; the test judges it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use serde_json::Value;

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("browser")
}

/// The browser: `QUARTIER_TEST_CHROMIUM`, or Debian's.
pub fn chromium() -> String {
    let path =
        std::env::var("QUARTIER_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&path).exists(),
        "the browser tests need Chromium at {path} (Debian: apt install chromium; or set \
         QUARTIER_TEST_CHROMIUM)"
    );
    path
}

/// Installs the script's npm packages (`npm ci`) when they are missing, once.
fn packages() {
    static ONCE: Mutex<bool> = Mutex::new(false);
    let mut done = ONCE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let installed = ["playwright-core", "axe-core"].iter().all(|package| {
        folder()
            .join("node_modules")
            .join(package)
            .join("package.json")
            .exists()
    });
    if *done || installed {
        *done = true;
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(folder())
        .stdout(Stdio::null())
        .status()
        .expect("the browser tests need Node.js and npm (Debian: apt install nodejs npm)");
    assert!(status.success(), "npm ci in tests/browser failed");
    *done = true;
}

/// A port no one listens on now, for a page server of the script's.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// What the browser saw on the pages of `plan` (see `tests/browser/widgets.mjs`). It runs
/// on a thread of its own, so the server under test, on this test's runtime, goes on
/// answering.
pub async fn visit(plan: &Value) -> Value {
    run("widgets.mjs", plan).await
}

/// What the browser laid out of the documents of `plan`: charts and printable reports (see
/// `tests/browser/documents.mjs`).
pub async fn look_at(plan: &Value) -> Value {
    run("documents.mjs", plan).await
}

async fn run(script: &'static str, plan: &Value) -> Value {
    packages();
    let mut plan = plan.clone();
    plan["chromium"] = Value::String(chromium());
    let path = std::env::temp_dir().join(format!("quartier-browser-{}.json", uuid::Uuid::now_v7()));
    std::fs::write(&path, plan.to_string()).expect("write the plan");
    let run = path.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(folder().join(script))
            .arg(&run)
            .current_dir(folder())
            .output()
    })
    .await
    .expect("the browser thread")
    .expect("run node (Debian: apt install nodejs)");
    let _ = std::fs::remove_file(&path);
    assert!(
        output.status.success(),
        "the browser script failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "the browser script reported no JSON ({e}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}
