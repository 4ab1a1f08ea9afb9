//! The learner's files as lab reads them (issue 11): a FIFO, a folder or a
//! device where a file should be, a history of hundreds of megabytes, a
//! daemon.json of full-width commas. lab never hangs, never eats the
//! machine's memory, never lets one slow read time the other checks out,
//! and says what is wrong as a failed check the learner can fix.

use crate::bed::Daemon;
use crate::harness::{Done, Lab};
use crate::kinds::course_with;
use lab::report::Status;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Checks that read daemon.json and the shell history.
const FILE_CHECKS: &str = r#"
    - { id: valid, json_file: { path: "${daemon_json}", dockerd: true } }
    - { id: json, json_file: { path: "${daemon_json}" } }
    - { id: content, file: { path: "${daemon_json}", contains: registry } }
    - { id: typed, history: { matches: 'docker\s+images', shows: { en: "docker images", zh-CN: "docker images" } } }
"#;

/// The history check alone.
const TYPED: &str = "    - { id: typed, history: { matches: 'docker\\s+images', shows: { en: \"docker images\", zh-CN: \"docker images\" } } }\n";

/// The same, and one that asks the daemon only.
const CHECKS: &str = r#"
    - { id: valid, json_file: { path: "${daemon_json}", dockerd: true } }
    - { id: typed, history: { matches: 'docker\s+images', shows: { en: "docker images", zh-CN: "docker images" } } }
    - { id: daemon, daemon: { min_version: "1.0" } }
"#;

fn mkfifo(p: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .expect("mkfifo");
    assert!(made.success());
}

/// `lab check t1` with daemon.json and both histories at the given paths,
/// killed after 60 s; how long it took.
fn check(
    lab: Lab,
    course: &Path,
    daemon_json: &Path,
    history: &Path,
    timeout: &str,
) -> (Done, Duration) {
    let dj = format!("daemon_json={}", daemon_json.display());
    let bh = format!("bash_history={}", history.display());
    let zh = format!("zsh_history={}", history.display());
    let started = Instant::now();
    let done = lab
        .course(course)
        .timeout(Duration::from_secs(60))
        .args([
            "--no-journal",
            "--timeout",
            timeout,
            "check",
            "t1",
            "--format",
            "json",
        ])
        .args(["--var", &dj, "--var", &bh, "--var", &zh])
        .run();
    (done, started.elapsed())
}

/// A machine with no daemon: these reads need none.
fn offline(dir: &Path) -> Lab {
    let home = dir.join("home");
    std::fs::create_dir_all(&home).expect("home");
    Lab::new(&home).env("DOCKER_HOST", format!("unix://{}/none.sock", dir.display()))
}

fn message(done: &Done, id: &str) -> String {
    done.check("t1", "s", id).message
}

fn status(done: &Done, id: &str) -> Status {
    done.check("t1", "s", id).status
}

#[test]
fn a_fifo_at_daemon_json_or_at_the_history_fails_the_check_and_never_hangs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let course = course_with(dir.path(), FILE_CHECKS);
    let (dj, hist) = (dir.path().join("daemon.json"), dir.path().join("history"));
    mkfifo(&dj);
    mkfifo(&hist);
    let (done, took) = check(offline(dir.path()), &course, &dj, &hist, "3");
    assert!(took < Duration::from_secs(13), "took {took:?}");
    // A failed check (1), not an error (3), not killed (-1).
    done.code(1);
    for id in ["valid", "json", "content", "typed"] {
        assert_eq!(status(&done, id), Status::Fail, "{id}: {}", done.stdout);
        let m = message(&done, id);
        assert!(m.contains("FIFO"), "{id}: {m}");
    }
    assert!(message(&done, "valid").contains(&format!("rm {}", dj.display())));
}

#[test]
fn a_folder_at_daemon_json_is_a_failed_check_saying_what_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let course = course_with(dir.path(), FILE_CHECKS);
    let dj = dir.path().join("daemon.json");
    std::fs::create_dir(&dj).expect("mkdir");
    // /dev/zero as the history: read, it would never end.
    let (done, _) = check(
        offline(dir.path()),
        &course,
        &dj,
        Path::new("/dev/zero"),
        "3",
    );
    done.code(1);
    for id in ["valid", "json", "content"] {
        assert_eq!(status(&done, id), Status::Fail, "{id}");
        let m = message(&done, id);
        assert!(
            m.contains("is a folder") && m.contains("rmdir"),
            "{id}: {m}"
        );
    }
    assert!(message(&done, "typed").contains("character device"));
    // In Chinese too.
    let (done, _) = check(
        offline(dir.path()).args(["--lang", "zh-CN"]),
        &course,
        &dj,
        Path::new("/dev/zero"),
        "3",
    );
    done.code(1);
    assert!(
        message(&done, "valid").contains("是一个目录"),
        "{}",
        done.stdout
    );
}

/// Writes `len` random bytes to `path`.
fn random_file(path: &Path, len: u64) {
    use std::io::Read;
    let mut src = std::fs::File::open("/dev/urandom")
        .expect("urandom")
        .take(len);
    let mut dst = std::fs::File::create(path).expect("create");
    std::io::copy(&mut src, &mut dst).expect("copy");
}

#[test]
fn a_huge_random_history_does_not_time_the_daemon_checks_out() {
    let d = Daemon::start();
    let course = course_with(d.dir(), CHECKS);
    let hist = d.dir().join("random_history");
    random_file(&hist, 100 << 20);
    let (done, _) = check(Lab::on(&d), &course, &d.config_file(), &hist, "2");
    assert_eq!(status(&done, "daemon"), Status::Pass, "{}", done.stdout);
    assert_eq!(status(&done, "valid"), Status::Pass, "{}", done.stdout);
    assert_eq!(status(&done, "typed"), Status::Fail, "{}", done.stdout);
    let warnings = done.check("t1", "s", "typed").warnings.join("\n");
    assert!(warnings.contains("read only its last 1 MiB"), "{warnings}");
    done.code(1);
}

/// A daemon.json of `body` in a fresh folder.
fn daemon_json(dir: &Path, name: &str, body: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).expect("write");
    p
}

#[test]
fn a_daemon_json_of_full_width_commas_gives_a_short_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let course = course_with(dir.path(), FILE_CHECKS);
    let hist = daemon_json(dir.path(), "history", b"docker images\n");
    let commas = "，".repeat(349_000);
    // Inside a string (it parses: warnings), alone (it does not: problems).
    let inside = format!("{{\"labels\": [\"registry={commas}\"]}}");
    let cases = [
        ("inside.json", inside.clone()),
        ("alone.json", commas.clone()),
        // 10 MB, as a learner's paste once was: too large to read.
        ("huge.json", commas.repeat(10)),
    ];
    for (name, body) in cases {
        let dj = daemon_json(dir.path(), name, body.as_bytes());
        let (done, _) = check(offline(dir.path()), &course, &dj, &hist, "5");
        assert!(
            done.stdout.len() < 32 << 10,
            "{name}: {} bytes of report",
            done.stdout.len()
        );
        assert_eq!(
            status(&done, "json"),
            if name == "inside.json" {
                Status::Pass
            } else {
                Status::Fail
            }
        );
        if name == "huge.json" {
            assert!(
                message(&done, "json").contains("larger than 1 MiB"),
                "{}",
                done.stdout
            );
        } else {
            assert!(done.stdout.contains(" more"), "{name}: {}", done.stdout);
        }
    }
}

#[test]
fn a_420_mb_history_is_read_in_little_memory() {
    let Some(time) = ["/usr/bin/time"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    else {
        panic!("/usr/bin/time (GNU time) is needed to measure lab's memory: apt install time");
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let course = course_with(dir.path(), TYPED);
    let hist = dir.path().join("history");
    // Sparse: 420 MB of NULs, the command at the end.
    let f = std::fs::File::create(&hist).expect("create");
    let len: u64 = 420 << 20;
    f.set_len(len).expect("set_len");
    std::os::unix::fs::FileExt::write_at(&f, b"\ndocker images\n", len - 15).expect("write");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let lab = assert_cmd::cargo::cargo_bin("lab");
    let bh = format!("bash_history={}", hist.display());
    let out = std::process::Command::new(time)
        .arg("-f")
        .arg("maxrss=%M")
        .arg(&lab)
        .args(["--no-journal", "--course"])
        .arg(&course)
        .args(["check", "t1", "--format", "json", "--var", &bh])
        .env_clear()
        .env("HOME", &home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env(
            "DOCKER_HOST",
            format!("unix://{}/none.sock", dir.path().display()),
        )
        .output()
        .expect("run lab under time");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let kb: u64 = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("maxrss=")?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no maxrss in {stderr}"));
    assert!(kb < 64 << 10, "lab's peak RSS was {kb} KiB\n{stdout}");
    // It did read the end: the command is found.
    assert!(
        stdout.contains("your shell history has `docker images`"),
        "{stdout}"
    );
}

#[test]
fn with_home_unset_and_no_passwd_entry_the_history_check_says_so() {
    let uid = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
        .expect("uid");
    if uid != 0 || !Path::new("/usr/bin/setpriv").exists() {
        eprintln!("skipped: needs root and setpriv to run lab as a uid /etc/passwd lacks");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let course = course_with(dir.path(), TYPED);
    let lab = assert_cmd::cargo::cargo_bin("lab");
    // uid 4242 is in no /etc/passwd here; before, lab read /root's history.
    let out = std::process::Command::new("/usr/bin/setpriv")
        .args(["--reuid", "4242", "--regid", "4242", "--clear-groups"])
        .arg(lab)
        .args(["--no-journal", "--course"])
        .arg(&course)
        .args(["check", "t1", "--format", "json"])
        .env_clear()
        .env(
            "DOCKER_HOST",
            format!("unix://{}/none.sock", dir.path().display()),
        )
        .output()
        .expect("run lab");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("HOME is not set"), "{stdout}");
    assert!(!stdout.contains("/root"), "{stdout}");
}

#[test]
fn a_fifo_where_docker_save_should_have_written_fails_the_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tar = dir.path().join("ubuntu.tar");
    mkfifo(&tar);
    let checks = format!(
        "    - {{ id: saved, image_archive: {{ path: \"{}\", contains: \"ubuntu:18.04\" }} }}\n",
        tar.display()
    );
    let course = course_with(dir.path(), &checks);
    let started = Instant::now();
    let done = offline(dir.path())
        .course(&course)
        .timeout(Duration::from_secs(60))
        .args([
            "--no-journal",
            "--timeout",
            "3",
            "check",
            "t1",
            "--format",
            "json",
        ])
        .run();
    assert!(started.elapsed() < Duration::from_secs(13));
    done.code(1);
    assert!(message(&done, "saved").contains("FIFO"), "{}", done.stdout);
}
