//! Students and records for the grading unit tests: the fields every test
//! sets the same way, so each test says only what it varies
//! (`Record { detail: …, ..record(&s, Outcome::Error, &[]) }`).

use super::outcome::{Outcome, Record};
use super::roster::Student;
use crate::machine::ssh::Target;

/// Student `id` called `name` on `host` (port 22, no user), line 2.
pub fn student(id: &str, name: &str, host: &str) -> Student {
    Student {
        id: id.into(),
        name: name.into(),
        target: Target {
            host: host.into(),
            port: Some(22),
            user: None,
            identity: None,
        },
        line: 2,
        lms: Default::default(),
    }
}

/// `s`'s record with `outcome` and, when graded, `scores` and their total
/// (of 12); no detail, journal or flags.
pub fn record(s: &Student, outcome: Outcome, scores: &[(&str, u32)]) -> Record {
    let graded = outcome == Outcome::Graded;
    Record {
        schema: 1,
        student_id: s.id.clone(),
        name: s.name.clone(),
        host: s.target.url(),
        outcome,
        detail: None,
        at: 0,
        seconds: 1.0,
        scores: scores.iter().map(|(t, n)| (t.to_string(), *n)).collect(),
        total: graded.then(|| scores.iter().map(|(_, n)| n).sum()),
        max_total: 12,
        journal: None,
        flags: Vec::new(),
        identity: None,
    }
}
