//! Grading one student VM: log in, learn the VM's home, clock and init,
//! read its journal, run the same checks `lab check` runs, and keep an
//! evidence snapshot. Never writes to the VM.

use super::outcome::Outcome;
use super::roster::Student;
use super::Plan;
use crate::course::{Task, Vars};
use crate::evidence::Journal;
use crate::machine::ssh::{ConnectError, Ssh};
use crate::machine::Machine;
use crate::report::Report;
use crate::run::Run;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What grading one VM produced.
pub struct HostResult {
    pub outcome: Outcome,
    /// Why it was not graded (or what went wrong after grading).
    pub detail: Option<String>,
    pub seconds: f64,
    pub report: Option<Report>,
    /// File name → content, for the student's evidence folder.
    pub evidence: Vec<(&'static str, String)>,
}

impl HostResult {
    fn failed(outcome: Outcome, detail: String, started: Instant) -> HostResult {
        HostResult {
            outcome,
            detail: Some(detail),
            seconds: started.elapsed().as_secs_f64(),
            report: None,
            evidence: Vec::new(),
        }
    }
}

/// The first command on a VM: its home, its state folder (where the
/// learner's journal is), its clock and whether systemd runs it.
const HELLO: &str = r#"printf '%s\n' "$HOME" "${XDG_STATE_HOME:-$HOME/.local/state}"; date +%s%N; if [ -d /run/systemd/system ]; then echo systemd; else echo none; fi"#;

struct Hello {
    home: String,
    state: String,
    clock_ns: Option<i64>,
    systemd: bool,
}

fn parse_hello(out: &str) -> Option<Hello> {
    let mut lines = out.lines();
    let home = lines.next()?.to_string();
    let state = lines.next()?.to_string();
    let clock = lines.next()?;
    let systemd = lines.next()? == "systemd";
    if home.is_empty() {
        return None;
    }
    Some(Hello {
        home,
        state,
        // busybox date has no %N: no clock correction then.
        clock_ns: clock
            .parse()
            .ok()
            .filter(|n: &i64| *n > 1_000_000_000_000_000_000),
        systemd,
    })
}

fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or_default()
}

/// Grades `student` on the tasks of `plan`, within the plan's per-host
/// deadline. `scratch` is a private, short-pathed folder for the SSH
/// control socket and the Docker tunnel.
pub async fn grade(
    student: &Student,
    plan: &Plan<'_>,
    tasks: &[&Task],
    scratch: &Path,
) -> HostResult {
    let started = Instant::now();
    let deadline = Duration::from_secs(plan.host_deadline);
    match tokio::time::timeout(deadline, attempt(student, plan, tasks, scratch, started)).await {
        Ok(r) => r,
        Err(_) => HostResult::failed(
            Outcome::TimedOut,
            format!("grading took longer than {} s", plan.host_deadline),
            started,
        ),
    }
}

async fn attempt(
    student: &Student,
    plan: &Plan<'_>,
    tasks: &[&Task],
    scratch: &Path,
    started: Instant,
) -> HostResult {
    let t0 = now_ns();
    let connected = Ssh::connect(
        student.target.clone(),
        plan.ssh.clone(),
        scratch,
        &["sh", "-c", HELLO],
    )
    .await;
    let (ssh, first) = match connected {
        Ok(c) => c,
        Err(e) => {
            let outcome = match e {
                ConnectError::Unreachable(_) => Outcome::Unreachable,
                ConnectError::AuthFailed(_) => Outcome::AuthFailed,
                ConnectError::TimedOut(_) => Outcome::TimedOut,
                ConnectError::HostKey(_) | ConnectError::Other(_) => Outcome::Error,
            };
            let advice = match e {
                ConnectError::HostKey(_) => " — the VM's host key is not in known_hosts, or it changed: check it and add it with `ssh-keyscan`, or pass --accept-new-host-keys for keys never seen before",
                _ => "",
            };
            return HostResult::failed(outcome, format!("{}{advice}", e.message()), started);
        }
    };
    let t1 = now_ns();
    let ssh = Arc::new(ssh);
    let result = graded(plan, tasks, scratch, &ssh, first, (t0 + t1) / 2, started).await;
    ssh.close().await;
    result
}

#[allow(clippy::too_many_arguments)]
async fn graded(
    plan: &Plan<'_>,
    tasks: &[&Task],
    scratch: &Path,
    ssh: &Arc<Ssh>,
    first: crate::machine::ssh::Output,
    local_mid: i64,
    started: Instant,
) -> HostResult {
    let text = String::from_utf8_lossy(&first.stdout);
    let Some(hello) = (first.code == Some(0))
        .then(|| parse_hello(&text))
        .flatten()
    else {
        return HostResult::failed(
            Outcome::Error,
            format!(
                "logged in, but the VM's shell did not answer as expected (exit {:?}): {}",
                first.code,
                first.stderr.trim()
            ),
            started,
        );
    };
    let offset = hello.clock_ns.map(|c| c - local_mid).unwrap_or(0);
    let machine = match Machine::remote(
        ssh.clone(),
        &scratch.join("docker.sock"),
        hello.systemd,
        offset,
        plan.timeout,
    ) {
        Ok(m) => m,
        Err(e) => {
            return HostResult::failed(
                Outcome::Error,
                format!(
                    "cannot open the Docker tunnel in {}: {e}",
                    scratch.display()
                ),
                started,
            )
        }
    };
    let vars = match Vars::with_home(&plan.course.file.vars, plan.overrides, hello.home.clone()) {
        Ok(v) => v,
        Err(e) => return HostResult::failed(Outcome::Error, e, started),
    };
    let journal_path = format!("{}/lab/journal.jsonl", hello.state);
    let journal_text = match machine.read_file(&journal_path).await {
        Ok(t) => t,
        Err(e) => {
            return HostResult::failed(Outcome::Error, e.to_string(), started);
        }
    };
    let label = format!("{}:{journal_path}", ssh.target().url());
    let journal = Journal::read_only(&label, journal_text.as_deref().unwrap_or(""));
    let report = Run {
        machine: &machine,
        vars: &vars,
        journal: &journal,
        lang: plan.lang,
        timeout: plan.timeout,
    }
    .check(tasks)
    .await;
    let mut evidence = snapshot(&machine, &vars).await;
    if let Some(j) = journal_text {
        evidence.push(("journal.jsonl", j));
    }
    HostResult {
        outcome: Outcome::Graded,
        detail: None,
        seconds: started.elapsed().as_secs_f64(),
        report: Some(report),
        evidence,
    }
}

/// What the verdicts were based on, to review later without the VM: the
/// image and container lists, the daemon's events, daemon.json. What could
/// not be read is recorded as such, not left out silently.
async fn snapshot(machine: &Machine, vars: &Vars) -> Vec<(&'static str, String)> {
    let json = |r: Result<String, String>| match r {
        Ok(s) => s,
        Err(e) => serde_json::json!({ "error": e }).to_string(),
    };
    let d = &machine.docker;
    let images = d
        .images()
        .await
        .map_err(|e| e.to_string())
        .and_then(|v| serde_json::to_string_pretty(v).map_err(|e| e.to_string()));
    let containers = d
        .containers()
        .await
        .map_err(|e| e.to_string())
        .and_then(|v| serde_json::to_string_pretty(v).map_err(|e| e.to_string()));
    let events = d.events().await.map_err(|e| e.to_string()).and_then(|v| {
        let relevant: Vec<_> = v
            .iter()
            .filter(|e| e.kind == "image" || e.kind == "container")
            .collect();
        serde_json::to_string_pretty(&relevant).map_err(|e| e.to_string())
    });
    let mut files = vec![
        ("images.json", json(images)),
        ("containers.json", json(containers)),
        ("events.json", json(events)),
    ];
    let daemon_json = vars.get("daemon_json").unwrap_or("/etc/docker/daemon.json");
    match machine.read_file(daemon_json).await {
        Ok(Some(text)) => files.push(("daemon.json", text)),
        Ok(None) => files.push((
            "daemon.json.missing",
            format!("{daemon_json} did not exist on the VM\n"),
        )),
        Err(e) => files.push(("daemon.json.error", format!("{e}\n"))),
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_tells_home_state_clock_and_init() {
        let h =
            parse_hello("/home/ada\n/home/ada/.local/state\n1763800000123456789\nnone\n").unwrap();
        assert_eq!(h.home, "/home/ada");
        assert_eq!(h.state, "/home/ada/.local/state");
        assert_eq!(h.clock_ns, Some(1_763_800_000_123_456_789));
        assert!(!h.systemd);
        let busybox = parse_hello("/root\n/root/.local/state\n1763800000N\nsystemd\n").unwrap();
        assert_eq!(busybox.clock_ns, None);
        assert!(busybox.systemd);
        assert!(parse_hello("\n\n").is_none());
    }
}
