//! Unit 2 (tasks 4-9) on real daemons: each task's happy path with the
//! course's commands, and its typical mistakes with their hints.

use crate::bed::Daemon;
use crate::harness::{type_commands, type_history, Done, Lab};
use lab::report::{CheckResult, Status};

fn check(d: &Daemon, task: &str, extra: &[&str]) -> Done {
    let mut lab = Lab::on(d).args(["check", task, "--format", "json"]);
    for a in extra {
        lab = lab.args([a]);
    }
    lab.run()
}

fn hint(c: &CheckResult) -> String {
    c.hint.as_deref().unwrap_or("").to_string()
}

// ---------------------------------------------------------------- task 4

#[test]
fn task4_first_container_serves_the_welcome_page() {
    let d = Daemon::start_networked();
    d.docker(&["run", "-d", "-p", "80:80", "--name", "nginx_first", "nginx"]);
    let done = check(&d, "task4", &[]);
    done.code(0).all_checks("task4", &[Status::Pass]);
}

#[test]
fn task4_without_publishing_the_port_fails_port_and_page() {
    let d = Daemon::start_networked();
    d.docker(&["run", "-d", "--name", "nginx_first", "nginx"]);
    let done = check(&d, "task4", &[]);
    done.code(1);
    done.status("task4", "run", "running", Status::Pass);
    assert!(hint(&done.status("task4", "port", "published", Status::Fail)).contains("-p 80:80"));
    done.status("task4", "page", "welcome", Status::Fail);
}

#[test]
fn task4_a_container_with_another_name_is_not_nginx_first() {
    let d = Daemon::start_networked();
    d.docker(&["run", "-d", "-p", "80:80", "--name", "web", "nginx"]);
    let done = check(&d, "task4", &[]);
    let c = done.code(1).status("task4", "run", "running", Status::Fail);
    assert!(hint(&c).contains("--name nginx_first"), "{c:?}");
    done.status("task4", "page", "welcome", Status::Pass);
}

// ---------------------------------------------------------------- task 5

/// Takes task 5's quiz with the given ports answer and the other three right.
fn task5_quiz(d: &Daemon, ports: &str) -> Done {
    let answer = format!("ports={ports}");
    Lab::on(d)
        .args(["quiz", "task5", "--answer", &answer, "--answer", "layers=b"])
        .args(["--answer", "search-filter=b", "--answer", "practices=a b c"])
        .run()
}

#[test]
fn task5_happy_path_with_the_ports_read_from_the_daemon() {
    let d = Daemon::start();
    d.docker(&["pull", "mysql:5.7"]);
    d.docker(&["inspect", "-f", "{{.Config.ExposedPorts}}", "mysql:5.7"]);
    task5_quiz(&d, "a c").code(0).stdout_has("passed: 4/4");
    d.docker(&["pull", "ubuntu:18.04"]);
    d.docker(&["history", "ubuntu:18.04"]);
    d.docker(&["pull", "ubuntu"]);
    d.docker(&["tag", "ubuntu:latest", "myubuntu:latest"]);
    d.docker(&["rmi", "myubuntu:latest"]);
    type_history(
        &d,
        &[
            "docker pull ubuntu:18.04",
            "docker history ubuntu:18.04",
            "docker search --filter=is-official=true nginx",
        ],
    );
    check(&d, "task5", &[])
        .code(0)
        .all_checks("task5", &[Status::Pass]);
}

#[test]
fn task5_a_wrong_port_answer_is_explained_and_fails_the_quiz_step() {
    let d = Daemon::start();
    d.docker(&["pull", "mysql:5.7"]);
    // Three of four right passes the quiz, but not the step that asks
    // for the ports read from this daemon.
    let quiz = task5_quiz(&d, "a");
    quiz.code(0)
        .stdout_has("the answer is a) 3306/tcp; c) 33060/tcp")
        .stdout_has("X protocol")
        .stdout_has("passed: 3/4");
    let c = check(&d, "task5", &[]).status("task5", "inspect", "quiz", Status::Fail);
    let message = c.message.as_str();
    assert!(
        message.contains("3/4") && message.contains("`ports`"),
        "{c:?}"
    );
    // Taken again with the ports right, the step passes.
    task5_quiz(&d, "a c").code(0);
    check(&d, "task5", &[]).status("task5", "inspect", "quiz", Status::Pass);
}

#[test]
fn task5_removing_ubuntu_latest_instead_of_myubuntu_is_caught() {
    let d = Daemon::start();
    d.docker(&["pull", "ubuntu"]);
    d.docker(&["tag", "ubuntu:latest", "myubuntu:latest"]);
    d.docker(&["rmi", "ubuntu:latest"]);
    let done = check(&d, "task5", &[]);
    done.code(1);
    assert!(
        hint(&done.status("task5", "untag", "ubuntu-stays", Status::Fail))
            .contains("docker pull ubuntu")
    );
    done.status("task5", "untag", "myubuntu-gone", Status::Fail);
    // With ubuntu:latest gone there is nothing to compare myubuntu with ...
    let c = done.status("task5", "tag", "same-image", Status::Fail);
    assert!(c.message.as_str().contains("cannot compare"), "{c:?}");
    // ... and following the hint brings the tag step back.
    d.docker(&["pull", "ubuntu"]);
    let done = check(&d, "task5", &[]);
    done.status("task5", "tag", "same-image", Status::Pass);
    done.status("task5", "untag", "ubuntu-stays", Status::Pass);
}

#[test]
fn task5_skipping_the_tag_fails_the_tag_step() {
    let d = Daemon::start();
    d.docker(&["pull", "ubuntu"]);
    let c = check(&d, "task5", &[]).status("task5", "tag", "same-image", Status::Fail);
    assert!(
        hint(&c).contains("docker tag ubuntu:latest myubuntu:latest"),
        "{c:?}"
    );
}

// ---------------------------------------------------------------- task 6

fn images_dir(d: &Daemon) -> (String, String) {
    let dir = d.dir().join("data/docker/images");
    (
        dir.display().to_string(),
        format!("images_dir={}", dir.display()),
    )
}

#[test]
fn task6_save_remove_load_keeps_the_image_id() {
    let d = Daemon::start();
    let (dir, var) = images_dir(&d);
    d.docker(&["pull", "mysql:5.7"]);
    d.sh(&format!(
        "mkdir -p {dir} && docker save mysql:5.7 -o {dir}/mysql5.7.tar"
    ));
    d.docker(&["rmi", "mysql:5.7"]);
    d.docker(&["load", "-i", &format!("{dir}/mysql5.7.tar")]);
    check(&d, "task6", &["--var", &var])
        .code(0)
        .all_checks("task6", &[Status::Pass]);
}

#[test]
fn task6_not_loading_it_back_fails_the_load_step() {
    let d = Daemon::start();
    let (dir, var) = images_dir(&d);
    d.docker(&["pull", "mysql:5.7"]);
    d.sh(&format!(
        "mkdir -p {dir} && docker save mysql:5.7 -o {dir}/mysql5.7.tar"
    ));
    d.docker(&["rmi", "mysql:5.7"]);
    let done = check(&d, "task6", &["--var", &var]);
    done.code(1)
        .status("task6", "remove", "saved-first", Status::Pass);
    assert!(hint(&done.status("task6", "load", "loaded", Status::Fail)).contains("docker load -i"));
}

/// Hints say where this run looks: `--var images_dir` moves the archive,
/// and the commands to type move with it (never /data/docker/images).
#[test]
fn task6_hints_and_commands_follow_the_images_dir_variable() {
    let d = Daemon::start();
    let dir = d.dir().join("srv-images").display().to_string();
    let var = format!("images_dir={dir}");
    let done = check(&d, "task6", &["--var", &var]);
    let c = done.status("task6", "save", "archive", Status::Fail);
    let h = hint(&c);
    assert!(
        h.contains(&format!("mkdir -p {dir}`"))
            && h.contains(&format!("-o {dir}/mysql5.7.tar"))
            && !h.contains("/data/docker/images")
            && !h.contains("${"),
        "{c:?}"
    );
    let report = done.report();
    let save = &report.tasks[0].steps[0];
    assert_eq!(save.commands[0], format!("mkdir -p {dir}"), "{save:?}");
    let text = Lab::on(&d)
        .args(["--lang", "zh-CN", "check", "task6", "--var", &var])
        .run();
    text.stdout_has(&format!("`mkdir -p {dir}`"));
    assert!(
        !text.stdout.contains("/data/docker/images"),
        "{}",
        text.stdout
    );
}

#[test]
fn task6_removing_before_saving_is_caught() {
    let d = Daemon::start();
    let (dir, var) = images_dir(&d);
    d.docker(&["pull", "mysql:5.7"]);
    d.docker(&["rmi", "mysql:5.7"]);
    d.docker(&["pull", "mysql:5.7"]);
    d.sh(&format!(
        "mkdir -p {dir} && docker save mysql:5.7 -o {dir}/mysql5.7.tar"
    ));
    let c =
        check(&d, "task6", &["--var", &var]).status("task6", "remove", "saved-first", Status::Fail);
    assert!(hint(&c).contains("Save before you remove"), "{c:?}");
}

#[test]
fn task6_an_archive_of_another_image_is_not_mysql() {
    let d = Daemon::start();
    let (dir, var) = images_dir(&d);
    d.docker(&["pull", "tomcat"]);
    d.sh(&format!(
        "mkdir -p {dir} && docker save tomcat -o {dir}/mysql5.7.tar"
    ));
    let c = check(&d, "task6", &["--var", &var]).status("task6", "save", "archive", Status::Fail);
    assert_eq!(c.actual.as_deref(), Some("tomcat:latest"), "{c:?}");
    std::fs::write(format!("{dir}/mysql5.7.tar"), "not a tar").expect("write");
    let c = check(&d, "task6", &["--var", &var]).status("task6", "save", "archive", Status::Fail);
    assert!(c.message.as_str().contains("not an image archive"), "{c:?}");
}

// ---------------------------------------------------------------- task 7

#[test]
fn task7_container_first_then_image_then_prune() {
    let d = Daemon::start();
    d.docker(&["pull", "ubuntu:18.04"]);
    let out = d.docker(&["run", "ubuntu:18.04", "echo", "hello! I am here!"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("hello! I am here!"));
    let refused = d.docker_may_fail(&["rmi", "ubuntu:18.04"]);
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("conflict"),
        "{refused:?}"
    );
    d.sh("docker rm $(docker ps -aq --filter ancestor=ubuntu:18.04)");
    d.docker(&["rmi", "ubuntu:18.04"]);
    d.docker(&["image", "prune", "-f"]);
    // The refusal's exit status is in the command log (`lab init bash`).
    type_commands(
        &d,
        &[
            ("docker rmi ubuntu:18.04", 1),
            ("docker rm 1a2b3c", 0),
            ("docker rmi ubuntu:18.04", 0),
            ("docker image prune -f", 0),
        ],
    );
    check(&d, "task7", &[])
        .code(0)
        .all_checks("task7", &[Status::Pass]);
}

#[test]
fn task7_forcing_the_image_away_leaves_the_container_and_fails() {
    let d = Daemon::start();
    d.docker(&["pull", "ubuntu:18.04"]);
    d.docker(&["run", "ubuntu:18.04", "echo", "hello! I am here!"]);
    d.docker(&["rmi", "-f", "ubuntu:18.04"]);
    let done = check(&d, "task7", &[]);
    done.code(1);
    assert!(
        hint(&done.status("task7", "rm-container", "container-first", Status::Fail))
            .contains("docker rm")
    );
}

#[test]
fn task7_dangling_images_left_fail_the_prune_step() {
    let d = Daemon::start();
    d.docker(&["pull", "tomcat:8.0"]);
    d.docker(&["pull", "tomcat:latest"]);
    // Moving the 8.0 tag leaves the old 8.0 image without a name: dangling.
    d.docker(&["tag", "tomcat:latest", "tomcat:8.0"]);
    let c = check(&d, "task7", &[]).status("task7", "prune", "no-dangling", Status::Fail);
    assert!(hint(&c).contains("docker image prune -f"), "{c:?}");
    d.docker(&["image", "prune", "-f"]);
    check(&d, "task7", &[]).status("task7", "prune", "no-dangling", Status::Pass);
}

#[test]
fn task7_never_running_the_container_fails_the_first_step() {
    let d = Daemon::start();
    let c = check(&d, "task7", &[]).status("task7", "run-echo", "printed", Status::Fail);
    assert!(hint(&c).contains("hello! I am here!"), "{c:?}");
}

// ---------------------------------------------------------------- task 8

fn dockerfile(d: &Daemon, text: &str) -> String {
    let dir = d.dir().join("build");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("Dockerfile"), text).expect("Dockerfile");
    dir.display().to_string()
}

const DOCKERFILE: &str = "FROM ubuntu:18.04\nLABEL Version=1.0 maintainer=\"docker user <docker_user@github>\"\nRUN echo python3 > /python3\n";

#[test]
fn task8_commit_and_build() {
    let d = Daemon::start();
    d.docker(&["pull", "ubuntu:18.04"]);
    d.docker(&[
        "run",
        "--name",
        "c1",
        "ubuntu:18.04",
        "sh",
        "-c",
        "touch /test",
    ]);
    d.docker(&[
        "commit",
        "-m",
        "add a new file",
        "-a",
        "Docker Newbee",
        "c1",
        "test:01",
    ]);
    let dir = dockerfile(&d, DOCKERFILE);
    d.sh(&format!("cd {dir} && docker build -t python:3 ."));
    d.sh(&format!(
        "docker export -o {dir}/fs.tar c1 && docker import {dir}/fs.tar test:import"
    ));
    check(&d, "task8", &[])
        .code(0)
        .all_checks("task8", &[Status::Pass]);
}

#[test]
fn task8_a_commit_without_author_and_message_fails_with_the_hint() {
    let d = Daemon::start();
    d.docker(&["pull", "ubuntu:18.04"]);
    d.docker(&[
        "run",
        "--name",
        "c1",
        "ubuntu:18.04",
        "sh",
        "-c",
        "touch /test",
    ]);
    d.docker(&["commit", "c1", "test:01"]);
    let c = check(&d, "task8", &[]).status("task8", "commit", "committed-image", Status::Fail);
    assert!(c.message.as_str().contains("Author"), "{c:?}");
    assert!(hint(&c).contains("-a \"Docker Newbee\""), "{c:?}");
}

#[test]
fn task8_a_build_without_the_label_or_from_another_base_fails() {
    let d = Daemon::start();
    d.docker(&["pull", "ubuntu:18.04"]);
    let dir = dockerfile(&d, "FROM ubuntu:18.04\nRUN echo x > /x\n");
    d.sh(&format!("cd {dir} && docker build -t python:3 ."));
    let c = check(&d, "task8", &[]).status("task8", "build", "built", Status::Fail);
    assert!(
        c.message.as_str().contains("Config.Labels.Version"),
        "{c:?}"
    );
    d.docker(&["pull", "busybox"]);
    let dir = dockerfile(&d, "FROM busybox\nLABEL Version=1.0\nRUN echo x > /x\n");
    d.sh(&format!("cd {dir} && docker build -t python:3 ."));
    let c = check(&d, "task8", &[]).status("task8", "build", "built", Status::Fail);
    assert!(
        c.message.as_str().contains("not built FROM ubuntu:18.04"),
        "{c:?}"
    );
}

#[test]
fn task8_no_file_created_fails_the_first_step() {
    let d = Daemon::start();
    d.docker(&["pull", "ubuntu:18.04"]);
    d.docker(&["run", "--name", "c1", "ubuntu:18.04", "true"]);
    check(&d, "task8", &[]).status("task8", "change", "file-created", Status::Fail);
}

// ---------------------------------------------------------------- task 9

#[test]
fn task9_push_to_a_private_registry() {
    let d = Daemon::start_networked();
    d.docker(&[
        "run",
        "-d",
        "-p",
        "5000:5000",
        "--restart=always",
        "--name",
        "registry",
        "registry:2",
    ]);
    d.docker(&["pull", "ubuntu:18.04"]);
    d.docker(&["tag", "ubuntu:18.04", "localhost:5000/myubuntu:18.04"]);
    d.docker(&["push", "localhost:5000/myubuntu:18.04"]);
    d.sh("docker login -u student -p anything localhost:5000");
    // The bed's client keeps its config.json in DOCKER_CONFIG, not in HOME.
    let config = format!("docker_config={}", d.cli_config().display());
    check(&d, "task9", &["--var", &config])
        .code(0)
        .all_checks("task9", &[Status::Pass]);
}

#[test]
fn task9_a_tag_without_the_registry_address_is_never_pushed_there() {
    let d = Daemon::start_networked();
    d.docker(&[
        "run",
        "-d",
        "-p",
        "5000:5000",
        "--name",
        "registry",
        "registry:2",
    ]);
    d.docker(&["pull", "ubuntu:18.04"]);
    d.docker(&["tag", "ubuntu:18.04", "myubuntu:18.04"]);
    let done = check(&d, "task9", &[]);
    done.code(1)
        .status("task9", "run-registry", "running", Status::Pass);
    assert!(
        hint(&done.status("task9", "tag", "same-image", Status::Fail))
            .contains("localhost:5000/myubuntu:18.04")
    );
    done.status("task9", "push", "in-catalog", Status::Fail);
}

#[test]
fn task9_no_registry_running_fails_its_step_and_the_api() {
    let d = Daemon::start_networked();
    let done = check(&d, "task9", &[]);
    done.code(1);
    done.status("task9", "run-registry", "running", Status::Fail);
    done.status("task9", "push", "in-catalog", Status::Fail);
}
