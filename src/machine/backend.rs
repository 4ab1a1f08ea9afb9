//! Where a machine's operations are carried out: [`Backend`], one trait
//! with one implementation per kind of machine. `Local` (`local.rs`) is
//! the machine lab runs on, `Remote` (`remote.rs`) a VM over SSH, and
//! `Fake` (`fake.rs`, tests only) canned answers for the kinds' unit
//! tests. [`Machine`](super::Machine) holds one and forwards to it; the
//! Docker API is apart (`DockerView`), the same for every backend.
//!
//! Native async: each operation returns a boxed future ([`Fut`]), so the
//! trait is object-safe without a macro crate.

use super::{Bound, CommandOutput, FileInfo, Member, ObserveError, Read, Stream};
use std::future::Future;
use std::pin::Pin;

/// What a backend's operation returns: a future borrowing the backend and
/// its arguments.
pub(crate) type Fut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The operations a kind of machine carries out itself.
pub(crate) trait Backend: Send + Sync {
    /// [`Machine::read`](super::Machine::read): a regular file only, within
    /// `bound`.
    fn read<'a>(&'a self, path: &'a str, bound: Bound) -> Fut<'a, Result<Read, ObserveError>>;

    /// `stat PATH`; `None` when it does not exist.
    fn stat<'a>(&'a self, path: &'a str) -> Fut<'a, Result<Option<FileInfo>, ObserveError>>;

    /// A program with arguments (no shell); `Ok(None)` when it is not
    /// installed.
    fn exec<'a>(
        &'a self,
        program: &'a str,
        args: &'a [&'a str],
    ) -> Fut<'a, Result<Option<CommandOutput>, ObserveError>>;

    /// One member of a tar archive; `None` when the archive does not exist.
    fn tar_member<'a>(
        &'a self,
        path: &'a str,
        member: &'a str,
    ) -> Fut<'a, Result<Option<Member>, ObserveError>>;

    /// A TCP connection to `host:port` as the machine opens it.
    fn connect<'a>(&'a self, host: &'a str, port: u16)
        -> Fut<'a, std::io::Result<Box<dyn Stream>>>;

    /// Whether systemd is the machine's init.
    fn has_systemd(&self) -> bool;

    /// Whether this is the machine lab runs on.
    fn is_local(&self) -> bool;

    /// Where the machine's command log is (`commands.rs`), if anywhere.
    fn command_log_path(&self) -> Option<String>;
}
