//! "Check your work", generated from the task's YAML so it never goes
//! stale: each step, the commands to type, what `lab check` verifies, and
//! the command to run.

use crate::course::{Task, Vars};
use crate::lang::Lang;
use std::collections::BTreeMap;

/// Escaped text with `code` spans as <code>.
pub(super) fn inline(s: &str) -> String {
    s.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                super::render::code_html(part)
            } else {
                crate::html::escape(part)
            }
        })
        .collect()
}

/// `heading`: false when the lesson ends with its own "Check your work"
/// section, which this then completes instead of repeating: no second
/// heading, and no second `lab check TASK` (the lesson's section has it).
pub fn html(
    task: &Task,
    vars: &Vars,
    lang: Lang,
    ui: &BTreeMap<&str, &str>,
    heading: bool,
) -> String {
    // Without its own heading the block completes the lesson's section,
    // whose heading already carries the `check-your-work` id.
    let mut out = String::from(if heading {
        "<section class=\"check\" id=\"check-your-work\">\n"
    } else {
        "<section class=\"check\">\n"
    });
    if heading {
        out.push_str(&format!(
            "<h2>{}</h2>\n",
            crate::html::escape(ui["check_your_work"])
        ));
    }
    out.push_str("<ol class=\"check-steps\">\n");
    for step in &task.steps {
        out.push_str(&format!(
            "<li class=\"check-step\" id=\"check-{}\">\n<p class=\"check-step-title\">{}</p>\n",
            crate::html::escape(&step.id),
            crate::html::escape(&vars.expand(step.title.get(lang)))
        ));
        if !step.commands.is_empty() {
            out.push_str(&format!(
                "<p class=\"check-label\">{}</p>\n<pre><code class=\"language-bash\">",
                crate::html::escape(ui["type"])
            ));
            let commands: Vec<String> = step
                .commands
                .iter()
                .map(|c| vars.expand(c.get(lang)))
                .collect();
            out.push_str(&crate::html::escape(&commands.join("\n")));
            out.push_str("</code></pre>\n");
        }
        out.push_str(&format!(
            "<p class=\"check-label\">{}</p>\n<ul class=\"check-verifies\">\n",
            crate::html::escape(ui["lab_checks"])
        ));
        for c in &step.checks {
            out.push_str(&format!(
                "<li>{}</li>\n",
                inline(&c.kind.describe(vars, lang))
            ));
        }
        out.push_str("</ul>\n</li>\n");
    }
    out.push_str("</ol>\n");
    if heading && task.quiz.is_some() {
        out.push_str(&format!(
            "<p class=\"check-run\">{} <code>lab quiz {}</code></p>\n",
            crate::html::escape(ui["quiz_note"]),
            crate::html::escape(&task.id)
        ));
    }
    // A lesson with its own section already shows `lab check TASK` there.
    if heading {
        out.push_str(&format!("<p class=\"check-run\">{}</p>\n<pre><code class=\"language-bash\">lab check {}</code></pre>\n", crate::html::escape(ui["run_this"]), crate::html::escape(&task.id)));
    }
    out.push_str("</section>\n");
    out
}
