//! The public feeds checked by tools made for their formats (`tests/feeds/check.py`): Atom
//! validated against a RELAX NG schema of RFC 4287, JSON-LD expanded by a JSON-LD processor.

use std::process::Command;

use crate::mail::python_with;

/// What the check of `kind` (`atom` or `jsonld`) says of `document`: its output when it
/// passes, a panic with the reasons when it does not.
pub fn check(kind: &str, document: &str) -> String {
    let python = python_with(
        "lxml, pyld, rnc2rng",
        "Debian: apt install python3-lxml python3-pyld python3-rnc2rng; \
         or pip install lxml PyLD rnc2rng",
    );
    let path = std::env::temp_dir().join(format!("quartier-feed-{}", uuid::Uuid::now_v7()));
    std::fs::write(&path, document).expect("write the feed");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/feeds/check.py");
    let output = Command::new(python)
        .arg(script)
        .arg(kind)
        .arg(&path)
        .output()
        .expect("run the feed check");
    let _ = std::fs::remove_file(&path);
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "the {kind} check refuses the document:\n{out}{}\n{document}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}
