//! The scenario harness: a learner's commands, as typed, played on a real
//! daemon, and the status lab must give every step of the task afterwards.
//! Each scenario runs in every variant, and the verdict must not move:
//!
//! - `Plain`: the commands, then one `lab check`.
//! - `Midway`: `lab check` after every command (the journal fills up).
//! - `Restarts`: `lab check` after every command, then a daemon restart (a
//!   VM shut down for the night): the event buffer is lost each time, so
//!   only what lab saw and recorded carries a step across.
//!
//! A typed line runs in bash against the scenario's daemon and is recorded
//! as the shell of a learner who followed task 2 records it: appended to
//! `~/.bash_history` as typed, and to lab's command log with its exit
//! status (`eval "$(lab init bash)"`). Placeholders stand for what
//! a learner copies from the screen: `{id:REF}` the IMAGE ID of REF (12 hex
//! digits, as `docker images` shows it), `{cid:IMAGE}` the CONTAINER ID of
//! the newest container of IMAGE, `{cid}` that of the newest container,
//! `{dir}` the scenario's scratch folder. A line starting with `lab ` runs
//! lab itself (a quiz, a check midway); `#restart` restarts the daemon.

use crate::bed::Daemon;
use crate::harness::{log_command, type_history, Lab};
use lab::report::Status;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Plain,
    Midway,
    Restarts,
}

pub const ALL: &[Variant] = &[Variant::Plain, Variant::Midway, Variant::Restarts];

pub struct Scenario {
    pub name: &'static str,
    pub task: &'static str,
    /// The commands as the learner types them.
    pub typed: &'static [&'static str],
    /// `step=status` for every step of the task: pass, fail or skip
    /// (`task/step=…` when `task` is `--all`; `task4/*=pass` for every step
    /// of a task).
    pub expect: &'static str,
    /// `(step, words)`: the failing step's hint must say these words, in
    /// every variant (a known mistake fails at its own step, with its hint).
    pub hints: &'static [(&'static str, &'static str)],
    pub variants: &'static [Variant],
    /// A daemon whose `-p` ports reach 127.0.0.1 (task 4, task 9).
    pub networked: bool,
}

impl Scenario {
    /// Plays the scenario in each of its variants; panics with every
    /// difference from the expected statuses.
    pub fn run(&self) {
        let mut failures = Vec::new();
        for v in self.variants {
            let (mut got, hints, detail) = self.play(*v);
            let want = self.want(&got);
            // `--all` checks tasks the scenario does not play.
            let tasks: Vec<&str> = want.keys().filter_map(|k| k.split('/').next()).collect();
            got.retain(|k, _| tasks.iter().any(|t| k.starts_with(&format!("{t}/"))));
            if got != want {
                failures.push(format!(
                    "{} [{v:?}]\n  want {want:?}\n  got  {got:?}\n{detail}",
                    self.name
                ));
            }
            for (step, words) in self.hints {
                let key = self.key(step);
                let hint = hints.get(&key).cloned().unwrap_or_default();
                if !hint.contains(words) {
                    failures.push(format!(
                        "{} [{v:?}]: the hint of {key} does not say {words:?}: {hint:?}",
                        self.name
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    }

    /// `task/step` for a step of this scenario's expectations.
    fn key(&self, step: &str) -> String {
        if step.contains('/') {
            step.to_string()
        } else {
            format!("{}/{step}", self.task)
        }
    }

    /// The expected status of each step that `got` has, with `task/*`
    /// expanded to every step of that task.
    fn want(&self, got: &BTreeMap<String, Status>) -> BTreeMap<String, Status> {
        let mut want = BTreeMap::new();
        for kv in self.expect.split_whitespace() {
            let (k, v) = kv.split_once('=').expect("step=status");
            let v: Status = serde_json::from_value(v.into()).expect("pass, fail or skip");
            let k = self.key(k);
            match k.strip_suffix("/*") {
                Some(task) => {
                    for step in got.keys().filter(|s| s.starts_with(&format!("{task}/"))) {
                        want.insert(step.clone(), v);
                    }
                }
                None => {
                    want.insert(k, v);
                }
            }
        }
        want
    }

    /// Plays the scenario; returns each step's status and the hints of its
    /// failed checks (by `task/step`), and every check's message.
    fn play(&self, v: Variant) -> (BTreeMap<String, Status>, BTreeMap<String, String>, String) {
        let mut d = if self.networked {
            Daemon::start_networked()
        } else {
            Daemon::start()
        };
        for line in self.typed {
            let line = expand(&d, line);
            if line == "#restart" {
                d.restart();
            } else if let Some(args) = line.strip_prefix("lab ") {
                let args = words(args);
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                lab(&d, &args).run();
            } else {
                type_command(&d, &line);
            }
            if v != Variant::Plain {
                lab(&d, &["check", self.task]).run();
            }
            if v == Variant::Restarts {
                d.restart();
            }
        }
        let done = lab(&d, &["check", self.task, "--format", "json"]).run();
        let mut got = BTreeMap::new();
        let mut hints = BTreeMap::new();
        let mut detail = String::new();
        for t in done.report().tasks {
            for s in t.steps {
                let id = format!("{}/{}", t.id, s.id);
                for c in s.checks {
                    if let Some(h) = &c.hint {
                        hints
                            .entry(id.clone())
                            .or_insert_with(String::new)
                            .push_str(h);
                    }
                    detail.push_str(&format!(
                        "    {id}/{}: {:?} — {}\n",
                        c.id, c.status, c.message
                    ));
                }
                got.insert(id, s.status);
            }
        }
        (got, hints, detail)
    }
}

/// Runs a typed line in bash and records it as a learner's shell does who
/// followed task 2: in `~/.bash_history`, and with its exit status, start
/// and duration in lab's command log (`lab init bash`).
fn type_command(d: &Daemon, line: &str) {
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|t| t.as_secs_f64())
            .unwrap_or(0.0)
    };
    let start = now();
    let out = d.sh_may_fail(line);
    let ms = ((now() - start) * 1000.0) as u64;
    type_history(d, &[line]);
    log_command(d, line, out.status.code().unwrap_or(-1), start, ms);
}

/// The words of a `lab` line: split at spaces, except inside "double
/// quotes" (`--answer "q5=a c"`).
fn words(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => out.push(String::new()),
            c => out.last_mut().expect("a word").push(c),
        }
    }
    out.retain(|w| !w.is_empty());
    out
}

/// `lab ARGS` on the scenario's daemon, with its scratch folder as the
/// images folder of task 6 and the home of ufw's files (task 2), the
/// daemon's CLI configuration as task 9's config.json, and the registry's
/// port standing in for sshd's (task 2: the test bed runs no sshd).
fn lab(d: &Daemon, args: &[&str]) -> Lab {
    let images = format!("images_dir={}", d.dir().join("images").display());
    let port = d.registry().rsplit(':').next().unwrap_or_default();
    let ssh = format!("ssh_port={port}");
    // ufw's files (task 2) in the scratch folder: the host's own never count.
    let ufw = d.dir().join("ufw");
    let ufw_conf = format!("ufw_conf={}", ufw.join("ufw.conf").display());
    let ufw_rules = format!("ufw_rules={}", ufw.join("user.rules").display());
    // The CLI configuration `docker login` writes (task 9): DOCKER_CONFIG's.
    let config = format!("docker_config={}", d.cli_config().display());
    let mut l = Lab::on(d).args([
        "--var", &images, "--var", &ssh, "--var", &ufw_conf, "--var", &ufw_rules, "--var", &config,
    ]);
    for a in args {
        l = l.args([a]);
    }
    l
}

/// Replaces the placeholders of a typed line with what the learner would
/// have copied from `docker images` / `docker ps -a` at that moment.
fn expand(d: &Daemon, line: &str) -> String {
    let mut out = line.replace("{dir}", &d.dir().display().to_string());
    if out.contains("{cid}") {
        let newest = first_line(d, &["ps", "-aq", "--latest"]);
        out = out.replace("{cid}", &newest);
    }
    for (tag, args) in [
        ("{id:", &["images", "-q"][..]),
        ("{cid:", &["ps", "-aq", "--latest", "--filter"][..]),
    ] {
        while let Some(start) = out.find(tag) {
            let len = out[start..].find('}').expect("a closing }");
            let what = out[start + tag.len()..start + len].to_string();
            let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            args.push(if tag == "{cid:" {
                format!("ancestor={what}")
            } else {
                what
            });
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let value = first_line(d, &args);
            out.replace_range(start..start + len + 1, &value);
        }
    }
    out
}

fn first_line(d: &Daemon, args: &[&str]) -> String {
    let out = d.docker(args);
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().next().unwrap_or_default().trim().to_string();
    assert!(
        !line.is_empty(),
        "`docker {}` printed nothing",
        args.join(" ")
    );
    line
}
