//! The class file made from the students' records: the gradebook (the
//! LMS files are `lms.rs`, the class JUnit document `junit.rs`). Rows
//! follow the roster.

use super::cell::{csv, Cell};
use super::outcome::Record;
use super::roster::Student;
use crate::course::Task;

fn header(names: &[&str]) -> Vec<Cell> {
    names.iter().map(|n| Cell::text(*n)).collect()
}

/// `gradebook.csv`: a row per student, a column per task with its score,
/// the total and the maximum, what deserves a second look (`flags`:
/// `task3:journal_only`, `task2:skipped`, `journal:edited`); hosts that
/// could not be graded say why and have empty scores (never a silent zero).
pub fn gradebook(students: &[(&Student, Option<&Record>)], tasks: &[&Task]) -> String {
    let mut head = header(&["student_id", "name", "host", "outcome"]);
    head.extend(tasks.iter().map(|t| Cell::text(&t.id)));
    head.extend(header(&["total", "max", "flags", "detail"]));
    let max: u32 = tasks.iter().map(|t| t.max_score()).sum();
    let mut rows = vec![head];
    for (s, record) in students {
        let mut row = vec![
            Cell::text(&s.id),
            Cell::text(&s.name),
            Cell::text(s.target.url()),
        ];
        match record {
            Some(r) => {
                row.push(Cell::text(r.outcome.name()));
                row.extend(
                    tasks
                        .iter()
                        .map(|t| Cell::score(r.scores.get(&t.id).copied())),
                );
                row.push(Cell::score(r.total));
                row.push(Cell::Number(max));
                row.push(Cell::text(r.flags.join(" ")));
                row.push(Cell::text(r.detail.clone().unwrap_or_default()));
            }
            None => {
                row.push(Cell::text("not_graded"));
                row.extend(tasks.iter().map(|_| Cell::Empty));
                row.push(Cell::Empty);
                row.push(Cell::Number(max));
                row.push(Cell::Empty);
                row.push(Cell::text(
                    "no result in this folder (the run stopped before this host)",
                ));
            }
        }
        rows.push(row);
    }
    csv(&rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::outcome::HostOutcome;
    use crate::lang::Text;

    const HOSTILE: [&str; 6] = [
        "=HYPERLINK(\"http://x\",\"y\")",
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)",
        "-2+3",
        "\tTab",
        "\rCR",
    ];

    fn student(i: usize, name: &str) -> Student {
        Student {
            line: i as u64 + 1,
            ..crate::grade::testing::student(&format!("s{i}"), name, &format!("10.0.0.{i}"))
        }
    }

    fn record(s: &Student, outcome: HostOutcome, detail: Option<&str>) -> Record {
        Record {
            detail: detail.map(String::from),
            max_total: 6,
            ..crate::grade::testing::record(
                s,
                outcome,
                &[("task1", 3)][..usize::from(outcome == HostOutcome::Graded)],
            )
        }
    }

    fn task() -> Task {
        Task {
            schema: 1,
            id: "task1".into(),
            unit: "unit1".into(),
            title: Text {
                en: "=Set up".into(),
                zh_cn: "=准备".into(),
            },
            lesson: "l.md".into(),
            quiz: None,
            steps: Vec::new(),
        }
    }

    fn rows(doc: &str) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(doc.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    }

    /// Names as OWASP's CSV-injection examples: every one reaches the
    /// spreadsheet as text (a leading `'`), scores stay digits.
    #[test]
    fn hostile_names_reach_the_spreadsheets_as_text() {
        let students: Vec<Student> = HOSTILE
            .iter()
            .enumerate()
            .map(|(i, n)| student(i + 1, n))
            .collect();
        let records = [
            record(&students[0], HostOutcome::Graded, None),
            record(&students[1], HostOutcome::Error, Some("-oops: =bad")),
        ];
        let pairs: Vec<(&Student, Option<&Record>)> = students
            .iter()
            .enumerate()
            .map(|(i, s)| (s, records.get(i)))
            .collect();
        let t = task();
        let book = rows(&gradebook(&pairs, &[&t]));
        for (i, name) in HOSTILE.iter().enumerate() {
            assert_eq!(book[i + 1][1], format!("'{name}"), "gradebook row {i}");
        }
        assert_eq!(book[1][3..7], ["graded", "3", "3", "0"]);
        assert_eq!(book[2][3], "error");
        assert_eq!(book[2][7], "", "no flags");
        assert_eq!(book[2][8], "'-oops: =bad");
        for row in &book {
            for cell in row {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell:?} starts like a formula"
                );
            }
        }
    }
}
