//! Every check kind against the real machine and the real daemon: a
//! one-step course is written per test, so each kind is seen to pass and to
//! fail for the right reason.

use crate::bed::Daemon;
use crate::harness::{home_of, Done, Lab};
use lab::report::{Evidence, Status};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A course whose task `t1` has one step `s` with the given checks (YAML
/// list items, indented by four spaces).
pub fn course_with(dir: &Path, checks: &str) -> PathBuf {
    let root = dir.join("course");
    for sub in ["labs", "content/en", "content/zh-CN"] {
        std::fs::create_dir_all(root.join(sub)).expect("mkdir");
    }
    let both = "{ en: x, zh-CN: x }";
    std::fs::write(
        root.join("labs/course.yaml"),
        format!("schema: 1\ntitle: {both}\nvars:\n  daemon_json: /etc/docker/daemon.json\n  bash_history: ${{home}}/.bash_history\n  zsh_history: ${{home}}/.zsh_history\n  port: \"0\"\nunits:\n  - {{ id: u1, title: {both} }}\n"),
    )
    .expect("course.yaml");
    std::fs::write(
        root.join("labs/t1.yaml"),
        format!("schema: 1\nid: t1\nunit: u1\ntitle: {both}\nlesson: t1.md\nsteps:\n  - id: s\n    title: {both}\n    hint: {both}\n    checks:\n{checks}"),
    )
    .expect("t1.yaml");
    for lang in ["en", "zh-CN"] {
        std::fs::write(root.join(format!("content/{lang}/t1.md")), "# t1\n").expect("lesson");
    }
    root
}

fn run(d: &Daemon, checks: &str) -> Done {
    let course = course_with(d.dir(), checks);
    let done = Lab::on(d)
        .course(&course)
        .args(["--no-journal", "check", "t1", "--format", "json"])
        .run();
    assert!(
        done.code == 0 || done.code == 1,
        "unexpected exit {}\n{}\n{}",
        done.code,
        done.stdout,
        done.stderr
    );
    done
}

fn status(done: &Done, id: &str) -> Status {
    done.check("t1", "s", id).status
}

/// Asserts each (check id, status) of a run.
fn expect(done: &Done, want: &[(&str, Status)]) {
    for (id, st) in want {
        assert_eq!(
            status(done, id),
            *st,
            "{id}: {}",
            serde_json::to_string_pretty(&done.check("t1", "s", id)).unwrap_or_default()
        );
    }
}

#[test]
fn docker_cli_and_daemon() {
    let d = Daemon::start();
    let done = run(
        &d,
        r#"
    - { id: cli, docker_cli: { min_version: "1.0" } }
    - { id: cli-too-old, docker_cli: { min_version: "999" } }
    - { id: daemon, daemon: { min_version: "20.10", info: [ { path: Driver, matches: "^(overlay2|overlayfs|vfs)$", shows: { en: "overlay2, overlayfs or vfs", zh-CN: "overlay2、overlayfs 或 vfs" } }, { path: RegistryConfig.Mirrors.0, matches: "^http://127\\.0\\.0\\.1:\\d+/$", shows: { en: "a mirror on 127.0.0.1", zh-CN: "127.0.0.1 上的镜像加速器" } } ] } }
    - { id: daemon-too-old, daemon: { min_version: "999" } }
    - { id: info-mismatch, daemon: { info: [ { path: Images, equals: 42 } ] } }
"#,
    );
    expect(
        &done,
        &[
            ("cli", Status::Pass),
            ("cli-too-old", Status::Fail),
            ("daemon", Status::Pass),
            ("daemon-too-old", Status::Fail),
            ("info-mismatch", Status::Fail),
        ],
    );
    assert_eq!(
        done.check("t1", "s", "info-mismatch").actual.as_deref(),
        Some("0")
    );
}

#[test]
fn service_skips_without_systemd() {
    let d = Daemon::start();
    let done = run(
        &d,
        "    - { id: svc, service: { name: docker, enabled: true } }\n",
    );
    let want = if Path::new("/run/systemd/system").is_dir() {
        Status::Fail
    } else {
        Status::Skip
    };
    expect(&done, &[("svc", want)]);
}

#[test]
fn port_and_http() {
    let d = Daemon::start();
    let server = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = server.local_addr().expect("addr").port();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    // Listening for the whole test: the checks run at once, and a server
    // that stopped after the two HTTP checks' requests could be gone
    // before the port check reads the socket table.
    std::thread::spawn(move || {
        for mut conn in server.incoming().flatten() {
            let mut buf = [0u8; 1024];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<title>Welcome to nginx!</title>");
        }
    });
    let done = run(
        &d,
        &format!(
            r#"
    - {{ id: open, port: {{ port: {port} }} }}
    - {{ id: closed, port: {{ port: {closed} }} }}
    - {{ id: closed-wanted, port: {{ port: {closed}, listening: false }} }}
    - {{ id: page, http: {{ url: "http://127.0.0.1:{port}/", body: "Welcome to nginx!" }} }}
    - {{ id: wrong-body, http: {{ url: "http://127.0.0.1:{port}/", body: "Apache" }} }}
    - {{ id: nobody-home, http: {{ url: "http://127.0.0.1:{closed}/" }} }}
"#
        ),
    );
    expect(
        &done,
        &[
            ("open", Status::Pass),
            ("closed", Status::Fail),
            ("closed-wanted", Status::Pass),
            ("page", Status::Pass),
            ("wrong-body", Status::Fail),
            ("nobody-home", Status::Fail),
        ],
    );
}

#[test]
fn file_json_file_history_and_command() {
    let d = Daemon::start();
    let f = d.dir().join("conf.json");
    std::fs::write(
        &f,
        r#"{"registry-mirrors": ["https://a.example"], "debug": true}"#,
    )
    .expect("write");
    std::fs::write(
        home_of(&d).join(".bash_history"),
        "ls\ndocker images tomcat -q\n",
    )
    .expect("history");
    let p = f.display();
    let done = run(
        &d,
        &format!(
            r#"
    - {{ id: exists, file: {{ path: "{p}", contains: registry-mirrors }} }}
    - {{ id: mode, file: {{ path: "{p}", mode: "0600" }} }}
    - {{ id: missing, file: {{ path: "{p}.nope" }} }}
    - {{ id: absent-wanted, file: {{ path: "{p}.nope", exists: false }} }}
    - {{ id: json, json_file: {{ path: "{p}", values: [ {{ path: registry-mirrors, contains: "https://a.example" }}, {{ path: debug, equals: true }} ] }} }}
    - {{ id: json-value, json_file: {{ path: "{p}", values: [ {{ path: debug, equals: false }} ] }} }}
    - {{ id: history, history: {{ matches: 'docker\s+images\s+tomcat', shows: {{ en: "docker images tomcat", zh-CN: "docker images tomcat" }} }} }}
    - {{ id: history-missing, history: {{ matches: 'docker\s+rmi', shows: {{ en: "docker rmi", zh-CN: "docker rmi" }} }} }}
    - {{ id: no-history-file, history: {{ matches: x, files: ["/nonexistent/.bash_history"] }} }}
    - {{ id: cmd, command: {{ run: "echo hello; echo oops >&2", stdout: "^hello", shows: {{ en: "a first line hello", zh-CN: "第一行是 hello" }}, stderr: oops }} }}
    - {{ id: cmd-exit, command: {{ run: "exit 3" }} }}
"#
        ),
    );
    let mode = if std::fs::metadata(&f)
        .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o777 == 0o600)
        .unwrap_or(false)
    {
        Status::Pass
    } else {
        Status::Fail
    };
    expect(
        &done,
        &[
            ("exists", Status::Pass),
            ("mode", mode),
            ("missing", Status::Fail),
            ("absent-wanted", Status::Pass),
            ("json", Status::Pass),
            ("json-value", Status::Fail),
            ("history", Status::Pass),
            ("history-missing", Status::Fail),
            // No history to judge by is the learner's to fix: a fail.
            ("no-history-file", Status::Fail),
            ("cmd", Status::Pass),
            ("cmd-exit", Status::Fail),
        ],
    );
    assert!(done
        .check("t1", "s", "cmd-exit")
        .actual
        .as_deref()
        .unwrap_or("")
        .starts_with('3'));
}

#[test]
fn image_container_and_event() {
    let d = Daemon::start();
    d.docker(&["pull", "mysql:5.7"]);
    d.docker(&["tag", "mysql:5.7", "mydb:1"]);
    d.docker(&["pull", "hello-world"]);
    d.docker(&["run", "--name", "greeter", "hello-world"]);
    d.docker(&["pull", "ubuntu:18.04"]);
    d.docker_may_fail(&[
        "run",
        "--name",
        "failing",
        "ubuntu:18.04",
        "sh",
        "-c",
        "echo bye; exit 3",
    ]);
    let done = run(
        &d,
        r#"
    - { id: present, image: { ref: "mysql:5.7" } }
    - { id: absent, image: { ref: "tomcat" } }
    - { id: absent-wanted, image: { ref: "tomcat", present: false } }
    - { id: same-id, image: { ref: "mydb:1", same_id_as: "mysql:5.7" } }
    - { id: other-id, image: { ref: "mydb:1", same_id_as: "hello-world" } }
    - { id: ports, image: { ref: "mysql:5.7", inspect: [ { path: Config.ExposedPorts, contains: "3306/tcp" }, { path: Config.ExposedPorts, contains: "33060/tcp" } ] } }
    - { id: count, image: { repository: mysql, count: 1 } }
    - { id: count-wrong, image: { repository: mysql, count: 0 } }
    - { id: greeter, container: { name: greeter, state: exited, exit_code: 0, logs: "Hello from Docker!" } }
    - { id: by-image, container: { image: "ubuntu:18.04", exit_code: 3, logs: bye } }
    - { id: wrong-code, container: { name: failing, exit_code: 0 } }
    - { id: no-such, container: { name: nginx_first } }
    - { id: pulled, event: { action: pull, image: "mysql:5.7" } }
    - { id: tagged, event: { action: tag, image: "mydb:1" } }
    - { id: never-deleted, event: { action: delete, image: "mysql:5.7" } }
    - { id: died, event: { type: container, action: die, container: greeter } }
"#,
    );
    expect(
        &done,
        &[
            ("present", Status::Pass),
            ("absent", Status::Fail),
            ("absent-wanted", Status::Pass),
            ("same-id", Status::Pass),
            ("other-id", Status::Fail),
            ("ports", Status::Pass),
            ("count", Status::Pass),
            ("count-wrong", Status::Fail),
            ("greeter", Status::Pass),
            ("by-image", Status::Pass),
            ("wrong-code", Status::Fail),
            ("no-such", Status::Fail),
            ("pulled", Status::Pass),
            ("tagged", Status::Pass),
            ("never-deleted", Status::Fail),
            ("died", Status::Pass),
        ],
    );
    assert!(matches!(
        done.check("t1", "s", "pulled").evidence,
        Some(Evidence::Event { .. })
    ));
    assert!(matches!(
        done.check("t1", "s", "present").evidence,
        Some(Evidence::Live { .. })
    ));
}

#[test]
fn unpublished_ports_fail_with_what_is_published() {
    let d = Daemon::start();
    d.docker(&["pull", "ubuntu:18.04"]);
    d.docker(&["run", "--name", "quiet", "ubuntu:18.04", "true"]);
    let done = run(
        &d,
        "    - { id: ports, container: { name: quiet, ports: [\"80->80/tcp\"] } }\n",
    );
    let c = done.check("t1", "s", "ports");
    assert_eq!(c.status, Status::Fail, "{c:?}");
    assert!(c.message.as_str().contains("80->80/tcp"), "{c:?}");
    assert_eq!(
        c.actual.as_deref(),
        Some("no ports (`docker ps` shows none)"),
        "{c:?}"
    );
}

/// Ports are written and shown as `docker ps` shows them: host port first,
/// each binding once (the test bed publishes on 127.0.0.1 only).
#[test]
fn published_ports_are_shown_as_docker_ps_shows_them() {
    let d = Daemon::start_networked();
    d.docker(&["pull", "nginx"]);
    d.docker(&["run", "-d", "--name", "web", "-p", "8080:80", "nginx"]);
    let ps = d.docker(&["ps", "--format", "{{.Ports}}", "--filter", "name=web"]);
    let shown = String::from_utf8_lossy(&ps.stdout).trim().to_string();
    let done = run(
        &d,
        "    - { id: wrong, container: { name: web, ports: [\"80->80/tcp\"] } }\n    - { id: right, container: { name: web, ports: [\"8080->80/tcp\"] } }\n",
    );
    let c = done.check("t1", "s", "wrong");
    assert_eq!(c.status, Status::Fail, "{c:?}");
    assert_eq!(c.actual.as_deref(), Some(shown.as_str()), "{c:?}");
    assert_eq!(c.actual.as_deref(), Some("127.0.0.1:8080->80/tcp"), "{c:?}");
    assert_eq!(done.check("t1", "s", "right").status, Status::Pass);
}

/// `docker run -it` leaves Tty and OpenStdin in the container's
/// configuration; a container run without them fails on the first field
/// that differs, named, with both values (task 10's interactive step).
#[test]
fn container_inspect_fields_tell_an_interactive_container() {
    let d = Daemon::start();
    d.docker(&["pull", "centos:7"]);
    d.docker(&["create", "-it", "--name", "shell", "centos:7", "/bin/bash"]);
    d.docker(&["run", "--name", "plain", "centos:7", "true"]);
    let it =
        "inspect: [{ path: Config.Tty, equals: true }, { path: Config.OpenStdin, equals: true }]";
    let done = run(
        &d,
        &format!(
            "    - {{ id: it, container: {{ name: shell, {it} }} }}
    - {{ id: plain, container: {{ name: plain, state: exited, {it} }} }}
"
        ),
    );
    assert_eq!(done.check("t1", "s", "it").status, Status::Pass);
    let c = done.check("t1", "s", "plain");
    assert_eq!(c.status, Status::Fail, "{c:?}");
    assert!(c.message.as_str().contains("Config.Tty"), "{c:?}");
    assert_eq!(c.actual.as_deref(), Some("false"), "{c:?}");
}

#[test]
fn a_check_past_its_timeout_is_an_error_not_a_hang() {
    let d = Daemon::start();
    let course = course_with(
        d.dir(),
        "    - { id: slow, command: { run: \"sleep 30\" } }\n",
    );
    let started = std::time::Instant::now();
    let done = Lab::on(&d)
        .course(&course)
        .args([
            "--no-journal",
            "--timeout",
            "1",
            "check",
            "t1",
            "--format",
            "json",
        ])
        .run();
    done.code(3);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    let c = done.check("t1", "s", "slow");
    assert!(c.message.as_str().contains("timed out after 1 s"), "{c:?}");
}
