//! Students, records and reports for the grading unit tests: the fields
//! every test sets the same way, so each test says only what it varies
//! (`Record { detail: …, ..record(&s, HostOutcome::Error, &[]) }`).

use super::outcome::{HostOutcome, Record};
use super::roster::Student;
use crate::machine::ssh::Target;
use crate::report::{CheckResult, Report, Status, StepResult, TaskResult};

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
pub fn record(s: &Student, outcome: HostOutcome, scores: &[(&str, u32)]) -> Record {
    let graded = outcome == HostOutcome::Graded;
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

/// Check `id` of `kind` with `status`, and nothing said about it.
pub fn check(id: &str, kind: &str, status: Status) -> CheckResult {
    CheckResult {
        id: id.into(),
        kind: kind.into(),
        status,
        message: String::new(),
        hint: None,
        expected: None,
        actual: None,
        evidence: None,
        warnings: Vec::new(),
    }
}

/// Step `id` titled `title`, worth `points`, of `checks`: its status is
/// theirs ([`StepResult::status_of`]), no commands.
pub fn step(id: &str, title: &str, points: u32, checks: Vec<CheckResult>) -> StepResult {
    StepResult {
        id: id.into(),
        title: title.into(),
        status: StepResult::status_of(&checks),
        points,
        commands: Vec::new(),
        checks,
    }
}

/// An English report of the one task `id` (untitled, out of `max_score`)
/// made of `steps`, without warnings.
pub fn report(id: &str, max_score: u32, steps: Vec<StepResult>) -> Report {
    Report {
        schema: 1,
        lang: crate::lang::Lang::En,
        tasks: vec![TaskResult::new(id.into(), String::new(), max_score, steps)],
        warnings: Vec::new(),
    }
}
