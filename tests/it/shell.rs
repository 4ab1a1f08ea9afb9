//! The shell integration in real interactive shells (bash and zsh in tmux,
//! typed with send-keys), and the `history` kind reading its command log.
//! Needs tmux and zsh (scripts/test installs them).

use crate::bed::Daemon;
use crate::harness::{home_of, Lab};
use crate::kinds::course_with;
use lab::report::Status;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// One interactive shell in a private tmux server.
struct Term {
    socket: PathBuf,
}

impl Term {
    /// Starts `argv` in a 200x50 terminal with `env`, HOME = `home`.
    fn start(home: &Path, argv: &[&str], env: &[(&str, String)]) -> Term {
        let socket = home.join("tmux.sock");
        let mut c = Command::new("tmux");
        c.args(["-S", &socket.display().to_string(), "-f", "/dev/null"])
            .args(["new-session", "-d", "-s", "t", "-x", "200", "-y", "50"])
            .args(argv)
            .env("HOME", home)
            .env("TERM", "xterm")
            .env_remove("LAB_COMMAND_LOG")
            .env_remove("XDG_STATE_HOME")
            .env_remove("PROMPT_COMMAND")
            .envs(env.iter().map(|(k, v)| (k, v)));
        let out = c
            .output()
            .unwrap_or_else(|e| panic!("tmux is needed (scripts/test installs it): {e}"));
        assert!(
            out.status.success(),
            "tmux: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Term { socket }
    }

    /// An interactive bash whose ~/.bashrc is `rc`.
    fn bash(home: &Path, rc: &str, env: &[(&str, String)]) -> Term {
        let rcfile = home.join(".bashrc");
        std::fs::write(&rcfile, rc).expect("bashrc");
        let rcfile = rcfile.display().to_string();
        Term::start(
            home,
            &["bash", "--noprofile", "--rcfile", &rcfile, "-i"],
            env,
        )
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-S", &self.socket.display().to_string()])
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types `line` and Enter, as a learner would.
    fn type_line(&self, line: &str) {
        if !line.is_empty() {
            self.tmux(&["send-keys", "-t", "t", "-l", line]);
        }
        self.tmux(&["send-keys", "-t", "t", "Enter"]);
    }

    /// The whole screen and scrollback.
    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-J", "-t", "t", "-S", "-"])
    }

    /// Waits until `done` holds (10 s at most).
    fn wait(&self, what: &str, done: impl Fn() -> bool) {
        let start = Instant::now();
        while !done() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "timed out waiting for {what}; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

fn lab_bin() -> &'static str {
    env!("CARGO_BIN_EXE_lab")
}

/// The command log's lines (those that parse).
fn log_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Types each line, waiting for the log to grow when `logged`.
fn type_all(term: &Term, log: &Path, lines: &[(&str, bool)]) {
    for (line, logged) in lines {
        let before = log_lines(log).len();
        let prompts = term.screen().matches("P[").count();
        term.type_line(line);
        if *logged {
            term.wait(&format!("{line:?} in the log"), || {
                log_lines(log).len() > before
            });
        } else {
            term.wait(&format!("the prompt after {line:?}"), || {
                term.screen().matches("P[").count() > prompts
            });
        }
    }
}

/// (command, status, pipe) of each logged line.
fn summary(lines: &[Value]) -> Vec<(String, i64, String)> {
    lines
        .iter()
        .map(|l| {
            (
                l["cmd"].as_str().unwrap_or("?").to_string(),
                l["status"].as_i64().unwrap_or(-1),
                l["pipe"].to_string(),
            )
        })
        .collect()
}

/// What both shells are made to type, and what their log must say.
const QUOTED: &str = r#"echo "引号 \"q\" 中文 \\ end""#;

fn expected() -> Vec<(String, i64, String)> {
    vec![
        (QUOTED.to_string(), 0, "[0]".into()),
        ("false".into(), 1, "[1]".into()),
        ("true | false | true".into(), 0, "[0,1,0]".into()),
        ("sh -c 'exit 3'".into(), 3, "[3]".into()),
        ("sh -c 'exit 3'".into(), 3, "[3]".into()),
        ("echo \"$hooks\" > hooks.txt".into(), 0, "[0]".into()),
    ]
}

fn typed() -> Vec<(&'static str, bool)> {
    vec![
        (QUOTED, true),
        ("false", true),
        ("true | false | true", true),
        ("", false),
        (" echo hidden", false),
        ("sh -c 'exit 3'", true),
        ("sh -c 'exit 3'", true),
        ("echo \"$hooks\" > hooks.txt", true),
    ]
}

#[test]
fn bash_logs_each_command_with_its_status_and_keeps_the_prompt_s() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    // The learner's own PROMPT_COMMAND and DEBUG trap, then the hook, last
    // in ~/.bashrc as the lesson says; twice, as `source ~/.bashrc` would.
    let rc = format!(
        "set -u\ndbg=0 hooks=\nPS1='P[${{PIPESTATUS[*]}}:$?]> '\nHISTCONTROL=ignoreboth\n\
PROMPT_COMMAND='hooks+=\"pc$? \"'\ntrap 'dbg=$((dbg+1))' DEBUG\n\
eval \"$({lab} init bash)\"\neval \"$({lab} init bash)\"\ncd \"$HOME\"\n",
        lab = lab_bin()
    );
    let state = home.join("state");
    let log = state.join("lab/commands.jsonl");
    let term = Term::bash(
        home,
        &rc,
        &[("XDG_STATE_HOME", state.display().to_string())],
    );
    term.wait("the first prompt", || term.screen().contains("P[0:0]"));
    type_all(&term, &log, &typed());
    let lines = log_lines(&log);
    assert_eq!(summary(&lines), expected(), "{}", term.screen());
    for l in &lines {
        assert_eq!(l["shell"], "bash");
        assert!(l["at"].as_f64().unwrap_or(0.0) > 1.7e9, "{l}");
        assert!(l["ms"].as_u64().is_some(), "{l}");
    }
    // Started in the order typed.
    let at: Vec<f64> = lines
        .iter()
        .map(|l| l["at"].as_f64().unwrap_or(0.0))
        .collect();
    assert!(at.windows(2).all(|w| w[0] <= w[1]), "{at:?}");
    // The prompt still saw each command's $? and PIPESTATUS.
    let screen = term.screen();
    assert!(screen.contains("P[1:1]> true | false | true"), "{screen}");
    assert!(screen.contains("P[0 1 0:0]> "), "{screen}");
    assert!(screen.contains("P[3:3]> "), "{screen}");
    // The learner's PROMPT_COMMAND ran at each prompt with the right $?;
    // their DEBUG trap still runs (it counted the commands).
    let hooks = std::fs::read_to_string(home.join("hooks.txt")).expect("hooks.txt");
    assert_eq!(hooks.trim(), "pc0 pc0 pc1 pc0 pc0 pc0 pc3 pc3", "{screen}");
    type_all(&term, &log, &[("echo \"dbg=$dbg\"", true)]);
    term.wait("the DEBUG count", || {
        term.screen().lines().any(|l| {
            l.strip_prefix("dbg=")
                .and_then(|n| n.parse::<u32>().ok())
                .is_some_and(|n| n >= 8)
        })
    });
    // Lines typed over several lines are logged as history keeps them.
    type_all(
        &term,
        &log,
        &[
            ("for i in 1 2; do\necho \"n=$i\"\ndone", true),
            ("cat <<EOF\nhere\nEOF", true),
        ],
    );
    let last: Vec<String> = summary(&log_lines(&log))
        .into_iter()
        .map(|s| s.0)
        .skip(7)
        .collect();
    assert_eq!(
        last,
        [
            "for i in 1 2; do echo \"n=$i\"; done",
            "cat <<EOF\nhere\nEOF"
        ]
    );
    // Nothing printed by the hook, even under `set -u`.
    let screen = term.screen();
    assert!(
        !screen.contains("__lab") && !screen.contains("unbound"),
        "{screen}"
    );
}

#[test]
fn zsh_logs_each_command_with_its_status_and_keeps_the_prompt_s() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    let rc = format!(
        "setopt prompt_subst hist_ignore_space hist_ignore_dups\nPS1='P[${{pipestatus[*]}}:%?]> '\n\
hooks=\nmine() {{ hooks+=\"pc$? \"; }}\nprecmd_functions+=(mine)\n\
eval \"$({lab} init zsh)\"\neval \"$({lab} init zsh)\"\ncd \"$HOME\"\n",
        lab = lab_bin()
    );
    std::fs::write(home.join(".zshrc"), rc).expect("zshrc");
    let log = home.join("zsh-commands.jsonl");
    let term = Term::start(
        home,
        &["zsh", "-i"],
        &[
            ("ZDOTDIR", home.display().to_string()),
            ("LAB_COMMAND_LOG", log.display().to_string()),
        ],
    );
    term.wait("the first prompt", || term.screen().contains("P[0:0]"));
    type_all(&term, &log, &typed());
    let lines = log_lines(&log);
    assert_eq!(summary(&lines), expected(), "{}", term.screen());
    assert!(lines.iter().all(|l| l["shell"] == "zsh"));
    let screen = term.screen();
    assert!(screen.contains("P[1:1]> true | false | true"), "{screen}");
    assert!(screen.contains("P[0 1 0:0]> "), "{screen}");
    let hooks = std::fs::read_to_string(home.join("hooks.txt")).expect("hooks.txt");
    assert_eq!(hooks.trim(), "pc0 pc0 pc1 pc0 pc0 pc0 pc3 pc3", "{screen}");
}

/// task7 end to end: the learner's bash (with the hook) against the test
/// bed daemon, then `lab check task7`.
#[test]
fn task7_sees_the_refused_rmi_in_the_log() {
    let d = Daemon::start();
    d.docker(&["pull", "ubuntu:18.04"]);
    let home = home_of(&d);
    let rc = format!(
        "PS1='P[$?]\\$ '\neval \"$({} init bash)\"\ncd \"$HOME\"\n",
        lab_bin()
    );
    let log = home.join(".local/state/lab/commands.jsonl");
    let env: Vec<(&str, String)> = d.envs();
    let term = Term::bash(&home, &rc, &env);
    term.wait("the first prompt", || term.screen().contains("P[0]"));
    type_all(
        &term,
        &log,
        &[
            ("docker run ubuntu:18.04 echo 'hello! I am here!'", true),
            ("docker rmi ubuntu:18.04", true),
            ("docker rm $(docker ps -aq)", true),
            ("docker rmi ubuntu:18.04", true),
        ],
    );
    let got = summary(&log_lines(&log));
    assert_eq!(got[1].1, 1, "refused: {}", term.screen());
    assert!(term.screen().contains("conflict"), "{}", term.screen());
    assert_eq!(got[3].1, 0, "removed: {}", term.screen());
    let done = Lab::on(&d)
        .args(["check", "task7", "--format", "json"])
        .run();
    let c = done.status("task7", "refused", "tried", Status::Pass);
    assert!(c.message.as_str().contains("exit status 1"), "{c:?}");
    // The integration is there: no warning about it.
    assert!(done.report().warnings.is_empty(), "{}", done.stdout);
}

/// Writes a command log as the hook would.
fn write_log(home: &Path, cmds: &[(&str, i32)]) {
    let path = home.join(".local/state/lab/commands.jsonl");
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let mut text = String::new();
    for (i, (cmd, status)) in cmds.iter().enumerate() {
        let line = serde_json::json!({
            "at": 1_764_650_000.0 + i as f64, "ms": 3, "status": status,
            "pipe": [status], "shell": "bash", "pid": 7, "cmd": cmd,
        });
        text.push_str(&format!("{line}\n"));
    }
    text.push_str("{\"torn\n");
    std::fs::write(path, text).expect("log");
}

#[test]
fn the_history_kind_reads_status_and_order_from_the_log() {
    let d = Daemon::start();
    let home = home_of(&d);
    write_log(
        &home,
        &[
            ("docker history ubuntu:18.04", 1),
            ("docker pull ubuntu:18.04", 0),
            ("docker rm 1a2b", 0),
            ("docker rmi ubuntu:18.04", 0),
        ],
    );
    let course = course_with(
        d.dir(),
        r#"
    - { id: ok, history: { matches: 'docker\s+rmi\s+ubuntu', shows: { en: "docker rmi ubuntu", zh-CN: "docker rmi ubuntu" }, status: ok } }
    - { id: refused-later-ok, history: { matches: 'docker\s+rmi\s+ubuntu', shows: { en: "docker rmi ubuntu", zh-CN: "docker rmi ubuntu" }, status: failed } }
    - { id: not-before-rm, history: { matches: 'docker\s+rmi\s+ubuntu', shows: { en: "docker rmi ubuntu", zh-CN: "docker rmi ubuntu" }, before: 'docker\s+rm\s', shows_before: { en: "docker rm", zh-CN: "docker rm" } } }
    - { id: history-before-pull, history: { matches: 'docker\s+history', after: 'docker\s+pull', shows: { en: "docker history", zh-CN: "docker history" }, shows_after: { en: "docker pull", zh-CN: "docker pull" } } }
    - { id: pull-before-history, history: { matches: 'docker\s+pull', before: 'docker\s+history', shows: { en: "docker pull", zh-CN: "docker pull" }, shows_before: { en: "docker history", zh-CN: "docker history" } } }
"#,
    );
    let done = Lab::on(&d)
        .course(&course)
        .args(["--no-journal", "check", "t1", "--format", "json"])
        .run();
    done.code(1);
    let st = |id: &str, want: Status| done.status("t1", "s", id, want);
    st("ok", Status::Pass);
    let c = st("refused-later-ok", Status::Fail);
    assert!(c.message.as_str().contains("succeeded"), "{c:?}");
    st("not-before-rm", Status::Fail);
    st("history-before-pull", Status::Fail);
    st("pull-before-history", Status::Fail);
    // The torn line is counted, not fatal.
    assert!(c.warnings.join("\n").contains("skipped 1 line"), "{c:?}");
}

#[test]
fn without_the_log_a_status_cannot_be_told_and_the_report_says_so_once() {
    let d = Daemon::start();
    let home = home_of(&d);
    std::fs::write(
        home.join(".bash_history"),
        "docker rmi ubuntu:18.04\ndocker rm 1a2b\ndocker rmi ubuntu:18.04\n",
    )
    .expect("history");
    let course = course_with(
        d.dir(),
        r#"
    - { id: refused, history: { matches: 'docker\s+rmi\s+ubuntu', shows: { en: "docker rmi ubuntu", zh-CN: "docker rmi ubuntu" }, status: failed, before: 'docker\s+rm\s', shows_before: { en: "docker rm", zh-CN: "docker rm" } } }
    - { id: typed, history: { matches: 'docker\s+rmi\s+ubuntu', shows: { en: "docker rmi ubuntu", zh-CN: "docker rmi ubuntu" }, before: 'docker\s+rm\s', shows_before: { en: "docker rm", zh-CN: "docker rm" } } }
"#,
    );
    let done = Lab::on(&d)
        .course(&course)
        .args(["--no-journal", "check", "t1", "--format", "json"])
        .run();
    let c = done.status("t1", "s", "refused", Status::Fail);
    let msg = c.message.as_str();
    assert!(
        msg.contains("cannot tell") && msg.contains("lab init bash"),
        "{msg}"
    );
    done.status("t1", "s", "typed", Status::Pass);
    let warnings = done.report().warnings;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("lab init bash"));
    // Text: the same one line, once; zh-CN says it in Chinese.
    let text = Lab::on(&d)
        .course(&course)
        .args(["--no-journal", "--lang", "zh-CN", "check", "t1"])
        .run();
    assert_eq!(
        text.stdout.matches("lab init bash").count(),
        2,
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("命令记录"), "{}", text.stdout);
}

#[test]
fn without_log_or_history_the_check_fails_and_says_how_to_fix_it() {
    let d = Daemon::start();
    let course = course_with(
        d.dir(),
        "    - { id: h, history: { matches: 'docker\\s+images', shows: { en: \"docker images\", zh-CN: \"docker images\" } } }\n",
    );
    let done = Lab::on(&d)
        .course(&course)
        .args(["--no-journal", "check", "t1", "--format", "json"])
        .run();
    done.code(1);
    let c = done.status("t1", "s", "h", Status::Fail);
    let msg = c.message.as_str();
    assert!(
        msg.contains("lab cannot see your commands") && msg.contains("history -a"),
        "{msg}"
    );
}

/// `lab completions bash` in a real interactive bash: a command name and
/// the course's task ids complete with Tab.
#[test]
fn bash_completes_commands_and_task_ids() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    let rc = format!(
        "PS1='P> '\nsource <({lab} completions bash)\ncd \"$HOME\"\n",
        lab = lab_bin()
    );
    let term = Term::bash(home, &rc, &[]);
    term.wait("the first prompt", || term.screen().contains("P>"));
    // One candidate: completed in place.
    term.tmux(&["send-keys", "-t", "t", "-l", "lab sh"]);
    term.tmux(&["send-keys", "-t", "t", "Tab"]);
    term.wait("`show` completed", || {
        term.screen().contains("P> lab show ")
    });
    term.tmux(&["send-keys", "-t", "t", "C-u"]);
    // Several: their common part, then all listed on a double Tab.
    term.tmux(&["send-keys", "-t", "t", "-l", "lab check ta"]);
    term.tmux(&["send-keys", "-t", "t", "Tab"]);
    term.wait("`task` completed", || {
        term.screen().contains("P> lab check task")
    });
    term.tmux(&["send-keys", "-t", "t", "Tab", "Tab"]);
    term.wait("the task ids listed", || {
        let s = term.screen();
        s.contains("task11") && s.contains("task3")
    });
}
