//! The class as `lab grade --watch` last saw it: a row per student, a
//! cell per step, who is stuck on which step since when, the check that
//! fails for the most students now. Pure state: rounds update it, the page
//! renders it (`page.rs`).

use crate::course::Task;
use crate::grade::outcome::HostOutcome;
use crate::report::{Report, Status};
use serde::Serialize;

/// One step of the grid's columns.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    /// `task3/pull`.
    pub step: String,
    pub title: String,
}

/// One student's row.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: String,
    pub name: String,
    /// `None` until the first round of this VM ends.
    pub outcome: Option<HostOutcome>,
    /// Why the VM was not graded (its last round).
    pub detail: Option<String>,
    /// Per column; `None` until graded.
    pub cells: Vec<Option<Status>>,
    /// The first step not passed, and since when (Unix seconds) it has
    /// been the first.
    pub stuck: Option<Stuck>,
    /// Checks failed now, as `task/step/check`.
    #[serde(skip)]
    fails: Vec<String>,
    /// Rounds this VM was graded in.
    pub rounds: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stuck {
    /// Index into the columns.
    pub column: usize,
    pub since: i64,
}

/// The check failed by the most graded students now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MostFailed {
    /// `task3/tag/named`.
    pub check: String,
    pub students: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Board {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

impl Board {
    pub fn new(tasks: &[&Task], students: &[(String, String)], lang: crate::lang::Lang) -> Board {
        let columns: Vec<Column> = tasks
            .iter()
            .flat_map(|t| {
                t.steps.iter().map(move |s| Column {
                    step: format!("{}/{}", t.id, s.id),
                    title: s.title.get(lang).to_string(),
                })
            })
            .collect();
        let rows = students
            .iter()
            .map(|(id, name)| Row {
                id: id.clone(),
                name: name.clone(),
                outcome: None,
                detail: None,
                cells: vec![None; columns.len()],
                stuck: None,
                fails: Vec::new(),
                rounds: 0,
            })
            .collect();
        Board { columns, rows }
    }

    /// Row `i` as its latest round found it, at `now` (Unix seconds).
    pub fn update(
        &mut self,
        i: usize,
        outcome: HostOutcome,
        detail: Option<&str>,
        report: Option<&Report>,
        now: i64,
    ) {
        let Some(row) = self.rows.get_mut(i) else {
            return;
        };
        row.outcome = Some(outcome);
        row.detail = detail.map(str::to_string);
        row.rounds += 1;
        let Some(report) = report else {
            // Unreachable now: what was seen before stays on the grid.
            return;
        };
        let steps = report.tasks.iter().flat_map(|t| {
            t.steps
                .iter()
                .map(move |s| (format!("{}/{}", t.id, s.id), s))
        });
        row.fails.clear();
        for (key, step) in steps {
            if let Some(c) = self.columns.iter().position(|c| c.step == key) {
                row.cells[c] = Some(step.status);
            }
            row.fails.extend(
                step.checks
                    .iter()
                    .filter(|c| c.status == Status::Fail)
                    .map(|c| format!("{key}/{}", c.id)),
            );
        }
        let first = row.cells.iter().position(|c| *c != Some(Status::Pass));
        row.stuck = match (first, row.stuck.take()) {
            (None, _) => None,
            (Some(c), Some(s)) if s.column == c => Some(s),
            (Some(column), _) => Some(Stuck { column, since: now }),
        };
    }

    /// The check most graded students fail now (the first in course order
    /// on a tie); `None` when none fails.
    pub fn most_failed(&self) -> Option<MostFailed> {
        let mut counts: Vec<(String, usize)> = Vec::new();
        let graded = self
            .rows
            .iter()
            .filter(|r| r.outcome == Some(HostOutcome::Graded));
        for f in graded.flat_map(|r| &r.fails) {
            match counts.iter_mut().find(|(k, _)| k == f) {
                Some((_, n)) => *n += 1,
                None => counts.push((f.clone(), 1)),
            }
        }
        let best = counts.iter().map(|(_, n)| *n).max()?;
        let (check, students) = counts.into_iter().find(|(_, n)| *n == best)?;
        Some(MostFailed { check, students })
    }

    /// Rows whose VM could not be graded in its latest round.
    pub fn unreachable(&self) -> impl Iterator<Item = &Row> {
        self.rows
            .iter()
            .filter(|r| r.outcome.is_some_and(|o| o != HostOutcome::Graded))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::testing::{check, step};

    fn report(steps: &[(&str, Status)]) -> Report {
        let steps = steps
            .iter()
            .map(|(id, status)| step(id, id, 1, vec![check("c", "image", *status)]))
            .collect();
        crate::grade::testing::report("t", 2, steps)
    }

    fn board() -> Board {
        let mut b = Board {
            columns: ["t/a", "t/b"]
                .iter()
                .map(|s| Column {
                    step: s.to_string(),
                    title: s.to_string(),
                })
                .collect(),
            rows: Vec::new(),
        };
        let students = [
            ("s1".to_string(), "One".to_string()),
            ("s2".into(), "Two".into()),
        ];
        b.rows = Board::new(&[], &students, crate::lang::Lang::En).rows;
        for r in &mut b.rows {
            r.cells = vec![None; 2];
        }
        b
    }

    #[test]
    fn stuck_is_the_first_step_not_passed_since_it_became_the_first() {
        let mut b = board();
        let fail_fail = report(&[("a", Status::Fail), ("b", Status::Fail)]);
        b.update(0, HostOutcome::Graded, None, Some(&fail_fail), 100);
        assert_eq!(
            b.rows[0].stuck,
            Some(Stuck {
                column: 0,
                since: 100
            })
        );
        b.update(0, HostOutcome::Graded, None, Some(&fail_fail), 130);
        assert_eq!(
            b.rows[0].stuck,
            Some(Stuck {
                column: 0,
                since: 100
            }),
            "still stuck"
        );
        let pass_fail = report(&[("a", Status::Pass), ("b", Status::Fail)]);
        b.update(0, HostOutcome::Graded, None, Some(&pass_fail), 150);
        assert_eq!(
            b.rows[0].stuck,
            Some(Stuck {
                column: 1,
                since: 150
            })
        );
        let done = report(&[("a", Status::Pass), ("b", Status::Pass)]);
        b.update(0, HostOutcome::Graded, None, Some(&done), 160);
        assert_eq!(b.rows[0].stuck, None);
        assert_eq!(b.rows[0].cells, vec![Some(Status::Pass); 2]);
    }

    #[test]
    fn the_most_failed_check_counts_graded_students_and_unreachable_ones_are_listed() {
        let mut b = board();
        assert_eq!(b.most_failed(), None);
        let r = report(&[("a", Status::Pass), ("b", Status::Fail)]);
        b.update(0, HostOutcome::Graded, None, Some(&r), 1);
        b.update(1, HostOutcome::Graded, None, Some(&r), 1);
        assert_eq!(
            b.most_failed(),
            Some(MostFailed {
                check: "t/b/c".into(),
                students: 2
            })
        );
        b.update(1, HostOutcome::Unreachable, Some("refused"), None, 2);
        assert_eq!(b.most_failed().map(|m| m.students), Some(1));
        let down: Vec<&str> = b.unreachable().map(|r| r.id.as_str()).collect();
        assert_eq!(down, ["s2"]);
        assert_eq!(b.rows[1].cells[1], Some(Status::Fail), "last seen stays");
    }
}
