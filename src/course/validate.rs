//! The course linter: everything `lab validate` reports beyond what serde
//! already refuses (unknown fields and kinds, missing keys, bad types).

use super::locate::{line_col, Index};
use super::{vars, Check, Command, CourseFile, Problem, Source, Task, SCHEMA};
use crate::lang::{Lang, Text};
use std::collections::HashSet;

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

pub(super) fn lint(
    source: &Source,
    (course_text, course): (&str, &CourseFile),
    tasks: &[(String, String, Task)],
) -> Vec<Problem> {
    let course_file = source.display_path("labs/course.yaml");
    let course_index = Index::new(course_text);
    let mut out = Vec::new();
    if course.schema != SCHEMA {
        out.push(schema(
            source,
            "labs/course.yaml",
            course_text,
            course.schema,
        ));
    }
    let units = unit_ids(&course_file, course_text, &course_index, course, &mut out);
    let known: Vec<&str> = course
        .vars
        .keys()
        .map(String::as_str)
        .chain(vars::BUILTIN.iter().copied())
        .collect();
    // A default may use another variable (`${home}/.bash_history`): a
    // misspelt one would make every check that uses it look elsewhere.
    out.extend(vars::unknown(
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
        l.task_place(rel, task, &mut task_ids, &units);
        l.text(&task.id, ("title", "标题"), &task.title);
        l.lessons(source, task);
        if let Some(quiz) = &task.quiz {
            l.quiz(&task.id, quiz);
        }
        l.steps(task);
        l.out.extend(vars::unknown(&l.file, text, &l.index, &known));
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

/// The units labs/course.yaml declares; an id given twice is a problem.
fn unit_ids<'a>(
    course_file: &str,
    course_text: &str,
    course_index: &Index,
    course: &'a CourseFile,
    out: &mut Vec<Problem>,
) -> HashSet<&'a str> {
    let mut units = HashSet::new();
    for u in &course.units {
        if !units.insert(u.id.as_str()) {
            let (line, col) = course_index.id(course_text, &u.id, 1);
            out.push(Problem {
                file: course_file.to_string(),
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
    units
}

impl Lint<'_> {
    /// A task in its own file (`labs/<id>.yaml`), with an id no other
    /// file uses, in a declared unit.
    fn task_place<'t>(
        &mut self,
        rel: &str,
        task: &'t Task,
        task_ids: &mut HashSet<&'t str>,
        units: &HashSet<&str>,
    ) {
        if rel != format!("labs/{}.yaml", task.id) {
            self.at_id(
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
            self.at_id(
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
            self.at_id(
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
    }

    /// The task's lesson in each language: there, its links leading
    /// somewhere, and in zh-CN its placeholders in Chinese.
    fn lessons(&mut self, source: &Source, task: &Task) {
        for lang in ["en", "zh-CN"] {
            let lesson = format!("content/{lang}/{}", task.lesson);
            match source.read(&lesson) {
                Ok(md) => {
                    self.out.extend(super::links::dangling(
                        &md,
                        &source.display_path(&lesson),
                        &format!("content/{lang}"),
                        &|rel| source.exists(rel),
                    ));
                    if lang == "zh-CN" {
                        self.out.extend(lesson_placeholders(source, &lesson, &md));
                    }
                }
                Err(_) => self.at_id(
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
    }

    /// The quiz's own rules, and every text of its questions in both
    /// languages.
    fn quiz(&mut self, task_id: &str, quiz: &super::quiz::Quiz) {
        for problem in quiz.lint() {
            self.at_id(task_id, 0, problem);
        }
        for q in &quiz.questions {
            self.text(&q.id, ("prompt", "题干"), &q.prompt);
            self.text(&q.id, ("explanation", "解析"), &q.explain);
            if let Some(a) = &q.accepted {
                self.text(&q.id, ("accepted answers", "可接受的答案"), a);
            }
            for o in &q.options {
                self.text(
                    &q.id,
                    (&format!("option {}", o.id), &format!("选项 {}", o.id)),
                    &o.text,
                );
            }
        }
    }

    /// The task's steps: at least one, ids unique, texts and commands in
    /// both languages, each with checks (see [`Lint::checks`]).
    fn steps(&mut self, task: &Task) {
        if task.steps.is_empty() {
            self.at_id(
                &task.id,
                0,
                both!("task `{}` has no steps", "任务 `{}` 没有步骤", task.id),
            );
        }
        let mut steps = HashSet::new();
        for step in &task.steps {
            if !steps.insert(step.id.as_str()) {
                self.at_id(
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
            self.text(&step.id, ("title", "标题"), &step.title);
            for cmd in &step.commands {
                self.command(&step.id, cmd);
            }
            if let Some(h) = &step.hint {
                self.text(&step.id, ("hint", "提示"), h);
            }
            if step.checks.is_empty() {
                self.at_id(
                    &step.id,
                    0,
                    both!(
                        "step `{}` has no checks: nothing would verify it",
                        "步骤 `{}` 没有检查：没有任何东西能验证它",
                        step.id
                    ),
                );
            }
            self.checks(
                &step.id,
                step.hint.is_some(),
                &step.checks,
                &mut HashSet::new(),
            );
            quiz_questions(self, task, &step.checks);
        }
    }
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
