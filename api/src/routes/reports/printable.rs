//! A frozen report as a printable German document, to attach to a Sachbericht: the
//! narrative, the figures per group, a chart for each indicator where the report is grouped
//! by one dimension, and the definitions it was counted by. Laid out once as blocks, then
//! written as HTML (with inline SVG charts) or as PDF.

use quartier_domain::activity::Category;
use quartier_domain::reporting::{Dimension, Indicator, Period, Unit};

use super::charts::chart;
use super::indicators::ReportRow;
use super::snapshots::SnapshotResponse;
use crate::charts::{Chart, german_number, month_names, xml as escape};
use crate::error::ApiError;
use crate::pdf::Document;

/// One part of the printed report.
enum Block {
    Title(String),
    Meta(String),
    Heading(String),
    Subheading(String),
    /// Paragraphs separated by blank lines; `None`: nothing was written.
    Text(Option<String>),
    Note(String),
    /// Label and value.
    Table(Vec<(String, String)>),
    Chart(Box<Chart>),
    Definitions(Vec<(String, String)>),
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
    if let Some(c) = row.help_category {
        parts.push(
            quartier_domain::help::HelpCategory::from(c)
                .german()
                .to_owned(),
        );
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
        (_, true) => "< 5 (verborgen)".into(),
        (None, false) => "–".into(),
        (Some(v), false) => german_number(v, unit.shown_decimals(), unit == Unit::Share),
    }
}

/// The report as blocks.
fn blocks(snapshot: &SnapshotResponse) -> Vec<Block> {
    let report = &snapshot.report;
    let mut out = vec![
        Block::Title(snapshot.title.clone()),
        Block::Meta(format!(
            "Zeitraum: {} bis {} · Kennzahlen nach Definitionen der Version {} · eingefroren am {}{}",
            snapshot.from.format("%d.%m.%Y"),
            snapshot.to.format("%d.%m.%Y"),
            snapshot.catalogue_version,
            snapshot.created_at.format("%d.%m.%Y"),
            if snapshot.small_cells_hidden {
                " · Zahlen unter 5 Personen sind verborgen"
            } else {
                ""
            }
        )),
    ];
    for (heading, text) in [
        ("Ziele", &snapshot.narrative.goals),
        ("Was geschah", &snapshot.narrative.what_happened),
        (
            "Beobachtete Veränderungen",
            &snapshot.narrative.observed_changes,
        ),
    ] {
        out.push(Block::Heading(heading.into()));
        out.push(Block::Text(
            Some(text.trim().to_owned()).filter(|t| !t.is_empty()),
        ));
    }
    out.push(Block::Heading("Kennzahlen".into()));
    if report.rows.is_empty() {
        out.push(Block::Note("Keine Werte im Zeitraum.".into()));
    }
    for row in &report.rows {
        if report.rows.len() > 1 || !report.group_by.is_empty() {
            out.push(Block::Subheading(group_name(row)));
        }
        out.push(Block::Table(
            row.values
                .iter()
                .map(|v| {
                    (
                        v.indicator.0.label().0.to_owned(),
                        value_text(v.indicator.0, v.value, v.suppressed),
                    )
                })
                .collect(),
        ));
    }
    out.push(Block::Heading("Diagramme".into()));
    match report.group_by.as_slice() {
        [one] => {
            let period = Period {
                first: snapshot.from,
                last: snapshot.to,
            };
            for (n, key) in report.indicators.iter().enumerate() {
                out.push(Block::Chart(Box::new(chart(
                    &format!("chart-{n}"),
                    key.0,
                    Dimension::from(*one),
                    period,
                    report,
                ))));
            }
        }
        _ => out.push(Block::Note(
            "Diagramme zeigt der Bericht, wenn er nach genau einer Größe gegliedert ist \
             (Monat, Stadtteil, Zentrum, Träger, Art des Angebots oder Art der Hilfe)."
                .into(),
        )),
    }
    out.push(Block::Heading("Definitionen".into()));
    out.push(Block::Definitions(
        report
            .indicators
            .iter()
            .map(|k| (k.0.label().0.to_owned(), k.0.definition().0.to_owned()))
            .collect(),
    ));
    out
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

/// The printable report as HTML.
pub fn html(snapshot: &SnapshotResponse) -> Result<String, ApiError> {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(&snapshot.title)
    );
    for block in blocks(snapshot) {
        match block {
            Block::Title(text) => out.push_str(&format!("<h1>{}</h1>\n", escape(&text))),
            Block::Meta(text) => {
                out.push_str(&format!("<p class=\"meta\">{}</p>\n", escape(&text)))
            }
            Block::Heading(text) => out.push_str(&format!("<h2>{}</h2>\n", escape(&text))),
            Block::Subheading(text) => out.push_str(&format!("<h3>{}</h3>\n", escape(&text))),
            Block::Text(None) => out.push_str("<p class=\"none\">Keine Angabe.</p>\n"),
            Block::Text(Some(text)) => {
                for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
                    out.push_str(&format!(
                        "<p>{}</p>\n",
                        escape(paragraph).replace('\n', "<br>")
                    ));
                }
            }
            Block::Note(text) => {
                out.push_str(&format!("<p class=\"none\">{}</p>\n", escape(&text)))
            }
            Block::Table(rows) => {
                out.push_str(
                    "<table>\n<thead><tr><th scope=\"col\">Kennzahl</th>\
                     <th scope=\"col\">Wert</th></tr></thead>\n<tbody>\n",
                );
                for (label, value) in rows {
                    out.push_str(&format!(
                        "<tr><th scope=\"row\">{}</th><td class=\"value\">{}</td></tr>\n",
                        escape(&label),
                        escape(&value)
                    ));
                }
                out.push_str("</tbody>\n</table>\n");
            }
            Block::Chart(chart) => {
                let svg = chart
                    .svg()
                    .map_err(|e| ApiError::Internal(format!("drawing a chart: {e}")))?;
                out.push_str(&format!("<figure>\n{svg}\n</figure>\n"));
            }
            Block::Definitions(items) => {
                out.push_str("<dl>\n");
                for (label, definition) in items {
                    out.push_str(&format!(
                        "<dt>{}</dt><dd>{}</dd>\n",
                        escape(&label),
                        escape(&definition)
                    ));
                }
                out.push_str("</dl>\n");
            }
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    Ok(out)
}

/// The printable report as PDF (A4).
pub fn pdf(snapshot: &SnapshotResponse) -> Result<Vec<u8>, ApiError> {
    let mut document = Document::new(&snapshot.title);
    for block in blocks(snapshot) {
        match block {
            Block::Title(text) => document.heading(1, &text),
            Block::Meta(text) => document.paragraph(&text, 9.5),
            Block::Heading(text) => document.heading(2, &text),
            Block::Subheading(text) => document.paragraph(&text, 11.5),
            Block::Text(None) => document.paragraph("Keine Angabe.", 10.5),
            Block::Text(Some(text)) => {
                for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
                    document.paragraph(paragraph, 10.5);
                }
            }
            Block::Note(text) => document.paragraph(&text, 10.5),
            Block::Table(rows) => {
                for (label, value) in rows {
                    document.row(&label, &value);
                }
            }
            Block::Chart(chart) => document
                .chart(&chart)
                .map_err(|e| ApiError::Internal(format!("drawing a chart: {e}")))?,
            Block::Definitions(items) => {
                for (label, definition) in items {
                    document.paragraph(&label, 11.0);
                    document.paragraph(&definition, 10.0);
                }
            }
        }
    }
    Ok(document.finish())
}
