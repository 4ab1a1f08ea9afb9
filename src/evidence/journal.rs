//! The journal: one JSON object per line, appended each time lab sees a
//! check pass and each time a task is checked. It lets a step that a later
//! step undoes (pull, then remove) keep its pass across daemon restarts, and
//! gives `lab list` each task's last status.
//!
//! Invariants: lines are only ever appended, each in a single write; a torn
//! last line (a crash mid-write) is skipped with a warning, never fatal; a
//! journal that cannot be written is a warning, never a failed check.

use crate::lang::Lang;
use crate::machine::DaemonEvent;
use crate::report::{Evidence, Outcome, Status};
use crate::tr;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Entry {
    /// A check passed on live state or daemon events.
    Check {
        at: i64,
        task: String,
        step: String,
        check: String,
        detail: String,
    },
    /// A step passed on what lab saw (not on the journal).
    Step { at: i64, task: String, step: String },
    /// A task was checked.
    Task {
        at: i64,
        task: String,
        status: String,
        score: u32,
        max_score: u32,
    },
    /// A quiz was taken (`lab quiz`).
    Quiz {
        at: i64,
        task: String,
        score: u32,
        max_score: u32,
        passed: bool,
    },
    /// Image references and the ids they pointed to when lab looked.
    Images {
        at: i64,
        refs: BTreeMap<String, String>,
    },
    /// Daemon events lab read that it had not recorded yet: dockerd forgets
    /// its events when it restarts, lab does not.
    Events { at: i64, events: Vec<DaemonEvent> },
}

#[derive(Debug, Default)]
pub struct Journal {
    path: Option<PathBuf>,
    entries: Vec<Entry>,
    /// Problems met while reading, for the report.
    pub warnings: Vec<String>,
}

/// `$LAB_JOURNAL`, else `$XDG_STATE_HOME/lab/journal.jsonl`, else
/// `~/.local/state/lab/journal.jsonl`.
pub fn default_path() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(p) = var("LAB_JOURNAL") {
        return Some(p);
    }
    let state = var("XDG_STATE_HOME").or_else(|| var("HOME").map(|h| h.join(".local/state")))?;
    Some(state.join("lab").join("journal.jsonl"))
}

impl Journal {
    /// A journal that records nothing (`--no-journal`).
    pub fn disabled() -> Journal {
        Journal::default()
    }

    /// Reads the journal at `path`; a missing file is an empty journal.
    pub fn open(path: PathBuf) -> Journal {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                let mut j = Journal::disabled();
                j.path = Some(path.clone());
                j.warnings.push(format!(
                    "cannot read the journal {}: {e}; earlier progress is ignored",
                    path.display()
                ));
                return j;
            }
        };
        let mut j = Journal::read_only(&path.display().to_string(), &text);
        j.path = Some(path);
        j
    }

    /// A journal read from text fetched elsewhere (a student VM's, while
    /// grading): it is consulted, never appended to. `label` names it in
    /// warnings.
    pub fn read_only(label: &str, text: &str) -> Journal {
        let mut j = Journal::default();
        let torn_tail = !text.is_empty() && !text.ends_with('\n');
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Entry>(line) {
                Ok(e) => j.entries.push(e),
                Err(_) if torn_tail && i + 1 == lines.len() => j.warnings.push(format!(
                    "{label}:{}: skipped a torn last line (lab was interrupted while writing it)",
                    i + 1
                )),
                Err(e) => j.warnings.push(format!(
                    "{label}:{}: skipped an unreadable line: {e}",
                    i + 1
                )),
            }
        }
        j
    }

    #[cfg(test)]
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// A pass from the journal for a check, if an earlier run recorded one.
    pub fn remembered(&self, task: &str, step: &str, check: &str, lang: Lang) -> Option<Outcome> {
        self.entries.iter().rev().find_map(|e| match e {
            Entry::Check {
                at,
                task: t,
                step: s,
                check: c,
                detail,
            } if *t == task && *s == step && c == check => {
                let msg = tr!(
                    lang,
                    "done earlier: {} (lab saw it on {})",
                    "之前已完成：{}（lab 于 {} 记录）",
                    detail,
                    crate::clock::date(*at)
                );
                Some(Outcome {
                    status: Status::Pass,
                    message: msg,
                    expected: None,
                    actual: None,
                    evidence: Some(Evidence::Journal {
                        detail: detail.clone(),
                        time: *at,
                    }),
                    warnings: Vec::new(),
                })
            }
            _ => None,
        })
    }

    /// When lab first saw a step pass, if it ever did.
    pub fn step_passed(&self, task: &str, step: &str) -> Option<i64> {
        self.entries.iter().find_map(|e| match e {
            Entry::Step {
                at,
                task: t,
                step: s,
            } if t == task && s == step => Some(*at),
            _ => None,
        })
    }

    /// The id `reference` had the last time lab saw it, and when.
    pub fn image_id(&self, reference: &str) -> Option<(&str, i64)> {
        self.entries.iter().rev().find_map(|e| match e {
            Entry::Images { at, refs } => refs.get(reference).map(|id| (id.as_str(), *at)),
            _ => None,
        })
    }

    /// Every daemon event recorded by earlier runs, oldest first.
    pub fn events(&self) -> impl Iterator<Item = &DaemonEvent> {
        self.entries.iter().flat_map(|e| match e {
            Entry::Events { events, .. } => events.as_slice(),
            _ => &[],
        })
    }

    /// Every image id lab has seen a reference point to, with the
    /// references and when it last saw each.
    pub fn seen_images(&self) -> BTreeMap<&str, (Vec<&str>, i64)> {
        let mut out: BTreeMap<&str, (Vec<&str>, i64)> = BTreeMap::new();
        for e in &self.entries {
            if let Entry::Images { at, refs } = e {
                for (r, id) in refs {
                    let seen = out.entry(id.as_str()).or_default();
                    seen.0.push(r.as_str());
                    seen.1 = seen.1.max(*at);
                }
            }
        }
        out
    }

    /// The events of `buffer` newer than any recorded (what is worth
    /// appending).
    pub fn new_events(&self, buffer: &[DaemonEvent]) -> Vec<DaemonEvent> {
        let last = self.events().map(|e| e.time_nano).max().unwrap_or(i64::MIN);
        buffer
            .iter()
            .filter(|e| e.time_nano > last)
            .cloned()
            .collect()
    }

    /// The best passed quiz of a task, else its last attempt.
    pub fn quiz(&self, task: &str) -> Option<&Entry> {
        let of_task = |e: &&Entry| matches!(e, Entry::Quiz { task: t, .. } if t == task);
        let passed = self
            .entries
            .iter()
            .rev()
            .filter(of_task)
            .find(|e| matches!(e, Entry::Quiz { passed: true, .. }));
        passed.or_else(|| self.entries.iter().rev().find(of_task))
    }

    /// The last recorded result of a task.
    pub fn last_task(&self, task: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .rev()
            .find(|e| matches!(e, Entry::Task { task: t, .. } if t == task))
    }

    /// The references among `refs` whose id differs from what the journal
    /// last recorded (what is worth appending).
    pub fn new_refs(&self, refs: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        refs.iter()
            .filter(|(r, id)| self.image_id(r).map(|(known, _)| known) != Some(id.as_str()))
            .map(|(r, id)| (r.clone(), id.clone()))
            .collect()
    }

    /// Appends entries in one write. Returns a warning on failure.
    pub fn append(&self, entries: &[Entry]) -> Result<(), String> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        if entries.is_empty() {
            return Ok(());
        }
        let mut buf = String::new();
        // A torn last line must not swallow the first new entry.
        if std::fs::read(path)
            .map(|b| !b.is_empty() && !b.ends_with(b"\n"))
            .unwrap_or(false)
        {
            buf.push('\n');
        }
        for e in entries {
            buf.push_str(&serde_json::to_string(e).map_err(|e| e.to_string())?);
            buf.push('\n');
        }
        let write = || -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?;
            f.write_all(buf.as_bytes())
        };
        write().map_err(|e| {
            format!(
                "cannot write the journal {}: {e}; this run's progress is not remembered",
                path.display()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_entry(at: i64, check: &str) -> Entry {
        Entry::Check {
            at,
            task: "task3".into(),
            step: "pull".into(),
            check: check.into(),
            detail: "tomcat:latest present".into(),
        }
    }

    #[test]
    fn appended_entries_are_read_back_and_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/lab/journal.jsonl");
        let j = Journal::open(path.clone());
        j.append(&[check_entry(1_700_000_000, "pulled")]).unwrap();
        let j = Journal::open(path);
        assert!(j.warnings.is_empty());
        let o = j
            .remembered("task3", "pull", "pulled", Lang::En)
            .expect("remembered");
        assert_eq!(o.status, Status::Pass);
        assert!(matches!(o.evidence, Some(Evidence::Journal { .. })));
        assert!(j.remembered("task3", "pull", "other", Lang::En).is_none());
        assert!(
            j.remembered("task3", "tag", "pulled", Lang::En).is_none(),
            "scoped to its step"
        );
    }

    #[test]
    fn a_torn_last_line_is_skipped_with_a_warning_and_not_glued_to() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let good = serde_json::to_string(&check_entry(1, "a")).unwrap();
        std::fs::write(&path, format!("{good}\n{{\"type\":\"check\",\"at\":2,\"ta")).unwrap();
        let j = Journal::open(path.clone());
        assert_eq!(j.entries().len(), 1);
        assert_eq!(j.warnings.len(), 1);
        assert!(j.warnings[0].contains("torn last line"), "{:?}", j.warnings);
        j.append(&[check_entry(3, "b")]).unwrap();
        let j = Journal::open(path);
        assert_eq!(j.entries().len(), 2, "the new entry starts on its own line");
        assert_eq!(
            j.warnings.len(),
            1,
            "the torn line is still reported, as a middle line"
        );
    }

    #[test]
    fn image_ids_come_from_the_newest_snapshot() {
        let mut j = Journal::default();
        j.entries.push(Entry::Images {
            at: 1,
            refs: BTreeMap::from([("tomcat:8.0".into(), "sha256:old".into())]),
        });
        j.entries.push(Entry::Images {
            at: 2,
            refs: BTreeMap::from([("tomcat:8.0".into(), "sha256:new".into())]),
        });
        assert_eq!(j.image_id("tomcat:8.0"), Some(("sha256:new", 2)));
        let fresh = j.new_refs(&BTreeMap::from([
            ("tomcat:8.0".into(), "sha256:new".into()),
            ("mytomcat:8.0".into(), "sha256:new".into()),
        ]));
        assert_eq!(fresh.keys().collect::<Vec<_>>(), vec!["mytomcat:8.0"]);
    }
}
