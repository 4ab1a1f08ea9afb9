//! `command`: the escape hatch. Runs `sh -c RUN` and checks its exit code
//! and output. The course author answers for keeping it read-only.
//!
//! ```yaml
//! command: { run: "getent group docker", exit_code: 0, stdout: "docker" }
//! ```

use super::matcher::{in_words, is_match, regex_problem, shows_problem};
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
    /// What `stdout` looks for, in words, for the learner (`{ en, zh-CN }`):
    /// lab never shows the regex. Required unless `stdout` is plain text.
    #[serde(default)]
    pub shows: Option<crate::lang::Text>,
    /// What `stderr` looks for, in words, as `shows`.
    #[serde(default)]
    pub shows_stderr: Option<crate::lang::Text>,
}

impl Probe for Command {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        let run = ctx.expand(&self.run);
        let Some(out) = ctx.machine.exec("sh", &["-c", &run]).await? else {
            return Ok(Outcome::error(tr!(
                lang,
                "no `sh` on this machine",
                "这台机器上没有 `sh`"
            )));
        };
        // Killed by a signal (sh itself: a command it runs that is killed
        // gives 128+n): no exit code to judge, whatever `exit_code` is.
        let Some(code) = out.code else {
            return Ok(Outcome::error(tr!(
                lang,
                "`{}` was killed by a signal before it exited, so lab cannot tell its exit code",
                "`{}` 在退出前被信号终止，lab 无法得知它的退出码",
                run
            )));
        };
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
        for (stream, re, text, shows) in [
            ("stdout", &self.stdout, &out.stdout, &self.shows),
            ("stderr", &self.stderr, &out.stderr, &self.shows_stderr),
        ] {
            if let Some(re) = re {
                if !is_match(re, text) {
                    let first: String = text.trim().chars().take(160).collect();
                    let want = in_words(shows.as_ref(), re, lang);
                    return Ok(Outcome::fail(tr!(
                        lang,
                        "the {} of `{}` does not show {}",
                        "`{1}` 的 {0} 中没有 {2}",
                        stream,
                        run,
                        want
                    ))
                    .expected(want)
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

    fn lint(&self) -> Vec<crate::lang::Text> {
        let words = [
            shows_problem(
                "stdout",
                self.stdout.as_deref(),
                self.shows.as_ref(),
                "shows",
            ),
            shows_problem(
                "stderr",
                self.stderr.as_deref(),
                self.shows_stderr.as_ref(),
                "shows_stderr",
            ),
        ];
        [("stdout", &self.stdout), ("stderr", &self.stderr)]
            .into_iter()
            .filter_map(|(field, re)| regex_problem(field, re.as_deref()))
            .chain(words.into_iter().flatten())
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

#[cfg(test)]
mod tests {
    use crate::checks::testing::{assert_outcome, outcome, outcome_with};
    use crate::lang::Lang;
    use crate::machine::Machine;
    use crate::report::Status;

    const GROUP: &str = r#"{ id: c, command: { run: "getent group docker", stdout: "docker" } }"#;
    const SH: [&str; 3] = ["sh", "-c", "getent group docker"];

    #[test]
    fn a_command_passes_on_its_exit_code_and_output() {
        let m = Machine::fake()
            .command(&SH, 0, "docker:x:999:ada\n")
            .build();
        let o = outcome(GROUP, &m);
        assert_outcome(&o, Status::Pass, "`getent group docker` ran as expected");
    }

    #[test]
    fn another_exit_code_fails_with_the_last_line_of_stderr() {
        let m = Machine::fake()
            .command_err(&SH, 2, "", "getent: warming up\ngetent: no such group\n")
            .build();
        let o = outcome(GROUP, &m);
        assert_outcome(&o, Status::Fail, "`getent group docker` exited with 2");
        assert_eq!(o.expected.as_deref(), Some("exit code 0"));
        assert_eq!(o.actual.as_deref(), Some("2: getent: no such group"));
        let zh = outcome_with(GROUP, &m, Lang::ZhCn, &Default::default());
        assert_outcome(&zh, Status::Fail, "`getent group docker` 的退出码是 2");
    }

    #[test]
    fn output_without_what_is_looked_for_fails_showing_what_was_printed() {
        let m = Machine::fake().command(&SH, 0, "ada:x:1000:\n").build();
        let o = outcome(GROUP, &m);
        assert_outcome(
            &o,
            Status::Fail,
            "the stdout of `getent group docker` does not show",
        );
        assert_eq!(o.actual.as_deref(), Some("ada:x:1000:"));
        let on_stderr = r#"{ id: c, command: { run: "getent group docker", stderr: "warning" } }"#;
        let o = outcome(on_stderr, &m);
        assert_outcome(&o, Status::Fail, "the stderr of `getent group docker`");
    }

    /// No exit code (sh killed by a signal) is no verdict, even for a check
    /// that wants -1, what "no code" used to be taken for.
    #[test]
    fn a_command_killed_by_a_signal_has_no_exit_code_to_judge() {
        let m = Machine::fake().killed(&SH, "docker:x:999:ada\n").build();
        let minus_one = r#"{ id: c, command: { run: "getent group docker", exit_code: -1 } }"#;
        for check in [GROUP, minus_one] {
            let o = outcome(check, &m);
            assert_outcome(&o, Status::Error, "was killed by a signal before it exited");
        }
    }

    #[test]
    fn a_machine_without_sh_is_an_error_not_a_failure() {
        let m = Machine::fake().not_installed("sh").build();
        let o = outcome(GROUP, &m);
        assert_outcome(&o, Status::Error, "no `sh` on this machine");
    }
}
