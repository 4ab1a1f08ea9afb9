//! The loader against broken course files: every mutation of a file of
//! the built-in course gives a course or located problems (`file:line:col`
//! each), never a panic, and the mutations that must break a course do.

use super::{Course, CourseError, Source};

/// The built-in course with `rel` replaced by `bytes` (or only
/// course.yaml and `rel`, when `alone`: faster, and the same problems).
fn with(rel: &str, bytes: Vec<u8>, alone: bool) -> Vec<(String, Vec<u8>)> {
    Source::embedded_files()
        .into_iter()
        .filter(|(p, _)| !alone || !p.starts_with("labs/") || p == "labs/course.yaml" || p == rel)
        .map(|(p, b)| if p == rel { (p, bytes.clone()) } else { (p, b) })
        .collect()
}

/// Loads; for a course that does not load, asserts that every problem has
/// a line and a column. Returns whether it loaded.
fn loads(files: Vec<(String, Vec<u8>)>, what: &str) -> bool {
    match Course::from_files(files) {
        Ok(_) => true,
        Err(CourseError::Invalid { problems, .. }) => {
            assert!(!problems.is_empty(), "{what}: invalid without a problem");
            for p in &problems {
                assert!(
                    p.line.is_some() && p.col.is_some(),
                    "{what}: unlocated: {p}"
                );
                assert!(!p.message.is_empty(), "{what}: no message: {p}");
            }
            false
        }
        Err(e) => panic!("{what}: {e}"),
    }
}

fn replace_first(t: &[u8], from: &str, to: &str) -> Option<Vec<u8>> {
    let s = String::from_utf8(t.to_vec()).ok()?;
    s.contains(from)
        .then(|| s.replacen(from, to, 1).into_bytes())
}

fn alias_bomb() -> String {
    let mut s = String::from("[&a [x,x,x,x,x,x,x,x,x]");
    for (a, b) in ('a'..'i').zip('b'..='i') {
        s.push_str(&format!(", &{b} [{}]", vec![format!("*{a}"); 9].join(",")));
    }
    s + "]"
}

/// Each mutation: its name, what it makes of a file, and whether the
/// course must then be refused (`Some(true)`), must load (`Some(false)`),
/// or may do either.
type Mutation = (&'static str, fn(&[u8]) -> Option<Vec<u8>>, Option<bool>);

fn mutations() -> Vec<Mutation> {
    vec![
        (
            "truncated at a quarter",
            |t| Some(t[..t.len() / 4].to_vec()),
            None,
        ),
        (
            "truncated at half",
            |t| Some(t[..t.len() / 2].to_vec()),
            None,
        ),
        (
            "truncated mid-line",
            |t| Some(t[..t.len() * 3 / 4 + 3].to_vec()),
            None,
        ),
        (
            "invalid UTF-8",
            |t| Some([&t[..t.len() / 2], b"\xff", &t[t.len() / 2..]].concat()),
            Some(true),
        ),
        (
            "a second document",
            |t| Some([t, b"---\n", t].concat()),
            Some(true),
        ),
        (
            "a scalar made a mapping",
            |t| replace_first(t, "title:", "title: { x: { y: 1 } }\nz:"),
            Some(true),
        ),
        (
            "an unknown key",
            |t| Some([b"bogus: 1\n", t].concat()),
            Some(true),
        ),
        (
            "a tab at a line's start",
            |t| replace_first(t, "\n", "\n\t"),
            None,
        ),
        (
            "an unterminated quote",
            |t| Some([t, b"\nx: \"abc\n"].concat()),
            Some(true),
        ),
        (
            "an alias bomb",
            |t| replace_first(t, "equals: ", &format!("equals: {} #", alias_bomb())),
            Some(true),
        ),
        (
            "flow nesting 100,000 deep",
            |t| {
                Some(
                    [
                        format!("x: {}{}\n", "[".repeat(100_000), "]".repeat(100_000)).as_bytes(),
                        t,
                    ]
                    .concat(),
                )
            },
            Some(true),
        ),
        (
            "block nesting 200 deep",
            |t| {
                let deep: String = (0..200)
                    .map(|i| format!("\n{}- ", "  ".repeat(i)))
                    .collect();
                replace_first(t, "equals: ", &format!("equals: {deep}x #"))
            },
            Some(true),
        ),
        (
            "schema 2",
            |t| replace_first(t, "schema: 1", "schema: 2"),
            Some(true),
        ),
        (
            "schema a string",
            |t| replace_first(t, "schema: 1", "schema: one"),
            Some(true),
        ),
        ("empty", |_| Some(Vec::new()), Some(true)),
        (
            "only a comment",
            |_| Some(b"# nothing\n".to_vec()),
            Some(true),
        ),
        (
            "a BOM at the start",
            |t| Some([b"\xef\xbb\xbf", t].concat()),
            Some(false),
        ),
        (
            "CRLF line ends",
            |t| {
                Some(
                    String::from_utf8_lossy(t)
                        .replace('\n', "\r\n")
                        .into_bytes(),
                )
            },
            Some(false),
        ),
        (
            "a misspelt variable",
            |t| replace_first(t, "${", "${x"),
            Some(true),
        ),
        (
            "an id with a space",
            |t| replace_first(t, "id: ", "id: \"a b\" #"),
            None,
        ),
        (
            "an id made a list",
            |t| replace_first(t, "id: ", "id: [a, b] #"),
            Some(true),
        ),
        (
            "NUL bytes",
            |t| Some([&t[..t.len() / 3], b"\0\0", &t[t.len() / 3..]].concat()),
            Some(true),
        ),
    ]
}

#[test]
fn every_mutation_of_every_file_is_refused_with_located_problems_or_loads() {
    let files: Vec<(String, Vec<u8>)> = Source::embedded_files()
        .into_iter()
        .filter(|(p, _)| p.starts_with("labs/") && p.ends_with(".yaml"))
        .collect();
    assert!(files.len() >= 10, "the built-in course is missing");
    let mut tried = 0;
    for (rel, text) in &files {
        for (name, mutate, must_fail) in mutations() {
            let Some(bytes) = mutate(text) else { continue };
            let what = format!("{rel}, {name}");
            let loaded = loads(with(rel, bytes, true), &what);
            if let Some(fail) = must_fail {
                assert_eq!(!loaded, fail, "{what}: loaded = {loaded}");
            }
            tried += 1;
        }
    }
    assert!(tried > 150, "only {tried} mutations applied");
}

#[test]
fn the_bad_byte_is_located_where_it_is() {
    let text = b"schema: 1\nid: task1\nunit: unit1\ntitle: { en: A\xff, zh-CN: A }\n".to_vec();
    let Err(CourseError::Invalid { problems, .. }) =
        Course::from_files(with("labs/task1.yaml", text, true))
    else {
        panic!("loaded");
    };
    assert_eq!(
        (problems[0].line, problems[0].col),
        (Some(4), Some(15)),
        "{}",
        problems[0]
    );
}

/// xorshift64: deterministic pseudo-random numbers, no crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that mean something to YAML, and some that mean nothing.
const ALPHABET: &[u8] = b"[]{},:-?&*!|>'\"#%@` \t\n\r\\\x00\xff\xef\xbb\xbfaz09";

fn mutate(rng: &mut Rng, t: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(t.len() + 1);
        match rng.below(4) {
            0 => t.insert(at, ALPHABET[rng.below(ALPHABET.len())]),
            1 => {
                let end = (at + 1 + rng.below(40)).min(t.len());
                t.drain(at..end);
            }
            2 => {
                let end = (at + rng.below(80)).min(t.len());
                let copy = t[at..end].to_vec();
                let to = rng.below(t.len() + 1);
                t.splice(to..to, copy);
            }
            _ => {
                if let Some(b) = t.get_mut(at) {
                    *b = ALPHABET[rng.below(ALPHABET.len())];
                }
            }
        }
    }
}

#[test]
fn random_mutations_never_panic_and_are_located() {
    let files: Vec<(String, Vec<u8>)> = Source::embedded_files()
        .into_iter()
        .filter(|(p, _)| p.starts_with("labs/") && p.ends_with(".yaml") && p != "labs/task1.yaml")
        .collect();
    // LAB_MUTATION_SEED and LAB_MUTATIONS explore further (15,000 with
    // three seeds passed when this was written).
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    let mut rng = Rng(env("LAB_MUTATION_SEED").unwrap_or(0x9e37_79b9_7f4a_7c15) | 1);
    let (mut loaded, mut refused) = (0, 0);
    for i in 0..env("LAB_MUTATIONS").unwrap_or(2000) {
        let (rel, text) = &files[rng.below(files.len())];
        let mut t = text.clone();
        mutate(&mut rng, &mut t);
        if loads(with(rel, t, true), &format!("{rel}, mutation {i}")) {
            loaded += 1;
        } else {
            refused += 1;
        }
    }
    // Both outcomes occur: the mutations are neither all harmless nor all fatal.
    assert!(
        loaded > 50 && refused > 50,
        "loaded {loaded}, refused {refused}"
    );
}

#[test]
fn a_quiz_check_names_questions_the_task_quiz_has() {
    let task5 = String::from_utf8(
        Source::embedded_files()
            .into_iter()
            .find(|(p, _)| p == "labs/task5.yaml")
            .expect("task5")
            .1,
    )
    .expect("utf-8");
    let bad = task5.replace("questions: [ports]", "questions: [port]");
    assert_ne!(bad, task5, "task5 has a quiz check with questions");
    let Err(CourseError::Invalid { problems, .. }) =
        Course::from_files(with("labs/task5.yaml", bad.into_bytes(), true))
    else {
        panic!("loaded");
    };
    assert!(
        problems
            .iter()
            .any(|p| p.message.contains("names question `port`")),
        "{problems:?}"
    );
    let cut = task5.find("\nquiz:").expect("a quiz");
    let steps = task5.find("\nsteps:").expect("steps");
    let mut no_quiz = task5.clone();
    no_quiz.replace_range(cut..steps, "");
    let Err(CourseError::Invalid { problems, .. }) =
        Course::from_files(with("labs/task5.yaml", no_quiz.into_bytes(), true))
    else {
        panic!("loaded");
    };
    assert!(
        problems
            .iter()
            .any(|p| p.message.contains("has no `quiz:`")),
        "{problems:?}"
    );
}
