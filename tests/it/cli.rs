//! The learner's CLI outside of checks: help, list, show, language, colour,
//! usage errors. No daemon needed.

use crate::harness::Lab;

fn fresh() -> (tempfile::TempDir, Lab) {
    let home = tempfile::tempdir().expect("tmp");
    let lab = Lab::new(home.path());
    (home, lab)
}

#[test]
fn help_names_every_command_and_the_exit_codes() {
    let (_h, lab) = fresh();
    let done = lab.args(["--help"]).run();
    done.code(0);
    for word in [
        "list",
        "show",
        "check",
        "validate",
        "watch",
        "--docker-host",
        "--lang",
        "--var",
        "Exit codes",
    ] {
        done.stdout_has(word);
    }
}

#[test]
fn list_shows_units_tasks_and_progress_in_both_languages() {
    let (_h, lab) = fresh();
    lab.args(["list"])
        .run()
        .code(0)
        .stdout_has("unit1")
        .stdout_has("task3")
        .stdout_has("not checked yet");
    let (_h, lab) = fresh();
    lab.env("LANG", "zh_CN.UTF-8")
        .args(["list"])
        .run()
        .code(0)
        .stdout_has("尚未检查")
        .stdout_has("用 tomcat 探索 Docker 镜像");
}

#[test]
fn show_renders_the_lesson_without_markdown_noise() {
    let (_h, lab) = fresh();
    let done = lab.args(["show", "task3", "--lang", "en"]).run();
    done.code(0)
        .stdout_has("docker pull tomcat:8.0")
        .stdout_has("lab check task3");
    assert!(
        !done.stdout.contains("```"),
        "code fences are rendered, not shown"
    );
    assert!(
        !done.stdout.contains('\u{1b}'),
        "no colour when NO_COLOR is set"
    );
    let (_h, lab) = fresh();
    lab.args(["show", "task2", "--lang", "zh-CN"])
        .run()
        .code(0)
        .stdout_has("镜像加速");
}

#[test]
fn colour_is_on_only_when_asked() {
    let (_h, lab) = fresh();
    let done = lab.args(["list", "--color", "always"]).run();
    assert!(done.stdout.contains('\u{1b}'));
}

#[test]
fn usage_errors_are_exit_2_with_a_way_forward() {
    let (_h, lab) = fresh();
    lab.args(["check", "task99"])
        .run()
        .code(2)
        .stderr_has("no task or unit named `task99`")
        .stderr_has("lab list");
    let (_h, lab) = fresh();
    lab.args(["check"]).run().code(2);
    let (_h, lab) = fresh();
    lab.args(["check", "task3", "--var", "daemon_jsn=/x"])
        .run()
        .code(2)
        .stderr_has("unknown variable `daemon_jsn`")
        .stderr_has("daemon_json");
    let (_h, lab) = fresh();
    lab.args(["check", "task3", "--format", "yaml"])
        .run()
        .code(2);
    let (_h, lab) = fresh();
    lab.args(["show", "task99"]).run().code(2);
}

#[test]
fn the_built_in_course_validates() {
    let (_h, lab) = fresh();
    lab.args(["validate"]).run().code(0).stdout_has("ok:");
}

#[test]
fn vars_before_and_after_the_subcommand_both_count() {
    let (_h, lab) = fresh();
    let done = lab
        .args([
            "--var",
            "daemon_json=/nonexistent/a.json",
            "check",
            "task2",
            "--var",
            "ssh_port=1",
            "--docker-host",
            "unix:///nonexistent.sock",
            "--format",
            "json",
            "--no-journal",
        ])
        .run();
    done.code(3);
    let c = done.check("task2", "mirror-config", "valid-json");
    assert!(c.message.as_str().contains("/nonexistent/a.json"), "{c:?}");
    let c = done.check("task2", "ssh", "sshd-listening");
    assert!(c.message.as_str().contains("port 1"), "{c:?}");
}

#[test]
fn a_unit_target_checks_each_of_its_tasks_in_order() {
    let (_h, lab) = fresh();
    let done = lab
        .args([
            "check",
            "unit1",
            "--docker-host",
            "unix:///nonexistent.sock",
            "--format",
            "json",
            "--no-journal",
        ])
        .run();
    done.code(3);
    let ids: Vec<String> = done.report().tasks.into_iter().map(|t| t.id).collect();
    assert_eq!(ids, ["task1", "task2", "task3"]);
}

#[test]
fn a_zero_timeout_is_refused_with_a_reason() {
    let (_h, lab) = fresh();
    lab.args(["--timeout", "0", "check", "task3"])
        .run()
        .code(2)
        .stderr_has("give at least 1");
}

/// A report that could not be written is an error, in words (exit 3); a
/// closed pipe (`lab list | head -1`) is not.
#[test]
fn output_to_a_full_disk_is_an_error_and_a_closed_pipe_is_not() {
    use std::process::{Command, Stdio};
    let home = tempfile::tempdir().expect("tmp");
    let lab = || {
        let mut c = Command::new(assert_cmd::cargo::cargo_bin("lab"));
        c.env("HOME", home.path())
            .env("NO_COLOR", "1")
            .env_remove("LAB_JOURNAL")
            .env_remove("XDG_STATE_HOME")
            .stderr(Stdio::piped());
        c
    };
    for (lang, words) in [
        ("en", "could not write the output: the disk is full"),
        ("zh-CN", "无法写出结果：磁盘已满"),
    ] {
        let full = std::fs::File::create("/dev/full").expect("/dev/full");
        let out = lab()
            .args(["--lang", lang, "list"])
            .stdout(full)
            .output()
            .expect("run lab");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(stderr.contains(words), "{stderr}");
    }
    // A reader that stops after the first line.
    let mut child = lab()
        .args(["list"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("run lab");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_deadline_without_a_zone_is_refused_in_the_teachers_language() {
    for (lang, words) in [
        ("en", "write the date, the time and the zone"),
        ("zh-CN", "请写出日期、时间和时区"),
    ] {
        let (_home, lab) = fresh();
        lab.args(["--lang", lang, "grade", "task3", "--roster", "nowhere.csv"])
            .args(["--deadline", "2026-12-01 18:00"])
            .run()
            .code(2)
            .stderr_has(words)
            .stderr_has("2026-12-01T18:00+08:00");
    }
}
