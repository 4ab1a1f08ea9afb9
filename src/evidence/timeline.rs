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
use crate::checks::reference::normalize;
use crate::machine::{CommandLog, DaemonEvent, Machine, ObserveError};
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

/// The attribute that names the references an untag or delete removed,
/// from the command the learner typed at that moment (`docker rmi
/// httpd:2.2`, exit status 0, in lab's command log): the daemon's event
/// carries only the image id.
pub const TYPED: &str = "lab.typed";

/// The timeline of one run: built at the first check that asks, then
/// shared by every check (it reads the journal's events, the buffer, the
/// image list and the command log).
#[derive(Default)]
pub struct Timeline(tokio::sync::OnceCell<Result<Vec<DaemonEvent>, ObserveError>>);

impl Timeline {
    pub async fn get(
        &self,
        machine: &Machine,
        journal: &Journal,
    ) -> Result<&[DaemonEvent], ObserveError> {
        self.0
            .get_or_init(|| events(machine, journal))
            .await
            .as_ref()
            .map(Vec::as_slice)
            .map_err(Clone::clone)
    }
}

/// Every event lab knows of, oldest first (see the module comment).
async fn events(machine: &Machine, journal: &Journal) -> Result<Vec<DaemonEvent>, ObserveError> {
    let docker = &machine.docker;
    let live = docker.events().await?;
    let mut all = merge(journal.events(), live);
    if let Some(log) = machine.command_log().await? {
        name_removals(&mut all, &log);
    }
    let seen = journal.seen_images();
    if !seen.is_empty() {
        let images = docker.images().await?;
        let present: HashSet<&str> = images.iter().map(|i| i.id.as_str()).collect();
        all.extend(gone_since_seen(&all, &present, seen));
        all.sort_by_key(|e| e.time_nano);
    }
    Ok(all)
}

/// Names each untag and delete by the removal command that was running
/// when it happened (its start, up to its end plus a second of slack), when
/// that command succeeded and named references, not ids or `$(...)`.
fn name_removals(events: &mut [DaemonEvent], log: &CommandLog) {
    let removals: Vec<(i64, i64, Vec<String>)> = log
        .commands
        .iter()
        .filter(|c| c.status == 0)
        .filter_map(|c| {
            let refs = removed_refs(&c.cmd)?;
            let start = (c.at * 1e9) as i64;
            let end = start + (c.ms.unwrap_or(0) as i64 + 1000) * 1_000_000;
            Some((start, end, refs))
        })
        .collect();
    for e in events
        .iter_mut()
        .filter(|e| e.kind == "image" && matches!(e.action.as_str(), "untag" | "delete"))
    {
        if let Some((_, _, refs)) = removals
            .iter()
            .find(|(start, end, _)| (*start..=*end).contains(&e.time_nano))
        {
            e.attributes.insert(TYPED.into(), refs.join(" "));
        }
    }
}

/// The references `docker rmi …` / `docker image rm …` names, when it
/// names some and nothing else (no ids, no `$(...)`).
fn removed_refs(cmd: &str) -> Option<Vec<String>> {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "docker")?;
    let args = match &words[at + 1..] {
        ["rmi", rest @ ..] | ["image", "rm", rest @ ..] | ["image", "remove", rest @ ..] => rest,
        _ => return None,
    };
    let names: Vec<&str> = args
        .iter()
        .copied()
        .filter(|w| !w.starts_with('-'))
        .collect();
    let is_id = |w: &str| {
        w.len() >= 4
            && w.trim_start_matches("sha256:")
                .chars()
                .all(|c| c.is_ascii_hexdigit())
    };
    if names.is_empty()
        || names
            .iter()
            .any(|w| w.contains('$') || w.contains('`') || is_id(w))
    {
        return None;
    }
    Some(names.iter().map(|w| normalize(w)).collect())
}

/// The references the command that caused this untag or delete named.
pub fn typed_refs(e: &DaemonEvent) -> Vec<&str> {
    e.attributes
        .get(TYPED)
        .map(|r| r.split(' ').collect())
        .unwrap_or_default()
}

/// When the daemon's buffer lost events lab had recorded: the time of the
/// last recorded event, when the buffer no longer holds it (the daemon
/// restarted since, or its buffer of ~256 events rolled over). What
/// happened between then and the buffer's first event nobody saw.
pub fn gap_since(recorded_last: Option<i64>, buffer: &[DaemonEvent]) -> Option<i64> {
    let last = recorded_last?;
    let held = buffer.first().is_some_and(|e| e.time_nano <= last);
    (!held).then_some(last)
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
    fn removal_commands_name_the_references_they_removed() {
        assert_eq!(
            removed_refs("docker rmi httpd:2.2"),
            Some(vec!["httpd:2.2".into()])
        );
        assert_eq!(
            removed_refs("sudo docker image rm -f tomcat mytomcat:8.0"),
            Some(vec!["tomcat:latest".into(), "mytomcat:8.0".into()])
        );
        assert_eq!(
            removed_refs("docker rmi 4e0a5c1e1b13"),
            None,
            "an id names nothing"
        );
        assert_eq!(
            removed_refs("docker image rm -f $(docker images tomcat -q)"),
            None
        );
        assert_eq!(removed_refs("docker rm web"), None, "a container");
        let log = CommandLog::parse(
            "log",
            "{\"at\":10.0,\"ms\":200,\"status\":0,\"cmd\":\"docker rmi httpd:2.2\"}\n\
             {\"at\":20.0,\"ms\":200,\"status\":1,\"cmd\":\"docker rmi httpd:2.4\"}\n",
            false,
        );
        let mut events = [
            ev("untag", "sha256:22", 10_100_000_000),
            ev("untag", "sha256:24", 20_100_000_000),
            ev("untag", "sha256:xx", 15_000_000_000),
        ];
        name_removals(&mut events, &log);
        assert_eq!(typed_refs(&events[0]), ["httpd:2.2"]);
        assert!(typed_refs(&events[1]).is_empty(), "that command failed");
        assert!(typed_refs(&events[2]).is_empty(), "no command was running");
    }

    #[test]
    fn a_buffer_that_starts_after_the_last_recorded_event_has_a_gap() {
        let buffer = [ev("pull", "tomcat", 50), ev("tag", "sha256:a", 60)];
        assert_eq!(gap_since(Some(40), &buffer), Some(40), "restarted after 40");
        assert_eq!(
            gap_since(Some(50), &buffer),
            None,
            "the buffer still holds it"
        );
        assert_eq!(
            gap_since(Some(40), &[]),
            Some(40),
            "restarted, nothing since"
        );
        assert_eq!(gap_since(None, &buffer), None, "nothing recorded yet");
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
