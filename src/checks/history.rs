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

use super::file_read;
use super::matcher::{in_words, regex_problem, shows_problem};
use super::{Ctx, Probe};
use crate::course::Vars;
use crate::lang::{Lang, Text};
use crate::machine::{Bound, ObserveError, Read};
use crate::report::Outcome;
use crate::tr;
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

/// A command as a source saw it, in the order they ran.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    cmd: String,
    /// `None`: the source does not know (a history file).
    status: Option<i32>,
}

/// A command line borrowed from its source (a 1 MiB history is 75,000 of
/// them: no copy each), until one is kept as a [`Seen`].
#[derive(Debug, Clone, Copy, PartialEq)]
struct Line<'a> {
    cmd: &'a str,
    status: Option<i32>,
}

impl Line<'_> {
    fn seen(self) -> Seen {
        Seen {
            cmd: self.cmd.to_string(),
            status: self.status,
        }
    }
}

/// Why no command qualified, from the closest miss.
#[derive(Debug, PartialEq)]
enum Miss {
    NoMatch,
    /// Commands matched, with the other status (the last one shown).
    Status(Seen),
    /// The last matching command, not after `after`.
    NotAfter(Seen),
    /// The last matching command, not before `before`.
    NotBefore(Seen),
    /// A status is demanded and the source has none.
    Unknown(Seen),
}

struct Rules {
    matches: Regex,
    status: Option<ExitStatus>,
    after: Option<Regex>,
    before: Option<Regex>,
    /// With `container_of`: the ids the first group must start one of.
    ids: Option<Vec<String>>,
}

impl Rules {
    /// Whether a command line is the one asked for (and names the right
    /// container, when that is asked).
    fn fits(&self, cmd: &str) -> bool {
        let Some(caps) = self.matches.captures(cmd) else {
            return false;
        };
        let Some(ids) = &self.ids else { return true };
        let Some(typed) = caps.get(1).map(|m| m.as_str().to_ascii_lowercase()) else {
            return false;
        };
        typed.len() >= 4
            && typed.chars().all(|c| c.is_ascii_hexdigit())
            && ids.iter().any(|id| id.starts_with(&typed))
    }

    /// The command that qualifies (the last one), or the closest miss.
    /// Linear in the commands: the anchors are found once, first `after`
    /// and last `before`.
    fn judge(&self, seen: &[Line]) -> Result<Seen, Miss> {
        // An anchor counts unless the source knows it failed.
        let anchor = |re: &Regex, s: &Line| re.is_match(s.cmd) && s.status.unwrap_or(0) == 0;
        let first_after = self
            .after
            .as_ref()
            .map(|re| seen.iter().position(|a| anchor(re, a)));
        let last_before = self
            .before
            .as_ref()
            .map(|re| seen.iter().rposition(|b| anchor(re, b)));
        let mut miss = Miss::NoMatch;
        for (i, s) in seen.iter().enumerate().rev() {
            if !self.fits(s.cmd) {
                continue;
            }
            match (self.status, s.status) {
                (None, _) => {}
                (Some(_), None) => {
                    miss = Miss::Unknown(s.seen());
                    continue;
                }
                (Some(want), Some(code)) if (code == 0) != (want == ExitStatus::Ok) => {
                    if miss == Miss::NoMatch {
                        miss = Miss::Status(s.seen());
                    }
                    continue;
                }
                _ => {}
            }
            if let Some(first) = first_after {
                if first.is_none_or(|a| a >= i) {
                    miss = Miss::NotAfter(s.seen());
                    continue;
                }
            }
            if let Some(last) = last_before {
                if last.is_none_or(|b| b <= i) {
                    miss = Miss::NotBefore(s.seen());
                    continue;
                }
            }
            return Ok(s.seen());
        }
        Err(miss)
    }
}

/// The commands of a history file, oldest first: zsh's extended lines
/// (`: 1700000000:0;cmd`) and bash's `#1700000000` lines give times, and
/// lines are ordered by them (a line without one keeps the last time seen).
fn history_commands(text: &str) -> Vec<Line<'_>> {
    let mut timed: Vec<(u64, Line)> = Vec::new();
    let mut time = 0u64;
    for line in text.lines() {
        if let Some(t) = line.strip_prefix('#').and_then(|t| t.parse().ok()) {
            time = t;
            continue;
        }
        let cmd = match line.strip_prefix(": ").and_then(|l| l.split_once(';')) {
            Some((stamp, cmd)) => {
                if let Some(t) = stamp.split(':').next().and_then(|t| t.parse().ok()) {
                    time = t;
                }
                cmd
            }
            None => line,
        };
        if !cmd.trim().is_empty() {
            timed.push((time, Line { cmd, status: None }));
        }
    }
    timed.sort_by_key(|(t, _)| *t);
    timed.into_iter().map(|(_, s)| s).collect()
}

const HOOK: &str = "eval \"$(lab init bash)\"";

/// A history file's text, at most its last [`Bound::HISTORY`] (a warning
/// says so, and the cut first line is dropped); `None` when there is none
/// or it cannot be read, with the reason in `unread` (not a regular file,
/// no home folder known to put it in).
async fn read_history(
    ctx: &Ctx<'_>,
    path: &str,
    unread: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<Option<String>, ObserveError> {
    let lang = ctx.lang;
    if path.contains("${home}") {
        unread.push(tr!(lang,
            "lab does not know your home folder (HOME is not set, and /etc/passwd names none for your user), so it cannot read {}: set HOME (`export HOME=/home/you`) and run lab again",
            "lab 不知道你的主目录（没有设置 HOME，/etc/passwd 中也没有当前用户的主目录），因此无法读取 {}：请设置 HOME（`export HOME=/home/你的用户名`）后重新运行 lab",
            path));
        return Ok(None);
    }
    match ctx.machine.read(path, Bound::HISTORY).await? {
        Read::Missing => Ok(None),
        Read::NotFile(kind) => {
            unread.push(file_read::not_a_file_message(lang, path, kind));
            Ok(None)
        }
        Read::Bytes { bytes, cut } => {
            // Valid UTF-8 (the usual case) becomes the text without a copy.
            let mut text = String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            if cut {
                warnings.push(file_read::cut_warning(lang, path, Bound::HISTORY));
                // The first line was cut in two: drop what is left of it.
                let start = text.find('\n').map_or(text.len(), |i| i + 1);
                text.drain(..start);
            }
            Ok(Some(text))
        }
    }
}

/// The ids of the containers created from `image`: those there are, and
/// those the timeline of container events names.
async fn container_ids(ctx: &Ctx<'_>, image: &str) -> Result<Vec<String>, ObserveError> {
    use super::reference::normalize;
    let image = normalize(image);
    let mut ids: Vec<String> = ctx
        .machine
        .docker
        .containers()
        .await?
        .iter()
        .filter(|c| c.image.as_deref().map(normalize).as_deref() == Some(image.as_str()))
        .filter_map(|c| c.id.clone())
        .collect();
    let events = ctx.events().await?;
    ids.extend(
        events
            .iter()
            .filter(|e| e.kind == "container")
            .filter(|e| e.attributes.get("image").map(|i| normalize(i)) == Some(image.clone()))
            .map(|e| e.actor.clone()),
    );
    Ok(ids)
}

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
            rules.ids = Some(container_ids(ctx, &ctx.expand(image)).await?);
        }
        let mut log_miss = None;
        let mut warnings = Vec::new();
        if let Some(log) = ctx.machine.command_log().await? {
            if log.skipped > 0 {
                warnings.push(tr!(
                    lang,
                    "{}: skipped {} lines that are not commands",
                    "{}：跳过了 {} 行无法识别的记录",
                    log.path,
                    log.skipped
                ));
            }
            if log.cut {
                let bound = Bound::tail(crate::machine::MAX_COMMAND_LOG);
                warnings.push(file_read::cut_warning(lang, &log.path, bound));
            }
            if let Some(kind) = log.not_file {
                warnings.push(file_read::not_a_file_message(lang, &log.path, kind));
            }
            let seen: Vec<Line> = log
                .commands
                .iter()
                .map(|c| Line {
                    cmd: &c.cmd,
                    status: Some(c.status),
                })
                .collect();
            match rules.judge(&seen) {
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
            let Some(text) = read_history(ctx, f, &mut unread, &mut warnings).await? else {
                continue;
            };
            match rules.judge(&history_commands(&text)) {
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

    fn seen<'a>(cmds: &[(&'a str, Option<i32>)]) -> Vec<Line<'a>> {
        cmds.iter()
            .map(|(c, s)| Line { cmd: c, status: *s })
            .collect()
    }

    fn rules(yaml: &str) -> Rules {
        let h: History = serde_yaml_ng::from_str(yaml).unwrap();
        h.rules().unwrap()
    }

    #[test]
    fn zsh_and_bash_times_order_history_lines() {
        let zsh = ": 1700000005:0;docker history ubuntu:18.04\n: 1700000001:0;docker pull ubuntu:18.04\nls\n";
        let got: Vec<&str> = history_commands(zsh).into_iter().map(|s| s.cmd).collect();
        // `ls` has no time of its own: it keeps the one before it.
        assert_eq!(
            got,
            [
                "docker pull ubuntu:18.04",
                "ls",
                "docker history ubuntu:18.04"
            ]
        );
        let bash = "#1700000009\ndocker images\n#1700000002\necho hi\nplain\n";
        let got: Vec<&str> = history_commands(bash).into_iter().map(|s| s.cmd).collect();
        assert_eq!(got, ["echo hi", "plain", "docker images"]);
        assert_eq!(history_commands("docker images\n")[0].status, None);
    }

    #[test]
    fn a_refused_command_is_not_satisfied_by_a_later_success() {
        let r = rules("{ matches: 'docker\\s+rmi\\s+ubuntu:18\\.04', status: failed, before: 'docker\\s+rm\\b' }");
        // task7: refused while the container exists, then rm, then rmi works.
        let good = seen(&[
            ("docker rmi ubuntu:18.04", Some(1)),
            ("docker rm 1a2b", Some(0)),
            ("docker rmi ubuntu:18.04", Some(0)),
        ]);
        assert_eq!(r.judge(&good).unwrap().status, Some(1));
        // Only the successful one: the refusal was never seen.
        let only_ok = seen(&[
            ("docker rm 1a2b", Some(0)),
            ("docker rmi ubuntu:18.04", Some(0)),
        ]);
        assert!(matches!(r.judge(&only_ok), Err(Miss::Status(s)) if s.status == Some(0)));
        // Refused, but for another reason after the container was gone.
        let late = seen(&[
            ("docker rm 1a2b", Some(0)),
            ("docker rmi ubuntu:18.04", Some(1)),
        ]);
        assert!(matches!(r.judge(&late), Err(Miss::NotBefore(_))));
        // A failed `docker rm` is no anchor.
        let rm_failed = seen(&[
            ("docker rmi ubuntu:18.04", Some(1)),
            ("docker rm 1a2b", Some(1)),
        ]);
        assert!(matches!(r.judge(&rm_failed), Err(Miss::NotBefore(_))));
        // History files cannot tell.
        let hist = seen(&[("docker rmi ubuntu:18.04", None), ("docker rm 1a2b", None)]);
        assert!(matches!(r.judge(&hist), Err(Miss::Unknown(_))));
    }

    #[test]
    fn history_of_an_image_counts_only_after_its_pull() {
        let r = rules("{ matches: 'docker\\s+history\\s+ubuntu:18\\.04', after: 'docker\\s+pull\\s+ubuntu:18\\.04' }");
        let early = seen(&[
            ("docker history ubuntu:18.04", Some(1)),
            ("docker pull ubuntu:18.04", Some(0)),
        ]);
        assert!(matches!(r.judge(&early), Err(Miss::NotAfter(_))));
        let both = seen(&[
            ("docker history ubuntu:18.04", Some(1)),
            ("docker pull ubuntu:18.04", Some(0)),
            ("docker history ubuntu:18.04", Some(0)),
        ]);
        assert!(r.judge(&both).is_ok());
        // Order is enough without statuses (history files).
        let hist = seen(&[
            ("docker pull ubuntu:18.04", None),
            ("docker history ubuntu:18.04", None),
        ]);
        assert!(r.judge(&hist).is_ok());
        assert_eq!(r.judge(&seen(&[("ls", Some(0))])), Err(Miss::NoMatch));
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

    /// 300,000 matching commands and no anchor: one pass, not one per
    /// match (a 4 MiB history of them took minutes).
    #[test]
    fn anchors_are_found_once_however_many_commands_match() {
        let r = rules("{ matches: 'docker images', after: 'docker pull', before: 'docker rmi' }");
        let many: Vec<(&str, Option<i32>)> = vec![("docker images", Some(0)); 300_000];
        let t = std::time::Instant::now();
        assert_eq!(
            r.judge(&seen(&many)),
            Err(Miss::NotAfter(seen(&many)[0].seen()))
        );
        assert!(
            t.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            t.elapsed()
        );
        let mut framed = vec![("docker pull x", Some(0))];
        framed.extend_from_slice(&many[..3]);
        framed.push(("docker rmi x", Some(0)));
        assert_eq!(
            r.judge(&seen(&framed)).map(|s| s.cmd),
            Ok("docker images".into())
        );
        // The anchor must come strictly after the match for `before`.
        framed.pop();
        assert!(matches!(r.judge(&seen(&framed)), Err(Miss::NotBefore(_))));
    }
}
