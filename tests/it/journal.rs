//! The sealed journal on real daemons: progress it remembers counts on the
//! machine and daemon that wrote it, and not after a copy, a hand-written
//! line or an edit; a damaged line costs only itself; a FIFO does not hang.

use crate::bed::Daemon;
use crate::harness::{home_of, Lab};
use lab::report::{Evidence, Status};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn journal_of(d: &Daemon) -> PathBuf {
    home_of(d).join(".local/state/lab/journal.jsonl")
}

fn check_task3(d: &Daemon) -> crate::harness::Done {
    Lab::on(d)
        .args([
            "check",
            "task3",
            "--format",
            "json",
            "--var",
            "bash_history=/none",
            "--var",
            "zsh_history=/none",
        ])
        .run()
}

fn daemon_id(d: &Daemon) -> String {
    let out = d.docker(&["info", "--format", "{{.ID}}"]);
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A daemon with an ID of its own. dockerd 20.10 takes its ID from its
/// trust key, /etc/docker/key.json unless daemon.json names another, so
/// every test bed daemon would otherwise share one.
fn daemon_with_own_id() -> Daemon {
    let mut d = Daemon::start();
    let cfg = d.config_file();
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cfg).expect("daemon.json")).expect("json");
    json["deprecated-key-path"] = d.dir().join("key.json").display().to_string().into();
    std::fs::write(&cfg, json.to_string()).expect("write daemon.json");
    d.restart();
    d
}

fn warnings(done: &crate::harness::Done) -> String {
    done.report().warnings.join("\n")
}

/// Steps 1-3 of task 3, checked, then every tomcat removed and the daemon
/// restarted: only the journal still knows about the pulls.
fn progress_only_the_journal_knows(d: &mut Daemon) {
    d.docker(&["pull", "tomcat"]);
    d.docker(&["pull", "tomcat:8.0"]);
    d.docker(&["tag", "tomcat:8.0", "mytomcat:8.0"]);
    check_task3(d).status("task3", "pull-latest", "pulled", Status::Pass);
    d.sh("docker image rm -f $(docker images -q tomcat) mytomcat:8.0");
    d.restart();
}

#[test]
fn progress_counts_on_its_daemon_and_not_on_another_one() {
    let mut a = Daemon::start();
    progress_only_the_journal_knows(&mut a);
    let done = check_task3(&a);
    let c = done.status("task3", "pull-latest", "pulled", Status::Pass);
    assert!(
        matches!(c.evidence, Some(Evidence::Journal { .. })),
        "{:?}",
        c.evidence
    );
    let w = warnings(&done);
    assert!(!w.contains("journal"), "no journal warning: {w}");

    let b = daemon_with_own_id();
    assert_ne!(
        daemon_id(&a),
        daemon_id(&b),
        "the test needs two daemon IDs"
    );
    std::fs::create_dir_all(journal_of(&b).parent().expect("dir")).expect("mkdir");
    std::fs::copy(journal_of(&a), journal_of(&b)).expect("copy the journal");
    let done = check_task3(&b);
    done.code(1);
    done.status("task3", "pull-latest", "pulled", Status::Fail);
    done.status("task3", "pull-8", "pulled", Status::Fail);
    let w = warnings(&done);
    assert!(
        w.contains("lines are ignored, from line 1") && w.contains("another Docker daemon"),
        "{w}"
    );
    let about_the_journal = done
        .report()
        .warnings
        .iter()
        .filter(|w| w.contains("journal"))
        .count();
    assert_eq!(
        about_the_journal, 1,
        "one warning for the whole journal: {w}"
    );
}

/// The five lines that passed task 3 on an empty daemon before the seal.
const HAND_WRITTEN: &str = r#"{"type":"check","at":1700000000,"task":"task3","step":"pull-latest","check":"pulled","detail":"x"}
{"type":"check","at":1700000000,"task":"task3","step":"pull-8","check":"pulled","detail":"x"}
{"type":"check","at":1700000000,"task":"task3","step":"tag","check":"same-image","detail":"x"}
{"type":"check","at":1700000000,"task":"task3","step":"remove-latest","check":"kept-8.0","detail":"x"}
{"type":"check","at":1700000000,"task":"task3","step":"remove-all","check":"eight-removed","detail":"x"}
"#;

#[test]
fn a_hand_written_task3_journal_passes_nothing_on_an_empty_daemon() {
    let d = Daemon::start();
    std::fs::create_dir_all(journal_of(&d).parent().expect("dir")).expect("mkdir");
    std::fs::write(journal_of(&d), HAND_WRITTEN).expect("write");
    let done = check_task3(&d);
    done.code(1);
    for (step, check) in [
        ("pull-latest", "pulled"),
        ("pull-8", "pulled"),
        ("tag", "same-image"),
        ("remove-latest", "kept-8.0"),
        ("remove-all", "eight-removed"),
    ] {
        done.status("task3", step, check, Status::Fail);
    }
    let w = warnings(&done);
    assert!(
        w.contains("5 lines, from line 1, written by an earlier version of lab"),
        "{w}"
    );
    // The same in Chinese.
    let done = Lab::on(&d)
        .env("LANG", "zh_CN.UTF-8")
        .args(["check", "task3", "--format", "json"])
        .run();
    assert!(
        warnings(&done).contains("由旧版 lab 写入"),
        "{}",
        warnings(&done)
    );
}

fn wrong_answers() -> Vec<String> {
    crate::quiz::task1_questions()
        .iter()
        .map(|q| format!("{}=zz", q["id"].as_str().expect("id")))
        .collect()
}

#[test]
fn a_quiz_line_edited_to_passed_is_rejected() {
    let d = Daemon::start();
    let mut quiz = Lab::on(&d).args(["quiz", "task1"]);
    for a in wrong_answers() {
        quiz = quiz.args(["--answer", &a]);
    }
    quiz.run().code(1);
    let path = journal_of(&d);
    let text = std::fs::read_to_string(&path).expect("journal");
    assert!(text.contains(r#""passed":false"#), "{text}");
    std::fs::write(&path, text.replace(r#""passed":false"#, r#""passed":true"#)).expect("edit");
    let done = Lab::on(&d)
        .args(["check", "task1", "--format", "json"])
        .run();
    done.code(1);
    done.status("task1", "quiz", "quiz", Status::Fail);
    let w = warnings(&done);
    assert!(
        w.contains("1 of 1 lines are ignored, from line 1") && w.contains("edited by hand"),
        "{w}"
    );
}

#[test]
fn a_line_that_is_not_utf8_costs_only_itself() {
    let mut d = Daemon::start();
    progress_only_the_journal_knows(&mut d);
    let path = journal_of(&d);
    let mut bytes = std::fs::read(&path).expect("journal");
    let first_end = bytes.iter().position(|b| *b == b'\n').expect("a line");
    // A bad byte in the first line (the images snapshot, not needed here).
    bytes[first_end / 2] = 0xff;
    std::fs::write(&path, bytes).expect("write");
    let done = check_task3(&d);
    let c = done.status("task3", "pull-latest", "pulled", Status::Pass);
    assert!(
        matches!(c.evidence, Some(Evidence::Journal { .. })),
        "{:?}",
        c.evidence
    );
    let w = warnings(&done);
    assert!(
        w.contains(":1: skipped an unreadable line (it is not UTF-8 text)"),
        "{w}"
    );
}

#[test]
fn a_fifo_as_the_journal_neither_hangs_nor_is_read() {
    let d = Daemon::start();
    let fifo = d.dir().join("journal.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let started = Instant::now();
    let done = Lab::on(&d)
        .args(["--journal", &fifo.display().to_string()])
        .args(["check", "task3", "--format", "json"])
        .timeout(Duration::from_secs(60))
        .run();
    // Killed at the limit, it would exit -1.
    done.code(1);
    assert!(started.elapsed() < Duration::from_secs(60));
    let w = warnings(&done);
    assert!(
        w.contains("FIFO") && w.contains("not a regular file"),
        "{w}"
    );
    let done = Lab::on(&d)
        .args([
            "--journal",
            "/dev/full",
            "check",
            "task3",
            "--format",
            "json",
        ])
        .run();
    assert!(
        warnings(&done).contains("character device"),
        "{}",
        warnings(&done)
    );
}

#[test]
fn no_journal_is_honoured_by_check_list_and_quiz() {
    let home = tempfile::tempdir().expect("tmp");
    let lab = || Lab::new(home.path()).args(["--docker-host", "unix:///nonexistent.sock"]);
    // A quiz passed and recorded (bound to this machine: no daemon here).
    let mut quiz = lab().args(["quiz", "task1"]);
    for a in crate::quiz::right_answers() {
        quiz = quiz.args(["--answer", &a]);
    }
    quiz.run().code(0);
    lab().args(["check", "task1"]).run().code(0);
    let path = home.path().join(".local/state/lab/journal.jsonl");
    let before = std::fs::read(&path).expect("journal");
    lab()
        .args(["--no-journal", "check", "task1"])
        .run()
        .code(1)
        .stdout_has("the quiz has not been taken yet");
    lab()
        .args(["--no-journal", "list"])
        .run()
        .code(0)
        .stdout_has("not checked yet");
    let mut quiz = lab().args(["--no-journal", "quiz", "task1"]);
    for a in crate::quiz::right_answers() {
        quiz = quiz.args(["--answer", &a]);
    }
    quiz.run().code(0).stderr_has("this score is not recorded");
    assert_eq!(
        std::fs::read(&path).expect("journal"),
        before,
        "nothing written"
    );
}

#[test]
fn checking_again_does_not_grow_the_journal() {
    let mut d = Daemon::start();
    progress_only_the_journal_knows(&mut d);
    let first = check_task3(&d);
    first.status("task3", "pull-latest", "pulled", Status::Pass);
    let lines = || {
        std::fs::read_to_string(journal_of(&d))
            .expect("journal")
            .lines()
            .count()
    };
    let before = lines();
    for _ in 0..3 {
        check_task3(&d);
    }
    assert_eq!(lines(), before, "nothing new was seen, nothing was written");
}

#[test]
fn the_daemon_id_is_cached_for_the_same_daemon_process_only() {
    let mut d = Daemon::start();
    check_task3(&d);
    let cache = home_of(&d).join(".cache/lab/daemon-id");
    let read = || std::fs::read_to_string(&cache).expect("the cache");
    let first = read();
    assert!(first.trim_end().ends_with(&daemon_id(&d)), "{first}");
    d.restart();
    check_task3(&d);
    let second = read();
    assert_ne!(first, second, "a restarted daemon is another process");
    assert!(second.trim_end().ends_with(&daemon_id(&d)), "{second}");
}
