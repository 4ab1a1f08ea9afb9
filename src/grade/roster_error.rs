//! What can be wrong with a roster, said to the teacher in their language:
//! where (`roster.csv:LINE:`), what, and what to write instead.

use super::roster_lms::IdFault;
use crate::lang::Lang;
use crate::machine::Refusal;
use crate::tr;
use std::path::PathBuf;

#[derive(Debug)]
pub enum RosterError {
    Read {
        path: String,
        message: String,
    },
    /// Line 1 is the header.
    Row {
        path: String,
        line: u64,
        problem: Problem,
    },
}

/// A mistake in one line of the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    UnknownColumn(String),
    ColumnTwice(String),
    MissingColumn(&'static str),
    /// `len` cells where the header has `expected`.
    Cells {
        len: u64,
        expected: u64,
    },
    NotUtf8,
    /// Another CSV error, as the CSV reader words it.
    Csv(String),
    EmptyId,
    BadId(String),
    IdTwice {
        id: String,
        first: u64,
    },
    /// The same id but for case (`s1` on this line, `S1` on line `first`).
    SameStudent {
        id: String,
        line: u64,
        first_id: String,
        first: u64,
    },
    NoHost(String),
    BadHost {
        host: String,
        why: Refusal,
    },
    BadPort(String),
    BadUser {
        user: String,
        why: Refusal,
    },
    NoIdentity(PathBuf),
    NoStudents,
    /// A name holding a control character (an escape sequence would reach
    /// the teacher's terminal through the progress lines).
    ControlInName {
        name: String,
        ch: char,
    },
    /// The roster has this identifier column but this row leaves it empty.
    EmptyLmsId(&'static str),
    /// An identifier the LMS could not match as written.
    BadLmsId {
        column: &'static str,
        value: String,
        why: IdFault,
    },
}

impl RosterError {
    /// The message in `lang`; `Display` is the English one.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            RosterError::Read { path, message } => tr!(
                lang,
                "cannot read the roster {}: {}",
                "无法读取名单 {}：{}",
                path,
                message
            ),
            RosterError::Row {
                path,
                line,
                problem,
            } => format!("{path}:{line}: {}", problem.text(lang)),
        }
    }

    /// The roster line the error is about (1 is the header).
    #[cfg(test)]
    pub fn line(&self) -> Option<u64> {
        match self {
            RosterError::Read { .. } => None,
            RosterError::Row { line, .. } => Some(*line),
        }
    }
}

impl std::fmt::Display for RosterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl std::error::Error for RosterError {}

impl Problem {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Problem::UnknownColumn(name) => tr!(
                lang,
                "unknown column `{}`; the columns are {}",
                "未知的列 `{}`；可用的列为 {}",
                shown(name),
                super::roster::COLUMNS.join(", ")
            ),
            Problem::ColumnTwice(name) => tr!(
                lang,
                "column `{}` appears twice",
                "列 `{}` 出现了两次",
                name
            ),
            Problem::MissingColumn(name) => tr!(
                lang,
                "the header has no `{}` column; it needs at least {}",
                "表头缺少 `{}` 列；至少需要 {}",
                name,
                super::roster::REQUIRED.join(", ")
            ),
            Problem::Cells { len, expected } => tr!(
                lang,
                "this row has {} cells but the header has {}",
                "这一行有 {} 个单元格，但表头有 {} 个",
                len,
                expected
            ),
            Problem::NotUtf8 => tr!(
                lang,
                "this row is not UTF-8 text (save the file as UTF-8)",
                "这一行不是 UTF-8 文本（请把文件另存为 UTF-8 编码）"
            ),
            Problem::Csv(message) => tr!(
                lang,
                "this row is not valid CSV: {}",
                "这一行不是有效的 CSV：{}",
                message
            ),
            Problem::EmptyId => tr!(lang, "the student_id is empty", "student_id 为空"),
            Problem::BadId(id) => tr!(
                lang,
                "student_id `{}` may hold only letters, digits, `.`, `_` and `-`, and may not start with `.` or `-` (it names the student's report folder)",
                "student_id `{}` 只能包含字母、数字、`.`、`_` 和 `-`，且不能以 `.` 或 `-` 开头（它用作该学生报告文件夹的名称）",
                shown(id)
            ),
            Problem::IdTwice { id, first } => tr!(
                lang,
                "student_id `{}` is already used on line {}",
                "student_id `{}` 已在第 {} 行使用过",
                id,
                first
            ),
            Problem::SameStudent {
                id,
                line,
                first_id,
                first,
            } => tr!(
                lang,
                "{} on line {} is the same student as {} on line {} (ids are compared without case: they name report folders, and some file systems do not tell them apart); give one of them another id",
                "第 {1} 行的 {0} 与第 {3} 行的 {2} 是同一名学生（比较学号时不区分大小写：学号用作报告文件夹的名称，有些文件系统不区分大小写）；请给其中一人换一个学号",
                id,
                line,
                first_id,
                first
            ),
            Problem::NoHost(id) => tr!(
                lang,
                "{} has no host; write the VM's host name or IP address in the host column",
                "{} 没有填写主机；请在 host 列填写虚拟机的主机名或 IP 地址",
                id
            ),
            Problem::BadHost { host, why } => tr!(
                lang,
                "host `{}` is not a host name: {}; write the VM's host name or IP address (like 10.0.0.11), and the user and the port in their own columns",
                "主机 `{}` 不是有效的主机名：{}；请填写虚拟机的主机名或 IP 地址（例如 10.0.0.11），用户名和端口写在各自的列中",
                shown(host),
                refusal(*why, lang)
            ),
            Problem::BadPort(port) => tr!(
                lang,
                "port `{}` is not a number from 1 to 65535; write digits only (like 22), or leave the cell empty for ssh's default",
                "端口 `{}` 不是 1 到 65535 之间的数字；请只写数字（例如 22），或留空以使用 ssh 的默认端口",
                shown(port)
            ),
            Problem::BadUser { user, why } => tr!(
                lang,
                "user `{}` is not a user name: {}; write only the user name (like student)",
                "用户 `{}` 不是有效的用户名：{}；这里只填写用户名（例如 student）",
                shown(user),
                refusal(*why, lang)
            ),
            Problem::NoIdentity(path) => tr!(
                lang,
                "identity file `{}` does not exist or is not a file",
                "私钥文件 `{}` 不存在或不是文件",
                shown(&path.display().to_string())
            ),
            Problem::NoStudents => tr!(
                lang,
                "the roster has no students",
                "名单中没有学生"
            ),
            Problem::ControlInName { name, ch } => tr!(
                lang,
                "the name `{}` holds an invisible control character (U+{:04X}), which would reach the terminal and the spreadsheets: retype the name",
                "姓名 `{}` 中有一个看不见的控制字符（U+{:04X}），它会被带到终端和电子表格里：请重新输入这个姓名",
                shown(name),
                u32::from(*ch)
            ),
            Problem::EmptyLmsId(column) => tr!(
                lang,
                "the `{}` cell is empty; the roster has a {} column, so fill it for every student (Moodle's import stops at the first row it cannot match), or remove the column",
                "`{}` 单元格为空；名单中有 {} 列，就要为每名学生都填写（Moodle 导入时遇到无法匹配的行会整体中止），或者删去这一列",
                column,
                column
            ),
            Problem::BadLmsId { column, value, why } => tr!(
                lang,
                "{} `{}` cannot be matched by the LMS: {}; write it exactly as the LMS has it",
                "{} `{}` 无法被 LMS 匹配：{}；请按 LMS 中的写法原样填写",
                column,
                shown(value),
                id_fault(*why, lang)
            ),
        }
    }
}

/// Why an LMS identifier cannot be used.
fn id_fault(why: IdFault, lang: Lang) -> String {
    match why {
        IdFault::Control(c) => tr!(
            lang,
            "it holds the invisible control character U+{:04X}",
            "其中有看不见的控制字符 U+{:04X}",
            u32::from(c)
        ),
        IdFault::Blank => tr!(lang, "it holds a space", "其中含有空格"),
        IdFault::NotEmail => tr!(
            lang,
            "it is not an email address (name@example.edu)",
            "它不是电子邮件地址（例如 name@example.edu）"
        ),
        IdFault::FormulaStart(c) => tr!(
            lang,
            "it starts with `{}`, which spreadsheets take for a formula, so the CSV would carry it changed",
            "它以 `{}` 开头，电子表格会把它当作公式，CSV 中写出的值就会与原文不同",
            c
        ),
    }
}

/// Why ssh would refuse a host or user name.
fn refusal(why: Refusal, lang: Lang) -> String {
    match why {
        Refusal::LeadingDash => tr!(
            lang,
            "it starts with `-`, which ssh would read as an option",
            "它以 `-` 开头，ssh 会把它当作选项"
        ),
        Refusal::Char(c) => tr!(
            lang,
            "it contains {}, which ssh does not accept there",
            "其中含有{}，ssh 不接受",
            named(c, lang)
        ),
        Refusal::Separator(c) => tr!(
            lang,
            "it contains {} (the host goes in the host column, the port in the port column)",
            "其中含有{}（主机写在 host 列，端口写在 port 列）",
            named(c, lang)
        ),
    }
}

/// A character as a teacher can find it in their file.
fn named(c: char, lang: Lang) -> String {
    let code = format!("U+{:04X}", c as u32);
    match c {
        ' ' => lang.pick("a space", "空格").to_string(),
        '`' => lang.pick("a backtick (`)", "反引号（`）").to_string(),
        c if c.is_control() => tr!(lang, "the control character {}", "控制字符 {}", code),
        c if c.is_whitespace() => tr!(lang, "the blank character {}", "空白字符 {}", code),
        c => tr!(lang, "`{}`", " `{}`", c),
    }
}

/// A value quoted in a message: control characters (a stray TAB, ESC) are
/// spelt out rather than sent to the terminal.
fn shown(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}
