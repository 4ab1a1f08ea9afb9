//! `service`: a systemd unit is active and/or enabled. On a machine without
//! systemd (a container, WSL 1, some CI), the check is skipped with the
//! reason, never failed.
//!
//! ```yaml
//! service: { name: docker, active: true, enabled: true }
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
pub struct Service {
    /// The unit name, `docker` or `ssh`.
    pub name: String,
    /// `systemctl is-active` says active (true) or not (false).
    #[serde(default = "yes")]
    pub active: bool,
    /// `systemctl is-enabled` says enabled (true) or not (false); not
    /// checked when absent.
    #[serde(default)]
    pub enabled: Option<bool>,
}

fn yes() -> bool {
    true
}

/// The word `systemctl VERB NAME` prints (`active`, `inactive`, `failed`,
/// `enabled`...); else the outcome that says lab could not ask, never a
/// verdict on an empty answer (`active: false` would pass on it).
async fn systemctl(
    ctx: &Ctx<'_>,
    verb: &str,
    name: &str,
) -> Result<Result<String, Outcome>, ObserveError> {
    let lang = ctx.lang;
    let Some(out) = ctx.machine.exec("systemctl", &[verb, name]).await? else {
        return Ok(Err(Outcome::error(tr!(
            lang,
            "systemd runs here but `systemctl` is not installed, so lab cannot ask about the {} service",
            "这台机器运行 systemd，但没有安装 `systemctl`，lab 无法查询 {} 服务",
            name
        ))));
    };
    let word = out.stdout.trim();
    if word.is_empty() {
        return Ok(Err(Outcome::error(tr!(
            lang,
            "`systemctl {} {}` answered nothing ({}), so lab cannot tell",
            "`systemctl {} {}` 没有给出答案（{}），lab 无法判断",
            verb,
            name,
            match out.stderr.trim() {
                "" => lang.pick("no message", "没有消息").to_string(),
                e => e.to_string(),
            }
        ))));
    }
    Ok(Ok(word.to_string()))
}

impl Probe for Service {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        let name = ctx.expand(&self.name);
        if !ctx.machine.has_systemd() {
            // A skip has no hint: the reason says what to do instead.
            return Ok(Outcome::skip(tr!(
                lang,
                "this machine does not run systemd, so lab cannot ask whether the {} service runs and starts at boot (not verified, no points); `sudo service {} status` shows whether it runs, and `sudo service {} start` starts it",
                "这台机器没有运行 systemd，lab 无法查询 {} 服务是否在运行、是否开机自启（无法验证，不计分）；用 `sudo service {} status` 查看它是否在运行，用 `sudo service {} start` 启动它",
                name,
                name,
                name
            )));
        }
        let state = match systemctl(ctx, "is-active", &name).await? {
            Ok(s) => s,
            Err(cannot) => return Ok(cannot),
        };
        if (state == "active") != self.active {
            let want = if self.active { "active" } else { "inactive" };
            return Ok(Outcome::fail(tr!(
                lang,
                "the {} service is {}",
                "{} 服务的状态是 {}",
                name,
                state
            ))
            .expected(want)
            .actual(state));
        }
        if let Some(enabled) = self.enabled {
            let boot = match systemctl(ctx, "is-enabled", &name).await? {
                Ok(s) => s,
                Err(cannot) => return Ok(cannot),
            };
            if (boot == "enabled") != enabled {
                let want = if enabled { "enabled" } else { "disabled" };
                return Ok(Outcome::fail(tr!(
                    lang,
                    "the {} service is {} at boot",
                    "{} 服务的开机启动状态是 {}",
                    name,
                    boot
                ))
                .expected(want)
                .actual(boot));
            }
        }
        Ok(Outcome::pass(tr!(
            lang,
            "the {} service is {}",
            "{} 服务状态为 {}",
            name,
            state
        )))
    }

    fn describe(&self, vars: &Vars, lang: Lang) -> String {
        let name = vars.expand(&self.name);
        match self.enabled {
            Some(true) => tr!(
                lang,
                "the {} service is running and starts at boot",
                "{} 服务正在运行并且开机自启",
                name
            ),
            _ => tr!(lang, "the {} service is running", "{} 服务正在运行", name),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::{assert_outcome, outcome};
    use crate::machine::Machine;
    use crate::report::Status;

    const DOCKER: &str = "{ id: s, service: { name: docker, enabled: true } }";

    fn systemctl(active: &str, enabled: &str) -> Machine {
        Machine::fake()
            .command(
                &["systemctl", "is-active", "docker"],
                0,
                &format!("{active}\n"),
            )
            .command(
                &["systemctl", "is-enabled", "docker"],
                0,
                &format!("{enabled}\n"),
            )
            .build()
    }

    #[test]
    fn an_active_enabled_service_passes() {
        let o = outcome(DOCKER, &systemctl("active", "enabled"));
        assert_outcome(&o, Status::Pass, "the docker service is active");
    }

    #[test]
    fn an_inactive_or_disabled_service_fails_saying_which() {
        let o = outcome(DOCKER, &systemctl("inactive", "enabled"));
        assert_outcome(&o, Status::Fail, "the docker service is inactive");
        assert_eq!(
            (o.expected.as_deref(), o.actual.as_deref()),
            (Some("active"), Some("inactive"))
        );
        let o = outcome(DOCKER, &systemctl("active", "disabled"));
        assert_outcome(&o, Status::Fail, "the docker service is disabled at boot");
        assert_eq!(o.expected.as_deref(), Some("enabled"));
        let stopped = "{ id: s, service: { name: docker, active: false } }";
        let o = outcome(stopped, &systemctl("inactive", "enabled"));
        assert_outcome(&o, Status::Pass, "the docker service is inactive");
    }

    #[test]
    fn without_systemd_it_is_skipped_with_the_service_commands() {
        let m = Machine::fake().systemd(false).build();
        let o = outcome(DOCKER, &m);
        assert_outcome(&o, Status::Skip, "this machine does not run systemd");
        assert!(
            o.message.contains("`sudo service docker status`"),
            "{}",
            o.message
        );
    }

    #[test]
    fn without_systemctl_or_its_answer_lab_cannot_tell_and_says_so() {
        let stopped = "{ id: s, service: { name: docker, active: false } }";
        let m = Machine::fake().not_installed("systemctl").build();
        for check in [DOCKER, stopped] {
            let o = outcome(check, &m);
            assert_outcome(&o, Status::Error, "`systemctl` is not installed");
        }
        let m = Machine::fake()
            .command_err(
                &["systemctl", "is-active", "docker"],
                1,
                "",
                "Failed to connect to bus: No such file or directory\n",
            )
            .build();
        for check in [DOCKER, stopped] {
            let o = outcome(check, &m);
            assert_outcome(&o, Status::Error, "Failed to connect to bus");
        }
    }
}
