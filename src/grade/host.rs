//! Grading one student VM: log in, learn the VM's home, clock and init,
//! read its journal, run the same checks `lab check` runs, and keep an
//! evidence snapshot. Never writes to the VM.

use super::outcome::Outcome;
use super::roster::Student;
use super::Plan;
use crate::course::{Task, Vars};
use crate::evidence::Journal;
use crate::machine::login::{self, LoginError, Wanted};
use crate::machine::ssh::ConnectError;
use crate::machine::Machine;
use crate::report::Report;
use crate::run::Run;
use std::path::Path;
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
    pub(super) fn failed(outcome: Outcome, detail: String, started: Instant) -> HostResult {
        HostResult {
            outcome,
            detail: Some(detail),
            seconds: started.elapsed().as_secs_f64(),
            report: None,
            evidence: Vec::new(),
        }
    }
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
    let wanted = match wanted(plan, tasks) {
        Ok(w) => w,
        Err(e) => return HostResult::failed(Outcome::Error, e, started),
    };
    let login = match login::login(student.target.clone(), plan.ssh.clone(), scratch, &wanted).await
    {
        Ok(l) => l,
        Err(LoginError::Unexpected(why)) => {
            return HostResult::failed(Outcome::Error, why, started)
        }
        Err(LoginError::Connect(e)) => {
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
    let home = login.facts.home.clone();
    let journal_path = format!("{}/{JOURNAL}", login.facts.state);
    let tunnel = scratch.join("dial.sock");
    let (machine, ssh) = match Machine::remote(login, &tunnel, plan.timeout).await {
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
    let result = graded(plan, tasks, &machine, home, &journal_path, started).await;
    drop(machine);
    ssh.close().await;
    result
}

/// The learner's journal, under the VM's state folder.
const JOURNAL: &str = "lab/journal.jsonl";

/// What to read at login: the learner's journal and command log, every
/// course variable that names a file (daemon.json, shell histories), and the
/// commands the tasks' checks declare (`Probe::runs`).
fn wanted(plan: &Plan<'_>, tasks: &[&Task]) -> Result<Vec<Wanted>, String> {
    // Expand with a stand-in home, to tell home-relative paths apart.
    const HOME: &str = "/\u{0}home\u{0}";
    let vars = Vars::with_home(&plan.course.file.vars, plan.overrides, HOME.into())?;
    let mut wanted = vec![
        Wanted::InState(JOURNAL.into()),
        Wanted::InState(crate::machine::COMMAND_LOG.into()),
    ];
    for (_, value) in vars.iter() {
        if let Some(rel) = value.strip_prefix(&format!("{HOME}/")) {
            wanted.push(Wanted::InHome(rel.to_string()));
        } else if value.starts_with('/') && !value.contains(HOME) {
            wanted.push(Wanted::Absolute(value.to_string()));
        }
    }
    let mut checks: Vec<&crate::course::Check> = tasks
        .iter()
        .flat_map(|t| &t.steps)
        .flat_map(|s| &s.checks)
        .collect();
    while let Some(c) = checks.pop() {
        checks.extend(c.kind.children());
        for argv in c.kind.runs() {
            let run = Wanted::Run(argv.iter().map(|a| a.to_string()).collect());
            if !wanted.contains(&run) {
                wanted.push(run);
            }
        }
    }
    Ok(wanted)
}

async fn graded(
    plan: &Plan<'_>,
    tasks: &[&Task],
    machine: &Machine,
    home: String,
    journal_path: &str,
    started: Instant,
) -> HostResult {
    let vars = match Vars::with_home(&plan.course.file.vars, plan.overrides, home) {
        Ok(v) => v,
        Err(e) => return HostResult::failed(Outcome::Error, e, started),
    };
    let journal_text = match machine.read_file(journal_path).await {
        Ok(t) => t,
        Err(e) => return HostResult::failed(Outcome::Error, e.to_string(), started),
    };
    let label = format!("{}:{journal_path}", machine.docker.label());
    let journal = Journal::read_only(&label, journal_text.as_deref().unwrap_or(""));
    let report = Run {
        machine,
        vars: &vars,
        journal: &journal,
        lang: plan.lang,
        timeout: plan.timeout,
    }
    .check(tasks)
    .await;
    let mut evidence = snapshot(machine, &vars).await;
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
    fn course_file_variables_are_read_at_login() {
        let course =
            crate::course::Course::load(crate::course::Source::Embedded, false, None).unwrap();
        let overrides = vec![("daemon_json".to_string(), "/srv/daemon.json".to_string())];
        let plan = Plan {
            course: &course,
            overrides: &overrides,
            lang: crate::lang::Lang::En,
            timeout: 1,
            host_deadline: 1,
            ssh: Default::default(),
        };
        let tasks: Vec<&Task> = course.tasks.iter().map(|(_, t)| t).collect();
        let w = wanted(&plan, &tasks).unwrap();
        let ss = Wanted::Run(vec!["ss".into(), "-ltn".into()]);
        assert!(w.contains(&ss));
        assert!(w.contains(&Wanted::Run(vec!["docker".into(), "--version".into()])));
        assert!(w.contains(&Wanted::InState("lab/journal.jsonl".into())));
        assert!(w.contains(&Wanted::InState("lab/commands.jsonl".into())));
        assert!(w.contains(&Wanted::Absolute("/srv/daemon.json".into())));
        assert!(w.contains(&Wanted::InHome(".bash_history".into())), "{w:?}");
        // task3 has no port check: nothing reads the listening sockets.
        let w = wanted(&plan, &[course.task("task3").unwrap()]).unwrap();
        assert!(!w.contains(&ss), "{w:?}");
    }
}
