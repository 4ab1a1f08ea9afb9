//! `lab grade`: batch-grading a class of student VMs over SSH with the
//! same checks learners run, into a gradebook.
//!
//! - `roster`: who, where (the CSV the instructor keeps).
//! - `host`: one VM, logged into with the system ssh (`machine::ssh`); the
//!   checks see a [`crate::machine::Machine`] and do not know it is remote.
//! - `store`: the output folder, written atomically, resumable.
//! - `gradebook`, `summary`: the class files made from the records.
//! - `progress`: what the instructor sees meanwhile.
//!
//! Invariants: one host's failure never stops the batch, and every host
//! ends in one [`HostOutcome`]; nothing is written to a VM.

mod advice;
mod cell;
mod class_stats;
mod gradebook;
mod host;
mod identity;
mod interrupt;
mod junit;
pub mod live;
mod lms;
mod outcome;
mod progress;
pub mod roster;
mod roster_error;
mod roster_lms;
mod store;
mod summary;
#[cfg(test)]
mod testing;

pub use interrupt::Stop;
pub use lms::{left_out, LeftOut};
pub use outcome::HostOutcome;
pub use roster::RosterError;
pub use store::StoreError;

use crate::course::{Course, Task};
use crate::lang::Lang;
use crate::machine::ssh;
use futures_util::StreamExt;
use outcome::{Finished, Record};
use std::path::PathBuf;

/// What every host of a run is graded with.
pub struct Plan<'a> {
    pub course: &'a Course,
    pub overrides: &'a [(String, String)],
    pub lang: Lang,
    /// Seconds for connecting, and for each command or API call.
    pub timeout: u64,
    /// Seconds one host may take in all.
    pub host_deadline: u64,
    pub ssh: ssh::Options,
    /// Read and verify each learner's journal (not with `--no-journal`).
    pub journal: bool,
    /// `--deadline`, Unix nanoseconds: what happened after it does not count.
    pub deadline: Option<i64>,
}

/// How the run is driven.
pub struct Settings {
    pub roster: PathBuf,
    pub out: PathBuf,
    pub jobs: usize,
    /// Grade again the hosts a previous run could not grade.
    pub retry_failed: bool,
    /// Forget previous results in `out` and grade everyone.
    pub regrade: bool,
    /// A progress bar (a terminal) rather than a line per host.
    pub bar: bool,
    pub color: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum GradeError {
    /// Told in the teacher's language.
    #[error("{}", error.text(*lang))]
    Roster { error: RosterError, lang: Lang },
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("cannot create a private folder for SSH control sockets in {dir}: {message}")]
    Scratch { dir: String, message: String },
    #[error("cannot write the class summary: {0}")]
    Template(String),
    #[error("cannot listen for Ctrl-C: {0}")]
    Signal(std::io::Error),
    #[error("cannot serve the class page on {addr}: {message}")]
    Serve { addr: String, message: String },
    #[error("{0}")]
    Course(String),
}

impl GradeError {
    /// 2 for what the teacher can fix on the command line (the roster, a
    /// run already going on the same folder), 3 for the rest.
    pub fn exit_code(&self) -> u8 {
        match self {
            GradeError::Roster { .. }
            | GradeError::Store(StoreError::Busy { .. } | StoreError::OtherRun { .. }) => {
                crate::report::exit::USAGE
            }
            _ => crate::report::exit::ERROR,
        }
    }
}

/// How the run ended.
pub struct Summary {
    pub out: PathBuf,
    pub students: usize,
    /// Hosts graded (outcome `graded`) in this run.
    pub graded_now: usize,
    /// Hosts graded by an earlier run and left alone.
    pub graded_before: usize,
    /// Students whose host could not be graded (now or before), with the
    /// outcome and why.
    pub not_graded: Vec<(String, HostOutcome, String)>,
    /// Students canvas.csv and moodle.csv have no row for (not graded, or
    /// not reached): their grades in the LMS stay as they were.
    pub left_out: Vec<LeftOut>,
    /// Students with no result: the run stopped before their host finished.
    pub unfinished: Vec<String>,
    /// The signal that stopped the run, if one did.
    pub interrupted: Option<Stop>,
    /// A `--regrade` that stopped before the end: the previous results
    /// are untouched.
    pub regrade_pending: bool,
    /// Hosts whose results could not be saved.
    pub unsaved: Vec<String>,
    pub files: Vec<PathBuf>,
}

/// A private folder for control sockets: short (socket paths are limited to
/// 107 bytes) and removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch, GradeError> {
        use std::os::unix::fs::DirBuilderExt;
        let base = std::env::temp_dir();
        for n in 0..100u32 {
            let dir = base.join(format!("lab-grade-{}-{n}", std::process::id()));
            match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
                Ok(()) => return Ok(Scratch(dir)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(GradeError::Scratch {
                        dir: base.display().to_string(),
                        message: e.to_string(),
                    })
                }
            }
        }
        Err(GradeError::Scratch {
            dir: base.display().to_string(),
            message: "every candidate name is taken".into(),
        })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Grades the class once: every VM logged into, graded and saved, then
/// the class files written (`lab grade`; `live::watch` is `--watch`).
pub async fn once(
    plan: &Plan<'_>,
    tasks: &[&Task],
    settings: &Settings,
) -> Result<Summary, GradeError> {
    let students = roster::load(&settings.roster).map_err(|error| GradeError::Roster {
        error,
        lang: plan.lang,
    })?;
    let store = store::Store::open(&settings.out, &manifest(plan, tasks), settings.regrade)?;
    let (todo, graded_before) = still_to_grade(&students, &store, settings.retry_failed);
    let resumed = students.len() - todo.len();
    if resumed > 0 {
        eprintln!(
            "{}",
            resuming(&store, resumed, students.len(), todo.len(), plan.lang)
        );
    }
    // Before any ssh starts: from here a signal stops the run, not lab.
    let mut interrupt = interrupt::Interrupt::listen().map_err(GradeError::Signal)?;
    let scratch = Scratch::new()?;
    let mut progress = progress::Progress::new(todo.len(), settings.bar, settings.color, plan.lang);
    let max_total: u32 = tasks.iter().map(|t| t.max_score()).sum();
    let mut graded_now = 0;
    let mut unsaved = Vec::new();
    let jobs = settings.jobs.max(1);
    let mut pending = futures_util::stream::iter(todo.iter().enumerate())
        .map(|(i, s)| {
            let dir = scratch.0.join(i.to_string());
            async move { (s, grade_in(&dir, s, plan, tasks).await) }
        })
        .buffer_unordered(jobs);
    let mut interrupted = None;
    loop {
        let next = tokio::select! {
            biased;
            stop = interrupt.recv() => { interrupted = Some(stop); None }
            n = pending.next() => n,
        };
        let Some((student, result)) = next else { break };
        // A host that ended as the signal came (its ssh got the signal
        // too) proves nothing: it is graded again by the next run.
        if let Some(stop) = interrupt.arrived().await {
            interrupted = Some(stop);
            break;
        }
        let done = finished(student, result, max_total);
        if done.0.record.outcome == HostOutcome::Graded {
            graded_now += 1;
        }
        if let Err(e) = store.save(&done.0, &done.1) {
            eprintln!("lab grade: {e}");
            unsaved.push(student.id.clone());
        }
        progress.host(&done.0.record);
    }
    // Drops the hosts in flight: their ssh children are killed.
    drop(pending);
    progress.finish();
    let tally = Tally {
        graded_now,
        graded_before,
        unsaved,
        interrupted,
    };
    conclude(store, &students, plan, tasks, tally)
}

/// The students this run grades (not yet graded, or with `--retry-failed`
/// not graded last time), and how many were graded by an earlier run.
fn still_to_grade<'s>(
    students: &'s [roster::Student],
    store: &store::Store,
    retry_failed: bool,
) -> (Vec<&'s roster::Student>, usize) {
    let before = store.records();
    let graded = |s: &roster::Student| {
        before
            .get(&s.id)
            .is_some_and(|r| r.outcome == HostOutcome::Graded)
    };
    let (todo, done): (Vec<_>, Vec<_>) = students
        .iter()
        .partition(|s| !before.contains_key(&s.id) || (retry_failed && !graded(s)));
    let graded_before = done.into_iter().filter(|s| graded(s)).count();
    (todo, graded_before)
}

/// One VM graded with `dir` (made here, removed after) as its scratch folder.
async fn grade_in(
    dir: &std::path::Path,
    student: &roster::Student,
    plan: &Plan<'_>,
    tasks: &[&Task],
) -> host::HostResult {
    let result = match std::fs::create_dir(dir) {
        Ok(()) => host::grade(student, plan, tasks, dir).await,
        Err(e) => host::HostResult::failed(
            HostOutcome::Error,
            format!("cannot create {}: {e}", dir.display()),
            std::time::Instant::now(),
        ),
    };
    let _ = std::fs::remove_dir_all(dir);
    result
}

/// What a run did, for its [`Summary`].
struct Tally {
    graded_now: usize,
    graded_before: usize,
    unsaved: Vec<String>,
    interrupted: Option<Stop>,
}

/// The end of a run: a finished `--regrade` swapped in, the class files
/// written for what the folder holds (unless an interrupted `--regrade`
/// leaves the previous ones), and what to tell the teacher.
fn conclude(
    mut store: store::Store,
    students: &[roster::Student],
    plan: &Plan<'_>,
    tasks: &[&Task],
    tally: Tally,
) -> Result<Summary, GradeError> {
    let regrade_pending = tally.interrupted.is_some() && store.staging();
    if tally.interrupted.is_none() {
        store.commit()?;
    }
    let mut records = store.records();
    identity::flag_copies(&mut records);
    let not_graded = students
        .iter()
        .filter_map(|s| {
            let r = records.get(&s.id)?;
            (r.outcome != HostOutcome::Graded).then(|| {
                (
                    s.id.clone(),
                    r.outcome,
                    r.detail.clone().unwrap_or_default(),
                )
            })
        })
        .collect();
    let unfinished = students
        .iter()
        .filter(|s| !records.contains_key(&s.id))
        .map(|s| s.id.clone())
        .collect();
    let mut summary = Summary {
        out: store.dir().to_path_buf(),
        students: students.len(),
        graded_now: tally.graded_now,
        graded_before: tally.graded_before,
        not_graded,
        left_out: Vec::new(),
        unfinished,
        interrupted: tally.interrupted,
        regrade_pending,
        unsaved: tally.unsaved,
        files: Vec::new(),
    };
    if regrade_pending {
        // The previous results, class files included, stay as they were.
        return Ok(summary);
    }
    summary.files = write_class_files(&store, students, &records, plan, tasks)?;
    let pairs: Vec<(&roster::Student, Option<&Record>)> =
        students.iter().map(|s| (s, records.get(&s.id))).collect();
    summary.left_out = left_out(&pairs);
    Ok(summary)
}

/// What the output folder holds the grading of.
fn manifest(plan: &Plan<'_>, tasks: &[&Task]) -> store::Manifest {
    store::Manifest {
        schema: 1,
        course: plan.course.file.title.get(Lang::En).to_string(),
        tasks: tasks.iter().map(|t| t.id.clone()).collect(),
        deadline: plan
            .deadline
            .map(|d| crate::clock::rfc3339(d.div_euclid(1_000_000_000))),
    }
}

/// What a resumed run says before it starts.
fn resuming(store: &store::Store, done: usize, all: usize, todo: usize, lang: Lang) -> String {
    if store.staging() {
        return crate::tr!(
            lang,
            "lab grade: the interrupted --regrade in {} already regraded {} of {} hosts; grading the other {} (the previous results stay until it finishes)",
            "lab grade：{} 中被中断的 --regrade 已重评 {} 台主机（共 {} 台）；现在评其余 {} 台（全部评完之前，原有结果保持不变）",
            store.dir().display(),
            done,
            all,
            todo
        );
    }
    crate::tr!(
        lang,
        "lab grade: {} of {} hosts are already done in {}; grading the other {} (--regrade starts over)",
        "lab grade：{} 中已有 {} 台主机（共 {} 台）评分完毕；现在评其余 {} 台（--regrade 可全部重评）",
        done,
        all,
        store.dir().display(),
        todo
    )
}

/// The record (and report, evidence) of a host that finished.
fn finished(
    student: &roster::Student,
    result: host::HostResult,
    max_total: u32,
) -> (Finished, Vec<(&'static str, Vec<u8>)>) {
    let scores = result
        .report
        .as_ref()
        .map(|r| r.tasks.iter().map(|t| (t.id.clone(), t.score)).collect())
        .unwrap_or_default();
    let done = Finished {
        record: Record {
            schema: 1,
            student_id: student.id.clone(),
            name: student.name.clone(),
            host: student.target.url(),
            outcome: result.outcome,
            detail: result.detail,
            at: crate::clock::now(),
            seconds: (result.seconds * 1000.0).round() / 1000.0,
            total: result
                .report
                .as_ref()
                .map(|r| r.tasks.iter().map(|t| t.score).sum()),
            scores,
            max_total,
            flags: outcome::flags(
                result.report.as_ref(),
                result.journal.as_ref(),
                result.late.as_ref(),
            ),
            journal: result.journal,
            identity: result.identity,
        },
        report: result.report,
    };
    (done, result.evidence)
}

fn write_class_files(
    store: &store::Store,
    students: &[roster::Student],
    records: &std::collections::BTreeMap<String, Record>,
    plan: &Plan<'_>,
    tasks: &[&Task],
) -> Result<Vec<PathBuf>, GradeError> {
    let reports: Vec<Option<crate::report::Report>> = students
        .iter()
        .map(|s| {
            records
                .get(&s.id)
                .filter(|r| r.outcome == HostOutcome::Graded)
                .and_then(|_| store.report(&s.id))
        })
        .collect();
    let rows: Vec<(
        &roster::Student,
        Option<&Record>,
        Option<&crate::report::Report>,
    )> = students
        .iter()
        .zip(&reports)
        .map(|(s, rep)| (s, records.get(&s.id), rep.as_ref()))
        .collect();
    let pairs: Vec<(&roster::Student, Option<&Record>)> =
        rows.iter().map(|(s, r, _)| (*s, *r)).collect();
    let title = plan.course.file.title.get(plan.lang);
    let html = summary::render(title, &rows, tasks, plan.lang)
        .map_err(|e| GradeError::Template(format!("{e:?}")))?;
    let files = [
        ("gradebook.csv", gradebook::gradebook(&pairs, tasks)),
        ("canvas.csv", lms::canvas(&pairs, tasks, plan.lang)),
        ("moodle.csv", lms::moodle(&pairs, tasks, plan.lang)),
        ("junit.xml", junit::class(&rows)),
        ("summary.html", html),
    ];
    files
        .iter()
        .map(|(name, text)| store.write(name, text).map_err(GradeError::from))
        .collect()
}
