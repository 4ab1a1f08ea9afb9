//! Variables: `${name}` in a check's strings, with defaults from
//! `labs/course.yaml` that a run overrides with `--var name=value` (so tests
//! never read the machine's real /etc).

use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

static VAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\$\{([^}]*)\}").expect("valid regex"));

/// Names every run knows without the course declaring them.
pub const BUILTIN: &[&str] = &["home", "start_docker", "restart_docker", "docker_log"];

/// The commands that start, restart and show the log of the Docker daemon,
/// for hints: with systemd (the course's machines, and the book), and
/// without it (a container, WSL 1: Debian's docker.io then runs from its
/// init script, /etc/init.d/docker, which logs to /var/log/docker.log).
/// [`Vars::on_machine`] picks the machine's.
const INIT_COMMANDS: &[(&str, &str, &str)] = &[
    (
        "start_docker",
        "sudo systemctl start docker",
        "sudo service docker start",
    ),
    (
        "restart_docker",
        "sudo systemctl daemon-reload && sudo systemctl restart docker",
        "sudo service docker restart",
    ),
    (
        "docker_log",
        "sudo journalctl -u docker",
        "sudo tail -n 50 /var/log/docker.log",
    ),
];

#[derive(Debug, Clone, Default)]
pub struct Vars {
    map: BTreeMap<String, String>,
    /// Names given with `--var`: the machine's init does not replace them.
    given: Vec<String>,
}

impl Vars {
    /// The course defaults, then the builtins, then the overrides. An
    /// override of a name the course does not know is an error (a typo would
    /// otherwise be silently ignored).
    pub fn new(
        defaults: &BTreeMap<String, String>,
        overrides: &[(String, String)],
    ) -> Result<Vars, String> {
        let home = std::env::var("HOME").ok().filter(|h| !h.is_empty());
        let home = home.or_else(|| {
            let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
            passwd_home(&passwd, own_uid()?)
        });
        Vars::with_home(defaults, overrides, home)
    }

    /// As [`Vars::new`], with the error in the learner's language: what
    /// `lab` says to a mistyped `--var`.
    pub fn for_learner(
        defaults: &BTreeMap<String, String>,
        overrides: &[(String, String)],
        lang: crate::lang::Lang,
    ) -> Result<Vars, String> {
        let builtin = ["home"]
            .into_iter()
            .chain(INIT_COMMANDS.iter().map(|(n, _, _)| *n));
        if let Some((k, _)) = overrides
            .iter()
            .find(|(k, _)| !defaults.contains_key(k) && !builtin.clone().any(|b| b == k))
        {
            let mut known: Vec<&str> = defaults.keys().map(String::as_str).chain(builtin).collect();
            known.sort_unstable();
            return Err(crate::tr!(
                lang,
                "unknown variable `{}` in --var: this course knows {}",
                "--var 中的变量 `{}` 不存在：本课程的变量有 {}",
                k,
                known.join(lang.pick(", ", "、"))
            ));
        }
        Vars::new(defaults, overrides)
    }

    /// As [`Vars::new`], for a machine whose user's home is `home` (a
    /// student VM's, not ours). With no home known, `${home}` stays as
    /// written, and the checks that need it say so (`history`): never
    /// another user's home (lab once fell back on /root).
    pub fn with_home(
        defaults: &BTreeMap<String, String>,
        overrides: &[(String, String)],
        home: Option<String>,
    ) -> Result<Vars, String> {
        let mut map = defaults.clone();
        map.insert("home".into(), home.unwrap_or_else(|| "${home}".into()));
        for (name, systemd, _) in INIT_COMMANDS {
            map.entry(name.to_string())
                .or_insert_with(|| systemd.to_string());
        }
        for (k, v) in overrides {
            if !map.contains_key(k) {
                let known: Vec<&str> = map.keys().map(String::as_str).collect();
                return Err(format!(
                    "unknown variable `{k}` in --var: this course knows {}",
                    known.join(", ")
                ));
            }
            map.insert(k.clone(), v.clone());
        }
        let given = overrides.iter().map(|(k, _)| k.clone()).collect();
        let mut vars = Vars { map, given };
        // Defaults may refer to other variables (`${home}/.bash_history`).
        let expanded: BTreeMap<String, String> = vars
            .map
            .iter()
            .map(|(k, v)| (k.clone(), vars.expand(v)))
            .collect();
        vars.map = expanded;
        Ok(vars)
    }

    /// Replaces every `${name}` this run knows; leaves the others as written
    /// (the course linter has already reported them).
    pub fn expand(&self, s: &str) -> String {
        if !s.contains("${") {
            return s.to_string();
        }
        VAR.replace_all(s, |c: &regex::Captures| {
            self.map
                .get(&c[1])
                .cloned()
                .unwrap_or_else(|| c[0].to_string())
        })
        .into_owned()
    }

    /// These variables on a machine with or without systemd: the commands
    /// of [`INIT_COMMANDS`] are the ones that work there (unless the course
    /// declares the name, or `--var` set it).
    pub fn on_machine(&self, systemd: bool) -> Vars {
        let mut vars = self.clone();
        if systemd {
            return vars;
        }
        for (name, with, without) in INIT_COMMANDS {
            if vars.map.get(*name).map(String::as_str) == Some(*with)
                && !self.given.iter().any(|g| g == name)
            {
                vars.map.insert(name.to_string(), without.to_string());
            }
        }
        vars
    }

    /// Every variable and its value.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }
}

/// This process's user id: the owner of /proc/self (no unsafe `getuid`).
fn own_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// The home folder of `uid` in /etc/passwd's text.
fn passwd_home(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        (f.len() >= 7 && f[2].parse() == Ok(uid) && !f[5].is_empty()).then(|| f[5].to_string())
    })
}

/// Every `${name}` in a text, with its byte offset.
pub fn references(text: &str) -> impl Iterator<Item = (usize, &str)> {
    VAR.captures_iter(text).map(|c| {
        let m = c.get(1).expect("group 1");
        (m.start() - 2, m.as_str())
    })
}

/// Every `${name}` of `text` that is neither declared in labs/course.yaml
/// nor built in, located, with the closest known name.
pub(super) fn unknown(
    file: &str,
    text: &str,
    index: &super::locate::Index,
    known: &[&str],
) -> Vec<super::Problem> {
    let mut out: Vec<super::Problem> = Vec::new();
    let declared: Vec<&str> = known
        .iter()
        .filter(|k| !BUILTIN.contains(k))
        .copied()
        .collect();
    let declared = match declared.is_empty() {
        true => "no variables".to_string(),
        false => declared.join(", "),
    };
    for (offset, name) in references(text) {
        if known.contains(&name) {
            continue;
        }
        let (line, col) = index.line_col(text, offset);
        let (hint, hint_zh) = match crate::spelling::closest(name, known.iter().copied()) {
            Some(k) => (
                format!("did you mean `${{{k}}}`? "),
                format!("是不是想写 `${{{k}}}`？"),
            ),
            None => (String::new(), String::new()),
        };
        let builtin = BUILTIN
            .iter()
            .map(|b| format!("`{b}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let declared_zh = match declared.as_str() {
            "no variables" => "没有声明变量".to_string(),
            d => format!("声明了 {d}"),
        };
        out.push(super::Problem {
            file: file.to_string(),
            line: Some(line),
            col: Some(col),
            message: format!(
                "unknown variable `${{{name}}}`: {hint}labs/course.yaml declares {declared} (and {builtin} are built in); declare it under `vars:` or fix its name"
            ),
            zh: Some(format!(
                "未知变量 `${{{name}}}`：{hint_zh}labs/course.yaml {declared_zh}（内置变量有 {builtin}）；请在 `vars:` 下声明它，或改正它的名字"
            )),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> BTreeMap<String, String> {
        BTreeMap::from([
            (
                "daemon_json".to_string(),
                "/etc/docker/daemon.json".to_string(),
            ),
            (
                "bash_history".to_string(),
                "${home}/.bash_history".to_string(),
            ),
        ])
    }

    #[test]
    fn overrides_replace_defaults_and_defaults_expand() {
        std::env::set_var("HOME", "/home/learner");
        let v = Vars::new(&defaults(), &[("daemon_json".into(), "/tmp/d.json".into())]).unwrap();
        assert_eq!(v.expand("cat ${daemon_json}"), "cat /tmp/d.json");
        assert_eq!(v.get("bash_history"), Some("/home/learner/.bash_history"));
        assert_eq!(v.expand("${nope}"), "${nope}");
    }

    #[test]
    fn unknown_override_is_an_error_naming_the_known_ones() {
        let e = Vars::new(&defaults(), &[("daemon_jsn".into(), "x".into())]).unwrap_err();
        assert!(e.contains("daemon_jsn") && e.contains("daemon_json"), "{e}");
    }

    #[test]
    fn a_home_comes_from_passwd_else_stays_unknown() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\nlearner:x:1000:1000::/home/learner:/bin/bash\nnohome:x:1001:1001:::/bin/sh\n";
        assert_eq!(passwd_home(passwd, 1000).as_deref(), Some("/home/learner"));
        assert_eq!(passwd_home(passwd, 1001), None, "an empty home is none");
        assert_eq!(passwd_home(passwd, 4242), None);
        assert!(own_uid().is_some());
        // No home known: `${home}` stays, never /root.
        let v = Vars::with_home(&defaults(), &[], None).unwrap();
        assert_eq!(v.get("bash_history"), Some("${home}/.bash_history"));
    }

    #[test]
    fn the_daemons_commands_are_those_of_the_machines_init() {
        let v = Vars::with_home(&defaults(), &[], None).unwrap();
        let text = "Run `${restart_docker}`; `${docker_log}` says why; or `${start_docker}`.";
        assert_eq!(
            v.expand(text),
            "Run `sudo systemctl daemon-reload && sudo systemctl restart docker`; `sudo journalctl -u docker` says why; or `sudo systemctl start docker`."
        );
        assert_eq!(v.on_machine(true).expand(text), v.expand(text));
        assert_eq!(
            v.on_machine(false).expand(text),
            "Run `sudo service docker restart`; `sudo tail -n 50 /var/log/docker.log` says why; or `sudo service docker start`."
        );
        // What --var says stays.
        let given = Vars::with_home(
            &defaults(),
            &[("start_docker".into(), "rc-service docker start".into())],
            None,
        )
        .unwrap();
        assert_eq!(
            given.on_machine(false).expand("${start_docker}"),
            "rc-service docker start"
        );
    }

    #[test]
    fn references_are_found_with_offsets() {
        let refs: Vec<_> = references("a ${x} b ${y}").collect();
        assert_eq!(refs, vec![(2, "x"), (9, "y")]);
    }
}
