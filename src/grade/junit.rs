//! `junit.xml` of `lab grade`: every student's checks in one JUnit
//! document, suites named `<student id>/<task>`; a student with no report
//! is one errored test case saying why. The XML itself is written by
//! `report::junit`, the same writer as `lab check --format junit`.

use super::outcome::{HostOutcome, Record};
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
        (None, Some(r)) if r.outcome == HostOutcome::Graded => Err(format!(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use crate::report::{sample, schema};

    fn student(id: &str) -> Student {
        crate::grade::testing::student(id, &format!("Name of {id}"), "10.0.0.1")
    }

    fn record(s: &Student, outcome: HostOutcome, detail: &str) -> Record {
        Record {
            detail: Some(detail.into()),
            max_total: 4,
            total: None,
            ..crate::grade::testing::record(s, outcome, &[])
        }
    }

    /// A class of four: graded (the sample: a pass, a failure, a skip, an
    /// error), unreachable, graded without a readable report, and not
    /// reached before the run stopped. Against its golden file
    /// (`LAB_BLESS=1 cargo test --lib golden` rewrites it) and Jenkins'
    /// schema through xmllint.
    #[test]
    fn golden_class_junit_is_valid_against_jenkins_schema() {
        let [a, b, c, d] = ["s01", "s02 <&>", "s03", "s04"].map(student);
        let report = sample::report(Lang::En);
        let unreachable = record(
            &b,
            HostOutcome::Unreachable,
            "ssh: connect to host \"x\" <refused>",
        );
        let lost = record(&c, HostOutcome::Graded, "");
        let rows = [
            (&a, None, Some(&report)),
            (&b, Some(&unreachable), None),
            (&c, Some(&lost), None),
            (&d, None, None),
        ];
        let xml = class(&rows);
        crate::golden::check(crate::golden::file("grade/class.junit.xml"), &xml);
        schema::assert_valid_junit(&xml);
    }
}
