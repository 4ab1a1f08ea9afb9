//! Unit 3 (tasks 10-11) on real daemons.

use crate::bed::Daemon;
use crate::harness::{type_history, Done, Lab};
use lab::report::{Evidence, Status};

fn check(d: &Daemon, task: &str) -> Done {
    Lab::on(d).args(["check", task, "--format", "json"]).run()
}

fn out(d: &Daemon, args: &[&str]) -> String {
    String::from_utf8_lossy(&d.docker(args).stdout)
        .trim()
        .to_string()
}

// ---------------------------------------------------------------- task 10

#[test]
fn task10_versions_and_containers_as_the_course_types_them() {
    let d = Daemon::start();
    for r in ["httpd", "httpd:2.4", "httpd:2.2"] {
        d.docker(&["pull", r]);
    }
    d.docker(&["rmi", "httpd:latest"]);
    d.docker(&["rmi", "httpd:2.2"]);
    d.docker(&["run", "-d", "httpd:2.4"]);
    d.docker(&["run", "hello-world"]);
    let id = out(&d, &["ps", "-aq", "--filter", "ancestor=hello-world"]);
    d.docker(&["rm", &id]);
    d.sh("echo exit | script -qec 'docker run -it centos:7 /bin/bash' /dev/null");
    type_history(
        &d,
        &["docker ps", "docker ps -a", &format!("docker rm {id}")],
    );
    check(&d, "task10")
        .code(0)
        .all_checks("task10", &[Status::Pass]);
}

#[test]
fn task10_removing_2_4_instead_of_latest_is_caught() {
    let d = Daemon::start();
    for r in ["httpd", "httpd:2.4", "httpd:2.2"] {
        d.docker(&["pull", r]);
    }
    d.docker(&["rmi", "httpd:2.4"]);
    let done = check(&d, "task10");
    done.code(1)
        .status("task10", "rm-latest", "latest-gone", Status::Fail);
    let c = done.status("task10", "rm-latest", "kept-2.4", Status::Fail);
    assert!(
        c.hint
            .as_deref()
            .unwrap_or("")
            .contains("docker pull httpd:2.4"),
        "{c:?}"
    );
}

#[test]
fn task10_removing_the_container_by_name_is_not_by_id() {
    let d = Daemon::start();
    d.docker(&["run", "--name", "greeter", "hello-world"]);
    d.docker(&["rm", "greeter"]);
    type_history(&d, &["docker rm greeter"]);
    let done = check(&d, "task10");
    done.status("task10", "rm-container", "destroyed", Status::Pass);
    done.status("task10", "rm-container", "by-id", Status::Fail);
    done.status("task10", "run", "hello-ran", Status::Pass);
    done.status("task10", "run", "httpd-running", Status::Fail);
}

// ---------------------------------------------------------------- task 11

/// The right answers, read from this daemon the way a learner reads them.
fn own_answers(d: &Daemon) -> Vec<String> {
    vec![
        format!("driver={}", out(d, &["info", "--format", "{{.Driver}}"])),
        format!(
            "server-version={}",
            out(d, &["version", "--format", "{{.Server.Version}}"])
        ),
        format!(
            "api-version={}",
            out(d, &["version", "--format", "{{.Server.APIVersion}}"])
        ),
        format!(
            "mirror={}",
            out(
                d,
                &["info", "--format", "{{index .RegistryConfig.Mirrors 0}}"]
            )
        ),
        format!("images={}", out(d, &["info", "--format", "{{.Images}}"])),
    ]
}

fn quiz(d: &Daemon, answers: &[String]) -> Done {
    let mut lab = Lab::on(d).args(["quiz", "task11"]);
    for a in answers {
        lab = lab.args(["--answer", a]);
    }
    lab.run()
}

#[test]
fn task11_answers_read_from_your_own_daemon_pass() {
    let d = Daemon::start();
    d.docker(&["pull", "tomcat"]);
    quiz(&d, &own_answers(&d)).code(0).stdout_has("passed: 5/5");
    let c = check(&d, "task11")
        .code(0)
        .status("task11", "quiz", "quiz", Status::Pass);
    assert!(
        matches!(c.evidence, Some(Evidence::Journal { .. })),
        "{:?}",
        c.evidence
    );
}

#[test]
fn task11_answers_copied_from_another_machine_fail() {
    let d = Daemon::start();
    let copied = [
        "driver=overlay2",
        "server-version=24.0.7",
        "api-version=1.43",
        "mirror=https://docker.m.daocloud.io",
        "images=3",
    ];
    let done = quiz(&d, &copied.map(String::from));
    let major_minor = d.major_minor();
    done.code(1)
        .stdout_has("not passed")
        .stdout_has(&format!("accepted: `{major_minor}"));
    let c = check(&d, "task11")
        .code(1)
        .status("task11", "quiz", "quiz", Status::Fail);
    assert!(c.message.as_str().contains("/5"), "{c:?}");
}

#[test]
fn task11_quiz_not_taken_and_quiz_without_a_daemon() {
    let mut d = Daemon::start();
    let c = check(&d, "task11").status("task11", "quiz", "quiz", Status::Fail);
    assert!(
        c.hint.as_deref().unwrap_or("").contains("lab quiz task11"),
        "{c:?}"
    );
    let answers = own_answers(&d);
    d.stop();
    quiz(&d, &answers)
        .code(3)
        .stderr_has("nothing was recorded");
    check(&d, "task11").status("task11", "quiz", "quiz", Status::Fail);
}
