//! `daemon`: the Docker daemon answers (at DOCKER_HOST or --docker-host);
//! optionally a minimum server version and fields of `docker info`.
//!
//! ```yaml
//! daemon:
//!   min_version: "20.10"
//!   info:
//!     - { path: RegistryConfig.Mirrors, contains: "https://docker.m.daocloud.io/" }
//! ```

use super::docker_cli::{at_least, version_numbers};
use super::matcher::{self, FieldMatch};
use super::{Ctx, Probe};
use crate::course::Vars;
use crate::lang::Lang;
use crate::machine::ObserveError;
use crate::report::Outcome;
use crate::tr;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Daemon {
    /// The oldest acceptable server (Engine) version.
    #[serde(default)]
    pub min_version: Option<String>,
    /// Conditions on `docker info` fields (the API's names: `ServerVersion`,
    /// `Driver`, `RegistryConfig.Mirrors`, `Images`, ...).
    #[serde(default)]
    pub info: Vec<FieldMatch>,
}

impl Probe for Daemon {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        let docker = &ctx.machine.docker;
        // From `docker info` (ServerVersion), not `docker version`: dockerd
        // runs `runc --version` and `docker-init --version` for either, so
        // one answer serves this and the info fields (and the
        // registry_mirrors check) for the price of one.
        let info = docker.info().await?;
        let version = info.server_version.clone().unwrap_or_default();
        if let Some(min) = &self.min_version {
            // No version, or none lab can read, is not an old one.
            if version_numbers(&version).is_empty() {
                let gave = if version.is_empty() {
                    lang.pick("no version", "没有给出版本").to_string()
                } else {
                    tr!(lang, "its version as `{}`", "给出的版本是 `{}`", version)
                };
                return Ok(Outcome::error(tr!(
                    lang,
                    "lab cannot tell whether the Docker daemon is {} or newer: `docker info` gives {}",
                    "lab 无法判断 Docker 守护进程的版本是否不低于 {}：`docker info` {}",
                    min,
                    gave
                )));
            }
            if !at_least(&version, min) {
                return Ok(Outcome::fail(tr!(
                    lang,
                    "the Docker daemon {} is older than {}",
                    "Docker 守护进程 {} 比 {} 旧",
                    version,
                    min
                ))
                .expected(format!(">= {min}"))
                .actual(version));
            }
        }
        let mut found = Vec::new();
        if !self.info.is_empty() {
            match matcher::check_all(&self.info, &info.document, "`docker info`", lang) {
                Ok(seen) => found.extend(seen),
                Err(failed) => return Ok(*failed),
            }
        }
        let mut msg = tr!(
            lang,
            "the Docker daemon {} answers at {}",
            "Docker 守护进程 {} 在 {} 上响应",
            version,
            docker.label()
        );
        if !found.is_empty() {
            msg = format!("{msg}; {}", found.join("; "));
        }
        Ok(Outcome::pass(msg))
    }

    fn lint(&self) -> Vec<crate::lang::Text> {
        self.info.iter().flat_map(FieldMatch::lint).collect()
    }

    fn describe(&self, _: &Vars, lang: Lang) -> String {
        let mut s = tr!(lang, "the Docker daemon answers", "Docker 守护进程能够响应");
        if let Some(v) = &self.min_version {
            s.push_str(&tr!(lang, ", version {} or newer", "，版本不低于 {}", v));
        }
        for f in &self.info {
            s.push_str(&format!("; `docker info`: {}", f.path));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::{assert_outcome, outcome};
    use crate::machine::Machine;
    use crate::report::Status;
    use serde_json::json;

    fn daemon(version: &str) -> Machine {
        Machine::fake()
            .docker_info(json!({
                "ServerVersion": version,
                "RegistryConfig": { "Mirrors": ["https://m.example/"] }
            }))
            .build()
    }

    #[test]
    fn a_daemon_that_answers_passes_with_its_version() {
        let o = outcome("{ id: d, daemon: {} }", &daemon("20.10.24"));
        assert_outcome(
            &o,
            Status::Pass,
            "the Docker daemon 20.10.24 answers at unix:///nonexistent/docker.sock",
        );
        let mirrors = r#"{ id: d, daemon: { info: [{ path: RegistryConfig.Mirrors, contains: "https://m.example/" }] } }"#;
        let o = outcome(mirrors, &daemon("20.10.24"));
        assert_outcome(&o, Status::Pass, "20.10.24 answers");
    }

    #[test]
    fn an_older_daemon_or_a_missing_info_field_fails() {
        let o = outcome(
            r#"{ id: d, daemon: { min_version: "23.0" } }"#,
            &daemon("20.10.24"),
        );
        assert_outcome(
            &o,
            Status::Fail,
            "the Docker daemon 20.10.24 is older than 23.0",
        );
        assert_eq!(o.expected.as_deref(), Some(">= 23.0"));
        let o = outcome(
            r#"{ id: d, daemon: { min_version: "20.10" } }"#,
            &daemon("20.10.24"),
        );
        assert_eq!(o.status, Status::Pass, "{o:?}");
        let other = r#"{ id: d, daemon: { info: [{ path: RegistryConfig.Mirrors, contains: "https://other/" }] } }"#;
        let o = outcome(other, &daemon("20.10.24"));
        assert_eq!(o.status, Status::Fail, "{o:?}");
        assert!(
            o.message.contains("RegistryConfig.Mirrors"),
            "{}",
            o.message
        );
    }

    /// A daemon that gives no version (or one lab cannot read) is not
    /// older than the minimum: it failed as "the Docker daemon  is older".
    #[test]
    fn a_daemon_version_lab_cannot_read_is_no_verdict_on_its_age() {
        let min = r#"{ id: d, daemon: { min_version: "20.10" } }"#;
        let none = Machine::fake().docker_info(json!({"ID": "abc"})).build();
        let o = outcome(min, &none);
        assert_outcome(
            &o,
            Status::Error,
            "lab cannot tell whether the Docker daemon is 20.10 or newer: `docker info` gives no version",
        );
        let o = outcome(min, &daemon("dev"));
        assert_outcome(&o, Status::Error, "gives its version as `dev`");
        let o = outcome("{ id: d, daemon: {} }", &none);
        assert_eq!(o.status, Status::Pass, "it answers: {o:?}");
    }

    #[test]
    fn no_daemon_is_an_error_with_the_commands_of_the_machines_init() {
        let o = outcome("{ id: d, daemon: {} }", &Machine::fake().build());
        assert_outcome(&o, Status::Error, "cannot reach the Docker daemon");
        assert!(
            o.message.contains("`sudo systemctl start docker`"),
            "{}",
            o.message
        );
        let o = outcome(
            "{ id: d, daemon: {} }",
            &Machine::fake().systemd(false).build(),
        );
        assert!(
            o.message.contains("`sudo service docker start`"),
            "{}",
            o.message
        );
    }
}
