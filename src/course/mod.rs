//! What a lab declares: the course, its units, tasks, steps and checks, as
//! plain serde types read from `labs/*.yaml`. Nothing here observes a machine
//! or prints a result.
//!
//! File format (schema 1):
//! - `labs/course.yaml`: [`CourseFile`] — course title, variables, units.
//! - `labs/<task>.yaml`: [`Task`] — one task, its steps and checks.
//! - `content/<lang>/<lesson>.md`: the lesson of a task, one per language.

mod check;
mod command;
mod guard;
pub mod links;
mod load;
mod locate;
#[cfg(test)]
mod mutations;
pub mod quiz;
mod source;
mod undone;
mod validate;
mod vars;
mod yaml_error;

pub use check::{unknown_key, Check};
pub use command::Command;
pub use load::{Course, CourseError, Problem};
pub use source::Source;
pub use vars::Vars;

use crate::lang::Text;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The only schema version this build reads.
pub const SCHEMA: u32 = 1;

/// `labs/course.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseFile {
    /// Schema version of the file format; must be 1.
    pub schema: u32,
    /// The course title shown by `lab list` and the book.
    pub title: Text,
    /// A paragraph introducing the course, on the book's home page.
    #[serde(default)]
    pub description: Option<Text>,
    /// Variables with their defaults, used in checks as `${name}`; a run can
    /// override them with `--var name=value`.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// The units, in teaching order.
    pub units: Vec<Unit>,
}

/// A unit groups tasks (`unit1` holds `task1`..`task3`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    /// `unit1`, `unit2`, ...
    pub id: String,
    /// The unit title.
    pub title: Text,
}

/// `labs/<task>.yaml`: one task of the course.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// Schema version of the file format; must be 1.
    pub schema: u32,
    /// `task2`, `task3`, ...: numbered through the whole course.
    pub id: String,
    /// The id of the unit this task belongs to.
    pub unit: String,
    /// The task title.
    pub title: Text,
    /// The lesson's file name, looked up as `content/<lang>/<lesson>`.
    pub lesson: String,
    /// Questions asked by `lab quiz TASK`; a `quiz` check passes once
    /// they are passed.
    #[serde(default)]
    pub quiz: Option<quiz::Quiz>,
    /// The steps, in the order the learner does them.
    pub steps: Vec<Step>,
}

/// One thing the learner does, and how lab knows it was done.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Unique within the task: `pull-latest`, `tag`, ...
    pub id: String,
    /// What the learner does, in a few words.
    pub title: Text,
    /// The command(s) the learner is expected to type, shown in the book:
    /// a string, or `{en, zh-CN}` when a placeholder needs translating.
    #[serde(default)]
    pub commands: Vec<Command>,
    /// None may fail, and at least one must pass (a skipped check proves
    /// nothing), for the step to pass.
    pub checks: Vec<Check>,
    /// Shown when a check fails and has no hint of its own.
    #[serde(default)]
    pub hint: Option<Text>,
    /// Score of the step when it passes.
    #[serde(default = "one")]
    pub points: u32,
}

fn one() -> u32 {
    1
}

impl Task {
    /// The task's number (`task12` → 12), used to order tasks.
    pub fn number(&self) -> u32 {
        self.id
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .parse()
            .unwrap_or(u32::MAX)
    }

    pub fn max_score(&self) -> u32 {
        self.steps.iter().map(|s| s.points).sum()
    }
}
