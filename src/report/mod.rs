//! How results are shown. The runner builds one [`Report`]; each format is
//! a function from a report to text. Reporters only print: the exit code is
//! decided from the report by [`Report::exit_code`], never by a reporter.

pub mod basis;
mod bounded;
mod json;
mod junit;
mod outcome;
mod tap;
mod text;

pub use basis::{Basis, Flag};
pub use junit::class as junit_class;
pub use outcome::{Evidence, Outcome, Status};

use crate::lang::Lang;
use serde::{Deserialize, Serialize};

/// The JSON report's schema version (`schema` at the top level).
pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub schema: u32,
    pub lang: Lang,
    pub tasks: Vec<TaskResult>,
    /// Things the learner should know that are not a check's result (a torn
    /// journal line, a journal that could not be written).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskStatus {
    Pass,
    Fail,
    Error,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskResult {
    pub id: String,
    pub title: String,
    pub status: TaskStatus,
    pub score: u32,
    pub max_score: u32,
    /// What the score rests on (`basis.rs`); absent in reports of lab
    /// before 0.2.
    #[serde(default)]
    pub basis: Basis,
    #[serde(default)]
    pub flags: Vec<Flag>,
    pub steps: Vec<StepResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepResult {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub points: u32,
    pub commands: Vec<String>,
    pub checks: Vec<CheckResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckResult {
    pub id: String,
    pub kind: String,
    pub status: Status,
    pub message: String,
    pub hint: Option<String>,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub evidence: Option<Evidence>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl CheckResult {
    /// A check's line in the report from its outcome. Only a failed check
    /// carries a hint: for a skip or an error it would send the learner to
    /// fix the wrong thing.
    pub fn new(id: String, kind: &str, o: Outcome, hint: Option<String>) -> CheckResult {
        CheckResult {
            id,
            kind: kind.to_string(),
            hint: if o.status == Status::Fail { hint } else { None },
            status: o.status,
            message: o.message,
            expected: o.expected,
            actual: o.actual,
            evidence: o.evidence,
            warnings: o.warnings,
        }
    }
}

impl StepResult {
    /// An error in any check makes the step an error, else any failure a
    /// failure. Otherwise the step passes when at least one check passed: a
    /// skipped check proves nothing, so a step whose checks were all skipped
    /// is `skip` (not verified) and earns no points.
    pub fn status_of(checks: &[CheckResult]) -> Status {
        Status::combine(checks.iter().map(|c| c.status))
    }
}

impl TaskResult {
    /// A task's result from its steps: its status, its score (the points
    /// of the steps that passed) and what the score rests on.
    pub fn new(id: String, title: String, max_score: u32, steps: Vec<StepResult>) -> TaskResult {
        let score = steps
            .iter()
            .filter(|r| r.status == Status::Pass)
            .map(|r| r.points)
            .sum();
        let mut t = TaskResult {
            id,
            title,
            status: TaskResult::status_of(&steps),
            score,
            max_score,
            basis: Basis::default(),
            flags: Vec::new(),
            steps,
        };
        t.basis = t.basis();
        t.flags = t.flags();
        t
    }

    /// A task passes when every step passed; a step that could not be
    /// verified (`skip`) leaves it unfinished, as a failed one does.
    pub fn status_of(steps: &[StepResult]) -> TaskStatus {
        if steps.iter().any(|s| s.status == Status::Error) {
            TaskStatus::Error
        } else if steps.iter().all(|s| s.status == Status::Pass) {
            TaskStatus::Pass
        } else {
            TaskStatus::Fail
        }
    }
}

/// Output formats of `lab check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Junit,
    Tap,
}

/// Exit codes, documented in the README.
pub mod exit {
    pub const PASS: u8 = 0;
    pub const FAIL: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const ERROR: u8 = 3;
}

impl Report {
    /// 0 every step passed, 1 a step failed or could not be verified (a
    /// skipped check proves nothing), 3 a check could not be evaluated
    /// (which wins: the learner must fix the machine first).
    pub fn exit_code(&self) -> u8 {
        let steps = || self.tasks.iter().flat_map(|t| &t.steps);
        if steps().any(|s| s.status == Status::Error) {
            exit::ERROR
        } else if steps().all(|s| s.status == Status::Pass) {
            exit::PASS
        } else {
            exit::FAIL
        }
    }

    /// The text report, the failing step's expected / actual / hint only
    /// when `hints` (`lab watch`'s `h`).
    pub fn text(&self, color: bool, hints: bool) -> String {
        text::render_detailed(self, color, hints)
    }

    /// Renders the report; `color` only matters for text.
    pub fn render(&self, format: Format, color: bool) -> String {
        match format {
            Format::Text => text::render(self, color),
            Format::Json => json::render(self),
            Format::Junit => junit::render(self),
            Format::Tap => tap::render(self),
        }
    }
}

#[cfg(test)]
pub(crate) mod sample;
#[cfg(test)]
pub(crate) mod schema;

#[cfg(test)]
pub(crate) mod golden {
    //! Each format's rendering of a fixed report, against
    //! `tests/golden/report/<case>.<exit code>.<format>` (`crate::golden`:
    //! to accept a change on purpose, `LAB_BLESS=1 cargo test --lib golden`,
    //! then review the diff).
    use super::*;

    fn golden(case: &str, report: &Report, format: Format, ext: &str) {
        let out = report.render(format, false);
        let file = format!("report/{case}.{}.{ext}", report.exit_code());
        crate::golden::check(crate::golden::file(&file), out);
    }

    #[test]
    fn every_format_matches_its_golden_file() {
        for (lang, case) in [(Lang::En, "sample"), (Lang::ZhCn, "sample-zh")] {
            let r = sample::report(lang);
            golden(case, &r, Format::Text, "text");
            golden(case, &r, Format::Json, "json");
            golden(case, &r, Format::Junit, "xml");
            golden(case, &r, Format::Tap, "tap");
        }
    }

    #[test]
    fn the_json_report_reads_back_as_it_was_written() {
        // `lab grade` reads students' reports back to build class files.
        let r = sample::report(Lang::ZhCn);
        let json = r.render(Format::Json, false);
        let back: Report = serde_json::from_str(&json).expect("report reads back");
        assert_eq!(back.render(Format::Json, false), json);
    }

    #[test]
    fn exit_code_is_decided_by_the_worst_check() {
        let mut r = sample::report(Lang::En);
        assert_eq!(r.exit_code(), exit::ERROR);
        r.tasks[0].steps.pop();
        assert_eq!(r.exit_code(), exit::FAIL);
        r.tasks[0].steps.remove(1);
        assert_eq!(
            r.exit_code(),
            exit::FAIL,
            "a step whose only check was skipped is not verified"
        );
    }
}
