//! What a learner reads about a `history` check: the command it wants,
//! and why what lab saw is not it (too early, refused, no exit status...).
//! Nothing here reads a source or judges one.

use super::judge::{Miss, Seen};
use super::ExitStatus;
use super::History;
use crate::checks::matcher::in_words;
use crate::lang::Lang;
use crate::report::Outcome;
use crate::tr;

pub(super) const HOOK: &str = "eval \"$(lab init bash)\"";

impl History {
    pub(super) fn shows(&self, lang: Lang) -> String {
        in_words(self.shows.as_ref(), &self.matches, lang)
    }

    pub(super) fn shows_after(&self, lang: Lang) -> String {
        in_words(
            self.shows_after.as_ref(),
            self.after.as_deref().unwrap_or_default(),
            lang,
        )
    }

    pub(super) fn shows_before(&self, lang: Lang) -> String {
        in_words(
            self.shows_before.as_ref(),
            self.before.as_deref().unwrap_or_default(),
            lang,
        )
    }
    /// What the check wants, in a few words.
    pub(super) fn wanted(&self, lang: Lang) -> String {
        let mut s = self.shows(lang);
        match self.status {
            Some(ExitStatus::Ok) => s += &tr!(lang, ", succeeded", "，成功"),
            Some(ExitStatus::Failed) => s += &tr!(lang, ", failed", "，失败"),
            None => {}
        }
        if self.after.is_some() {
            s += &tr!(lang, ", after {}", "，在 {} 之后", self.shows_after(lang));
        }
        if self.before.is_some() {
            s += &tr!(lang, ", before {}", "，在 {} 之前", self.shows_before(lang));
        }
        if let Some(i) = &self.container_of {
            s += &tr!(
                lang,
                ", naming a container of {} by its CONTAINER ID",
                "，并用 CONTAINER ID 指明一个 {} 容器",
                i
            );
        }
        s
    }

    /// The failed outcome for a miss in `source` (a path).
    pub(super) fn missed(&self, miss: &Miss, source: &str, lang: Lang) -> Outcome {
        let status = |s: &Seen| s.status.map(|c| c.to_string()).unwrap_or_default();
        let (message, actual) = match miss {
            Miss::NoMatch => (
                tr!(lang, "no {} in {}", "{1} 中没有 {0}", self.shows(lang), source),
                tr!(lang, "no such command", "没有这样的命令"),
            ),
            Miss::Status(s) => (
                match self.status {
                    Some(ExitStatus::Failed) => tr!(lang, "`{}` succeeded, but this step wants it refused (an exit status other than 0)", "`{}` 成功了，但这一步要的是它被拒绝（退出码不为 0）", s.cmd.trim()),
                    _ => tr!(lang, "`{}` failed (exit status {}); run it again and read its error", "`{}` 失败了（退出码 {}）；请重新运行并阅读报错", s.cmd.trim(), status(s)),
                },
                tr!(lang, "`{}`, exit status {}", "`{}`，退出码 {}", s.cmd.trim(), status(s)),
            ),
            Miss::NotAfter(s) => (
                tr!(lang, "`{}` ran, but not after {}", "运行过 `{}`，但不是在 {} 之后", s.cmd.trim(), self.shows_after(lang)),
                tr!(lang, "`{}` too early", "`{}` 运行得太早", s.cmd.trim()),
            ),
            Miss::NotBefore(s) => (
                tr!(lang, "`{}` ran, but not before {}", "运行过 `{}`，但不是在 {} 之前", s.cmd.trim(), self.shows_before(lang)),
                tr!(lang, "`{}` too late", "`{}` 运行得太晚", s.cmd.trim()),
            ),
            Miss::Unknown(s) => (
                tr!(lang, "lab cannot tell whether `{}` succeeded: shell history keeps no exit status. Add `{}` to ~/.bashrc (zsh: `eval \"$(lab init zsh)\"` to ~/.zshrc), open a new terminal and run the command again: lab will then see its exit status", "lab 无法判断 `{}` 是否成功：命令历史不保存退出码。请在 ~/.bashrc 中加入 `{}`（zsh：在 ~/.zshrc 中加入 `eval \"$(lab init zsh)\"`），打开新终端后重新运行该命令，lab 就能看到它的退出码", s.cmd.trim(), HOOK),
                tr!(lang, "`{}`, exit status unknown", "`{}`，退出码未知", s.cmd.trim()),
            ),
        };
        Outcome::fail(message)
            .expected(self.wanted(lang))
            .actual(actual)
    }

    /// The verdict when neither the log nor a history file has the command.
    pub(super) fn missed_everywhere(
        &self,
        log_miss: Option<(Miss, String)>,
        file_miss: Option<(Miss, String)>,
        unread: &[String],
        files: &[String],
        lang: Lang,
    ) -> Outcome {
        match (log_miss, file_miss) {
            // The log's answer, unless only the history file has the command.
            (Some((Miss::NoMatch, _)), Some((m, f))) if m != Miss::NoMatch => self.missed(&m, &f, lang),
            (Some((m, path)), _) => self.missed(&m, &path, lang),
            (None, Some((Miss::NoMatch, f))) => {
                let mut o = self.missed(&Miss::NoMatch, &f, lang);
                o.message = tr!(lang, "no {} in your shell history (bash saves it when the shell exits: run `history -a` first, or add `{}` to ~/.bashrc so that lab sees each command as it runs)", "命令历史中没有 {}（bash 在退出时才保存历史：请先运行 `history -a`，或在 ~/.bashrc 中加入 `{}`，让 lab 在命令运行时就能看到它）", self.shows(lang), HOOK);
                o
            }
            (None, Some((m, f))) => self.missed(&m, &f, lang),
            (None, None) if !unread.is_empty() => Outcome::fail(unread.join("; "))
                .expected(self.wanted(lang))
                .actual(tr!(lang, "no command log, no history file lab could read", "没有命令记录，也没有 lab 能读取的命令历史文件")),
            (None, None) => Outcome::fail(tr!(lang, "lab cannot see your commands: no ~/.bash_history yet ({}); run `history -a`, or add `{}` to ~/.bashrc", "lab 看不到你运行过的命令：还没有 ~/.bash_history（{}）；请运行 `history -a`，或在 ~/.bashrc 中加入 `{}`", files.join(lang.pick(", ", "、")), HOOK))
                .expected(self.wanted(lang))
                .actual(tr!(lang, "no command log, no history file", "没有命令记录，也没有命令历史文件")),
        }
    }
}
