//! Charts of report figures as SVG, drawn with plotters: columns over the months of a period,
//! or a bar per group. Texts are German (month names, decimal commas, the indicator's name)
//! and stay text in the SVG, so browsers draw them with their own fonts and screen readers
//! read them. Every chart carries its text alternative: a `<title>`, and a `<desc>` naming
//! each value.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One column or bar: its label, and its value (`None` when there is nothing to show, with
/// `hidden` when the figure was suppressed).
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    /// How the text alternative names it (a month in full, say).
    pub spoken: String,
    pub value: Option<f64>,
    pub hidden: bool,
}

/// How the bars stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Upright columns side by side: a time series by month.
    Columns,
    /// A horizontal bar per group, labelled on the left.
    Bars,
}

/// A chart to draw.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Prefixes the ids of its title and description, unique within a page.
    pub id: String,
    pub title: String,
    /// What the value axis measures ("Anzahl", "Stunden" …).
    pub axis: String,
    pub bars: Vec<Bar>,
    pub layout: Layout,
    /// Values are shares from 0 to 1, shown as percent.
    pub percent: bool,
    /// Decimals shown.
    pub decimals: usize,
}

const WIDTH: u32 = 820;
/// A dark blue with a contrast of more than 7:1 on white.
const INK: RGBColor = RGBColor(23, 71, 130);
const GREY: RGBColor = RGBColor(90, 90, 90);

/// A number the German way: `1.234,5`; a share as percent (`16,7 %`).
pub fn german_number(value: f64, decimals: usize, percent: bool) -> String {
    let (value, suffix) = if percent {
        (value * 100.0, " %")
    } else {
        (value, "")
    };
    let decimals = if percent { 1 } else { decimals };
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (n, digit) in whole.chars().enumerate() {
        if n > 0 && (whole.len() - n) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    if fraction.is_empty() {
        format!("{sign}{grouped}{suffix}")
    } else {
        format!("{sign}{grouped},{fraction}{suffix}")
    }
}

/// The top of the value axis: a round number above the largest value.
fn axis_top(largest: f64) -> f64 {
    if largest <= 0.0 || !largest.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(largest.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|step| step * magnitude)
        .find(|top| *top >= largest * 1.08)
        .unwrap_or(10.0 * magnitude)
}

/// The last key of a segmented axis with a segment for each of `n` bars (its keys `0..=last`
/// are the segments); a single bar gets a second, empty segment, since one alone has no
/// width.
fn segments(n: usize) -> usize {
    n.saturating_sub(1).max(1)
}

/// Escapes text for XML and HTML.
pub fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl Chart {
    /// The text alternative: each bar with its value, a hidden one said to be so.
    pub fn description(&self) -> String {
        if self.bars.is_empty() {
            return "Keine Werte im Zeitraum.".into();
        }
        self.bars
            .iter()
            .map(|bar| {
                let value = match (bar.value, bar.hidden) {
                    (_, true) => "verborgen (weniger als 5 Personen)".to_owned(),
                    (Some(v), false) => german_number(v, self.decimals, self.percent),
                    (None, false) => "kein Wert".to_owned(),
                };
                format!("{}: {value}", bar.spoken)
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Its size in pixels: as wide for every chart, as high as its bars need.
    pub fn size(&self) -> (u32, u32) {
        let height = match self.layout {
            Layout::Columns => 440,
            Layout::Bars => 150 + 34 * self.bars.len().max(1) as u32,
        };
        (WIDTH, height)
    }

    /// Draws the chart on `root`, whatever the backend (SVG, PDF).
    pub fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        root.fill(&WHITE)?;
        match self.layout {
            Layout::Columns => self.columns(root),
            Layout::Bars => self.horizontal(root),
        }
    }

    /// The chart as an SVG document.
    pub fn svg(&self) -> Result<String, String> {
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, self.size()).into_drawing_area();
            self.draw(&root).map_err(|e| e.to_string())?;
            root.present().map_err(|e| e.to_string())?;
        }
        Ok(self.accessible(out))
    }

    /// Puts the title and the text alternative into the drawn SVG.
    fn accessible(&self, drawn: String) -> String {
        let id = xml(&self.id);
        let Some(start) = drawn.find("<svg") else {
            return drawn;
        };
        let Some(end) = drawn[start..].find('>').map(|i| start + i) else {
            return drawn;
        };
        format!(
            "{} role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" lang=\"de\">\
             <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>{}",
            &drawn[..end],
            xml(&self.title),
            xml(&self.description()),
            &drawn[end + 1..]
        )
    }

    fn value_label(&self, bar: &Bar) -> String {
        match (bar.value, bar.hidden) {
            (_, true) => "< 5".into(),
            (Some(v), false) => german_number(v, self.decimals, self.percent),
            (None, false) => "–".into(),
        }
    }

    fn top(&self) -> f64 {
        axis_top(self.bars.iter().filter_map(|b| b.value).fold(0.0, f64::max))
    }

    fn columns<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let n = self.bars.len().max(1);
        let top = self.top();
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 22).into_font().color(&BLACK))
            .margin(18)
            .x_label_area_size(44)
            .y_label_area_size(78)
            .build_cartesian_2d((0..segments(n)).into_segmented(), 0f64..top)?;
        let percent = self.percent;
        let decimals = self.decimals;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(RGBColor(235, 235, 235))
            .x_labels(n)
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => self
                    .bars
                    .get(*i)
                    .map(|b| b.label.clone())
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .y_desc(self.axis.as_str())
            .y_label_formatter(&|v| german_number(*v, decimals.min(1), percent))
            .label_style(("sans-serif", 14).into_font().color(&BLACK))
            .axis_desc_style(("sans-serif", 15).into_font().color(&BLACK))
            .draw()?;
        chart.draw_series(self.bars.iter().enumerate().filter_map(|(i, bar)| {
            let value = bar.value.filter(|_| !bar.hidden)?;
            let mut column = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0.0),
                    (SegmentValue::Exact(i + 1), value),
                ],
                INK.filled(),
            );
            column.set_margin(0, 0, 6, 6);
            Some(column)
        }))?;
        chart.draw_series(self.bars.iter().enumerate().map(|(i, bar)| {
            let height = bar.value.filter(|_| !bar.hidden).unwrap_or(0.0);
            let colour = if bar.hidden { GREY } else { BLACK };
            Text::new(
                self.value_label(bar),
                (SegmentValue::CenterOf(i), height + top * 0.015),
                ("sans-serif", 13)
                    .into_font()
                    .color(&colour)
                    .pos(Pos::new(HPos::Center, VPos::Bottom)),
            )
        }))?;
        Ok(())
    }

    fn horizontal<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let n = self.bars.len().max(1);
        let top = self.top();
        let longest = self
            .bars
            .iter()
            .map(|b| b.label.chars().count())
            .max()
            .unwrap_or(4);
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 22).into_font().color(&BLACK))
            .margin(18)
            .x_label_area_size(52)
            .y_label_area_size((longest as u32 * 8 + 16).clamp(60, 300))
            .build_cartesian_2d(0f64..top, (0..segments(n)).into_segmented())?;
        let percent = self.percent;
        let decimals = self.decimals;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(RGBColor(235, 235, 235))
            .y_labels(n)
            .y_label_formatter(&|y| match y {
                SegmentValue::CenterOf(i) => n
                    .checked_sub(1 + *i)
                    .and_then(|at| self.bars.get(at))
                    .map(|b| b.label.clone())
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .x_desc(self.axis.as_str())
            .x_label_formatter(&|v| german_number(*v, decimals.min(1), percent))
            .label_style(("sans-serif", 14).into_font().color(&BLACK))
            .axis_desc_style(("sans-serif", 15).into_font().color(&BLACK))
            .draw()?;
        // The first bar on top.
        let slot = |i: usize| n - 1 - i;
        chart.draw_series(self.bars.iter().enumerate().filter_map(|(i, bar)| {
            let value = bar.value.filter(|_| !bar.hidden)?;
            let mut rect = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(slot(i))),
                    (value, SegmentValue::Exact(slot(i) + 1)),
                ],
                INK.filled(),
            );
            rect.set_margin(5, 5, 0, 0);
            Some(rect)
        }))?;
        chart.draw_series(self.bars.iter().enumerate().map(|(i, bar)| {
            let length = bar.value.filter(|_| !bar.hidden).unwrap_or(0.0);
            let colour = if bar.hidden { GREY } else { BLACK };
            Text::new(
                self.value_label(bar),
                (length + top * 0.01, SegmentValue::CenterOf(slot(i))),
                ("sans-serif", 13)
                    .into_font()
                    .color(&colour)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            )
        }))?;
        Ok(())
    }
}

/// German month names, for labels (short) and the text alternative (long).
pub const MONTHS: [(&str, &str); 12] = [
    ("Jan", "Januar"),
    ("Feb", "Februar"),
    ("Mär", "März"),
    ("Apr", "April"),
    ("Mai", "Mai"),
    ("Jun", "Juni"),
    ("Jul", "Juli"),
    ("Aug", "August"),
    ("Sep", "September"),
    ("Okt", "Oktober"),
    ("Nov", "November"),
    ("Dez", "Dezember"),
];

/// A month `YYYY-MM` as a label (`Mär 25`) and in full (`März 2025`).
pub fn month_names(month: &str) -> (String, String) {
    let (year, number) = month.split_once('-').unwrap_or((month, "1"));
    let index = number.parse::<usize>().unwrap_or(1).clamp(1, 12) - 1;
    let (short, long) = MONTHS[index];
    let year_short = year.get(2..).unwrap_or(year);
    (format!("{short} {year_short}"), format!("{long} {year}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_the_german_way() {
        assert_eq!(german_number(6.5, 2, false), "6,50");
        assert_eq!(german_number(1234.0, 0, false), "1.234");
        assert_eq!(german_number(1234567.26, 1, false), "1.234.567,3");
        assert_eq!(german_number(0.1667, 3, true), "16,7 %");
        assert_eq!(german_number(0.0, 0, false), "0");
    }

    #[test]
    fn a_chart_carries_its_text_alternative_and_its_labels_as_text() {
        let chart = Chart {
            id: "chart".into(),
            title: "Besuche nach Monat".into(),
            axis: "Anzahl".into(),
            bars: vec![
                Bar {
                    label: "Mär 25".into(),
                    spoken: "März 2025".into(),
                    value: Some(12.0),
                    hidden: false,
                },
                Bar {
                    label: "Apr 25".into(),
                    spoken: "April 2025".into(),
                    value: None,
                    hidden: true,
                },
            ],
            layout: Layout::Columns,
            percent: false,
            decimals: 0,
        };
        let svg = chart.svg().expect("drawn");
        assert!(svg.contains("<title id=\"chart-title\">Besuche nach Monat</title>"));
        assert!(svg.contains(
            "<desc id=\"chart-desc\">März 2025: 12; April 2025: verborgen (weniger als 5 Personen)</desc>"
        ));
        assert!(svg.contains("Mär 25") && svg.contains("&lt; 5"), "{svg}");
        assert_eq!(
            month_names("2025-03"),
            ("Mär 25".into(), "März 2025".into())
        );
    }
}
