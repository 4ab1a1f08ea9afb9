//! `lab check`: one run of the checks against this machine, one report.

use super::{color, emit, learner_journal, learner_vars, runtime, AppError};
use crate::cli::{CheckArgs, Global};
use crate::course::{Course, Task, Vars};
use crate::lang::Lang;
use crate::machine::Machine;
use crate::report::{Format, Report};
use crate::run::Run;

pub fn run(course: &Course, g: &Global, args: &CheckArgs, lang: Lang) -> Result<u8, AppError> {
    let tasks = course.select(&args.targets, args.all)?;
    let vars = learner_vars(course, g, &args.vars, lang)?;
    let rt = runtime()?;
    let report = rt.block_on(checked(g, &tasks, &vars, lang));
    // A read still stuck on the blocking pool (its check already timed
    // out: a stalled network mount) must not hold up the exit.
    rt.shutdown_background();
    emit(
        &report.render(args.format, args.format == Format::Text && color(g)),
        lang,
    )?;
    Ok(report.exit_code())
}

/// One check of `tasks` against this machine as it is now: a fresh
/// machine view and journal, as each `lab check` has (`lab watch` runs one
/// per round, so its verdict is `lab check`'s at that moment).
pub async fn checked(g: &Global, tasks: &[&Task], vars: &Vars, lang: Lang) -> Report {
    let machine = Machine::local(g.docker_host.clone(), g.timeout);
    let journal = learner_journal(g, &machine, lang).await;
    let mut report = Run {
        machine: &machine,
        vars,
        journal: &journal,
        lang,
        timeout: g.timeout,
    }
    .check(tasks)
    .await;
    if machine.command_log_missing() {
        report.warnings.push(crate::shell::missing(lang));
    }
    report
}
