//! Logging into a VM: the first command, which starts the SSH master, also
//! learns the VM's facts (home, state folder, clock, init) and reads the
//! small files checks usually read (the course's file variables, the
//! learner's journal, /proc/net/tcp), so that most of a VM costs one round
//! trip instead of one per file. A check reading any other file still gets
//! it, over its own session.
//!
//! The script is fixed; paths reach it as arguments, never as code. Its
//! answer is framed by a random end marker, so any bytes can be carried.
//! It starts as few processes on the VM as it can (see [`script::SCRIPT`]): on a
//! class's worth of VMs, every process is CPU the grading waits for.

use super::ssh::{ConnectError, Options, Output, Ssh, Target};
use super::FileInfo;
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

mod answer;
mod script;
#[cfg(test)]
mod tests;

use answer::parse;
use script::{marker, spec, SCRIPT};

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
/// keeps (see [`script::SCRIPT`]): fresh facts and files, no new key exchange and
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
/// How a process ended, in words: "exit code 1", or "killed by a signal"
/// when it has no exit code (never Rust's `None`).
fn exit_words(code: Option<i32>) -> String {
    match code {
        Some(c) => format!("exit code {c}"),
        None => "killed by a signal, no exit code".to_string(),
    }
}
