//! `command`: the escape hatch. Runs `sh -c RUN` and checks its exit code
//! and output. The course author answers for keeping it read-only.
//!
//! ```yaml
//! command: { run: "getent group docker", exit_code: 0, stdout: "docker" }
//! ```

use super::matcher::{is_match, regex_problem};
use super::{Ctx, Probe};
use crate::course::Vars;
use crate::lang::Lang;
use crate::machine::ObserveError;
use crate::report::Outcome;
use crate::tr;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Command {
    /// A shell command line.
    pub run: String,
    #[serde(default)]
    pub exit_code: i32,
    /// A regex stdout must match.
    #[serde(default)]
    pub stdout: Option<String>,
    /// A regex stderr must match.
    #[serde(default)]
    pub stderr: Option<String>,
}

impl Probe for Command {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        let run = ctx.expand(&self.run);
        let Some(out) = ctx.machine.run("sh", &["-c", &run]).await? else {
            return Ok(Outcome::error(tr!(
                lang,
                "no `sh` on this machine",
                "这台机器上没有 `sh`"
            )));
        };
        let code = out.code.unwrap_or(-1);
        if code != self.exit_code {
            let said = out.stderr.trim().lines().last().unwrap_or("").to_string();
            return Ok(Outcome::fail(tr!(
                lang,
                "`{}` exited with {}",
                "`{}` 的退出码是 {}",
                run,
                code
            ))
            .expected(tr!(lang, "exit code {}", "退出码 {}", self.exit_code))
            .actual(if said.is_empty() {
                code.to_string()
            } else {
                format!("{code}: {said}")
            }));
        }
        for (stream, re, text) in [
            ("stdout", &self.stdout, &out.stdout),
            ("stderr", &self.stderr, &out.stderr),
        ] {
            if let Some(re) = re {
                if !is_match(re, text) {
                    let first: String = text.trim().chars().take(160).collect();
                    return Ok(Outcome::fail(tr!(
                        lang,
                        "the {} of `{}` does not match /{}/",
                        "`{}` 的 {} 不匹配 /{}/",
                        stream,
                        run,
                        re
                    ))
                    .expected(format!("/{re}/"))
                    .actual(first));
                }
            }
        }
        Ok(Outcome::pass(tr!(
            lang,
            "`{}` ran as expected",
            "`{}` 运行结果符合要求",
            run
        )))
    }

    fn lint(&self) -> Vec<String> {
        [("stdout", &self.stdout), ("stderr", &self.stderr)]
            .into_iter()
            .filter_map(|(field, re)| regex_problem(field, re.as_deref()))
            .collect()
    }

    fn describe(&self, vars: &Vars, lang: Lang) -> String {
        tr!(
            lang,
            "`{}` succeeds",
            "`{}` 运行成功",
            vars.expand(&self.run)
        )
    }
}
