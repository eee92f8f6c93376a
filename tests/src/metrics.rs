//! `/metrics` read by the Prometheus project's own parser (Python's `prometheus_client`), as
//! a scraper would read it.

use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::mail::python_with;

const PARSE: &str = r#"
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
families = []
for family in text_string_to_metric_families(sys.stdin.read()):
    families.append({
        "name": family.name,
        "type": family.type,
        "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in family.samples],
    })
print(json.dumps(families))
"#;

/// The metric families of `text`, as the OpenMetrics parser reads them: a list of
/// `{name, type, samples: [{name, labels, value}]}`. Panics when the parser refuses the text.
pub fn parse(text: &str) -> Vec<Value> {
    let python = python_with(
        "prometheus_client",
        "Debian: apt install python3-prometheus-client; or pip install prometheus-client",
    );
    let mut child = Command::new(python)
        .args(["-c", PARSE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the parser");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write the metrics");
    let output = child.wait_with_output().expect("the parser ends");
    assert!(
        output.status.success(),
        "the OpenMetrics parser refuses /metrics: {}\n{text}",
        String::from_utf8_lossy(&output.stderr)
    );
    let parsed: Value = serde_json::from_slice(&output.stdout).expect("the parser's JSON");
    parsed.as_array().expect("a list").clone()
}

/// The samples named `name` whose labels include every pair of `labels`.
pub fn samples<'a>(families: &'a [Value], name: &str, labels: &[(&str, &str)]) -> Vec<&'a Value> {
    families
        .iter()
        .flat_map(|family| family["samples"].as_array().into_iter().flatten())
        .filter(|sample| sample["name"] == name)
        .filter(|sample| labels.iter().all(|(k, v)| sample["labels"][*k] == *v))
        .collect()
}

/// The value of the one sample named `name` with `labels`; panics when there is none.
pub fn value(families: &[Value], name: &str, labels: &[(&str, &str)]) -> f64 {
    let found = samples(families, name, labels);
    assert!(!found.is_empty(), "no sample {name} {labels:?}");
    found
        .iter()
        .map(|s| s["value"].as_f64().expect("a number"))
        .sum()
}
