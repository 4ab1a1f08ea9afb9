//! Commands that print a script or a page and need no machine: `lab init
//! SHELL`, `lab man`, `lab completions SHELL`.

use super::{emit, AppError};
use crate::course::Course;
use crate::lang::Lang;
use crate::report::exit;

/// The shell integration (works even where the course would not load).
pub fn init(shell: crate::shell::Shell, lang: Lang) -> Result<u8, AppError> {
    emit(crate::shell::script(shell), lang)?;
    Ok(exit::PASS)
}

/// The man page, from the clap definitions.
pub fn man(lang: Lang) -> Result<u8, AppError> {
    let page = crate::completions::man_page().map_err(|e| AppError::Output(e.to_string()))?;
    emit(&String::from_utf8_lossy(&page), lang)?;
    Ok(exit::PASS)
}

/// Completions that know the course's task and unit ids.
pub fn completions(
    shell: clap_complete::Shell,
    course: &Course,
    lang: Lang,
) -> Result<u8, AppError> {
    let script = crate::completions::script(shell, course);
    emit(&String::from_utf8_lossy(&script), lang)?;
    Ok(exit::PASS)
}
