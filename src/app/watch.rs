//! `lab watch [TASK]`: settings for the live view (`crate::watch`).

use super::{color, learner_vars, runtime, AppError};
use crate::cli::{Global, WatchArgs};
use crate::course::Course;
use crate::lang::Lang;
use crate::tr;
use std::io::IsTerminal;

pub fn run(course: &Course, g: &Global, args: &WatchArgs, lang: Lang) -> Result<u8, AppError> {
    if let Some(id) = &args.task {
        course.select(std::slice::from_ref(id), false)?;
        if course.task(id).is_none() {
            return Err(AppError::Usage(tr!(
                lang,
                "lab watch follows one task; `{}` is a unit: name one of its tasks, e.g. lab watch task3",
                "lab watch 只跟踪一个任务；`{}` 是一个单元：请指定其中的任务，例如 lab watch task3",
                id
            )));
        }
    }
    let vars = learner_vars(course, g, &args.vars, lang)?;
    let tty = !args.plain && std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    let settings = crate::watch::Settings {
        task: args.task.clone(),
        vars,
        lang,
        color: color(g),
        tty,
    };
    let rt = runtime()?;
    let code = rt.block_on(crate::watch::run(course, g, settings));
    rt.shutdown_background();
    code.map_err(|e| {
        AppError::Output(tr!(
            lang,
            "lab watch could not write to the terminal: {}",
            "lab watch 无法写入终端：{}",
            crate::evidence::describe_io(&e, lang)
        ))
    })
}
