//! The class roster: a CSV file with a header, a row per student.
//!
//! ```csv
//! student_id,name,host,port,user,identity_file,username,email
//! s01,Ada Lovelace,10.0.0.11,22,student,~/.ssh/class_ed25519,ada,ada@example.edu
//! ```
//!
//! `username`, `email` and `idnumber` say who the student is to the LMS
//! (`roster_lms.rs`): optional columns, filled on every row when present.
//!
//! `student_id`, `name` and `host` are required; `port`, `user` and
//! `identity_file` may be left out (column or cell), and ssh then takes them
//! from ~/.ssh/config. A bad row is reported by its line number (as an
//! editor counts it), saying what to write instead: hosts and users are
//! what `ssh` accepts (`machine::refused_host`), ports are digits, ids are
//! file names and unique without regard to case.

use super::roster_error::Problem;
pub use super::roster_error::RosterError;
pub use super::roster_lms::LmsIds;
use crate::machine::ssh::Target;
use crate::machine::{refused_host, refused_user};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Student {
    pub id: String,
    pub name: String,
    pub target: Target,
    /// Where in the roster, for messages.
    pub line: u64,
    /// Who the student is to the LMS (canvas.csv, moodle.csv).
    pub lms: LmsIds,
}

pub(super) const COLUMNS: &[&str] = &[
    "student_id",
    "name",
    "host",
    "port",
    "user",
    "identity_file",
    "username",
    "email",
    "idnumber",
];
pub(super) const REQUIRED: &[&str] = &["student_id", "name", "host"];

/// Reads and checks a roster; every student id must be usable as a file
/// name (it names the student's report) and unique.
pub fn load(path: &Path) -> Result<Vec<Student>, RosterError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| RosterError::Read {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    parse(&shown, &bytes, path.parent().unwrap_or(Path::new(".")))
}

/// `base`: where relative identity files are looked for (the roster's folder).
/// Any bytes give students or an error naming a line; never a panic.
pub fn parse(shown: &str, bytes: &[u8], base: &Path) -> Result<Vec<Student>, RosterError> {
    let row_error = |line: u64, problem: Problem| RosterError::Row {
        path: shown.to_string(),
        line,
        problem,
    };
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| row_error(1, csv_problem(&e)))?
        .clone();
    let column = columns(&header).map_err(|p| row_error(1, p))?;
    let mut students: Vec<Student> = Vec::new();
    // Ids without case → (the id as written, its line).
    let mut seen: HashMap<String, (String, u64)> = HashMap::new();
    let mut lines = Lines::new(bytes);
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = lines.at(e.position());
            row_error(line, csv_problem(&e))
        })?;
        let line = lines.at(record.position());
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let student = student(&record, &column, line, base).map_err(|p| row_error(line, p))?;
        if let Some((first_id, first)) =
            seen.insert(student.id.to_ascii_lowercase(), (student.id.clone(), line))
        {
            let problem = if first_id == student.id {
                Problem::IdTwice {
                    id: first_id,
                    first,
                }
            } else {
                Problem::SameStudent {
                    id: student.id,
                    line,
                    first_id,
                    first,
                }
            };
            return Err(row_error(line, problem));
        }
        students.push(student);
    }
    if students.is_empty() {
        return Err(row_error(2, Problem::NoStudents));
    }
    Ok(students)
}

/// Line numbers as an editor shows them. (The CSV reader's own count
/// skips blank lines.) A line ends at LF, CRLF or a lone CR, as for the
/// reader; records come in order, so counting resumes where it stopped.
struct Lines<'a> {
    bytes: &'a [u8],
    /// Lines ended before `offset`.
    ended: u64,
    offset: usize,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Lines {
            bytes,
            ended: 0,
            offset: 0,
        }
    }

    /// The line where a record (or an error) at `position` starts; past
    /// the last one if the reader knows no position. The reader's position
    /// is where it began to look: before the end of the previous line and
    /// any blank lines, which are skipped here.
    fn at(&mut self, position: Option<&csv::Position>) -> u64 {
        let b = self.bytes;
        let mut end = position.map_or(b.len(), |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        end = end.clamp(self.offset, b.len());
        while end < b.len() && matches!(b[end], b'\r' | b'\n') {
            end += 1;
        }
        for i in self.offset..end {
            if b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')) {
                self.ended += 1;
            }
        }
        self.offset = end;
        self.ended + 1
    }
}

/// Column name → index, from the header.
fn columns(header: &csv::StringRecord) -> Result<HashMap<&'static str, usize>, Problem> {
    let mut column = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        let Some(known) = COLUMNS.iter().find(|c| **c == name) else {
            return Err(Problem::UnknownColumn(name.to_string()));
        };
        if column.insert(*known, i).is_some() {
            return Err(Problem::ColumnTwice(name.to_string()));
        }
    }
    match REQUIRED.iter().find(|c| !column.contains_key(*c)) {
        Some(missing) => Err(Problem::MissingColumn(missing)),
        None => Ok(column),
    }
}

/// One student's row, checked cell by cell.
fn student(
    record: &csv::StringRecord,
    column: &HashMap<&str, usize>,
    line: u64,
    base: &Path,
) -> Result<Student, Problem> {
    let cell = |name: &str| {
        column
            .get(name)
            .and_then(|i| record.get(*i))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let id = cell("student_id").ok_or(Problem::EmptyId)?;
    if !valid_id(id) {
        return Err(Problem::BadId(id.to_string()));
    }
    let name = cell("name").unwrap_or(id);
    // A line break (a quoted cell over two lines) and a tab are text; ESC,
    // CR and the other controls could rewrite the teacher's terminal.
    if let Some(ch) = name
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Err(Problem::ControlInName {
            name: name.to_string(),
            ch,
        });
    }
    let host = cell("host").ok_or_else(|| Problem::NoHost(id.to_string()))?;
    if let Some(why) = refused_host(host) {
        return Err(Problem::BadHost {
            host: host.to_string(),
            why,
        });
    }
    let port = cell("port").map(port).transpose()?;
    let user = cell("user").map(str::to_string);
    if let Some(u) = &user {
        if let Some(why) = refused_user(u) {
            return Err(Problem::BadUser {
                user: u.clone(),
                why,
            });
        }
    }
    let identity = match cell("identity_file") {
        None => None,
        Some(f) => {
            let path = expand_home(f, base);
            if !path.is_file() {
                return Err(Problem::NoIdentity(path));
            }
            Some(path)
        }
    };
    let lms =
        super::roster_lms::lms_ids(|c| cell(c).map(str::to_string), |c| column.contains_key(c))?;
    Ok(Student {
        id: id.to_string(),
        name: name.to_string(),
        target: Target {
            host: host.to_string(),
            port,
            user,
            identity,
        },
        line,
        lms,
    })
}

/// A TCP port: ASCII digits only (`u16::from_str` also takes `+22`), 1 to
/// 65535.
fn port(p: &str) -> Result<u16, Problem> {
    Some(p)
        .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|p| p.parse::<u16>().ok())
        .filter(|p| *p > 0)
        .ok_or_else(|| Problem::BadPort(p.to_string()))
}

/// Letters, digits, `.`, `_`, `-`; not `.`/`-` first (a hidden folder, an
/// option to any command given the report's path, a formula to a
/// spreadsheet).
fn valid_id(id: &str) -> bool {
    !id.starts_with(['.', '-'])
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

fn expand_home(f: &str, base: &Path) -> PathBuf {
    if let Some(rest) = f.strip_prefix("~/") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest);
        }
    }
    let p = PathBuf::from(f);
    if p.is_absolute() {
        p
    } else {
        base.join(p)
    }
}

fn csv_problem(e: &csv::Error) -> Problem {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => Problem::Cells {
            len: *len,
            expected: *expected_len,
        },
        csv::ErrorKind::Utf8 { .. } => Problem::NotUtf8,
        _ => Problem::Csv(e.to_string()),
    }
}

#[cfg(test)]
#[path = "roster_tests.rs"]
mod tests;
