//! How a machine is observed: files, commands, listening ports, systemd and
//! the Docker API, through one door. Checks never reach the OS or bollard
//! directly, so the same check runs on a learner's own VM and on a student
//! VM over SSH (`lab grade`): [`Machine::local`] or [`Machine::remote`],
//! each a [`Backend`] (`backend.rs`), and in unit tests on canned answers
//! (`Machine::fake()`, `fake.rs`). The Docker API's answers come as lab's
//! own types (`view.rs`).
//!
//! Invariant: nothing here changes the machine. Files are read, commands are
//! the ones a check declares, the Docker view can only list and inspect.

mod backend;
mod commands;
mod daemon_id;
mod deadline;
mod destination;
mod dial;
mod docker;
mod error;
#[cfg(test)]
mod fake;
mod local;
pub mod login;
mod ping;
mod ports;
mod read;
mod remote;
pub mod ssh;
mod tar;
mod view;

pub use commands::{CommandLog, IN_STATE as COMMAND_LOG, MAX_READ as MAX_COMMAND_LOG};
pub use deadline::Late;
pub(crate) use error::reason_zh as os_reason_zh;
pub use tar::Member;
pub use view::{Container, Port};

pub use destination::{refused_host, refused_user, Refusal};
pub use docker::{DaemonEvent, DockerView, Follow, DEFAULT_HOST};
pub use error::ObserveError;
pub use ports::LISTENERS;
pub use read::{Bound, End, FileKind, Read};

use backend::Backend;
use ssh::Ssh;
use std::sync::Arc;

/// What `stat` tells about a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileInfo {
    pub kind: FileKind,
    /// Permission bits, e.g. 0o644.
    pub mode: u32,
    pub len: u64,
}

/// What a command printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutput {
    /// `None` when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// The machine being checked.
pub struct Machine {
    pub docker: DockerView,
    /// Where files are read and commands run: this machine, a VM over SSH,
    /// or canned answers in tests (`backend.rs`).
    backend: Box<dyn Backend>,
    /// What to do about an error, when whoever made this machine knows
    /// better than [`ObserveError::advice`] (`lab grade` for a VM).
    advice: Option<Advice>,
    /// The command log (`commands.rs`), read once.
    commands: tokio::sync::OnceCell<Result<Option<Arc<CommandLog>>, ObserveError>>,
    /// Work after the deadline (`deadline.rs`), worked out once: the
    /// report's steps and the gradebook's warning both ask.
    late: tokio::sync::OnceCell<Result<Option<Late>, ObserveError>>,
    /// Observed as of this moment (Unix nanoseconds, our clock):
    /// `deadline.rs`.
    deadline: Option<i64>,
}

/// Advice for an error, in the learner's language, where it differs from
/// [`ObserveError::advice`]; `None` keeps that.
pub type Advice = fn(&ObserveError, crate::lang::Lang) -> Option<String>;

/// A byte stream to a TCP service, as seen from the machine.
pub trait Stream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Stream for T {}

impl Machine {
    /// The local machine, its daemon at `docker_host`; `timeout` bounds each
    /// API call and command, in seconds.
    pub fn local(docker_host: String, timeout: u64) -> Machine {
        Machine::on(
            Box::new(local::Local { timeout }),
            DockerView::new(docker_host, timeout),
        )
    }

    /// A machine whose operations `backend` carries out.
    fn on(backend: Box<dyn Backend>, docker: DockerView) -> Machine {
        Machine {
            docker,
            backend,
            advice: None,
            commands: Default::default(),
            late: Default::default(),
            deadline: None,
        }
    }

    /// Gives errors `advice` where it has some (`lab grade`: what to do
    /// about a VM that could not be observed).
    pub fn with_advice(mut self, advice: Advice) -> Machine {
        self.advice = Some(advice);
        self
    }

    /// What the learner should do about `e`, in their language.
    pub fn advice(&self, e: &ObserveError, lang: crate::lang::Lang) -> String {
        self.advice
            .and_then(|a| a(e, lang))
            .unwrap_or_else(|| e.advice(lang, self.has_systemd()))
    }

    /// Reads a file within `bound` (`read.rs`): a regular file only, its
    /// head or its tail. Locally on tokio's blocking pool, so that a slow
    /// read holds up no other check and the check's timeout still fires.
    pub async fn read(&self, path: &str, bound: Bound) -> Result<Read, ObserveError> {
        self.backend.read(path, bound).await
    }

    /// `stat PATH`; `None` when it does not exist.
    pub async fn stat(&self, path: &str) -> Result<Option<FileInfo>, ObserveError> {
        self.backend.stat(path).await
    }

    /// Runs a program with arguments (no shell), under the run's timeout.
    /// `Ok(None)` when the program is not installed.
    pub async fn exec(
        &self,
        program: &str,
        args: &[&str],
    ) -> Result<Option<CommandOutput>, ObserveError> {
        self.backend.exec(program, args).await
    }

    /// One member of a tar archive on the machine; `None` when the archive
    /// itself does not exist.
    pub async fn tar_member(
        &self,
        path: &str,
        member: &str,
    ) -> Result<Option<Member>, ObserveError> {
        self.backend.tar_member(path, member).await
    }

    /// A TCP connection to `host:port` from this machine: on a VM, opened
    /// by the VM (so `localhost` is the VM's own).
    pub async fn connect(&self, host: &str, port: u16) -> std::io::Result<Box<dyn Stream>> {
        self.backend.connect(host, port).await
    }

    /// Whether this is the machine lab runs on (not a VM over SSH).
    pub fn is_local(&self) -> bool {
        self.backend.is_local()
    }

    /// Whether systemd is this machine's init (what `systemctl` needs).
    pub fn has_systemd(&self) -> bool {
        self.backend.has_systemd()
    }
}

/// `stat -c '%f %s'`: the raw mode in hex, then the size.
pub(crate) fn parse_stat(line: &str) -> Option<FileInfo> {
    let mut words = line.split_whitespace();
    let raw = u32::from_str_radix(words.next()?, 16).ok()?;
    let len = words.next()?.parse().ok()?;
    Some(FileInfo {
        kind: FileKind::from_mode(raw),
        mode: raw & 0o7777,
        len,
    })
}

#[cfg(test)]
mod tests;
