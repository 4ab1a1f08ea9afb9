//! The course linter: everything `lab validate` reports beyond what serde
//! already refuses (unknown fields and kinds, missing keys, bad types).

use super::{vars, Check, CourseFile, Problem, Source, Task, SCHEMA};
use crate::lang::Text;
use std::collections::HashSet;

/// Line and column (1-based) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.chars().count(), |i| before[i + 1..].chars().count())
        + 1;
    (line, col)
}

/// Where the `n`th (0-based) `id: <id>` of a file stands, for problems that
/// serde cannot locate (duplicates, missing hints).
fn locate_id(text: &str, id: &str, n: usize) -> (Option<usize>, Option<usize>) {
    let pat = regex::Regex::new(&format!(r#"\bid:\s*["']?{}["']?\s*$"#, regex::escape(id)))
        .expect("valid regex");
    let offsets: Vec<usize> = text
        .lines()
        .scan(0, |off, l| {
            let start = *off;
            *off += l.len() + 1;
            Some((start, l))
        })
        .filter(|(_, l)| pat.is_match(l))
        .map(|(start, l)| start + l.find("id:").unwrap_or(0))
        .collect();
    match offsets.get(n).or(offsets.first()) {
        Some(&o) => {
            let (l, c) = line_col(text, o);
            (Some(l), Some(c))
        }
        None => (None, None),
    }
}

struct Lint<'a> {
    file: String,
    text: &'a str,
    out: Vec<Problem>,
}

impl Lint<'_> {
    fn at_id(&mut self, id: &str, nth: usize, message: String) {
        let (line, col) = locate_id(self.text, id, nth);
        self.out.push(Problem {
            file: self.file.clone(),
            line,
            col,
            message,
        });
    }

    fn text(&mut self, owner: &str, what: &str, t: &Text) {
        for (lang, s) in [("en", &t.en), ("zh-CN", &t.zh_cn)] {
            if s.trim().is_empty() {
                self.at_id(
                    owner,
                    0,
                    format!(
                        "the {lang} {what} of `{owner}` is empty: every text needs both languages"
                    ),
                );
            }
        }
    }

    fn checks(
        &mut self,
        step_id: &str,
        step_hint: bool,
        checks: &[Check],
        seen: &mut HashSet<String>,
    ) {
        for c in checks {
            if !seen.insert(c.id.clone()) {
                self.at_id(
                    &c.id,
                    1,
                    format!("check id `{}` appears twice in step `{step_id}`", c.id),
                );
            }
            if let Some(h) = &c.hint {
                self.text(&c.id, "hint", h);
            }
            let children = c.kind.children();
            if c.hint.is_none() && !step_hint && children.is_empty() {
                self.at_id(&c.id, 0, format!("check `{}` has no hint and neither has step `{step_id}`: a learner who fails it would not know what to do", c.id));
            }
            for problem in c.kind.lint() {
                self.at_id(&c.id, 0, format!("check `{}`: {problem}", c.id));
            }
            // Only top-level ids are journaled: nested ones need only be
            // unique among their siblings.
            self.checks(
                step_id,
                step_hint || c.hint.is_some(),
                children,
                &mut HashSet::new(),
            );
        }
    }
}

pub(super) fn lint(
    source: &Source,
    course: &CourseFile,
    tasks: &[(String, String, Task)],
) -> Vec<Problem> {
    let mut out = Vec::new();
    let course_file = source.display_path("labs/course.yaml");
    let mut units = HashSet::new();
    for u in &course.units {
        if !units.insert(u.id.as_str()) {
            out.push(Problem {
                file: course_file.clone(),
                line: None,
                col: None,
                message: format!("unit id `{}` appears twice", u.id),
            });
        }
    }
    let mut task_ids: HashSet<&str> = HashSet::new();
    for (rel, text, task) in tasks {
        let mut l = Lint {
            file: source.display_path(rel),
            text,
            out: Vec::new(),
        };
        if task.schema != SCHEMA {
            l.at_id(
                &task.id,
                0,
                format!(
                    "schema {} is not supported: this lab reads schema {SCHEMA}",
                    task.schema
                ),
            );
        }
        if *rel != format!("labs/{}.yaml", task.id) {
            l.at_id(
                &task.id,
                0,
                format!(
                    "task `{}` must live in labs/{}.yaml (lab finds a task's file by its id)",
                    task.id, task.id
                ),
            );
        }
        if !task_ids.insert(&task.id) {
            l.at_id(
                &task.id,
                0,
                format!("task id `{}` is used by another file too", task.id),
            );
        }
        if !units.contains(task.unit.as_str()) {
            l.at_id(
                &task.id,
                0,
                format!(
                    "task `{}` names unit `{}`, which labs/course.yaml does not declare",
                    task.id, task.unit
                ),
            );
        }
        l.text(&task.id, "title", &task.title);
        for lang in ["en", "zh-CN"] {
            let lesson = format!("content/{lang}/{}", task.lesson);
            match source.read(&lesson) {
                Ok(md) => l.out.extend(dangling_links(source, lang, &lesson, &md)),
                Err(_) => l.at_id(
                    &task.id,
                    0,
                    format!("the {lang} lesson {lesson} of `{}` is missing", task.id),
                ),
            }
        }
        if let Some(quiz) = &task.quiz {
            for problem in quiz.lint() {
                l.at_id(&task.id, 0, problem);
            }
            for q in &quiz.questions {
                l.text(&q.id, "prompt", &q.prompt);
                l.text(&q.id, "explanation", &q.explain);
                for o in &q.options {
                    l.text(&q.id, &format!("option {}", o.id), &o.text);
                }
            }
        }
        if task.steps.is_empty() {
            l.at_id(&task.id, 0, format!("task `{}` has no steps", task.id));
        }
        let mut steps = HashSet::new();
        for step in &task.steps {
            if !steps.insert(step.id.as_str()) {
                l.at_id(
                    &step.id,
                    1,
                    format!("step id `{}` appears twice in task `{}`", step.id, task.id),
                );
            }
            l.text(&step.id, "title", &step.title);
            if let Some(h) = &step.hint {
                l.text(&step.id, "hint", h);
            }
            if step.checks.is_empty() {
                l.at_id(
                    &step.id,
                    0,
                    format!("step `{}` has no checks: nothing would verify it", step.id),
                );
            }
            l.checks(
                &step.id,
                step.hint.is_some(),
                &step.checks,
                &mut HashSet::new(),
            );
        }
        for (offset, name) in vars::references(text) {
            if !course.vars.contains_key(name) && !vars::BUILTIN.contains(&name) {
                let (line, col) = line_col(text, offset);
                let known: Vec<&str> = course
                    .vars
                    .keys()
                    .map(String::as_str)
                    .chain(vars::BUILTIN.iter().copied())
                    .collect();
                l.out.push(Problem {
                    file: l.file.clone(),
                    line: Some(line),
                    col: Some(col),
                    message: format!(
                        "unknown variable `${{{name}}}`: labs/course.yaml declares {}",
                        known.join(", ")
                    ),
                });
            }
        }
        out.extend(l.out);
    }
    match super::Vars::new(&course.vars, &[]) {
        Ok(vars) => out.extend(super::undone::undone_later(source, &vars, tasks)),
        Err(e) => out.push(Problem {
            file: course_file.clone(),
            line: None,
            col: None,
            message: e,
        }),
    }
    out
}

/// Links and images of a lesson that point at course files that do not
/// exist (web links and in-page anchors are not checked).
fn dangling_links(source: &Source, lang: &str, lesson: &str, md: &str) -> Vec<Problem> {
    use pulldown_cmark::{Event, Tag};
    let mut out = Vec::new();
    for (ev, range) in crate::markdown::parser(md).into_offset_iter() {
        let dest = match ev {
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => dest_url,
            _ => continue,
        };
        let target = dest.split('#').next().unwrap_or("");
        if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        let rel = format!("content/{lang}/{}", target.trim_start_matches("./"));
        if !source.exists(&rel) {
            let (line, col) = line_col(md, range.start);
            out.push(Problem {
                file: source.display_path(lesson),
                line: Some(line),
                col: Some(col),
                message: format!("the link to `{dest}` leads nowhere: there is no {rel}"),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars_not_bytes() {
        let t = "a: 1\nb: “x”\n";
        assert_eq!(line_col(t, 0), (1, 1));
        let off = t.find('x').unwrap();
        assert_eq!(line_col(t, off), (2, 5));
    }

    #[test]
    fn locate_id_finds_the_nth() {
        let t = "steps:\n  - id: pull\n  - id: tag\n  - id: pull\n";
        assert_eq!(locate_id(t, "pull", 1), (Some(4), Some(5)));
        assert_eq!(locate_id(t, "tag", 0), (Some(3), Some(5)));
    }
}
