//! The artifacts of `scripts/dist` where learners run them: the static
//! x86_64 binary in a container with no libc at all, the amd64 .deb
//! installed by dpkg into a scratch root (its man page and its bash
//! completion working from there). They need `target/dist` (two release
//! builds): `scripts/test --dist` builds it and runs these, and runs the
//! whole `mirrors` suite (https, DNS) with the static binary as `LAB_BIN`.
//! Plain `cargo test` lists them as ignored, saying why.

use crate::bed::Daemon;
use std::path::{Path, PathBuf};
use std::process::Command;

fn dist() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/dist")
}

/// The one file of `target/dist` whose name ends with `suffix`.
fn artifact(suffix: &str) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(dist())
        .unwrap_or_else(|e| panic!("{}: {e}: run scripts/dist", dist().display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(suffix))
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "*{suffix} in {}: {found:?}",
        dist().display()
    );
    found[0].clone()
}

fn run(c: &mut Command) -> (i32, String) {
    let out = c.output().expect("run");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
#[ignore = "needs target/dist: scripts/test --dist"]
fn the_static_binary_runs_in_a_container_without_libc() {
    let bin = artifact("x86_64-linux").canonicalize().unwrap();
    let d = Daemon::start();
    // A test-bed stand-in: a busybox-static userland, no libc, no loader.
    d.docker(&["pull", "tomcat:8.0"]);
    // `ls` fails when a folder does not exist: that is the point.
    let ls = d.docker_may_fail(&[
        "run",
        "--rm",
        "--entrypoint",
        "/bin/ls",
        "tomcat:8.0",
        "/lib",
        "/lib64",
        "/usr/lib",
    ]);
    let listing = String::from_utf8_lossy(&ls.stdout);
    assert!(
        !listing.contains("libc") && !listing.contains("ld-linux") && !listing.contains("ld-musl"),
        "the image has a libc or a loader: {listing}"
    );
    let mount = format!("{}:/lab:ro", bin.display());
    let lab = |args: &[&str]| {
        let mut argv = vec![
            "run",
            "--rm",
            "-v",
            &mount,
            "--entrypoint",
            "/lab",
            "tomcat:8.0",
        ];
        argv.extend(args);
        d.docker_may_fail(&argv)
    };
    let out = lab(&["--version"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("lab "),
        "{out:?}"
    );
    // The whole program, not only --version: a check with no daemon in
    // there is exit 3, in words.
    let out = lab(&["--lang", "en", "check", "task3"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(text.contains("Docker daemon"), "{text}");
}

#[test]
#[ignore = "needs target/dist: scripts/test --dist"]
fn the_deb_installs_the_binary_its_man_page_and_completions() {
    let deb = artifact("_amd64.deb");
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    for dir in [
        "var/lib/dpkg/info",
        "var/lib/dpkg/updates",
        "var/lib/dpkg/triggers",
    ] {
        std::fs::create_dir_all(r.join(dir)).unwrap();
    }
    std::fs::write(r.join("var/lib/dpkg/status"), "").unwrap();
    let (code, text) = run(Command::new("dpkg")
        .arg(format!("--root={}", r.display()))
        .args([
            "--force-not-root",
            "--force-bad-path",
            "--force-script-chrootless",
        ])
        .arg("--log=/dev/null")
        .arg("-i")
        .arg(&deb));
    assert_eq!(code, 0, "dpkg -i: {text}");
    let (code, text) = run(Command::new(r.join("usr/bin/lab")).arg("--version"));
    assert_eq!(code, 0, "{text}");
    assert!(text.starts_with("lab "), "{text}");
    // man finds the page under the installed tree.
    let (code, page) = run(Command::new("man")
        .env("MANPATH", r.join("usr/share/man"))
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .args(["-P", "cat", "lab"]));
    assert_eq!(code, 0, "man lab: {page}");
    assert!(
        page.contains("completions") && page.contains("grade"),
        "{page}"
    );
    let completion =
        std::fs::read_to_string(r.join("usr/share/bash-completion/completions/lab")).unwrap();
    assert!(completion.contains("task3") && completion.contains("complete -F"));
}
