//! CSV for rosters: one cell rule and one row writer for both dialects, RFC 4180 (`,`) and the
//! one spreadsheet programs set up for German open with a double click (`;`, byte order mark).
//!
//! Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` as a formula (some
//! also after a leading tab or CR, which they drop): a volunteer's name must never become a
//! live formula on a coordinator's computer. Quoting does not suffice, because a program may
//! split lines on another character than the one the file was written with: opened with `;`,
//! the line `…,"Anna;=HYPERLINK(""x"")",…` of a `,` file gives a cell `=HYPERLINK("x")",…`,
//! our quotes being in the middle of a cell where they mean nothing.
//!
//! So [`cell`] looks at every place where any program could begin a cell — the start of the
//! text and the character after each `,`, `;`, tab, CR and LF in it — and, past the quotes and
//! white space a program may drop there, puts an apostrophe before a `=`, `+`, `-`, `@`, tab
//! or CR. Why this holds however a program splits the line, on `,`, `;` or tab (or several):
//! - A cell it makes begins after a character it splits on, or at the start of a line. In our
//!   output that is the start of one of our cells (after our separator or a line break) or
//!   the character after a `,`, `;`, tab, CR or LF inside a cell's text: both places the rule
//!   looked at, whatever separator we wrote.
//! - What the program reads there is the quotes we added (an opening `"`, doubled `""`) and
//!   the text's own quotes and white space, then the first other character: the one the rule
//!   looked past the same characters to reach. It is harmless or the apostrophe, and a cell
//!   starting with `'` is text in every spreadsheet program.
//! - The apostrophe is neither a separator, a quote nor white space: inserting it opens no new
//!   place to look at and hides no other one.
//!
//! Text that starts none of these stays as it was: `Jörg Müller-Lüdenscheidt` is unchanged.

/// How a CSV answer is written: the separator and whether a byte order mark leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    separator: char,
    byte_order_mark: bool,
}

impl Dialect {
    /// RFC 4180: separated by `,`.
    pub const RFC_4180: Self = Self {
        separator: ',',
        byte_order_mark: false,
    };
    /// What Excel and LibreOffice set up for German open directly: separated by `;` (the
    /// German list separator), and starting with a UTF-8 byte order mark, without which Excel
    /// reads the text as Windows-1252 and garbles every umlaut.
    pub const SPREADSHEET: Self = Self {
        separator: ';',
        byte_order_mark: true,
    };

    /// Starts a file: the byte order mark, if any, and the line of column names (given
    /// separated by `,`).
    pub fn begin(self, out: &mut String, columns: &str) {
        if self.byte_order_mark {
            out.push('\u{FEFF}');
        }
        self.row(out, columns.split(','));
    }

    /// Appends one line, each value written as a [`cell`].
    pub fn row<S: AsRef<str>>(self, out: &mut String, values: impl IntoIterator<Item = S>) {
        for (n, value) in values.into_iter().enumerate() {
            if n > 0 {
                out.push(self.separator);
            }
            out.push_str(&cell(value.as_ref()));
        }
        out.push_str("\r\n");
    }
}

/// Where a program may begin a cell: after any character some program splits on.
const SPLITS: [char; 5] = [',', ';', '\t', '\r', '\n'];
/// What spreadsheet programs read as the start of a formula (OWASP's list).
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// What a program may drop at the start of a cell before it looks for a formula.
fn dropped(c: char) -> bool {
    c == '"' || c.is_whitespace()
}

/// One CSV cell, inert in spreadsheet programs by the rule in the module comment, and quoted
/// (RFC 4180) when it holds either separator, a tab, a quote or a line break, so that it
/// reads whole in both dialects.
pub fn cell(value: &str) -> String {
    let mut text = String::with_capacity(value.len() + 2);
    let mut may_begin = true;
    for c in value.chars() {
        if may_begin && TRIGGERS.contains(&c) {
            text.push('\'');
        }
        text.push(c);
        may_begin = SPLITS.contains(&c) || (may_begin && dropped(c));
    }
    if text.contains([',', ';', '\t', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::{Dialect, cell};

    #[test]
    fn formulas_become_text_and_names_stay_readable() {
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("-5"), "'-5");
        assert_eq!(cell("@x"), "'@x");
        assert_eq!(cell("+49 231"), "'+49 231");
        assert_eq!(cell("\tx"), "\"'\tx\"");
        assert_eq!(cell("\r=1"), "\"'\r'=1\"");
        assert_eq!(cell(" =1"), " '=1");
        assert_eq!(
            cell("Anna;=HYPERLINK(\"http://x\")"),
            "\"Anna;'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(cell("a,+b"), "\"a,'+b\"");
        assert_eq!(cell("a, \"-b"), "\"a, \"\"'-b\"");
        assert_eq!(cell("a;\t=b"), "\"a;'\t'=b\"");
        assert_eq!(cell("Jörg Müller-Lüdenscheidt"), "Jörg Müller-Lüdenscheidt");
        assert_eq!(cell("Straße 1-3 @ Hof"), "Straße 1-3 @ Hof");
        assert_eq!(cell("x@example.org"), "x@example.org");
        assert_eq!(
            cell("2026-05-01T09:30:00+00:00"),
            "2026-05-01T09:30:00+00:00"
        );
    }

    #[test]
    fn cells_are_quoted_the_rfc_4180_way() {
        assert_eq!(cell("Helga"), "Helga");
        assert_eq!(cell(""), "");
        assert_eq!(cell("Schmidt, Helga"), "\"Schmidt, Helga\"");
        assert_eq!(cell("Schmidt; Helga"), "\"Schmidt; Helga\"");
        assert_eq!(cell("sagt \"hallo\""), "\"sagt \"\"hallo\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }

    #[test]
    fn the_dialects_differ_in_separator_and_byte_order_mark() {
        let mut comma = String::new();
        Dialect::RFC_4180.begin(&mut comma, "a,b");
        Dialect::RFC_4180.row(&mut comma, ["x;y", "ü"]);
        assert_eq!(comma, "a,b\r\n\"x;y\",ü\r\n");
        let mut semicolon = String::new();
        Dialect::SPREADSHEET.begin(&mut semicolon, "a,b");
        Dialect::SPREADSHEET.row(&mut semicolon, ["x,y", "ü"]);
        assert_eq!(semicolon, "\u{FEFF}a;b\r\n\"x,y\";ü\r\n");
    }

    /// Every piece a program could cut a line into: split on each of the separators, and on
    /// all of them at once, with the quotes and white space it may drop taken off.
    fn pieces(line: &str) -> Vec<String> {
        let splits: [&[char]; 6] = [
            &[','],
            &[';'],
            &['\t'],
            &['\r', '\n'],
            &[',', ';', '\t', '\r', '\n'],
            &[',', ';'],
        ];
        splits
            .iter()
            .flat_map(|on| line.split(*on))
            .map(|piece| {
                piece
                    .trim_start_matches(|c: char| c == '"' || c.is_whitespace())
                    .to_owned()
            })
            .collect()
    }

    /// All texts of up to four characters from an alphabet of separators, quotes, white space,
    /// formula starts and letters, in a line between two other cells, in both dialects: no
    /// piece starts a formula.
    #[test]
    fn no_split_of_any_short_text_starts_a_formula() {
        let alphabet = [
            'a', '=', '+', '-', '@', ',', ';', '\t', '\r', '\n', '"', ' ', '\'',
        ];
        let mut longest = vec![String::new()];
        let mut texts = longest.clone();
        for _ in 0..4 {
            longest = longest
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(longest.iter().cloned());
        }
        assert_eq!(
            texts.len(),
            1 + 13 + 13 * 13 + 13 * 13 * 13 + 13 * 13 * 13 * 13
        );
        for dialect in [Dialect::RFC_4180, Dialect::SPREADSHEET] {
            for text in &texts {
                let mut line = String::new();
                dialect.row(&mut line, ["-1", text.as_str(), text.as_str(), "x"]);
                for piece in pieces(&line) {
                    assert!(
                        !piece.starts_with(['=', '+', '-', '@']),
                        "{text:?} in {dialect:?}: {line:?} gives the piece {piece:?}"
                    );
                }
            }
        }
    }
}
