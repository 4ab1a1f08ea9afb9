//! The optional roster columns that tell the LMS who a student is:
//! `username`, `email` and `idnumber` (Moodle's "Map to" choices; Canvas's
//! SIS Login ID and SIS User ID). Moodle's import stops at the first row
//! it cannot match, so a column that is there must be filled on every row,
//! and a value must reach the CSV exactly as written (no `'` added by the
//! formula rule of `cell.rs`).

use super::roster_error::Problem;

/// How the LMS knows a student, as the roster gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LmsIds {
    pub username: Option<String>,
    pub email: Option<String>,
    pub idnumber: Option<String>,
}

/// Why an identifier cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdFault {
    /// An invisible control character (U+0000..U+001F, U+007F..).
    Control(char),
    /// A space or another blank inside a username or an email address.
    Blank,
    /// Not `name@domain` (one `@`, something on both sides, a dot after it).
    NotEmail,
    /// Starts with `=`, `+`, `-`, `@`: spreadsheets would take it for a
    /// formula, so lab's CSV writer would change it and the LMS would no
    /// longer find the student.
    FormulaStart(char),
}

/// The identifiers of one row. `cell(name)`: the trimmed, non-empty cell
/// of that column, if any; `has(name)`: the header has that column.
pub(super) fn lms_ids(
    cell: impl Fn(&str) -> Option<String>,
    has: impl Fn(&str) -> bool,
) -> Result<LmsIds, Problem> {
    let one = |column: &'static str| -> Result<Option<String>, Problem> {
        if !has(column) {
            return Ok(None);
        }
        let value = cell(column).ok_or(Problem::EmptyLmsId(column))?;
        match fault(column, &value) {
            Some(why) => Err(Problem::BadLmsId { column, value, why }),
            None => Ok(Some(value)),
        }
    };
    Ok(LmsIds {
        username: one("username")?,
        email: one("email")?,
        idnumber: one("idnumber")?,
    })
}

fn fault(column: &str, value: &str) -> Option<IdFault> {
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Some(IdFault::Control(c));
    }
    if let Some(c) = value.chars().next().filter(|c| "=+-@".contains(*c)) {
        return Some(IdFault::FormulaStart(c));
    }
    let blank = value.chars().any(char::is_whitespace);
    match column {
        "username" if blank => Some(IdFault::Blank),
        "email" if blank => Some(IdFault::Blank),
        "email" if !looks_like_email(value) => Some(IdFault::NotEmail),
        _ => None,
    }
}

/// Loosely: one `@`, a local part, and a domain with a dot not at either end.
fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(cells: &[(&str, &str)]) -> Result<LmsIds, Problem> {
        let get = |name: &str| {
            cells
                .iter()
                .find(|(c, _)| *c == name)
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let has = |name: &str| cells.iter().any(|(c, _)| *c == name);
        lms_ids(get, has)
    }

    #[test]
    fn identifiers_are_kept_as_written() {
        let got = ids(&[
            ("username", "ada"),
            ("email", "ada.lovelace+dk@example.edu.cn"),
            ("idnumber", "2026 001"),
        ])
        .unwrap();
        assert_eq!(got.username.as_deref(), Some("ada"));
        assert_eq!(got.email.as_deref(), Some("ada.lovelace+dk@example.edu.cn"));
        assert_eq!(got.idnumber.as_deref(), Some("2026 001"));
        assert_eq!(ids(&[]).unwrap(), LmsIds::default());
        assert_eq!(
            ids(&[("email", "李雷@学校.中国")])
                .unwrap()
                .email
                .as_deref(),
            Some("李雷@学校.中国")
        );
    }

    #[test]
    fn a_column_that_is_there_is_filled_on_every_row() {
        assert_eq!(
            ids(&[("username", "ada"), ("email", " ")]),
            Err(Problem::EmptyLmsId("email"))
        );
    }

    #[test]
    fn bad_identifiers_say_why() {
        for (column, value, why) in [
            ("email", "ada", IdFault::NotEmail),
            ("email", "ada@", IdFault::NotEmail),
            ("email", "@example.com", IdFault::FormulaStart('@')),
            ("email", "a@b@c.d", IdFault::NotEmail),
            ("email", "ada@localhost", IdFault::NotEmail),
            ("email", "ada @x.org", IdFault::Blank),
            ("username", "ada lovelace", IdFault::Blank),
            ("username", "a\u{1b}[2J", IdFault::Control('\u{1b}')),
            ("idnumber", "=1+1", IdFault::FormulaStart('=')),
            ("idnumber", "-42", IdFault::FormulaStart('-')),
            ("idnumber", "4\t2", IdFault::Control('\t')),
        ] {
            assert_eq!(
                ids(&[(column, value)]),
                Err(Problem::BadLmsId {
                    column,
                    value: value.into(),
                    why
                }),
                "{column} {value:?}"
            );
        }
    }
}
