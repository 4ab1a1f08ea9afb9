//! daemon.json judged as the machine's own dockerd reads it (`json_file`
//! with `dockerd: true`, and `registry_mirrors`): which version runs, what
//! `diagnose::dockerd` says of the file, and on the local machine what
//! `dockerd --validate` (23.0+) says itself.

use super::matcher::{self, FieldMatch};
use super::Ctx;
use crate::diagnose::dockerd::{self, Engine, Stage, Verdict};
use crate::diagnose::json;
use crate::lang::Lang;
use crate::machine::ObserveError;
use crate::report::Outcome;
use crate::tr;

/// The version fallen back on when neither the daemon nor `dockerd
/// --version` answers: Debian 12's docker.io, what the course installs.
pub const FALLBACK: (u16, u16) = (20, 10);

/// The machine's dockerd, and how lab learnt its version.
pub async fn engine(ctx: &Ctx<'_>) -> (Engine, String) {
    let (mut e, how) = version(ctx).await;
    if let Some(flags) = service_flags(ctx).await {
        e.flags = flags;
    }
    (e, how)
}

/// The flags docker.service gives dockerd (`systemctl cat docker`: the unit
/// and its drop-ins); `None` without systemd or the unit, and during `lab
/// grade` (one process more per VM), where `-H fd://` is assumed.
async fn service_flags(ctx: &Ctx<'_>) -> Option<Vec<String>> {
    if !ctx.machine.is_local() || !ctx.machine.has_systemd() {
        return None;
    }
    let out = ctx
        .machine
        .exec("systemctl", &["cat", "docker.service"])
        .await
        .ok()??;
    (out.code == Some(0))
        .then(|| exec_start_flags(&out.stdout))
        .flatten()
}

/// Long names of the flags on the last `ExecStart=` of a unit (drop-ins
/// reset it with an empty `ExecStart=`).
pub fn exec_start_flags(unit: &str) -> Option<Vec<String>> {
    let line = unit
        .lines()
        .filter_map(|l| l.trim().strip_prefix("ExecStart="))
        .rfind(|l| !l.trim().is_empty())?;
    let mut words = line.split_whitespace();
    let program = words.next()?;
    if !program.ends_with("dockerd") {
        return None;
    }
    let short = |c: &str| match c {
        "H" => Some("host"),
        "D" => Some("debug"),
        "G" => Some("group"),
        "b" => Some("bridge"),
        "l" => Some("log-level"),
        "p" => Some("pidfile"),
        "s" => Some("storage-driver"),
        _ => None,
    };
    let flags = words
        .filter_map(|w| {
            if let Some(long) = w.strip_prefix("--") {
                Some(long.split('=').next().unwrap_or(long).to_string())
            } else {
                let s = w.strip_prefix('-')?;
                short(s.get(..1)?).map(str::to_string)
            }
        })
        .collect();
    Some(flags)
}

async fn version(ctx: &Ctx<'_>) -> (Engine, String) {
    let lang = ctx.lang;
    if let Ok(v) = ctx.machine.docker.version().await {
        if let Some(ver) = v.version.as_deref().and_then(dockerd::parse_version) {
            let e = Engine::service(ver);
            let how = tr!(
                lang,
                "the running daemon is {}",
                "正在运行的守护进程版本为 {}",
                e.label()
            );
            return (e, how);
        }
    }
    if let Ok(Some(out)) = ctx.machine.exec("dockerd", &["--version"]).await {
        if let Some(ver) = dockerd::parse_version(&out.stdout) {
            let e = Engine::service(ver);
            let how = tr!(
                lang,
                "`dockerd --version` says {}",
                "`dockerd --version` 显示 {}",
                e.label()
            );
            return (e, how);
        }
    }
    let e = Engine::service(FALLBACK);
    let how = tr!(lang,
        "dockerd's version is unknown (the daemon does not answer, no dockerd on PATH): judged as {}",
        "无法得知 dockerd 的版本（守护进程没有响应，PATH 中也没有 dockerd）：按 {} 判断", e.label());
    (e, how)
}

/// What `dockerd --validate` said: `Some(Ok)` configuration OK,
/// `Some(Err(message))` refused, `None` not asked.
async fn oracle(ctx: &Ctx<'_>, engine: &Engine, path: &str) -> Option<Result<(), String>> {
    if !ctx.machine.is_local() || engine.version < (23, 0) {
        return None;
    }
    let out = ctx
        .machine
        .exec(
            "dockerd",
            &["--validate", "--config-file", path, "-H", "fd://"],
        )
        .await
        .ok()??;
    let said = format!("{}{}", out.stdout, out.stderr);
    if out.code == Some(0) && said.contains("configuration OK") {
        return Some(Ok(()));
    }
    let line = said.lines().rev().find(|l| {
        l.contains("unable to configure") || l.contains("invalid") || l.contains("failed")
    })?;
    Some(Err(line.trim().to_string()))
}

/// The verdict on the file at `path`, or the failed outcome when it cannot
/// be read (missing, not a regular file, too large: `file_read.rs`).
pub async fn verdict(
    ctx: &Ctx<'_>,
    path: &str,
) -> Result<Result<(Verdict, Engine, String), Outcome>, ObserveError> {
    let lang = ctx.lang;
    let bytes = match super::file_read::config(ctx, path).await? {
        Ok(b) => b,
        Err(failed) => return Ok(Err(failed)),
    };
    let (engine, how) = engine(ctx).await;
    let mut v = dockerd::judge(path, &bytes, &engine, lang);
    let text = String::from_utf8_lossy(&bytes);
    let asked = std::env::var_os("LAB_DOCKERD_VALIDATE").is_none_or(|v| v != "0");
    match if asked {
        oracle(ctx, &engine, path).await
    } else {
        None
    } {
        Some(Ok(())) => v.refusals.retain(|r| r.stage != Stage::Load),
        Some(Err(said)) if v.loads() => v.refusals.push(dockerd::Refusal {
            stage: Stage::Load,
            message: explain_oracle(&said, lang),
        }),
        _ => {}
    }
    if v.starts() {
        // Look-alike punctuation inside strings loads, but is still wrong.
        if let Ok(p) = json::parse(path, text.trim_start_matches('\u{feff}'), lang) {
            v.notes.extend(p.warnings);
        }
    }
    Ok(Ok((v, engine, how)))
}

fn explain_oracle(said: &str, lang: Lang) -> String {
    tr!(
        lang,
        "`dockerd --validate` refuses this file: {}",
        "`dockerd --validate` 拒绝了这个文件：{}",
        said
    )
}

/// `json_file` with `dockerd: true`.
pub async fn probe(
    ctx: &Ctx<'_>,
    path: &str,
    values: &[FieldMatch],
) -> Result<Outcome, ObserveError> {
    let lang = ctx.lang;
    let (v, engine, how) = match verdict(ctx, path).await? {
        Ok(x) => x,
        Err(failed) => return Ok(failed),
    };
    if !v.starts() {
        let first = &v.refusals[0].message;
        let mut o = Outcome::fail(tr!(
            lang,
            "dockerd {} will not start with {}: {}",
            "dockerd {} 无法用 {} 启动：{}",
            engine.label(),
            path,
            first
        ))
        .expected(tr!(
            lang,
            "a daemon.json dockerd {} accepts",
            "dockerd {} 能接受的 daemon.json",
            engine.label()
        ));
        o.actual = Some(
            v.refusals
                .iter()
                .map(|r| r.message.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        );
        o.warnings = v.notes;
        o.warnings.push(how);
        return Ok(o);
    }
    let value = v
        .doc
        .as_ref()
        .map(to_serde)
        .unwrap_or(serde_json::Value::Null);
    let seen = match matcher::check_all(values, &value, path, lang) {
        Ok(s) => s,
        Err(failed) => return Ok(*failed),
    };
    let mut msg = tr!(
        lang,
        "dockerd {} will start with {}",
        "dockerd {} 能用 {} 启动",
        engine.label(),
        path
    );
    if !seen.is_empty() {
        msg = format!("{msg}; {}", seen.join("; "));
    }
    let mut o = Outcome::pass(msg);
    o.warnings = v.notes;
    Ok(o)
}

/// The document as serde_json sees it (the last of duplicate keys wins).
pub fn to_serde(n: &crate::diagnose::gojson::Node) -> serde_json::Value {
    use crate::diagnose::gojson::Value as V;
    match &n.value {
        V::Null => serde_json::Value::Null,
        V::Bool(b) => (*b).into(),
        V::Number(s) => serde_json::from_str(s).unwrap_or(serde_json::Value::Null),
        V::String(s) => s.clone().into(),
        V::Array(items) => items.iter().map(to_serde).collect(),
        V::Object(m) => m
            .iter()
            .map(|(k, v)| (k.value.as_str().unwrap_or("").to_string(), to_serde(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::exec_start_flags;
    use crate::checks::testing::{assert_outcome, outcome};
    use crate::machine::Machine;
    use crate::report::Status;

    /// A key that must be absent needs a file dockerd starts with: no
    /// file, or one dockerd refuses, is no pass.
    #[test]
    fn a_key_that_must_be_absent_needs_a_file_dockerd_reads() {
        let p = "/etc/docker/daemon.json";
        let yaml = "{ id: j, json_file: { path: /etc/docker/daemon.json, dockerd: true, values: [{ path: hosts, exists: false }] } }";
        let o = outcome(yaml, &Machine::fake().build());
        assert_outcome(&o, Status::Fail, "/etc/docker/daemon.json does not exist");
        let o = outcome(yaml, &Machine::fake().file(p, "{ \"debug\": tru }").build());
        assert_outcome(
            &o,
            Status::Fail,
            "will not start with /etc/docker/daemon.json",
        );
        let o = outcome(yaml, &Machine::fake().unreadable(p).build());
        assert_outcome(&o, Status::Error, "Permission denied");
        let o = outcome(yaml, &Machine::fake().file(p, "{}").build());
        assert_outcome(&o, Status::Pass, "will start with /etc/docker/daemon.json");
    }

    #[test]
    fn flags_of_the_last_exec_start() {
        let debian = "[Service]\nExecStart=/usr/sbin/dockerd -H fd:// $DOCKER_OPTS\n";
        assert_eq!(exec_start_flags(debian), Some(vec!["host".to_string()]));
        let ce =
            "ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\n";
        assert_eq!(
            exec_start_flags(ce),
            Some(vec!["host".into(), "containerd".into()])
        );
        // A drop-in that lets daemon.json set "hosts".
        let dropin = format!("{ce}\n# /etc/systemd/system/docker.service.d/override.conf\n[Service]\nExecStart=\nExecStart=/usr/bin/dockerd\n");
        assert_eq!(exec_start_flags(&dropin), Some(vec![]));
        assert_eq!(exec_start_flags("[Unit]\n"), None);
    }
}
