//! Task 2 on a real daemon: the daemon's own daemon.json stands in for
//! /etc/docker/daemon.json (`--var daemon_json=...`), a listener the test
//! holds stands in for sshd.

use crate::bed::Daemon;
use crate::harness::{type_history, Done, Lab};
use lab::report::{Evidence, Status};
use std::net::TcpListener;

fn check(d: &Daemon, ssh: &TcpListener) -> Done {
    let port = format!("ssh_port={}", ssh.local_addr().expect("addr").port());
    // ufw's files of the test's own (absent unless a test writes them):
    // the host's /etc/ufw never counts.
    let conf = format!("ufw_conf={}", d.dir().join("ufw.conf").display());
    let rules = format!("ufw_rules={}", d.dir().join("user.rules").display());
    Lab::on(d)
        .args(["check", "task2", "--format", "json", "--var", &port])
        .args(["--var", &conf, "--var", &rules])
        .run()
}

/// The port of the test bed registry (the daemon's mirror).
fn registry_port(d: &Daemon) -> String {
    d.registry().rsplit(':').next().unwrap_or("").to_string()
}

fn sshd() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").expect("bind a stand-in sshd port")
}

#[test]
fn a_working_setup_passes_and_systemd_checks_skip_without_systemd() {
    let d = Daemon::start();
    d.docker(&["run", "hello-world"]);
    // What only the shell history shows (the firewall, reading versions).
    type_history(
        &d,
        &[
            "sudo ufw allow ssh",
            "sudo ufw enable",
            "docker --version",
            "systemctl status docker",
        ],
    );
    let ssh = sshd();
    let done = check(&d, &ssh);
    done.code(0)
        .all_checks("task2", &[Status::Pass, Status::Skip]);
    done.status(
        "task2",
        "mirror-loaded",
        "daemon-uses-mirrors",
        Status::Pass,
    );
    let greeted = done.status("task2", "hello-world", "greeted", Status::Pass);
    assert!(
        matches!(greeted.evidence, Some(Evidence::Live { .. })),
        "{:?}",
        greeted.evidence
    );
    if !std::path::Path::new("/run/systemd/system").exists() {
        let c = done.status("task2", "daemon", "service-active", Status::Skip);
        assert!(c.message.as_str().contains("systemd"), "{c:?}");
    }
}

#[test]
fn hello_world_run_with_rm_passes_on_its_die_event() {
    let d = Daemon::start();
    let out = d.docker(&["run", "--rm", "hello-world"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Hello from Docker!"));
    let c = check(&d, &sshd()).status("task2", "hello-world", "greeted", Status::Pass);
    assert!(
        matches!(c.evidence, Some(Evidence::Event { .. })),
        "{:?}",
        c.evidence
    );
}

#[test]
fn no_ssh_server_fails_the_ssh_step() {
    let d = Daemon::start();
    let closed = sshd();
    let port = format!("ssh_port={}", closed.local_addr().expect("addr").port());
    drop(closed);
    let done = Lab::on(&d)
        .args(["check", "task2", "--format", "json", "--var", &port])
        .run();
    let c = done
        .code(1)
        .status("task2", "ssh", "sshd-listening", Status::Fail);
    assert!(
        c.hint.as_deref().unwrap_or("").contains("openssh-server"),
        "{c:?}"
    );
}

#[test]
fn full_width_quotes_in_daemon_json_are_pointed_at() {
    let d = Daemon::start();
    std::fs::write(
        d.config_file(),
        "{\n  “registry-mirrors”: [\"https://docker.m.daocloud.io\"]\n}\n",
    )
    .expect("write");
    let done = check(&d, &sshd());
    done.code(1);
    let c = done.status("task2", "mirror-config", "valid-json", Status::Fail);
    let actual = c.actual.as_deref().unwrap_or("");
    assert!(
        actual.contains(":2:3: `“` is a curly opening quote"),
        "{c:?}"
    );
    assert!(actual.contains("ASCII `\"`"), "{c:?}");
    let zh = Lab::on(&d)
        .env("LANG", "zh_CN.UTF-8")
        .args(["check", "task2"])
        .run();
    zh.code(1).stdout_has("中文左引号").stdout_has("输入法");
}

#[test]
fn daemon_json_edited_but_not_applied_gets_the_restart_hint() {
    let mut d = Daemon::start();
    let mut cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.config_file()).expect("read"))
            .expect("json");
    cfg["registry-mirrors"]
        .as_array_mut()
        .expect("mirrors")
        .push(format!("http://localhost:{}", registry_port(&d)).into());
    std::fs::write(d.config_file(), cfg.to_string()).expect("write");
    let done = check(&d, &sshd());
    done.code(1);
    done.status("task2", "mirror-config", "mirrors-are-urls", Status::Pass);
    let c = done.status(
        "task2",
        "mirror-loaded",
        "daemon-uses-mirrors",
        Status::Fail,
    );
    // The restart that works on this machine: with systemd or without it,
    // never a `systemctl` that a machine without systemd would refuse.
    let systemd = std::path::Path::new("/run/systemd/system").is_dir();
    let restart = if systemd {
        "sudo systemctl daemon-reload && sudo systemctl restart docker"
    } else {
        "sudo service docker restart"
    };
    let (message, hint) = (c.message.as_str(), c.hint.as_deref().unwrap_or(""));
    assert!(message.contains(restart) && hint.contains(restart), "{c:?}");
    if !systemd {
        assert!(
            !message.contains("systemctl") && !hint.contains("systemctl"),
            "{c:?}"
        );
        assert!(
            hint.contains("/var/log/docker.log") && !hint.contains("journalctl"),
            "{c:?}"
        );
        // The step the service check skipped says what to do instead.
        let skipped = done.status("task2", "daemon", "service-active", Status::Skip);
        assert!(
            skipped
                .message
                .as_str()
                .contains("sudo service docker status"),
            "{skipped:?}"
        );
    }
    assert!(
        c.expected
            .as_deref()
            .unwrap_or("")
            .contains(&format!("http://localhost:{}/", registry_port(&d))),
        "{c:?}"
    );
    d.restart();
    check(&d, &sshd()).status(
        "task2",
        "mirror-loaded",
        "daemon-uses-mirrors",
        Status::Pass,
    );
}

#[test]
fn mirrors_without_a_scheme_fail_with_the_offending_entry() {
    let d = Daemon::start();
    std::fs::write(
        d.config_file(),
        r#"{"registry-mirrors": ["docker.m.daocloud.io"]}"#,
    )
    .expect("write");
    let c = check(&d, &sshd()).status("task2", "mirror-config", "mirrors-are-urls", Status::Fail);
    assert!(
        c.message
            .as_str()
            .contains("`docker.m.daocloud.io` does not start with https://"),
        "{c:?}"
    );
}

#[test]
fn a_stopped_daemon_is_exit_3_with_what_to_do() {
    let mut d = Daemon::start();
    d.stop();
    let done = Lab::on(&d).args(["check", "task2"]).run();
    done.code(3).stdout_has("cannot reach the Docker daemon");
    // What to do, with the commands of this machine's init.
    if std::path::Path::new("/run/systemd/system").is_dir() {
        done.stdout_has("`sudo systemctl start docker`");
    } else {
        done.stdout_has("`sudo service docker start`")
            .stdout_has("/var/log/docker.log");
        assert!(!done.stdout.contains("systemctl"), "{}", done.stdout);
    }
    let json = Lab::on(&d)
        .args(["check", "task3", "--format", "json"])
        .run();
    json.code(3);
    json.status("task3", "pull-latest", "pulled", Status::Error);
}

#[test]
fn a_socket_without_permission_says_how_to_join_the_docker_group() {
    let d = Daemon::start();
    // Run lab as an unprivileged user against the root-owned socket.
    let Ok(out) = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
        .output()
    else {
        return;
    };
    if !out.status.success() {
        return; // not root: nothing to drop to
    }
    let lab = assert_cmd::cargo::cargo_bin("lab");
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&lab)
        .args([
            "--no-journal",
            "--docker-host",
            &d.host(),
            "check",
            "task3",
            "--var",
            "bash_history=/none",
            "--var",
            "zsh_history=/none",
        ])
        .env("HOME", "/tmp")
        .env("NO_COLOR", "1")
        .output()
        .expect("run lab as nobody");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(
        stdout.contains("permission denied") && stdout.contains("usermod -aG docker"),
        "{stdout}"
    );
}

#[test]
fn an_unknown_daemon_json_key_fails_naming_it_and_the_key_meant() {
    let d = Daemon::start();
    let mirrors = std::fs::read_to_string(d.config_file()).expect("read");
    let mut cfg: serde_json::Value = serde_json::from_str(&mirrors).expect("json");
    cfg["registy-mirrors"] = serde_json::json!(["https://x.example"]);
    std::fs::write(d.config_file(), cfg.to_string()).expect("write");
    let c = check(&d, &sshd()).status("task2", "mirror-config", "valid-json", Status::Fail);
    let message = c.message.as_str();
    assert!(message.contains("unknown key `registy-mirrors`"), "{c:?}");
    assert!(message.contains("did you mean `registry-mirrors`"), "{c:?}");
    let major_minor = d.major_minor();
    assert!(
        message.contains(&format!("dockerd {major_minor} will not start")),
        "{c:?}"
    );
}

#[test]
fn a_string_where_dockerd_wants_a_boolean_fails_at_its_place() {
    let d = Daemon::start();
    let text = format!(
        "{{\n  \"debug\": \"true\",\n  \"registry-mirrors\": [\"HTTP://{}\"]\n}}\n",
        d.registry()
    );
    std::fs::write(d.config_file(), text).expect("write");
    let done = check(&d, &sshd());
    let c = done.status("task2", "mirror-config", "valid-json", Status::Fail);
    assert!(
        c.message
            .as_str()
            .contains(":2:12: `debug` must be true or false"),
        "{c:?}"
    );
    // An upper-case scheme is one dockerd takes.
    done.status("task2", "mirror-config", "mirrors-are-urls", Status::Pass);
}
