//! The course linter: everything `lab validate` reports beyond what serde
//! already refuses (unknown fields and kinds, missing keys, bad types).

use super::{vars, Check, Command, CourseFile, Problem, Source, Task, SCHEMA};
use crate::lang::{Lang, Text};
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

static ID: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r#"(?m)(?:^|[\s{,])(id:)[ \t]*["']?([^"'\s,}#]+)["']?[ \t]*(?:$|[,}#])"#)
        .expect("valid regex")
});

/// A file's lines and `id: <id>` places, found once: a file with many
/// problems is not searched again for each.
struct Index {
    /// Byte offset where each line starts.
    lines: Vec<usize>,
    /// Each id, and the offsets of its `id:`, in file order.
    ids: std::collections::HashMap<String, Vec<usize>>,
}

impl Index {
    fn new(text: &str) -> Index {
        let lines = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut ids: std::collections::HashMap<String, Vec<usize>> = Default::default();
        for c in ID.captures_iter(text) {
            let (Some(at), Some(id)) = (c.get(1), c.get(2)) else {
                continue;
            };
            ids.entry(id.as_str().to_string())
                .or_default()
                .push(at.start());
        }
        Index { lines, ids }
    }

    /// Line and column (1-based, columns in characters) of a byte offset.
    fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.lines.partition_point(|&s| s <= offset);
        let start = self.lines[line - 1];
        (line, text[start..offset].chars().count() + 1)
    }

    /// Where the `n`th (0-based) `id: <id>` of a file stands (else the
    /// first), for problems that serde cannot locate (duplicates, missing
    /// hints). An id the pattern does not find (`id: "a b"`, escapes) is
    /// looked for as written, else the file's first `id:` stands for it.
    fn id(&self, text: &str, id: &str, n: usize) -> (Option<usize>, Option<usize>) {
        let offset = match self.ids.get(id) {
            Some(offsets) => offsets.get(n).or(offsets.first()).copied(),
            None if !id.is_empty() => text
                .match_indices(id)
                .nth(n)
                .or_else(|| text.match_indices(id).next())
                .map(|(o, _)| o),
            None => None,
        };
        match offset.or_else(|| text.find("id:")) {
            Some(o) => {
                let (l, c) = self.line_col(text, o);
                (Some(l), Some(c))
            }
            None => (None, None),
        }
    }
}

#[cfg(test)]
fn locate_id(text: &str, id: &str, n: usize) -> (Option<usize>, Option<usize>) {
    Index::new(text).id(text, id, n)
}

/// A linter's message in both languages.
struct Said {
    en: String,
    zh: Option<String>,
}

impl From<Text> for Said {
    fn from(t: Text) -> Said {
        Said {
            en: t.en,
            zh: Some(t.zh_cn),
        }
    }
}

/// `both!("en {}", "zh {}", args)`: a [`Said`] in both languages.
macro_rules! both {
    ($en:literal, $zh:literal $(, $arg:expr)* $(,)?) => {
        Said {
            en: format!($en $(, $arg)*),
            zh: Some(format!($zh $(, $arg)*)),
        }
    };
}

struct Lint<'a> {
    file: String,
    text: &'a str,
    index: Index,
    /// The variables the course declares, and the builtins.
    known: &'a [&'a str],
    out: Vec<Problem>,
}

impl Lint<'_> {
    fn at_id(&mut self, id: &str, nth: usize, message: impl Into<Said>) {
        let (line, col) = self.index.id(self.text, id, nth);
        let said = message.into();
        self.out.push(Problem {
            file: self.file.clone(),
            line,
            col,
            message: said.en,
            zh: said.zh,
        });
    }

    /// A text in both languages: neither empty, and the zh-CN one with its
    /// placeholders in Chinese.
    fn text(&mut self, owner: &str, (what, what_zh): (&str, &str), t: &Text) {
        self.both_languages(owner, (what, what_zh), t);
        let untranslated = super::command::english_placeholders(&t.zh_cn);
        if !untranslated.is_empty() {
            let list = untranslated.join(", ");
            self.at_id(
                owner,
                0,
                Said {
                    en: format!("the zh-CN {what} of `{owner}` shows {list} to zh-CN learners: write the placeholder in Chinese (`<容器 ID>`)"),
                    zh: Some(format!("`{owner}` 的中文{what_zh}给中文学员看的是 {list}：占位符请用中文写（`<容器 ID>`）")),
                },
            );
        }
    }

    fn both_languages(&mut self, owner: &str, (what, what_zh): (&str, &str), t: &Text) {
        for (lang, lang_zh, s) in [("en", "英文", &t.en), ("zh-CN", "中文", &t.zh_cn)] {
            if s.trim().is_empty() {
                self.at_id(
                    owner,
                    0,
                    both!(
                        "the {lang} {what} of `{owner}` is empty: every text needs both languages",
                        "`{owner}` 的{lang_zh}{what_zh}是空的：每段文字都要有中英两种语言"
                    ),
                );
            }
        }
    }

    /// A command whose zh-CN form shows an English placeholder.
    fn command(&mut self, step_id: &str, cmd: &Command) {
        if let Command::Bilingual(t) = cmd {
            self.both_languages(step_id, ("command", "命令"), t);
        }
        let untranslated = cmd.untranslated_placeholders();
        if !untranslated.is_empty() {
            self.at_id(
                step_id,
                0,
                both!(
                    "command `{}` of step `{}` shows {} to zh-CN learners: write it as {{en: ..., zh-CN: ...}} with the placeholder in Chinese (`<容器 ID>`)",
                    "步骤 `{1}` 的命令 `{0}` 给中文学员看的是 {2}：请写成 {{en: ..., zh-CN: ...}}，中文形式里的占位符用中文（`<容器 ID>`）",
                    cmd.get(Lang::En),
                    step_id,
                    untranslated.join(", ")
                ),
            );
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
                    both!(
                        "check id `{}` appears twice in step `{}`",
                        "检查 ID `{}` 在步骤 `{}` 中出现了两次",
                        c.id,
                        step_id
                    ),
                );
            }
            if let Some(h) = &c.hint {
                self.text(&c.id, ("hint", "提示"), h);
            }
            let children = c.kind.children();
            if c.hint.is_none() && !step_hint && children.is_empty() {
                self.at_id(&c.id, 0, both!("check `{}` has no hint and neither has step `{}`: a learner who fails it would not know what to do", "检查 `{}` 没有提示，步骤 `{}` 也没有：没通过的学员不知道该怎么做", c.id, step_id));
            }
            for problem in c.kind.lint() {
                self.at_id(
                    &c.id,
                    0,
                    Said {
                        en: format!("check `{}`: {}", c.id, problem.en),
                        zh: Some(format!("检查 `{}`：{}", c.id, problem.zh_cn)),
                    },
                );
            }
            for var in c.kind.implied_vars() {
                if !self.known.contains(var) {
                    self.at_id(&c.id, 0, both!("check `{}` ({}) reads `${{{}}}`, which labs/course.yaml does not declare: declare it under `vars:`, or name the files the check reads", "检查 `{}`（{}）读取 `${{{}}}`，但 labs/course.yaml 没有声明它：请在 `vars:` 下声明，或写明检查读取哪些文件", c.id, c.kind.name(), var));
                }
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

/// `schema: N` of a file that is not [`SCHEMA`], located at its value.
pub(super) fn schema(source: &Source, rel: &str, text: &str, found: u32) -> Problem {
    static KEY: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?m)^schema[ \t]*:[ \t]*()").expect("valid regex")
    });
    let at = KEY
        .captures(text)
        .and_then(|c| c.get(1))
        .map(|m| line_col(text, m.start()));
    Problem {
        file: source.display_path(rel),
        line: Some(at.map_or(1, |a| a.0)),
        col: Some(at.map_or(1, |a| a.1)),
        message: format!(
            "schema {found} is not supported: this lab reads schema {SCHEMA}; write `schema: {SCHEMA}` and the format it describes"
        ),
        zh: Some(format!(
            "不支持 schema {found}：这个 lab 读取 schema {SCHEMA}；请写 `schema: {SCHEMA}`，并按它描述的格式编写"
        )),
    }
}

/// Every `${name}` of `text` that is neither declared in labs/course.yaml
/// nor built in, located, with the closest known name.
fn unknown_vars(file: &str, text: &str, index: &Index, known: &[&str]) -> Vec<Problem> {
    let mut out = Vec::new();
    let declared: Vec<&str> = known
        .iter()
        .filter(|k| !vars::BUILTIN.contains(k))
        .copied()
        .collect();
    let declared = match declared.is_empty() {
        true => "no variables".to_string(),
        false => declared.join(", "),
    };
    for (offset, name) in vars::references(text) {
        if known.contains(&name) {
            continue;
        }
        let (line, col) = index.line_col(text, offset);
        let (hint, hint_zh) = match crate::spelling::closest(name, known.iter().copied()) {
            Some(k) => (
                format!("did you mean `${{{k}}}`? "),
                format!("是不是想写 `${{{k}}}`？"),
            ),
            None => (String::new(), String::new()),
        };
        let builtin = vars::BUILTIN
            .iter()
            .map(|b| format!("`{b}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let declared_zh = match declared.as_str() {
            "no variables" => "没有声明变量".to_string(),
            d => format!("声明了 {d}"),
        };
        out.push(Problem {
            file: file.to_string(),
            line: Some(line),
            col: Some(col),
            message: format!(
                "unknown variable `${{{name}}}`: {hint}labs/course.yaml declares {declared} (and {builtin} are built in); declare it under `vars:` or fix its name"
            ),
            zh: Some(format!(
                "未知变量 `${{{name}}}`：{hint_zh}labs/course.yaml {declared_zh}（内置变量有 {builtin}）；请在 `vars:` 下声明它，或改正它的名字"
            )),
        });
    }
    out
}

pub(super) fn lint(
    source: &Source,
    (course_text, course): (&str, &CourseFile),
    tasks: &[(String, String, Task)],
) -> Vec<Problem> {
    let mut out = Vec::new();
    let course_file = source.display_path("labs/course.yaml");
    let course_index = Index::new(course_text);
    if course.schema != SCHEMA {
        out.push(schema(
            source,
            "labs/course.yaml",
            course_text,
            course.schema,
        ));
    }
    let mut units = HashSet::new();
    for u in &course.units {
        if !units.insert(u.id.as_str()) {
            let (line, col) = course_index.id(course_text, &u.id, 1);
            out.push(Problem {
                file: course_file.clone(),
                line,
                col,
                message: format!(
                    "unit id `{}` appears twice: give each unit its own id",
                    u.id
                ),
                zh: Some(format!(
                    "单元 ID `{}` 出现了两次：每个单元要有自己的 ID",
                    u.id
                )),
            });
        }
    }
    let known: Vec<&str> = course
        .vars
        .keys()
        .map(String::as_str)
        .chain(vars::BUILTIN.iter().copied())
        .collect();
    // A default may use another variable (`${home}/.bash_history`): a
    // misspelt one would make every check that uses it look elsewhere.
    out.extend(unknown_vars(
        &course_file,
        course_text,
        &course_index,
        &known,
    ));
    let mut task_ids: HashSet<&str> = HashSet::new();
    for (rel, text, task) in tasks {
        let mut l = Lint {
            file: source.display_path(rel),
            text,
            index: Index::new(text),
            known: &known,
            out: Vec::new(),
        };
        if task.schema != SCHEMA {
            l.out.push(schema(source, rel, text, task.schema));
        }
        if *rel != format!("labs/{}.yaml", task.id) {
            l.at_id(
                &task.id,
                0,
                both!(
                    "task `{}` must live in labs/{}.yaml (lab finds a task's file by its id)",
                    "任务 `{}` 必须放在 labs/{}.yaml 中（lab 按 ID 查找任务文件）",
                    task.id,
                    task.id
                ),
            );
        }
        if !task_ids.insert(&task.id) {
            l.at_id(
                &task.id,
                0,
                both!(
                    "task id `{}` is used by another file too",
                    "另一个文件也用了任务 ID `{}`",
                    task.id
                ),
            );
        }
        if !units.contains(task.unit.as_str()) {
            l.at_id(
                &task.id,
                0,
                both!(
                    "task `{}` names unit `{}`, which labs/course.yaml does not declare",
                    "任务 `{}` 属于单元 `{}`，但 labs/course.yaml 没有声明这个单元",
                    task.id,
                    task.unit
                ),
            );
        }
        l.text(&task.id, ("title", "标题"), &task.title);
        for lang in ["en", "zh-CN"] {
            let lesson = format!("content/{lang}/{}", task.lesson);
            match source.read(&lesson) {
                Ok(md) => {
                    l.out.extend(super::links::dangling(
                        &md,
                        &source.display_path(&lesson),
                        &format!("content/{lang}"),
                        &|rel| source.exists(rel),
                    ));
                    if lang == "zh-CN" {
                        l.out.extend(lesson_placeholders(source, &lesson, &md));
                    }
                }
                Err(_) => l.at_id(
                    &task.id,
                    0,
                    both!(
                        "the {} lesson {} of `{}` is missing",
                        "缺少 `{2}` 的 {0} 课文 {1}",
                        lang,
                        lesson,
                        task.id
                    ),
                ),
            }
        }
        if let Some(quiz) = &task.quiz {
            for problem in quiz.lint() {
                l.at_id(&task.id, 0, problem);
            }
            for q in &quiz.questions {
                l.text(&q.id, ("prompt", "题干"), &q.prompt);
                l.text(&q.id, ("explanation", "解析"), &q.explain);
                if let Some(a) = &q.accepted {
                    l.text(&q.id, ("accepted answers", "可接受的答案"), a);
                }
                for o in &q.options {
                    l.text(
                        &q.id,
                        (&format!("option {}", o.id), &format!("选项 {}", o.id)),
                        &o.text,
                    );
                }
            }
        }
        if task.steps.is_empty() {
            l.at_id(
                &task.id,
                0,
                both!("task `{}` has no steps", "任务 `{}` 没有步骤", task.id),
            );
        }
        let mut steps = HashSet::new();
        for step in &task.steps {
            if !steps.insert(step.id.as_str()) {
                l.at_id(
                    &step.id,
                    1,
                    both!(
                        "step id `{}` appears twice in task `{}`",
                        "步骤 ID `{}` 在任务 `{}` 中出现了两次",
                        step.id,
                        task.id
                    ),
                );
            }
            l.text(&step.id, ("title", "标题"), &step.title);
            for cmd in &step.commands {
                l.command(&step.id, cmd);
            }
            if let Some(h) = &step.hint {
                l.text(&step.id, ("hint", "提示"), h);
            }
            if step.checks.is_empty() {
                l.at_id(
                    &step.id,
                    0,
                    both!(
                        "step `{}` has no checks: nothing would verify it",
                        "步骤 `{}` 没有检查：没有任何东西能验证它",
                        step.id
                    ),
                );
            }
            l.checks(
                &step.id,
                step.hint.is_some(),
                &step.checks,
                &mut HashSet::new(),
            );
            quiz_questions(&mut l, task, &step.checks);
        }
        l.out.extend(unknown_vars(&l.file, text, &l.index, &known));
        out.extend(l.out);
    }
    match super::Vars::new(&course.vars, &[]) {
        Ok(vars) => out.extend(super::undone::undone_later(source, &vars, tasks)),
        Err(e) => out.push(Problem {
            zh: Some(format!("课程变量无法展开：{e}")),
            file: course_file.clone(),
            line: None,
            col: None,
            message: e,
        }),
    }
    out
}

/// A `quiz` check in a task without a quiz, or naming a question the
/// quiz does not have.
fn quiz_questions(l: &mut Lint<'_>, task: &Task, checks: &[Check]) {
    for c in checks {
        quiz_questions(l, task, c.kind.children());
        let crate::checks::CheckKind::Quiz(q) = &c.kind else {
            continue;
        };
        let Some(quiz) = &task.quiz else {
            l.at_id(
                &c.id,
                0,
                both!(
                    "check `{}` asks for the quiz, but task `{}` has no `quiz:`",
                    "检查 `{}` 要求测验，但任务 `{}` 没有 `quiz:`",
                    c.id,
                    task.id
                ),
            );
            continue;
        };
        for id in &q.questions {
            if !quiz.questions.iter().any(|x| &x.id == id) {
                l.at_id(
                    &c.id,
                    0,
                    both!(
                        "check `{}` names question `{}`, which the quiz of task `{}` does not have",
                        "检查 `{}` 指定了题目 `{}`，但任务 `{}` 的测验中没有这道题",
                        c.id,
                        id,
                        task.id
                    ),
                );
            }
        }
    }
}

/// English `<placeholders>` of a zh-CN lesson (in its code too: a
/// learner copies `https://<your-id>.mirror.aliyuncs.com` from it).
fn lesson_placeholders(source: &Source, lesson: &str, md: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    for (n, line) in md.lines().enumerate() {
        for p in super::command::english_placeholders(line) {
            let col = line.find(&p).map_or(1, |i| line[..i].chars().count() + 1);
            out.push(Problem {
                file: source.display_path(lesson),
                line: Some(n + 1),
                col: Some(col),
                message: format!(
                    "the zh-CN lesson shows the placeholder {p}: write it in Chinese (`<容器 ID>`, `<你的加速器ID>`)"
                ),
                zh: Some(format!(
                    "中文课文里的占位符 {p} 是英文的：请用中文写（`<容器 ID>`、`<你的加速器ID>`）"
                )),
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
        let t = "steps:\n  - id: \"a b\"\n";
        assert_eq!(locate_id(t, "a b", 0), (Some(2), Some(10)));
    }
}
