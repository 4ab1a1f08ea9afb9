//! What a task's points rest on, for a teacher who must defend a grade:
//! the checks of its passed steps by where their verdict came from (the
//! machine as it is, the daemon's events, the learner's commands, lab's
//! journal of earlier runs), and the flags worth a second look.

use super::{Evidence, Status, TaskResult};
use serde::{Deserialize, Serialize};

/// Passed checks of passed steps, by the source of their verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basis {
    /// The machine as it is now (images, containers, files, ports).
    pub live: u32,
    /// The daemon's events (its buffer, or events lab recorded).
    pub events: u32,
    /// The learner's typed commands (command log or shell history).
    pub commands: u32,
    /// lab's journal: the check or step passed in an earlier run.
    pub journal: u32,
}

/// Where one check's verdict came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Live,
    Events,
    Commands,
    Journal,
}

impl Source {
    /// The source of a verdict of a check of `kind` with `evidence`.
    pub fn of(kind: &str, evidence: Option<&Evidence>) -> Source {
        match (evidence, kind) {
            (Some(Evidence::Journal { .. }), _) => Source::Journal,
            (Some(Evidence::Event { .. }), _) => Source::Events,
            (_, "history") => Source::Commands,
            _ => Source::Live,
        }
    }
}

/// Something about a task's score worth a teacher's second look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Points earned, all of them on the journal alone: nothing of it is
    /// on the machine now.
    JournalOnly,
    /// A check could not be verified on this machine (no points from it).
    Skipped,
}

impl Flag {
    /// How the gradebook and the summary write it.
    pub fn name(self) -> &'static str {
        match self {
            Flag::JournalOnly => "journal_only",
            Flag::Skipped => "skipped",
        }
    }
}

impl TaskResult {
    /// What this task's points rest on.
    pub fn basis(&self) -> Basis {
        let mut b = Basis::default();
        let passed = self.steps.iter().filter(|s| s.status == Status::Pass);
        for c in passed
            .flat_map(|s| &s.checks)
            .filter(|c| c.status == Status::Pass)
        {
            match Source::of(&c.kind, c.evidence.as_ref()) {
                Source::Journal => b.journal += 1,
                Source::Events => b.events += 1,
                Source::Commands => b.commands += 1,
                Source::Live => b.live += 1,
            }
        }
        b
    }

    /// The flags of this task's result.
    pub fn flags(&self) -> Vec<Flag> {
        let b = self.basis();
        let mut flags = Vec::new();
        if self.score > 0 && b.journal > 0 && b.live + b.events + b.commands == 0 {
            flags.push(Flag::JournalOnly);
        }
        let skipped = self
            .steps
            .iter()
            .flat_map(|s| &s.checks)
            .any(|c| c.status == Status::Skip);
        if skipped {
            flags.push(Flag::Skipped);
        }
        flags
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn a_task_passed_on_the_journal_alone_is_flagged_and_a_skip_too() {
        let mut report = sample::report(crate::lang::Lang::En);
        let task = &mut report.tasks[0];
        // The sample: one step passed on a daemon event, one check skipped.
        assert_eq!(
            task.basis(),
            Basis {
                events: 1,
                ..Basis::default()
            }
        );
        assert_eq!(task.flags(), vec![Flag::Skipped]);
        for c in task.steps.iter_mut().flat_map(|s| &mut s.checks) {
            if c.status == Status::Pass {
                c.evidence = Some(Evidence::Journal {
                    detail: "seen".into(),
                    time: 1,
                });
            }
        }
        assert_eq!(
            task.basis(),
            Basis {
                journal: 1,
                ..Basis::default()
            }
        );
        assert_eq!(task.flags(), vec![Flag::JournalOnly, Flag::Skipped]);
    }
}
