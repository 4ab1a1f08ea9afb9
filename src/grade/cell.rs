//! The cells of the CSV files lab writes for spreadsheets (gradebook.csv,
//! lms.csv). Text from a roster or a VM could be a formula to Excel,
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

/// A CSV document with CRLF line ends (what spreadsheets and LMSs expect);
/// every text cell goes through [`spreadsheet_text`].
pub fn csv(rows: &[Vec<Cell>]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for row in rows {
        // Writing to memory cannot fail.
        let _ = w.write_record(row.iter().map(|c| c.written().into_owned()));
    }
    String::from_utf8_lossy(&w.into_inner().unwrap_or_default()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(doc, "'=1+1,12,,\"'-1, \"\"x\"\"\",\"'\r\n=cmd\"\r\n");
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
