//! The timeline of image and container events a check asks about: every
//! daemon event lab knows of, oldest first and each once (those it recorded
//! in the journal on earlier runs, then the daemon's current buffer, which
//! dockerd empties when it restarts), plus one inferred `delete` for each
//! image lab saw that is gone now and whose removal no event shows.
//!
//! An inferred removal happened at some moment between the time lab saw
//! the image and now. It is dated at the former (so it never makes
//! something else look earlier than it was) and marked with [`INFERRED`],
//! whose value lists the references lab saw; `event` checks that ask what
//! came first treat it as "no later than now" (see `checks/event.rs`).

use super::Journal;
use crate::machine::{DaemonEvent, DockerView, ObserveError};
use std::collections::{BTreeMap, HashSet};

/// The attribute that marks an inferred event.
pub const INFERRED: &str = "lab.inferred";

/// The attribute that marks an event the daemon no longer holds: lab read
/// it on an earlier run and kept it in its journal.
pub const RECORDED: &str = "lab.recorded";

/// Whether lab inferred this event rather than read it from the daemon.
pub fn inferred(e: &DaemonEvent) -> bool {
    e.attributes.contains_key(INFERRED)
}

/// Whether this event is known only from lab's journal (inferred, or
/// recorded on an earlier run and gone from the daemon's buffer).
pub fn from_journal(e: &DaemonEvent) -> bool {
    e.attributes.contains_key(RECORDED) || inferred(e)
}

/// Every event lab knows of, oldest first (see the module comment).
pub async fn events(
    docker: &DockerView,
    journal: &Journal,
) -> Result<Vec<DaemonEvent>, ObserveError> {
    let live = docker.events().await?;
    let mut all = merge(journal.events(), live);
    let seen = journal.seen_images();
    if !seen.is_empty() {
        let images = docker.images().await?;
        let present: HashSet<&str> = images.iter().map(|i| i.id.as_str()).collect();
        all.extend(gone_since_seen(&all, &present, seen));
        all.sort_by_key(|e| e.time_nano);
    }
    Ok(all)
}

/// The buffer and the recorded events it no longer holds (marked
/// [`RECORDED`]), each once, oldest first.
fn merge<'a>(
    recorded: impl Iterator<Item = &'a DaemonEvent>,
    buffer: &'a [DaemonEvent],
) -> Vec<DaemonEvent> {
    let key = |e: &DaemonEvent| (e.time_nano, e.action.clone(), e.actor.clone());
    let mut keys: HashSet<_> = buffer.iter().map(key).collect();
    let mut all: Vec<DaemonEvent> = recorded
        .filter(|e| keys.insert(key(e)))
        .map(|e| {
            let mut e = e.clone();
            e.attributes.insert(RECORDED.into(), "1".into());
            e
        })
        .chain(buffer.iter().cloned())
        .collect();
    all.sort_by_key(|e| e.time_nano);
    all
}

/// An inferred `delete` for each image lab saw that is not present now and
/// whose deletion after that moment no event shows.
fn gone_since_seen(
    all: &[DaemonEvent],
    present: &HashSet<&str>,
    seen: BTreeMap<&str, (Vec<&str>, i64)>,
) -> Vec<DaemonEvent> {
    seen.into_iter()
        .filter(|(id, _)| !present.contains(id))
        .filter(|(id, (_, at))| {
            !all.iter().any(|e| {
                e.kind == "image"
                    && e.action == "delete"
                    && e.actor == *id
                    && e.time_nano >= at * 1_000_000_000
            })
        })
        .map(|(id, (refs, at))| DaemonEvent {
            kind: "image".into(),
            action: "delete".into(),
            actor: id.to_string(),
            attributes: BTreeMap::from([
                ("name".to_string(), id.to_string()),
                (INFERRED.to_string(), refs.join(", ")),
            ]),
            time_nano: at * 1_000_000_000 + 1,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(action: &str, actor: &str, t: i64) -> DaemonEvent {
        DaemonEvent {
            kind: "image".into(),
            action: action.into(),
            actor: actor.into(),
            attributes: BTreeMap::new(),
            time_nano: t,
        }
    }

    #[test]
    fn recorded_and_buffered_events_merge_once_in_order() {
        let recorded = [ev("pull", "tomcat:8.0", 1), ev("tag", "sha256:a", 3)];
        let buffer = [ev("tag", "sha256:a", 3), ev("untag", "sha256:a", 5)];
        let all = merge(recorded.iter(), &buffer);
        let actions: Vec<&str> = all.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["pull", "tag", "untag"]);
        let journal_only: Vec<bool> = all.iter().map(from_journal).collect();
        assert_eq!(journal_only, [true, false, false], "the buffer's copy wins");
    }

    #[test]
    fn an_image_seen_and_gone_without_an_event_is_inferred_deleted() {
        let seen = BTreeMap::from([
            ("sha256:gone", (vec!["tomcat:8.0"], 10)),
            ("sha256:here", (vec!["tomcat:latest"], 10)),
            ("sha256:shown", (vec!["httpd:2.2"], 10)),
        ]);
        let present = HashSet::from(["sha256:here"]);
        let all = [ev("delete", "sha256:shown", 11_000_000_000)];
        let inferred_ = gone_since_seen(&all, &present, seen);
        assert_eq!(inferred_.len(), 1, "{inferred_:?}");
        assert_eq!(inferred_[0].actor, "sha256:gone");
        assert!(inferred(&inferred_[0]));
        assert_eq!(inferred_[0].time_nano, 10_000_000_001);
    }
}
