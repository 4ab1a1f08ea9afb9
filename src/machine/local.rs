//! The machine lab runs on: files read on tokio's blocking pool (a slow
//! read holds up no other check, and the check's timeout still fires),
//! programs run directly (no shell) under the run's timeout. A VM's side of
//! each operation is in `remote.rs`.

use super::backend::{Backend, Fut};
use super::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::time::Duration;

/// The machine lab runs on; `timeout` bounds each command, in seconds.
pub(super) struct Local {
    pub(super) timeout: u64,
}

impl Backend for Local {
    fn read<'a>(&'a self, path: &'a str, bound: Bound) -> Fut<'a, Result<Read, ObserveError>> {
        Box::pin(read(path, bound))
    }

    fn stat<'a>(&'a self, path: &'a str) -> Fut<'a, Result<Option<FileInfo>, ObserveError>> {
        Box::pin(std::future::ready(stat(path)))
    }

    fn exec<'a>(
        &'a self,
        program: &'a str,
        args: &'a [&'a str],
    ) -> Fut<'a, Result<Option<CommandOutput>, ObserveError>> {
        Box::pin(exec(program, args, self.timeout))
    }

    fn tar_member<'a>(
        &'a self,
        path: &'a str,
        member: &'a str,
    ) -> Fut<'a, Result<Option<Member>, ObserveError>> {
        Box::pin(tar_member(path, member))
    }

    fn connect<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> Fut<'a, std::io::Result<Box<dyn Stream>>> {
        Box::pin(connect(host, port))
    }

    fn has_systemd(&self) -> bool {
        has_systemd()
    }

    fn is_local(&self) -> bool {
        true
    }

    fn command_log_path(&self) -> Option<String> {
        commands::default_path()
    }
}

async fn read(path: &str, bound: Bound) -> Result<Read, ObserveError> {
    let owned = path.to_string();
    match tokio::task::spawn_blocking(move || read::local(&owned, bound)).await {
        Ok(Ok(read)) => Ok(read),
        Ok(Err(e)) => Err(io_error("read", path, e)),
        Err(e) => Err(io_error("read", path, std::io::Error::other(e.to_string()))),
    }
}

fn stat(path: &str) -> Result<Option<FileInfo>, ObserveError> {
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

async fn exec(
    program: &str,
    args: &[&str],
    timeout: u64,
) -> Result<Option<CommandOutput>, ObserveError> {
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    let fut = cmd.output();
    match tokio::time::timeout(Duration::from_secs(timeout), fut).await {
        Err(_) => Err(ObserveError::Timeout {
            op: format!("run `{program}`"),
            secs: timeout,
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

async fn tar_member(path: &str, member: &str) -> Result<Option<Member>, ObserveError> {
    let (owned, member) = (path.to_string(), member.to_string());
    match tokio::task::spawn_blocking(move || tar::find_in(&owned, &member)).await {
        Ok(Ok(found)) => Ok(found),
        Ok(Err(e)) => Err(io_error("read", path, e)),
        Err(e) => Err(io_error("read", path, std::io::Error::other(e.to_string()))),
    }
}

async fn connect(host: &str, port: u16) -> std::io::Result<Box<dyn Stream>> {
    Ok(Box::new(
        tokio::net::TcpStream::connect((host, port)).await?,
    ))
}

fn has_systemd() -> bool {
    std::path::Path::new("/run/systemd/system").is_dir()
}

fn io_error(op: &'static str, path: &str, e: std::io::Error) -> ObserveError {
    ObserveError::Io {
        op,
        path: path.to_string(),
        message: e.to_string(),
    }
}
