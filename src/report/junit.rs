//! `--format junit`: JUnit XML, a testsuite per task, a testcase per check,
//! for CI dashboards and LMS importers.

use super::{Report, Status};

fn esc(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

pub fn render(report: &Report) -> String {
    class(&[(String::new(), Ok(report))])
}

/// One document for several machines (`lab grade`): each report's suites
/// are named `<name>/<task>`; a machine that could not be graded is a suite
/// with one errored test case saying why.
pub fn class(machines: &[(String, Result<&Report, String>)]) -> String {
    let checks = || {
        machines
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok())
            .flat_map(|r| &r.tasks)
            .flat_map(|t| &t.steps)
            .flat_map(|s| &s.checks)
    };
    let count = |st: Status| checks().filter(|c| c.status == st).count();
    let ungraded = machines.iter().filter(|(_, r)| r.is_err()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"lab\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
        checks().count() + ungraded,
        count(Status::Fail),
        count(Status::Error) + ungraded,
        count(Status::Skip)
    ));
    for (name, result) in machines {
        match result {
            Ok(report) => suites(&mut out, name, report),
            Err(why) => out.push_str(&format!(
                "  <testsuite name=\"{0}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n    <testcase classname=\"{0}\" name=\"connect\">\n      <error message=\"{1}\"/>\n    </testcase>\n  </testsuite>\n",
                esc(name),
                esc(why)
            )),
        }
    }
    out.push_str("</testsuites>\n");
    out
}

fn suites(out: &mut String, name: &str, report: &Report) {
    let prefixed = |id: &str| {
        if name.is_empty() {
            id.to_string()
        } else {
            format!("{name}/{id}")
        }
    };
    for t in &report.tasks {
        let checks: Vec<_> = t
            .steps
            .iter()
            .flat_map(|s| s.checks.iter().map(move |c| (s, c)))
            .collect();
        let n = |st: Status| checks.iter().filter(|(_, c)| c.status == st).count();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
            esc(&prefixed(&t.id)),
            checks.len(),
            n(Status::Fail),
            n(Status::Error),
            n(Status::Skip)
        ));
        out.push_str(&format!("    <properties><property name=\"title\" value=\"{}\"/><property name=\"score\" value=\"{}/{}\"/></properties>\n", esc(&t.title), t.score, t.max_score));
        for (s, c) in checks {
            let name = format!("{}/{}", s.id, c.id);
            out.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{}\"",
                esc(&prefixed(&t.id)),
                esc(&name)
            ));
            let detail = || {
                let mut d = String::new();
                for (k, v) in [
                    ("expected", &c.expected),
                    ("actual", &c.actual),
                    ("hint", &c.hint),
                ] {
                    if let Some(v) = v {
                        d.push_str(&format!("{k}: {v}\n"));
                    }
                }
                esc(&d)
            };
            match c.status {
                Status::Pass => out.push_str("/>\n"),
                Status::Skip => out.push_str(&format!(
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                    esc(&c.message)
                )),
                Status::Fail => out.push_str(&format!(
                    ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                    esc(&c.message),
                    detail()
                )),
                Status::Error => out.push_str(&format!(
                    ">\n      <error message=\"{}\">{}</error>\n    </testcase>\n",
                    esc(&c.message),
                    detail()
                )),
            }
        }
        out.push_str("  </testsuite>\n");
    }
}
