//! The members of daemon.json, checked in dockerd's order: unknown keys
//! (after dockerd flattens nested objects), keys also set as flags, value
//! types, then the values themselves.

use super::dockerd::{key_history, mirror_problem, type_problem, CheckCtx, Stage};
use super::dockerd_keys::{self as keys, Ty};
use super::gojson::{Node, Pos, Value};
use crate::tr;
use std::collections::BTreeMap;

/// dockerd's `configValuesSet`: top-level keys, and for an object under a
/// key that is not a flat option, that object's keys instead.
fn flatten(members: &[(Node, Node)], v: keys::Version) -> BTreeMap<String, (Pos, &Node)> {
    let mut last: BTreeMap<&str, (Pos, &Node)> = BTreeMap::new();
    for (k, val) in members {
        last.insert(k.value.as_str().unwrap_or(""), (k.at, val));
    }
    let mut out = BTreeMap::new();
    for (k, (at, val)) in last {
        match &val.value {
            Value::Object(inner) if !keys::is_flat(k, v) => {
                for (ik, iv) in inner {
                    out.insert(ik.value.as_str().unwrap_or("").to_string(), (ik.at, iv));
                }
            }
            _ => {
                out.insert(k.to_string(), (at, val));
            }
        }
    }
    out
}

pub(super) fn members(c: &mut CheckCtx<'_, '_>, doc: &Node) {
    let Value::Object(members) = &doc.value else {
        return;
    };
    let v = c.version();
    let lang = c.lang();
    let flat = flatten(members, v);
    for (name, (at, _)) in &flat {
        if keys::lookup(name, v).is_some() {
            continue;
        }
        let why = key_history(name, v, lang)
            .or_else(|| closest(name).map(|k| tr!(lang,
                "unknown key `{}`: did you mean `{}`? dockerd refuses to start with a key it does not know",
                "未知的键 `{}`：是不是想写 `{}`？dockerd 遇到不认识的键会拒绝启动", name, k)))
            .unwrap_or_else(|| tr!(lang,
                "unknown key `{}`: dockerd {}.{} refuses to start with a key it does not know (\"the following directives don't match any configuration option\"); delete it",
                "未知的键 `{}`：dockerd {}.{} 遇到不认识的键会拒绝启动（\"the following directives don't match any configuration option\"）；删掉它", name, v.0, v.1));
        c.refuse(Stage::Load, *at, why);
    }
    let flags: Vec<String> = c.engine().flags.clone();
    for flag in &flags {
        let name = keys::named_option(flag).unwrap_or(flag);
        if name == "runtimes" {
            continue;
        }
        if let Some((at, _)) = flat.get(name) {
            let msg = tr!(lang,
                "`{}` is also set on dockerd's command line (--{} in docker.service; the distributions start dockerd with -H fd://), and dockerd refuses a setting given both ways: delete it here, or change the service with `systemctl edit docker`",
                "`{}` 在 dockerd 的命令行中也设置了（docker.service 中的 --{}；各发行版都用 -H fd:// 启动 dockerd），同一设置两处都给出时 dockerd 会拒绝启动：从这里删掉它，或用 `systemctl edit docker` 修改服务", name, flag);
            c.refuse(Stage::Load, *at, msg);
        }
    }
    for (k, val) in members {
        let name = k.value.as_str().unwrap_or("");
        let Some(key) = keys::lookup(name, v) else {
            continue;
        };
        if key.ty == Ty::Ignored {
            if let Some(real) = keys::named_option(name) {
                let msg = tr!(lang,
                    "dockerd accepts `{}` but ignores it: that is the command-line flag; in daemon.json the key is `{}`",
                    "dockerd 接受 `{}` 但会忽略它：那是命令行参数的名字；在 daemon.json 中键名是 `{}`", name, real);
                c.note(k.at, msg);
            }
            continue;
        }
        if let Some(p) = type_problem(key.ty, &val.value, v, lang) {
            c.refuse(Stage::Load, val.at, format!("`{name}` {p}"));
            continue;
        }
        values(c, name, val);
    }
    log_opts(c, members);
    let mut seen = std::collections::HashSet::new();
    for (k, _) in members {
        let name = k.value.as_str().unwrap_or("");
        if !seen.insert(name) {
            let msg = tr!(
                lang,
                "`{}` appears a second time here; dockerd keeps only the last one",
                "`{}` 在这里第二次出现；dockerd 只采用最后一个",
                name
            );
            c.note(k.at, msg);
        }
    }
}

/// The checks dockerd runs on values (config.Validate and friends).
fn values(c: &mut CheckCtx<'_, '_>, name: &str, val: &Node) {
    let v = c.version();
    let lang = c.lang();
    let strs: Vec<(Pos, &str)> = match &val.value {
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.value.as_str().map(|s| (i.at, s)))
            .collect(),
        Value::String(s) => vec![(val.at, s.as_str())],
        _ => Vec::new(),
    };
    match name {
        "log-level" => {
            let s = strs.first().map_or("", |x| x.1);
            let mut ok = vec!["panic", "fatal", "error", "warn", "info", "debug", "trace"];
            if v < (23, 0) {
                ok.push("warning");
            }
            if !s.is_empty() && !ok.contains(&s.to_lowercase().as_str()) {
                let msg = tr!(
                    lang,
                    "`log-level` \"{}\" is not a level dockerd knows: use one of {}",
                    "`log-level` 的值 \"{}\" 不是 dockerd 认识的级别：请用 {} 之一",
                    s,
                    ok.join(", ")
                );
                c.refuse(Stage::Load, val.at, msg);
            }
        }
        "log-format" => {
            let s = strs.first().map_or("", |x| x.1);
            if !s.is_empty() && s != "text" && s != "json" {
                let msg = tr!(
                    lang,
                    "`log-format` must be \"text\" or \"json\"",
                    "`log-format` 只能是 \"text\" 或 \"json\""
                );
                c.refuse(Stage::Load, val.at, msg);
            }
        }
        "dns" => {
            for (at, s) in strs {
                let s2 = if v < (25, 0) { s.trim() } else { s };
                if s2.parse::<std::net::IpAddr>().is_err() {
                    let msg = tr!(
                        lang,
                        "`dns` takes IP addresses only, like \"223.5.5.5\"; \"{}\" is not one",
                        "`dns` 只接受 IP 地址，例如 \"223.5.5.5\"；\"{}\" 不是 IP 地址",
                        s
                    );
                    c.refuse(Stage::Load, at, msg);
                }
            }
        }
        "labels" => {
            for (at, s) in strs {
                let lowered = s.to_lowercase();
                if !s.contains('=')
                    || ["com.docker.", "io.docker.", "org.dockerproject."]
                        .iter()
                        .any(|p| lowered.starts_with(p))
                {
                    let msg = tr!(lang,
                        "label \"{}\" must be key=value, outside the com.docker.*, io.docker.* and org.dockerproject.* namespaces",
                        "元数据标签（`labels`）\"{}\" 必须写成 key=value，且不能使用 com.docker.*、io.docker.*、org.dockerproject.* 命名空间", s);
                    c.refuse(Stage::Load, at, msg);
                }
            }
        }
        "mtu" | "max-concurrent-downloads" | "max-concurrent-uploads" | "max-download-attempts" => {
            let n = match &val.value {
                Value::Number(n) => n.parse::<i64>().unwrap_or(0),
                _ => return,
            };
            let floor = if name == "max-download-attempts" && v < (23, 0) {
                1
            } else {
                0
            };
            let checked = name != "mtu" || v >= (23, 0);
            if checked && n < floor {
                let msg = tr!(lang, "`{}` cannot be {}", "`{}` 不能是 {}", name, n);
                c.refuse(Stage::Load, val.at, msg);
            }
        }
        "registry-mirrors" => {
            let stage = if v >= (28, 3) {
                Stage::Load
            } else {
                Stage::Start
            };
            for (at, s) in strs {
                if let Some(p) = mirror_problem(s, v, lang) {
                    c.refuse(stage, at, p);
                }
            }
        }
        "cluster-store" => {
            let s = strs.first().map_or("", |x| x.1);
            if !s.is_empty() {
                let msg = tr!(lang,
                    "`cluster-store` (Swarm classic) has no backend left in dockerd {}.{}: delete it",
                    "dockerd {}.{} 已不再支持 `cluster-store`（旧版 Swarm）：删掉它", v.0, v.1);
                c.refuse(Stage::Start, val.at, msg);
            }
        }
        "insecure-registries" => {
            for (at, s) in strs {
                let lower = s.to_lowercase();
                let scheme = !lower.starts_with("http://")
                    && !lower.starts_with("https://")
                    && s.contains("://");
                if scheme || s.starts_with('-') || s.ends_with('-') {
                    let msg = tr!(
                        lang,
                        "insecure registry \"{}\" must be host:port (or a CIDR like 10.0.0.0/8)",
                        "非安全仓库 \"{}\" 必须写成 `<主机>:<端口>`（或 `10.0.0.0/8` 这样的网段）",
                        s
                    );
                    c.refuse(Stage::Start, at, msg);
                }
            }
        }
        _ => {}
    }
}

/// What dockerd checks of `log-opts` when it starts (setupDefaultLogConfig):
/// the driver exists, and the json-file and local drivers know each option.
fn log_opts(c: &mut CheckCtx<'_, '_>, members: &[(Node, Node)]) {
    let last = |name: &str| {
        members
            .iter()
            .rev()
            .find(|(k, _)| k.value.as_str() == Some(name))
    };
    let Some((_, opts)) = last("log-opts") else {
        return;
    };
    let Value::Object(opts) = &opts.value else {
        return;
    };
    if opts.is_empty() {
        return;
    }
    let v = c.version();
    let lang = c.lang();
    let (driver, at) = match last("log-driver") {
        Some((_, d)) => (d.value.as_str().unwrap_or(""), d.at),
        None => ("", opts[0].0.at),
    };
    let driver = if driver.is_empty() {
        "json-file"
    } else {
        driver
    };
    let mut drivers = vec![
        "none",
        "awslogs",
        "fluentd",
        "gcplogs",
        "gelf",
        "journald",
        "json-file",
        "local",
        "splunk",
        "syslog",
    ];
    if v < (25, 0) {
        drivers.push("logentries");
    }
    if !drivers.contains(&driver) {
        let msg = tr!(lang,
            "there is no log driver named \"{}\" (dockerd checks it because log-opts is set): use one of {}",
            "没有名为 \"{}\" 的日志驱动（设置了 log-opts 时 dockerd 会检查它）：请用 {} 之一", driver, drivers.join(", "));
        c.refuse(Stage::Start, at, msg);
        return;
    }
    if driver == "none" {
        return;
    }
    let mode = opts
        .iter()
        .rev()
        .find(|(k, _)| k.value.as_str() == Some("mode"))
        .map(|(_, m)| (m.value.as_str().unwrap_or(""), m.at));
    if let Some((m, at)) = mode.filter(|(m, _)| !["", "blocking", "non-blocking"].contains(m)) {
        let msg = tr!(
            lang,
            "log mode \"{}\" does not exist: use \"blocking\" or \"non-blocking\"",
            "日志模式 \"{}\" 不存在：请用 \"blocking\" 或 \"non-blocking\"",
            m
        );
        c.refuse(Stage::Start, at, msg);
        return;
    }
    let known: &[&str] = match driver {
        "json-file" => &[
            "max-file",
            "max-size",
            "compress",
            "labels",
            "labels-regex",
            "env",
            "env-regex",
            "tag",
        ],
        "local" => &["max-file", "max-size", "compress"],
        _ => return,
    };
    for (k, val) in opts {
        let name = k.value.as_str().unwrap_or("");
        let text = val.value.as_str().unwrap_or("");
        let bad = match name {
            "max-file" => text.parse::<i64>().map_or(true, |n| n < 1),
            "max-size" => {
                let digits: String = text
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.')
                    .collect();
                !super::dockerd::ram_in_bytes(text)
                    || digits.parse::<f64>().map_or(true, |n| n <= 0.0)
            }
            "compress" => ![
                "1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False",
            ]
            .contains(&text),
            _ => false,
        };
        if bad {
            let msg = tr!(lang,
                "dockerd starts, but every container will fail to start: `{}` \"{}\" is not valid (max-size like \"10m\", max-file a whole number of at least 1, compress \"true\" or \"false\")",
                "dockerd 可以启动，但所有容器都会启动失败：`{}` 的值 \"{}\" 不合法（max-size 形如 \"10m\"，max-file 是不小于 1 的整数，compress 是 \"true\" 或 \"false\"）", name, text);
            c.note(val.at, msg);
        }
        if name == "mode" || name == "max-buffer-size" || known.contains(&name) {
            continue;
        }
        let msg = tr!(lang,
            "unknown log option `{}` for the {} log driver, which makes dockerd fail to start: use {}",
            "{1} 日志驱动没有 `{0}` 这个选项，dockerd 会因此无法启动：请用 {2}", name, driver, known.join(", "));
        c.refuse(Stage::Start, k.at, msg);
    }
}

/// The known key one or two edits away (a typo of registry-mirrors).
/// Only keys of about the same length are compared: a key of a megabyte
/// costs no more than a short one.
fn closest(name: &str) -> Option<&'static str> {
    let known = keys::KEYS
        .iter()
        .filter(|k| k.ty != Ty::Ignored)
        .map(|k| k.name);
    crate::spelling::closest(name, known)
}

#[cfg(test)]
mod tests {
    use crate::diagnose::dockerd::{judge, Engine, Verdict};
    use crate::lang::Lang;

    fn on(v: (u16, u16), text: &[u8]) -> Verdict {
        judge("d.json", text, &Engine::service(v), Lang::En)
    }

    fn first(v: &Verdict) -> &str {
        v.refusals.first().map_or("", |r| r.message.as_str())
    }

    #[test]
    fn a_megabyte_of_mistakes_lists_five_of_each_and_takes_linear_time() {
        let started = std::time::Instant::now();
        // 5,000 unknown keys, a long one among them (no typo search on it),
        // and as many duplicates.
        let mut doc = String::from("{");
        for i in 0..5_000 {
            doc += &format!("\"k{i}\": 1, \"debug\": true, ");
        }
        doc += &format!("\"{}\": 1}}", "x".repeat(100_000));
        assert!(doc.len() < 1 << 20);
        let v = on((20, 10), doc.as_bytes());
        assert_eq!(v.refusals.len(), crate::diagnose::SHOWN + 1);
        assert_eq!(
            v.refusals.last().unwrap().message,
            "d.json: … and 4,996 more"
        );
        assert_eq!(v.notes.len(), crate::diagnose::SHOWN + 1, "{:?}", v.notes);
        assert!(v.notes.last().unwrap().contains("more"));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn a_bom_and_an_empty_file_depend_on_the_version() {
        let bom = b"\xef\xbb\xbf{\"debug\": true}";
        assert!(first(&on((20, 10), bom))
            .starts_with("d.json:1:1: the file starts with an invisible byte-order mark"));
        assert!(on((26, 1), bom).starts());
        assert!(first(&on((20, 10), b" \n")).contains("the file is empty"));
        assert!(on((28, 5), b" \n").starts());
        // 20.10 reads one value and stops; 23.0+ refuses what follows.
        assert!(on((20, 10), b"{} x").starts());
        assert!(first(&on((28, 5), b"{}\n x")).starts_with("d.json:2:2: `x` after the closing `}`"));
    }

    #[test]
    fn types_are_located_at_the_value() {
        let v = on((20, 10), b"{\n  \"debug\": \"true\",\n  \"mtu\": 1500.0\n}");
        assert_eq!(v.refusals.len(), 2);
        assert!(first(&v).starts_with("d.json:2:12: `debug` must be true or false"));
        assert!(v.refusals[1]
            .message
            .starts_with("d.json:3:10: `mtu` must be a whole number"));
        assert!(!on((28, 5), br#"{"insecure-registries": "a:5000"}"#).loads());
    }

    #[test]
    fn keys_by_version_flattening_and_flags() {
        assert!(!on((20, 10), br#"{"cdi-spec-dirs": []}"#).starts());
        assert!(on((28, 5), br#"{"cdi-spec-dirs": []}"#).starts());
        assert!(first(&on((26, 1), br#"{"graph": "/x"}"#)).contains("removed in dockerd 24.0"));
        // An object under an unknown key: its own keys are what dockerd checks.
        assert!(on((20, 10), br#"{"x": {"debug": true}}"#).starts());
        assert!(
            first(&on((20, 10), br#"{"x": {"mirrors": []}}"#)).contains("unknown key `mirrors`")
        );
        assert!(first(&on((28, 5), br#"{"hosts": []}"#)).contains("-H fd://"));
        let ignored = on((20, 10), br#"{"registry-mirror": ["https://a.io"]}"#);
        assert!(ignored.starts() && ignored.notes[0].contains("`registry-mirrors`"));
    }

    #[test]
    fn log_options_are_checked_when_dockerd_starts() {
        let typo = on((20, 10), br#"{"log-opts": {"max_size": "10m"}}"#);
        assert!(typo.loads() && !typo.starts());
        assert!(first(&typo).contains("unknown log option `max_size` for the json-file log driver"));
        assert!(!on(
            (28, 5),
            br#"{"log-driver": "json", "log-opts": {"max-size": "1m"}}"#
        )
        .starts());
        assert!(on((28, 5), br#"{"log-driver": "json"}"#).starts());
        let zero = on((26, 1), br#"{"log-opts": {"max-file": "0"}}"#);
        assert!(zero.starts() && zero.notes[0].contains("every container will fail"));
    }

    /// 标签 is the course's word for an image tag: daemon.json's `labels`
    /// are the daemon's 元数据标签, named with the key.
    #[test]
    fn daemon_labels_are_not_called_image_tags_in_chinese() {
        let v = judge(
            "d.json",
            br#"{"labels": ["nokey"]}"#,
            &Engine::service((28, 5)),
            Lang::ZhCn,
        );
        let said = first(&v);
        assert!(said.contains("元数据标签（`labels`）"), "{said}");
        assert!(!said.contains(": 标签"), "{said}");
        assert!(first(&on((28, 5), br#"{"labels": ["nokey"]}"#))
            .contains("label \"nokey\" must be key=value"));
    }

    #[test]
    fn mirrors_fail_at_start_before_28_3_and_at_load_after() {
        let f = br#"{"registry-mirrors": ["https://u:p@a.io"]}"#;
        let old = on((26, 1), f);
        assert!(old.loads() && !old.starts());
        assert!(!on((28, 5), f).loads());
        assert!(on((20, 10), br#"{"registry-mirrors": ["HTTPS://a.io"]}"#).starts());
    }
}
