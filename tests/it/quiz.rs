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

/// Task 5 asks about mysql:5.7 on the learner's own daemon: without the
/// image, lab says so (and what to type) before asking anything, and
/// records nothing.
#[test]
fn a_live_question_about_an_image_not_pulled_is_not_asked() {
    let d = crate::bed::Daemon::start();
    let done = Lab::on(&d)
        .args(["quiz", "task5"])
        .stdin("a c\nb\n".into())
        .run();
    done.code(3)
        .stdout_has("cannot be asked")
        .stdout_has("`docker pull mysql:5.7`")
        .stdout_has("run `lab quiz task5` again")
        .stderr_has("nothing was recorded");
    assert!(!done.stdout.contains("Your answer"), "{}", done.stdout);
    let zh = Lab::on(&d)
        .args(["--lang", "zh-CN", "quiz", "task5"])
        .stdin(String::new())
        .run();
    zh.code(3)
        .stdout_has("本机没有这个镜像")
        .stdout_has("`docker pull mysql:5.7`");
}

/// Task 11's answers are the daemon's own: a wrong one shows every way of
/// typing the right one (Debian's `20.10.24+dfsg1` also as `20.10.24`), and
/// the usual slips (full-width digits, a closing 。) are forgiven.
#[test]
fn a_wrong_live_answer_shows_what_was_accepted() {
    let d = crate::bed::Daemon::start();
    let version = d.docker(&["version", "--format", "{{.Server.Version}}"]);
    let version = String::from_utf8_lossy(&version.stdout).trim().to_string();
    let done = Lab::on(&d)
        .args(["quiz", "task11", "--answer", "server-version=1.0"])
        .stdin(String::new())
        .run();
    done.stdout_has(&format!("accepted: `{version}`"));
    if let Some((plain, _)) = version.split_once('+') {
        done.stdout_has(&format!("`{version}`, `{plain}`"));
        // The plain version, typed with a Chinese input method.
        let wide: String = plain
            .chars()
            .map(|c| match c {
                '0'..='9' | '.' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
                c => c,
            })
            .collect();
        let typed = format!("server-version={wide}。");
        let again = Lab::on(&d)
            .args(["quiz", "task11", "--answer", &typed])
            .stdin(String::new())
            .run();
        let line = again
            .stdout
            .lines()
            .skip_while(|l| !l.starts_with("2/"))
            .nth(2)
            .unwrap_or("")
            .to_string();
        assert!(line.contains("✔ right"), "{}", again.stdout);
    }
}
