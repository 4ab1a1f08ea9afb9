//! A check judged on the live state only, whose state a later task's
//! commands undo: task 7 asks that ubuntu:18.04 be gone, task 8 pulls it
//! again. A learner who runs `lab check` only once, at the end, could never
//! pass it, so `lab validate` reports it. The remedy is an `any_of` that
//! also accepts the evidence (an `event` check of what happened).

use super::{Problem, Source, Task, Vars};
use crate::checks::CheckKind;

/// Each such check, located at its id in its task's file.
pub(super) fn undone_later(
    source: &Source,
    vars: &Vars,
    tasks: &[(String, String, Task)],
) -> Vec<Problem> {
    let mut in_order: Vec<&(String, String, Task)> = tasks.iter().collect();
    in_order.sort_by_key(|(_, _, t)| t.number());
    let mut out = Vec::new();
    for (i, (rel, text, task)) in in_order.iter().enumerate() {
        let later = &in_order[i + 1..];
        for step in &task.steps {
            // Direct checks only: one inside `any_of` has an alternative.
            for check in step.checks.iter().filter(|c| is_live(&c.kind)) {
                let undoing = later.iter().find_map(|(_, _, t)| {
                    t.steps
                        .iter()
                        .flat_map(|s| &s.commands)
                        .map(|cmd| cmd.get(crate::lang::Lang::En))
                        .find(|cmd| check.kind.undone_by(vars, &vars.expand(cmd)))
                        .map(|cmd| (t.id.as_str(), cmd))
                });
                if let Some((by, cmd)) = undoing {
                    let (line, col) = locate(text, &step.id, &check.id);
                    out.push(Problem {
                        file: source.display_path(rel),
                        line,
                        col,
                        message: format!(
                            "check `{}` of step `{}` looks only at the machine as it is now, and {by}'s `{cmd}` undoes it: a learner who checks at the end of the course fails it; accept the evidence too (any_of with an `event` check)",
                            check.id, step.id
                        ),
                        zh: Some(format!(
                            "步骤 `{}` 的检查 `{}` 只看机器现在的状态，而 {by} 的 `{cmd}` 会把它撤销：学完整个课程再检查的学员会不通过；请同时接受证据（用 any_of 加上一个 `event` 检查）",
                            step.id, check.id
                        )),
                    });
                }
            }
        }
    }
    out
}

fn is_live(kind: &CheckKind) -> bool {
    !matches!(kind, CheckKind::AnyOf(_) | CheckKind::Event(_))
}

/// Line and column of `id: CHECK` after the line `id: STEP`.
fn locate(text: &str, step: &str, check: &str) -> (Option<usize>, Option<usize>) {
    let is = |line: &str, id: &str| {
        let l = line.trim_start().trim_start_matches("- ").trim();
        l.strip_prefix("id:")
            .map(|v| v.trim().trim_matches(['"', '\'']))
            == Some(id)
    };
    let mut in_step = false;
    for (n, line) in text.lines().enumerate() {
        if is(line, step) {
            in_step = true;
        } else if in_step && is(line, check) {
            let col = line.find("id:").unwrap_or(0) + 1;
            return (Some(n + 1), Some(col));
        }
    }
    (None, None)
}
