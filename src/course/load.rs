//! Reading a course: `labs/course.yaml`, every task file, and a full lint.
//! A course that loads is a course that `lab validate` accepts.

use super::{guard, validate, yaml_error, CourseFile, Source, Task, SCHEMA};
use std::fmt;

/// A loaded, validated course.
#[derive(Debug)]
pub struct Course {
    pub source: Source,
    pub file: CourseFile,
    /// Tasks in teaching order (unit order, then task number), each with the
    /// file it came from.
    pub tasks: Vec<(String, Task)>,
}

/// One thing wrong with a course file, located as precisely as we can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: Option<usize>,
    pub col: Option<usize>,
    pub message: String,
    /// The message in zh-CN (every problem of `lab validate` has one;
    /// what a book theme's template engine says does not).
    pub zh: Option<String>,
}

impl Problem {
    /// The problem in the learner's language (English where it has no
    /// zh-CN message).
    pub fn text(&self, lang: crate::lang::Lang) -> String {
        match (lang, &self.zh) {
            (crate::lang::Lang::ZhCn, Some(zh)) => Problem {
                message: zh.clone(),
                ..self.clone()
            }
            .to_string(),
            _ => self.to_string(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match (self.line, self.col) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.file, self.message),
            (Some(l), None) => write!(f, "{}:{l}: {}", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CourseError {
    #[error("the course in {} has {} problem(s):\n{}", course.en, problems.len(), list(problems, crate::lang::Lang::En))]
    Invalid {
        course: crate::lang::Text,
        problems: Vec<Problem>,
    },
    #[error("no task or unit named `{name}` in {}: run `lab list` to see them", course.en)]
    UnknownTarget {
        name: String,
        course: crate::lang::Text,
    },
}

impl CourseError {
    /// The error in the learner's language (`Display` is English),
    /// each problem in zh-CN where the linter says it so.
    pub fn text(&self, lang: crate::lang::Lang) -> String {
        match self {
            CourseError::Invalid { course, problems } => crate::tr!(
                lang,
                "the course in {} has {} problem(s):\n{}",
                "{} 中的课程有 {} 处问题：\n{}",
                course.get(lang),
                problems.len(),
                list(problems, lang)
            ),
            CourseError::UnknownTarget { name, course } => crate::tr!(
                lang,
                "no task or unit named `{}` in {}: run `lab list` to see them",
                "{1}中没有名为 `{0}` 的任务或单元：运行 `lab list` 查看全部任务",
                name,
                course.get(lang)
            ),
        }
    }
}

fn list(problems: &[Problem], lang: crate::lang::Lang) -> String {
    problems
        .iter()
        .map(|p| format!("  {}", p.text(lang)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses YAML, turning serde errors into a located [`Problem`]. What serde
/// cannot place (bad UTF-8, a second document, an alias bomb, nesting that
/// would take libyaml minutes) is found and placed here.
pub(super) fn parse<T: serde::de::DeserializeOwned>(
    source: &Source,
    rel: &str,
) -> Result<(String, T), Problem> {
    let file = source.display_path(rel);
    let at = |line, col, said: crate::lang::Text| Problem {
        zh: Some(said.zh_cn),
        file: file.clone(),
        line,
        col,
        message: said.en,
    };
    let bytes = source.read_bytes(rel).map_err(|e| {
        at(
            None,
            None,
            crate::lang::Text {
                en: format!("cannot read the file: {e}"),
                zh_cn: format!(
                    "无法读取这个文件：{}",
                    crate::machine::os_reason_zh(&e.to_string())
                ),
            },
        )
    })?;
    let text = guard::utf8(&bytes).map_err(|(l, c, byte)| {
        at(
            Some(l),
            Some(c),
            crate::text!(
                "byte 0x{:02x} is not UTF-8: save the file as UTF-8",
                "字节 0x{:02x} 不是 UTF-8：请把文件存为 UTF-8 编码",
                byte
            ),
        )
    })?;
    // A byte-order mark is no part of the YAML (editors on Windows write
    // one); libyaml would read it as the first key's first character.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let place = |offset| {
        let (l, c) = super::locate::line_col(text, offset);
        (Some(l), Some(c))
    };
    if let Some(offset) = guard::nesting(text) {
        let (l, c) = place(offset);
        return Err(at(
            l,
            c,
            crate::text!(
                "`[`/`{{` nested more than {} levels deep: no course needs that many; close the brackets sooner",
                "`[`/`{{` 嵌套超过了 {} 层：没有哪个课程需要这么多层，请早些闭合括号",
                guard::MAX_DEPTH
            ),
        ));
    }
    if let Some(offset) = guard::work_exceeded(text) {
        let (l, c) = place(offset);
        return Err(at(
            l,
            c,
            crate::text!(
                "lab stops reading here: with so many `[` and `{{` before this point, reading the file would take too long; split it into smaller files, or write mappings and lists in block style",
                "lab 读到这里就停下了：此前的 `[` 和 `{{` 太多，读完整个文件会花太长时间；请把它拆成几个小文件，或者用块格式（缩进）写映射和列表"
            ),
        ));
    }
    let e = match serde_yaml_ng::from_str::<T>(text) {
        Ok(v) => return Ok((text.to_string(), v)),
        Err(e) => e,
    };
    let msg = e.to_string();
    if let Some(loc) = e.location() {
        // serde_yaml appends " at line L column C" to the message; the
        // location is ours to print, so drop it from the text.
        let msg = match msg.rfind(" at line ") {
            Some(i) => msg[..i].to_string(),
            None => msg,
        };
        let said = match msg.as_str() {
            "recursion limit exceeded" => crate::text!(
                "nested too deeply for lab to read (serde's recursion limit): no course needs that many levels; flatten it",
                "嵌套太深，lab 读不了（超过了 serde 的递归上限）：没有哪个课程需要这么多层，请把它写得扁平一些"
            ),
            _ => yaml_error::said(&msg),
        };
        return Err(at(Some(loc.line()), Some(loc.column()), said));
    }
    match guard::unplaced(text, &msg) {
        Some((offset, said)) => {
            let (l, c) = place(offset);
            Err(at(l, c, said))
        }
        // serde placed nothing and we know no better: the file alone (the
        // mutation tests, course/mutations.rs, meet no such error).
        None => Err(at(None, None, yaml_error::said(&msg))),
    }
}

impl Course {
    /// Reads a course. A folder (`--course DIR`) is always linted in full;
    /// the built-in course only when `full_lint` (`lab validate`). With
    /// `needed` task ids, only their files are read when they all exist.
    pub fn load(
        source: Source,
        full_lint: bool,
        needed: Option<&[String]>,
    ) -> Result<Course, CourseError> {
        let mut problems = Vec::new();
        let course_file = match parse::<CourseFile>(&source, "labs/course.yaml") {
            Ok(f) => Some(f),
            Err(p) => {
                problems.push(p);
                None
            }
        };
        let files = source.task_files().unwrap_or_else(|e| {
            problems.push(Problem {
                zh: Some(format!(
                    "无法列出任务文件：{}",
                    crate::machine::os_reason_zh(&e.to_string())
                )),
                file: source.display_path("labs"),
                line: None,
                col: None,
                message: format!("cannot list the task files: {e}"),
            });
            Vec::new()
        });
        // `lab check task3` of the built-in course needs only
        // labs/task3.yaml: a task file is named after its task (the test
        // suite lints it), and parsing YAML is most of a run's start-up.
        // Any other course is read whole: a half-valid course never runs.
        let only: Option<Vec<String>> = needed
            .filter(|_| matches!(source, Source::Embedded))
            .map(|ids| ids.iter().map(|id| format!("labs/{id}.yaml")).collect());
        let files = match only {
            Some(only) if !only.is_empty() && only.iter().all(|f| files.contains(f)) => only,
            _ => files,
        };
        let mut tasks = Vec::new();
        for rel in files {
            match parse::<Task>(&source, &rel) {
                Ok((text, task)) => tasks.push((rel, text, task)),
                Err(p) => problems.push(p),
            }
        }
        let Some((course_text, file)) = course_file else {
            return Err(invalid(&source, problems));
        };
        // The built-in course cannot change after the build and the test
        // suite lints it (`the_built_in_course_validates`): linting it again
        // on every run would be most of a check's start-up time.
        if !matches!(source, Source::Embedded) || full_lint {
            problems.extend(validate::lint(&source, (&course_text, &file), &tasks));
        } else if file.schema != SCHEMA {
            problems.push(validate::schema(
                &source,
                "labs/course.yaml",
                &course_text,
                file.schema,
            ));
        }
        if !problems.is_empty() {
            return Err(invalid(&source, problems));
        }
        let unit_pos = |t: &Task| file.units.iter().position(|u| u.id == t.unit);
        let mut tasks: Vec<(String, Task)> = tasks.into_iter().map(|(f, _, t)| (f, t)).collect();
        tasks.sort_by_key(|(_, t)| (unit_pos(t), t.number()));
        Ok(Course {
            source,
            file,
            tasks,
        })
    }

    /// Loads and lints a course held in memory (`labs/course.yaml`,
    /// `labs/<task>.yaml`, `content/<lang>/<lesson>.md`, as bytes): the
    /// loader's entry point for fuzzing. Any bytes give a course or
    /// located problems, never a panic.
    pub fn from_files(files: Vec<(String, Vec<u8>)>) -> Result<Course, CourseError> {
        Course::load(Source::Memory(std::sync::Arc::new(files)), true, None)
    }

    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().map(|(_, t)| t).find(|t| t.id == id)
    }

    /// The tasks a target names: a task id, a unit id, or all of them.
    pub fn select(&self, targets: &[String], all: bool) -> Result<Vec<&Task>, CourseError> {
        if all || targets.is_empty() {
            return Ok(self.tasks.iter().map(|(_, t)| t).collect());
        }
        let mut out: Vec<&Task> = Vec::new();
        for name in targets {
            let found: Vec<&Task> = self
                .tasks
                .iter()
                .map(|(_, t)| t)
                .filter(|t| t.id == *name || t.unit == *name)
                .collect();
            if found.is_empty() {
                return Err(CourseError::UnknownTarget {
                    name: name.clone(),
                    course: self.source.names(),
                });
            }
            for t in found {
                if !out.iter().any(|o| o.id == t.id) {
                    out.push(t);
                }
            }
        }
        Ok(out)
    }

    /// The lesson of a task in a language, as Markdown.
    pub fn lesson(&self, task: &Task, lang: crate::lang::Lang) -> std::io::Result<String> {
        self.source
            .read(&format!("content/{}/{}", lang.code(), task.lesson))
    }
}

fn invalid(source: &Source, problems: Vec<Problem>) -> CourseError {
    CourseError::Invalid {
        course: source.names(),
        problems,
    }
}
