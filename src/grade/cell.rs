//! The cells of the CSV files lab writes for spreadsheets (gradebook.csv,
//! canvas.csv, moodle.csv). Text from a roster or a VM could be a formula to Excel,
//! LibreOffice or Google Sheets (`=HYPERLINK(..)`, `+cmd|' /C calc'!A0`):
//! OWASP's CSV-injection rule makes every text cell that starts like one
//! start with `'` instead, so it is shown as text and never run. Numbers
//! stay numbers: a score is a [`Cell::Number`], never rewritten.

use std::borrow::Cow;

/// One cell of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Anything a person or a VM wrote: escaped by [`spreadsheet_text`].
    Text(String),
    /// A count or a score, written as digits.
    Number(u32),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// A score that may be missing (a host not graded): an empty cell,
    /// never a silent zero.
    pub fn score(n: Option<u32>) -> Cell {
        n.map_or(Cell::Empty, Cell::Number)
    }

    fn written(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(s) => spreadsheet_text(s),
            Cell::Number(n) => Cow::Owned(n.to_string()),
            Cell::Empty => Cow::Borrowed(""),
        }
    }
}

/// The characters that make a spreadsheet read a cell as a formula (or
/// hide what follows): `=`, `+`, `-`, `@`, TAB and CR (OWASP).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `s` as a spreadsheet shows it as text: with a leading `'` when it starts
/// like a formula, unchanged otherwise. (The CSV writer then quotes it as
/// CSV needs.)
pub fn spreadsheet_text(s: &str) -> Cow<'_, str> {
    if s.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The UTF-8 byte order mark. Excel and WPS read a CSV without it in the
/// system's code page (韩梅梅 becomes éŸ©æ¢…æ¢…); with it, as UTF-8.
/// Canvas and Moodle import such a file as well.
pub const BOM: char = '\u{feff}';

/// A CSV document for a spreadsheet or an LMS: a UTF-8 byte order mark,
/// CRLF line ends; every text cell goes through [`spreadsheet_text`].
pub fn csv(rows: &[Vec<Cell>]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for row in rows {
        // Writing to memory cannot fail.
        let _ = w.write_record(row.iter().map(|c| c.written().into_owned()));
    }
    let body = String::from_utf8_lossy(&w.into_inner().unwrap_or_default()).into_owned();
    format!("{BOM}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Excel and WPS show UTF-8 only with a BOM: every document starts with
    /// one (once), and the CSV reader still sees the first cell whole.
    #[test]
    fn every_document_starts_with_a_utf8_bom() {
        let doc = csv(&[vec![Cell::text("韩梅梅"), Cell::Number(3)]]);
        assert!(doc.as_bytes().starts_with(&[0xEF, 0xBB, 0xBF]), "{doc:?}");
        assert_eq!(doc.matches(BOM).count(), 1);
        assert_eq!(&doc[BOM.len_utf8()..], "韩梅梅,3\r\n");
    }

    #[test]
    fn cells_that_start_like_a_formula_get_a_quote() {
        for hostile in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(1+1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(spreadsheet_text(hostile), format!("'{hostile}"));
        }
    }

    #[test]
    fn other_text_is_left_alone() {
        for plain in [
            "Ada Lovelace",
            "李雷",
            "O'Brien",
            "a=b",
            "s-01",
            "",
            "'x",
            " =x",
        ] {
            assert!(matches!(spreadsheet_text(plain), Cow::Borrowed(p) if p == plain));
        }
    }

    #[test]
    fn numbers_stay_numbers_and_text_is_quoted_as_csv_needs() {
        let doc = csv(&[vec![
            Cell::text("=1+1"),
            Cell::Number(12),
            Cell::score(None),
            Cell::text("-1, \"x\""),
            Cell::text("\r\n=cmd"),
        ]]);
        assert_eq!(
            doc,
            "\u{feff}'=1+1,12,,\"'-1, \"\"x\"\"\",\"'\r\n=cmd\"\r\n"
        );
        let back = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(doc.as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(back.get(3), Some("'-1, \"x\""));
        assert_eq!(back.get(4), Some("'\r\n=cmd"));
    }
}
