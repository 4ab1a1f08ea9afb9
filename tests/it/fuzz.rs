//! The fuzz corpora (`fuzz/corpus/<target>/`), replayed on stable in every
//! test run: every input that once reached new code in a parser users feed
//! lab goes through it again, and must return without a panic, quickly.
//! `scripts/fuzz` grows the corpora (nightly, libFuzzer).

use std::path::Path;
use std::time::{Duration, Instant};

fn replay(target: &str, parse: fn(&[u8]) -> usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("corpus entry").path())
        .collect();
    inputs.sort();
    assert!(
        inputs.len() >= 3,
        "{}: a corpus of {}",
        dir.display(),
        inputs.len()
    );
    let mut slowest = (Duration::ZERO, None);
    for path in &inputs {
        let bytes = std::fs::read(path).expect("corpus file");
        let t = Instant::now();
        let out = std::panic::catch_unwind(|| parse(&bytes));
        let took = t.elapsed();
        assert!(out.is_ok(), "{target} panicked on {}", path.display());
        if took > slowest.0 {
            slowest = (took, Some(path.clone()));
        }
    }
    // A debug build on a loaded machine: generous, but a quadratic parser
    // on a 1 MiB input would take minutes.
    assert!(
        slowest.0 < Duration::from_secs(5),
        "{target}: {:?} took {:?}",
        slowest.1,
        slowest.0
    );
}

#[test]
fn the_daemon_json_corpus_replays() {
    replay("daemon_json", lab::fuzz::daemon_json);
}

#[test]
fn the_roster_corpus_replays() {
    replay("roster", lab::fuzz::roster);
}

#[test]
fn the_journal_corpus_replays() {
    replay("journal", lab::fuzz::journal);
}

/// The course target's seeds are the built-in course's YAML files, each
/// behind the byte that picks it (`LAB_BLESS=1` rewrites them when the
/// course changes); then the whole corpus replays.
#[test]
fn the_course_corpus_holds_the_built_in_files_and_replays() {
    for (which, path, bytes) in lab::fuzz::course_seeds() {
        let name = format!("fuzz/corpus/course/seed-{}", path.replace('/', "-"));
        let mut seed = vec![which];
        seed.extend_from_slice(&bytes);
        lab::golden::check(name, seed);
    }
    replay("course", lab::fuzz::course);
}
