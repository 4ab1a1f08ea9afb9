//! A student VM over SSH (`lab grade`): files and commands through the SSH
//! master `login` opened, what login already read answered from memory,
//! Docker through the forwarded socket or a dial-stdio tunnel. The local
//! machine's side of each operation is in `local.rs`.

use super::backend::{Backend, Fut};
use super::*;

/// A student VM: files and commands over SSH, Docker through a tunnel.
pub(super) struct Remote {
    pub(super) ssh: Arc<Ssh>,
    /// Seconds, for the messages of a command that timed out.
    pub(super) timeout: u64,
    pub(super) systemd: bool,
    /// The user's state folder (`$XDG_STATE_HOME`, or ~/.local/state).
    pub(super) state: String,
    /// Files read at login, by absolute path.
    pub(super) files: std::collections::HashMap<String, login::Prefetched>,
    /// Commands run at login, by argument vector.
    pub(super) runs: std::collections::HashMap<Vec<String>, login::Ran>,
    /// The dial-stdio tunnel, when the forwarded socket does not answer.
    pub(super) _tunnel: Option<dial::Tunnel>,
}

/// Exit code of the remote wrappers below for "no such file/program".
const MISSING: i32 = 3;
const NOT_INSTALLED: i32 = 127;

impl Machine {
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
        let remote = Remote {
            ssh: ssh.clone(),
            timeout,
            systemd: login.facts.systemd,
            state: login.facts.state,
            files: login.files,
            runs: login.runs,
            _tunnel: tunnel,
        };
        let machine = Machine::on(Box::new(remote), docker);
        Ok((machine, ssh))
    }
}

impl Remote {
    /// Runs `argv` on the VM; `Ok(None)` when it exits with `missing_code`.
    async fn session(
        &self,
        what: &str,
        argv: &[&str],
        missing_code: i32,
    ) -> Result<Option<ssh::Output>, ObserveError> {
        let host = self.ssh.target().url();
        match self.ssh.exec(argv).await {
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

    /// Like [`Self::session`], but a non-zero exit is an error too.
    async fn ok(&self, what: &str, argv: &[&str]) -> Result<Option<Vec<u8>>, ObserveError> {
        let Some(out) = self.session(what, argv, MISSING).await? else {
            return Ok(None);
        };
        if out.code != Some(0) {
            return Err(ObserveError::Remote {
                op: what.to_string(),
                host: self.ssh.target().url(),
                message: out.stderr.trim().to_string(),
            });
        }
        Ok(Some(out.stdout))
    }
}

impl Backend for Remote {
    /// [`Machine::read`] on a VM: what login read, else one `stat` and one
    /// `head -c`/`tail -c` (never `cat`: a 400 MB history stays there).
    fn read<'a>(&'a self, path: &'a str, bound: Bound) -> Fut<'a, Result<Read, ObserveError>> {
        Box::pin(async move {
            match self.files.get(path) {
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
            let Some(out) = self.ok(&what, &argv).await? else {
                return Ok(Read::Missing);
            };
            read::parse_remote(out, bound).ok_or_else(|| ObserveError::Remote {
                op: what,
                host: self.ssh.target().url(),
                message: "stat printed something unexpected".into(),
            })
        })
    }

    /// `stat PATH`; `None` when it does not exist.
    fn stat<'a>(&'a self, path: &'a str) -> Fut<'a, Result<Option<FileInfo>, ObserveError>> {
        Box::pin(async move {
            match self.files.get(path) {
                Some(login::Prefetched::Missing) => return Ok(None),
                Some(login::Prefetched::Present { info, .. }) => return Ok(Some(*info)),
                None => {}
            }
            // Behind a folder this user cannot enter, not "missing" (exit
            // 5, an error that says so): `file: { exists: false }` passed.
            let what = format!("inspect {path}");
            let argv = ["sh", "-c", read::REMOTE_STAT, "sh", path];
            let Some(out) = self.ok(&what, &argv).await? else {
                return Ok(None);
            };
            parse_stat(&String::from_utf8_lossy(&out))
                .map(Some)
                .ok_or_else(|| ObserveError::Remote {
                    op: what,
                    host: self.ssh.target().url(),
                    message: "stat printed something unexpected".into(),
                })
        })
    }

    /// A program run by `sh -c` on the VM (what login ran, from memory);
    /// `Ok(None)` when it is not installed.
    fn exec<'a>(
        &'a self,
        program: &'a str,
        args: &'a [&'a str],
    ) -> Fut<'a, Result<Option<CommandOutput>, ObserveError>> {
        Box::pin(async move {
            let argv: Vec<String> = std::iter::once(program)
                .chain(args.iter().copied())
                .map(String::from)
                .collect();
            if let Some((code, stdout)) = self.runs.get(&argv) {
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
            let out = self.session(&what, &argv, NOT_INSTALLED).await?;
            Ok(out.map(|o| CommandOutput {
                code: o.code,
                stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
                stderr: o.stderr,
            }))
        })
    }

    /// One member of a tar archive on the VM. GNU tar and busybox tar both
    /// stop at the member; the archive (hundreds of MB) never crosses the
    /// network. Only a regular file: tar would wait on a FIFO until the
    /// timeout.
    fn tar_member<'a>(
        &'a self,
        path: &'a str,
        member: &'a str,
    ) -> Fut<'a, Result<Option<Member>, ObserveError>> {
        Box::pin(async move {
            let script = r#"test -e "$1" || exit 3
test -f "$1" || { stat -L -c %f -- "$1"; exit 5; }
exec tar -xOf "$1" "$2""#;
            let what = format!("read {path}");
            let Some(out) = self
                .session(&what, &["sh", "-c", script, "sh", path, member], MISSING)
                .await?
            else {
                return Ok(None);
            };
            let stdout = String::from_utf8_lossy(&out.stdout);
            let raw = u32::from_str_radix(stdout.trim(), 16).unwrap_or(0);
            Ok(Some(if out.code == Some(5) {
                Member::NotFile(FileKind::from_mode(raw))
            } else if out.code == Some(0) {
                Member::Found(out.stdout)
            } else if out.stderr.contains("ot found in archive") {
                Member::Missing
            } else {
                Member::NotTar
            }))
        })
    }

    /// A TCP connection opened by the VM, so `localhost` is the VM's own:
    /// through a socket the master forwards ([`Ssh::forwarded`]), or, where
    /// it forwards none (`ClearAllForwardings`), its own `ssh -W`.
    fn connect<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> Fut<'a, std::io::Result<Box<dyn Stream>>> {
        Box::pin(async move {
            if let Some(path) = self.ssh.forwarded(host, port).await {
                let stream: Box<dyn Stream> =
                    Box::new(tokio::net::UnixStream::connect(path).await?);
                return Ok(stream);
            }
            let mut child = self
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
            let stream: Box<dyn Stream> = Box::new(Forwarded {
                io: tokio::io::join(out, inp),
                _child: child,
            });
            Ok(stream)
        })
    }

    fn has_systemd(&self) -> bool {
        self.systemd
    }

    fn is_local(&self) -> bool {
        false
    }

    fn command_log_path(&self) -> Option<String> {
        Some(format!("{}/{}", self.state, commands::IN_STATE))
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
