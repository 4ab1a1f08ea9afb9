//! The local daemon's ID, which the journal's seal is bound to, without
//! asking `docker info` on every run: dockerd answers `/info` by starting
//! `runc --version` and `docker-init --version`, which made up most of a
//! `lab check task3` (7 of 11 ms). The same dockerd process keeps its ID, so
//! it is cached, keyed by that process: its pid (the socket's peer, from
//! SO_PEERCRED) and its start time (/proc/PID/stat), in
//! `$XDG_CACHE_HOME/lab/daemon-id`. A restarted or reinstalled daemon is
//! another process: lab asks again. The cache holds nothing secret; a
//! forged one fails to verify the journal, as a copied journal does.

use super::Machine;
use std::path::PathBuf;

impl Machine {
    /// The daemon's ID (`docker info`'s `ID`); for a daemon on this machine,
    /// cached as long as it is the same daemon process (`daemon_id.rs`).
    pub async fn daemon_id(&self) -> Option<String> {
        let process = match self.is_local() {
            true => process_of(self.docker.host()).await,
            false => None,
        };
        if let Some(id) = process.as_deref().and_then(cached) {
            return Some(id);
        }
        let id = self.docker.info().await.ok()?.id.clone()?;
        if let Some(p) = &process {
            remember(p, &id);
        }
        Some(id)
    }
}

/// The process behind a local Unix socket: `pid start-time`.
pub async fn process_of(docker_host: &str) -> Option<String> {
    let path = docker_host.strip_prefix("unix://")?;
    let stream = tokio::net::UnixStream::connect(path).await.ok()?;
    let pid = stream.peer_cred().ok()?.pid()?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    Some(format!("{pid} {}", start_time(&stat)?))
}

/// Field 22 of /proc/PID/stat (after the command name, which may hold
/// spaces and parentheses).
fn start_time(stat: &str) -> Option<&str> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(19)
}

fn cache_path() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = var("XDG_CACHE_HOME").or_else(|| var("HOME").map(|h| h.join(".cache")))?;
    Some(base.join("lab").join("daemon-id"))
}

/// The cached ID of the daemon process `process`, if the cache is for it.
pub fn cached(process: &str) -> Option<String> {
    let text = std::fs::read_to_string(cache_path()?).ok()?;
    let (key, id) = text.trim_end().rsplit_once(' ')?;
    (key == process && !id.is_empty()).then(|| id.to_string())
}

/// Remembers `id` for `process`; a cache that cannot be written only costs
/// the next run a `docker info`.
pub fn remember(process: &str, id: &str) {
    let Some(path) = cache_path() else { return };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    if std::fs::write(&tmp, format!("{process} {id}\n")).is_ok() {
        let _ = std::fs::rename(&tmp, &path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_time_is_read_after_a_command_name_with_spaces() {
        let stat =
            "4242 (docker d) S 1 4242 4242 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 12 0 987654 1000 200";
        assert_eq!(start_time(stat), Some("987654"));
        assert_eq!(start_time("garbage"), None);
    }
}
