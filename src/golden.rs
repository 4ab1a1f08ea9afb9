//! Golden files, for the tests only: the one place `LAB_BLESS` is read.
//! The unit tests (`report::golden`, the fuzz seed journal) and the
//! integration tests (reporters, course errors, the book, the class files,
//! the fuzz corpus) all compare through [`check`] or [`compare`].
//!
//! Public but hidden: `tests/it` links the library as any other crate does.

use std::path::{Path, PathBuf};

/// Whether this run rewrites golden files instead of comparing them
/// (`LAB_BLESS=1`, or any value).
pub fn blessing() -> bool {
    std::env::var_os("LAB_BLESS").is_some()
}

/// `path` against `actual`: with `LAB_BLESS`, writes `actual` to it
/// (creating its folder); otherwise `Err` when the file is missing or
/// differs, in words naming the file and the command that blesses it.
/// A relative `path` is from the repository's root (`tests/golden/…`).
pub fn compare(path: impl AsRef<Path>, actual: impl AsRef<[u8]>) -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join(path);
    let shown = path.strip_prefix(root).unwrap_or(&path).display();
    let actual = actual.as_ref();
    if blessing() {
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        }
        std::fs::write(&path, actual).map_err(|e| format!("{shown}: {e}"))?;
    }
    let want = match std::fs::read(&path) {
        Ok(want) => want,
        Err(e) => {
            return Err(format!(
                "{shown}: {e}: `{}` creates it\n--- got ---\n{}",
                bless_command(),
                String::from_utf8_lossy(actual)
            ))
        }
    };
    if want == actual {
        return Ok(());
    }
    Err(format!(
        "{shown} differs: if the change is meant, `{}` rewrites it (then review the diff)\n{}",
        bless_command(),
        difference(&want, actual)
    ))
}

/// Both texts when they are short; else where they first differ.
fn difference(want: &[u8], got: &[u8]) -> String {
    match (std::str::from_utf8(want), std::str::from_utf8(got)) {
        (Ok(w), Ok(g)) if w.len().max(g.len()) <= 4096 => {
            format!("--- want ---\n{w}\n--- got ---\n{g}")
        }
        (Ok(w), Ok(g)) => {
            let (w, g): (Vec<_>, Vec<_>) = (w.lines().collect(), g.lines().collect());
            match (0..w.len().max(g.len())).find(|&i| w.get(i) != g.get(i)) {
                Some(i) => format!(
                    "line {} first differs:\n--- want ---\n{}\n--- got ---\n{}",
                    i + 1,
                    w.get(i).unwrap_or(&"(end of file)"),
                    g.get(i).unwrap_or(&"(end of file)")
                ),
                None => "the lines are the same; their endings differ".to_string(),
            }
        }
        _ => format!(
            "{} bytes recorded, {} now; they first differ at byte {}",
            want.len(),
            got.len(),
            want.iter()
                .zip(got)
                .position(|(a, b)| a != b)
                .unwrap_or(want.len().min(got.len()))
        ),
    }
}

/// [`compare`], panicking with its words.
#[track_caller]
pub fn check(path: impl AsRef<Path>, actual: impl AsRef<[u8]>) {
    if let Err(e) = compare(path, actual) {
        panic!("{e}");
    }
}

/// `tests/golden/<file>`, where the reporters', the book's and the class
/// files' golden files are.
pub fn file(name: &str) -> PathBuf {
    Path::new("tests/golden").join(name)
}

/// The command that blesses the running test's golden files: its target
/// (this library's unit tests, else the integration tests) and the test's
/// name, which libtest gives the thread the test runs on.
fn bless_command() -> String {
    let target = if cfg!(test) { "--lib" } else { "--test it" };
    match std::thread::current().name() {
        Some(test) if test != "main" => format!("LAB_BLESS=1 cargo test {target} {test}"),
        _ => format!("LAB_BLESS=1 cargo test {target}"),
    }
}
