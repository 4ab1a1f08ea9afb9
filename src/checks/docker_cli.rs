//! `docker_cli`: the docker client is installed, at least some version.
//!
//! ```yaml
//! docker_cli: { min_version: "20.10" }
//! ```

use super::{Ctx, Probe};
use crate::course::Vars;
use crate::lang::Lang;
use crate::machine::ObserveError;
use crate::report::Outcome;
use crate::tr;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DockerCli {
    /// The oldest acceptable client version, e.g. "20.10".
    #[serde(default)]
    pub min_version: Option<String>,
}

/// `20.10.24+dfsg1` → [20, 10, 24]; leading numbers only.
pub fn version_numbers(v: &str) -> Vec<u64> {
    v.split(['.', '-', '+', ' ', ','])
        .map_while(|p| p.parse::<u64>().ok())
        .collect()
}

/// Whether `have` is at least `want`, comparing numbers part by part.
pub fn at_least(have: &str, want: &str) -> bool {
    version_numbers(have) >= version_numbers(want)
}

/// What the check runs.
const VERSION: &[&str] = &["docker", "--version"];

impl Probe for DockerCli {
    fn runs(&self) -> &'static [&'static [&'static str]] {
        &[VERSION]
    }

    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        let Some(out) = ctx.machine.exec(VERSION[0], &VERSION[1..]).await? else {
            return Ok(Outcome::fail(tr!(
                lang,
                "the `docker` command is not installed",
                "没有安装 `docker` 命令"
            ))
            .expected(tr!(
                lang,
                "`docker --version` prints a version",
                "`docker --version` 能输出版本号"
            ))
            .actual(tr!(lang, "command not found", "找不到命令")));
        };
        // "Docker version 20.10.24+dfsg1, build 5d6db84"
        let line = out.stdout.lines().next().unwrap_or("").trim().to_string();
        let version = line
            .strip_prefix("Docker version ")
            .and_then(|rest| rest.split(',').next())
            .unwrap_or("")
            .to_string();
        if out.code != Some(0) || version.is_empty() {
            return Ok(Outcome::fail(tr!(
                lang,
                "`docker --version` did not print a version",
                "`docker --version` 没有输出版本号"
            ))
            .actual(format!("{}{}", line, out.stderr.trim())));
        }
        match &self.min_version {
            // A version without numbers (`dev`) is not an old one.
            Some(min) if version_numbers(&version).is_empty() => Ok(Outcome::error(tr!(
                lang,
                "lab cannot tell whether docker client {} is {} or newer",
                "lab 无法判断 docker 客户端 {} 的版本是否不低于 {}",
                version,
                min
            ))),
            Some(min) if !at_least(&version, min) => Ok(Outcome::fail(tr!(
                lang,
                "docker client {} is older than {}",
                "docker 客户端 {} 比 {} 旧",
                version,
                min
            ))
            .expected(format!(">= {min}"))
            .actual(version)),
            _ => Ok(Outcome::pass(tr!(
                lang,
                "docker client {} is installed",
                "已安装 docker 客户端 {}",
                version
            ))),
        }
    }

    fn describe(&self, _: &Vars, lang: Lang) -> String {
        match &self.min_version {
            Some(v) => tr!(
                lang,
                "the docker client is installed, version {} or newer",
                "已安装 {} 或更新版本的 docker 客户端",
                v
            ),
            None => tr!(
                lang,
                "the docker client is installed",
                "已安装 docker 客户端"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{assert_outcome, outcome};
    use crate::machine::Machine;
    use crate::report::Status;

    const MIN: &str = r#"{ id: d, docker_cli: { min_version: "20.10" } }"#;

    #[test]
    fn a_client_is_judged_on_the_version_it_prints() {
        let say = |v: &str| {
            Machine::fake()
                .command(VERSION, 0, &format!("Docker version {v}, build 5d6db84\n"))
                .build()
        };
        let o = outcome(MIN, &say("20.10.24+dfsg1"));
        assert_outcome(
            &o,
            Status::Pass,
            "docker client 20.10.24+dfsg1 is installed",
        );
        let o = outcome(MIN, &say("19.03.8"));
        assert_outcome(
            &o,
            Status::Fail,
            "docker client 19.03.8 is older than 20.10",
        );
        // No numbers to compare: not an old client, no verdict.
        let o = outcome(MIN, &say("dev"));
        assert_outcome(
            &o,
            Status::Error,
            "lab cannot tell whether docker client dev is 20.10 or newer",
        );
    }

    #[test]
    fn no_client_or_no_version_printed_fails_saying_which() {
        let m = Machine::fake().not_installed("docker").build();
        let o = outcome(MIN, &m);
        assert_outcome(&o, Status::Fail, "the `docker` command is not installed");
        let m = Machine::fake()
            .command_err(
                VERSION,
                1,
                "",
                "docker: error while loading shared libraries\n",
            )
            .build();
        let o = outcome(MIN, &m);
        assert_outcome(
            &o,
            Status::Fail,
            "`docker --version` did not print a version",
        );
    }

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(version_numbers("20.10.24+dfsg1"), vec![20, 10, 24]);
        assert!(at_least("20.10.24+dfsg1", "20.10"));
        assert!(at_least("27.5.1", "20.10"));
        assert!(!at_least("19.03.8", "20.10"));
        assert!(!at_least("20.9", "20.10"));
    }
}
