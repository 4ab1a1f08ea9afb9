//! `--format junit`: JUnit XML, a testsuite per task, a testcase per check,
//! for CI dashboards and LMS importers. Valid against Jenkins' JUnit schema
//! (junit-10.xsd), which CI consumers follow: counts of skipped tests only
//! on `<testsuite>`, never on `<testsuites>`.

use super::{CheckResult, Report, Status};

/// Text for an attribute or an element: the five markup characters as
/// entities, and what XML 1.0 cannot hold at all left out (control
/// characters other than tab and newline, U+FFFE, U+FFFF). A newline in an
/// attribute is written `&#10;`, or a parser would read it as a space.
fn esc(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            '\u{FFFE}' | '\u{FFFF}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn attr(s: &str) -> String {
    esc(s, true)
}

pub fn render(report: &Report) -> String {
    class(&[(String::new(), Ok(report))])
}

/// The `<testsuites>` element's counts: tests, failures, errors. Skips are
/// counted on each `<testsuite>` only (the schema has no `skipped` here).
fn totals(machines: &[(String, Result<&Report, String>)]) -> (usize, usize, usize) {
    let mut t = (0, 0, 0);
    for (_, result) in machines {
        let Ok(report) = result else {
            t.0 += 1;
            t.2 += 1;
            continue;
        };
        for c in report.tasks.iter().flat_map(checks) {
            t.0 += 1;
            match c.1.status {
                Status::Fail => t.1 += 1,
                Status::Error => t.2 += 1,
                Status::Pass | Status::Skip => {}
            }
        }
    }
    t
}

/// One document for several machines (`lab grade`): each report's suites
/// are named `<name>/<task>`; a machine that could not be graded is a suite
/// with one errored test case saying why.
pub fn class(machines: &[(String, Result<&Report, String>)]) -> String {
    let (tests, failures, errors) = totals(machines);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"lab\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">\n"
    ));
    for (name, result) in machines {
        match result {
            Ok(report) => suites(&mut out, name, report),
            Err(why) => out.push_str(&format!(
                "  <testsuite name=\"{0}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n    <testcase classname=\"{0}\" name=\"connect\">\n      <error message=\"{1}\"/>\n    </testcase>\n  </testsuite>\n",
                attr(name),
                attr(why)
            )),
        }
    }
    out.push_str("</testsuites>\n");
    out
}

/// A task's checks with the step each belongs to.
fn checks(t: &super::TaskResult) -> impl Iterator<Item = (&super::StepResult, &CheckResult)> {
    t.steps
        .iter()
        .flat_map(|s| s.checks.iter().map(move |c| (s, c)))
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
        let n = |st: Status| checks(t).filter(|(_, c)| c.status == st).count();
        let suite = attr(&prefixed(&t.id));
        out.push_str(&format!(
            "  <testsuite name=\"{suite}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
            checks(t).count(),
            n(Status::Fail),
            n(Status::Error),
            n(Status::Skip)
        ));
        out.push_str(&format!("    <properties><property name=\"title\" value=\"{}\"/><property name=\"score\" value=\"{}/{}\"/></properties>\n", attr(&t.title), t.score, t.max_score));
        for (s, c) in checks(t) {
            out.push_str(&format!(
                "    <testcase classname=\"{suite}\" name=\"{}\"",
                attr(&format!("{}/{}", s.id, c.id))
            ));
            testcase_body(out, c);
        }
        out.push_str("  </testsuite>\n");
    }
}

/// The rest of a `<testcase>`: nothing for a pass, else one `<skipped>`,
/// `<failure>` or `<error>` with the message and what was expected.
fn testcase_body(out: &mut String, c: &CheckResult) {
    let element = match c.status {
        Status::Pass => {
            out.push_str("/>\n");
            return;
        }
        Status::Skip => "skipped",
        Status::Fail => "failure",
        Status::Error => "error",
    };
    let mut detail = String::new();
    for (k, v) in [
        ("expected", &c.expected),
        ("actual", &c.actual),
        ("hint", &c.hint),
    ] {
        if let Some(v) = v {
            detail.push_str(&format!("{k}: {v}\n"));
        }
    }
    let message = attr(&c.message);
    if detail.is_empty() {
        out.push_str(&format!(
            ">\n      <{element} message=\"{message}\"/>\n    </testcase>\n"
        ));
    } else {
        out.push_str(&format!(
            ">\n      <{element} message=\"{message}\">{}</{element}>\n    </testcase>\n",
            esc(&detail, false)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_xml_cannot_hold_is_left_out_and_markup_escaped() {
        assert_eq!(
            esc("a<b>&\"'\u{1b}[31m\u{FFFF}\r\nz", false),
            "a&lt;b&gt;&amp;&quot;&apos;[31m\nz"
        );
        assert_eq!(attr("one\ntwo\tthree"), "one&#10;two&#9;three");
    }

    /// Jenkins' schema, through xmllint: the sample (a pass, a failure, a
    /// skip, an error) in both languages, then with every text made of
    /// markup, quotes, control characters and newlines.
    #[test]
    fn junit_is_valid_against_jenkins_schema() {
        use crate::lang::Lang;
        use crate::report::{sample, schema};
        for lang in [Lang::En, Lang::ZhCn] {
            schema::assert_valid_junit(&render(&sample::report(lang)));
        }
        let mut r = sample::report(Lang::En);
        let hostile = "<a href=\"x\">&amp;</a> ']]> \u{1b}[31m\r\nline 2\t\u{FFFE}";
        r.tasks[0].title = hostile.into();
        r.tasks[0].id = hostile.into();
        for c in r
            .tasks
            .iter_mut()
            .flat_map(|t| &mut t.steps)
            .flat_map(|s| &mut s.checks)
        {
            c.id = hostile.into();
            c.message = hostile.into();
            c.expected = Some(hostile.into());
        }
        schema::assert_valid_junit(&render(&r));
        schema::assert_valid_junit(&class(&[
            ("s1".into(), Ok(&r)),
            (hostile.into(), Err(hostile.into())),
        ]));
    }

    /// The check that the schema is not a formality: it refuses what lab
    /// wrote before (`skipped` on `<testsuites>`).
    #[test]
    fn the_schema_refuses_skipped_on_testsuites() {
        let old = "<?xml version=\"1.0\"?>\n<testsuites name=\"lab\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\"/>\n";
        let why = crate::report::schema::junit_problems(old).expect("refused");
        assert!(why.contains("skipped"), "{why}");
    }
}
