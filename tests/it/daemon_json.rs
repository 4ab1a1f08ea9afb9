//! Does lab's "dockerd will start with this daemon.json" agree with dockerd
//! itself? Every file of tests/fixtures/daemon-json/corpus is given to each
//! engine installed here (the system's dockerd, Debian 12's 20.10, and those
//! `scripts/engines` unpacks: 26.1, 28.5) as a private daemon's
//! --config-file (own data-root, exec-root, pidfile, socket; no bridge, no
//! iptables): it either exits (refused) or answers /_ping (started, and is
//! stopped at once). lab judges the same file for the same version, its own
//! `dockerd --validate` oracle turned off, so what is measured is lab's
//! model. `scripts/daemon-json-agreement` prints the table.

use lab::report::{CheckResult, Report, Status};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CORPUS: &str = "tests/fixtures/daemon-json/corpus";
const COURSE: &str = "tests/fixtures/daemon-json/course";

/// (label, dockerd) of every engine here.
fn engines() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let system =
        PathBuf::from(std::env::var("LAB_TEST_DOCKERD").unwrap_or("/usr/sbin/dockerd".into()));
    if let Some(v) = version_of(&system) {
        out.push((v, system));
    }
    let listed = Command::new("scripts/engines").arg("list").output();
    let listed = listed
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    for line in listed.lines() {
        if let Some((v, path)) = line.split_once(' ') {
            out.push((v.to_string(), PathBuf::from(path)));
        }
    }
    for want in ["26.1", "28.5"] {
        if !out.iter().any(|(v, _)| v.starts_with(want)) {
            eprintln!("SKIPPED engine dockerd {want}: not installed here (run scripts/engines)");
        }
    }
    out
}

fn version_of(dockerd: &Path) -> Option<String> {
    let out = Command::new(dockerd).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let v = text.split_whitespace().nth(2)?;
    Some(v.split(['+', ',', '~', '-']).next()?.to_string())
}

fn ping(sock: &Path) -> bool {
    let Ok(mut s) = UnixStream::connect(sock) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /_ping HTTP/1.0\r\nHost: d\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut buf = String::new();
    let _ = s.read_to_string(&mut buf);
    buf.ends_with("OK")
}

/// Whether `dockerd` starts with `file` as its configuration.
fn dockerd_starts(dockerd: &Path, file: &Path) -> (bool, String) {
    let dir = tempfile::Builder::new()
        .prefix("ldj")
        .tempdir_in("/tmp")
        .expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("owner"), std::process::id().to_string()).expect("owner");
    let sock = d.join("s");
    let mut child = Command::new(dockerd)
        .arg("--config-file")
        .arg(file)
        .arg("--data-root")
        .arg(d.join("data"))
        .arg("--exec-root")
        .arg(d.join("exec"))
        .arg("--pidfile")
        .arg(d.join("docker.pid"))
        .arg("-H")
        .arg(format!("unix://{}", sock.display()))
        .args(["--bridge=none", "--iptables=false"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn dockerd");
    let deadline = Instant::now() + Duration::from_secs(60);
    let started = loop {
        if let Ok(Some(_)) = child.try_wait() {
            break false;
        }
        if ping(&sock) {
            break true;
        }
        if Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // Nothing runs in it: kill it (cleanup_dir reaps its containerd).
    let _ = child.kill();
    let _ = child.wait();
    let mut log = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut log);
    }
    crate::bed::cleanup_dir(d);
    let last = log
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .to_string();
    (started, last)
}

/// lab's check of `file` (the fixture course's one daemon.json check) with
/// `dockerd` first on PATH and no daemon to ask; `validate` is
/// LAB_DOCKERD_VALIDATE (whether lab may ask `dockerd --validate`).
fn lab_check(dockerd: &Path, file: &Path, validate: &str) -> Option<CheckResult> {
    let dir = dockerd.parent().expect("dockerd dir");
    let path = format!("{}:/usr/sbin:/usr/bin:/sbin:/bin", dir.display());
    let out = assert_cmd::Command::cargo_bin("lab")
        .expect("lab")
        .env("PATH", path)
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .env("LAB_DOCKERD_VALIDATE", validate)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .args([
            "--no-journal",
            "--course",
            COURSE,
            "check",
            "dj",
            "--format",
            "json",
            "--var",
        ])
        .arg(format!("daemon_json={}", file.display()))
        .output()
        .expect("run lab");
    let report: Report = serde_json::from_slice(&out.stdout).ok()?;
    let step = report.tasks.into_iter().next()?.steps.into_iter().next()?;
    step.checks.into_iter().next()
}

/// lab's verdict for `file` as dockerd `version` reads it.
fn lab_says(dockerd: &Path, file: &Path) -> (bool, String) {
    let check = lab_check(dockerd, file, "0");
    match check {
        Some(c) => (c.status == Status::Pass, c.message),
        None => (false, String::new()),
    }
}

/// With LAB_AGREEMENT_DUMP=FILE, one line per run: engine, file, whether
/// dockerd started (to compare other judges with the same runs).
fn dump(label: &str, file: &Path, started: bool) {
    let Some(out) = std::env::var_os("LAB_AGREEMENT_DUMP") else {
        return;
    };
    let line = format!("{label}\t{}\t{started}\n", file.display());
    let _ = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out)
        .and_then(|mut f| f.write_all(line.as_bytes()));
}

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(CORPUS)
        .expect("corpus")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
}

#[test]
fn lab_agrees_with_every_dockerd_on_the_corpus() {
    let files = corpus();
    assert!(files.len() >= 100, "corpus has {} files", files.len());
    let runs: Vec<_> = engines()
        .into_iter()
        .map(|(label, dockerd)| {
            let files = files.clone();
            std::thread::spawn(move || measure(&label, &dockerd, &files))
        })
        .collect();
    let mut table = Vec::new();
    let mut disagreements = Vec::new();
    for run in runs {
        let (row, mut wrong) = run.join().expect("engine thread");
        table.push(row);
        disagreements.append(&mut wrong);
    }
    eprintln!("| dockerd | files | starts | refuses | lab agrees |");
    eprintln!("| --- | --- | --- | --- | --- |");
    for row in &table {
        eprintln!("{row}");
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// The agreement row of one engine, and the files it disagrees on.
fn measure(label: &str, dockerd: &Path, files: &[PathBuf]) -> (String, Vec<String>) {
    let mut disagreements = Vec::new();
    {
        let (mut agree, mut starts) = (0, 0);
        for f in files {
            let (real, why) = dockerd_starts(dockerd, f);
            let (lab, said) = lab_says(dockerd, f);
            dump(label, f, real);
            starts += usize::from(real);
            if real == lab {
                agree += 1;
            } else {
                let name = f.file_name().unwrap_or_default().to_string_lossy();
                disagreements.push(format!(
                    "dockerd {label}, {name}: dockerd {} ({why}); lab {} ({said})",
                    if real { "starts" } else { "refuses" },
                    if lab { "passes" } else { "fails" }
                ));
            }
        }
        let row = format!(
            "| {label} | {} | {starts} | {} | {agree}/{} ({:.1}%) |",
            files.len(),
            files.len() - starts,
            files.len(),
            100.0 * agree as f64 / files.len() as f64
        );
        (row, disagreements)
    }
}

#[test]
fn a_local_dockerd_23_or_later_is_asked_with_validate_and_has_the_last_word() {
    let Some((label, dockerd)) = engines().into_iter().find(|(v, _)| v.as_str() >= "23") else {
        eprintln!("SKIPPED: no dockerd 23.0 or later here (run scripts/engines)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    // A pool size in quotes: lab's own model does not look inside
    // default-address-pools; dockerd --validate does.
    let file = dir.path().join("daemon.json");
    std::fs::write(
        &file,
        r#"{"default-address-pools": [{"base": "10.0.0.0/8", "size": "24"}]}"#,
    )
    .expect("write");
    let run = |validate: &str| lab_check(&dockerd, &file, validate);
    let asked = run("1").unwrap_or_else(|| panic!("dockerd {label}: no report"));
    assert_eq!(asked.status, Status::Fail, "dockerd {label}: {asked:?}");
    let message = asked.message.as_str();
    assert!(
        message.contains("`dockerd --validate` refuses this file")
            && message.contains("cannot unmarshal string"),
        "{asked:?}"
    );
    // Without the oracle, lab's model alone lets it through.
    assert_eq!(run("0").map(|c| c.status), Some(Status::Pass));
}

/// The rows of src/diagnose/dockerd_keys.rs: (name, type, since, until).
type Row = (String, String, Option<(u16, u16)>, Option<(u16, u16)>);

fn key_table() -> Vec<Row> {
    let src = std::fs::read_to_string("src/diagnose/dockerd_keys.rs").expect("key table");
    let re = regex::Regex::new(
        r#"key\("([^"]+)", (\w+), (None|Some\(\((\d+), (\d+)\)\)), (None|Some\(\((\d+), (\d+)\)\))\)"#,
    )
    .expect("regex");
    let ver = |a: Option<regex::Match>, b: Option<regex::Match>| {
        Some((a?.as_str().parse().ok()?, b?.as_str().parse().ok()?))
    };
    re.captures_iter(&src)
        .map(|c| {
            (
                c[1].to_string(),
                c[2].to_string(),
                ver(c.get(4), c.get(5)),
                ver(c.get(7), c.get(8)),
            )
        })
        .collect()
}

fn known_in(row: &Row, v: (u16, u16)) -> bool {
    row.2.is_none_or(|s| v >= s) && row.3.is_none_or(|u| v < u)
}

/// What dockerd says of `{key: value}`: (refused, its words).
fn validate(dockerd: &Path, dir: &Path, doc: &serde_json::Value) -> (bool, String) {
    let file = dir.join("k.json");
    std::fs::write(&file, doc.to_string()).expect("write");
    let out = Command::new(dockerd)
        .args(["--validate", "--config-file"])
        .arg(&file)
        .output()
        .expect("dockerd --validate");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (!out.status.success(), said)
}

#[test]
fn the_key_table_matches_each_engine() {
    let rows = key_table();
    assert!(rows.len() > 100, "{} rows", rows.len());
    let dir = tempfile::tempdir().expect("tempdir");
    let mut wrong = Vec::new();
    for (label, dockerd) in engines() {
        let Some(v) = label
            .split('.')
            .take(2)
            .map(|p| p.parse::<u16>().ok())
            .collect::<Option<Vec<_>>>()
            .map(|p| (p[0], p[1]))
        else {
            continue;
        };
        let names: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        for name in names {
            let row = rows.iter().rev().find(|r| r.0 == name && known_in(r, v));
            let said = if v >= (23, 0) {
                validate(&dockerd, dir.path(), &serde_json::json!({ name: null })).1
            } else {
                // 20.10 has no --validate: an unknown key is reported before a
                // conflict with a flag, and both before anything starts.
                let doc = serde_json::json!({ name: null, "data-root": "/nonexistent" });
                let file = dir.path().join("k.json");
                std::fs::write(&file, doc.to_string()).expect("write");
                let out = Command::new(&dockerd)
                    .arg("--config-file")
                    .arg(&file)
                    .arg("--data-root")
                    .arg(dir.path().join("data"))
                    .output()
                    .expect("dockerd");
                String::from_utf8_lossy(&out.stderr).into_owned()
            };
            let unknown = said.contains("don't match any configuration option");
            if unknown == row.is_some() {
                wrong.push(format!(
                    "dockerd {label}: `{name}` known by the table: {}; dockerd: {said}",
                    row.is_some()
                ));
            }
            let Some(row) = row.filter(|_| v >= (23, 0)) else {
                continue;
            };
            if matches!(name, "config-file" | "validate") {
                continue; // set on the command line of --validate itself
            }
            let bad = match row.1.as_str() {
                "Bool" | "Int" | "StrList" | "IpList" => serde_json::json!("x"),
                "MemBytes" => serde_json::json!(true),
                _ => serde_json::json!(1),
            };
            let (refused, said) = validate(&dockerd, dir.path(), &serde_json::json!({ name: bad }));
            if refused != (row.1 != "Ignored") {
                wrong.push(format!(
                    "dockerd {label}: `{name}`: {bad} as {}: {said}",
                    row.1
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
