//! `junit.xml` of `lab grade`: every student's checks in one JUnit
//! document, suites named `<student id>/<task>`; a student with no report
//! is one errored test case saying why. The XML itself is written by
//! `report::junit`, the same writer as `lab check --format junit`.

use super::outcome::{Outcome, Record};
use super::roster::Student;
use crate::report::Report;

/// The class document, rows in roster order.
pub fn class(students: &[(&Student, Option<&Record>, Option<&Report>)]) -> String {
    let machines: Vec<(String, Result<&Report, String>)> = students
        .iter()
        .map(|(s, record, report)| (s.id.clone(), result(s, *record, *report)))
        .collect();
    crate::report::junit_class(&machines)
}

/// A student's report, or why there is none.
fn result<'a>(
    s: &Student,
    record: Option<&Record>,
    report: Option<&'a Report>,
) -> Result<&'a Report, String> {
    match (report, record) {
        (Some(rep), _) => Ok(rep),
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
    }
}
