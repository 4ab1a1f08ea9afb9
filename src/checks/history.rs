//! `history`: the learner typed a command matching a regex, optionally with
//! a given exit status and before or after another command.
//!
//! The command log written by the shell integration (`lab init bash`, read
//! by `machine/commands.rs`) comes first: it has each command's exit status,
//! in the order they ran. Without it, or when it lacks the command, the
//! bash and zsh history files are read (zsh's `: time:0;cmd` lines and bash's
//! `#time` lines give the order), which have no exit status: a check that
//! demands one then fails and says why, never a guessed pass. Bash writes
//! its history file only when the shell exits. With neither the log nor a
//! history file, the check fails: the learner can fix that.
//!
//! ```yaml
//! history: { matches: 'docker\s+rmi\s+ubuntu:18\.04', status: failed, before: 'docker\s+rm\b' }
//! ```

mod judge;
mod sources;

use super::matcher::{in_words, regex_problem, shows_problem};
use super::{Ctx, Probe};
use crate::course::Vars;
use crate::lang::{Lang, Text};
use crate::machine::ObserveError;
use crate::report::Outcome;
use crate::tr;
use judge::{Miss, Rules, Seen};
use regex::Regex;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct History {
    /// The regex a command line must match.
    pub matches: String,
    /// History files to read when the command log does not have the command
    /// (default `${bash_history}` and `${zsh_history}`).
    #[serde(default)]
    pub files: Vec<String>,
    /// The command's exit status: `ok` (0) or `failed` (anything else);
    /// default: either. Only the command log knows it.
    #[serde(default)]
    pub status: Option<ExitStatus>,
    /// The command must come after a command matching this regex (one that
    /// did not fail, when the log says), e.g. the pull that made the image.
    #[serde(default)]
    pub after: Option<String>,
    /// The command must come before a command matching this regex (one that
    /// did not fail, when the log says).
    #[serde(default)]
    pub before: Option<String>,
    /// The first group of `matches` must be (the start of, at least 4 hex
    /// digits) the id of a container created from this image: the
    /// CONTAINER ID `docker ps -a` showed, not a name, nor another
    /// container's id. Ids come from the containers there are and from the
    /// timeline of container events.
    #[serde(default)]
    pub container_of: Option<String>,
    /// What `matches` looks for, in words: what the learner reads instead
    /// of the regex, e.g. `` { en: "`docker images` or `docker image ls`",
    /// zh-CN: "`docker images` 或 `docker image ls`" } ``: the command as
    /// typed, a noun phrase. Required unless `matches` is plain text.
    #[serde(default)]
    pub shows: Option<Text>,
    /// What `after` looks for, in words, as `shows`. Required with `after`.
    #[serde(default)]
    pub shows_after: Option<Text>,
    /// What `before` looks for, in words, as `shows`. Required with `before`.
    #[serde(default)]
    pub shows_before: Option<Text>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExitStatus {
    /// Exit status 0.
    Ok,
    /// Any other exit status.
    Failed,
}

const HOOK: &str = "eval \"$(lab init bash)\"";

impl History {
    fn shows(&self, lang: Lang) -> String {
        in_words(self.shows.as_ref(), &self.matches, lang)
    }

    fn shows_after(&self, lang: Lang) -> String {
        in_words(
            self.shows_after.as_ref(),
            self.after.as_deref().unwrap_or_default(),
            lang,
        )
    }

    fn shows_before(&self, lang: Lang) -> String {
        in_words(
            self.shows_before.as_ref(),
            self.before.as_deref().unwrap_or_default(),
            lang,
        )
    }

    fn rules(&self) -> Result<Rules, String> {
        let re = |r: &str| Regex::new(r).map_err(|_| format!("bad regex {r}"));
        Ok(Rules {
            matches: re(&self.matches)?,
            status: self.status,
            after: self.after.as_deref().map(re).transpose()?,
            before: self.before.as_deref().map(re).transpose()?,
            ids: None,
        })
    }

    /// What the check wants, in a few words.
    fn wanted(&self, lang: Lang) -> String {
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
    fn missed(&self, miss: &Miss, source: &str, lang: Lang) -> Outcome {
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
}

/// The variables naming the history files read when a check names none.
const DEFAULT_FILES: &[&str] = &["bash_history", "zsh_history"];

impl Probe for History {
    fn implied_vars(&self) -> &'static [&'static str] {
        if self.files.is_empty() {
            DEFAULT_FILES
        } else {
            &[]
        }
    }

    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        let mut rules = match self.rules() {
            Ok(r) => r,
            Err(e) => return Ok(Outcome::error(e)),
        };
        if let Some(image) = &self.container_of {
            rules.ids = Some(sources::container_ids(ctx, &ctx.expand(image)).await?);
        }
        let mut log_miss = None;
        let mut warnings = Vec::new();
        if let Some(log) = ctx.machine.command_log().await? {
            warnings.extend(sources::log_warnings(lang, &log));
            match rules.judge(&sources::log_lines(&log)) {
                Ok(s) => {
                    let mut o = Outcome::pass(tr!(
                        lang,
                        "your command log has `{}` (exit status {})",
                        "你的命令记录中有 `{}`（退出码 {}）",
                        s.cmd.trim(),
                        s.status.unwrap_or_default()
                    ));
                    o.warnings = warnings;
                    return Ok(o);
                }
                Err(miss) => log_miss = Some((miss, log.path.clone())),
            }
        }
        // The history files: the command may have been typed in a shell
        // without the integration (one opened before it was installed).
        let files: Vec<String> = if self.files.is_empty() {
            DEFAULT_FILES
                .iter()
                .map(|f| ctx.expand(&format!("${{{f}}}")))
                .collect()
        } else {
            self.files.iter().map(|f| ctx.expand(f)).collect()
        };
        let mut file_miss = None;
        // Why a history file was not read, for the learner.
        let mut unread = Vec::new();
        for f in &files {
            let Some(text) = sources::read_history(ctx, f, &mut unread, &mut warnings).await?
            else {
                continue;
            };
            match rules.judge(&sources::history_commands(&text)) {
                Ok(s) => {
                    let mut o = Outcome::pass(tr!(
                        lang,
                        "your shell history has `{}`",
                        "你的命令历史中有 `{}`",
                        s.cmd.trim()
                    ));
                    o.warnings = warnings;
                    return Ok(o);
                }
                // The closest miss: a matching command beats none.
                Err(m) => {
                    if file_miss
                        .as_ref()
                        .is_none_or(|(old, _)| *old == Miss::NoMatch)
                    {
                        file_miss = Some((m, f.clone()));
                    }
                }
            }
        }
        let mut o = match (log_miss, file_miss) {
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
        };
        if o.message != unread.join("; ") {
            warnings.extend(unread);
        }
        o.warnings = warnings;
        Ok(o)
    }

    fn lint(&self) -> Vec<crate::lang::Text> {
        let mut out: Vec<crate::lang::Text> = [
            regex_problem("matches", Some(&self.matches)),
            regex_problem("after", self.after.as_deref()),
            regex_problem("before", self.before.as_deref()),
        ]
        .into_iter()
        .flatten()
        .collect();
        out.extend(shows_problem(
            "matches",
            Some(&self.matches),
            self.shows.as_ref(),
            "shows",
        ));
        out.extend(shows_problem(
            "after",
            self.after.as_deref(),
            self.shows_after.as_ref(),
            "shows_after",
        ));
        out.extend(shows_problem(
            "before",
            self.before.as_deref(),
            self.shows_before.as_ref(),
            "shows_before",
        ));
        out
    }

    fn describe(&self, _: &Vars, lang: Lang) -> String {
        let mut s = tr!(
            lang,
            "your shell history has {}",
            "命令历史中有 {}",
            self.shows(lang)
        );
        match self.status {
            Some(ExitStatus::Ok) => s += &tr!(lang, " that succeeded", "，且它成功了"),
            Some(ExitStatus::Failed) => s += &tr!(lang, " that failed", "，且它失败了"),
            None => {}
        }
        if self.after.is_some() {
            s += &tr!(lang, ", after {}", "，在 {} 之后", self.shows_after(lang));
        }
        if self.before.is_some() {
            s += &tr!(lang, ", before {}", "，在 {} 之前", self.shows_before(lang));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_history_check_of_the_built_in_course_fails_in_words() {
        use crate::checks::no_regex_tests::{built_in_checks, regex_in};
        let seen = Seen {
            cmd: "docker images".into(),
            status: Some(1),
        };
        let misses = [
            Miss::NoMatch,
            Miss::Status(seen.clone()),
            Miss::NotAfter(seen.clone()),
            Miss::NotBefore(seen.clone()),
            Miss::Unknown(seen),
        ];
        let mut bad = Vec::new();
        let mut n = 0;
        for (at, c) in built_in_checks() {
            let crate::checks::CheckKind::History(h) = &c.kind else {
                continue;
            };
            n += 1;
            for lang in [Lang::En, Lang::ZhCn] {
                for m in &misses {
                    let o = h.missed(m, "/home/u/.bash_history", lang);
                    for text in [&o.message, o.expected.as_deref().unwrap_or_default()] {
                        if let Some(p) = regex_in(text) {
                            bad.push(format!("{at} ({}): `{p}` in {text}", lang.code()));
                        }
                    }
                }
            }
        }
        assert!(n >= 6, "{n} history checks");
        assert!(
            bad.is_empty(),
            "regexes shown to learners:\n{}",
            bad.join("\n")
        );
    }

    #[test]
    fn unknown_fields_and_statuses_are_refused() {
        assert!(serde_yaml_ng::from_str::<History>("{ matches: x, status: maybe }").is_err());
        assert!(serde_yaml_ng::from_str::<History>("{ matches: x, exit: 1 }").is_err());
        let h: History =
            serde_yaml_ng::from_str("{ matches: x, after: '(', shows_after: { en: a, zh-CN: a } }")
                .unwrap();
        assert_eq!(h.lint().len(), 1);
    }

    #[test]
    fn a_regex_that_is_not_plain_text_needs_its_words() {
        let h: History = serde_yaml_ng::from_str("{ matches: 'docker\\s+images' }").unwrap();
        let problems = h.lint();
        assert!(
            problems.len() == 1 && problems[0].en.contains("`shows:"),
            "{problems:?}"
        );
        let plain: History = serde_yaml_ng::from_str("{ matches: 'docker images' }").unwrap();
        assert!(plain.lint().is_empty());
        assert_eq!(
            plain.describe(&Vars::new(&Default::default(), &[]).unwrap(), Lang::ZhCn),
            "命令历史中有 `docker images`"
        );
    }
}
