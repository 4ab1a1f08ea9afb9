//! What makes `lab watch` look again: the daemon's events, a change to a
//! file the task reads, the learner's keys, a signal. Each source is a task
//! that sends [`Trigger`]s down one channel; none of them polls.

use crate::machine::{DockerView, Follow};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use tokio::sync::mpsc::UnboundedSender;

/// Why the loop wakes up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// A daemon event.
    Docker,
    /// The daemon stopped answering (why).
    Lost(String),
    /// It answers again.
    Back,
    /// A file the task reads changed (or the command log grew).
    File,
    /// A key, in a terminal.
    Key(Key),
    /// The terminal's size changed.
    Resize,
    /// SIGINT or SIGTERM.
    Stop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Quit,
    Hints,
    Next,
    Previous,
    CheckNow,
}

pub type Sender = UnboundedSender<Trigger>;

/// Follows the daemon's events until the loop is gone.
pub async fn docker(view: DockerView, tx: Sender) {
    view.follow(|f| {
        tx.send(match f {
            Follow::Event => Trigger::Docker,
            Follow::Lost(why) => Trigger::Lost(why),
            Follow::Back => Trigger::Back,
        })
        .is_ok()
    })
    .await
}

/// SIGINT and SIGTERM end the watch (with its summary, not mid-line).
pub async fn signals(tx: Sender) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return;
    };
    loop {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
        if tx.send(Trigger::Stop).is_err() {
            return;
        }
    }
}

/// The learner's keys (a terminal in raw mode).
pub async fn keys(tx: Sender) {
    use crossterm::event::{Event, EventStream, KeyCode, KeyEventKind, KeyModifiers};
    let mut events = EventStream::new();
    while let Some(Ok(ev)) = events.next().await {
        let t = match ev {
            Event::Resize(..) => Trigger::Resize,
            Event::Key(k) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                    Trigger::Key(Key::Quit)
                }
                KeyCode::Char('q') | KeyCode::Esc => Trigger::Key(Key::Quit),
                KeyCode::Char('h') => Trigger::Key(Key::Hints),
                KeyCode::Char('n') | KeyCode::Right => Trigger::Key(Key::Next),
                KeyCode::Char('p') | KeyCode::Left => Trigger::Key(Key::Previous),
                KeyCode::Char('c') | KeyCode::Enter => Trigger::Key(Key::CheckNow),
                _ => continue,
            },
            _ => continue,
        };
        if tx.send(t).is_err() {
            return;
        }
    }
}

/// Where each watched file is looked for: the nearest folder of its path
/// that exists, and the name in that folder on the way to the file.
fn nearest(path: &Path) -> Option<(PathBuf, OsString)> {
    let mut child = path;
    loop {
        let parent = child.parent()?;
        if parent.is_dir() {
            return Some((parent.to_path_buf(), child.file_name()?.to_os_string()));
        }
        child = parent;
    }
}

/// Follows changes to `files` (absolute paths; missing ones and their
/// missing folders too: a folder that appears is watched in turn) and to
/// anything in `folders`.
/// Inotify watches their folders, and only the names on the way to the
/// files count: lab's own journal beside the command log does not wake it.
pub async fn files(files: Vec<PathBuf>, folders: Vec<PathBuf>, tx: Sender) {
    use inotify::{Inotify, WatchMask};
    let Ok(inotify) = Inotify::init() else {
        return;
    };
    let mut stream = match inotify.into_event_stream([0u8; 4096]) {
        Ok(s) => s,
        Err(_) => return,
    };
    let mask = WatchMask::CREATE
        | WatchMask::MODIFY
        | WatchMask::CLOSE_WRITE
        | WatchMask::MOVED_TO
        | WatchMask::MOVED_FROM
        | WatchMask::DELETE
        | WatchMask::ATTRIB;
    loop {
        // The watched folder's descriptor → (name in it, whether it is the
        // file itself); no name: anything in a watched folder (a course
        // variable naming a folder, e.g. where task 6 saves its archive).
        let mut names: HashMap<inotify::WatchDescriptor, Vec<(Option<OsString>, bool)>> =
            HashMap::new();
        let mut watches = stream.watches();
        for f in folders.iter().filter(|f| f.is_dir()) {
            if let Ok(wd) = watches.add(f, mask) {
                names.entry(wd).or_default().push((None, true));
            }
        }
        let plan: Vec<_> = files.iter().map(|f| nearest(f)).collect();
        for (f, near) in files.iter().zip(&plan) {
            let Some((dir, name)) = near else {
                continue;
            };
            let itself = f.parent() == Some(dir.as_path());
            if let Ok(wd) = watches.add(dir, mask) {
                names
                    .entry(wd)
                    .or_default()
                    .push((Some(name.clone()), itself));
            }
        }
        // A folder made while the watches were being added (`mkdir -p`
        // midway) told nobody: look again, and say that something changed.
        let mut rewatch = plan != files.iter().map(|f| nearest(f)).collect::<Vec<_>>();
        if rewatch && tx.send(Trigger::File).is_err() {
            return;
        }
        while !rewatch {
            let Some(Ok(ev)) = stream.next().await else {
                break;
            };
            let Some(name) = &ev.name else { continue };
            let hits: Vec<bool> = names
                .get(&ev.wd)
                .into_iter()
                .flatten()
                .filter(|(n, _)| n.as_ref().is_none_or(|n| n == name))
                .map(|(_, itself)| *itself)
                .collect();
            if hits.is_empty() {
                continue;
            }
            if tx.send(Trigger::File).is_err() {
                return;
            }
            // A folder on the way appeared (or went): watch anew.
            rewatch = hits.contains(&false);
        }
        if !rewatch {
            return;
        }
        for wd in names.into_keys() {
            let _ = watches.remove(wd);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_existing_folder_is_watched_for_the_next_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a/b/c.json");
        assert_eq!(
            nearest(&file),
            Some((dir.path().to_path_buf(), OsString::from("a")))
        );
        std::fs::create_dir_all(dir.path().join("a/b")).expect("mkdir");
        assert_eq!(
            nearest(&file),
            Some((dir.path().join("a/b"), OsString::from("c.json")))
        );
    }
}
