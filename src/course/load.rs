//! Reading a course: `labs/course.yaml`, every task file, and a full lint.
//! A course that loads is a course that `lab validate` accepts.

use super::{validate, CourseFile, Source, Task, SCHEMA};
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
    #[error("the course in {course} has {} problem(s):\n{}", problems.len(), list(problems))]
    Invalid {
        course: String,
        problems: Vec<Problem>,
    },
    #[error("no task or unit named `{name}` in {course}: run `lab list` to see them")]
    UnknownTarget { name: String, course: String },
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses YAML, turning serde errors into a located [`Problem`].
pub(super) fn parse<T: serde::de::DeserializeOwned>(
    source: &Source,
    rel: &str,
) -> Result<(String, T), Problem> {
    let file = source.display_path(rel);
    let text = source.read(rel).map_err(|e| Problem {
        file: file.clone(),
        line: None,
        col: None,
        message: format!("cannot read the file: {e}"),
    })?;
    match serde_yaml_ng::from_str::<T>(&text) {
        Ok(v) => Ok((text, v)),
        Err(e) => {
            let loc = e.location();
            // serde_yaml appends " at line L column C" to the message; the
            // location is ours to print, so drop it from the text.
            let msg = e.to_string();
            let msg = match msg.rfind(" at line ") {
                Some(i) if loc.is_some() => msg[..i].to_string(),
                _ => msg,
            };
            Err(Problem {
                file,
                line: loc.as_ref().map(|l| l.line()),
                col: loc.as_ref().map(|l| l.column()),
                message: msg,
            })
        }
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
            Ok((_, f)) => Some(f),
            Err(p) => {
                problems.push(p);
                None
            }
        };
        let files = source.task_files().unwrap_or_else(|e| {
            problems.push(Problem {
                file: source.display_path("labs"),
                line: None,
                col: None,
                message: format!("cannot list the task files: {e}"),
            });
            Vec::new()
        });
        // `lab check task3` needs only labs/task3.yaml: a task file is named
        // after its task (the linter makes sure), and parsing YAML is most
        // of a run's start-up. Units, --all and list read every file.
        let only: Option<Vec<String>> =
            needed.map(|ids| ids.iter().map(|id| format!("labs/{id}.yaml")).collect());
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
        let Some(file) = course_file else {
            return Err(invalid(&source, problems));
        };
        // The built-in course cannot change after the build and the test
        // suite lints it (`the_built_in_course_validates`): linting it again
        // on every run would be most of a check's start-up time.
        if matches!(source, Source::Dir(_)) || full_lint {
            problems.extend(validate::lint(&source, &file, &tasks));
        }
        if file.schema != SCHEMA {
            problems.push(Problem {
                file: source.display_path("labs/course.yaml"),
                line: None,
                col: None,
                message: format!(
                    "schema {} is not supported: this lab reads schema {SCHEMA}",
                    file.schema
                ),
            });
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
                    course: self.source.describe(),
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
        course: source.describe(),
        problems,
    }
}
