//! canvas.csv and moodle.csv read the way each LMS's importer reads them:
//! `canvas.rs` follows Canvas's `GradebookImporter`, `moodle.rs` Moodle's
//! grade/import/csv. Here: the class both are made from, a CSV reader as
//! Ruby's, and what is left out of both.

use super::*;
use crate::course::Step;
use crate::grade::cell::BOM;
use crate::grade::roster::LmsIds;
use crate::lang::Text;
use regex::Regex;
use std::collections::BTreeMap;

// ------------------------------------------------------------- fixtures

fn task(id: &str, title: &str, points: &[u32]) -> Task {
    Task {
        schema: 1,
        id: id.into(),
        unit: "unit1".into(),
        title: Text {
            en: title.into(),
            zh_cn: "准备 Docker 环境".into(),
        },
        lesson: "l.md".into(),
        quiz: None,
        steps: points
            .iter()
            .enumerate()
            .map(|(i, p)| Step {
                id: format!("s{i}"),
                title: Text {
                    en: "x".into(),
                    zh_cn: "x".into(),
                },
                commands: Vec::new(),
                checks: Vec::new(),
                hint: None,
                points: *p,
            })
            .collect(),
    }
}

fn student(id: &str, name: &str, lms: LmsIds) -> Student {
    let mut s = crate::grade::testing::student(id, name, "vm");
    s.target.port = None;
    Student { lms, ..s }
}

fn ids(username: &str, email: &str, idnumber: &str) -> LmsIds {
    LmsIds {
        username: Some(username.into()),
        email: Some(email.into()),
        idnumber: Some(idnumber.into()),
    }
}

fn record(s: &Student, outcome: HostOutcome, scores: &[(&str, u32)]) -> Record {
    let graded = outcome == HostOutcome::Graded;
    Record {
        detail: (!graded).then(|| "ssh: connect to host vm port 22: Connection refused".into()),
        ..crate::grade::testing::record(s, outcome, scores)
    }
}

/// The class: two tasks of 6 points; Ada and 李雷 graded, Bob's VM
/// unreachable, Eve's not reached before the run stopped.
struct Class {
    students: Vec<Student>,
    records: Vec<Option<Record>>,
    tasks: Vec<Task>,
}

impl Class {
    fn new() -> Class {
        let students = vec![
            student(
                "s01",
                "Ada Lovelace",
                ids("ada", "ada@example.edu", "2026001"),
            ),
            student("s02", "Bob", ids("bob", "bob@example.edu", "2026002")),
            student("s03", "李雷", ids("lilei", "lilei@example.edu", "2026003")),
            student("s04", "Eve", ids("eve", "eve@example.edu", "2026004")),
        ];
        let records = vec![
            Some(record(
                &students[0],
                HostOutcome::Graded,
                &[("task2", 6), ("task3", 2)],
            )),
            Some(record(&students[1], HostOutcome::Unreachable, &[])),
            Some(record(
                &students[2],
                HostOutcome::Graded,
                &[("task2", 3), ("task3", 0)],
            )),
            None,
        ];
        let tasks = vec![
            task("task2", "Set up the Docker environment", &[2, 4]),
            task("task3", "Explore Docker images (2024)", &[6]),
        ];
        Class {
            students,
            records,
            tasks,
        }
    }

    fn pairs(&self) -> Vec<(&Student, Option<&Record>)> {
        self.students
            .iter()
            .zip(&self.records)
            .map(|(s, r)| (s, r.as_ref()))
            .collect()
    }

    fn tasks(&self) -> Vec<&Task> {
        self.tasks.iter().collect()
    }

    fn canvas(&self, lang: Lang) -> String {
        canvas(&self.pairs(), &self.tasks(), lang)
    }

    fn moodle(&self) -> String {
        moodle(&self.pairs(), &self.tasks(), Lang::En)
    }
}

/// CSV rows as strings, as Ruby's CSV reads them: a BOM stays in the
/// first cell (the csv crate drops it, so it is put back).
fn parse(doc: &str, delimiter: u8) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(doc.as_bytes())
        .records()
        .map(|r| r.expect("valid CSV").iter().map(String::from).collect())
        .collect();
    if let (true, Some(first)) = (doc.starts_with(BOM), rows.first_mut()) {
        if let Some(cell) = first.first_mut() {
            if !cell.starts_with(BOM) {
                cell.insert(0, BOM);
            }
        }
    }
    rows
}

mod canvas;
mod moodle;

// ------------------------------------------------------------- left out

#[test]
fn left_out_names_every_student_without_a_graded_vm_in_roster_order() {
    let class = Class::new();
    assert_eq!(
        left_out(&class.pairs()),
        [
            LeftOut {
                student_id: "s02".into(),
                outcome: Some(HostOutcome::Unreachable)
            },
            LeftOut {
                student_id: "s04".into(),
                outcome: None
            },
        ]
    );
}

/// Hostile names reach both files as text; scores stay digits.
#[test]
fn hostile_names_reach_the_lms_files_as_text() {
    let mut class = Class::new();
    class.students[0].name = "=HYPERLINK(\"http://x\",\"y\")".into();
    class.students[2].name = "+cmd|' /C calc'!A0".into();
    let canvas = parse(&class.canvas(Lang::En), b',');
    assert_eq!(canvas[2][0], "'=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(canvas[3][0], "'+cmd|' /C calc'!A0");
    assert_eq!(canvas[2][5..], ["6", "2"]);
    let moodle = parse(&class.moodle(), b',');
    assert_eq!(moodle[1][4], "'=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(moodle[2][5..], ["3", "0"]);
}
