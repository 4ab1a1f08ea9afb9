//! `container`: a container, found by name or by image, is in a state, exited
//! with a code, publishes ports, or logged something.
//!
//! ```yaml
//! container: { image: hello-world, state: exited, exit_code: 0, logs: "Hello from Docker!" }
//! container: { name: nginx_first, state: running, ports: ["80->80/tcp"] }
//! container: { image: centos, state: exited, inspect: [{ path: Config.Tty, equals: true }] }
//! ```

use super::matcher::{self, in_words, is_match, regex_problem, shows_problem, FieldMatch};
use super::reference::{self, normalize, short};
use super::{Ctx, Probe};
use crate::course::Vars;
use crate::lang::Lang;
use crate::machine::{Container as Listed, ObserveError, Port};
use crate::report::Outcome;
use crate::tr;
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
    /// Published ports as `docker ps` shows them, without the address:
    /// `HOST->CONTAINER/PROTO`, e.g. `8080->80/tcp` (host port 8080 leads
    /// to the container's port 80/tcp, on any host address).
    #[serde(default)]
    pub ports: Vec<String>,
    /// A regex its stdout/stderr (last 1000 lines) must match.
    #[serde(default)]
    pub logs: Option<String>,
    /// What `logs` looks for, in words, for the learner (`{ en, zh-CN }`):
    /// lab never shows the regex. Required unless `logs` is plain text.
    #[serde(default)]
    pub shows: Option<crate::lang::Text>,
    /// A path the container created or changed (`docker diff`), e.g. `/test`.
    #[serde(default)]
    pub changed: Option<String>,
    /// Conditions on `docker container inspect` fields, e.g. `Config.Tty`
    /// and `Config.OpenStdin` for a container started with `-it`.
    #[serde(default)]
    pub inspect: Vec<FieldMatch>,
}

fn yes() -> bool {
    true
}

/// A `ports` entry: `HOST->CONTAINER/PROTO`, e.g. `8080->80/tcp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Mapping<'a> {
    host: u16,
    container: u16,
    proto: &'a str,
}

fn mapping(s: &str) -> Option<Mapping<'_>> {
    let (host, rest) = s.trim().split_once("->")?;
    let (container, proto) = rest.split_once('/')?;
    let port = |p: &str| p.parse::<u16>().ok().filter(|n| *n > 0);
    matches!(proto, "tcp" | "udp" | "sctp").then_some(())?;
    Some(Mapping {
        host: port(host)?,
        container: port(container)?,
        proto,
    })
}

/// Whether a binding of `ports` (any host address) is `want`.
fn publishes(ports: &[Port], want: &Mapping) -> bool {
    ports.iter().any(|p| {
        p.public == Some(want.host) && p.private == want.container && p.proto == want.proto
    })
}

/// The PORTS column of `docker ps` (docker 20.10's formatter): sorted by
/// container port, then address, host port and protocol; a port published
/// on the same number, or not published, joins its neighbours in a range
/// (`0.0.0.0:80-81->80-81/tcp`, `3306/tcp, 33060/tcp`); IPv4 and IPv6
/// bindings each shown once (`0.0.0.0:8080->80/tcp, :::8080->80/tcp`).
pub fn ps_ports(ports: &[Port]) -> String {
    let mut sorted: Vec<(u16, String, u16, String)> = ports
        .iter()
        .map(|p| {
            (
                p.private,
                p.ip.clone(),
                p.public.unwrap_or(0),
                p.proto.clone(),
            )
        })
        .collect();
    sorted.sort();
    // Groups in the order their keys first appear, as docker keeps them.
    let mut keys: Vec<String> = Vec::new();
    let mut groups: std::collections::HashMap<String, (u16, u16)> = Default::default();
    let mut result = Vec::new();
    let mut host_mappings = Vec::new();
    let form = |key: &str, first: u16, last: u16| {
        let (ip, typ) = match key.split_once('/') {
            Some((ip, typ)) => (ip, typ),
            None => ("", key),
        };
        let range = if first == last {
            first.to_string()
        } else {
            format!("{first}-{last}")
        };
        if ip.is_empty() {
            format!("{range}/{typ}")
        } else {
            format!("{ip}:{range}->{range}/{typ}")
        }
    };
    for (private, ip, public, typ) in &sorted {
        let key = if ip.is_empty() {
            typ.clone()
        } else if public != private {
            host_mappings.push(format!("{ip}:{public}->{private}/{typ}"));
            continue;
        } else {
            format!("{ip}/{typ}")
        };
        match groups.get_mut(&key) {
            None => {
                groups.insert(key.clone(), (*private, *private));
                keys.push(key);
            }
            Some(g) if u32::from(*private) == u32::from(g.1) + 1 => g.1 = *private,
            Some(g) => {
                result.push(form(&key, g.0, g.1));
                *g = (*private, *private);
            }
        }
    }
    for key in &keys {
        let (first, last) = groups[key];
        result.push(form(key, first, last));
    }
    result.extend(host_mappings);
    result.join(", ")
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

    /// "there is no container nginx_first" / "there is no container of
    /// image hello-world:latest".
    fn absent(&self, vars: &Vars, lang: Lang) -> String {
        match (&self.name, &self.image) {
            (Some(n), _) => tr!(
                lang,
                "there is no container {}",
                "没有容器 {}",
                vars.expand(n)
            ),
            (None, Some(i)) => tr!(
                lang,
                "there is no container of image {}",
                "没有镜像 {} 的容器",
                normalize(&vars.expand(i))
            ),
            _ => lang.pick("there is no container", "没有容器").to_string(),
        }
    }

    /// Why `c` does not satisfy the conditions (None: it does).
    async fn mismatch(
        &self,
        ctx: &Ctx<'_>,
        c: &Listed,
    ) -> Result<Option<(String, String, String)>, ObserveError> {
        let lang = ctx.lang;
        let id = c.id.clone();
        let state = c.state.clone();
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
                .exit_code
                .unwrap_or(-1);
            if got != code {
                return Ok(Some((
                    tr!(lang, "it exited with code {}", "它的退出码是 {}", got),
                    code.to_string(),
                    got.to_string(),
                )));
            }
        }
        let ports = c.ports.as_slice();
        for want in &self.ports {
            if !mapping(want).is_some_and(|m| publishes(ports, &m)) {
                let shown = ps_ports(ports);
                return Ok(Some((
                    tr!(lang, "port {} is not published", "没有发布端口 {}", want),
                    want.clone(),
                    if shown.is_empty() {
                        lang.pick(
                            "no ports (`docker ps` shows none)",
                            "没有端口（`docker ps` 中为空）",
                        )
                        .to_string()
                    } else {
                        shown
                    },
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
        if !self.inspect.is_empty() {
            let doc = ctx.machine.docker.inspect_container(&id).await?.document;
            let what = format!("`docker inspect {}`", short(&id));
            if let Err(failed) = matcher::check_all(&self.inspect, &doc, &what, lang) {
                let why = failed.message.clone();
                return Ok(Some((
                    why,
                    failed.expected.clone().unwrap_or_default(),
                    failed.actual.clone().unwrap_or_default(),
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
                        "its output does not show {}",
                        "它的输出中没有 {}",
                        in_words(self.shows.as_ref(), re, lang)
                    ),
                    in_words(self.shows.as_ref(), re, lang),
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
        let candidates: Vec<&Listed> = all
            .iter()
            .filter(|c| match &name {
                Some(n) => c.names.iter().any(|x| x.trim_start_matches('/') == n),
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
            let msg = self.absent(ctx.vars, lang);
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
                .map(|c| c.id.as_str())
                .filter(|id| !id.is_empty())
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
                    let id = short(&c.id);
                    let state = &c.state;
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

    fn lint(&self) -> Vec<crate::lang::Text> {
        let mut out = Vec::new();
        if self.name.is_none() && self.image.is_none() {
            out.push(crate::text!(
                "a container check needs `name` or `image`",
                "容器检查需要 `name` 或 `image`"
            ));
        }
        out.extend(regex_problem("logs", self.logs.as_deref()));
        out.extend(self.inspect.iter().flat_map(FieldMatch::lint));
        out.extend(shows_problem(
            "logs",
            self.logs.as_deref(),
            self.shows.as_ref(),
            "shows",
        ));
        for p in &self.ports {
            if mapping(p).is_some() {
                continue;
            }
            // The order lab once used: `80/tcp->8080`.
            let old = p
                .split_once("->")
                .and_then(|(c, h)| {
                    c.split_once('/')
                        .map(|(c, proto)| format!("{h}->{c}/{proto}"))
                })
                .filter(|new| mapping(new).is_some());
            out.push(match old {
                Some(new) => crate::text!("port `{}` is written container first: write `{}`, host port first, as `docker ps` shows it", "端口 `{}` 把容器端口写在了前面：请写成 `{}`，宿主机端口在前，和 `docker ps` 的显示一致", p, new),
                None => crate::text!("port `{}` is not `HOST->CONTAINER/PROTO` as `docker ps` shows it, e.g. `8080->80/tcp`", "端口 `{}` 不是 `docker ps` 显示的 `宿主机端口->容器端口/协议` 格式，例如 `8080->80/tcp`", p),
            });
        }
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
            s.push_str(&tr!(lang, ", port {} published", "，发布端口 {}", p));
        }
        if let Some(re) = &self.logs {
            let want = in_words(self.shows.as_ref(), re, lang);
            s.push_str(&tr!(lang, ", its output showing {}", "，输出中有 {}", want));
        }
        if let Some(path) = &self.changed {
            s.push_str(&tr!(lang, ", {} created in it", "，其中创建了 {}", path));
        }
        for f in &self.inspect {
            s.push_str(&format!("; {}", f.path));
        }
        s
    }
}

#[cfg(test)]
mod tests;
