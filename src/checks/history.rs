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
mod messages;
mod sources;

use super::matcher::{regex_problem, shows_problem};
use super::{Ctx, Probe};
use crate::course::Vars;
use crate::lang::{Lang, Text};
use crate::machine::ObserveError;
use crate::report::Outcome;
use crate::tr;
use judge::{Miss, Rules};
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

impl History {
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
}

/// Where lab looked for the command: found it, or the closest miss
/// (with the file it was read from), if that source could be read at all.
enum Search {
    Found(Outcome),
    Missed(Option<(Miss, String)>),
}

impl History {
    /// The command log of lab's shell integration, when there is one.
    async fn in_log(
        &self,
        ctx: &Ctx<'_>,
        rules: &Rules,
        warnings: &mut Vec<String>,
    ) -> Result<Search, ObserveError> {
        let lang = ctx.lang;
        let Some(log) = ctx.machine.command_log().await? else {
            return Ok(Search::Missed(None));
        };
        warnings.extend(sources::log_warnings(lang, &log));
        Ok(match rules.judge(&sources::log_lines(&log)) {
            Ok(s) => Search::Found(Outcome::pass(tr!(
                lang,
                "your command log has `{}` (exit status {})",
                "你的命令记录中有 `{}`（退出码 {}）",
                s.cmd.trim(),
                s.status.unwrap_or_default()
            ))),
            Err(miss) => Search::Missed(Some((miss, log.path.clone()))),
        })
    }

    /// The history files the check names, else the shells' usual ones.
    fn history_files(&self, ctx: &Ctx<'_>) -> Vec<String> {
        if self.files.is_empty() {
            DEFAULT_FILES
                .iter()
                .map(|f| ctx.expand(&format!("${{{f}}}")))
                .collect()
        } else {
            self.files.iter().map(|f| ctx.expand(f)).collect()
        }
    }

    /// The history files, in order; the closest miss among them (a
    /// matching command beats none).
    async fn in_files(
        &self,
        ctx: &Ctx<'_>,
        rules: &Rules,
        files: &[String],
        unread: &mut Vec<String>,
        warnings: &mut Vec<String>,
    ) -> Result<Search, ObserveError> {
        let mut closest: Option<(Miss, String)> = None;
        for f in files {
            let Some(text) = sources::read_history(ctx, f, unread, warnings).await? else {
                continue;
            };
            match rules.judge(&sources::history_commands(&text)) {
                Ok(s) => {
                    return Ok(Search::Found(Outcome::pass(tr!(
                        ctx.lang,
                        "your shell history has `{}`",
                        "你的命令历史中有 `{}`",
                        s.cmd.trim()
                    ))))
                }
                Err(m) => {
                    if closest
                        .as_ref()
                        .is_none_or(|(old, _)| *old == Miss::NoMatch)
                    {
                        closest = Some((m, f.clone()));
                    }
                }
            }
        }
        Ok(Search::Missed(closest))
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
        let mut rules = match self.rules() {
            Ok(r) => r,
            Err(e) => return Ok(Outcome::error(e)),
        };
        if let Some(image) = &self.container_of {
            rules.ids = Some(sources::container_ids(ctx, &ctx.expand(image)).await?);
        }
        let mut warnings = Vec::new();
        let log_miss = match self.in_log(ctx, &rules, &mut warnings).await? {
            Search::Found(o) => return Ok(o.warned(warnings)),
            Search::Missed(m) => m,
        };
        // The history files: the command may have been typed in a shell
        // without the integration (one opened before it was installed).
        let files = self.history_files(ctx);
        // Why a history file was not read, for the learner.
        let mut unread = Vec::new();
        let file_miss = match self
            .in_files(ctx, &rules, &files, &mut unread, &mut warnings)
            .await?
        {
            Search::Found(o) => return Ok(o.warned(warnings)),
            Search::Missed(m) => m,
        };
        let o = self.missed_everywhere(log_miss, file_miss, &unread, &files, ctx.lang);
        if o.message != unread.join("; ") {
            warnings.extend(unread);
        }
        Ok(o.warned(warnings))
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
    use super::judge::Seen;
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

    /// Only the command log knows exit statuses: a history file's command
    /// is no pass for a check that wants one, and says why.
    #[test]
    fn an_exit_status_nobody_recorded_is_no_pass() {
        use crate::checks::testing::{assert_outcome, outcome};
        use crate::machine::Machine;
        use crate::report::Status;
        const LOG: &str = "/s/lab/commands.jsonl";
        let refused = r#"{ id: h, history: { matches: "docker rmi ubuntu:18.04", status: failed, files: [/h/.bash_history] } }"#;
        let typed = Machine::fake()
            .file("/h/.bash_history", "docker rmi ubuntu:18.04\n")
            .build();
        let o = outcome(refused, &typed);
        assert_outcome(
            &o,
            Status::Fail,
            "lab cannot tell whether `docker rmi ubuntu:18.04` succeeded",
        );
        // The log's status decides, whatever the history file has.
        let logged = |status: i32| {
            Machine::fake()
                .command_log(LOG)
                .file(
                    LOG,
                    &format!(
                        "{{\"at\":1,\"status\":{status},\"cmd\":\"docker rmi ubuntu:18.04\"}}\n"
                    ),
                )
                .file("/h/.bash_history", "docker rmi ubuntu:18.04\n")
                .build()
        };
        let o = outcome(refused, &logged(0));
        assert_outcome(
            &o,
            Status::Fail,
            "succeeded, but this step wants it refused",
        );
        let o = outcome(refused, &logged(1));
        assert_outcome(&o, Status::Pass, "(exit status 1)");
        // A log line torn without its status is no command.
        let torn = Machine::fake()
            .command_log(LOG)
            .file(LOG, "{\"at\":1,\"cmd\":\"docker rmi ubuntu:18.04\"}\n")
            .build();
        let o = outcome(refused, &torn);
        assert_eq!(o.status, Status::Fail, "{o:?}");
        // A log lab cannot read is no verdict.
        let denied = Machine::fake().command_log(LOG).unreadable(LOG).build();
        let o = outcome(refused, &denied);
        assert_outcome(&o, Status::Error, "Permission denied");
        // Nothing to read at all: the learner can fix that.
        let o = outcome(refused, &Machine::fake().build());
        assert_outcome(&o, Status::Fail, "lab cannot see your commands");
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
