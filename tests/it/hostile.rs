//! `tests/hostile/<case>/case.toml`: every hostile input issue 11 lists, as
//! a fixture with its expected exit code, the words lab must say, and the
//! resources it may use: wall time and peak RSS, measured by GNU time
//! (`/usr/bin/time -f '%e %M'`) around the real binary.
//!
//! A case's fields:
//! - `about`: what the attacker (or the unlucky learner) did.
//! - `daemon`: run against a private test bed dockerd (`{daemon_json}` is
//!   its daemon.json, `DOCKER_HOST` points at it).
//! - `setup`: shell run in the case's scratch folder `{dir}` first (to make
//!   FIFOs, links and files too big to commit); the case folder's other
//!   files are copied there before.
//! - `args`, `env`, `unset`: the command line and environment (`{dir}`,
//!   `{daemon_json}` and `{root}`, the repository, expanded; HOME is
//!   `{dir}` unless `env` says otherwise).
//! - `stdout_to`: a file to send stdout to (`/dev/full`).
//! - `exit`; `has` / `lacks`: words in stdout + stderr or not;
//!   `files`: `{ "path" = ["words"] }` that must hold them after the run;
//!   `unchanged`: files under `{dir}` that must keep their bytes;
//!   `same_listing`: `{dir}` holds the same names after the run.
//! - `max_secs`, `max_rss_mib`, `max_output_kib`: the bounds.

use crate::bed::Daemon;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    about: String,
    #[serde(default)]
    daemon: bool,
    #[serde(default)]
    setup: String,
    args: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    unset: Vec<String>,
    stdout_to: Option<String>,
    exit: i32,
    #[serde(default)]
    has: Vec<String>,
    #[serde(default)]
    lacks: Vec<String>,
    #[serde(default)]
    files: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    unchanged: Vec<String>,
    /// The scratch folder lists the same names after the run (nothing
    /// left behind: no `.FILE.old-PID`, no `.book.tmp-PID`).
    #[serde(default)]
    same_listing: bool,
    max_secs: f64,
    max_rss_mib: f64,
    #[serde(default = "default_output_kib")]
    max_output_kib: usize,
}

fn default_output_kib() -> usize {
    256
}

/// What one run measured.
struct Ran {
    code: i32,
    output: String,
    output_len: usize,
    secs: f64,
    rss_mib: f64,
}

fn cases() -> Vec<(String, Case)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&root).expect("tests/hostile") {
        let dir = entry.expect("entry").path();
        let file = dir.join("case.toml");
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let case: Case =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let name = dir
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        out.push((name, case));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn expand(s: &str, dir: &Path, daemon: Option<&Daemon>) -> String {
    let mut s = s
        .replace("{dir}", &dir.display().to_string())
        .replace("{root}", env!("CARGO_MANIFEST_DIR"));
    if let Some(d) = daemon {
        s = s.replace("{daemon_json}", &d.config_file().display().to_string());
    }
    s
}

fn copy_fixtures(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("case folder") {
        let path = entry.expect("entry").path();
        if path.file_name().is_some_and(|n| n != "case.toml") && path.is_file() {
            std::fs::copy(&path, to.join(path.file_name().expect("name"))).expect("copy");
        }
    }
}

/// A case's run: its folder, what the `unchanged` files held before lab
/// ran, and what lab did.
struct Play {
    ran: Ran,
    before: BTreeMap<String, Vec<u8>>,
    listing: Vec<String>,
    dir: PathBuf,
    _tmp: tempfile::TempDir,
}

fn run(name: &str, case: &Case, daemon: Option<&Daemon>) -> Play {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("case");
    std::fs::create_dir(&dir).expect("case dir");
    copy_fixtures(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/hostile")
            .join(name),
        &dir,
    );
    if !case.setup.is_empty() {
        let ok = Command::new("sh")
            .args(["-euc", &expand(&case.setup, &dir, daemon)])
            .current_dir(&dir)
            .status()
            .expect("setup");
        assert!(ok.success(), "{name}: setup failed");
    }
    let before = case
        .unchanged
        .iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{name}: {f}: {e}"));
            (f.clone(), bytes)
        })
        .collect();
    let listing = listing(&dir);
    let timing = tmp.path().join("time");
    let mut cmd = crate::harness::timed_lab(&dir, &timing);
    if let Some(d) = daemon {
        cmd.env("DOCKER_HOST", d.host());
    }
    for (k, v) in &case.env {
        cmd.env(k, expand(v, &dir, daemon));
    }
    for k in &case.unset {
        cmd.env_remove(k);
    }
    cmd.args(case.args.iter().map(|a| expand(a, &dir, daemon)))
        .current_dir(&dir)
        .stdin(Stdio::null());
    if let Some(to) = &case.stdout_to {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(expand(to, &dir, daemon))
            .expect("stdout_to");
        cmd.stdout(f);
    }
    let out = cmd.output().expect("run lab under /usr/bin/time");
    let (secs, rss_mib) = crate::harness::measured(&timing);
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let ran = Ran {
        code: out.status.code().unwrap_or(-1),
        output_len: out.stdout.len() + out.stderr.len(),
        output,
        secs,
        rss_mib,
    };
    Play {
        ran,
        before,
        listing,
        dir,
        _tmp: tmp,
    }
}

/// The names in a folder, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|r| {
            r.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// What is wrong with a run, if anything.
fn judge(case: &Case, play: &Play) -> Vec<String> {
    let (ran, dir, before) = (&play.ran, play.dir.as_path(), &play.before);
    let mut wrong = Vec::new();
    if case.same_listing && listing(dir) != play.listing {
        wrong.push(format!(
            "the folder held {:?}, now {:?}",
            play.listing,
            listing(dir)
        ));
    }
    if ran.code != case.exit {
        wrong.push(format!("exit {} (want {})", ran.code, case.exit));
    }
    if ran.output.contains("panicked") {
        wrong.push("panicked".into());
    }
    for w in &case.has {
        if !ran.output.contains(w.as_str()) {
            wrong.push(format!("output lacks {w:?}"));
        }
    }
    for w in &case.lacks {
        if ran.output.contains(w.as_str()) {
            wrong.push(format!("output has {w:?}"));
        }
    }
    for (file, words) in &case.files {
        let text = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        for w in words {
            if !text.contains(w.as_str()) {
                wrong.push(format!("{file} lacks {w:?}"));
            }
        }
    }
    for (file, bytes) in before {
        if std::fs::read(dir.join(file)).ok().as_ref() != Some(bytes) {
            wrong.push(format!("{file} changed"));
        }
    }
    if ran.secs > case.max_secs {
        wrong.push(format!(
            "took {:.1} s (bound {} s)",
            ran.secs, case.max_secs
        ));
    }
    if ran.rss_mib > case.max_rss_mib {
        wrong.push(format!(
            "peak RSS {:.1} MiB (bound {} MiB)",
            ran.rss_mib, case.max_rss_mib
        ));
    }
    if ran.output_len > case.max_output_kib << 10 {
        wrong.push(format!(
            "{} KiB of output (bound {} KiB)",
            ran.output_len >> 10,
            case.max_output_kib
        ));
    }
    wrong
}

#[test]
fn every_hostile_input_is_refused_in_words_within_its_bounds() {
    let cases = cases();
    assert!(cases.len() >= 10, "only {} cases", cases.len());
    let daemon = cases.iter().any(|(_, c)| c.daemon).then(Daemon::start);
    let mut failures = Vec::new();
    let mut table = String::from("case | exit | wall s | peak RSS MiB\n");
    for (name, case) in &cases {
        let d = if case.daemon { daemon.as_ref() } else { None };
        let play = run(name, case, d);
        let ran = &play.ran;
        table.push_str(&format!(
            "{name} | {} | {:.2} | {:.1}\n",
            ran.code, ran.secs, ran.rss_mib
        ));
        let wrong = judge(case, &play);
        if !wrong.is_empty() {
            failures.push(format!(
                "{name} ({}): {}\n--- output (first 2 KiB) ---\n{}",
                case.about,
                wrong.join("; "),
                ran.output.chars().take(2048).collect::<String>()
            ));
        }
    }
    eprintln!("{table}");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
