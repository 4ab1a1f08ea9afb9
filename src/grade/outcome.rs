//! How grading a host ended, and the record of it kept in the output folder.

use crate::report::Report;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every host ends in exactly one of these: never a silent zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostOutcome {
    /// Logged in and every selected task checked (whatever the scores).
    Graded,
    /// Nothing answered: connection refused, no route, unknown host name.
    Unreachable,
    /// The VM answered but did not accept the key.
    AuthFailed,
    /// No answer in time (a dropped connection, a VM that hangs).
    TimedOut,
    /// Anything else: host key problems, a broken remote shell.
    Error,
}

impl HostOutcome {
    pub fn name(self) -> &'static str {
        match self {
            HostOutcome::Graded => "graded",
            HostOutcome::Unreachable => "unreachable",
            HostOutcome::AuthFailed => "auth_failed",
            HostOutcome::TimedOut => "timed_out",
            HostOutcome::Error => "error",
        }
    }
}

/// `students/<id>/result.json`: written last, so its presence means the
/// host is done (a resumed run skips it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub schema: u32,
    pub student_id: String,
    pub name: String,
    pub host: String,
    pub outcome: HostOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Unix seconds.
    pub at: i64,
    pub seconds: f64,
    /// Task id → score; empty unless graded.
    pub scores: BTreeMap<String, u32>,
    pub total: Option<u32>,
    pub max_total: u32,
    /// The learner's journal, verified against the VM's own machine-id and
    /// daemon ID: `ok`, `absent`, `foreign`, `edited`, `unsealed`, ... with
    /// counts (graded hosts only; absent in records of earlier versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal: Option<crate::evidence::Health>,
    /// What deserves a second look before the grade is defended:
    /// `task3:journal_only` (its points rest on the journal alone),
    /// `task2:skipped` (a check could not be verified), `journal:edited`
    /// (the journal was rejected in part: copied, edited, damaged).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    /// What tells this VM from the others (graded hosts only): compared
    /// across the class when the class files are written, so a copy is
    /// flagged whichever run graded each student.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<super::identity::Identity>,
}

/// The flags of a graded host: each task's (`report::Flag`), the
/// journal's state when it is neither fine nor simply absent, and work
/// after the deadline (`late:` and when it began).
pub fn flags(
    report: Option<&Report>,
    journal: Option<&crate::evidence::Health>,
    late: Option<&crate::machine::Late>,
) -> Vec<String> {
    use crate::evidence::JournalState as J;
    let mut out: Vec<String> = report
        .into_iter()
        .flat_map(|r| &r.tasks)
        .flat_map(|t| {
            t.flags
                .iter()
                .map(move |f| format!("{}:{}", t.id, f.name()))
        })
        .collect();
    if let Some(h) = journal {
        if !matches!(h.state, J::Ok | J::Absent | J::Disabled) {
            let state = serde_json::to_value(h.state).ok();
            let name = state.as_ref().and_then(|v| v.as_str()).unwrap_or("damaged");
            out.push(format!("journal:{name}"));
        }
    }
    if let Some(l) = late {
        out.push(format!("late:{}", crate::clock::rfc3339(l.first)));
    }
    out
}

/// A finished host with its report (graded hosts only).
pub struct Finished {
    pub record: Record,
    pub report: Option<Report>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_says_what_the_journal_was_worth_and_old_records_still_load() {
        let old = r#"{"schema":1,"student_id":"s01","name":"A","host":"ssh://h:22","outcome":"graded","at":1,"seconds":1.0,"scores":{},"total":0,"max_total":12}"#;
        let mut r: Record = serde_json::from_str(old).expect("an earlier record loads");
        assert!(r.journal.is_none());
        r.journal = Some(crate::evidence::Health {
            state: crate::evidence::JournalState::Foreign,
            lines: 7,
            ignored: 7,
            from_line: Some(1),
        });
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(
            json["journal"],
            serde_json::json!({"state": "foreign", "lines": 7, "ignored": 7, "from_line": 1})
        );
    }

    #[test]
    fn flags_name_the_task_and_a_rejected_journal() {
        use crate::evidence::{Health, JournalState};
        let report = crate::report::sample::report(crate::lang::Lang::En);
        let mut health = Health::default();
        assert_eq!(
            flags(Some(&report), Some(&health), None),
            vec!["task3:skipped"],
            "absent: no flag"
        );
        health.state = JournalState::Edited;
        assert_eq!(
            flags(Some(&report), Some(&health), None),
            vec!["task3:skipped", "journal:edited"]
        );
        assert!(flags(None, None, None).is_empty());
        let late = crate::machine::Late {
            events: 1,
            commands: 0,
            first: 1_795_000_000,
            examples: vec![],
            typed: vec![],
        };
        assert_eq!(
            flags(None, None, Some(&late)),
            vec!["late:2026-11-18T11:06:40Z"]
        );
    }
}
