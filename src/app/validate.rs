//! `lab validate`: the course loads (the loader already linted it).

use super::{emit, AppError};
use crate::course::Course;
use crate::lang::Lang;
use crate::report::exit;
use crate::tr;

pub fn run(course: &Course, lang: Lang) -> Result<u8, AppError> {
    let checks: usize = course
        .tasks
        .iter()
        .flat_map(|(_, t)| &t.steps)
        .map(|s| s.checks.len())
        .sum();
    emit(
        &tr!(
            lang,
            "ok: {} — {} units, {} tasks, {} checks\n",
            "通过：{} — {} 个单元，{} 个任务，{} 项检查\n",
            course.source.describe(lang),
            course.file.units.len(),
            course.tasks.len(),
            checks
        ),
        lang,
    )?;
    Ok(exit::PASS)
}
