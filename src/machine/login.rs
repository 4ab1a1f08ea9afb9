//! Logging into a VM: the first command, which starts the SSH master, also
//! learns the VM's facts (home, state folder, clock, init) and reads the
//! small files checks usually read (the course's file variables, the
//! learner's journal, /proc/net/tcp), so that most of a VM costs one round
//! trip instead of one per file. A check reading any other file still gets
//! it, over its own session.
//!
//! The script is fixed; paths reach it as arguments, never as code. Each
//! file's content is followed by a line with a random end marker, so any
//! bytes can be carried.

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
    pub ssh: Ssh,
    pub facts: Facts,
    /// By absolute path.
    pub files: HashMap<String, Prefetched>,
    /// By argument vector.
    pub runs: HashMap<Vec<String>, Ran>,
}

/// Files larger than this are not read at login (an image archive, say).
const MAX_PREFETCH: u64 = 1 << 20;

const SCRIPT: &str = r#"end=$1; max=$2; shift 2
state=${XDG_STATE_HOME:-$HOME/.local/state}
printf '%s\n' "$HOME" "$state"
date +%s%N
if [ -d /run/systemd/system ]; then echo systemd; else echo none; fi
for spec; do
  case $spec in
    X:*) (eval "${spec#X:}") </dev/null 2>/dev/null; printf '\n%s x%s\n' "$end" "$?"; continue ;;
    H:*) p=$HOME/${spec#H:} ;;
    S:*) p=$state/${spec#S:} ;;
    *) p=${spec#A:} ;;
  esac
  if st=$(stat -L -c '%f %s' -- "$p" 2>/dev/null); then printf '%s\n' "$st"; else echo missing; st='0 0'; fi
  s=no
  if [ -f "$p" ] && [ "${st#* }" -le "$max" ] && cat -- "$p" 2>/dev/null; then s=ok; fi
  printf '\n%s %s\n' "$end" "$s"
done
printf '%s done\n' "$end"
exec cat >/dev/null"#;

/// Logs in, learning facts and reading `wanted` on the way.
pub async fn login(
    target: Target,
    options: Options,
    dir: &Path,
    wanted: &[Wanted],
) -> Result<Login, LoginError> {
    let end = marker();
    let max = MAX_PREFETCH.to_string();
    let mut argv: Vec<String> = vec![
        "sh".into(),
        "-c".into(),
        SCRIPT.into(),
        "sh".into(),
        end.clone(),
        max,
    ];
    argv.extend(wanted.iter().map(spec));
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let t0 = crate::clock::now_nanos();
    let last = format!("{end} done\n");
    let (ssh, first) = Ssh::connect(target, options, dir, &argv, last.as_bytes())
        .await
        .map_err(LoginError::Connect)?;
    let local_mid = (t0 + crate::clock::now_nanos()) / 2;
    let (facts, files, runs) = parse(&first, &end, wanted, local_mid).ok_or_else(|| {
        LoginError::Unexpected(format!(
            "logged in, but the VM's shell did not answer as expected (exit {:?}): {}",
            first.code,
            first.stderr.trim()
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
            let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
            format!("X:{}", super::ssh::command_line(&argv))
        }
    }
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

fn parse(out: &Output, end: &str, wanted: &[Wanted], local_mid: i64) -> Option<Parsed> {
    if out.code != Some(0) {
        return None;
    }
    fn line(rest: &mut &[u8]) -> Option<String> {
        let i = rest.iter().position(|b| *b == b'\n')?;
        let l = String::from_utf8_lossy(&rest[..i]).into_owned();
        *rest = &rest[i + 1..];
        Some(l)
    }
    let mut rest: &[u8] = &out.stdout;
    let home = line(&mut rest)?;
    let state = line(&mut rest)?;
    let clock = line(&mut rest)?;
    let systemd = line(&mut rest)? == "systemd";
    if home.is_empty() {
        return None;
    }
    // busybox date has no %N: no clock correction then.
    let clock_offset = clock
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 1_000_000_000_000_000_000)
        .map(|c| c - local_mid)
        .unwrap_or(0);
    let mut files = HashMap::new();
    let mut runs = HashMap::new();
    for w in wanted {
        let st = match w {
            Wanted::Run(_) => None,
            _ => Some(line(&mut rest)?),
        };
        // The content, then `\n<end> <status>\n`.
        let head = format!("\n{end} ");
        let pos = find(rest, head.as_bytes())?;
        let content = rest[..pos].to_vec();
        rest = &rest[pos + head.len()..];
        let status = line(&mut rest)?;
        let path = match w {
            Wanted::Run(argv) => {
                let code = status.strip_prefix('x')?.parse().ok();
                runs.insert(argv.clone(), (code, content));
                continue;
            }
            Wanted::Absolute(p) => p.clone(),
            Wanted::InHome(p) => format!("{home}/{p}"),
            Wanted::InState(p) => format!("{state}/{p}"),
        };
        let got = match st.as_deref() {
            Some("missing") => Prefetched::Missing,
            Some(st) => Prefetched::Present {
                info: parse_stat(st)?,
                bytes: (status == "ok").then_some(content),
            },
            None => return None,
        };
        files.insert(path, got);
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let wanted = [
            Wanted::InHome(".bash_history".into()),
            Wanted::InState("lab/journal.jsonl".into()),
            Wanted::InHome("nope".into()),
            Wanted::Absolute(h.join("big").display().to_string()),
            Wanted::Absolute(h.display().to_string()),
            Wanted::Absolute(hostile.display().to_string()),
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
            parse(&out, &end, &wanted, crate::clock::now_nanos()).expect("parses");
        let hs = h.display().to_string();
        assert_eq!(facts.home, hs);
        assert_eq!(facts.state, format!("{hs}/.local/state"));
        assert!(
            facts.clock_offset.abs() < 5_000_000_000,
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
}
