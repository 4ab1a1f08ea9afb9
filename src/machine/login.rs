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
}

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
    H:*) p=$HOME/${spec#H:} ;;
    S:*) p=$state/${spec#S:} ;;
    *) p=${spec#A:} ;;
  esac
  if st=$(stat -L -c '%f %s' -- "$p" 2>/dev/null); then printf '%s\n' "$st"; else echo missing; st='0 0'; fi
  s=no
  if [ -f "$p" ] && [ "${st#* }" -le "$max" ] && cat -- "$p" 2>/dev/null; then s=ok; fi
  printf '\n%s %s\n' "$end" "$s"
done"#;

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
    argv.extend(wanted.iter().map(|w| match w {
        Wanted::Absolute(p) => format!("A:{p}"),
        Wanted::InHome(p) => format!("H:{p}"),
        Wanted::InState(p) => format!("S:{p}"),
    }));
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let t0 = now_ns();
    let (ssh, first) = Ssh::connect(target, options, dir, &argv)
        .await
        .map_err(LoginError::Connect)?;
    let local_mid = (t0 + now_ns()) / 2;
    let (facts, files) = parse(&first, &end, wanted, local_mid).ok_or_else(|| {
        LoginError::Unexpected(format!(
            "logged in, but the VM's shell did not answer as expected (exit {:?}): {}",
            first.code,
            first.stderr.trim()
        ))
    })?;
    Ok(Login { ssh, facts, files })
}

#[derive(Debug)]
pub enum LoginError {
    Connect(ConnectError),
    Unexpected(String),
}

fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or_default()
}

/// A marker no file will contain by chance.
fn marker() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_i64(now_ns());
    let a = h.finish();
    h.write_u32(std::process::id());
    format!("--lab-end-{a:016x}{:016x}--", h.finish())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn parse(
    out: &Output,
    end: &str,
    wanted: &[Wanted],
    local_mid: i64,
) -> Option<(Facts, HashMap<String, Prefetched>)> {
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
    for w in wanted {
        let st = line(&mut rest)?;
        let (pos, ok) = [("ok", true), ("no", false)]
            .iter()
            .filter_map(|(s, ok)| find(rest, format!("\n{end} {s}\n").as_bytes()).map(|p| (p, *ok)))
            .min()?;
        let content = rest[..pos].to_vec();
        rest = &rest[pos + end.len() + 5..];
        let path = match w {
            Wanted::Absolute(p) => p.clone(),
            Wanted::InHome(p) => format!("{home}/{p}"),
            Wanted::InState(p) => format!("{state}/{p}"),
        };
        let got = if st == "missing" {
            Prefetched::Missing
        } else {
            Prefetched::Present {
                info: parse_stat(&st)?,
                bytes: ok.then_some(content),
            }
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
            cmd.arg(match w {
                Wanted::Absolute(p) => format!("A:{p}"),
                Wanted::InHome(p) => format!("H:{p}"),
                Wanted::InState(p) => format!("S:{p}"),
            });
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
        ];
        let (out, end) = run_script(h, &wanted);
        let (facts, files) = parse(&out, &end, &wanted, now_ns()).expect("parses");
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
    }
}
