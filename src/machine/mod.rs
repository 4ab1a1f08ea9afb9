//! How a machine is observed: files, commands, listening ports, systemd and
//! the Docker API, through one door. Checks never reach the OS or bollard
//! directly, so the same check runs on a learner's own VM and on a student
//! VM over SSH (`lab grade`): [`Machine::local`] or [`Machine::remote`].
//!
//! Invariant: nothing here changes the machine. Files are read, commands are
//! the ones a check declares, the Docker view can only list and inspect.

mod commands;
mod daemon_id;
mod deadline;
mod destination;
mod dial;
mod docker;
mod error;
pub mod login;
mod ping;
mod read;
pub mod ssh;
mod tar;

pub use commands::{CommandLog, IN_STATE as COMMAND_LOG, MAX_READ as MAX_COMMAND_LOG};
pub use deadline::Late;
pub use tar::Member;

pub use destination::{refused_host, refused_user, Refusal};
pub use docker::{DaemonEvent, DockerView, Follow, DEFAULT_HOST};
pub use error::ObserveError;
pub use read::{Bound, End, FileKind, Read};

use ssh::Ssh;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::sync::Arc;
use std::time::Duration;

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
    timeout: u64,
    /// `None`: this machine.
    remote: Option<Remote>,
    /// The command log (`commands.rs`), read once.
    commands: tokio::sync::OnceCell<Result<Option<Arc<CommandLog>>, ObserveError>>,
    /// Work after the deadline (`deadline.rs`), worked out once: the
    /// report's steps and the gradebook's warning both ask.
    late: tokio::sync::OnceCell<Result<Option<Late>, ObserveError>>,
    /// Observed as of this moment (Unix nanoseconds, our clock):
    /// `deadline.rs`.
    deadline: Option<i64>,
}

/// A student VM: files and commands over SSH, Docker through a tunnel.
struct Remote {
    ssh: Arc<Ssh>,
    systemd: bool,
    /// The user's state folder (`$XDG_STATE_HOME`, or ~/.local/state).
    state: String,
    /// Files read at login, by absolute path.
    files: std::collections::HashMap<String, login::Prefetched>,
    /// Commands run at login, by argument vector.
    runs: std::collections::HashMap<Vec<String>, login::Ran>,
    /// The dial-stdio tunnel, when the forwarded socket does not answer.
    _tunnel: Option<dial::Tunnel>,
}

/// A byte stream to a TCP service, as seen from the machine.
pub trait Stream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Stream for T {}

/// Exit code of the remote wrappers below for "no such file/program".
const MISSING: i32 = 3;
const NOT_INSTALLED: i32 = 127;

impl Machine {
    /// The local machine, its daemon at `docker_host`; `timeout` bounds each
    /// API call and command, in seconds.
    pub fn local(docker_host: String, timeout: u64) -> Machine {
        Machine {
            docker: DockerView::new(docker_host, timeout),
            timeout,
            remote: None,
            commands: Default::default(),
            late: Default::default(),
            deadline: None,
        }
    }

    /// A VM logged into (`login::login`). Its Docker API is the socket the
    /// SSH master forwards; when the VM does not allow that (sshd's
    /// `AllowStreamLocalForwarding no`, a socket elsewhere), a tunnel to
    /// `docker system dial-stdio` at `fallback_socket` instead.
    pub async fn remote(
        login: login::Login,
        fallback_socket: &std::path::Path,
        timeout: u64,
    ) -> std::io::Result<(Machine, Arc<Ssh>)> {
        let ssh = login.ssh;
        let forwarded = format!("unix://{}", ssh.docker_socket().display());
        let version = ping::api_version(&forwarded, timeout).await;
        let (host, tunnel) = match version {
            Some(_) => (forwarded, None),
            None => {
                let tunnel = dial::open(ssh.clone(), fallback_socket)?;
                (
                    format!("unix://{}", fallback_socket.display()),
                    Some(tunnel),
                )
            }
        };
        let mut docker =
            DockerView::labelled(host, ssh.target().url(), login.facts.clock_offset, timeout);
        if let Some(v) = version {
            docker = docker.with_api_version(v);
        }
        let machine = Machine {
            docker,
            timeout,
            remote: Some(Remote {
                ssh: ssh.clone(),
                systemd: login.facts.systemd,
                state: login.facts.state,
                files: login.files,
                runs: login.runs,
                _tunnel: tunnel,
            }),
            commands: Default::default(),
            late: Default::default(),
            deadline: None,
        };
        Ok((machine, ssh))
    }

    /// Runs `argv` on the VM; `Ok(None)` when it exits with `missing_code`.
    async fn remote_exec(
        &self,
        remote: &Remote,
        what: &str,
        argv: &[&str],
        missing_code: i32,
    ) -> Result<Option<ssh::Output>, ObserveError> {
        let host = remote.ssh.target().url();
        match remote.ssh.exec(argv).await {
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => Err(ObserveError::Timeout {
                op: format!("{what} on {host}"),
                secs: self.timeout,
            }),
            Err(e) => Err(ObserveError::Remote {
                op: what.to_string(),
                host,
                message: e.to_string(),
            }),
            Ok(out) if out.code == Some(missing_code) => Ok(None),
            Ok(out) if out.code == Some(255) => Err(ObserveError::Remote {
                op: what.to_string(),
                host,
                message: out.stderr.trim().to_string(),
            }),
            Ok(out) => Ok(Some(out)),
        }
    }

    /// Like [`Self::remote_exec`], but a non-zero exit is an error too.
    async fn remote_ok(
        &self,
        remote: &Remote,
        what: &str,
        argv: &[&str],
    ) -> Result<Option<Vec<u8>>, ObserveError> {
        let Some(out) = self.remote_exec(remote, what, argv, MISSING).await? else {
            return Ok(None);
        };
        if out.code != Some(0) {
            return Err(ObserveError::Remote {
                op: what.to_string(),
                host: remote.ssh.target().url(),
                message: out.stderr.trim().to_string(),
            });
        }
        Ok(Some(out.stdout))
    }

    /// Reads a file within `bound` (`read.rs`): a regular file only, its
    /// head or its tail. Locally on tokio's blocking pool, so that a slow
    /// read holds up no other check and the check's timeout still fires.
    pub async fn read(&self, path: &str, bound: Bound) -> Result<Read, ObserveError> {
        if let Some(r) = &self.remote {
            return self.remote_read(r, path, bound).await;
        }
        let owned = path.to_string();
        match tokio::task::spawn_blocking(move || read::local(&owned, bound)).await {
            Ok(Ok(read)) => Ok(read),
            Ok(Err(e)) => Err(io_error("read", path, e)),
            Err(e) => Err(io_error("read", path, std::io::Error::other(e.to_string()))),
        }
    }

    /// [`Self::read`] on a VM: what login read, else one `stat` and one
    /// `head -c`/`tail -c` (never `cat`: a 400 MB history stays there).
    async fn remote_read(
        &self,
        r: &Remote,
        path: &str,
        bound: Bound,
    ) -> Result<Read, ObserveError> {
        match r.files.get(path) {
            Some(login::Prefetched::Missing) => return Ok(Read::Missing),
            Some(login::Prefetched::Present { info, .. }) if info.kind != FileKind::File => {
                return Ok(Read::NotFile(info.kind))
            }
            Some(login::Prefetched::Present { bytes: Some(b), .. }) => {
                return Ok(read::within(b.clone(), bound))
            }
            _ => {}
        }
        let (end, count) = read::remote_args(bound);
        let what = format!("read {path}");
        let argv = ["sh", "-c", read::REMOTE, "sh", path, end, &count];
        let Some(out) = self.remote_ok(r, &what, &argv).await? else {
            return Ok(Read::Missing);
        };
        read::parse_remote(out, bound).ok_or_else(|| ObserveError::Remote {
            op: what,
            host: r.ssh.target().url(),
            message: "stat printed something unexpected".into(),
        })
    }

    /// `stat PATH`; `None` when it does not exist.
    pub async fn stat(&self, path: &str) -> Result<Option<FileInfo>, ObserveError> {
        if let Some(r) = &self.remote {
            match r.files.get(path) {
                Some(login::Prefetched::Missing) => return Ok(None),
                Some(login::Prefetched::Present { info, .. }) => return Ok(Some(*info)),
                None => {}
            }
            let script = r#"test -e "$1" || exit 3; exec stat -L -c '%f %s' -- "$1""#;
            let what = format!("inspect {path}");
            let Some(out) = self
                .remote_ok(r, &what, &["sh", "-c", script, "sh", path])
                .await?
            else {
                return Ok(None);
            };
            return parse_stat(&String::from_utf8_lossy(&out))
                .map(Some)
                .ok_or_else(|| ObserveError::Remote {
                    op: what,
                    host: r.ssh.target().url(),
                    message: "stat printed something unexpected".into(),
                });
        }
        match std::fs::metadata(path) {
            Ok(m) => Ok(Some(FileInfo {
                kind: FileKind::from_mode(m.mode()),
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
        if let Some(r) = &self.remote {
            let argv: Vec<String> = std::iter::once(program)
                .chain(args.iter().copied())
                .map(String::from)
                .collect();
            if let Some((code, stdout)) = r.runs.get(&argv) {
                return Ok((*code != Some(NOT_INSTALLED)).then(|| CommandOutput {
                    code: *code,
                    stdout: String::from_utf8_lossy(stdout).into_owned(),
                    stderr: String::new(),
                }));
            }
            let script = r#"command -v "$1" >/dev/null 2>&1 || exit 127; exec "$@""#;
            let mut argv = vec!["sh", "-c", script, "sh", program];
            argv.extend_from_slice(args);
            let what = format!("run `{program}`");
            let out = self.remote_exec(r, &what, &argv, NOT_INSTALLED).await?;
            return Ok(out.map(|o| CommandOutput {
                code: o.code,
                stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
                stderr: o.stderr,
            }));
        }
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
    pub async fn tar_member(
        &self,
        path: &str,
        member: &str,
    ) -> Result<Option<Member>, ObserveError> {
        if let Some(r) = &self.remote {
            // GNU tar and busybox tar both stop at the member; the archive
            // (hundreds of MB) never crosses the network. Only a regular
            // file: tar would wait on a FIFO until the timeout.
            let script = r#"test -e "$1" || exit 3
test -f "$1" || { stat -L -c %f -- "$1"; exit 5; }
exec tar -xOf "$1" "$2""#;
            let what = format!("read {path}");
            let Some(out) = self
                .remote_exec(r, &what, &["sh", "-c", script, "sh", path, member], MISSING)
                .await?
            else {
                return Ok(None);
            };
            let stdout = String::from_utf8_lossy(&out.stdout);
            let raw = u32::from_str_radix(stdout.trim(), 16).unwrap_or(0);
            return Ok(Some(if out.code == Some(5) {
                Member::NotFile(FileKind::from_mode(raw))
            } else if out.code == Some(0) {
                Member::Found(out.stdout)
            } else if out.stderr.contains("ot found in archive") {
                Member::Missing
            } else {
                Member::NotTar
            }));
        }
        let (owned, member) = (path.to_string(), member.to_string());
        match tokio::task::spawn_blocking(move || tar::find_in(&owned, &member)).await {
            Ok(Ok(found)) => Ok(found),
            Ok(Err(e)) => Err(io_error("read", path, e)),
            Err(e) => Err(io_error("read", path, std::io::Error::other(e.to_string()))),
        }
    }

    /// A TCP connection to `host:port` from this machine: on a VM, opened
    /// by the VM (so `localhost` is the VM's own).
    pub async fn connect(&self, host: &str, port: u16) -> std::io::Result<Box<dyn Stream>> {
        if let Some(r) = &self.remote {
            let mut child = r
                .ssh
                .forward(host, port)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                .kill_on_drop(true)
                .spawn()?;
            let (Some(out), Some(inp)) = (child.stdout.take(), child.stdin.take()) else {
                return Err(std::io::Error::other("ssh gave no pipes"));
            };
            return Ok(Box::new(Forwarded {
                io: tokio::io::join(out, inp),
                _child: child,
            }));
        }
        Ok(Box::new(
            tokio::net::TcpStream::connect((host, port)).await?,
        ))
    }

    /// TCP ports in the LISTEN state, IPv4 and IPv6: on a VM from
    /// [`LISTENERS`] (asked at login), else from [`LISTEN_TABLES`].
    pub async fn listening_ports(&self) -> Result<Vec<u16>, ObserveError> {
        if self.remote.is_some() {
            if let Some(out) = self.run(LISTENERS[0], &LISTENERS[1..]).await? {
                if out.code == Some(0) {
                    return Ok(parse_ss(&out.stdout));
                }
            }
        }
        let mut ports = Vec::new();
        for table in LISTEN_TABLES {
            let Some(text) = self.read(table, Bound::TABLE).await?.text() else {
                continue;
            };
            ports.extend(parse_listeners(&text));
        }
        ports.sort_unstable();
        ports.dedup();
        Ok(ports)
    }

    /// Whether this is the machine lab runs on (not a VM over SSH).
    pub fn is_local(&self) -> bool {
        self.remote.is_none()
    }

    /// Whether systemd is this machine's init (what `systemctl` needs).
    pub fn has_systemd(&self) -> bool {
        if let Some(r) = &self.remote {
            return r.systemd;
        }
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

/// `ssh -W`'s stdio as one stream; the ssh process lives as long as it.
struct Forwarded {
    io: tokio::io::Join<tokio::process::ChildStdout, tokio::process::ChildStdin>,
    _child: tokio::process::Child,
}

impl tokio::io::AsyncRead for Forwarded {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for Forwarded {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_shutdown(cx)
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

/// The kernel's TCP socket tables, IPv4 and IPv6.
pub const LISTEN_TABLES: &[&str] = &["/proc/net/tcp", "/proc/net/tcp6"];

/// The listening TCP sockets, IPv4 and IPv6, as a VM is asked for them:
/// reading [`LISTEN_TABLES`] makes the kernel walk every connection of its
/// hash table (10 ms a VM in the test bed, whose 100 VMs share one large
/// kernel), `ss` asks netlink for the listening ones only (2 ms). A VM
/// without `ss` (no iproute2) gets the tables read instead.
pub const LISTENERS: &[&str] = &["ss", "-ltn"];

/// Local ports of the LISTEN lines of `ss -ltn`
/// (`LISTEN 0 128 0.0.0.0:22 0.0.0.0:*`, `[::]:22`).
fn parse_ss(out: &str) -> Vec<u16> {
    let mut ports: Vec<u16> = out
        .lines()
        .filter_map(|line| {
            let mut cols = line.split_whitespace();
            if cols.next()? != "LISTEN" {
                return None;
            }
            cols.nth(2)?.rsplit(':').next()?.parse().ok()
        })
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
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

    /// A VM whose login answered `runs` and `files`; nothing else is
    /// reachable (the Docker socket does not exist).
    pub(super) fn vm(runs: Vec<(&[&str], login::Ran)>, files: Vec<(&str, &str)>) -> Machine {
        let runs = runs
            .into_iter()
            .map(|(argv, ran)| (argv.iter().map(|a| a.to_string()).collect(), ran))
            .collect();
        let files = files
            .into_iter()
            .map(|(path, text)| {
                let info = FileInfo {
                    kind: FileKind::File,
                    mode: 0o444,
                    len: 0,
                };
                let bytes = Some(text.as_bytes().to_vec());
                (path.to_string(), login::Prefetched::Present { info, bytes })
            })
            .collect();
        Machine {
            docker: DockerView::labelled("unix:///nonexistent".into(), "vm".into(), 0, 1),
            timeout: 1,
            remote: Some(Remote {
                ssh: Arc::new(Ssh::offline("vm.invalid")),
                systemd: true,
                state: "/home/s/.local/state".into(),
                files,
                runs,
                _tunnel: None,
            }),
            commands: Default::default(),
            late: Default::default(),
            deadline: None,
        }
    }

    pub(super) fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn a_vm_lists_its_listeners_with_ss_or_else_its_socket_tables() {
        let ss_out = "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n\
                      LISTEN 0 128 0.0.0.0:2222 0.0.0.0:*\n";
        let table = "  sl  local_address rem_address   st\n   0: 00000000:0016 00000000:0000 0A\n";
        // ss answered at login: the tables are not needed.
        let with_ss = vm(vec![(LISTENERS, (Some(0), ss_out.into()))], vec![]);
        assert_eq!(block_on(with_ss.listening_ports()).unwrap(), vec![2222]);
        // No ss on the VM (127): the tables, as read at login.
        let tables = vec![("/proc/net/tcp", table), ("/proc/net/tcp6", "")];
        let without = vm(vec![(LISTENERS, (Some(127), Vec::new()))], tables);
        assert_eq!(block_on(without.listening_ports()).unwrap(), vec![22]);
    }

    #[test]
    fn listeners_are_read_from_ss() {
        let out = "State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process\n\
                   LISTEN 0      4096   127.0.0.53%lo:53        0.0.0.0:*\n\
                   LISTEN 0      128          0.0.0.0:22        0.0.0.0:*\n\
                   ESTAB  0      0          10.0.0.2:22      10.0.0.1:5000\n\
                   LISTEN 0      128             [::]:22           [::]:*\n\
                   LISTEN 0      511                *:80              *:*\n";
        assert_eq!(parse_ss(out), vec![22, 53, 80]);
        assert!(parse_ss("").is_empty());
    }

    #[test]
    fn listeners_are_read_from_proc_net_tcp() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0\n";
        assert_eq!(parse_listeners(table).collect::<Vec<_>>(), vec![22]);
    }

    #[test]
    fn remote_stat_is_read_from_raw_mode() {
        let file = parse_stat("81a4 42\n").unwrap();
        assert_eq!(
            (file.kind, file.mode, file.len),
            (FileKind::File, 0o644, 42)
        );
        let dir = parse_stat("41ed 4096").unwrap();
        assert_eq!((dir.kind, dir.mode), (FileKind::Folder, 0o755));
        assert_eq!(parse_stat("11a4 0").unwrap().kind, FileKind::Fifo);
        assert_eq!(parse_stat("stat: cannot"), None);
    }
}
