//! A student VM over SSH, through the system OpenSSH client, so that the
//! instructor's ~/.ssh/config, keys, agent, jump hosts and known_hosts work
//! as they do for `ssh` itself. Host keys are verified (BatchMode: an
//! unknown key fails instead of asking).
//!
//! One master connection per VM (`ControlMaster`): lab's child process,
//! whose own session is the login command (`machine::login`). It forwards
//! the VM's Docker socket; any later command (and the dial-stdio fallback)
//! is a session multiplexed on it, so a VM costs one key exchange however
//! many checks read it, and the connection ends with the VM's grading.
//!
//! Invariant: nothing from the roster or the course reaches a remote shell
//! unquoted. Remote commands are argument vectors; [`quote`] turns each
//! argument into one single-quoted shell word.

mod connect_error;
mod quote;

pub use connect_error::ConnectError;
pub use quote::command_line;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// Where and as whom to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub identity: Option<PathBuf>,
}

impl Target {
    /// `ssh://user@host:port`, for messages.
    pub fn url(&self) -> String {
        let user = self
            .user
            .as_deref()
            .map(|u| format!("{u}@"))
            .unwrap_or_default();
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        format!("ssh://{user}{}{port}", self.host)
    }
}

/// How every connection of a grading run is made.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Seconds to connect, and for each command.
    pub timeout: u64,
    /// Trust a host key seen for the first time (never a changed one).
    pub accept_new_host_keys: bool,
    /// Extra `-o` options, passed as given (`UserKnownHostsFile=...`).
    pub extra: Vec<String>,
    /// The ssh program (`ssh` from PATH unless `LAB_SSH` says otherwise).
    pub program: String,
}

/// What a remote command printed, as bytes.
#[derive(Debug)]
pub struct Output {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

/// Where dockerd listens on a VM, unless its owner moved it (then
/// `docker system dial-stdio` finds it).
const REMOTE_DOCKER_SOCKET: &str = "/var/run/docker.sock";

/// A logged-in VM.
pub struct Ssh {
    target: Target,
    options: Options,
    /// The master's control socket.
    control: PathBuf,
    /// The master: our child, killed if dropped (a VM abandoned midway,
    /// Ctrl-C), so no connection outlives lab.
    master: std::sync::Mutex<Option<tokio::process::Child>>,
    /// The master's own session, the login's shell (`login::SCRIPT`),
    /// kept to be asked again ([`Ssh::ask`]).
    kept: tokio::sync::Mutex<Option<Kept>>,
    /// Local sockets the master forwards, by destination, `None` where it
    /// would not ([`Ssh::forwarded`]).
    forwards: tokio::sync::Mutex<std::collections::HashMap<(String, u16), Option<PathBuf>>>,
}

/// The pipes to the login's shell, which answers each line it reads.
struct Kept {
    stdin: tokio::process::ChildStdin,
    stdout: tokio::process::ChildStdout,
}

/// Reads `from` until what was read ends with `last` (`true`), or until its
/// end (`false`).
async fn read_until(
    from: &mut tokio::process::ChildStdout,
    last: &[u8],
) -> std::io::Result<(Vec<u8>, bool)> {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = from.read(&mut chunk).await?;
        if n == 0 {
            return Ok((buf, false));
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.ends_with(last) {
            return Ok((buf, true));
        }
    }
}

impl Ssh {
    /// Logs in and runs `argv` as the master's own session: its output is
    /// read up to the line `last` (the command then reads its stdin until
    /// it closes, which keeps the master alive, and may be asked again:
    /// [`Ssh::ask`]). Later commands are sessions of this master; [`Ssh::close`] or dropping
    /// the `Ssh` ends it, so no connection outlives the VM's grading. `dir`
    /// holds the control socket and ssh's log; it must be private.
    pub async fn connect(
        target: Target,
        options: Options,
        dir: &Path,
        argv: &[&str],
        last: &[u8],
    ) -> Result<(Ssh, Output), ConnectError> {
        let ssh = Ssh {
            target,
            options,
            control: dir.join("ctl"),
            master: std::sync::Mutex::new(None),
            kept: tokio::sync::Mutex::new(None),
            forwards: Default::default(),
        };
        let log_path = dir.join("ssh.log");
        let log = std::fs::File::create(&log_path).map_err(|e| {
            ConnectError::Other(format!("cannot create {}: {e}", log_path.display()))
        })?;
        // The VM's Docker socket, forwarded by the master itself (no
        // process on the VM): the cheapest way to its API.
        let forward = format!("{}:{REMOTE_DOCKER_SOCKET}", ssh.docker_socket().display());
        let mut cmd = ssh.command_with(true, &["-L", &forward]);
        cmd.arg(command_line(argv))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true);
        let mut child = cmd
            .spawn()
            .map_err(|e| ConnectError::Other(format!("cannot run {}: {e}", ssh.options.program)))?;
        let Some(mut pipe) = child.stdout.take() else {
            return Err(ConnectError::Other("ssh gave no stdout".into()));
        };
        let read = read_until(&mut pipe, last);
        // ConnectTimeout covers the TCP connect and the banner; this covers
        // a login that hangs later (a slow shell profile).
        let secs = ssh.options.timeout * 2 + 5;
        let (stdout, complete) = match tokio::time::timeout(Duration::from_secs(secs), read).await {
            Err(_) => return Err(ConnectError::TimedOut(format!("no answer after {secs} s"))),
            Ok(Err(e)) => return Err(ConnectError::Other(e.to_string())),
            Ok(Ok(r)) => r,
        };
        let stderr = || std::fs::read_to_string(&log_path).unwrap_or_default();
        if !complete {
            // The command ended early: ssh's own failure, or the shell's.
            let code = match tokio::time::timeout(Duration::from_secs(5), child.wait()).await {
                Ok(Ok(status)) => status.code(),
                _ => None,
            };
            if code == Some(255) {
                return Err(ConnectError::from_ssh(&stderr()));
            }
            return Ok((
                ssh,
                Output {
                    code,
                    stdout,
                    stderr: stderr(),
                },
            ));
        }
        if let Some(stdin) = child.stdin.take() {
            *ssh.kept.lock().await = Some(Kept {
                stdin,
                stdout: pipe,
            });
        }
        if let Ok(mut m) = ssh.master.lock() {
            *m = Some(child);
        }
        let first = Output {
            code: Some(0),
            stdout,
            stderr: stderr(),
        };
        Ok((ssh, first))
    }

    /// A VM never logged into: for tests of what a login's answer serves.
    #[cfg(test)]
    pub fn offline(host: &str) -> Ssh {
        Ssh {
            target: Target {
                host: host.into(),
                port: None,
                user: None,
                identity: None,
            },
            options: Options::default(),
            control: PathBuf::from("/nonexistent/ctl"),
            master: std::sync::Mutex::new(None),
            kept: tokio::sync::Mutex::new(None),
            forwards: Default::default(),
        }
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Our end of the VM's forwarded Docker socket.
    pub fn docker_socket(&self) -> PathBuf {
        self.control.with_file_name("docker.sock")
    }

    /// `ssh` with our options and the destination; the remote command comes
    /// next. `master`: this invocation may start the master connection.
    fn command(&self, master: bool) -> tokio::process::Command {
        self.command_with(master, &[])
    }

    /// As [`Self::command`], with more ssh arguments before the destination.
    fn command_with(&self, master: bool, args: &[&str]) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(&self.options.program);
        cmd.args(self.args(master, args));
        // Its own process group: a Ctrl-C typed at lab's terminal reaches
        // lab alone, which drops (kills) its children itself, rather than
        // killing them first and seeing a VM whose shell "did not answer".
        cmd.process_group(0);
        cmd
    }

    /// ssh's arguments: our options, `args`, then `--` and the destination.
    fn args(&self, master: bool, args: &[&str]) -> Vec<std::ffi::OsString> {
        let mut v: Vec<std::ffi::OsString> = Vec::new();
        let mut o = |opt: String| {
            v.push("-o".into());
            v.push(opt.into());
        };
        o("BatchMode=yes".into());
        o(format!("ConnectTimeout={}", self.options.timeout.max(1)));
        o(format!("ControlPath={}", self.control.display()));
        if master {
            o("ControlMaster=yes".into());
            o("ControlPersist=no".into());
        } else {
            o("ControlMaster=no".into());
        }
        o("ServerAliveInterval=5".into());
        o("ServerAliveCountMax=2".into());
        o("LogLevel=ERROR".into());
        if self.options.accept_new_host_keys {
            o("StrictHostKeyChecking=accept-new".into());
        }
        if self.target.identity.is_some() {
            o("IdentitiesOnly=yes".into());
        }
        for extra in &self.options.extra {
            o(extra.clone());
        }
        if let Some(port) = self.target.port {
            v.extend(["-p".into(), port.to_string().into()]);
        }
        if let Some(user) = &self.target.user {
            v.extend(["-l".into(), user.into()]);
        }
        if let Some(key) = &self.target.identity {
            v.extend(["-i".into(), key.into()]);
        }
        v.extend(args.iter().map(Into::into));
        // `--` ends ssh's options: a host can never be read as one.
        v.extend(["--".into(), (&self.target.host).into()]);
        v
    }

    /// Runs `argv` on the VM under the run's timeout.
    pub async fn exec(&self, argv: &[&str]) -> std::io::Result<Output> {
        let mut cmd = self.command(false);
        cmd.arg(command_line(argv))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let secs = self.options.timeout;
        let out = tokio::time::timeout(Duration::from_secs(secs), cmd.output())
            .await
            .map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("no answer in {secs} s"),
                )
            })??;
        Ok(Output {
            code: out.status.code(),
            stdout: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    /// Asks the login's shell again: writes `line` to it and reads its
    /// answer up to `last`, under the run's timeout. A shell that does not
    /// answer in time, or whose connection ended, is given up: the master
    /// is killed, so [`Ssh::alive`] says the VM must be logged into anew.
    pub async fn ask(&self, line: &str, last: &[u8]) -> std::io::Result<Output> {
        use tokio::io::AsyncWriteExt;
        let mut kept = self.kept.lock().await;
        let Some(k) = kept.as_mut() else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotConnected,
                "the login's shell is gone",
            ));
        };
        let secs = self.options.timeout.max(1);
        let asked = async {
            k.stdin.write_all(format!("{line}\n").as_bytes()).await?;
            k.stdin.flush().await?;
            read_until(&mut k.stdout, last).await
        };
        let why = match tokio::time::timeout(Duration::from_secs(secs), asked).await {
            Ok(Ok((stdout, true))) => {
                return Ok(Output {
                    code: Some(0),
                    stdout,
                    stderr: String::new(),
                })
            }
            Ok(Ok((_, false))) => std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the connection ended before the VM answered",
            ),
            Ok(Err(e)) => e,
            Err(_) => std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no answer in {secs} s"),
            ),
        };
        // Half an answer would frame the next one wrongly: start anew.
        kept.take();
        drop(kept);
        self.kill();
        Err(why)
    }

    /// Kills the master (its connection ends at once).
    fn kill(&self) {
        if let Ok(mut m) = self.master.lock() {
            if let Some(child) = m.as_mut() {
                let _ = child.start_kill();
            }
        }
    }

    /// `docker system dial-stdio` on the VM: its stdin and stdout are a
    /// connection to the VM's Docker socket (what `DOCKER_HOST=ssh://` does).
    pub fn dial_stdio(&self) -> tokio::process::Command {
        let mut cmd = self.command(false);
        cmd.arg(command_line(&["docker", "system", "dial-stdio"]));
        cmd
    }

    /// A local socket whose connections the VM opens to `host:port` (its
    /// own `localhost` included), carried over the master (`ssh -O forward
    /// -L`): set up once per destination, so a VM asked again (`lab grade
    /// --watch`) starts no ssh client for it. A destination the VM cannot
    /// reach is a connection that ends at once, as with `ssh -W`. `None`
    /// when the master forwards nothing (`ClearAllForwardings`, an old
    /// ssh): then [`Ssh::forward`] it is.
    pub async fn forwarded(&self, host: &str, port: u16) -> Option<PathBuf> {
        let mut known = self.forwards.lock().await;
        let key = (host.to_string(), port);
        if let Some(path) = known.get(&key) {
            return path.clone();
        }
        let path = self
            .control
            .with_file_name(format!("fwd-{}.sock", known.len()));
        let _ = std::fs::remove_file(&path);
        // An IPv6 address in brackets, as -L reads it.
        let to = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.to_string()
        };
        let spec = format!("{}:{to}:{port}", path.display());
        let mut cmd = self.command_with(false, &["-O", "forward", "-L", &spec]);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        let secs = self.options.timeout.max(1);
        let done = tokio::time::timeout(Duration::from_secs(secs), cmd.status()).await;
        let made = matches!(done, Ok(Ok(status)) if status.success()) && path.exists();
        let path = made.then_some(path);
        known.insert(key, path.clone());
        path
    }

    /// A TCP connection opened by the VM to `host:port` (its own
    /// `localhost` included), carried over the master: `ssh -W`.
    pub fn forward(&self, host: &str, port: u16) -> tokio::process::Command {
        let to = format!("{host}:{port}");
        self.command_with(false, &["-W", &to])
    }

    /// Whether the master connection still runs: a session asked of a
    /// master that ended would log in anew, which `lab grade --watch`
    /// must see rather than pay for at each round.
    pub fn alive(&self) -> bool {
        let Ok(mut master) = self.master.lock() else {
            return false;
        };
        master
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    /// Ends the master connection: its session's stdin closes, the VM's
    /// `cat` ends, and so does the master.
    pub async fn close(&self) {
        drop(self.kept.lock().await.take());
        let child = self.master.lock().ok().and_then(|mut m| m.take());
        if let Some(mut child) = child {
            if tokio::time::timeout(Duration::from_secs(5), child.wait())
                .await
                .is_err()
            {
                let _ = child.kill().await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_destination_comes_last_after_a_double_dash() {
        let ssh = Ssh {
            target: Target {
                host: "-oProxyCommand=evil".into(),
                port: Some(2222),
                user: Some("ada".into()),
                identity: Some("/keys/it's a key/id".into()),
            },
            options: Options {
                timeout: 3,
                accept_new_host_keys: false,
                extra: vec!["UserKnownHostsFile=/k".into()],
                program: "ssh".into(),
            },
            control: "/tmp/x/ctl".into(),
            master: std::sync::Mutex::new(None),
            kept: tokio::sync::Mutex::new(None),
            forwards: Default::default(),
        };
        let args: Vec<String> = ssh
            .args(false, &["-O", "exit"])
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        let n = args.len();
        assert_eq!(&args[n - 4..], ["-O", "exit", "--", "-oProxyCommand=evil"]);
        assert!(args.windows(2).any(|w| w == ["-i", "/keys/it's a key/id"]));
        assert!(args
            .windows(2)
            .any(|w| w == ["-o", "UserKnownHostsFile=/k"]));
        assert!(args.windows(2).any(|w| w == ["-o", "BatchMode=yes"]));
        assert!(args.windows(2).any(|w| w == ["-p", "2222"]));
    }
}
