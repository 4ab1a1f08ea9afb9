//! The scripts' JSON escaping, run by the real shells (`zsh` is installed
//! by scripts/test).

use super::{BASH, ZSH};
use std::process::Command;

/// Strings that break naive escaping.
const HARD: &[&str] = &[
    "docker rmi ubuntu:18.04",
    r#"echo "quoted" 'single' \back\slash\"#,
    "echo 引号 \"中文\" 镜像加速器 🐳",
    "printf 'a\tb\r\nc'\nsecond line",
    "ctl \u{1}\u{1b}[31m\u{7f} end",
    "$(touch /tmp/lab-never) `x` %s %d \\u0041",
    "trailing backslash \\",
];

/// What `__lab_json` made of `s` in `shell`, decoded as a JSON string.
fn escaped(shell: &str, script: &str, s: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("lab.sh");
    std::fs::write(&path, script).expect("script");
    let body = format!(
        "source '{}'; __lab_json \"$1\"; printf '\"%s\"' \"$__lab_j\"",
        path.display()
    );
    let flags: &[&str] = if shell == "zsh" {
        &["-f", "-i"]
    } else {
        &["--norc", "--noprofile", "-i"]
    };
    let out = Command::new(shell)
        .args(flags)
        .args(["-c", &body, shell, s])
        .env("LAB_COMMAND_LOG", dir.path().join("c.jsonl"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!("{shell} is needed for this test (scripts/test installs it): {e}")
        });
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{shell}: not a JSON string: {e}: {text}"))
}

#[test]
fn bash_escapes_commands_into_json_strings() {
    for s in HARD {
        assert_eq!(&escaped("bash", BASH, s), s);
    }
    assert!(!std::path::Path::new("/tmp/lab-never").exists());
}

#[test]
fn zsh_escapes_commands_into_json_strings() {
    for s in HARD {
        assert_eq!(&escaped("zsh", ZSH, s), s);
    }
}
