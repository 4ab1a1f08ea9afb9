use super::script::program_fact;
use super::*;
use crate::machine::FileKind;

#[test]
fn how_the_shell_ended_is_said_in_words() {
    assert_eq!(exit_words(Some(127)), "exit code 127");
    assert_eq!(exit_words(None), "killed by a signal, no exit code");
}

/// The script's real output, from `sh` on this machine.
fn run_script(home: &Path, wanted: &[Wanted]) -> (Output, String) {
    let end = marker();
    let mut cmd = std::process::Command::new("sh");
    cmd.args(["-c", SCRIPT, "sh", &end, "64"])
        .env("HOME", home)
        .env_remove("XDG_STATE_HOME");
    for w in wanted {
        cmd.arg(spec(w));
    }
    let out = cmd.output().unwrap();
    (
        Output {
            code: out.status.code(),
            stdout: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        },
        end,
    )
}

#[test]
fn the_kept_shell_answers_each_new_marker_and_nothing_else() {
    use std::io::Write;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::write(h.join("f"), "one").unwrap();
    let wanted = [Wanted::InHome("f".into())];
    let first = marker();
    let mut child = std::process::Command::new("sh")
        .args(["-c", SCRIPT, "sh", &first, "64", &spec(&wanted[0])])
        .env("HOME", h)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let second = "--lab-end-0123456789abcdef--";
    let mut stdin = child.stdin.take().unwrap();
    // Lines that are not a marker are no command: nothing runs.
    writeln!(stdin, "touch {}", h.join("pwned").display()).unwrap();
    writeln!(stdin, "{second}").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(!h.join("pwned").exists());
    let cut = format!("{first} done\n");
    let at = out
        .stdout
        .windows(cut.len())
        .position(|w| w == cut.as_bytes())
        .unwrap()
        + cut.len();
    for (bytes, end) in [
        (&out.stdout[..at], first.as_str()),
        (&out.stdout[at..], second),
    ] {
        let answer = Output {
            code: Some(0),
            stdout: bytes.to_vec(),
            stderr: String::new(),
        };
        let (_, files, _) = parse(&answer, end, &wanted, 64, 0).expect("parses");
        let got = &files[&format!("{}/f", h.display())];
        assert!(
            matches!(got, Prefetched::Present { bytes: Some(b), .. } if b == b"one"),
            "{got:?}"
        );
    }
}

/// The login's shell, asked by marker lines as `again` asks it.
struct KeptShell(
    std::process::Child,
    std::io::BufReader<std::process::ChildStdout>,
);

impl KeptShell {
    fn start(env: &[(&str, &Path)], wanted: &[Wanted]) -> (KeptShell, Vec<u8>) {
        let first = marker();
        let mut cmd = std::process::Command::new("sh");
        cmd.args(["-c", SCRIPT, "sh", &first, "64"]);
        cmd.args(wanted.iter().map(spec));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut shell = KeptShell(child, out);
        let answer = shell.read_to(&first);
        (shell, answer)
    }

    fn read_to(&mut self, end: &str) -> Vec<u8> {
        use std::io::BufRead;
        let mut all = Vec::new();
        let done = format!("{end} done\n");
        while !all.ends_with(done.as_bytes()) {
            let n = self.1.read_until(b'\n', &mut all).unwrap();
            assert!(n > 0, "the shell ended: {}", String::from_utf8_lossy(&all));
        }
        all
    }

    fn ask(&mut self, how: &str) -> Vec<u8> {
        use std::io::Write;
        let end = marker();
        writeln!(self.0.stdin.as_mut().unwrap(), "{end} {how}").unwrap();
        self.read_to(&end)
    }
}

#[test]
fn a_program_fact_is_run_again_only_when_its_file_changed_or_asked_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bin = d.join("bin");
    std::fs::create_dir(&bin).unwrap();
    let program = bin.join("fakever");
    let write = |body: &str| {
        std::fs::write(
            &program,
            format!("#!/bin/sh\necho run >>{}/runs\n{body}\n", d.display()),
        )
        .unwrap();
        std::fs::set_permissions(
            &program,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
    };
    write("echo 'v1'; exit 3");
    let runs = || {
        std::fs::read_to_string(d.join("runs"))
            .unwrap_or_default()
            .lines()
            .count()
    };
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let wanted = [Wanted::Run(vec!["fakever".into(), "--version".into()])];
    let (mut shell, first) = KeptShell::start(&[("HOME", d), ("PATH", Path::new(&path))], &wanted);
    let text = String::from_utf8_lossy(&first).into_owned();
    assert!(
        text.contains("v1\n\n--lab-end-") && text.contains(" x3\n"),
        "{text}"
    );
    assert_eq!(runs(), 1);
    // Asked again: the same answer, from the shell's memory.
    let again = String::from_utf8_lossy(&shell.ask("")).into_owned();
    assert!(
        again.contains("v1\n\n--lab-end-") && again.contains(" x3\n"),
        "{again}"
    );
    assert_eq!(runs(), 1);
    // The program changed (another size): run again.
    write("echo 'version two'");
    let changed = String::from_utf8_lossy(&shell.ask("")).into_owned();
    assert!(
        changed.contains("version two\n\n--lab-end-") && changed.contains(" x0\n"),
        "{changed}"
    );
    assert_eq!(runs(), 2);
    // Asked afresh (the daemon restarted): run again, file unchanged.
    shell.ask("fresh");
    assert_eq!(runs(), 3);
    shell.ask("");
    assert_eq!(runs(), 3);
    drop(shell.0.stdin.take());
    assert!(shell.0.wait().unwrap().success());
}

#[test]
fn only_a_plain_programs_version_is_a_program_fact() {
    let argv = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        program_fact(&argv(&["docker", "--version"])),
        Some("docker")
    );
    assert_eq!(program_fact(&argv(&["ss", "-ltn"])), None);
    assert_eq!(program_fact(&argv(&["docker", "version"])), None);
    assert_eq!(program_fact(&argv(&["a b", "--version"])), None);
    assert_eq!(program_fact(&argv(&["x:y", "--version"])), None);
    assert_eq!(program_fact(&argv(&["-v", "--version"])), None);
}

#[test]
fn login_reads_facts_and_files_in_one_answer() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::write(h.join(".bash_history"), "docker images\n").unwrap();
    std::fs::create_dir_all(h.join(".local/state/lab")).unwrap();
    // No trailing newline, and bytes that look like a marker line.
    std::fs::write(
        h.join(".local/state/lab/journal.jsonl"),
        b"{\"a\":1}\n--lab-end-x-- ok",
    )
    .unwrap();
    std::fs::write(h.join("big"), vec![b'x'; 100]).unwrap();
    let hostile = h.join("it's a $(touch pwned) file");
    std::fs::write(&hostile, "safe").unwrap();
    std::fs::write(h.join("empty"), "").unwrap();
    std::os::unix::fs::symlink(h.join(".bash_history"), h.join("link")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(h.join("fifo"))
        .status()
        .unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink(h.join("gone"), h.join("dangling")).unwrap();
    let wanted = [
        Wanted::InHome(".bash_history".into()),
        Wanted::InState("lab/journal.jsonl".into()),
        Wanted::InHome("nope".into()),
        Wanted::Absolute(h.join("big").display().to_string()),
        Wanted::Absolute(h.display().to_string()),
        Wanted::Absolute(hostile.display().to_string()),
        // Size 0 but not empty, as /proc/net/tcp is.
        Wanted::Absolute("/proc/sys/kernel/ostype".into()),
        // Size 0 and over the limit: asked for again, within a bound.
        Wanted::Absolute("/proc/self/status".into()),
        Wanted::InHome("fifo".into()),
        Wanted::InHome("empty".into()),
        Wanted::InHome("link".into()),
        Wanted::InHome("dangling".into()),
        Wanted::Run(vec![
            "printf".into(),
            "%s|".into(),
            "it's".into(),
            "$(touch pwned2)".into(),
        ]),
        Wanted::Run(vec!["no-such-program-here".into()]),
    ];
    let (out, end) = run_script(h, &wanted);
    let (facts, files, runs) =
        parse(&out, &end, &wanted, 64, crate::clock::now_nanos()).expect("parses");
    let hs = h.display().to_string();
    assert_eq!(facts.home, hs);
    assert_eq!(facts.state, format!("{hs}/.local/state"));
    // Same clock: the offset may lag (never lead) by the answer's trip.
    assert!(
        (-1_000_000_000..=0).contains(&facts.clock_offset),
        "{}",
        facts.clock_offset
    );
    let bytes = |p: String| match files.get(&p) {
        Some(Prefetched::Present { bytes, .. }) => bytes.clone(),
        other => panic!("{p}: {other:?}"),
    };
    assert_eq!(
        bytes(format!("{hs}/.bash_history")).unwrap(),
        b"docker images\n"
    );
    assert_eq!(
        bytes(format!("{hs}/.local/state/lab/journal.jsonl")).unwrap(),
        b"{\"a\":1}\n--lab-end-x-- ok"
    );
    assert_eq!(files.get(&format!("{hs}/nope")), Some(&Prefetched::Missing));
    assert_eq!(
        bytes(format!("{hs}/big")),
        None,
        "over the size limit: on demand"
    );
    assert_eq!(bytes(hs.clone()), None, "a folder is not read");
    assert_eq!(bytes(hostile.display().to_string()).unwrap(), b"safe");
    assert_eq!(
        bytes("/proc/sys/kernel/ostype".into()).unwrap(),
        std::fs::read("/proc/sys/kernel/ostype").unwrap()
    );
    assert_eq!(bytes(format!("{hs}/empty")).unwrap(), b"");
    assert_eq!(bytes("/proc/self/status".into()), None, "over the limit");
    match files.get(&format!("{hs}/fifo")) {
        Some(Prefetched::Present { info, bytes: None }) => {
            assert_eq!(info.kind, FileKind::Fifo)
        }
        other => panic!("fifo: {other:?}"),
    }
    assert_eq!(bytes(format!("{hs}/link")).unwrap(), b"docker images\n");
    assert_eq!(
        files.get(&format!("{hs}/dangling")),
        Some(&Prefetched::Missing)
    );
    match files.get(&format!("{hs}/big")) {
        Some(Prefetched::Present { info, .. }) => {
            assert_eq!((info.kind, info.len), (FileKind::File, 100));
        }
        other => panic!("big: {other:?}"),
    }
    match files.get(&hs) {
        Some(Prefetched::Present { info, .. }) => assert_eq!(info.kind, FileKind::Folder),
        other => panic!("home: {other:?}"),
    }
    assert!(!h.join("pwned").exists());
    let ran = |argv: &[&str]| {
        runs.get(&argv.iter().map(|a| a.to_string()).collect::<Vec<_>>())
            .cloned()
    };
    assert_eq!(
        ran(&["printf", "%s|", "it's", "$(touch pwned2)"]),
        Some((Some(0), b"it's|$(touch pwned2)|".to_vec()))
    );
    assert_eq!(ran(&["no-such-program-here"]).map(|r| r.0), Some(Some(127)));
    assert!(!std::path::Path::new("pwned2").exists());
}

/// The answer as the script frames it, for files the VM changed midway.
fn answer(end: &str, lines: &[&str], block: &str) -> Output {
    let mut out = String::from("/root\n/root/.local/state\nnone\n");
    for l in lines {
        out.push_str(&format!("{l}\n"));
    }
    out.push_str(&format!("{end} stat\n{block}\n{end} cat\n1\n{end} done\n"));
    Output {
        code: Some(0),
        stdout: out.into_bytes(),
        stderr: String::new(),
    }
}

#[test]
fn a_file_that_changed_between_stat_and_cat_is_read_again_later() {
    let end = "--lab-end-test--";
    let wanted = [Wanted::Absolute("/a".into()), Wanted::Absolute("/b".into())];
    let info = |len| FileInfo {
        kind: FileKind::File,
        mode: 0o644,
        len,
    };
    // Sizes 3 and 2, and the block holds exactly that: both are read.
    let out = answer(end, &["81a4 3 r", "81a4 2 r"], "abcde");
    let (_, files, _) = parse(&out, end, &wanted, 64, 0).unwrap();
    assert_eq!(
        files.get("/a"),
        Some(&Prefetched::Present {
            info: info(3),
            bytes: Some(b"abc".to_vec())
        })
    );
    assert_eq!(
        files.get("/b"),
        Some(&Prefetched::Present {
            info: info(2),
            bytes: Some(b"de".to_vec())
        })
    );
    // /b grew after stat: neither is trusted, both are asked for again.
    let out = answer(end, &["81a4 3 r", "81a4 2 r"], "abcdef");
    let (_, files, _) = parse(&out, end, &wanted, 64, 0).unwrap();
    assert!(files
        .values()
        .all(|f| matches!(f, Prefetched::Present { bytes: None, .. })));
    // A file vanished between the test and stat: no line is trusted.
    let out = answer(end, &["?", "?"], "");
    let (_, files, _) = parse(&out, end, &wanted, 64, 0).unwrap();
    assert!(files.is_empty());
    // A cut answer is no answer.
    let mut out = answer(end, &["missing", "missing"], "");
    out.stdout.truncate(out.stdout.len() - 5);
    assert!(parse(&out, end, &wanted, 64, 0).is_none());
}
