//! A small fluent harness over the real `lab` binary:
//! `Lab::on(&daemon).args(["check", "task3"]).run().code(0)`.
//!
//! Every run is hermetic: its own HOME (so its own journal and shell
//! history), no locale from the caller, no colour, and the daemon and
//! daemon.json of the test bed daemon it is pointed at.

use crate::bed::Daemon;
use lab::report::{CheckResult, Report, Status};
use std::path::{Path, PathBuf};

/// The caller's variables a hermetic run of lab never sees.
pub const SCRUBBED_ENV: &[&str] = &[
    "LANG",
    "LC_ALL",
    "LC_MESSAGES",
    "LAB_LANG",
    "LAB_COURSE",
    "LAB_JOURNAL",
    "LAB_COMMAND_LOG",
    "XDG_STATE_HOME",
    "DOCKER_HOST",
    "NO_COLOR",
];

pub struct Lab {
    cmd: assert_cmd::Command,
    args: Vec<String>,
}

pub struct Done {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub args: Vec<String>,
}

/// The learner's home in a test: holds the journal and shell history.
pub fn home_of(d: &Daemon) -> PathBuf {
    let h = d.dir().join("home");
    std::fs::create_dir_all(&h).expect("create home");
    h
}

/// Appends lines to the learner's bash history, as bash does on exit.
pub fn type_history(d: &Daemon, lines: &[&str]) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(home_of(d).join(".bash_history"))
        .expect("history");
    for l in lines {
        writeln!(f, "{l}").expect("write history");
    }
}

/// Appends commands and their exit statuses to the learner's command log,
/// as the shell integration (`lab init bash`) does after each command.
pub fn type_commands(d: &Daemon, cmds: &[(&str, i32)]) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|t| t.as_secs_f64())
        .unwrap_or(0.0);
    for (i, (cmd, status)) in cmds.iter().enumerate() {
        log_command(d, cmd, *status, now + i as f64 / 1000.0, 1);
    }
}

/// Appends one line to the learner's command log, as `lab init bash`'s
/// hook writes it: started at `at` (Unix seconds), ran `ms` milliseconds.
pub fn log_command(d: &Daemon, cmd: &str, status: i32, at: f64, ms: u64) {
    use std::io::Write;
    let path = home_of(d).join(".local/state/lab/commands.jsonl");
    std::fs::create_dir_all(path.parent().expect("parent")).expect("state dir");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("command log");
    let line = serde_json::json!({
        "at": at, "ms": ms, "status": status,
        "pipe": [status], "shell": "bash", "pid": 1, "cmd": cmd,
    });
    writeln!(f, "{line}").expect("write command log");
}

/// The lab binary under test: this build's, or `LAB_BIN` (the static
/// binaries of scripts/dist, run through the same tests by
/// `scripts/test --dist`).
pub fn lab_bin() -> std::path::PathBuf {
    match std::env::var_os("LAB_BIN") {
        Some(p) if !p.is_empty() => p.into(),
        _ => assert_cmd::cargo::cargo_bin("lab"),
    }
}

impl Lab {
    /// `lab` with a clean environment and a throwaway HOME.
    pub fn new(home: &Path) -> Lab {
        let mut cmd = assert_cmd::Command::new(lab_bin());
        for k in SCRUBBED_ENV {
            cmd.env_remove(k);
        }
        cmd.env("HOME", home).env("NO_COLOR", "1");
        Lab {
            cmd,
            args: Vec::new(),
        }
    }

    /// `lab` pointed at a test bed daemon and its daemon.json.
    pub fn on(d: &Daemon) -> Lab {
        let mut lab = Lab::new(&home_of(d));
        lab.cmd.env("DOCKER_HOST", d.host());
        let cfg = format!("daemon_json={}", d.config_file().display());
        lab.arg_list(&["--var", &cfg]);
        lab
    }

    fn arg_list(&mut self, args: &[&str]) {
        for a in args {
            self.args.push(a.to_string());
        }
    }

    pub fn args<const N: usize>(mut self, args: [&str; N]) -> Lab {
        self.arg_list(&args);
        self
    }

    /// As [`Lab::args`], for a list whose length varies (a table of cases).
    pub fn arg_slice(mut self, args: &[&str]) -> Lab {
        self.arg_list(args);
        self
    }

    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Lab {
        self.cmd.env(k, v);
        self
    }

    /// Kills lab after `limit` (the run then reports exit -1).
    pub fn timeout(mut self, limit: std::time::Duration) -> Lab {
        self.cmd.timeout(limit);
        self
    }

    /// What the learner types at the prompts.
    pub fn stdin(mut self, input: String) -> Lab {
        self.cmd.write_stdin(input);
        self
    }

    pub fn course(self, dir: &Path) -> Lab {
        let d = dir.display().to_string();
        self.args(["--course", &d])
    }

    pub fn run(mut self) -> Done {
        let out = self.cmd.args(&self.args).output().expect("run lab");
        Done {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            args: self.args,
        }
    }
}

impl Done {
    fn context(&self) -> String {
        format!(
            "lab {}\n--- exit {} ---\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }

    pub fn code(&self, want: i32) -> &Done {
        assert_eq!(self.code, want, "unexpected exit code\n{}", self.context());
        assert!(
            !self.stderr.contains("panicked"),
            "lab panicked\n{}",
            self.context()
        );
        self
    }

    pub fn stdout_has(&self, needle: &str) -> &Done {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}\n{}",
            self.context()
        );
        self
    }

    pub fn stderr_has(&self, needle: &str) -> &Done {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}\n{}",
            self.context()
        );
        self
    }

    /// The report of `lab check --format json`, typed.
    pub fn report(&self) -> Report {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not a report: {e}\n{}", self.context()))
    }

    /// The result of one check: `check("task3", "tag", "same-image")`.
    pub fn check(&self, task: &str, step: &str, check: &str) -> CheckResult {
        let found = self
            .report()
            .tasks
            .into_iter()
            .filter(|t| t.id == task)
            .flat_map(|t| t.steps)
            .filter(|s| s.id == step)
            .flat_map(|s| s.checks)
            .find(|c| c.id == check);
        found.unwrap_or_else(|| panic!("no check {task}/{step}/{check}\n{}", self.context()))
    }

    /// Asserts a check's status, and returns it for more assertions.
    pub fn status(&self, task: &str, step: &str, check: &str, want: Status) -> CheckResult {
        let c = self.check(task, step, check);
        assert_eq!(
            c.status,
            want,
            "{task}/{step}/{check}: {}\n{}",
            serde_json::to_string_pretty(&c).unwrap_or_default(),
            self.context()
        );
        c
    }

    /// Every check of a task has one of the statuses given.
    pub fn all_checks(&self, task: &str, allowed: &[Status]) -> &Done {
        for t in self.report().tasks.iter().filter(|t| t.id == task) {
            for s in &t.steps {
                for c in &s.checks {
                    assert!(
                        allowed.contains(&c.status),
                        "{}/{}: {:?}: {}\n{}",
                        s.id,
                        c.id,
                        c.status,
                        c.message,
                        self.context()
                    );
                }
            }
        }
        self
    }
}

/// The real `lab` under GNU time (`/usr/bin/time -f '%e %M'`), in a clean
/// environment (no [`SCRUBBED_ENV`], no colour, HOME = `home`): the
/// command to add arguments to, and where the figures will be.
pub fn timed_lab(home: &Path, timing: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new("/usr/bin/time");
    cmd.args(["-f", "%e %M", "-o"]).arg(timing).arg(lab_bin());
    for k in SCRUBBED_ENV {
        cmd.env_remove(k);
    }
    cmd.env("HOME", home).env("NO_COLOR", "1");
    cmd
}

/// What GNU time measured for [`timed_lab`]: wall seconds and peak RSS in
/// MiB (`f64::MAX` each when it measured nothing).
pub fn measured(timing: &Path) -> (f64, f64) {
    let text = std::fs::read_to_string(timing).unwrap_or_default();
    // GNU time notes a non-zero exit on a line of its own first.
    let last = text.lines().last().unwrap_or_default();
    let mut words = last.split_whitespace();
    let mut next = || words.next().and_then(|w| w.parse::<f64>().ok());
    let secs = next().unwrap_or(f64::MAX);
    let mib = next().map_or(f64::MAX, |kib| kib / 1024.0);
    (secs, mib)
}

/// The simulated class's folder (`$LAB_GRADEBED_DIR`, as `scripts/gradebed`
/// writes it), for the `lab grade` tests.
pub fn gradebed() -> PathBuf {
    let dir = PathBuf::from(
        std::env::var("LAB_GRADEBED_DIR").unwrap_or_else(|_| "/tmp/lab-gradebed".into()),
    );
    assert!(
        dir.join("roster.csv").is_file(),
        "the simulated class is not up: run `scripts/gradebed up` (the README's test command does)"
    );
    dir
}

/// Processes still running for lab's run `pid` (its ssh children name the
/// run's control-socket folder, `lab-grade-PID-…`).
pub fn leftover_ssh(pid: u32) -> Vec<String> {
    let mark = format!("lab-grade-{pid}-");
    std::fs::read_dir("/proc")
        .expect("read /proc")
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(&mark))
        .collect()
}
