//! `lab watch` on a real daemon: plain lines through a pipe (what changed,
//! within a bounded wait after the learner's action), a daemon restart,
//! SIGTERM; the terminal mode in tmux beside the learner's shell; zh-CN.

use crate::bed::Daemon;
use crate::harness::{home_of, lab_bin, type_commands, SCRUBBED_ENV};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A bounded wait for a line: generous, the machine is shared with other
/// builds (the latency itself is measured in the benchmark, not here).
const WAIT: Duration = Duration::from_secs(20);

/// `lab watch ARGS --plain` running against `d`, its stdout collected.
struct Watch {
    child: Child,
    out: Arc<Mutex<String>>,
}

fn lab_command(d: &Daemon) -> Command {
    let mut c = Command::new(lab_bin());
    for k in SCRUBBED_ENV {
        c.env_remove(k);
    }
    c.env("HOME", home_of(d))
        .env("NO_COLOR", "1")
        .env("DOCKER_HOST", d.host())
        .arg("--var")
        .arg(format!("daemon_json={}", d.config_file().display()));
    c
}

impl Watch {
    fn start(d: &Daemon, args: &[&str]) -> Watch {
        let mut c = lab_command(d);
        c.args(args).stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = c.spawn().expect("start lab watch");
        let out = Arc::new(Mutex::new(String::new()));
        let stdout = child.stdout.take().expect("stdout");
        let sink = out.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let mut s = sink.lock().expect("lock");
                s.push_str(&line);
                s.push('\n');
            }
        });
        Watch { child, out }
    }

    fn text(&self) -> String {
        self.out.lock().expect("lock").clone()
    }

    /// Waits until the output after `from` bytes has `needle`; returns the
    /// length of the output then and how long it took.
    fn wait_for(&self, from: usize, needle: &str) -> (usize, Duration) {
        let t = Instant::now();
        loop {
            let text = self.text();
            if text.get(from..).is_some_and(|s| s.contains(needle)) {
                return (text.len(), t.elapsed());
            }
            assert!(
                t.elapsed() < WAIT,
                "no `{needle}` within {WAIT:?}; lab watch printed:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// SIGTERM; the exit code and everything printed.
    fn term(mut self) -> (i32, String) {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        let t = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                std::thread::sleep(Duration::from_millis(100));
                return (status.code().unwrap_or(-1), self.text());
            }
            assert!(t.elapsed() < WAIT, "lab watch did not end on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn plain_watch_prints_each_step_that_changes_survives_a_restart_and_ends_on_sigterm() {
    let mut d = Daemon::start();
    let w = Watch::start(&d, &["watch", "task3", "--plain"]);
    let (at, _) = w.wait_for(0, "task3: 0/6 steps");
    assert!(w.text().starts_with("lab watch task3"), "{}", w.text());

    d.docker(&["pull", "tomcat"]);
    let (at, took) = w.wait_for(at, "✔ pull-latest");
    eprintln!("pull tomcat → ✔ pull-latest after {took:?}");

    // A command in the command log: the listing step reads it.
    d.docker(&["pull", "tomcat:8.0"]);
    let (at, _) = w.wait_for(at, "✔ pull-8");
    type_commands(&d, &[("docker images tomcat", 0)]);
    let (at, _) = w.wait_for(at, "✔ list");

    d.restart();
    let (at, _) = w.wait_for(at, "the Docker daemon stopped answering");
    let (at, _) = w.wait_for(at, "the Docker daemon answers again");
    // After the restart the journal still holds what passed: nothing turns red.
    std::thread::sleep(Duration::from_millis(300));
    let after = w.text()[at..].to_string();
    assert!(!after.contains("✘ pull-latest"), "{after}");

    let (code, text) = w.term();
    assert_eq!(
        code, 1,
        "task3 is not done: exit code 1 as lab check\n{text}"
    );
    assert!(
        text.lines()
            .last()
            .is_some_and(|l| l.starts_with("task3: 3/6 steps, score 3/6")),
        "the summary is the last line:\n{text}"
    );
}

#[test]
fn plain_watch_sees_a_file_the_task_reads_and_an_undo() {
    let d = Daemon::start();
    let config = d.config_file();
    let good = std::fs::read_to_string(&config).expect("daemon.json");
    let w = Watch::start(&d, &["--no-journal", "watch", "task2", "--plain"]);
    let (at, _) = w.wait_for(0, "task2: ");
    assert!(
        w.text().contains("✔ mirror-config"),
        "the bed's daemon.json is valid: {}",
        w.text()
    );

    std::fs::write(&config, "{\"registry-mirrors\": [\n").expect("break daemon.json");
    let (at, took) = w.wait_for(at, "✘ mirror-config");
    eprintln!("daemon.json broken → ✘ mirror-config after {took:?}");
    assert!(
        w.text()[at..].is_empty() || !w.text()[at..].contains("✔ mirror-config"),
        "{}",
        w.text()
    );
    std::fs::write(&config, good).expect("restore daemon.json");
    w.wait_for(at, "✔ mirror-config");
    let (code, text) = w.term();
    assert_ne!(code, 0, "{text}");
    assert!(
        text.lines()
            .last()
            .is_some_and(|l| l.starts_with("task2: ")),
        "{text}"
    );
}

#[test]
fn watch_without_a_task_follows_the_first_one_not_passed() {
    let d = Daemon::start();
    let w = Watch::start(&d, &["watch", "--plain"]);
    w.wait_for(0, "lab watch task1");
    let (code, text) = w.term();
    assert_ne!(code, 0, "{text}");
}

#[test]
fn a_zh_cn_watch_speaks_chinese() {
    let d = Daemon::start();
    let w = Watch::start(&d, &["--lang", "zh-CN", "watch", "task3", "--plain"]);
    let (at, _) = w.wait_for(0, "task3：0/6 步");
    d.docker(&["pull", "tomcat"]);
    w.wait_for(at, "✔ pull-latest");
    let (_, text) = w.term();
    assert!(text.contains("lab watch task3：Docker"), "{text}");
    assert!(
        text.lines().last().is_some_and(|l| l.contains("步，得分")),
        "{text}"
    );
}

/// Two tmux panes: the learner's shell and `lab watch`.
struct Panes {
    socket: std::path::PathBuf,
}

impl Panes {
    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self, pane: &str) -> String {
        self.tmux(&["capture-pane", "-p", "-t", pane])
    }

    fn wait(&self, pane: &str, needle: &str) {
        self.wait_until(pane, &format!("`{needle}`"), |s| s.contains(needle));
    }

    fn wait_until(&self, pane: &str, what: &str, done: impl Fn(&str) -> bool) {
        let t = Instant::now();
        loop {
            let s = self.screen(pane);
            if done(&s) {
                return;
            }
            assert!(t.elapsed() < WAIT, "no {what} in pane {pane}:\n{s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Panes {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

fn env_line(d: &Daemon, home: &Path) -> String {
    let mut line = format!(
        "env -u LANG -u LC_ALL -u LAB_LANG -u LAB_COURSE -u LAB_JOURNAL -u XDG_STATE_HOME HOME={} DOCKER_HOST={}",
        home.display(),
        d.host()
    );
    for (k, v) in d.envs() {
        line.push_str(&format!(" {k}={v}"));
    }
    line
}

#[test]
fn tty_watch_in_tmux_ticks_the_learner_s_command_and_q_restores_the_terminal() {
    let d = Daemon::start();
    let home = home_of(&d);
    let panes = Panes {
        socket: home.join("tmux.sock"),
    };
    let watch = format!(
        "{} {} --var daemon_json={} watch task3; echo WATCH-ENDED $?",
        env_line(&d, &home),
        lab_bin().display(),
        d.config_file().display()
    );
    let status = Command::new("tmux")
        .arg("-S")
        .arg(&panes.socket)
        .args([
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            "120",
            "-y",
            "50",
            "-n",
            "w",
        ])
        .arg("bash --norc --noprofile")
        .env("TERM", "xterm-256color")
        .status()
        .expect("tmux is needed (scripts/test installs it)");
    assert!(status.success());
    panes.tmux(&["split-window", "-t", "w", "-h", "bash --norc --noprofile"]);
    panes.tmux(&["send-keys", "-t", "w.0", "-l", &watch]);
    panes.tmux(&["send-keys", "-t", "w.0", "Enter"]);
    panes.wait("w.0", "q quit");
    panes.wait("w.0", "✘ pull-latest");
    let learner = format!("{} docker pull tomcat", env_line(&d, &home));
    panes.tmux(&["send-keys", "-t", "w.1", "-l", &learner]);
    panes.tmux(&["send-keys", "-t", "w.1", "Enter"]);
    panes.wait("w.0", "✔ pull-latest");
    // h hides the failing step's expected / actual / hint, and shows them again.
    assert!(panes.screen("w.0").contains("expected"));
    panes.tmux(&["send-keys", "-t", "w.0", "h"]);
    panes.wait_until("w.0", "hints hidden", |s| {
        !s.contains("expected") && s.contains("✔ pull-latest")
    });
    panes.tmux(&["send-keys", "-t", "w.0", "h"]);
    panes.wait("w.0", "expected");
    // n / p: the next task and back.
    panes.tmux(&["send-keys", "-t", "w.0", "n"]);
    panes.wait("w.0", "lab watch task4");
    panes.tmux(&["send-keys", "-t", "w.0", "p"]);
    panes.wait("w.0", "lab watch task3");
    panes.wait("w.0", "✔ pull-latest");
    panes.tmux(&["send-keys", "-t", "w.0", "q"]);
    panes.wait("w.0", "WATCH-ENDED 1");
    let screen = panes.screen("w.0");
    assert!(
        screen.contains("task3: 1/6 steps"),
        "the summary is printed on the restored screen:\n{screen}"
    );
    // Back in cooked mode: what is typed echoes and runs.
    panes.tmux(&["send-keys", "-t", "w.0", "-l", "echo COOKED-$((1+1))"]);
    panes.tmux(&["send-keys", "-t", "w.0", "Enter"]);
    panes.wait("w.0", "COOKED-2");
}

/// User + system CPU seconds of a running process, from /proc.
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    // Fields after the command's closing parenthesis: utime is the 14th
    // field of the line, the 12th after it.
    let rest = &stat[stat.rfind(')').expect(")") + 2..];
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|w| w.parse().unwrap_or(0.0))
        .collect();
    (f[11] + f[12]) / 100.0
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// `cargo test --test it bench_tick -- --ignored --nocapture`: how long
/// after a docker command its step's line appears (task 10's running
/// httpd, killed and started again, `--no-journal` so the step can turn
/// red again), and the CPU `lab watch` uses while nothing happens, beside
/// a shell loop running `lab check` every second. Figures in BENCHMARKS.md.
#[test]
#[ignore]
fn bench_tick_latency_and_idle_cpu_beside_a_check_every_second() {
    let d = Daemon::start();
    d.docker(&["pull", "httpd:2.4"]);
    d.docker(&["pull", "hello-world"]);
    d.docker(&["run", "hello-world"]);
    d.docker(&["run", "-d", "--name", "web", "httpd:2.4"]);
    let w = Watch::start(&d, &["--no-journal", "watch", "task10", "--plain"]);
    let (mut at, _) = w.wait_for(0, "task10: ");
    assert!(w.text().contains("✔ run "), "{}", w.text());
    let (mut red, mut green, mut whole) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..10 {
        let t = Instant::now();
        d.docker(&["kill", "web"]);
        let cli = t.elapsed();
        let (next, took) = w.wait_for(at, "✘ run ");
        red.push(took);
        whole.push(cli + took);
        let t = Instant::now();
        d.docker(&["start", "web"]);
        let cli = t.elapsed();
        let (next2, took) = w.wait_for(next, "✔ run ");
        green.push(took);
        whole.push(cli + took);
        at = next2;
    }
    eprintln!(
        "tick latency after the docker command returned, median of 10: kill → ✘ {:?}, start → ✔ {:?}; from the command's start: {:?} (max {:?})",
        median(red),
        median(green),
        median(whole.clone()),
        whole.iter().max().expect("samples")
    );

    const IDLE: Duration = Duration::from_secs(30);
    std::thread::sleep(Duration::from_secs(1));
    let pid = w.child.id();
    let before = cpu_secs(pid);
    std::thread::sleep(IDLE);
    let watch_cpu = cpu_secs(pid) - before;
    let (_, _) = w.term();

    let timing = home_of(&d).join("loop.time");
    let lab = lab_bin();
    let script = format!(
        "while :; do {} --no-journal --var daemon_json={} check task10 >/dev/null; sleep 1; done",
        lab.display(),
        d.config_file().display()
    );
    Command::new("/usr/bin/time")
        .args(["-f", "%U %S", "-o"])
        .arg(&timing)
        .args([
            "timeout",
            "-s",
            "INT",
            &IDLE.as_secs().to_string(),
            "bash",
            "-c",
            &script,
        ])
        .env("HOME", home_of(&d))
        .env("DOCKER_HOST", d.host())
        .env("NO_COLOR", "1")
        .status()
        .expect("time");
    let text = std::fs::read_to_string(&timing).expect("timing");
    let last = text.lines().last().unwrap_or_default();
    let loop_cpu: f64 = last
        .split_whitespace()
        .filter_map(|w| w.parse::<f64>().ok())
        .sum();
    eprintln!(
        "idle CPU over {:?}: lab watch {:.2} s ({:.3} %), a `lab check` every second {:.2} s ({:.2} %)",
        IDLE,
        watch_cpu,
        100.0 * watch_cpu / IDLE.as_secs_f64(),
        loop_cpu,
        100.0 * loop_cpu / IDLE.as_secs_f64()
    );
}

#[test]
fn watch_follows_one_task_and_says_so_for_a_unit_or_an_unknown_name() {
    let home = tempfile::tempdir().expect("tmp");
    crate::harness::Lab::new(home.path())
        .args(["watch", "unit1"])
        .run()
        .code(2)
        .stderr_has("`unit1` is a unit: name one of its tasks");
    crate::harness::Lab::new(home.path())
        .args(["--lang", "zh-CN", "watch", "unit1"])
        .run()
        .code(2)
        .stderr_has("是一个单元");
    crate::harness::Lab::new(home.path())
        .args(["watch", "nosuch"])
        .run()
        .code(2)
        .stderr_has("no task or unit named `nosuch`");
    crate::harness::Lab::new(home.path())
        .args(["watch", "--help"])
        .run()
        .code(0)
        .stdout_has("Exit codes")
        .stdout_has("q quit");
}
