//! The class roster: a CSV file with a header, a row per student.
//!
//! ```csv
//! student_id,name,host,port,user,identity_file
//! s01,Ada Lovelace,10.0.0.11,22,student,~/.ssh/class_ed25519
//! ```
//!
//! `student_id`, `name` and `host` are required; `port`, `user` and
//! `identity_file` may be left out (column or cell), and ssh then takes them
//! from ~/.ssh/config. A bad row is reported by its line number.

use crate::machine::ssh::Target;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Student {
    pub id: String,
    pub name: String,
    pub target: Target,
    /// Where in the roster, for messages.
    pub line: u64,
}

const COLUMNS: &[&str] = &[
    "student_id",
    "name",
    "host",
    "port",
    "user",
    "identity_file",
];
const REQUIRED: &[&str] = &["student_id", "name", "host"];

#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error("cannot read the roster {path}: {message}")]
    Read { path: String, message: String },
    #[error("{path}:{line}: {message}")]
    Row {
        path: String,
        line: u64,
        message: String,
    },
}

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
pub fn parse(shown: &str, bytes: &[u8], base: &Path) -> Result<Vec<Student>, RosterError> {
    let row_error = |line: u64, message: String| RosterError::Row {
        path: shown.to_string(),
        line,
        message,
    };
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| row_error(1, csv_message(&e)))?
        .clone();
    let mut column = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        if !COLUMNS.contains(&name) {
            return Err(row_error(
                1,
                format!(
                    "unknown column `{name}`; the columns are {}",
                    COLUMNS.join(", ")
                ),
            ));
        }
        if column.insert(name, i).is_some() {
            return Err(row_error(1, format!("column `{name}` appears twice")));
        }
    }
    if let Some(missing) = REQUIRED.iter().find(|c| !column.contains_key(*c)) {
        return Err(row_error(
            1,
            format!(
                "the header has no `{missing}` column; it needs at least {}",
                REQUIRED.join(", ")
            ),
        ));
    }
    let mut students: Vec<Student> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            row_error(line, csv_message(&e))
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let cell = |name: &str| {
            column
                .get(name)
                .and_then(|i| record.get(*i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let bad = |message: String| row_error(line, message);
        let id = cell("student_id").ok_or_else(|| bad("the student_id is empty".into()))?;
        if !valid_id(id) {
            return Err(bad(format!(
                "student_id `{id}` may hold only letters, digits, `.`, `_` and `-` (it names the student's report file)"
            )));
        }
        if let Some(first) = seen.insert(id.to_string(), line) {
            return Err(bad(format!(
                "student_id `{id}` is already used on line {first}"
            )));
        }
        let name = cell("name").unwrap_or(id);
        let host = cell("host").ok_or_else(|| bad(format!("{id} has no host")))?;
        if host.starts_with('-') || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad(format!(
                "host `{host}` is not a host name or address (no spaces, and it may not start with `-`)"
            )));
        }
        let port = match cell("port") {
            None => None,
            Some(p) => Some(
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| bad(format!("port `{p}` is not a number from 1 to 65535")))?,
            ),
        };
        let user = cell("user").map(str::to_string);
        if let Some(u) = &user {
            if u.starts_with('-') || u.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(bad(format!("user `{u}` is not a user name")));
            }
        }
        let identity = match cell("identity_file") {
            None => None,
            Some(f) => {
                let path = expand_home(f, base);
                if !path.is_file() {
                    return Err(bad(format!(
                        "identity file `{}` does not exist or is not a file",
                        path.display()
                    )));
                }
                Some(path)
            }
        };
        students.push(Student {
            id: id.to_string(),
            name: name.to_string(),
            target: Target {
                host: host.to_string(),
                port,
                user,
                identity,
            },
            line,
        });
    }
    if students.is_empty() {
        return Err(row_error(2, "the roster has no students".into()));
    }
    Ok(students)
}

fn valid_id(id: &str) -> bool {
    !id.starts_with('.')
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

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("this row has {len} cells but the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "this row is not UTF-8 text (save the file as UTF-8)".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> Result<Vec<Student>, RosterError> {
        parse("roster.csv", s.as_bytes(), Path::new("/"))
    }

    fn err(s: &str) -> String {
        parse_str(s).unwrap_err().to_string()
    }

    #[test]
    fn a_roster_row_becomes_an_ssh_target() {
        let r = parse_str(
            "student_id,name,host,port,user\ns01,\"Lovelace, Ada\",10.0.0.11,2222,ada\ns02,Grace,vm2,,\n",
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].name, "Lovelace, Ada");
        assert_eq!(r[0].target.port, Some(2222));
        assert_eq!(r[0].target.user.as_deref(), Some("ada"));
        assert_eq!(r[0].line, 2);
        assert_eq!(r[1].target.port, None);
        assert_eq!(r[1].target.user, None);
        assert_eq!(r[1].line, 3);
    }

    #[test]
    fn bad_rows_are_reported_by_line() {
        let head = "student_id,name,host,port,user\n";
        assert_eq!(
            err(&format!("{head}s01,A,h,22,u\ns01,B,h,22,u\n")),
            "roster.csv:3: student_id `s01` is already used on line 2"
        );
        assert_eq!(
            err(&format!("{head}s01,A,h,99999,u\n")),
            "roster.csv:2: port `99999` is not a number from 1 to 65535"
        );
        assert_eq!(
            err(&format!("{head}s01,A,h,22\n")),
            "roster.csv:2: this row has 4 cells but the header has 5"
        );
        assert!(
            err(&format!("{head}../x,A,h,22,u\n")).starts_with("roster.csv:2: student_id `../x`")
        );
        assert!(
            err(&format!("{head}s1,A,-oProxyCommand=x,22,u\n")).contains("may not start with `-`")
        );
        assert!(err(&format!("{head}s1,A,h; rm -rf /,22,u\n")).contains("no spaces"));
        assert_eq!(
            err("id,name,host\n"),
            "roster.csv:1: unknown column `id`; the columns are student_id, name, host, port, user, identity_file"
        );
        assert!(err("student_id,name\n").contains("no `host` column"));
        assert_eq!(err(head), "roster.csv:2: the roster has no students");
    }

    #[test]
    fn identity_files_must_exist() {
        let e = err("student_id,name,host,identity_file\ns1,A,h,/nonexistent/key\n");
        assert_eq!(
            e,
            "roster.csv:2: identity file `/nonexistent/key` does not exist or is not a file"
        );
    }
}
