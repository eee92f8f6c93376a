//! A frozen report as a printable German document (HTML with inline SVG charts), to attach
//! to a Sachbericht or print to PDF: the narrative, the figures per group, a chart for each
//! indicator where the report is grouped by one dimension, and the definitions it was
//! counted by.

use quartier_domain::activity::Category;
use quartier_domain::reporting::{Dimension, Indicator, Period};

use super::charts::chart;
use super::indicators::ReportRow;
use super::snapshots::SnapshotResponse;
use crate::charts::{german_number, month_names};
use crate::error::ApiError;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Paragraphs of a narrative text: blank lines separate them, single line breaks stay.
fn paragraphs(text: &str) -> String {
    let shown: Vec<String> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>")))
        .collect();
    if shown.is_empty() {
        "<p class=\"none\">Keine Angabe.</p>".into()
    } else {
        shown.join("\n")
    }
}

/// How a group is named in headings.
fn group_name(row: &ReportRow) -> String {
    let mut parts = Vec::new();
    if let Some(d) = &row.district {
        parts.push(d.name.clone());
    }
    if let Some(c) = &row.centre {
        parts.push(c.name.clone());
    }
    if let Some(o) = &row.operator {
        parts.push(o.name.clone());
    }
    if let Some(c) = row.category {
        parts.push(Category::from(c).german().to_owned());
    }
    if let Some(m) = &row.month {
        parts.push(month_names(m).1);
    }
    if parts.is_empty() {
        "Gesamt".into()
    } else {
        parts.join(" · ")
    }
}

fn value_text(indicator: Indicator, value: Option<f64>, suppressed: bool) -> String {
    let unit = indicator.unit();
    match (value, suppressed) {
        (_, true) => "&lt; 5 (verborgen)".into(),
        (None, false) => "–".into(),
        (Some(v), false) => {
            let decimals = match unit {
                quartier_domain::reporting::Unit::Count => 0,
                _ => 1,
            };
            german_number(v, decimals, unit == quartier_domain::reporting::Unit::Share)
        }
    }
}

const STYLE: &str = "\
body { font-family: 'DejaVu Sans', Arial, sans-serif; color: #111; margin: 2rem auto; max-width: 52rem; line-height: 1.45; }\
h1 { font-size: 1.7rem; margin-bottom: .3rem; } h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 2px solid #174782; }\
h3 { font-size: 1.05rem; margin-top: 1.2rem; } .meta { color: #333; } .none { color: #555; font-style: italic; }\
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; break-inside: avoid; }\
th, td { border: 1px solid #999; padding: .25rem .5rem; text-align: left; vertical-align: top; }\
td.value { text-align: right; white-space: nowrap; } figure { margin: 1rem 0; break-inside: avoid; }\
svg { max-width: 100%; height: auto; } dt { font-weight: bold; margin-top: .5rem; } dd { margin-left: 1rem; }\
@page { size: A4; margin: 18mm 16mm; } @media print { body { margin: 0; max-width: none; } }";

/// The printable report.
pub fn html(snapshot: &SnapshotResponse) -> Result<String, ApiError> {
    let report = &snapshot.report;
    let indicators: Vec<Indicator> = report.indicators.iter().map(|k| k.0).collect();
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(&format!("<title>{}</title>\n", escape(&snapshot.title)));
    out.push_str(&format!(
        "<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
    ));
    out.push_str(&format!("<h1>{}</h1>\n", escape(&snapshot.title)));
    out.push_str(&format!(
        "<p class=\"meta\">Zeitraum: {} bis {} · Kennzahlen nach Definitionen der Version {} · \
         eingefroren am {}{}</p>\n",
        snapshot.from.format("%d.%m.%Y"),
        snapshot.to.format("%d.%m.%Y"),
        snapshot.catalogue_version,
        snapshot.created_at.format("%d.%m.%Y"),
        if snapshot.small_cells_hidden {
            " · Zahlen unter 5 Personen sind verborgen"
        } else {
            ""
        }
    ));
    for (heading, text) in [
        ("Ziele", &snapshot.narrative.goals),
        ("Was geschah", &snapshot.narrative.what_happened),
        (
            "Beobachtete Veränderungen",
            &snapshot.narrative.observed_changes,
        ),
    ] {
        out.push_str(&format!("<h2>{heading}</h2>\n{}\n", paragraphs(text)));
    }

    out.push_str("<h2>Kennzahlen</h2>\n");
    if report.rows.is_empty() {
        out.push_str("<p class=\"none\">Keine Werte im Zeitraum.</p>\n");
    }
    for row in &report.rows {
        if report.rows.len() > 1 || !report.group_by.is_empty() {
            out.push_str(&format!("<h3>{}</h3>\n", escape(&group_name(row))));
        }
        out.push_str("<table>\n<thead><tr><th scope=\"col\">Kennzahl</th><th scope=\"col\">Wert</th></tr></thead>\n<tbody>\n");
        for value in &row.values {
            let (label, _) = value.indicator.0.label();
            out.push_str(&format!(
                "<tr><th scope=\"row\">{}</th><td class=\"value\">{}</td></tr>\n",
                escape(label),
                value_text(value.indicator.0, value.value, value.suppressed)
            ));
        }
        out.push_str("</tbody>\n</table>\n");
    }

    out.push_str("<h2>Diagramme</h2>\n");
    match report.group_by.as_slice() {
        [one] => {
            let dimension = Dimension::from(*one);
            let period = Period {
                first: snapshot.from,
                last: snapshot.to,
            };
            for (n, &indicator) in indicators.iter().enumerate() {
                let svg = chart(&format!("chart-{n}"), indicator, dimension, period, report)
                    .svg()
                    .map_err(|e| ApiError::Internal(format!("drawing a chart: {e}")))?;
                out.push_str(&format!("<figure>\n{svg}\n</figure>\n"));
            }
        }
        _ => out.push_str(
            "<p class=\"none\">Diagramme zeigt der Bericht, wenn er nach genau einer Größe \
             gegliedert ist (Monat, Stadtteil, Zentrum, Träger oder Art des Angebots).</p>\n",
        ),
    }

    out.push_str("<h2>Definitionen</h2>\n<dl>\n");
    for indicator in &indicators {
        let (label, _) = indicator.label();
        let (definition, _) = indicator.definition();
        out.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>\n",
            escape(label),
            escape(definition)
        ));
    }
    out.push_str("</dl>\n</main>\n</body>\n</html>\n");
    Ok(out)
}
