//! Reading a course: `labs/course.yaml`, every task file, and a full lint.
//! A course that loads is a course that `lab validate` accepts.

use super::{guard, validate, CourseFile, Source, Task, SCHEMA};
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
            _ => serde_said(&msg),
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
        None => Err(at(None, None, serde_said(&msg))),
    }
}

/// serde's message, and in zh-CN what it means and what to do: the
/// common ones in Chinese (unknown or missing field, wrong type or value,
/// unknown variant, a key twice, libyaml's syntax errors), any other in
/// Chinese words with serde's own in parentheses.
fn serde_said(msg: &str) -> crate::lang::Text {
    // `steps[0].checks[1]: unknown field ...`: the path stays as written.
    let (path, rest) = match msg.split_once(": ") {
        Some((p, r)) if !p.contains(' ') && !p.is_empty() => (format!("`{p}`："), r),
        _ => (String::new(), msg),
    };
    let code = |s: &str| s.replace('`', "'");
    let list = |s: &str| {
        s.trim_start_matches("one of ")
            .replace(", or ", "、")
            .replace(" or ", "、")
            .replace(", ", "、")
    };
    let zh = if let Some(r) = rest.strip_prefix("unknown field ") {
        match r.split_once(", expected ") {
            Some((f, expected)) => format!("未知字段 {f}：这里能写的是 {}", list(expected)),
            None => format!(
                "未知字段 {}：这里不能有字段",
                r.split(',').next().unwrap_or(r)
            ),
        }
    } else if let Some(r) = rest.strip_prefix("unknown variant ") {
        match r.split_once(", expected ") {
            Some((v, expected)) => format!("未知的取值 {v}：这里能写的是 {}", list(expected)),
            None => format!(
                "未知的取值 {}：这里没有可写的值",
                r.split(',').next().unwrap_or(r)
            ),
        }
    } else if let Some(f) = rest.strip_prefix("missing field ") {
        format!("缺少字段 {f}：请加上它")
    } else if let Some(f) = rest.strip_prefix("duplicate field ") {
        format!("字段 {f} 出现了两次：请删掉一个")
    } else if let Some(k) = rest.strip_prefix("duplicate entry with key ") {
        format!("键 {k} 出现了两次：请删掉一个")
    } else if let Some(r) = rest.strip_prefix("invalid length ") {
        match r.split_once(", expected ") {
            Some((n, expected)) => format!("个数不对：这里有 {n} 个，应当是{}", kind_zh(expected)),
            None => format!("个数不对（原文：`{}`）", code(r)),
        }
    } else if let Some(r) = rest.strip_prefix("invalid type: ") {
        match r.split_once(", expected ") {
            Some((found, expected)) => format!(
                "类型不对：这里是{}，应当是{}",
                kind_zh(found),
                kind_zh(expected)
            ),
            None => format!("类型不对（原文：`{}`）", code(r)),
        }
    } else if let Some(r) = rest.strip_prefix("invalid value: ") {
        match r.split_once(", expected ") {
            Some((found, expected)) => format!(
                "取值不对：这里是{}，应当是{}",
                kind_zh(found),
                kind_zh(expected)
            ),
            None => format!("取值不对（原文：`{}`）", code(r)),
        }
    } else if let Some(r) = rest.strip_prefix("unknown check kind or field ") {
        match r.split_once(": expected one of ") {
            Some((f, expected)) => format!(
                "未知的检查类型或字段 {f}：这里能写的是 {}",
                expected.replace(", ", "、")
            ),
            None => format!("未知的检查类型或字段 {r}"),
        }
    } else if let Some(name) = rest.strip_prefix("data did not match any variant of untagged enum ")
    {
        match name {
            "Command" => {
                "命令的写法不对：要写成一个字符串，或者 `{en: ..., zh-CN: ...}`".to_string()
            }
            _ => format!("这里的写法不对：不符合 `{name}` 的任何一种写法"),
        }
    } else if let Some(r) = rest.strip_prefix("a check has exactly one kind, but this one has ") {
        format!(
            "一个检查只能有一种类型，这个检查却有 {}：请拆成两个检查",
            r.split(": ").next().unwrap_or(r).replace(" and ", " 和 ")
        )
    } else if let Some((check, kinds)) = rest
        .strip_prefix("check ")
        .and_then(|r| r.split_once(" has no kind: add one of "))
    {
        format!(
            "检查 {check} 没有类型：请加上 {} 中的一个",
            kinds.replace(", ", "、")
        )
    } else if let Some(said) = yaml_said_zh(rest) {
        said
    } else {
        format!(
            "这里不符合课程文件的格式：请对照 README 中的课程格式改正（原文：`{}`）",
            code(rest)
        )
    };
    crate::lang::Text {
        en: msg.to_string(),
        zh_cn: format!("{path}{zh}"),
    }
}

/// serde's words for what a value is or should be (`sequence`, `a string`,
/// `integer `1``, `u32`, `struct Image`), in Chinese; any other as code.
fn kind_zh(s: &str) -> String {
    let s = s.trim();
    let quoted = |prefix: &str| {
        s.strip_prefix(prefix)
            .map(|v| v.trim_matches('`').to_string())
    };
    let said = match s {
        "sequence" | "a sequence" => "列表".to_string(),
        "map" | "a map" => "映射（`键: 值`）".to_string(),
        "unit value" => "空值（冒号后面什么都没写）".to_string(),
        "string" | "a string" | "a borrowed string" | "a character" => "字符串".to_string(),
        "a boolean" => "布尔值（`true` 或 `false`）".to_string(),
        "u8" | "u16" | "u32" | "u64" | "usize" => "非负整数".to_string(),
        "i8" | "i16" | "i32" | "i64" | "isize" | "an integer" => "整数".to_string(),
        "f32" | "f64" => "数".to_string(),
        "enum" | "unit variant" => "枚举值".to_string(),
        _ => {
            if let Some(v) = s.strip_prefix("string ") {
                format!("字符串 {v}")
            } else if let Some(v) = quoted("integer ") {
                format!("整数 {v}")
            } else if let Some(v) = quoted("floating point ") {
                format!("小数 {v}")
            } else if let Some(v) = quoted("boolean ") {
                format!("布尔值 {v}")
            } else if let Some(v) = quoted("character ") {
                format!("字符 {v}")
            } else if s.starts_with("struct ") {
                "映射（`键: 值`）".to_string()
            } else if let Some(n) = s
                .strip_prefix("a sequence of ")
                .or_else(|| s.strip_prefix("a tuple of size "))
                .and_then(|r| r.split(' ').next())
            {
                format!(" {n} 个")
            } else {
                format!(" `{}`", s.replace('`', "'"))
            }
        }
    };
    // A digit, a quote or code opens with a space after a Chinese word.
    if said.starts_with(|c: char| c.is_ascii_digit()) {
        format!(" {said}")
    } else {
        said
    }
}

/// libyaml's syntax errors (`PROBLEM at line L column C, while CONTEXT`)
/// in Chinese: what is wrong and the usual fix; None for one lab does not
/// know.
fn yaml_said_zh(msg: &str) -> Option<String> {
    let (problem, context) = match msg.split_once(" at line ") {
        Some((p, r)) => (p, r.split_once(", while ").map(|(_, c)| c)),
        None => match msg.split_once(", while ") {
            Some((p, c)) => (p, Some(c)),
            None => (msg, None),
        },
    };
    let what = match problem {
        "did not find expected ',' or '}'" => {
            "这里应当是 `,` 或 `}`：花括号 `{ }` 没有闭合，或者两项之间少了逗号"
        }
        "did not find expected ',' or ']'" => {
            "这里应当是 `,` 或 `]`：方括号 `[ ]` 没有闭合，或者两项之间少了逗号"
        }
        "could not find expected ':'" => "这里少了 `:`：键后面要跟冒号和一个空格",
        "did not find expected key" => "这里应当是一个键（`名字: 值`）：多半是缩进不对",
        "did not find expected '-' indicator" => "这里应当是以 `- ` 开头的列表项：多半是缩进不对",
        "did not find expected node content" => "这里缺少值",
        "found unexpected end of stream" => "文件在这里意外结束：引号没有闭合，或者括号没有闭合",
        "found character that cannot start any token" => {
            "这个字符不能出现在值的开头（例如 `@`、`` ` ``、`%`）：请把整个值放进引号"
        }
        "mapping values are not allowed in this context" => {
            "这里不能出现 `: `：值中含有冒号加空格时，请把整个值放进引号"
        }
        "block sequence entries are not allowed in this context" => {
            "这里不能出现 `- ` 列表项：多半是缩进不对"
        }
        "found a tab character that violates indentation"
        | "found a tab character where an indentation space is expected" => {
            "缩进中有制表符：YAML 只能用空格缩进"
        }
        "found unknown escape character" => {
            "双引号中有不认识的转义字符：反斜杠请写成 `\\\\`，或者改用单引号"
        }
        "unknown anchor" => "引用了不存在的锚点：`*名字` 之前要先有 `&名字`",
        "control characters are not allowed" => "文件中有控制字符：请删掉它",
        "found unexpected ':'" => "这里多了一个 `:`：值中含有冒号时，请把整个值放进引号",
        _ => return None,
    };
    let within = match context.unwrap_or("") {
        "parsing a flow mapping" => "（在 `{ }` 映射中）",
        "parsing a flow sequence" => "（在 `[ ]` 列表中）",
        "parsing a block mapping" => "（在缩进的映射中）",
        "parsing a block collection" => "（在缩进的列表或映射中）",
        "scanning a quoted scalar" => "（在引号中的字符串里）",
        "scanning a simple key" => "（在一个键中）",
        "scanning a plain scalar" | "parsing a flow node" | "parsing a block node" => {
            "（在一个值中）"
        }
        _ => "",
    };
    Some(format!("{what}{within}"))
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

#[cfg(test)]
mod tests {
    use super::serde_said;

    /// Chinese with no English sentence outside code: what a zh-CN author
    /// reads, at most the original in parentheses at the end.
    fn zh(msg: &str) -> String {
        let said = serde_said(msg);
        assert_eq!(said.en, msg, "English stays serde's");
        let plain: String = said
            .zh_cn
            .split(['`', '"'])
            .step_by(2)
            .collect::<String>()
            .split("（原文")
            .next()
            .unwrap_or("")
            .to_string();
        let words = plain
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() > 1 && !["YAML", "README", "true", "false", "u"].contains(w))
            .collect::<Vec<_>>();
        assert!(words.is_empty(), "{msg}: {} {words:?}", said.zh_cn);
        said.zh_cn
    }

    #[test]
    fn the_common_serde_and_yaml_errors_are_said_in_chinese() {
        assert_eq!(
            zh("steps[0].checks[0].image.ref: invalid type: sequence, expected a string"),
            "`steps[0].checks[0].image.ref`：类型不对：这里是列表，应当是字符串"
        );
        assert_eq!(
            zh("schema: invalid type: string \"x\", expected u32"),
            "`schema`：类型不对：这里是字符串 \"x\"，应当是非负整数"
        );
        assert!(zh("a: invalid type: unit value, expected a boolean")
            .contains("这里是空值（冒号后面什么都没写），应当是布尔值（`true` 或 `false`）"));
        assert!(zh("a: invalid type: floating point `1.5`, expected usize")
            .contains("这里是小数 1.5，应当是非负整数"));
        assert!(zh("a: invalid type: string \"ref\", expected struct Image")
            .contains("应当是映射（`键: 值`）"));
        assert!(
            zh("schema: invalid value: integer `99999999999`, expected u32")
                .contains("取值不对：这里是整数 99999999999，应当是非负整数")
        );
        assert_eq!(
            zh("steps[0].checks[0].history.exit: unknown variant `maybe`, expected `ok` or `failed`"),
            "`steps[0].checks[0].history.exit`：未知的取值 `maybe`：这里能写的是 `ok`、`failed`"
        );
        assert!(zh("x: unknown variant `c`, expected one of `a`, `b`, `d`")
            .contains("这里能写的是 `a`、`b`、`d`"));
        assert!(zh("duplicate entry with key \"en\"").contains("键 \"en\" 出现了两次"));
        assert!(zh("x: invalid length 3, expected a sequence of 2 elements")
            .contains("个数不对：这里有 3 个"));
        // libyaml's, with its context.
        assert_eq!(
            zh("did not find expected ',' or '}' at line 13 column 13, while parsing a flow mapping"),
            "这里应当是 `,` 或 `}`：花括号 `{ }` 没有闭合，或者两项之间少了逗号（在 `{ }` 映射中）"
        );
        assert!(zh(
            "could not find expected ':' at line 14 column 13, while scanning a simple key"
        )
        .contains("少了 `:`"));
        assert!(zh(
            "found unexpected end of stream at line 14 column 1, while scanning a quoted scalar"
        )
        .contains("引号没有闭合"));
        assert!(zh("did not find expected '-' indicator at line 13 column 7, while parsing a block collection")
            .contains("缩进"));
        assert!(zh("found character that cannot start any token").contains("引号"));
        assert!(zh("unknown anchor").contains("锚点"));
        assert!(zh("mapping values are not allowed in this context").contains("`: `"));
        assert!(zh("found a tab character that violates indentation").contains("制表符"));
        // Anything else: Chinese, serde's words in parentheses at the end.
        let other = zh("x: something new from serde");
        assert!(
            other.ends_with("（原文：`something new from serde`）"),
            "{other}"
        );
    }
}
