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
        if std::env::var_os("LAB_BLESS").is_some() {
            for old in std::fs::read_dir(&case).expect("case").flatten() {
                if old.file_name().to_string_lossy().starts_with("expected.") {
                    std::fs::remove_file(old.path()).expect("rm");
                }
            }
            std::fs::write(case.join(&want_name), &shown).expect("bless");
        }
        match std::fs::read_to_string(case.join(&want_name)) {
            Ok(want) if want == shown => {}
            Ok(want) => failures.push(format!(
                "{}: exit {}\n--- want ---\n{want}--- got ---\n{shown}",
                case.display(),
                done.code
            )),
            Err(_) => failures.push(format!(
                "{}: exit {} has no {want_name}; got:\n{shown}",
                case.display(),
                done.code
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
