//! `--format tap`: TAP version 14, one test point per check.

use super::{Report, Status};

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
    let mut out = format!("TAP version 14\n1..{}\n", checks.len());
    for (i, (t, s, c)) in checks.iter().enumerate() {
        let n = i + 1;
        let name = format!("{}/{}/{}", t.id, s.id, c.id);
        let line = match c.status {
            Status::Pass => format!("ok {n} - {name}"),
            Status::Skip => format!("ok {n} - {name} # SKIP {}", one_line(&c.message)),
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
    out
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '#'], " ")
}

fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}
