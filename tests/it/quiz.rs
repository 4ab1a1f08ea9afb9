//! `lab quiz` without a daemon: task 1's questions, answered on the command
//! line, on stdin, or not at all; and the errors a learner can make typing it.

use crate::harness::Lab;
use std::path::Path;

fn lab(home: &Path) -> Lab {
    Lab::new(home).args(["--docker-host", "unix:///nonexistent.sock"])
}

/// The right answers of task 1, read from the course itself so the test
/// follows the questions as authors edit them.
/// Task 1's quiz questions, as the course declares them.
pub fn task1_questions() -> Vec<serde_json::Value> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("labs/task1.yaml"))
            .expect("task1.yaml");
    let doc: serde_json::Value = serde_yaml_ng::from_str(&text).expect("yaml");
    doc["quiz"]["questions"]
        .as_array()
        .expect("questions")
        .clone()
}

pub fn right_answers() -> Vec<String> {
    task1_questions()
        .iter()
        .map(|q| {
            let id = q["id"].as_str().expect("id");
            let answer = match &q["answer"] {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(a) => a
                    .iter()
                    .filter_map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                _ => short_answer(q["pattern"].as_str().expect("pattern")),
            };
            format!("{id}={answer}")
        })
        .collect()
}

/// A word the pattern accepts, among the ones a learner would type.
fn short_answer(pattern: &str) -> String {
    let re = regex::Regex::new(pattern).expect("pattern compiles");
    [
        "registry",
        "runc",
        "dockerd",
        "containerd",
        "daemon",
        "image",
        "container",
    ]
    .iter()
    .find(|w| re.is_match(w))
    .unwrap_or_else(|| panic!("no known answer matches {pattern}: extend the list"))
    .to_string()
}

#[test]
fn task1_right_answers_pass_and_lab_check_then_passes() {
    let home = tempfile::tempdir().expect("tmp");
    let mut q = lab(home.path()).args(["quiz", "task1"]);
    for a in right_answers() {
        q = q.args(["--answer", &a]);
    }
    q.run().code(0).stdout_has("passed:");
    lab(home.path())
        .args(["check", "task1"])
        .run()
        .code(0)
        .stdout_has("PASS task1");
    lab(home.path()).args(["list"]).run().code(0);
}

#[test]
fn task1_wrong_answers_are_explained_and_recorded_as_not_passed() {
    let home = tempfile::tempdir().expect("tmp");
    let mut q = lab(home.path()).args(["quiz", "task1"]);
    for a in right_answers() {
        let (id, _) = a.split_once('=').expect("id=answer");
        q = q.args(["--answer", &format!("{id}=zz")]);
    }
    let done = q.run();
    done.code(1)
        .stdout_has("not quite")
        .stdout_has("why:")
        .stdout_has("not passed: 0/");
    lab(home.path())
        .args(["check", "task1"])
        .run()
        .code(1)
        .stdout_has("last attempt");
}

#[test]
fn task1_answers_can_come_one_per_line_on_stdin_in_chinese() {
    let home = tempfile::tempdir().expect("tmp");
    let input: String = right_answers()
        .iter()
        .map(|a| format!("{}\n", a.split_once('=').expect("=").1))
        .collect();
    let done = lab(home.path())
        .env("LANG", "zh_CN.UTF-8")
        .args(["quiz", "task1"])
        .stdin(input)
        .run();
    done.code(0).stdout_has("测验 task1").stdout_has("通过");
    // No input at all: every question unanswered, nothing passes, no hang.
    let done = lab(home.path())
        .args(["quiz", "task1"])
        .stdin(String::new())
        .run();
    done.code(1);
}

#[test]
fn quiz_usage_errors_name_what_exists() {
    let home = tempfile::tempdir().expect("tmp");
    lab(home.path())
        .args(["quiz", "task3"])
        .run()
        .code(2)
        .stderr_has("task3 has no quiz")
        .stderr_has("task1");
    lab(home.path())
        .args(["quiz", "task1", "--answer", "q99=a"])
        .run()
        .code(2)
        .stderr_has("no question `q99`");
    lab(home.path()).args(["quiz", "task99"]).run().code(2);
}
