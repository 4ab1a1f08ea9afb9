//! `--format tap`: TAP version 13, one test point per check, a YAML block
//! (`  ---` … `  ...`) under each failed or errored one. Version 13 because
//! `prove` (TAP::Harness 3.x) refuses a file that says 14, and lab uses
//! nothing 14 added (subtests).
//!
//! A skipped check is `ok … # SKIP reason`: TAP's harnesses count a skip
//! as not failing. lab does not: a skip proves nothing and earns no points,
//! so the exit code (`Report::exit_code`) is still 1, and the closing
//! comment counts skips apart from passes.

use super::{Report, Status};
use crate::lang::Lang;
use crate::tr;

pub fn render(report: &Report) -> String {
    let checks: Vec<_> = report
        .tasks
        .iter()
        .flat_map(|t| {
            t.steps
                .iter()
                .flat_map(move |s| s.checks.iter().map(move |c| (t, s, c)))
        })
        .collect();
    let mut out = format!("TAP version 13\n1..{}\n", checks.len());
    for (i, (t, s, c)) in checks.iter().enumerate() {
        let n = i + 1;
        let name = description(&format!("{}/{}/{}", t.id, s.id, c.id));
        let line = match c.status {
            Status::Pass => format!("ok {n} - {name}"),
            Status::Skip => format!("ok {n} - {name} # SKIP {}", description(&c.message)),
            Status::Fail | Status::Error => format!("not ok {n} - {name}"),
        };
        out.push_str(&line);
        out.push('\n');
        if matches!(c.status, Status::Fail | Status::Error) {
            out.push_str("  ---\n");
            out.push_str(&format!(
                "  status: {}\n",
                if c.status == Status::Fail {
                    "fail"
                } else {
                    "error"
                }
            ));
            out.push_str(&format!("  message: {}\n", yaml_str(&c.message)));
            for (k, v) in [
                ("expected", &c.expected),
                ("actual", &c.actual),
                ("hint", &c.hint),
            ] {
                if let Some(v) = v {
                    out.push_str(&format!("  {k}: {}\n", yaml_str(v)));
                }
            }
            out.push_str("  ...\n");
        }
    }
    let count = |st: Status| checks.iter().filter(|(_, _, c)| c.status == st).count();
    out.push_str(&closing(
        report.lang,
        [
            count(Status::Pass),
            count(Status::Fail),
            count(Status::Skip),
            count(Status::Error),
        ],
    ));
    out
}

/// The last line, a TAP comment: what lab counts, since a harness shows a
/// skip among the passes.
fn closing(lang: Lang, [pass, fail, skip, error]: [usize; 4]) -> String {
    tr!(
        lang,
        "# lab: {} passed, {} failed, {} skipped (not verified, no points), {} could not be checked\n",
        "# lab：{} 项通过，{} 项未通过，{} 项跳过（未验证，不得分），{} 项无法检查\n",
        pass,
        fail,
        skip,
        error
    )
}

/// A test point's description or a SKIP reason: one line, with no `#`
/// (which would start a directive), as TAP 13 requires.
fn description(s: &str) -> String {
    s.chars()
        .map(|c| if c == '#' || c.is_control() { ' ' } else { c })
        .collect()
}

/// A YAML double-quoted scalar that TAP::Parser's YAMLish reader decodes
/// as written: `\\`, `\"`, `\n`, `\t`, other control characters as `\xNN`
/// (every one is below U+0100; the reader does not know JSON's `\uNNNN`), everything else as it is.
fn yaml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_strings_escape_what_yamlish_reads() {
        assert_eq!(
            yaml_str("a\"b\\c\nd\te\u{1b}[0m 中"),
            r#""a\"b\\c\nd\te\x1b[0m 中""#
        );
    }

    #[test]
    fn a_description_is_one_line_without_a_directive() {
        assert_eq!(description("t/s/c # TODO\nnext"), "t/s/c   TODO next");
    }
}
