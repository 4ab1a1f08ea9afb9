//! Grading one student VM: log in, learn the VM's home, clock and init,
//! read its journal, run the same checks `lab check` runs, and keep an
//! evidence snapshot. Never writes to the VM.

use super::identity::Identity;
use super::outcome::HostOutcome;
use super::roster::Student;
use super::Plan;
use crate::course::{Task, Vars};
use crate::evidence::{Binding, Health, Journal, MACHINE_ID_FILES};
use crate::machine::login::{self, LoginError, Wanted};
use crate::machine::ssh::ConnectError;
use crate::machine::{Bound, End, Machine, Read};
use crate::report::Report;
use crate::run::Run;
use std::path::Path;
use std::time::{Duration, Instant};

/// What grading one VM produced.
pub struct HostResult {
    pub outcome: HostOutcome,
    /// Why it was not graded (or what went wrong after grading).
    pub detail: Option<String>,
    pub seconds: f64,
    pub report: Option<Report>,
    /// File name → content (bytes as they were on the VM), for the
    /// student's evidence folder.
    pub evidence: Vec<(&'static str, Vec<u8>)>,
    /// What the learner's journal was worth (graded hosts only).
    pub journal: Option<Health>,
    /// What tells this VM from the others (graded hosts only).
    pub identity: Option<Identity>,
    /// Work on the VM after `--deadline`.
    pub late: Option<crate::machine::Late>,
}

impl HostResult {
    pub(super) fn failed(outcome: HostOutcome, detail: String, started: Instant) -> HostResult {
        HostResult {
            outcome,
            detail: Some(detail),
            seconds: started.elapsed().as_secs_f64(),
            report: None,
            evidence: Vec::new(),
            journal: None,
            identity: None,
            late: None,
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
            HostOutcome::TimedOut,
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
        Err(e) => return HostResult::failed(HostOutcome::Error, e, started),
    };
    let login = match connect(student, plan, scratch, &wanted, started).await {
        Ok(l) => l,
        Err(failed) => return failed,
    };
    let ssh = login.ssh.clone();
    let result = logged_in(login, plan, tasks, scratch, started).await;
    ssh.close().await;
    result
}

/// Logs into the student's VM (its master connection starts), or the
/// result that says why not.
pub(super) async fn connect(
    student: &Student,
    plan: &Plan<'_>,
    scratch: &Path,
    wanted: &[Wanted],
    started: Instant,
) -> Result<login::Login, HostResult> {
    match login::login(student.target.clone(), plan.ssh.clone(), scratch, wanted).await {
        Ok(l) => Ok(l),
        Err(e) => Err(login_failed(e, started)),
    }
}

/// The result of a login that failed, with the outcome its error means.
pub(super) fn login_failed(e: LoginError, started: Instant) -> HostResult {
    let e = match e {
        LoginError::Unexpected(why) => return HostResult::failed(HostOutcome::Error, why, started),
        LoginError::Connect(e) => e,
    };
    let outcome = match e {
        ConnectError::Unreachable(_) => HostOutcome::Unreachable,
        ConnectError::AuthFailed(_) => HostOutcome::AuthFailed,
        ConnectError::TimedOut(_) => HostOutcome::TimedOut,
        ConnectError::HostKey(_) | ConnectError::Other(_) => HostOutcome::Error,
    };
    let advice = match e {
        ConnectError::HostKey(_) => " — the VM's host key is not in known_hosts, or it changed: check it and add it with `ssh-keyscan`, or pass --accept-new-host-keys for keys never seen before",
        _ => "",
    };
    HostResult::failed(outcome, format!("{}{advice}", e.message()), started)
}

/// Grades a VM from its login's answer, over its master connection (left
/// open: the caller ends it).
pub(super) async fn logged_in(
    login: login::Login,
    plan: &Plan<'_>,
    tasks: &[&Task],
    scratch: &Path,
    started: Instant,
) -> HostResult {
    let home = login.facts.home.clone();
    let journal_path = format!("{}/{JOURNAL}", login.facts.state);
    let tunnel = scratch.join("dial.sock");
    // A previous round's fallback tunnel (`lab grade --watch`) left it.
    let _ = std::fs::remove_file(&tunnel);
    let (machine, _ssh) = match Machine::remote(login, &tunnel, plan.timeout).await {
        Ok(m) => m,
        Err(e) => {
            return HostResult::failed(
                HostOutcome::Error,
                format!(
                    "cannot open the Docker tunnel in {}: {e}",
                    scratch.display()
                ),
                started,
            )
        }
    };
    let machine = machine.with_advice(super::advice::for_vm);
    let machine = machine.observed_until(plan.deadline);
    graded(plan, tasks, &machine, home, &journal_path, started).await
}

/// The learner's journal, under the VM's state folder.
const JOURNAL: &str = "lab/journal.jsonl";

/// What to read at login: the learner's journal (not with --no-journal),
/// the VM's machine-id (the journal is sealed to it; copies are found by
/// it), the learner's command log, every course variable that names a file
/// (daemon.json, shell histories), and the commands the tasks' checks
/// declare (`Probe::runs`).
pub(super) fn wanted(plan: &Plan<'_>, tasks: &[&Task]) -> Result<Vec<Wanted>, String> {
    // Expand with a stand-in home, to tell home-relative paths apart.
    const HOME: &str = "/\u{0}home\u{0}";
    let vars = Vars::with_home(&plan.course.file.vars, plan.overrides, Some(HOME.into()))?;
    let mut wanted = vec![Wanted::InState(crate::machine::COMMAND_LOG.into())];
    if plan.journal {
        wanted.push(Wanted::InState(JOURNAL.into()));
    }
    wanted.extend(
        MACHINE_ID_FILES
            .iter()
            .map(|f| Wanted::Absolute(f.to_string())),
    );
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
    let vars = match Vars::with_home(&plan.course.file.vars, plan.overrides, Some(home)) {
        Ok(v) => v,
        Err(e) => return HostResult::failed(HostOutcome::Error, e, started),
    };
    let (mut journal, journal_text) = match learner_journal(plan, machine, journal_path).await {
        Ok(j) => j,
        Err(e) => return HostResult::failed(HostOutcome::Error, e.to_string(), started),
    };
    if let Some(d) = plan.deadline {
        journal.cut_at(d + machine.docker.clock_offset().await);
    }
    let mut report = Run {
        machine,
        vars: &vars,
        journal: &journal,
        lang: plan.lang,
        timeout: plan.timeout,
    }
    .check(tasks)
    .await;
    report.warnings.extend(skew_warning(machine, plan.lang));
    let late = machine.late().await.ok().flatten();
    report
        .warnings
        .extend(late.as_ref().map(|l| late_warning(l, plan.lang)));
    let identity = Identity::of(machine).await;
    let mut evidence = snapshot(machine, &vars).await;
    if plan.deadline.is_some() {
        evidence.push(("after_deadline.json", after_deadline(machine).await));
    }
    if let Some(j) = journal_text {
        evidence.push(("journal.jsonl", j));
    }
    HostResult {
        outcome: HostOutcome::Graded,
        detail: None,
        seconds: started.elapsed().as_secs_f64(),
        report: Some(report),
        evidence,
        journal: Some(journal.health.clone()),
        identity: Some(identity),
        late,
    }
}

/// What the report says of work after the deadline.
fn late_warning(late: &crate::machine::Late, lang: crate::lang::Lang) -> String {
    crate::tr!(
        lang,
        "worked on after the deadline, from {}: Docker events: {}, commands: {} (e.g. `{}`; all in after_deadline.json). They do not count, and a step whose command was typed after the deadline counts only on events, commands or lab's journal from before it",
        "截止时间之后仍有操作，从 {} 开始：Docker 事件 {} 个，命令 {} 条（例如 `{}`；全部见 after_deadline.json）。这些不计分；截止后输入过其命令的步骤，只凭截止前的事件、命令或 lab 记录计分",
        crate::clock::date(late.first),
        late.events,
        late.commands,
        late.examples.join("`, `")
    )
}

/// The events and commands after the deadline, kept as evidence.
async fn after_deadline(machine: &Machine) -> Vec<u8> {
    let commands = match machine.command_log().await {
        Ok(Some(log)) => log
            .after_deadline
            .iter()
            .map(|c| serde_json::json!({"at": c.at, "status": c.status, "cmd": c.cmd}))
            .collect(),
        _ => Vec::new(),
    };
    let doc = serde_json::json!({
        "events": machine.docker.after_deadline(),
        "commands": commands,
    });
    serde_json::to_vec_pretty(&doc).unwrap_or_default()
}

/// A VM's daemon whose clock is more than a minute off ours: said, since
/// the event times in its report are the VM's (lab read its events by the
/// daemon's own clock, so none was missed or waited for).
fn skew_warning(machine: &Machine, lang: crate::lang::Lang) -> Option<String> {
    let skew = machine.docker.measured_skew()?;
    let secs = skew / 1_000_000_000;
    if secs.abs() <= 60 {
        return None;
    }
    let (h, m) = (secs.abs() / 3600, secs.abs() % 3600 / 60);
    Some(if secs > 0 {
        crate::tr!(lang, "the VM's Docker daemon clock is {} h {:02} min ahead of this machine's: its events were read by its own clock, and the times in this report are the VM's", "该虚拟机上 Docker 守护进程的时钟比本机快 {} 小时 {:02} 分：lab 按它自己的时钟读取事件，本报告中的时间均为虚拟机的时间", h, m)
    } else {
        crate::tr!(lang, "the VM's Docker daemon clock is {} h {:02} min behind this machine's: its events were read by its own clock, and the times in this report are the VM's", "该虚拟机上 Docker 守护进程的时钟比本机慢 {} 小时 {:02} 分：lab 按它自己的时钟读取事件，本报告中的时间均为虚拟机的时间", h, m)
    })
}

/// The learner's journal and its text, verified against the VM's own
/// machine-id and daemon ID; with `--no-journal`, not read at all, and the
/// report says what the grades rest on.
async fn learner_journal(
    plan: &Plan<'_>,
    machine: &Machine,
    journal_path: &str,
) -> Result<(Journal, Option<Vec<u8>>), crate::machine::ObserveError> {
    if !plan.journal {
        let mut journal = Journal::disabled();
        journal.warnings.push(
            plan.lang
                .pick(
                    "--no-journal: the learner's journal was not read; these grades rest on the machine's live state and the daemon's recent events only",
                    "--no-journal：未读取学员的操作记录（journal）；本次成绩只依据机器的当前状态和守护进程最近的事件",
                )
                .to_string(),
        );
        return Ok((journal, None));
    }
    // Its end, as lab reads a local journal; a journal that is not a
    // regular file is no journal.
    let bound = Bound::tail(crate::evidence::JOURNAL_READ_LIMIT);
    // Bytes as they are: a lossy copy of 4 MiB of junk would be three
    // times its size, held for the whole grading of the VM.
    let (bytes, cut) = match machine.read(journal_path, bound).await? {
        Read::Bytes { bytes, cut } => (Some(bytes), cut),
        _ => (None, false),
    };
    let cut_from = if cut {
        let size = machine.stat(journal_path).await?.map(|i| i.len);
        Some(size.unwrap_or(bound.max + 1))
    } else {
        None
    };
    let label = format!("{}:{journal_path}", machine.docker.label());
    let raw = bytes.as_deref().unwrap_or_default();
    // No journal, nothing to verify: no `docker info` asked for it.
    let binding = if raw.is_empty() {
        Binding::default()
    } else {
        Binding::of(machine).await
    };
    let journal = Journal::read_only(&label, raw, cut_from, binding, plan.lang);
    Ok((journal, bytes))
}

/// A file of the VM kept as evidence: under `name` as its bytes were (its
/// bound of it: the head of a configuration file, the tail of a history),
/// or a note under `name.cut`, `name.missing` or `name.error` saying what
/// was not kept and why.
struct Kept {
    name: &'static str,
    cut: &'static str,
    missing: &'static str,
    error: &'static str,
    bound: Bound,
}

const DAEMON_JSON: Kept = Kept {
    name: "daemon.json",
    cut: "daemon.json.error",
    missing: "daemon.json.missing",
    error: "daemon.json.error",
    bound: Bound::CONFIG,
};
const COMMAND_LOG: Kept = Kept {
    name: "commands.jsonl",
    cut: "commands.jsonl.cut",
    missing: "commands.jsonl.missing",
    error: "commands.jsonl.error",
    bound: Bound::HISTORY,
};
const BASH_HISTORY: Kept = Kept {
    name: "bash_history",
    cut: "bash_history.cut",
    missing: "bash_history.missing",
    error: "bash_history.error",
    bound: Bound::HISTORY,
};
const ZSH_HISTORY: Kept = Kept {
    name: "zsh_history",
    cut: "zsh_history.cut",
    missing: "zsh_history.missing",
    error: "zsh_history.error",
    bound: Bound::HISTORY,
};

/// Adds `path`, read within `k.bound`, to the evidence as `k` says.
async fn keep(files: &mut Vec<(&'static str, Vec<u8>)>, machine: &Machine, path: &str, k: &Kept) {
    let note = |text: String| (text + "\n").into_bytes();
    match machine.read(path, k.bound).await {
        // A configuration file over its bound was never judged in part: not
        // kept either.
        Ok(Read::Bytes { cut: true, .. }) if k.bound.end == End::Head => files.push((
            k.cut,
            note(format!("{path} is over {} MiB: not kept", k.bound.mib())),
        )),
        Ok(Read::Bytes { bytes, cut }) => {
            files.push((k.name, bytes));
            if cut {
                files.push((
                    k.cut,
                    note(format!(
                        "{path}: only its last {} MiB were read and kept",
                        k.bound.mib()
                    )),
                ));
            }
        }
        Ok(Read::NotFile(kind)) => files.push((
            k.error,
            note(format!("{path} is {}", kind.words(crate::lang::Lang::En))),
        )),
        Ok(Read::Missing) => {
            files.push((k.missing, note(format!("{path} did not exist on the VM"))))
        }
        Err(e) => files.push((k.error, note(e.to_string()))),
    }
}

/// What the verdicts were based on, to review later without the VM: the
/// image and container lists, the daemon's events, daemon.json, the
/// command log and the shell histories (their last 1 MiB). What could not
/// be read is recorded as such, not left out silently.
async fn snapshot(machine: &Machine, vars: &Vars) -> Vec<(&'static str, Vec<u8>)> {
    let json = |r: Result<String, String>| {
        match r {
            Ok(s) => s,
            Err(e) => serde_json::json!({ "error": e }).to_string(),
        }
        .into_bytes()
    };
    let d = &machine.docker;
    let images = d.images_json().await;
    let containers = d.containers_json().await;
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
    keep(&mut files, machine, daemon_json, &DAEMON_JSON).await;
    if let Some(log) = machine.command_log_path() {
        keep(&mut files, machine, &log, &COMMAND_LOG).await;
    }
    for (var, kept) in [
        ("bash_history", &BASH_HISTORY),
        ("zsh_history", &ZSH_HISTORY),
    ] {
        if let Some(path) = vars.get(var).filter(|p| !p.contains("${")) {
            keep(&mut files, machine, path, kept).await;
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan<'a>(
        course: &'a crate::course::Course,
        overrides: &'a [(String, String)],
        journal: bool,
    ) -> Plan<'a> {
        Plan {
            course,
            overrides,
            lang: crate::lang::Lang::En,
            timeout: 1,
            host_deadline: 1,
            ssh: Default::default(),
            journal,
            deadline: None,
        }
    }

    #[test]
    fn course_file_variables_are_read_at_login() {
        let course =
            crate::course::Course::load(crate::course::Source::Embedded, false, None).unwrap();
        let overrides = vec![("daemon_json".to_string(), "/srv/daemon.json".to_string())];
        let plan = plan(&course, &overrides, true);
        let tasks: Vec<&Task> = course.tasks.iter().map(|(_, t)| t).collect();
        let w = wanted(&plan, &tasks).unwrap();
        let ss = Wanted::Run(vec!["ss".into(), "-ltn".into()]);
        assert!(w.contains(&ss));
        assert!(w.contains(&Wanted::Run(vec!["docker".into(), "--version".into()])));
        assert!(w.contains(&Wanted::InState("lab/journal.jsonl".into())));
        assert!(w.contains(&Wanted::Absolute("/etc/machine-id".into())));
        assert!(w.contains(&Wanted::Absolute("/var/lib/dbus/machine-id".into())));
        assert!(w.contains(&Wanted::InState("lab/commands.jsonl".into())));
        assert!(w.contains(&Wanted::Absolute("/srv/daemon.json".into())));
        assert!(w.contains(&Wanted::InHome(".bash_history".into())), "{w:?}");
        // task3 has no port check: nothing reads the listening sockets.
        let w = wanted(&plan, &[course.task("task3").unwrap()]).unwrap();
        assert!(!w.contains(&ss), "{w:?}");
    }

    #[test]
    fn with_no_journal_the_journal_is_not_fetched_but_the_machine_id_is() {
        let course =
            crate::course::Course::load(crate::course::Source::Embedded, false, None).unwrap();
        let plan = plan(&course, &[], false);
        let w = wanted(&plan, &[course.task("task3").unwrap()]).unwrap();
        assert!(!w.contains(&Wanted::InState(JOURNAL.into())), "{w:?}");
        // Copies are found by it, journal or not.
        assert!(w.contains(&Wanted::Absolute("/etc/machine-id".into())));
        // The command log is not the journal: it is still read.
        assert!(w.contains(&Wanted::InState("lab/commands.jsonl".into())));
    }

    /// The journal part of grading, on this machine (its machine-id; no
    /// daemon answers at that socket, so lines bind to the machine only).
    #[test]
    fn the_journal_is_judged_against_the_graded_machines_ids_or_not_read() {
        use crate::evidence::{Entry, JournalState};
        let course =
            crate::course::Course::load(crate::course::Source::Embedded, false, None).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let machine = Machine::local("unix:///nonexistent/docker.sock".into(), 2);
        let rt = crate::run::runtime().unwrap();
        let here = rt.block_on(Binding::of(&machine));
        let entry = Entry::Quiz {
            at: 1,
            task: "task1".into(),
            score: 3,
            max_score: 3,
            passed: true,
            right: Vec::new(),
        };
        let write = |binding: Binding| {
            let _ = std::fs::remove_file(&path);
            Journal::open(path.clone(), binding, crate::lang::Lang::En)
                .append(std::slice::from_ref(&entry))
                .unwrap();
        };
        let p = path.display().to_string();
        let judge = |journal: bool| {
            let plan = plan(&course, &[], journal);
            rt.block_on(learner_journal(&plan, &machine, &p)).unwrap()
        };
        write(here.clone());
        let (j, text) = judge(true);
        assert_eq!(j.health.state, JournalState::Ok, "{:?}", j.warnings);
        assert!(j.quiz("task1", &[]).is_some());
        assert!(text.is_some(), "kept as evidence");
        write(Binding::new(Some("another VM".into()), None));
        let (j, _) = judge(true);
        assert_eq!(j.health.state, JournalState::Foreign);
        assert_eq!((j.health.ignored, j.health.lines), (1, 1));
        assert!(j.quiz("task1", &[]).is_none());
        let (j, text) = judge(false);
        assert_eq!(j.health.state, JournalState::Disabled);
        assert!(text.is_none(), "not read");
        assert!(j.quiz("task1", &[]).is_none());
        assert!(j.warnings[0].contains("live state"), "{:?}", j.warnings);
    }
}
