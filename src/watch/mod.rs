//! `lab watch [TASK]`: the learner's live view of one task. Each round is a
//! fresh `lab check` of that task (a new machine view and journal, the same
//! runner), so what watch shows is what `lab check` would say at that
//! moment. Rounds start on a trigger (`triggers.rs`: the daemon's events, a
//! file the task reads, the command log, a key), after a short settle time
//! that folds a burst (a pull is many events) into one round. Nothing polls,
//! and like every check, watch only reads.

mod screen;
mod triggers;

use crate::cli::Global;
use crate::course::{Course, Task, Vars};
use crate::evidence::{Entry, Journal};
use crate::lang::Lang;
use crate::machine::{DockerView, Machine};
use crate::report::{Report, TaskStatus};
use crate::tr;
use screen::Screen;
use std::path::PathBuf;
use std::time::Duration;
use triggers::{Key, Trigger};

/// How long after a trigger the round starts: the events of one command
/// arrive within a few milliseconds of each other.
const SETTLE: Duration = Duration::from_millis(40);

pub struct Settings {
    /// The task asked for; else the first one not passed yet.
    pub task: Option<String>,
    pub vars: Vars,
    pub lang: Lang,
    pub color: bool,
    /// A terminal (keys, redraws) rather than plain lines.
    pub tty: bool,
}

/// Something the screen says besides the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    Lost(String),
    Back,
}

impl Note {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Note::Lost(why) => tr!(
                lang,
                "! the Docker daemon stopped answering ({}); watching for it to come back",
                "! Docker 守护进程没有响应（{}）；等待它恢复",
                why
            ),
            Note::Back => lang
                .pick(
                    "✔ the Docker daemon answers again; checked again",
                    "✔ Docker 守护进程已恢复响应；已重新检查",
                )
                .to_string(),
        }
    }
}

/// The first task of the course whose last recorded check did not pass.
pub fn first_unfinished<'c>(course: &'c Course, journal: &Journal) -> Option<&'c Task> {
    let tasks = || course.tasks.iter().map(|(_, t)| t);
    tasks()
        .find(|t| {
            !matches!(
                journal.last_task(&t.id),
                Some(Entry::Task {
                    status: TaskStatus::Pass,
                    ..
                })
            )
        })
        .or_else(|| tasks().next_back())
}

/// The files a task may read: the course's variables that are absolute
/// paths, the command log, the shells' histories; and the folders whose
/// every file counts (variables named `…_dir`, e.g. where task 6 saves
/// its archive).
fn watched_files(vars: &Vars, machine: &Machine) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let paths = || {
        vars.iter()
            .filter(|(_, v)| v.starts_with('/') && !v.contains(char::is_whitespace))
    };
    let folders = paths()
        .filter(|(k, _)| k.ends_with("_dir"))
        .map(|(_, v)| PathBuf::from(v))
        .collect();
    let mut files: Vec<PathBuf> = paths()
        .filter(|(k, _)| *k != "home")
        .map(|(_, v)| PathBuf::from(v))
        .collect();
    files.extend(machine.command_log_path().map(PathBuf::from));
    if let Some(home) = std::env::var_os("HOME") {
        let home = PathBuf::from(home);
        files.push(home.join(".bash_history"));
        files.push(home.join(".zsh_history"));
    }
    files.sort();
    files.dedup();
    (files, folders)
}

/// Runs the watch until the learner quits; the exit code is `lab check`'s
/// for the task shown last (0 passed, 1 not yet, 3 could not be checked).
pub async fn run(course: &Course, g: &Global, s: Settings) -> std::io::Result<u8> {
    let lang = s.lang;
    let machine = Machine::local(g.docker_host.clone(), g.timeout);
    let index = match &s.task {
        Some(id) => course.tasks.iter().position(|(_, t)| t.id == *id),
        None => {
            let journal = crate::app::learner_journal(g, &machine, lang).await;
            first_unfinished(course, &journal)
                .and_then(|t| course.tasks.iter().position(|(_, c)| c.id == t.id))
        }
    }
    .unwrap_or(0);
    let (files, folders) = watched_files(&s.vars, &machine);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let docker = DockerView::new(g.docker_host.clone(), g.timeout);
    let sources = [
        tokio::spawn(triggers::docker(docker, tx.clone())),
        tokio::spawn(triggers::signals(tx.clone())),
        tokio::spawn(triggers::files(files, folders, tx.clone())),
    ];
    let mut screen = Screen::new(s.tty, s.color)?;
    let keys = s.tty.then(|| tokio::spawn(triggers::keys(tx.clone())));
    drop(tx);
    let mut view = View {
        index,
        hints: true,
        notes: Vec::new(),
    };
    let mut before: Option<Report> = None;
    let mut report = round(course, g, &s, view.index).await;
    let result = async {
        view.show(&mut screen, course, &report, None, lang)?;
        while let Some(first) = rx.recv().await {
            // The settle time: what else arrives with it is the same change.
            let mut got = vec![first];
            if matches!(got[0], Trigger::Docker | Trigger::File) {
                tokio::time::sleep(SETTLE).await;
            }
            while let Ok(t) = rx.try_recv() {
                got.push(t);
            }
            let todo = view.fold(got, course.tasks.len());
            for n in &todo.said {
                screen.note(n, lang)?;
            }
            if todo.stop {
                break;
            }
            if todo.recheck || todo.moved {
                let fresh = round(course, g, &s, view.index).await;
                before = (!todo.moved).then(|| std::mem::replace(&mut report, fresh.clone()));
                report = fresh;
            } else if !todo.redraw {
                continue;
            }
            view.show(&mut screen, course, &report, before.as_ref(), lang)?;
        }
        Ok::<(), std::io::Error>(())
    }
    .await;
    for t in sources.iter().chain(keys.iter()) {
        t.abort();
    }
    drop(screen);
    result?;
    print!("{}", screen::summary(&report, lang));
    Ok(report.exit_code())
}

/// What the learner is looking at: which task, hints shown or not, the
/// notes about the daemon.
struct View {
    index: usize,
    hints: bool,
    notes: Vec<Note>,
}

/// What a batch of triggers asks for.
#[derive(Default)]
struct Todo {
    stop: bool,
    recheck: bool,
    redraw: bool,
    /// Another task.
    moved: bool,
    /// Notes to say now (plain mode prints them as they come).
    said: Vec<Note>,
}

impl View {
    /// Folds the triggers that arrived together into one thing to do.
    fn fold(&mut self, got: Vec<Trigger>, tasks: usize) -> Todo {
        let mut todo = Todo::default();
        for t in got {
            match t {
                Trigger::Stop | Trigger::Key(Key::Quit) => todo.stop = true,
                Trigger::Docker | Trigger::File | Trigger::Key(Key::CheckNow) => {
                    todo.recheck = true
                }
                Trigger::Lost(why) => {
                    self.notes.retain(|n| !matches!(n, Note::Back));
                    self.note(Note::Lost(why), &mut todo);
                }
                Trigger::Back => {
                    self.notes.retain(|n| !matches!(n, Note::Lost(_)));
                    self.note(Note::Back, &mut todo);
                }
                Trigger::Key(Key::Hints) => {
                    self.hints = !self.hints;
                    todo.redraw = true;
                }
                Trigger::Key(Key::Next) if self.index + 1 < tasks => {
                    self.index += 1;
                    todo.moved = true;
                }
                Trigger::Key(Key::Previous) if self.index > 0 => {
                    self.index -= 1;
                    todo.moved = true;
                }
                Trigger::Key(_) => {}
                Trigger::Resize => todo.redraw = true,
            }
        }
        todo
    }

    /// A note about the daemon: kept for the screen, said once, and the
    /// machine looked at again.
    fn note(&mut self, n: Note, todo: &mut Todo) {
        self.notes.push(n.clone());
        todo.said.push(n);
        todo.recheck = true;
    }

    fn show(
        &self,
        screen: &mut Screen,
        course: &Course,
        report: &Report,
        before: Option<&Report>,
        lang: Lang,
    ) -> std::io::Result<()> {
        let next = next_of(course, self.index, lang);
        screen.show(
            report,
            before,
            self.hints,
            &self.notes,
            next.as_ref().map(pair),
            lang,
        )
    }
}

fn pair(t: &(String, String)) -> (&str, &str) {
    (&t.0, &t.1)
}

/// The task after `index`: its id and title.
fn next_of(course: &Course, index: usize, lang: Lang) -> Option<(String, String)> {
    course
        .tasks
        .get(index + 1)
        .map(|(_, t)| (t.id.clone(), t.title.get(lang).to_string()))
}

/// One round: `lab check` of the task at `index`, now.
async fn round(course: &Course, g: &Global, s: &Settings, index: usize) -> Report {
    let Some((_, task)) = course.tasks.get(index) else {
        return Report {
            schema: crate::report::SCHEMA,
            lang: s.lang,
            tasks: Vec::new(),
            warnings: Vec::new(),
        };
    };
    crate::app::checked(g, &[task], &s.vars, s.lang).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quitting_wins_and_the_task_stays_within_the_course() {
        let mut v = View {
            index: 0,
            hints: true,
            notes: Vec::new(),
        };
        let todo = v.fold(vec![Trigger::Docker, Trigger::Key(Key::Quit)], 3);
        assert!(todo.stop);
        let todo = v.fold(vec![Trigger::Key(Key::Previous)], 3);
        assert!(!todo.moved && v.index == 0);
        v.fold(vec![Trigger::Key(Key::Next), Trigger::Key(Key::Next)], 3);
        assert_eq!(v.index, 2);
        let todo = v.fold(vec![Trigger::Key(Key::Next)], 3);
        assert!(!todo.moved && v.index == 2, "no task after the last");
    }

    #[test]
    fn the_daemon_back_replaces_the_note_that_it_was_lost() {
        let mut v = View {
            index: 0,
            hints: true,
            notes: Vec::new(),
        };
        let todo = v.fold(vec![Trigger::Lost("gone".into())], 1);
        assert!(todo.recheck && todo.said == vec![Note::Lost("gone".into())]);
        let todo = v.fold(vec![Trigger::Back], 1);
        assert!(todo.recheck);
        assert_eq!(v.notes, vec![Note::Back]);
        let todo = v.fold(vec![Trigger::Key(Key::Hints)], 1);
        assert!(todo.redraw && !todo.recheck && !v.hints);
    }
}
