//! The class files made from the students' records: the gradebook, a CSV
//! for the LMS, and the class JUnit document. Rows follow the roster.

use super::outcome::{Outcome, Record};
use super::roster::Student;
use crate::course::Task;
use crate::lang::Lang;
use crate::report::Report;

fn csv(rows: &[Vec<String>]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for row in rows {
        // Writing to memory cannot fail.
        let _ = w.write_record(row);
    }
    String::from_utf8_lossy(&w.into_inner().unwrap_or_default()).into_owned()
}

/// `gradebook.csv`: a row per student, a column per task with its score,
/// the total and the maximum; hosts that could not be graded say why and
/// have empty scores (never a silent zero).
pub fn gradebook(students: &[(&Student, Option<&Record>)], tasks: &[&Task]) -> String {
    let mut header: Vec<String> = ["student_id", "name", "host", "outcome"]
        .map(String::from)
        .to_vec();
    header.extend(tasks.iter().map(|t| t.id.clone()));
    header.extend(["total", "max", "detail"].map(String::from));
    let max: u32 = tasks.iter().map(|t| t.max_score()).sum();
    let mut rows = vec![header];
    for (s, record) in students {
        let mut row = vec![s.id.clone(), s.name.clone(), s.target.url()];
        match record {
            Some(r) => {
                row.push(r.outcome.name().to_string());
                for t in tasks {
                    row.push(r.scores.get(&t.id).map(u32::to_string).unwrap_or_default());
                }
                row.push(r.total.map(|t| t.to_string()).unwrap_or_default());
                row.push(max.to_string());
                row.push(r.detail.clone().unwrap_or_default());
            }
            None => {
                row.push("not_graded".into());
                row.extend(tasks.iter().map(|_| String::new()));
                row.push(String::new());
                row.push(max.to_string());
                row.push("no result in this folder (the run stopped before this host)".into());
            }
        }
        rows.push(row);
    }
    csv(&rows)
}

/// `lms.csv`: Canvas's gradebook import layout (Student, ID, SIS User ID,
/// SIS Login ID, Section, then one column per assignment). Moodle imports it
/// too, mapping "SIS User ID" to the users' ID number. A host that could not
/// be graded has an empty cell, which both leave unchanged.
pub fn lms(students: &[(&Student, Option<&Record>)], tasks: &[&Task], lang: Lang) -> String {
    let mut header: Vec<String> = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
        .map(String::from)
        .to_vec();
    header.extend(
        tasks
            .iter()
            .map(|t| format!("{} {} ({})", t.id, t.title.get(lang), t.max_score())),
    );
    let mut rows = vec![header];
    for (s, record) in students {
        let mut row = vec![
            s.name.clone(),
            String::new(),
            s.id.clone(),
            String::new(),
            String::new(),
        ];
        let graded = record.filter(|r| r.outcome == Outcome::Graded);
        for t in tasks {
            row.push(
                graded
                    .and_then(|r| r.scores.get(&t.id))
                    .map(u32::to_string)
                    .unwrap_or_default(),
            );
        }
        rows.push(row);
    }
    csv(&rows)
}

/// `junit.xml`: every student's checks, suites named `<student id>/<task>`.
pub fn junit(students: &[(&Student, Option<&Record>, Option<&Report>)]) -> String {
    let machines: Vec<(String, Result<&Report, String>)> = students
        .iter()
        .map(|(s, record, report)| {
            let result = match (report, record) {
                (Some(rep), _) => Ok(*rep),
                (None, Some(r)) if r.outcome == Outcome::Graded => Err(format!(
                    "graded, but students/{}/report.json cannot be read",
                    s.id
                )),
                (None, Some(r)) => Err(format!(
                    "{}: {}",
                    r.outcome.name(),
                    r.detail.clone().unwrap_or_default()
                )),
                (None, None) => Err("not graded: the run stopped before this host".into()),
            };
            (s.id.clone(), result)
        })
        .collect();
    crate::report::junit_class(&machines)
}
