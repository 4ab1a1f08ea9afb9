//! How a machine is observed: files, commands, listening ports, systemd and
//! the Docker API, through one door. Checks never reach the OS or bollard
//! directly, so the same check runs on a learner's own VM and (later) on a
//! student VM over SSH.
//!
//! Invariant: nothing here changes the machine. Files are read, commands are
//! the ones a check declares, the Docker view can only list and inspect.

mod docker;
mod error;
mod ping;
mod tar;

pub use tar::Member;

pub use docker::{DaemonEvent, DockerView, DEFAULT_HOST};
pub use error::ObserveError;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

/// What `stat` tells about a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileInfo {
    pub is_dir: bool,
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
    timeout: u64,
}

impl Machine {
    /// The local machine, its daemon at `docker_host`; `timeout` bounds each
    /// API call and command, in seconds.
    pub fn local(docker_host: String, timeout: u64) -> Machine {
        Machine {
            docker: DockerView::new(docker_host, timeout),
            timeout,
        }
    }

    /// A file's text; `None` when it does not exist.
    pub fn read_file(&self, path: &str) -> Result<Option<String>, ObserveError> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error("read", path, e)),
        }
    }

    /// `stat PATH`; `None` when it does not exist.
    pub fn stat(&self, path: &str) -> Result<Option<FileInfo>, ObserveError> {
        match std::fs::metadata(path) {
            Ok(m) => Ok(Some(FileInfo {
                is_dir: m.is_dir(),
                mode: m.permissions().mode() & 0o7777,
                len: m.len(),
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error("inspect", path, e)),
        }
    }

    /// Runs a program with arguments (no shell), under the run's timeout.
    /// `Ok(None)` when the program is not installed.
    pub async fn run(
        &self,
        program: &str,
        args: &[&str],
    ) -> Result<Option<CommandOutput>, ObserveError> {
        let mut cmd = tokio::process::Command::new(program);
        cmd.args(args)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        let fut = cmd.output();
        match tokio::time::timeout(Duration::from_secs(self.timeout), fut).await {
            Err(_) => Err(ObserveError::Timeout {
                op: format!("run `{program}`"),
                secs: self.timeout,
            }),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Ok(Err(e)) => Err(io_error("run", program, e)),
            Ok(Ok(out)) => Ok(Some(CommandOutput {
                code: out.status.code(),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            })),
        }
    }

    /// One member of a tar archive on the machine; `None` when the archive
    /// itself does not exist.
    pub fn tar_member(&self, path: &str, member: &str) -> Result<Option<Member>, ObserveError> {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error("open", path, e)),
        };
        tar::find(std::io::BufReader::new(file), member)
            .map(Some)
            .map_err(|e| io_error("read", path, e))
    }

    /// TCP ports in the LISTEN state, IPv4 and IPv6, from /proc/net.
    pub fn listening_ports(&self) -> Result<Vec<u16>, ObserveError> {
        let mut ports = Vec::new();
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            let Some(text) = self.read_file(table)? else {
                continue;
            };
            ports.extend(parse_listeners(&text));
        }
        ports.sort_unstable();
        ports.dedup();
        Ok(ports)
    }

    /// Whether systemd is this machine's init (what `systemctl` needs).
    pub fn has_systemd(&self) -> bool {
        std::path::Path::new("/run/systemd/system").is_dir()
    }
}

fn io_error(op: &'static str, path: &str, e: std::io::Error) -> ObserveError {
    ObserveError::Io {
        op,
        path: path.to_string(),
        message: e.to_string(),
    }
}

/// Local ports of the sockets in state 0A (LISTEN) of a /proc/net/tcp table.
fn parse_listeners(table: &str) -> impl Iterator<Item = u16> + '_ {
    table.lines().skip(1).filter_map(|line| {
        let mut cols = line.split_whitespace();
        let local = cols.nth(1)?;
        let state = cols.nth(1)?;
        if state != "0A" {
            return None;
        }
        let port = local.rsplit(':').next()?;
        u16::from_str_radix(port, 16).ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listeners_are_read_from_proc_net_tcp() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0\n";
        assert_eq!(parse_listeners(table).collect::<Vec<_>>(), vec![22]);
    }
}
