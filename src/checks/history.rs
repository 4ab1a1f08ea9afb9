//! `history`: the learner's shell history has a command matching a regex.
//! Reads bash and zsh history files (zsh's extended `: time:0;cmd` lines
//! too). Bash writes its history when the shell exits, so a command typed
//! in a shell that is still open may not be there yet: say so in the hint.
//! With no history file at all, the check is skipped, not failed.
//!
//! ```yaml
//! history: { matches: 'docker\s+(image\s+rm|rmi)\s+-f\s+\$\(docker images' }
//! ```

use super::matcher::regex_problem;
use super::{Ctx, Probe};
use crate::course::Vars;
use crate::lang::Lang;
use crate::machine::ObserveError;
use crate::report::Outcome;
use crate::tr;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct History {
    /// The regex a command line must match.
    pub matches: String,
    /// History files to read (default `${bash_history}` and `${zsh_history}`).
    #[serde(default)]
    pub files: Vec<String>,
}

/// The command of a history line (zsh extended format stripped).
fn command(line: &str) -> &str {
    match line.strip_prefix(": ").and_then(|l| l.split_once(';')) {
        Some((_, cmd)) => cmd,
        None => line,
    }
}

impl Probe for History {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        let Ok(re) = regex::Regex::new(&self.matches) else {
            return Ok(Outcome::error(format!("bad regex {}", self.matches)));
        };
        let files: Vec<String> = if self.files.is_empty() {
            vec![ctx.expand("${bash_history}"), ctx.expand("${zsh_history}")]
        } else {
            self.files.iter().map(|f| ctx.expand(f)).collect()
        };
        let mut read = Vec::new();
        for f in &files {
            let Some(text) = ctx.machine.read_file(f).await? else {
                continue;
            };
            read.push(f.clone());
            if let Some(hit) = text.lines().rev().map(command).find(|c| re.is_match(c)) {
                return Ok(Outcome::pass(tr!(
                    lang,
                    "your shell history has `{}`",
                    "你的命令历史中有 `{}`",
                    hit.trim()
                )));
            }
        }
        if read.is_empty() {
            // No bash or zsh history at all (another shell, a fresh account):
            // nothing to judge by, which is not the learner's mistake.
            return Ok(Outcome::skip(tr!(
                lang,
                "no shell history file to read ({})",
                "没有可读取的命令历史文件（{}）",
                files.join(", ")
            )));
        }
        let actual = tr!(
            lang,
            "no such command in {}",
            "{} 中没有这样的命令",
            read.join(", ")
        );
        Ok(Outcome::fail(tr!(lang, "no command matching /{}/ in your shell history (bash saves it when the shell exits; run `history -a` first)", "命令历史中没有匹配 /{}/ 的命令（bash 在退出时才保存历史；请先运行 `history -a`）", self.matches))
            .expected(format!("/{}/", self.matches))
            .actual(actual))
    }

    fn lint(&self) -> Vec<String> {
        regex_problem("matches", Some(&self.matches))
            .into_iter()
            .collect()
    }

    fn describe(&self, _: &Vars, lang: Lang) -> String {
        tr!(
            lang,
            "your shell history has a command matching /{}/",
            "命令历史中有匹配 /{}/ 的命令",
            self.matches
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn zsh_extended_lines_are_stripped() {
        assert_eq!(
            super::command(": 1700000000:0;docker pull tomcat"),
            "docker pull tomcat"
        );
        assert_eq!(super::command("docker images"), "docker images");
    }
}
