//! What reading a journal found: the counts behind its warnings, and the
//! one-word state `lab grade` records per student.

use crate::lang::Lang;
use crate::tr;
use serde::{Deserialize, Serialize};

/// A journal's state, worst first: `foreign` (lines of another machine or
/// daemon), `edited`, `unsealed` (an earlier lab's format), `unverified`
/// (the daemon did not answer), `damaged` (lines that are not text or not
/// JSON), then `ok`, `absent`, `disabled` (`--no-journal`), `unreadable`
/// (not a regular file, no permission).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    #[default]
    Absent,
    Ok,
    Foreign,
    Edited,
    Unsealed,
    Unverified,
    Damaged,
    Unreadable,
    Disabled,
}

/// A journal's state with counts, as `lab grade` records it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub state: State,
    /// Non-blank lines read.
    pub lines: usize,
    /// Lines whose entry is not used.
    pub ignored: usize,
    /// The first of them (1-based, counted where reading started).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_line: Option<usize>,
}

/// Why lines were ignored, counted while reading.
#[derive(Debug, Default)]
pub(super) struct Tally {
    pub lines: usize,
    pub other_machine: Count,
    pub other_daemon: Count,
    pub edited: Count,
    pub unsealed: Count,
    pub no_daemon: Count,
    pub damaged: Count,
}

#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Count {
    pub n: usize,
    pub first: Option<usize>,
}

impl Count {
    pub fn add(&mut self, line: usize) {
        self.n += 1;
        self.first.get_or_insert(line);
    }
}

impl Tally {
    fn all(&self) -> [Count; 6] {
        [
            self.other_machine,
            self.other_daemon,
            self.edited,
            self.unsealed,
            self.no_daemon,
            self.damaged,
        ]
    }

    pub fn health(&self) -> Health {
        let state = if self.other_machine.n + self.other_daemon.n > 0 {
            State::Foreign
        } else if self.edited.n > 0 {
            State::Edited
        } else if self.unsealed.n > 0 {
            State::Unsealed
        } else if self.no_daemon.n > 0 {
            State::Unverified
        } else if self.damaged.n > 0 {
            State::Damaged
        } else {
            State::Ok
        };
        Health {
            state,
            lines: self.lines,
            ignored: self.all().iter().map(|c| c.n).sum(),
            from_line: self.all().iter().filter_map(|c| c.first).min(),
        }
    }

    /// One warning for the lines whose seal failed, one for an earlier
    /// lab's lines, one for lines the absent daemon could not vouch for.
    pub fn warnings(&self, label: &str, lang: Lang) -> Vec<String> {
        let mut out = Vec::new();
        let rejected = [self.other_machine, self.other_daemon, self.edited];
        let n: usize = rejected.iter().map(|c| c.n).sum();
        if n > 0 {
            let first = rejected.iter().filter_map(|c| c.first).min().unwrap_or(1);
            let mut why = Vec::new();
            if self.other_machine.n > 0 {
                why.push(tr!(
                    lang,
                    "{} written on another machine",
                    "{} 行写于另一台机器",
                    self.other_machine.n
                ));
            }
            if self.other_daemon.n > 0 {
                why.push(tr!(
                    lang,
                    "{} written for another Docker daemon (another machine, or Docker reinstalled)",
                    "{} 行对应另一个 Docker 守护进程（另一台机器，或重装过 Docker）",
                    self.other_daemon.n
                ));
            }
            if self.edited.n > 0 {
                why.push(tr!(
                    lang,
                    "{} edited by hand, inserted or moved (or a line before it deleted)",
                    "{} 行被手工修改、插入或移动过（或其前一行被删除）",
                    self.edited.n
                ));
            }
            out.push(tr!(
                lang,
                "{}: {} of {} lines are ignored, from line {}: {}. The progress they record does not count; run `lab check` again (what is still on this machine passes again). If you copied this journal from elsewhere, move it away.",
                "{}：{} 行（共 {} 行）被忽略，从第 {} 行起：{}。这些行记录的进度不计；请重新运行 `lab check`（本机上仍然存在的成果会再次通过）。如果这个操作记录文件是从别处复制来的，请把它移走。",
                label,
                n,
                self.lines,
                first,
                why.join(lang.pick("; ", "；"))
            ));
        }
        if self.unsealed.n > 0 {
            out.push(tr!(
                lang,
                "{}: {}, from line {}, written by an earlier version of lab before the journal was sealed, {} ignored (lab cannot tell such lines from lines written by hand). Run `lab check` again: what is still on this machine passes again; a step that a later step undid must be done again. Move the file away to stop this warning.",
                "{}：{} 行（从第 {} 行起）由旧版 lab 写入，当时操作记录尚未加密封，因此被忽略（lab 无法区分这种行与手写的行）。请重新运行 `lab check`：本机上仍然存在的成果会再次通过；被后续步骤撤销的步骤需要重做。把该文件移走即可不再看到此警告。{3}",
                label,
                lines(self.unsealed.n, lang),
                self.unsealed.first.unwrap_or(1),
                lang.pick(if self.unsealed.n == 1 { "is" } else { "are" }, "")
            ));
        }
        if self.no_daemon.n > 0 {
            out.push(tr!(
                lang,
                "{}: {}, from line {}, cannot be verified because the Docker daemon did not answer; they count again once it does.",
                "{}：{} 行（从第 {} 行起）无法校验，因为 Docker 守护进程没有响应；守护进程恢复后它们会重新计入。",
                label,
                lines(self.no_daemon.n, lang),
                self.no_daemon.first.unwrap_or(1)
            ));
        }
        out
    }
}

/// `1 line`, `3 lines` (the number alone in Chinese, which has no plural).
fn lines(n: usize, lang: Lang) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 line".into(),
        (Lang::En, n) => format!("{n} lines"),
        (Lang::ZhCn, n) => n.to_string(),
    }
}
