//! Course authors' mistakes: one folder per case under
//! tests/fixtures/courses/, each with the `lab validate` output it must give
//! in `expected.<exit code>.txt` (stdout then stderr, the folder's path
//! written as `<course>`). `LAB_BLESS=1` rewrites them; review the diff.

use crate::harness::Lab;
use std::path::Path;

#[test]
fn every_fixture_course_validates_as_recorded() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/courses");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "fixtures missing");
    let home = tempfile::tempdir().expect("tmp");
    let mut failures = Vec::new();
    for case in cases {
        let done = Lab::new(home.path()).course(&case).args(["validate"]).run();
        assert!(
            !done.stderr.contains("panicked"),
            "{}: {}",
            case.display(),
            done.stderr
        );
        let shown = format!("{}{}", done.stdout, done.stderr)
            .replace(&case.display().to_string(), "<course>");
        let want_name = format!("expected.{}.txt", done.code);
        if lab::golden::blessing() {
            // The exit code is in the name: another code's file would stay.
            for old in std::fs::read_dir(&case).expect("case").flatten() {
                let name = old.file_name().to_string_lossy().into_owned();
                if name.starts_with("expected.") && name != want_name {
                    std::fs::remove_file(old.path()).expect("rm");
                }
            }
        }
        if let Err(e) = lab::golden::compare(case.join(&want_name), &shown) {
            failures.push(format!("exit {}: {e}", done.code));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn fixture(case: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/courses")
        .join(case)
}

/// libyaml checks every token against every open bracket: 100,000 nested
/// `[` took 52 s. lab refuses the file, at the bracket, before libyaml.
#[test]
fn a_course_nested_100000_deep_is_refused_at_once_and_located() {
    let dir = tempfile::tempdir().expect("tmp");
    let course = dir.path().join("course");
    let ok = fixture("ok");
    for rel in [
        "labs/course.yaml",
        "labs/task1.yaml",
        "content/en/task1.md",
        "content/zh-CN/task1.md",
    ] {
        std::fs::create_dir_all(course.join(rel).parent().expect("parent")).expect("mkdir");
        std::fs::copy(ok.join(rel), course.join(rel)).expect("copy");
    }
    let n = 100_000;
    let deep = format!("schema: 1\nsteps: {}{}\n", "[".repeat(n), "]".repeat(n));
    std::fs::write(course.join("labs/task2.yaml"), deep).expect("write");
    let home = tempfile::tempdir().expect("tmp");
    let started = std::time::Instant::now();
    let done = Lab::new(home.path())
        .course(&course)
        .args(["validate"])
        .timeout(std::time::Duration::from_secs(60))
        .run();
    let took = started.elapsed();
    assert_eq!(done.code, 2, "{}", done.stderr);
    // Line 2, the bracket that opens level 65 (after `steps: `).
    let at = format!("labs/task2.yaml:2:{}: ", 7 + 65);
    assert!(done.stderr.contains(&at), "{at} in {}", done.stderr);
    assert!(
        done.stderr.contains("nested more than 64 levels"),
        "{}",
        done.stderr
    );
    assert!(took < std::time::Duration::from_secs(5), "took {took:?}");
}

/// A course that does not validate never runs, even for a task whose own
/// file is fine.
#[test]
fn check_refuses_a_course_with_any_broken_file() {
    let home = tempfile::tempdir().expect("tmp");
    let done = Lab::new(home.path())
        .course(&fixture("broken-other-task"))
        .args(["check", "task1"])
        .run();
    assert_eq!(done.code, 2, "{}{}", done.stdout, done.stderr);
    assert!(
        done.stderr
            .contains("labs/task2.yaml:9:13: steps[0].checks"),
        "{}",
        done.stderr
    );
    assert!(done.stdout.is_empty(), "ran anyway: {}", done.stdout);
}
