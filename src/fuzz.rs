//! Entry points for the fuzz targets (`fuzz/fuzz_targets/`) and for the
//! replay of their corpora in the test suite (`tests/it/fuzz.rs`): the
//! parsers users feed lab, each taking arbitrary bytes. Each function must
//! return, for any input, without a panic; what they return is only there
//! so the work cannot be optimised away.
//!
//! Not an API: the binary never calls these.

use crate::course::{Course, Source};
use crate::diagnose::dockerd::{judge, Engine};
use crate::evidence::{Binding, Journal};
use crate::lang::Lang;

/// The machine and daemon the journal target reads as: the seed corpus
/// (`fuzz/corpus/journal/sealed.jsonl`) is sealed to them, so mutations
/// reach the seal check and the entries, not only the JSON parser.
pub const MACHINE: &str = "machine-A";
pub const DAEMON: &str = "daemon-A";

/// Both languages: every message is built in each.
const LANGS: [Lang; 2] = [Lang::En, Lang::ZhCn];

/// daemon.json: the JSON diagnosis, and dockerd's verdict as three
/// engines (20.10, 26.1, 28.5) would read the bytes.
pub fn daemon_json(data: &[u8]) -> usize {
    let mut n = 0;
    for lang in LANGS {
        let text = String::from_utf8_lossy(data);
        n += match crate::diagnose::json::parse("daemon.json", &text, lang) {
            Ok(_) => 1,
            Err(problems) => problems.len(),
        };
        for version in [(20, 10), (26, 1), (28, 5)] {
            let verdict = judge("daemon.json", data, &Engine::service(version), lang);
            n += usize::from(verdict.loads()) + usize::from(verdict.starts());
        }
    }
    n
}

/// A course: the built-in one with one of its YAML files (chosen by the
/// first byte) replaced by the rest of the bytes, loaded and linted in
/// full (`Course::from_files`), so a mutation meets every later stage.
pub fn course(data: &[u8]) -> usize {
    let Some((&which, content)) = data.split_first() else {
        return 0;
    };
    let mut files = Source::embedded_files();
    let yaml: Vec<usize> = (0..files.len())
        .filter(|&i| files[i].0.ends_with(".yaml"))
        .collect();
    let i = yaml[usize::from(which) % yaml.len()];
    files[i].1 = content.to_vec();
    match Course::from_files(files) {
        Ok(c) => c.tasks.len(),
        Err(e) => e.to_string().len(),
    }
}

/// The built-in course's YAML files in the order [`course`]'s first byte
/// picks them, as seeds: `(first byte, path, bytes)`.
pub fn course_seeds() -> Vec<(u8, String, Vec<u8>)> {
    Source::embedded_files()
        .into_iter()
        .filter(|(p, _)| p.ends_with(".yaml"))
        .enumerate()
        .map(|(i, (p, b))| (i as u8, p, b))
        .collect()
}

/// A roster CSV, as `lab grade --roster` reads it.
pub fn roster(data: &[u8]) -> usize {
    match crate::grade::roster::parse("roster.csv", data, std::path::Path::new("/nonexistent")) {
        Ok(students) => students.len(),
        Err(e) => e.to_string().len(),
    }
}

/// A journal's bytes, read as `lab grade` reads a VM's (its own seal key),
/// then asked what runs ask.
pub fn journal(data: &[u8]) -> usize {
    let mut n = 0;
    for lang in LANGS {
        let binding = Binding::new(Some(MACHINE.into()), Some(DAEMON.into()));
        // An odd first byte: read as the end of a longer file (the cut path).
        let cut = (data.first().is_some_and(|b| b % 2 == 1)).then_some(data.len() as u64 + 1);
        let j = Journal::read_only("journal.jsonl", data, cut, binding, lang);
        n += j.warnings.len() + usize::from(j.last_event().is_some());
        n += usize::from(j.passed_before("task3", "pull", "pulled"));
        n += j.seen_images().len() + j.events().count();
    }
    n
}
