//! The terminal report: a line per step, the failing checks expanded with
//! expected / actual / hint, a summary line per task. Colour only when asked
//! (a terminal, no NO_COLOR).

use super::{CheckResult, Evidence, Report, Status, StepResult, TaskStatus};
use crate::lang::Lang;
use crate::tr;

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn green(&self, s: &str) -> String {
        self.wrap("32", s)
    }
    fn red(&self, s: &str) -> String {
        self.wrap("31", s)
    }
    fn yellow(&self, s: &str) -> String {
        self.wrap("33", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
}

fn mark(p: &Paint, s: Status) -> String {
    match s {
        Status::Pass => p.green("✔"),
        Status::Fail => p.red("✘"),
        Status::Skip => p.dim("–"),
        Status::Error => p.yellow("!"),
    }
}

/// Where a pass came from, when it is not the live state.
fn provenance(lang: Lang, checks: &[CheckResult]) -> Option<&'static str> {
    let from = |f: fn(&Evidence) -> bool| checks.iter().any(|c| c.evidence.as_ref().is_some_and(f));
    if from(|e| matches!(e, Evidence::Journal { .. })) {
        Some(lang.pick("from lab's journal", "依据 lab 的记录"))
    } else if from(|e| matches!(e, Evidence::Event { .. })) {
        Some(lang.pick("from the daemon's events", "依据守护进程的事件"))
    } else {
        None
    }
}

/// Error messages already printed in full (the same unreachable daemon
/// would otherwise be explained once per check).
type Seen = Vec<String>;

/// Prints a step. Only the first failing step of a task is `detailed`
/// (expected, actual, hint): a learner midway sees what to do next, not the
/// whole rest of the task at once.
fn step(
    out: &mut String,
    p: &Paint,
    lang: Lang,
    s: &StepResult,
    width: usize,
    seen: &mut Seen,
    detailed: bool,
) {
    let mut line = format!("  {} {:<width$}  {}", mark(p, s.status), s.id, s.title);
    if s.status == Status::Pass {
        if let Some(from) = provenance(lang, &s.checks) {
            line.push_str(&p.dim(&tr!(lang, "  ({})", "  （{}）", from)));
        }
    }
    if s.status == Status::Skip {
        line.push_str(&p.dim(lang.pick(
            "  (not verified on this machine: no points)",
            "  （无法在这台机器上验证：不得分）",
        )));
    }
    out.push_str(&line);
    out.push('\n');
    let (exp, act, hint, warn) = (
        lang.pick("expected", "期望"),
        lang.pick("actual", "实际"),
        lang.pick("hint", "提示"),
        lang.pick("warning: ", "警告："),
    );
    let label_w = [exp, act, hint]
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    for c in &s.checks {
        let show = c.status != Status::Pass || s.status != Status::Pass;
        if show {
            let message = if c.status == Status::Error && seen.contains(&c.message) {
                lang.pick("(the same error as above)", "（与上面的错误相同）")
                    .to_string()
            } else {
                if c.status == Status::Error {
                    seen.push(c.message.clone());
                }
                c.message.clone()
            };
            out.push_str(&format!(
                "      {} {}: {message}\n",
                mark(p, c.status),
                c.id
            ));
        }
        if detailed && matches!(c.status, Status::Fail | Status::Error) {
            for (label, value) in [(exp, &c.expected), (act, &c.actual), (hint, &c.hint)] {
                let Some(v) = value else { continue };
                let pad = " ".repeat(label_w.saturating_sub(label.chars().count()));
                let indent = format!("\n          {}  ", " ".repeat(label_w));
                let body = v.lines().collect::<Vec<_>>().join(&indent);
                let body = if label == hint { p.bold(&body) } else { body };
                out.push_str(&format!("          {}{pad}  {body}\n", p.dim(label)));
            }
        }
        for w in &c.warnings {
            out.push_str(&format!("        {}{}\n", p.yellow(warn), w));
        }
    }
}

pub fn render(r: &Report, color: bool) -> String {
    render_detailed(r, color, true)
}

/// The report, with the first failing step's expected / actual / hint
/// when `hints` (`lab watch` hides them on `h`).
pub fn render_detailed(r: &Report, color: bool, hints: bool) -> String {
    let p = Paint(color);
    let lang = r.lang;
    let mut out = String::new();
    let mut seen = Seen::new();
    for w in &r.warnings {
        out.push_str(&format!(
            "{}{w}\n",
            p.yellow(lang.pick("warning: ", "警告："))
        ));
    }
    for t in &r.tasks {
        out.push_str(&format!("{}  {}\n", p.bold(&t.id), t.title));
        let width = t.steps.iter().map(|s| s.id.len()).max().unwrap_or(0);
        let mut details_shown = false;
        for s in &t.steps {
            let first_failure = s.status != Status::Pass && !details_shown;
            step(
                &mut out,
                &p,
                lang,
                s,
                width,
                &mut seen,
                hints && (first_failure || s.status == Status::Error),
            );
            details_shown |= first_failure;
        }
        let verdict = match t.status {
            TaskStatus::Pass => p.green(lang.pick("PASS", "通过")),
            TaskStatus::Fail => p.red(lang.pick("FAIL", "未通过")),
            TaskStatus::Error => p.yellow(lang.pick("ERROR", "无法检查")),
        };
        let passed = t.steps.iter().filter(|s| s.status == Status::Pass).count();
        out.push_str(&tr!(
            lang,
            "  {} {}: {}/{} steps, score {}/{}\n\n",
            "  {} {}：{}/{} 步，得分 {}/{}\n\n",
            verdict,
            t.id,
            passed,
            t.steps.len(),
            t.score,
            t.max_score
        ));
        if let Some(next) = t.steps.iter().find(|s| s.status == Status::Fail) {
            let line = tr!(
                lang,
                "  next: {} ({}); the lesson: lab show {}\n\n",
                "  下一步：{}（{}）；查看课程：`lab show {}`\n\n",
                next.title,
                next.id,
                t.id
            );
            out.pop();
            out.push_str(&p.bold(&line));
        }
    }
    if r.tasks.len() > 1 {
        let n = |st: TaskStatus| r.tasks.iter().filter(|t| t.status == st).count();
        out.push_str(&tr!(
            lang,
            "{} tasks: {} passed, {} failed, {} not checkable\n",
            "共 {} 个任务：{} 个通过，{} 个未通过，{} 个无法检查\n",
            r.tasks.len(),
            n(TaskStatus::Pass),
            n(TaskStatus::Fail),
            n(TaskStatus::Error)
        ));
    }
    out
}
