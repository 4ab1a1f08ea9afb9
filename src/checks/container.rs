//! `container`: a container, found by name or by image, is in a state, exited
//! with a code, publishes ports, or logged something.
//!
//! ```yaml
//! container: { image: hello-world, state: exited, exit_code: 0, logs: "Hello from Docker!" }
//! container: { name: nginx_first, state: running, ports: ["80/tcp->80"] }
//! ```

use super::matcher::{is_match, regex_problem};
use super::reference::{self, normalize, short};
use super::{Ctx, Probe};
use crate::course::Vars;
use crate::lang::Lang;
use crate::machine::ObserveError;
use crate::report::Outcome;
use crate::tr;
use bollard::models::ContainerSummary;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Container {
    /// The container's name (`--name`).
    #[serde(default)]
    pub name: Option<String>,
    /// Or any container created from this image.
    #[serde(default)]
    pub image: Option<String>,
    /// Present (true, the default) or absent (false).
    #[serde(default = "yes")]
    pub present: bool,
    /// `running`, `exited`, `created`, `paused`, ...
    #[serde(default)]
    pub state: Option<String>,
    /// The exit code of an exited container.
    #[serde(default)]
    pub exit_code: Option<i64>,
    /// Published ports as `PRIVATE/PROTO->PUBLIC`, e.g. `80/tcp->80`.
    #[serde(default)]
    pub ports: Vec<String>,
    /// A regex its stdout/stderr (last 1000 lines) must match.
    #[serde(default)]
    pub logs: Option<String>,
    /// A path the container created or changed (`docker diff`), e.g. `/test`.
    #[serde(default)]
    pub changed: Option<String>,
}

fn yes() -> bool {
    true
}

fn published(c: &ContainerSummary) -> Vec<String> {
    c.ports
        .iter()
        .flatten()
        .filter_map(|p| {
            let proto = p.typ.map(|t| t.to_string()).unwrap_or_else(|| "tcp".into());
            p.public_port
                .map(|public| format!("{}/{proto}->{public}", p.private_port))
        })
        .collect()
}

impl Container {
    /// "container nginx_first" / "a container of image hello-world:latest".
    fn describe_target(&self, vars: &Vars, lang: Lang) -> String {
        match (&self.name, &self.image) {
            (Some(n), _) => tr!(lang, "container {}", "容器 {}", vars.expand(n)),
            (None, Some(i)) => tr!(
                lang,
                "a container of image {}",
                "镜像 {} 的容器",
                normalize(&vars.expand(i))
            ),
            _ => String::new(),
        }
    }

    /// Why `c` does not satisfy the conditions (None: it does).
    async fn mismatch(
        &self,
        ctx: &Ctx<'_>,
        c: &ContainerSummary,
    ) -> Result<Option<(String, String, String)>, ObserveError> {
        let lang = ctx.lang;
        let id = c.id.clone().unwrap_or_default();
        let state = c.state.map(|s| s.to_string()).unwrap_or_default();
        if let Some(want) = &self.state {
            if state != *want {
                return Ok(Some((
                    tr!(lang, "it is {}", "它的状态是 {}", state),
                    want.clone(),
                    state,
                )));
            }
        }
        if let Some(code) = self.exit_code {
            let got = ctx
                .machine
                .docker
                .inspect_container(&id)
                .await?
                .state
                .and_then(|s| s.exit_code)
                .unwrap_or(-1);
            if got != code {
                return Ok(Some((
                    tr!(lang, "it exited with code {}", "它的退出码是 {}", got),
                    code.to_string(),
                    got.to_string(),
                )));
            }
        }
        let ports = published(c);
        for want in &self.ports {
            if !ports.contains(want) {
                return Ok(Some((
                    tr!(lang, "port {} is not published", "没有发布端口 {}", want),
                    want.clone(),
                    ports.join(", "),
                )));
            }
        }
        if let Some(path) = &self.changed {
            let changes = ctx.machine.docker.changes(&id).await?;
            if !changes.iter().any(|c| c == path) {
                let shown: Vec<&str> = changes.iter().map(String::as_str).take(8).collect();
                return Ok(Some((
                    tr!(
                        lang,
                        "it did not create or change {}",
                        "它没有创建或修改 {}",
                        path
                    ),
                    path.clone(),
                    if shown.is_empty() {
                        lang.pick("no changes", "没有改动").to_string()
                    } else {
                        shown.join(", ")
                    },
                )));
            }
        }
        if let Some(re) = &self.logs {
            let logs = ctx.machine.docker.logs(&id, 1000).await?;
            if !is_match(re, &logs) {
                let tail: String = logs
                    .lines()
                    .rev()
                    .take(3)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect::<Vec<_>>()
                    .join(" / ");
                return Ok(Some((
                    tr!(
                        lang,
                        "its output does not match /{}/",
                        "它的输出不匹配 /{}/",
                        re
                    ),
                    format!("/{re}/"),
                    tail,
                )));
            }
        }
        Ok(None)
    }
}

impl Probe for Container {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        let name = self.name.as_deref().map(|n| ctx.expand(n));
        let image = self.image.as_deref().map(|i| normalize(&ctx.expand(i)));
        let image_id = match &image {
            Some(i) => reference::image_id(ctx, i).await?.map(|(id, _)| id),
            None => None,
        };
        let all = ctx.machine.docker.containers().await?;
        let candidates: Vec<&ContainerSummary> = all
            .iter()
            .filter(|c| match &name {
                Some(n) => c
                    .names
                    .iter()
                    .flatten()
                    .any(|x| x.trim_start_matches('/') == n),
                None => true,
            })
            .filter(|c| match &image {
                Some(i) => {
                    c.image.as_deref().map(normalize).as_deref() == Some(i.as_str())
                        || (image_id.is_some() && c.image_id == image_id)
                }
                None => true,
            })
            .collect();
        let what = self.describe_target(ctx.vars, lang);
        if candidates.is_empty() {
            let msg = tr!(lang, "there is no {}", "没有{}", what);
            return Ok(if self.present {
                Outcome::fail(msg)
                    .expected(tr!(lang, "{} exists", "{}存在", what))
                    .actual(tr!(lang, "none in `docker ps -a`", "`docker ps -a` 中没有"))
            } else {
                Outcome::pass(msg)
            });
        }
        if !self.present {
            let ids: Vec<&str> = candidates
                .iter()
                .filter_map(|c| c.id.as_deref())
                .map(short)
                .collect();
            return Ok(
                Outcome::fail(tr!(lang, "{} still exists", "{}仍然存在", what))
                    .expected(tr!(lang, "removed", "已删除"))
                    .actual(ids.join(", ")),
            );
        }
        let mut first_miss = None;
        for c in &candidates {
            match self.mismatch(ctx, c).await? {
                None => {
                    let id = short(c.id.as_deref().unwrap_or(""));
                    let state = c.state.map(|s| s.to_string()).unwrap_or_default();
                    return Ok(Outcome::pass(tr!(
                        lang,
                        "{} ({}) is {} as expected",
                        "{}（{}）状态为 {}，符合要求",
                        what,
                        id,
                        state
                    )));
                }
                Some(miss) => first_miss = first_miss.or(Some(miss)),
            }
        }
        let (why, expected, actual) = first_miss.unwrap_or_default();
        Ok(Outcome::fail(format!("{what}: {why}"))
            .expected(expected)
            .actual(actual))
    }

    fn lint(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.name.is_none() && self.image.is_none() {
            out.push("a container check needs `name` or `image`".to_string());
        }
        out.extend(regex_problem("logs", self.logs.as_deref()));
        out
    }

    fn describe(&self, vars: &Vars, lang: Lang) -> String {
        let mut s = self.describe_target(vars, lang);
        if let Some(st) = &self.state {
            s.push_str(&format!(": {st}"));
        }
        if let Some(code) = self.exit_code {
            s.push_str(&tr!(lang, ", exit code {}", "，退出码 {}", code));
        }
        for p in &self.ports {
            s.push_str(&tr!(lang, ", port {}", "，端口 {}", p));
        }
        if let Some(re) = &self.logs {
            s.push_str(&tr!(lang, ", output matching /{}/", "，输出匹配 /{}/", re));
        }
        if let Some(path) = &self.changed {
            s.push_str(&tr!(lang, ", {} created in it", "，其中创建了 {}", path));
        }
        s
    }
}
