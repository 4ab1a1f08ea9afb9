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
mod tests {
    use super::*;

    fn port(ip: &str, private: u16, public: Option<u16>, proto: &str) -> Port {
        Port {
            ip: ip.to_string(),
            private,
            public,
            proto: proto.to_string(),
        }
    }

    #[test]
    fn ports_read_as_docker_ps_shows_them_host_first_each_binding_once() {
        // `docker run -p 8080:80` on dockerd 20.10: an IPv4 and an IPv6 binding.
        let both = [
            port("::", 80, Some(8080), "tcp"),
            port("0.0.0.0", 80, Some(8080), "tcp"),
        ];
        assert_eq!(ps_ports(&both), "0.0.0.0:8080->80/tcp, :::8080->80/tcp");
        let same = [
            port("0.0.0.0", 80, Some(80), "tcp"),
            port("::", 80, Some(80), "tcp"),
        ];
        assert_eq!(ps_ports(&same), "0.0.0.0:80->80/tcp, :::80->80/tcp");
        assert_eq!(
            ps_ports(&[port("127.0.0.1", 80, Some(80), "tcp")]),
            "127.0.0.1:80->80/tcp"
        );
        // Exposed, not published (mysql:5.7): ranges of neighbours only.
        let exposed = [port("", 33060, None, "tcp"), port("", 3306, None, "tcp")];
        assert_eq!(ps_ports(&exposed), "3306/tcp, 33060/tcp");
        let range = [
            port("0.0.0.0", 81, Some(81), "tcp"),
            port("0.0.0.0", 80, Some(80), "tcp"),
            port("", 53, None, "udp"),
        ];
        assert_eq!(ps_ports(&range), "53/udp, 0.0.0.0:80-81->80-81/tcp");
        assert_eq!(ps_ports(&[]), "");
    }

    #[test]
    fn a_port_matches_any_host_address_of_its_mapping() {
        let both = [
            port("0.0.0.0", 80, Some(8080), "tcp"),
            port("::", 80, Some(8080), "tcp"),
        ];
        let want = |s| mapping(s).expect(s);
        assert!(publishes(&both, &want("8080->80/tcp")));
        assert!(!publishes(&both, &want("80->80/tcp")));
        assert!(!publishes(&both, &want("8080->80/udp")));
        assert_eq!(mapping("80/tcp->80"), None);
        assert_eq!(mapping("0->80/tcp"), None);
    }

    #[test]
    fn a_port_written_container_first_is_reported_with_its_rewrite() {
        let spec: Container =
            serde_yaml_ng::from_str(r#"{ name: web, ports: ["80/tcp->8080", "80"] }"#)
                .expect("spec");
        let problems = spec.lint();
        assert!(
            problems
                .iter()
                .any(|p| p.en.contains("write `8080->80/tcp`")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.en.contains("port `80` is not")),
            "{problems:?}"
        );
    }

    #[test]
    fn inspect_conditions_are_read_linted_and_described() {
        let c: Container = serde_yaml_ng::from_str(
            "{ image: 'centos:7', state: exited, inspect: [{ path: Config.Tty, equals: true }, { path: Config.OpenStdin }] }",
        )
        .expect("a container check");
        assert_eq!(c.inspect.len(), 2);
        let problems = c.lint();
        assert!(
            problems.iter().any(|p| p.en.contains("Config.OpenStdin")),
            "{problems:?}"
        );
        let said = c.describe(&Vars::default(), Lang::En);
        assert!(said.contains("; Config.Tty"), "{said}");
    }

    #[test]
    fn a_missing_container_is_said_in_plain_english() {
        let vars = Vars::default();
        let by_image: Container = serde_yaml_ng::from_str("{ image: hello-world }").expect("spec");
        assert_eq!(
            by_image.absent(&vars, Lang::En),
            "there is no container of image hello-world:latest"
        );
        let by_name: Container = serde_yaml_ng::from_str("{ name: web }").expect("spec");
        assert_eq!(by_name.absent(&vars, Lang::En), "there is no container web");
        assert_eq!(by_name.absent(&vars, Lang::ZhCn), "没有容器 web");
    }

    /// "No such container" needs the daemon's lists: without them no pass.
    #[test]
    fn a_container_that_must_be_gone_passes_only_on_the_daemons_list() {
        use crate::checks::testing::{assert_outcome, outcome};
        use crate::machine::Machine;
        use crate::report::Status;
        let by_name = "{ id: c, container: { name: web, present: false } }";
        let by_image = "{ id: c, container: { image: hello-world, present: false } }";
        for check in [by_name, by_image] {
            let o = outcome(check, &Machine::fake().build());
            assert_outcome(&o, Status::Error, "cannot reach the Docker daemon");
        }
        // The containers listed, but not the images (to know its id).
        let no_images = Machine::fake().containers(serde_json::json!([])).build();
        let o = outcome(by_image, &no_images);
        assert_outcome(&o, Status::Error, "cannot reach the Docker daemon");
        let empty = Machine::fake()
            .containers(serde_json::json!([]))
            .images(serde_json::json!([]))
            .events(vec![])
            .build();
        let o = outcome(by_image, &empty);
        assert_outcome(
            &o,
            Status::Pass,
            "there is no container of image hello-world:latest",
        );
        let there = Machine::fake()
            .containers(serde_json::json!([{"Id": "0123456789abcdef", "Names": ["/web"], "Image": "hello-world", "State": "exited"}]))
            .images(serde_json::json!([]))
            .events(vec![])
            .build();
        for check in [by_name, by_image] {
            let o = outcome(check, &there);
            assert_outcome(&o, Status::Fail, "still exists");
            assert_eq!(o.actual.as_deref(), Some("0123456789ab"));
        }
    }

    #[test]
    fn a_container_is_found_by_name_and_judged_on_its_state_and_ports() {
        use crate::checks::testing::{assert_outcome, outcome};
        use crate::machine::Machine;
        use crate::report::Status;
        let m = Machine::fake()
            .containers(serde_json::json!([{
                "Id": "0123456789abcdef", "Names": ["/web"], "Image": "nginx",
                "ImageID": "sha256:aa", "State": "running",
                "Ports": [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"}]
            }]))
            .build();
        let o = outcome(
            r#"{ id: c, container: { name: web, state: running, ports: ["8080->80/tcp"] } }"#,
            &m,
        );
        assert_outcome(&o, Status::Pass, "(0123456789ab) is running as expected");
        let o = outcome(
            r#"{ id: c, container: { name: web, ports: ["80->80/tcp"] } }"#,
            &m,
        );
        assert_outcome(&o, Status::Fail, "port 80->80/tcp is not published");
        assert_eq!(o.actual.as_deref(), Some("0.0.0.0:8080->80/tcp"));
        let o = outcome("{ id: c, container: { name: web, state: exited } }", &m);
        assert_outcome(&o, Status::Fail, "it is running");
        let o = outcome("{ id: c, container: { name: db } }", &m);
        assert_outcome(&o, Status::Fail, "there is no container db");
        // What `lab grade` keeps is the daemon's answer, not lab's view.
        let kept = crate::checks::testing::block_on(m.docker.containers_json()).expect("the list");
        assert!(kept.contains("\"PrivatePort\": 80"), "{kept}");
    }
}
