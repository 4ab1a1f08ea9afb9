//! `lab list`: the course's units and tasks, with each task's last result
//! from the journal.

use super::{color, emit, journal, runtime, AppError};
use crate::cli::Global;
use crate::course::Course;
use crate::evidence::{Entry, Journal};
use crate::lang::Lang;
use crate::machine::Machine;
use crate::report::{exit, TaskStatus};
use crate::tr;

pub fn run(course: &Course, g: &Global, lang: Lang) -> Result<u8, AppError> {
    // Only the daemon's ID is asked (the journal is sealed to it):
    // a listing does not wait long for a daemon that hangs.
    let machine = Machine::local(g.docker_host.clone(), g.timeout.min(3));
    let journal = journal(g, &machine, &runtime()?, lang);
    for w in &journal.warnings {
        eprintln!("lab: {}{w}", lang.pick("warning: ", "警告："));
    }
    emit(&list(course, &journal, lang, color(g)), lang)?;
    Ok(exit::PASS)
}

fn list(course: &Course, journal: &Journal, lang: Lang, color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = format!("{}\n\n", paint("1", course.file.title.get(lang)));
    for unit in &course.file.units {
        out.push_str(&format!(
            "{}  {}\n",
            paint("1", &unit.id),
            unit.title.get(lang)
        ));
        for (_, t) in course.tasks.iter().filter(|(_, t)| t.unit == unit.id) {
            let status = match journal.last_task(&t.id) {
                Some(Entry::Task {
                    at,
                    status,
                    score,
                    max_score,
                    ..
                }) => {
                    let (mark, code) = match status {
                        TaskStatus::Pass => ("✔", "32"),
                        TaskStatus::Fail => ("✘", "31"),
                        TaskStatus::Error => ("!", "33"),
                    };
                    format!(
                        "{} {score}/{max_score}  {}",
                        paint(code, mark),
                        paint("2", &crate::clock::date(*at))
                    )
                }
                _ => paint("2", lang.pick("· not checked yet", "· 尚未检查")),
            };
            out.push_str(&format!("  {:<7} {}  {status}\n", t.id, t.title.get(lang)));
        }
        out.push('\n');
    }
    out.push_str(&tr!(
        lang,
        "Read a lesson: lab show TASK · check your work: lab check TASK\n",
        "阅读课程：lab show 任务 · 检查成果：lab check 任务\n"
    ));
    out
}
