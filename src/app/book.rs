//! `lab book build`: the course as a static bilingual site.

use super::{emit, AppError};
use crate::cli::Global;
use crate::course::{Course, Vars};
use crate::lang::Lang;
use crate::report::exit;
use crate::tr;
use std::path::PathBuf;

pub fn build(
    course: &Course,
    g: &Global,
    out: Option<PathBuf>,
    lang: Lang,
) -> Result<u8, AppError> {
    let vars = Vars::for_learner(&course.file.vars, &g.vars, lang).map_err(AppError::Usage)?;
    let cfg = crate::book::config(&course.source)?;
    let out = crate::book::out_dir(&cfg, out);
    let built = crate::book::build(course, &vars, &out)?;
    emit(
        &tr!(
            lang,
            "built the book: {} pages in {} (en, zh-CN); open {}\n",
            "已生成课程网站：{} 个页面，位于 {}（en、zh-CN）；打开 {}\n",
            built.pages,
            built.out.display(),
            built.out.join("index.html").display()
        ),
        lang,
    )?;
    Ok(exit::PASS)
}
