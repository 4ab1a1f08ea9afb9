//! Logging into a VM: the first command, which starts the SSH master, also
//! learns the VM's facts (home, state folder, clock, init) and reads the
//! small files checks usually read (the course's file variables, the
//! learner's journal, /proc/net/tcp), so that most of a VM costs one round
//! trip instead of one per file. A check reading any other file still gets
//! it, over its own session.
//!
//! The script is fixed; paths reach it as arguments, never as code. Its
//! answer is framed by a random end marker, so any bytes can be carried.
//! It starts as few processes on the VM as it can (see [`SCRIPT`]): on a
//! class's worth of VMs, every process is CPU the grading waits for.

use super::ssh::{ConnectError, Options, Output, Ssh, Target};
use super::{parse_stat, FileInfo};
use std::collections::HashMap;
use std::path::Path;

/// A file to read at login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    /// An absolute path.
    Absolute(String),
    /// Relative to the user's home.
    InHome(String),
    /// Relative to `$XDG_STATE_HOME` (default `~/.local/state`).
    InState(String),
    /// A command to run (its stdout and exit code are kept).
    Run(Vec<String>),
}

/// What a command run at login printed, and its exit code.
pub type Ran = (Option<i32>, Vec<u8>);

/// What the VM told about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub home: String,
    pub state: String,
    /// The VM's clock minus ours, in nanoseconds (0 if it cannot say).
    pub clock_offset: i64,
    pub systemd: bool,
}

/// A file as read at login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prefetched {
    Missing,
    /// `bytes` is `None` when it was not read (not a regular file, too
    /// large, unreadable): ask again on demand.
    Present {
        info: FileInfo,
        bytes: Option<Vec<u8>>,
    },
}

pub struct Login {
    /// Shared: `lab grade --watch` keeps the master for many logins' worth
    /// of answers ([`again`]).
    pub ssh: std::sync::Arc<Ssh>,
    pub facts: Facts,
    /// By absolute path.
    pub files: HashMap<String, Prefetched>,
    /// By argument vector.
    pub runs: HashMap<Vec<String>, Ran>,
}

/// Files larger than this are not read at login (an image archive, say).
pub const MAX_PREFETCH: u64 = 1 << 20;

/// The login script. Few processes on the VM: `date`, one `stat` for every
/// file that exists, one `cat` for every small regular file (split by the
/// sizes `stat` gave: a file that changed in between is read again on
/// demand), one `cat` for each file that reports size 0 (empty, or a /proc
/// file whose size is unknown until read: at most `max` + 1 bytes of it,
/// and a file with more is asked for again on demand, within the bound
/// its check reads), and the commands kinds declare. Only regular files
/// are read (`-f`): a FIFO or a device is listed with its kind, unread.
/// The answer:
///
/// ```text
/// HOME \n STATE \n systemd|none \n
/// per command:  <stdout> \n <end> x<code> \n
/// per file:     missing | ? | <mode hex> <size> r|z|n \n     (r: in the cat block, z: after it, n: not read;
///               ?: changed while looked at, or behind a folder this user cannot enter)
/// <end> stat \n  <the r files, back to back> \n <end> cat \n
/// per z file:   <bytes> \n <end> z \n
/// CLOCK \n <end> done \n
/// ```
///
/// Then the shell stays, reading its stdin: each line that is a new end
/// marker gets the same answer again, framed by it ([`again`]); the end of
/// stdin ends it, and with it the master connection. So a kept VM is asked
/// again with no new ssh client, sshd session or shell on either side. A
/// command that answers from its program file alone (`docker --version`,
/// see [`program_fact`]) is run again only when that file changed, or when
/// the marker's line says `fresh` (lab saw the daemon restart: a package
/// upgrade, say, which a wrapper's file would not show).
const SCRIPT: &str = r#"end=$1; max=$2; shift 2
nl='
'
answer() {
state=${XDG_STATE_HOME:-$HOME/.local/state}
printf '%s\n' "$HOME" "$state"
if [ -d /run/systemd/system ]; then echo systemd; else echo none; fi
n=0; have=; k=0; v=0
for spec; do
  case $spec in
    X:*) (eval "${spec#X:}") </dev/null 2>/dev/null; printf '\n%s x%s\n' "$end" "$?"; continue ;;
    V:*)
      r=${spec#V:}; prog=${r%%:*}; v=$((v+1)); id=
      if p=$(command -v "$prog"); then id="$gen $(stat -L -c '%d %i %s %Y' "$p" 2>/dev/null)"; fi
      eval "was=\${vid$v-}"
      if [ "$id" = "$gen " ] || [ "$id" != "$was" ]; then
        o=$( (eval "${r#*:}") </dev/null 2>/dev/null; printf '.%s' "$?")
        eval "vid$v=\$id; vo$v=\$o"
      else eval "o=\$vo$v"; fi
      printf '%s\n%s x%s\n' "${o%.*}" "$end" "${o##*.}"; continue ;;
    H:*) p=$HOME/${spec#H:} ;;
    S:*) p=$state/${spec#S:} ;;
    *) p=${spec#A:} ;;
  esac
  n=$((n+1)); eval "p$n=\$p; e$n="
  if [ -e "$p" ]; then have="$have \"\$p$n\""; eval "e$n=1"; k=$((k+1)); fi
done
st=; c=0
if [ -n "$have" ]; then
  eval "set -- $have"
  st=$(stat -L -c '%f %s' -- "$@" 2>/dev/null; echo .); st=${st%.}
  r=$st
  while [ -n "$r" ]; do
    c=$((c+1))
    case $r in *"$nl"*) r=${r#*"$nl"} ;; *) r= ;; esac
  done
fi
cats=; zeros=; i=0
while [ "$i" -lt "$n" ]; do
  i=$((i+1)); eval "p=\$p$i; e=\$e$i"
  if [ -z "$e" ]; then
    # Behind a folder this user cannot enter: not known to be missing,
    # asked again on demand (which says why).
    d=$p
    while d=${d%/*}; [ -n "$d" ] && ! [ -e "$d" ]; do :; done
    if [ -n "$d" ] && [ -d "$d" ] && ! [ -x "$d" ]; then echo '?'; else echo missing; fi
    continue
  fi
  if [ "$c" -ne "$k" ]; then echo '?'; continue; fi
  l=${st%%"$nl"*}; st=${st#*"$nl"}; s=${l#* }; f=n
  if [ -f "$p" ] && [ -r "$p" ]; then
    if [ "$s" -eq 0 ]; then f=z; zeros="$zeros \"\$p$i\""
    elif [ "$s" -le "$max" ]; then f=r; cats="$cats \"\$p$i\""; fi
  fi
  printf '%s %s\n' "$l" "$f"
done
printf '%s stat\n' "$end"
if [ -n "$cats" ]; then eval "set -- $cats"; cat -- "$@" 2>/dev/null; fi
printf '\n%s cat\n' "$end"
if [ -n "$zeros" ]; then
  eval "set -- $zeros"
  for p; do
    head -c "$((max+1))" -- "$p" 2>/dev/null
    printf '\n%s z\n' "$end"
  done
fi
date +%s%N
printf '%s done\n' "$end"
}
gen=0
answer "$@" </dev/null
while read -r end how; do
  case $end in --lab-end-*--)
    if [ "$how" = fresh ]; then gen=$((gen+1)); fi
    answer "$@" </dev/null ;;
  esac
done"#;

/// Logs in, learning facts and reading `wanted` on the way.
pub async fn login(
    target: Target,
    options: Options,
    dir: &Path,
    wanted: &[Wanted],
) -> Result<Login, LoginError> {
    let end = marker();
    let argv = script_argv(&end, wanted);
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let last = format!("{end} done\n");
    let (ssh, first) = Ssh::connect(target, options, dir, &argv, last.as_bytes())
        .await
        .map_err(LoginError::Connect)?;
    answered(std::sync::Arc::new(ssh), &first, &end, wanted)
}

/// The login's answer again, from the login's own shell, which the master
/// keeps (see [`SCRIPT`]): fresh facts and files, no new key exchange and
/// no new process but the answer's own (`lab grade --watch` asks this of
/// each VM at each round). `wanted` must be what the login was asked;
/// `fresh`: answers kept from earlier rounds are not to be trusted.
pub async fn again(
    ssh: std::sync::Arc<Ssh>,
    wanted: &[Wanted],
    fresh: bool,
) -> Result<Login, LoginError> {
    let end = marker();
    let last = format!("{end} done\n");
    let line = if fresh {
        format!("{end} fresh")
    } else {
        end.clone()
    };
    let out = ssh.ask(&line, last.as_bytes()).await.map_err(|e| {
        LoginError::Connect(ConnectError::Unreachable(format!(
            "the kept connection to the VM failed: {e}"
        )))
    })?;
    answered(ssh, &out, &end, wanted)
}

/// `sh -c SCRIPT` with its arguments: the end marker, the size limit and
/// one spec per wanted item.
fn script_argv(end: &str, wanted: &[Wanted]) -> Vec<String> {
    let mut argv: Vec<String> = vec![
        "sh".into(),
        "-c".into(),
        SCRIPT.into(),
        "sh".into(),
        end.to_string(),
        MAX_PREFETCH.to_string(),
    ];
    argv.extend(wanted.iter().map(spec));
    argv
}

/// The [`Login`] the script's answer `out` makes.
fn answered(
    ssh: std::sync::Arc<Ssh>,
    out: &Output,
    end: &str,
    wanted: &[Wanted],
) -> Result<Login, LoginError> {
    let received = crate::clock::now_nanos();
    let (facts, files, runs) =
        parse(out, end, wanted, MAX_PREFETCH, received).ok_or_else(|| {
            LoginError::Unexpected(format!(
                "logged in, but the VM's shell did not answer as expected ({}): {}",
                exit_words(out.code),
                out.stderr.trim()
            ))
        })?;
    Ok(Login {
        ssh,
        facts,
        files,
        runs,
    })
}

#[derive(Debug)]
pub enum LoginError {
    Connect(ConnectError),
    Unexpected(String),
}

/// A wanted item as the script's argument. A command is one line of
/// single-quoted words (`ssh::command_line`), which the script `eval`s.
fn spec(w: &Wanted) -> String {
    match w {
        Wanted::Absolute(p) => format!("A:{p}"),
        Wanted::InHome(p) => format!("H:{p}"),
        Wanted::InState(p) => format!("S:{p}"),
        Wanted::Run(argv) => {
            let words: Vec<&str> = argv.iter().map(String::as_str).collect();
            let line = super::ssh::command_line(&words);
            match program_fact(argv) {
                Some(program) => format!("V:{program}:{line}"),
                None => format!("X:{line}"),
            }
        }
    }
}

/// The program of a command whose answer is a fact of the program file
/// alone (`docker --version`): the login's shell runs it again only when
/// that file changed (device, inode, size, mtime) or lab asks afresh.
fn program_fact(argv: &[String]) -> Option<&str> {
    let [program, flag] = argv else { return None };
    let plain = !program.starts_with('-')
        && program
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    (flag == "--version" && plain && !program.is_empty()).then_some(program.as_str())
}

/// A marker no file will contain by chance.
fn marker() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_i64(crate::clock::now_nanos());
    let a = h.finish();
    h.write_u32(std::process::id());
    format!("--lab-end-{a:016x}{:016x}--", h.finish())
}

/// What the login's answer holds: facts, files, command outputs.
type Parsed = (
    Facts,
    HashMap<String, Prefetched>,
    HashMap<Vec<String>, Ran>,
);

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The next line, without its newline.
fn line(rest: &mut &[u8]) -> Option<String> {
    let i = rest.iter().position(|b| *b == b'\n')?;
    let l = String::from_utf8_lossy(&rest[..i]).into_owned();
    *rest = &rest[i + 1..];
    Some(l)
}

/// Bytes up to `\n<end> <status>\n`, and the status.
fn framed(rest: &mut &[u8], end: &str) -> Option<(Vec<u8>, String)> {
    let head = format!("\n{end} ");
    let pos = find(rest, head.as_bytes())?;
    let content = rest[..pos].to_vec();
    *rest = &rest[pos + head.len()..];
    Some((content, line(rest)?))
}

/// `max`: the script's size limit; `received`: our clock when the answer
/// had arrived.
fn parse(out: &Output, end: &str, wanted: &[Wanted], max: u64, received: i64) -> Option<Parsed> {
    if out.code != Some(0) {
        return None;
    }
    let mut rest: &[u8] = &out.stdout;
    let home = line(&mut rest)?;
    let state = line(&mut rest)?;
    let systemd = line(&mut rest)? == "systemd";
    if home.is_empty() {
        return None;
    }
    // What the commands printed, in order.
    let mut runs = HashMap::new();
    for w in wanted {
        if let Wanted::Run(argv) = w {
            let (content, status) = framed(&mut rest, end)?;
            let code = status.strip_prefix('x')?.parse().ok();
            runs.insert(argv.clone(), (code, content));
        }
    }
    // One line per file, then the cat block, then the text files.
    let mut listed = Vec::new();
    for w in wanted {
        let path = match w {
            Wanted::Run(_) => continue,
            Wanted::Absolute(p) => p.clone(),
            Wanted::InHome(p) => format!("{home}/{p}"),
            Wanted::InState(p) => format!("{state}/{p}"),
        };
        listed.push((path, line(&mut rest)?));
    }
    if line(&mut rest)? != format!("{end} stat") {
        return None;
    }
    let (block, status) = framed(&mut rest, end)?;
    if status != "cat" {
        return None;
    }
    let mut files = HashMap::new();
    let mut in_block = Vec::new();
    let mut texts = Vec::new();
    for (path, l) in listed {
        let got = match l.as_str() {
            "missing" => Prefetched::Missing,
            // The VM's files changed while it looked: ask again on demand.
            "?" => continue,
            l => {
                let (st, flag) = l.rsplit_once(' ')?;
                let info = parse_stat(st)?;
                match flag {
                    "r" => in_block.push((path.clone(), info.len)),
                    "z" => texts.push(path.clone()),
                    _ => {}
                }
                Prefetched::Present { info, bytes: None }
            }
        };
        files.insert(path, got);
    }
    // The block holds the `r` files back to back, at the sizes stat gave;
    // if its length says a file changed in between, none is trusted.
    let total: u64 = in_block.iter().map(|(_, len)| len).sum();
    if total == block.len() as u64 {
        let mut at = 0usize;
        for (path, len) in in_block {
            let next = at + len as usize;
            if let Some(Prefetched::Present { bytes, .. }) = files.get_mut(&path) {
                *bytes = Some(block[at..next].to_vec());
            }
            at = next;
        }
    }
    for path in texts {
        let (content, status) = framed(&mut rest, end)?;
        if status != "z" {
            return None;
        }
        if let Some(Prefetched::Present { bytes, .. }) = files.get_mut(&path) {
            *bytes = (content.len() as u64 <= max).then_some(content);
        }
    }
    // The VM's clock, read last and compared with ours once the answer is
    // here: the offset errs towards the past, never the future, so events
    // read "up to now" never wait for a moment the daemon has not reached
    // (an offset taken at the login's midpoint ran ~100 ms ahead and made
    // every VM's events call wait that long). busybox date has no %N: no
    // correction then.
    let clock_offset = line(&mut rest)?
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 1_000_000_000_000_000_000)
        .map(|c| c - received)
        .unwrap_or(0);
    if line(&mut rest)? != format!("{end} done") {
        return None;
    }
    Some((
        Facts {
            home,
            state,
            clock_offset,
            systemd,
        },
        files,
        runs,
    ))
}

/// How a process ended, in words: "exit code 1", or "killed by a signal"
/// when it has no exit code (never Rust's `None`).
fn exit_words(code: Option<i32>) -> String {
    match code {
        Some(c) => format!("exit code {c}"),
        None => "killed by a signal, no exit code".to_string(),
    }
}

#[cfg(test)]
mod tests {
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
        let (mut shell, first) =
            KeptShell::start(&[("HOME", d), ("PATH", Path::new(&path))], &wanted);
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
}
