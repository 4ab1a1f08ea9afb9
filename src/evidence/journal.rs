//! The journal: one JSON object per line, appended each time lab sees a
//! check pass and each time a task is checked. It lets a step that a later
//! step undoes (pull, then remove) keep its pass across daemon restarts, and
//! gives `lab list` each task's last status.
//!
//! Each line is sealed (`seal.rs`): its `mac` covers the `mac` of the line
//! before it, the entry and the machine's and daemon's ids. A line whose
//! seal does not verify is ignored, alone: the line after it chains to its
//! stored `mac`, so one edited line costs that line, one deleted line costs
//! the line after it, and a copied journal costs every line; whatever is
//! ignored is said once per journal, with the count and the first line.
//!
//! Invariants: lines are only ever appended, each batch in one write; a
//! torn last line (a crash mid-write) is skipped with a warning, never
//! fatal; a line that is not UTF-8 or not JSON is skipped and named, the
//! others still count; a journal that cannot be read or written is a
//! warning, never a failed check. An entry's fields never change (its
//! canonical JSON is what the seal covers): a new kind of record is a new
//! variant.

use super::file::{self, Loaded};
use super::health::{Health, State};
use super::read::{self, parse_line};
use super::seal::{Binding, Seal};
use crate::lang::Lang;
use crate::machine::DaemonEvent;
use crate::report::{Evidence, Outcome, Status, TaskStatus};
use crate::tr;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
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
        /// `pass`, `fail` or `error`, as earlier versions wrote it.
        status: TaskStatus,
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
        /// The ids of the questions answered right (absent in journals
        /// written before lab 0.2: such an attempt proves no single question).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        right: Vec<String>,
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
    binding: Binding,
    lang: Lang,
    entries: Vec<Entry>,
    /// The `mac` of the last sealed line read: what an append chains to
    /// when the end of the file has none.
    head: String,
    /// Problems met while reading, for the report.
    pub warnings: Vec<String>,
    /// What reading found, for `lab grade`.
    pub health: Health,
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

/// An entry's JSON with its seal, as one line (without the newline).
fn sealed_line(canonical: &str, seal: &Seal) -> String {
    let mut fields = String::new();
    for (k, v) in [("m", &seal.m), ("d", &seal.d)] {
        if let Some(v) = v {
            fields.push_str(&format!(",\"{k}\":\"{v}\""));
        }
    }
    let body = canonical.strip_suffix('}').unwrap_or(canonical);
    format!("{body}{fields},\"mac\":\"{}\"}}", seal.mac)
}

impl Journal {
    /// A journal that records nothing (`--no-journal`).
    pub fn disabled() -> Journal {
        Journal {
            health: Health {
                state: State::Disabled,
                ..Health::default()
            },
            ..Journal::default()
        }
    }

    /// Whether this run's entries are written somewhere (not `--no-journal`,
    /// not a VM's journal read while grading).
    pub fn records(&self) -> bool {
        self.path.is_some()
    }

    /// Reads the journal at `path`, checking each line against `binding`
    /// (this machine's ids); a missing file is an empty journal.
    pub fn open(path: PathBuf, binding: Binding, lang: Lang) -> Journal {
        let label = path.display().to_string();
        let mut j = match file::load(&path, lang) {
            Loaded::Missing => Journal {
                binding,
                lang,
                ..Journal::default()
            },
            Loaded::Refused(why) => {
                let mut j = Journal {
                    lang,
                    warnings: vec![why],
                    ..Journal::default()
                };
                j.health.state = State::Unreadable;
                // Not a file lab may write either: no path.
                return j;
            }
            Loaded::Bytes { bytes, cut_from } => {
                let mut j = Journal {
                    binding,
                    lang,
                    ..Journal::default()
                };
                j.load(&label, &bytes, cut_from);
                j
            }
        };
        j.path = Some(path);
        j
    }

    /// A journal read from bytes fetched elsewhere (a student VM's, while
    /// grading), checked against that VM's `binding`: it is consulted,
    /// never appended to. `label` names it in warnings; `cut_from`: the
    /// file's size when `bytes` are only its end (the first line may be
    /// partial).
    pub fn read_only(
        label: &str,
        bytes: &[u8],
        cut_from: Option<u64>,
        binding: Binding,
        lang: Lang,
    ) -> Journal {
        let mut j = Journal {
            binding,
            lang,
            ..Journal::default()
        };
        if bytes.is_empty() {
            return j;
        }
        let limit = file::READ_LIMIT as usize;
        if cut_from.is_some() {
            j.load(label, bytes, cut_from);
        } else if bytes.len() > limit {
            j.load(
                label,
                &bytes[bytes.len() - limit..],
                Some(bytes.len() as u64),
            );
        } else {
            j.load(label, bytes, None);
        }
        j
    }

    /// Reads `bytes` (see `read.rs`).
    fn load(&mut self, label: &str, bytes: &[u8], cut_from: Option<u64>) {
        let r = read::read(label, bytes, cut_from, &self.binding, self.lang);
        self.entries = r.entries;
        self.head = r.head;
        self.warnings.extend(r.warnings);
        self.health = r.health;
    }

    /// Forgets what was recorded after `here` (Unix nanoseconds, the
    /// journal's machine's clock): a `lab grade --deadline`. Recorded
    /// events count by their own time, not by when lab recorded them.
    pub fn cut_at(&mut self, here: i64) {
        let secs = here.div_euclid(1_000_000_000);
        self.entries.retain_mut(|e| match e {
            Entry::Events { events, .. } => {
                events.retain(|ev| ev.time_nano <= here);
                !events.is_empty()
            }
            Entry::Check { at, .. }
            | Entry::Step { at, .. }
            | Entry::Task { at, .. }
            | Entry::Quiz { at, .. }
            | Entry::Images { at, .. } => *at <= secs,
        });
    }

    /// A journal that holds `entries`, read from nowhere (tests).
    #[cfg(test)]
    pub fn with_entries(entries: Vec<Entry>) -> Journal {
        Journal {
            entries,
            ..Journal::default()
        }
    }

    #[cfg(test)]
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// When an earlier run recorded a check passing, and what it found.
    fn recorded_pass(&self, task: &str, step: &str, check: &str) -> Option<(i64, &str)> {
        self.entries.iter().rev().find_map(|e| match e {
            Entry::Check {
                at,
                task: t,
                step: s,
                check: c,
                detail,
            } if *t == task && *s == step && c == check => Some((*at, detail.as_str())),
            _ => None,
        })
    }

    /// Whether an earlier run recorded this check passing.
    pub fn passed_before(&self, task: &str, step: &str, check: &str) -> bool {
        self.recorded_pass(task, step, check).is_some()
    }

    /// A pass from the journal for a check, if an earlier run recorded one.
    pub fn remembered(&self, task: &str, step: &str, check: &str, lang: Lang) -> Option<Outcome> {
        self.recorded_pass(task, step, check).map(|(at, detail)| {
            let msg = tr!(
                lang,
                "done earlier: {} (lab saw it on {})",
                "之前已完成：{}（lab 于 {} 记录）",
                detail,
                crate::clock::date(at)
            );
            Outcome {
                status: Status::Pass,
                message: msg,
                expected: None,
                actual: None,
                evidence: Some(Evidence::Journal {
                    detail: detail.to_string(),
                    time: at,
                }),
                warnings: Vec::new(),
            }
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

    /// When the last recorded event happened.
    pub fn last_event(&self) -> Option<i64> {
        self.events().map(|e| e.time_nano).max()
    }

    /// The events of `buffer` newer than any recorded (what is worth
    /// appending).
    pub fn new_events(&self, buffer: &[DaemonEvent]) -> Vec<DaemonEvent> {
        let last = self.last_event().unwrap_or(i64::MIN);
        buffer
            .iter()
            .filter(|e| e.time_nano > last)
            .cloned()
            .collect()
    }

    /// The last passed attempt at a task's quiz that answered every one of
    /// `questions` right, else its last passed attempt, else its last attempt.
    pub fn quiz(&self, task: &str, questions: &[String]) -> Option<&Entry> {
        let of_task = |e: &&Entry| matches!(e, Entry::Quiz { task: t, .. } if t == task);
        let mut attempts = self.entries.iter().rev().filter(of_task);
        let passed = |e: &&Entry| matches!(e, Entry::Quiz { passed: true, .. });
        let all_right = |e: &&Entry| match e {
            Entry::Quiz { right, .. } => questions.iter().all(|q| right.contains(q)),
            _ => false,
        };
        attempts
            .clone()
            .find(|e| passed(e) && all_right(e))
            .or_else(|| attempts.clone().find(passed))
            .or_else(|| attempts.next())
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

    /// Appends entries, sealed and chained to the file's last sealed line,
    /// in one write. Returns a warning on failure.
    pub fn append(&self, entries: &[Entry]) -> Result<(), String> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        if entries.is_empty() {
            return Ok(());
        }
        let lang = self.lang;
        let failed = |why: String| {
            tr!(
                lang,
                "cannot write the journal {}: {}; this run's progress is not remembered",
                "无法写入操作记录文件 {}：{}；本次的进度不会被记住",
                path.display(),
                why
            )
        };
        let out = file::Appender::open(path, lang).map_err(failed)?;
        let mut buf = String::new();
        // A torn last line must not swallow the first new entry.
        if !out.tail.is_empty() && !out.tail.ends_with(b"\n") {
            buf.push('\n');
        }
        let mut prev = last_mac(&out.tail).unwrap_or_else(|| self.head.clone());
        for e in entries {
            let canonical = serde_json::to_string(e).map_err(|e| failed(e.to_string()))?;
            let seal = self.binding.seal(&prev, &canonical);
            buf.push_str(&sealed_line(&canonical, &seal));
            buf.push('\n');
            prev = seal.mac;
        }
        out.write(buf.as_bytes(), lang).map_err(failed)
    }
}

/// The `mac` of the last line of `tail` that has one: what the next line
/// chains to (read again at each append, so two runs one after the other
/// never chain to the same line).
fn last_mac(tail: &[u8]) -> Option<String> {
    tail.split(|b| *b == b'\n')
        .rev()
        .filter_map(|l| parse_line(&String::from_utf8_lossy(l)).ok())
        .find_map(|l| l.seal.map(|s| s.mac))
}
