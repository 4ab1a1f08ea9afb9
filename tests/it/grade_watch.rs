//! `lab grade --watch` on the simulated class of `scripts/gradebed up`:
//! s04 (a fresh VM) and s05 (refuses connections) watched with the course
//! of tests/fixtures/grade-watch (step 1: Docker runs; step 2: a volume
//! whose name each test makes up). The learner's command is typed over SSH
//! during the watch; the server-sent events and a real headless Chromium
//! must see s04's cell turn to pass. The volume is removed afterwards, so
//! the class stays as the other tests expect it (volumes are no part of
//! the course's checks).

use crate::harness::{gradebed, lab_bin, leftover_ssh, Lab, SCRUBBED_ENV};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// Generous: the machine is shared (the latency is in BENCHMARKS.md).
const WAIT: Duration = Duration::from_secs(30);
const STEP: &str = "live/volume";

fn course() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/grade-watch")
}

/// The bed's roster cut to `ids`, in `dir`.
fn roster(dir: &Path, ids: &[&str]) -> PathBuf {
    let all = std::fs::read_to_string(gradebed().join("roster.csv")).expect("the bed's roster");
    let mut lines = all.lines();
    let mut out = format!("{}\n", lines.next().expect("a header"));
    for l in lines.filter(|l| ids.iter().any(|id| l.starts_with(&format!("{id},")))) {
        out.push_str(l);
        out.push('\n');
    }
    let path = dir.join("roster.csv");
    std::fs::write(&path, out).expect("write the roster");
    path
}

/// A Docker volume on s04, made as the learner would (`docker volume
/// create` over SSH), removed when dropped.
struct Volume(String);

impl Volume {
    fn name(test: &str) -> Volume {
        Volume(format!("lab-watch-{test}-{}", std::process::id()))
    }

    fn docker_on_s04(&self, verb: &str) -> std::process::Output {
        let bed = gradebed();
        Command::new("ssh")
            .args([
                "-F",
                "/dev/null",
                "-o",
                "BatchMode=yes",
                "-o",
                "IdentitiesOnly=yes",
            ])
            .arg("-i")
            .arg(bed.join("key"))
            .arg("-o")
            .arg(format!(
                "UserKnownHostsFile={}",
                bed.join("known_hosts").display()
            ))
            .args(["root@10.214.0.14", "docker", "volume", verb, &self.0])
            .output()
            .expect("run ssh")
    }

    fn create(&self) {
        let out = self.docker_on_s04("create");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Volume {
    fn drop(&mut self) {
        let _ = self.docker_on_s04("rm");
    }
}

/// `lab grade live --watch --serve 127.0.0.1:0` on `ids`, in a process
/// group of its own (as a shell runs it); the address it serves on.
struct Watching {
    child: Child,
    addr: String,
    stderr: Receiver<String>,
}

impl Watching {
    fn start(tmp: &Path, ids: &[&str], volume: &Volume, lang: &str) -> Watching {
        use std::os::unix::process::CommandExt;
        let bed = gradebed();
        let mut cmd = Command::new(lab_bin());
        for k in SCRUBBED_ENV {
            cmd.env_remove(k);
        }
        cmd.env("HOME", tmp)
            .env("NO_COLOR", "1")
            .arg("--course")
            .arg(course())
            .args([
                "--lang",
                lang,
                "--timeout",
                "3",
                "grade",
                "live",
                "--roster",
            ])
            .arg(roster(tmp, ids))
            .arg("--out")
            .arg(tmp.join("grades"))
            .arg("--ssh-option")
            .arg(format!(
                "UserKnownHostsFile={}",
                bed.join("known_hosts").display()
            ))
            .args(["--var", &format!("volume={}", volume.0)])
            .args(["--watch", "--serve", "127.0.0.1:0"])
            .process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start lab grade --watch");
        let (tx, stderr) = channel();
        let pipe = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let first = stderr
            .recv_timeout(WAIT)
            .expect("lab says where the page is");
        let addr = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_string();
        Watching {
            child,
            addr,
            stderr,
        }
    }

    /// Ctrl-C as a terminal sends it, to the whole process group; what lab
    /// printed, and its exit code.
    fn ctrl_c(mut self) -> (i32, String, String) {
        let pid = self.child.id();
        let ok = Command::new("kill")
            .args(["-INT", "--", &format!("-{pid}")])
            .status()
            .expect("run kill");
        assert!(ok.success());
        let mut stdout = String::new();
        if let Some(mut out) = self.child.stdout.take() {
            out.read_to_string(&mut stdout).expect("read stdout");
        }
        let status = self.child.wait().expect("wait for lab");
        let stderr: Vec<String> = self.stderr.try_iter().collect();
        (status.code().unwrap_or(-1), stdout, stderr.join("\n"))
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `data:` of each server-sent event of `GET /events`, parsed.
fn events(addr: &str) -> Receiver<serde_json::Value> {
    let mut conn = std::net::TcpStream::connect(addr).expect("connect to the page");
    // HTTP/1.0: the stream comes unchunked, line by line.
    conn.write_all(b"GET /events HTTP/1.0\r\nHost: lab\r\n\r\n")
        .expect("ask for the events");
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(conn).lines().map_while(Result::ok) {
            if let Some(data) = line.strip_prefix("data: ") {
                let v = serde_json::from_str(data).expect("an event is JSON");
                if tx.send(v).is_err() {
                    return;
                }
            }
        }
    });
    rx
}

/// A student's row of an event's board.
fn row<'a>(event: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    let rows = event["board"]["rows"].as_array().expect("rows");
    rows.iter()
        .find(|r| r["id"] == id)
        .expect("the student's row")
}

/// The status of `id`'s cell for `step` in an event.
fn cell(event: &serde_json::Value, id: &str, step: &str) -> String {
    let columns = event["board"]["columns"].as_array().expect("columns");
    let c = columns
        .iter()
        .position(|c| c["step"] == step)
        .expect("the step's column");
    row(event, id)["cells"][c]
        .as_str()
        .unwrap_or("none")
        .to_string()
}

/// Waits for an event that satisfies `want`; returns it.
fn wait_for(
    rx: &Receiver<serde_json::Value>,
    what: &str,
    want: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + WAIT;
    let mut last = serde_json::Value::Null;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(e) if want(&e) => return e,
            Ok(e) => last = e,
            Err(_) => break,
        }
    }
    panic!("no event with {what} within {WAIT:?}; last: {last}");
}

#[test]
fn a_cell_turns_to_pass_over_server_sent_events_after_the_learners_command() {
    let tmp = tempfile::tempdir().unwrap();
    let volume = Volume::name("sse");
    let watching = Watching::start(tmp.path(), &["s04", "s05"], &volume, "en");
    let rx = events(&watching.addr);
    let before = wait_for(&rx, "s04 graded, s05 unreachable", |e| {
        cell(e, "s04", STEP) == "fail" && row(e, "s05")["outcome"] == "unreachable"
    });
    assert_eq!(cell(&before, "s04", "live/daemon"), "pass");
    assert_eq!(
        row(&before, "s04")["stuck"]["column"],
        1,
        "stuck on the volume"
    );
    assert_eq!(before["most_failed"]["check"], "live/volume/made");
    let html = before["html"].as_str().unwrap();
    assert!(
        html.contains("Not reached: <b>s05</b> (unreachable)"),
        "{html}"
    );
    let rounds = row(&before, "s04")["rounds"].as_u64().unwrap();
    volume.create();
    let after = wait_for(&rx, "s04's volume step passed", |e| {
        cell(e, "s04", STEP) == "pass"
    });
    assert!(row(&after, "s04")["stuck"].is_null(), "all done");
    // Nobody is asked more than once a second.
    let rounds = row(&after, "s04")["rounds"].as_u64().unwrap() - rounds;
    assert!(rounds <= WAIT.as_secs() + 1, "{rounds} rounds");
    let pid = watching.child.id();
    let (code, stdout, stderr) = watching.ctrl_c();
    assert!(leftover_ssh(pid).is_empty(), "{:?}", leftover_ssh(pid));
    // As `lab grade` ends: s05 could not be graded.
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    let grades = tmp.path().join("grades");
    let book = std::fs::read_to_string(grades.join("gradebook.csv")).expect("gradebook.csv");
    assert!(
        book.contains("s04,韩梅梅,ssh://root@10.214.0.14:22,graded,2,2,2,,"),
        "{book}"
    );
    assert!(
        book.contains("s05,Refused,ssh://root@10.214.0.15:22,unreachable,"),
        "{book}"
    );
    for f in ["summary.html", "junit.xml", "canvas.csv", "moodle.csv"] {
        assert!(grades.join(f).is_file(), "{f}");
    }
    let report = std::fs::read_to_string(grades.join("students/s04/report.json")).unwrap();
    assert!(report.contains("\"status\": \"pass\""), "{report}");
    assert!(stdout.contains("graded 1 of 2 hosts"), "{stdout}");
}

#[test]
fn the_page_is_served_read_only_and_in_chinese() {
    let tmp = tempfile::tempdir().unwrap();
    let volume = Volume::name("zh");
    let watching = Watching::start(tmp.path(), &["s05"], &volume, "zh-CN");
    let get = |request: &str| {
        let mut conn = std::net::TcpStream::connect(&watching.addr).unwrap();
        conn.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        conn.read_to_string(&mut answer).unwrap();
        answer
    };
    let page = get("GET / HTTP/1.0\r\n\r\n");
    assert!(page.starts_with("HTTP/1.0 200"), "{page}");
    assert!(page.contains("<html lang=\"zh-CN\">"), "{page}");
    assert!(page.contains("实时课堂"), "the course's zh-CN title");
    assert!(page.contains("content-security-policy: default-src 'none'"));
    assert!(!page.contains("src=\"http"), "nothing from elsewhere");
    assert!(get("POST / HTTP/1.0\r\n\r\n").starts_with("HTTP/1.0 405"));
    assert!(get("GET /../etc/passwd HTTP/1.0\r\n\r\n").starts_with("HTTP/1.0 404"));
    let rx = events(&watching.addr);
    let e = wait_for(&rx, "s05 unreachable", |e| {
        row(e, "s05")["outcome"] == "unreachable"
    });
    assert!(e["html"].as_str().unwrap().contains("无法连接"), "{e}");
    drop(watching);
}

#[test]
fn serve_without_watch_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = roster(tmp.path(), &["s04"]);
    Lab::new(tmp.path())
        .args(["grade", "task3", "--roster"])
        .args([roster.to_str().unwrap(), "--serve", "8315"])
        .run()
        .code(2)
        .stderr_has("--watch");
    Lab::new(tmp.path())
        .args(["grade", "task3", "--roster"])
        .args([roster.to_str().unwrap(), "--watch", "--serve", "localhost"])
        .run()
        .code(2)
        .stderr_has("is not PORT or IP:PORT");
}

/// What the page shows in s04's cell of the volume step.
const S04_CELL: &str = r#"(document.querySelector('tr[data-student="s04"] td[data-step="live/volume"]') || {}).className"#;

#[test]
fn chromium_sees_the_cell_turn_green_after_the_vms_command() {
    let tmp = tempfile::tempdir().unwrap();
    let volume = Volume::name("chromium");
    let watching = Watching::start(tmp.path(), &["s04", "s05"], &volume, "en");
    let mut browser = crate::chromium::Chromium::open(&format!("http://{}/", watching.addr));
    browser.wait_for(S04_CELL, "fail", WAIT);
    let green = "getComputedStyle(document.querySelector('tr[data-student=\"s04\"] td[data-step=\"live/volume\"]')).backgroundColor";
    assert_eq!(browser.eval(green), "rgb(176, 0, 0)", "red before");
    assert_eq!(
        browser.eval("document.getElementById('live').className"),
        "",
        "the page says it is live"
    );
    // Gone if the page were loaded again: the event's grid must replace it.
    browser.eval("window.labMark = 'same page'");
    volume.create();
    browser.wait_for(S04_CELL, "pass", WAIT);
    assert_eq!(browser.eval(green), "rgb(10, 107, 34)", "green after");
    assert_eq!(browser.eval("window.labMark"), "same page");
    drop(browser);
    drop(watching);
}
