//! PDF documents, written with pdf-writer in the base-14 fonts every PDF reader has
//! (Helvetica, WinAnsiEncoding, nothing embedded): pages of headings, paragraphs, two-column
//! tables and charts. Charts are drawn by the same plotters code as their SVG, through a
//! drawing backend that writes PDF paths and text.

use std::fmt;

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontTransform,
};

use crate::charts::Chart;

/// A4 in points.
const PAGE: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 50.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// Text in WinAnsiEncoding: Latin-1 as it is, the typographic marks German uses at their
/// places, anything else as `?`.
pub fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '\t' | '\n' | '\r' => b' ',
            _ => b'?',
        })
        .collect()
}

/// The width of `text` in Helvetica at `size`, estimated by kinds of letters (a little wide
/// rather than narrow, so that lines never run over).
pub fn text_width(text: &str, size: f32) -> f32 {
    let em: f32 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '!' | '|' | '\'' | 'I' => 0.28,
            ' ' | 'f' | 't' | 'r' | '(' | ')' | '-' | '/' => 0.36,
            'm' | 'w' | 'M' | 'W' | '%' | '@' => 0.86,
            '0'..='9' => 0.56,
            c if c.is_uppercase() => 0.70,
            _ => 0.56,
        })
        .sum();
    em * size
}

/// A word cut into pieces that each fit `width` (a long address or a word of fifty letters).
fn pieces(word: &str, size: f32, width: f32) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    for c in word.chars() {
        if !current.is_empty() && text_width(&format!("{current}{c}"), size) > width {
            pieces.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    pieces.push(current);
    pieces
}

/// Lines of `text` no wider than `width` at `size`.
fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph_line in text.lines() {
        let mut line = String::new();
        for whole in paragraph_line.split_whitespace() {
            for word in pieces(whole, size, width) {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if text_width(&candidate, size) > width && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line = word.to_owned();
                } else {
                    line = candidate;
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// A document being laid out page by page, top to bottom.
pub struct Document {
    title: String,
    pages: Vec<Content>,
    page: Content,
    /// Where the next line's top is, from the page's bottom.
    y: f32,
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("title", &self.title)
            .field("pages", &(self.pages.len() + 1))
            .finish()
    }
}

impl Document {
    pub fn new(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            pages: Vec::new(),
            page: Content::new(),
            y: PAGE.1 - MARGIN,
        }
    }

    fn width() -> f32 {
        PAGE.0 - 2.0 * MARGIN
    }

    /// Starts a new page unless `height` more fits on this one.
    fn room(&mut self, height: f32) {
        if self.y - height < MARGIN {
            let done = std::mem::replace(&mut self.page, Content::new());
            self.pages.push(done);
            self.y = PAGE.1 - MARGIN;
        }
    }

    fn text_at(&mut self, font: Name<'_>, size: f32, x: f32, baseline: f32, text: &str) {
        self.page
            .begin_text()
            .set_font(font, size)
            .next_line(x, baseline)
            .show(Str(&win_ansi(text)))
            .end_text();
    }

    /// A heading: `level` 1 (the title) or 2.
    pub fn heading(&mut self, level: u8, text: &str) {
        let size = if level == 1 { 20.0 } else { 14.0 };
        let gap = if level == 1 { 0.0 } else { 14.0 };
        for (n, line) in wrap(text, size, Self::width()).iter().enumerate() {
            self.room(size * 1.3 + gap + 2.0 * size);
            if n == 0 {
                self.y -= gap;
            }
            self.y -= size * 1.25;
            self.text_at(BOLD, size, MARGIN, self.y, line);
        }
        self.y -= size * 0.4;
    }

    /// A paragraph, wrapped; its line breaks kept.
    pub fn paragraph(&mut self, text: &str, size: f32) {
        for line in wrap(text, size, Self::width()) {
            self.room(size * 1.4);
            self.y -= size * 1.4;
            self.text_at(REGULAR, size, MARGIN, self.y, &line);
        }
        self.y -= size * 0.6;
    }

    /// A row of a two-column table: a label on the left, a value at the right edge.
    pub fn row(&mut self, label: &str, value: &str) {
        let size = 10.5;
        let value_width = text_width(value, size);
        let lines = wrap(label, size, Self::width() - value_width - 24.0);
        let height = lines.len() as f32 * size * 1.35 + 4.0;
        self.room(height);
        let top = self.y;
        for (n, line) in lines.iter().enumerate() {
            self.y -= size * 1.35;
            self.text_at(REGULAR, size, MARGIN + 4.0, self.y, line);
            if n == 0 {
                self.text_at(
                    REGULAR,
                    size,
                    PAGE.0 - MARGIN - 4.0 - value_width,
                    self.y,
                    value,
                );
            }
        }
        self.y -= 4.0;
        self.page
            .set_stroke_rgb(0.6, 0.6, 0.6)
            .set_line_width(0.5)
            .move_to(MARGIN, self.y)
            .line_to(PAGE.0 - MARGIN, self.y)
            .stroke();
        let _ = top;
    }

    /// A chart, scaled to the page's width.
    pub fn chart(&mut self, chart: &Chart) -> Result<(), String> {
        let (w, h) = chart.size();
        // As wide as the page allows, and never taller than a page.
        let scale = (Self::width() / w as f32).min((PAGE.1 - 2.0 * MARGIN - 12.0) / h as f32);
        let height = h as f32 * scale;
        self.room(height + 12.0);
        self.y -= 6.0;
        {
            let backend = PdfCanvas {
                content: &mut self.page,
                size: (w, h),
                left: MARGIN,
                top: self.y,
                scale,
            };
            let root = backend.into_drawing_area();
            chart.draw(&root).map_err(|e| e.to_string())?;
            root.present().map_err(|e| e.to_string())?;
        }
        self.y -= height + 6.0;
        Ok(())
    }

    /// The finished PDF: its pages, numbered at the foot, the title in its metadata, German
    /// as its language.
    pub fn finish(mut self) -> Vec<u8> {
        let last = std::mem::replace(&mut self.page, Content::new());
        self.pages.push(last);
        let count = self.pages.len();
        let catalog = Ref::new(1);
        let tree = Ref::new(2);
        let regular = Ref::new(3);
        let bold = Ref::new(4);
        let info = Ref::new(5);
        let first_page = 6;
        let mut pdf = Pdf::new();
        pdf.catalog(catalog).pages(tree).lang(TextStr("de"));
        pdf.pages(tree)
            .kids((0..count).map(|n| Ref::new(first_page + 2 * n as i32)))
            .count(count as i32);
        for (font, name) in [(regular, "Helvetica"), (bold, "Helvetica-Bold")] {
            pdf.type1_font(font)
                .base_font(Name(name.as_bytes()))
                .encoding_predefined(Name(b"WinAnsiEncoding"));
        }
        pdf.document_info(info)
            .title(TextStr(&self.title))
            .producer(TextStr("Quartier"));
        for (n, mut content) in self.pages.into_iter().enumerate() {
            let page_id = Ref::new(first_page + 2 * n as i32);
            let content_id = Ref::new(first_page + 2 * n as i32 + 1);
            let foot = format!("Seite {} von {count}", n + 1);
            content
                .begin_text()
                .set_font(REGULAR, 9.0)
                .next_line(PAGE.0 - MARGIN - text_width(&foot, 9.0), MARGIN / 2.0)
                .show(Str(&win_ansi(&foot)))
                .end_text();
            let mut page = pdf.page(page_id);
            page.media_box(Rect::new(0.0, 0.0, PAGE.0, PAGE.1))
                .parent(tree)
                .contents(content_id);
            page.resources()
                .fonts()
                .pair(REGULAR, regular)
                .pair(BOLD, bold);
            page.finish();
            pdf.stream(content_id, &content.finish());
        }
        pdf.finish()
    }
}

/// A plotters drawing backend that writes into a PDF page: the chart's pixel grid of
/// `size`, its top left corner at `left`, `top` on the page, `scale` points per pixel.
struct PdfCanvas<'a> {
    content: &'a mut Content,
    size: (u32, u32),
    left: f32,
    top: f32,
    scale: f32,
}

#[derive(Debug)]
pub struct PdfError;

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("drawing into a PDF failed")
    }
}

impl std::error::Error for PdfError {}

type Drawn = Result<(), DrawingErrorKind<PdfError>>;

impl PdfCanvas<'_> {
    fn at(&self, (x, y): BackendCoord) -> (f32, f32) {
        (
            self.left + x as f32 * self.scale,
            self.top - y as f32 * self.scale,
        )
    }

    /// Sets the colour for filling and stroking, a translucent one as it shows on white;
    /// `false` for a fully transparent one.
    fn colour(&mut self, color: BackendColor) -> bool {
        let alpha = color.alpha.clamp(0.0, 1.0) as f32;
        let on_white = |c: u8| 1.0 - alpha * (1.0 - c as f32 / 255.0);
        let (r, g, b) = color.rgb;
        let (r, g, b) = (on_white(r), on_white(g), on_white(b));
        self.content.set_fill_rgb(r, g, b).set_stroke_rgb(r, g, b);
        color.alpha > 0.0
    }
}

impl DrawingBackend for PdfCanvas<'_> {
    type ErrorType = PdfError;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Drawn {
        Ok(())
    }

    fn present(&mut self) -> Drawn {
        Ok(())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Drawn {
        if self.colour(color) {
            let (x, y) = self.at(point);
            self.content
                .rect(x, y - self.scale, self.scale, self.scale)
                .fill_nonzero();
        }
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Drawn {
        if self.colour(style.color()) {
            let ((x0, y0), (x1, y1)) = (self.at(from), self.at(to));
            self.content
                .set_line_width(style.stroke_width() as f32 * self.scale)
                .move_to(x0, y0)
                .line_to(x1, y1)
                .stroke();
        }
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Drawn {
        if self.colour(style.color()) {
            let ((x0, y0), (x1, y1)) = (self.at(upper_left), self.at(bottom_right));
            self.content
                .set_line_width(style.stroke_width() as f32 * self.scale)
                .rect(x0, y1, x1 - x0, y0 - y1);
            if fill {
                self.content.fill_nonzero();
            } else {
                self.content.stroke();
            }
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn {
        if self.colour(style.color()) {
            self.content
                .set_line_width(style.stroke_width() as f32 * self.scale);
            for (n, point) in path.into_iter().enumerate() {
                let (x, y) = self.at(point);
                if n == 0 {
                    self.content.move_to(x, y);
                } else {
                    self.content.line_to(x, y);
                }
            }
            self.content.stroke();
        }
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Drawn {
        if self.colour(style.color()) {
            for (n, point) in vert.into_iter().enumerate() {
                let (x, y) = self.at(point);
                if n == 0 {
                    self.content.move_to(x, y);
                } else {
                    self.content.line_to(x, y);
                }
            }
            self.content.close_path().fill_nonzero();
        }
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Drawn {
        let r = radius as f64;
        let points: Vec<BackendCoord> = (0..=24)
            .map(|n| {
                let a = n as f64 / 24.0 * std::f64::consts::TAU;
                (
                    center.0 + (r * a.cos()).round() as i32,
                    center.1 + (r * a.sin()).round() as i32,
                )
            })
            .collect();
        if fill {
            self.fill_polygon(points, style)
        } else {
            self.draw_path(points, style)
        }
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Drawn {
        if !self.colour(style.color()) {
            return Ok(());
        }
        let size = style.size() as f32;
        let width = text_width(text, size);
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -width / 2.0,
            HPos::Right => -width,
        };
        // From the anchor to the baseline, in pixels downwards.
        let dy = match anchor.v_pos {
            VPos::Top => size * 0.8,
            VPos::Center => size * 0.35,
            VPos::Bottom => 0.0,
        };
        let (x, y) = self.at(pos);
        let s = self.scale;
        let font = if matches!(style.style(), plotters_backend::FontStyle::Bold) {
            BOLD
        } else {
            REGULAR
        };
        let matrix = match style.transform() {
            FontTransform::Rotate270 => [0.0, 1.0, -1.0, 0.0, x + dy * s, y + dx * s],
            FontTransform::Rotate90 => [0.0, -1.0, 1.0, 0.0, x - dy * s, y - dx * s],
            _ => [1.0, 0.0, 0.0, 1.0, x + dx * s, y - dy * s],
        };
        self.content
            .begin_text()
            .set_font(font, size * s)
            .set_text_matrix(matrix)
            .show(Str(&win_ansi(text)))
            .end_text();
        Ok(())
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let size = style.size() as f32;
        let (w, h) = (text_width(text, size), size);
        Ok(match style.transform() {
            FontTransform::Rotate90 | FontTransform::Rotate270 => (h as u32, w as u32),
            _ => (w as u32, h as u32),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_letters_and_marks_are_win_ansi() {
        assert_eq!(
            win_ansi("Größe „Ü“ – 5 €"),
            b"Gr\xf6\xdfe \x84\xdc\x93 \x96 5 \x80".to_vec()
        );
        assert_eq!(win_ansi("→"), b"?".to_vec());
    }

    #[test]
    fn long_text_wraps_within_the_width() {
        let text = "Ältere Nachbarinnen und Nachbarn kommen jede Woche ins Erzählcafé, \
                    manche zum ersten Mal, viele seit Jahren.";
        let lines = wrap(text, 11.0, 200.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| text_width(l, 11.0) <= 200.0));
        assert_eq!(lines.join(" "), text);
        let long = "x".repeat(300);
        let cut = wrap(&long, 11.0, 200.0);
        assert!(cut.len() > 1 && cut.iter().all(|l| text_width(l, 11.0) <= 200.0));
        assert_eq!(cut.concat(), long);
    }
}
