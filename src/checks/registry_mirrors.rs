//! `registry_mirrors`: daemon.json declares registry mirrors that are
//! http(s) URLs, and (with `loaded: true`) the running daemon has loaded
//! exactly those, which it only does after a restart.
//!
//! ```yaml
//! registry_mirrors: { file: "${daemon_json}", loaded: true }
//! ```

use super::dockerd_file;
use super::mirror_probe;
use super::{Ctx, Probe};
use crate::course::Vars;
use crate::diagnose::dockerd;
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
    /// Each mirror must answer `GET /v2/` (read-only, 3 s; http or https;
    /// 401 counts, a registry that wants a login is still a registry), from
    /// the machine checked: a placeholder or dead mirror fails, named.
    #[serde(default)]
    pub answers: bool,
}

/// The mirrors that do not answer, each with why.
async fn silent(ctx: &Ctx<'_>, mirrors: &[String]) -> Vec<String> {
    let lang = ctx.lang;
    let asks = mirrors
        .iter()
        .map(|m| mirror_probe::status(ctx.machine, m, lang));
    let answers = futures_util::future::join_all(asks).await;
    mirrors
        .iter()
        .zip(answers)
        .filter_map(|(m, a)| match a {
            Ok(200 | 401) => None,
            Ok(code) => Some(tr!(lang,
                "{}: answered HTTP {} at /v2/, so it is not a registry (a web page, or a wrong address?)",
                "{}：/v2/ 返回 HTTP {}，它不是镜像仓库（是网页，还是地址写错了？）", m, code)),
            Err(why) => Some(format!("{m}: {why}")),
        })
        .collect()
}

/// dockerd's own form of a mirror: scheme, host, and a trailing slash.
pub fn normalize_mirror(url: &str) -> String {
    let u = url.trim();
    if u.ends_with('/') {
        u.to_string()
    } else {
        format!("{u}/")
    }
}

/// The mirrors daemon.json declares: a list of one or more strings.
fn declared(value: &Value) -> Option<Vec<String>> {
    match value.get("registry-mirrors") {
        Some(Value::Array(items)) if !items.is_empty() && items.iter().all(Value::is_string) => {
            Some(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
            )
        }
        _ => None,
    }
}

/// The fail when daemon.json declares no mirrors: what is there instead.
fn none_declared(value: &Value, path: &str, lang: Lang) -> Outcome {
    let actual = match value.get("registry-mirrors") {
        Some(v) => v.to_string(),
        None => tr!(
            lang,
            "no \"registry-mirrors\" key",
            "没有 \"registry-mirrors\" 键"
        ),
    };
    Outcome::fail(tr!(
        lang,
        "{} declares no registry mirrors",
        "{} 中没有配置镜像加速器地址",
        path
    ))
    .expected(tr!(
        lang,
        "\"registry-mirrors\": a list of one or more URLs in double quotes",
        "\"registry-mirrors\"：包含一个或多个用双引号括起来的地址的列表"
    ))
    .actual(actual)
}

/// The fail when a mirror is not an http(s) URL (with this dockerd's rules).
fn malformed(
    mirrors: &[String],
    version: crate::diagnose::dockerd_keys::Version,
    lang: Lang,
) -> Option<Outcome> {
    let problems: Vec<String> = mirrors
        .iter()
        .filter_map(|m| dockerd::mirror_problem(m, version, lang))
        .collect();
    if !problems.is_empty() {
        return Some(
            Outcome::fail(problems.join("; "))
                .expected(tr!(
                    lang,
                    "every mirror is an http(s) URL",
                    "每个镜像加速器地址都是 http(s) 网址"
                ))
                .actual(mirrors.join(", ")),
        );
    }
    None
}

/// The fail when a mirror does not answer `GET /v2/` from the machine.
async fn unanswered(ctx: &Ctx<'_>, mirrors: &[String]) -> Option<Outcome> {
    let lang = ctx.lang;
    let dead = silent(ctx, mirrors).await;
    if !dead.is_empty() {
        return Some(
            Outcome::fail(tr!(
                lang,
                "{} of {} mirror(s) do not answer: {}",
                "{1} 个镜像加速器地址中有 {0} 个没有响应：{2}",
                dead.len(),
                mirrors.len(),
                dead.join("; ")
            ))
            .expected(tr!(
                lang,
                "every mirror answers GET /v2/ (HTTP 200 or 401)",
                "每个镜像加速器地址的 GET /v2/ 都有响应（HTTP 200 或 401）"
            ))
            .actual(dead.join("\n")),
        );
    }
    None
}

impl RegistryMirrors {
    /// Well-formed mirrors: whether they answer (`answers: true`), then
    /// whether the daemon has loaded them (`loaded: true`).
    async fn judged(
        &self,
        ctx: &Ctx<'_>,
        path: &str,
        mirrors: &[String],
    ) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        if self.answers {
            if let Some(failed) = unanswered(ctx, mirrors).await {
                return Ok(failed);
            }
        }
        if !self.loaded {
            return Ok(Outcome::pass(tr!(
                lang,
                "{} declares {} mirror(s): {}",
                "{} 配置了 {} 个镜像加速器地址：{}",
                path,
                mirrors.len(),
                mirrors.join(", ")
            )));
        }
        let declared: Vec<String> = mirrors.iter().map(|m| normalize_mirror(m)).collect();
        let loaded: Vec<String> = ctx
            .machine
            .docker
            .info()
            .await?
            .mirrors
            .iter()
            .map(|m| normalize_mirror(m))
            .collect();
        if loaded == declared {
            return Ok(Outcome::pass(tr!(
                lang,
                "the daemon has loaded the mirrors of {}: {}",
                "守护进程已加载 {} 中的镜像加速器地址：{}",
                path,
                loaded.join(", ")
            )));
        }
        Ok(Outcome::fail(tr!(lang,
                "the daemon is not using the mirrors in {}: the file was changed but the daemon not restarted (or it failed to restart); run `{}`",
                "守护进程没有使用 {} 中的镜像加速器地址：文件修改后没有重启守护进程（或重启失败）；请运行 `{}`", path, ctx.expand("${restart_docker}")))
            .expected(declared.join(", "))
            .actual(if loaded.is_empty() { tr!(lang, "(no mirrors loaded)", "（未加载任何镜像加速器地址）") } else { loaded.join(", ") }))
    }
}

impl Probe for RegistryMirrors {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        let path = ctx.expand(&self.file);
        // Read as the machine's dockerd reads it, with its version's rules.
        let (verdict, engine, _) = match dockerd_file::verdict(ctx, &path).await? {
            Ok(v) => v,
            Err(failed) => return Ok(failed),
        };
        let Some(doc) = verdict.doc.as_ref() else {
            let first = verdict.refusals.first().map_or("", |r| r.message.as_str());
            return Ok(Outcome::fail(tr!(
                lang,
                "{} is not valid JSON: {}",
                "{} 不是合法的 JSON：{}",
                path,
                first
            ))
            .expected(tr!(lang, "valid JSON", "合法的 JSON")));
        };
        let value = dockerd_file::to_serde(doc);
        let Some(mirrors) = declared(&value) else {
            return Ok(none_declared(&value, &path, lang).warned(verdict.notes));
        };
        let o = match malformed(&mirrors, engine.version, lang) {
            Some(failed) => failed,
            None => self.judged(ctx, &path, &mirrors).await?,
        };
        Ok(o.warned(verdict.notes))
    }

    fn describe(&self, vars: &Vars, lang: Lang) -> String {
        let file = vars.expand(&self.file);
        if self.loaded {
            tr!(
                lang,
                "the running daemon has loaded exactly the mirrors of {}",
                "正在运行的守护进程已加载 {} 中的全部镜像加速器地址",
                file
            )
        } else if self.answers {
            tr!(
                lang,
                "{} lists registry mirrors that dockerd accepts, and each answers at /v2/",
                "{} 中的镜像加速器地址 dockerd 都能接受，并且每个的 /v2/ 都有响应",
                file
            )
        } else {
            tr!(
                lang,
                "{} lists registry mirrors that are http(s) URLs",
                "{} 中列出的镜像加速器地址都是 http(s) 网址",
                file
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{assert_outcome, outcome};
    use crate::machine::Machine;
    use crate::report::Status;
    use serde_json::json;

    const P: &str = "/etc/docker/daemon.json";
    const LOADED: &str =
        "{ id: r, registry_mirrors: { file: /etc/docker/daemon.json, loaded: true } }";
    const MIRRORS: &str = r#"{ "registry-mirrors": ["https://m.example"] }"#;

    /// "Loaded" is the daemon's word: without its answer, no verdict; an
    /// answer without mirrors is a daemon that loaded none.
    #[test]
    fn loaded_mirrors_are_judged_on_the_daemons_answer_only() {
        let o = outcome(LOADED, &Machine::fake().file(P, MIRRORS).build());
        assert_outcome(&o, Status::Error, "cannot reach the Docker daemon");
        let loaded = Machine::fake()
            .file(P, MIRRORS)
            .docker_info(json!({"RegistryConfig": {"Mirrors": ["https://m.example/"]}}))
            .build();
        let o = outcome(LOADED, &loaded);
        assert_outcome(&o, Status::Pass, "the daemon has loaded the mirrors");
        let none = Machine::fake()
            .file(P, MIRRORS)
            .docker_info(json!({"ServerVersion": "20.10.24"}))
            .build();
        let o = outcome(LOADED, &none);
        assert_outcome(&o, Status::Fail, "the daemon is not using the mirrors");
        assert_eq!(o.actual.as_deref(), Some("(no mirrors loaded)"));
        // No file: the learner's to write, whatever the daemon says.
        let o = outcome(LOADED, &Machine::fake().build());
        assert_outcome(&o, Status::Fail, "/etc/docker/daemon.json does not exist");
    }

    #[test]
    fn mirrors_are_normalized_as_dockerd_does() {
        assert_eq!(normalize_mirror("https://a.io"), "https://a.io/");
        assert_eq!(normalize_mirror("https://a.io/"), "https://a.io/");
    }
}
