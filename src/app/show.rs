//! `lab show TASK`: the lesson in the terminal.

use super::{color, emit, AppError};
use crate::cli::Global;
use crate::course::{Course, CourseError};
use crate::lang::Lang;
use crate::report::exit;
use crate::tr;

pub fn run(course: &Course, g: &Global, task: &str, lang: Lang) -> Result<u8, AppError> {
    let t = course
        .task(task)
        .ok_or_else(|| CourseError::UnknownTarget {
            name: task.to_string(),
            course: course.source.names(),
        })?;
    let md = course.lesson(t, lang).map_err(|e| {
        AppError::Usage(tr!(
            lang,
            "cannot read the lesson of {}: {}",
            "读不到 {} 的课文：{}",
            task,
            e
        ))
    })?;
    emit(&crate::markdown::to_terminal(&md, color(g)), lang)?;
    if t.quiz.is_some() {
        emit(
            &tr!(
                lang,
                "This task has a quiz: lab quiz {}\n",
                "本任务包含测验：lab quiz {}\n",
                t.id
            ),
            lang,
        )?;
    }
    emit(
        &tr!(
            lang,
            "When you are done: lab check {}\n",
            "完成后运行：lab check {}\n",
            t.id
        ),
        lang,
    )?;
    Ok(exit::PASS)
}
