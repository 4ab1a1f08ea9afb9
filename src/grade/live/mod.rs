//! `lab grade --watch`: the class live, for the teacher during a lab
//! session. Every VM keeps one SSH master for the whole watch and is graded
//! again when its Docker events say something changed (`session.rs`); the
//! grid of students × steps (`board.rs`) is served as a page that updates
//! itself through server-sent events (`page.rs`, `serve.rs`). On Ctrl-C
//! each VM's last round is saved and the class files are written as
//! `lab grade --regrade` writes them: the same store, the same summary.

mod board;
mod page;
mod serve;
mod session;

use super::host::HostResult;
use super::interrupt::Interrupt;
use super::{roster, store, GradeError, HostOutcome, Plan, Scratch, Settings, Summary, Tally};
use crate::course::Task;
use board::Board;
use serve::Published;
use std::net::SocketAddr;
use std::sync::Arc;

/// The page is at 127.0.0.1 unless the teacher says otherwise.
pub const DEFAULT_ADDR: SocketAddr = SocketAddr::V4(std::net::SocketAddrV4::new(
    std::net::Ipv4Addr::LOCALHOST,
    8315,
));

/// Watches the class until SIGINT or SIGTERM, serving the page on `addr`;
/// then saves each VM's last round and writes the class files.
pub async fn watch(
    plan: &Plan<'_>,
    tasks: &[&Task],
    settings: &Settings,
    addr: SocketAddr,
    every: Option<std::time::Duration>,
) -> Result<Summary, GradeError> {
    let students = roster::load(&settings.roster).map_err(|error| GradeError::Roster {
        error,
        lang: plan.lang,
    })?;
    // Staged as a --regrade: the folder's earlier results stay until the
    // watch ends, then the last rounds replace them.
    let store = store::Store::open(&settings.out, &super::manifest(plan, tasks), true)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| GradeError::Serve {
            addr: addr.to_string(),
            message: e.to_string(),
        })?;
    let bound = listener.local_addr().unwrap_or(addr);
    let wanted = super::host::wanted(plan, tasks).map_err(GradeError::Course)?;
    let mut interrupt = Interrupt::listen().map_err(GradeError::Signal)?;
    let scratch = Scratch::new()?;
    let names: Vec<(String, String)> = students
        .iter()
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect();
    let title = plan.course.file.title.get(plan.lang).to_string();
    let mut board = Board::new(tasks, &names, plan.lang);
    let (publish, now) = tokio::sync::watch::channel(published(&title, &board, plan));
    let _server = serve::spawn(listener, now);
    eprintln!("{}", serving(bound, students.len(), plan.lang));
    let (results, mut arrived) = tokio::sync::mpsc::unbounded_channel();
    let shared = session::Shared {
        plan,
        tasks,
        wanted: &wanted,
        gate: tokio::sync::Semaphore::new(settings.jobs.max(1)),
        results,
        every: every.unwrap_or(session::FALLBACK),
    };
    let dirs: Vec<std::path::PathBuf> = (0..students.len())
        .map(|i| scratch.0.join(i.to_string()))
        .collect();
    for d in &dirs {
        std::fs::create_dir(d).map_err(|e| GradeError::Scratch {
            dir: d.display().to_string(),
            message: e.to_string(),
        })?;
    }
    // Boxed, so that dropping it below ends the sessions there.
    let mut sessions = Box::pin(futures_util::future::join_all(
        students
            .iter()
            .zip(&dirs)
            .enumerate()
            .map(|(i, (s, d))| session::keep(i, s, d, &shared)),
    ));
    let mut latest: Vec<Option<HostResult>> = students.iter().map(|_| None).collect();
    // The "for how long" of the page moves on even when nothing happens.
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(10));
    loop {
        tokio::select! {
            biased;
            _ = interrupt.recv() => break,
            Some(first) = arrived.recv() => {
                // Every round that has ended since, in one new page.
                let more = std::iter::from_fn(|| arrived.try_recv().ok());
                for (i, result) in std::iter::once(first).chain(more) {
                    let now = crate::clock::now();
                    board.update(i, result.outcome, result.detail.as_deref(), result.report.as_ref(), now);
                    latest[i] = Some(result);
                }
            }
            _ = tick.tick() => {}
            _ = &mut sessions => {}
        }
        publish.send_replace(published(&title, &board, plan));
    }
    // Ends every VM's session: their ssh children are killed.
    drop(sessions);
    let tally = save(&store, &students, latest, tasks);
    super::conclude(store, &students, plan, tasks, tally)
}

/// Saves each VM's last round, as `lab grade` saves a host.
fn save(
    store: &store::Store,
    students: &[roster::Student],
    latest: Vec<Option<HostResult>>,
    tasks: &[&Task],
) -> Tally {
    let max_total: u32 = tasks.iter().map(|t| t.max_score()).sum();
    let mut tally = Tally {
        graded_now: 0,
        graded_before: 0,
        unsaved: Vec::new(),
        interrupted: None,
    };
    for (student, result) in students.iter().zip(latest) {
        let Some(result) = result else { continue };
        let done = super::finished(student, result, max_total);
        if done.0.record.outcome == HostOutcome::Graded {
            tally.graded_now += 1;
        }
        if let Err(e) = store.save(&done.0, &done.1) {
            eprintln!("lab grade: {e}");
            tally.unsaved.push(student.id.clone());
        }
    }
    tally
}

fn published(title: &str, board: &Board, plan: &Plan<'_>) -> Arc<Published> {
    let now = crate::clock::now();
    Arc::new(Published {
        page: page::page(title, board, now, plan.lang),
        event: page::event(board, now, plan.lang),
    })
}

/// What the teacher reads when the page is up.
fn serving(addr: SocketAddr, students: usize, lang: crate::lang::Lang) -> String {
    crate::tr!(
        lang,
        "lab grade --watch: {} students live at http://{}/ (Ctrl-C stops and writes the gradebook)",
        "lab grade --watch：{} 名学生的实时进度见 http://{}/（按 Ctrl-C 停止并写出成绩册）",
        students,
        addr
    )
}
