//! One VM during `lab grade --watch`: logged into once, its master
//! connection kept; graded again when its Docker events say something
//! happened (followed over the master's forwarded socket) or, failing
//! that, every `--every` seconds ([`FALLBACK`] unless told); never twice
//! within [`MIN_GAP`]. A master that
//! ends is logged into again after [`RETRY`].

use crate::course::Task;
use crate::grade::host::{self, HostResult};
use crate::grade::outcome::HostOutcome;
use crate::grade::roster::Student;
use crate::grade::Plan;
use crate::machine::login::{self, Login, Wanted};
use crate::machine::ssh::Ssh;
use crate::machine::{DockerView, Follow};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Notify, Semaphore};

/// No VM is asked more often than this.
pub const MIN_GAP: Duration = Duration::from_secs(1);
/// A VM with no Docker event is graded again this often unless `--every`
/// says otherwise (a file a check reads, daemon.json or a history, changes
/// without one).
pub const FALLBACK: Duration = Duration::from_secs(10);
/// A VM not reached is tried again this often.
pub const RETRY: Duration = Duration::from_secs(5);

/// What every VM's session shares.
pub struct Shared<'a> {
    pub plan: &'a Plan<'a>,
    pub tasks: &'a [&'a Task],
    pub wanted: &'a [Wanted],
    /// At most `-j` rounds (logins included) at once.
    pub gate: Semaphore,
    pub results: mpsc::UnboundedSender<(usize, HostResult)>,
    /// The fallback period: a VM with no event is graded again this often.
    pub every: Duration,
}

/// Runs VM `i` until dropped, sending each round's result.
pub async fn keep(i: usize, student: &Student, dir: &Path, s: &Shared<'_>) {
    loop {
        // What a master that was killed left behind would stop the next.
        for f in ["ctl", "docker.sock", "dial.sock"] {
            let _ = std::fs::remove_file(dir.join(f));
        }
        let started = Instant::now();
        let login = {
            let _turn = s.gate.acquire().await;
            host::connect(student, s.plan, dir, s.wanted, started).await
        };
        match login {
            Err(failed) => {
                let _ = s.results.send((i, failed));
                tokio::time::sleep(RETRY).await;
            }
            Ok(login) => {
                let ssh = login.ssh.clone();
                kept(i, login, dir, s).await;
                ssh.close().await;
            }
        }
    }
}

/// Rounds over one master connection, until it ends.
async fn kept(i: usize, login: Login, dir: &Path, s: &Shared<'_>) {
    let ssh = login.ssh.clone();
    let wake = Notify::new();
    let socket = format!("unix://{}", ssh.docker_socket().display());
    let events = DockerView::labelled(socket, ssh.target().url(), 0, s.plan.timeout);
    // The daemon went away or came back (a restart, an upgrade): what the
    // VM's shell keeps from earlier rounds is asked afresh.
    let restarted = std::sync::atomic::AtomicBool::new(false);
    let follow = events.follow(|seen| {
        if !matches!(seen, Follow::Event) {
            restarted.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        wake.notify_one();
        true
    });
    let rounds = async {
        let mut first = Some(login);
        loop {
            let started = Instant::now();
            let result = {
                let _turn = s.gate.acquire().await;
                let fresh = restarted.swap(false, std::sync::atomic::Ordering::Relaxed);
                round(first.take(), &ssh, dir, s, fresh, started).await
            };
            let _ = s.results.send((i, result));
            if !ssh.alive() {
                return;
            }
            tokio::time::sleep_until((started + MIN_GAP).into()).await;
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(s.every) => {}
            }
        }
    };
    tokio::select! {
        _ = follow => {}
        _ = rounds => {}
    }
}

/// One grading of the VM: on the login's own answer the first time, then
/// on the login script asked again over the master.
async fn round(
    login: Option<Login>,
    ssh: &Arc<Ssh>,
    dir: &Path,
    s: &Shared<'_>,
    fresh: bool,
    started: Instant,
) -> HostResult {
    let work = async {
        let login = match login {
            Some(l) => l,
            // A session asked of a master that ended would log in anew.
            None if !ssh.alive() => {
                return HostResult::failed(
                    HostOutcome::Unreachable,
                    "the connection to the VM ended; logging in again".into(),
                    started,
                )
            }
            None => match login::again(ssh.clone(), s.wanted, fresh).await {
                Ok(l) => l,
                Err(e) => return host::login_failed(e, started),
            },
        };
        host::logged_in(login, s.plan, s.tasks, dir, started).await
    };
    let deadline = Duration::from_secs(s.plan.host_deadline);
    tokio::time::timeout(deadline, work)
        .await
        .unwrap_or_else(|_| {
            HostResult::failed(
                HostOutcome::TimedOut,
                format!("grading took longer than {} s", s.plan.host_deadline),
                started,
            )
        })
}
