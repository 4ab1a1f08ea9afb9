//! `registry_mirrors`: daemon.json declares registry mirrors that are
//! http(s) URLs, and (with `loaded: true`) the running daemon has loaded
//! exactly those, which it only does after a restart.
//!
//! ```yaml
//! registry_mirrors: { file: "${daemon_json}", loaded: true }
//! ```

use super::json_file;
use super::{Ctx, Probe};
use crate::course::Vars;
use crate::lang::Lang;
use crate::machine::ObserveError;
use crate::report::Outcome;
use crate::tr;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryMirrors {
    /// The daemon configuration file, usually `${daemon_json}`.
    pub file: String,
    /// Also compare with what the daemon reports in `docker info`.
    #[serde(default)]
    pub loaded: bool,
}

/// Top-level keys dockerd knows (Docker 20.10 to 28); others are reported
/// as warnings, since dockerd refuses to start with a key it does not know.
const KNOWN_KEYS: &[&str] = &[
    "allow-nondistributable-artifacts",
    "api-cors-header",
    "authorization-plugins",
    "bip",
    "bridge",
    "builder",
    "cgroup-parent",
    "containerd",
    "containerd-namespace",
    "containerd-plugin-namespace",
    "data-root",
    "debug",
    "default-address-pools",
    "default-cgroupns-mode",
    "default-gateway",
    "default-gateway-v6",
    "default-ipc-mode",
    "default-network-opts",
    "default-runtime",
    "default-shm-size",
    "default-ulimits",
    "dns",
    "dns-opts",
    "dns-search",
    "exec-opts",
    "exec-root",
    "experimental",
    "features",
    "fixed-cidr",
    "fixed-cidr-v6",
    "group",
    "hosts",
    "http-proxy",
    "https-proxy",
    "icc",
    "init",
    "init-path",
    "insecure-registries",
    "ip",
    "ip-forward",
    "ip-masq",
    "ip6tables",
    "iptables",
    "ipv6",
    "labels",
    "live-restore",
    "log-driver",
    "log-format",
    "log-level",
    "log-opts",
    "max-concurrent-downloads",
    "max-concurrent-uploads",
    "max-download-attempts",
    "metrics-addr",
    "mtu",
    "no-new-privileges",
    "no-proxy",
    "node-generic-resources",
    "oom-score-adjust",
    "pidfile",
    "proxies",
    "raw-logs",
    "registry-mirrors",
    "runtimes",
    "seccomp-profile",
    "selinux-enabled",
    "shutdown-timeout",
    "storage-driver",
    "storage-opts",
    "swarm-default-advertise-addr",
    "tls",
    "tlscacert",
    "tlscert",
    "tlskey",
    "tlsverify",
    "userland-proxy",
    "userland-proxy-path",
    "userns-remap",
];

/// dockerd's own form of a mirror: scheme, host, and a trailing slash.
pub fn normalize_mirror(url: &str) -> String {
    let u = url.trim();
    if u.ends_with('/') {
        u.to_string()
    } else {
        format!("{u}/")
    }
}

/// Why a mirror is not one dockerd accepts, if it is not.
fn mirror_problem(url: &str, lang: crate::lang::Lang) -> Option<String> {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return Some(tr!(
            lang,
            "`{}` does not start with https:// or http://",
            "`{}` 没有以 https:// 或 http:// 开头",
            url
        ));
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if host.is_empty() || host.contains(char::is_whitespace) || url.contains(char::is_whitespace) {
        return Some(tr!(
            lang,
            "`{}` has no host name, or contains spaces",
            "`{}` 缺少主机名，或包含空格",
            url
        ));
    }
    if !path.is_empty() || url.contains(['?', '#']) {
        return Some(tr!(lang, "`{}` has a path after the host; a mirror is just scheme and host, like https://docker.m.daocloud.io", "`{}` 在主机名后面还有路径；镜像加速地址只包含协议和主机名，例如 https://docker.m.daocloud.io", url));
    }
    None
}

impl Probe for RegistryMirrors {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        let path = ctx.expand(&self.file);
        let parsed = match json_file::load(ctx, &path).await? {
            Ok(p) => p,
            Err(failed) => return Ok(failed),
        };
        let mut warnings = parsed.warnings;
        if let Value::Object(map) = &parsed.value {
            for key in map.keys().filter(|k| !KNOWN_KEYS.contains(&k.as_str())) {
                warnings.push(tr!(lang,
                    "{}: unknown key `{}`: dockerd refuses to start with a key it does not know (a typo of registry-mirrors?)",
                    "{}：未知的键 `{}`：dockerd 遇到不认识的键会拒绝启动（是不是把 registry-mirrors 拼错了？）", path, key));
            }
        }
        let mirrors: Vec<String> = match parsed.value.get("registry-mirrors") {
            Some(Value::Array(items))
                if !items.is_empty() && items.iter().all(Value::is_string) =>
            {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            }
            other => {
                let actual = other.map(|v| v.to_string()).unwrap_or_else(|| {
                    tr!(
                        lang,
                        "no \"registry-mirrors\" key",
                        "没有 \"registry-mirrors\" 键"
                    )
                });
                let mut o = Outcome::fail(tr!(
                    lang,
                    "{} declares no registry mirrors",
                    "{} 中没有配置镜像加速地址",
                    path
                ))
                .expected(tr!(
                    lang,
                    "\"registry-mirrors\": a list of one or more URLs in double quotes",
                    "\"registry-mirrors\"：包含一个或多个用双引号括起来的地址的列表"
                ))
                .actual(actual);
                o.warnings = warnings;
                return Ok(o);
            }
        };
        let problems: Vec<String> = mirrors
            .iter()
            .filter_map(|m| mirror_problem(m, lang))
            .collect();
        if !problems.is_empty() {
            let mut o = Outcome::fail(problems.join("; "))
                .expected(tr!(
                    lang,
                    "every mirror is an http(s) URL",
                    "每个镜像加速地址都是 http(s) 网址"
                ))
                .actual(mirrors.join(", "));
            o.warnings = warnings;
            return Ok(o);
        }
        let declared: Vec<String> = mirrors.iter().map(|m| normalize_mirror(m)).collect();
        let mut o = if self.loaded {
            let loaded: Vec<String> = ctx
                .machine
                .docker
                .info()
                .await?
                .registry_config
                .as_ref()
                .and_then(|r| r.mirrors.clone())
                .unwrap_or_default()
                .iter()
                .map(|m| normalize_mirror(m))
                .collect();
            if loaded == declared {
                Outcome::pass(tr!(
                    lang,
                    "the daemon has loaded the mirrors of {}: {}",
                    "守护进程已加载 {} 中的镜像加速地址：{}",
                    path,
                    loaded.join(", ")
                ))
            } else {
                Outcome::fail(tr!(lang,
                    "the daemon is not using the mirrors in {}: the file was changed but the daemon not restarted (or it failed to restart); run `sudo systemctl daemon-reload && sudo systemctl restart docker`",
                    "守护进程没有使用 {} 中的镜像加速地址：文件修改后没有重启守护进程（或重启失败）；请运行 `sudo systemctl daemon-reload && sudo systemctl restart docker`", path))
                .expected(declared.join(", "))
                .actual(if loaded.is_empty() { tr!(lang, "(no mirrors loaded)", "（未加载任何镜像加速地址）") } else { loaded.join(", ") })
            }
        } else {
            Outcome::pass(tr!(
                lang,
                "{} declares {} mirror(s): {}",
                "{} 配置了 {} 个镜像加速地址：{}",
                path,
                mirrors.len(),
                mirrors.join(", ")
            ))
        };
        o.warnings = warnings;
        Ok(o)
    }

    fn describe(&self, vars: &Vars, lang: Lang) -> String {
        let file = vars.expand(&self.file);
        if self.loaded {
            tr!(
                lang,
                "the running daemon has loaded exactly the mirrors of {}",
                "正在运行的守护进程已加载 {} 中的全部镜像加速地址",
                file
            )
        } else {
            tr!(
                lang,
                "{} lists registry mirrors that are http(s) URLs",
                "{} 中列出的镜像加速地址都是 http(s) 网址",
                file
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;

    #[test]
    fn mirrors_must_be_bare_http_urls() {
        assert_eq!(
            mirror_problem("https://docker.m.daocloud.io", Lang::En),
            None
        );
        assert_eq!(mirror_problem("http://127.0.0.1:5000/", Lang::En), None);
        assert!(mirror_problem("docker.m.daocloud.io", Lang::En)
            .unwrap()
            .contains("https://"));
        assert!(mirror_problem("https://a.io/v2/x", Lang::En)
            .unwrap()
            .contains("path"));
        assert!(mirror_problem("https:// a.io", Lang::En).is_some());
        assert_eq!(normalize_mirror("https://a.io"), "https://a.io/");
    }
}
